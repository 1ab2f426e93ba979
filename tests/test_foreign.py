"""Attention from abroad (issue #19, item 5): the communes' articles in other languages from their
Wikidata sitelinks (the local fake), their whole months from the REST API's monthly endpoint and
from hourly dump files; the foreign share, languages and season; kept apart from frwiki's audience."""

from __future__ import annotations

import gzip
import html
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import httpx
import polars as pl
import pytest

from belvedere.analysis import foreign as abroad
from belvedere.analysis.scoring import score_foreign
from belvedere.api import Observatory
from belvedere.errors import BelvedereError
from belvedere.sources.dumpgen import write_hourly
from belvedere.sources.dumps import ingest_hourly
from belvedere.sources.foreign import parse_monthly, whole_months
from belvedere.store import Store
from belvedere.store import foreign as foreign_store
from belvedere.store.foreign import MONTHS
from tests.conftest import run_cli
from tests.fakes.wikimedia import FakeWikimedia, Faults
from tests.test_fetch import carrouges_dataset, fake_env

JAN, FEB, MAR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)
# titles as other editions write them: a quote, a comma, non-ASCII letters
ODD_IT = 'Carrouges, "il borgo" Ô'
ODD_JA = "カルージュ"


def abroad_dataset():  # type: ignore[no-untyped-def]
    ds = carrouges_dataset()
    days = [JAN + timedelta(days=k) for k in range(91)]  # January to March 2024 (a leap year)
    ds.views[("Carrouges", "desktop", "user")] = {d: 100 + d.day for d in days}
    ds.views[("Carrouges", "mobile-web", "user")] = {d: 50 for d in days}
    ds.views[("L'Haÿ-les-Roses", "mobile-web", "user")] = {d: 3 for d in days}
    ds.sitelinks = {
        "Q475802": [("fr.wikipedia", "Carrouges"), ("en.wikipedia", "Carrouges"), ("de.wikipedia", "Carrouges"),
                    ("it.wikipedia", ODD_IT), ("ja.wikipedia", ODD_JA)],
        "Q213649": [("fr.wikipedia", "L'Haÿ-les-Roses"), ("es.wikipedia", "L'Haÿ-les-Roses")],
    }  # fmt: skip
    ds.monthly = {
        ("en.wikipedia", "Carrouges"): {JAN: 400, FEB: 350, MAR: 500},
        ("de.wikipedia", "Carrouges"): {JAN: 300, MAR: 200},  # no views in February: absent, as the API does
        ("it.wikipedia", ODD_IT.replace(" ", "_")): {JAN: 30, FEB: 20, MAR: 10},
        ("ja.wikipedia", ODD_JA): {FEB: 12},
        ("es.wikipedia", "L'Haÿ-les-Roses"): {JAN: 5, FEB: 5, MAR: 5},
    }  # fmt: skip
    return ds


def _prepare(db: Path, env: dict[str, str]) -> None:
    run_cli("articles", "resolve", "--communes", "61074,94038", db=db, env=env, check=True)
    run_cli("fetch", "--communes", "61074,94038", "--start", "2024-01-01", "--end", "2024-03-31", db=db, env=env,
            check=True)  # fmt: skip


def test_foreign_articles_and_months_from_the_fake_then_a_rerun_asks_nothing(store_path: Path) -> None:
    fake = FakeWikimedia(abroad_dataset())
    with fake:
        env = fake_env(fake)
        _prepare(store_path, env)
        before = len(fake.requests)
        out = run_cli("foreign", "fetch", "--communes", "61074,94038", "--start", "2024-01-01", "--end", "2024-03-31",
                      "--format", "json", db=store_path, env=env, check=True)  # fmt: skip
        summary = json.loads(out.stdout)
        asked = fake.requests[before:]
        assert [r["kind"] for r in asked].count("monthly") == 5  # one per foreign article, whole period at once
        assert summary["articles"] == 5 and summary["months"] == 15 and summary["failed"] == 0
        with Store(store_path, read_only=True) as store:
            titles = dict(store.con.execute(
                "SELECT project, title FROM foreign_articles WHERE code = '61074'").fetchall())  # fmt: skip
            months = store.frame(f"SELECT * FROM ({MONTHS}) ORDER BY project, title, month")
        assert "fr.wikipedia" not in titles  # the French article is frwiki's audience, not abroad's
        assert titles["it.wikipedia"] == ODD_IT.replace(" ", "_") and titles["ja.wikipedia"] == ODD_JA
        de = months.filter(pl.col("project") == "de.wikipedia")
        assert de["views"].to_list() == [300, 0, 200]  # February read, with no views: a zero, not a hole
        assert (months["hours"] == months["full_hours"]).all() and set(months["source"]) == {"rest_api"}
        # a rerun asks only the months missing: none
        again = len(fake.requests)
        run_cli("foreign", "fetch", "--communes", "61074,94038", "--start", "2024-01-01", "--end", "2024-03-31",
                db=store_path, env=env, check=True)  # fmt: skip
        assert [r["kind"] for r in fake.requests[again:]].count("monthly") == 0
    shown = json.loads(run_cli("foreign", "show", "Carrouges", "--format", "json", db=store_path, check=True).stdout)
    # the article's days, and the 7 views of its redirect (Carrouges/Château_d'Ô?) on 3 January
    french = sum(100 + d.day + 50 for d in [JAN + timedelta(days=k) for k in range(91)]) + 7
    foreign = 400 + 350 + 500 + 300 + 200 + 60 + 12
    assert shown["months"] == 3 and shown["editions"] == 4
    assert shown["foreign_views"] == foreign and shown["french_views"] == french
    assert shown["share"] == pytest.approx(foreign / (foreign + french))
    assert [lang["code"] for lang in shown["languages"]] == ["en", "de", "it", "ja"]
    assert shown["simulated"] is False
    # the French audience is frwiki's alone: the foreign views never reach pageviews
    with Observatory.open(store_path) as obs:
        assert int(obs.series("61074")["views"].sum()) == french
    ranked = run_cli("foreign", "rank", "--scope", "61074,94038", "--format", "csv", db=store_path, check=True).stdout
    assert ranked.splitlines()[1].split(",")[:3] == ["1", "61074", "Carrouges"]
    from belvedere.web.app import create_app
    from tests.conftest import serving

    with serving(create_app(store_path, None)) as url:
        api = httpx.get(f"{url}/api/communes/61074/foreign", timeout=60).json()
        listed = httpx.get(f"{url}/api/foreign", params={"scope": "61074,94038"}, timeout=60).json()
        page = html.unescape(httpx.get(f"{url}/commune/61074", timeout=60).text)
    assert api["share"] == shown["share"] and api["languages"] == shown["languages"]
    assert [r["code"] for r in listed] == ["61074", "94038"]
    section = page.split('id="foreign"')[1].split("</section>")[0]
    share = f"{100 * foreign / (foreign + french):.1f}".replace(".", ",")
    assert f"Sur 3 mois entiers (de janvier 2024 à mars 2024), {share}\u00a0% des vues" in section
    assert 'data-language="de"' in section and "allemand" in section and "japonais" in section
    assert "simulées" not in section


def test_throttled_and_failing_articles_are_retried_then_named_and_resumed(store_path: Path) -> None:
    fake = FakeWikimedia(abroad_dataset(), Faults(scripted={"de.wikipedia|Carrouges": ["429", "503"],
                                                            "en.wikipedia|Carrouges": ["503"] * 3}))  # fmt: skip
    with fake:
        env = fake_env(fake, BELVEDERE_MAX_TRIES="3")
        _prepare(store_path, env)
        out = run_cli("foreign", "fetch", "--communes", "61074", "--start", "2024-01-01", "--end", "2024-03-31",
                      db=store_path, env=env)  # fmt: skip
        assert out.returncode == 1 and "en.wikipedia Carrouges" in out.stderr
        with Store(store_path, read_only=True) as store:
            held = dict(store.con.execute("SELECT project, count(*) FROM foreign_views GROUP BY 1").fetchall())
        assert held == {"de.wikipedia": 3, "it.wikipedia": 3, "ja.wikipedia": 3}  # the others kept, en not made up
        with Observatory.open(store_path) as obs:
            assert obs.foreign("61074").months == 0  # a month is counted only when every edition covers it
        before = len(fake.requests)
        run_cli("foreign", "fetch", "--communes", "61074", "--start", "2024-01-01", "--end", "2024-03-31",
                db=store_path, env=env, check=True)  # fmt: skip
        assert [r["title"] for r in fake.requests[before:] if r["kind"] == "monthly"] == ["Carrouges"]
        with Observatory.open(store_path) as obs:
            assert obs.foreign("61074").months == 3


def test_a_simulated_store_is_not_sent_to_wikimedia(demo_copy: Path) -> None:
    out = run_cli("foreign", "fetch", "--communes", "pvd", "--start", "2024-01-01", "--end", "2024-03-31",
                  db=demo_copy, env={"BELVEDERE_WIKIDATA_SPARQL": "http://127.0.0.1:9/sparql",
                                     "BELVEDERE_CONTACT": "tests@belvedere.example"})  # fmt: skip
    assert out.returncode == 1 and "simulées" in out.stderr and "Traceback" not in out.stderr


def test_monthly_bodies_and_whole_months() -> None:
    body = {"items": [{"project": "de.wikipedia", "article": "X", "granularity": "monthly", "timestamp": "2024020100",
                       "access": "all-access", "agent": "user", "views": 7}]}  # fmt: skip
    assert parse_monthly(body) == {FEB: 7}
    with pytest.raises(ValueError):
        parse_monthly({"detail": "no items"})
    with pytest.raises(ValueError):
        parse_monthly({"items": [{**body["items"][0], "views": -1}]})
    # a period's whole months that have ended: not the first (it starts on the 15th), not the current one
    assert whole_months(date(2024, 1, 15), date(2024, 4, 30), today=date(2024, 4, 10)) == [FEB, MAR]


def _foreign_lines(path: Path, lines: list[str]) -> None:
    """Lines of other wikis added to an hourly file, as the real files mix every wiki."""
    text = gzip.decompress(path.read_bytes()).decode() + "".join(f"{line}\n" for line in lines)
    path.write_bytes(gzip.compress(text.encode()))


def test_hourly_dumps_keep_the_foreign_articles_lines(tmp_path: Path, reference_db: Path) -> None:
    shutil.copy(reference_db, tmp_path / "s.duckdb")
    files = [write_hourly(tmp_path, date(2024, 5, 1), h, ["Carrouges"], seed=2, filler=200) for h in range(4)]
    for f in files:
        _foreign_lines(f, ["de Carrouges 5 0", "de.m Carrouges 3 0", "en Carrouges 7 0",
                           "it " + ODD_IT.replace(" ", "_").replace(",", "%2C") + " 2 0",  # percent-encoded
                           "de.b Carrouges 100 0",  # the German Wikibooks: not Wikipedia
                           "en Main_Page 99999999 0",  # above any commune's count, but not ours: no refusal
                           "nl Carrouges 40 0"])  # no Dutch article known: not kept  # fmt: skip
    broken = tmp_path / "broken"
    broken.mkdir()
    bad = write_hourly(broken, date(2024, 5, 1), 4, ["Carrouges"], seed=2, filler=200)
    _foreign_lines(bad, ["de Carrouges 5 0"])
    bad.write_bytes(bad.read_bytes()[:-40])  # cut in transfer
    with Store(tmp_path / "s.duckdb") as store:
        store.con.execute("INSERT INTO articles (project, title, commune_code, verified, source) "
                          "VALUES ('fr.wikipedia', 'Carrouges', '61074', TRUE, 'wikidata')")  # fmt: skip
        foreign_store.save_articles(store, [
            {"code": "61074", "qid": "Q475802", "project": p, "title": t}
            for p, t in (("de.wikipedia", "Carrouges"), ("en.wikipedia", "Carrouges"),
                         ("it.wikipedia", ODD_IT.replace(" ", "_")), ("es.wikipedia", "Carrouges"))
        ])  # fmt: skip
        ingest_hourly(store, files)
        with pytest.raises(BelvedereError, match=bad.name):
            ingest_hourly(store, [bad])
        months = store.frame(f"SELECT project, views, hours, full_hours, source FROM ({MONTHS}) ORDER BY project")
    assert dict(zip(months["project"], months["views"], strict=True)) == {
        "de.wikipedia": 4 * 8, "en.wikipedia": 4 * 7, "it.wikipedia": 4 * 2}  # fmt: skip
    assert set(months["hours"]) == {4} and set(months["full_hours"]) == {31 * 24}  # 4 hours of May: partial
    attention = abroad.attention(
        "61074", months.with_columns(pl.lit("61074").alias("code"), pl.lit(date(2024, 5, 1)).alias("month")),
        pl.DataFrame({"code": ["61074"], "editions": [4]}),
        pl.DataFrame({"code": ["61074"], "month": [date(2024, 5, 1)], "views": [1000], "days": [31],
                      "month_days": [31]}),
    )  # fmt: skip
    assert attention.months == 0 and attention.partial == 1  # a month partly read is never counted


def test_share_languages_and_season_on_known_months() -> None:
    months = [date(2023, m, 1) for m in range(1, 13)]
    foreign = pl.DataFrame({
        "code": ["1"] * 24, "project": ["de.wikipedia"] * 12 + ["en.wikipedia"] * 12,
        "month": months * 2, "views": [10] * 6 + [90] + [10] * 5 + [5] * 12,
        "hours": [1] * 24, "full_hours": [1] * 24, "source": ["rest_api"] * 24,
    })  # fmt: skip
    french = pl.DataFrame({"code": ["1"] * 12, "month": months, "views": [100] * 12, "days": [30] * 12,
                           "month_days": [30] * 12})  # fmt: skip
    got = abroad.attention("1", foreign, pl.DataFrame({"code": ["1"], "editions": [2]}), french)
    assert got.foreign_views == 12 * 15 + 80 and got.french_views == 1200
    assert got.share == pytest.approx(260 / 1460)
    assert [lang.code for lang in got.languages] == ["de", "en"] and got.languages[0].views == 200
    assert got.peak_month == 7 and got.peak_share == pytest.approx(95 / 195) and got.seasonal
    flat = abroad.attention("1", foreign.with_columns(pl.lit(10).alias("views")),
                            pl.DataFrame({"code": ["1"], "editions": [2]}), french)  # fmt: skip
    assert not flat.seasonal


def test_the_demo_plants_attention_from_abroad_that_the_analysis_finds(demo_store: Store) -> None:
    obs = Observatory(demo_store)
    ranked = obs.foreign_ranking(scope="all")
    score = score_foreign(ranked, demo_store.frame("SELECT * FROM sim_profiles"))
    assert score.communes == demo_store.frame("SELECT * FROM sim_profiles").height
    assert score.spearman > 0.8 and score.top_language > 0.8
    assert score.tourist_ratio > 2  # tourist towns draw readers from abroad
    assert ranked["rank_views"].to_list() == sorted(ranked["rank_views"].to_list())


def test_one_communes_attention_from_abroad_is_its_row_of_the_national_table(demo_store: Store) -> None:
    """A page reads its commune's foreign months alone (by title, through the index): the same
    figures as the national ranking's row for it."""
    obs = Observatory(demo_store)
    ranked = obs.foreign_ranking(scope="all")
    for row in ranked.sample(5, seed=7).iter_rows(named=True):
        mine = obs.foreign(row["code"])
        assert (mine.foreign_views, mine.french_views, mine.months) == (
            row["foreign_views"], row["french_views"], row["months"])  # fmt: skip
        assert mine.languages[0].code == row["top_language"]
