"""What every programme table is computed from: a scope, the data, and the table type.

:class:`ProgrammeData` is one projection of the store (the engine's own) plus the
relationship properties the projection does not keep (years of implementations, advice and
partnerships; the verdicts and dates of feedback). :meth:`ProgrammeData.load` reads it once
per store generation.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from graph_schema import reference
from graph_schema.errors import InvalidInput
from graph_schema.schema import Label, RelType
from matchmaking.filtering import regions
from matchmaking.projection import IntArray, Projection

if TYPE_CHECKING:
    from graph_schema.store import GraphStore
    from matchmaking.engine import Engine


@dataclass(frozen=True)
class Table:
    """A plain table: a name, a title, column names and rows (one tuple per row)."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    @classmethod
    def of(cls, name: str, title: str, row_type: type, rows: Sequence[Any]) -> Table:
        """A table from dataclass rows (the columns are the dataclass's fields)."""
        columns = tuple(f.name for f in dataclasses.fields(row_type))
        return cls(name, title, columns, [dataclasses.astuple(r) for r in rows])

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column."""
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]


@dataclass(frozen=True)
class Scope:
    """Which cities a programme report covers: one country, one UN M49 region or subregion,
    both, or (the default) all.

    Raises
    ------
    InvalidInput
        A country that is not an ISO 3166-1 alpha-2 code, or an unknown region.

    Examples
    --------
    >>> Scope(country="DK", region="Europe").describe()
    'country DK, region Europe'
    >>> Scope(region="Atlantis")
    Traceback (most recent call last):
    ...
    graph_schema.errors.InvalidInput: filter 'region': 'Atlantis' is not a UN M49 region or \
subregion (e.g. 'Europe', 'Northern Europe')
    """

    country: str | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        if self.country is not None and (
            not isinstance(self.country, str) or reference.country(self.country) is None
        ):
            raise InvalidInput(f"filter 'country': {self.country!r} is not an ISO 3166-1 "
                               "alpha-2 country code (e.g. 'DK')")
        if self.region is not None and (
            not isinstance(self.region, str) or self.region.strip().lower() not in regions()
        ):
            raise InvalidInput(f"filter 'region': {self.region!r} is not a UN M49 region or "
                               "subregion (e.g. 'Europe', 'Northern Europe')")

    def describe(self) -> str:
        """The scope in words (``"all cities"`` without filters)."""
        parts = [f"country {self.country.upper()}"] if self.country else []
        if self.region:
            parts.append(f"region {self.region}")
        return ", ".join(parts) or "all cities"

    def mask(self, proj: Projection) -> np.ndarray:
        """Per global row: is the node located in the scope (its own country/region)."""
        ok = np.ones(proj.n, dtype=bool)
        if self.country:
            code = self.country.upper()
            ok &= np.array([c == code for c in proj.country], dtype=bool)
        if self.region:
            want = self.region.strip().lower()
            ok &= np.array([want in ((r or "").lower(), (s or "").lower())
                            for r, s in zip(proj.region, proj.subregion, strict=True)],
                           dtype=bool)
        return ok

    def cities(self, proj: Projection) -> IntArray:
        """Global rows of the cities in scope, in id order."""
        rows = proj.rows[Label.CITY]
        return rows[self.mask(proj)[rows]]


@dataclass(frozen=True)
class History:
    """Dated relationships, on the projection's global rows (``year``/``month`` may be None).

    ``implemented``, ``advised`` and ``partnerships`` hold ``(src row, dst row, year)``;
    ``feedback`` holds ``(subject row, candidate row, kind, verdict, month "YYYY-MM")``.
    """

    implemented: list[tuple[int, int, int | None]]
    advised: list[tuple[int, int, int | None]]
    partnerships: list[tuple[int, int, int | None]]
    feedback: list[tuple[int, int, str, str, str | None]]


def _year(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _month(v: Any) -> str | None:
    if isinstance(v, str) and len(v) >= 7 and v[4] == "-" and v[:4].isdigit() \
            and v[5:7].isdigit() and 1 <= int(v[5:7]) <= 12:
        return v[:7]
    return None


def read_history(store: GraphStore, proj: Projection) -> History:
    """Read the dated relationships of ``store`` onto ``proj``'s rows (unknown ids skipped)."""
    index = proj.index

    def dated(t: RelType) -> list[tuple[int, int, int | None]]:
        out = []
        for rel in store.iter_rels(t):
            s, d = index.get(rel.src), index.get(rel.dst)
            if s is not None and d is not None:
                out.append((s, d, _year(rel.props.get("year"))))
        return out

    feedback = []
    for rel in store.iter_rels(RelType.FEEDBACK):
        s, d = index.get(rel.src), index.get(rel.dst)
        if s is not None and d is not None:
            feedback.append((s, d, str(rel.props.get("kind", "")),
                             str(rel.props.get("verdict", "")), _month(rel.props.get("at"))))
    return History(dated(RelType.IMPLEMENTED), dated(RelType.ADVISED),
                   dated(RelType.PARTNERS_WITH), feedback)


@dataclass
class ProgrammeData:
    """A projection and its :class:`History`: everything the programme tables read."""

    proj: Projection
    history: History

    @property
    def generation(self) -> int | None:
        return self.proj.generation

    def block(self, rel_type: RelType, src: Label, dst: Label) -> sp.csr_array:
        """Binary (0/1) adjacency block on local indices (see :meth:`Projection.block`)."""
        B = self.proj.block(rel_type, src, dst)
        B.data[:] = 1.0
        return B

    @classmethod
    def load(cls, engine: Engine) -> ProgrammeData:
        """The engine's current projection with its history, cached per store generation."""
        proj = engine.projection
        key = (id(engine), proj.generation)
        with _LOCK:
            hit = _CACHE.get("data")
            if hit is not None and hit[0] == key and hit[1].proj is proj:
                return hit[1]
        data = cls(proj, read_history(engine.store, proj))
        with _LOCK:
            _CACHE["data"] = (key, data)
        return data


_LOCK = threading.Lock()
_CACHE: dict[str, tuple[Any, Any]] = {}
