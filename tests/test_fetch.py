"""`belvedere articles resolve` and `belvedere fetch` against a local server speaking the real formats."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from belvedere.sources.http import parse_retry_after
from belvedere.sources.wikimedia_api import encode_title, missing_ranges, parse_daily, parse_items
from belvedere.store import Store
from tests.conftest import run_cli
from tests.fakes.wikimedia import Dataset, FakeWikimedia, Faults, daily

CONTACT = "tests@belvedere.example"
D0 = date(2024, 1, 1)


def carrouges_dataset() -> Dataset:
    ds = Dataset()
    # Carrouges: desktop with zero days absent, mobile-web complete, mobile-app nothing (404)
    ds.views[("Carrouges", "desktop", "user")] = {D0: 12, D0 + timedelta(days=2): 30, D0 + timedelta(days=3): 5}
    ds.views[("Carrouges", "mobile-web", "user")] = daily(D0, [20, 21, 22, 23, 24, 25, 26, 27, 28, 29])
    ds.views[("Carrouges", "desktop", "automated")] = {D0 + timedelta(days=4): 900}
    # a redirect whose title needs every escape: '/', '?', an apostrophe and an accent
    ds.views[("Carrouges/Château_d'Ô?", "desktop", "user")] = {D0 + timedelta(days=2): 7}
    ds.views[("L'Haÿ-les-Roses", "mobile-web", "user")] = daily(D0, [3] * 10)
    ds.wikidata = {
        "61074": [("Q475802", "Carrouges", False)],
        "94038": [("Q213649", "L'Haÿ-les-Roses", False)],
        "01015": [("Q21451419", None, False)],  # an item without frwiki article
    }
    ds.pages = {"Carrouges": (123456, ["Carrouges/Château d'Ô?"]), "L'Haÿ-les-Roses": (654321, [])}
    ds.totals[("desktop", "user")] = daily(D0, [1_000_000] * 10)
    ds.totals[("mobile-web", "user")] = daily(D0, [2_000_000] * 10)
    return ds


def fake_env(fake: FakeWikimedia, **extra: str) -> dict[str, str]:
    return {
        "BELVEDERE_WIKIMEDIA_API": fake.rest_api,
        "BELVEDERE_WIKIDATA_SPARQL": fake.sparql,
        "BELVEDERE_MEDIAWIKI_API": fake.mediawiki,
        "BELVEDERE_COMMONS_API": fake.mediawiki,  # the fake answers for Commons too (prop=categoryinfo)
        "BELVEDERE_CONTACT": CONTACT,
        "BELVEDERE_BACKOFF_BASE": "0.02",
        **extra,
    }


def cli(db: Path, fake: FakeWikimedia, *args: str, **env: str) -> subprocess.CompletedProcess:
    return run_cli(*args, db=db, env=fake_env(fake, **env))


def fetch_args(communes: str, start: str = "2024-01-01", end: str = "2024-01-10", *more: str) -> list[str]:
    return ["fetch", "--communes", communes, "--start", start, "--end", end, *more]


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.dates(date(2015, 7, 1), date(2030, 12, 31)), st.integers(0, 10**7), max_size=40),
       st.randoms(use_true_random=False))  # fmt: skip
def test_vectorised_parse_matches_the_plain_one(series: dict, rnd) -> None:
    items = [{"project": "fr.wikipedia", "article": "X", "granularity": "daily", "timestamp": f"{d:%Y%m%d}00",
              "access": "desktop", "agent": "user", "views": v} for d, v in series.items()]  # fmt: skip
    rnd.shuffle(items)
    days, views = parse_daily({"items": items})
    assert dict(zip(days.astype(date).tolist(), views.tolist(), strict=True)) == parse_items({"items": items})


@pytest.mark.parametrize(
    "items",
    [
        [{"timestamp": "2024023000", "views": 1}],  # 30 February
        [{"timestamp": "20240x0100", "views": 1}],
        [{"timestamp": "2024010100", "views": -1}],
        [{"timestamp": "2024010100", "views": 1.5}],
        [{"timestamp": "2024010100"}],
        [{"timestamp": 2024010100, "views": 1}],
    ],
)
def test_vectorised_parse_rejects_malformed_items(items: list) -> None:
    with pytest.raises(ValueError):
        parse_daily({"items": items})


def test_wire_helpers() -> None:
    assert encode_title("Carrouges/Château d'Ô?") == "Carrouges%2FCh%C3%A2teau_d%27%C3%94%3F"
    assert parse_items({"items": [{"timestamp": "2024010100", "views": 3}]}) == {D0: 3}
    with pytest.raises(ValueError):
        parse_items({"detail": "nope"})
    days, views = parse_daily({"items": [{"timestamp": "2024010200", "views": 3}, {"timestamp": "2024010100",
                                         "views": 1}, {"timestamp": "2024010101", "views": 4}]})  # fmt: skip
    assert days.astype(date).tolist() == [D0, D0 + timedelta(days=1)] and views.tolist() == [5, 3]
    assert missing_ranges([], D0, D0 + timedelta(days=9)) == [(D0, D0 + timedelta(days=9))]
    assert missing_ranges([(D0 + timedelta(days=2), D0 + timedelta(days=4))], D0, D0 + timedelta(days=9)) == [
        (D0, D0 + timedelta(days=1)),
        (D0 + timedelta(days=5), D0 + timedelta(days=9)),
    ]
    assert missing_ranges([(D0 - timedelta(days=3), D0 + timedelta(days=20))], D0, D0 + timedelta(days=9)) == []
    assert parse_retry_after("7", 1.0) == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 3.0) == 0.0  # a past date: no wait
    assert parse_retry_after(None, 3.0) == 3.0


def test_resolve_then_fetch_stores_exact_values(store_path: Path) -> None:
    with FakeWikimedia(carrouges_dataset()) as fake:
        res = cli(store_path, fake, "articles", "resolve", "--communes", "61074,94038,01015", "-f", "json")
        assert res.returncode == 0, res.stderr
        resolved = json.loads(res.stdout)
        assert resolved == {
            "resolved": 2,
            "redirects": 1,
            "missing": ["01015"],
            "dump_rows_recovered": 0,
            "dump_hours_recovered": 0,
            "dump_days_not_recovered": {},
        }  # no dump ingested here
        out = cli(store_path, fake, *fetch_args("61074,94038", "2024-01-01", "2024-01-10", "--agents",
                                                "user,automated"))  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert all(CONTACT in ua for ua in fake.user_agents)
    with Store(store_path, read_only=True) as store:
        arts = store.con.execute(
            "SELECT title, page_id, qid, redirect_of IS NOT NULL FROM articles WHERE source <> 'guess' ORDER BY 1"
        ).fetchall()
        assert arts == [
            ("Carrouges", 123456, "Q475802", False),
            ("Carrouges/Château_d'Ô?", None, "Q475802", True),
            ("L'Haÿ-les-Roses", 654321, "Q213649", False),
        ]
        totals = store.con.execute("SELECT access::VARCHAR, sum(views) FROM project_totals GROUP BY 1 ORDER BY 1")
        assert totals.fetchall() == [("desktop", 10_000_000), ("mobile-web", 20_000_000)]
        empty = store.con.execute(
            "SELECT count(*) FROM ingest_log WHERE source = 'rest_api' AND status = 'empty'"
        ).fetchall()[0][0]
        assert empty > 0  # 404 "no data" ranges are recorded, not errors
    exported = run_cli("export", "audience", "--communes", "61074", "--start", "2024-01-01", "--end", "2024-01-10",
                       "--agents", "user", db=store_path, check=True)  # fmt: skip
    rows = {(r["date"], r["access"]): int(r["views"]) for r in csv.DictReader(io.StringIO(exported.stdout))}
    assert rows[("2024-01-01", "desktop")] == 12
    assert rows[("2024-01-02", "desktop")] == 0  # absent in the answer: a real zero
    assert rows[("2024-01-03", "desktop")] == 30 + 7  # redirect summed into the commune
    assert rows[("2024-01-10", "mobile-web")] == 29
    assert ("2024-01-01", "mobile-app") not in rows  # 404: no data, not invented zeros
    assert sum(v for (d, a), v in rows.items() if a == "desktop") == 12 + 30 + 5 + 7


def test_concurrency_never_exceeds_three(store_path: Path) -> None:
    ds = Dataset()
    codes = ["61074", "94038", "74056", "06088", "29019", "65138", "27378", "56195"]
    with Store(store_path) as store:
        for code in codes:
            title = store.con.execute("SELECT name FROM communes WHERE code = ?", [code]).fetchall()[0][0]
            store.con.execute("DELETE FROM articles WHERE commune_code = ?", [code])  # the guess, replaced
            store.con.execute(
                "INSERT INTO articles (project, title, commune_code, verified, source) VALUES "
                "('fr.wikipedia', ?, ?, TRUE, 'wikidata')",
                [title.replace(" ", "_"), code],
            )
            for access in ("desktop", "mobile-web", "mobile-app"):
                ds.views[(title.replace(" ", "_"), access, "user")] = daily(D0, [5] * 10)
    with FakeWikimedia(ds, Faults(latency=0.05)) as fake:
        out = cli(store_path, fake, *fetch_args(",".join(codes), "2024-01-01", "2024-01-10", "--no-totals"))
        assert out.returncode == 0, out.stderr
        assert fake.count("per_article") == len(codes) * 3
        assert fake.max_in_flight == 3  # used, and never above
    too_many = run_cli(*fetch_args("61074", "2024-01-01", "2024-01-02", "--concurrency", "8"), db=store_path,
                       env={"BELVEDERE_CONTACT": CONTACT})  # fmt: skip
    assert too_many.returncode == 1 and "Concurrence" in too_many.stderr


def test_retry_after_and_transient_faults(store_path: Path) -> None:
    faults = Faults(scripted={"Carrouges": ["429", "503", "drop", "trunc", "badjson"]}, retry_after="1")
    with FakeWikimedia(carrouges_dataset(), faults) as fake:
        cli(store_path, fake, "articles", "resolve", "--communes", "61074")
        out = cli(store_path, fake, *fetch_args("61074", "2024-01-01", "2024-01-10", "--no-totals"))
        assert out.returncode == 0, out.stderr
        tries = [r for r in fake.requests if r["title"] == "Carrouges"]
        assert [r["fault"] for r in tries if r["fault"]] == ["429", "503", "drop", "trunc", "badjson"], tries
        assert len(tries) == 3 + 5  # each fault retried, then one success per access
        throttled = tries[0]  # the first request for this title got the scripted 429
        retry = next(r for r in tries[1:] if r["path"] == throttled["path"])
        assert retry["at"] - throttled["at"] >= 0.95  # Retry-After: 1 honoured
    with Store(store_path, read_only=True) as store:
        total = store.con.execute(
            "SELECT sum(views) FROM pageviews p JOIN articles a USING (article_id) WHERE a.title = 'Carrouges' "
            "AND p.agent = 'user'"
        ).fetchall()[0][0]
        assert total == 12 + 30 + 5 + sum(range(20, 30))


def test_persistent_failure_is_logged_listed_and_resumed(store_path: Path) -> None:
    faults = Faults(scripted={"Carrouges|desktop": ["503"] * 3})
    with FakeWikimedia(carrouges_dataset(), faults) as fake:
        cli(store_path, fake, "articles", "resolve", "--communes", "61074")
        out = cli(store_path, fake, *fetch_args("61074", "2024-01-01", "2024-01-10", "--no-totals"),
                  BELVEDERE_MAX_TRIES="3")  # fmt: skip
        assert out.returncode == 1
        assert "échec" in out.stderr.lower() and "Carrouges" in out.stderr and "Traceback" not in out.stderr
        with Store(store_path, read_only=True) as store:
            failed = store.con.execute("SELECT access, detail FROM ingest_log WHERE status = 'failed'").fetchall()
            assert len(failed) == 1 and "503" in failed[0][1]
        before = fake.count("per_article")
        again = cli(store_path, fake, *fetch_args("61074", "2024-01-01", "2024-01-10", "--no-totals"))
        assert again.returncode == 0, again.stderr
        assert fake.count("per_article") - before == 1  # only the failed range is asked again
        third = cli(store_path, fake, *fetch_args("61074", "2024-01-01", "2024-01-12", "--no-totals"))
        assert third.returncode == 0
        new = [r["path"] for r in fake.requests[-6:] if r["kind"] == "per_article"]
        assert new and all("/20240111/20240112" in p for p in new)  # incremental: only the new days


def _store_content(path: Path) -> list[tuple]:
    with Store(path, read_only=True) as store:
        return store.con.execute(
            "SELECT a.title, p.date, p.access::VARCHAR, p.agent::VARCHAR, p.views FROM pageviews p "
            "JOIN articles a USING (article_id) ORDER BY ALL"
        ).fetchall()


def test_kill_and_rerun_gives_the_same_store(store_path: Path, tmp_path: Path) -> None:
    ds = Dataset()
    titles = []
    with Store(store_path) as store:
        codes = [r[0] for r in store.con.execute("SELECT code FROM pvd ORDER BY code LIMIT 40").fetchall()]
        for i, code in enumerate(codes):
            title = f"Commune_{code}"
            titles.append(title)
            store.con.execute(
                "INSERT INTO articles (project, title, commune_code, verified, source) VALUES "
                "('fr.wikipedia', ?, ?, TRUE, 'wikidata')",
                [title, code],
            )
            for access in ("desktop", "mobile-web", "mobile-app"):
                ds.views[(title, access, "user")] = daily(date(2023, 1, 1), [(i * 7 + d) % 13 for d in range(365)])
    clean = tmp_path / "clean.duckdb"
    shutil.copy(store_path, clean)
    args = fetch_args(",".join(codes), "2023-01-01", "2023-12-31", "--no-totals")
    with FakeWikimedia(ds, Faults(latency=0.03)) as fake:
        env = {**os.environ, **fake_env(fake), "COLUMNS": "200"}
        cmd = [sys.executable, "-m", "belvedere.cli", "--db", str(store_path), *args]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        # mid-run: the first write (60 results) is committed well before the 100th of 120 requests
        while fake.count("per_article") < 100 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        partial = _store_content(store_path)
        assert 0 < len(partial) < 40 * 3 * 365
        rerun = cli(store_path, fake, *args)
        assert rerun.returncode == 0, rerun.stderr
        reference = cli(clean, fake, *args)
        assert reference.returncode == 0, reference.stderr
    assert _store_content(store_path) == _store_content(clean)
    assert len(_store_content(clean)) == 40 * 3 * 365


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (fetch_args("99999"), "inconnue"),
        (fetch_args("61074", "2024-01-10", "2024-01-01"), "avant"),
        (fetch_args("61074", "2015-06-01", "2015-07-10"), "1er juil. 2015"),
        (fetch_args("61074", "2024-02-30", "2024-03-01"), "Date invalide"),
    ],
)
def test_bad_input(store_path: Path, args: list[str], needle: str) -> None:
    out = run_cli(*args, db=store_path, env={"BELVEDERE_CONTACT": CONTACT})
    assert out.returncode == 1 and needle in out.stderr and "Traceback" not in out.stderr


def test_future_end_is_clamped(store_path: Path) -> None:
    yesterday = date.today() - timedelta(days=1)
    ds = Dataset()
    ds.views[("Carrouges", "desktop", "user")] = daily(yesterday - timedelta(days=5), [1, 2, 3, 4, 5])
    ds.wikidata = {"61074": [("Q475802", "Carrouges", False)]}
    ds.pages = {"Carrouges": (123456, [])}
    with FakeWikimedia(ds) as fake:
        cli(store_path, fake, "articles", "resolve", "--communes", "61074")
        far = (date.today() + timedelta(days=30)).isoformat()
        out = cli(store_path, fake, *fetch_args("61074", (yesterday - timedelta(days=5)).isoformat(), far))
        assert out.returncode == 0, out.stderr
        assert "ramenée" in out.stderr
        assert all(far.replace("-", "") not in r["path"] for r in fake.requests)


def test_no_network_writes_nothing(store_path: Path) -> None:
    env = {"BELVEDERE_CONTACT": CONTACT, "BELVEDERE_WIKIMEDIA_API": "http://127.0.0.1:9/api/rest_v1"}
    out = run_cli(*fetch_args("61074"), db=store_path, env=env)
    assert out.returncode == 1 and "injoignable" in out.stderr and "Traceback" not in out.stderr
    with Store(store_path, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM pageviews").fetchall()[0][0] == 0
        assert store.con.execute("SELECT count(*) FROM ingest_log WHERE source LIKE 'rest%'").fetchall()[0][0] == 0


def test_contact_is_required(store_path: Path) -> None:
    out = run_cli(*fetch_args("61074"), db=store_path, env={"BELVEDERE_CONTACT": ""})
    assert out.returncode == 1 and "contact" in out.stderr.lower()


def test_fetch_refuses_a_simulated_store(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "sim.duckdb"
    shutil.copy(demo_db, db)
    out = run_cli(*fetch_args("61074"), db=db, env={"BELVEDERE_CONTACT": CONTACT})
    assert out.returncode == 1 and "simulées" in out.stderr


def test_a_towns_fetch_updates_the_kept_figures_for_its_rows_alone(store_path: Path, tmp_path: Path) -> None:
    """After a fetch of one town into a store that keeps national figures, its rows are computed
    again and the rest (surplus, ranks, typology, shared events) redone from the others' kept rows:
    the figures are those a full computation gives. France's daily totals change no figure."""
    from polars.testing import assert_frame_equal

    from belvedere import figures

    towns = {"61074": "Carrouges", "61001": "Alençon", "61006": "Argentan", "14118": "Caen", "50129":
             "Cherbourg-en-Cotentin", "61169": "Flers_(Orne)", "84087": "Orange"}  # fmt: skip
    ds = Dataset()
    for k, title in enumerate(towns.values()):
        level = 20 + 15 * k
        ds.views[(title, "mobile-web", "user")] = daily(D0, [level + (d * 7 + k) % 11 for d in range(91)])
        ds.views[(title, "desktop", "user")] = daily(D0, [level // 2 + (d * 3 + k) % 5 for d in range(91)])
    ds.totals[("desktop", "user")] = daily(D0, [1_000_000] * 91)
    with FakeWikimedia(ds) as fake:
        out = cli(store_path, fake, *fetch_args(",".join(towns), "2024-01-01", "2024-03-31"))
        assert out.returncode == 0, out.stderr
        run_cli("compute", db=store_path, check=True)
        # Carrouges in the news for three days: its article fetched again, nothing else
        for d in range(60, 63):
            ds.views[("Carrouges", "mobile-web", "user")][D0 + timedelta(days=d)] = 2_000
        out = cli(store_path, fake, *fetch_args("61074", "2024-01-01", "2024-03-31", "--refresh"))
        assert out.returncode == 0, out.stderr
    assert "mis à jour avec la nouvelle audience de 1 commune(s)" in out.stdout
    with Store(store_path, read_only=True) as store:
        kept = figures.runs(store)
        assert kept.select("communes", "current").rows() == [(1, True)]
        period = kept.select("period_start", "period_end").row(0)
        patched = figures.load(store, *period)
    assert patched is not None
    spikes = patched.frames["spikes"]
    mine = spikes.filter(pl.col("code") == "61074").select("start", "end").rows()
    assert mine == [(D0 + timedelta(days=60), D0 + timedelta(days=62))]  # the news, seen
    full = tmp_path / "full.duckdb"
    shutil.copy(store_path, full)
    run_cli("compute", db=full, check=True)  # every commune computed again from its days
    with Store(full, read_only=True) as store:
        assert figures.runs(store)["communes"].to_list() == [None]
        computed = figures.load(store, *period)
    assert computed is not None
    for kind, frame in computed.frames.items():
        assert_frame_equal(patched.frames[kind], frame)
    with Store(store_path) as store:  # a line of France's totals: the figures stay current
        store.con.execute("INSERT INTO ingest_log (source, start_date, end_date, status, fetched_at) VALUES "
                          "('rest_api_aggregate', ?, ?, 'ok', now())", list(period))  # fmt: skip
        assert figures.runs(store)["current"].to_list() == [True]
        # an article's write that changed nothing: the figures are kept as they are, restamped
        store.con.execute("INSERT INTO ingest_log (source, article_id, start_date, end_date, status, fetched_at) "
                          "SELECT 'rest_api', 0, ?, ?, 'failed', now()", list(period))  # fmt: skip
        assert figures.changed_communes(store, *period, figures.fingerprint(store, *period)) == []
        stamp = store.con.execute("SELECT fingerprint FROM figures_runs").fetchall()[0][0]
        assert figures.changed_communes(store, *period, stamp) == []  # article 0: no commune's
        # a write that is not an article's (a dump, the simulator): every commune may have changed
        store.con.execute("INSERT INTO ingest_log (source, status, fetched_at) VALUES ('dump', 'ok', now())")
        assert figures.changed_communes(store, *period, stamp) is None
        assert figures.changed_communes(store, *period, "0:0.0.0:1") is None  # another version's figures
