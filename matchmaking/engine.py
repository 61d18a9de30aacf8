"""The recommendation engine: six kinds of match on a warm in-memory projection.

``Engine(store).recommend(kind, subject_id, ...)`` returns scored, explained candidates:

========================  ========  =========  =============================================
kind                      subject   candidate  positives the weights are learned from
========================  ========  =========  =============================================
``solutions``             City      Solution   IMPLEMENTED
``providers``             City      Provider   IMPLEMENTED.provider
``peers``                 City      City       PARTNERS_WITH
``experts``               City      Member     ADVISED (only ``open_to_matches`` members)
``opportunities``         Member    City       ADVISED
``leads``                 Provider  City       IMPLEMENTED.provider
========================  ========  =========  =============================================

``Engine.recommend_many`` answers many subjects of one kind with the same results, scoring
them in chunks (shared walks and products); ``recommend --batch`` uses it.

Freshness: the engine checks ``store.generation()`` at most once per ``refresh_interval``
seconds. When it changed, a rebuild of the projection starts in a background thread while
requests keep being answered from the previous snapshot, so a write shows in results after at
most ``refresh_interval`` + rebuild time (about 1-2 s at BSC scale). ``refresh(force=True)``
rebuilds synchronously. Weights are kept across rebuilds while the kind's positives change
by at most 10 %; :mod:`matchmaking.persist` also keeps the projection and the weights across
processes. ``fit()`` re-learns every kind.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from graph_schema import reference
from graph_schema.errors import InvalidInput, MatchmakingError, NotFound
from graph_schema.schema import CATEGORIES, Label, RelType
from graph_schema.store import GraphStore
from matchmaking import persist
from matchmaking.explain import Explainer
from matchmaking.features import KIND_FEATURES, FeatureSpace
from matchmaking.filtering import filter_mask
from matchmaking.projection import COST_LEVEL, IntArray, Projection
from matchmaking.training import KIND_LABELS, KindModel, candidate_rows, fit_kind

KINDS: dict[str, tuple[Label, Label]] = dict(KIND_LABELS)
#: The kind that scores the same pair from the candidate's side (for ``reciprocal``).
REVERSE_KIND = {"peers": "peers", "experts": "opportunities", "opportunities": "experts"}
PROVIDER_KINDS = ("company", "startup", "research", "ngo", "public")
NEGATIVE_VERDICTS = frozenset({"declined", "not_relevant"})
RECIPROCAL_POOL = 200  # forward top candidates re-scored from the other side
DIVERSIFY_POOL = 50
BATCH_CHUNK = 32  # subjects scored together by recommend_many
MMR_LAMBDA = 0.7


@dataclass(frozen=True)
class Filters:
    """Optional restrictions on the candidates (see :meth:`Engine.recommend`)."""

    country: str | None = None
    region: str | None = None
    language: str | None = None
    sdg: int | None = None
    category: str | None = None
    max_cost: str | None = None
    provider_kind: str | None = None

    def check(self, kind: str) -> None:
        """Raise :class:`InvalidInput` naming the first bad field."""
        cand = KINDS[kind][1]
        if self.country is not None and (
            not isinstance(self.country, str) or reference.country(self.country) is None
        ):
            raise InvalidInput(f"filter 'country': {self.country!r} is not an ISO 3166-1 "
                               "alpha-2 country code (e.g. 'DK')")
        if self.region is not None and str(self.region).lower() not in _regions():
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
            if self.max_cost not in COST_LEVEL:
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


def _regions() -> frozenset[str]:
    out: set[str] = set()
    for c in reference.countries():
        out.update(str(x).lower() for x in (c.get("region"), c.get("subregion")) if x)
    return frozenset(out)


@dataclass
class Recommendation:
    """One scored, explained candidate."""

    id: str
    label: str
    name: str
    score: float
    components: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies recursively and was a measurable
        # share of an API request's time.
        return {"id": self.id, "label": self.label, "name": self.name, "score": self.score,
                "components": dict(self.components), "reasons": list(self.reasons)}


class _Snapshot:
    """One projection with its feature space, models and per-kind lookups."""

    def __init__(self, proj: Projection, models: dict[str, KindModel]) -> None:
        self.proj = proj
        self.fs = FeatureSpace(proj)
        self.models = models
        self.explainer = Explainer(self.fs)
        self.cands = {kind: candidate_rows(proj, kind) for kind in KINDS}
        self.declined: dict[tuple[str, int], set[int]] = {}
        for s, c, kind, verdict in proj.feedback:
            if verdict in NEGATIVE_VERDICTS:
                self.declined.setdefault((kind, s), set()).add(c)
        self.delivered_by_city: dict[int, set[int]] = {}
        self.delivered_by_provider: dict[int, set[int]] = {}
        for c, _, p in proj.impl_provider.tolist():
            self.delivered_by_city.setdefault(c, set()).add(p)
            self.delivered_by_provider.setdefault(p, set()).add(c)
        self.advised_t = proj.adj[RelType.ADVISED].T.tocsr()
        self.works_t = proj.adj[RelType.WORKS_FOR].T.tocsr()

    def known(self, kind: str, s: int) -> set[int]:
        """Global rows the subject already has for this kind (excluded by default)."""
        adj = self.proj.adj

        def row(M: Any, i: int) -> set[int]:
            return set(M.indices[M.indptr[i]:M.indptr[i + 1]].tolist())

        if kind == "solutions":
            return row(adj[RelType.IMPLEMENTED], s)
        if kind == "providers":
            return set(self.delivered_by_city.get(s, set()))
        if kind == "peers":
            return row(adj[RelType.PARTNERS_WITH], s)
        if kind == "experts":
            return row(self.advised_t, s) | row(self.works_t, s)
        if kind == "opportunities":
            return row(adj[RelType.ADVISED], s) | row(adj[RelType.WORKS_FOR], s)
        return set(self.delivered_by_provider.get(s, set()))


class Engine:
    """Recommendations of every kind for a store (see the module docstring).

    Parameters
    ----------
    store : GraphStore
    refresh_interval : float, default 1.0
        Seconds between two checks of ``store.generation()``.
    random_state : int, default 0
        Seed of the training draws.
    background : bool, default True
        Rebuild a stale projection in a background thread (else on the next request).
    persist : bool, default True
        Load and save the projection and the learned weights beside the store
        (:mod:`matchmaking.persist`), so that a new process on an unchanged store starts warm.
    progress : callable, optional
        Called with a short description ("building the projection", "fitting solutions")
        before each slow step.
    """

    def __init__(self, store: GraphStore, *, refresh_interval: float = 1.0,
                 random_state: int = 0, background: bool = True, persist: bool = True,
                 progress: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.persist = persist
        self.progress = progress
        self._fitted_on: dict[str, int] = {}  # kind -> positives it was fitted on
        self.refresh_interval = float(refresh_interval)
        self.random_state = random_state
        self.background = background
        self._snap: _Snapshot | None = None
        self._lock = threading.RLock()
        self._fit_lock = threading.Lock()
        self._last_check = 0.0
        self._worker: threading.Thread | None = None

    # ------------------------------------------------------------------ freshness

    def refresh(self, force: bool = False) -> None:
        """Rebuild the projection if the store changed (checked at most once per interval,
        or now with ``force``; a forced refresh rebuilds synchronously)."""
        now = time.monotonic()
        if not force and self._snap is not None and now - self._last_check < self.refresh_interval:
            return
        self._last_check = now
        snap = self._snap
        if snap is not None and snap.proj.generation == self.store.generation():
            return
        if force or snap is None or not self.background:
            self._rebuild()
            return
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._rebuild, name="engine-rebuild",
                                                daemon=True)
                self._worker.start()

    def _rebuild(self) -> None:
        snap = persist.load_snapshot(self.store) if self.persist else None
        if not isinstance(snap, _Snapshot):
            self._say("building the projection")
            proj = Projection.from_store(self.store)
            snap = _Snapshot(proj, {})
            if self.persist:
                persist.save_snapshot(self.store, proj.generation, snap)
        snap.models = self._reusable_models(snap)
        with self._lock:
            if self._snap is None or (self._snap.proj.generation or -1) <= (proj.generation or 0):
                self._snap = snap

    def _reusable_models(self, snap: _Snapshot) -> dict[str, KindModel]:
        """Weights that the refit policy lets the new snapshot keep: those of the
        previous snapshot, else the persisted ones (see :mod:`matchmaking.persist`)."""
        counts = persist.positive_counts(snap.proj)
        stored = persist.load_models(self.store, counts, KindModel) if self.persist else {}
        old = self._snap.models if self._snap is not None else {}
        for kind, (_, fitted_on) in stored.items():
            if kind not in old:
                self._fitted_on[kind] = fitted_on
        out: dict[str, KindModel] = {}
        for kind, m in {**{k: m for k, (m, _) in stored.items()}, **old}.items():
            if persist.still_valid(self._fitted_on.get(kind, -1), counts[kind]):
                out[kind] = m
        return out

    def _say(self, what: str) -> None:
        if self.progress is not None:
            self.progress(what)

    def _save_models(self, snap: _Snapshot) -> None:
        if self.persist:
            persist.save_models(self.store, snap.models, self._fitted_on)

    def _snapshot(self) -> _Snapshot:
        self.refresh()
        snap = self._snap
        assert snap is not None
        return snap

    def generation(self) -> int | None:
        """The store generation of the snapshot that answers now (after the staleness
        check)."""
        return self._snapshot().proj.generation

    def close(self) -> None:
        """Wait for a running background rebuild (the store is the caller's to close)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout=60)

    # ------------------------------------------------------------------ training

    def fit(self) -> Engine:
        """(Re)learn the weights of every kind on the current graph."""
        self.refresh(force=True)
        snap = self._snapshot()
        with self._fit_lock:
            models: dict[str, KindModel] = {}
            for kind in KINDS:
                models[kind] = self._fit(snap, kind, models)
            snap.models = models
            self._save_models(snap)
        return self

    def _fit(self, snap: _Snapshot, kind: str, models: dict[str, KindModel]) -> KindModel:
        sol = models.get("solutions") or snap.models.get("solutions")
        if kind == "providers" and sol is None:
            sol = models["solutions"] = self._fit(snap, "solutions", models)
        self._say(f"fitting {kind}")
        self._fitted_on[kind] = persist.positive_counts(snap.proj)[kind]
        return fit_kind(snap.proj, kind, sol_weights=sol.weights if sol else None,
                        random_state=self.random_state)

    def model(self, kind: str) -> KindModel:
        """The weights used for ``kind`` (learned on first use)."""
        _check_kind(kind)
        snap = self._snapshot()
        return self._model(snap, kind)

    def _model(self, snap: _Snapshot, kind: str) -> KindModel:
        m = snap.models.get(kind)
        if m is None:
            with self._fit_lock:
                m = snap.models.get(kind)
                if m is None:
                    m = snap.models[kind] = self._fit(snap, kind, snap.models)
                    self._save_models(snap)
        return m

    # ------------------------------------------------------------------ recommend

    def recommend(self, kind: str, subject_id: str, *, k: int = 10,
                  filters: Filters | None = None, include_known: bool = False,
                  diversify: bool = False, reciprocal: bool = False) -> list[Recommendation]:
        """Top-``k`` candidates of ``kind`` for ``subject_id``, best first.

        Ties break by id. Excluded unless ``include_known``: the subject itself and what it
        already has. Never returned: opted-out members and pairs declined for this kind.

        Raises
        ------
        InvalidInput
            Unknown kind, ``k`` outside 1..100, a bad filter, or a subject of the wrong label.
        NotFound
            Unknown ``subject_id``.
        """
        self._check_args(kind, k, filters)
        filters = filters or Filters()
        snap = self._snapshot()
        s = self._subject(snap, kind, subject_id)
        cands = snap.cands[kind]
        if not cands.size:
            return []
        X = self._features(snap, kind, np.array([s]))[0]
        return self._finish(snap, kind, s, X, k, filters, include_known, diversify, reciprocal)

    def recommend_many(self, kind: str, subject_ids: Sequence[str], *, k: int = 10,
                       filters: Filters | None = None, include_known: bool = False,
                       diversify: bool = False, reciprocal: bool = False,
                       chunk: int = BATCH_CHUNK) -> list[list[Recommendation] | MatchmakingError]:
        """:meth:`recommend` for many subjects at once: the same results, one entry per id
        (a list of recommendations, or the :class:`MatchmakingError` that id raised).

        Subjects are scored ``chunk`` at a time, so the walks and feature products of a chunk
        are shared matrix products instead of one small product per subject.

        Raises
        ------
        InvalidInput
            Unknown kind, ``k`` outside 1..100 or a bad filter (as for every subject).
        """
        self._check_args(kind, k, filters)
        filters = filters or Filters()
        snap = self._snapshot()
        out: list[list[Recommendation] | MatchmakingError] = []
        rows: list[int] = []
        for sid in subject_ids:
            try:
                rows.append(self._subject(snap, kind, sid))
                out.append([])
            except MatchmakingError as e:
                rows.append(-1)
                out.append(e)
        if not snap.cands[kind].size:
            return out
        valid = [i for i, r in enumerate(rows) if r >= 0]
        for start in range(0, len(valid), max(1, chunk)):
            part = valid[start:start + max(1, chunk)]
            X = self._features(snap, kind, np.array([rows[i] for i in part], dtype=np.int64))
            for j, i in enumerate(part):
                out[i] = self._finish(snap, kind, rows[i], X[j], k, filters, include_known,
                                      diversify, reciprocal)
        return out

    @staticmethod
    def _check_args(kind: str, k: int, filters: Filters | None) -> None:
        _check_kind(kind)
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 100:
            raise InvalidInput(f"'k' must be an integer between 1 and 100, got {k!r}")
        (filters or Filters()).check(kind)

    @staticmethod
    def _subject(snap: _Snapshot, kind: str, subject_id: str) -> int:
        proj = snap.proj
        s_lab = KINDS[kind][0]
        s = proj.index.get(subject_id) if isinstance(subject_id, str) else None
        if s is None:
            raise NotFound(f"unknown id {subject_id!r}")
        if proj.label(s) is not s_lab:
            raise InvalidInput(f"'{subject_id}' is a {proj.label(s).value}, but '{kind}' "
                               f"recommendations are for a {s_lab.value}")
        return s

    def _features(self, snap: _Snapshot, kind: str, subjects: IntArray) -> NDArray[np.float64]:
        """Feature tensor of ``subjects`` (global rows) against every candidate of ``kind``."""
        sol_w = self._model(snap, "solutions").weights if kind == "providers" else None
        proj = snap.proj
        return snap.fs.features(kind, proj.local[subjects], proj.local[snap.cands[kind]],
                                sol_weights=sol_w)

    def _finish(self, snap: _Snapshot, kind: str, s: int, X: NDArray[np.float64], k: int,
                filters: Filters, include_known: bool, diversify: bool,
                reciprocal: bool) -> list[Recommendation]:
        """Score, mask, rank and explain one subject's candidates from its features."""
        proj, fs = snap.proj, snap.fs
        c_lab = KINDS[kind][1]
        cands = snap.cands[kind]
        model = self._model(snap, kind)
        s_local = np.array([proj.local[s]])
        c_local = proj.local[cands]
        names = KIND_FEATURES[kind]
        w = np.array([model.weights.get(f, 0.0) for f in names])
        score = np.round(X @ w, 9)
        valid = self._mask(snap, kind, s, cands, filters, include_known) & (score > 0)
        pool_size = max(k, RECIPROCAL_POOL if reciprocal else 0,
                        DIVERSIFY_POOL if diversify else 0)
        pool = _top(score, valid, pool_size)
        final = score
        reverse = None
        if reciprocal and kind in REVERSE_KIND and pool.size:
            rkind = REVERSE_KIND[kind]
            rw = np.array([self._model(snap, rkind).weights.get(f, 0.0)
                           for f in KIND_FEATURES[rkind]])
            back = fs.features(rkind, c_local[pool], s_local)[:, 0, :] @ rw
            reverse = np.zeros_like(score)
            reverse[pool] = back
            fwd = score[pool]
            hm = np.divide(2 * fwd * back, fwd + back, out=np.zeros_like(fwd),
                           where=(fwd + back) > 0)
            final = np.zeros_like(score)
            final[pool] = np.round(hm, 9)
            keep = np.zeros_like(valid)
            keep[pool] = True
            pool = _top(final, valid & keep & (final > 0), pool_size)
        if diversify and pool.size > 1:
            order = _mmr_order(fs, c_lab, c_local[pool], final[pool], k)
            chosen = pool[order]
        else:
            chosen = pool[:k]
        out = []
        for i in chosen.tolist():
            c = int(cands[i])
            comps = {f: round(float(X[i, j] * w[j]), 6) for j, f in enumerate(names)
                     if w[j] > 0}
            if reverse is not None:
                comps["reverse"] = round(float(reverse[i]), 6)
            out.append(Recommendation(
                id=proj.ids[c], label=c_lab.value, name=proj.name(c),
                score=round(float(final[i]), 6), components=comps,
                reasons=snap.explainer.reasons(kind, s, c, comps),
            ))
        return out

    def _mask(self, snap: _Snapshot, kind: str, s: int, cands: IntArray, filters: Filters,
              include_known: bool) -> NDArray[np.bool_]:
        ok = cands != s
        blocked = set(snap.declined.get((kind, s), set()))
        if not include_known:
            blocked |= snap.known(kind, s)
        if blocked:
            ok &= ~np.isin(cands, np.fromiter(blocked, dtype=np.int64))
        return ok & filter_mask(snap.fs, KINDS[kind][1], cands, filters)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")


def _top(score: NDArray[np.float64], valid: NDArray[np.bool_], k: int) -> IntArray:
    """Indices of the ``k`` best valid scores, ordered by (-score, index)."""
    idx = np.flatnonzero(valid)
    if idx.size > k:
        kth = np.partition(score[idx], idx.size - k)[idx.size - k]
        idx = idx[score[idx] >= kth]
    order = np.lexsort((idx, -score[idx]))
    return idx[order][:k].astype(np.int64)


def _mmr_order(fs: FeatureSpace, lab: Label, local: IntArray, scores: NDArray[np.float64],
               k: int) -> IntArray:
    import scipy.sparse as sp

    from scoring import mmr

    inc = {Label.SOLUTION: fs.ST, Label.PROVIDER: fs.PT, Label.CITY: fs.CT,
           Label.MEMBER: fs.MT}[lab]
    V = sp.hstack([inc[local], fs.text[lab][local]]).tocsr()
    top = float(scores.max()) if scores.size else 1.0
    rel = scores / top if top > 0 else scores
    return np.asarray(mmr(rel, V, k, lambda_=MMR_LAMBDA, precomputed=False), dtype=np.int64)
