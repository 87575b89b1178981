"""CP-SAT (exact) versus the rounded min-cost flow on demand-weighted instances."""

from __future__ import annotations

import numpy as np
import pytest

from hemopt.errors import SolverError
from hemopt.flow import CpSatBackend, min_cost_assignment

EXACT = CpSatBackend(num_workers=1)  # one worker: deterministic


def instance(seed, n=30, p=3, tightness=1.03, penalty=None):
    """Clients needing 30..600 minutes a week; total capacity ``tightness`` x total demand,
    shared unevenly between the providers."""
    rng = np.random.default_rng(seed)
    cost = np.round(rng.random((n, p)) * 50, 2)
    cost[rng.random((n, p)) < 0.15] = np.inf
    cost[~np.isfinite(cost).any(axis=1), 0] = 25.0
    demand = rng.integers(30, 601, n)
    share = rng.uniform(0.7, 1.3, p)
    capacity = np.floor(tightness * demand.sum() * share / share.sum())
    return cost, capacity, demand, penalty


SEEDS = range(12)


def _pair(seed, **kw):
    cost, capacity, demand, penalty = instance(seed, **kw)
    flow = min_cost_assignment(cost, capacity, demand=demand, unserved_cost=penalty)
    exact = min_cost_assignment(
        cost, capacity, demand=demand, unserved_cost=penalty, backend=EXACT, time_limit_s=30
    )
    return flow, exact


@pytest.mark.parametrize("penalty", [200.0, None])
def test_cpsat_versus_rounded_flow(penalty):
    seen = {"split": 0, "overflow": 0, "no_overflow_split": 0}
    for seed in SEEDS:
        try:
            flow, exact = _pair(seed, penalty=penalty)
        except Exception as exc:  # pragma: no cover - fail with the seed named
            raise AssertionError(f"seed {seed}: {exc!r}") from exc
        tol = 1e-9 * abs(exact.total_cost) + flow.cost_error_bound + exact.cost_error_bound
        # CP-SAT solved these small instances to optimality.
        assert exact.optimal and exact.status == "optimal" and exact.gap == 0.0
        assert exact.bound == pytest.approx(exact.total_cost, abs=1e-6)
        assert exact.split_clients.size == 0 and exact.overflow.sum() == 0.0
        assert np.all(exact.load <= exact.capacity)
        assert exact.lp_cost is None and exact.rounding_gap is None
        # The LP flow cost is a lower bound of the exact optimum.
        assert flow.lp_cost <= exact.total_cost + tol
        assert flow.bound == flow.lp_cost
        # Fields of the rounding gap.
        assert flow.rounding_gap == pytest.approx(flow.total_cost - flow.lp_cost)
        assert len(flow.split_clients) <= (4 if penalty is not None else 3)
        if flow.split_clients.size:
            seen["split"] += 1
            assert not flow.optimal
            denom = max(abs(flow.total_cost), abs(flow.lp_cost))
            assert flow.gap == pytest.approx(max(0.0, flow.rounding_gap / denom))
            np.testing.assert_allclose(flow.split_shares.sum(axis=1), 1.0)
        else:
            assert flow.optimal and flow.gap == 0.0
            assert flow.total_cost == pytest.approx(exact.total_cost, abs=tol)
        if flow.overflow.sum() > 0:
            seen["overflow"] += 1
            assert flow.status == "overflow"
            over = np.flatnonzero(flow.overflow)
            np.testing.assert_allclose(flow.overflow[over], flow.load[over] - flow.capacity[over])
        else:
            # A rounded flow within capacity is a feasible integer assignment: CP-SAT's
            # optimum is at most its cost.
            assert exact.total_cost <= flow.total_cost + tol
            if flow.split_clients.size:
                seen["no_overflow_split"] += 1
                assert flow.status == "feasible"
                # ... and the exact optimum closes part of the rounding gap.
                assert flow.lp_cost <= exact.total_cost <= flow.total_cost + tol
    # The seeds cover splits with and without overflow.
    assert seen["split"] >= 3, seen
    assert seen["overflow"] >= 1, seen
    assert seen["no_overflow_split"] >= 1, seen


def test_rounding_gap_is_small_on_a_larger_instance():
    # 300 clients, 6 providers: a handful of split clients, a rounding gap of well under 1 %.
    flow, exact = _pair(100, n=300, p=6, penalty=400.0)
    assert exact.optimal or exact.gap < 1e-3
    assert len(flow.split_clients) <= 6
    assert flow.lp_cost <= exact.bound + 1e-6 * abs(exact.bound) + flow.cost_error_bound
    assert flow.total_cost - flow.lp_cost < 0.01 * flow.lp_cost
    assert exact.total_cost - flow.lp_cost < 0.01 * flow.lp_cost


def test_cpsat_time_limit_reports_gap_or_fails_clearly():
    # A big instance with a tiny time limit: either a solution with a proven bound and gap,
    # or a SolverError that says to raise time_limit_s.
    cost, capacity, demand, _ = instance(5, n=2000, p=8, tightness=0.99)
    try:
        res = min_cost_assignment(
            cost, capacity, demand=demand, unserved_cost=500.0, backend=EXACT, time_limit_s=0.05
        )
    except SolverError as exc:
        assert "time_limit_s" in str(exc)
        return
    assert res.status in {"optimal", "feasible"}
    assert res.bound <= res.total_cost + res.cost_error_bound
    assert 0.0 <= res.gap <= 1.0
    assert res.optimal == (res.status == "optimal")
    if not res.optimal:
        assert res.gap > 0.0
