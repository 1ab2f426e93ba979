"""National snapshots: what ranking one town among all communes needs, in one small file.

Ranking a town per inhabitant among 35,000 communes needs every commune's audience: hours of
fetching or hundreds of GB of dumps, which a town hall will not do (and every town doing it would
ask Wikimedia the same thing). A store that holds the national audience (built once by an analyst
or a regional programme) exports it as a snapshot: per commune and month, views by access and agent,
with each commune's population and article titles, and its provenance. Any store imports it and
places a commune in the national distribution from it, saying so ("d'après l'instantané du …").

The file is Parquet (zstd), with its provenance in the file's key-value metadata and its SHA-256 in a
sidecar ``FILE.sha256``; an import checks both and loads it whole, or not at all. A snapshot made
from simulated audience says so and is never mixed with real data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from belvedere import __version__
from belvedere import messages as M
from belvedere.checksums import sha256_file
from belvedere.config import PARTIAL_SHARE
from belvedere.errors import BelvedereError
from belvedere.store import Store
from belvedere.store.db import now

FORMAT = "belvedere-snapshot"
VERSION = 1


@dataclass(frozen=True)
class SnapshotInfo:
    """What a snapshot says of itself."""

    start: date
    end: date
    communes: int
    rows: int
    simulated: bool
    built_at: str
    tool_version: str
    sources: str
    sha256: str = ""
    size: int = 0


def whole_months(start: date, end: date) -> tuple[date, date]:
    """The whole calendar months inside [start, end] (a snapshot counts by month)."""
    first = start if start.day == 1 else (date(start.year, start.month, 28) + timedelta(days=4)).replace(day=1)
    last = end if (end + timedelta(days=1)).day == 1 else date(end.year, end.month, 1) - timedelta(days=1)
    if last < first:
        raise BelvedereError(M.t("snapshot_no_whole_month", start=start, end=end))
    return first, last


def export(store: Store, out: Path, start: date, end: date) -> SnapshotInfo:
    """Write the snapshot of the whole months of [start, end] to ``out`` (and ``out.sha256``)."""
    first, last = whole_months(start, end)
    con = store.con
    sources = "; ".join(
        f"{s} ({n})" for s, n in con.execute(
            "SELECT source, count(*) FROM ingest_log WHERE source NOT IN ('reference', 'pvd') GROUP BY source "
            "ORDER BY source"
        ).fetchall()
    )  # fmt: skip
    info = {"format": FORMAT, "version": VERSION, "start": first.isoformat(), "end": last.isoformat(),
            "simulated": store.simulated, "built_at": now().isoformat(timespec="seconds"),
            "tool_version": __version__, "sources": sources}  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    lo, hi = f"DATE '{first.isoformat()}'", f"DATE '{last.isoformat()}'"  # dates: no prepared view
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW _snapshot AS
           WITH per_article AS (  -- by article first: few groups, little memory for 150 million rows
               SELECT article_id, date_trunc('month', date)::DATE AS month, access, agent,
                      sum(views)::BIGINT AS views, count(*)::INTEGER AS days
               FROM pageviews WHERE date BETWEEN {lo} AND {hi} GROUP BY ALL
           )
           SELECT 'views' AS kind, a.commune_code AS code, p.month, p.access::VARCHAR AS access,
                  p.agent::VARCHAR AS agent, sum(p.views)::BIGINT AS views, max(p.days)::INTEGER AS days,
                  NULL::VARCHAR AS title, NULL::BIGINT AS page_id, NULL::INTEGER AS population
           FROM per_article p JOIN articles a USING (article_id)
           GROUP BY ALL
           UNION ALL
           SELECT 'article', a.commune_code, NULL, NULL, NULL, NULL, NULL, a.title, a.page_id, NULL
           FROM articles a WHERE a.article_id IN (SELECT DISTINCT article_id FROM per_article)
           UNION ALL
           SELECT 'commune', c.code, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c.population FROM communes c"""
    )
    meta = json.dumps(info, ensure_ascii=False).replace("'", "''")
    con.execute(f"COPY (SELECT * FROM _snapshot ORDER BY kind, code, month, access, agent) TO '{tmp}' "
                f"(FORMAT PARQUET, COMPRESSION ZSTD, KV_METADATA {{belvedere: '{meta}'}})")  # fmt: skip
    con.execute("DROP VIEW _snapshot")
    digest = sha256_file(tmp)
    tmp.replace(out)
    out.with_name(out.name + ".sha256").write_text(f"{digest}  {out.name}\n", encoding="utf-8")
    return read_info(out)


def read_info(path: Path) -> SnapshotInfo:
    """The provenance a snapshot file carries, checked: refused when it is not a snapshot, or one of
    a version this Belvédère does not read."""
    import duckdb

    try:
        con = duckdb.connect()
        rows = con.execute("SELECT key, value FROM parquet_kv_metadata(?)", [str(path)]).fetchall()
        counts = con.execute(
            "SELECT count(*), count(DISTINCT code) FILTER (WHERE kind = 'views') FROM read_parquet(?)", [str(path)]
        ).fetchall()[0]
    except duckdb.Error as exc:
        raise BelvedereError(M.t("snapshot_unreadable", path=path, err=str(exc).splitlines()[0])) from None
    raw = {(k.decode() if isinstance(k, bytes) else k): v for k, v in rows}.get("belvedere")
    meta = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    try:
        info: dict[str, Any] = json.loads(meta) if meta else {}
    except ValueError:
        info = {}
    if info.get("format") != FORMAT:
        raise BelvedereError(M.t("snapshot_not_one", path=path))
    if info.get("version") != VERSION:
        raise BelvedereError(M.t("snapshot_version", path=path, version=info.get("version"), mine=VERSION))
    return SnapshotInfo(date.fromisoformat(info["start"]), date.fromisoformat(info["end"]), int(counts[1]),
                        int(counts[0]), bool(info["simulated"]), info["built_at"], info["tool_version"],
                        info.get("sources", ""), size=path.stat().st_size)  # fmt: skip


def fetch_file(source: str, workdir: Path) -> Path:
    """A local path as it is; an http(s) URL downloaded into ``workdir`` with its ``.sha256``
    (resumed where a previous download stopped)."""
    if not source.startswith(("http://", "https://")):
        path = Path(source)
        if not path.exists():
            raise BelvedereError(M.t("snapshot_missing", path=path))
        return path
    import httpx

    name = source.rstrip("/").rsplit("/", 1)[-1] or "snapshot.parquet"
    out = workdir / name
    for url, target in ((source, out), (source + ".sha256", out.with_name(name + ".sha256"))):
        part = target.with_name(target.name + ".part")
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with httpx.stream("GET", url, headers=headers, timeout=60, follow_redirects=True) as r:
                if r.status_code == 416:  # already whole
                    pass
                elif r.status_code not in (200, 206):
                    raise BelvedereError(M.t("snapshot_download", url=url, err=f"HTTP {r.status_code}"))
                else:
                    with part.open("ab" if r.status_code == 206 else "wb") as f:
                        for chunk in r.iter_bytes():
                            f.write(chunk)
        except httpx.HTTPError as exc:
            raise BelvedereError(M.t("snapshot_download", url=url, err=str(exc))) from None
        part.replace(target)
    return out


def load(store: Store, source: str, downloads: Path | None = None) -> SnapshotInfo:
    """Import a snapshot (file or URL) into the store, replacing the one it held, in one
    transaction: its checksum and provenance checked first; refused whole when anything is wrong,
    and when it would mix simulated and real audience. A URL is downloaded beside the store
    (``downloads``), where an interrupted download resumes."""
    downloads = downloads or Path(store.path).with_name(Path(store.path).stem + "-downloads")
    downloads.mkdir(parents=True, exist_ok=True)
    path = fetch_file(source, downloads)
    sidecar = path.with_name(path.name + ".sha256")
    if not sidecar.exists():
        raise BelvedereError(M.t("snapshot_no_checksum", path=sidecar))
    expected = sidecar.read_text(encoding="utf-8").split()[0].strip().lower()
    digest = sha256_file(path)
    if digest != expected:
        if source.startswith(("http://", "https://")):  # a bad download: the next run starts afresh
            path.unlink(missing_ok=True)
            sidecar.unlink(missing_ok=True)
        raise BelvedereError(M.t("snapshot_bad_checksum", path=path, got=digest[:12], expected=expected[:12]))
    info = read_info(path)
    if info.simulated and not store.simulated:  # simulated figures only ever beside simulated audience
        raise BelvedereError(M.t("snapshot_simulated_into_real", path=path))
    if not info.simulated and store.simulated:
        raise BelvedereError(M.t("snapshot_real_into_simulated", path=path))
    con = store.con
    with store.transaction():
        for table in ("snapshot_monthly", "snapshot_articles", "snapshot_communes", "snapshot_info"):
            con.execute(f"DELETE FROM {table}")
        src = str(path)
        con.execute("INSERT INTO snapshot_monthly SELECT code, month, access, agent, views, days "
                    "FROM read_parquet(?) WHERE kind = 'views'", [src])  # fmt: skip
        con.execute("INSERT INTO snapshot_articles SELECT code, title, page_id FROM read_parquet(?) "
                    "WHERE kind = 'article'", [src])  # fmt: skip
        con.execute("INSERT INTO snapshot_communes SELECT code, population FROM read_parquet(?) "
                    "WHERE kind = 'commune'", [src])  # fmt: skip
        values = {
            "start": info.start.isoformat(), "end": info.end.isoformat(), "simulated": str(info.simulated),
            "built_at": info.built_at, "tool_version": info.tool_version, "sources": info.sources,
            "sha256": digest, "source": source, "imported_at": now().isoformat(timespec="seconds"),
        }  # fmt: skip
        con.executemany("INSERT INTO snapshot_info VALUES (?, ?)", list(values.items()))
        con.execute(
            "INSERT INTO ingest_log (source, origin, start_date, end_date, status, rows, detail, fetched_at) "
            "VALUES ('snapshot', ?, ?, ?, 'ok', ?, ?, ?)",
            [source, info.start, info.end, info.rows, f"sha256 {digest}", now()],
        )
    return SnapshotInfo(**{**info.__dict__, "sha256": digest})


def held(store: Store) -> dict[str, str]:
    """The provenance of the snapshot the store holds (empty when none)."""
    return dict(store.con.execute("SELECT key, value FROM snapshot_info").fetchall())


def standing(store: Store, code: str, start: date, end: date) -> dict[str, Any] | None:
    """Where a commune stands in the national distribution of views per inhabitant over the whole
    months of [start, end] that the snapshot holds, computed from the snapshot alone (the commune's
    own row included: its fresh daily data is never mixed in): its views per inhabitant, and its
    rank, group size and percentile in France, the PVD, its région, its département and its size
    class; None when the store holds no snapshot covering a whole month of the period."""
    info = held(store)
    if not info:
        return None
    lo, hi = max(start, date.fromisoformat(info["start"])), min(end, date.fromisoformat(info["end"]))
    try:
        first, last = whole_months(lo, hi)
    except BelvedereError:
        return None
    table = store.frame(
        """SELECT m.code, sum(m.views)::BIGINT AS views, s.population, c.departement, c.region, c.size_class,
                  (p.code IS NOT NULL) AS is_pvd
           FROM snapshot_monthly m JOIN snapshot_communes s USING (code) JOIN communes c USING (code)
           LEFT JOIN pvd p USING (code)
           WHERE m.agent = 'user' AND m.month BETWEEN ? AND ? AND s.population > 0
           GROUP BY ALL""",
        [first, last],
    ).with_columns((pl.col("views") / pl.col("population")).alias("views_per_inhabitant"))
    mine = table.filter(pl.col("code") == code)
    if mine.is_empty():
        return None
    me = mine.row(0, named=True)
    out: dict[str, Any] = {"code": code, "start": first, "end": last, "views": me["views"],
                           "views_per_inhabitant": me["views_per_inhabitant"], "snapshot_built": info["built_at"],
                           "snapshot_simulated": info["simulated"] == "True"}  # fmt: skip
    # a snapshot of part of France (a région's, a demo's): its ranks are said to be among its communes
    everywhere = store.con.execute("SELECT count(*) FROM communes WHERE population > 0").fetchall()[0][0]
    out["partial"] = table.height < PARTIAL_SHARE * everywhere
    groups = {"france": pl.lit(True), "pvd": pl.col("is_pvd"), "region": pl.col("region") == me["region"],
              "departement": pl.col("departement") == me["departement"],
              "size_class": pl.col("size_class") == me["size_class"]}  # fmt: skip
    for name, where in groups.items():
        if name == "pvd" and not me["is_pvd"]:
            out.update({f"rank_{name}": None, f"n_{name}": None, f"percentile_{name}": None})
            continue
        group = table.filter(where)
        value = pl.col("views_per_inhabitant")
        mine_v = me["views_per_inhabitant"]
        above = group.filter((value > mine_v) | ((value == mine_v) & (pl.col("code") < code)))
        rank, n = above.height + 1, group.height
        out.update({f"rank_{name}": rank, f"n_{name}": n,
                    f"percentile_{name}": round(100.0 * (n - rank) / max(n - 1, 1), 1)})  # fmt: skip
    return out


def describe(info: dict[str, str]) -> str:
    """ "l'instantané national du 1er janv. 2024 au 31 déc. 2025, construit le 30 nov. 2026"."""
    built = datetime.fromisoformat(info["built_at"]).date()
    words = M.t("snapshot_words", start=date.fromisoformat(info["start"]), end=date.fromisoformat(info["end"]),
                built=built)  # fmt: skip
    return words + (" " + M.t("snapshot_simulated_words") if info.get("simulated") == "True" else "")
