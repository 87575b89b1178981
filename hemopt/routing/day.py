"""Route a day of home care: one VRPTW per provider and shift.

Pipeline: the day's visits (:func:`~hemopt.routing.visits.day_of_visits`) are grouped into
stops (:func:`~hemopt.routing.visits.stops_of`); each provider's day-shift stops and
evening-shift stops form a VRPTW whose vehicles are staff shifts leaving from and returning to
the provider's office (:func:`~hemopt.routing.solve_vrptw`). Totals: driven km, driving
minutes, staff minutes (office to office), stops, dropped visits.

Staff walk between the visits of one stop; they drive between stops. Travel between stops
uses :class:`MixedTravel` by default: urban speed for short trips, rural speed beyond.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.spatial.distance import cdist

from hemopt.errors import InputError
from hemopt.routing.visits import VisitParams, day_of_visits, provider_ids, stops_of
from hemopt.routing.vrptw import VRPTWInstance, VRPTWResult, solve_vrptw

__all__ = [
    "DayRouting",
    "MixedTravel",
    "ShiftParams",
    "assign_bases",
    "prepare_day",
    "route_day",
]


@dataclass(frozen=True)
class MixedTravel:
    """Road distance = straight line × ``detour_factor``; the first ``urban_m`` metres of a
    trip are driven at ``urban_kmh``, the rest at ``rural_kmh``; plus ``overhead_min`` per trip
    (parking and walking to the door). Defaults in ``docs/routing.md``."""

    detour_factor: float = 1.3
    urban_kmh: float = 25.0
    rural_kmh: float = 60.0
    urban_m: float = 3000.0
    overhead_min: float = 2.0

    def __post_init__(self) -> None:
        for name in ("detour_factor", "urban_kmh", "rural_kmh", "urban_m", "overhead_min"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise InputError(f"MixedTravel.{name} must be finite and >= 0, got {v!r}")
        if self.detour_factor < 1 or self.urban_kmh <= 0 or self.rural_kmh <= 0:
            raise InputError("MixedTravel: detour_factor must be >= 1 and speeds > 0")

    def distance_matrix_m(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        a = np.asarray(xy_from, dtype=float).reshape(-1, 2)
        b = a if xy_to is None else np.asarray(xy_to, dtype=float).reshape(-1, 2)
        return cdist(a, b) * self.detour_factor

    def _time(self, d: NDArray[np.float64]) -> NDArray[np.float64]:
        urban = np.minimum(d, self.urban_m)
        t = urban / (self.urban_kmh * 1000 / 60) + (d - urban) / (self.rural_kmh * 1000 / 60)
        return np.where(d > 0, t + self.overhead_min, 0.0)

    def time_matrix_min(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        return self._time(self.distance_matrix_m(xy_from, xy_to))

    def matrices(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        d = self.distance_matrix_m(xy_from, xy_to)
        return d, self._time(d)


@dataclass(frozen=True)
class ShiftParams:
    """Staff shifts (minutes after midnight) and their working time.

    Day shift 07:00–16:00 with at most 480 minutes on the road and in homes (a 30-minute
    lunch break is taken out of the 9-hour window: PyVRP has no break model, see
    ``docs/routing.md``); evening shift 16:00–22:00, at most 360 minutes.
    """

    day: tuple[float, float] = (7 * 60, 16 * 60)
    evening: tuple[float, float] = (16 * 60, 22 * 60)
    day_max_min: float = 480.0
    evening_max_min: float = 360.0

    def window(self, shift: str) -> tuple[float, float, float]:
        if shift == "day":
            return (*self.day, self.day_max_min)
        if shift == "evening":
            return (*self.evening, self.evening_max_min)
        raise InputError(f"unknown shift {shift!r}; expected 'day' or 'evening'")


@dataclass(frozen=True, eq=False)
class DayRouting:
    """The routed day of one assignment.

    Attributes
    ----------
    visits, stops
        The day's visits and stops (see :mod:`hemopt.routing.visits`).
    routes
        One row per (provider, base, shift): ``base`` (0 = the office, 1.. = the provider's
        bases in ``Assignment.bases_xy()`` order), ``stops``, ``visits``, ``routes`` (staff
        shifts used),
        ``driven_km``, ``drive_min``, ``service_min``, ``wait_min``, ``staff_min``,
        ``dropped``, ``late``, ``runtime_s``.
    results
        The solver results by ``(provider_id, base, shift)``.
    """

    visits: pd.DataFrame
    stops: pd.DataFrame
    routes: pd.DataFrame
    results: dict[tuple[str, str], VRPTWResult] = field(repr=False)
    backend: str = "pyvrp"

    def totals(self) -> dict[str, float]:
        """Driven km and hours, staff hours, driving share, stops per visit, dropped visits."""
        r = self.routes
        staff = float(r["staff_min"].sum())
        drive = float(r["drive_min"].sum())
        nv = len(self.visits)
        return {
            "driven_km_per_day": float(r["driven_km"].sum()),
            "drive_hours_per_day": drive / 60.0,
            "staff_hours_per_day": staff / 60.0,
            "service_hours_per_day": float(r["service_min"].sum()) / 60.0,
            "driving_share": drive / staff if staff > 0 else 0.0,
            "visits": nv,
            "stops": len(self.stops),
            "stops_per_visit": len(self.stops) / nv if nv else 0.0,
            "staff_shifts": int(r["routes"].sum()),
            "dropped_visits": int(r["dropped"].sum()),
            "late_visits": int(r["late"].sum()),
        }


def assign_bases(stops: pd.DataFrame, bases: dict[str, np.ndarray]) -> pd.DataFrame:
    """Add a ``base`` column: the index of the provider's nearest starting point (0 = the
    office) for each stop. Shifts start from the base nearest their stops."""
    out = stops.copy()
    base = np.zeros(len(out), dtype=np.int64)
    if len(out):
        xy = out[["x", "y"]].to_numpy(dtype=float)
        pids = out["provider_id"].to_numpy()
        for pid in np.unique(pids):
            if pid not in bases:
                raise InputError(f"provider {pid!r} of a stop has no office or base")
            b = bases[pid]
            m = pids == pid
            if len(b) > 1:
                base[m] = cdist(xy[m], b).argmin(axis=1)
    out["base"] = base
    return out


def prepare_day(scenario: Any, provider: Any, *, seed: int = 0,
                visits: pd.DataFrame | None = None, params: VisitParams | None = None,
                ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """The day's visits, its stops (with their ``base``) and every provider's starting points,
    for an :class:`~hemopt.assignment.Assignment` or a provider id per client. ``visits``, when
    given, are reused with ``provider``'s providers (so regimes share one day)."""
    params = params or VisitParams()
    prov = provider_ids(scenario, provider)
    if visits is None:
        visits = day_of_visits(scenario, prov, seed=seed, params=params)
    else:
        lut = dict(zip(scenario.clients["client_id"], prov, strict=True))
        visits = visits.copy()
        visits["provider_id"] = visits["client_id"].map(lut)
        visits = visits[visits["provider_id"] != ""].reset_index(drop=True)
    stops = stops_of(visits, walk_min=params.walk_min)
    bases = provider.bases_xy() if hasattr(provider, "bases_xy") else scenario.bases_xy()
    return visits, assign_bases(stops, bases), bases


def _default_time_limit(n_stops: int) -> float:
    return float(np.clip(0.004 * n_stops, 0.5, 15.0))


def route_day(
    scenario: Any,
    provider: Any,
    *,
    seed: int = 0,
    visits: pd.DataFrame | None = None,
    travel: Any = None,
    backend: str = "pyvrp",
    time_limit_s: float | Callable[[int], float] | None = None,
    max_iterations: int | None = None,
    params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
    progress: Callable[[str], None] | None = None,
) -> DayRouting:
    """Route every provider's day.

    Parameters
    ----------
    scenario
        The municipality (offices are the providers' points).
    provider
        An :class:`~hemopt.assignment.Assignment` or a provider id per client.
    seed
        Seed of the day's visits and of the solver.
    visits
        A day of visits to use instead of drawing one (its ``provider_id`` column is replaced
        by ``provider``'s, so that regimes share the same visits).
    travel
        A :mod:`hemopt.travel` model (default :class:`MixedTravel`).
    backend
        ``"pyvrp"`` (default), ``"ortools"`` or ``"greedy"``.
    time_limit_s
        Seconds per (provider, shift) instance, or a function of its number of stops. Default:
        ``clip(0.004 × stops, 0.5, 15)``; ``None`` with ``max_iterations`` for runs that give the
        same routes on every machine.
    max_iterations
        Solver iteration limit (deterministic).
    progress
        Called with a short message after each instance (e.g. ``print``).

    Returns
    -------
    DayRouting
        The visits, stops, one row of routes per (provider, base, shift), the solver results,
        and ``totals()``: driven km, driving and staff hours, stops per visit, dropped visits.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> a = hemopt.assign(sc, hemopt.LOV())
    >>> day = hemopt.route_day(sc, a, seed=1, max_iterations=50)
    >>> t = day.totals()
    >>> t["driven_km_per_day"] > 0, t["dropped_visits"], t["stops"] <= t["visits"]
    (True, 0, True)
    >>> set(day.routes["shift"]) <= {"day", "evening"}
    True
    """
    params = params or VisitParams()
    shifts = shifts or ShiftParams()
    travel = travel or MixedTravel()
    visits, stops, bases = prepare_day(scenario, provider, seed=seed, visits=visits,
                                       params=params)
    rows, results = [], {}
    groups = stops.groupby(["provider_id", "base", "shift"], sort=True)
    for (pid, base, shift), g in groups:
        start, end, max_min = shifts.window(shift)
        xy = np.vstack([bases[pid][base][None, :], g[["x", "y"]].to_numpy()])
        dist, dur = travel.matrices(xy)
        earliest = np.concatenate([[start], g["earliest_min"].to_numpy()])
        service = np.concatenate([[0.0], g["service_min"].to_numpy()])
        # a stop must start early enough to finish and drive back before the shift ends
        latest = np.concatenate([[end], g["latest_min"].to_numpy()])
        latest[1:] = np.maximum(
            np.minimum(latest[1:], end - service[1:] - dur[1:, 0]), earliest[1:]
        )
        inst = VRPTWInstance(
            distance=dist,
            duration=dur,
            coords=xy,
            service=service,
            earliest=earliest,
            latest=latest,
            shift_duration=max_min,
            name=f"{pid}-{base}-{shift}",
        )
        if callable(time_limit_s):
            tl = time_limit_s(len(g))
        elif time_limit_s is None and max_iterations is None:
            tl = _default_time_limit(len(g))
        else:
            tl = time_limit_s
        t0 = time.perf_counter()
        res = solve_vrptw(
            inst, time_limit_s=tl, backend=backend, seed=seed, max_iterations=max_iterations
        )
        results[(pid, int(base), shift)] = res
        nvis = g["n_visits"].to_numpy()
        dropped_visits = (
            int(nvis[np.asarray(res.dropped, dtype=int) - 1].sum()) if len(res.dropped) else 0
        )
        late_visits = int(nvis[np.asarray(res.late, dtype=int) - 1].sum()) if len(res.late) else 0
        rows.append(
            {
                "provider_id": pid,
                "base": int(base),
                "shift": shift,
                "stops": len(g),
                "visits": int(nvis.sum()),
                "routes": len(res.routes),
                "driven_km": res.distance / 1000.0,
                "drive_min": res.travel_duration,
                "service_min": res.service_duration,
                "wait_min": res.wait_duration,
                "staff_min": res.duration,
                "dropped": dropped_visits,
                "late": late_visits,
                "runtime_s": time.perf_counter() - t0,
            }
        )
        if progress is not None:
            progress(
                f"  routed {pid} base {base} {shift}: {len(g)} stops, "
                f"{len(res.routes)} shifts, "
                f"{res.distance / 1000:.1f} km"
            )
    routes = pd.DataFrame(
        rows,
        columns=[
            "provider_id",
            "base",
            "shift",
            "stops",
            "visits",
            "routes",
            "driven_km",
            "drive_min",
            "service_min",
            "wait_min",
            "staff_min",
            "dropped",
            "late",
            "runtime_s",
        ],
    )
    return DayRouting(visits=visits, stops=stops, routes=routes, results=results, backend=backend)
