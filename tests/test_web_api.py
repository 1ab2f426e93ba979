"""The JSON API on a real server (uvicorn on 127.0.0.1), over the simulated store."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from belvedere.store import Store
from belvedere.web.app import create_app

TOKEN = "s3cret-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Iterator[str]:
    import shutil

    path = tmp_path_factory.mktemp("web") / "demo.duckdb"
    shutil.copy(demo_db, path)
    port = _free_port()
    config = uvicorn.Config(create_app(path, TOKEN), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


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
                "/api/communes/{code}/peers", "/api/communes/{code}/spikes", "/api/ranking", "/api/groups",
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
    ],
)
def test_bad_input_is_4xx_with_a_message(client: httpx.Client, path: str, params: dict, status: int) -> None:
    r = client.get(path, params=params)
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]


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
