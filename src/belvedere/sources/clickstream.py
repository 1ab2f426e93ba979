"""Wikimedia's monthly clickstream for frwiki: where the readers of each commune's article came from.

The file as published (``clickstream-frwiki-YYYY-MM.tsv.gz``): one line per (referrer, article)
pair seen more than 10 times in the month, tab-separated ``prev curr type n``, titles with
underscores and no quoting (a title may hold quotes, commas, any Unicode); ``type`` is ``link``
(a link in another article), ``external`` (a search engine or another site) or ``other``; ``prev``
is an article title or one of ``other-search``, ``other-external``, ``other-internal``,
``other-empty``, ``other-other``.

A file is read in one transaction: its rows whose ``curr`` is a commune's article or one of its
redirects replace that month's, or nothing is written when a line is malformed. The same file
(same name and checksum) is not read twice; another content under the same name is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from belvedere import messages as M
from belvedere.checksums import sha256_file
from belvedere.dates import month_end
from belvedere.errors import BelvedereError
from belvedere.store import Store
from belvedere.store.db import now

NAME = re.compile(r"clickstream-([a-z_]+)wiki-(\d{4})-(\d{2})\.tsv(?:\.gz)?$")
TYPES = ("link", "external", "other")


@dataclass
class ClickstreamReport:
    files: int = 0
    skipped: int = 0  # already read, as they are
    lines: int = 0
    kept: int = 0


def month_of(path: Path) -> date:
    m = NAME.search(path.name)
    if not m:
        raise BelvedereError(M.t("clickstream_bad_name", name=path.name))
    if m.group(1) != "fr":
        raise BelvedereError(M.t("clickstream_not_frwiki", name=path.name))
    return date(int(m.group(2)), int(m.group(3)), 1)


def ingest_clickstream(store: Store, paths: list[Path]) -> ClickstreamReport:
    """Read each file (see the module's docstring); returns what was read and kept."""
    report = ClickstreamReport()
    done = dict(store.con.execute("SELECT name, sha256 FROM clickstream_files").fetchall())
    for path in paths:
        month = month_of(path)
        if not path.is_file():
            raise BelvedereError(M.t("dump_missing", path=path))
        digest = sha256_file(path)
        if done.get(path.name) == digest:
            report.skipped += 1
            continue
        if path.name in done:
            raise BelvedereError(M.t("dump_changed", name=path.name))
        lines, kept = _read_one(store, path, month, digest)
        report.files += 1
        report.lines += lines
        report.kept += kept
    return report


def _read_one(store: Store, path: Path, month: date, digest: str) -> tuple[int, int]:
    con = store.con
    source = (
        f"read_csv('{str(path).replace(chr(39), chr(39) * 2)}', delim='\\t', header=false, quote='', escape='', "
        "columns={'prev': 'VARCHAR', 'curr': 'VARCHAR', 'type': 'VARCHAR', 'n': 'BIGINT'}, auto_detect=false, "
        "strict_mode=true, null_padding=false)"
    )
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _clicks AS SELECT * FROM {source}")
    except (duckdb.Error, OSError, EOFError) as exc:  # a truncated gzip, a line without its four fields
        raise BelvedereError(M.t("clickstream_bad_file", name=path.name, err=str(exc).splitlines()[0])) from None
    try:
        lines, bad_type, bad_n = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE type NOT IN {TYPES}), "
            "count(*) FILTER (WHERE n IS NULL OR n <= 0 OR prev IS NULL OR curr IS NULL) FROM _clicks"
        ).fetchall()[0]
        if bad_type or bad_n:
            raise BelvedereError(M.t("clickstream_bad_rows", name=path.name, n=bad_type + bad_n))
        if not lines:
            raise BelvedereError(M.t("clickstream_empty", name=path.name))
        with store.transaction():
            con.execute("DELETE FROM clickstream WHERE month = ?", [month])
            kept = con.execute(
                """INSERT INTO clickstream
                   SELECT ?::DATE, a.article_id, c.prev, c.type, c.n::INTEGER FROM _clicks c
                   JOIN (SELECT min(article_id) AS article_id, replace(title, ' ', '_') AS title FROM articles
                         WHERE project = 'fr.wikipedia' GROUP BY 2) a ON a.title = c.curr""",
                [month],
            ).fetchall()[0][0]
            con.execute(
                "INSERT INTO clickstream_files VALUES (?, ?, ?, ?, ?, ?)",
                [path.name, digest, month, lines, kept, now()],
            )
            # in the log too, with its month: the shared events of the periods it covers are computed again
            con.execute(
                "INSERT INTO ingest_log (source, origin, project, start_date, end_date, status, rows, detail, "
                "fetched_at) VALUES ('clickstream', ?, 'fr.wikipedia', ?, ?, 'ok', ?, ?, ?)",
                [path.name, month, month_end(month), kept, f"sha256 {digest}", now()],
            )
        return int(lines), int(kept)
    finally:
        con.execute("DROP TABLE IF EXISTS _clicks")
