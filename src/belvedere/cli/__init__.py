"""The `belvedere` command line: thin — parse, call, print. One module per family of commands."""

from __future__ import annotations

import sys

from belvedere import messages as M
from belvedere.cli import abroad, analytics, campaigns, data, opendata, reports, snapshots, web  # noqa: F401  (they register their commands)
from belvedere.cli.common import app
from belvedere.errors import BelvedereError
from belvedere.output import err_console

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: user errors become one line on stderr and a non-zero exit."""
    try:
        app()
    except BelvedereError as exc:
        err_console.print(f"[bold red]{M.t('error_prefix')} :[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("Interrompu.")
        sys.exit(130)
