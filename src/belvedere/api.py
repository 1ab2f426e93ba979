"""The Python API: open a store, get DataFrames.

    >>> from belvedere.api import Observatory
    >>> with Observatory.open("out/demo.duckdb") as obs:
    ...     top = obs.ranking(scope="pvd", limit=10)          # per-inhabitant ranking of PVD
    ...     card = obs.profile("Carrouges")                    # one commune, everything about it
    ...     spikes = obs.spikes("61074", start="2024-01-01")   # its spikes, with annotations

Every method takes an optional period (``start``/``end``, ISO strings or dates; by default all
the audience the store holds) and returns Polars DataFrames or plain dicts. National figures
(ranks, visibility surplus) are always computed over every commune of the store, then filtered
to the requested scope, so that a rank means the same thing whatever the scope asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from belvedere import dates
from belvedere import messages as M
from belvedere.analysis.metrics import add_ranks, audience_metrics, group_summary
from belvedere.analysis.panel import Panel
from belvedere.analysis.peers import peers as peer_group
from belvedere.analysis.peers import standing
from belvedere.analysis.spikes import (
    SpikeParams,
    detect_panel,
    level_shifts,
    shared_events,
    spike_summary,
)
from belvedere.analysis.typology import classify, nearest_large_city
from belvedere.config import Settings
from belvedere.errors import BelvedereError
from belvedere.reference.lookup import resolve_commune, select_communes
from belvedere.store import Store
from belvedere.store.queries import audience_range, communes_frame, load_panel

CATEGORIES = {
    "tv": "tv", "télé": "tv", "television": "tv", "télévision": "tv",
    "film": "film", "cinema": "film", "cinéma": "film", "serie": "film", "série": "film",
    "presse": "presse", "news": "presse", "actualite": "presse", "actualité": "presse", "media": "presse",
    "sport": "sport",
    "campagne": "campagne", "campaign": "campagne",
    "evenement": "evenement", "événement": "evenement", "event": "evenement", "festival": "evenement",
    "autre": "autre", "other": "autre",
}  # fmt: skip


def parse_date(value: str | date | None) -> date | None:
    """An optional date: None stays None (the default period)."""
    return None if value is None else dates.parse_date(value)


@dataclass
class _National:
    """Everything computed once per period over all communes."""

    panel: Panel
    metrics: pl.DataFrame
    spikes: pl.DataFrame | None = None
    typology: pl.DataFrame | None = None


class Observatory:
    """A store opened for analysis. Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        store: Store,
        spike_params: SpikeParams = SpikeParams(),
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        """``progress(stage, done, total)`` is called during long national computations."""
        if not store.has_reference():
            raise BelvedereError(M.t("no_reference"))
        self.store = store
        self.simulated = store.simulated  # read once: still known after close()
        self.spike_params = spike_params
        self.progress = progress
        self._communes: pl.DataFrame | None = None
        self._cities: pl.DataFrame | None = None
        self._range: tuple[date | None, date | None] | None = None
        self._scopes: dict[str, list[str]] = {}
        self._rankings: dict[tuple, pl.DataFrame] = {}
        self._national: dict[tuple[date, date], _National] = {}

    @classmethod
    def open(cls, path: str | Path | None = None, *, read_only: bool = True) -> Observatory:
        """Open the store at ``path`` (default: $BELVEDERE_DB or ./belvedere.duckdb)."""
        path = Path(path) if path else Settings().db_path
        return cls(Store(path, read_only=read_only))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Observatory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- building blocks ------------------------------------------------------------------
    def communes(self) -> pl.DataFrame:
        if self._communes is None:
            self._communes = communes_frame(self.store)
        return self._communes

    def period(self, start: str | date | None = None, end: str | date | None = None) -> tuple[date, date]:
        """The period asked, defaulting to the audience the store holds; checked."""
        if self._range is None:  # a scan of the whole table: once per Observatory
            self._range = audience_range(self.store)
        first, last = self._range
        if first is None:
            raise BelvedereError(M.t("no_audience"))
        d_start, d_end = parse_date(start) or first, parse_date(end) or last
        if d_end < d_start:
            raise BelvedereError(M.t("end_before_start", start=d_start, end=d_end))
        if d_end < first or d_start > last:
            raise BelvedereError(M.t("no_audience_in_period", start=d_start, end=d_end, first=first, last=last))
        return max(d_start, first), min(d_end, last)

    def _nat(self, start: str | date | None, end: str | date | None) -> _National:
        key = self.period(start, end)
        if key not in self._national:
            if self.progress:
                self.progress("audience", 0, 1)
            panel = load_panel(self.store, *key)
            if self.progress:
                self.progress("audience", 1, 1)
            metrics = add_ranks(audience_metrics(panel, self.communes()))
            self._national[key] = _National(panel, metrics)
        return self._national[key]

    def panel(self, start: str | date | None = None, end: str | date | None = None) -> Panel:
        """The commune x day panel of the period (all communes with audience)."""
        return self._nat(start, end).panel

    def codes(self, scope: str) -> list[str]:
        """Commune codes of a scope: all, pvd, region:CODE, dep:CODE, size:CLASS or codes/names."""
        key = scope.strip().lower()
        if key not in self._scopes:
            self._scopes[key] = select_communes(self.store, scope)
        return self._scopes[key]

    def _years(self, nat: _National) -> float:
        return nat.panel.days / 365.25

    def _spikes_all(self, nat: _National) -> pl.DataFrame:
        if nat.spikes is None:
            report = (lambda done, total: self.progress("spikes", done, total)) if self.progress else None
            spikes, season = detect_panel(nat.panel, self.spike_params, progress=report)
            nat.spikes = spikes
            nat.metrics = nat.metrics.join(season, on="code", how="left")
        return nat.spikes

    # --- metrics and rankings ---------------------------------------------------------------
    def metrics(self, start: str | date | None = None, end: str | date | None = None, scope: str = "all",
                *, typology: bool = False) -> pl.DataFrame:  # fmt: skip
        """Audience metrics of the scope's communes: volumes, per inhabitant, ranks (France, PVD,
        région, département, size class), visibility surplus, seasonality, mobile share, year-on-year
        change; with ``typology=True`` also spikes per year and the typology."""
        nat = self._nat(start, end)
        df = self.typology_frame(start, end) if typology else nat.metrics
        if scope.strip().lower() == "all":
            return df
        return df.filter(pl.col("code").is_in(self.codes(scope)))

    def ranking(self, start: str | date | None = None, end: str | date | None = None, scope: str = "pvd",
                metric: str = "views_per_inhabitant", limit: int | None = None,
                ascending: bool = False) -> pl.DataFrame:  # fmt: skip
        """The scope's communes sorted by ``metric`` (highest first), with their rank in the scope.

        Kept per period, scope and metric: a dashboard asks the same ranking page after page."""
        key = (self.period(start, end), scope.strip().lower(), metric, ascending)
        df = self._rankings.get(key)
        if df is None:
            df = self.metrics(start, end, scope)
            if metric not in df.columns:
                raise BelvedereError(M.t("bad_metric", metric=metric, choices=", ".join(RANK_METRICS)))
            df = df.filter(pl.col(metric).is_not_null()).sort([metric, "code"], descending=[not ascending, False])
            df = df.with_columns(pl.int_range(1, df.height + 1).alias("rank"))
            if len(self._rankings) > 64:
                self._rankings.clear()
            self._rankings[key] = df
        return df.head(limit) if limit else df

    def groups(self, start: str | date | None = None, end: str | date | None = None,
               metric: str = "views_per_inhabitant", by: str = "group") -> pl.DataFrame:  # fmt: skip
        """Median and spread of ``metric`` by group. ``by='group'`` (default) sets PVD against each
        size class of the other communes, the study's comparison; or region, departement,
        size_class, is_pvd."""
        if by not in GROUPINGS:
            raise BelvedereError(M.t("bad_group_by", by=by, choices=", ".join(GROUPINGS)))
        return group_summary(self._nat(start, end).metrics, by, metric)

    # --- spikes, events, annotations ---------------------------------------------------------
    def spikes(self, commune: str | None = None, start: str | date | None = None, end: str | date | None = None,
               scope: str = "all", include_bots: bool = True) -> pl.DataFrame:  # fmt: skip
        """Spikes of one commune (code or name) or of a scope, with their annotations."""
        nat = self._nat(start, end)
        if commune is not None:
            code = resolve_commune(self.store, commune)["code"]
            if code not in nat.panel.codes:
                raise BelvedereError(M.t("no_audience_commune", code=code))
            if nat.spikes is not None:  # the national pass already found them
                spikes = nat.spikes.filter(pl.col("code") == code)
            else:
                spikes, _ = detect_panel(nat.panel.subset([code]), self.spike_params)
        else:
            spikes = self._spikes_all(nat)
            if scope.strip().lower() != "all":
                spikes = spikes.filter(pl.col("code").is_in(self.codes(scope)))
        if not include_bots:
            spikes = spikes.filter(~pl.col("suspected_bot"))
        names = self.communes().select("code", "name")
        return self._with_annotations(spikes.join(names, on="code", how="left"), "spike").sort(["start", "code"])

    def events(self, start: str | date | None = None, end: str | date | None = None, scope: str = "all",
               alpha: float = 0.01) -> pl.DataFrame:  # fmt: skip
        """Shared events: spikes of several communes of the scope starting within ±1 day."""
        nat = self._nat(start, end)
        spikes = self._spikes_all(nat)
        if scope.strip().lower() != "all":
            spikes = spikes.filter(pl.col("code").is_in(self.codes(scope)))
        events = shared_events(spikes, alpha=alpha, days_in_scope=nat.panel.days)
        names = dict(self.communes().select("code", "name").iter_rows())
        events = events.with_columns(
            pl.col("codes").map_elements(lambda cs: [names.get(c, c) for c in cs], return_dtype=pl.List(pl.String))
            .alias("names")
        )  # fmt: skip
        return self._with_annotations(events, "shared")

    def _with_annotations(self, df: pl.DataFrame, kind: str) -> pl.DataFrame:
        notes = self.store.frame(
            "SELECT annotation_id, commune_code, target_date, text, url, category FROM annotations "
            "WHERE target_kind = ? ORDER BY annotation_id",
            [kind],
        )
        empty = pl.lit(None, dtype=pl.List(pl.Struct({"id": pl.Int64, "text": pl.String, "url": pl.String,
                                                        "category": pl.String})))  # fmt: skip
        if df.is_empty() or notes.is_empty():
            return df.with_columns(empty.alias("annotations"))
        if kind == "spike":
            left = df.select("code", "start", "end").with_row_index("_row")
            pairs = left.join(notes.rename({"commune_code": "code"}), on="code")
        else:
            left = df.select("start", "end").with_row_index("_row")
            pairs = left.join(notes.drop("commune_code"), how="cross")
        pairs = pairs.filter(
            (pl.col("target_date") >= pl.col("start") - timedelta(days=1))
            & (pl.col("target_date") <= pl.col("end") + timedelta(days=1))
        )
        attached = pairs.group_by("_row").agg(
            pl.struct(pl.col("annotation_id").alias("id"), "text", "url", "category").alias("annotations")
        )
        return df.with_row_index("_row").join(attached, on="_row", how="left").drop("_row")

    def annotate(self, text: str, *, commune: str | None = None, on: str | date, url: str | None = None,
                 category: str = "autre", shared: bool = False) -> int:  # fmt: skip
        """Attach a note to the spike of ``commune`` around date ``on`` (or, with ``shared=True``, to
        the shared event around that date). Returns the annotation id."""
        if self.store.read_only:
            raise BelvedereError(M.t("read_only_store"))
        text = (text or "").strip()
        if not text:
            raise BelvedereError(M.t("annotation_empty"))
        day = parse_date(on)
        cat = CATEGORIES.get(category.strip().lower())
        if cat is None:
            choices = ", ".join(sorted(set(CATEGORIES.values())))
            raise BelvedereError(M.t("bad_category", value=category, choices=choices))
        if url and not url.lower().startswith(("http://", "https://")):
            raise BelvedereError(M.t("bad_url", url=url))
        code = None
        if not shared:
            if commune is None:
                raise BelvedereError(M.t("annotation_needs_commune"))
            code = resolve_commune(self.store, commune)["code"]
        with self.store.transaction() as con:
            con.execute(
                "INSERT INTO annotations (target_kind, commune_code, target_date, text, url, category, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                ["shared" if shared else "spike", code, day, text, url, cat, datetime.now(UTC).replace(tzinfo=None)],
            )
            new_id = con.execute("SELECT max(annotation_id) FROM annotations").fetchall()[0][0]
        return int(new_id)

    def annotations(self) -> pl.DataFrame:
        return self.store.frame("SELECT * FROM annotations ORDER BY annotation_id")

    # --- typology, peers, profile ------------------------------------------------------------
    def typology_frame(self, start: str | date | None = None, end: str | date | None = None,
                       codes: list[str] | None = None) -> pl.DataFrame:  # fmt: skip
        """Metrics plus spikes per year and the typology with its explanation, for all communes or
        only ``codes`` (much faster for a few towns: spikes are then detected for them alone)."""
        nat = self._nat(start, end)
        if nat.typology is not None:
            return nat.typology if codes is None else nat.typology.filter(pl.col("code").is_in(codes))
        if codes is None:
            spikes = self._spikes_all(nat)
            metrics = nat.metrics
        else:
            keep = [c for c in dict.fromkeys(codes) if c in set(nat.panel.codes)]
            spikes, season = detect_panel(nat.panel.subset(keep), self.spike_params)
            metrics = nat.metrics.filter(pl.col("code").is_in(keep))
            if "summer_index_baseline" not in metrics.columns:
                metrics = metrics.join(season, on="code", how="left")
        summary = spike_summary(spikes, metrics, self._years(nat))
        if self._cities is None:
            self._cities = nearest_large_city(self.communes())
        features = metrics.join(summary, on="code", how="left").join(self._cities, on="code", how="left")
        typed = classify(
            features.with_columns(
                pl.coalesce("summer_index_baseline", "summer_index").alias("summer_index"),
                pl.coalesce("winter_index_baseline", "winter_index").alias("winter_index"),
            )
        )
        out = features.join(typed, on="code", how="left")
        if codes is None:
            nat.typology = out
        return out

    def typology(self, start: str | date | None = None, end: str | date | None = None,
                 scope: str = "all") -> pl.DataFrame:  # fmt: skip
        df = self.metrics(start, end, scope, typology=True)
        return df.select("code", "name", "departement", "population", "typology", "typology_label", "reasons",
                         "explanation", "summer_index", "winter_index", "spikes_per_year", "spike_share",
                         "visibility_surplus")  # fmt: skip

    def peers(self, commune: str, start: str | date | None = None, end: str | date | None = None, n: int = 10,
              metric: str = "views_per_inhabitant") -> pl.DataFrame:  # fmt: skip
        """The n most comparable communes and where ``commune`` stands among them."""
        code = resolve_commune(self.store, commune)["code"]
        return self._peers(code, start, end, n, metric)

    def _peers(self, code: str, start: str | date | None, end: str | date | None, n: int = 10,
               metric: str = "views_per_inhabitant") -> pl.DataFrame:  # fmt: skip
        nat = self._nat(start, end)
        if code not in set(nat.metrics["code"].to_list()):
            raise BelvedereError(M.t("no_audience_commune", code=code))
        # the closest candidates on everything but the typology, then their typology, then the pick
        shortlist = peer_group(nat.metrics, code, max(20 * n, 200), metric)["code"].to_list()
        return peer_group(self.typology_frame(start, end, shortlist), code, n, metric)

    def profile(self, commune: str, start: str | date | None = None, end: str | date | None = None) -> dict:
        """Everything about one commune for the period, as a dict ready for JSON."""
        c = resolve_commune(self.store, commune)
        code = c["code"]
        nat = self._nat(start, end)
        group = self._peers(code, start, end)
        r = self.typology_frame(start, end, [code]).row(0, named=True)
        spikes = self.spikes(code, nat.panel.start, nat.panel.end)
        shifts = level_shifts(nat.panel.series(code))
        info = self.communes().filter(pl.col("code") == code).row(0, named=True)
        profile = {
            "code": code,
            "name": r["name"],
            "departement": r["departement"],
            "departement_name": info.get("departement_name"),
            "region": r["region"],
            "region_name": info.get("region_name"),
            "population": r["population"],
            "size_class": r["size_class"],
            "is_pvd": r["is_pvd"],
            "is_commune_nouvelle": r.get("is_commune_nouvelle"),
            "start": nat.panel.start,
            "end": nat.panel.end,
            "days": r["days"],
            "total_views": r["total_views"],
            "mean_daily_views": r["mean_daily_views"],
            "views_per_inhabitant": r["views_per_inhabitant"],
            "views_per_1000_inh_year": r["views_per_1000_inh_year"],
            "visibility_surplus": r["visibility_surplus"],
            "expected_daily_views": r["expected_daily_views"],
            "yoy_change": r["yoy_change"],
            "mobile_share": r["mobile_share"],
            "summer_share": r["summer_share"],
            "winter_share": r["winter_share"],
            "summer_index": r["summer_index"],
            "winter_index": r["winter_index"],
            "weekday_profile": {d: r[f"weekday_{d}"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            "typology": r["typology"],
            "typology_label": r["typology_label"],
            "typology_reasons": r["reasons"],
            "typology_explanation": r["explanation"],
            "spikes": spikes.height - int(spikes["suspected_bot"].sum()),
            "suspected_bot_spikes": int(spikes["suspected_bot"].sum()),
            "spikes_per_year": r["spikes_per_year"],
            "spike_share": r["spike_share"],
            "level_shifts": shifts.to_dicts(),
            "peers": standing(group),
            "simulated": self.simulated,
        }
        for g in ("france", "pvd", "region", "departement", "size_class"):
            profile[f"rank_{g}"] = r[f"rank_{g}"]
            profile[f"n_{g}"] = r[f"n_{g}"]
            profile[f"percentile_{g}"] = r[f"percentile_{g}"]
        return profile


GROUPINGS = ("group", "region", "departement", "size_class", "is_pvd")
RANK_METRICS = (
    "views_per_inhabitant", "views_per_1000_inh_year", "total_views", "mean_daily_views", "visibility_surplus",
    "mobile_share", "summer_share", "winter_share", "yoy_change",
)  # fmt: skip
