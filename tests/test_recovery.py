"""A user with only dumps: a fresh store (`init`) matches them at once through the probable titles,
and when `articles resolve` later corrects a title or adds redirects, the views the dump files had
for them come back without reading the files again; what the files did not keep is named, left
without rows (never zeros), and `ingest --replace` reads it again."""

from __future__ import annotations

import bz2
import gzip
import json
from datetime import date
from pathlib import Path

from belvedere.store import Store
from tests.conftest import run_cli
from tests.fakes.wikimedia import Dataset, FakeWikimedia

CONTACT = "tests@belvedere.example"
HOURLY_DAY, DAILY_DAY, PENDING_DAY = date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)
# per hour: title as in the dump -> views (desktop); the same title on mobile web gets twice that
HOUR_LINES = {
    "Carrouges": 5,  # the probable title, right
    "Carrouges_(Orne)": 2,  # a redirect: may name a commune (its base is a commune's name)
    "Ville_de_Carrouges": 3,  # a redirect that may not: the file does not keep it
    "L'Ha%C3%BF-les-Roses_(Val-de-Marne)": 4,  # the real title of 94038, not the probable one
    "L'Haÿ-les-Roses": 1,  # the probable title of 94038, a wrong guess
    "Page_sans_rapport": 9,
}


def _hour_file(folder: Path, day: date, hour: int) -> Path:
    lines = [f"{domain} {t} {v * k} 0" for domain, k in (("fr", 1), ("fr.m", 2)) for t, v in HOUR_LINES.items()]
    path = folder / f"pageviews-{day:%Y%m%d}-{hour:02d}0000.gz"
    path.write_bytes(gzip.compress(("\n".join(sorted(lines)) + "\nen Carrouges 8 0\n").encode()))
    return path


def _daily_file(folder: Path, day: date) -> Path:
    rows = [f"fr.wikipedia {t} 1 {access} {v * 10} A{v * 10}" for t, v in HOUR_LINES.items()
            for access in ("desktop", "mobile-web", "mobile-app")]  # fmt: skip
    path = folder / f"pageviews-{day:%Y%m%d}-user.bz2"
    path.write_bytes(bz2.compress(("\n".join(rows) + "\n").encode()))
    return path


def _views(db: Path, title: str, day: date) -> dict[str, int] | None:
    with Store(db, read_only=True) as store:
        rows = store.con.execute(
            "SELECT p.access::VARCHAR, p.views FROM pageviews p JOIN articles a USING (article_id) "
            "WHERE a.title = ? AND p.date = ? AND p.agent = 'user'",
            [title, day],
        ).fetchall()
    return dict(rows) or None


def test_dumps_on_a_fresh_store_and_titles_learned_later(tmp_path: Path) -> None:
    db = tmp_path / "dumps_only.duckdb"
    files = tmp_path / "files"
    files.mkdir()
    run_cli("init", db=db, check=True)
    hours = [_hour_file(files, HOURLY_DAY, h) for h in range(24)]
    daily = _daily_file(files, DAILY_DAY)
    pending = [_hour_file(files, PENDING_DAY, h) for h in range(24)]
    out = run_cli("ingest", *map(str, [*hours, daily, *pending[:12]]), db=db)
    assert out.returncode == 0, out.stderr
    # matched at once through the probable titles: nothing lost on a fresh store
    assert _views(db, "Carrouges", HOURLY_DAY) == {"desktop": 5 * 24, "mobile-web": 10 * 24}
    assert _views(db, "Carrouges", DAILY_DAY) == {"desktop": 50, "mobile-web": 50, "mobile-app": 50}

    ds = Dataset()
    ds.wikidata = {"61074": [("Q475802", "Carrouges", False)],
                   "94038": [("Q213649", "L'Haÿ-les-Roses (Val-de-Marne)", False)]}  # fmt: skip
    ds.pages = {"Carrouges": (123456, ["Carrouges (Orne)", "Ville de Carrouges"]),
                "L'Haÿ-les-Roses (Val-de-Marne)": (654321, [])}  # fmt: skip
    with FakeWikimedia(ds) as fake:
        env = {"BELVEDERE_WIKIDATA_SPARQL": fake.sparql, "BELVEDERE_MEDIAWIKI_API": fake.mediawiki,
               "BELVEDERE_CONTACT": CONTACT}  # fmt: skip
        res = run_cli("articles", "resolve", "--communes", "61074,94038", "-f", "json", db=db, env=env)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["resolved"] == 2 and report["redirects"] == 2
    # the redirect and the corrected title get back the views of both days, from what the files kept
    assert _views(db, "Carrouges_(Orne)", HOURLY_DAY) == {"desktop": 2 * 24, "mobile-web": 4 * 24}
    assert _views(db, "Carrouges_(Orne)", DAILY_DAY) == {"desktop": 20, "mobile-web": 20, "mobile-app": 20}
    haÿ = "L'Haÿ-les-Roses_(Val-de-Marne)"
    assert _views(db, haÿ, HOURLY_DAY) == {"desktop": 4 * 24, "mobile-web": 8 * 24}
    assert _views(db, "L'Haÿ-les-Roses", HOURLY_DAY) is None  # the wrong guess and its views are gone
    # a title the files did not keep: named, and left without rows rather than given zeros
    assert report["dump_days_not_recovered"] == {"Ville_de_Carrouges": [str(HOURLY_DAY), str(DAILY_DAY),
                                                                       str(PENDING_DAY)]}  # fmt: skip
    assert _views(db, "Ville_de_Carrouges", HOURLY_DAY) is None
    assert report["dump_rows_recovered"] == 2 * (2 + 3) and report["dump_hours_recovered"] > 0

    # the pending day: 12 hours before the redirect was learned, 12 after; it settles with all 24
    out = run_cli("ingest", *map(str, pending[12:]), db=db)
    assert out.returncode == 0, out.stderr
    assert _views(db, "Carrouges_(Orne)", PENDING_DAY) == {"desktop": 2 * 24, "mobile-web": 4 * 24}

    # the wrong guess Wikidata set aside comes back (say its item is corrected again): the views it
    # had are found where it left them, not zeros
    ds.wikidata["94038"] = [("Q213649", "L'Haÿ-les-Roses", False)]
    ds.pages["L'Haÿ-les-Roses"] = (654321, [])
    with FakeWikimedia(ds) as fake:
        env = {"BELVEDERE_WIKIDATA_SPARQL": fake.sparql, "BELVEDERE_MEDIAWIKI_API": fake.mediawiki,
               "BELVEDERE_CONTACT": CONTACT}  # fmt: skip
        run_cli("articles", "resolve", "--communes", "94038", db=db, env=env, check=True)
    assert _views(db, "L'Haÿ-les-Roses", HOURLY_DAY) == {"desktop": 1 * 24, "mobile-web": 2 * 24}
    assert _views(db, "L'Haÿ-les-Roses", DAILY_DAY) == {"desktop": 10, "mobile-web": 10, "mobile-app": 10}

    # --replace reads the files again: the title they did not keep gets its views
    out = run_cli("ingest", "--replace", *map(str, [*hours, daily]), db=db)
    assert out.returncode == 0, out.stderr
    assert _views(db, "Ville_de_Carrouges", HOURLY_DAY) == {"desktop": 3 * 24, "mobile-web": 6 * 24}
    assert _views(db, "Ville_de_Carrouges", DAILY_DAY) == {"desktop": 30, "mobile-web": 30, "mobile-app": 30}
    assert _views(db, "Carrouges", HOURLY_DAY) == {"desktop": 5 * 24, "mobile-web": 10 * 24}  # unchanged
    with Store(db, read_only=True) as store:
        dupes = store.con.execute(
            "SELECT count(*) FROM (SELECT article_id, date, access, agent FROM pageviews GROUP BY ALL "
            "HAVING count(*) > 1)"
        ).fetchall()[0][0]
        log = store.con.execute("SELECT count(*) FROM ingest_log WHERE status = 'replaced'").fetchall()[0][0]
    assert dupes == 0 and log == 2  # one audience row per article, day, access and agent; replacements logged
