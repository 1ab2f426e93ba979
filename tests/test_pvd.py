from __future__ import annotations

from pathlib import Path

import pytest

from belvedere.errors import BelvedereError
from belvedere.reference.pvd import load_pvd
from belvedere.store import Store
from tests.conftest import PVD_2021


def _count(store: Store, table: str) -> int:
    return store.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def test_real_2021_list_loads_with_source_and_date(ref_store: Store) -> None:
    result = load_pvd(ref_store, str(PVD_2021))
    assert result.loaded == 1606
    assert result.source_date == "2021-01-22"
    assert _count(ref_store, "pvd") + len(result.rejects) == 1606
    row = ref_store.con.execute("SELECT source, source_date, source_code FROM pvd WHERE code = '61074'").fetchall()
    assert row == [(str(PVD_2021), "2021-01-22", "61074")]  # Carrouges is a PVD


def test_merged_code_is_mapped_and_bad_rows_reported(ref_store: Store, tmp_path: Path) -> None:
    f = tmp_path / "pvd_2024-05-01.csv"
    f.write_text(
        "id_pvd;insee_com;lib_com\n"
        "a;01340;Saint-Bois\n"  # commune déléguée of Arboys en Bugey (01015) since 2016
        "b;61074;Carrouges\n"
        "c;1001;L'Abergement-Clémenciat\n"  # leading zero eaten by a spreadsheet
        "d;99999;Nulle-Part\n"
        "e;ABC;Mal formé\n"
        "f;01015;Arboys en Bugey\n",  # same commune as the first row
        encoding="utf-8",
    )
    result = load_pvd(ref_store, str(f))
    codes = {r[0] for r in ref_store.con.execute("SELECT code FROM pvd").fetchall()}
    assert codes == {"01015", "61074", "01001"}
    assert result.mapped == [("01340", "01015", "deleguee")]
    reasons = {code: reason for code, _name, reason in result.rejects}
    assert set(reasons) == {"99999", "ABC", "01015"}
    assert "inconnu" in reasons["99999"] and "mal formé" in reasons["ABC"] and "déjà" in reasons["01015"]
    assert _count(ref_store, "pvd_rejects") == 3
    assert result.source_date == "2024-05-01"
    mapped_by = ref_store.con.execute("SELECT mapped_by, source_code FROM pvd WHERE code = '01015'").fetchall()
    assert mapped_by == [("deleguee", "01340")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"nom,population\nCarrouges,623\n", "colonne"),
        ("insee_com,lib_com\n61074,Carrouges é\n".encode("latin-1"), "UTF-8"),
        (b"", "aucune ligne"),
        (b"insee_com,lib_com\n", "aucune ligne"),
    ],
)
def test_malformed_files_fail_cleanly_and_keep_the_previous_list(
    ref_store: Store, tmp_path: Path, content: bytes, message: str
) -> None:
    before = _count(ref_store, "pvd")
    assert before == 1606
    f = tmp_path / "bad.csv"
    f.write_bytes(content)
    with pytest.raises(BelvedereError, match=message):
        load_pvd(ref_store, str(f))
    assert _count(ref_store, "pvd") == before


def test_missing_file(ref_store: Store) -> None:
    with pytest.raises(BelvedereError, match="introuvable"):
        load_pvd(ref_store, "/nonexistent/pvd.csv")
