"""Link communes to their frwiki article and its redirects, in the store."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from belvedere.config import PROJECT
from belvedere.reference.titles import add_guessed_articles
from belvedere.sources.dumps import Recovery, pool_views_of, recover_views
from belvedere.sources.http import PoliteClient
from belvedere.sources.mediawiki import page_infos
from belvedere.sources.wikidata import resolve_codes
from belvedere.store import audience
from belvedere.store.db import Store, now


@dataclass
class ResolveReport:
    resolved: int = 0
    redirects: int = 0
    missing: list[str] = field(default_factory=list)
    recovery: Recovery = field(default_factory=Recovery)  # dump views given to the new titles


async def resolve_articles(
    store: Store, client: PoliteClient, sparql: str, mediawiki: str, codes: list[str]
) -> ResolveReport:
    """Wikidata sitelinks, then page ids and redirects; replaces these communes' articles."""
    links = await resolve_codes(client, sparql, codes)
    titled = {c: s.title for c, s in links.items() if s.title}
    infos = await page_infos(client, mediawiki, list(titled.values()))
    report = ResolveReport(missing=sorted(set(codes) - set(titled)))
    with store.transaction() as con:
        last_id = con.execute("SELECT coalesce(max(article_id), 0) FROM articles").fetchall()[0][0]
        for code, title in titled.items():
            link = links[code]
            info = infos[title]
            keep = [info.title, *info.redirects]
            # a title guessed earlier for this commune is superseded: drop it and what it fetched
            stale = (
                "SELECT article_id FROM articles WHERE commune_code = ? AND source = 'guess' "
                "AND title NOT IN (SELECT unnest(?))"
            )
            gone = [r[0] for r in con.execute(stale, [code, keep]).fetchall()]
            pool_views_of(con, gone)  # their views stay findable should the title come back
            audience.forget_articles(con, "SELECT unnest(?)", [gone])
            for table in ("dump_hours", "articles"):
                con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?))", [gone])
            _upsert(con, code, info.title, link.qid, info.page_id, None, info.page_id is not None, "wikidata")
            main_id = con.execute(
                "SELECT article_id FROM articles WHERE project = ? AND title = ?", [PROJECT, info.title]
            ).fetchall()[0][0]
            for redirect in info.redirects:
                _upsert(con, code, redirect, link.qid, None, main_id, True, "mediawiki")
            report.redirects += len(info.redirects)
            report.resolved += 1
        # titles new to the store get the views of the dump files ingested before (nothing is lost)
        report.recovery = recover_views(con, last_id)
        con.execute(
            "INSERT INTO ingest_log (source, origin, status, rows, detail, fetched_at) VALUES (?, ?, 'ok', ?, ?, ?)",
            ["wikidata", sparql, report.resolved, f"sans article : {len(report.missing)}", now()],
        )
    return report


def _upsert(con: duckdb.DuckDBPyConnection, code: str, title: str, qid: str | None, page_id: int | None,
            redirect_of: int | None, verified: bool, source: str) -> None:  # fmt: skip
    con.execute(
        """
        INSERT INTO articles (project, title, commune_code, qid, page_id, redirect_of, verified, source)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (project, title) DO UPDATE SET commune_code = excluded.commune_code, qid = excluded.qid,
            page_id = excluded.page_id, redirect_of = excluded.redirect_of, verified = excluded.verified,
            source = excluded.source
        """,
        [PROJECT, title, code, qid, page_id, redirect_of, verified, source],
    )


def articles_for(store: Store, codes: list[str]) -> tuple[list[tuple[int, str]], int]:
    """(article_id, title) of these communes, guessing unverified titles where none is known.

    Returns the list and the number of these communes whose title is still a guess.
    """
    add_guessed_articles(store, codes)
    guessed = store.con.execute(
        "SELECT count(DISTINCT commune_code) FROM articles WHERE project = ? AND commune_code IN (SELECT unnest(?)) "
        "AND source = 'guess'",
        [PROJECT, codes],
    ).fetchall()[0][0]
    rows = store.con.execute(
        "SELECT article_id, title FROM articles WHERE project = ? AND commune_code IN (SELECT unnest(?)) "
        "ORDER BY commune_code, redirect_of NULLS FIRST, title",
        [PROJECT, codes],
    ).fetchall()
    return [(a, t) for a, t in rows], guessed
