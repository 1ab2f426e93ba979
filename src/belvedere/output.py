"""Print DataFrames as a Rich table, CSV or JSON; JSON on stdout is machine-readable only."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.present import COLUMN_LABELS, spreadsheet_csv

console = Console()
err_console = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    tableur = "tableur"  # the CSV French spreadsheets open as is (see present.spreadsheet_csv)
    json = "json"


def parse_format(value: str) -> Format:
    try:
        return Format(value.lower())
    except ValueError:
        raise BelvedereError(M.t("bad_format", value=value)) from None


def _json_default(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _no_nan(obj: object) -> object:
    if isinstance(obj, float) and not math.isfinite(obj):  # NaN or an infinity: not JSON
        return None
    if isinstance(obj, dict):
        return {k: _no_nan(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_no_nan(v) for v in obj]
    return obj


def to_json(obj: object) -> str:
    """Strict JSON (NaN becomes null; dates are ISO strings)."""
    return json.dumps(_no_nan(obj), ensure_ascii=False, default=_json_default, indent=1, allow_nan=False)


def to_json_compact(obj: object) -> str:
    if isinstance(obj, pl.Series):
        obj = obj.to_list()
    return json.dumps(obj, ensure_ascii=False, default=_json_default)


TABLE_ROWS = 200


def _write_bytes(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def emit(
    df: pl.DataFrame,
    fmt: Format,
    *,
    title: str | None = None,
    labels: dict[str, str] | None = None,
    simulated: bool = False,
) -> None:
    """Write df to stdout in the requested format."""
    df = df.with_columns(pl.col(pl.Float32, pl.Float64).fill_nan(None))  # NaN is not JSON, nor a value
    if fmt is Format.json:
        sys.stdout.write(to_json(df.to_dicts()) + "\n")
        return
    if fmt is Format.tableur:
        _write_bytes(spreadsheet_csv(df, labels or COLUMN_LABELS))
        return
    if fmt is Format.csv:
        nested = [c for c, t in df.schema.items() if isinstance(t, pl.List | pl.Struct | pl.Array)]
        flat = df.with_columns(
            pl.col(c).map_elements(to_json_compact, return_dtype=pl.String, skip_nulls=True) for c in nested
        )
        sys.stdout.write(flat.write_csv())
        return
    table = Table(title=title, title_justify="left")
    labels = labels or {}
    for col in df.columns:
        numeric = df.schema[col].is_numeric()
        table.add_column(labels.get(col, col), justify="right" if numeric else "left")
    # a terminal shows what a reader reads (and Rich takes a second per thousand wrapped rows):
    # the first TABLE_ROWS, and how to get every row
    for row in df.head(TABLE_ROWS).iter_rows():
        table.add_row(*(_cell(v) for v in row))
    if simulated:
        console.print(f"[bold yellow]{M.t('simulated_label')}[/]")
    console.print(table)
    if df.height > TABLE_ROWS:
        console.print(M.t("table_more_rows", shown=TABLE_ROWS, more=M.fr_number(df.height - TABLE_ROWS, 0)))


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return M.t("lbl_yes") if value else M.t("lbl_no")
    if isinstance(value, float):
        return "—" if value != value else M.fr_number(value, 2)
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if isinstance(value, list):
        return ", ".join(v.get("text", str(v)) if isinstance(v, dict) else str(v) for v in value) or "—"
    return str(value)


def emit_record(
    record: Mapping[str, Any],
    fmt: Format,
    *,
    title: str | None = None,
    labels: dict[str, str] | None = None,
    simulated: bool = False,
) -> None:
    """One object: JSON object, one-row CSV, or a two-column table."""
    if fmt is Format.json:
        sys.stdout.write(to_json(record) + "\n")
        return
    if fmt in (Format.csv, Format.tableur):
        flat = {k: (to_json(v) if isinstance(v, list | dict) else v) for k, v in record.items()}
        if fmt is Format.tableur:
            _write_bytes(spreadsheet_csv(pl.DataFrame([flat]), labels or COLUMN_LABELS))
        else:
            sys.stdout.write(pl.DataFrame([flat]).write_csv())
        return
    labels = labels or {}
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for key, value in record.items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value) if value else "—"
        table.add_row(labels.get(key, key), _cell(value))
    if simulated:
        console.print(f"[bold yellow]{M.t('simulated_label')}[/]")
    console.print(table)
