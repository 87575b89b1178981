"""The data of a VRPTW and the integer form the solver backends get.

A :class:`VRPTWInstance` holds the data: location 0 is the depot (the provider's office, where
every staff shift starts and ends), locations ``1..n`` are the clients' visits. Distances and
durations are float matrices kept at full precision. :func:`scale_instance` scales them to
integers for a backend (see :data:`DISTANCE_SCALE`, :data:`TIME_SCALE`) after leaving out the
clients no route could serve; a backend answers with a :class:`RawSolution`.

Why a client is not served is one of :data:`~hemopt.routing.reasons.VRPTW_DROP_REASONS` (the
one list of drop reasons of both solvers is :mod:`hemopt.routing.reasons`).

Examples
--------
>>> import numpy as np
>>> from hemopt.routing.instance import VRPTWInstance, unservable
>>> xy = np.array([[0, 0], [0, 10], [10, 10]], dtype=float)
>>> inst = VRPTWInstance(coords=xy, service=[0, 5, 500], latest=[100, 100, 100],
...                      shift_duration=60)
>>> {i: code for i, (code, _) in unservable(inst).items()}
{2: 'longer_than_shift'}
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial.distance import cdist

from hemopt.errors import InputError, check_fields
from hemopt.routing.reasons import (
    DROP_REASONS,
    LONGER_THAN_SHIFT,
    NO_CAPACITY,
    NO_LICENSED_STAFF,
    NOT_SYNCHRONISED,
    OUTSIDE_TIME_WINDOW,
    OVER_CAPACITY,
)
from hemopt.travel import Travel, as_xy

__all__ = [
    "COST_SCALE",
    "DISTANCE_SCALE",
    "DROP_REASONS",
    "LONGER_THAN_SHIFT",
    "NOT_SYNCHRONISED",
    "NO_CAPACITY",
    "NO_LICENSED_STAFF",
    "OUTSIDE_TIME_WINDOW",
    "OVER_CAPACITY",
    "TIME_SCALE",
    "PrecisionWarning",
    "RawRoute",
    "RawSolution",
    "RoutingObjective",
    "ScaledInstance",
    "VRPTWInstance",
    "scale_instance",
    "unservable",
]

DISTANCE_SCALE = 1000
#: Costs (SEK) are multiplied by this for the solvers under a :class:`RoutingObjective`: a
#: resolution of 0.0001 SEK. At 300 SEK an hour a 1/:data:`TIME_SCALE` minute costs 500 units
#: and at 4 SEK a km a metre 40, so rounding stays below 0.1 %, while a day of 1,000 shifts
#: stays far below the solvers' integer range.
COST_SCALE = 10_000
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


@dataclass(frozen=True)
class RoutingObjective:
    """What a VRPTW's routes cost: staff time at its wage, km at their cost, a cost per shift.

    The cost of one route (staff shift) of ``duration`` minutes (office to office: visits,
    travel and waiting) and ``distance`` metres is ::

        sek_per_shift + sek_per_hour / 60 × max(duration, min_paid_min) + sek_per_km × km

    ``min_paid_min`` is paid idle time: a shorter route is paid as if it lasted that long.
    :func:`~hemopt.routing.solve_vrptw` minimises the sum over routes when given an objective
    (``objective=None``, its default, minimises distance, as Solomon's benchmark does).
    The defaults are the cost model ``hemopt compare`` reports
    (:class:`hemopt.costs.CostParams`, see :meth:`paid_shifts`): 300 SEK an hour, 4 SEK a
    km, 80 paid minutes outside the route per shift (400 SEK) and a shift paid at least
    4 hours (so a route is paid at least 160 minutes).

    Parameters
    ----------
    sek_per_hour
        Cost of one staff hour on a route (SEK), >= 0.
    sek_per_km
        Cost of one km of the route (SEK), >= 0 (0 for staff on foot or by bicycle).
    sek_per_shift
        Cost of using one more staff shift (SEK), >= 0.
    min_paid_min
        Minutes of route a shift is paid at least, >= 0.

    Raises
    ------
    InputError
        A figure that is not a finite number >= 0.

    Examples
    --------
    >>> from hemopt.routing import RoutingObjective
    >>> obj = RoutingObjective()
    >>> obj.route_cost(duration_min=300.0, distance_m=20_000.0)  # 400 + 5 × 300 + 4 × 20
    1980.0
    >>> obj.route_cost(duration_min=60.0, distance_m=0.0)  # paid 160 minutes
    1200.0
    >>> RoutingObjective.paid_shifts(sek_per_hour=300, sek_per_km=4,
    ...                              indirect_min_per_shift=80, min_paid_shift_hours=4) == obj
    True
    """

    sek_per_hour: float = 300.0
    sek_per_km: float = 4.0
    sek_per_shift: float = 400.0
    min_paid_min: float = 160.0

    def __post_init__(self) -> None:
        check_fields(self, dict.fromkeys(
            ("sek_per_hour", "sek_per_km", "sek_per_shift", "min_paid_min"), ">=0"))

    @classmethod
    def paid_shifts(cls, *, sek_per_hour: float, sek_per_km: float,
                    indirect_min_per_shift: float, min_paid_shift_hours: float
                    ) -> RoutingObjective:
        """The objective of a cost model that pays each shift its route plus
        ``indirect_min_per_shift`` minutes, and at least ``min_paid_shift_hours`` hours (the
        model of :class:`hemopt.costs.CostParams`)."""
        return cls(sek_per_hour=float(sek_per_hour), sek_per_km=float(sek_per_km),
                   sek_per_shift=float(sek_per_hour) * float(indirect_min_per_shift) / 60.0,
                   min_paid_min=max(0.0, 60.0 * float(min_paid_shift_hours)
                                    - float(indirect_min_per_shift)))

    def without_km(self) -> RoutingObjective:
        """The same objective with km free (staff on foot or by bicycle)."""
        return RoutingObjective(sek_per_hour=self.sek_per_hour, sek_per_km=0.0,
                                sek_per_shift=self.sek_per_shift,
                                min_paid_min=self.min_paid_min)

    def route_cost(self, duration_min: float, distance_m: float) -> float:
        """SEK of one route of ``duration_min`` minutes and ``distance_m`` metres."""
        return (self.sek_per_shift
                + self.sek_per_hour / 60.0 * max(float(duration_min), self.min_paid_min)
                + self.sek_per_km * float(distance_m) / 1000.0)

    def cost(self, route_duration: Sequence[float], route_distance: Sequence[float]) -> float:
        """SEK of routes given their durations (minutes) and distances (metres), e.g. a
        :class:`~hemopt.routing.VRPTWResult`'s ``route_duration`` and ``route_distance``."""
        return float(sum(self.route_cost(t, d)
                         for t, d in zip(route_duration, route_distance, strict=True)))


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

    Examples
    --------
    A depot and three clients on a 10 x 10 square, straight-line distances:

    >>> import numpy as np
    >>> from hemopt.routing import VRPTWInstance
    >>> inst = VRPTWInstance(coords=np.array([[0, 0], [0, 10], [10, 10], [10, 0]], dtype=float),
    ...                      service=[0, 5, 5, 5])
    >>> inst.n_clients, float(inst.distance[0, 2])
    (3, 14.142135623730951)
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
        shifts: dict[str, float | NDArray[np.float64] | None] = {}
        for name in ("shift_start", "shift_end"):
            value = getattr(self, name)
            if value is None or np.ndim(value) == 0:
                if value is not None and math.isnan(float(value)):
                    raise InputError(f"{name} = nan")
                shifts[name] = None if value is None else float(value)
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
    #: What the solver minimises, per arc, in :attr:`cost_scale` units per objective unit:
    #: the distance itself (``objective=None``), or the km cost in 1/:data:`COST_SCALE` SEK.
    arc_cost: NDArray[np.int64] | None = None
    #: The :class:`RoutingObjective`, or None for distance.
    objective: RoutingObjective | None = None
    #: Cost of one time unit (1/:data:`TIME_SCALE` minute) of a route beyond
    #: :attr:`free_time`, in cost units (0 for distance).
    unit_time_cost: int = 0
    #: Cost of a used route (the shift's cost and its paid idle minutes), in cost units.
    fixed_cost: int = 0
    #: Route time paid at least (time units): time below it costs nothing more.
    free_time: int = 0
    #: Integer units per unit of the objective (``DISTANCE_SCALE`` or ``COST_SCALE``).
    cost_scale: int = DISTANCE_SCALE

    @property
    def n_clients(self) -> int:
        return len(self.clients)

    @property
    def arcs(self) -> NDArray[np.int64]:
        """:attr:`arc_cost`, or the distance when none was set."""
        return self.distance if self.arc_cost is None else self.arc_cost

    def route_duration(self, route: Sequence[int], vehicle: int) -> int:
        """Shortest duration (time units) of ``route`` (scaled locations) on ``vehicle``:
        a forward pass from the shift's start, then the departure delayed by the forward
        time slack (waiting before the first visit never counts)."""
        if not route:
            return 0
        t = int(self.shift_start[vehicle])
        prev, waits, slack = 0, 0, None
        for c in route:
            a = t + int(self.duration[prev, c])
            b = max(a, int(self.earliest[c]))
            waits += b - a
            room = waits + int(self.latest[c]) - b
            slack = room if slack is None else min(slack, room)
            t = b + int(self.service[c])
            prev = c
        end = t + int(self.duration[prev, 0])
        delay = max(0, min(waits, slack if slack is not None else 0))
        # the first arrival's waiting is absorbed by leaving later, up to the slack
        return end - (int(self.shift_start[vehicle]) + delay)

    def route_cost(self, route: Sequence[int], duration: int) -> int:
        """The objective of one route (scaled locations ``1..n``) of ``duration`` time
        units, in cost units."""
        nodes = [0, *route, 0]
        arcs = int(self.arcs[nodes[:-1], nodes[1:]].sum())
        if self.objective is None:
            return arcs
        return self.fixed_cost + self.unit_time_cost * max(duration - self.free_time, 0) + arcs


def _time_limit(inst: VRPTWInstance) -> float:
    """A finite end of day when the depot's window is open-ended."""
    if math.isfinite(inst.latest[0]):
        return float(inst.latest[0])
    finite = inst.latest[np.isfinite(inst.latest)]
    last = max(float(finite.max()) if len(finite) else 0.0, float(inst.earliest.max()))
    n = inst.n_clients + 1
    return last + float(inst.service.sum()) + n * float(inst.duration.max(initial=0.0)) + 1.0


def unservable(inst: VRPTWInstance) -> dict[int, tuple[str, str]]:
    """Clients that no single route ``depot -> client -> depot`` can serve.

    Returns
    -------
    dict
        ``{client: (code, explanation)}``, the code one of :data:`DROP_REASONS`.
    """
    per_vehicle = isinstance(inst.shift_start, np.ndarray) or isinstance(inst.shift_end,
                                                                         np.ndarray)
    n_types = inst.n_vehicles if per_vehicle else 1
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
    span = s_end - s_start
    too_long = ~ok_shift | (single > span.max())
    reasons: dict[int, tuple[str, str]] = {}
    for k in np.flatnonzero(~(ok_window & ok_end).any(axis=1) | too_long):
        i = int(c[k])
        first = float(np.min(starts)) + inst.duration[0, i]
        if not ok_shift[k]:
            reasons[i] = (LONGER_THAN_SHIFT, (
                f"office -> visit -> office takes {single[k] / TIME_SCALE:.2f} min, more than "
                f"shift_duration = {inst.shift_duration}"
            ))
        elif too_long[k]:
            reasons[i] = (LONGER_THAN_SHIFT, (
                f"office -> visit -> office takes {single[k] / TIME_SCALE:.2f} min, more than "
                f"the longest shift ({span.max() / TIME_SCALE:.2f} min)"
            ))
        elif not ok_window[k].any():
            reasons[i] = (OUTSIDE_TIME_WINDOW, (
                f"earliest arrival {first:.2f} is after latest = {float(inst.latest[i])!r} "
                f"(window [{float(inst.earliest[i])!r}, {float(inst.latest[i])!r}])"
            ))
        else:
            reasons[i] = (OUTSIDE_TIME_WINDOW, (
                f"no shift can serve the window [{float(inst.earliest[i])!r}, "
                f"{float(inst.latest[i])!r}] and return to the office by the end of the "
                f"shift ({float(np.max(ends))!r})"
            ))
    if inst.demand is not None and inst.capacity is not None:
        for j in np.flatnonzero(inst.demand > inst.capacity):
            i = int(j)
            if i not in reasons:
                reasons[i] = (OVER_CAPACITY,
                              f"demand {int(inst.demand[i])} > capacity {inst.capacity}")
    return reasons


def scale_instance(inst: VRPTWInstance, leave_out: Sequence[int] = (),
                   objective: RoutingObjective | None = None) -> ScaledInstance:
    """Scale ``inst`` to integers, leaving out the clients ``leave_out``; with an
    ``objective`` its costs too (distances are then metres, times minutes)."""
    if objective is not None and not isinstance(objective, RoutingObjective):
        raise InputError(f"objective: expected a RoutingObjective or None, got {objective!r}")
    drop = set(leave_out)
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
        # only the distance is the solvers' objective: times are rounded up to 1/TIME_SCALE
        # minute (0.6 s), which keeps every integer schedule feasible and costs nothing in
        # the objective, so short walks between close stops need no warning
        if (name == "distance" and objective is None and len(pos)
                and float(pos.mean()) * scale < _MIN_MEAN_SCALED):
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
    # serving one more visit always beats any saving in distance: any solution's total
    # is at most (2 * clients) edges of the longest length
    drop_penalty = (2 * len(loc)) * max(max_edge, 1) + 1
    costs: dict = {}
    if objective is not None:
        arc = np.rint(dist * (objective.sek_per_km / 1000.0 * COST_SCALE)).astype(np.int64)
        unit_time = objective.sek_per_hour / 60.0 / TIME_SCALE * COST_SCALE
        unit_time_int = round(unit_time)
        if unit_time > 0 and abs(unit_time_int - unit_time) > 0.005 * unit_time:
            warnings.warn(
                f"objective: {objective.sek_per_hour} SEK an hour is "
                f"{unit_time:.4g} units per 1/{TIME_SCALE} minute at COST_SCALE "
                f"{COST_SCALE}; rounding to {unit_time_int} changes the staff cost by more "
                "than 0.5 %", PrecisionWarning, stacklevel=3)
        fixed = round((objective.sek_per_shift
                       + objective.sek_per_hour * objective.min_paid_min / 60.0) * COST_SCALE)
        span = int(max(int(_down(ends, TIME_SCALE).max(initial=0))
                       - int(_up(starts, TIME_SCALE).min(initial=0)), 0))
        if inst.shift_duration is not None:
            span = min(span, int(_down(inst.shift_duration, TIME_SCALE)))
        # every shift used, each as long as it can be, every arc the longest: more than any
        # solution costs, so that serving a visit always pays
        drop_penalty = (n_vehicles * (fixed + unit_time_int * span)
                        + (2 * len(loc)) * max(int(arc.max(initial=0)), 1) + 1)
        if drop_penalty >= _MAX_SCALED:
            raise InputError(
                f"objective: the costs of {n_vehicles} shifts would overflow the solver's "
                "integers; route fewer visits per instance or lower the costs")
        costs = {"arc_cost": arc, "objective": objective, "unit_time_cost": unit_time_int,
                 "fixed_cost": fixed, "free_time": int(_down(objective.min_paid_min,
                                                             TIME_SCALE)),
                 "cost_scale": COST_SCALE}
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
        drop_penalty=drop_penalty,
        **costs,
    )


# ------------------------------------------------------------------------------------------------
# What a backend returns
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawRoute:
    """One route as a backend found it: the vehicle and the original client indices."""

    vehicle: int
    clients: list[int]


@dataclass(frozen=True)
class RawSolution:
    """What a backend returns; :func:`~hemopt.routing.solve_vrptw` turns it into a
    :class:`~hemopt.routing.VRPTWResult`."""

    routes: list[RawRoute]
    objective: float
    runtime_s: float
    status: str = ""
    notes: tuple[str, ...] = ()

