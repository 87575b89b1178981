"""The home-care solver: synchronised double visits, breaks, skills, exclusions, modes, start
and end places, and dropping with reasons; checked by hand and by the independent checker."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hemopt.errors import InputError
from hemopt.routing.homecare import (
    HOMECARE_DROP_REASONS,
    HomeCareProblem,
    check_plan,
    solve_homecare,
)


def line(n: int, step: float = 10.0) -> np.ndarray:
    """Travel times between points 0, step, 2 step, ... on a line."""
    x = np.arange(n) * step
    return np.abs(x[:, None] - x[None, :])


def assert_consistent(p: HomeCareProblem, r) -> None:
    """The result's figures equal an independent re-computation, and counts are conserved."""
    chk = check_plan(p, [list(x) for x in r.routes], breaks_after=r.breaks_after)
    assert chk.violations == ()
    assert r.violations == ()
    assert chk.travel == pytest.approx(r.travel)
    assert chk.total_tardiness == pytest.approx(r.total_tardiness)
    assert chk.served + len(r.dropped) == p.n_visits
    assert chk.served == r.served
    tasks = [t for route in r.routes for t in route]
    assert len(tasks) == len(set(tasks))
    assert set(r.dropped.reason) <= set(HOMECARE_DROP_REASONS)
    assert not set(r.dropped.visit) & {v for v, _ in tasks}


def test_synchronisation_forces_the_start():
    # staff 0 starts at place 0 (10 min from the client), staff 1 at place 2 (30 min away):
    # both copies must start when the later one arrives, at 30.
    travel = np.array([[0, 10, 40], [10, 0, 30], [40, 30, 0]], dtype=float)
    p = HomeCareProblem(travel=travel, visit_location=[1], earliest=[0], latest=[100],
                        duration=[20], staffing=[2], start_place=[0, 2], end_place=[0, 2],
                        shift_start=[0, 0], shift_end=[480, 480])
    r = solve_homecare(p, max_iterations=10)
    assert r.stops.start.tolist() == [30.0, 30.0]
    assert sorted(r.stops.arrival.tolist()) == [10.0, 30.0]
    assert r.travel == 80.0
    assert_consistent(p, r)


def test_sequential_and_tolerance():
    travel = np.array([[0, 10, 40], [10, 0, 30], [40, 30, 0]], dtype=float)
    base = dict(travel=travel, visit_location=[1], earliest=[0], latest=[100],
                duration=[20], staffing=[2], start_place=[0, 2], end_place=[0, 2],
                shift_start=[0, 0], shift_end=[480, 480])
    # the second copy 25..60 after the first
    r = solve_homecare(HomeCareProblem(**base, sync_min=[25], sync_max=[60]),
                       max_iterations=20)
    s = r.stops.set_index("copy").start
    assert 25 <= s[1] - s[0] <= 60
    # copy 0 by staff 0 (arrives 10), copy 1 by staff 1 (arrives 30): 10 and 35
    assert sorted(r.stops.start.tolist()) in ([10.0, 35.0], [30.0, 55.0])
    # simultaneous within 5 min: staff 0 waits only until 25
    r = solve_homecare(HomeCareProblem(**base, sync_min=[-5], sync_max=[5]),
                       max_iterations=20)
    assert sorted(r.stops.start.tolist()) == [25.0, 30.0]


def test_double_visit_never_on_one_staff_and_dropped_with_reason():
    p = HomeCareProblem(travel=line(2), visit_location=[1, 1], earliest=[0, 0],
                        latest=[100, 100], duration=[10, 10], staffing=[2, 1],
                        shift_start=[0], shift_end=[480])
    r = solve_homecare(p, max_iterations=10)
    assert r.dropped[["visit", "reason", "constraint"]].to_dict("records") == [
        {"visit": 0, "reason": "no_second_staff", "constraint": "synchronisation"}]
    assert r.routes == (((1, 0),),)
    assert_consistent(p, r)


def test_break_inside_its_window():
    # one staff member, visits at 60, 150, 240 and 330 (hard windows of 10 min), a 30 min
    # break to start between 170 and 200: it can only go between the visits at 150 and 240
    travel = line(5, 5)
    p = HomeCareProblem(travel=travel, visit_location=[1, 2, 3, 4],
                        earliest=[60, 150, 240, 330], latest=[70, 160, 250, 340],
                        duration=[30] * 4, shift_start=[0], shift_end=[480],
                        break_duration=[30], break_earliest=[170], break_latest=[200],
                        hard_windows=True)
    r = solve_homecare(p, max_iterations=30)
    assert len(r.dropped) == 0
    assert r.breaks_after == {0: 2}
    (b,) = r.breaks.itertuples()
    assert 170 <= b.start <= 200 and b.end == b.start + 30
    stops = r.stops
    # no overlap with visits or the travel to the next one
    assert b.start >= stops.end[1] and b.end + 5 <= stops.start[2]
    assert_consistent(p, r)
    # the checker refuses a break placed elsewhere
    bad = check_plan(p, [list(r.routes[0])], breaks_after={0: 3})
    assert any("break starts" in v for v in bad.violations)
    assert any("no break" in v for v in check_plan(p, [list(r.routes[0])],
                                                  breaks_after={}).violations)


def test_break_at_the_end_of_a_short_route():
    p = HomeCareProblem(travel=line(2), visit_location=[1], earliest=[0], latest=[30],
                        duration=[20], shift_start=[0], shift_end=[480], break_duration=[30],
                        break_earliest=[200], break_latest=[260])
    r = solve_homecare(p, max_iterations=5)
    assert r.breaks.to_dict("records") == [{"staff": 0, "after": 1, "start": 200.0,
                                            "end": 230.0}]
    assert_consistent(p, r)


def test_skill_mismatch_refused():
    travel = line(3)
    base = dict(travel=travel, visit_location=[1, 2], earliest=[0, 0], latest=[100, 100],
                duration=[20, 20], skill=[0, -1], shift_start=[0, 0], shift_end=[480, 480])
    p = HomeCareProblem(**base, staff_skills=[[False], [True]])
    r = solve_homecare(p, max_iterations=20)
    assert r.stops.loc[r.stops.visit == 0, "staff"].tolist() == [1]
    assert_consistent(p, r)
    # nobody has skill 0: dropped, with the reason
    p = HomeCareProblem(**base, staff_skills=[[False], [False]])
    r = solve_homecare(p, max_iterations=20)
    assert r.dropped[["visit", "reason", "constraint"]].to_dict("records") == [
        {"visit": 0, "reason": "skill_missing", "constraint": "skill"}]
    # a hand plan giving it to staff 0 is refused by the checker
    chk = check_plan(p, [[0], [1]])
    assert chk.violations == ("visit 0 copy 0: staff 0 lacks skill 0",)


def test_excluded_staff():
    base = dict(travel=line(2), visit_location=[1], earliest=[0], latest=[100],
                duration=[20], shift_start=[0, 0], shift_end=[480, 480])
    r = solve_homecare(HomeCareProblem(**base, excluded=[[True, False]]), max_iterations=5)
    assert r.stops.staff.tolist() == [1]
    r = solve_homecare(HomeCareProblem(**base, excluded=[[True, True]]), max_iterations=5)
    assert r.dropped.reason.tolist() == ["all_staff_excluded"]
    assert check_plan(HomeCareProblem(**base, excluded=[[True, False]]),
                      [[0], []]).violations == ("visit 0: staff 0 is excluded by the client",)


def test_unreachable():
    p = HomeCareProblem(travel=line(2, 100), visit_location=[1], earliest=[0], latest=[50],
                        duration=[10], shift_start=[0], shift_end=[480], hard_windows=True)
    r = solve_homecare(p, max_iterations=5)
    assert r.dropped.reason.tolist() == ["unreachable"]


def test_modes_and_homes():
    # staff 0 walks (3x slower), from home at place 2; staff 1 drives from the office
    drive = line(4, 10)
    p = HomeCareProblem(travel=np.stack([drive, 3 * drive]), visit_location=[2, 3],
                        earliest=[0, 0], latest=[400, 400], duration=[10, 10],
                        staff_mode=[1, 0], start_place=[2, 0], end_place=[2, 0],
                        shift_start=[0, 0], shift_end=[480, 480],
                        distance=np.stack([drive / 10, drive / 10]))
    r = solve_homecare(p, max_iterations=50, seed=1)
    # best: the walker does both from home (0 + 30 + 30 walking = 60) or visit 2 only (0)
    # and the driver visit 3 (30 + 30 = 60); both cost 60
    assert r.travel == 60.0
    assert_consistent(p, r)
    chk = check_plan(p, [[0, 1], []])
    assert chk.travel == 60.0 and chk.distance == 2.0


def test_too_few_staff_drop_never_late():
    # ten one-hour visits, all in the morning, hard windows, one staff member of 4 hours:
    # at most four are served; the others are dropped for capacity; the plan is feasible
    n = 10
    p = HomeCareProblem(travel=line(n + 1, 1), visit_location=np.arange(1, n + 1),
                        earliest=np.zeros(n), latest=np.full(n, 200.0),
                        duration=np.full(n, 60.0), shift_start=[0], shift_end=[240],
                        hard_windows=True)
    r = solve_homecare(p, max_iterations=100)
    assert r.served <= 3  # 3 visits plus travel fill the 4 hours
    assert r.served + len(r.dropped) == n
    assert set(r.dropped.reason) == {"no_capacity"}
    assert r.stops.start.max() <= 200
    assert_consistent(p, r)
    # soft windows and the shift end: still no overtime
    p2 = HomeCareProblem(**{**p.__dict__, "hard_windows": False})
    r2 = solve_homecare(p2, max_iterations=100)
    assert (r2.stops.end + 10).max() <= 240 + 1e-9
    assert_consistent(p2, r2)


def test_deadlock_reported():
    # staff 0: A then B; staff 1: B' then A' (A, B double, simultaneous): they wait forever
    p = HomeCareProblem(travel=line(3), visit_location=[1, 2], earliest=[0, 0],
                        latest=[100, 100], duration=[10, 10], staffing=[2, 2],
                        shift_start=[0, 0], shift_end=[480, 480])
    chk = check_plan(p, [[(0, 0), (1, 0)], [(1, 1), (0, 1)]])
    assert any("cycle" in v for v in chk.violations)
    assert check_plan(p, [[(0, 0), (1, 0)], [(0, 1), (1, 1)]]).violations == ()


def brute_force(p: HomeCareProblem) -> float:
    """Best objective over every assignment and order of single visits (every visit served)."""
    n, k = p.n_visits, p.n_staff
    best = np.inf
    for owners in itertools.product(range(k), repeat=n):
        per = [[v for v in range(n) if owners[v] == s] for s in range(k)]
        for orders in itertools.product(*[list(itertools.permutations(x)) for x in per]):
            chk = check_plan(p, [list(o) for o in orders])
            if chk.violations:
                continue
            best = min(best, chk.travel + p.tardiness_weight * chk.total_tardiness)
    return best


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_small_instances_optimal_and_consistent(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5))
    xy = rng.uniform(0, 30, size=(n + 1, 2))
    travel = np.round(np.hypot(*(xy[:, None] - xy[None, :]).transpose(2, 0, 1)), 1)
    e = rng.uniform(0, 100, n).round()
    p = HomeCareProblem(travel=travel, visit_location=np.arange(1, n + 1), earliest=e,
                        latest=e + rng.uniform(0, 40, n).round(),
                        duration=rng.integers(5, 30, n), shift_start=[0, 0],
                        shift_end=[1000, 1000], tardiness_weight=2.0, drop_penalty=None)
    r = solve_homecare(p, max_iterations=200, seed=seed)
    assert_consistent(p, r)
    assert r.objective == pytest.approx(brute_force(p), abs=1e-6)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000))
def test_counts_conserved_with_everything(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(3, 12)), int(rng.integers(1, 4))
    xy = rng.uniform(0, 20, size=(n + 3, 2))
    drive = np.hypot(*(xy[:, None] - xy[None, :]).transpose(2, 0, 1))
    e = rng.uniform(0, 300, n)
    p = HomeCareProblem(
        travel=np.stack([drive, 2 * drive]), visit_location=rng.integers(3, n + 3, n),
        earliest=e, latest=e + 30, duration=rng.integers(10, 60, n),
        staffing=rng.choice([1, 2], n, p=[0.7, 0.3]),
        sync_min=rng.choice([0.0, -5.0], n), sync_max=rng.choice([0.0, 5.0], n),
        skill=rng.choice([-1, 0, 1], n), staff_skills=rng.random((k, 2)) < 0.6,
        excluded=rng.random((n, k)) < 0.1, staff_mode=rng.integers(0, 2, k),
        start_place=rng.integers(0, 3, k), end_place=rng.integers(0, 3, k),
        shift_start=np.zeros(k), shift_end=np.full(k, 360.0),
        break_duration=np.full(k, 30.0), break_earliest=np.full(k, 150.0),
        break_latest=np.full(k, 200.0), hard_windows=bool(rng.random() < 0.5))
    r = solve_homecare(p, max_iterations=30, seed=seed)
    assert_consistent(p, r)
    again = solve_homecare(p, max_iterations=30, seed=seed)
    assert again.routes == r.routes


@pytest.mark.parametrize(("kwargs", "msg"), [
    ({"staffing": [3]}, "staffing must be 1 or 2"),
    ({"visit_location": [5]}, "visit_location must be in"),
    ({"latest": [-1]}, "latest must be >= earliest"),
    ({"staff_mode": [1]}, "staff_mode must be in"),
    ({"excluded": [[True, True]]}, "excluded must be"),
    ({"earliest": [np.nan]}, "earliest has NaN"),
])
def test_bad_input(kwargs, msg):
    base = dict(travel=line(2), visit_location=[1], earliest=[0], latest=[10],
                duration=[5], shift_start=[0], shift_end=[100])
    with pytest.raises(InputError, match=msg):
        HomeCareProblem(**{**base, **kwargs})
    with pytest.raises(InputError, match="time_limit_s"):
        solve_homecare(HomeCareProblem(**base), time_limit_s=0)


@pytest.mark.parametrize("seed", range(6))
def test_cost_terms_agree_with_the_checker(seed):
    """Paid time, km, a cost per carer, overtime, staff costs, several breaks and a limit on
    carers per client: the solver's objective equals the independent checker's."""
    rng = np.random.default_rng(seed)
    n, k, L = 9, 3, 6
    xy = rng.uniform(0, 30, (L, 2))
    t = np.round(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1)), 1)
    e = rng.uniform(0, 300, n).round()
    p = HomeCareProblem(
        travel=t, distance=t / 2, visit_location=rng.integers(1, L, n), earliest=e,
        latest=e + 60, duration=rng.choice([15.0, 30.0], n),
        staffing=np.where(rng.random(n) < 0.25, 2, 1), duration2=np.full(n, 10.0),
        sync_min=np.full(n, 5.0), sync_max=np.full(n, 15.0), earliest2=e + 5,
        latest2=e + 75, shift_start=[0, 0, 60], shift_end=[400, 420, 480],
        break_duration=[[20, 10]] * k, break_earliest=[[100, 250]] * k,
        break_latest=[[200, 330]] * k, hard_windows=True, travel_weight=0.0,
        time_weight=5.0, distance_weight=4.0, staff_fixed_cost=[400, 300, 500],
        max_overtime=[30, 0, 0], overtime_weight=2.5,
        staff_cost=rng.choice([0.0, 150.0], (n, k)), client=rng.integers(0, 4, n),
        max_carers=2, drop_penalty=rng.choice([5_000.0, 20_000.0], n))
    r = solve_homecare(p, max_iterations=150, seed=seed)
    chk = check_plan(p, [list(x) for x in r.routes], breaks_after=r.breaks_after)
    assert chk.violations == () and r.violations == ()
    drops = sum(p.drop_cost(v) for v in r.dropped.visit)
    assert r.objective == pytest.approx(chk.objective + drops)
    assert chk.distance == pytest.approx(chk.travel / 2)
    # both breaks of every used staff member are taken, in order and in their windows
    for _, g in r.breaks.groupby("staff"):
        assert g.start.tolist()[0] >= 100 and g.start.tolist()[0] <= 200
        assert len(g) == 2 and 250 <= g.start.tolist()[1] <= 330
