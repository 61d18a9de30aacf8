"""The recommendation engine: six kinds of match on a warm in-memory projection.

``Engine(store).recommend(kind, subject, ...)`` returns scored, explained candidates; the
kinds, their subjects, candidates and positive links are listed in :mod:`matchmaking.kinds`.
One subject id gives a list of :class:`Recommendation`; a sequence of ids gives a
:class:`BatchResult`, scored in chunks (shared walks and products); ``recommend --batch``
uses it.

Freshness: the engine checks ``store.generation()`` at most once per ``refresh_interval``
seconds. When it changed, a rebuild of the projection starts in a background thread while
requests keep being answered from the previous snapshot, so a write shows in results after at
most ``refresh_interval`` + rebuild time (about 1-2 s at BSC scale). ``refresh(force=True)``
rebuilds synchronously. Weights are kept across rebuilds while the kind's positives change
by at most 10 %; :mod:`matchmaking.persist` also keeps the projection and the weights across
processes. ``fit()`` re-learns every kind.

Memory: the snapshot is loaded with the cyclic garbage collector paused and then frozen
(:func:`gc.freeze`), so no request pays for a full collection scanning it; a rebuild unfreezes
and collects once, so a replaced snapshot is freed.

Privacy does not wait for a rebuild: every request first applies the
:class:`~matchmaking.privacy.PrivacyOverlay` (one counter read; a re-read when it moved) to
the snapshot it answers from, so a member who opted out and a declined pair are gone from
the very next answer, in every process.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, overload

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from graph_schema.errors import InvalidInput, MatchmakingError, NotFound
from graph_schema.schema import NEGATIVE_VERDICTS, Label
from graph_schema.store import GraphStore
from matchmaking import persist
from matchmaking.explain import Explainer
from matchmaking.features import FeatureSpace
from matchmaking.filtering import Filters, RecommendOptions, filter_mask
from matchmaking.grouping import Offer, collapse, offers, solution_groups
from matchmaking.kinds import KINDS, Kind, kind_of
from matchmaking.privacy import Privacy, PrivacyOverlay
from matchmaking.projection import IntArray, Projection, Row
from matchmaking.training import KindModel, candidate_rows, fit_kind
from scoring.diversity import mmr

RECIPROCAL_POOL = 200  # forward top candidates re-scored from the other side
DIVERSIFY_POOL = 50
BATCH_CHUNK = 32  # subjects of a batch scored together
MMR_LAMBDA = 0.7


@dataclass
class Recommendation:
    """One scored, explained candidate.

    Attributes
    ----------
    id, label, name : str
        The candidate.
    score : float
        In [0, 1], rounded to 6 decimals; the sum of ``components`` (or, with
        ``reciprocal``, the harmonic mean of both sides).
    components : dict of str to float
        Weighted feature values (``weight * feature``) that make up the score.
    reasons : list of str
        One to three sentences, each grounded in the graph (see :mod:`matchmaking.explain`).
    reason_features : list of str
        The feature (a key of ``components``, with a positive value) behind each reason.
    also_offered_by : list of Offer
        Grouped ``solutions`` lists: the other offers of the same idea that are eligible
        for this request, best first (see :mod:`matchmaking.grouping`).
    """

    id: str
    label: str
    name: str
    score: float
    components: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    reason_features: list[str] = field(default_factory=list)
    also_offered_by: list[Offer] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        # Built by hand: dataclasses.asdict deep-copies recursively and was a measurable
        # share of an API request's time.
        out = {"id": self.id, "label": self.label, "name": self.name, "score": self.score,
               "components": dict(self.components), "reasons": list(self.reasons)}
        if self.also_offered_by:
            out["also_offered_by"] = [o.to_json() for o in self.also_offered_by]
        return out


@dataclass
class BatchResult:
    """The answer of :meth:`Engine.recommend` for a sequence of subjects.

    Attributes
    ----------
    results : dict of str to list of Recommendation
        Per subject id that could be answered, in the order given.
    errors : dict of str to MatchmakingError
        Per subject id that could not (unknown id, subject of the wrong label).
    """

    results: dict[str, list[Recommendation]] = field(default_factory=dict)
    errors: dict[str, MatchmakingError] = field(default_factory=dict)


class _Snapshot:
    """One projection with its feature space, models and per-kind lookups."""

    def __init__(self, proj: Projection, models: dict[Kind, KindModel]) -> None:
        self.proj = proj
        self.fs = FeatureSpace(proj)
        self.models = models
        self.explainer = Explainer(self.fs)
        self.cands = {kind: candidate_rows(proj, kind) for kind in KINDS}
        self.declined: dict[tuple[str, int], set[int]] = {}
        for s, c, kind, verdict in proj.feedback:
            if verdict in NEGATIVE_VERDICTS:
                self.declined.setdefault((kind, s), set()).add(c)
        self._known = {kind: self._known_matrix(kind) for kind in KINDS}
        self.privacy: Privacy | None = None  # the overlay state applied last
        self.privacy_lock = threading.Lock()

    @cached_property
    def solution_groups(self) -> IntArray:
        """Group number of each solution (local index): :func:`solution_groups`."""
        return solution_groups(self.proj, self.fs.provider_solution)

    def apply_privacy(self, privacy: Privacy) -> None:
        """Hide the members and drop the pairs that ``privacy`` adds to this snapshot.

        Only restrictions are applied (a member who opts back in waits for the rebuild).
        Arrays are replaced or flipped in place under a lock; readers see either state.
        """
        if self.privacy is privacy:
            return
        with self.privacy_lock:
            if self.privacy is privacy:
                return
            proj = self.proj
            rows = [r for r in (proj.index.get(m) for m in privacy.hidden) if r is not None]
            newly = [r for r in rows if proj.open_to_matches[r]]
            if newly:
                proj.open_to_matches[newly] = False  # also seen by the explainer's reasons
                self.cands = {kind: candidate_rows(proj, kind) for kind in KINDS}
            for kind, src, dst in privacy.declined:
                s, c = proj.index.get(src), proj.index.get(dst)
                if s is not None and c is not None:
                    self.declined.setdefault((kind, s), set()).add(c)
            self.privacy = privacy

    def _known_matrix(self, kind: Kind) -> sp.csr_array:
        """Subject row x candidate row: the links of the kind's known rules."""
        n = self.proj.n
        subj: list[IntArray] = []
        cand: list[IntArray] = []
        for rule in KINDS[kind].known_rules:
            s, c, _, _ = rule.edges(self.proj)
            subj.append(s)
            cand.append(c)
        s_all, c_all = np.concatenate(subj), np.concatenate(cand)
        return sp.csr_array((np.ones(s_all.size), (s_all, c_all)), shape=(n, n))

    def known(self, kind: Kind, s: Row) -> set[int]:
        """Global rows the subject already has for this kind (excluded by default)."""
        M = self._known[kind]
        return set(M.indices[M.indptr[s]:M.indptr[s + 1]].tolist())


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
        self.privacy = PrivacyOverlay(store)

    # ------------------------------------------------------------------ freshness

    def refresh(self, force: bool = False) -> None:
        """Rebuild the projection if the store changed (checked at most once per interval,
        or now with ``force``; a forced refresh rebuilds synchronously)."""
        now = time.monotonic()
        if not force and self._snap is not None and now - self._last_check < self.refresh_interval:
            return
        self._last_check = now
        # no local reference to the current snapshot here: a rebuild must be able to free it
        current = self._snap.proj.generation if self._snap is not None else None
        if self._snap is not None and current == self.store.generation():
            return
        if force or self._snap is None or not self.background:
            self._rebuild()
            return
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._rebuild, name="engine-rebuild",
                                                daemon=True)
                self._worker.start()

    def _rebuild(self) -> None:
        with _gc_paused():
            snap = persist.load_snapshot(self.store) if self.persist else None
            if not isinstance(snap, _Snapshot):
                self._say("building the projection")
                proj = Projection.from_store(self.store)
                snap = _Snapshot(proj, {})
                snap.solution_groups  # noqa: B018 - computed now, so the persisted snapshot holds it
                if self.persist:
                    persist.save_snapshot(self.store, proj.generation, snap)
        snap.models = self._reusable_models(snap)
        with self._lock:
            old = None if self._snap is None else weakref.ref(self._snap)
            if self._snap is None or \
                    (self._snap.proj.generation or -1) <= (snap.proj.generation or 0):
                self._snap = snap
        del snap
        _freeze_snapshot(old)

    def _reusable_models(self, snap: _Snapshot) -> dict[Kind, KindModel]:
        """Weights that the refit policy lets the new snapshot keep: those of the
        previous snapshot, else the persisted ones (see :mod:`matchmaking.persist`)."""
        counts = persist.positive_counts(snap.proj)
        stored = persist.load_models(self.store, counts, KindModel) if self.persist else {}
        old = self._snap.models if self._snap is not None else {}
        for kind, (_, fitted_on) in stored.items():
            if kind not in old:
                self._fitted_on[kind] = fitted_on
        out: dict[Kind, KindModel] = {}
        candidates: dict[str, KindModel] = {k: m for k, (m, _) in stored.items()}
        candidates.update({str(k): m for k, m in old.items()})
        for kind, m in candidates.items():
            if kind in KINDS and persist.still_valid(self._fitted_on.get(kind, -1),
                                                     counts[kind]):
                out[Kind(kind)] = m
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
        snap.apply_privacy(self.privacy.current())
        return snap

    def generation(self) -> int | None:
        """The store generation of the snapshot that answers now (after the staleness
        check)."""
        return self._snapshot().proj.generation

    def solution_groups(self) -> dict[str, str]:
        """Solution id -> the id of its group's leader (near-duplicate offers of one idea
        share a leader; see :mod:`matchmaking.grouping`)."""
        snap = self._snapshot()
        rows = snap.proj.rows[Label.SOLUTION]
        return {snap.proj.ids[int(r)]: snap.proj.ids[int(rows[g])]
                for r, g in zip(rows.tolist(), snap.solution_groups.tolist(), strict=True)}

    @property
    def projection(self) -> Projection:
        """The in-memory projection of the store that answers requests (refreshed if stale)."""
        return self._snapshot().proj

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
            models: dict[Kind, KindModel] = {}
            for kind in KINDS:
                models[kind] = self._fit(snap, kind, models)
            snap.models = models
            self._save_models(snap)
        return self

    def _fit(self, snap: _Snapshot, kind: Kind, models: dict[Kind, KindModel]) -> KindModel:
        up = KINDS[kind].upstream
        upstream = None
        if up is not None:
            model = models.get(up) or snap.models.get(up)
            if model is None:
                model = models[up] = self._fit(snap, up, models)
            upstream = model.weights
        self._say(f"fitting {kind}")
        self._fitted_on[kind] = persist.positive_counts(snap.proj)[kind]
        return fit_kind(snap.proj, kind, upstream=upstream, random_state=self.random_state)

    def model(self, kind: Kind | str) -> KindModel:
        """The weights used for ``kind`` (learned on first use)."""
        kind = kind_of(kind)
        snap = self._snapshot()
        return self._model(snap, kind)

    def _model(self, snap: _Snapshot, kind: Kind) -> KindModel:
        m = snap.models.get(kind)
        if m is None:
            with self._fit_lock:
                m = snap.models.get(kind)
                if m is None:
                    m = snap.models[kind] = self._fit(snap, kind, snap.models)
                    self._save_models(snap)
        return m

    # ------------------------------------------------------------------ recommend

    @overload
    def recommend(  # type: ignore[overload-overlap]  # a str is also a Sequence[str]
            self, kind: Kind | str, subject: str, *, k: int = 10,
            filters: Filters | None = None, options: RecommendOptions | None = None,
            candidates: Sequence[str] | None = None) -> list[Recommendation]: ...

    @overload
    def recommend(self, kind: Kind | str, subject: Sequence[str], *, k: int = 10,
                  filters: Filters | None = None, options: RecommendOptions | None = None,
                  candidates: Sequence[str] | None = None) -> BatchResult: ...

    def recommend(self, kind: Kind | str, subject: str | Sequence[str], *, k: int = 10,
                  filters: Filters | None = None, options: RecommendOptions | None = None,
                  candidates: Sequence[str] | None = None,
                  ) -> list[Recommendation] | BatchResult:
        """The ``k`` best candidates of ``kind`` for one subject, or for each of many.

        Ties break by id. Excluded unless ``options.include_known``: the subject itself and
        what it already has. Never returned: opted-out members and pairs declined for this
        kind.

        Parameters
        ----------
        kind : Kind or str
            What to recommend, e.g. ``Kind.SOLUTIONS`` (or its value, a plain string).
        subject : str or sequence of str
            The id of the subject (a City for solutions, providers, peers and experts, a
            Member for opportunities, a Provider for leads), or several ids.
        k : int, default 10
            Number of results per subject, 1 to 100.
        filters : Filters, optional
            Restrictions on the candidates (country, region, language, SDG, category, cost,
            provider kind).
        options : RecommendOptions, optional
            ``include_known``, ``diversify``, ``reciprocal``.
        candidates : sequence of str, optional
            Rank only these candidate ids (ids that are not eligible candidates of the kind,
            e.g. members who opted out, are left out).

        Returns
        -------
        list of Recommendation
            For one subject id, best first.
        BatchResult
            For a sequence of ids: ``results`` per id, and ``errors`` per id that could not
            be answered (an unknown id, a subject of the wrong label).

        Raises
        ------
        InvalidInput
            Unknown kind, ``k`` outside 1..100, a bad filter, a subject of the wrong label
            (one subject only) or a candidate of the wrong label.
        NotFound
            Unknown subject id (one subject only) or candidate id.

        Examples
        --------
        >>> import tempfile
        >>> from graph_schema.sqlite_store import SQLiteStore
        >>> from graph_schema.schema import Label, Node, Rel, RelType
        >>> folder = tempfile.TemporaryDirectory()
        >>> store = SQLiteStore(f"{folder.name}/doc.db"); store.init()
        >>> store.write(nodes=[
        ...     Node("topic:air", Label.TOPIC, {"name": "Air quality"}),
        ...     Node("city:a", Label.CITY, {"name": "Aarhus", "country": "DK"}),
        ...     Node("city:b", Label.CITY, {"name": "Bergen", "country": "NO"}),
        ...     Node("sol:s", Label.SOLUTION, {"name": "Air sensors", "category": "environment"}),
        ...     Node("sol:t", Label.SOLUTION, {"name": "Tram", "category": "mobility"})],
        ...     rels=[Rel(RelType.NEEDS, "city:a", "topic:air"),
        ...           Rel(RelType.COVERS, "sol:s", "topic:air"),
        ...           Rel(RelType.IMPLEMENTED, "city:b", "sol:s")])
        >>> engine = Engine(store, background=False)
        >>> [r.id for r in engine.recommend(Kind.SOLUTIONS, "city:a", k=1)]
        ['sol:s']
        >>> engine.recommend(Kind.SOLUTIONS, "city:a", k=1)[0].reasons[0]
        'Covers your needs "Air quality"'
        >>> batch = engine.recommend(Kind.SOLUTIONS, ["city:a", "city:zz"], k=1)
        >>> list(batch.results), list(batch.errors)
        (['city:a'], ['city:zz'])
        >>> store.close(); folder.cleanup()
        """
        kind = kind_of(kind) if isinstance(kind, str) else kind
        self._check_args(kind, k, filters)
        filters = filters or Filters()
        options = options or RecommendOptions()
        snap = self._snapshot()
        allowed = self._candidate_mask(snap, kind, candidates)
        if isinstance(subject, str):
            s = self._subject(snap, kind, subject)
            if not snap.cands[kind].size:
                return []
            X = self._features(snap, kind, np.array([s]))[0]
            return self._rank(snap, kind, s, X, k, filters, options, allowed)
        return self._batch(snap, kind, subject, k, filters, options, allowed)

    def _batch(self, snap: _Snapshot, kind: Kind, subjects: Sequence[str], k: int,
               filters: Filters, options: RecommendOptions,
               allowed: NDArray[np.bool_] | None) -> BatchResult:
        """Many subjects, :data:`BATCH_CHUNK` at a time, so that the walks and feature
        products of a chunk are shared matrix products instead of one per subject."""
        out = BatchResult()
        rows: dict[str, Row] = {}
        for sid in subjects:
            try:
                rows[sid] = self._subject(snap, kind, sid)
                out.results[sid] = []
            except MatchmakingError as e:
                out.errors[sid] = e
        if not snap.cands[kind].size:
            return out
        ids = list(rows)
        # A chunk no wider than the candidates keeps the PPR walks on the subjects' side:
        # FeatureSpace.ppr_block walks from the candidates for wider blocks and scales per
        # candidate, which would give other scores than one subject at a time.
        step = max(1, min(BATCH_CHUNK, max(4, int(snap.cands[kind].size))))
        for start in range(0, len(ids), step):
            part = ids[start:start + step]
            X = self._features(snap, kind, np.array([rows[i] for i in part], dtype=np.int64))
            for j, sid in enumerate(part):
                out.results[sid] = self._rank(snap, kind, rows[sid], X[j], k, filters, options,
                                              allowed)
        return out

    @staticmethod
    def _check_args(kind: Kind, k: int, filters: Filters | None) -> None:
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 100:
            raise InvalidInput(f"'k' must be an integer between 1 and 100, got {k!r}")
        (filters or Filters()).check(kind)

    @staticmethod
    def _subject(snap: _Snapshot, kind: Kind, subject_id: str) -> Row:
        proj = snap.proj
        s_lab = KINDS[kind].subject
        s = proj.index.get(subject_id) if isinstance(subject_id, str) else None
        if s is None:
            raise NotFound(f"unknown id {subject_id!r}")
        if proj.label(s) is not s_lab:
            raise InvalidInput(f"'{subject_id}' is a {proj.label(s).value}, but '{kind}' "
                               f"recommendations are for a {s_lab.value}")
        return Row(s)

    @staticmethod
    def _candidate_mask(snap: _Snapshot, kind: Kind,
                        candidates: Sequence[str] | None) -> NDArray[np.bool_] | None:
        """Which of the kind's candidates were asked for (None: all of them)."""
        if candidates is None:
            return None
        if isinstance(candidates, str):
            raise InvalidInput("'candidates' must be a list of ids, not a single string")
        proj = snap.proj
        c_lab = KINDS[kind].candidate
        rows: list[int] = []
        for cid in candidates:
            r = proj.index.get(cid) if isinstance(cid, str) else None
            if r is None:
                raise NotFound(f"unknown candidate id {cid!r}")
            if proj.label(r) is not c_lab:
                raise InvalidInput(f"candidate '{cid}' is a {proj.label(r).value}, but '{kind}' "
                                   f"recommendations are {c_lab.value} nodes")
            rows.append(r)
        return np.isin(snap.cands[kind], np.asarray(rows, dtype=np.int64))

    def _features(self, snap: _Snapshot, kind: Kind, subjects: IntArray) -> NDArray[np.float64]:
        """Feature tensor of ``subjects`` (global rows) against every candidate of ``kind``."""
        up = KINDS[kind].upstream
        upstream = self._model(snap, up).weights if up is not None else None
        proj = snap.proj
        return snap.fs.features(kind, proj.local[subjects], proj.local[snap.cands[kind]],
                                upstream=upstream)

    # ------------------------------------------------------------------ one subject's ranking

    def _rank(self, snap: _Snapshot, kind: Kind, s: Row, X: NDArray[np.float64], k: int,
              filters: Filters, options: RecommendOptions,
              allowed: NDArray[np.bool_] | None) -> list[Recommendation]:
        """Score, mask, rerank and explain one subject's candidates from its features."""
        model = self._model(snap, kind)
        score = np.round(model.score(X), 9)
        valid = self._mask(snap, kind, s, filters, options.include_known) & (score > 0)
        if allowed is not None:
            valid &= allowed
        pool_size = max(k, RECIPROCAL_POOL if options.reciprocal else 0,
                        DIVERSIFY_POOL if options.diversify else 0)
        pool = _top(score, valid, pool_size)
        others: dict[int, IntArray] = {}
        if options.group and kind is Kind.SOLUTIONS and pool.size:
            order = _top(score, valid, int(valid.sum()))
            groups = snap.solution_groups[snap.proj.local[snap.cands[kind][order]]]
            pool, others = collapse(order, groups)
            pool = pool[:pool_size]
        final, reverse = score, None
        if options.reciprocal and KINDS[kind].reverse is not None and pool.size:
            final, reverse, pool = self._reciprocal(snap, kind, s, score, valid, pool, pool_size)
        chosen = self._rerank(snap, kind, pool, final, k, options.diversify)
        out = self._explain(snap, kind, s, X, model, chosen, final, reverse)
        for i, rec in zip(chosen.tolist(), out, strict=True):
            if i in others:
                rec.also_offered_by = offers(snap.proj, snap.explainer.solution_provider,
                                             snap.cands[kind][others[i]], final[others[i]])
        return out

    def _mask(self, snap: _Snapshot, kind: Kind, s: Row, filters: Filters,
              include_known: bool) -> NDArray[np.bool_]:
        """Candidates that may be returned: not the subject, not declined, not known (unless
        ``include_known``) and passing every filter."""
        cands = snap.cands[kind]
        ok = cands != s
        blocked = set(snap.declined.get((kind, s), set()))
        if not include_known:
            blocked |= snap.known(kind, s)
        if blocked:
            ok &= ~np.isin(cands, np.fromiter(blocked, dtype=np.int64))
        exclude = KINDS[kind].exclude
        if exclude is not None:
            local = snap.proj.local
            ok &= ~exclude(snap.fs, local[np.array([s])], local[cands])[0]
        return ok & filter_mask(snap.fs, KINDS[kind].candidate, cands, filters)

    def _reciprocal(self, snap: _Snapshot, kind: Kind, s: Row, score: NDArray[np.float64],
                    valid: NDArray[np.bool_], pool: IntArray, pool_size: int,
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64], IntArray]:
        """Re-score the forward pool from the candidates' side (the reverse kind) and rank by
        the harmonic mean of both scores: ``(final, reverse, new pool)``."""
        rkind = KINDS[kind].reverse
        assert rkind is not None
        proj = snap.proj
        c_local = proj.local[snap.cands[kind]]
        back = self._model(snap, rkind).score(  # one row per candidate: no cascade pool
            snap.fs.features(rkind, c_local[pool], np.array([proj.local[s]]))[:, 0, :],
            pool=None)
        reverse = np.zeros_like(score)
        reverse[pool] = back
        fwd = score[pool]
        hm = np.divide(2 * fwd * back, fwd + back, out=np.zeros_like(fwd),
                       where=(fwd + back) > 0)
        final = np.zeros_like(score)
        final[pool] = np.round(hm, 9)
        keep = np.zeros_like(valid)
        keep[pool] = True
        return final, reverse, _top(final, valid & keep & (final > 0), pool_size)

    @staticmethod
    def _rerank(snap: _Snapshot, kind: Kind, pool: IntArray, final: NDArray[np.float64],
                k: int, diversify: bool) -> IntArray:
        """The ``k`` chosen candidate positions: the pool's head, or its MMR re-ranking."""
        if not diversify or pool.size <= 1:
            return pool[:k]
        local = snap.proj.local[snap.cands[kind]][pool]
        order = _mmr_order(snap.fs, KINDS[kind].candidate, local, final[pool], k)
        return pool[order]

    @staticmethod
    def _explain(snap: _Snapshot, kind: Kind, s: Row, X: NDArray[np.float64],
                 model: KindModel, chosen: IntArray, final: NDArray[np.float64],
                 reverse: NDArray[np.float64] | None) -> list[Recommendation]:
        """Recommendations with components and reasons for the chosen positions.

        Components are the model's per-feature contributions
        (:meth:`~matchmaking.training.KindModel.contributions`); a tree model adds its
        ``baseline``, so that the components always sum to the score.
        """
        proj = snap.proj
        names = KINDS[kind].features
        c_lab = KINDS[kind].candidate
        cands = snap.cands[kind]
        weights = model.vector()
        parts, baseline = model.contributions(X, chosen)
        linear = model.ensemble is None
        rows = [Row(int(cands[i])) for i in chosen.tolist()]
        all_comps = []
        for n, i in enumerate(chosen.tolist()):
            comps = {f: round(float(parts[n, j]), 6) for j, f in enumerate(names)
                     if (weights[j] > 0 if linear else parts[n, j] != 0)}
            if reverse is not None:
                comps["reverse"] = round(float(reverse[i]), 6)
            all_comps.append(comps)
        why = snap.explainer.explain(kind, s, rows, all_comps)
        # the baseline of a tree model is part of the score, not a reason
        return [Recommendation(id=proj.ids[c], label=c_lab.value, name=proj.name(c),
                               score=round(float(final[i]), 6),
                               components={**comps, "baseline": round(float(b), 6)} if b
                               else comps,
                               reasons=[r for _, r in w], reason_features=[f for f, _ in w])
                for i, c, comps, w, b in zip(chosen.tolist(), rows, all_comps, why,
                                             baseline.tolist(), strict=True)]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a snapshot is unpickled or built: its
    ~100,000 new containers would trigger collections that free nothing (a third of the
    load time at bsc scale)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _freeze_snapshot(old: weakref.ref[_Snapshot] | None) -> None:
    """Move the objects alive now (the new snapshot above all) out of the collector's scans
    (:func:`gc.freeze`): a full collection over a bsc snapshot takes about 185 ms, which a
    request that happened to trigger it paid as latency.

    After a rebuild (``old`` is the replaced snapshot), the frozen objects are unfrozen and
    collected first, so the old snapshot's cycles are freed; if a request still holds it,
    nothing is frozen this time (freezing would keep it alive until the next rebuild).
    """
    if old is not None:
        gc.unfreeze()
        gc.collect()
        if old() is not None:
            return
    gc.freeze()


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
    topics = {Label.SOLUTION: fs.solution_topic, Label.PROVIDER: fs.provider_topic,
              Label.CITY: fs.city_topic, Label.MEMBER: fs.member_topic}[lab]
    V = sp.hstack([topics[local], fs.text[lab][local]]).tocsr()
    top = float(scores.max()) if scores.size else 1.0
    rel = scores / top if top > 0 else scores
    return np.asarray(mmr(rel, V, k, lambda_=MMR_LAMBDA, precomputed=False), dtype=np.int64)
