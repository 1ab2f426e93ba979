"""What goes with visibility: the national model recovers known effects within its intervals, is
worded with them, and places each commune against what its own figures predict."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from belvedere import messages as M
from belvedere import present
from belvedere.analysis.explain import explain, least_visible_ratio
from tests.conftest import run_cli


def synthetic(n: int = 3000, seed: int = 3) -> pl.DataFrame:
    """Communes whose log views per inhabitant are built from known effects, with noise that grows with
    the size (what HC3 errors are for)."""
    rng = np.random.default_rng(seed)
    pop = np.exp(rng.uniform(np.log(300), np.log(30_000), n))
    beds = np.where(rng.random(n) < 0.3, 0.0, np.exp(rng.normal(3.0, 1.0, n)))
    length = np.exp(rng.normal(9.0, 0.6, n))
    image = (rng.random(n) < 0.7).astype(float)
    social = rng.integers(0, 4, n).astype(float)
    nouvelle = rng.random(n) < 0.1
    labels = rng.poisson(0.2, n).astype(float)
    km = np.exp(rng.uniform(np.log(2), np.log(120), n))
    noise = rng.normal(0.0, 0.3 + 0.05 * np.log(pop / 300), n)
    logv = (1.0 - 0.35 * np.log(pop) + 0.12 * np.log1p(beds) + 0.5 * np.log(length) + 0.25 * image
            + 0.15 * social - 0.2 * nouvelle + 0.3 * labels - 0.1 * np.log(km) + noise)  # fmt: skip
    return pl.DataFrame({"code": [f"{i:05d}" for i in range(n)], "population": pop.round().astype(np.int64),
                         "beds_per_1000": beds, "length": length.round(), "has_lead_image": image,
                         "social_accounts": social, "is_commune_nouvelle": nouvelle, "labels": labels,
                         "nearest_city_km": km,
                         "views_per_inhabitant": np.exp(logv)})  # fmt: skip


def test_the_model_recovers_known_effects_within_its_intervals() -> None:
    e = explain(synthetic())
    assert e is not None and e.n == 3000 and not e.left_out and 0.3 < e.r2 < 0.99
    truth = {"log_population": -0.35, "log_beds": 0.12, "log_length": 0.5, "lead_image": 0.25,
             "social_accounts": 0.15, "commune_nouvelle": -0.2, "labels": 0.3, "log_city_km": -0.1}  # fmt: skip
    for c in e.coefficients:
        assert c.low < truth[c.key] < c.high, c
        assert c.high - c.low < 0.2  # informative, not a wide shrug
    nouvelle = next(c for c in e.coefficients if c.key == "commune_nouvelle")
    assert nouvelle.effect(nouvelle.estimate) == pytest.approx(np.expm1(nouvelle.estimate))
    beds = next(c for c in e.coefficients if c.key == "log_beds")
    assert beds.effect(beds.estimate) == pytest.approx(2**beds.estimate - 1)  # per doubling
    words = {r["key"]: r for r in present.explanation_rows(e)}
    assert words["log_beds"]["effect"].startswith("+") and words["commune_nouvelle"]["effect"].startswith("−")


def test_a_factor_known_for_too_few_communes_is_left_out_and_said() -> None:
    df = synthetic(800)
    df = df.with_columns(pl.when(pl.int_range(df.height) < 600).then(None).otherwise(pl.col("length")).alias("length"))
    e = explain(df)
    assert e is not None and e.left_out == ["log_length"] and e.n == 800
    assert explain(synthetic(40)) is None  # too few communes for eight factors


def test_the_least_visible_have_less_tourist_capacity() -> None:
    df = pl.DataFrame({"views_per_inhabitant": [float(i) for i in range(1, 401)],
                       "beds_per_1000": [1.0] * 150 + [4.0] * 250})  # fmt: skip
    ratio, n = least_visible_ratio(df, "beds_per_1000") or (0.0, 0)
    assert n == 150 and ratio == pytest.approx((150 * 1 + 250 * 4) / 400 / 1.0)
    assert least_visible_ratio(df.head(200), "beds_per_1000") is None


def test_the_demo_explains_and_places_each_commune(demo_db: Path, tmp_path: Path) -> None:
    out = run_cli("explain", "--scope", "all", "--format", "json", db=demo_db, check=True)
    record = json.loads(out.stdout)
    assert record["communes"] > 300 and 0 < record["r2"] < 1
    keys = [c["key"] for c in record["coefficients"]]
    assert {"log_population", "log_beds", "log_length"} <= set(keys)
    length = next(c for c in record["coefficients"] if c["key"] == "log_length")
    assert length["low"] > 0  # the demo planted longer articles where attention is higher
    table = run_cli("explain", "--scope", "all", db=demo_db, check=True)
    said = " ".join(table.stdout.split())
    assert "de la variance expliquée" in said and "DONNÉES SIMULÉES" in said + table.stderr
    from belvedere.api import Observatory

    with Observatory.open(demo_db) as obs:
        code = obs.ranking(scope="pvd")["code"][0]
        e = obs.explanation()
        name = obs.profile(code)["name"]
    assert e is not None
    gap = float(e.fitted.filter(pl.col("code") == code)["gap"][0])
    words = present.explained_gap_words(e, code, name) or ""
    assert M.fr_percent(abs(gap)) in words and name in words
    assert ("au-dessus" if gap > 0.1 else "en dessous" if gap < -0.1 else "au niveau") in words
    report = tmp_path / "r.html"
    run_cli("report", "commune", code, "--out", str(report), db=demo_db, check=True)
    assert 'id="explained"' in report.read_text()
    study = tmp_path / "etude.html"
    run_cli("report", "study", "--out", str(study), db=demo_db, check=True)
    section = study.read_text().split('id="facteurs"')[1].split("</section>")[0]
    assert 'id="explain-table"' in section and 'data-factor="log_length"' in section


def test_advice_with_a_clear_expected_effect_comes_first_and_says_it(demo_db: Path, tmp_path: Path) -> None:
    """The advice whose factor the national model associates clearly with more views per inhabitant
    comes first, largest effect first, with the effect and its interval in words; advice whose factor
    is not clear (its interval crosses zero) gets no effect."""
    from belvedere.api import Observatory
    from belvedere.report.recommendations import recommend
    from belvedere.store import Store

    with Store(demo_db, read_only=True) as store:
        obs = Observatory(store)
        e = obs.explanation()
        assert e is not None
        clear = {c.key for c in e.coefficients if c.low > 0}
        found = None
        for code in obs.metrics()["code"].to_list():
            recs = recommend(obs.profile(code), facts=obs.article_facts(code))
            if sum(present.ADVICE_FACTOR.get(r.key) in clear for r in recs) >= 2:
                found = code, present.advice_with_effects(recs, present.scorecard_record(obs.scorecard(code)), e)
                break
    assert found is not None
    code, rows = found
    with_effect = [r for r in rows if r["effect"]]
    assert len(with_effect) >= 2 and rows[: len(with_effect)] == with_effect  # they come first
    effects = [r["_effect"] for r in with_effect]
    assert effects == sorted(effects, reverse=True) and all(x > 0 for x in effects)
    assert all("pas une promesse" in r["effect"] and "de vues par habitant" in r["effect"] for r in with_effect)
    unclear = [r for r in rows if r["key"] in present.ADVICE_FACTOR and present.ADVICE_FACTOR[r["key"]] not in clear]
    assert all(r["effect"] is None for r in unclear)
    out = tmp_path / "r.html"
    run_cli("report", "commune", code, "--out", str(out), db=demo_db, check=True)
    report = out.read_text(encoding="utf-8").split(M.t("report_recommendations"))[1]
    assert report.index("Effet associé dans le modèle national") < report.index(rows[-1]["title"].replace("'", "&#39;"))
