"""A deterministic generator of SIMULATED daily pageviews, shaped like real commune audience.

Why: the demo, the tests and the benchmarks need a whole country of audience without the network,
and analysis code needs a ground truth to be scored against. Everything it writes is labelled
simulated (metadata ``simulated=true``, articles with ``source='simulated'``), and what it planted
(profiles, spikes, shared events, bot bursts) goes to the ``sim_*`` tables.

Shape, per commune:
- level grows sub-linearly with population (~ pop^0.65) with a wide log-normal spread;
- tourist profiles: "coast" (July–August peak) and "mountain" (winter peak plus a smaller summer
  one), more frequent in coastal / mountain départements; "plain" otherwise (mild summer bump);
- a weekly profile (weekends up for tourist towns, down for others), a slow trend;
- rare spikes decaying over a few days, some shared by several towns within ±1 day (a TV show);
- day-level over-dispersion (gamma) and Poisson counts, split by access;
- an "automated" agent series on desktop, with rare one-day bot bursts, some of which leak into
  the desktop "user" series (as misclassified bots do in real data).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from belvedere import messages as M
from belvedere.config import PROJECT
from belvedere.dates import month_end
from belvedere.errors import BelvedereError
from belvedere.reference.titles import guess_titles
from belvedere.store import audience, foreign
from belvedere.store.db import Store, now
from belvedere.store.schema import ACCESSES

COASTAL_DEPS = {
    "06", "11", "13", "14", "17", "22", "29", "2A", "2B", "30", "33", "34", "35", "40", "44", "50",
    "56", "59", "62", "64", "66", "76", "80", "83", "85", "971", "972", "973", "974", "976",
}  # fmt: skip
MOUNTAIN_DEPS = {
    "04", "05", "06", "09", "15", "2A", "2B", "25", "31", "38", "39", "63", "64", "65", "66", "68",
    "73", "74", "88", "90",
}  # fmt: skip
WEEKLY_PLAIN = np.array([1.05, 1.04, 1.02, 1.0, 0.97, 0.92, 0.99])  # Monday first
WEEKLY_TOURIST = np.array([0.95, 0.93, 0.93, 0.95, 1.04, 1.12, 1.08])
BATCH = 1500
ON_SITE_EXTRA = 0.25  # extra mobile share of the views the season brings: visitors read on their phones


@dataclass(frozen=True)
class SimulationParams:
    seed: int
    start: date
    end: date
    spikes_per_year: float = 0.35
    shared_events_per_year: float = 8.0
    bots_per_year: float = 0.03
    campaigns: int | None = None  # campaigns planted (default: one commune in eight, at most 300)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class SimulationResult:
    communes: int
    days: int
    rows: int
    user_views: int
    spikes: int
    shared_events: int
    bots: int
    campaigns: int = 0


def _circular_gauss(doy: np.ndarray, center: float, width: float) -> np.ndarray:
    d = np.abs(doy - center)
    d = np.minimum(d, 365.25 - d)
    return np.exp(-0.5 * (d / width) ** 2)


# planted: each label a town holds multiplies its readers by e^0.35 = 1.42, other things equal (labels
# are drawn from the size alone, so the national model can recover this effect: make bench scores it)
LABEL_EFFECT = 0.35
# the share of communes of each size holding each label, and what the list adds (a Ville fleurie's flowers)
SIM_LABELS = (("plus-beaux-villages", 0.0, 2_500.0, 0.012), ("petites-cites-de-caractere", 800.0, 12_000.0, 0.02),
              ("villes-villages-fleuris", 0.0, 1e9, 0.12), ("art-et-histoire", 4_000.0, 1e9, 0.05),
              ("station-classee", 0.0, 1e9, 0.015))  # fmt: skip


def _plan_labels(communes: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """The labels each simulated commune holds (``code``, ``label``, ``detail``), drawn from its size
    only: independent of its profile and its article, so that their planted effect on the audience
    (LABEL_EFFECT) is what the national model should find."""
    pop = communes["population"].fill_null(50).to_numpy().astype(float)
    codes = communes["code"].to_numpy()
    rows: list[tuple[str, str, str | None]] = []
    for label, low, high, share in SIM_LABELS:
        held = (pop >= low) & (pop < high) & (rng.random(len(pop)) < share)
        flowers = rng.integers(1, 5, len(pop))
        rows += [(str(codes[i]), label, f"{flowers[i]} fleur(s)" if label == "villes-villages-fleuris" else None)
                 for i in np.flatnonzero(held)]  # fmt: skip
    return pl.DataFrame(rows, schema={"code": pl.String, "label": pl.String, "detail": pl.String}, orient="row")


def _plan_zones(plan: pl.DataFrame, communes: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Simulated loi Littoral / loi Montagne lists (``code``, ``zone``, ``class``): the coastal and
    mountain towns of the coastal and mountain départements, and some of their other communes (a
    coastal commune is not always a seaside resort). A summer peak inland is never on the list."""
    deps = communes["departement"].to_numpy()
    profile = plan["profile"].to_numpy()
    coastal_dep = np.isin(deps, list(COASTAL_DEPS))
    mountain_dep = np.isin(deps, list(MOUNTAIN_DEPS))
    littoral = coastal_dep & ((profile == "coast") | (rng.random(len(deps)) < 0.05))
    montagne = mountain_dep & ((profile == "mountain") | (rng.random(len(deps)) < 0.3))
    shore = np.where(rng.random(len(deps)) < 0.1, "Estuaire", "Mer")
    codes = communes["code"].to_numpy()
    return pl.DataFrame({
        "code": [*codes[littoral], *codes[montagne]],
        "zone": ["littoral"] * int(littoral.sum()) + ["montagne"] * int(montagne.sum()),
        "class": [*shore[littoral], *([None] * int(montagne.sum()))],
    }, schema={"code": pl.String, "zone": pl.String, "class": pl.String})  # fmt: skip


def _plan_access(communes: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Simulated ARCEP counts (``code``, ``indicator``, ``premises``, ``eligible``): towns have fibre
    nearly everywhere, villages less; 30 Mbit/s by wire reaches at least the fibre's premises."""
    pop = communes["population"].fill_null(50).clip(lower_bound=10).to_numpy().astype(float)
    premises = np.maximum(1, np.round(pop * rng.uniform(0.6, 0.9, len(pop)))).astype(np.int64)
    mean = np.clip(0.55 + 0.1 * np.log10(pop), 0.5, 0.97)
    ftth = rng.beta(mean * 8, (1 - mean) * 8)
    thd30 = np.minimum(1.0, ftth + rng.uniform(0.0, 0.15, len(pop)))
    codes = communes["code"].to_list()
    return pl.DataFrame({
        "code": codes * 2, "indicator": ["ftth"] * len(codes) + ["thd30"] * len(codes),
        "premises": np.concatenate([premises, premises]),
        "eligible": np.concatenate([np.round(premises * ftth), np.round(premises * thd30)]).astype(np.int64),
    })  # fmt: skip


def _plan_counts(communes: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Simulated counts per commune (``code``, ``indicator``, ``value``): operators with a 4G antenna
    on it (towns all four, villages often none: a neighbour's antenna covers them), fewer with 5G,
    and places of digital mediation (about one per 4,000 inhabitants, France Services among them)."""
    pop = communes["population"].fill_null(50).clip(lower_bound=10).to_numpy().astype(float)
    size = np.log10(pop)
    op4g = rng.binomial(4, np.clip(1.0 / (1.0 + np.exp(-(2.2 * size - 6.0))), 0.02, 0.99))
    op5g = rng.binomial(op4g, np.clip(1.0 / (1.0 + np.exp(-(1.8 * size - 6.5))), 0.0, 0.95))
    places = rng.poisson(0.03 + pop / 4000.0)
    france_services = rng.binomial(places, 0.3)
    codes = communes["code"].to_list()
    return pl.DataFrame({
        "code": codes * 4, "indicator": ["op4g"] * len(codes) + ["op5g"] * len(codes) + ["mediation"] * len(codes)
        + ["france_services"] * len(codes),
        "value": np.concatenate([op4g, op5g, places, france_services]).astype(np.int64),
    })  # fmt: skip


def _plan_communes(communes: pl.DataFrame, rng: np.random.Generator,
                   labels: np.ndarray | None = None) -> pl.DataFrame:  # fmt: skip
    """Per-commune parameters (profile, level, trend, access shares); ``labels``, how many labels
    each holds, multiplies its level by e^(LABEL_EFFECT x labels)."""
    n = communes.height
    pop = communes["population"].fill_null(50).clip(lower_bound=10).to_numpy().astype(float)
    deps = communes["departement"].to_list()
    u = rng.random(n)
    p_coast = np.array([0.30 if d in COASTAL_DEPS else 0.01 for d in deps])
    p_mount = np.array([0.25 if d in MOUNTAIN_DEPS else 0.01 for d in deps])
    profile = np.where(u < p_coast, "coast", np.where(u < p_coast + p_mount, "mountain", "plain"))
    tourist_boost = np.where(profile == "plain", 1.0, rng.uniform(1.3, 2.5, n))
    # calibrated on the PVD study's orders of magnitude: ~40 views/day for a typical PVD, a few
    # hundred at the top, a few per day for villages
    level = 0.15 * pop**0.65 * np.exp(np.clip(rng.normal(0.0, 0.7, n), -1.75, 1.75)) * tourist_boost
    held = np.zeros(n) if labels is None else labels.astype(float)
    level = level * np.exp(LABEL_EFFECT * held)
    # a few "event-driven" towns get many more spikes (media-heavy)
    media_heavy = rng.random(n) < 0.04
    return communes.select("code").with_columns(
        pl.Series("profile", profile),
        pl.Series("base_level", np.maximum(level, 0.3)),
        pl.Series("trend_per_year", rng.normal(0.0, 0.07, n)),
        pl.Series("mobile_share", np.clip(rng.normal(0.60, 0.07, n), 0.35, 0.85)),
        pl.Series("app_share", np.clip(rng.normal(0.04, 0.01, n), 0.01, 0.08)),
        pl.Series("summer_amp", rng.uniform(1.5, 4.0, n)),
        pl.Series("winter_amp", rng.uniform(1.0, 3.0, n)),
        pl.Series("mountain_summer_amp", rng.uniform(0.3, 1.2, n)),
        pl.Series("media_heavy", media_heavy),
        pl.Series("labels", held),
    )


def _spike_shape(peak_ratio: float, tau: float) -> np.ndarray:
    """Multiplicative excess (ratio - 1) from the peak day until it falls under 10 % of baseline."""
    length = max(1, int(np.ceil(tau * np.log((peak_ratio - 1) / 0.1))) + 1)
    return (peak_ratio - 1.0) * np.exp(-np.arange(length) / tau)


def _plan_spikes(plan: pl.DataFrame, params: SimulationParams, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Spikes: isolated ones per commune, plus shared events across several communes."""
    n, days = plan.height, params.days
    years = days / 365.25
    rate = np.where(plan["media_heavy"].to_numpy(), 3.0, params.spikes_per_year) * years
    counts = rng.poisson(rate)
    spikes: list[dict[str, Any]] = []
    taken: dict[int, list[tuple[int, int]]] = {}

    def free(i: int, day: int, length: int) -> bool:
        return all(day + length + 14 < s or day > e + 14 for s, e in taken.get(i, []))

    margin = 30  # keep spikes clear of the edges so the truth is fully inside the range
    for i in (int(x) for x in np.nonzero(counts)[0]):
        for _ in range(int(counts[i])):
            ratio = float(np.exp(rng.uniform(np.log(2.0), np.log(30.0))))
            tau = float(rng.uniform(0.7, 3.0))
            shape = _spike_shape(ratio, tau)
            day = int(rng.integers(margin, max(margin + 1, days - margin - len(shape))))
            if free(i, day, len(shape)):
                taken.setdefault(i, []).append((day, day + len(shape) - 1))
                spikes.append({"i": int(i), "day": day, "ratio": ratio, "shape": shape, "shared": None})
    if n >= 3:
        n_events = rng.poisson(params.shared_events_per_year * years)
        for event in range(1, n_events + 1):
            day0 = int(rng.integers(margin, max(margin + 1, days - margin - 20)))
            size = min(n, int(rng.integers(3, 13)))
            members = rng.choice(n, size=size, replace=False)
            for i in members:
                ratio = float(np.exp(rng.uniform(np.log(3.0), np.log(20.0))))
                tau = float(rng.uniform(1.0, 3.0))
                shape = _spike_shape(ratio, tau)
                day = day0 + int(rng.choice([0, 0, 0, 1, -1]))
                if day + len(shape) < days and free(int(i), day, len(shape)):
                    taken.setdefault(int(i), []).append((day, day + len(shape) - 1))
                    spikes.append({"i": int(i), "day": day, "ratio": ratio, "shape": shape, "shared": event})
    return spikes


CAUSE_KINDS = ("Film_simulé", "Reportage_simulé", "Émission_simulée", "Série_simulée")
SEARCH_ONLY = 0.3  # share of the lone spikes with no article behind them (a news item: readers search)


def _plan_causes(spikes: list[dict[str, Any]], rng: np.random.Generator) -> None:
    """The article behind each spike, as the clickstream will show it: one per shared event (the
    programme that featured its towns), one per lone media spike, none for a search-only surge; and
    the share of the spike's readers that come through it."""
    for n, s in enumerate(spikes, start=1):
        if s["shared"] is not None:
            s["cause"] = f"Programme_simulé_{s['shared']}_(plusieurs_villages)"
        elif rng.random() < SEARCH_ONLY:
            s["cause"] = None
        else:
            s["cause"] = f"{CAUSE_KINDS[int(rng.integers(len(CAUSE_KINDS)))]}_{n}"
        s["through"] = float(rng.uniform(0.25, 0.5))


# a commune's readers by origin in a month without a spike: the clickstream's ``prev`` and ``type``
# (search engines first; the département's article and the list of its communes link to every town)
CLICK_SOURCES = (("other-search", "external"), ("other-empty", "other"), ("other-external", "external"),
                 ("other-internal", "other"), ("{dep}_(département)", "link"),
                 ("Liste_des_communes_({dep})", "link"))  # fmt: skip
CLICK_SHARES = np.array([0.0, 0.14, 0.04, 0.02, 0.06, 0.03])  # search: per commune, by its profile
SEARCH_SHARE = {"coast": 0.62, "mountain": 0.62}  # tourists search more; the others: 0.5
SURGE_SHARES = np.array([0.7, 0.2, 0.1, 0.0, 0.0, 0.0])
MIN_CLICKS = 11  # Wikimedia publishes the pairs seen more than 10 times in the month


def month_starts(start: date, end: date) -> list[tuple[date, int, int]]:
    """The whole months of [start, end]: (first day, offset of its first day, offset after its last)."""
    out = []
    m = date(start.year, start.month, 1)
    if m < start:
        m = month_end(m) + timedelta(days=1)
    while month_end(m) <= end:
        a = (m - start).days
        out.append((m, a, a + (month_end(m) - m).days + 1))
        m = month_end(m) + timedelta(days=1)
    return out


def _clickstream(rows: np.ndarray, article_ids: np.ndarray, views: np.ndarray, excess: dict[int, list[Any]],
                 plan: pl.DataFrame, deps: list[str], months: list[tuple[date, int, int]],
                 rng: np.random.Generator) -> pa.Table | None:  # fmt: skip
    """The clickstream rows (month, article_id, prev, type, n) of a batch of communes: their readers
    on desktop and mobile web each whole month, split by origin, with the readers their spikes'
    articles sent (``excess``: per commune row, its spikes' daily extra views and their cause)."""
    if not months:
        return None
    web = views[:, :, 0].astype(np.float64) + views[:, :, 1]  # the clickstream counts no app views
    monthly = np.stack([web[:, a:b].sum(axis=1) for _, a, b in months], axis=1)  # (nb, months)
    causes: dict[str, list[Any]] = {"month": [], "article_id": [], "prev": [], "n": []}
    surge = np.zeros_like(monthly)  # a spike's extra readers not sent by its article
    for k, spikes in excess.items():
        for extra, cause, through in spikes:
            for j, (m, a, b) in enumerate(months):
                more = float(extra[a:b].sum())
                readers = int(rng.poisson(more * through)) if cause is not None else 0
                if readers >= MIN_CLICKS:
                    for key, v in (("month", m), ("article_id", int(article_ids[k])), ("prev", cause), ("n", readers)):
                        causes[key].append(v)
                surge[k, j] += max(more - readers, 0.0)
    usual = np.maximum(monthly - surge, 0.0)
    profiles = plan["profile"].to_list()
    shares = np.tile(CLICK_SHARES, (len(rows), 1))
    shares[:, 0] = [SEARCH_SHARE.get(profiles[int(i)], 0.5) for i in rows]
    shares[:, 0] = np.clip(shares[:, 0] + rng.normal(0, 0.05, len(rows)), 0.3, 0.75)
    # the usual readers come by every path; the rest of a surge comes from search engines, bookmarks
    # and shared links (SURGE_SHARES), not from the département's article, which did not change
    expected = usual[:, :, None] * shares[:, None, :] + surge[:, :, None] * SURGE_SHARES[None, None, :]
    n = rng.poisson(expected)  # (nb, months, sources)
    k_idx, m_idx, s_idx = np.nonzero(n >= MIN_CLICKS)
    titles = [[prev.format(dep=dep.replace(" ", "_")) for prev, _ in CLICK_SOURCES] for dep in deps]
    prevs = np.array(titles, dtype=object)
    kinds = np.array([kind for _, kind in CLICK_SOURCES], dtype=object)
    firsts = np.array([np.datetime64(m, "D") for m, _, _ in months])
    n_causes = len(causes["n"])
    return pa.table(
        {
            "month": pa.array(np.concatenate([firsts[m_idx], np.array(causes["month"], dtype="datetime64[D]")]),
                              pa.date32()),
            "article_id": pa.array(np.concatenate([article_ids[k_idx], np.array(causes["article_id"], dtype=np.int32)]),
                                   pa.int32()),
            "prev": pa.array([*prevs[k_idx, s_idx].tolist(), *causes["prev"]], pa.string()),
            "type": pa.array([*kinds[s_idx].tolist(), *(["link"] * n_causes)], pa.string()),
            "n": pa.array(np.concatenate([n[k_idx, m_idx, s_idx], np.array(causes["n"], dtype=np.int64)]), pa.int32()),
        }
    )  # fmt: skip


CHANNELS = ("réseaux sociaux", "presse", "TV", "événement", "affichage")


def _plan_campaigns(plan: pl.DataFrame, spikes: list[dict[str, Any]], params: SimulationParams,
                    rng: np.random.Generator) -> list[dict[str, Any]]:  # fmt: skip
    """Campaigns with a known effect: a uniform uplift of the expected views during 1-6 weeks,
    none for a third of them; clear of the commune's spikes from 13 weeks before to 4 weeks
    after, so that the truth is the campaign alone."""
    n, days = plan.height, params.days
    wanted = params.campaigns if params.campaigns is not None else min(300, max(10, n // 8))
    busy: dict[int, list[tuple[int, int]]] = {}
    for sp in spikes:
        busy.setdefault(sp["i"], []).append((sp["day"], sp["day"] + len(sp["shape"]) - 1))
    out: list[dict[str, Any]] = []
    lo = 91 + 14  # a pre-period, and room for the placebos of the estimator
    for i in rng.permutation(n)[: min(wanted, n)]:
        for _ in range(10):
            length = int(rng.integers(7, 43))
            if days - length - 28 - 14 <= lo:
                break
            day = int(rng.integers(lo, days - length - 28 - 14))
            if all(day + length + 28 < a or day - 91 > b for a, b in busy.get(int(i), [])):
                uplift = 0.0 if rng.random() < 1 / 3 else float(rng.uniform(0.1, 0.6))
                channel = CHANNELS[int(rng.integers(len(CHANNELS)))]
                out.append({"i": int(i), "day": day, "length": length, "uplift": uplift, "channel": channel})
                break
    return out


def _plan_bots(plan: pl.DataFrame, params: SimulationParams, rng: np.random.Generator) -> list[dict[str, Any]]:
    n, days = plan.height, params.days
    counts = rng.poisson(params.bots_per_year * days / 365.25, n)
    bots = []
    for i in (int(x) for x in np.nonzero(counts)[0]):
        for _ in range(int(counts[i])):
            bots.append(
                {
                    "i": int(i),
                    "day": int(rng.integers(1, days - 1)),
                    "auto_factor": float(rng.uniform(20, 200)),
                    "leak_factor": float(rng.uniform(3, 15)) if rng.random() < 0.5 else 0.0,
                }
            )
    return bots


def _expected_user(plan: pl.DataFrame, rows: np.ndarray, params: SimulationParams) -> tuple[np.ndarray, np.ndarray]:
    """Expected user views (all accesses) per commune x day, before spikes and noise; and the share
    of them that the season brings (its visitors)."""
    dates = np.arange(params.days)
    start = np.datetime64(params.start)
    day_dates = start + dates
    doy = (day_dates - day_dates.astype("datetime64[Y]")).astype(int) + 1
    weekday = (day_dates.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    years = dates / 365.25
    sub = plan[rows]
    profile = sub["profile"].to_numpy()
    summer = _circular_gauss(doy, 212, 20)[None, :]
    winter = _circular_gauss(doy, 45, 30)[None, :]
    season = np.where(
        (profile == "coast")[:, None],
        1.0 + sub["summer_amp"].to_numpy()[:, None] * summer,
        np.where(
            (profile == "mountain")[:, None],
            1.0
            + sub["winter_amp"].to_numpy()[:, None] * winter
            + sub["mountain_summer_amp"].to_numpy()[:, None] * summer,
            1.0 + 0.15 * summer,
        ),
    )
    weekly = np.where((profile == "plain")[:, None], WEEKLY_PLAIN[weekday][None, :], WEEKLY_TOURIST[weekday][None, :])
    trend = np.exp(sub["trend_per_year"].to_numpy()[:, None] * years[None, :])
    expected: np.ndarray = sub["base_level"].to_numpy()[:, None] * season * weekly * trend
    return expected, (season - 1.0) / season


def _insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]], columns: list[str]) -> None:
    if not rows:
        return
    data = pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})
    con.register("_rows", data)
    con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _rows")
    con.unregister("_rows")


def _attention(plan: pl.DataFrame, pop: np.ndarray) -> np.ndarray:
    """A commune's attention beyond its size, its labels' planted effect left out: the log of its
    level over 0.15 pop^0.65."""
    return np.asarray(
        np.log(plan["base_level"].to_numpy() / (0.15 * pop**0.65)) - LABEL_EFFECT * plan["labels"].to_numpy()
    )


def _plan_facts(plan: pl.DataFrame, communes: pl.DataFrame, params: SimulationParams,
                rng: np.random.Generator) -> pl.DataFrame:  # fmt: skip
    """What each simulated article is like, with a planted relation to its audience: ``z``, the
    commune's attention beyond its size (log of its level over 0.15 pop^0.65), makes the article
    longer (x e^0.5z), more often illustrated (logit 1.2 + z) and more recently edited; the rest
    follows the length as in real articles (files, references, sections)."""
    n = plan.height
    pop = communes["population"].fill_null(50).clip(lower_bound=10).to_numpy().astype(float)
    z = _attention(plan, pop)
    length = np.exp(7.6 + 0.22 * np.log(pop) + 0.5 * z + rng.normal(0.0, 0.45, n)).round().astype(np.int64)
    illustrated = rng.random(n) < 1.0 / (1.0 + np.exp(-(1.2 + z)))
    good = (length > 60_000) & (rng.random(n) < 0.5)
    featured = (length > 90_000) & (rng.random(n) < 0.3)
    quality = ["AdQ" if f else "BA" if g else None for f, g in zip(featured, good, strict=True)]
    days_since = np.minimum(rng.exponential(200.0 * np.exp(-0.5 * z)), 3650).astype(int)
    edits = rng.poisson(np.exp(0.8 + 0.35 * np.log10(pop) + 0.6 * z))
    last_edit = [datetime.combine(params.end - timedelta(days=int(d)), datetime.min.time()) for d in days_since]
    return pl.DataFrame({
        "length": length,
        "lead_image": [f"{c}_simulé.jpg" if ok else None for c, ok in zip(communes["code"], illustrated, strict=True)],
        "images": rng.poisson(1.0 + length / 2500.0),
        "refs": rng.poisson(length / 900.0 * np.exp(rng.normal(0.0, 0.5, n))),
        "sections": 2 + rng.poisson(length / 2500.0),
        "quality": pl.Series(quality, dtype=pl.String),
        "languages": rng.poisson(np.exp(2.3 + 0.12 * np.log(pop))),
        "last_edit": last_edit,
        # the article's age and its last year of edits: busier for towns with more attention
        "created": [datetime(int(y), 1, 1) + timedelta(days=int(d)) for y, d in
                    zip(rng.integers(2003, 2013, n), rng.integers(0, 365, n), strict=True)],
        "edits_12m": edits,
        "editors_12m": np.minimum(edits, rng.poisson(1.0 + 0.4 * edits)),
    })  # fmt: skip


def _plan_items(plan: pl.DataFrame, communes: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """What each simulated commune's Wikidata item declares, with the same planted relation as the
    article facts: attention beyond size (``z``) goes with a declared website, more social accounts,
    more Commons files and more sitelinks. QIDs are fake ("Q9" followed by the INSEE code digits)."""
    n = plan.height
    pop = communes["population"].fill_null(50).clip(lower_bound=10).to_numpy().astype(float)
    z = _attention(plan, pop)
    size = np.log10(pop)
    website = rng.random(n) < 1.0 / (1.0 + np.exp(-(-2.0 + 0.9 * size + 0.8 * z)))
    networks = ("facebook", "instagram", "x", "youtube", "linkedin", "tiktok")
    accounts = np.minimum(rng.poisson(np.exp(-1.8 + 0.5 * size + 0.6 * z)), len(networks))
    commons = np.round(np.exp(2.0 + 0.8 * size + 0.6 * z + rng.normal(0.0, 0.6, n))).astype(np.int64)
    codes = communes["code"].to_list()
    return pl.DataFrame({
        "code": codes,
        "qid": ["Q9" + "".join(ch if ch.isdigit() else "0" for ch in c) for c in codes],
        "website": [f"https://www.{c}.simule.example" if w else None for c, w in zip(codes, website, strict=True)],
        "image": [f"{c}_simulé.jpg" for c in codes],
        "coat_of_arms": [None] * n, "flag": [None] * n,
        "commons_category": [f"{name} (simulé)" for name in communes["name"].to_list()],
        "commons_files": commons,
        "social": [",".join(networks[:k]) for k in accounts],
        "sitelinks": rng.poisson(np.exp(2.2 + 0.15 * size + 0.2 * z)),
        "label_languages": np.minimum(rng.poisson(np.exp(3.3 + 0.1 * size + 0.15 * z)), 300),
    })  # fmt: skip


# the languages of foreign readers, with their weights among a town's foreign readers, and where a
# neighbour reads more (Alsace in German, the Alps and Corsica in Italian, the Pyrenees in Spanish...)
FOREIGN_LANGUAGES = ("en", "de", "nl", "it", "es", "pl", "pt", "ca", "br")
FOREIGN_WEIGHTS = np.array([0.36, 0.2, 0.12, 0.09, 0.09, 0.04, 0.04, 0.01, 0.01])
NEIGHBOURS = {"de": {"67", "68", "57", "54", "88", "90", "25"}, "it": {"73", "74", "05", "04", "06", "2A", "2B"},
              "es": {"64", "65", "66", "09", "31", "11"}, "ca": {"66", "11"}, "nl": {"59", "62", "80", "08"},
              "br": {"29", "22", "56", "35"}}  # fmt: skip


def _plan_foreign(plan: pl.DataFrame, communes: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Each commune's foreign editions and readers: ``rate``, the foreign readers per French one
    outside the season; ``visitor_rate``, per reader the season brings (tourist towns draw
    readers from abroad, mostly in summer); ``langs`` and ``weights``, its editions and their
    shares of its foreign readers (the neighbours' language weighs three times more)."""
    n = plan.height
    pop = communes["population"].fill_null(50).clip(lower_bound=10).to_numpy().astype(float)
    tourist = plan["profile"].to_numpy() != "plain"
    deps = communes["departement"].to_list()
    editions = np.clip(np.round(1 + 0.9 * np.log10(pop) + rng.normal(0, 0.8, n) + 1.5 * tourist), 1, 8).astype(int)
    langs: list[list[str]] = []
    weights: list[list[float]] = []
    for k in range(n):
        w = FOREIGN_WEIGHTS * np.array([3.0 if deps[k] in NEIGHBOURS.get(lang, ()) else 1.0
                                        for lang in FOREIGN_LANGUAGES])  # fmt: skip
        w = w * rng.gamma(4.0, 0.25, len(w))
        order = np.argsort(-w)[: editions[k]]
        langs.append([FOREIGN_LANGUAGES[i] for i in order])
        weights.append(list(w[order] / w[order].sum()))
    return pl.DataFrame({
        "rate": np.exp(rng.normal(np.log(0.04), 0.4, n)),
        "visitor_rate": np.where(tourist, rng.uniform(0.3, 0.7, n), 0.1),
        "langs": langs, "weights": weights,
    })  # fmt: skip


def _foreign_months(foreign: pl.DataFrame, rows: np.ndarray, titles: list[str], lam: np.ndarray,
                    visitors: np.ndarray, months: list[tuple[date, int, int]],
                    rng: np.random.Generator) -> tuple[pa.Table, np.ndarray]:  # fmt: skip
    """The foreign months (project, title, month, views) of a batch of communes, every whole month
    and edition (zeros kept: a month read is a month covered), and each commune's expected foreign
    share of its readers (the truth the analysis is scored against)."""
    sub = foreign[rows]
    rate, visitor_rate = sub["rate"].to_numpy()[:, None], sub["visitor_rate"].to_numpy()[:, None]
    daily = lam * ((1.0 - visitors) * rate + visitors * visitor_rate)
    totals = np.stack([daily[:, a:b].sum(axis=1) for _, a, b in months], axis=1)  # (nb, months)
    pair_k = np.repeat(np.arange(len(rows)), [len(ls) for ls in sub["langs"].to_list()])
    pair_w = np.array([w for ws in sub["weights"].to_list() for w in ws])
    projects = np.array([f"{lang}.wikipedia" for ls in sub["langs"].to_list() for lang in ls], dtype=object)
    views = rng.poisson(totals[pair_k] * pair_w[:, None])  # (pairs, months)
    n_months = len(months)
    firsts = np.array([np.datetime64(m, "D") for m, _, _ in months])
    title_of = np.array(titles, dtype=object)[rows]
    expected = daily.sum(axis=1) / (daily.sum(axis=1) + lam.sum(axis=1))
    return pa.table({
        "project": pa.array(np.repeat(projects, n_months).tolist(), pa.string()),
        "title": pa.array(np.repeat(title_of[pair_k], n_months).tolist(), pa.string()),
        "month": pa.array(np.tile(firsts, len(pair_k)), pa.date32()),
        "views": pa.array(views.ravel(), pa.int64()),
    }), expected  # fmt: skip


def _plan_tourism(plan: pl.DataFrame, communes: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """A simulated INSEE tourism capacity, planted with the profiles that drive the simulated
    audience: coastal towns have campsites and hotels, mountain towns hotels and tourist residences,
    the others a little."""
    n = plan.height
    pop = communes["population"].fill_null(50).clip(lower_bound=10).to_numpy().astype(float)
    profile = plan["profile"].to_numpy()
    spread = np.exp(rng.normal(0.0, 0.8, n))

    def per_inhabitant(coast: float, mountain: float, plain: float) -> np.ndarray:
        rate = np.where(profile == "coast", coast, np.where(profile == "mountain", mountain, plain))
        return np.asarray(rng.poisson(pop * rate * spread), dtype=np.int64)

    rooms = per_inhabitant(0.04, 0.06, 0.006)
    pitches = per_inhabitant(0.08, 0.03, 0.004)
    return pl.DataFrame({
        "code": communes["code"], "hotels": np.ceil(rooms / 25).astype(np.int64), "rooms": rooms,
        "campsites": np.ceil(pitches / 90).astype(np.int64), "pitches": pitches,
        "village_beds": per_inhabitant(0.02, 0.03, 0.002), "residence_beds": per_inhabitant(0.03, 0.08, 0.002),
        "hostel_beds": per_inhabitant(0.003, 0.005, 0.001),
    })  # fmt: skip


ELECTIONS = (
    ("présidentielle 2022, 1er tour", 2022, 0.78),
    ("européennes 2024", 2024, 0.53),
)  # simulated national turnout


def _plan_attachment(plan: pl.DataFrame, communes: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Simulated attachment indicators in the units of the real files: population change split into
    natural and migratory parts over two census periods, turnout at two elections, associations and
    business creations per 1,000 inhabitants. Planted: seaside and mountain towns gain residents by
    migration and lose them by ageing; small towns vote more and have more associations per inhabitant."""
    n = plan.height
    profile = plan["profile"].to_numpy()
    pop = communes["population"].fill_null(50).clip(lower_bound=10).to_numpy().astype(float)
    small = np.clip((np.log10(pop) - 2.0) / 3.0, 0.0, 1.0)  # 0 for 100 inhabitants, 1 for 100,000
    tourist = profile != "plain"
    frames = []
    for period, year, drift in (("2010-2015", 2015, 0.1), ("2015-2021", 2021, 0.0)):
        natural = np.where(tourist, -0.35, 0.05) + drift + rng.normal(0, 0.3, n)
        migration = np.where(tourist, 0.55, 0.0) + drift + rng.normal(0, 0.5, n)
        for name, values in (("natural", natural), ("migration", migration), ("population", natural + migration)):
            frames.append(pl.DataFrame({"code": communes["code"], "indicator": name, "period": period, "year": year,
                                        "value": np.round(values, 2), "unit": "% par an"}))  # fmt: skip
    for label, year, national in ELECTIONS:
        turnout = np.clip(national * 100 + 8 * (1 - small) - 4 + rng.normal(0, 4, n), 20, 98)
        frames.append(pl.DataFrame({"code": communes["code"], "indicator": "turnout", "period": label, "year": year,
                                    "value": np.round(turnout, 1), "unit": "% des inscrits"}))  # fmt: skip
    for name, level in (("associations", 14.0), ("associations_new", 1.6)):
        per_1000 = level * (1.6 - 0.8 * small) * np.exp(rng.normal(0, 0.35, n))
        period = (
            M.t("att_at", day=date(2025, 1, 1))
            if name == "associations"
            else M.t("att_between", start=date(2022, 1, 1), end=date(2025, 1, 1))
        )
        frames.append(pl.DataFrame({"code": communes["code"], "indicator": name, "period": period, "year": 2025,
                                    "value": np.round(per_1000, 1), "unit": "pour 1 000 habitants"}))  # fmt: skip
    founding = 7.0 * (0.8 + 0.4 * small) * np.exp(rng.normal(0, 0.3, n))  # towns draw businesses
    for year in (2022, 2023, 2024):
        per_1000 = founding * np.exp(rng.normal(0, 0.25, n))
        frames.append(pl.DataFrame({"code": communes["code"], "indicator": "creations", "period": f"en {year}",
                                    "year": year, "value": np.round(per_1000, 1),
                                    "unit": "pour 1 000 habitants"}))  # fmt: skip
    return pl.concat(frames).with_columns(pl.col("year").cast(pl.Int32))


SURVEY_TEXTS = (("Le marché du samedi", "Un médecin"), ("Les bords de rivière", "Des commerces ouverts le soir"),
                ("La fête du village", "Un bus vers la gare"), ("Le patrimoine", None),
                (None, "Des logements"))  # fmt: skip
SURVEYS = 3  # simulated residents' surveys: the most populous simulated communes'


def _plan_surveys(communes: pl.DataFrame, end: date, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Simulated residents' surveys (labelled in their title) and their answers over the last two
    months of the simulated period, some with approved texts, so that the demo shows the results."""
    biggest = communes.sort("population", descending=True, nulls_last=True).head(SURVEYS)
    surveys, answers = [], []
    for k, (code, name) in enumerate(biggest.select("code", "name").iter_rows()):
        survey_id = f"demo-simule-{k + 1}"
        surveys.append({"survey_id": survey_id, "commune_code": code,
                        "title": M.t("sim_survey_title", name=name), "retention_days": 100 * 365})  # fmt: skip
        fondness = rng.uniform(5.5, 8.5)
        for i in range(int(rng.integers(40, 120))):
            proud, missing = SURVEY_TEXTS[int(rng.integers(len(SURVEY_TEXTS)))] if rng.random() < 0.3 else (None, None)
            answers.append({
                "survey_id": survey_id, "device": f"simule-{k}-{i}",
                "answered_on": end - timedelta(days=int(rng.integers(0, 60))),
                "attachment": int(np.clip(round(rng.normal(fondness, 2)), 0, 10)),
                "recommend": int(np.clip(round(rng.normal(fondness - 0.5, 2.3)), 0, 10)),
                "proud": f"{proud} ({M.t('simulated_short')})" if proud else None,
                "missing": f"{missing} ({M.t('simulated_short')})" if missing else None,
                "texts": "approved" if (proud or missing) else "none",
                "age_band": None, "years_band": None,
            })  # fmt: skip
    return pl.DataFrame(surveys), pl.DataFrame(answers)


def simulate(
    store: Store,
    codes: list[str],
    params: SimulationParams,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Replace the store's simulated audience with a fresh deterministic one, in one transaction."""
    if params.end < params.start:
        raise BelvedereError(M.t("end_before_start", start=params.start, end=params.end))
    con = store.con
    real = con.execute(
        "SELECT count(*) FROM articles a WHERE a.source <> 'simulated' "
        "AND EXISTS (SELECT 1 FROM pageviews p WHERE p.article_id = a.article_id)"
    ).fetchall()[0][0]
    if real:
        raise BelvedereError(M.t("demo_real_data", path=store.path))
    communes = store.frame(
        "SELECT code, name, departement, population FROM communes WHERE code IN (SELECT unnest(?)) ORDER BY code",
        [codes],
    )
    dep_names = dict(con.execute("SELECT code, name FROM departements").fetchall())
    rng = np.random.default_rng(params.seed)
    labels = _plan_labels(communes, np.random.default_rng([params.seed, 785]))
    held = communes.select("code").join(labels.group_by("code").len(), on="code", how="left")["len"].fill_null(0)
    plan = _plan_communes(communes, rng, held.to_numpy())
    spikes = _plan_spikes(plan, params, rng)
    _plan_causes(spikes, np.random.default_rng([params.seed, 780]))
    bots = _plan_bots(plan, params, rng)
    campaigns = _plan_campaigns(plan, spikes, params, np.random.default_rng([params.seed, 4242]))
    campaigns_by_i: dict[int, list[dict[str, Any]]] = {}
    for c in campaigns:
        campaigns_by_i.setdefault(c["i"], []).append(c)
    days = params.days
    spikes_by_i: dict[int, list[dict[str, Any]]] = {}
    for s in spikes:
        spikes_by_i.setdefault(s["i"], []).append(s)
    bots_by_i: dict[int, list[dict[str, Any]]] = {}
    for b in bots:
        bots_by_i.setdefault(b["i"], []).append(b)

    date_arr = pa.array(np.datetime64(params.start) + np.arange(days), pa.date32())
    access_codes = pa.array(ACCESSES)
    dates_x3 = date_arr.take(pa.array(np.repeat(np.arange(days), 3)))
    truth_spikes: list[tuple[Any, ...]] = []
    truth_bots: list[tuple[Any, ...]] = []
    total_rows = 0
    total_user = 0
    with store.transaction():
        # the probable titles a fresh store gives every commune: a simulated store holds none
        leaving = "SELECT article_id FROM articles WHERE source IN ('simulated', 'guess')"
        audience.forget_articles(con, leaving)
        con.execute(f"DELETE FROM clickstream WHERE article_id IN ({leaving})")
        con.execute("DELETE FROM clickstream_files WHERE sha256 = 'simulated'")
        months = month_starts(params.start, params.end)
        for m, _, _ in months:  # the months the simulated clickstream covers, as files would declare them
            con.execute("INSERT INTO clickstream_files VALUES (?, 'simulated', ?, 0, 0, ?)",
                        [f"clickstream-frwiki-{m:%Y-%m}.tsv.gz ({M.t('simulated_short')})", m, now()])  # fmt: skip
        con.execute(f"DELETE FROM article_facts WHERE article_id IN ({leaving})")
        con.execute("DELETE FROM articles WHERE source IN ('simulated', 'guess')")
        for table in ("campaign_communes", "campaigns"):  # the campaigns planted last time
            con.execute(f"DELETE FROM {table} WHERE campaign_id IN (SELECT campaign_id FROM sim_campaigns)")
        for table in ("sim_profiles", "sim_spikes", "sim_bots", "sim_campaigns"):
            con.execute(f"DELETE FROM {table}")
        con.execute("DELETE FROM ingest_log WHERE source = 'simulated'")
        titles = guess_titles(communes, dep_names)
        foreign_plan = _plan_foreign(plan, communes, np.random.default_rng([params.seed, 784]))
        foreign_truth = np.zeros(communes.height)
        foreign_months: list[pa.Table] = []
        con.register(
            "sim_articles",
            pa.table({"title": titles, "commune_code": communes["code"].to_list()}),
        )
        con.execute(
            "INSERT INTO articles (project, title, commune_code, verified, source) "
            f"SELECT '{PROJECT}', title, commune_code, FALSE, 'simulated' FROM sim_articles"
        )
        con.unregister("sim_articles")
        ids = dict(con.execute("SELECT commune_code, article_id FROM articles WHERE source = 'simulated'").fetchall())
        article_ids = np.array([ids[c] for c in communes["code"].to_list()], dtype=np.int32)
        facts = _plan_facts(plan, communes, params, np.random.default_rng([params.seed, 777]))
        con.register("sim_facts", facts.with_columns(pl.Series("article_id", article_ids)).to_arrow())
        con.execute(
            "INSERT INTO article_facts (article_id, read_at, length, lead_image, images, refs, sections, quality, "
            "languages, last_edit, created, edits_12m, editors_12m) SELECT article_id, ?, length, lead_image, images, "
            "refs, sections, quality, languages, last_edit, created, edits_12m, editors_12m FROM sim_facts",
            [now()],
        )
        con.unregister("sim_facts")
        con.execute("DELETE FROM item_facts")  # a simulated store's items are all simulated: last run's go
        items = _plan_items(plan, communes, np.random.default_rng([params.seed, 778]))
        con.register("sim_items", items.to_arrow())
        con.execute(
            "INSERT INTO item_facts (code, qid, read_at, website, image, coat_of_arms, flag, commons_category, "
            "commons_files, social, sitelinks, label_languages) SELECT code, qid, ?, website, image, coat_of_arms, "
            "flag, commons_category, commons_files, social, sitelinks, label_languages FROM sim_items",
            [now()],
        )
        con.unregister("sim_items")
        con.execute("DELETE FROM tourism")  # a simulated store's tourism is simulated
        con.register("sim_tourism", _plan_tourism(plan, communes, np.random.default_rng([params.seed, 779])).to_arrow())
        con.execute(
            "INSERT INTO tourism SELECT code, ?, hotels, rooms, campsites, pitches, village_beds, residence_beds, "
            "hostel_beds, 'simulated', ? FROM sim_tourism",
            [params.end.year, now()],
        )
        con.unregister("sim_tourism")
        # the official lists of a simulated store are simulated: zones, fixed broadband, labels, mobile
        # sites and places of digital mediation
        for table, frame, sql, args in (
            ("zones", _plan_zones(plan, communes, np.random.default_rng([params.seed, 786])),
             "SELECT code, zone, class, ?, 'simulated', ? FROM sim_list", [M.t("sim_list_vintage"), now()]),
            ("access", _plan_access(communes, np.random.default_rng([params.seed, 787])),
             "SELECT code, indicator, premises, eligible, ?, 'simulated', ? FROM sim_list", [params.end, now()]),
            ("labels", labels, "SELECT code, label, detail, ?, 'simulated', ? FROM sim_list",
             [str(params.end.year), now()]),
            ("access_counts", _plan_counts(communes, np.random.default_rng([params.seed, 788])),
             "SELECT code, indicator, value, ?, 'simulated', ? FROM sim_list", [params.end, now()]),
        ):  # fmt: skip
            con.execute(f"DELETE FROM {table}")
            con.register("sim_list", frame.to_arrow())
            con.execute(f"INSERT INTO {table} {sql}", args)
            con.unregister("sim_list")
        con.execute("DELETE FROM attachment")  # a simulated store's attachment is simulated
        attachment = _plan_attachment(plan, communes, np.random.default_rng([params.seed, 782]))
        con.register("sim_attachment", attachment.to_arrow())
        con.execute("INSERT INTO attachment SELECT code, indicator, period, year, value, unit, 'simulated', ? "
                    "FROM sim_attachment", [now()])  # fmt: skip
        con.unregister("sim_attachment")
        # the residents' surveys planted last time go, then new ones (their answers first)
        con.execute("DELETE FROM survey_answers WHERE survey_id LIKE 'demo-simule-%'")
        con.execute("DELETE FROM surveys WHERE survey_id LIKE 'demo-simule-%'")
        if store.get_meta("survey_secret") is None:
            store.set_meta("survey_secret", secrets.token_urlsafe(32))
        planted, given = _plan_surveys(communes, params.end, np.random.default_rng([params.seed, 783]))
        if planted.height:
            con.register("sim_surveys", planted.to_arrow())
            con.execute("INSERT INTO surveys SELECT survey_id, commune_code, title, ?, retention_days FROM sim_surveys",
                        [now()])  # fmt: skip
            con.unregister("sim_surveys")
            con.register("sim_answers", given.to_arrow())
            con.execute("INSERT INTO survey_answers (survey_id, device, answered_on, attachment, recommend, proud, "
                        "missing, texts, age_band, years_band) SELECT survey_id, device, answered_on, attachment, "
                        "recommend, proud, missing, texts, age_band, years_band FROM sim_answers")  # fmt: skip
            con.unregister("sim_answers")

        for b0 in range(0, communes.height, BATCH):
            rows = np.arange(b0, min(communes.height, b0 + BATCH))
            nb = len(rows)
            brng = np.random.default_rng([params.seed, b0])
            lam, visitors = _expected_user(plan, rows, params)
            mult = np.ones_like(lam)
            web_share = 1.0 - plan["app_share"].to_numpy()[rows]
            extra_of: dict[int, list[Any]] = {}  # per commune row: each spike's daily extra web readers
            for k, i in enumerate(rows):
                for s in spikes_by_i.get(int(i), []):
                    shape = s["shape"][: days - s["day"]]
                    excess = lam[k, s["day"] : s["day"] + len(shape)] * shape
                    mult[k, s["day"] : s["day"] + len(shape)] += shape
                    extra = np.zeros(days)
                    extra[s["day"] : s["day"] + len(shape)] = excess * web_share[k]
                    extra_of.setdefault(k, []).append((extra, s["cause"], s["through"]))
                    start_d = params.start + timedelta(days=s["day"])
                    truth_spikes.append(
                        (
                            communes["code"][int(i)],
                            start_d,
                            start_d,
                            start_d + timedelta(days=len(shape) - 1),
                            s["ratio"],
                            float(excess.sum()),
                            s["shared"],
                            s["cause"],
                        )
                    )
                for c in campaigns_by_i.get(int(i), []):
                    mult[k, c["day"] : c["day"] + c["length"]] += c["uplift"]
            noise = brng.gamma(25.0, 1.0 / 25.0, size=lam.shape)
            total = lam * mult * noise
            app = plan["app_share"].to_numpy()[rows][:, None]
            # the season's visitors read on their phones (mobile as on-site demand)
            mobile = np.minimum(plan["mobile_share"].to_numpy()[rows][:, None] + ON_SITE_EXTRA * visitors, 0.97 - app)
            app = np.broadcast_to(app, mobile.shape)
            shares = np.stack([1.0 - mobile - app, mobile, app], axis=2)  # (nb, days, 3)
            views = brng.poisson(total[:, :, None] * shares).astype(np.int32)
            automated = brng.poisson(lam * 0.04 + 0.05).astype(np.int32)
            for k, i in enumerate(rows):
                for bot in bots_by_i.get(int(i), []):
                    d = bot["day"]
                    auto = round(float(lam[k, d]) * bot["auto_factor"]) + 20
                    leak = round(float(lam[k, d]) * bot["leak_factor"])
                    automated[k, d] += auto
                    views[k, d, 0] += leak
                    truth_bots.append((communes["code"][int(i)], params.start + timedelta(days=d), auto, leak))
            total_user += int(views.sum())
            art = np.repeat(article_ids[rows], days * 3)
            user_tbl = pa.table(
                {
                    "article_id": art,
                    "date": pa.concat_arrays([dates_x3] * nb),
                    "access": pa.DictionaryArray.from_arrays(
                        pa.array(np.tile(np.arange(3, dtype=np.int8), nb * days)), access_codes
                    ),
                    "views": views.ravel(),
                }
            )
            audience.insert_rows(con, user_tbl, agent="user")
            auto_tbl = pa.table(
                {
                    "article_id": np.repeat(article_ids[rows], days),
                    "date": pa.concat_arrays([date_arr] * nb),
                    "access": pa.DictionaryArray.from_arrays(np.zeros(nb * days, dtype=np.int8), access_codes),
                    "views": automated.ravel(),
                }
            )
            audience.insert_rows(con, auto_tbl, agent="automated")
            if months:
                got, foreign_truth[rows] = _foreign_months(foreign_plan, rows, titles, lam, visitors, months,
                                                           np.random.default_rng([params.seed, 785, b0]))  # fmt: skip
                foreign_months.append(got)
            clicks = _clickstream(rows, article_ids[rows], views, extra_of, plan,
                                  [dep_names.get(d, d) for d in communes["departement"].to_numpy()[rows]], months,
                                  np.random.default_rng([params.seed, 781, b0]))  # fmt: skip
            if clicks is not None and clicks.num_rows:
                con.register("sim_clicks", clicks)
                con.execute("INSERT INTO clickstream SELECT * FROM sim_clicks")
                con.unregister("sim_clicks")
            total_rows += nb * days * 4
            if progress:
                progress(int(rows[-1]) + 1, communes.height)

        foreign_articles = (
            foreign_plan.select(
                pl.Series("code", communes["code"]), pl.Series("title", titles), pl.col("langs").alias("lang")
            )
            .explode("lang")
            .select("code", (pl.col("lang") + ".wikipedia").alias("project"), "title")
        )
        empty = pa.table({"project": pa.array([], pa.string()), "title": pa.array([], pa.string()),
                          "month": pa.array([], pa.date32()), "views": pa.array([], pa.int64())})  # fmt: skip
        foreign.replace_simulated(con, foreign_articles.to_arrow(),
                                  pa.concat_tables(foreign_months) if foreign_months else empty, now())  # fmt: skip
        con.register(
            "sim_plan",
            plan.select("code", "profile", "base_level", "trend_per_year", "mobile_share", "media_heavy")
            .with_columns(pl.Series("foreign_share", foreign_truth),
                          pl.Series("foreign_top", [ls[0] for ls in foreign_plan["langs"].to_list()]))
            .to_arrow(),
        )  # fmt: skip
        con.execute(
            "INSERT INTO sim_profiles (commune_code, profile, base_level, trend_per_year, mobile_share, media_heavy, "
            "foreign_share, foreign_top) SELECT * FROM sim_plan"
        )
        con.unregister("sim_plan")
        # executemany is slow in DuckDB: go through Arrow
        _insert_rows(
            con,
            "sim_spikes",
            truth_spikes,
            [
                "commune_code",
                "start_date",
                "peak_date",
                "end_date",
                "peak_ratio",
                "expected_excess",
                "shared_event",
                "cause",
            ],
        )
        _insert_rows(con, "sim_bots", truth_bots, ["commune_code", "date", "automated_views", "leaked_user_views"])
        codes = communes["code"].to_list()
        for n_c, c in enumerate(campaigns, start=1):
            first = params.start + timedelta(days=c["day"])
            last = first + timedelta(days=c["length"] - 1)
            cid = con.execute(
                "INSERT INTO campaigns (name, channel, start_date, end_date, notes, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING campaign_id",
                [M.t("sim_campaign_name", n=n_c), c["channel"], first, last, M.t("simulated_short"), now()],
            ).fetchall()[0][0]
            con.execute("INSERT INTO campaign_communes VALUES (?, ?)", [cid, codes[c["i"]]])
            con.execute(
                "INSERT INTO sim_campaigns VALUES (?, ?, ?, ?, ?)", [cid, codes[c["i"]], first, last, c["uplift"]]
            )
        origin = json.dumps(
            {"generator": "belvedere.sources.simulate", "seed": params.seed, "communes": communes.height},
        )
        for access, agent in [(a, "user") for a in ACCESSES] + [("desktop", "automated")]:
            con.execute(
                "INSERT INTO ingest_log (source, origin, project, access, agent, start_date, end_date, status, rows,"
                " detail, fetched_at) VALUES ('simulated', ?, ?, ?, ?, ?, ?, 'ok', ?, ?, ?)",
                [
                    origin,
                    PROJECT,
                    access,
                    agent,
                    params.start,
                    params.end,
                    communes.height * days,
                    M.t("simulated_short"),
                    now(),
                ],
            )
        store.set_meta("simulated", "true")
        store.set_meta("simulation", origin)
    n_shared = len({s["shared"] for s in spikes if s["shared"] is not None})
    return SimulationResult(
        communes=communes.height,
        days=days,
        rows=total_rows,
        user_views=total_user,
        spikes=len(truth_spikes),
        shared_events=n_shared,
        bots=len(truth_bots),
        campaigns=len(campaigns),
    )
