"""The residents' survey a town team runs itself: what an answer may hold, how a device is told
apart without knowing who holds it, and the results beside the town's audience.

Residents answer with no account. One answer per device: the form sets a random identifier in a
signed cookie, and the store keeps only a keyed hash of it, different for each survey. The form
carries a signed token bound to that cookie and that survey (a page elsewhere cannot post answers
in a resident's name, and a token is good for two hours). Free texts are kept as typed (never
interpreted: every page escapes them) and shown once the team approved them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from belvedere import messages as M
from belvedere.analysis.survey import SurveyResults, survey_results
from belvedere.errors import BelvedereError
from belvedere.store import Store
from belvedere.store import surveys as stored
from belvedere.store.queries import commune_totals

TITLE_MAX = 200
TEXT_MAX = 500  # characters of each free text
RETENTION_DAYS = 365  # answers are deleted a year after they were given
FORM_SECONDS = 2 * 3600  # how long a form's token is good for
AGE_BANDS = ("moins de 18 ans", "18 à 29 ans", "30 à 44 ans", "45 à 59 ans", "60 à 74 ans", "75 ans et plus")
YEARS_BANDS = ("moins de 2 ans", "2 à 9 ans", "10 à 19 ans", "20 ans et plus", "depuis toujours")
COOKIE = "belvedere_appareil"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


class InvalidAnswerError(BelvedereError):
    """An answer the form should not have let through (a score out of range, a text too long)."""


def clean_title(title: str) -> str:
    title = _CONTROL.sub("", unicodedata.normalize("NFC", title or "")).strip()
    if not title:
        raise BelvedereError(M.t("survey_title_empty"))
    if len(title) > TITLE_MAX:
        raise BelvedereError(M.t("survey_title_long", max=TITLE_MAX))
    return title


def _score(form: Mapping[str, str], key: str) -> int:
    raw = (form.get(key) or "").strip()
    if not raw.isdigit() or not 0 <= int(raw) <= 10:
        raise InvalidAnswerError(M.t("survey_bad_score", question=M.t(f"survey_q_{key}")))
    return int(raw)


def _text(form: Mapping[str, str], key: str) -> str | None:
    text = _CONTROL.sub("", unicodedata.normalize("NFC", form.get(key) or "")).strip()
    if len(text) > TEXT_MAX:
        raise InvalidAnswerError(M.t("survey_text_long", question=M.t(f"survey_q_{key}"), max=TEXT_MAX, n=len(text)))
    return text or None


def _band(form: Mapping[str, str], key: str, bands: tuple[str, ...]) -> str | None:
    value = (form.get(key) or "").strip()
    if value and value not in bands:
        raise InvalidAnswerError(M.t("survey_bad_band", question=M.t(f"survey_q_{key}")))
    return value or None


def check_answer(form: Mapping[str, str]) -> dict[str, Any]:
    """The answer a form holds, checked (InvalidAnswerError with a French sentence otherwise)."""
    return {
        "attachment": _score(form, "attachment"),
        "recommend": _score(form, "recommend"),
        "proud": _text(form, "proud"),
        "missing": _text(form, "missing"),
        "age_band": _band(form, "age_band", AGE_BANDS),
        "years_band": _band(form, "years_band", YEARS_BANDS),
    }


class Signer:
    """The device cookie and the form token, signed with the store's survey key."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()
        self._cookie = URLSafeSerializer(key, salt="belvedere-device")
        self._form = URLSafeTimedSerializer(key, salt="belvedere-survey-form")

    def new_device(self) -> tuple[str, str]:
        """A fresh device identifier and the cookie value that carries it."""
        device = secrets.token_urlsafe(16)
        return device, self._cookie.dumps(device)

    def device(self, cookie: str | None) -> str | None:
        """The device a cookie names, None when there is none or it was not signed here."""
        if not cookie:
            return None
        try:
            value = self._cookie.loads(cookie)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None

    def form_token(self, survey_id: str, device: str) -> str:
        return self._form.dumps([survey_id, device])

    def check_form(self, token: str | None, survey_id: str, device: str | None) -> None:
        """Refused (BelvedereError) unless the token was given with this survey's form to this device
        less than two hours ago."""
        try:
            value = self._form.loads(token or "", max_age=FORM_SECONDS)
        except SignatureExpired:
            raise BelvedereError(M.t("survey_form_expired")) from None
        except BadSignature:
            raise BelvedereError(M.t("survey_form_foreign")) from None
        if device is None or value != [survey_id, device]:
            raise BelvedereError(M.t("survey_form_foreign"))

    def device_key(self, survey_id: str, device: str) -> str:
        """What the store keeps of a device: a keyed hash, different for each survey."""
        return hmac.new(self._key, f"{survey_id}:{device}".encode(), hashlib.sha256).hexdigest()[:32]


def results(store: Store, survey_id: str) -> dict[str, Any]:
    """The survey, its results, the approved texts, and the commune's audience over the days of the
    answers (when the store holds it)."""
    survey = stored.get(store, survey_id)
    answers = stored.answers(store, survey_id)
    res: SurveyResults = survey_results(answers)
    approved = answers.filter(answers["texts"] == "approved") if answers.height else answers
    first = answers["answered_on"].min() if answers.height else None
    last = answers["answered_on"].max() if answers.height else None
    audience = None
    if isinstance(first, date) and isinstance(last, date):
        totals = commune_totals(store, first, last, [survey["commune_code"]])
        if totals.height and totals["days"][0]:
            audience = {"start": first, "end": last, "views": int(totals["views"][0]), "days": int(totals["days"][0]),
                        "complete": int(totals["days"][0]) == (last - first).days + 1}  # fmt: skip

    def estimate(e: Any, key: str) -> dict[str, Any] | None:
        if e is None:
            return None
        ci = [e.low, e.high] if e.low is not None else None
        return {key: round(e.value, 2), "ci95": [round(v, 2) for v in ci] if ci else None}

    return {
        "id": survey_id, "commune": survey["commune_code"], "title": survey["title"],
        "created_at": survey["created_at"], "retention_days": survey["retention_days"],
        "responses": res.responses, "first": first, "last": last,
        "attachment": estimate(res.attachment, "mean"), "recommend": estimate(res.recommend, "mean"),
        "ambassador_score": estimate(res.ambassador, "value"),
        "promoters": res.promoters, "passives": res.passives, "detractors": res.detractors,
        "pending_texts": int((answers["texts"] == "pending").sum()) if answers.height else 0,
        "texts": [{"proud": r["proud"], "missing": r["missing"], "answered_on": r["answered_on"]}
                  for r in approved.iter_rows(named=True)],
        "audience": audience,
    }  # fmt: skip
