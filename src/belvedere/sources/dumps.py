"""Bulk history from Wikimedia's pageview dumps: lines picked by vectorised code, matched and summed by DuckDB.

A file ``pageviews-YYYYMMDD-HH0000.gz`` holds one hour of every wiki: lines
``domain_code page_title count_views total_response_size`` (``fr`` = desktop, ``fr.m`` =
mobile web for fr.wikipedia; counted as the ``user`` agent). It is decompressed by ISA-L in
4 MB blocks; the project's lines are picked by their first bytes with numpy (a few percent of
the file), parsed by Arrow's CSV reader, then matched to the store's articles and summed per
article and access by DuckDB: no Python loop over lines, and a reader's memory stays at a few
blocks plus the project's lines of one file, whatever the number of files.

Titles are compared as Wikimedia writes them in URLs: underscores for spaces, case kept; a
percent-encoded title (``Saint-%C3%89tienne``) is decoded once, so both spellings meet; a '+'
stays a plus, and an escape that does not decode to UTF-8 (``Caf%E9``) leaves the title as
written, so it matches nothing.

Safety: each file is ingested in one transaction together with its line in ``dump_files``
(name, size, SHA-256): re-ingesting it is a no-op, a truncated or corrupt file fails naming it
and writes nothing, and a batch interrupted half-way resumes with the files not yet recorded.
Hours wait in ``dump_hours`` until their day has all 24, then the day is settled into
``pageviews`` (replacing what the REST API may have written for it).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from belvedere import messages as M
from belvedere.checksums import sha256_file as sha256
from belvedere.dates import month_end
from belvedere.errors import BelvedereError
from belvedere.sources.http import FetchFailed, PoliteClient
from belvedere.store import Store, audience
from belvedere.store import foreign as foreign_store
from belvedere.store.db import now
from belvedere.store.schema import ACCESSES

CLICKSTREAM_NAME = re.compile(r"clickstream-[a-z_]+wiki-\d{4}-\d{2}\.tsv(?:\.gz)?$")  # see sources.clickstream
HOURLY_NAME = re.compile(r"pageviews-(\d{8})-(\d{2})0000(?:\.gz)?$")
DOMAINS = {"fr.wikipedia": ("fr", "fr.m")}  # desktop, mobile web

BLOCK = 1 << 22  # decompressed bytes looked at at once: bounds a reader's memory whatever the file's size

# Counts no real page reaches (frwiki's main page has ~10^5 views an hour, the whole wiki ~3·10^7 a
# day): a line above them is a broken file, not audience. They also keep a day's sum inside the
# store's 32-bit counts (24 × 5·10^7 < 2^31).
MAX_HOURLY_VIEWS = 50_000_000  # one page, one access, one hour
MAX_DAILY_VIEWS = 1_000_000_000  # one page, one access, one day
# Malformed lines of the project tolerated (skipped and counted) before a file is refused: one in
# ten thousand, so that a real file with a stray line passes and a broken one does not.
MALFORMED_TOLERANCE = 1e-4
MAGIC = {"gzip": b"\x1f\x8b", "bzip2": b"BZh"}

# A dump's title as the store writes it: percent-escapes decoded once when they make valid UTF-8 (a
# literal '+' stays a plus), spaces as underscores; undecodable escapes leave the title as written.
TITLE = (
    "CASE WHEN contains({t}, '%') THEN coalesce(try(replace(url_decode(replace({t}, '+', '%2B')), ' ', '_')), {t}) "
    "ELSE {t} END"
)


@dataclass
class IngestReport:
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # already ingested
    lines: int = 0
    days_settled: int = 0
    unmatched: list[str] = field(default_factory=list)  # files read whole that matched no commune article
    malformed: int = 0  # malformed lines skipped (within the tolerance)
    replaced: list[str] = field(default_factory=list)  # files ingested again with --replace


# A title that may name a commune: its base, before " (…)", is a commune's current or former name
# ("Carrouges", "Carrouges_(Orne)", "Saint-Bois_(Ain)"). Dump files keep such titles, when they are
# not already an article of the store, in project_pages/project_views even without --all-articles (a
# small share of the project's lines), so that a title the store learns later (a corrected guess, a
# redirect) gets its views back; an article the store lets go of leaves its views there
# (``pool_views_of``).
BASE = "split_part({t}, '_(', 1)"


# every current and former commune name, as titles write them (underscores)
NAMES = (
    "SELECT DISTINCT replace(name, ' ', '_') AS name FROM (SELECT name FROM communes "
    "UNION ALL SELECT old_name FROM commune_history WHERE old_name IS NOT NULL)"
)


def commune_names(store: Store) -> pa.Table:
    """Every current and former commune name, as titles write them (underscores)."""
    return store.con.sql(NAMES).to_arrow_table()


def compression_of(f: Path) -> str:
    """What a dump file's name says it is: gzip (.gz), bzip2 (.bz2) or plain text."""
    return {".gz": "gzip", ".bz2": "bzip2"}.get(f.suffix, "texte")


def check_container(f: Path) -> None:
    """Refuse, before reading it, a file that is empty or not the compression its name says."""
    size = f.stat().st_size
    if size == 0:
        raise BelvedereError(M.t("dump_empty", name=f.name))
    with f.open("rb") as fh:
        head = fh.read(4)
    found = next((kind for kind, magic in MAGIC.items() if head.startswith(magic)), "texte")
    expected = compression_of(f)
    if found != expected:
        raise BelvedereError(M.t("dump_wrong_compression", name=f.name, expected=expected, found=found))


def check_counts(name: str, *, lines: int, malformed: int, negative: int, too_large: int, limit: int) -> None:
    """Refuse a file whose project lines are absent, malformed beyond the tolerance, negative or
    beyond any real count (see MAX_*_VIEWS); nothing of it is written."""
    if lines == 0:
        raise BelvedereError(M.t("dump_no_project_line", name=name))
    if negative:
        raise BelvedereError(M.t("dump_negative", name=name, n=negative))
    if too_large:
        raise BelvedereError(M.t("dump_too_large", name=name, n=too_large, limit=f"{limit:,}".replace(",", " ")))
    tolerated = int(lines * MALFORMED_TOLERANCE)
    if malformed > tolerated:
        raise BelvedereError(M.t("dump_malformed", name=name, n=malformed, lines=lines, tolerated=tolerated))


def foreign_domains_of(projects: Iterable[str]) -> tuple[str, ...]:
    """The hourly files' domain codes of these Wikipedia editions: "de.wikipedia" → "de", "de.m"."""
    codes = sorted({p.removesuffix(".wikipedia") for p in projects if p.endswith(".wikipedia")})
    return tuple(d for c in codes for d in (c, f"{c}.m"))


def hour_of(path: str | Path) -> datetime:
    """The hour a file holds, from its name (``pageviews-20240803-060000.gz`` -> 2024-08-03 06:00)."""
    m = HOURLY_NAME.search(Path(path).name)
    if not m:
        raise BelvedereError(M.t("dump_bad_name", name=Path(path).name))
    try:
        return datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H")
    except ValueError:
        raise BelvedereError(M.t("dump_bad_name", name=Path(path).name)) from None


def ingest_hourly(store: Store, paths: Iterable[str | Path], project: str = "fr.wikipedia",
                  progress: Callable[[int, int], None] | None = None, engine: str = "duckdb",
                  spark_master: str = "local[*]", all_articles: bool = False,
                  replace: bool = False) -> IngestReport:  # fmt: skip
    """Ingest hourly dump files into the store (see the module's docstring). ``engine="spark"``
    reads and aggregates them with Spark (``spark_master``), then writes the same way.
    ``all_articles`` also keeps every page of the project in ``project_pages``/``project_views``.
    ``replace`` ingests again a file whose name was ingested with another content (see ``_forget_hours``)."""
    if engine not in ("duckdb", "spark"):
        raise BelvedereError(M.t("dump_bad_engine", engine=engine))
    if project not in DOMAINS:
        raise BelvedereError(M.t("dump_bad_project", project=project, choices=", ".join(DOMAINS)))
    desktop, mobile = DOMAINS[project]
    files = _existing(paths, hour_of)
    report = IngestReport()
    con = store.con
    done = ingested(store)
    queued: set[str] = set()
    todo: list[Path] = []  # their checksum is computed while they are read
    replacing: list[Path] = []
    for f in files:
        if f.name in queued:
            report.skipped.append(f.name)
            continue
        if f.name in done:
            if _new_digest(f, done, replace) is None:  # another content is refused unless --replace
                report.skipped.append(f.name)
                continue
            replacing.append(f)
        todo.append(f)
        queued.add(f.name)
    if replacing:
        todo = _forget_hours(store, replacing, files, todo, report)
    kept = "all" if all_articles else "communes"
    # the lines of the communes' articles in other languages are kept too (attention from abroad):
    # their editions' desktop and mobile domains are picked in the same pass (not with Spark)
    foreign = con.sql("SELECT project, title FROM foreign_articles").to_arrow_table()
    foreign_domains = foreign_domains_of(foreign["project"].to_pylist()) if engine == "duckdb" else ()
    if engine == "spark" and todo:
        from belvedere.sources import spark_dumps

        for f in todo:
            check_container(f)
        titles = con.sql("SELECT article_id, title FROM articles WHERE project = ?", params=[project]).to_arrow_table()
        tables = spark_dumps.run(todo, titles, commune_names(store), desktop, mobile, spark_master, all_articles)
        for f in todo:
            report.lines += _write(store, f, sha256(f), project, *tables[f.name], kept)
            report.files += 1
            if progress:
                progress(report.files + len(report.skipped), len(files))
        todo = []
    # Files are read in parallel (gzip is one core per file), each by its own DuckDB cursor, at
    # most `workers` ahead of the writer; they are written in order, one transaction each.
    workers = max(1, min(os.cpu_count() or 1, len(todo)))
    cursors = [con.cursor() for _ in range(workers)]
    names = commune_names(store)
    for cursor in cursors:
        cursor.register("_names", names)
        cursor.register("_foreign", foreign)
    free = list(range(workers))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Any] = deque()
        queue = deque(todo)

        def submit() -> None:
            while queue and free:
                f = queue.popleft()
                slot = free.pop()
                pending.append(
                    (
                        f,
                        slot,
                        pool.submit(_read, cursors[slot], f, project, desktop, mobile, all_articles, foreign_domains),
                    )
                )

        submit()
        while pending:
            f, slot, future = pending.popleft()
            try:
                result = future.result()
            finally:
                free.append(slot)
            if isinstance(result, BelvedereError):
                for *_, other in pending:
                    other.cancel()
                settle(store)  # the days completed by the files before this one
                raise result
            try:
                report.lines += _write(store, f, result.digest, project, result.known, result.every, kept,
                                       result.foreign)  # fmt: skip
            except duckdb.Error as exc:  # e.g. a title listed so often that its sum overflows: refused whole
                settle(store)
                raise BelvedereError(M.t("dump_corrupt", name=f.name, err=str(exc).splitlines()[0])) from None
            report.malformed += result.malformed
            if result.known.num_rows == 0:
                report.unmatched.append(f.name)
            report.files += 1
            if progress:
                progress(report.files + len(report.skipped), len(files))
            submit()
    for cursor in cursors:
        cursor.close()
    report.days_settled = settle(store)
    return report


def _read(cursor: duckdb.DuckDBPyConnection, f: Path, project: str, desktop: str, mobile: str,
          all_articles: bool = False, foreign_domains: tuple[str, ...] = ()) -> HourRead | BelvedereError:  # fmt: skip
    """The file's views per known article and access (a small table), per title and access when
    ``all_articles``, its SHA-256 and its malformed lines skipped; or the error naming it (a bad
    file is refused whole: see ``check_container`` and ``check_counts``)."""
    try:
        check_container(f)
        raw, digest = project_lines(f, (desktop, mobile, *foreign_domains))
        lines, malformed = _parse(raw, ["domain", "title", "views", "size"], "domain title views")
        foreign = None
        if foreign_domains:  # the foreign articles' lines, apart; the checks below see them too
            home = pc.is_in(lines["domain"], pa.array([desktop, mobile]))
            abroad, lines = lines.filter(pc.invert(home)), lines.filter(home)
            cursor.register("_abroad", abroad)
            foreign = cursor.sql(
                f"""SELECT o.project, o.title, sum(o.views)::BIGINT AS views FROM (
                        SELECT regexp_replace(domain, '\\.m$', '') || '.wikipedia' AS project,
                               {TITLE.format(t="title")} AS title, views FROM _abroad) o
                    SEMI JOIN _foreign a ON a.project = o.project AND a.title = o.title
                    GROUP BY ALL"""
            ).to_arrow_table()
            cursor.unregister("_abroad")
        views = lines["views"]
        if foreign is not None:
            views = pa.chunked_array([*views.chunks, *foreign["views"].chunks], pa.int64())
        check_counts(
            f.name,
            lines=lines.num_rows + malformed,
            malformed=malformed,
            negative=int(pc.sum(pc.less(views, 0)).as_py() or 0),
            too_large=int(pc.sum(pc.greater(views, MAX_HOURLY_VIEWS)).as_py() or 0),
            limit=MAX_HOURLY_VIEWS,
        )
        cursor.register("_lines", lines)
        access = "CASE r.domain WHEN ? THEN 'desktop' ELSE 'mobile-web' END AS access"
        # every page of the project (--all-articles), else the store's articles and the titles that
        # may name a commune (BASE): kept in project_views, so that later titles find their views
        keep = "TRUE" if all_articles else (
            f"({BASE.format(t='title')} IN (SELECT name FROM _names) "
            "OR title IN (SELECT title FROM articles WHERE project = ?))"
        )  # fmt: skip
        try:
            every = cursor.sql(
                f"SELECT title, access, sum(views)::BIGINT AS views FROM (SELECT {TITLE.format(t='r.title')} AS "
                f"title, {access}, r.views FROM _lines r) WHERE {keep} GROUP BY ALL",
                params=[desktop] + ([] if all_articles else [project]),
            ).to_arrow_table()
            cursor.register("_every", every)
            known = cursor.sql(
                "SELECT a.article_id, e.access, e.views FROM _every e "
                "JOIN articles a ON a.project = ? AND a.title = e.title",
                params=[project],
            ).to_arrow_table()
            if not all_articles:  # the articles' own views are in the audience: the pool keeps the others
                every = cursor.sql(
                    "SELECT * FROM _every e ANTI JOIN articles a ON a.project = ? AND a.title = e.title",
                    params=[project],
                ).to_arrow_table()
            cursor.unregister("_every")
            return HourRead(known, every, digest, malformed, foreign)
        finally:
            cursor.unregister("_lines")
    except BelvedereError as exc:
        return exc
    except (OSError, EOFError, ValueError, duckdb.Error) as exc:  # truncated/corrupt gzip, a malformed line
        return BelvedereError(M.t("dump_corrupt", name=f.name, err=str(exc).splitlines()[0]))


@dataclass
class HourRead:
    """What reading one hourly file gave: views per article and access, the pages it keeps in
    project_views (every page with --all-articles, else the commune-like titles that are not
    articles), its checksum and its malformed lines skipped."""

    known: pa.Table
    every: pa.Table
    digest: str
    malformed: int
    foreign: pa.Table | None = None  # the foreign articles' views (project, title, views); None: not looked for


def project_lines(f: Path, domains: Iterable[str]) -> tuple[bytes, str]:
    """The lines of a gzip dump whose first field is one of ``domains``, and the file's SHA-256 (one
    pass over the file). Decompressed by ISA-L block by block and picked by their first bytes with
    numpy (no Python loop over lines): the project is a few percent of an hourly file, so only that
    much reaches the CSV parser."""
    from isal import igzip

    prefixes = [d.encode() + b" " for d in domains]
    kept: list[bytes] = []
    tail = b""
    with f.open("rb") as raw:
        hashed = _Hashing(raw)
        g = igzip.open(hashed, "rb") if compression_of(f) == "gzip" else io.BufferedReader(hashed, BLOCK)  # type: ignore[no-untyped-call]
        while True:
            block = g.read(BLOCK)
            if not block:
                if tail:
                    kept.append(_pick(tail + b"\n", prefixes))
                break
            block = tail + block
            cut = block.rfind(b"\n") + 1
            tail = block[cut:]
            if cut:
                kept.append(_pick(block[:cut], prefixes))
        g.close()
        return b"".join(kept), hashed.hexdigest()


class _Hashing(io.RawIOBase):
    """A binary file read through, hashing what passes (the checksum costs no second read)."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self.raw, self.h = raw, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n: int = self.raw.readinto(buffer)
        self.h.update(memoryview(buffer)[:n])
        return n

    def hexdigest(self) -> str:
        for block in iter(lambda: self.raw.read(1 << 20), b""):  # whatever the decompressor left unread
            self.h.update(block)
        return self.h.hexdigest()


def _pick(block: bytes, prefixes: list[bytes]) -> bytes:
    """The lines of ``block`` (whole lines) that start with one of ``prefixes``, in file order."""
    a = np.frombuffer(block, np.uint8)
    ends = np.flatnonzero(a == 10)
    starts = np.empty_like(ends)
    starts[0], starts[1:] = 0, ends[:-1] + 1
    first = a[starts]  # every line's first byte, gathered once
    keep = np.zeros(len(ends), bool)
    for prefix in prefixes:
        # narrow the candidates byte by byte; a candidate's earlier bytes matched (none is a newline),
        # so its next byte is still inside its own line
        lines = np.flatnonzero(first == prefix[0])
        for i, byte in enumerate(prefix[1:], start=1):  # bytes iterate as ints
            lines = lines[a[starts[lines] + i] == byte]
        keep[lines] = True
    edges = np.flatnonzero(np.diff(keep.view(np.int8), prepend=0, append=0))  # runs of kept lines
    first_line, last_line = edges[0::2], edges[1::2] - 1
    if len(first_line) <= 256:  # the real files are sorted by project: a couple of runs
        runs = zip(first_line.tolist(), last_line.tolist(), strict=True)
        return b"".join(block[starts[i] : ends[j] + 1] for i, j in runs)
    kept_bytes: bytes = a[np.repeat(keep, ends - starts + 1)].tobytes()
    return kept_bytes


def _parse(data: bytes, names: list[str], keep: str) -> tuple[pa.Table, int]:
    """Space-separated lines (no quoting) as an Arrow table of the ``keep`` columns, and the number
    of malformed lines left out (a wrong number of fields, a count that is not an integer)."""
    import pyarrow.csv as pv

    types = {n: (pa.int64() if n in ("views", "size") else pa.string()) for n in names}
    if not data:
        return pa.table({n: pa.array([], types[n]) for n in keep.split()}), 0
    bad = 0

    def skip(_row: object) -> str:  # called only for malformed rows: free on a clean file
        nonlocal bad
        bad += 1
        return "skip"

    def read(column_types: dict[str, pa.DataType]) -> pa.Table:
        return pv.read_csv(
            pa.py_buffer(data),
            read_options=pv.ReadOptions(column_names=names, use_threads=False, block_size=1 << 24),
            parse_options=pv.ParseOptions(delimiter=" ", quote_char=False, escape_char=False,
                                          invalid_row_handler=skip),
            convert_options=pv.ConvertOptions(column_types=column_types, include_columns=keep.split(),
                                              strings_can_be_null=False, null_values=[]),
        )  # fmt: skip

    try:
        return read(types), bad
    except pa.ArrowInvalid:  # a count that is not an integer: read as text, such lines counted and left out
        bad = 0
        table = read(dict.fromkeys(names, pa.string()))
        views = table["views"]
        good = table.filter(pc.match_substring_regex(views, r"^-?[0-9]+$"))
        bad += table.num_rows - good.num_rows
        # a count too long for 64 bits is beyond any real value: kept as the largest, so it is refused
        views = pc.replace_substring_regex(good["views"], r"^[0-9]{19,}$", str(2**63 - 1))
        views = pc.replace_substring_regex(views, r"^-[0-9]{19,}$", "-1")
        good = good.set_column(good.column_names.index("views"), "views", views)
        return good.cast(pa.schema([(n, types[n]) for n in good.column_names])), bad


def _write(store: Store, f: Path, digest: str, project: str, table: pa.Table, every: pa.Table | None,
           kept: str, foreign: pa.Table | None = None) -> int:  # fmt: skip
    when = hour_of(f)
    con = store.con
    with store.transaction():
        con.register("_hour", table)
        con.execute(
            "INSERT INTO dump_hours SELECT article_id, ?::DATE, ?, access::access_t, views FROM _hour",
            [when.date(), when.hour],
        )
        con.unregister("_hour")
        if every is not None:
            con.register("_every", every)
            _write_pages(con, project, "SELECT title, access, ?::DATE AS date, ? AS hour, views FROM _every",
                         [when.date(), when.hour], "user")  # fmt: skip
            con.unregister("_every")
        _record(con, f, digest, project, when.date(), when.hour, table.num_rows, kept=kept)
        if foreign is not None:
            foreign_store.add_dump_hour(con, f.name, foreign, when.date())
    return int(table.num_rows)


def _write_pages(con: duckdb.DuckDBPyConnection, project: str, counts: str, params: list[Any], agent: str) -> None:
    """Every page of ``counts`` (title, access, date, hour, views) into ``project_pages`` and
    ``project_views`` (every page with --all-articles, else the pool of commune-like titles), inside
    the caller's transaction; zero counts left out."""
    con.execute(
        f"""INSERT INTO project_pages (project, title)
            SELECT DISTINCT ?, c.title FROM ({counts}) c
            WHERE NOT EXISTS (SELECT 1 FROM project_pages p WHERE p.project = ? AND p.title = c.title)""",
        [project, *params, project],
    )
    con.execute(
        f"""INSERT INTO project_views
            SELECT p.page_key, c.date, c.hour, c.access::access_t, ?::agent_t, sum(c.views)
            FROM ({counts}) c JOIN project_pages p ON p.project = ? AND p.title = c.title
            WHERE c.views > 0 GROUP BY ALL""",
        [agent, *params, project],
    )


def is_url(arg: str) -> bool:
    return arg.startswith(("http://", "https://"))


async def download(client: PoliteClient, urls: list[str], directory: Path, done: set[str],
                   on_bytes: Callable[[int], None] | None = None) -> tuple[list[Path], list[str]]:  # fmt: skip
    """(local paths in ``directory``, names skipped) for the dump files at ``urls``, downloaded one at
    a time (the dumps server allows few connections). A file already there is not downloaded again,
    nor one whose name the store has ingested (``done``: Wikimedia does not rewrite a published
    dump); an interrupted download resumes where it stopped (see ``PoliteClient.download``)."""
    names = [unquote(urlparse(url).path.rsplit("/", 1)[-1]) for url in urls]
    for url, name in zip(urls, names, strict=True):  # all checked before anything is downloaded
        if not (HOURLY_NAME.search(name) or COMPLETE_NAME.search(name) or CLICKSTREAM_NAME.search(name)):
            raise BelvedereError(M.t("dump_bad_url", url=url))
    directory.mkdir(parents=True, exist_ok=True)
    paths, skipped = [], []
    for url, name in zip(urls, names, strict=True):
        dest = directory / name
        if name in done and not dest.exists():
            skipped.append(name)
            continue
        if not dest.exists():
            try:
                await client.download(url, dest, on_bytes)
            except FetchFailed as exc:
                raise BelvedereError(M.t("dump_download_failed", url=url, err=exc)) from None
        paths.append(dest)
    return paths, skipped


def _existing(paths: Iterable[str | Path], name_check: Callable[[Path], object]) -> list[Path]:
    """The files, each checked to exist and to carry a dump's name, before anything is read."""
    files = [Path(p) for p in paths]
    for f in files:
        if not f.is_file():
            raise BelvedereError(M.t("dump_missing", path=f))
        name_check(f)
    return files


def ingested(store: Store) -> dict[str, str]:
    """{file name: SHA-256} of the dump files (and clickstream files) already in the store."""
    return {
        r[0]: r[1]
        for r in store.con.execute(
            "SELECT name, sha256 FROM dump_files UNION ALL SELECT name, sha256 FROM clickstream_files"
        ).fetchall()
    }


def _new_digest(f: Path, done: dict[str, str], replace: bool = False) -> str | None:
    """The file's SHA-256 when it is to be read, None when it was already ingested as it is; a file
    of that name ingested with another content is refused, unless ``replace`` says it is on purpose
    (``replace`` also reads the same content again: titles learned since)."""
    digest = sha256(f)
    if done.get(f.name) == digest:
        return digest if replace else None
    if f.name in done and not replace:
        raise BelvedereError(M.t("dump_changed", name=f.name))
    return digest


def _forget_hours(store: Store, replacing: list[Path], files: list[Path], todo: list[Path],
                  report: IngestReport) -> list[Path]:  # fmt: skip
    """Make room for hourly files ingested again with ``--replace``; returns the files to read.

    An hour whose day is not complete yet is simply forgotten (its rows and its record) and read
    again. A complete day was summed into the audience and its hours let go, so one hour cannot
    be taken out of it: the day's 24 files must all be in the batch, and they are all read again;
    the day's audience is replaced when they settle it (until then it keeps its former values).
    Done in one transaction, written to the ingest log."""
    con = store.con
    by_day: dict[date, list[Path]] = {}
    for f in files:
        by_day.setdefault(hour_of(f).date(), []).append(f)
    complete = {r[0] for r in con.execute(
        "SELECT date FROM dump_files WHERE hour < 24 AND date IN (SELECT unnest(?)) GROUP BY date "
        "HAVING count(DISTINCT hour) = 24", [sorted({hour_of(f).date() for f in replacing})]).fetchall()}  # fmt: skip
    forget: list[tuple[date, int]] = []
    reread = list(todo)
    for day in sorted(complete):
        batch = {hour_of(f).hour: f for f in by_day[day]}
        if len(batch) < 24:
            raise BelvedereError(M.t("dump_replace_needs_day", day=day, n=len(batch)))
        forget += [(day, h) for h in range(24)]
        reread += [f for f in batch.values() if f not in reread]
    forget += [(hour_of(f).date(), hour_of(f).hour) for f in replacing if hour_of(f).date() not in complete]
    names = [f.name for f in replacing]
    with store.transaction():
        con.execute("CREATE OR REPLACE TEMP TABLE _forget AS SELECT * FROM (VALUES (NULL::DATE, NULL::INTEGER)) "
                    "t(date, hour) WHERE FALSE")  # fmt: skip
        con.executemany("INSERT INTO _forget VALUES (?, ?)", forget)
        # an hour's foreign views were added to its month: the month read from dumps starts again
        foreign_store.forget_dump_months(con, sorted({date(d.year, d.month, 1) for d, _ in forget}))
        for table in ("dump_files", "dump_hours", "project_views"):
            extra = " AND agent = 'user'" if table == "project_views" else ""
            con.execute(f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM _forget x WHERE x.date = t.date "
                        f"AND x.hour = t.hour){extra}")  # fmt: skip
        if complete:  # the day's hours were folded into one row (hour 24) of every page kept
            con.execute("DELETE FROM project_views WHERE agent = 'user' AND hour = 24 AND date IN (SELECT unnest(?))",
                        [sorted(complete)])  # fmt: skip
        con.execute("DROP TABLE _forget")
        con.execute(
            "INSERT INTO ingest_log (source, origin, status, rows, detail, fetched_at) "
            "VALUES ('dump', ?, 'replaced', ?, ?, ?)",
            [", ".join(names)[:2000], len(forget), M.t("dump_replace_log", n=len(names), hours=len(forget)), now()],
        )
    report.replaced += names
    again = {f.name for f in reread}
    report.skipped = [n for n in report.skipped if n not in again]
    return sorted(reread, key=hour_of)


def _record(con: duckdb.DuckDBPyConnection, f: Path, digest: str, project: str, day: date, hour: int, rows: int,
            agent: str | None = None, kept: str = "communes") -> None:  # fmt: skip
    """The file in ``dump_files`` (hour 24: a whole day, 25: a month; ``kept``: which titles it left
    in project_views) and in the ingest log, inside the caller's transaction."""
    con.execute(
        "INSERT INTO dump_files (name, sha256, size, date, hour, lines, ingested_at, kept) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [f.name, digest, f.stat().st_size, day, hour, rows, now(), kept],
    )
    con.execute(
        "INSERT INTO ingest_log (source, origin, project, agent, start_date, end_date, status, rows, detail, "
        "fetched_at) VALUES ('dump', ?, ?, ?, ?, ?, 'ok', ?, ?, ?)",
        [f.name, project, agent, day, month_end(day) if hour == 25 else day, rows, f"sha256 {digest}", now()],
    )


def settle(store: Store) -> int:
    """Move the days that have all 24 hours from ``dump_hours`` into ``pageviews`` (user agent,
    dense: an article of the store gets a zero on an access it had no line for). Returns the days."""
    con = store.con
    days = [r[0] for r in con.execute(
        "SELECT date FROM dump_files WHERE hour < 24 GROUP BY date HAVING count(DISTINCT hour) = 24 "
        "AND date IN (SELECT date FROM dump_hours UNION SELECT date FROM project_views WHERE hour < 24) ORDER BY date"
    ).fetchall()]  # fmt: skip
    for day in days:
        with store.transaction():
            audience.settle_user_day(con, day)
            con.execute("DELETE FROM dump_hours WHERE date = ?", [day])
            # --all-articles: the day's 24 hourly rows of each page become one (hour 24)
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _day AS SELECT page_key, date, 24 AS hour, access, agent, sum(views) "
                "AS views FROM project_views WHERE date = ? AND hour < 24 GROUP BY ALL",
                [day],
            )
            if con.execute("SELECT count(*) FROM _day").fetchall()[0][0]:  # (else: no page kept by the hour)
                con.execute("DELETE FROM project_views WHERE date = ? AND (hour < 24 OR agent = 'user')", [day])
                con.execute("INSERT INTO project_views SELECT * FROM _day")
            con.execute("DROP TABLE _day")
    return len(days)


COMPLETE_NAME = re.compile(r"pageviews-(\d{8}|\d{6})-(user|automated|spider)(?:\.bz2)?$")
WHOLE_DAY, WHOLE_MONTH = 24, 25  # dump_files.hour of a daily / a monthly pageview_complete file


@dataclass(frozen=True)
class Period:
    """What a ``pageview_complete`` file covers: a day, or a month (its days lettered A = 1st ...)."""

    first: date
    days: int
    agent: str
    monthly: bool


def period_of(path: str | Path) -> Period:
    """The period and agent of a ``pageview_complete`` file, from its name (daily
    ``pageviews-20240601-user.bz2`` or monthly ``pageviews-202406-user.bz2``)."""
    name = Path(path).name
    m = COMPLETE_NAME.search(name)
    try:
        if not m:
            raise ValueError
        if len(m.group(1)) == 8:
            return Period(datetime.strptime(m.group(1), "%Y%m%d").date(), 1, m.group(2), False)
        first = datetime.strptime(m.group(1) + "01", "%Y%m%d").date()
    except ValueError:
        raise BelvedereError(M.t("dump_bad_daily_name", name=name)) from None
    return Period(first, month_end(first).day, m.group(2), True)


def ingest_complete(store: Store, paths: Iterable[str | Path], project: str = "fr.wikipedia",
                    progress: Callable[[int, int], None] | None = None,
                    all_articles: bool = False, replace: bool = False) -> IngestReport:  # fmt: skip
    """Ingest ``pageview_complete`` files, daily (``pageviews-YYYYMMDD-user.bz2``) or monthly
    (``pageviews-YYYYMM-user.bz2``), bz2 or already decompressed: ``wiki_code title [page_id] access
    total letters``, 6 fields or 5 when the page id is missing; the letters are the hours of a daily
    file, the days of a monthly one. The counts of the store's articles replace those days' rows for
    the file's agent, zeros included (the file covers its whole period); one transaction per file.
    A bad file (empty, not its compression, no row of the project, negative or impossible counts,
    malformed rows beyond the tolerance) is refused whole before any write and not recorded.
    ``all_articles`` also keeps every page of the project in ``project_pages``/``project_views``;
    ``replace`` ingests again a file whose name was ingested with another content."""
    import bz2
    import tempfile

    files = _existing(paths, period_of)
    report = IngestReport()
    done = ingested(store)
    for k, f in enumerate(files, start=1):
        replacing = f.name in done
        digest = _new_digest(f, done, replace)
        if digest is None:
            report.skipped.append(f.name)
            continue
        check_container(f)
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
            period = period_of(f)
            try:
                kept, malformed, matched = _write_complete(store, f, source, digest, project, period, all_articles,
                                                           replacing)  # fmt: skip
            except duckdb.Error as exc:  # e.g. a title listed so often that its sum overflows: refused whole
                raise BelvedereError(M.t("dump_corrupt", name=f.name, err=str(exc).splitlines()[0])) from None
        report.lines += kept
        report.malformed += malformed
        if replacing:
            report.replaced.append(f.name)
        if not matched:
            report.unmatched.append(f.name)
        report.files += 1
        report.days_settled += period.days
        done[f.name] = digest
        if progress:
            progress(k, len(files))
    return report


def _write_complete(store: Store, f: Path, source: Path, digest: str, project: str, period: Period,
                    all_articles: bool = False, replacing: bool = False) -> tuple[int, int, int]:  # fmt: skip
    """(audience rows written, malformed rows skipped, rows matching a commune article) of one
    pageview_complete file, written in one transaction after its checks."""
    con = store.con
    last = period.first + timedelta(days=period.days - 1)
    with store.transaction():
        try:
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _rows AS
                   WITH parts AS (
                       SELECT string_split(line, ' ') AS p FROM read_csv(?, delim = '\\x01', header = false,
                           quote = '', escape = '', columns = {{'line': 'VARCHAR'}}, auto_detect = false)
                   )
                   SELECT {TITLE.format(t="p[2]")} AS title,
                          CASE len(p) WHEN 6 THEN p[4] WHEN 5 THEN p[3] END AS access,
                          TRY_CAST(CASE len(p) WHEN 6 THEN p[5] WHEN 5 THEN p[4] END AS HUGEINT) AS total,
                          CASE len(p) WHEN 6 THEN p[6] WHEN 5 THEN p[5] END AS letters
                   FROM parts WHERE p[1] = ?""",
                [str(source), project],
            )
        except duckdb.Error as exc:
            raise BelvedereError(M.t("dump_corrupt", name=f.name, err=str(exc).splitlines()[0])) from None
        # a monthly file's letters are its days: each must be in the month, and they must add up; a
        # day's count (a monthly file's letter) or a day's total (a daily file) is checked against
        # MAX_DAILY_VIEWS
        day_counts = "list_transform(regexp_extract_all(letters, '[A-_]([0-9]+)', 1), lambda x: TRY_CAST(x AS HUGEINT))"
        days_ok = (
            f"regexp_full_match(letters, '([A-_][0-9]+)*') AND list_sum({day_counts}) = total AND "
            f"coalesce(list_max(list_transform(regexp_extract_all(letters, '([A-_])[0-9]+', 1), "
            f"lambda x: ascii(x))), 0) <= {64 + period.days}"
            if period.monthly
            else "TRUE"
        )
        biggest = f"coalesce(list_max({day_counts}), 0)" if period.monthly else "total"
        # a negative total is counted apart (refused whole), not as a malformed row
        broken = f"total IS NULL OR access IS NULL OR access NOT IN {ACCESSES} OR NOT coalesce({days_ok}, FALSE)"
        lines, malformed, negative, too_large = con.execute(
            f"""SELECT count(*),
                       count(*) FILTER (WHERE total IS NULL OR (total >= 0 AND ({broken}))),
                       count(*) FILTER (WHERE total < 0),
                       count(*) FILTER (WHERE total >= 0 AND {biggest} > {MAX_DAILY_VIEWS})
                FROM _rows"""
        ).fetchall()[0]
        check_counts(f.name, lines=lines, malformed=malformed, negative=negative, too_large=too_large,
                     limit=MAX_DAILY_VIEWS)  # fmt: skip
        if malformed:  # within the tolerance: left out, and counted in the summary
            con.execute(f"DELETE FROM _rows WHERE {broken}")
        if replacing:  # --replace: the former record goes, the ingest log says so
            con.execute("DELETE FROM dump_files WHERE name = ?", [f.name])
            con.execute(
                "INSERT INTO ingest_log (source, origin, status, rows, detail, fetched_at) "
                "VALUES ('dump', ?, 'replaced', 1, ?, ?)",
                [f.name, M.t("dump_replace_log", n=1, hours=period.days * 24), now()],
            )
        # (title, access, date, views): one row per lettered day of a monthly file; ``keep`` is every
        # page with --all-articles, else the store's articles and the titles that may name a commune
        # (BASE), kept in project_views so that titles the store learns later find their views
        keep = "TRUE" if all_articles else (
            f"({BASE.format(t='r.title')} IN (SELECT name FROM _names) "
            "OR r.title IN (SELECT title FROM articles WHERE project = ?))"
        )  # fmt: skip
        params = [period.first] + ([] if all_articles else [project])
        if period.monthly:
            counts = f"""SELECT r.title, r.access,
                          (?::DATE + ascii(unnest(regexp_extract_all(r.letters, '([A-_])[0-9]+', 1))) - 65)::DATE
                              AS date,
                          unnest(regexp_extract_all(r.letters, '[A-_]([0-9]+)', 1))::BIGINT AS views
                   FROM _rows r WHERE {keep}"""  # fmt: skip
        else:
            counts = f"SELECT r.title, r.access, ?::DATE AS date, r.total AS views FROM _rows r WHERE {keep}"
        con.register("_names", commune_names(store))
        con.execute(f"CREATE OR REPLACE TEMP TABLE _counts AS {counts}", params)
        con.unregister("_names")
        counts, params = "SELECT * FROM _counts", []
        con.execute(
            "DELETE FROM project_views WHERE date BETWEEN ? AND ? AND agent = ? "
            "AND page_key IN (SELECT page_key FROM project_pages WHERE project = ?)",
            [period.first, last, period.agent, project],
        )
        pool = "" if all_articles else "ANTI JOIN articles a ON a.project = ? AND a.title = c.title"
        _write_pages(con, project, f"SELECT c.title, c.access, c.date, 24 AS hour, c.views FROM _counts c {pool}",
                     [] if all_articles else [project], period.agent)  # fmt: skip
        kept = audience.replace_days(con, project=project, first=period.first, days=period.days,
                                     agent=period.agent, counts=counts, params=params)  # fmt: skip
        matched = con.execute(
            "SELECT count(*) FROM _rows r SEMI JOIN articles a ON a.project = ? AND a.title = r.title "
            "AND a.source <> 'simulated'",
            [project],
        ).fetchall()[0][0]
        hour = WHOLE_MONTH if period.monthly else WHOLE_DAY
        _record(con, f, digest, project, period.first, hour, kept, period.agent,
                kept="all" if all_articles else "communes")  # fmt: skip
        con.execute("DROP TABLE IF EXISTS _counts")
        con.execute("DROP TABLE _rows")
    return int(kept), int(malformed), int(matched)


@dataclass
class Recovery:
    """What the dump files ingested earlier gave to titles the store has just learned."""

    titles: int = 0  # new titles looked up
    rows: int = 0  # daily audience rows (title, day, access, agent) given back, zeros included
    hours: int = 0  # pending hours (day not complete yet) given to them
    missing: dict[str, list[date]] = field(default_factory=dict)  # title -> days the files did not keep


def recover_views(con: duckdb.DuckDBPyConnection, after: int) -> Recovery:
    """Give articles new to the store (ids above ``after``: a corrected title, a redirect) the views
    that dump files ingested before had for them, from what those files left in project_views, inside the
    caller's transaction: the days the files covered, zeros included, and the hours of days still
    waiting for their 24. A file that kept only the articles of its time ('articles') or a title
    that may not name a commune (BASE) cannot be recovered: those days are returned by title, and
    left without rows (never zeros); ``ingest --replace`` reads such files again."""
    report = Recovery()
    if not con.execute("SELECT count(*) FROM dump_files").fetchall()[0][0]:
        return report
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _new AS SELECT a.article_id, a.project, a.title FROM articles a "
        "WHERE a.article_id > ? AND a.source <> 'simulated'",
        [after],
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _new_kept AS
            SELECT n.*, {BASE.format(t="n.title")} IN (SELECT name FROM ({NAMES})) AS plausible,
            (SELECT page_key FROM project_pages p WHERE p.project = n.project AND p.title = n.title) AS page_key
            FROM _new n"""
    )
    report.titles = con.execute("SELECT count(*) FROM _new_kept").fetchall()[0][0]
    # what the dumps covered: (date, agent, access, what the files kept); a complete day of hourly
    # files is user desktop + mobile web, a pageview_complete file its agent's three accesses
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _covered AS
           WITH hourly AS (
               SELECT date, 'user' AS agent, bool_and(kept = 'all') AS all_kept,
                      bool_and(kept IN ('all', 'communes')) AS communes_kept
               FROM dump_files WHERE hour < 24 GROUP BY date HAVING count(DISTINCT hour) = 24
           ), complete AS (
               SELECT unnest(generate_series(date, CASE WHEN hour = 25 THEN (date + INTERVAL 1 MONTH
                          - INTERVAL 1 DAY)::DATE ELSE date END, INTERVAL 1 DAY))::DATE AS date,
                      regexp_extract(name, '-(user|automated|spider)', 1) AS agent, kept = 'all' AS all_kept,
                      kept IN ('all', 'communes') AS communes_kept
               FROM dump_files WHERE hour >= 24
           )
           SELECT h.date, h.agent, x.access, h.all_kept, h.communes_kept FROM hourly h,
                  (VALUES ('desktop'), ('mobile-web')) x(access)
           UNION ALL
           SELECT c.date, c.agent, x.access, c.all_kept, c.communes_kept FROM complete c,
                  (VALUES ('desktop'), ('mobile-web'), ('mobile-app')) x(access)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _cover AS
           SELECT date, agent, access, bool_or(all_kept) AS all_kept, bool_or(communes_kept) AS communes_kept
           FROM _covered GROUP BY ALL"""
    )
    recoverable = "(c.all_kept OR (c.communes_kept AND n.plausible))"
    report.rows = audience.add_missing(
        con,
        f"""SELECT n.article_id, c.date, c.access::access_t AS access, c.agent::agent_t AS agent,
                   coalesce((SELECT sum(v.views) FROM project_views v WHERE v.page_key = n.page_key
                             AND v.date = c.date AND v.hour = 24 AND v.agent = c.agent::agent_t
                             AND v.access = c.access::access_t), 0)::INTEGER AS views
            FROM _new_kept n, _cover c WHERE {recoverable}""",
    )
    # hours of days not complete yet: the day settles with them (dump_hours)
    report.hours = con.execute(
        """INSERT INTO dump_hours
           SELECT n.article_id, v.date, v.hour, v.access, v.views
           FROM _new_kept n JOIN project_views v ON v.page_key = n.page_key AND v.hour < 24 AND v.agent = 'user'
           JOIN dump_files f ON f.date = v.date AND f.hour = v.hour
           WHERE f.kept = 'all' OR (f.kept = 'communes' AND n.plausible)"""
    ).fetchall()[0][0]
    for title, day in con.execute(
        f"""SELECT DISTINCT n.title, c.date FROM _new_kept n, _cover c WHERE NOT {recoverable}
            UNION SELECT DISTINCT n.title, f.date FROM _new_kept n, dump_files f
                  WHERE f.hour < 24 AND NOT (f.kept = 'all' OR (f.kept = 'communes' AND n.plausible))
                  AND f.date NOT IN (SELECT date FROM _cover)
            ORDER BY 1, 2"""
    ).fetchall():
        report.missing.setdefault(title, []).append(day)
    for table in ("_new", "_new_kept", "_covered", "_cover"):
        con.execute(f"DROP TABLE {table}")
    return report


def pool_views_of(con: duckdb.DuckDBPyConnection, article_ids: list[int]) -> None:
    """Before articles leave the store (a guessed title that Wikidata corrects), put their views in
    project_views, inside the caller's transaction: the pool holds every title that may name a
    commune and is not an article, so that the title, if it comes back, finds its views again
    instead of zeros. Rows already in the pool (--all-articles) are not doubled."""
    if not article_ids:
        return
    con.execute(
        "INSERT INTO project_pages (project, title) SELECT DISTINCT a.project, a.title FROM articles a "
        "WHERE a.article_id IN (SELECT unnest(?)) AND NOT EXISTS (SELECT 1 FROM project_pages p "
        "WHERE p.project = a.project AND p.title = a.title)",
        [article_ids],
    )
    rows = """SELECT p.page_key, v.date, v.hour, v.access, v.agent, v.views FROM (
                  SELECT article_id, date, 24 AS hour, access, agent, views FROM pageviews
                  UNION ALL SELECT article_id, date, hour, access, 'user'::agent_t, views FROM dump_hours
              ) v JOIN articles a USING (article_id)
              JOIN project_pages p ON p.project = a.project AND p.title = a.title
              WHERE v.article_id IN (SELECT unnest(?)) AND v.views > 0"""
    con.execute(
        f"""INSERT INTO project_views SELECT * FROM ({rows}) n WHERE NOT EXISTS (
                SELECT 1 FROM project_views o WHERE o.page_key = n.page_key AND o.date = n.date
                AND o.hour = n.hour AND o.access = n.access AND o.agent = n.agent)""",
        [article_ids],
    )
