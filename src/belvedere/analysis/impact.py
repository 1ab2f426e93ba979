"""How much attention did a campaign bring? A counterfactual, an interval, a placebo check.

The counterfactual of a commune's daily views during (and after) a campaign is built two ways:

- **peers**: untreated comparable communes (same size class and typology, no campaign, no spike
  around the window), each scaled by its own pre-period level and averaged, then brought to the
  commune's pre-period level: a difference-in-differences in ratios, i.e. a synthetic control
  with equal weights. It follows whatever the peers share (season, weekday, national news).
- **own**: the commune's own year-earlier days (same weekdays, 364 days before), brought to its
  pre-period level: its own seasonality.

The interval is not a model's: the same estimator is run at many *fake* campaign dates in the
commune's history (in-time placebos, with no campaign), and the spread of those fake "effects"
is the noise the real estimate carries. The method whose placebos are tighter is the one used
(and the note says which and why); the share of placebos at least as large as the estimate is
the placebo p-value. Everything is computed on the log of the ratio observed / counterfactual.

Why by hand rather than a library (pysyncon, causalimpact): pysyncon needs pandas and one
optimisation per fit, and the placebo calibration refits ~50 times per campaign; causalimpact's
model intervals assume Gaussian noise that daily page views (spikes, bots, small counts) do not
have. Equal-weight scaled peers are also what a town's team can be told in one sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from belvedere.analysis.panel import Panel

MIN_PRE_DAYS = 56  # eight weeks of history before a campaign, at least
PRE_DAYS = 91  # the pre-period used when there is more history (13 weeks)
POST_DAYS = 28  # "after the campaign": four weeks
MIN_PLACEBOS = 10
LEVEL = 0.95


@dataclass(frozen=True)
class Window:
    """Day indices of one estimate: pre-period [pre, start), campaign [start, end], after (end, post]."""

    pre: int
    start: int
    end: int  # inclusive
    post: int  # inclusive (== end when there is no after-period)

    def shifted(self, days: int) -> Window:
        return Window(self.pre + days, self.start + days, self.end + days, self.post + days)


def counterfactual(y: np.ndarray, reference: np.ndarray, w: Window, excluded: np.ndarray) -> np.ndarray | None:
    """The counterfactual of ``y`` over [w.pre, w.post]: ``reference`` (a composite of peers, or
    the commune's own year-earlier days) scaled to y's level over the pre-period. Days in
    ``excluded`` (spikes) or missing (NaN) are left out of the levels. None if a level is unknown."""
    pre = slice(w.pre, w.start)
    ok = ~excluded[pre] & ~np.isnan(y[pre]) & ~np.isnan(reference[pre])
    if ok.sum() < MIN_PRE_DAYS // 2:
        return None
    level_y, level_r = y[pre][ok].sum(), reference[pre][ok].sum()
    if level_r <= 0 or level_y <= 0:
        return None
    scaled: np.ndarray = reference[w.pre : w.post + 1] * (level_y / level_r)
    return scaled


def log_ratio(y: np.ndarray, cf: np.ndarray, w: Window, part: str) -> float:
    """log(observed / counterfactual) summed over the campaign ("during") or the after-period."""
    a, b = (w.start, w.end) if part == "during" else (w.end + 1, w.post)
    if b < a:
        return float("nan")
    obs, exp = y[a : b + 1], cf[a - w.pre : b + 1 - w.pre]
    ok = ~np.isnan(obs) & ~np.isnan(exp)
    if not ok.any() or exp[ok].sum() <= 0 or obs[ok].sum() <= 0:
        return float("nan")
    return float(np.log(obs[ok].sum() / exp[ok].sum()))


def placebo_windows(w: Window, days: int, history_before: int = 0, step: int = 7) -> list[Window]:
    """Fake campaigns of the same shape in the commune's history, clear of the real one (its
    pre-period may be shared: there was no campaign then). ``history_before`` days must exist
    before a fake pre-period (the own method reads a year earlier)."""
    out = []
    length = w.post - w.pre
    for pre in range(history_before, days - length, step):
        fake = Window(pre, pre + (w.start - w.pre), pre + (w.end - w.pre), pre + length)
        clear = fake.post < w.start or fake.pre > w.post
        if clear and fake.pre != w.pre:
            out.append(fake)
    return out


def estimate(y: np.ndarray, reference: np.ndarray, w: Window, excluded: np.ndarray, history_before: int = 0,
             level: float = LEVEL) -> dict[str, Any] | None:  # fmt: skip
    """The effect of the campaign on ``y`` against one reference, with its placebo-calibrated
    interval; None when the counterfactual or the placebos cannot be built."""
    cf = counterfactual(y, reference, w, excluded)
    if cf is None:
        return None
    effects = {part: log_ratio(y, cf, w, part) for part in ("during", "after")}
    placebo: dict[str, list[float]] = {"during": [], "after": []}
    for fake in placebo_windows(w, len(y), history_before):
        fcf = counterfactual(y, reference, fake, excluded)
        if fcf is None:
            continue
        for part in placebo:
            e = log_ratio(y, fcf, fake, part)
            if e == e:
                placebo[part].append(e)
    if len(placebo["during"]) < MIN_PLACEBOS or effects["during"] != effects["during"]:
        return None
    out: dict[str, Any] = {"placebos": len(placebo["during"])}
    for part, g in effects.items():
        errors = np.array(placebo[part])
        if g != g or len(errors) < MIN_PLACEBOS:
            out[part] = None
            continue
        lo_q, hi_q = conformal_bounds(errors, level)
        a, b = (w.start, w.end) if part == "during" else (w.end + 1, w.post)
        observed = float(np.nansum(y[a : b + 1]))
        expected = float(np.nansum(cf[a - w.pre : b + 1 - w.pre]))
        low, high = g - hi_q, g - lo_q  # the true log ratio, given the noise the placebos show
        out[part] = {
            "observed": observed,
            "expected": expected,
            "extra_views": observed - expected,
            "extra_low": observed * (1 - np.exp(-low)),
            "extra_high": observed * (1 - np.exp(-high)),
            "uplift": float(np.expm1(g)),
            "uplift_low": float(np.expm1(low)),
            "uplift_high": float(np.expm1(high)),
            "significant": bool(low > 0 or high < 0),
            "placebo_p": float((np.sum(np.abs(errors) >= abs(g)) + 1) / (len(errors) + 1)),
            "placebo_spread": float(np.std(errors)),
        }
    out["pre_fit"] = pre_fit(y, cf, w, excluded)
    return out


def conformal_bounds(errors: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """The placebo errors' bounds that hold a new error with probability ``level`` when it is
    exchangeable with them: order statistics at ceil((n+1)(1-a/2)) and floor((n+1)a/2), not the
    interpolated sample quantiles, which are too narrow with tens of placebos."""
    ordered = np.sort(errors)
    n, alpha = len(ordered), 1 - level
    # rounded first: (n + 1) * 0.05 must be 20, not 19.999999999999996
    hi = min(n - 1, int(np.ceil(round((n + 1) * (1 - alpha / 2), 9))) - 1)
    lo = max(0, int(np.floor(round((n + 1) * alpha / 2, 9))) - 1)
    return float(ordered[lo]), float(ordered[hi])


def pre_fit(y: np.ndarray, cf: np.ndarray, w: Window, excluded: np.ndarray) -> float | None:
    """Mean absolute gap between observed and counterfactual weekly totals over the pre-period
    (0.1 = the counterfactual was 10 % off, on average, in a week before the campaign)."""
    n = (w.start - w.pre) // 7 * 7
    if n < 7:
        return None
    obs = y[w.start - n : w.start].copy()
    exp = cf[w.start - n - w.pre : w.start - w.pre].copy()
    bad = excluded[w.start - n : w.start] | np.isnan(obs) | np.isnan(exp)
    obs[bad], exp[bad] = 0.0, 0.0
    weeks_obs, weeks_exp = obs.reshape(-1, 7).sum(axis=1), exp.reshape(-1, 7).sum(axis=1)
    keep = weeks_exp > 0
    if not keep.any():
        return None
    return float(np.mean(np.abs(weeks_obs[keep] - weeks_exp[keep]) / weeks_exp[keep]))


def peer_composite(donors: np.ndarray, w: Window) -> np.ndarray:
    """Equal-weight composite of the donors (communes x days), each scaled by its pre-period mean."""
    pre = donors[:, w.pre : w.start]
    level = np.nanmean(pre, axis=1)
    keep = level > 0
    scaled = donors[keep] / level[keep, None]
    return np.nanmean(scaled, axis=0) if keep.any() else np.full(donors.shape[1], np.nan)


def year_earlier(y: np.ndarray) -> np.ndarray:
    """y shifted by 364 days (same weekday a year before); NaN where there is no such day."""
    out = np.full_like(y, np.nan, dtype=np.float64)
    out[364:] = y[:-364]
    return out


def best_estimate(y: np.ndarray, donors: np.ndarray | None, w: Window, excluded: np.ndarray) -> dict[str, Any] | None:
    """The peers' counterfactual when there are at least 5 clean peers, else the commune's own
    seasonality. Peers come first: they also carry what happened that year (news, weather, a
    national trend), which the year before cannot; and picking whichever method's placebos look
    tighter would make the interval too narrow (the pick favours luck). Both spreads are reported."""
    candidates = {}
    if donors is not None and len(donors) >= 5:
        candidates["peers"] = estimate(y, peer_composite(donors, w), w, excluded)
    if w.pre >= 364:
        candidates["own"] = estimate(y, year_earlier(y), w, excluded, history_before=364)
    found = {k: v for k, v in candidates.items() if v is not None}
    if not found:
        return None
    method = "peers" if "peers" in found else "own"
    result = dict(found[method])
    result["method"] = method
    result["alternatives"] = {k: v["during"]["placebo_spread"] for k, v in found.items()}
    return result


def campaign_window(panel: Panel, start: date, end: date) -> Window | str:
    """The estimate's window in the panel's day indices, or why there is none: ``not_over`` (the
    campaign ends after the last day held), ``short_pre`` (less than MIN_PRE_DAYS before it)."""
    start_i, end_i = (start - panel.start).days, (end - panel.start).days
    if end_i > panel.days - 1:
        return "not_over"
    if start_i < MIN_PRE_DAYS:
        return "short_pre"
    return Window(max(0, start_i - PRE_DAYS), start_i, end_i, min(panel.days - 1, end_i + POST_DAYS))


def choose_donors(typology: pl.DataFrame, code: str, *, treated: set[str], spiky: set[str],
                  full: pl.Series | Callable[[list[str]], set[str]], limit: int = 40,
                  chunk: int = 80) -> tuple[list[str], bool]:  # fmt: skip
    """Untreated comparable communes: same size class and typology (or size class alone when fewer
    than 5), not ``treated`` (a campaign of theirs), not ``spiky`` (a spike in the window), with
    data every day of the window; the ``limit`` closest in population. Returns them and whether the
    typology had to be relaxed.

    ``full`` says which communes have data every day of the window: a Series aligned on
    ``typology``'s rows (the national panel at hand), or a function asked about the closest
    candidates ``chunk`` at a time (their days read for them alone), which gives the same donors
    without reading every commune's days."""
    me = typology.filter(pl.col("code") == code).row(0, named=True)
    keep = (pl.col("size_class") == me["size_class"]) & (pl.col("code") != code) \
        & ~pl.col("code").is_in(pl.Series(list(treated | spiky), dtype=pl.String).implode())  # fmt: skip
    base = typology.filter(full & keep) if isinstance(full, pl.Series) else typology.filter(keep)
    pop = max(float(me["population"] or 1), 1.0)

    def closest(pool: pl.DataFrame) -> list[str]:
        distance = (pl.col("population").cast(pl.Float64).clip(1) / pop).log().abs().alias("_d")
        return pool.with_columns(distance).sort(["_d", "code"])["code"].to_list()

    def take(ordered: list[str]) -> list[str]:
        if isinstance(full, pl.Series):
            return ordered[:limit]
        picked: list[str] = []
        for i in range(0, len(ordered), chunk):
            part = ordered[i : i + chunk]
            covered = full(part)
            picked += [c for c in part if c in covered][: limit - len(picked)]
            if len(picked) >= limit:
                break
        return picked

    donors = take(closest(base.filter(pl.col("typology") == me["typology"])))
    relaxed = len(donors) < 5
    if relaxed:
        donors = take(closest(base))
    return donors, relaxed


def campaign_estimate(panel: Panel, code: str, donors: list[str], w: Window,
                      spikes: list[tuple[date, date]]) -> dict[str, Any] | None:  # fmt: skip
    """The effect of a campaign on ``code``'s user views (:func:`best_estimate`, the commune's own
    spikes ``spikes`` left out of every fit) and on its mobile views alone, against the same kind
    of reference; None when no counterfactual can be built."""
    rows = np.array([panel.positions[c] for c in [code, *donors]])
    missing = ~panel.covered[rows]
    user = panel.desktop[rows].astype(np.float64) + panel.mobile_web[rows] + panel.mobile_app[rows]
    mobile = panel.mobile_web[rows].astype(np.float64) + panel.mobile_app[rows]
    user[missing], mobile[missing] = np.nan, np.nan
    excluded = np.zeros(panel.days, dtype=bool)
    for first, last in spikes:
        excluded[max(0, (first - panel.start).days) : (last - panel.start).days + 1] = True
    found = best_estimate(user[0], user[1:] if donors else None, w, excluded)
    if found is None:
        return None
    reference = peer_composite(mobile[1:], w) if found["method"] == "peers" else year_earlier(mobile[0])
    history = 364 if found["method"] == "own" else 0
    mobile_found = estimate(mobile[0], reference, w, excluded, history_before=history)
    found["mobile_during"] = mobile_found["during"] if mobile_found else None
    return found
