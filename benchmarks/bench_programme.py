"""Programme report and whole-programme meetings report on a demo store.

Measures, on one store (e.g. the bsc demo, 1,000 cities):

- the exposure pass (every city, four kinds, top 10) through the batch form of ``Engine.recommend``
  against one ``Engine.recommend`` call per city, on the same cities and the same fitted
  engine (the ratio is the batch path's speed-up);
- ``programme_report`` cold (pass included) and warm (cached for the store generation);
- the meetings report of experts for every city: the first page, then paging through all
  pages (200 rows each), checking that every city in scope appears exactly once.

Usage::

    .venv/bin/matchmaking --store sqlite:///demo/bsc.db init
    .venv/bin/matchmaking --store sqlite:///demo/bsc.db demo-data --scale bsc demo/bsc
    .venv/bin/matchmaking --store sqlite:///demo/bsc.db import demo/bsc
    .venv/bin/python benchmarks/bench_programme.py sqlite:///demo/bsc.db [--reference 200]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from graph_schema.store import open_store
from matchmaking.analytics import EXPOSURE_KINDS, Scope, programme_report
from matchmaking.engine import Engine
from matchmaking.reports import meetings


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--reference", type=int, default=200,
                    help="cities for the one-call-per-city reference (default 200)")
    args = ap.parse_args()
    store = open_store(args.store)
    engine = Engine(store, background=False)
    _, t_fit = timed(engine.fit)
    proj = engine.projection
    cities = [proj.ids[r] for r in Scope().cities(proj).tolist()]
    print(f"store {args.store}: {len(cities):,} cities; fit {t_fit:.1f} s\n")

    ref = cities[:args.reference]
    print(f"| kind | batch, {len(ref)} cities (s) | one call per city (s) | speed-up |")
    print("|---|---:|---:|---:|")
    for kind in EXPOSURE_KINDS:
        _, t_batch = timed(engine.recommend, kind, ref, k=10)
        _, t_one = timed(lambda kind=kind: [engine.recommend(kind, c, k=10) for c in ref])
        print(f"| {kind} | {t_batch:.2f} | {t_one:.2f} | {t_one / t_batch:.1f}x |")

    rep, t_cold = timed(programme_report, engine)
    _, t_warm = timed(programme_report, engine)
    rows = sum(len(t.rows) for t in rep.tables.values())
    print(f"\n| programme report, {rep.cities:,} cities | seconds |\n|---|---:|")
    print(f"| cold (exposure pass of 4 kinds included) | {t_cold:.1f} |")
    print(f"| warm (same store generation) | {t_warm:.2f} |")
    print(f"\n{rows:,} rows in {len(rep.tables)} tables")

    first, t_first = timed(meetings, engine, store, limit=200)
    seen: Counter[str] = Counter(m.city_id for m in first.meetings)
    pages, cursor = 1, first.next_cursor
    t0 = time.perf_counter()
    while cursor:
        page = meetings(engine, store, limit=200, cursor=cursor)
        seen.update(m.city_id for m in page.meetings)
        pages, cursor = pages + 1, page.next_cursor
    t_rest = time.perf_counter() - t0
    report = first.report
    complete = set(seen) == {m.city_id for m in report.meetings} and max(seen.values()) == 1
    print("\n| meetings report (experts, 1 per city) | |\n|---|---:|")
    print(f"| cities in scope | {report.cities_in_scope:,} |")
    print(f"| cities with a meeting, seen once each through paging | {len(seen):,} "
          f"({'complete' if complete else 'INCOMPLETE'}) |")
    print(f"| first page (whole report computed), s | {t_first:.1f} |")
    print(f"| the other {pages - 1} pages together, s | {t_rest:.3f} |")
    store.close()


if __name__ == "__main__":
    main()
