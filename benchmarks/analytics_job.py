"""The analytics benchmark's job, in its own process so that its peak memory is its own.

Prints one JSON line: wall time and peak RSS of the full national analysis (metrics, ranks,
spikes, shared events, typology), then the scores against the simulated truth.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import polars as pl

from belvedere.analysis.scoring import (
    score_campaigns,
    score_causes,
    score_events,
    score_foreign,
    score_spikes,
    score_typology,
)
from belvedere.api import Observatory
from belvedere.sources.simulate import LABEL_EFFECT


def main(db: str) -> None:
    t0 = time.perf_counter()
    with Observatory.open(db) as obs:
        typed = obs.typology_frame()
        spikes = obs.spikes()
        events = obs.events()
        wall = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        planted = obs.store.frame("SELECT * FROM sim_spikes")
        bots = obs.store.frame("SELECT * FROM sim_bots")
        profiles = obs.store.frame("SELECT * FROM sim_profiles")
    out = {"communes": typed.height, "wall": wall, "peak_mib": peak,
           "spikes": spikes.height, "events": events.height}  # fmt: skip
    visible = typed.filter(pl.col("mean_daily_views") >= 10)["code"].to_list()
    for name, codes in (("all", None), ("visible", visible)):
        s = score_spikes(spikes, planted, bots, codes=codes)
        out[f"spikes_{name}"] = {"planted_3x": s.planted, "recall": round(s.recall, 3),
                                 "precision": round(s.precision, 3), "bots_planted": s.bots_planted,
                                 "bots_reported_as_spikes": s.bots_reported_as_spikes}  # fmt: skip
    e = score_events(events, planted, spikes)
    out["events_score"] = {"planted": e.planted, "found": e.found, "detected": e.detected, "pure": e.pure,
                           "recall": e.recall, "precision": e.precision}  # fmt: skip
    with Observatory.open(db) as obs:  # probable causes of lone media spikes, on a sample of 500 towns
        media = planted.filter(pl.col("cause").is_not_null() & pl.col("shared_event").is_null())
        sample = media.select("commune_code").unique().sort(pl.col("commune_code").hash(7)).head(500)
        t1 = time.perf_counter()
        found = [{"code": code, "peak": peak, "referrer": cause.referrer}
                 for code in sample["commune_code"].to_list()
                 for peak, cause in obs.spike_causes(code).items()]  # fmt: skip
        per_town = (time.perf_counter() - t1) / max(1, sample.height)
    c = score_causes(pl.DataFrame(found, schema={"code": pl.String, "peak": pl.Date, "referrer": pl.String}),
                     media.filter(pl.col("commune_code").is_in(sample["commune_code"].to_list())))  # fmt: skip
    out["causes"] = {"planted": c.planted, "named": c.named, "share": round(c.share, 3),
                     "seconds_per_town": round(per_town, 3)}  # fmt: skip
    agreement, _ = score_typology(typed, profiles)
    out["typology_agreement"] = round(agreement, 3)
    out["visible_communes"] = len(visible)
    with Observatory.open(db) as obs:  # campaign impact, on the campaigns the simulator planted
        truth = obs.frame("SELECT campaign_id, uplift FROM sim_campaigns ORDER BY campaign_id")
        obs.typology_frame()
        t1 = time.perf_counter()
        rows = [{"campaign_id": cid, **{k: obs.impact(cid)[0]["during"][k] for k in ("uplift_low", "uplift_high",
                 "significant")}} for cid in truth["campaign_id"].to_list()]  # fmt: skip
        per = (time.perf_counter() - t1) / max(1, len(rows))
    c = score_campaigns(pl.DataFrame(rows), truth)
    out["impact"] = {"planted": c.planted, "zero": c.zero_effect, "coverage": round(c.coverage, 3),
                     "zero_not_significant": round(c.zero_not_significant, 3), "power_30": round(c.power, 3),
                     "median_width": round(c.median_width, 3), "seconds_each": round(per, 3)}  # fmt: skip
    with Observatory.open(db) as obs:  # attention from abroad, against the editions and readers planted
        t1 = time.perf_counter()
        ranking = obs.foreign_ranking(scope="all")
        seconds = time.perf_counter() - t1
    f = score_foreign(ranking, profiles)
    out["foreign"] = {"communes": f.communes, "spearman": round(f.spearman, 3),
                      "top_language": round(f.top_language, 3), "tourist_ratio": round(f.tourist_ratio, 2),
                      "seconds": round(seconds, 2)}  # fmt: skip
    with Observatory.open(db) as obs:  # the national model, against the label effect the simulator planted
        t1 = time.perf_counter()
        model = obs.explanation()
        seconds = time.perf_counter() - t1
    if model is not None:
        coef = {c.key: c for c in model.coefficients}
        labels, km = coef.get("labels"), coef.get("log_city_km")
        out["model"] = {
            "communes": model.n, "r2": round(model.r2, 3), "seconds": round(seconds, 2),
            "labels_planted": LABEL_EFFECT,
            "labels_found": [round(x, 3) for x in (labels.low, labels.estimate, labels.high)] if labels else None,
            "labels_within": bool(labels and labels.low <= LABEL_EFFECT <= labels.high),
            "distance_planted": 0.0,
            "distance_within": bool(km and km.low <= 0.0 <= km.high),
        }  # fmt: skip
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
