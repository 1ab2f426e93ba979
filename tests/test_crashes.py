"""Killed at every write, then run again: the store is the one an uninterrupted run gives.

Each command below is run once to the end (the reference), then, for every transaction N it makes,
killed with SIGKILL just before and just after the N-th commit (``BELVEDERE_KILL_AT``, see
``belvedere.store.db``) and run again without the kill. DuckDB's write-ahead log and the one
transaction per unit of work (a file, a day, a range, a note) must make the rerun a clean run."""

from __future__ import annotations

import bz2
import gzip
import shutil
import signal
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from belvedere.reference.load import prepare_store
from belvedere.store import Store
from tests.conftest import run_cli
from tests.fakes.wikimedia import Dataset, FakeWikimedia, daily

CONTACT = "tests@belvedere.example"


def state(path: Path) -> dict[str, list]:
    """What a run leaves, by content (ids and timestamps differ between runs)."""
    queries = {
        "articles": "SELECT project, title, commune_code, verified, source, page_id FROM articles",
        "pageviews": "SELECT a.title, p.date, p.access, p.agent, p.views FROM pageviews p JOIN articles a "
        "USING (article_id)",
        "dump_files": "SELECT name, sha256, size, date, hour, lines, kept FROM dump_files",
        "dump_hours": "SELECT a.title, h.date, h.hour, h.access, h.views FROM dump_hours h JOIN articles a "
        "USING (article_id)",
        "project_views": "SELECT p.title, v.date, v.hour, v.access, v.agent, v.views FROM project_views v "
        "JOIN project_pages p USING (page_key)",
        "project_totals": "SELECT * FROM project_totals",
        "annotations": "SELECT target_kind, commune_code, target_date, text, url, category FROM annotations",
        "campaigns": "SELECT c.name, c.channel, c.start_date, c.end_date, c.cost, list_sort(list(cc.commune_code)) "
        "FROM campaigns c JOIN campaign_communes cc USING (campaign_id) GROUP BY ALL",
    }
    with Store(path, read_only=True) as store:
        return {name: store.con.execute(f"{sql} ORDER BY ALL").fetchall() for name, sql in queries.items()}


def killed_at_every_write(template: Path, tmp: Path, args: list[str], env: dict[str, str] | None = None,
                          setup: Callable[[], None] | None = None) -> list[str]:  # fmt: skip
    """Run ``args`` on copies of ``template``: once whole, then killed at each commit and rerun;
    every rerun must end with the whole run's store. Returns the kill points exercised."""
    whole = tmp / "whole.duckdb"
    shutil.copy(template, whole)
    if setup:
        setup()
    done = run_cli(*args, db=whole, env=env)
    assert done.returncode == 0, done.stderr
    expected = state(whole)
    points = []
    for when in ("before", "after"):
        for n in range(1, 60):
            db = tmp / f"{when}{n}.duckdb"
            shutil.copy(template, db)
            if setup:
                setup()
            out = run_cli(*args, db=db, env={**(env or {}), "BELVEDERE_KILL_AT": f"{when}:{n}"})
            if out.returncode == 0:  # the command makes fewer than n transactions
                break
            assert out.returncode == -signal.SIGKILL, out.stderr
            if setup:
                setup()
            again = run_cli(*args, db=db, env=env)
            assert again.returncode == 0, (when, n, again.stderr)
            assert state(db) == expected, f"killed {when} commit {n}, then rerun: not the store of a whole run"
            points.append(f"{when}:{n}")
            db.unlink()
    return points


@pytest.fixture(scope="module")
def initialised(reference_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store as `init` leaves it: the reference, the PVD list, a probable title for every commune."""
    path = tmp_path_factory.mktemp("crash") / "init.duckdb"
    shutil.copy(reference_db, path)
    with Store(path) as store:
        prepare_store(store)
    return path


def _hour(folder: Path, day: date, hour: int) -> Path:
    path = folder / f"pageviews-{day:%Y%m%d}-{hour:02d}0000.gz"
    lines = f"fr Carrouges {hour + 3} 0\nfr.m Carrouges {2 * hour + 1} 0\nfr.m Carrouges_(Orne) 1 0\nfr Autre 2 0\n"
    path.write_bytes(gzip.compress(lines.encode()))
    return path


def test_ingest_killed_at_each_write(initialised: Path, tmp_path: Path) -> None:
    """Two hourly files completing a day (then settled) and a daily pageview_complete file."""
    day = date(2024, 4, 1)
    files = tmp_path / "files"
    files.mkdir()
    template = tmp_path / "template.duckdb"
    shutil.copy(initialised, template)
    first = [str(_hour(files, day, h)) for h in range(22)]
    run_cli("ingest", *first, db=template, check=True)  # 22 hours in, the day waits for two more
    last = [str(_hour(files, day, h)) for h in (22, 23)]
    daily_file = files / "pageviews-20240402-user.bz2"
    daily_file.write_bytes(
        bz2.compress(b"fr.wikipedia Carrouges 1 desktop 12 A5B7\nfr.wikipedia Autre 2 desktop 3 A3\n")
    )
    points = killed_at_every_write(template, tmp_path, ["ingest", *last, str(daily_file)])
    assert len(points) >= 2 * 4  # two files, the day settled, the daily file: before and after each


def test_fetch_killed_at_each_write(initialised: Path, tmp_path: Path) -> None:
    d0 = date(2024, 1, 1)
    ds = Dataset()
    ds.views[("Carrouges", "desktop", "user")] = daily(d0, [3, 0, 5, 8, 1, 2, 9, 4, 4, 1])
    ds.views[("Carrouges", "mobile-web", "user")] = daily(d0, [7] * 10)
    ds.views[("L'Haÿ-les-Roses", "mobile-web", "user")] = daily(d0, [2] * 10)
    ds.totals[("desktop", "user")] = daily(d0, [1_000_000] * 10)
    with FakeWikimedia(ds) as fake:
        env = {"BELVEDERE_WIKIMEDIA_API": fake.rest_api, "BELVEDERE_CONTACT": CONTACT,
               "BELVEDERE_BACKOFF_BASE": "0.01"}  # fmt: skip
        points = killed_at_every_write(initialised, tmp_path, ["fetch", "--communes", "61074,94038", "--start",
                                                               "2024-01-01", "--end", "2024-01-10"], env)  # fmt: skip
    assert len(points) >= 2 * 2


def test_annotate_and_campaign_add_killed_at_each_write(demo_db: Path, tmp_path: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        code = store.con.execute("SELECT min(commune_code) FROM articles").fetchall()[0][0]
    note = ["annotate", code, "--date", "2024-03-10", "--text", "Reportage au journal de 20 h", "--category", "tv"]
    assert len(killed_at_every_write(demo_db, tmp_path, note)) == 2  # one transaction
    campaign = ["campaign", "add", "--commune", code, "--name", "Concours photo", "--start", "2024-05-01",
                "--end", "2024-05-31", "--cost", "1200"]  # fmt: skip
    assert len(killed_at_every_write(demo_db, tmp_path, campaign)) == 2
