"""The JSON API: `/api/...` endpoints over the analysis API, with validated input.

Every bad input is a 4xx with a French message (``{"detail": "..."}``), never a 500: dates,
codes, scopes, metrics and limits are checked before any query, and queries are parameterised.
Write endpoints need ``Authorization: Bearer TOKEN``; without a configured token the server is
read-only.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

import polars as pl
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field

from belvedere import messages as M
from belvedere.api import GROUPINGS, RANK_METRICS, Observatory
from belvedere.errors import AmbiguousCommuneError, BelvedereError, UnknownCommuneError
from belvedere.reference.lookup import search_communes
from belvedere.store import Store

MAX_LIMIT = 1000
T = TypeVar("T")

router = APIRouter(prefix="/api")


class State:
    """What the app holds: one Observatory (read-only store) and a lock, as DuckDB connections
    are not to be shared between threads without one."""

    def __init__(self, obs: Observatory, write_token: str | None) -> None:
        self.obs = obs
        self.write_token = write_token or None
        self.lock = threading.RLock()

    def write(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` with the store opened read-write for the time of one write, then reopen it
        read-only; the in-memory analysis caches are kept."""
        with self.lock:
            path = self.obs.store.path
            self.obs.store.close()
            try:
                self.obs.store = Store(path)
            except BelvedereError as exc:
                self.obs.store = Store(path, read_only=True)
                raise HTTPException(503, M.t("web_store_busy", err=str(exc))) from None
            try:
                return fn()
            finally:
                self.obs.store.close()
                self.obs.store = Store(path, read_only=True)


def state(request: Request) -> State:
    return request.app.state.belvedere


def _records(df: pl.DataFrame) -> list[dict[str, Any]]:
    return df.with_columns(pl.col(pl.Float32, pl.Float64).fill_nan(None)).to_dicts()


def _call(st: State, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an analysis call under the lock; user errors become 404/422 with their message."""
    try:
        with st.lock:
            return fn(*args, **kwargs)
    except (UnknownCommuneError, AmbiguousCommuneError) as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except BelvedereError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


StartQ = Annotated[date | None, Query(description="Début de la période (AAAA-MM-JJ)")]
EndQ = Annotated[date | None, Query(description="Fin de la période (AAAA-MM-JJ)")]
ScopeQ = Annotated[str, Query(max_length=2000, description="all, pvd, region:X, dep:X, size:X ou codes")]
LimitQ = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


@router.get("/communes", summary="Recherche de communes (insensible aux accents)")
def communes(st: Annotated[State, Depends(state)], q: Annotated[str, Query(min_length=1, max_length=100)],
             limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[dict]:  # fmt: skip
    df = _call(st, search_communes, st.obs.store, q, limit)
    return _records(df.select("code", "name", "departement", "population", "is_pvd"))


@router.get("/communes/{code}", summary="Fiche d'une commune (indicateurs, rangs, typologie)")
def commune(code: str, st: Annotated[State, Depends(state)], start: StartQ = None, end: EndQ = None) -> dict:
    return _call(st, st.obs.profile, code, start, end)


@router.get("/communes/{code}/series", summary="Audience quotidienne (vues, ordinateur, mobile, robots)")
def series(code: str, st: Annotated[State, Depends(state)], start: StartQ = None, end: EndQ = None) -> list[dict]:
    def run() -> pl.DataFrame:
        card = st.obs.profile(code, start, end)
        return st.obs.panel(start, end).series(card["code"])

    return _records(_call(st, run))


@router.get("/communes/{code}/peers", summary="Communes comparables")
def peers(code: str, st: Annotated[State, Depends(state)], start: StartQ = None, end: EndQ = None,
          n: Annotated[int, Query(ge=1, le=100)] = 10) -> list[dict]:  # fmt: skip
    df = _call(st, st.obs.peers, code, start, end, n)
    return _records(df.select("code", "name", "departement", "population", "is_pvd", "typology",
                              "views_per_inhabitant", "visibility_surplus", "rank_in_group", "is_target"))  # fmt: skip


@router.get("/communes/{code}/spikes", summary="Pics d'audience d'une commune, avec annotations")
def commune_spikes(code: str, st: Annotated[State, Depends(state)], start: StartQ = None,
                   end: EndQ = None) -> list[dict]:  # fmt: skip
    return _records(_call(st, st.obs.spikes, code, start, end))


@router.get("/ranking", summary="Classement des communes")
def ranking(
    st: Annotated[State, Depends(state)],
    scope: ScopeQ = "pvd",
    metric: Annotated[str, Query(max_length=50)] = "views_per_inhabitant",
    start: StartQ = None,
    end: EndQ = None,
    limit: LimitQ = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict:
    if metric not in RANK_METRICS:
        raise HTTPException(422, M.t("bad_metric", metric=metric, choices=", ".join(RANK_METRICS)))
    df = _call(st, st.obs.ranking, start, end, scope, metric)
    page = df.slice(offset, limit).select(
        "rank", "code", "name", "departement", "region", "population", "size_class", "is_pvd", "total_views",
        "mean_daily_views", "views_per_inhabitant", "visibility_surplus", "rank_france",
    )  # fmt: skip
    return {"total": df.height, "offset": offset, "limit": limit, "metric": metric, "rows": _records(page)}


@router.get("/groups", summary="Médiane et dispersion par groupe (PVD, classes de taille…)")
def groups(st: Annotated[State, Depends(state)], start: StartQ = None, end: EndQ = None,
           metric: Annotated[str, Query(max_length=50)] = "views_per_inhabitant",
           by: Annotated[str, Query(max_length=30)] = "group") -> list[dict]:  # fmt: skip
    if metric not in RANK_METRICS:
        raise HTTPException(422, M.t("bad_metric", metric=metric, choices=", ".join(RANK_METRICS)))
    if by not in GROUPINGS:
        raise HTTPException(422, M.t("bad_group_by", by=by, choices=", ".join(GROUPINGS)))
    return _records(_call(st, st.obs.groups, start, end, metric, by))


@router.get("/events", summary="Événements partagés")
def events(st: Annotated[State, Depends(state)], scope: ScopeQ = "all", start: StartQ = None,
           end: EndQ = None) -> list[dict]:  # fmt: skip
    return _records(_call(st, st.obs.events, start, end, scope))


class AnnotationIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    date: date
    commune: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    category: str = Field(default="autre", max_length=30)
    shared: bool = False


def require_token(st: Annotated[State, Depends(state)],
                  authorization: Annotated[str | None, Header()] = None) -> None:  # fmt: skip
    if st.write_token is None:
        raise HTTPException(403, M.t("web_read_only"))
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), st.write_token):
        raise HTTPException(401, M.t("web_bad_token"), headers={"WWW-Authenticate": "Bearer"})


@router.post("/annotations", status_code=201, summary="Annoter un pic ou un événement (jeton requis)",
             dependencies=[Depends(require_token)])  # fmt: skip
def annotate(body: AnnotationIn, st: Annotated[State, Depends(state)]) -> dict:
    def run() -> int:
        return st.obs.annotate(body.text, commune=body.commune, on=body.date, url=body.url,
                               category=body.category, shared=body.shared)  # fmt: skip

    new_id = _call(st, st.write, run)
    return {"annotation_id": new_id}
