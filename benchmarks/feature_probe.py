"""What each engine feature alone would score on a world's held-out links (issue 8).

    .venv/bin/python benchmarks/feature_probe.py [--worlds eu] [--kind solutions]
        [--scales bsc] [--seeds 7]

For each world of ``benchmarks/run_evaluation.py`` (same datasets and splits), the engine is
trained on the training graph exactly as ``matchmaking evaluate`` does, and the held-out
subjects (cold-start ones aside) are ranked over every candidate, known ones excluded:

- by the served model (``Engine.recommend``, ungrouped: the number ``evaluate`` reports);
- by the served model's linear weights alone (the logistic part, also a tree model's
  tie-break);
- by each single feature (ties broken by popularity).

The table says which signals the data holds for a kind and how much of it the learned model
keeps: a single feature far above the served model is a signal the training question did
not reward (see docs/evaluation.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_evaluation import worlds  # noqa: E402

from graph_schema.interchange import import_dataset, iter_dataset_nodes, iter_dataset_rels  # noqa: E402,I001
from graph_schema.sqlite_store import SQLiteStore  # noqa: E402
from matchmaking.engine import Engine  # noqa: E402
from matchmaking.evaluation import K, _train_store  # noqa: E402
from matchmaking.evaluation.split import DefaultSplit  # noqa: E402
from matchmaking.evaluation.tasks import build_task  # noqa: E402
from matchmaking.evaluation.worlds import EU_ROOT  # noqa: E402
from matchmaking.filtering import RecommendOptions  # noqa: E402
from matchmaking.kinds import KINDS, Kind  # noqa: E402
from scoring.metrics import ndcg_at_k  # noqa: E402


def probe(folder: Path, split: object, kind: Kind, tmp: Path) -> dict[str, float | str]:
    """``{method: nDCG@10}`` for one world, and ``combiner``: the served model's name."""
    store = SQLiteStore(tmp / "world.db")
    store.init()
    import_dataset(store, folder)
    nodes, rels = list(iter_dataset_nodes(store)), list(iter_dataset_rels(store))
    store.close()
    parts = (split or DefaultSplit())(nodes, rels, 0)  # type: ignore[operator]
    (tmp / "train").mkdir()
    train = _train_store(parts, tmp / "train")
    engine = Engine(train, refresh_interval=3600, random_state=0).fit()
    task = build_task(kind, parts, max_cases=300, random_state=0)
    subjects = [s for s in task.relevant if s not in task.cold]
    snap = engine._snapshot()
    proj = snap.proj
    cands = [proj.ids[r] for r in snap.cands[kind]]
    X = engine._features(snap, kind, np.array([proj.index[s] for s in subjects]))
    known = [np.isin(cands, [task.candidates[i] for i in task.known_columns(s)] + [s])
             for s in subjects]

    def ndcg(scores: np.ndarray) -> float:
        out = []
        for j, s in enumerate(subjects):
            sc = np.where(known[j], -np.inf, scores[j])
            top = np.argsort(-sc, kind="stable")[:K]
            out.append(ndcg_at_k([cands[i] for i in top], task.relevant[s], K))
        return float(np.mean(out))

    model = engine.model(kind)
    served = [ndcg_at_k([r.id for r in engine.recommend(
        kind, s, k=K, options=RecommendOptions(group=False))], task.relevant[s], K)
        for s in subjects]
    names = list(KINDS[kind].features)
    tie = X[:, :, names.index("popularity")] * 1e-6 if "popularity" in names else 0.0
    rows: dict[str, float | str] = {
        "combiner": model.combiner.split(" (")[0], "served model": float(np.mean(served)),
        "served linear weights": ndcg(X @ model.vector())}
    rows.update({f"single {f}": ndcg(X[:, :, j] + tie) for j, f in enumerate(names)})
    engine.close()
    train.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--worlds", default="eu")
    parser.add_argument("--kind", default="solutions", choices=[k.value for k in Kind])
    parser.add_argument("--scales", default="bsc")
    parser.add_argument("--synthetic-cities", type=int, default=300)
    parser.add_argument("--seeds", default="7", help="synthetic seeds, comma-separated")
    parser.add_argument("--eu-root", type=Path, default=EU_ROOT)
    args = parser.parse_args()
    kind = Kind(args.kind)
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for i, world in enumerate(worlds(args, Path(tmp))):
            (Path(tmp) / f"p{i}").mkdir()
            results[world.name] = probe(world.folder, world.split, kind, Path(tmp) / f"p{i}")
    names = list(next(iter(results.values()))) if results else []
    print(f"| {kind.value}: nDCG@10 on held-out links | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for name in names:
        cells = [r.get(name, float("nan")) for r in results.values()]
        print(f"| {name} | " + " | ".join(c if isinstance(c, str) else f"{c:.3f}"
                                         for c in cells) + " |")


if __name__ == "__main__":
    main()
