"""The geometry and the closed-form evaluation of the continuous approximation.

The stops of one (provider, base, shift, mode) are split into settlements linked by their
minimum spanning tree; the stops no route office -> stop -> office can serve are found at full
precision; and a batch of instances is evaluated for a vector of constants (a fixed point over
the number of routes). :class:`~hemopt.day.approx_model.ApproxModel` calls these; the equations
are in ``docs/approximation.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, QhullError
from scipy.spatial.distance import pdist, squareform

from hemopt.errors import InputError
from hemopt.routing.instance import LONGER_THAN_SHIFT, OUTSIDE_TIME_WINDOW
from hemopt.travel import MixedTravel, StraightLineTravel, Travel

__all__ = [
    "DENSITY_MIN_STOPS",
    "TRAVEL_FEATURES",
    "Batch",
    "Geometry",
    "evaluate_batch",
    "geometry_of",
    "servable_stops",
    "straight_line",
    "travel_features",
    "unservable_stops",
]

#: Density and mean service are only checked on instances with this many stops or more (a few
#: stops are dominated by whole routes, and their means vary widely).
DENSITY_MIN_STOPS = 25


# ------------------------------------------------------------------------------------------------
# Travel
# ------------------------------------------------------------------------------------------------

def straight_line(travel: Travel | None) -> StraightLineTravel:
    """``travel`` as a straight-line model (default :class:`~hemopt.travel.MixedTravel`)."""
    if travel is None:
        return MixedTravel()
    if isinstance(travel, StraightLineTravel):
        return travel
    raise InputError(
        f"travel: the approximation needs a straight-line travel model (StraightLineTravel: "
        f"MixedTravel, TravelModel), got {type(travel).__name__}"
    )


def _trip_min(travel: StraightLineTravel, d_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Trip minutes as in ``route_day``'s time matrix (overhead when ``d > 0``)."""
    return np.where(d_m > 0, travel.drive_min(d_m) + travel.overhead_min, 0.0)


def travel_features(travel: StraightLineTravel) -> dict[str, float]:
    """What the fitted range checks of a travel model: ``detour_factor``, ``overhead_min``,
    and the mean speeds of a 1 km and a 20 km trip, ``kmh_1km`` and ``kmh_20km``.

    Examples
    --------
    >>> from hemopt.travel import MixedTravel
    >>> {k: round(v, 1) for k, v in travel_features(MixedTravel()).items()}
    {'detour_factor': 1.3, 'overhead_min': 2.0, 'kmh_1km': 25.0, 'kmh_20km': 49.6}
    """
    minutes = travel.drive_min(np.array([1000.0, 20_000.0]))
    return {
        "detour_factor": float(travel.detour_factor),
        "overhead_min": float(travel.overhead_min),
        "kmh_1km": float(60.0 / minutes[0]),
        "kmh_20km": float(20 * 60.0 / minutes[1]),
    }


TRAVEL_FEATURES = ("detour_factor", "overhead_min", "kmh_1km", "kmh_20km")


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
class Geometry:
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

    def features(self) -> dict[str, float]:
        area_km2 = float(self.area.sum()) / 1e6
        enough = self.n >= DENSITY_MIN_STOPS
        return {
            "n_stops": float(self.n),
            "stops_per_km2": self.n / area_km2 if enough else math.nan,
            "office_km": float((self.nc * self.rc).sum() / self.nc.sum()) / 1000.0,
            "service_min_per_stop": self.service / self.n if enough else math.nan,
            "shift_max_min": self.max_min,
        }


def geometry_of(
    xy: NDArray[np.float64],
    service: NDArray[np.float64],
    earliest: NDArray[np.float64],
    latest: NDArray[np.float64],
    office: NDArray[np.float64],
    window: tuple[float, float, float],
    travel: StraightLineTravel,
    cluster_m: float,
    spread_m: float,
) -> Geometry:
    n = len(xy)
    det = travel.detour_factor
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
    return Geometry(
        n=n,
        n_distinct=k,
        service=float(service.sum()),
        start=float(start),
        end=float(end),
        max_min=float(max_min),
        nc=cnt,
        area=area,
        rc=np.bincount(lab, r, n_cl) / cnt,
        sc=np.bincount(lab, service, n_cl).astype(float),
        links=w[~keep] * det,
        pn=np.bincount(winv, minlength=npw).astype(float),
        ps=np.bincount(winv, service, npw).astype(float),
        pe=wu[:, 0].astype(float),
        pl=wu[:, 1].astype(float),
    )


def unservable_stops(
    r_m: NDArray[np.float64],
    service: NDArray[np.float64],
    earliest: NDArray[np.float64],
    latest: NDArray[np.float64],
    window: tuple[float, float, float],
    travel: StraightLineTravel,
) -> NDArray[np.object_]:
    """Why a route office -> stop -> office cannot serve each stop (``route_day``'s windows
    and the solver's pre-check, :func:`hemopt.routing.instance.unservable`, at full
    precision): ``""`` for the servable stops, else one of
    :data:`~hemopt.routing.instance.DROP_REASONS`."""
    start, end, max_min = window
    t = _trip_min(travel, r_m)
    lat = np.maximum(np.minimum(latest, end - service - t), earliest)
    arrive = np.maximum(start + t, earliest)
    ok_window = arrive <= lat + 1e-9
    ok_end = arrive + service + t <= end + 1e-9
    single = 2 * t + service
    too_long = (single > max_min + 1e-9) | (single > end - start + 1e-9)
    out = np.full(len(r_m), "", dtype=object)
    out[~(ok_window & ok_end)] = OUTSIDE_TIME_WINDOW
    out[too_long] = LONGER_THAN_SHIFT
    return out


def servable_stops(
    r_m: NDArray[np.float64],
    service: NDArray[np.float64],
    earliest: NDArray[np.float64],
    latest: NDArray[np.float64],
    window: tuple[float, float, float],
    travel: StraightLineTravel,
) -> NDArray[np.bool_]:
    """The stops a route office -> stop -> office can serve."""
    return unservable_stops(r_m, service, earliest, latest, window, travel) == ""


class Batch:
    """Many geometries as flat arrays, so that the model is evaluated in one vectorised pass."""

    def __init__(self, geoms: Sequence[Geometry], travel: StraightLineTravel) -> None:
        g = len(geoms)
        self.G = g
        self.travel = travel

        def cat(name: str) -> NDArray[np.float64]:
            return np.concatenate([getattr(x, name) for x in geoms]) if g else np.zeros(0)

        def owner(name: str) -> NDArray[np.int64]:
            return np.repeat(np.arange(g), [len(getattr(x, name)) for x in geoms])

        self.nc, self.area, self.rc, self.sc = cat("nc"), cat("area"), cat("rc"), cat("sc")
        self.cg = owner("nc")
        self.links, self.lg = cat("links"), owner("links")
        self.links_t = travel.drive_min(self.links)
        self.pn, self.ps, self.pe, self.pl = cat("pn"), cat("ps"), cat("pe"), cat("pl")
        self.pg = owner("pn")
        self.n = np.array([x.n for x in geoms], dtype=float)
        self.dup = np.array([x.n - x.n_distinct for x in geoms], dtype=float)
        self.S = np.array([x.service for x in geoms], dtype=float)
        self.start = np.array([x.start for x in geoms], dtype=float)
        self.end = np.array([x.end for x in geoms], dtype=float)
        self.H = np.array([x.max_min for x in geoms], dtype=float)
        self.sqrt_na = np.sqrt(self.nc * self.area)
        self.rc_t = travel.drive_min(self.rc)
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


def _fluid_wait(b: Batch, m: NDArray, leg_min: NDArray, free_at: NDArray) -> NDArray:
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


def evaluate_batch(theta: NDArray[np.float64], b: Batch) -> dict[str, NDArray[np.float64]]:
    """The model on a batch. ``theta``: kappa, line_haul, link, time_efficiency,
    window_efficiency, wait_fluid, wait_gap, same_place_share, round_down."""
    kappa, lam, beta, eta, eta_w, om_fluid, om_gap, zeta, eps = theta
    g, sp = b.G, b.travel
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
        "travel_m": dist,
        "travel_min": drive,
        "routes": m,
        "routes_continuous": m_cont,
        "service_min": b.S.copy(),
        "wait_min": wait,
        "staff_min": b.S + drive + wait,
    }
