"""INSEE's tourist accommodation capacity, read from the file in its published layout (plain CSV or
zipped, ``;``-separated, year-suffixed variables), loaded whole or not at all, and scored."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from belvedere.store import Store
from tests.conftest import run_cli

# the header of the 2025 file, in INSEE's order: identification, then hotels by class and their rooms,
# campsites by class and their pitches (all, rented by the year, for passing customers), then holiday
# villages, tourist residences and youth hostels (establishments, housing units, beds)
CLASSES = ("", "0", "1", "2", "3", "4", "5")
HEADER = ["CODGEO", "LIBGEO", "REG", "DEP",
          *(f"{v}{c}25" for v in ("HT", "HTCH", "CPG", "CPGE", "CPGEL", "CPGEO") for c in CLASSES),
          "VV25", "VVUH25", "VVLIT25", "RT25", "RTUH25", "RTLIT25", "AJCS25", "AJCSUH25", "AJCSLIT25"]  # fmt: skip


def row(code: str, name: str, reg: str, dep: str, **values: int | str) -> str:
    cells = {"CODGEO": code, "LIBGEO": name, "REG": reg, "DEP": dep}
    return ";".join(str(values.get(h, cells.get(h, 0))) for h in HEADER)


LINES = [
    row("61074", "Carrouges", "28", "61", HT25=2, HTCH25=19, CPG25=1, CPGE25=45, VVLIT25=0, RTLIT25=0, AJCSLIT25=12),
    row("94038", "L'Haÿ-les-Roses", "11", "94", HT25=3, HTCH25=160, CPG25=0, CPGE25=0, AJCSLIT25=""),
    row("75101", "Paris 1er Arrondissement", "11", "75", HT25=160, HTCH25=9000),  # not a commune: said, skipped
]


def write(tmp: Path, lines: list[str], *, zipped: bool = False, name: str = "base-cc-tourisme-2025-geo2025") -> Path:
    text = "\ufeff" + ";".join(HEADER) + "\n" + "\n".join(lines) + "\n"  # UTF-8 with a BOM, as INSEE writes it
    if not zipped:
        path = tmp / f"{name}.CSV"
        path.write_text(text, encoding="utf-8")
        return path
    path = tmp / f"{name}_csv.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}.CSV", text.encode("utf-8"))
        z.writestr("meta_base-cc-tourisme-2025.CSV", "COD_VAR;LIB_VAR\n")  # the metadata beside it
    return path


def _stored(db: Path) -> dict[str, tuple]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT code, vintage, hotels, rooms, campsites, pitches, hostel_beds FROM tourism ORDER BY code"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.mark.parametrize("zipped", [False, True])
def test_the_published_file_loads_whole(prepared_db: Path, tmp_path: Path, zipped: bool) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(prepared_db, db)
    out = run_cli("tourism", "load", str(write(tmp_path, LINES, zipped=zipped)), db=db, check=True)
    said = " ".join((out.stdout + out.stderr).split())
    assert "Hébergement touristique 2025 chargé pour 2 communes" in said
    assert "1 codes du fichier ne sont pas des communes actuelles" in said and "75101" in said
    assert _stored(db) == {"61074": (2025, 2, 19, 1, 45, 12), "94038": (2025, 3, 160, 0, 0, None)}


def test_a_bad_file_is_refused_and_the_last_load_kept(prepared_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(prepared_db, db)
    run_cli("tourism", "load", str(write(tmp_path, LINES)), db=db, check=True)
    before = _stored(db)
    bad = write(tmp_path, [LINES[0], LINES[1].replace(";160;", ";1 60;", 1)], name="bad")
    out = run_cli("tourism", "load", str(bad), db=db)
    assert out.returncode == 1 and "ligne 3, colonne HTCH25" in out.stderr and "« 1 60 »" in out.stderr
    assert "Traceback" not in out.stderr and _stored(db) == before
    header = ";".join(h for h in HEADER if h != "CPGE25")
    short = tmp_path / "short.csv"
    short.write_text(header + "\n", encoding="utf-8")
    out = run_cli("tourism", "load", str(short), db=db)
    assert out.returncode == 1 and "n'a pas les colonnes CPGE25" in out.stderr and _stored(db) == before
    other = tmp_path / "other.csv"
    other.write_text("code,population\n61074,623\n", encoding="utf-8")
    out = run_cli("tourism", "load", str(other), db=db)
    assert out.returncode == 1 and "n'a pas la forme du fichier INSEE" in out.stderr


def test_a_url_is_downloaded_then_loaded(prepared_db: Path, tmp_path: Path) -> None:
    from tests.fakes.wikimedia import Dataset, FakeWikimedia, Faults
    from tests.test_fetch import fake_env

    db = tmp_path / "s.duckdb"
    shutil.copy(prepared_db, db)
    data = write(tmp_path, LINES, zipped=True).read_bytes()
    ds = Dataset(dumps={"/other/insee/base-cc-tourisme-2025-geo2025_csv.zip": data})
    # the first transfer is cut halfway: the download resumes from where it stopped
    with FakeWikimedia(ds, Faults(scripted={"base-cc-tourisme-2025-geo2025_csv.zip": ["cut"]})) as fake:
        url = f"{fake.base}/other/insee/base-cc-tourisme-2025-geo2025_csv.zip"
        out = run_cli("tourism", "load", url, db=db, env=fake_env(fake), check=True)
        ranges = [r.get("range") for r in fake.requests if r["kind"] == "dump"]
    assert "chargé pour 2 communes" in out.stdout and ranges[0] is None and ranges[1].startswith("bytes=")
    assert _stored(db)["61074"][0] == 2025


def test_the_demo_scores_attractiveness_and_says_it_is_simulated(demo_db: Path) -> None:
    from belvedere.api import Observatory

    with Observatory.open(demo_db) as obs:
        code = obs.ranking(scope="pvd")["code"][0]
    record = json.loads(run_cli("scorecard", code, "--format", "json", db=demo_db, check=True).stdout)
    dims = {d["key"]: d for d in record["dimensions"]}
    beds = next(i for i in dims["attractivite"]["indicators"] if i["key"] == "beds_per_1000")
    assert dims["attractivite"]["score"] is not None and beds["value"] > 0 and beds["peers"] > 10
    assert "SIMULÉ" in beds["source"] and beds["as_of"].startswith("2024-01-01")
    with Store(demo_db, read_only=True) as store:
        rooms, pitches, village, residence, hostel, population = store.con.execute(
            "SELECT rooms, pitches, village_beds, residence_beds, hostel_beds, population FROM tourism "
            "JOIN communes USING (code) WHERE code = ?",
            [code],
        ).fetchall()[0]
    expected = (2 * rooms + 3 * pitches + village + residence + hostel) / population * 1000  # INSEE's bed weights
    assert beds["value"] == pytest.approx(expected)
