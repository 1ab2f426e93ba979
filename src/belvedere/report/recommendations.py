"""Recommendations triggered by the commune's own figures, written with them, and illustrated by the
documented case closest to it.

Each rule looks at the commune's figures and, when its trigger fires, returns advice that quotes
those figures (and, where it helps, how a comparable commune of its peer group does), the figure
that triggered it, and an example from ``data/examples.json``: the sourced case of another small
town closest to this one (same kind of moment, same audience type, same size, same département),
never the commune itself, varying between towns that tie. No trigger, no recommendation.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import polars as pl

from belvedere import messages as M
from belvedere import present

LOW_SURPLUS = 0.8
EVENT_SHARE = 0.10
SUMMER_INDEX = 1.3
WINTER_INDEX = 1.1
LOW_MOBILE = 0.55
DECLINE = -0.10
PEER_BETTER = 1.5  # a peer quoted as a model when it is seen this many times more per inhabitant


@dataclass(frozen=True)
class Recommendation:
    key: str
    title: str
    advice: str
    trigger: str  # the figure that fired it, in words
    example: str | None = None  # a documented case of another town, with its source
    source: str | None = None
    url: str | None = None


@cache
def examples() -> list[dict[str, Any]]:
    """The catalogue of documented cases (see data/EXAMPLES.md)."""
    text = resources.files("belvedere.report").joinpath("data/examples.json").read_text(encoding="utf-8")
    loaded: list[dict[str, Any]] = json.loads(text)
    return loaded


def example_for(card: Mapping[str, Any], kinds: tuple[str, ...]) -> dict[str, Any] | None:
    """The documented case closest to the commune for a recommendation: one of ``kinds`` (the
    first kinds weigh more), the same audience type, size and département; never its own."""
    code = card.get("code")
    scored = []
    for e in examples():
        if e["code"] == code or e["commune"] == card.get("name"):
            continue
        kind_score = max((len(kinds) - i for i, k in enumerate(kinds) if k in e["kinds"]), default=0)
        if not kind_score:
            continue
        same_type = card.get("typology") in e["typologies"]
        near = (card.get("size_class") == e["size_class"]) + (card.get("departement") == e["departement"])
        scored.append((3 * kind_score + 2 * same_type + near, e))
    if not scored:
        return None
    top = max(s for s, _ in scored)
    tied = sorted((e for s, e in scored if s == top), key=lambda e: e["id"])
    # towns that tie do not all read the same example: the pick follows the commune's code
    return tied[zlib.crc32(f"{code}:{kinds[0]}".encode()) % len(tied)]


def _num(card: Mapping[str, Any], key: str) -> float | None:
    v = card.get(key)
    return None if v is None or v != v else float(v)


def _best_peer(card: Mapping[str, Any], peers: pl.DataFrame | None) -> dict[str, Any] | None:
    """The peer seen the most per inhabitant, when it does clearly better than the commune."""
    mine = _num(card, "views_per_inhabitant")
    if peers is None or peers.is_empty() or not mine:
        return None
    others = peers.filter(~pl.col("is_target") & pl.col("views_per_inhabitant").is_not_null())
    if others.is_empty():
        return None
    best = others.sort("views_per_inhabitant", descending=True).row(0, named=True)
    return best if best["views_per_inhabitant"] >= PEER_BETTER * mine else None


def recommend(card: Mapping[str, Any], *, peers: pl.DataFrame | None = None, spikes: pl.DataFrame | None = None,
              former: list[str] | None = None,
              facts: Mapping[str, Any] | None = None,
              territory: Mapping[str, Any] | None = None) -> list[Recommendation]:  # fmt: skip
    """Recommendations for one commune's profile (as ``Observatory.profile`` returns it), written
    with its figures; ``peers`` (its peer group), ``spikes`` (its spikes), ``former`` (the names
    of its former communes), ``facts`` (what its article is like, ``Observatory.article_facts``)
    and ``territory`` (what the official lists say, ``Observatory.territory_facts``) make the
    advice more specific when given."""
    out: list[Recommendation] = []
    name = card.get("name") or M.t("rec_the_commune")

    def add(key: str, advice: str, kinds: tuple[str, ...] = (), **figures: object) -> None:
        found = example_for(card, kinds) if kinds else None
        out.append(Recommendation(key, M.t(f"rec_{key}_title"), advice, M.t(f"rec_{key}_trigger", **figures),
                                  found["text"] if found else None, found["source"] if found else None,
                                  found["url"] if found else None))  # fmt: skip

    surplus = _num(card, "visibility_surplus")
    if surplus is not None and surplus < LOW_SURPLUS:
        observed, expected = _num(card, "mean_daily_views"), _num(card, "expected_daily_views")
        advice = M.t("rec_article", name=name, observed=M.fr_number(observed, 1), expected=M.fr_number(expected, 1),
                     x=M.fr_number(surplus, 1))  # fmt: skip
        peer = _best_peer(card, peers)
        if peer is not None:
            ratio = peer["views_per_inhabitant"] / (_num(card, "views_per_inhabitant") or 1)
            advice += " " + M.t("rec_article_peer", peer=peer["name"], dep=peer.get("departement") or "",
                                ratio=M.fr_number(ratio, 1))  # fmt: skip
        add("article", advice, surplus=M.fr_number(surplus, 1))  # its own peers are the example here
    share = _num(card, "spike_share")
    if card.get("typology") == "event-driven" or (share is not None and share >= EVENT_SHARE):
        n = int(card.get("spikes") or 0)
        advice = M.t("rec_events", name=name, spikes=M.t("n_spikes" if n > 1 else "one_spike", n=n),
                     share=M.fr_percent(share or 0.0))  # fmt: skip
        kinds: tuple[str, ...] = ("events",)
        if spikes is not None and spikes.height:
            real = spikes.filter(~pl.col("suspected_bot")) if "suspected_bot" in spikes.columns else spikes
            if real.height:
                top = real.sort("excess_views", descending=True).row(0, named=True)
                advice += " " + M.t("rec_events_top", date=M.fr_date(top["peak"]) if isinstance(top["peak"], date)
                                    else top["peak"], views=M.fr_number(top["peak_views"], 0),
                                    ratio=M.fr_number(top["peak_ratio"], 1))  # fmt: skip
                cats = [a["category"] for a in (top.get("annotations") or []) if a.get("category")]
                cause = {"tv": "tv", "film": "film", "evenement": "festival", "sport": "events"}.get(
                    cats[0] if cats else ""
                )
                if cause:
                    kinds = (cause, "events")
        add("events", advice, kinds, spikes=n, share=M.fr_percent(share or 0.0))
    summer = _num(card, "summer_index")
    if summer is not None and summer >= SUMMER_INDEX:
        advice = M.t("rec_offseason", name=name, share=M.fr_percent(_num(card, "summer_share")),
                     winter=M.fr_percent(_num(card, "winter_share")), index=M.fr_number(summer, 1))  # fmt: skip
        add("offseason", advice, ("offseason",), share=M.fr_percent(_num(card, "summer_share")),
            index=M.fr_number(summer, 1))  # fmt: skip
    winter = _num(card, "winter_index")
    if winter is not None and winter >= WINTER_INDEX and (summer or 0) < SUMMER_INDEX:
        advice = M.t("rec_summer", name=name, share=M.fr_percent(_num(card, "winter_share")),
                     summer=M.fr_percent(_num(card, "summer_share")), index=M.fr_number(winter, 1))  # fmt: skip
        add("summer", advice, share=M.fr_percent(_num(card, "winter_share")),
            index=M.fr_number(winter, 1))  # fmt: skip
    if card.get("is_commune_nouvelle"):
        merged = card.get("merged_count") or M.t("rec_several")
        names = ", ".join(former[:6]) + ("…" if len(former) > 6 else "") if former else ""
        advice = M.t("rec_new_name", name=name, merged=merged) + (" " + M.t("rec_new_name_former", names=names)
                                                                   if names else "")  # fmt: skip
        add("new_name", advice, merged=merged)
    if facts:
        _article_advice(card, facts, add)
    if territory:
        _territory_advice(name, territory, add)
    mobile = _num(card, "mobile_share")
    if mobile is not None and mobile < LOW_MOBILE:
        add("mobile", M.t("rec_mobile", name=name, share=M.fr_percent(mobile)), share=M.fr_percent(mobile))
    yoy = _num(card, "yoy_change")
    if yoy is not None and yoy <= DECLINE:
        change = present.change_words(yoy)
        add("decline", M.t("rec_decline", name=name, change=change), ("decline", "events"), change=change)
    return out


MIN_ACCESS_PEERS = 10  # a quartile among fewer communes says little
SHORT_ARTICLE = 0.5  # an article under half its peers' median length (or under SHORT_BYTES without peers)
SHORT_BYTES = 4000
FEW_REFS = 0.5
STALE_YEARS = 2


def _article_advice(card: Mapping[str, Any], facts: Mapping[str, Any], add: Any) -> None:
    """What the article itself lacks, each against the median article of the communes of the same size
    (or a plain threshold when none was read): no lead image, a short text, few sources, no edit for years."""
    name = card.get("name") or M.t("rec_the_commune")
    peers = facts.get("peers") or {}
    n = int(peers.get("communes") or 0)
    if facts.get("read_at") is not None:  # the article itself was read
        _text_advice(name, facts, peers, n, add)
    item = facts.get("item")
    if item:
        if not (item.get("social") or ""):
            share, m = peers.get("social_share"), int(peers.get("item_communes") or 0)
            known = M.t("rec_social_peers", share=M.fr_percent(share), n=M.n_communes(m)) if m and share else ""
            add("social", M.t("rec_social", name=name, qid=item["qid"], peers=known))
        if not item.get("website"):
            add("website", M.t("rec_website", name=name, qid=item["qid"]))
    edited = facts.get("last_edit")
    read = facts.get("read_at") or edited
    if edited is not None and read is not None and (read - edited).days > 365 * STALE_YEARS:
        add("stale", M.t("rec_stale", name=name, date=M.fr_date(edited.date())), date=M.fr_date(edited.date()))


def _text_advice(name: str, facts: Mapping[str, Any], peers: Mapping[str, Any], n: int, add: Any) -> None:
    """What the article's text lacks, against its peers' median article."""
    if not facts.get("lead_image"):
        share = peers.get("lead_image_share")
        known = M.t("rec_image_peers", share=M.fr_percent(share), n=M.n_communes(n)) if n and share else ""
        add("image", M.t("rec_image", name=name, peers=known))
    length, median = facts.get("length"), peers.get("length")
    if length is not None and (length < SHORT_ARTICLE * median if n and median else length < SHORT_BYTES):
        against = M.t("rec_short_peers", median=M.fr_number(median, 0)) if n and median else ""
        add("short", M.t("rec_short", name=name, length=M.fr_number(length, 0), peers=against),
            length=M.fr_number(length, 0))  # fmt: skip
    refs, refs_median = facts.get("refs"), peers.get("refs")
    if refs is not None and (refs < FEW_REFS * refs_median if n and refs_median else refs == 0):
        against = M.t("rec_refs_peers", median=M.fr_number(refs_median, 0)) if n and refs_median else ""
        add("refs", M.t("rec_refs", refs=M.fr_number(refs, 0), peers=against), refs=M.fr_number(refs, 0))


def _territory_advice(name: str, territory: Mapping[str, Any], add: Any) -> None:
    """What the official lists say: fixed broadband or mobile antennas below the quarter of its
    peers least served (ARCEP), no place of help with digital use where most of its peers have one,
    and each label it holds, to be said where readers look for it."""
    access = territory.get("access")
    if access and _below_quartile(access):
        share = M.fr_percent(access["value"] / 100)
        add("fibre", M.t("rec_fibre", name=name, share=share, median=M.fr_percent(access["median"] / 100),
                         n=M.n_communes(int(access["peers"])), date=access["as_of"]), share=share)  # fmt: skip
    mobile = territory.get("mobile")
    if mobile and _below_quartile(mobile):
        n = int(mobile["value"])
        ops = M.t(f"rec_network_ops_{n if n < 2 else 'n'}", n=n)
        add("network", M.t("rec_network", name=name, ops=ops, median=M.fr_number(mobile["median"], 0),
                           n=M.n_communes(int(mobile["peers"])), date=mobile["as_of"]), ops=ops)  # fmt: skip
    helped = territory.get("digital_help")
    if (helped and helped["value"] == 0 and helped["peers"] >= MIN_ACCESS_PEERS
            and (helped.get("share_with") or 0) >= 0.5):  # fmt: skip
        share = M.fr_percent(helped["share_with"])
        add("digital_help", M.t("rec_digital_help", name=name, share=share, n=M.n_communes(int(helped["peers"])),
                                date=helped["as_of"]), share=share)  # fmt: skip
    for held in territory.get("labels") or []:
        label = M.t(f"label_{held['label']}")
        detail = f" ({held['detail']})" if held.get("detail") else ""
        add("label", M.t("rec_label", name=name, label=label, detail=detail, date=held["as_of"]), label=label)


def _below_quartile(found: Mapping[str, Any]) -> bool:
    """A value under its peers' first quartile, among enough peers to say so."""
    return bool(found.get("quartile") is not None and found["peers"] >= MIN_ACCESS_PEERS
                and found["value"] < found["quartile"])  # fmt: skip
