"""Hand-checked cases, result fields, bad input and immutability of the flow engine."""

from __future__ import annotations

import doctest
import importlib
import warnings
from pathlib import Path

import numpy as np
import pytest

from hemopt.errors import InfeasibleError, InputError
from hemopt.flow import (
    BACKENDS,
    AssignmentBackend,
    AssignmentResult,
    CpSatBackend,
    OrToolsFlowBackend,
    ScalingWarning,
    min_cost_assignment,
)

FLOW = ["ortools", "networkx"]
ALL = ["ortools", "networkx", "cpsat"]
ROOT = Path(__file__).resolve().parents[1]

# Three clients, two providers, used by several cases.
COST3 = np.array([[1.0, 4.0], [2.0, 3.0], [5.0, 1.0]])


# --------------------------------------------------------------------------- hand-checked


@pytest.mark.parametrize("backend", ALL)
def test_capacity_forces_second_choice(backend):
    # Provider 0 takes one client. Client 0 -> 0 (1), clients 1, 2 -> 1 (3 + 1): cost 5.
    # The alternative 1 -> 0, 0 -> 1, 2 -> 1 costs 2 + 4 + 1 = 7.
    res = min_cost_assignment(COST3, [1, 2], backend=backend)
    np.testing.assert_array_equal(res.provider, [0, 1, 1])
    assert res.total_cost == 5.0
    np.testing.assert_array_equal(res.load, [1.0, 2.0])
    np.testing.assert_array_equal(res.overflow, [0.0, 0.0])
    assert res.unserved.size == 0
    assert res.optimal and res.status == "optimal" and res.gap == 0.0
    assert res.bound == pytest.approx(5.0)
    assert res.backend == backend
    assert not res.demand_weighted


@pytest.mark.parametrize("backend", ALL)
def test_unbounded_capacity_takes_cheapest(backend):
    # Cheapest per row: client 0 -> 1 (1), client 1 -> 0 (2), client 2 -> 2 (0.5): cost 3.5.
    cost = np.array([[3.0, 1.0, 2.0], [2.0, 2.5, 5.0], [4.0, 6.0, 0.5]])
    res = min_cost_assignment(cost, np.inf, backend=backend)
    np.testing.assert_array_equal(res.provider, [1, 0, 2])
    assert res.total_cost == 3.5
    np.testing.assert_array_equal(res.load, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(res.capacity, [np.inf] * 3)


@pytest.mark.parametrize("backend", ALL)
def test_surplus_goes_unserved_at_penalty(backend):
    # Room for two of three clients; dropping client 1 (1 + 1 + 10 = 12) beats dropping
    # client 2 (1 + 3 + 10 = 14) or client 0 (2 + 1 + 10 = 13... but 2 -> 0 and 1 -> 1? no:
    # clients 1, 2 -> 0, 1 cost 2 + 1 = 3, + 10 = 13).
    res = min_cost_assignment(COST3, [1, 1], unserved_cost=10.0, backend=backend)
    np.testing.assert_array_equal(res.provider, [0, -1, 1])
    np.testing.assert_array_equal(res.unserved, [1])
    assert res.total_cost == 12.0
    np.testing.assert_array_equal(res.load, [1.0, 1.0])
    np.testing.assert_array_equal(res.served, [True, False, True])


@pytest.mark.parametrize("backend", ALL)
def test_per_client_penalty(backend):
    # Client 1 is cheap to drop (0.5); clients 0 and 2 take one provider each: 1 + 2 + 0.5.
    cost = np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]])
    res = min_cost_assignment(cost, [1, 1], unserved_cost=[10.0, 0.5, 10.0], backend=backend)
    np.testing.assert_array_equal(res.unserved, [1])
    assert sorted(res.provider[[0, 2]].tolist()) == [0, 1]
    assert res.total_cost == 3.5


@pytest.mark.parametrize("backend", ALL)
def test_penalty_cheaper_than_service(backend):
    # Serving costs 5, leaving unserved 3, capacity is no constraint.
    res = min_cost_assignment([[5.0]], [np.inf], unserved_cost=3.0, backend=backend)
    np.testing.assert_array_equal(res.provider, [-1])
    assert res.total_cost == 3.0
    np.testing.assert_array_equal(res.load, [0.0])


@pytest.mark.parametrize("backend", ALL)
def test_allowed_mask_overrides_finite_cost(backend):
    # Client 0 may only use provider 1 (2); client 1 takes provider 0 (1): cost 3.
    cost = np.array([[1.0, 2.0], [1.0, 2.0]])
    allowed = np.array([[False, True], [True, True]])
    res = min_cost_assignment(cost, [1, 1], allowed=allowed, backend=backend)
    np.testing.assert_array_equal(res.provider, [1, 0])
    assert res.total_cost == 3.0


@pytest.mark.parametrize("backend", ALL)
def test_infinite_cost_means_not_allowed(backend):
    # Client 0 cannot use provider 0; client 1 gets it: 7 + 1 = 8.
    cost = np.array([[np.inf, 7.0], [1.0, 2.0]])
    res = min_cost_assignment(cost, [1, 1], backend=backend)
    np.testing.assert_array_equal(res.provider, [1, 0])
    assert res.total_cost == 8.0


@pytest.mark.parametrize("backend", ALL)
def test_demand_weighted_without_split(backend):
    # Each client fits at its cheap provider: 30 <= 40, 50 <= 60. Cost 1 + 1.
    cost = np.array([[1.0, 9.0], [9.0, 1.0]])
    res = min_cost_assignment(cost, [40, 60], demand=[30, 50], backend=backend)
    np.testing.assert_array_equal(res.provider, [0, 1])
    np.testing.assert_array_equal(res.load, [30.0, 50.0])
    assert res.total_cost == 2.0
    assert res.demand_weighted and res.optimal and res.status == "optimal"
    assert res.split_clients.size == 0
    assert res.split_shares.shape == (0, 3)
    if backend in FLOW:
        assert res.lp_cost == pytest.approx(2.0)
        assert res.rounding_gap == pytest.approx(0.0)
    else:
        assert res.lp_cost is None and res.rounding_gap is None


@pytest.mark.parametrize("backend", FLOW)
def test_split_client_rounded_to_largest_share(backend):
    # Demand 40, 50, 30 minutes; capacity 60 and 90. LP: client 0 -> 0 (40 min, cost 1),
    # client 2 -> 1 (30 min, cost 1), client 1 splits: 20 min at provider 0 (0.4 x 2 = 0.8),
    # 30 min at provider 1 (0.6 x 3 = 1.8): LP cost 4.6. Rounded to provider 1 (60 %):
    # 1 + 3 + 1 = 5, load (40, 80) within capacity; gap (5 - 4.6) / 5 = 0.08.
    res = min_cost_assignment(COST3, [60, 90], demand=[40, 50, 30], backend=backend)
    np.testing.assert_array_equal(res.split_clients, [1])
    np.testing.assert_allclose(res.split_shares, [[0.4, 0.6, 0.0]])
    np.testing.assert_array_equal(res.provider, [0, 1, 1])
    np.testing.assert_array_equal(res.load, [40.0, 80.0])
    np.testing.assert_array_equal(res.overflow, [0.0, 0.0])
    assert res.total_cost == 5.0
    assert res.lp_cost == pytest.approx(4.6)
    assert res.bound == pytest.approx(4.6)
    assert res.rounding_gap == pytest.approx(0.4)
    assert res.gap == pytest.approx(0.08)
    assert res.status == "feasible" and not res.optimal


@pytest.mark.parametrize("backend", FLOW)
def test_split_client_rounding_overflow(backend):
    # Capacity 70 and 60. LP: 0 -> 0 (40), 2 -> 1 (30), client 1: 30 min at 0 (0.6 x 2 = 1.2)
    # and 20 min at 1 (0.4 x 3 = 1.2): LP cost 4.4. Rounded to provider 0: load 90 > 70,
    # overflow 20; the rounded assignment costs 1 + 2 + 1 = 4 (infeasible, below the bound).
    res = min_cost_assignment(COST3, [70, 60], demand=[40, 50, 30], backend=backend)
    np.testing.assert_array_equal(res.split_clients, [1])
    np.testing.assert_allclose(res.split_shares, [[0.6, 0.4, 0.0]])
    np.testing.assert_array_equal(res.provider, [0, 0, 1])
    np.testing.assert_array_equal(res.load, [90.0, 30.0])
    np.testing.assert_array_equal(res.overflow, [20.0, 0.0])
    assert res.status == "overflow" and not res.optimal
    assert res.total_cost == 4.0
    assert res.lp_cost == pytest.approx(4.4)
    assert res.gap == 0.0  # clamped: the rounded assignment is not feasible


def test_cpsat_exact_where_flow_overflows():
    # Same instance: client 1 fits nowhere with client 0 at 0 and client 2 at 1. The only
    # feasible assignments: 0 -> 0, 1 -> 1, 2 -> 0 (load 70, 50): 1 + 3 + 5 = 9.
    res = min_cost_assignment(COST3, [70, 60], demand=[40, 50, 30], backend="cpsat")
    np.testing.assert_array_equal(res.provider, [0, 1, 0])
    assert res.total_cost == 9.0
    np.testing.assert_array_equal(res.load, [70.0, 50.0])
    np.testing.assert_array_equal(res.overflow, [0.0, 0.0])
    assert res.optimal and res.status == "optimal" and res.gap == 0.0
    assert res.bound == pytest.approx(9.0)
    assert res.split_clients.size == 0


@pytest.mark.parametrize("backend", ALL)
def test_zero_demand_client_takes_cheapest_option(backend):
    # Client 0 has no demand: cheapest provider 1 (1) although provider 1 is the one with
    # room; client 1 (10 min) -> provider 1 (2). Load counts minutes: (0, 10).
    cost = np.array([[3.0, 1.0], [1.0, 2.0]])
    res = min_cost_assignment(cost, [0, 10], demand=[0, 10], backend=backend)
    np.testing.assert_array_equal(res.provider, [1, 1])
    assert res.total_cost == 3.0
    np.testing.assert_array_equal(res.load, [0.0, 10.0])


def test_zero_demand_client_prefers_cheaper_penalty():
    # No demand, serving costs 3 or 4, the penalty 2: unserved.
    res = min_cost_assignment([[3.0, 4.0]], [1, 1], demand=[0], unserved_cost=2.0)
    np.testing.assert_array_equal(res.provider, [-1])
    assert res.total_cost == 2.0


@pytest.mark.parametrize("backend", ALL)
def test_no_clients(backend):
    res = min_cost_assignment(np.zeros((0, 2)), [1, 1], backend=backend)
    assert res.provider.shape == (0,) and res.total_cost == 0.0
    np.testing.assert_array_equal(res.load, [0.0, 0.0])
    assert res.optimal


@pytest.mark.parametrize("backend", ALL)
def test_negative_costs(backend):
    # A bonus (negative cost) is fine: client 0 -> 0 (-5), client 1 -> 1 (-1): -6.
    cost = np.array([[-5.0, 0.0], [-4.0, -1.0]])
    res = min_cost_assignment(cost, [1, 1], backend=backend)
    np.testing.assert_array_equal(res.provider, [0, 1])
    assert res.total_cost == -6.0


@pytest.mark.parametrize("backend", ALL)
def test_fractional_capacity_is_floored(backend):
    # Capacity 1.9 clients -> 1 client at provider 0.
    res = min_cost_assignment(COST3, [1.9, 5], backend=backend)
    np.testing.assert_array_equal(res.provider, [0, 1, 1])
    np.testing.assert_array_equal(res.capacity, [1.9, 5.0])


def test_large_integer_costs_stay_exact():
    # Integers near 1e9 with differences of 1: the optimum must not be lost to scaling.
    base = 1_000_000_000.0
    cost = base + np.array([[0.0, 1.0], [0.0, 2.0], [1.0, 0.0]])
    res = min_cost_assignment(cost, [1, 2])
    # 0 -> 0 would make 1 pay 2 more; better: 1 -> 0 (0), 0 -> 1 (1), 2 -> 1 (0).
    np.testing.assert_array_equal(res.provider, [1, 0, 1])
    assert res.total_cost == 3 * base + 1.0
    assert res.cost_error_bound < 1e-3


# --------------------------------------------------------------------------- infeasible


@pytest.mark.parametrize("backend", ALL)
def test_infeasible_names_clients(backend):
    # Three clients must be served, two places: one client cannot be placed.
    with pytest.raises(InfeasibleError, match=r"1 client\(s\) cannot be placed") as info:
        min_cost_assignment(COST3, [1, 1], backend=backend)
    clients = info.value.clients
    assert len(clients) == 1 and 0 <= clients[0] < 3
    assert f"clients [{clients[0]}]" in str(info.value)


@pytest.mark.parametrize("backend", ALL)
def test_infeasible_only_for_must_serve_clients(backend):
    # Clients 0 and 1 may be dropped (inf = must serve for client 2): only client 2 needs
    # a place, and it has one. Client 2 -> 1 (1), client 0 -> 0 (1), client 1 unserved (4).
    res = min_cost_assignment(COST3, [1, 1], unserved_cost=[4.0, 4.0, np.inf], backend=backend)
    np.testing.assert_array_equal(res.provider, [0, -1, 1])
    assert res.total_cost == 6.0
    # Capacity 0 at provider 1: client 2 (only allowed at 1) cannot be served.
    allowed = np.array([[True, True], [True, True], [False, True]])
    with pytest.raises(InfeasibleError, match=r"clients \[2\]"):
        min_cost_assignment(
            COST3, [3, 0], allowed=allowed, unserved_cost=[4.0, 4.0, np.inf], backend=backend
        )


def test_cpsat_infeasible_when_only_the_relaxation_fits():
    # Demand 60 + 60 = capacity 90 + 30, but no client fits in 30: the flow splits (and
    # reports overflow), CP-SAT proves no integer assignment exists.
    cost = np.array([[1.0, 2.0], [1.0, 2.0]])
    flow = min_cost_assignment(cost, [90, 30], demand=[60, 60])
    assert flow.status == "overflow" and flow.overflow.sum() == 30.0
    with pytest.raises(InfeasibleError, match="demand units") as info:
        min_cost_assignment(cost, [90, 30], demand=[60, 60], backend="cpsat")
    assert len(info.value.clients) == 1


def test_infeasible_demand_message_counts_demand():
    # 100 minutes must be served, 70 available: a client of 40 or 60 cannot be placed.
    with pytest.raises(InfeasibleError, match=r"cannot be placed, (40|60) demand units"):
        min_cost_assignment([[1.0], [1.0]], [70], demand=[40, 60])


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"cost": [1.0, 2.0]}, r"cost must be a 2-D array .* got shape \(2,\)"),
        ({"cost": "abc"}, "cost must be numeric"),
        ({"capacity": [1, 1, 1]}, r"capacity has shape \(3,\) but cost has shape \(3, 2\)"),
        (
            {"allowed": np.ones((2, 2), dtype=bool)},
            r"allowed has shape \(2, 2\) but cost has shape \(3, 2\)",
        ),
        ({"allowed": np.ones((3, 2))}, "allowed must be a boolean array; got dtype float64"),
        ({"demand": [1, 2]}, r"demand has shape \(2,\) but cost has shape \(3, 2\)"),
        (
            {"unserved_cost": [1.0, 2.0]},
            r"unserved_cost has shape \(2,\) but cost has shape \(3, 2\)",
        ),
        ({"capacity": [1, -2]}, r"capacity\[1\] = -2\.0 is invalid"),
        ({"capacity": [np.nan, 1]}, r"capacity\[0\] = nan is invalid"),
        ({"demand": [1, 2, -5]}, r"demand\[2\] = -5\.0 is invalid"),
        ({"demand": [1, np.inf, 1]}, r"demand\[1\] = inf is invalid"),
        ({"demand": [1.5, 2, 3]}, r"demand\[0\] = 1\.5 is not a whole number"),
        ({"unserved_cost": [1.0, np.nan, 1.0]}, r"unserved_cost\[1\] = nan is invalid"),
        ({"unserved_cost": -np.inf}, r"unserved_cost\[0\] = -inf is invalid"),
        ({"backend": "gurobi"}, r"unknown backend 'gurobi'; choose one of 'cpsat', "),
        ({"backend": 42}, "backend must be a name"),
        ({"time_limit_s": 0}, "time_limit_s must be a positive finite number; got 0"),
        ({"time_limit_s": "soon"}, "time_limit_s must be a positive number; got 'soon'"),
        ({"scale": -1.0}, "scale must be a positive finite number; got -1.0"),
        ({"scale": 1e300}, r"scale=1e\+300 makes the largest scaled cost"),
    ],
)
def test_bad_input(kwargs, pattern):
    args = {"cost": COST3, "capacity": [2, 2]} | kwargs
    with pytest.raises(InputError, match=pattern):
        min_cost_assignment(args.pop("cost"), args.pop("capacity"), **args)


def test_nan_cost_names_first_position():
    cost = COST3.copy()
    cost[1, 0] = np.nan
    cost[2, 1] = np.nan
    with pytest.raises(InputError, match=r"cost contains NaN at cost\[1, 0\] \(2 NaN"):
        min_cost_assignment(cost, [2, 2])


def test_allowed_where_cost_not_finite():
    cost = COST3.copy()
    cost[0, 1] = np.inf
    allowed = np.ones((3, 2), dtype=bool)
    with pytest.raises(InputError, match=r"allowed\[0, 1\] is True but cost\[0, 1\] = inf"):
        min_cost_assignment(cost, [2, 2], allowed=allowed)


def test_client_without_provider_or_penalty():
    cost = COST3.copy()
    cost[1, :] = np.inf
    with pytest.raises(InputError, match=r"client 1 has no allowed provider and no unserved"):
        min_cost_assignment(cost, [2, 2])
    # With a penalty the same client is simply unserved.
    res = min_cost_assignment(cost, [2, 2], unserved_cost=[np.inf, 7.0, np.inf])
    np.testing.assert_array_equal(res.provider, [0, -1, 1])
    assert res.total_cost == 9.0


def test_input_error_is_value_error():
    with pytest.raises(ValueError, match="unknown backend"):
        min_cost_assignment(COST3, [2, 2], backend="nope")


class CountingBackend:
    """A custom backend: delegates to OR-Tools and counts its calls."""

    name = "counting"
    fractional = True

    def __init__(self):
        self.calls = 0

    def solve(self, problem, *, time_limit_s, scale):
        self.calls += 1
        return OrToolsFlowBackend().solve(problem, time_limit_s=time_limit_s, scale=scale)


def test_custom_backend_through_the_protocol():
    be = CountingBackend()
    assert isinstance(be, AssignmentBackend)
    res = min_cost_assignment(COST3, [60, 90], demand=[40, 50, 30], backend=be)
    assert be.calls == 1 and res.backend == "counting"
    np.testing.assert_array_equal(res.split_clients, [1])  # rounding applies to it too
    assert res.total_cost == 5.0


def test_backend_registry_and_instances():
    assert set(BACKENDS) == {"ortools", "networkx", "cpsat"}
    res = min_cost_assignment(COST3, [1, 2], backend=CpSatBackend(num_workers=1, random_seed=3))
    assert res.backend == "cpsat"
    np.testing.assert_array_equal(res.provider, [0, 1, 1])


# --------------------------------------------------------------------------- immutability


@pytest.mark.parametrize("backend", ALL)
def test_caller_arrays_not_mutated(backend):
    rng = np.random.default_rng(7)
    cost = rng.random((12, 3)) * 10
    cost[0, 0] = np.inf
    allowed = np.isfinite(cost)
    allowed[1, 1] = False
    capacity = np.array([3.0, np.inf, 4.5])
    demand = rng.integers(0, 5, 12).astype(float)
    unserved = np.full(12, 8.0)
    originals = [a.copy() for a in (cost, allowed, capacity, demand, unserved)]
    for a in (cost, allowed, capacity, demand, unserved):
        a.setflags(write=False)  # any write would raise
    for dem in (None, demand):
        min_cost_assignment(
            cost, capacity, demand=dem, allowed=allowed, unserved_cost=unserved, backend=backend
        )
    for a, b in zip((cost, allowed, capacity, demand, unserved), originals, strict=True):
        np.testing.assert_array_equal(a, b)


def test_result_is_frozen_and_read_only():
    res = min_cost_assignment(COST3, [1, 2])
    assert isinstance(res, AssignmentResult)
    with pytest.raises(AttributeError):
        res.total_cost = 0.0  # type: ignore[misc]
    for arr in (res.provider, res.load, res.unserved, res.overflow, res.capacity):
        assert not arr.flags.writeable
    assert "status='optimal'" in repr(res) and "total_cost=5" in repr(res)
    assert res.n_clients == 3 and res.n_providers == 2


def test_same_input_same_result():
    rng = np.random.default_rng(3)
    cost = np.round(rng.random((200, 5)) * 20)  # many ties
    demand = rng.integers(10, 100, 200)
    capacity = np.full(5, demand.sum() / 5 * 1.05)
    a = min_cost_assignment(cost, capacity, demand=demand)
    b = min_cost_assignment(cost.copy(), capacity.copy(), demand=demand.copy())
    np.testing.assert_array_equal(a.provider, b.provider)
    assert a.total_cost == b.total_cost


# --------------------------------------------------------------------------- scaling


def test_scaling_warning_when_rounding_is_coarse():
    rng = np.random.default_rng(0)
    cost = rng.random((30, 3))
    with pytest.warns(ScalingWarning, match="may change the optimum") as rec:
        res = min_cost_assignment(cost, [10, 10, 10], scale=1.0)
    assert rec[0].filename == __file__  # points at the caller
    assert res.scale == 1.0 and res.cost_error_bound > 1.0
    # total_cost is still the true cost of the assignment returned.
    idx = np.arange(30)
    assert res.total_cost == pytest.approx(cost[idx, res.provider].sum())
    # Reported honestly: not proven optimal, and the bound still bounds the true optimum.
    exact = min_cost_assignment(cost, [10, 10, 10])
    assert exact.status == "optimal" and exact.cost_error_bound < 1e-9
    assert res.status == "feasible" and not res.optimal and res.gap > 0
    assert res.bound <= exact.total_cost <= res.total_cost


def test_huge_penalty_next_to_small_costs_is_refused():
    # A penalty of 1e12 forces scale 1. Without the clients' offsets (0.6 and 0.1) the costs
    # are [[0, 0.8], [0, 0.5]], rounded to [[0, 1], [0, 0]]: the flow finds the optimum
    # 0 -> 0, 1 -> 1 (0.6 + 0.6 = 1.2), and its certificate at the true costs bounds the
    # error by ~1e-4 (float noise of the 1e12 arcs): returned, but "feasible", not "optimal".
    # CP-SAT has no certificate: it refuses.
    cost = np.array([[0.6, 1.4], [0.1, 0.6]])
    res = min_cost_assignment(cost, [1, 1], unserved_cost=1e12)
    np.testing.assert_array_equal(res.provider, [0, 1])
    assert res.total_cost == pytest.approx(1.2, abs=1e-12)
    assert res.status == "feasible" and 0 < res.cost_error_bound < 1e-3
    with pytest.raises(InputError, match=r"unserved_cost\[0\] = 1e\+12 is too large") as err:
        min_cost_assignment(cost, [1, 1], unserved_cost=1e12, backend="cpsat")
    assert "use a smaller unserved_cost" in str(err.value)
    # A penalty of 1e6 leaves room for the costs' decimals.
    res = min_cost_assignment(cost, [1, 1], unserved_cost=1e6)
    assert res.status == "optimal" and res.total_cost == pytest.approx(1.2, abs=1e-12)
    np.testing.assert_array_equal(res.provider, [0, 1])


def test_coarse_rounding_that_cannot_matter_is_certified():
    # scale=1 rounds 1/3 and 2/3 to 0 and 1: the a-priori bound is large, but the flow found is
    # optimal for the true costs too, which the dual certificate proves: no warning.
    cost = np.full((4, 2), 1 / 3)
    cost[:, 1] = 2 / 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = min_cost_assignment(cost, [2, 2], scale=1.0)
    assert res.status == "optimal" and res.cost_error_bound < 1e-12
    assert res.total_cost == pytest.approx(2.0, abs=1e-12)


def test_default_scaling_is_exact_for_decimals_and_quiet():
    # Costs with two decimals: scale a power of ten, no residual, no warning.
    cost = np.array([[0.01, 0.02], [0.03, 0.05], [0.07, 0.11]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = min_cost_assignment(cost, [1, 2], unserved_cost=5.25)
    assert np.log10(res.scale) == int(np.log10(res.scale))
    assert res.cost_error_bound < 1e-9
    # Who gets provider 0 (one place)? client 0: 0.01 + 0.05 + 0.11 = 0.17; client 1:
    # 0.02 + 0.03 + 0.11 = 0.16; client 2: 0.02 + 0.05 + 0.07 = 0.14 (best).
    np.testing.assert_array_equal(res.provider, [1, 1, 0])
    assert res.total_cost == pytest.approx(0.14, abs=1e-15)


def test_scale_respects_int64_headroom():
    rng = np.random.default_rng(1)
    cost = rng.random((50, 4)) * 1e6
    demand = rng.integers(100_000, 1_000_000, 50)
    res = min_cost_assignment(cost, np.inf, demand=demand)
    total = demand.sum()
    # Largest unit cost x scale stays below int64 max / (16 x total demand).
    assert (cost / demand[:, None]).max() * res.scale <= np.iinfo(np.int64).max / 16 / total


# --------------------------------------------------------------------------- docs


def test_docstring_examples():
    # the engine module, imported by path (``hemopt.flow.solve``)
    module = importlib.import_module("hemopt.flow.solve")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10 and result.failed == 0


def test_docs_page_examples():
    result = doctest.testfile(
        str(ROOT / "docs" / "assignment.md"),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
    )
    assert result.attempted >= 5 and result.failed == 0
