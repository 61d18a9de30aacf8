"""Every docstring example is collected by the test run (``--doctest-modules`` over the four
packages, configured in pyproject.toml), not picked from a hand-kept list."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("graph_schema", "matchmaking", "scoring", "api")


def modules_with_examples() -> set[str]:
    out = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path.name != "__main__.py" and ">>> " in path.read_text(encoding="utf-8"):
                out.add(path.relative_to(ROOT).as_posix())
    return out


def test_every_module_with_examples_is_collected() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         *PACKAGES],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    collected = {line.split("::")[0] for line in proc.stdout.splitlines() if "::" in line}
    expected = modules_with_examples()
    assert {"scoring/pagerank.py", "matchmaking/engine.py", "matchmaking/kinds/__init__.py",
            "matchmaking/reports.py", "matchmaking/demo/__init__.py",
            "matchmaking/__init__.py"} <= expected
    assert collected == expected
