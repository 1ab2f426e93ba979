"""Load test of the web app: 20 concurrent clients for 20 s on loopback, p50/p95 and requests/s.

Usage: python benchmarks/web_load.py STORE.duckdb  (starts `belvedere serve` on a free port).
"""

from __future__ import annotations

import asyncio
import random
import socket
import statistics
import subprocess
import sys
import time

import duckdb
import httpx

CLIENTS = 20
SECONDS = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def load(base: str, paths: list[str]) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + SECONDS
    rng = random.Random(1)

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                r = await c.get(rng.choice(paths))
                latencies.append(time.perf_counter() - t0)
                errors += r.status_code >= 400

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return latencies, errors


def summary(name: str, lat: list[float], errors: int, target_ms: float) -> str:
    q = statistics.quantiles(lat, n=100)
    return (f"{name}: p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms (target <= {target_ms:.0f} ms), "
            f"{len(lat) / SECONDS:.1f} req/s, {errors} errors, {CLIENTS} clients x {SECONDS:.0f} s")  # fmt: skip


def main(db: str) -> None:
    con = duckdb.connect(db, read_only=True)
    pvd = [r[0] for r in con.execute("SELECT code FROM pvd ORDER BY code").fetchall()]
    # any commune: a random 5,000 of those with an article (most never asked before: rendered afresh)
    anyone = [r[0] for r in con.execute("SELECT DISTINCT commune_code FROM articles ORDER BY hash(commune_code) "
                                        "LIMIT 5000").fetchall()]  # fmt: skip
    con.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "belvedere.cli", "--db", db, "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        while True:
            try:
                if httpx.get(base + "/api/ranking?limit=1", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.perf_counter() - t0 > 300:
                raise SystemExit("the server did not start")
            time.sleep(0.1)  # a fine step: the start time is a target (< 2 s)
        print(f"web: server ready in {time.perf_counter() - t0:.1f} s (figures kept or computed)")
        lat, err = asyncio.run(load(base, ["/api/ranking?scope=pvd&limit=50"]))
        print("  " + summary("ranking API", lat, err, 150))
        if pvd:
            lat, err = asyncio.run(load(base, [f"/commune/{c}" for c in pvd]))
            print("  " + summary(f"commune page (random PVD of {len(pvd)})", lat, err, 150))
        lat, err = asyncio.run(load(base, [f"/commune/{c}" for c in anyone]))
        print("  " + summary(f"commune page (random commune of {len(anyone)})", lat, err, 150))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main(sys.argv[1])
