"""Attention from abroad: a commune's articles in the other language editions of Wikipedia and
their monthly audience.

The articles are its Wikidata item's sitelinks (one SPARQL query per batch of items, every
Wikipedia but French); their views come from the REST API's monthly per-article endpoint, each in
its own project (``de.wikipedia``, ``en.wikipedia``...), every access, user agent: one request per
article for the whole period, since a month is all the seasonality needs. Hourly dump files give
the same lines (``sources.dumps`` keeps them while reading frwiki's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlparse

from belvedere.dates import month_end
from belvedere.sources.http import FetchFailed, PoliteClient
from belvedere.sources.wikidata import title_from_url
from belvedere.sources.wikimedia_api import encode_title
from belvedere.store import Store
from belvedere.store import foreign as foreign_store

BATCH = 100  # items per SPARQL query: a town has up to ~100 sitelinks
HOME = "fr.wikipedia"


@dataclass(frozen=True)
class ForeignArticle:
    code: str
    qid: str
    project: str  # "de.wikipedia"
    title: str  # underscores


def sitelinks_query(qids: list[str]) -> str:
    values = " ".join(f"wd:{q}" for q in qids if q[:1] == "Q" and q[1:].isdigit())
    return f"""SELECT ?item ?article WHERE {{
  VALUES ?item {{ {values} }}
  ?article schema:about ?item ; schema:isPartOf ?wiki .
  ?wiki wikibase:wikiGroup "wikipedia" .
}}"""


def project_of(url: str) -> str | None:
    """https://de.wikipedia.org/wiki/Carrouges → "de.wikipedia" (None for another kind of site)."""
    host = urlparse(url).netloc
    if not host.endswith(".wikipedia.org"):
        return None
    return host.removesuffix(".org")


def parse_sitelinks(payload: object, code_of: dict[str, str]) -> list[ForeignArticle]:
    """The foreign Wikipedia articles of the items asked (``code_of``: QID → commune), French left out."""
    if not isinstance(payload, dict) or "results" not in payload:
        raise ValueError("not a SPARQL JSON result")
    out = []
    for b in payload["results"]["bindings"]:
        qid = b["item"]["value"].rsplit("/", 1)[-1]
        url = b["article"]["value"]
        project = project_of(url)
        if qid in code_of and project is not None and project != HOME and "/wiki/" in url:
            out.append(ForeignArticle(code_of[qid], qid, project, title_from_url(url)))
    return out


def monthly_url(base: str, project: str, title: str, first: date, last: date) -> str:
    return (f"{base.rstrip('/')}/metrics/pageviews/per-article/{project}/all-access/user/{encode_title(title)}"
            f"/monthly/{first:%Y%m%d}/{last:%Y%m%d}")  # fmt: skip


def parse_monthly(payload: object) -> dict[date, int]:
    """Views by month (its first day) of a monthly pageviews body; ValueError when malformed."""
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise ValueError("no 'items' list")
    out: dict[date, int] = {}
    for item in payload["items"]:
        stamp = str(item["timestamp"])
        month = date(int(stamp[:4]), int(stamp[4:6]), 1)
        views = int(item["views"])
        if views < 0:
            raise ValueError("negative views")
        out[month] = out.get(month, 0) + views
    return out


def whole_months(start: date, end: date, today: date) -> list[date]:
    """The first days of the whole months of [start, end] that have ended before ``today``."""
    m = date(start.year, start.month, 1)
    if m < start:
        m = month_end(m) + timedelta(days=1)
    out = []
    while month_end(m) <= end and month_end(m) < today:
        out.append(m)
        m = month_end(m) + timedelta(days=1)
    return out


@dataclass
class ForeignReport:
    items: int = 0
    articles: int = 0
    months: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (project, title, error)


async def fetch_foreign(store: Store, client: PoliteClient, sparql: str, base: str, items: list[tuple[str, str]],
                        start: date, end: date, *, refresh: bool = False, today: date | None = None,
                        on_progress: Callable[[int, int], None] | None = None) -> ForeignReport:  # fmt: skip
    """The communes' foreign articles (``items``: commune, QID) and their whole months of [start,
    end], written as they come (a rerun asks only the months missing, unless ``refresh``)."""
    report = ForeignReport(items=len(items))
    code_of = {qid: code for code, qid in items}
    qids = list(code_of)
    for i in range(0, len(qids), BATCH):
        batch = {q: code_of[q] for q in qids[i : i + BATCH]}
        _, payload = await client.get_json(sparql, params={"query": sitelinks_query(list(batch)), "format": "json"})
        found = parse_sitelinks(payload, batch)
        foreign_store.save_articles(store, [vars(a) for a in found])
    months = whole_months(start, end, today or date.today())
    if not months:
        return report
    held: set[tuple[str, str, date]] = set()
    if not refresh:
        held = {(p, t, m) for p, t, m in store.con.execute(
            "SELECT project, title, month FROM foreign_views WHERE source = 'rest_api' AND month BETWEEN ? AND ?",
            [months[0], months[-1]]).fetchall()}  # fmt: skip
    articles = store.con.execute(
        "SELECT project, title FROM foreign_articles WHERE list_contains(?, code) AND source = 'wikidata' "
        "ORDER BY code, project",
        [[c for c, _ in items]],
    ).fetchall()
    report.articles = len(articles)
    todo = []
    for project, title in articles:
        missing = [m for m in months if (project, title, m) not in held]
        if missing:
            todo.append((project, title, missing))
    done = [0]
    queue: asyncio.Queue[tuple[str, str, list[date]]] = asyncio.Queue()
    for t in todo:
        queue.put_nowait(t)
    rows: list[tuple[str, str, date, int]] = []

    def flush() -> None:
        report.months += foreign_store.save_months(store, rows[:])
        rows.clear()

    async def worker() -> None:
        while not queue.empty():
            project, title, missing = queue.get_nowait()
            url = monthly_url(base, project, title, missing[0], month_end(missing[-1]))
            try:
                _, payload = await client.get_json(
                    url, ok_statuses=(200, 404), parse=lambda s, p: parse_monthly(p) if s == 200 else {}
                )
            except FetchFailed as exc:
                report.failed.append((project, title, str(exc)))
            else:
                views = payload if isinstance(payload, dict) else {}
                # an absent month had no views (the API leaves zeros out; a 404: none in the range)
                rows.extend((project, title, m, int(views.get(m, 0))) for m in missing)
                if len(rows) >= 2000:
                    flush()
            done[0] += 1
            if on_progress:
                on_progress(done[0], len(todo))

    await asyncio.gather(*(worker() for _ in range(12)))
    flush()
    return report
