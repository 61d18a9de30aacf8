"""1:1 meeting schedules for a matchmaking event: an integer program solved with HiGHS.

:func:`schedule` takes an :class:`EventInput` (slots, tables, participants with their
availability, ``max_meetings``, wants and avoids, and the value of each pair) and returns a
:class:`Schedule`: who meets whom, in which slot, at which table.

Model
-----
One boolean ``x[p, s]`` per candidate pair ``p`` and slot ``s`` in which both are available.

- maximise ``sum value(p) * x[p, s]`` (a pair's value is the engine's score in both
  directions plus ``want_bonus`` for each side that asked for the meeting);
- a pair meets at most once; a participant has at most one meeting per slot and at most
  ``max_meetings`` in all; a slot has at most ``tables`` meetings;
- avoided pairs (either side) and pairs declined before are never candidates;
- fairness (soft): every available participant gets ``min_meetings`` (or as many as its
  ``max_meetings`` allows); each missing meeting costs ``FAIRNESS_WEIGHT`` times the best
  pair value, so the solver trades value for fairness only when it cannot have both;
- incremental: ``fixed`` meetings (accepted ones) are kept as they are (slot and table) and
  take their capacity away first; each ``previous`` meeting kept in its slot earns
  ``STABILITY_WEIGHT`` times the best pair value, so few meetings move.

To keep the model small, each participant contributes only its ``top_n`` best partners;
a pair is a candidate if it is in the top list of either side, was in ``previous``, or is
in the greedy plan (the solver's start).
The greedy baseline (best pair first, earliest common slot) runs on *all* eligible pairs
in the same call.

Solver: HiGHS through ``scipy.optimize.milp`` (no extra dependency). Its result is compared
with the greedy plan in the same objective and the better one is returned (status ``greedy``
when the solver did not beat it in time), so the objective is never worse than greedy's.
Tried and dropped: OR-tools CP-SAT (stayed below the greedy value on two busy cores within
the time limit) and ``highspy`` with the greedy plan as a MIP start (overran the time limit
several times over on the same machine).

Example
-------
>>> ev = EventInput(slots=2, tables=1, participants=[
...     Participant("a", frozenset({0, 1}), 2), Participant("b", frozenset({0}), 2),
...     Participant("c", frozenset({0, 1}), 2)],
...     values={("a", "b"): 1.0, ("a", "c"): 0.8, ("b", "c"): 0.9})
>>> s = schedule(ev, time_limit=5, min_meetings=0)
>>> s.status, [(m.a, m.b, m.slot) for m in s.meetings]
('optimal', [('a', 'b', 0), ('a', 'c', 1)])
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema.errors import InvalidInput

FAIRNESS_WEIGHT = 100  # x best pair value, per meeting missing below min_meetings
STABILITY_WEIGHT = 10  # x best pair value, per previous meeting kept in its slot
DEFAULT_TOP_N = 12
DEFAULT_WANT_BONUS = 0.5

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Participant:
    """One attendee: free slots, meeting cap, and explicit wishes."""

    id: str
    availability: frozenset[int]
    max_meetings: int
    wants: frozenset[str] = frozenset()
    avoids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting of ``a`` and ``b`` (``a < b``) in ``slot`` (from 0) at ``table`` (from 1)."""

    a: str
    b: str
    slot: int
    table: int
    value: float = 0.0

    @property
    def pair(self) -> Pair:
        return (self.a, self.b)

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "slot": self.slot, "table": self.table,
                "value": round(self.value, 6)}


@dataclass
class EventInput:
    """What the scheduler needs to know about an event.

    Attributes
    ----------
    values : dict
        Engine value of each unordered pair, keyed ``(min id, max id)``; missing means 0.
    declined : set
        Pairs (``(min id, max id)``) that must not meet (declined before).
    """

    slots: int
    tables: int
    participants: list[Participant]
    values: dict[Pair, float] = field(default_factory=dict)
    declined: set[Pair] = field(default_factory=set)
    want_bonus: float = DEFAULT_WANT_BONUS


@dataclass
class Schedule:
    """The result of :func:`schedule`: meetings sorted by (slot, table), and its figures."""

    meetings: list[Meeting]
    status: str  # "optimal", "feasible" (time limit hit) or "greedy" (solver did not beat it)
    value: float
    greedy_value: float
    gap: float | None  # relative gap of the solver's objective; 0 when optimal
    worst_count: int
    worst_count_ids: list[str]
    worst_value: float
    worst_value_id: str | None
    below_min: list[str]
    min_meetings: int
    kept: int = 0
    moved: int = 0
    dropped: int = 0
    candidates: int = 0
    variables: int = 0
    seconds: float = 0.0

    @property
    def gain_over_greedy(self) -> float | None:
        """``value / greedy_value - 1`` (None when greedy found nothing)."""
        return self.value / self.greedy_value - 1 if self.greedy_value > 0 else None

    def to_json(self) -> dict[str, Any]:
        gain = self.gain_over_greedy
        return {
            "status": self.status, "gap": self.gap, "value": round(self.value, 6),
            "greedy_value": round(self.greedy_value, 6),
            "gain_over_greedy": None if gain is None else round(gain, 4),
            "meetings": len(self.meetings), "min_meetings": self.min_meetings,
            "worst_count": self.worst_count, "worst_count_ids": self.worst_count_ids,
            "worst_value": round(self.worst_value, 6), "worst_value_id": self.worst_value_id,
            "below_min": self.below_min, "kept": self.kept, "moved": self.moved,
            "dropped": self.dropped, "candidates": self.candidates,
            "variables": self.variables, "seconds": round(self.seconds, 3),
        }


def pair_key(a: str, b: str) -> Pair:
    """The canonical key of an unordered pair."""
    return (a, b) if a < b else (b, a)


def pair_value(event: EventInput, by_id: Mapping[str, Participant], a: str, b: str) -> float:
    """Engine value of the pair plus the want bonus of each side that asked for it."""
    v = event.values.get(pair_key(a, b), 0.0)
    v += event.want_bonus * ((b in by_id[a].wants) + (a in by_id[b].wants))
    return float(v)


class _Residual:
    """Availability and capacities left once the fixed meetings are placed."""

    def __init__(self, event: EventInput, fixed: Sequence[Meeting]) -> None:
        self.by_id = {p.id: p for p in event.participants}
        self.avail = {p.id: set(p.availability) for p in event.participants}
        self.cap = {p.id: p.max_meetings for p in event.participants}
        self.tables = [event.tables] * event.slots
        self.used_tables: dict[int, set[int]] = defaultdict(set)
        seen: set[tuple[str, int]] = set()
        for m in fixed:
            for x in (m.a, m.b):
                if x not in self.by_id:
                    raise InvalidInput(f"fixed meeting {m.a}-{m.b}: '{x}' does not attend")
                if (x, m.slot) in seen:
                    raise InvalidInput(f"fixed meetings put '{x}' twice in slot {m.slot}")
                seen.add((x, m.slot))
                self.avail[x].discard(m.slot)
                self.cap[x] = max(0, self.cap[x] - 1)
            if not 0 <= m.slot < event.slots or not 1 <= m.table <= event.tables:
                raise InvalidInput(f"fixed meeting {m.a}-{m.b}: slot {m.slot} / table "
                                   f"{m.table} is outside the event")
            if m.table in self.used_tables[m.slot]:
                raise InvalidInput(f"fixed meetings share table {m.table} in slot {m.slot}")
            self.used_tables[m.slot].add(m.table)
            self.tables[m.slot] -= 1


def _check(event: EventInput, min_meetings: int, top_n: int) -> None:
    if event.slots < 1 or event.tables < 1:
        raise InvalidInput("an event needs at least one slot and one table")
    seen: set[str] = set()
    for p in event.participants:
        if p.id in seen:
            raise InvalidInput(f"participant '{p.id}' is listed twice")
        seen.add(p.id)
        bad = [s for s in p.availability if not 0 <= s < event.slots]
        if bad:
            raise InvalidInput(f"participant '{p.id}': slot {bad[0]} is outside "
                               f"0..{event.slots - 1}")
        if p.max_meetings < 0:
            raise InvalidInput(f"participant '{p.id}': max_meetings must be >= 0")
    if min_meetings < 0:
        raise InvalidInput(f"min_meetings must be >= 0, got {min_meetings}")
    if top_n < 1:
        raise InvalidInput(f"top_n must be >= 1, got {top_n}")


def _eligible(event: EventInput, res: _Residual, fixed_pairs: set[Pair]) -> dict[Pair, float]:
    """Every pair that may meet, with its value (> 0)."""
    by_id = res.by_id
    pairs = {k for k in event.values if k[0] in by_id and k[1] in by_id and k[0] != k[1]}
    pairs.update(pair_key(p.id, w) for p in event.participants for w in p.wants
                 if w in by_id and w != p.id)
    out: dict[Pair, float] = {}
    for a, b in sorted(pairs):
        if (a, b) in fixed_pairs or (a, b) in event.declined:
            continue
        if b in by_id[a].avoids or a in by_id[b].avoids:
            continue
        if res.cap[a] < 1 or res.cap[b] < 1:
            continue
        if not any(res.tables[s] > 0 for s in res.avail[a] & res.avail[b]):
            continue
        v = pair_value(event, by_id, a, b)
        if v > 0:
            out[(a, b)] = v
    return out


def _preselect(eligible: Mapping[Pair, float], top_n: int, keep: Iterable[Pair]) -> list[Pair]:
    ranked: dict[str, list[tuple[float, str, Pair]]] = defaultdict(list)
    for (a, b), v in eligible.items():
        ranked[a].append((-v, b, (a, b)))
        ranked[b].append((-v, a, (a, b)))
    chosen = {p for p in keep if p in eligible}
    for lst in ranked.values():
        lst.sort()
        chosen.update(p for _, _, p in lst[:top_n])
    return sorted(chosen)


def _greedy(eligible: Mapping[Pair, float], res: _Residual,
            targets: Mapping[str, int] | None = None) -> dict[Pair, int]:
    """Best pair first, each in the earliest slot where both and a table are free.

    With ``targets`` (meetings still wanted per participant), a first pass takes only pairs
    that bring someone below target closer to it; a second pass fills up as usual.
    """
    busy: dict[str, set[int]] = defaultdict(set)
    count: dict[str, int] = defaultdict(int)
    left = list(res.tables)
    out: dict[Pair, int] = {}
    ranked = sorted(eligible.items(), key=lambda kv: (-kv[1], kv[0]))
    passes = [ranked, ranked] if targets else [ranked]
    for i, (pair, _v) in enumerate(x for lst in passes for x in lst):
        a, b = pair
        if pair in out or count[a] >= res.cap[a] or count[b] >= res.cap[b]:
            continue
        if targets and i < len(ranked) and count[a] >= targets.get(a, 0) \
                and count[b] >= targets.get(b, 0):
            continue
        free = sorted(s for s in (res.avail[a] & res.avail[b]) - busy[a] - busy[b] if left[s] > 0)
        if not free:
            continue
        s = free[0]
        out[(a, b)] = s
        busy[a].add(s)
        busy[b].add(s)
        count[a] += 1
        count[b] += 1
        left[s] -= 1
    return out


def schedule(
    event: EventInput,
    *,
    time_limit: float = 10.0,
    min_meetings: int = 1,
    fixed: Sequence[Meeting] = (),
    previous: Sequence[Meeting] = (),
    top_n: int = DEFAULT_TOP_N,
) -> Schedule:
    """Schedule the 1:1 meetings of an event (see the module docstring for the model).

    Parameters
    ----------
    event : EventInput
        Slots, tables, participants and pair values.
    time_limit : float
        Seconds the solver may run; the best schedule found by then is returned.
    min_meetings : int
        Fairness target per available participant (soft, with a large penalty).
    fixed : sequence of Meeting
        Meetings that stay exactly as they are (accepted ones).
    previous : sequence of Meeting
        The schedule being revised: keeping a meeting in its slot (and table) is rewarded.
    top_n : int
        Partners per participant that become candidates.

    Returns
    -------
    Schedule

    Raises
    ------
    InvalidInput
        Inconsistent input (slots outside the event, double-booked fixed meetings, ...).
    """
    t0 = time.perf_counter()
    _check(event, min_meetings, top_n)
    res = _Residual(event, fixed)
    fixed_pairs = {m.pair for m in fixed}
    eligible = _eligible(event, res, fixed_pairs)
    prev = {m.pair: m for m in previous if m.pair not in fixed_pairs}
    greedy = _greedy(eligible, res)
    fixed_count = _count(fixed)
    targets = {p.id: min(min_meetings, p.max_meetings) - fixed_count.get(p.id, 0)
               for p in event.participants}
    fair = _greedy(eligible, res, targets) if min_meetings > 0 else greedy
    # both greedy plans are candidates, so the model can represent them
    cands = _preselect(eligible, top_n, [*prev, *greedy, *fair])
    greedy_value = sum(eligible[p] for p in greedy) + _fixed_value(event, res, fixed)
    model = _Model(event, res, eligible, cands, prev, min_meetings, fixed)
    start = min((greedy, fair), key=lambda plan: float(model.cost @ model.start(plan)))
    chosen, status, gap = model.solve(time_limit, start)
    return _result(event, res, fixed, prev, chosen, eligible, status, gap, greedy_value,
                   min_meetings, len(cands), len(model.cols), time.perf_counter() - t0)


def _limit(res: _Residual, key: tuple[Any, ...]) -> int:
    """Right-hand side of a row group: a pair once, a person once per slot, caps, tables."""
    if key[0] == "cap":
        return res.cap[key[1]]
    if key[0] == "slot":
        return res.tables[key[1]]
    return 1


class _Model:
    """The integer program of :func:`schedule`, solved with HiGHS (``scipy.optimize.milp``).

    Columns: one per (candidate pair, common slot), then one shortfall count per
    participant with a fairness target. Rows: pair once, person once per slot, person cap,
    tables per slot (each only where it can bind), and the fairness rows.
    """

    def __init__(self, event: EventInput, res: _Residual, eligible: Mapping[Pair, float],
                 cands: Sequence[Pair], prev: Mapping[Pair, Meeting], min_meetings: int,
                 fixed: Sequence[Meeting]) -> None:
        self.pair_set = set(cands)
        best = max((eligible[p] for p in cands), default=1.0)
        self.cols: list[tuple[Pair, int]] = []
        gain: list[float] = []
        groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for p in cands:
            a, b = p
            for s in sorted(x for x in res.avail[a] & res.avail[b] if res.tables[x] > 0):
                j = len(self.cols)
                self.cols.append((p, s))
                kept = p in prev and prev[p].slot == s
                gain.append(eligible[p] + (STABILITY_WEIGHT * best if kept else 0.0))
                for key in (("pair", p), ("at", a, s), ("at", b, s), ("cap", a), ("cap", b),
                            ("slot", s)):
                    groups[key].append(j)
        rows: list[list[int]] = []
        upper: list[float] = []
        for key, js in groups.items():
            limit = _limit(res, key)
            if len(js) > limit:
                rows.append(js)
                upper.append(limit)
        self.n_x = len(self.cols)
        fixed_count = _count(fixed)
        lower = [-np.inf] * len(rows)
        cost = [-g for g in gain]
        for who in event.participants:
            target = min(min_meetings, who.max_meetings) - fixed_count.get(who.id, 0)
            if target <= 0 or not who.availability:
                continue
            j = len(cost)  # the shortfall column
            cost.append(FAIRNESS_WEIGHT * best)
            rows.append([*groups.get(("cap", who.id), []), j])
            lower.append(target)
            upper.append(np.inf)
        self.cost = np.asarray(cost, dtype=np.float64)
        self.upper_x = np.ones(len(cost))
        self.upper_x[self.n_x:] = np.inf
        r = np.repeat(np.arange(len(rows)), [len(x) for x in rows])
        c = np.fromiter((j for x in rows for j in x), dtype=np.int64, count=r.size)
        self.A = sp.csr_array((np.ones(r.size), (r, c)), shape=(len(rows), len(cost)))
        self.lower = np.asarray(lower, dtype=np.float64)
        self.upper = np.asarray(upper, dtype=np.float64)

    def start(self, plan: Mapping[Pair, int]) -> NDArray[np.float64]:
        """A feasible point from a plan (shortfalls filled in): the solver's MIP start."""
        x = np.zeros(self.cost.size)
        for j, (p, s) in enumerate(self.cols):
            if plan.get(p) == s:
                x[j] = 1.0
        missing = self.lower - self.A @ x
        for r in np.flatnonzero(np.isfinite(self.lower) & (missing > 0)):
            x[self.A.indices[self.A.indptr[r + 1] - 1]] += missing[r]  # its shortfall column
        return x

    def solve(self, time_limit: float,
              plan: Mapping[Pair, int]) -> tuple[dict[Pair, int], str, float | None]:
        """Solve within ``time_limit`` seconds; keep ``plan`` (the better greedy plan) if the
        solver does not beat it (status ``greedy``)."""
        if not self.n_x:
            return {}, "optimal", 0.0
        from scipy.optimize import Bounds, LinearConstraint, milp

        out = milp(self.cost, constraints=LinearConstraint(self.A, self.lower, self.upper),
                   integrality=np.ones(self.cost.size), bounds=Bounds(0, self.upper_x),
                   options={"time_limit": float(time_limit)})
        start_obj = float(self.cost @ self.start(plan))
        bound = getattr(out, "mip_dual_bound", None)
        if out.x is None or float(out.fun) > start_obj + 1e-9:
            gap = None if bound is None or not np.isfinite(bound) else \
                abs(start_obj - bound) / max(1e-9, abs(start_obj))
            return {p: s for p, s in plan.items() if p in self.pair_set}, "greedy", gap
        chosen = {p: s for (p, s), v in zip(self.cols, out.x[:self.n_x], strict=True)
                  if v > 0.5}
        gap = getattr(out, "mip_gap", None)
        status = "optimal" if out.status == 0 else "feasible"
        return chosen, status, None if gap is None else float(gap)

def _count(meetings: Iterable[Meeting]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for m in meetings:
        out[m.a] += 1
        out[m.b] += 1
    return out


def _fixed_value(event: EventInput, res: _Residual, fixed: Sequence[Meeting]) -> float:
    return sum(pair_value(event, res.by_id, m.a, m.b) for m in fixed)


def _result(event: EventInput, res: _Residual, fixed: Sequence[Meeting],
            prev: Mapping[Pair, Meeting], chosen: Mapping[Pair, int],
            eligible: Mapping[Pair, float], status: str, gap: float | None,
            greedy_value: float, min_meetings: int, n_cands: int, n_vars: int,
            seconds: float) -> Schedule:
    meetings = [Meeting(m.a, m.b, m.slot, m.table, pair_value(event, res.by_id, m.a, m.b))
                for m in fixed]
    used = {s: set(t) for s, t in res.used_tables.items()}
    pending: list[tuple[Pair, int]] = []
    for p, s in sorted(chosen.items(), key=lambda kv: (kv[1], kv[0])):
        old = prev.get(p)
        if old is not None and old.slot == s and old.table not in used.setdefault(s, set()) \
                and old.table <= event.tables:
            used[s].add(old.table)
            meetings.append(Meeting(p[0], p[1], s, old.table, eligible[p]))
        else:
            pending.append((p, s))
    for p, s in pending:  # the lowest free table, after the kept ones have theirs
        taken = used.setdefault(s, set())
        table = next(t for t in range(1, event.tables + 1) if t not in taken)
        taken.add(table)
        meetings.append(Meeting(p[0], p[1], s, table, eligible[p]))
    meetings.sort(key=lambda m: (m.slot, m.table))
    count: dict[str, int] = defaultdict(int)
    value: dict[str, float] = defaultdict(float)
    for m in meetings:
        for who in (m.a, m.b):
            count[who] += 1
            value[who] += m.value
    active = sorted(p.id for p in event.participants if p.availability and p.max_meetings > 0)
    worst_count = min((count[i] for i in active), default=0)
    worst_value_id = min(active, key=lambda i: (value[i], i)) if active else None
    targets = {p.id: min(min_meetings, p.max_meetings) for p in event.participants}
    kept = sum(1 for p, m in prev.items() if chosen.get(p) == m.slot)
    moved = sum(1 for p, m in prev.items() if p in chosen and chosen[p] != m.slot)
    return Schedule(
        meetings=meetings, status=status, value=sum(m.value for m in meetings),
        greedy_value=greedy_value, gap=gap, worst_count=worst_count,
        worst_count_ids=[i for i in active if count[i] == worst_count],
        worst_value=value[worst_value_id] if worst_value_id else 0.0,
        worst_value_id=worst_value_id,
        below_min=[i for i in active if count[i] < targets[i]], min_meetings=min_meetings,
        kept=kept, moved=moved, dropped=len(prev) - kept - moved, candidates=n_cands,
        variables=n_vars, seconds=seconds,
    )
