"""One error hierarchy for the whole project.

Every error the engine raises on purpose derives from :class:`MatchmakingError`, and also
from the builtin that best describes it, so callers can catch either. Messages name the
thing that is wrong and how to fix it.
"""

from __future__ import annotations


class MatchmakingError(Exception):
    """Root of all deliberate errors of the engine."""


class InvalidInput(MatchmakingError, ValueError):
    """A value given by a user or a file is not acceptable."""


class LimitExceeded(InvalidInput):
    """An input is larger than a configured limit (the message names the limit)."""


class NotFound(MatchmakingError, LookupError):
    """An id that does not exist."""


class NoStore(NotFound):
    """A store that does not exist where one was named (e.g. a mistyped SQLite path)."""


class Conflict(MatchmakingError):
    """The operation clashes with existing data (e.g. creating an id that exists)."""


class StoreError(MatchmakingError):
    """The store failed in a way that is not the user's fault."""


class StoreUnavailable(StoreError, ConnectionError):
    """The store cannot be reached right now; retrying later may succeed."""


class StoreBusy(StoreUnavailable):
    """The store answers but another writer holds its lock; this one request may be retried.

    Unlike a store that is down, this says nothing about the next request (the API answers
    503 for it without opening its circuit breaker).
    """


class MissingExtra(MatchmakingError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""
