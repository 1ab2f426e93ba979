"""Bulk history from Wikimedia's hourly pageview dumps, filtered and aggregated inside DuckDB.

A file ``pageviews-YYYYMMDD-HH0000.gz`` holds one hour of every wiki: lines
``domain_code page_title count_views total_response_size`` (``fr`` = desktop, ``fr.m`` =
mobile web for fr.wikipedia; counted as the ``user`` agent). DuckDB decompresses and scans it,
keeps the lines of the project whose title is one of the store's articles, and sums them per
article and access: no Python loop over lines.

Titles are compared as Wikimedia writes them in URLs: underscores for spaces, case kept; a
percent-encoded title (``Saint-%C3%89tienne``) is decoded once, so both spellings meet.

Safety: each file is ingested in one transaction together with its line in ``dump_files``
(name, size, SHA-256): re-ingesting it is a no-op, a truncated or corrupt file fails naming it
and writes nothing, and a batch interrupted half-way resumes with the files not yet recorded.
Hours wait in ``dump_hours`` until their day has all 24, then the day is settled into
``pageviews`` (replacing what the REST API may have written for it).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.store import Store
from belvedere.store.db import now

HOURLY_NAME = re.compile(r"pageviews-(\d{8})-(\d{2})0000(?:\.gz)?$")
DOMAINS = {"fr.wikipedia": ("fr", "fr.m")}  # desktop, mobile web

READ = """
    SELECT domain, title, views FROM read_csv(?, delim = ' ', header = false, quote = '', escape = '',
        columns = {'domain': 'VARCHAR', 'title': 'VARCHAR', 'views': 'BIGINT', 'size': 'BIGINT'},
        compression = 'gzip', auto_detect = false, null_padding = false)
"""


@dataclass
class IngestReport:
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # already ingested
    lines: int = 0
    days_settled: int = 0


def hour_of(path: str | Path) -> datetime:
    """The hour a file holds, from its name (``pageviews-20240803-060000.gz`` -> 2024-08-03 06:00)."""
    m = HOURLY_NAME.search(Path(path).name)
    if not m:
        raise BelvedereError(M.t("dump_bad_name", name=Path(path).name))
    try:
        return datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H")
    except ValueError:
        raise BelvedereError(M.t("dump_bad_name", name=Path(path).name)) from None


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ingest_hourly(store: Store, paths: Iterable[str | Path], project: str = "fr.wikipedia",
                  progress: Callable[[int, int], None] | None = None, engine: str = "duckdb",
                  spark_master: str = "local[*]") -> IngestReport:  # fmt: skip
    """Ingest hourly dump files into the store (see the module's docstring). ``engine="spark"``
    reads and aggregates them with Spark (``spark_master``), then writes the same way."""
    if engine not in ("duckdb", "spark"):
        raise BelvedereError(M.t("dump_bad_engine", engine=engine))
    if project not in DOMAINS:
        raise BelvedereError(M.t("dump_bad_project", project=project, choices=", ".join(DOMAINS)))
    desktop, mobile = DOMAINS[project]
    files = _existing(paths, hour_of)
    report = IngestReport()
    con = store.con
    done = _ingested(store)
    todo = []
    for f in files:
        digest = _new_digest(f, done)
        if digest is None:
            report.skipped.append(f.name)
        else:
            todo.append((f, digest))
    if engine == "spark" and todo:
        from belvedere.sources import spark_dumps

        titles = con.sql("SELECT article_id, title FROM articles WHERE project = ?", params=[project]).to_arrow_table()
        tables = spark_dumps.run([f for f, _ in todo], titles, desktop, mobile, spark_master)
        for f, digest in todo:
            report.lines += _write(store, f, digest, project, tables[f.name])
            report.files += 1
            if progress:
                progress(report.files + len(report.skipped), len(files))
        todo = []
    # Files are read in parallel (gzip is one core per file), each by its own DuckDB cursor, at
    # most `workers` ahead of the writer; they are written in order, one transaction each.
    workers = max(1, min(os.cpu_count() or 1, len(todo)))
    cursors = [con.cursor() for _ in range(workers)]
    free = list(range(workers))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        queue = deque(todo)

        def submit() -> None:
            while queue and free:
                f, digest = queue.popleft()
                slot = free.pop()
                pending.append((f, digest, slot, pool.submit(_read, cursors[slot], f, project, desktop, mobile)))

        submit()
        while pending:
            f, digest, slot, future = pending.popleft()
            try:
                table = future.result()
            finally:
                free.append(slot)
            if isinstance(table, BelvedereError):
                for *_, other in pending:
                    other.cancel()
                raise table
            report.lines += _write(store, f, digest, project, table)
            report.files += 1
            if progress:
                progress(report.files + len(report.skipped), len(files))
            submit()
    for cursor in cursors:
        cursor.close()
    report.days_settled = settle(store)
    return report


def _read(cursor: duckdb.DuckDBPyConnection, f: Path, project: str, desktop: str,
          mobile: str) -> pa.Table | BelvedereError:  # fmt: skip
    """The file's views per known article and access (a small table), or the error naming it."""
    try:
        return cursor.sql(
            f"""SELECT a.article_id, CASE r.domain WHEN ? THEN 'desktop' ELSE 'mobile-web' END AS access,
                       sum(r.views)::BIGINT AS views
                FROM ({READ}) r JOIN articles a ON a.project = ? AND a.title = replace(url_decode(r.title), ' ', '_')
                WHERE r.domain IN (?, ?) GROUP BY ALL""",
            params=[desktop, str(f), project, desktop, mobile],
        ).to_arrow_table()
    except duckdb.Error as exc:  # IOException (truncated gzip), InvalidInputException (a bad line)
        return BelvedereError(M.t("dump_corrupt", name=f.name, err=str(exc).splitlines()[0]))


def _write(store: Store, f: Path, digest: str, project: str, table: pa.Table) -> int:
    when = hour_of(f)
    con = store.con
    with store.transaction():
        con.register("_hour", table)
        con.execute(
            "INSERT INTO dump_hours SELECT article_id, ?::DATE, ?, access::access_t, views FROM _hour",
            [when.date(), when.hour],
        )
        con.unregister("_hour")
        _record(con, f, digest, project, when.date(), when.hour, table.num_rows)
    return table.num_rows


def _existing(paths: Iterable[str | Path], name_check: Callable[[Path], object]) -> list[Path]:
    """The files, each checked to exist and to carry a dump's name, before anything is read."""
    files = [Path(p) for p in paths]
    for f in files:
        if not f.is_file():
            raise BelvedereError(M.t("dump_missing", path=f))
        name_check(f)
    return files


def _ingested(store: Store) -> dict[str, str]:
    return {r[0]: r[1] for r in store.con.execute("SELECT name, sha256 FROM dump_files").fetchall()}


def _new_digest(f: Path, done: dict[str, str]) -> str | None:
    """The file's SHA-256 when it is still to ingest, None when it already was; a file of that
    name ingested with another content is refused."""
    digest = sha256(f)
    if done.get(f.name) == digest:
        return None
    if f.name in done:
        raise BelvedereError(M.t("dump_changed", name=f.name))
    return digest


def _record(con: duckdb.DuckDBPyConnection, f: Path, digest: str, project: str, day: date, hour: int, rows: int,
            agent: str | None = None) -> None:  # fmt: skip
    """The file in ``dump_files`` (hour 24: a whole day) and in the ingest log, inside the caller's transaction."""
    con.execute("INSERT INTO dump_files VALUES (?, ?, ?, ?, ?, ?, ?)",
                [f.name, digest, f.stat().st_size, day, hour, rows, now()])  # fmt: skip
    con.execute(
        "INSERT INTO ingest_log (source, origin, project, agent, start_date, end_date, status, rows, detail, "
        "fetched_at) VALUES ('dump', ?, ?, ?, ?, ?, 'ok', ?, ?, ?)",
        [f.name, project, agent, day, day, rows, f"sha256 {digest}", now()],
    )


def settle(store: Store) -> int:
    """Move the days that have all 24 hours from ``dump_hours`` into ``pageviews`` (user agent,
    dense: an article of the store gets a zero on an access it had no line for). Returns the days."""
    con = store.con
    days = [r[0] for r in con.execute(
        "SELECT date FROM dump_files GROUP BY date HAVING count(DISTINCT hour) = 24 "
        "AND date IN (SELECT DISTINCT date FROM dump_hours) ORDER BY date"
    ).fetchall()]  # fmt: skip
    for day in days:
        with store.transaction():
            con.execute(
                "DELETE FROM pageviews WHERE date = ? AND agent = 'user' AND access IN ('desktop', 'mobile-web') "
                "AND article_id IN (SELECT article_id FROM articles WHERE source <> 'simulated')",
                [day],
            )
            con.execute(
                """INSERT INTO pageviews
                   SELECT a.article_id, ?::DATE, x.access::access_t, 'user',
                          coalesce((SELECT sum(h.views) FROM dump_hours h WHERE h.article_id = a.article_id
                                    AND h.date = ? AND h.access = x.access::access_t), 0)::INTEGER
                   FROM articles a, (VALUES ('desktop'), ('mobile-web')) x(access)
                   WHERE a.source <> 'simulated'""",
                [day, day],
            )
            con.execute("DELETE FROM dump_hours WHERE date = ?", [day])
    return len(days)


DAILY_NAME = re.compile(r"pageviews-(\d{8})-(user|automated|spider)(?:\.bz2)?$")
ACCESSES = ("desktop", "mobile-web", "mobile-app")


def day_of(path: str | Path) -> tuple[datetime, str]:
    """(day, agent) of a ``pageview_complete`` daily file, from its name."""
    m = DAILY_NAME.search(Path(path).name)
    if not m:
        raise BelvedereError(M.t("dump_bad_daily_name", name=Path(path).name))
    try:
        return datetime.strptime(m.group(1), "%Y%m%d"), m.group(2)
    except ValueError:
        raise BelvedereError(M.t("dump_bad_daily_name", name=Path(path).name)) from None


def ingest_daily(store: Store, paths: Iterable[str | Path], project: str = "fr.wikipedia",
                 progress: Callable[[int, int], None] | None = None) -> IngestReport:  # fmt: skip
    """Ingest ``pageview_complete`` daily files (``pageviews-YYYYMMDD-user.bz2``, or already
    decompressed): ``wiki_code title [page_id] access daily_total hourly_letters``, 6 fields or 5
    when the page id is missing. The daily totals of the store's articles replace that day's rows
    for the file's agent, zeros included (the file covers the whole day); one transaction per file."""
    import bz2
    import tempfile

    files = _existing(paths, day_of)
    report = IngestReport()
    done = _ingested(store)
    for k, f in enumerate(files, start=1):
        digest = _new_digest(f, done)
        if digest is None:
            report.skipped.append(f.name)
            continue
        day, agent = day_of(f)
        with tempfile.TemporaryDirectory() as tmp:
            source = f
            if f.suffix == ".bz2":  # DuckDB reads gzip and zstd, not bzip2: decompressed in blocks
                source = Path(tmp) / f.stem
                try:
                    with bz2.open(f, "rb") as src, source.open("wb") as out:
                        for block in iter(lambda: src.read(1 << 22), b""):
                            out.write(block)
                except (OSError, EOFError, ValueError) as exc:
                    raise BelvedereError(M.t("dump_corrupt", name=f.name, err=exc)) from None
            report.lines += _write_daily(store, f, source, digest, project, day, agent)
        report.files += 1
        done[f.name] = digest
        if progress:
            progress(k, len(files))
    return report


def _write_daily(store: Store, f: Path, source: Path, digest: str, project: str, day: datetime,
                 agent: str) -> int:  # fmt: skip
    con = store.con
    with store.transaction():
        try:
            con.execute(
                """CREATE OR REPLACE TEMP TABLE _day AS
                   WITH parts AS (
                       SELECT string_split(line, ' ') AS p FROM read_csv(?, delim = '\\x01', header = false,
                           quote = '', escape = '', columns = {'line': 'VARCHAR'}, auto_detect = false)
                   )
                   SELECT p[1] AS wiki, replace(url_decode(p[2]), ' ', '_') AS title,
                          CASE len(p) WHEN 6 THEN p[4] WHEN 5 THEN p[3] END AS access,
                          TRY_CAST(CASE len(p) WHEN 6 THEN p[5] WHEN 5 THEN p[4] END AS BIGINT) AS total
                   FROM parts WHERE p[1] = ?""",
                [str(source), project],
            )
        except duckdb.Error as exc:
            raise BelvedereError(M.t("dump_corrupt", name=f.name, err=str(exc).splitlines()[0])) from None
        bad = con.execute(
            "SELECT count(*) FROM _day WHERE total IS NULL OR total < 0 OR access NOT IN ('desktop', 'mobile-web', "
            "'mobile-app') OR access IS NULL"
        ).fetchall()[0][0]
        if bad:
            raise BelvedereError(M.t("dump_bad_rows", name=f.name, n=bad))
        con.execute(
            "DELETE FROM pageviews WHERE date = ? AND agent = ? "
            "AND article_id IN (SELECT article_id FROM articles WHERE project = ? AND source <> 'simulated')",
            [day.date(), agent, project],
        )
        kept = con.execute(
            """INSERT INTO pageviews
               SELECT a.article_id, ?::DATE, x.access::access_t, ?::agent_t, coalesce(d.views, 0)::INTEGER
               FROM articles a CROSS JOIN (VALUES ('desktop'), ('mobile-web'), ('mobile-app')) x(access)
               LEFT JOIN (SELECT title, access, sum(total) AS views FROM _day GROUP BY ALL) d
                      ON d.title = a.title AND d.access = x.access
               WHERE a.project = ? AND a.source <> 'simulated'""",
            [day.date(), agent, project],
        ).fetchall()[0][0]
        _record(con, f, digest, project, day.date(), 24, kept, agent)
        con.execute("DROP TABLE _day")
    return int(kept)
