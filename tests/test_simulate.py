from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from belvedere.errors import BelvedereError
from belvedere.sources.simulate import SimulationParams, simulate
from belvedere.store import Store
from belvedere.store.queries import commune_daily
from tests.conftest import DEMO_END, DEMO_START


def _fingerprint(store: Store) -> tuple:
    return store.con.execute(
        "SELECT count(*), sum(views), sum(hash(a.commune_code, p.date, p.access, p.agent, p.views)) "
        "FROM pageviews p JOIN articles a USING (article_id)"
    ).fetchall()[0]


def _run(reference_db: Path, tmp_path: Path, name: str, seed: int, codes: list[str]) -> tuple:
    path = tmp_path / f"{name}.duckdb"
    shutil.copy(reference_db, path)
    with Store(path) as store:
        simulate(store, codes, SimulationParams(seed=seed, start=date(2024, 1, 1), end=date(2024, 6, 30)))
        truth = store.con.execute("SELECT * FROM sim_spikes ORDER BY ALL").fetchall()
        return _fingerprint(store), truth


def test_same_seed_same_store_other_seed_other_store(reference_db: Path, tmp_path: Path) -> None:
    codes = ["61074", "01015", "74056", "06088", "29019", "33063", "65138", "71076"]
    a = _run(reference_db, tmp_path, "a", 3, codes)
    b = _run(reference_db, tmp_path, "b", 3, codes)
    c = _run(reference_db, tmp_path, "c", 4, codes)
    assert a == b
    assert a[0] != c[0]


def test_rerun_replaces_instead_of_duplicating(reference_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "twice.duckdb"
    shutil.copy(reference_db, path)
    params = SimulationParams(seed=1, start=date(2024, 1, 1), end=date(2024, 1, 31))
    with Store(path) as store:
        simulate(store, ["61074", "01015"], params)
        first = _fingerprint(store)
        simulate(store, ["61074", "01015"], params)
        assert _fingerprint(store) == first
        assert first[0] == 2 * 31 * 4  # dense: 3 user accesses + automated desktop, every day


def test_store_is_marked_simulated(demo_store: Store) -> None:
    assert demo_store.simulated
    sources = {r[0] for r in demo_store.con.execute("SELECT DISTINCT source FROM articles").fetchall()}
    assert sources == {"simulated"}
    log = demo_store.con.execute(
        "SELECT count(*) FROM ingest_log WHERE source = 'simulated' AND start_date = ? AND end_date = ?",
        [DEMO_START, DEMO_END],
    ).fetchall()[0][0]
    assert log == 4


def test_level_grows_sub_linearly_with_population(demo_store: Store) -> None:
    df = demo_store.frame(
        "SELECT c.population, sum(p.views) / count(DISTINCT p.date) AS daily FROM pageviews p "
        "JOIN articles a USING (article_id) JOIN communes c ON c.code = a.commune_code "
        "WHERE p.agent = 'user' GROUP BY ALL"
    )
    slope, _ = np.polyfit(np.log(df["population"].to_numpy()), np.log(df["daily"].to_numpy()), 1)
    assert 0.4 < slope < 0.8
    spread = np.log(df["daily"].to_numpy()).std()
    assert spread > 1.0  # wide spread between towns


def test_profiles_shape_seasons(demo_store: Store) -> None:
    df = demo_store.frame(
        """
        SELECT s.profile,
               sum(p.views) FILTER (WHERE month(p.date) IN (7, 8)) / sum(p.views) AS summer_share,
               sum(p.views) FILTER (WHERE month(p.date) IN (12, 1, 2, 3)) / sum(p.views) AS winter_share
        FROM pageviews p JOIN articles a USING (article_id) JOIN sim_profiles s ON s.commune_code = a.commune_code
        WHERE p.agent = 'user' GROUP BY s.profile
        """
    )
    shares = {r["profile"]: r for r in df.to_dicts()}
    assert shares["coast"]["summer_share"] > shares["plain"]["summer_share"] + 0.1
    assert shares["mountain"]["winter_share"] > shares["plain"]["winter_share"] + 0.1


def test_planted_spikes_are_visible_in_the_data(demo_store: Store) -> None:
    truth = demo_store.frame("SELECT * FROM sim_spikes WHERE peak_ratio >= 3")
    assert truth.height >= 20
    daily = commune_daily(demo_store, None, DEMO_START, DEMO_END).group_by("code", "date").agg(pl.col("views").sum())
    visible = 0
    for spike in truth.to_dicts():
        s = daily.filter(pl.col("code") == spike["commune_code"])
        window = s.filter(
            pl.col("date").is_between(spike["peak_date"] - timedelta(days=28), spike["peak_date"] - timedelta(days=7))
        )["views"]
        peak = s.filter(pl.col("date") == spike["peak_date"])["views"][0]
        if peak > 1.8 * max(window.median(), 1):
            visible += 1
    assert visible / truth.height > 0.9


def test_shared_events_lift_several_towns_within_a_day(demo_store: Store) -> None:
    events = demo_store.frame(
        "SELECT shared_event, count(*) AS towns, min(peak_date) AS first, max(peak_date) AS last "
        "FROM sim_spikes WHERE shared_event IS NOT NULL GROUP BY shared_event"
    )
    assert events.height >= 5
    assert (events["towns"] >= 2).all()
    assert ((events["last"] - events["first"]).dt.total_days() <= 2).all()


def test_the_clickstream_tells_where_readers_came_from(demo_store: Store) -> None:
    """Every whole month has its clickstream, published as Wikimedia does (pairs over 10 readers);
    tourist towns are found through search engines more often; the article behind a spike sends a
    share of its extra readers, in the spike's month, and never before it."""
    held = demo_store.frame("SELECT month FROM clickstream_files ORDER BY month")["month"].to_list()
    assert held[0] == DEMO_START and len(held) == 24
    clicks = demo_store.frame(
        "SELECT c.month, a.commune_code AS code, c.prev, c.type, c.n "
        "FROM clickstream c JOIN articles a USING (article_id)"
    )
    assert clicks["n"].min() >= 11 and set(clicks["type"].unique()) == {"link", "external", "other"}
    profiles = demo_store.frame("SELECT commune_code AS code, profile FROM sim_profiles")
    search = (clicks.group_by("code").agg((pl.col("n").filter(pl.col("prev") == "other-search").sum()
                                           / pl.col("n").sum()).alias("search")).join(profiles, on="code"))  # fmt: skip
    by_profile = dict(search.group_by("profile").agg(pl.col("search").median()).iter_rows())
    assert by_profile["coast"] > by_profile["plain"] + 0.02  # 0.62 against 0.5 of all readers, less once published
    planted = demo_store.frame("SELECT * FROM sim_spikes WHERE cause IS NOT NULL AND expected_excess > 2000")
    assert planted.height >= 10
    for r in planted.iter_rows(named=True):
        sent = clicks.filter((pl.col("code") == r["commune_code"]) & (pl.col("prev") == r["cause"]))
        peak_month = r["peak_date"].replace(day=1)
        assert sent.height and sent["month"].min() == peak_month, r
        assert sent["n"].sum() <= r["expected_excess"]


def test_the_season_s_visitors_read_on_their_phones(demo_store: Store) -> None:
    """Mobile as on-site demand, planted: in tourist towns the season's readers are on their phones,
    so the busiest months' mobile share exceeds the rest of the year's; plain towns barely move. The
    page and the typology say it."""
    from belvedere.api import Observatory
    from belvedere.present import on_site_words

    obs = Observatory(demo_store)
    typed = obs.typology_frame().join(demo_store.frame("SELECT commune_code AS code, profile FROM sim_profiles"),
                                      on="code")  # fmt: skip
    lift = dict(typed.group_by("profile").agg(pl.col("mobile_season_lift").median()).iter_rows())
    assert lift["coast"] > 0.08 and lift["mountain"] > 0.08 and abs(lift["plain"]) < 0.04
    coast = typed.filter((pl.col("profile") == "coast") & (pl.col("typology") == "seasonal-coast"))
    assert coast.height >= 10 and coast["explanation"].str.contains("visiteurs sur place").mean() >= 0.9
    card = obs.profile(coast["code"][0])
    assert "des visiteurs sur place consultent l'article" in (on_site_words(card) or "")


def test_impact_says_when_only_phones_moved() -> None:
    from belvedere import messages as M

    mobile = {"uplift": 0.18, "uplift_low": 0.06, "uplift_high": 0.30}
    only = M.impact_mobile({"mobile_during": mobile, "during": {"significant": False}})
    assert only is not None and "Sur téléphone seul, l'effet est net" in only and "+18" in only
    both = M.impact_mobile({"mobile_during": mobile, "during": {"significant": True}})
    assert both is not None and "Sur téléphone seul" not in both


def test_bot_bursts_are_in_the_automated_agent(demo_store: Store) -> None:
    bots = demo_store.frame("SELECT * FROM sim_bots")
    assert bots.height >= 3
    for bot in bots.to_dicts():
        auto = demo_store.con.execute(
            "SELECT p.date, p.views FROM pageviews p JOIN articles a USING (article_id) "
            "WHERE a.commune_code = ? AND p.agent = 'automated' AND p.date BETWEEN ? AND ?",
            [bot["commune_code"], bot["date"] - timedelta(days=10), bot["date"] + timedelta(days=10)],
        ).fetchall()
        on_day = dict(auto)[bot["date"]]
        others = [v for d, v in auto if d != bot["date"]]
        assert on_day > 5 * max(np.median(others), 1)


def test_mobile_share_is_plausible(demo_store: Store) -> None:
    shares = dict(
        demo_store.con.execute(
            "SELECT access::VARCHAR, sum(views) / (SELECT sum(views) FROM pageviews WHERE agent = 'user') "
            "FROM pageviews WHERE agent = 'user' GROUP BY 1"
        ).fetchall()
    )
    assert 0.5 < shares["mobile-web"] < 0.7
    assert 0.01 < shares["mobile-app"] < 0.08


def test_refuses_a_store_with_real_audience(ref_store: Store) -> None:
    ref_store.con.execute(
        "INSERT INTO articles (project, title, commune_code, verified, source) VALUES "
        "('fr.wikipedia', 'Carrouges', '61074', TRUE, 'wikidata')"
    )
    ref_store.con.execute(
        "INSERT INTO pageviews SELECT article_id, DATE '2024-01-01', 'desktop', 'user', 5 FROM articles"
    )
    with pytest.raises(BelvedereError, match="réelles"):
        simulate(ref_store, ["61074"], SimulationParams(seed=1, start=date(2024, 1, 1), end=date(2024, 1, 2)))
    assert ref_store.con.execute("SELECT count(*) FROM pageviews").fetchall()[0][0] == 1
    assert not ref_store.simulated


def test_simulated_articles_have_facts_tied_to_their_audience(demo_store: Store) -> None:
    """Every simulated article gets facts (labelled simulated where shown), and the planted relation
    is there: communes seen more than their size predicts have longer, more often illustrated articles."""
    from belvedere import present

    df = demo_store.frame(
        """SELECT c.population, f.length, f.lead_image IS NOT NULL AS illustrated, f.refs, f.last_edit,
                  sum(p.views)::DOUBLE AS views
           FROM article_facts f JOIN articles a USING (article_id) JOIN communes c ON c.code = a.commune_code
           JOIN pageviews p USING (article_id)
           WHERE a.source = 'simulated' AND p.agent = 'user' AND c.population > 0 GROUP BY ALL"""
    )
    articles = demo_store.con.execute("SELECT count(*) FROM articles WHERE source = 'simulated'").fetchall()[0][0]
    assert demo_store.con.execute("SELECT count(*) FROM article_facts").fetchall()[0][0] == articles
    # attention beyond size: the residual of log views on log population
    x, y = np.log(df["population"].to_numpy().astype(float)), np.log(df["views"].to_numpy())
    residual = y - np.polyval(np.polyfit(x, y, 1), x)
    above = residual > np.median(residual)
    lengths = np.log(df["length"].to_numpy()) - 0.22 * x
    assert lengths[above].mean() - lengths[~above].mean() > 0.2
    assert df["illustrated"].to_numpy()[above].mean() > df["illustrated"].to_numpy()[~above].mean()
    assert df["last_edit"].max().date() <= DEMO_END  # never edited after the simulated audience ends
    words = present.facts_source({"title": "X", "article_source": "simulated", "read_at": None, "peers": {}})
    assert "SIMULÉES" in words and "lues sur Wikipédia" in words  # "pas lues sur Wikipédia"
