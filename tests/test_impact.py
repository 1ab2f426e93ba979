"""Campaign impact: the estimator on known series, the scores on planted campaigns, bad input."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from belvedere.analysis import impact
from belvedere.analysis.scoring import score_campaigns
from belvedere.api import Observatory
from belvedere.errors import BelvedereError, UnknownCampaignError
from tests.conftest import run_cli


def _series(days: int, level: float, rng: np.random.Generator, season: np.ndarray) -> np.ndarray:
    return rng.poisson(level * season).astype(np.float64)


@pytest.mark.parametrize("uplift", [0.0, 0.3, 0.8])
def test_estimator_recovers_a_known_uplift_against_peers(uplift: float) -> None:
    rng = np.random.default_rng(3)
    days = 730
    t = np.arange(days)
    season = 1 + 0.5 * np.sin(2 * np.pi * t / 365) + 0.1 * (t % 7 == 5)
    donors = np.stack([_series(days, rng.uniform(50, 200), rng, season) for _ in range(20)])
    y = _series(days, 120, rng, season)
    w = impact.Window(400 - 91, 400, 429, 457)
    y[w.start : w.end + 1] = rng.poisson(120 * season[w.start : w.end + 1] * (1 + uplift))
    found = impact.best_estimate(y, donors, w, np.zeros(days, dtype=bool))
    assert found is not None and found["method"] == "peers" and found["placebos"] >= impact.MIN_PLACEBOS
    during = found["during"]
    assert during["uplift_low"] <= uplift <= during["uplift_high"]
    assert during["significant"] == (uplift > 0)  # 120 views a day: +30 % over a month is clear, 0 is not
    assert abs(during["extra_views"] - (during["observed"] - during["expected"])) < 1e-6
    assert not found["after"]["significant"]  # nothing planted after the campaign
    assert found["pre_fit"] < 0.15


def test_own_seasonality_is_the_fallback_without_peers() -> None:
    rng = np.random.default_rng(5)
    days = 1000
    t = np.arange(days)
    season = 1 + 0.8 * np.exp(-0.5 * (((t % 365) - 200) / 20) ** 2)  # a summer peak
    y = _series(days, 80, rng, season)
    w = impact.Window(700 - 91, 700, 720, 748)
    found = impact.best_estimate(y, None, w, np.zeros(days, dtype=bool))
    assert found is not None and found["method"] == "own" and set(found["alternatives"]) == {"own"}
    assert found["during"]["uplift_low"] <= 0 <= found["during"]["uplift_high"]


def test_conformal_bounds_are_order_statistics() -> None:
    errors = np.arange(1.0, 40.0)  # 39 placebos: with 95 %, the bounds are the extremes
    assert impact.conformal_bounds(errors, 0.95) == (1.0, 39.0)
    errors = np.arange(1.0, 400.0)
    lo, hi = impact.conformal_bounds(errors, 0.90)
    assert lo == 20.0 and hi == 380.0  # floor(400 * 0.05) = 20th and ceil(400 * 0.95) = 380th


def test_planted_campaigns_are_covered_and_zero_effects_not_significant(demo_db: Path) -> None:
    """The issue's scores on the simulator's campaigns (known uplift, a third with none)."""
    with Observatory.open(demo_db) as obs:
        truth = obs.frame("SELECT campaign_id, uplift FROM sim_campaigns ORDER BY campaign_id")
        rows = [{"campaign_id": cid, **{k: obs.impact(cid)[0]["during"][k] for k in ("uplift_low", "uplift_high",
                 "significant")}} for cid in truth["campaign_id"].to_list()]  # fmt: skip
    score = score_campaigns(pl.DataFrame(rows), truth)
    assert score.planted == truth.height >= 40 and score.zero_effect >= 10
    assert score.coverage >= 0.9, score
    # 95 % intervals: a zero effect is called significant 5 % of the time. Among the demo's 15-odd zero-effect
    # campaigns, 4 or more false alarms happen by chance less than 1 time in 100 (binomial): more means the
    # estimator is overconfident. The 0.9 target itself is measured on 300 campaigns by `make bench`.
    false_alarms = round((1 - score.zero_not_significant) * score.zero_effect)
    assert false_alarms <= 3, score
    assert score.power >= 0.2, score  # it does see large effects (small towns are noisy: see the bench)


def test_campaign_bad_input_is_explained(demo_copy: Path) -> None:
    with Observatory.open(demo_copy, read_only=False) as obs:
        first = obs.frame("SELECT campaign_id, commune_code, start_date, end_date FROM sim_campaigns LIMIT 1").row(
            0, named=True
        )
        code = first["commune_code"]
        cases = [
            ({"start": "2024-03-10", "end": "2024-03-01"}, "avant"),
            ({"start": str(date.today() + timedelta(days=30)), "end": str(date.today() + timedelta(days=40))}, "futur"),
            ({"start": str(first["start_date"]), "end": str(first["end_date"])}, "déjà une campagne"),
            ({"start": "2024-03-01", "end": "2024-03-10", "cost": -5.0}, "Coût"),
            ({"start": "2024-03-01", "end": "2024-03-10", "name": "  "}, "nom"),
        ]
        for extra, needle in cases:
            args = {"name": "Essai", "communes": [code], **extra}
            with pytest.raises(BelvedereError, match=needle):
                obs.add_campaign(args.pop("name"), args.pop("communes"), args.pop("start"), args.pop("end"), **args)
        with pytest.raises(UnknownCampaignError):
            obs.impact(999_999)
        # too short a pre-period: the data start on 2023-01-01
        short = obs.add_campaign("Tôt", [code], "2023-01-20", "2023-01-30")
        with pytest.raises(BelvedereError, match="Trop peu d'historique"):
            obs.impact(short)
        # a commune without audience in the store
        silent = obs.frame("SELECT code FROM communes WHERE code NOT IN (SELECT commune_code FROM articles) LIMIT 1")[
            0, 0
        ]
        none = obs.add_campaign("Sans données", [silent], "2024-03-01", "2024-03-10")
        with pytest.raises(BelvedereError, match="Pas d'audience"):
            obs.impact(none)
        # not over in the data yet
        late = obs.add_campaign("Trop récente", [code], "2024-12-20", "2025-01-05")
        with pytest.raises(BelvedereError, match="pas couverte"):
            obs.impact(late)
        obs.remove_campaign(late)
        assert late not in obs.campaigns()["campaign_id"].to_list()


def test_campaign_cli_round_trip(demo_copy: Path) -> None:
    with Observatory.open(demo_copy) as obs:
        code = obs.frame(
            "SELECT commune_code FROM articles WHERE commune_code NOT IN (SELECT commune_code FROM campaign_communes) "
            "ORDER BY commune_code LIMIT 1"
        )[0, 0]
    added = run_cli("campaign", "add", "--communes", code, "--name", "Vidéos des commerces", "--start", "2024-05-06",
                    "--end", "2024-05-26", "--channel", "réseaux sociaux", "--cost", "1200", db=demo_copy)  # fmt: skip
    assert added.returncode == 0, added.stderr
    cid = int(added.stdout.split("n°")[1].split()[0])
    listed = json.loads(run_cli("campaign", "list", "--commune", code, "-f", "json", db=demo_copy).stdout)
    assert [c["campaign_id"] for c in listed] == [cid] and listed[0]["cost"] == 1200
    shown = run_cli("impact", str(cid), db=demo_copy, env={"COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    assert "Pendant la campagne" in shown.stdout and "Contrefactuel" in shown.stdout
    data = json.loads(run_cli("impact", str(cid), "-f", "json", db=demo_copy).stdout)
    assert data[0]["code"] == code and data[0]["during"]["uplift_low"] <= data[0]["during"]["uplift_high"]
    clash = run_cli("campaign", "add", "--communes", code, "--name", "Doublon", "--start", "2024-05-20",
                    "--end", "2024-06-02", db=demo_copy)  # fmt: skip
    assert clash.returncode == 1 and f"n° {cid}" in clash.stderr
    assert run_cli("campaign", "remove", str(cid), db=demo_copy).returncode == 0
    gone = run_cli("impact", str(cid), db=demo_copy)
    assert gone.returncode == 1 and "inconnue" in gone.stderr


def test_an_impact_without_the_national_panel_is_the_same(demo_copy: Path) -> None:
    """With the figures kept, a campaign's impact reads its commune's days and its donors' alone (the
    closest candidates, a chunk at a time) instead of every commune's: the same donors, the same
    estimate, and all of France never loaded for one page."""
    run_cli("compute", db=demo_copy, check=True)
    with Observatory.open(demo_copy) as lazy:
        ids = lazy.frame("SELECT campaign_id FROM sim_campaigns ORDER BY campaign_id")["campaign_id"].to_list()
        alone = {i: lazy.impact(i) for i in ids}
        assert lazy._nat(None, None).loaded is None
    with Observatory.open(demo_copy) as whole:
        assert whole._nat(None, None).panel is not None
        assert {i: whole.impact(i) for i in ids} == alone
    assert len(ids) >= 10 and sum(r[0]["donors"] for r in alone.values()) > 0
