"""`make bench`: speed and memory figures, printed (targets are stated, never asserted in tests)."""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


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


def bench_demo(workdir: Path) -> None:
    db = workdir / "bench_demo.duckdb"
    cmd = [sys.executable, "-m", "belvedere.cli", "--db", str(db), "demo", "--years", "3", "--end", "2025-12-31"]
    pvd = SHARED / "pvd_communes_anct_carto_2021-01-22.csv"
    if pvd.exists():
        cmd += ["--pvd-file", str(pvd)]
    wall, peak, _ = run_measured(cmd)
    size = db.stat().st_size / 2**20
    print(
        f"demo (all communes x 3 years): wall {wall:.1f} s (target < 120 s), "
        f"peak RSS {peak:.0f} MiB (target < 4096 MiB), store {size:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["demo"], default=None)
    parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BELVEDERE_BENCH_DIR")) as tmp:
        bench_demo(Path(tmp))


if __name__ == "__main__":
    main()
