"""The "territoire numérique" scorecard: percentiles among peers, dimension scores, dimensions
without data said so (never scored), the same record from the CLI and the API."""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from belvedere.analysis.scorecard import DIMENSIONS, percentile_among, scorecard
from belvedere.api import Observatory
from belvedere.store import Store
from tests.conftest import run_cli


def test_percentiles_count_ties_half_and_follow_the_direction() -> None:
    assert percentile_among(5, [1, 2, 5, 9]) == pytest.approx(62.5)  # beats 2, ties 1: (2 + 0.5) / 4
    assert percentile_among(5, [1, 2, 5, 9], higher_is_better=False) == pytest.approx(37.5)
    assert percentile_among(None, [1, 2]) is None and percentile_among(3, []) is None
    assert percentile_among(3, [None, float("nan"), 1]) == 100.0  # unknown peers are not counted


def test_a_dimension_without_data_has_no_score() -> None:
    peers = pl.DataFrame({"views_per_inhabitant": [1.0, 2.0, 3.0, 4.0], "length": [1000, 2000, None, 8000]})
    dims = scorecard({"views_per_inhabitant": 3.5, "length": None}, peers,
                     as_of={"audience": date(2024, 12, 31), "facts": None})  # fmt: skip
    by_key = {d.key: d for d in dims}
    assert [d.key for d in dims] == list(DIMENSIONS)
    views = next(i for i in by_key["notoriete"].indicators if i.key == "views_per_inhabitant")
    assert views.percentile == 75.0 and views.peers == 4 and views.as_of == date(2024, 12, 31)
    assert by_key["notoriete"].score == 75.0  # its other indicators are not in the frame: not counted
    assert by_key["contenus"].score is None  # the commune's article was never read
    assert by_key["animation"].score is None  # its item was never read: its indicators have no value
    assert all(i.value is None and i.percentile is None for i in by_key["animation"].indicators)
    assert by_key["accessibilite"].score is None  # ARCEP's file was never loaded: no value, no score
    assert all(i.value is None and i.percentile is None for i in by_key["accessibilite"].indicators)
    assert by_key["attractivite"].score is None  # the tourism file was never loaded: no value, no score


def test_the_cli_and_the_api_give_the_same_scorecard(demo_db: Path) -> None:
    import httpx

    from belvedere.web.app import create_app
    from tests.conftest import serving

    with Observatory.open(demo_db) as obs:
        code = obs.ranking(scope="pvd")["code"][0]
        sc = obs.scorecard(code)
    out = run_cli("scorecard", code, "--format", "json", db=demo_db, check=True)
    record = json.loads(out.stdout)
    assert [d["key"] for d in record["dimensions"]] == list(DIMENSIONS)
    dims = {d["key"]: d for d in record["dimensions"]}
    access = [i["percentile"] for i in dims["accessibilite"]["indicators"] if i["percentile"] is not None]
    # the demo's ARCEP counts (fibre, 30 Mbit/s, 4G and 5G antennas) and places of digital help are simulated
    assert len(access) == 5 and dims["accessibilite"]["missing"] is None
    assert dims["accessibilite"]["score"] == pytest.approx(sum(access) / 5, abs=0.1)
    length = next(i for i in dims["contenus"]["indicators"] if i["key"] == "length")
    assert set(length) == {"key", "label", "value", "unit", "percentile", "peers", "source", "as_of"}
    # the percentile, computed again from the store: among the PVD of its size class (the demo has enough)
    with Store(demo_db, read_only=True) as store:
        rows = store.con.execute(
            """SELECT a.commune_code, f.length FROM article_facts f JOIN articles a USING (article_id)
               JOIN communes c ON c.code = a.commune_code JOIN pvd USING (code)
               WHERE c.size_class = (SELECT size_class FROM communes WHERE code = ?)
                 AND a.commune_code IN (SELECT commune_code FROM articles JOIN pageviews USING (article_id))""",
            [code],
        ).fetchall()
    mine = next(v for c, v in rows if c == code)
    others = [v for c, v in rows if c != code]
    expected = 100 * (sum(v < mine for v in others) + 0.5 * sum(v == mine for v in others)) / len(others)
    assert length["value"] == mine and length["percentile"] == pytest.approx(expected, abs=0.05)
    assert length["peers"] == len(others) == sc.peers and record["peers"]["group"].startswith("Petites Villes")
    known = [i["percentile"] for i in dims["contenus"]["indicators"] if i["percentile"] is not None]
    assert len(known) >= 6 and dims["contenus"]["score"] == pytest.approx(sum(known) / len(known), abs=0.1)
    assert all({"title", "text", "trigger"} == set(r) for r in record["recommendations"])
    with serving(create_app(demo_db, None)) as url:
        api = httpx.get(f"{url}/api/communes/{code}/scorecard", timeout=120)
        unknown = httpx.get(f"{url}/api/communes/99999/scorecard", timeout=120)
        page = httpx.get(f"{url}/commune/{code}", timeout=120).text
    assert api.status_code == 200 and api.json()["dimensions"] == record["dimensions"]
    assert unknown.status_code == 404 and "99999" in unknown.json()["detail"]
    assert 'id="scorecard"' in page and 'data-dimension="attractivite"' in page
    # each dimension says where its figures come from and their date, simulated ones said so
    from belvedere import messages as M

    mobile = next(i for i in dims["accessibilite"]["indicators"] if i["key"] == "mobile_4g")
    source = mobile["source"].replace(" (belvedere access load)", "")
    said = f"{source} ({M.fr_date(date.fromisoformat(str(mobile['as_of'])))})"
    assert said in html.unescape(page) and "SIMULÉ" in said


def test_the_national_ranking_by_dimension_agrees_with_each_scorecard(demo_db: Path) -> None:
    """Every commune's dimension scores computed at once (ranks within peer groups) equal those of its
    own scorecard, for PVD (among the PVD of their size) and other communes (among all of their size)."""
    import httpx

    from belvedere.analysis.scorecard import scorecard as one_scorecard
    from belvedere.api import MIN_PVD_PEERS
    from belvedere.web.app import create_app
    from tests.conftest import serving

    with Observatory.open(demo_db) as obs:
        scores = obs.dimension_scores()
        frame = obs.indicators()
        codes = [*frame.filter(pl.col("is_pvd"))["code"].head(5), *frame.filter(~pl.col("is_pvd"))["code"].head(5)]
        for code in codes:
            # the plain way: the commune against the frame of its peers, one commune at a time
            me = frame.filter(pl.col("code") == code).row(0, named=True)
            peers = frame.filter((pl.col("size_class") == me["size_class"]) & (pl.col("code") != code))
            if me["is_pvd"] and peers.filter(pl.col("is_pvd")).height >= MIN_PVD_PEERS:
                peers = peers.filter(pl.col("is_pvd"))
            plain = {d.key: d for d in one_scorecard(me, peers, as_of={})}
            row = scores.filter(pl.col("code") == code).row(0, named=True)
            card = obs.scorecard(code)
            assert card.peers == peers.height
            for d in card.dimensions:
                assert row[f"score_{d.key}"] == pytest.approx(plain[d.key].score, abs=1e-9), (code, d.key)
                assert d.score == pytest.approx(plain[d.key].score, abs=1e-9), (code, d.key)
                for mine, other in zip(d.indicators, plain[d.key].indicators, strict=True):
                    assert (mine.key, mine.peers) == (other.key, other.peers)
                    assert mine.percentile == pytest.approx(other.percentile, abs=1e-9), (code, mine.key)
        ranked = obs.ranking(scope="pvd", metric="score_contenus")
    assert ranked["score_contenus"].is_sorted(descending=True) and ranked["rank"][0] == 1
    out = run_cli("rank", "--metric", "score_animation", "--limit", "3", "--format", "json", db=demo_db, check=True)
    assert len(json.loads(out.stdout)) == 3
    with serving(create_app(demo_db, None)) as url:
        api = httpx.get(f"{url}/api/ranking", params={"metric": "score_contenus", "limit": 5}, timeout=120).json()
        page = httpx.get(f"{url}/classement", params={"metric": "score_contenus"}, timeout=120)
    assert [r["code"] for r in api["rows"]] == ranked["code"].head(5).to_list()
    assert api["rows"][0]["score_contenus"] == pytest.approx(ranked["score_contenus"][0])
    assert page.status_code == 200 and "Score contenus (0-100)" in page.text


def test_the_advice_on_the_widest_gap_comes_first() -> None:
    from belvedere import present
    from belvedere.report.recommendations import Recommendation

    record = {"dimensions": [{"indicators": [{"key": "lead_image", "percentile": 12.0},
                                             {"key": "length", "percentile": 3.0},
                                             {"key": "social_accounts", "percentile": 40.0}]}]}  # fmt: skip
    advice = [Recommendation(k, k, "", "") for k in ("mobile", "image", "social", "short")]
    assert [r.key for r in present.by_gap(advice, record)] == ["short", "image", "social", "mobile"]
    assert present.by_gap(advice, None) == advice  # without a scorecard: the rules' order
