"""One presentation layer for the web pages and the reports: a figure shown in both is computed and
worded here once (the smoothed series, the map by département, the default scope), so that the page
and the printed report of a commune never disagree. Number and date wording is in
:mod:`belvedere.messages` (``fr_number``, ``fr_percent``, ``fr_date``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl

from belvedere import messages as M
from belvedere.analysis.typology import ON_SITE_LIFT
from belvedere.dates import month_end

SMOOTH_DAYS = 7  # the smoothed curve: a centred week
SMOOTH_MIN_DAYS = 4  # fewer known days in the week: no smoothed value


def smooth_week(dates: pl.Series, views: pl.Series) -> pl.Series:
    """The centred 7-day mean of a daily series, over calendar days (a day without data is a gap,
    not a zero; a week with fewer than 4 known days has no value), one value per row given."""
    given = pl.DataFrame({"date": dates.cast(pl.Date), "v": views.cast(pl.Float64)})
    if given.is_empty():
        return pl.Series("smooth", [], dtype=pl.Float64)
    first, last = given["date"].min(), given["date"].max()
    assert isinstance(first, date) and isinstance(last, date)
    days = pl.DataFrame({"date": pl.date_range(first, last, eager=True)})
    dense = days.join(given.filter(pl.col("v").is_not_null()), on="date", how="left").with_columns(
        pl.col("v").rolling_mean(SMOOTH_DAYS, center=True, min_samples=SMOOTH_MIN_DAYS)
    )
    return given.select("date").join(dense, on="date", how="left", maintain_order="left")["v"].alias("smooth")


def departement_rates(metrics: pl.DataFrame) -> pl.DataFrame:
    """Views per inhabitant by département over the period (what the national maps colour):
    departement, total_views, population, communes, per_inhabitant."""
    return (
        metrics.group_by("departement")
        .agg(pl.col("total_views").sum(), pl.col("population").sum(), pl.len().alias("communes"))
        .with_columns((pl.col("total_views") / pl.col("population")).alias("per_inhabitant"))
        .sort("departement")
    )


def period_presets(first: date, last: date) -> list[tuple[str, date, date]]:
    """The periods offered in one click (the standard periods, whose figures are kept): label,
    start, end; the whole audience first."""
    from belvedere.figures import standard_periods

    out = []
    for start, end in standard_periods(first, last):
        if (start, end) == (first, last):
            label = M.t("period_all")
        elif start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            label = M.t("period_year", year=start.year)
        elif (end - start).days < 400:
            label = M.t("period_12_months")
        else:
            label = M.t("period_3_years")
        out.append((label, start, end))
    return out


def period_words(start: date, end: date) -> str:
    """ "sur 3 ans (du 30 nov. 2023 au 29 nov. 2026)": what every figure of a period says it covers."""
    days = (end - start).days + 1
    if days >= 360 and abs(days / 365.25 - round(days / 365.25)) < 0.03:
        years = round(days / 365.25)
        span = M.t("span_years", n=years) if years > 1 else M.t("span_year")
    elif days >= 28:
        span = M.t("span_months", n=round(days / 30.44))
    else:
        span = M.t("span_days", n=days)
    return M.t("period_words", span=span, start=M.fr_date(start), end=M.fr_date(end))


def default_scope(metrics: pl.DataFrame) -> str:
    """The towns a national view starts with: the PVD when the store has some with audience, else all."""
    return "pvd" if metrics["is_pvd"].any() else "all"


# French names of the columns the CLI tables, the pages and the spreadsheet exports show
COLUMN_LABELS: dict[str, str] = {
    "code": M.t("lbl_code"),
    "name": M.t("lbl_name"),
    "departement": M.t("lbl_dep"),
    "region_name": M.t("lbl_region"),
    "population": M.t("lbl_population"),
    "size_class": M.t("lbl_size_class"),
    "is_pvd": M.t("lbl_pvd"),
    "is_commune_nouvelle": M.t("lbl_cn"),
    "views": M.t("lbl_views"),
    "views_per_inhabitant": M.t("lbl_views_per_inh"),
    "mean_daily_views": M.t("lbl_views_per_day"),
    "merged_count": M.t("lbl_merged"),
    "epci_name": M.t("lbl_epci"),
    "zone": M.t("lbl_zone"),
    "departement_name": M.t("lbl_dep_name"),
    "region": M.t("lbl_region_code"),
    "epci": M.t("lbl_epci_code"),
    "lat": M.t("lbl_lat"),
    "lon": M.t("lbl_lon"),
    "point_source": M.t("lbl_point_source"),
    "history": M.t("lbl_history"),
    "mapped_from": M.t("lbl_mapped_from"),
    "source_code": M.t("lbl_source_code"),
    "mapped_by": M.t("lbl_mapped_by"),
    "pvd_source": M.t("lbl_pvd_source"),
    "first_date": M.t("lbl_first_date"),
    "last_date": M.t("lbl_last_date"),
    "path": M.t("lbl_path"),
    "rank": M.t("lbl_rank"),
    "rank_france": M.t("lbl_rank_france"),
    "total_views": M.t("lbl_views"),
    "visibility_surplus": M.t("lbl_surplus"),
    "views_per_1000_inh_year": M.t("lbl_per_1000"),
    "mobile_share": M.t("lbl_mobile_share"),
    "summer_share": M.t("lbl_summer_share"),
    "winter_share": M.t("lbl_winter_share"),
    "summer_index": M.t("lbl_summer_index"),
    "winter_index": M.t("lbl_winter_index"),
    "yoy_change": M.t("lbl_yoy"),
    "score_notoriete": M.t("lbl_score_notoriete"),
    "score_contenus": M.t("lbl_score_contenus"),
    "score_accessibilite": M.t("lbl_score_accessibilite"),
    "score_animation": M.t("lbl_score_animation"),
    "score_attractivite": M.t("lbl_score_attractivite"),
    "typology": M.t("lbl_typology_code"),
    "typology_label": M.t("lbl_typology"),
    "typology_explanation": M.t("lbl_explanation"),
    "explanation": M.t("lbl_explanation"),
    "start": M.t("lbl_start"),
    "peak": M.t("lbl_peak"),
    "end": M.t("lbl_end"),
    "peak_views": M.t("lbl_peak_views"),
    "baseline_views": M.t("lbl_baseline_views"),
    "peak_ratio": M.t("lbl_peak_ratio"),
    "excess_views": M.t("lbl_excess"),
    "suspected_bot": M.t("lbl_bot"),
    "annotations": M.t("lbl_annotations"),
    "communes": M.t("lbl_communes"),
    "names": M.t("lbl_names"),
    "origin": M.t("lbl_event_origin"),
    "background": M.t("lbl_background"),
    "rank_in_group": M.t("lbl_rank_in_group"),
    "is_target": M.t("lbl_is_target"),
    "spikes_per_year": M.t("lbl_spikes_per_year"),
    "group": M.t("lbl_group"),
    "median": M.t("lbl_median"),
    "q1": M.t("lbl_q1"),
    "q3": M.t("lbl_q3"),
    "period_start": M.t("lbl_period_start"),
    "period_end": M.t("lbl_period_end"),
    "simulated": M.t("lbl_simulated"),
}

COLUMN_LABELS.update(
    {
        "days": M.t("lbl_days"),
        "desktop_views": M.t("lbl_desktop_views"),
        "mobile_views": M.t("lbl_mobile_views"),
        "expected_daily_views": M.t("lbl_expected_daily"),
        "surplus_fit_slope": M.t("lbl_fit_slope"),
        "summer_index_baseline": M.t("lbl_summer_index_baseline"),
        "winter_index_baseline": M.t("lbl_winter_index_baseline"),
        **{
            f"weekday_{d}": M.t("lbl_weekday_index", day=M.t(f"day_{d}"))
            for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        },
        **{
            f"{kind}_{g}": M.t(f"lbl_{kind}_in", group=M.t(f"group_{g}"))
            for kind in ("rank", "n", "percentile")
            for g in ("france", "pvd", "region", "departement", "size_class")
        },
    }
)


def _json_text(value: object) -> str:
    import orjson

    return orjson.dumps(value.to_list() if isinstance(value, pl.Series) else value, default=str).decode()


def spreadsheet_csv(df: pl.DataFrame, labels: dict[str, str] = COLUMN_LABELS) -> bytes:
    """A CSV that French Excel and LibreOffice open as it is: UTF-8 with a BOM, ";" between fields,
    decimal commas, four decimals at most, French column names, "oui"/"non", dates as 30/11/2023;
    lists and structures as JSON text."""
    out = df.with_columns(
        pl.col(pl.Float32, pl.Float64).fill_nan(None).round(4),
        pl.col(pl.Boolean).replace_strict({True: M.t("lbl_yes"), False: M.t("lbl_no")}, return_dtype=pl.String),
    )
    nested = [c for c, t in out.schema.items() if isinstance(t, pl.List | pl.Struct | pl.Array)]
    out = out.with_columns(
        pl.col(c).map_elements(_json_text, return_dtype=pl.String, skip_nulls=True) for c in nested
    )  # fmt: skip
    out = out.rename({c: labels.get(c, c) for c in out.columns})
    text = out.write_csv(separator=";", decimal_comma=True, date_format="%d/%m/%Y")
    return ("\ufeff" + text).encode("utf-8")


# --- one commune's figures in words (the commune page, its report and `belvedere profile`) ----------
RANK_GROUPS = ("france", "pvd", "region", "departement", "size_class")


def ordinal(n: int) -> str:
    """1er, 2e, 121e."""
    return "1er" if n == 1 else f"{M.fr_number(n, 0)}e"


def change_words(x: float | None) -> str:
    """A relative change worded: "en hausse de 32 %", "en baisse de 13 %", "stable (+0,4 %)"."""
    if x is None or x != x:
        return M.t("change_unknown")
    if abs(x) < 0.01:
        return M.t("change_stable", pct=M.fr_percent(x, 1))
    return M.t("change_up" if x > 0 else "change_down", pct=M.fr_percent(abs(x)))


def has_population(card: Mapping[str, Any]) -> bool:
    return bool(card.get("population"))


def surplus_words(card: Mapping[str, Any]) -> str:
    """How the commune's audience compares with what its size predicts, in a sentence; said plainly
    when its population is unknown or zero (no per-inhabitant figure then means anything)."""
    x = card.get("visibility_surplus")
    if not has_population(card) or x is None or x != x:
        return M.t("surplus_no_population", name=card["name"], observed=M.fr_number(card.get("mean_daily_views"), 1))
    return M.t("report_surplus_sentence", name=card["name"], x=M.fr_number(x, 1),
               expected=M.fr_number(card.get("expected_daily_views"), 1),
               observed=M.fr_number(card.get("mean_daily_views"), 1))  # fmt: skip


def rank_rows(card: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The groups the commune is ranked in (by views per inhabitant): group, label, rank, of, percentile."""
    rows = []
    for g in RANK_GROUPS:
        rank = card.get(f"rank_{g}")
        if rank is None:
            continue
        label = M.t("rank_group_held") if g == "france" and card.get("partial") else M.t(f"rank_group_{g}")
        rows.append({"group": g, "label": label, "rank": int(rank), "of": card.get(f"n_{g}"),
                     "percentile": card.get(f"percentile_{g}")})  # fmt: skip
    return rows


def rank_words(card: Mapping[str, Any]) -> str:
    """ "121e sur 34 957 en France · 31e sur 1 606 PVD · …", or why the commune is not ranked."""
    rows = rank_rows(card)
    if not rows:
        return M.t("ranks_none_population" if not has_population(card) else "ranks_none")
    words = " · ".join(M.t("rank_of", rank=ordinal(r["rank"]), of=M.fr_number(r["of"], 0), group=r["label"])
                       for r in rows)  # fmt: skip
    if card.get("partial"):  # a town's store: its ranks are among the communes it follows
        return M.t("ranks_partial", ranks=words)
    return words


def coverage_words(card: Mapping[str, Any], national: Mapping[str, Any] | None) -> str | None:
    """What a partial store's figures are (None for a national store): ranks, medians and the
    expected audience among the communes it follows; France's place from the snapshot, or how to get it."""
    if not card.get("partial"):
        return None
    held = M.n_communes(card.get("communes_held") or 0)
    total = M.fr_number(card.get("communes_total") or 0, 0)
    return (
        M.t("coverage_partial", held=held, total=total)
        + " "
        + (M.t("coverage_snapshot") if national else M.t("coverage_no_snapshot"))
    )


def peers_words(card: Mapping[str, Any]) -> str:
    peers = card.get("peers") or {}
    rank, of = peers.get("rank"), peers.get("of")
    if rank is None or not has_population(card):
        return M.t("peers_not_ranked", of=of or 0)
    return M.t("peers_words", rank=ordinal(int(rank)), of=of)


def monthly_rows(series: pl.DataFrame) -> list[dict[str, Any]]:
    """A daily series (date, views, desktop, mobile) by month: the chart's data as a table (its text
    alternative): month label, views, desktop, mobile, days with data, days in the month."""
    if series.is_empty():
        return []
    monthly = (
        series.group_by(pl.col("date").dt.truncate("1mo").alias("month"))
        .agg(pl.col("views").sum(), pl.col("desktop").sum(), pl.col("mobile").sum(), pl.len().alias("days"))
        .sort("month")
    )
    return [
        {**r, "label": f"{M.MONTHS_LONG[r['month'].month - 1]} {r['month'].year}",
         "month_days": _days_in_month(r["month"])}
        for r in monthly.to_dicts()
    ]  # fmt: skip


def _days_in_month(d: date) -> int:
    return month_end(d).day


MEDIAN_GROUPS = ("departement", "region", "pvd", "france")


def median_table(
    metrics: pl.DataFrame, column: str = "views_per_inhabitant"
) -> dict[tuple[str, str], tuple[float, int]]:
    """The median of ``column`` and the number of communes (with a population) for every
    département, région, the PVD and France: {(group, code): (median, communes)}, computed once."""
    known = metrics.filter(pl.col(column).is_not_null() & (pl.col("population") > 0))
    out: dict[tuple[str, str], tuple[float, int]] = {}
    for group in ("departement", "region"):
        for code, median, n in known.group_by(group).agg(pl.col(column).median(), pl.len()).iter_rows():
            out[(group, code)] = (median, n)
    pvd = known.filter(pl.col("is_pvd"))[column]
    if pvd.len():
        out[("pvd", "")] = (float(pvd.median() or 0.0), pvd.len())  # type: ignore[arg-type]
    if known.height:
        out[("france", "")] = (float(known[column].median() or 0.0), known.height)  # type: ignore[arg-type]
    return out


def medians_from(table: dict[tuple[str, str], tuple[float, int]], commune: Mapping[str, Any], *,
                 partial: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    """The medians around one commune, from :func:`median_table`: label, median, communes; a
    partial store's widest group is "the communes followed here", not France."""
    keys = {"departement": commune.get("departement") or "", "region": commune.get("region") or "",
            "pvd": "", "france": ""}  # fmt: skip
    out = []
    for group in MEDIAN_GROUPS:
        found = table.get((group, keys[group]))
        if found is not None:
            label = M.t("median_held") if partial and group == "france" else M.t(f"median_{group}")
            out.append({"label": label, "median": found[0], "communes": found[1]})
    return out


QUALITY_LABELS = {"AdQ": "fact_quality_adq", "BA": "fact_quality_ba"}


def fact_rows(facts: Mapping[str, Any]) -> list[dict[str, str]]:
    """What the commune's article is like, beside the median of the communes of its size class whose
    articles were read: one row per fact (label, the commune's value, the median), in words."""
    peers = facts.get("peers") or {}

    def num(value: object, unit: str = "") -> str:
        if value is None:
            return M.t("fact_unknown")
        return M.fr_number(float(value), 0) + (f"\u00a0{unit}" if unit else "")  # type: ignore[arg-type]

    has_peers = bool(peers.get("communes"))
    rows = [
        {"key": "length", "label": M.t("fact_length"),
         "value": num(facts.get("length"), M.t("fact_bytes")) if facts.get("read_at") else M.t("fact_unknown"),
         "median": num(peers.get("length"), M.t("fact_bytes")) if has_peers else "–"},
        {"key": "lead_image", "label": M.t("fact_lead_image"),
         "value": M.t("lbl_yes") if facts.get("lead_image") else M.t("lbl_no"),
         "median": M.t("fact_share_with", share=M.fr_percent(peers.get("lead_image_share")))
         if has_peers else "–"},
        *({"key": k, "label": M.t(f"fact_{k}"), "value": num(facts.get(k)),
           "median": num(peers.get(k)) if has_peers else "–"} for k in ("images", "refs", "sections", "languages")),
        {"key": "quality", "label": M.t("fact_quality"),
         "value": M.t(QUALITY_LABELS[facts["quality"]]) if facts.get("quality") in QUALITY_LABELS
         else M.t("fact_quality_none"), "median": "–"},
        {"key": "last_edit", "label": M.t("fact_last_edit"),
         "value": M.fr_date(facts["last_edit"].date()) if facts.get("last_edit") else M.t("fact_unknown"),
         "median": "–"},
    ]  # fmt: skip
    item = facts.get("item")
    if item:
        social = [x for x in (item.get("social") or "").split(",") if x]
        rows += [
            {"key": "website", "label": M.t("fact_website"), "value": item.get("website") or M.t("fact_none_declared"),
             "median": "–"},
            {"key": "social", "label": M.t("fact_social"),
             "value": ", ".join(M.t(f"network_{x}") for x in social) or M.t("fact_none_declared"), "median": "–"},
            {"key": "commons_files", "label": M.t("fact_commons_files"),
             "value": num(item.get("commons_files")) if item.get("commons_category") else M.t("fact_no_category"),
             "median": "–"},
            {"key": "sitelinks", "label": M.t("fact_sitelinks"), "value": num(item.get("sitelinks")), "median": "–"},
        ]  # fmt: skip
    return rows


def facts_source(facts: Mapping[str, Any]) -> str:
    """Where the facts come from and when they were read; how many peers the medians are of."""
    read = facts.get("read_at")
    peers = (facts.get("peers") or {}).get("communes") or 0
    key = "fact_source_simulated" if facts.get("article_source") == "simulated" else "fact_source"
    return M.t(key, title=str(facts.get("title", "")).replace("_", " "),
               date=M.fr_date(read.date()) if read else "–", peers=M.n_communes(int(peers)))  # fmt: skip


SCORE_UNITS = {"views_per_inhabitant": "unit_views_per_inh", "visibility_surplus": "unit_times_expected",
               "yoy_change": "unit_share", "length": "unit_bytes", "lead_image": "unit_yes_no",
               "images": "unit_files", "refs": "unit_refs", "languages": "unit_languages",
               "days_since_edit": "unit_days", "sitelinks": "unit_sitelinks", "commons_files": "unit_files",
               "website": "unit_yes_no", "social_accounts": "unit_accounts", "beds_per_1000": "unit_per_1000",
               "rooms_per_1000": "unit_per_1000", "pitches_per_1000": "unit_per_1000", "labels": "unit_labels",
               "edits_12m": "unit_edits", "editors_12m": "unit_editors",
               "ftth_share": "unit_percent_premises", "thd30_share": "unit_percent_premises",
               "label_languages": "unit_languages", "mobile_4g": "unit_operators", "mobile_5g": "unit_operators",
               "digital_help": "unit_places"}  # fmt: skip


# the scorecard indicator each piece of advice answers: the advice on the widest gap comes first
ADVICE_INDICATOR = {"article": "visibility_surplus", "decline": "yoy_change", "image": "lead_image",
                    "short": "length", "refs": "refs", "stale": "days_since_edit", "social": "social_accounts",
                    "website": "website", "fibre": "ftth_share", "label": "labels", "network": "mobile_4g",
                    "digital_help": "digital_help"}  # fmt: skip


def by_gap(recommendations: list[Any], record: Mapping[str, Any] | None) -> list[Any]:
    """The advice ordered by how far below its peers the commune is on the indicator each answers
    (its percentile, lowest first); advice not tied to an indicator keeps its order, after those
    below the median. The order is stable, so ties keep the rules' order."""
    if not record:
        return list(recommendations)
    percentiles = {i["key"]: i["percentile"] for d in record["dimensions"] for i in d["indicators"]}

    def gap(r: Any) -> float:
        p = percentiles.get(ADVICE_INDICATOR.get(r.key, ""))
        return 50.0 if p is None else float(p)

    return sorted(recommendations, key=gap)


def scorecard_record(sc: Any, recommendations: list[Any] | None = None) -> dict[str, Any]:
    """A :class:`belvedere.analysis.scorecard.Scorecard` as the CLI's JSON and the API give it:
    ``dimensions`` → ``{key, label, score, missing, indicators: [{key, label, value, unit,
    percentile, source, as_of}]}``, ``recommendations`` → ``{title, text, trigger}``."""
    dims = []
    for d in sc.dimensions:
        dims.append({
            "key": d.key, "label": M.t(f"dim_{d.key}"),
            "score": None if d.score is None else round(d.score, 1),
            "missing": M.t(f"dim_missing_{d.key}") if d.score is None else None,
            "indicators": [{"key": i.key, "label": M.t(f"ind_{i.key}"), "value": i.value,
                            "unit": M.t(SCORE_UNITS[i.key]),
                            "percentile": None if i.percentile is None else round(i.percentile, 1),
                            "peers": i.peers, "as_of": i.as_of,
                            "source": M.t(f"source_kind_{i.source}") + (M.t("source_kind_simulated") if sc.simulated
                                                                         else "")}
                           for i in d.indicators],
        })  # fmt: skip
    record: dict[str, Any] = {
        "code": sc.code, "start": sc.start, "end": sc.end,
        "peers": {"group": M.t(f"peer_group_{sc.peer_group}"), "communes": sc.peers},
        "dimensions": dims,
        "recommendations": [],
    }  # fmt: skip
    record["recommendations"] = [{"title": r.title, "text": r.advice, "trigger": r.trigger}
                                 for r in by_gap(recommendations or [], record)]  # fmt: skip
    return record


def dimension_sources(dimension: Mapping[str, Any]) -> str:
    """Where a dimension's indicators come from and the date of their data, each source once, in
    the order of its indicators: « Sources : ARCEP, Ma connexion internet (31 mars 2026) ; … »."""
    seen: dict[str, set[date]] = {}
    for i in dimension["indicators"]:  # the command that loads a source is for the CLI's readers
        dates = seen.setdefault(re.sub(r"\s*\(belvedere [^)]*\)", "", i["source"]), set())
        if isinstance(i.get("as_of"), date):
            dates.add(i["as_of"])
    parts = [f"{source} ({', '.join(M.fr_date(d) for d in sorted(dates))})" if dates else source
             for source, dates in seen.items()]  # fmt: skip
    return M.t("scorecard_sources", sources=" ; ".join(parts))


def indicator_value_words(indicator: Mapping[str, Any]) -> str:
    """An indicator's value in French words with its unit ("9 636 octets", "oui", "-12 %")."""
    value = indicator.get("value")
    if value is None:
        return M.t("fact_unknown")
    key = indicator["key"]
    if key in ("lead_image", "website"):
        return M.t("lbl_yes") if value else M.t("lbl_no")
    if key == "yoy_change":
        return change_words(value)
    if key == "visibility_surplus":
        return f"× {M.fr_number(value, 1)}"
    if key in ("views_per_inhabitant", "beds_per_1000", "rooms_per_1000", "pitches_per_1000"):
        return M.fr_number(value, 1)  # the label says per whom
    if key in ("ftth_share", "thd30_share"):
        return f"{M.fr_number(value, 1)}\u00a0%"
    return f"{M.fr_number(value, 0)}\u00a0{indicator['unit']}"


def explanation_rows(e: Any) -> list[dict[str, str]]:
    """The national model's factors in words: what a doubling (or one more, or having it) goes with,
    and its 95 % interval."""
    rows = []
    for c in e.coefficients:
        step = M.t(f"explain_step_{c.key}") if f"explain_step_{c.key}" in M.FR else M.t(f"explain_step_{c.kind}")
        rows.append({"key": c.key, "label": M.t(f"explain_{c.key}"), "step": step,
                     "effect": signed_percent(c.effect(c.estimate)),
                     "interval": M.t("explain_interval", low=signed_percent(c.effect(c.low)),
                                     high=signed_percent(c.effect(c.high)))})  # fmt: skip
    return rows


def signed_percent(share: float) -> str:
    """+25 %, −12 %."""
    return ("+" if share >= 0 else "−") + M.fr_percent(abs(share))


def explained_gap_words(e: Any, code: str, name: str) -> str | None:
    """How far the commune's audience is from what the national model predicts from its own figures."""
    if e is None:
        return None
    row = e.fitted.filter(pl.col("code") == code)
    if row.is_empty():
        return None
    gap = float(row["gap"][0])
    owns = list(dict.fromkeys(M.t(f"explain_own_{c.key}") for c in e.coefficients))
    factors = ", ".join(owns[:-1]) + f" {M.t('and')} " + owns[-1] if len(owns) > 1 else owns[0]
    key = "explain_gap_below" if gap < -0.1 else "explain_gap_above" if gap > 0.1 else "explain_gap_level"
    return M.t(
        key, name=name, pct=M.fr_percent(abs(gap)), factors=factors, r2=M.fr_percent(e.r2), n=M.fr_number(e.n, 0)
    )


SOURCES = ("search", "wikipedia", "external", "empty", "internal", "other")


def attention_sources(referrers: pl.DataFrame, top: int = 5) -> dict[str, Any] | None:
    """The latest month's origins of the readers in words: each source's share (search engines first),
    the articles that sent most readers, the month; None without clickstream for the commune."""
    if referrers.is_empty():
        return None
    month = referrers["month"].max()
    rows = referrers.filter(pl.col("month") == month)
    total = int(rows["n"].sum())
    by_source = {s: int(rows.filter(pl.col("source") == s)["n"].sum()) for s in SOURCES}
    articles = (rows.filter(pl.col("source") == "wikipedia").group_by("referrer").agg(pl.col("n").sum())
                .sort(["n", "referrer"], descending=[True, False]).head(top))  # fmt: skip
    return {
        "month": month, "total": total,
        "month_words": f"{M.MONTHS_LONG[month.month - 1]} {month.year}" if isinstance(month, date) else str(month),
        "sources": [{"key": s, "label": M.t(f"referrer_{s}"), "n": n, "share": n / total if total else 0.0}
                    for s, n in by_source.items() if n],
        "articles": [{"title": str(r["referrer"]).replace("_", " "), "n": int(r["n"])} for r in articles.to_dicts()],
        "search_share": by_source["search"] / total if total else 0.0,
    }  # fmt: skip


def foreign_view(fa: Any, name: str) -> dict[str, Any] | None:
    """The commune's attention from abroad in words and rows (``fa``: analysis.foreign.ForeignAttention),
    for the page and the report; None when no foreign article is known."""
    if fa is None or (fa.editions == 0 and fa.months == 0):
        return None
    if fa.months == 0 or fa.share is None:
        return {"lead": M.t("foreign_no_whole_month", editions=M.fr_number(fa.editions, 0)), "languages": [],
                "season": None, "partial": None, "languages_words": None, "simulated": fa.simulated}  # fmt: skip
    lead = M.t("foreign_lead", months=M.fr_number(fa.months, 0), first=month_words(fa.first),
               last=month_words(fa.last), share=M.fr_percent(fa.share, 1), name=name,
               foreign=M.fr_number(fa.foreign_views, 0), editions=M.fr_number(fa.editions, 0),
               french=M.fr_number(fa.french_views, 0))  # fmt: skip
    languages = [{"code": lang.code, "name": M.language_name(lang.code), "views": lang.views, "share": lang.share}
                 for lang in fa.languages]  # fmt: skip
    season = None
    if fa.peak_month is not None and fa.peak_share is not None:
        key = "foreign_season" if fa.seasonal else "foreign_flat"
        season = M.t(key, peak=M.fr_percent(fa.peak_share, 1), month=M.MONTHS_LONG[fa.peak_month - 1])
    return {
        "lead": lead, "languages": languages, "season": season, "simulated": fa.simulated,
        "languages_words": M.t("foreign_languages", languages=", ".join(
            f"{lang['name']} ({M.fr_percent(lang['share'])})" for lang in languages)) if languages else None,
        "partial": M.t("foreign_partial", n=fa.partial) if fa.partial else None,
    }  # fmt: skip


def month_words(month: date | None) -> str:
    """« novembre 2026 »."""
    return "–" if month is None else f"{M.MONTHS_LONG[month.month - 1]} {month.year}"


def cause_words(cause: Any) -> str:
    """A spike's probable cause in a sentence, with its evidence, or why none is given."""
    month = f"{M.MONTHS_LONG[cause.month.month - 1]} {cause.month.year}"
    if cause.status == "no_clickstream":
        return M.t("cause_no_clickstream", month=month)
    if cause.status == "none":
        return M.t("cause_none", month=month)
    figures = {"month": month, "n": M.fr_number(cause.readers, 0), "usual": M.fr_number(cause.usual, 0)}
    if cause.source == "wikipedia":
        return M.t("cause_article", title=str(cause.referrer).replace("_", " "), **figures)
    return M.t("cause_source", source=M.t(f"referrer_{cause.source}").lower(), **figures)


def cause_annotation(cause: Any) -> str | None:
    """What the team can keep as the spike's annotation (None without a cause found)."""
    if cause.status != "found":
        return None
    if cause.source == "wikipedia":
        return M.t("cause_annotation_article", title=str(cause.referrer).replace("_", " "))
    return M.t("cause_annotation_source", source=M.t(f"referrer_{cause.source}").lower())


def event_origin(event: Mapping[str, Any]) -> str:
    """What makes a shared event one, in words: the article that fed its towns, or their timing and
    how many such coincidences chance alone would give over the period."""
    if event.get("evidence") == "referrer":
        return M.t("event_by_referrer", title=str(event["referrer"]).replace("_", " "),
                   n=M.fr_number(event.get("readers") or 0, 0))  # fmt: skip
    return M.t("event_by_timing", chance=M.fr_number(event.get("expected_chance") or 0.0, 1))


def signed_points(value: float) -> str:
    """Points of a score that may be negative, signed as a French reader expects: "+23", "−8", "0"."""
    rounded = round(value)
    sign = "+" if rounded > 0 else "\u2212" if rounded < 0 else ""
    return f"{sign}{M.fr_number(abs(rounded), 0)}"


def _attachment_value_words(value: float, unit: str) -> str:
    if unit.startswith("%"):  # a rate or a share, in %: signed when it is a change
        number = M.fr_number(value, 1 if unit == "% des inscrits" else 2)
        if unit == "% par an" and value > 0:
            number = "+" + number
        return f"{number.replace('-', chr(0x2212))}\u00a0{unit}"
    return f"{M.fr_number(value, 1)} {unit}"


def attachment_rows(record: Mapping[str, Any]) -> list[dict[str, str]]:
    """Each attachment indicator of a commune as a row of words: what, over which period, its value
    with its unit, the period before, and its place among the communes of its size."""
    rows = []
    for v in record["values"]:
        before = (f"{_attachment_value_words(v.previous, v.unit)} ({v.previous_period})"
                  if v.previous is not None else "–")  # fmt: skip
        rank = (M.t("att_percentile", pct=M.fr_percent(v.percentile), n=M.fr_number(v.peers, 0))
                if v.percentile is not None else M.t("att_no_peers"))  # fmt: skip
        source = M.t("source_simulated") if v.source == "simulated" else v.source
        rows.append({"indicator": v.indicator, "label": M.t(f"att_{v.indicator}"), "period": v.period,
                     "value": _attachment_value_words(v.value, v.unit), "before": before, "rank": rank,
                     "source": source})  # fmt: skip
    return rows


def attachment_story(record: Mapping[str, Any], name: str) -> str | None:
    """The sentence when audience and attachment tell different stories (None when they agree)."""
    story = record.get("divergence")
    if not story:
        return None
    kind, indicator = story
    audience = record["audience_percentile"]
    share = audience if kind == "seen_not_lived" else 1 - audience
    return M.t(f"att_{kind}", name=name, audience=M.fr_percent(share), indicator=M.t(f"att_{indicator}").lower())


def vie_locale(record: Mapping[str, Any] | None, name: str, surveys: pl.DataFrame) -> dict[str, Any] | None:
    """The "Vie locale" section of a commune: its attachment rows and story, and its residents'
    surveys; None when there is neither."""
    if record is None and surveys.is_empty():
        return None
    return {
        "rows": attachment_rows(record) if record else [],
        "story": attachment_story(record, name) if record else None,
        "surveys": surveys.to_dicts(),
        "simulated": record is not None and any(v.source == "simulated" for v in record["values"]),
    }


def on_site_words(card: Mapping[str, Any]) -> str | None:
    """Mobile as on-site demand, in a sentence: whether the busiest months' readers are on their phones
    (visitors there) or not; None without enough views to tell."""
    lift, month = card.get("mobile_season_lift"), card.get("mobile_peak_month")
    if lift is None or lift != lift or not month:
        return None
    points = M.fr_number(lift * 100, 0).replace("-", "\u2212")
    words = M.MONTHS_LONG[int(month) - 1]
    if lift >= ON_SITE_LIFT:
        return M.t("on_site_words", month=words, points=points)
    return M.t("on_site_flat", month=words, points=points)


# the factor of the national model (analysis/explain.py) each piece of advice moves, and by how much:
# a lead image (0 -> 1), an article twice as long, one social account declared
ADVICE_FACTOR = {"image": "lead_image", "short": "log_length", "social": "social_accounts"}


def advice_with_effects(recommendations: list[Any], record: Mapping[str, Any] | None,
                        explanation: Any) -> list[dict[str, Any]]:  # fmt: skip
    """The advice as the pages show it: first the advice whose factor the national model associates
    clearly (its 95 % interval above zero) with more views per inhabitant, largest expected effect
    first, with that effect in words; then the rest by gap (:func:`by_gap`). Associations, not
    promises: the words say so."""
    coefs = {c.key: c for c in explanation.coefficients} if explanation is not None else {}
    rows = []
    for rank, r in enumerate(by_gap(recommendations, record)):
        row = {"key": r.key, "title": r.title, "advice": r.advice, "trigger": r.trigger, "example": r.example,
               "source": r.source, "url": r.url, "effect": None, "_effect": 0.0, "_rank": rank}  # fmt: skip
        c = coefs.get(ADVICE_FACTOR.get(r.key, ""))
        if c is not None and c.low > 0:
            effect = c.effect(c.estimate)
            row["_effect"] = effect
            row["effect"] = M.t("advice_effect", pct=signed_percent(effect), lo=signed_percent(c.effect(c.low)),
                                hi=signed_percent(c.effect(c.high)), n=M.fr_number(explanation.n, 0))  # fmt: skip
        rows.append(row)
    rows.sort(key=lambda x: (-x["_effect"], x["_rank"]))
    return rows
