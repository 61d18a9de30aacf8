"""Matchmaking events: participants, 1:1 meeting schedules, agendas (see matchmaking.events).

====================================================  =================================
route                                                 who
====================================================  =================================
``POST /events``, ``GET /events/{id}``                staff
``PUT/DELETE /events/{id}/participants/{pid}``        staff
``POST /events/{id}/schedule`` (dry run unless        staff
``apply=true``)
``GET /events/{id}/meetings``                         staff
``GET /events/{id}/agenda`` and ``agenda.ics``        a participant's key: its own agenda;
                                                      staff: any, with ``?participant=``
``POST /events/{id}/meetings/{mid}``                  a party of the meeting (or staff)
====================================================  =================================

A participant key is a city, member or provider key whose subject attends the event. Asking
for another participant's agenda is 403; a meeting that is not the caller's is 404.
"""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from graph_schema.errors import NotFound
from graph_schema.events import MAX_SLOTS, MAX_TABLES
from matchmaking.events import Events

from ..auth import Principal, forbidden, require_staff
from ..deps import EngineDep, PrincipalDep, StoreDep
from ..errors import problem_responses

router = APIRouter(prefix="/events", tags=["events"],
                   responses=problem_responses(401, 403, 404, 422, 429, 503))

#: The time zones an event may name (what ``graph_schema.events.check_timezone`` accepts), so
#: that the schema says exactly which values are valid.
TIME_ZONES = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")

Id = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]
IdPath = Annotated[str, Path(max_length=128)]


class EventCreate(BaseModel):
    """A new event: a day of ``slots`` slots of ``slot_minutes`` from ``start``, local time."""

    model_config = ConfigDict(extra="forbid")

    id: Id
    name: Annotated[str, Field(min_length=1, max_length=500)]
    timezone: Annotated[str, Field(description="IANA time zone, e.g. Europe/Vienna",
                                   max_length=64, json_schema_extra={"enum": TIME_ZONES})]
    date: Annotated[str, Field(description="YYYY-MM-DD", max_length=10,
                               json_schema_extra={"format": "date"})]
    start: Annotated[str, Field(description="start of slot 0, HH:MM", max_length=5,
                                pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    slot_minutes: Annotated[int, Field(ge=5, le=240)]
    slots: Annotated[int, Field(ge=1, le=MAX_SLOTS)]
    tables: Annotated[int, Field(ge=1, le=MAX_TABLES)]
    venue: Annotated[str, Field(max_length=500)] | None = None
    description: Annotated[str, Field(max_length=10_000)] | None = None


class EventPublic(BaseModel):
    id: str
    props: dict[str, Any]


class Attendance(BaseModel):
    """How a participant attends: role, free slots (all if omitted), cap and wishes."""

    model_config = ConfigDict(extra="forbid")

    role: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    availability: Annotated[list[Annotated[int, Field(ge=0, lt=MAX_SLOTS)]],
                            Field(max_length=MAX_SLOTS)] | None = None
    max_meetings: Annotated[int, Field(ge=0, le=MAX_SLOTS)] | None = None
    wants: Annotated[list[Id], Field(max_length=200)] | None = None
    avoids: Annotated[list[Id], Field(max_length=200)] | None = None


class AttendancePublic(Attendance):
    model_config = ConfigDict(extra="allow")

    event: str
    participant: str


class MeetingPublic(BaseModel):
    id: str
    a: str
    b: str
    slot: int
    table: int
    status: str
    value: float
    reasons: list[str]


class MeetingsPublic(BaseModel):
    data: list[MeetingPublic]
    count: int
    fairness: dict[str, Any]


class Party(BaseModel):
    id: str
    label: str
    name: str


class AgendaItem(BaseModel):
    meeting: str
    slot: int
    table: int
    status: str
    start: str
    end: str
    with_: Annotated[Party | None, Field(alias="with")] = None
    value: float
    reasons: list[str]

    model_config = ConfigDict(populate_by_name=True)


class AgendaPublic(BaseModel):
    event: str
    participant: str
    meetings: list[AgendaItem]


class Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Literal["accept", "decline"]


def _attends(events: Events, event_id: str, pid: str) -> bool:
    return any(n.id == pid for _, n in events.participants(event_id))


def _whose(principal: Principal, events: Events, event_id: str,
           participant: str | None) -> str:
    """The participant whose agenda the caller may read (403 for anyone else's)."""
    if principal.is_staff:
        if participant is None:
            raise forbidden("staff keys must name the agenda: add ?participant=ID")
        events.event(event_id)
        return participant
    if participant is not None and not principal.is_self(participant):
        raise forbidden("a participant key may only read its own agenda")
    pid = principal.subject
    if pid is None or not _attends(events, event_id, pid):
        raise NotFound(f"'{pid}' does not attend event {event_id!r}")
    return pid


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EventPublic,
             summary="Create an event", responses=problem_responses(409))
def create_event(principal: PrincipalDep, store: StoreDep, body: EventCreate) -> EventPublic:
    require_staff(principal)
    props = body.model_dump(exclude_none=True, exclude={"id"})
    node = Events(store).create_event(body.id, props)
    return EventPublic(id=node.id, props=node.props)


@router.get("/{event_id}", response_model=EventPublic, summary="Read an event")
def read_event(principal: PrincipalDep, store: StoreDep, event_id: IdPath) -> EventPublic:
    require_staff(principal)
    node = Events(store).event(event_id)
    return EventPublic(id=node.id, props=node.props)


@router.put("/{event_id}/participants/{pid}", response_model=AttendancePublic,
            summary="Register a participant (or replace its attendance)")
def put_participant(principal: PrincipalDep, store: StoreDep, event_id: IdPath, pid: IdPath,
                    body: Attendance) -> AttendancePublic:
    require_staff(principal)
    rel = Events(store).set_participant(event_id, pid, body.model_dump(exclude_none=True))
    return AttendancePublic(event=event_id, participant=pid, **rel.props)


@router.delete("/{event_id}/participants/{pid}", status_code=status.HTTP_204_NO_CONTENT,
               summary="A participant drops out (its meetings that are not accepted go)")
def delete_participant(principal: PrincipalDep, store: StoreDep, event_id: IdPath,
                       pid: IdPath) -> Response:
    require_staff(principal)
    if not Events(store).remove_participant(event_id, pid):
        raise NotFound(f"'{pid}' does not attend event {event_id!r}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{event_id}/schedule", summary="Plan the meetings (dry run unless apply=true)",
             response_model=dict[str, Any])
def schedule_event(
    principal: PrincipalDep, store: StoreDep, engine: EngineDep, event_id: IdPath,
    apply: bool = False,
    time_limit: Annotated[float, Query(gt=0, le=120)] = 10.0,
    min_meetings: Annotated[int, Query(ge=0, le=MAX_SLOTS)] = 1,
) -> dict[str, Any]:
    require_staff(principal)
    events = Events(store)
    plan = events.plan(event_id, engine, time_limit=time_limit, min_meetings=min_meetings)
    if apply:
        events.apply(plan)
    return {**plan.to_json(), "applied": apply}


@router.get("/{event_id}/meetings", response_model=MeetingsPublic,
            summary="All meetings of an event")
def list_meetings(principal: PrincipalDep, store: StoreDep, event_id: IdPath) -> MeetingsPublic:
    require_staff(principal)
    events = Events(store)
    events.event(event_id)
    data = [MeetingPublic(**m.to_json()) for m in events.meetings(event_id)]
    return MeetingsPublic(data=data, count=len(data), fairness=events.fairness(event_id))


ParticipantQuery = Annotated[str | None, Query(max_length=128,
                                               description="staff only: whose agenda")]


@router.get("/{event_id}/agenda", response_model=AgendaPublic, response_model_by_alias=True,
            summary="The caller's agenda (staff: anyone's, with ?participant=)")
def read_agenda(principal: PrincipalDep, store: StoreDep, event_id: IdPath,
                participant: ParticipantQuery = None) -> AgendaPublic:
    events = Events(store)
    pid = _whose(principal, events, event_id, participant)
    items = [AgendaItem.model_validate(x) for x in events.agenda(event_id, pid)]
    return AgendaPublic(event=event_id, participant=pid, meetings=items)


@router.get("/{event_id}/agenda.ics", summary="The caller's agenda as iCalendar",
            response_class=Response,
            responses={200: {"content": {"text/calendar": {}}}})
def read_agenda_ics(principal: PrincipalDep, store: StoreDep, event_id: IdPath,
                    participant: ParticipantQuery = None) -> Response:
    from matchmaking.ics import agenda_ics

    events = Events(store)
    pid = _whose(principal, events, event_id, participant)
    body = agenda_ics(events.event(event_id), pid, events.agenda(event_id, pid))
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="agenda.ics"'})


@router.post("/{event_id}/meetings/{mid}", response_model=MeetingPublic,
             summary="Accept or decline one of your meetings")
def reply_meeting(principal: PrincipalDep, store: StoreDep, event_id: IdPath, mid: IdPath,
                  body: Reply) -> MeetingPublic:
    events = Events(store)
    events.event(event_id)
    if not principal.is_staff and principal.subject is None:
        raise forbidden(f"role '{principal.role}' may not reply to meetings")
    who = None if principal.is_staff else principal.subject
    return MeetingPublic(**events.respond(event_id, mid, who, body.verdict).to_json())

