"""The presentation layer shared by the pages and the reports."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from belvedere import present


def test_smoothing_is_over_calendar_days_and_a_gap_is_not_a_zero() -> None:
    days = [date(2024, 1, 1) + timedelta(days=k) for k in range(20)]
    views = [float(10 + (k % 7)) for k in range(20)]
    dense = present.smooth_week(pl.Series(days), pl.Series(views))
    # on a series without gaps: the centred 7-day mean, nothing at the edges
    assert dense.to_list() == pl.Series(views).rolling_mean(7, center=True, min_samples=4).to_list()
    # three days missing in the middle: the same days keep their place, and the missing ones do not
    # pull the mean towards zero
    kept = [k for k in range(20) if k not in (9, 10, 11)]
    gappy = present.smooth_week(pl.Series([days[k] for k in kept]), pl.Series([views[k] for k in kept]))
    assert gappy.len() == len(kept)
    at_8 = [views[k] for k in range(5, 12) if k not in (9, 10, 11)]
    assert gappy[kept.index(8)] == pytest.approx(sum(at_8) / len(at_8))
    assert gappy[kept.index(12)] == pytest.approx(sum(views[12:16]) / 4)  # 4 known days of 7: enough
    # a week with fewer than 4 known days has no value
    three = present.smooth_week(pl.Series(days[:3]), pl.Series(views[:3]))
    assert three.to_list() == [None, None, None]
    assert present.smooth_week(pl.Series([], dtype=pl.Date), pl.Series([], dtype=pl.Float64)).len() == 0


def test_departement_rates_and_default_scope() -> None:
    metrics = pl.DataFrame({
        "departement": ["61", "61", "75"], "total_views": [100, 50, 900], "population": [10, 40, 100],
        "is_pvd": [True, False, False],
    })  # fmt: skip
    rates = present.departement_rates(metrics)
    assert rates.rows() == [("61", 150, 50, 2, 3.0), ("75", 900, 100, 1, 9.0)]
    assert present.default_scope(metrics) == "pvd"
    assert present.default_scope(metrics.with_columns(pl.lit(False).alias("is_pvd"))) == "all"
