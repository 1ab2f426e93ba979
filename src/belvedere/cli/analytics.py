"""Analysis commands: rank, profile, peers, spikes, events, annotate, typology."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.progress import TaskID

from belvedere import figures, present
from belvedere import messages as M
from belvedere.analysis.spikes import detect_series, level_shifts
from belvedere.api import EVENTS_ALPHA, RANK_METRICS, Observatory
from belvedere.cli.common import LABELS, FormatOpt, app, open_store, progress_bar
from belvedere.dates import parse_month
from belvedere.errors import BelvedereError
from belvedere.output import Format, console, emit, emit_record, err_console, parse_format

StartOpt = Annotated[str | None, typer.Option("--start", help=M.t("opt_period_start"))]
EndOpt = Annotated[str | None, typer.Option("--end", help=M.t("opt_period_end"))]
ScopeOpt = Annotated[str, typer.Option("--scope", help=M.t("opt_scope"))]
CommuneArg = Annotated[str, typer.Argument(help=M.t("arg_commune"))]

A_LABELS = LABELS


@contextmanager
def observatory(ctx: typer.Context, *, write: bool = False) -> Iterator[Observatory]:
    """An Observatory whose long computations show a progress bar on stderr."""
    store = open_store(ctx, read_only=not write)
    with progress_bar("figures") as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(M.t(f"stage_{stage}"), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        obs = Observatory(store, progress=report)
        try:
            yield obs
            if not write:
                _hint_keep(obs)
        finally:
            obs.close()


def _hint_keep(obs: Observatory) -> None:
    """After a reading command that computed national figures (a reading command never writes):
    the command that keeps them, so that the next ones read them at once."""
    if not obs.computed:  # nothing computed (a store without audience has nothing to keep)
        return
    first, last = obs.period()
    standard = figures.standard_periods(first, last)
    for start, end in dict.fromkeys(obs.computed):
        how = "belvedere compute" if (start, end) in standard else (
            f"belvedere compute --start {start.isoformat()} --end {end.isoformat()}")  # fmt: skip
        err_console.print(M.t("figures_not_kept", start=start, end=end, how=how))


@app.command(help=M.t("cmd_compute"))
def compute(ctx: typer.Context, start: StartOpt = None, end: EndOpt = None) -> None:
    """Compute the national figures and keep them in the store (see belvedere.figures): the
    standard periods by default, or the period asked."""
    t0 = time.perf_counter()
    with observatory(ctx, write=True) as obs:
        if start is None and end is None:
            done = figures.keep_standard(obs, force=True)
        else:
            done = [figures.compute(obs, start, end)]
    for d_start, d_end in done:
        console.print(M.t("compute_done", start=M.fr_date(d_start), end=M.fr_date(d_end)))
    console.print(M.t("compute_total", n=len(done), seconds=M.fr_number(time.perf_counter() - t0, 1)))


def refresh_figures(ctx: typer.Context) -> None:
    """After a write that changed the audience: the national figures the store keeps, computed again
    where the new audience changed them."""
    with open_store(ctx, read_only=True) as store:
        if not figures.keeps(store):  # no figures kept yet: nothing to refresh, no progress bar
            return
    with observatory(ctx, write=True) as obs:
        done = figures.refresh(obs)
        patched = {(s, e): n for s, e, n in figures.runs(obs.store).select("period_start", "period_end", "communes")
                   .iter_rows() if n is not None}  # fmt: skip
    for d_start, d_end in done:
        n = patched.get((d_start, d_end))
        key = "figures_refreshed" if n is None else "figures_patched" if n else "figures_restamped"
        console.print(M.t(key, start=M.fr_date(d_start), end=M.fr_date(d_end), n=n))


@app.command(help=M.t("cmd_rank"))
def rank(
    ctx: typer.Context,
    scope: ScopeOpt = "pvd",
    metric: Annotated[str, typer.Option(help=M.t("opt_metric"))] = "views_per_inhabitant",
    start: StartOpt = None,
    end: EndOpt = None,
    limit: Annotated[int, typer.Option(min=0, max=1_000_000, help=M.t("opt_limit"))] = 20,
    groups: Annotated[bool, typer.Option("--groups", help=M.t("opt_groups"))] = False,
    by: Annotated[str, typer.Option("--by", help=M.t("opt_group_by"))] = "group",
    fmt: FormatOpt = "table",
) -> None:
    f = parse_format(fmt)
    if metric not in RANK_METRICS:
        raise BelvedereError(M.t("bad_metric", metric=metric, choices=", ".join(RANK_METRICS)))
    with observatory(ctx) as obs:
        if groups:
            df = obs.groups(start, end, metric, by)
            title = M.t("groups_title", metric=A_LABELS.get(metric, metric))
        else:
            df = obs.ranking(start, end, scope, metric, limit or None)
            if f is Format.table:  # what fits a terminal; csv and json get every column
                df = df.select("rank", "code", "name", "departement", "population", "mean_daily_views",
                               *dict.fromkeys([metric, "visibility_surplus"]), "rank_france")  # fmt: skip
            title = M.t("rank_title", scope=scope, metric=A_LABELS.get(metric, metric))
    emit(df, f, title=title, labels=A_LABELS, simulated=obs.simulated)


@app.command(help=M.t("cmd_profile"))
def profile(ctx: typer.Context, commune: CommuneArg, start: StartOpt = None, end: EndOpt = None,
            fmt: FormatOpt = "table") -> None:  # fmt: skip
    f = parse_format(fmt)
    with observatory(ctx) as obs:
        card = obs.profile(commune, start, end)
        medians = obs.medians_around(card["code"], card["start"], card["end"])
        national = obs.national_standing(card["code"], card["start"], card["end"])
    if f is not Format.table:
        emit_record({**card, "national": national}, f)
        return
    shown = {
        "name": f"{card['name']} ({card['code']})",
        "departement": f"{card['departement_name']} ({card['departement']})",
        "population": card["population"],
        "is_pvd": card["is_pvd"],
        "period": present.period_words(card["start"], card["end"]) + f" · {M.t('days_with_data', n=card['days'])}",
        "total_views": card["total_views"],
        "mean_daily_views": card["mean_daily_views"],
        "views_per_inhabitant": card["views_per_inhabitant"],
        "visibility_surplus": present.surplus_words(card),
        "ranks": present.rank_words(card),
        **({"national": _national_words(national)} if national else {}),
        **({"coverage": coverage} if (coverage := present.coverage_words(card, national)) else {}),
        "medians": " · ".join(
            M.t("ui_median_item", label=m["label"], median=M.fr_number(m["median"], 1), n=M.n_communes(m["communes"]))
            for m in medians
        ),
        "peers": present.peers_words(card),
        "yoy_change": present.change_words(card["yoy_change"]),
        "mobile_share": M.fr_percent(card["mobile_share"]),
        "summer_share": M.fr_percent(card["summer_share"]),
        "winter_share": M.fr_percent(card["winter_share"]),
        "typology_label": card["typology_label"],
        "typology_explanation": card["typology_explanation"],
        "spikes": card["spikes"],
    }
    labels = {**A_LABELS, "period": M.t("lbl_period"), "ranks": M.t("lbl_ranks"), "peers": M.t("lbl_peers"),
              "medians": M.t("lbl_medians"), "national": M.t("lbl_national"), "coverage": M.t("lbl_coverage"),
              "spikes": M.t("lbl_spikes")}  # fmt: skip
    emit_record(shown, f, title=card["name"], labels=labels, simulated=card["simulated"])


@app.command(help=M.t("cmd_scorecard"))
def scorecard(ctx: typer.Context, commune: CommuneArg, start: StartOpt = None, end: EndOpt = None,
              fmt: FormatOpt = "table") -> None:  # fmt: skip
    from belvedere.report.recommendations import recommend

    f = parse_format(fmt)
    with observatory(ctx) as obs:
        sc = obs.scorecard(commune, start, end)
        card = obs.profile(sc.code, sc.start, sc.end)
        record = present.scorecard_record(
            sc, recommend(card, facts=obs.article_facts(sc.code), territory=obs.territory_facts(sc.code))
        )
    if f is Format.json:
        emit_record(record, f)
        return
    rows: list[dict[str, Any]] = []
    for d in record["dimensions"]:
        if not d["indicators"]:  # a dimension whose sources are not in Belvédère yet: said, not scored
            rows.append({"dimension": d["label"], "score": None, "indicator": d["missing"], "value": None,
                         "percentile": None, "peers": None, "source": None, "as_of": None})  # fmt: skip
        for i in d["indicators"]:
            rows.append({"dimension": d["label"], "score": M.fr_number(d["score"], 0), "indicator": i["label"],
                         "value": present.indicator_value_words(i), "percentile": M.fr_number(i["percentile"], 0),
                         "peers": i["peers"], "source": i["source"],
                         "as_of": M.fr_date(i["as_of"]) if i["as_of"] else None})  # fmt: skip
    emit(pl.DataFrame(rows), f, title=M.t("scorecard_title", name=card["name"]), labels=SCORE_LABELS,
         simulated=card["simulated"])  # fmt: skip


@app.command(help=M.t("cmd_explain"))
def explain(ctx: typer.Context, scope: ScopeOpt = "pvd", start: StartOpt = None, end: EndOpt = None,
            fmt: FormatOpt = "table") -> None:  # fmt: skip
    from belvedere.analysis.explain import least_visible_ratio

    f = parse_format(fmt)
    with observatory(ctx) as obs:
        e = obs.explanation(start, end, scope)
        d_start, d_end = obs.period(start, end)
        least = least_visible_ratio(obs.indicators(d_start, d_end, scope), "beds_per_1000")
        simulated = obs.simulated
    if e is None:
        raise BelvedereError(M.t("explain_none"))
    if f is Format.json:
        emit_record({"scope": scope, "start": d_start, "end": d_end, "communes": e.n, "r2": e.r2,
                     "left_out": e.left_out,
                     "coefficients": [{"key": c.key, "kind": c.kind, "estimate": c.estimate, "low": c.low,
                                       "high": c.high, "effect": c.effect(c.estimate), "effect_low": c.effect(c.low),
                                       "effect_high": c.effect(c.high)} for c in e.coefficients],
                     "least_visible_beds_ratio": least[0] if least else None}, f)  # fmt: skip
        return
    rows = present.explanation_rows(e)
    emit(pl.DataFrame(rows).drop("key"), f, labels=EXPLAIN_LABELS, simulated=simulated,
         title=M.t("explain_title", scope=scope, period=present.period_words(d_start, d_end)))  # fmt: skip
    console.print(M.t("explain_intro", n=M.fr_number(e.n, 0), r2=M.fr_percent(e.r2)))
    if e.left_out:
        console.print(M.t("explain_left_out", factors=", ".join(M.t(f"explain_{k}") for k in e.left_out)))
    if least:
        console.print(M.t("explain_least", n=least[1], ratio=M.fr_number(least[0], 1), scope=scope))


EXPLAIN_LABELS = {"label": M.t("explain_col_factor"), "step": M.t("explain_col_step"),
                  "effect": M.t("explain_col_effect"), "interval": M.t("explain_col_interval")}  # fmt: skip


SCORE_LABELS = {"dimension": M.t("scorecard_col_dimension"), "score": M.t("scorecard_col_score"),
                "indicator": M.t("scorecard_col_indicator"), "value": M.t("scorecard_col_value"),
                "percentile": M.t("scorecard_col_percentile"), "peers": M.t("lbl_peers"),
                "source": M.t("lbl_source"), "as_of": M.t("lbl_as_of")}  # fmt: skip


@app.command(help=M.t("cmd_referrers"))
def referrers(ctx: typer.Context, commune: CommuneArg,
              month: Annotated[str | None, typer.Option("--month", help=M.t("opt_month"))] = None,
              fmt: FormatOpt = "table") -> None:  # fmt: skip
    f = parse_format(fmt)
    wanted = parse_month(month) if month else None
    with observatory(ctx) as obs:
        code = obs.code_of(commune)
        df = obs.referrers(code, wanted)
        name = obs.communes().filter(pl.col("code") == code)["name"][0]
    if df.is_empty() and f is Format.table:
        console.print(M.t("referrers_none"))
        return
    if f is Format.table:
        df = df.with_columns(pl.col("source").replace_strict({s: M.t(f"referrer_{s}") for s in present.SOURCES}),
                             pl.col("referrer").str.replace_all("_", " "))  # fmt: skip
    emit(df, f, title=f"{M.t('referrers_section')} — {name}", labels=REFERRER_LABELS, simulated=obs.simulated)


REFERRER_LABELS = {"month": M.t("lbl_month"), "source": M.t("referrers_col_source"), "referrer": M.t("lbl_referrer"),
                   "type": M.t("lbl_click_type"), "n": M.t("referrers_col_readers")}  # fmt: skip


def _national_words(national: dict[str, Any]) -> str:
    """The place in France from the snapshot, with its source."""
    heading = M.t("report_national_ranks", period=national["period"], source=national["source"])
    return f"{heading} {national['ranks']}"


@app.command(help=M.t("cmd_peers"))
def peers(ctx: typer.Context, commune: CommuneArg, n: Annotated[int, typer.Option("-n", min=1, max=100)] = 10,
          start: StartOpt = None, end: EndOpt = None, fmt: FormatOpt = "table") -> None:  # fmt: skip
    f = parse_format(fmt)
    with observatory(ctx) as obs:
        df = obs.peers(commune, start, end, n)
    df = df.select("code", "name", "departement", "population", "is_pvd", "typology", "views_per_inhabitant",
                   "visibility_surplus", "rank_in_group", "is_target")  # fmt: skip
    emit(df, f, title=M.t("peers_title"), labels=A_LABELS, simulated=obs.simulated)


@app.command(help=M.t("cmd_spikes"))
def spikes(
    ctx: typer.Context,
    commune: Annotated[str | None, typer.Argument(help=M.t("arg_commune_opt"))] = None,
    all_: Annotated[bool, typer.Option("--all", help=M.t("opt_all_spikes"))] = False,
    scope: ScopeOpt = "all",
    start: StartOpt = None,
    end: EndOpt = None,
    csv: Annotated[Path | None, typer.Option("--csv", help=M.t("opt_spikes_csv"))] = None,
    date_column: Annotated[str, typer.Option(help=M.t("opt_date_column"))] = "date",
    value_column: Annotated[str, typer.Option(help=M.t("opt_value_column"))] = "views",
    log_values: Annotated[bool, typer.Option("--log-values", help=M.t("opt_log_values"))] = False,
    bots: Annotated[bool, typer.Option("--bots/--no-bots", help=M.t("opt_bots"))] = True,
    fmt: FormatOpt = "table",
) -> None:
    f = parse_format(fmt)
    if csv is not None:
        df = _spikes_from_csv(csv, date_column, value_column, log_values)
        emit(df, f, title=M.t("spikes_csv_title", path=csv), labels=A_LABELS)
        return
    if commune is None and not all_:
        raise BelvedereError(M.t("spikes_what"))
    with observatory(ctx) as obs:
        df = obs.spikes(commune, start, end, scope=scope if all_ else "all", include_bots=bots)
        shifts = None
        if commune is not None and f is Format.table:
            code = df["code"][0] if df.height else None
            if code is not None:
                shifts = level_shifts(obs.series(code, start, end))
    cols = ["code", "name", "start", "peak", "end", "peak_views", "baseline_views", "peak_ratio", "excess_views",
            "suspected_bot", "bot_reason", "annotations"]  # fmt: skip
    if f is Format.table:
        cols.remove("bot_reason")
    emit(df.select(cols), f, title=M.t("spikes_title", n=df.height), labels=A_LABELS, simulated=obs.simulated)
    if shifts is not None and shifts.height:
        console.print(M.t("level_shifts_title"))
        for r in shifts.iter_rows(named=True):
            console.print(f"  {r['date']} : {M.fr_number(r['level_before'])} → {M.fr_number(r['level_after'])} "
                          f"vues/jour ({M.fr_percent(r['change'])})")  # fmt: skip


def _spikes_from_csv(path: Path, date_column: str, value_column: str, log_values: bool) -> pl.DataFrame:
    if not path.exists():
        raise BelvedereError(M.t("file_missing", path=path))
    if not path.is_file():
        raise BelvedereError(M.t("not_a_file", path=path))
    try:
        raw = pl.read_csv(path, infer_schema_length=10000, try_parse_dates=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError, OSError) as exc:
        raise BelvedereError(M.t("csv_unreadable", path=path, err=str(exc).splitlines()[0])) from None
    for col in (date_column, value_column):
        if col not in raw.columns:
            raise BelvedereError(M.t("csv_no_column", path=path, column=col, columns=", ".join(raw.columns)))
    dates = raw[date_column].cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    if dates.null_count() > raw[date_column].null_count():
        bad = raw[date_column].filter(dates.is_null() & raw[date_column].is_not_null())[0]
        raise BelvedereError(M.t("bad_date", value=bad))
    values = raw[value_column].cast(pl.Float64, strict=False)
    if values.null_count() > raw[value_column].null_count():
        raise BelvedereError(M.t("csv_bad_values", column=value_column))
    if log_values:
        values = values.exp()
    series = pl.DataFrame({"date": dates, "views": values})
    cols = ["start", "peak", "end", "peak_views", "baseline_views", "peak_ratio", "excess_views", "suspected_bot"]
    return detect_series(series).select(cols)


@app.command(help=M.t("cmd_events"))
def events(ctx: typer.Context, scope: ScopeOpt = "all", start: StartOpt = None, end: EndOpt = None,
           alpha: Annotated[float, typer.Option(min=1e-9, max=0.5, help=M.t("opt_alpha"))] = EVENTS_ALPHA,
           fmt: FormatOpt = "table") -> None:  # fmt: skip
    f = parse_format(fmt)
    with observatory(ctx) as obs:
        df = obs.events(start, end, scope, alpha)
    cols = ["event", "start", "peak", "end", "communes", "names", "codes", "excess_views", "evidence", "referrer",
            "readers", "background", "p_value", "expected_chance", "annotations"]  # fmt: skip
    if f is Format.table:
        origin = [present.event_origin(e) for e in df.to_dicts()]
        df = df.with_columns(pl.Series("origin", origin, dtype=pl.String))
        cols = ["event", "start", "peak", "end", "communes", "names", "excess_views", "origin", "annotations"]
    emit(df.select(cols), f, title=M.t("events_title", n=df.height), labels=A_LABELS, simulated=obs.simulated)


@app.command(help=M.t("cmd_annotate"))
def annotate(
    ctx: typer.Context,
    commune: Annotated[str | None, typer.Argument(help=M.t("arg_commune_annot"))] = None,
    on: Annotated[str | None, typer.Option("--date", help=M.t("opt_annot_date"))] = None,
    text: Annotated[str | None, typer.Option("--text", help=M.t("opt_annot_text"))] = None,
    url: Annotated[str | None, typer.Option("--url", help=M.t("opt_annot_url"))] = None,
    category: Annotated[str, typer.Option("--category", help=M.t("opt_annot_category"))] = "autre",
    shared: Annotated[bool, typer.Option("--shared", help=M.t("opt_annot_shared"))] = False,
    list_: Annotated[bool, typer.Option("--list", help=M.t("opt_annot_list"))] = False,
    fmt: FormatOpt = "table",
) -> None:
    f = parse_format(fmt)
    if list_:
        with observatory(ctx) as obs:
            notes = obs.annotations()
        emit(notes, f, title=M.t("annotations_title"), labels=A_LABELS)
        return
    if on is None or text is None:
        raise BelvedereError(M.t("annotate_usage"))
    store = open_store(ctx)
    with Observatory(store) as obs:
        new_id = obs.annotate(text, commune=commune, on=on, url=url, category=category, shared=shared)
        near = 0
        if not shared:
            try:
                day = obs.annotations().filter(pl.col("annotation_id") == new_id)["target_date"][0]
                sp = obs.spikes(commune)
                near = sp.filter(
                    (pl.col("start") <= day + timedelta(days=1)) & (pl.col("end") >= day - timedelta(days=1))
                ).height
            except BelvedereError:  # no audience yet: the note is kept all the same
                near = 0
    record = {"annotation_id": new_id, "attached_to_spike": bool(near) if not shared else None}
    if f is Format.json:
        emit_record(record, f)
        return
    console.print(M.t("annotated", id=new_id))
    if not shared and not near:
        err_console.print(M.t("annotation_no_spike"))


@app.command(help=M.t("cmd_typology"))
def typology(ctx: typer.Context, scope: ScopeOpt = "all", start: StartOpt = None, end: EndOpt = None,
             fmt: FormatOpt = "table") -> None:  # fmt: skip
    f = parse_format(fmt)
    with observatory(ctx) as obs:
        df = obs.typology(start, end, scope)
    if f is Format.table:
        counts = df.group_by("typology_label").len().sort("len", descending=True)
        console.print(", ".join(f"{r[0]} : {r[1]}" for r in counts.iter_rows()))
        df = df.select("code", "name", "population", "typology_label", "explanation")
    emit(df, f, title=M.t("typology_title"), labels=A_LABELS, simulated=obs.simulated)
