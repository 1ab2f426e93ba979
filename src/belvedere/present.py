"""One presentation layer for the web pages and the reports: a figure shown in both is computed and
worded here once (the smoothed series, the map by département, the default scope), so that the page
and the printed report of a commune never disagree. Number and date wording is in
:mod:`belvedere.messages` (``fr_number``, ``fr_percent``, ``fr_date``)."""

from __future__ import annotations

from datetime import date

import polars as pl

SMOOTH_DAYS = 7  # the smoothed curve: a centred week
SMOOTH_MIN_DAYS = 4  # fewer known days in the week: no smoothed value


def smooth_week(dates: pl.Series, views: pl.Series) -> pl.Series:
    """The centred 7-day mean of a daily series, over calendar days (a day without data is a gap,
    not a zero; a week with fewer than 4 known days has no value), one value per row given."""
    given = pl.DataFrame({"date": dates.cast(pl.Date), "v": views.cast(pl.Float64)})
    if given.is_empty():
        return pl.Series("smooth", [], dtype=pl.Float64)
    first, last = given["date"].min(), given["date"].max()
    assert isinstance(first, date) and isinstance(last, date)
    days = pl.DataFrame({"date": pl.date_range(first, last, eager=True)})
    dense = days.join(given.filter(pl.col("v").is_not_null()), on="date", how="left").with_columns(
        pl.col("v").rolling_mean(SMOOTH_DAYS, center=True, min_samples=SMOOTH_MIN_DAYS)
    )
    return given.select("date").join(dense, on="date", how="left", maintain_order="left")["v"].alias("smooth")


def departement_rates(metrics: pl.DataFrame) -> pl.DataFrame:
    """Views per inhabitant by département over the period (what the national maps colour):
    departement, total_views, population, communes, per_inhabitant."""
    return (
        metrics.group_by("departement")
        .agg(pl.col("total_views").sum(), pl.col("population").sum(), pl.len().alias("communes"))
        .with_columns((pl.col("total_views") / pl.col("population")).alias("per_inhabitant"))
        .sort("departement")
    )


def default_scope(metrics: pl.DataFrame) -> str:
    """The towns a national view starts with: the PVD when the store has some with audience, else all."""
    return "pvd" if metrics["is_pvd"].any() else "all"
