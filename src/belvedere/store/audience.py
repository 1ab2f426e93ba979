"""The one writer of ``pageviews``: every source's daily audience enters or leaves the store here.

The rules that keep audience honest live in one place instead of one copy per source:

- a source replaces exactly what it covered (articles, accesses, agent, days) and nothing else;
- a real source never touches a simulated article's views, and the simulator never a real one's;
- a day a source covered without a line for an article is a zero (dump files list every page
  seen that day); a day nobody covered has no row, never a zero.

Each function runs inside the caller's transaction (``store.transaction()``), so that the
audience, the file or request log that explains it, and anything derived are committed together
or not at all.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pyarrow as pa

REAL = "SELECT article_id FROM articles WHERE source <> 'simulated'"


def insert_rows(con: duckdb.DuckDBPyConnection, rows: pa.Table, agent: str | None = None) -> int:
    """Add rows (article_id, date, access, views, and agent unless ``agent`` gives it) that the caller
    has made room for: a source that replaces days deletes them first (:func:`replace_ranges`)."""
    con.register("_audience_rows", rows)
    try:
        agent_sql = "?::agent_t" if agent is not None else "agent::VARCHAR::agent_t"
        con.execute(
            f"INSERT INTO pageviews SELECT article_id, date, access::VARCHAR::access_t, {agent_sql}, views "
            "FROM _audience_rows",
            [agent] if agent is not None else [],
        )
    finally:
        con.unregister("_audience_rows")
    return int(rows.num_rows)


def replace_ranges(con: duckdb.DuckDBPyConnection, ranges: pa.Table, rows: pa.Table | None) -> int:
    """What the REST API answered: each range (article_id, access, agent, start_date, end_date) it
    covered is emptied, then filled with ``rows`` (the answered days, zeros included)."""
    if ranges.num_rows:
        con.register("_audience_ranges", ranges)
        try:
            con.execute(
                "DELETE FROM pageviews p USING _audience_ranges r WHERE p.article_id = r.article_id "
                "AND p.access::VARCHAR = r.access AND p.agent::VARCHAR = r.agent "
                "AND p.date BETWEEN r.start_date AND r.end_date"
            )
        finally:
            con.unregister("_audience_ranges")
    return insert_rows(con, rows) if rows is not None and rows.num_rows else 0


def settle_user_day(con: duckdb.DuckDBPyConnection, day: date) -> int:
    """A day whose 24 hourly dump files are all in: the user desktop and mobile-web views of every real
    article, summed from ``dump_hours`` (an article without a line that day: zero, the files list every
    page seen)."""
    con.execute(
        f"DELETE FROM pageviews WHERE date = ? AND agent = 'user' AND access IN ('desktop', 'mobile-web') "
        f"AND article_id IN ({REAL})",
        [day],
    )
    return int(
        con.execute(
            """INSERT INTO pageviews
               SELECT a.article_id, ?::DATE, x.access::access_t, 'user',
                      coalesce((SELECT sum(h.views) FROM dump_hours h WHERE h.article_id = a.article_id
                                AND h.date = ? AND h.access = x.access::access_t), 0)::INTEGER
               FROM articles a, (VALUES ('desktop'), ('mobile-web')) x(access)
               WHERE a.source <> 'simulated'""",
            [day, day],
        ).fetchall()[0][0]
    )


def replace_days(con: duckdb.DuckDBPyConnection, *, project: str, first: date, days: int, agent: str,
                 counts: str, params: list[Any]) -> int:  # fmt: skip
    """A pageview_complete file (a day or a month of one agent, three accesses): every real article of
    ``project`` gets each covered day's views from the ``counts`` query (title, access, date, views),
    zero where it has none. Returns the rows written."""
    con.execute(
        f"DELETE FROM pageviews WHERE date BETWEEN ? AND ?::DATE + ? - 1 AND agent = ? "
        f"AND article_id IN ({REAL} AND project = ?)",
        [first, first, days, agent, project],
    )
    return int(
        con.execute(
            f"""INSERT INTO pageviews
               SELECT a.article_id, d.date, x.access::access_t, ?::agent_t, coalesce(c.views, 0)::INTEGER
               FROM articles a
               CROSS JOIN (VALUES ('desktop'), ('mobile-web'), ('mobile-app')) x(access)
               CROSS JOIN (SELECT (?::DATE + k::INTEGER)::DATE AS date FROM range(?) t(k)) d
               LEFT JOIN (SELECT title, access, date, sum(views) AS views FROM ({counts}) GROUP BY ALL) c
                      ON c.title = a.title AND c.access = x.access AND c.date = d.date
               WHERE a.project = ? AND a.source <> 'simulated'""",
            [agent, first, days, *params, project],
        ).fetchall()[0][0]
    )


def add_missing(con: duckdb.DuckDBPyConnection, rows: str) -> int:
    """Rows from a query (article_id, date, access, agent, views) for the (article, day, access, agent)
    the store has no row of yet, and only those: views given back never overwrite views held."""
    return int(
        con.execute(
            f"""INSERT INTO pageviews SELECT * FROM ({rows}) n
                WHERE NOT EXISTS (SELECT 1 FROM pageviews p WHERE p.article_id = n.article_id
                                  AND p.date = n.date AND p.agent = n.agent AND p.access = n.access)"""
        ).fetchall()[0][0]
    )


def forget_articles(con: duckdb.DuckDBPyConnection, articles: str, params: list[Any] | None = None) -> None:
    """Remove the views of the articles a query selects, before the articles themselves leave."""
    con.execute(f"DELETE FROM pageviews WHERE article_id IN ({articles})", params or [])
