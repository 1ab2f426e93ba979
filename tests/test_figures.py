"""National figures kept in the store: computed once, read back identical, never used stale, and
read without loading every commune's days for the questions about one commune or a ranking."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl

from belvedere import figures
from belvedere.api import ALONE_READS, Observatory
from belvedere.store import Store
from tests.conftest import run_cli


def _answers(obs: Observatory, code: str) -> dict:
    alone = obs.spikes(code).drop("annotations")  # first: one commune's rows of the kept figures, read alone
    view = obs.commune_view(code)
    return {
        "commune_spikes": alone,
        "ranking": obs.ranking(scope="all"),
        "typology": obs.typology(),
        "events": obs.events().drop("annotations"),
        "spikes": obs.spikes(scope="all").drop("annotations"),
        "groups": obs.groups(),
        "profile": json.dumps(view.profile, default=str, sort_keys=True),
        "series": view.series,
        "peers": view.peers,
    }


def test_kept_figures_give_the_same_answers_without_loading_the_panel(demo_copy: Path) -> None:
    with Observatory(Store(demo_copy, read_only=True)) as fresh:
        fresh.national_frames()  # everything computed in memory, as a server holds it after its warm-up
        code = fresh.spikes(scope="pvd")["code"].sort()[0]  # a PVD with spikes
        computed = _answers(fresh, code)
        assert computed["commune_spikes"].height > 0
    with Observatory(Store(demo_copy)) as obs:
        start, end = figures.compute(obs, kind=figures.STANDARD)
    with Observatory(Store(demo_copy, read_only=True)) as obs:
        kept = _answers(obs, code)
        nat = obs._nat(None, None)
        assert nat.loaded is None  # the ranking, the typology and one commune's page without every commune's days
    for name, value in computed.items():
        if isinstance(value, pl.DataFrame):
            assert kept[name].equals(value), name
        else:
            assert kept[name] == value, name
    runs = figures.runs(Store(demo_copy, read_only=True))
    assert runs.select("period_start", "period_end", "current").rows() == [(start, end, True)]


def test_a_command_about_one_commune_reads_no_national_spikes_and_a_server_reads_them_once(demo_copy: Path) -> None:
    """Kept figures are read by kind when asked: a profile reads the typology and the commune's own
    spikes; past a few communes the national spikes are read once, the same rows either way; spikes
    read later than the rest are never those of another state of the store."""
    with Observatory(Store(demo_copy)) as obs:
        start, end = figures.compute(obs)
        computed = obs.spikes(scope="all").drop("annotations")
    codes = computed["code"].unique().sort().to_list()[: ALONE_READS + 3]
    with Observatory(Store(demo_copy, read_only=True)) as obs:
        obs.profile(codes[0])
        nat = obs._nat(None, None)
        assert nat.spikes is None and nat.kept_stamp is not None  # one commune: its rows alone
        for i, code in enumerate(codes):
            mine = obs.spikes(code).drop("annotations", "name")
            assert mine.equals(computed.filter(pl.col("code") == code).drop("name").sort("start")), code
            assert (nat.spikes is None) == (i + 1 < ALONE_READS), i  # the profile read first; the 4th reads all
        stamp = nat.kept_stamp
    with Store(demo_copy) as store:  # new audience logged: what was kept before is not read as current
        store.con.execute("INSERT INTO ingest_log (source, status, fetched_at) VALUES ('rest_api', 'ok', now())")
        assert figures.read_kind(store, start, end, "spikes", stamp) is None
        assert figures.commune_spikes(store, start, end, codes[0], stamp) is None


def test_figures_are_never_used_stale(demo_copy: Path) -> None:
    with Observatory(Store(demo_copy)) as obs:
        start, end = figures.compute(obs)
        before = obs.ranking(scope="all")
    code = before["code"][-1]  # the least viewed: a big day lifts it
    with Store(demo_copy) as store:  # new audience, as a fetch would write it (with its log line)
        store.con.execute(
            "UPDATE pageviews SET views = views + 1000000 WHERE date = ? AND agent = 'user' AND access = 'desktop' "
            "AND article_id IN (SELECT article_id FROM articles WHERE commune_code = ?)",
            [end, code],
        )
        store.con.execute("INSERT INTO ingest_log (source, status, fetched_at) VALUES ('rest_api', 'ok', now())")
        assert figures.load(store, start, end) is None
        assert figures.runs(store)["current"].to_list() == [False]
    with Observatory(Store(demo_copy, read_only=True)) as obs:
        after = obs.ranking(scope="all")
    assert after.filter(pl.col("code") == code)["rank"][0] < before.filter(pl.col("code") == code)["rank"][0]


def test_compute_command_and_info(demo_copy: Path) -> None:
    out = run_cli("compute", "--start", "2024-01-01", "--end", "2024-06-30", db=demo_copy, check=True)
    assert "1er janv. 2024" in out.stdout and "30 juin 2024" in out.stdout and "1 période(s)" in out.stdout
    info = json.loads(run_cli("info", "--format", "json", db=demo_copy, check=True).stdout)
    assert info["figures"] == [{"start": "2024-01-01", "end": "2024-06-30", "current": True}]
    with Store(demo_copy, read_only=True) as store:
        assert figures.load(store, date(2024, 1, 1), date(2024, 6, 30)) is not None
    bad = run_cli("compute", "--start", "2031-01-01", db=demo_copy)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


def test_a_reading_command_that_computed_figures_says_how_to_keep_them(demo_copy: Path) -> None:
    """A reading command never writes: when it had to compute national figures, it says which
    command keeps them; once kept, it reads them and says nothing."""
    asked = ("--start", "2024-01-01", "--end", "2024-06-30")
    first = run_cli("rank", *asked, "--format", "json", db=demo_copy, check=True)
    assert "belvedere compute --start 2024-01-01 --end 2024-06-30" in first.stderr
    assert "1er janv. 2024" in first.stderr and "30 juin 2024" in first.stderr
    json.loads(first.stdout)  # the output itself is untouched
    whole = run_cli("rank", "--format", "json", db=demo_copy, check=True)
    assert "« belvedere compute »" in whole.stderr  # the default period: a standard one
    run_cli("compute", *asked, db=demo_copy, check=True)
    again = run_cli("rank", *asked, "--format", "json", db=demo_copy, check=True)
    assert "belvedere compute" not in again.stderr
    assert json.loads(again.stdout) == json.loads(first.stdout)


def test_an_ingest_refreshes_the_kept_figures(tmp_path: Path, prepared_db: Path) -> None:
    """A store that keeps figures has them computed again after new audience comes in, so that the
    commands after it read current figures instead of computing them each time."""
    import gzip
    import shutil

    db = tmp_path / "s.duckdb"
    shutil.copy(prepared_db, db)
    files = tmp_path / "files"
    files.mkdir()

    def day(d: date, views: int) -> list[str]:
        out = []
        for h in range(24):
            f = files / f"pageviews-{d:%Y%m%d}-{h:02d}0000.gz"
            f.write_bytes(gzip.compress(f"fr Carrouges {views} 0\nfr Orange 3 0\nfr.m Paris 5 0\n".encode()))
            out.append(str(f))
        return out

    run_cli("ingest", *day(date(2024, 3, 1), 2), db=db, check=True)
    run_cli("ingest", *day(date(2024, 3, 2), 2), db=db, check=True)
    run_cli("compute", db=db, check=True)  # the standard periods: here the whole audience, 1-2 March
    run_cli("compute", "--start", "2024-03-01", "--end", "2024-03-01", db=db, check=True)  # and one asked
    with Store(db, read_only=True) as store:
        asked_at = figures.runs(store).filter(pl.col("kind") == figures.ASKED)["computed_at"].to_list()
    out = run_cli("ingest", *day(date(2024, 3, 3), 7), db=db, check=True)
    assert "recalculés" in out.stdout and "3 mars 2024" in out.stdout
    with Store(db, read_only=True) as store:
        kept = figures.runs(store)
        # the whole audience's period, moved to 3 March; the one asked, untouched by the new day: still
        # current, not computed again; the former standard period, dropped
        assert kept.select("period_start", "period_end", "kind", "current").rows() == [
            (date(2024, 3, 1), date(2024, 3, 1), figures.ASKED, True),
            (date(2024, 3, 1), date(2024, 3, 3), figures.STANDARD, True),
        ]
        assert kept.filter(pl.col("kind") == figures.ASKED)["computed_at"].to_list() == asked_at
        assert figures.load(store, date(2024, 3, 1), date(2024, 3, 3)) is not None
    run_cli("ingest", "--replace", *day(date(2024, 3, 1), 9), db=db, check=True)  # a day of it rewritten
    with Store(db, read_only=True) as store:
        assert figures.runs(store)["current"].to_list() == [True, True]  # both computed again


def test_standard_periods() -> None:
    assert figures.standard_periods(date(2023, 11, 30), date(2026, 11, 29)) == [
        (date(2023, 11, 30), date(2026, 11, 29)),  # the whole audience, which is also the last 3 years
        (date(2025, 11, 30), date(2026, 11, 29)),  # the last 12 months
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 12, 31)),
    ]
    assert figures.standard_periods(date(2020, 1, 1), date(2024, 2, 29))[:3] == [
        (date(2020, 1, 1), date(2024, 2, 29)),
        (date(2023, 3, 1), date(2024, 2, 29)),
        (date(2021, 3, 1), date(2024, 2, 29)),
    ]
    assert figures.standard_periods(date(2024, 3, 1), date(2024, 3, 2)) == [(date(2024, 3, 1), date(2024, 3, 2))]


def test_the_profile_is_exactly_its_typed_description(demo_store: Store) -> None:
    from belvedere.api import Profile

    obs = Observatory(demo_store)
    code = obs.ranking(scope="pvd")["code"][0]
    assert set(obs.profile(code)) == set(Profile.__annotations__)


def test_a_commune_without_audience_reads_an_empty_panel(ref_store: Store) -> None:
    from belvedere.store.queries import load_panel

    panel = load_panel(ref_store, date(2024, 1, 1), date(2024, 1, 31), ["61074"])
    assert panel.codes == [] and panel.days == 31 and panel.start == date(2024, 1, 1)


def test_a_period_inside_a_loaded_one_is_sliced_exactly_as_read(demo_store: Store) -> None:
    """After the whole audience, the last 12 months are cut from its panel, not read again: the
    same communes and the same cells as reading them from the store."""
    import numpy as np

    from belvedere.store.queries import load_panel

    first, last = demo_store.con.execute("SELECT min(date), max(date) FROM pageviews").fetchall()[0]
    whole = load_panel(demo_store, first, last)
    inside = date(last.year, 1, 1), last
    cut, read = whole.between(*inside), load_panel(demo_store, *inside)
    assert cut.codes == read.codes and cut.start == read.start and cut.days == read.days > 300
    for part in ("desktop", "mobile_web", "mobile_app", "automated", "covered"):
        assert np.array_equal(getattr(cut, part), getattr(read, part)), part
    obs = Observatory(demo_store)
    obs.kept_figures = False
    obs.panel(first, last)  # the whole panel loaded: the year inside it is then cut from it
    assert obs.ranking(*inside, scope="all").equals(Observatory(demo_store).ranking(*inside, scope="all"))
