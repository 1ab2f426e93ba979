"""Dates typed by users: one parser, one error message."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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


# Wikipedia opened on 15 January 2001: no audience, spike or campaign can be dated before it.
FIRST_EVENT = date(2001, 1, 15)


def check_event_date(day: date) -> date:
    """A date a team writes about (an annotation, a campaign): not before Wikipedia, not in the future."""
    if not FIRST_EVENT <= day <= date.today():
        raise BelvedereError(M.t("bad_event_date", day=day, first=FIRST_EVENT))
    return day


def month_end(day: date) -> date:
    """The last day of ``day``'s month (a monthly dump file covers up to it)."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)


def parse_month(value: str) -> date:
    """AAAA-MM → its first day, or a one-line French error."""
    try:
        return datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        raise BelvedereError(M.t("bad_month", value=value)) from None
