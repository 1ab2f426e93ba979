"""The "territoire numérique" scorecard: the five dimensions of a town's digital territory named by
the Banque des Territoires study (notoriety, content, access, animation, attractiveness), each made
of named indicators placed among the commune's peers.

Pure functions: the commune's row and its peers' rows in, typed results out. An indicator's
percentile is the share of peers the commune does better than (ties count half), 0-100, higher
always better; a dimension's score is the mean of its indicators' percentiles, or None when none
of them is known: a dimension without data says so, it is never given a made-up value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import polars as pl

DIMENSIONS = ("notoriete", "contenus", "accessibilite", "animation", "attractivite")


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    dimension: str
    column: str  # in the commune's row and its peers' frame
    source: str  # "audience" (Wikimedia pageviews) or "facts" (MediaWiki API)
    higher_is_better: bool = True


# what each dimension is made of today; access (ARCEP), animation (Wikidata accounts) and
# attractiveness (INSEE tourism, labels) come with their sources
INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("views_per_inhabitant", "notoriete", "views_per_inhabitant", "audience"),
    IndicatorSpec("visibility_surplus", "notoriete", "visibility_surplus", "audience"),
    IndicatorSpec("yoy_change", "notoriete", "yoy_change", "audience"),
    IndicatorSpec("length", "contenus", "length", "facts"),
    IndicatorSpec("lead_image", "contenus", "has_lead_image", "facts"),
    IndicatorSpec("images", "contenus", "images", "facts"),
    IndicatorSpec("refs", "contenus", "refs", "facts"),
    IndicatorSpec("languages", "contenus", "languages", "facts"),
    IndicatorSpec("days_since_edit", "contenus", "days_since_edit", "facts", higher_is_better=False),
    IndicatorSpec("sitelinks", "notoriete", "sitelinks", "wikidata"),
    IndicatorSpec("commons_files", "contenus", "commons_files", "wikidata"),
    IndicatorSpec("website", "animation", "has_website", "wikidata"),
    IndicatorSpec("social_accounts", "animation", "social_accounts", "wikidata"),
    IndicatorSpec("beds_per_1000", "attractivite", "beds_per_1000", "tourism"),
    IndicatorSpec("rooms_per_1000", "attractivite", "rooms_per_1000", "tourism"),
    IndicatorSpec("pitches_per_1000", "attractivite", "pitches_per_1000", "tourism"),
)
# beds the INSEE way: 2 per hotel room, 3 per campsite pitch, the others' beds as counted
ROOM_BEDS, PITCH_BEDS = 2, 3


def tourism_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Tourist capacity per 1,000 inhabitants, from the INSEE counts (``rooms``, ``pitches``, the
    beds of holiday villages, tourist residences and hostels) and ``population``; null for a
    commune the tourism file does not list or without a population."""
    per = 1000.0 / pl.when(pl.col("population") > 0).then(pl.col("population"))
    listed = pl.col("tourism_vintage").is_not_null()
    beds = (ROOM_BEDS * pl.col("rooms").fill_null(0) + PITCH_BEDS * pl.col("pitches").fill_null(0)
            + pl.col("village_beds").fill_null(0) + pl.col("residence_beds").fill_null(0)
            + pl.col("hostel_beds").fill_null(0))  # fmt: skip
    return frame.with_columns(
        pl.when(listed).then(beds * per).alias("beds_per_1000"),
        pl.when(listed).then(pl.col("rooms").fill_null(0) * per).alias("rooms_per_1000"),
        pl.when(listed).then(pl.col("pitches").fill_null(0) * per).alias("pitches_per_1000"),
    )


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    value: float | None  # None: not available for this commune
    percentile: float | None  # 0-100 among the peers, higher is better; None without value or peers
    peers: int  # peers with a value
    source: str
    as_of: date | None


@dataclass(frozen=True)
class Dimension:
    key: str
    score: float | None  # 0-100, the mean of its indicators' percentiles; None: no data
    indicators: list[Indicator] = field(default_factory=list)


def percentile_among(
    value: float | None, others: Sequence[float | None], higher_is_better: bool = True
) -> float | None:
    """The share of ``others`` that ``value`` beats, ties counting half, in percent."""
    known = np.array([x for x in others if x is not None and x == x], dtype=float)
    if value is None or value != value or not len(known):
        return None
    better = (known < value).sum() if higher_is_better else (known > value).sum()
    ties = (known == value).sum()
    return float(100.0 * (better + 0.5 * ties) / len(known))


def facts_columns(facts: pl.DataFrame, today: date) -> pl.DataFrame:
    """The facts as indicator columns: a lead image and a website as 0/1 (null when the article or
    the item was never read), the last edit as days before ``today``, the social networks counted."""
    read = pl.col("read_at").is_not_null()
    item = pl.col("item_read_at").is_not_null()
    return facts.with_columns(
        pl.when(read).then(pl.col("lead_image").is_not_null().cast(pl.Float64)).alias("has_lead_image"),
        (pl.lit(today) - pl.col("last_edit").cast(pl.Date)).dt.total_days().cast(pl.Float64).alias("days_since_edit"),
        pl.when(item).then(pl.col("website").is_not_null().cast(pl.Float64)).alias("has_website"),
        pl.when(item)
        .then(pl.col("social").str.split(",").list.eval(pl.element().filter(pl.element() != "")).list.len())
        .cast(pl.Float64)
        .alias("social_accounts"),
    )


def scorecard(mine: Mapping[str, Any], peers: pl.DataFrame, *, as_of: Mapping[str, date | None]) -> list[Dimension]:
    """The five dimensions for one commune: ``mine`` its row, ``peers`` its peers' rows (the same
    columns, the commune itself left out), ``as_of`` the date of each source's data."""
    out = []
    for dim in DIMENSIONS:
        indicators = []
        for spec in (s for s in INDICATORS if s.dimension == dim):
            value = mine.get(spec.column)
            value = None if value is None or (isinstance(value, float) and value != value) else float(value)
            column = peers[spec.column].to_list() if spec.column in peers.columns else []
            known = [x for x in column if x is not None and x == x]
            indicators.append(Indicator(spec.key, dim, value, percentile_among(value, known, spec.higher_is_better),
                                        len(known), spec.source, as_of.get(spec.source)))  # fmt: skip
        scores = [i.percentile for i in indicators if i.percentile is not None]
        out.append(Dimension(dim, float(np.mean(scores)) if scores else None, indicators))
    return out


def as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


@dataclass(frozen=True)
class Scorecard:
    code: str
    start: date
    end: date
    peer_group: str  # "size_class" or "pvd_size_class": whom the percentiles are among
    peers: int
    dimensions: list[Dimension]
    simulated: bool = False  # every figure is simulated (a demo store): said beside each source


def indicator_table(frame: pl.DataFrame, min_pvd_peers: int) -> pl.DataFrame:
    """Every commune's indicators placed at once (what :func:`scorecard` does for one commune):
    ``frame`` one row per commune with ``code``, ``size_class``, ``is_pvd`` and the indicator
    columns. Per indicator ``KEY``: ``KEY__value``, ``KEY__pct`` (percentile among the commune's
    peers: its size class, or the PVD of its size class for a PVD when they are at least
    ``min_pvd_peers`` besides it; from average ranks, ``(rank - 1) / known`` is the share of the
    ``known`` peers with a value it beats, ties counting half) and ``KEY__peers``; and
    ``pvd_group`` and ``peers`` (the group's size, the commune left out)."""
    pvd_in_class = pl.col("is_pvd").cast(pl.Int64).sum().over("size_class")
    use_pvd = pl.col("is_pvd") & (pvd_in_class - 1 >= min_pvd_peers)
    exprs: list[pl.Expr] = [
        use_pvd.alias("pvd_group"),
        (pl.when(use_pvd).then(pvd_in_class).otherwise(pl.len().over("size_class")) - 1).alias("peers"),
    ]
    for spec in INDICATORS:
        if spec.column not in frame.columns:
            continue
        raw = pl.col(spec.column).cast(pl.Float64)
        raw = pl.when(raw.is_nan()).then(None).otherwise(raw)
        value = raw if spec.higher_is_better else -raw

        def placed(over: list[str], value: pl.Expr = value, raw: pl.Expr = raw) -> tuple[pl.Expr, pl.Expr]:
            rank = value.rank("average").over(over)
            known = raw.is_not_null().sum().over(over) - raw.is_not_null().cast(pl.UInt32)  # the others with a value
            return pl.when((known > 0) & raw.is_not_null()).then(100.0 * (rank - 1) / known), known

        pct_pvd, known_pvd = placed(["size_class", "is_pvd"])
        pct_all, known_all = placed(["size_class"])
        exprs += [raw.alias(f"{spec.key}__value"),
                  pl.when(use_pvd).then(pct_pvd).otherwise(pct_all).alias(f"{spec.key}__pct"),
                  pl.when(use_pvd).then(known_pvd).otherwise(known_all).alias(f"{spec.key}__peers")]  # fmt: skip
    return frame.select("code", *exprs)


def dimension_scores(table: pl.DataFrame) -> pl.DataFrame:
    """Every commune's dimension scores (the mean of its known percentiles) from :func:`indicator_table`."""
    scores = []
    for d in DIMENSIONS:
        cols = [f"{s.key}__pct" for s in INDICATORS if s.dimension == d and f"{s.key}__pct" in table.columns]
        scores.append(pl.mean_horizontal(cols).alias(f"score_{d}") if cols
                      else pl.lit(None, pl.Float64).alias(f"score_{d}"))  # fmt: skip
    return table.select("code", *scores)


def from_table(row: Mapping[str, Any], as_of: Mapping[str, date | None]) -> list[Dimension]:
    """One commune's dimensions from its row of :func:`indicator_table`."""
    out = []
    for dim in DIMENSIONS:
        indicators = [Indicator(s.key, dim, row.get(f"{s.key}__value"), row.get(f"{s.key}__pct"),
                                int(row.get(f"{s.key}__peers") or 0), s.source, as_of.get(s.source))
                      for s in INDICATORS if s.dimension == dim and f"{s.key}__value" in row]  # fmt: skip
        known = [i.percentile for i in indicators if i.percentile is not None]
        out.append(Dimension(dim, float(np.mean(known)) if known else None, indicators))
    return out
