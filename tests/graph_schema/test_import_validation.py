"""What an import refuses, line by line, the same way on both stores (issue 9, items 3-7,
11, 12): read limits, corrupt gzip, non-finite numbers, lone surrogates, reference nodes,
ids with a trailing newline and bad property names."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graph_schema.errors import InvalidInput, LimitExceeded
from graph_schema.interchange import ReadLimits, import_dataset
from graph_schema.schema import check_id
from graph_schema.store import GraphStore

MATCHMAKING = str(Path(sys.executable).parent / "matchmaking")  # the console script
TOPIC = {"id": "topic:ok", "label": "Topic", "name": "OK"}


def write_raw(path: Path, nodes: list[str], rels: tuple[str, ...] | list[str] = (), *,
              gz: bool = False) -> Path:
    """A dataset folder from raw JSONL lines (so that invalid JSON can be written)."""
    path.mkdir(parents=True, exist_ok=True)
    for stem, rows in (("nodes", nodes), ("relationships", list(rels))):
        data = "".join(r + "\n" for r in rows).encode("utf-8")
        if gz:
            (path / f"{stem}.jsonl.gz").write_bytes(gzip.compress(data))
        else:
            (path / f"{stem}.jsonl").write_bytes(data)
    return path


def line_errors(store: GraphStore, data: Path) -> dict[tuple[str, int], str]:
    before = store.counts(), store.generation()
    report = import_dataset(store, data)
    assert not report.ok and not report.written
    assert (store.counts(), store.generation()) == before  # nothing was written
    return {(e.file, e.line): e.message for e in report.errors}


def test_ids_are_matched_whole() -> None:
    with pytest.raises(InvalidInput, match="not a valid id"):
        check_id("topic:nl\n")
    assert check_id("topic:nl") == "topic:nl"


def test_id_with_trailing_newline_is_rejected(store: GraphStore, tmp_path: Path) -> None:
    data = write_raw(tmp_path / "d", [
        json.dumps(TOPIC),
        json.dumps({"id": "topic:nl\n", "label": "Topic", "name": "NL"}),
    ], [json.dumps({"type": "NEEDS", "from": "city:x\n", "to": "topic:ok"})])
    errors = line_errors(store, data)
    assert "is not a valid id" in errors[("nodes.jsonl", 2)]
    assert "is not a valid id" in errors[("relationships.jsonl", 1)]


@pytest.mark.parametrize("name", ["", "a b", "a`b'c\"", "_builtin", "x" * 65, "1st"])
def test_bad_property_names_are_rejected_in_validation(
    store: GraphStore, tmp_path: Path, name: str
) -> None:
    rel = {"type": "COVERS", "from": "sol:s", "to": "topic:ok", name: 1}
    data = write_raw(tmp_path / "d", [
        json.dumps(TOPIC),
        json.dumps({"id": "sol:s", "label": "Solution", "name": "S", "category": "living"}),
        json.dumps({"id": "topic:k", "label": "Topic", "name": "k", name: 1}),
    ], [json.dumps(rel)])
    errors = line_errors(store, data)
    assert set(errors) == {("nodes.jsonl", 3), ("relationships.jsonl", 1)}
    assert "property name" in errors[("nodes.jsonl", 3)] or "reserved" in errors[
        ("nodes.jsonl", 3)]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "[1, 1e999]"])
def test_non_finite_numbers_are_rejected(store: GraphStore, tmp_path: Path, value: str) -> None:
    data = write_raw(tmp_path / "d", [
        json.dumps(TOPIC),
        '{"id": "topic:inf", "label": "Topic", "name": "Inf", "x": ' + value + "}",
    ])
    errors = line_errors(store, data)
    assert "invalid JSON" in errors[("nodes.jsonl", 2)]


def test_lone_surrogate_is_a_line_error(store: GraphStore, tmp_path: Path) -> None:
    data = write_raw(tmp_path / "d", [
        json.dumps(TOPIC),
        '{"id": "topic:s", "label": "Topic", "name": "ok", "x": "\\udfff"}',
    ])
    errors = line_errors(store, data)
    assert "surrogate" in errors[("nodes.jsonl", 2)]


@pytest.mark.parametrize("node", [
    {"id": "kpi:EC:I:B:1A", "label": "KPI", "name": 12345},
    {"id": "kpi:EC:I:B:1A", "label": "KPI", "unit": 7},
    {"id": "kpi:SEC:1", "label": "KPI", "name": "x", "code": 7},
    {"id": "sdg:3", "label": "SDG", "name": 3},
    {"id": "sdg:3", "label": "SDG", "number": 99},
    {"id": "country:DK", "label": "Country", "name": ["Denmark"]},
    {"id": "country:DK", "label": "Country", "name": ""},
])
def test_reference_nodes_keep_their_property_types(
    store: GraphStore, tmp_path: Path, node: dict[str, Any]
) -> None:
    data = write_raw(tmp_path / "d", [json.dumps(TOPIC), json.dumps(node)])
    errors = line_errors(store, data)
    assert ("nodes.jsonl", 2) in errors and "property '" in errors[("nodes.jsonl", 2)]


def test_reference_nodes_accept_well_typed_additions(store: GraphStore, tmp_path: Path) -> None:
    data = write_raw(tmp_path / "d", [
        json.dumps({"id": "kpi:EC:I:B:1A", "label": "KPI", "local_name": "Bredbånd"}),
        json.dumps({"id": "sdg:3", "label": "SDG", "name": "Health", "number": 3}),
        json.dumps({"id": "country:DK", "label": "Country", "name": "Danmark"}),
    ])
    assert import_dataset(store, data).ok
    got = store.get_nodes(["kpi:EC:I:B:1A", "country:DK"])
    assert got["kpi:EC:I:B:1A"].props["local_name"] == "Bredbånd"
    assert isinstance(got["kpi:EC:I:B:1A"].props["name"], str)
    assert got["country:DK"].props["name"] == "Danmark"


CORRUPT_GZIP = bytes.fromhex("1f8b0800000000000003") + b"\xff" * 64


def test_corrupt_gzip_is_a_line_error(store: GraphStore, tmp_path: Path) -> None:
    data = write_raw(tmp_path / "d", [], [])
    (data / "nodes.jsonl").unlink()
    (data / "nodes.jsonl.gz").write_bytes(CORRUPT_GZIP)
    errors = line_errors(store, data)
    assert errors[("nodes.jsonl.gz", 1)].startswith("cannot read the file")


def test_corrupt_gzip_in_the_cli_is_one_line(tmp_path: Path) -> None:
    data = write_raw(tmp_path / "d", [], [])
    (data / "nodes.jsonl").unlink()
    (data / "nodes.jsonl.gz").write_bytes(CORRUPT_GZIP)
    out = subprocess.run([MATCHMAKING, "--store", f"sqlite:///{tmp_path / 's.db'}", "import",
                          str(data)], capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    lines = out.stderr.splitlines()
    assert len(lines) == 2 and "Traceback" not in out.stderr, out.stderr
    assert lines[0].startswith("nodes.jsonl.gz:1: cannot read the file")
    assert lines[1].startswith("error: 1 invalid lines; nothing was written")


def test_too_long_line_is_a_line_error_and_the_next_lines_are_read(
    store: GraphStore, tmp_path: Path
) -> None:
    long = json.dumps({"id": "topic:long", "label": "Topic", "name": "x" * 5000})
    data = write_raw(tmp_path / "d", [json.dumps(TOPIC), long, '{"id": "topic:b", '
                                      '"label": "Topic", "name": "B"}'], gz=True)
    limits = ReadLimits(max_line_bytes=1000)
    report = import_dataset(store, data, skip_invalid=True, limits=limits)
    assert [(e.line, e.message.split(";")[0]) for e in report.errors] == [
        (2, "line is longer than the limit of 1,000 bytes")
    ]
    assert report.nodes_written == 2 and report.written
    assert set(store.get_nodes(["topic:ok", "topic:b", "topic:long"])) == {"topic:ok", "topic:b"}
    # The same line fits a larger limit.
    assert import_dataset(store, data, limits=ReadLimits(max_line_bytes=5100)).ok


def test_file_over_the_byte_limit_stops_the_import(store: GraphStore, tmp_path: Path) -> None:
    data = write_raw(tmp_path / "d", [json.dumps({**TOPIC, "id": f"topic:{i}"})
                                      for i in range(200)])
    before = store.counts(), store.generation()
    with pytest.raises(LimitExceeded, match="larger than the import limit of 5,000 bytes"):
        import_dataset(store, data, limits=ReadLimits(max_file_bytes=5000))
    assert (store.counts(), store.generation()) == before


def _bomb(path: Path, mib: int) -> Path:
    """A dataset whose nodes file is a small gzip of ``mib`` MiB of "0" without a newline."""
    path.mkdir(parents=True)
    chunk = b"0" * 1024**2
    with gzip.open(path / "nodes.jsonl.gz", "wb", compresslevel=9) as fh:
        for _ in range(mib):
            fh.write(chunk)
    (path / "relationships.jsonl").write_bytes(b"")
    return path


def test_gzip_bomb_stays_within_bounded_memory(tmp_path: Path) -> None:
    """256 MiB on one line: the default line cap (16 MiB) keeps the peak RSS of the importing
    process far below the decompressed size (it needed 2.5 times that before)."""
    data = _bomb(tmp_path / "bomb", 256)
    assert (data / "nodes.jsonl.gz").stat().st_size < 1024**2
    # VmHWM is the peak RSS of this process image (ru_maxrss would include the pytest
    # process it was forked from).
    code = (
        "from graph_schema.interchange import import_dataset\n"
        "from graph_schema.sqlite_store import SQLiteStore\n"
        f"r = import_dataset(SQLiteStore({str(tmp_path / 's.db')!r}), {str(data)!r})\n"
        "print(r.errors[0].message.split(';')[0])\n"
        "hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM:')][0]\n"
        "print(int(hwm.split()[1]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, check=True)
    message, peak_kib = out.stdout.splitlines()
    assert message == "line is longer than the limit of 16,777,216 bytes"
    assert int(peak_kib) * 1024 < 128 * 1024**2, f"peak RSS {int(peak_kib) // 1024} MiB"


def test_cli_limits_are_configurable_and_errors_are_one_line(tmp_path: Path) -> None:
    data = _bomb(tmp_path / "bomb", 4)
    store = f"sqlite:///{tmp_path / 's.db'}"
    by_flag = subprocess.run([MATCHMAKING, "--store", store, "import", str(data),
                              "--max-file-bytes", "1000000"],
                             capture_output=True, text=True, timeout=120)
    assert by_flag.returncode == 2
    assert by_flag.stderr.strip().splitlines() == [
        "error: nodes.jsonl.gz is larger than the import limit of 1,000,000 bytes "
        "(decompressed); raise MATCHMAKING_IMPORT_MAX_FILE_BYTES or --max-file-bytes, "
        "or split the dataset"
    ]
    by_env = subprocess.run([MATCHMAKING, "--store", store, "import", str(data)],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ,
                                 "MATCHMAKING_IMPORT_MAX_LINE_BYTES": "1000"})
    assert by_env.returncode == 1
    assert by_env.stderr.splitlines()[0] == (
        "nodes.jsonl.gz:1: line is longer than the limit of 1,000 bytes; shorten it, or raise "
        "MATCHMAKING_IMPORT_MAX_LINE_BYTES or --max-line-bytes"
    )
