"""Candidate filters and ranking options of :meth:`matchmaking.engine.Engine.recommend`.

Each filter reads the candidate's own properties where it has them, and otherwise the
nearest thing that does:

=============  ======================  ==========================  ===========================
filter         City / Provider         Member                      Solution
=============  ======================  ==========================  ===========================
country        its country             its country                 offered by a provider there
region         region or subregion     region or subregion         offered by a provider there
language       lists the language      lists the language          offered by a provider that
                                                                   lists it
sdg            City: prioritises it;   expert in a topic covered   addresses it
               Provider: offers a      by a solution addressing it
               solution addressing it
category       City: needs a topic a   expert in a topic covered   its category
               solution of that        by a solution of that
               category covers;        category
               Provider: offers one
max_cost       Provider: offers a      (invalid)                   cost at most this level
               solution at most this                               (unknown cost passes)
provider_kind  Provider: its kind      (invalid)                   (invalid)
=============  ======================  ==========================  ===========================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema import reference
from graph_schema.errors import InvalidInput
from graph_schema.schema import CATEGORIES, PROVIDER_KINDS, Label
from matchmaking.kinds import KINDS, Kind
from matchmaking.projection import IntArray
from scoring.similarity import COST_LEVELS

if TYPE_CHECKING:
    from matchmaking.features import FeatureSpace

Mask = NDArray[np.bool_]


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on the candidates (see :meth:`matchmaking.Engine.recommend` and
    the table in this module's docstring). ``None`` means no restriction."""

    country: str | None = None
    region: str | None = None
    language: str | None = None
    sdg: int | None = None
    category: str | None = None
    max_cost: str | None = None
    provider_kind: str | None = None

    def check(self, kind: Kind) -> None:
        """Raise :class:`InvalidInput` naming the first bad field."""
        cand = KINDS[kind].candidate
        if self.country is not None and (
            not isinstance(self.country, str) or reference.country(self.country) is None
        ):
            raise InvalidInput(f"filter 'country': {self.country!r} is not an ISO 3166-1 "
                               "alpha-2 country code (e.g. 'DK')")
        if self.region is not None and str(self.region).lower() not in regions():
            raise InvalidInput(f"filter 'region': {self.region!r} is not a UN M49 region or "
                               "subregion (e.g. 'Europe', 'Northern Europe')")
        if self.language is not None and not re.fullmatch(r"[a-z]{2}", str(self.language)):
            raise InvalidInput(f"filter 'language': {self.language!r} is not an ISO 639-1 "
                               "code (two lowercase letters, e.g. 'en')")
        if self.sdg is not None and (
            isinstance(self.sdg, bool) or not isinstance(self.sdg, int) or not 1 <= self.sdg <= 17
        ):
            raise InvalidInput(f"filter 'sdg': {self.sdg!r} is not an SDG number (1 to 17)")
        if self.category is not None and self.category not in CATEGORIES:
            raise InvalidInput(f"filter 'category': {self.category!r} is not a solution "
                               f"category; use one of {', '.join(CATEGORIES)}")
        if self.max_cost is not None:
            if self.max_cost not in COST_LEVELS:
                raise InvalidInput(f"filter 'max_cost': {self.max_cost!r} is not a cost level; "
                                   "use low, medium or high")
            if cand not in (Label.SOLUTION, Label.PROVIDER):
                raise InvalidInput(f"filter 'max_cost' applies to solutions and providers, "
                                   f"not to '{kind}' recommendations")
        if self.provider_kind is not None:
            if self.provider_kind not in PROVIDER_KINDS:
                raise InvalidInput(f"filter 'provider_kind': {self.provider_kind!r} is not a "
                                   f"provider kind; use one of {', '.join(PROVIDER_KINDS)}")
            if cand is not Label.PROVIDER:
                raise InvalidInput(f"filter 'provider_kind' applies to providers, not to "
                                   f"'{kind}' recommendations")


@dataclass(frozen=True)
class RecommendOptions:
    """How :meth:`matchmaking.engine.Engine.recommend` ranks.

    Attributes
    ----------
    include_known : bool
        Keep what the subject already has (its own implementations, partners, ...).
    diversify : bool
        Re-rank the best 50 with MMR against near-duplicates.
    reciprocal : bool
        Kinds with a reverse kind (peers, experts, opportunities): rank by the harmonic mean
        of both sides' scores.
    group : bool
        ``solutions``: show near-duplicate offers of one idea once, the best offer with the
        others as ``also_offered_by`` (see :mod:`matchmaking.grouping`); other kinds ignore it.
    """

    include_known: bool = False
    diversify: bool = False
    reciprocal: bool = False
    group: bool = True


@cache
def regions() -> frozenset[str]:
    """Lower-cased UN M49 regions and subregions of the reference countries."""
    out: set[str] = set()
    for c in reference.countries():
        out.update(str(x).lower() for x in (c.get("region"), c.get("subregion")) if x)
    return frozenset(out)


def _via(M: sp.csr_array, mask: Mask) -> Mask:
    """Rows of ``M`` with at least one non-zero in a column where ``mask`` holds."""
    return np.asarray(M @ mask.astype(np.float64)).ravel() > 0


def _sol_mask(fs: FeatureSpace, pred: Mask, lab: Label) -> Mask:
    """Solution-level predicate lifted to the candidate label (local indices)."""
    if lab is Label.SOLUTION:
        return pred
    if lab is Label.PROVIDER:
        return _via(fs.provider_solution, pred)
    topics = _via(sp.csr_array(fs.solution_topic.T), pred)
    if lab is Label.CITY:
        return _via(fs.city_topic, topics)
    return _via(fs.member_topic, topics)


def _node_pred(fs: FeatureSpace, lab: Label, pred: Mask) -> Mask:
    """A per-node predicate (global) for a located label; solutions go through providers."""
    rows = fs.proj.rows
    if lab is Label.SOLUTION:
        prov = pred[rows[Label.PROVIDER]]
        return _via(sp.csr_array(fs.provider_solution.T), prov)
    return pred[rows[lab]]


def filter_mask(fs: FeatureSpace, lab: Label, cands: IntArray, f: Filters) -> Mask:
    """Which candidates (global rows ``cands`` of label ``lab``) pass every filter."""
    proj = fs.proj
    n_lab = proj.rows[lab].size
    ok = np.ones(n_lab, dtype=bool)
    if f.country is not None:
        code = f.country.upper()
        ok &= _node_pred(fs, lab, np.array([c == code for c in proj.country]))
    if f.region is not None:
        name = f.region.lower()
        ok &= _node_pred(fs, lab, np.array([
            (r or "").lower() == name or (s or "").lower() == name
            for r, s in zip(proj.region, proj.subregion, strict=True)]))
    if f.language is not None:
        ok &= _node_pred(fs, lab, np.array([f.language in ls for ls in proj.languages]))
    if f.sdg is not None:
        sdg_rows = proj.rows[Label.SDG]
        col = np.flatnonzero(np.array([proj.ids[r] == f"sdg:{f.sdg}" for r in sdg_rows]))
        sel = np.zeros(sdg_rows.size, dtype=bool)
        sel[col] = True
        if lab is Label.CITY:
            ok &= _via(fs.city_sdg, sel)
        else:
            ok &= _sol_mask(fs, _via(fs.solution_sdg, sel), lab)
    if f.category is not None:
        cat = np.array([proj.props[r].get("category") == f.category
                        for r in proj.rows[Label.SOLUTION]], dtype=bool)
        ok &= _sol_mask(fs, cat, lab)
    if f.max_cost is not None:
        cheap = ~(fs.solution_cost > COST_LEVELS[f.max_cost])  # NaN (unknown) passes
        ok &= _sol_mask(fs, cheap, lab)
    if f.provider_kind is not None:
        ok &= np.array([proj.props[r].get("kind") == f.provider_kind
                        for r in proj.rows[Label.PROVIDER]], dtype=bool)
    return ok[proj.local[cands]]
