"""A limited fleet (too few staff): visits are dropped with reasons, never served late.

Issue 18's defect: with too few vehicles, PyVRP's prize for a visit (~1.9e8 scaled) dwarfed
its time-warp penalty (bounded at 1e5 per unit), so it returned late schedules, flagged
``feasible=False``, instead of dropping visits.
"""

from __future__ import annotations

import numpy as np
import pytest

from hemopt.routing import VRPTWInstance, register_backend, solve_vrptw
from hemopt.routing import backends as backends_module
from hemopt.routing.vrptw import RawRoute, RawSolution
from tests.test_routing_solve import check_result, fast

BACKENDS = ("pyvrp", "ortools")


def too_few_staff(n_vehicles: int) -> VRPTWInstance:
    """Six one-hour visits 1-3 km from the office, each to start between 08:00 and 09:00.

    Travel between any two visits takes at least 5 minutes, so a staff member serves one
    visit in the window and no more: ``n_vehicles`` staff serve exactly ``n_vehicles`` visits.
    """
    angle = np.linspace(0, 2 * np.pi, 7)[:-1]
    radius = np.array([1000.0, 1500, 2000, 2500, 3000, 1200])
    xy = np.vstack([[0.0, 0.0], np.c_[radius * np.cos(angle), radius * np.sin(angle)]])
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    return VRPTWInstance(
        distance=dist, duration=dist / 200.0, coords=xy,  # 200 m a minute: >= 5 min apart
        service=[0.0] + [60.0] * 6, earliest=[420.0] + [480.0] * 6,
        latest=[960.0] + [540.0] * 6, n_vehicles=n_vehicles, shift_duration=480.0,
    )


def test_visits_are_at_least_five_minutes_apart():
    inst = too_few_staff(2)
    off = inst.duration[1:, 1:][~np.eye(6, dtype=bool)]
    assert off.min() >= 5.0 - 1e-9  # so a second visit after one hour starts after 09:00


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("n_vehicles", [1, 2, 4])
def test_too_few_staff_drop_visits_and_stay_feasible(backend, n_vehicles):
    inst = too_few_staff(n_vehicles)
    res = solve_vrptw(inst, backend=backend, **fast(backend))
    check_result(inst, res)  # every served visit on time, the schedule feasible
    assert res.n_served == n_vehicles
    assert len(res.dropped) == 6 - n_vehicles
    assert res.n_served + len(res.dropped) == inst.n_clients  # conservation
    assert set(res.dropped_code.values()) <= {"no_capacity"}
    assert all(res.dropped_reason[c] for c in res.dropped)
    assert all(len(r) == 1 for r in res.routes)
    # the nearest visits are served: dropping the farthest saves the most distance
    served = sorted(c for r in res.routes for c in r)
    assert served == sorted(np.argsort(inst.distance[0, 1:])[:n_vehicles] + 1)


def test_pyvrp_limited_fleet_is_feasible_with_a_time_limit():
    inst = too_few_staff(3)
    res = solve_vrptw(inst, time_limit_s=0.5, seed=3)
    check_result(inst, res)
    assert res.n_served == 3 and len(res.dropped) == 3
    assert not any("penalty parameter has reached its maximum" in n for n in res.notes)


class _AllOnOneRoute:
    """A backend that returns every visit on vehicle 0's route, in index order: late."""

    name = "one-route"

    def solve(self, data, *, time_limit_s, seed, max_iterations, **options):
        route = [int(c) for c in data.clients]
        return RawSolution(routes=[RawRoute(0, route)], objective=0.0, runtime_s=0.0,
                           status="one route")


@pytest.fixture
def one_route_backend(monkeypatch):
    monkeypatch.setattr(backends_module, "BACKENDS", dict(backends_module.BACKENDS))
    register_backend(_AllOnOneRoute())


@pytest.mark.parametrize("n_vehicles", [1, 3])
def test_late_route_is_repaired_limited_fleet(one_route_backend, n_vehicles):
    inst = too_few_staff(n_vehicles)
    raw = solve_vrptw(inst, backend="one-route", repair=False)
    assert not raw.feasible and raw.late  # the backend's answer, as it is: late
    res = solve_vrptw(inst, backend="one-route")
    check_result(inst, res)
    # one visit stays on the route; the removed visits fill the idle vehicles, one each
    assert res.n_served == n_vehicles and len(res.dropped) == 6 - n_vehicles
    assert all("breaks a time window or the shift" in res.dropped_reason[c]
               for c in res.dropped)
    assert any("removed from routes that broke their limits" in n for n in res.notes)


def test_late_route_is_repaired_unlimited_fleet(one_route_backend):
    base = too_few_staff(1)
    inst = VRPTWInstance(distance=base.distance, duration=base.duration, coords=base.coords,
                         service=base.service, earliest=base.earliest, latest=base.latest,
                         shift_duration=480.0)
    res = solve_vrptw(inst, backend="one-route")
    check_result(inst, res)
    assert res.dropped == [] and res.n_routes == 6  # one staff member per visit
    assert len(res.repaired) == 5


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_limited_fleets_conserve_visits(backend, seed):
    """Random home-care instances with too few staff: feasible, in = served + dropped."""
    rng = np.random.default_rng(seed)
    n = 40
    xy = np.vstack([[0.0, 0.0], rng.uniform(-4000, 4000, (n, 2))])
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    start = rng.choice([420.0, 540.0, 660.0], n)
    inst = VRPTWInstance(distance=dist, duration=dist / 300.0, coords=xy,
                         service=np.r_[0.0, rng.choice([20.0, 30.0, 45.0], n)],
                         earliest=np.r_[420.0, start], latest=np.r_[960.0, start + 90.0],
                         n_vehicles=2, shift_duration=480.0)
    res = solve_vrptw(inst, backend=backend, **fast(backend))
    check_result(inst, res)
    assert res.dropped, "two staff cannot serve 40 visits of 20-45 minutes"
    assert res.n_served + len(res.dropped) == n


def crowded_morning(n: int = 30, n_vehicles: int = 2, seed: int = 0) -> VRPTWInstance:
    """The issue's case: ``n`` half-hour visits in a 10 x 10 km square, all to start between
    07:00 and 10:00, and far too few staff. Before the fix PyVRP served all of them, most
    late (``feasible=False``)."""
    rng = np.random.default_rng(seed)
    xy = np.vstack([[0.0, 0.0], rng.uniform(-5000, 5000, (n, 2))])
    dist = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    return VRPTWInstance(distance=dist, duration=dist / 500.0, coords=xy,
                         service=[0.0] + [30.0] * n, earliest=[420.0] * (n + 1),
                         latest=[960.0] + [600.0] * n, n_vehicles=n_vehicles,
                         shift_duration=480.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_crowded_morning_drops_visits_instead_of_serving_them_late(backend):
    inst = crowded_morning()
    res = solve_vrptw(inst, backend=backend, **fast(backend))
    check_result(inst, res)
    # each staff member can start at most 6 half-hour visits between 07:00 and 10:00 (and
    # 7 only with no travel at all): at most 14 of the 30 are served
    assert 2 * 5 <= res.n_served <= 2 * 7
    assert res.n_served + len(res.dropped) == 30
    assert set(res.dropped_code.values()) == {"no_capacity"}


def test_crowded_morning_without_repair_pyvrp_is_feasible_by_itself():
    """The fix is in PyVRP's penalties and start, not only in the repair step."""
    inst = crowded_morning(seed=1)
    res = solve_vrptw(inst, time_limit_s=None, max_iterations=1000, repair=False)
    assert res.feasible and res.late == []
    assert res.n_served + len(res.dropped) == 30
