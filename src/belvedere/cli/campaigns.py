"""Campaign commands: register a town's campaigns, and measure what attention they brought."""

from __future__ import annotations

import sys
from typing import Annotated

import polars as pl
import typer

from belvedere import messages as M
from belvedere.cli.analytics import observatory
from belvedere.cli.common import FormatOpt, app
from belvedere.output import Format, console, emit, parse_format, to_json

campaign_app = typer.Typer(help=M.t("cmd_campaign"), no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")


@campaign_app.command("add", help=M.t("cmd_campaign_add"))
def campaign_add(
    ctx: typer.Context,
    communes: Annotated[str, typer.Option("--communes", "--commune", help=M.t("opt_campaign_communes"))],
    name: Annotated[str, typer.Option("--name", help=M.t("opt_campaign_name"))],
    start: Annotated[str, typer.Option("--start", help=M.t("opt_campaign_start"))],
    end: Annotated[str, typer.Option("--end", help=M.t("opt_campaign_end"))],
    channel: Annotated[str | None, typer.Option("--channel", help=M.t("opt_campaign_channel"))] = None,
    cost: Annotated[float | None, typer.Option("--cost", help=M.t("opt_campaign_cost"))] = None,
    notes: Annotated[str | None, typer.Option("--notes", help=M.t("opt_campaign_notes"))] = None,
) -> None:
    with observatory(ctx, write=True) as obs:
        new_id = obs.add_campaign(name, communes, start, end, channel=channel, cost=cost, notes=notes)
    console.print(M.t("campaign_added", id=new_id))


@campaign_app.command("list", help=M.t("cmd_campaign_list"))
def campaign_list(
    ctx: typer.Context,
    commune: Annotated[str | None, typer.Option("--commune", help=M.t("opt_campaign_filter"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    f = parse_format(fmt)
    with observatory(ctx) as obs:
        df = obs.campaigns(commune)
    emit(df.with_columns(pl.col("communes").list.join(", ")), f, title=M.t("campaign_list_title"),
         simulated=obs.simulated)  # fmt: skip


@campaign_app.command("remove", help=M.t("cmd_campaign_remove"))
def campaign_remove(
    ctx: typer.Context, campaign_id: Annotated[int, typer.Argument(min=1, max=10**12, help=M.t("arg_campaign_id"))]
) -> None:
    with observatory(ctx, write=True) as obs:
        obs.remove_campaign(campaign_id)
    console.print(M.t("campaign_removed", id=campaign_id))


IMPACT_LABELS = {"commune": M.t("lbl_name"), "part": M.t("impact_lbl_part"), "observed": M.t("impact_lbl_observed"),
                 "expected": M.t("impact_lbl_expected"), "extra_views": M.t("impact_lbl_extra"),
                 "uplift": M.t("impact_lbl_uplift"), "interval": M.t("impact_lbl_interval"),
                 "significant": M.t("impact_lbl_significant")}  # fmt: skip


@app.command(help=M.t("cmd_impact"))
def impact(
    ctx: typer.Context,
    campaign_id: Annotated[int, typer.Argument(min=1, max=10**12, help=M.t("arg_campaign_id"))],
    fmt: FormatOpt = "table",
) -> None:
    f = parse_format(fmt)
    with observatory(ctx) as obs:
        results = obs.impact(campaign_id)
    if f is Format.json:
        sys.stdout.write(to_json(results) + "\n")
        return
    rows = []
    for r in results:
        for part in ("during", "after", "mobile_during"):
            p = r.get(part)
            if p:
                interval = f"{M.fr_percent(p['uplift_low'], 0)} à {M.fr_percent(p['uplift_high'], 0)}"
                rows.append({"commune": f"{r['name']} ({r['code']})", "part": M.t(f"impact_part_{part}"),
                             "observed": round(p["observed"]), "expected": round(p["expected"]),
                             "extra_views": round(p["extra_views"]), "uplift": M.fr_percent(p["uplift"], 0),
                             "interval": interval, "significant": p["significant"]})  # fmt: skip
    emit(pl.DataFrame(rows), f, title=M.t("impact_title", id=campaign_id), labels=IMPACT_LABELS,
         simulated=obs.simulated)  # fmt: skip
    if f is Format.table:
        for r in results:
            console.print(f"[bold]{r['name']}[/bold] — {r['sentence']}")
            fit = M.t("impact_fit", fit=M.fr_percent(r["pre_fit"], 0), n=r["placebos"])
            console.print(f"[dim]{r['why']} {fit}[/dim]")
