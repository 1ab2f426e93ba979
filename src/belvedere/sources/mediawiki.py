"""Page ids and every redirect of frwiki titles (MediaWiki Action API, formatversion=2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from belvedere.sources.http import PoliteClient

BATCH = 50  # the API's limit of titles per query for ordinary clients


@dataclass
class PageInfo:
    requested: str  # title as asked (underscores)
    title: str  # canonical title after normalisation / redirect (underscores)
    page_id: int | None
    redirects: list[str] = field(default_factory=list)  # titles redirecting to it (underscores)


def _u(title: str) -> str:
    return title.replace(" ", "_")


async def page_infos(client: PoliteClient, endpoint: str, titles: list[str]) -> dict[str, PageInfo]:
    """Requested title → PageInfo (missing pages get page_id None)."""
    out: dict[str, PageInfo] = {}
    for i in range(0, len(titles), BATCH):
        batch = titles[i : i + BATCH]
        params = {
            "action": "query", "format": "json", "formatversion": "2", "redirects": "1",
            "prop": "redirects|info", "rdlimit": "max", "rdnamespace": "0",
            "titles": "|".join(t.replace("_", " ") for t in batch),
        }  # fmt: skip
        pages: dict[str, dict[str, Any]] = {}
        mapping: dict[str, str] = {}
        cont: dict[str, str] = {}
        while True:
            _, payload = await client.get_json(endpoint, params={**params, **cont})
            if not isinstance(payload, dict) or "query" not in payload:
                raise ValueError("not a MediaWiki query answer")
            q = payload["query"]
            for n in q.get("normalized", []) + q.get("redirects", []):
                mapping[n["from"]] = n["to"]
            for p in q.get("pages", []):
                page = pages.setdefault(p["title"], {"pageid": p.get("pageid"), "redirects": []})
                page["redirects"] += [r["title"] for r in p.get("redirects", [])]
                if p.get("missing"):
                    page["pageid"] = None
            if "continue" not in payload:
                break
            cont = {k: str(v) for k, v in payload["continue"].items()}
        for t in batch:
            name = t.replace("_", " ")
            seen = set()
            while name in mapping and name not in seen:  # normalisation, then redirect
                seen.add(name)
                name = mapping[name]
            page = pages.get(name, {"pageid": None, "redirects": []})
            out[t] = PageInfo(t, _u(name), page["pageid"], sorted({_u(r) for r in page["redirects"]}))
    return out
