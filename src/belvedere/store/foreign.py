"""The only writer of the attention from abroad: a commune's articles in other language editions
(``foreign_articles``) and their monthly audience (``foreign_views``).

They live apart from ``articles``/``pageviews`` so that every French figure (views per
inhabitant, ranks, spikes) stays frwiki's own: a German article's readers never raise a town's
French audience by accident. Three sources write months, each under its own name, and a reader
picks one per month (see :data:`MONTHS`): the REST API's whole months first, then the simulator's,
then the hours added up from dump files with how many of the month's hours were read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from belvedere import messages as M
from belvedere.errors import ReadOnlyStoreError
from belvedere.store.db import Store, now

# one row per foreign article and month: the source that covers the month best; ``hours``: the
# month's hours its figure counts (a REST or simulated month counts them all; dump hours are the
# hourly files read since the article was known), ``full_hours``: the month's hours. ``{articles}``:
# a condition on foreign_articles (one commune's, or TRUE), applied first so that a page reads only
# its commune's rows
MONTHS_OF = """
WITH arts AS (SELECT * FROM foreign_articles WHERE {articles}), dumped AS (
    SELECT a.project, a.title, date_trunc('month', f.date)::DATE AS month, count(*) AS hours
    FROM arts a JOIN dump_files f ON f.foreign_lines AND f.ingested_at >= a.added_at
    WHERE f.hour < 24 GROUP BY ALL
), ranked AS (
    SELECT v.project, v.title, v.month, v.views, v.source,
           CASE WHEN v.source = 'dump' THEN coalesce(d.hours, 0)
                ELSE 24 * (last_day(v.month) - v.month + 1) END AS hours,
           24 * (last_day(v.month) - v.month + 1) AS full_hours,
           row_number() OVER (PARTITION BY v.project, v.title, v.month
                              ORDER BY CASE v.source WHEN 'rest_api' THEN 0 WHEN 'simulated' THEN 1 ELSE 2 END) AS k
    FROM {views} v LEFT JOIN dumped d USING (project, title, month)
)
SELECT a.code, r.project, r.title, r.month, r.views, r.source, r.hours, r.full_hours
FROM ranked r JOIN arts a USING (project, title) WHERE r.k = 1
"""
MONTHS = MONTHS_OF.format(articles="TRUE", views="foreign_views")
# a few communes' months: the rows of their titles read first (the index on foreign_views(title)), then
# ranked as MONTHS_OF does, rather than a scan of every commune's (the final join keeps their articles')
FEW_VIEWS = "SELECT * FROM foreign_views WHERE title = ANY(?)"


def _writable(store: Store) -> None:
    if store.read_only:
        raise ReadOnlyStoreError(M.t("read_only_store"))


def save_articles(store: Store, rows: list[dict[str, Any]], source: str = "wikidata") -> int:
    """Each commune's foreign articles as its Wikidata item lists them now (``rows``: code, qid,
    project, title), in one transaction: a title already known keeps the day it was first seen
    (the dump hours read since then looked for it); a title the item no longer lists goes, with
    its months."""
    _writable(store)
    if not rows:
        return 0
    table = pa.table({k: [r[k] for r in rows] for k in ("code", "qid", "project", "title")})
    with store.transaction() as con:
        con.register("_foreign", table)
        gone = con.execute(
            "SELECT project || '|' || title FROM foreign_articles a WHERE code IN (SELECT code FROM _foreign) "
            "AND NOT EXISTS (SELECT 1 FROM _foreign f WHERE f.project = a.project AND f.title = a.title)"
        ).fetchall()
        if gone:
            keys = [g[0] for g in gone]
            for table in ("foreign_views", "foreign_articles"):
                con.execute(f"DELETE FROM {table} WHERE list_contains(?, project || '|' || title)", [keys])
        con.execute(
            "INSERT INTO foreign_articles SELECT DISTINCT ON (project, title) project, title, code, qid, ?, ? "
            "FROM _foreign ON CONFLICT (project, title) DO UPDATE SET code = excluded.code, qid = excluded.qid",
            [source, now()],
        )
        con.unregister("_foreign")
    return len(rows)


def save_months(store: Store, rows: list[tuple[str, str, date, int]], source: str = "rest_api") -> int:
    """Whole months read from the REST API (``rows``: project, title, month, views), each
    replacing the same month of the same source, in one transaction."""
    _writable(store)
    if not rows:
        return 0
    table = pa.table({"project": [r[0] for r in rows], "title": [r[1] for r in rows],
                      "month": pa.array([r[2] for r in rows], pa.date32()),
                      "views": pa.array([r[3] for r in rows], pa.int64())})  # fmt: skip
    with store.transaction() as con:
        con.register("_months", table)
        con.execute("INSERT OR REPLACE INTO foreign_views SELECT project, title, month, views, ? FROM _months",
                    [source])  # fmt: skip
        con.unregister("_months")
    return len(rows)


def add_dump_hour(con: duckdb.DuckDBPyConnection, name: str, counts: pa.Table, day: date) -> None:
    """One hourly file's views of the foreign articles (``counts``: project, title, views) added to
    their month, inside the caller's transaction (the file's own: it is recorded once, so its
    hour is never added twice), and the file marked as read for them (its hour counts for every
    foreign article known then, those without a line too: they had no views)."""
    con.execute("UPDATE dump_files SET foreign_lines = TRUE WHERE name = ?", [name])
    if counts.num_rows == 0:
        return
    con.register("_hour_foreign", counts)
    con.execute(
        "INSERT INTO foreign_views SELECT project, title, date_trunc('month', ?::DATE)::DATE, sum(views)::BIGINT, "
        "'dump' FROM _hour_foreign GROUP BY ALL ON CONFLICT (project, title, month, source) "
        "DO UPDATE SET views = foreign_views.views + excluded.views",
        [day],
    )
    con.unregister("_hour_foreign")


def forget_dump_months(con: duckdb.DuckDBPyConnection, months: list[date]) -> None:
    """Hours of these months are read again (``ingest --replace``): one hour cannot be taken out of
    a month's sum, so the months' dump figures go and their other files stop counting for them
    (the months show as not covered, never as counted twice)."""
    if not months:
        return
    con.execute("DELETE FROM foreign_views WHERE source = 'dump' AND list_contains(?, month)", [months])
    con.execute("UPDATE dump_files SET foreign_lines = FALSE WHERE hour < 24 "
                "AND list_contains(?, date_trunc('month', date)::DATE)", [months])  # fmt: skip


def replace_simulated(con: duckdb.DuckDBPyConnection, articles: pa.Table, months: pa.Table,
                      when: datetime) -> None:  # fmt: skip
    """The simulator's foreign articles (code, project, title) and months (project, title, month,
    views) replacing its last ones, inside the simulation's transaction."""
    con.execute("DELETE FROM foreign_views WHERE source = 'simulated'")
    con.execute("DELETE FROM foreign_articles WHERE source = 'simulated'")
    con.register("_sim_foreign", articles)
    con.execute("INSERT INTO foreign_articles SELECT project, title, code, NULL, 'simulated', ? FROM _sim_foreign",
                [when])  # fmt: skip
    con.unregister("_sim_foreign")
    con.register("_sim_months", months)
    con.execute("INSERT INTO foreign_views SELECT project, title, month, views, 'simulated' FROM _sim_months")
    con.unregister("_sim_months")
