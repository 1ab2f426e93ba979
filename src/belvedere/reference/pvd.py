"""Load the "Petites Villes de Demain" list (ANCT CSV) and map its codes to current communes."""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyarrow as pa

from belvedere import messages as M
from belvedere.errors import BelvedereError
from belvedere.reference.lookup import INSEE_CODE
from belvedere.store.db import Store, now

CODE_COLUMNS = ("insee_com", "code_insee", "insee", "codgeo", "code_commune", "com", "inseecom")
NAME_COLUMNS = ("lib_com", "nom_commune", "libgeo", "commune", "nom", "libcom")
ID_COLUMNS = ("id_pvd", "id")
_DATE_IN_NAME = re.compile(r"(20\d{2})[-_]?(\d{2})[-_]?(\d{2})")


@dataclass
class PvdLoadResult:
    source: str
    source_date: str | None
    loaded: int = 0
    mapped: list[tuple[str, str, str]] = field(default_factory=list)  # (old code, current code, kind)
    rejects: list[tuple[str, str, str]] = field(default_factory=list)  # (code, name, reason)


def _read_text(path_or_url: str, timeout: float = 60.0) -> tuple[str, str]:
    """The file's text and a display name; raises BelvedereError with a clear message."""
    if re.match(r"^https?://", path_or_url):
        try:
            response = httpx.get(path_or_url, timeout=timeout, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise BelvedereError(M.t("pvd_download_failed", url=path_or_url, err=exc)) from None
        data = response.content
    else:
        path = Path(path_or_url)
        if not path.is_file():
            raise BelvedereError(M.t("pvd_file_missing", path=path_or_url))
        data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":  # a gzipped CSV (the list shipped with Belvédère is one)
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise BelvedereError(M.t("pvd_bad_encoding", path=path_or_url) + f" ({exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BelvedereError(M.t("pvd_bad_encoding", path=path_or_url)) from None
    if "\x00" in text:
        raise BelvedereError(M.t("pvd_bad_encoding", path=path_or_url))
    return text, path_or_url


def _pick(header: list[str], candidates: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for c in candidates:
        if c in lowered:
            return lowered.index(c)
    return None


def _cell(record: list[str], index: int | None) -> str:
    return record[index].strip() if index is not None and index < len(record) else ""


def parse_pvd_csv(text: str, source: str) -> list[tuple[str, str, str]]:
    """Rows of (code as written, name, id) from an ANCT-like CSV (comma or semicolon)."""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise BelvedereError(M.t("pvd_empty", path=source)) from None
    code_i = _pick(header, CODE_COLUMNS)
    if code_i is None:
        raise BelvedereError(M.t("pvd_missing_column", path=source, expected=", ".join(CODE_COLUMNS[:3])))
    name_i = _pick(header, NAME_COLUMNS)
    id_i = _pick(header, ID_COLUMNS)
    rows = []
    for rec in reader:
        if not any(cell.strip() for cell in rec):
            continue
        rows.append((_cell(rec, code_i), _cell(rec, name_i), _cell(rec, id_i)))
    if not rows:
        raise BelvedereError(M.t("pvd_empty", path=source))
    return rows


# The ANCT list of January 2021 shipped with Belvédère (see data/PROVENANCE.md): partial (1,606
# communes of the ~1,645), so that a store knows the PVD without a download; `pvd load` takes the
# current official file.
SHIPPED_PVD = "pvd_anct_2021-01-22.csv.gz"
SHIPPED_PVD_SOURCE = "ANCT, liste PVD du 22/01/2021, partielle, fournie avec Belvédère"


def shipped_pvd_path() -> Path:
    from belvedere.reference.load import DATA_DIR

    return DATA_DIR / SHIPPED_PVD


def load_shipped_pvd(store: Store) -> PvdLoadResult:
    """The PVD list shipped in the package (partial, January 2021), labelled as such."""
    return load_pvd(store, str(shipped_pvd_path()), "2021-01-22", source_label=SHIPPED_PVD_SOURCE)


def load_pvd(store: Store, path_or_url: str, source_date: str | None = None,
             source_label: str | None = None) -> PvdLoadResult:  # fmt: skip
    """Replace the PVD list in one transaction; old codes mapped, unknown ones kept as rejects."""
    text, source = _read_text(path_or_url)
    rows = parse_pvd_csv(text, source)
    if source_date is None:
        m = _DATE_IN_NAME.search(Path(source).name)
        source_date = f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None
    source = source_label or source
    result = PvdLoadResult(source=source, source_date=source_date)
    current = {r[0] for r in store.con.execute("SELECT code FROM communes").fetchall()}
    history: dict[str, tuple[str, str]] = {}
    order = {"deleguee": 0, "associee": 1, "ancien_code": 2}
    for old, cur, kind in store.con.execute("SELECT old_code, current_code, kind FROM commune_history").fetchall():
        if old not in history or order[kind] < order[history[old][1]]:
            history[old] = (cur, kind)

    accepted: dict[str, tuple[str, str, str | None, str | None, str]] = {}
    for raw_code, name, pvd_id in rows:
        code = raw_code.upper()
        if code.isdigit() and len(code) == 4:  # a spreadsheet ate the leading zero
            code = "0" + code
        if not INSEE_CODE.match(code):
            result.rejects.append((raw_code, name, M.t("pvd_reject_bad_code")))
            continue
        if code in current:
            target, kind = code, "identique"
        elif code in history:
            target, kind = history[code]
            result.mapped.append((code, target, kind))
        else:
            result.rejects.append((raw_code, name, M.t("pvd_reject_unknown_code")))
            continue
        if target in accepted:
            result.rejects.append((raw_code, name, M.t("pvd_reject_duplicate")))
            continue
        accepted[target] = (target, code, name or None, pvd_id or None, kind)

    loaded_at = now()
    with store.transaction() as con:
        con.execute("DELETE FROM pvd")
        con.execute("DELETE FROM pvd_rejects")
        # through Arrow: executemany costs DuckDB half a second for the 1,606 rows of the list
        kept = list(accepted.values())
        con.register("_pvd", pa.table({
            "code": [r[0] for r in kept], "source_code": [r[1] for r in kept], "source_name": [r[2] for r in kept],
            "source_id": [r[3] for r in kept], "mapped_by": [r[4] for r in kept],
        }))  # fmt: skip
        con.execute(
            "INSERT INTO pvd SELECT code, source_code, source_name, source_id, mapped_by, ?, ?, ? FROM _pvd",
            [source, source_date, loaded_at],
        )
        con.unregister("_pvd")
        if result.rejects:
            con.executemany("INSERT INTO pvd_rejects VALUES (?, ?, ?, ?)", [(*r, source) for r in result.rejects])
        con.execute(
            "INSERT INTO ingest_log (source, origin, status, rows, detail, fetched_at) "
            "VALUES ('pvd', ?, 'ok', ?, ?, ?)",
            [
                source,
                len(accepted),
                f"date source : {source_date or 'inconnue'}; rejets : {len(result.rejects)}",
                loaded_at,
            ],
        )
        store.set_meta("pvd_source", source)
        store.set_meta("pvd_source_date", source_date or "")
    result.loaded = len(accepted)
    return result
