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
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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
                  progress: Callable[[int, int], None] | None = None) -> IngestReport:  # fmt: skip
    """Ingest hourly dump files into the store (see the module's docstring)."""
    if project not in DOMAINS:
        raise BelvedereError(M.t("dump_bad_project", project=project, choices=", ".join(DOMAINS)))
    desktop, mobile = DOMAINS[project]
    files = [Path(p) for p in paths]
    for f in files:
        if not f.is_file():
            raise BelvedereError(M.t("dump_missing", path=f))
        hour_of(f)
    report = IngestReport()
    con = store.con
    done = {r[0]: r[1] for r in con.execute("SELECT name, sha256 FROM dump_files").fetchall()}
    for k, f in enumerate(files, start=1):
        digest = sha256(f)
        if done.get(f.name) == digest:
            report.skipped.append(f.name)
        else:
            if f.name in done:
                raise BelvedereError(M.t("dump_changed", name=f.name))
            report.lines += _ingest_one(store, f, digest, project, desktop, mobile)
            report.files += 1
            done[f.name] = digest
        if progress:
            progress(k, len(files))
    report.days_settled = settle(store)
    return report


def _ingest_one(store: Store, f: Path, digest: str, project: str, desktop: str, mobile: str) -> int:
    when = hour_of(f)
    con = store.con
    with store.transaction():
        try:
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _hour AS
                    SELECT replace(url_decode(title), ' ', '_') AS title,
                           CASE domain WHEN ? THEN 'desktop' ELSE 'mobile-web' END AS access,
                           sum(views)::BIGINT AS views
                    FROM ({READ}) WHERE domain IN (?, ?) GROUP BY ALL""",
                [desktop, str(f), desktop, mobile],
            )
        except Exception as exc:  # duckdb.IOException (truncated gzip), InvalidInputException (bad line)
            first = str(exc).splitlines()[0]
            raise BelvedereError(M.t("dump_corrupt", name=f.name, err=first)) from None
        kept = con.execute(
            """INSERT INTO dump_hours
               SELECT a.article_id, ?::DATE, ?, h.access::access_t, h.views FROM _hour h
               JOIN articles a ON a.project = ? AND a.title = h.title""",
            [when.date(), when.hour, project],
        ).fetchall()[0][0]
        con.execute(
            "INSERT INTO dump_files VALUES (?, ?, ?, ?, ?, ?, ?)",
            [f.name, digest, f.stat().st_size, when.date(), when.hour, kept, now()],
        )
        con.execute(
            "INSERT INTO ingest_log (source, origin, project, start_date, end_date, status, rows, detail, fetched_at) "
            "VALUES ('dump', ?, ?, ?, ?, 'ok', ?, ?, ?)",
            [f.name, project, when.date(), when.date(), kept, f"sha256 {digest}", now()],
        )
        con.execute("DROP TABLE _hour")
    return int(kept)


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
