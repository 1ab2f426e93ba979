"""Comparable communes: who a town should be measured against, and where it stands among them."""

from __future__ import annotations

import numpy as np
import polars as pl

# penalties added to |log(population ratio)|: each is worth a factor e^0.5 = 1.65 of population
PENALTIES = {"departement": 0.5, "region": 0.5, "typology": 0.5, "is_pvd": 0.5}
MAX_POPULATION_FACTOR = 2.0  # peers are kept within a factor 2 of the population when enough are


def peers(metrics: pl.DataFrame, code: str, n: int = 10, metric: str = "views_per_inhabitant") -> pl.DataFrame:
    """The ``n`` most comparable communes to ``code`` (similar population, same département and
    région, same typology, same PVD status), plus the commune itself (``is_target``), with the rank
    of each on ``metric`` within that group (``rank_in_group``, 1 = highest).

    ``metrics`` has code, population, departement, region, is_pvd, ``metric`` and optionally
    typology. Raises KeyError when ``code`` is not in it.
    """
    target = metrics.filter(pl.col("code") == code)
    if target.is_empty():
        raise KeyError(code)
    t = target.row(0, named=True)
    pop0 = max(float(t["population"] or 1), 1.0)
    others = metrics.filter((pl.col("code") != code) & pl.col(metric).is_not_null() & (pl.col("population") > 0))
    close = others.filter(
        (pl.col("population") >= pop0 / MAX_POPULATION_FACTOR) & (pl.col("population") <= pop0 * MAX_POPULATION_FACTOR)
    )
    if close.height >= n:
        others = close
    distance = (pl.col("population").cast(pl.Float64) / pop0).log().abs()
    for column, penalty in PENALTIES.items():
        if column in metrics.columns:
            distance = distance + pl.when(pl.col(column) == t[column]).then(0.0).otherwise(penalty)
    chosen = others.with_columns(distance.alias("distance")).sort(["distance", "code"]).head(n)
    group = pl.concat(
        [target.with_columns(pl.lit(0.0).alias("distance")), chosen], how="diagonal_relaxed"
    ).with_columns((pl.col("code") == code).alias("is_target"))
    return group.with_columns(
        pl.col(metric).rank(method="min", descending=True).cast(pl.Int64).alias("rank_in_group"),
        pl.lit(group.height).alias("group_size"),
    ).sort(["is_target", "distance"], descending=[True, False])


def standing(group: pl.DataFrame, metric: str = "views_per_inhabitant") -> dict:
    """Where the target stands in its peer group: rank, group size, median of the peers, ratio."""
    target = group.filter(pl.col("is_target")).row(0, named=True)
    others = group.filter(~pl.col("is_target"))[metric].drop_nulls().to_numpy()
    median = float(np.median(others)) if others.size else float("nan")
    value = target[metric]
    return {
        "rank": target["rank_in_group"],
        "of": group.height,
        "peers_median": median,
        "ratio_to_median": (value / median) if value is not None and median and median == median else None,
    }
