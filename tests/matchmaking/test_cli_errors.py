"""Every CLI command with bad arguments and bad paths: one line on stderr, no traceback, and a
non-zero exit (issue 9). ``export`` and ``demo-data`` to a path under a regular file used to
print a 30-line traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: The console script, as a user runs it.
MATCHMAKING = str(Path(sys.executable).parent / "matchmaking")

# (command words with {tmp}, {file}, {garbage}, {ok}, {data} placeholders; text of the error)
CASES: list[tuple[list[str], str]] = [
    (["--store", "sqlite:///{tmp}/nodir/x.db", "init"], "does not exist"),
    (["--store", "sqlite:///{garbage}", "stats"], "file is not a database"),
    (["--store", "ftp://x", "stats"], "unsupported store URL scheme 'ftp'"),
    (["--store", "bolt://127.0.0.1:1", "stats"], "cannot reach Neo4j"),
    (["--store", "sqlite:///{ok}", "stats", "--format", "xml"], "'xml' is not one of"),
    (["--store", "sqlite:///{ok}", "import", "{tmp}/missing"], "does not exist"),
    (["--store", "sqlite:///{ok}", "import", "{file}"], "does not exist"),
    (["--store", "sqlite:///{ok}", "import", "{data}", "--batch-size", "0"], "--batch-size"),
    (["--store", "sqlite:///{ok}", "export", "{file}/sub"], "Not a directory"),
    (["--store", "sqlite:///{ok}", "export", "{file}"], "File exists"),
    (["demo-data", "--scale", "tiny", "{file}/x"], "Not a directory"),
    (["demo-data", "--scale", "huge", "{tmp}/d"], "'huge' is not one of"),
    (["--store", "sqlite:///{ok}", "recommend", "nope", "city:x"], "'nope' is not one of"),
    (["--store", "sqlite:///{ok}", "recommend", "solutions", "city:nope"],
     "unknown city id 'city:nope'"),
    (["--store", "sqlite:///{ok}", "recommend", "solutions", "--batch", "{tmp}/missing.txt"],
     "cannot read"),
    (["--store", "sqlite:///{ok}", "recommend", "solutions", "city:x", "--k", "0"], "--k"),
    (["--store", "sqlite:///{tmp}/nodir/x.db", "examples"], "does not exist"),
    (["--store", "sqlite:///{ok}", "evaluate", "--test-fraction", "2"], "--test-fraction"),
    (["--store", "sqlite:///{ok}", "serve", "--port", "70000"], "--port"),
    (["--store", "sqlite:///{ok}", "keys", "create", "--role", "boss"], "'boss' is not one of"),
    (["--store", "sqlite:///{ok}", "keys", "create", "--role", "staff", "--expires", "soon"],
     "bad duration 'soon'"),
    (["--store", "sqlite:///{ok}", "keys", "create", "--role", "city", "--subject", "city:no"],
     "unknown city id 'city:no'"),
    (["--store", "sqlite:///{ok}", "keys", "revoke", "000000000000"], "unknown key id"),
    (["--store", "sqlite:///{garbage}", "keys", "list"], "file is not a database"),
    (["frobnicate"], "No such command 'frobnicate'"),
]


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("cli-errors")
    (tmp / "file").write_text("a regular file\n")
    (tmp / "garbage.db").write_bytes(bytes(range(256)) * 8)
    data = tmp / "data"
    data.mkdir()
    (data / "nodes.jsonl").write_text(
        '{"id": "topic:a", "label": "Topic", "name": "A"}\n'
        '{"id": "city:x", "label": "City", "name": "X", "country": "DK"}\n')
    (data / "relationships.jsonl").write_text("")
    ok = tmp / "ok.db"
    # a store with data, so that unknown ids are reported as such (an empty store says so first)
    assert _run(["--store", f"sqlite:///{ok}", "import", str(data)]).returncode == 0
    return {"tmp": str(tmp), "file": str(tmp / "file"), "garbage": str(tmp / "garbage.db"),
            "ok": str(ok), "data": str(data)}


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MATCHMAKING_STORE"}
    return subprocess.run([MATCHMAKING, *args], capture_output=True, text=True, timeout=120,
                          env=env, check=False)


@pytest.mark.parametrize(("args", "fragment"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_arguments_and_paths_give_one_line(
    places: dict[str, str], args: list[str], fragment: str
) -> None:
    proc = _run([a.format(**places) for a in args])
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]


def test_nothing_was_created_under_the_regular_file(places: dict[str, str]) -> None:
    assert Path(places["file"]).read_text() == "a regular file\n"
