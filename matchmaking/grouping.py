"""One idea once: near-duplicate solutions grouped, so that a list of k shows k ideas.

Several providers often offer the same kind of solution ("Acoustic noise monitoring" from
six vendors). Such offers form a *group*, and a grouped ``solutions`` list shows the best
offer of each group, with the others of the group that are eligible for this request as
``also_offered_by``.

The rule (computed once per projection, never per request):

* two solutions belong together when they have the same ``category`` (or both have none)
  and their *normalised names* are near-identical: the TF-IDF cosine of character 3- to
  5-grams is at least :data:`NAME_SIMILARITY`;
* a normalised name is the name lower-cased, accents folded, without a trailing
  parenthesised part ("Acoustic noise monitoring (Clearsys)") and without the names of the
  solution's providers (``OFFERS``, each name as a whole phrase), so that "Clearsys noise
  monitoring" and "Noise monitoring by Gridfield" can meet;
* groups are formed leader-first in id order: each solution joins the group of the first
  earlier solution (the group's leader) that it matches, else starts a group. Matching the
  leader, not any member, keeps a chain of small differences from merging unrelated ideas.

Descriptions are not compared: the demo's and real catalogues' descriptions of one idea differ
in their boilerplate, while two different ideas of one category share theirs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema.schema import Label
from matchmaking.projection import IntArray, Projection

__all__ = ["NAME_SIMILARITY", "Offer", "collapse", "normalised_name", "offers",
           "solution_groups"]

#: Minimum cosine of two normalised names (character 3-5 grams, TF-IDF) in one group.
NAME_SIMILARITY = 0.8
_PAREN = re.compile(r"\s*\([^()]*\)\s*$")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Offer:
    """Another offer of the same idea: ``also_offered_by`` of a recommendation.

    Attributes
    ----------
    id, name : str
        The other solution.
    score : float
        Its own score for this subject (rounded to 6 decimals).
    providers : tuple of (id, name)
        Who offers it (``OFFERS``), by id.
    """

    id: str
    name: str
    score: float
    providers: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "score": self.score,
                "providers": [{"id": i, "name": n} for i, n in self.providers]}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def normalised_name(name: str, providers: list[str]) -> str:
    """The name compared by the grouping rule.

    Examples
    --------
    >>> normalised_name("Acoustic noise monitoring (Clearsys)", ["Clearsys GmbH"])
    'acoustic noise monitoring'
    >>> normalised_name("Smartio Café Wi-Fi", ["Smartio"])
    'cafe wi fi'
    >>> normalised_name("Municipal Wi-Fi", ["Graz Municipal Services"])
    'municipal wi fi'
    """
    out = " " + " ".join(_NON_WORD.sub(" ", _fold(_PAREN.sub("", name))).split()) + " "
    for p in providers:
        phrase = " ".join(_NON_WORD.sub(" ", _fold(p)).split())
        if phrase:
            out = out.replace(f" {phrase} ", " ")
    return " ".join(out.split())


def solution_groups(proj: Projection, provider_solution: sp.csr_array) -> IntArray:
    """Group number of each solution (local index): the local index of its group's leader.

    Parameters
    ----------
    proj : Projection
    provider_solution : scipy.sparse.csr_array
        Provider x solution ``OFFERS`` incidence (local indices).

    Returns
    -------
    ndarray of int64
        ``groups[i] == i`` for a leader; members of one group share the number.
    """
    rows = proj.rows[Label.SOLUTION]
    n = int(rows.size)
    groups = np.arange(n, dtype=np.int64)
    if n < 2:
        return groups
    by_solution = sp.csr_array(provider_solution.T)
    prov_rows = proj.rows[Label.PROVIDER]
    names = []
    for i, r in enumerate(rows.tolist()):
        provs = by_solution.indices[by_solution.indptr[i]:by_solution.indptr[i + 1]]
        names.append(normalised_name(proj.name(r), [proj.name(int(prov_rows[p]))
                                                    for p in provs]))
    cats = [str(proj.props[r].get("category") or "") for r in rows.tolist()]
    if not any(names):
        return groups
    from sklearn.feature_extraction.text import TfidfVectorizer  # building only (~1 s import)

    V = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(names)
    order = np.array(sorted(range(n), key=lambda i: proj.ids[int(rows[i])]), dtype=np.int64)
    by_cat: dict[str, list[int]] = {}
    for i in order.tolist():
        by_cat.setdefault(cats[i], []).append(i)
    for members in by_cat.values():
        idx = np.asarray(members, dtype=np.int64)
        sim = (V[idx] @ V[idx].T).toarray()
        leaders: list[int] = []  # positions in idx
        for j in range(idx.size):
            hit = next((x for x in leaders if sim[j, x] >= NAME_SIMILARITY and names[idx[j]]),
                       None)
            if hit is None:
                leaders.append(j)
            else:
                groups[idx[j]] = idx[hit]
    return groups


def collapse(order: IntArray, group_of: NDArray[np.int64]) -> tuple[IntArray, dict[int, IntArray]]:
    """The first member of each group along ``order``, and the others of its group.

    Parameters
    ----------
    order : ndarray of int
        Candidate positions, best first.
    group_of : ndarray of int
        Group number of each position in ``order`` (same length).

    Returns
    -------
    representatives : ndarray of int
        One position per group, in the order of ``order``.
    others : dict of int to ndarray of int
        Representative position -> the other positions of its group, best first.

    Examples
    --------
    >>> reps, others = collapse(np.array([5, 3, 9, 1]), np.array([0, 7, 0, 7]))
    >>> reps.tolist(), {k: v.tolist() for k, v in others.items()}
    ([5, 3], {5: [9], 3: [1]})
    """
    first: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for pos, g in zip(order.tolist(), group_of.tolist(), strict=True):
        if g in first:
            members[first[g]].append(pos)
        else:
            first[g] = pos
            members[pos] = []
    reps = np.fromiter(first.values(), dtype=np.int64, count=len(first))
    return reps, {r: np.asarray(m, dtype=np.int64) for r, m in members.items() if m}


def offers(proj: Projection, solution_provider: sp.csr_array, rows: IntArray,
           scores: NDArray[np.float64]) -> list[Offer]:
    """The :class:`Offer` of each solution (global ``rows``, with their ``scores``).

    Parameters
    ----------
    proj : Projection
    solution_provider : scipy.sparse.csr_array
        Solution x provider ``OFFERS`` incidence (local indices).
    rows : ndarray of int
    scores : ndarray of float
    """
    out = []
    for r, score in zip(rows.tolist(), scores.tolist(), strict=True):
        lo = int(proj.local[r])
        provs = solution_provider.indices[solution_provider.indptr[lo]:
                                          solution_provider.indptr[lo + 1]]
        who = sorted((proj.ids[int(p)], proj.name(int(p)))
                     for p in proj.rows[Label.PROVIDER][provs])
        out.append(Offer(proj.ids[r], proj.name(r), round(float(score), 6), tuple(who)))
    return out
