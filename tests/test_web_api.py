"""The JSON API on a real server (uvicorn on 127.0.0.1), over the simulated store."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from belvedere.api import Observatory
from belvedere.store import Store
from belvedere.web.app import create_app
from tests.conftest import serving

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[str]:
    import shutil

    path = tmp_path_factory.mktemp("web") / "demo.duckdb"
    shutil.copy(demo_db, path)
    with serving(create_app(path, TOKEN)) as url:
        yield url


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=120) as c:
        yield c


def _pvd(demo_db: Path) -> str:
    with Store(demo_db, read_only=True) as s:
        return s.con.execute("SELECT min(code) FROM pvd WHERE code IN (SELECT commune_code FROM articles)"
                             ).fetchall()[0][0]  # fmt: skip


def test_openapi_lists_every_endpoint(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = ["/api/communes", "/api/communes/{code}", "/api/communes/{code}/series",
                "/api/communes/{code}/peers", "/api/communes/{code}/spikes", "/api/communes/{code}/scorecard",
                "/api/ranking", "/api/groups",
                "/api/events", "/api/annotations"]  # fmt: skip
    assert set(expected) <= set(paths)


def test_search_profile_series(client: httpx.Client, demo_db: Path) -> None:
    code = _pvd(demo_db)
    with Store(demo_db, read_only=True) as s:
        name = s.con.execute("SELECT name FROM communes WHERE code = ?", [code]).fetchall()[0][0]
    hits = client.get("/api/communes", params={"q": name.upper()}).json()
    assert hits[0]["code"] == code
    card = client.get(f"/api/communes/{code}").json()
    assert card["code"] == code and card["rank_pvd"] >= 1 and card["typology"]
    series = client.get(f"/api/communes/{code}/series", params={"start": "2024-03-01", "end": "2024-03-31"}).json()
    assert len(series) == 31 and sum(r["views"] for r in series) > 0
    assert len(client.get(f"/api/communes/{code}/peers", params={"n": 5}).json()) == 6


def test_ranking_is_paginated_and_consistent(client: httpx.Client) -> None:
    first = client.get("/api/ranking", params={"scope": "pvd", "limit": 10}).json()
    second = client.get("/api/ranking", params={"scope": "pvd", "limit": 10, "offset": 10}).json()
    assert first["total"] == 200 and [r["rank"] for r in second["rows"]] == list(range(11, 21))
    assert first["rows"][-1]["views_per_inhabitant"] >= second["rows"][0]["views_per_inhabitant"]
    dep = client.get("/api/ranking", params={"scope": "dep:35", "limit": 1000}).json()
    assert all(r["departement"] == "35" for r in dep["rows"])
    assert client.get("/api/groups").status_code == 200 and client.get("/api/events").status_code == 200


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/communes/99999", {}, 404),
        ("/api/communes/61074/series", {"start": "2024-13-01"}, 422),
        ("/api/communes/61074/series", {"start": "2024-05-01", "end": "2024-01-01"}, 422),
        ("/api/ranking", {"limit": 10**9}, 422),
        ("/api/ranking", {"metric": "views; DROP TABLE communes"}, 422),
        ("/api/ranking", {"scope": "dep:35' OR '1'='1"}, 422),
        ("/api/ranking", {"scope": "x" * 5000}, 422),
        ("/api/communes", {"q": ""}, 422),
        ("/api/groups", {"by": "population"}, 422),
        ("/api/communes/%27%20OR%201%3D1--", {}, 404),
        ("/classement", {"metric": "population; --"}, 422),
        ("/classement.xls", {}, 404),
        ("/classement", {"page": 0}, 422),
        ("/commune/99999", {}, 404),
        ("/api/campaigns/99999999999999/impact", {}, 422),
        ("/api/campaigns/123456/impact", {}, 404),
        ("/api/campaigns/0/impact", {}, 422),
    ],
)
def test_bad_input_is_4xx_with_a_message(client: httpx.Client, path: str, params: dict, status: int) -> None:
    r = client.get(path, params=params)
    assert r.status_code == status, r.text
    if path.startswith("/api/"):  # the API answers JSON, a page a French page
        assert isinstance(r.json()["detail"], str) and r.json()["detail"]
    else:
        assert r.headers["content-type"].startswith("text/html") and '<section class="error"' in r.text


def test_annotation_needs_the_token(client: httpx.Client, demo_db: Path) -> None:
    code = _pvd(demo_db)
    body = {"text": "<script>alert(1)</script> Reportage", "date": "2024-04-02", "commune": code, "category": "tv"}
    assert client.post("/api/annotations", json=body).status_code == 401
    bad = client.post("/api/annotations", json=body, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    ok = client.post("/api/annotations", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 201 and ok.json()["annotation_id"] >= 1
    wrong = client.post("/api/annotations", json={**body, "category": "nope"},
                        headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
    assert wrong.status_code == 422 and "Catégorie" in wrong.json()["detail"]
    # still readable afterwards (the store went back to read-only)
    assert client.get(f"/api/communes/{code}").status_code == 200


def _spiky_commune(client: httpx.Client) -> tuple[str, str]:
    """A commune with a (non-bot) spike, and that spike's peak day."""
    for row in client.get("/api/ranking", params={"scope": "all", "limit": 400}).json()["rows"]:
        found = [s for s in client.get(f"/api/communes/{row['code']}/spikes").json() if not s["suspected_bot"]]
        if found:
            return row["code"], found[0]["peak"]
    raise AssertionError("no commune with a spike in the simulated store")


def test_user_text_cannot_break_out_of_the_chart_data(client: httpx.Client) -> None:
    code, peak = _spiky_commune(client)
    text = "</script><script>document.title='pwned'</script> & co"
    body = {"text": text, "date": peak, "commune": code, "category": "presse"}
    assert client.post("/api/annotations", json=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 201
    html = client.get(f"/commune/{code}").text
    assert "</script><script>document.title" not in html
    assert "\\u003c/script\\u003e\\u003cscript\\u003edocument.title" in html  # in the chart data, escaped
    notes = [n["text"] for s in client.get(f"/api/communes/{code}/spikes").json() for n in s["annotations"] or []]
    assert text in notes


def test_status_tells_the_period_and_the_refreshes(client: httpx.Client) -> None:
    status = client.get("/api/status").json()
    assert status["start"] <= status["end"] and status["simulated"] is True and status["writable"] is True
    assert status["reloads"] == 0  # the server's own annotations do not count as new data


def test_a_write_beside_the_server_is_picked_up(demo_copy: Path) -> None:
    """The server lets go of the file between requests: another process (here the CLI) can write
    to the store while it runs, and the server rebuilds its figures once the writer is done."""
    from tests.conftest import run_cli

    with serving(create_app(demo_copy, None, refresh=0.2)) as url, httpx.Client(base_url=url, timeout=120) as c:
        code, peak = _spiky_commune(c)
        assert c.get("/api/status").json()["reloads"] == 0
        done = run_cli("annotate", code, "--date", peak, "--text", "Écrit à côté du serveur", db=demo_copy)
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 120
        while c.get("/api/status").json()["reloads"] < 1:
            assert time.monotonic() < deadline, "the server never picked up the new annotation"
            time.sleep(0.2)
        notes = [n["text"] for s in c.get(f"/api/communes/{code}/spikes").json() for n in s["annotations"] or []]
        assert "Écrit à côté du serveur" in notes


def test_every_text_key_of_the_templates_exists() -> None:
    """Page texts live in belvedere.messages (one place, to be translated): each key a template
    asks for is there, and the pages carry no stray French sentence of their own."""
    import re

    from belvedere import messages as M

    root = Path(__file__).resolve().parents[1] / "src" / "belvedere"
    for template in [*root.glob("web/templates/*.j2"), *root.glob("report/templates/*.j2")]:
        text = template.read_text()
        for key in re.findall(r'\bt\("([a-z0-9_]+)"\s*[,)]', text):
            assert key in M.FR, f"{template.name}: {key}"
    for template in root.glob("web/templates/*.j2"):
        markup = re.sub(r"<script.*?</script>", "", template.read_text(), flags=re.S)
        for node in re.findall(r">([^<>{}]+)<", markup):
            words = node.replace("Parquet", "").replace("Belvédère", "")  # names, not sentences
            assert not re.search(r"[a-zà-ÿ]{4,}", words), f"{template.name}: text outside messages: {node!r}"


def test_campaigns_through_the_api(client: httpx.Client, demo_db: Path) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with Store(demo_db, read_only=True) as s:
        code = s.con.execute("SELECT min(commune_code) FROM articles WHERE commune_code NOT IN "
                             "(SELECT commune_code FROM campaign_communes)").fetchall()[0][0]  # fmt: skip
    body = {"name": "Concours photo", "communes": [code], "start": "2024-06-03", "end": "2024-06-23",
            "channel": "réseaux sociaux"}  # fmt: skip
    assert client.post("/api/campaigns", json=body).status_code == 401
    bad = client.post("/api/campaigns", json={**body, "end": "2024-05-01"}, headers=auth)
    assert bad.status_code == 422 and "1er mai 2024" in bad.json()["detail"]
    made = client.post("/api/campaigns", json=body, headers=auth)
    assert made.status_code == 201, made.text
    cid = made.json()["campaign_id"]
    listed = client.get("/api/campaigns", params={"commune": code}).json()
    assert [c["campaign_id"] for c in listed] == [cid]
    result = client.get(f"/api/campaigns/{cid}/impact").json()[0]
    assert result["code"] == code and result["method"] in ("peers", "own") and result["sentence"]
    assert result["during"]["uplift_low"] <= result["during"]["uplift"] <= result["during"]["uplift_high"]
    page = client.get(f"/commune/{code}").text
    assert 'id="campagnes"' in page and "Concours photo" in page
    assert client.delete(f"/api/campaigns/{cid}").status_code == 401
    assert client.delete(f"/api/campaigns/{cid}", headers=auth).status_code == 200
    assert client.get(f"/api/campaigns/{cid}/impact").status_code == 404
    assert "Concours photo" not in client.get(f"/commune/{code}").text  # the kept page was renewed


def test_writes_beside_the_server_and_during_a_rebuild_are_all_seen(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CLI write followed at once by an API write: the server still rebuilds for the CLI's (its
    own write does not hide it); an API write while the figures are being rebuilt is accepted (not a
    503) and is on the pages once the rebuilt figures are swapped in."""
    from belvedere.web.api import State
    from tests.conftest import run_cli

    original = State.warm
    rebuilding = threading.Event()

    def slow_warm(obs: Observatory) -> None:
        # a rebuild long enough to write in the middle of it, holding the file and its lock as a
        # national computation does (longer than a write waits for a busy file)
        with obs.lock:
            obs.frame("SELECT count(*) FROM pageviews")
            rebuilding.set()
            time.sleep(3)
        original(obs)

    app = create_app(demo_copy, TOKEN, refresh=0.3)
    monkeypatch.setattr(State, "warm", staticmethod(slow_warm))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as c:
        code, peak = _spiky_commune(c)
        done = run_cli("annotate", code, "--date", peak, "--text", "Par la ligne de commande", db=demo_copy)
        assert done.returncode == 0, done.stderr
        api = c.post("/api/annotations", headers=auth,
                     json={"text": "Par l'API aussitôt après", "date": peak, "commune": code})  # fmt: skip
        assert api.status_code == 201, api.text
        assert rebuilding.wait(30), "the CLI's write was hidden by the server's own"
        during = c.post("/api/annotations", headers=auth,
                        json={"text": "Pendant la reconstruction", "date": peak, "commune": code})  # fmt: skip
        assert during.status_code == 201, during.text
        deadline = time.monotonic() + 60
        wanted = {"Par la ligne de commande", "Par l'API aussitôt après", "Pendant la reconstruction"}
        while True:
            spikes = c.get(f"/api/communes/{code}/spikes").json()
            notes = {n["text"] for s in spikes for n in s["annotations"] or []}
            status = c.get("/api/status").json()
            if wanted <= notes and status["reloads"] >= 1 and not status["refreshing"]:
                break
            assert time.monotonic() < deadline, f"not all seen: {notes}"
            time.sleep(0.2)


def test_a_token_with_any_character_is_a_401_not_a_500(client: httpx.Client) -> None:
    body = {"text": "x", "date": "2024-01-01", "commune": "61074"}
    for token in ("clé-été", "日本", "\u00ff" * 50):
        headers = [(b"authorization", b"Bearer " + token.encode("utf-8"))]
        bad = client.post("/api/annotations", json=body, headers=headers)
        assert bad.status_code == 401, (token, bad.status_code, bad.text)


def test_a_newline_in_a_report_address_is_a_clean_answer(client: httpx.Client, demo_db: Path) -> None:
    code = _pvd(demo_db)
    for path in (f"/commune/{code}%0AX-Injected:%201/rapport.pdf", "/commune/%0D%0A/rapport.html"):
        response = client.get(path)
        assert response.status_code in (404, 422), (path, response.status_code)
        assert "x-injected" not in response.headers
    # a commune typed with a newline around it is still found: the file is named by its INSEE code
    pdf = client.get(f"/commune/%0A{code}%0A/rapport.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == f'inline; filename="rapport-{code}.pdf"'


def test_the_servers_own_write_does_not_hide_an_outside_one(demo_copy: Path) -> None:
    """Another process writes, then the server writes before its next look at the file: the
    outside write must still be rebuilt for (the server's own write is not all that changed)."""
    from belvedere.web.api import State, _signature

    st = State(demo_copy, TOKEN, refresh=3600)  # looks at the file only when told to here
    code = st.obs.communes()["code"][0]
    day = "2024-06-01"
    st.release()  # as after every request
    with Store(demo_copy) as outside:  # the server holds no connection between requests
        outside.con.execute("INSERT INTO annotations (target_kind, commune_code, target_date, text, created_at) "
                            "VALUES ('spike', ?, ?, 'dehors', now())", [code, day])  # fmt: skip
    st.write(lambda: st.obs.annotate("dedans", commune=code, on=day))
    assert st.signature != _signature(demo_copy)  # the outside write is still to be picked up
    st._next_check = 0
    st.maybe_refresh()
    deadline = time.monotonic() + 60
    while st.reloads < 1:
        assert time.monotonic() < deadline, "the outside write was never picked up"
        time.sleep(0.05)
    texts = set(st.obs.annotations()["text"].to_list())
    assert {"dehors", "dedans"} <= texts
    st.obs.close()


@pytest.mark.parametrize(
    ("path", "status", "heading", "says"),
    [
        ("/commune/99999", 404, "Page introuvable", "Commune inconnue"),
        ("/classement?start=2024-13-01", 422, "Demande à corriger", "une date AAAA-MM-JJ est attendue"),
        ("/classement?start=0", 422, "Demande à corriger", "Date invalide"),
        ("/nulle-part", 404, "Page introuvable", "Adresse inconnue : /nulle-part"),
        ("/commune/61074/rapport.xls", 404, "Page introuvable", "html ou pdf"),
    ],
)
def test_pages_answer_mistakes_with_a_french_page(client: httpx.Client, path: str, status: int, heading: str,
                                                  says: str) -> None:  # fmt: skip
    page = client.get(path)
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert f"<h1>{heading}</h1>" in page.text and says in page.text
    assert '<html lang="fr">' in page.text and 'href="/"' in page.text  # a way back, in French
    assert "{" not in page.text.split("<main")[1].split("</main>")[0]  # no JSON dumped on the page


def test_the_api_keeps_answering_json_in_french(client: httpx.Client) -> None:
    bad = client.get("/api/ranking", params={"limit": 0})
    assert bad.status_code == 422 and bad.json() == {"detail": "Requête invalide : limit : au moins 1"}
