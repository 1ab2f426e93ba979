"""The national study, in the shape of "Petits territoires, grande audience"."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from belvedere import __version__, present
from belvedere import messages as M
from belvedere.analysis.explain import Explanation, least_visible_ratio
from belvedere.api import Observatory
from belvedere.report import charts
from belvedere.report.commune import _sources
from belvedere.report.maps import departement_features
from belvedere.report.render import render_html

TOURIST = ("seasonal-coast", "seasonal-mountain")


def study_context(obs: Observatory, start: str | date | None = None, end: str | date | None = None,
                  scope: str = "pvd", top: int = 30) -> dict[str, Any]:  # fmt: skip
    d_start, d_end = obs.period(start, end)
    everyone = obs.typology_frame(d_start, d_end)
    df = obs.metrics(d_start, d_end, scope, typology=True).filter(pl.col("mean_daily_views").is_not_null())
    total = int(df["total_views"].sum())
    days = (d_end - d_start).days + 1
    ranked = df.sort("views_per_inhabitant", descending=True, nulls_last=True)
    top_rows = ranked.head(top)
    bottom_rows = ranked.filter(pl.col("views_per_inhabitant").is_not_null()).tail(top).reverse()

    def share(frame: pl.DataFrame, types: tuple[str, ...]) -> float:
        return float(frame.select(pl.col("typology").is_in(list(types)).mean()).item()) if frame.height else 0.0

    groups = obs.groups(d_start, d_end).with_columns(
        pl.col("group").replace_strict({"PVD": M.t("report_rank_pvd"), **M.SIZE_CLASS_LABELS}, default=None)
        .fill_null(pl.col("group")).alias("label")
    )  # fmt: skip
    by_dep = present.departement_rates(df)
    events = obs.events(d_start, d_end, scope).sort("excess_views", descending=True).head(10)
    missing_days = int((df["days"] < days).sum())
    scope_label = M.t("study_scope_pvd") if scope.strip().lower() == "pvd" else scope
    explanation = obs.explanation(d_start, d_end, scope)
    least = least_visible_ratio(obs.indicators(d_start, d_end, scope), "beds_per_1000")
    correlation_rows = [
        M.t("study_attachment_row", indicator=M.t(f"att_{c.indicator}"),
            rho=M.fr_number(c.rho, 2).replace("-", "\u2212"), n=M.fr_number(c.communes, 0))
        for c in obs.attachment_correlations(d_start, d_end, scope)
    ]  # fmt: skip
    abroad = obs.foreign_ranking(d_start, d_end, scope)
    return {
        "abroad": [{**r, "language": M.language_name(r["top_language"] or "")} for r in abroad.head(10).to_dicts()],
        "abroad_median": abroad["foreign_share"].median() if abroad.height else None,
        "abroad_communes": abroad.height,
        "explanation": _explanation(explanation, least, scope_label),
        "attachment": correlation_rows,
        "simulated": obs.simulated,
        "version": __version__,
        "generated": date.today(),
        "start": d_start,
        "end": d_end,
        "days": days,
        "scope": scope_label,
        "communes": df.height,
        "all_communes": everyone.height,
        "total_views": total,
        "mean_daily_total": total / days,
        "median_per_inhabitant": df["views_per_inhabitant"].median(),
        "top": top_rows.to_dicts(),
        "bottom": bottom_rows.to_dicts(),
        "tourist_share_top": share(top_rows, TOURIST),
        "event_share_top": share(top_rows, ("event-driven",)),
        "tourist_share_all": share(df, TOURIST),
        "event_share_all": share(df, ("event-driven",)),
        "groups": groups.to_dicts(),
        "events": events.to_dicts(),
        "incomplete": missing_days,
        "sources": _sources(obs),
        "charts": {
            "distribution": charts.rank_curve(df["mean_daily_views"].to_list(), label=M.t("study_chart_dist")),
            "groups": charts.bar_chart(
                groups["label"].to_list(),
                groups["median"].to_list(),
                height=200,
                label=M.t("study_chart_groups"),
            ),
            "map": charts.choropleth(
                departement_features(obs.communes()),
                dict(zip(by_dep["departement"], by_dep["per_inhabitant"], strict=True)),
                label=M.t("study_chart_map"),
                unit=M.t("map_legend_unit"),
            ),
        },
    }


def _explanation(e: Explanation | None, least: tuple[float, int] | None, scope: str) -> dict[str, Any] | None:
    """The national model as the study shows it: its factors in words, its fit, the least visible."""
    if e is None:
        return None
    ratio = M.t("explain_least", n=least[1], ratio=M.fr_number(least[0], 1), scope=scope) if least else None
    return {"rows": present.explanation_rows(e), "n": e.n, "r2": e.r2, "least": ratio,
            "left_out": [M.t(f"explain_{k}") for k in e.left_out]}  # fmt: skip


def study_html(obs: Observatory, start: str | date | None = None, end: str | date | None = None,
               scope: str = "pvd") -> str:  # fmt: skip
    return render_html("study.html.j2", study_context(obs, start, end, scope))
