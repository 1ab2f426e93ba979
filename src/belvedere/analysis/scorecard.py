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


# what each dimension is made of: access from ARCEP's fixed broadband and mobile sites and from the
# national map of digital mediation, animation from the accounts declared on Wikidata,
# attractiveness from INSEE's tourism capacity and the labels' lists
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
    IndicatorSpec("edits_12m", "contenus", "edits_12m", "facts"),
    IndicatorSpec("editors_12m", "contenus", "editors_12m", "facts"),
    IndicatorSpec("sitelinks", "notoriete", "sitelinks", "wikidata"),
    IndicatorSpec("label_languages", "notoriete", "label_languages", "wikidata"),
    IndicatorSpec("commons_files", "contenus", "commons_files", "wikidata"),
    IndicatorSpec("website", "animation", "has_website", "wikidata"),
    IndicatorSpec("social_accounts", "animation", "social_accounts", "wikidata"),
    IndicatorSpec("beds_per_1000", "attractivite", "beds_per_1000", "tourism"),
    IndicatorSpec("rooms_per_1000", "attractivite", "rooms_per_1000", "tourism"),
    IndicatorSpec("pitches_per_1000", "attractivite", "pitches_per_1000", "tourism"),
    IndicatorSpec("labels", "attractivite", "labels", "labels"),
    IndicatorSpec("ftth_share", "accessibilite", "ftth_share", "access"),
    IndicatorSpec("thd30_share", "accessibilite", "thd30_share", "access"),
    IndicatorSpec("mobile_4g", "accessibilite", "op4g", "mobile"),
    IndicatorSpec("mobile_5g", "accessibilite", "op5g", "mobile"),
    IndicatorSpec("digital_help", "accessibilite", "mediation", "inclusion"),
)
# the source of each count of ``access_counts``: ARCEP's sites file, the map of digital mediation
COUNT_SOURCES = {"op4g": "mobile", "op5g": "mobile", "mediation": "inclusion", "france_services": "inclusion"}
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


def access_columns(access: pl.DataFrame) -> pl.DataFrame:
    """ARCEP's counts (``code``, ``indicator``, ``premises``, ``eligible``, ``as_of``) as one row per
    commune: ``ftth_share`` and ``thd30_share`` in % of its premises, and ``access_as_of``."""
    share = pl.when(pl.col("premises") > 0).then(100.0 * pl.col("eligible") / pl.col("premises"))
    out = access.group_by("code").agg(
        *(share.filter(pl.col("indicator") == k).first().alias(f"{k}_share") for k in ("ftth", "thd30")),
        pl.col("as_of").min().alias("access_as_of"),
    )
    return out


def count_columns(counts: pl.DataFrame) -> pl.DataFrame:
    """The counts of ``access_counts`` (``code``, ``indicator``, ``value``, ``as_of``) as one row per
    commune: a column per indicator (``op4g``, ``op5g``, ``mediation``, ``france_services``; null
    where its file does not speak of the commune) and ``mobile_as_of``, ``inclusion_as_of``."""
    columns = [pl.col("value").filter(pl.col("indicator") == k).first().cast(pl.Float64).alias(k)
               for k in COUNT_SOURCES]  # fmt: skip
    dates = [pl.col("as_of").filter(pl.col("indicator").is_in([k for k, s in COUNT_SOURCES.items() if s == src]))
             .min().alias(f"{src}_as_of") for src in sorted(set(COUNT_SOURCES.values()))]  # fmt: skip
    return counts.group_by("code").agg(*columns, *dates)


def label_columns(labels: pl.DataFrame, codes: pl.Series) -> pl.DataFrame:
    """How many of the loaded labels each commune of ``codes`` holds (0 when a list is loaded and it
    is not on it; null for every commune when no list is loaded: not known, not zero)."""
    if labels.is_empty():
        return pl.DataFrame({"code": codes, "labels": None}, schema={"code": pl.String, "labels": pl.Float64})
    counts = labels.group_by("code").agg(pl.len().cast(pl.Float64).alias("labels"))
    return (
        pl.DataFrame({"code": codes}).join(counts, on="code", how="left").with_columns(pl.col("labels").fill_null(0.0))
    )


def as_of_list(value: str | None) -> date | None:
    """A list's date as written ("2024", "2024-05", "2024-05-01") as the first day it speaks of."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


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
