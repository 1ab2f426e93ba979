"""Audience per inhabitant: the study's core comparison."""

from __future__ import annotations

import polars as pl


def per_inhabitant(totals: pl.DataFrame, communes: pl.DataFrame) -> pl.DataFrame:
    """Join per-commune totals (code, views, days) to communes and derive per-inhabitant figures.

    Communes without population get null ratios rather than infinities.
    """
    df = totals.join(communes, on="code", how="inner")
    pop = pl.when(pl.col("population") > 0).then(pl.col("population")).otherwise(None)
    return df.with_columns(
        (pl.col("views") / pl.col("days")).alias("mean_daily_views"),
        (pl.col("views") / pop).alias("views_per_inhabitant"),
        (pl.col("views") / pop / pl.col("days") * 365.25 * 1000).alias("views_per_1000_inh_year"),
    )


def top_by(df: pl.DataFrame, column: str, n: int = 10) -> pl.DataFrame:
    """The n rows with the highest value of column (nulls last, ties broken by code)."""
    return df.sort([column, "code"], descending=[True, False], nulls_last=True).head(n)
