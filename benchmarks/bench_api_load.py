"""Recommendation API under load: closed loop (wrk) and open loop (fixed arrival times).

Serves an existing store (``matchmaking serve --workers N``, rate limit off) and asks for
``GET /cities/{id}/recommendations/KIND`` rotating over *all* cities of the store:

- closed loop: ``wrk`` with C connections for S seconds (a Lua script rotates the paths);
- open loop: a small asyncio HTTP/1.1 client that sends request i at exactly
  ``t0 + i / RATE`` (on a pool of keep-alive connections, opening more when all are busy)
  and measures each latency from that scheduled time, so a slow server cannot hide its queue
  (wrk's closed loop measures its own queue instead). A connection idle for 4 s is not reused
  (the server closes idle keep-alive connections after 5 s); failed requests are listed on
  stderr.

Each phase starts on a warm server: every worker has built its engine, and one pass over
the paths has filled the result caches (a deployed server answers the same subjects again
and again). ``--cold`` skips that pass. Run it with a fresh ``--code`` checkout to compare
versions:

    .venv/bin/python benchmarks/bench_api_load.py --store sqlite:///./demo/bsc.db
    .venv/bin/python benchmarks/bench_api_load.py --repo .cache/before --label before
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The CLI of the checkout in the working directory (``-m matchmaking.cli`` would load the CLI
#: module twice under two names).
MM = [sys.executable, "-c", "import sys; from matchmaking.cli import main; main(sys.argv[1:])"]

LUA = """
paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Authorization"] = "%s"})
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(repo: Path, env: dict[str, str], *args: str) -> str:
    out = subprocess.run([*MM, *args], cwd=repo, env=env,
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"matchmaking {' '.join(args[:2])} failed: {out.stderr[-2000:]}")
    return out.stdout


#: A keep-alive connection idle this long is not reused: uvicorn closes idle connections after
#: 5 s (``timeout_keep_alive``), and a request written to a connection the server has just
#: closed fails with 0 bytes read (the 6 failed requests of an earlier run were exactly that).
KEEP_ALIVE_S = 4.0
Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter, float]


async def _get(host: str, port: int, path: str, auth: str, pool: list[Conn]) -> int:
    """One GET on a pooled keep-alive connection (or a new one); the connection goes back to
    the pool with the time it was last used."""
    now = time.monotonic()
    while pool:
        reader, writer, used = pool.pop()
        if now - used < KEEP_ALIVE_S and not reader.at_eof():
            break
        writer.close()  # stale: the server may have closed it already
    else:
        reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {auth}\r\n\r\n"
                 .encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    m = re.search(rb"(?i)content-length:\s*(\d+)", head)
    await reader.readexactly(int(m.group(1)) if m else 0)
    pool.append((reader, writer, time.monotonic()))
    return status


async def _open_loop(host: str, port: int, paths: list[str], auth: str, rate: float,
                     seconds: float) -> tuple[list[float], int, float]:
    pool: list[Conn] = []
    latencies: list[float] = []
    errors = 0
    loop = asyncio.get_running_loop()
    n = int(rate * seconds)
    t0 = loop.time() + 0.2

    async def one(i: int) -> None:
        nonlocal errors
        at = t0 + i / rate
        await asyncio.sleep(max(0.0, at - loop.time()))
        try:
            status = await _get(host, port, paths[i % len(paths)], auth, pool)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
            status = 0
            print(f"# request {i} (at {i / rate:.2f} s): {type(e).__name__}: {e}",
                  file=sys.stderr)
        latencies.append(loop.time() - at)
        if status != 200:
            errors += 1
            if status:
                print(f"# request {i}: HTTP {status}", file=sys.stderr)

    await asyncio.gather(*(one(i) for i in range(n)))
    took = loop.time() - t0
    for _, w, _ in pool:
        w.close()
    return latencies, errors, n / took


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000


def _wrk(base: str, paths_file: Path, auth: str, connections: int, seconds: int,
         tmp: Path) -> dict[str, float]:
    script = tmp / "rotate.lua"
    script.write_text(LUA % (paths_file, auth))
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
                          "--latency", "-s", str(script), base],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))

    def ms(v: str) -> float:
        m = re.fullmatch(r"([\d.]+)(us|ms|s)", v)
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)] if m \
            else float("nan")

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": ms(lat.get("50", "")), "p99": ms(lat.get("99", "")),
            "errors": float(non2xx.group(1)) if non2xx else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default="sqlite:///./demo/bsc.db")
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--label", default="this checkout")
    ap.add_argument("--kind", default="providers")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--rate", type=float, default=300.0)
    ap.add_argument("--cold", action="store_true", help="no cache-filling pass first")
    ap.add_argument("--no-cache", action="store_true",
                    help="MATCHMAKING_RESULT_CACHE=0: every request runs the engine")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")
    repo = args.repo.resolve()
    db = Path(args.store.removeprefix("sqlite:///")).resolve()
    store = f"sqlite:///{db}"
    with sqlite3.connect(db) as con:
        cities = [r[0] for r in con.execute("SELECT id FROM nodes WHERE label = 'City' "
                                            "ORDER BY id")]
    env = {**os.environ, "PYTHONPATH": str(repo), "MATCHMAKING_RATE_LIMIT": "0"}
    if args.no_cache:
        env["MATCHMAKING_RESULT_CACHE"] = "0"
    key = _cli(repo, env, "--store", store, "keys", "create", "--role", "staff", "--name",
               "bench").strip()
    auth = f"Bearer {key}"
    paths = [f"/cities/{c}/recommendations/{args.kind}" for c in cities]
    port = _free_port()
    host, base = "127.0.0.1", f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-api-load-") as t:
        tmp = Path(t)
        (tmp / "paths.txt").write_text("\n".join(paths) + "\n")
        log = (tmp / "serve.log").open("wb")
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*MM, "--store", store, "serve", "--port",
             str(port), "--workers", str(args.workers), "--no-access-log", "--log-level",
             "warning"], cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            ready = asyncio.run(_wait_ready(host, port, paths[0], auth, proc))
            print(f"# {args.label}: first answer after {ready - started:.1f} s", flush=True)
            if not args.cold:  # fill every worker's engine and cache
                warm = asyncio.run(_open_loop(host, port, paths * 2, auth, 200.0,
                                              2 * len(paths) / 200.0))
                print(f"# warm-up pass: {len(warm[0])} requests, {warm[1]} errors", flush=True)
            load0 = os.getloadavg()[0]
            closed = _wrk(base, tmp / "paths.txt", auth, args.connections, args.seconds, tmp)
            lat, errors, achieved = asyncio.run(
                _open_loop(host, port, paths, auth, args.rate, args.seconds))
            load1 = os.getloadavg()[0]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
    print(f"# {args.label}{' (result cache off)' if args.no_cache else ''}: {len(cities):,} "
          f"cities, kind {args.kind}, {args.workers} workers, "
          f"{os.cpu_count()} cpus, load average {load0:.1f} -> {load1:.1f}")
    print("| mode | req/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|")
    print(f"| closed loop, wrk -c {args.connections}, {args.seconds} s | {closed['rps']:.0f} | "
          f"{closed['p50']:.1f} | {closed['p99']:.1f} | {closed['errors']:.0f} |")
    print(f"| open loop, {args.rate:.0f} req/s for {args.seconds} s | {achieved:.0f} | "
          f"{_pct(lat, 0.5):.1f} | {_pct(lat, 0.99):.1f} | {errors} |")
    print(f"# open loop: median {statistics.median(lat) * 1000:.1f} ms, "
          f"max {max(lat) * 1000:.1f} ms over {len(lat)} requests")


async def _wait_ready(host: str, port: int, path: str, auth: str,
                      proc: subprocess.Popen[bytes]) -> float:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited")
        try:
            if await _get(host, port, path, auth, []) == 200:
                return time.perf_counter()
        except (OSError, asyncio.IncompleteReadError):
            pass
        await asyncio.sleep(0.3)
    raise SystemExit("the server did not answer within 300 s")


if __name__ == "__main__":
    main()
