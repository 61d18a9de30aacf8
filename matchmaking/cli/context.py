"""State shared by the CLI's commands: the store URL, the store, and a progress reporter.

Command modules import from here, never from :mod:`matchmaking.cli` itself, so the package
has no import cycle and ``python -m matchmaking.cli`` sees one ``Context`` class.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from graph_schema.store import GraphStore


class Context:
    """Per-invocation state: the store URL and the store, opened on first use.

    Parameters
    ----------
    store_url : str
        ``sqlite:///PATH``, ``neo4j://HOST:PORT`` or ``bolt://HOST:PORT``.
    """

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url
        self._store: GraphStore | None = None

    def store(self, *, create: bool = False) -> GraphStore:
        """The store, opened on first use (a bad URL raises ``InvalidInput`` here).

        Read commands open an existing store only (a mistyped SQLite path is an error, not a
        new empty database); commands that write (``init``, ``import``, ``keys create``) pass
        ``create=True``.
        """
        if self._store is None:
            from graph_schema.store import open_store

            self._store = open_store(self.store_url, create=create)
        return self._store

    def close(self) -> None:
        """Close the store if a command opened it."""
        if self._store is not None:
            self._store.close()


#: Decorator handing a command the root group's :class:`Context`.
pass_ctx = click.make_pass_decorator(Context)


class Progress:
    """A tqdm bar on a terminal; otherwise a plain line at each new phase and every 2 s.

    Call it with ``(phase, done)``, as :func:`graph_schema.interchange.import_dataset` does.
    """

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.bars: dict[str, Any] = {}
        self.last = 0.0
        self.phase = ""

    def __call__(self, phase: str, done: int) -> None:
        if self.tty:
            from tqdm import tqdm

            bar = self.bars.get(phase)
            if bar is None:
                bar = self.bars[phase] = tqdm(desc=phase, unit=" lines", leave=False)
            bar.update(done - bar.n)
        elif phase != self.phase or time.monotonic() - self.last > 2.0:
            self.last = time.monotonic()
            self.phase = phase  # every new phase is shown at once
            click.echo(f"{phase}: {done:,}", err=True)

    def close(self) -> None:
        """Close every bar."""
        for bar in self.bars.values():
            bar.close()


class LazyChoice(click.Choice):
    """A :class:`click.Choice` whose values are loaded on first use.

    The values of some options (the recommendation kinds, ...) live in modules that import
    numpy and the engine; loading them only when a command's options are parsed or shown
    keeps ``matchmaking --help`` and the other commands fast.

    Parameters
    ----------
    load : callable
        Returns the allowed values.
    """

    def __init__(self, load: Callable[[], Iterable[str]]) -> None:
        self._load = load
        self._values: tuple[str, ...] | None = None
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:
        if self._values is None:
            self._values = tuple(self._load())
        return self._values

    @choices.setter
    def choices(self, values: Iterable[str]) -> None:
        self._values = tuple(values)
