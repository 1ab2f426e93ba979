"""Maps: the ANCT GeoJSON shipped in the package or fetched into the user's cache, tiles derived from the
commune points without it, and `belvedere maps fetch` against a local HTTP server."""

from __future__ import annotations

import gzip
import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from belvedere.api import Observatory
from belvedere.report import charts
from belvedere.report.maps import GEOJSON_NAME, departement_features, derived_features, geojson_path, shipped_path
from tests.conftest import run_cli


def test_derived_tiles_cover_every_departement(reference_db: Path) -> None:
    with Observatory.open(reference_db) as obs:
        communes = obs.communes()
    features = derived_features(communes)
    codes = {f["properties"]["insee_dep"] for f in features}
    located = communes.filter(communes["lat"].is_not_null())["departement"].unique().to_list()
    assert codes == set(located) and {f"{i:02d}" for i in range(1, 96) if i != 20} <= codes
    svg = charts.choropleth(features, {"75": 10.0, "2A": 3.0}, label="carte")
    assert svg.count("<path") >= 101 and "Paris" in svg


def test_the_geojson_is_found_where_it_is(tmp_path: Path, monkeypatch, reference_db: Path) -> None:
    mine = tmp_path / "deps.geojson"
    mine.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"insee_dep": "01", "lib_dep": "Ain"},
         "geometry": {"type": "Polygon", "coordinates": [[[5, 46], [6, 46], [6, 47], [5, 46]]]}}]}))  # fmt: skip
    monkeypatch.setenv("BELVEDERE_MAP_GEOJSON", str(mine))
    assert geojson_path() == mine
    with Observatory.open(reference_db) as obs:
        assert [f["properties"]["lib_dep"] for f in departement_features(obs.communes())] == ["Ain"]


def _serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = partial(SimpleHTTPRequestHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_maps_fetch_downloads_into_the_cache(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "deps.geojson").write_bytes(gzip.decompress(shipped_path().read_bytes()))
    (site / "broken.geojson").write_text("{not json")
    server, base = _serve(site)
    try:
        env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "BELVEDERE_CONTACT": "tests@belvedere.example",
               "BELVEDERE_MAX_TRIES": "1"}  # fmt: skip
        ok = run_cli("maps", "fetch", env={**env, "BELVEDERE_MAP_URL": f"{base}/deps.geojson"})
        assert ok.returncode == 0, ok.stderr
        saved = tmp_path / "cache" / "belvedere" / GEOJSON_NAME
        assert len(json.loads(saved.read_text())["features"]) == 101
        bad = run_cli("maps", "fetch", env={**env, "BELVEDERE_MAP_URL": f"{base}/broken.geojson"})
        assert bad.returncode == 1 and "injoignable" in bad.stderr
        assert len(json.loads(saved.read_text())["features"]) == 101  # the good copy is kept
    finally:
        server.shutdown()
