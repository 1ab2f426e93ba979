"""The scorecard's official lists, read in their published layouts and kept with source and vintage:
the loi Littoral / loi Montagne lists (the typology says "littoral" or "montagne" only of a commune
on them), ARCEP's fixed broadband by commune (the access dimension) and the labels' lists; and what
the simulator plants with them (the national model recovers the labels' planted effect)."""

from __future__ import annotations

import json
import shutil
from datetime import date
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


def _keyed(db: Path, sql: str) -> dict[tuple[str, str], tuple[object, ...]]:
    """A list's rows by (code, its second column), the rest as values."""
    with Store(db, read_only=True) as store:
        rows = store.con.execute(sql).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def _zones(db: Path) -> dict[tuple[str, str], tuple[object, ...]]:
    return _keyed(db, "SELECT code, zone, class, vintage, source FROM zones")


def test_the_published_zone_lists_load_with_their_vintage(prepared_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(prepared_db, db)
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


def test_a_bad_zone_list_is_refused_and_the_last_one_kept(prepared_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(prepared_db, db)
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
    return _keyed(db, "SELECT code, indicator, premises, eligible, as_of FROM access")


def test_the_arcep_files_load_and_a_bad_one_is_refused(prepared_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(prepared_db, db)
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
    undated = tmp_path / "commune_techno_undated.csv"  # the date column lost: --date gives it, the file's wins
    undated.write_text(TECHNO.replace(";2026-03-31;", ";;"), encoding="utf-8")
    out = run_cli("access", "load", str(undated), db=db)
    assert out.returncode == 1 and "--date" in out.stderr and _access(db) == before
    run_cli("access", "load", str(undated), "--date", "2026-06-30", db=db, check=True)
    assert str(_access(db)[("61074", "ftth")][2]) == "2026-06-30"
    run_cli("access", "load", str(tmp_path / "commune_techno.csv"), "--date", "2020-01-01", db=db, check=True)
    assert _access(db) == before  # the file says its date: that one is kept
    other = tmp_path / "commune.csv"
    other.write_text("code_insee;nom_com;nbr\n61074;Carrouges;520\n", encoding="utf-8")
    out = run_cli("access", "load", str(other), db=db)
    assert out.returncode == 1 and "statistiques communales de l'ARCEP" in out.stderr


# ARCEP's mobile sites, as published (data.arcep.fr/mobile/sites/, `2026_T1_sites_Metropole.csv`): `;`, one
# row per operator's site, 0/1 flags per technology
SITES_HEADER = ("code_op;nom_op;num_site;id_site_partage;id_station_anfr;x;y;latitude;longitude;nom_reg;nom_dep;"
                "insee_dep;nom_com;insee_com;site_2g;site_3g;site_4g;site_5g;mes_4g_trim;site_ZB;site_DCC;"
                "site_strategique;site_capa_240mbps;date_ouverturecommerciale_5g;site_5g_700_m_hz;site_5g_800_m_hz;"
                "site_5g_1800_m_hz;site_5g_2100_m_hz;site_5g_3500_m_hz\n")  # fmt: skip


def _site(op: str, name: str, n: int, dep: str, commune: str, code: str, g4: int, g5: int) -> str:
    return (f"{op};{name};0006{n:04d}T1;;06{n:08d};490000;6830000;48.56;-0.15;Normandie;Orne;{dep};{commune};"
            f"{code};1;1;{g4};{g5};0;0;0;0;0;;0;0;0;0;{g5}\n")  # fmt: skip


SITES = (
    SITES_HEADER
    + _site("20801", "Orange", 1, "61", "Carrouges", "61074", 1, 0)
    + _site("20810", "SFR", 2, "61", "Carrouges", "61074", 1, 1)
    + _site("20810", "SFR", 3, "61", "Carrouges", "61074", 1, 0)  # a second SFR site: still one operator
    + _site("20815", "Free Mobile", 4, "61", "Carrouges", "61074", 0, 0)  # 3G only
    + "".join(
        _site(op, name, 10 + i, "61", "Alençon", "61001", 1, 1)
        for i, (op, name) in enumerate(
            [("20801", "Orange"), ("20810", "SFR"), ("20815", "Free Mobile"), ("20820", "Bouygues Telecom")]
        )
    )
)
# the national map of places of digital mediation, in the published standard (`,`, quoted)
PLACES_HEADER = ('"id","pivot","nom","commune","code_postal","code_insee","adresse","complement_adresse","latitude",'
                 '"longitude","typologie","telephone","courriels","site_web","horaires","presentation_resume",'
                 '"presentation_detail","source","Itinerance","structure_parente","date_maj","services",'
                 '"publics_specifiquement_adresses","prise_en_charge_specifique","frais_a_charge",'
                 '"dispositif_programmes_nationaux",formations_labels,autres_formations_labels,modalite_acces,'
                 'modalites_accompagnement,"fiche_acces_libre","prise_rdv"\n')  # fmt: skip


def _place(n: int, commune: str, postal: str, code: str, updated: str, programmes: str) -> str:
    return (f'"lieu-{n}","21610074000018","Espace numérique {n}","{commune}","{postal}","{code}","1 place du '
            f'Château","","48.56","-0.15","MUNI","","","","Mo-Fr 09:00-12:00","","","Hubik","","","{updated}",'
            f'"Aide aux démarches administratives|Maîtrise des outils numériques du quotidien","","","Gratuit",'
            f'"{programmes}","","","Se présenter","Accompagnement individuel","",""\n')  # fmt: skip


PLACES = (
    PLACES_HEADER
    + _place(1, "Carrouges", "61320", "61074", "2026-05-12", "Conseillers numériques, France Services")
    + _place(2, "Carrouges", "61320", "61074", "2025-11-02", "Aidants Connect")
    + _place(3, "Alençon", "61000", "61001", "2026-06-30", "Conseillers numériques")
)


def _counts(db: Path) -> dict[tuple[str, str], tuple[object, ...]]:
    return _keyed(db, "SELECT code, indicator, value, as_of, source FROM access_counts")


def test_the_mobile_sites_and_the_mediation_map_load_as_counts(prepared_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(prepared_db, db)
    with Store(db, read_only=True) as store:
        orne = store.con.execute("SELECT count(*) FROM communes WHERE departement = '61'").fetchall()[0][0]
    sites = tmp_path / "2026_T1_sites_Metropole.csv"
    sites.write_text(SITES, encoding="utf-8")
    out = run_cli("access", "load", str(sites), db=db, check=True)
    said = " ".join(out.stdout.split())
    assert f"Réseau mobile au 31 mars 2026 chargé pour {orne} communes de 1 département(s) ({orne - 2} sans" in said
    stored = _counts(db)
    # Carrouges: Orange and SFR have a 4G site (SFR's two count once), only SFR a 5G one; Free's is 3G only
    assert stored[("61074", "op4g")][:2] == (2, date(2026, 3, 31)) and stored[("61074", "op5g")][0] == 1
    assert stored[("61001", "op4g")][0] == 4 and stored[("61001", "op5g")][0] == 4
    others = [v[0] for (c, k), v in stored.items() if k == "op4g" and c not in ("61074", "61001")]
    assert len(others) == orne - 2 and set(others) == {0}  # the Orne's other communes: no antenna on them
    assert ("75056", "op4g") not in stored  # Paris: a département the file does not cover stays unknown
    places = tmp_path / "lieux-de-mediation-numerique.csv"
    places.write_text(PLACES, encoding="utf-8")
    out = run_cli("access", "load", str(places), db=db, check=True)
    assert "Aide au numérique au 30 juin 2026 chargé" in " ".join(out.stdout.split())
    stored = _counts(db)
    assert stored[("61074", "mediation")][:2] == (2, date(2026, 6, 30)) and stored[("61074", "france_services")][0] == 1
    assert stored[("61001", "mediation")][0] == 1 and stored[("61001", "france_services")][0] == 0
    assert stored[("61074", "op4g")][0] == 2  # the mobile counts stay: each file replaces its own
    before = dict(stored)
    bad = tmp_path / "2026_T2_sites_Metropole.csv"
    bad.write_text(SITES.replace("Alençon;61001;1;1;1;1;", "Alençon;61001;1;1;oui?;1;", 1), encoding="utf-8")
    out = run_cli("access", "load", str(bad), db=db)
    assert out.returncode == 1 and "ligne 6" in out.stderr and "site_4g" in out.stderr
    undated = tmp_path / "sites.csv"
    undated.write_text(SITES, encoding="utf-8")
    out = run_cli("access", "load", str(undated), db=db)
    assert out.returncode == 1 and "--date" in out.stderr and "Traceback" not in out.stderr
    assert _counts(db) == before  # refused files leave the store as it was
    out = run_cli("access", "load", str(undated), "--date", "30/06/2026", db=db)
    assert out.returncode == 1 and "AAAA-MM-JJ" in out.stderr and _counts(db) == before
    run_cli("access", "load", str(undated), "--date", "2026-06-30", db=db, check=True)
    assert _counts(db)[("61074", "op4g")][1] == date(2026, 6, 30)


def test_a_label_list_loads_with_title_lines_and_its_date(prepared_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    shutil.copy(prepared_db, db)
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
    access = {i["key"]: i for i in dims["accessibilite"]["indicators"]}
    with Store(demo_db, read_only=True) as store:
        held_counts = dict(store.con.execute("SELECT indicator, value FROM access_counts WHERE code = ?",
                                             [code]).fetchall())  # fmt: skip
    assert (
        access["mobile_4g"]["value"] == held_counts["op4g"]
        and access["digital_help"]["value"] == held_counts["mediation"]
    )
    assert "Mon réseau mobile" in access["mobile_4g"]["source"] and "SIMULÉ" in access["digital_help"]["source"]
    languages = next(i for i in dims["notoriete"]["indicators"] if i["key"] == "label_languages")
    assert languages["value"] > 0 and languages["percentile"] is not None
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
        advice = {
            c: recommend(obs.profile(c), territory=obs.territory_facts(c)) for c in (weakest["code"], labelled["code"])
        }  # no article read: the lists still advise
    fibre = next(r for r in advice[weakest["code"]] if r.key == "fibre")
    assert M.fr_percent(weakest["share"] / 100) in fibre.advice and "ARCEP" in fibre.advice
    label = next(r for r in advice[labelled["code"]] if r.key == "label")
    assert M.t(f"label_{labelled['label']}") in label.advice and "P166" in label.advice
    # a commune above its peers' first quartile gets no fibre advice
    best = low.sort("share", descending=True).row(0, named=True)
    with Observatory.open(demo_db) as obs:
        assert all(
            r.key != "fibre" for r in recommend(obs.profile(best["code"]), territory=obs.territory_facts(best["code"]))
        )


def test_the_advice_follows_mobile_antennas_and_digital_help(demo_db: Path) -> None:
    from belvedere.api import Observatory
    from belvedere.report.recommendations import recommend

    with Store(demo_db, read_only=True) as store:
        counts = store.frame(
            "SELECT a.code, c.size_class, a.indicator, a.value FROM access_counts a JOIN communes c USING (code) "
            "WHERE a.indicator IN ('op4g', 'mediation') AND EXISTS (SELECT 1 FROM articles r JOIN pageviews p "
            "USING (article_id) WHERE r.commune_code = a.code)"
        )
    placed = counts.with_columns(
        pl.col("value").quantile(0.25).over("size_class", "indicator").alias("q"),
        (pl.col("value") > 0).mean().over("size_class", "indicator").alias("with"),
        pl.len().over("size_class", "indicator").alias("n"),
    ).filter(pl.col("n") > 20)
    op4g = placed.filter(pl.col("indicator") == "op4g")
    weak = op4g.filter(pl.col("value") < pl.col("q")).sort("value").row(0, named=True)
    strong = op4g.filter(pl.col("value") == 4).row(0, named=True)
    helpless = placed.filter((pl.col("indicator") == "mediation") & (pl.col("value") == 0)
                             & (pl.col("with") > 0.6)).row(0, named=True)  # fmt: skip
    with Observatory.open(demo_db) as obs:
        advice = {c: {r.key: r for r in recommend(obs.profile(c), territory=obs.territory_facts(c))}
                  for c in (weak["code"], strong["code"], helpless["code"])}  # fmt: skip
    network = advice[weak["code"]]["network"]
    said = {0: "Aucun des 4 opérateurs mobiles n'a", 1: "Un seul des 4 opérateurs mobiles a"}
    assert said.get(weak["value"], f"{weak['value']} des 4 opérateurs mobiles ont") in network.advice
    assert "couverture ciblée" in network.advice
    assert "network" not in advice[strong["code"]]
    help_ = advice[helpless["code"]]["digital_help"]
    assert "Aucun lieu d'aide au numérique" in help_.advice and "France Services" in help_.advice
