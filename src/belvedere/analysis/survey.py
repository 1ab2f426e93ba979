"""The results of a residents' survey: how attached they are, whether they would recommend their
town, and the ambassador score, each with its 95 % interval.

The ambassador score is the "net promoter score" of the marketing literature, on the 0-10 "would
you recommend your town to a friend" question: the share of promoters (9-10) minus the share of
detractors (0-6), in points from -100 to +100. Its interval uses the variance of a difference of
two shares of one multinomial sample, (p + d - (p - d)^2) / n; the means' intervals use Student's
t. With a handful of answers the intervals are wide, and say so: that is the honest answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

# Student's t, 97.5 % quantile, by degrees of freedom (no SciPy: a second to import for a table)
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
         11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
         20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048,
         29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}  # fmt: skip
PROMOTER, DETRACTOR = 9, 6  # 9-10 promote the town, 0-6 detract from it


def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t (the nearest tabulated degrees of freedom below, so the
    interval is never narrower than it should be; 1.96 beyond 120)."""
    if df > 120:
        return 1.96
    return _T975[max(k for k in _T975 if k <= df)]


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float | None  # None with fewer than 2 answers: no interval can be given
    high: float | None


@dataclass(frozen=True)
class SurveyResults:
    responses: int
    attachment: Estimate | None  # mean of 0-10
    recommend: Estimate | None  # mean of 0-10
    ambassador: Estimate | None  # promoters - detractors, in points
    promoters: int
    passives: int
    detractors: int


def mean_interval(values: list[float]) -> Estimate | None:
    n = len(values)
    if n == 0:
        return None
    mean = sum(values) / n
    if n < 2:
        return Estimate(mean, None, None)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t975(n - 1) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half)


def ambassador_score(recommend: list[int]) -> Estimate | None:
    n = len(recommend)
    if n == 0:
        return None
    p = sum(r >= PROMOTER for r in recommend) / n
    d = sum(r <= DETRACTOR for r in recommend) / n
    score = 100 * (p - d)
    if n < 2:
        return Estimate(score, None, None)
    half = 100 * 1.96 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    return Estimate(score, max(-100.0, score - half), min(100.0, score + half))


def survey_results(answers: pl.DataFrame) -> SurveyResults:
    """``answers``: one row per answer with ``attachment`` and ``recommend`` (0-10)."""
    recommend = [int(v) for v in answers["recommend"].to_list()] if answers.height else []
    return SurveyResults(
        responses=answers.height,
        attachment=mean_interval([float(v) for v in answers["attachment"].to_list()]) if answers.height else None,
        recommend=mean_interval([float(v) for v in recommend]),
        ambassador=ambassador_score(recommend),
        promoters=sum(r >= PROMOTER for r in recommend),
        passives=sum(DETRACTOR < r < PROMOTER for r in recommend),
        detractors=sum(r <= DETRACTOR for r in recommend),
    )
