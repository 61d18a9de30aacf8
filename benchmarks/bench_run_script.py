"""``./scripts/run`` from a fresh clone, then again: seconds until the API answers.

Clones ``--rev`` (default HEAD) of this repository into a temporary folder, runs
``PORT=<free> ./scripts/run`` there and polls ``GET /health`` until it answers 200, then stops
the server; does the same a second time in the same clone (venv, demo data and store now
exist). pip's own cache (``~/.cache/pip``) is left as it is, so "cold" means a fresh clone
with a warm package cache. The time of each phase is read from the script's output.

    .venv/bin/python benchmarks/bench_run_script.py
    .venv/bin/python benchmarks/bench_run_script.py --rev 82a0763 --scale bsc
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serves(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def run_once(clone: Path, scale: str, timeout: float) -> tuple[float, list[tuple[float, str]]]:
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "DEMO_SCALE": scale}
    env.pop("MATCHMAKING_STORE", None)
    env.pop("VIRTUAL_ENV", None)
    started = time.perf_counter()
    log = (clone / f"run-{port}.log").open("w")
    proc = subprocess.Popen(["./scripts/run"], cwd=clone, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    lines: list[tuple[float, str]] = []
    seen = 0
    try:
        while not _serves(port):
            if proc.poll() is not None:
                raise SystemExit(f"./scripts/run exited {proc.returncode}:\n"
                                 + (clone / f"run-{port}.log").read_text()[-3000:])
            if time.perf_counter() - started > timeout:
                raise SystemExit("./scripts/run did not serve in time")
            text = (clone / f"run-{port}.log").read_text(errors="replace").splitlines()
            for line in text[seen:]:
                lines.append((time.perf_counter() - started, line))
            seen = len(text)
            time.sleep(0.1)
        took = time.perf_counter() - started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()
    return took, lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--scale", default="bsc")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--keep", action="store_true", help="keep the clone (its path is printed)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-run-"))
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", args.rev], check=True)
    rev = subprocess.run(["git", "-C", str(clone), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True, check=True).stdout.strip()
    try:
        results = []
        for name in ("cold (fresh clone, warm pip cache)", "warm (second run)"):
            load = os.getloadavg()[0]
            took, lines = run_once(clone, args.scale, args.timeout)
            results.append((name, took, load))
            print(f"# {name}: output lines with the second they appeared")
            for t, line in lines:
                if line.strip() and not line.startswith(" "):
                    print(f"#   {t:6.1f} s  {line[:100]}")
        print(f"| ./scripts/run at {rev}, DEMO_SCALE={args.scale} | until /health answers | "
              "load average at start |")
        print("|---|---:|---:|")
        for name, took, load in results:
            print(f"| {name} | {took:.1f} s | {load:.1f} |")
    finally:
        if args.keep:
            print(f"# clone kept in {clone}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
