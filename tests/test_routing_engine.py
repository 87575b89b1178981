"""The routing engine's one interface: the home-care solver as a VRPTW backend, one list of
drop reasons for both solvers, and errors that name the caller's ids (issue 24, item 5)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hemopt.errors import InputError
from hemopt.routing import (
    DROP_REASONS,
    HOMECARE_DROP_REASONS,
    HomeCareProblem,
    RoutingObjective,
    VRPTWInstance,
    available_backends,
    read_solomon,
    solve_homecare,
    solve_vrptw,
)
from hemopt.routing.homecare import eligible_staff
from hemopt.routing.reasons import VRPTW_DROP_REASONS
from tests.test_routing_solve import C8, brute_force, check_result

HOMECARE = {"backend": "homecare", "time_limit_s": None, "max_iterations": 300, "seed": 0}


def c8_without_load() -> VRPTWInstance:
    """The brute-forced C8 instance without its vehicle capacity (the home-care model has
    none)."""
    return dataclasses.replace(read_solomon(C8), demand=None, capacity=None)


def test_homecare_is_a_registered_backend():
    assert "homecare" in available_backends()


def test_homecare_backend_on_the_brute_forced_instance():
    inst = c8_without_load()
    res = solve_vrptw(inst, **HOMECARE)
    check_result(inst, res)  # feasible at full precision, read by the same code as PyVRP's
    assert res.backend == "homecare" and res.dropped == []
    best = brute_force(inst)
    assert solve_vrptw(inst, time_limit_s=None, max_iterations=1000).distance == (
        pytest.approx(best, rel=1e-9))  # PyVRP finds the optimum
    # the home-care search does not: measured 184.76 against 160.88 (+14.8 %) with seed 0
    # at 300 to 5,000 iterations (182.51 with seed 1); a known gap, reported in the docs
    assert best - 1e-9 <= res.distance <= 1.2 * best


def test_homecare_backend_hand_checked_square():
    xy = np.array([[0, 0], [0, 10], [10, 10], [10, 0]], dtype=float)
    inst = VRPTWInstance(coords=xy, service=[0, 5, 5, 5])
    res = solve_vrptw(inst, **HOMECARE)
    check_result(inst, res)
    assert res.distance == pytest.approx(40.0) and res.n_routes == 1  # around the square


def test_homecare_backend_is_deterministic_for_a_seed():
    inst = c8_without_load()
    a, b = solve_vrptw(inst, **HOMECARE), solve_vrptw(inst, **HOMECARE)
    assert a.routes == b.routes and a.distance == b.distance


def test_homecare_backend_hand_checked_limited_fleet():
    # one vehicle 0-60; visits at x = 10 and x = -10 (10 min each way), both with 10 min of
    # service in [10, 15]: one route can serve only one of them, the other is dropped
    xy = np.array([[0.0, 0.0], [10.0, 0.0], [-10.0, 0.0]])
    inst = VRPTWInstance(coords=xy, service=[0, 10, 10], earliest=[0, 10, 10],
                         latest=[60, 15, 15], n_vehicles=1)
    res = solve_vrptw(inst, **HOMECARE)
    check_result(inst, res)
    assert len(res.routes) == 1 and len(res.routes[0]) == 1
    assert res.distance == pytest.approx(20.0)
    (gone,) = res.dropped
    assert res.dropped_code[gone] == "no_capacity"


@pytest.mark.parametrize("change, what", [
    ({"demand": [0, 1, 1, 1], "capacity": 5}, "capacities"),
    ({"shift_duration": 30.0}, "working time"),
])
def test_homecare_backend_refuses_what_it_cannot_model(change, what):
    xy = np.array([[0.0, 0.0], [0.0, 10.0], [10.0, 10.0], [10.0, 0.0]])
    inst = VRPTWInstance(coords=xy, service=[0, 5, 5, 5], latest=[100] * 4, **change)
    with pytest.raises(InputError, match=f"backend 'homecare' cannot model .*{what}"):
        solve_vrptw(inst, **HOMECARE)


def test_homecare_backend_refuses_a_staff_hour_cost():
    xy = np.array([[0.0, 0.0], [0.0, 10.0]])
    inst = VRPTWInstance(coords=xy, service=[0, 5], latest=[100, 100])
    with pytest.raises(InputError, match="cost per staff hour"):
        solve_vrptw(inst, objective=RoutingObjective(sek_per_hour=300.0), **HOMECARE)


def test_one_list_of_drop_reasons():
    assert set(VRPTW_DROP_REASONS) | set(HOMECARE_DROP_REASONS) == set(DROP_REASONS)
    for code, text in {**VRPTW_DROP_REASONS, **HOMECARE_DROP_REASONS}.items():
        assert DROP_REASONS[code] == text  # one meaning per code, whichever solver
    # both solvers' dropped visits carry codes of the one list
    p = HomeCareProblem(travel=np.array([[0.0, 10.0], [10.0, 0.0]]), visit_location=[1, 1],
                        earliest=[0, 0], latest=[5, 100], duration=[10, 10], skill=[-1, 0],
                        shift_start=[0], shift_end=[100], hard_windows=True)
    r = solve_homecare(p, max_iterations=10)
    assert dict(zip(r.dropped.visit, r.dropped.reason, strict=True)) == {
        0: "unreachable", 1: "skill_missing"}
    assert set(r.dropped.reason) <= set(DROP_REASONS)


def test_homecare_errors_name_the_callers_visit():
    base = {"travel": np.zeros((2, 2)), "visit_location": [1, 1], "earliest": [0, 50],
            "latest": [60, 40], "duration": [10, 10], "shift_start": [0], "shift_end": [100]}
    with pytest.raises(InputError, match="latest must be >= earliest, got visit 'V2' with "
                                         "latest 40 < earliest 50"):
        HomeCareProblem(**base, visit_ids=["V1", "V2"])
    with pytest.raises(InputError, match="got visit 1 with latest 40"):
        HomeCareProblem(**base)  # no ids given: the position is all there is
    with pytest.raises(InputError, match=r"staffing must be 1 or 2, got 3 \(visit 'V1'\)"):
        HomeCareProblem(**{**base, "latest": [60, 60]}, staffing=[3, 1],
                        visit_ids=["V1", "V2"])


def test_eligible_staff_is_who_can_serve_a_task():
    p = HomeCareProblem(travel=np.array([[0.0, 10.0], [10.0, 0.0]]), visit_location=[1],
                        earliest=[0], latest=[60], duration=[20],
                        shift_start=[0, 0, 0], shift_end=[100, 100, 25],
                        excluded=[[True, False, False]])
    # staff 0 is excluded by the client, staff 2 cannot be back by the end of its shift
    assert eligible_staff(p) == {1}


def test_route_day_names_the_client_of_a_provider_without_an_office():
    import hemopt
    from hemopt.day import route_day

    sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    assigned = sc.clients["current_provider"].copy()
    assigned.iloc[3] = "NOPE"
    cid = sc.clients["client_id"].iloc[3]
    with pytest.raises(InputError, match=f"provider 'NOPE' \\(of client '{cid}'\\) has no "
                                         "office or base"):
        route_day(sc, assigned, max_iterations=5, time_limit_s=None)
