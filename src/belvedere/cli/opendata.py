"""`belvedere tourism load`: official open data, read from the files as published (see
belvedere.sources.tourism), kept with their source and vintage."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from belvedere import messages as M
from belvedere.cli.common import ContactOpt, app, make_client, open_store
from belvedere.config import Settings
from belvedere.errors import BelvedereError
from belvedere.output import console, err_console

tourism_app = typer.Typer(help=M.t("cmd_tourism"), no_args_is_help=True)
app.add_typer(tourism_app, name="tourism")


def local_copy(ctx: typer.Context, source: str, contact: str | None) -> Path:
    """A local path as it is; a URL downloaded beside the store (resumed after a cut, retried on
    429/5xx by the polite client)."""
    if not source.startswith(("http://", "https://")):
        path = Path(source)
        if not path.is_file():
            raise BelvedereError(M.t("opendata_missing", path=path))
        return path
    from belvedere.sources.http import FetchFailed

    settings: Settings = ctx.obj["settings"]
    store_path = Path(ctx.obj["db"])
    downloads = store_path.with_name(store_path.stem + "-downloads")
    downloads.mkdir(parents=True, exist_ok=True)
    dest = downloads / (source.rstrip("/").rsplit("/", 1)[-1] or "download")

    async def run() -> Path:
        async with make_client(settings, contact) as client:
            return await client.download(source, dest)

    try:
        return asyncio.run(run())
    except FetchFailed as exc:
        raise BelvedereError(M.t("opendata_download", url=source, err=exc)) from None


@tourism_app.command("load", help=M.t("cmd_tourism_load"))
def tourism_load(ctx: typer.Context, source: Annotated[str, typer.Argument(help=M.t("arg_opendata_source"))],
                 contact: ContactOpt = None) -> None:  # fmt: skip
    import polars as pl

    from belvedere.sources.tourism import read_tourism
    from belvedere.store.db import now
    from belvedere.store.writes import replace_tourism

    path = local_copy(ctx, source, contact)
    frame, vintage = read_tourism(path)
    with open_store(ctx) as store:
        if store.simulated:
            raise BelvedereError(M.t("opendata_simulated_store", path=store.path))
        known = set(store.frame("SELECT code FROM communes")["code"].to_list())
        unknown = frame.filter(~pl.col("code").is_in(list(known)))
        kept = frame.filter(pl.col("code").is_in(list(known)))
        n = replace_tourism(store, kept, vintage, source, now())
    console.print(M.t("tourism_loaded", n=n, vintage=vintage, source=source))
    if unknown.height:  # Paris, Lyon, Marseille arrondissements, communes merged since: said, not kept
        err_console.print(M.t("tourism_unknown_codes", n=unknown.height,
                              examples=", ".join(unknown["code"].head(5).to_list())))  # fmt: skip
