"""Wikimedia's clickstream, read as published: the rows that lead to a commune's article kept,
a bad file refused whole, a file read once, a URL downloaded; then where the readers came from,
from the CLI, the API and the commune page."""

from __future__ import annotations

import gzip
import html
import json
import shutil
from pathlib import Path

import httpx
import pytest

from belvedere.store import Store
from tests.conftest import run_cli
from tests.fakes.wikimedia import FakeWikimedia
from tests.test_fetch import carrouges_dataset, fake_env

NAME = "clickstream-frwiki-2024-10.tsv.gz"
# tab-separated prev, curr, type, n; titles with underscores and no quoting: quotes, commas, accents
LINES = [
    ("other-search", "Carrouges", "external", 1200),
    ("other-empty", "Carrouges", "external", 300),
    ("Le_Dernier_Duel_(film)", "Carrouges", "link", 2300),
    ("Château_de_Carrouges", "Carrouges", "link", 150),
    ('"Jean_de_Carrouges",_chevalier', "Carrouges", "link", 45),
    ("other-internal", "Carrouges", "external", 20),
    ("other-other", "Carrouges", "other", 12),
    ("other-search", "L'Haÿ-les-Roses", "external", 900),
    ("Roseraie_du_Val-de-Marne", "L'Haÿ-les-Roses", "link", 33),
    ("other-search", "Python_(langage)", "external", 9000),  # not a commune: not kept
]


def clickstream_file(directory: Path, lines: list[tuple], name: str = NAME) -> Path:
    path = directory / name
    text = "".join("\t".join(map(str, line)) + "\n" for line in lines)
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    return path


def _kept(db: Path) -> list[tuple]:
    with Store(db, read_only=True) as store:
        return store.con.execute(
            "SELECT a.commune_code, c.month, c.prev, c.type, c.n FROM clickstream c JOIN articles a USING (article_id) "
            "ORDER BY a.commune_code, c.n DESC"
        ).fetchall()


def test_the_rows_leading_to_communes_are_kept(store_path: Path, tmp_path: Path) -> None:
    path = clickstream_file(tmp_path, LINES)
    out = run_cli("ingest", str(path), db=store_path, check=True)
    assert "10 lignes, 9 gardées" in " ".join(out.stdout.split())
    kept = _kept(store_path)
    assert len(kept) == 9 and {r[0] for r in kept} == {"61074", "94038"}
    assert ("61074", kept[0][1], "Le_Dernier_Duel_(film)", "link", 2300) == kept[0]
    assert any(r[2] == '"Jean_de_Carrouges",_chevalier' for r in kept)  # quotes and a comma, as they are
    with Store(store_path, read_only=True) as store:  # logged with its month: the events of that month are redone
        logged = store.con.execute("SELECT start_date, end_date, rows FROM ingest_log WHERE source = 'clickstream'")
        assert logged.fetchall() == [(kept[0][1], kept[0][1].replace(day=31), 9)]
    again = run_cli("ingest", str(path), db=store_path, check=True)
    assert "(1 déjà lu(s))" in again.stdout and _kept(store_path) == kept  # read once
    changed = clickstream_file(tmp_path / "..", LINES[:3], name=NAME)  # same name, other content
    out = run_cli("ingest", str(changed), db=store_path)
    assert out.returncode == 1 and NAME in out.stderr and _kept(store_path) == kept


@pytest.mark.parametrize(
    "bad, said",
    [
        ([("other-search", "Carrouges", "external")], "illisible"),  # a line without its count
        ([("other-search", "Carrouges", "external", "12a")], "illisible"),
        ([("other-search", "Carrouges", "referral", 12)], "1 lignes mal formées"),
        ([], "vide"),
    ],
)
def test_a_bad_file_is_refused_whole(store_path: Path, tmp_path: Path, bad: list, said: str) -> None:
    path = clickstream_file(tmp_path, [*LINES[:2], *bad] if bad else [])
    out = run_cli("ingest", str(path), db=store_path)
    assert out.returncode == 1 and said in out.stderr and NAME in out.stderr and "Traceback" not in out.stderr
    assert _kept(store_path) == []
    with Store(store_path, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM clickstream_files").fetchall()[0][0] == 0


def test_a_url_then_the_readers_origins_everywhere(store_path: Path, tmp_path: Path) -> None:
    data = clickstream_file(tmp_path, LINES).read_bytes()
    ds = carrouges_dataset()
    ds.dumps[f"/other/clickstream/2024-10/{NAME}"] = data
    with FakeWikimedia(ds) as fake:
        env = fake_env(fake)
        run_cli("articles", "resolve", "--communes", "61074", db=store_path, env=env, check=True)
        run_cli("fetch", "--communes", "61074", "--start", "2024-01-01", "--end", "2024-01-10", db=store_path,
                env=env, check=True)  # fmt: skip
        out = run_cli("ingest", f"{fake.base}/other/clickstream/2024-10/{NAME}", db=store_path, env=env, check=True)
    assert "9 gardées" in " ".join(out.stdout.split())
    rows = json.loads(run_cli("referrers", "61074", "--month", "2024-10", "--format", "json", db=store_path,
                              check=True).stdout)  # fmt: skip
    assert {"month", "source", "referrer", "type", "n"} <= set(rows[0])
    assert rows[0]["source"] == "wikipedia" and rows[0]["referrer"] == "Le_Dernier_Duel_(film)"
    search = next(r for r in rows if r["source"] == "search")
    assert search["n"] == 1200 and search["referrer"] is None
    bad = run_cli("referrers", "61074", "--month", "octobre", db=store_path)
    assert bad.returncode == 1 and "AAAA-MM" in bad.stderr
    from belvedere.web.app import create_app
    from tests.conftest import serving

    with serving(create_app(store_path, None)) as url:
        api = httpx.get(f"{url}/api/communes/61074/referrers", timeout=60).json()
        no_month = httpx.get(f"{url}/api/communes/61074/referrers", params={"month": "0000-00"}, timeout=60)
        assert no_month.status_code == 422 and "AAAA-MM" in no_month.json()["detail"]  # found by the fuzzer
        page = html.unescape(httpx.get(f"{url}/commune/61074", timeout=60).text)
    assert api == rows
    section = page.split('id="referrers"')[1].split("</section>")[0]
    total = sum(n for _, c, _, n in LINES if c == "Carrouges")
    assert f"En octobre 2024, {round(100 * 1200 / total)}\u00a0% des lecteurs" in section
    assert "Le Dernier Duel (film) (2\u202f300)" in section


def test_a_spike_gets_the_referrer_that_grew_as_its_probable_cause() -> None:
    from datetime import date

    import polars as pl

    from belvedere import present
    from belvedere.analysis.causes import spike_causes

    months = [date(2021, m, 1) for m in (7, 8, 9, 10)]
    rows = [(m, "search", None, 400) for m in months]
    rows += [(m, "wikipedia", "Château_de_Carrouges", 50) for m in months]
    rows += [(date(2021, 10, 1), "wikipedia", "Le_Dernier_Duel_(film)", 2300)]  # absent before: under 11 a month
    rows += [(date(2021, 10, 1), "external", None, 90)]
    referrers = pl.DataFrame(rows, schema=["month", "source", "referrer", "n"], orient="row")
    found = spike_causes([date(2021, 10, 16), date(2021, 8, 3), date(2022, 3, 1)], referrers, set(months))
    assert [c.status for c in found] == ["found", "none", "no_clickstream"]
    film = found[0]
    assert (film.source, film.referrer, film.readers, film.usual) == ("wikipedia", "Le_Dernier_Duel_(film)", 2300, 0.0)
    words = present.cause_words(film)
    assert words == "En octobre 2021, 2\u202f300 lecteurs sont venus de l'article « Le Dernier Duel (film) » " \
                    "(contre 0 par mois d'habitude)."  # fmt: skip
    assert "Pas de clickstream pour mars 2022" in present.cause_words(found[2])
    assert present.cause_annotation(film) == "Lecteurs venus de l'article « Le Dernier Duel (film) » (clickstream)"
    assert present.cause_annotation(found[1]) is None


def test_the_commune_page_shows_the_cause_and_offers_to_keep_it(demo_db: Path, tmp_path: Path) -> None:
    """The demo store holds the clickstream the simulator planted: the page names, beside a spike, the
    article the simulator put behind it and, on a server that accepts writes, links to the annotation
    form filled with it."""
    import polars as pl

    from belvedere.api import Observatory
    from belvedere.web.app import create_app
    from tests.conftest import serving

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    with Observatory.open(db) as obs:
        planted = obs.frame(
            "SELECT commune_code AS code, peak_date, cause FROM sim_spikes WHERE cause IS NOT NULL "
            "AND shared_event IS NULL ORDER BY expected_excess DESC LIMIT 1"
        ).row(0, named=True)
        spikes = obs.spikes(planted["code"])
        peak = spikes.filter((pl.col("peak") - planted["peak_date"]).dt.total_days().abs() <= 2)["peak"][0]
        cause = obs.spike_causes(planted["code"])[peak]
    assert (cause.status, cause.referrer) == ("found", planted["cause"])
    code, title = planted["code"], planted["cause"].replace("_", " ")
    with serving(create_app(db, "jeton")) as url:
        page = html.unescape(httpx.get(f"{url}/commune/{code}", timeout=120).text)
        asked = {"commune": code, "date": str(peak), "texte": "Lecteurs venus"}
        form = html.unescape(httpx.get(f"{url}/evenements", params=asked, timeout=120).text)
    row = page.split(f'id="spike-{peak}"')[1].split("</tr>")[0]
    assert f"lecteurs sont venus de l'article « {title} »" in row
    assert "Retenir comme annotation" in row and f"commune={code}" in row
    assert f'value="{peak}"' in form and 'value="Lecteurs venus"' in form
