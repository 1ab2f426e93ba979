"""What the town's team writes into the store: annotations and campaigns.

The checks of what they mean (a known category, a date in range, a commune that exists) belong to
:class:`belvedere.api.Observatory`; here is how they are written: one transaction each, refused on
a read-only store, and idempotent, so that a command run again after an interruption (or a form
sent twice) keeps one record, not two.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from belvedere import messages as M
from belvedere.errors import BelvedereError, ReadOnlyStoreError
from belvedere.store.db import Store


def _writable(store: Store) -> None:
    if store.read_only:
        raise ReadOnlyStoreError(M.t("read_only_store"))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def add_annotation(store: Store, *, kind: str, code: str | None, day: date, text: str, url: str | None,
                   category: str) -> int:  # fmt: skip
    """The annotation's id: the existing one when the same note is already there."""
    _writable(store)
    with store.transaction() as con:
        same = con.execute(
            "SELECT min(annotation_id) FROM annotations WHERE target_kind = ? AND commune_code IS NOT DISTINCT "
            "FROM ? AND target_date = ? AND text = ? AND url IS NOT DISTINCT FROM ? AND category = ?",
            [kind, code, day, text, url, category],
        ).fetchall()[0][0]
        if same is not None:
            return int(same)
        new_id = con.execute(
            "INSERT INTO annotations (target_kind, commune_code, target_date, text, url, category, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING annotation_id",
            [kind, code, day, text, url, category, _now()],
        ).fetchall()[0][0]
    return int(new_id)


def add_campaign(store: Store, *, name: str, codes: list[str], start: date, end: date, channel: str | None,
                 cost: float | None, notes: str | None) -> int:  # fmt: skip
    """The campaign's id: the existing one when the same campaign is already there. Refused when
    one of its communes already has a campaign over those days (their effects could not be told
    apart)."""
    _writable(store)
    with store.transaction() as con:
        same = con.execute(
            "SELECT c.campaign_id FROM campaigns c JOIN campaign_communes cc USING (campaign_id) "
            "WHERE c.name = ? AND c.start_date = ? AND c.end_date = ? AND c.channel IS NOT DISTINCT FROM ? "
            "AND c.cost IS NOT DISTINCT FROM ? AND c.notes IS NOT DISTINCT FROM ? "
            "GROUP BY c.campaign_id HAVING list_sort(list(cc.commune_code)) = list_sort(?::VARCHAR[]) "
            "ORDER BY c.campaign_id LIMIT 1",
            [name, start, end, channel, cost, notes, codes],
        ).fetchall()
        if same:
            return int(same[0][0])
        clash = con.execute(
            "SELECT c.campaign_id, c.name, c.start_date, c.end_date, cc.commune_code FROM campaigns c "
            "JOIN campaign_communes cc USING (campaign_id) WHERE cc.commune_code IN (SELECT unnest(?)) "
            "AND c.start_date <= ? AND c.end_date >= ? ORDER BY c.campaign_id LIMIT 1",
            [codes, end, start],
        ).fetchall()
        if clash:
            other, other_name, other_start, other_end, code = clash[0]
            raise BelvedereError(M.t("campaign_overlap", code=code, id=other, name=other_name, start=other_start,
                                     end=other_end))  # fmt: skip
        new_id = con.execute(
            "INSERT INTO campaigns (name, channel, start_date, end_date, cost, notes, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING campaign_id",
            [name, channel, start, end, cost, notes, _now()],
        ).fetchall()[0][0]
        con.executemany("INSERT INTO campaign_communes VALUES (?, ?)", [[new_id, code] for code in codes])
    return int(new_id)


def remove_campaign(store: Store, campaign_id: int) -> None:
    _writable(store)
    with store.transaction() as con:
        con.execute("DELETE FROM campaign_communes WHERE campaign_id = ?", [campaign_id])
        con.execute("DELETE FROM campaigns WHERE campaign_id = ?", [campaign_id])


FACT_COLUMNS = ("article_id", "length", "lead_image", "images", "refs", "sections", "quality", "languages",
                "last_edit", "created", "edits_12m", "editors_12m")  # fmt: skip
ITEM_COLUMNS = ("code", "qid", "website", "image", "coat_of_arms", "flag", "commons_category", "commons_files",
                "social", "sitelinks", "label_languages")  # fmt: skip


def save_article_facts(store: Store, rows: list[dict[str, Any]], read_at: datetime) -> int:
    """Each article's facts replaced whole (``rows``: FACT_COLUMNS), in one transaction: a read
    cut halfway leaves the facts read before; read again, it gives the same rows."""
    return _replace_read(store, "article_facts", FACT_COLUMNS, rows, read_at)


def save_item_facts(store: Store, rows: list[dict[str, Any]], read_at: datetime) -> int:
    """Each commune's Wikidata facts replaced whole (``rows``: ITEM_COLUMNS), in one transaction."""
    return _replace_read(store, "item_facts", ITEM_COLUMNS, rows, read_at)


def _replace_read(store: Store, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]],
                  read_at: datetime) -> int:  # fmt: skip
    """Rows read from a source, each replacing the one with the same key (the first column)."""
    _writable(store)
    if not rows:
        return 0
    key = columns[0]
    with store.transaction() as con:
        con.executemany(f"DELETE FROM {table} WHERE {key} = ?", [[r[key]] for r in rows])
        marks = ", ".join("?" * len(columns))
        con.executemany(
            f"INSERT INTO {table} (read_at, {', '.join(columns)}) VALUES (?, {marks})",
            [[read_at, *(r[c] for c in columns)] for r in rows],
        )
    return len(rows)


def replace_tourism(store: Store, frame: Any, vintage: int, source: str, loaded_at: datetime) -> int:
    """The whole tourism table replaced by ``frame`` (``code`` and the capacity columns), in one
    transaction: a load refused or cut halfway leaves the previous one."""
    _writable(store)
    with store.transaction() as con:
        con.execute("DELETE FROM tourism")
        con.register("_tourism", frame.to_arrow())
        try:
            con.execute(
                "INSERT INTO tourism SELECT code, ?, hotels, rooms, campsites, pitches, village_beds, residence_beds, "
                "hostel_beds, ?, ? FROM _tourism",
                [vintage, source, loaded_at],
            )
        finally:
            con.unregister("_tourism")
    return int(frame.height)


ATTACHMENT_COLUMNS = ("code", "indicator", "period", "year", "value", "unit")


def replace_attachment(store: Store, frame: Any, source: str, loaded_at: datetime) -> int:
    """Attachment values (``frame``: ATTACHMENT_COLUMNS) replacing those of the same indicators and
    periods, in one transaction: a file read again replaces its values, another period adds to them."""
    _writable(store)
    with store.transaction() as con:
        con.register("_attachment", frame.select(ATTACHMENT_COLUMNS).to_arrow())
        try:
            con.execute("DELETE FROM attachment WHERE (indicator, period) IN "
                        "(SELECT DISTINCT indicator, period FROM _attachment)")  # fmt: skip
            con.execute(f"INSERT INTO attachment SELECT {', '.join(ATTACHMENT_COLUMNS)}, ?, ? FROM _attachment",
                        [source, loaded_at])  # fmt: skip
        finally:
            con.unregister("_attachment")
    return int(frame.height)


def _insert_frame(con: Any, name: str, frame: Any, sql: str, params: list[Any]) -> None:
    con.register(name, frame.to_arrow())
    try:
        con.execute(sql, params)
    finally:
        con.unregister(name)


def replace_zone(store: Store, zone: str, frame: Any, vintage: str, source: str, loaded_at: datetime) -> int:
    """The communes of one zone (``frame``: code, class) replacing the last list of that zone, in one
    transaction. The typology reads the zones, so the line logged without days makes every kept
    figure be computed again rather than shown with the old wording."""
    log = ("INSERT INTO ingest_log (source, origin, status, rows, detail, fetched_at) "
           "VALUES ('zones', ?, 'ok', ?, ?, ?)", [source, frame.height, f"{zone} {vintage}", loaded_at])  # fmt: skip
    return _replace_list(store, "zones", "zone", zone, frame.select("code", "class"), [vintage, source, loaded_at], log)


def _replace_list(store: Store, table: str, key: str, value: str, frame: Any, after: list[Any],
                  log: tuple[str, list[Any]] | None = None) -> int:  # fmt: skip
    """The rows of ``table`` whose ``key`` is ``value`` replaced by ``frame`` (its columns, then
    ``value``, then ``after``'s values, in the table's order), in one transaction with ``log``."""
    _writable(store)
    first, rest = frame.columns[0], frame.columns[1:]
    marks = ", ".join("?" * len(after))
    with store.transaction() as con:
        con.execute(f"DELETE FROM {table} WHERE {key} = ?", [value])
        _insert_frame(con, "_list", frame, f"INSERT INTO {table} SELECT {first}, ?, {', '.join(rest)}, {marks} "
                      "FROM _list", [value, *after])  # fmt: skip
        if log is not None:
            con.execute(*log)
    return int(frame.height)


def replace_access(store: Store, frame: Any, as_of: date, source: str, loaded_at: datetime) -> int:
    """ARCEP's counts (``frame``: code, indicator, premises, eligible) replacing those of the same
    indicators: the fibre file and the speed file each replace their own."""
    return _replace_indicators(store, "access", frame.select("code", "indicator", "premises", "eligible"),
                               [as_of, source, loaded_at])  # fmt: skip


def replace_access_counts(store: Store, frame: Any, as_of: date, source: str, loaded_at: datetime) -> int:
    """Counts per commune (``frame``: code, indicator, value) replacing those of the same indicators:
    the sites file and the places file each replace their own."""
    return _replace_indicators(store, "access_counts", frame.select("code", "indicator", "value"),
                               [as_of, source, loaded_at])  # fmt: skip


def _replace_indicators(store: Store, table: str, frame: Any, after: list[Any]) -> int:
    """The rows of ``table`` of the indicators ``frame`` carries replaced by its rows (then ``after``'s
    values), in one transaction."""
    _writable(store)
    marks = ", ".join("?" * len(after))
    with store.transaction() as con:
        con.register("_rows", frame.to_arrow())
        try:
            con.execute(f"DELETE FROM {table} WHERE indicator IN (SELECT DISTINCT indicator FROM _rows)")
            con.execute(f"INSERT INTO {table} SELECT {', '.join(frame.columns)}, {marks} FROM _rows", after)
        finally:
            con.unregister("_rows")
    return int(frame.height)


def replace_label(store: Store, label: str, frame: Any, as_of: str, source: str, loaded_at: datetime) -> int:
    """The communes holding one label (``frame``: code, detail) replacing its last list, in one
    transaction."""
    return _replace_list(store, "labels", "label", label, frame.select("code", "detail"), [as_of, source, loaded_at])
