"""The meeting scheduler: brute-force optima on small events, every constraint on random
events (hypothesis), the greedy baseline, fairness and incremental rescheduling."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_schema.errors import InvalidInput
from matchmaking.scheduling import (
    EventInput,
    Meeting,
    Participant,
    Schedule,
    pair_key,
    schedule,
)


def P(pid: str, slots: set[int], cap: int, wants: set[str] = frozenset(),  # type: ignore[assignment]
      avoids: set[str] = frozenset()) -> Participant:  # type: ignore[assignment]
    return Participant(pid, frozenset(slots), cap, frozenset(wants), frozenset(avoids))


def value_of(ev: EventInput, a: str, b: str) -> float:
    by_id = {p.id: p for p in ev.participants}
    return (ev.values.get(pair_key(a, b), 0.0)
            + ev.want_bonus * ((b in by_id[a].wants) + (a in by_id[b].wants)))


def violations(ev: EventInput, s: Schedule, fixed: list[Meeting] = ()) -> list[str]:  # type: ignore[assignment]
    """Every broken rule of a schedule, checked from scratch (not with the scheduler's code)."""
    by_id = {p.id: p for p in ev.participants}
    out = []
    busy: set[tuple[str, int]] = set()
    cells: set[tuple[int, int]] = set()
    pairs: set[tuple[str, str]] = set()
    per_slot: Counter[int] = Counter()
    count: Counter[str] = Counter()
    fixed_keys = {(m.a, m.b, m.slot, m.table) for m in fixed}
    for m in s.meetings:
        is_fixed = (m.a, m.b, m.slot, m.table) in fixed_keys
        if m.a >= m.b:
            out.append(f"pair not ordered {m}")
        if (m.a, m.b) in pairs:
            out.append(f"pair meets twice {m}")
        pairs.add((m.a, m.b))
        for x in (m.a, m.b):
            if (x, m.slot) in busy:
                out.append(f"{x} twice in slot {m.slot}")
            busy.add((x, m.slot))
            count[x] += 1
            if not is_fixed and m.slot not in by_id[x].availability:
                out.append(f"{x} not available in slot {m.slot}")
        if (m.slot, m.table) in cells:
            out.append(f"table {m.table} used twice in slot {m.slot}")
        cells.add((m.slot, m.table))
        if not 1 <= m.table <= ev.tables or not 0 <= m.slot < ev.slots:
            out.append(f"outside the event {m}")
        per_slot[m.slot] += 1
        if not is_fixed:
            if m.b in by_id[m.a].avoids or m.a in by_id[m.b].avoids:
                out.append(f"avoided pair meets {m}")
            if (m.a, m.b) in ev.declined:
                out.append(f"declined pair meets {m}")
            if value_of(ev, m.a, m.b) <= 0:
                out.append(f"worthless meeting {m}")
        if abs(m.value - value_of(ev, m.a, m.b)) > 1e-9:
            out.append(f"wrong value {m}")
    for x, n in count.items():
        if n > by_id[x].max_meetings:
            out.append(f"{x} has {n} > max {by_id[x].max_meetings}")
    for slot, n in per_slot.items():
        if n > ev.tables:
            out.append(f"slot {slot} has {n} meetings > {ev.tables} tables")
    for m in fixed:
        if (m.a, m.b, m.slot, m.table) not in {(x.a, x.b, x.slot, x.table) for x in s.meetings}:
            out.append(f"fixed meeting lost {m}")
    if abs(s.value - sum(m.value for m in s.meetings)) > 1e-6:
        out.append("total value is not the sum")
    return out


def brute_force(ev: EventInput, min_meetings: int = 0) -> tuple[int, float]:
    """(fewest missing meetings below min_meetings, best value) over every schedule."""
    ids = [p.id for p in ev.participants]
    by_id = {p.id: p for p in ev.participants}
    options = []
    for a, b in itertools.combinations(sorted(ids), 2):
        if (b in by_id[a].avoids or a in by_id[b].avoids or (a, b) in ev.declined
                or value_of(ev, a, b) <= 0):
            continue
        slots = sorted(by_id[a].availability & by_id[b].availability)
        if slots:
            options.append(((a, b), [None, *slots]))
    best = (10**9, 0.0)
    for choice in itertools.product(*(o[1] for o in options)):
        busy: set[tuple[str, int]] = set()
        per_slot: Counter[int] = Counter()
        count: Counter[str] = Counter()
        value = 0.0
        ok = True
        for ((a, b), _), s in zip(options, choice, strict=True):
            if s is None:
                continue
            if (a, s) in busy or (b, s) in busy:
                ok = False
                break
            busy |= {(a, s), (b, s)}
            per_slot[s] += 1
            count[a] += 1
            count[b] += 1
            value += value_of(ev, a, b)
        if not ok or any(n > ev.tables for n in per_slot.values()) or any(
                count[x] > by_id[x].max_meetings for x in ids):
            continue
        short = sum(max(0, min(min_meetings, by_id[x].max_meetings) - count[x])
                    for x in ids if by_id[x].availability)
        if (short, -value) < (best[0], -best[1]):
            best = (short, value)
    return best


SMALL = [
    # slot conflicts: greedy takes a-b first and loses
    EventInput(2, 1, [P("a", {0, 1}, 2), P("b", {0}, 2), P("c", {0, 1}, 2)],
               {("a", "b"): 1.0, ("a", "c"): 0.8, ("b", "c"): 0.9}),
    # tables bind, max_meetings binds, an avoided and a declined pair
    EventInput(3, 1, [P("a", {0, 1, 2}, 1), P("b", {0, 1, 2}, 2, avoids={"d"}),
                      P("c", {1, 2}, 2), P("d", {0, 2}, 3)],
               {("a", "b"): 2.0, ("a", "c"): 1.5, ("b", "c"): 1.0, ("b", "d"): 5.0,
                ("c", "d"): 0.7, ("a", "d"): 0.6}, declined={("a", "c")}),
    # wants add value to a pair the engine does not score
    EventInput(2, 2, [P("a", {0, 1}, 2, wants={"d"}), P("b", {0, 1}, 2), P("c", {0}, 1),
                      P("d", {1}, 2)],
               {("a", "b"): 0.4, ("b", "c"): 0.9, ("a", "c"): 0.3}),
    # five people, two tables, narrow availability
    EventInput(3, 2, [P("a", {0, 1, 2}, 2), P("b", {0, 1}, 2), P("c", {1, 2}, 2),
                      P("d", {0, 2}, 2), P("e", {2}, 1)],
               {("a", "b"): 0.9, ("a", "c"): 0.8, ("a", "d"): 0.7, ("a", "e"): 1.1,
                ("b", "c"): 0.6, ("b", "d"): 0.5, ("c", "d"): 0.4, ("c", "e"): 0.9,
                ("d", "e"): 0.2}),
]


@pytest.mark.parametrize("ev", SMALL, ids=[f"event{i}" for i in range(len(SMALL))])
def test_small_events_are_optimal_by_brute_force(ev: EventInput) -> None:
    s = schedule(ev, time_limit=10, min_meetings=0)
    assert violations(ev, s) == []
    assert s.status == "optimal"
    assert s.value == pytest.approx(brute_force(ev)[1], abs=1e-9)
    assert s.value >= s.greedy_value - 1e-9


@pytest.mark.parametrize("ev", SMALL, ids=[f"event{i}" for i in range(len(SMALL))])
def test_fairness_first_then_value_by_brute_force(ev: EventInput) -> None:
    s = schedule(ev, time_limit=10, min_meetings=1)
    short, value = brute_force(ev, min_meetings=1)
    assert violations(ev, s) == []
    got_short = sum(max(0, min(1, p.max_meetings) - sum(p.id in (m.a, m.b) for m in s.meetings))
                    for p in ev.participants if p.availability)
    assert (got_short, s.value) == (short, pytest.approx(value, abs=1e-9))


def test_greedy_baseline_is_reported_and_beaten() -> None:
    ev = SMALL[0]
    s = schedule(ev, time_limit=5, min_meetings=0)
    # greedy: a-b (1.0) in slot 0, then b-c cannot meet, a-c (0.8) in slot 1
    assert s.greedy_value == pytest.approx(1.8)
    assert [(m.a, m.b, m.slot, m.table) for m in s.meetings] == [("a", "b", 0, 1),
                                                                  ("a", "c", 1, 1)]
    ev2 = EventInput(2, 1, [P("a", {0, 1}, 2), P("b", {0, 1}, 1), P("c", {0}, 1)],
                     {("a", "b"): 1.0, ("b", "c"): 0.9, ("a", "c"): 0.8})
    s2 = schedule(ev2, time_limit=5, min_meetings=0)
    # greedy puts a-b in slot 0 and then a-c has no slot left: 1.0; optimum 1.8
    assert s2.greedy_value == pytest.approx(1.0)
    assert s2.value == pytest.approx(1.8)
    assert s2.gain_over_greedy == pytest.approx(0.8)


def test_worst_served_is_reported() -> None:
    ev = SMALL[3]
    s = schedule(ev, time_limit=5, min_meetings=1)
    counts = Counter(x for m in s.meetings for x in (m.a, m.b))
    assert s.worst_count == min(counts[p.id] for p in ev.participants)
    assert s.worst_count_ids == sorted(p.id for p in ev.participants
                                       if counts[p.id] == s.worst_count)
    per_value = {p.id: sum(m.value for m in s.meetings if p.id in (m.a, m.b))
                 for p in ev.participants}
    assert s.worst_value == pytest.approx(min(per_value.values()))
    assert per_value[s.worst_value_id] == pytest.approx(s.worst_value)


@st.composite
def events(draw: st.DrawFn) -> tuple[EventInput, int]:
    n = draw(st.integers(2, 9))
    slots = draw(st.integers(1, 5))
    tables = draw(st.integers(1, 3))
    ids = [f"p{i}" for i in range(n)]
    people = []
    for pid in ids:
        avail = draw(st.sets(st.integers(0, slots - 1)))
        wants = draw(st.sets(st.sampled_from(ids), max_size=2)) - {pid}
        avoids = draw(st.sets(st.sampled_from(ids), max_size=1)) - {pid}
        people.append(P(pid, avail, draw(st.integers(0, slots)), wants, avoids))
    values = {}
    for a, b in itertools.combinations(ids, 2):
        v = draw(st.sampled_from([0.0, 0.0, 0.1, 0.35, 0.5, 0.9, 1.7]))
        if v:
            values[(a, b)] = v
    declined = {pair_key(a, b) for a, b in itertools.combinations(ids, 2)
                if draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans())}
    return EventInput(slots, tables, people, values, declined), draw(st.integers(0, 3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_every_schedule_satisfies_every_constraint(case: tuple[EventInput, int]) -> None:
    ev, min_meetings = case
    s = schedule(ev, time_limit=5, min_meetings=min_meetings, top_n=3)
    assert violations(ev, s) == []
    assert s.status in ("optimal", "feasible")
    if min_meetings == 0:
        assert s.value >= s.greedy_value - 1e-6  # started from the greedy plan


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(), st.data())
def test_rescheduling_keeps_accepted_meetings(case: tuple[EventInput, int],
                                             data: st.DataObject) -> None:
    ev, min_meetings = case
    first = schedule(ev, time_limit=5, min_meetings=min_meetings)
    accepted = [m for m in first.meetings if data.draw(st.booleans())]
    # someone who has no accepted meeting drops out, and one more pair is declined
    in_accepted = {x for m in accepted for x in (m.a, m.b)}
    gone = next((p.id for p in ev.participants if p.id not in in_accepted), None)
    people = [p for p in ev.participants if p.id != gone]
    rest = [m for m in first.meetings if m not in accepted and gone not in (m.a, m.b)]
    declined = set(ev.declined) | ({rest[0].pair} if rest else set())
    ev2 = EventInput(ev.slots, ev.tables, people,
                     {k: v for k, v in ev.values.items() if gone not in k}, declined)
    second = schedule(ev2, time_limit=5, min_meetings=min_meetings, fixed=accepted,
                      previous=first.meetings)
    assert violations(ev2, second, accepted) == []
    kept = {(m.a, m.b, m.slot, m.table) for m in second.meetings}
    assert {(m.a, m.b, m.slot, m.table) for m in accepted} <= kept


def test_rescheduling_without_changes_moves_nothing() -> None:
    ev = SMALL[3]
    first = schedule(ev, time_limit=5, min_meetings=1)
    again = schedule(ev, time_limit=5, min_meetings=1, previous=first.meetings)
    assert [(m.a, m.b, m.slot, m.table) for m in again.meetings] == \
        [(m.a, m.b, m.slot, m.table) for m in first.meetings]
    assert (again.kept, again.moved, again.dropped) == (len(first.meetings), 0, 0)


def test_rescheduling_moves_as_few_as_possible() -> None:
    # a new wish would be worth more if b-c moved, but keeping the old plan is preferred
    ev = EventInput(2, 2, [P("a", {0, 1}, 2), P("b", {0, 1}, 2), P("c", {0, 1}, 2),
                           P("d", {1}, 1)],
                    {("a", "b"): 1.0, ("b", "c"): 1.0})
    first = schedule(ev, time_limit=5, min_meetings=0)
    ev.participants[3] = P("d", {0, 1}, 1, wants={"c"})
    second = schedule(ev, time_limit=5, min_meetings=0, previous=first.meetings)
    assert second.moved == 0 and second.dropped == 0
    assert ("c", "d") in {m.pair for m in second.meetings}


def test_bad_input_is_named() -> None:
    with pytest.raises(InvalidInput, match="participant 'a': slot 5 is outside 0..1"):
        schedule(EventInput(2, 1, [P("a", {5}, 1)]))
    with pytest.raises(InvalidInput, match="'a' twice in slot 0"):
        schedule(EventInput(2, 2, [P("a", {0}, 2), P("b", {0}, 1), P("c", {0}, 1)]),
                 fixed=[Meeting("a", "b", 0, 1), Meeting("a", "c", 0, 2)])
    with pytest.raises(InvalidInput, match="listed twice"):
        schedule(EventInput(2, 1, [P("a", {0}, 1), P("a", {1}, 1)]))
