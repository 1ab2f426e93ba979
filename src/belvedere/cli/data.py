"""Commands that bring data in and show it: init, info, communes, pvd, demo, export, articles, fetch."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import polars as pl
import typer

from belvedere import messages as M
from belvedere import present
from belvedere.analysis.audience import per_inhabitant, top_by
from belvedere.cli.common import (
    LABELS,
    AgentsOpt,
    CommunesReq,
    ContactOpt,
    EndReq,
    FormatOpt,
    StartReq,
    app,
    articles_app,
    communes_app,
    date_range,
    export_app,
    make_client,
    open_store,
    parse_agents,
    progress_bar,
    pvd_app,
)
from belvedere.config import Settings
from belvedere.dates import parse_date
from belvedere.errors import AmbiguousCommuneError, BelvedereError, NoAudienceError
from belvedere.figures import runs as figures_runs
from belvedere.output import Format, console, emit, emit_record, err_console, parse_format
from belvedere.reference.load import prepare_store
from belvedere.reference.lookup import history_of, resolve_commune, search_communes, select_communes
from belvedere.reference.pvd import PvdLoadResult, load_pvd
from belvedere.store import Store
from belvedere.store.db import now as store_now
from belvedere.store.queries import audience_range, commune_daily, commune_totals, communes_frame

if TYPE_CHECKING:  # the network clients are imported by the commands that use them: the others start faster
    from belvedere.sources.articles import ResolveReport
    from belvedere.sources.wikimedia_api import FetchReport, RangeResult


# --- init / info -------------------------------------------------------------------------
@app.command(help=M.t("cmd_init"))
def init(ctx: typer.Context) -> None:
    with Store(ctx.obj["db"]) as store:
        counts = prepare_store(store, reload_reference=True)
        n_pvd = store.con.execute("SELECT count(*) FROM pvd").fetchall()[0][0]
        console.print(
            M.t(
                "init_done",
                path=store.path,
                version=store.version(),
                communes=counts["communes"],
                history=counts["history"],
                pvd=n_pvd,
                pvd_source=store.get_meta("pvd_source") or "—",
                guessed=counts["guessed"],
            )
        )


@app.command(help=M.t("cmd_info"))
def info(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    f = parse_format(fmt)
    with open_store(ctx, read_only=True, need_reference=False) as store:
        con = store.con
        first, last = audience_range(store)
        sources = con.execute(
            "SELECT source, count(*), min(start_date), max(end_date), max(fetched_at) FROM ingest_log "
            "GROUP BY source ORDER BY source"
        ).fetchall()
        record = {
            "path": str(store.path),
            "schema_version": store.version(),
            "simulated": store.simulated,
            "communes": con.execute("SELECT count(*) FROM communes").fetchall()[0][0],
            "commune_history": con.execute("SELECT count(*) FROM commune_history").fetchall()[0][0],
            "pvd": con.execute("SELECT count(*) FROM pvd").fetchall()[0][0],
            "pvd_source": store.get_meta("pvd_source"),
            "articles": con.execute("SELECT count(*) FROM articles").fetchall()[0][0],
            "pageview_rows": con.execute("SELECT count(*) FROM pageviews").fetchall()[0][0],
            "dump_files": con.execute("SELECT count(*) FROM dump_files").fetchall()[0][0],
            "project_pages": con.execute("SELECT count(*) FROM project_pages").fetchall()[0][0],
            "user_views": con.execute("SELECT coalesce(sum(views), 0) FROM pageviews WHERE agent = 'user'").fetchall()[
                0
            ][0],
            "first_date": first,
            "last_date": last,
            "figures": [
                {"start": r["period_start"], "end": r["period_end"], "current": r["current"]}
                for r in figures_runs(store).iter_rows(named=True)
            ],
            "sources": [
                {"source": s, "entries": n, "start": a, "end": b, "last_fetch": t} for s, n, a, b, t in sources
            ],
        }
        if f is Format.table:
            labels = {
                "schema_version": M.t("info_schema"),
                "communes": M.t("info_communes"),
                "commune_history": M.t("info_history"),
                "pvd": M.t("info_pvd"),
                "articles": M.t("info_articles"),
                "pageview_rows": M.t("info_rows"),
                "dump_files": M.t("info_dump_files"),
                "project_pages": M.t("info_project_pages"),
                "user_views": M.t("info_total_views"),
                "simulated": M.t("info_simulated"),
                "sources": M.t("info_sources"),
                "figures": M.t("info_figures"),
            }
            labels = {**LABELS, **labels}
            shown = {k: v for k, v in record.items() if k not in ("sources", "figures")}
            shown["figures"] = [
                f"{f['start']} → {f['end']}" + ("" if f["current"] else f" ({M.t('info_figures_stale')})")
                for f in record["figures"]
            ]
            shown["sources"] = [f"{s['source']} ({s['entries']})" for s in record["sources"]]
            emit_record(shown, f, title=M.t("info_title", path=store.path), labels=labels, simulated=store.simulated)
        else:
            emit_record(record, f)


# --- communes ----------------------------------------------------------------------------
@communes_app.command("search", help=M.t("cmd_communes_search"))
def communes_search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Texte à chercher")],
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    fmt: FormatOpt = "table",
) -> None:
    f = parse_format(fmt)
    with open_store(ctx, read_only=Path(ctx.obj["db"]).exists()) as store:
        df = search_communes(store, text, limit)
        if df.is_empty():
            if f is Format.json:
                sys.stdout.write("[]\n")
            else:
                err_console.print(M.t("no_match", query=text))
            return
        df = df.select(
            "code",
            "name",
            "departement",
            "departement_name",
            "population",
            "size_class",
            "is_pvd",
            "is_commune_nouvelle",
        )
        emit(df, f, labels=LABELS)


@communes_app.command("show", help=M.t("cmd_communes_show"))
def communes_show(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Code INSEE, ancien code ou nom")],
    fmt: FormatOpt = "table",
) -> None:
    f = parse_format(fmt)
    with open_store(ctx, read_only=Path(ctx.obj["db"]).exists()) as store:
        try:
            c = resolve_commune(store, query)
        except AmbiguousCommuneError as exc:
            if f is Format.table:
                df = pl.DataFrame(exc.candidates).select(
                    "code", "name", "departement", "departement_name", "population"
                )
                emit(df, f, labels=LABELS)
            raise
        mapped = c.pop("mapped_from", None)
        c["history"] = history_of(store, c["code"])
        if mapped and f is Format.table:
            err_console.print(
                M.t(
                    "old_code_mapped",
                    old=mapped["old_code"],
                    kind=mapped["kind"],
                    name=c["name"],
                    code=c["code"],
                )
            )
        if mapped:
            c["mapped_from"] = mapped
        if f is Format.table:
            c["history"] = [f"{h['old_code']} {h['old_name'] or ''} ({h['kind']})".strip() for h in c["history"]]
        emit_record(c, f, title=c["name"], labels=LABELS)


# --- pvd ---------------------------------------------------------------------------------
@pvd_app.command("load", help=M.t("cmd_pvd_load"))
def pvd_load(
    ctx: typer.Context,
    path_or_url: Annotated[str, typer.Argument(help="Chemin ou URL du CSV ANCT")],
    source_date: Annotated[str | None, typer.Option(help="Date de la liste (AAAA-MM-JJ)")] = None,
    fmt: FormatOpt = "table",
) -> None:
    f = parse_format(fmt)
    if source_date:
        parse_date(source_date)
    with open_store(ctx) as store:
        result = load_pvd(store, path_or_url, source_date)
    summary = {
        "loaded": result.loaded,
        "source": result.source,
        "source_date": result.source_date,
        "mapped": [{"old_code": o, "code": c, "kind": k} for o, c, k in result.mapped],
        "rejects": [{"code": c, "name": n, "reason": r} for c, n, r in result.rejects],
    }
    if f is Format.json:
        emit_record(summary, f)
        return
    _print_pvd_loaded(result)
    for o, c, k in result.mapped:
        console.print(f"  {o} → {c} ({k})")
    for c, n, r in result.rejects:
        err_console.print(f"  [yellow]rejeté[/] {c} {n} : {r}")


def _print_pvd_loaded(result: PvdLoadResult) -> None:
    console.print(
        M.t(
            "pvd_loaded",
            loaded=result.loaded,
            source=result.source,
            mapped=len(result.mapped),
            rejected=len(result.rejects),
        )
    )


@pvd_app.command("list", help="Liste les communes PVD chargées.")
def pvd_list(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    f = parse_format(fmt)
    with open_store(ctx, read_only=True) as store:
        df = store.frame(
            "SELECT c.code, c.name, c.departement, c.population, p.source_code, p.mapped_by "
            "FROM pvd p JOIN communes c USING (code) ORDER BY c.code"
        )
        emit(df, f, labels=LABELS)


# --- demo --------------------------------------------------------------------------------


@app.command(help=M.t("cmd_demo"))
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(min=0, max=2**32 - 1, help=M.t("opt_seed"))] = 42,
    years: Annotated[int, typer.Option(min=1, max=10, help=M.t("opt_years"))] = 3,
    communes: Annotated[str, typer.Option(help=M.t("opt_communes"))] = "all",
    end: Annotated[str | None, typer.Option(help=M.t("opt_end"))] = None,
    pvd_file: Annotated[str | None, typer.Option(help=M.t("opt_pvd_file"))] = None,
) -> None:
    from belvedere.sources.simulate import SimulationParams, simulate

    d_end = parse_date(end) if end else date.today() - timedelta(days=1)
    try:
        d_start = d_end.replace(year=d_end.year - years) + timedelta(days=1)
    except ValueError:  # 29 February
        d_start = d_end.replace(year=d_end.year - years, day=28) + timedelta(days=1)
    with open_store(ctx) as store:
        if pvd_file:
            result = load_pvd(store, pvd_file)
            _print_pvd_loaded(result)
        codes = select_communes(store, communes)
        t0 = time.perf_counter()
        with progress_bar() as progress:
            task = progress.add_task(M.t("demo_generating"), total=len(codes))
            res = simulate(
                store,
                codes,
                SimulationParams(seed=seed, start=d_start, end=d_end),
                progress=lambda done, total: progress.update(task, completed=done),
            )
        elapsed = time.perf_counter() - t0
        console.print(
            M.t(
                "demo_done",
                communes=res.communes,
                days=res.days,
                rows=f"{res.rows:,}".replace(",", " "),
                views=f"{res.user_views:,}".replace(",", " "),
                seconds=elapsed,
            )
        )
        _print_summary(store, d_start, d_end)
    # the national figures of the standard periods, kept: every command after reads them at once
    from belvedere.cli.analytics import compute as compute_figures

    compute_figures(ctx)


def _print_summary(store: Store, start: date, end: date) -> None:
    con = store.con
    console.print(f"\n[bold yellow]{M.t('simulated_label')}[/]" if store.simulated else "")
    n_pvd = con.execute("SELECT count(*) FROM pvd").fetchall()[0][0]
    summary = {
        M.t("info_communes"): con.execute("SELECT count(*) FROM communes").fetchall()[0][0],
        M.t("info_pvd"): n_pvd,
        M.t("info_period"): present.period_words(start, end),
        M.t("info_total_views"): con.execute(
            "SELECT coalesce(sum(views), 0) FROM pageviews WHERE agent = 'user' AND date BETWEEN ? AND ?",
            [start, end],
        ).fetchall()[0][0],
    }
    emit_record(summary, Format.table, title=M.t("demo_summary_title"))
    df = per_inhabitant(commune_totals(store, start, end), communes_frame(store))
    title = M.t("demo_top_title", start=start, end=end)
    if n_pvd:
        df = df.filter(pl.col("is_pvd"))
    else:
        title = M.t("demo_top_all_title", start=start, end=end)
    top = top_by(df, "views_per_inhabitant", 10).select(
        "code", "name", "departement", "population", "views", "mean_daily_views", "views_per_inhabitant"
    )
    emit(top, Format.table, title=title, labels=LABELS, simulated=store.simulated)


# --- export ------------------------------------------------------------------------------
@export_app.command("audience", help=M.t("cmd_export_audience"))
def export_audience(
    ctx: typer.Context,
    communes: CommunesReq,
    start: StartReq,
    end: EndReq,
    agents: AgentsOpt = "user",
    fmt: FormatOpt = "csv",
) -> None:
    f = parse_format(fmt)
    d_start, d_end = date_range(start, end)
    agent_list = parse_agents(agents)
    with open_store(ctx, read_only=True) as store:
        codes = select_communes(store, communes)
        df = commune_daily(store, codes, d_start, d_end, agent_list)
        if df.is_empty():
            raise NoAudienceError(M.t("no_audience"))
        expected_days = (d_end - d_start).days + 1
        covered = df.group_by("code").agg(pl.col("date").n_unique().alias("n"))
        missing_codes = set(codes) - set(covered["code"].to_list())
        short = covered.filter(pl.col("n") < expected_days)
        if missing_codes or short.height:
            missing = int((expected_days - short["n"]).sum()) + expected_days * len(missing_codes)
            err_console.print(M.t("export_gaps", missing=missing, communes=short.height + len(missing_codes)))
        df = df.with_columns(pl.lit(store.simulated).alias("simulated"))
        if f is not Format.json and store.simulated:
            err_console.print(f"[bold yellow]{M.t('simulated_label')}[/]")
        if f is Format.json:
            df = df.with_columns(pl.col("date").cast(pl.String))
        emit(df, f, labels=LABELS)


# --- real audience ---------------------------------------------------------------------


@articles_app.command("resolve", help=M.t("cmd_articles_resolve"))
def articles_resolve(
    ctx: typer.Context,
    communes: Annotated[str, typer.Option(help=M.t("opt_communes"))] = "pvd",
    contact: ContactOpt = None,
    wikidata_sparql: Annotated[str | None, typer.Option(help=M.t("opt_wikidata_sparql"))] = None,
    mediawiki_api: Annotated[str | None, typer.Option(help=M.t("opt_mediawiki_api"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    from belvedere.sources.articles import resolve_articles
    from belvedere.sources.http import FetchFailed

    f = parse_format(fmt)
    settings: Settings = ctx.obj["settings"]
    client = make_client(settings, contact)
    sparql = wikidata_sparql or settings.wikidata_sparql
    mediawiki = mediawiki_api or settings.mediawiki_api
    with open_store(ctx) as store:
        codes = select_communes(store, communes)

        async def run() -> ResolveReport:
            async with client:
                await client.probe(sparql)
                try:
                    return await resolve_articles(store, client, sparql, mediawiki, codes)
                except FetchFailed as exc:
                    raise BelvedereError(M.t("no_network", url=sparql, err=exc)) from None

        report = asyncio.run(run())
    rec = report.recovery
    record = {
        "resolved": report.resolved,
        "redirects": report.redirects,
        "missing": report.missing,
        "dump_rows_recovered": rec.rows,
        "dump_hours_recovered": rec.hours,
        "dump_days_not_recovered": {title: [d.isoformat() for d in days] for title, days in rec.missing.items()},
    }
    if f is Format.json:
        emit_record(record, f)
        return
    console.print(
        M.t("resolve_summary", resolved=report.resolved, redirects=report.redirects, missing=len(report.missing))
    )
    if report.missing:
        err_console.print(M.t("resolve_missing", codes=", ".join(report.missing[:50])))
    if rec.rows or rec.hours:
        console.print(M.t("resolve_recovered", titles=rec.titles, rows=rec.rows, hours=rec.hours))
    if rec.missing:
        days = sorted({d for ds in rec.missing.values() for d in ds})
        err_console.print(M.t("resolve_not_recovered", titles=len(rec.missing), days=len(days), first=days[0],
                              last=days[-1], examples=", ".join(list(rec.missing)[:5])))  # fmt: skip


@articles_app.command("facts", help=M.t("cmd_articles_facts"))
def articles_facts(
    ctx: typer.Context,
    communes: Annotated[str, typer.Option(help=M.t("opt_communes"))] = "pvd",
    refresh: Annotated[bool, typer.Option("--refresh", help=M.t("opt_facts_refresh"))] = False,
    history: Annotated[bool | None, typer.Option("--history/--no-history", help=M.t("opt_facts_history"))] = None,
    contact: ContactOpt = None,
    mediawiki_api: Annotated[str | None, typer.Option(help=M.t("opt_mediawiki_api"))] = None,
    fmt: FormatOpt = "table",
) -> None:
    """What each commune's article is like (length, images, references...), kept per article; with
    its history (age, last 12 months' edits and editors) for a few articles, or when asked."""
    from belvedere.sources.facts import WIKIDATA_BATCH, ArticleFacts, article_facts, item_facts
    from belvedere.sources.http import FetchFailed
    from belvedere.store.writes import save_article_facts, save_item_facts

    f = parse_format(fmt)
    settings: Settings = ctx.obj["settings"]
    client = make_client(settings, contact)
    endpoint = mediawiki_api or settings.mediawiki_api
    t0 = time.perf_counter()
    with open_store(ctx) as store:
        if store.simulated:
            raise BelvedereError(M.t("facts_simulated_store", path=store.path))
        codes = select_communes(store, communes)
        # facts read less than FACTS_FRESH_DAYS ago are kept (a rerun resumes), unless --refresh
        since = store_now() + timedelta(days=1) if refresh else store_now() - timedelta(days=FACTS_FRESH_DAYS)
        rows = store.con.execute(
            "SELECT article_id, title FROM articles WHERE list_contains(?, commune_code) AND redirect_of IS NULL "
            "AND source NOT IN ('guess', 'simulated') AND article_id NOT IN "
            "(SELECT article_id FROM article_facts WHERE read_at > ?) ORDER BY title",
            [codes, since],
        ).fetchall()
        unresolved = store.con.execute(
            "SELECT count(DISTINCT commune_code) FROM articles WHERE list_contains(?, commune_code) "
            "AND commune_code NOT IN (SELECT commune_code FROM articles WHERE source NOT IN ('guess', 'simulated'))",
            [codes],
        ).fetchall()[0][0]
        items = store.con.execute(
            "SELECT commune_code, min(qid) FROM articles WHERE list_contains(?, commune_code) AND qid IS NOT NULL "
            "AND redirect_of IS NULL AND source NOT IN ('guess', 'simulated') AND commune_code NOT IN "
            "(SELECT code FROM item_facts WHERE read_at > ?) GROUP BY commune_code ORDER BY commune_code",
            [codes, since],
        ).fetchall()
        id_of = {title: article_id for article_id, title in rows}
        counts = {"read": 0, "missing": 0, "items": 0}
        # two more queries per article: by default for a town and its peers, not for all of France
        with_history = history if history is not None else len(rows) <= HISTORY_AUTO
        history_since = store_now() - timedelta(days=365) if with_history else None
        if history is None and not with_history:
            err_console.print(M.t("facts_history_skipped", n=len(rows), limit=HISTORY_AUTO))

        def keep(batch: dict[str, ArticleFacts], done: int, total: int) -> None:
            found = [facts for facts in batch.values() if not facts.missing]
            counts["read"] += len(found)
            counts["missing"] += len(batch) - len(found)
            save_article_facts(store, [{"article_id": id_of[x.title], "length": x.length,
                                        "lead_image": x.lead_image, "images": x.images, "refs": x.refs,
                                        "sections": x.sections, "quality": x.quality, "languages": x.languages,
                                        "last_edit": x.last_edit, "created": x.created, "edits_12m": x.edits_12m,
                                        "editors_12m": x.editors_12m} for x in found], store_now())  # fmt: skip
            progress.update(task, completed=done)

        async def read_items() -> None:
            """What each commune's Wikidata item declares, and its Commons category's files."""
            code_of = {qid: code for code, qid in items}
            qids = list(code_of)
            await client.probe(settings.wikidata_sparql)
            for i in range(0, len(qids), WIKIDATA_BATCH):
                try:
                    found = await item_facts(client, settings.wikidata_sparql, settings.commons_api,
                                             qids[i : i + WIKIDATA_BATCH])  # fmt: skip
                except FetchFailed as exc:
                    raise BelvedereError(M.t("no_network", url=settings.wikidata_sparql, err=exc)) from None
                except (ValueError, KeyError, TypeError):
                    raise BelvedereError(M.t("facts_bad_answer_sparql", url=settings.wikidata_sparql)) from None
                save_item_facts(store, [{"code": code_of[x.qid], "qid": x.qid, "website": x.website, "image": x.image,
                                         "coat_of_arms": x.coat_of_arms, "flag": x.flag,
                                         "commons_category": x.commons_category, "commons_files": x.commons_files,
                                         "social": ",".join(x.social), "sitelinks": x.sitelinks,
                                         "label_languages": x.label_languages}
                                        for x in found.values() if x.qid in code_of], store_now())  # fmt: skip
                counts["items"] += len(found)
                progress.update(task, completed=len(rows) + min(i + WIKIDATA_BATCH, len(qids)))

        async def run() -> None:
            async with client:
                if rows:
                    await client.probe(endpoint)
                    try:
                        await article_facts(client, endpoint, list(id_of), on_batch=keep, history_since=history_since)
                    except FetchFailed as exc:
                        raise BelvedereError(M.t("no_network", url=endpoint, err=exc)) from None
                    except (ValueError, KeyError, TypeError):
                        raise BelvedereError(M.t("facts_bad_answer", url=endpoint)) from None
                if items:
                    await read_items()

        with progress_bar("facts") as progress:
            task = progress.add_task(M.t("facts_progress"), total=len(rows) + len(items))
            if rows or items:
                asyncio.run(run())
    summary = {"read": counts["read"], "missing": counts["missing"], "items": counts["items"],
               "unresolved_communes": unresolved,
               "requests": client.stats.requests, "seconds": round(time.perf_counter() - t0, 2)}  # fmt: skip
    if f is Format.json:
        emit_record(summary, f)
        return
    console.print(M.t("facts_summary", read=counts["read"], missing=counts["missing"], items=counts["items"],
                      requests=client.stats.requests, seconds=M.fr_number(summary["seconds"], 1)))  # fmt: skip
    if not rows and not items and not refresh:
        console.print(M.t("facts_all_fresh", days=FACTS_FRESH_DAYS))
    if unresolved:
        err_console.print(M.t("facts_unresolved", communes=M.n_communes(unresolved)))


FACTS_FRESH_DAYS = 30
HISTORY_AUTO = 200  # articles whose history is read without --history (a town's diagnosis and its peers)


@app.command(help=M.t("cmd_fetch"))
def fetch(
    ctx: typer.Context,
    communes: CommunesReq,
    start: StartReq,
    end: EndReq,
    agents: AgentsOpt = "user",
    refresh: Annotated[bool, typer.Option("--refresh", help=M.t("opt_refresh"))] = False,
    concurrency: Annotated[int | None, typer.Option(help=M.t("opt_concurrency"))] = None,
    contact: ContactOpt = None,
    wikimedia_api: Annotated[str | None, typer.Option(help=M.t("opt_wikimedia_api"))] = None,
    totals: Annotated[bool, typer.Option(help="Récupère aussi les totaux de frwiki (normalisation).")] = True,
    fmt: FormatOpt = "table",
) -> None:
    from belvedere.config import PAGEVIEWS_START, PROJECT

    f = parse_format(fmt)
    settings: Settings = ctx.obj["settings"]
    d_start, d_end = date_range(start, end)
    first = date.fromisoformat(PAGEVIEWS_START)
    if d_start < first:
        raise BelvedereError(M.t("start_too_early", first=first, start=d_start))
    yesterday = date.today() - timedelta(days=1)
    if d_end > yesterday:
        err_console.print(M.t("end_clamped", end=d_end, clamped=yesterday))
        d_end = yesterday
        if d_end < d_start:
            raise BelvedereError(M.t("end_before_start", start=d_start, end=d_end))
    from belvedere.sources.articles import articles_for
    from belvedere.sources.http import FetchFailed
    from belvedere.sources.wikimedia_api import FetchReport, fetch_project_totals, fetch_ranges, plan_requests

    agent_list = parse_agents(agents)
    client = make_client(settings, contact, concurrency)
    base = wikimedia_api or settings.wikimedia_api
    with open_store(ctx) as store:
        if store.simulated:
            raise BelvedereError(M.t("fetch_simulated_store", path=store.path))
        codes = select_communes(store, communes)
        t0 = time.perf_counter()

        async def run() -> FetchReport:
            async with client:
                await client.probe(base.rstrip("/") + "/")
                articles, guessed = articles_for(store, codes)
                if guessed:
                    err_console.print(M.t("guessed_titles", n=guessed))
                requests = plan_requests(store, articles, d_start, d_end, agent_list, refresh)
                if totals:
                    try:
                        await fetch_project_totals(store, client, base, PROJECT, d_start, d_end)
                    except FetchFailed as exc:
                        err_console.print(f"totaux frwiki : {exc}")
                if not requests:
                    return FetchReport(titles=len(articles))
                done_titles: dict[int, int] = {}
                per_title: dict[int, int] = {}
                for r in requests:
                    per_title[r.article_id] = per_title.get(r.article_id, 0) + 1
                with progress_bar("audience") as progress:
                    task = progress.add_task(M.t("fetch_progress"), total=len(per_title))

                    finished = [0]

                    def on_result(result: RangeResult) -> None:
                        aid = result.request.article_id
                        done_titles[aid] = done_titles.get(aid, 0) + 1
                        if done_titles[aid] == per_title[aid]:
                            finished[0] += 1
                        progress.update(
                            task,
                            completed=finished[0],
                            description=f"{M.t('fetch_progress')} · {client.stats.requests} req. · "
                            f"{client.stats.retries} reprises",
                        )

                    return await fetch_ranges(store, client, base, PROJECT, requests, on_result=on_result)

        report = asyncio.run(run())
        elapsed = time.perf_counter() - t0
    stats = client.stats
    summary = {
        "titles": report.titles, "ranges": report.ranges, "requests": stats.requests, "retries": stats.retries,
        "throttled": stats.throttled, "rows": report.rows, "empty": report.empty, "failed": len(report.failed),
        "seconds": round(elapsed, 2),
        "failures": [{"title": r.request.title, "access": r.request.access, "agent": r.request.agent,
                      "start": r.request.start, "end": r.request.end, "error": r.detail} for r in report.failed],
    }  # fmt: skip
    if f is Format.json:
        emit_record(summary, f)
    else:
        if report.ranges == 0:
            console.print(M.t("fetch_nothing_to_do"))
        console.print(
            M.t(
                "fetch_summary",
                articles=report.titles,
                requests=stats.requests,
                retries=stats.retries,
                throttled=stats.throttled,
                rows=report.rows,
                empty=report.empty,
                failed=len(report.failed),
                seconds=elapsed,
            )
        )
        if report.failed:
            err_console.print(M.t("fetch_failed_list"))
            for r in report.failed[:30]:
                q = r.request
                err_console.print(f"  {q.title} {q.access} {q.agent} {q.start}→{q.end} : {r.detail}")
    if report.rows:
        from belvedere.cli.analytics import refresh_figures

        refresh_figures(ctx)
    if report.failed:
        raise BelvedereError(M.t("fetch_failed_exit", failed=len(report.failed)))


maps_app = typer.Typer(help=M.t("cmd_maps"), no_args_is_help=True)
app.add_typer(maps_app, name="maps")


@maps_app.command("fetch", help=M.t("cmd_maps_fetch"))
def maps_fetch(contact: ContactOpt = None) -> None:
    """Download ANCT's départements GeoJSON into the user's cache (the package does not ship it)."""
    from belvedere.report.maps import GEOJSON_URL, cache_path
    from belvedere.sources.http import FetchFailed

    url = os.environ.get("BELVEDERE_MAP_URL", "").strip() or GEOJSON_URL

    def check(status: int, data: object) -> dict[str, Any]:
        if not isinstance(data, dict) or not data.get("features"):
            raise ValueError("no features")
        return cast(dict[str, Any], data)

    async def run() -> dict[str, Any]:
        async with make_client(Settings(), contact) as client:
            return cast(dict[str, Any], (await client.get_json(url, parse=check))[1])

    try:
        data = asyncio.run(run())
    except FetchFailed as exc:
        raise BelvedereError(M.t("no_network", url=url, err=exc)) from None
    out = cache_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(out)  # whole or nothing
    console.print(M.t("maps_fetched", n=len(data["features"]), path=out))


@app.command(help=M.t("cmd_ingest"))
def ingest(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help=M.t("arg_ingest_files"), show_default=False)],
    project: Annotated[str, typer.Option("--project", help=M.t("opt_ingest_project"))] = "fr.wikipedia",
    all_articles: Annotated[bool, typer.Option("--all-articles", help=M.t("opt_all_articles"))] = False,
    engine: Annotated[str, typer.Option("--engine", help=M.t("opt_engine"))] = "duckdb",
    spark_master: Annotated[str, typer.Option("--spark-master", help=M.t("opt_spark_master"))] = "local[*]",
    download_dir: Annotated[Path | None, typer.Option("--download-dir", help=M.t("opt_download_dir"))] = None,
    replace: Annotated[bool, typer.Option("--replace", help=M.t("opt_replace"))] = False,
    contact: ContactOpt = None,
) -> None:
    from belvedere.sources import dumps

    with open_store(ctx) as store, progress_bar() as bar:
        if store.simulated:
            raise BelvedereError(M.t("fetch_simulated_store", path=store.path))
        urls = [f for f in files if dumps.is_url(f)]
        paths = [Path(f) for f in files if not dumps.is_url(f)]
        skipped: list[str] = []
        if urls:
            directory = download_dir or store.path.parent / "dumps"
            task = bar.add_task(M.t("stage_download", n=len(urls), dir=directory), total=None)

            async def fetch() -> tuple[list[Path], list[str]]:
                async with make_client(ctx.obj["settings"], contact, 1) as client:
                    done = set() if replace else set(dumps.ingested(store))  # --replace fetches them again
                    return await dumps.download(client, urls, directory, done, lambda n: bar.advance(task, n))

            got, skipped = asyncio.run(fetch())
            paths += got
            bar.update(task, total=bar.tasks[task].completed)
        clicks = [f for f in paths if dumps.CLICKSTREAM_NAME.search(f.name)]
        paths = [f for f in paths if f not in clicks]
        if clicks:  # readers' origins: beside the audience, never in it
            from belvedere.sources.clickstream import ingest_clickstream

            report = ingest_clickstream(store, clicks)
            console.print(M.t("clickstream_done", files=report.files, skipped=report.skipped,
                              lines=M.fr_number(report.lines, 0), kept=M.fr_number(report.kept, 0)))  # fmt: skip
            if not paths:
                return
        complete = [f for f in paths if dumps.COMPLETE_NAME.search(f.name)]
        hourly = [f for f in paths if f not in complete]
        task = bar.add_task(M.t("stage_dumps"), total=len(paths))
        first = len(complete)
        day = dumps.ingest_complete(store, complete, project, all_articles=all_articles, replace=replace,
                                    progress=lambda done, _: bar.update(task, completed=done))  # fmt: skip
        hour = dumps.ingest_hourly(store, hourly, project, engine=engine, spark_master=spark_master,
                                   all_articles=all_articles, replace=replace,
                                   progress=lambda done, _: bar.update(task, completed=first + done))  # fmt: skip
    console.print(M.t("ingest_done", files=day.files + hour.files,
                      skipped=len(day.skipped) + len(hour.skipped) + len(skipped),
                      lines=day.lines + hour.lines, days=hour.days_settled + day.days_settled))  # fmt: skip
    unmatched = day.unmatched + hour.unmatched
    if unmatched:
        names = ", ".join(unmatched[:5]) + (" …" if len(unmatched) > 5 else "")
        err_console.print(M.t("ingest_unmatched", n=len(unmatched), names=names))
    if day.malformed + hour.malformed:
        err_console.print(M.t("ingest_malformed", n=day.malformed + hour.malformed))
    if day.replaced + hour.replaced:
        console.print(M.t("ingest_replaced", n=len(day.replaced) + len(hour.replaced)))
    if day.days_settled + hour.days_settled:
        from belvedere.cli.analytics import refresh_figures

        refresh_figures(ctx)
