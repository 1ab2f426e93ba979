"""The `belvedere` command line: thin — parse, call, print. One module per family of commands.

A command imports only the module that defines it: Typer builds every command it knows from its
function's signature on each start, and a user waiting on ``profile`` should not pay for the other
44 (``--help`` and an unknown name still load them all)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import typer.core
import typer.main

from belvedere import messages as M
from belvedere.cli.common import app
from belvedere.errors import BelvedereError
from belvedere.output import err_console

__all__ = ["COMMANDS", "COMMAND_MODULES", "app", "load_commands", "main"]

# the top-level commands and groups each module of belvedere.cli registers (tests check it)
COMMANDS = {
    "abroad": ("foreign",),
    "analytics": ("compute", "rank", "profile", "scorecard", "explain", "referrers", "peers", "spikes", "events",
                  "annotate", "typology"),
    "campaigns": ("campaign", "impact"),
    "data": ("init", "info", "communes", "pvd", "demo", "export", "articles", "fetch", "maps", "ingest"),
    "opendata": ("tourism", "attachment-load", "attachment", "zones", "access", "labels"),
    "reports": ("report",),
    "snapshots": ("snapshot", "diagnose"),
    "web": ("serve",),
}  # fmt: skip
COMMAND_MODULES = {name: module for module, names in COMMANDS.items() for name in names}
_GLOBAL_WITH_VALUE = {"--db"}  # the root's options that take a value (see cli.common._root)


def _command_name(argv: Sequence[str]) -> str | None:
    """The command asked for: the first word after the root's options."""
    args = iter(argv)
    for arg in args:
        if arg in _GLOBAL_WITH_VALUE:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def load_commands(argv: Sequence[str] | None = None) -> None:
    """Register the command ``argv`` asks for, or every command when it names none we know."""
    module = COMMAND_MODULES.get(_command_name(argv) or "") if argv is not None else None
    for name in [module] if module else COMMANDS:
        importlib.import_module(f"belvedere.cli.{name}")


_built: dict[tuple[int, int], typer.core.TyperGroup] = {}


def _command() -> typer.core.TyperGroup:
    """The click command Typer builds from the commands registered so far, built once: building
    it reads every command's signature (~40 ms for all 45), again at each call of ``main`` in one
    process (the tests, a script calling it in a loop)."""
    key = (len(app.registered_commands), len(app.registered_groups))
    if key not in _built:
        group = typer.main.get_command(app)
        assert isinstance(group, typer.core.TyperGroup)  # a root callback and commands: a group
        _built[key] = group
    return _built[key]


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and a non-zero exit."""
    args = list(sys.argv[1:] if argv is None else argv)
    load_commands(args)
    try:
        _command().main(args=args, prog_name="belvedere")
    except BelvedereError as exc:
        err_console.print(f"[bold red]{M.t('error_prefix')} :[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("Interrompu.")
        sys.exit(130)
