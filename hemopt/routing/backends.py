"""Swappable VRPTW solvers behind a small Protocol, and their registry.

A backend gets a :class:`~hemopt.routing.instance.ScaledInstance` (the integer data of the
servable clients) and returns a :class:`~hemopt.routing.instance.RawSolution` with routes in the
original client indices; :func:`~hemopt.routing.solve_vrptw` turns that into a
:class:`~hemopt.routing.VRPTWResult` in one place, so every backend is read the same way.

Backends in :data:`BACKENDS` (the registry; :func:`register_backend` adds one):

``"pyvrp"``
    PyVRP's iterated local search (the default).
``"ortools"``
    OR-Tools routing: PATH_CHEAPEST_ARC, then guided local search.
``"greedy"``
    A time-oriented nearest-neighbour construction: instant, no search.
``"homecare"``
    The home-care solver (:mod:`hemopt.routing.homecare`, a ruin-and-recreate search) on the
    plain VRPTW: the second kind of solver behind the same interface (:class:`HomeCareBackend`).

Every backend minimises the objective of the scaled instance: the distance, or, given a
:class:`~hemopt.routing.instance.RoutingObjective`, staff time at its wage (with a shift paid
at least ``min_paid_min``), km at their cost and a cost per shift. PyVRP and OR-Tools
optimise it exactly as defined; the greedy construction does not optimise it (it builds
routes by time) but reports its cost.

This module depends only on the instance's data (:mod:`hemopt.routing.instance`) and the
home-care solver; :mod:`hemopt.routing.vrptw` imports it, never the other way round (the
pattern of :mod:`hemopt.flow.backends`).

Examples
--------
>>> from hemopt.routing.backends import available_backends, get_backend
>>> available_backends()
['greedy', 'homecare', 'ortools', 'pyvrp']
>>> get_backend("greedy").name
'greedy'
"""

from __future__ import annotations

import math
import time
import warnings
from collections import Counter
from typing import Any, Protocol, TypedDict, runtime_checkable

import numpy as np

from hemopt.errors import InputError, SolverError
from hemopt.routing.homecare_problem import HomeCareProblem
from hemopt.routing.homecare_search import solve_homecare
from hemopt.routing.instance import (
    RawRoute,
    RawSolution,
    ScaledInstance,
)

__all__ = [
    "BACKENDS",
    "GreedyBackend",
    "HomeCareBackend",
    "ORToolsBackend",
    "PyVRPBackend",
    "RoutingBackend",
    "available_backends",
    "get_backend",
    "greedy_routes",
    "register_backend",
]


@runtime_checkable
class RoutingBackend(Protocol):
    """A VRPTW solver behind :func:`~hemopt.routing.solve_vrptw`.

    ``solve`` gets the integer data of the servable clients and returns routes in original
    client indices; clients in no route are reported as dropped by ``solve_vrptw``.

    Attributes
    ----------
    name
        The name it is registered under and reported as ``VRPTWResult.backend``.
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
    ) -> RawSolution:
        """Routes for ``data`` within the limits (``options`` are backend-specific)."""
        ...


def _no_options(backend: str, options: dict[str, Any], allowed: tuple[str, ...] = ()) -> None:
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        known = ", ".join(allowed) if allowed else "none"
        raise InputError(f"options: {backend} does not know {unknown} (known: {known})")


def greedy_routes(data: ScaledInstance) -> list[tuple[int, list[int]]]:
    """Feasible routes built one at a time, always taking the visit that can start first.

    A sequential time-oriented nearest-neighbour heuristic (Solomon 1987), vectorised over
    the open visits: one numpy pass per visit placed. Each route leaves the office as late as
    its first visit allows; a visit joins the route if its window, the capacity, the shift's
    end and the shift duration all allow it, ties broken by travel time.

    Returns
    -------
    list of (vehicle, route)
        ``route`` in the scaled instance's location indices (``1..n``). Visits no vehicle
        could take are in no route.
    """
    m = data.n_clients
    travel = data.duration
    back = travel[:, 0]
    svc, early, late = data.service, data.earliest, data.latest
    max_span = data.shift_duration if data.shift_duration is not None else np.iinfo(np.int64).max
    demand = data.demand if data.demand is not None and data.capacity is not None else None
    free = np.ones(m + 1, dtype=bool)
    free[0] = False
    routes: list[tuple[int, list[int]]] = []
    for v in range(data.n_vehicles):
        if not free.any():
            break
        shift_start, shift_end = int(data.shift_start[v]), int(data.shift_end[v])
        cur, ready, depart, load = 0, shift_start, -1, 0
        route: list[int] = []
        while True:
            cand = np.flatnonzero(free)
            if not len(cand):
                break
            if depart < 0:  # first visit: leave the office just in time
                dep = np.maximum(shift_start, early[cand] - travel[0, cand])
                start = dep + travel[0, cand]
            else:
                dep = np.full(len(cand), depart)
                start = np.maximum(ready + travel[cur, cand], early[cand])
            finish = start + svc[cand] + back[cand]
            ok = (start <= late[cand]) & (finish <= shift_end) & (finish - dep <= max_span)
            if demand is not None and data.capacity is not None:  # given together
                ok &= load + demand[cand] <= data.capacity
            if not ok.any():
                break
            first = ok & (start == start[ok].min())
            k = int(np.argmin(np.where(first, travel[cur, cand], np.iinfo(np.int64).max)))
            c = int(cand[k])
            if depart < 0:
                depart = int(dep[k])
            route.append(c)
            free[c] = False
            ready = int(start[k]) + int(svc[c])
            cur = c
            if demand is not None:
                load += int(demand[c])
        if route:
            routes.append((v, route))
    return routes


class GreedyBackend:
    """:func:`greedy_routes` as a backend: instant, deterministic, a baseline (no search).

    With an unlimited fleet it always serves every servable visit. It optimises nothing:
    routes are built by time (the visit that can start first joins the route); the reported
    objective is their distance, or their cost under the instance's objective.
    """

    name = "greedy"

    def solve(
        self,
        data: ScaledInstance,
        *,
        time_limit_s: float | None,
        seed: int,
        max_iterations: int | None,
        **options: Any,
    ) -> RawSolution:
        _no_options(self.name, options)
        t0 = time.perf_counter()
        found = greedy_routes(data)
        routes = [
            RawRoute(vehicle=v, clients=[int(data.clients[c - 1]) for c in r]) for v, r in found
        ]
        cost = sum(data.route_cost(r, data.route_duration(r, v)) for v, r in found)
        served = sum(len(r) for _, r in found)
        dropped = data.n_clients - served
        return RawSolution(
            routes=routes,
            objective=(cost + dropped * data.drop_penalty) / data.cost_scale,
            runtime_s=time.perf_counter() - t0,
            status=f"greedy: {len(found)} routes",
        )


class PyVRPBackend:
    """PyVRP's iterated local search (``pyvrp.solve`` on a ``ProblemData``).

    The objective: PyVRP's distance is the instance's arc cost (the distance, or the km cost
    under a :class:`~hemopt.routing.instance.RoutingObjective`); a route's staff time is its
    duration (waiting included, the start as late as the windows allow), costed with
    ``fixed_cost`` (the shift and its paid idle minutes), a soft ``shift_duration`` at the
    minimum paid time and ``unit_overtime_cost`` at the wage beyond it, up to the hard
    shift limit (``max_overtime``), so that PyVRP's cost is exactly the objective's.

    The problem data is built directly from the integer matrices (one numpy array each)
    rather than edge by edge through ``pyvrp.Model``, which would take ``(n+1)**2`` Python
    calls. Vehicles with the same shift form one vehicle type.

    With an unlimited fleet every client is required; with ``n_vehicles`` given, clients are
    optional with a prize of :attr:`ScaledInstance.drop_penalty` so that PyVRP drops a visit
    only when it cannot place it. PyVRP's warnings (e.g. ``PenaltyBoundWarning`` when it
    struggles to find a feasible solution) are recorded in the result's ``notes``.
    """

    name = "pyvrp"

    def solve(
        self,
        data: ScaledInstance,
        *,
        time_limit_s: float | None,
        seed: int,
        max_iterations: int | None,
        **options: Any,
    ) -> RawSolution:
        _no_options(self.name, options)
        import pyvrp
        from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

        inst = data.instance
        loc = np.concatenate([[0], data.clients])
        xy = inst.coords[loc] if inst.coords is not None else np.zeros((len(loc), 2))
        locations = [pyvrp.Location(x=float(x), y=float(y)) for x, y in xy]
        with_load = data.demand is not None and data.capacity is not None
        required = not data.fleet_limited
        clients = [
            pyvrp.Client(
                location=k,
                delivery=[int(data.demand[k])] if with_load else [],  # type: ignore[index]
                service_duration=int(data.service[k]),
                tw_early=int(data.earliest[k]),
                tw_late=int(data.latest[k]),
                prize=0 if required else data.drop_penalty,
                required=required,
                name=str(int(data.clients[k - 1])),
            )
            for k in range(1, len(loc))
        ]
        depot = pyvrp.Depot(
            location=0, tw_early=int(data.earliest[0]), tw_late=int(data.horizon), name="office"
        )
        shifts = list(zip(data.shift_start.tolist(), data.shift_end.tolist(), strict=True))
        groups = Counter(shifts)
        type_shifts = list(groups)
        vehicle_ids: dict[tuple[int, int], list[int]] = {s: [] for s in type_shifts}
        for v, s in enumerate(shifts):
            vehicle_ids[s].append(v)
        vehicle_types = [
            pyvrp.VehicleType(
                num_available=groups[(early, late)],
                capacity=[int(data.capacity)] if with_load else [],  # type: ignore[arg-type]
                tw_early=int(early),
                tw_late=int(late),
                name=f"shift {early}-{late}",
                **_duration_costs(data, int(late) - int(early)),
            )
            for early, late in type_shifts
        ]
        problem = pyvrp.ProblemData(  # PyVRP's stub spells its matrices np.ndarray[int]
            locations, clients, [depot], vehicle_types,
            [data.arcs], [data.duration],  # type: ignore[list-item]
        )
        criteria: list[StoppingCriterion] = []
        if time_limit_s is not None:
            criteria.append(MaxRuntime(time_limit_s))
        if max_iterations is not None:
            criteria.append(MaxIterations(max_iterations))
        stop = criteria[0] if len(criteria) == 1 else MultipleCriteria(criteria)
        params = pyvrp.SolveParams()
        initial = None
        if data.fleet_limited:
            # the prize of a visit is far above PyVRP's default bound on the time-warp
            # penalty (1e5 per unit): serving every visit late would then look cheaper than
            # dropping one. A bound of one prize per unit of time warp makes lateness never pay,
            # and a feasible greedy start makes the best solution feasible from the first
            # iteration (PyVRP keeps the best *feasible* solution once it has one).
            params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(
                max_penalty=float(max(100_000, data.drop_penalty))))
            initial = _greedy_solution(pyvrp, problem, data, type_shifts)

        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = pyvrp.solve(problem, stop=stop, seed=seed, collect_stats=False,
                                 display=False, params=params, initial_solution=initial)
        runtime = time.perf_counter() - t0
        notes = tuple(dict.fromkeys(f"pyvrp: {w.message}" for w in caught))

        best = result.best
        used: dict[tuple[int, int], int] = dict.fromkeys(type_shifts, 0)
        routes = []
        for route in best.routes():
            shift = type_shifts[route.vehicle_type()]
            vehicle = vehicle_ids[shift][used[shift]]
            used[shift] += 1
            visits = [int(data.clients[act.idx]) for act in route.schedule() if act.is_client()]
            routes.append(RawRoute(vehicle=vehicle, clients=visits))
        status = (
            f"{'feasible' if best.is_feasible() else 'infeasible'} after "
            f"{result.num_iterations} iterations"
        )
        objective = (best.distance_cost() + best.duration_cost() + best.fixed_vehicle_cost()
                     + best.uncollected_prizes()) / data.cost_scale
        return RawSolution(
            routes=routes, objective=objective, runtime_s=runtime, status=status, notes=notes
        )


class _DurationCosts(TypedDict, total=False):
    """The duration and cost arguments of a PyVRP vehicle type."""

    shift_duration: int
    unit_duration_cost: int
    max_overtime: int
    unit_overtime_cost: int
    fixed_cost: int
    unit_distance_cost: int


def _duration_costs(data: ScaledInstance, span: int) -> _DurationCosts:
    """PyVRP's duration arguments of a vehicle type: the hard shift limit, and under an
    objective the staff cost (a route is paid at least ``data.free_time``)."""
    hard = data.shift_duration if data.shift_duration is not None else max(span, 0)
    out: _DurationCosts
    if data.objective is None or data.unit_time_cost == 0:
        out = {"shift_duration": data.shift_duration if data.shift_duration is not None
               else int(np.iinfo(np.int64).max)}
    elif data.free_time == 0:
        out = {"shift_duration": hard, "unit_duration_cost": data.unit_time_cost}
    else:
        free = min(data.free_time, hard)
        out = {"shift_duration": free, "max_overtime": hard - free,
               "unit_overtime_cost": data.unit_time_cost}
    if data.objective is not None:
        out |= {"fixed_cost": data.fixed_cost, "unit_distance_cost": 1}
    return out


def _greedy_solution(pyvrp: Any, problem: Any, data: ScaledInstance,
                     type_shifts: list[tuple[int, int]]) -> Any:
    """:func:`greedy_routes` as a PyVRP ``Solution`` (feasible by construction; PyVRP
    numbers the clients from 0)."""
    type_of = {s: t for t, s in enumerate(type_shifts)}
    routes = []
    for v, route in greedy_routes(data):
        shift = (int(data.shift_start[v]), int(data.shift_end[v]))
        routes.append(pyvrp.Route(problem, [c - 1 for c in route], type_of[shift]))
    return pyvrp.Solution(problem, routes)


class ORToolsBackend:
    """OR-Tools routing: PATH_CHEAPEST_ARC, then guided local search until the time limit.

    Time is a dimension with the windows as cumul ranges, slack for waiting, each shift's
    start and end as ranges of the vehicle's start and end cumuls, and the shift duration as
    a span upper bound. Matrices are registered with ``RegisterTransitMatrix`` (no Python
    callback per arc). Every client is a disjunction with penalty
    :attr:`ScaledInstance.drop_penalty`; clients left out are reported as dropped.
    ``max_iterations`` becomes the search's ``solution_limit``. Under a
    :class:`~hemopt.routing.instance.RoutingObjective` the arcs cost their km, each used
    vehicle its fixed cost, and the time dimension's span beyond the minimum paid time its
    wage (a soft span upper bound; a span cost when nothing is paid idle).

    OR-Tools needs a finite fleet. With ``n_vehicles=None`` it gets the number of routes of
    :func:`greedy_routes` (a feasible solution serving every servable visit) plus 25 %: enough
    to place every visit, and much faster than one vehicle per visit.

    Options
    -------
    warm_start : bool, default False
        Start the guided local search from :func:`greedy_routes` instead of
        PATH_CHEAPEST_ARC, whose first solution takes longer than 10 s on 1,000 visits.
    """

    name = "ortools"

    def solve(
        self,
        data: ScaledInstance,
        *,
        time_limit_s: float | None,
        seed: int,
        max_iterations: int | None,
        warm_start: bool = False,
        max_vehicles: int | None = None,
        **options: Any,
    ) -> RawSolution:
        _no_options(self.name, options, ("warm_start", "max_vehicles"))
        from ortools.constraint_solver import pywrapcp, routing_enums_pb2

        del seed  # OR-Tools routing search is deterministic
        t0 = time.perf_counter()
        greedy = None
        if data.fleet_limited:
            n_veh = data.n_vehicles
        else:
            greedy = greedy_routes(data)
            if max_vehicles is None:
                max_vehicles = len(greedy) + max(2, math.ceil(0.25 * len(greedy)))
            n_veh = min(data.n_vehicles, max(int(max_vehicles), len(greedy)))
        n_nodes = data.n_clients + 1
        manager = pywrapcp.RoutingIndexManager(n_nodes, n_veh, 0)
        routing = pywrapcp.RoutingModel(manager)

        dist_cb = routing.RegisterTransitMatrix(data.arcs.tolist())
        routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
        if data.objective is not None:
            routing.SetFixedCostOfAllVehicles(int(data.fixed_cost))
        transit = data.duration + data.service[:, None]
        time_cb = routing.RegisterTransitMatrix(transit.tolist())
        horizon = int(data.horizon)
        routing.AddDimension(time_cb, horizon, horizon, False, "time")
        time_dim = routing.GetDimensionOrDie("time")
        for node in range(1, n_nodes):
            index = manager.NodeToIndex(node)
            time_dim.CumulVar(index).SetRange(int(data.earliest[node]), int(data.latest[node]))
            routing.AddDisjunction([index], int(data.drop_penalty))
        for v in range(n_veh):
            early, late = int(data.shift_start[v]), int(data.shift_end[v])
            time_dim.CumulVar(routing.Start(v)).SetRange(early, late)
            time_dim.CumulVar(routing.End(v)).SetRange(early, late)
            if data.shift_duration is not None:
                time_dim.SetSpanUpperBoundForVehicle(int(data.shift_duration), v)
            if data.objective is not None and data.unit_time_cost > 0:
                if data.free_time > 0:  # paid at least free_time: the span beyond it costs
                    time_dim.SetSoftSpanUpperBoundForVehicle(
                        pywrapcp.BoundCost(int(data.free_time), int(data.unit_time_cost)), v)
                else:
                    time_dim.SetSpanCostCoefficientForVehicle(int(data.unit_time_cost), v)
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
        if data.demand is not None and data.capacity is not None:
            load_cb = routing.RegisterUnaryTransitVector(data.demand.tolist())
            routing.AddDimensionWithVehicleCapacity(
                load_cb, 0, [int(data.capacity)] * n_veh, True, "load"
            )

        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        if time_limit_s is not None:
            remaining = time_limit_s - (time.perf_counter() - t0)
            params.time_limit.FromMilliseconds(max(1, round(remaining * 1000)))
        if max_iterations is not None:
            params.solution_limit = int(max_iterations)

        notes: list[str] = []
        initial = None
        if warm_start:
            routing.CloseModelWithParameters(params)
            found = greedy if greedy is not None else greedy_routes(data)
            plan: list[list[int]] = [[] for _ in range(n_veh)]
            for v, route in found:
                plan[v] = [manager.NodeToIndex(c) for c in route]
            initial = routing.ReadAssignmentFromRoutes(plan, True)
            if initial is None:  # pragma: no cover - greedy routes are feasible by design
                notes.append("ortools: the greedy warm start was rejected; solved from scratch")
        if initial is not None:
            solution = routing.SolveFromAssignmentWithParameters(initial, params)
        else:
            solution = routing.SolveWithParameters(params)
        runtime = time.perf_counter() - t0
        status = _status_name(routing.status())
        if solution is None:
            raise SolverError(
                f"OR-Tools found no solution (status {status}) within "
                f"time_limit_s={time_limit_s}; raise the time limit or check the instance"
            )
        routes = []
        for v in range(n_veh):
            index = solution.Value(routing.NextVar(routing.Start(v)))
            visits = []
            while not routing.IsEnd(index):
                visits.append(int(data.clients[manager.IndexToNode(index) - 1]))
                index = solution.Value(routing.NextVar(index))
            if visits:
                routes.append(RawRoute(vehicle=v, clients=visits))
        if not data.fleet_limited:
            notes.append(f"ortools: fleet of {n_veh} vehicles (greedy solution + 25 %)")
        return RawSolution(
            routes=routes,
            objective=solution.ObjectiveValue() / data.cost_scale,
            runtime_s=runtime,
            status=status,
            notes=tuple(notes),
        )


def _status_name(status: object) -> str:
    """OR-Tools' routing status as its enum name (``ROUTING_SUCCESS``, ...)."""
    from ortools.constraint_solver import routing_enums_pb2

    try:
        return str(routing_enums_pb2.RoutingSearchStatus.Value.Name(int(status)))  # type: ignore[call-overload]
    except (ValueError, TypeError, AttributeError):  # pragma: no cover - other versions
        return str(status)


class HomeCareBackend:
    """The home-care solver (:func:`~hemopt.routing.solve_homecare`) as a VRPTW backend.

    The second kind of solver behind the one interface: the VRPTW's staff become home-care
    staff (one per vehicle, each with its shift; with an unlimited fleet one per visit, at
    most), its visits single-staffed visits with hard windows, and what it minimises is the
    distance, or under a :class:`~hemopt.routing.RoutingObjective` the km cost plus the cost
    per shift. Its routes come back as any backend's and are read by the same code
    (:func:`~hemopt.routing.vrptw.result_from_routes`), with the drop reasons of
    :data:`~hemopt.routing.reasons.VRPTW_DROP_REASONS`.

    What the home-care model cannot express is refused, never approximated: vehicle
    capacities, a working time shorter than the shift, and a cost per staff hour (the
    home-care solver pays a shift from its start, the VRPTW from the first departure).

    Examples
    --------
    >>> import numpy as np
    >>> from hemopt.routing import VRPTWInstance, solve_vrptw
    >>> xy = np.array([[0, 0], [0, 10], [10, 10], [10, 0]], dtype=float)
    >>> inst = VRPTWInstance(coords=xy, service=[0, 5, 5, 5])
    >>> res = solve_vrptw(inst, backend="homecare", time_limit_s=None, max_iterations=50)
    >>> res.backend, res.routes, res.distance
    ('homecare', [[1, 2, 3]], 40.0)
    """

    name = "homecare"

    def solve(
        self,
        data: ScaledInstance,
        *,
        time_limit_s: float | None,
        seed: int,
        max_iterations: int | None,
        **options: Any,
    ) -> RawSolution:
        _no_options(self.name, options)
        refused = []
        if data.demand is not None:
            refused.append("vehicle capacities (demand)")
        span = data.shift_end - data.shift_start
        if data.shift_duration is not None and (data.shift_duration < span).any():
            refused.append("a working time (shift_duration) shorter than the shift")
        if data.unit_time_cost > 0:
            refused.append("a cost per staff hour (RoutingObjective.sek_per_hour)")
        if refused:
            raise InputError(f"backend 'homecare' cannot model {' or '.join(refused)}; use "
                             "'pyvrp' or 'ortools'")
        t0 = time.perf_counter()
        n, k = data.n_clients, data.n_vehicles
        if not data.fleet_limited:
            k = max(n, 1)
        starts = np.resize(data.shift_start, k).astype(float)
        ends = np.resize(data.shift_end, k).astype(float)
        problem = HomeCareProblem(
            travel=data.duration.astype(float), distance=data.arcs.astype(float),
            visit_location=np.arange(1, n + 1), earliest=data.earliest[1:].astype(float),
            latest=data.latest[1:].astype(float), duration=data.service[1:].astype(float),
            shift_start=starts, shift_end=ends, hard_windows=True, travel_weight=0.0,
            tardiness_weight=0.0, distance_weight=1.0,
            staff_fixed_cost=float(data.fixed_cost), drop_penalty=float(data.drop_penalty),
        )
        if time_limit_s is None and max_iterations is None:
            raise InputError("backend 'homecare': give time_limit_s or max_iterations")
        res = solve_homecare(problem, time_limit_s=time_limit_s,
                             max_iterations=max_iterations, seed=seed)
        routes = [RawRoute(vehicle=v, clients=[int(data.clients[task[0]]) for task in r])
                  for v, r in enumerate(res.routes) if r]
        return RawSolution(
            routes=routes,
            objective=res.objective / data.cost_scale,
            runtime_s=time.perf_counter() - t0,
            status=f"homecare: {res.iterations} iterations, {len(res.dropped)} dropped",
        )


#: The registered backends by name: :func:`~hemopt.routing.solve_vrptw`'s ``backend=`` takes
#: one of these names or any object implementing :class:`RoutingBackend`.
BACKENDS: dict[str, RoutingBackend] = {
    b.name: b for b in (PyVRPBackend(), ORToolsBackend(), GreedyBackend(), HomeCareBackend())
}


def register_backend(backend: RoutingBackend, *, replace: bool = False) -> None:
    """Make ``backend`` available to :func:`~hemopt.routing.solve_vrptw` under its name.

    Raises
    ------
    InputError
        ``backend`` does not implement :class:`RoutingBackend`, or its name is taken and
        ``replace`` is False.
    """
    if not isinstance(backend, RoutingBackend):
        raise InputError(f"backend: expected an object with a name and a solve() method "
                         f"(RoutingBackend), got {backend!r}")
    name = backend.name
    if name in BACKENDS and not replace:
        raise InputError(f"backend: {name!r} is already registered (pass replace=True)")
    BACKENDS[name] = backend


def get_backend(backend: str | RoutingBackend) -> RoutingBackend:
    """A backend from its name (see :data:`BACKENDS`) or the backend itself."""
    if isinstance(backend, str):
        try:
            return BACKENDS[backend]
        except KeyError:
            raise InputError(
                f"backend = {backend!r}; available: {', '.join(sorted(BACKENDS))}"
            ) from None
    if isinstance(backend, RoutingBackend):
        return backend
    raise InputError(
        f"backend must be a name ({', '.join(sorted(BACKENDS))}) or an object implementing "
        f"RoutingBackend (name, solve()); got {backend!r}"
    )


def available_backends() -> list[str]:
    """Names of the registered backends."""
    return sorted(BACKENDS)
