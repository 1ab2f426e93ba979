"""National snapshots: exported from a store holding every commune, imported whole or not at all,
and the ranks they give a commune equal those computed on the full store."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from belvedere import present, snapshot
from belvedere.api import Observatory
from belvedere.checksums import sha256_file
from belvedere.errors import BelvedereError
from belvedere.store import Store
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def exported(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snap") / "france.parquet"
    run_cli("snapshot", "export", "--out", str(out), db=demo_db, check=True)
    return out


def test_export_is_compact_checksummed_and_says_what_it_is(exported: Path, demo_db: Path) -> None:
    info = snapshot.read_info(exported)
    assert info.start.day == 1 and (info.end + timedelta(days=1)).day == 1  # whole months
    assert info.simulated is True and info.tool_version and "simulated" in info.sources
    with Store(demo_db, read_only=True) as s:
        sql = ("SELECT count(DISTINCT commune_code) FROM articles a WHERE EXISTS "
               "(SELECT 1 FROM pageviews p WHERE p.article_id = a.article_id)")  # fmt: skip
        with_audience = s.con.execute(sql).fetchall()[0][0]
    assert info.communes == with_audience
    digest = exported.with_name(exported.name + ".sha256").read_text().split()[0]
    assert len(digest) == 64 and digest == sha256_file(exported)
    assert exported.stat().st_size < 30e6


def test_ranks_from_the_snapshot_equal_those_of_the_full_store(exported: Path, demo_copy: Path) -> None:
    with Store(demo_copy) as store:
        snapshot.load(store, str(exported))
        held = snapshot.held(store)
    start, end = date(2023, 2, 1), date(2024, 11, 30)  # whole months inside the demo's two years
    with Observatory.open(demo_copy) as obs:
        codes = obs.ranking(start, end, scope="pvd")["code"].head(5).to_list()
        profiles = [obs.profile(c, start, end) for c in codes]
    with Store(demo_copy, read_only=True) as store:
        for card in profiles:
            found = snapshot.standing(store, card["code"], start, end)
            assert found is not None and (found["start"], found["end"]) == (start, end)
            for group in ("france", "pvd", "region", "departement", "size_class"):
                assert (found[f"rank_{group}"], found[f"n_{group}"]) == (card[f"rank_{group}"], card[f"n_{group}"]), (
                    group
                )
            assert found["views_per_inhabitant"] == pytest.approx(card["views_per_inhabitant"])
    assert held["simulated"] == "True" and len(held["sha256"]) == 64 and held["source"] == str(exported)
    out = run_cli("snapshot", "rank", codes[0], "--start", str(start), "--end", str(end), db=demo_copy, check=True)
    assert "l'instantané national du" in " ".join(out.stdout.split())
    assert "1er sur" in out.stdout and "DONNÉES SIMULÉES" in out.stdout


def test_a_bad_snapshot_is_refused_whole(exported: Path, demo_copy: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.parquet"
    data = bytearray(exported.read_bytes())
    data[len(data) // 2] ^= 0xFF
    broken.write_bytes(bytes(data))
    shutil.copy(exported.with_name(exported.name + ".sha256"), broken.with_name("broken.parquet.sha256"))
    with Store(demo_copy) as store:
        with pytest.raises(BelvedereError, match="Somme de contrôle fausse"):
            snapshot.load(store, str(broken))
        assert snapshot.held(store) == {}
        assert store.con.execute("SELECT count(*) FROM snapshot_monthly").fetchall()[0][0] == 0
    lonely = tmp_path / "lonely.parquet"
    shutil.copy(exported, lonely)
    out = run_cli("snapshot", "import", str(lonely), db=demo_copy)
    assert out.returncode == 1 and "Somme de contrôle absente" in out.stderr and "Traceback" not in out.stderr


def test_simulated_snapshots_stay_with_simulated_stores(exported: Path, prepared_db: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.duckdb"
    shutil.copy(prepared_db, real)
    out = run_cli("snapshot", "import", str(exported), db=real)
    assert out.returncode == 1 and "données simulées" in out.stderr
    with Store(real, read_only=True) as store:
        assert snapshot.held(store) == {}


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """A static server that honours Range (what a resumed download asks), and cuts the first
    transfer of the snapshot halfway, as a dropped connection would."""

    cut_once = True

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        start = 0
        if "Range" in self.headers:
            start = int(self.headers["Range"].split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if path.suffix == ".parquet" and _RangeHandler.cut_once and not start:
            _RangeHandler.cut_once = False
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)
            return
        self.wfile.write(body)


@pytest.fixture()
def served(exported: Path) -> Iterator[str]:
    handler = lambda *a, **k: _RangeHandler(*a, directory=str(exported.parent), **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/{exported.name}"
    httpd.shutdown()


def test_a_download_cut_halfway_resumes(served: str, demo_copy: Path) -> None:
    first = run_cli("snapshot", "import", served, db=demo_copy)
    assert first.returncode == 1 and "Relancez" in first.stderr  # said in one line, nothing imported
    with Store(demo_copy, read_only=True) as store:
        assert snapshot.held(store) == {}
    second = run_cli("snapshot", "import", served, db=demo_copy, check=True)
    assert "Instantané importé" in second.stdout
    with Store(demo_copy, read_only=True) as store:
        assert snapshot.held(store)["source"] == served


def test_diagnose_offline_with_a_snapshot_writes_the_report(exported: Path, demo_copy: Path, tmp_path: Path) -> None:
    with Observatory.open(demo_copy) as obs:
        code = obs.ranking(date(2023, 2, 1), date(2024, 11, 30), scope="pvd")["code"][0]
        card = obs.profile(code, date(2023, 2, 1), date(2024, 11, 30))
    report = tmp_path / "diag.html"
    out = run_cli("diagnose", code, "--offline", "--snapshot", str(exported), "--start", "2023-02-01",
                  "--end", "2024-11-30", "--out", str(report), db=demo_copy, check=True)  # fmt: skip
    said = " ".join(out.stdout.split())
    assert "Place en France sur 22 mois (du 1er févr. 2023 au 30 nov. 2024)" in said
    assert " ".join(present.rank_words(card).split()) in said  # the snapshot's ranks are the full store's
    html = report.read_text()
    assert 'id="national-ranks"' in html and "instantané national" in html and "données simulées" in html


def test_diagnose_fetches_the_commune_and_a_few_peers(prepared_db: Path, tmp_path: Path) -> None:
    """Against the local Wikimedia fake: one commune and its peers, a bounded number of requests."""
    from tests.fakes.wikimedia import FakeWikimedia
    from tests.test_fetch import carrouges_dataset, fake_env

    db = tmp_path / "town.duckdb"
    shutil.copy(prepared_db, db)
    with FakeWikimedia(carrouges_dataset()) as fake:
        out = run_cli("diagnose", "61074", "--peers", "3", "--start", "2024-01-01", "--end", "2024-01-10",
                      "--out", str(tmp_path / "r.html"), db=db, env=fake_env(fake))  # fmt: skip
        requests = len(fake.requests)
        rest = fake.count("per_article") + fake.count("aggregate")
    assert out.returncode == 0, out.stderr
    assert "Diagnostic de Carrouges (61074)" in out.stdout and "3 communes comparables" in out.stdout
    assert "Sans instantané national" in out.stdout  # what the diagnosis lacks, said
    # the bound: resolve (a SPARQL query, a MediaWiki query) for the 4 communes, then one request per title,
    # access and range (here 5 titles x 3 accesses + the frwiki totals): never all of France
    assert 5 * 3 <= requests <= 2 + 4 * 2 * 3 + 3 + 3, requests
    assert f"{rest} requêtes" in " ".join(out.stdout.split())  # the count printed is the count made
    with Store(db, read_only=True) as store:
        views = store.con.execute(
            "SELECT sum(views) FROM pageviews p JOIN articles a USING (article_id) WHERE a.commune_code = '61074' "
            "AND p.agent = 'user'"
        ).fetchall()[0][0]
    assert views == 12 + 30 + 5 + 7 + sum(range(20, 30))  # the fake's Carrouges, redirect included
    assert (tmp_path / "r.html").exists()


def test_the_commune_page_gives_its_place_in_france_from_the_snapshot(exported: Path, demo_copy: Path) -> None:
    import httpx

    from belvedere.web.app import create_app
    from tests.conftest import serving

    with Observatory.open(demo_copy) as obs:
        code = obs.ranking(scope="pvd")["code"][0]
    with serving(create_app(demo_copy, None)) as url:
        before = httpx.get(f"{url}/commune/{code}", timeout=120).text
    assert 'id="national-ranks"' not in before
    with Store(demo_copy) as store:
        snapshot.load(store, str(exported))
    with serving(create_app(demo_copy, None)) as url:
        after = httpx.get(f"{url}/commune/{code}", timeout=120).text
    import html

    words = html.unescape(after[after.index('id="national-ranks"') :].split("</p>")[0])
    assert "d'après l'instantané national du" in words and "(données simulées)" in words
    assert "1er sur" in words  # the top PVD, first among the PVD
    # a snapshot of the demo's 400 communes is not France's: its ranks say among whom they are
    assert "communes suivies ici" in words and "pas toute la France" in words


@pytest.fixture(scope="module")
def national(prepared_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (not simulated) national store, built as an analyst would: the monthly
    pageview_complete dump files of January to March 2024, every commune's article in them, ingested."""
    from belvedere.reference.titles import add_guessed_articles
    from belvedere.sources.dumpgen import write_monthly_complete

    work = tmp_path_factory.mktemp("national")
    db = work / "france.duckdb"
    shutil.copy(prepared_db, db)
    with Store(db) as store:
        add_guessed_articles(store)  # as `init` does: each commune's probable title, in the dumps below
        rows = store.con.execute("SELECT title FROM articles ORDER BY title").fetchall()
    titles = [r[0].replace(" ", "_") for r in rows]
    files = [write_monthly_complete(work, date(2024, month, 1), titles, seed=month, filler=100, compress=False)
             for month in (1, 2, 3)]  # fmt: skip
    run_cli("ingest", *map(str, files), db=db, check=True)
    return db


@pytest.mark.e2e  # the whole chain: three months of national dumps ingested, exported, imported, fetched
def test_a_town_diagnosis_from_a_snapshot_of_real_dumps(national: Path, prepared_db: Path, tmp_path: Path) -> None:
    """End to end on real data: a snapshot exported from the dump-built national store, then, in a
    town's fresh store, `diagnose` imports it and fetches the commune and its peers from the local
    Wikimedia fake (serving the audience the dumps hold): the ranks it prints are those of the
    full store, and its requests are bounded."""
    from belvedere.store.queries import nearest_peers
    from tests.fakes.wikimedia import FakeWikimedia, dataset_from_store
    from tests.test_fetch import fake_env

    start, end, code, n_peers = date(2024, 1, 1), date(2024, 3, 31), "61074", 5
    snap = tmp_path / "france.parquet"
    run_cli("snapshot", "export", "--out", str(snap), db=national, check=True)
    info = snapshot.read_info(snap)
    assert not info.simulated and "dump (3)" in info.sources and (info.start, info.end) == (start, end)
    assert info.communes > 34_000

    town = tmp_path / "town.duckdb"
    shutil.copy(prepared_db, town)
    with Store(town, read_only=True) as store:
        codes = [code, *nearest_peers(store, code, n_peers)]
    with Observatory.open(national) as obs:
        card = obs.profile(code, start, end)
    # the fake serves what the dumps hold for these communes' articles
    with Store(national, read_only=True) as store:
        ds, rows = dataset_from_store(store, codes)
    assert len(ds.wikidata) == 1 + n_peers
    report = tmp_path / "diagnostic.html"
    with FakeWikimedia(ds) as fake:
        out = run_cli("diagnose", code, "--snapshot", str(snap), "--peers", str(n_peers), "--start", str(start),
                      "--end", str(end), "--out", str(report), db=town, env=fake_env(fake))  # fmt: skip
        per_article, requests = fake.count("per_article"), len(fake.requests)
    assert out.returncode == 0, out.stderr
    said = " ".join(out.stdout.split())
    assert " ".join(present.rank_words(card).split()) in said and "Place en France sur 3 mois" in said
    # the bound: one request per article and access (6 x 3), the frwiki totals (3); for the six communes
    # one SPARQL query and one MediaWiki query for their titles, one MediaWiki query for what their
    # articles are like and one SPARQL query for what their items declare (4); a first look at each
    # service before its first query (4): 29, whatever the size of France (all of it: ~105,000)
    assert per_article == (1 + n_peers) * 3 and requests == per_article + 3 + 4 + 4, requests
    assert f"{per_article + 3} requêtes" in said  # the count printed (pageviews requests) is the count made
    with Store(town, read_only=True) as store:
        for group in ("france", "pvd", "region", "departement", "size_class"):
            found = snapshot.standing(store, code, start, end)
            assert found is not None
            assert (found[f"rank_{group}"], found[f"n_{group}"]) == (card[f"rank_{group}"], card[f"n_{group}"]), group
        fetched = store.con.execute(
            "SELECT sum(views) FROM pageviews p JOIN articles a USING (article_id) WHERE a.commune_code = ? "
            "AND p.agent = 'user'",
            [code],
        ).fetchall()[0][0]
    dumped = sum(r[4] for r in rows if r[0] == code)
    assert fetched == dumped == round(card["views_per_inhabitant"] * card["population"])  # the dumps' audience
    html = report.read_text()
    assert 'id="national-ranks"' in html and "instantané national" in html and "simulées" not in html
    # the town's store follows 6 communes: its own ranks say so; France's come from the snapshot
    national_words = html.split('id="national-ranks"')[1].split("</p>")[0]
    assert "en France" in national_words and "suivies" not in national_words
    assert "suit l&#39;audience de 6 communes sur 34" in html.split('id="coverage"')[1].split("</p>")[0]
