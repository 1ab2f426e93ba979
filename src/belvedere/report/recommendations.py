"""Recommendations triggered by the data, drawn from what worked for other small towns.

Each rule looks at the commune's figures and, when its trigger fires, returns the advice and the
figure that triggered it. No trigger, no recommendation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from belvedere import messages as M

LOW_SURPLUS = 0.8
EVENT_SHARE = 0.10
SUMMER_INDEX = 1.3
WINTER_INDEX = 1.1
LOW_MOBILE = 0.55
DECLINE = -0.10


@dataclass(frozen=True)
class Recommendation:
    key: str
    title: str
    advice: str
    trigger: str  # the figure that fired it, in words


def _num(card: Mapping[str, Any], key: str) -> float | None:
    v = card.get(key)
    return None if v is None or v != v else float(v)


def recommend(card: Mapping[str, Any]) -> list[Recommendation]:
    """Recommendations for one commune's profile (as ``Observatory.profile`` returns it)."""
    out: list[Recommendation] = []

    def add(key: str, **figures: object) -> None:
        trigger = M.t(f"rec_{key}_trigger", **figures)
        out.append(Recommendation(key, M.t(f"rec_{key}_title"), M.t(f"rec_{key}"), trigger))

    surplus = _num(card, "visibility_surplus")
    if surplus is not None and surplus < LOW_SURPLUS:
        add("article", surplus=M.fr_number(surplus, 1))
    share = _num(card, "spike_share")
    if card.get("typology") == "event-driven" or (share is not None and share >= EVENT_SHARE):
        add("events", spikes=card.get("spikes", 0), share=M.fr_percent(share or 0.0))
    summer = _num(card, "summer_index")
    if summer is not None and summer >= SUMMER_INDEX:
        add("offseason", share=M.fr_percent(_num(card, "summer_share")), index=M.fr_number(summer, 1))
    winter = _num(card, "winter_index")
    if winter is not None and winter >= WINTER_INDEX and (summer or 0) < SUMMER_INDEX:
        add("summer", share=M.fr_percent(_num(card, "winter_share")), index=M.fr_number(winter, 1))
    if card.get("is_commune_nouvelle"):
        add("new_name", merged=card.get("merged_count") or "plusieurs")
    mobile = _num(card, "mobile_share")
    if mobile is not None and mobile < LOW_MOBILE:
        add("mobile", share=M.fr_percent(mobile))
    yoy = _num(card, "yoy_change")
    if yoy is not None and yoy <= DECLINE:
        add("decline", change=M.fr_percent(yoy))
    return out
