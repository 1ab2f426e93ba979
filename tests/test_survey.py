"""The residents' survey without a server: the results' arithmetic, what an answer may hold, the
device cookie and form token, and what the store keeps (and forgets)."""

from __future__ import annotations

import math
import statistics
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from belvedere import survey as service
from belvedere.analysis.survey import ambassador_score, mean_interval, survey_results, t975
from belvedere.errors import AlreadyAnsweredError, BelvedereError, UnknownSurveyError
from belvedere.store import Store
from belvedere.store import surveys as stored


def test_means_and_the_ambassador_score_with_their_intervals() -> None:
    scores = [8, 9, 10, 7, 6, 10, 3, 9, 8, 10]
    m = mean_interval([float(s) for s in scores])
    assert m is not None and m.low is not None and m.high is not None
    sd = statistics.stdev(scores)
    assert math.isclose(m.value, 8.0) and math.isclose(m.high - m.value, 2.262 * sd / math.sqrt(10))
    nps = ambassador_score(scores)
    assert nps is not None and nps.low is not None and nps.high is not None
    # 5 promoters (9-10), 3 passives (7-8), 2 detractors (0-6) of 10: 50 % - 20 % = +30 points
    assert math.isclose(nps.value, 30.0)
    half = 100 * 1.96 * math.sqrt((0.5 + 0.2 - 0.3**2) / 10)
    assert math.isclose(nps.high - nps.value, half) and math.isclose(nps.value - nps.low, half)
    res = survey_results(pl.DataFrame({"attachment": scores, "recommend": scores}))
    assert (res.responses, res.promoters, res.passives, res.detractors) == (10, 5, 3, 2)
    one = survey_results(pl.DataFrame({"attachment": [7], "recommend": [10]}))
    assert one.attachment is not None and one.attachment.low is None  # one answer: no interval
    assert one.ambassador is not None and one.ambassador.value == 100.0 and one.ambassador.low is None
    assert survey_results(pl.DataFrame({"attachment": [], "recommend": []})).attachment is None
    assert t975(500) == 1.96 and t975(35) == 2.042  # the tabulated row below: never too narrow


def test_an_answer_is_checked_and_its_texts_cleaned() -> None:
    ok = service.check_answer({"attachment": "7", "recommend": "10", "proud": "  Le marché\u200b du\x00 jeudi ",
                               "missing": "", "age_band": "30 à 44 ans", "years_band": ""})  # fmt: skip
    assert ok == {"attachment": 7, "recommend": 10, "proud": "Le marché du jeudi", "missing": None,
                  "age_band": "30 à 44 ans", "years_band": None}  # fmt: skip
    for bad, said in [({"attachment": "11", "recommend": "3"}, "de 0 à 10"),
                      ({"attachment": "-1", "recommend": "3"}, "de 0 à 10"),
                      ({"recommend": "3"}, "attaché"),
                      ({"attachment": "5", "recommend": "3", "missing": "x" * 501}, "501 caractères"),
                      ({"attachment": "5", "recommend": "3", "age_band": "42"}, "proposées")]:  # fmt: skip
        with pytest.raises(service.InvalidAnswerError, match=said):
            service.check_answer(bad)


def test_the_cookie_and_the_form_token_cannot_be_forged() -> None:
    signer = service.Signer("clé de test")
    device, cookie = signer.new_device()
    assert signer.device(cookie) == device
    assert signer.device(cookie[:-2] + "xx") is None and signer.device("n'importe quoi") is None
    assert service.Signer("une autre clé").device(cookie) is None
    token = signer.form_token("survey1", device)
    signer.check_form(token, "survey1", device)
    for args in [("survey2", device), ("survey1", "un-autre-appareil"), ("survey1", None)]:
        with pytest.raises(BelvedereError, match="ne vient pas du formulaire"):
            signer.check_form(token, *args)
    with pytest.raises(BelvedereError, match="ne vient pas du formulaire"):
        signer.check_form(None, "survey1", device)
    # the store keeps a keyed hash: not the cookie, and another for each survey
    key = signer.device_key("survey1", device)
    assert len(key) == 32 and key != signer.device_key("survey2", device) and device not in key


def test_the_store_keeps_one_answer_per_device_and_forgets_old_ones(store_path: Path) -> None:
    with Store(store_path) as store:
        sid = stored.create(store, "61074", "Votre avis sur Carrouges", retention_days=30)
        assert stored.secret(store) is not None
        today = date.today()
        answer = service.check_answer({"attachment": "8", "recommend": "9", "proud": "Le château"})
        old = stored.add_answer(store, sid, "appareil-a", answer, today - timedelta(days=40))
        assert stored.answers(store, sid).height == 0  # past the retention period: never read
        first = stored.add_answer(store, sid, "appareil-b", answer, today)
        with pytest.raises(AlreadyAnsweredError):
            stored.add_answer(store, sid, "appareil-b", answer, today)
        kept = stored.answers(store, sid)
        assert kept["answer_id"].to_list() == [first] and kept["texts"].to_list() == ["pending"]
        # the old one was deleted by the new answer, not only hidden
        assert store.con.execute("SELECT count(*) FROM survey_answers WHERE answer_id = ?", [old]).fetchall()[0][0] == 0
        columns = {r[0] for r in store.con.execute("DESCRIBE survey_answers").fetchall()}
        assert not columns & {"ip", "address", "name", "email", "user_agent"}
        stored.set_texts(store, sid, first, approved=True)
        assert service.results(store, sid)["texts"][0]["proud"] == "Le château"
        with pytest.raises(UnknownSurveyError):
            stored.get(store, "inconnu")
        assert stored.delete_answers(store, sid) == 1 and service.results(store, sid)["responses"] == 0


def test_the_rate_limit_slides_and_forgets(monkeypatch: pytest.MonkeyPatch) -> None:
    from belvedere.web import surveys as web_surveys

    clock = [1000.0]
    monkeypatch.setattr(web_surveys.time, "monotonic", lambda: clock[0])
    limit = web_surveys.RateLimit(2, 60.0)
    assert [limit.wait("a"), limit.wait("a")] == [0.0, 0.0]
    assert limit.wait("a") == 60.0 and limit.wait("b") == 0.0  # a is full, b is another address
    clock[0] += 30
    assert limit.wait("a") == 30.0  # the first of its two answers leaves the window in 30 s
    clock[0] += 31
    assert limit.wait("a") == 0.0
    for i in range(10_001):  # many addresses once: those whose window has passed are forgotten
        limit.wait(f"x{i}")
    clock[0] += 61
    limit.wait("y")
    assert len(limit._seen) < 10
