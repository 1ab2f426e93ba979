"""Optimal change points of a short series under a mean-shift (l2) cost with a penalty.

What ``ruptures.KernelCPD(kernel="linear").predict(pen=...)`` answers (the tests compare the two on
thousands of series), written here because importing ``ruptures`` loads SciPy: 1.1 s added to
every command that shows one commune, for a dynamic programme over a few hundred weekly levels.
"""

from __future__ import annotations

import numpy as np


def optimal_breaks(y: np.ndarray, pen: float, min_size: int) -> list[int]:
    """The breakpoints (indices where a new segment starts) minimising the sum over segments of
    the squared distances to the segment's mean plus ``pen`` per segment, every segment at least
    ``min_size`` long. Exact optimal partitioning, O(n²) in time and memory: n is a number of weeks."""
    n = len(y)
    if n < 2 * min_size:
        return []
    c1 = np.concatenate([[0.0], np.cumsum(y, dtype=np.float64)])
    c2 = np.concatenate([[0.0], np.cumsum(np.square(y, dtype=np.float64))])
    at = np.arange(n + 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # the diagonal and below: never read
        cost = (c2[None, :] - c2[:, None]) - (c1[None, :] - c1[:, None]) ** 2 / (at[None, :] - at[:, None])
    best = np.full(n + 1, np.inf)  # best[t]: the optimum over y[:t]
    best[0] = -pen
    start_of_last = np.zeros(n + 1, dtype=np.int64)
    starts = np.concatenate([[0], np.arange(min_size, n + 1)])  # where a segment may start
    for t in range(min_size, n + 1):
        cands = starts[: np.searchsorted(starts, t - min_size, side="right")]
        total = best[cands] + cost[cands, t]
        k = int(np.argmin(total))
        best[t], start_of_last[t] = total[k] + pen, cands[k]
    out, t = [], n
    while (t := int(start_of_last[t])) > 0:
        out.append(t)
    return out[::-1]
