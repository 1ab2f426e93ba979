"""Attention from abroad: how much of a commune's Wikipedia audience reads it in another language,
in which languages, and when in the year, a tourism signal that frwiki's own audience cannot give
(a German family planning its summer reads the German article).

Pure functions over frames the store gives (see ``Observatory.foreign``): only whole months
count, those that every foreign article of the commune and its French article cover entirely, so
that a month half read from dumps never lowers a share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

SEASONAL_RATIO = 1.5  # the peak month's foreign share against the year's: a season of visitors from abroad
MIN_MONTHS_SEASON = 12  # a season needs a whole year


@dataclass(frozen=True)
class Language:
    project: str  # "de.wikipedia"
    code: str  # "de"
    views: int
    share: float  # of the foreign views


@dataclass(frozen=True)
class ForeignAttention:
    """The commune's attention from abroad over its whole months covered."""

    code: str
    editions: int  # foreign Wikipedia articles (its Wikidata item's sitelinks)
    months: int  # whole months counted
    partial: int  # months left out: one of its articles not covered entirely
    first: date | None
    last: date | None
    foreign_views: int
    french_views: int
    share: float | None  # foreign / (foreign + French); None without a month counted
    languages: list[Language] = field(default_factory=list)
    peak_month: int | None = None  # 1-12: the calendar month where the foreign share is highest
    peak_share: float | None = None
    seasonal: bool = False  # its peak share is SEASONAL_RATIO times the year's, over a whole year or more
    simulated: bool = False


def _whole(foreign: pl.DataFrame, editions: pl.DataFrame, french: pl.DataFrame) -> pl.DataFrame:
    """(code, month, foreign, french) of the commune-months every foreign article covers whole
    and the French article covers every day of."""
    full = (
        foreign.group_by("code", "month")
        .agg(pl.col("views").sum().alias("foreign"), (pl.col("hours") >= pl.col("full_hours")).sum().alias("full"))
        .join(editions.select("code", "editions"), on="code")
        .filter(pl.col("full") >= pl.col("editions"))
    )
    fr = french.filter(pl.col("days") >= pl.col("month_days")).select("code", "month", pl.col("views").alias("french"))
    return full.join(fr, on=["code", "month"]).select("code", "month", "foreign", "french")


def attention(code: str, foreign: pl.DataFrame, editions: pl.DataFrame, french: pl.DataFrame,
              top: int = 5) -> ForeignAttention:  # fmt: skip
    """One commune's attention from abroad. ``foreign``: code, project, month, views, hours,
    full_hours, source (its articles' months); ``editions``: code, editions; ``french``: code,
    month, views, days, month_days (its frwiki user views per month)."""
    foreign = foreign.filter(pl.col("code") == code)
    n_editions = editions.filter(pl.col("code") == code)["editions"].sum()
    whole = _whole(foreign, editions, french.filter(pl.col("code") == code)).sort("month")
    partial = foreign.select("month").unique().height - whole.height
    simulated = bool(foreign.height) and bool((foreign["source"] == "simulated").all())
    if whole.is_empty():
        return ForeignAttention(code, int(n_editions), 0, max(partial, 0), None, None, 0, 0, None, simulated=simulated)
    f_total, fr_total = int(whole["foreign"].sum()), int(whole["french"].sum())
    months = whole["month"].to_list()
    langs = (
        foreign.filter(pl.col("month").is_in(months))
        .group_by("project").agg(pl.col("views").sum())
        .sort(["views", "project"], descending=[True, False]).head(top)
    )  # fmt: skip
    languages = [Language(r["project"], r["project"].split(".")[0], int(r["views"]), r["views"] / f_total)
                 for r in langs.to_dicts() if r["views"] > 0]  # fmt: skip
    share = f_total / (f_total + fr_total) if f_total + fr_total else None
    by_month = (
        whole.group_by(pl.col("month").dt.month().alias("m"))
        .agg(pl.col("foreign").sum(), pl.col("french").sum())
        .with_columns((pl.col("foreign") / (pl.col("foreign") + pl.col("french"))).alias("share"))
        .drop_nulls("share").sort(["share", "m"], descending=[True, False])
    )  # fmt: skip
    peak_month = peak_share = None
    seasonal = False
    if by_month.height:
        peak_month, peak_share = int(by_month["m"][0]), float(by_month["share"][0])
        seasonal = len(months) >= MIN_MONTHS_SEASON and share is not None and share > 0 \
            and peak_share >= SEASONAL_RATIO * share  # fmt: skip
    return ForeignAttention(code, int(n_editions), len(months), max(partial, 0), months[0], months[-1], f_total,
                            fr_total, share, languages, peak_month, peak_share, seasonal, simulated)  # fmt: skip


def table(foreign: pl.DataFrame, editions: pl.DataFrame, french: pl.DataFrame) -> pl.DataFrame:
    """Every commune's attention from abroad over its whole months covered: code, editions,
    months, foreign_views, french_views, foreign_share, foreign_per_month, top_language, and the
    ranks by foreign views a month and by share (1 = most)."""
    whole = _whole(foreign, editions, french)
    top = (
        foreign.join(whole.select("code", "month"), on=["code", "month"])
        .group_by("code", "project").agg(pl.col("views").sum())
        .sort(["code", "views", "project"], descending=[False, True, False])
        .group_by("code", maintain_order=True).first()
        .select("code", pl.col("project").str.split(".").list.first().alias("top_language"))
    )  # fmt: skip
    out = (
        whole.group_by("code")
        .agg(pl.len().alias("months"), pl.col("foreign").sum().alias("foreign_views"),
             pl.col("french").sum().alias("french_views"))
        .join(editions.select("code", "editions"), on="code", how="left")
        .join(top, on="code", how="left")
        .with_columns(
            (pl.col("foreign_views") / (pl.col("foreign_views") + pl.col("french_views"))).alias("foreign_share"),
            (pl.col("foreign_views") / pl.col("months")).alias("foreign_per_month"),
        )
    )  # fmt: skip
    return out.with_columns(
        pl.col("foreign_per_month").rank("min", descending=True).cast(pl.Int64).alias("rank_views"),
        pl.col("foreign_share").rank("min", descending=True).cast(pl.Int64).alias("rank_share"),
    ).sort("rank_views", "code")
