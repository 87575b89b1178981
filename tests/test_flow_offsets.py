"""A constant added to every cost must not change the answer, nor make a wrong one "optimal".

Issue 26: with costs ``1e14 + k`` (7 clients, k whole numbers 0-49) the flow returned 40
suboptimal answers out of 40, each with ``optimal=True``: the integer scale was set by the
offset (1e14), which rounded the ``k`` away, and the rounding bound was judged against a
magnitude the offset inflated. Each client's cheapest option (the unserved cost included) is
now subtracted before scaling. These families are checked against scipy's
``linear_sum_assignment`` on the ``k`` alone (exact: every assignment costs the same offset).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from hemopt.flow import CpSatBackend, min_cost_assignment

N = 7
# name -> (offset, step, dtype): cost = offset + step * k
FAMILIES = {
    "1e14 + k": (1e14, 1.0, float),
    "1e9 + 1e-4 k": (1e9, 1e-4, float),
    "-1e14 + k": (-1e14, 1.0, float),
    "1e17 + 16 k": (1e17, 16.0, float),
    "int64 2**62 + 512 k": (2**62, 512, np.int64),
}
BACKENDS = ["ortools", "networkx", "cpsat"]


def _costs(family: str, k: np.ndarray):
    offset, step, dtype = FAMILIES[family]
    if dtype is np.int64:
        return np.int64(offset) + np.int64(step) * k.astype(np.int64)
    return offset + step * k.astype(float)


def _best_k(k: np.ndarray, capacity: list[int], k_unserved: np.ndarray | None) -> int:
    """The least sum of k over assignments within capacity (scipy, exact on small integers)."""
    cols = [k[:, j] for j, c in enumerate(capacity) for _ in range(min(c, N))]
    if k_unserved is not None:
        cols += [np.where(np.arange(N) == i, k_unserved[i], 10**6) for i in range(N)]
    m = np.column_stack(cols)
    rows, picked = linear_sum_assignment(m)
    assert len(rows) == N  # the instances below are feasible
    return int(m[rows, picked].sum())


def _chosen_k(k, k_unserved, provider) -> int:
    return int(sum(k[i, j] if j >= 0 else k_unserved[i] for i, j in enumerate(provider)))


@st.composite
def instances(draw):
    p = draw(st.integers(1, 4))
    k = np.array(draw(st.lists(st.integers(0, 49), min_size=N * p, max_size=N * p))).reshape(N, p)
    with_unserved = draw(st.booleans()) or p == 1
    capacity = draw(st.lists(st.integers(0 if with_unserved else 2, N), min_size=p, max_size=p))
    if not with_unserved and sum(capacity) < N:
        capacity[0] += N - sum(capacity)
    k_u = (np.array(draw(st.lists(st.integers(0, 49), min_size=N, max_size=N)))
           if with_unserved else None)
    return k, capacity, k_u


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=25, deadline=None, derandomize=True)
@given(inst=instances())
def test_rule_flow_offsets(family, backend, inst):
    k, capacity, k_u = inst
    cost = _costs(family, k)
    unserved = None if k_u is None else _costs(family, k_u)
    be = CpSatBackend(num_workers=1) if backend == "cpsat" else backend
    res = min_cost_assignment(cost, capacity, unserved_cost=unserved, backend=be)
    best = _best_k(k, capacity, k_u)
    got = _chosen_k(k, k_u, res.provider)
    # "optimal" is a promise: the answer is the optimum of the caller's costs
    if res.optimal:
        assert got == best, (family, got, best)
    # and with the offsets removed before scaling, these are proven (exact but for the
    # 1e-4 steps, which are not binary fractions: a bound far below one step)
    assert res.optimal and res.status == "optimal"
    assert res.cost_error_bound <= (1e-9 if family == "1e9 + 1e-4 k" else 0.0)
    assert got == best
    load = np.bincount(res.provider[res.provider >= 0], minlength=len(capacity))
    assert np.all(load <= capacity)


def test_the_issue_example_1e14_plus_k():
    # 7 clients, 3 providers of room 3, 2, 2: the k of the optimum is found, not rounded away.
    rng = np.random.default_rng(26)
    for _ in range(40):
        k = rng.integers(0, 50, size=(N, 3))
        res = min_cost_assignment(1e14 + k, [3, 2, 2])
        assert _chosen_k(k, None, res.provider) == _best_k(k, [3, 2, 2], None)
        assert res.optimal and res.total_cost == pytest.approx(7e14 + _best_k(k, [3, 2, 2],
                                                                              None), abs=1.0)


def test_int64_offsets_are_shifted_exactly():
    # 2**62 + 512 k is not exact in float64 (spacing 1024 there): the integer shift keeps it.
    k = np.array([[1, 0], [0, 1], [3, 2], [2, 3], [5, 4], [4, 5], [7, 6]])
    cost = np.int64(2**62) + np.int64(512) * k
    res = min_cost_assignment(cost, [4, 4])
    best = _best_k(k, [4, 4], None)
    assert _chosen_k(k, None, res.provider) == best
    assert res.optimal and res.cost_error_bound == 0.0


def test_a_suboptimal_answer_is_never_called_optimal_when_rounding_is_coarse():
    # A forced coarse scale on offset-free costs: honest "feasible", never "optimal".
    # Clients 0 and 2 both want provider 1 (room 1); at scale 0.1 their extra costs, 2 and 3,
    # both round to 0, so the flow cannot tell which move is cheaper.
    k = np.array([[3, 1], [1, 3], [5, 2]])
    with pytest.warns(UserWarning, match="may change the optimum"):
        res = min_cost_assignment(1e14 + k, [2, 1], scale=0.1)
    assert not res.optimal and res.status == "feasible"
