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
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from belvedere import __version__
from belvedere import messages as M
from belvedere.web.api import REFRESH_SECONDS, State, router
from belvedere.web.pages import pages


def create_app(path: str | Path, write_token: str | None = None, *, refresh: float = REFRESH_SECONDS) -> FastAPI:
    """``refresh``: seconds between looks at the store file for new data (0: never)."""
    st = State(path, write_token, refresh=refresh)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        st.obs.close()

    app = _routes(FastAPI(lifespan=lifespan, **_DESCRIBED))
    app.state.belvedere = st

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
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
        return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # one readable sentence first, the details after
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", []) if x not in ("query", "path", "body"))
            parts.append(f"{where} : {err.get('msg')}")
        return JSONResponse(status_code=422, content={"detail": M.t("web_invalid", errors=" ; ".join(parts))})

    return app


_DESCRIBED: dict[str, Any] = {
    "title": "Belvédère",
    "version": __version__,
    "description": M.t("web_api_description"),
    "docs_url": None,  # the Swagger page loads its scripts from a CDN: not offline
    "redoc_url": None,
}


def _routes(app: FastAPI) -> FastAPI:
    app.include_router(router)
    app.include_router(pages)
    app.mount("/static", StaticFiles(packages=[("belvedere.web", "static")]), name="static")
    return app


def openapi_document() -> dict[str, Any]:
    """The OpenAPI description the server publishes at /openapi.json, without a store (for tools
    and tests that generate requests from it)."""
    return _routes(FastAPI(**_DESCRIBED)).openapi()
