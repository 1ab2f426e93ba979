"""Spikes of attention, bot bursts and level shifts, on daily view series (shared events:
:mod:`belvedere.analysis.events`).

The baseline is robust and seasonal, and computed for thousands of series at once:

1. ``y = log(1 + views)``;
2. medians of 7-day blocks (one per week: weekly noise and short spikes vanish), then a rolling
   median over 5 weeks (a spike cannot move it; a summer season can), interpolated back to days;
3. a weekday profile: the median deviation of each weekday from that smooth level;
4. the noise scale of each series: 1.4826 x the median absolute deviation of ``y`` from the baseline.

A spike is a run of days above baseline + ``extend`` x scale that holds at least one day above
baseline + ``threshold`` x scale, with at least ``min_ratio`` times the baseline views and
``min_excess`` views more than it. Only upward moves count: a weekend dip is never a spike.
A spike is *suspected bot* when the automated/spider agents burst the same day, or when it is a
one- or two-day burst carried by desktop views alone (humans read communes on their phones).
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view

from belvedere.analysis.changepoints import optimal_breaks
from belvedere.analysis.panel import Panel

SPIKE_SCHEMA = {
    "code": pl.String,
    "start": pl.Date,
    "peak": pl.Date,
    "end": pl.Date,
    "days": pl.Int64,
    "peak_views": pl.Int64,
    "baseline_views": pl.Float64,
    "peak_ratio": pl.Float64,
    "excess_views": pl.Float64,
    "z": pl.Float64,
    "suspected_bot": pl.Boolean,
    "bot_reason": pl.String,
}


@dataclass(frozen=True)
class SpikeParams:
    threshold: float = 3.5  # robust z of the peak day
    extend: float = 2.0  # robust z under which a spike is over
    min_ratio: float = 2.0  # peak views / baseline views
    min_excess: float = 10.0  # peak views - baseline views
    merge_gap: int = 3  # days between two runs under which they are one spike (a decaying tail)
    min_scale: float = 0.08  # floor of the noise scale on the log scale (a very smooth series)
    week_window: int = 5  # weeks in the rolling median of weekly medians (odd)
    bot_auto_ratio: float = 5.0  # automated views / their usual level for an automated burst
    bot_auto_min: float = 20.0
    bot_desktop_share: float = 0.8  # share of the excess carried by desktop for a desktop-only burst


@dataclass
class Baseline:
    """Baseline log level, noise scale and z-scores for a (series x days) matrix."""

    log_level: np.ndarray  # (n, days) baseline of log1p(views)
    scale: np.ndarray  # (n,)
    z: np.ndarray  # (n, days), NaN where no data

    @cached_property
    def views(self) -> np.ndarray:
        """The baseline in views per day (computed once: read, never written to)."""
        views: np.ndarray = np.expm1(self.log_level)
        return views


def _fill_nan_along_rows(a: np.ndarray) -> np.ndarray:
    """Replace NaNs by the nearest earlier value in the row, then the nearest later one."""
    a = a.copy()
    n, m = a.shape
    mask = np.isnan(a)
    if not mask.any():
        return a
    idx = np.where(~mask, np.arange(m)[None, :], 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    a = a[np.arange(n)[:, None], idx]
    mask = np.isnan(a)
    if mask.any():  # leading NaNs: take the first valid value
        rev = a[:, ::-1]
        ridx = np.where(~np.isnan(rev), np.arange(m)[None, :], 0)
        np.maximum.accumulate(ridx, axis=1, out=ridx)
        a = rev[np.arange(n)[:, None], ridx][:, ::-1]
    return a


def baseline(views: np.ndarray, weekday0: int, params: SpikeParams = SpikeParams()) -> Baseline:
    """Robust seasonal baseline of each row of ``views`` (NaN = no data). ``weekday0``: weekday of
    the first column, 0 = Monday."""
    with warnings.catch_warnings():  # weeks without any data are expected ("All-NaN slice")
        warnings.simplefilter("ignore", RuntimeWarning)
        return _baseline(views, weekday0, params)


def _baseline(views: np.ndarray, weekday0: int, params: SpikeParams) -> Baseline:
    views = np.asarray(views, dtype=np.float64)
    n, days = views.shape
    y = np.maximum(views, 0)
    np.log1p(y, out=y)
    has_nan = bool(np.isnan(y).any())
    weeks = -(-days // 7)
    full = days // 7
    blocks = y[:, : full * 7].reshape(n, full, 7)
    if has_nan:
        weekly = np.nanmedian(blocks, axis=2)
    else:  # mean without the week's lowest and highest day: as robust to a one-day spike, less noisy
        weekly = (blocks.sum(axis=2) - blocks.max(axis=2) - blocks.min(axis=2)) / 5.0
    if weeks > full:  # the last, partial week: the median of the days it has
        with np.errstate(all="ignore"):
            weekly = np.concatenate([weekly, np.nanmedian(y[:, full * 7 :], axis=1, keepdims=True)], axis=1)
    if has_nan:
        weekly = _fill_nan_along_rows(weekly)
    half = params.week_window // 2
    if weeks > 1:
        windows = sliding_window_view(np.pad(weekly, ((0, 0), (half, half)), mode="edge"), params.week_window, axis=1)
        smooth = np.median(windows, axis=2)
        # a light 1-2-1 smoothing of the weekly levels takes out most of what noise is left
        edge = np.pad(smooth, ((0, 0), (1, 1)), mode="edge")
        smooth = (edge[:, :-2] + 2 * edge[:, 1:-1] + edge[:, 2:]) / 4.0
    else:
        smooth = weekly
    centers = np.arange(weeks) * 7 + 3.0
    if weeks > 1:
        pos = np.clip(np.searchsorted(centers, np.arange(days), side="right") - 1, 0, weeks - 2)
        frac = np.clip((np.arange(days) - centers[pos]) / 7.0, 0.0, 1.0)
        # smooth[:, pos] * (1 - frac) + smooth[:, pos + 1] * frac, in place (each temporary is 36 MB)
        level = smooth[:, pos]
        level *= 1 - frac
        after = smooth[:, pos + 1]
        after *= frac
        level += after
        del after
    else:
        level = np.repeat(smooth, days, axis=1)[:, :days]
    resid = y - level
    weekday = (np.arange(days) + weekday0) % 7
    effect = np.zeros((n, 7))
    for k in range(7):
        cols = resid[:, weekday == k]
        if cols.shape[1]:
            effect[:, k] = np.nanmedian(cols, axis=1) if has_nan else np.median(cols, axis=1)
    effect = np.nan_to_num(effect)
    level += effect[:, weekday]
    np.subtract(y, level, out=resid)
    del y
    spread = np.abs(resid)
    mad = np.nanmedian(spread, axis=1) if has_nan else np.median(spread, axis=1)
    del spread
    scale = np.maximum(1.4826 * np.nan_to_num(mad), params.min_scale)
    resid /= scale[:, None]
    return Baseline(level, scale, resid)


def detect(
    views: np.ndarray,
    start: date,
    codes: list[str],
    *,
    desktop: np.ndarray | None = None,
    automated: np.ndarray | None = None,
    params: SpikeParams = SpikeParams(),
    base: Baseline | None = None,
) -> pl.DataFrame:
    """Spikes of every row of ``views`` (series x days, NaN = no data) as a DataFrame (SPIKE_SCHEMA).

    ``desktop`` and ``automated`` (same shape) allow bot bursts to be recognised.
    """
    views = np.asarray(views, dtype=np.float64)
    n, days = views.shape
    if n == 0 or days == 0:
        return pl.DataFrame(schema=SPIKE_SCHEMA)
    weekday0 = (start - date(1970, 1, 5)).days % 7  # 1970-01-05 was a Monday
    base = base or baseline(views, weekday0, params)
    z = base.z
    expected = base.views
    finite = np.isfinite(z)
    excess = views - expected
    with np.errstate(invalid="ignore"):
        hot = finite & (z >= params.threshold)
        hot &= views >= params.min_ratio * np.maximum(expected, 1.0)
        hot &= excess >= params.min_excess
        warm = finite & (z >= params.extend)
    warm |= hot
    rows, first, last = _runs(hot, warm, params.merge_gap)
    if not len(rows):
        return pl.DataFrame(schema=SPIKE_SCHEMA)
    # every day of every spike, laid end to end (spike k's days at offsets[k] : offsets[k] + length[k])
    length = last - first
    offsets = np.concatenate([[0], np.cumsum(length)[:-1]])
    at_row = np.repeat(rows, length)
    at_day = np.repeat(first - offsets, length) + np.arange(int(length.sum()))
    # the peak: the day furthest above its own baseline (weekdays differ), the first of equals
    ratio = views[at_row, at_day] / np.maximum(expected[at_row, at_day], 1.0)
    ratio[np.isnan(ratio)] = -np.inf
    top = np.repeat(np.maximum.reduceat(ratio, offsets), length)
    where = np.where(ratio == top, np.arange(len(ratio)), len(ratio))
    p = at_day[np.minimum.reduceat(where, offsets)]
    above = np.maximum(excess[at_row, at_day], 0)
    above[np.isnan(above)] = 0.0
    exc = _segment_sums(above, offsets, length)
    peak_views = views[rows, p]
    base_views = expected[rows, p]
    bot = np.full(len(rows), None, dtype=object)
    if automated is not None:
        auto_usual = np.median(automated, axis=1)
        auto = automated[rows, p].astype(np.float64)
        bot[auto >= np.maximum(params.bot_auto_min, params.bot_auto_ratio * (auto_usual[rows] + 1))] = "automated"
    if desktop is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            desktop_share = np.nansum(np.where(np.isnan(views), 0, desktop), axis=1) / np.nansum(views, axis=1)
            d_exc = desktop[rows, p] - desktop_share[rows] * base_views
            peak_excess = excess[rows, p]
            burst = (length <= 2) & (peak_excess > 0) & (d_exc / peak_excess >= params.bot_desktop_share)
        bot[(bot == None) & burst] = "desktop_only"  # noqa: E711 (elementwise)
    day0 = np.datetime64(start, "D")
    return pl.DataFrame(
        {
            "code": pl.Series(codes, dtype=pl.String).gather(rows),
            "start": day0 + first,
            "peak": day0 + p,
            "end": day0 + last - 1,
            "days": length.astype(np.int64),
            "peak_views": peak_views.astype(np.int64),
            "baseline_views": base_views,
            "peak_ratio": peak_views / np.maximum(base_views, 1.0),
            "excess_views": exc,
            "z": z[rows, p],
            "suspected_bot": bot != None,  # noqa: E711 (elementwise)
            "bot_reason": pl.Series(bot.tolist(), dtype=pl.String),
        },
        schema=SPIKE_SCHEMA,
    )


def _runs(hot: np.ndarray, warm: np.ndarray, merge_gap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The spikes of every row at once, as (row, first day, day after the last): the runs of warm
    days that hold a hot day, a run less than ``merge_gap`` days after the one before joined to it
    (the noisy tail of the same spike). In row order, then day order."""
    with_hot = np.flatnonzero(hot.any(axis=1))
    hot, warm = hot[with_hot], warm[with_hot]
    edge = np.zeros((len(with_hot), 1), dtype=np.int8)
    step = np.diff(np.concatenate([edge, warm.astype(np.int8), edge], axis=1), axis=1)
    row, a = np.nonzero(step == 1)
    _, b = np.nonzero(step == -1)  # each run [a, b): as many ends as starts in each row, in the same order
    hot_before = np.concatenate([np.zeros((len(with_hot), 1), dtype=np.int64), np.cumsum(hot, axis=1)], axis=1)
    keep = hot_before[row, b] > hot_before[row, a]
    row, a, b = row[keep], a[keep], b[keep]
    if not len(row):
        return row, a, b
    new = np.ones(len(row), dtype=bool)
    new[1:] = (row[1:] != row[:-1]) | (a[1:] - b[:-1] > merge_gap)
    heads = np.flatnonzero(new)
    tails = np.concatenate([heads[1:], [len(row)]]) - 1
    return with_hot[row[heads]], a[heads], b[tails]


def _segment_sums(values: np.ndarray, offsets: np.ndarray, length: np.ndarray) -> np.ndarray:
    """The sum of each segment, added as ``np.sum`` adds one: left to right under 8 values (one
    step per day, for all short segments at once), pairwise beyond (each long one alone)."""
    sums = np.zeros(len(offsets))
    short = length < 8
    for k in range(int(length[short].max(initial=0))):
        take = short & (length > k)
        sums[take] += values[offsets[take] + k]
    for i in np.flatnonzero(~short):
        sums[i] = values[offsets[i] : offsets[i] + length[i]].sum()
    return sums


def detect_panel(
    panel: Panel,
    params: SpikeParams = SpikeParams(),
    chunk: int = 4096,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Spikes of every commune of a panel, and the seasonality of their spike-free baseline.

    Works through the communes ``chunk`` at a time so that memory stays bounded for the whole
    country. Returns (spikes, seasonality) where seasonality has code, summer_index_baseline and
    winter_index_baseline (mean baseline in July-August / December-March over its yearly mean).
    """
    from belvedere.analysis.metrics import SUMMER_MONTHS, WINTER_MONTHS, seasonal_index

    weekday0 = (panel.start - date(1970, 1, 5)).days % 7
    months = panel.dates.astype("datetime64[M]").astype(int) % 12 + 1

    def one_chunk(a: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        sub = panel.subset(panel.codes[a : a + chunk])
        views = sub.user
        base = baseline(views, weekday0, params)
        found = detect(views, sub.start, sub.codes, desktop=sub.desktop, automated=sub.automated, params=params,
                       base=base)  # fmt: skip
        level = np.where(sub.covered, base.views, np.nan)
        season = pl.DataFrame(
            {
                "code": sub.codes,
                "summer_index_baseline": seasonal_index(level, months, SUMMER_MONTHS)[1],
                "winter_index_baseline": seasonal_index(level, months, WINTER_MONTHS)[1],
            }
        )
        return found, season

    parts, seasons = [], []
    # two chunks at a time: the medians and sorts release the GIL (1.4x on 2 cores), the order kept
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        for a, (found, season) in zip(starts := range(0, len(panel.codes), chunk), pool.map(one_chunk, starts),
                                      strict=True):  # fmt: skip
            parts.append(found)
            seasons.append(season)
            if progress:
                progress(min(a + chunk, len(panel.codes)), len(panel.codes))
    spikes = pl.concat(parts) if parts else pl.DataFrame(schema=SPIKE_SCHEMA)
    season = (
        pl.concat(seasons)
        if seasons
        else pl.DataFrame(
            schema={"code": pl.String, "summer_index_baseline": pl.Float64, "winter_index_baseline": pl.Float64}
        )
    )
    return spikes, season.with_columns(pl.all().exclude("code").fill_nan(None))


def detect_series(series: pl.DataFrame, *, date_column: str = "date", value_column: str = "views",
                  params: SpikeParams = SpikeParams()) -> pl.DataFrame:  # fmt: skip
    """Spikes of one daily series given as a frame (any order, gaps allowed: a gap is no data)."""
    df = series.select(pl.col(date_column).alias("date"), pl.col(value_column).cast(pl.Float64).alias("v"))
    df = df.drop_nulls().group_by("date").agg(pl.col("v").sum()).sort("date")
    if df.is_empty():
        return pl.DataFrame(schema=SPIKE_SCHEMA).drop("code")
    start, end = df["date"].min(), df["date"].max()
    assert isinstance(start, date) and isinstance(end, date)
    days = (end - start).days + 1
    values = np.full(days, np.nan)
    offsets = (df["date"].cast(pl.Int64) - (start - date(1970, 1, 1)).days).to_numpy()
    values[offsets] = df["v"].to_numpy()
    return detect(values[None, :], start, ["series"], params=params).drop("code")


def spike_summary(spikes: pl.DataFrame, totals: pl.DataFrame, years: float) -> pl.DataFrame:
    """Per commune: number of (non-bot) spikes, per year, and the share of its views they carry.

    ``totals`` has code and total_views.
    """
    real = spikes.filter(~pl.col("suspected_bot"))
    agg = real.group_by("code").agg(
        pl.len().alias("spikes"),
        pl.col("excess_views").sum().alias("spike_excess_views"),
        pl.col("peak_ratio").max().alias("max_peak_ratio"),
    )
    out = totals.select("code", "total_views").join(agg, on="code", how="left")
    return (
        out.with_columns(
            pl.col("spikes").fill_null(0),
            pl.col("spike_excess_views").fill_null(0.0),
        )
        .with_columns(
            (pl.col("spikes") / max(years, 1e-9)).alias("spikes_per_year"),
            (pl.col("spike_excess_views") / pl.col("total_views")).fill_nan(None).alias("spike_share"),
        )
        .drop("total_views")
    )


def _row_nanmedian(grid: np.ndarray) -> np.ndarray:
    """Median of each row ignoring NaN (NaN for an all-NaN row): numpy's nanmedian goes through
    masked arrays for short rows, ~50x slower than a sort."""
    ordered = np.sort(grid, axis=1)  # NaN sort last
    k = (~np.isnan(grid)).sum(axis=1)
    rows = np.arange(len(grid))
    lo = ordered[rows, np.maximum(k - 1, 0) // 2]
    hi = ordered[rows, np.minimum(k // 2, grid.shape[1] - 1)]
    return np.where(k > 0, (lo + hi) / 2, np.nan)


def level_shifts(series: pl.DataFrame, *, min_change: float = 0.3, min_weeks: int = 8,
                 date_column: str = "date", value_column: str = "views") -> pl.DataFrame:  # fmt: skip
    """Lasting level shifts of one daily series (optimal change points of weekly levels under an l2
    cost), kept when the level changes by at least ``min_change`` (30 %) for ``min_weeks``.
    """
    schema = {"date": pl.Date, "level_before": pl.Float64, "level_after": pl.Float64, "change": pl.Float64}
    dates, views = series[date_column], series[value_column]  # Series operations: no query plans
    if dates.dtype != pl.Date:
        dates = dates.cast(pl.Date)
    if dates.null_count() or views.null_count():
        keep = ~(dates.is_null() | views.is_null())
        dates, views = dates.filter(keep), views.filter(keep)
    day = dates.cast(pl.Int32).to_numpy()
    values = views.cast(pl.Float64).to_numpy()
    if len(day) < 7 * 2 * min_weeks:
        return pl.DataFrame(schema=schema)
    # weekly medians of log1p(views), weeks starting on Monday (day 4 of the epoch was one): the
    # days laid out as (week, weekday) with NaN where a day is missing, one nanmedian for all weeks
    week_id = (day - 4) // 7
    present, week_row = np.unique(week_id, return_inverse=True)
    grid = np.full((len(present), 7), np.nan)
    grid[week_row, (day - 4) % 7] = np.log1p(values)
    raw = _row_nanmedian(grid)
    weeks = pl.Series("week", present * 7 + 4).cast(pl.Date)

    def segments(y: np.ndarray) -> list[int]:
        noise = 1.4826 * np.median(np.abs(np.diff(y))) / np.sqrt(2) or 0.05
        return optimal_breaks(y, 4 * noise**2 * np.log(len(y)), min_weeks)

    y = raw
    breaks: list[int] = []
    if len(raw) < 104:
        breaks = segments(y)
    else:
        # with two years or more, take the yearly season out, or every summer would look like a
        # new level. The season and the levels are estimated in turn: the profile is, per week of
        # the year, the median distance of that week to its segment's level.
        week_of_year = np.minimum(weeks.dt.week().to_numpy(), 52) - 1
        # the weeks laid out as (week of year, year) with NaN padding: one nanmedian per pass
        order = np.argsort(week_of_year, kind="stable")
        counts = np.bincount(week_of_year, minlength=52)
        slot = np.arange(len(order)) - np.repeat(np.cumsum(counts) - counts, counts)
        grid = np.full((52, max(int(counts.max()), 1)), np.nan)
        for _ in range(3):
            bounds = [0, *breaks, len(raw)]
            level = np.concatenate([np.full(b - a, np.median(raw[a:b])) for a, b in itertools.pairwise(bounds)])
            grid[week_of_year[order], slot] = (raw - level)[order]
            profile = np.nan_to_num(_row_nanmedian(grid))  # a week of the year never seen: 0
            y = raw - profile[week_of_year]
            new = segments(y)
            if new == breaks:
                break
            breaks = new
    out: list[tuple[date, float, float, float | None]] = []
    bounds = [0, *breaks, len(y)]
    for k, bp in enumerate(breaks):
        # levels from the weeks themselves (the median sits off-season), not the deseasonalised ones
        before = float(np.median(raw[bounds[k] : bp]))
        after = float(np.median(raw[bp : bounds[k + 2]]))
        lb, la = float(np.expm1(before)), float(np.expm1(after))
        if lb <= 0:  # from no views at all: a start, not a ratio (null, never an infinity in JSON)
            if la > 0:
                out.append((weeks[bp], lb, la, None))
            continue
        change = la / lb - 1
        if abs(change) >= min_change:
            out.append((weeks[bp], lb, la, change))
    return pl.DataFrame(out, schema=schema, orient="row")
