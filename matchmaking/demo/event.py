"""The demo's matchmaking event (smartcity-graph/1.1): about 120 participants.

Cities, providers and experts (members of kind ``expert`` who are open to matches) attend a
one-day event of 12 slots of 20 minutes at 30 tables. Half stay all day, the others for a
window of 4 to 10 slots; some ask to meet someone, a few want to avoid someone. The draws
use their own random stream, so the rest of the demo output is the same with or without
the event.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from graph_schema.schema import Label, Node, Rel, RelType
from matchmaking.demo.world import MEMBER_KINDS, World

EVENT_ID = "event:expo-matchmaking"
SLOTS = 12
TABLES = 30
QUOTA = {"city": 50, "provider": 35, "expert": 35}


def _participants(world: World) -> list[tuple[str, str]]:
    """(id, role) of the participants, drawn without replacement."""
    rng = np.random.default_rng([world.seed, 12])
    expert = MEMBER_KINDS.index("expert")
    experts = [f"member:{m:06d}" for m in range(len(world.mem_kind))
               if world.mem_kind[m] == expert and world.mem_open[m]]
    pools = {"city": list(world.city_id), "provider": list(world.prov_id), "expert": experts}
    out = []
    for role, pool in pools.items():
        n = min(QUOTA[role], len(pool))
        for i in sorted(rng.choice(len(pool), size=n, replace=False).tolist()):
            out.append((pool[i], role))
    return out


def event_nodes(world: World) -> Iterator[Node]:
    """The Event node."""
    yield Node(EVENT_ID, Label.EVENT, {
        "name": "Smart City Expo: 1:1 matchmaking",
        "venue": "Hall 2, Fira Gran Via, Barcelona", "timezone": "Europe/Madrid",
        "date": "2026-11-18", "start": "10:00", "slot_minutes": 20, "slots": SLOTS,
        "tables": TABLES,
    })


def event_relationships(world: World) -> Iterator[Rel]:
    """One ATTENDS relationship per participant."""
    people = _participants(world)
    rng = np.random.default_rng([world.seed, 12, 1])
    by_role: dict[str, list[str]] = {}
    for pid, role in people:
        by_role.setdefault(role, []).append(pid)
    wanted = {"city": ("provider", "expert"), "provider": ("city",), "expert": ("city",)}
    for pid, role in people:
        rec: dict[str, Any] = {"role": role}
        if rng.random() >= 0.5:
            width = int(rng.integers(4, 11))
            start = int(rng.integers(0, SLOTS - width + 1))
            rec["availability"] = list(range(start, start + width))
        rec["max_meetings"] = int(rng.integers(4, 9))
        if rng.random() < 0.3:
            pool = [x for r in wanted[role] for x in by_role.get(r, [])]
            k = min(len(pool), int(rng.integers(1, 4)))
            rec["wants"] = sorted(pool[i] for i in rng.choice(len(pool), size=k, replace=False))
        if rng.random() < 0.05:
            other = people[int(rng.integers(0, len(people)))][0]
            if other != pid and other not in rec.get("wants", []):
                rec["avoids"] = [other]
        yield Rel(RelType.ATTENDS, pid, EVENT_ID, rec)
