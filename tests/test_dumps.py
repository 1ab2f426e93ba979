"""Hourly Wikimedia dumps into the store: exact counts on the real excerpt, hour from the file
name, idempotence, a corrupt file, an interrupted batch, complete days settled."""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest

from belvedere.errors import BelvedereError
from belvedere.sources.dumpgen import write_hourly
from belvedere.sources.dumps import hour_of, ingest_hourly
from belvedere.store import Store
from tests.conftest import DATA, run_cli

EXCERPT = DATA / "pageviews-20240803-060000_sample1000.gz"


def _expected(path: Path, titles: set[str]) -> Counter:
    """(title, access) -> views, read plainly with Python (the reference for DuckDB's result)."""
    out: Counter = Counter()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            domain, title, views, _ = line.rstrip("\n").split(" ")
            title = unquote(title).replace(" ", "_")
            if domain in ("fr", "fr.m") and title in titles:
                out[(title, "desktop" if domain == "fr" else "mobile-web")] += int(views)
    return out


def _store_with_articles(path: Path, reference_db: Path, titles: list[str]) -> Store:
    """A store whose first communes have these verified titles; the CLI gives the others their
    probable titles (``source = 'guess'``) when it opens it, as ``init`` does."""
    shutil.copy(reference_db, path)
    store = Store(path)
    codes = [
        r[0] for r in store.con.execute("SELECT code FROM communes ORDER BY code LIMIT ?", [len(titles)]).fetchall()
    ]
    for code, title in zip(codes, titles, strict=True):
        store.con.execute("INSERT INTO articles (project, title, commune_code, verified, source) "
                          "VALUES ('fr.wikipedia', ?, ?, TRUE, 'wikidata')", [title, code])  # fmt: skip
    return store


def _hours(store: Store) -> Counter:
    rows = store.con.execute(
        "SELECT a.title, h.access::VARCHAR, sum(h.views) FROM dump_hours h JOIN articles a USING (article_id) "
        "GROUP BY ALL"
    ).fetchall()
    return Counter({(t, a): int(v) for t, a, v in rows})


def test_exact_counts_on_the_real_excerpt(tmp_path: Path, reference_db: Path) -> None:
    titles = ["Jules_Koundé", "Église_orthodoxe_russe", "TCL_Corporation", "Marion_Bataille", "Pas_dans_le_dump"]
    dump = tmp_path / "pageviews-20240803-060000.gz"  # the excerpt under the name of its hour
    shutil.copy(EXCERPT, dump)
    with _store_with_articles(tmp_path / "s.duckdb", reference_db, titles) as store:
        report = ingest_hourly(store, [dump])
        got = _hours(store)
        hour = store.con.execute("SELECT DISTINCT date, hour FROM dump_hours").fetchall()
    expected = _expected(dump, set(titles))
    assert got == expected and sum(expected.values()) >= 6 and report.lines == len(expected)
    assert hour == [(date(2024, 8, 3), 6)]


def test_lines_picked_in_any_order_across_blocks(tmp_path: Path, reference_db: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """An unsorted file read in tiny blocks (lines cut between blocks, no final newline): the same
    counts as Python's plain reading; a '+' stays a plus, an escape that is not UTF-8 matches nothing."""
    import random

    from belvedere.sources import dumps

    titles = ["A+B_(commune)", "Saint-Étienne", "Carrouges"]
    rng = random.Random(3)
    lines = []
    for k in range(3000):
        domain = rng.choice(["fr", "fr.m", "en", "frr", "fr.wiktionary", "de.m", "f"])
        title = rng.choice([*titles, "A%2BB_(commune)", "Saint-%C3%89tienne", "%E9t%E9", "Carrouges%", f"Autre_{k}"])
        lines.append(f"{domain} {title} {rng.randint(1, 9)} 0")
    dump = tmp_path / "pageviews-20240803-070000.gz"
    dump.write_bytes(gzip.compress("\n".join(lines).encode()))
    monkeypatch.setattr(dumps, "BLOCK", 97)
    with _store_with_articles(tmp_path / "s.duckdb", reference_db, titles) as store:
        report = ingest_hourly(store, [dump, dump])  # named twice: read once
        got = _hours(store)
    assert report.files == 1 and report.skipped == [dump.name]
    expected = _expected(dump, set(titles))
    assert got == expected and len(expected) == 6 and sum(expected.values()) > 1000


def test_the_hour_comes_from_the_file_name(tmp_path: Path) -> None:
    assert hour_of("x/pageviews-20240803-230000.gz").hour == 23
    for bad in ("pageviews-20240803.gz", "pageviews-20241303-060000.gz", "views-20240803-060000.gz"):
        with pytest.raises(BelvedereError, match="pageviews-AAAAMMJJ-HH0000"):
            hour_of(bad)


def test_idempotent_corrupt_and_resumed(tmp_path: Path, reference_db: Path) -> None:
    titles = ["Saint-Étienne", "Carrouges", "Bourg-en-Bresse"]
    files = [write_hourly(tmp_path, date(2024, 5, 1), h, titles, seed=1, filler=300) for h in range(6)]
    good = files[3].read_bytes()
    files[3].write_bytes(good[: len(good) // 2])  # truncated in transfer
    with _store_with_articles(tmp_path / "s.duckdb", reference_db, titles) as store:
        with pytest.raises(BelvedereError, match=files[3].name):
            ingest_hourly(store, files)
        # the batch stopped at the corrupt file: the three before are in, nothing of it
        assert store.con.execute("SELECT count(*) FROM dump_files").fetchall()[0][0] == 3
        assert store.con.execute("SELECT count(*) FROM dump_hours WHERE hour = 3").fetchall()[0][0] == 0
        files[3].write_bytes(good)  # downloaded again
        report = ingest_hourly(store, files)
        assert report.files == 3 and len(report.skipped) == 3  # resumed where it stopped
        again = ingest_hourly(store, files)
        assert again.files == 0 and len(again.skipped) == 6  # a no-op
        expected = Counter()
        for f in files:
            expected += _expected(f, set(titles))
        assert _hours(store) == expected  # percent-encoded lines summed with the plain ones
        files[0].write_bytes(gzip.compress(b"fr Carrouges 999 0\n"))
        with pytest.raises(BelvedereError, match="autre contenu"):
            ingest_hourly(store, [files[0]])


def test_complete_days_are_settled_into_pageviews(tmp_path: Path, reference_db: Path) -> None:
    titles = ["Carrouges", "Saint-Étienne"]
    day = date(2024, 5, 2)
    files = [write_hourly(tmp_path, day, h, titles, seed=2, filler=50) for h in range(24)]
    path = tmp_path / "s.duckdb"
    _store_with_articles(path, reference_db, titles).close()
    out = run_cli("ingest", *map(str, files[:23]), db=path)
    assert out.returncode == 0, out.stderr
    with Store(path, read_only=True) as store:  # 23 hours: the day is not shown as covered
        assert store.con.execute("SELECT count(*) FROM pageviews").fetchall()[0][0] == 0
    out = run_cli("ingest", *map(str, files), db=path)
    assert out.returncode == 0 and "1 jour" in out.stdout, out.stdout
    expected = Counter()
    for f in files:
        expected += _expected(f, set(titles))
    with Store(path, read_only=True) as store:
        rows = store.con.execute(
            "SELECT a.title, p.access::VARCHAR, p.views FROM pageviews p JOIN articles a USING (article_id) "
            "WHERE p.date = ? AND p.agent = 'user' AND a.source <> 'guess'", [day]
        ).fetchall()  # fmt: skip
        assert store.con.execute("SELECT count(*) FROM dump_hours").fetchall()[0][0] == 0
    assert {(t, a): v for t, a, v in rows} == {k: expected.get(k, 0) for k in
                                               [(t, a) for t in titles for a in ("desktop", "mobile-web")]}  # fmt: skip


def _expected_daily(text: str, titles: set[str]) -> Counter:
    out: Counter = Counter()
    for line in text.splitlines():
        p = line.split(" ")
        access, total = (p[3], p[4]) if len(p) == 6 else (p[2], p[3])
        if p[0] == "fr.wikipedia" and unquote(p[1]) in titles:
            out[(unquote(p[1]), access)] += int(total)
    return out


@pytest.mark.parametrize("compress", [True, False])
def test_daily_complete_files_exact_counts_with_five_field_rows(tmp_path: Path, reference_db: Path,
                                                                compress: bool) -> None:  # fmt: skip
    import bz2

    from belvedere.sources.dumpgen import write_daily_complete

    titles = ["Carrouges", "Saint-Étienne", "Bourg-en-Bresse", "Absent_du_fichier"]
    day = date(2024, 6, 1)
    path = write_daily_complete(tmp_path, day, titles[:3], seed=4, filler=200, compress=compress)
    text = bz2.decompress(path.read_bytes()).decode() if compress else path.read_text()
    assert any(len(line.split(" ")) == 5 and line.startswith("fr.wikipedia") for line in text.splitlines())
    expected = _expected_daily(text, set(titles))
    store_path = tmp_path / "s.duckdb"
    _store_with_articles(store_path, reference_db, titles).close()
    out = run_cli("ingest", str(path), db=store_path)
    assert out.returncode == 0, out.stderr
    with Store(store_path, read_only=True) as store:
        rows = store.con.execute(
            "SELECT a.title, p.access::VARCHAR, p.views FROM pageviews p JOIN articles a USING (article_id) "
            "WHERE p.date = ? AND p.agent = 'user' AND a.source <> 'guess'", [day]
        ).fetchall()  # fmt: skip
    assert {(t, a): v for t, a, v in rows} == {(t, a): expected.get((t, a), 0) for t in titles
                                               for a in ("desktop", "mobile-web", "mobile-app")}  # fmt: skip
    assert run_cli("ingest", str(path), db=store_path).stdout.count("1 déjà présent") == 1  # idempotent


def test_daily_corrupt_and_malformed_files_are_named(tmp_path: Path, reference_db: Path) -> None:
    import bz2

    store_path = tmp_path / "s.duckdb"
    _store_with_articles(store_path, reference_db, ["Carrouges"]).close()
    broken = tmp_path / "pageviews-20240601-user.bz2"
    payload = "".join(f"fr.wikipedia Titre_{i * 7919 % 10007} {i} desktop {i % 97} A{i % 97}\n" for i in range(5000))
    whole = bz2.compress(payload.encode())
    broken.write_bytes(whole[: len(whole) // 2])  # cut in transfer
    out = run_cli("ingest", str(broken), db=store_path)
    assert out.returncode == 1 and broken.name in out.stderr
    odd = tmp_path / "pageviews-20240602-user"
    odd.write_text("fr.wikipedia Carrouges 1 desktop 5 A5\nfr.wikipedia Carrouges desktop cinq A5\n")
    out = run_cli("ingest", str(odd), db=store_path)
    assert out.returncode == 1 and odd.name in out.stderr and "1 ligne" in out.stderr
    with Store(store_path, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM pageviews").fetchall()[0][0] == 0
        assert store.con.execute("SELECT count(*) FROM dump_files").fetchall()[0][0] == 0


def test_spark_gives_the_same_rows_as_duckdb(tmp_path: Path, reference_db: Path) -> None:
    """The same files through both engines (Spark in local mode, Debian's Java): identical rows, for
    the store's articles and, with --all-articles, for every page of the project."""
    titles = ["Saint-Étienne", "Carrouges", "Bourg-en-Bresse", "Évian-les-Bains", "A+B_(commune)"]
    # a title that may name a commune but is not an article of the store: the pool keeps it
    files = [write_hourly(tmp_path, date(2024, 5, 3), h, [*titles, "Paris_(homonymie)"], seed=5, filler=400)
             for h in range(3)]  # fmt: skip
    results, pages = {}, {}
    for engine, every in (("duckdb", False), ("duckdb", True), ("spark", False), ("spark", True)):
        path = tmp_path / f"{engine}{every}.duckdb"
        _store_with_articles(path, reference_db, titles).close()
        extra = ["--all-articles"] if every else []
        out = run_cli("ingest", "--engine", engine, "--spark-master", "local[2]", *extra, *map(str, files), db=path)
        assert out.returncode == 0, out.stderr[-2000:]
        with Store(path, read_only=True) as store:
            results[engine, every] = sorted(store.con.execute(
                "SELECT a.title, h.date, h.hour, h.access::VARCHAR, h.views FROM dump_hours h "
                "JOIN articles a USING (article_id)"
            ).fetchall())  # fmt: skip
            pages[engine, every] = _pages(store)
    assert results["duckdb", False] == results["duckdb", True] == results["spark", True] == results["spark", False]
    assert len(results["duckdb", False]) >= 12
    assert pages["duckdb", True] == pages["spark", True] and len(pages["spark", True]) > 400
    # without --all-articles both keep the same titles: those that may name a commune, articles aside
    assert pages["duckdb", False] == pages["spark", False]
    assert {k[0] for k in pages["duckdb", False]} == {"Paris_(homonymie)"}
    assert all(pages["duckdb", True][k] == v for k, v in pages["duckdb", False].items())
    # a bad file is refused by Spark too, by name, before anything is written
    bad = tmp_path / "bad" / "pageviews-20240503-040000.gz"
    bad.parent.mkdir()
    bad.write_bytes(gzip.compress(b"fr Carrouges -3 0\nfr Carrouges 5 0\n"))
    path = tmp_path / "sparkFalse.duckdb"
    with Store(path, read_only=True) as store:
        before = store.con.execute("SELECT count(*), sum(views) FROM dump_hours").fetchall()
    out = run_cli("ingest", "--engine", "spark", "--spark-master", "local[2]", str(bad), db=path)
    assert out.returncode == 1 and bad.name in out.stderr and "négatif" in out.stderr, out.stderr[-2000:]
    with Store(path, read_only=True) as store:
        assert store.con.execute("SELECT count(*), sum(views) FROM dump_hours").fetchall() == before
        assert store.con.execute("SELECT count(*) FROM dump_files WHERE name = ?", [bad.name]).fetchall()[0][0] == 0


def _pages(store: Store) -> Counter:
    """(title, access, date, hour) -> views of project_views (--all-articles)."""
    rows = store.con.execute(
        "SELECT p.title, v.access::VARCHAR, v.date, v.hour, sum(v.views) FROM project_views v "
        "JOIN project_pages p USING (page_key) GROUP BY ALL"
    ).fetchall()
    return Counter({(t, a, d, h): int(v) for t, a, d, h, v in rows})


def test_all_articles_keeps_every_page_apart_from_the_analysis(tmp_path: Path, reference_db: Path) -> None:
    """--all-articles: every fr/fr.m page of a day's 24 files, summed per day once the day is complete
    (hour 24), exactly as Python counts them; the store's articles and pageviews are the same as
    without the option, so the analysis (which reads only those) does not see the other pages."""
    titles = ["Carrouges", "Saint-Étienne"]
    day = date(2024, 5, 4)
    files = [write_hourly(tmp_path, day, h, titles, seed=8, filler=60) for h in range(24)]
    expected: Counter = Counter()
    for f in files:
        with gzip.open(f, "rt", encoding="utf-8") as g:
            for line in g:
                domain, title, views, _ = line.split(" ")
                if domain in ("fr", "fr.m"):
                    decoded = unquote(title, errors="strict") if "%" in title and _utf8(title) else title
                    expected[(decoded, "desktop" if domain == "fr" else "mobile-web", day, 24)] += int(views)
    seen = {}
    for every in (False, True):
        path = tmp_path / f"s{every}.duckdb"
        _store_with_articles(path, reference_db, titles).close()
        out = run_cli("ingest", *(["--all-articles"] if every else []), *map(str, files), db=path)
        assert out.returncode == 0, out.stderr
        with Store(path, read_only=True) as store:
            seen[every] = (
                store.con.execute("SELECT count(*) FROM articles WHERE source <> 'guess'").fetchall()[0][0],
                sorted(store.con.execute("SELECT article_id, date, access::VARCHAR, views FROM pageviews "
                                         "JOIN articles USING (article_id) WHERE source <> 'guess'").fetchall()),
                _pages(store),
            )  # fmt: skip
    assert seen[False][:2] == seen[True][:2] and seen[True][0] == 2 and len(seen[True][1]) == 4
    assert seen[True][2] == expected and len(expected) > 60 * 24 // 3
    info = json.loads(run_cli("info", "--format", "json", db=tmp_path / "sTrue.duckdb", check=True).stdout)
    assert info["dump_files"] == 24 and info["project_pages"] == len({k[0] for k in expected})


def _utf8(title: str) -> bool:
    try:
        unquote(title, errors="strict")
        return True
    except UnicodeDecodeError:
        return False


def test_monthly_complete_files_give_every_day_of_the_month(tmp_path: Path, reference_db: Path) -> None:
    """A monthly pageview_complete file: its letters are days (A = 1st); every day of February 2024
    (29) gets its count, zeros included; a day past the month's end, or days not adding up to the
    total, are refused naming the file."""
    import bz2
    import re

    from belvedere.sources.dumpgen import write_monthly_complete

    titles = ["Carrouges", "Saint-Étienne", "Bourg-en-Bresse", "Absent_du_fichier"]
    month = date(2024, 2, 1)
    path = write_monthly_complete(tmp_path, month, titles[:3], seed=6, filler=300)
    expected: Counter = Counter()
    for line in bz2.decompress(path.read_bytes()).decode().splitlines():
        p = line.split(" ")
        if p[0] == "fr.wikipedia" and p[1] in titles:
            for letter, count in re.findall(r"([A-_])(\d+)", p[-1]):
                expected[(p[1], p[-3], date(2024, 2, ord(letter) - 64))] += int(count)
    assert max(d for _, _, d in expected) > date(2024, 2, 26)  # the letters past Z are read too
    store_path = tmp_path / "s.duckdb"
    _store_with_articles(store_path, reference_db, titles).close()
    out = run_cli("ingest", str(path), db=store_path)
    assert out.returncode == 0 and "29 jour(s)" in out.stdout, out.stdout + out.stderr
    with Store(store_path, read_only=True) as store:
        rows = store.con.execute(
            "SELECT a.title, p.access::VARCHAR, p.date, p.views FROM pageviews p JOIN articles a USING (article_id) "
            "WHERE p.agent = 'user' AND a.source <> 'guess'"
        ).fetchall()
        logged = store.con.execute("SELECT start_date, end_date FROM ingest_log WHERE source = 'dump'").fetchall()
    assert logged == [(month, date(2024, 2, 29))]  # the days it covers: the figures of any period in them are redone
    got = {(t, a, d): v for t, a, d, v in rows}
    assert len(got) == 4 * 3 * 29 and min(d for *_, d in got) == month and max(d for *_, d in got) == date(2024, 2, 29)
    assert got == {k: expected.get(k, 0) for k in got}
    for bad in ("fr.wikipedia Carrouges 1 desktop 5 A2^3", "fr.wikipedia Carrouges 1 desktop 6 A2B3"):
        odd = tmp_path / "odd" / "pageviews-202402-automated"
        odd.parent.mkdir(exist_ok=True)
        odd.write_text(f"fr.wikipedia Carrouges 1 desktop 5 A5\n{bad}\n")
        out = run_cli("ingest", str(odd), db=store_path)
        assert out.returncode == 1 and odd.name in out.stderr and "1 ligne" in out.stderr, out.stderr


def test_all_articles_from_a_monthly_file(tmp_path: Path, reference_db: Path) -> None:
    """--all-articles with a monthly pageview_complete file: every fr.wikipedia page per lettered day
    (hour 24, the agent of the file)."""
    import bz2
    import re

    from belvedere.sources.dumpgen import write_monthly_complete

    path = write_monthly_complete(tmp_path, date(2024, 4, 1), ["Carrouges", "Saint-Étienne"], seed=9, filler=80,
                                  agent="spider")  # fmt: skip
    expected: Counter = Counter()
    for line in bz2.decompress(path.read_bytes()).decode().splitlines():
        p = line.split(" ")
        if p[0] == "fr.wikipedia":
            for letter, count in re.findall(r"([A-_])(\d+)", p[-1]):
                expected[(p[1], p[-3], date(2024, 4, ord(letter) - 64), 24)] += int(count)
    store_path = tmp_path / "s.duckdb"
    _store_with_articles(store_path, reference_db, ["Carrouges"]).close()
    assert run_cli("ingest", "--all-articles", str(path), db=store_path).returncode == 0
    with Store(store_path, read_only=True) as store:
        got = _pages(store)
        agents = store.con.execute("SELECT DISTINCT agent::VARCHAR FROM project_views").fetchall()
    assert got == expected and len({k[0] for k in expected}) == 2 + 20 and agents == [("spider",)]


def test_dump_urls_are_downloaded_resumed_and_not_fetched_twice(tmp_path: Path, reference_db: Path) -> None:
    """Dump URLs on a local server speaking like dumps.wikimedia.org: a 503 and a 429 are retried, a
    connection cut mid-file is resumed with a Range request (206), the files arrive byte for byte,
    a rerun downloads nothing, and a missing file is named in a one-line error."""
    from tests.fakes.wikimedia import Dataset, FakeWikimedia, Faults

    titles = ["Carrouges", "Saint-Étienne"]
    files = [write_hourly(tmp_path / "src", date(2024, 5, 5), h, titles, seed=10, filler=3000)
             for h in range(3)] if (tmp_path / "src").mkdir() is None else []  # fmt: skip
    ds = Dataset(dumps={f"/other/pageviews/2024/2024-05/{f.name}": f.read_bytes() for f in files})
    faults = Faults(retry_after="0", scripted={files[0].name: ["503", "429"], files[1].name: ["cut"]})
    store_path = tmp_path / "s.duckdb"
    _store_with_articles(store_path, reference_db, titles).close()
    env = {"BELVEDERE_CONTACT": "tests@belvedere.example", "BELVEDERE_BACKOFF_BASE": "0.01"}
    with FakeWikimedia(ds, faults) as fake:
        urls = [f"{fake.base}/other/pageviews/2024/2024-05/{f.name}" for f in files]
        out = run_cli("ingest", "--download-dir", str(tmp_path / "dl"), *urls, db=store_path, env=env)
        assert out.returncode == 0, out.stderr
        for f in files:
            assert (tmp_path / "dl" / f.name).read_bytes() == f.read_bytes()
        assert not list((tmp_path / "dl").glob("*.part"))
        ranges = [r["range"] for r in fake.requests if r["kind"] == "dump" and files[1].name in r["path"]]
        assert ranges[0] is None and ranges[1] == f"bytes={files[1].stat().st_size // 2}-"
        assert fake.count("dump") == 3 + 2 + 1  # the three files, two refusals, one resumption
        assert all("tests@belvedere.example" in r["ua"] for r in fake.requests)
        again = run_cli("ingest", "--download-dir", str(tmp_path / "dl"), *urls, db=store_path, env=env)
        assert again.returncode == 0 and "3 déjà présent" in again.stdout and fake.count("dump") == 6
        missing = run_cli("ingest", "--download-dir", str(tmp_path / "dl"), urls[0].replace("20240505", "20240506"),
                          db=store_path, env={**env, "BELVEDERE_MAX_TRIES": "2"})  # fmt: skip
        assert missing.returncode == 1 and "pageviews-20240506" in missing.stderr
    expected = Counter()
    for f in files:
        expected += _expected(f, set(titles))
    with Store(store_path, read_only=True) as store:
        assert _hours(store) == expected
