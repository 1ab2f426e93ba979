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


@report_app.command("study", help=M.t("cmd_report_study"))
def report_study(
    ctx: typer.Context,
    out: OutOpt,
    start: StartOpt = None,
    end: EndOpt = None,
    scope: Annotated[str, typer.Option("--scope", help=M.t("opt_study_scope"))] = "pvd",
) -> None:
    from belvedere.report.render import check_output, render_html, write_report
    from belvedere.report.study import study_context

    check_output(out)
    with observatory(ctx) as obs:
        context = study_context(obs, start, end, scope)
    path = write_report(render_html("study.html.j2", context), out, M.t("study_title"))
    console.print(M.t("report_study_written", path=path))


@report_app.command("demo-set", help=M.t("cmd_report_demo_set"))
def report_demo_set(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out-dir", help=M.t("opt_out_dir"))] = Path("out"),
) -> None:
    """The study and three commune reports (a strong PVD, a commune nouvelle, an average one)."""
    import polars as pl

    from belvedere.report.commune import commune_context
    from belvedere.report.render import render_html, write_report
    from belvedere.report.study import study_context

    with observatory(ctx) as obs:
        scope = "pvd" if obs.store.con.execute("SELECT count(*) FROM pvd").fetchall()[0][0] else "all"
        typed = obs.metrics(scope=scope, typology=True).filter(pl.col("mean_daily_views") >= 10)
        strong = typed.sort("visibility_surplus", descending=True)["code"][0]
        nouvelle = typed.filter(pl.col("is_commune_nouvelle")).sort("total_views", descending=True)["code"]
        median = typed["views_per_inhabitant"].median()
        average = typed.sort((pl.col("views_per_inhabitant") - median).abs())["code"][0]
        picks = [("fort", strong), ("commune-nouvelle", nouvelle[0] if nouvelle.len() else None), ("moyen", average)]
        written = [write_report(render_html("study.html.j2", study_context(obs, scope=scope)),
                                out_dir / "etude.html", M.t("study_title"))]  # fmt: skip
        for label, code in picks:
            if code is None:
                continue
            context = commune_context(obs, code)
            name = context["info"]["name"]
            path = out_dir / f"rapport-{label}-{code}.html"
            written.append(write_report(render_html("commune.html.j2", context), path, name))
    for path in written:
        console.print(M.t("report_demo_written", path=path))
