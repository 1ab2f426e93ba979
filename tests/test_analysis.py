"""Pure analysis functions: metrics, ranks, spikes, events, level shifts, peers, typology."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from belvedere.analysis.events import bh_cutoff, fed_towns, poisson_tail, shared_events
from belvedere.analysis.metrics import add_ranks, audience_metrics, group_summary, robust_loglog_fit
from belvedere.analysis.panel import Panel
from belvedere.analysis.peers import peers, standing
from belvedere.analysis.spikes import SPIKE_SCHEMA, SpikeParams, baseline, detect, detect_series, level_shifts
from belvedere.analysis.typology import OUTPUTS, classify, nearest_large_city

START = date(2023, 1, 2)  # a Monday


def communes_frame(codes: list[str], pops: list[int]) -> pl.DataFrame:
    n = len(codes)
    return pl.DataFrame(
        {
            "code": codes,
            "name": [f"Commune {c}" for c in codes],
            "departement": ["01" if i % 2 else "02" for i in range(n)],
            "region": ["84"] * n,
            "population": pops,
            "size_class": ["<1k" if p < 1000 else "1k-2.5k" for p in pops],
            "is_pvd": [i % 3 == 0 for i in range(n)],
        }
    )


def long_frame(views: dict[str, list[int]], start: date = START) -> pl.DataFrame:
    """code, date, access, agent, views rows: 60 % mobile-web, the rest desktop."""
    rows = []
    for code, series in views.items():
        for d, v in enumerate(series):
            day = start + timedelta(days=d)
            rows.append((code, day, "mobile-web", "user", round(v * 0.6)))
            rows.append((code, day, "desktop", "user", v - round(v * 0.6)))
    return pl.DataFrame(rows, schema=["code", "date", "access", "agent", "views"], orient="row")


def noisy(level: float, days: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.poisson(level * rng.gamma(25, 1 / 25, days)).astype(float)


# --- metrics ----------------------------------------------------------------------------------
def test_metrics_per_inhabitant_and_zero_filled_days() -> None:
    df = long_frame({"A": [10, 0, 20, 0], "B": [1, 1, 1, 1]})
    m = audience_metrics(Panel.from_frame(df), communes_frame(["A", "B"], [100, 2]))
    a = m.filter(pl.col("code") == "A").row(0, named=True)
    assert a["days"] == 4  # zero days are days
    assert a["total_views"] == 30
    assert a["mean_daily_views"] == 7.5
    assert a["views_per_inhabitant"] == 0.3
    assert abs(a["views_per_1000_inh_year"] - 30 / 100 / 4 * 365.25 * 1000) < 1e-9
    assert abs(a["mobile_share"] - (6 + 12) / 30) < 1e-9


def test_mobile_as_on_site_demand() -> None:
    """A seaside town whose summer readers are on their phones, and one whose summer is read on
    desktops (interest from afar): the mobile share of the three busiest months over the others."""
    days = 365
    rows = []
    for d in range(days):
        day = date(2023, 1, 1) + timedelta(days=d)
        summer = day.month in (7, 8, 9)
        for code, mobile_summer in (("SITE", 0.8), ("AFAR", 0.4)):
            total = 300 if summer else 100
            mobile = round(total * (mobile_summer if summer else 0.5))
            rows += [(code, day, "mobile-web", "user", mobile), (code, day, "desktop", "user", total - mobile)]
    rows += [("TINY", date(2023, 1, 1) + timedelta(days=d), "desktop", "user", 1) for d in range(days)]
    df = pl.DataFrame(rows, schema=["code", "date", "access", "agent", "views"], orient="row")
    m = audience_metrics(Panel.from_frame(df), communes_frame(["SITE", "AFAR", "TINY"], [500, 500, 500]))
    by = {r["code"]: r for r in m.iter_rows(named=True)}
    assert abs(by["SITE"]["mobile_season_lift"] - 0.3) < 1e-9 and by["SITE"]["mobile_peak_month"] in (7, 8, 9)
    assert abs(by["AFAR"]["mobile_season_lift"] + 0.1) < 1e-9
    assert (
        by["TINY"]["mobile_season_lift"] is None or by["TINY"]["mobile_season_lift"] != by["TINY"]["mobile_season_lift"]
    )
    typed = classify(m.with_columns(pl.lit(0.0).alias("spikes_per_year"), pl.lit(0.0).alias("spike_share"),
                                    pl.lit(1.0).alias("visibility_surplus")))  # fmt: skip
    explained = dict(typed.select("code", "explanation").iter_rows())
    assert "signe de visiteurs sur place" in explained["SITE"] and "visiteurs sur place" not in explained["AFAR"]


def test_days_never_fetched_are_not_zeros() -> None:
    df = long_frame({"A": [10, 10, 10, 10]}).filter(pl.col("date") != START + timedelta(days=1))
    panel = Panel.from_frame(df, START, START + timedelta(days=3))
    assert panel.covered.tolist() == [[True, False, True, True]]
    m = audience_metrics(panel, communes_frame(["A"], [10]))
    assert m["days"][0] == 3 and m["mean_daily_views"][0] == 10.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 500), min_size=6, max_size=6), st.randoms(use_true_random=False))
def test_metrics_do_not_depend_on_row_order(values: list[int], rnd) -> None:
    df = long_frame({"A": values[:3], "B": values[3:]})
    shuffled = df.sample(fraction=1.0, shuffle=True, seed=rnd.randint(0, 10**6))
    c = communes_frame(["A", "B"], [50, 70])
    a = audience_metrics(Panel.from_frame(df), c).sort("code")
    b = audience_metrics(Panel.from_frame(shuffled), c).sort("code")
    assert a.select("total_views", "views_per_inhabitant").equals(b.select("total_views", "views_per_inhabitant"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=2, max_size=30))
def test_ranks_are_consistent_with_values(values: list[float]) -> None:
    codes = [f"{i:05d}" for i in range(len(values))]
    df = communes_frame(codes, [100] * len(values)).with_columns(pl.Series("views_per_inhabitant", values))
    ranked = add_ranks(df)
    pairs = list(zip(ranked["views_per_inhabitant"], ranked["rank_france"], strict=True))
    for v1, r1 in pairs:
        for v2, r2 in pairs:
            if v1 > v2:
                assert r1 < r2
            if v1 == v2:
                assert r1 == r2
    assert ranked["rank_france"].min() == 1
    assert ranked.filter(~pl.col("is_pvd"))["rank_pvd"].null_count() == (~ranked["is_pvd"]).sum()


def test_robust_fit_resists_famous_outliers() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(4, 10, 3000)
    y = -1.9 + 0.65 * x + rng.normal(0, 0.3, x.size)
    y[:150] += 3.0  # 5 % famous towns far above the cloud
    intercept, slope = robust_loglog_fit(x, y)
    assert abs(slope - 0.65) < 0.02 and abs(intercept + 1.9) < 0.15
    ols = np.polyfit(x, y, 1)
    assert abs(ols[1] + 1.9 - 0.0) > abs(intercept + 1.9)  # OLS is dragged up, Huber is not


def test_group_summary_compares_pvd_and_size_classes() -> None:
    df = communes_frame(["A", "B", "C", "D"], [500, 600, 1500, 1800]).with_columns(
        pl.Series("views_per_inhabitant", [1.0, 3.0, 10.0, 20.0]),
        pl.Series("total_views", [500, 1800, 15000, 36000]),
    )
    g = group_summary(df)
    assert set(g["group"]) == {"PVD", "<1k", "1k-2.5k"}
    assert g.filter(pl.col("group") == "PVD")["communes"][0] == 2  # A and D (every third)


# --- spikes -----------------------------------------------------------------------------------
def test_planted_spike_is_found_with_its_dates_and_excess() -> None:
    v = noisy(50, 365, 3)
    v[200:204] += np.array([450, 200, 80, 30])
    s = detect(v[None, :], START, ["A"])
    assert s.height == 1
    r = s.row(0, named=True)
    assert r["start"] == START + timedelta(days=200) == r["peak"]
    assert START + timedelta(days=201) <= r["end"] <= START + timedelta(days=204)
    assert 8 < r["peak_ratio"] < 13
    assert 600 < r["excess_views"] < 900
    assert not r["suspected_bot"]


def _spikes_row_by_row(views: np.ndarray, start: date, codes: list[str], desktop: np.ndarray,
                       automated: np.ndarray) -> pl.DataFrame:  # fmt: skip
    """The spike rules written plainly, one series and one run at a time: what detect() must give."""
    prm = SpikeParams()
    base = baseline(views, (start - date(1970, 1, 5)).days % 7, prm)
    expected, z = base.views, base.z
    excess = views - expected
    with np.errstate(invalid="ignore", divide="ignore"):
        hot = np.isfinite(z) & (z >= prm.threshold) & (views >= prm.min_ratio * np.maximum(expected, 1.0))
        hot &= excess >= prm.min_excess
        warm = (np.isfinite(z) & (z >= prm.extend)) | hot
        share = np.nansum(np.where(np.isnan(views), 0, desktop), axis=1) / np.nansum(views, axis=1)
    out = []
    for i in range(len(views)):
        runs: list[list[int]] = []
        day = 0
        while day < views.shape[1]:
            if not warm[i, day]:
                day += 1
                continue
            end = day
            while end < views.shape[1] and warm[i, end]:
                end += 1
            if hot[i, day:end].any():
                if runs and day - runs[-1][1] <= prm.merge_gap:
                    runs[-1][1] = end
                else:
                    runs.append([day, end])
            day = end
        for a, b in runs:
            p = a + int(np.nanargmax(views[i, a:b] / np.maximum(expected[i, a:b], 1.0)))
            bv = float(expected[i, p])
            reason = None
            if automated[i, p] >= max(prm.bot_auto_min, prm.bot_auto_ratio * (np.median(automated[i]) + 1)):
                reason = "automated"
            elif (
                b - a <= 2
                and excess[i, p] > 0
                and (desktop[i, p] - share[i] * bv) / excess[i, p] >= prm.bot_desktop_share
            ):
                reason = "desktop_only"
            day0 = start + timedelta(days=a)
            out.append((codes[i], day0, start + timedelta(days=p), start + timedelta(days=b - 1), b - a,
                        int(views[i, p]), bv, float(views[i, p] / max(bv, 1.0)),
                        float(np.nansum(np.maximum(excess[i, a:b], 0))), float(z[i, p]), reason is not None,
                        reason))  # fmt: skip
    return pl.DataFrame(out, schema=SPIKE_SCHEMA, orient="row")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_spikes_of_many_series_at_once_are_those_found_one_by_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, days = 120, 400
    views = rng.poisson(rng.uniform(2, 80, (n, 1)), (n, days)).astype(float)
    for _ in range(60):  # news of 1 to 12 days, some of them close enough to merge
        i, d, k = rng.integers(n), rng.integers(days - 12), rng.integers(1, 13)
        views[i, d : d + k] += rng.uniform(50, 900)
    views[rng.random(views.shape) < 0.03] = np.nan  # days not fetched
    desktop = (np.nan_to_num(views) * rng.uniform(0.1, 0.9, (n, 1))).astype(np.int32)
    desktop[:10, 200] += 900  # desktop bursts
    views[:10, 200] = np.nan_to_num(views[:10, 200]) + 900
    automated = rng.poisson(3, (n, days)).astype(np.int32)
    automated[10:20, 300] += 800
    codes = [f"{i:05d}" for i in range(n)]
    found = detect(views, date(2024, 1, 3), codes, desktop=desktop, automated=automated)
    assert found.height > 50 and found["suspected_bot"].sum() > 5 and (found["days"] > 8).any()
    assert_frame_equal(found, _spikes_row_by_row(views, date(2024, 1, 3), codes, desktop, automated))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 5000), st.integers(28, 400))
def test_a_constant_series_has_no_spike(level: int, days: int) -> None:
    assert detect(np.full((1, days), float(level)), START, ["A"]).is_empty()


def test_weekly_dips_and_seasons_are_not_spikes() -> None:
    days = 3 * 365
    t = np.arange(days)
    weekly = np.where((t % 7) >= 5, 0.6, 1.05)  # weekends far down
    summer = 1 + 3 * np.exp(-0.5 * (((t % 365) - 200) / 20) ** 2)
    rng = np.random.default_rng(5)
    v = rng.poisson(80 * weekly * summer * rng.gamma(25, 1 / 25, days)).astype(float)
    assert detect(v[None, :], START, ["A"]).height <= 1


def test_bot_bursts_are_flagged() -> None:
    v = noisy(40, 200, 8)
    desktop = np.round(v * 0.4)
    automated = np.full(200, 2.0)
    v[100] += 400
    desktop[100] += 400  # a one-day burst on desktop only
    v[150] += 300
    desktop[150] += 120
    automated[150] += 5000  # a crawler the same day
    s = detect(v[None, :], START, ["A"], desktop=desktop[None, :], automated=automated[None, :])
    reasons = dict(zip(s["peak"].to_list(), s["bot_reason"].to_list(), strict=True))
    assert reasons[START + timedelta(days=100)] == "desktop_only"
    assert reasons[START + timedelta(days=150)] == "automated"
    assert s["suspected_bot"].all()


def test_detect_series_accepts_gaps_and_any_order() -> None:
    v = noisy(30, 300, 11)
    v[150] += 400
    df = pl.DataFrame({"date": [START + timedelta(days=i) for i in range(300)], "views": v})
    df = df.filter((pl.col("date") < START + timedelta(days=40)) | (pl.col("date") > START + timedelta(days=60)))
    s = detect_series(df.sample(fraction=1.0, shuffle=True, seed=3))
    assert s["peak"].to_list() == [START + timedelta(days=150)]


# --- shared events ------------------------------------------------------------------------------
def test_poisson_tail_matches_scipy() -> None:
    from scipy.stats import poisson  # scipy comes with ruptures; the product code does without it

    for lam in (0.01, 0.5, 1.3, 4.0, 31.0, 90.0):
        for k in (0, 1, 2, 3, 5, 8, 20, 60, 120):
            assert math.isclose(poisson_tail(k, lam), poisson.sf(k - 1, lam), rel_tol=1e-6, abs_tol=1e-300)


def _spike(code: str, day: int, excess: float = 100.0) -> tuple:
    d = START + timedelta(days=day)
    return (code, d, d, d + timedelta(days=2), 3, 200, 40.0, 5.0, excess, 9.0, False, None)


def test_spikes_of_several_towns_within_a_day_form_one_event() -> None:
    from belvedere.analysis.spikes import SPIKE_SCHEMA

    rows = [_spike("A", 100), _spike("B", 100), _spike("C", 101), _spike("D", 99), _spike("E", 250),
            _spike("F", 400), _spike("G", 600)]  # fmt: skip
    ev = shared_events(pl.DataFrame(rows, schema=SPIKE_SCHEMA, orient="row"), days_in_scope=730)
    assert ev.height == 1
    assert ev["codes"][0].to_list() == ["A", "B", "C", "D"]
    assert ev["start"][0] == START + timedelta(days=99)
    assert ev["p_value"][0] < 0.01


def test_chance_coincidences_in_a_busy_scope_are_not_events() -> None:
    from belvedere.analysis.spikes import SPIKE_SCHEMA

    rng = np.random.default_rng(2)
    rows = [_spike(f"{i:05d}", int(d)) for i, d in enumerate(rng.integers(0, 730, 700))]  # ~1 a day
    ev = shared_events(pl.DataFrame(rows, schema=SPIKE_SCHEMA, orient="row"), days_in_scope=730)
    assert ev.height == 0  # false discoveries kept at 5 %: with no true event, almost never one


def test_benjamini_hochberg_cutoff() -> None:
    # m = 5 at 5 %: the bars are 0.01, 0.02, 0.03, 0.04, 0.05; the largest p under its bar is 0.03
    assert bh_cutoff(np.array([0.2, 0.001, 0.03, 0.015, 0.5]), 0.05) == 0.03
    assert bh_cutoff(np.array([0.02, 0.03, 0.04]), 0.05) == 0.04  # each over 0.05 / 3 alone, all kept together
    assert bh_cutoff(np.array([0.02, 0.5, 0.9]), 0.05) == 0.0  # 0.02 > 0.05 / 3: nothing


def _referral(month: date, code: str, referrer: str, n: int, usual: float) -> dict[str, object]:
    return {"month": month, "code": code, "referrer": referrer, "n": n, "usual": usual}


def test_towns_fed_by_one_article_in_a_month_are_one_event_named_after_it() -> None:
    """Four towns spike in May, three of them fed by the same programme's article; the fourth and a
    June spike are fed by none; a département article that feeds every town every month names nothing."""
    from belvedere.analysis.spikes import SPIKE_SCHEMA

    may = date(2023, 5, 1)
    rows = [_spike("A", 130), _spike("B", 131), _spike("C", 140), _spike("D", 131), _spike("E", 170)]
    spikes = pl.DataFrame(rows, schema=SPIKE_SCHEMA, orient="row")
    assert spikes["peak"].dt.month().to_list() == [5, 5, 5, 5, 6]
    referrals = pl.DataFrame([
        _referral(may, "A", "Programme_X", 400, 0.0), _referral(may, "B", "Programme_X", 90, 0.0),
        _referral(may, "C", "Programme_X", 35, 10.0),
        _referral(may, "B", "Calvados_(département)", 60, 55.0),  # the usual links: no growth
        _referral(may, "D", "Calvados_(département)", 60, 55.0),
        _referral(may, "E", "Programme_X", 15, 0.0),  # under the growth that counts
    ])  # fmt: skip
    ev = shared_events(spikes, referrals, days_in_scope=730)
    assert ev.height == 1
    e = ev.row(0, named=True)
    assert (e["evidence"], e["referrer"], e["codes"], e["readers"]) == ("referrer", "Programme_X", ["A", "B", "C"], 525)
    assert e["start"] == START + timedelta(days=130) and e["end"] == START + timedelta(days=142)
    # a town fed by two growing articles counts once, for the one that grew most
    both = pl.concat([referrals, pl.DataFrame([_referral(may, "A", "Film_Y", 900, 0.0)])])
    assert fed_towns(both).filter(pl.col("code") == "A")["referrer"].to_list() == ["Film_Y"]
    assert shared_events(spikes, both, days_in_scope=730)["codes"].to_list() == [["B", "C"]]


def test_a_season_that_lifts_every_origin_feeds_nothing() -> None:
    """A seaside town in July: all its readers triple, the département's article with them; only an
    article that grew beyond the town's own growth fed it."""
    july = date(2023, 7, 1)
    season = {"total": 9000, "usual_total": 3000}
    referrals = pl.DataFrame([
        {**_referral(july, "A", "Var_(département)", 180, 60.0), **season},  # kept its share
        {**_referral(july, "A", "Tour_de_France_2023", 300, 0.0), **season},  # new
        {**_referral(july, "B", "Var_(département)", 400, 60.0), **season},  # 400 > 2 x 180
        {**_referral(july, "C", "Var_(département)", 40, 0.0), "total": 500, "usual_total": None},  # no month before
    ])  # fmt: skip
    fed = fed_towns(referrals)
    assert fed.select("code", "referrer").rows() == [("A", "Tour_de_France_2023"), ("B", "Var_(département)"),
                                                     ("C", "Var_(département)")]  # fmt: skip
    assert fed_towns(referrals.with_columns(pl.lit(None, pl.Float64).alias("usual"))).is_empty()  # unknown before


# --- level shifts -----------------------------------------------------------------------------
def test_level_shift_found_and_summers_ignored() -> None:
    days = 3 * 365
    t = np.arange(days)
    rng = np.random.default_rng(4)
    summer = 1 + 2 * np.exp(-0.5 * (((t % 365) - 200) / 20) ** 2)
    base = np.where(t >= 500, 100.0, 50.0)
    v = rng.poisson(base * summer * rng.gamma(25, 1 / 25, days))
    df = pl.DataFrame({"date": [START + timedelta(days=int(i)) for i in t], "views": v})
    shifts = level_shifts(df)
    assert shifts.height == 1
    assert abs((shifts["date"][0] - (START + timedelta(days=500))).days) <= 14
    assert 0.7 < shifts["change"][0] < 1.3
    no_shift = df.with_columns(pl.Series("views", rng.poisson(50 * summer * rng.gamma(25, 1 / 25, days))))
    assert level_shifts(no_shift).is_empty()


def test_change_points_are_those_of_ruptures() -> None:
    """The hand-written optimal partitioning answers what ruptures' linear-kernel search answers
    (ruptures is a test dependency only: its SciPy import cost a second per command)."""
    import ruptures

    from belvedere.analysis.changepoints import optimal_breaks

    rng = np.random.default_rng(7)
    checked = with_breaks = 0
    for _ in range(400):
        n, min_size = int(rng.integers(16, 300)), int(rng.integers(2, 10))
        y = rng.normal(0, rng.uniform(0.05, 0.5), n)
        for _ in range(int(rng.integers(0, 4))):
            y[int(rng.integers(0, n)) :] += rng.normal(0, 1)
        pen = 4 * float(np.median(np.abs(np.diff(y)))) ** 2 * np.log(n)
        expected = ruptures.KernelCPD(kernel="linear", min_size=min_size).fit(y.reshape(-1, 1)).predict(pen=pen)
        found = optimal_breaks(y, pen, min_size)
        assert found == [int(b) for b in expected[:-1]], (n, min_size)
        checked += 1
        with_breaks += bool(found)
    assert checked == 400 and with_breaks > 100  # the comparison saw segmentations, not only none
    assert optimal_breaks(np.zeros(5), 1.0, 3) == []


# --- peers and typology -------------------------------------------------------------------------
def test_peers_prefer_same_size_and_departement() -> None:
    codes = [f"{i:05d}" for i in range(40)]
    pops = [1000 + 10 * i for i in range(40)]
    df = communes_frame(codes, pops).with_columns(pl.Series("views_per_inhabitant", np.linspace(1, 40, 40)))
    group = peers(df, "00010", n=5)
    assert group.height == 6 and group["is_target"][0] and group["code"][0] == "00010"
    dep = df.filter(pl.col("code") == "00010")["departement"][0]
    assert (group["departement"] == dep).all()  # enough close communes in the same département
    s = standing(group)
    assert s["of"] == 6 and 1 <= s["rank"] <= 6


def test_typology_rules_and_explanations() -> None:
    base = {"summer_index": 1.0, "winter_index": 1.0, "summer_share": 0.17, "winter_share": 0.33,
            "visibility_surplus": 1.0, "spikes_per_year": 0.0, "spike_share": 0.0, "spikes": 0,
            "population": 5000, "is_commune_nouvelle": False, "nearest_city": "Lyon",
            "nearest_city_km": 80.0}  # fmt: skip
    cases = {
        "coast": {"summer_index": 2.0, "winter_index": 0.7, "summer_share": 0.34},
        "mountain": {"winter_index": 1.6},
        "event": {"spikes_per_year": 3.0, "spikes": 6, "spike_share": 0.2},
        "famous": {"visibility_surplus": 4.0},
        "low": {"visibility_surplus": 0.3, "is_commune_nouvelle": True, "nearest_city_km": 8.0, "population": 900},
        "plain": {},
    }
    df = pl.DataFrame([{**base, **v, "code": k} for k, v in cases.items()])
    t = dict(zip(classify(df)["code"], classify(df)["typology"], strict=True))
    assert t == {"coast": "seasonal-coast", "mountain": "seasonal-mountain", "event": "event-driven",
                 "famous": "steady-famous", "low": "low-visibility", "plain": "ordinary"}  # fmt: skip
    low = classify(df).filter(pl.col("code") == "low").row(0, named=True)
    assert low["reasons"] == ["commune_nouvelle", "suburban", "small", "low_tourism"]
    assert "Lyon" in low["explanation"] and "commune nouvelle" in low["explanation"]
    assert "2,0 fois" in classify(df).filter(pl.col("code") == "coast")["explanation"][0]


def test_a_typology_kept_before_gives_the_words_a_new_one_gives() -> None:
    """Rows whose features read the same keep their earlier words; any feature that changes them
    (a surplus crossing a threshold or its one-decimal wording, a new spike, a zone) is worded again."""
    rng = np.random.default_rng(3)
    n = 400
    df = pl.DataFrame({
        "code": [f"{i:05d}" for i in range(n)], "summer_index": rng.uniform(0.8, 1.6, n),
        "winter_index": rng.uniform(0.8, 1.3, n), "summer_share": rng.uniform(0.1, 0.4, n),
        "visibility_surplus": rng.lognormal(0, 0.8, n), "spikes_per_year": rng.choice([0.0, 0.5, 2.0], n),
        "spike_share": rng.uniform(0, 0.3, n), "spikes": rng.integers(0, 5, n),
        "population": rng.integers(100, 9000, n), "is_commune_nouvelle": rng.random(n) < 0.1, "nearest_city": "Lyon",
        "nearest_city_km": rng.uniform(2, 90, n),
    })  # fmt: skip
    before = df.join(classify(df), on="code")
    moved = df.with_columns(
        (pl.col("visibility_surplus") * (1 + 1e-12)).alias("visibility_surplus")  # a refit's last digits
    ).with_columns(
        pl.when(pl.col("code") == "00001").then(2.5).when(pl.col("code") == "00002").then(0.5)
        .when(pl.col("code") == "00003").then(pl.col("visibility_surplus") + 0.2)
        .otherwise(pl.col("visibility_surplus")).alias("visibility_surplus"),
        pl.when(pl.col("code") == "00004").then(pl.col("spikes") + 3).otherwise(pl.col("spikes")).alias("spikes"),
        pl.when(pl.col("code") == "00005").then(None).otherwise(pl.col("population")).alias("population"),
    )  # fmt: skip
    again = classify(moved, before)
    assert_frame_equal(again, classify(moved))
    changed = again.join(before.select("code", *OUTPUTS), on="code", suffix="_before").filter(
        pl.col("explanation") != pl.col("explanation_before")
    )
    assert 1 <= changed.height <= 5  # the few rows changed were worded again, and only they could differ
    assert set(changed["code"]) <= {"00001", "00002", "00003", "00004", "00005"}
    # and the others' words were taken, not written again
    marked = classify(moved, before.with_columns(pl.lit("kept").alias("explanation")))
    kept = set(marked.filter(pl.col("explanation") == "kept")["code"])
    assert len(kept) >= n - 5 and not kept & {"00004", "00005"}


def test_nearest_large_city() -> None:
    df = pl.DataFrame(
        {
            "code": ["75056", "92012", "13055", "29000"],
            "name": ["Paris", "Boulogne-Billancourt", "Marseille", "Village"],
            "population": [2_100_000, 120_000, 870_000, 300],
            "lat": [48.8566, 48.8397, 43.2965, 48.39],
            "lon": [2.3522, 2.2399, 5.3698, -4.49],
        }
    )
    near = dict(zip(nearest_large_city(df)["code"], nearest_large_city(df)["nearest_city"], strict=True))
    km = dict(zip(nearest_large_city(df)["code"], nearest_large_city(df)["nearest_city_km"], strict=True))
    assert near["92012"] == "Paris" and 7 < km["92012"] < 10
    assert near["75056"] == "Boulogne-Billancourt"  # never itself
    assert km["29000"] > 400


def _peers_reference(metrics: pl.DataFrame, code: str, n: int, metric: str) -> list[str]:
    """The peer rule written plainly over the whole frame, to check the indexed search against."""
    from belvedere.analysis.peers import MAX_POPULATION_FACTOR, PENALTIES

    t = metrics.filter(pl.col("code") == code).row(0, named=True)
    pop0 = max(float(t["population"] or 1), 1.0)
    others = metrics.filter((pl.col("code") != code) & pl.col(metric).is_not_null() & (pl.col("population") > 0))
    close = others.filter(pl.col("population").is_between(pop0 / MAX_POPULATION_FACTOR, pop0 * MAX_POPULATION_FACTOR))
    if close.height >= n:
        others = close
    distance = (pl.col("population").cast(pl.Float64).log() - np.log(pop0)).abs()
    for column, penalty in PENALTIES.items():
        distance = distance + pl.when(pl.col(column).eq_missing(t[column])).then(0.0).otherwise(penalty)
    return others.with_columns(distance.alias("d")).sort(["d", "code"]).head(n)["code"].to_list()


@pytest.mark.parametrize("seed", range(6))
def test_peer_index_matches_the_plain_rule(seed: int) -> None:
    from belvedere.analysis.peers import PeerIndex

    rng = np.random.default_rng(seed)
    size = 3000
    df = pl.DataFrame(
        {
            "code": [f"{i:05d}" for i in rng.permutation(size)],
            "population": rng.choice([0, 50, 120, 500, 1000, 1001, 2000, 2500, 9000, 40000], size)
            * rng.integers(1, 4, size),
            "departement": rng.choice(["01", "02", "03", None], size).tolist(),
            "region": rng.choice(["84", "27"], size).tolist(),
            "is_pvd": rng.random(size) < 0.1,
            "typology": rng.choice(["ordinary", "seasonal-coast", "low-visibility"], size).tolist(),
            "views_per_inhabitant": np.where(rng.random(size) < 0.05, np.nan, rng.gamma(2.0, 3.0, size)),
        }
    ).with_columns(pl.col("views_per_inhabitant").fill_nan(None))
    index = PeerIndex(df)
    for code in rng.choice(df["code"].to_list(), 60, replace=False):
        n = int(rng.choice([1, 5, 10, 40]))
        group = index.group(code, n)
        assert group["code"][0] == code and group["is_target"][0] and not group["is_target"][1:].any()
        assert group["code"][1:].to_list() == _peers_reference(df, code, n, "views_per_inhabitant")
        values = group["views_per_inhabitant"].to_list()
        for value, rank in zip(values, group["rank_in_group"].to_list(), strict=True):
            assert rank == (None if value is None else 1 + sum(v is not None and v > value for v in values))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_row_nanmedian_is_numpys_nanmedian(rows: int, cols: int, seed: int) -> None:
    import warnings

    from belvedere.analysis.spikes import _row_nanmedian

    rng = np.random.default_rng(seed)
    grid = rng.normal(size=(rows, cols))
    grid[rng.random(grid.shape) < 0.35] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
        expected = np.nanmedian(grid, axis=1)
    assert np.allclose(_row_nanmedian(grid), expected, equal_nan=True)


def test_a_level_shift_from_no_views_is_a_start_not_an_infinity() -> None:
    """An article unseen for months, then read: the shift is kept with a null change (JSON has no
    infinity); a flat zero gives no shift at all."""
    from datetime import date, timedelta

    from belvedere.analysis.spikes import level_shifts

    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(7 * 40)]
    rising = pl.DataFrame({"date": days, "views": [0] * (7 * 20) + [30] * (7 * 20)})
    shifts = level_shifts(rising)
    assert shifts.height == 1 and shifts["change"][0] is None and shifts["level_after"][0] > 20
    assert level_shifts(pl.DataFrame({"date": days, "views": [0] * len(days)})).is_empty()
