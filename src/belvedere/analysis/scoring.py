"""Scores of the analysis against what the simulator planted (``sim_*`` tables).

Why here and not in the tests: the same scores are printed by the benchmark and asserted by the
tests, and anyone changing a detector should be able to rerun them from the Python API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl


@dataclass
class SpikeScore:
    planted: int  # planted spikes in scope (ratio >= min_ratio, on detectable series)
    recalled: int
    detected: int  # detected spikes not flagged as bots
    matched: int  # of which matching any planted spike
    bots_planted: int  # planted bot bursts that leaked into user views
    bots_reported_as_spikes: int  # of those, detected and NOT flagged as bot

    @property
    def recall(self) -> float:
        return self.recalled / self.planted if self.planted else float("nan")

    @property
    def precision(self) -> float:
        return self.matched / self.detected if self.detected else float("nan")


def score_spikes(
    detected: pl.DataFrame,
    planted: pl.DataFrame,
    bots: pl.DataFrame,
    *,
    min_ratio: float = 3.0,
    tolerance_days: int = 2,
    codes: list[str] | None = None,
) -> SpikeScore:
    """Match detected spikes to planted ones (same commune, peaks within ``tolerance_days``).

    ``planted``: sim_spikes (commune_code, peak_date, peak_ratio, ...); ``bots``: sim_bots.
    Precision counts every non-bot detection in ``codes`` (all planted spikes may be matched, not
    only the big ones); recall counts planted spikes of at least ``min_ratio`` x baseline.
    """
    if codes is not None:
        keep = list(codes)
        detected = detected.filter(pl.col("code").is_in(keep))
        planted = planted.filter(pl.col("commune_code").is_in(keep))
        bots = bots.filter(pl.col("commune_code").is_in(keep))
    real = detected.filter(~pl.col("suspected_bot"))
    pairs = real.select("code", "peak").join(
        planted.select(pl.col("commune_code").alias("code"), pl.col("peak_date"), "peak_ratio"), on="code"
    )
    near = pairs.filter((pl.col("peak") - pl.col("peak_date")).dt.total_days().abs() <= tolerance_days)
    matched = near.select("code", "peak").unique().height
    big = planted.filter(pl.col("peak_ratio") >= min_ratio)
    recalled = near.filter(pl.col("peak_ratio") >= min_ratio).select("code", "peak_date").unique().height
    leaked = bots.filter(pl.col("leaked_user_views") > 0)
    bot_hits = (
        real.select("code", "peak")
        .join(leaked.select(pl.col("commune_code").alias("code"), "date"), on="code")
        .filter((pl.col("peak") - pl.col("date")).dt.total_days().abs() <= 0)
    )
    # a bot day reported as a spike only counts when no planted spike explains it
    bot_hits = bot_hits.join(near.select("code", "peak"), on=["code", "peak"], how="anti")
    return SpikeScore(
        planted=big.height,
        recalled=recalled,
        detected=real.height,
        matched=matched,
        bots_planted=leaked.height,
        bots_reported_as_spikes=bot_hits.select("code", "peak").unique().height,
    )


@dataclass
class EventScore:
    planted: int  # planted shared events with at least 2 members among the detected spikes
    found: int  # planted events matched by a detected event with Jaccard >= 0.5
    detected: int
    pure: int  # detected events matching a planted one with Jaccard >= 0.5
    mean_jaccard: float

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else float("nan")

    @property
    def precision(self) -> float:
        return self.pure / self.detected if self.detected else float("nan")


def score_events(events: pl.DataFrame, planted: pl.DataFrame, detected_spikes: pl.DataFrame) -> EventScore:
    """Compare detected shared events with the planted ones, by their member communes.

    A planted event is only expected when at least two of its members' spikes were detected.
    """
    shared = planted.filter(pl.col("shared_event").is_not_null())
    real = detected_spikes.filter(~pl.col("suspected_bot"))
    seen = shared.join(real.select(pl.col("code").alias("commune_code"), "peak"), on="commune_code").filter(
        (pl.col("peak") - pl.col("peak_date")).dt.total_days().abs() <= 2
    )
    truth = {
        e: set(g["commune_code"].to_list())
        for (e,), g in seen.group_by("shared_event")
        if g["commune_code"].n_unique() >= 2
    }
    found_sets = [set(c) for c in events["codes"].to_list()] if events.height else []

    def jaccard(a: set[Any], b: set[Any]) -> float:
        return len(a & b) / len(a | b) if a | b else 0.0

    best_truth = [max((jaccard(t, f) for f in found_sets), default=0.0) for t in truth.values()]
    best_found = [max((jaccard(t, f) for t in truth.values()), default=0.0) for f in found_sets]
    return EventScore(
        planted=len(truth),
        found=sum(j >= 0.5 for j in best_truth),
        detected=len(found_sets),
        pure=sum(j >= 0.5 for j in best_found),
        mean_jaccard=float(np.mean(best_truth)) if best_truth else float("nan"),
    )


@dataclass(frozen=True)
class CauseScore:
    planted: int  # planted spikes with an article behind them whose spike was detected
    named: int  # of those, the ones whose probable cause names that article

    @property
    def share(self) -> float:
        return self.named / self.planted if self.planted else float("nan")


def score_causes(found: pl.DataFrame, planted: pl.DataFrame, *, tolerance_days: int = 2) -> CauseScore:
    """How often the probable cause of a detected spike is the article the simulator put behind it.
    ``found``: code, peak, referrer (the cause named, None when none); ``planted``: sim_spikes rows
    with their ``cause`` (a lone media spike's article)."""
    media = planted.filter(pl.col("cause").is_not_null()).select(
        pl.col("commune_code").alias("code"), "peak_date", "cause"
    )
    matched = (media.join(found, on="code")
               .filter((pl.col("peak") - pl.col("peak_date")).dt.total_days().abs() <= tolerance_days)
               .unique(["code", "peak_date"], keep="first"))  # fmt: skip
    return CauseScore(planted=matched.height, named=int((matched["referrer"] == matched["cause"]).sum()))


@dataclass(frozen=True)
class ForeignScore:
    communes: int  # communes ranked and planted
    spearman: float  # rank correlation of the foreign share found with the planted expected share
    top_language: float  # share of communes whose first language found is the planted first one
    tourist_ratio: float  # median foreign share of coastal and mountain towns over the others'


def score_foreign(ranking: pl.DataFrame, profiles: pl.DataFrame) -> ForeignScore:
    """The attention from abroad found (``Observatory.foreign_ranking``) against what the simulator
    planted (``sim_profiles``: foreign_share, foreign_top, profile)."""
    joined = ranking.join(profiles.select(pl.col("commune_code").alias("code"), "foreign_share", "foreign_top",
                                          "profile").rename({"foreign_share": "truth"}), on="code")  # fmt: skip
    if joined.height < 3:
        return ForeignScore(joined.height, float("nan"), float("nan"), float("nan"))
    rho = joined.select(pl.corr("foreign_share", "truth", method="spearman")).item()
    tourist = joined.filter(pl.col("profile") != "plain")["foreign_share"].median()
    plain = joined.filter(pl.col("profile") == "plain")["foreign_share"].median()
    ratio = _number(tourist) / _number(plain) if plain else float("nan")
    return ForeignScore(joined.height, _number(rho), _number((joined["top_language"] == joined["foreign_top"]).mean()),
                        ratio)  # fmt: skip


def truth_typology(profiles: pl.DataFrame) -> pl.DataFrame:
    """The typology the simulator's plan implies: event-driven for media-heavy towns, else the
    tourist profile; 'plain' towns may be any of the other types."""
    return profiles.select(
        pl.col("commune_code").alias("code"),
        pl.when(pl.col("media_heavy"))
        .then(pl.lit("event-driven"))
        .when(pl.col("profile") == "coast")
        .then(pl.lit("seasonal-coast"))
        .when(pl.col("profile") == "mountain")
        .then(pl.lit("seasonal-mountain"))
        .otherwise(pl.lit("other"))
        .alias("truth"),
    )


def score_typology(typology: pl.DataFrame, profiles: pl.DataFrame) -> tuple[float, pl.DataFrame]:
    """(agreement, confusion table). Predicted steady-famous, low-visibility and ordinary all agree
    with a 'plain' truth, which has no finer label."""
    t = truth_typology(profiles).join(typology.select("code", "typology"), on="code")
    pred = (
        pl.when(pl.col("typology").is_in(["steady-famous", "low-visibility", "ordinary"]))
        .then(pl.lit("other"))
        .otherwise(pl.col("typology"))
    )
    t = t.with_columns(pred.alias("predicted"))
    agreement = _number((t["truth"] == t["predicted"]).mean()) if t.height else float("nan")
    confusion = t.group_by("truth", "predicted").len().sort("truth", "predicted")
    return agreement, confusion


@dataclass
class CampaignScore:
    """How the impact estimates fare against the simulator's campaigns."""

    planted: int
    zero_effect: int
    coverage: float  # share of campaigns whose interval holds the planted uplift
    zero_not_significant: float  # share of zero-effect campaigns reported as not significant
    power: float  # share of campaigns with an uplift >= 0.3 reported as significant
    median_width: float  # median width of the interval, in uplift points


def score_campaigns(estimates: pl.DataFrame, truth: pl.DataFrame) -> CampaignScore:
    """``estimates``: campaign_id, uplift_low, uplift_high, significant (during the campaign);
    ``truth``: sim_campaigns (campaign_id, uplift)."""
    df = truth.select("campaign_id", "uplift").join(estimates, on="campaign_id", how="inner")
    covered = (df["uplift_low"] <= df["uplift"]) & (df["uplift"] <= df["uplift_high"])
    zero = df.filter(pl.col("uplift") == 0)
    big = df.filter(pl.col("uplift") >= 0.3)
    return CampaignScore(
        planted=df.height,
        zero_effect=zero.height,
        coverage=_number(covered.mean()) if df.height else float("nan"),
        zero_not_significant=_number((~zero["significant"]).mean()) if zero.height else float("nan"),
        power=_number(big["significant"].mean()) if big.height else float("nan"),
        median_width=_number((df["uplift_high"] - df["uplift_low"]).median()) if df.height else float("nan"),
    )


def _number(value: object) -> float:
    """A Polars aggregate as a float (NaN when there was nothing to aggregate)."""
    return float(value) if isinstance(value, int | float) else float("nan")
