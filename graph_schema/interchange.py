"""Import and export of whole ecosystems in the smartcity-graph/1 and /1.1 interchange formats.

Version 1.1 adds events, attendance and meetings (:mod:`graph_schema.interchange_events`);
a written dataset declares 1.1 only when it holds an event, so other datasets stay /1.

Import runs in three streamed passes, so memory grows with the number of node ids, not
with file size:

1. validate ``nodes.jsonl`` line by line, remembering each valid id's label;
2. validate ``relationships.jsonl``: types, property names and values, and endpoints
   (against the dataset, the built-in reference nodes and what the store already holds);
3. only then write, in batches of ``batch_size``, all inside ONE store transaction
   (:meth:`~graph_schema.store.GraphStore.write_all`): the import is all-or-nothing, even
   when the process is killed or a write-time conflict is found, and the store's
   generation grows by exactly one.

With errors and without ``skip_invalid`` nothing is written. Reading is bounded by
:class:`ReadLimits`: a line longer than ``max_line_bytes`` is rejected (as that line's
error), and a file that decompresses to more than ``max_file_bytes`` stops the import with
:class:`~graph_schema.errors.LimitExceeded`, so a small gzip bomb cannot exhaust memory.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import orjson

from graph_schema.errors import Conflict, InvalidInput, LimitExceeded, MatchmakingError, NotFound
from graph_schema.interchange_events import (
    FORMAT_1_1,
    SUPPORTED_FORMATS,
    EventChecks,
    format_error,
    needs_1_1,
)
from graph_schema.part_of import PartOfChecks
from graph_schema.schema import (
    INTERNAL_LABELS,
    Label,
    Node,
    Rel,
    RelType,
    check_endpoints,
    node_from_json,
    reference_labels,
    rel_from_json,
)
from graph_schema.store import Counts, GraphStore

FORMAT = "smartcity-graph/1"
MAX_REPORTED_ERRORS = 10_000
MAX_LINE_BYTES = 16 * 1024**2
MAX_FILE_BYTES = 4 * 1024**3
_CHUNK = 1024**2  # bytes read at a time while skipping an over-long line
#: Called with (phase, items done so far); phase is "validate nodes", "write rels", ...
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class LineError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class ImportReport:
    """What an import did. ``ok`` is False when any line was rejected."""

    nodes_read: int = 0
    rels_read: int = 0
    nodes_written: int = 0
    rels_written: int = 0
    error_count: int = 0
    errors: list[LineError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, file: str, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(LineError(file, line, message))

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "written": self.written,
            "nodes_read": self.nodes_read,
            "rels_read": self.rels_read,
            "nodes_written": self.nodes_written,
            "rels_written": self.rels_written,
            "error_count": self.error_count,
            "errors": [
                {"file": e.file, "line": e.line, "message": e.message} for e in self.errors
            ],
        }


def dataset_file(directory: Path, stem: str) -> Path:
    """``DIR/stem.jsonl`` or ``DIR/stem.jsonl.gz``; :class:`InvalidInput` if neither."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InvalidInput(f"dataset folder {str(directory)!r} does not exist")
    for name in (f"{stem}.jsonl", f"{stem}.jsonl.gz"):
        if (directory / name).is_file():
            return directory / name
    raise InvalidInput(f"{directory} has no {stem}.jsonl or {stem}.jsonl.gz")


def _open_binary(path: Path) -> IO[bytes] | gzip.GzipFile:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")  # noqa: SIM115


@dataclass(frozen=True)
class ReadLimits:
    """Caps on what reading one dataset file may cost (decompressed bytes).

    The defaults come from ``MATCHMAKING_IMPORT_MAX_LINE_BYTES`` and
    ``MATCHMAKING_IMPORT_MAX_FILE_BYTES`` (16 MiB per line, 4 GiB per file when unset).
    """

    max_line_bytes: int = MAX_LINE_BYTES
    max_file_bytes: int = MAX_FILE_BYTES

    def __post_init__(self) -> None:
        if self.max_line_bytes < 1 or self.max_file_bytes < 1:
            raise InvalidInput("import limits must be positive numbers of bytes")

    @classmethod
    def from_env(cls) -> ReadLimits:
        """The limits set in the environment, else the defaults."""
        return cls(
            max_line_bytes=_env_bytes("MATCHMAKING_IMPORT_MAX_LINE_BYTES", MAX_LINE_BYTES),
            max_file_bytes=_env_bytes("MATCHMAKING_IMPORT_MAX_FILE_BYTES", MAX_FILE_BYTES),
        )


def _env_bytes(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"{name}={raw!r} is not a whole number of bytes") from None


def read_jsonl(
    path: Path, limits: ReadLimits | None = None
) -> Iterator[tuple[int, Any, str | None]]:
    """Yield ``(line number, object, error)`` for every non-blank line of a JSONL file.

    Raises :class:`LimitExceeded` once the file has yielded more than
    ``limits.max_file_bytes`` decompressed bytes.
    """
    limits = limits or ReadLimits.from_env()
    line_cap = limits.max_line_bytes
    total = 0
    with _open_binary(path) as fh:
        lineno = 0
        while True:
            lineno += 1
            try:
                line = fh.readline(line_cap + 1)
                total += len(line)
                too_long = len(line) - line.endswith(b"\n") > line_cap
                while too_long and not line.endswith(b"\n") and total <= limits.max_file_bytes:
                    line = fh.readline(_CHUNK)  # skip the rest of the line, chunk by chunk
                    total += len(line)
                    if not line:
                        break
            except (OSError, EOFError, zlib.error) as e:
                yield lineno, None, f"cannot read the file: {e}"
                return
            if total > limits.max_file_bytes:
                raise LimitExceeded(
                    f"{path.name} is larger than the import limit of "
                    f"{limits.max_file_bytes:,} bytes (decompressed); raise "
                    "MATCHMAKING_IMPORT_MAX_FILE_BYTES or --max-file-bytes, or split the dataset"
                )
            if too_long:
                yield lineno, None, (
                    f"line is longer than the limit of {line_cap:,} bytes; shorten it, or raise "
                    "MATCHMAKING_IMPORT_MAX_LINE_BYTES or --max-line-bytes"
                )
                continue
            if not line:
                return
            if not line.strip():
                continue
            try:
                yield lineno, orjson.loads(line), None
            except orjson.JSONDecodeError as e:
                if "utf-8" in e.msg.lower():
                    yield lineno, None, "not valid UTF-8; save the file as UTF-8"
                else:
                    yield lineno, None, f"invalid JSON at column {e.colno}: {e.msg}"


class _Validator:
    """The validation passes; remembers what it accepted for the write pass."""

    def __init__(
        self,
        store: GraphStore,
        report: ImportReport,
        progress: Progress | None,
        limits: ReadLimits,
        declared: str | None = None,
    ):
        self.store = store
        self.limits = limits
        self.declared = declared
        self.events = EventChecks(store)
        self.part_of = PartOfChecks(store)
        self.report = report
        self.progress = progress
        self.labels: dict[str, Label] = {}
        self.node_lines: dict[str, int] = {}
        self.bad_node_lines: set[int] = set()
        self.bad_ids: dict[str, int] = {}
        self.rejected_labels: dict[str, tuple[Label, int]] = {}
        self.bad_rel_lines: set[int] = set()

    def nodes(self, path: Path) -> None:
        name = self.nodes_name = path.name
        for lineno, obj, err in read_jsonl(path, self.limits):
            self.report.nodes_read += 1
            if self.progress and self.report.nodes_read % 50_000 == 0:
                self.progress("validate nodes", self.report.nodes_read)
            try:
                if err:
                    raise InvalidInput(err)
                node = node_from_json(obj)
                self._check_duplicate(node)
                if self.declared == FORMAT and needs_1_1(node=node):
                    raise InvalidInput(format_error(self.declared))
                self.events.node(node, lineno)
                self.part_of.node(node, lineno)
            except InvalidInput as e:
                self.report.add_error(name, lineno, str(e))
                self.bad_node_lines.add(lineno)
                self._remember_rejected(obj, lineno)
                continue
            self.labels[node.id] = node.label
            self.node_lines.setdefault(node.id, lineno)
        self._check_against_store(name)
        for node_id, lineno, message in self.part_of.finish(self.labels, self.bad_ids):
            self.report.add_error(name, lineno, message)
            self.bad_node_lines.add(lineno)
            self.bad_ids.setdefault(node_id, lineno)
            self.labels.pop(node_id, None)

    def _remember_rejected(self, obj: Any, lineno: int) -> None:
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            return
        self.bad_ids.setdefault(obj["id"], lineno)
        if obj.get("label") in Label.__members__.values():
            self.rejected_labels.setdefault(obj["id"], (Label(obj["label"]), lineno))

    def _check_duplicate(self, node: Node) -> None:
        known = self.labels.get(node.id) or reference_labels().get(node.id)
        where = f"line {self.node_lines[node.id]}" if node.id in self.node_lines else "built-in"
        if known is None and node.id in self.rejected_labels:
            known, line = self.rejected_labels[node.id]
            where = f"line {line}"
        if known is not None and known is not node.label:
            raise InvalidInput(
                f"duplicate id '{node.id}': already a {known.value} ({where}), "
                f"here a {node.label.value}; ids are unique across all labels"
            )

    def _check_against_store(self, name: str) -> None:
        ids = list(self.labels)
        for i in range(0, len(ids), 5000):
            chunk = ids[i : i + 5000]
            for node_id, label in self.store.labels_of(chunk).items():
                if label is not self.labels[node_id]:
                    line = self.node_lines[node_id]
                    self.report.add_error(
                        name, line,
                        f"id '{node_id}' already exists in the store as a {label.value}, "
                        f"not a {self.labels[node_id].value}; use another id",
                    )
                    self.bad_node_lines.add(line)
                    self.bad_ids.setdefault(node_id, line)
                    del self.labels[node_id]

    def rels(self, path: Path) -> None:
        pending: list[tuple[int, Rel]] = []
        for lineno, obj, err in read_jsonl(path, self.limits):
            self.report.rels_read += 1
            if self.progress and self.report.rels_read % 50_000 == 0:
                self.progress("validate relationships", self.report.rels_read)
            try:
                if err:
                    raise InvalidInput(err)
                rel = rel_from_json(obj)
                if self.declared == FORMAT and needs_1_1(rel=rel):
                    raise InvalidInput(format_error(self.declared))
                pending.append((lineno, rel))
            except InvalidInput as e:
                self.report.add_error(path.name, lineno, str(e))
                self.bad_rel_lines.add(lineno)
            if len(pending) >= 5000:
                self._check_rels(path.name, pending)
                pending = []
        self._check_rels(path.name, pending)
        for lineno, message, rel_lines in self.events.finish():
            self.report.add_error(self.nodes_name, lineno, message)
            self.bad_node_lines.add(lineno)
            self.bad_rel_lines.update(rel_lines)

    def _check_rels(self, name: str, pending: list[tuple[int, Rel]]) -> None:
        refs = reference_labels()
        unknown = {
            x
            for _, r in pending
            for x in (r.src, r.dst, r.props.get("provider"))
            if isinstance(x, str) and x not in self.labels and x not in refs
            and x not in self.bad_ids
        }
        in_store = self.store.labels_of(unknown) if unknown else {}
        self.events.prefetch(r for _, r in pending)
        for lineno, rel in pending:
            try:
                labels = [self._label_of(x, refs, in_store) for x in (rel.src, rel.dst)]
                check_endpoints(rel, labels[0], labels[1])
                provider = rel.props.get("provider")
                if rel.type is RelType.IMPLEMENTED and provider is not None:
                    got = self._label_of(provider, refs, in_store, what="provider")
                    if got is not Label.PROVIDER:
                        raise InvalidInput(
                            f"property 'provider' must name a Provider, "
                            f"but '{provider}' is a {got.value}"
                        )
                self.events.rel(rel, lineno)
            except InvalidInput as e:
                self.report.add_error(name, lineno, str(e))
                self.bad_rel_lines.add(lineno)

    def _label_of(
        self, node_id: str, refs: dict[str, Label], in_store: dict[str, Label], what: str = ""
    ) -> Label:
        label = self.labels.get(node_id) or refs.get(node_id) or in_store.get(node_id)
        if label is not None:
            return label
        role = f"{what} " if what else ""
        if node_id in self.bad_ids:
            raise InvalidInput(
                f"{role}'{node_id}' was rejected (nodes line {self.bad_ids[node_id]}), "
                "so this relationship is rejected too"
            )
        raise InvalidInput(
            f"dangling {role}endpoint '{node_id}': no node with this id in the dataset "
            "or the store; add it to nodes.jsonl or fix the id"
        )


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_dataset(
    store: GraphStore,
    directory: str | Path,
    *,
    skip_invalid: bool = False,
    batch_size: int = 5000,
    progress: Progress | None = None,
    limits: ReadLimits | None = None,
) -> ImportReport:
    """Validate a dataset folder and upsert it into ``store``; see the module docstring.

    Raises :class:`LimitExceeded` when a file is larger than ``limits`` allow, and
    :class:`Conflict` when the store changed between validation and writing in a way
    that clashes with the dataset; in both cases nothing was written.
    """
    directory = Path(directory)
    limits = limits or ReadLimits.from_env()
    nodes_path = dataset_file(directory, "nodes")
    rels_path = dataset_file(directory, "relationships")
    declared = _check_meta(directory)
    report = ImportReport()
    v = _Validator(store, report, progress, limits, declared)
    v.nodes(nodes_path)
    v.rels(rels_path)
    order = {nodes_path.name: 0, rels_path.name: 1}
    report.errors.sort(key=lambda e: (order.get(e.file, 2), e.line))
    if not report.ok and not skip_invalid:
        return report
    if progress:
        progress("validated", report.nodes_read + report.rels_read)
    written = {"nodes": 0, "rels": 0}

    def batches() -> Iterator[tuple[list[Node], list[Rel]]]:
        # Lines were validated above; rebuild the records without validating again.
        nodes = (
            Node(obj["id"], Label(obj["label"]), _props(obj, ("id", "label")))
            for obj in _valid_objects(nodes_path, v.bad_node_lines, limits)
        )
        for batch in _batches(nodes, batch_size):
            yield batch, []
            written["nodes"] += len(batch)
            if progress:
                progress("write nodes", written["nodes"])
        rels = (
            Rel(RelType(obj["type"]), obj["from"], obj["to"], _props(obj, ("type", "from", "to")))
            for obj in _valid_objects(rels_path, v.bad_rel_lines, limits)
        )
        for rel_batch in _batches(rels, batch_size):
            yield [], rel_batch
            written["rels"] += len(rel_batch)
            if progress:
                progress("write relationships", written["rels"])

    try:
        store.write_all(batches())
    except (Conflict, NotFound) as e:
        raise Conflict(
            f"the store changed during the import ({e}); the import was rolled back and "
            "nothing was written: run it again"
        ) from e
    report.written = True
    report.nodes_written, report.rels_written = written["nodes"], written["rels"]
    return report


def _valid_objects(path: Path, bad_lines: set[int], limits: ReadLimits) -> Iterator[Any]:
    """The parsed objects of ``path`` except the lines validation rejected."""
    return (
        obj
        for lineno, obj, err in read_jsonl(path, limits)
        if err is None and lineno not in bad_lines
    )


def _props(obj: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in keys}


def _check_meta(directory: Path) -> str | None:
    """The format ``meta.json`` declares (None without one); error if unsupported."""
    meta = directory / "meta.json"
    if not meta.is_file():
        return None
    if meta.stat().st_size > 1024**2:
        raise InvalidInput(f"{meta.name} is larger than 1 MiB; it holds only a few fields")
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InvalidInput(f"{meta.name}:1: invalid JSON ({e})") from None
    fmt = data.get("format") if isinstance(data, dict) else None
    if fmt is not None and fmt not in SUPPORTED_FORMATS:
        raise InvalidInput(f"{meta.name}: format {fmt!r} is not supported; expected one of "
                           f"{', '.join(repr(f) for f in SUPPORTED_FORMATS)}")
    return fmt if isinstance(fmt, str) else None


def export_dataset(
    store: GraphStore,
    directory: str | Path,
    *,
    compress: bool = False,
    name: str = "export",
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write the store's dataset (without derived and untouched built-in data) to a folder.

    The output is deterministic: nodes sorted by id, relationships by (type, from, to),
    keys in a fixed order (see :func:`write_dataset`).

    Returns
    -------
    dict
        ``{"nodes": n, "relationships": m}``, as recorded in ``meta.json``.
    """

    def meta(counts: Counts) -> dict[str, Any]:
        return {"name": name, **_totals(counts)}

    counts = write_dataset(
        directory, iter_dataset_nodes(store), iter_dataset_rels(store), meta=meta,
        compress=compress, progress=progress,
    )
    return _totals(counts)


def _totals(counts: Counts) -> dict[str, int]:
    return {"nodes": sum(counts.nodes.values()), "relationships": sum(counts.rels.values())}


def write_dataset(
    directory: str | Path,
    nodes: Iterable[Node],
    rels: Iterable[Rel],
    *,
    meta: Mapping[str, Any] | Callable[[Counts], Mapping[str, Any]] = MappingProxyType({}),
    compress: bool = False,
    sort_props: bool = True,
    progress: Progress | None = None,
) -> Counts:
    """Write nodes and relationships as a smartcity-graph/1 dataset folder, streaming.

    ``nodes.jsonl`` and ``relationships.jsonl`` (``.jsonl.gz`` with ``compress``) are written
    under temporary names and renamed when complete, so a reader never sees half a file;
    the other variant (plain or gzip) of each file is removed. Then ``meta.json`` is written.
    The same input gives byte-identical files (gzip headers carry no name and no time).

    Parameters
    ----------
    directory : str or pathlib.Path
        Folder to write into (created if missing).
    nodes, rels : iterable of Node, iterable of Rel
        What to write, in the order given.
    meta : mapping or callable
        The fields of ``meta.json`` after ``"format"``; a callable receives the counts (to
        record totals) and returns them.
    compress : bool
        Write gzip files.
    sort_props : bool
        ``True``: compact records with properties sorted by name (what :func:`export_dataset`
        writes). ``False``: properties in the order they were built, with ``", "`` and
        ``": "`` separators (the demo generator's readable files).
    progress : callable, optional
        Called with ``("export nodes", n)`` and ``("export relationships", n)`` every
        100,000 records.

    Returns
    -------
    Counts
        Nodes written per label and relationships per type.

    Examples
    --------
    >>> import tempfile
    >>> from graph_schema.schema import Label, Node, Rel, RelType
    >>> folder = tempfile.mkdtemp()
    >>> counts = write_dataset(
    ...     folder,
    ...     [Node("city:aarhus", Label.CITY, {"name": "Aarhus", "country": "DK"})],
    ...     [Rel(RelType.NEEDS, "city:aarhus", "topic:air", {"urgency": 0.5})],
    ...     meta={"name": "example"},
    ... )
    >>> counts.nodes, counts.rels
    ({'City': 1}, {'NEEDS': 1})
    >>> print(open(f"{folder}/nodes.jsonl").read(), end="")
    {"id":"city:aarhus","label":"City","country":"DK","name":"Aarhus"}
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    counts = Counts()
    _write_jsonl(directory, "nodes", nodes, counts.nodes, compress, sort_props, progress)
    _write_jsonl(directory, "relationships", rels, counts.rels, compress, sort_props, progress)
    fields = dict(meta(counts) if callable(meta) else meta)
    fields.pop("format", None)
    # smartcity-graph/1.1 only when there are events, so other datasets stay /1
    fmt = FORMAT_1_1 if counts.nodes.get(Label.EVENT.value) else FORMAT
    text = json.dumps({"format": fmt, **fields}, indent=2) + "\n"
    (directory / "meta.json").write_text(text, encoding="utf-8")
    return counts


def _write_jsonl(
    directory: Path,
    stem: str,
    items: Iterable[Node] | Iterable[Rel],
    counts: dict[str, int],
    compress: bool,
    sort_props: bool,
    progress: Progress | None,
) -> None:
    suffix = ".jsonl.gz" if compress else ".jsonl"
    final = directory / f"{stem}{suffix}"
    tmp = directory / f".{stem}{suffix}.tmp"
    if sort_props:
        def encode(item: Node | Rel) -> bytes:
            return orjson.dumps(item.to_json())
    else:
        readable = json.JSONEncoder(ensure_ascii=False).encode

        def encode(item: Node | Rel) -> bytes:
            return readable(item.to_json(sort=False)).encode("utf-8")

    done = 0
    with open(tmp, "wb") as raw:
        out: IO[bytes] | gzip.GzipFile = (
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
            if compress else raw
        )
        buf: list[bytes] = []
        for item in items:
            key = item.label.value if isinstance(item, Node) else item.type.value
            counts[key] = counts.get(key, 0) + 1
            buf.append(encode(item))
            done += 1
            if len(buf) >= 4096:
                out.write(b"\n".join(buf) + b"\n")
                buf.clear()
            if progress and done % 100_000 == 0:
                progress(f"export {stem}", done)
        if buf:
            out.write(b"\n".join(buf) + b"\n")
        if compress:
            out.flush()  # a sync flush before the end, as the demo files always had it
            out.close()  # GzipFile does not close a file object it was given
    tmp.replace(final)
    other = directory / f"{stem}{'.jsonl' if compress else '.jsonl.gz'}"
    other.unlink(missing_ok=True)


def iter_dataset_nodes(store: GraphStore) -> Iterator[Node]:
    """Nodes that belong in an export: no untouched built-in and no engine-internal nodes."""
    for node in store.iter_nodes(include_builtin=False):
        if node.label not in INTERNAL_LABELS:
            yield node


def iter_dataset_rels(store: GraphStore) -> Iterator[Rel]:
    """Relationships that belong in an export: no derived and no engine-internal types."""
    for rel in store.iter_rels(include_derived=False):
        if rel.type is not RelType.FEEDBACK:
            yield rel


__all__ = [
    "FORMAT",
    "ImportReport",
    "LimitExceeded",
    "LineError",
    "MatchmakingError",
    "ReadLimits",
    "dataset_file",
    "export_dataset",
    "import_dataset",
    "read_jsonl",
    "write_dataset",
]
