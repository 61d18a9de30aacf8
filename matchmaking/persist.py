"""Persisted engine state: the projection with its feature space, and the learned weights.

A fresh process whose store has not changed loads what an earlier process built instead of
rebuilding the projection and refitting the models (about 0.1 s instead of 1.5 s plus 1 to 4 s
per kind at bsc scale).

Where
    Beside a SQLite file ``PATH``: the folder ``PATH.cache/``. For Neo4j:
    ``$MATCHMAKING_CACHE_DIR`` (default ``~/.cache/smartcity-matchmaking``) ``/neo4j-<hash of
    URI and database>/``. ``MATCHMAKING_CACHE=off`` turns persistence off.

What
    ``snapshot.bin``: the pickled projection and feature space, keyed by the store's identity
    (URL, a random instance number drawn when the store was created) and its generation.
    ``models.json``: the per-kind models as JSON (:class:`matchmaking.training.KindModel`:
    weights, the winner of the model selection with every contender's validation score, and
    a tree ensemble's arrays when the tree ranker won), with the number of positives each
    kind was fitted on. Format 2 added the model selection; a format-1 file is ignored.

Safety
    Only files this module wrote are unpickled: each starts with a JSON header holding the
    format version, a fingerprint of the code (the package sources), the store key and an
    HMAC-SHA256 of the payload under a per-user secret (``cache.key`` in the cache home,
    mode 0600). Any mismatch (another version, another store, a changed store, a truncated or
    altered file) means the file is ignored and the state is rebuilt.

Refit policy
    When the store changed, the projection is rebuilt and a kind's stored weights are reused
    as long as the number of its positives (the links it learns from, plus accepted feedback)
    differs by at most :data:`REFIT_CHANGE` (10 %) from the number it was fitted on;
    otherwise the kind is refitted on first use. ``matchmaking fit`` refits every kind now.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import io
import json
import logging
import os
import pickle
import secrets
import tempfile
import threading
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from graph_schema.store import GraphStore

FORMAT = 2
REFIT_CHANGE = 0.10
SNAPSHOT = "snapshot.bin"
MODELS = "models.json"
_PACKAGES = ("graph_schema", "scoring", "matchmaking")
log = logging.getLogger("matchmaking.persist")


def enabled() -> bool:
    """False when ``MATCHMAKING_CACHE`` is ``off``/``0``/``false``."""
    return os.environ.get("MATCHMAKING_CACHE", "on").strip().lower() not in ("off", "0", "false",
                                                                           "no")


def cache_home() -> Path:
    """``$MATCHMAKING_CACHE_DIR``, else ``$XDG_CACHE_HOME/smartcity-matchmaking``."""
    env = os.environ.get("MATCHMAKING_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "smartcity-matchmaking"


def cache_dir(store: GraphStore) -> Path | None:
    """The folder of ``store``'s persisted state (None: not persisted, e.g. ``:memory:``)."""
    path = getattr(store, "path", None)
    if isinstance(path, str):
        return None if path == ":memory:" else Path(path + ".cache")
    database = getattr(store, "database", "") or ""
    digest = hashlib.sha256(f"{store.url}|{database}".encode()).hexdigest()[:16]
    return cache_home() / f"neo4j-{digest}"


def store_key(store: GraphStore, generation: int | None) -> dict[str, Any]:
    """What a persisted snapshot must match: the store's instance (its URL when it has none)
    and generation."""
    instance = getattr(store, "instance", None)
    return {"instance": (instance() if callable(instance) else "") or store.url,
            "generation": generation}


@cache
def code_fingerprint() -> str:
    """SHA-256 over the sources of the packages whose objects are pickled."""
    h = hashlib.sha256(f"format {FORMAT}".encode())
    root = Path(__file__).resolve().parent.parent
    for pkg in _PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _secret() -> bytes | None:
    """The per-user HMAC key (created on first use, mode 0600); None if it cannot be had."""
    path = cache_home() / "cache.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        return bytes.fromhex(path.read_text().strip())
    except FileExistsError:  # another process made it meanwhile
        try:
            return bytes.fromhex(path.read_text().strip())
        except (OSError, ValueError):
            return None
    except (OSError, ValueError):
        return None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_snapshot(store: GraphStore, generation: int | None, obj: Any) -> Path | None:
    """Pickle ``obj`` for ``store`` at ``generation`` (best effort: None if not written)."""
    folder = cache_dir(store)
    key = _secret()
    if folder is None or key is None or not enabled():
        return None
    try:
        payload = _dumps(obj)
        header = {"format": FORMAT, "code": code_fingerprint(),
                  **store_key(store, generation),
                  "hmac": hmac.new(key, payload, hashlib.sha256).hexdigest()}
        path = folder / SNAPSHOT
        _atomic_write(path, json.dumps(header).encode() + b"\n" + payload)
        return path
    except Exception as e:  # best effort: serving goes on without a persisted snapshot
        log.warning("could not persist the projection: %s: %s", type(e).__name__, e)
        return None


_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


class _Pickler(pickle.Pickler):
    """Pickles locks as new, unlocked ones (an engine snapshot may hold one)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCK_TYPES):
            return (threading.RLock if isinstance(obj, _LOCK_TYPES[1]) else threading.Lock, ())
        return NotImplemented


def _dumps(obj: Any) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def load_snapshot(store: GraphStore) -> Any | None:
    """The object saved for ``store`` at its current generation, or None (no file, another
    store, version or generation, or a payload whose HMAC does not match)."""
    folder = cache_dir(store)
    if folder is None or not enabled():
        return None
    path = folder / SNAPSHOT
    try:
        with path.open("rb") as f:
            header = json.loads(f.readline(4096))
            if not isinstance(header, dict):
                return None
            expected = {"format": FORMAT, "code": code_fingerprint(),
                        **store_key(store, store.generation())}
            if any(header.get(k) != v for k, v in expected.items()):
                return None
            key = _secret()
            payload = f.read()
    except (OSError, ValueError):
        return None
    if key is None or not isinstance(header.get("hmac"), str):
        return None
    if not hmac.compare_digest(hmac.new(key, payload, hashlib.sha256).hexdigest(),
                               header["hmac"]):
        log.warning("ignoring %s: its HMAC does not match", path)
        return None
    return pickle.loads(payload)  # noqa: S301 - written by us, authenticated above


def save_models(store: GraphStore, models: Mapping[Any, Any],
                positives: Mapping[Any, int]) -> None:
    """Write the models (dataclasses) of each kind with the positives counts they were
    fitted on (a kind that fell back to default weights is stored too: refitting it is as
    slow, and it is refitted by the same policy)."""
    folder = cache_dir(store)
    if folder is None or not enabled():
        return
    doc = {"format": FORMAT, "code": code_fingerprint(),
           "instance": store_key(store, None)["instance"],
           "kinds": {str(kind): {"model": dataclasses.asdict(m),
                                 "positives": positives.get(kind, 0)}
                     for kind, m in sorted(models.items()) if kind in positives}}
    try:
        _atomic_write(folder / MODELS, json.dumps(doc, indent=1, sort_keys=True).encode())
    except OSError as e:
        log.warning("could not persist the models: %s", e)


def load_models(store: GraphStore, positives: dict[str, int],
                factory: Any) -> dict[str, tuple[Any, int]]:
    """Stored models still valid under the refit policy (see the module docstring), with the
    number of positives each was fitted on.

    ``positives`` holds each kind's current number of positives and ``factory`` builds a
    model from its stored fields (a kind whose fields no longer fit is refitted).
    """
    folder = cache_dir(store)
    if folder is None or not enabled():
        return {}
    try:
        doc = json.loads((folder / MODELS).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict) or doc.get("format") != FORMAT \
            or doc.get("code") != code_fingerprint() \
            or doc.get("instance") != store_key(store, None)["instance"]:
        return {}
    out: dict[str, tuple[Any, int]] = {}
    for kind, entry in (doc.get("kinds") or {}).items():
        if kind not in positives or not isinstance(entry, dict):
            continue
        fitted_on = entry.get("positives")
        if not isinstance(fitted_on, int) or not still_valid(fitted_on, positives[kind]):
            continue
        try:
            out[kind] = (factory(**entry["model"]), fitted_on)
        except (TypeError, KeyError):
            continue
    return out


def still_valid(fitted_on: int, now: int) -> bool:
    """The refit policy: reuse weights while positives changed by at most REFIT_CHANGE.

    >>> still_valid(1000, 1090), still_valid(1000, 1120), still_valid(0, 0)
    (True, False, True)
    """
    return abs(now - fitted_on) <= REFIT_CHANGE * max(fitted_on, 1)


def positive_counts(proj: Any) -> dict[str, int]:
    """Each kind's number of positives in a projection: the links it learns from plus its
    accepted feedback (what the refit policy compares)."""
    from graph_schema.schema import RelType

    accepted: dict[str, int] = {}
    for _, _, kind, verdict in proj.feedback:
        if verdict == "accepted":
            accepted[kind] = accepted.get(kind, 0) + 1
    links = {"solutions": proj.adj[RelType.IMPLEMENTED].nnz,
             "providers": len(proj.impl_provider), "leads": len(proj.impl_provider),
             "peers": proj.adj[RelType.PARTNERS_WITH].nnz,
             "experts": proj.adj[RelType.ADVISED].nnz,
             "opportunities": proj.adj[RelType.ADVISED].nnz}
    return {kind: int(n) + accepted.get(kind, 0) for kind, n in links.items()}
