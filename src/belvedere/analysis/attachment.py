"""Residents' attachment beside the attention from outside: each indicator's latest value, its trend
(the period before), its place among the commune's peers, the sentence when audience and attachment
tell different stories, and the national correlations (associations, not causes).

Pure functions: frames in, typed results out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

# the indicators in the order they are shown; all read "higher is more attachment"
INDICATORS = ("population", "natural", "migration", "turnout", "associations", "associations_new", "creations")
HIGH, LOW = 0.75, 0.25  # percentiles over / under which a commune stands out among its peers


@dataclass(frozen=True)
class AttachmentValue:
    indicator: str
    period: str
    year: int
    value: float
    unit: str
    source: str
    previous: float | None  # the value of the period before, when held
    previous_period: str | None
    percentile: float | None  # share of the peers with a lower value (0-1); None without peers
    peers: int


def attachment_values(values: pl.DataFrame, code: str, peers: list[str]) -> list[AttachmentValue]:
    """The commune's latest value of each indicator held (``values``: the attachment table), with
    the period before it and its percentile among ``peers`` for the same period."""
    mine = values.filter(pl.col("code") == code)
    out = []
    for indicator in INDICATORS:
        held = mine.filter(pl.col("indicator") == indicator).sort("year", descending=True)
        if held.is_empty():
            continue
        latest = held.row(0, named=True)
        before = held.row(1, named=True) if held.height > 1 else None
        others = values.filter((pl.col("indicator") == indicator) & (pl.col("period") == latest["period"])
                               & pl.col("code").is_in(peers) & (pl.col("code") != code))["value"]  # fmt: skip
        pct = float((others < latest["value"]).sum() + 0.5 * (others == latest["value"]).sum()) / others.len() \
            if others.len() else None  # fmt: skip
        out.append(AttachmentValue(indicator, latest["period"], int(latest["year"]), float(latest["value"]),
                                   latest["unit"], latest["source"], None if before is None else float(before["value"]),
                                   None if before is None else before["period"], pct, int(others.len())))  # fmt: skip
    return out


def divergence(audience_percentile: float | None, values: list[AttachmentValue]) -> tuple[str, str] | None:
    """(the kind of story, the indicator that tells it) when the audience and attachment disagree:
    much looked up from outside while people leave or do not take part, or the reverse."""
    if audience_percentile is None:
        return None
    for v in values:
        if v.percentile is None:
            continue
        if audience_percentile >= HIGH and v.percentile <= LOW:
            return "seen_not_lived", v.indicator
        if audience_percentile <= LOW and v.percentile >= HIGH:
            return "lived_not_seen", v.indicator
    return None


@dataclass(frozen=True)
class Correlation:
    indicator: str
    rho: float  # Spearman's rank correlation with the views per inhabitant
    communes: int


def correlations(values: pl.DataFrame, audience: pl.DataFrame, min_communes: int = 30) -> list[Correlation]:
    """Across communes: each indicator's latest period against ``audience`` (``code,
    views_per_inhabitant``), as Spearman's rank correlation (robust to the long tails of both)."""
    out = []
    for indicator in INDICATORS:
        held = values.filter(pl.col("indicator") == indicator)
        if held.is_empty():
            continue
        latest = held.filter(pl.col("year") == held["year"].max())
        both = latest.join(audience, on="code").drop_nulls(["value", "views_per_inhabitant"])
        if both.height < min_communes:
            continue
        a = both["value"].rank().to_numpy()
        b = both["views_per_inhabitant"].rank().to_numpy()
        rho = float(np.corrcoef(a, b)[0, 1]) if np.std(a) > 0 and np.std(b) > 0 else 0.0
        out.append(Correlation(indicator, rho, both.height))
    return out
