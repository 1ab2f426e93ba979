"""Every page on a phone (390 px) and a laptop (1366 px), in Debian's Chromium: no sideways
scrolling, no serious or critical accessibility violation (axe-core, WCAG 2.1 A/AA rules, bundled
in tests/vendor), the search usable from the keyboard and forgiving of typos.

Screenshots of each page at both widths go to out/screenshots/ (looked at before closing an issue).
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from belvedere.report.render import CHROMIUM_FLAGS, chromium_path
from belvedere.store import Store
from tests.test_web_api import server  # noqa: F401  (the same live server fixture)
from tests.test_web_browser import SHOTS

AXE = gzip.decompress((Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js.gz").read_bytes()).decode()
WIDTHS = {"telephone": 390, "portable": 1366}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


def _page(browser: Any, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 860})
    page: Page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def _communes(demo_db: Path) -> tuple[str, str, str]:
    with Store(demo_db, read_only=True) as s:
        rows = s.con.execute(
            "SELECT c.code, c.name FROM pvd p JOIN communes c USING (code) "
            "WHERE c.code IN (SELECT commune_code FROM articles) ORDER BY c.population DESC, c.code LIMIT 2"
        ).fetchall()
    return rows[0][0], rows[1][0], rows[0][1]


def unseen(demo_db: Path) -> str:
    """A commune the demo store holds no audience for."""
    with Store(demo_db, read_only=True) as s:
        code: str = s.con.execute(
            "SELECT min(code) FROM communes WHERE code NOT IN "
            "(SELECT commune_code FROM articles JOIN pageviews USING (article_id))"
        ).fetchall()[0][0]
    return code


def _pages(demo_db: Path) -> dict[str, str]:
    one, two, _ = _communes(demo_db)
    return {
        "sans-audience": f"/commune/{unseen(demo_db)}",
        "accueil": "/",
        "commune": f"/commune/{one}",
        "classement": "/classement",
        "comparer": f"/comparer?c={one},{two}",
        "evenements": "/evenements",
        "etude": "/etude",
        "recherche": "/recherche?q=zzzqqq",
        "erreur": "/commune/99999",
    }


def _serious(page: Page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
            return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => v.id + " (" + v.impact + "): "
                     + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }"""
    )
    return list(result)


@pytest.mark.parametrize("device", list(WIDTHS))
def test_every_page_fits_the_screen_and_passes_axe(browser: Any, server: str, demo_db: Path,  # noqa: F811
                                                   device: str) -> None:  # fmt: skip
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = WIDTHS[device]
    page = _page(browser, width)
    problems = {}
    for name, path in _pages(demo_db).items():
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("main h1, main h2").count() > 0, name  # a real page, not an error dump
        page.screenshot(path=str(SHOTS / f"{name}-{device}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            problems[name] = [f"{overflow} px wider than the {width} px screen"]
        found = _serious(page)
        if found:
            problems.setdefault(name, []).extend(found)
    page.context.close()
    assert not problems, problems


def test_the_search_works_from_the_keyboard_and_forgives(browser: Any, server: str, demo_db: Path) -> None:  # noqa: F811
    one, _, name = _communes(demo_db)
    page = _page(browser, WIDTHS["telephone"])
    page.goto(server + "/")
    # arrow keys walk the suggestions, Enter opens the one selected
    page.focus("#q")
    page.keyboard.type(name[: max(4, len(name) - 2)].lower())
    page.wait_for_selector("#suggestions li")
    assert page.get_attribute("#q", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#suggestion-0", "aria-selected") == "true"
    assert page.get_attribute("#q", "aria-activedescendant") == "suggestion-0"
    first = page.get_attribute("#suggestion-0 a", "href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{first}")
    # Enter with the full name and nothing selected: the commune itself (one commune has that name)
    page.goto(server + "/")
    page.fill("#q", name)
    page.press("#q", "Enter")
    page.wait_for_url(f"**/commune/{one}")
    # an INSEE code typed in the box: the commune, or first of the list when it is a postal code too
    page.goto(server + f"/recherche?q={one}")
    assert page.url.endswith(f"/commune/{one}") or page.get_attribute("#results a", "href") == f"/commune/{one}"
    # a letter missing: "Vouliez-vous dire", with the commune offered
    typo = name[:2] + name[3:]
    page.goto(server + "/recherche?q=" + typo)
    assert "Vouliez-vous dire" in page.inner_text("#did-you-mean")
    assert page.locator(f'#results a[href="/commune/{one}"]').count() == 1
    # nothing close: said in words, with what can be typed
    page.goto(server + "/recherche?q=qqqzzzxxx")
    assert "Aucune commune" in page.inner_text("#no-result")
    page.context.close()


def test_compare_adds_communes_from_suggestions_once(browser: Any, server: str, demo_db: Path) -> None:  # noqa: F811
    one, two, name = _communes(demo_db)
    page = _page(browser, WIDTHS["telephone"])
    with Store(demo_db, read_only=True) as s:
        other = s.con.execute("SELECT name FROM communes WHERE code = ?", [two]).fetchall()[0][0]

    def pick(text: str, code: str) -> None:
        page.fill("#compare-add", text)
        page.wait_for_function(f"Array.from(document.querySelectorAll('#compare-options option'))"
                               f".some(o => o.dataset.code === '{code}')")  # fmt: skip
        value = page.eval_on_selector(f'#compare-options option[data-code="{code}"]', "o => o.value")
        page.fill("#compare-add", value)  # what choosing a suggestion does

    page.goto(server + f"/comparer?c={one}")
    pick(other, two)
    assert page.input_value("#compare-codes") == f"{one},{two}"
    pick(name, one)  # already there: not twice
    assert page.input_value("#compare-codes") == f"{one},{two}"
    page.click("#compare-form button")
    page.wait_for_selector("#compared")
    assert page.locator("#compared tr").count() == 3  # header + two communes
    # the same commune by code and by name: one line
    page.goto(server + f"/comparer?c={one},{name}")
    assert page.locator("#compared tr").count() == 2
    assert "sur 2 ans" in page.inner_text("#period")
    page.context.close()


def test_the_commune_chart_switches_and_exports(browser: Any, server: str, demo_db: Path) -> None:  # noqa: F811
    one, _, _ = _communes(demo_db)
    page = _page(browser, WIDTHS["portable"])
    page.goto(server + f"/commune/{one}")
    page.wait_for_selector("#chart canvas")
    days = int(page.get_attribute("#chart", "data-points"))
    data = page.evaluate("JSON.parse(document.getElementById('series-data').textContent)")
    assert days == len(data["t"])

    expected_months = len({(dt.date(1970, 1, 1) + dt.timedelta(seconds=t)).strftime("%Y-%m") for t in data["t"]})
    expected_weeks = len({(dt.date(1970, 1, 1) + dt.timedelta(seconds=t)).isocalendar()[:2] for t in data["t"]})
    page.select_option("#chart-step", "month")
    assert int(page.get_attribute("#chart", "data-points")) == expected_months
    page.select_option("#chart-step", "week")
    assert int(page.get_attribute("#chart", "data-points")) == expected_weeks
    page.select_option("#chart-access", "split")
    page.check("#chart-log")
    assert page.locator(".u-legend").inner_text().count("Ordinateur") == 1
    page.click("#chart-png")
    assert page.get_attribute("#chart-png", "href").startswith("data:image/png;base64,")
    # the same data as a table, for whoever does not see the chart
    page.click("#chart-table summary")
    assert page.locator("#chart-table tr").count() == expected_months + 1
    page.context.close()


def test_the_page_that_waits_for_a_period_is_accessible_and_leads_to_the_commune(browser: Any, demo_db: Path) -> None:
    """A period never computed: the page that says so fits a phone, passes axe, and its script takes
    the reader to the commune page once the figures are ready (no reload by hand)."""
    from belvedere.web.app import create_app
    from tests.conftest import serving

    one, _, _ = _communes(demo_db)
    app = create_app(demo_db, None)
    app.state.belvedere.compute_wait = 0.0  # the waiting page, whatever the machine's speed
    with Store(demo_db, read_only=True) as s:
        first = s.con.execute("SELECT min(date) FROM pageviews").fetchall()[0][0]
    period = f"start={first.isoformat()}&end={(first + dt.timedelta(days=45)).isoformat()}"
    page = _page(browser, WIDTHS["telephone"])
    with serving(app) as url:
        page.goto(f"{url}/commune/{one}?{period}")
        assert page.locator("#computing").count() == 1 and page.locator("main h1").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0 and not _serious(page)
        page.wait_for_selector("#scorecard", timeout=60_000)  # the script came back when they were ready
        assert page.url.endswith(f"/commune/{one}?{period}")
    page.context.close()
