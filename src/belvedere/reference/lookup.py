"""Find communes by INSEE code (current or former) or by name."""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from belvedere import messages as M
from belvedere.errors import AmbiguousCommuneError, BelvedereError, UnknownCommuneError
from belvedere.reference.names import fold
from belvedere.store.db import Store

INSEE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$", re.IGNORECASE)
_NAME_WITH_DEP = re.compile(r"^(?P<name>.+?)\s*\((?P<dep>\d{2,3}|2[AB])\)\s*$", re.IGNORECASE)

COMMUNE_COLUMNS = """
    c.code, c.name, c.departement, d.name AS departement_name, c.region, r.name AS region_name,
    c.epci, e.name AS epci_name, c.population, c.zone, c.size_class, c.lat, c.lon, c.point_source,
    c.is_commune_nouvelle, c.merged_count, (p.code IS NOT NULL) AS is_pvd
"""
COMMUNE_FROM = """
    communes c
    LEFT JOIN departements d ON d.code = c.departement
    LEFT JOIN regions r ON r.code = c.region
    LEFT JOIN epci e ON e.code = c.epci
    LEFT JOIN pvd p ON p.code = c.code
"""


def _require_reference(store: Store) -> None:
    if not store.has_reference():
        raise BelvedereError(M.t("no_reference"))


def _rows(store: Store, where: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = store.con.execute(
        f"SELECT {COMMUNE_COLUMNS} FROM {COMMUNE_FROM} WHERE {where} ORDER BY c.population DESC NULLS LAST, c.code",
        params,
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def get_commune(store: Store, code: str) -> dict[str, Any] | None:
    """The current commune with this exact INSEE code, or None."""
    rows = _rows(store, "c.code = ?", [code.upper()])
    return rows[0] if rows else None


def history_of(store: Store, code: str) -> list[dict[str, Any]]:
    """Former and delegated communes merged into this current commune."""
    cur = store.con.execute(
        "SELECT old_code, old_name, kind FROM commune_history WHERE current_code = ? ORDER BY old_code, kind",
        [code],
    )
    return [{"old_code": a, "old_name": b, "kind": k} for a, b, k in cur.fetchall()]


def map_old_code(store: Store, code: str) -> tuple[str, str] | None:
    """(current code, kind) for a former/delegated INSEE code, None when unknown."""
    row = store.con.execute(
        """SELECT current_code, kind FROM commune_history WHERE old_code = ?
           ORDER BY CASE kind WHEN 'deleguee' THEN 0 WHEN 'associee' THEN 1 ELSE 2 END LIMIT 1""",
        [code.upper()],
    ).fetchall()
    return (row[0][0], row[0][1]) if row else None


def resolve_commune(store: Store, query: str) -> dict[str, Any]:
    """One current commune from a code, a former code, a name, or "Name (dep)".

    Raises UnknownCommuneError or AmbiguousCommuneError (listing candidates) otherwise.
    The result carries ``mapped_from`` when a former code or name was followed.
    """
    _require_reference(store)
    q = query.strip()
    if not q:
        raise UnknownCommuneError(M.t("unknown_commune", query=query))
    if INSEE_CODE.match(q):
        found = get_commune(store, q)
        if found:
            return found
        mapped = map_old_code(store, q)
        if mapped:
            found = get_commune(store, mapped[0])
            if found:
                found["mapped_from"] = {"old_code": q.upper(), "kind": mapped[1]}
                return found
        by_post = _rows(store, "c.code IN (SELECT code FROM postal_codes WHERE postal_code = ?)", [q])
        if len(by_post) == 1:
            by_post[0]["mapped_from"] = {"postal_code": q}
            return by_post[0]
        if by_post:
            candidates = ", ".join(f"{r['name']} ({r['departement']}, {r['code']})" for r in by_post[:12])
            raise AmbiguousCommuneError(M.t("postal_code_shared", query=q, candidates=candidates), by_post)
        raise UnknownCommuneError(M.t("unknown_commune", query=query))

    dep = None
    m = _NAME_WITH_DEP.match(q)
    if m:
        q, dep = m.group("name"), m.group("dep").upper()
    key = fold(q)
    where, params = "c.search_key = ?", [key]
    if dep:
        where += " AND c.departement = ?"
        params.append(dep)
    rows = _rows(store, where, params)
    if len(rows) == 1:
        return rows[0]
    if len(rows) > 1:
        candidates = ", ".join(f"{r['name']} ({r['departement']}, {r['code']})" for r in rows[:12])
        raise AmbiguousCommuneError(M.t("ambiguous_commune", query=query, candidates=candidates), rows)
    # A former commune's name (commune déléguée or associée)?
    olds = store.con.execute(
        "SELECT old_code, old_name, kind, current_code FROM commune_history WHERE old_name IS NOT NULL"
    ).fetchall()
    matches = [o for o in olds if fold(o[1]) == key and (dep is None or o[0].startswith(dep))]
    current = sorted({o[3] for o in matches})
    if len(current) == 1:
        found = get_commune(store, current[0])
        if found:
            found["mapped_from"] = {
                "old_code": matches[0][0],
                "old_name": matches[0][1],
                "kind": matches[0][2],
            }
            return found
    if len(current) > 1:
        rows = [r for code in current if (r := get_commune(store, code))]
        candidates = ", ".join(f"{r['name']} ({r['departement']}, {r['code']})" for r in rows[:12])
        raise AmbiguousCommuneError(M.t("ambiguous_commune", query=query, candidates=candidates), rows)
    raise UnknownCommuneError(M.t("unknown_commune", query=query) + did_you_mean(store, q))


def search_communes(store: Store, text: str, limit: int = 20) -> pl.DataFrame:
    """Communes whose folded name contains the folded text: exact first, then prefix, then size."""
    _require_reference(store)
    candidates = store.frame(f"SELECT {COMMUNE_COLUMNS}, c.search_key FROM {COMMUNE_FROM}")
    return match_communes(candidates, text, limit).drop("search_key")


def match_communes(communes: pl.DataFrame, text: str, limit: int = 20) -> pl.DataFrame:
    """The search of :func:`search_communes` over a frame holding ``search_key`` (the folded name),
    so that a server can keep the frame in memory and answer each keystroke without the store."""
    key = fold(text)
    if not key:
        return communes.clear()
    keys = pl.col("search_key")
    found = communes.filter(keys.str.contains(key, literal=True)).with_columns(
        pl.when(keys == key).then(0).when(keys.str.starts_with(key)).then(1).otherwise(2).alias("_match")
    )
    return (
        found.sort(["_match", "population", "code"], descending=[False, True, False], nulls_last=True)
        .head(limit)
        .drop("_match")
    )


def select_communes(store: Store, spec: str) -> list[str]:
    """Codes for a selection: "all", "pvd", "region:CODE", "departement:CODE" (or "dep:CODE"),
    "size:CLASS" (e.g. size:5k-10k), or comma-separated codes/names (each must resolve)."""
    _require_reference(store)
    s = spec.strip().lower()
    kind, _, value = s.partition(":")
    column = {"region": "region", "reg": "region", "departement": "departement", "dep": "departement",
              "size": "size_class", "taille": "size_class"}.get(kind) if value else None  # fmt: skip
    if column:
        value = value.strip().upper() if column != "size_class" else value.strip()
        if column != "size_class":  # a name ("dep:Orne", "region:Normandie") as well as a code
            areas = store.frame(
                "SELECT DISTINCT c.departement, d.name AS departement_name, c.region, r.name AS region_name "
                "FROM communes c LEFT JOIN departements d ON d.code = c.departement "
                "LEFT JOIN regions r ON r.code = c.region"
            )
            value = area_code(areas, column, spec.strip().partition(":")[2])
        codes = [
            r[0]
            for r in store.con.execute(
                f"SELECT code FROM communes WHERE {column} = ? ORDER BY code", [value]
            ).fetchall()
        ]
        if not codes:
            raise BelvedereError(M.t("empty_scope", spec=spec))
        return codes
    if s == "all":
        return [r[0] for r in store.con.execute("SELECT code FROM communes ORDER BY code").fetchall()]
    if s == "pvd":
        codes = [r[0] for r in store.con.execute("SELECT code FROM pvd ORDER BY code").fetchall()]
        if not codes:
            raise BelvedereError(M.t("demo_no_pvd"))
        return codes
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    current = {
        r[0]
        for r in store.con.execute(
            "SELECT code FROM communes WHERE code IN (SELECT unnest(?))", [[p.upper() for p in parts]]
        ).fetchall()
    }
    out: list[str] = []
    for part in parts:
        if part.upper() in current:  # the common case, without one query per code
            if part.upper() not in out:
                out.append(part.upper())
            continue
        if part:
            code = resolve_commune(store, part)["code"]
            if code not in out:
                out.append(code)
    if not out:
        raise UnknownCommuneError(M.t("unknown_commune", query=spec))
    return out


def suggest_communes(communes: pl.DataFrame, text: str, limit: int = 5, cutoff: float = 80.0) -> pl.DataFrame:
    """Communes whose folded name is close to the folded ``text`` (a letter missing, doubled or
    swapped: "carouges" finds Carrouges), closest first, then the most populated; empty when
    nothing is close. ``communes`` holds ``search_key`` (see :func:`match_communes`)."""
    from rapidfuzz import fuzz, process

    key = fold(text)
    if len(key) < 3 or communes.is_empty():
        return communes.clear()
    hits = process.extract(key, communes["search_key"].to_list(), scorer=fuzz.ratio, limit=limit * 4,
                           score_cutoff=cutoff)  # fmt: skip
    if not hits:
        return communes.clear()
    rows = pl.DataFrame({"_row": [h[2] for h in hits], "_score": [float(h[1]) for h in hits]},
                        schema={"_row": pl.UInt32, "_score": pl.Float64})  # fmt: skip
    found = communes.with_row_index("_row").join(rows, on="_row")
    return (
        found.sort(["_score", "population", "code"], descending=[True, True, False], nulls_last=True)
        .head(limit)
        .drop("_row", "_score")
    )


def did_you_mean(store: Store, text: str, limit: int = 3) -> str:
    """ " Vouliez-vous dire : Carrouges (61, 61074) ?" for an unknown commune, or "" when no name is close."""
    candidates = store.frame(f"SELECT {COMMUNE_COLUMNS}, c.search_key FROM {COMMUNE_FROM}")
    close = suggest_communes(candidates, text, limit)
    if close.is_empty():
        return ""
    names = ", ".join(f"{r['name']} ({r['departement']}, {r['code']})" for r in close.iter_rows(named=True))
    return " " + M.t("did_you_mean", names=names)


AREA_COLUMNS = {"departement": ("departement", "departement_name"), "region": ("region", "region_name"),
                "epci": ("epci", "epci_name")}  # fmt: skip


def area_code(communes: pl.DataFrame, kind: str, text: str) -> str:
    """The code of a département, région or EPCI given by code ("61", "2a", "1" for "01") or by name
    ("Orne", "normandie", "CC du Pays de Bray"), read from a communes frame holding the code and name
    columns; an unknown one raises with the closest names."""
    code_col, name_col = AREA_COLUMNS[kind]
    areas = communes.select(code_col, name_col).drop_nulls(code_col).unique().sort(code_col)
    typed = text.strip()
    wanted = {typed.upper(), typed.upper().zfill(2)}
    by_code = areas.filter(pl.col(code_col).str.to_uppercase().is_in(list(wanted)))
    if by_code.height:
        return str(by_code[code_col][0])
    keys = [fold(n or "") for n in areas[name_col].to_list()]
    key = fold(typed)
    exact = [i for i, k in enumerate(keys) if k == key]
    if len(exact) == 1:
        return str(areas[code_col][exact[0]])
    from rapidfuzz import fuzz, process

    close = process.extract(key, keys, scorer=fuzz.WRatio, limit=3, score_cutoff=80) if key else []
    names = ", ".join(f"{areas[name_col][i]} ({areas[code_col][i]})" for _, _, i in close)
    hint = " " + M.t("did_you_mean", names=names) if names else ""
    raise BelvedereError(M.t(f"unknown_{kind}", value=typed) + hint)
