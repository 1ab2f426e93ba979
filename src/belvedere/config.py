"""Where things are: store path, HTTP base URLs, politeness limits (environment + defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = "belvedere.duckdb"
WIKIMEDIA_API = "https://wikimedia.org/api/rest_v1"
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
MEDIAWIKI_API = "https://fr.wikipedia.org/w/api.php"
PROJECT = "fr.wikipedia"
# Wikimedia's per-article data begins here.
PAGEVIEWS_START = "2015-07-01"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """Run-time settings; every HTTP base URL can point at a mirror, a proxy or a test fake."""

    db_path: Path = field(default_factory=lambda: Path(_env("BELVEDERE_DB", DEFAULT_DB)))
    wikimedia_api: str = field(default_factory=lambda: _env("BELVEDERE_WIKIMEDIA_API", WIKIMEDIA_API))
    wikidata_sparql: str = field(default_factory=lambda: _env("BELVEDERE_WIKIDATA_SPARQL", WIKIDATA_SPARQL))
    mediawiki_api: str = field(default_factory=lambda: _env("BELVEDERE_MEDIAWIKI_API", MEDIAWIKI_API))
    contact: str = field(default_factory=lambda: _env("BELVEDERE_CONTACT", ""))
    max_concurrency: int = field(default_factory=lambda: int(_env("BELVEDERE_MAX_CONCURRENCY", "3")))
    max_tries: int = field(default_factory=lambda: int(_env("BELVEDERE_MAX_TRIES", "6")))
    backoff_base: float = field(default_factory=lambda: float(_env("BELVEDERE_BACKOFF_BASE", "1.0")))
