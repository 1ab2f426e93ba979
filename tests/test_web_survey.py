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
from datetime import date, timedelta
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
        kept = s.con.execute("SELECT * FROM survey_answers").fetchall()
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


def test_answered_on_a_phone_in_the_browser(site: tuple[str, object, Path]) -> None:
    """The whole flow at 390 px: the form fits the screen and passes axe; the scale is tapped, a text
    typed; the thanks page; the team approves the text; the results page shows it beside the
    audience of the same days."""
    url, _, db = site
    code, name = _code(db)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with Store(db) as store:  # a survey that ran during the demo's audience (kept 5 years)
        sid = stored.create(store, code, "Votre avis sur votre commune", 5 * 365)
        for k in range(4):
            answer = {"attachment": 6 + k, "recommend": 5 + k, "proud": None, "missing": None, "age_band": None,
                      "years_band": None}  # fmt: skip
            stored.add_answer(store, sid, f"appareil-{k}", answer, date(2024, 6, 1) + timedelta(days=k))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}/s/{sid}")
        assert name in page.inner_text("main")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        assert _serious(page) == []
        page.screenshot(path=str(SHOTS / "questionnaire-formulaire-telephone.png"), full_page=True)
        page.tap("#q-attachment label:has-text('9')")
        page.tap("#q-recommend label:has-text('10')")
        page.fill("#proud", "Les bords de rivière")
        page.select_option("#years_band", "depuis toujours")
        page.tap("#survey-form button[type=submit]")
        page.wait_for_selector("text=Merci")
        page.screenshot(path=str(SHOTS / "questionnaire-merci-telephone.png"), full_page=True)
        with Store(db) as store:
            mine = stored.answers(store, sid).filter(stored.answers(store, sid)["texts"] == "pending")
        assert mine["attachment"].to_list() == [9] and mine["years_band"].to_list() == ["depuis toujours"]
        approved = httpx.post(f"{url}/api/surveys/{sid}/answers/{mine['answer_id'][0]}/texts",
                              json={"approved": True}, headers=AUTH, timeout=60)  # fmt: skip
        assert approved.status_code == 200
        page.goto(f"{url}/s/{sid}/resultats")
        text = page.inner_text("main")
        assert "Les bords de rivière" in text and "5 réponse(s)" in text
        assert "l'article Wikipédia de la commune a été lu" in text  # the demo's audience of 1-4 June 2024
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0 and _serious(page) == []
        page.screenshot(path=str(SHOTS / "questionnaire-resultats-telephone.png"), full_page=True)
        browser.close()


def test_the_commune_page_shows_vie_locale_and_links_its_survey(site: tuple[str, object, Path]) -> None:
    url, _, db = site
    with Store(db, read_only=True) as s:
        code, sid, title = s.con.execute(
            "SELECT commune_code, survey_id, title FROM surveys ORDER BY survey_id"
        ).fetchall()[0]
    page = html.unescape(httpx.get(f"{url}/commune/{code}", timeout=120).text)
    section = page.split('id="vie-locale"')[1].split("</section>")[0]
    assert "Évolution de la population" in section and "Participation électorale" in section
    assert f'href="/s/{sid}/resultats"' in section and title in section
    data = httpx.get(f"{url}/api/communes/{code}/attachment", timeout=120).json()
    assert {v["indicator"] for v in data["values"]} >= {"population", "turnout", "associations"}
    assert data["surveys"][0]["survey_id"] == sid and data["surveys"][0]["responses"] >= 40
    assert all(v["source"] == "simulated" for v in data["values"])
