"""The départements drawn on the maps: ANCT's generalised GeoJSON, else tiles derived from the
communes' own points.

The GeoJSON (ANCT, Licence Ouverte 2.0, base IGN Admin Express) is shipped in the package
(``reference/data/``, gzipped, see its PROVENANCE.md). ``$BELVEDERE_MAP_GEOJSON`` or the user's
cache, where ``belvedere maps fetch`` puts the current official file, take precedence. Without
any of them (a trimmed install) the map is still drawn: one square tile per département, placed
at the mean of its communes' points (the overseas ones in a column on the left), coloured the
same way.
"""

from __future__ import annotations

import gzip
import json
import math
import os
from pathlib import Path
from typing import Any

import polars as pl

GEOJSON_NAME = "departements_fr_drom_style1_anct.geojson"
GEOJSON_URL = "https://raw.githubusercontent.com/anct-carto/pvd/main/data/fr-drom-4326-pur-style1-dep.geojson"
TILE = 0.42  # half the side of a derived tile, in degrees of latitude


def cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "belvedere" / GEOJSON_NAME


def shipped_path() -> Path:
    from belvedere.reference.load import DATA_DIR

    return DATA_DIR / f"{GEOJSON_NAME}.gz"


def geojson_path() -> Path | None:
    """Where the départements GeoJSON is: the user's choice, the fetched official file, the shipped one."""
    candidates = [os.environ.get("BELVEDERE_MAP_GEOJSON", "").strip(), str(cache_path()), str(shipped_path())]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None


def departement_features(communes: pl.DataFrame) -> list[dict[str, Any]]:
    """GeoJSON-like features of the départements (``properties.insee_dep``, ``lib_dep``)."""
    path = geojson_path()
    if path is not None:
        raw = path.read_bytes()
        features: list[dict[str, Any]] = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)["features"]
        return features
    return derived_features(communes)


def derived_features(communes: pl.DataFrame) -> list[dict[str, Any]]:
    """One square per département at the mean point of its communes; overseas ones stacked on
    the left of mainland France, as national maps do."""
    deps = (
        communes.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
        .group_by("departement")
        .agg(pl.col("lat").mean(), pl.col("lon").mean(), pl.col("departement_name").first())
        .sort("departement")
    )
    features = []
    overseas = 0
    for dep, lat, lon, name in deps.iter_rows():
        if len(dep) == 3:  # 971-976: a column off the Atlantic coast
            lat, lon = 47.5 - 1.2 * overseas, -6.5
            overseas += 1
        half_lon = TILE / max(0.3, math.cos(math.radians(lat)))
        ring = [[lon - half_lon, lat - TILE], [lon + half_lon, lat - TILE], [lon + half_lon, lat + TILE],
                [lon - half_lon, lat + TILE], [lon - half_lon, lat - TILE]]  # fmt: skip
        features.append({"type": "Feature", "properties": {"insee_dep": dep, "lib_dep": name},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
    return features
