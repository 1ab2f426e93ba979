"""Commune → Wikidata item → frwiki title, by INSEE code (P374), in batched SPARQL queries."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from belvedere.sources.http import PoliteClient

BATCH = 400
FRWIKI = "https://fr.wikipedia.org/"


@dataclass(frozen=True)
class Sitelink:
    code: str
    qid: str
    title: str | None  # frwiki title with underscores, None when the item has no frwiki article


def sparql_query(codes: list[str]) -> str:
    values = " ".join(f'"{c}"' for c in codes if c.isalnum())
    return f"""SELECT ?insee ?item ?article ?dissolved WHERE {{
  VALUES ?insee {{ {values} }}
  ?item wdt:P374 ?insee .
  OPTIONAL {{ ?item wdt:P576 ?dissolved . }}
  OPTIONAL {{ ?article schema:about ?item ; schema:isPartOf <{FRWIKI}> . }}
}}"""


def title_from_url(url: str) -> str:
    """https://fr.wikipedia.org/wiki/Saint-%C3%89tienne → Saint-Étienne (underscores kept)."""
    path = urlparse(url).path
    return unquote(path.split("/wiki/", 1)[1])


def parse_bindings(payload: object) -> list[Sitelink]:
    """One Sitelink per INSEE code: a current (not dissolved) item with a frwiki article first."""
    if not isinstance(payload, dict) or "results" not in payload:
        raise ValueError("not a SPARQL JSON result")
    best: dict[str, tuple[tuple[int, int], Sitelink]] = {}
    for b in payload["results"]["bindings"]:
        code = b["insee"]["value"]
        qid = b["item"]["value"].rsplit("/", 1)[-1]
        title = title_from_url(b["article"]["value"]) if "article" in b else None
        rank = (0 if "dissolved" not in b else 1, 0 if title else 1)
        if code not in best or rank < best[code][0]:
            best[code] = (rank, Sitelink(code, qid, title))
    return [s for _, s in best.values()]


async def resolve_codes(client: PoliteClient, endpoint: str, codes: list[str]) -> dict[str, Sitelink]:
    out: dict[str, Sitelink] = {}
    for i in range(0, len(codes), BATCH):
        batch = codes[i : i + BATCH]
        _, payload = await client.get_json(endpoint, params={"query": sparql_query(batch), "format": "json"})
        for s in parse_bindings(payload):
            out[s.code] = s
    return out
