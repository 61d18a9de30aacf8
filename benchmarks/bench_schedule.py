"""Meeting scheduler (CP-SAT) against the greedy baseline, on synthetic events.

Prints a table per event size: time, status and gap of the solver, total value of the
solver's and the greedy schedule (best pair first, earliest slot; computed in the same call),
the ratio of the two, and the worst-served participant.

    .venv/bin/python benchmarks/bench_schedule.py [--sizes 100,500] [--time-limit 55]
        [--min-meetings 0,2] [--top-n N]

Synthetic events: 40% cities, 35% providers, 25% experts, each with a latent interest
profile (Dirichlet over 12 topics). A pair's value is the dot product of the two profiles
for the pairs the engine scores (city-provider, city-expert, city-city), in both
directions with some asymmetry, as the engine's scores would be. Half the participants are
there all day, the others for a window of 4-10 slots; ``max_meetings`` is 3-8; 30% want one
to three others, 5% avoid one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os

import numpy as np

from matchmaking.scheduling import DEFAULT_TOP_N, EventInput, Participant, pair_key, schedule


def synthetic_event(n: int, slots: int, tables: int, seed: int = 0) -> EventInput:
    """A reproducible synthetic event of ``n`` participants (see the module docstring)."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(["city", "provider", "expert"], size=n, p=[0.4, 0.35, 0.25])
    ids = [f"{k}:{i:04d}" for i, k in enumerate(kinds)]
    profile = rng.dirichlet(np.full(12, 0.3), size=n)
    values: dict[tuple[str, str], float] = {}
    cities = [i for i in range(n) if kinds[i] == "city"]
    for i in cities:
        for j in range(n):
            if j == i or (kinds[j] == "city" and j < i):
                continue
            forward = float(profile[i] @ profile[j])
            back = forward * rng.uniform(0.5, 1.5)
            v = round(forward + back, 4)
            if v > 0.05:
                values[pair_key(ids[i], ids[j])] = v
    people = []
    for i in range(n):
        if rng.random() < 0.5:
            avail = frozenset(range(slots))
        else:
            width = int(rng.integers(4, min(10, slots) + 1))
            start = int(rng.integers(0, slots - width + 1))
            avail = frozenset(range(start, start + width))
        wants = frozenset(ids[j] for j in rng.choice(n, size=int(rng.integers(1, 4)),
                                                    replace=False) if j != i) \
            if rng.random() < 0.3 else frozenset()
        avoids = frozenset({ids[int(rng.integers(0, n))]} - {ids[i]}) \
            if rng.random() < 0.05 else frozenset()
        people.append(Participant(ids[i], avail, int(rng.integers(3, 9)), wants, avoids))
    return EventInput(slots=slots, tables=tables, participants=people, values=values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,500")
    ap.add_argument("--time-limit", type=float, default=55.0,
                    help="solver limit for the 500-participant event (100: 4 s)")
    ap.add_argument("--min-meetings", default="0,2",
                    help="fairness targets to run, comma-separated")
    ap.add_argument("--top-n", type=int, default=DEFAULT_TOP_N)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print(f"date {dt.date.today()}, {os.cpu_count()} CPUs, load average {load:.1f}, "
          f"top_n {args.top_n}, seed {args.seed}")
    head = ("participants", "slots", "tables", "min", "candidates", "vars", "limit s",
            "time s", "status", "gap", "meetings", "value", "greedy", "value/greedy",
            "worst n", "below min")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for n in (int(x) for x in args.sizes.split(",")):
        tables = 100 if n >= 500 else max(1, n // 5)
        ev = synthetic_event(n, 12, tables, seed=args.seed)
        limit = args.time_limit if n >= 500 else 4.0
        for mm in (int(x) for x in args.min_meetings.split(",")):
            s = schedule(ev, time_limit=limit, min_meetings=mm, top_n=args.top_n)
            gap = "-" if s.gap is None else f"{s.gap:.2%}"
            ratio = s.value / s.greedy_value if s.greedy_value else float("nan")
            print("| " + " | ".join(str(x) for x in (
                n, ev.slots, ev.tables, mm, s.candidates, s.variables, limit,
                f"{s.seconds:.1f}", s.status, gap, len(s.meetings), f"{s.value:.1f}",
                f"{s.greedy_value:.1f}", f"{ratio:.3f}", s.worst_count,
                len(s.below_min))) + " |")


if __name__ == "__main__":
    main()
