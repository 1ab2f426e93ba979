"""The commune report: what a town's team prints and brings to the council."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from belvedere import __version__, present
from belvedere import messages as M
from belvedere.api import Observatory
from belvedere.errors import BelvedereError
from belvedere.report import charts
from belvedere.report.recommendations import recommend
from belvedere.report.render import render_html

WIKI = "https://fr.wikipedia.org/wiki/"


def _period_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def coverage(dates: list[date], covered: list[bool]) -> list[dict[str, Any]]:
    """Months with missing days: [{month: 'mars 2024', missing: 31, days: 31}]."""
    out: dict[tuple[int, int], list[int]] = {}
    for d, ok in zip(dates, covered, strict=True):
        m = out.setdefault((d.year, d.month), [0, 0])
        m[1] += 1
        m[0] += 0 if ok else 1
    return [{"month": f"{charts.MONTHS[mo - 1]} {y}", "missing": miss, "days": n}
            for (y, mo), (miss, n) in out.items() if miss]  # fmt: skip


def commune_context(obs: Observatory, commune: str, start: str | date | None = None,
                    end: str | date | None = None) -> dict[str, Any]:  # fmt: skip
    """Everything the commune template shows, computed from the analysis API."""
    code = obs.code_of(commune)
    d_start, d_end = obs.period(start, end)
    info = obs.communes().filter(pl.col("code") == code).row(0, named=True)
    articles = obs.frame(
        "SELECT title, verified, source, redirect_of IS NOT NULL AS is_redirect FROM articles "
        "WHERE commune_code = ? ORDER BY is_redirect, title",
        [code],
    )
    ctx: dict[str, Any] = {
        "code": code,
        "info": info,
        "start": d_start,
        "end": d_end,
        "articles": [{**a, "url": WIKI + a["title"].replace(" ", "_")} for a in articles.to_dicts()],
        "simulated": obs.simulated,
        "version": __version__,
        "generated": date.today(),
        "sources": _sources(obs),
        "impacts": obs.commune_impacts(code),
    }
    try:
        card = obs.profile(code, d_start, d_end)
    except BelvedereError:
        card = None
    ctx["card"] = card
    ctx["national"] = obs.national_standing(code, d_start, d_end)
    ctx["facts"] = obs.article_facts(code)
    ctx["attention"] = present.attention_sources(obs.referrers(code))
    ctx["foreign_code"] = code
    try:
        ctx["abroad"] = present.foreign_view(obs.foreign(code, d_start, d_end), info["name"])
    except BelvedereError:  # no audience in the period
        ctx["abroad"] = None
    ctx["vie_locale"] = present.vie_locale(obs.attachment(code, d_start, d_end), info["name"], obs.surveys(code))
    ctx["causes"] = {}
    ctx["scorecard_name"] = info["name"]
    ctx["explained"] = None
    try:
        ctx["scorecard"] = present.scorecard_record(obs.scorecard(code, d_start, d_end))
        ctx["explained"] = present.explained_gap_words(obs.explanation(d_start, d_end), code, info["name"])
    except BelvedereError:  # no audience for this commune in the period: no scorecard either
        ctx["scorecard"] = None
    if card is None:  # no audience at all for this commune in the period: say so, show identity
        ctx.update(has_data=False, missing=[], recommendations=[], peers=[], spikes=[], charts={})
        return ctx
    panel = obs.commune_panel(code, d_start, d_end)
    i = panel.index(code)
    days = _period_days(panel.start, panel.end)
    cov = panel.covered[i].tolist()
    total = (panel.desktop[i].astype(np.int64) + panel.mobile_web[i] + panel.mobile_app[i]).tolist()
    values = [v if ok else None for v, ok in zip(total, cov, strict=True)]
    smooth = present.smooth_week(pl.Series(days, dtype=pl.Date), pl.Series(values, dtype=pl.Float64)).to_list()
    spikes = obs.spikes(code, panel.start, panel.end)
    spike_rows = []
    for s in spikes.iter_rows(named=True):
        notes = s["annotations"] or []
        spike_rows.append({**s, "note": " ; ".join(n["text"] for n in notes), "notes": notes})
    real = [s for s in spike_rows if not s["suspected_bot"]]
    monthly = _monthly(days, values, cov)
    peers = obs.peers(code, d_start, d_end)
    former = obs.former_communes(code).filter(pl.col("old_name").is_not_null())["old_name"].to_list()
    ctx.update(
        has_data=True,
        missing=coverage(days, cov),
        covered_days=int(sum(cov)),
        period_days=len(days),
        recommendations=present.advice_with_effects(
            recommend(
                {**card, "merged_count": info.get("merged_count")},
                peers=peers,
                spikes=spikes,
                former=former,
                facts=ctx["facts"],
                territory=obs.territory_facts(code),
            ),
            ctx["scorecard"],
            obs.explanation(d_start, d_end),
        ),
        causes={p.isoformat(): present.cause_words(c) for p, c in obs.spike_causes(code, d_start, d_end).items()},
        spikes=real,
        bot_spikes=[s for s in spike_rows if s["suspected_bot"]],
        peers=peers.to_dicts(),
        charts={
            "daily": charts.daily_chart(days, values, smooth, real, label=M.t("report_chart_daily")),
            "monthly": charts.bar_chart(
                [m["label"] for m in monthly], [m["views"] for m in monthly], label=M.t("report_chart_monthly")
            ),
            "access": charts.share_bar(
                [
                    (M.t("report_desktop"), 1.0 - (card["mobile_share"] or 0.0)),
                    (M.t("report_mobile"), card["mobile_share"] or 0.0),
                ]
            ),
        },
    )
    return ctx


def _monthly(days: list[date], values: list[int | None], cov: list[bool]) -> list[dict[str, Any]]:
    months: dict[tuple[int, int], list[Any]] = {}
    for d, v, ok in zip(days, values, cov, strict=True):
        m = months.setdefault((d.year, d.month), [0, 0, 0])
        m[0] += v or 0
        m[1] += 1 if ok else 0
        m[2] += 1
    out = []
    for (y, mo), (views, ok_days, n) in months.items():
        label = f"{charts.MONTHS[mo - 1]} {str(y)[2:]}"
        out.append({"label": label, "views": views if ok_days == n else None, "partial": 0 < ok_days < n})
    return out


def _sources(obs: Observatory) -> list[dict[str, Any]]:
    return obs.frame(
        "SELECT source, count(*) AS entries, min(start_date) AS first, max(end_date) AS last, "
        "max(fetched_at) AS fetched FROM ingest_log WHERE source NOT IN ('reference', 'pvd') GROUP BY source "
        "ORDER BY source"
    ).to_dicts()


def commune_report_html(obs: Observatory, commune: str, start: str | date | None = None,
                        end: str | date | None = None) -> str:  # fmt: skip
    return render_html("commune.html.j2", commune_context(obs, commune, start, end))
