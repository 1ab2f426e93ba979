"""The residents' survey on the web: the team creates it (token), residents answer a French form on
their phone with no account, the results are public, the free texts shown once approved.

Abuse is answered here: one answer per device (signed cookie, see :mod:`belvedere.survey`), a
signed form token against posts from other sites, and rate limits per network address and per
survey, kept in memory for their window only (no address is ever written to the store).
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

import segno
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from belvedere import messages as M
from belvedere import survey as service
from belvedere.errors import BelvedereError
from belvedere.store import surveys as stored
from belvedere.web.api import WRITE, State, _call, answers, require_token, state
from belvedere.web.pages import render_status

T = TypeVar("T")
api = APIRouter(prefix="/api", responses=answers(422, 503))
pages = APIRouter(include_in_schema=False)

SurveyId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{6,32}$", description="L'identifiant du questionnaire")]
AnswerId = Annotated[int, Path(ge=1, le=10**12)]
SURVEY = answers(404)
PER_ADDRESS = (20, 3600.0)  # answers from one network address per hour (a town hall's wifi: several)
PER_SURVEY = (60, 60.0)  # answers to one survey per minute
COOKIE_DAYS = 400  # the most browsers keep a cookie


class RateLimit:
    """At most ``n`` events per key in a sliding ``seconds`` window, in memory only."""

    def __init__(self, n: int, seconds: float) -> None:
        self.n, self.seconds = n, seconds
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """0 when the key may go on now (and it is counted), else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 10_000:  # forget the addresses whose window has passed (memory only)
                for k in [k for k, v in self._seen.items() if not v or v[-1] <= now - self.seconds]:
                    del self._seen[k]
            seen = self._seen[key]
            while seen and seen[0] <= now - self.seconds:
                seen.popleft()
            if len(seen) >= self.n:
                return seen[0] + self.seconds - now
            seen.append(now)
            return 0.0


class Limits:
    """The server's rate limits on answers (``create_app`` keeps one in ``app.state``)."""

    def __init__(self, per_address: tuple[int, float] = PER_ADDRESS, per_survey: tuple[int, float] = PER_SURVEY):
        self.per_address = RateLimit(*per_address)
        self.per_survey = RateLimit(*per_survey)

    def wait(self, address: str, survey_id: str) -> float:
        return max(self.per_address.wait(f"{address}|{survey_id}"), self.per_survey.wait(survey_id))


def _write(st: State, fn: Callable[[], T]) -> T:
    """A write to the surveys, then the rendered pages forgotten: a commune page shows its surveys
    and their answers."""

    def write() -> T:
        return st.write(fn)

    done = _call(st, write)
    st.obs.surveys_changed()
    return done


def _survey(st: State, survey_id: str) -> dict[str, Any]:
    return _call(st, stored.get, st.obs.store, survey_id)


def _signer(st: State) -> service.Signer:
    key = _call(st, stored.secret, st.obs.store)
    if key is None:  # no survey was ever created in this store
        raise HTTPException(404, M.t("survey_none"))
    return service.Signer(key)


# --- the JSON API -------------------------------------------------------------------------------


class SurveyIn(BaseModel):
    commune: str = Field(min_length=1, max_length=200, description="Code INSEE ou nom de la commune")
    title: str = Field(min_length=1, max_length=service.TITLE_MAX)


class TextsIn(BaseModel):
    approved: bool


@api.post("/surveys", status_code=201, summary="Créer un questionnaire aux habitants (jeton requis)",
          responses=WRITE, dependencies=[Depends(require_token)])  # fmt: skip
def create_survey(body: SurveyIn, request: Request, st: Annotated[State, Depends(state)]) -> dict[str, Any]:
    def run() -> str:
        code = st.obs.code_of(body.commune)
        return stored.create(st.obs.store, code, service.clean_title(body.title), service.RETENTION_DAYS)

    survey_id = _write(st, run)
    base = str(request.base_url).rstrip("/")
    return {"id": survey_id, "url": f"{base}/s/{survey_id}", "results": f"{base}/s/{survey_id}/resultats",
            "team": f"{base}/s/{survey_id}/equipe",
            "qr_png": f"{base}/s/{survey_id}/qr.png", "qr_svg": f"{base}/s/{survey_id}/qr.svg",
            "retention_days": service.RETENTION_DAYS}  # fmt: skip


@api.get("/surveys/{survey_id}/results", summary="Résultats d'un questionnaire (moyennes, score d'ambassadeur)",
         responses=SURVEY)  # fmt: skip
def survey_results(survey_id: SurveyId, st: Annotated[State, Depends(state)]) -> dict[str, Any]:
    _survey(st, survey_id)
    return _call(st, service.results, st.obs.store, survey_id)


@api.get("/surveys/{survey_id}/answers", summary="Toutes les réponses, textes en attente compris (jeton requis)",
         responses={**WRITE, 200: {"content": {"text/csv": {}}}}, dependencies=[Depends(require_token)])  # fmt: skip
def survey_answers(survey_id: SurveyId, st: Annotated[State, Depends(state)],
                   format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Any:  # fmt: skip
    _survey(st, survey_id)
    rows = _call(st, stored.answers, st.obs.store, survey_id)
    if format == "json":
        return rows.to_dicts()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows.columns)
    writer.writerows(rows.iter_rows())
    named = {"Content-Disposition": f'attachment; filename="questionnaire-{survey_id}.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=named)


@api.post("/surveys/{survey_id}/answers/{answer_id}/texts", summary="Approuver ou refuser les textes d'une réponse "
          "(jeton requis)", responses=WRITE, dependencies=[Depends(require_token)])  # fmt: skip
def moderate(survey_id: SurveyId, answer_id: AnswerId, body: TextsIn,
             st: Annotated[State, Depends(state)]) -> dict[str, Any]:  # fmt: skip
    _survey(st, survey_id)
    _write(st, lambda: stored.set_texts(st.obs.store, survey_id, answer_id, body.approved))
    return {"answer_id": answer_id, "texts": "approved" if body.approved else "rejected"}


@api.delete("/surveys/{survey_id}/answers", summary="Effacer toutes les réponses d'un questionnaire (jeton requis)",
            responses=WRITE, dependencies=[Depends(require_token)])  # fmt: skip
def erase(survey_id: SurveyId, st: Annotated[State, Depends(state)]) -> dict[str, Any]:
    _survey(st, survey_id)
    return {"deleted": _write(st, lambda: stored.delete_answers(st.obs.store, survey_id))}


# --- the pages ----------------------------------------------------------------------------------


def _commune_name(st: State, code: str) -> str:
    names = _call(st, st.obs.communes)
    found = names.filter(names["code"] == code)["name"].to_list()
    return str(found[0]) if found else code


def _form(st: State, survey_id: str, survey: dict[str, Any], device: str, cookie: str | None, *, status: int = 200,
          error: str | None = None, values: dict[str, str] | None = None) -> HTMLResponse:  # fmt: skip
    signer = _signer(st)
    page = render_status(st, status, "survey_form.html.j2", survey=survey, survey_id=survey_id,
                         name=_commune_name(st, survey["commune_code"]), token=signer.form_token(survey_id, device),
                         error=error, values=values or {}, ages=service.AGE_BANDS, years=service.YEARS_BANDS,
                         text_max=service.TEXT_MAX, retention=survey["retention_days"],
                         writable=st.write_token is not None)  # fmt: skip
    if cookie is not None:
        page.set_cookie(service.COOKIE, cookie, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="lax",
                        path="/s/")  # fmt: skip
    return page


@pages.get("/s/{survey_id}", response_class=HTMLResponse)
def survey_form(survey_id: SurveyId, request: Request, st: Annotated[State, Depends(state)]) -> HTMLResponse:
    """The form residents answer (a new device gets its cookie here)."""
    survey = _survey(st, survey_id)
    signer = _signer(st)
    device = signer.device(request.cookies.get(service.COOKIE))
    cookie = None
    if device is None:
        device, cookie = signer.new_device()
    return _form(st, survey_id, survey, device, cookie)


@pages.post("/s/{survey_id}", response_class=HTMLResponse)
async def survey_answer(survey_id: SurveyId, request: Request, st: Annotated[State, Depends(state)]) -> HTMLResponse:
    """One answer: checked, limited, kept; the form again with a French sentence when it is not."""
    survey = _survey(st, survey_id)
    if st.write_token is None:
        raise HTTPException(403, M.t("survey_read_only"))
    signer = _signer(st)
    try:
        form = {k: str(v) for k, v in (await request.form(max_files=0, max_fields=20)).items()}
    except Exception:  # a body that is no form, or too many fields: the form's parser refused it
        raise HTTPException(400, M.t("web_bad_body")) from None
    device = signer.device(request.cookies.get(service.COOKIE))
    try:
        signer.check_form(form.get("jeton"), survey_id, device)
    except BelvedereError as exc:
        raise HTTPException(403, str(exc)) from None
    assert device is not None
    try:
        answer = service.check_answer(form)
    except BelvedereError as exc:  # the form again, as it was filled, with what to change
        return _form(st, survey_id, survey, device, None, status=422, error=str(exc), values=form)
    limits: Limits = request.app.state.survey_limits
    wait = limits.wait(request.client.host if request.client else "?", survey_id)
    if wait > 0:
        raise HTTPException(429, M.t("survey_too_many", minutes=max(1, round(wait / 60))),
                            headers={"Retry-After": str(int(wait) + 1)})  # fmt: skip
    key = signer.device_key(survey_id, device)
    await run_in_threadpool(_write, st, lambda: stored.add_answer(st.obs.store, survey_id, key, answer, date.today()))
    return render_status(st, 201, "survey_thanks.html.j2", survey_id=survey_id, survey=survey,
                         name=_commune_name(st, survey["commune_code"]),
                         texts=bool(answer["proud"] or answer["missing"]))  # fmt: skip


@pages.get("/s/{survey_id}/resultats", response_class=HTMLResponse)
def survey_results_page(survey_id: SurveyId, st: Annotated[State, Depends(state)]) -> HTMLResponse:
    survey = _survey(st, survey_id)
    res = _call(st, service.results, st.obs.store, survey_id)
    return render_status(st, 200, "survey_results.html.j2", r=res, survey_id=survey_id,
                         name=_commune_name(st, survey["commune_code"]))  # fmt: skip


@pages.get("/s/{survey_id}/equipe", response_class=HTMLResponse)
def survey_team(survey_id: SurveyId, request: Request, st: Annotated[State, Depends(state)]) -> HTMLResponse:
    """The team's page: the link and QR code to print, the texts to read (with the write token),
    the export and the erasing of the answers."""
    survey = _survey(st, survey_id)
    url = f"{str(request.base_url).rstrip('/')}/s/{survey_id}"
    name = _commune_name(st, survey["commune_code"])
    return render_status(st, 200, "survey_team.html.j2", survey=survey, survey_id=survey_id, url=url, name=name,
                         writable=st.write_token is not None)  # fmt: skip


@pages.get("/s/{survey_id}/qr.{kind}")
def survey_qr(survey_id: SurveyId, kind: Annotated[str, Path(pattern="^(png|svg)$")], request: Request,
              st: Annotated[State, Depends(state)]) -> Response:  # fmt: skip
    """The form's address as a QR code to print (error correction M: a poster survives a crease)."""
    _survey(st, survey_id)
    qr = segno.make(f"{str(request.base_url).rstrip('/')}/s/{survey_id}", error="m")
    out = io.BytesIO()
    if kind == "svg":
        qr.save(out, kind="svg", scale=8, border=4, title=M.t("survey_qr_title"))
        return Response(out.getvalue(), media_type="image/svg+xml")
    qr.save(out, kind="png", scale=10, border=4)
    return Response(out.getvalue(), media_type="image/png")


__all__ = ["Limits", "api", "pages"]
