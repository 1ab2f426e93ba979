"""The labels that drive visits, read from the lists their bodies publish: a commune holds a label or
not, and the list says since when it is true (its date).

Each body publishes its own list (a CSV or a spreadsheet on data.gouv.fr or on its site), with the
commune's INSEE code under one of a few names (``code_insee``, ``INSEE_COM``, ``CODGEO``, ``Code
INSEE``, ``insee``, ``COM``) and sometimes a detail: the flowers of a Ville fleurie (``fleurs``,
``nb_fleurs``, ``Nombre de fleurs``), the kind of a "Villes et Pays d'art et d'histoire"
(``type``, ``label``, ``categorie``). The reader finds the header line by the code column, so a
list with title lines above it reads as well. A list without INSEE codes (names only) is refused:
names alone are ambiguous across 35,000 communes.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.sources.tables import codes_with, pick, read_table, vintage_of

# the labels Belvédère knows, by key: the study's "labels that drive visits"
LABELS = ("plus-beaux-villages", "petites-cites-de-caractere", "villes-villages-fleuris", "art-et-histoire",
          "station-classee")  # fmt: skip
CODE_COLUMNS = ("code_insee", "INSEE_COM", "CODGEO", "Code INSEE", "Code commune INSEE", "insee", "COM",
                "code_commune")  # fmt: skip
DETAIL_COLUMNS = ("fleurs", "nb_fleurs", "Nombre de fleurs", "categorie", "catégorie", "type", "label")


def read_labels(path: Path, label: str, as_of: str | None = None) -> tuple[pl.DataFrame, str]:
    """(one row per commune of the list: ``code``, ``detail``; the list's date: ``as_of`` when given,
    else the year its title lines or its name say)."""
    if label not in LABELS:
        raise BelvedereError(M.t("label_unknown", label=label, known=", ".join(LABELS)))
    table = read_table(path, CODE_COLUMNS)
    at = pick(table, CODE_COLUMNS)
    assert at is not None
    detail_at = pick(table, DETAIL_COLUMNS)
    codes, details = codes_with(table, path, at, detail_at)
    when = (as_of or "").strip() or vintage_of(table, path)
    if not when:
        raise BelvedereError(M.t("label_no_date", path=path.name))
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", when):
        raise BelvedereError(M.t("label_bad_date", value=when))
    frame = pl.DataFrame({"code": codes, "detail": details}, schema={"code": pl.String, "detail": pl.String})
    return frame.unique("code", keep="first", maintain_order=True), when
