"""The recommendation kinds: one typed registry, one module per kind.

A *kind* is one question the engine answers, e.g. "which solutions should this city look at?".
Everything the engine knows about a kind is in its :class:`KindSpec`:

=================  ========  =========  ===========================================  ========
kind               subject   candidate  a pair is a positive when                    module
=================  ========  =========  ===========================================  ========
``solutions``      City      Solution   the city ``IMPLEMENTED`` the solution        solutions
``providers``      City      Provider   the provider delivered one (``.provider``)   providers
``peers``          City      City       they are ``PARTNERS_WITH`` each other        peers
``experts``        City      Member     the member ``ADVISED`` the city              members
``opportunities``  Member    City       the member ``ADVISED`` the city              members
``leads``          Provider  City       the provider delivered to the city           leads
=================  ========  =========  ===========================================  ========

The positive-link rule (:class:`LinkRule`) is the single source of the training positives
(:func:`matchmaking.training.positive_pairs`), the pairs a subject already has and is not
recommended again (``known``), and the held-out pairs of the offline evaluation. Each kind's
module holds its features (``features(space, S, C, upstream)``), its reasons
(``reasons(explainer)``) and its :class:`KindSpec`.

Examples
--------
>>> from matchmaking.kinds import KINDS, Kind
>>> spec = KINDS[Kind.EXPERTS]
>>> spec.subject.value, spec.candidate.value, spec.reverse
('City', 'Member', <Kind.OPPORTUNITIES: 'opportunities'>)
>>> Kind("peers") is Kind.PEERS
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from graph_schema.schema import SYMMETRIC_TYPES, Label, Rel, RelType
from matchmaking.kind_names import CityKind, Kind, kind_of

if TYPE_CHECKING:
    from matchmaking.explain import Builder, Explainer
    from matchmaking.features import FeatureSpace
    from matchmaking.projection import Projection

__all__ = ["KINDS", "CityKind", "End", "Kind", "KindSpec", "LinkRule", "TrainingSpec",
           "kind_of", "kinds_for"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class End(StrEnum):
    """Which end of a relationship a pair's subject or candidate is."""

    SRC = "src"
    DST = "dst"
    #: the ``provider`` property of an ``IMPLEMENTED`` relationship (who delivered it)
    PROVIDER = "provider"


@dataclass(frozen=True)
class LinkRule:
    """``(subject, candidate)`` is linked when a ``rel`` joins them at the given ends.

    For a symmetric relationship type (``PARTNERS_WITH``) both directions count and a node is
    never linked to itself.
    """

    rel: RelType
    subject: End
    candidate: End

    def pairs(self, rels: Iterable[Rel]) -> set[tuple[str, str]]:
        """``(subject id, candidate id)`` pairs among the relationships ``rels``."""
        out: set[tuple[str, str]] = set()
        for r in rels:
            if r.type is not self.rel:
                continue
            ends = {End.SRC: r.src, End.DST: r.dst, End.PROVIDER: r.props.get("provider")}
            s, c = ends[self.subject], ends[self.candidate]
            if not (isinstance(s, str) and isinstance(c, str) and s and c):
                continue
            if self.rel in SYMMETRIC_TYPES:
                if s != c:
                    out |= {(s, c), (c, s)}
            else:
                out.add((s, c))
        return out

    def edges(self, proj: Projection) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Linked pairs on a projection: ``(subject rows, candidate rows, src, dst)``, where
        ``(src, dst)`` is the edge (of type ``rel``) whose removal hides the pair."""
        if End.PROVIDER in (self.subject, self.candidate):
            ip = proj.impl_provider.reshape(-1, 3).astype(np.int64)
            cols = {End.SRC: ip[:, 0], End.DST: ip[:, 1], End.PROVIDER: ip[:, 2]}
            return cols[self.subject], cols[self.candidate], ip[:, 0], ip[:, 1]
        M = proj.adj[self.rel].tocoo()
        row, col = M.row.astype(np.int64), M.col.astype(np.int64)
        if self.rel in SYMMETRIC_TYPES:  # stored in both directions by the projection
            keep = row != col
            row, col = row[keep], col[keep]
            src, dst = np.minimum(row, col), np.maximum(row, col)
        else:
            src, dst = row, col
        cols = {End.SRC: row, End.DST: col}
        return cols[self.subject], cols[self.candidate], src, dst


@dataclass(frozen=True)
class TrainingSpec:
    """How a kind's weights are learned (see :func:`matchmaking.training.fit_kind`).

    Attributes
    ----------
    max_subjects : int
        Subjects drawn for training.
    hard_share : float
        Share of the negatives drawn from the candidates the default weights rank highest.
    """

    max_subjects: int = 150
    hard_share: float = 0.5


#: ``features(space, S, C, upstream)``: the kind's feature blocks for local subject indices
#: ``S`` and local candidate indices ``C`` (``upstream`` = weights of ``KindSpec.upstream``).
FeatureFn = Callable[["FeatureSpace", IntArray, IntArray, "Mapping[str, float] | None"],
                     dict[str, FloatArray]]
#: ``reasons(explainer)``: one reason builder per feature name.
ReasonsFn = Callable[["Explainer"], "dict[str, Builder]"]
#: ``exclude(space, S, C)``: True where candidate ``C`` may never be recommended to ``S``.
ExcludeFn = Callable[["FeatureSpace", IntArray, IntArray], NDArray[np.bool_]]


@dataclass(frozen=True)
class KindSpec:
    """Everything about one kind of recommendation.

    Attributes
    ----------
    kind : Kind
    subject, candidate : Label
        Who asks, and what is recommended.
    positive : LinkRule
        Which link makes ``(subject, candidate)`` a positive (and a known pair).
    features : tuple of str
        Feature names, in the order of the feature tensor.
    default_weights : Mapping[str, float]
        Weights when the kind has too little history to learn from.
    compute : FeatureFn
        The feature blocks (the kind module's ``features``).
    reasons : ReasonsFn
        The reason builders (the kind module's ``reasons``).
    training : TrainingSpec
    reverse : Kind or None
        The kind that scores the same pair from the candidate's side (``reciprocal``).
    upstream : Kind or None
        A kind whose weights this kind's features use (providers use the solutions score).
    also_known : tuple of LinkRule
        Further links that exclude a candidate by default (a city's own staff as experts).
    exclude : ExcludeFn or None
        Candidates never recommended to a subject, whatever the options (peers: parts of
        the city itself).
    """

    kind: Kind
    subject: Label
    candidate: Label
    positive: LinkRule
    features: tuple[str, ...]
    default_weights: Mapping[str, float]
    compute: FeatureFn
    reasons: ReasonsFn
    training: TrainingSpec = field(default_factory=TrainingSpec)
    reverse: Kind | None = None
    upstream: Kind | None = None
    also_known: tuple[LinkRule, ...] = ()
    exclude: ExcludeFn | None = None

    def __post_init__(self) -> None:
        if set(self.default_weights) - set(self.features):
            raise ValueError(f"{self.kind}: default weights name unknown features")

    @property
    def known_rules(self) -> tuple[LinkRule, ...]:
        """Every link that makes a candidate 'known' to a subject."""
        return (self.positive, *self.also_known)


def kinds_for(subject: Label) -> tuple[Kind, ...]:
    """The kinds whose subject has label ``subject`` (e.g. the four a city can ask for).

    Examples
    --------
    >>> [k.value for k in kinds_for(Label.CITY)]
    ['solutions', 'providers', 'peers', 'experts']
    """
    return tuple(k for k in Kind if KINDS[k].subject is subject)


from matchmaking.kinds import leads, members, peers, providers, solutions  # noqa: E402

#: The registry: every kind's spec, in :class:`Kind` order.
KINDS: Mapping[Kind, KindSpec] = {
    spec.kind: spec for spec in sorted(
        (solutions.SPEC, providers.SPEC, peers.SPEC, members.EXPERTS, members.OPPORTUNITIES,
         leads.SPEC), key=lambda s: list(Kind).index(s.kind))
}


if [k.value for k in CityKind] != [k.value for k in kinds_for(Label.CITY)]:  # pragma: no cover
    raise ImportError("CityKind is out of step with the kinds registry")
