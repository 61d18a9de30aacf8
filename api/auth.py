"""Authentication (``Authorization: Bearer mm_<key_id>_<secret>``), roles and rate limits.

Verified keys are cached in the process for ``MATCHMAKING_KEY_CACHE_SECONDS`` (default 30 s),
so the hot path does not read the key on every request. The cache is only trusted while the
store's ``privacy_generation()`` is the one it was filled at: every write of an ApiKey
(creation, revocation, by the API or the CLI) and every delete (a deleted subject's keys are
revoked) bumps that counter, and each request reads it (one indexed row on SQLite, one small
query on Neo4j) and empties the cache when it moved. A revoked key, or the key of a deleted
subject, is therefore refused by the very next request in every worker and process. An
expired key is refused at once (its expiry is checked on every request). The cache holds
the stored digest, never the secret; each request still compares its secret with the
digest (constant time).

Roles
-----
- ``admin``: everything, including key management.
- ``staff``: reads everything, writes entities, runs imports, reads all feedback.
- ``city`` / ``member`` / ``provider``: bound to one object (the key's ``subject``); the
  table in ``docs/api.md`` says what each may do.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from graph_schema.store import GraphStore
from matchmaking import keys as keymod
from matchmaking.keys import STAFF_ROLES, Role

from .errors import ApiProblem, forbidden, unauthorized


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's id, role and (for bound roles) subject id."""

    key_id: str
    role: Role
    subject: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def is_self(self, node_id: str) -> bool:
        return self.subject is not None and self.subject == node_id


def require_staff(p: Principal) -> None:
    if not p.is_staff:
        raise forbidden(f"role '{p.role}' may not do this; it needs an admin or staff key")


def require_admin(p: Principal) -> None:
    if not p.is_admin:
        raise forbidden(f"role '{p.role}' may not do this; it needs an admin key")


def require_self_or_staff(p: Principal, node_id: str, roles: frozenset[Role]) -> None:
    """Staff, or a key of one of ``roles`` bound to ``node_id``."""
    if p.is_staff or (p.role in roles and p.is_self(node_id)):
        return
    raise forbidden(f"this key (role '{p.role}') may not act on '{node_id}'")


class KeyCache:
    """Verified keys by key id, for at most ``ttl`` seconds (unknown ids too), and only as
    long as the store's privacy generation has not moved (see the module docstring)."""

    def __init__(self, ttl: float, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        # key id -> (valid until, privacy generation read before the key, the key or None)
        self._items: dict[str, tuple[float, int, keymod.ApiKey | None]] = {}
        self._lock = threading.Lock()

    def authenticate(self, store: GraphStore, token: str) -> Principal:
        parsed = keymod.parse_key(token)
        if parsed is None:
            raise unauthorized("malformed API key: expected 'Bearer mm_<key_id>_<secret>'")
        key_id, secret = parsed
        # Read before the key, and kept with it: a revocation committed after this read
        # gives the next request a newer generation, which no entry read now can match.
        generation = store.privacy_generation()
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(key_id)
        if hit is None or hit[0] <= now or hit[1] != generation:
            record = keymod.get_key(store, key_id)
            with self._lock:
                if len(self._items) >= self.max_entries:
                    self._items = {k: v for k, v in self._items.items()
                                   if v[0] > now and v[1] == generation}
                    if len(self._items) >= self.max_entries:
                        self._items.clear()
                if self.ttl > 0:
                    self._items[key_id] = (now + self.ttl, generation, record)
        else:
            record = hit[2]
        if record is None or not keymod.check_secret(record, secret):
            raise unauthorized("unknown or wrong API key")
        if record.revoked:
            raise unauthorized("this API key has been revoked")
        if record.expired():
            raise unauthorized(f"this API key expired at {record.expires}; ask an admin "
                               "for a new one")
        return Principal(record.key_id, Role(record.role), record.subject)

    def forget(self, key_id: str) -> None:
        with self._lock:
            self._items.pop(key_id, None)


class RateLimiter:
    """A token bucket per key: ``per_minute`` requests, refilled continuously.

    The state is per process: with ``--workers N`` a key may get up to N times the limit
    in the worst case (requests are spread over the workers by the kernel).
    """

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key_id: str) -> None:
        if self.per_minute <= 0:
            return
        rate = self.per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key_id, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[key_id] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / rate)
                raise ApiProblem(
                    429,
                    f"rate limit of {self.per_minute} requests per minute exceeded",
                    slug="rate-limited",
                    headers={"Retry-After": str(max(wait, 1))},
                )
            self._buckets[key_id] = (tokens - 1.0, now)
