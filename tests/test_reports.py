"""Reports rendered from a small simulated store: content checked, not only files."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pypdf
import pytest

from belvedere import messages as M
from belvedere.api import Observatory
from belvedere.report.commune import commune_context, commune_report_html
from belvedere.report.recommendations import recommend
from belvedere.store import Store
from tests.conftest import run_cli


def _pvd_code(db: Path) -> str:
    with Store(db, read_only=True) as s:
        return s.con.execute("SELECT min(code) FROM pvd WHERE code IN (SELECT commune_code FROM articles)"
                             ).fetchall()[0][0]  # fmt: skip


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([a-z_]+)">([^<]+)<', html))


def test_commune_report_figures_equal_the_api(demo_db: Path) -> None:
    code = _pvd_code(demo_db)
    with Observatory.open(demo_db) as obs:
        html = commune_report_html(obs, code)
        card = obs.profile(code)
    got = figures(html)
    assert got["total_views"] == M.fr_number(card["total_views"], 0)
    assert got["mean_daily_views"] == M.fr_number(card["mean_daily_views"], 1)
    assert got["views_per_inhabitant"] == M.fr_number(card["views_per_inhabitant"], 1)
    assert got["visibility_surplus"] == M.fr_number(card["visibility_surplus"], 1)
    ranks = dict(re.findall(r'data-rank="([a-z_]+)">(\d+)<', html))
    assert int(ranks["pvd"]) == card["rank_pvd"] and int(ranks["france"]) == card["rank_france"]
    assert card["name"] in html and card["typology_explanation"].split(" :")[0] in html
    assert 'data-simulated="true"' in html and "<svg" in html and "<script" not in html  # self-contained


def test_every_recommendation_names_its_trigger(demo_db: Path) -> None:
    with Observatory.open(demo_db) as obs:
        views = [obs.commune_view(c) for c in obs.metrics(scope="pvd")["code"].head(25).to_list()]
    recos = [(v.profile, r) for v in views for r in recommend(v.profile, peers=v.peers, spikes=v.spikes)]
    assert len({r.key for _, r in recos}) >= 3  # the rules fire on different towns
    assert all((r.trigger and any(ch.isdigit() for ch in r.trigger)) or "commune nouvelle" in r.trigger
               for _, r in recos)  # fmt: skip
    # written from the commune's own figures: its name in every piece of advice, no sign clash
    assert all(card["name"] in r.advice for card, r in recos)
    assert not any("-" in r.trigger.split("de ")[-1] for _, r in recos if r.key == "decline")
    # and no recommendation without a trigger: a flat, well-seen town gets none
    calm = {"visibility_surplus": 1.2, "spike_share": 0.0, "typology": "ordinary", "summer_index": 1.05,
            "winter_index": 1.0, "mobile_share": 0.62, "yoy_change": 0.02, "is_commune_nouvelle": False}  # fmt: skip
    assert recommend(calm) == []


def test_examples_are_sourced_chosen_by_relevance_and_never_the_town_itself() -> None:
    from belvedere.report.recommendations import example_for, examples

    assert all(e["url"].startswith("https://") and e["source"] and e["text"] for e in examples())
    carrouges = {"code": "61074", "name": "Carrouges", "typology": "event-driven", "size_class": "<1k",
                 "departement": "61", "spike_share": 0.3, "spikes": 4}  # fmt: skip
    found = example_for(carrouges, ("film", "events"))
    assert found is not None and found["code"] != "61074" and "film" in found["kinds"]
    # a festival town of the Gers reads the festival closest to it, not a film
    gers = {"code": "32999", "name": "X", "typology": "event-driven", "size_class": "1k-2.5k", "departement": "32"}
    festival = example_for(gers, ("festival", "events"))
    assert festival is not None and festival["commune"] == "Marciac"
    # towns that tie do not all read the same example
    picks = {
        example_for({**carrouges, "code": f"{i:05d}", "name": f"T{i}", "departement": "99"}, ("events",))["id"]
        for i in range(40)
    }
    assert len(picks) >= 2
    # the advice of the events rule carries the commune's biggest day and the cause's example
    import polars as pl

    from belvedere.analysis.spikes import SPIKE_SCHEMA

    spikes = pl.DataFrame([("61074", *[date(2021, 10, d) for d in (12, 13, 15)], 3, 900, 40.0, 22.5, 1500.0, 9.0,
                            False, None)], schema=SPIKE_SCHEMA, orient="row").with_columns(
        pl.lit([{"category": "film", "text": "sortie du film"}]).alias("annotations"))  # fmt: skip
    recos = recommend({**carrouges, "views_per_inhabitant": 20.0}, spikes=spikes)
    events = next(r for r in recos if r.key == "events")
    assert "13 oct. 2021" in events.advice and "900 vues" in events.advice
    assert events.example is not None and "Carrouges" not in events.example.split(" :")[0]


def test_banner_when_and_only_when_simulated(demo_copy: Path) -> None:
    code = _pvd_code(demo_copy)
    with Observatory.open(demo_copy) as obs:
        assert "DONNÉES SIMULÉES" in commune_report_html(obs, code)
    with Store(demo_copy) as store:
        store.set_meta("simulated", "false")
    with Observatory.open(demo_copy) as obs:
        html = commune_report_html(obs, code)
    # the banner goes; the provenance footer still names the generator the rows came from
    assert "DONNÉES SIMULÉES —" not in html and 'class="banner"' not in html


def test_missing_month_and_missing_commune_are_said(demo_copy: Path) -> None:
    code = _pvd_code(demo_copy)
    with Store(demo_copy) as store:
        store.con.execute(
            "DELETE FROM pageviews WHERE date BETWEEN '2024-03-01' AND '2024-03-31' AND article_id IN "
            "(SELECT article_id FROM articles WHERE commune_code = ?)",
            [code],
        )
        absent = store.con.execute(
            "SELECT min(code) FROM communes WHERE code NOT IN (SELECT commune_code FROM articles)"
        ).fetchall()[0][0]
    with Observatory.open(demo_copy) as obs:
        html = commune_report_html(obs, code)
        ctx = commune_context(obs, code)
        empty = commune_report_html(obs, absent)
    assert 'id="missing-data"' in html and "mars 2024 (31/31" in html
    assert ctx["covered_days"] == ctx["period_days"] - 31
    monthly_svg = ctx["charts"]["monthly"]
    assert "mars 24 : pas de données" in monthly_svg  # an empty slot, not a zero bar
    assert 'id="no-data"' in empty and "data-figure" not in empty


def test_report_cli_html(demo_db: Path, tmp_path: Path) -> None:
    html_path = tmp_path / "r.html"
    out = run_cli("report", "commune", _pvd_code(demo_db), "--out", str(html_path), db=demo_db, check=True)
    assert str(html_path) in out.stdout and html_path.read_text().startswith("<!doctype html>")


@pytest.mark.e2e  # prints through the real Chromium
def test_report_cli_pdf(demo_db: Path, tmp_path: Path) -> None:
    code = _pvd_code(demo_db)
    pdf_path = tmp_path / "r.pdf"
    run_cli("report", "commune", code, "--out", str(pdf_path), db=demo_db, check=True)
    with Observatory.open(demo_db) as obs:
        card = obs.profile(code)
    reader = pypdf.PdfReader(pdf_path)
    # a handful of A4 pages: the card, chart, spikes, peers, scorecard, facts, readers, vie locale, advice
    assert 2 <= len(reader.pages) <= 8
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert card["name"] in text
    assert re.search(rf"Petites Villes de Demain\s+{card['rank_pvd']}\s", text)
    assert f"1 / {len(reader.pages)}" in text  # page numbers
    # simulated data: marked on every page, not only the first; nothing to hover on paper
    assert all("DONNÉES SIMULÉES" in p.extract_text() for p in reader.pages)
    assert "survol" not in text.lower()


@pytest.mark.parametrize(("args", "needle"), [(["report", "commune", "01001", "--out", "x.txt"], ".html ou .pdf")])
def test_report_bad_output(demo_db: Path, args: list[str], needle: str) -> None:
    out = run_cli(*args, db=demo_db)
    assert out.returncode == 1 and needle in out.stderr and "Traceback" not in out.stderr


def test_study_html(demo_db: Path, tmp_path: Path) -> None:
    from belvedere.report.study import study_context, study_html

    with Observatory.open(demo_db) as obs:
        ctx = study_context(obs, scope="pvd")
        html = study_html(obs, scope="pvd")
        pvd = obs.metrics(scope="pvd")
        best = obs.ranking(scope="pvd", limit=1)["name"][0]
    assert ctx["communes"] == pvd.height == 200
    assert ctx["total_views"] == int(pvd["total_views"].sum())
    assert figures(html)["total_views"] == M.fr_number(ctx["total_views"], 0)
    assert ctx["top"][0]["name"] == best and len(ctx["top"]) == 30
    assert {g["group"] for g in ctx["groups"]} >= {"PVD", "<1k"}
    assert html.count("<path") >= 90  # the départements map
    for section in ("distribution", "groupes", "top", "moins-visibles", "evenements", "carte", "methodes"):
        assert f'id="{section}"' in html


@pytest.mark.e2e  # prints through the real Chromium
def test_study_pdf(demo_db: Path, tmp_path: Path) -> None:
    with Observatory.open(demo_db) as obs:
        best = obs.ranking(scope="pvd", limit=1)["name"][0]
    pdf = tmp_path / "etude.pdf"
    run_cli("report", "study", "--out", str(pdf), db=demo_db, check=True)
    reader = pypdf.PdfReader(pdf)
    assert 3 <= len(reader.pages) <= 10
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Petits territoires, grande audience" in text and best in text
