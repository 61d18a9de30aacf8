"""``matchmaking schedule`` and ``matchmaking agenda`` as real processes on the tiny demo
(which holds one event): dry run writes nothing, --apply stores, agendas in three formats,
one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar

from graph_schema.sqlite_store import SQLiteStore
from matchmaking.demo.event import EVENT_ID
from matchmaking.events import Events
from tests.matchmaking.test_cli import assert_one_line_error, run


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("events-cli")
    url = f"sqlite:///{root / 'm.db'}"
    assert run("demo-data", "--scale", "tiny", "--seed", "5", str(root / "demo")).returncode == 0
    proc = run("--store", url, "import", str(root / "demo"))
    assert proc.returncode == 0, proc.stderr
    return url


def _meetings(url: str) -> int:
    store = SQLiteStore(url.removeprefix("sqlite:///"))
    try:
        return len(Events(store).meetings(EVENT_ID))
    finally:
        store.close()


def test_schedule_dry_run_then_apply_then_agenda(store_url: str) -> None:
    proc = run("--store", store_url, "schedule", EVENT_ID, "--time-limit", "5",
               "--min-meetings", "2")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"event {EVENT_ID}: " in out and "greedy baseline:" in out
    assert "worst served:" in out and "dry run: nothing was written" in out
    assert _meetings(store_url) == 0

    proc = run("--store", store_url, "schedule", EVENT_ID, "--time-limit", "5", "--apply",
               "--format", "json")
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)  # nothing but JSON on stdout (no solver banner)
    assert plan["applied"] is True and plan["summary"]["meetings"] == len(plan["meetings"]) > 0
    assert _meetings(store_url) == len(plan["meetings"])

    someone = plan["meetings"][0]["a"]
    mine = [m for m in plan["meetings"] if someone in (m["a"], m["b"])]
    table = run("--store", store_url, "agenda", EVENT_ID, someone)
    assert table.returncode == 0 and f"agenda of {someone}" in table.stdout
    assert len([x for x in table.stdout.splitlines() if " table " in x]) == len(mine)

    as_json = json.loads(run("--store", store_url, "agenda", EVENT_ID, someone,
                             "--format", "json").stdout)
    assert [m["meeting"] for m in as_json["meetings"]] == [m["id"] for m in mine]
    ics = run("--store", store_url, "agenda", EVENT_ID, someone, "--format", "ics")
    cal = Calendar.from_ical(ics.stdout)
    assert len(list(cal.walk("VEVENT"))) == len(mine)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Madrid"]


def test_unknown_event_is_one_line(store_url: str, tmp_path: Path) -> None:
    assert_one_line_error(run("--store", store_url, "schedule", "event:nope"),
                          "no event with id 'event:nope'")
    assert_one_line_error(run("--store", store_url, "agenda", "event:nope", "city:x"),
                          "no event with id 'event:nope'")
