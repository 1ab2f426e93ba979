"""`belvedere snapshot`: export, import and read national snapshots (see belvedere.snapshot)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from belvedere import messages as M
from belvedere import present, snapshot
from belvedere.cli.analytics import CommuneArg, EndOpt, StartOpt
from belvedere.cli.common import FormatOpt, app, open_store, tell_progress
from belvedere.dates import parse_date
from belvedere.errors import BelvedereError, NoAudienceError
from belvedere.output import Format, console, emit_record, err_console, parse_format
from belvedere.store.queries import audience_range, nearest_peers

snapshot_app = typer.Typer(help=M.t("cmd_snapshot"), no_args_is_help=True)
app.add_typer(snapshot_app, name="snapshot")


@snapshot_app.command("export", help=M.t("cmd_snapshot_export"))
def export(ctx: typer.Context, out: Annotated[Path, typer.Option("--out", help=M.t("opt_snapshot_out"))],
           start: StartOpt = None, end: EndOpt = None) -> None:  # fmt: skip
    t0 = time.perf_counter()
    with open_store(ctx, read_only=True) as store:
        first, last = audience_range(store)
        if first is None or last is None:
            raise NoAudienceError(M.t("no_audience"))
        info = snapshot.export(store, out, parse_date(start) if start else first, parse_date(end) if end else last)
    seconds = M.fr_number(time.perf_counter() - t0, 1)
    console.print(M.t("snapshot_exported", path=out, start=info.start, end=info.end, communes=info.communes,
                      mb=M.fr_number(info.size / 1e6, 1), seconds=seconds))  # fmt: skip
    if info.simulated:
        console.print(M.t("simulated_label"))


@snapshot_app.command("import", help=M.t("cmd_snapshot_import"))
def import_(ctx: typer.Context, source: Annotated[str, typer.Argument(help=M.t("arg_snapshot_source"))]) -> None:
    t0 = time.perf_counter()
    with open_store(ctx) as store:
        info = snapshot.load(store, source)
    console.print(M.t("snapshot_imported", start=info.start, end=info.end, communes=info.communes,
                      sha=info.sha256[:12], seconds=M.fr_number(time.perf_counter() - t0, 1)))  # fmt: skip


@snapshot_app.command("rank", help=M.t("cmd_snapshot_rank"))
def rank(ctx: typer.Context, commune: CommuneArg, start: StartOpt = None, end: EndOpt = None,
         fmt: FormatOpt = "table") -> None:  # fmt: skip
    from belvedere.reference.lookup import resolve_commune

    f = parse_format(fmt)
    with open_store(ctx, read_only=True) as store:
        info = snapshot.held(store)
        if not info:
            raise BelvedereError(M.t("snapshot_none"))
        code = resolve_commune(store, commune)["code"]
        d_start = parse_date(start) if start else parse_date(info["start"])
        d_end = parse_date(end) if end else parse_date(info["end"])
        found = snapshot.standing(store, code, d_start, d_end)
        if found is None:
            raise BelvedereError(M.t("snapshot_no_commune", code=code, source=snapshot.describe(info)))
        found["name"] = store.con.execute("SELECT name FROM communes WHERE code = ?", [code]).fetchall()[0][0]
    if f is not Format.table:
        emit_record({**found, "snapshot": snapshot.describe(info)}, f)
        return
    shown = {
        "name": f"{found['name']} ({code})",
        "period": present.period_words(found["start"], found["end"]),
        "views_per_inhabitant": M.fr_number(found["views_per_inhabitant"], 1),
        "ranks": present.rank_words(found),
        "source": snapshot.describe(info),
    }
    labels = {"name": M.t("lbl_name"), "period": M.t("lbl_period"), "views_per_inhabitant": M.t("lbl_views_per_inh"),
              "ranks": M.t("lbl_ranks"), "source": M.t("lbl_source")}  # fmt: skip
    emit_record(shown, f, title=M.t("snapshot_rank_title"), labels=labels,
                simulated=found["snapshot_simulated"])  # fmt: skip


@app.command(help=M.t("cmd_diagnose"))
def diagnose(
    ctx: typer.Context,
    commune: CommuneArg,
    start: StartOpt = None,
    end: EndOpt = None,
    snapshot_source: Annotated[str | None, typer.Option("--snapshot", help=M.t("opt_diagnose_snapshot"))] = None,
    out: Annotated[Path | None, typer.Option("--out", help=M.t("opt_diagnose_out"))] = None,
    peers: Annotated[int, typer.Option("--peers", min=0, max=100, help=M.t("opt_diagnose_peers"))] = 20,
    offline: Annotated[bool, typer.Option("--offline", help=M.t("opt_diagnose_offline"))] = False,
    contact: Annotated[str | None, typer.Option(help=M.t("opt_contact"))] = None,
) -> None:
    """A town's diagnosis in one command: its articles and its daily audience (and a few peers'),
    fetched unless --offline; its place in France from a national snapshot; the commune report."""
    from datetime import date, timedelta

    from belvedere.cli import data
    from belvedere.cli.reports import report_commune
    from belvedere.reference.lookup import resolve_commune

    with open_store(ctx) as store:
        if snapshot_source:
            info_ = snapshot.load(store, snapshot_source)
            console.print(M.t("snapshot_imported", start=info_.start, end=info_.end, communes=info_.communes,
                              sha=info_.sha256[:12], seconds="–"))  # fmt: skip
        code = resolve_commune(store, commune)["code"]
        name = store.con.execute("SELECT name FROM communes WHERE code = ?", [code]).fetchall()[0][0]
        around = nearest_peers(store, code, peers)
    d_end = parse_date(end) if end else date.today() - timedelta(days=1)
    d_start = parse_date(start) if start else date(d_end.year - 3, d_end.month, 1)
    console.print(M.t("diagnose_start", name=name, code=code, peers=len(around), start=d_start, end=d_end))
    if not offline:
        communes = ",".join([code, *around])
        tell_progress("articles")
        data.articles_resolve(ctx, communes=communes, contact=contact)
        data.fetch(ctx, communes=communes, start=str(d_start), end=str(d_end), contact=contact)
        try:  # what the articles are like: the advice says what to fix; the diagnosis goes on without it
            data.articles_facts(ctx, communes=communes, contact=contact)
        except BelvedereError as exc:
            err_console.print(M.t("diagnose_no_facts", err=exc))
    tell_progress("figures")
    with open_store(ctx, read_only=True) as store:
        info = snapshot.held(store)
        found = snapshot.standing(store, code, d_start, d_end) if info else None
    if found is not None:
        console.print(M.t("diagnose_ranks", ranks=present.rank_words(found),
                          period=present.period_words(found["start"], found["end"]),
                          source=snapshot.describe(info)))  # fmt: skip
    else:
        console.print(M.t("diagnose_no_snapshot") if not info else M.t("diagnose_no_snapshot_row", code=code))
    if out is not None:
        report_commune(ctx, code, out, str(d_start), str(d_end))
