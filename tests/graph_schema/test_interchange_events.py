"""smartcity-graph/1.1: events, attendance and meetings through import and export, on both
stores; strict FILE:LINE errors; version 1 files still import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph_schema.errors import InvalidInput
from graph_schema.interchange import export_dataset, import_dataset
from graph_schema.schema import Label, RelType
from graph_schema.store import GraphStore
from tests.graph_schema.test_interchange import NODES, RELS, write_dataset

EVENT = {"id": "event:expo", "label": "Event", "name": "Expo matchmaking",
         "venue": "Hall 2", "timezone": "Europe/Madrid", "date": "2026-11-18",
         "start": "10:00", "slot_minutes": 20, "slots": 6, "tables": 4}
MEETING = {"id": "mtg:1", "label": "Meeting", "slot": 2, "table": 3, "status": "accepted",
           "value": 1.25, "reasons": ["needs what it offers"]}
EVENT_NODES = [EVENT, MEETING]
EVENT_RELS = [
    {"type": "ATTENDS", "from": "city:aarhus", "to": "event:expo", "role": "city",
     "availability": [0, 1, 2, 5], "max_meetings": 4, "wants": ["prov:parkwise"]},
    {"type": "ATTENDS", "from": "prov:parkwise", "to": "event:expo", "avoids": ["m:ana"]},
    {"type": "HELD_AT", "from": "mtg:1", "to": "event:expo"},
    {"type": "MEETS", "from": "mtg:1", "to": "city:aarhus"},
    {"type": "MEETS", "from": "mtg:1", "to": "prov:parkwise"},
]


def _meta(path: Path, fmt: str) -> None:
    (path / "meta.json").write_text(json.dumps({"format": fmt}), encoding="utf-8")


def test_round_trip_with_events(store: GraphStore, tmp_path: Path) -> None:
    src = write_dataset(tmp_path / "in", NODES + EVENT_NODES, RELS + EVENT_RELS)
    _meta(src, "smartcity-graph/1.1")
    report = import_dataset(store, src)
    assert report.ok, report.errors
    attends = {r.src: r.props for r in store.iter_rels(RelType.ATTENDS)}
    assert attends["city:aarhus"]["availability"] == [0, 1, 2, 5]
    assert attends["prov:parkwise"] == {"avoids": ["m:ana"]}
    meeting = store.get_nodes(["mtg:1"])["mtg:1"]
    assert meeting.label is Label.MEETING and meeting.props["status"] == "accepted"
    assert {n.id for _, n in store.neighbours("mtg:1", RelType.MEETS)} == \
        {"city:aarhus", "prov:parkwise"}
    out = tmp_path / "out"
    export_dataset(store, out)
    assert json.loads((out / "meta.json").read_text())["format"] == "smartcity-graph/1.1"
    exported = [json.loads(x) for x in (out / "nodes.jsonl").read_text().splitlines()]
    assert EVENT in exported and MEETING in exported
    rels = [json.loads(x) for x in (out / "relationships.jsonl").read_text().splitlines()]
    for rel in EVENT_RELS:
        assert rel in rels
    # and back again, unchanged
    again = tmp_path / "again"
    import_dataset(store, out)
    export_dataset(store, again)
    for name in ("nodes.jsonl", "relationships.jsonl", "meta.json"):
        assert (again / name).read_bytes() == (out / name).read_bytes()


def test_version_1_files_still_import_and_export_as_1(store: GraphStore, tmp_path: Path) -> None:
    src = write_dataset(tmp_path / "in", NODES, RELS)
    _meta(src, "smartcity-graph/1")
    assert import_dataset(store, src).ok
    export_dataset(store, tmp_path / "out")
    assert json.loads((tmp_path / "out" / "meta.json").read_text())["format"] == \
        "smartcity-graph/1"


def _errors(store: GraphStore, tmp_path: Path, nodes: list[Any], rels: list[Any],
            fmt: str | None = "smartcity-graph/1.1") -> list[str]:
    src = write_dataset(tmp_path / "bad", NODES + nodes, RELS + rels)
    if fmt:
        _meta(src, fmt)
    report = import_dataset(store, src)
    assert not report.written and store.get_nodes(["event:expo", "city:aarhus"]) == {}
    return [str(e) for e in report.errors]


BASE_N = len(NODES)
BASE_R = len(RELS)


@pytest.mark.parametrize(("nodes", "rels", "expected"), [
    ([{**EVENT, "timezone": "Mars/Olympus"}], [],
     f"nodes.jsonl:{BASE_N + 1}: property 'timezone': 'Mars/Olympus' is not an IANA time zone"),
    ([{**EVENT, "date": "2026-02-30"}], [],
     f"nodes.jsonl:{BASE_N + 1}: property 'date': '2026-02-30' is not a calendar date"),
    ([{**EVENT, "start": "9:00"}], [],
     f"nodes.jsonl:{BASE_N + 1}: property 'start': '9:00' is not a time of day"),
    ([EVENT], [{**EVENT_RELS[0], "availability": [0, 6]}],
     f"relationships.jsonl:{BASE_R + 1}: property 'availability': slot 6 does not exist, "
     "the event has slots 0 to 5"),
    ([EVENT], [{**EVENT_RELS[0], "availability": [1, 1]}],
     f"relationships.jsonl:{BASE_R + 1}: property 'availability': 1 is listed twice"),
    ([EVENT], [{**EVENT_RELS[0], "max_meetings": 7}],
     f"relationships.jsonl:{BASE_R + 1}: property 'max_meetings': 7 is more than the event's "
     "6 slots"),
    ([EVENT], [{**EVENT_RELS[0], "wants": ["city:aarhus"]}],
     f"relationships.jsonl:{BASE_R + 1}: property 'wants' lists the participant itself"),
    ([EVENT], [{"type": "ATTENDS", "from": "sol:smart-parking", "to": "event:expo"}],
     f"relationships.jsonl:{BASE_R + 1}: ATTENDS must start at a City or Member or Provider, "
     "but 'sol:smart-parking' is a Solution"),
    ([EVENT, {**MEETING, "table": 5}], EVENT_RELS,
     f"relationships.jsonl:{BASE_R + 3}: property 'table': 5 does not exist, the event has "
     "tables 1 to 4"),
    ([EVENT, {**MEETING, "status": "maybe"}], EVENT_RELS,
     f"nodes.jsonl:{BASE_N + 2}: property 'status': Input should be 'proposed', 'accepted' "
     "or 'declined'"),
    ([EVENT, MEETING], EVENT_RELS[:4],
     f"nodes.jsonl:{BASE_N + 2}: meeting 'mtg:1' needs exactly one HELD_AT relationship and "
     "two MEETS relationships, it has 1 and 1"),
])
def test_bad_event_records_are_named(store: GraphStore, tmp_path: Path, nodes: list[Any],
                                     rels: list[Any], expected: str) -> None:
    errors = _errors(store, tmp_path, nodes, rels)
    assert any(e.startswith(expected) for e in errors), errors


def test_events_need_format_1_1(store: GraphStore, tmp_path: Path) -> None:
    errors = _errors(store, tmp_path, [EVENT], EVENT_RELS[:2], fmt="smartcity-graph/1")
    assert errors[0].startswith(f"nodes.jsonl:{BASE_N + 1}: events and meetings need format "
                                "'smartcity-graph/1.1'")
    with pytest.raises(InvalidInput, match="'smartcity-graph/2' is not supported"):
        _errors(store, tmp_path, [], [], fmt="smartcity-graph/2")


def test_availability_is_checked_against_an_event_in_the_store(store: GraphStore,
                                                               tmp_path: Path) -> None:
    first = write_dataset(tmp_path / "first", NODES + [EVENT], RELS)
    assert import_dataset(store, first).ok
    second = write_dataset(tmp_path / "second", [], [{**EVENT_RELS[0], "availability": [9]}])
    report = import_dataset(store, second)
    assert [str(e) for e in report.errors] == [
        "relationships.jsonl:1: property 'availability': slot 9 does not exist, the event has "
        "slots 0 to 5"]
