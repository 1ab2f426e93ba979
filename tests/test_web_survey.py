"""The residents' survey on a real server: the team creates it with its token, residents answer a
French form (in Chromium at 390 px too), the team approves a text, the results follow; and the
abuse cases: a second answer, flooding, oversized or scripted text, forged forms, bad tokens.

Screenshots go to out/screenshots/questionnaire-*.png.
"""

from __future__ import annotations

import html
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import segno
from playwright.sync_api import sync_playwright

from belvedere.report.render import CHROMIUM_FLAGS, chromium_path
from belvedere.store import Store
from belvedere.store import surveys as stored
from belvedere.web.app import create_app
from belvedere.web.surveys import Limits
from tests.conftest import serving
from tests.test_web_a11y import _serious
from tests.test_web_browser import SHOTS

TOKEN = "jeton-equipe"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture()
def site(demo_db: Path, tmp_path: Path) -> Iterator[tuple[str, object, Path]]:
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    app = create_app(db, TOKEN)
    with serving(app) as url:
        yield url, app, db


def _code(db: Path) -> tuple[str, str]:
    with Store(db, read_only=True) as s:
        code, name = s.con.execute(
            "SELECT c.code, c.name FROM communes c WHERE c.code IN (SELECT commune_code FROM articles) "
            "ORDER BY c.population DESC LIMIT 1"
        ).fetchall()[0]
    return code, name


def _create(url: str, code: str, title: str = "Votre avis sur votre commune") -> dict:
    r = httpx.post(f"{url}/api/surveys", json={"commune": code, "title": title}, headers=AUTH, timeout=60)
    assert r.status_code == 201, r.text
    return r.json()


def _token(page: str) -> str:
    found = re.search(r'name="jeton" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _answer(client: httpx.Client, survey: dict, **fields: str) -> httpx.Response:
    form = client.get(survey["url"])
    assert form.status_code == 200
    data = {"jeton": _token(form.text), "attachment": "8", "recommend": "9", **fields}
    return client.post(survey["url"], data=data)


def test_create_answer_once_approve_and_read_the_results(site: tuple[str, object, Path]) -> None:
    url, _, db = site
    code, name = _code(db)
    survey = _create(url, code)
    assert survey["url"] == f"{url}/s/{survey['id']}" and len(survey["id"]) >= 12
    with httpx.Client(timeout=60) as resident:
        form = resident.get(survey["url"])
        assert form.status_code == 200 and name in form.text and "anonyme" in form.text
        cookie = form.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/s/" in cookie
        data = {"jeton": _token(form.text), "attachment": "9", "recommend": "10", "proud": "Le marché du jeudi",
                "age_band": "30 à 44 ans"}  # fmt: skip
        sent = resident.post(survey["url"], data=data)
        assert sent.status_code == 201 and "Merci" in sent.text and "relecture" in sent.text
        again = _answer(resident, survey)  # the same phone, a second time
        assert again.status_code == 409 and "déjà répondu" in html.unescape(again.text)
    for attachment, recommend in (("6", "3"), ("8", "8")):  # two other residents
        with httpx.Client(timeout=60) as other:
            assert _answer(other, survey, attachment=attachment, recommend=recommend).status_code == 201
    res = httpx.get(f"{url}/api/surveys/{survey['id']}/results", timeout=60).json()
    assert res["responses"] == 3 and res["attachment"]["mean"] == round((9 + 6 + 8) / 3, 2)
    # promoters 1 (10), passives 1 (8), detractors 1 (3): 0 points, an interval around it
    assert res["ambassador_score"]["value"] == 0 and res["ambassador_score"]["ci95"][0] < 0 < res["ambassador_score"][
        "ci95"][1]  # fmt: skip
    assert res["texts"] == [] and res["pending_texts"] == 1  # not shown before the team reads it
    # the team reads the pending texts (token) and approves the one
    assert httpx.get(f"{url}/api/surveys/{survey['id']}/answers", timeout=60).status_code == 401
    pending = [a for a in httpx.get(f"{url}/api/surveys/{survey['id']}/answers", headers=AUTH, timeout=60).json()
               if a["texts"] == "pending"]  # fmt: skip
    assert [a["proud"] for a in pending] == ["Le marché du jeudi"]
    ok = httpx.post(f"{url}/api/surveys/{survey['id']}/answers/{pending[0]['answer_id']}/texts",
                    json={"approved": True}, headers=AUTH, timeout=60)  # fmt: skip
    assert ok.status_code == 200
    page = html.unescape(httpx.get(f"{url}/s/{survey['id']}/resultats", timeout=60).text)
    assert "Le marché du jeudi" in page and "3 réponse(s)" in page and "Score d'ambassadeur" in page
    assert "7,7 / 10" in page  # the mean attachment, French decimals
    csv_text = httpx.get(f"{url}/api/surveys/{survey['id']}/answers?format=csv", headers=AUTH, timeout=60).text
    assert csv_text.splitlines()[0].startswith("answer_id,answered_on,attachment") and len(csv_text.splitlines()) == 4
    with Store(db, read_only=True) as s:  # nothing of the residents' network addresses, nor their cookies
        kept = s.con.execute("SELECT * FROM survey_answers WHERE survey_id = ?", [survey["id"]]).fetchall()
    assert kept and not any("127.0.0.1" in str(v) for row in kept for v in row)
    assert all(re.fullmatch(r"[0-9a-f]{32}", row[2]) for row in kept)
    gone = httpx.delete(f"{url}/api/surveys/{survey['id']}/answers", headers=AUTH, timeout=60)
    assert gone.json() == {"deleted": 3}
    assert httpx.get(f"{url}/api/surveys/{survey['id']}/results", timeout=60).json()["responses"] == 0


def test_the_qr_code_leads_to_the_form(site: tuple[str, object, Path]) -> None:
    url, _, db = site
    survey = _create(url, _code(db)[0])
    png = httpx.get(f"{url}/s/{survey['id']}/qr.png", timeout=60)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    svg = httpx.get(f"{url}/s/{survey['id']}/qr.svg", timeout=60)
    expected = io.BytesIO()
    segno.make(survey["url"], error="m").save(expected, kind="svg", scale=8, border=4,
                                              title="Lien du questionnaire aux habitants")  # fmt: skip
    assert svg.content == expected.getvalue()  # exactly the code of the form's address


def test_abuse_is_refused_in_french(site: tuple[str, object, Path]) -> None:
    url, app, db = site
    code, _ = _code(db)
    # creating: no token, a wrong token, an unknown commune, an empty title
    for headers in ({}, {"Authorization": "Bearer faux"}, {"Authorization": "Basic " + TOKEN}):
        r = httpx.post(f"{url}/api/surveys", json={"commune": code, "title": "x"}, headers=headers, timeout=60)
        assert r.status_code == 401 and "jeton" in r.json()["detail"].lower()
    r = httpx.post(f"{url}/api/surveys", json={"commune": "99999", "title": "x"}, headers=AUTH, timeout=60)
    assert r.status_code == 404
    r = httpx.post(f"{url}/api/surveys", json={"commune": code, "title": "  \u200b "}, headers=AUTH, timeout=60)
    assert r.status_code == 422 and "vide" in r.json()["detail"]
    survey = _create(url, code)
    assert httpx.get(f"{url}/s/inconnu123", timeout=60).status_code == 404
    with httpx.Client(timeout=60) as resident:
        form = resident.get(survey["url"]).text
        # a post from elsewhere: no token, another survey's token, no cookie
        assert resident.post(survey["url"], data={"attachment": "5", "recommend": "5"}).status_code == 403
        other = _create(url, code, "Un autre")
        foreign = _token(resident.get(other["url"]).text)
        refused = resident.post(survey["url"], data={"jeton": foreign, "attachment": "5", "recommend": "5"})
        assert refused.status_code == 403 and "ne vient pas du formulaire" in html.unescape(refused.text)
        bare = httpx.post(survey["url"], data={"jeton": _token(form), "attachment": "5", "recommend": "5"}, timeout=60)
        assert bare.status_code == 403
        # too long a text: the form again, as typed, with the sentence that says why
        long = resident.post(survey["url"], data={"jeton": _token(form), "attachment": "5", "recommend": "5",
                                                  "missing": "Un cinéma. " * 60})  # fmt: skip
        page = html.unescape(long.text)
        assert long.status_code == 422 and "659 caractères : 500 au plus" in page
        assert 'value="5" required checked' in page and "Un cinéma. Un cinéma." in page
        assert resident.post(survey["url"], data={"jeton": _token(form), "attachment": "12", "recommend": "5"}
                             ).status_code == 422  # fmt: skip
        # scripted text: kept as typed, shown as text once approved, never run
        script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        assert _answer(resident, survey, proud=script).status_code == 201
    with Store(db) as store:  # (the server lets go of the file between requests)
        answer_id = stored.answers(store, survey["id"])["answer_id"][0]
    httpx.post(f"{url}/api/surveys/{survey['id']}/answers/{answer_id}/texts", json={"approved": True}, headers=AUTH,
               timeout=60)  # fmt: skip
    results = httpx.get(f"{url}/s/{survey['id']}/resultats", timeout=60).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in results and "<script>alert" not in results
    assert "<img src=x" not in results
    # flooding: more answers from one address than the limit, each with a fresh cookie
    app.state.survey_limits = Limits(per_address=(3, 3600.0))
    statuses = []
    for _ in range(5):
        with httpx.Client(timeout=60) as bot:
            r = _answer(bot, survey)
            statuses.append(r.status_code)
    assert statuses == [201, 201, 201, 429, 429]
    assert int(r.headers["Retry-After"]) > 3000 and "Trop de réponses" in html.unescape(r.text)
    assert httpx.get(f"{url}/api/surveys/{survey['id']}/results", timeout=60).json()["responses"] == 4


def test_a_read_only_server_takes_no_answer(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    code = _code(db)[0]
    with Store(db) as store:
        sid = stored.create(store, code, "Questionnaire", 365)
    with serving(create_app(db)) as url, httpx.Client(timeout=60) as resident:
        form = resident.get(f"{url}/s/{sid}")
        assert form.status_code == 200
        r = resident.post(f"{url}/s/{sid}", data={"jeton": _token(form.text), "attachment": "5", "recommend": "5"})
        assert r.status_code == 403 and "lecture seule" in html.unescape(r.text)
        assert httpx.post(f"{url}/api/surveys", json={"commune": "61074", "title": "x"}, timeout=60).status_code == 403


def test_the_whole_flow_in_the_browser(site: tuple[str, object, Path]) -> None:
    """Created by the team from the commune page, answered on a 390 px phone (the form fits the screen
    and passes axe), the text approved on the team page, then the results."""
    url, _, db = site
    code, name = _code(db)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        team = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        team.set_default_timeout(60_000)
        team.goto(f"{url}/commune/{code}")
        team.fill("#create-survey input[name=title]", "Votre avis sur la commune")
        team.fill("#create-survey input[name=token]", "faux")
        team.click("#create-survey button[type=submit]")
        team.wait_for_selector("#create-survey-result:has-text('Refusé')")  # a wrong token: said, nothing created
        team.fill("#create-survey input[name=token]", TOKEN)
        team.click("#create-survey button[type=submit]")
        team.wait_for_url("**/s/*/equipe")
        sid = team.url.rsplit("/", 2)[-2]
        assert team.evaluate("document.querySelector('figure.qr img').naturalWidth") > 0  # the QR code drawn
        assert _serious(team) == []
        team.screenshot(path=str(SHOTS / "questionnaire-equipe.png"), full_page=True)
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
        phone.set_default_timeout(60_000)
        phone.goto(f"{url}/s/{sid}")
        assert name in phone.inner_text("main")
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0 and _serious(phone) == []
        phone.screenshot(path=str(SHOTS / "questionnaire-formulaire-telephone.png"), full_page=True)
        phone.tap("#q-attachment label:has-text('9')")
        phone.tap("#q-recommend label:has-text('10')")
        phone.fill("#proud", "Les bords de rivière <b>et</b> le marché")
        phone.select_option("#years_band", "depuis toujours")
        phone.tap("#survey-form button[type=submit]")
        phone.wait_for_selector("text=Merci")
        phone.screenshot(path=str(SHOTS / "questionnaire-merci-telephone.png"), full_page=True)
        # the team reads the pending text (set as text, not markup) and publishes it
        team.fill("#team-token input[name=token]", TOKEN)
        team.click("#team-token button[type=submit]")
        team.wait_for_selector("#pending-texts li")
        assert "<b>et</b>" in team.inner_text("#pending-texts li") and team.locator("#pending-texts b").count() == 0
        team.screenshot(path=str(SHOTS / "questionnaire-relecture.png"), full_page=True)
        team.click("#pending-texts li button:has-text('Publier')")
        team.wait_for_selector("#pending-texts li:has-text('Publié.')")
        phone.goto(f"{url}/s/{sid}/resultats")
        text = phone.inner_text("main")
        assert "Les bords de rivière <b>et</b> le marché" in text and "1 réponse(s)" in text
        assert "pas encore dans la base" in text  # the demo holds no audience for today
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0 and _serious(phone) == []
        phone.screenshot(path=str(SHOTS / "questionnaire-resultats-telephone.png"), full_page=True)
        browser.close()


def test_the_commune_page_shows_vie_locale_and_links_its_survey(site: tuple[str, object, Path]) -> None:
    url, _, db = site
    with Store(db, read_only=True) as s:  # a commune page rendered (and kept) before its survey exists
        other = s.con.execute("SELECT min(commune_code) FROM articles WHERE commune_code NOT IN "
                              "(SELECT commune_code FROM surveys)").fetchall()[0][0]  # fmt: skip
    assert "/resultats" not in httpx.get(f"{url}/commune/{other}", timeout=120).text
    created = _create(url, other, "Un questionnaire tout neuf")
    again = httpx.get(f"{url}/commune/{other}", timeout=120).text
    assert f"/s/{created['id']}/resultats" in again and "Un questionnaire tout neuf" in again
    with Store(db, read_only=True) as s:
        code, sid, title = s.con.execute(
            "SELECT commune_code, survey_id, title FROM surveys WHERE survey_id LIKE 'demo-simule-%' ORDER BY survey_id"
        ).fetchall()[0]
    page = html.unescape(httpx.get(f"{url}/commune/{code}", timeout=120).text)
    section = page.split('id="vie-locale"')[1].split("</section>")[0]
    assert "Évolution de la population" in section and "Participation électorale" in section
    assert f'href="/s/{sid}/resultats"' in section and title in section
    data = httpx.get(f"{url}/api/communes/{code}/attachment", timeout=120).json()
    assert {v["indicator"] for v in data["values"]} >= {"population", "turnout", "associations"}
    assert data["surveys"][0]["survey_id"] == sid and data["surveys"][0]["responses"] >= 40
    assert all(v["source"] == "simulated" for v in data["values"])
    # the demo's survey was answered during the simulated audience: the results sit beside it
    results = html.unescape(httpx.get(f"{url}/s/{sid}/resultats", timeout=120).text)
    assert "l'article Wikipédia de la commune a été lu" in results and "SIMULÉ" in results
