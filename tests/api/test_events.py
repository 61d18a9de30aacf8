"""Events over the API: create, register, schedule (dry run, apply), meetings, agendas (JSON
and iCalendar), replies, and who may see which agenda (exact statuses)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from icalendar import Calendar

from tests.api.conftest import Api

EVENT = {"id": "event:expo", "name": "Expo matchmaking", "venue": "Hall 2",
         "timezone": "Europe/Vienna", "date": "2026-03-29", "start": "01:00",
         "slot_minutes": 30, "slots": 6, "tables": 2}
ATTENDANCE = {
    "city:a": {"role": "city", "wants": ["prov:p", "mem:open"], "max_meetings": 3},
    "prov:p": {"role": "provider", "availability": [0, 1, 2, 3]},
    "mem:open": {"role": "expert", "availability": [1, 2, 3, 4, 5], "wants": ["city:b"]},
    "city:b": {"role": "city", "avoids": ["prov:q"]},
    "prov:q": {"role": "provider", "wants": ["city:b"]},
}


def _setup(api: Api) -> None:
    staff = api.as_("staff")
    assert api.client.post("/events", json=EVENT, headers=staff).status_code == 201
    for pid, body in ATTENDANCE.items():
        r = api.client.put(f"/events/event:expo/participants/{pid}", json=body, headers=staff)
        assert r.status_code == 200, r.text


def _schedule(api: Api, **params: Any) -> dict[str, Any]:
    r = api.client.post("/events/event:expo/schedule", params={"time_limit": 5, **params},
                        headers=api.as_("staff"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_schedule_dry_run_then_apply(api: Api) -> None:
    _setup(api)
    plan = _schedule(api)
    assert plan["applied"] is False
    pairs = {(m["a"], m["b"]) for m in plan["meetings"]}
    # every wish is met; the avoided pair is not
    assert {("city:a", "prov:p"), ("city:a", "mem:open"), ("city:b", "mem:open"),
            ("city:b", "prov:q")} - {("city:b", "prov:q")} <= pairs
    assert ("city:b", "prov:q") not in pairs
    assert plan["summary"]["below_min"] == [] and plan["summary"]["worst_count"] >= 1
    assert plan["summary"]["greedy_value"] > 0 and plan["summary"]["status"] == "optimal"
    assert len(plan["diff"]["added"]) == len(plan["meetings"])
    meetings = api.client.get("/events/event:expo/meetings", headers=api.as_("staff")).json()
    assert meetings["count"] == 0  # dry run: nothing stored
    applied = _schedule(api, apply="true")
    assert applied["applied"] is True
    stored = api.client.get("/events/event:expo/meetings", headers=api.as_("staff")).json()
    assert {(m["a"], m["b"], m["slot"], m["table"]) for m in stored["data"]} == \
        {(m["a"], m["b"], m["slot"], m["table"]) for m in applied["meetings"]}
    assert stored["fairness"]["participants"] == 5
    assert stored["fairness"]["meetings"] == stored["count"]
    # the same again changes nothing
    again = _schedule(api)
    assert again["diff"] == {"added": [], "moved": [], "removed": []}


def test_agenda_is_the_callers_own(api: Api) -> None:
    _setup(api)
    _schedule(api, apply="true")
    r = api.client.get("/events/event:expo/agenda", headers=api.as_("city"))
    assert r.status_code == 200
    body = r.json()
    assert body["participant"] == "city:a"
    assert {m["with"]["id"] for m in body["meetings"]} >= {"prov:p", "mem:open"}
    for m in body["meetings"]:
        start = dt.datetime.fromisoformat(m["start"])
        assert start.utcoffset() is not None
        assert m["table"] in (1, 2)
    # another participant's agenda: 403 for a participant, 200 for staff
    assert api.client.get("/events/event:expo/agenda", params={"participant": "prov:p"},
                          headers=api.as_("city")).status_code == 403
    assert api.client.get("/events/event:expo/agenda.ics", params={"participant": "prov:p"},
                          headers=api.as_("member")).status_code == 403
    staff = api.client.get("/events/event:expo/agenda", params={"participant": "prov:p"},
                           headers=api.as_("staff"))
    assert staff.status_code == 200 and staff.json()["participant"] == "prov:p"
    assert api.client.get("/events/event:expo/agenda",
                          headers=api.as_("staff")).status_code == 403


def test_agenda_ics_parses_back(api: Api) -> None:
    _setup(api)
    _schedule(api, apply="true")
    agenda = api.client.get("/events/event:expo/agenda", headers=api.as_("member")).json()
    r = api.client.get("/events/event:expo/agenda.ics", headers=api.as_("member"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    vevents = list(cal.walk("VEVENT"))
    assert len(vevents) == len(agenda["meetings"]) > 0
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Vienna"]
    by_uid = {str(v["UID"]).split(".")[0]: v for v in vevents}
    vienna = zoneinfo.ZoneInfo("Europe/Vienna")
    for m in agenda["meetings"]:
        v = by_uid[m["meeting"]]
        start = v.decoded("DTSTART")
        assert start == dt.datetime.fromisoformat(m["start"])
        assert start.tzinfo is not None and start.tzinfo.key == "Europe/Vienna"  # type: ignore[attr-defined]
        # 2026-03-29 is the switch to summer time in Vienna (02:00 -> 03:00): slots follow
        # each other in elapsed time from 01:00 CET, and the local offset changes with them
        slot0 = dt.datetime(2026, 3, 29, 1, 0, tzinfo=vienna)
        assert start.timestamp() == slot0.timestamp() + 1800 * m["slot"]
        assert start.utcoffset() == dt.timedelta(hours=1 if m["slot"] < 2 else 2)
        text = str(v["DESCRIPTION"])
        assert f"Table {m['table']}" in text and m["with"]["name"] in text
        for reason in m["reasons"]:
            assert reason in text
        assert str(v["SUMMARY"]) == f"Meeting with {m['with']['name']}"


def test_accept_decline_and_reschedule(api: Api) -> None:
    _setup(api)
    plan = _schedule(api, apply="true")
    mine = [m for m in plan["meetings"] if "city:a" in (m["a"], m["b"])]
    keep = next(m for m in mine if "prov:p" in (m["a"], m["b"]))
    drop = next(m for m in mine if "mem:open" in (m["a"], m["b"]))
    url = "/events/event:expo/meetings/"
    r = api.client.post(url + keep["id"], json={"verdict": "accept"}, headers=api.as_("city"))
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = api.client.post(url + drop["id"], json={"verdict": "decline"},
                        headers=api.as_("member"))
    assert r.status_code == 200 and r.json()["status"] == "declined"
    # not a party of the meeting: 404 (it is not in the caller's agenda)
    assert api.client.post(url + keep["id"], json={"verdict": "decline"},
                           headers=api.as_("member")).status_code == 404
    assert api.client.post(url + keep["id"], json={"verdict": "maybe"},
                           headers=api.as_("city")).status_code == 422
    again = _schedule(api, apply="true", min_meetings=2)
    after = {(m["a"], m["b"]): m for m in again["meetings"]}
    kept = after[(keep["a"], keep["b"])]
    assert (kept["slot"], kept["table"], kept["status"]) == \
        (keep["slot"], keep["table"], "accepted")
    assert (drop["a"], drop["b"]) not in after  # a declined meeting is not proposed again
    stored = api.client.get("/events/event:expo/meetings", headers=api.as_("staff")).json()
    statuses = {m["id"]: m["status"] for m in stored["data"]}
    assert statuses[drop["id"]] == "declined" and statuses[keep["id"]] == "accepted"


def test_drop_out_removes_proposed_meetings(api: Api) -> None:
    _setup(api)
    _schedule(api, apply="true")
    staff = api.as_("staff")
    assert api.client.delete("/events/event:expo/participants/prov:q",
                             headers=staff).status_code == 204
    assert api.client.delete("/events/event:expo/participants/prov:q",
                             headers=staff).status_code == 404
    stored = api.client.get("/events/event:expo/meetings", headers=staff).json()
    assert all("prov:q" not in (m["a"], m["b"]) for m in stored["data"])
    r = api.client.get("/events/event:expo/agenda", headers=api.as_("provider"))
    assert r.status_code == 200  # prov:p still attends


@pytest.mark.parametrize(("body", "field"), [
    ({**EVENT, "timezone": "Europe/Atlantis"}, "not an IANA time zone"),
    ({**EVENT, "date": "29.03.2026"}, "is not a date"),
    ({**EVENT, "slots": 0}, "slots"),
])
def test_bad_event_is_422_with_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    r = api.client.post("/events", json=body, headers=api.as_("staff"))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in r.text


def test_bad_attendance_is_422(api: Api) -> None:
    _setup(api)
    staff = api.as_("staff")
    r = api.client.put("/events/event:expo/participants/city:a", json={"availability": [6]},
                       headers=staff)
    assert r.status_code == 422 and "slot 6 does not exist" in r.json()["detail"]
    r = api.client.put("/events/event:expo/participants/sol:s", json={}, headers=staff)
    assert r.status_code == 422 and "only a City, Member or Provider" in r.json()["detail"]
    r = api.client.put("/events/event:nope/participants/city:a", json={}, headers=staff)
    assert r.status_code == 404
    assert api.client.post("/events", json=EVENT, headers=staff).status_code == 409


# (method, path, kwargs) -> exact status per role, after _setup and one applied schedule
EXACT: list[tuple[str, str, dict[str, Any], dict[str, int]]] = [
    ("POST", "/events", {"json": {**EVENT, "id": "event:two"}},
     {"admin": 201, "staff": 201, "city": 403, "member": 403, "provider": 403}),
    ("GET", "/events/event:expo", {},
     {"admin": 200, "staff": 200, "city": 403, "member": 403, "provider": 403}),
    ("PUT", "/events/event:expo/participants/city:b", {"json": {"role": "city"}},
     {"admin": 200, "staff": 200, "city": 403, "member": 403, "provider": 403}),
    ("POST", "/events/event:expo/schedule", {"params": {"time_limit": 2}},
     {"admin": 200, "staff": 200, "city": 403, "member": 403, "provider": 403}),
    ("GET", "/events/event:expo/meetings", {},
     {"admin": 200, "staff": 200, "city": 403, "member": 403, "provider": 403}),
    ("GET", "/events/event:expo/agenda", {},
     {"admin": 403, "staff": 403, "city": 200, "member": 200, "provider": 200}),
    ("GET", "/events/event:expo/agenda?participant=city:a", {},
     {"admin": 200, "staff": 200, "city": 200, "member": 403, "provider": 403}),
    ("GET", "/events/event:expo/agenda.ics?participant=mem:open", {},
     {"admin": 200, "staff": 200, "city": 403, "member": 200, "provider": 403}),
]


def test_exact_statuses_per_role(api: Api) -> None:
    _setup(api)
    _schedule(api, apply="true")
    for method, path, kwargs, expected in EXACT:
        assert api.client.request(method, path, **kwargs).status_code == 401, path
        for role, want in expected.items():
            got = api.client.request(method, path, headers=api.as_(role), **kwargs).status_code
            assert got == want, (method, path, role, got)
            if method == "POST" and path == "/events" and got == 201:
                api.store.delete_nodes(["event:two"])
