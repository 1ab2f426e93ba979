"""A local HTTP server on 127.0.0.1 speaking the real Wikimedia / Wikidata / MediaWiki formats.

It serves:
- ``/api/rest_v1/metrics/pageviews/per-article/{project}/{access}/{agent}/{title}/daily/{start}/{end}``
  and ``.../aggregate/{project}/{access}/{agent}/daily/{start}/{end}``: ``{"items": [...]}`` with
  zero days absent, 404 with a JSON problem body when a range has no data;
- ``/sparql?query=...&format=json``: SPARQL JSON results for ``VALUES ?insee {...}`` queries;
- ``/w/api.php?action=query&titles=...&prop=redirects|info&redirects=1&formatversion=2``;
- ``/other/...`` dump files as dumps.wikimedia.org's nginx serves them: ``application/octet-stream``,
  ``Accept-Ranges: bytes``, ``Last-Modified``, ``ETag``; a ``Range: bytes=N-`` gets 206 with
  ``Content-Range``, a range past the end 416 ``bytes */size``.

Switchable faults (429 with Retry-After, 500/503, slow answers, dropped connections, truncated
JSON) and checks of the client (User-Agent, concurrent requests) make it a test of behaviour.
"""

from __future__ import annotations

import functools
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

PROBLEM_404 = {
    "type": "https://mediawiki.org/wiki/HyperSwitch/errors/not_found",
    "title": "Not found.",
    "method": "get",
    "detail": (
        "The date(s) you used are valid, but we either do not have data for those date(s), or the project you "
        "asked for is not loaded yet. Please check documentation for more information."
    ),
}


@dataclass
class Faults:
    """What to break. Rates are probabilities per request; scripted faults hit a title's first tries."""

    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_drop: float = 0.0
    rate_truncated: float = 0.0
    retry_after: str = "1"
    latency: float = 0.0
    # "title" or "title|access" -> faults for its first requests: "429", "503", "drop", "trunc", "badjson"
    scripted: dict[str, list[str]] = field(default_factory=dict)
    seed: int = 0


@dataclass
class Dataset:
    # (title, access, agent) -> {date: views}; zero days may be listed or not
    views: dict[tuple[str, str, str], dict[date, int]] = field(default_factory=dict)
    totals: dict[tuple[str, str], dict[date, int]] = field(default_factory=dict)  # (access, agent)
    # INSEE code -> list of (qid, frwiki title or None, dissolved?)
    wikidata: dict[str, list[tuple[str, str | None, bool]]] = field(default_factory=dict)
    # canonical title (spaces) -> (page id, [redirect titles with spaces])
    pages: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    # URL path ("/other/pageviews/2024/2024-08/pageviews-20240803-060000.gz") -> file bytes
    dumps: dict[str, bytes] = field(default_factory=dict)
    # canonical title (spaces) -> what prop=info|pageimages|images|categories|langlinks|revisions
    # tells of it: {"wikitext", "pageimage", "images": [...], "langlinks": [...], "categories": [...],
    # "timestamp", "history": [(ISO timestamp, user), ...] newest first (default: one revision at
    # "timestamp")}
    facts: dict[str, dict] = field(default_factory=dict)
    # QID -> what its item declares: {"website", "image", "coat_of_arms", "flag", "commons_category",
    # "social": ["facebook", ...], "sitelinks"}; Commons category name -> files in it
    items: dict[str, dict] = field(default_factory=dict)
    commons: dict[str, int] = field(default_factory=dict)
    # QID -> its Wikipedia articles as (project, title with spaces), French included
    sitelinks: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # (project, title with underscores) -> {first day of a month: user views, every access}
    monthly: dict[tuple[str, str], dict[date, int]] = field(default_factory=dict)


def dataset_from_store(store: Any, codes: list[str]) -> tuple[Dataset, list[tuple]]:
    """A dataset serving what a store (a belvedere Store) holds for these communes' articles: their
    user audience by day and access, their Wikidata items (fake QIDs) and pages; and the rows read
    (commune, title, access, date, views)."""
    rows = store.con.execute(
        "SELECT a.commune_code, a.title, p.access::VARCHAR, p.date, p.views FROM pageviews p "
        "JOIN articles a USING (article_id) WHERE p.agent = 'user' AND list_contains(?, a.commune_code)",
        [codes],
    ).fetchall()
    ds = Dataset()
    for n, (commune, title) in enumerate(sorted({(r[0], r[1]) for r in rows})):
        ds.wikidata[commune] = [(f"Q{n + 1}", title, False)]
        ds.pages[title] = (n + 1, [])
    for _, title, access, day, views in rows:
        ds.views.setdefault((title.replace(" ", "_"), access, "user"), {})[day] = views
    return ds, rows


# files and language links per answer, across the batch's pages, before a "continue" (the real API
# stops at its own limits the same way)
LIST_LIMIT = 10
HISTORY_LIMIT = 20  # revisions per answer (the real API gives 500): long histories take several rounds


class FakeWikimedia:
    def __init__(self, dataset: Dataset | None = None, faults: Faults | None = None) -> None:
        self.dataset = dataset or Dataset()
        self.faults = faults or Faults()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests: list[dict] = []
        self.user_agents: set[str] = set()
        self._rng = random.Random(self.faults.seed)
        self._script_pos: dict[str, int] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        # polled every 20 ms rather than 0.5 s: a test's shutdown is quick
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    # --- lifecycle -------------------------------------------------------------------------
    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def rest_api(self) -> str:
        return self.base + "/api/rest_v1"

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def mediawiki(self) -> str:
        return self.base + "/w/api.php"

    def __enter__(self) -> FakeWikimedia:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, kind: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r["kind"] == kind)

    # --- faults ----------------------------------------------------------------------------
    def _fault_for(self, title: str | None, access: str | None) -> str | None:
        with self.lock:
            for key in (f"{title}|{access}", title):
                if title is not None and key in self.faults.scripted:
                    pos = self._script_pos.get(key, 0)
                    script = self.faults.scripted[key]
                    if pos < len(script):
                        self._script_pos[key] = pos + 1
                        return script[pos]
            u = self._rng.random()
        f = self.faults
        for name, rate in (
            ("429", f.rate_429),
            ("503", f.rate_5xx),
            ("drop", f.rate_drop),
            ("trunc", f.rate_truncated),
        ):
            if u < rate:
                return name
            u -= rate
        return None

    # --- handlers --------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # real front ends (nginx, ATS) set TCP_NODELAY; without it headers and body written
            # separately meet Nagle + delayed ACK and every answer gains up to 40 ms
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                with fake.lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    fake._route(self)
                finally:
                    with fake.lock:
                        fake.in_flight -= 1

        return Handler

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: object, headers: dict | None = None,
              truncate: bool = False) -> None:  # fmt: skip
        self._send_raw(h, status, json.dumps(body).encode(), headers, truncate)

    def _send_raw(self, h: BaseHTTPRequestHandler, status: int, raw: bytes, headers: dict | None = None,
                  truncate: bool = False) -> None:  # fmt: skip
        if truncate:
            raw = raw[: max(1, len(raw) // 2)]
        self._wait(h)
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(raw)

    def _wait(self, h: BaseHTTPRequestHandler) -> None:
        """Answer ``latency`` seconds after the request arrived: the simulated service time
        includes the fake's own work, so that the fake's speed does not count in a benchmark."""
        deadline = getattr(h, "deadline", None)
        if deadline is not None:
            time.sleep(max(0.0, deadline - time.monotonic()))

    def _route(self, h: BaseHTTPRequestHandler) -> None:
        h.deadline = time.monotonic() + self.faults.latency if self.faults.latency else None
        url = urlparse(h.path)
        ua = h.headers.get("User-Agent", "")
        m = re.match(
            r"^/api/rest_v1/metrics/pageviews/per-article/([^/]+)/([^/]+)/([^/]+)/([^/]+)/daily/(\d{8})/(\d{8})$",
            url.path,
        )
        agg = re.match(r"^/api/rest_v1/metrics/pageviews/aggregate/([^/]+)/([^/]+)/([^/]+)/daily/(\d{8})/(\d{8})$",
                       url.path)  # fmt: skip
        monthly = re.match(
            r"^/api/rest_v1/metrics/pageviews/per-article/([^/]+)/all-access/([^/]+)/([^/]+)/monthly/(\d{8})/(\d{8})$",
            url.path,
        )
        kind = ("per_article" if m else "aggregate" if agg else "monthly" if monthly
                else "dump" if url.path.startswith("/other/") else url.path)  # fmt: skip
        title = unquote(m.group(4)) if m else unquote(monthly.group(3)) if monthly else None
        record = {"kind": kind, "path": h.path, "title": title, "ua": ua, "at": time.monotonic(), "fault": None}
        with self.lock:
            self.requests.append(record)
            self.user_agents.add(ua)
        if not ua or "(" not in ua:
            self._send(h, 403, {"title": "Forbidden", "detail": "Please set a user-agent with contact information."})
            return
        if kind == "dump":
            self._dump(h, url.path, record)
            return
        if monthly:
            self._monthly(h, monthly, record)
            return
        if m or agg:
            fault = self._fault_for(title, m.group(2) if m else None)
            record["fault"] = fault
            if fault == "429":
                self._send(h, 429, {"title": "Too many requests"}, {"Retry-After": self.faults.retry_after})
                return
            if fault == "503":
                self._send(h, self._rng.choice([500, 503]), {"title": "Service unavailable"})
                return
            if fault == "drop":
                self._wait(h)
                h.close_connection = True
                h.connection.shutdown(2)
                return
            truncate = fault == "trunc"
            if fault == "badjson":  # valid JSON, wrong shape
                self._send(h, 200, {"detail": "unexpected"})
                return
        else:
            truncate = False
        if m:
            project, access, agent, _, start, end = m.groups()
            series = self.dataset.views.get((title, access, agent), {})
            self._items(h, series, start, end, truncate, project, access, agent, title)
        elif agg:
            project, access, agent, start, end = agg.groups()
            self._items(h, self.dataset.totals.get((access, agent), {}), start, end, truncate, project, access, agent)
        elif url.path == "/sparql":
            self._sparql(h, parse_qs(url.query))
        elif url.path == "/w/api.php":
            self._mediawiki(h, parse_qs(url.query))
        elif url.path in ("/", "/api/rest_v1", "/api/rest_v1/"):
            self._send(h, 200, {"ok": True})
        else:
            self._send(h, 404, {"title": "Not found."})

    def _dump(self, h: BaseHTTPRequestHandler, path: str, record: dict) -> None:
        """A dump file, whole or from a byte offset; scripted faults by file name: "429", "503",
        "cut" (announces the whole length, sends half, closes the connection)."""
        body = self.dataset.dumps.get(path)
        if body is None:
            self._send_raw(h, 404, b"<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"})
            return
        name = path.rsplit("/", 1)[-1]
        fault = self._fault_for(name, None)
        record["fault"] = fault
        record["range"] = h.headers.get("Range")
        if fault == "429":
            self._send_raw(h, 429, b"Too many requests", {"Retry-After": self.faults.retry_after})
            return
        if fault == "503":
            self._send_raw(h, 503, b"Service unavailable")
            return
        start = 0
        rng = re.match(r"bytes=(\d+)-$", h.headers.get("Range") or "")
        if rng:
            start = int(rng.group(1))
            if start >= len(body):
                h.send_response(416)
                h.send_header("Content-Range", f"bytes */{len(body)}")
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
        part = body[start:]
        h.send_response(206 if rng else 200)
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", str(len(part)))
        h.send_header("Accept-Ranges", "bytes")
        h.send_header("Last-Modified", "Sat, 03 Aug 2024 07:12:31 GMT")
        h.send_header("ETag", f'"66add80f-{len(body):x}"')
        if rng:
            h.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        h.end_headers()
        if fault == "cut":
            h.wfile.write(part[: len(part) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(2)
            return
        h.wfile.write(part)

    def _items(self, h, series, start, end, truncate, project, access, agent, title=None) -> None:
        d0 = datetime.strptime(start, "%Y%m%d").date()
        d1 = datetime.strptime(end, "%Y%m%d").date()
        # the body is assembled as text: this fake must stay much faster than the 50 ms it simulates
        head = f'{{"project":"{project}",'
        if title is not None:
            head += f'"article":{json.dumps(title)},'
        head += '"granularity":"daily","timestamp":"'
        tail = f'00","access":"{access}","agent":"{agent}","views":'
        items = [
            f"{head}{_ymd(d)}{tail}{v}}}"
            for d, v in sorted(series.items())
            if d0 <= d <= d1 and v > 0  # zero days are absent, as in the real API
        ]
        if not items:
            self._send(h, 404, {**PROBLEM_404, "uri": h.path}, truncate=truncate)
            return
        self._send_raw(h, 200, ('{"items":[' + ",".join(items) + "]}").encode(), truncate=truncate)

    def _monthly(self, h, match, record: dict) -> None:
        """The monthly per-article endpoint: an item per month with views (zero months absent, a
        404 problem when none), the month's first hour as its timestamp; scripted faults by
        "project|title"."""
        project, agent, _, start, end = match.groups()
        title = record["title"]
        fault = self._fault_for(f"{project}|{title}", None)
        record["fault"] = fault
        if fault == "429":
            self._send(h, 429, {"title": "Too many requests"}, {"Retry-After": self.faults.retry_after})
            return
        if fault == "503":
            self._send(h, 503, {"title": "Service unavailable"})
            return
        d0 = datetime.strptime(start, "%Y%m%d").date()
        d1 = datetime.strptime(end, "%Y%m%d").date()
        series = self.dataset.monthly.get((project, title), {}) if agent == "user" else {}
        items = [{"project": project, "article": title, "granularity": "monthly", "timestamp": f"{_ymd(m)}00",
                  "access": "all-access", "agent": agent, "views": v}
                 for m, v in sorted(series.items()) if d0 <= m <= d1 and v > 0]  # fmt: skip
        if not items:
            self._send(h, 404, {**PROBLEM_404, "uri": h.path})
            return
        self._send(h, 200, {"items": items})

    def _sitelinks(self, h, query: str) -> None:
        """Every Wikipedia article of the items asked, as WDQS gives ``schema:about`` subjects."""
        from urllib.parse import quote

        qids = re.findall(r"wd:(Q\d+)", re.search(r"VALUES \?item \{([^}]*)\}", query).group(1))
        bindings = []
        for qid in qids:
            for project, title in self.dataset.sitelinks.get(qid, []):
                bindings.append({
                    "item": {"type": "uri", "value": f"http://www.wikidata.org/entity/{qid}"},
                    "article": {"type": "uri",
                                "value": f"https://{project}.org/wiki/" + quote(title.replace(" ", "_"), safe=",()'")},
                })  # fmt: skip
        self._send(h, 200, {"head": {"vars": ["item", "article"]}, "results": {"bindings": bindings}})

    def _sparql(self, h, qs) -> None:
        query = qs.get("query", [""])[0]
        if "wikibase:wikiGroup" in query:
            self._sitelinks(h, query)
            return
        if "VALUES ?item" in query:
            self._item_facts(h, query)
            return
        values = re.search(r"VALUES \?insee \{([^}]*)\}", query)
        codes = re.findall(r'"([0-9AB]{5})"', values.group(1)) if values else []
        bindings = []
        for code in codes:
            for qid, title, dissolved in self.dataset.wikidata.get(code, []):
                b = {
                    "insee": {"type": "literal", "value": code},
                    "item": {"type": "uri", "value": f"http://www.wikidata.org/entity/{qid}"},
                }
                if title:
                    from urllib.parse import quote

                    b["article"] = {
                        "type": "uri",
                        "value": "https://fr.wikipedia.org/wiki/" + quote(title.replace(" ", "_")),
                    }
                if dissolved:
                    b["dissolved"] = {"type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#dateTime",
                                      "value": "2016-01-01T00:00:00Z"}  # fmt: skip
                bindings.append(b)
        self._send(
            h, 200, {"head": {"vars": ["insee", "item", "article", "dissolved"]}, "results": {"bindings": bindings}}
        )

    def _mediawiki(self, h, qs) -> None:
        if qs.get("prop", [""])[0] == "revisions" and "rvlimit" in qs:
            self._history(h, qs)
            return
        if "revisions" in qs.get("prop", [""])[0]:
            self._facts(h, qs)
            return
        if qs.get("prop", [""])[0] == "categoryinfo":
            self._categoryinfo(h, qs)
            return
        titles = qs.get("titles", [""])[0].split("|")
        normalized, redirects, pages = [], [], []
        redirect_to = {r: t for t, (_, rs) in self.dataset.pages.items() for r in rs}
        for t in titles:
            norm = t.replace("_", " ")
            norm = norm[:1].upper() + norm[1:]
            if norm != t:
                normalized.append({"from": t, "to": norm})
            if norm in redirect_to:
                redirects.append({"from": norm, "to": redirect_to[norm]})
                norm = redirect_to[norm]
            if norm in self.dataset.pages:
                pid, rs = self.dataset.pages[norm]
                listed = [{"pageid": 1_000_000 + i, "ns": 0, "title": r} for i, r in enumerate(rs)]
                pages.append({"pageid": pid, "ns": 0, "title": norm, "contentmodel": "wikitext", "redirects": listed})
            else:
                pages.append({"ns": 0, "title": norm, "missing": True})
        query: dict = {"pages": pages}
        if normalized:
            query["normalized"] = normalized
        if redirects:
            query["redirects"] = redirects
        self._send(h, 200, {"batchcomplete": True, "query": query})

    def _item_facts(self, h, query: str) -> None:
        """The grouped answer of sources.facts.wikidata_query, as WDQS gives it: files as
        Special:FilePath URIs, counts and sitelinks as xsd:integer literals."""
        from urllib.parse import quote

        qids = re.findall(r"wd:(Q\d+)", re.search(r"VALUES \?item \{([^}]*)\}", query).group(1))
        integer = "http://www.w3.org/2001/XMLSchema#integer"
        bindings = []
        for qid in qids:
            item = self.dataset.items.get(qid)
            if item is None:
                continue
            b: dict = {"item": {"type": "uri", "value": f"http://www.wikidata.org/entity/{qid}"}}
            if item.get("website"):
                b["website"] = {"type": "uri", "value": item["website"]}
            for key in ("image", "coat_of_arms", "flag"):
                if item.get(key):
                    b[key] = {"type": "uri", "value": "http://commons.wikimedia.org/wiki/Special:FilePath/"
                              + quote(item[key].replace(" ", "_"))}  # fmt: skip
            if item.get("commons_category"):
                b["commons_category"] = {"type": "literal", "value": item["commons_category"]}
            for network in ("x", "instagram", "facebook", "youtube", "tiktok", "linkedin"):
                n = 1 if network in item.get("social", []) else 0
                b[network] = {"type": "literal", "datatype": integer, "value": str(n)}
            if item.get("sitelinks") is not None:
                b["sitelinks"] = {"type": "literal", "datatype": integer, "value": str(item["sitelinks"])}
            if "rdfs:label ?label" in query and "AS ?label_languages" in query:  # COUNT of nothing is 0
                n = len(item.get("labels", []))
                b["label_languages"] = {"type": "literal", "datatype": integer, "value": str(n)}
            bindings.append(b)
        self._send(h, 200, {"head": {"vars": ["item"]}, "results": {"bindings": bindings}})

    def _categoryinfo(self, h, qs) -> None:
        pages = []
        for title in qs["titles"][0].split("|"):
            files = self.dataset.commons.get(title.removeprefix("Category:"))
            if files is None:
                pages.append({"ns": 14, "title": title, "missing": True})
            else:
                info = {"size": files + 2, "pages": 0, "files": files, "subcats": 2}
                pages.append({"pageid": 7000 + len(pages), "ns": 14, "title": title, "categoryinfo": info})
        self._send(h, 200, {"batchcomplete": True, "query": {"pages": pages}})

    def _history(self, h, qs) -> None:
        """prop=revisions of one page (the API's multi-revision mode takes one title): newest first
        down to ``rvend``, or oldest first with ``rvdir=newer``; cut every HISTORY_LIMIT revisions with
        an ``rvcontinue`` the next round sends back."""
        title = qs["titles"][0]
        known = self.dataset.facts.get(title)
        if known is None:
            self._send(
                h, 200, {"batchcomplete": True, "query": {"pages": [{"ns": 0, "title": title, "missing": True}]}}
            )
            return
        revisions = list(known.get("history") or [(known.get("timestamp", "2024-01-01T00:00:00Z"), "Exemple")])
        if qs.get("rvdir", ["older"])[0] == "newer":
            revisions.reverse()
        elif "rvend" in qs:
            revisions = [r for r in revisions if r[0] >= qs["rvend"][0]]
        limit = 1 if qs["rvlimit"][0] == "1" else HISTORY_LIMIT
        at = int(qs["rvcontinue"][0].split("|")[1]) if "rvcontinue" in qs else 0
        part = revisions[at : at + limit]
        fields = qs.get("rvprop", ["timestamp"])[0].split("|")
        shown = [{k: v for k, v in (("timestamp", ts), ("user", user)) if k in fields} for ts, user in part]
        body: dict = {"batchcomplete": True, "query": {"pages": [{"pageid": 1000, "ns": 0, "title": title,
                                                                  "revisions": shown}]}}  # fmt: skip
        if at + limit < len(revisions):
            nxt = revisions[at + limit][0].replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
            body["continue"] = {"rvcontinue": f"{nxt}|{at + limit}", "continue": "||"}
        self._send(h, 200, body)

    def _facts(self, h, qs) -> None:
        """prop=info|pageimages|images|categories|langlinks|revisions for a batch of titles, lists
        cut every LIST_LIMIT items with imcontinue/llcontinue offsets; a continued answer repeats
        the pages with the rest of their lists only."""
        titles = qs["titles"][0].split("|")
        first = "continue" not in qs  # a continued round names the lists still going; the others are done
        offsets = {kind: int(qs[f"{kind}continue"][0]) if f"{kind}continue" in qs else 0 if first else None
                   for kind in ("im", "ll")}  # fmt: skip
        pages, continues = [], {}
        listed: dict[str, list[tuple[int, str]]] = {"im": [], "ll": []}
        for n, title in enumerate(titles):
            known = self.dataset.facts.get(title)
            if known is not None:
                listed["im"] += [(n, f"Fichier:{name}") for name in known.get("images", [])]
                listed["ll"] += [(n, lang) for lang in known.get("langlinks", [])]
        shown: dict[str, dict[int, list[str]]] = {"im": {}, "ll": {}}
        for kind in ("im", "ll"):
            start = offsets[kind]
            if start is None:
                continue
            part = listed[kind][start : start + LIST_LIMIT]
            for n, item in part:
                shown[kind].setdefault(n, []).append(item)
            if start + LIST_LIMIT < len(listed[kind]):
                continues[f"{kind}continue"] = str(start + LIST_LIMIT)
        for n, title in enumerate(titles):
            known = self.dataset.facts.get(title)
            if known is None:
                pages.append({"ns": 0, "title": title, "missing": True})
                continue
            page: dict = {"pageid": 1000 + n, "ns": 0, "title": title}
            if first:
                text = known.get("wikitext", "")
                page.update({"contentmodel": "wikitext", "pagelanguage": "fr", "lastrevid": 5000 + n,
                             "length": len(text.encode("utf-8"))})  # fmt: skip
                if known.get("pageimage"):
                    page["pageimage"] = known["pageimage"]
                if known.get("categories"):
                    page["categories"] = [{"ns": 14, "title": c} for c in known["categories"]]
                page["revisions"] = [{"timestamp": known.get("timestamp", "2024-01-01T00:00:00Z"),
                                      "slots": {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki",
                                                         "content": text}}}]  # fmt: skip
            if shown["im"].get(n):
                page["images"] = [{"ns": 6, "title": t} for t in shown["im"][n]]
            if shown["ll"].get(n):
                page["langlinks"] = [{"lang": lang, "title": title} for lang in shown["ll"][n]]
            pages.append(page)
        body: dict = {"batchcomplete": not continues, "query": {"pages": pages}}
        if continues:
            body["continue"] = {**continues, "continue": "||"}
        self._send(h, 200, body)


@functools.lru_cache(maxsize=16384)
def _ymd(d: date) -> str:
    return f"{d:%Y%m%d}"


def daily(start: date, values: list[int]) -> dict[date, int]:
    return {start + timedelta(days=i): v for i, v in enumerate(values)}
