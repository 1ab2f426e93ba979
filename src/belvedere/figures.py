"""National figures kept in the store: computed once per period, read by every command.

Ranking a town against all of France needs the whole country's audience (150 million rows for
three years) turned into metrics, spikes, a typology and shared events: tens of seconds that every
command used to pay again. ``belvedere compute`` (and ``demo``) writes them to ``figures_*`` tables,
one set per period, tagged with a fingerprint of the audience they came from; the Python API, the
CLI, the reports and the server read them back in milliseconds, and never use figures whose
fingerprint no longer matches the store (new audience since: they are computed again).

The tables are derived data, outside the migrations: a version of Belvédère whose figures have other
columns drops and rebuilds them.
"""

from __future__ import annotations

import time
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from belvedere import __version__
from belvedere.errors import BelvedereError
from belvedere.store import Store
from belvedere.store.db import now

if TYPE_CHECKING:
    from belvedere.api import Observatory

# what a set of figures holds; bump FORMAT when their meaning changes without their columns
KINDS = ("metrics", "spikes", "typology", "events")
FORMAT = 1
RUNS = "figures_runs"


def fingerprint(store: Store) -> str:
    """What the figures depend on, read in milliseconds: every audience write logs a line (fetch,
    ingest, simulation, resolve) or changes the number of audience rows, and a new version of the
    code may compute them otherwise."""
    con = store.con
    last_log = con.execute("SELECT coalesce(max(ingest_id), 0) FROM ingest_log").fetchall()[0][0]
    rows = con.execute("SELECT count(*) FROM pageviews").fetchall()[0][0]
    return f"{last_log}:{rows}:{__version__}:{FORMAT}"


def _exists(store: Store, table: str) -> bool:
    return bool(
        store.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchall()[0][
            0
        ]
    )


def load(store: Store, start: date, end: date) -> dict[str, pl.DataFrame] | None:
    """The figures of [start, end] if they were computed from the store as it is now, else None."""
    if not _exists(store, RUNS):
        return None
    run = store.con.execute(
        f"SELECT fingerprint FROM {RUNS} WHERE period_start = ? AND period_end = ?", [start, end]
    ).fetchall()
    if not run or run[0][0] != fingerprint(store):
        return None
    frames = {}
    for kind in KINDS:
        frames[kind] = store.frame(
            f"SELECT * EXCLUDE (period_start, period_end) FROM figures_{kind} WHERE period_start = ? "
            "AND period_end = ? ORDER BY _row",
            [start, end],
        ).drop("_row")
    return frames


def save(store: Store, start: date, end: date, frames: dict[str, pl.DataFrame], seconds: float) -> None:
    """Keep the figures of [start, end] (replacing those of that period), in one transaction."""
    con = store.con
    stamp = fingerprint(store)
    with store.transaction():
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {RUNS} (period_start DATE, period_end DATE, fingerprint VARCHAR, "
            "computed_at TIMESTAMP, seconds DOUBLE, PRIMARY KEY (period_start, period_end))"
        )
        for kind in KINDS:
            table = f"figures_{kind}"
            frame = frames[kind].with_row_index("_row")
            con.register("_figures", frame.to_arrow())
            shape = con.execute("DESCRIBE SELECT ?::DATE AS period_start, ?::DATE AS period_end, * FROM _figures",
                                [start, end]).fetchall()  # fmt: skip
            if _exists(store, table):
                have = con.execute(f"DESCRIBE {table}").fetchall()
                if [(c[0], c[1]) for c in have] != [(c[0], c[1]) for c in shape]:  # other columns: rebuilt
                    con.execute(f"DROP TABLE {table}")
                    con.execute(f"DELETE FROM {RUNS}")
            if not _exists(store, table):
                con.execute(f"CREATE TABLE {table} AS SELECT ?::DATE AS period_start, ?::DATE AS period_end, * "
                            "FROM _figures WHERE FALSE", [start, end])  # fmt: skip
            con.execute(f"DELETE FROM {table} WHERE period_start = ? AND period_end = ?", [start, end])
            con.execute(f"INSERT INTO {table} SELECT ?::DATE, ?::DATE, * FROM _figures", [start, end])
            con.unregister("_figures")
        con.execute(f"DELETE FROM {RUNS} WHERE period_start = ? AND period_end = ?", [start, end])
        con.execute(f"INSERT INTO {RUNS} VALUES (?, ?, ?, ?, ?)", [start, end, stamp, now(), seconds])


def compute(obs: Observatory, start: str | date | None = None, end: str | date | None = None) -> tuple[date, date]:
    """Compute the national figures of a period with ``obs`` (its progress callback shows the
    stages) and keep them in its store, which must be open for writing. Returns the period."""
    t0 = time.perf_counter()
    d_start, d_end = obs.period(start, end)
    obs.kept_figures = False  # asked to compute: from the audience, not from figures kept before
    obs.forget_national(d_start, d_end)
    frames = obs.national_frames(d_start, d_end)
    with obs.lock:
        save(obs.store, d_start, d_end, frames, time.perf_counter() - t0)
    return d_start, d_end


def runs(store: Store) -> pl.DataFrame:
    """The periods whose figures are kept, and whether they are still those of the store."""
    if not _exists(store, RUNS):
        return pl.DataFrame(schema={"period_start": pl.Date, "period_end": pl.Date, "computed_at": pl.Datetime,
                                    "seconds": pl.Float64, "current": pl.Boolean})  # fmt: skip
    stamp = fingerprint(store)
    return store.frame(
        f"SELECT period_start, period_end, computed_at, seconds, fingerprint = ? AS current FROM {RUNS} "
        "ORDER BY period_start, period_end",
        [stamp],
    )


def refresh(obs: Observatory) -> list[tuple[date, date]]:
    """After new audience: compute again the kept periods that are no longer current, and the
    whole audience's period (the default one, whose end may have moved). Nothing when the store
    keeps no figures yet (``compute`` or ``demo`` start keeping them). Returns the periods computed."""
    kept = runs(obs.store)
    if kept.is_empty():
        return []
    periods = [obs.period()]
    for start, end in kept.filter(~pl.col("current")).select("period_start", "period_end").iter_rows():
        if (start, end) not in periods:
            periods.append((start, end))
    done = []
    for start, end in periods:
        try:
            done.append(compute(obs, start, end))
        except BelvedereError:  # a period the audience no longer covers: left as it is, the others done
            continue
    return done
