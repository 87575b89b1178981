"""Brute-force agreement and property-based tests of hemopt.flow (min_cost_assignment)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from hemopt.errors import InfeasibleError
from hemopt.flow import CpSatBackend, min_cost_assignment

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
TOL = 1e-9
EXACT = CpSatBackend(num_workers=1)  # deterministic


def brute_force(cost, allowed, capacity, demand, unserved):
    """Cheapest integer assignment by enumeration: (cost, provider array) or None."""
    n, p = cost.shape
    d = np.ones(n) if demand is None else np.asarray(demand, dtype=float)
    options = []
    for i in range(n):
        opts = [j for j in range(p) if allowed[i, j]]
        if np.isfinite(unserved[i]):
            opts.append(-1)
        options.append(opts)
    best = None
    for choice in itertools.product(*options):
        ch = np.array(choice)
        load = np.bincount(ch[ch >= 0], weights=d[ch >= 0], minlength=p)
        if np.any(load > np.floor(capacity) + 1e-9):
            continue
        total = sum(cost[i, j] if j >= 0 else unserved[i] for i, j in enumerate(choice))
        if best is None or total < best[0] - 1e-12:
            best = (total, ch)
    return best


@st.composite
def instances(draw, weighted=False, max_n=6, max_p=3):
    n = draw(st.integers(1, max_n))
    p = draw(st.integers(1, max_p))
    # Quarter units: exact in binary, many ties.
    cost = np.array(draw(st.lists(st.integers(-8, 200), min_size=n * p, max_size=n * p)))
    cost = cost.reshape(n, p) / 4.0
    allowed = np.array(draw(st.lists(st.booleans(), min_size=n * p, max_size=n * p)))
    allowed = allowed.reshape(n, p) | (np.arange(p) == draw(st.integers(0, p - 1)))[None, :]
    cost = np.where(allowed, cost, np.inf)
    demand = None
    if weighted:
        demand = np.array(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)))
        top = int(demand.sum()) + 1
    else:
        top = n + 1
    capacity = np.array(
        draw(st.lists(st.one_of(st.integers(0, top), st.just(np.inf)), min_size=p, max_size=p)),
        dtype=float,
    )
    kind = draw(st.sampled_from(["none", "scalar", "array"]))
    if kind == "none":
        unserved = None
    elif kind == "scalar":
        unserved = draw(st.integers(0, 120)) / 2.0
    else:
        unserved = np.array(
            draw(
                st.lists(
                    st.one_of(st.integers(0, 120).map(lambda v: v / 2.0), st.just(np.inf)),
                    min_size=n,
                    max_size=n,
                )
            )
        )
    return cost, allowed, capacity, demand, unserved


def _penalties(unserved, n):
    if unserved is None:
        return np.full(n, np.inf)
    return np.broadcast_to(np.asarray(unserved, dtype=float), (n,))


def check_invariants(res, cost, allowed, capacity, demand, unserved):
    """Every client assigned once or unserved, loads, overflow, cost recomputed."""
    n, p = cost.shape
    u = _penalties(unserved, n)
    d = np.ones(n) if demand is None else np.asarray(demand, dtype=float)
    prov = res.provider
    assert prov.shape == (n,)
    served = prov >= 0
    assert np.all(prov < p) and np.all(prov >= -1)
    assert np.all(allowed[np.flatnonzero(served), prov[served]])  # only allowed pairs
    assert np.all(np.isfinite(u[~served]))  # only clients with a penalty are unserved
    np.testing.assert_array_equal(res.unserved, np.flatnonzero(~served))
    load = np.bincount(prov[served], weights=d[served], minlength=p)
    np.testing.assert_allclose(res.load, load)
    np.testing.assert_allclose(res.overflow, np.maximum(load - capacity, 0.0))
    expected = cost[np.flatnonzero(served), prov[served]].sum() + u[~served].sum()
    assert res.total_cost == pytest.approx(expected, abs=TOL)
    if demand is None or res.backend == "cpsat" or res.split_clients.size == 0:
        assert np.all(load <= capacity + TOL), "capacity exceeded"
        assert res.overflow.sum() == 0.0
    # Split clients: shares sum to 1, at least two options used, rounded to the largest.
    shares = res.split_shares
    assert shares.shape == (len(res.split_clients), p + 1)
    if len(shares):
        np.testing.assert_allclose(shares.sum(axis=1), 1.0)
        assert np.all((shares > 0).sum(axis=1) >= 2)
        choice = np.argmax(shares, axis=1)
        np.testing.assert_array_equal(prov[res.split_clients], np.where(choice == p, -1, choice))
        limit = p - 1 if np.all(~np.isfinite(u)) else p
        assert len(res.split_clients) <= limit


def _solve_or_none(*args, **kwargs):
    try:
        return min_cost_assignment(*args, **kwargs)
    except InfeasibleError:
        return None


# --------------------------------------------------------------------------- brute force


@SETTINGS
@given(instances())
def test_unit_demand_flow_matches_brute_force(inst):
    cost, allowed, capacity, demand, unserved = inst
    u = _penalties(unserved, len(cost))
    best = brute_force(cost, allowed, capacity, demand, u)
    for backend in ("ortools", "networkx", EXACT):
        res = _solve_or_none(
            cost, capacity, allowed=allowed, unserved_cost=unserved, backend=backend
        )
        event("infeasible" if best is None else f"unserved: {len(best[1][best[1] < 0]) > 0}")
        if best is None:
            assert res is None, "solver found an assignment brute force says is impossible"
            continue
        assert res is not None
        assert res.total_cost == pytest.approx(best[0], abs=TOL)
        assert res.optimal and res.status == "optimal" and res.gap == 0.0
        assert res.split_clients.size == 0
        check_invariants(res, cost, allowed, capacity, demand, unserved)


@SETTINGS
@given(instances(weighted=True))
def test_demand_weighted_cpsat_matches_brute_force(inst):
    cost, allowed, capacity, demand, unserved = inst
    u = _penalties(unserved, len(cost))
    best = brute_force(cost, allowed, capacity, demand, u)
    exact = _solve_or_none(
        cost, capacity, demand=demand, allowed=allowed, unserved_cost=unserved, backend=EXACT
    )
    flow = _solve_or_none(cost, capacity, demand=demand, allowed=allowed, unserved_cost=unserved)
    if best is None:
        assert exact is None
    else:
        assert exact is not None and exact.optimal
        assert exact.total_cost == pytest.approx(best[0], abs=TOL)
        assert exact.bound == pytest.approx(best[0], abs=1e-6)
        check_invariants(exact, cost, allowed, capacity, demand, unserved)
        # The flow relaxation is feasible whenever the integer problem is, and bounds it.
        assert flow is not None
        assert flow.lp_cost <= best[0] + TOL
    event("infeasible" if best is None else "feasible")
    if flow is not None:
        event(f"flow {flow.status}")
        check_invariants(flow, cost, allowed, capacity, demand, unserved)
        if flow.split_clients.size == 0:  # integral flow: exact optimum
            assert flow.optimal and best is not None
            assert flow.total_cost == pytest.approx(best[0], abs=TOL)
        elif flow.overflow.sum() == 0 and best is not None:
            assert best[0] <= flow.total_cost + TOL


# --------------------------------------------------------------------------- larger, random


@st.composite
def float_instances(draw, weighted):
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(1, 40))
    p = draw(st.integers(1, 5))
    rng = np.random.default_rng(seed)
    cost = rng.random((n, p)) * rng.choice([1.0, 100.0, 1e5])
    cost[rng.random((n, p)) < 0.2] = np.inf
    demand = rng.integers(0, 600, n) if weighted else None
    total = n if demand is None else int(demand.sum())
    capacity = np.ceil(rng.uniform(0.0, 1.5) * total / p * rng.random(p) * 2)
    capacity[rng.random(p) < 0.2] = np.inf
    unserved = None if draw(st.booleans()) else float(np.max(cost[np.isfinite(cost)], initial=1))
    if unserved is None:
        # every client needs an allowed provider
        cost[~np.isfinite(cost).any(axis=1), 0] = 1.0
    return cost, np.isfinite(cost), capacity, demand, unserved


@SETTINGS
@given(float_instances(weighted=False))
def test_ortools_and_networkx_agree_unit_demand(inst):
    cost, allowed, capacity, demand, unserved = inst
    a = _solve_or_none(cost, capacity, unserved_cost=unserved, backend="ortools")
    b = _solve_or_none(cost, capacity, unserved_cost=unserved, backend="networkx")
    assert (a is None) == (b is None)
    assume(a is not None)
    assert a.total_cost == pytest.approx(b.total_cost, rel=1e-9, abs=1e-9)
    assert a.scale == b.scale
    for res in (a, b):
        check_invariants(res, cost, allowed, capacity, demand, unserved)


@SETTINGS
@given(float_instances(weighted=True))
def test_ortools_and_networkx_agree_demand_weighted(inst):
    cost, allowed, capacity, demand, unserved = inst
    a = _solve_or_none(cost, capacity, demand=demand, unserved_cost=unserved, backend="ortools")
    b = _solve_or_none(cost, capacity, demand=demand, unserved_cost=unserved, backend="networkx")
    assert (a is None) == (b is None)
    assume(a is not None)
    # Same optimal LP cost (the flows themselves may differ between tied optima).
    tol = 1e-9 * max(1.0, abs(a.lp_cost)) + a.cost_error_bound
    assert a.lp_cost == pytest.approx(b.lp_cost, abs=tol)
    event(f"splits: {len(a.split_clients) > 0}, status {a.status}")
    for res in (a, b):
        check_invariants(res, cost, allowed, capacity, demand, unserved)
        assert res.bound == res.lp_cost
        assert res.lp_cost <= res.total_cost + tol or res.overflow.sum() > 0
