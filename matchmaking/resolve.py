"""Names for ids: find the node a user means by its id or by its name.

Wherever the command line takes an id it also takes a name, matched case- and
accent-insensitively ("Gent", "gent", "GENT"; "Zurich" finds "Zürich"), as well as any of the
node's ``aliases`` (an optional list property, e.g. ``["Wien"]`` for Vienna). ``"Name, CC"``
narrows a name to a country. An ambiguous name lists the candidates with their ids and
countries; an unknown one suggests the three closest names.

>>> fold("  Zürich-Höngg ")
'zurich-hongg'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from graph_schema.errors import InvalidInput, NotFound
from graph_schema.schema import Label, Node
from graph_schema.store import GraphStore

#: How many candidates an ambiguity error lists, and how many suggestions an unknown name gets.
MAX_LISTED = 8
SUGGESTIONS = 3
_COUNTRY_SUFFIX = re.compile(r"^(.*\S)\s*(?:,\s*|\(\s*)([A-Za-z]{2})\s*\)?$")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name: NFKD, no combining marks, casefolded,
    whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True)
class Entry:
    """One node a name can resolve to."""

    id: str
    label: Label
    name: str
    country: str | None

    def describe(self) -> str:
        where = f", {self.country}" if self.country else ""
        return f"{self.id} ({self.name}{where})"


class NameIndex:
    """Folded names and aliases of the nodes of some labels, for :meth:`resolve`.

    Parameters
    ----------
    entries : iterable of (Entry, aliases)
        The nodes and their extra names.
    what : str, default "node"
        What the nodes are, for messages ("city").
    """

    def __init__(self, entries: Iterable[tuple[Entry, Collection[str]]],
                 what: str = "node") -> None:
        self.what = what
        self.by_id: dict[str, Entry] = {}
        self.by_name: dict[str, list[Entry]] = {}
        self.by_alias: dict[str, list[Entry]] = {}
        for entry, aliases in entries:
            self.by_id[entry.id] = entry
            name = fold(entry.name)
            self.by_name.setdefault(name, []).append(entry)
            for alias in {fold(a) for a in aliases} - {name, ""}:
                self.by_alias.setdefault(alias, []).append(entry)

    @classmethod
    def from_nodes(cls, nodes: Iterable[Node], what: str = "node") -> NameIndex:
        """An index of ``nodes`` (their ``name``, ``country`` and ``aliases`` properties)."""

        def entries() -> Iterable[tuple[Entry, Collection[str]]]:
            for node in nodes:
                props = node.props
                aliases = props.get("aliases")
                extra = [a for a in aliases if isinstance(a, str)] if isinstance(
                    aliases, list) else []
                country = props.get("country")
                yield (Entry(node.id, node.label, str(props.get("name") or node.id),
                             country if isinstance(country, str) else None), extra)

        return cls(entries(), what)

    def __len__(self) -> int:
        return len(self.by_id)

    def resolve(self, text: str) -> str:
        """The id ``text`` means: an id, or a unique name (``"Name, CC"`` narrows by country).

        Raises
        ------
        InvalidInput
            The name fits several nodes; the message lists them with ids and countries.
        NotFound
            Nothing fits; the message suggests the closest names.
        """
        text = text.strip()
        if text in self.by_id:
            return text
        key = fold(text)
        hits = self.by_name.get(key) or self.by_alias.get(key, [])
        if not hits:
            m = _COUNTRY_SUFFIX.match(text)
            if m:
                cc, base = m.group(2).upper(), fold(m.group(1))
                hits = [e for e in self.by_name.get(base) or self.by_alias.get(base, [])
                        if e.country == cc]
        if not hits:
            lowered = {k.casefold(): k for k in self.by_id}
            if text.casefold() in lowered:
                return lowered[text.casefold()]
        what = self.what
        unique = sorted({e.id: e for e in hits}.values(), key=lambda e: e.id)
        if len(unique) == 1:
            return unique[0].id
        if unique:
            listed = "; ".join(e.describe() for e in unique[:MAX_LISTED])
            more = f"; and {len(unique) - MAX_LISTED} more" if len(unique) > MAX_LISTED else ""
            raise InvalidInput(
                f"{text!r} names {len(unique)} {what}s: {listed}{more}. Give the id, or "
                f"'{unique[0].name}, {unique[0].country or 'CC'}' to pick by country"
            )
        kind = f"{what} id" if ":" in text else what
        raise NotFound(f"unknown {kind} {text!r}" + self._suggest(text))

    def _suggest(self, text: str) -> str:
        if ":" in text:  # looks like an id: suggest ids, compared without their prefix
            tails: dict[str, str] = {}
            for i in self.by_id:
                tails.setdefault(i.partition(":")[2].casefold() or i, i)
            close = difflib.get_close_matches(text.partition(":")[2].casefold(), list(tails),
                                              n=SUGGESTIONS, cutoff=0.6)
            entries = [self.by_id[tails[t]] for t in close]
        else:
            names = difflib.get_close_matches(fold(text), list(self.by_name), n=SUGGESTIONS,
                                              cutoff=0.6)
            entries = [self.by_name[n][0] for n in names]
        if not entries:
            return ""
        return "; did you mean " + ", ".join(e.describe() for e in entries) + "?"


def resolve_id(store: GraphStore, text: str, labels: Collection[Label], *,
               what: str | None = None) -> str:
    """The id of the node of one of ``labels`` that ``text`` (an id or a name) means.

    An id that exists is returned at once (with whatever label it has: the caller reports a
    wrong label). Otherwise the names of every node of ``labels`` are read from the store.

    Raises
    ------
    NotFound
        Unknown id or name (with suggestions), or a store that holds no such node at all
        (the message says when the store is empty).
    InvalidInput
        An ambiguous name.
    """
    if text.strip() in store.get_nodes([text.strip()]):
        return text.strip()
    return name_index(store, labels, what=what).resolve(text)


def resolve_or_keep(store: GraphStore, text: str, labels: Collection[Label]) -> str:
    """Like :func:`resolve_id`, but when no id or name fits, ``text`` comes back unchanged
    for the caller to report as an unknown id in its own words (an ambiguous name still
    raises :class:`InvalidInput`)."""
    try:
        return resolve_id(store, text, labels)
    except NotFound:
        return text


def name_index(store: GraphStore, labels: Collection[Label], *,
               what: str | None = None) -> NameIndex:
    """A :class:`NameIndex` of every node of ``labels``.

    Raises
    ------
    NotFound
        The store holds no node of these labels (the message says when it is empty).
    """
    what = what or _what(labels)
    index = NameIndex.from_nodes((n for lab in labels for n in store.iter_nodes(lab)), what)
    if not len(index):
        check_not_empty(store)
        raise NotFound(f"the store {store.url} holds no {what} nodes yet: "
                       "import a dataset that has some")
    return index


def check_not_empty(store: GraphStore) -> None:
    """Raise :class:`NotFound` saying so when the store holds no data (only the built-in
    reference nodes)."""
    if next(iter(store.iter_nodes(include_builtin=False)), None) is None:
        raise NotFound(f"the store {store.url} is empty: import a dataset first "
                       "(`matchmaking demo-data DIR` and `matchmaking import DIR`)")


def _what(labels: Collection[Label]) -> str:
    return "/".join(lab.value.lower() for lab in labels) or "node"
