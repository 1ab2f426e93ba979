"""Guess a commune's frwiki title offline, the way frwiki names communes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from belvedere.config import PROJECT

if TYPE_CHECKING:
    from belvedere.store.db import Store


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


def add_guessed_articles(store: Store, codes: list[str] | None = None) -> int:
    """Give each commune (of ``codes``, else all) that has no article its probable frwiki title,
    marked unverified (``source='guess'``), so that dumps and fetches match something before
    ``articles resolve`` (Wikidata) confirms or corrects it. Returns the communes given one."""
    con = store.con
    missing = (
        "SELECT code FROM communes c WHERE NOT EXISTS "
        "(SELECT 1 FROM articles a WHERE a.project = ? AND a.commune_code = c.code)"
    )
    params: list[Any] = [PROJECT]
    if codes is not None:
        missing += " AND c.code IN (SELECT unnest(?))"
        params.append(codes)
    todo = {r[0] for r in con.execute(missing, params).fetchall()}
    if not todo:
        return 0
    every = store.frame("SELECT code, name, departement FROM communes ORDER BY code")  # names clash France-wide
    dep_names = dict(con.execute("SELECT code, name FROM departements").fetchall())
    guessed = every.with_columns(pl.Series("title", guess_titles(every, dep_names))).filter(pl.col("code").is_in(todo))
    from belvedere.sources.dumps import recover_views

    with store.transaction():
        last_id = con.execute("SELECT coalesce(max(article_id), 0) FROM articles").fetchall()[0][0]
        con.register("_guessed", guessed.select("code", "title").to_arrow())
        added = con.execute(
            "INSERT INTO articles (project, title, commune_code, verified, source) "
            "SELECT ?, title, code, FALSE, 'guess' FROM _guessed ON CONFLICT (project, title) DO NOTHING",
            [PROJECT],
        ).fetchall()[0][0]
        con.unregister("_guessed")
        # views of dump files ingested before these titles existed (a store older than the guesses)
        recover_views(con, last_id)
    return int(added)
