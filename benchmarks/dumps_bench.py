"""The dumps benchmark: two sets of generated hourly files (>= 2 GB uncompressed each; the real share of
fr/fr.m lines, then ten times it) ingested by DuckDB, against
`zcat FILE > /dev/null` (the practical limit) and, on the first set, the pure-Python `mwviews
aggregate` (PyPI mwviews==0.2.1) on the same files; throughput in MB/s of compressed input and lines/s, and peak
memory. Usage: python benchmarks/dumps_bench.py WORKDIR [--gb 2]
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# A small launcher runs the measured command and reports its peak RSS: measured from this process,
# a child forked while the generator's gigabyte is mapped would report that gigabyte as its own.
LAUNCHER = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)"
)


def measured(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """(seconds, peak RSS in MiB, result) of ``cmd``."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", LAUNCHER, *cmd], capture_output=True, text=True)
    seconds = time.perf_counter() - t
    peak = int(out.stderr.strip().splitlines()[-1]) / 1024
    return seconds, peak, out


# (label, fr_every): the real share of fr/fr.m lines (24 of the real excerpt's 1,000), then a
# stress set where a third of the lines are the project's (ten times the real share)
SETS = [("real share of fr/fr.m lines (~3 %)", 40), ("stress: a third of the lines on fr/fr.m", 3)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--gb", type=float, default=2.0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from belvedere.reference.load import load_reference
    from belvedere.store import Store

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    fresh = work / "fresh.duckdb"
    fresh.unlink(missing_ok=True)
    with Store(fresh) as store:
        load_reference(store)
        store.con.execute(
            "INSERT INTO articles (project, title, commune_code, verified, source) "
            "SELECT 'fr.wikipedia', replace(name, ' ', '_') || '_' || code, code, TRUE, 'wikidata' FROM communes"
        )
        titles = [r[0] for r in store.con.execute("SELECT title FROM articles ORDER BY title").fetchall()]
    mwviews = [
        run_set(work / f"set{n}", label, fr_every, titles, fresh, args.gb) for n, (label, fr_every) in enumerate(SETS)
    ]
    mwviews[0]()  # last: it takes minutes


def run_set(work: Path, label: str, fr_every: int, titles: list[str], fresh: Path,
            gb: float) -> Callable[[], None]:  # fmt: skip
    """Generates the set, measures zcat and belvedere on it; returns the mwviews measure, to run later."""
    from belvedere.sources.dumpgen import hourly_name, write_hourly

    dumps = work / "dumps"
    dumps.mkdir(parents=True, exist_ok=True)
    db = work / "dumps.duckdb"
    shutil.copy(fresh, db)
    t0 = time.perf_counter()
    files, raw = [], 0
    hour = 0
    while raw < gb * 1e9:  # 6 M lines of other pages per hour (~170 MB uncompressed)
        f = dumps / hourly_name(date(2025, 1, 1 + hour // 24), hour % 24)
        if not f.exists():  # deterministic: a workdir kept from an earlier run is reused
            day = date(2025, 1, 1 + hour // 24)
            write_hourly(dumps, day, hour % 24, titles, seed=11, filler=6_000_000, fr_every=fr_every)
        with gzip.open(f, "rb") as g:
            raw += sum(len(block) for block in iter(lambda g=g: g.read(1 << 24), b""))
        files.append(f)
        hour += 1
    gz = sum(f.stat().st_size for f in files)
    lines = sum(int(subprocess.run(f"zcat {f} | wc -l", shell=True, capture_output=True, text=True).stdout)
                for f in files)  # fmt: skip
    project = sum(int(subprocess.run(f"zcat {f} | grep -cE '^fr(\\.m)? '", shell=True, capture_output=True,
                                     text=True).stdout) for f in files)  # fmt: skip
    print(f"dumps, {label}: {len(files)} generated hourly files, {gz / 1e6:.0f} MB gzip, {raw / 1e9:.2f} GB "
          f"uncompressed, {lines / 1e6:.1f} M lines of which {project / lines:.1%} fr/fr.m "
          f"(generated in {time.perf_counter() - t0:.0f} s)", flush=True)  # fmt: skip

    def report(name: str, seconds: float, cores: int, extra: str = "") -> float:
        per_core = gz / 1e6 / seconds / cores
        print(f"  {name}: {seconds:.1f} s, {gz / 1e6 / seconds:.1f} MB/s gzip, {lines / seconds / 1e6:.2f} M lines/s, "
              f"{per_core:.1f} MB/s per core ({cores} core{'s' if cores > 1 else ''}){extra}", flush=True)  # fmt: skip
        return per_core

    t = time.perf_counter()
    for f in files:
        subprocess.run(f"zcat {f} > /dev/null", shell=True, check=True)
    zcat = report("zcat > /dev/null (one file at a time)", time.perf_counter() - t, 1)

    cores = os.cpu_count() or 1
    seconds, peak, out = measured([sys.executable, "-m", "belvedere.cli", "--db", str(db), "ingest", *map(str, files)])
    if out.returncode != 0:
        sys.exit(out.stderr[-2000:])
    ours = report("belvedere ingest (DuckDB)", seconds, cores, f", peak RSS {peak:.0f} MiB")
    print(f"    per core: {ours / zcat:.0%} of zcat (target >= 50 %)", flush=True)
    return lambda: peer(files, label, seconds, report)


def peer(files: list[Path], label: str, ours: float, report: Callable[..., float]) -> None:
    print(f"dumps, {label}: mwviews", flush=True)
    mwviews = shutil.which("mwviews") or str(Path(sys.executable).parent / "mwviews")
    mw, mw_peak, out = measured([mwviews, "aggregate", *map(str, files), "--projects=fr|fr.m", "--output=/dev/null"])
    if out.returncode != 0:
        sys.exit(out.stderr[-2000:])
    report("mwviews aggregate (pure Python, PyPI 0.2.1)", mw, 1, f", peak RSS {mw_peak:.0f} MiB")
    print(f"    belvedere ingest is {mw / ours:.1f}x faster than mwviews (target >= 10x)", flush=True)


if __name__ == "__main__":
    main()
