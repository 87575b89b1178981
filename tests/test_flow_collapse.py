"""Identical clients collapsed into one node of the flow: the groups are exact, the flow is
expanded back per client, and the optimum is the plain one-node-per-client optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hemopt.errors import InfeasibleError
from hemopt.flow import (
    NetworkxFlowBackend,
    OrToolsFlowBackend,
    _collapse,
    backends,
    min_cost_assignment,
)
from hemopt.flow._collapse import expand, group_clients
from hemopt.flow._problem import validate

COLLAPSED = OrToolsFlowBackend()
PLAIN = OrToolsFlowBackend(collapse=False, prune=False)


def stairwells(rng, n_groups, p, *, minutes, allow=0.7, unserved=None):
    """Clients in groups of identical rows (sizes 1 to 5); with ``minutes`` the demand is
    drawn per group from a few classes, and one client in three of a multi-client group gets
    a demand of its own (a client of another demand class in the same stairwell)."""
    sizes = rng.integers(1, 6, n_groups)
    rows = np.round(rng.random((n_groups, p)) * 100.0, 1)
    ok = rng.random((n_groups, p)) < allow
    ok[np.arange(n_groups), rng.integers(0, p, n_groups)] = True
    g = np.repeat(np.arange(n_groups), sizes)
    rng.shuffle(g)
    cost = np.where(ok[g], rows[g], np.inf)
    demand = None
    if minutes:
        demand = rng.choice([30, 60, 90, 120], n_groups)[g]
        other = (rng.random(len(g)) < 1 / 3) & (sizes[g] > 1)
        demand[other] = rng.integers(10, 200, int(other.sum()))
    u = None if unserved is None else np.full(len(g), float(unserved))
    return cost, demand, u, g


def solve_both(cost, capacity, demand, u):
    kw = {"demand": demand, "unserved_cost": u}
    return (min_cost_assignment(cost, capacity, backend=COLLAPSED, **kw),
            min_cost_assignment(cost, capacity, backend=PLAIN, **kw))


def test_groups_are_the_identical_clients():
    cost = np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.5], [1.0, 2.0], [1.0, np.inf],
                     [1.0, 2.0], [1.0, 2.0]])
    demand = np.array([10, 10, 10, 10, 10, 20, 10])
    u = np.array([5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 9.0])
    g = group_clients(validate(cost, [100, 100], demand, None, u))
    # 0, 1, 3 alike; 2 another cost; 4 not allowed at 1; 5 another demand; 6 another penalty
    assert g.group.tolist() == [0, 0, 1, 0, 2, 3, 4]
    assert g.first.tolist() == [0, 2, 4, 5, 6] and g.size.tolist() == [3, 1, 1, 1, 1]
    assert g.members.tolist() == [0, 1, 3, 2, 4, 5, 6]


def test_allowed_false_hides_a_finite_cost():
    cost = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 2.0]])
    allowed = np.array([[True, False], [True, False], [True, True]])
    g = group_clients(validate(cost, [5, 5], None, allowed, None))
    assert g.group.tolist() == [0, 0, 1]  # the cost behind allowed=False does not count


def test_hash_collisions_fall_back_to_an_exact_sort(monkeypatch):
    rng = np.random.default_rng(3)
    cost, demand, u, _ = stairwells(rng, 40, 5, minutes=True, unserved=500.0)
    problem = validate(cost, np.full(5, 2000.0), demand, None, u)
    good = group_clients(problem)
    # every client hashes alike: the verification finds the collision
    monkeypatch.setattr(_collapse, "_hash", lambda key, w: np.zeros(len(key), np.uint64))
    bad = group_clients(problem)
    assert bad.group.tolist() == good.group.tolist()
    assert bad.members.tolist() == good.members.tolist()


def test_expand_gives_each_client_its_units_in_turn():
    # one group of 3 clients of 10 minutes: 15 to provider 0, 15 to provider 1
    problem = validate(np.ones((3, 2)), [15, 15], [10, 10, 10], None, None)
    groups = group_clients(problem)
    flow = expand(groups, problem.demand, np.array([0, 0]), np.array([0, 1]),
                  np.array([15, 15]), 3)
    assert flow.option.tolist() == [0, -1, 1]
    assert flow.split.tolist() == [1] and flow.split_flow.tolist() == [[5, 5, 0]]
    assert flow.dense(problem).tolist() == [[10, 0, 0], [5, 5, 0], [0, 10, 0]]


def test_a_stairwell_is_solved_as_one_node():
    rng = np.random.default_rng(0)
    cost, _, _, g = stairwells(rng, 300, 6, minutes=False, allow=1.0)
    cap = np.floor(np.linspace(0.5, 1.5, 6) / 6 * 1.02 * len(g))
    a, b = solve_both(cost, cap, None, None)
    assert group_clients(validate(cost, cap, None, None, None)).n_groups == 300
    assert a.status == b.status == "optimal"
    assert a.total_cost == pytest.approx(b.total_cost, rel=1e-12, abs=1e-9)
    assert (a.load <= cap).all() and a.load.sum() == len(g)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n_groups=st.integers(1, 40), p=st.integers(1, 6),
       minutes=st.booleans(), slack=st.floats(0.6, 1.3),
       unserved=st.sampled_from([None, 40.0, 250.0]))
def test_collapsed_optimum_equals_the_plain_one(seed, n_groups, p, minutes, slack, unserved):
    rng = np.random.default_rng(seed)
    cost, demand, u, _ = stairwells(rng, n_groups, p, minutes=minutes, unserved=unserved)
    total = len(cost) if demand is None else int(demand.sum())
    cap = np.floor(rng.dirichlet(np.ones(p)) * slack * total + 1)
    try:
        a, b = solve_both(cost, cap, demand, u)
    except InfeasibleError as exc:  # then both are infeasible, and say how many clients
        with pytest.raises(InfeasibleError) as other:
            min_cost_assignment(cost, cap, demand=demand, unserved_cost=u, backend=PLAIN)
        if demand is None:  # the fewest clients that cannot be placed: one number
            assert len(other.value.clients) == len(exc.clients)
        return
    ref = min_cost_assignment(cost, cap, demand=demand, unserved_cost=u,
                              backend=NetworkxFlowBackend())
    tol = 1e-9 * max(1.0, abs(b.lp_cost))
    # the same optimal flow cost as the plain network (and the simplex reference)
    assert a.lp_cost == pytest.approx(b.lp_cost, abs=tol)
    assert a.lp_cost == pytest.approx(ref.lp_cost, abs=tol)
    assert a.scale == b.scale and a.cost_error_bound == b.cost_error_bound
    if demand is None:  # integral: the assignment itself is optimal
        assert a.status == "optimal" and len(a.split_clients) == 0
        assert a.total_cost == pytest.approx(b.total_cost, abs=tol)
        assert (a.load <= cap).all()
    else:  # a basic flow: at most p splits (p + 1 with unserved)
        assert len(a.split_clients) <= p + (u is not None)
        np.testing.assert_allclose(a.split_shares.sum(axis=1), 1.0)
    served = a.provider >= 0
    assert np.isfinite(cost[served.nonzero()[0], a.provider[served]]).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n_groups=st.integers(1, 40), p=st.integers(2, 6),
       minutes=st.booleans(), slack=st.floats(0.6, 1.3),
       unserved=st.sampled_from([None, 40.0, 250.0]), keep=st.integers(1, 2))
def test_a_flow_on_the_cheapest_arcs_is_certified_or_refused(seed, n_groups, p, minutes, slack,
                                                             unserved, keep):
    """Solved first on each group's ``keep`` cheapest arcs, the flow is returned only when the
    potentials of its residual graph price every arc left out at >= 0: the same optimum."""
    rng = np.random.default_rng(seed)
    cost, demand, u, _ = stairwells(rng, n_groups, p, minutes=minutes, unserved=unserved)
    total = len(cost) if demand is None else int(demand.sum())
    cap = np.floor(rng.dirichlet(np.ones(p)) * slack * total + 1)
    saved = backends.PRUNE_MIN_ARCS, backends.PRUNE_KEEP
    backends.PRUNE_MIN_ARCS, backends.PRUNE_KEEP = 0, keep
    try:
        net = backends.build_flow_network(validate(cost, cap, demand, None, u))
        pruned = backends._solve_pruned(net)
        whole = backends._ortools_flows(net, None)
    finally:
        backends.PRUNE_MIN_ARCS, backends.PRUNE_KEEP = saved
    if pruned is None:
        return  # refused: the backend then solves the whole network
    assert whole is not None
    c = net.unit_costs
    assert int(c @ pruned) == int(c @ whole)  # the same integer optimum
    # and a feasible flow of the whole network: supplies out, capacities kept
    assert (pruned >= 0).all() and (pruned <= net.capacities).all()
    out = np.bincount(net.tails, weights=pruned, minlength=net.n_nodes)
    into = np.bincount(net.heads, weights=pruned, minlength=net.n_nodes)
    np.testing.assert_array_equal(out - into, net.supplies)


def test_the_default_backend_prunes_large_networks(monkeypatch):
    rng = np.random.default_rng(5)
    cost, _, _, _ = stairwells(rng, 400, 12, minutes=False, allow=1.0)
    cap = np.floor(np.linspace(0.5, 1.5, 12) / 12 * 1.02 * len(cost))
    seen = []
    real = backends._ortools_flows
    monkeypatch.setattr(backends, "_ortools_flows",
                        lambda net, keep: seen.append(keep is not None) or real(net, keep))
    monkeypatch.setattr(backends, "PRUNE_MIN_ARCS", 1000)
    a = min_cost_assignment(cost, cap)
    b = min_cost_assignment(cost, cap, backend=OrToolsFlowBackend(collapse=False, prune=False))
    assert seen[0] and seen[-1] is False  # pruned first; the reference solved whole
    assert a.status == b.status == "optimal"
    assert a.total_cost == pytest.approx(b.total_cost, rel=1e-12)
