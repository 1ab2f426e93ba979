"""Audience metrics per commune: totals, per inhabitant, ranks, visibility surplus, seasonality.

Pure functions: a :class:`Panel` and the communes frame in, DataFrames out.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from belvedere.analysis.panel import Panel

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SUMMER_MONTHS = (7, 8)
WINTER_MONTHS = (12, 1, 2, 3)
# where a rank is computed, and the column that defines the group (None = all of France)
RANK_GROUPS: dict[str, str | None] = {
    "france": None,
    "pvd": "is_pvd",
    "region": "region",
    "departement": "departement",
    "size_class": "size_class",
}


def _nan_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = num / den
    out[~np.isfinite(out)] = np.nan
    return out


def seasonal_index(user: np.ndarray, months: np.ndarray, season: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(share of the period's views falling in the season, mean daily views in season / overall mean)."""
    in_season = np.isin(months, season)
    total = np.nansum(user, axis=1)
    season_views = np.nansum(user[:, in_season], axis=1)
    season_days = np.sum(~np.isnan(user[:, in_season]), axis=1)
    all_days = np.sum(~np.isnan(user), axis=1)
    share = _nan_ratio(season_views, total)
    index = _nan_ratio(_nan_ratio(season_views, season_days), _nan_ratio(total, all_days))
    return share, index


def _seasonal(
    by_month: np.ndarray, days_by_month: np.ndarray, season: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`seasonal_index` from per-month sums of views and of covered days (columns Jan..Dec)."""
    cols = [m - 1 for m in season]
    season_views, season_days = by_month[:, cols].sum(axis=1), days_by_month[:, cols].sum(axis=1)
    total, all_days = by_month.sum(axis=1), days_by_month.sum(axis=1)
    share = _nan_ratio(season_views, total)
    index = _nan_ratio(_nan_ratio(season_views, season_days), _nan_ratio(total, all_days))
    return share, index


BUSY_MONTHS = 3  # the months of the year with most views a day: the season, if the town has one
MIN_SEASON_VIEWS = 300  # views in those months and in the others, at the least, to compare their phones


def _mobile_season(by_month: np.ndarray, days_by_month: np.ndarray,
                   mobile_by_month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Mobile as on-site demand: the mobile share of the views in the commune's BUSY_MONTHS busiest
    months of the year minus its share in the other months (points, -1..1), and the busiest month
    (1-12). People on site read on their phones: a season carried by phones is visitors there, one
    carried by desktops is interest from afar. NaN with too few views to tell."""
    with np.errstate(invalid="ignore", divide="ignore"):
        per_day = np.where(days_by_month > 0, by_month / np.maximum(days_by_month, 1), -1.0)
    busy = np.argsort(-per_day, axis=1)[:, :BUSY_MONTHS]
    in_season = np.zeros_like(by_month, dtype=bool)
    np.put_along_axis(in_season, busy, True, axis=1)
    views_in, views_out = (by_month * in_season).sum(axis=1), (by_month * ~in_season).sum(axis=1)
    mobile_in, mobile_out = (mobile_by_month * in_season).sum(axis=1), (mobile_by_month * ~in_season).sum(axis=1)
    lift = _nan_ratio(mobile_in, views_in) - _nan_ratio(mobile_out, views_out)
    lift = np.where((views_in >= MIN_SEASON_VIEWS) & (views_out >= MIN_SEASON_VIEWS), lift, np.nan)
    peak = np.where(np.isfinite(lift), busy[:, 0] + 1, 0).astype(np.int64)
    return lift, peak


def robust_loglog_fit(x: np.ndarray, y: np.ndarray, *, c: float = 1.345, iterations: int = 50) -> tuple[float, float]:
    """Huber regression of y on x (iteratively reweighted least squares): (intercept, slope).

    Why Huber and not OLS: a few hundred famous towns (tourism, media) sit far above the cloud and
    would drag an ordinary fit up, making everyone else look under-seen.
    """
    mask = np.isfinite(x) & np.isfinite(y)
    x, y = x[mask], y[mask]
    if x.size < 3 or np.ptp(x) == 0:
        return (float(np.median(y)) if y.size else 0.0), 0.0
    design = np.column_stack([np.ones_like(x), x])
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    for _ in range(iterations):
        resid = y - design @ beta
        scale = 1.4826 * np.median(np.abs(resid - np.median(resid))) or 1e-9
        u = np.abs(resid) / (c * scale)
        w = np.where(u <= 1, 1.0, 1.0 / np.maximum(u, 1e-12))
        sw = np.sqrt(w)
        new = np.linalg.lstsq(design * sw[:, None], y * sw, rcond=None)[0]
        if np.allclose(new, beta, atol=1e-8):
            beta = new
            break
        beta = new
    return float(beta[0]), float(beta[1])


def audience_metrics(panel: Panel, communes: pl.DataFrame) -> pl.DataFrame:
    """One row per commune of the panel: volumes, per-inhabitant figures, seasonality, mobile share,
    year-on-year change and the visibility surplus.

    ``communes`` needs code, name, population, departement, region, size_class, is_pvd (as
    ``communes_frame`` gives). The surplus is fitted over every commune of the panel, so pass the
    whole country's panel to get the national surplus, then filter.
    """
    return add_visibility_surplus(commune_metrics(panel, communes))


def commune_metrics(panel: Panel, communes: pl.DataFrame) -> pl.DataFrame:
    """The figures of :func:`audience_metrics` that each commune's own days give, without the
    surplus (fitted over all communes): a few communes' rows, recomputed after new audience for
    them, join the others' kept rows before the fit."""
    covered = panel.covered
    # user views (0 where not covered: see Panel, so no mask is needed), and per-month / per-weekday
    # sums of views and of covered days as two matrix products (exact: integer counts in float64),
    # not one NaN-aware pass each; built in place (each temporary of 35,000 x 3 years is 300 MB)
    mobile_views = panel.mobile_web.astype(np.float64)
    mobile_views += panel.mobile_app
    user = panel.desktop.astype(np.float64)
    user += mobile_views
    dates = panel.dates
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    weekday = (dates.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    calendar = np.zeros((panel.days, 19))
    calendar[np.arange(panel.days), months - 1] = 1.0
    calendar[np.arange(panel.days), 12 + weekday] = 1.0
    views_by, days_by = user @ calendar, covered.astype(np.float64) @ calendar
    days = covered.sum(axis=1)
    total = views_by[:, :12].sum(axis=1)
    desktop = panel.desktop.sum(axis=1, dtype=np.int64)
    mobile = panel.mobile_web.sum(axis=1, dtype=np.int64) + panel.mobile_app.sum(axis=1, dtype=np.int64)
    mobile_by = mobile_views @ calendar[:, :12]
    del mobile_views
    season_lift, peak_month = _mobile_season(views_by[:, :12], days_by[:, :12], mobile_by)
    summer_share, summer_index = _seasonal(views_by[:, :12], days_by[:, :12], SUMMER_MONTHS)
    winter_share, winter_index = _seasonal(views_by[:, :12], days_by[:, :12], WINTER_MONTHS)
    mean = _nan_ratio(total, days.astype(float))
    cols: dict[str, object] = {
        "code": panel.codes,
        "days": days.astype(np.int64),
        "total_views": total.astype(np.int64),
        "mean_daily_views": mean,
        "desktop_views": desktop,
        "mobile_views": mobile,
        "mobile_share": _nan_ratio(mobile.astype(float), total),
        "summer_share": summer_share,
        "summer_index": summer_index,
        "winter_share": winter_share,
        "winter_index": winter_index,
        "mobile_season_lift": season_lift,
        "mobile_peak_month": peak_month,
    }
    for k, name in enumerate(WEEKDAYS):
        day_mean = _nan_ratio(views_by[:, 12 + k], days_by[:, 12 + k])
        cols[f"weekday_{name}"] = _nan_ratio(day_mean, mean)
    cols["yoy_change"] = _yoy(user, covered)
    df = pl.DataFrame(cols, strict=False).join(
        communes.select("code", "name", "departement", "region", "population", "size_class", "is_pvd",
                        *[c for c in ("is_commune_nouvelle", "lat", "lon") if c in communes.columns]),
        on="code",
        how="left",
    )  # fmt: skip
    pop = pl.when(pl.col("population") > 0).then(pl.col("population")).otherwise(None)
    return df.with_columns(
        (pl.col("total_views") / pop).alias("views_per_inhabitant"),
        (pl.col("total_views") / pop / pl.col("days") * 365.25 * 1000).alias("views_per_1000_inh_year"),
        pl.col("is_pvd").fill_null(False),
    )


def _yoy(user: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """Last 365 days against the 365 before (null unless both years are fully covered)."""
    if user.shape[1] < 730:
        return np.full(user.shape[0], np.nan)
    last, prev = user[:, -365:], user[:, -730:-365]
    full = covered[:, -365:].all(axis=1) & covered[:, -730:-365].all(axis=1)
    change = _nan_ratio(np.nansum(last, axis=1) - np.nansum(prev, axis=1), np.nansum(prev, axis=1))
    change[~full] = np.nan
    return change


SURPLUS_COLUMNS = ("expected_daily_views", "visibility_surplus", "surplus_fit_slope")


def add_visibility_surplus(metrics: pl.DataFrame) -> pl.DataFrame:
    """``visibility_surplus``: views/day over what the commune's population predicts (1 = as expected).

    The prediction is a robust log(views/day) ~ log(population) fit over the frame's communes.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.log(metrics["population"].cast(pl.Float64).to_numpy())
        y = np.log(metrics["mean_daily_views"].cast(pl.Float64).to_numpy())
    ok = np.isfinite(x) & np.isfinite(y)
    intercept, slope = robust_loglog_fit(x[ok], y[ok])
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.exp(intercept + slope * x)
        surplus = metrics["mean_daily_views"].cast(pl.Float64).to_numpy() / expected
    surplus[~np.isfinite(surplus)] = np.nan
    return metrics.with_columns(
        pl.Series("expected_daily_views", expected, dtype=pl.Float64).fill_nan(None),
        pl.Series("visibility_surplus", surplus, dtype=pl.Float64).fill_nan(None),
        pl.lit(slope).alias("surplus_fit_slope"),
    )


def add_ranks(metrics: pl.DataFrame, metric: str = "views_per_inhabitant") -> pl.DataFrame:
    """Rank (1 = highest) and percentile (100 = top) of ``metric`` in France, among PVD, in the
    région, the département and the size class. Nulls are not ranked."""
    out = metrics
    value = pl.col(metric)
    for name, group in RANK_GROUPS.items():
        rank = value.rank(method="min", descending=True)
        count = value.count()
        if group is not None:
            rank, count = rank.over(group), count.over(group)
        pct = (1 - (rank - 1) / count) * 100
        exprs = [rank.cast(pl.Int64).alias(f"rank_{name}"), count.cast(pl.Int64).alias(f"n_{name}"),
                 pct.round(1).alias(f"percentile_{name}")]  # fmt: skip
        out = out.with_columns(exprs)
        if name == "pvd":  # only PVD communes have a PVD rank
            out = out.with_columns(
                [pl.when(pl.col("is_pvd")).then(pl.col(c)).otherwise(None).alias(c)
                 for c in ("rank_pvd", "n_pvd", "percentile_pvd")]
            )  # fmt: skip
    return out


def study_group(metrics: pl.DataFrame) -> pl.Series:
    """'PVD' for Petites Villes de Demain, else the size class: the study's comparison groups."""
    return metrics.select(
        pl.when(pl.col("is_pvd")).then(pl.lit("PVD")).otherwise(pl.col("size_class")).alias("group")
    ).to_series()


def group_summary(metrics: pl.DataFrame, by: str = "group", metric: str = "views_per_inhabitant") -> pl.DataFrame:
    """Median and spread of ``metric`` by group. ``by='group'`` compares PVD with each size class
    of the other communes in one call."""
    df = metrics.with_columns(study_group(metrics)) if by == "group" and "group" not in metrics.columns else metrics
    v = pl.col(metric)
    return (
        df.filter(v.is_not_null())
        .group_by(by)
        .agg(
            pl.len().alias("communes"),
            v.median().alias("median"),
            v.quantile(0.25, "linear").alias("q1"),
            v.quantile(0.75, "linear").alias("q3"),
            v.mean().alias("mean"),
            pl.col("total_views").sum().alias("total_views"),
            pl.col("population").sum().alias("population"),
        )
        .with_columns(
            (pl.col("q3") - pl.col("q1")).alias("iqr"), (pl.col("total_views") / pl.col("population")).alias("pooled")
        )
        .sort("median", descending=True)
    )
