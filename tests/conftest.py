"""Shared fixtures: real DuckDB stores built through the public code paths."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

# the commands run in this process (run_cli) print Rich tables this wide, as in a terminal of 200
# columns: Rich reads the width when its consoles are made, on the first import of belvedere.output
os.environ["COLUMNS"] = "200"

from belvedere.reference.load import load_reference
from belvedere.reference.pvd import load_pvd, shipped_pvd_path
from belvedere.reference.titles import add_guessed_articles
from belvedere.sources.simulate import SimulationParams, simulate
from belvedere.store import Store

# Real data the tests read, committed with the repository (see tests/data/PROVENANCE.md and
# src/belvedere/reference/data/PROVENANCE.md): nothing is read from outside the clone.
DATA = Path(__file__).resolve().parent / "data"
PVD_2021 = shipped_pvd_path()  # the ANCT list of 2021-01-22, as shipped (gzipped CSV)
DEMO_START, DEMO_END = date(2023, 1, 1), date(2024, 12, 31)

# Test layers (markers): unit tests call pure functions; integration tests build real stores and run
# the real CLI; end-to-end tests start a real server, a browser or Spark, or kill processes.
# `make test` runs them all, `make test-fast` all but e2e.
UNIT = {"test_analysis", "test_present", "test_repository"}
E2E = {
    "test_web_browser",
    "test_web_a11y",
    "test_web_pages",
    "test_web_api",
    "test_api_fuzz",
    "test_crashes",
    "test_web_analyse",
    "test_web_survey",
}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under ``-m "not e2e"``, the modules that hold only end-to-end tests are not even imported
    (their browser, server and fuzzing libraries cost each worker a second)."""
    if collection_path.stem in E2E and config.getoption("markexpr", "").replace(" ", "") == "note2e":
        return True
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if item.get_closest_marker("e2e"):  # said by the test itself
            continue
        if module in E2E or any(word in item.name for word in ("spark", "serve", "servers", "kill")):
            item.add_marker(pytest.mark.e2e)
        elif module in UNIT:
            item.add_marker(pytest.mark.unit)
        else:
            item.add_marker(pytest.mark.integration)


DEMO_SEED = 7


@pytest.fixture(scope="session")
def reference_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with the reference and the 2021 PVD list loaded (copy it before writing)."""
    path = tmp_path_factory.mktemp("ref") / "reference.duckdb"
    with Store(path) as store:
        load_reference(store)
        load_pvd(store, str(PVD_2021))
    return path


@pytest.fixture(scope="session")
def prepared_db(reference_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference store as the first writing command leaves it: with every commune's probable
    frwiki title (copy it before writing). Guessed once here, not by each test's first command."""
    path = tmp_path_factory.mktemp("prepared") / "prepared.duckdb"
    shutil.copy(reference_db, path)
    with Store(path) as store:
        add_guessed_articles(store)
    return path


@pytest.fixture()
def store_path(prepared_db: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared reference store file, for the real CLI to write to."""
    path = tmp_path / "real.duckdb"
    shutil.copy(prepared_db, path)
    return path


@pytest.fixture()
def ref_store(reference_db: Path, tmp_path: Path) -> Store:
    """A private writable copy of the reference store."""
    path = tmp_path / "store.duckdb"
    shutil.copy(reference_db, path)
    store = Store(path)
    yield store
    store.close()


def demo_codes(store: Store, n_pvd: int = 200, n_other: int = 200) -> list[str]:
    """A deterministic mix of PVD and other communes of all sizes."""
    pvd = [r[0] for r in store.con.execute("SELECT code FROM pvd ORDER BY hash(code) LIMIT ?", [n_pvd]).fetchall()]
    other = [
        r[0]
        for r in store.con.execute(
            "SELECT code FROM communes WHERE code NOT IN (SELECT code FROM pvd) AND population IS NOT NULL "
            "ORDER BY hash(code) LIMIT ?",
            [n_other],
        ).fetchall()
    ]
    return sorted(pvd + other)


@pytest.fixture(scope="session")
def demo_db(reference_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated store: 400 communes over two years (read-only use)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    shutil.copy(reference_db, path)
    with Store(path) as store:
        simulate(store, demo_codes(store), SimulationParams(seed=DEMO_SEED, start=DEMO_START, end=DEMO_END))
    return path


@pytest.fixture()
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A private writable copy of the simulated store."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture()
def demo_store(demo_db: Path) -> Store:
    store = Store(demo_db, read_only=True)
    yield store
    store.close()


def run_cli(
    *args: str,
    db: Path | None = None,
    check: bool = False,
    env: dict[str, str] | None = None,
    process: bool = False,
) -> subprocess.CompletedProcess:
    """Run the real command line (its entry point, ``belvedere.cli.main``) and return its exit code,
    stdout and stderr. In this process by default (a subprocess pays ~1 s of start-up per command);
    in a real subprocess with ``process=True``, for what needs a process of its own: being killed
    (BELVEDERE_KILL_AT), or DuckDB's lock between processes."""
    argv = ([] if db is None else ["--db", str(db)]) + list(args)
    child_env = {**_env(), **(env or {})}
    if process or "BELVEDERE_KILL_AT" in child_env or os.environ.get("BELVEDERE_TEST_CLI") == "process":
        cmd = [sys.executable, "-m", "belvedere.cli", *argv]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=child_env)
    else:
        result = _run_in_process(argv, child_env)
    if check and result.returncode != 0:
        raise AssertionError(f"belvedere {argv} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def _run_in_process(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """``belvedere.cli.main(argv)`` with the process's environment, stdout and stderr swapped for
    the command's; what a process would give back: its exit code, its output decoded as text."""
    from belvedere.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    code: int = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(argv)
            except SystemExit as exc:
                if isinstance(exc.code, str):  # as Python does: the message on stderr, status 1
                    err.write(exc.code + "\n")
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Exception:  # an uncaught error: the traceback a process would print
                traceback.print_exc(file=err)
                code = 1
    finally:
        os.environ.clear()
        os.environ.update(saved)

    def text(stream: io.TextIOWrapper) -> str:  # decoded like subprocess.run(text=True): universal newlines
        stream.flush()
        raw = stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
        return raw.replace("\r\n", "\n").replace("\r", "\n")

    return subprocess.CompletedProcess(["belvedere", *argv], code, text(out), text(err))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["COLUMNS"] = "200"  # wide Rich tables, so names are not cut in assertions
    for key in list(env):
        if key.startswith("BELVEDERE_"):
            env.pop(key)
    return env


@contextlib.contextmanager
def serving(app: object) -> Iterator[str]:
    """The real server (uvicorn) on a free port of 127.0.0.1, in a thread; yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
