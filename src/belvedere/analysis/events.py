"""Shared events: several towns lifted by the same thing at the same time (a TV programme featuring
villages, a stage of the Tour de France, a ranking of "plus beaux villages").

Across the whole country a few dozen towns start a spike every day by chance, so "the same days"
alone glues unrelated spikes together. Two kinds of evidence are used, the stronger first:

1. **The same referring article** (Wikimedia clickstream): towns whose readers coming from one
   article grew in the same month, each with a spike that month, are one event named after that
   article. A town fed by several growing articles that month counts for the one that grew most.
2. **Timing alone**, for what the clickstream does not explain: the number of towns starting a
   spike within ±``window`` days of each day is tested against the scope's background rate of
   spike starts (Poisson tail); only towns that rose at least ``MIN_RATIO``-fold count (a 2-fold
   rise is everyday noise for a small town); Benjamini–Hochberg keeps the false discovery rate
   over all the days tested at ``fdr``, and an event needs ``MIN_EVENT_EXCESS`` extra views in
   all. ``expected_chance`` says how many windows would pass that bar by chance alone.

Suspected bot spikes never count. Pure functions: frames in, a frame out (EVENT_SCHEMA).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl

from belvedere.analysis.causes import MIN_GROWTH  # readers more than usual for an article to feed a town

MIN_RATIO = 3.0  # peak / baseline for a spike to count in the timing test
MIN_EVENT_EXCESS = 100.0  # extra views of all its towns, at the least, for a timing event
REFERRER, TIMING = "referrer", "timing"

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "event": pl.Int64(), "start": pl.Date(), "end": pl.Date(), "peak": pl.Date(), "communes": pl.Int64(),
    "codes": pl.List(pl.String), "excess_views": pl.Float64(), "evidence": pl.String(), "referrer": pl.String(),
    "readers": pl.Int64(), "background": pl.Float64(), "p_value": pl.Float64(), "expected_chance": pl.Float64(),
}  # fmt: skip


def poisson_tail(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam), summed in log space (no scipy.stats: 1 s to import)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    below = sum(math.exp(i * math.log(lam) - lam - math.lgamma(i + 1)) for i in range(k))
    if below < 0.5:
        return 1.0 - below
    # upper tail directly, where 1 - below would lose its digits
    terms, i = 0.0, k
    while True:
        term = math.exp(i * math.log(lam) - lam - math.lgamma(i + 1))
        terms += term
        if term < 1e-18 * max(terms, 1e-300) or i > k + 10_000:
            return terms
        i += 1


def bh_cutoff(p_values: np.ndarray, fdr: float) -> float:
    """The Benjamini–Hochberg threshold: the largest p(i) with p(i) <= i / m * fdr (0 when none)."""
    p = np.sort(np.asarray(p_values, dtype=np.float64))
    m = p.size
    if m == 0:
        return 0.0
    ok = np.nonzero(p <= fdr * np.arange(1, m + 1) / m)[0]
    return float(p[ok[-1]]) if ok.size else 0.0


def fed_towns(referrals: pl.DataFrame) -> pl.DataFrame:
    """Which article fed which town in which month: ``referrals`` holds ``month, code, referrer, n,
    usual`` (readers from that article that month, and its mean over the months before) and, when
    known, ``total, usual_total`` (all the town's readers, the same way). What the article would
    have sent had it kept its share of the town's readers is its usual readers times the town's own
    growth (a summer lifts every origin of a seaside town alike); it feeds the town when it sent at
    least ``MIN_GROWTH`` readers more than that, and at least twice that. One article per town and
    month: the one that grew most."""
    if "total" in referrals.columns:
        lift = (pl.when(pl.col("usual_total") > 0).then(pl.col("total") / pl.col("usual_total"))
                .otherwise(1.0).clip(lower_bound=1.0))  # fmt: skip
    else:
        lift = pl.lit(1.0)
    return (
        referrals.with_columns((pl.col("usual") * lift).alias("_expected"))
        .with_columns((pl.col("n") - pl.col("_expected")).alias("growth"))
        .filter((pl.col("growth") >= MIN_GROWTH) & (pl.col("n") >= 2 * pl.col("_expected")))
        .sort(["month", "code", "growth", "referrer"], descending=[False, False, True, False])
        .unique(["month", "code"], keep="first", maintain_order=True)
        .select("month", "code", "referrer", "n")
    )


def _month(col: str) -> pl.Expr:
    return pl.col(col).dt.truncate("1mo")


def referrer_events(spikes: pl.DataFrame, referrals: pl.DataFrame) -> tuple[list[tuple[object, ...]], pl.DataFrame]:
    """Events named after the article that fed their towns (see the module's docstring), and the
    spikes they took (so that the timing test does not count them again)."""
    real = spikes.filter(~pl.col("suspected_bot"))
    fed = fed_towns(referrals)
    if fed.is_empty() or real.is_empty():
        return [], real.clear()
    linked = (
        real.with_columns(_month("peak").alias("month"))
        .join(fed, on=["month", "code"])
        .sort("excess_views", descending=True)
        .unique(["month", "code"], keep="first", maintain_order=True)  # a town's biggest spike that month
    )
    groups = linked.group_by("month", "referrer").agg(pl.len().alias("towns")).filter(pl.col("towns") >= 2)
    taken = linked.join(groups.select("month", "referrer"), on=["month", "referrer"])
    events: list[tuple[object, ...]] = []
    for (_, referrer), g in taken.group_by("month", "referrer", maintain_order=True):
        events.append((g["start"].min(), g["end"].max(), g.sort("peak_views", descending=True)["peak"][0], g.height,
                       sorted(g["code"].to_list()), float(g["excess_views"].sum()), REFERRER, referrer,
                       int(g["n"].sum()), None, None, None))  # fmt: skip
    return events, taken.select(real.columns)


def timing_events(spikes: pl.DataFrame, *, window: int, fdr: float, days_in_scope: int | None,
                  background_of: pl.DataFrame | None = None) -> list[tuple[object, ...]]:  # fmt: skip
    """Events from timing alone (see the module's docstring). ``background_of``: the spikes the
    background rate is read from (by default ``spikes``)."""
    strong = spikes.filter(pl.col("peak_ratio") >= MIN_RATIO).sort("start")
    pool = (background_of if background_of is not None else spikes).filter(pl.col("peak_ratio") >= MIN_RATIO)
    if strong.height < 2:
        return []
    first, last = pool["start"].min(), pool["start"].max()
    assert isinstance(first, date) and isinstance(last, date)
    span = days_in_scope or (last - first).days + 1
    expected = pool.height / max(span, 1) * (2 * window + 1)  # starts by chance in a window
    day0 = strong["start"].min()
    assert isinstance(day0, date)
    offs = (strong["start"].cast(pl.Int64) - (day0 - date(1970, 1, 1)).days).to_numpy()
    counts = np.bincount(offs, minlength=offs.max() + 1)
    win = np.convolve(counts, np.ones(2 * window + 1, dtype=int), mode="same")
    # every day of the scope is a test; days without a strong start have p = 1
    tails = {k: poisson_tail(int(k), expected) for k in np.unique(win)}
    p_days = np.ones(max(span, counts.size))
    p_days[: counts.size] = [tails[k] for k in win]
    cutoff = bh_cutoff(p_days, fdr)
    if cutoff <= 0:
        return []
    k_bar = min(int(k) for k, p in tails.items() if p <= cutoff)
    chance = span * poisson_tail(k_bar, expected)
    free = np.ones(strong.height, dtype=bool)
    events: list[tuple[object, ...]] = []
    while True:  # the busiest window first, then the next among what is left
        live = np.bincount(offs[free], minlength=counts.size)
        w = np.convolve(live, np.ones(2 * window + 1, dtype=int), mode="same")
        center = int(np.argmax(live * (counts.size + 1) + w))  # centred on the busiest single day
        k = int(w[center])
        if k < k_bar:
            break
        members = free & (np.abs(offs - center) <= window)
        free &= ~members
        sel = strong.filter(pl.Series(members))
        sel = sel.sort("excess_views", descending=True).unique("code", keep="first", maintain_order=True)
        if sel.height < 2 or float(sel["excess_views"].sum()) < MIN_EVENT_EXCESS:
            continue
        events.append((sel["start"].min(), sel["end"].max(), sel.sort("peak_views", descending=True)["peak"][0],
                       sel.height, sorted(sel["code"].to_list()), float(sel["excess_views"].sum()), TIMING, None,
                       None, expected, poisson_tail(k, expected), chance))  # fmt: skip
    return events


def shared_events(spikes: pl.DataFrame, referrals: pl.DataFrame | None = None, *, window: int = 1,
                  fdr: float = 0.05, days_in_scope: int | None = None) -> pl.DataFrame:  # fmt: skip
    """The shared events of a scope's spikes (SPIKE_SCHEMA), with ``referrals`` (``month, code,
    referrer, n, usual``; see :func:`fed_towns`) when the store holds clickstream; one row per event
    (EVENT_SCHEMA), by start date."""
    real = spikes.filter(~pl.col("suspected_bot"))
    events: list[tuple[object, ...]] = []
    rest = real
    if referrals is not None and not referrals.is_empty():
        events, taken = referrer_events(real, referrals)
        if taken.height:
            rest = real.join(taken.select("code", "start"), on=["code", "start"], how="anti")
    events += timing_events(rest, window=window, fdr=fdr, days_in_scope=days_in_scope, background_of=real)
    events.sort(key=lambda e: (e[0] if isinstance(e[0], date) else date.min, str(e[4])))
    return pl.DataFrame([(i + 1, *e) for i, e in enumerate(events)], schema=EVENT_SCHEMA, orient="row")
