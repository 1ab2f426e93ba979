"""The web application: `create_app(path)` gives a FastAPI app over one store.

The store is opened read-only and let go of between requests, so that a fetch or an ingest can
run beside the server; national figures are computed once per period and kept in memory. When
the store file changes (a writer finished), the figures are rebuilt in the background and
swapped in (see :class:`belvedere.web.api.State`). Annotations (the only writes) reopen the
store read-write for the time of the write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from belvedere import __version__
from belvedere import messages as M
from belvedere.web import surveys
from belvedere.web.api import REFRESH_SECONDS, State, router
from belvedere.web.pages import ENV, pages


def create_app(path: str | Path, write_token: str | None = None, *, refresh: float = REFRESH_SECONDS,
               fetch_contact: str | None = None) -> FastAPI:  # fmt: skip
    """``refresh``: seconds between looks at the store file for new data (0: never);
    ``fetch_contact``: when given, the server may fetch a commune's audience from Wikimedia
    (« Analyser cette commune »), with this contact in its User-Agent."""
    st = State(path, write_token, refresh=refresh, fetch_contact=fetch_contact)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        st.close()

    app = _routes(FastAPI(lifespan=lifespan, **_DESCRIBED))
    app.state.belvedere = st
    app.state.survey_limits = surveys.Limits()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's own answers (no such address, a method the address does not take, a body
        # that is not JSON) in French like ours; a 405 lists every method of the address
        headers = dict(exc.headers or {})
        detail = exc.detail
        if exc.status_code == 404 and detail == "Not Found":
            detail = M.t("web_no_route", path=request.url.path)
        elif exc.status_code == 405:
            routes = [r for r in request.app.routes if isinstance(r, Route | APIRoute)]
            allowed = sorted(
                {m for r in routes if r.matches(request.scope)[0] is not Match.NONE for m in r.methods or ()}
            )
            headers["Allow"] = ", ".join(allowed)
            detail = M.t("web_bad_method", method=request.method, allowed=headers["Allow"])
        elif exc.status_code == 400 and detail == "There was an error parsing the body":
            detail = M.t("web_bad_body")
        return _answer(request, exc.status_code, str(detail), headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        # one readable sentence first, the details after
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", []) if x not in ("query", "path", "body"))
            parts.append(f"{where} : {_french(err)}")
        return _answer(request, 422, M.t("web_invalid", errors=" ; ".join(parts)))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # never a bare "Internal Server Error": a French sentence (the fault suite keeps this rare)
        return _answer(request, 500, M.t("web_error_internal"))

    return app


def _answer(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """An error as the asker reads it: ``{"detail": ...}`` for the JSON API, a French page for a person."""
    path = request.url.path
    if path.startswith("/api/") or path in ("/api", "/openapi.json") or path.startswith("/static/"):
        return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)
    st = getattr(request.app.state, "belvedere", None)
    key = f"web_error_title_{status}" if f"web_error_title_{status}" in M.FR else "web_error_title_422"
    html = ENV.get_template("error.html.j2").render(
        simulated=bool(st and st.obs.simulated), heading=M.t(key), message=detail, status=status
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def _french(err: Any) -> str:
    """A validation error in French where its kind is known, else as pydantic words it."""
    kind, ctx = str(err.get("type", "")), dict(err.get("ctx") or {})
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])  # our own validators speak French already
    key = f"pydantic_{kind}"
    if key in M.FR:
        try:
            return M.t(key, **{k: v for k, v in ctx.items() if isinstance(v, str | int | float)})
        except KeyError:
            pass
    return str(err.get("msg", kind))


_DESCRIBED: dict[str, Any] = {
    "title": "Belvédère",
    "version": __version__,
    "description": M.t("web_api_description"),
    "docs_url": None,  # the Swagger page loads its scripts from a CDN: not offline
    "redoc_url": None,
}


def _routes(app: FastAPI) -> FastAPI:
    app.include_router(router)
    app.include_router(surveys.api)
    app.include_router(pages)
    app.include_router(surveys.pages)
    app.mount("/static", StaticFiles(packages=[("belvedere.web", "static")]), name="static")
    return app


def openapi_document() -> dict[str, Any]:
    """The OpenAPI description the server publishes at /openapi.json, without a store (for tools
    and tests that generate requests from it)."""
    return _routes(FastAPI(**_DESCRIBED)).openapi()
