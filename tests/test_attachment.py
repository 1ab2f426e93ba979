"""Residents' attachment from official open data: each file read in its published layout (written
here line for line: headers as published, Latin-1 where the Ministry uses it), bad files refused
whole, the values shown with their period, unit, trend and place among peers."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import polars as pl
import pytest

from belvedere.analysis.attachment import AttachmentValue, attachment_values, correlations, divergence, place_all
from belvedere.store import Store
from tests.conftest import run_cli

# INSEE, séries historiques 2021 (base-cc-serie-historique-2021): the header as published
POP_HEADER = ("CODGEO;P21_POP;P15_POP;P10_POP;D99_POP;D90_POP;D82_POP;D75_POP;D68_POP;SUPERF;NAIS1521;NAIS1015;"
              "NAIS9910;NAIS9099;NAIS8290;NAIS7582;NAIS6875;DECE1521;DECE1015;DECE9910;DECE9099;DECE8290;DECE7582;"
              "DECE6875;P21_LOG;P15_LOG;P10_LOG;D99_LOG;D90_LOG;D82_LOG;D75_LOG;D68_LOG")  # fmt: skip
POP_ROWS = [  # CODGEO, P21, P15, P10, births and deaths 2015-2021 and 2010-2015 (the rest: plausible filler)
    ("61074", 680, 700, 720, 30, 60, 28, 48),
    ("61002", 640, 610, 600, 40, 30, 35, 30),
    ("2A004", 71361, 69075, 66809, 4300, 3400, 3600, 2800),
]


def _population_file(folder: Path, rows: list[tuple] = POP_ROWS, zipped: bool = False) -> Path:
    lines = [POP_HEADER]
    for code, p21, p15, p10, n1, d1, n0, d0 in rows:
        lines.append(f"{code};{p21};{p15};{p10};800;850;900;950;1000;12.5;{n1};{n0};90;100;110;120;130;{d1};{d0};"
                     "95;100;105;110;115;400;390;380;370;360;350;340;330")  # fmt: skip
    text = "\r\n".join(lines) + "\r\n"
    if zipped:
        path = folder / "base-cc-serie-historique-2021_csv.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("base-cc-serie-historique-2021.CSV", text)
        return path
    path = folder / "base-cc-serie-historique-2021.CSV"
    path.write_text(text, encoding="utf-8")
    return path


# Ministry of the Interior, présidentielle 2022, 1er tour, "subcom" file: Latin-1, ';', the header as
# published (then a block of columns per candidate)
SUBCOM_HEADER = (
    "Code du département;Libellé du département;Code de la commune;Libellé de la commune;Etat saisie;"
    "Inscrits;Abstentions;% Abs/Ins;Votants;% Vot/Ins;Blancs;% Blancs/Ins;% Blancs/Vot;Nuls;% Nuls/Ins;"
    "% Nuls/Vot;Exprimés;% Exp/Ins;% Exp/Vot;N°Panneau;Sexe;Nom;Prénom;Voix;% Voix/Ins;% Voix/Exp"
)


def _turnout_file(folder: Path) -> Path:
    rows = [
        "61;Orne;074;Carrouges;Complet;560;112;20,00;448;80,00;10;1,79;2,23;4;0,71;0,89;434;77,50;96,88;1;M;X;Y;"
        "200;35,71;46,08",
        "2A;Corse-du-Sud;004;Ajaccio;Complet;50000;15000;30,00;35000;70,00;500;1,00;1,43;200;0,40;0,57;34300;68,60;"
        "98,00;1;M;X;Y;10000;20,00;29,15",
        "ZA;Guadeloupe;101;Les Abymes;Complet;40000;24000;60,00;16000;40,00;300;0,75;1,88;100;0,25;0,63;15600;"
        "39,00;97,50;1;M;X;Y;5000;12,50;32,05",
        "ZZ;Français établis hors de France;001;Amsterdam;Complet;9000;6000;66,67;3000;33,33;10;0,11;0,33;5;0,06;"
        "0,17;2985;33,17;99,50;1;M;X;Y;1000;11,11;33,50",
    ]
    path = folder / "resultats-par-niveau-subcom-t1-france-entiere.txt"
    path.write_bytes(("\n".join([SUBCOM_HEADER, *rows]) + "\n").encode("latin-1"))
    return path


# RNA, "waldec" register: one CSV per département in a zip, ';', the columns as published
RNA_HEADER = ("id;id_ex;siret;rup_mi;gestion;date_creat;date_decla;date_publi;date_disso;nature;groupement;titre;"
              "titre_court;objet;objet_social1;objet_social2;adrs_complement;adrs_numvoie;adrs_repetition;"
              "adrs_typevoie;adrs_libvoie;adrs_distrib;adrs_codeinsee;adrs_codepostal;adrs_libcommune;"
              "adrg_declarant;adrg_complemid;adrg_complemgeo;adrg_libvoie;adrg_distrib;adrg_codepostal;"
              "adrg_achemine;adrg_pays;dir_civilite;siteweb;publiweb;observation;position;maj_time")  # fmt: skip


def _rna_row(n: int, code: str, created: str, position: str, title: str = "COMITE DES FETES") -> str:
    return (
        f'W{n:09d};;;;;{created};{created};{created};0001-01-01;D;S;{title};;"objet; avec un point-virgule";'
        f"006000;;;;;RUE;DE L'EGLISE;;{code};61320;CARROUGES;;;;;;;;FRANCE;PM;;0;;{position};2024-12-31 10:00:00"
    )


def _rna_file(folder: Path) -> Path:
    orne = [_rna_row(1, "61074", "1985-03-02", "A"), _rna_row(2, "61074", "2023-06-01", "A", '"CLUB; DE FOOT"'),
            _rna_row(3, "61074", "2024-11-20", "A"), _rna_row(4, "61074", "1990-01-01", "D")]  # fmt: skip
    paris = [_rna_row(5, "75108", "2024-12-30", "A"), _rna_row(6, "75056", "2001-05-05", "A")]
    path = folder / "rna_waldec_20250101.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("rna_waldec_20250101_dpt_61.csv", "\n".join([RNA_HEADER, *orne]) + "\n")
        z.writestr("rna_waldec_20250101_dpt_75.csv", "\n".join([RNA_HEADER, *paris]) + "\n")
    return path


def _values(db: Path) -> pl.DataFrame:
    with Store(db, read_only=True) as store:
        return store.frame("SELECT * FROM attachment ORDER BY indicator, period, code")


def test_population_change_is_split_as_insee_does(store_path: Path, tmp_path: Path) -> None:
    out = run_cli("attachment-load", "population", str(_population_file(tmp_path, zipped=True)), db=store_path,
                  check=True)  # fmt: skip
    assert "18 valeurs chargées (migration, natural, population) pour 3 communes" in " ".join(out.stdout.split())
    got = _values(store_path).filter(pl.col("code") == "61074")
    by = {(r["indicator"], r["period"]): r["value"] for r in got.iter_rows(named=True)}
    total = ((680 / 700) ** (1 / 6) - 1) * 100
    natural = (30 - 60) / 700 / 6 * 100
    assert math.isclose(by[("population", "2015-2021")], total)
    assert math.isclose(by[("natural", "2015-2021")], natural)
    assert math.isclose(by[("migration", "2015-2021")], total - natural)
    assert math.isclose(by[("population", "2010-2015")], ((700 / 720) ** (1 / 5) - 1) * 100)
    assert set(got["unit"]) == {"% par an"} and set(got["year"]) == {2015, 2021}
    assert "2A004" in _values(store_path)["code"].to_list()


def test_turnout_from_the_ministry_file(store_path: Path, tmp_path: Path) -> None:
    path = _turnout_file(tmp_path)
    refused = run_cli("attachment-load", "turnout", str(path), db=store_path)
    assert refused.returncode == 1 and "--election" in refused.stderr
    run_cli("attachment-load", "turnout", str(path), "--election", "présidentielle 2022, 1er tour", db=store_path,
            check=True)  # fmt: skip
    got = {r["code"]: r for r in _values(store_path).iter_rows(named=True)}
    assert set(got) == {"61074", "2A004", "97101"}  # abroad (ZZ) is no commune
    assert math.isclose(got["61074"]["value"], 80.0) and got["61074"]["unit"] == "% des inscrits"
    assert math.isclose(got["97101"]["value"], 40.0) and got["97101"]["year"] == 2022
    # a second election adds its values; the same one again replaces them
    run_cli("attachment-load", "turnout", str(path), "--election", "européennes 2024", db=store_path, check=True)
    run_cli("attachment-load", "turnout", str(path), "--election", "européennes 2024", db=store_path, check=True)
    assert _values(store_path).height == 6


def test_associations_from_the_register(store_path: Path, tmp_path: Path) -> None:
    run_cli("attachment-load", "associations", str(_rna_file(tmp_path)), db=store_path, check=True)
    values = _values(store_path)
    with Store(store_path, read_only=True) as store:
        pop = dict(
            store.con.execute("SELECT code, population FROM communes WHERE code IN ('61074', '75056')").fetchall()
        )
    got = {(r["code"], r["indicator"]): r for r in values.iter_rows(named=True)}
    # Carrouges: 3 active (one dissolved), 2 created since 30 Dec. 2021 (the register's last creation: 30 Dec. 2024)
    assert math.isclose(got[("61074", "associations")]["value"], 3 / pop["61074"] * 1000)
    assert math.isclose(got[("61074", "associations_new")]["value"], 2 / pop["61074"] * 1000)
    assert math.isclose(got[("75056", "associations")]["value"], 2 / pop["75056"] * 1000)  # 75108 is Paris
    assert got[("61074", "associations")]["period"] == "au 30 déc. 2024"


# INSEE, Sirene stock of establishments (StockEtablissement), ',' separated: the header as published
SIRENE_HEADER = ",".join([
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement", "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement", "etablissementSiege", "nombrePeriodesEtablissement",
    "complementAdresseEtablissement", "numeroVoieEtablissement", "indiceRepetitionEtablissement",
    "typeVoieEtablissement", "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement", "codeCommuneEtablissement",
    "codeCedexEtablissement", "libelleCedexEtablissement", "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement", "complementAdresse2Etablissement", "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement", "typeVoie2Etablissement", "libelleVoie2Etablissement",
    "codePostal2Etablissement", "libelleCommune2Etablissement", "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement", "codeCommune2Etablissement", "codeCedex2Etablissement",
    "libelleCedex2Etablissement", "codePays2EtrangerEtablissement", "libellePays2EtrangerEtablissement",
    "dateDebut", "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement",
    "enseigne3Etablissement", "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
])  # fmt: skip


def _sirene_row(siret: str, created: str, siege: str, code: str, name: str = "CARROUGES") -> str:
    fields = {"siren": siret[:9], "nic": siret[9:], "siret": siret, "statutDiffusionEtablissement": "O",
              "dateCreationEtablissement": created, "etablissementSiege": siege, "codeCommuneEtablissement": code,
              "libelleCommuneEtablissement": name, "libelleVoieEtablissement": '"DE LA GARE, BATIMENT B"',
              "etatAdministratifEtablissement": "A", "activitePrincipaleEtablissement": "56.10A"}  # fmt: skip
    return ",".join(fields.get(c, "") for c in SIRENE_HEADER.split(","))


def test_business_creations_from_the_sirene_stock(store_path: Path, tmp_path: Path) -> None:
    rows = [
        _sirene_row("11111111100011", "2022-03-01", "true", "61074"),
        _sirene_row("22222222200012", "2024-05-02", "true", "61074"),
        _sirene_row("22222222200020", "2024-06-02", "false", "61074"),  # a second establishment: no creation
        _sirene_row("33333333300013", "2024-07-03", "true", "61074"),
        _sirene_row("44444444400014", "2019-01-01", "true", "61074"),  # before the three years kept
        _sirene_row("55555555500015", "2025-02-01", "true", "75108", "PARIS 8"),  # the year begun: not kept
        _sirene_row("66666666600016", "2023-09-09", "true", "75108", "PARIS 8"),
        _sirene_row("77777777700017", "2024-01-01", "true", "", ""),  # abroad or not disclosed: no commune
        _sirene_row("88888888800018", "2024-01-01", "true", "[ND]", "[ND]"),
    ]
    path = tmp_path / "StockEtablissement_utf8.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("StockEtablissement_utf8.csv", "\n".join([SIRENE_HEADER, *rows]) + "\n")
    run_cli("attachment-load", "creations", str(path), db=store_path, check=True)
    got = {(r["code"], r["period"]): r["value"] for r in _values(store_path).iter_rows(named=True)}
    with Store(store_path, read_only=True) as store:
        pop = dict(
            store.con.execute("SELECT code, population FROM communes WHERE code IN ('61074', '75056')").fetchall()
        )
    assert set(got) == {("61074", "en 2022"), ("61074", "en 2024"), ("75056", "en 2023")}
    assert math.isclose(got[("61074", "en 2024")], 2 / pop["61074"] * 1000)
    assert math.isclose(got[("75056", "en 2023")], 1 / pop["75056"] * 1000)
    # a line with a field too many is refused whole, not shifted into the next column
    bad = tmp_path / "StockEtablissement_bad.csv"
    bad.write_text("\n".join([SIRENE_HEADER, rows[0] + ",EN TROP"]) + "\n", encoding="utf-8")
    out = run_cli("attachment-load", "creations", str(bad), db=store_path)
    assert out.returncode == 1 and "n'est pas lisible" in out.stderr
    assert len(_values(store_path)) == 3


@pytest.mark.parametrize(
    "kind, content, said",
    [
        ("population", POP_HEADER + "\n61074;680;abc;720;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1\n",
         "colonne P15_POP, ligne 2"),
        ("population", "CODGEO;LIBGEO\n61074;Carrouges\n", "présentation attendue"),
        ("population", POP_HEADER + "\n6107;680;700;720;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1\n",
         "n'est pas un code commune"),
        ("associations", "id;titre\nW1;X\n", "présentation attendue"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_whole(store_path: Path, tmp_path: Path, kind: str, content: str, said: str) -> None:
    run_cli("attachment-load", "population", str(_population_file(tmp_path)), db=store_path, check=True)
    before = _values(store_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    out = run_cli("attachment-load", kind, str(bad), db=store_path)
    assert out.returncode == 1 and said in " ".join(out.stderr.split()) and len(out.stderr.strip().splitlines()) == 1
    assert _values(store_path).drop("loaded_at").equals(before.drop("loaded_at"))  # the store as it was
    unknown = run_cli("attachment-load", "revenus", str(bad), db=store_path)
    assert unknown.returncode == 1 and "population, turnout, associations ou creations" in unknown.stderr


def test_the_commune_reads_its_values_trends_and_rank(store_path: Path, tmp_path: Path) -> None:
    run_cli("attachment-load", "population", str(_population_file(tmp_path)), db=store_path, check=True)
    table = " ".join(run_cli("attachment", "61074", db=store_path, check=True).stdout.split())
    assert "Vie locale — Carrouges" in table and "Évolution de la population" in table
    assert "−0,48 % par an" in table and "−0,56 % par an (2010-2015)" in table
    data = json.loads(run_cli("attachment", "Carrouges", "--format", "json", db=store_path, check=True).stdout)
    assert [v["indicator"] for v in data["values"]] == ["population", "natural", "migration"]
    # peers: the communes of its size class in the file (Almenêches, 61002)
    assert data["values"][0]["peers"] == 1 and data["values"][0]["percentile"] == 0.0  # it lost, Almenêches grew
    none = run_cli("attachment", "Paris", db=store_path)
    assert none.returncode == 1 and "attachment-load" in none.stderr


def _value(indicator: str, percentile: float | None) -> AttachmentValue:
    return AttachmentValue(indicator, "2015-2021", 2021, 0.1, "% par an", "x", None, None, percentile, 40)


def test_the_story_when_audience_and_attachment_disagree() -> None:
    assert divergence(0.9, [_value("population", 0.5), _value("migration", 0.1)]) == ("seen_not_lived", "migration")
    assert divergence(0.1, [_value("turnout", 0.9)]) == ("lived_not_seen", "turnout")
    assert divergence(0.5, [_value("migration", 0.05)]) is None  # an ordinary audience: nothing to say
    assert divergence(None, [_value("migration", 0.05)]) is None
    values = pl.DataFrame({"code": ["a", "b", "c", "d"], "indicator": "turnout", "period": "p", "year": 2022,
                           "value": [50.0, 60.0, 70.0, 70.0], "unit": "%", "source": "s"})  # fmt: skip
    older = values.with_columns(pl.lit("p0").alias("period"), pl.lit(2017).alias("year"), pl.col("value") - 5)
    groups = pl.DataFrame({"code": ["a", "b", "c", "d"], "group": ["g", "g", "g", "g"]})
    placed = attachment_values(place_all(pl.concat([older, values]), groups), "c")[0]
    assert placed.peers == 3 and math.isclose(placed.percentile or 0, (2 + 0.5) / 3)  # ties count half
    assert (placed.period, placed.previous, placed.previous_period) == ("p", 65.0, "p0")
    alone = attachment_values(place_all(values, groups.with_columns(pl.Series("group", ["g", "h", "i", "j"]))), "c")
    assert alone[0].peers == 0 and alone[0].percentile is None  # no commune of its size: not placed
    audience = pl.DataFrame(
        {"code": [f"{i}" for i in range(40)], "views_per_inhabitant": [float(i) for i in range(40)]}
    )
    squares = [float(i) ** 2 for i in range(40)]
    rising = pl.DataFrame({"code": [f"{i}" for i in range(40)], "indicator": "associations", "period": "p",
                           "year": 2025, "value": squares, "unit": "u", "source": "s"})  # fmt: skip
    found = correlations(rising, audience)
    assert len(found) == 1 and math.isclose(found[0].rho, 1.0) and found[0].communes == 40


def test_the_demo_shows_vie_locale_and_its_survey(demo_db: Path, tmp_path: Path) -> None:
    """The demo store holds simulated attachment values and surveys, labelled, on the page and report."""
    with Store(demo_db, read_only=True) as store:
        code, sid = store.con.execute(
            "SELECT commune_code, survey_id FROM surveys ORDER BY survey_id LIMIT 1"
        ).fetchall()[0]
    out = tmp_path / "c.html"
    run_cli("report", "commune", code, "--out", str(out), db=demo_db, check=True)
    page = out.read_text(encoding="utf-8")
    section = page.split('id="vie-locale"')[1].split("</section>")[0]
    assert "Participation électorale" in section and "SIMULÉES" in section
    assert f"/s/{sid}/resultats" in section and "questionnaire SIMULÉ" in section
    study = tmp_path / "s.html"
    run_cli("report", "study", "--out", str(study), db=demo_db, check=True)
    assert "ρ =" in study.read_text(encoding="utf-8").split('id="attachement"')[1].split("</section>")[0]
