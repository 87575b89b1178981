"""solve_vrptw: optimality on a brute-forced instance, feasibility, determinism, dropping."""

from __future__ import annotations

import itertools
import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from hemopt.errors import InputError, SolverError
from hemopt.routing import (
    VRPTWInstance,
    VRPTWResult,
    available_backends,
    read_solomon,
    register_backend,
    solve_vrptw,
)
from hemopt.routing import backends as backends_module
from hemopt.routing.vrptw import RawRoute, RawSolution
from hemopt.travel import TravelModel

C8 = Path(__file__).parent / "data" / "hemopt_c8.txt"
#: Optimum of hemopt_c8.txt found by enumeration (see brute_force): routes 0-1-2-4-5-0,
#: 0-3-0 and 0-6-7-8-0.
C8_OPTIMUM = 192.08305337782238
BACKENDS = ("pyvrp", "ortools")


def fast(backend: str) -> dict:
    """Small limits: PyVRP by iterations (deterministic), OR-Tools by time."""
    if backend == "pyvrp":
        return {"time_limit_s": None, "max_iterations": 1000}
    return {"time_limit_s": 1.0}


# --- brute force -------------------------------------------------------------------------------


def best_single_routes(inst: VRPTWInstance) -> dict[int, tuple[float, tuple[int, ...]]]:
    """Shortest feasible route for every subset of clients (bitmask), by enumeration."""
    n = inst.n_clients
    d, t = inst.distance, inst.duration
    best: dict[int, tuple[float, tuple[int, ...]]] = {}
    for k in range(1, n + 1):
        for subset in itertools.combinations(range(1, n + 1), k):
            if inst.demand is not None and inst.demand[list(subset)].sum() > inst.capacity:
                continue
            mask = sum(1 << (c - 1) for c in subset)
            for perm in itertools.permutations(subset):
                clock, prev, dist = float(inst.earliest[0]), 0, 0.0
                for c in perm:
                    clock = max(clock + t[prev, c], inst.earliest[c])
                    if clock > inst.latest[c]:
                        break
                    dist += d[prev, c]
                    clock += inst.service[c]
                    prev = c
                else:
                    if clock + t[prev, 0] <= inst.latest[0]:
                        dist += d[prev, 0]
                        if dist < best.get(mask, (math.inf,))[0]:
                            best[mask] = (dist, perm)
    return best


def brute_force(inst: VRPTWInstance) -> float:
    """Minimum total distance serving every client with at most ``n_vehicles`` routes."""
    routes = best_single_routes(inst)
    max_routes = inst.n_vehicles or inst.n_clients

    @cache
    def best(mask: int, r: int) -> float:
        if mask == 0:
            return 0.0
        if r == 0:
            return math.inf
        low = mask & -mask
        value, sub = math.inf, mask
        while sub:
            if sub & low and sub in routes:
                value = min(value, routes[sub][0] + best(mask ^ sub, r - 1))
            sub = (sub - 1) & mask
        return value

    return best((1 << inst.n_clients) - 1, max_routes)


def home_care(n: int, seed: int) -> VRPTWInstance:
    """A small home-care day: clustered visits, four windows, 8 h shifts, urban travel."""
    rng = np.random.default_rng(seed)
    xy = np.vstack([[5000.0, 5000.0], rng.normal(5000.0, 1500.0, size=(n, 2))])
    windows = np.array([[420, 600], [660, 780], [810, 990], [1020, 1260]], dtype=float)
    w = rng.integers(0, 4, size=n)
    return VRPTWInstance(
        coords=xy,
        travel=TravelModel.urban(),
        service=np.concatenate([[0.0], rng.choice([20.0, 30.0, 45.0], size=n)]),
        earliest=np.concatenate([[390.0], windows[w, 0]]),
        latest=np.concatenate([[1320.0], windows[w, 1]]),
        shift_duration=480.0,
    )


def check_result(inst: VRPTWInstance, res: VRPTWResult) -> None:
    """Every client once or dropped; windows, shifts and totals hold at full precision."""
    served = [c for route in res.routes for c in route]
    assert len(served) == len(set(served))
    assert sorted(served + res.dropped) == list(inst.clients)
    assert set(res.dropped) == set(res.dropped_reason)
    starts, ends = inst.vehicle_shifts(inst.n_vehicles or max(res.n_routes, 1))
    total = 0.0
    for k, route in enumerate(res.routes):
        nodes = [0, *route, 0]
        dist = sum(inst.distance[a, b] for a, b in itertools.pairwise(nodes))
        assert res.route_distance[k] == pytest.approx(dist, rel=1e-12)
        total += dist
        clock = res.route_start[k]
        v = res.vehicles[k] if inst.n_vehicles is not None else 0
        assert clock >= starts[v] - 1e-9
        prev = 0
        for j, c in enumerate(route):
            arrival = clock + inst.duration[prev, c]
            assert res.arrival[k][j] == pytest.approx(arrival)
            assert res.start[k][j] >= max(arrival, inst.earliest[c]) - 1e-9
            assert res.start[k][j] <= inst.latest[c] + 1e-9, f"client {c} late"
            clock = res.start[k][j] + inst.service[c]
            prev = c
        assert res.route_end[k] == pytest.approx(clock + inst.duration[prev, 0])
        assert res.route_end[k] <= ends[v] + 1e-9
        if inst.shift_duration is not None:
            assert res.route_duration[k] <= inst.shift_duration + 1e-9
        if inst.capacity is not None:
            assert inst.demand[route].sum() <= inst.capacity
    assert res.distance == pytest.approx(total, rel=1e-12)
    assert res.duration == pytest.approx(
        res.travel_duration + res.service_duration + res.wait_duration
    )
    assert res.late == []
    assert res.feasible


# --- optimality ---------------------------------------------------------------------------------


def test_brute_force_reference():
    assert brute_force(read_solomon(C8)) == pytest.approx(C8_OPTIMUM, rel=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_c8_optimum(backend):
    inst = read_solomon(C8)
    res = solve_vrptw(inst, backend=backend, **fast(backend))
    check_result(inst, res)
    assert res.distance == pytest.approx(C8_OPTIMUM, rel=1e-9)
    assert res.n_routes == 3
    assert sorted(sorted(r) for r in res.routes) == [[1, 2, 4, 5], [3], [6, 7, 8]]
    assert res.dropped == []
    assert res.backend == backend
    assert res.objective == pytest.approx(C8_OPTIMUM, abs=0.01)  # integer rounding


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_vehicle_drops_only_what_it_must(backend):
    """With one vehicle the most visits a route can make are served, and no fewer."""
    inst = read_solomon(C8)
    one = VRPTWInstance(
        coords=inst.coords,
        service=inst.service,
        earliest=inst.earliest,
        latest=inst.latest,
        demand=inst.demand,
        capacity=inst.capacity,
        n_vehicles=1,
    )
    routes = best_single_routes(one)
    most = max(bin(mask).count("1") for mask in routes)
    shortest = min(d for mask, (d, _) in routes.items() if bin(mask).count("1") == most)
    res = solve_vrptw(one, backend=backend, **fast(backend))
    check_result(one, res)
    assert res.n_served == most
    assert res.distance == pytest.approx(shortest, rel=1e-9)
    assert len(res.dropped) == 8 - most
    assert all("not placed by the" in why for why in res.dropped_reason.values())
    assert res.drop_penalty > 2 * 8 * inst.distance.max()  # > any total distance


# --- feasibility and determinism ----------------------------------------------------------------


@pytest.mark.parametrize("backend", [*BACKENDS, "greedy"])
def test_home_care_day_is_feasible(backend):
    inst = home_care(40, seed=3)
    res = solve_vrptw(inst, backend=backend, **fast(backend))
    check_result(inst, res)
    assert res.dropped == [] and res.repaired == []
    assert res.n_served == 40


def test_pyvrp_same_seed_same_routes():
    inst = home_care(40, seed=5)
    a = solve_vrptw(inst, seed=11, time_limit_s=None, max_iterations=300)
    b = solve_vrptw(inst, seed=11, time_limit_s=None, max_iterations=300)
    assert a.routes == b.routes
    assert a.distance == b.distance
    assert a.start == b.start


def test_ortools_warm_start():
    inst = read_solomon(C8)
    res = solve_vrptw(inst, backend="ortools", time_limit_s=1.0, options={"warm_start": True})
    check_result(inst, res)
    assert res.distance == pytest.approx(C8_OPTIMUM, rel=1e-9)


def test_max_iterations_for_ortools_is_solution_limit():
    inst = read_solomon(C8)
    res = solve_vrptw(inst, backend="ortools", time_limit_s=None, max_iterations=1)
    check_result(inst, res)


# --- constraints --------------------------------------------------------------------------------


def test_unservable_visit_is_reported_not_solved():
    xy = np.array([[0, 0], [0, 10], [0, 200], [10, 10]], dtype=float)
    inst = VRPTWInstance(
        coords=xy, service=[0, 5, 5, 5], earliest=[0, 0, 0, 0], latest=[500, 100, 100, 100]
    )
    for backend in ("pyvrp", "greedy"):
        res = solve_vrptw(inst, backend=backend, time_limit_s=None, max_iterations=100)
        check_result(inst, res)
        assert res.dropped == [2]
        assert "earliest arrival 200.00 is after latest = 100.0" in res.dropped_reason[2]
        assert sorted(res.routes[0]) == [1, 3]
        assert "dropped  2 (outside_time_window)" in res.report()
        assert res.dropped_code == {2: "outside_time_window"}
        summary = res.summary()
        assert summary["dropped"] == 1 and summary["served"] == 2
        assert summary["dropped_by_reason"] == {"outside_time_window": 1}


@pytest.mark.parametrize("backend", [*BACKENDS, "greedy"])
def test_per_vehicle_shifts(backend):
    """A morning and an evening shift: each visit goes to the shift covering its window."""
    xy = np.array([[0, 0], [0, 10], [10, 0], [0, -10], [-10, 0]], dtype=float)
    inst = VRPTWInstance(
        coords=xy,
        service=[0, 30, 30, 30, 30],
        earliest=[0, 60, 90, 600, 630],
        latest=[1000, 120, 150, 660, 700],
        n_vehicles=2,
        shift_start=[0, 480],
        shift_end=[480, 960],
    )
    res = solve_vrptw(inst, backend=backend, **fast(backend))
    check_result(inst, res)
    by_vehicle = {v: sorted(r) for v, r in zip(res.vehicles, res.routes, strict=True)}
    assert by_vehicle == {0: [1, 2], 1: [3, 4]}


@pytest.mark.parametrize("backend", BACKENDS)
def test_shift_duration_splits_routes(backend):
    """Four one-hour visits along a line, 2.5 h shifts: two routes are needed."""
    xy = np.array([[0, 0], [1, 0], [2, 0], [3, 0], [4, 0]], dtype=float)
    inst = VRPTWInstance(coords=xy, service=[0, 60, 60, 60, 60], shift_duration=150)
    res = solve_vrptw(inst, backend=backend, **fast(backend))
    check_result(inst, res)
    assert res.n_routes == 2
    assert max(res.route_duration) <= 150


def test_route_leaves_as_late_as_useful():
    inst = VRPTWInstance(
        distance=[[0, 10], [10, 0]], service=[0, 15], earliest=[0, 100], latest=[480, 120]
    )
    res = solve_vrptw(inst, time_limit_s=None, max_iterations=10)
    assert res.route_start == [90.0]
    assert res.arrival == [[100.0]] and res.start == [[100.0]]
    assert res.route_end == [125.0]
    assert res.wait_duration == 0.0 and res.duration == 35.0


def test_only_the_depot():
    res = solve_vrptw(VRPTWInstance(coords=[[0, 0]]), time_limit_s=1.0)
    assert res.routes == [] and res.distance == 0.0 and res.feasible
    assert res.n_clients == 0


# --- backends, repair, errors -------------------------------------------------------------------


class _Lazy:
    """A backend that serves only client 1, or serves it twice."""

    def __init__(self, name: str, twice: bool = False) -> None:
        self.name = name
        self.twice = twice

    def solve(self, data, *, time_limit_s, seed, max_iterations, **options):
        route = [1, 1] if self.twice else [1]
        return RawSolution(routes=[RawRoute(0, route)], objective=0.0, runtime_s=0.0, status="lazy")


@pytest.fixture
def lazy_backends(monkeypatch):
    monkeypatch.setattr(backends_module, "BACKENDS", dict(backends_module.BACKENDS))
    register_backend(_Lazy("lazy"))
    register_backend(_Lazy("twice", twice=True))


def test_repair_serves_what_the_backend_left_out(lazy_backends):
    inst = home_care(12, seed=1)
    res = solve_vrptw(inst, backend="lazy")
    check_result(inst, res)
    assert res.repaired == list(range(2, 13))
    assert res.dropped == []
    assert any("extra greedy route" in note for note in res.notes)
    assert "repaired 11 visits" in str(res)


def test_no_repair_reports_dropped(lazy_backends):
    inst = home_care(5, seed=1)
    res = solve_vrptw(inst, backend="lazy", repair=False)
    assert res.dropped == [2, 3, 4, 5]
    assert "not placed by the lazy solver within the limits (lazy)" in res.dropped_reason[2]
    assert set(res.dropped_code.values()) == {"no_capacity"}


def test_backend_serving_twice_is_an_error(lazy_backends):
    with pytest.raises(SolverError, match="served client 1 twice"):
        solve_vrptw(home_care(3, seed=1), backend="twice")


def test_register_twice_is_an_error(lazy_backends):
    with pytest.raises(InputError, match="already registered"):
        register_backend(_Lazy("lazy"))


def test_available_backends():
    assert {"pyvrp", "ortools", "greedy"} <= set(available_backends())


def test_a_backend_object_can_be_passed_without_registering():
    inst = home_care(4, seed=1)
    res = solve_vrptw(inst, backend=_Lazy("unregistered"), repair=False)
    assert res.backend == "unregistered" and res.dropped == [2, 3, 4]
    with pytest.raises(InputError, match="RoutingBackend"):
        solve_vrptw(inst, backend=object())  # type: ignore[arg-type]
    with pytest.raises(InputError, match="RoutingBackend"):
        register_backend(object())  # type: ignore[arg-type]


def test_no_import_cycle_between_solver_and_backends():
    import ast
    from pathlib import Path

    import hemopt.routing.backends as b

    tree = ast.parse(Path(b.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "hemopt.routing.vrptw" not in imported


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"backend": "gurobi"}, "backend = 'gurobi'; available: greedy, homecare, ortools, pyvrp"),
        ({"time_limit_s": None}, "time_limit_s: None needs max_iterations"),
        ({"time_limit_s": -1.0}, "time_limit_s = -1.0"),
        ({"max_iterations": 0}, "max_iterations = 0"),
        ({"options": {"warm_start": True}}, r"options: pyvrp does not know \['warm_start'\]"),
        ({"backend": "ortools", "options": {"nope": 1}}, "known: warm_start, max_vehicles"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(InputError, match=match):
        solve_vrptw(read_solomon(C8), **kwargs)


def test_instance_type_checked():
    with pytest.raises(InputError, match="expected a VRPTWInstance"):
        solve_vrptw("c8.txt")  # type: ignore[arg-type]


def test_summary_is_a_dict_and_report_mentions_the_essentials():
    inst = read_solomon(C8)
    res = solve_vrptw(inst, time_limit_s=None, max_iterations=200)
    s = res.summary()
    assert s["backend"] == "pyvrp" and s["feasible"] and s["routes"] == 3
    assert s["distance"] == pytest.approx(192.083, abs=1e-3)
    assert s["served"] == 8 and s["dropped"] == 0 and s["dropped_by_reason"] == {}
    assert s["duration_min"] == pytest.approx(s["travel_min"] + s["service_min"] + s["wait_min"])
    text = res.report()
    assert "pyvrp" in text and "feasible" in text
    assert "routes   3" in text and "distance 192.1" in text
    assert str(res) == text
