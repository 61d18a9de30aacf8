"""Candidate filters of :meth:`matchmaking.engine.Engine.recommend`.

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

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema.schema import Label
from matchmaking.projection import COST_LEVEL, IntArray

if TYPE_CHECKING:
    from matchmaking.engine import Filters
    from matchmaking.features import FeatureSpace

Mask = NDArray[np.bool_]


def _via(M: sp.csr_array, mask: Mask) -> Mask:
    """Rows of ``M`` with at least one non-zero in a column where ``mask`` holds."""
    return np.asarray(M @ mask.astype(np.float64)).ravel() > 0


def _sol_mask(fs: FeatureSpace, pred: Mask, lab: Label) -> Mask:
    """Solution-level predicate lifted to the candidate label (local indices)."""
    if lab is Label.SOLUTION:
        return pred
    if lab is Label.PROVIDER:
        return _via(fs.PO, pred)
    topics = _via(sp.csr_array(fs.ST.T), pred)
    if lab is Label.CITY:
        return _via(fs.CT, topics)
    return _via(fs.MT, topics)


def _node_pred(fs: FeatureSpace, lab: Label, pred: Mask) -> Mask:
    """A per-node predicate (global) for a located label; solutions go through providers."""
    rows = fs.proj.rows
    if lab is Label.SOLUTION:
        prov = pred[rows[Label.PROVIDER]]
        return _via(sp.csr_array(fs.PO.T), prov)
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
            ok &= _via(fs.CG, sel)
        else:
            ok &= _sol_mask(fs, _via(fs.SG, sel), lab)
    if f.category is not None:
        cat = np.array([proj.props[r].get("category") == f.category
                        for r in proj.rows[Label.SOLUTION]], dtype=bool)
        ok &= _sol_mask(fs, cat, lab)
    if f.max_cost is not None:
        cheap = ~(fs.sol_cost > COST_LEVEL[f.max_cost])  # NaN (unknown) passes
        ok &= _sol_mask(fs, cheap, lab)
    if f.provider_kind is not None:
        ok &= np.array([proj.props[r].get("kind") == f.provider_kind
                        for r in proj.rows[Label.PROVIDER]], dtype=bool)
    return ok[proj.local[cands]]
