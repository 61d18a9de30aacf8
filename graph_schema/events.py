"""Rules of events and meetings (smartcity-graph/1.1) that a single property cannot check.

The property models of ``Event``, ``ATTENDS`` and ``Meeting`` live in
:mod:`graph_schema.schema` with the others; they use the value checks below. The cross
checks (an availability index inside the event's slots, a meeting's table inside its
tables) need two records at once and are called by the importer and the services.

>>> check_timezone("Europe/Vienna")
'Europe/Vienna'
>>> check_cross(EventShape(slots=4, tables=2), availability=[0, 3])
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graph_schema.errors import InvalidInput

MAX_SLOTS = 96
MAX_TABLES = 10_000
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_T = TypeVar("_T")


def check_timezone(value: str) -> str:
    """An IANA time zone name such as ``Europe/Vienna``."""
    if "/" not in value and value != "UTC":
        raise ValueError(f"'{value}' is not an IANA time zone: use a name like 'Europe/Vienna'")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"'{value}' is not an IANA time zone: use a name like 'Europe/Vienna'"
        ) from None
    return value


def check_date(value: str) -> str:
    """A calendar date written ``YYYY-MM-DD``."""
    if not re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        raise ValueError(f"'{value}' is not a date: write it as YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a calendar date (YYYY-MM-DD)") from None
    return value


def check_time(value: str) -> str:
    """A local time of day written ``HH:MM`` (24 h)."""
    if not _TIME.match(value):
        raise ValueError(f"'{value}' is not a time of day: write it as HH:MM (24 h)")
    return value


def check_unique(values: list[_T]) -> list[_T]:
    """A list without repeated entries."""
    if len(set(values)) != len(values):
        dup = next(v for i, v in enumerate(values) if v in values[:i])
        raise ValueError(f"{dup!r} is listed twice")
    return values


@dataclass(frozen=True, slots=True)
class EventShape:
    """The dimensions of an event that other records are checked against."""

    slots: int
    tables: int

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> EventShape | None:
        """The shape of a (valid) Event's properties, or None if they are not numbers."""
        slots, tables = props.get("slots"), props.get("tables")
        if isinstance(slots, int) and isinstance(tables, int):
            return cls(slots, tables)
        return None


def check_cross(
    shape: EventShape,
    *,
    availability: Sequence[int] | None = None,
    max_meetings: int | None = None,
    slot: int | None = None,
    table: int | None = None,
) -> None:
    """Raise :class:`InvalidInput` if a value lies outside the event's slots or tables."""
    last = shape.slots - 1
    for s in availability or ():
        if isinstance(s, int) and s > last:
            raise InvalidInput(
                f"property 'availability': slot {s} does not exist, the event has slots "
                f"0 to {last}"
            )
    if isinstance(max_meetings, int) and max_meetings > shape.slots:
        raise InvalidInput(
            f"property 'max_meetings': {max_meetings} is more than the event's "
            f"{shape.slots} slots"
        )
    if isinstance(slot, int) and slot > last:
        raise InvalidInput(f"property 'slot': {slot} does not exist, the event has slots 0 to "
                           f"{last}")
    if isinstance(table, int) and table > shape.tables:
        raise InvalidInput(f"property 'table': {table} does not exist, the event has tables 1 "
                           f"to {shape.tables}")


def slot_start(event: Mapping[str, Any], slot: int) -> dt.datetime:
    """The time-zone aware start of ``slot`` of a (valid) event.

    Slots follow each other in elapsed time, so across a daylight-saving switch the local
    clock time jumps with it (01:00 + 60 min is 03:00 on the spring-forward night).
    """
    tz = zoneinfo.ZoneInfo(str(event["timezone"]))
    day = dt.date.fromisoformat(str(event["date"]))
    hh, mm = (int(x) for x in str(event["start"]).split(":"))
    first = dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz).astimezone(dt.UTC)
    return (first + dt.timedelta(minutes=int(event["slot_minutes"]) * slot)).astimezone(tz)
