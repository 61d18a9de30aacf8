"""Held-out links for offline evaluation.

One split serves every kind, so the engine is trained once on the training graph:

- ``IMPLEMENTED`` (solutions, providers, leads) and ``ADVISED`` (experts, opportunities):
  per subject, the most recent ``test_fraction`` of its links where years exist (at least one
  link kept for training), otherwise a random share;
- ``PARTNERS_WITH`` (peers): a random share of ties;
- a cold-start slice: ``cold_fraction`` of the cities with implementations lose *all* of
  their ``IMPLEMENTED`` links.

Every random draw uses ``random_state``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from graph_schema.schema import Node, Rel, RelType


@dataclass
class Split:
    """Training graph and held-out links."""

    nodes: list[Node]
    train: list[Rel]
    test: list[Rel]
    cold_cities: set[str] = field(default_factory=set)
    temporal: bool = False


def _by_recency(rels: list[Rel], rng: np.random.Generator) -> tuple[list[Rel], bool]:
    """Oldest first, random order within a year; ``True`` if every link has a year."""
    keys = rng.random(len(rels))
    years = [r.props.get("year") for r in rels]
    temporal = all(isinstance(y, int) for y in years)
    order = sorted(
        range(len(rels)),
        key=lambda i: ((years[i] if temporal else 0), keys[i]),
    )
    return [rels[i] for i in order], temporal


def split_links(
    nodes: Iterable[Node],
    rels: Iterable[Rel],
    *,
    test_fraction: float = 0.2,
    cold_fraction: float = 0.1,
    random_state: int = 0,
) -> Split:
    """Split a graph into a training graph and held-out links (see the module docstring)."""
    rng = np.random.default_rng(random_state)
    nodes = list(nodes)
    keep: list[Rel] = []
    by_subject: dict[tuple[RelType, str], list[Rel]] = defaultdict(list)
    partners: list[Rel] = []
    for rel in rels:
        if rel.type in (RelType.IMPLEMENTED, RelType.ADVISED):
            by_subject[(rel.type, rel.src)].append(rel)
        elif rel.type is RelType.PARTNERS_WITH:
            partners.append(rel)
        elif rel.type is not RelType.FEEDBACK:
            keep.append(rel)
    implementers = sorted(src for (t, src) in by_subject if t is RelType.IMPLEMENTED)
    n_cold = int(round(cold_fraction * len(implementers)))
    cold = set(rng.choice(implementers, size=n_cold, replace=False)) if n_cold else set()
    test: list[Rel] = []
    all_temporal = True
    for (rel_type, subject), links in sorted(by_subject.items()):
        ordered, temporal = _by_recency(links, rng)
        all_temporal &= temporal
        if rel_type is RelType.IMPLEMENTED and subject in cold:
            test += ordered
            continue
        n_test = min(len(ordered) - 1, int(np.ceil(test_fraction * len(ordered))))
        if len(ordered) < 2 or n_test <= 0:
            keep += ordered
            continue
        keep += ordered[:-n_test]
        test += ordered[-n_test:]
    picks = rng.random(len(partners)) < test_fraction
    for rel, held in zip(partners, picks, strict=True):
        (test if held else keep).append(rel)
    return Split(nodes, keep, test, {str(c) for c in cold}, temporal=all_temporal)
