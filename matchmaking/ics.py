"""A participant's event agenda as iCalendar (RFC 5545), built with ``icalendar``.

One ``VEVENT`` per meeting: the summary names the other party, the location is the venue
and table, the description holds the engine's reasons; times carry the event's IANA time
zone, with its ``VTIMEZONE`` included.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

from graph_schema.schema import Node

PRODID = "-//smartcity-matchmaking//events//EN"


def agenda_ics(event: Node, participant: str, items: Sequence[dict[str, Any]]) -> bytes:
    """The iCalendar file of ``participant``'s agenda (items from ``Events.agenda``).

    Parameters
    ----------
    event : Node
        The ``Event`` node.
    participant : str
        Id of the participant the agenda belongs to (part of each UID).
    items : sequence of dict
        Agenda entries with ``meeting``, ``start``, ``end``, ``table``, ``status``,
        ``with`` and ``reasons``.

    Returns
    -------
    bytes
        The ``text/calendar`` body.
    """
    from icalendar import Calendar
    from icalendar import Event as VEvent

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{event.props.get('name', event.id)}: my meetings")
    venue = event.props.get("venue")
    tz = zoneinfo.ZoneInfo(str(event.props["timezone"]))
    stamp = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for item in items:
        other = item.get("with") or {}
        name = other.get("name") or other.get("id") or "unknown"
        ev = VEvent()
        ev.add("uid", f"{item['meeting']}.{participant}@smartcity-matchmaking")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", dt.datetime.fromisoformat(item["start"]).astimezone(tz))
        ev.add("dtend", dt.datetime.fromisoformat(item["end"]).astimezone(tz))
        ev.add("summary", f"Meeting with {name}")
        ev.add("location", f"{venue}, table {item['table']}" if venue
               else f"Table {item['table']}")
        lines = [f"Table {item['table']} with {name} ({other.get('label', '')} "
                 f"{other.get('id', '')}), status {item['status']}."]
        if item.get("reasons"):
            lines.append("Why: " + "; ".join(item["reasons"]))
        ev.add("description", "\n".join(lines))
        ev.add("status", "CANCELLED" if item["status"] == "declined"
               else "CONFIRMED" if item["status"] == "accepted" else "TENTATIVE")
        cal.add_component(ev)
    cal.add_missing_timezones()
    out: bytes = cal.to_ical()
    return out
