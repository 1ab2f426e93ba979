"""Where things are: store path, HTTP base URLs, politeness limits (environment + defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from belvedere import messages as M
from belvedere.errors import BelvedereError

DEFAULT_DB = "belvedere.duckdb"
WIKIMEDIA_API = "https://wikimedia.org/api/rest_v1"
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
MEDIAWIKI_API = "https://fr.wikipedia.org/w/api.php"
COMMONS_API = "https://commons.wikimedia.org/w/api.php"
PROJECT = "fr.wikipedia"
# Wikimedia's per-article data begins here.
PAGEVIEWS_START = "2015-07-01"
# A store (or a snapshot) holding audience for fewer than this share of the communes with a
# population is partial (a town's store: the commune and a few peers): its ranks and medians are
# said to be among the communes it holds, never "en France"; France's come from a national snapshot.
PARTIAL_SHARE = 0.9
# the file where a command run by the web server says how far it is (see belvedere.web.analyses)
PROGRESS_ENV = "BELVEDERE_PROGRESS_FILE"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _number(name: str, default: str, kind: type[int] | type[float], low: float, high: float) -> int | float:
    """A number from the environment, checked: a typo gives one French line, not a traceback."""
    raw = _env(name, default)
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not (low <= value <= high):  # NaN fails both comparisons
        raise BelvedereError(M.t("bad_setting", name=name, value=raw, low=low, high=high))
    return value


@dataclass(frozen=True)
class Settings:
    """Run-time settings; every HTTP base URL can point at a mirror, a proxy or a test fake."""

    db_path: Path = field(default_factory=lambda: Path(_env("BELVEDERE_DB", DEFAULT_DB)))
    wikimedia_api: str = field(default_factory=lambda: _env("BELVEDERE_WIKIMEDIA_API", WIKIMEDIA_API))
    wikidata_sparql: str = field(default_factory=lambda: _env("BELVEDERE_WIKIDATA_SPARQL", WIKIDATA_SPARQL))
    mediawiki_api: str = field(default_factory=lambda: _env("BELVEDERE_MEDIAWIKI_API", MEDIAWIKI_API))
    commons_api: str = field(default_factory=lambda: _env("BELVEDERE_COMMONS_API", COMMONS_API))
    contact: str = field(default_factory=lambda: _env("BELVEDERE_CONTACT", ""))
    # Wikimedia allows at most 3 requests in flight
    max_concurrency: int = field(default_factory=lambda: int(_number("BELVEDERE_MAX_CONCURRENCY", "3", int, 1, 3)))
    max_tries: int = field(default_factory=lambda: int(_number("BELVEDERE_MAX_TRIES", "6", int, 1, 100)))
    backoff_base: float = field(default_factory=lambda: _number("BELVEDERE_BACKOFF_BASE", "1.0", float, 0, 600))
