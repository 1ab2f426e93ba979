"""ARCEP's fixed broadband by commune ("Ma connexion internet", quarterly statistics), read from
the files as ARCEP publishes them: the scorecard's access dimension.

The published layout (``data.arcep.fr/fixe/maconnexioninternet/statistiques/last/commune/``, Licence
Ouverte): CSV files separated by ``;``, UTF-8, one row per commune, with ``code_insee``,
``nom_com``, ``code_dep``, ``code_reg``, ``type`` (``all``) and ``date`` (the quarter's end,
``2026-03-31``), ``nbr`` (the commune's premises: dwellings and business premises) and counts of
eligible premises:

- ``commune_techno.csv``: by technology, ``elig_ftth`` (fibre to the home), ``elig_coax``,
  ``elig_cu``...;
- ``commune_debit_filaire.csv``: by wired speed, ``inel_hd``, ``elig_hd3``, ``elig_bhd8``,
  ``elig_thd30``, ``elig_thd100``, ``elig_thd1g`` (wired only: the plain ``commune_debit.csv``
  counts satellite, available everywhere, and says 100 % for nearly every commune).

Belvédère keeps the share of premises eligible to fibre and to 30 Mbit/s or more by wire.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.sources.tables import CODE, Table, cell_date, commune_code, pick, read_table

INDICATORS = {"ftth": "elig_ftth", "thd30": "elig_thd30"}  # what Belvédère keeps -> ARCEP's column


def read_access(path: Path, table: Table | None = None, as_of: date | None = None) -> tuple[pl.DataFrame, date]:
    """(one row per commune and indicator the file carries: ``code``, ``indicator``, ``premises``,
    ``eligible``; the date the file speaks of). A count that is not a whole number, or more eligible
    premises than premises, is refused naming the line and the column. ``table``: the file already
    read; ``as_of``: the date to use when the file says none (its own date always wins)."""
    table = table if table is not None else read_table(path, ("code_insee",))
    at = pick(table, ("code_insee",))
    premises_at = pick(table, ("nbr",))
    kept = {k: i for k, col in INDICATORS.items() if (i := pick(table, (col,))) is not None}
    if at is None or premises_at is None or not kept:
        raise BelvedereError(M.t("access_bad_layout", path=path.name))
    type_at, date_at = pick(table, ("type",)), pick(table, ("date",))
    rows: list[tuple[str, str, int, int]] = []
    dates: set[date] = set()
    for row, line in zip(table.rows, table.lines, strict=True):
        if type_at is not None and row[type_at].strip() not in ("", "all"):
            continue  # the published files hold "all" only; another breakdown would count premises twice
        code = commune_code(row[at])
        if not CODE.match(code):
            raise BelvedereError(M.t("table_bad_code", path=path.name, line=line, value=row[at]))
        if date_at is not None and (d := cell_date(row[date_at])) is not None:
            dates.add(d)
        total = _count(row[premises_at], path, line, "nbr")
        for key, i in kept.items():
            eligible = _count(row[i], path, line, INDICATORS[key])
            if eligible > total:
                raise BelvedereError(M.t("access_more_than_premises", path=path.name, line=line,
                                         column=INDICATORS[key], eligible=eligible, premises=total))  # fmt: skip
            rows.append((code, key, total, eligible))
    if not rows:
        raise BelvedereError(M.t("table_empty", path=path.name))
    if not dates and as_of is not None:
        dates.add(as_of)
    if len(dates) != 1:
        raise BelvedereError(M.t("access_no_date", path=path.name))
    frame = pl.DataFrame(rows, schema={"code": pl.String, "indicator": pl.String, "premises": pl.Int64,
                                       "eligible": pl.Int64}, orient="row")  # fmt: skip
    return frame.unique(["code", "indicator"], keep="first", maintain_order=True), dates.pop()


def _count(value: str, path: Path, line: int, column: str) -> int:
    v = value.strip().replace(" ", "").replace("\u202f", "")
    if not v.isdigit():
        raise BelvedereError(M.t("tourism_bad_value", path=path.name, column=column, line=line, value=value))
    return int(v)
