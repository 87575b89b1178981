"""The cost objective of the VRPTW (issue 27): staff time at its wage, km at their cost and a
cost per shift, in every backend; the distance objective stays the default of solve_vrptw."""

from __future__ import annotations

import numpy as np
import pytest

from hemopt.errors import InputError
from hemopt.routing import RoutingObjective, VRPTWInstance, solve_vrptw
from hemopt.routing.instance import COST_SCALE, scale_instance


def _equal_km_instance(n_vehicles: int | None = 1) -> VRPTWInstance:
    """Three visits, every arc 1 km and 10 minutes, so every order of one route drives 4 km.

    A must start by 00:30, B not before 02:00, C any time; 30 minutes each. A, C, B waits
    10 minutes for B's window; A, B, C waits 50 (C, A, B is late for A).
    """
    dist = np.full((4, 4), 1000.0)
    np.fill_diagonal(dist, 0.0)
    dur = np.full((4, 4), 10.0)
    np.fill_diagonal(dur, 0.0)
    return VRPTWInstance(distance=dist, duration=dur, service=[0, 30, 30, 30],
                         earliest=[0, 0, 120, 0], latest=[1000, 30, 150, 1000],
                         n_vehicles=n_vehicles)


A, B, C = 1, 2, 3


@pytest.mark.parametrize("backend", ["pyvrp", "ortools"])
def test_cost_prefers_less_waiting_at_equal_km(backend):
    inst = _equal_km_instance()
    obj = RoutingObjective(sek_per_hour=300, sek_per_km=4, sek_per_shift=0, min_paid_min=0)
    res = solve_vrptw(inst, time_limit_s=None, max_iterations=200, backend=backend,
                      objective=obj)
    assert res.routes == [[A, C, B]]
    assert res.distance == 4000.0
    # hand-checked: leave at 00:20, A 00:30-01:00, C 01:10-01:40, wait 10, B 02:00-02:30,
    # back 02:40: 140 minutes, 10 of them waiting
    assert res.wait_duration == pytest.approx(10.0)
    assert res.duration == pytest.approx(140.0)
    assert res.objective == pytest.approx(300 / 60 * 140 + 4 * 4, abs=1e-3)
    # the other order drives the same 4 km and waits 50 minutes: 40 minutes (200 SEK) more
    other = obj.cost([180.0], [4000.0])
    assert other - res.objective == pytest.approx(200.0, abs=1e-3)


def test_distance_objective_is_indifferent_to_waiting():
    """Both feasible orders cost the distance objective the same 4 km: only the cost
    objective tells them apart (the reason for issue 27)."""
    inst = _equal_km_instance()
    res = solve_vrptw(inst, time_limit_s=None, max_iterations=200)
    assert res.routes in ([[A, C, B]], [[A, B, C]])
    assert res.objective == pytest.approx(4000.0)


def _random_instance(seed: int, n: int = 30) -> VRPTWInstance:
    rng = np.random.default_rng(seed)
    xy = np.vstack([[0.0, 0.0], rng.uniform(-3000, 3000, (n, 2))])
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    dur = dist / 500.0  # 30 km/h in metres per minute
    early = rng.uniform(420, 800, n)
    return VRPTWInstance(distance=dist, duration=dur, coords=xy,
                         service=np.r_[0.0, rng.uniform(10, 40, n)],
                         earliest=np.r_[420.0, early], latest=np.r_[960.0, early + 60],
                         shift_duration=480.0)


@pytest.mark.parametrize("backend", ["pyvrp", "ortools", "greedy"])
@pytest.mark.parametrize("obj", [RoutingObjective(),
                                 RoutingObjective(min_paid_min=0.0, sek_per_shift=0.0),
                                 RoutingObjective(sek_per_km=0.0)])
def test_solver_cost_equals_cost_recomputed_from_routes(backend, obj):
    """The backend's own objective (integers scaled back) equals the routes' cost at full
    precision, to the rounding of times to 0.01 minute and costs to 0.0001 SEK."""
    inst = _random_instance(3)
    res = solve_vrptw(inst, time_limit_s=None, max_iterations=100, backend=backend,
                      objective=obj)
    assert res.complete and res.feasible
    recomputed = obj.cost(res.route_duration, res.route_distance)
    n_arcs = res.n_clients + 2 * res.n_routes
    tol = n_arcs * (obj.sek_per_hour / 60 * 0.01 + 1 / COST_SCALE)
    assert res.objective == pytest.approx(recomputed, abs=tol)
    assert res.objective >= res.n_routes * (obj.sek_per_shift
                                            + obj.sek_per_hour / 60 * obj.min_paid_min)


def test_pyvrp_cost_beats_distance_on_staff_time():
    """On the same instance the cost objective's plan costs no more than the distance
    objective's plan, measured by the cost."""
    inst = _random_instance(5, n=40)
    obj = RoutingObjective()
    by_cost = solve_vrptw(inst, time_limit_s=None, max_iterations=300, objective=obj)
    by_km = solve_vrptw(inst, time_limit_s=None, max_iterations=300)
    c_cost = obj.cost(by_cost.route_duration, by_cost.route_distance)
    c_km = obj.cost(by_km.route_duration, by_km.route_distance)
    assert c_cost <= c_km + 1e-6
    assert by_km.distance <= by_cost.distance + 1e-6


def test_min_paid_time_is_free_below_it():
    """A route shorter than the minimum paid time costs the same whatever its length."""
    obj = RoutingObjective(sek_per_hour=300, sek_per_km=0, sek_per_shift=100,
                           min_paid_min=160)
    assert obj.route_cost(10.0, 5000.0) == obj.route_cost(160.0, 0.0) == 100 + 800
    assert obj.route_cost(170.0, 0.0) == pytest.approx(100 + 5 * 170)
    assert obj.without_km().sek_per_km == 0.0


def test_scaled_costs():
    inst = _equal_km_instance(n_vehicles=None)
    data = scale_instance(inst, objective=RoutingObjective())
    assert data.unit_time_cost == 500  # 300 SEK/h = 0.05 SEK per 0.01 min
    assert data.fixed_cost == (400 + 800) * COST_SCALE
    assert data.free_time == 160 * 100
    assert int(data.arcs[0, 1]) == 4 * COST_SCALE  # 1 km at 4 SEK
    plain = scale_instance(inst)
    assert plain.objective is None and (plain.arcs == plain.distance).all()


@pytest.mark.parametrize("bad", [{"sek_per_hour": -1}, {"sek_per_km": float("nan")},
                                 {"min_paid_min": "x"}, {"sek_per_shift": True}])
def test_bad_objective(bad):
    with pytest.raises(InputError, match="RoutingObjective"):
        RoutingObjective(**bad)


def test_objective_must_be_an_objective():
    with pytest.raises(InputError, match="objective"):
        solve_vrptw(_equal_km_instance(), time_limit_s=None, max_iterations=10,
                    objective={"sek_per_hour": 300})  # type: ignore[arg-type]


def test_paid_shifts_from_cost_model():
    obj = RoutingObjective.paid_shifts(sek_per_hour=377, sek_per_km=2.5,
                                       indirect_min_per_shift=300, min_paid_shift_hours=4)
    assert obj.sek_per_shift == pytest.approx(377 * 5)
    assert obj.min_paid_min == 0.0  # the indirect time already exceeds the minimum


@pytest.mark.parametrize("backend", ["pyvrp", "ortools"])
def test_limited_fleet_under_cost_serves_all_it_can(backend):
    """With too few staff, the drop penalty beats any cost saving: each of the 2 staff serves
    one visit (the most possible), even though a shift costs at least 1,200 SEK."""
    from tests.test_routing_limited import too_few_staff

    res = solve_vrptw(too_few_staff(2), time_limit_s=None, max_iterations=200,
                      backend=backend, objective=RoutingObjective())
    assert res.n_served == 2 and len(res.dropped) == 4 and res.feasible
    assert set(res.dropped_code.values()) == {"no_capacity"}
    assert res.drop_penalty > RoutingObjective().cost(res.route_duration, res.route_distance)
