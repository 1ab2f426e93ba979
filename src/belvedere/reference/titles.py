"""Guess a commune's frwiki title offline, the way frwiki names communes."""

from __future__ import annotations

import polars as pl


def wiki_title(text: str) -> str:
    """A title as Wikimedia writes it in URLs and dumps: spaces as underscores."""
    return text.strip().replace(" ", "_")


def guess_titles(communes: pl.DataFrame, dep_names: dict[str, str]) -> list[str]:
    """One title per row of communes (code, name, departement).

    frwiki uses the bare name when it is unique among communes and "Nom (Département)" when
    several communes share it. A name repeated within one département falls back to the code.
    """
    names = communes["name"].to_list()
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    titles: list[str] = []
    seen: set[str] = set()
    for name, dep, code in zip(names, communes["departement"].to_list(), communes["code"].to_list(), strict=True):
        title = name if counts[name] == 1 else f"{name} ({dep_names.get(dep, dep)})"
        if title in seen:
            title = f"{name} ({code})"
        seen.add(title)
        titles.append(wiki_title(title))
    return titles
