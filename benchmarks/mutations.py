"""Mutation re-run: would the engine and scoring tests catch 17 small, plausible bugs?

The tests audit (``tests-audit.md`` section 6) applied 15 mutations M1-M15; this script
re-applies them where the code lives now, plus M8b (the "covers your needs" reason names
topics the city does not need) and M13b (the audit's original form of M13, see below). Each
mutant is made in a temporary copy of the tracked tree (this checkout is never touched), and
the test subset of the audit runs against it, stopping at the first failure:

- ``tests/scoring``, ``tests/matchmaking -m "not neo4j"``, and the SQLite variants of
  ``tests/api/test_reports.py``, ``test_recommendations.py`` and ``test_authorization.py``;
- the targeted quality tests run first, alone (fast answers); if they pass, the whole subset
  runs with the pinned top-10 lists of the demo (``test_pinned_recommendations.py``) last: a
  mutant whose first failure is that pin was caught only by a change detector, which the
  table says.

A baseline run without mutation must pass first. Every mutation names the exact text it
replaces; if the code moved, the script stops and says which mutation to adapt.

Usage::

    .venv/bin/python benchmarks/mutations.py            # all mutations (15-40 min)
    .venv/bin/python benchmarks/mutations.py M1 M13     # some of them
    .venv/bin/python benchmarks/mutations.py --list     # what each one changes
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
#: fast, targeted tests first; the demo pins last (see the module docstring)
FIRST = ["tests/matchmaking/test_graded.py", "tests/matchmaking/test_training_leak.py",
         "tests/matchmaking/test_ppr_engine.py", "tests/matchmaking/test_engine.py",
         "tests/matchmaking/test_kinds.py"]
REST = ["tests/scoring", "tests/matchmaking", "tests/api/test_reports.py",
        "tests/api/test_recommendations.py", "tests/api/test_authorization.py"]
PINNED = "tests/matchmaking/test_pinned_recommendations.py"


@dataclass(frozen=True)
class Mutation:
    key: str
    what: str
    path: str
    old: str
    new: str


MUTATIONS = [
    Mutation("M1", "language feature inverted", "matchmaking/features.py",
             "return np.where(shared, 1.0, np.where(ka & kb, 0.0, 0.5))",
             "return np.where(shared, 0.0, np.where(ka & kb, 1.0, 0.5))"),
    Mutation("M2", "KPI direction inverted", "matchmaking/features.py",
             'get("direction") != "lower_is_better"', 'get("direction") == "lower_is_better"'),
    Mutation("M3", "declined feedback ignored", "matchmaking/engine.py",
             "blocked = set(snap.declined.get((kind, s), set()))", "blocked = set()"),
    Mutation("M4", "opted-out members become candidates", "matchmaking/training.py",
             "rows = rows[proj.open_to_matches[rows]]", "rows = rows"),
    Mutation("M5", "experts default need weight 0.4 -> 0.04", "matchmaking/kinds/members.py",
             '_DEFAULTS = {"need": 0.4,', '_DEFAULTS = {"need": 0.04,'),
    Mutation("M6", "21 instead of 20 similar cities", "matchmaking/features.py",
             "return top_k_weights(sim, NEIGHBOURS)",
             "return top_k_weights(sim, NEIGHBOURS + 1)"),
    Mutation("M7", "top-k pool size k-1", "matchmaking/engine.py",
             "pool_size = max(k, RECIPROCAL_POOL", "pool_size = max(k - 1, RECIPROCAL_POOL"),
    Mutation("M8", '"Covers your needs" lists the topics it covers, needed or not',
             "matchmaking/kinds/solutions.py",
             "t = ex.shared(fs.city_topic, s, fs.solution_topic, c)\n"
             '        return f"Covers your needs',
             "t = ex.row(fs.solution_topic, c)\n"
             '        return f"Covers your needs'),
    Mutation("M8b", '"Covers your needs" names a covered topic the city does not need first',
             "matchmaking/kinds/solutions.py",
             "t = ex.shared(fs.city_topic, s, fs.solution_topic, c)\n"
             '        return f"Covers your needs',
             "t = ex.shared(fs.city_topic, s, fs.solution_topic, c)\n"
             "        extra = np.setdiff1d(ex.row(fs.solution_topic, c), t)\n"
             "        t = np.concatenate([extra[:1], t]).astype(t.dtype) if t.size else t\n"
             '        return f"Covers your needs'),
    Mutation("M9", "reasons ordered weakest-first", "matchmaking/explain.py",
             "return (f not in WARM, not telling, -comps[f], f)",
             "return (f not in WARM, not telling, comps[f], f)"),
    Mutation("M10", "reciprocal uses the arithmetic mean", "matchmaking/engine.py",
             "hm = np.divide(2 * fwd * back, fwd + back,",
             "hm = np.divide((fwd + back) * (fwd + back) / 2, fwd + back,"),
    Mutation("M11", "query_seed drops the dangling mass", "scoring/pagerank.py",
             "                    xn[seed] += x[d].sum()\n", "                    pass\n"),
    Mutation("M12", "peer size rewards a size difference", "matchmaking/kinds/peers.py",
             '"size": log_size_similarity(', '"size": 1.0 - log_size_similarity('),
    Mutation("M13", "negative coefficients turned positive (the non-negative refit)",
             "scoring/combiner.py",
             "            if not self.non_negative or not np.any(c < 0):",
             "            c = np.abs(c)\n"
             "            if not self.non_negative or not np.any(c < 0):"),
    Mutation("M13b", "negative raw weights turned positive (training, the audit's M13 site)",
             "matchmaking/training.py", "raw = np.maximum(raw, 0.0)", "raw = np.abs(raw)"),
    Mutation("M14", "leave-link-out removed (nothing hidden from the training graph)",
             "matchmaking/training.py", "return hidden, _without_links(proj, pairs, hidden)",
             "return hidden, proj"),
    Mutation("M15", "features see the hidden positives", "matchmaking/training.py",
             "    fs = FeatureSpace(train)\n", "    fs = FeatureSpace(proj)\n"),
]


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return [f for f in out.splitlines() if (ROOT / f).is_file()]


def copy_tree(dest: Path, files: list[str]) -> None:
    for f in files:
        target = dest / f
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, target)


def apply(tree: Path, m: Mutation) -> None:
    path = tree / m.path
    text = path.read_text()
    n = text.count(m.old)
    if n != 1:
        sys.exit(f"error: {m.key}: the text to replace occurs {n} times in {m.path} "
                 f"(expected once): adapt the mutation to the current code")
    path.write_text(text.replace(m.old, m.new))


def run_tests(tree: Path, timeout: float) -> tuple[str, str, float]:
    """Run the subset in ``tree``: ``(outcome, first failing test, seconds)``.

    Two stages, both stopping at the first failure: the targeted tests alone (collecting
    the whole subset costs more than running them), then, if they pass, the whole subset.
    """
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("MATCHMAKING_TEST_NEO4J_URI", None)
    t0 = time.perf_counter()
    for paths in (FIRST, [*FIRST, *REST, PINNED]):
        args = [str(PYTHON), "-m", "pytest", *paths, "-m", "not neo4j", "-x", "-q", "-p",
                "no:cacheprovider", "--no-header", "-o", "addopts=-ra"]
        try:
            proc = subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout", "", time.perf_counter() - t0
        if proc.returncode == 0:
            continue
        failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", proc.stdout, flags=re.M)
        if failed:
            return "caught", failed[0], time.perf_counter() - t0
        tail = " ".join(proc.stdout.strip().splitlines()[-1:]
                        + proc.stderr.strip().splitlines()[-1:])
        return "error", tail[:120], time.perf_counter() - t0
    return "survived", "", time.perf_counter() - t0


def check_imports(tree: Path) -> None:
    """The copy must import its own packages, not this checkout's."""
    code = "import matchmaking, scoring; print(matchmaking.__file__); print(scoring.__file__)"
    out = subprocess.run([str(PYTHON), "-c", code], cwd=tree, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(tree)}, check=True).stdout
    for line in out.split():
        if not Path(line).resolve().is_relative_to(tree.resolve()):
            sys.exit(f"error: the copy imports {line}, not its own code")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("keys", nargs="*", help="mutations to run (default: all)")
    ap.add_argument("--list", action="store_true", help="list the mutations and exit")
    ap.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    ap.add_argument("--timeout", type=float, default=1200, help="seconds per run")
    a = ap.parse_args()
    chosen = [m for m in MUTATIONS if not a.keys or m.key in a.keys]
    if a.list:
        for m in chosen:
            print(f"{m.key}: {m.what} ({m.path})\n  - {m.old!r}\n  + {m.new!r}")
        return
    unknown = set(a.keys) - {m.key for m in MUTATIONS}
    if unknown:
        sys.exit(f"error: unknown mutations {sorted(unknown)}; see --list")
    files = tracked_files()
    started = dt.datetime.now(dt.UTC)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True).stdout.strip()
    dirty = _dirty()  # the tree is copied now: say what it was
    with tempfile.TemporaryDirectory(prefix="mutations-") as tmp:
        base = Path(tmp) / "tree"
        copy_tree(base, files)
        check_imports(base)
        for m in chosen:  # fail early if a mutation no longer applies
            apply_check = (base / m.path).read_text().count(m.old)
            if apply_check != 1:
                sys.exit(f"error: {m.key}: the text to replace occurs {apply_check} times in "
                         f"{m.path} (expected once): adapt the mutation to the current code")
        if not a.no_baseline:
            outcome, first, secs = run_tests(base, a.timeout)
            print(f"baseline: {outcome} {first} ({secs:.0f} s)", flush=True)
            if outcome != "survived":
                sys.exit("error: the unmutated tree fails its tests; fix that first")
        rows = []
        for m in chosen:
            tree = Path(tmp) / m.key
            shutil.copytree(base, tree)
            apply(tree, m)
            outcome, first, secs = run_tests(tree, a.timeout)
            shutil.rmtree(tree)
            if outcome == "caught" and first.startswith(PINNED):
                outcome = "caught (demo pin only)"
            rows.append((m, outcome, first, secs))
            print(f"{m.key}: {outcome} {first} ({secs:.0f} s)", flush=True)
    print(f"\n{started:%Y-%m-%d %H:%M} UTC, tree at {head}"
          f"{' + uncommitted changes' if dirty else ''}\n")
    print("| # | mutation | file | result | first failing test |")
    print("|---|---|---|---|---|")
    for m, outcome, first, _ in rows:
        print(f"| {m.key} | {m.what} | `{m.path}` | {outcome} | "
              f"{f'`{first}`' if first else ''} |")
    caught = sum(1 for _, o, _, _ in rows if o.startswith("caught"))
    print(f"\n{caught} of {len(rows)} mutants caught")


def _dirty() -> bool:
    return bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip())


if __name__ == "__main__":
    main()
