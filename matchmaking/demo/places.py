"""Where the demo's cities are: their languages by region and the districts among them.

GeoNames lists districts and boroughs (Hietzing, Brooklyn, Charlottenburg) as populated places
of their own. The demo keeps them as cities but marks each with ``part_of`` (see
:mod:`graph_schema.part_of`): a city lying within the urban radius
(:func:`matchmaking.kinds.peers.near_km`) of a larger city of the same country and GeoNames
admin1 area is part of that city (of its top city, if that one is part of another).

Examples
--------
>>> region_languages("BE", "VLG"), region_languages("BE", "BRU"), region_languages("CH", "TI")
(('nl',), ('fr', 'nl'), ('it',))
>>> region_languages("DK", "84") is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matchmaking.demo.catalogue import REGION_LANGUAGES
from matchmaking.kinds.peers import EARTH_KM, MAX_URBAN_KM, near_km

__all__ = ["parts_of", "region_languages"]


def region_languages(country: str, admin1: str) -> tuple[str, ...] | None:
    """The languages of a city's region (GeoNames admin1 code) where they differ within its
    country, else None (the country's languages apply)."""
    by_region = REGION_LANGUAGES.get(country) or {}
    return by_region.get(admin1) or by_region.get("*")


def parts_of(lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64],
             population: npt.NDArray[np.int64], country: Sequence[str],
             admin1: Sequence[str]) -> npt.NDArray[np.int64]:
    """Index of the city each city is part of, or -1 (cities in any order).

    A city is part of the largest city of the same country and admin1 area that is larger
    than it and whose urban radius reaches it; chains are collapsed to the top city, so
    every ``part_of`` names a city that is part of none.
    """
    from sklearn.neighbors import BallTree

    n = len(population)
    out = np.full(n, -1, dtype=np.int64)
    if n < 2:
        return out
    pts = np.radians(np.c_[lat, lon])
    tree = BallTree(pts, metric="haversine")
    near = tree.query_radius(pts, r=MAX_URBAN_KM / EARTH_KM, return_distance=True)
    reach = near_km(population.astype(np.float64))
    order = sorted(range(n), key=lambda i: (-int(population[i]), i))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    for i in order:  # largest first, so that a parent's own part_of is known
        best = -1
        for j, d in zip(near[0][i].tolist(), near[1][i].tolist(), strict=True):
            if (rank[j] < rank[i] and country[j] == country[i] and admin1[j] == admin1[i]
                    and d * EARTH_KM < reach[j] and (best < 0 or rank[j] < rank[best])):
                best = j
        if best >= 0:
            out[i] = out[best] if out[best] >= 0 else best
    return out
