"""Server-rendered pages in French: Accueil, Commune, Classement (with exports).

They reuse the analysis API and the report pieces (charts, recommendations, texts); the
time series is drawn by the bundled uPlot (zoom by dragging, values on hover).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from belvedere import messages as M
from belvedere import present
from belvedere.api import RANK_METRICS
from belvedere.errors import NoAudienceError
from belvedere.reference.lookup import area_code
from belvedere.reference.names import fold
from belvedere.report import charts
from belvedere.report.maps import departement_features
from belvedere.report.recommendations import recommend
from belvedere.report.render import environment
from belvedere.web.analyses import PEERS, Analysis, AnalysisBusyError
from belvedere.web.api import MAX_LIMIT, IsoDate, State, _call, _call_quick, period_ready, state

pages = APIRouter(include_in_schema=False)  # HTML pages: the OpenAPI document describes the JSON API
PAGE = 50


ENV = environment("belvedere.web", "belvedere.report")


# the navigation entry of each page (marked aria-current)
CURRENT = {"home.html.j2": "/", "ranking.html.j2": "/classement", "compare.html.j2": "/comparer",
           "events.html.j2": "/evenements", "etude.html.j2": "/etude"}  # fmt: skip


def render_html(st: State, template: str, **ctx: object) -> str:
    return ENV.get_template(template).render({"simulated": st.obs.simulated, "current": CURRENT.get(template), **ctx})


def render(st: State, template: str, **ctx: object) -> HTMLResponse:
    return HTMLResponse(render_html(st, template, **ctx))


def render_status(st: State, status: int, template: str, **ctx: object) -> HTMLResponse:
    return HTMLResponse(render_html(st, template, **ctx), status_code=status)


StartQ = Annotated[IsoDate | None, Query()]
EndQ = Annotated[IsoDate | None, Query()]


async def _new_period(request: Request, st: State, start: date | None, end: date | None) -> HTMLResponse | None:
    """The page that says the figures are being computed, when a page asks for a period whose
    national figures were never computed and they take longer than ``st.compute_wait``; None when
    the page can be built (the default period is computed when the server warms up)."""
    if (start or end) and not await period_ready(st, start, end):
        return _computing(st, request, start, end)
    return None


@pages.get("/", response_class=HTMLResponse)
async def home(request: Request, st: Annotated[State, Depends(state)], start: StartQ = None,
               end: EndQ = None) -> HTMLResponse:  # fmt: skip
    if waiting := await _new_period(request, st, start, end):
        return waiting
    return await run_in_threadpool(_home, st, start, end)


def _home(st: State, start: date | None, end: date | None) -> HTMLResponse:
    def run() -> dict[str, Any]:
        d_start, d_end = st.obs.period(start, end)
        metrics = st.obs.metrics(d_start, d_end)
        by_dep = present.departement_rates(metrics)
        top = st.obs.ranking(d_start, d_end, present.default_scope(metrics), limit=10)
        # the PVD whose audience grew most over a year: where something happened worth a look
        rising = st.obs.ranking(d_start, d_end, present.default_scope(metrics), metric="yoy_change", limit=5)
        return {
            "start": d_start,
            "end": d_end,
            "map": charts.choropleth(
                departement_features(st.obs.communes()),
                dict(zip(by_dep["departement"], by_dep["per_inhabitant"], strict=True)),
                label=M.t("study_chart_map"),
                unit=M.t("map_legend_unit"),
                link=lambda dep: f"/classement?scope=all&departement={dep}&start={d_start}&end={d_end}",
            ),
            "top": top.to_dicts(),
            "map_rows": by_dep.join(
                st.obs.communes().select("departement", "departement_name").unique(), on="departement", how="left"
            )
            .sort("departement")
            .to_dicts(),
            "period": present.period_words(d_start, d_end),
            "rising": rising.to_dicts(),
        }

    def first_look() -> dict[str, Any] | None:
        try:
            st.obs.period()
        except NoAudienceError:
            return None
        return run()

    found = _call(st, first_look)
    if found is None:  # a store without any audience yet (a town's fresh store): how to get some
        return render(st, "home_empty.html.j2", can_fetch=st.analyses is not None)
    return render(st, "home.html.j2", **found)


@pages.get("/recherche", response_class=HTMLResponse, response_model=None)
def search_page(st: Annotated[State, Depends(state)],
                q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse | RedirectResponse:  # fmt: skip
    """What Enter in the search box leads to: the commune itself when what was typed names one
    (a code, or a name only one commune has), else the communes found, or the closest names."""
    typed = q.strip()
    if not typed:
        return render(st, "search.html.j2", q="", rows=[], how="none")
    rows, how = _call(st, st.obs.find, typed, PAGE)
    exact = rows.filter(pl.col("name").map_elements(fold, return_dtype=pl.String) == fold(typed))
    if (how in ("code", "name") and rows.height == 1) or (how == "name" and exact.height == 1):
        code = rows["code"][0] if rows.height == 1 else exact["code"][0]
        return RedirectResponse(f"/commune/{code}", status_code=303)
    return render(st, "search.html.j2", q=typed, rows=rows.to_dicts(), how=how)


@pages.get("/commune/{code}", response_class=HTMLResponse)
async def commune_page(request: Request, code: str, st: Annotated[State, Depends(state)], start: StartQ = None,
                       end: EndQ = None) -> HTMLResponse:  # fmt: skip
    def run() -> dict[str, Any]:
        card, spikes, peers, series = st.obs.commune_view(code, start, end)
        smooth = present.smooth_week(series["date"], series["views"]).round(1)
        impacts = st.obs.commune_impacts(card["code"])
        notes = [(n["date"], n["text"]) for s in spikes.iter_rows(named=True) for n in _notes(s)]
        chart = {
            "t": _epochs(series["date"]),
            "views": series["views"].to_list(),
            "desktop": series["desktop"].to_list(),
            "mobile": series["mobile"].to_list(),
            "smooth": smooth.to_list(),
            "spikes": [
                {"t": _epoch(s["peak"]), "v": s["peak_views"], "start": str(s["start"]), "end": str(s["end"]),
                 "notes": [n["text"] for n in (s["annotations"] or [])]}
                for s in spikes.filter(~pl.col("suspected_bot")).iter_rows(named=True)
            ],
            "campaigns": [
                {"start": _epoch(c["campaign"]["start_date"]), "end": _epoch(c["campaign"]["end_date"]),
                 "name": c["campaign"]["name"]}
                for c in impacts
            ],
            "notes": [{"t": _epoch(d), "text": text} for d, text in notes],
        }  # fmt: skip
        articles = st.obs.articles(card["code"], card["start"], card["end"])
        views_of = {a["title"].replace("_", " "): a["views"] for a in articles.to_dicts()}
        former = [{**f, "views": views_of.get(f["old_name"])} for f in
                  st.obs.former_communes(card["code"]).filter(pl.col("old_name").is_not_null()).to_dicts()]  # fmt: skip
        facts = st.obs.article_facts(card["code"])
        scorecard = present.scorecard_record(st.obs.scorecard(card["code"], card["start"], card["end"]))
        advice = recommend(
            card,
            peers=peers,
            spikes=spikes,
            former=[f["old_name"] for f in former],
            facts=facts,
            territory=st.obs.territory_facts(card["code"]),
        )
        return {"card": card, "chart": script_json(chart), "spikes": spikes.to_dicts(), "peers": peers.to_dicts(),
                "recommendations": present.advice_with_effects(advice, scorecard,
                                                               st.obs.explanation(card["start"], card["end"])),
                "facts": facts, "scorecard_name": card["name"], "scorecard": scorecard,
                "attention": present.attention_sources(st.obs.referrers(card["code"])),
                "abroad": present.foreign_view(st.obs.foreign(card["code"], card["start"], card["end"]), card["name"]),
                "foreign_code": card["code"],
                "vie_locale": present.vie_locale(st.obs.attachment(card["code"], card["start"], card["end"]),
                                                 card["name"], st.obs.surveys(card["code"])),
                "causes": _causes(st.obs.spike_causes(card["code"], card["start"], card["end"])),
                "writable": st.write_token is not None,
                "explained": present.explained_gap_words(st.obs.explanation(card["start"], card["end"]), card["code"],
                                                         card["name"]),
                "impacts": impacts, "articles": articles.to_dicts(),
                "former": former, "period": present.period_words(card["start"], card["end"]),
                "months": present.monthly_rows(series),
                "medians": st.obs.medians_around(card["code"], card["start"], card["end"]),
                "national": st.obs.national_standing(card["code"], card["start"], card["end"])}  # fmt: skip

    def build() -> str | dict[str, Any]:
        try:
            return render_html(st, "commune.html.j2", **run())
        except NoAudienceError:  # nothing fetched for it yet: what to do about it, not an error
            the_code = st.obs.code_of(code)
            return st.obs.communes().filter(pl.col("code") == the_code).row(0, named=True)

    key = st.page_key("commune", code.strip().upper(), start, end)
    page = st.page(key)
    # a period asked for (the default one is computed when the server warms up): while its national
    # figures are computed, a page that says so rather than a long silence
    if page is None and (waiting := await _new_period(request, st, start, end)):
        return waiting
    if page is None:  # rendered inline when the period's figures are ready (a few ms), else in a thread
        built = await _call_quick(st, st.obs.ready(start, end), build)
        if isinstance(built, dict):
            return _empty_commune(st, built)
        page = st.keep(key, built)
    return HTMLResponse(page)


def _computing(st: State, request: Request, start: date | None, end: date | None) -> HTMLResponse:
    """The page that says a period's national figures are being computed (202: asked, not ready),
    and comes back to the page asked for (its address and query) when they are."""
    d_start, d_end = st.obs.period(start, end)
    query = urlencode({k: v.isoformat() for k, v in (("start", start), ("end", end)) if v is not None})
    asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return render_status(st, 202, "computing.html.j2", period=present.period_words(d_start, d_end), query=query,
                         next=asked)  # fmt: skip


def _causes(found: dict[date, Any]) -> dict[str, dict[str, str | None]]:
    """Each spike's probable cause in words, and what to keep as its annotation, by peak (ISO)."""
    return {p.isoformat(): {"words": present.cause_words(c), "annotation": present.cause_annotation(c)}
            for p, c in found.items()}  # fmt: skip


def _empty_commune(st: State, commune: dict[str, Any]) -> HTMLResponse:
    """A commune the store holds no audience for: why, and how to get it: « Analyser cette
    commune » when the server may fetch, else the command to run. Not kept in the page cache: it
    changes with the analyses."""
    job = st.analyses.get(commune["code"]) if st.analyses else None
    failed = job.error() or M.t("ui_analysis_failed_unknown") if job and job.returncode() not in (None, 0) else None
    return render(st, "commune_empty.html.j2", commune=commune, can_fetch=st.analyses is not None,
                  running=job is not None and job.returncode() is None, failed=failed,
                  peers=st.analyses.peers if st.analyses else PEERS, simulated_store=st.obs.simulated)  # fmt: skip


@pages.post("/commune/{code}/analyser", response_class=HTMLResponse, response_model=None)
def start_analysis(code: str, st: Annotated[State, Depends(state)]) -> HTMLResponse | RedirectResponse:
    """« Analyser cette commune »: starts its diagnosis (see belvedere.web.analyses), then shows
    its progress. Refused unless the server was started with --fetch."""
    if st.analyses is None:
        raise HTTPException(403, M.t("web_fetch_not_allowed"))
    the_code = _call(st, st.obs.code_of, code)
    name = _call(st, lambda: st.obs.communes().filter(pl.col("code") == the_code)["name"][0])
    try:
        st.analyses.start(the_code, name)
    except AnalysisBusyError as exc:
        return render_status(st, 409, "analysis_busy.html.j2", other=exc.other)
    return RedirectResponse(f"/commune/{the_code}/analyse", status_code=303)


@pages.get("/commune/{code}/analyse", response_class=HTMLResponse, response_model=None)
def analysis_page(code: str, st: Annotated[State, Depends(state)]) -> HTMLResponse | RedirectResponse:
    """Where the analysis of a commune stands (the page polls its state, or reloads itself without
    JavaScript); the commune page once the server holds its audience, or shows why it failed."""
    job = st.analyses.get(code.strip()) if st.analyses else None
    if job is None:
        return RedirectResponse(f"/commune/{code.strip()}", status_code=303)
    now = analysis_state(st, job)
    if now["state"] in ("ready", "failed"):
        return RedirectResponse(f"/commune/{job.code}", status_code=303)
    return render(
        st, "analyse.html.j2", job=job, now=now, steps=ANALYSIS_STEPS, peers=st.analyses.peers if st.analyses else PEERS
    )


@pages.get("/commune/{code}/analyse/etat")
def analysis_state_json(code: str, st: Annotated[State, Depends(state)]) -> dict[str, Any]:
    """The analysis' state for the progress page's script."""
    job = st.analyses.get(code.strip()) if st.analyses else None
    if job is None:
        raise HTTPException(404, M.t("web_no_analysis", code=code))
    return analysis_state(st, job)


ANALYSIS_STEPS = ("articles", "audience", "figures", "loading")


def analysis_state(st: State, job: Analysis) -> dict[str, Any]:
    """``state`` (running, loading, ready, failed), the ``step`` among ANALYSIS_STEPS, its count
    and the sentence that says it. ``ready`` only once the server has taken the new audience in,
    so that the commune page it leads to shows it."""
    rc = job.returncode()
    if rc is None:
        told = job.where()
        step = told["step"] if told["step"] in ANALYSIS_STEPS else "articles"
        done, total = told.get("done"), told.get("total")
        count = M.t("ui_analysis_count", done=int(done or 0), total=int(total)) if step == "audience" and total else ""
        return {"state": "running", "step": step, "done": done, "total": total,
                "words": M.t(f"ui_analysis_step_{step}"), "count": count}  # fmt: skip
    if rc != 0:
        return {"state": "failed", "step": None, "words": M.t("ui_analysis_failed", message=job.error()), "count": ""}
    if st.up_to_date():
        return {"state": "ready", "step": None, "words": M.t("ui_analysis_ready"), "count": ""}
    return {"state": "loading", "step": "loading", "done": None, "total": None,
            "words": M.t("ui_analysis_step_loading"), "count": ""}  # fmt: skip


def _notes(spike: dict[str, Any]) -> list[dict[str, Any]]:
    """A spike's annotations with the day they are drawn at (the peak)."""
    return [{"date": spike["peak"], "text": n["text"]} for n in (spike["annotations"] or [])]


SERIES_EXPORTS = {"csv": "text/csv; charset=utf-8", "tableur.csv": "text/csv; charset=utf-8",
                  "json": "application/json"}  # fmt: skip


@pages.get("/commune/{code}/serie.{fmt}")
def commune_series_export(code: str, fmt: str, st: Annotated[State, Depends(state)], start: StartQ = None,
                          end: EndQ = None) -> Response:  # fmt: skip
    """The commune's daily audience of the period (what its chart draws): CSV, French spreadsheet
    CSV or JSON, with the period and the simulated mark."""
    if fmt not in SERIES_EXPORTS:
        raise HTTPException(404, M.t("web_bad_export", fmt=fmt))

    def run() -> tuple[str, pl.DataFrame]:
        the_code = st.obs.code_of(code)
        return the_code, st.obs.series(the_code, start, end)

    the_code, series = _call(st, run)
    df = series.with_columns(pl.lit(the_code).alias("code"))
    if st.obs.simulated:
        df = df.with_columns(pl.lit(True).alias("simulated"))
    if fmt == "csv":
        data = df.write_csv().encode()
    elif fmt == "tableur.csv":
        data = present.spreadsheet_csv(df)
    else:
        data = orjson.dumps(df.to_dicts())
    days = [d for d in (series["date"].min(), series["date"].max()) if isinstance(d, date)]
    span = "".join(f"-{d.isoformat()}" for d in days)
    name = f"audience-{the_code}{span}.{'csv' if fmt.endswith('csv') else fmt}"
    return Response(data, media_type=SERIES_EXPORTS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


def _epoch(d: date) -> int:
    return (d - date(1970, 1, 1)).days * 86400


def _epochs(dates: pl.Series) -> list[int]:
    """Dates as Unix seconds (what uPlot reads), for a whole column at once."""
    return (dates.cast(pl.Int64) * 86400).to_list()


def script_json(data: object) -> str:
    """JSON to put inside a <script> element: "<", ">" and "&" escaped, so that no text of a user
    (an annotation, a name) can close the element."""
    text = orjson.dumps(data).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


PAGE_METRICS = (*RANK_METRICS, "population")  # what the Classement sorts by


class RankingQuery:
    """The filters of the Classement page, shared by the page and its exports. Département, région
    and EPCI are given by code or by name ("61", "Orne")."""

    def __init__(
        self,
        scope: Annotated[str, Query(pattern="^(pvd|all)$")] = "pvd",
        metric: Annotated[str, Query(max_length=50)] = "views_per_inhabitant",
        order: Annotated[str, Query(pattern="^(desc|asc)$")] = "desc",
        region: Annotated[str | None, Query(max_length=100)] = None,
        departement: Annotated[str | None, Query(max_length=100)] = None,
        epci: Annotated[str | None, Query(max_length=150)] = None,
        size_class: Annotated[str | None, Query(max_length=10)] = None,
        typology: Annotated[str | None, Query(max_length=30)] = None,
        start: StartQ = None,
        end: EndQ = None,
        page: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1,
    ) -> None:
        if metric not in PAGE_METRICS:
            raise HTTPException(422, M.t("bad_metric", metric=metric, choices=", ".join(PAGE_METRICS)))
        self.scope, self.metric, self.order, self.start, self.end = scope, metric, order, start, end
        self.page = page
        self.filters = {"region": region or "", "departement": departement or "", "epci": epci or "",
                        "size_class": size_class or "", "typology": typology or ""}  # fmt: skip
        self.period: tuple[date, date] | None = None

    def frame(self, st: State) -> pl.DataFrame:
        """All rows matching the filters, ranked on the metric (the page shows one slice of it)."""

        def run() -> pl.DataFrame:
            self.period = st.obs.period(self.start, self.end)
            df = st.obs.metrics(*self.period, self.scope, typology=True)
            if self.metric.startswith("score_"):  # a scorecard dimension
                df = df.join(st.obs.dimension_scores(*self.period), on="code", how="left")
            communes = st.obs.communes()
            for kind in ("region", "departement", "epci"):
                if self.filters[kind].strip():
                    code = area_code(communes, kind, self.filters[kind])
                    if kind == "epci":
                        members = communes.filter(pl.col("epci") == code)["code"]
                        df = df.filter(pl.col("code").is_in(members.implode()))
                    else:
                        df = df.filter(pl.col(kind) == code)
            for col in ("size_class", "typology"):
                if self.filters[col]:
                    df = df.filter(pl.col(col) == self.filters[col])
            m = self.metric
            df = df.filter(pl.col(m).is_not_null()).sort([m, "code"], descending=[self.order == "desc", False])
            shown = ["rank", "code", "name", "departement", "region", "population", "size_class", "is_pvd",
                     "typology_label", "total_views", "mean_daily_views", "views_per_inhabitant",
                     "visibility_surplus"]  # fmt: skip
            return df.with_columns(pl.int_range(1, df.height + 1).alias("rank")).select(
                *shown, *([m] if m not in shown else [])
            )

        return _call(st, run)

    def pages(self, df: pl.DataFrame) -> int:
        return max(1, -(-df.height // PAGE))

    def page_rows(self, df: pl.DataFrame) -> pl.DataFrame:
        """The rows of the page asked; past the last page, the last page."""
        return df.slice((min(self.page, self.pages(df)) - 1) * PAGE, PAGE)


def _query(request: Request, **changes: object) -> str:
    """The page's query string with some parameters changed (None: removed)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return urlencode(params)


# the columns a click on their header sorts by
SORTABLE = ("population", "views_per_inhabitant", "visibility_surplus", "total_views", "mean_daily_views")


@pages.get("/classement", response_class=HTMLResponse)
async def ranking_page(request: Request, st: Annotated[State, Depends(state)],
                       q: Annotated[RankingQuery, Depends()]) -> HTMLResponse:  # fmt: skip
    if waiting := await _new_period(request, st, q.start, q.end):
        return waiting
    return await run_in_threadpool(_ranking_page, request, st, q)


def _ranking_page(request: Request, st: State, q: RankingQuery) -> HTMLResponse:
    df = q.frame(st)
    assert q.period is not None
    pages_n = q.pages(df)
    page = min(q.page, pages_n)
    first, last = _call(st, st.obs.period)
    sort_links = {}
    for col in (*SORTABLE, q.metric):
        order = "asc" if col == q.metric and q.order == "desc" else "desc"
        sort_links[col] = "?" + _query(request, metric=col, order=order, page=None)
    return render(
        st,
        "ranking.html.j2",
        rows=q.page_rows(df).to_dicts(),
        total=df.height,
        page=page,
        pages=pages_n,
        page_link=lambda n: "?" + _query(request, page=n),
        metric=q.metric,
        order=q.order,
        metrics=RANK_METRICS,
        metric_keys={**M.METRIC_LABEL_KEYS, "population": "lbl_population"},
        scope=q.scope,
        **q.filters,
        query=_query(request, page=page),
        sort_links=sort_links,
        period=present.period_words(*q.period),
        start=q.period[0],
        end=q.period[1],
        presets=[
            (label, s, e, "?" + _query(request, start=s, end=e, page=None))
            for label, s, e in present.period_presets(first, last)
        ],
        sizes=list(M.SIZE_CLASS_LABELS),
        types=["seasonal-coast", "seasonal-mountain", "event-driven", "steady-famous", "low-visibility", "ordinary"],
    )


EXPORTS = {"csv": "text/csv; charset=utf-8", "tableur.csv": "text/csv; charset=utf-8",
           "parquet": "application/vnd.apache.parquet", "json": "application/json"}  # fmt: skip


@pages.get("/classement.{fmt}")
def ranking_export(fmt: str, st: Annotated[State, Depends(state)],
                   q: Annotated[RankingQuery, Depends()]) -> Response:  # fmt: skip
    """Exactly the rows the page shows (same filters, same page) with their period: standard CSV,
    a CSV French spreadsheets open as is (tableur.csv), Parquet or JSON."""
    if fmt not in EXPORTS:
        raise HTTPException(404, M.t("web_bad_export", fmt=fmt))
    df = q.page_rows(q.frame(st))
    assert q.period is not None
    df = df.with_columns(pl.lit(q.period[0]).alias("period_start"), pl.lit(q.period[1]).alias("period_end"))
    if st.obs.simulated:
        df = df.with_columns(pl.lit(True).alias("simulated"))
    name = f"classement-{q.period[0]}-{q.period[1]}"
    if fmt == "csv":
        data = df.write_csv().encode()
    elif fmt == "tableur.csv":
        data = present.spreadsheet_csv(df)
    elif fmt == "json":
        data = orjson.dumps(df.to_dicts(), option=orjson.OPT_SERIALIZE_NUMPY)
    else:
        buf = io.BytesIO()
        df.write_parquet(buf)
        data = buf.getvalue()
    suffix = "csv" if fmt.endswith("csv") else fmt
    return Response(data, media_type=EXPORTS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{suffix}"'})  # fmt: skip


@pages.get("/commune/{code}/rapport.{fmt}")
def commune_report(code: str, fmt: str, st: Annotated[State, Depends(state)], start: StartQ = None,
                   end: EndQ = None) -> Response:  # fmt: skip
    """The commune report of issue #5, as HTML or PDF, for the page's period."""
    import tempfile
    from pathlib import Path

    from belvedere.report.commune import commune_report_html
    from belvedere.report.render import html_to_pdf

    if fmt not in ("html", "pdf"):
        raise HTTPException(404, M.t("web_bad_report_format", fmt=fmt))
    html = _call(st, commune_report_html, st.obs, code, start, end)
    if fmt == "html":
        return HTMLResponse(html)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rapport.pdf"
        _call(st, html_to_pdf, html, out, code)
        data = out.read_bytes()
    name = _call(st, st.obs.code_of, code)  # the INSEE code, never what was typed (a header is one line)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="rapport-{name}.pdf"'})  # fmt: skip


MAX_COMPARE = 10


@pages.get("/comparer", response_class=HTMLResponse)
async def compare_page(
    request: Request,
    st: Annotated[State, Depends(state)],
    c: Annotated[str, Query(max_length=400, description="codes séparés par des virgules")] = "",
    mode: Annotated[str, Query(pattern="^(raw|inhab|index)$")] = "raw",
    start: StartQ = None,
    end: EndQ = None,
) -> HTMLResponse:
    """Up to 10 communes on one chart: raw views, per 1,000 inhabitants, or indexed to 100 (mean of
    the first 28 days). The state lives in the URL, so the page is its own permalink."""
    if waiting := await _new_period(request, st, start, end):
        return waiting
    return await run_in_threadpool(_compare_page, st, c, mode, start, end)


def _compare_page(st: State, c: str, mode: str, start: date | None, end: date | None) -> HTMLResponse:
    typed = [x.strip() for x in c.split(",") if x.strip()]

    def run() -> dict[str, Any]:
        d_start, d_end = st.obs.period(start, end)
        first, last = st.obs.period()
        codes = list(dict.fromkeys(st.obs.code_of(x) for x in typed))[:MAX_COMPARE]  # a town named twice: once
        cards, series = [], []
        for code in codes:
            card = st.obs.profile(code, d_start, d_end)
            s = st.obs.series(card["code"], d_start, d_end)  # this commune's days alone, not every commune's
            s = s.with_columns(present.smooth_week(s["date"], s["views"]))
            values = s["smooth"]
            if mode == "inhab":
                values = values / max(card["population"] or 1, 1) * 1000
            elif mode == "index":
                base = s["smooth"].head(28).mean() or 1.0
                values = values / base * 100
            cards.append(card)
            series.append({"label": card["name"], "t": _epochs(s["date"]), "v": values.round(2).to_list()})
        query = {"c": ",".join(codes), "mode": mode}
        return {"cards": cards, "chart": script_json(series), "codes": ",".join(codes), "start": d_start,
                "end": d_end, "period": present.period_words(d_start, d_end),
                "presets": [(label, ps, pe, "?" + urlencode({**query, "start": ps, "end": pe}))
                            for label, ps, pe in present.period_presets(first, last)]}  # fmt: skip

    data = _call(st, run)
    unit = M.t({"raw": "ui_compare_unit_raw", "inhab": "ui_compare_unit_inhab", "index": "ui_compare_unit_index"}[mode])
    return render(st, "compare.html.j2", mode=mode, unit=unit, **data)


@pages.get("/evenements", response_class=HTMLResponse)
async def events_page(request: Request, st: Annotated[State, Depends(state)],
                      scope: Annotated[str, Query(max_length=2000)] = "all", start: StartQ = None, end: EndQ = None,
                      commune: Annotated[str, Query(max_length=10)] = "",
                      date: Annotated[str, Query(max_length=10)] = "",
                      texte: Annotated[str, Query(max_length=500)] = "") -> HTMLResponse:  # fmt: skip
    """Shared events and the largest spikes, and the annotation form (pre-filled from the commune
    page when the team keeps a spike's probable cause)."""
    prefill = {"commune": commune, "date": date, "text": texte}
    if waiting := await _new_period(request, st, start, end):
        return waiting
    return await run_in_threadpool(_events_page, st, scope, start, end, prefill)


def _events_page(st: State, scope: str, start: date | None, end: date | None, prefill: dict[str, str]) -> HTMLResponse:
    def run() -> dict[str, Any]:
        events = st.obs.events(start, end, scope).sort("start", descending=True)
        spikes = st.obs.spikes(None, start, end, scope, include_bots=False)
        top = spikes.sort("excess_views", descending=True).head(50)
        return {"events": events.to_dicts(), "spikes": top.to_dicts()}

    return render(st, "events.html.j2", scope=scope, writable=st.write_token is not None, prefill=prefill,
                  **_call(st, run))  # fmt: skip


@pages.get("/etude", response_class=HTMLResponse)
async def study_page(request: Request, st: Annotated[State, Depends(state)],
                     scope: Annotated[str, Query(max_length=2000)] = "pvd", start: StartQ = None,
                     end: EndQ = None) -> HTMLResponse:  # fmt: skip
    """The national study of issue #5 for the chosen period and scope, inside the site."""
    if waiting := await _new_period(request, st, start, end):
        return waiting
    return await run_in_threadpool(_study_page, st, scope, start, end)


def _study_page(st: State, scope: str, start: date | None, end: date | None) -> HTMLResponse:
    from belvedere.report.study import study_context

    ctx = _call(st, study_context, st.obs, start, end, scope)
    return render(st, "etude.html.j2", **{**ctx, "scope_spec": scope})


@pages.get("/etude/rapport.html", response_class=HTMLResponse)
def study_report(st: Annotated[State, Depends(state)], scope: Annotated[str, Query(max_length=2000)] = "pvd",
                 start: StartQ = None, end: EndQ = None) -> HTMLResponse:  # fmt: skip
    """The same study as a self-contained printable document (the report of `belvedere report study`)."""
    from belvedere.report.study import study_html

    return HTMLResponse(_call(st, study_html, st.obs, start, end, scope))
