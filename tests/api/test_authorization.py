"""Table-driven authorization: every role against every endpoint group, plus no key.

Each cell expects one exact status: ``Y`` is the route's success status (given per case),
``N`` is 403 and ``H`` is 404 (hidden: members not open to matches are not revealed, the
same answer as for an unknown id). A case that changes the store has a ``setup`` that puts
the store back before each call, so every role meets the same state.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest

from graph_schema.schema import Label, Node, Rel, RelType
from graph_schema.store import GraphStore
from tests.api.conftest import Api

ROLES = ("admin", "staff", "city", "member", "provider")


def _matrix(admin: str, staff: str, city: str, member: str, provider: str) -> dict[str, str]:
    return dict(zip(ROLES, (admin, staff, city, member, provider), strict=True))


ALL = _matrix("Y", "Y", "Y", "Y", "Y")
STAFF = _matrix("Y", "Y", "N", "N", "N")


def own(role: str) -> dict[str, str]:
    return {**STAFF, role: "Y"}


def _dataset() -> dict[str, Any]:
    nodes = json.dumps({"id": "topic:imported", "label": "Topic", "name": "Imported"}) + "\n"
    return {"files": {"nodes": ("nodes.jsonl", io.BytesIO(nodes.encode())),
                      "relationships": ("relationships.jsonl", io.BytesIO(b""))}}


Setup = Callable[[GraphStore], None] | None


def _no_topic_new(store: GraphStore) -> None:
    store.delete_nodes(["topic:new"])


def _topic_x(store: GraphStore) -> None:
    store.write(nodes=[Node("topic:x", Label.TOPIC, {"name": "Congestion"})])


def _need_b(store: GraphStore) -> None:
    store.write(rels=[Rel(RelType.NEEDS, "city:b", "topic:x")])


def _offer_q(store: GraphStore) -> None:
    store.write(rels=[Rel(RelType.OFFERS, "prov:q", "sol:t", {"owner": True})])


def _no_event_new(store: GraphStore) -> None:
    store.delete_nodes(["event:new"])


HIDDEN = _matrix("Y", "Y", "H", "H", "H")
FEEDBACK_HIDDEN = {"subject": "city:a", "candidate": "mem:hidden", "kind": "experts",
                   "verdict": "not_relevant"}

# (method, path, request kwargs, expected per role, success status, setup before each call)
CASES: list[tuple[str, str, Any, dict[str, str], int, Setup]] = [
    ("GET", "/sdgs", {}, ALL, 200, None),
    ("GET", "/countries", {}, ALL, 200, None),
    ("GET", "/kpis", {}, ALL, 200, None),
    ("GET", "/stats", {}, ALL, 200, None),
    ("GET", "/topics", {}, ALL, 200, None),
    ("GET", "/solutions/sol:t", {}, ALL, 200, None),
    ("GET", "/cities", {}, ALL, 200, None),
    ("GET", "/cities/city:b", {}, ALL, 200, None),
    ("GET", "/providers/prov:q", {}, ALL, 200, None),
    ("GET", "/members", {}, STAFF, 200, None),
    ("GET", "/members/mem:open", {}, ALL, 200, None),
    ("GET", "/members/mem:hidden", {}, HIDDEN, 200, None),
    ("GET", "/members/mem:hidden/expertise", {}, HIDDEN, 200, None),
    ("GET", "/cities/city:b/needs", {}, ALL, 200, None),
    ("GET", "/members/mem:open/expertise", {}, ALL, 200, None),
    ("POST", "/topics", {"json": {"id": "topic:new", "name": "New"}}, STAFF, 201, _no_topic_new),
    ("DELETE", "/topics/topic:x", {}, STAFF, 204, _topic_x),
    ("PATCH", "/cities/city:a", {"json": {"population": 7}}, own("city"), 200, None),
    ("PATCH", "/cities/city:b", {"json": {"population": 7}}, STAFF, 200, None),
    ("PATCH", "/members/mem:open", {"json": {"bio": "hi"}}, own("member"), 200, None),
    ("PATCH", "/providers/prov:p", {"json": {"employees": 3}}, own("provider"), 200, None),
    ("PATCH", "/providers/prov:q", {"json": {"employees": 3}}, STAFF, 200, None),
    ("PATCH", "/solutions/sol:s", {"json": {"cost": "low"}}, own("provider"), 200, None),
    ("PATCH", "/solutions/sol:t", {"json": {"cost": "low"}}, STAFF, 200, None),
    ("PUT", "/cities/city:a/needs/topic:x", {"json": {"urgency": 0.3}}, own("city"), 200, None),
    ("PUT", "/cities/city:a/sdgs/sdg:11", {}, own("city"), 200, None),
    ("PUT", "/cities/city:a/kpis/kpi:EC:ICT:ICT:1C", {"json": {"value": 1}}, own("city"), 200,
     None),
    ("DELETE", "/cities/city:b/needs/topic:x", {}, STAFF, 204, _need_b),
    ("PUT", "/cities/city:a/implementations/sol:s", {}, STAFF, 200, None),
    ("PUT", "/members/mem:open/expertise/topic:x", {}, own("member"), 200, None),
    ("PUT", "/members/mem:open/affiliations/city:a", {}, STAFF, 200, None),
    # offering another provider's solution is allowed; editing it is not (PATCH sol:t above)
    ("PUT", "/providers/prov:p/solutions/sol:t", {}, own("provider"), 200, None),
    ("PUT", "/providers/prov:p/solutions/sol:s", {"json": {"owner": True}}, STAFF, 200, None),
    ("DELETE", "/providers/prov:q/solutions/sol:t", {}, STAFF, 204, _offer_q),
    ("GET", "/cities/city:a/recommendations/providers", {}, own("city"), 200, None),
    ("GET", "/cities/city:b/recommendations/solutions", {}, STAFF, 200, None),
    ("GET", "/members/mem:open/recommendations/opportunities", {}, own("member"), 200, None),
    ("GET", "/providers/prov:p/recommendations/leads", {}, own("provider"), 200, None),
    ("GET", "/providers/prov:q/recommendations/leads", {}, STAFF, 200, None),
    ("POST", "/feedback", {"json": {"subject": "city:a", "candidate": "prov:p",
                                    "kind": "providers", "verdict": "accepted"}}, own("city"),
     201, None),
    ("POST", "/feedback", {"json": {"subject": "prov:p", "candidate": "city:a",
                                    "kind": "leads", "verdict": "contacted"}}, own("provider"),
     201, None),
    # a hidden candidate: 404 for the city itself (as an unknown id), 403 for other keys
    ("POST", "/feedback", {"json": FEEDBACK_HIDDEN}, {**own("city"), "city": "H"}, 201, None),
    ("GET", "/feedback", {}, ALL, 200, None),
    ("GET", "/feedback?subject=city:b", {}, STAFF, 200, None),
    ("POST", "/imports", "dataset", STAFF, 200, None),
    ("GET", "/keys", {}, _matrix("Y", "N", "N", "N", "N"), 200, None),
    ("POST", "/keys", {"json": {"role": "staff"}}, _matrix("Y", "N", "N", "N", "N"), 201, None),
    ("GET", "/reports/programme", {}, STAFF, 200, None),
    ("GET", "/reports/programme.xlsx", {}, STAFF, 200, None),
    ("GET", "/reports/programme/plots/lorenz.svg", {}, STAFF, 200, None),
    ("POST", "/events", {"json": {"id": "event:new", "name": "New", "timezone": "UTC",
                                  "date": "2026-12-01", "start": "09:00", "slot_minutes": 15,
                                  "slots": 4, "tables": 2}}, STAFF, 201, _no_event_new),
    ("GET", "/events/event:m", {}, STAFF, 200, None),
    ("PUT", "/events/event:m/participants/city:b", {"json": {"role": "city"}}, STAFF, 200, None),
    ("POST", "/events/event:m/schedule", {"params": {"time_limit": 1}}, STAFF, 200, None),
    ("GET", "/events/event:m/meetings", {}, STAFF, 200, None),
    ("GET", "/events/event:m/agenda", {}, _matrix("N", "N", "Y", "Y", "Y"), 200, None),
    ("GET", "/events/event:m/agenda?participant=city:a", {}, own("city"), 200, None),
    ("GET", "/events/event:m/agenda.ics?participant=prov:p", {}, own("provider"), 200, None),
    ("POST", "/events/event:m/meetings/mtg:m", {"json": {"verdict": "accept"}},
     _matrix("Y", "Y", "Y", "H", "H"), 200, None),
]


def _seed_event(store: Any) -> None:
    """An event that the three bound subjects attend, with one meeting of city:a."""
    store.write(
        nodes=[Node("event:m", Label.EVENT, {"name": "Meet", "timezone": "Europe/Oslo",
                                             "date": "2026-06-01", "start": "09:00",
                                             "slot_minutes": 20, "slots": 4, "tables": 2}),
               Node("mtg:m", Label.MEETING, {"slot": 1, "table": 1, "status": "proposed"})],
        rels=[*(Rel(RelType.ATTENDS, x, "event:m") for x in ("city:a", "mem:open", "prov:p")),
              Rel(RelType.HELD_AT, "mtg:m", "event:m"), Rel(RelType.MEETS, "mtg:m", "city:a"),
              Rel(RelType.MEETS, "mtg:m", "prov:q")])


@pytest.mark.parametrize(("method", "path", "kwargs", "expected", "ok", "setup"), CASES,
                         ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_role_matrix(
    api: Api, method: str, path: str, kwargs: Any, expected: dict[str, str], ok: int,
    setup: Setup,
) -> None:
    def call(headers: dict[str, str]) -> int:
        if setup is not None:
            setup(api.store)
        kw = _dataset() if kwargs == "dataset" else kwargs
        return api.client.request(method, path, headers=headers, **kw).status_code

    _seed_event(api.store)
    assert call({}) == 401
    assert call({"Authorization": "Bearer mm_000000000000_" + "x" * 43}) == 401
    got = {role: call(api.as_(role)) for role in ROLES}
    want = {role: {"Y": ok, "N": 403, "H": 404}[expected[role]] for role in ROLES}
    assert got == want
