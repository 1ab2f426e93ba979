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
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import polars as pl

from belvedere import __version__
from belvedere.errors import BelvedereError
from belvedere.store import Store
from belvedere.store.db import now

if TYPE_CHECKING:
    from belvedere.api import Observatory

# what a set of figures holds; bump FORMAT when their meaning changes without their columns. The
# metrics are the typology's first columns: kept once, as the list of those columns.
KINDS = ("spikes", "typology", "events")
FORMAT = 7  # 7: "littoral"/"montagne" only for communes of the official lists (zones)
RUNS = "figures_runs"
# communes: how many communes' rows the last update computed again (null: all of them)
RUNS_COLUMNS = ("period_start", "period_end", "fingerprint", "computed_at", "seconds", "kind", "metrics_columns",
                "communes")  # fmt: skip
STANDARD, ASKED = "standard", "asked"  # computed after every write / asked once (kept, refreshed)


def fingerprint(store: Store, start: date, end: date) -> str:
    """What the figures of [start, end] depend on, read in milliseconds: every write of audience
    logs a line with the days it wrote (fetch, ingest, simulation), and the writes that may change
    any day (resolved titles, reference, PVD list, replaced files) log one without days. A day of
    new audience thus leaves the figures of the periods before it current. A new version of the
    code may compute them otherwise. An imported snapshot changes no audience of the store."""
    last = store.con.execute(f"SELECT coalesce(max(ingest_id), 0) FROM ingest_log WHERE {_WRITES}", [end, start])
    return f"{last.fetchall()[0][0]}:{__version__}:{FORMAT}"


# the log lines of writes that may change the audience of a period [?2, ?1]: not an imported
# snapshot, not France's daily totals (project_totals: no figure reads them)
_WRITES = ("source NOT IN ('snapshot', 'rest_api_aggregate') AND (start_date IS NULL OR end_date IS NULL "
           "OR (start_date <= ? AND end_date >= ?))")  # fmt: skip
# communes with new audience beyond which the periods are computed afresh: on all communes x 3 years,
# 4 periods patched for 2,000 / 8,000 / 16,000 communes took 6.4 / 9.7 / 14.3 s, computed afresh 22 s
PATCH_MAX = 10_000


def changed_communes(store: Store, start: date, end: date, stamp: str) -> list[str] | None:
    """The communes whose audience over [start, end] the writes since the figures of ``stamp`` may
    have changed, when each of those writes was an article's (a town's fetch); None when one was
    not (a dump, the simulator, the reference: any commune may have changed) or when the figures
    of ``stamp`` were computed by another version."""
    since, _, rest = stamp.partition(":")
    if rest != f"{__version__}:{FORMAT}" or not since.isdigit():
        return None
    written = store.con.execute(
        f"SELECT DISTINCT article_id FROM ingest_log WHERE ingest_id > ? AND {_WRITES}", [int(since), end, start]
    ).fetchall()
    if any(article is None for (article,) in written):
        return None
    rows = store.con.execute(
        "SELECT DISTINCT commune_code FROM articles WHERE commune_code IS NOT NULL AND article_id IN "
        "(SELECT unnest(?::INTEGER[])) ORDER BY 1",
        [[article for (article,) in written]],
    ).fetchall()
    return [code for (code,) in rows]


def standard_periods(first: date, last: date) -> list[tuple[date, date]]:
    """The periods kept after every write: the whole audience (every command's default), the last
    12 months, the last 3 years, and each calendar year held in full."""
    periods = [(first, last)]
    for years in (1, 3):
        try:
            back = last.replace(year=last.year - years) + timedelta(days=1)
        except ValueError:  # 29 February
            back = last.replace(year=last.year - years, day=28) + timedelta(days=1)
        periods.append((max(first, back), last))
    for year in range(first.year, last.year + 1):
        if date(year, 1, 1) >= first and date(year, 12, 31) <= last:
            periods.append((date(year, 1, 1), date(year, 12, 31)))
    return list(dict.fromkeys(periods))


def _usable(store: Store) -> bool:
    """Whether the store keeps figures in this version's layout (an older one's are ignored, and
    replaced at the next save)."""
    if not store.has_table(RUNS):
        return False
    have = tuple(r[0] for r in store.con.execute(f"DESCRIBE {RUNS}").fetchall())
    return have == RUNS_COLUMNS


def _current(store: Store, start: date, end: date) -> tuple[str, list[str]] | None:
    """The fingerprint and metrics columns of the figures kept for [start, end] when they were
    computed from the store as it is now; None otherwise."""
    if not _usable(store):
        return None
    run = store.con.execute(
        f"SELECT fingerprint, metrics_columns FROM {RUNS} WHERE period_start = ? AND period_end = ?", [start, end]
    ).fetchall()
    if not run or run[0][0] != fingerprint(store, start, end):
        return None
    stamp: str = run[0][0]
    columns: list[str] = run[0][1]
    return stamp, columns


def _read(store: Store, kind: str, start: date, end: date) -> pl.DataFrame:
    return store.frame(
        f"SELECT * EXCLUDE (period_start, period_end) FROM figures_{kind} WHERE period_start = ? "
        "AND period_end = ? ORDER BY _row",
        [start, end],
    ).drop("_row")


@dataclass(frozen=True)
class Kept:
    """Figures read from the store: ``frames`` by kind (with "metrics"), and ``stamp``, the state of
    the store they came from, for the kinds read later (see :func:`read_kind`)."""

    stamp: str
    frames: dict[str, pl.DataFrame]


def load(store: Store, start: date, end: date, kinds: tuple[str, ...] = KINDS) -> Kept | None:
    """The figures of [start, end] (the ``kinds`` asked, and the metrics) if they were computed from
    the store as it is now, else None."""
    current = _current(store, start, end)
    if current is None:
        return None
    stamp, metrics_columns = current
    return Kept(stamp, _frames(store, start, end, kinds, metrics_columns))


def _frames(store: Store, start: date, end: date, kinds: tuple[str, ...],
            metrics_columns: list[str]) -> dict[str, pl.DataFrame]:  # fmt: skip
    """The kept figures of [start, end] of these kinds, and the metrics (the typology's first columns)."""
    frames = {kind: _read(store, kind, start, end) for kind in dict.fromkeys((*kinds, "typology"))}
    frames["metrics"] = frames["typology"].select(metrics_columns)
    return frames


def read_kind(store: Store, start: date, end: date, kind: str, stamp: str) -> pl.DataFrame | None:
    """One kind of the figures of [start, end], read later than the others (a command about one
    commune needs no national spikes): None unless they are still those of ``stamp``."""
    current = _current(store, start, end)
    if current is None or current[0] != stamp:
        return None
    return _read(store, kind, start, end)


def commune_spikes(store: Store, start: date, end: date, code: str, stamp: str | None = None) -> pl.DataFrame | None:
    """One commune's spikes from the kept figures of [start, end], read alone (a command about one
    commune needs no other); an empty frame when it has audience and no spike; None when the
    figures are not current (or not those of ``stamp``) or the commune has no audience over the period."""
    current = _current(store, start, end)
    if current is None or (stamp is not None and current[0] != stamp):
        return None
    known = store.con.execute(
        "SELECT count(*) FROM figures_typology WHERE period_start = ? AND period_end = ? AND code = ?",
        [start, end, code],
    ).fetchall()[0][0]
    if not known:
        return None
    return store.frame(
        "SELECT * EXCLUDE (period_start, period_end, _row) FROM figures_spikes WHERE period_start = ? "
        "AND period_end = ? AND code = ? ORDER BY start",
        [start, end, code],
    )


def save(store: Store, start: date, end: date, frames: dict[str, pl.DataFrame], seconds: float,
         kind: str = ASKED, communes: int | None = None) -> None:  # fmt: skip
    """Keep the figures of [start, end] (replacing those of that period), in one transaction;
    ``communes``: how many communes' rows were computed again (None: all)."""
    con = store.con
    stamp = fingerprint(store, start, end)
    missing = set(frames["metrics"].columns) - set(frames["typology"].columns)
    assert not missing, f"the typology lost metrics: {missing}"
    with store.transaction():
        if store.has_table(RUNS) and not _usable(store):  # an older layout: every figure is computed again
            for table in (RUNS, *(f"figures_{k}" for k in ("metrics", *KINDS))):
                con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {RUNS} (period_start DATE, period_end DATE, fingerprint VARCHAR, "
            "computed_at TIMESTAMP, seconds DOUBLE, kind VARCHAR, metrics_columns VARCHAR[], communes INTEGER, "
            "PRIMARY KEY (period_start, period_end))"
        )
        for name in KINDS:
            table = f"figures_{name}"
            frame = frames[name].with_row_index("_row")
            con.register("_figures", frame.to_arrow())
            shape = con.execute("DESCRIBE SELECT ?::DATE AS period_start, ?::DATE AS period_end, * FROM _figures",
                                [start, end]).fetchall()  # fmt: skip
            if store.has_table(table):
                have = con.execute(f"DESCRIBE {table}").fetchall()
                if [(c[0], c[1]) for c in have] != [(c[0], c[1]) for c in shape]:  # other columns: rebuilt
                    con.execute(f"DROP TABLE {table}")
                    con.execute(f"DELETE FROM {RUNS}")
            if not store.has_table(table):
                con.execute(f"CREATE TABLE {table} AS SELECT ?::DATE AS period_start, ?::DATE AS period_end, * "
                            "FROM _figures WHERE FALSE", [start, end])  # fmt: skip
            con.execute(f"DELETE FROM {table} WHERE period_start = ? AND period_end = ?", [start, end])
            con.execute(f"INSERT INTO {table} SELECT ?::DATE, ?::DATE, * FROM _figures", [start, end])
            con.unregister("_figures")
        con.execute(f"DELETE FROM {RUNS} WHERE period_start = ? AND period_end = ?", [start, end])
        con.execute(f"INSERT INTO {RUNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [start, end, stamp, now(), seconds, kind, frames["metrics"].columns, communes])  # fmt: skip


def forget(store: Store, periods: list[tuple[date, date]]) -> None:
    """Drop the figures of these periods (standard periods the audience has moved past)."""
    if not periods or not _usable(store):
        return
    with store.transaction() as con:
        for start, end in periods:
            for table in (RUNS, *(f"figures_{k}" for k in KINDS)):
                if store.has_table(table):
                    con.execute(f"DELETE FROM {table} WHERE period_start = ? AND period_end = ?", [start, end])


def compute(obs: Observatory, start: str | date | None = None, end: str | date | None = None,
            kind: str = ASKED) -> tuple[date, date]:  # fmt: skip
    """Compute the national figures of a period with ``obs`` (its progress callback shows the
    stages) and keep them in its store, which must be open for writing. Returns the period."""
    t0 = time.perf_counter()
    d_start, d_end = obs.period(start, end)
    obs.kept_figures = False  # asked to compute: from the audience, not from figures kept before
    obs.forget_national(d_start, d_end)
    frames = obs.national_frames(d_start, d_end)
    with obs.lock:
        save(obs.store, d_start, d_end, frames, time.perf_counter() - t0, kind)
    return d_start, d_end


def patch(obs: Observatory, start: date, end: date, codes: list[str], kind: str = ASKED) -> tuple[date, date]:
    """Bring the kept figures of [start, end] up to date after new audience for ``codes`` alone
    (see :func:`changed_communes`): their rows are computed again, then what depends on every
    commune (surplus, ranks, typology, shared events), from the kept figures of the others. The
    figures are those :func:`compute` gives, in a fraction of its time (tested)."""
    t0 = time.perf_counter()
    store = obs.store
    run = store.con.execute(f"SELECT metrics_columns FROM {RUNS} WHERE period_start = ? AND period_end = ?",
                            [start, end]).fetchall()  # fmt: skip
    if not codes:  # writes that changed no commune's audience (a failed fetch): the same figures, restamped
        with obs.lock, store.transaction() as con:
            con.execute(f"UPDATE {RUNS} SET fingerprint = ?, computed_at = ?, communes = 0 WHERE period_start = ? "
                        "AND period_end = ?", [fingerprint(store, start, end), now(), start, end])  # fmt: skip
        return start, end
    frames = obs.patched_frames(start, end, codes, _frames(store, start, end, ("spikes",), run[0][0]))
    with obs.lock:
        save(store, start, end, frames, time.perf_counter() - t0, kind, len(codes))
    return start, end


def _patchable(store: Store, start: date, end: date) -> list[str] | None:
    """The communes to compute again to bring the kept figures of [start, end] up to date, when
    that is faster than computing them all; None when they must all be computed."""
    if not _usable(store):
        return None
    run = store.con.execute(f"SELECT fingerprint FROM {RUNS} WHERE period_start = ? AND period_end = ?",
                            [start, end]).fetchall()  # fmt: skip
    if not run:
        return None
    codes = changed_communes(store, start, end, run[0][0])
    return codes if codes is not None and len(codes) <= PATCH_MAX else None


def runs(store: Store) -> pl.DataFrame:
    """The periods whose figures are kept, whether they are still those of the store, whether they
    are standard periods or periods someone asked for, and how many communes their last update
    computed again (null: all)."""
    if not _usable(store):
        return pl.DataFrame(schema={"period_start": pl.Date, "period_end": pl.Date, "computed_at": pl.Datetime,
                                    "seconds": pl.Float64, "kind": pl.String, "communes": pl.Int32,
                                    "current": pl.Boolean})  # fmt: skip
    kept = store.frame(
        f"SELECT period_start, period_end, computed_at, seconds, kind, communes, fingerprint FROM {RUNS} "
        "ORDER BY period_start, period_end"
    )
    current = [fp == fingerprint(store, s, e) for s, e, fp in kept.select("period_start", "period_end", "fingerprint")
               .iter_rows()]  # fmt: skip
    return kept.drop("fingerprint").with_columns(pl.Series("current", current, dtype=pl.Boolean))


def keep_standard(obs: Observatory, *, force: bool = False) -> list[tuple[date, date]]:
    """Compute the standard periods whose figures are missing or no longer current (all of them
    with ``force``), the periods asked before that new audience changed, and drop the standard
    periods of the past (last year's "last 12 months"). A period whose new audience is a few
    towns' is updated for them (:func:`patch`), the others computed afresh. Returns the periods
    computed or updated; a period already current costs a query."""
    kept = runs(obs.store)
    first, last = obs.period()
    standard = standard_periods(first, last)
    gone = [(s, e) for s, e, k in kept.select("period_start", "period_end", "kind").iter_rows()
            if k == STANDARD and (s, e) not in standard]  # fmt: skip
    with obs.lock:
        forget(obs.store, gone)
    current = {(s, e) for s, e, c in kept.select("period_start", "period_end", "current").iter_rows() if c}
    asked = [(s, e) for s, e, k in kept.select("period_start", "period_end", "kind").iter_rows()
             if k == ASKED and (s, e) not in standard]  # fmt: skip
    todo = [p for p in [*standard, *asked] if force or p not in current]
    with obs.store.one_checkpoint(obs.lock):
        return _update(obs, todo, standard, force)


def _update(obs: Observatory, todo: list[tuple[date, date]], standard: list[tuple[date, date]],
            force: bool) -> list[tuple[date, date]]:  # fmt: skip
    done = []
    for i, period in enumerate(todo):
        if obs.progress:
            obs.progress("periods", i, len(todo))
        kind = STANDARD if period in standard else ASKED
        codes = None if force else _patchable(obs.store, *period)
        try:
            done.append(compute(obs, *period, kind=kind) if codes is None else patch(obs, *period, codes, kind))
        except BelvedereError:  # a period the audience no longer covers: left as it is, the others done
            continue
    if obs.progress and todo:
        obs.progress("periods", len(todo), len(todo))
    return done


def refresh(obs: Observatory) -> list[tuple[date, date]]:
    """After new audience: :func:`keep_standard`, when the store keeps figures (``compute`` or
    ``demo`` start keeping them; a store that never asked for them is not made to pay)."""
    if not keeps(obs.store):
        return []
    return keep_standard(obs)


def keeps(store: Store) -> bool:
    """Whether the store keeps national figures (``compute`` or ``demo`` ran on it), even of an
    older layout: they are then computed again after new audience, in the current one."""
    return store.has_table(RUNS)
