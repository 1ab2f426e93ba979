"""The JSON API: `/api/...` endpoints over the analysis API, with validated input.

Every bad input is a 4xx with a French message (``{"detail": "..."}``), never a 500: dates,
codes, scopes, metrics and limits are checked before any query, and queries are parameterised.
Write endpoints need ``Authorization: Bearer TOKEN``; without a configured token the server is
read-only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import polars as pl
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, BeforeValidator, Field

from belvedere import messages as M
from belvedere import present
from belvedere.api import GROUPINGS, RANK_METRICS, Observatory, Profile
from belvedere.errors import (
    AlreadyAnsweredError,
    AmbiguousCommuneError,
    BelvedereError,
    NoAudienceError,
    StoreBusyError,
    UnknownCampaignError,
    UnknownCommuneError,
    UnknownSurveyError,
)
from belvedere.store import Store
from belvedere.web.analyses import Analyses

MAX_LIMIT = 1000
COMPUTE_WAIT = 1.5  # seconds a page waits for a new period's national figures before saying they are computed
T = TypeVar("T")


class Problem(BaseModel):
    """Every error of the API: one sentence in French."""

    detail: str = Field(description="Ce qui ne va pas, en une phrase")


def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error statuses a route really returns, for its OpenAPI description (checked by the
    fuzzing test: a status not listed here fails it)."""
    return {code: {"model": Problem, "description": M.t(f"web_status_{code}")} for code in codes}


# every route reads the store (503 while another process holds it) and checks its input (422)
router = APIRouter(prefix="/api", responses=answers(422, 503))
COMMUNE = answers(404)  # routes naming a commune (in the path or a scope) or a campaign
WRITE = answers(400, 401, 403, 404)  # routes that write (token required; 400: a body that is not JSON)


REFRESH_SECONDS = 2.0  # how often the server looks whether the store file changed
LOCK_WAIT = 2.0  # seconds a request waits for a writer to let go of the file before a 503
# the file is let go once no request has used it for this long: reopening it costs ~40 ms, which a
# page per request would pay again and again, and a writer waits up to 30 s for it anyway
IDLE_RELEASE = 0.5
PAGE_CACHE = 2000  # rendered commune pages kept (~25 KB each)


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class State:
    """What the app holds: one Observatory over the store, opened read-only.

    The store's connection is released after every request, so that a ``fetch`` or an ``ingest``
    can write to the file while the server runs (DuckDB allows one writing process, or readers).
    When the file has changed and the writer is done, the figures are rebuilt in a background
    thread and swapped in when ready; pages keep answering from the old figures meanwhile.
    """

    def __init__(self, path: str | Path, write_token: str | None, *, refresh: float = REFRESH_SECONDS,
                 fetch_contact: str | None = None) -> None:  # fmt: skip
        self.path = Path(path)
        self.write_token = write_token or None
        # « Analyser cette commune »: only when the server was allowed to fetch, with a contact
        self.analyses = Analyses(self.path, fetch_contact) if fetch_contact else None
        self.refresh = refresh
        self.obs = self._open()
        self.signature = _signature(self.path)
        self.reloads = 0  # refreshes picked up since the start
        self._guard = threading.Lock()
        self.busy = threading.Lock()  # one analysis call at a time (see _call)
        self._pages: OrderedDict[tuple[Any, ...], str] = OrderedDict()  # the last pages rendered (see cached)
        self._next_check = time.monotonic() + refresh
        self.refreshing = False
        self._loading: Observatory | None = None  # the Observatory a rebuild is warming
        self._gate = threading.Lock()  # a write, or a rebuild opening its Observatory: one at a time
        self.writes = 0  # writes made through the server (annotations, campaigns)
        # a period's national figures being computed for a page (see period_ready), and how long
        # a page waits for them before it answers that they are being computed
        self.computing: dict[tuple[date, date], asyncio.Future[Any]] = {}
        self.compute_wait = COMPUTE_WAIT
        self._last_used: float | None = None  # when a request last let go of the file (None: released)
        self._stopping = threading.Event()
        self._releaser = threading.Thread(target=self._release_when_idle, name="belvedere-release", daemon=True)
        self._releaser.start()

    def close(self) -> None:
        """When the server stops: the releasing thread ends before the store is closed (a thread
        left inside DuckDB when the interpreter exits aborts the process)."""
        self._stopping.set()
        self._releaser.join(5)
        if self.analyses is not None:
            self.analyses.close()
        self.obs.close()

    def _open(self) -> Observatory:
        obs = Observatory(Store(self.path, read_only=True, lock_wait=LOCK_WAIT))
        obs.store.release()
        return obs

    @staticmethod
    def warm(obs: Observatory) -> None:
        """Compute the national figures of the default period and load what pages ask for, so
        that no request pays for it (tens of seconds for all of France)."""
        try:
            scope = present.default_scope(obs.communes())  # the towns the observatory is for, ready at once
            if scope == "pvd":
                obs.prepare(scope)
            obs.typology_frame()
            obs.events()
        except NoAudienceError:
            pass  # a store without audience yet: nothing to compute, its pages say how to get some
        obs.search("a", 1)
        obs.campaigns()
        obs.store.release()

    def page_key(self, *parts: object) -> tuple[Any, ...]:
        """What a rendered page depends on: the figures (one per refresh), the annotations, the
        request."""
        return (self.reloads, self.obs.notes_version, *parts)

    def page(self, key: tuple[Any, ...]) -> str | None:
        """A page rendered before, among the last PAGE_CACHE ones: the same figures and the same
        annotations give the same page, so a popular commune is rendered once, not per visit."""
        with self._guard:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def keep(self, key: tuple[Any, ...], page: str) -> str:
        with self._guard:
            self._pages[key] = page
            while len(self._pages) > PAGE_CACHE:
                self._pages.popitem(last=False)
        return page

    def release(self) -> None:
        """After a request: the file is let go once the server has been idle IDLE_RELEASE seconds
        (see _release_when_idle), so that a writer can take it between bursts of pages."""
        self._last_used = time.monotonic()

    def _release_when_idle(self) -> None:
        while not self._stopping.wait(IDLE_RELEASE / 5):
            used = self._last_used
            if used is None or time.monotonic() - used < IDLE_RELEASE:
                continue
            if self.busy.acquire(blocking=False):  # no analysis call running
                try:
                    with self.obs.lock:
                        self.obs.store.release()
                    if self._last_used == used:
                        self._last_used = None
                finally:
                    self.busy.release()

    def up_to_date(self) -> bool:
        """Whether the figures shown are those of the store file as it is now; if not, a rebuild
        is started (what a finished analysis waits for before it leads to the commune page)."""
        if not self.refreshing and _signature(self.path) == self.signature:
            return True
        self.maybe_refresh(force=True)
        return False

    def maybe_refresh(self, *, force: bool = False) -> None:
        """Start a background rebuild when the store file changed (checked every few seconds, or
        now when ``force``)."""
        now = time.monotonic()
        if not force and (self.refresh <= 0 or now < self._next_check):
            return
        if self.refreshing:
            return
        with self._guard:
            if self.refreshing or (now < self._next_check and not force):
                return
            self._next_check = now + self.refresh
            signature = _signature(self.path)
            if signature == self.signature or self.path.with_name(self.path.name + ".wal").exists():
                return  # unchanged, or a writer is still at work
            self.refreshing = True
        threading.Thread(target=self._reload, args=(signature,), name="belvedere-refresh", daemon=True).start()

    def _reload(self, signature: tuple[int, int] | None) -> None:
        writes = self.writes
        try:
            # the new Observatory has let go of the file (see _open): from here on, a write waits for
            # its lock, releases it, writes, and the rebuild reopens the file at its next query
            with self._gate:  # not while a write holds the file; a write after this sees _loading
                obs = self._loading = self._open()
            self.warm(obs)
        except BelvedereError:  # a writer took the file meanwhile: the next check tries again
            return
        finally:
            self._loading = None
            self.refreshing = False
        if self.writes != writes:  # the server wrote while this rebuild read: read its notes again
            with obs.lock:
                obs.notes_changed()
                obs.store.release()
        old, self.obs = self.obs, obs
        self.signature = signature  # a write after it was taken is seen at the next check
        self.reloads += 1
        with old.lock:
            old.store.release()

    def write(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` with the store opened read-write for the time of one write, then read-only
        again; the in-memory analysis caches are kept.

        A rebuild in progress is not a reason to refuse: its Observatory lets go of the file for
        the time of the write (it reopens it at its next query) and reads the notes again before it
        is swapped in. A change made by another process just before is not mistaken for ours: the
        figures are then rebuilt at the next check, as for any outside write."""
        with self._gate:
            return self._write(fn)

    def _write(self, fn: Callable[[], T]) -> T:
        obs = self.obs
        loading = self._loading
        with obs.lock, loading.lock if loading is not None else contextlib.nullcontext():
            ours_only = _signature(self.path) == self.signature  # nothing written from outside since
            obs.store.release()
            if loading is not None:
                loading.store.release()
            try:
                obs.store = Store(self.path, lock_wait=LOCK_WAIT)
            except StoreBusyError as exc:
                obs.store = Store(self.path, read_only=True, lock_wait=LOCK_WAIT)
                raise HTTPException(503, M.t("web_store_busy", err=str(exc))) from None
            try:
                return fn()
            finally:
                self.writes += 1
                obs.store.close()
                obs.store = Store(self.path, read_only=True, lock_wait=LOCK_WAIT)
                obs.store.release()
                if ours_only and not self.refreshing:
                    self.signature = _signature(self.path)  # our own write: nothing to rebuild


def state(request: Request) -> State:
    st: State = request.app.state.belvedere
    return st


def _records(df: pl.DataFrame) -> list[dict[str, Any]]:
    return df.with_columns(pl.col(pl.Float32, pl.Float64).fill_nan(None)).to_dicts()


async def period_ready(st: State, start: date | None, end: date | None) -> bool:
    """Whether a page about the period can be built now: its national figures are computed (or
    the period is not one the store holds: the page then says why). Otherwise they are computed in
    a worker thread, waited for ``st.compute_wait`` seconds at most (a page that says they are being
    computed answers meanwhile, and the next look finds them)."""
    if st.obs.ready(start, end):
        return True
    try:
        key = st.obs.period(start, end)
    except BelvedereError:
        return True
    task = st.computing.get(key)
    if task is None:
        task = st.computing[key] = asyncio.ensure_future(run_in_threadpool(_call, st, st.obs.prepare_period, *key))
    await asyncio.wait({task}, timeout=st.compute_wait)
    if not task.done():
        return False
    st.computing.pop(key, None)
    if task.cancelled() or task.exception() is not None:  # the page's own call says what went wrong
        return True
    return st.obs.ready(start, end)


def _preparing(st: State, start: date | None, end: date | None) -> bool:
    """Whether a period's figures are still being computed for a page (see :func:`period_ready`)."""
    try:
        task = st.computing.get(st.obs.period(start, end))
    except BelvedereError:
        return False
    return task is not None and not task.done()


def _call(st: State, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an analysis call (from a worker thread). Calls run one at a time: the work is CPU-bound
    Python and Polars, and threads contending for the interpreter answer slower than a queue."""
    with st.busy:
        return _run(st, fn, *args, **kwargs)


async def _call_quick(st: State, quick: bool, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """:func:`_call` for async endpoints: when the caller knows the call is quick (a few ms, the
    figures it needs computed) and no other call runs, it runs right here on the event loop, which
    costs less than a hand-off to a thread; otherwise in a worker thread, so that a long
    computation never holds the server."""
    if quick and st.busy.acquire(blocking=False):
        try:
            return _run(st, fn, *args, **kwargs)
        finally:
            st.busy.release()
    return await run_in_threadpool(_call, st, fn, *args, **kwargs)


def _run(st: State, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """User errors become 404/422 with their message, a store held by a writer a 503."""
    st.maybe_refresh()
    try:
        return fn(*args, **kwargs)
    except (UnknownCommuneError, AmbiguousCommuneError, UnknownCampaignError, UnknownSurveyError) as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except AlreadyAnsweredError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except StoreBusyError as exc:
        raise HTTPException(status_code=503, detail=M.t("web_store_busy", err=str(exc))) from None
    except BelvedereError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    finally:
        st.release()


def _iso_date(value: object) -> object:
    """A date as AAAA-MM-JJ only: pydantic alone would take ``0`` or ``1700000000`` as a Unix time."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError(M.t("bad_date", value=value))
    if not isinstance(value, str | date):
        raise ValueError(M.t("bad_date", value=value))
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
StartQ = Annotated[IsoDate | None, Query(description="Début de la période (AAAA-MM-JJ)")]
EndQ = Annotated[IsoDate | None, Query(description="Fin de la période (AAAA-MM-JJ)")]
ScopeQ = Annotated[str, Query(max_length=2000, description="all, pvd, region:X, dep:X, size:X ou codes")]
LimitQ = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


@router.get("/periode", summary="Les chiffres nationaux d'une période sont-ils prêts ?")
def period_state(st: Annotated[State, Depends(state)], start: StartQ = None, end: EndQ = None) -> dict[str, Any]:
    """What a page that waits for a period's figures asks: ``ready`` once they are computed."""
    return {"ready": st.obs.ready(start, end) and not _preparing(st, start, end)}


@router.get("/status", summary="État du serveur : période des données, rafraîchissements")
def status(st: Annotated[State, Depends(state)]) -> dict[str, Any]:
    """What the server is showing: the period of the audience it holds, and how many times it
    picked up new data from the store since it started (``reloads``)."""
    first, last = _call(st, st.obs.period)
    modified = None if st.signature is None else datetime.fromtimestamp(st.signature[0] / 1e9, UTC)
    return {"start": first, "end": last, "simulated": st.obs.simulated, "writable": st.write_token is not None,
            "reloads": st.reloads, "refreshing": st.refreshing, "store_modified": modified}  # fmt: skip


@router.get("/communes", summary="Recherche de communes (insensible aux accents)")
async def communes(st: Annotated[State, Depends(state)], q: Annotated[str, Query(min_length=1, max_length=100)],
                   limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[dict[str, Any]]:  # fmt: skip
    df = await _call_quick(st, st.obs.ready(), st.obs.search, q, limit)
    return _records(df.select("code", "name", "departement", "population", "is_pvd"))


@router.get("/communes/{code}", summary="Fiche d'une commune (indicateurs, rangs, typologie)", responses=COMMUNE)
async def commune(code: str, st: Annotated[State, Depends(state)], start: StartQ = None,
                  end: EndQ = None) -> dict[str, Any]:  # fmt: skip
    card: Profile = await _call_quick(st, st.obs.ready(start, end), st.obs.profile, code, start, end)
    return cast(dict[str, Any], card)


@router.get(
    "/communes/{code}/series", summary="Audience quotidienne (vues, ordinateur, mobile, robots)", responses=COMMUNE
)
async def series(code: str, st: Annotated[State, Depends(state)], start: StartQ = None,
                 end: EndQ = None) -> list[dict[str, Any]]:  # fmt: skip
    return _records(await _call_quick(st, st.obs.ready(start, end), st.obs.series, code, start, end))


@router.get("/communes/{code}/peers", summary="Communes comparables", responses=COMMUNE)
async def peers(code: str, st: Annotated[State, Depends(state)], start: StartQ = None, end: EndQ = None,
                n: Annotated[int, Query(ge=1, le=100)] = 10) -> list[dict[str, Any]]:  # fmt: skip
    df = await _call_quick(st, st.obs.ready(start, end), st.obs.peers, code, start, end, n)
    return _records(df.select("code", "name", "departement", "population", "is_pvd", "typology",
                              "views_per_inhabitant", "visibility_surplus", "rank_in_group", "is_target"))  # fmt: skip


MonthQ = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="Un mois (AAAA-MM)")]


@router.get(
    "/communes/{code}/referrers",
    responses=COMMUNE,
    summary="D'où viennent les lecteurs (clickstream de Wikimédia), mois par mois",
)
async def commune_referrers(code: str, st: Annotated[State, Depends(state)],
                            month: MonthQ = None) -> list[dict[str, Any]]:  # fmt: skip
    """Rows ``{month, source, referrer, type, n}``; ``source`` is search, wikipedia (``referrer``
    names the article), external, empty, internal or other."""
    from belvedere.dates import parse_month

    def run() -> pl.DataFrame:  # a month like 0000-00 is refused as the other mistakes are (422)
        return st.obs.referrers(code, parse_month(month) if month else None)

    return _records(await _call_quick(st, True, run))


@router.get(
    "/communes/{code}/foreign",
    responses=COMMUNE,
    summary="Les lecteurs venus de l'étranger : articles en d'autres langues, part, langues, saison",
)
async def commune_foreign(code: str, st: Annotated[State, Depends(state)], start: StartQ = None,
                          end: EndQ = None) -> dict[str, Any]:  # fmt: skip
    """The period's whole months: ``share`` of the views in other languages, ``languages`` (the
    first five), ``peak_month`` (1-12) and whether the foreign share is ``seasonal``."""
    from dataclasses import asdict

    fa = await _call_quick(st, True, st.obs.foreign, code, start, end)
    return {**asdict(fa), "simulated": st.obs.simulated}


@router.get("/foreign", summary="Classement par attention venue de l'étranger", responses=COMMUNE)
def foreign_ranking(st: Annotated[State, Depends(state)], scope: ScopeQ = "pvd", start: StartQ = None,
                    end: EndQ = None, limit: LimitQ = 100) -> list[dict[str, Any]]:  # fmt: skip
    """Communes by foreign views a month (``rank_views``), with their foreign share and its rank."""
    return _records(_call(st, st.obs.foreign_ranking, start, end, scope).head(limit))


@router.get(
    "/communes/{code}/attachment",
    responses=COMMUNE,
    summary="Vie locale : attachement des habitants (données publiques) et questionnaires",
)
async def commune_attachment(code: str, st: Annotated[State, Depends(state)], start: StartQ = None,
                             end: EndQ = None) -> dict[str, Any]:  # fmt: skip
    """``values``: ``{indicator, period, year, value, unit, source, previous, previous_period,
    percentile, peers}`` (percentile among the communes of its size class); ``audience_percentile``;
    ``story``: the sentence when audience and attachment disagree; ``surveys``: the residents'
    surveys of the commune and their answers."""

    def run() -> dict[str, Any]:
        record = st.obs.attachment(code, start, end)
        the_code = st.obs.code_of(code)
        name = st.obs.communes().filter(pl.col("code") == the_code)["name"][0]
        surveys = _records(st.obs.surveys(the_code))
        if record is None:
            return {"code": the_code, "values": [], "audience_percentile": None, "story": None, "surveys": surveys}
        return {"code": the_code, "values": [v.__dict__ for v in record["values"]],
                "audience_percentile": record["audience_percentile"],
                "story": present.attachment_story(record, name), "surveys": surveys}  # fmt: skip

    return await _call_quick(st, st.obs.ready(start, end), run)


@router.get(
    "/communes/{code}/scorecard",
    responses=COMMUNE,
    summary="Territoire numérique : cinq dimensions, indicateurs placés parmi les pairs, conseils",
)
async def commune_scorecard(code: str, st: Annotated[State, Depends(state)], start: StartQ = None,
                            end: EndQ = None) -> dict[str, Any]:  # fmt: skip
    """``dimensions`` (notoriete, contenus, accessibilite, animation, attractivite) → ``{key, label,
    score, missing, indicators: [{key, label, value, unit, percentile, peers, source, as_of}]}`` and
    ``recommendations`` → ``{title, text, trigger}``; a dimension without data has a null score."""
    from belvedere.report.recommendations import recommend

    def run() -> dict[str, Any]:
        sc = st.obs.scorecard(code, start, end)
        card = st.obs.profile(sc.code, sc.start, sc.end)
        return present.scorecard_record(
            sc, recommend(card, facts=st.obs.article_facts(sc.code), territory=st.obs.territory_facts(sc.code))
        )

    return await _call_quick(st, st.obs.ready(start, end), run)


@router.get("/communes/{code}/spikes", summary="Pics d'audience d'une commune, avec annotations", responses=COMMUNE)
async def commune_spikes(code: str, st: Annotated[State, Depends(state)], start: StartQ = None,
                         end: EndQ = None) -> list[dict[str, Any]]:  # fmt: skip
    return _records(await _call_quick(st, st.obs.ready(start, end), st.obs.spikes, code, start, end))


@router.get("/ranking", summary="Classement des communes", responses=COMMUNE)
async def ranking(
    st: Annotated[State, Depends(state)],
    scope: ScopeQ = "pvd",
    metric: Annotated[str, Query(max_length=50)] = "views_per_inhabitant",
    start: StartQ = None,
    end: EndQ = None,
    limit: LimitQ = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    if metric not in RANK_METRICS:
        raise HTTPException(422, M.t("bad_metric", metric=metric, choices=", ".join(RANK_METRICS)))
    df = await _call_quick(st, st.obs.ready(start, end), st.obs.ranking, start, end, scope, metric)
    page = df.slice(offset, limit).select(*dict.fromkeys([
        "rank", "code", "name", "departement", "region", "population", "size_class", "is_pvd", "total_views",
        "mean_daily_views", "views_per_inhabitant", "visibility_surplus", "rank_france", metric,
    ]))  # fmt: skip
    return {"total": df.height, "offset": offset, "limit": limit, "metric": metric, "rows": _records(page)}


@router.get("/groups", summary="Médiane et dispersion par groupe (PVD, classes de taille…)")
def groups(st: Annotated[State, Depends(state)], start: StartQ = None, end: EndQ = None,
           metric: Annotated[str, Query(max_length=50)] = "views_per_inhabitant",
           by: Annotated[str, Query(max_length=30)] = "group") -> list[dict[str, Any]]:  # fmt: skip
    if metric not in RANK_METRICS:
        raise HTTPException(422, M.t("bad_metric", metric=metric, choices=", ".join(RANK_METRICS)))
    if by not in GROUPINGS:
        raise HTTPException(422, M.t("bad_group_by", by=by, choices=", ".join(GROUPINGS)))
    return _records(_call(st, st.obs.groups, start, end, metric, by))


@router.get("/events", summary="Événements partagés", responses=COMMUNE)
def events(st: Annotated[State, Depends(state)], scope: ScopeQ = "all", start: StartQ = None,
           end: EndQ = None) -> list[dict[str, Any]]:  # fmt: skip
    return _records(_call(st, st.obs.events, start, end, scope))


class AnnotationIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    date: IsoDate
    commune: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    category: str = Field(default="autre", max_length=30)
    shared: bool = False


def require_token(st: Annotated[State, Depends(state)],
                  authorization: Annotated[str | None, Header()] = None) -> None:  # fmt: skip
    if st.write_token is None:
        raise HTTPException(403, M.t("web_read_only"))
    scheme, _, token = (authorization or "").partition(" ")
    # compared as bytes: any character a client sends is a wrong token, not a server error
    given, expected = token.strip().encode("utf-8", "surrogateescape"), st.write_token.encode("utf-8")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, expected):
        raise HTTPException(401, M.t("web_bad_token"), headers={"WWW-Authenticate": "Bearer"})


@router.post("/annotations", status_code=201, summary="Annoter un pic ou un événement (jeton requis)",
             responses=WRITE, dependencies=[Depends(require_token)])  # fmt: skip
def annotate(body: AnnotationIn, st: Annotated[State, Depends(state)]) -> dict[str, Any]:
    def run() -> int:
        return st.obs.annotate(body.text, commune=body.commune, on=body.date, url=body.url,
                               category=body.category, shared=body.shared)  # fmt: skip

    new_id = _call(st, st.write, run)
    return {"annotation_id": new_id}


CampaignId = Annotated[int, PathParam(ge=1, le=10**12)]


class CampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    communes: list[str] = Field(min_length=1, max_length=50)
    start: IsoDate
    end: IsoDate
    channel: str | None = Field(default=None, max_length=60)
    cost: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    notes: str | None = Field(default=None, max_length=2000)


@router.get("/campaigns", summary="Campagnes enregistrées (d'une commune, ou toutes)", responses=COMMUNE)
def campaigns(st: Annotated[State, Depends(state)],
              commune: Annotated[str | None, Query(max_length=200)] = None) -> list[dict[str, Any]]:  # fmt: skip
    return _records(_call(st, st.obs.campaigns, commune))


@router.post("/campaigns", status_code=201, summary="Enregistrer une campagne (jeton requis)",
             responses=WRITE, dependencies=[Depends(require_token)])  # fmt: skip
def add_campaign(body: CampaignIn, st: Annotated[State, Depends(state)]) -> dict[str, Any]:
    def run() -> int:
        return st.obs.add_campaign(body.name, body.communes, body.start, body.end, channel=body.channel,
                                   cost=body.cost, notes=body.notes)  # fmt: skip

    return {"campaign_id": _call(st, st.write, run)}


@router.delete("/campaigns/{campaign_id}", summary="Supprimer une campagne (jeton requis)",
               responses=WRITE, dependencies=[Depends(require_token)])  # fmt: skip
def remove_campaign(campaign_id: CampaignId, st: Annotated[State, Depends(state)]) -> dict[str, Any]:
    _call(st, st.write, lambda: st.obs.remove_campaign(campaign_id))
    return {"removed": campaign_id}


@router.get(
    "/campaigns/{campaign_id}/impact",
    summary="Effet d'une campagne : vues en plus, intervalle, placebo",
    responses=COMMUNE,
)
def campaign_impact(campaign_id: CampaignId, st: Annotated[State, Depends(state)]) -> list[dict[str, Any]]:
    return _call(st, st.obs.impact, campaign_id)
