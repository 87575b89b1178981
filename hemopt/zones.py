"""Zone design for the zoning regime: contiguous, compact zones with balanced care hours.

Method (a capacitated clustering, Mulvey & Beck 1984, solved with the min-cost flow):

1. Units are the stairwells where clients live, weighted by their weekly care minutes.
2. Seed ``k`` centres with weighted k-means++ (seeded).
3. Repeat until stable: assign units to centres by a min-cost flow whose cost is
   ``minutes × distance`` and whose capacity is ``(1 + tolerance) × total / k`` minutes per
   zone (balance); move each centre to the weighted mean of its units.
4. Zone polygons are the union of the units' Voronoi cells, clipped to the municipality.
   A zone that falls apart in pieces keeps its largest piece; the units of the other pieces
   move to the neighbouring zone that shares the longest border with them, so every zone is
   one contiguous polygon.

The report gives each zone's hours, clients, area and Polsby–Popper compactness
``4πA / P²`` (1 for a disc, about 0.785 for a square).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial.distance import cdist

from hemopt.errors import InputError
from hemopt.flow import min_cost_assignment
from hemopt.scenario import CRS, Scenario

__all__ = ["ZoneDesign", "compactness", "design_zones"]


@dataclass(frozen=True, eq=False)
class ZoneDesign:
    """Designed zones (``zone_id``, ``name``, polygon) and their report."""

    zones: gpd.GeoDataFrame
    report: pd.DataFrame
    iterations: int
    imbalance: float  # max |hours - mean| / mean


def compactness(geom: shapely.Geometry) -> float:
    """Polsby–Popper compactness 4πA/P² of a polygon."""
    p = geom.length
    return float(4 * math.pi * geom.area / p**2) if p > 0 else 0.0


def design_zones(scenario: Scenario, k: int, *, seed: int = 0, tolerance: float = 0.05,
                 max_iter: int = 30) -> ZoneDesign:
    """Design ``k`` zones with balanced care hours (see the module docstring).

    Parameters
    ----------
    scenario
        The municipality.
    k
        Number of zones (at least 1, at most the number of stairwells with clients).
    seed
        Seed of the k-means++ start.
    tolerance
        A zone may hold up to ``(1 + tolerance)`` times the mean hours.
    max_iter
        Most assign-and-move iterations.

    Returns
    -------
    ZoneDesign
        ``zones`` (GeoDataFrame: ``zone_id`` ``Z1``…, ``name``, polygon), ``report`` (per zone:
        ``hours_per_week``, ``clients``, ``area_km2``, ``compactness``, ``parts``),
        ``iterations`` and ``imbalance`` (largest deviation from the mean hours, relative).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> d = hemopt.design_zones(sc, 3, seed=0)
    >>> list(d.zones["zone_id"])
    ['Z1', 'Z2', 'Z3']
    >>> int(d.report["clients"].sum()) == sc.n_clients, bool((d.report["parts"] == 1).all())
    (True, True)

    The zones can be given to the zoning regime:

    >>> a = hemopt.assign(sc, hemopt.Zoning(zones=d.zones))
    >>> sorted(a.problem.provider_of_zone)
    ['Z1', 'Z2', 'Z3']
    """
    if not (isinstance(k, (int, np.integer)) and k >= 1):
        raise InputError(f"k (number of zones) must be a whole number >= 1, got {k!r}")
    if not (0 <= tolerance <= 10):
        raise InputError(f"tolerance must be in [0, 10], got {tolerance!r}")
    cl = scenario.clients
    minutes = np.round(cl["hours_per_week"].to_numpy() * 60.0)
    units, inv = np.unique(cl["stairwell_id"].to_numpy().astype(str), return_inverse=True)
    if k > len(units):
        raise InputError(f"k (number of zones, --n-zones) is {k}, but only {len(units)} "
                         f"stairwell(s) have clients and a zone is whole stairwells: ask for "
                         f"at most {len(units)}")
    w = np.bincount(inv, weights=minutes)
    w_eff = np.maximum(w, 1.0)  # clients with zero hours still belong to a zone
    xy = np.zeros((len(units), 2))
    xy[inv] = scenario.client_xy()
    rng = np.random.default_rng(seed)

    # weighted k-means++
    centres = [xy[rng.choice(len(xy), p=w_eff / w_eff.sum())]]
    for _ in range(1, k):
        d2 = cdist(xy, np.array(centres), "sqeuclidean").min(axis=1) * w_eff
        centres.append(xy[rng.choice(len(xy), p=d2 / d2.sum())] if d2.sum() > 0 else xy[0])
    c = np.array(centres)

    cap = np.full(k, math.ceil((1.0 + tolerance) * w_eff.sum() / k))
    label = np.full(len(xy), -1)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        cost = cdist(xy, c) * w_eff[:, None] / 1000.0
        res = min_cost_assignment(cost, cap, demand=np.rint(w_eff))
        new = res.provider
        if (new == label).all():
            break
        label = new
        for z in range(k):
            m = label == z
            if m.any():
                c[z] = np.average(xy[m], axis=0, weights=w_eff[m])

    area = shapely.make_valid(scenario.area)
    zones_geom, label = _polygons(xy, label, k, area)
    ids = [f"Z{z + 1}" for z in range(k)]
    zones = gpd.GeoDataFrame({"zone_id": ids, "name": [f"Zone {z + 1}" for z in range(k)]},
                             geometry=zones_geom, crs=CRS)
    hours = np.bincount(label, weights=w, minlength=k) / 60.0
    n_cl = np.bincount(label[inv], minlength=k)
    report = pd.DataFrame({
        "zone_id": ids,
        "hours_per_week": hours,
        "clients": n_cl,
        "area_km2": [g.area / 1e6 for g in zones_geom],
        "compactness": [compactness(g) for g in zones_geom],
        "parts": [len(getattr(g, "geoms", [g])) for g in zones_geom],
    })
    mean = hours.mean()
    imbalance = float(np.abs(hours - mean).max() / mean) if mean > 0 else 0.0
    return ZoneDesign(zones=zones, report=report, iterations=it, imbalance=imbalance)


def _polygons(xy: np.ndarray, label: np.ndarray, k: int, area: shapely.Geometry):
    """Dissolve the units' Voronoi cells by label; make each zone one piece."""
    pts = shapely.multipoints(xy)
    env = area.envelope.buffer(1000.0)
    # jitter identical points? units are distinct stairwells, so points are distinct
    cells = shapely.voronoi_polygons(pts, extend_to=env)
    cell_list = list(cells.geoms)
    # match cells to points (voronoi output order is not the input order)
    tree = shapely.STRtree(cell_list)
    pi, ci = tree.query(shapely.points(xy), predicate="intersects")
    owner = np.full(len(xy), -1)
    for p, cidx in zip(pi, ci, strict=True):
        if owner[p] < 0:
            owner[p] = cidx
    cell_of = [shapely.intersection(cell_list[owner[i]], area) for i in range(len(xy))]
    label = label.copy()
    for _ in range(10):
        geoms = [shapely.union_all([cell_of[i] for i in np.flatnonzero(label == z)])
                 if (label == z).any() else shapely.Polygon() for z in range(k)]
        moved = False
        for z in range(k):
            g = geoms[z]
            parts = list(getattr(g, "geoms", [g]))
            if len(parts) <= 1:
                continue
            parts.sort(key=lambda p: -p.area)
            for part in parts[1:]:
                members = [i for i in np.flatnonzero(label == z)
                           if cell_of[i].intersects(part) and
                           cell_of[i].intersection(part).area > 0.5 * cell_of[i].area]
                best, best_len = None, 0.0
                for z2 in range(k):
                    if z2 == z:
                        continue
                    shared = part.boundary.intersection(geoms[z2].boundary).length
                    if shared > best_len:
                        best, best_len = z2, shared
                if best is not None and members:
                    label[members] = best
                    moved = True
        if not moved:
            return _absorb_empty_parts(geoms, xy, label, k), label
    return _absorb_empty_parts(geoms, xy, label, k), label


def _absorb_empty_parts(geoms: list, xy: np.ndarray, label: np.ndarray, k: int) -> list:
    """Give a zone's pieces that hold no unit (slivers left where a unit's cell, clipped to a
    non-convex municipality, falls apart) to the neighbour sharing the longest border."""
    geoms = list(geoms)
    for z in range(k):
        parts = list(getattr(geoms[z], "geoms", [geoms[z]]))
        if len(parts) <= 1:
            continue
        pts = shapely.points(xy[label == z])
        keep = []
        for part in parts:
            if shapely.intersects(part, pts).any():
                keep.append(part)
                continue
            best, best_len = None, 0.0
            for z2 in range(k):
                if z2 != z:
                    shared = part.boundary.intersection(geoms[z2].boundary).length
                    if shared > best_len:
                        best, best_len = z2, shared
            if best is None:
                keep.append(part)
            else:
                geoms[best] = shapely.union_all([geoms[best], part])
        geoms[z] = shapely.union_all(keep)
    return geoms
