"""What each recommendation kind is asked to predict, from a split.

For every kind: the interaction matrix of the training graph (subjects × candidates; the
collaborative baselines learn from it), the held-out relevant candidates per subject, and
the documents the content baseline compares.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from graph_schema.schema import Label, Node, Rel, RelType
from matchmaking.evaluation.split import Split
from matchmaking.kinds import KINDS, Kind


def kind_pairs(kind: Kind, rels: Iterable[Rel]) -> set[tuple[str, str]]:
    """(subject, candidate) pairs that count as a positive for ``kind`` (its
    :attr:`~matchmaking.kinds.KindSpec.positive` rule)."""
    return KINDS[kind].positive.pairs(rels)


@dataclass
class Task:
    """One kind's evaluation problem on one split."""

    kind: Kind
    subjects: list[str]
    candidates: list[str]
    interactions: sp.csr_array  # len(subjects) × len(candidates), training positives
    relevant: dict[str, set[str]]  # subject -> held-out candidates
    cold: set[str] = field(default_factory=set)  # subjects of the cold-start slice
    row_of: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.row_of = {s: i for i, s in enumerate(self.subjects)}

    def known_columns(self, subject: str) -> np.ndarray:
        """Candidate columns the subject already has in the training graph."""
        row = self.row_of[subject]
        m = self.interactions
        return m.indices[m.indptr[row] : m.indptr[row + 1]]


def open_members(nodes: Iterable[Node]) -> set[str]:
    return {
        n.id for n in nodes if n.label is Label.MEMBER and n.props.get("open_to_matches", True)
    }


def build_task(kind: Kind, split: Split, *, max_cases: int | None, random_state: int) -> Task:
    spec = KINDS[kind]
    subjects = sorted(n.id for n in split.nodes if n.label is spec.subject)
    candidates = sorted(n.id for n in split.nodes if n.label is spec.candidate)
    if spec.candidate is Label.MEMBER:  # only members open to matches are candidates
        allowed = open_members(split.nodes)
        candidates = [c for c in candidates if c in allowed]
    s_index = {s: i for i, s in enumerate(subjects)}
    c_index = {c: i for i, c in enumerate(candidates)}
    train = {
        p for p in kind_pairs(kind, split.train) if p[0] in s_index and p[1] in c_index
    }
    rows = [s_index[s] for s, _ in sorted(train)]
    cols = [c_index[c] for _, c in sorted(train)]
    interactions = sp.csr_array(
        (np.ones(len(rows)), (rows, cols)), shape=(len(subjects), len(candidates))
    )
    relevant: dict[str, set[str]] = defaultdict(set)
    for s, c in sorted(kind_pairs(kind, split.test)):
        if s in s_index and c in c_index and (s, c) not in train and s != c:
            relevant[s].add(c)
    chosen = sorted(relevant)
    if max_cases is not None and len(chosen) > max_cases:
        rng = np.random.default_rng(random_state)
        chosen = sorted(rng.choice(chosen, size=max_cases, replace=False).tolist())
    cold: set[str] = set()
    if spec.subject is Label.CITY and spec.candidate is Label.SOLUTION:  # new cities' first picks
        cold = {s for s in relevant if s in split.cold_cities}
        chosen = sorted(set(chosen) | cold)
    return Task(kind, subjects, candidates, interactions, {s: relevant[s] for s in chosen}, cold)


def documents(nodes: list[Node], rels: Iterable[Rel]) -> dict[str, str]:
    """A text per node: its name and description or bio, plus the names of the topics it
    needs, covers or is expert in, and for providers the solutions they offer."""
    by_id = {n.id: n for n in nodes}

    def own(n: Node) -> str:
        p = n.props
        return " ".join(str(p.get(k, "")) for k in ("name", "description", "bio"))

    extra: dict[str, list[str]] = defaultdict(list)
    for r in rels:
        if r.type in (RelType.NEEDS, RelType.COVERS, RelType.EXPERT_IN) and r.dst in by_id:
            extra[r.src].append(str(by_id[r.dst].props.get("name", "")))
        elif r.type is RelType.OFFERS and r.dst in by_id:
            extra[r.src].append(own(by_id[r.dst]))
    return {n.id: " ".join([own(n), *extra.get(n.id, [])]) for n in nodes}
