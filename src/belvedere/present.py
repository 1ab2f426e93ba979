"""One presentation layer for the web pages and the reports: a figure shown in both is computed and
worded here once (the smoothed series, the map by département, the default scope), so that the page
and the printed report of a commune never disagree. Number and date wording is in
:mod:`belvedere.messages` (``fr_number``, ``fr_percent``, ``fr_date``)."""

from __future__ import annotations

from datetime import date

import polars as pl

from belvedere import messages as M

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
