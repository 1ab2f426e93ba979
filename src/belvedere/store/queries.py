"""Read helpers: the store's data as Polars DataFrames, ready for analysis/."""

from __future__ import annotations

from datetime import date

import polars as pl

from belvedere.store.db import Store


def communes_frame(store: Store) -> pl.DataFrame:
    """All current communes with their names, groups and PVD status."""
    return store.frame(
        """
        SELECT c.code, c.name, c.departement, d.name AS departement_name, c.region, r.name AS region_name,
               c.population, c.size_class, c.zone, c.lat, c.lon, c.is_commune_nouvelle, c.merged_count,
               (p.code IS NOT NULL) AS is_pvd
        FROM communes c
        LEFT JOIN departements d ON d.code = c.departement
        LEFT JOIN regions r ON r.code = c.region
        LEFT JOIN pvd p ON p.code = c.code
        ORDER BY c.code
        """
    )


def commune_daily(
    store: Store,
    codes: list[str] | None,
    start: date,
    end: date,
    agents: tuple[str, ...] = ("user",),
) -> pl.DataFrame:
    """Daily views per commune, access and agent: the commune's article and its redirects summed.

    Rows exist only where the store holds data; stored zeros stay zeros (the store is dense over
    what was fetched), so a missing day here is a day that was never fetched.
    """
    params: dict = {"start": start, "end": end, "agents": list(agents)}
    where = ""
    if codes is not None:
        where = "AND a.commune_code IN (SELECT unnest($codes))"
        params["codes"] = codes
    return store.frame(
        f"""
        SELECT a.commune_code AS code, p.date, p.access::VARCHAR AS access, p.agent::VARCHAR AS agent,
               sum(p.views)::BIGINT AS views
        FROM pageviews p JOIN articles a USING (article_id)
        WHERE p.date BETWEEN $start AND $end AND p.agent::VARCHAR IN (SELECT unnest($agents)) {where}
        GROUP BY ALL
        ORDER BY code, p.date, access, agent
        """,
        params,
    )


def commune_totals(store: Store, start: date, end: date, codes: list[str] | None = None) -> pl.DataFrame:
    """Per commune: user views over the period and the number of days with data."""
    params: dict = {"start": start, "end": end}
    where = ""
    if codes is not None:
        where = "AND a.commune_code IN (SELECT unnest($codes))"
        params["codes"] = codes
    return store.frame(
        f"""
        SELECT a.commune_code AS code, sum(p.views)::BIGINT AS views, count(DISTINCT p.date) AS days
        FROM pageviews p JOIN articles a USING (article_id)
        WHERE p.agent = 'user' AND p.date BETWEEN $start AND $end {where}
        GROUP BY ALL
        """,
        params,
    )


def audience_range(store: Store) -> tuple[date | None, date | None]:
    first, last = store.con.execute("SELECT min(date), max(date) FROM pageviews").fetchall()[0]
    return first, last
