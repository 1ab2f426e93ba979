from __future__ import annotations

import pytest

from belvedere.errors import AmbiguousCommuneError, UnknownCommuneError
from belvedere.reference.load import read_reference_csv
from belvedere.reference.lookup import resolve_commune, search_communes, select_communes
from belvedere.reference.names import fold
from belvedere.reference.sizes import SIZE_BANDS, size_class
from belvedere.store import Store


def test_reference_has_every_current_commune(ref_store: Store) -> None:
    con = ref_store.con
    assert con.execute("SELECT count(*) FROM communes").fetchall()[0][0] == 34969
    assert con.execute("SELECT count(DISTINCT code) FROM communes").fetchall()[0][0] == 34969
    zones = dict(con.execute("SELECT zone, count(*) FROM communes GROUP BY zone").fetchall())
    assert set(zones) == {"metro", "drom", "com"}
    assert zones["metro"] > 34000


def test_every_delegated_commune_points_to_an_existing_chef_lieu(ref_store: Store) -> None:
    con = ref_store.con
    orphans = con.execute(
        "SELECT count(*) FROM commune_history h LEFT JOIN communes c ON c.code = h.current_code WHERE c.code IS NULL"
    ).fetchall()[0][0]
    assert orphans == 0
    kinds = dict(con.execute("SELECT kind, count(*) FROM commune_history GROUP BY kind").fetchall())
    assert kinds["deleguee"] == 2105 and kinds["associee"] == 471
    unnamed = con.execute(
        "SELECT count(*) FROM commune_history WHERE kind IN ('deleguee', 'associee') AND old_name IS NULL"
    ).fetchall()[0][0]
    assert unnamed == 0


def test_every_commune_has_a_known_departement_and_region(ref_store: Store) -> None:
    con = ref_store.con
    missing = con.execute(
        "SELECT count(*) FROM communes c LEFT JOIN departements d ON d.code = c.departement "
        "LEFT JOIN regions r ON r.code = c.region WHERE d.code IS NULL OR r.code IS NULL"
    ).fetchall()[0][0]
    assert missing == 0


def test_commune_nouvelle_flags(ref_store: Store) -> None:
    flags = dict(ref_store.con.execute("SELECT code, is_commune_nouvelle FROM communes").fetchall())
    assert flags["01015"] is True  # Arboys en Bugey (2016: Arbignieu + Saint-Bois)
    assert flags["74010"] is True  # Annecy (2017)
    assert flags["61074"] is False  # Carrouges
    assert flags["75056"] is False  # Paris
    # a 1970s fusion keeps its historic SIREN and is not a commune nouvelle
    assert flags["01143"] is False  # Divonne-les-Bains
    n = sum(flags.values())
    assert 600 < n < 1000  # ~ the number of communes nouvelles in France today


def test_points_are_where_france_is(ref_store: Store) -> None:
    rows = ref_store.con.execute(
        "SELECT count(*), count(lat), min(lat), max(lat), min(lon), max(lon) FROM communes WHERE zone = 'metro'"
    ).fetchall()[0]
    total, with_point, min_lat, max_lat, min_lon, max_lon = rows
    assert with_point / total > 0.995
    assert 41.3 < min_lat and max_lat < 51.2
    assert -5.2 < min_lon and max_lon < 9.6


def test_size_classes_cover_every_population(ref_store: Store) -> None:
    rows = ref_store.con.execute("SELECT population, size_class FROM communes WHERE population IS NOT NULL").fetchall()
    assert all(cls == size_class(pop) for pop, cls in rows)
    assert size_class(999) == "<1k" and size_class(1000) == "1k-2.5k" and size_class(100_000) == "100k+"
    assert [b[0] for b in SIZE_BANDS][-1] == "100k+"
    assert size_class(None) is None


def test_reference_files_are_consistent_with_store(ref_store: Store) -> None:
    df = read_reference_csv("communes.csv.gz")
    assert df.height == 34969
    assert df["code"].str.len_chars().min() == 5  # leading zeros kept


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("ST ETIENNE", "saint etienne"),
        ("Ste-Maxime", "sainte maxime"),
        ("L'Abergement-Clémenciat", "l abergement clemenciat"),
        ("Œuilly", "oeuilly"),
    ],
)
def test_fold(typed: str, expected: str) -> None:
    assert fold(typed) == expected


def test_resolve_by_code_old_code_and_name(ref_store: Store) -> None:
    assert resolve_commune(ref_store, "61074")["name"] == "Carrouges"
    mapped = resolve_commune(ref_store, "01340")  # Saint-Bois, now in Arboys en Bugey
    assert mapped["code"] == "01015"
    assert mapped["mapped_from"]["kind"] == "deleguee"
    assert resolve_commune(ref_store, "carrouges")["code"] == "61074"
    assert resolve_commune(ref_store, "Saint-Denis (93)")["code"] == "93066"
    assert resolve_commune(ref_store, "Saint-Bois")["code"] == "01015"  # a former commune's name


def test_ambiguous_and_unknown_names(ref_store: Store) -> None:
    with pytest.raises(AmbiguousCommuneError) as info:
        resolve_commune(ref_store, "Saint-Denis")
    assert {"93066", "97411"} <= {c["code"] for c in info.value.candidates}
    assert "93" in str(info.value)
    with pytest.raises(UnknownCommuneError):
        resolve_commune(ref_store, "Nulle-Part-sur-Mer")
    with pytest.raises(UnknownCommuneError):
        resolve_commune(ref_store, "99999")


def test_search_is_accent_and_abbreviation_insensitive(ref_store: Store) -> None:
    a = search_communes(ref_store, "st etienne", 50)["code"].to_list()
    b = search_communes(ref_store, "SAINT-ÉTIENNE", 50)["code"].to_list()
    assert a == b
    assert a[0] == "42218"  # the exact match with the largest population comes first


def test_select_communes(ref_store: Store) -> None:
    assert len(select_communes(ref_store, "all")) == 34969
    assert len(select_communes(ref_store, "pvd")) == 1606
    assert select_communes(ref_store, "61074, 01340,61074") == ["61074", "01015"]
