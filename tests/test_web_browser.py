"""The dashboard in a real browser: Debian's Chromium driven by Playwright (no downloaded browser).

Screenshots of each page go to out/screenshots/ (looked at before closing an issue).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from belvedere.report.render import CHROMIUM_FLAGS, chromium_path
from belvedere.store import Store
from tests.test_web_api import server  # noqa: F401  (the same live server fixture)

SHOTS = Path(os.environ.get("BELVEDERE_SCREENSHOTS", Path(__file__).resolve().parents[1] / "out" / "screenshots"))


@pytest.fixture(scope="module")
def page(server: str):  # noqa: F811
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        pg.base = server
        yield pg
        browser.close()


def test_search_commune_chart_ranking_export(page, demo_db: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with Store(demo_db, read_only=True) as s:
        code, name, dep = s.con.execute(
            "SELECT c.code, c.name, c.departement FROM pvd p JOIN communes c USING (code) "
            "WHERE c.code IN (SELECT commune_code FROM articles) ORDER BY c.code LIMIT 1"
        ).fetchall()[0]
    page.goto(page.base + "/")
    assert "DONNÉES SIMULÉES" in page.inner_text(".banner")
    page.screenshot(path=str(SHOTS / "accueil.png"), full_page=True)
    # search without accents and in lower case: the suggestion leads to the commune page
    folded = name.lower().replace("é", "e").replace("è", "e").replace("â", "a")
    page.fill("#q", folded[: max(4, len(folded) - 1)])
    page.wait_for_selector(f'#suggestions a[href="/commune/{code}"]')
    page.click(f'#suggestions a[href="/commune/{code}"]')
    page.wait_for_url(f"**/commune/{code}")
    page.wait_for_selector("#chart canvas")
    points = int(page.get_attribute("#chart", "data-points"))
    assert points == 731  # two years of daily data points drawn
    assert page.inner_text("h1").startswith(name)
    page.screenshot(path=str(SHOTS / "commune.png"), full_page=True)
    # ranking filtered by département, then the CSV export of exactly what is shown
    page.goto(page.base + "/classement")
    page.fill('input[name="departement"]', dep)
    page.click("#filters button")
    page.wait_for_url("**/classement?*")
    rows = page.locator("#ranking tr").count() - 1
    assert rows == int(page.inner_text("#total")) or rows == 50
    shown = page.locator("#ranking tr td:nth-child(2)").all_inner_texts()
    page.screenshot(path=str(SHOTS / "classement.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#export-csv")
    data = Path(dl.value.path()).read_text(encoding="utf-8")
    exported = list(csv.DictReader(io.StringIO(data)))
    assert [r["name"] for r in exported] == shown
    assert all(r["departement"] == dep for r in exported) and all(r["simulated"] == "true" for r in exported)


def test_compare_permalink_and_annotation_with_token(page, demo_db: Path) -> None:
    from tests.test_web_api import TOKEN

    SHOTS.mkdir(parents=True, exist_ok=True)
    with Store(demo_db, read_only=True) as s:
        codes = [
            r[0]
            for r in s.con.execute(
                "SELECT code FROM pvd WHERE code IN (SELECT commune_code FROM articles) ORDER BY code LIMIT 3"
            ).fetchall()
        ]
        code, peak = s.con.execute("SELECT commune_code, peak_date FROM sim_spikes WHERE peak_ratio > 8 "
                                   "ORDER BY commune_code LIMIT 1").fetchall()[0]  # fmt: skip
    page.goto(page.base + "/comparer")
    page.fill('input[name="c"]', ",".join(codes))
    page.select_option('select[name="mode"]', "index")
    page.click("#compare-form button")
    page.wait_for_selector("#chart canvas")
    permalink = page.url
    assert f"c={'%2C'.join(codes)}" in permalink and "mode=index" in permalink
    page.screenshot(path=str(SHOTS / "comparer.png"), full_page=True)
    page.goto(page.base + "/")  # elsewhere, then the permalink again: same comparison
    page.goto(permalink)
    page.wait_for_selector("#chart canvas")
    assert page.get_attribute("#chart", "data-series") == "3"
    assert page.locator("#compared tr").count() == 4
    assert page.locator('select[name="mode"]').input_value() == "index"
    # annotation: refused without the token, accepted with it, then shown
    page.goto(page.base + "/evenements")
    page.fill('#annotate input[name="commune"]', code)
    page.fill('#annotate input[name="date"]', str(peak))
    page.fill('#annotate input[name="text"]', "Reportage <b>national</b>")
    page.click("#annotate button")
    page.wait_for_selector('#annotate-result[data-status="401"]')
    page.fill('#annotate input[name="token"]', TOKEN)
    page.click("#annotate button")
    page.wait_for_selector('#annotate-result[data-status="201"]')
    page.screenshot(path=str(SHOTS / "evenements.png"), full_page=True)
    page.goto(page.base + f"/commune/{code}")
    cell = page.locator(f'#spike-{peak}, #spikes tr:has-text("{peak}")').first
    assert "Reportage <b>national</b>" in cell.inner_text()  # escaped, shown as text
    page.goto(page.base + "/etude")
    assert "Petits territoires, grande audience" in page.inner_text("main h1")
    assert page.locator("header.top nav a").count() >= 5  # inside the site, with its navigation
    assert int(page.inner_text('[data-figure="communes"]').replace("\u202f", "").replace(" ", "")) > 0
    page.screenshot(path=str(SHOTS / "etude.png"), full_page=False)
    page.click("text=Version imprimable")
    assert page.locator("header.top").count() == 0 and "Petits territoires" in page.inner_text("h1")


def test_a_campaign_and_its_effect_on_the_commune_page(page, demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as s:
        code, name = s.con.execute(
            "SELECT s.commune_code, c.name FROM sim_campaigns s JOIN campaigns c USING (campaign_id) "
            "ORDER BY s.uplift DESC LIMIT 1"
        ).fetchall()[0]
    page.goto(page.base + f"/commune/{code}")
    block = page.locator(f"#campagnes .reco:has-text('{name}')")
    assert block.count() == 1
    assert "Pendant la campagne" in block.inner_text() and "Contrefactuel" in block.inner_text()
    block.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "campagne.png"), full_page=False)
