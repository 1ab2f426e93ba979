"""A typology of audience profiles, each with a short French explanation of why.

The types follow what the PVD study saw: tourist towns are looked up in their season (coast in
summer, mountain in winter or in two seasons), some towns live on media events, a few are famous
all year round, and merged, suburban, small or non-touristic towns stay invisible.

Seasonality is read on the spike-free baseline when one is given, so that a single TV show in
July does not turn a town into a seaside resort.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from belvedere import messages as M

EVENT_SPIKES_PER_YEAR = 1.5  # non-bot spikes a year
EVENT_SPIKE_SHARE = 0.15  # share of the views carried by spikes (with at least two spikes)
MOUNTAIN_WINTER_INDEX = 1.10  # mean daily views December-March / mean of the year
COAST_SUMMER_INDEX = 1.30  # mean daily views July-August / mean of the year
FAMOUS_SURPLUS = 2.5  # seen 2.5 x more than the size predicts
LOW_SURPLUS = 0.5  # seen half of what the size predicts, or less
LARGE_CITY = 50_000  # inhabitants
SUBURBAN_KM = 15.0
SMALL_POPULATION = 2_000
FLAT_SUMMER_INDEX = 1.15
ON_SITE_LIFT = 0.05  # mobile share of the busiest months over the others (points): visitors on site


def nearest_large_city(communes: pl.DataFrame, min_population: int = LARGE_CITY) -> pl.DataFrame:
    """For each commune with a point: the nearest other commune of at least ``min_population``
    inhabitants and its distance in km (great circle)."""
    pts = communes.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    cities = pts.filter(pl.col("population") >= min_population)
    schema = {"code": pl.String, "nearest_city": pl.String, "nearest_city_km": pl.Float64}
    if pts.is_empty() or cities.is_empty():
        return pl.DataFrame(schema=schema)

    def unit(frame: pl.DataFrame) -> np.ndarray:  # points on the unit sphere
        lat, lon = np.radians(frame["lat"].to_numpy()), np.radians(frame["lon"].to_numpy())
        return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)

    p, c = unit(pts), unit(cities)
    # each city's own row among the points (a city is not its own nearest city)
    row_of = {code: i for i, code in enumerate(pts["code"].to_list())}
    city_rows = np.array([row_of[code] for code in cities["code"].to_list()], dtype=np.int64)
    which = np.empty(pts.height, dtype=np.int64)
    for a in range(0, pts.height, 4096):  # bounded memory
        closeness = p[a : a + 4096] @ c.T  # the cosine of the angle: the nearest has the largest
        own = (city_rows >= a) & (city_rows < a + 4096)
        closeness[city_rows[own] - a, np.flatnonzero(own)] = -np.inf
        which[a : a + 4096] = np.argmax(closeness, axis=1)
    chord = np.linalg.norm(p - c[which], axis=1)  # great circle from the chord: exact, unlike an arccos near 1
    best = 2 * 6371.0 * np.arcsin(np.clip(chord / 2, 0, 1))
    return pl.DataFrame(
        {"code": pts["code"], "nearest_city": cities["name"].to_numpy()[which], "nearest_city_km": best},
        schema=schema,
    )


def _fmt(x: float, decimals: int = 1) -> str:
    return M.fr_number(x, decimals)


def _pct(x: float) -> str:
    return M.fr_percent(x)


# what the rules and the explanations read of a commune
_READ = ("code", "summer_index", "winter_index", "summer_share", "visibility_surplus", "spikes_per_year", "spike_share",
         "spikes", "mobile_season_lift", "is_commune_nouvelle", "nearest_city", "nearest_city_km", "population",
         "littoral", "littoral_vintage", "montagne", "montagne_vintage")  # fmt: skip


OUTPUTS = ("typology", "typology_label", "reasons", "explanation")


def classify(features: pl.DataFrame, previous: pl.DataFrame | None = None) -> pl.DataFrame:
    """The type of each commune, its reasons and a French explanation.

    ``features`` has code, summer_index, winter_index, summer_share, winter_share,
    visibility_surplus, spikes_per_year, spike_share, population, is_commune_nouvelle and,
    optionally, nearest_city / nearest_city_km and the official zones (littoral: the shore or "",
    montagne: True, littoral_vintage / montagne_vintage; see :func:`_add_zones`). Returns code,
    typology, typology_label, reasons, explanation.

    ``previous``: the same features and the outputs of an earlier classification. A commune whose
    features read the same keeps its outputs instead of being worded again: after one town's new
    audience the national surplus fit moves in its last digits, and the words of no other commune.
    """
    cols = features.columns
    read = features.select([c for c in _READ if c in cols])  # a row as a dict costs by the column
    kept = _unchanged(read, previous) if previous is not None else None
    if previous is None or kept is None or not kept.any():
        return _classify_rows(read)
    at = pl.Series("_at", np.arange(read.height))
    fresh = _classify_rows(read.filter(~kept)).with_columns(at.filter(~kept))
    same = read.select("code").with_columns(at).filter(kept).join(
        previous.select("code", *OUTPUTS), on="code", how="left", maintain_order="left"
    )  # fmt: skip
    return pl.concat([fresh, same.select(fresh.columns)]).sort("_at").drop("_at")


def _unchanged(read: pl.DataFrame, previous: pl.DataFrame) -> pl.Series | None:
    """Per row of ``read``: whether ``previous`` has the commune with every feature the same. The
    surplus is read only through its thresholds and its wording (one decimal), as the rules do."""
    if not set((*read.columns, *OUTPUTS)) <= set(previous.columns):
        return None
    before = read.select("code").join(previous.select(read.columns), on="code", how="left", maintain_order="left")
    same = before["code"].is_not_null()  # a row absent from previous: its columns are all null
    for c in read.columns:
        if c == "visibility_surplus":
            continue
        same &= read[c].eq_missing(before[c])
    if "visibility_surplus" in read.columns:
        now, then = read["visibility_surplus"], before["visibility_surplus"]
        for rule in (_famous, _low, _unknown):
            same &= rule(now).eq_missing(rule(then))
        moved = np.flatnonzero((~now.eq_missing(then)).to_numpy())  # worded again only where it moved
        a, b = now.gather(moved).to_list(), then.gather(moved).to_list()
        reworded = np.zeros(read.height, dtype=bool)
        reworded[[i for i, x, y in zip(moved, a, b, strict=True) if _fmt(_float(x)) != _fmt(_float(y))]] = True
        same &= ~pl.Series(reworded)
    return same


def _famous(x: pl.Series) -> pl.Series:
    return x >= FAMOUS_SURPLUS


def _low(x: pl.Series) -> pl.Series:
    return x <= LOW_SURPLUS


def _unknown(x: pl.Series) -> pl.Series:
    return x.is_null() | x.is_nan()


def _classify_rows(read: pl.DataFrame) -> pl.DataFrame:
    """Each row's type by the rules, tested on whole columns, then worded one type at a time: the
    rules cost nothing per commune and only the sentences are written row by row (France in
    ~0.2 s, not ~1 s)."""
    n = read.height
    summer, winter, summer_share = (_floats(read, c) for c in ("summer_index", "winter_index", "summer_share"))
    surplus, per_year, share = (_floats(read, c) for c in ("visibility_surplus", "spikes_per_year", "spike_share"))
    lift, km = _floats(read, "mobile_season_lift"), _floats(read, "nearest_city_km")
    population, spikes = _floats(read, "population", 0.0), _floats(read, "spikes", 0.0)
    with np.errstate(invalid="ignore"):  # NaN, a figure missing, fails every threshold
        event = ((per_year >= EVENT_SPIKES_PER_YEAR) & (spikes >= 3)) | ((share >= EVENT_SPIKE_SHARE) & (spikes >= 2))
        mountain = ~event & (winter >= MOUNTAIN_WINTER_INDEX)
        coast = ~event & ~mountain & (summer >= COAST_SUMMER_INDEX)
        rest = ~(event | mountain | coast)
        famous = rest & (surplus >= FAMOUS_SURPLUS)
        low = rest & (surplus <= LOW_SURPLUS)
        unknown = rest & np.isnan(surplus)  # no population: nothing to compare the audience with
        on_site = lift >= ON_SITE_LIFT  # the season's readers are on their phones: visitors there
        suburban = (km <= SUBURBAN_KM) & (population < LARGE_CITY)
    merged = _floats(read, "is_commune_nouvelle", 0.0) > 0
    cities = _values(read, "nearest_city")
    types = np.full(n, "ordinary", dtype=object)
    texts = np.empty(n, dtype=object)
    reasons: list[list[str]] = [[] for _ in range(n)]

    def site(i: int) -> str:
        return (" " + M.t("why_on_site", points=_fmt(lift[i] * 100, 0))) if on_site[i] else ""

    for i in np.flatnonzero(event).tolist():
        types[i], reasons[i] = "event-driven", ["spikes"]
        texts[i] = M.t("why_event", per_year=_fmt(per_year[i]), share=_pct(share[i] if share[i] == share[i] else 0.0))
    for i in np.flatnonzero(mountain).tolist():
        types[i], reasons[i] = "seasonal-mountain", ["winter", *(["on_site"] if on_site[i] else [])]
        key = "why_mountain_two" if summer[i] >= FLAT_SUMMER_INDEX else "why_mountain"
        texts[i] = M.t(key, winter=_fmt(winter[i]), summer=_fmt(summer[i])) + site(i)
    for i in np.flatnonzero(coast).tolist():
        types[i], reasons[i] = "seasonal-coast", ["summer", *(["on_site"] if on_site[i] else [])]
        texts[i] = M.t("why_coast", summer=_fmt(summer[i]), share=_pct(summer_share[i])) + site(i)
    for i in np.flatnonzero(famous).tolist():
        types[i], reasons[i] = "steady-famous", ["surplus"]
        texts[i] = M.t("why_famous", surplus=_fmt(surplus[i]))
    said = {k: M.t(f"reason_{k}") for k in ("commune_nouvelle", "small", "low_tourism", "none")}  # the same for all
    for i in np.flatnonzero(low).tolist():
        types[i] = "low-visibility"
        why = reasons[i]
        if merged[i]:
            why.append("commune_nouvelle")
        if suburban[i]:
            why.append("suburban")
        if population[i] < SMALL_POPULATION:
            why.append("small")
        if summer[i] < FLAT_SUMMER_INDEX and winter[i] < MOUNTAIN_WINTER_INDEX:
            why.append("low_tourism")
        details = [said[k] if k in said else M.t(f"reason_{k}", city=cities[i] or "", km=_fmt(km[i], 0)) for k in why]
        details = details or [said["none"]]
        texts[i] = M.t("why_low", surplus=_fmt(surplus[i]), reasons=" ; ".join(details))
    texts[unknown] = M.t("why_no_population")
    for i in np.flatnonzero(rest & ~famous & ~low & ~unknown).tolist():
        texts[i] = M.t("why_ordinary", surplus=_fmt(surplus[i]))
    label_of = {t: M.t(f"type_{t}") for t in set(types.tolist())}
    labels = np.array([label_of[t] for t in types.tolist()], dtype=object)
    _add_zones(read, types, labels, texts)
    # built by columns, the lists from one flat array and their offsets: polars builds a column of
    # Python lists one list at a time (~0.5 s for 35,000 communes)
    offsets = np.concatenate([[0], np.cumsum([len(why) for why in reasons])]).astype(np.int32)
    flat = pa.array([k for why in reasons for k in why], type=pa.string())
    reason_lists = pl.Series("reasons", pa.ListArray.from_arrays(pa.array(offsets), flat))
    return pl.DataFrame(
        [read["code"].cast(pl.String), pl.Series("typology", types.tolist(), dtype=pl.String),
         pl.Series("typology_label", labels.tolist(), dtype=pl.String), reason_lists,
         pl.Series("explanation", texts.tolist(), dtype=pl.String)]
    )  # fmt: skip


def _add_zones(read: pl.DataFrame, types: np.ndarray, labels: np.ndarray, texts: np.ndarray) -> None:
    """Say "littoral" or "montagne" only of a commune on the official list (``littoral``: its
    shore, ``montagne``: True, with the lists' vintages): a July peak makes a summer destination,
    not a seaside town."""
    littoral, montagne = _values(read, "littoral"), _values(read, "montagne")
    littoral_vintage, montagne_vintage = _values(read, "littoral_vintage"), _values(read, "montagne_vintage")
    for i in np.flatnonzero(types == "seasonal-coast").tolist():
        if littoral[i] is not None:
            shore = (littoral[i] or "").strip().lower()
            labels[i] = M.t("type_seasonal-coast_littoral")
            shore_of = M.t("shore_of", shore=shore) if shore else ""
            texts[i] += " " + M.t("why_zone_littoral", shore=shore_of, vintage=littoral_vintage[i] or "")
    for i in np.flatnonzero(types == "seasonal-mountain").tolist():
        if montagne[i]:
            labels[i] = M.t("type_seasonal-mountain_montagne")
            texts[i] += " " + M.t("why_zone_montagne", vintage=montagne_vintage[i] or "")


def _floats(read: pl.DataFrame, name: str, missing: float = float("nan")) -> np.ndarray:
    """A column as floats, ``missing`` where a value or the whole column is absent."""
    if name not in read.columns:
        return np.full(read.height, missing)
    return read[name].cast(pl.Float64).fill_null(missing).to_numpy()


def _float(v: Any) -> float:
    return float("nan") if v is None else float(v)


def _values(read: pl.DataFrame, name: str) -> list[Any]:
    return read[name].to_list() if name in read.columns else [None] * read.height
