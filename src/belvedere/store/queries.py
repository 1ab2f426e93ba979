"""Read helpers: the store's data as Polars DataFrames, ready for analysis/."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from belvedere.analysis.panel import Panel
from belvedere.store.db import Store


def communes_frame(store: Store) -> pl.DataFrame:
    """All current communes with their names, groups and PVD status."""
    return store.frame(
        """
        SELECT c.code, c.name, c.departement, d.name AS departement_name, c.region, r.name AS region_name,
               c.population, c.size_class, c.zone, c.lat, c.lon, c.is_commune_nouvelle, c.merged_count,
               (p.code IS NOT NULL) AS is_pvd, c.epci, e.name AS epci_name
        FROM communes c
        LEFT JOIN departements d ON d.code = c.departement
        LEFT JOIN regions r ON r.code = c.region
        LEFT JOIN epci e ON e.code = c.epci
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
    params: dict[str, Any] = {"start": start, "end": end, "agents": list(agents)}
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
    params: dict[str, Any] = {"start": start, "end": end}
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


def load_panel(store: Store, start: date, end: date, codes: list[str] | None = None) -> Panel:
    """The commune x day panel of [start, end], streamed from DuckDB straight into numpy.

    Why not a GROUP BY: 150 million rows grouped into 38 million commune-days take ~20 s in DuckDB;
    each (article, day, access, agent) row is unique in the store, so for communes with a single
    article the rows can be written into their cells directly (~5 s). Communes with several articles
    (redirects) are summed by DuckDB first, which is cheap as they are few.
    """
    days = (end - start).days + 1
    params: dict[str, Any] = {"start": start, "end": end}
    where = ""
    if codes is not None:
        where = "AND commune_code IN (SELECT unnest($codes))"
        params["codes"] = codes
    # a few communes: their articles' rows only (the audience is stored by article: a narrow read)
    mine = "" if codes is None else f"AND article_id IN (SELECT article_id FROM articles WHERE TRUE {where})"
    arts = store.frame(
        f"""
        SELECT article_id, commune_code, count(*) OVER (PARTITION BY commune_code) AS n_articles
        FROM articles WHERE commune_code IS NOT NULL {where}
        AND article_id IN (SELECT DISTINCT article_id FROM pageviews WHERE date BETWEEN $start AND $end {mine})
        """,
        params,
    )
    if arts.is_empty():
        return Panel.empty(start, days)
    panel_codes = sorted(arts["commune_code"].unique().to_list())
    row_of = {c: i for i, c in enumerate(panel_codes)}
    n = len(panel_codes)
    # user views by access start at -1 = "no row": coverage falls out of the matrices themselves
    user = np.full((3, n, days), -1, dtype=np.int32)
    automated = np.zeros((n, days), dtype=np.int32)
    single = arts.filter(pl.col("n_articles") == 1)
    multi = arts.filter(pl.col("n_articles") > 1)

    def scatter(reader: Iterable[pa.RecordBatch], lut: np.ndarray) -> None:
        for batch in reader:
            rows = lut[batch.column(0).to_numpy()]
            d = batch.column(1).to_numpy()
            access = batch.column(2).to_numpy()
            agent = batch.column(3).to_numpy()
            v = batch.column(4).to_numpy()
            is_user = agent == 0
            # one row per (commune, day, access) for the user agent here: plain assignment is exact
            user[access[is_user], rows[is_user], d[is_user]] = v[is_user]
            bots = ~is_user
            if bots.any():
                np.add.at(automated, (rows[bots], d[bots]), v[bots])

    def stream(name: str, table: pa.Table, sql: str, lut: np.ndarray) -> None:
        store.con.register(name, table)
        try:
            scatter(store.con.sql(sql, params={"start": start, "end": end}).arrow(), lut)
        finally:
            store.con.unregister(name)

    if single.height:
        lut = np.full(int(single.select(pl.col("article_id").max()).item()) + 1, -1, dtype=np.int64)
        lut[single["article_id"].to_numpy()] = [row_of[c] for c in single["commune_code"].to_list()]
        stream(
            "_panel_articles",
            single.select("article_id").to_arrow(),
            "SELECT article_id, (date - $start)::INTEGER, enum_code(access)::TINYINT, enum_code(agent)::TINYINT, "
            "views::INTEGER FROM pageviews WHERE date BETWEEN $start AND $end "
            "AND article_id IN (SELECT article_id FROM _panel_articles)",
            lut,
        )
    if multi.height:
        # pseudo article ids = commune rows, summed by DuckDB over the commune's articles
        rows = pl.col("commune_code").replace_strict(row_of, return_dtype=pl.Int64).alias("r")
        stream(
            "_panel_multi",
            multi.select("article_id", rows).to_arrow(),
            "SELECT m.r, (p.date - $start)::INTEGER, enum_code(p.access)::TINYINT, enum_code(p.agent)::TINYINT, "
            "sum(p.views)::INTEGER FROM pageviews p JOIN _panel_multi m USING (article_id) "
            "WHERE p.date BETWEEN $start AND $end GROUP BY ALL",
            np.arange(n, dtype=np.int64),
        )
    covered = np.asarray((user >= 0).any(axis=0), dtype=bool)
    np.maximum(user, 0, out=user)
    return Panel(panel_codes, start, user[0], user[1], user[2], automated, covered)


def nearest_peers(store: Store, code: str, n: int) -> list[str]:
    """The ``n`` communes closest to ``code`` in population within its size class, its région
    first: the few dozen articles a diagnosis fetches beside the commune's own."""
    rows = store.con.execute(
        """SELECT o.code FROM communes o, communes me
           WHERE me.code = ? AND o.code <> me.code AND o.size_class = me.size_class
           ORDER BY (o.region <> me.region), abs(ln(greatest(o.population, 1)) - ln(greatest(me.population, 1))),
                    o.code
           LIMIT ?""",
        [code, n],
    ).fetchall()
    return [r[0] for r in rows]


def article_referrals(store: Store, start: date, end: date, *, min_n: int, before: int = 3,
                      codes: list[str] | None = None) -> pl.DataFrame:  # fmt: skip
    """Per month of [start, end] held in the clickstream, commune (of ``codes``, default all) and
    referring article (links from other articles only): its readers ``n`` (the commune's articles
    added up) and ``usual``, their mean over the ``before`` months held before it (a month held
    without the pair counts 0: fewer than 11 readers are not published; null without a month held
    before it: nothing to compare with); ``total`` and ``usual_total``: the same for all the
    commune's readers, whatever their origin (a summer lifts every origin of a seaside town: an
    article that only kept its share fed nothing). Only the pairs that may have fed the town are
    returned: ``min_n`` readers more than usual at the least, and at least twice as many."""
    params: dict[str, Any] = {"start": start, "end": end, "min_n": min_n, "before": before}
    where = ""
    if codes is not None:
        where = "AND a.commune_code IN (SELECT unnest($codes))"
        params["codes"] = codes
    # the months before each month: its window over the months held, the pairs, the totals
    window = "RANGE BETWEEN INTERVAL (($before)::INTEGER) MONTH PRECEDING AND INTERVAL 1 MONTH PRECEDING"
    return store.frame(
        f"""
        WITH held AS (
            SELECT month, count(*) OVER (ORDER BY month {window}) AS months
            FROM (SELECT DISTINCT month FROM clickstream_files)
        ),
        rows AS (
            SELECT c.month, a.commune_code AS code, c.prev, c.type, c.n
            FROM clickstream c JOIN articles a USING (article_id)
            WHERE a.commune_code IS NOT NULL {where}
              AND c.month BETWEEN date_trunc('month', $start::DATE) - INTERVAL (($before)::INTEGER) MONTH AND $end
        ),
        pairs AS (
            SELECT month, code, referrer, n,
                   sum(n) OVER (PARTITION BY code, referrer ORDER BY month {window}) AS before_n
            FROM (SELECT month, code, prev AS referrer, sum(n)::BIGINT AS n FROM rows WHERE type = 'link' GROUP BY ALL)
        ),
        totals AS (
            SELECT month, code, total, sum(total) OVER (PARTITION BY code ORDER BY month {window}) AS before_total
            FROM (SELECT month, code, sum(n)::BIGINT AS total FROM rows GROUP BY ALL)
        )
        SELECT p.month, p.code, p.referrer, p.n,
               coalesce(p.before_n, 0) / nullif(h.months, 0) AS usual, t.total,
               coalesce(t.before_total, 0) / nullif(h.months, 0) AS usual_total
        FROM pairs p JOIN held h USING (month) JOIN totals t USING (month, code)
        WHERE p.month BETWEEN date_trunc('month', $start::DATE) AND $end AND p.n >= $min_n
          AND h.months > 0 AND p.n - coalesce(p.before_n, 0) / h.months >= $min_n
          AND p.n >= 2 * coalesce(p.before_n, 0) / h.months
        ORDER BY p.month, p.code, p.referrer
        """,
        params,
    )
