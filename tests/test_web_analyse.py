"""« Analyser cette commune »: a town's team on a fresh store (no audience at all) opens the
dashboard, finds its commune, clicks, watches the progress page and lands on its dashboard,
fetched from the local Wikimedia fake; only when the server was started allowed to fetch."""

from __future__ import annotations

import html
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import sync_playwright

from belvedere.report.render import CHROMIUM_FLAGS, chromium_path
from belvedere.store import Store
from belvedere.web.app import create_app
from tests.conftest import serving
from tests.fakes.wikimedia import FakeWikimedia, Faults
from tests.test_fetch import CONTACT, carrouges_dataset, fake_env
from tests.test_web_a11y import AXE, unseen
from tests.test_web_browser import SHOTS

CARROUGES_VIEWS = 12 + 30 + 5 + 7 + sum(range(20, 30))  # the fake's user views of Carrouges and its redirect


@pytest.fixture()
def fresh(reference_db: Path, tmp_path: Path) -> Path:
    """A town's store as `belvedere init` leaves it: every commune known, no audience."""
    path = tmp_path / "ville.duckdb"
    shutil.copy(reference_db, path)
    return path


def _wait_state(client: httpx.Client, code: str, until: set[str], seconds: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        now: dict[str, Any] = client.get(f"/commune/{code}/analyse/etat").json()
        if now["state"] in until or time.monotonic() > deadline:
            return now
        time.sleep(0.2)


def _axe(page: Any) -> list[str]:
    page.add_script_tag(content=AXE)
    return list(page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: "tag",
               values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})).violations
               .filter(v => v.impact === "serious" || v.impact === "critical").map(v => v.id)"""
    ))  # fmt: skip


def test_a_town_analyses_its_commune_from_the_dashboard(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In Chromium at 390 px: the welcome page, the commune page offering the analysis, the
    progress page (steps, a progress bar, a status line), then the commune's dashboard with the
    audience the fake served; every page passes axe."""
    with FakeWikimedia(carrouges_dataset(), Faults(latency=0.05)) as fake:
        for key, value in fake_env(fake).items():
            monkeypatch.setenv(key, value)
        with serving(create_app(fresh, None, fetch_contact=CONTACT)) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
            page = browser.new_context(viewport={"width": 390, "height": 860}).new_page()
            page.set_default_timeout(60_000)
            SHOTS.mkdir(parents=True, exist_ok=True)
            problems: dict[str, list[str]] = {}
            page.goto(url + "/")
            assert "aucune audience" in page.inner_text("#no-audience")
            assert "Analyser cette commune" in page.inner_text("#no-audience")  # what to do, said
            page.screenshot(path=str(SHOTS / "analyse-accueil-telephone.png"), full_page=True)
            problems["accueil"] = _axe(page)
            page.goto(url + "/commune/61074")
            assert "Pas encore d'audience" in page.inner_text("main h2")
            page.screenshot(path=str(SHOTS / "analyse-commune-telephone.png"), full_page=True)
            problems["commune"] = _axe(page)
            page.click("#analyse")
            page.wait_for_url("**/commune/61074/analyse")
            assert page.locator("#analysis-status[role=status]").count() == 1
            assert page.locator("#analysis-progress").count() == 1 and page.locator(".steps li").count() == 4
            page.screenshot(path=str(SHOTS / "analyse-analyse-telephone.png"), full_page=True)
            problems["analyse"] = _axe(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            page.wait_for_url("**/commune/61074", timeout=120_000)  # the page leads there when it is ready
            total = page.inner_text('[data-figure="total_views"]')
            browser.close()
        requests = fake.count("per_article")
    assert int("".join(ch for ch in total if ch.isdigit())) == CARROUGES_VIEWS
    assert not {k: v for k, v in problems.items() if v} and overflow <= 0, (problems, overflow)
    assert CONTACT in " ".join(fake.user_agents)  # the polite User-Agent, with the server's contact
    assert requests == (2 + 20) * 3  # Carrouges' 2 titles and 20 peers' by 3 accesses: never all of France
    with Store(fresh, read_only=True) as store:
        views = store.con.execute(
            "SELECT sum(views) FROM pageviews p JOIN articles a USING (article_id) "
            "WHERE a.commune_code = '61074' AND p.agent = 'user'"
        ).fetchall()[0][0]
    assert views == CARROUGES_VIEWS


def test_without_fetch_the_server_never_fetches(fresh: Path) -> None:
    with serving(create_app(fresh, None)) as url, httpx.Client(base_url=url, timeout=60) as client:
        page = client.get("/commune/61074")
        assert page.status_code == 200 and 'id="analyse"' not in page.text
        assert "belvedere diagnose 61074" in page.text  # the command that gets it, instead
        refused = client.post("/commune/61074/analyser")
        assert refused.status_code == 403 and "--fetch" in refused.text
        assert refused.headers["content-type"].startswith("text/html")  # a French page, not JSON
        assert "belvedere demo" in client.get("/").text
        assert client.get("/commune/61074/analyse", follow_redirects=False).status_code == 303


def test_one_analysis_at_a_time_and_a_failure_is_said(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeWikimedia(carrouges_dataset(), Faults(latency=0.3)) as fake:
        for key, value in fake_env(fake).items():
            monkeypatch.setenv(key, value)
        app = create_app(fresh, None, fetch_contact=CONTACT)
        with serving(app) as url, httpx.Client(base_url=url, timeout=60) as client:
            first = client.post("/commune/61074/analyser", follow_redirects=False)
            assert first.status_code == 303 and first.headers["location"] == "/commune/61074/analyse"
            again = client.post("/commune/61074/analyser", follow_redirects=False)  # the same: the same analysis
            assert again.status_code == 303
            other = client.post("/commune/94038/analyser")
            assert other.status_code == 409 and "Carrouges" in other.text and "une analyse à la fois" in other.text
            assert _wait_state(client, "61074", {"ready", "failed"})["state"] == "ready"
            # Wikidata unreachable: the child stops with its one-line explanation, the page says it
            monkeypatch.setenv("BELVEDERE_WIKIDATA_SPARQL", "http://127.0.0.1:9/sparql")
            assert client.post("/commune/94038/analyser", follow_redirects=False).status_code == 303
            failed = _wait_state(client, "94038", {"ready", "failed"})
            assert failed["state"] == "failed" and "127.0.0.1:9" in failed["words"], failed
            page = client.get("/commune/94038")
            said = html.unescape(page.text)
            assert page.status_code == 200 and 'role="alert"' in said and "n'a pas abouti : Service injoignable" in said
            assert 'id="analyse"' in page.text  # and it can be tried again
        analyses = app.state.belvedere.analyses
        assert analyses.running() is None and not analyses._workdir.exists()  # logs and progress files gone


def test_fetch_needs_a_contact_and_a_real_store(demo_db: Path, fresh: Path) -> None:
    from tests.conftest import run_cli

    no_contact = run_cli("serve", "--fetch", "--port", "1", db=fresh)
    assert no_contact.returncode == 1 and "--contact" in no_contact.stderr and "Traceback" not in no_contact.stderr
    simulated = run_cli("serve", "--fetch", "--contact", CONTACT, "--port", "1", db=demo_db)
    assert simulated.returncode == 1 and "magasin simulé" in simulated.stderr
    with serving(create_app(demo_db, None)) as url:
        page = html.unescape(httpx.get(f"{url}/commune/{unseen(demo_db)}", timeout=60).text)
    assert "Ce magasin est simulé" in page and 'id="analyse"' not in page and "DONNÉES SIMULÉES" in page
