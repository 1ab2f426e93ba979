"""Where residents and visitors find help with digital use: the national map of places of digital
mediation ("lieux de médiation numérique", ANCT's cartographie nationale, published on data.gouv.fr
in the standard of La MedNum and ANCT), the scorecard's inclusion indicator.

The published layout (schema « Lieux de médiation numérique », v1): a CSV (``,``, quoted, UTF-8), one
row per place, with ``id``, ``pivot``, ``nom``, ``commune``, ``code_postal``, ``code_insee``,
``adresse``..., ``date_maj`` (the place's last update, ``2022-06-02``), ``services`` (``|``
separated) and ``dispositif_programmes_nationaux`` (``Aidants Connect, Conseillers numériques,
France Services``...). Belvédère counts per commune the places listed and those labelled France
Services. A commune of a département the file covers and not in it has 0 places; a commune of a
département it does not cover stays unknown.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.sources.tables import CODE, Table, cell_date, commune_code, departement_of, pick

CODE_COLUMNS = ("code_insee",)
PROGRAMMES = ("dispositif_programmes_nationaux", "labels_nationaux")
FRANCE_SERVICES = re.compile(r"france\s*services", re.IGNORECASE)


def is_mediation_file(table: Table) -> bool:
    return pick(table, CODE_COLUMNS) is not None and pick(table, ("services", *PROGRAMMES)) is not None


def read_places(table: Table, path: Path, as_of: date | None = None) -> tuple[pl.DataFrame, set[str], date]:
    """(per commune with a place and per indicator, ``code``, ``indicator`` (mediation: places;
    france_services: those labelled France Services) and ``value``; the départements the file
    covers; its date: ``as_of`` when given, else its most recent ``date_maj``)."""
    at, programmes_at, updated_at = pick(table, CODE_COLUMNS), pick(table, PROGRAMMES), pick(table, ("date_maj",))
    assert at is not None
    counts: dict[tuple[str, str], int] = {}
    departements: set[str] = set()
    latest: date | None = None
    for row, line in zip(table.rows, table.lines, strict=True):
        code = commune_code(row[at])
        if not CODE.match(code):
            raise BelvedereError(M.t("table_bad_code", path=path.name, line=line, value=row[at]))
        departements.add(departement_of(code))
        counts[(code, "mediation")] = counts.get((code, "mediation"), 0) + 1
        labelled = programmes_at is not None and FRANCE_SERVICES.search(row[programmes_at]) is not None
        counts[(code, "france_services")] = counts.get((code, "france_services"), 0) + int(labelled)
        if updated_at is not None and (day := cell_date(row[updated_at])) is not None:
            latest = day if latest is None or day > latest else latest
    if not departements:
        raise BelvedereError(M.t("table_empty", path=path.name))
    if as_of is not None:
        latest = as_of
    if latest is None:
        raise BelvedereError(M.t("mediation_no_date", path=path.name))
    schema = {"code": pl.String, "indicator": pl.String, "value": pl.Int64}
    frame = pl.DataFrame([(c, k, n) for (c, k), n in counts.items()], schema=schema, orient="row")
    return frame, departements, latest
