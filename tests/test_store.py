from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from belvedere.errors import BelvedereError
from belvedere.store import SCHEMA_VERSION, Store
from belvedere.store.schema import MIGRATIONS


def test_migrates_an_empty_file_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with Store(path) as store:
        assert store.version() == SCHEMA_VERSION == len(MIGRATIONS)
        tables = {r[0] for r in store.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    expected = {
        "schema_version", "metadata", "communes", "commune_history", "departements", "regions", "epci", "pvd",
        "pvd_rejects", "articles", "pageviews", "ingest_log", "annotations", "campaigns",
        "campaign_communes", "sim_profiles", "sim_spikes", "sim_bots",
    }  # fmt: skip
    assert expected <= tables and not {"events", "indicators"} & tables  # never written: dropped (v8)
    with Store(path) as again:  # reopening applies nothing twice
        assert again.migrate() == []
        assert again.con.execute("SELECT count(*) FROM schema_version").fetchall()[0][0] == SCHEMA_VERSION


def test_pre_existing_empty_duckdb_file_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "plain.duckdb"
    duckdb.connect(str(path)).close()
    with Store(path) as store:
        assert store.version() == SCHEMA_VERSION


def test_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.duckdb"
    with Store(path) as store:
        store.con.execute("INSERT INTO schema_version VALUES (?, now())", [SCHEMA_VERSION + 1])
    with pytest.raises(BelvedereError, match="plus récent"):
        Store(path)


def test_unwritable_path(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    with pytest.raises(BelvedereError, match="Impossible"):
        Store(blocker / "sub" / "store.duckdb")


def test_not_a_duckdb_file(tmp_path: Path) -> None:
    path = tmp_path / "garbage.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BelvedereError, match="Impossible d'ouvrir"):
        Store(path)


def test_transaction_rolls_back_everything(tmp_path: Path) -> None:
    with Store(tmp_path / "tx.duckdb") as store:
        with pytest.raises(RuntimeError), store.transaction() as con:
            con.execute("INSERT INTO metadata VALUES ('a', '1')")
            raise RuntimeError("boom")
        assert store.get_meta("a") is None
        with store.transaction():
            store.set_meta("a", "2")
        store.set_meta("a", "3")
        assert store.get_meta("a") == "3"


def test_read_only_missing_store(tmp_path: Path) -> None:
    with pytest.raises(BelvedereError, match="belvedere init"):
        Store(tmp_path / "absent.duckdb", read_only=True)


def test_a_released_store_reopens_and_lets_a_writer_in(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "s.duckdb"
    Store(path).close()
    reader = Store(path, read_only=True)
    write = [sys.executable, "-c", f"from belvedere.store import Store; Store({str(path)!r}).close()"]
    env = {**os.environ, "BELVEDERE_LOCK_WAIT": "0"}
    held = subprocess.run(write, capture_output=True, text=True, env=env)
    assert held.returncode != 0 and "lock" in held.stderr.lower()  # a reader holds the file
    reader.release()
    assert subprocess.run(write, capture_output=True, text=True, env=env).returncode == 0
    assert reader.version() >= 1  # reopened on first use
    reader.close()
    with pytest.raises(BelvedereError, match="fermé"):
        reader.version()


def test_a_writer_waits_for_a_reader_to_let_go(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    path = tmp_path / "s.duckdb"
    Store(path).close()
    hold = ("import sys, time; from belvedere.store import Store; s = Store(sys.argv[1], read_only=True); "
            "print('held', flush=True); time.sleep(float(sys.argv[2])); s.close()")  # fmt: skip

    def reader(seconds: float) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-c", hold, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        return proc

    proc = reader(1.5)
    t0 = time.monotonic()
    Store(path, lock_wait=30).close()  # waits for the reader, then opens
    assert time.monotonic() - t0 >= 0.5
    proc.wait(10)
    proc = reader(30)
    try:
        with pytest.raises(BelvedereError, match="Impossible d'ouvrir"):
            Store(path, lock_wait=0.3)
    finally:
        proc.kill()
        proc.wait(10)
