"""What every command shares: the Typer apps, options, labels, store opening, dates, progress."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from belvedere import messages as M
from belvedere.config import PROGRESS_ENV, Settings
from belvedere.dates import parse_date
from belvedere.errors import BelvedereError, SchemaTooOldError, StoreMissingError
from belvedere.output import err_console
from belvedere.present import COLUMN_LABELS
from belvedere.reference.load import prepare_store
from belvedere.store import SCHEMA_VERSION, Store

if TYPE_CHECKING:
    from belvedere.sources.http import PoliteClient

app = typer.Typer(help=M.t("app_help"), no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
communes_app = typer.Typer(help=M.t("cmd_communes"), no_args_is_help=True)
pvd_app = typer.Typer(help=M.t("cmd_pvd"), no_args_is_help=True)
export_app = typer.Typer(help=M.t("cmd_export"), no_args_is_help=True)
articles_app = typer.Typer(help=M.t("cmd_articles"), no_args_is_help=True)
app.add_typer(articles_app, name="articles")
app.add_typer(communes_app, name="communes")
app.add_typer(pvd_app, name="pvd")
app.add_typer(export_app, name="export")

FormatOpt = Annotated[str, typer.Option("--format", "-f", help=M.t("opt_format"))]
# options shared by the commands that move audience in or out
CommunesReq = Annotated[str, typer.Option(help=M.t("opt_communes"))]
StartReq = Annotated[str, typer.Option(help=M.t("opt_start"))]
EndReq = Annotated[str, typer.Option(help=M.t("opt_end_export"))]
AgentsOpt = Annotated[str, typer.Option(help=M.t("opt_agents"))]
LABELS = COLUMN_LABELS  # the French column names: one list for the terminal, the pages, the exports


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[Path | None, typer.Option("--db", help=M.t("opt_db"), envvar=None)] = None,
) -> None:
    settings = Settings()
    ctx.obj = {"db": db or settings.db_path, "settings": settings}


def open_store(ctx: typer.Context, *, read_only: bool = False, need_reference: bool = True) -> Store:
    path = ctx.obj["db"]
    if not read_only:
        store = Store(path)
        if need_reference:
            try:
                prepare_store(store)
            except BaseException:
                store.close()
                raise
        return store
    if not Path(path).exists():
        raise StoreMissingError(M.t("store_missing", path=path))
    store = Store(path, read_only=True)
    if store.version() < SCHEMA_VERSION:
        # a reading command never changes the store: its owner upgrades it with `init`
        version = store.version()
        store.close()
        raise SchemaTooOldError(M.t("store_too_old", path=path, version=version, supported=SCHEMA_VERSION))
    if need_reference and not store.has_reference():
        raise BelvedereError(M.t("no_reference"))
    return store


def date_range(start: str, end: str) -> tuple[date, date]:
    d_start, d_end = parse_date(start), parse_date(end)
    if d_end < d_start:
        raise BelvedereError(M.t("end_before_start", start=d_start, end=d_end))
    return d_start, d_end


def tell_progress(step: str, done: float | None = None, total: float | None = None) -> None:
    """Write the step and its count to the file named by BELVEDERE_PROGRESS_FILE, if any: the
    server's progress page reads it. Written aside and renamed, so that it is never read half-written."""
    target = os.environ.get(PROGRESS_ENV)
    if not target:
        return
    tmp = Path(target + ".tmp")
    tmp.write_text(json.dumps({"step": step, "done": done, "total": total}), encoding="utf-8")
    tmp.replace(target)


class _TellingProgress(Progress):
    """A Rich progress bar that also tells the server its step (see tell_progress)."""

    def __init__(self, step: str, *columns: ProgressColumn | str, **kwargs: Any) -> None:
        super().__init__(*columns, **kwargs)
        self.step = step

    def update(self, task_id: TaskID, **kwargs: Any) -> None:
        super().update(task_id, **kwargs)
        task = self._tasks[task_id]
        tell_progress(self.step, task.completed, task.total)


def progress_bar(step: str = "") -> Progress:
    """The CLI's progress bar; ``step``: the name the server's progress page gives this work."""
    return _TellingProgress(
        step,
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )


ContactOpt = Annotated[str | None, typer.Option("--contact", help=M.t("opt_contact"))]


def make_client(settings: Settings, contact: str | None, concurrency: int | None = None) -> PoliteClient:
    from belvedere.sources.http import PoliteClient

    return PoliteClient(
        contact or settings.contact,
        concurrency=concurrency or settings.max_concurrency,
        max_tries=settings.max_tries,
        backoff_base=settings.backoff_base,
    )


def parse_agents(agents: str) -> tuple[str, ...]:
    agent_list = tuple(dict.fromkeys(a.strip() for a in agents.split(",") if a.strip()))
    for a in agent_list:
        if a not in ("user", "automated", "spider"):
            raise BelvedereError(M.t("bad_agent", value=a))
    return agent_list or ("user",)
