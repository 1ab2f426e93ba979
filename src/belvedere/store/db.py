"""The DuckDB store: open, migrate, transact, read metadata."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from belvedere import messages as M
from belvedere.errors import (
    BelvedereError,
    SchemaTooNewError,
    StoreBusyError,
    StoreError,
    StoreMissingError,
)
from belvedere.store.schema import MIGRATIONS, SCHEMA_VERSION

# DuckDB otherwise takes 80 % of RAM; bounded, it spills to disk instead.
DEFAULT_MEMORY_LIMIT = "2GB"
DEFAULT_LOCK_WAIT = 30.0  # seconds a process waits for another one to let go of the file


def _lock_wait() -> float:
    raw = os.environ.get("BELVEDERE_LOCK_WAIT", "").strip()
    try:
        return max(float(raw), 0.0) if raw else DEFAULT_LOCK_WAIT
    except ValueError:
        raise BelvedereError(f"BELVEDERE_LOCK_WAIT invalide : {raw!r} (un nombre de secondes)") from None


def _safe_size(value: str) -> str:
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value, re.IGNORECASE):
        raise BelvedereError(f"BELVEDERE_DUCKDB_MEMORY invalide : {value!r} (ex. 2GB)")
    return value


class Store:
    """One DuckDB file holding the reference, the audience and everything derived from it."""

    def __init__(self, path: str | Path, *, read_only: bool = False, migrate: bool = True,
                 lock_wait: float | None = None) -> None:  # fmt: skip
        """``lock_wait``: seconds to wait for another process to let go of the file (default
        $BELVEDERE_LOCK_WAIT or 30)."""
        self.path = Path(path)
        self.read_only = read_only
        self.lock_wait = _lock_wait() if lock_wait is None else lock_wait
        if read_only and not self.path.exists():
            raise StoreMissingError(M.t("store_missing", path=self.path))
        if not read_only:
            parent = self.path.parent
            if not parent.exists():
                try:
                    parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise BelvedereError(M.t("store_unwritable", path=self.path, err=exc.strerror)) from None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._closed = False
        self._connect()
        if migrate and not read_only:
            self.migrate()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        # Another process may hold the file for a moment (the web server reading new data, a
        # short write): wait for it up to BELVEDERE_LOCK_WAIT seconds before giving up.
        deadline = time.monotonic() + self.lock_wait
        pause = 0.05
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=self.read_only)
                break
            except duckdb.Error as exc:  # IOException (a lock held elsewhere, a bad file) or another
                # another process holds the file ("lock"), or this one does with the other mode (a
                # server's read-only connection while it writes an annotation): both let go soon
                busy = "lock" in str(exc).lower() or "different configuration" in str(exc)
                if not busy:
                    raise StoreError(M.t("store_unopenable", path=self.path, err=_first_line(exc))) from None
                if time.monotonic() + pause > deadline:
                    raise StoreBusyError(M.t("store_unopenable", path=self.path, err=_first_line(exc))) from None
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
        memory = os.environ.get("BELVEDERE_DUCKDB_MEMORY", "").strip() or DEFAULT_MEMORY_LIMIT
        con.execute(f"SET memory_limit = '{_safe_size(memory)}'")
        self._con = con
        self._check_version()
        return con

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, reopened on first use after :meth:`release`."""
        if self._con is not None:
            return self._con
        if self._closed:
            raise BelvedereError(M.t("store_closed", path=self.path))
        return self._connect()

    def release(self) -> None:
        """Close the connection but keep the store usable: the next query reopens it. A server
        holding a read-only store releases it between requests, so that a writer (a fetch, an
        ingest) can take the file meanwhile; DuckDB allows one writing process, or readers."""
        if self._con is not None:
            self._con.close()
            self._con = None

    # --- schema -------------------------------------------------------------------------
    def has_table(self, name: str) -> bool:
        # duckdb_tables() rather than information_schema: the same answer, several times faster,
        # and every command asks it on opening.
        query = "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?"
        return bool(self.con.execute(query, [name]).fetchall()[0][0])

    def version(self) -> int:
        if not self.has_table("schema_version"):
            return 0
        rows = self.con.execute("SELECT max(version) FROM schema_version").fetchall()
        return int(rows[0][0] or 0)

    def _check_version(self) -> None:
        v = self.version()
        if v > SCHEMA_VERSION:
            self.release()
            raise SchemaTooNewError(M.t("store_too_new", path=self.path, version=v, supported=SCHEMA_VERSION))

    def migrate(self) -> list[int]:
        """Apply pending migrations, each in its own transaction; return the versions applied."""
        applied = []
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)"
        )
        for version in range(self.version() + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                self.con.execute(MIGRATIONS[version - 1])
                self.con.execute("INSERT INTO schema_version VALUES (?, ?)", [version, now()])
            applied.append(version)
        return applied

    # --- transactions -------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: an exception (or a kill) leaves the store as it was."""
        global _TRANSACTIONS
        _TRANSACTIONS += 1
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            _kill_point("before", _TRANSACTIONS)
            self.con.execute("COMMIT")
            _kill_point("after", _TRANSACTIONS)

    @contextlib.contextmanager
    def one_checkpoint(self, lock: contextlib.AbstractContextManager[Any] | None = None) -> Iterator[None]:
        """Several transactions written to the file in one checkpoint at the end, not one each:
        DuckDB rewrites its file when its log passes 16 MB, i.e. after each period's national figures
        (~0.3 s each). Each transaction is still all or nothing, and logged before it returns.
        ``lock``: held while the connection is used here (one shared by threads)."""
        guard = lock or contextlib.nullcontext()
        with guard:
            self.con.execute("SET checkpoint_threshold = '4GB'")
        try:
            yield
        finally:
            with guard:
                self.con.execute("RESET checkpoint_threshold")
                with contextlib.suppress(duckdb.Error):  # busy (a reader's open result): done at close
                    self.con.execute("CHECKPOINT")

    # --- reading -----------------------------------------------------------------------
    def frame(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pl.DataFrame:
        """Run a query and return its result as a Polars DataFrame."""
        frame: pl.DataFrame = self.con.sql(sql, params=params).pl()
        return frame

    # --- metadata -----------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        rows = self.con.execute("SELECT value FROM metadata WHERE key = ?", [key]).fetchall()
        return rows[0][0] if rows else default

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute(
            "INSERT INTO metadata VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    @property
    def simulated(self) -> bool:
        return self.get_meta("simulated", "false") == "true"

    def has_reference(self) -> bool:
        return bool(self.con.execute("SELECT count(*) FROM communes").fetchall()[0][0])

    def close(self) -> None:
        self.release()
        self._closed = True

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# The fault suite kills a command at each of its writes (``BELVEDERE_KILL_AT=before:N`` or
# ``after:N``: SIGKILL, no clean-up, just before or just after the N-th transaction of the process
# commits) and checks that a rerun gives the store of a run never interrupted. Unset, it costs a
# dictionary lookup per transaction.
_TRANSACTIONS = 0


def _kill_point(when: str, n: int) -> None:
    if os.environ.get("BELVEDERE_KILL_AT") == f"{when}:{n}":
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def now() -> datetime:
    """Naive UTC timestamp (DuckDB TIMESTAMP has no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
