"""The command line as a user runs it: its entry point, exit codes, stdout vs stderr (see conftest.run_cli)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from pathlib import Path

import pytest

from belvedere.store import SCHEMA_VERSION, Store
from tests.conftest import PVD_2021, run_cli


def test_init_then_info_json(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    out = run_cli("init", db=db, check=True)
    assert "34969" in out.stdout and "1606" in out.stdout
    info = json.loads(run_cli("info", "--format", "json", db=db, check=True).stdout)
    assert info["communes"] == 34969
    assert info["pvd"] == 1606  # the ANCT list shipped with the package, no file needed
    assert info["articles"] == 34969  # a probable title for every commune, so that dumps match at once
    with Store(db, read_only=True) as store:
        guessed = store.con.execute(
            "SELECT title, verified, source FROM articles WHERE commune_code IN ('61074', '42218') ORDER BY title"
        ).fetchall()
    assert guessed == [("Carrouges", False, "guess"), ("Saint-Étienne", False, "guess")]
    assert info["schema_version"] == SCHEMA_VERSION
    assert info["simulated"] is False
    assert info["pageview_rows"] == 0


def test_communes_search_and_show(reference_db: Path) -> None:
    out = run_cli("communes", "search", "st etienne", "--format", "json", db=reference_db, check=True)
    rows = json.loads(out.stdout)
    assert rows[0]["code"] == "42218"
    assert all("etienne" in r["name"].lower().replace("é", "e") for r in rows)
    shown = json.loads(run_cli("communes", "show", "Carrouges", "-f", "json", db=reference_db, check=True).stdout)
    assert shown["code"] == "61074" and shown["is_pvd"] is True and shown["population"] > 0
    old = json.loads(run_cli("communes", "show", "01340", "-f", "json", db=reference_db, check=True).stdout)
    assert old["code"] == "01015" and old["is_commune_nouvelle"] is True
    assert {h["old_code"] for h in old["history"]} == {"01015", "01340"}


def test_ambiguous_and_unknown_communes_give_one_line_errors(reference_db: Path) -> None:
    amb = run_cli("communes", "show", "Saint-Denis", "-f", "json", db=reference_db)
    assert amb.returncode == 1
    assert amb.stdout == ""
    lines = amb.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Erreur") and "93066" in lines[0]
    unknown = run_cli("communes", "show", "Nulle-Part-sur-Mer", db=reference_db)
    assert unknown.returncode == 1
    assert "Traceback" not in unknown.stderr and "inconnue" in unknown.stderr


def test_pvd_load_reports_rejects(tmp_path: Path, reference_db: Path) -> None:
    db = tmp_path / "p.duckdb"
    shutil.copy(reference_db, db)
    f = tmp_path / "pvd.csv"
    f.write_text("insee_com,lib_com\n01340,Saint-Bois\n99999,Nulle-Part\n", encoding="utf-8")
    out = run_cli("pvd", "load", str(f), "--format", "json", db=db, check=True)
    summary = json.loads(out.stdout)
    assert summary["loaded"] == 1
    assert summary["mapped"] == [{"old_code": "01340", "code": "01015", "kind": "deleguee"}]
    assert summary["rejects"][0]["code"] == "99999"
    bad = tmp_path / "bad.csv"
    bad.write_bytes("insee_com\n61074 é\n".encode("latin-1"))
    failed = run_cli("pvd", "load", str(bad), db=db)
    assert failed.returncode == 1 and "UTF-8" in failed.stderr and "Traceback" not in failed.stderr
    assert json.loads(run_cli("info", "-f", "json", db=db, check=True).stdout)["pvd"] == 1  # kept


def test_export_audience_csv_is_zero_filled_and_sums_redirects(demo_copy: Path) -> None:
    with Store(demo_copy) as store:
        code = store.con.execute("SELECT commune_code FROM articles ORDER BY commune_code LIMIT 1").fetchall()[0][0]
        before = store.con.execute(
            "SELECT p.date, p.access::VARCHAR, p.views FROM pageviews p JOIN articles a USING (article_id) "
            "WHERE a.commune_code = ? AND p.agent = 'user' AND p.date BETWEEN '2024-03-01' AND '2024-03-03'",
            [code],
        ).fetchall()
        # a redirect (former title) with its own views on one day, and a zero day on the main title
        store.con.execute(
            "INSERT INTO articles (project, title, commune_code, redirect_of, verified, source) "
            "SELECT project, title || '_(ancien_nom)', commune_code, article_id, FALSE, 'simulated' "
            "FROM articles WHERE commune_code = ?",
            [code],
        )
        store.con.execute(
            "INSERT INTO pageviews SELECT article_id, DATE '2024-03-02', 'desktop', 'user', 7 FROM articles "
            "WHERE redirect_of IS NOT NULL"
        )
        store.con.execute(
            "UPDATE pageviews SET views = 0 WHERE date = '2024-03-03' AND access = 'mobile-app' AND agent = 'user' "
            "AND article_id = (SELECT article_id FROM articles WHERE commune_code = ? AND redirect_of IS NULL)",
            [code],
        )
    out = run_cli(
        "export", "audience", "--communes", code, "--start", "2024-03-01", "--end", "2024-03-03",
        "--format", "csv", db=demo_copy, check=True,
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0].keys()) == ["code", "date", "access", "agent", "views", "simulated"]
    assert len(rows) == 9  # 3 days x 3 accesses, zero days included
    got = {(r["date"], r["access"]): int(r["views"]) for r in rows}
    expected = {(str(d), a): v for d, a, v in before}
    expected[("2024-03-02", "desktop")] += 7
    expected[("2024-03-03", "mobile-app")] = 0
    assert got == expected
    assert all(r["simulated"] == "true" for r in rows)
    assert "SIMULÉES" in out.stderr


def test_export_json_stdout_is_only_json(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        code = store.con.execute("SELECT min(commune_code) FROM articles").fetchall()[0][0]
    out = run_cli(
        "export", "audience", "--communes", code, "--start", "2024-12-30", "--end", "2025-01-02",
        "--agents", "user,automated", "--format", "json", db=demo_db, check=True,
    )  # fmt: skip
    data = json.loads(out.stdout)
    assert {r["agent"] for r in data} == {"user", "automated"}
    assert max(r["date"] for r in data) == "2024-12-31"
    assert "jours" in out.stderr  # the two days beyond the data are reported, not invented


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--start", "2024-13-01", "--end", "2024-12-31"], "Date invalide"),
        (["--start", "2024-03-10", "--end", "2024-03-01"], "avant"),
        (["--start", "2024-03-01", "--end", "2024-03-02", "--agents", "robot"], "Agent inconnu"),
        (["--start", "2024-03-01", "--end", "2024-03-02", "--format", "xml"], "Format inconnu"),
    ],
)
def test_export_bad_input(demo_db: Path, args: list[str], needle: str) -> None:
    out = run_cli("export", "audience", "--communes", "61074", *args, db=demo_db)
    assert out.returncode == 1
    assert needle in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_newer_schema_is_refused_by_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "future.duckdb"
    with Store(db) as store:
        store.con.execute("INSERT INTO schema_version VALUES (?, now())", [SCHEMA_VERSION + 5])
    out = run_cli("info", db=db)
    assert out.returncode == 1 and "plus récent" in out.stderr and "Traceback" not in out.stderr


def test_unwritable_store_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = run_cli("init", db=blocker / "store.duckdb")
    assert out.returncode == 1 and "Impossible" in out.stderr and "Traceback" not in out.stderr


def test_demo_on_a_subset_prints_labelled_summary(tmp_path: Path, reference_db: Path) -> None:
    db = tmp_path / "d.duckdb"
    out = run_cli(
        "demo", "--communes", "61074,01015,74056,29019", "--years", "1", "--end", "2024-12-31",
        "--pvd-file", str(PVD_2021), db=db, check=True,
    )  # fmt: skip
    assert "DONNÉES SIMULÉES" in out.stdout
    assert "Carrouges" in out.stdout  # a PVD in the top 10 table
    info = json.loads(run_cli("info", "-f", "json", db=db, check=True).stdout)
    assert info["simulated"] is True
    assert info["pageview_rows"] == 4 * 366 * 4
    assert info["first_date"] == "2024-01-01" and info["last_date"] == "2024-12-31"


def test_pvd_selection_on_a_fresh_store_uses_the_shipped_list(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    run_cli("demo", "--communes", "pvd", "--years", "1", "--end", "2024-12-31", db=db, check=True)
    info = json.loads(run_cli("info", "-f", "json", db=db, check=True).stdout)
    assert info["pvd"] == 1606 and "2021" in info["pvd_source"] and "partielle" in info["pvd_source"]
    assert info["articles"] == 1606  # simulated articles only: the probable titles of real use are dropped


def test_serve_on_a_taken_port_says_so_at_once(demo_db: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = run_cli("serve", "--port", str(port), db=demo_db)
    assert out.returncode == 1
    assert f"127.0.0.1:{port}" in out.stderr + out.stdout and "--port" in out.stderr + out.stdout


def test_two_servers_cannot_both_think_they_listen(demo_db: Path, tmp_path: Path) -> None:
    """The second `serve` on a port fails at once, even while the first is still warming up (its
    socket listens before the warm-up), and the first one serves."""
    import os
    import socket
    import subprocess
    import sys

    import httpx

    env = {k: v for k, v in os.environ.items() if not k.startswith("BELVEDERE_")}
    log = tmp_path / "first.log"
    for _attempt in range(3):  # a free port handed to another program before the server binds it: another
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        cmd = [sys.executable, "-m", "belvedere.cli", "--db", str(demo_db), "serve", "--port", str(port)]
        with log.open("w") as err:
            first = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        deadline = time.monotonic() + 60
        while first.poll() is None and time.monotonic() < deadline:  # until it has taken the port
            try:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            except OSError:
                break
            time.sleep(0.01)
        if first.poll() is None or f"127.0.0.1:{port}" not in log.read_text():
            break
    took = first.poll() is None and time.monotonic() < deadline
    assert took, f"the first server never took the port: {log.read_text()[-2000:]}"
    try:
        try:
            second = subprocess.run([*cmd[:-1], str(port)], capture_output=True, text=True, env=env, timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError("the second server did not see the port was taken") from None
        assert second.returncode == 1 and f"127.0.0.1:{port}" in second.stderr, second.stderr
        status = httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=120)
        assert status.status_code == 200 and status.json()["simulated"] is True
    finally:
        first.terminate()
        first.wait(20)


def test_serve_help_explains_its_options() -> None:
    out = run_cli("serve", "--help", env={"COLUMNS": "200"})
    assert out.returncode == 0
    for option in ("--host", "--port", "--write-token", "--warm", "--refresh"):
        assert option in out.stdout
    assert "lecture seule" in out.stdout


def test_each_command_loads_alone_from_the_module_that_defines_it() -> None:
    """`belvedere profile` imports only the analytics commands: the map from command to module
    must name every command, and the right module."""
    import typer.main

    from belvedere import cli

    cli.load_commands()  # all of them, as `belvedere --help` does
    group = typer.main.get_command(cli.app)
    assert isinstance(group, typer.main.TyperGroup)
    assert set(group.commands) == set(cli.COMMAND_MODULES)
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", {name: command}).values()
        modules = {c.callback.__module__ for c in subcommands if c.callback is not None}
        assert modules == {f"belvedere.cli.{cli.COMMAND_MODULES[name]}"}, name
    assert cli._command_name(["--db", "x.duckdb", "profile", "Carrouges"]) == "profile"
    assert cli._command_name(["--db=x.duckdb", "access", "load", "f.csv"]) == "access"
    assert cli._command_name(["--help"]) is None
    # a command and its help, run with only its own module loaded
    out = run_cli("access", "--help", env={"COLUMNS": "200"})
    assert out.returncode == 0 and "load" in out.stdout
