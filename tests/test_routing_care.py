"""Double staffing, skills and breaks on the day's routes (hemopt.day.care)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import hemopt
from hemopt.day import route_day
from hemopt.day.care import CareParams, CarePlan, check_skills, place_breaks, synchronise
from hemopt.errors import InputError
from hemopt.routing import VRPTWInstance, solve_vrptw


def line(service, earliest, latest, xs, *, shift=(420.0, 960.0), max_min=480.0):
    """Clients on a line north of the office; 100 m a minute."""
    xy = np.c_[np.zeros(len(xs) + 1), np.r_[0.0, xs]]
    dist = np.abs(xy[:, None, 1] - xy[None, :, 1])
    return VRPTWInstance(distance=dist, duration=dist / 100.0, coords=xy,
                         service=np.r_[0.0, service], earliest=np.r_[shift[0], earliest],
                         latest=np.r_[shift[1], latest], shift_duration=max_min)


def plan_of(inst, routes, *, skill=None, pairs=None):
    res = solve_vrptw(inst, time_limit_s=None, max_iterations=50)
    plan = CarePlan.of(inst, res, np.zeros(inst.n_clients + 1, bool) if skill is None
                       else skill, pairs or {})
    plan.routes = [list(r) for r in routes]
    plan.dropped = {}
    return plan, res


# --- synchronisation -----------------------------------------------------------------------


def test_synchronisation_forces_a_known_schedule():
    """P (1 km) must start at 08:00 and takes 40 min; the double visit D (2 km) may start
    08:00-10:00. The staff member who serves P reaches D at 08:50 (10 min away): the other
    staff member, free from 08:00, waits for 08:50. Both start D at 08:50 (530 min)."""
    inst = line([40.0, 30.0, 30.0], [480.0, 480.0, 480.0], [480.0, 600.0, 600.0],
                [1000.0, 2000.0, 2000.0])
    plan, res = plan_of(inst, [[1, 2], [3]], pairs={2: 3})
    synchronise(plan)
    out = plan.result(res)
    start = {c: s for r, st in zip(out.routes, out.start, strict=True)
             for c, s in zip(r, st, strict=True)}
    assert start[2] == pytest.approx(530.0) and start[3] == pytest.approx(530.0)
    assert plan.route_of(2) != plan.route_of(3)
    assert out.feasible and out.dropped == []
    # the second staff member leaves at 08:30 (20 min away), not earlier: no waiting
    k = plan.route_of(3)
    assert out.route_start[k] == pytest.approx(510.0)


def test_both_copies_on_one_route_are_split():
    inst = line([40.0, 30.0, 30.0], [480.0, 480.0, 480.0], [480.0, 600.0, 600.0],
                [1000.0, 2000.0, 2000.0])
    plan, res = plan_of(inst, [[1, 2, 3]], pairs={2: 3})
    synchronise(plan)
    out = plan.result(res)
    assert plan.route_of(2) != plan.route_of(3) and out.feasible
    s2 = out.start[plan.route_of(2)][out.routes[plan.route_of(2)].index(2)]
    s3 = out.start[plan.route_of(3)][out.routes[plan.route_of(3)].index(3)]
    assert s2 == pytest.approx(s3)


def test_pair_that_cannot_meet_is_dropped_with_reason():
    """The double visit (2 km out, 20 min) must start between 07:40 and 07:41, and the shift
    starts at 07:00: one staff member is there, but the copy's window is moved out of reach
    (06:40), so no second staff member can be: both copies are dropped, with the reason."""
    inst = line([5.0, 5.0], [440.0, 440.0], [441.0, 441.0], [2000.0, 2000.0])
    plan, _ = plan_of(inst, [[1]], pairs={1: 2})
    plan.earliest[2] = plan.latest[2] = 400.0
    synchronise(plan)
    assert plan.dropped[1][0] == "not_synchronised"
    assert plan.dropped[2][0] == "not_synchronised"
    assert plan.routes == [[]]


# --- skills ---------------------------------------------------------------------------------


def test_skill_mismatch_refused_when_no_staff_is_licensed():
    inst = line([30.0, 30.0], [480.0, 480.0], [600.0, 600.0], [1000.0, 3000.0])
    skill = np.array([False, True, False])
    plan, _ = plan_of(inst, [[1], [2]], skill=skill)
    licensed = check_skills([plan], licensed_share=0.0)
    assert licensed == 0
    assert plan.dropped == {1: plan.dropped[1]} and plan.dropped[1][0] == "no_licensed_staff"
    assert plan.routes == [[], [2]]


def test_skilled_stops_move_to_the_licensed_route():
    """Two routes, one licensed staff member (share 0.5): the skilled stop of the route with
    fewer skilled stops moves to the other, where its window allows."""
    inst = line([30.0, 30.0, 30.0], [480.0, 480.0, 600.0], [700.0, 700.0, 800.0],
                [1000.0, 1500.0, 3000.0])
    skill = np.array([False, True, False, True])
    plan, _ = plan_of(inst, [[1], [2, 3]], skill=skill)
    assert check_skills([plan], licensed_share=0.5) == 1
    assert plan.dropped == {}
    holder = next(r for r in plan.routes if 1 in r)
    assert 3 in holder and all(plan.ok(r) for r in plan.routes)


# --- breaks ---------------------------------------------------------------------------------


def _break_rows(service, earliest, latest, xs, route):
    inst = line(service, earliest, latest, xs)
    plan, res = plan_of(inst, [route])
    out = plan.result(res)
    return place_breaks(plan, out, CareParams(), "day"), out


def test_break_in_waiting_time():
    """Two 3-hour visits with a gap from 10:30 to 12:30: the break fits in the waiting."""
    rows, out = _break_rows([180.0, 180.0], [450.0, 750.0], [450.0, 750.0],
                            [1000.0, 1000.1], [1, 2])
    assert out.route_duration[0] > 300
    assert len(rows) == 1 and rows[0]["placed"] and rows[0]["how"] == "waiting"
    assert 660.0 <= rows[0]["start_min"] <= 780.0 and rows[0]["extra_min"] == 0.0


def test_break_shifts_later_visits_inside_the_window():
    """Back-to-back visits 08:00-11:00 and 11:00-14:00 (the second may start until 12:00):
    the break goes at 11:00 and the second visit moves to 11:30; the route ends 30 min later."""
    rows, _ = _break_rows([180.0, 180.0], [480.0, 660.0], [480.0, 720.0],
                            [1000.0, 1000.0 + 1e-6], [1, 2])
    assert rows[0]["placed"] and rows[0]["how"] == "shifted"
    assert rows[0]["start_min"] == pytest.approx(660.0, abs=1e-3)
    assert rows[0]["extra_min"] == pytest.approx(30.0, abs=1e-3)


def test_break_not_placed_when_windows_are_tight():
    rows, _ = _break_rows([180.0, 180.0], [480.0, 660.0], [480.0, 660.0],
                          [1000.0, 1000.0 + 1e-6], [1, 2])
    assert rows == [{"route": 0, "placed": False, "start_min": rows[0]["start_min"],
                     "extra_min": 0.0, "how": "no room"}]
    assert np.isnan(rows[0]["start_min"])


def test_care_params_checked():
    with pytest.raises(InputError, match="day_break"):
        CareParams(day_break=(700.0, 600.0))


# --- the day -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def day_and_scenario():
    sc = hemopt.generate("strangnas", seed=2, scale=0.3)
    return route_day(sc, sc.clients["current_provider"], seed=1, max_iterations=100,
                     workers=1), sc


def test_day_conserves_visits_and_synchronises_every_double_visit(day_and_scenario):
    day, _ = day_and_scenario
    t = day.totals()
    assert t["visits_in"] == t["visits_served"] + t["visits_dropped"]
    doubles = day.stops[day.stops["staff_per_visit"] == 2]
    assert len(doubles) > 0
    n_double_in = int(doubles["n_visits"].sum())
    assert t["double_staffed_visits"] == n_double_in
    dropped_double = int(day.dropped["stop_id"].isin(doubles["stop_id"]).sum())
    assert t["double_staffed_visits_served"] + dropped_double == n_double_in
    # every served double stop: two different routes, the same start
    for key, res in day.results.items():
        g = day.stops[(day.stops["provider_id"] == key[0]) & (day.stops["base"] == key[1])
                      & (day.stops["shift"] == key[2]) & (day.stops["mode"] == key[3])]
        n = len(g)
        dbl = np.flatnonzero(g["staff_per_visit"].to_numpy() == 2) + 1
        where = {c: (k, s) for k, (r, st) in enumerate(zip(res.routes, res.start, strict=True))
                 for c, s in zip(r, st, strict=True)}
        for j, a in enumerate(dbl):
            b = n + 1 + j
            assert (a in where) == (b in where)
            if a in where:
                assert where[a][0] != where[b][0]
                assert where[a][1] == pytest.approx(where[b][1], abs=1e-6)
        assert res.feasible


def test_day_breaks_and_extra_cost_reported(day_and_scenario):
    day, _ = day_and_scenario
    t = day.totals()
    assert t["breaks_needed"] == len(day.breaks)
    assert t["breaks_taken"] + t["breaks_not_placed"] == t["breaks_needed"]
    placed = day.breaks[day.breaks["placed"].astype(bool)]
    lo, hi = CareParams().day_break
    day_breaks = placed[placed["shift"] == "day"]
    assert ((day_breaks["start_min"] >= lo - 1e-9) & (day_breaks["start_min"] <= hi + 1e-9)).all()
    assert t["double_extra_km_per_day"] >= 0 and t["double_extra_staff_hours_per_day"] > 0


def test_care_off_routes_as_before():
    sc = hemopt.generate("strangnas", seed=2, scale=0.1)
    day = route_day(sc, sc.clients["current_provider"], seed=1, max_iterations=50, workers=1,
                    care=CareParams(enabled=False))
    t = day.totals()
    # not modelled: NaN (unknown), never a false 0
    assert math.isnan(t["double_staffed_visits"]) and math.isnan(t["breaks_needed"])
    assert "staff_per_visit" not in day.stops.columns


def test_the_copy_edge_stays_within_the_solvers_integers_at_city_scale():
    """A 1,000-stop instance over 15 km with a double visit: the edge that keeps a stop and its
    copy off one route is longer than any day's route yet does not overflow the solver's
    integer scaling (it did at city scale: 28,742 km × 1,000 × 2,000)."""
    from hemopt.routing.instance import scale_instance
    from hemopt.routing.parallel import InstanceTask, build_instance
    from hemopt.travel import TravelModes

    rng = np.random.default_rng(0)
    n = 1000
    xy = np.vstack([[0.0, 0.0], rng.uniform(0, 15_000, (n, 2))])
    xy[-1] = xy[1]  # the copy of stop 0 sits at its address
    task = InstanceTask(("A", 0, "day", "car"), xy, np.zeros(n), np.full(n, 1000.0),
                        np.full(n, 10.0), (420.0, 900.0, 480.0), "car", None, 10, "pyvrp", 0,
                        copy_of=(0,))
    inst = build_instance(task, TravelModes())
    scale_instance(inst)  # raised InputError ("would overflow") before
    far = inst.distance[1, n]
    assert far == inst.distance[n, 1] == inst.distance.max()
    assert far > 480 / 60 * 130_000  # longer than 8 hours at 130 km/h
