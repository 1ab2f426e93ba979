"""Population size classes. Bands are half-open: [low, high)."""

from __future__ import annotations

SIZE_BANDS: list[tuple[str, int, int | None]] = [
    ("<1k", 0, 1_000),
    ("1k-2.5k", 1_000, 2_500),
    ("2.5k-5k", 2_500, 5_000),
    ("5k-10k", 5_000, 10_000),
    ("10k-20k", 10_000, 20_000),
    ("20k-50k", 20_000, 50_000),
    ("50k-100k", 50_000, 100_000),
    ("100k+", 100_000, None),
]


def size_class(population: int | None) -> str | None:
    """The size-class label of a population (None when the population is unknown)."""
    if population is None:
        return None
    for label, low, high in SIZE_BANDS:
        if population >= low and (high is None or population < high):
            return label
    raise ValueError(f"negative population: {population}")


def size_class_sql(column: str = "population") -> str:
    """The same classification as a SQL CASE expression."""
    parts = [f"WHEN {column} IS NULL THEN NULL"]
    for label, _low, high in SIZE_BANDS:
        parts.append(f"WHEN {column} < {high} THEN '{label}'" if high is not None else f"ELSE '{label}'")
    return "CASE " + " ".join(parts) + " END"
