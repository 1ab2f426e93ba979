"""Official open data, read from the files as published and kept with their source and vintage:
`belvedere tourism load` (belvedere.sources.tourism), `belvedere attachment-load` and
`belvedere attachment` (belvedere.sources.attachment: the residents' side of a commune)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from belvedere import messages as M
from belvedere.cli.common import ContactOpt, FormatOpt, app, make_client, open_store
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

    from belvedere.sources.tourism import read_tourism
    from belvedere.store.db import now
    from belvedere.store.writes import replace_tourism

    frame, vintage = read_tourism(local_copy(ctx, source, contact))
    _, n = _load_list(ctx, frame, lambda store, kept: replace_tourism(store, kept, vintage, source, now()))
    console.print(M.t("tourism_loaded", n=n, vintage=vintage, source=source))


@app.command("attachment-load", help=M.t("cmd_attachment_load"))
def attachment_load(ctx: typer.Context, kind: Annotated[str, typer.Argument(help=M.t("arg_attachment_kind"))],
                    source: Annotated[str, typer.Argument(help=M.t("arg_opendata_source"))],
                    election: Annotated[str | None, typer.Option("--election", help=M.t("opt_election"))] = None,
                    contact: ContactOpt = None) -> None:  # fmt: skip

    from belvedere.sources import attachment as readers
    from belvedere.store.db import now
    from belvedere.store.writes import replace_attachment

    kind = kind.strip().lower()
    if kind not in readers.KINDS:
        raise BelvedereError(M.t("attachment_kind_unknown", kind=kind))
    if kind == "turnout" and not (election or "").strip():
        raise BelvedereError(M.t("attachment_needs_election"))
    path = local_copy(ctx, source, contact)
    with open_store(ctx) as store:
        if store.simulated:
            raise BelvedereError(M.t("opendata_simulated_store", path=store.path))
        if kind == "population":
            frame = readers.read_population(path)
        elif kind == "turnout":
            frame = readers.read_turnout(path, election or "")
        elif kind == "associations":
            frame = readers.read_associations(path, store.frame("SELECT code, population FROM communes"))
        else:
            frame = readers.read_creations(path, store.frame("SELECT code, population FROM communes"))
        kept, unknown = _known_only(store, frame)
        n = replace_attachment(store, kept, source, now())
    indicators = ", ".join(sorted(kept["indicator"].unique().to_list()))
    console.print(M.t("attachment_loaded", n=n, indicators=indicators, communes=kept["code"].n_unique(), source=source))
    _say_unknown(unknown)  # communes merged since the file's geography: said, not kept


@app.command("attachment", help=M.t("cmd_attachment"))
def attachment_show(ctx: typer.Context, commune: Annotated[str, typer.Argument(help=M.t("arg_commune"))],
                    fmt: FormatOpt = "table") -> None:  # fmt: skip
    import polars as pl

    from belvedere import present
    from belvedere.cli.analytics import observatory
    from belvedere.output import emit, parse_format

    f = parse_format(fmt)
    with observatory(ctx) as obs:
        record = obs.attachment(commune)
        if record is None:
            raise BelvedereError(M.t("attachment_none", code=obs.code_of(commune)))
        name = obs.communes().filter(pl.col("code") == record["code"])["name"][0]
        rows = present.attachment_rows(record)
        story = present.attachment_story(record, name)
        simulated = obs.simulated
    if f.value == "json":
        console.print_json(data={"code": record["code"], "values": [v.__dict__ for v in record["values"]],
                                 "audience_percentile": record["audience_percentile"], "story": story})  # fmt: skip
        return
    table = pl.DataFrame(rows).select("label", "period", "value", "before", "rank", "source")
    emit(table, f, title=f"{M.t('vie_locale')} — {name}", labels={"label": M.t("lbl_indicator"),
         "period": M.t("att_period"), "value": M.t("att_value"), "before": M.t("att_trend"),
         "rank": M.t("att_rank"), "source": M.t("lbl_source")}, simulated=simulated)  # fmt: skip
    if story and f.value == "table":
        console.print(story)


zones_app = typer.Typer(help=M.t("cmd_zones"), no_args_is_help=True)
app.add_typer(zones_app, name="zones")
access_app = typer.Typer(help=M.t("cmd_access"), no_args_is_help=True)
app.add_typer(access_app, name="access")
labels_app = typer.Typer(help=M.t("cmd_labels"), no_args_is_help=True)
app.add_typer(labels_app, name="labels")


def _load_list(ctx: typer.Context, frame: Any, write: Callable[[Any, Any], int]) -> tuple[Any, int]:
    """An official list into a real store: refused on a simulated one, its rows of current communes
    written by ``write(store, rows)``, the other codes said. (rows kept, what ``write`` returned)."""
    with open_store(ctx) as store:
        if store.simulated:
            raise BelvedereError(M.t("opendata_simulated_store", path=store.path))
        kept, unknown = _known_only(store, frame)
        n = write(store, kept)
    _say_unknown(unknown)
    return kept, n


def _known_only(store: Any, frame: Any) -> tuple[Any, list[str]]:
    """The rows of current communes, and the codes of the others (said, not kept)."""
    import polars as pl

    known = store.frame("SELECT code FROM communes")["code"].to_list()
    unknown = frame.filter(~pl.col("code").is_in(known))["code"].unique(maintain_order=True).to_list()
    return frame.filter(pl.col("code").is_in(known)), unknown


def _say_unknown(unknown: list[str]) -> None:
    if unknown:  # Paris, Lyon, Marseille arrondissements, communes merged since: said, not kept
        err_console.print(M.t("tourism_unknown_codes", n=len(unknown), examples=", ".join(unknown[:5])))


@zones_app.command("load", help=M.t("cmd_zones_load"))
def zones_load(ctx: typer.Context, zone: Annotated[str, typer.Argument(help=M.t("arg_zone"))],
               source: Annotated[str, typer.Argument(help=M.t("arg_opendata_source"))],
               vintage: Annotated[str | None, typer.Option("--vintage", help=M.t("opt_vintage"))] = None,
               contact: ContactOpt = None) -> None:  # fmt: skip
    from belvedere.sources.zones import read_zone
    from belvedere.store.db import now
    from belvedere.store.writes import replace_zone

    zone = zone.strip().lower()
    frame, year = read_zone(local_copy(ctx, source, contact), zone, vintage)
    _, n = _load_list(ctx, frame, lambda store, kept: replace_zone(store, zone, kept, year, source, now()))
    console.print(M.t("zones_loaded", n=n, zone=M.t(f"zone_{zone}"), vintage=year, source=source))
    from belvedere.cli.analytics import refresh_figures

    refresh_figures(ctx)  # the typology's wording follows the zones


@access_app.command("load", help=M.t("cmd_access_load"))
def access_load(ctx: typer.Context, source: Annotated[str, typer.Argument(help=M.t("arg_opendata_source"))],
                as_of: Annotated[str | None, typer.Option("--date", help=M.t("opt_access_date"))] = None,
                contact: ContactOpt = None) -> None:  # fmt: skip
    from belvedere.dates import parse_date
    from belvedere.sources import mediation, mobile
    from belvedere.sources.arcep import read_access
    from belvedere.sources.tables import read_table
    from belvedere.store.db import now
    from belvedere.store.writes import replace_access, replace_access_counts

    asked = parse_date(as_of) if as_of else None  # one parser for every kind of file
    path = local_copy(ctx, source, contact)
    table = read_table(path, ("code_insee", *mobile.CODE_COLUMNS))
    if mobile.is_sites_file(table) or mediation.is_mediation_file(table):
        what = "mobile" if mobile.is_sites_file(table) else "inclusion"
        read = mobile.read_sites if what == "mobile" else mediation.read_places
        counts, departements, when = read(table, path, asked)
        rows: Any = None
        zero = 0

        def write(store: Any, kept: Any) -> int:
            nonlocal rows, zero
            rows, zero = _with_zeros(store, kept, departements)
            return replace_access_counts(store, rows, when, source, now())

        _load_list(ctx, counts, write)
        indicators = ", ".join(M.t(f"access_{k}") for k in rows["indicator"].unique(maintain_order=True).to_list())
        console.print(M.t("access_counts_loaded", what=M.t(f"access_what_{what}"), date=M.fr_date(when),
                          communes=rows["code"].n_unique(), deps=len(departements), zero=zero,
                          indicators=indicators, source=source))  # fmt: skip
        return
    frame, day = read_access(path, table, asked)
    kept, _ = _load_list(ctx, frame, lambda store, rows: replace_access(store, rows, day, source, now()))
    indicators = ", ".join(M.t(f"access_{k}") for k in kept["indicator"].unique(maintain_order=True).to_list())
    console.print(M.t("access_loaded", communes=kept["code"].n_unique(), indicators=indicators,
                      date=M.fr_date(day), source=source))  # fmt: skip


def _with_zeros(store: Any, counts: Any, departements: set[str]) -> tuple[Any, int]:
    """The counts with a 0 for every commune of the départements the file covers that it does not
    list (a file lists the communes that have something; the others have none), and how many."""
    import polars as pl

    covered = store.frame("SELECT code FROM communes WHERE departement IN (SELECT unnest(?))", [sorted(departements)])
    indicators = counts["indicator"].unique().sort().to_list()
    every = covered.join(pl.DataFrame({"indicator": indicators}), how="cross")
    out = every.join(counts, on=["code", "indicator"], how="full", coalesce=True).with_columns(
        pl.col("value").fill_null(0)
    )
    return out, covered.height - counts["code"].n_unique()


@labels_app.command("load", help=M.t("cmd_labels_load"))
def labels_load(ctx: typer.Context, label: Annotated[str, typer.Argument(help=M.t("arg_label"))],
                source: Annotated[str, typer.Argument(help=M.t("arg_opendata_source"))],
                as_of: Annotated[str | None, typer.Option("--date", help=M.t("opt_label_date"))] = None,
                contact: ContactOpt = None) -> None:  # fmt: skip
    from belvedere.sources.labels import read_labels
    from belvedere.store.db import now
    from belvedere.store.writes import replace_label

    label = label.strip().lower()
    frame, when = read_labels(local_copy(ctx, source, contact), label, as_of)
    _, n = _load_list(ctx, frame, lambda store, kept: replace_label(store, label, kept, when, source, now()))
    console.print(M.t("labels_loaded", n=n, label=M.t(f"label_{label}"), date=when, source=source))
