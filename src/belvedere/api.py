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

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypedDict, cast

import numpy as np
import polars as pl

from belvedere import dates, figures, present
from belvedere import messages as M
from belvedere.analysis import foreign as abroad
from belvedere.analysis import impact
from belvedere.analysis import scorecard as scoring
from belvedere.analysis.attachment import Correlation, attachment_values, correlations, divergence, place_all
from belvedere.analysis.causes import MIN_GROWTH, Cause, spike_causes
from belvedere.analysis.events import shared_events
from belvedere.analysis.explain import Explanation, explain
from belvedere.analysis.impact import Window
from belvedere.analysis.metrics import (
    add_ranks,
    add_visibility_surplus,
    audience_metrics,
    commune_metrics,
    group_summary,
)
from belvedere.analysis.panel import Panel
from belvedere.analysis.peers import PeerIndex, standing
from belvedere.analysis.peers import peers as peer_group
from belvedere.analysis.scorecard import Scorecard
from belvedere.analysis.spikes import (
    SpikeParams,
    detect_panel,
    level_shifts,
    spike_summary,
)
from belvedere.analysis.typology import classify, nearest_large_city
from belvedere.config import PARTIAL_SHARE, Settings
from belvedere.errors import (
    AmbiguousCommuneError,
    BelvedereError,
    NoAudienceError,
    ReadOnlyStoreError,
    UnknownCampaignError,
    UnknownCommuneError,
)
from belvedere.reference.lookup import (
    COMMUNE_COLUMNS,
    COMMUNE_FROM,
    INSEE_CODE,
    match_communes,
    resolve_commune,
    select_communes,
    suggest_communes,
)
from belvedere.reference.names import fold
from belvedere.store import Store, writes
from belvedere.store.queries import article_referrals, audience_range, communes_frame, load_panel

CATEGORIES = {
    "tv": "tv", "télé": "tv", "television": "tv", "télévision": "tv",
    "film": "film", "cinema": "film", "cinéma": "film", "serie": "film", "série": "film",
    "presse": "presse", "news": "presse", "actualite": "presse", "actualité": "presse", "media": "presse",
    "sport": "sport",
    "campagne": "campagne", "campaign": "campagne",
    "evenement": "evenement", "événement": "evenement", "event": "evenement", "festival": "evenement",
    "autre": "autre", "other": "autre",
}  # fmt: skip


EVENTS_ALPHA = 0.05  # the shared events' false discovery rate, the one kept with the figures
SEASON_BASELINE = ("summer_index_baseline", "winter_index_baseline")  # seasons of the spike-free baseline


def parse_date(value: str | date | None) -> date | None:
    """An optional date: None stays None (the default period)."""
    return None if value is None else dates.parse_date(value)


ALONE_READS = 3  # communes whose kept spikes are read one by one before the national ones are read


@dataclass
class _National:
    """Everything computed once per period over all communes.

    Read from the store's figures (see :mod:`belvedere.figures`) when they are current: the commune x
    day panel is then loaded only when a question needs every commune's days (a campaign's donors),
    and one commune's series is read alone."""

    start: date
    end: date
    metrics: pl.DataFrame
    loader: Callable[[list[str] | None], Panel]  # the panel of the period, of every commune or of some
    loaded: Panel | None = None  # the national panel, once loaded
    spikes: pl.DataFrame | None = None
    typology: pl.DataFrame | None = None
    # the national spikes sorted by commune, and where each commune's run of rows starts and ends
    spikes_by_code: tuple[pl.DataFrame, dict[str, tuple[int, int]]] | None = None
    peer_index: dict[str, PeerIndex] = field(default_factory=dict)
    typology_rows: dict[str, int] | None = None
    typology_panel_rows: np.ndarray | None = None  # panel row of each typology row (-1: none)
    impacts: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)  # kept until campaigns change
    shifts: dict[str, pl.DataFrame] = field(default_factory=dict)  # level shifts, per commune asked
    events: dict[tuple[str, float], pl.DataFrame] = field(default_factory=dict)
    single: dict[str, Panel] = field(default_factory=dict)  # one commune's panel, when the national one is not loaded
    medians: dict[tuple[str, str], dict[tuple[str, str], tuple[float, int]]] = field(default_factory=dict)
    metrics_rows: dict[str, int] | None = None
    coverage: tuple[int, int] | None = None  # see Observatory.coverage
    scores: pl.DataFrame | None = None  # see Observatory.dimension_scores
    indicators: pl.DataFrame | None = None  # see Observatory._indicator_frame
    placed: pl.DataFrame | None = None  # see Observatory._indicator_table
    explanations: dict[str, Explanation | None] = field(default_factory=dict)  # see Observatory.explanation
    kept_stamp: str | None = None  # the kept figures these came from: their spikes and events are read when asked
    alone_reads: int = 0  # communes whose kept spikes were read alone (see Observatory._spikes_of)
    classified: pl.DataFrame | None = None  # a typology kept before new audience (see Observatory.patched_frames)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def panel(self) -> Panel:
        if self.loaded is None:
            self.loaded = self.loader(None)
        return self.loaded

    @property
    def codes(self) -> frozenset[str]:
        """The communes with audience over the period (the rows of the metrics)."""
        if self._codes is None:
            self._codes = frozenset(self.metrics["code"].to_list())
        return self._codes

    _codes: frozenset[str] | None = None

    def has(self, code: str) -> bool:
        return code in self.codes

    def commune_panel(self, code: str) -> Panel:
        """The panel of one commune: the national one when loaded, else read for it alone."""
        if self.loaded is not None:
            return self.loaded
        if code not in self.single:
            if len(self.single) > 256:
                self.single.clear()
            self.single[code] = self.loader([code])
        return self.single[code]

    def series(self, code: str) -> pl.DataFrame:
        return self.commune_panel(code).series(code)


MIN_PVD_PEERS = 10  # a PVD's scorecard places it among the PVD of its size class when there are this many


class Profile(TypedDict):
    """Everything about one commune over a period (``Observatory.profile``), ready for JSON: its
    identity, audience, seasonality, typology, spikes, level shifts, peers and ranks (rank, number
    ranked and percentile in France, among PVD, in its région, département and size class)."""

    code: str
    name: str
    departement: str
    departement_name: str | None
    region: str
    region_name: str | None
    population: int | None
    size_class: str | None
    is_pvd: bool
    is_commune_nouvelle: bool | None
    start: date
    end: date
    days: int
    total_views: int
    mean_daily_views: float | None
    views_per_inhabitant: float | None
    views_per_1000_inh_year: float | None
    visibility_surplus: float | None
    expected_daily_views: float | None
    yoy_change: float | None
    mobile_share: float | None
    mobile_season_lift: float | None  # mobile share in the busiest months minus in the others (points)
    mobile_peak_month: int | None  # the busiest month of the year (1-12)
    summer_share: float | None
    winter_share: float | None
    summer_index: float | None
    winter_index: float | None
    weekday_profile: dict[str, float | None]
    typology: str | None
    typology_label: str | None
    typology_reasons: list[str] | None
    typology_explanation: str | None
    spikes: int
    suspected_bot_spikes: int
    spikes_per_year: float | None
    spike_share: float | None
    level_shifts: list[dict[str, Any]]
    peers: dict[str, Any]
    simulated: bool
    communes_held: int  # communes with a population the store holds audience for over the period
    communes_total: int  # communes with a population in France
    partial: bool  # the store follows too few communes for its ranks and medians to be France's
    rank_france: int | None
    n_france: int | None
    percentile_france: float | None
    rank_pvd: int | None
    n_pvd: int | None
    percentile_pvd: float | None
    rank_region: int | None
    n_region: int | None
    percentile_region: float | None
    rank_departement: int | None
    n_departement: int | None
    percentile_departement: float | None
    rank_size_class: int | None
    n_size_class: int | None
    percentile_size_class: float | None


class CommuneView(NamedTuple):
    """What a commune page shows: the profile and the pieces it was built from."""

    profile: Profile
    spikes: pl.DataFrame
    peers: pl.DataFrame
    series: pl.DataFrame


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
        # guards the store's connection (one query at a time) and the national computations (one
        # thread computes, the others wait): a web server calls from many threads
        self.lock = threading.RLock()
        self.simulated = store.simulated  # read once: still known after close()
        self.spike_params = spike_params
        self.progress = progress
        self._communes: pl.DataFrame | None = None
        self._rows: dict[str, int] | None = None
        self._search: pl.DataFrame | None = None
        self._postal: pl.DataFrame | None = None
        self._former: pl.DataFrame | None = None
        self._articles: pl.DataFrame | None = None  # every article's title and kind (not its views)
        # the referrals of the widest period asked, with the state of the store they came from
        self._referred: tuple[int, date, date, pl.DataFrame] | None = None
        self._history: pl.DataFrame | None = None
        self._article_rows: dict[str, tuple[int, int]] | None = None
        self._snapshot_info: dict[str, str] | None = None
        self._standing: dict[tuple[str, date, date], dict[str, str] | None] = {}
        self._facts: tuple[pl.DataFrame, pl.DataFrame] | None = None  # see _all_facts
        self._territory: tuple[pl.DataFrame, pl.DataFrame] | None = None  # see territory_facts
        self._attachment: pl.DataFrame | None = None  # see _attachment_values
        self._attachment_place: pl.DataFrame | None = None  # see _attachment_placed
        self._referrers: dict[tuple[str, date | None], pl.DataFrame] = {}  # see referrers
        self._foreign: dict[tuple[date, date, str], pl.DataFrame] = {}  # see foreign_ranking
        self._surveys: pl.DataFrame | None = None  # see surveys
        self._audience_pct: dict[tuple[date, date], dict[str, float]] = {}  # see _audience_percentiles
        self._history_rows: dict[str, tuple[int, int]] | None = None
        self._notes: pl.DataFrame | None = None
        self._noted: set[str] = set()  # communes with a note on one of their spikes
        self.notes_version = 0  # changes with every annotation or campaign written through this Observatory
        self._campaigns: pl.DataFrame | None = None
        self._cities: pl.DataFrame | None = None
        self._range: tuple[date | None, date | None] | None = None
        self._scopes: dict[str, list[str]] = {}
        self._rankings: dict[tuple[Any, ...], pl.DataFrame] = {}
        self._national: dict[tuple[date, date], _National] = {}
        self.kept_figures = True  # read the national figures the store keeps when they are current
        self.computed: list[tuple[date, date]] = []  # periods whose national figures were computed here

    def forget_national(self, start: date, end: date) -> None:
        """Drop what was computed or read for a period (the next question computes it again)."""
        with self.lock:
            self._national.pop((start, end), None)
            self._rankings.clear()

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
            with self.lock:
                self._communes = communes_frame(self.store)
        return self._communes

    def frame(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pl.DataFrame:
        """A query on the store as a DataFrame (one query at a time, whatever the thread)."""
        with self.lock:
            return self.store.frame(sql, params)

    def search(self, text: str, limit: int = 20) -> pl.DataFrame:
        """Communes for what someone typed, best matches first (see :meth:`find`)."""
        return self.find(text, limit)[0]

    def find(self, text: str, limit: int = 20) -> tuple[pl.DataFrame, str]:
        """Communes for what someone typed, and how they were found: ``code`` (an INSEE code, current
        or former), ``name`` (the name contains it, accents, case and hyphens ignored), ``close`` (no
        name does: the closest names, for "Vouliez-vous dire"), or ``none``. Answered from memory
        after the first call."""
        if self._search is None:
            with self.lock:
                self._search = self.store.frame(f"SELECT {COMMUNE_COLUMNS}, c.search_key FROM {COMMUNE_FROM}")
        typed = text.strip()
        if INSEE_CODE.match(typed):
            insee: str | None = None
            try:
                insee = self.code_of(typed)
            except (UnknownCommuneError, AmbiguousCommuneError):
                pass
            if self._postal is None:
                with self.lock:
                    self._postal = self.store.frame("SELECT postal_code, code FROM postal_codes")
            # a postal code too (often shared, and sometimes another commune's INSEE code)
            postal = self._postal.filter(pl.col("postal_code") == typed)["code"].to_list()
            codes = list(dict.fromkeys([*([insee] if insee else []), *postal]))
            if codes:  # the INSEE code's commune first, then the postal code's, most populated first
                found = self._search.filter(pl.col("code").is_in(codes))
                found = found.with_columns((pl.col("code") != (insee or "")).alias("_later")).sort(
                    ["_later", "population"], descending=[False, True], nulls_last=True
                )
                return found.drop("search_key", "_later"), "code"
        found = match_communes(self._search, typed, limit)
        if found.height:
            return found.drop("search_key"), "name"
        if self._former is None:  # a former commune's name (commune déléguée, associée) leads to today's
            with self.lock:
                self._former = self.store.frame(
                    "SELECT DISTINCT old_name, current_code AS code FROM commune_history WHERE old_name IS NOT NULL"
                ).with_columns(pl.col("old_name").map_elements(fold, return_dtype=pl.String).alias("key"))
        key = fold(typed)
        former = self._former.filter(pl.col("key") == key)["code"].to_list() if key else []
        if former:
            return self._search.filter(pl.col("code").is_in(former)).drop("search_key"), "name"
        close = suggest_communes(self._search, typed, min(limit, 5))
        return close.drop("search_key"), "close" if close.height else "none"

    def code_of(self, commune: str) -> str:
        """The current INSEE code of a commune given by code, former code, name or "Name (dep)".
        A current code is answered from memory; the rest asks the store."""
        key = commune.strip().upper()
        if key in self._commune_rows():
            return key
        with self.lock:
            return str(resolve_commune(self.store, commune)["code"])

    def period(self, start: str | date | None = None, end: str | date | None = None) -> tuple[date, date]:
        """The period asked, defaulting to the audience the store holds; checked."""
        if self._range is None:  # a scan of the whole table: once per Observatory
            with self.lock:
                self._range = audience_range(self.store)
        first, last = self._range
        if first is None or last is None:
            raise NoAudienceError(M.t("no_audience"))
        d_start, d_end = parse_date(start) or first, parse_date(end) or last
        if d_end < d_start:
            raise BelvedereError(M.t("end_before_start", start=d_start, end=d_end))
        if d_end < first or d_start > last:
            raise BelvedereError(M.t("no_audience_in_period", start=d_start, end=d_end, first=first, last=last))
        return max(d_start, first), min(d_end, last)

    def _panel_loader(self, key: tuple[date, date]) -> Callable[[list[str] | None], Panel]:
        """How a period's panel is read when a question needs it: of every commune, or of some."""

        def loader(codes: list[str] | None) -> Panel:
            with self.lock:
                return load_panel(self.store, *key, codes)

        return loader

    def _nat(self, start: str | date | None, end: str | date | None) -> _National:
        key = self.period(start, end)
        nat = self._national.get(key)
        if nat is not None:
            return nat
        with self.lock:  # one thread computes, the others wait for it
            if key in self._national:
                return self._national[key]

            loader = self._panel_loader(key)
            kept = figures.load(self.store, *key, kinds=("typology",)) if self.kept_figures else None
            if kept is not None:  # computed before from the store as it is: read, not recomputed
                nat = _National(*key, kept.frames["metrics"], loader, typology=kept.frames["typology"],
                                kept_stamp=kept.stamp)  # fmt: skip
                self._national[key] = nat
                return nat
            if self.progress:
                self.progress("audience", 0, 1)
            # a period inside one whose panel is loaded (the last 12 months after the whole
            # audience, when figures are kept after a write): sliced from it, not read again
            wider = [n.loaded for (s, e), n in self._national.items()
                     if n.loaded is not None and s <= key[0] and key[1] <= e]  # fmt: skip
            panel = wider[0].between(*key) if wider else load_panel(self.store, *key)
            if self.progress:
                self.progress("audience", 1, 1)
            metrics = add_ranks(audience_metrics(panel, self.communes()))
            nat = self._national[key] = _National(*key, metrics, loader, loaded=panel)
            self.computed.append(key)
        return nat

    def national_frames(
        self, start: str | date | None = None, end: str | date | None = None
    ) -> dict[str, pl.DataFrame]:
        """The national figures of a period, computed if need be: what :mod:`belvedere.figures` keeps."""
        self.typology_frame(start, end)
        self.events(start, end)
        nat = self._nat(start, end)
        spikes = self._spikes_all(nat)
        assert nat.typology is not None
        return {"metrics": nat.metrics, "spikes": spikes, "typology": nat.typology,
                "events": nat.events[("all", EVENTS_ALPHA)]}  # fmt: skip

    def patched_frames(self, start: date, end: date, codes: list[str],
                       kept: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:  # fmt: skip
        """The national figures of a period after new audience for ``codes`` alone, from ``kept``, its
        figures before (metrics, spikes, typology): those communes' metrics and spikes computed again
        from their own days, then what depends on every commune (the surplus fit, the ranks, the
        typology, the shared events) computed over all of them. Rows stay in commune order, as a
        full computation gives them: the same figures, for a town's days instead of France's."""
        key = (start, end)
        self.forget_national(*key)
        with self.lock:
            panel = load_panel(self.store, *key, codes)
        fresh = commune_metrics(panel, self.communes())
        spikes, season = detect_panel(panel, self.spike_params)
        others = ~pl.col("code").is_in(codes)
        old = kept["metrics"].filter(others)
        base = old.select(fresh.columns)
        metrics = add_ranks(add_visibility_surplus(pl.concat([base, fresh.cast(base.schema)]).sort("code")))
        seasons = old.select(season.columns)
        metrics = metrics.join(pl.concat([seasons, season.cast(seasons.schema)]), on="code", how="left")
        old_spikes = kept["spikes"].filter(others)
        spikes = pl.concat([old_spikes, spikes.cast(old_spikes.schema)]).sort("code", maintain_order=True)
        with self.lock:
            self._national[key] = _National(*key, metrics, self._panel_loader(key), spikes=spikes,
                                            classified=kept["typology"])  # fmt: skip
        return self.national_frames(*key)

    def prepare_period(self, start: str | date | None = None, end: str | date | None = None) -> None:
        """Compute what every commune page of the period reads beyond the commune itself: the national
        figures, the scorecard's placed indicators and the national model (a server does this for a
        period asked for the first time, while a page says it is computing)."""
        self.national_frames(start, end)
        self.dimension_scores(start, end)
        self.explanation(start, end)
        self._attachment_placed()
        self._audience_percentiles(start, end)

    def ready(self, start: str | date | None = None, end: str | date | None = None) -> bool:
        """Whether the national figures of the period are computed, so that questions about one
        commune are answered in milliseconds."""
        try:
            key = self.period(start, end)
        except BelvedereError:
            return False
        nat = self._national.get(key)
        return nat is not None and nat.typology is not None

    def panel(self, start: str | date | None = None, end: str | date | None = None) -> Panel:
        """The commune x day panel of the period (all communes with audience)."""
        return self._nat(start, end).panel

    def commune_panel(self, commune: str, start: str | date | None = None, end: str | date | None = None) -> Panel:
        """A panel holding this commune's days over the period (the national one when it is loaded,
        else read for the commune alone)."""
        code = self.code_of(commune)
        nat = self._nat(start, end)
        if not nat.has(code):
            raise NoAudienceError(M.t("no_audience_commune", code=code), code)
        return nat.commune_panel(code)

    def series(self, commune: str, start: str | date | None = None, end: str | date | None = None) -> pl.DataFrame:
        """One commune's daily audience: date, views (user, all accesses), desktop, mobile,
        automated; days not fetched are absent (missing is not zero)."""
        code = self.code_of(commune)
        nat = self._nat(start, end)
        if not nat.has(code):
            raise NoAudienceError(M.t("no_audience_commune", code=code), code)
        return nat.series(code)

    def codes(self, scope: str) -> list[str]:
        """Commune codes of a scope: all, pvd, region:CODE, dep:CODE, size:CLASS or codes/names."""
        key = scope.strip().lower()
        if key not in self._scopes:
            with self.lock:
                self._scopes[key] = select_communes(self.store, scope)
        return self._scopes[key]

    def _years(self, nat: _National) -> float:
        return nat.days / 365.25

    def _spikes_all(self, nat: _National) -> pl.DataFrame:
        if nat.spikes is None:
            with self.lock:
                if nat.spikes is None and nat.kept_stamp is not None:
                    nat.spikes = figures.read_kind(self.store, nat.start, nat.end, "spikes", nat.kept_stamp)
                if nat.spikes is None:
                    progress = self.progress
                    report = (lambda done, total: progress("spikes", done, total)) if progress else None
                    spikes, season = detect_panel(nat.panel, self.spike_params, progress=report)
                    stale = [c for c in season.columns[1:] if c in nat.metrics.columns]  # from kept figures gone stale
                    nat.metrics = nat.metrics.drop(stale).join(season, on="code", how="left")
                    nat.spikes = spikes
        return nat.spikes

    # --- metrics and rankings ---------------------------------------------------------------
    def metrics(self, start: str | date | None = None, end: str | date | None = None, scope: str = "all",
                *, typology: bool = False) -> pl.DataFrame:  # fmt: skip
        """Audience metrics of the scope's communes: volumes, per inhabitant, ranks (France, PVD,
        région, département, size class), visibility surplus, seasonality, mobile share, year-on-year
        change; with ``typology=True`` also spikes per year and the typology."""
        nat = self._nat(start, end)
        # the seasons of the spike-free baseline come with the typology (they need the spikes): the
        # same columns whether the spikes were computed, read, or not needed yet
        df = self.typology_frame(start, end) if typology else nat.metrics.drop(SEASON_BASELINE, strict=False)
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
            if metric.startswith("score_"):  # a scorecard dimension
                df = df.join(self.dimension_scores(start, end), on="code", how="left")
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
        frame = self._nat(start, end).metrics
        if metric.startswith("score_"):  # a scorecard dimension
            frame = frame.join(self.dimension_scores(start, end), on="code", how="left")
        return group_summary(frame, by, metric)

    # --- spikes, events, annotations ---------------------------------------------------------
    def spikes(self, commune: str | None = None, start: str | date | None = None, end: str | date | None = None,
               scope: str = "all", include_bots: bool = True) -> pl.DataFrame:  # fmt: skip
        """Spikes of one commune (code or name) or of a scope, with their annotations."""
        if commune is not None and self.kept_figures:
            period = self.period(start, end)
            if period not in self._national:  # one commune, nothing read yet: its rows of the kept figures
                code = self.code_of(commune)
                with self.lock:
                    alone = figures.commune_spikes(self.store, *period, code)
                if alone is not None:
                    return self._named_spikes(alone, code, include_bots)
        nat = self._nat(start, end)
        if commune is not None:
            code = self.code_of(commune)
            if not nat.has(code):
                raise NoAudienceError(M.t("no_audience_commune", code=code), code)
            spikes = self._spikes_of(nat, code)
        else:
            spikes = self._spikes_all(nat)
            if scope.strip().lower() != "all":
                spikes = spikes.filter(pl.col("code").is_in(self.codes(scope)))
        if commune is not None:
            return self._named_spikes(spikes, code, include_bots)
        if not include_bots:
            spikes = spikes.filter(~pl.col("suspected_bot"))
        named = spikes.join(self.communes().select("code", "name"), on="code", how="left")
        return self._with_annotations(named, "spike").sort(["start", "code"])

    def _named_spikes(self, spikes: pl.DataFrame, code: str, include_bots: bool) -> pl.DataFrame:
        """One commune's spikes (already in order) with its name and annotations."""
        if not include_bots:
            spikes = spikes.filter(~pl.col("suspected_bot"))
        named = spikes.hstack([pl.Series("name", [self._name(code)] * spikes.height, dtype=pl.String)])
        return self._with_annotations(named, "spike")

    def _spikes_of(self, nat: _National, code: str) -> pl.DataFrame:
        if nat.spikes is None and nat.kept_stamp is not None:
            # a command about a commune or two reads their rows of the kept figures alone; a server,
            # asked for more, reads the national spikes once
            nat.alone_reads += 1
            if nat.alone_reads <= ALONE_READS:
                with self.lock:
                    alone = figures.commune_spikes(self.store, nat.start, nat.end, code, nat.kept_stamp)
                if alone is not None:
                    return alone
            else:
                self._spikes_all(nat)
        if nat.spikes is None:
            return detect_panel(nat.commune_panel(code).subset([code]), self.spike_params)[0].sort("start")
        if nat.spikes_by_code is None:  # the national pass already found them: index them once
            ordered = nat.spikes.sort(["code", "start"])
            nat.spikes_by_code = (ordered, _row_runs(ordered, "code"))
        ordered, rows_of = nat.spikes_by_code
        at, length = rows_of.get(code, (0, 0))
        return ordered.slice(at, length)

    def events(self, start: str | date | None = None, end: str | date | None = None, scope: str = "all",
               alpha: float = EVENTS_ALPHA) -> pl.DataFrame:  # fmt: skip
        """Shared events of the scope (see :mod:`belvedere.analysis.events`): towns fed the same month
        by the same article, then towns rising together more than chance allows (false discovery
        rate ``alpha``)."""
        nat = self._nat(start, end)
        key = (scope.strip().lower(), alpha)
        events = nat.events.get(key)
        if events is None and key == ("all", EVENTS_ALPHA) and nat.kept_stamp is not None:
            with self.lock:
                events = figures.read_kind(self.store, nat.start, nat.end, "events", nat.kept_stamp)
            if events is not None:
                nat.events[key] = events
        if events is None:  # kept per scope: the annotations are attached afresh each time
            spikes = self._spikes_all(nat)
            codes = None
            if key[0] != "all":
                codes = self.codes(scope)
                spikes = spikes.filter(pl.col("code").is_in(codes))
            referrals = self._referrals(nat.start, nat.end, codes)
            events = shared_events(spikes, referrals, fdr=alpha, days_in_scope=nat.days)
            names = dict(self.communes().select("code", "name").iter_rows())
            events = nat.events[key] = events.with_columns(
                pl.col("codes").map_elements(lambda cs: [names.get(c, c) for c in cs], return_dtype=pl.List(pl.String))
                .alias("names")
            )  # fmt: skip
        return self._with_annotations(events, "shared")

    def _referrals(self, start: date, end: date, codes: list[str] | None) -> pl.DataFrame:
        """:func:`article_referrals` of a period for every commune, or for ``codes``. A period within
        one asked before, the store unchanged since (the standard periods, kept one after the other),
        is that one's months, filtered: each month's usual readers come from the months before it,
        whatever the period."""
        with self.lock:
            if codes is not None:
                return article_referrals(self.store, start, end, min_n=MIN_GROWTH, codes=codes)
            state = int(self.store.con.execute("SELECT coalesce(max(ingest_id), 0) FROM ingest_log").fetchall()[0][0])
            kept = self._referred
            if kept is not None and kept[0] == state and kept[1] <= start and end <= kept[2]:
                return kept[3].filter(pl.col("month").is_between(start.replace(day=1), end))
            frame = article_referrals(self.store, start, end, min_n=MIN_GROWTH)
            self._referred = (state, start, end, frame)
            return frame

    def _with_annotations(self, df: pl.DataFrame, kind: str) -> pl.DataFrame:
        if self._notes is None:  # kept in memory; annotate() renews it
            with self.lock:
                notes = self.store.frame(
                    "SELECT annotation_id, target_kind, commune_code, target_date, text, url, category "
                    "FROM annotations ORDER BY annotation_id"
                )
                self._noted = set(notes.filter(pl.col("target_kind") == "spike")["commune_code"].to_list())
                self._notes = notes
        dtype = pl.List(pl.Struct({"id": pl.Int64, "text": pl.String, "url": pl.String, "category": pl.String}))
        if df.is_empty() or (kind == "spike" and self._noted.isdisjoint(df["code"].unique().to_list())):
            return df.hstack([pl.Series("annotations", [None] * df.height, dtype=dtype)])
        notes = self._notes.filter(pl.col("target_kind") == kind).drop("target_kind")
        if notes.is_empty():
            return df.hstack([pl.Series("annotations", [None] * df.height, dtype=dtype)])
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
            raise ReadOnlyStoreError(M.t("read_only_store"))
        text = (text or "").strip()
        if not text:
            raise BelvedereError(M.t("annotation_empty"))
        day = dates.check_event_date(dates.parse_date(on))
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
            code = self.code_of(commune)
        kind = "shared" if shared else "spike"
        with self.lock:
            new_id = writes.add_annotation(self.store, kind=kind, code=code, day=day, text=text, url=url,
                                           category=cat)  # fmt: skip
        self._notes = None
        self.notes_version += 1
        return int(new_id)

    def annotations(self) -> pl.DataFrame:
        return self.frame("SELECT * FROM annotations ORDER BY annotation_id")

    # --- campaigns and their impact -----------------------------------------------------------
    def add_campaign(self, name: str, communes: list[str] | str, start: str | date, end: str | date, *,
                     channel: str | None = None, cost: float | None = None,
                     notes: str | None = None) -> int:  # fmt: skip
        """Register a campaign (or an event a town organised) for one or several communes; returns
        its id. Refused: no name, end before start, a start in the future, a negative cost, or a
        commune that already has a campaign over those days (their effects could not be told apart)."""
        if self.store.read_only:
            raise ReadOnlyStoreError(M.t("read_only_store"))
        name = (name or "").strip()
        if not name:
            raise BelvedereError(M.t("campaign_no_name"))
        d_start, d_end = dates.parse_date(start), dates.parse_date(end)
        if d_end < d_start:
            raise BelvedereError(M.t("end_before_start", start=d_start, end=d_end))
        if d_start > date.today():
            raise BelvedereError(M.t("campaign_future", start=d_start))
        if cost is not None and not (math.isfinite(cost) and cost >= 0):  # NaN and infinities too
            raise BelvedereError(M.t("campaign_bad_cost", cost=cost))
        dates.check_event_date(d_start)
        items = [c for c in (communes.split(",") if isinstance(communes, str) else communes) if c.strip()]
        codes = list(dict.fromkeys(self.code_of(c) for c in items))
        if not codes:
            raise BelvedereError(M.t("campaign_no_commune"))
        channel = (channel or "").strip() or None
        with self.lock:
            new_id = writes.add_campaign(self.store, name=name, codes=codes, start=d_start, end=d_end,
                                         channel=channel, cost=cost, notes=notes)  # fmt: skip
        self._campaign_changed()
        return int(new_id)

    def campaigns(self, commune: str | None = None) -> pl.DataFrame:
        """Registered campaigns (one row per campaign, its communes as a list), newest first; kept
        in memory until one is added or removed here."""
        if self._campaigns is None:
            self._campaigns = self.frame(
                "SELECT c.campaign_id, c.name, c.channel, c.start_date, c.end_date, c.cost, c.notes, "
                "list(cc.commune_code ORDER BY cc.commune_code) AS communes FROM campaigns c "
                "JOIN campaign_communes cc USING (campaign_id) "
                "GROUP BY ALL ORDER BY c.start_date DESC, c.campaign_id DESC"
            )
        if commune is None:
            return self._campaigns
        return self._campaigns.filter(pl.col("communes").list.contains(self.code_of(commune)))

    def campaign(self, campaign_id: int) -> dict[str, Any]:
        df = self.campaigns().filter(pl.col("campaign_id") == int(campaign_id))
        if df.is_empty():
            raise UnknownCampaignError(M.t("campaign_unknown", id=campaign_id))
        return df.row(0, named=True)

    def remove_campaign(self, campaign_id: int) -> None:
        if self.store.read_only:
            raise ReadOnlyStoreError(M.t("read_only_store"))
        self.campaign(campaign_id)
        with self.lock:
            writes.remove_campaign(self.store, int(campaign_id))
        self._campaign_changed()

    def notes_changed(self) -> None:
        """Annotations or campaigns were written through another Observatory over the same file:
        read them again at the next question."""
        self._notes = None
        self._campaign_changed()

    def _campaign_changed(self) -> None:
        """Campaigns decide the donors of every estimate: forget the estimates and the pages."""
        self._campaigns = None
        self.notes_version += 1
        for nat in self._national.values():
            nat.impacts.clear()

    def impact(self, campaign_id: int) -> list[dict[str, Any]]:
        """The estimated effect of a campaign on each of its communes: extra views during and after
        it (absolute and %), with a placebo-calibrated 95 % interval, the method used and why, the
        pre-period fit, mobile views apart, and a sentence in French."""
        camp = self.campaign(campaign_id)
        nat = self._nat(None, None)
        out = []
        for code in camp["communes"]:
            key = (camp["campaign_id"], code)
            if key not in nat.impacts:
                nat.impacts[key] = self._impact_one(camp, code)
            out.append(nat.impacts[key])
        return out

    def commune_impacts(self, commune: str) -> list[dict[str, Any]]:
        """Every campaign of a commune with its measured effect, or why it cannot be measured yet
        (``error``): what a commune page and report show."""
        code = self.code_of(commune)
        out: list[dict[str, Any]] = []
        for camp in self.campaigns(code).iter_rows(named=True):
            try:
                found = next(r for r in self.impact(camp["campaign_id"]) if r["code"] == code)
                out.append({"campaign": camp, "impact": found, "error": None})
            except BelvedereError as exc:
                out.append({"campaign": camp, "impact": None, "error": str(exc)})
        return out

    def _impact_one(self, camp: dict[str, Any], code: str) -> dict[str, Any]:
        nat = self._nat(None, None)
        # the national panel when it is at hand; otherwise the commune's days and its donors' alone,
        # read for them (a page about a commune with a campaign does not read all of France)
        panel = nat.loaded if nat.loaded is not None else nat.commune_panel(code)
        if code not in panel.positions:
            raise NoAudienceError(M.t("no_audience_commune", code=code), code)
        w = impact.campaign_window(panel, camp["start_date"], camp["end_date"])
        if w == "not_over":
            raise BelvedereError(M.t("impact_not_over", end=camp["end_date"], last=panel.end))
        if not isinstance(w, Window):
            raise BelvedereError(M.t("impact_short_pre", days=max((camp["start_date"] - panel.start).days, 0),
                                     first=panel.start, need=impact.MIN_PRE_DAYS))  # fmt: skip
        donors, relaxed = self._impact_donors(nat, code, w)
        own = self._spikes_of(nat, code).filter(~pl.col("suspected_bot")).select("start", "end").rows()
        if nat.loaded is None:
            with self.lock:
                panel = load_panel(self.store, nat.start, nat.end, [code, *donors])
        found = impact.campaign_estimate(panel, code, donors, w, own)
        if found is None:
            raise BelvedereError(M.t("impact_impossible", code=code))
        out = {
            "campaign_id": camp["campaign_id"], "campaign": camp["name"], "code": code, "name": self._name(code),
            "start": camp["start_date"], "end": camp["end_date"],
            "after_end": panel.start + timedelta(days=w.post), "pre_start": panel.start + timedelta(days=w.pre),
            "method": found["method"], "donors": len(donors), "donors_relaxed": relaxed,
            "method_spread": found["alternatives"], "placebos": found["placebos"], "pre_fit": found["pre_fit"],
            "during": found["during"], "after": found["after"], "mobile_during": found["mobile_during"],
            "simulated": self.simulated,
        }  # fmt: skip
        out["why"] = M.impact_why(out)
        out["sentence"] = M.impact_sentence(out)
        out["mobile_sentence"] = M.impact_mobile(out)
        return out

    def _impact_donors(self, nat: _National, code: str, w: Window) -> tuple[list[str], bool]:
        """The campaign's comparable communes (:func:`impact.choose_donors`): the typology, the
        communes with a campaign, those with a spike from the pre-period to the after-period, and
        which have data every day of the window."""
        typ = self.typology_frame(nat.start, nat.end)
        treated = set(self.campaigns()["communes"].explode().to_list())
        first, last = nat.start + timedelta(days=w.pre), nat.start + timedelta(days=w.post)
        around = ~pl.col("suspected_bot") & (pl.col("start") <= last) & (pl.col("end") >= first)
        spiky = set(self._spikes_all(nat).filter(around)["code"].to_list())
        if nat.loaded is None:  # data every day of the window, read for the closest candidates only

            def full(codes: list[str]) -> set[str]:
                with self.lock:
                    part = load_panel(self.store, nat.start, nat.end, codes)
                whole = np.asarray(part.covered[:, w.pre : w.post + 1].all(axis=1))
                return {c for c in codes if c in part.positions and bool(whole[part.positions[c]])}

            return impact.choose_donors(typ, code, treated=treated, spiky=spiky, full=full)
        # data every day of the window, read on the panel rows of the typology's communes
        if nat.typology_panel_rows is None:
            nat.typology_panel_rows = np.array([nat.panel.positions.get(c, -1) for c in typ["code"].to_list()])
        at = nat.typology_panel_rows
        covered = nat.panel.covered[:, w.pre : w.post + 1].all(axis=1)
        series = pl.Series(np.asarray(at >= 0) & np.asarray(covered)[np.maximum(at, 0)])
        return impact.choose_donors(typ, code, treated=treated, spiky=spiky, full=series)

    def _typology_rows(self, nat: _National) -> dict[str, int]:
        if nat.typology_rows is None:
            assert nat.typology is not None
            nat.typology_rows = {c: i for i, c in enumerate(nat.typology["code"].to_list())}
        return nat.typology_rows

    # --- typology, peers, profile ------------------------------------------------------------
    def typology_frame(self, start: str | date | None = None, end: str | date | None = None,
                       codes: list[str] | None = None) -> pl.DataFrame:  # fmt: skip
        """Metrics plus spikes per year and the typology with its explanation, for all communes or
        only ``codes`` (much faster for a few towns: spikes are then detected for them alone)."""
        nat = self._nat(start, end)
        if nat.typology is None and codes is None:
            with self.lock:  # the national typology: computed once
                if nat.typology is None:
                    nat.typology = self._typology(nat, None)
        if nat.typology is not None:
            return nat.typology if codes is None else nat.typology.filter(pl.col("code").is_in(codes))
        return self._typology(nat, codes)

    def _typology(self, nat: _National, codes: list[str] | None) -> pl.DataFrame:
        if codes is None:
            spikes = self._spikes_all(nat)
            metrics = nat.metrics
        else:
            keep = [c for c in dict.fromkeys(codes) if nat.has(c)]
            spikes, season = detect_panel(nat.panel.subset(keep), self.spike_params)
            metrics = nat.metrics.filter(pl.col("code").is_in(keep))
            if "summer_index_baseline" not in metrics.columns:
                metrics = metrics.join(season, on="code", how="left")
        summary = spike_summary(spikes, metrics, self._years(nat))
        if self._cities is None:
            self._cities = nearest_large_city(self.communes())
        features = (metrics.join(summary, on="code", how="left").join(self._cities, on="code", how="left")
                    .join(self._zones(), on="code", how="left"))  # fmt: skip
        # the seasons of the spike-free baseline: a TV show in July makes no seaside resort
        seasons = (pl.coalesce("summer_index_baseline", "summer_index").alias("summer_index"),
                   pl.coalesce("winter_index_baseline", "winter_index").alias("winter_index"))  # fmt: skip
        before = nat.classified.with_columns(seasons) if codes is None and nat.classified is not None else None
        typed = classify(features.with_columns(seasons), before)
        return features.join(typed, on="code", how="left")

    def _zones(self) -> pl.DataFrame:
        """The official zones of each commune listed (littoral: its shore or "", montagne: True, and
        the lists' vintages), for the typology's wording."""
        z = self.store.frame("SELECT code, zone, coalesce(class, '') AS class, vintage FROM zones")
        coast, mount = z.filter(pl.col("zone") == "littoral"), z.filter(pl.col("zone") == "montagne")
        return (
            coast.select("code", pl.col("class").alias("littoral"), pl.col("vintage").alias("littoral_vintage"))
            .join(mount.select("code", pl.lit(True).alias("montagne"), pl.col("vintage").alias("montagne_vintage")),
                  on="code", how="full", coalesce=True)
        )  # fmt: skip

    def typology(self, start: str | date | None = None, end: str | date | None = None,
                 scope: str = "all") -> pl.DataFrame:  # fmt: skip
        df = self.metrics(start, end, scope, typology=True)
        return df.select("code", "name", "departement", "population", "typology", "typology_label", "reasons",
                         "explanation", "summer_index", "winter_index", "spikes_per_year", "spike_share",
                         "visibility_surplus")  # fmt: skip

    def peers(self, commune: str, start: str | date | None = None, end: str | date | None = None, n: int = 10,
              metric: str = "views_per_inhabitant") -> pl.DataFrame:  # fmt: skip
        """The n most comparable communes and where ``commune`` stands among them."""
        return self._peers(self.code_of(commune), start, end, n, metric)

    def _peers(self, code: str, start: str | date | None, end: str | date | None, n: int = 10,
               metric: str = "views_per_inhabitant") -> pl.DataFrame:  # fmt: skip
        nat = self._nat(start, end)
        if not nat.has(code):
            raise NoAudienceError(M.t("no_audience_commune", code=code), code)
        if nat.typology is None:
            # the closest candidates on everything but the typology, then their typology, then the pick
            shortlist = peer_group(nat.metrics, code, max(20 * n, 200), metric)["code"].to_list()
            return peer_group(self.typology_frame(start, end, shortlist), code, n, metric)
        # the typology of every commune is known: index it once per metric (a server answers this
        # for one commune after another)
        index = nat.peer_index.get(metric)
        if index is None:
            index = nat.peer_index[metric] = PeerIndex(nat.typology, metric)
        return index.group(code, n)

    def articles(self, commune: str, start: str | date | None = None, end: str | date | None = None) -> pl.DataFrame:
        """The commune's Wikipedia titles (the article, its redirects, former communes' titles) with
        the user views each got over the period: title, url, is_redirect, verified, source, views.

        Answered from memory for a commune with one title (its views are the commune's); the store
        is asked only to split a commune's views between several titles."""
        code = self.code_of(commune)
        d_start, d_end = self.period(start, end)
        if self._articles is None:
            with self.lock:
                self._articles = self.store.frame(
                    "SELECT a.commune_code AS code, a.article_id, a.title, 'https://' || replace(a.project, "
                    "'.wikipedia', '.wikipedia.org') || '/wiki/' || a.title AS url, a.redirect_of IS NOT NULL "
                    "AS is_redirect, a.verified, a.source FROM articles a ORDER BY a.commune_code, a.title"
                )
        if self._article_rows is None:  # each commune's run of rows (the frame is sorted by code)
            self._article_rows = _row_runs(self._articles, "code")
        at, length = self._article_rows.get(code, (0, 0))
        mine = self._articles.slice(at, length)
        nat = self._nat(d_start, d_end)
        if mine.height == 1:
            row = self._metrics_rows(nat).get(code)
            views = [int(nat.metrics["total_views"][row])] if row is not None else [None]
            mine = mine.with_columns(pl.Series("views", views, dtype=pl.Int64))
        else:
            split = self.frame(
                "SELECT article_id, sum(views)::BIGINT AS views FROM pageviews WHERE article_id IN "
                "(SELECT unnest(?)) AND agent = 'user' AND date BETWEEN ? AND ? GROUP BY article_id",
                [mine["article_id"].to_list(), d_start, d_end],
            )
            mine = mine.join(split, on="article_id", how="left")
        return mine.sort(["is_redirect", "views", "title"], descending=[False, True, False], nulls_last=True).select(
            "title", "url", "is_redirect", "verified", "source", "views"
        )

    def scorecard(self, commune: str, start: str | date | None = None, end: str | date | None = None) -> Scorecard:
        """The "territoire numérique" scorecard of a commune over the period (see
        :mod:`belvedere.analysis.scorecard`): its indicators placed among the communes of its size
        class (the PVD of its size class when it is one and they are at least MIN_PVD_PEERS); read
        from every commune's placed indicators, computed once per period."""
        code = self.code_of(commune)
        nat = self._nat(start, end)
        found = self._indicator_table(nat).filter(pl.col("code") == code)
        if found.is_empty():
            raise NoAudienceError(M.t("no_audience_commune", code=code), code)
        placed = found.row(0, named=True)
        mine = self._indicator_frame(nat).filter(pl.col("code") == code).row(0, named=True)
        vintage = mine.get("tourism_vintage")
        as_of = {"audience": nat.end, "facts": scoring.as_date(mine.get("read_at")),
                 "wikidata": scoring.as_date(mine.get("item_read_at")),
                 "tourism": date(vintage, 1, 1) if vintage else None,
                 "access": scoring.as_date(mine.get("access_as_of")), "labels": self._labels_as_of(),
                 "mobile": scoring.as_date(mine.get("mobile_as_of")),
                 "inclusion": scoring.as_date(mine.get("inclusion_as_of"))}  # fmt: skip
        group = "pvd_size_class" if placed["pvd_group"] else "size_class"
        return Scorecard(code, nat.start, nat.end, group, int(placed["peers"]), scoring.from_table(placed, as_of),
                         self.simulated)  # fmt: skip

    def _labels_as_of(self) -> date | None:
        """The date of the most recent label list loaded."""
        with self.lock:
            latest = self.store.con.execute("SELECT max(as_of) FROM labels").fetchall()[0][0]
        return scoring.as_of_list(latest)

    def _indicator_table(self, nat: _National) -> pl.DataFrame:
        if nat.placed is None:
            nat.placed = scoring.indicator_table(self._indicator_frame(nat), MIN_PVD_PEERS)
        return nat.placed

    def _facts_frame(self, nat: _National) -> pl.DataFrame:
        """Per commune, its article facts, its item facts and its tourism capacity as indicator
        columns (see :func:`belvedere.analysis.scorecard.facts_columns`)."""
        with self.lock:
            facts = self.store.frame(
                """WITH art AS (
                       SELECT a.commune_code AS code, max(f.length) AS length, max(f.lead_image) AS lead_image,
                              max(f.images) AS images, max(f.refs) AS refs, max(f.languages) AS languages,
                              max(f.last_edit) AS last_edit, max(f.read_at) AS read_at,
                              max(f.edits_12m) AS edits_12m, max(f.editors_12m) AS editors_12m
                       FROM article_facts f JOIN articles a USING (article_id) GROUP BY a.commune_code)
                   SELECT coalesce(art.code, i.code) AS code, art.* EXCLUDE (code), i.website, i.social,
                          i.sitelinks, i.label_languages, i.commons_files, i.read_at AS item_read_at
                   FROM art FULL JOIN item_facts i ON i.code = art.code"""
            )
            tourism = self.store.frame(
                "SELECT code, vintage AS tourism_vintage, rooms, pitches, village_beds, residence_beds, hostel_beds "
                "FROM tourism"
            )
            access = self.store.frame("SELECT code, indicator, premises, eligible, as_of FROM access")
            labels = self.store.frame("SELECT code, label FROM labels")
            counts = self.store.frame("SELECT code, indicator, value, as_of FROM access_counts")
        facts = scoring.facts_columns(facts, nat.end)
        held = scoring.label_columns(labels, self.communes()["code"])
        return (facts.join(tourism, on="code", how="full", coalesce=True)
                .join(scoring.access_columns(access), on="code", how="full", coalesce=True)
                .join(scoring.count_columns(counts), on="code", how="full", coalesce=True)
                .join(held, on="code", how="full", coalesce=True))  # fmt: skip

    def dimension_scores(self, start: str | date | None = None, end: str | date | None = None) -> pl.DataFrame:
        """Every commune's scorecard dimension scores (``score_notoriete``, ``score_contenus``…) over
        the period: the national ranking by dimension. Computed once per period."""
        nat = self._nat(start, end)
        if nat.scores is None:
            nat.scores = scoring.dimension_scores(self._indicator_table(nat))
        return nat.scores

    def _indicator_frame(self, nat: _National) -> pl.DataFrame:
        """Every commune's metrics with its article, item and tourism indicator columns."""
        if nat.indicators is None:
            if self._cities is None:
                self._cities = nearest_large_city(self.communes())
            frame = nat.metrics.join(self._facts_frame(nat), on="code", how="left")
            if "nearest_city_km" not in frame.columns:  # the distance the national model weighs
                frame = frame.join(self._cities.select("code", "nearest_city_km"), on="code", how="left")
            nat.indicators = scoring.tourism_columns(frame)
        return nat.indicators

    def indicators(self, start: str | date | None = None, end: str | date | None = None,
                   scope: str = "all") -> pl.DataFrame:  # fmt: skip
        """The scope's communes with their metrics and every scorecard indicator column."""
        frame = self._indicator_frame(self._nat(start, end))
        return frame if scope.strip().lower() == "all" else frame.filter(pl.col("code").is_in(self.codes(scope)))

    def explanation(self, start: str | date | None = None, end: str | date | None = None,
                    scope: str = "all") -> Explanation | None:  # fmt: skip
        """What goes with views per inhabitant among the scope's communes over the period (see
        :mod:`belvedere.analysis.explain`); None with too few communes. Computed once per scope."""
        nat = self._nat(start, end)
        key = scope.strip().lower()
        if key not in nat.explanations:
            nat.explanations[key] = explain(self.indicators(start, end, scope))
        return nat.explanations[key]

    def attachment(self, commune: str, start: str | date | None = None,
                   end: str | date | None = None) -> dict[str, Any] | None:  # fmt: skip
        """Residents' attachment (see :mod:`belvedere.analysis.attachment`): each indicator's latest
        value, trend and percentile among the communes of its size class, and the story audience and
        attachment tell together; None when the store holds no attachment data for the commune."""
        code = self.code_of(commune)
        rows = attachment_values(self._attachment_placed(), code)
        if not rows:
            return None
        try:
            audience_pct = self._audience_percentiles(start, end).get(code)
        except BelvedereError:  # no audience held: attachment alone
            audience_pct = None
        return {"code": code, "values": rows, "audience_percentile": audience_pct,
                "divergence": divergence(audience_pct, rows)}  # fmt: skip

    def _audience_percentiles(self, start: str | date | None, end: str | date | None) -> dict[str, float]:
        """Each commune's views per inhabitant as the share of the other communes of its size class
        seen less, computed once per period."""
        key = self.period(start, end)
        if key not in self._audience_pct:
            per = self.metrics(*key).drop_nulls("views_per_inhabitant").filter(pl.col("size_class").is_not_null())
            placed = per.select("code", ((pl.col("views_per_inhabitant").rank("min").over("size_class") - 1)
                                         / (pl.len().over("size_class") - 1)).alias("pct"))  # fmt: skip
            self._audience_pct[key] = {c: float(p) for c, p in placed.iter_rows() if p == p and p is not None}
        return self._audience_pct[key]

    def surveys(self, commune: str) -> pl.DataFrame:
        """The residents' surveys of the commune, with their answers within the retention period
        (every survey read once; :meth:`surveys_changed` after a write)."""
        code = self.code_of(commune)
        if self._surveys is None:
            self._surveys = self.frame(
                "SELECT s.commune_code, s.survey_id, s.title, s.created_at, count(a.answer_id) AS responses "
                "FROM surveys s LEFT JOIN survey_answers a ON a.survey_id = s.survey_id "
                "AND a.answered_on >= current_date - s.retention_days GROUP BY ALL ORDER BY s.created_at DESC"
            )
        return self._surveys.filter(pl.col("commune_code") == code).drop("commune_code")

    def surveys_changed(self) -> None:
        """A survey or an answer was written: read them again at the next question."""
        self._surveys = None
        self.notes_version += 1

    def _attachment_values(self) -> pl.DataFrame:
        if self._attachment is None:  # read once: a few values per commune
            with self.lock:
                self._attachment = self.store.frame("SELECT * FROM attachment")
        return self._attachment

    def _attachment_placed(self) -> pl.DataFrame:
        """Every commune's attachment values placed among its size class, computed once."""
        if self._attachment_place is None:
            groups = self.communes().select("code", pl.col("size_class").alias("group"))
            self._attachment_place = place_all(self._attachment_values(), groups)
        return self._attachment_place

    def attachment_correlations(self, start: str | date | None = None, end: str | date | None = None,
                                scope: str = "all") -> list[Correlation]:  # fmt: skip
        """Across the scope's communes, each attachment indicator against views per inhabitant."""
        values = self._attachment_values()
        if values.is_empty():
            return []
        return correlations(values, self.metrics(start, end, scope).select("code", "views_per_inhabitant"))

    def referrers(self, commune: str, month: date | None = None) -> pl.DataFrame:
        """Where the readers of the commune's articles came from, per month (Wikimedia clickstream,
        see :mod:`belvedere.sources.clickstream`): ``month, source, referrer, type, n``, ``source``
        one of search, external, wikipedia (``referrer`` then names the article), internal, empty,
        other; the commune's articles and redirects added up. Every month held, or ``month`` only."""
        code = self.code_of(commune)
        key = (code, month)
        kept = self._referrers.get(key)
        if kept is not None:  # a page asks twice: its readers' origins and its spikes' causes
            return kept
        with self.lock:
            ids = [r[0] for r in self.store.con.execute(
                "SELECT article_id FROM articles WHERE commune_code = ?", [code]).fetchall()] or [-1]  # fmt: skip
            # the commune's article ids as values: DuckDB skips the row groups of other articles
            found = self.store.frame(
                """SELECT c.month,
                          CASE c.prev WHEN 'other-search' THEN 'search' WHEN 'other-external' THEN 'external'
                               WHEN 'other-internal' THEN 'internal' WHEN 'other-empty' THEN 'empty'
                               WHEN 'other-other' THEN 'other'
                               ELSE CASE WHEN c.type = 'link' THEN 'wikipedia' ELSE 'other' END END AS source,
                          CASE WHEN c.prev LIKE 'other-%' THEN NULL ELSE c.prev END AS referrer,
                          c.type, sum(c.n)::BIGINT AS n
                   FROM clickstream c
                   WHERE c.article_id IN (SELECT unnest($ids)) AND ($month IS NULL OR c.month = $month)
                   GROUP BY ALL ORDER BY c.month, n DESC, referrer NULLS FIRST""",
                {"ids": ids, "month": month},
            )
        if len(self._referrers) >= 512:
            self._referrers.clear()
        self._referrers[key] = found
        return found

    def _foreign_frames(self, start: str | date | None, end: str | date | None,
                        codes: list[str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:  # fmt: skip
        """(foreign months, editions, French months) of the period's whole months, for these
        communes or all (see :mod:`belvedere.analysis.foreign`)."""
        from belvedere.store.foreign import FEW_VIEWS, MONTHS_OF

        d_start, d_end = self.period(start, end)
        chosen = "$codes IS NULL OR list_contains($codes, code)"
        months = MONTHS_OF.format(articles=chosen, views="foreign_views" if codes is None else "_few_views")
        with self.lock:
            con = self.store.con
            if codes is not None:  # a page: its titles' rows first (an index lookup), not every commune's
                found = con.execute("SELECT DISTINCT title FROM foreign_articles WHERE list_contains(?, code)", [codes])
                titles = [r[0] for r in found.fetchall()]
                con.register("_few_views", con.sql(FEW_VIEWS, params=[titles]).to_arrow_table())
            try:
                foreign = self.store.frame(
                    f"SELECT code, project, month, views, hours, full_hours, source FROM ({months}) "
                    "WHERE month >= $first AND last_day(month) <= $last",
                    {"first": d_start, "last": d_end, "codes": codes},
                )
            finally:
                if codes is not None:
                    con.unregister("_few_views")
            editions = self.store.frame(
                f"SELECT code, count(*)::INTEGER AS editions FROM foreign_articles WHERE {chosen} GROUP BY code",
                {"codes": codes},
            )
            if foreign.is_empty():
                french = pl.DataFrame(schema={"code": pl.String, "month": pl.Date, "views": pl.Int64,
                                              "days": pl.Int64, "month_days": pl.Int64})  # fmt: skip
                return foreign, editions, french
            ids = None if codes is None else [r[0] for r in self.store.con.execute(
                "SELECT article_id FROM articles WHERE list_contains(?, commune_code)",
                [codes]).fetchall()] or [-1]  # fmt: skip
            # per article, access and month first (no distinct count over every row): a commune's
            # month is covered when its main article has every day of it on one access at least
            # (dense rows: a row per covered day)
            mine = "TRUE" if ids is None else "list_contains($ids, p.article_id)"  # a list: a lookup (~2x faster)
            french = self.store.frame(
                f"""WITH by_access AS (
                       SELECT p.article_id, p.access, date_trunc('month', p.date)::DATE AS month,
                              sum(p.views)::BIGINT AS views, count(*) AS days
                       FROM pageviews p
                       WHERE p.agent = 'user' AND p.date BETWEEN $first AND $last
                             AND {mine}
                       GROUP BY ALL
                   ), per AS (
                       SELECT article_id, month, sum(views)::BIGINT AS views, max(days) AS days
                       FROM by_access GROUP BY ALL)
                   SELECT a.commune_code AS code, per.month, sum(per.views)::BIGINT AS views,
                          coalesce(max(per.days) FILTER (WHERE a.redirect_of IS NULL), 0)::BIGINT AS days,
                          (last_day(per.month) - per.month + 1)::BIGINT AS month_days
                   FROM per JOIN articles a USING (article_id) WHERE a.project = 'fr.wikipedia'
                   GROUP BY ALL""",
                {"first": foreign["month"].min(), "last": d_end, **({} if ids is None else {"ids": ids})},
            )
        return foreign, editions, french

    def foreign(self, commune: str, start: str | date | None = None,
                end: str | date | None = None) -> abroad.ForeignAttention:  # fmt: skip
        """The commune's attention from abroad over the period's whole months: its articles in
        other language editions, their share of its Wikipedia readers, languages and season."""
        code = self.code_of(commune)
        return abroad.attention(code, *self._foreign_frames(start, end, [code]))

    def foreign_ranking(self, start: str | date | None = None, end: str | date | None = None,
                        scope: str = "all") -> pl.DataFrame:  # fmt: skip
        """The scope's communes ranked by attention from abroad (foreign views a month; the share
        and its rank too), with their names; computed once per period and scope."""
        key = self.period(start, end)
        codes = self.codes(scope)
        cache = (*key, scope)
        if cache not in self._foreign:
            self._foreign.clear()  # one ranking at a time: a national one is large
            self._foreign[cache] = abroad.table(*self._foreign_frames(*key, None if scope == "all" else codes))
        out = (
            self._foreign[cache].filter(pl.col("code").is_in(codes))
            .join(self.communes().select("code", "name", "departement", "population"), on="code")
            .with_columns(
                pl.col("foreign_per_month").rank("min", descending=True).cast(pl.Int64).alias("rank_views"),
                pl.col("foreign_share").rank("min", descending=True).cast(pl.Int64).alias("rank_share"),
            )
        )  # fmt: skip
        return out.sort("rank_views", "code").select(
            "rank_views",
            "code",
            "name",
            "departement",
            "population",
            "editions",
            "months",
            "foreign_per_month",
            "foreign_share",
            "rank_share",
            "top_language",
            "foreign_views",
            "french_views",
        )

    def spike_causes(self, commune: str, start: str | date | None = None,
                     end: str | date | None = None) -> dict[date, Cause]:  # fmt: skip
        """A probable cause for each of the commune's spikes over the period, from the clickstream
        the store holds (see :mod:`belvedere.analysis.causes`), by peak day."""
        code = self.code_of(commune)
        with self.lock:
            held = {r[0] for r in self.store.con.execute("SELECT DISTINCT month FROM clickstream_files").fetchall()}
        if not held:  # a store without clickstream: no cause to look for, nothing to say per spike
            return {}
        spikes = self.spikes(code, start, end)
        if spikes.is_empty():
            return {}
        peaks = [p for p in spikes.filter(~pl.col("suspected_bot"))["peak"].to_list() if isinstance(p, date)]
        return {c.peak: c for c in spike_causes(peaks, self.referrers(code), held)}

    def article_facts(self, commune: str) -> dict[str, Any] | None:
        """What the commune's article is like (see :mod:`belvedere.sources.facts`; its longest
        article when it has several), with ``peers``: the medians of the other communes of its size
        class whose articles were read (and how many), and ``item``: what its Wikidata item
        declares; None when neither was ever read. Every commune's facts are read once."""
        code = self.code_of(commune)
        articles, items = self._all_facts()
        mine = articles.filter(pl.col("code") == code)
        item = items.filter(pl.col("code") == code)
        if mine.is_empty() and item.is_empty():
            return None
        size = self.communes().filter(pl.col("code") == code)["size_class"].to_list()
        others = articles.filter((pl.col("size_class") == (size[0] if size else None)) & (pl.col("code") != code))
        other_items = items.filter((pl.col("size_class") == (size[0] if size else None)) & (pl.col("code") != code))
        peers = {
            "communes": others.height, "length": others["length"].median(), "images": others["images"].median(),
            "refs": others["refs"].median(), "sections": others["sections"].median(),
            "languages": others["languages"].median(),
            "lead_image_share": others["lead_image"].is_not_null().mean() if others.height else None,
            "item_communes": other_items.height,
            "social_share": (other_items["social"] != "").mean() if other_items.height else None,
        }  # fmt: skip
        found = mine.drop("code", "size_class").row(0, named=True) if mine.height else {"title": None, "read_at": None}
        return {**found, "peers": peers, "item": item.drop("size_class").row(0, named=True) if item.height else None}

    def territory_facts(self, commune: str) -> dict[str, Any]:
        """What the official lists say of the commune, for the advice: ``access`` (its fibre share),
        ``mobile`` (operators with a 4G antenna on it) and ``digital_help`` (places of digital
        mediation), each with its value, its date and its peers' (its size class's) median, first
        quartile, count and share with at least one (None when its file does not speak of it); and
        ``labels``, the labels it holds (key, detail, list date). Every commune's lists are read once."""
        code = self.code_of(commune)
        if self._territory is None:
            with self.lock:
                values = self.store.frame(
                    """SELECT a.code, c.size_class, 'access' AS what, 100.0 * a.eligible / a.premises AS value, a.as_of
                       FROM access a JOIN communes c USING (code) WHERE a.indicator = 'ftth' AND a.premises > 0
                       UNION ALL
                       SELECT a.code, c.size_class, CASE a.indicator WHEN 'op4g' THEN 'mobile' ELSE 'digital_help' END,
                              a.value::DOUBLE, a.as_of
                       FROM access_counts a JOIN communes c USING (code) WHERE a.indicator IN ('op4g', 'mediation')"""
                )
                labels = self.store.frame("SELECT code, label, detail, as_of FROM labels ORDER BY code, label")
            self._territory = (values, labels)
        values, labels = self._territory
        size = self.communes().filter(pl.col("code") == code)["size_class"].to_list()
        out: dict[str, Any] = {"labels": labels.filter(pl.col("code") == code).drop("code").to_dicts()}
        for what in ("access", "mobile", "digital_help"):
            rows = values.filter(pl.col("what") == what)
            mine = rows.filter(pl.col("code") == code)
            others = rows.filter((pl.col("size_class") == (size[0] if size else None)) & (pl.col("code") != code))
            out[what] = None if mine.is_empty() else {
                "value": mine["value"][0], "as_of": mine["as_of"][0], "peers": others.height,
                "median": others["value"].median(), "quartile": others["value"].quantile(0.25),
                "share_with": (others["value"] > 0).mean() if others.height else None,
            }  # fmt: skip
        return out

    def _all_facts(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(each commune's longest read article with its facts, each commune's item facts), with
        the commune's size class; read once per Observatory (facts change only with a write)."""
        if self._facts is None:
            with self.lock:
                articles = self.store.frame(
                    """SELECT a.commune_code AS code, c.size_class, a.title, a.source AS article_source,
                              f.* EXCLUDE (article_id)
                       FROM article_facts f JOIN articles a USING (article_id)
                       JOIN communes c ON c.code = a.commune_code
                       QUALIFY row_number() OVER (PARTITION BY a.commune_code
                                                  ORDER BY f.length DESC NULLS LAST, a.title) = 1"""
                )
                items = self.store.frame("SELECT i.*, c.size_class FROM item_facts i JOIN communes c USING (code)")
            self._facts = (articles, items)
        return self._facts

    def former_communes(self, commune: str) -> pl.DataFrame:
        """The former and delegated communes merged into this one: old_code, old_name, kind."""
        code = self.code_of(commune)
        if self._history is None:
            with self.lock:
                self._history = self.store.frame(
                    "SELECT current_code, old_code, any_value(old_name) AS old_name, "
                    "string_agg(DISTINCT kind, ', ' ORDER BY kind) AS kind FROM commune_history "
                    "WHERE old_code <> current_code GROUP BY current_code, old_code ORDER BY current_code, old_code"
                )
        if self._history_rows is None:
            self._history_rows = _row_runs(self._history, "current_code")
        at, length = self._history_rows.get(code, (0, 0))
        return self._history.slice(at, length).drop("current_code")

    def national_standing(self, commune: str, start: str | date | None = None,
                          end: str | date | None = None) -> dict[str, Any] | None:  # fmt: skip
        """The commune's place in France from the national snapshot the store holds (see
        :mod:`belvedere.snapshot`), worded with its source: ranks, period, source; None without a
        snapshot covering a whole month of the period, or without the commune in it. Kept per
        commune and period (a snapshot changes only with an import, which a server sees as a new file)."""
        from belvedere import snapshot

        code = self.code_of(commune)
        d_start, d_end = self.period(start, end)
        key = (code, d_start, d_end)
        if key not in self._standing:
            with self.lock:
                if self._snapshot_info is None:
                    self._snapshot_info = snapshot.held(self.store)
                info = self._snapshot_info
                found = snapshot.standing(self.store, code, d_start, d_end) if info else None
            self._standing[key] = None if found is None else {
                "ranks": present.rank_words(found),
                "period": present.period_words(found["start"], found["end"]),
                "source": snapshot.describe(info),
            }  # fmt: skip
            if len(self._standing) > 4096:
                self._standing.clear()
        return self._standing[key]

    def medians_around(self, commune: str, start: str | date | None = None, end: str | date | None = None,
                       column: str = "views_per_inhabitant") -> list[dict[str, Any]]:  # fmt: skip
        """The median of ``column`` in the commune's département, its région, the PVD and France over
        the period (communes with a population), to read its own figure against: label, median,
        communes; from medians computed once per period (:func:`present.median_table`)."""
        code = self.code_of(commune)
        nat = self._nat(start, end)
        key = ("medians", column)
        table = nat.medians.get(key)
        if table is None:
            table = nat.medians[key] = present.median_table(nat.metrics, column)
        info = self.communes().row(self._commune_rows()[code], named=True)
        held, total = self.coverage(start, end)
        return present.medians_from(table, info, partial=held < PARTIAL_SHARE * total)

    def coverage(self, start: str | date | None = None, end: str | date | None = None) -> tuple[int, int]:
        """(communes with a population the store holds audience for over the period, communes with
        a population in France): a town's store follows a few dozen, and its ranks, medians and
        expected audience are then theirs, not France's (see PARTIAL_SHARE)."""
        nat = self._nat(start, end)
        if nat.coverage is None:
            held = nat.metrics.filter(pl.col("population") > 0).height
            nat.coverage = held, self.communes().filter(pl.col("population") > 0).height
        return nat.coverage

    def _metrics_rows(self, nat: _National) -> dict[str, int]:
        if nat.metrics_rows is None:
            nat.metrics_rows = {c: i for i, c in enumerate(nat.metrics["code"].to_list())}
        return nat.metrics_rows

    def profile(self, commune: str, start: str | date | None = None, end: str | date | None = None) -> Profile:
        """Everything about one commune for the period, as a dict ready for JSON."""
        return self.commune_view(commune, start, end).profile

    def commune_view(self, commune: str, start: str | date | None = None,
                     end: str | date | None = None) -> CommuneView:  # fmt: skip
        """The profile of one commune with the spikes, peer group and daily series it was built
        from (what a commune page shows), computed once."""
        code = self.code_of(commune)
        nat = self._nat(start, end)
        group = self._peers(code, start, end)
        r = self._typology_row(nat, code, start, end)
        spikes = self.spikes(code, nat.start, nat.end)
        series = nat.series(code)
        shifts = self._level_shifts(nat, code, series)
        info = self.communes().row(self._commune_rows()[code], named=True)
        profile: dict[str, Any] = {
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
            "start": nat.start,
            "end": nat.end,
            "days": r["days"],
            "total_views": r["total_views"],
            "mean_daily_views": r["mean_daily_views"],
            "views_per_inhabitant": r["views_per_inhabitant"],
            "views_per_1000_inh_year": r["views_per_1000_inh_year"],
            "visibility_surplus": r["visibility_surplus"],
            "expected_daily_views": r["expected_daily_views"],
            "yoy_change": r["yoy_change"],
            "mobile_share": r["mobile_share"],
            "mobile_season_lift": r["mobile_season_lift"],
            "mobile_peak_month": r["mobile_peak_month"] or None,
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
        profile["communes_held"], profile["communes_total"] = held, total = self.coverage(nat.start, nat.end)
        profile["partial"] = held < PARTIAL_SHARE * total
        for g in ("france", "pvd", "region", "departement", "size_class"):
            profile[f"rank_{g}"] = r[f"rank_{g}"]
            profile[f"n_{g}"] = r[f"n_{g}"]
            profile[f"percentile_{g}"] = r[f"percentile_{g}"]
        return CommuneView(cast(Profile, profile), spikes, group, series)

    def _level_shifts(self, nat: _National, code: str, series: pl.DataFrame | None = None) -> pl.DataFrame:
        shifts = nat.shifts.get(code)
        if shifts is None:  # kept: a few milliseconds per commune, asked again and again by a dashboard
            shifts = nat.shifts[code] = level_shifts(nat.series(code) if series is None else series)
        return shifts

    def prepare(self, scope: str = "pvd", start: str | date | None = None, end: str | date | None = None) -> None:
        """Compute ahead what a commune page needs for the scope's communes (level shifts; the
        national figures), so that a server answers them at once. A few seconds for the PVD."""
        nat = self._nat(start, end)
        self.typology_frame(start, end)
        codes = [c for c in self.codes(scope) if nat.has(c)]
        if nat.loaded is None:  # figures read from the store: a commune's days are read on its first page (~20 ms)
            if codes:  # the first change-point search pays for loading its libraries (~0.6 s): here, not on a page
                self._level_shifts(nat, codes[0])
            return
        if len(codes) > 20:  # one read of every commune's days beats a read per commune
            nat.panel  # noqa: B018
        for code in codes:
            self._level_shifts(nat, code)

    def _typology_row(self, nat: _National, code: str, start: str | date | None,
                      end: str | date | None) -> dict[str, Any]:  # fmt: skip
        if nat.typology is None:
            return self.typology_frame(start, end, [code]).row(0, named=True)
        return nat.typology.row(self._typology_rows(nat)[code], named=True)

    def _name(self, code: str) -> str:
        return str(self.communes()["name"][self._commune_rows()[code]])

    def _commune_rows(self) -> dict[str, int]:
        """Row of each current commune code in :meth:`communes`."""
        if self._rows is None:
            self._rows = {c: i for i, c in enumerate(self.communes()["code"].to_list())}
        return self._rows


def _row_runs(frame: pl.DataFrame, key: str) -> dict[str, tuple[int, int]]:
    """Where each value of ``key`` starts and how many rows it has, in a frame sorted by ``key``:
    one commune's rows are then a slice, not a filter over the whole country."""
    runs = frame.with_row_index("_i").group_by(key).agg(pl.col("_i").first(), pl.len())
    return {c: (int(i), int(n)) for c, i, n in runs.iter_rows()}


GROUPINGS = ("group", "region", "departement", "size_class", "is_pvd")
RANK_METRICS = (
    "views_per_inhabitant", "views_per_1000_inh_year", "total_views", "mean_daily_views", "visibility_surplus",
    "mobile_share", "summer_share", "winter_share", "yoy_change",
    "score_notoriete", "score_contenus", "score_accessibilite", "score_animation", "score_attractivite",
)  # fmt: skip
