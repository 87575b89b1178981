"""Which area a point lies in, and which providers serve an area: one rule for every layer.

The regimes, the simulation, the generator and the base rule all ask the same two questions
of the scenario's areas (the ``zones`` table). They are answered here, once.

Rule: a point belongs to the first area (in table order) whose closed polygon contains it, so a
point on a border between two areas goes to the one listed first; a point outside every area
goes to the nearest area. With no areas every point gets ``-1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = ["serves_matrix", "zone_index"]


def zone_index(geoms: Sequence[Any], xy: NDArray[np.float64]
               ) -> tuple[NDArray[np.int64], dict[str, int]]:
    """Area index of each point, and counts ``{"on_border": k, "outside": k}``.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> a, b = shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)
    >>> idx, info = zone_index([a, b], np.array([[5.0, 5.0], [10.0, 5.0], [30.0, 5.0]]))
    >>> idx.tolist(), info
    ([0, 0, 1], {'on_border': 1, 'outside': 1})
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    out = np.full(n, -1, dtype=np.int64)
    hits = np.zeros(n, dtype=np.int64)
    for k, g in enumerate(geoms):
        inside = shapely.intersects_xy(g, xy[:, 0], xy[:, 1])
        hits += inside
        out[(out < 0) & inside] = k
    outside = np.flatnonzero(out < 0)
    if len(outside) and len(geoms):
        pts = shapely.points(xy[outside])
        d = np.column_stack([shapely.distance(g, pts) for g in geoms])
        out[outside] = d.argmin(axis=1)
    else:
        outside = np.zeros(0, dtype=np.int64)
    return out, {"on_border": int((hits > 1).sum()), "outside": len(outside)}


def serves_matrix(provider_zones: Sequence[Sequence[str]], zone_ids: Sequence[str]
                  ) -> NDArray[np.bool_]:
    """``(n_zones + 1, n_providers)``: provider ``j`` serves area ``z``.

    A provider that lists no areas serves every area. The last row stands for "no area" (index
    ``-1``, a scenario without areas): every provider serves it.

    Examples
    --------
    >>> serves_matrix([(), ("north",), ("south",)], ["north", "south"]).astype(int).tolist()
    [[1, 1, 0], [1, 0, 1], [1, 1, 1]]
    """
    zone_ids = list(zone_ids)
    nz, m = len(zone_ids), len(provider_zones)
    ok = np.ones((nz + 1, m), dtype=bool)
    for j, pz in enumerate(provider_zones):
        if pz:
            idx = [zone_ids.index(z) for z in pz if z in zone_ids]
            ok[:nz, j] = np.isin(np.arange(nz), idx)
    return ok
