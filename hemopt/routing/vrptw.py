"""The vehicle routing problem with time windows (VRPTW) of one provider's day.

A :class:`VRPTWInstance` holds the data: location 0 is the depot (the provider's office, where
every staff shift starts and ends), locations ``1..n`` are the clients' visits. Distances and
durations are float matrices kept at full precision. :func:`solve_vrptw` scales them to
integers for the solver backend (see :data:`DISTANCE_SCALE`, :data:`TIME_SCALE`), and returns a
:class:`VRPTWResult` whose distances and schedule are recomputed from the original float
matrices along the routes found.

The objective is the total distance, with as many vehicles (staff shifts) as needed unless
``n_vehicles`` limits them. A visit is never silently dropped: visits that no route could ever
serve (a window that cannot be reached from the office, a visit longer than a shift, a demand
above the capacity) are reported with the reason before solving; visits the solver could not
place within a limited fleet are reported as well.

Examples
--------
>>> import numpy as np
>>> from hemopt.routing import VRPTWInstance, solve_vrptw
>>> xy = np.array([[0, 0], [0, 10], [10, 10], [10, 0]], dtype=float)
>>> inst = VRPTWInstance(coords=xy, service=[0, 5, 5, 5], earliest=[0, 0, 0, 0],
...                      latest=[100, 100, 100, 100])
>>> res = solve_vrptw(inst, time_limit_s=None, max_iterations=200)
>>> res.distance, res.routes
(40.0, [[1, 2, 3]])
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial.distance import cdist

from hemopt.errors import InputError, SolverError
from hemopt.travel import Travel, as_xy

__all__ = [
    "DISTANCE_SCALE",
    "TIME_SCALE",
    "PrecisionWarning",
    "RawRoute",
    "RawSolution",
    "RoutingBackend",
    "ScaledInstance",
    "VRPTWInstance",
    "VRPTWResult",
    "available_backends",
    "get_backend",
    "register_backend",
    "solve_vrptw",
]

#: Distances are multiplied by this and rounded to integers for the solvers
#: (metres -> millimetres; Solomon units -> 1/1000).
DISTANCE_SCALE = 1000
#: Times (minutes) are multiplied by this for the solvers: a resolution of 0.01 min (0.6 s).
#: Travel and service times are rounded up, latest times down, so that a schedule feasible in
#: integers is feasible in full precision.
TIME_SCALE = 100
#: Tolerance (minutes) when checking the full-precision schedule.
TIME_TOLERANCE = 1e-6
#: Largest scaled value accepted (PyVRP's ``MAX_VALUE``, 2**44).
_MAX_SCALED = 1 << 44
#: Below this mean positive scaled value, rounding may cost about 1 %: warn.
_MIN_MEAN_SCALED = 100


class PrecisionWarning(UserWarning):
    """Scaling the float data to the solver's integers loses noticeable precision."""


# ------------------------------------------------------------------------------------------------
# The instance
# ------------------------------------------------------------------------------------------------


def _vector(name: str, value: ArrayLike | None, n: int, default: float) -> NDArray[np.float64]:
    if value is None:
        return np.full(n, default, dtype=np.float64)
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: expected numbers, got {value!r:.80}") from exc
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise InputError(f"{name}: expected {n} values (depot + clients), got shape {arr.shape}")
    if np.isnan(arr).any():
        raise InputError(f"{name}: value at index {int(np.flatnonzero(np.isnan(arr))[0])} is NaN")
    return arr


def _matrix(name: str, value: ArrayLike, n: int | None) -> NDArray[np.float64]:
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: expected a numeric matrix, got {value!r:.80}") from exc
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InputError(f"{name}: expected a square matrix, got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise InputError(f"{name}: expected shape ({n}, {n}), got {arr.shape}")
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i, j = (int(k) for k in np.argwhere(bad)[0])
        raise InputError(
            f"{name}[{i}, {j}] = {float(arr[i, j])!r}; entries must be finite and >= 0"
        )
    diag = np.flatnonzero(np.diagonal(arr) != 0)
    if len(diag):
        i = int(diag[0])
        raise InputError(f"{name}[{i}, {i}] = {float(arr[i, i])!r}; the diagonal must be 0")
    return arr


def _readonly(arr: NDArray | None) -> NDArray | None:
    if arr is not None:
        arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False, kw_only=True)
class VRPTWInstance:
    """A VRPTW: one depot (index 0) and ``n`` clients (indices ``1..n``).

    All arguments are keyword-only. Times are minutes (any origin, e.g. minutes after
    midnight); distances are metres when they come from :mod:`hemopt.travel`, and any unit
    otherwise (Solomon instances use abstract units with durations = distances).

    Parameters
    ----------
    distance
        ``(n+1, n+1)`` distance matrix, finite, >= 0, zero diagonal. If omitted it is computed
        from ``coords``: with ``travel`` if given, else Euclidean.
    duration
        ``(n+1, n+1)`` travel-time matrix in minutes. If omitted: ``travel``'s time matrix
        if ``travel`` is given, else equal to ``distance`` (unit speed, as in Solomon's
        benchmark).
    coords
        ``(n+1, 2)`` coordinates, optional once the matrices are given.
    travel
        A :class:`hemopt.travel.TravelModel` or :class:`hemopt.travel.RoadGraphTravel` used to
        compute both matrices from ``coords`` when ``distance`` is omitted (ignored
        otherwise; kept as a record of where the matrices came from).
    service
        Service time per location, minutes (the depot's must be 0). Default 0.
    earliest, latest
        Time window per location: service must *start* in ``[earliest, latest]`` (waiting
        before ``earliest`` is allowed). The depot's window is the working day: no shift
        leaves before ``earliest[0]`` or returns after ``latest[0]``. Defaults 0 and ``inf``.
    demand, capacity
        Optional integer demand per location (depot 0) and the vehicle capacity. Home care
        rarely needs them; Solomon instances have them.
    n_vehicles
        Number of staff shifts available; ``None`` (default) for as many as needed.
    shift_duration
        Maximum route duration (minutes), waiting included; ``None`` for no limit.
    shift_start, shift_end
        Earliest start and latest end of the shifts: a number for all shifts, or one value per
        vehicle (requires ``n_vehicles``), e.g. morning and evening staff. Default: the
        depot's window.
    name
        Free text.

    Raises
    ------
    InputError
        Naming the field and the offending value or index.
    """

    distance: NDArray[np.float64] = None  # type: ignore[assignment]
    duration: NDArray[np.float64] = None  # type: ignore[assignment]
    coords: NDArray[np.float64] | None = None
    travel: Travel | None = None
    service: NDArray[np.float64] = None  # type: ignore[assignment]
    earliest: NDArray[np.float64] = None  # type: ignore[assignment]
    latest: NDArray[np.float64] = None  # type: ignore[assignment]
    demand: NDArray[np.int64] | None = None
    capacity: int | None = None
    n_vehicles: int | None = None
    shift_duration: float | None = None
    shift_start: float | NDArray[np.float64] | None = None
    shift_end: float | NDArray[np.float64] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        put = object.__setattr__
        coords = None if self.coords is None else as_xy("coords", self.coords)
        if self.distance is None:
            if coords is None:
                raise InputError("distance: give a distance matrix or coords")
            if self.travel is not None:
                dist, dur = self.travel.matrices(coords)
                put(self, "distance", dist)
                if self.duration is None:
                    put(self, "duration", dur)
            else:
                put(self, "distance", cdist(coords, coords))
        n = None if coords is None else len(coords)
        distance = _matrix("distance", self.distance, n)
        n = distance.shape[0]
        if n < 1:
            raise InputError("distance: the instance needs at least the depot (index 0)")
        duration = (
            distance.copy() if self.duration is None else _matrix("duration", self.duration, n)
        )
        service = _vector("service", self.service, n, 0.0)
        earliest = _vector("earliest", self.earliest, n, 0.0)
        latest = _vector("latest", self.latest, n, math.inf)
        for name, arr in (("service", service), ("earliest", earliest)):
            bad = np.flatnonzero(
                ~np.isfinite(arr) | (arr < 0) if name == "service" else ~np.isfinite(arr)
            )
            if len(bad):
                i = int(bad[0])
                raise InputError(
                    f"{name}[{i}] = {float(arr[i])!r}; must be finite"
                    + (" and >= 0" if name == "service" else "")
                )
        if service[0] != 0:
            raise InputError(
                f"service[0] = {float(service[0])!r}; the depot's service time must be 0"
            )
        bad = np.flatnonzero(latest < earliest)
        if len(bad):
            i = int(bad[0])
            raise InputError(
                f"latest[{i}] = {float(latest[i])!r} is before "
                f"earliest[{i}] = {float(earliest[i])!r}"
            )
        if latest[0] == -math.inf:
            raise InputError("latest[0] = -inf; the depot must be open")

        demand = self.demand
        if demand is not None:
            dem = _vector("demand", demand, n, 0.0)
            bad = np.flatnonzero((dem < 0) | (dem != np.round(dem)) | ~np.isfinite(dem))
            if len(bad):
                i = int(bad[0])
                raise InputError(f"demand[{i}] = {float(dem[i])!r}; demands must be integers >= 0")
            if dem[0] != 0:
                raise InputError(f"demand[0] = {float(dem[0])!r}; the depot's demand must be 0")
            demand = dem.astype(np.int64)
        capacity = self.capacity
        if capacity is not None:
            if isinstance(capacity, bool) or not float(capacity).is_integer() or capacity < 0:
                raise InputError(f"capacity = {capacity!r}; must be an integer >= 0")
            capacity = int(capacity)
            if demand is None:
                demand = np.zeros(n, dtype=np.int64)
        elif demand is not None:
            raise InputError("capacity: demand is given but capacity is None")

        nv = self.n_vehicles
        if nv is not None:
            if isinstance(nv, bool) or not float(nv).is_integer() or nv < 1:
                raise InputError(f"n_vehicles = {nv!r}; must be an integer >= 1 or None")
            nv = int(nv)
        sd = self.shift_duration
        if sd is not None:
            sd = float(sd)
            if not sd > 0:
                raise InputError(f"shift_duration = {sd!r}; must be > 0 or None")
        shifts = {}
        for name in ("shift_start", "shift_end"):
            value = getattr(self, name)
            if value is None or np.ndim(value) == 0:
                if value is not None and math.isnan(float(value)):  # type: ignore[arg-type]
                    raise InputError(f"{name} = nan")
                shifts[name] = None if value is None else float(value)  # type: ignore[arg-type]
                continue
            if nv is None:
                raise InputError(f"{name}: one value per vehicle needs n_vehicles")
            shifts[name] = _readonly(_vector(name, value, nv, 0.0))
        if shifts["shift_start"] is not None and shifts["shift_end"] is not None:
            starts = np.broadcast_to(shifts["shift_start"], (nv or 1,))
            ends = np.broadcast_to(shifts["shift_end"], (nv or 1,))
            bad = np.flatnonzero(ends < starts)
            if len(bad):
                v = int(bad[0])
                raise InputError(
                    f"shift_end = {float(ends[v])!r} is before "
                    f"shift_start = {float(starts[v])!r} (vehicle {v})"
                )

        put(self, "coords", _readonly(None if coords is None else coords.copy()))
        put(self, "distance", _readonly(distance))
        put(self, "duration", _readonly(duration))
        put(self, "service", _readonly(service))
        put(self, "earliest", _readonly(earliest))
        put(self, "latest", _readonly(latest))
        put(self, "demand", _readonly(demand))
        put(self, "capacity", capacity)
        put(self, "n_vehicles", nv)
        put(self, "shift_duration", sd)
        put(self, "shift_start", shifts["shift_start"])
        put(self, "shift_end", shifts["shift_end"])

    # -- derived -------------------------------------------------------------------------------

    @property
    def n_clients(self) -> int:
        """Number of clients (visits), excluding the depot."""
        return int(self.distance.shape[0]) - 1

    @property
    def clients(self) -> range:
        """Client indices, ``1..n``."""
        return range(1, self.n_clients + 1)

    def vehicle_shifts(self, n: int | None = None) -> tuple[NDArray, NDArray]:
        """Earliest start and latest end of each of ``n`` vehicles (default ``n_vehicles``).

        The depot's window bounds them both.
        """
        n = self.n_vehicles if n is None else n
        if n is None:
            raise InputError("n: give the number of vehicles (n_vehicles is None)")
        start = self.earliest[0] if self.shift_start is None else self.shift_start
        end = self.latest[0] if self.shift_end is None else self.shift_end
        starts = np.maximum(np.broadcast_to(start, (n,)), self.earliest[0]).astype(float)
        ends = np.minimum(np.broadcast_to(end, (n,)), self.latest[0]).astype(float)
        return starts, ends

    def subset(self, clients: Sequence[int], *, name: str | None = None) -> VRPTWInstance:
        """The instance restricted to the depot and the given clients (renumbered ``1..k``).

        Per-vehicle shift arrays and ``n_vehicles`` are kept.
        """
        idx = np.asarray([0, *clients], dtype=np.int64)
        if len(idx) > 1 and (idx[1:].min() < 1 or idx[1:].max() > self.n_clients):
            raise InputError(f"clients: indices must be in 1..{self.n_clients}, got {clients!r}")
        if len(np.unique(idx)) != len(idx):
            raise InputError(f"clients: repeated index in {clients!r}")
        sub = np.ix_(idx, idx)
        return VRPTWInstance(
            distance=self.distance[sub],
            duration=self.duration[sub],
            coords=None if self.coords is None else self.coords[idx],
            service=self.service[idx],
            earliest=self.earliest[idx],
            latest=self.latest[idx],
            demand=None if self.demand is None else self.demand[idx],
            capacity=self.capacity,
            n_vehicles=self.n_vehicles,
            shift_duration=self.shift_duration,
            shift_start=self.shift_start,
            shift_end=self.shift_end,
            name=self.name if name is None else name,
        )

    def __repr__(self) -> str:
        fleet = "unlimited" if self.n_vehicles is None else self.n_vehicles
        return (
            f"VRPTWInstance(name={self.name!r}, n_clients={self.n_clients}, "
            f"n_vehicles={fleet}, shift_duration={self.shift_duration})"
        )


# ------------------------------------------------------------------------------------------------
# Integer data for the backends
# ------------------------------------------------------------------------------------------------


def _up(x: NDArray | float, scale: int) -> NDArray[np.int64]:
    return np.ceil(np.asarray(x, dtype=np.float64) * scale - 1e-6).astype(np.int64)


def _down(x: NDArray | float, scale: int) -> NDArray[np.int64]:
    return np.floor(np.asarray(x, dtype=np.float64) * scale + 1e-6).astype(np.int64)


@dataclass(frozen=True, eq=False)
class ScaledInstance:
    """Integer data shared by the backends: only the servable clients, renumbered.

    Location 0 is the depot; location ``k >= 1`` is the original client ``clients[k - 1]``.
    Times are in 1/:data:`TIME_SCALE` minutes, distances in 1/:data:`DISTANCE_SCALE` units.
    """

    instance: VRPTWInstance
    clients: NDArray[np.int64]
    distance: NDArray[np.int64]
    duration: NDArray[np.int64]
    service: NDArray[np.int64]
    earliest: NDArray[np.int64]
    latest: NDArray[np.int64]
    demand: NDArray[np.int64] | None
    capacity: int | None
    shift_start: NDArray[np.int64]
    shift_end: NDArray[np.int64]
    shift_duration: int | None
    horizon: int
    n_vehicles: int
    fleet_limited: bool
    drop_penalty: int

    @property
    def n_clients(self) -> int:
        return len(self.clients)


def _time_limit(inst: VRPTWInstance) -> float:
    """A finite end of day when the depot's window is open-ended."""
    if math.isfinite(inst.latest[0]):
        return float(inst.latest[0])
    finite = inst.latest[np.isfinite(inst.latest)]
    last = max(float(finite.max()) if len(finite) else 0.0, float(inst.earliest.max()))
    n = inst.n_clients + 1
    return last + float(inst.service.sum()) + n * float(inst.duration.max(initial=0.0)) + 1.0


def _servability(inst: VRPTWInstance) -> dict[int, str]:
    """Clients that no single route ``depot -> client -> depot`` can serve, with the reason."""
    n_types = inst.n_vehicles if np.ndim(inst.shift_start) or np.ndim(inst.shift_end) else 1
    starts, ends = inst.vehicle_shifts(n_types)
    end_of_day = _time_limit(inst)
    ends = np.minimum(ends, end_of_day)
    s_start = _up(starts, TIME_SCALE)
    s_end = _down(ends, TIME_SCALE)
    c = np.arange(1, inst.n_clients + 1)
    t_out = _up(inst.duration[0, c], TIME_SCALE)
    t_back = _up(inst.duration[c, 0], TIME_SCALE)
    svc = _up(inst.service[c], TIME_SCALE)
    e = _up(inst.earliest[c], TIME_SCALE)
    lat = _down(np.minimum(inst.latest[c], end_of_day), TIME_SCALE)
    # best vehicle for each client: leave as late as useful, arrive at max(start + out, e)
    arrive = np.maximum(s_start[None, :] + t_out[:, None], e[:, None])  # (clients, vehicles)
    back = arrive + svc[:, None] + t_back[:, None]
    ok_window = arrive <= lat[:, None]
    ok_end = back <= s_end[None, :]
    single = t_out + svc + t_back
    ok_shift = (
        np.ones_like(single, dtype=bool)
        if inst.shift_duration is None
        else single <= _down(inst.shift_duration, TIME_SCALE)
    )
    reasons: dict[int, str] = {}
    for k in np.flatnonzero(~(ok_window & ok_end).any(axis=1) | ~ok_shift):
        i = int(c[k])
        first = float(np.min(starts)) + inst.duration[0, i]
        if not ok_shift[k]:
            reasons[i] = (
                f"office -> visit -> office takes {single[k] / TIME_SCALE:.2f} min, more than "
                f"shift_duration = {inst.shift_duration}"
            )
        elif not ok_window[k].any():
            reasons[i] = (
                f"earliest arrival {first:.2f} is after latest = {float(inst.latest[i])!r} "
                f"(window [{float(inst.earliest[i])!r}, {float(inst.latest[i])!r}])"
            )
        else:
            reasons[i] = (
                f"no shift can serve the window [{float(inst.earliest[i])!r}, "
                f"{float(inst.latest[i])!r}] and return to the office by the end of the "
                f"shift ({float(np.max(ends))!r})"
            )
    if inst.demand is not None and inst.capacity is not None:
        for i in np.flatnonzero(inst.demand > inst.capacity):
            i = int(i)
            if i not in reasons:
                reasons[i] = f"demand {int(inst.demand[i])} > capacity {inst.capacity}"
    return reasons


def scale_instance(inst: VRPTWInstance, unservable: Sequence[int] = ()) -> ScaledInstance:
    """Scale ``inst`` to integers, leaving out the ``unservable`` clients."""
    drop = set(unservable)
    clients = np.asarray([i for i in inst.clients if i not in drop], dtype=np.int64)
    loc = np.concatenate([[0], clients])
    sub = np.ix_(loc, loc)
    dist = inst.distance[sub]
    dur = inst.duration[sub]
    for name, arr, scale in (("distance", dist, DISTANCE_SCALE), ("duration", dur, TIME_SCALE)):
        top = float(arr.max(initial=0.0)) * scale
        if top * max(2 * len(loc), 1) >= _MAX_SCALED:
            raise InputError(
                f"{name}: values up to {float(arr.max())!r} × scale {scale} would overflow the "
                "solver's integers; use coarser units"
            )
        pos = arr[arr > 0]
        if len(pos) and float(pos.mean()) * scale < _MIN_MEAN_SCALED:
            warnings.warn(
                f"{name}: mean positive value {pos.mean():.4g} × scale {scale} is small; "
                "rounding to integers for the solver may change the optimum by 1 % or more. "
                "Use finer units (e.g. metres, minutes).",
                PrecisionWarning,
                stacklevel=3,
            )
    end_of_day = _time_limit(inst)
    horizon = int(_down(end_of_day, TIME_SCALE))
    if inst.n_vehicles is None:
        n_vehicles = max(len(clients), 1)
        starts, ends = inst.vehicle_shifts(1)
        starts, ends = np.repeat(starts, n_vehicles), np.repeat(ends, n_vehicles)
    else:
        n_vehicles = inst.n_vehicles
        starts, ends = inst.vehicle_shifts()
    ends = np.minimum(ends, end_of_day)
    dist_int = np.rint(dist * DISTANCE_SCALE).astype(np.int64)
    max_edge = int(dist_int.max(initial=0))
    return ScaledInstance(
        instance=inst,
        clients=clients,
        distance=dist_int,
        duration=_up(dur, TIME_SCALE),
        service=_up(inst.service[loc], TIME_SCALE),
        earliest=_up(inst.earliest[loc], TIME_SCALE),
        latest=np.minimum(_down(np.minimum(inst.latest[loc], end_of_day), TIME_SCALE), horizon),
        demand=None if inst.demand is None else inst.demand[loc].astype(np.int64),
        capacity=inst.capacity,
        shift_start=_up(starts, TIME_SCALE),
        shift_end=_down(ends, TIME_SCALE),
        shift_duration=None
        if inst.shift_duration is None
        else int(_down(inst.shift_duration, TIME_SCALE)),
        horizon=horizon,
        n_vehicles=n_vehicles,
        fleet_limited=inst.n_vehicles is not None,
        # serving one more visit always beats any saving in distance: any solution's total
        # is at most (2 * clients) edges of the longest length
        drop_penalty=(2 * len(loc)) * max(max_edge, 1) + 1,
    )


# ------------------------------------------------------------------------------------------------
# Backends
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawRoute:
    """One route as a backend found it: the vehicle and the original client indices."""

    vehicle: int
    clients: list[int]


@dataclass(frozen=True)
class RawSolution:
    """What a backend returns; :func:`solve_vrptw` turns it into a :class:`VRPTWResult`."""

    routes: list[RawRoute]
    objective: float
    runtime_s: float
    status: str = ""
    notes: tuple[str, ...] = ()


class RoutingBackend(Protocol):
    """A VRPTW solver behind :func:`solve_vrptw`.

    ``solve`` gets the integer data of the servable clients and returns routes in original
    client indices; clients in no route are reported as dropped by :func:`solve_vrptw`.
    """

    name: str

    def solve(
        self,
        data: ScaledInstance,
        *,
        time_limit_s: float | None,
        seed: int,
        max_iterations: int | None,
        **options: Any,
    ) -> RawSolution: ...


_BACKENDS: dict[str, RoutingBackend] = {}


def register_backend(backend: RoutingBackend, *, replace: bool = False) -> None:
    """Make ``backend`` available to :func:`solve_vrptw` under ``backend.name``."""
    name = backend.name
    if name in _BACKENDS and not replace:
        raise InputError(f"backend: {name!r} is already registered (pass replace=True)")
    _BACKENDS[name] = backend


def _builtin() -> None:
    if not _BACKENDS:
        from hemopt.routing import backends  # noqa: F401  (registers pyvrp and ortools)


def get_backend(name: str) -> RoutingBackend:
    """The registered backend called ``name``."""
    _builtin()
    try:
        return _BACKENDS[name]
    except KeyError:
        raise InputError(f"backend = {name!r}; available: {', '.join(sorted(_BACKENDS))}") from None


def available_backends() -> list[str]:
    """Names of the registered backends."""
    _builtin()
    return sorted(_BACKENDS)


# ------------------------------------------------------------------------------------------------
# The result
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class VRPTWResult:
    """Routes of a VRPTW, with distances and schedule recomputed at full precision.

    Times are minutes in the instance's clock; distances in the instance's unit (metres with
    :mod:`hemopt.travel`). Per-route lists are aligned with :attr:`routes`, per-visit lists
    with the visits of each route.

    Attributes
    ----------
    distance
        Total distance of all routes (the objective).
    duration
        Total duration of all routes (office to office, waiting included), minutes. Each
        route leaves the office as late as its windows allow, so waiting is minimal.
    routes
        Client indices of each route, in visiting order (the office is not listed).
    route_distance, route_duration
        Per route.
    route_start, route_end
        Departure from and return to the office, per route.
    arrival, start
        Arrival time and service start time of each visit, per route.
    vehicles
        The vehicle (shift) index of each route.
    travel_duration, service_duration, wait_duration
        Totals over all routes, minutes; they add up to ``duration``.
    dropped
        Clients not served, sorted. Never silent: each has a reason in
        :attr:`dropped_reason`.
    dropped_reason
        Why each dropped client was not served.
    drop_penalty
        Penalty per dropped visit in the solver's objective (distance units): larger than
        any possible saving, so that the solver drops a visit only when it cannot place it.
    late
        Clients whose service starts after their ``latest`` in the full-precision schedule
        (empty for a feasible result).
    repaired
        Clients the backend left out although the fleet is unlimited, served afterwards on
        extra routes built by the greedy heuristic (see ``repair`` in :func:`solve_vrptw`).
        Non-empty means the backend fell short (e.g. OR-Tools without a first solution
        within the time limit); their routes are in :attr:`routes` like the others.
    feasible
        All time windows, shift limits and capacities respected (dropped visits aside).
    backend, runtime_s, objective, status, seed
        Solver name, wall time, the solver's own objective (scaled back, rounding
        included), its status text and the seed used.
    notes
        Warnings and remarks from the backend.
    """

    distance: float
    duration: float
    routes: list[list[int]]
    route_distance: list[float]
    route_duration: list[float]
    route_start: list[float]
    route_end: list[float]
    arrival: list[list[float]]
    start: list[list[float]]
    vehicles: list[int]
    travel_duration: float
    service_duration: float
    wait_duration: float
    n_clients: int
    dropped: list[int]
    dropped_reason: dict[int, str]
    drop_penalty: float
    late: list[int]
    repaired: list[int]
    feasible: bool
    backend: str
    runtime_s: float
    objective: float
    status: str = ""
    seed: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def n_routes(self) -> int:
        """Number of routes (staff shifts used)."""
        return len(self.routes)

    @property
    def n_served(self) -> int:
        """Number of clients served."""
        return self.n_clients - len(self.dropped)

    @property
    def complete(self) -> bool:
        """Every client served (nothing dropped)."""
        return not self.dropped

    def summary(self) -> str:
        """A few lines for humans."""
        state = "feasible" if self.feasible else "INFEASIBLE"
        lines = [
            f"VRPTW result ({self.backend}, {self.runtime_s:.2f} s): {state}",
            f"  clients  {self.n_clients}: served {self.n_served}, dropped {len(self.dropped)}, "
            f"late {len(self.late)}",
            f"  routes   {self.n_routes}",
            f"  distance {self.distance:,.1f}",
            f"  duration {self.duration:,.1f} min (travel {self.travel_duration:,.1f}, "
            f"service {self.service_duration:,.1f}, waiting {self.wait_duration:,.1f})",
        ]
        if self.repaired:
            lines.append(f"  repaired {len(self.repaired)} visits left out by the solver")
        if self.dropped:
            shown = ", ".join(str(i) for i in self.dropped[:10])
            more = f", ... ({len(self.dropped)} in all)" if len(self.dropped) > 10 else ""
            lines.append(f"  dropped  {shown}{more}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _route_schedule(
    inst: VRPTWInstance, route: Sequence[int], depart: float
) -> tuple[list[float], list[float], float, float, float]:
    """Full-precision schedule of one route, leaving as late as the windows allow.

    A forward pass from the earliest departure, then the departure is delayed by the
    forward time slack (Savelsbergh 1992), capped by the total waiting, so that the route's
    duration is minimal and no visit starts later than its window allows.

    Returns arrival and start times of the visits, departure, return and waiting time.
    """
    nodes = np.asarray([0, *route, 0], dtype=np.int64)
    travel = inst.duration[nodes[:-1], nodes[1:]].tolist()

    def forward(t0: float) -> tuple[list[float], list[float], float, list[float]]:
        t, arr, beg, waits = t0, [], [], []
        for k, c in enumerate(route):
            a = t + travel[k]
            b = max(a, float(inst.earliest[c]))
            arr.append(a)
            beg.append(b)
            waits.append(b - a)
            t = b + float(inst.service[c])
        return arr, beg, t + float(travel[-1]), waits

    arr, beg, end, waits = forward(depart)
    cum = np.cumsum(waits) if waits else np.zeros(0)
    total_wait = float(cum[-1]) if len(cum) else 0.0
    slack = [total_wait]
    if len(cum):
        slack.append(float(np.min(cum + inst.latest[list(route)] - np.asarray(beg))))
    delay = max(0.0, min(slack))
    if delay > 0:
        arr, beg, end, waits = forward(depart + delay)
    return arr, beg, depart + delay, end, float(sum(waits))


def _result(
    inst: VRPTWInstance,
    raw: RawSolution,
    unservable: dict[int, str],
    *,
    repaired: list[int],
    backend: str,
    seed: int,
    drop_penalty: float,
    runtime_s: float,
) -> VRPTWResult:
    seen: dict[int, int] = {}
    for r, route in enumerate(raw.routes):
        for c in route.clients:
            if not 1 <= c <= inst.n_clients:
                raise SolverError(f"backend {backend!r} returned unknown client {c}")
            if c in seen or c in unservable:
                raise SolverError(f"backend {backend!r} served client {c} twice (route {r})")
            seen[c] = r
    dropped_reason = dict(unservable)
    for c in inst.clients:
        if c not in seen and c not in dropped_reason:
            fleet = "" if inst.n_vehicles is None else f" with {inst.n_vehicles} vehicles"
            dropped_reason[c] = (
                f"not placed by the {backend} solver{fleet} within the limits ({raw.status})"
            )
    n_fleet = inst.n_vehicles if inst.n_vehicles is not None else max(len(raw.routes), 1)
    if inst.n_vehicles is None:
        starts, ends = inst.vehicle_shifts(1)
        starts, ends = np.repeat(starts, n_fleet), np.repeat(ends, n_fleet)
    else:
        starts, ends = inst.vehicle_shifts()

    routes, vehicles, r_dist, r_dur, r_start, r_end, arrival, start = [], [], [], [], [], [], [], []
    late: list[int] = []
    travel = service = wait = 0.0
    feasible = True
    for k, route in enumerate(r for r in raw.routes if r.clients):
        v = route.vehicle if inst.n_vehicles is not None else k
        nodes = np.asarray([0, *route.clients, 0])
        dist = float(inst.distance[nodes[:-1], nodes[1:]].sum())
        trav = float(inst.duration[nodes[:-1], nodes[1:]].sum())
        arr, beg, dep, ret, w = _route_schedule(inst, route.clients, float(starts[v]))
        for c, b in zip(route.clients, beg, strict=True):
            if b > inst.latest[c] + TIME_TOLERANCE:
                late.append(c)
        if ret > ends[v] + TIME_TOLERANCE:
            feasible = False
        if inst.shift_duration is not None and ret - dep > inst.shift_duration + TIME_TOLERANCE:
            feasible = False
        if inst.capacity is not None and inst.demand is not None:
            if int(inst.demand[list(route.clients)].sum()) > inst.capacity:
                feasible = False
        routes.append(list(route.clients))
        vehicles.append(int(v))
        r_dist.append(dist)
        r_dur.append(ret - dep)
        r_start.append(dep)
        r_end.append(ret)
        arrival.append(arr)
        start.append(beg)
        travel += trav
        service += float(inst.service[list(route.clients)].sum())
        wait += w
    if inst.n_vehicles is not None and len(set(vehicles)) != len(vehicles):
        raise SolverError(f"backend {backend!r} used a vehicle twice: {vehicles}")
    return VRPTWResult(
        distance=float(sum(r_dist)),
        duration=float(sum(r_dur)),
        routes=routes,
        route_distance=r_dist,
        route_duration=r_dur,
        route_start=r_start,
        route_end=r_end,
        arrival=arrival,
        start=start,
        vehicles=vehicles,
        travel_duration=travel,
        service_duration=service,
        wait_duration=wait,
        n_clients=inst.n_clients,
        dropped=sorted(dropped_reason),
        dropped_reason=dict(sorted(dropped_reason.items())),
        drop_penalty=drop_penalty,
        late=sorted(late),
        repaired=repaired,
        feasible=feasible and not late,
        backend=backend,
        runtime_s=runtime_s,
        objective=raw.objective,
        status=raw.status,
        seed=seed,
        notes=raw.notes,
    )


# ------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------


def _repair(
    inst: VRPTWInstance, raw: RawSolution, unservable: dict[int, str]
) -> tuple[RawSolution, list[int]]:
    """Serve the visits a backend left out on extra greedy routes (unlimited fleet only)."""
    placed = {c for route in raw.routes for c in route.clients}
    missing = [c for c in inst.clients if c not in placed and c not in unservable]
    if not missing:
        return raw, []
    from hemopt.routing.backends import greedy_routes

    others = [c for c in inst.clients if c not in set(missing)]
    sub = scale_instance(inst, others)
    extra = greedy_routes(sub)
    first = len(raw.routes)
    routes = list(raw.routes) + [
        RawRoute(vehicle=first + k, clients=[int(sub.clients[c - 1]) for c in route])
        for k, (_, route) in enumerate(extra)
    ]
    repaired = sorted(c for _, route in extra for c in sub.clients[np.asarray(route) - 1].tolist())
    note = (
        f"{len(repaired)} visit(s) left out by the solver ({raw.status}) were served on "
        f"{len(extra)} extra greedy route(s); see VRPTWResult.repaired"
    )
    return (
        RawSolution(
            routes=routes,
            objective=raw.objective,
            runtime_s=raw.runtime_s,
            status=raw.status,
            notes=(*raw.notes, note),
        ),
        repaired,
    )


def solve_vrptw(
    instance: VRPTWInstance,
    time_limit_s: float | None = 10.0,
    backend: str = "pyvrp",
    seed: int = 0,
    *,
    max_iterations: int | None = None,
    options: dict[str, Any] | None = None,
    repair: bool = True,
) -> VRPTWResult:
    """Minimise the total distance of routes serving every visit in its window.

    Parameters
    ----------
    instance
        The problem.
    time_limit_s
        Wall-clock limit of the search, seconds. ``None`` for no limit (then
        ``max_iterations`` is required).
    backend
        ``"pyvrp"`` (default; PyVRP's iterated local search), ``"ortools"`` (OR-Tools
        routing, PATH_CHEAPEST_ARC then guided local search), ``"greedy"`` (a time-oriented
        nearest-neighbour construction without search: an instant baseline), or any name
        given to :func:`register_backend`.
    seed
        Random seed (PyVRP). OR-Tools' search is deterministic and ignores it.
    max_iterations
        Stop after this many iterations (PyVRP: iterated local search iterations; OR-Tools:
        solutions found), whichever of the two limits comes first. A run limited by
        iterations only (``time_limit_s=None``) gives the same result on every machine.
    repair
        With an unlimited fleet every servable visit can be served, so none may be dropped:
        visits the backend leaves out are put on extra routes by the greedy heuristic and
        listed in :attr:`VRPTWResult.repaired` (default). ``False`` reports them as dropped.
    options
        Backend-specific options, e.g. ``{"warm_start": True}`` for ``"ortools"``. Unknown
        options are an error.

    Returns
    -------
    VRPTWResult

    Raises
    ------
    InputError
        Bad arguments.
    SolverError
        The backend found no solution at all (e.g. OR-Tools' first solution within the
        time limit).

    Notes
    -----
    Clients that no route could serve on its own (window unreachable, longer than a shift,
    demand above capacity) are dropped before solving, with the reason. With
    ``n_vehicles=None`` every other client is required (PyVRP) or carries a penalty larger
    than any distance saving (OR-Tools, whose fleet must be finite: the routes of a greedy
    feasible solution plus 25 %).
    With a limited fleet, visits carry that penalty in both backends and those not placed
    are reported in :attr:`VRPTWResult.dropped`.

    Examples
    --------
    Four points on a square, the office at a corner; one shift visits all three clients:

    >>> import numpy as np
    >>> import hemopt
    >>> from hemopt.routing import VRPTWInstance
    >>> xy = np.array([[0, 0], [0, 10], [10, 10], [10, 0]], dtype=float)
    >>> inst = VRPTWInstance(coords=xy, service=[0, 5, 5, 5], earliest=[0, 0, 0, 0],
    ...                      latest=[100, 100, 100, 100])
    >>> res = hemopt.solve_vrptw(inst, time_limit_s=None, max_iterations=200, seed=0)
    >>> res.distance, res.routes, list(res.dropped)
    (40.0, [[1, 2, 3]], [])

    A window too early to reach from the office: the client is dropped, with the reason.

    >>> late = VRPTWInstance(coords=xy, service=[0, 5, 5, 5], earliest=[0, 0, 0, 0],
    ...                      latest=[100, 5, 100, 100])
    >>> res = hemopt.solve_vrptw(late, time_limit_s=None, max_iterations=200)
    >>> list(res.dropped), res.routes
    ([1], [[2, 3]])
    """
    if not isinstance(instance, VRPTWInstance):
        raise InputError(f"instance: expected a VRPTWInstance, got {type(instance).__name__}")
    if time_limit_s is not None and not (time_limit_s > 0 and math.isfinite(time_limit_s)):
        raise InputError(f"time_limit_s = {time_limit_s!r}; must be > 0 or None")
    if max_iterations is not None and (
        isinstance(max_iterations, bool)
        or int(max_iterations) != max_iterations
        or max_iterations < 1
    ):
        raise InputError(f"max_iterations = {max_iterations!r}; must be an integer >= 1")
    if time_limit_s is None and max_iterations is None:
        raise InputError("time_limit_s: None needs max_iterations, or the search never stops")
    solver = get_backend(backend)
    t0 = time.perf_counter()
    unservable = _servability(instance)
    data = scale_instance(instance, sorted(unservable))
    if data.n_clients == 0:
        raw = RawSolution(routes=[], objective=0.0, runtime_s=0.0, status="no clients to route")
    else:
        raw = solver.solve(
            data,
            time_limit_s=time_limit_s,
            seed=int(seed),
            max_iterations=max_iterations,
            **(options or {}),
        )
    repaired: list[int] = []
    if repair and instance.n_vehicles is None:
        raw, repaired = _repair(instance, raw, unservable)
    return _result(
        instance,
        raw,
        unservable,
        repaired=repaired,
        backend=backend,
        seed=int(seed),
        drop_penalty=data.drop_penalty / DISTANCE_SCALE,
        runtime_s=time.perf_counter() - t0,
    )
