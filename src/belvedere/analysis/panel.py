"""A dense commune x day panel of views: the shape every national computation wants.

Why: 35,000 communes x 3 years is 38 million commune-days. As a long DataFrame it costs gigabytes
and every step re-groups it; as a few numpy matrices (one row per commune, one column per day) it
costs ~150 MB each and the metrics, baselines and spike detection become array operations.

A day a commune was never fetched is *not covered* (``covered`` is False): it is neither a zero nor
counted in the number of days. Covered days that had no views are zeros. The access matrices hold 0
on the days not covered (every way of building a panel keeps it so): sums over days need no mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import polars as pl

from belvedere.store.schema import ACCESSES


@dataclass
class Panel:
    """Daily ``user`` views by access, plus automated/spider views, for communes x consecutive days."""

    codes: list[str]
    start: date
    desktop: np.ndarray  # (communes, days) int32
    mobile_web: np.ndarray
    mobile_app: np.ndarray
    automated: np.ndarray  # automated + spider agents, all accesses (zeros where not fetched)
    covered: np.ndarray  # (communes, days) bool: the day has user data for the commune

    @property
    def days(self) -> int:
        return int(self.desktop.shape[1])

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    @property
    def dates(self) -> np.ndarray:
        return np.datetime64(self.start, "D") + np.arange(self.days)

    @property
    def user(self) -> np.ndarray:
        """All-access user views, float64 with NaN on days not covered."""
        total: np.ndarray = self.desktop.astype(np.float64) + self.mobile_web + self.mobile_app
        total[~self.covered] = np.nan
        return total

    @cached_property
    def positions(self) -> dict[str, int]:
        """Row of each commune code (a dashboard asks for one commune at a time, often)."""
        return {c: i for i, c in enumerate(self.codes)}

    def index(self, code: str) -> int:
        return self.positions[code]

    def subset(self, codes: list[str]) -> Panel:
        """The panel restricted to codes (in that order); codes absent from it are dropped."""
        pos = self.positions
        keep = [c for c in codes if c in pos]
        rows = np.array([pos[c] for c in keep], dtype=np.int64)
        return Panel(
            keep,
            self.start,
            self.desktop[rows],
            self.mobile_web[rows],
            self.mobile_app[rows],
            self.automated[rows],
            self.covered[rows],
        )

    def between(self, start: date, end: date) -> Panel:
        """The panel of the days [start, end] (within this one's), with the communes that have a row
        those days: what reading that period from the store gives, without reading it again."""
        a, b = (start - self.start).days, (end - self.start).days + 1
        assert 0 <= a < b <= self.days, "a period inside the panel's"
        covered = self.covered[:, a:b]
        keep = np.flatnonzero(covered.any(axis=1) | (self.automated[:, a:b] > 0).any(axis=1))
        return Panel([self.codes[i] for i in keep], start, self.desktop[keep, a:b], self.mobile_web[keep, a:b],
                     self.mobile_app[keep, a:b], self.automated[keep, a:b], covered[keep])  # fmt: skip

    @classmethod
    def empty(cls, start: date, days: int = 0) -> Panel:
        z = np.zeros((0, days), dtype=np.int32)
        return cls([], start, z, z.copy(), z.copy(), z.copy(), np.zeros((0, days), dtype=bool))

    @classmethod
    def from_frame(cls, df: pl.DataFrame, start: date | None = None, end: date | None = None) -> Panel:
        """Build from a long frame ``code, date, access, agent, views`` (as ``commune_daily`` returns).

        Several rows for the same commune, day, access and agent (an article and its redirects) are
        summed. Days with a ``user`` row are covered.
        """
        if df.is_empty():
            return cls.empty(start or date.today(), 0 if start is None or end is None else (end - start).days + 1)
        first, last = df["date"].min(), df["date"].max()
        assert isinstance(first, date) and isinstance(last, date)
        start, end = start or first, end or last
        days = (end - start).days + 1
        df = df.filter(pl.col("date").is_between(start, end))
        codes = sorted(df["code"].unique().to_list())
        pos = {c: i for i, c in enumerate(codes)}
        n = len(codes)
        row = df["code"].replace_strict(pos, return_dtype=pl.Int64).to_numpy()
        col = (df["date"].cast(pl.Int64) - (start - date(1970, 1, 1)).days).to_numpy()
        views = df["views"].cast(pl.Int64).to_numpy()
        access = df["access"].to_numpy()
        agent = df["agent"].to_numpy()
        mats = {a: np.zeros((n, days), dtype=np.int64) for a in (*ACCESSES, "automated")}
        covered = np.zeros((n, days), dtype=bool)
        is_user = agent == "user"
        for a in ACCESSES:
            m = is_user & (access == a)
            np.add.at(mats[a], (row[m], col[m]), views[m])
        np.add.at(mats["automated"], (row[~is_user], col[~is_user]), views[~is_user])
        covered[row[is_user], col[is_user]] = True
        return cls(
            codes,
            start,
            mats["desktop"].astype(np.int32),
            mats["mobile-web"].astype(np.int32),
            mats["mobile-app"].astype(np.int32),
            mats["automated"].astype(np.int32),
            covered,
        )

    def series(self, code: str) -> pl.DataFrame:
        """One commune's daily series: date, views (user, all accesses), desktop, mobile, automated."""
        i = self.index(code)
        cov = self.covered[i]
        return pl.DataFrame(
            {
                "date": pl.Series(self.dates[cov], dtype=pl.Date),
                "views": (self.desktop[i] + self.mobile_web[i] + self.mobile_app[i])[cov].astype(np.int64),
                "desktop": self.desktop[i][cov].astype(np.int64),
                "mobile": (self.mobile_web[i] + self.mobile_app[i])[cov].astype(np.int64),
                "automated": self.automated[i][cov].astype(np.int64),
            }
        )
