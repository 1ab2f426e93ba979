"""Residents' attachment from official open data, read from the files as published.

Four sources, each giving values per commune with their period, year and unit:

- **Population change, natural and migratory** — INSEE, "séries historiques" of the census
  (``base-cc-serie-historique-AAAA``): a ``;``-separated CSV (possibly zipped), one row per commune,
  ``CODGEO`` then ``Pyy_POP`` (population at the census of year 20yy, the latest three
  exploitations: ``P21_POP``, ``P15_POP``, ``P10_POP`` in the 2021 edition), ``NAISaabb`` and
  ``DECEaabb`` (births and deaths between 20aa and 20bb). Over each period, the annual change is
  split as INSEE does: the natural part is births minus deaths, the rest is the apparent net
  migration (``solde migratoire apparent``). Rates are in % per year of the population at the start.
- **Turnout** — Ministry of the Interior, results by commune of an election (the "subcom" text files
  of 2022: ``Code du département;…;Code de la commune;…;Inscrits;…;Votants``; the 2024 CSV files:
  ``Code département;…;Code commune;…;Inscrits;Votants``), Latin-1 or UTF-8, matched by the header's
  names. Overseas départements are coded ``ZA``…``ZM`` with a three-digit commune: the INSEE code is
  ``97`` and those three digits. Turnout is voters over registered, in %.
- **Associations** — the national register of associations (RNA, "waldec" files: one ``;``-separated
  CSV per département, in a zip), its columns ``adrs_codeinsee`` (the seat's commune), ``position``
  (``A`` active, ``D`` dissolved, ``S`` deleted) and ``date_creat``. Active associations, and those
  created in the last three years, per 1,000 inhabitants.
- **Business creations** — INSEE's Sirene stock of establishments (``StockEtablissement``, a
  ``,``-separated CSV): the head offices (``etablissementSiege`` true) created each year
  (``dateCreationEtablissement``) in each commune (``codeCommuneEtablissement``), per 1,000
  inhabitants, for the last three whole years.

The arrondissements of Paris, Lyon and Marseille are counted with their city.
"""

from __future__ import annotations

import io
import itertools
import re
import tempfile
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.sources.tourism import read_text

KINDS = ("population", "turnout", "associations", "creations")
UNIT_RATE, UNIT_TURNOUT, UNIT_PER_1000 = "% par an", "% des inscrits", "pour 1 000 habitants"
CODE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")


def parent_city(code: pl.Expr) -> pl.Expr:
    """An arrondissement of Paris (751xx), Marseille (132xx) or Lyon (6938x) as its city."""
    return (
        pl.when(code.str.contains(r"^751[0-2][0-9]$")).then(pl.lit("75056"))
        .when(code.str.contains(r"^132[0-1][0-9]$")).then(pl.lit("13055"))
        .when(code.str.contains(r"^6938[1-9]$")).then(pl.lit("69123"))
        .otherwise(code)
    )  # fmt: skip


def _csv(path: Path) -> pl.DataFrame:
    try:
        return pl.read_csv(io.StringIO(read_text(path)), separator=";", infer_schema=False)
    except BelvedereError:
        raise
    except Exception as exc:  # polars raises several kinds for a file that is not this CSV
        raise BelvedereError(M.t("attachment_unreadable", path=path.name, err=str(exc).splitlines()[0])) from None


def _number(df: pl.DataFrame, column: str, path: Path) -> pl.Series:
    values = df[column].str.strip_chars().str.replace(",", ".")
    parsed = values.cast(pl.Float64, strict=False)
    bad = values.is_not_null() & (values != "") & parsed.is_null()
    if bad.any():
        line = int(bad.arg_true()[0]) + 2  # the header is line 1
        raise BelvedereError(M.t("attachment_bad_value", path=path.name, column=column, line=line,
                                 value=df[column][line - 2]))  # fmt: skip
    return parsed


def read_population(path: Path) -> pl.DataFrame:
    """The population change of each commune over the last two census periods, split into its natural
    and migratory parts (see the module's docstring): ``code, indicator, period, year, value, unit``."""
    df = _csv(path)
    years = sorted((int(m.group(1)) for c in df.columns if (m := re.fullmatch(r"P(\d{2})_POP", c))), reverse=True)
    if "CODGEO" not in df.columns or len(years) < 2:
        expected = "CODGEO, Paa_POP, NAISaabb, DECEaabb"
        raise BelvedereError(M.t("attachment_bad_layout", path=path.name, expected=expected))
    out = []
    for end, start in itertools.pairwise(years):
        span = f"{start:02d}{end:02d}"
        needed = [f"P{end:02d}_POP", f"P{start:02d}_POP", f"NAIS{span}", f"DECE{span}"]
        if any(c not in df.columns for c in needed):
            continue  # a period without its births and deaths: not split
        pop_end, pop_start, births, deaths = (_number(df, c, path) for c in needed)
        n = end - start
        frame = pl.DataFrame({"code": df["CODGEO"].str.strip_chars(), "p0": pop_start, "p1": pop_end,
                              "natural": births - deaths}).filter(pl.col("p0") > 0)  # fmt: skip
        total = ((pl.col("p1") / pl.col("p0")) ** (1 / n) - 1) * 100
        natural = pl.col("natural") / pl.col("p0") / n * 100
        period, year = f"{2000 + start}-{2000 + end}", 2000 + end
        for indicator, expr in (("population", total), ("natural", natural), ("migration", total - natural)):
            out.append(frame.select("code", pl.lit(indicator).alias("indicator"), pl.lit(period).alias("period"),
                                    pl.lit(year).alias("year"), expr.alias("value"),
                                    pl.lit(UNIT_RATE).alias("unit")))  # fmt: skip
    if not out:
        raise BelvedereError(M.t("attachment_bad_layout", path=path.name, expected="NAISaabb, DECEaabb"))
    return _checked(pl.concat(out), path)


def _fold(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).lower().strip()


def read_turnout(path: Path, election: str) -> pl.DataFrame:
    """Turnout by commune at one election (``election``: its name as shown, with its year)."""
    year = re.search(r"\b(19|20)\d{2}\b", election)
    if not year:
        raise BelvedereError(M.t("attachment_election_year", election=election))
    df = _csv(path)
    columns = {_fold(c): c for c in df.columns}

    def column(*names: str) -> str:
        for name in names:
            if name in columns:
                return columns[name]
        raise BelvedereError(M.t("attachment_bad_layout", path=path.name, expected=" / ".join(names)))

    dep = column("code du departement", "code departement")
    com = column("code de la commune", "code commune")
    registered = _number(df, column("inscrits"), path)
    voters = _number(df, column("votants"), path)
    dep_code = df[dep].str.strip_chars()
    com_code = df[com].str.strip_chars()
    code = (
        pl.when(pl.col("com").str.len_chars() == 5).then(pl.col("com"))
        .when(pl.col("dep").str.starts_with("Z")).then(pl.lit("97") + pl.col("com").str.zfill(3))
        .otherwise(pl.col("dep").str.zfill(2) + pl.col("com").str.zfill(3))
    )  # fmt: skip
    frame = (
        pl.DataFrame({"dep": dep_code, "com": com_code, "registered": registered, "voters": voters})
        .filter(~pl.col("dep").is_in(["ZZ", "ZX", "ZN", "ZP", "ZW"]))  # abroad, the Pacific: not communes here
        .with_columns(parent_city(code).alias("code"))
        .group_by("code").agg(pl.col("registered").sum(), pl.col("voters").sum())
        .filter(pl.col("registered") > 0)
    )  # fmt: skip
    return _checked(
        frame.select("code", pl.lit("turnout").alias("indicator"), pl.lit(election.strip()).alias("period"),
                     pl.lit(int(year.group(0))).alias("year"), (pl.col("voters") / pl.col("registered") * 100)
                     .alias("value"), pl.lit(UNIT_TURNOUT).alias("unit")),
        path,
    )  # fmt: skip


def _csv_files(path: Path, folder: Path) -> list[Path]:
    """The CSV files of a download: the file itself, or every .csv inside the zip (extracted to ``folder``)."""
    if not zipfile.is_zipfile(path):
        return [path]
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.lower().endswith(".csv")]
        if not names:
            raise BelvedereError(M.t("tourism_no_csv", path=path))
        for n in names:
            z.extract(n, folder)
    return [folder / n for n in names]


def _strict(f: Path, delim: str, wanted: list[str], select: str) -> pl.DataFrame:
    """``select`` (over a table named ``rows``) on a large CSV read by DuckDB, every column of its header
    named and read strictly: a line with a field too many is refused, not shifted."""
    with f.open("rb") as head:
        header = head.readline().decode("utf-8", "replace").strip().lstrip("\ufeff").split(delim)
    header = [h.strip().strip('"') for h in header]
    if any(c not in header for c in wanted):
        raise BelvedereError(M.t("attachment_bad_layout", path=f.name, expected=", ".join(wanted)))
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in header) + "}"
    source = str(f).replace("'", "''")
    rows = (f"read_csv('{source}', delim='{delim}', header=true, quote='\"', escape='\"', columns={columns}, "
            "auto_detect=false, strict_mode=true, null_padding=false, encoding='utf-8')")  # fmt: skip
    try:
        frame: pl.DataFrame = duckdb.connect().sql(f"WITH rows AS (SELECT * FROM {rows}) {select}").pl()
    except duckdb.Error as exc:
        raise BelvedereError(M.t("attachment_unreadable", path=f.name, err=str(exc).splitlines()[0])) from None
    return frame


def read_creations(path: Path, populations: pl.DataFrame) -> pl.DataFrame:
    """Businesses created each year per 1,000 inhabitants, from INSEE's Sirene stock of
    establishments (``StockEtablissement``: a ``,``-separated CSV, possibly zipped, with
    ``dateCreationEtablissement``, ``etablissementSiege``, ``codeCommuneEtablissement``): the head
    offices created that year, where they are. The last three whole years before the stock's latest
    creation are kept. Establishments abroad or not disclosed ([ND]) have no commune: not counted."""
    wanted = ["dateCreationEtablissement", "etablissementSiege", "codeCommuneEtablissement"]
    select = ("SELECT codeCommuneEtablissement AS code, year(try_strptime(dateCreationEtablissement, '%Y-%m-%d')) "
              "AS y, count(*) AS n FROM rows WHERE etablissementSiege = 'true' GROUP BY ALL")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        counts = pl.concat([_strict(f, ",", wanted, select) for f in _csv_files(path, Path(tmp))])
    counts = counts.drop_nulls("y").filter(pl.col("code").is_not_null() & pl.col("code").str.contains(CODE.pattern))
    if counts.is_empty():
        raise BelvedereError(M.t("attachment_empty", path=path.name))
    latest = counts["y"].max()
    assert isinstance(latest, int)
    last = latest - 1  # the latest year may have only begun
    years = counts.filter(pl.col("y").is_between(last - 2, last)).with_columns(
        parent_city(pl.col("code")).alias("code")
    )
    per = (years.group_by("code", "y").agg(pl.col("n").sum())
           .join(populations.filter(pl.col("population") > 0), on="code"))  # fmt: skip
    return _checked(
        per.select("code", pl.lit("creations").alias("indicator"), pl.format("en {}", pl.col("y")).alias("period"),
                   pl.col("y").alias("year"), (pl.col("n") / pl.col("population") * 1000).alias("value"),
                   pl.lit(UNIT_PER_1000).alias("unit")),
        path,
    )  # fmt: skip


def read_associations(path: Path, populations: pl.DataFrame) -> pl.DataFrame:
    """Active associations, and those created in the last three years, per 1,000 inhabitants
    (``populations``: ``code, population`` of the store's communes); the year is the register's, that
    of its latest creation date."""
    wanted = ["adrs_codeinsee", "position", "date_creat"]
    with tempfile.TemporaryDirectory() as tmp:
        parts = [_strict(f, ";", wanted, f"SELECT {', '.join(wanted)} FROM rows") for f in _csv_files(path, Path(tmp))]
    rows = pl.concat(parts).with_columns(
        parent_city(pl.col("adrs_codeinsee").str.strip_chars()).alias("code"),
        pl.col("date_creat").str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias("created"),
    )
    latest = rows["created"].max()
    if not isinstance(latest, date):
        raise BelvedereError(M.t("attachment_bad_layout", path=path.name, expected="date_creat AAAA-MM-JJ"))
    since = latest.replace(year=latest.year - 3, day=min(latest.day, 28))
    active = rows.filter(pl.col("position").str.strip_chars() == "A")
    counts = active.group_by("code").agg(pl.len().alias("active"), (pl.col("created") > since).sum().alias("new"))
    per = counts.join(populations.filter(pl.col("population") > 0), on="code")
    year = pl.lit(latest.year).alias("year")
    out = [per.select("code", pl.lit(name).alias("indicator"), pl.lit(period).alias("period"), year,
                      (pl.col(col) / pl.col("population") * 1000).alias("value"), pl.lit(UNIT_PER_1000).alias("unit"))
           for name, col, period in (("associations", "active", M.t("att_at", day=latest)),
                                     ("associations_new", "new",
                                      M.t("att_between", start=since, end=latest)))]  # fmt: skip
    return _checked(pl.concat(out), path)


def _checked(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    bad = ~frame["code"].str.contains(CODE.pattern)
    if bad.any():
        raise BelvedereError(M.t("attachment_bad_code", path=path.name, value=frame["code"].filter(bad)[0]))
    if frame.is_empty():
        raise BelvedereError(M.t("attachment_empty", path=path.name))
    return frame.with_columns(pl.col("year").cast(pl.Int32), pl.col("value").cast(pl.Float64))
