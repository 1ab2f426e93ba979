from __future__ import annotations

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
        "pvd_rejects", "articles", "pageviews", "ingest_log", "events", "annotations", "campaigns",
        "campaign_communes", "indicators", "sim_profiles", "sim_spikes", "sim_bots",
    }  # fmt: skip
    assert expected <= tables
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
