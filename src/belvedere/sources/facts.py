"""What an article is like, read from the MediaWiki Action API (formatversion=2): its length, its
lead image and files, its references and sections, its quality label, its other language
editions and its last edit. The advice says *what* to fix from these ("no lead image; the median
commune of your size has 6 files"), not only that the audience is low.

One query per batch of titles asks for every property at once
(``prop=info|pageimages|images|categories|langlinks|revisions``); list properties run past the
API's limits on long pages, so the answers are merged across the standard ``continue`` rounds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from belvedere.sources.http import PoliteClient

BATCH = 20  # titles per query: the latest revision's wikitext comes with each, so fewer than the API's 50
QUALITY = {"Catégorie:Article de qualité": "AdQ", "Catégorie:Bon article": "BA"}
_REF = re.compile(r"<ref[\s>/]", re.IGNORECASE)  # <ref>, <ref name=...>, <ref name=... /> (not <references/>)
_HEADING = re.compile(r"^(={2,6})[^=].*?\1\s*$", re.MULTILINE)


@dataclass
class ArticleFacts:
    title: str  # as asked (underscores)
    length: int | None = None
    lead_image: str | None = None
    images: int = 0
    refs: int | None = None
    sections: int | None = None
    quality: str | None = None
    languages: int = 0
    last_edit: datetime | None = None
    created: datetime | None = None  # the first revision (with the history only)
    edits_12m: int | None = None  # revisions over the 12 months before the read (with the history only)
    editors_12m: int | None = None  # distinct users who made them
    missing: bool = False
    _images: set[str] = field(default_factory=set, repr=False)
    _languages: set[str] = field(default_factory=set, repr=False)


def wikitext_counts(text: str) -> tuple[int, int]:
    """(references, section headings) of a page's wikitext."""
    return len(_REF.findall(text)), len(_HEADING.findall(text))


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def _merge(facts: ArticleFacts, page: dict[str, Any]) -> None:
    """One page of one answer into its facts: a later ``continue`` round repeats the page with the
    rest of its lists only."""
    if page.get("missing") or page.get("invalid"):
        facts.missing = True
        return
    if "length" in page:
        facts.length = int(page["length"])
    if page.get("pageimage"):
        facts.lead_image = str(page["pageimage"])
    facts._images.update(i["title"] for i in page.get("images", []))
    facts._languages.update(link["lang"] for link in page.get("langlinks", []))
    for category in page.get("categories", []):
        facts.quality = QUALITY.get(category["title"], facts.quality)
    for revision in page.get("revisions", [])[:1]:
        facts.last_edit = _timestamp(revision.get("timestamp")) or facts.last_edit
        content = (revision.get("slots", {}).get("main", {}) or {}).get("content")
        if content is not None:
            facts.refs, facts.sections = wikitext_counts(content)
    facts.images, facts.languages = len(facts._images), len(facts._languages)


BatchDone = Callable[[dict[str, ArticleFacts], int, int], None]


HISTORY_LIMIT = "max"  # revisions per answer (500 for a plain client): a busy article takes a few rounds


async def article_history(client: PoliteClient, endpoint: str, title: str,
                          since: datetime) -> tuple[datetime | None, int, int]:  # fmt: skip
    """(the page's first revision, its revisions since ``since``, their distinct users). The API
    lists the revisions of one page at a time: two queries per article (the revisions back to
    ``since``, followed over ``rvcontinue``; then the oldest one), so the history is read for the
    few articles of a town's diagnosis, not for all of France."""
    base = {"action": "query", "format": "json", "formatversion": "2", "prop": "revisions", "titles": title}
    edits, users = 0, set()
    cont: dict[str, str] = {}
    while True:
        _, payload = await client.get_json(
            endpoint,
            params={
                **base,
                "rvprop": "timestamp|user",
                "rvlimit": HISTORY_LIMIT,
                "rvend": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                **cont,
            },
        )
        pages = _pages(payload)
        for page in pages:
            for revision in page.get("revisions", []):
                edits += 1
                users.add(revision.get("user") or "")  # a hidden user name counts as one more editor
        more = payload.get("continue") if isinstance(payload, dict) else None
        if not isinstance(more, dict):
            break
        cont = {k: str(v) for k, v in more.items()}
    _, payload = await client.get_json(endpoint, params={**base, "rvprop": "timestamp", "rvlimit": "1",
                                                         "rvdir": "newer"})  # fmt: skip
    first = [r for page in _pages(payload) for r in page.get("revisions", [])[:1]]
    return (_timestamp(first[0].get("timestamp")) if first else None), edits, len(users)


def _pages(payload: object) -> list[dict[str, Any]]:
    if not isinstance(payload, dict) or "query" not in payload:
        raise ValueError("not a MediaWiki query answer")
    pages: list[dict[str, Any]] = payload["query"].get("pages", [])
    return pages


async def article_facts(client: PoliteClient, endpoint: str, titles: list[str],
                        on_batch: BatchDone | None = None,
                        history_since: datetime | None = None) -> dict[str, ArticleFacts]:  # fmt: skip
    """Title asked (underscores) → its facts (``missing`` when the page does not exist), with its
    age and its last 12 months' edits and editors when ``history_since`` is given (see
    :func:`article_history`). ``on_batch(facts of the batch, titles done, titles)`` after each
    batch: the caller keeps them as they come, so that an interrupted read resumes where it stopped."""
    out: dict[str, ArticleFacts] = {}
    for i in range(0, len(titles), BATCH):
        batch = titles[i : i + BATCH]
        params = {
            "action": "query", "format": "json", "formatversion": "2", "redirects": "1",
            "prop": "info|pageimages|images|categories|langlinks|revisions",
            "piprop": "name", "imlimit": "max", "lllimit": "max", "cllimit": "max",
            "clcategories": "|".join(QUALITY), "rvprop": "timestamp|content", "rvslots": "main",
            "titles": "|".join(t.replace("_", " ") for t in batch),
        }  # fmt: skip
        mapping: dict[str, str] = {}
        by_title: dict[str, ArticleFacts] = {}
        cont: dict[str, str] = {}
        while True:
            _, payload = await client.get_json(endpoint, params={**params, **cont})
            if not isinstance(payload, dict) or "query" not in payload:
                raise ValueError("not a MediaWiki query answer")
            query = payload["query"]
            for n in query.get("normalized", []) + query.get("redirects", []):
                mapping[n["from"]] = n["to"]
            for page in query.get("pages", []):
                _merge(by_title.setdefault(page["title"], ArticleFacts(page["title"])), page)
            if "continue" not in payload:
                break
            cont = {k: str(v) for k, v in payload["continue"].items()}
        done: dict[str, ArticleFacts] = {}
        for t in batch:
            name, seen = t.replace("_", " "), set()
            while name in mapping and name not in seen:  # normalisation, then redirect
                seen.add(name)
                name = mapping[name]
            found = by_title.get(name)
            done[t] = ArticleFacts(t, missing=True) if found is None else replace(found, title=t)
            if history_since is not None and not done[t].missing:
                created, edits, editors = await article_history(client, endpoint, name, history_since)
                done[t] = replace(done[t], created=created, edits_12m=edits, editors_12m=editors)
        out.update(done)
        if on_batch is not None:
            on_batch(done, min(i + BATCH, len(titles)), len(titles))
    return out


# --- Wikidata: what the commune's item declares (SPARQL, batched) --------------------------------

WIKIDATA_BATCH = 200
SOCIAL = {"x": "P2002", "instagram": "P2003", "facebook": "P2013", "youtube": "P2397", "tiktok": "P7085",
          "linkedin": "P4264"}  # fmt: skip
VALUED = {"website": "P856", "image": "P18", "coat_of_arms": "P94", "flag": "P41", "commons_category": "P373"}


@dataclass
class ItemFacts:
    qid: str
    website: str | None = None
    image: str | None = None
    coat_of_arms: str | None = None
    flag: str | None = None
    commons_category: str | None = None
    social: list[str] = field(default_factory=list)  # the networks with an account declared
    sitelinks: int | None = None
    label_languages: int | None = None  # languages its label is written in (how far it is found by name)
    commons_files: int | None = None  # files in its Commons category (Commons API), when it has one


def wikidata_query(qids: list[str]) -> str:
    values = " ".join(f"wd:{q}" for q in qids if q[:1] == "Q" and q[1:].isdigit())
    picked = " ".join(f"(SAMPLE(?{k}) AS ?{k})" for k in VALUED)
    counted = " ".join(f"(COUNT(DISTINCT ?{k}) AS ?{k})" for k in SOCIAL)
    optional = "\n  ".join(f"OPTIONAL {{ ?item wdt:{p} ?{k} . }}" for k, p in {**VALUED, **SOCIAL}.items())
    return f"""SELECT ?item {picked} {counted} (SAMPLE(?links) AS ?sitelinks)
       (COUNT(DISTINCT LANG(?label)) AS ?label_languages) WHERE {{
  VALUES ?item {{ {values} }}
  {optional}
  OPTIONAL {{ ?item wikibase:sitelinks ?links . }}
  OPTIONAL {{ ?item rdfs:label ?label . }}
}} GROUP BY ?item"""


def _file_name(value: str) -> str:
    """A Commons file as WDQS gives it (a Special:FilePath URL) → its name."""
    return unquote(value.rsplit("/", 1)[-1]).replace("_", " ") if "/" in value else value


def parse_item_facts(payload: object) -> dict[str, ItemFacts]:
    if not isinstance(payload, dict) or "results" not in payload:
        raise ValueError("not a SPARQL JSON result")
    out: dict[str, ItemFacts] = {}
    for b in payload["results"]["bindings"]:
        qid = b["item"]["value"].rsplit("/", 1)[-1]
        got = {k: v["value"] for k, v in b.items()}
        out[qid] = ItemFacts(
            qid,
            website=got.get("website"),
            image=_file_name(got["image"]) if got.get("image") else None,
            coat_of_arms=_file_name(got["coat_of_arms"]) if got.get("coat_of_arms") else None,
            flag=_file_name(got["flag"]) if got.get("flag") else None,
            commons_category=got.get("commons_category"),
            social=[k for k in SOCIAL if int(got.get(k, "0") or 0) > 0],
            sitelinks=int(got["sitelinks"]) if got.get("sitelinks") else None,
            label_languages=int(got["label_languages"]) if got.get("label_languages") else None,
        )
    return out


async def item_facts(client: PoliteClient, sparql: str, commons: str, qids: list[str]) -> dict[str, ItemFacts]:
    """QID → what its item declares, and the files of its Commons category (``prop=categoryinfo``,
    50 categories per query)."""
    out: dict[str, ItemFacts] = {}
    for i in range(0, len(qids), WIKIDATA_BATCH):
        batch = qids[i : i + WIKIDATA_BATCH]
        _, payload = await client.get_json(sparql, params={"query": wikidata_query(batch), "format": "json"})
        out.update(parse_item_facts(payload))
    categories = {f"Category:{f.commons_category}": f for f in out.values() if f.commons_category}
    names = list(categories)
    for i in range(0, len(names), 50):
        params = {"action": "query", "format": "json", "formatversion": "2", "prop": "categoryinfo",
                  "titles": "|".join(names[i : i + 50])}  # fmt: skip
        _, payload = await client.get_json(commons, params=params)
        if not isinstance(payload, dict) or "query" not in payload:
            raise ValueError("not a MediaWiki query answer")
        query = payload["query"]
        renamed = {n["to"]: n["from"] for n in query.get("normalized", [])}
        for page in query.get("pages", []):
            asked = renamed.get(page["title"], page["title"])
            if asked in categories:
                info = page.get("categoryinfo") or {}
                categories[asked].commons_files = int(info.get("files", 0))  # a category without files: 0
    return out
