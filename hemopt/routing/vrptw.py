"""Solve the vehicle routing problem with time windows (VRPTW) of one provider's day.

The data is a :class:`~hemopt.routing.instance.VRPTWInstance` (location 0 the office, ``1..n``
the visits). :func:`solve_vrptw` scales it to integers for a solver backend
(:mod:`hemopt.routing.backends`) and returns a :class:`VRPTWResult` whose distances and schedule
are recomputed from the original float matrices along the routes found.

The objective is the total distance, or, given a
:class:`~hemopt.routing.instance.RoutingObjective`, the cost of the routes (staff time at its
wage, km at their cost, a cost per shift), with as many vehicles (staff shifts) as needed
unless ``n_vehicles`` limits them. A visit is never silently dropped: visits that no route
could ever serve (a window that cannot be reached from the office, a visit longer than a
shift, a demand above the capacity) are reported with the reason before solving; visits the
solver could not place within a limited fleet are reported as well.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hemopt.errors import InputError, SolverError
from hemopt.routing.backends import (
    RoutingBackend,
    available_backends,
    get_backend,
    greedy_routes,
    register_backend,
)
from hemopt.routing.instance import (
    DISTANCE_SCALE,
    NO_CAPACITY,
    TIME_SCALE,
    TIME_TOLERANCE,
    PrecisionWarning,
    RawRoute,
    RawSolution,
    RoutingObjective,
    ScaledInstance,
    VRPTWInstance,
    scale_instance,
    unservable,
)

__all__ = [
    "DISTANCE_SCALE",
    "TIME_SCALE",
    "PrecisionWarning",
    "RawRoute",
    "RawSolution",
    "RoutingBackend",
    "RoutingObjective",
    "ScaledInstance",
    "VRPTWInstance",
    "VRPTWResult",
    "available_backends",
    "get_backend",
    "register_backend",
    "result_from_routes",
    "route_schedule",
    "route_violation",
    "solve_vrptw",
]

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
        Total distance of all routes.
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
        Why each dropped client was not served, in words.
    dropped_code
        Why each dropped client was not served, as one of
        :data:`~hemopt.routing.instance.DROP_REASONS` (``"longer_than_shift"``,
        ``"outside_time_window"``, ``"over_capacity"``, ``"no_capacity"``).
    drop_penalty
        Penalty per dropped visit in the solver's objective (distance units, or SEK under a
        :class:`~hemopt.routing.instance.RoutingObjective`): larger than any possible saving,
        so that the solver drops a visit only when it cannot place it.
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
        Solver name, wall time, the solver's own objective (scaled back to distance units or
        SEK, rounding included; recompute it at full precision with
        ``RoutingObjective.cost(result.route_duration, result.route_distance)``), its status
        text and the seed used.
    notes
        Warnings and remarks from the backend.

    Examples
    --------
    >>> import numpy as np
    >>> from hemopt.routing import VRPTWInstance, solve_vrptw
    >>> xy = np.array([[0, 0], [0, 10], [10, 10], [10, 0]], dtype=float)
    >>> res = solve_vrptw(VRPTWInstance(coords=xy, service=[0, 5, 5, 5]), time_limit_s=None,
    ...                   max_iterations=100)
    >>> res.routes, res.distance, len(res.dropped)
    ([[1, 2, 3]], 40.0, 0)
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
    dropped_code: dict[int, str]
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

    def summary(self) -> dict[str, Any]:
        """Headline figures: state, clients served, dropped (by reason) and late, routes,
        distance and the durations.

        Examples
        --------
        >>> import numpy as np
        >>> from hemopt.routing import VRPTWInstance, solve_vrptw
        >>> inst = VRPTWInstance(coords=np.array([[0, 0], [0, 10.0]]), service=[0, 5])
        >>> s = solve_vrptw(inst, time_limit_s=None, max_iterations=50).summary()
        >>> s["served"], s["dropped"], s["distance"], s["duration_min"]
        (1, 0, 20.0, 25.0)
        """
        by_code: dict[str, int] = {}
        for code in self.dropped_code.values():
            by_code[code] = by_code.get(code, 0) + 1
        return {
            "backend": self.backend,
            "feasible": self.feasible,
            "clients": self.n_clients,
            "served": self.n_served,
            "dropped": len(self.dropped),
            "dropped_by_reason": dict(sorted(by_code.items())),
            "late": len(self.late),
            "repaired": len(self.repaired),
            "routes": self.n_routes,
            "distance": self.distance,
            "duration_min": self.duration,
            "travel_min": self.travel_duration,
            "service_min": self.service_duration,
            "wait_min": self.wait_duration,
            "runtime_s": self.runtime_s,
        }

    def report(self) -> str:
        """A few lines for humans (also ``str(result)``)."""
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
            shown = ", ".join(f"{i} ({self.dropped_code[i]})" for i in self.dropped[:10])
            more = f", ... ({len(self.dropped)} in all)" if len(self.dropped) > 10 else ""
            lines.append(f"  dropped  {shown}{more}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def route_schedule(
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


def result_from_routes(
    inst: VRPTWInstance,
    raw: RawSolution,
    left_out: dict[int, tuple[str, str]],
    *,
    repaired: list[int],
    backend: str,
    seed: int,
    drop_penalty: float,
    runtime_s: float,
) -> VRPTWResult:
    """The :class:`VRPTWResult` of the routes ``raw`` on ``inst``: full-precision schedules
    (:func:`route_schedule`), totals, lateness and feasibility, and every client not on a
    route dropped, with its reason from ``left_out`` or ``"no_capacity"``.

    Used by :func:`solve_vrptw` and by post-steps that change a solution's routes (the care
    rules of :mod:`hemopt.day.care`).

    Raises
    ------
    SolverError
        A route serves an unknown client, a client twice, or the same vehicle twice.
    """
    seen: dict[int, int] = {}
    for r, route in enumerate(raw.routes):
        for c in route.clients:
            if not 1 <= c <= inst.n_clients:
                raise SolverError(f"backend {backend!r} returned unknown client {c}")
            if c in seen or c in left_out:
                raise SolverError(f"backend {backend!r} served client {c} twice (route {r})")
            seen[c] = r
    dropped = dict(left_out)
    for c in inst.clients:
        if c not in seen and c not in dropped:
            fleet = "" if inst.n_vehicles is None else f" with {inst.n_vehicles} vehicles"
            dropped[c] = (NO_CAPACITY, (
                f"not placed by the {backend} solver{fleet} within the limits ({raw.status})"
            ))
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
        arr, beg, dep, ret, w = route_schedule(inst, route.clients, float(starts[v]))
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
        dropped=sorted(dropped),
        dropped_reason={c: text for c, (_, text) in sorted(dropped.items())},
        dropped_code={c: code for c, (code, _) in sorted(dropped.items())},
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
    inst: VRPTWInstance, raw: RawSolution, left_out: dict[int, tuple[str, str]]
) -> tuple[RawSolution, list[int]]:
    """Serve the visits a backend left out on extra greedy routes (unlimited fleet only)."""
    placed = {c for route in raw.routes for c in route.clients}
    missing = [c for c in inst.clients if c not in placed and c not in left_out]
    if not missing:
        return raw, []
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


def route_violation(inst: VRPTWInstance, route: Sequence[int], start: float,
                    end: float) -> float:
    """Minutes by which ``route`` (leaving at ``start`` at the earliest) breaks its limits:
    late starts, return after ``end``, excess duration; plus capacity excess. 0 if feasible."""
    if not route:
        return 0.0
    _, beg, dep, ret, _ = route_schedule(inst, route, start)
    late = float(np.maximum(np.asarray(beg) - inst.latest[list(route)], 0.0).sum())
    late += max(0.0, ret - end)
    if inst.shift_duration is not None:
        late += max(0.0, ret - dep - inst.shift_duration)
    if inst.capacity is not None and inst.demand is not None:
        late += max(0, int(inst.demand[list(route)].sum()) - inst.capacity)
    return late if late > TIME_TOLERANCE else 0.0


def _route_length(inst: VRPTWInstance, route: Sequence[int]) -> float:
    nodes = [0, *route, 0]
    return float(inst.distance[nodes[:-1], nodes[1:]].sum())


def _make_feasible(
    inst: VRPTWInstance, raw: RawSolution, backend: str
) -> tuple[RawSolution, dict[int, tuple[str, str]]]:
    """Remove visits from the routes that break a limit until every route holds.

    A backend may return late routes (PyVRP's best solution is infeasible when its search
    found no feasible one within the limits). From each such route the visit whose removal
    leaves the least violation (then the largest saving in distance) is removed, again until
    the route holds. With a limited fleet each removed visit is then put back where it fits
    at the least extra distance (a used route or an idle vehicle), if it fits anywhere; the
    others are returned with their reason. With an unlimited fleet they are returned without
    a reason: :func:`_repair` serves them on extra routes.
    """
    limited = inst.n_vehicles is not None
    if inst.n_vehicles is not None:
        n_fleet = inst.n_vehicles
        starts, ends = inst.vehicle_shifts()
    else:  # every vehicle has the one shift
        n_fleet = max(len(raw.routes), 1)
        starts, ends = (np.repeat(a, n_fleet) for a in inst.vehicle_shifts(1))
    routes = [(r.vehicle if limited else k, list(r.clients)) for k, r in enumerate(raw.routes)]
    removed: list[int] = []
    for v, route in routes:
        start, end = float(starts[v]), float(ends[v])
        while route_violation(inst, route, start, end) > 0:
            left = [route[:j] + route[j + 1:] for j in range(len(route))]
            scores = [(route_violation(inst, r, start, end), _route_length(inst, r))
                      for r in left]
            best = min(range(len(route)), key=scores.__getitem__)
            removed.append(route.pop(best))
    if not removed:
        return raw, {}
    reasons: dict[int, tuple[str, str]] = {}
    if limited:
        used = {v for v, r in routes if r}
        for v in range(n_fleet):
            if v not in used:
                routes.append((v, []))
        for c in sorted(removed):
            best_place: tuple[float, int, int] | None = None
            for k, (v, route) in enumerate(routes):
                base = _route_length(inst, route)
                for j in range(len(route) + 1):
                    trial = [*route[:j], c, *route[j:]]
                    if route_violation(inst, trial, starts[v], ends[v]) == 0:
                        extra = _route_length(inst, trial) - base
                        if best_place is None or extra < best_place[0]:
                            best_place = (extra, k, j)
            if best_place is None:
                reasons[c] = (NO_CAPACITY, (
                    f"not placed by the {backend} solver with {inst.n_vehicles} vehicles within "
                    f"the limits: it returned the visit on a route that breaks a time window or "
                    f"the shift ({raw.status}); removed, and no route has room for it"
                ))
            else:
                _, k, j = best_place
                routes[k][1].insert(j, c)
    note = (
        f"{len(removed)} visit(s) removed from routes that broke their limits "
        f"({raw.status}); {len(removed) - len(reasons)} put back where they fit"
        + (", the others dropped" if reasons else "")
        if limited else
        f"{len(removed)} visit(s) removed from routes that broke their limits ({raw.status})"
    )
    fixed = RawSolution(
        routes=[RawRoute(vehicle=v, clients=r) for v, r in routes if r],
        objective=raw.objective, runtime_s=raw.runtime_s, status=raw.status,
        notes=(*raw.notes, note),
    )
    return fixed, reasons


def solve_vrptw(
    instance: VRPTWInstance,
    time_limit_s: float | None = 10.0,
    backend: str | RoutingBackend = "pyvrp",
    seed: int = 0,
    *,
    max_iterations: int | None = None,
    options: dict[str, Any] | None = None,
    repair: bool = True,
    objective: RoutingObjective | None = None,
) -> VRPTWResult:
    """Minimise the total distance, or cost, of routes serving every visit in its window.

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
        nearest-neighbour construction without search: an instant baseline), any name
        given to :func:`register_backend`, or an object implementing
        :class:`~hemopt.routing.backends.RoutingBackend`.
    seed
        Random seed (PyVRP). OR-Tools' search is deterministic and ignores it.
    max_iterations
        Stop after this many iterations (PyVRP: iterated local search iterations; OR-Tools:
        solutions found), whichever of the two limits comes first. A run limited by
        iterations only (``time_limit_s=None``) gives the same result on every machine.
    repair
        Default True: the result is always a feasible plan. Routes that break a window or
        a shift limit (a backend's best solution may be late when its search found nothing
        feasible in time) lose visits until they hold; the removed visits are put back where
        they fit at the least extra distance, and those that fit nowhere are dropped with the
        reason ``"no_capacity"``. With an unlimited fleet every servable visit can be served,
        so none may be dropped: visits the backend leaves out are put on extra routes by the
        greedy heuristic and listed in :attr:`VRPTWResult.repaired`. ``False`` returns the
        backend's answer as it is: visits left out are dropped, and a late schedule is
        flagged ``feasible=False``.
    options
        Backend-specific options, e.g. ``{"warm_start": True}`` for ``"ortools"``. Unknown
        options are an error.
    objective
        ``None`` (default): minimise the total distance (Solomon's objective). A
        :class:`~hemopt.routing.instance.RoutingObjective`: minimise what the routes cost
        (staff time at its wage, with a minimum paid time per shift, km at their cost and a
        cost per shift); distances must then be metres and times minutes. The caller
        chooses: ``route_day`` passes the cost model compare reports.

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
    are reported in :attr:`VRPTWResult.dropped`. PyVRP then bounds its time-warp penalty at
    one such penalty per unit of lateness (its default bound, 1e5, made late schedules
    cheaper than dropping a visit) and starts from the greedy heuristic's feasible routes;
    the repair above catches whatever lateness remains.

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

    Under a cost objective (300 SEK an hour, 4 SEK a km, 400 SEK a shift, no paid idle
    time) the solver's objective is what the routes cost:

    >>> from hemopt.routing import RoutingObjective
    >>> obj = RoutingObjective(min_paid_min=0)
    >>> res = hemopt.solve_vrptw(inst, time_limit_s=None, max_iterations=200, objective=obj)
    >>> res.routes, round(res.objective, 2), round(obj.cost(res.route_duration,
    ...                                                      res.route_distance), 2)
    ([[1, 2, 3]], 675.16, 675.16)

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
    left_out = unservable(instance)
    data = scale_instance(instance, sorted(left_out), objective)
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
    if repair:
        raw, removed = _make_feasible(instance, raw, solver.name)
        left_out = {**left_out, **removed}
    if repair and instance.n_vehicles is None:
        raw, repaired = _repair(instance, raw, left_out)
    return result_from_routes(
        instance,
        raw,
        left_out,
        repaired=repaired,
        backend=solver.name,
        seed=int(seed),
        drop_penalty=data.drop_penalty / data.cost_scale,
        runtime_s=time.perf_counter() - t0,
    )
