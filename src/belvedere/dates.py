"""Dates typed by users: one parser, one error message."""

from __future__ import annotations

from datetime import date

from belvedere import messages as M
from belvedere.errors import BelvedereError


def parse_date(value: str | date) -> date:
    """An ISO date (AAAA-MM-JJ), or a one-line French error naming what was typed."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise BelvedereError(M.t("bad_date", value=value)) from None
