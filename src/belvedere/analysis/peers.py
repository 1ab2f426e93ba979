"""Comparable communes: who a town should be measured against, and where it stands among them."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

# penalties added to |log(population ratio)|: each is worth a factor e^0.5 = 1.65 of population
PENALTIES = {"departement": 0.5, "region": 0.5, "typology": 0.5, "is_pvd": 0.5}
MAX_POPULATION_FACTOR = 2.0  # peers are kept within a factor 2 of the population when enough are


class PeerIndex:
    """The candidates of :func:`peers` as arrays, built once, to answer commune after commune in
    well under a millisecond (a dashboard asks one commune at a time, for thousands of them)."""

    def __init__(self, metrics: pl.DataFrame, metric: str = "views_per_inhabitant") -> None:
        self.frame = metrics
        self.metric = metric
        self.row = {c: i for i, c in enumerate(metrics["code"].to_list())}
        self.code_rank = metrics["code"].rank("ordinal").to_numpy()  # ties are broken by code
        self.values = metrics[metric].cast(pl.Float64).fill_null(np.nan).to_numpy()
        population = metrics["population"].cast(pl.Float64).fill_null(0.0).to_numpy()
        self.population = population
        # a candidate has a value to compare and inhabitants; candidates sorted by log(population)
        eligible = metrics[metric].is_not_null().to_numpy() & (population > 0)
        self.candidates = np.flatnonzero(eligible)
        order = np.argsort(np.log(population[self.candidates]), kind="stable")
        self.candidates = self.candidates[order]
        self.sorted_population = population[self.candidates]
        self.sorted_log = np.log(self.sorted_population)
        # each penalised column as small integers (equal value <=> equal integer; null is its own value)
        self.own = {
            col: metrics[col].cast(pl.String).fill_null("\0").rank("dense").cast(pl.Int32).to_numpy()
            for col in PENALTIES
            if col in metrics.columns
        }
        self.columns = {col: values[self.candidates] for col, values in self.own.items()}

    def group(self, code: str, n: int = 10) -> pl.DataFrame:
        """The peer group of ``code``, as :func:`peers` describes it. Raises KeyError when unknown."""
        i = self.row[code]
        # the candidates within a factor 2 of population, when there are enough of them
        pop0 = max(self.population[i], 1.0)
        lo = int(np.searchsorted(self.sorted_population, pop0 / MAX_POPULATION_FACTOR, side="left"))
        hi = int(np.searchsorted(self.sorted_population, pop0 * MAX_POPULATION_FACTOR, side="right"))
        lp0 = np.log(pop0)
        itself = int(np.any(self.candidates[lo:hi] == i))
        if hi - lo - itself < n:
            lo, hi = 0, len(self.candidates)
        idx = np.arange(lo, hi)
        idx = idx[self.candidates[idx] != i]
        distance = np.abs(self.sorted_log[idx] - lp0)
        for column, values in self.columns.items():
            distance += np.where(values[idx] == self.own[column][i], 0.0, PENALTIES[column])
        if len(idx) > n:  # the n nearest and their ties, before ordering them (ties broken by code)
            nth = np.partition(distance, n - 1)[n - 1]
            keep = np.flatnonzero(distance <= nth)
            idx, distance = idx[keep], distance[keep]
        order = np.lexsort((self.code_rank[self.candidates[idx]], distance))[:n]
        chosen = self.candidates[idx[order]]
        rows = np.concatenate([[i], chosen])
        values = self.values[rows]
        # rank within the group, 1 = highest, ties share the best rank; no value: no rank
        known = values[~np.isnan(values)]
        rank = [None if v != v else 1 + int(np.sum(known > v)) for v in values]
        return self.frame[rows].hstack(
            [
                pl.Series("distance", np.concatenate([[0.0], distance[order]])),
                pl.Series("is_target", np.arange(len(rows)) == 0),
                pl.Series("rank_in_group", rank, dtype=pl.Int64),
                pl.Series("group_size", np.full(len(rows), len(rows)), dtype=pl.Int32),
            ]
        )


def peers(metrics: pl.DataFrame, code: str, n: int = 10, metric: str = "views_per_inhabitant") -> pl.DataFrame:
    """The ``n`` most comparable communes to ``code`` (similar population, same département and
    région, same typology, same PVD status), plus the commune itself (``is_target``, first), with
    the rank of each on ``metric`` within that group (``rank_in_group``, 1 = highest).

    ``metrics`` has code, population, departement, region, is_pvd, ``metric`` and optionally
    typology. Raises KeyError when ``code`` is not in it. For many communes of one frame, build a
    :class:`PeerIndex` once.
    """
    return PeerIndex(metrics, metric).group(code, n)


def standing(group: pl.DataFrame, metric: str = "views_per_inhabitant") -> dict[str, Any]:
    """Where the target stands in its peer group: rank, group size, median of the peers, ratio."""
    is_target = group["is_target"].to_numpy()
    at = int(np.argmax(is_target))
    values = group[metric].cast(pl.Float64).to_numpy()
    others = values[~is_target]
    others = others[~np.isnan(others)]
    median = float(np.median(others)) if others.size else float("nan")
    value = None if np.isnan(values[at]) else float(values[at])
    return {
        "rank": group["rank_in_group"][at],
        "of": group.height,
        "peers_median": median,
        "ratio_to_median": (value / median) if value is not None and median and median == median else None,
    }
