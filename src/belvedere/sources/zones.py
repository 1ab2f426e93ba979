"""The official lists of coastal communes (loi Littoral) and mountain-zone communes (loi Montagne),
read as ANCT publishes them, so that the typology says "littoral" or "montagne" only of a commune
that is one (a July peak makes a summer destination, not a seaside town).

The published layout (ANCT / Observatoire des territoires, "Communes soumises à la loi Littoral"
and "Communes classées en zone de montagne", one file per geography year): a workbook ``.xlsx``
whose sheet ``Perimetre`` has two title lines, then the header ``INSEE_COM`` (the commune),
``NOM_COM`` (its name) and, in the Littoral list, ``CLASSEMENT``: the shore that makes it coastal
(``Mer``, ``Lac``, ``Estuaire``); in the Montagne list, when present, ``CLASSEMENT`` says whether the
commune is wholly or partly in the zone. The same columns in a CSV are read too.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.sources.tables import codes_with, pick, read_table, vintage_of

ZONES = ("littoral", "montagne")


def read_zone(path: Path, zone: str, vintage: str | None = None) -> tuple[pl.DataFrame, str]:
    """(one row per commune of the list: ``code``, ``class`` (the shore, or the part classed, or
    null), the vintage: ``vintage`` when given, else the year its titles or name say). A code that
    is not a commune's is refused naming its line; a list without communes is refused."""
    if zone not in ZONES:
        raise BelvedereError(M.t("zone_unknown", zone=zone))
    table = read_table(path, ("INSEE_COM", "CODGEO", "code_insee"), sheet="Perimetre")
    at = pick(table, ("INSEE_COM", "CODGEO", "code_insee"))
    assert at is not None  # the header was found by it
    klass = pick(table, ("CLASSEMENT", "classement", "type"))
    codes, classes = codes_with(table, path, at, klass)
    year = vintage or vintage_of(table, path)
    if not year:
        raise BelvedereError(M.t("zone_no_vintage", path=path.name))
    frame = pl.DataFrame({"code": codes, "class": classes}, schema={"code": pl.String, "class": pl.String})
    return frame.unique("code", keep="first", maintain_order=True), year
