"""Report commands: the commune report and the national study, as HTML or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from belvedere import messages as M
from belvedere.cli.analytics import CommuneArg, EndOpt, StartOpt, observatory
from belvedere.cli.common import app
from belvedere.output import console

report_app = typer.Typer(help=M.t("cmd_report"), no_args_is_help=True)
app.add_typer(report_app, name="report")
OutOpt = Annotated[Path, typer.Option("--out", "-o", help=M.t("opt_report_out"))]


@report_app.command("commune", help=M.t("cmd_report_commune"))
def report_commune(ctx: typer.Context, commune: CommuneArg, out: OutOpt, start: StartOpt = None,
                   end: EndOpt = None) -> None:  # fmt: skip
    from belvedere.report.commune import commune_context
    from belvedere.report.render import check_output, render_html, write_report

    check_output(out)
    with observatory(ctx) as obs:
        context = commune_context(obs, commune, start, end)
    html = render_html("commune.html.j2", context)
    path = write_report(html, out, f"{context['info']['name']} — {M.t('report_commune_title')}")
    console.print(M.t("report_written", path=path, name=context["info"]["name"]))
    if not context["has_data"]:
        console.print(M.t("report_written_no_data"))
