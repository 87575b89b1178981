"""Regionalisation: whole DeSO areas grouped into contiguous areas with balanced weight.

The generic path (:func:`hemopt.synth.from_public_data`) designs a municipality's areas (LOU
procurement areas, zoning zones) with :func:`design_areas` when the user gives none. Unlike
:func:`hemopt.zones.design_zones`, which draws zones around the clients' stairwells, the
units here are SCB's DeSO areas, so each area is a list of DeSO codes a council can read off
SCB's maps and pass back as ``--areas``.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from hemopt.errors import InputError

__all__ = ["design_areas"]


def _adjacency(geoms: np.ndarray, gap_m: float = 200.0) -> list[set[int]]:
    """Neighbours of each polygon (within ``gap_m``); separate islands of units are joined
    to their nearest unit in another part so the graph is connected."""
    n = len(geoms)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=gap_m)
    nb: list[set[int]] = [set() for _ in range(n)]
    for i, j in zip(a, b, strict=True):
        if i != j:
            nb[int(i)].add(int(j))
    while True:  # join components, nearest pair first
        comp = np.full(n, -1)
        c = 0
        for s in range(n):
            if comp[s] >= 0:
                continue
            stack = [s]
            comp[s] = c
            while stack:
                u = stack.pop()
                for v in nb[u]:
                    if comp[v] < 0:
                        comp[v] = c
                        stack.append(v)
            c += 1
        if c <= 1:
            return nb
        inside, outside = np.flatnonzero(comp == 0), np.flatnonzero(comp != 0)
        d = shapely.distance(geoms[inside][:, None], geoms[outside][None, :])
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        nb[int(inside[i])].add(int(outside[j]))
        nb[int(outside[j])].add(int(inside[i]))


def _connected(members: set[int], nb: list[set[int]]) -> bool:
    if not members:
        return False
    start = next(iter(members))
    seen, stack = {start}, [start]
    while stack:
        u = stack.pop()
        for v in nb[u] & members:
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return len(seen) == len(members)


#: Starts of the area design (seeded); the most balanced result is kept.
_AREA_STARTS = 16


def _grow_and_balance(xy: np.ndarray, w: np.ndarray, nb: list[set[int]], k: int,
                      rng: np.random.Generator, weighted_first: bool) -> np.ndarray:
    """One start of :func:`design_areas`: seeds far apart, regions grown lightest first,
    then single units moved across borders while the (largest deviation, sum of squared
    deviations) from the mean load falls and both regions stay contiguous."""
    n = len(w)
    first = int(rng.choice(n, p=w / w.sum())) if weighted_first else int(rng.integers(n))
    seeds = [first]
    for _ in range(1, k):
        d = np.min(np.hypot(*(xy[:, None, :] - xy[seeds][None, :, :]).transpose(2, 0, 1)),
                   axis=1)
        d[seeds] = -1.0
        d = d * rng.uniform(0.5, 1.0, n) if not weighted_first else d * np.sqrt(w)
        seeds.append(int(np.argmax(d)))
    label = np.full(n, -1)
    for r, s in enumerate(seeds):
        label[s] = r
    load = np.array([w[s] for s in seeds])
    while (label < 0).any():
        grown = False
        for r in np.argsort(load, kind="stable"):
            front = sorted({v for u in np.flatnonzero(label == r) for v in nb[u]
                            if label[v] < 0})
            if not front:
                continue
            c = np.average(xy[label == r], axis=0, weights=w[label == r])
            v = min(front, key=lambda q: (float(np.hypot(*(xy[q] - c))), q))
            label[v] = r
            load[r] += w[v]
            grown = True
            break
        if not grown:  # unreachable units (cannot happen on a connected graph)
            label[label < 0] = int(np.argmin(load))
    mean = w.sum() / k

    def score(ld: np.ndarray) -> tuple[float, float]:
        return (float(np.abs(ld - mean).max()), float(((ld - mean) ** 2).sum()))

    for _ in range(4 * n):
        load = np.bincount(label, weights=w, minlength=k)
        now = score(load)
        best = None
        for u in range(n):
            a = int(label[u])
            for b in sorted({int(label[v]) for v in nb[u]} - {a}):
                new = load.copy()
                new[a] -= w[u]
                new[b] += w[u]
                sc = score(new)
                if (sc[0] < now[0] - 1e-9 or (sc[0] <= now[0] + 1e-9 and sc[1] < now[1] - 1e-9)
                        ) and (best is None or sc < best[0]):
                    members = set(np.flatnonzero(label == a).tolist()) - {u}
                    if _connected(members, nb):
                        best = (sc, u, b)
        if best is None:
            break
        label[best[1]] = best[2]
    return label


def design_areas(land: gpd.GeoDataFrame, k: int, *, weight: Any = None, seed: int = 0
                 ) -> dict[str, list[str]]:
    """Group DeSO areas into ``k`` contiguous areas with balanced care (a regionalisation).

    The units are whole DeSO areas (so an area can be read off SCB's maps), weighted by
    their expected clients. ``k`` seeds are picked far apart (farthest-point, seeded);
    regions grow from them, the lightest first taking its nearest unassigned neighbour; then
    single units move across borders while that lowers the largest deviation from the mean
    weight (then the sum of squared deviations) and keeps both regions contiguous. Of
    :data:`_AREA_STARTS` such starts the most balanced is kept. DeSO areas that touch (within
    200 m) are neighbours; islands join their nearest unit. On a row of units this finds the
    optimal cuts (tested against brute force in ``tests/test_atlas.py``).

    Parameters
    ----------
    land
        DeSO areas (``deso_code`` and polygons), e.g. from :func:`hemopt.geo.clip_to_land`.
    k
        Number of areas, at most the number of DeSO areas.
    weight
        Weight of each DeSO area (default its ``expected_clients``, else ``pop_80plus``).
    seed
        Seed of the first pick.

    Returns
    -------
    dict
        ``{"A1": [DeSO codes], ...}``: the ``areas`` argument of :func:`from_public_data`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hemopt.regions import design_areas
    >>> row = gpd.GeoDataFrame({"deso_code": [f"9999C00{i}0" for i in range(6)]},
    ...     geometry=[box(1000 * i, 0, 1000 * (i + 1), 1000) for i in range(6)], crs=3006)
    >>> design_areas(row, 2, weight=[1, 1, 1, 1, 1, 1])
    {'A1': ['9999C0000', '9999C0010', '9999C0020'], 'A2': ['9999C0030', '9999C0040', \
'9999C0050']}
    """
    codes = [str(c) for c in land["deso_code"]]
    n = len(codes)
    if not (isinstance(k, (int, np.integer)) and not isinstance(k, bool) and 1 <= k <= n):
        raise InputError(f"n_areas must be a whole number in [1, {n}] (the number of DeSO "
                         f"areas), got {k!r}")
    if weight is None:
        col = "expected_clients" if "expected_clients" in land.columns else "pop_80plus"
        weight = land[col]
    w = np.asarray(weight, dtype=float)
    if w.shape != (n,) or not (np.isfinite(w).all() and (w >= 0).all()):
        raise InputError("weight must be one number >= 0 per DeSO area")
    w = np.maximum(w, 1e-6 * max(w.sum(), 1.0))
    geoms = np.asarray(land.geometry.values, dtype=object)
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
    nb = _adjacency(geoms)
    rng = np.random.default_rng(seed)
    best_label, best_score = None, None
    for start in range(_AREA_STARTS):
        label = _grow_and_balance(xy, w, nb, k, rng, weighted_first=start == 0)
        load = np.bincount(label, weights=w, minlength=k)
        score = (round(float(np.abs(load - w.sum() / k).max()), 9),
                 round(float(((load - w.sum() / k) ** 2).sum()), 9))
        if best_score is None or score < best_score:
            best_label, best_score = label, score
    assert best_label is not None  # _AREA_STARTS >= 1
    label = best_label
    order = np.argsort([min(i for i in range(n) if label[i] == r) for r in range(k)])
    return {f"A{j + 1}": [codes[i] for i in range(n) if label[i] == r]
            for j, r in enumerate(order)}
