"""`belvedere foreign …`: the attention a commune gets from abroad (its articles in other languages)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from typing import Annotated

import polars as pl
import typer

from belvedere import messages as M
from belvedere import present
from belvedere.cli.analytics import CommuneArg, EndOpt, ScopeOpt, StartOpt, observatory
from belvedere.cli.common import (
    LABELS,
    CommunesReq,
    ContactOpt,
    EndReq,
    FormatOpt,
    StartReq,
    app,
    date_range,
    make_client,
    open_store,
    progress_bar,
)
from belvedere.config import Settings
from belvedere.errors import BelvedereError
from belvedere.output import Format, console, emit, emit_record, err_console, parse_format
from belvedere.reference.lookup import select_communes

foreign_app = typer.Typer(help=M.t("cmd_foreign"), no_args_is_help=True)
app.add_typer(foreign_app, name="foreign")

FOREIGN_LABELS = {
    **LABELS,
    "rank_views": M.t("lbl_rank"),
    "editions": M.t("lbl_editions"),
    "months": M.t("lbl_months"),
    "foreign_per_month": M.t("lbl_foreign_per_month"),
    "foreign_share": M.t("lbl_foreign_share"),
    "rank_share": M.t("lbl_rank_share"),
    "top_language": M.t("lbl_top_language"),
    "foreign_views": M.t("lbl_foreign_views"),
    "french_views": M.t("lbl_french_views"),
    "language": M.t("foreign_col_language"),
    "views": M.t("foreign_col_views"),
    "share": M.t("foreign_col_share"),
}


@foreign_app.command("fetch", help=M.t("cmd_foreign_fetch"))
def foreign_fetch(ctx: typer.Context, communes: CommunesReq, start: StartReq, end: EndReq,
                  refresh: Annotated[bool, typer.Option("--refresh", help=M.t("opt_refresh"))] = False,
                  contact: ContactOpt = None, fmt: FormatOpt = "table") -> None:  # fmt: skip
    from belvedere.sources.foreign import ForeignReport, fetch_foreign
    from belvedere.sources.http import FetchFailed

    f = parse_format(fmt)
    settings: Settings = ctx.obj["settings"]
    d_start, d_end = date_range(start, end)
    client = make_client(settings, contact)
    t0 = time.perf_counter()
    with open_store(ctx) as store:
        if store.simulated:
            raise BelvedereError(M.t("foreign_simulated_store", path=store.path))
        codes = select_communes(store, communes)
        items = [(c, q) for c, q in store.con.execute(
            "SELECT commune_code, min(qid) FROM articles WHERE list_contains(?, commune_code) AND qid IS NOT NULL "
            "AND source NOT IN ('guess', 'simulated') GROUP BY commune_code ORDER BY commune_code",
            [codes]).fetchall()]  # fmt: skip
        if not items:
            raise BelvedereError(M.t("foreign_no_items"))
        with progress_bar("foreign") as progress:
            task = progress.add_task(M.t("foreign_progress"), total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            async def run() -> ForeignReport:
                async with client:
                    await client.probe(settings.wikidata_sparql)
                    return await fetch_foreign(store, client, settings.wikidata_sparql, settings.wikimedia_api, items,
                                               d_start, d_end, refresh=refresh, on_progress=advance)  # fmt: skip

            try:
                report = asyncio.run(run())
            except FetchFailed as exc:
                raise BelvedereError(M.t("no_network", url=settings.wikidata_sparql, err=exc)) from None
            except (ValueError, KeyError, TypeError):
                raise BelvedereError(M.t("facts_bad_answer_sparql", url=settings.wikidata_sparql)) from None
    summary = {"items": report.items, "articles": report.articles, "months": report.months,
               "requests": client.stats.requests, "failed": len(report.failed),
               "seconds": round(time.perf_counter() - t0, 2)}  # fmt: skip
    if f is Format.json:
        emit_record({**summary, "failures": [{"project": p, "title": t, "error": e} for p, t, e in report.failed]}, f)
    else:
        console.print(M.t("foreign_fetched", items=report.items, articles=report.articles, months=report.months,
                          requests=client.stats.requests, seconds=M.fr_number(summary["seconds"], 1)))  # fmt: skip
        if report.failed:
            err_console.print(M.t("foreign_failed", n=len(report.failed)))
            for p, t, e in report.failed[:20]:
                err_console.print(f"  {p} {t} : {e}")
    if report.failed:
        raise BelvedereError(M.t("fetch_failed_exit", failed=len(report.failed)))


@foreign_app.command("show", help=M.t("cmd_foreign_show"))
def foreign_show(ctx: typer.Context, commune: CommuneArg, start: StartOpt = None, end: EndOpt = None,
                 fmt: FormatOpt = "table") -> None:  # fmt: skip
    f = parse_format(fmt)
    with observatory(ctx) as obs:
        code = obs.code_of(commune)
        fa = obs.foreign(code, start, end)
        name = obs.communes().filter(pl.col("code") == code)["name"][0]
    if f is Format.json:
        emit_record({"name": name, **asdict(fa), "simulated": obs.simulated}, f)
        return
    view = present.foreign_view(fa, name)
    if f is not Format.table:
        emit(pl.DataFrame([{"language": lang.code, "views": lang.views, "share": lang.share} for lang in fa.languages],
                          schema={"language": pl.String, "views": pl.Int64, "share": pl.Float64}), f,
             labels=FOREIGN_LABELS, simulated=obs.simulated)  # fmt: skip
        return
    if view is None:
        console.print(M.t("foreign_none", code=code))
        return
    if obs.simulated:
        console.print(M.t("simulated_label"))
    console.print(f"[bold]{M.t('foreign_section')} — {name}[/]")
    for line in (view["lead"], view.get("languages_words"), view["season"], view["partial"]):
        if line:
            console.print(line)


@foreign_app.command("rank", help=M.t("cmd_foreign_rank"))
def foreign_rank(ctx: typer.Context, scope: ScopeOpt = "pvd", start: StartOpt = None, end: EndOpt = None,
                 by: Annotated[str, typer.Option("--by", help=M.t("opt_foreign_by"))] = "views",
                 limit: Annotated[int, typer.Option(min=0, max=1_000_000, help=M.t("opt_limit"))] = 20,
                 fmt: FormatOpt = "table") -> None:  # fmt: skip
    f = parse_format(fmt)
    if by not in ("views", "share"):
        raise BelvedereError(M.t("foreign_bad_by", by=by))
    with observatory(ctx) as obs:
        df = obs.foreign_ranking(start, end, scope)
        period = present.period_words(*obs.period(start, end))
    if by == "share":
        df = df.sort("rank_share", "code")
    if limit:
        df = df.head(limit)
    if f is Format.table:  # what fits a terminal; csv and json get every column
        df = df.select("rank_views" if by == "views" else "rank_share", "name", "departement", "foreign_per_month",
                       "foreign_share", "top_language", "editions")  # fmt: skip
    emit(df, f, title=M.t("foreign_rank_title", scope=scope, period=period), labels=FOREIGN_LABELS,
         simulated=obs.simulated)  # fmt: skip
