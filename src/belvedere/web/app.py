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

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

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

    app = FastAPI(
        lifespan=lifespan,
        title="Belvédère",
        version=__version__,
        description=M.t("web_api_description"),
        docs_url=None,  # the Swagger page loads its scripts from a CDN: not offline
        redoc_url=None,
    )
    app.state.belvedere = st
    app.include_router(router)
    app.include_router(pages)
    app.mount("/static", StaticFiles(packages=[("belvedere.web", "static")]), name="static")

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # one readable sentence first, the details after
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", []) if x not in ("query", "path", "body"))
            parts.append(f"{where} : {err.get('msg')}")
        return JSONResponse(status_code=422, content={"detail": M.t("web_invalid", errors=" ; ".join(parts))})

    return app
