"""Cost of the always-fresh privacy overlay (issue 9, item 10) on the demo ecosystem.

Builds the demo dataset into a temporary SQLite store and measures, in one run:

- ``PrivacyOverlay.current()`` when nothing changed (one generation read), per call;
- the same after a write that cannot change privacy (a Topic: no reload);
- the same after a Member write (a reload of opted-out members and negative feedback);
- ``Engine.recommend("experts", ...)`` with the overlay, against the same call with the
  overlay check skipped (the reference), rotating over cities, warm.

    .venv/bin/python benchmarks/bench_privacy.py --scale bsc
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from report import print_measures  # benchmarks/report.py (this folder is on the path)


def _per_call_us(fn: object, n: int) -> tuple[float, float]:
    """(median, p99) microseconds per call of ``fn`` over ``n`` calls."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    return statistics.median(times), times[int(0.99 * (len(times) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="bsc", choices=["tiny", "small", "bsc", "x10"])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--calls", type=int, default=5000)
    ap.add_argument("--requests", type=int, default=400)
    args = ap.parse_args()

    from graph_schema.interchange import import_dataset
    from graph_schema.schema import Label, Node
    from graph_schema.sqlite_store import SQLiteStore
    from matchmaking.demo import write_dataset
    from matchmaking.engine import Engine
    from matchmaking.privacy import PrivacyOverlay

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        data, db = Path(tmp) / "data", Path(tmp) / "graph.db"
        write_dataset(data, scale=args.scale, seed=args.seed)
        store = SQLiteStore(db)
        store.init()
        assert import_dataset(store, data).ok
        counts = store.counts()
        rows.append(("dataset", f"{args.scale}: {sum(counts.nodes.values()):,} nodes, "
                                f"{sum(counts.rels.values()):,} relationships"))
        rows.append(("load average (1, 5, 15 min)",
                     ", ".join(f"{x:.2f}" for x in os.getloadavg())))

        overlay = PrivacyOverlay(store)
        state = overlay.current()
        rows.append(("hidden members / declined pairs",
                     f"{len(state.hidden):,} / {len(state.declined):,}"))
        med, p99 = _per_call_us(overlay.current, args.calls)
        rows.append(("overlay check, unchanged (median / p99)", f"{med:.1f} / {p99:.1f} µs"))

        member = next(iter(store.iter_nodes(Label.MEMBER)))
        for what, node in (
            ("Topic", lambda: Node("topic:bench", Label.TOPIC, {"name": str(time.time())})),
            ("Member", lambda: Node(member.id, Label.MEMBER, {"bio": str(time.time())})),
        ):
            after: list[float] = []
            for _ in range(50):
                store.write(nodes=[node()])
                t0 = time.perf_counter()
                overlay.current()
                after.append((time.perf_counter() - t0) * 1e3)
            after.sort()
            rows.append((f"overlay check after a {what} write (median / max)",
                         f"{statistics.median(after):.3f} / {after[-1]:.3f} ms"))

        engine = Engine(store, background=False, refresh_interval=3600)
        engine.refresh(force=True)
        cities = [n.id for n in store.iter_nodes(Label.CITY)][:200]
        engine.recommend("experts", cities[0])
        it = iter(range(10**9))

        def rec() -> None:
            engine.recommend("experts", cities[next(it) % len(cities)])

        with_med, with_p99 = _per_call_us(rec, args.requests)
        real = engine.privacy
        state = real.current()

        class Skip:  # the reference: the same engine without the per-request check
            def current(self) -> object:
                return state

        engine.privacy = Skip()  # type: ignore[assignment]
        ref_med, ref_p99 = _per_call_us(rec, args.requests)
        engine.privacy = real
        rows.append(("recommend experts, no overlay check (median / p99)",
                     f"{ref_med / 1000:.2f} / {ref_p99 / 1000:.2f} ms"))
        rows.append(("recommend experts, with overlay check (median / p99)",
                     f"{with_med / 1000:.2f} / {with_p99 / 1000:.2f} ms"))
        rows.append(("ratio with / without (median)", f"{with_med / ref_med:.3f}"))
        store.close()

    print_measures(rows, markdown=True)


if __name__ == "__main__":
    main()
