"""Territories: a provider-day above ``max_stops`` is split into sectors around its base,
solved in parts and joined back; nothing below it changes."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import hemopt
from hemopt import InputError
from hemopt.day.route import prepare_day, route_day
from hemopt.day.territories import (
    DEFAULT_MAX_STOPS,
    merge_results,
    split_tasks,
    sweep_territories,
)
from hemopt.routing import VRPTWInstance, solve_vrptw

GROUP = ["provider_id", "base", "shift", "mode"]


# --------------------------------------------------------------------------- the sweep
def test_sweep_by_hand():
    # twelve stops at the hours of a clock around the base; 4 per territory: the cut starts
    # after the widest gap, which is the one left by the missing hours 4 and 5
    hours = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11]
    a = np.radians([90 - 30 * h for h in hours])
    xy = 1000 * np.c_[np.cos(a), np.sin(a)] + [500.0, -200.0]
    lab = sweep_territories(xy, [500.0, -200.0], max_stops=4)
    # three territories (ceil(10 / 4)) of 3 or 4 stops, each a run of neighbouring hours,
    # sweeping counter-clockwise from 6 o'clock: 6, 3, 2 | 1, 0, 11 | 10, 9, 8, 7 ...
    assert sorted(np.bincount(lab).tolist()) == [3, 3, 4]
    by_hour = dict(zip(hours, lab.tolist(), strict=True))
    order = [3, 2, 1, 0, 11, 10, 9, 8, 7, 6]  # counter-clockwise from 3 o'clock
    seq = [by_hour[h] for h in order]
    # contiguous arcs: the label changes at most (territories - 1) times along the sweep
    assert sum(x != y for x, y in itertools.pairwise(seq)) == 2


def test_sweep_keeps_an_address_together_and_is_deterministic():
    rng = np.random.default_rng(3)
    pts = rng.uniform(-5000, 5000, size=(300, 2)).round(-1)
    xy = np.vstack([pts, pts[:120]])  # 120 addresses with two stops each
    lab = sweep_territories(xy, [0.0, 0.0], max_stops=100)
    assert np.array_equal(lab[:120], lab[300:])
    assert np.bincount(lab).max() <= 100
    assert lab.max() + 1 == math.ceil(420 / 100)
    assert np.array_equal(lab, sweep_territories(xy.copy(), [0.0, 0.0], max_stops=100))


def test_sweep_small_and_bad_inputs():
    xy = np.ones((5, 2))
    assert sweep_territories(xy, [0, 0], 5).tolist() == [0] * 5
    # one address with more stops than max_stops cannot be split: one territory
    assert sweep_territories(xy, [0, 0], 2).tolist() == [0] * 5
    for bad in (0, -1, 2.5, True, "10"):
        with pytest.raises(InputError, match="max_stops must be a whole number >= 1"):
            sweep_territories(xy, [0, 0], bad)
    with pytest.raises(InputError, match="xy: expected finite"):
        sweep_territories(np.array([[0.0, np.nan]] * 3), [0, 0], 1)
    with pytest.raises(InputError, match="base_xy"):
        sweep_territories(xy, [0, 0, 0], 1)


@settings(max_examples=60, deadline=None)
@example(n=90, m=2, seed=1, dup=0.5)  # once a sector of 4 stops beside an address of 3
@given(st.integers(1, 200), st.integers(1, 60), st.integers(0, 2**31 - 1),
       st.floats(0.0, 0.7))
def test_sweep_properties(n, m, seed, dup):
    rng = np.random.default_rng(seed)
    xy = rng.integers(-50, 50, size=(n, 2)).astype(float) * 100
    k = int(dup * n)
    xy[:k] = xy[rng.integers(0, n, size=k)]  # repeated addresses
    base = rng.uniform(-6000, 6000, size=2)
    lab = sweep_territories(xy, base, m)
    assert lab.shape == (n,) and lab.min() == 0
    counts = np.bincount(lab)
    assert (counts > 0).all()  # numbered 0..k-1 without holes
    # stops at one address share a territory
    _, inv = np.unique(xy, axis=0, return_inverse=True)
    for u in np.unique(inv):
        assert len(set(lab[inv.ravel() == u].tolist())) == 1
    biggest_address = np.bincount(inv.ravel()).max()
    assert counts.max() <= max(m, biggest_address)
    if n <= m:
        assert counts.tolist() == [n]
    else:
        assert len(counts) >= math.ceil(n / max(m, biggest_address))


# --------------------------------------------------------------------------- joining back
def test_merged_result_is_the_parts_on_the_whole_instance():
    rng = np.random.default_rng(7)
    xy = np.vstack([[0.0, 0.0], rng.uniform(-30, 30, size=(30, 2))])
    inst = VRPTWInstance(coords=xy, service=np.r_[0.0, np.full(30, 20.0)],
                         latest=np.full(31, 480.0), shift_duration=240.0)
    lab = sweep_territories(xy[1:], xy[0], max_stops=12)
    parts, index = [], []
    for k in range(lab.max() + 1):
        rows = np.flatnonzero(lab == k)
        sub = VRPTWInstance(coords=np.vstack([xy[:1], xy[1:][rows]]),
                            service=np.r_[0.0, np.full(len(rows), 20.0)],
                            latest=np.full(len(rows) + 1, 480.0), shift_duration=240.0)
        parts.append(solve_vrptw(sub, time_limit_s=None, max_iterations=50, seed=1))
        index.append(rows + 1)
    res = merge_results(parts, index, 30)
    assert not res.dropped and all(p.n_routes >= 2 for p in parts)
    # every client once, in the whole instance's numbering
    served = sorted(c for r in res.routes for c in r)
    assert served == list(range(1, 31))
    # the merged routes, measured on the whole instance, give the merged distance
    d = inst.distance
    total = sum(d[[0, *r], [*r, 0]].sum() for r in res.routes)
    assert total == pytest.approx(res.distance, rel=1e-12)
    assert res.distance == pytest.approx(sum(p.distance for p in parts), rel=1e-12)
    assert res.n_routes == sum(p.n_routes for p in parts)
    assert len(set(res.vehicles)) == res.n_routes
    assert res.duration == pytest.approx(res.travel_duration + res.service_duration
                                         + res.wait_duration)
    # each route stays within one territory
    for r in res.routes:
        assert len({int(lab[c - 1]) for c in r}) == 1


def test_split_tasks_passes_small_instances_through():
    from hemopt.routing.parallel import InstanceTask

    xy = np.array([[0.0, 0], [1, 0], [0, 1], [-1, 0], [0, -1], [2, 0]])
    t = InstanceTask(("A", 0, "day", "car"), xy, np.zeros(5), np.full(5, 600.0),
                     np.full(5, 30.0), (420.0, 960.0, 480.0), "car", 10.0, None, "pyvrp", 0)
    plan = split_tasks([t], max_stops=5)
    assert plan.tasks == (t,) and plan.n_split == 0
    plan = split_tasks([t], max_stops=3)
    assert plan.n_split == 1 and sum(x.n_stops for x in plan.tasks) == 5
    # the time limit is shared out by stops; the base stays first
    assert sum(x.time_limit_s for x in plan.tasks) == pytest.approx(10.0)
    assert all((x.xy[0] == xy[0]).all() for x in plan.tasks)
    back = np.sort(np.concatenate(plan.index[0]))
    assert back.tolist() == [1, 2, 3, 4, 5]


# --------------------------------------------------------------------------- a routed day
@pytest.fixture(scope="module")
def day_case():
    sc = hemopt.generate("botkyrka", seed=2, scale=0.15)
    return sc, hemopt.assign(sc, hemopt.LOV(), seed=2)


def _route(case, **kw):
    sc, a = case
    return route_day(sc, a, seed=2, max_iterations=30, time_limit_s=None, workers=1, **kw)


def test_no_split_below_max_stops_gives_the_same_routes(day_case):
    whole = _route(day_case, max_stops=None)
    largest = int(whole.routes["stops"].max())
    same = _route(day_case, max_stops=largest)
    pd.testing.assert_frame_equal(whole.routes.drop(columns="runtime_s"),
                                  same.routes.drop(columns="runtime_s"))
    for key, r in whole.results.items():
        assert same.results[key].routes == r.routes


def test_split_day_serves_every_visit_once(day_case):
    whole = _route(day_case, max_stops=None)
    cap = 20
    split = _route(day_case, max_stops=cap)
    assert (whole.routes["stops"] > cap).any()
    # one row per (provider, base, shift, mode), as before; the same stops and visits
    pd.testing.assert_frame_equal(whole.routes[[*GROUP, "stops", "visits"]],
                                  split.routes[[*GROUP, "stops", "visits"]])
    t = split.totals()
    assert t["visits_in"] == t["visits_served"] + t["visits_dropped"] == len(split.visits)
    st_ = split.stops
    for (pid, base, shift, mode), g in st_.groupby(GROUP):
        res = split.results[(pid, int(base), shift, mode)]
        seen = sorted(c for r in res.routes for c in r) + list(res.dropped)
        assert sorted(seen) == list(range(1, len(g) + 1))
        if len(g) > cap:  # each route inside one territory of the sweep
            lab = sweep_territories(g[["x", "y"]].to_numpy(float), split.bases[pid][base], cap)
            for r in res.routes:
                assert len({int(lab[c - 1]) for c in r}) == 1
        # the row's figures are the merged result's
        row = split.routes.set_index(GROUP).loc[(pid, base, shift, mode)]
        assert row["routes"] == res.n_routes
        assert row["travel_km"] == pytest.approx(res.distance / 1000)


def test_split_is_the_same_for_one_and_two_workers(day_case):
    sc, a = day_case
    one = route_day(sc, a, seed=2, max_iterations=30, time_limit_s=None, workers=1,
                    max_stops=25)
    two = route_day(sc, a, seed=2, max_iterations=30, time_limit_s=None, workers=2,
                    max_stops=25)
    pd.testing.assert_frame_equal(one.routes.drop(columns="runtime_s"),
                                  two.routes.drop(columns="runtime_s"))


def test_route_day_refuses_bad_max_stops(day_case):
    sc, a = day_case
    for bad in (0, 1.5, "many"):
        with pytest.raises(InputError, match="max_stops must be a whole number >= 1 or None"):
            route_day(sc, a, max_stops=bad)


@pytest.mark.parametrize("preset", ["strangnas", "botkyrka"])
def test_presets_at_scale_one_are_never_split(preset):
    """The presets' instances (every default regime, three seeds) stay below the default
    max_stops, so that territories do not change their figures (largest: 597 stops,
    botkyrka seed 2 under zoning)."""
    largest = 0
    for seed in (1, 2, 3):
        sc = hemopt.generate(preset, seed=seed)
        for regime in hemopt.default_regimes(sc, seed=seed):
            _, stops, _ = prepare_day(sc, hemopt.assign(sc, regime, seed=seed), seed=seed)
            largest = max(largest, int(stops.groupby(GROUP).size().max()))
    assert 0 < largest < DEFAULT_MAX_STOPS


def test_split_keeps_double_staffed_copies_with_their_originals(day_case):
    """The second copy of a double-staffed stop shares its original's address, so its
    territory; the split day still serves both on two routes at the same minute."""
    sc = hemopt.generate("botkyrka", seed=1, scale=0.15)
    assert (sc.clients["staff_per_visit"] == 2).sum() == 3
    day = _route((sc, hemopt.assign(sc, hemopt.LOV(), seed=1)), max_stops=20)
    t = day.totals()
    assert t["visits_in"] == t["visits_served"] + t["visits_dropped"]
    assert t["double_staffed_visits"] > 0
    assert (t["double_staffed_visits_served"] + t["dropped_not_synchronised"]
            + t["dropped_no_licensed_staff"] >= t["double_staffed_visits"] - t["visits_dropped"])
    from hemopt.day.territories import split_tasks
    from hemopt.routing.parallel import InstanceTask

    xy = np.array([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1], [1, 0], [0, -1]], dtype=float)
    task = InstanceTask(("A", 0, "day", "car"), xy, np.zeros(6), np.full(6, 600.0),
                        np.full(6, 10.0), (0.0, 600.0, 480.0), "car", None, 10, "pyvrp", 0,
                        copy_of=(0, 3))  # stops 5 and 6 copy stops 0 and 3
    plan = split_tasks([task], 4)
    for sub, rows in zip(plan.tasks, plan.index[0], strict=True):
        r = rows - 1  # positions among the task's stops
        copies = [int(x) for x in r if x >= 4]
        assert len(sub.copy_of) == len(copies)
        for j, c in enumerate(copies):  # the copies are last; their originals renumbered
            assert r[len(r) - len(copies) + j] == c
            assert r[sub.copy_of[j]] == task.copy_of[c - 4]


def test_split_keeps_each_stops_continuity_label():
    from hemopt.day.territories import split_tasks
    from hemopt.routing.parallel import InstanceTask

    xy = np.array([[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]], dtype=float)
    task = InstanceTask(("A", 0, "day", "car"), xy, np.zeros(4), np.full(4, 600.0),
                        np.full(4, 10.0), (0.0, 600.0, 480.0), "car", None, 10, "pyvrp", 0,
                        labels=np.array([7, 8, 9, 10]), label_penalty_m=500.0)
    plan = split_tasks([task], 2)
    assert plan.n_split == 1
    for sub, rows in zip(plan.tasks, plan.index[0], strict=True):
        assert sub.labels.tolist() == (np.array([7, 8, 9, 10])[rows - 1]).tolist()
        assert sub.label_penalty_m == 500.0
