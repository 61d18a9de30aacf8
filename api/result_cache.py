"""A per-process cache of serialised recommendation lists.

Recommendations are deterministic for a given graph, so a response body can be reused as long
as the store has not changed. Entries are keyed by the store generation read on the request
(:meth:`GraphStore.generation`, one indexed read) together with the kind, the subject, the
options, the filters and ``k``:

- any write (a new opt-out, a declined pair, an import) bumps the generation, so the very next
  request misses the cache; the cache is emptied when it sees a new generation;
- a body is only stored when the engine's snapshot has that same generation, so a result
  computed from a snapshot older than the store is never kept;
- the cache holds at most ``maxsize`` bodies (least recently used out first) and is shared by
  nothing across processes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

DEFAULT_SIZE = 4096


class ResultCache:
    """A bounded LRU map from (generation, request key) to a response body.

    Parameters
    ----------
    maxsize : int, default 4096
        Bodies kept (0 turns caching off).

    Examples
    --------
    >>> c = ResultCache(maxsize=2)
    >>> c.put(1, "a", b"A"); c.put(1, "b", b"B"); c.put(1, "c", b"C")
    >>> c.get(1, "a") is None, c.get(1, "c")
    (True, b'C')
    >>> c.get(2, "c") is None, len(c)
    (True, 0)
    """

    def __init__(self, maxsize: int = DEFAULT_SIZE) -> None:
        self.maxsize = maxsize
        self._generation: int | None = None
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def _at(self, generation: int) -> None:
        if generation != self._generation:
            self._items.clear()
            self._generation = generation

    def get(self, generation: int, key: Hashable) -> bytes | None:
        """The body stored for ``key`` at ``generation``, or None."""
        with self._lock:
            self._at(generation)
            body = self._items.get(key)
            if body is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return body

    def put(self, generation: int, key: Hashable, body: bytes) -> None:
        """Keep ``body`` for ``key`` at ``generation`` (evicting the least recently used)."""
        if self.maxsize <= 0:
            return
        with self._lock:
            self._at(generation)
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
