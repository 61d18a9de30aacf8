"""Offline evaluation: the hybrid engine against baselines, on held-out links.

``evaluate(store)`` reads the graph, splits it (:mod:`.split`), writes the training graph to
a temporary embedded store, trains the engine there, and ranks the held-out links with the
engine and with every baseline (:mod:`.baselines`) on the same split. It reports, per kind
and method, nDCG@10, recall@10, MRR, catalogue coverage and the Gini coefficient of exposure
(across providers for ``solutions`` and ``providers``; across candidates otherwise).

The split is pluggable (``split=``: :class:`~.split.DefaultSplit`, :class:`~.split.LatestSplit`,
:class:`~.split.RandomSplit`). Given an ``oracle`` (the true scores of a subject's
candidates, e.g. :meth:`.synthetic.SyntheticWorld.oracle`), the ranking by true utility is
reported as the method ``oracle``, with the same exclusions and held-out links, and
:meth:`EvaluationResult.ratios` gives hybrid/best baseline and hybrid/oracle.
"""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from graph_schema.interchange import iter_dataset_nodes, iter_dataset_rels
from graph_schema.schema import Label, Rel, RelType
from graph_schema.sqlite_store import SQLiteStore
from graph_schema.store import GraphStore
from matchmaking.evaluation.baselines import ALS_MISSING, als_available, fit_baselines, top_k
from matchmaking.evaluation.grouped import GROUPED, grouped_lists
from matchmaking.evaluation.split import DefaultSplit, Split, SplitStrategy
from matchmaking.evaluation.tasks import Task, build_task, documents
from matchmaking.filtering import RecommendOptions
from matchmaking.kinds import KINDS, Kind, kind_of
from scoring.metrics import catalogue_coverage, gini, ndcg_at_k, recall_at_k, reciprocal_rank

ENGINE = "hybrid"
ORACLE = "oracle"
#: Methods that are not baselines (the hybrid's lift is measured over the others).
NOT_BASELINES = frozenset({ENGINE, ORACLE, GROUPED})
K = 10



def is_baseline(method: str) -> bool:
    """Whether a method row is a baseline (not the hybrid, a variant of it, or the oracle)."""
    return method not in NOT_BASELINES and not method.startswith(ENGINE)


#: ``oracle(kind, subject, candidates)``: the true utility of each candidate for the subject.
Oracle = Callable[[str, str, Sequence[str]], np.ndarray]


@dataclass
class Row:
    kind: str
    slice: str
    method: str
    cases: int
    ndcg: float
    recall: float
    mrr: float
    coverage: float
    gini: float


@dataclass
class EvaluationResult:
    rows: list[Row] = field(default_factory=list)
    info: dict[str, object] = field(default_factory=dict)

    def lift(self, kind: str, slice_: str = "all") -> tuple[str, float] | None:
        """(best baseline, hybrid nDCG / best baseline nDCG - 1) for one kind and slice."""
        ratios = self.ratios(kind, slice_)
        if ratios is None:
            return None
        best, vs_baseline, _ = ratios
        return best, vs_baseline - 1.0

    def ratios(self, kind: str, slice_: str = "all") -> tuple[str, float, float | None] | None:
        """(best baseline, hybrid/best baseline nDCG@10, hybrid/oracle nDCG@10 or ``None``
        without an oracle) for one kind and slice; ``None`` without a hybrid or baseline."""
        rows = [r for r in self.rows if r.kind == kind and r.slice == slice_]
        hybrid = next((r for r in rows if r.method == ENGINE), None)
        oracle = next((r for r in rows if r.method == ORACLE), None)
        others = [r for r in rows if is_baseline(r.method)]
        if hybrid is None or not others:
            return None
        best = max(others, key=lambda r: (r.ndcg, r.method))
        vs_oracle = None if oracle is None else _ratio(hybrid.ndcg, oracle.ndcg)
        return best.method, _ratio(hybrid.ndcg, best.ndcg), vs_oracle

    def to_json(self) -> dict[str, object]:
        return {"info": self.info, "rows": [asdict(r) for r in self.rows]}


def _ratio(a: float, b: float) -> float:
    if b == 0:
        return float("inf") if a > 0 else 1.0
    return a / b


def _providers_of_solutions(rels: Iterable[Rel]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for r in rels:
        if r.type is RelType.OFFERS:
            out[r.dst].append(r.src)
    return out


def _score_lists(
    task: Task, ranked: dict[str, list[str]], offers: dict[str, list[str]], subjects: set[str]
) -> tuple[int, float, float, float, float, float]:
    cases = [s for s in task.relevant if s in subjects]
    if not cases:
        return 0, 0.0, 0.0, 0.0, 0.0, 0.0
    ndcg = float(np.mean([ndcg_at_k(ranked[s], task.relevant[s], K) for s in cases]))
    recall = float(np.mean([recall_at_k(ranked[s], task.relevant[s], K) for s in cases]))
    mrr = float(np.mean([reciprocal_rank(ranked[s], task.relevant[s]) for s in cases]))
    lists = [ranked[s] for s in cases]
    coverage = catalogue_coverage(lists, len(task.candidates))
    exposure: defaultdict[str, float] = defaultdict(float)
    candidate = KINDS[task.kind].candidate
    for recs in lists:
        for item in recs:
            if candidate is Label.SOLUTION:  # a solution's exposure goes to its sellers
                sellers = offers.get(item, [])
                for p in sellers:
                    exposure[p] += 1.0 / len(sellers)
            else:
                exposure[item] += 1.0
    if candidate in (Label.SOLUTION, Label.PROVIDER):
        universe = sorted({p for ps in offers.values() for p in ps})
    else:
        universe = task.candidates
    g = gini([exposure.get(x, 0.0) for x in universe]) if universe else float("nan")
    return len(cases), ndcg, recall, mrr, coverage, g


def _train_store(split: Split, folder: Path) -> SQLiteStore:
    store = SQLiteStore(folder / "train.db")
    store.init()
    for i in range(0, len(split.nodes), 5000):
        store.write(nodes=split.nodes[i : i + 5000])
    for i in range(0, len(split.train), 5000):
        store.write(rels=split.train[i : i + 5000])
    return store


def evaluate(
    store: GraphStore,
    kinds: Sequence[Kind | str] = tuple(Kind),
    *,
    test_fraction: float = 0.2,
    cold_fraction: float = 0.1,
    max_cases: int | None = 300,
    random_state: int = 0,
    split: SplitStrategy | None = None,
    oracle: Oracle | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> EvaluationResult:
    """Run the offline evaluation on the graph in ``store`` (see the module docstring).

    Parameters
    ----------
    store : GraphStore
        The whole graph; it is read, never written.
    kinds : sequence of Kind or str
        The kinds to evaluate.
    test_fraction, cold_fraction : float
        The default split's parameters (ignored when ``split`` is given).
    max_cases : int or None
        Subjects sampled per kind (the cold-start slice is always whole).
    random_state : int
        Seed of the split, the case sample and the engine.
    split : SplitStrategy, optional
        Another split (:mod:`matchmaking.evaluation.split`); default: ``DefaultSplit``.
    oracle : callable, optional
        ``oracle(kind, subject, candidates)`` -> true scores; adds the method row
        ``oracle`` (ranked with the same exclusions as every method).
    log : callable
        Progress lines.

    Returns
    -------
    EvaluationResult
    """
    from matchmaking.engine import Engine

    started = time.perf_counter()
    nodes = list(iter_dataset_nodes(store))
    rels = list(iter_dataset_rels(store))
    strategy = split or DefaultSplit(test_fraction=test_fraction, cold_fraction=cold_fraction)
    parts = strategy(nodes, rels, random_state)
    log(f"split ({strategy.name}): {len(parts.train):,} training and "
        f"{len(parts.test):,} held-out links "
        f"({'by year' if parts.temporal else 'at random'}); "
        f"{len(parts.cold_cities)} cold-start cities")
    result = EvaluationResult(info={
        "nodes": len(nodes), "relationships": len(rels), "train": len(parts.train),
        "test": len(parts.test), "temporal": parts.temporal, "split": strategy.name,
        "cold_cities": len(parts.cold_cities), "k": K, "random_state": random_state,
    })
    docs = documents(nodes, parts.train)
    combiners: dict[str, str] = {}
    result.info["combiners"] = combiners
    als = als_available()
    if not als:
        result.info["notes"] = [ALS_MISSING]
        log(f"note: {ALS_MISSING}")
    offers = _providers_of_solutions(parts.train)
    with tempfile.TemporaryDirectory() as tmp:
        train_store = _train_store(parts, Path(tmp))
        t0 = time.perf_counter()
        engine = Engine(train_store, refresh_interval=3600, random_state=random_state).fit()
        log(f"engine trained in {time.perf_counter() - t0:.1f} s")
        for kind in map(kind_of, kinds):
            task = build_task(kind, parts, max_cases=max_cases, random_state=random_state)
            if not task.relevant:
                log(f"{kind}: no held-out links, skipped")
                continue
            combiners[kind.value] = engine.model(kind).combiner
            log(f"{kind}: {combiners[kind.value]}")
            methods: dict[str, dict[str, list[str]]] = {ENGINE: {}}
            ungrouped = RecommendOptions(group=False)  # the targets hold on ungrouped lists
            for subject in task.relevant:
                recs = engine.recommend(kind, subject, k=K, options=ungrouped)
                methods[ENGINE][subject] = [r.id for r in recs]
            scorers: list[tuple[str, Callable[[str], np.ndarray]]] = [
                (b.name, b.scores)
                for b in fit_baselines(task, nodes, parts.train, docs, random_state, als=als)
            ]
            if oracle is not None:
                scorers.append((ORACLE, _oracle_scores(oracle, kind, task.candidates)))
            for name, score_of in scorers:
                lists = methods[name] = {}
                for subject in task.relevant:
                    exclude = task.known_columns(subject)
                    if KINDS[kind].subject is KINDS[kind].candidate:  # never oneself
                        exclude = np.append(exclude, task.candidates.index(subject))
                    lists[subject] = top_k(score_of(subject), task.candidates, exclude, K)
            slices = {"all": set(task.relevant) - task.cold}
            if task.cold:
                slices["cold"] = task.cold
            for slice_name, subjects in slices.items():
                for method, ranked in methods.items():
                    n, ndcg, recall, mrr, cov, g = _score_lists(task, ranked, offers, subjects)
                    if n:
                        result.rows.append(
                            Row(kind, slice_name, method, n, ndcg, recall, mrr, cov, g)
                        )
                if kind is Kind.SOLUTIONS:  # beside the targets: one idea once
                    lists, seen = grouped_lists(engine, task, subjects, K)
                    n, *scores = _score_lists(seen, lists, offers, subjects)
                    if n:
                        result.rows.append(Row(kind, slice_name, GROUPED, n, *scores))
            log(f"{kind}: {len(task.relevant)} subjects evaluated")
        train_store.close()
    result.info["seconds"] = round(time.perf_counter() - started, 1)
    return result


def _oracle_scores(
    oracle: Oracle, kind: Kind, candidates: list[str]
) -> Callable[[str], np.ndarray]:
    return lambda subject: np.asarray(oracle(kind.value, subject, candidates), dtype=float)


def format_table(result: EvaluationResult) -> str:
    """A Markdown table per kind and slice, with the hybrid's lift over the best baseline."""
    lines: list[str] = []
    keys = sorted({(r.kind, r.slice) for r in result.rows},
                  key=lambda x: ([k.value for k in Kind].index(x[0]), x[1]))
    for kind, slice_ in keys:
        rows = [r for r in result.rows if r.kind == kind and r.slice == slice_]
        title = kind if slice_ == "all" else f"{kind} (cold start)"
        lines += [f"### {title}: {rows[0].cases} subjects", "",
                  "| method | nDCG@10 | recall@10 | MRR | coverage | Gini |",
                  "|---|---:|---:|---:|---:|---:|"]
        for r in sorted(rows, key=lambda r: (r.method != ENGINE, -r.ndcg, r.method)):
            g = "n/a" if r.gini != r.gini else f"{r.gini:.3f}"  # NaN: no providers to expose
            lines.append(f"| {r.method} | {r.ndcg:.4f} | {r.recall:.4f} | {r.mrr:.4f} "
                         f"| {r.coverage:.3f} | {g} |")
        ratios = result.ratios(kind, slice_)
        if ratios:
            best, vs_baseline, vs_oracle = ratios
            lines += ["", f"hybrid vs best baseline ({best}): {vs_baseline - 1:+.1%} nDCG@10 "
                      f"({vs_baseline:.2f}x)"]
            if vs_oracle is not None:
                lines.append(f"hybrid / oracle: {vs_oracle:.2f} of the attainable nDCG@10")
        combiners = result.info.get("combiners")
        if isinstance(combiners, dict) and kind in combiners and slice_ == "all":
            lines += ["", f"hybrid combiner: {combiners[kind]}"]
        lines.append("")
    notes = result.info.get("notes")
    if isinstance(notes, list):
        lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)


def plot(result: EvaluationResult, folder: Path, prefix: str = "") -> list[Path]:
    """One PNG per kind: nDCG@10 and recall@10 of every method (cold start hatched)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in [k for k in Kind if any(r.kind == k for r in result.rows)]:
        rows = [r for r in result.rows if r.kind == kind]
        labels = [f"{r.method}\n(cold)" if r.slice == "cold" else r.method for r in rows]
        x = np.arange(len(rows))
        fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(rows) + 2), 3.6))
        ax.bar(x - 0.2, [r.ndcg for r in rows], 0.4, label="nDCG@10")
        ax.bar(x + 0.2, [r.recall for r in rows], 0.4, label="recall@10")
        for i, r in enumerate(rows):
            if r.method == ENGINE:
                ax.axvspan(i - 0.45, i + 0.45, color="gold", alpha=0.25, lw=0)
        ax.set_xticks(x, labels, fontsize=8)
        ax.set_ylabel("score")
        ax.set_title(f"{prefix}{kind}: held-out links ({rows[0].cases} subjects)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = folder / f"{prefix.strip().replace(' ', '-').lower()}{kind}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths
