"""Official lists of communes as they are published: a spreadsheet (``.xlsx``, with title lines above
the header, as ANCT and the ministries publish their zonings) or a CSV (``;`` or ``,``, UTF-8 with or
without a BOM, else Latin-1), plain or zipped.

Why one reader: the loi Littoral and loi Montagne lists, the labels and the ARCEP files each name
their commune column differently and put it on a different line; this module finds the header line
by the column it must hold and gives every cell as text, so that each source only says which
columns it reads and how.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from belvedere import messages as M
from belvedere.errors import BelvedereError

CODE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
HEADER_LINES = 12  # the header is looked for among the first lines (titles, notes, blank lines above it)


@dataclass(frozen=True)
class Table:
    """The rows under the header line, as text; ``line`` gives the file's line (or the sheet's row)
    of each row, for messages; ``titles`` are the lines above the header (a vintage is often there)."""

    columns: list[str]
    rows: list[list[str]]
    lines: list[int]
    titles: list[str]


def _normal(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip()


def _cells_xlsx(raw: bytes, sheet: str | None, path: Path) -> list[list[str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # a zip that is not a workbook, a damaged sheet
        raise BelvedereError(M.t("table_unreadable", path=path.name, err=str(exc).splitlines()[0])) from None
    try:
        ws = book[sheet] if sheet and sheet in book.sheetnames else book.worksheets[0]
        out = []
        for values in ws.iter_rows(values_only=True):
            out.append(["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                        for v in values])  # fmt: skip
        return out
    finally:
        book.close()


def decode(raw: bytes) -> str:
    """A published text file's text: UTF-8 (with or without a BOM), else Latin-1 (older files)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _cells_csv(raw: bytes) -> list[list[str]]:
    text = decode(raw)
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") >= first.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=sep)]


def read_table(path: Path, wanted: tuple[str, ...], *, sheet: str | None = None) -> Table:
    """The table of ``path`` whose header line holds one of ``wanted`` (the commune column's names
    this source uses, compared without case). Refused with one line when no such header is found."""
    raw = path.read_bytes()
    cells: list[list[str]]
    if zipfile.is_zipfile(io.BytesIO(raw)):
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            names = z.namelist()
            if "xl/workbook.xml" in names:
                cells = _cells_xlsx(raw, sheet, path)
            else:
                inner = [n for n in names if n.lower().endswith((".csv", ".xlsx")) and "meta" not in n.lower()]
                if not inner:
                    raise BelvedereError(M.t("tourism_no_csv", path=path))
                data = z.read(inner[0])
                cells = _cells_xlsx(data, sheet, path) if inner[0].lower().endswith(".xlsx") else _cells_csv(data)
    else:
        cells = _cells_csv(raw)
    lower = {w.lower() for w in wanted}
    for i, row in enumerate(cells[:HEADER_LINES]):
        names = [_normal(c) for c in row]
        if any(n.lower() in lower for n in names):
            body = [(j + 1, r) for j, r in enumerate(cells[i + 1 :], start=i + 1) if any(c.strip() for c in r)]
            width = len(names)
            return Table(
                columns=names,
                rows=[(r + [""] * width)[:width] for _, r in body],
                lines=[j for j, _ in body],
                titles=[" ".join(c for c in r if c.strip()) for r in cells[:i]],
            )
    raise BelvedereError(M.t("table_no_header", path=path.name, columns=" / ".join(wanted)))


def pick(table: Table, names: tuple[str, ...]) -> int | None:
    """The position of the first of ``names`` the header holds (without case), or None."""
    lower = [c.lower() for c in table.columns]
    for name in names:
        if name.lower() in lower:
            return lower.index(name.lower())
    return None


def commune_code(value: str) -> str:
    """An INSEE code as the lists write it: a spreadsheet may have lost the leading zero (1004 for
    01004); Corsica keeps its 2A/2B."""
    v = value.strip().upper()
    if v.isdigit() and len(v) == 4:
        v = "0" + v
    return v


def departement_of(code: str) -> str:
    """The département of an INSEE commune code: three characters overseas (971...), else two."""
    return code[:3] if code.startswith("97") else code[:2]


def cell_date(value: str) -> date | None:
    """A date as published lists write it in a cell: ``2026-03-31`` (a time after it allowed) or
    ``31/03/2026``; None for anything else."""
    v = value.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?", v):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", v):
        return date(int(m[3]), int(m[2]), int(m[1]))
    return None


def vintage_of(table: Table, path: Path) -> str | None:
    """The year a list speaks of, when its title lines or its file name say it ("COG 2022",
    "mountain_cog2022.xlsx", "2024"): the most recent year written there."""
    years = re.findall(r"(?<!\d)(20\d{2})(?!\d)", " ".join([*table.titles, path.stem.replace("_", " ")]))
    return max(years) if years else None


def codes_with(table: Table, path: Path, at: int, other: int | None) -> tuple[list[str], list[str | None]]:
    """Each row's commune code (a value that is not one is refused, naming its line) and the text of
    column ``other`` (None where it is blank or the list has no such column); a list without any
    commune is refused."""
    codes: list[str] = []
    values: list[str | None] = []
    for row, line in zip(table.rows, table.lines, strict=True):
        code = commune_code(row[at])
        if not CODE.match(code):
            raise BelvedereError(M.t("table_bad_code", path=path.name, line=line, value=row[at]))
        codes.append(code)
        values.append((row[other].strip() or None) if other is not None else None)
    if not codes:
        raise BelvedereError(M.t("table_empty", path=path.name))
    return codes, values
