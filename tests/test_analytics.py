"""Analytics on a real store: the panel loader, the Python API, scores against the simulated
truth, and the CLI as a user runs it."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from belvedere.analysis.panel import Panel
from belvedere.analysis.scoring import score_events, score_spikes, score_typology
from belvedere.api import Observatory
from belvedere.reference.lookup import select_communes
from belvedere.store import Store
from belvedere.store.queries import commune_daily, load_panel
from tests.conftest import DATA, DEMO_END, DEMO_START, run_cli


@pytest.fixture(scope="module")
def obs(demo_db: Path) -> Observatory:
    o = Observatory.open(demo_db)
    yield o
    o.close()


# --- the panel ----------------------------------------------------------------------------------
def test_streamed_panel_equals_the_long_frame_and_sums_redirects(demo_copy: Path) -> None:
    with Store(demo_copy) as store:
        code = store.con.execute("SELECT min(commune_code) FROM articles").fetchall()[0][0]
        store.con.execute(
            "INSERT INTO articles (project, title, commune_code, redirect_of, verified, source) "
            "SELECT project, title || '_(ancien)', commune_code, article_id, FALSE, 'simulated' FROM articles "
            "WHERE commune_code = ?",
            [code],
        )
        store.con.execute(
            "INSERT INTO pageviews SELECT article_id, DATE '2024-03-02', 'mobile-web', 'user', 11 FROM articles "
            "WHERE redirect_of IS NOT NULL"
        )
        # a day the commune was not fetched for its readers: not covered
        store.con.execute(
            "DELETE FROM pageviews WHERE agent = 'user' AND date = DATE '2024-03-05' AND article_id IN "
            "(SELECT article_id FROM articles WHERE commune_code = ?)",
            [code],
        )
        start, end = date(2024, 2, 1), date(2024, 4, 30)
        fast = load_panel(store, start, end)
        slow = Panel.from_frame(commune_daily(store, None, start, end, ("user", "automated", "spider")), start, end)
    assert fast.codes == slow.codes
    for name in ("desktop", "mobile_web", "mobile_app", "automated", "covered"):
        assert (getattr(fast, name) == getattr(slow, name)).all(), name
    i, day = fast.index(code), (date(2024, 3, 2) - start).days
    assert fast.mobile_web[i, day] == slow.mobile_web[i, day]
    gap = (date(2024, 3, 5) - start).days
    assert (~fast.covered).sum() == 1 and not fast.covered[i, gap]
    for panel in (fast, slow):  # what the metrics' sums rely on: no views by access on a day not covered
        assert not any(getattr(panel, a)[~panel.covered].any() for a in ("desktop", "mobile_web", "mobile_app"))


def test_scopes_region_departement_size(demo_store: Store) -> None:
    dep = select_communes(demo_store, "dep:35")
    assert dep and all(c.startswith("35") for c in dep)
    size = select_communes(demo_store, "size:5k-10k")
    pops = demo_store.con.execute("SELECT min(population), max(population) FROM communes WHERE code IN "
                                  "(SELECT unnest(?))", [size]).fetchall()[0]  # fmt: skip
    assert 5000 <= pops[0] and pops[1] < 10000
    assert len(select_communes(demo_store, "region:53")) > 1000  # Bretagne


# --- scores against the simulated truth ----------------------------------------------------------
def test_spike_detection_scores_on_planted_truth(obs: Observatory) -> None:
    spikes = obs.spikes()
    planted = obs.store.frame("SELECT * FROM sim_spikes")
    bots = obs.store.frame("SELECT * FROM sim_bots")
    visible = obs.metrics().filter(pl.col("mean_daily_views") >= 10)["code"].to_list()
    score = score_spikes(spikes, planted, bots, codes=visible)
    assert score.planted >= 150
    assert score.recall >= 0.9, score
    assert score.precision >= 0.9, score
    every = score_spikes(spikes, planted, bots)
    assert every.precision >= 0.9
    assert every.bots_planted > 0 and every.bots_reported_as_spikes == 0


def test_shared_events_match_planted_events(obs: Observatory) -> None:
    planted = obs.store.frame("SELECT * FROM sim_spikes")
    events = obs.events()
    score = score_events(events, planted, obs.spikes())
    assert score.planted >= 5
    assert score.precision >= 0.8, score
    assert score.recall >= 0.7, score
    # each is named after the programme the simulator put behind it, which fed most of its towns
    named = events.filter(pl.col("evidence") == "referrer")
    assert named.height >= 0.7 * score.planted
    for referrer, codes in named.select("referrer", "codes").iter_rows():
        behind = planted.filter(pl.col("cause") == referrer)
        assert behind.height and set(codes) <= set(behind["commune_code"].to_list()), referrer


def test_timing_alone_finds_events_without_false_ones(obs: Observatory) -> None:
    """Without clickstream, the timing test still finds the larger planted events, and says how many
    coincidences chance alone would give."""
    from belvedere.analysis.events import shared_events

    spikes = obs.spikes()
    first, last = obs.period()
    events = shared_events(spikes, None, days_in_scope=(last - first).days + 1)
    score = score_events(events, obs.store.frame("SELECT * FROM sim_spikes"), spikes)
    assert events.height >= 3 and set(events["evidence"].to_list()) == {"timing"}
    assert score.precision >= 0.8, score
    assert 0 < events["expected_chance"][0] < 1


def test_typology_agrees_with_the_simulated_profiles(obs: Observatory) -> None:
    agreement, confusion = score_typology(obs.typology(), obs.store.frame("SELECT * FROM sim_profiles"))
    assert agreement >= 0.9, confusion
    coast = confusion.filter((pl.col("truth") == "seasonal-coast") & (pl.col("predicted") == "seasonal-coast"))
    assert coast["len"].sum() >= 20


def test_surplus_fit_recovers_the_generator_exponent(obs: Observatory) -> None:
    slope = obs.metrics()["surplus_fit_slope"][0]
    assert 0.55 < slope < 0.75  # the simulator draws views ~ population^0.65


# --- the Python API ------------------------------------------------------------------------------
def test_profile_has_the_documented_fields(obs: Observatory) -> None:
    code = obs.store.con.execute("SELECT min(code) FROM pvd WHERE code IN (SELECT commune_code FROM articles)"
                                 ).fetchall()[0][0]  # fmt: skip
    p = obs.profile(code)
    for key in ("code", "name", "population", "total_views", "mean_daily_views", "views_per_inhabitant",
                "rank_pvd", "rank_size_class", "visibility_surplus", "typology"):  # fmt: skip
        assert p[key] is not None, key
    assert p["start"] == DEMO_START and p["end"] == DEMO_END and p["simulated"] is True
    assert 1 <= p["rank_pvd"] <= p["n_pvd"] == 200
    same = obs.ranking(scope="pvd").filter(pl.col("code") == code)["rank"][0]
    assert same == p["rank_pvd"]
    assert abs(p["views_per_inhabitant"] - p["total_views"] / p["population"]) < 1e-9


def test_period_errors_are_explained(obs: Observatory) -> None:
    from belvedere.errors import BelvedereError

    with pytest.raises(BelvedereError, match="fin"):
        obs.metrics("2024-05-01", "2024-04-01")
    with pytest.raises(BelvedereError, match="couvre"):
        obs.metrics("2030-01-01", "2030-02-01")
    with pytest.raises(BelvedereError, match="invalide"):
        obs.metrics("2024-13-01")


def test_annotations_attach_to_spikes_and_events(demo_copy: Path) -> None:
    from belvedere.errors import BelvedereError

    with Observatory.open(demo_copy, read_only=False) as o:
        spike = o.spikes(include_bots=False).sort("excess_views", descending=True).row(0, named=True)
        event = o.events().row(0, named=True)
        o.annotate("Reportage au journal de 13 h", commune=spike["code"], on=spike["peak"],
                   url="https://example.org/reportage", category="TV")  # fmt: skip
        o.annotate("Émission nationale", on=event["start"], category="tv", shared=True)
        with pytest.raises(BelvedereError, match="Catégorie"):
            o.annotate("x", commune=spike["code"], on=spike["peak"], category="nope")
        with pytest.raises(BelvedereError, match="Lien"):
            o.annotate("x", commune=spike["code"], on=spike["peak"], url="javascript:alert(1)")
    with Observatory.open(demo_copy) as o:
        notes = o.spikes(spike["code"]).filter(pl.col("peak") == spike["peak"])["annotations"][0].to_list()
        assert notes[0]["text"] == "Reportage au journal de 13 h" and notes[0]["category"] == "tv"
        ev_notes = o.events().filter(pl.col("start") == event["start"])["annotations"][0].to_list()
        assert ev_notes[0]["text"] == "Émission nationale"
        assert o.annotations().height == 2


# --- the CLI -------------------------------------------------------------------------------------
def _code(demo_db: Path) -> str:
    with Store(demo_db, read_only=True) as s:
        return s.con.execute("SELECT min(code) FROM pvd WHERE code IN (SELECT commune_code FROM articles)"
                             ).fetchall()[0][0]  # fmt: skip


def test_cli_profile_json(demo_db: Path) -> None:
    out = run_cli("profile", _code(demo_db), "--format", "json", db=demo_db, check=True)
    p = json.loads(out.stdout)
    for key in ("code", "name", "population", "total_views", "mean_daily_views", "views_per_inhabitant",
                "rank_pvd", "rank_size_class", "visibility_surplus", "typology"):  # fmt: skip
        assert key in p
    assert p["start"] == "2023-01-01"


def test_cli_profile_table_is_french_and_labelled(demo_db: Path) -> None:
    out = run_cli("profile", _code(demo_db), db=demo_db, check=True)
    assert "SIMULÉES" in out.stdout
    assert "fois ce que sa taille laisse prévoir" in out.stdout and "Pourquoi" in out.stdout


def test_cli_spikes_json_and_all(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as s:
        code = s.con.execute("SELECT commune_code FROM sim_spikes WHERE peak_ratio > 8 ORDER BY commune_code LIMIT 1"
                             ).fetchall()[0][0]  # fmt: skip
    out = run_cli("spikes", code, "--format", "json", db=demo_db, check=True)
    spikes = json.loads(out.stdout)
    assert spikes and {"start", "peak", "end", "peak_views", "excess_views", "suspected_bot"} <= set(spikes[0])
    date.fromisoformat(spikes[0]["start"])
    everything = run_cli("spikes", "--all", "--scope", "pvd", "--format", "csv", db=demo_db, check=True)
    rows = list(csv.DictReader(io.StringIO(everything.stdout)))
    assert len(rows) > 20 and rows[0]["annotations"] == ""


def test_cli_rank_events_typology(demo_db: Path) -> None:
    rank = run_cli("rank", "--scope", "pvd", "--limit", "5", "--format", "json", db=demo_db, check=True)
    rows = json.loads(rank.stdout)
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["views_per_inhabitant"] >= rows[-1]["views_per_inhabitant"]
    groups = run_cli("rank", "--groups", "--format", "json", db=demo_db, check=True)
    assert "PVD" in {g["group"] for g in json.loads(groups.stdout)}
    by_region = json.loads(run_cli("rank", "--groups", "--by", "region", "-f", "json", db=demo_db, check=True).stdout)
    assert sum(g["communes"] for g in by_region) == 400
    events = json.loads(run_cli("events", "--format", "json", db=demo_db, check=True).stdout)
    assert events and len(events[0]["codes"]) == events[0]["communes"] >= 2
    assert {e["evidence"] for e in events} == {"referrer"} and events[0]["referrer"].startswith("Programme_simulé_")
    table = " ".join(run_cli("events", db=demo_db, check=True).stdout.split())
    assert "Ce qui les relie" in table and "Lecteurs venus de l'article « Programme simulé" in table
    typ = json.loads(run_cli("typology", "--scope", "pvd", "--format", "json", db=demo_db, check=True).stdout)
    assert len(typ) == 200 and all(t["explanation"] for t in typ)
    peers = json.loads(run_cli("peers", _code(demo_db), "-n", "5", "--format", "json", db=demo_db, check=True).stdout)
    assert len(peers) == 6 and peers[0]["is_target"]


def test_cli_annotate_round_trip(demo_copy: Path) -> None:
    with Store(demo_copy, read_only=True) as s:
        code, peak = s.con.execute("SELECT commune_code, peak_date FROM sim_spikes WHERE peak_ratio > 8 "
                                   "ORDER BY commune_code LIMIT 1").fetchall()[0]  # fmt: skip
    out = run_cli("annotate", code, "--date", str(peak), "--text", "Tournage d'un film", "--category", "film",
                  db=demo_copy, check=True)  # fmt: skip
    assert "enregistrée" in out.stdout and "aucun pic" not in out.stderr
    spikes = json.loads(run_cli("spikes", code, "--format", "json", db=demo_copy, check=True).stdout)
    assert any(a["text"] == "Tournage d'un film" for s in spikes for a in (s["annotations"] or []))
    listed = json.loads(run_cli("annotate", "--list", "--format", "json", db=demo_copy, check=True).stdout)
    assert listed[0]["category"] == "film"


def test_cli_spikes_on_a_real_csv_series(tmp_path: Path) -> None:
    """The R article on English Wikipedia, 2008-2015 (log views): a few spikes, none on weekly dips."""
    path = tmp_path / "prophet_example_wp_log_R.csv"
    path.write_bytes(gzip.decompress((DATA / "prophet_example_wp_log_R.csv.gz").read_bytes()))
    out = run_cli("spikes", "--csv", str(path), "--date-column", "ds", "--value-column", "y", "--log-values",
                  "--format", "json", db=tmp_path / "unused.duckdb", check=True)  # fmt: skip
    spikes = json.loads(out.stdout)
    assert 2 <= len(spikes) <= 30  # ~2,900 days
    for s in spikes:
        assert s["peak_views"] > s["baseline_views"] * 1.5  # upward moves only
        assert s["peak_ratio"] >= 1.5


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["profile", "99999"], "99999"),
        (["profile", "01001", "--start", "2024-02-30"], "invalide"),
        (["rank", "--start", "2024-05-01", "--end", "2024-01-01"], "avant"),
        (["rank", "--metric", "nope"], "Indicateur inconnu"),
        (["rank", "--scope", "dep:XX"], "Département inconnu : « XX »"),
        (["spikes"], "--all"),
        (["spikes", "--csv", "/nonexistent.csv"], "introuvable"),
        (["annotate", "01001", "--date", "2024-01-01"], "--text"),
    ],
)
def test_cli_bad_input_one_line(demo_db: Path, args: list[str], needle: str) -> None:
    out = run_cli(*args, db=demo_db)
    assert out.returncode == 1
    assert needle in out.stderr and "Traceback" not in out.stderr


def test_cli_csv_without_the_column(tmp_path: Path) -> None:
    path = tmp_path / "site.csv"
    path.write_text("jour,visites\n2024-01-01,3\n")
    out = run_cli("spikes", "--csv", str(path), "--date-column", "date", db=tmp_path / "x.duckdb")
    assert out.returncode == 1 and "jour, visites" in out.stderr


def test_a_long_table_shows_its_first_rows_and_says_how_to_get_all(demo_db: Path) -> None:
    from belvedere.output import TABLE_ROWS

    everything = json.loads(run_cli("typology", "--scope", "all", "--format", "json", db=demo_db, check=True).stdout)
    assert len(everything) > TABLE_ROWS
    table = run_cli("typology", "--scope", "all", db=demo_db, check=True).stdout
    assert f"les {TABLE_ROWS} premières lignes" in table and "--format csv, tableur ou json" in table
