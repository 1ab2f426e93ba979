"""Daily pageviews from the Wikimedia REST API, written to the store idempotently.

Wire format (see PRODUCT.md §4): ``{base}/metrics/pageviews/per-article/{project}/{access}/{agent}/
{title}/daily/{YYYYMMDD}/{YYYYMMDD}`` answers ``{"items": [{"timestamp": "2021101300", "views": n,
...}]}`` where days with zero views are absent, or 404 when the range has no data at all.

Guarantees: only ranges not yet covered are asked (coverage = the ingest log); each flush of
results is one transaction that deletes then inserts the exact ranges it covers and logs them,
so a kill at any moment followed by a rerun gives the same store as an uninterrupted run.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast
from urllib.parse import quote

import numpy as np
import pyarrow as pa

from belvedere.sources.http import FetchFailed, PoliteClient
from belvedere.store import audience
from belvedere.store.db import Store, now
from belvedere.store.schema import ACCESSES, AGENTS

FLUSH_EVERY = 60  # results per write transaction


@dataclass(frozen=True)
class RangeRequest:
    article_id: int
    title: str
    access: str
    agent: str
    start: date
    end: date


@dataclass
class RangeResult:
    request: RangeRequest
    status: str  # ok | empty | failed
    # the answer's days (datetime64[D]) and views, as arrays: a response has ~700 items, and
    # per-item Python work here is what slowed the whole fetch down
    days: np.ndarray = field(default_factory=lambda: np.empty(0, "datetime64[D]"))
    views: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    covered_end: date | None = None
    detail: str = ""


@dataclass
class FetchReport:
    titles: int = 0
    ranges: int = 0
    rows: int = 0
    empty: int = 0
    failed: list[RangeResult] = field(default_factory=list)


def encode_title(title: str) -> str:
    """Spaces as underscores, then every reserved character percent-encoded (``/`` and ``?`` too)."""
    return quote(title.replace(" ", "_"), safe="")


def per_article_url(base: str, project: str, access: str, agent: str, title: str, start: date, end: date) -> str:
    return (
        f"{base.rstrip('/')}/metrics/pageviews/per-article/{project}/{access}/{agent}/"
        f"{encode_title(title)}/daily/{start:%Y%m%d}/{end:%Y%m%d}"
    )


def aggregate_url(base: str, project: str, access: str, agent: str, start: date, end: date) -> str:
    return (
        f"{base.rstrip('/')}/metrics/pageviews/aggregate/{project}/{access}/{agent}/daily/{start:%Y%m%d}/{end:%Y%m%d}"
    )


@functools.lru_cache(maxsize=8192)
def _day(yyyymmdd: str) -> date:
    if len(yyyymmdd) != 8 or not yyyymmdd.isdigit():
        raise ValueError(f"bad timestamp {yyyymmdd!r}")
    return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))


def parse_items(payload: object) -> dict[date, int]:
    """Daily views by date from a pageviews JSON body; raises ValueError on a malformed one."""
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise ValueError("no 'items' list")
    out: dict[date, int] = {}
    for item in payload["items"]:
        day = _day(str(item["timestamp"])[:8])
        views = int(item["views"])
        if views < 0:
            raise ValueError("negative views")
        out[day] = out.get(day, 0) + views
    return out


def parse_daily(payload: object) -> tuple[np.ndarray, np.ndarray]:
    """Days (datetime64[D]) and views of a pageviews JSON body, vectorised; ValueError if malformed.

    Several items on the same day (hourly granularity) are summed.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise ValueError("no 'items' list")
    items = payload["items"]
    if not items:
        return np.empty(0, "datetime64[D]"), np.empty(0, np.int64)
    try:
        stamps = "".join([it["timestamp"][:8] for it in items]).encode("ascii")
        views = np.array([it["views"] for it in items])
    except (KeyError, TypeError, UnicodeEncodeError) as exc:
        raise ValueError(f"bad item: {exc}") from None
    if len(stamps) != 8 * len(items):
        raise ValueError("bad timestamp length")
    if views.dtype.kind not in "iu" or (views < 0).any():
        raise ValueError("views must be non-negative integers")
    digits = np.frombuffer(stamps, dtype=np.uint8).reshape(-1, 8).astype(np.int64) - 48
    if ((digits < 0) | (digits > 9)).any():
        raise ValueError("bad timestamp")
    year = digits[:, :4] @ np.array([1000, 100, 10, 1])
    month = digits[:, 4:6] @ np.array([10, 1])
    day = digits[:, 6:8] @ np.array([10, 1])
    if ((month < 1) | (month > 12) | (day < 1) | (day > 31)).any():
        raise ValueError("bad timestamp")
    first = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
    dates = first.astype("datetime64[D]") + (day - 1)
    if (dates.astype("datetime64[M]") != first).any():  # 30 February and the like
        raise ValueError("bad timestamp")
    if len(dates) > 1 and not (np.diff(dates.astype(np.int64)) > 0).all():
        uniq, inverse = np.unique(dates, return_inverse=True)
        return uniq, np.bincount(inverse, weights=views).astype(np.int64)
    return dates, views.astype(np.int64)


def _parse_range(status: int, payload: object) -> tuple[np.ndarray, np.ndarray]:
    return (np.empty(0, "datetime64[D]"), np.empty(0, np.int64)) if status == 404 else parse_daily(payload)


def missing_ranges(covered: list[tuple[date, date]], start: date, end: date) -> list[tuple[date, date]]:
    """The parts of [start, end] not inside any covered interval."""
    gaps: list[tuple[date, date]] = []
    cursor = start
    for a, b in sorted(covered):
        if b < cursor:
            continue
        if a > end:
            break
        if a > cursor:
            gaps.append((cursor, min(end, a - timedelta(days=1))))
        cursor = max(cursor, b + timedelta(days=1))
        if cursor > end:
            break
    if cursor <= end:
        gaps.append((cursor, end))
    return gaps


def plan_requests(
    store: Store,
    articles: list[tuple[int, str]],
    start: date,
    end: date,
    agents: tuple[str, ...],
    refresh: bool,
) -> list[RangeRequest]:
    """One request per (title, access, agent) and per range not yet in the store."""
    covered: dict[tuple[int, str, str], list[tuple[date, date]]] = {}
    if not refresh:
        for art, access, agent, a, b in store.con.execute(
            "SELECT article_id, access, agent, start_date, end_date FROM ingest_log "
            "WHERE source = 'rest_api' AND status IN ('ok', 'empty') AND end_date >= ? AND start_date <= ?",
            [start, end],
        ).fetchall():
            covered.setdefault((art, access, agent), []).append((a, b))
    out = []
    for article_id, title in articles:
        for agent in agents:
            for access in ACCESSES:
                for a, b in missing_ranges(covered.get((article_id, access, agent), []), start, end):
                    out.append(RangeRequest(article_id, title, access, agent, a, b))
    return out


def _write(store: Store, results: list[RangeResult], project: str, base: str) -> int:
    """One transaction: replace the covered ranges' rows, log every result."""
    if not results:
        return 0
    # zero-fill with numpy: absent days had no views
    arts, dates, accesses, agents, views = [], [], [], [], []
    ranges: dict[str, list[Any]] = {"article_id": [], "access": [], "agent": [], "start_date": [], "end_date": []}
    for r in results:
        if r.status == "failed" or r.covered_end is None:
            continue
        q = r.request
        ranges["article_id"].append(q.article_id)
        ranges["access"].append(q.access)
        ranges["agent"].append(q.agent)
        ranges["start_date"].append(q.start)
        ranges["end_date"].append(r.covered_end)
        if r.status == "ok":
            n = (r.covered_end - q.start).days + 1
            series = np.zeros(n, dtype=np.int64)
            offsets = (r.days - np.datetime64(q.start, "D")).astype(np.int64)
            inside = (offsets >= 0) & (offsets < n)
            series[offsets[inside]] = r.views[inside]
            arts.append(np.full(n, q.article_id, dtype=np.int32))
            dates.append(np.datetime64(q.start, "D") + np.arange(n))
            accesses.append(np.full(n, ACCESSES.index(q.access), dtype=np.int8))
            agents.append(np.full(n, AGENTS.index(q.agent), dtype=np.int8))
            views.append(series)
    fetched = now()
    con = store.con
    rows = None
    if arts:
        rows = pa.table(
            {
                "article_id": np.concatenate(arts),
                "date": pa.array(np.concatenate(dates), pa.date32()),
                "access": pa.DictionaryArray.from_arrays(np.concatenate(accesses), pa.array(ACCESSES)),
                "agent": pa.DictionaryArray.from_arrays(np.concatenate(agents), pa.array(AGENTS)),
                "views": np.concatenate(views),
            }
        )
    with store.transaction():
        n_rows = audience.replace_ranges(con, pa.table(ranges), rows)
        log: dict[str, list[Any]] = {
            "origin": [], "article_id": [], "access": [], "agent": [], "start_date": [], "end_date": [],
            "status": [], "rows": [], "detail": [],
        }  # fmt: skip
        for r in results:
            q = r.request
            log["origin"].append(per_article_url(base, project, q.access, q.agent, q.title, q.start, q.end))
            log["article_id"].append(q.article_id)
            log["access"].append(q.access)
            log["agent"].append(q.agent)
            log["start_date"].append(q.start)
            log["end_date"].append(r.covered_end or q.end)
            log["status"].append(r.status)
            n = (r.covered_end - q.start).days + 1 if (r.status == "ok" and r.covered_end) else 0
            log["rows"].append(n)
            log["detail"].append(r.detail)
        con.register("_log", pa.table(log))
        con.execute(
            "INSERT INTO ingest_log (source, origin, project, article_id, access, agent, start_date, end_date, "
            "status, rows, detail, fetched_at) SELECT 'rest_api', origin, ?, article_id, access, agent, start_date, "
            "end_date, status, rows, detail, ? FROM _log",
            [project, fetched],
        )
        con.unregister("_log")
    return n_rows


def _covered_end(requested_end: date, days: np.ndarray, today: date) -> date | None:
    """Where a range's data really ends: the last days before today may not be published yet."""
    pending_from = today - timedelta(days=1)
    if requested_end < pending_from:
        return requested_end
    last = days.max().astype(date) if len(days) else None
    if last is not None and last >= pending_from:
        return requested_end
    end = min(requested_end, pending_from - timedelta(days=1))
    return end


async def fetch_ranges(
    store: Store,
    client: PoliteClient,
    base: str,
    project: str,
    requests: list[RangeRequest],
    *,
    today: date | None = None,
    on_result: Callable[[RangeResult], None] | None = None,
) -> FetchReport:
    """Fetch every range concurrently (the client caps requests in flight) and write as they come."""
    today = today or date.today()
    report = FetchReport(titles=len({r.article_id for r in requests}), ranges=len(requests))
    queue: asyncio.Queue[RangeRequest] = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)
    pending: list[RangeResult] = []

    async def one(req: RangeRequest) -> RangeResult:
        url = per_article_url(base, project, req.access, req.agent, req.title, req.start, req.end)
        try:
            status, parsed = await client.get_json(url, ok_statuses=(200, 404), parse=_parse_range)
            views = cast(tuple[np.ndarray, np.ndarray], parsed)
        except FetchFailed as exc:
            return RangeResult(req, "failed", detail=str(exc))
        if status == 404:
            return RangeResult(req, "empty", covered_end=_covered_end(req.end, views[0], today), detail="404")
        days, counts = views
        keep = (days >= np.datetime64(req.start, "D")) & (days <= np.datetime64(req.end, "D"))
        days, counts = days[keep], counts[keep]
        return RangeResult(req, "ok", days=days, views=counts, covered_end=_covered_end(req.end, days, today))

    write_lock = asyncio.Lock()

    async def flush() -> None:
        # writes run in a thread so that requests keep flowing meanwhile; one write at a time
        batch = pending[:]
        pending.clear()
        async with write_lock:
            report.rows += await asyncio.to_thread(_write, store, batch, project, base)

    async def worker() -> None:
        while True:
            try:
                req = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            result = await one(req)
            if result.status == "failed":
                report.failed.append(result)
            elif result.status == "empty":
                report.empty += 1
            pending.append(result)
            if len(pending) >= FLUSH_EVERY:
                await flush()
            if on_result:
                on_result(result)

    # more workers than slots, so that tasks waiting on a retry do not idle the connection slots
    await asyncio.gather(*(worker() for _ in range(12)))
    await flush()
    return report


async def fetch_project_totals(
    store: Store, client: PoliteClient, base: str, project: str, start: date, end: date, agent: str = "user"
) -> int:
    """frwiki-wide daily views by access (for normalisation), upserted."""
    rows = []
    for access in ACCESSES:
        status, payload = await client.get_json(
            aggregate_url(base, project, access, agent, start, end), ok_statuses=(200, 404)
        )
        views = parse_items(payload) if status == 200 else {}
        rows += [(project, d, access, agent, v) for d, v in views.items()]
    with store.transaction() as con:
        if rows:
            con.register(
                "_tot",
                pa.table(
                    {k: [r[i] for r in rows] for i, k in enumerate(["project", "date", "access", "agent", "views"])}
                ),
            )
            con.execute("INSERT OR REPLACE INTO project_totals SELECT project, date, access, agent, views FROM _tot")
            con.unregister("_tot")
        con.execute(
            "INSERT INTO ingest_log (source, origin, project, agent, start_date, end_date, status, rows, fetched_at) "
            "VALUES ('rest_api_aggregate', ?, ?, ?, ?, ?, ?, ?, ?)",
            [aggregate_url(base, project, "{access}", agent, start, end), project, agent, start, end,
             "ok" if rows else "empty", len(rows), now()],
        )  # fmt: skip
    return len(rows)
