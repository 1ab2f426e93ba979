"""A probable cause for each spike, from where the readers came from (Wikimedia clickstream): in the
spike's month, the referring article whose readers grew most against the months before (a film's
article, a list of villages), else the origin that grew most (a search surge, outside sites).
Evidence, not proof: it is suggested, and the team
decides whether to keep it as the spike's annotation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

BEFORE = 3  # months before the spike's month its usual level is read from (missing months: 0)
MIN_GROWTH = 20  # readers more than usual, at the least, for a referrer to be named as the cause


@dataclass(frozen=True)
class Cause:
    peak: date
    month: date
    status: str  # "found", "none" (clickstream held, nothing grew), "no_clickstream" (month not held)
    source: str | None = None  # wikipedia, search, external, ...
    referrer: str | None = None  # the article's title (underscores) when source is wikipedia
    readers: int = 0  # readers that month from it
    usual: float = 0.0  # its mean over the BEFORE months


def _month(d: date) -> date:
    return date(d.year, d.month, 1)


def _months_before(month: date, n: int) -> list[date]:
    out, y, m = [], month.year, month.month
    for _ in range(n):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        out.append(date(y, m, 1))
    return out


def spike_causes(peaks: list[date], referrers: pl.DataFrame, held: set[date]) -> list[Cause]:
    """One cause per spike peak. ``referrers``: the commune's ``month, source, referrer, n`` rows;
    ``held``: the months the store has clickstream for (a referrer absent from a held month had
    fewer than 11 readers, counted 0)."""
    out = []
    keyed = referrers.with_columns(pl.coalesce(pl.col("referrer"), pl.col("source")).alias("key"))
    for peak in peaks:
        month = _month(peak)
        if month not in held:
            out.append(Cause(peak, month, "no_clickstream"))
            continue
        now = keyed.filter(pl.col("month") == month).group_by("key", "source", "referrer").agg(pl.col("n").sum())
        before = [m for m in _months_before(month, BEFORE) if m in held]
        earlier = keyed.filter(pl.col("month").is_in(before))
        usual = earlier.group_by("key").agg((pl.col("n").sum() / max(len(before), 1)).alias("usual"))
        grown = (now.join(usual, on="key", how="left").with_columns(pl.col("usual").fill_null(0.0))
                 .with_columns((pl.col("n") - pl.col("usual")).alias("growth"))
                 .filter(pl.col("growth") >= MIN_GROWTH).sort(["growth", "key"], descending=[True, False]))  # fmt: skip
        if grown.is_empty():
            out.append(Cause(peak, month, "none"))
            continue
        # an article that at least doubled its readers names the cause, even when search engines grew
        # more: readers who heard of the town there also search for it
        articles = grown.filter((pl.col("source") == "wikipedia") & (pl.col("n") >= 2 * pl.col("usual")))
        top = (articles if articles.height else grown).row(0, named=True)
        out.append(Cause(peak, month, "found", top["source"], top["referrer"], int(top["n"]), float(top["usual"])))
    return out
