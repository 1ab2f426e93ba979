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


@pytest.fixture()
def store_path(reference_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "clicks.duckdb"
    shutil.copy(reference_db, path)
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
        page = html.unescape(httpx.get(f"{url}/commune/61074", timeout=60).text)
    assert api == rows
    section = page.split('id="referrers"')[1].split("</section>")[0]
    total = sum(n for _, c, _, n in LINES if c == "Carrouges")
    assert f"En octobre 2024, {round(100 * 1200 / total)}\u00a0% des lecteurs" in section
    assert "Le Dernier Duel (film) (2\u202f300)" in section
