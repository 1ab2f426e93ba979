"""`belvedere serve`: the web dashboard and JSON API over a store."""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer

from belvedere import messages as M
from belvedere.cli.common import ContactOpt, app, open_store
from belvedere.errors import BelvedereError
from belvedere.output import console


@app.command(help=M.t("cmd_serve"))
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help=M.t("opt_host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help=M.t("opt_port"))] = 8000,
    write_token: Annotated[str | None, typer.Option(help=M.t("opt_write_token"))] = None,
    warm: Annotated[bool, typer.Option("--warm/--no-warm", help=M.t("opt_warm"))] = True,
    refresh: Annotated[float, typer.Option(min=0, max=3600, help=M.t("opt_serve_refresh"))] = 2.0,
    fetch: Annotated[bool, typer.Option("--fetch", help=M.t("opt_serve_fetch"))] = False,
    contact: ContactOpt = None,
) -> None:
    import uvicorn

    from belvedere.web.api import State
    from belvedere.web.app import create_app

    with open_store(ctx, read_only=True) as store:  # a clear error now if the store is missing or too new
        simulated = store.simulated
    fetch_contact = None
    if fetch:
        fetch_contact = contact or ctx.obj["settings"].contact
        if not fetch_contact:
            raise BelvedereError(M.t("serve_fetch_no_contact"))
        if simulated:
            raise BelvedereError(M.t("serve_fetch_simulated", path=ctx.obj["db"]))
    sock = _listen(host, port)  # and now if the port is taken, before a long warm-up
    token = write_token or os.environ.get("BELVEDERE_WRITE_TOKEN") or None
    web = create_app(ctx.obj["db"], token, refresh=refresh, fetch_contact=fetch_contact)
    if warm:
        with console.status(M.t("serve_warming")):
            State.warm(web.state.belvedere.obs)
    mode = M.t("serve_rw" if token else "serve_ro") + (f", {M.t('serve_fetch_on')}" if fetch_contact else "")
    console.print(M.t("serve_ready", url=f"http://{host}:{port}/", mode=mode))
    server = uvicorn.Server(uvicorn.Config(web, log_level="warning"))
    server.run(sockets=[sock])


def _listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # listening at once: a second server on this port fails its bind now, instead of both
        # holding a bound socket through their warm-ups; early visitors wait in the backlog
        sock.listen(2048)
    except OSError as exc:
        raise BelvedereError(M.t("serve_port_busy", host=host, port=port, err=exc.strerror)) from None
    return sock
