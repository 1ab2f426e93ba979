"""ARCEP's mobile sites ("Mon réseau mobile", quarterly), read from the file as ARCEP publishes it:
the scorecard's mobile indicators, per commune, the operators with a 4G antenna and with a 5G
antenna on its territory.

The published layout (``data.arcep.fr/mobile/sites/``, one file per quarter and area, such as
``2024_T1_sites_Metropole.csv``; Licence Ouverte): ``;``, UTF-8, one row per operator's site, with
``code_op`` (20801 Orange, 20810 SFR, 20815 Free, 20820 Bouygues Telecom), ``nom_op``,
``num_site``, ``id_site_partage``, ``id_station_anfr``, ``x``, ``y``, ``latitude``, ``longitude``,
``nom_reg``, ``nom_dep``, ``insee_dep``, ``nom_com``, ``insee_com`` and 0/1 flags ``site_2g``,
``site_3g``, ``site_4g``, ``site_5g`` (then ``mes_4g_trim``, ``site_ZB``, ``site_DCC``, the 5G
bands...).

Why operators with an antenna and not a coverage rate: ARCEP publishes coverage as maps (polygons
per operator), not per commune; the sites file is the per-commune fact it publishes. An antenna in
the next commune covers too, so the scorecard says "antenne sur la commune", never "couverte".
A commune of a département the file covers and without any site has 0 operators; a commune of a
département it does not cover stays unknown.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.sources.tables import CODE, Table, commune_code, departement_of, pick

CODE_COLUMNS = ("insee_com",)
FLAGS = {"op4g": "site_4g", "op5g": "site_5g"}  # what Belvédère keeps -> ARCEP's column
TRUE, FALSE = ("1", "true", "oui", "vrai"), ("0", "false", "non", "faux", "")


def is_sites_file(table: Table) -> bool:
    return pick(table, ("site_4g",)) is not None and pick(table, CODE_COLUMNS) is not None


def quarter_end(path: Path, as_of: date | None) -> date:
    """The quarter the file speaks of, from ``--date`` (``2024-03-31``) or its published name
    (``2024_T1_sites_Metropole.csv``: 31 March 2024)."""
    if as_of is not None:
        return as_of
    if m := re.search(r"(20\d{2})[_-]?T([1-4])", path.name, re.IGNORECASE):
        year, quarter = int(m[1]), int(m[2])
        return date(year, 3 * quarter, 31 if quarter in (1, 4) else 30)
    raise BelvedereError(M.t("mobile_no_date", path=path.name))


def read_sites(table: Table, path: Path, as_of: date | None = None) -> tuple[pl.DataFrame, set[str], date]:
    """(per commune with a site and per indicator, ``code``, ``indicator`` (op4g, op5g) and ``value``
    (distinct operators with such a site); the départements the file covers; its quarter's end).
    A flag that is not 0/1 or a code that is not a commune's is refused, naming the line."""
    at, op_at = pick(table, CODE_COLUMNS), pick(table, ("code_op", "nom_op"))
    if at is None or op_at is None:
        raise BelvedereError(M.t("mobile_bad_layout", path=path.name))
    flags = {k: i for k, col in FLAGS.items() if (i := pick(table, (col,))) is not None}
    when = quarter_end(path, as_of)
    operators: dict[tuple[str, str], set[str]] = {}
    departements: set[str] = set()
    for row, line in zip(table.rows, table.lines, strict=True):
        code = commune_code(row[at])
        if not CODE.match(code):
            raise BelvedereError(M.t("table_bad_code", path=path.name, line=line, value=row[at]))
        departements.add(departement_of(code))
        for key, i in flags.items():
            flag = row[i].strip().lower()
            if flag not in TRUE + FALSE:
                raise BelvedereError(M.t("tourism_bad_value", path=path.name, column=FLAGS[key], line=line,
                                         value=row[i]))  # fmt: skip
            operators.setdefault((code, key), set())
            if flag in TRUE:
                operators[(code, key)].add(row[op_at].strip())
    if not departements:
        raise BelvedereError(M.t("table_empty", path=path.name))
    schema = {"code": pl.String, "indicator": pl.String, "value": pl.Int64}
    frame = pl.DataFrame([(c, k, len(ops)) for (c, k), ops in operators.items()], schema=schema, orient="row")
    return frame, departements, when
