"""The README's Python example runs as written, against the public API only."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_usage_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python usage", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the Python usage section should hold one example"
    return blocks[0]


def test_python_usage_example_runs(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", python_usage_block()], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    scores = [line for line in lines if re.match(r"^\d\.\d{3} \S", line)]
    assert 1 <= len(scores) <= 3
    assert any(line.startswith("   - ") for line in lines)
    assert lines[-1] == "unknown id 'city:nowhere'"
    assert (tmp_path / "demo" / "tiny.db").is_file()
