"""`make bench`: speed and memory figures, printed (targets are stated, never asserted in tests)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_measured(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall time (s) and peak RSS (MiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}")
    # ru_maxrss of children is the max over all waited children: run the heaviest first
    return wall, max(peak, before) / 1024, proc


def bench_demo(workdir: Path) -> Path:
    db = workdir / "bench_demo.duckdb"
    cmd = [sys.executable, "-m", "belvedere.cli", "--db", str(db), "demo", "--years", "3", "--end", "2025-12-31"]
    wall, peak, _ = run_measured(cmd)
    size = db.stat().st_size / 2**20
    print(
        f"demo (all communes x 3 years): wall {wall:.1f} s (target < 120 s), "
        f"peak RSS {peak:.0f} MiB (target < 4096 MiB), store {size:.0f} MiB"
    )
    return db


def bench_analytics(db: Path) -> None:
    """Full national analysis of all communes x 3 years (metrics, spikes, events, typology)."""
    cmd = [sys.executable, str(ROOT / "benchmarks" / "analytics_job.py"), str(db)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit("analytics benchmark failed")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    sv, sa, ev = r["spikes_visible"], r["spikes_all"], r["events_score"]
    print(
        f"analytics ({r['communes']} communes x 3 years: metrics, ranks, spikes, events, typology): "
        f"wall {r['wall']:.1f} s (target < 60 s), peak RSS {r['peak_mib']:.0f} MiB (target < 4096 MiB)\n"
        f"  spikes >= 3x on communes with >= 10 views/day ({r['visible_communes']} communes, "
        f"{sv['planted_3x']} planted): recall {sv['recall']:.3f}, precision {sv['precision']:.3f} (targets >= 0.9)\n"
        f"  spikes, all communes ({sa['planted_3x']} planted >= 3x): recall {sa['recall']:.3f}, "
        f"precision {sa['precision']:.3f}; bot bursts reported as spikes {sa['bots_reported_as_spikes']} "
        f"of {sa['bots_planted']}\n"
        f"  shared events: {ev['found']} of {ev['planted']} planted found (recall {ev['recall']:.3f}, target >= 0.7), "
        f"{ev['pure']} of {ev['detected']} detected match one (precision {ev['precision']:.3f}, target >= 0.8); "
        f"typology agreement {r['typology_agreement']:.3f}"
    )
    ca = r["causes"]
    print(
        f"  probable causes of lone media spikes (500 towns, {ca['planted']} detected spikes with an article behind "
        f"them): the article named first {ca['named']} times, {ca['share']:.3f} (target >= 0.8); "
        f"{ca['seconds_per_town']:.3f} s per town"
    )
    fo = r["foreign"]
    print(
        f"  attention from abroad ({fo['communes']} communes, ranked in {fo['seconds']:.1f} s): share found vs planted "
        f"Spearman {fo['spearman']:.3f}, first language right {fo['top_language']:.3f}, coastal and mountain towns "
        f"{fo['tourist_ratio']:.1f} times the others' median share"
    )
    mo = r.get("model")
    if mo:
        lo, est, hi = mo["labels_found"] or (float("nan"),) * 3
        print(
            f"  what goes with visibility ({mo['communes']} communes, R² {mo['r2']:.2f}, {mo['seconds']:.1f} s): "
            f"planted label effect {mo['labels_planted']:.2f} per label, found {est:.3f} [{lo:.3f}, {hi:.3f}] "
            f"({'inside' if mo['labels_within'] else 'OUTSIDE'} its interval); planted no effect of the distance to "
            f"a large city, {'recovered' if mo['distance_within'] else 'NOT recovered'} (0 inside its interval)"
        )
    i = r["impact"]
    print(
        f"  campaign impact ({i['planted']} planted, {i['zero']} with no effect; {i['seconds_each']:.2f} s each): "
        f"interval covers the truth {i['coverage']:.3f} (target >= 0.9), zero effects not significant "
        f"{i['zero_not_significant']:.3f} (target >= 0.9), uplifts >= 30 % found {i['power_30']:.3f}, "
        f"median interval width {i['median_width'] * 100:.0f} points"
    )


def bench_fetch(workdir: Path, n_articles: int = 2000) -> None:
    """2,000 articles x 2 years from the local fake: 50 ms latency, 5 % injected 429/5xx."""
    sys.path.insert(0, str(ROOT))
    from datetime import date, timedelta

    from tests.fakes.wikimedia import Dataset, FakeWikimedia, Faults

    from belvedere.reference.load import load_reference
    from belvedere.store import Store

    start, end = date(2023, 1, 1), date(2024, 12, 31)
    days = (end - start).days + 1
    db = workdir / "bench_fetch.duckdb"
    ds = Dataset()
    with Store(db) as store:
        load_reference(store)
        codes = [r[0] for r in store.con.execute("SELECT code FROM communes ORDER BY code LIMIT ?", [n_articles])
                 .fetchall()]  # fmt: skip
        for i, code in enumerate(codes):
            title = f"Commune_{code}"
            store.con.execute(
                "INSERT INTO articles (project, title, commune_code, verified, source) "
                "VALUES ('fr.wikipedia', ?, ?, TRUE, 'wikidata')",
                [title, code],
            )
            for access in ("desktop", "mobile-web", "mobile-app"):
                # some zero days, absent from the answers as in the real API
                ds.views[(title, access, "user")] = {start + timedelta(days=d): (i + d) % 9 for d in range(days)}
    latency = 0.05
    faults = Faults(rate_429=0.025, rate_5xx=0.025, retry_after="1", latency=latency, seed=1)
    with FakeWikimedia(ds, faults) as fake:
        env = {**os.environ, "BELVEDERE_WIKIMEDIA_API": fake.rest_api, "BELVEDERE_CONTACT": "bench@belvedere.example",
               "BELVEDERE_BACKOFF_BASE": "0.2"}  # fmt: skip
        cmd = [sys.executable, "-m", "belvedere.cli", "--db", str(db), "fetch", "--communes", ",".join(codes),
               "--start", str(start), "--end", str(end), "--no-totals", "--format", "json"]  # fmt: skip
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-3000:])
            raise SystemExit("fetch benchmark failed")
        max_in_flight = fake.max_in_flight
        n_requests = fake.count("per_article")
    needed = n_articles * 3
    ideal = needed * latency / 3
    with Store(db, read_only=True) as store:
        distinct, total = store.con.execute(
            "SELECT count(DISTINCT (article_id, date, access, agent)), count(*) FROM pageviews"
        ).fetchall()[0]
    expected = n_articles * 3 * days
    print(
        f"fetch ({n_articles} articles x 3 accesses x {days} days, {latency * 1000:.0f} ms latency, 5 % 429/5xx): "
        f"wall {wall:.1f} s, ideal at 3 concurrent {ideal:.1f} s, ratio {wall / ideal:.2f} (target <= 1.3); "
        f"requests {n_requests} for {needed} ranges; max in flight {max_in_flight}; "
        f"missing days {expected - distinct}, duplicated days {total - distinct} (target 0)"
    )


def bench_diagnose(workdir: Path, latency: float = 0.15, n_peers: int = 20) -> None:
    """A town's diagnosis against the local Wikimedia fake answering in ``latency`` s (a realistic
    REST API time): a real national snapshot (12 monthly dump files holding every commune,
    ingested, exported), then `diagnose Carrouges --snapshot` on a fresh store."""
    sys.path.insert(0, str(ROOT))
    from datetime import date

    from tests.fakes.wikimedia import FakeWikimedia, Faults, dataset_from_store

    from belvedere.reference.load import load_reference
    from belvedere.reference.pvd import load_pvd, shipped_pvd_path
    from belvedere.reference.titles import add_guessed_articles
    from belvedere.sources.dumpgen import write_monthly_complete
    from belvedere.store import Store
    from belvedere.store.queries import nearest_peers

    national, town = workdir / "national.duckdb", workdir / "town.duckdb"
    with Store(town) as store:
        load_reference(store)
        load_pvd(store, str(shipped_pvd_path()))
    shutil.copy(town, national)
    with Store(national) as store:
        add_guessed_articles(store)
        titles = [r[0].replace(" ", "_") for r in store.con.execute("SELECT title FROM articles ORDER BY title")
                  .fetchall()]  # fmt: skip
    files = [write_monthly_complete(workdir, date(2024, m, 1), titles, seed=m, filler=100, compress=False)
             for m in range(1, 13)]  # fmt: skip
    cli = [sys.executable, "-m", "belvedere.cli"]
    t0 = time.perf_counter()
    run_measured([*cli, "--db", str(national), "ingest", *map(str, files)])
    ingest = time.perf_counter() - t0
    snap = workdir / "national-2024.parquet"
    run_measured([*cli, "--db", str(national), "snapshot", "export", "--out", str(snap)])
    with Store(town, read_only=True) as store:
        codes = ["61074", *nearest_peers(store, "61074", n_peers)]
    with Store(national, read_only=True) as store:
        ds, _ = dataset_from_store(store, codes)
    with FakeWikimedia(ds, Faults(latency=latency)) as fake:
        env = {**os.environ, "BELVEDERE_WIKIMEDIA_API": fake.rest_api, "BELVEDERE_WIKIDATA_SPARQL": fake.sparql,
               "BELVEDERE_MEDIAWIKI_API": fake.mediawiki, "BELVEDERE_CONTACT": "bench@belvedere.example"}  # fmt: skip
        cmd = [*cli, "--db", str(town), "diagnose", "61074", "--snapshot", str(snap), "--peers", str(n_peers),
               "--start", "2024-01-01", "--end", "2024-12-31", "--out", str(workdir / "diagnostic.pdf")]  # fmt: skip
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        requests = len(fake.requests)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:])
        raise SystemExit("diagnose benchmark failed")
    print(
        f"diagnose Carrouges + {n_peers} peers, 1 year, real snapshot of {len(titles)} communes "
        f"({snap.stat().st_size / 1e6:.1f} MB; 12 monthly dump files ingested in {ingest:.1f} s), PDF report, "
        f"fake answering in {latency * 1000:.0f} ms: wall {wall:.1f} s, {requests} requests "
        f"(bound: (1 + peers) x 3 accesses + 3 totals + 2 resolve + one facts query per 20 titles + 1 item query "
        f"+ 4 probes = {(1 + n_peers) * 3 + 3 + 2 + -(-(1 + n_peers) // 20) + 1 + 4}; "
        f"all of France: ~{len(titles) * 3:,} requests)",
        flush=True,
    )


def bench_commands(db: Path, workdir: Path) -> None:
    """What a user waits for once the national figures are kept (all communes x 3 years): each
    command in its own process, its wall time and its own peak memory (see dumps_bench.measured)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from dumps_bench import measured

    cli = [sys.executable, "-m", "belvedere.cli", "--db", str(db)]
    copy = workdir / "bench_commands.duckdb"
    shutil.copy(db, copy)
    refresh = (  # one day of new audience (every commune's last day re-read, one view more) and its log line,
        # then what fetch/ingest do after it
        "from belvedere.api import Observatory; from belvedere.store import Store; from belvedere import figures; "
        f"obs = Observatory(Store({str(copy)!r})); last = obs.period()[1]; "
        "obs.store.con.execute(\"UPDATE pageviews SET views = views + 1 WHERE date = ? AND agent = 'user' "
        "AND access = 'desktop'\", [last]); "
        'obs.store.con.execute("INSERT INTO ingest_log (source, start_date, end_date, status, fetched_at) '
        "VALUES ('rest_api', ?, ?, 'ok', now())\", [last, last]); "
        "print(figures.refresh(obs))"
    )
    town = (  # one town's article fetched again (--refresh): three days of news, with the fetch's log lines
        "from belvedere.api import Observatory; from belvedere.store import Store; from belvedere import figures; "
        f"obs = Observatory(Store({str(copy)!r})); first, last = obs.period(); "
        'obs.store.con.execute("UPDATE pageviews SET views = views + 2000 WHERE date BETWEEN ? - 40 AND ? - 38 '
        "AND agent = 'user' AND access = 'mobile-web' AND article_id IN (SELECT article_id FROM articles WHERE "
        "commune_code = '61074')\", [last, last]); "
        'obs.store.con.execute("INSERT INTO ingest_log (source, article_id, start_date, end_date, status, fetched_at) '
        "SELECT 'rest_api', article_id, ?, ?, 'ok', now() FROM articles WHERE commune_code = '61074'\", "
        "[first, last]); print(figures.refresh(obs))"
    )
    cases = [
        ("compute (the whole 3 years alone)", [*cli[:-1], str(copy), "compute", "--start", "2000-01-01",
                                                "--end", "2100-01-01"], 20, 3072),
        ("compute (the 4 standard periods)", [*cli[:-1], str(copy), "compute"], 45, 3072),
        ("refresh after one day of new audience (all communes)", [sys.executable, "-c", refresh], 5, 3072),
        ("refresh after one town's fetch (Carrouges, 3 days)", [sys.executable, "-c", town], 5, 3072),
        ("profile Carrouges", [*cli, "profile", "Carrouges"], 1, 400),
        ("rank --scope pvd", [*cli, "rank", "--scope", "pvd"], 2, None),
        ("spikes Carrouges", [*cli, "spikes", "Carrouges"], 2, None),
        ("events --scope pvd", [*cli, "events", "--scope", "pvd"], 2, None),
        ("typology --scope pvd", [*cli, "typology", "--scope", "pvd"], 2, None),
        ("annotate", [*cli[:-1], str(copy), "annotate", "Carrouges", "--date", "2025-06-01", "--text", "bench"], 1,
         None),
        ("scorecard Carrouges", [*cli, "scorecard", "Carrouges"], 2, None),
        ("explain --scope pvd", [*cli, "explain", "--scope", "pvd"], 2, None),
        ("rank --metric score_contenus", [*cli, "rank", "--metric", "score_contenus"], 2, None),
        ("commune PDF", [*cli, "report", "commune", "Carrouges", "--out", str(workdir / "c.pdf")], 5, None),
        ("study PDF", [*cli, "report", "study", "--out", str(workdir / "s.pdf")], 10, None),
        ("snapshot export (all communes x 3 years)", [*cli, "snapshot", "export", "--out",
                                                      str(workdir / "france.parquet")], 30, None),
        ("snapshot import", [*cli[:-1], str(copy), "snapshot", "import", str(workdir / "france.parquet")], 10,
         None),
    ]  # fmt: skip
    for label, cmd, target_s, target_mib in cases:
        wall, peak, out = measured(cmd)
        if out.returncode != 0:
            sys.stderr.write(out.stderr[-2000:])
            raise SystemExit(f"benchmark command failed: {label}")
        memory = f" (target < {target_mib} MiB)" if target_mib else ""
        print(f"  {label}: wall {wall:.2f} s (target < {target_s} s), peak RSS {peak:.0f} MiB{memory}", flush=True)
        if label.startswith("snapshot export"):
            print(f"  snapshot size: {(workdir / 'france.parquet').stat().st_size / 1e6:.1f} MB (target <= 30 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["demo", "analytics", "web", "fetch", "diagnose", "dumps"], default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BELVEDERE_BENCH_DIR")) as tmp:
        if args.only in (None, "demo", "analytics", "web"):
            db = bench_demo(Path(tmp))
            if args.only in (None, "analytics"):
                bench_analytics(db)
                print("commands, the national figures kept (`compute`, done by `demo`):")
                bench_commands(db, Path(tmp))
            if args.only in (None, "web"):
                # 20 concurrent clients for 20 s on loopback, over all communes x 3 years
                subprocess.run([sys.executable, str(ROOT / "benchmarks" / "web_load.py"), str(db)], check=True)
        if args.only in (None, "fetch"):
            bench_fetch(Path(tmp))
        if args.only in (None, "diagnose"):
            bench_diagnose(Path(tmp))
        if args.only in (None, "dumps"):  # >= 2 GB of generated hourly dumps, against zcat and mwviews
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "dumps_bench.py"), tmp], check=True)


if __name__ == "__main__":
    main()
