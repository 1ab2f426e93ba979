"""The residents' surveys in the store: every write to ``surveys`` and ``survey_answers``.

What is kept is what the results need and nothing that identifies a person: no name, no address,
no IP; the device is a keyed hash of a random cookie, different for each survey (two surveys cannot
be linked); the day of the answer, not its time. Answers older than the survey's retention period
are never read, and deleted at the next answer.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

import duckdb
import polars as pl

from belvedere import messages as M
from belvedere.errors import AlreadyAnsweredError, ReadOnlyStoreError, UnknownSurveyError
from belvedere.store.db import Store, now

SECRET_KEY = "survey_secret"  # metadata: the key that signs the survey cookies and forms
ANSWER_COLUMNS = ("attachment", "recommend", "proud", "missing", "age_band", "years_band")


def _writable(store: Store) -> None:
    if store.read_only:
        raise ReadOnlyStoreError(M.t("read_only_store"))


def secret(store: Store) -> str | None:
    """The store's survey key (None before the first survey)."""
    return store.get_meta(SECRET_KEY)


def create(store: Store, code: str, title: str, retention_days: int) -> str:
    """A new survey of commune ``code``; returns its identifier (the public link's)."""
    _writable(store)
    survey_id = secrets.token_urlsafe(9)  # 72 random bits: nobody finds a survey by guessing
    with store.transaction() as con:
        if store.get_meta(SECRET_KEY) is None:
            store.set_meta(SECRET_KEY, secrets.token_urlsafe(32))
        con.execute("INSERT INTO surveys VALUES (?, ?, ?, ?, ?)", [survey_id, code, title, now(), retention_days])
    return survey_id


def get(store: Store, survey_id: str) -> dict[str, Any]:
    rows = store.frame("SELECT * FROM surveys WHERE survey_id = ?", [survey_id]).to_dicts()
    if not rows:
        raise UnknownSurveyError(M.t("survey_unknown", id=survey_id))
    return rows[0]


def of_commune(store: Store, code: str) -> pl.DataFrame:
    return store.frame("SELECT * FROM surveys WHERE commune_code = ? ORDER BY created_at", [code])


def _purge(con: duckdb.DuckDBPyConnection, survey_id: str, retention_days: int, today: date) -> int:
    return int(
        con.execute(
            "DELETE FROM survey_answers WHERE survey_id = ? AND answered_on < ?",
            [survey_id, today - timedelta(days=retention_days)],
        ).fetchall()[0][0]
    )


def add_answer(store: Store, survey_id: str, device: str, answer: dict[str, Any], today: date) -> int:
    """One device's answer (``answer``: ANSWER_COLUMNS, checked by the caller); its id. Refused when
    that device has answered already; answers past the retention period go in the same transaction."""
    _writable(store)
    survey = get(store, survey_id)
    texts = "pending" if (answer.get("proud") or answer.get("missing")) else "none"
    with store.transaction() as con:
        _purge(con, survey_id, survey["retention_days"], today)
        if con.execute("SELECT count(*) FROM survey_answers WHERE survey_id = ? AND device = ?",
                       [survey_id, device]).fetchall()[0][0]:  # fmt: skip
            raise AlreadyAnsweredError(M.t("survey_already"))
        new_id = con.execute(
            f"INSERT INTO survey_answers (survey_id, device, answered_on, texts, {', '.join(ANSWER_COLUMNS)}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING answer_id",
            [survey_id, device, today, texts, *(answer.get(c) for c in ANSWER_COLUMNS)],
        ).fetchall()[0][0]
    return int(new_id)


def set_texts(store: Store, survey_id: str, answer_id: int, approved: bool) -> None:
    """The team's decision on an answer's free texts: shown in the results, or never."""
    _writable(store)
    with store.transaction() as con:
        found = con.execute(
            "UPDATE survey_answers SET texts = ? WHERE survey_id = ? AND answer_id = ? AND texts <> 'none' "
            "RETURNING answer_id",
            ["approved" if approved else "rejected", survey_id, answer_id],
        ).fetchall()
    if not found:
        raise UnknownSurveyError(M.t("survey_no_texts", id=answer_id))


def answers(store: Store, survey_id: str) -> pl.DataFrame:
    """Every answer within the retention period (older ones, not deleted yet, are not read)."""
    survey = get(store, survey_id)
    return store.frame(
        f"SELECT answer_id, answered_on, {', '.join(ANSWER_COLUMNS)}, texts FROM survey_answers "
        "WHERE survey_id = ? AND answered_on >= ? ORDER BY answer_id",
        [survey_id, date.today() - timedelta(days=survey["retention_days"])],
    )


def delete_answers(store: Store, survey_id: str) -> int:
    """Every answer of the survey deleted (the survey and its link stay); how many."""
    _writable(store)
    get(store, survey_id)
    with store.transaction() as con:
        return int(con.execute("DELETE FROM survey_answers WHERE survey_id = ?", [survey_id]).fetchall()[0][0])
