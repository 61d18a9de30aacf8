"""Held-out links for offline evaluation.

One split serves every kind, so the engine is trained once on the training graph:

- ``IMPLEMENTED`` (solutions, providers, leads) and ``ADVISED`` (experts, opportunities):
  per subject, the most recent ``test_fraction`` of its links where years exist (at least one
  link kept for training), otherwise a random share;
- ``PARTNERS_WITH`` (peers): a random share of ties;
- a cold-start slice: ``cold_fraction`` of the cities with implementations lose *all* of
  their ``IMPLEMENTED`` links.

Every random draw uses ``random_state``.

That is the default. :class:`SplitStrategy` objects choose another one for
:func:`matchmaking.evaluation.evaluate`: :class:`DefaultSplit` (the above),
:class:`LatestSplit` (each subject's single most recent positive link, optionally only for
subjects with at least ``min_links`` eligible links) and :class:`RandomSplit` (a random
share of all positive links, regardless of subject or year).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

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


#: Relationship types whose links are the positives of some kind.
POSITIVE_TYPES = (RelType.IMPLEMENTED, RelType.ADVISED, RelType.PARTNERS_WITH)


class SplitStrategy(Protocol):
    """How :func:`~matchmaking.evaluation.evaluate` splits a graph."""

    @property
    def name(self) -> str: ...

    def __call__(self, nodes: list[Node], rels: list[Rel], random_state: int) -> Split: ...


@dataclass(frozen=True)
class DefaultSplit:
    """The most recent ``test_fraction`` per subject and a cold-start slice
    (:func:`split_links`)."""

    test_fraction: float = 0.2
    cold_fraction: float = 0.1

    @property
    def name(self) -> str:
        return f"recent {self.test_fraction:.0%} per subject, {self.cold_fraction:.0%} cold"

    def __call__(self, nodes: list[Node], rels: list[Rel], random_state: int) -> Split:
        return split_links(nodes, rels, test_fraction=self.test_fraction,
                           cold_fraction=self.cold_fraction, random_state=random_state)


@dataclass(frozen=True)
class LatestSplit:
    """Hold out each subject's most recent eligible positive link (ties in year: random).

    ``IMPLEMENTED`` and ``ADVISED`` are grouped by their source (the city, the adviser);
    ``PARTNERS_WITH`` ties have no year, so each city in turn (in id order) gives up one
    random tie of those still in training. Only subjects with at least ``min_links``
    eligible links of that type lose one; ``eligible`` (default: every link) restricts which
    links count, e.g. the memberships of one programme.
    """

    min_links: int = 2
    eligible: Callable[[Rel], bool] | None = None
    types: tuple[RelType, ...] = POSITIVE_TYPES

    @property
    def name(self) -> str:
        return f"latest link per subject with >= {self.min_links}"

    def __call__(self, nodes: list[Node], rels: list[Rel], random_state: int) -> Split:
        rng = np.random.default_rng(random_state)
        ok = self.eligible or (lambda _: True)
        keep: list[Rel] = []
        test: list[Rel] = []
        groups: dict[tuple[RelType, str], list[Rel]] = defaultdict(list)
        ties: list[Rel] = []
        for rel in rels:
            if rel.type is RelType.FEEDBACK:
                continue
            if rel.type not in self.types or not ok(rel):
                keep.append(rel)
            elif rel.type is RelType.PARTNERS_WITH:
                ties.append(rel)
            else:
                groups[(rel.type, rel.src)].append(rel)
        temporal = True
        for _, links in sorted(groups.items()):
            ordered, dated = _by_recency(links, rng)
            temporal &= dated
            if len(ordered) >= self.min_links:
                test.append(ordered[-1])
                ordered = ordered[:-1]
            keep += ordered
        held = np.zeros(len(ties), dtype=bool)
        by_city: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(ties):
            by_city[r.src].append(i)
            by_city[r.dst].append(i)
        for _, idx in sorted(by_city.items()):
            left = [i for i in idx if not held[i]]
            if len(idx) >= self.min_links and len(left) > 1:
                held[left[int(rng.integers(len(left)))]] = True
        for rel, h in zip(ties, held, strict=True):
            (test if h else keep).append(rel)
        return Split(list(nodes), keep, test, set(), temporal=temporal and bool(groups))


@dataclass(frozen=True)
class RandomSplit:
    """Hold out a random ``fraction`` of all eligible positive links (no cold slice)."""

    fraction: float = 0.2
    eligible: Callable[[Rel], bool] | None = None

    @property
    def name(self) -> str:
        return f"random {self.fraction:.0%} of links"

    def __call__(self, nodes: list[Node], rels: list[Rel], random_state: int) -> Split:
        rng = np.random.default_rng(random_state)
        ok = self.eligible or (lambda _: True)
        keep: list[Rel] = []
        test: list[Rel] = []
        for rel in rels:
            if rel.type is RelType.FEEDBACK:
                continue
            if rel.type in POSITIVE_TYPES and ok(rel) and rng.random() < self.fraction:
                test.append(rel)
            else:
                keep.append(rel)
        return Split(list(nodes), keep, test, set(), temporal=False)
