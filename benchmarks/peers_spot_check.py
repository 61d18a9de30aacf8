"""Peers spot check: the top peers of 20 well-known cities of the demo, with their first reason.

    .venv/bin/python benchmarks/peers_spot_check.py [--scale bsc] [--k 5]

Generates the demo (seed 42), imports it into a temporary SQLite store, fits the engine and
prints, as Markdown: the learned ``peers`` weights, then per city its top ``k`` peers with
the first reason of each. A peer that is part of the city's own place (same ``part_of`` top
city, or within the urban radius; see :mod:`matchmaking.kinds.peers`) is flagged **PART**,
and the closing line counts them and the peers none of whose reasons names shared needs,
KPIs, partners or implementations. The output is recorded in docs/evaluation.md
("Peers spot check"); ``tests/matchmaking/test_peers.py`` asserts the same on the small demo.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from graph_schema.interchange import import_dataset
from graph_schema.sqlite_store import SQLiteStore
from matchmaking.demo import write_dataset
from matchmaking.engine import Engine, Recommendation
from matchmaking.kinds import Kind
from matchmaking.kinds.peers import EARTH_KM, near_km

#: Well-known cities of the bsc demo (seed 42), most of them with districts in the data.
WELL_KNOWN: tuple[str, ...] = (
    "city:at-vienna", "city:us-new-york-city", "city:de-berlin", "city:be-gent",
    "city:gb-london", "city:fr-paris", "city:jp-tokyo", "city:br-sao-paulo",
    "city:mx-mexico-city", "city:es-barcelona", "city:nl-amsterdam", "city:de-hamburg",
    "city:ru-moscow", "city:in-mumbai", "city:cn-shanghai", "city:au-sydney",
    "city:za-cape-town", "city:hu-budapest", "city:ua-kyiv", "city:ro-bucharest",
)
#: Openings of the reasons that name shared needs, KPIs, partners or implementations.
TELLING = ("Shares your needs", "Lags on the same KPIs", "Partners with",
           "Already implemented", "Implemented the same solutions", "Has advisers in common")


def telling(rec: Recommendation) -> bool:
    """Whether one of the reasons names shared needs, KPIs, partners or implementations."""
    return any(r.startswith(TELLING) for r in rec.reasons)


def same_place(engine: Engine, subject: str, peers: list[str]) -> list[bool]:
    """For each peer, whether it is part of the subject's own place, checked on the data
    (not with the engine's own mask): one ``part_of`` top city, or closer than the urban
    radius (:func:`matchmaking.kinds.peers.near_km`) of the larger of the two."""
    proj = engine.projection

    def top(cid: str) -> str:
        seen = {cid}
        while (up := proj.props[proj.index[cid]].get("part_of")) and up not in seen:
            seen.add(up)
            cid = up
        return cid

    def where(cid: str) -> tuple[float, float, float]:
        p = proj.props[proj.index[cid]]
        return float(p.get("lat", "nan")), float(p.get("lon", "nan")), float(
            p.get("population") or 0)

    lat, lon, pop = where(subject)
    out = []
    for peer in peers:
        plat, plon, ppop = where(peer)
        a = math.sin(math.radians(plat - lat) / 2) ** 2 + math.cos(math.radians(lat)) * \
            math.cos(math.radians(plat)) * math.sin(math.radians(plon - lon) / 2) ** 2
        km = 2 * EARTH_KM * math.asin(math.sqrt(min(1.0, a)))
        reach = float(near_km(np.array([max(pop, ppop)]))[0])
        out.append(top(peer) == top(subject) or km < reach)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="bsc")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_dataset(Path(tmp), scale=args.scale, seed=42)
        store = SQLiteStore(Path(tmp) / "spot.db")
        store.init()
        assert import_dataset(store, Path(tmp)).ok
        started = time.perf_counter()
        engine = Engine(store, background=False, persist=False).fit()
        model = engine.model(Kind.PEERS)
        print(f"Demo {args.scale}, seed 42; engine fitted in {time.perf_counter() - started:.0f} s;"
              f" peers combiner: {model.combiner}.\n")
        print("Learned peers weights: " + ", ".join(
            f"{f} {w:.3f}" for f, w in sorted(model.weights.items(), key=lambda x: -x[1])) + "\n")
        print("| city | top peers (first reason) |\n|---|---|")
        parts = dull = total = 0
        for cid in WELL_KNOWN:
            if cid not in engine.projection.index:
                print(f"| {cid} | (not in this demo) |")
                continue
            recs = engine.recommend(Kind.PEERS, cid, k=args.k)
            flags = same_place(engine, cid, [r.id for r in recs])
            cells = []
            for r, part in zip(recs, flags, strict=True):
                total += 1
                parts += part
                dull += not telling(r)
                cells.append(f"{'**PART** ' if part else ''}{r.name} ({r.reasons[0]})")
            name = engine.projection.name(engine.projection.index[cid])
            print(f"| {name} | {'; '.join(cells)} |")
        print(f"\n{total} peers: {parts} part of the city itself, {dull} without a reason naming "
              "shared needs, KPIs, partners or implementations.")
        engine.close()
        store.close()


if __name__ == "__main__":
    main()
