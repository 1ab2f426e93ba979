"""The scorecard's official lists, read in their published layouts and kept with source and vintage:
the loi Littoral / loi Montagne lists (the typology says "littoral" or "montagne" only of a commune
on them), ARCEP's fixed broadband by commune (the access dimension) and the labels' lists; and what
the simulator plants with them (the national model recovers the labels' planted effect)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from belvedere.analysis.typology import classify
from belvedere.store import Store
from tests.conftest import run_cli

pytestmark = pytest.mark.integration


def anct_workbook(path: Path, title: str, rows: list[tuple[object, ...]], *, littoral: bool) -> Path:
    """A list as ANCT publishes it: sheet ``Perimetre``, two title lines, then the header."""
    book = openpyxl.Workbook()
    book.active.title = "Notice"  # the notice comes first in the published workbooks
    ws = book.create_sheet("Perimetre")
    ws.append([title])
    ws.append(["Source : ANCT, Observatoire des territoires"])
    ws.append(["INSEE_COM", "NOM_COM", *(["CLASSEMENT"] if littoral else [])])
    for r in rows:
        ws.append(list(r))
    book.save(path)
    return path


def _zones(db: Path) -> dict[tuple[str, str], tuple[object, ...]]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT code, zone, class, vintage, source FROM zones ORDER BY code").fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_the_published_zone_lists_load_with_their_vintage(reference_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(reference_db, db)
    coast = anct_workbook(tmp_path / "communes_loi_littoral.xlsx", "Communes soumises à la loi Littoral (COG 2022)",
                          [("29019", "Brest", "Mer"), (17300, "La Rochelle", "Mer"), ("74010", "Annecy", "Lac"),
                           ("13201", "Marseille 1er Arrondissement", "Mer")], littoral=True)  # fmt: skip
    out = run_cli("zones", "load", "littoral", str(coast), db=db, check=True)
    said = " ".join((out.stdout + out.stderr).split())
    assert "Liste loi Littoral 2022 chargée : 3 communes" in said and "13201" in said  # arrondissement: said
    stored = _zones(db)
    assert stored[("29019", "littoral")][:2] == ("Mer", "2022") and stored[("74010", "littoral")][0] == "Lac"
    assert ("17300", "littoral") in stored  # a code the spreadsheet kept as a number is still read
    # the mountain list: a CSV with the same columns, its year given because neither title nor name say it
    mountain = tmp_path / "zone_montagne.csv"
    mountain.write_text("INSEE_COM;NOM_COM\n74010;Annecy\n05061;Gap\n", encoding="utf-8")
    out = run_cli("zones", "load", "montagne", str(mountain), db=db)
    assert out.returncode == 1 and "--vintage" in out.stderr and "Traceback" not in out.stderr
    run_cli("zones", "load", "montagne", str(mountain), "--vintage", "2021", db=db, check=True)
    stored = _zones(db)
    assert stored[("74010", "montagne")][:2] == (None, "2021") and len(stored) == 5
    with Store(db, read_only=True) as store:  # the typology reads the zones: its figures are redone after a load
        logged = store.con.execute("SELECT count(*) FROM ingest_log WHERE source = 'zones'").fetchall()[0][0]
    assert logged == 2


def test_a_bad_zone_list_is_refused_and_the_last_one_kept(reference_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(reference_db, db)
    good = anct_workbook(tmp_path / "littoral_2022.xlsx", "Loi Littoral", [("29019", "Brest", "Mer")], littoral=True)
    run_cli("zones", "load", "littoral", str(good), db=db, check=True)
    before = _zones(db)
    bad = anct_workbook(tmp_path / "littoral_2023.xlsx", "Loi Littoral",
                        [("29019", "Brest", "Mer"), ("Brest", "Brest", "Mer")], littoral=True)  # fmt: skip
    out = run_cli("zones", "load", "littoral", str(bad), db=db)
    assert out.returncode == 1 and "ligne 5" in out.stderr and "« Brest »" in out.stderr and _zones(db) == before
    other = tmp_path / "other_2024.csv"
    other.write_text("commune;population\nBrest;139000\n", encoding="utf-8")
    out = run_cli("zones", "load", "littoral", str(other), db=db)
    assert out.returncode == 1 and "pas de ligne d'en-tête" in out.stderr and _zones(db) == before
    out = run_cli("zones", "load", "plage", str(good), db=db)
    assert out.returncode == 1 and "littoral ou montagne" in out.stderr


def test_the_typology_says_littoral_or_montagne_only_of_a_listed_commune() -> None:
    base = {"summer_share": 0.4, "visibility_surplus": 1.0, "spikes_per_year": 0.0, "spike_share": 0.0,
            "spikes": 0, "population": 3000, "is_commune_nouvelle": False}  # fmt: skip
    features = pl.DataFrame([
        {**base, "code": "A", "summer_index": 2.0, "winter_index": 0.8, "littoral": "Mer", "littoral_vintage": "2022"},
        {**base, "code": "B", "summer_index": 2.0, "winter_index": 0.8, "littoral": None, "littoral_vintage": None},
        {**base, "code": "C", "summer_index": 0.9, "winter_index": 1.5, "montagne": True, "montagne_vintage": "2021"},
        {**base, "code": "D", "summer_index": 0.9, "winter_index": 1.5, "montagne": None, "montagne_vintage": None},
    ], infer_schema_length=None)  # fmt: skip
    typed = {r["code"]: r for r in classify(features).iter_rows(named=True)}
    assert typed["A"]["typology_label"] == "Saisonnière (littoral, été)"
    assert "loi Littoral (mer)" in typed["A"]["explanation"] and "2022" in typed["A"]["explanation"]
    assert typed["B"]["typology_label"] == "Saisonnière (été)" and "ittoral" not in typed["B"]["explanation"]
    assert typed["C"]["typology_label"] == "Saisonnière (montagne)" and "loi Montagne" in typed["C"]["explanation"]
    assert typed["D"]["typology_label"] == "Saisonnière (hiver)" and "ontagne" not in typed["D"]["explanation"]
    assert {r["typology"] for r in typed.values()} == {"seasonal-coast", "seasonal-mountain"}


def test_a_new_zone_list_rewords_the_kept_typology(demo_copy: Path) -> None:
    from belvedere import figures
    from belvedere.api import Observatory
    from belvedere.store.db import now
    from belvedere.store.writes import replace_zone

    with Observatory.open(demo_copy) as obs:
        typed = obs.typology()
    coast = typed.filter(pl.col("typology") == "seasonal-coast")
    listed = coast.filter(pl.col("typology_label") == "Saisonnière (littoral, été)")
    unlisted = coast.filter(pl.col("typology_label") == "Saisonnière (été)")
    with Store(demo_copy, read_only=True) as store:
        zone = set(store.frame("SELECT code FROM zones WHERE zone = 'littoral'")["code"].to_list())
    assert listed.height > 0 and set(listed["code"].to_list()) <= zone
    assert not set(unlisted["code"].to_list()) & zone
    code = listed["code"][0]
    with Store(demo_copy) as store:  # the list changes: this commune is no longer on it
        kept = store.frame("SELECT code, class FROM zones WHERE zone = 'littoral' AND code <> ?", [code])
        replace_zone(store, "littoral", kept, "2024", "liste-test.xlsx", now())
        assert all(
            figures.load(store, s, e) is None
            for s, e in figures.runs(store).select("period_start", "period_end").rows()
        )
    with Observatory.open(demo_copy) as obs:
        row = obs.typology().filter(pl.col("code") == code).row(0, named=True)
    assert row["typology"] == "seasonal-coast" and row["typology_label"] == "Saisonnière (été)"


# ARCEP's commune files, as published: `;`, UTF-8, type "all", the quarter's end in `date`
TECHNO = ("code_insee;nom_com;code_dep;code_reg;type;date;nbr;elig_ftth;elig_coax;elig_cu;elig_cu_30\n"
          "61074;Carrouges;61;28;all;2026-03-31;520;390;0;500;120\n"
          "29019;Brest;29;53;all;2026-03-31;90000;88000;30000;70000;60000\n"
          "75056;Paris;75;11;all;2026-03-31;1667292;1650000;900000;1667159;1600000\n")  # fmt: skip
FILAIRE = ("code_insee;nom_com;code_dep;code_reg;type;date;nbr;inel_hd;elig_hd3;elig_bhd8;elig_thd30;elig_thd100;"
           "elig_thd1g\n"
           "61074;Carrouges;61;28;all;2026-03-31;520;20;500;480;430;392;390\n"
           "29019;Brest;29;53;all;2026-03-31;90000;100;89900;89800;89000;88500;88000\n")  # fmt: skip


def _access(db: Path) -> dict[tuple[str, str], tuple[object, ...]]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT code, indicator, premises, eligible, as_of FROM access").fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_the_arcep_files_load_and_a_bad_one_is_refused(reference_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(reference_db, db)
    (tmp_path / "commune_techno.csv").write_text(TECHNO, encoding="utf-8")
    (tmp_path / "commune_debit_filaire.csv").write_text(FILAIRE, encoding="utf-8")
    out = run_cli("access", "load", str(tmp_path / "commune_techno.csv"), db=db, check=True)
    assert "Accès fixe au 31 mars 2026 chargé pour 3 communes : fibre (FttH)" in " ".join(out.stdout.split())
    run_cli("access", "load", str(tmp_path / "commune_debit_filaire.csv"), db=db, check=True)
    stored = _access(db)
    assert stored[("61074", "ftth")][:2] == (520, 390) and stored[("61074", "thd30")][:2] == (520, 430)
    assert stored[("29019", "thd30")][:2] == (90000, 89000) and str(stored[("75056", "ftth")][2]) == "2026-03-31"
    before = dict(stored)
    bad = tmp_path / "bad_techno.csv"
    bad.write_text(TECHNO.replace(";520;390;", ";520;600;"), encoding="utf-8")
    out = run_cli("access", "load", str(bad), db=db)
    assert out.returncode == 1 and "ligne 2" in out.stderr and "600 locaux éligibles" in out.stderr
    assert _access(db) == before and "Traceback" not in out.stderr
    cut = tmp_path / "cut.csv"
    cut.write_text(TECHNO.replace(";390;", ";3 9x;"), encoding="utf-8")
    out = run_cli("access", "load", str(cut), db=db)
    assert out.returncode == 1 and "colonne elig_ftth" in out.stderr and _access(db) == before
    other = tmp_path / "commune.csv"
    other.write_text("code_insee;nom_com;nbr\n61074;Carrouges;520\n", encoding="utf-8")
    out = run_cli("access", "load", str(other), db=db)
    assert out.returncode == 1 and "statistiques communales de l'ARCEP" in out.stderr


def test_a_label_list_loads_with_title_lines_and_its_date(reference_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(reference_db, db)
    listing = tmp_path / "villes-fleuries.csv"
    listing.write_text("Palmarès des Villes et Villages Fleuris 2025\n\nCode INSEE;Commune;Nombre de fleurs\n"
                       "61074;Carrouges;2\n29019;Brest;4\n", encoding="utf-8")  # fmt: skip
    out = run_cli("labels", "load", "villes-villages-fleuris", str(listing), db=db, check=True)
    assert "Label « Villes et Villages Fleuris » (2025) chargé : 2 communes" in " ".join(out.stdout.split())
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT code, label, detail, as_of FROM labels ORDER BY code").fetchall()
    fleuris = "villes-villages-fleuris"
    assert rows == [("29019", fleuris, "4", "2025"), ("61074", fleuris, "2", "2025")]
    undated = tmp_path / "pbvf.csv"
    undated.write_text("insee;nom\n61074;Carrouges\n", encoding="utf-8")
    out = run_cli("labels", "load", "plus-beaux-villages", str(undated), db=db)
    assert out.returncode == 1 and "--date" in out.stderr
    run_cli("labels", "load", "plus-beaux-villages", str(undated), "--date", "2024-06-01", db=db, check=True)
    out = run_cli("labels", "load", "jolie-ville", str(undated), "--date", "2024", db=db)
    assert out.returncode == 1 and "plus-beaux-villages" in out.stderr
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM labels").fetchall()[0][0] == 3


def test_the_demo_scores_access_and_labels_and_recovers_the_planted_label_effect(demo_db: Path) -> None:
    from belvedere.api import Observatory
    from belvedere.sources.simulate import LABEL_EFFECT

    with Observatory.open(demo_db) as obs:
        code = obs.ranking(scope="pvd")["code"][0]
        model = obs.explanation()
    record = json.loads(run_cli("scorecard", code, "--format", "json", db=demo_db, check=True).stdout)
    dims = {d["key"]: d for d in record["dimensions"]}
    ftth = next(i for i in dims["accessibilite"]["indicators"] if i["key"] == "ftth_share")
    assert dims["accessibilite"]["score"] is not None and 0 <= ftth["value"] <= 100 and ftth["peers"] > 10
    assert "ARCEP" in ftth["source"] and "SIMULÉ" in ftth["source"]
    edits = next(i for i in dims["contenus"]["indicators"] if i["key"] == "edits_12m")
    with Store(demo_db, read_only=True) as store:  # the article's last 12 months of edits, as the store holds them
        held = store.con.execute("SELECT max(f.edits_12m) FROM article_facts f JOIN articles a USING (article_id) "
                                 "WHERE a.commune_code = ?", [code]).fetchall()[0][0]  # fmt: skip
    assert edits["value"] == held and edits["percentile"] is not None
    labels = next(i for i in dims["attractivite"]["indicators"] if i["key"] == "labels")
    assert labels["value"] is not None and labels["value"] >= 0
    assert model is not None
    coef = {c.key: c for c in model.coefficients}
    # planted: e^0.35 per label; no effect of the distance to a large city
    assert coef["labels"].low <= LABEL_EFFECT <= coef["labels"].high and coef["labels"].low > 0
    assert coef["log_city_km"].low <= 0.0 <= coef["log_city_km"].high


def test_the_advice_follows_the_fibre_gap_and_the_labels_held(demo_db: Path) -> None:
    from belvedere import messages as M
    from belvedere.api import Observatory
    from belvedere.report.recommendations import recommend

    with Store(demo_db, read_only=True) as store:
        shares = store.frame(
            "SELECT a.code, c.size_class, 100.0 * a.eligible / a.premises AS share FROM access a JOIN communes c "
            "USING (code) JOIN articles r ON r.commune_code = a.code WHERE a.indicator = 'ftth' "
            "AND EXISTS (SELECT 1 FROM pageviews p WHERE p.article_id = r.article_id)"
        )
        held = store.frame("SELECT code, label FROM labels")
    low = shares.with_columns(pl.col("share").quantile(0.25).over("size_class").alias("q"),
                              pl.len().over("size_class").alias("n"))  # fmt: skip
    weakest = low.filter((pl.col("share") < pl.col("q")) & (pl.col("n") > 20)).sort("share").row(0, named=True)
    labelled = held.filter(pl.col("code").is_in(shares["code"].to_list())).row(0, named=True)
    with Observatory.open(demo_db) as obs:
        advice = {c: recommend(obs.profile(c), facts=obs.article_facts(c)) for c in (weakest["code"], labelled["code"])}
    fibre = next(r for r in advice[weakest["code"]] if r.key == "fibre")
    assert M.fr_percent(weakest["share"] / 100) in fibre.advice and "ARCEP" in fibre.advice
    label = next(r for r in advice[labelled["code"]] if r.key == "label")
    assert M.t(f"label_{labelled['label']}") in label.advice and "P166" in label.advice
    # a commune above its peers' first quartile gets no fibre advice
    best = low.sort("share", descending=True).row(0, named=True)
    with Observatory.open(demo_db) as obs:
        assert all(
            r.key != "fibre" for r in recommend(obs.profile(best["code"]), facts=obs.article_facts(best["code"]))
        )
