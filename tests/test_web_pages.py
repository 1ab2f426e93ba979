"""The pages a town's team and an analyst use, over a real server: Classement (names for areas,
pages, sorting, periods, exports a French spreadsheet opens), the commune page (its words, its
articles, its series exports, the chart's steps), the home map, read-only servers."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

from belvedere import messages as M
from belvedere import present
from belvedere.store import Store
from belvedere.web.app import create_app
from tests.conftest import run_cli, serving
from tests.test_web_api import server  # noqa: F401  (the same live server fixture)


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:  # noqa: F811
    with httpx.Client(base_url=server, timeout=120) as c:
        yield c


def _biggest_dep(demo_db: Path) -> tuple[str, str]:
    with Store(demo_db, read_only=True) as s:
        return s.con.execute(
            "SELECT c.departement, d.name FROM pvd p JOIN communes c USING (code) JOIN departements d "
            "ON d.code = c.departement WHERE c.code IN (SELECT commune_code FROM articles) "
            "GROUP BY ALL ORDER BY count(*) DESC, c.departement LIMIT 1"
        ).fetchall()[0]


def _rows(html: str) -> list[str]:
    table = html[html.index('id="ranking"') :]
    return re.findall(r'<td><a href="/commune/(\w+)">', table[: table.index("</table>")])


def test_the_ranking_takes_names_pages_sorts_and_periods(client: httpx.Client, demo_db: Path) -> None:
    dep, dep_name = _biggest_dep(demo_db)
    by_code = client.get("/classement", params={"departement": dep})
    by_name = client.get("/classement", params={"departement": dep_name.lower()})
    assert by_code.status_code == by_name.status_code == 200
    assert _rows(by_code.text) == _rows(by_name.text) and _rows(by_code.text)
    typo = client.get("/classement", params={"departement": dep_name[:2] + dep_name[1:]})  # a letter doubled
    assert typo.status_code == 422 and "text/html" in typo.headers["content-type"]
    assert "Département inconnu" in typo.text and f"{dep_name} ({dep})" in typo.text  # "Vouliez-vous dire"
    # pages: a link to the next one; past the last page, the last page (never "34 / 33")
    first = client.get("/classement", params={"scope": "all"}).text
    pages = int(re.search(r"Page 1 sur (\d+)", first).group(1))
    assert pages > 1 and 'id="page-next"' in first and 'id="page-prev"' not in first
    after = client.get("/classement", params={"scope": "all", "page": pages + 5}).text
    assert f"Page {pages} sur {pages}" in after and 'id="page-next"' not in after
    # sorting by a column, both ways
    up = _rows(client.get("/classement", params={"scope": "all", "metric": "population", "order": "asc"}).text)
    down = _rows(client.get("/classement", params={"scope": "all", "metric": "population", "order": "desc"}).text)
    with Store(demo_db, read_only=True) as s:
        pops = dict(s.con.execute("SELECT code, population FROM communes").fetchall())
    assert [pops[c] for c in up] == sorted(pops[c] for c in up)
    assert [pops[c] for c in down] == sorted((pops[c] for c in down), reverse=True)
    # the periods offered are the standard ones, each a working link
    presets = re.findall(r'<p class="presets">.*?</p>', first, re.S)[0]
    links = re.findall(r'href="(\?[^"]+)"', presets)
    assert len(links) >= 2
    year = client.get("/classement" + links[-1].replace("&amp;", "&"))
    assert year.status_code == 200 and "sur 1 an" in year.text


def test_ranking_exports_hold_exactly_the_rows_shown(client: httpx.Client, demo_db: Path) -> None:
    dep, _ = _biggest_dep(demo_db)
    params = {"departement": dep, "scope": "all"}
    shown = _rows(client.get("/classement", params=params).text)
    sheet = client.get("/classement.tableur.csv", params=params)
    assert sheet.status_code == 200 and sheet.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig")), delimiter=";"))
    assert [r["Code"] for r in rows] == shown
    assert {r["Début de la période"] for r in rows} == {next(iter(rows))["Début de la période"]}
    assert re.fullmatch(r"\d+,\d+|\d+", rows[0]["Vues / hab."]) and rows[0]["Données simulées"] == "oui"
    plain = list(csv.DictReader(io.StringIO(client.get("/classement.csv", params=params).text)))
    as_json = client.get("/classement.json", params=params).json()
    assert [r["code"] for r in plain] == [r["code"] for r in as_json] == shown
    assert float(plain[0]["views_per_inhabitant"]) == pytest.approx(as_json[0]["views_per_inhabitant"])
    assert as_json[0]["period_start"] < as_json[0]["period_end"]


def test_the_commune_page_words_articles_and_series_exports(client: httpx.Client, demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as s:
        code, title = s.con.execute(
            "SELECT a.commune_code, a.title FROM articles a JOIN pvd p ON p.code = a.commune_code "
            "ORDER BY a.commune_code LIMIT 1"
        ).fetchall()[0]
    page = client.get(f"/commune/{code}").text
    assert "Audience sur 2 ans (du 1er janv. 2023" in page  # the period in words, French dates
    assert f'href="https://fr.wikipedia.org/wiki/{title}"' in page  # the article, linked
    assert re.search(r"Par vues par habitant, elle est \d+(er|e) sur", page)
    # its figure read against the medians of its département, région, the PVD and France
    from belvedere.api import Observatory

    with Observatory.open(demo_db) as obs:
        metrics = obs.metrics().filter(pl.col("population") > 0)
    france = M.fr_number(metrics["views_per_inhabitant"].median(), 1)
    # the demo store follows 400 communes: its widest median is theirs, and the page says so, not "France"
    assert f"parmi les communes suivies ici {france} ({M.fr_number(metrics.height, 0)} communes)" in page
    coverage = html.unescape(page.split('id="coverage"')[1].split("</p>")[0])
    assert f"suit l'audience de {metrics.height} communes sur 34" in coverage and "pas sur toute la France" in coverage
    series = client.get(f"/api/communes/{code}/series").json()
    exported = client.get(f"/commune/{code}/serie.json").json()
    assert [(r["date"], r["views"]) for r in exported] == [(r["date"], r["views"]) for r in series]
    sheet = client.get(f"/commune/{code}/serie.tableur.csv")
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == len(series) and re.fullmatch(r"\d\d/\d\d/\d{4}", rows[0]["date"])
    assert 'attachment; filename="audience-' in sheet.headers["content-disposition"]
    # the chart's data as a table, month by month, whose views add up to the series
    months = re.findall(r'<tr><td>[a-zéû]+ \d{4}</td><td class="n">([\d\u202f]+)</td>', page)
    assert sum(int(m.replace("\u202f", "")) for m in months) == sum(r["views"] for r in series)


def test_the_home_map_leads_to_the_ranking(client: httpx.Client) -> None:
    home = client.get("/").text
    links = re.findall(r'<a href="(/classement\?scope=all&amp;departement=[0-9AB]+[^"]*)"', home)
    assert len(links) > 5
    assert client.get(links[0].replace("&amp;", "&")).status_code == 200
    assert "Guadeloupe" in home and "Vues par habitant sur la période" in home  # overseas named, legend unit
    table = home[home.index('id="map-table"') :]
    in_table = re.findall(r'<tr><td><a href="/classement\?scope=all&amp;departement=([0-9AB]+)"', table)
    on_map = {re.search(r"departement=([0-9AB]+)", x).group(1) for x in links}
    assert in_table and set(in_table) <= on_map  # the map's values as a table (its text alternative)
    assert "événements partagés" not in home.split("<h2>")[2]  # the home page does not lead with chance


def test_a_read_only_server_offers_no_annotation_form(demo_db: Path, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "ro.duckdb"
    shutil.copy(demo_db, db)
    with serving(create_app(db, None)) as url:
        page = httpx.get(url + "/evenements", timeout=120).text
    assert 'id="read-only"' in page and 'id="annotate"' not in page


def test_words_for_a_commune_without_population() -> None:
    card: dict[str, Any] = {"name": "Bezonvaux", "population": 0, "visibility_surplus": None,
                            "mean_daily_views": 1.5, "peers": {"rank": None, "of": 11},
                            **{f"rank_{g}": None for g in present.RANK_GROUPS}}  # fmt: skip
    assert "population de Bezonvaux est inconnue ou nulle" in present.surplus_words(card)
    assert present.rank_words(card) == "non classée : population inconnue ou nulle"
    assert "None" not in present.peers_words(card) and "11" in present.peers_words(card)
    card.update(population=623, visibility_surplus=0.9, expected_daily_views=11.6, rank_france=121, n_france=34957)
    assert "0,9 fois" in present.surplus_words(card)
    assert present.rank_words(card) == "121e sur 34\u202f957 en France"
    card.update(partial=True, rank_france=3, n_france=21, communes_held=21, communes_total=34957)  # a town's store
    assert present.rank_words(card).startswith("3e sur 21 communes suivies ici (seulement les communes dont")
    assert "en France" not in present.rank_words(card)
    assert "21 communes sur 34\u202f957" in (present.coverage_words(card, None) or "")
    assert present.coverage_words({**card, "partial": False}, None) is None
    assert present.change_words(-0.13) == "en baisse de 13\u00a0%" and present.change_words(0.004).startswith("stable")
    assert present.ordinal(1) == "1er"


def test_the_cli_suggests_and_writes_a_spreadsheet(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as s:
        name = s.con.execute(
            "SELECT c.name FROM pvd p JOIN communes c USING (code) WHERE length(c.name) >= 7 "
            "AND c.code IN (SELECT commune_code FROM articles) ORDER BY c.code LIMIT 1"
        ).fetchall()[0][0]
    typo = name[:3] + name[4:]
    out = run_cli("profile", typo, db=demo_db)
    assert out.returncode == 1 and "Vouliez-vous dire" in out.stderr and f"{name} (" in out.stderr
    sheet = run_cli("rank", "--limit", "3", "--format", "tableur", db=demo_db, check=True)
    lines = sheet.stdout.lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[0] == "Code" and lines[0].split(";")[-1] == "Rang"  # French headers
    assert len(lines) == 4 and all(";" in line for line in lines)
    data = json.loads(run_cli("rank", "--limit", "3", "--format", "json", db=demo_db, check=True).stdout)
    assert data[0]["code"] in lines[1]


def test_a_postal_code_finds_its_communes(client: httpx.Client, demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as s:
        not_a_code = ("postal_code NOT IN (SELECT code FROM communes) AND postal_code NOT IN "
                      "(SELECT old_code FROM commune_history)")  # fmt: skip
        alone = s.con.execute(
            f"SELECT postal_code, any_value(code) FROM postal_codes WHERE {not_a_code} GROUP BY postal_code "
            "HAVING count(*) = 1 ORDER BY postal_code LIMIT 1"
        ).fetchall()[0]
        shared, codes = s.con.execute(
            f"SELECT postal_code, list(code ORDER BY code) FROM postal_codes WHERE {not_a_code} "
            "GROUP BY postal_code HAVING count(*) >= 3 ORDER BY postal_code LIMIT 1"
        ).fetchall()[0]
        assert s.con.execute("SELECT count(*) FROM postal_codes").fetchall()[0][0] > 35_000
    one = client.get("/recherche", params={"q": alone[0]}, follow_redirects=False)
    assert one.status_code == 303 and one.headers["location"] == f"/commune/{alone[1]}"
    many = client.get("/recherche", params={"q": shared}).text
    assert sorted(re.findall(r'<td><a href="/commune/(\w+)">', many)) == codes
    out = run_cli("profile", shared, db=demo_db)
    assert out.returncode == 1 and f"Le code postal {shared} est celui de plusieurs communes" in out.stderr


def test_a_former_commune_name_leads_to_todays_commune(client: httpx.Client, demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as s:
        old, current = s.con.execute(
            "SELECT h.old_name, h.current_code FROM commune_history h WHERE h.kind = 'deleguee' "
            "AND h.old_name NOT IN (SELECT name FROM communes) "
            "AND (SELECT count(DISTINCT current_code) FROM commune_history x WHERE x.old_name = h.old_name) = 1 "
            "ORDER BY h.old_code LIMIT 1"
        ).fetchall()[0]
    found = client.get("/recherche", params={"q": old.lower()}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == f"/commune/{current}"


def test_a_period_never_seen_answers_at_once_that_it_is_being_computed(demo_db: Path) -> None:
    """A commune page over a period whose national figures were never computed does not keep the
    reader waiting without a word: it answers at once (202) in French that they are being computed,
    the page's script asks /api/periode until they are ready, and the commune page then comes."""
    import time

    app = create_app(demo_db, None)
    app.state.belvedere.compute_wait = 0.0  # answer before the computation can end: the page that waits
    with Store(demo_db, read_only=True) as s:
        code = s.con.execute("SELECT commune_code FROM articles ORDER BY article_id LIMIT 1").fetchall()[0][0]
        first = s.con.execute("SELECT min(date) FROM pageviews").fetchall()[0][0]
    start, end = first.isoformat(), first.replace(month=first.month % 12 + 1, day=1).isoformat()
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as c:
        waiting = c.get(f"/commune/{code}", params={"start": start, "end": end})
        text = html.unescape(waiting.text)
        assert waiting.status_code == 202 and M.t("ui_computing_title") in text
        assert f'data-next="/commune/{code}?start={start}&amp;end={end}"' in waiting.text
        assert f'data-state-url="/api/periode?start={start}&amp;end={end}"' in waiting.text
        deadline = time.monotonic() + 60
        while not c.get("/api/periode", params={"start": start, "end": end}).json()["ready"]:
            assert time.monotonic() < deadline, "the period's figures were never computed"
            time.sleep(0.2)
        page = c.get(f"/commune/{code}", params={"start": start, "end": end})
        # a period the store does not hold is not "being computed": its page says why at once
        outside = c.get(f"/commune/{code}", params={"start": "1990-01-01", "end": "1990-02-01"})
    assert page.status_code == 200 and 'id="scorecard"' in page.text
    assert outside.status_code != 202 and M.t("ui_computing_title") not in html.unescape(outside.text)


def test_the_ranking_over_a_new_period_says_it_is_being_computed_then_comes(demo_db: Path) -> None:
    """Classement over a period never computed: the same waiting page, which comes back to the ranking
    asked for, its scope and metric kept."""
    import time

    app = create_app(demo_db, None)
    app.state.belvedere.compute_wait = 0.0
    with Store(demo_db, read_only=True) as s:
        last = s.con.execute("SELECT max(date) FROM pageviews").fetchall()[0][0]
    params = {"scope": "all", "metric": "views_per_inhabitant", "start": last.replace(day=1).isoformat(),
              "end": last.isoformat()}  # fmt: skip
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as c:
        waiting = c.get("/classement", params=params)
        assert waiting.status_code == 202 and M.t("ui_computing_title") in html.unescape(waiting.text)
        assert 'data-next="/classement?scope=all&amp;metric=views_per_inhabitant&amp;start=' in waiting.text
        deadline = time.monotonic() + 60
        while not c.get("/api/periode", params={"start": params["start"], "end": params["end"]}).json()["ready"]:
            assert time.monotonic() < deadline, "the period's figures were never computed"
            time.sleep(0.2)
        ranked = c.get("/classement", params=params)
    assert ranked.status_code == 200 and _rows(ranked.text)


def test_every_page_over_a_new_period_says_it_is_being_computed_then_comes(demo_db: Path) -> None:
    """Home, comparison, events and study over a period never computed: the waiting page (202),
    which comes back to the page asked for, its query kept; then the page itself."""
    import time

    app = create_app(demo_db, None)
    app.state.belvedere.compute_wait = 0.0
    with Store(demo_db, read_only=True) as s:
        first = s.con.execute("SELECT min(date) FROM pageviews").fetchall()[0][0]
        code = s.con.execute("SELECT commune_code FROM articles ORDER BY article_id LIMIT 1").fetchall()[0][0]
    pages = [("/", {}), ("/comparer", {"c": code, "mode": "index"}), ("/evenements", {"scope": "pvd"}),
             ("/etude", {"scope": "pvd"})]  # fmt: skip
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as c:
        for month, (path, query) in enumerate(pages, start=2):  # a month of its own: never computed before
            period = {
                "start": first.replace(month=month).isoformat(),
                "end": first.replace(month=month, day=28).isoformat(),
            }
            params = {**query, **period}
            waiting = c.get(path, params=params)
            assert waiting.status_code == 202, path
            assert M.t("ui_computing_title") in html.unescape(waiting.text)
            nxt = html.unescape(re.search(r'data-next="([^"]+)"', waiting.text)[1])  # type: ignore[index]
            assert nxt.startswith(path + "?") and all(f"{k}={v}" in nxt for k, v in params.items()), nxt
            deadline = time.monotonic() + 60
            while not c.get("/api/periode", params=period).json()["ready"]:
                assert time.monotonic() < deadline, f"the figures of {period} were never computed"
                time.sleep(0.2)
            page = c.get(path, params=params)
            assert page.status_code == 200 and M.t("ui_computing_title") not in html.unescape(page.text), path
