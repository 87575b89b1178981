"""Continuous approximation of a day's routing cost, calibrated against the VRPTW solver.

Routing a municipality's day with :func:`hemopt.routing.day.route_day` takes seconds to tens
of seconds; sweeps of thousands of scenarios need an estimate in milliseconds. This module
gives one in closed form, in the spirit of Beardwood–Halton–Hammersley (tour length of ``n``
random points in an area ``A`` ≈ κ√(nA)) and Daganzo's *Logistics Systems Analysis* (``m``
routes from a depot at mean distance r̄: ``L ≈ 2 r̄ m + κ √(nA)``), adapted to home care:

* the stops of one provider, base and shift (one ``route_day`` VRPTW) are split into
  **settlements** (single-linkage clusters: stops closer than ``cluster_m`` belong together)
  and the tour terms are summed over them;
  the settlements are linked by their minimum spanning tree (the long links of the stops'
  Euclidean MST), times a fitted factor β;
* the number of staff shifts ``m`` follows from the shift's time budget (service + driving +
  waiting per route ≤ a fitted share η of the shift) and from the time windows (the work of a
  window must fit between its start and its end), solved as a fixed point because driving
  and waiting depend on ``m``;
* waiting comes from a fluid schedule of an average route through the day's windows;
* travel times use the same travel model as ``route_day``
  (:class:`~hemopt.routing.day.MixedTravel` by default), with its overhead for every trip.

The equations, the fitted constants and the fit errors on held-out instances are in
``docs/approximation.md``. The model records the range of instances it was fitted on and
warns with :class:`ExtrapolationWarning` outside it.

Examples
--------
>>> import hemopt
>>> from hemopt.assignment import assign
>>> from hemopt.regimes import LOV
>>> from hemopt.routing.approx import approximate_day
>>> sc = hemopt.generate("strangnas", seed=1, scale=0.2)
>>> day = approximate_day(sc, assign(sc, LOV()), seed=0)
>>> day.backend, day.extrapolated
('approx', False)
>>> t = day.totals()  # route_day(..., max_iterations=500): 1074 km, 75 shifts, 0.104
>>> round(t["driven_km_per_day"]), t["staff_shifts"], round(t["driving_share"], 3)
(1113, 77, 0.107)
"""

from __future__ import annotations

import argparse
import math
import pickle
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, QhullError
from scipy.spatial.distance import pdist, squareform

from hemopt.errors import InputError
from hemopt.routing.day import (
    DayRouting,
    MixedTravel,
    ShiftParams,
    assign_bases,
    prepare_day,
)
from hemopt.routing.visits import VisitParams

__all__ = [
    "DEFAULT_FIT_RANGE",
    "FIT_CONSTANTS",
    "HOLDOUT_SPECS",
    "TRAIN_SPECS",
    "ApproxDayRouting",
    "ApproxEstimate",
    "ApproxModel",
    "CalibrationDay",
    "CalibrationSpec",
    "ExtrapolationWarning",
    "approx_errors",
    "approximate_day",
    "calibration_days",
    "error_summary",
    "fit_approx",
]


class ExtrapolationWarning(UserWarning):
    """The inputs of the approximation lie outside the range it was fitted on."""


# ------------------------------------------------------------------------------------------------
# Fitted constants (reproduce with ``python -m hemopt.routing.approx``)
# ------------------------------------------------------------------------------------------------

#: Constants fitted against ``route_day(..., max_iterations=500, time_limit_s=None)`` on
#: :data:`TRAIN_SPECS`; the defaults of :class:`ApproxModel`. Reproduce with
#: ``python -m hemopt.routing.approx`` (about 3 to 6 minutes on 2 cores).
FIT_CONSTANTS: dict[str, float] = {
    "kappa": 0.5288,
    "line_haul": 0.9209,
    "link": 1.1059,
    "time_efficiency": 0.8418,
    "window_efficiency": 0.9171,
    "wait_fluid": 0.8761,
    "wait_gap": 0.2551,
    "same_place_share": 0.6133,
    "round_down": 0.0993,
    "cluster_m": 800.0,
    "spread_m": 100.0,
}

#: The range of the calibration instances: ``(feature, low, high)``. Per (provider, base,
#: shift): ``n_stops``, ``stops_per_km2`` and ``service_min_per_stop`` (checked with 25 stops
#: or more), ``office_km`` (mean road distance base -> stops; from 0: the line-haul vanishes),
#: ``shift_max_min``; per day: ``day_stops``; the travel model: ``detour_factor``,
#: ``urban_kmh``, ``rural_kmh``, ``urban_m``, ``overhead_min`` (fitted with the defaults only).
DEFAULT_FIT_RANGE: tuple[tuple[str, float, float], ...] = (
    ("n_stops", 1.0, 738.0),
    ("stops_per_km2", 2.1, 50.0),
    ("office_km", 0.0, 23.3),
    ("service_min_per_stop", 30.0, 62.0),
    ("shift_max_min", 360.0, 480.0),
    ("day_stops", 167.0, 2706.0),
    ("detour_factor", 1.3, 1.3),
    ("urban_kmh", 25.0, 25.0),
    ("rural_kmh", 60.0, 60.0),
    ("urban_m", 3000.0, 3000.0),
    ("overhead_min", 2.0, 2.0),
)

_TRAVEL_FEATURES = ("detour_factor", "urban_kmh", "rural_kmh", "urban_m", "overhead_min")
#: Density and mean service are only checked on instances with this many stops or more (a few
#: stops are dominated by whole routes, and their means vary widely).
_DENSITY_MIN_STOPS = 25


# ------------------------------------------------------------------------------------------------
# Travel
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Speeds:
    """Road distance = detour × straight line; first ``urban_m`` at ``urban_kmh``, the rest at
    ``rural_kmh``; ``overhead_min`` per trip of positive length."""

    detour_factor: float
    urban_kmh: float
    rural_kmh: float
    urban_m: float
    overhead_min: float

    @classmethod
    def of(cls, travel: Any) -> _Speeds:
        if travel is None:
            travel = MixedTravel()
        names = ("detour_factor", "urban_kmh", "rural_kmh", "urban_m", "overhead_min")
        if all(hasattr(travel, n) for n in names):
            return cls(*(float(getattr(travel, n)) for n in names))
        if all(hasattr(travel, n) for n in ("detour_factor", "speed_kmh", "overhead_min")):
            v = float(travel.speed_kmh)
            return cls(float(travel.detour_factor), v, v, math.inf, float(travel.overhead_min))
        raise InputError(
            f"travel: the approximation needs a straight-line travel model (MixedTravel or "
            f"hemopt.travel.TravelModel), got {type(travel).__name__}"
        )

    def drive_min(self, d_m: NDArray[np.float64]) -> NDArray[np.float64]:
        """Driving minutes of road distances ``d_m`` (no overhead)."""
        d = np.asarray(d_m, dtype=float)
        urban = np.minimum(d, self.urban_m)
        return urban / (self.urban_kmh * 1000 / 60) + (d - urban) / (self.rural_kmh * 1000 / 60)

    def trip_min(self, d_m: NDArray[np.float64]) -> NDArray[np.float64]:
        """Trip minutes as in ``route_day``'s time matrix (overhead when ``d > 0``)."""
        return np.where(d_m > 0, self.drive_min(d_m) + self.overhead_min, 0.0)

    def features(self) -> dict[str, float]:
        return {n: getattr(self, n) for n in _TRAVEL_FEATURES}


# ------------------------------------------------------------------------------------------------
# Geometry of one (provider, base, shift): settlements, their links, the windows
# ------------------------------------------------------------------------------------------------


def _mst(p: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray]:
    """Euclidean minimum spanning tree of distinct points: ``(i, j, length)`` per edge.

    On the Delaunay graph (which contains the Euclidean MST) for 40 points or more, else
    Prim's algorithm on the complete graph.
    """
    k = len(p)
    if k < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    if k < 40:
        return _prim(p)
    if k >= 40:
        for opts in (None, "QJ"):
            try:
                tri = Delaunay(p, qhull_options=opts)
            except QhullError:
                continue
            ptr, idx = tri.vertex_neighbor_vertices
            row = np.repeat(np.arange(k), np.diff(ptr))
            w = np.hypot(p[row, 0] - p[idx, 0], p[row, 1] - p[idx, 1])
            # +1 keeps (rare) zero-length edges of joggled points in the sparse matrix
            m = minimum_spanning_tree(csr_matrix((w + 1.0, idx, ptr), shape=(k, k))).tocoo()
            if m.nnz == k - 1:
                return m.row.astype(np.int64), m.col.astype(np.int64), m.data - 1.0
    m = minimum_spanning_tree(squareform(pdist(p)) + 0.0).tocoo()
    return m.row.astype(np.int64), m.col.astype(np.int64), m.data


def _prim(p: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray]:
    """Prim's MST on the complete graph of a few points (no sparse-matrix overhead)."""
    k = len(p)
    best = np.hypot(p[:, 0] - p[0, 0], p[:, 1] - p[0, 1])
    parent = np.zeros(k, dtype=np.int64)
    done = np.zeros(k, dtype=bool)
    done[0] = True
    ii, jj, ww = np.empty(k - 1, np.int64), np.empty(k - 1, np.int64), np.empty(k - 1)
    for e in range(k - 1):
        j = int(np.argmin(np.where(done, np.inf, best)))
        ii[e], jj[e], ww[e] = parent[j], j, best[j]
        done[j] = True
        dj = np.hypot(p[:, 0] - p[j, 0], p[:, 1] - p[j, 1])
        closer = (dj < best) & ~done
        parent[closer] = j
        best = np.where(closer, dj, best)
    return ii, jj, ww


def _components(k: int, i: NDArray[np.int64], j: NDArray[np.int64]) -> tuple[int, NDArray]:
    """Connected components of ``k`` nodes joined by the edges ``(i, j)``: count, labels."""
    if k > 200:
        return connected_components(
            coo_matrix((np.ones(len(i)), (i, j)), shape=(k, k)), directed=False)
    root = list(range(k))

    def find(a: int) -> int:
        while root[a] != a:
            root[a] = root[root[a]]
            a = root[a]
        return a

    for a, b in zip(i.tolist(), j.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            root[max(ra, rb)] = min(ra, rb)
    _, lab = np.unique(np.array([find(a) for a in range(k)]), return_inverse=True)
    return int(lab.max()) + 1 if k else 0, lab.ravel()


def _unique_rows(a: NDArray[np.float64], b: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """Distinct pairs ``(a, b)`` in lexicographic order, and the index of each row's pair."""
    u, inv = np.unique(a + 1j * b, return_inverse=True)
    return np.column_stack([u.real, u.imag]), inv.ravel()


@dataclass(frozen=True, eq=False)
class _Geometry:
    """Everything the model needs about one (provider, base, shift) instance."""

    n: int
    n_distinct: int
    service: float
    start: float
    end: float
    max_min: float
    # settlements (clusters)
    nc: NDArray[np.float64]
    area: NDArray[np.float64]  # road-metric m²
    rc: NDArray[np.float64]  # mean road distance office -> stops
    sc: NDArray[np.float64]  # service minutes
    # links between settlements (road metres)
    links: NDArray[np.float64]
    # window classes
    pn: NDArray[np.float64]
    ps: NDArray[np.float64]
    pe: NDArray[np.float64]
    pl: NDArray[np.float64]

    def features(self, speeds: _Speeds) -> dict[str, float]:
        area_km2 = float(self.area.sum()) / 1e6
        enough = self.n >= _DENSITY_MIN_STOPS
        return {
            "n_stops": float(self.n),
            "stops_per_km2": self.n / area_km2 if enough else math.nan,
            "office_km": float((self.nc * self.rc).sum() / self.nc.sum()) / 1000.0,
            "service_min_per_stop": self.service / self.n if enough else math.nan,
            "shift_max_min": self.max_min,
        }


def _geometry(
    xy: NDArray[np.float64],
    service: NDArray[np.float64],
    earliest: NDArray[np.float64],
    latest: NDArray[np.float64],
    office: NDArray[np.float64],
    window: tuple[float, float, float],
    speeds: _Speeds,
    cluster_m: float,
    spread_m: float,
) -> _Geometry:
    n = len(xy)
    det = speeds.detour_factor
    uniq, inv = _unique_rows(xy[:, 0], xy[:, 1])
    k = len(uniq)
    i, j, w = _mst(uniq)
    keep = w <= cluster_m
    n_cl, lab_u = _components(k, i[keep], j[keep])
    lab = lab_u[inv]
    cnt = np.bincount(lab, minlength=n_cl).astype(float)
    mx = np.bincount(lab, xy[:, 0], n_cl) / cnt
    my = np.bincount(lab, xy[:, 1], n_cl) / cnt
    dx, dy = xy[:, 0] - mx[lab], xy[:, 1] - my[lab]
    sxx = np.bincount(lab, dx * dx, n_cl) / cnt
    syy = np.bincount(lab, dy * dy, n_cl) / cnt
    sxy = np.bincount(lab, dx * dy, n_cl) / cnt
    half = (sxx + syy) / 2
    disc = np.sqrt(((sxx - syy) / 2) ** 2 + sxy**2)
    s1 = np.sqrt(half + disc)
    s2 = np.sqrt(np.maximum(half - disc, 0.0))
    # the uniform ellipse with these moments has semi-axes 2σ, padded by spread_m
    area = np.pi * (2 * s1 + spread_m) * (2 * s2 + spread_m) * det**2
    r = np.hypot(xy[:, 0] - office[0], xy[:, 1] - office[1]) * det
    wu, winv = _unique_rows(earliest, latest)
    npw = len(wu)
    start, end, max_min = window
    return _Geometry(
        n=n,
        n_distinct=k,
        service=float(service.sum()),
        start=float(start),
        end=float(end),
        max_min=float(max_min),
        nc=cnt,
        area=area,
        rc=np.bincount(lab, r, n_cl) / cnt,
        sc=np.bincount(lab, service, n_cl),
        links=w[~keep] * det,
        pn=np.bincount(winv, minlength=npw).astype(float),
        ps=np.bincount(winv, service, npw),
        pe=wu[:, 0].astype(float),
        pl=wu[:, 1].astype(float),
    )


def _servable(
    r_m: NDArray[np.float64],
    service: NDArray[np.float64],
    earliest: NDArray[np.float64],
    latest: NDArray[np.float64],
    window: tuple[float, float, float],
    speeds: _Speeds,
) -> NDArray[np.bool_]:
    """Stops a route office -> stop -> office can serve (``route_day``'s windows and the
    solver's pre-check, at full precision)."""
    start, end, max_min = window
    t = speeds.trip_min(r_m)
    lat = np.maximum(np.minimum(latest, end - service - t), earliest)
    arrive = np.maximum(start + t, earliest)
    ok_window = arrive <= lat + 1e-9
    ok_end = arrive + service + t <= end + 1e-9
    ok_shift = 2 * t + service <= max_min + 1e-9
    return ok_window & ok_end & ok_shift


class _Batch:
    """Many geometries as flat arrays, so that the model is evaluated in one vectorised pass."""

    def __init__(self, geoms: Sequence[_Geometry], speeds: _Speeds) -> None:
        g = len(geoms)
        self.G = g
        self.speeds = speeds

        def cat(name: str) -> NDArray[np.float64]:
            return np.concatenate([getattr(x, name) for x in geoms]) if g else np.zeros(0)

        def owner(name: str) -> NDArray[np.int64]:
            return np.repeat(np.arange(g), [len(getattr(x, name)) for x in geoms])

        self.nc, self.area, self.rc, self.sc = cat("nc"), cat("area"), cat("rc"), cat("sc")
        self.cg = owner("nc")
        self.links, self.lg = cat("links"), owner("links")
        self.links_t = speeds.drive_min(self.links)
        self.pn, self.ps, self.pe, self.pl = cat("pn"), cat("ps"), cat("pe"), cat("pl")
        self.pg = owner("pn")
        self.n = np.array([x.n for x in geoms], dtype=float)
        self.dup = np.array([x.n - x.n_distinct for x in geoms], dtype=float)
        self.S = np.array([x.service for x in geoms], dtype=float)
        self.start = np.array([x.start for x in geoms], dtype=float)
        self.end = np.array([x.end for x in geoms], dtype=float)
        self.H = np.array([x.max_min for x in geoms], dtype=float)
        self.sqrt_na = np.sqrt(self.nc * self.area)
        self.rc_t = speeds.drive_min(self.rc)
        # window classes padded per group, in order of (earliest, latest)
        k = max((len(x.pn) for x in geoms), default=0)
        self.K = k
        pad = {name: np.zeros((g, k)) for name in ("pn", "ps", "pe", "pl")}
        for gi, x in enumerate(geoms):
            order = np.lexsort((x.pl, x.pe))
            for name in pad:
                pad[name][gi, : len(order)] = getattr(x, name)[order]
        self.Pn, self.PS, self.Pe, self.Pl = pad["pn"], pad["ps"], pad["pe"], pad["pl"]
        self.Pok = self.Pn > 0
        self.Psbar = np.where(self.Pok, self.PS / np.maximum(self.Pn, 1.0), 0.0)
        # structural gap: the longest time between the end of one window's work and the
        # start of another window (0 when the windows chain without a gap)
        end_p = np.where(self.Pok, self.Pl + self.Psbar, np.inf)
        start_q = np.where(self.Pok, self.Pe, -np.inf)
        diff = start_q[:, None, :] - end_p[:, :, None]
        self.gap = np.max(np.clip(diff, 0.0, None), axis=(1, 2)) if k else np.zeros(g)


def _fluid_wait(b: _Batch, m: NDArray, leg_min: NDArray, free_at: NDArray) -> NDArray:
    """Waiting of an average route doing 1/m of each window's work, windows in order,
    leaving the office as late as its windows allow (forward time slack)."""
    g = b.G
    work = np.where(b.Pok, (b.PS + b.Pn * leg_min[:, None]) / m[:, None], 0.0)
    t = free_at.copy()
    first = np.ones(g, dtype=bool)
    cum = np.zeros(g)
    slack = np.full(g, np.inf)
    for k in range(b.K):
        ok = b.Pok[:, k]
        e = b.Pe[:, k]
        latest_start = np.maximum(b.Pl[:, k] + b.Psbar[:, k] - work[:, k], e)
        s = np.maximum(t, e)
        w = np.where(ok & ~first, np.maximum(e - t, 0.0), 0.0)
        cum = cum + w
        slack = np.where(ok, np.minimum(slack, np.where(first, 0.0, cum)
                                        + np.maximum(latest_start - s, 0.0)), slack)
        t = np.where(ok, s + work[:, k], t)
        first &= ~ok
    return cum - np.minimum(np.where(np.isfinite(slack), slack, 0.0), cum)


_FIXED_POINT_ITERATIONS = 6


def _evaluate(theta: NDArray[np.float64], b: _Batch) -> dict[str, NDArray[np.float64]]:
    """The model on a batch. ``theta``: kappa, line_haul, link, time_efficiency,
    window_efficiency, wait_fluid, wait_gap, same_place_share, round_down."""
    kappa, lam, beta, eta, eta_w, om_fluid, om_gap, zeta, eps = theta
    g, sp = b.G, b.speeds
    ov = sp.overhead_min
    # local tours within settlements (BHH), and their driving time (mean leg length)
    l_c = kappa * b.sqrt_na
    t_c = b.nc * sp.drive_min(l_c / b.nc)
    l_loc = np.bincount(b.cg, l_c, g)
    t_loc = np.bincount(b.cg, t_c, g)
    # links between settlements
    l_link = beta * np.bincount(b.lg, b.links, g)
    t_link = beta * np.bincount(b.lg, b.links_t, g)
    # line-haul: routes share out over settlements by workload
    work_c = b.sc + t_c
    wsum = np.bincount(b.cg, work_c, g)
    rbar = np.bincount(b.cg, work_c * b.rc, g) / wsum
    tau = np.bincount(b.cg, work_c * b.rc_t, g) / wsum
    legs = b.n - zeta * b.dup  # trips of positive length, before line-haul trips
    work0 = b.S + t_loc + t_link + ov * legs
    leg_min = (t_loc + t_link + ov * legs) / b.n
    # windows: the work of each window between its start and its end
    start_p = np.maximum(b.pe, b.start[b.pg] + tau[b.pg] + ov)
    sbar = b.ps / b.pn
    cap = np.maximum(np.minimum(b.pl + sbar, b.end[b.pg]) - start_p, sbar)
    m_p = (b.ps + b.pn * leg_min[b.pg]) / (eta_w * cap)
    m_win = np.zeros(g)
    np.maximum.at(m_win, b.pg, m_p)
    # time budget, as a fixed point in m (driving and waiting per route depend on m)
    free_at = b.start + tau + ov
    wait_route = np.zeros(g)
    m = np.ones(g)
    for _ in range(_FIXED_POINT_ITERATIONS):
        den = np.maximum(eta * b.H - ov - 2 * lam * tau - wait_route, 0.05 * b.H)
        m = np.maximum(np.maximum(work0 / den, m_win), 1.0)
        wait_route = np.maximum(om_fluid * _fluid_wait(b, m, leg_min, free_at), om_gap * b.gap)
    m_cont = m
    m = np.maximum(np.ceil(m_cont - eps), 1.0)
    wait_route = np.maximum(om_fluid * _fluid_wait(b, m, leg_min, free_at), om_gap * b.gap)
    dist = l_loc + l_link + 2 * lam * rbar * m
    drive = t_loc + t_link + 2 * lam * tau * m + ov * (legs + m)
    wait = wait_route * m
    return {
        "driven_m": dist,
        "drive_min": drive,
        "routes": m,
        "routes_continuous": m_cont,
        "service_min": b.S.copy(),
        "wait_min": wait,
        "staff_min": b.S + drive + wait,
    }


# ------------------------------------------------------------------------------------------------
# The model
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApproxEstimate:
    """The approximate routing cost of one provider's shift.

    Attributes
    ----------
    driven_m, drive_min
        Driven distance (metres) and driving minutes (per-trip overhead included).
    routes
        Staff shifts (routes) used.
    service_min, wait_min, staff_min
        Service, waiting and staff minutes (office to office: service + driving + waiting).
    n_stops, dropped_stops
        Stops given, and stops no route can serve (left out, as the solver does).
    outside_range
        ``(feature, value, low, high)`` for each input outside the fitted range.
    """

    driven_m: float
    drive_min: float
    routes: int
    service_min: float
    wait_min: float
    staff_min: float
    n_stops: int
    dropped_stops: int
    outside_range: tuple[tuple[str, float, float, float], ...] = ()


_THETA = ("kappa", "line_haul", "link", "time_efficiency", "window_efficiency", "wait_fluid",
          "wait_gap", "same_place_share", "round_down")


def _as_vector(name: str, value: ArrayLike, n: int) -> NDArray[np.float64]:
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: expected numbers, got {value!r:.80}") from exc
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise InputError(f"{name}: expected {n} values (one per stop), got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}[{k}] = {float(arr[k])!r}; values must be finite")
    return arr


@dataclass(frozen=True)
class ApproxModel:
    """Closed-form routing cost of one provider's shift (see ``docs/approximation.md``).

    The defaults are the constants fitted against the solver (:data:`FIT_CONSTANTS`) and the
    range they were fitted on (:data:`DEFAULT_FIT_RANGE`).

    Parameters
    ----------
    kappa
        BHH constant of the tours within a settlement: ``κ √(n_c A_c)``.
    line_haul
        Factor λ of the line-haul ``2 λ r̄ m`` from the office to the stops.
    link
        Factor β of the minimum spanning tree linking the settlements.
    time_efficiency
        Share η of the shift's working time a route fills on average.
    window_efficiency
        Share of a window's span a route fills with that window's work.
    wait_fluid, wait_gap
        Waiting per route: ``max(wait_fluid × fluid wait, wait_gap × window gap)``.
    same_place_share
        Share of the stops at an address already visited in the shift that need no trip (two
        periods at one stairwell served back to back).
    round_down
        Routes = ``ceil(m - round_down)``.
    cluster_m
        Stops closer than this (straight line, metres) belong to one settlement.
    spread_m
        Padding (metres) of a settlement's ellipse, so that one house has an area.
    fit_range
        ``(feature, low, high)`` triples: the range of the calibration instances.
    fit_info
        How the constants were obtained.

    Raises
    ------
    InputError
        A constant that is not finite and positive (``round_down`` in [0, 1)).
    """

    kappa: float = FIT_CONSTANTS["kappa"]
    line_haul: float = FIT_CONSTANTS["line_haul"]
    link: float = FIT_CONSTANTS["link"]
    time_efficiency: float = FIT_CONSTANTS["time_efficiency"]
    window_efficiency: float = FIT_CONSTANTS["window_efficiency"]
    wait_fluid: float = FIT_CONSTANTS["wait_fluid"]
    wait_gap: float = FIT_CONSTANTS["wait_gap"]
    same_place_share: float = FIT_CONSTANTS["same_place_share"]
    round_down: float = FIT_CONSTANTS["round_down"]
    cluster_m: float = FIT_CONSTANTS["cluster_m"]
    spread_m: float = FIT_CONSTANTS["spread_m"]
    fit_range: tuple[tuple[str, float, float], ...] = DEFAULT_FIT_RANGE
    fit_info: str = "FIT_CONSTANTS (python -m hemopt.routing.approx)"

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name in ("fit_range", "fit_info"):
                continue
            v = getattr(self, f.name)
            ok = isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(v)
            if f.name in ("wait_fluid", "wait_gap", "same_place_share", "round_down"):
                ok = ok and v >= 0
            else:
                ok = ok and v > 0
            if f.name in ("same_place_share", "time_efficiency") and ok:
                ok = v <= 1
            if f.name == "round_down" and ok:
                ok = v < 1
            if not ok:
                raise InputError(f"ApproxModel.{f.name} = {v!r} is out of bounds")
        for row in self.fit_range:
            if len(row) != 3:
                raise InputError(f"ApproxModel.fit_range: expected (feature, low, high), got "
                                 f"{row!r}")

    @property
    def theta(self) -> NDArray[np.float64]:
        return np.array([getattr(self, n) for n in _THETA], dtype=float)

    def with_theta(self, theta: ArrayLike, **kw: Any) -> ApproxModel:
        """A copy with the fitted constants ``theta`` (in the order of ``_THETA``)."""
        return replace(self, **dict(zip(_THETA, (float(v) for v in theta), strict=True)), **kw)

    def constants(self) -> dict[str, float]:
        """The constants as a dict (the shape of :data:`FIT_CONSTANTS`)."""
        d = asdict(self)
        return {k: float(v) for k, v in d.items() if k not in ("fit_range", "fit_info")}

    def outside_range(self, features: dict[str, float]) -> list[tuple[str, float, float, float]]:
        """The features outside the fitted range: ``(feature, value, low, high)``."""
        out = []
        for name, lo, hi in self.fit_range:
            v = features.get(name)
            if v is None or not np.isfinite(v):
                continue
            tol = 1e-9 * max(1.0, abs(lo), abs(hi))
            if v < lo - tol or v > hi + tol:
                out.append((name, float(v), float(lo), float(hi)))
        return out

    def predict(
        self,
        xy: ArrayLike,
        service_min: ArrayLike,
        office_xy: ArrayLike,
        *,
        earliest_min: ArrayLike | None = None,
        latest_min: ArrayLike | None = None,
        shift: str = "day",
        travel: Any = None,
        shifts: ShiftParams | None = None,
        warn: bool = True,
    ) -> ApproxEstimate:
        """Approximate routing cost of one provider's shift.

        Parameters
        ----------
        xy
            ``(n, 2)`` stop coordinates, metres (SWEREF 99 TM).
        service_min
            Service minutes per stop (one number for all).
        office_xy
            Where every route starts and ends: the provider's office or base.
        earliest_min, latest_min
            Service-start window per stop, minutes after midnight (default: the shift).
        shift
            ``"day"`` or ``"evening"`` (:class:`~hemopt.routing.day.ShiftParams`).
        travel
            :class:`~hemopt.routing.day.MixedTravel` (default) or
            :class:`hemopt.travel.TravelModel`.
        shifts
            Shift windows and lengths (default :class:`~hemopt.routing.day.ShiftParams`).
        warn
            Warn with :class:`ExtrapolationWarning` when an input is outside the fitted range
            (it is always listed in :attr:`ApproxEstimate.outside_range`).

        Returns
        -------
        ApproxEstimate

        Raises
        ------
        InputError
            Naming the argument and the offending value.

        Examples
        --------
        Twenty stops of 30 minutes spread over a 1 km square, 2 km from the office:

        >>> import numpy as np
        >>> from hemopt.routing.approx import ApproxModel
        >>> xy = np.random.default_rng(0).uniform(0, 1000, size=(20, 2)) + [2000, 0]
        >>> est = ApproxModel().predict(xy, 30.0, [0, 0], earliest_min=7 * 60,
        ...                             latest_min=13 * 60, warn=False)
        >>> est.routes, round(est.driven_m / 1000, 1), round(est.staff_min)
        (2, 16.4, 681)
        """
        shifts = shifts or ShiftParams()
        window = shifts.window(shift)
        speeds = _Speeds.of(travel)
        try:
            pts = np.array(xy, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"xy: expected (n, 2) coordinates, got {xy!r:.80}") from exc
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise InputError(f"xy: expected shape (n, 2), got {pts.shape}")
        if not np.isfinite(pts).all():
            k = int(np.argwhere(~np.isfinite(pts))[0][0])
            raise InputError(f"xy[{k}] = {pts[k].tolist()}; coordinates must be finite")
        n = len(pts)
        office = np.array(office_xy, dtype=float).reshape(-1)
        if office.shape != (2,) or not np.isfinite(office).all():
            raise InputError(f"office_xy: expected one finite point (x, y), got {office_xy!r}")
        svc = _as_vector("service_min", service_min, n)
        if (svc < 0).any():
            k = int(np.flatnonzero(svc < 0)[0])
            raise InputError(f"service_min[{k}] = {float(svc[k])!r}; must be >= 0")
        e = _as_vector("earliest_min", window[0] if earliest_min is None else earliest_min, n)
        lt = _as_vector("latest_min", window[1] if latest_min is None else latest_min, n)
        if (e > lt).any():
            k = int(np.flatnonzero(e > lt)[0])
            raise InputError(f"earliest_min[{k}] = {float(e[k])!r} > latest_min[{k}] = "
                             f"{float(lt[k])!r}")
        groups, _ = self._estimate([(pts, svc, e, lt, office, window)], speeds)
        est = groups[0]
        if warn and est.outside_range:
            _warn([(shift, est.outside_range)], stacklevel=2)
        return est

    def _estimate(
        self, instances: Sequence[tuple], speeds: _Speeds, *, extra: dict[str, float] | None = None
    ) -> tuple[list[ApproxEstimate], list[float]]:
        """Estimates for many ``(xy, service, earliest, latest, office, window)`` instances,
        evaluated in one vectorised pass; also the seconds spent per instance."""
        geoms, keep_n, times = [], [], []
        for xy, svc, e, lt, office, window in instances:
            t0 = time.perf_counter()
            r = np.hypot(xy[:, 0] - office[0], xy[:, 1] - office[1]) * speeds.detour_factor
            ok = _servable(r, svc, e, lt, window, speeds)
            keep_n.append((len(xy), int(ok.sum())))
            if ok.any():
                geoms.append(_geometry(xy[ok], svc[ok], e[ok], lt[ok], office, window, speeds,
                                       self.cluster_m, self.spread_m))
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        live = geoms
        res = _evaluate(self.theta, _Batch(live, speeds)) if live else {}
        share = (time.perf_counter() - t0) / max(len(instances), 1)
        out, gi = [], 0
        travel_feat = speeds.features()
        for (n, n_ok), _inst in zip(keep_n, instances, strict=True):
            if n_ok == 0:
                out.append(ApproxEstimate(0.0, 0.0, 0, 0.0, 0.0, 0.0, n, n))
                continue
            feats = {**live[gi].features(speeds), **travel_feat, **(extra or {})}
            feats["n_stops"] = float(n)
            out.append(
                ApproxEstimate(
                    driven_m=float(res["driven_m"][gi]),
                    drive_min=float(res["drive_min"][gi]),
                    routes=int(res["routes"][gi]),
                    service_min=float(res["service_min"][gi]),
                    wait_min=float(res["wait_min"][gi]),
                    staff_min=float(res["staff_min"][gi]),
                    n_stops=n,
                    dropped_stops=n - n_ok,
                    outside_range=tuple(self.outside_range(feats)),
                )
            )
            gi += 1
        return out, [t + share for t in times]


def _warn(flagged: list[tuple[str, Sequence[tuple]]], stacklevel: int) -> None:
    parts = []
    for where, rows in flagged[:3]:
        where = f"{where}: " if where else ""
        parts.append(where + ", ".join(f"{f} = {v:.4g} not in [{lo:.4g}, {hi:.4g}]"
                                       for f, v, lo, hi in rows))
    more = f" (and {len(flagged) - 3} more)" if len(flagged) > 3 else ""
    warnings.warn(
        "routing approximation outside the range it was fitted on: " + "; ".join(parts) + more
        + ". The estimate is an extrapolation; check it against route_day.",
        ExtrapolationWarning,
        stacklevel=stacklevel + 1,
    )


# ------------------------------------------------------------------------------------------------
# A whole day
# ------------------------------------------------------------------------------------------------


def _empty_range() -> pd.DataFrame:
    return pd.DataFrame(columns=["provider_id", "base", "shift", "feature", "value", "low",
                                 "high"])


@dataclass(frozen=True, eq=False)
class ApproxDayRouting(DayRouting):
    """A :class:`~hemopt.routing.day.DayRouting` estimated by :class:`ApproxModel`.

    Same ``visits``, ``stops``, ``routes`` columns and ``totals()`` as ``route_day``'s;
    ``results`` is empty and ``backend`` is ``"approx"``.

    Attributes
    ----------
    outside_range
        One row per input outside the fitted range: ``provider_id``, ``base``, ``shift``
        (empty and -1 for day-level features), ``feature``, ``value``, ``low``, ``high``.
        Empty inside the range.
    model
        The model used.
    """

    outside_range: pd.DataFrame = field(default_factory=_empty_range, repr=False)
    model: ApproxModel | None = field(default=None, repr=False)

    @property
    def extrapolated(self) -> bool:
        """Whether any input is outside the fitted range."""
        return len(self.outside_range) > 0


_ROUTE_COLUMNS = ["provider_id", "base", "shift", "stops", "visits", "routes", "driven_km",
                  "drive_min", "service_min", "wait_min", "staff_min", "dropped", "late",
                  "runtime_s"]


def _approx_stops(
    visits: pd.DataFrame,
    stops: pd.DataFrame,
    bases: dict[str, NDArray[np.float64]],
    model: ApproxModel,
    speeds: _Speeds,
    shifts: ShiftParams,
    *,
    warn: bool,
) -> ApproxDayRouting:
    """Estimate each (provider, base, shift) of ``stops`` (with a ``base`` column)."""
    keys, instances, nvis_list = [], [], []
    if len(stops):
        idx = stops.groupby(["provider_id", "base", "shift"], sort=True).indices
        xy_all = stops[["x", "y"]].to_numpy(dtype=float)
        svc_all = stops["service_min"].to_numpy(dtype=float)
        e_all = stops["earliest_min"].to_numpy(dtype=float)
        l_all = stops["latest_min"].to_numpy(dtype=float)
        nv_all = stops["n_visits"].to_numpy()
        for (pid, base, shift), rows in sorted(idx.items()):
            if pid not in bases or not 0 <= int(base) < len(bases[pid]):
                raise InputError(f"stops: provider {pid!r} has no office or base {base!r}")
            keys.append((pid, int(base), shift))
            instances.append((xy_all[rows], svc_all[rows], e_all[rows], l_all[rows],
                              np.asarray(bases[pid][int(base)], dtype=float),
                              shifts.window(shift)))
            nvis_list.append(nv_all[rows])
    day_feat = {"day_stops": float(len(stops))}
    ests, secs = model._estimate(instances, speeds, extra=day_feat)
    rows_out, flagged, range_rows = [], [], []
    for (pid, base, shift), est, nvis, inst, sec in zip(keys, ests, nvis_list, instances, secs,
                                                        strict=True):
        if est.dropped_stops:
            xy, svc, e, lt, off, window = inst
            r = np.hypot(xy[:, 0] - off[0], xy[:, 1] - off[1]) * speeds.detour_factor
            dropped = int(nvis[~_servable(r, svc, e, lt, window, speeds)].sum())
        else:
            dropped = 0
        rows_out.append({
            "provider_id": pid, "base": base, "shift": shift, "stops": est.n_stops,
            "visits": int(nvis.sum()), "routes": est.routes,
            "driven_km": est.driven_m / 1000.0, "drive_min": est.drive_min,
            "service_min": est.service_min, "wait_min": est.wait_min,
            "staff_min": est.staff_min, "dropped": dropped, "late": 0, "runtime_s": sec,
        })
        group_rows = [r for r in est.outside_range if r[0] != "day_stops"]
        if group_rows:
            flagged.append((f"{pid} base {base} {shift}", group_rows))
            range_rows += [(pid, base, shift, *r) for r in group_rows]
    day_rows = model.outside_range(day_feat)
    if day_rows:
        flagged.insert(0, ("whole day", day_rows))
        range_rows = [("", -1, "", *r) for r in day_rows] + range_rows
    if warn and flagged:
        _warn(flagged, stacklevel=3)
    outside = (pd.DataFrame(range_rows, columns=list(_empty_range().columns))
               if range_rows else _empty_range())
    routes = pd.DataFrame(rows_out, columns=_ROUTE_COLUMNS)
    return ApproxDayRouting(visits=visits, stops=stops, routes=routes, results={},
                            backend="approx", outside_range=outside, model=model)


def approximate_day(
    scenario: Any,
    provider: Any,
    *,
    seed: int = 0,
    visits: pd.DataFrame | None = None,
    travel: Any = None,
    model: ApproxModel | None = None,
    params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
) -> ApproxDayRouting:
    """Estimate every provider's day without solving: :func:`~hemopt.routing.day.route_day`
    in milliseconds.

    The day's visits and stops are drawn exactly as ``route_day`` draws them (same ``seed``,
    same visits); each (provider, base, shift) is then estimated by ``model``.

    Parameters
    ----------
    scenario
        The municipality (offices are the providers' points; routes start from the office
        or the base nearest their stops, as in ``route_day``).
    provider
        An :class:`~hemopt.assignment.Assignment` or a provider id per client.
    seed
        Seed of the day's visits.
    visits
        A day of visits to use instead of drawing one (its ``provider_id`` is replaced by
        ``provider``'s).
    travel
        :class:`~hemopt.routing.day.MixedTravel` (default) or :class:`hemopt.travel.TravelModel`.
    model
        The :class:`ApproxModel` (default: the fitted constants).
    params, shifts
        As for ``route_day``.

    Returns
    -------
    ApproxDayRouting
        A :class:`~hemopt.routing.day.DayRouting` (``backend="approx"``, empty ``results``)
        with the inputs outside the fitted range in ``outside_range``; an
        :class:`ExtrapolationWarning` is issued when there are any.

    Raises
    ------
    InputError
        A provider list of the wrong length, an unsupported travel model, a model that is not
        an :class:`ApproxModel`.

    Examples
    --------
    >>> import hemopt
    >>> from hemopt.assignment import assign
    >>> from hemopt.regimes import Zoning
    >>> sc = hemopt.generate("botkyrka", seed=3, scale=0.2)
    >>> day = approximate_day(sc, assign(sc, Zoning()), seed=1)
    >>> list(day.routes.columns[:6])
    ['provider_id', 'base', 'shift', 'stops', 'visits', 'routes']
    >>> day.extrapolated
    False
    """
    params = params or VisitParams()
    shifts = shifts or ShiftParams()
    model = ApproxModel() if model is None else model
    if not isinstance(model, ApproxModel):
        raise InputError(f"model: expected an ApproxModel, got {type(model).__name__}")
    speeds = _Speeds.of(travel)
    visits, stops, bases = prepare_day(scenario, provider, seed=seed, visits=visits,
                                       params=params)
    return _approx_stops(visits, stops, bases, model, speeds, shifts, warn=True)


# ------------------------------------------------------------------------------------------------
# Calibration against the solver
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationSpec:
    """A generated municipality, a regime and its day, to route with the solver.

    ``regime`` is ``"LOV"``, ``"LOU"`` (external share 0.2), ``"LOU0.5"`` (any share) or
    ``"Zoning"``; ``n_external`` as in :func:`hemopt.synth.generate`.
    """

    preset: str
    seed: int
    scale: float
    regime: str = "LOV"
    n_external: int | None = None

    @property
    def label(self) -> str:
        ext = "" if self.n_external is None else f"-x{self.n_external}"
        return f"{self.preset}{ext}-s{self.seed}-{self.scale:g}-{self.regime}"

    def build(self) -> tuple[Any, Any]:
        """The scenario and its assignment."""
        from hemopt.assignment import assign
        from hemopt.regimes import LOU, LOV, Zoning
        from hemopt.synth import generate

        sc = generate(self.preset, seed=self.seed, scale=self.scale, n_external=self.n_external)
        if self.regime == "LOV":
            reg: Any = LOV()
        elif self.regime.startswith("LOU"):
            reg = LOU(float(self.regime[3:] or 0.2))
        elif self.regime == "Zoning":
            reg = Zoning()
        else:
            raise InputError(f"CalibrationSpec.regime: unknown regime {self.regime!r}")
        return sc, assign(sc, reg, seed=self.seed)


@dataclass(frozen=True, eq=False)
class CalibrationDay:
    """A day routed by the solver: its visits, stops (with their ``base``), every provider's
    starting points (office first, as ``Assignment.bases_xy()``) and ``route_day``'s routes
    table (one row per provider, base and shift)."""

    spec: CalibrationSpec
    visits: pd.DataFrame
    stops: pd.DataFrame
    bases: dict[str, NDArray[np.float64]]
    routes: pd.DataFrame
    runtime_s: float
    max_iterations: int


def _solve(spec: CalibrationSpec, max_iterations: int) -> CalibrationDay:
    from hemopt.routing.day import route_day

    sc, a = spec.build()
    t0 = time.perf_counter()
    r = route_day(sc, a, seed=spec.seed, max_iterations=max_iterations, time_limit_s=None)
    dt = time.perf_counter() - t0
    bases = a.bases_xy() if hasattr(a, "bases_xy") else sc.bases_xy()
    return CalibrationDay(spec, r.visits, r.stops, bases, r.routes, dt, max_iterations)


def calibration_days(
    specs: Sequence[CalibrationSpec],
    *,
    max_iterations: int = 500,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
) -> list[CalibrationDay]:
    """Route each spec's day with the solver (``route_day`` with ``max_iterations`` and no
    time limit, so the same on every machine).

    Parameters
    ----------
    specs
        The instances.
    max_iterations
        PyVRP iterations per (provider, base, shift).
    jobs
        Worker processes (1: in this process).
    progress
        Called with a line per routed day.

    Returns
    -------
    list of CalibrationDay

    Examples
    --------
    >>> days = calibration_days([CalibrationSpec("strangnas", 1, 0.05)], max_iterations=50)
    >>> int(days[0].routes["routes"].sum()) > 0
    True
    """
    if not (isinstance(max_iterations, (int, np.integer)) and max_iterations >= 1):
        raise InputError(f"max_iterations must be a whole number >= 1, got {max_iterations!r}")
    if not (isinstance(jobs, (int, np.integer)) and jobs >= 1):
        raise InputError(f"jobs must be a whole number >= 1, got {jobs!r}")
    out: list[CalibrationDay] = []

    def report(d: CalibrationDay) -> None:
        if progress is not None:
            progress(f"  {d.spec.label}: {len(d.stops)} stops, {d.runtime_s:.1f} s")

    if jobs == 1:
        for s in specs:
            out.append(_solve(s, int(max_iterations)))
            report(out[-1])
        return out
    with ProcessPoolExecutor(jobs) as ex:
        futures = [ex.submit(_solve, s, int(max_iterations)) for s in specs]
        for f in futures:
            out.append(f.result())
            report(out[-1])
    return out


def _instances(day: CalibrationDay, shifts: ShiftParams) -> tuple[list, list]:
    keys, inst = [], []
    st = day.stops
    idx = st.groupby(["provider_id", "base", "shift"], sort=True).indices
    xy = st[["x", "y"]].to_numpy(dtype=float)
    cols = [st[c].to_numpy(dtype=float) for c in ("service_min", "earliest_min", "latest_min")]
    for (pid, base, shift), rows in sorted(idx.items()):
        keys.append((pid, int(base), shift))
        inst.append((xy[rows], cols[0][rows], cols[1][rows], cols[2][rows],
                     np.asarray(day.bases[pid][int(base)], dtype=float), shifts.window(shift)))
    return keys, inst


def _observed(days: Sequence[CalibrationDay], model: ApproxModel, speeds: _Speeds,
              shifts: ShiftParams) -> tuple[_Batch, pd.DataFrame]:
    """The batch of served stops per (provider, base, shift) and the solver's figures."""
    geoms, rows = [], []
    for d in days:
        keys, inst = _instances(d, shifts)
        solved = d.routes.set_index(["provider_id", "base", "shift"])
        for key, (xy, svc, e, lt, off, window) in zip(keys, inst, strict=True):
            r = np.hypot(xy[:, 0] - off[0], xy[:, 1] - off[1]) * speeds.detour_factor
            ok = _servable(r, svc, e, lt, window, speeds)
            if not ok.any():
                continue
            g = _geometry(xy[ok], svc[ok], e[ok], lt[ok], off, window, speeds, model.cluster_m,
                          model.spread_m)
            geoms.append(g)
            s = solved.loc[key]
            rows.append({"day": d.spec.label, "provider_id": key[0], "base": key[1],
                         "shift": key[2],
                         "stops": len(xy), "driven_m": float(s["driven_km"]) * 1000,
                         "drive_min": float(s["drive_min"]), "routes": float(s["routes"]),
                         "staff_min": float(s["staff_min"]),
                         **g.features(speeds), "n_stops": float(len(xy))})
    return _Batch(geoms, speeds), pd.DataFrame(rows)


def _residuals(theta: NDArray, b: _Batch, obs: pd.DataFrame, *, integer: bool) -> NDArray:
    th = np.array(theta, dtype=float)
    if not integer:
        th[-1] = 0.0
    r = _evaluate(th, b)
    m = r["routes"] if integer else r["routes_continuous"]
    return np.concatenate([
        np.log((r["driven_m"] + 100.0) / (obs["driven_m"].to_numpy() + 100.0)),
        np.log(r["staff_min"] / obs["staff_min"].to_numpy()),
        np.log(m / obs["routes"].to_numpy()),
        0.5 * np.log((r["drive_min"] + 1.0) / (obs["drive_min"].to_numpy() + 1.0)),
    ])


#: Where the fit starts (so that it does not depend on the shipped constants): the BHH
#: constant for uniform points, a full line-haul and link, routes 85 % full, ...
_THETA0 = np.array([0.7124, 1.0, 1.0, 0.85, 0.85, 1.0, 0.5, 0.5, 0.3])
_LOWER = np.array([0.1, 0.3, 0.3, 0.4, 0.3, 0.0, 0.0, 0.0, 0.0])
_UPPER = np.array([2.0, 1.5, 2.5, 1.0, 1.5, 3.0, 3.0, 1.0, 0.95])


def fit_approx(
    days: Sequence[CalibrationDay],
    *,
    start: ApproxModel | None = None,
    travel: Any = None,
    shifts: ShiftParams | None = None,
    refine: bool = True,
) -> ApproxModel:
    """Fit the model's constants to days routed by the solver.

    Two stages: a robust least-squares fit (``soft_l1`` on log ratios of driven distance,
    staff minutes, routes, and driving minutes at half weight) of the model with a continuous
    number of routes, then a derivative-free refinement (Powell) of the mean absolute log
    ratio with whole routes. Deterministic.

    Parameters
    ----------
    days
        From :func:`calibration_days`.
    start
        Starting constants, and the fixed ``cluster_m``, ``spread_m`` (default: a fixed start,
        κ = 0.7124, with :class:`ApproxModel`'s ``cluster_m`` and ``spread_m``).
    travel, shifts
        Those of the days (defaults as in ``route_day``).
    refine
        Run the second stage (default).

    Returns
    -------
    ApproxModel
        With the fitted constants and ``fit_range`` the range of ``days``.

    Examples
    --------
    >>> days = calibration_days([CalibrationSpec("strangnas", 1, 0.05)], max_iterations=50)
    >>> model = fit_approx(days, refine=False)
    >>> {name: (lo, hi) for name, lo, hi in model.fit_range}["day_stops"]
    (89.0, 89.0)
    """
    from scipy.optimize import least_squares, minimize

    if not days:
        raise InputError("days: need at least one calibration day")
    x0 = np.clip(_THETA0 if start is None else start.theta, _LOWER, _UPPER)
    start = start or ApproxModel()
    shifts = shifts or ShiftParams()
    speeds = _Speeds.of(travel)
    b, obs = _observed(days, start, speeds, shifts)
    ls = least_squares(lambda th: _residuals(th, b, obs, integer=False), x0,
                       bounds=(_LOWER, _UPPER), loss="soft_l1", f_scale=0.1)
    theta = ls.x.copy()
    grid = np.linspace(0.0, 0.9, 10)
    costs = [np.mean(np.abs(_residuals(np.r_[theta[:-1], e], b, obs, integer=True)))
             for e in grid]
    theta[-1] = grid[int(np.argmin(costs))]
    if refine:
        def cost(th: NDArray) -> float:
            return float(np.mean(np.abs(_residuals(np.clip(th, _LOWER, _UPPER), b, obs,
                                                   integer=True))))

        res = minimize(cost, theta, method="Powell",
                       options={"maxfev": 3000, "xtol": 1e-3, "ftol": 1e-5})
        if res.fun < cost(theta):
            theta = np.clip(res.x, _LOWER, _UPPER)
    theta = np.round(theta, 4)
    return start.with_theta(
        theta,
        fit_range=_fit_range(days, obs, speeds),
        fit_info=f"fit_approx on {len(days)} days, {len(obs)} (provider, base, shift) instances",
    )


def _fit_range(days: Sequence[CalibrationDay], obs: pd.DataFrame,
               speeds: _Speeds) -> tuple[tuple[str, float, float], ...]:
    def span(v: pd.Series, lo_round: float, hi_round: float) -> tuple[float, float]:
        v = v.dropna()
        return (float(np.floor(v.min() / lo_round) * lo_round),
                float(np.ceil(v.max() / hi_round) * hi_round))

    out = [
        ("n_stops", *span(obs["n_stops"], 1, 1)),
        ("stops_per_km2", *span(obs["stops_per_km2"], 0.1, 10)),
        ("office_km", 0.0, span(obs["office_km"], 0.1, 0.1)[1]),
        ("service_min_per_stop", *span(obs["service_min_per_stop"], 1, 1)),
        ("shift_max_min", *span(obs["shift_max_min"], 1, 1)),
        ("day_stops", *span(pd.Series([float(len(d.stops)) for d in days]), 1, 1)),
    ]
    out += [(n, v, v) for n, v in speeds.features().items()]
    return tuple((n, float(lo), float(hi)) for n, lo, hi in out)


def approx_errors(
    model: ApproxModel,
    days: Sequence[CalibrationDay],
    *,
    travel: Any = None,
    shifts: ShiftParams | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Approximation against solver, on the same stops.

    Returns
    -------
    (per_group, per_day)
        One row per (day, provider, shift), and one per day, with the solver's and the
        model's ``driven_km``, ``staff_min``, ``routes`` (``*_solver``, ``*_approx``), their
        relative errors (``*_err`` = approx / solver - 1), the stops and the runtimes.
    """
    shifts = shifts or ShiftParams()
    speeds = _Speeds.of(travel)
    per_group, per_day = [], []
    for d in days:
        bases = {k: np.asarray(v, dtype=float) for k, v in d.bases.items()}
        stops = d.stops if "base" in d.stops else assign_bases(d.stops, bases)
        t0 = time.perf_counter()
        a = _approx_stops(d.visits, stops, bases, model, speeds, shifts, warn=False)
        dt = time.perf_counter() - t0
        merged = d.routes.merge(a.routes, on=["provider_id", "base", "shift"],
                                suffixes=("_solver", "_approx"))
        merged.insert(0, "day", d.spec.label)
        per_group.append(merged)
        per_day.append({
            "day": d.spec.label, "stops": len(d.stops),
            **{f"{c}_solver": float(d.routes[c].sum()) for c in ("driven_km", "staff_min",
                                                                  "routes")},
            **{f"{c}_approx": float(a.routes[c].sum()) for c in ("driven_km", "staff_min",
                                                                  "routes")},
            "runtime_s_solver": d.runtime_s, "runtime_s_approx": dt,
            "outside_range": len(a.outside_range),
        })
    g = pd.concat(per_group, ignore_index=True) if per_group else pd.DataFrame()
    dd = pd.DataFrame(per_day)
    for t in (g, dd):
        for c in ("driven_km", "staff_min", "routes"):
            if len(t):
                t[f"{c}_err"] = t[f"{c}_approx"] / t[f"{c}_solver"].where(
                    t[f"{c}_solver"] > 0) - 1
    return g, dd


def error_summary(per_group: pd.DataFrame, per_day: pd.DataFrame) -> pd.DataFrame:
    """Median and 90th percentile of the absolute relative errors, per (provider, base, shift) and
    for whole days, of driven km, staff minutes and routes."""
    rows = []
    for level, t in (("per (provider, base, shift)", per_group), ("per day (totals)", per_day)):
        for c in ("driven_km", "staff_min", "routes"):
            e = t[f"{c}_err"].abs().dropna()
            rows.append({"level": level, "quantity": c, "n": len(e),
                         "median": float(e.median()), "p90": float(e.quantile(0.9)),
                         "bias": float(t[f"{c}_err"].median())})
    return pd.DataFrame(rows)


#: The calibration instances: both presets, three regimes, scales 0.1-1 (about 20 to 1,300
#: stops per provider and shift), LOV with 3, 7 and 15 external providers.
TRAIN_SPECS: tuple[CalibrationSpec, ...] = (
    *(
        s
        for seed in range(10, 22)
        for s in (
            CalibrationSpec("strangnas", seed, (0.1, 0.2, 0.35, 0.6)[seed % 4], "LOV",
                            (None, 3, 15)[seed % 3]),
            CalibrationSpec("strangnas", seed, (0.1, 0.2, 0.35, 0.6)[seed % 4],
                            ("Zoning", "LOU")[seed % 2]),
            CalibrationSpec("botkyrka", seed, (0.1, 0.2, 0.35, 0.6)[seed % 4],
                            ("LOV", "LOU", "LOU0.5", "Zoning")[seed % 4]),
            CalibrationSpec("botkyrka", seed, (0.15, 0.3, 0.5)[seed % 3],
                            ("Zoning", "LOV", "LOU0.5")[seed % 3]),
        )
    ),
    CalibrationSpec("strangnas", 30, 1.0, "LOV"),
    CalibrationSpec("botkyrka", 31, 1.0, "LOU"),
    CalibrationSpec("strangnas", 32, 1.0, "Zoning"),
)

#: Held-out instances (other seeds, the same kinds of municipality) for the error figures.
HOLDOUT_SPECS: tuple[CalibrationSpec, ...] = (
    *(
        s
        for seed in range(40, 46)
        for s in (
            CalibrationSpec("strangnas", seed, (0.15, 0.3, 0.5)[seed % 3],
                            ("LOV", "Zoning", "LOU")[seed % 3], (None, 5, None)[seed % 3]),
            CalibrationSpec("botkyrka", seed, (0.12, 0.25, 0.45)[seed % 3],
                            ("Zoning", "LOU0.5", "LOV")[seed % 3]),
            CalibrationSpec("strangnas", seed, (0.25, 0.12, 0.4)[seed % 3],
                            ("Zoning", "LOV", "LOV")[seed % 3], (None, 10, 4)[seed % 3]),
        )
    ),
    CalibrationSpec("botkyrka", 50, 0.8, "Zoning"),
    CalibrationSpec("strangnas", 51, 0.8, "LOU"),
)


def _format_constants(model: ApproxModel) -> str:
    c = model.constants()
    body = "\n".join(f'    "{k}": {v!r},' for k, v in c.items())
    rng = "\n".join(f'    ("{n}", {lo!r}, {hi!r}),' for n, lo, hi in model.fit_range)
    return f"FIT_CONSTANTS = {{\n{body}\n}}\n\nDEFAULT_FIT_RANGE = (\n{rng}\n)"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hemopt.routing.approx``: solve the calibration and held-out days, fit the
    constants, print them and the held-out error table."""
    ap = argparse.ArgumentParser(prog="python -m hemopt.routing.approx",
                                 description=main.__doc__)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--max-iterations", type=int, default=500,
                    help="solver iterations per (provider, base, shift) (default 500)")
    ap.add_argument("--cache", type=Path, default=None,
                    help="pickle of the solved days: read if present, else written")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.cache is not None and args.cache.exists():
        with args.cache.open("rb") as fh:
            train, hold = pickle.load(fh)  # the user's own cache file
    else:
        print(f"routing {len(TRAIN_SPECS)} calibration days and {len(HOLDOUT_SPECS)} held-out "
              f"days with the solver ({args.max_iterations} iterations, {args.jobs} jobs)")
        train = calibration_days(TRAIN_SPECS, max_iterations=args.max_iterations,
                                 jobs=args.jobs, progress=print)
        hold = calibration_days(HOLDOUT_SPECS, max_iterations=args.max_iterations,
                                jobs=args.jobs, progress=print)
        if args.cache is not None:
            with args.cache.open("wb") as fh:
                pickle.dump((train, hold), fh)
    t1 = time.perf_counter()
    model = fit_approx(train)
    t2 = time.perf_counter()
    print(f"\nsolver {t1 - t0:.0f} s, fit {t2 - t1:.0f} s; {model.fit_info}\n")
    print(_format_constants(model))
    for name, days in (("training", train), ("held-out", hold)):
        g, d = approx_errors(model, days)
        print(f"\n{name}: {len(d)} days, {len(g)} (provider, base, shift) instances")
        print(error_summary(g, d).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    # run the imported module's main, so that pickled days name hemopt.routing.approx classes
    from hemopt.routing.approx import main as _main

    raise SystemExit(_main())
