"""Hourly Wikimedia dumps into the store: exact counts on the real excerpt, hour from the file
name, idempotence, a corrupt file, an interrupted batch, complete days settled."""

from __future__ import annotations

import gzip
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
from tests.conftest import run_cli

EXCERPT = Path(__file__).resolve().parents[2] / "shared" / "data" / "pageviews-20240803-060000_sample1000.gz"


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
        ingest_hourly(store, [dump])
        got = _hours(store)
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
            "WHERE p.date = ? AND p.agent = 'user'", [day]
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
            "WHERE p.date = ? AND p.agent = 'user'", [day]
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
    """The same files through both engines (Spark in local mode, Debian's Java): identical rows."""
    titles = ["Saint-Étienne", "Carrouges", "Bourg-en-Bresse", "Évian-les-Bains", "A+B_(commune)"]
    files = [write_hourly(tmp_path, date(2024, 5, 3), h, titles, seed=5, filler=400) for h in range(3)]
    results = {}
    for engine in ("duckdb", "spark"):
        path = tmp_path / f"{engine}.duckdb"
        _store_with_articles(path, reference_db, titles).close()
        out = run_cli("ingest", "--engine", engine, "--spark-master", "local[2]", *map(str, files), db=path)
        assert out.returncode == 0, out.stderr[-2000:]
        with Store(path, read_only=True) as store:
            results[engine] = sorted(store.con.execute(
                "SELECT a.title, h.date, h.hour, h.access::VARCHAR, h.views FROM dump_hours h "
                "JOIN articles a USING (article_id)"
            ).fetchall())  # fmt: skip
    assert results["duckdb"] == results["spark"] and len(results["duckdb"]) >= 12


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
            "WHERE p.agent = 'user'"
        ).fetchall()
    got = {(t, a, d): v for t, a, d, v in rows}
    assert len(got) == 4 * 3 * 29 and min(d for *_, d in got) == month and max(d for *_, d in got) == date(2024, 2, 29)
    assert got == {k: expected.get(k, 0) for k in got}
    for bad in ("fr.wikipedia Carrouges 1 desktop 5 A2^3", "fr.wikipedia Carrouges 1 desktop 6 A2B3"):
        odd = tmp_path / "odd" / "pageviews-202402-automated"
        odd.parent.mkdir(exist_ok=True)
        odd.write_text(f"fr.wikipedia Carrouges 1 desktop 5 A5\n{bad}\n")
        out = run_cli("ingest", str(odd), db=store_path)
        assert out.returncode == 1 and odd.name in out.stderr and "1 ligne" in out.stderr, out.stderr
