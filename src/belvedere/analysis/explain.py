"""What goes with visibility, nationally: a linear model of the log of views per inhabitant on the
commune's size, tourist capacity, article and accounts, fitted by least squares with robust (HC3)
standard errors, so that each factor comes with a 95 % interval and the model with the share of
variance it explains; and, per commune, how far its audience is from what its own figures predict.

Interpretable on purpose: one coefficient per factor, read as "a doubling of X goes with Y % more
views per inhabitant, other factors equal". It describes associations in the data, not causes
(a well-viewed town also gets its article written). Hand-written (a few lines of numpy) rather
than statsmodels: the rest of the tool does not need SciPy, and its import costs a second per command.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

Z95 = 1.959963984540054
MIN_KNOWN = 0.5  # a factor known for fewer than half the communes is left out (said), not imputed


@dataclass(frozen=True)
class Factor:
    key: str
    kind: str  # "log" (coefficient per doubling) or "flag" / "count" (per unit)


FACTORS = (
    Factor("log_population", "log"),
    Factor("log_beds", "log"),
    Factor("log_length", "log"),
    Factor("lead_image", "flag"),
    Factor("social_accounts", "count"),
    Factor("commune_nouvelle", "flag"),
    Factor("labels", "count"),
    Factor("log_city_km", "log"),
)


@dataclass(frozen=True)
class Coefficient:
    key: str
    kind: str
    estimate: float  # on log(views per inhabitant)
    low: float
    high: float

    def effect(self, value: float) -> float:
        """The change in views per inhabitant (a share: 0.25 = +25 %) for a doubling ("log") or one unit."""
        step = np.log(2.0) if self.kind == "log" else 1.0
        return float(np.expm1(value * step))


@dataclass(frozen=True)
class Explanation:
    n: int
    r2: float  # share of the variance of log(views per inhabitant) the factors explain
    coefficients: list[Coefficient]
    left_out: list[str]  # factors known for too few communes
    fitted: pl.DataFrame  # code, observed and predicted log(views per inhabitant), gap (observed/predicted - 1)


def factor_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """The factors from the scorecard's columns (``population``, ``beds_per_1000``, ``length``,
    ``has_lead_image``, ``social_accounts``, ``is_commune_nouvelle``, ``labels``, ``nearest_city_km``:
    the distance to the nearest city of 50,000 inhabitants) and the response."""
    return frame.with_columns(
        pl.when(pl.col("population") > 0).then(pl.col("population").cast(pl.Float64).log()).alias("log_population"),
        pl.col("beds_per_1000").log1p().alias("log_beds") if "beds_per_1000" in frame.columns
        else pl.lit(None, pl.Float64).alias("log_beds"),
        pl.when(pl.col("length") > 0).then(pl.col("length").cast(pl.Float64).log()).alias("log_length")
        if "length" in frame.columns else pl.lit(None, pl.Float64).alias("log_length"),
        (pl.col("has_lead_image") if "has_lead_image" in frame.columns else pl.lit(None, pl.Float64))
        .alias("lead_image"),
        (pl.col("social_accounts") if "social_accounts" in frame.columns else pl.lit(None, pl.Float64))
        .alias("social_accounts"),
        pl.col("is_commune_nouvelle").cast(pl.Float64).alias("commune_nouvelle"),
        (pl.col("labels") if "labels" in frame.columns else pl.lit(None, pl.Float64)).alias("labels"),
        pl.when(pl.col("nearest_city_km") > 0).then(pl.col("nearest_city_km").log()).alias("log_city_km")
        if "nearest_city_km" in frame.columns else pl.lit(None, pl.Float64).alias("log_city_km"),
        pl.when(pl.col("views_per_inhabitant") > 0).then(pl.col("views_per_inhabitant").log()).alias("y"),
    )  # fmt: skip


def explain(frame: pl.DataFrame) -> Explanation | None:
    """The model fitted on the communes of ``frame`` (see :func:`factor_columns`); None when too few
    communes have every factor known (fewer than 10 per factor)."""
    df = factor_columns(frame).filter(pl.col("y").is_not_null() & pl.col("y").is_finite())
    used, left_out = [], []
    for f in FACTORS:
        known = df[f.key].is_not_null().sum() / df.height if df.height else 0.0
        values = df[f.key].drop_nulls()
        if known < MIN_KNOWN or values.n_unique() < 2:
            left_out.append(f.key)
        else:
            used.append(f)
    df = df.drop_nulls([f.key for f in used])
    if not used or df.height < 10 * (len(used) + 1):
        return None
    x = np.column_stack([np.ones(df.height), *(df[f.key].cast(pl.Float64).to_numpy() for f in used)])
    y = df["y"].to_numpy()
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    fitted = x @ beta
    resid = y - fitted
    xtx_inv = np.linalg.pinv(x.T @ x)
    leverage = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    weights = (resid / np.clip(1.0 - leverage, 1e-8, None)) ** 2  # HC3: robust to unequal spreads
    cov = xtx_inv @ (x.T * weights) @ x @ xtx_inv
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    coefficients = [Coefficient(f.key, f.kind, float(beta[k + 1]), float(beta[k + 1] - Z95 * se[k + 1]),
                                float(beta[k + 1] + Z95 * se[k + 1])) for k, f in enumerate(used)]  # fmt: skip
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((resid**2).sum()) / total if total > 0 else 0.0
    out = df.select("code").with_columns(
        pl.Series("observed", y), pl.Series("predicted", fitted), pl.Series("gap", np.expm1(resid))
    )
    return Explanation(df.height, r2, coefficients, left_out, out)


def least_visible_ratio(frame: pl.DataFrame, column: str, n: int = 150) -> tuple[float, int] | None:
    """How many times less ``column`` (per inhabitant) the ``n`` communes least viewed per
    inhabitant have than the average commune of ``frame``: (mean of all / mean of the n, n); None
    when there are not twice ``n`` communes with both figures or the n have none at all."""
    known = frame.filter(pl.col("views_per_inhabitant").is_not_null() & pl.col(column).is_not_null())
    if known.height < 2 * n:
        return None
    least = known.sort("views_per_inhabitant").head(n)[column].mean()
    everyone = known[column].mean()
    if not isinstance(least, float) or not isinstance(everyone, float) or least <= 0:
        return None
    return everyone / least, n
