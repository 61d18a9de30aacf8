"""The worlds of the offline evaluation and the targets each is held to (issue 8).

A *world* is a dataset, a split and, where the data's generator is known, an oracle:

- ``demo``: the demo ecosystem of :mod:`matchmaking.demo` (default split);
- ``synthetic``: the independent generator of :mod:`.synthetic` (default split, oracle);
- ``eu-latest``, ``eu-random``, ``eu-topics``: the real EU city-cooperation data, read from
  ``../shared/benchmarks/eu-city-cooperation`` when it is present (never copied into the
  repository). ``eu-latest`` holds out the most recent URBACT membership of each city with at
  least three; ``eu-random`` a random 20% of all memberships; ``eu-topics`` is ``eu-latest``
  on the topic-enriched graph (:func:`eu_topic_dataset`).

:func:`summary_table` turns an :class:`~matchmaking.evaluation.EvaluationResult` into one
row per kind with its ratios, the targets of issue 8 and whether they are met (on the
ungrouped lists; the grouped ``solutions`` lists are shown beside them).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from graph_schema import interchange
from graph_schema.schema import Label, Node, Rel, RelType
from matchmaking.evaluation import ENGINE, GROUPED, ORACLE, EvaluationResult, Oracle
from matchmaking.evaluation.split import LatestSplit, RandomSplit, SplitStrategy
from matchmaking.kinds import Kind

__all__ = ["EU_ROOT", "TARGETS", "WorldData", "eu_available", "eu_topic_dataset", "is_urbact",
           "summary_table", "target"]

#: Where the real data lives, beside the repository.
EU_ROOT = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "eu-city-cooperation"

#: Minimum hybrid/best-baseline nDCG@10 per kind in generated worlds (issue 8).
TARGETS: dict[str, float] = {"solutions": 1.25, "solutions (cold)": 1.25, "providers": 1.25,
                             "opportunities": 1.25, "leads": 1.25, "peers": 1.0, "experts": 1.0}
#: Minimum hybrid/best-baseline on the real splits, and hybrid/oracle in synthetic worlds.
REAL_TARGET = 1.2
ORACLE_TARGETS = {"solutions": 0.5, "opportunities": 0.5}


@dataclass
class WorldData:
    """A world ready to evaluate: a dataset folder, how to split it and maybe an oracle."""

    name: str
    folder: Path
    split: SplitStrategy | None
    oracle: Oracle | None
    real: bool
    kinds: tuple[Kind, ...] = tuple(Kind)


def is_urbact(rel: Rel) -> bool:
    """An URBACT network membership (the links the real splits hold out)."""
    return rel.type is RelType.IMPLEMENTED and rel.dst.startswith("urbact:")


def eu_available(root: Path = EU_ROOT) -> bool:
    """Whether the real data (its interchange folder and the URBACT tables) is present."""
    return (root / "interchange").is_dir() and (root / "urbact").is_dir()


def eu_worlds(root: Path, folder: Path) -> Iterator[WorldData]:
    """The three real-data worlds (the enriched graph is written under ``folder``)."""
    latest = LatestSplit(min_links=3, eligible=is_urbact)
    base = root / "interchange"
    yield WorldData("eu-latest", base, latest, None, True)
    yield WorldData("eu-random", base, RandomSplit(0.2), None, True)
    eu_topic_dataset(root, folder / "eu-topics")
    yield WorldData("eu-topics", folder / "eu-topics", latest, None, True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _read(path: Path) -> Iterator[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def eu_topic_dataset(root: Path, folder: Path) -> interchange.Counts:
    """Write the topic-enriched real graph to ``folder``.

    The interchange folder plus (1) a ``Topic`` per URBACT key word with ``COVERS`` from each
    network to the words of its ``Main.Key.Word`` and ``Additionnal.key.words`` columns
    (``urbact/UrbactNetworks_complete_V2.csv``; the interchange already holds most of them,
    duplicates are merged) and (2) ``NEEDS`` from each city to the key words (``Kwords``) of
    the good practices it published (``urbact/GoodPracticesURBACT_Corpus.csv``), so that
    the ``need`` features have something to read.
    """
    nodes = {str(o["id"]): Node(str(o["id"]), Label(str(o["label"])),
                                {k: v for k, v in o.items() if k not in ("id", "label")})
             for o in _read(interchange.dataset_file(root / "interchange", "nodes"))}
    rels = {(str(o["type"]), str(o["from"]), str(o["to"])): Rel(
        RelType(str(o["type"])), str(o["from"]), str(o["to"]),
        {k: v for k, v in o.items() if k not in ("type", "from", "to")})
        for o in _read(interchange.dataset_file(root / "interchange", "relationships"))}

    def topic(word: str) -> str | None:
        word = " ".join(word.split())
        if not _slug(word):
            return None
        tid = f"kw:{_slug(word)}"
        nodes.setdefault(tid, Node(tid, Label.TOPIC, {"name": word}))
        return tid

    with (root / "urbact" / "UrbactNetworks_complete_V2.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            net = f"urbact:{row['Code_Network'].strip()}"
            words = [row.get("Main.Key.Word") or "",
                     *(row.get("Additionnal.key.words") or "").split("/")]
            for tid in filter(None, map(topic, words)):
                if net in nodes:
                    rels.setdefault(("COVERS", net, tid), Rel(RelType.COVERS, net, tid, {}))
    with (root / "urbact" / "GoodPracticesURBACT_Corpus.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            gid = (row.get("geonameId") or "").split(".")[0].strip()
            city = f"gn:{gid}"
            if not gid or city not in nodes:
                continue
            for tid in filter(None, map(topic, (row.get("Kwords") or "").splitlines())):
                rels.setdefault(("NEEDS", city, tid), Rel(RelType.NEEDS, city, tid, {}))
    return interchange.write_dataset(
        folder, sorted(nodes.values(), key=lambda n: n.id), list(rels.values()),
        meta={"name": "EU city cooperation, topic-enriched (evaluation only)"})


def target(kind: str, slice_: str, real: bool) -> float:
    """The hybrid/best-baseline nDCG@10 that issue 8 asks for."""
    if real:
        return REAL_TARGET
    return TARGETS[kind if slice_ == "all" else f"{kind} (cold)"]


def summary_table(result: EvaluationResult, real: bool) -> str:
    """One Markdown row per kind and slice: nDCG@10, recall@10, the best baseline, the
    ratios, the targets (met or missed) and the combiner."""
    combiners = result.info.get("combiners")
    combiners = combiners if isinstance(combiners, dict) else {}
    has_oracle = any(r.method == ORACLE for r in result.rows)
    has_grouped = any(r.method == GROUPED for r in result.rows)
    head = ["kind", "subjects", "hybrid nDCG@10", "hybrid recall@10", "best baseline",
            "hybrid / best", "target"]
    if has_grouped:
        head.append("grouped nDCG@10")
    if has_oracle:
        head += ["oracle nDCG@10", "hybrid / oracle", "target"]
    head.append("combiner")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    order = [k.value for k in Kind]
    keys = sorted({(r.kind, r.slice) for r in result.rows},
                  key=lambda x: (order.index(x[0]), x[1]))
    for kind, slice_ in keys:
        rows = {r.method: r for r in result.rows if r.kind == kind and r.slice == slice_}
        ratios = result.ratios(kind, slice_)
        if ENGINE not in rows or ratios is None:
            continue
        hybrid = rows[ENGINE]
        best, vs_best, vs_oracle = ratios
        goal = target(kind, slice_, real)
        cells = [kind if slice_ == "all" else f"{kind} (cold start)", str(hybrid.cases),
                 f"{hybrid.ndcg:.3f}", f"{hybrid.recall:.3f}",
                 f"{best} {rows[best].ndcg:.3f}", f"{vs_best:.2f}x",
                 f"≥ {goal:.2f}x {'met' if vs_best >= goal else '**missed**'}"]
        if has_grouped:
            cells.append(f"{rows[GROUPED].ndcg:.3f}" if GROUPED in rows else "–")
        if has_oracle:
            o_goal = ORACLE_TARGETS.get(kind)
            cells += [f"{rows[ORACLE].ndcg:.3f}" if ORACLE in rows else "–",
                      "–" if vs_oracle is None else f"{vs_oracle:.2f}",
                      "–" if o_goal is None or vs_oracle is None else
                      f"≥ {o_goal:.2f} {'met' if vs_oracle >= o_goal else '**missed**'}"]
        cells.append(str(combiners.get(kind, "")) if slice_ == "all" else "")
        lines.append("| " + " | ".join(cells) + " |")
    for kind in [k for k in order if k not in {r.kind for r in result.rows}]:
        lines.append("| " + " | ".join([kind, "0", "no held-out links of this kind in the data",
                                        *["–"] * (len(head) - 3)]) + " |")
    return "\n".join(lines)
