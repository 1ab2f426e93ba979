"""INSEE's tourist accommodation capacity by commune ("Capacité des communes en hébergement
touristique"), read from the file as INSEE publishes it.

The layout (INSEE, base communale du tourisme, millésime N published with the geography of year N):
a ``;``-separated CSV, possibly inside a zip, one row per commune, header ``CODGEO;LIBGEO;REG;DEP``
then variables suffixed with the two digits of the year (``HT25`` for 2025):

- ``HTyy`` hotels (classed hotels, ``HT0yy``..``HT5yy`` by stars), ``HTCHyy`` their rooms;
- ``CPGyy`` campsites (``CPG0yy``..``CPG5yy``), ``CPGEyy`` their pitches (``CPGELyy`` rented
  all year, ``CPGEOyy`` for passing customers);
- ``VVyy``/``VVUHyy``/``VVLITyy`` holiday villages, their housing units and beds;
- ``RTyy``/``RTUHyy``/``RTLITyy`` tourist residences, units and beds;
- ``AJCSyy``/``AJCSUHyy``/``AJCSLITyy`` youth hostels and sports centres, units and beds.

Why it matters: the study found that tourism drives the most viewed small towns; the scorecard's
attractiveness dimension places a commune's capacity among its peers.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import polars as pl

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.sources.tables import decode

# what Belvédère keeps: its column -> the INSEE variable (without the year)
VARIABLES = {"hotels": "HT", "rooms": "HTCH", "campsites": "CPG", "pitches": "CPGE", "village_beds": "VVLIT",
             "residence_beds": "RTLIT", "hostel_beds": "AJCSLIT"}  # fmt: skip
SOURCE_NAME = "INSEE, capacité des communes en hébergement touristique"
# beds counted the INSEE way for the total: 2 per hotel room, 3 per campsite pitch, beds as counted
ROOM_BEDS, PITCH_BEDS = 2, 3


def read_text(path: Path) -> str:
    """The CSV's text: the file itself or the first .csv inside a zip; UTF-8, else Latin-1 (older
    INSEE files)."""
    raw = path.read_bytes()
    if zipfile.is_zipfile(io.BytesIO(raw)):
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            names = [n for n in z.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise BelvedereError(M.t("tourism_no_csv", path=path))
            raw = z.read(names[0])
    return decode(raw)


def read_tourism(path: Path) -> tuple[pl.DataFrame, int]:
    """(one row per commune: ``code`` and the VARIABLES columns as integers, the year of the
    figures). A missing variable, a bad code or a value that is not a number is refused naming
    the file, the column and the line."""
    text = read_text(path)
    try:
        df = pl.read_csv(io.StringIO(text), separator=";", infer_schema=False, truncate_ragged_lines=False)
    except Exception as exc:  # polars raises several kinds for a file that is not this CSV
        raise BelvedereError(M.t("tourism_unreadable", path=path.name, err=str(exc).splitlines()[0])) from None
    years = sorted({m.group(1) for c in df.columns if (m := re.fullmatch(r"HT(\d{2})", c))})
    if "CODGEO" not in df.columns or len(years) != 1:
        raise BelvedereError(M.t("tourism_bad_layout", path=path.name))
    yy = years[0]
    missing = [f"{v}{yy}" for v in VARIABLES.values() if f"{v}{yy}" not in df.columns]
    if missing:
        raise BelvedereError(M.t("tourism_missing_columns", path=path.name, columns=", ".join(missing)))
    out = df.select(
        pl.col("CODGEO").str.strip_chars().alias("code"),
        *(pl.col(f"{v}{yy}").str.strip_chars().replace("", None).alias(k) for k, v in VARIABLES.items()),
    )
    for column in VARIABLES:
        values = out[column]
        parsed = values.cast(pl.Float64, strict=False)
        bad = values.is_not_null() & (parsed.is_null() | (parsed < 0) | (parsed != parsed.round()))
        if bad.any():
            line = int(bad.arg_true()[0]) + 2  # the header is line 1
            raise BelvedereError(M.t("tourism_bad_value", path=path.name, column=f"{VARIABLES[column]}{yy}",
                                     line=line, value=values[line - 2]))  # fmt: skip
        out = out.with_columns(parsed.cast(pl.Int64).alias(column))
    bad_code = ~out["code"].str.contains(r"^[0-9][0-9AB][0-9]{3}$")
    if bad_code.any():
        line = int(bad_code.arg_true()[0]) + 2
        raise BelvedereError(M.t("tourism_bad_code", path=path.name, line=line, value=out["code"][line - 2]))
    return out, 2000 + int(yy)
