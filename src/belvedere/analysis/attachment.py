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


def place_all(values: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """Every commune's latest value of each indicator (``values``: the attachment table), with the
    period before it and its percentile among the communes of its group (``groups``: ``code,
    group``, its size class) for the same period: the share of the others with a lower value, ties
    counting half. Computed once for every commune, so that a page reads one row."""
    if values.is_empty():
        return values.with_columns(pl.lit(None, pl.Float64).alias("previous"), pl.lit(None, pl.String)
                                   .alias("previous_period"), pl.lit(None, pl.Float64).alias("percentile"),
                                   pl.lit(0, pl.Int64).alias("peers"))  # fmt: skip
    ordered = values.sort(["code", "indicator", "year", "period"], descending=[False, False, True, True])
    history = ordered.with_columns(
        pl.col("value").shift(-1).over(["code", "indicator"]).alias("previous"),
        pl.col("period").shift(-1).over(["code", "indicator"]).alias("previous_period"),
    ).unique(["code", "indicator"], keep="first", maintain_order=True)
    placed = values.join(groups, on="code", how="left").with_columns(pl.col("group").fill_null("?"))
    keys = ["group", "indicator", "period"]
    placed = placed.with_columns(
        (pl.len().over(keys) - 1).alias("peers"),
        pl.col("value").rank("min").over(keys).alias("_low"),
        pl.col("value").rank("max").over(keys).alias("_high"),
    ).select(
        "code", "indicator", "period", "peers",
        pl.when(pl.col("peers") > 0)
        .then(((pl.col("_low") - 1) + 0.5 * (pl.col("_high") - pl.col("_low"))) / pl.col("peers"))
        .alias("percentile"),
    )  # fmt: skip
    return history.join(placed, on=["code", "indicator", "period"], how="left")


def attachment_values(placed: pl.DataFrame, code: str) -> list[AttachmentValue]:
    """One commune's rows of :func:`place_all`, in the order of INDICATORS."""
    rows = {r["indicator"]: r for r in placed.filter(pl.col("code") == code).iter_rows(named=True)}
    return [AttachmentValue(i, r["period"], int(r["year"]), float(r["value"]), r["unit"], r["source"],
                            r["previous"], r["previous_period"], r["percentile"], int(r["peers"] or 0))
            for i in INDICATORS if (r := rows.get(i)) is not None]  # fmt: skip


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
