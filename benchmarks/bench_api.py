"""HTTP API throughput and latency with wrk (a benchmark, not a test).

Generates the demo ecosystem (default: bsc scale), imports it into each store, starts
``matchmaking serve --workers N`` on loopback, warms every worker up, then runs ``wrk`` with
C concurrent connections against:

- ``GET /cities/{id}/recommendations/providers`` (rotating over 200 cities),
- ``GET /cities/{id}`` (entity read, rotating),
- ``GET /solutions?limit=50`` (a list page).

Usage::

    .venv/bin/python benchmarks/bench_api.py                       # SQLite only
    .venv/bin/python benchmarks/bench_api.py --neo4j bolt://127.0.0.1:7687   # + Neo4j
    (needs wrk: apt-get install -y wrk; the Neo4j run imports into that database)

Prints one table row per (store, endpoint): requests/s, p50, p90, p99 latency.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
MM = str(Path(sys.executable).parent / "matchmaking")
LUA = """
paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Authorization"] = "%s"})
end
"""


def run(*args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse_ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", value)
    if not m:
        return float("nan")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    return float(m.group(1)) * scale


def wrk(url: str, paths: list[str], auth: str, connections: int, seconds: int,
        tmp: Path) -> dict[str, float]:
    paths_file = tmp / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = tmp / "rotate.lua"
    script.write_text(LUA % (paths_file, auth))
    out = run("wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",
              "-s", str(script), url)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p50": parse_ms(lat.get("50", "")),
        "p90": parse_ms(lat.get("90", "")),
        "p99": parse_ms(lat.get("99", "")),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def bench_store(store_url: str, data: Path, args: argparse.Namespace,
                tmp: Path) -> list[tuple[str, dict[str, float]]]:
    env = {**os.environ, "MATCHMAKING_RATE_LIMIT": "0"}
    t0 = time.perf_counter()
    run(MM, "--store", store_url, "import", str(data), env=env)
    print(f"  imported into {store_url} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    key = run(MM, "--store", store_url, "keys", "create", "--role", "staff",
              "--name", "bench", env=env).strip()
    auth = f"Bearer {key}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp / f"serve-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [MM, "--store", store_url, "serve", "--port", str(port), "--workers",
         str(args.workers), "--no-access-log", "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    try:
        h = {"Authorization": auth}
        with httpx.Client(base_url=base, timeout=120) as c:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if c.get("/ready").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("server did not start")
                time.sleep(0.3)
            cities = [x["id"] for x in c.get("/cities?limit=200", headers=h).json()["data"]]
            recs = [f"/cities/{x}/recommendations/providers" for x in cities]
            # warm every worker (engine projection, caches): many requests on new connections
            for path in recs[:40] * 2:
                with httpx.Client(base_url=base, timeout=120) as fresh:
                    r = fresh.get(path, headers=h)
                    assert r.status_code == 200, r.text
        rows = []
        for name, paths in (
            ("recommendations/providers", recs),
            ("GET /cities/{id}", [f"/cities/{x}" for x in cities]),
            ("GET /solutions?limit=50", ["/solutions?limit=50"]),
        ):
            rows.append((name, wrk(base, paths, auth, args.connections, args.seconds, tmp)))
        return rows
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="bsc")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--neo4j", default=None, help="also benchmark this Neo4j URI")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    with tempfile.TemporaryDirectory(prefix="bench-api-") as t:
        tmp = Path(t)
        data = tmp / "data"
        run(MM, "demo-data", str(data), "--scale", args.scale)
        stores = [] if args.no_sqlite else [f"sqlite:///{tmp / 'bench.db'}"]
        if args.neo4j:
            stores.append(args.neo4j)
        results = []
        for url in stores:
            kind = "sqlite" if url.startswith("sqlite") else "neo4j"
            for name, r in bench_store(url, data, args, tmp):
                results.append((kind, name, r))
    print(f"\nscale={args.scale} workers={args.workers} connections={args.connections} "
          f"duration={args.seconds}s cpus={os.cpu_count()}")
    print(f"{'store':<7} {'endpoint':<28} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} "
          f"{'p99 ms':>8} {'non-2xx':>8}")
    for kind, name, r in results:
        print(f"{kind:<7} {name:<28} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p90']:>8.1f} "
              f"{r['p99']:>8.1f} {r['errors']:>8.0f}")


if __name__ == "__main__":
    main()
