"""Small helpers to phrase reasons: lists, plurals, distances (no graph access)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["and_list", "intersect", "km", "plural", "quoted"]


def and_list(items: Sequence[str]) -> str:
    """``"a, b and c"``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def quoted(items: Sequence[str]) -> str:
    """``'"a", "b" and "c"'``."""
    return and_list([f'"{x}"' for x in items])


def plural(n: int, one: str, many: str) -> str:
    """``"1 city"``, ``"2 cities"``."""
    return f"{n} {one if n == 1 else many}"


def intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.intersect1d(a, b)`` for short integer arrays: sorted unique common values."""
    dtype = np.result_type(a.dtype, b.dtype)
    if not a.size or not b.size:
        return np.zeros(0, dtype=dtype)
    return np.array(sorted(set(a.tolist()).intersection(b.tolist())), dtype=dtype)


def km(lat0: float, lon0: float, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Great-circle distance in km (haversine)."""
    p0, p1 = np.radians(lat0), np.radians(lat)
    dl = np.radians(lon - lon0)
    a = np.sin((p1 - p0) / 2) ** 2 + np.cos(p0) * np.cos(p1) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
