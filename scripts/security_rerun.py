"""Re-run the reproductions of the security review (issue 9) against a real server.

Starts ``matchmaking serve`` on a store filled with the small demo (seed 3, as in the review),
sends each finding's reproduction over real HTTP (and through the CLI where the finding is
about the CLI), and prints one Markdown row per finding: what the review saw, what happens
now, and whether that is still above Info. Exit status 1 if any finding still reproduces.

    .venv/bin/python scripts/security_rerun.py                      # SQLite in a temp folder
    .venv/bin/python scripts/security_rerun.py --store bolt://127.0.0.1:7687 --wipe   # Neo4j

``--wipe`` is required for a Neo4j store: the script deletes everything in it first.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
MM = str(Path(sys.executable).parent / "matchmaking")
Result = tuple[str, bool]  # (what happens now, still a problem above Info)


def cli(store: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([MM, "--store", store, *args], capture_output=True, text=True,
                         timeout=600, check=False)
    if check and out.returncode != 0:
        raise SystemExit(f"matchmaking {' '.join(args)} failed: {out.stderr.strip()}")
    return out


class Server:
    """``matchmaking serve`` as a subprocess on a free port."""

    def __init__(self, store: str, work: Path, **env: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = work / f"server-{self.port}.log"
        self.env = {**os.environ, "MATCHMAKING_WARM_ENGINE": "false",
                    "MATCHMAKING_IMPORT_DIR": str(work / "imports"), **env}
        self.store = store
        self.proc = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        fh = open(self.log, "ab")  # noqa: SIM115 - the child writes to it
        proc = subprocess.Popen([MM, "--store", self.store, "serve", "--port", str(self.port)],
                                stdout=fh, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return proc
            except httpx.HTTPError:
                time.sleep(0.2)
        raise SystemExit(f"server did not start; see {self.log}")

    def restart(self) -> None:
        self.proc = self._start()

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def rss_mb(self) -> float:
        return psutil.Process(self.proc.pid).memory_info().rss / 2**20


class Rerun:
    def __init__(self, store: str, work: Path) -> None:
        self.store, self.work = store, work
        self.neo4j = store.startswith(("bolt", "neo4j"))
        self.server = Server(store, work, MATCHMAKING_RATE_LIMIT="0")
        self.c = httpx.Client(base_url=self.server.base, timeout=120)
        self.keys: dict[str, dict[str, str]] = {}

    def key(self, name: str, role: str, subject: str | None = None) -> dict[str, str]:
        args = ["keys", "create", "--role", role, "--name", name]
        if subject:
            args += ["--subject", subject]
        token = cli(self.store, *args).stdout.strip()
        self.keys[name] = {"Authorization": f"Bearer {token}"}
        return self.keys[name]

    def ids(self, path: str, n: int) -> list[str]:
        r = self.c.get(path, params={"limit": n}, headers=self.keys["staff"])
        return [x["id"] for x in r.json()["data"]]

    def state(self) -> tuple[Any, int]:
        """(node and relationship counts, generation), read from the store itself."""
        from graph_schema.store import open_store

        store = open_store(self.store, create=False)
        try:
            counts = store.counts()
            return (counts.nodes, counts.rels), store.generation()
        finally:
            store.close()

    def wait_write_phase(self, timeout: float = 120) -> None:
        """Until an import is well into its write phase: SQLite's write lock is held (by
        the one import transaction), or a Neo4j transaction holds over 60,000 locks."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.neo4j:
                from neo4j import GraphDatabase

                with GraphDatabase.driver(self.store) as driver:
                    rec, _, _ = driver.execute_query(
                        "SHOW TRANSACTIONS YIELD activeLockCount "
                        "RETURN max(activeLockCount) AS m")
                if (rec[0]["m"] or 0) > 60_000:
                    return
            else:
                con = sqlite3.connect(self.store.removeprefix("sqlite:///"), timeout=0)
                try:
                    con.execute("BEGIN IMMEDIATE")
                    con.execute("ROLLBACK")
                except sqlite3.OperationalError:
                    time.sleep(0.5)  # locked: the import writes; let it get further
                    return
                finally:
                    con.close()
            time.sleep(0.05)
        raise RuntimeError("the import never reached its write phase")

    def upload(self, files: dict[str, bytes], who: str = "staff", **params: str
               ) -> httpx.Response:
        """POST /imports; an empty relationships file unless ``files`` has one."""
        files = {"relationships": b"", **files}
        return self.c.post("/imports", params=params, headers=self.keys[who],
                           files={k: (f"{k}.jsonl.gz" if v[:2] == b"\x1f\x8b" else
                                      f"{k}.jsonl", v) for k, v in files.items()})

    # ------------------------------------------------------------------ findings

    def f1_solution_takeover(self) -> Result:
        pa, pb = self.ids("/providers", 2)
        sol = self.ids("/solutions", 1)[0]
        a, b = self.key("prov-a", "provider", pa), self.key("prov-b", "provider", pb)
        assert self.c.put(f"/providers/{pb}/solutions/{sol}", json={"owner": True},
                          headers=self.keys["staff"]).status_code == 200
        put = self.c.put(f"/providers/{pa}/solutions/{sol}", json={}, headers=a).status_code
        patch = self.c.patch(f"/solutions/{sol}", json={"name": "Renamed by A"}, headers=a)
        owner = self.c.patch(f"/solutions/{sol}", json={"description": "by its owner"},
                             headers=b).status_code
        return (f"offer PUT {put}, PATCH by A {patch.status_code}, PATCH by owner B {owner}",
                patch.status_code != 403 or owner != 200)

    def f2_import_atomic(self) -> Result:
        n = 30_000
        nodes = [{"id": "sol:bulk", "label": "Solution", "name": "S", "category": "living"}]
        nodes += [{"id": f"topic:bulk-{i}", "label": "Topic", "name": f"T{i}"} for i in range(n)]
        rels = [{"type": "COVERS", "from": "sol:bulk", "to": f"topic:bulk-{i}"} for i in range(n)]
        files = {"nodes": _jsonl(nodes), "relationships": _jsonl(rels)}
        before = self.state()
        t = threading.Thread(target=lambda: _quiet(lambda: self.upload(files)), daemon=True)
        t.start()
        self.wait_write_phase()
        self.server.kill9()
        t.join(timeout=60)
        leftovers = list((self.work / "imports").glob("*"))
        self.server.restart()
        after = self.state()
        cleaned = not list((self.work / "imports").glob("*"))
        # (c) a name the store cannot take, after 6,000 good lines
        bad = nodes[:6001] + [{"id": "topic:bad", "label": "Topic", "name": "x", "": 1}]
        r = self.upload({"nodes": _jsonl(bad)})
        after_bad = self.state()
        self._temp_folder = (leftovers, cleaned)
        killed = "unchanged" if after == before else f"CHANGED {before} -> {after}"
        return (f"kill -9 mid-import: counts and generation {killed}; empty property name on "
                f"line 6,002: {r.status_code}, store "
                f"{'unchanged' if after_bad == before else 'CHANGED'}",
                after != before or after_bad != before or r.status_code != 422)

    def f3_gzip_bomb(self) -> Result:
        bomb = gzip.compress(b"0" * (512 * 2**20), compresslevel=9)
        rss0 = self.server.rss_mb()
        peak = [rss0]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], self.server.rss_mb())
                time.sleep(0.05)

        w = threading.Thread(target=watch, daemon=True)
        w.start()
        r = self.upload({"nodes": bomb})
        done.set()
        w.join()
        detail = r.json().get("detail", "")[:90]
        grew = peak[0] - rss0
        return (f"{len(bomb) / 2**20:.1f} MB upload of a 512 MiB line: {r.status_code} "
                f"({detail}); RSS +{grew:.0f} MB", r.status_code not in (413, 422) or grew > 256)

    def f4_infinity(self) -> Result:
        city = self.ids("/cities", 1)[0]
        h = self.key("city-a", "city", city)
        kpi = self.c.get("/kpis", params={"limit": 1}, headers=h).json()["data"][0]["id"]
        raw = {"content-type": "application/json", **h}
        codes = [
            self.c.put(f"/cities/{city}/kpis/{kpi}", content=b'{"value": Infinity}',
                       headers=raw).status_code,
            self.c.patch(f"/cities/{city}", content=b'{"budget_eur": 1e999}',
                         headers=raw).status_code,
            self.c.patch(f"/cities/{city}", content=b'{"x": [1, -Infinity]}',
                         headers=raw).status_code,
            self.c.patch(f"/cities/{city}", content=b'{"x": NaN}', headers=raw).status_code,
        ]
        kpis = self.c.get(f"/cities/{city}/kpis", headers=h).status_code
        out = self.work / "export"
        cli(self.store, "export", str(out))
        fresh = f"sqlite:///{self.work / 'roundtrip.db'}"
        cli(fresh, "init")
        back = cli(fresh, "import", str(out), check=False)
        return (f"Infinity/1e999/-Infinity/NaN: {codes}; GET kpis {kpis}; export -> import "
                f"into a fresh store: exit {back.returncode}",
                any(c != 422 for c in codes) or kpis != 200 or back.returncode != 0)

    def f5_surrogate(self) -> Result:
        prov = self.ids("/providers", 1)[0]  # provider A, whose key f1 made
        json_h = {"content-type": "application/json"}
        a = self.c.patch(f"/providers/{prov}", content=b'{"note": "\\udfff"}',
                         headers={**json_h, **self.keys["prov-a"]}).status_code
        b = self.c.post("/topics", content=b'{"id": "topic:s", "name": "ok", "x": "\\udfff"}',
                        headers={**json_h, **self.keys["staff"]}).status_code
        return f"PATCH {a}, POST /topics {b}", a != 422 or b != 422

    def f6_corrupt_gzip(self) -> Result:
        corrupt = bytes.fromhex("1f8b0800000000000003") + b"\xff" * 64
        r = self.upload({"nodes": corrupt})
        d = self.work / "corrupt"
        d.mkdir(exist_ok=True)
        (d / "nodes.jsonl.gz").write_bytes(corrupt)
        (d / "relationships.jsonl").write_bytes(b"")
        out = cli(self.store, "import", str(d), check=False)
        lines = out.stderr.strip().splitlines()  # the line error, then the summary
        return (f"API {r.status_code}; CLI exit {out.returncode}, no traceback: "
                f"{lines[0][:60] if lines else ''}",
                r.status_code != 422 or out.returncode == 0 or "Traceback" in out.stderr
                or not lines or "cannot read the file" not in lines[0])

    def f7_reference_nodes(self) -> Result:
        kpi = self.c.get("/kpis", params={"limit": 1}, headers=self.keys["staff"]).json()
        kid = kpi["data"][0]["id"]
        codes = [self.upload({"nodes": _jsonl([row])}).status_code for row in (
            {"id": kid, "label": "KPI", "name": 12345},
            {"id": "kpi:SEC:1", "label": "KPI", "name": "x", "code": 7},
            {"id": "sdg:3", "label": "SDG", "name": 3})]
        reads = [self.c.get(p, headers=self.keys["staff"]).status_code
                 for p in ("/kpis", "/sdgs")]
        return (f"imports {codes}; GET /kpis, /sdgs {reads}",
                codes != [422] * 3 or reads != [200] * 2)

    def f8_hidden_member(self) -> Result:
        h = self.keys["city-a"]
        city = self.ids("/cities", 1)[0]
        assert self.c.post("/members", json={"id": "member:sec-hidden", "name": "Hidden",
                                             "open_to_matches": False},
                           headers=self.keys["staff"]).status_code == 201
        out = []
        for mid in ("member:sec-hidden", "member:sec-unknown"):
            fb = self.c.post("/feedback", headers=h, json={
                "subject": city, "candidate": mid, "kind": "experts", "verdict": "not_relevant"})
            link = self.c.put(f"/cities/{city}/needs/{mid}", json={}, headers=h)
            out.append((fb.status_code, fb.json().get("detail", "").replace(mid, "ID"),
                        link.status_code, link.json().get("detail", "").replace(mid, "ID")))
        same = out[0] == out[1]
        return (f"hidden vs unknown: feedback {out[0][0]}/{out[1][0]}, link {out[0][2]}/"
                f"{out[1][2]}, messages {'identical' if same else 'DIFFER'}",
                not same or out[0][0] != 404)

    def f9_key_outlives_subject(self) -> Result:
        staff = self.keys["staff"]
        body = {"id": "city:sec-victim", "name": "Victim", "country": "DK"}
        assert self.c.post("/cities", json=body, headers=staff).status_code == 201
        old = self.key("victim", "city", "city:sec-victim")
        first = self.c.patch("/cities/city:sec-victim", json={"population": 1}, headers=old)
        self.c.delete("/cities/city:sec-victim", headers=staff)
        self.c.post("/cities", json=body, headers=staff)
        r = self.c.patch("/cities/city:sec-victim", json={"population": 2}, headers=old)
        return (f"before delete {first.status_code}; after delete and re-create {r.status_code}",
                r.status_code != 401)

    def f10_privacy_freshness(self) -> Result:
        city = self.ids("/cities", 1)[0]
        h = self.keys["city-a"]

        def experts() -> list[str]:
            r = self.c.get(f"/cities/{city}/recommendations/experts", headers=h)
            return [x["id"] for x in r.json()["data"]]

        top = experts()
        if not top:
            return "no expert recommended for the city: nothing to hide", False
        assert self.c.patch(f"/members/{top[0]}", json={"open_to_matches": False},
                            headers=self.keys["staff"]).status_code == 200
        t0 = time.monotonic()
        gone = top[0] not in experts()
        took = time.monotonic() - t0
        return (f"opted-out rank-1 expert {'absent' if gone else 'STILL PRESENT'} from the "
                f"very next request ({took * 1000:.0f} ms)", not gone)

    def f11_newline_id(self) -> Result:
        r = self.upload({"nodes": _jsonl([{"id": "topic:nl\n", "label": "Topic",
                                           "name": "NL"}])})
        g = self.c.get("/topics/topic:nl%0A", headers=self.keys["staff"]).status_code
        return f"import {r.status_code}; GET topic:nl%0A {g}", r.status_code != 422 or g == 200

    def f12_property_names(self) -> Result:
        before = self.state()
        rows = [{"id": "topic:k", "label": "Topic", "name": "k", "": 1},
                {"id": "topic:k2", "label": "Topic", "name": "k", "a b`c'\"": 2},
                {"id": "topic:k3", "label": "Topic", "name": "k", "x" * 5000: 3},
                {"id": "topic:k4", "label": "Topic", "name": "k", "_builtin": True}]
        r = self.upload({"nodes": _jsonl(rows)})
        errors = [e.get("message", "")[:40] for e in r.json().get("errors", [])]
        return (f"import {r.status_code} ({len(errors)} line errors, e.g. {errors[:1]}), store "
                f"{'unchanged' if self.state() == before else 'CHANGED'}",
                r.status_code != 422 or self.state() != before)

    def f13_sqlite_lock(self) -> Result:
        if self.neo4j:
            return "not applicable to Neo4j", False
        db = self.store.removeprefix("sqlite:///")
        con = sqlite3.connect(db, timeout=1, isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        staff = self.keys["staff"]
        try:
            out: dict[str, Any] = {}
            t = threading.Thread(target=lambda: out.update(r=self.c.post(
                "/topics", json={"id": "topic:locked", "name": "L"}, headers=staff)))
            t.start()
            time.sleep(1)
            reads: list[int] = []
            while t.is_alive() and len(reads) < 60:
                reads.append(self.c.get("/topics", params={"limit": 1},
                                        headers=staff).status_code)
                time.sleep(0.2)
            t.join()
        finally:
            con.execute("ROLLBACK")
            con.close()
        after = [self.c.get("/topics", params={"limit": 1}, headers=staff).status_code
                 for _ in range(5)]
        w = out["r"]
        return (f"write {w.status_code} Retry-After {w.headers.get('retry-after')}; reads "
                f"meanwhile {sorted(set(reads))}, right after {sorted(set(after))}",
                w.status_code != 503 or set(reads + after) != {200})

    def f14_temp_folder(self) -> Result:
        if not hasattr(self, "_temp_folder"):
            return "needs finding 2 (its kill -9) in the same run", True
        leftovers, cleaned = self._temp_folder
        return (f"after kill -9 mid-import: {len(leftovers)} upload folder(s) left; "
                f"{'removed' if cleaned else 'STILL THERE'} at the next start",
                not cleaned)

    def f15_log_redaction(self) -> Result:
        self.c.get("/members/victim%40example.org", headers=self.keys["staff"])
        self.c.get("/members/victim%2540example.org", headers=self.keys["staff"])
        text = self.server.log.read_text(errors="replace")
        leaked = [s for s in ("victim%40example", "victim%2540example", "victim@example")
                  if s in text]
        secret = any(v["Authorization"].split()[1] in text for v in self.keys.values())
        return (f"access log: {'leaks ' + str(leaked) if leaked else 'e-mails redacted'}; "
                f"key secrets in the log: {secret}", bool(leaked) or secret)

    def f16_conformance(self) -> Result:
        h = self.keys["staff"]
        allow = self.c.put("/cities", headers=h).headers.get("allow")
        bad = self.c.post("/topics", content=b"\xff not json",
                          headers={**h, "content-type": "application/json"}).status_code
        documented = "400" in self.c.get("/openapi.json").json()["paths"]["/topics"]["post"][
            "responses"]
        aa = self.c.get("/cities", params={"country": "AA"}, headers=h).status_code
        null = self.c.post("/cities", headers=h, json={"id": "city:nully", "name": "N",
                                                       "country": "DK", "population": None})
        return (f"405 Allow: {allow}; 400 {bad}, documented {documented}; country=AA {aa} "
                f"(not in the schema's enum); null in a create body {null.status_code}; "
                "full run: tests/api/test_schemathesis.py",
                allow != "GET, POST" or not documented or null.status_code != 201)

    def f17_info(self) -> Result:
        h = {**self.keys["staff"], "content-type": "application/json"}

        def chunks() -> Any:
            for _ in range(40):
                yield b" " * 2**16

        r = self.c.post("/topics", content=chunks(), headers=h)
        expiring = cli(self.store, "keys", "create", "--role", "staff", "--expires", "1m")
        return (f"chunked 2.5 MB body: {r.status_code} type "
                f"{r.json().get('type')}; keys create --expires: exit {expiring.returncode}; "
                "unauthenticated requests are still not rate-limited (Info)", False)


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def _quiet(fn: Callable[[], object]) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server was killed under the request
        fn()


THEN = {
    1: "PUT 200 then PATCH 200: any provider edits any solution",
    2: "kill -9 left 15k of 30k nodes; write-time clash 409 after 25k; Neo4j kept a batch",
    3: "0.5 MB upload took RSS from 272 MB to 1.5 GB",
    4: "Infinity stored as null; GET kpis 500; export->import failed",
    5: "500 (surrogates not allowed)",
    6: "API 500; CLI zlib.error traceback",
    7: "import 200, then /kpis 500 for everyone",
    8: "feedback 201 vs 404; link 422 naming the label",
    9: "old key PATCHed the re-created city: 200",
    10: "opted-out member in recommendations for 5.6-9.1 s",
    11: "topic:nl\\n imported (200) and readable",
    12: "SQLite accepted bad names; Neo4j failed mid-import (500)",
    13: "write 503 after 10 s, then reads 503 for ~1 s (breaker)",
    14: "mm-import-* folder (8.4 MB) left behind",
    15: "access log showed victim%40example.org",
    16: "ST205 x19, ST103 x15, ST202 x24",
    17: "Info: double tracebacks, 413 type for chunked, no key expiry, no unauth. rate limit",
}
SEVERITY = {1: "Medium", 2: "Medium", 3: "Medium", 4: "Medium", 15: "Info", 16: "Info",
            17: "Info"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="store URL (default: a fresh SQLite file)")
    ap.add_argument("--wipe", action="store_true", help="empty the Neo4j store first")
    ap.add_argument("--only", type=int, nargs="*", help="finding numbers to run")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mm-rerun-"))
    store = args.store or f"sqlite:///{work / 'sec.db'}"
    if store.startswith(("bolt", "neo4j")):
        if not args.wipe:
            raise SystemExit("a Neo4j store is wiped first: pass --wipe to agree")
        from neo4j import GraphDatabase

        with GraphDatabase.driver(store) as driver, driver.session() as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS").consume()
    cli(store, "demo-data", "--scale", "small", "--seed", "3", str(work / "demo"))
    cli(store, "init")
    cli(store, "import", str(work / "demo"))
    run = Rerun(store, work)
    run.key("staff", "staff")
    findings = [m for m in dir(run) if m.startswith("f") and m[1:].split("_")[0].isdigit()]
    findings.sort(key=lambda m: int(m[1:].split("_")[0]))
    print(f"Store {store.split('://')[0]}, small demo (seed 3); "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print("| # | sev (review) | then | now | still above Info? |\n|---|---|---|---|---|")
    failed = 0
    try:
        for name in findings:
            n = int(name[1:].split("_")[0])
            if args.only and n not in args.only:
                continue
            try:
                now, bad = getattr(run, name)()
            except Exception as e:  # noqa: BLE001 - report and go on
                now, bad = f"reproduction failed to run: {type(e).__name__}: {e}", True
            failed += bad
            sev = SEVERITY.get(n, "Low")
            print(f"| {n} | {sev} | {THEN[n]} | {now} | {'**yes**' if bad else 'no'} |",
                  flush=True)
    finally:
        run.c.close()
        run.server.stop()
    print(f"\n{failed} finding(s) still reproduce; server log and data in {work}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
