"""Extreme costs in min_cost_assignment: the range check, honest status, and fuzzing.

Issue 19: a cost of 1e13 next to small costs gave a suboptimal assignment reported as optimal
(the 3 x 2 case below returned 11 where the optimum is 7), and -inf was read as "not allowed".
Either the result is proven within ``cost_error_bound`` of the optimum (and an optimal status
means that bound is negligible), or an InputError names the argument, the value and where it is.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hemopt.errors import InfeasibleError, InputError
from hemopt.flow import CpSatBackend, ScalingWarning, min_cost_assignment

ALL = ["ortools", "networkx", "cpsat"]
# The 3 x 2 case of issue 19: client 0 can only use provider 1 (4), client 1 only provider 0
# (2); client 2 then takes provider 1 (1, room for two): 4 + 2 + 1 = 7. Before the fix the
# flow returned [1, 0, 0] (4 + 2 + 5 = 11) as "optimal" with gap 0.
COST_3X2 = np.array([[1e13, 4.0], [2.0, 1e13], [5.0, 1.0]])
FIELD = re.compile(r"\b(cost|unserved_cost|capacity|demand|allowed)\[\d+")


def _backend(name):
    return CpSatBackend(num_workers=1) if name == "cpsat" else name


# --------------------------------------------------------------------------- regressions


@pytest.mark.parametrize("backend", ALL)
def test_3x2_huge_cost_is_refused_with_the_span(backend):
    with pytest.raises(InputError) as err:
        min_cost_assignment(COST_3X2, [2, 2], backend=_backend(backend))
    msg = str(err.value)
    assert msg.startswith("cost[0, 0] = 1e+13 is too large next to the other costs")
    assert "span 1e+13/1 = 1e+13 (cost[2, 1] = 1 is the smallest non-zero one)" in msg
    assert "integers up to 1e+12" in msg and "scale=0.1" in msg
    assert "allowed=False or np.inf instead of a huge cost" in msg


@pytest.mark.parametrize("backend", ALL)
@pytest.mark.parametrize("how", ["inf", "allowed"])
def test_3x2_without_the_huge_cost_gives_the_optimum_7(backend, how):
    if how == "inf":
        cost, allowed = np.where(COST_3X2 > 1e12, np.inf, COST_3X2), None
    else:
        cost, allowed = COST_3X2, COST_3X2 < 1e12  # excluded pairs do not set the scale
    res = min_cost_assignment(cost, [2, 2], allowed=allowed, backend=_backend(backend))
    np.testing.assert_array_equal(res.provider, [1, 0, 1])
    assert res.total_cost == 7.0
    assert res.status == "optimal" and res.gap == 0.0 and res.cost_error_bound == 0.0


def test_3x2_forced_coarse_scale_is_reported_honestly():
    # scale=0.1 (what the default used to pick) rounds 4, 2, 5, 1 to 0, 0, 0 (0.5 -> 0), 0: the
    # flow returns [1, 0, 0] at 11. It warns, says "feasible", and its bound is below 7.
    with pytest.warns(ScalingWarning, match=r"scale=0\.1\) may change the optimum"):
        res = min_cost_assignment(COST_3X2, [2, 2], scale=0.1)
    np.testing.assert_array_equal(res.provider, [1, 0, 0])
    assert res.total_cost == 11.0
    assert res.status == "feasible" and not res.optimal
    assert res.cost_error_bound >= 11.0 - 7.0
    assert res.bound <= 7.0 and res.gap > 0


def test_100x5_with_one_1e15_cost():
    # Issue 19: this instance returned 507.7 as optimal; the optimum without the pair is 190.2.
    rng = np.random.default_rng(0)
    cost = rng.random((100, 5)) * 10
    cost[0, 0] = 1e15
    with pytest.raises(InputError, match=r"^cost\[0, 0\] = 1e\+15 is too large"):
        min_cost_assignment(cost, [25] * 5)
    cost[0, 0] = np.inf
    res = min_cost_assignment(cost, [25] * 5)
    ref = min_cost_assignment(cost, [25] * 5, backend="networkx")
    assert res.status == "optimal" and res.cost_error_bound < 1e-8
    assert res.total_cost == pytest.approx(190.22649941144095, abs=1e-8)
    assert ref.total_cost == pytest.approx(res.total_cost, abs=1e-8)
    assert res.load.sum() == 100 and res.load.max() <= 25 and res.provider[0] != 0


def test_refusal_names_the_original_client_when_zero_demand_clients_are_dropped():
    # Client 0 has no demand (resolved apart); the message still uses the caller's indices.
    cost = np.vstack([[1.0, 9.0], COST_3X2])
    with pytest.raises(InputError) as err:
        min_cost_assignment(cost, [10, 10], demand=[0, 5, 5, 5])
    msg = str(err.value)
    assert msg.startswith("cost[1, 0] = 1e+13 (demand[1] = 5: 2e+12 per unit) is too large")
    assert "cost[3, 1] = 1 (demand[3] = 5: 0.2 per unit) is the smallest" in msg
    assert "costs per unit of demand span 2e+12/0.2 = 1e+13" in msg


def test_huge_unserved_cost_is_named():
    cost = np.array([[0.6, 1.4], [0.1, 0.6]])
    with pytest.raises(InputError, match=r"^unserved_cost\[0\] = 1e\+13 is too large") as err:
        min_cost_assignment(cost, [1, 1], unserved_cost=[1e13, 1e13])
    assert "np.inf if a client must be served" in str(err.value)
    # The optimum, 0.6 + 0.6 = 1.2, when the penalty is in range.
    res = min_cost_assignment(cost, [1, 1], unserved_cost=[1e4, 1e4])
    assert res.total_cost == pytest.approx(1.2, abs=1e-12) and res.status == "optimal"


def test_tiny_costs_next_to_a_huge_penalty_are_refused():
    # Costs of 1e-9 next to an unserved_cost of 1e4: scale 1e8 rounds them all to 0, and the
    # choice between 1e-9 and 3e-9 is lost.
    cost = np.array([[1e-9, 3e-9], [3e-9, 1e-9]])
    with pytest.raises(InputError, match=r"unserved_cost\[0\] = 10000 is too large"):
        min_cost_assignment(cost, [1, 1], unserved_cost=1e4, backend=CpSatBackend(num_workers=1))
    res = min_cost_assignment(cost, [1, 1])  # alone they are fine: 1e-9 + 1e-9
    np.testing.assert_array_equal(res.provider, [0, 1])
    assert res.total_cost == pytest.approx(2e-9, rel=1e-12) and res.status == "optimal"


def test_tiny_costs_that_do_not_matter_are_fine():
    # 1e-9 next to costs of order 1: rounded to 0 but far below 1e-6 of the objective.
    cost = np.array([[1.0 + 1e-9, 2.0], [3.0, 1.0], [1e-9, 5.0]])
    res = min_cost_assignment(cost, [2, 2])
    np.testing.assert_array_equal(res.provider, [0, 1, 0])
    assert res.status == "optimal" and res.total_cost == pytest.approx(2.0 + 2e-9, abs=1e-15)


def test_rounding_between_the_tolerances_is_feasible_not_optimal():
    # 1e9 forces scale 1e3: 1.23456789 loses its last decimals. Capacity [2, 1] pushes client 2
    # off its cheapest option (0.75 -> 2.5), so the answer's offset-free cost is 1.75. CP-SAT
    # has only the a-priori bound, 2 * (0.43211 + 0.1 + 0) / 1e3 ~ 1.06e-3: above 1e-6 of 1.75
    # (so not "optimal"), below 1e-3 of the cheapest costs, 3.34 (so not refused).
    cost = np.array([[1e9, 1.23456789], [1.3579, 1e9], [2.5, 0.75]])
    exact = min_cost_assignment(cost, [2, 1], backend=CpSatBackend(num_workers=1))
    np.testing.assert_array_equal(exact.provider, [1, 0, 0])
    assert exact.total_cost == pytest.approx(1.23456789 + 1.3579 + 2.5, abs=1e-12)
    assert exact.status == "feasible" and not exact.optimal
    assert exact.cost_error_bound == pytest.approx(1.06422e-3, rel=1e-4)
    # CP-SAT's bound is the rounded optimum, 1.75 above the offsets, minus the rounding bound.
    assert exact.bound == pytest.approx(1.23456789 + 1.3579 + 0.75 + 1.75
                                        - exact.cost_error_bound, abs=1e-6)
    assert exact.bound < exact.total_cost  # the optimum (the flow proves it below) is inside
    assert exact.gap == pytest.approx((exact.total_cost - exact.bound) / exact.total_cost)
    # The flow backend proves the same assignment optimal with its dual certificate.
    flow = min_cost_assignment(cost, [2, 1])
    np.testing.assert_array_equal(flow.provider, [1, 0, 0])
    # what is left is the float error of subtracting each client's offset (1e9 - 1.23...)
    assert flow.status == "optimal" and flow.cost_error_bound < 1e-7
    # With room for everyone at their cheapest, the answer's offset-free cost is exactly 0:
    # optimal whatever the rounding, for CP-SAT too.
    both = min_cost_assignment(cost, [2, 2], backend=CpSatBackend(num_workers=1))
    np.testing.assert_array_equal(both.provider, [1, 0, 1])
    assert both.status == "optimal" and both.cost_error_bound == 0.0


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"cost": [[-np.inf, 4.0], [2.0, 3.0]]}, r"cost\[0, 0\] = -inf is invalid"),
        (
            {"cost": [[1.0, 4.0], [2.0, -np.inf]], "allowed": np.array([[1, 1], [1, 0]], bool)},
            r"cost\[1, 1\] = -inf is invalid \(1 -inf value\(s\) in total\)",
        ),
        ({"cost": [[1.0, np.nan], [2.0, 3.0]]}, r"cost contains NaN at cost\[0, 1\]"),
        ({"cost": [[1.0, 4.0], [1e301, 3.0]]}, r"cost\[1, 0\] = 1e\+301 is too large"),
        ({"cost": [[1.0, -1e305], [2.0, 3.0]]}, r"cost\[0, 1\] = -1e\+305 is too large"),
        ({"cost": [[1 + 1j, 4.0], [2.0, 3.0]]}, r"cost must be numeric .*complex"),
        ({"unserved_cost": 1e301}, r"unserved_cost\[0\] = 1e\+301 is too large"),
        ({"unserved_cost": [1.0, -np.inf]}, r"unserved_cost\[1\] = -inf is invalid"),
        ({"unserved_cost": [np.nan, 1.0]}, r"unserved_cost\[0\] = nan is invalid"),
        ({"demand": [3, -1]}, r"demand\[1\] = -1\.0 is invalid"),
        ({"demand": [np.nan, 1]}, r"demand\[0\] = nan is invalid"),
        ({"capacity": [-1, 2]}, r"capacity\[0\] = -1\.0 is invalid"),
        ({"capacity": [2, np.nan]}, r"capacity\[1\] = nan is invalid"),
        ({"capacity": [[1, 2]]}, r"capacity has shape \(1, 2\) but cost has shape \(2, 2\)"),
        ({"cost": [[[1.0]]]}, r"cost must be a 2-D array .* got shape \(1, 1, 1\)"),
    ],
)
def test_bad_values_name_the_field_and_value(kwargs, pattern):
    args = {"cost": [[1.0, 4.0], [2.0, 3.0]], "capacity": [2, 2]} | kwargs
    with pytest.raises(InputError, match=pattern):
        min_cost_assignment(args.pop("cost"), args.pop("capacity"), **args)


def test_inf_still_means_not_allowed():
    res = min_cost_assignment([[np.inf, 4.0], [2.0, np.inf]], [1, 1])
    np.testing.assert_array_equal(res.provider, [1, 0])
    assert res.total_cost == 6.0


def test_largest_accepted_cost_is_exact():
    # 1e300 is accepted; with costs of the same order nothing is lost.
    cost = np.array([[1e300, 3e299], [2e299, 1e300]])
    res = min_cost_assignment(cost, [1, 1])
    np.testing.assert_array_equal(res.provider, [1, 0])
    assert res.total_cost == 5e299 and res.status == "optimal"


# --------------------------------------------------------------------------- fuzzing

NORMAL = st.integers(-8, 40).map(lambda k: k / 4.0)  # exact in binary, many ties
FLOATS = st.floats(-100.0, 100.0, allow_nan=False, allow_infinity=False)
TINY = st.builds(lambda m, s: s * m, st.floats(1e-12, 1e-6), st.sampled_from([1.0, -1.0]))
HUGE = st.floats(1e8, 1e18) | st.sampled_from([1e13, 1e15, 1e300, 1e302])
SPECIAL = st.sampled_from([np.inf, np.inf, -np.inf, np.nan, 0.0])
KINDS = {
    "normal": NORMAL | FLOATS,
    "tiny": TINY | NORMAL,
    "huge": HUGE | NORMAL,
    "negative": NORMAL.map(lambda v: -abs(v)) | HUGE.map(lambda v: -v) | TINY | NORMAL,
    "infinite": SPECIAL | NORMAL,
    "mixed": NORMAL | FLOATS | TINY | HUGE | SPECIAL,
}
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def extreme_instances(draw, max_n=5, max_p=3):
    kind = draw(st.sampled_from(sorted(KINDS)))
    values = KINDS[kind]
    n = draw(st.integers(1, max_n))
    p = draw(st.integers(1, max_p))
    cost = np.array(draw(st.lists(values, min_size=n * p, max_size=n * p))).reshape(n, p)
    demand = None
    if draw(st.booleans()):
        demand = np.array(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)))
    top = n if demand is None else int(demand.sum()) + 1
    capacity = np.array(
        draw(st.lists(st.integers(0, top) | st.just(np.inf), min_size=p, max_size=p)),
        dtype=float,
    )
    unserved = draw(st.none() | NORMAL.map(abs) | values)
    backend = draw(st.sampled_from(ALL))
    return kind, cost, capacity, demand, unserved, backend


def brute_force(cost, capacity, demand, unserved):
    """Cheapest integer assignment by enumeration: (cost, provider) or None if infeasible."""
    n, p = cost.shape
    d = np.ones(n) if demand is None else np.asarray(demand, dtype=float)
    u = np.full(n, np.inf) if unserved is None else np.broadcast_to(unserved, (n,))
    options = [
        [j for j in range(p) if np.isfinite(cost[i, j])] + ([-1] if np.isfinite(u[i]) else [])
        for i in range(n)
    ]
    best = None
    for choice in itertools.product(*options):
        ch = np.array(choice, dtype=int)
        load = np.bincount(ch[ch >= 0], weights=d[ch >= 0], minlength=p)
        if np.any(load > np.floor(capacity)):
            continue
        total = math.fsum(cost[i, j] if j >= 0 else u[i] for i, j in enumerate(choice))
        if best is None or total < best[0]:
            best = (total, ch)
    return best


def true_cost(cost, unserved, provider):
    n = len(provider)
    u = np.full(n, np.inf) if unserved is None else np.broadcast_to(unserved, (n,))
    return math.fsum(cost[i, j] if j >= 0 else u[i] for i, j in enumerate(provider.tolist()))


def offset_free_magnitude(cost, demand, unserved, provider):
    """What "optimal" is judged against: the larger of the answer's cost above each client's
    cheapest option and the smallest non-zero difference to a client's cheapest option."""
    n = cost.shape[0]
    u = np.full(n, np.inf) if unserved is None else np.broadcast_to(unserved, (n,))
    above, least = [], []
    for i in range(n):
        if demand is not None and demand[i] == 0:
            continue
        opts = [v for v in [*cost[i].tolist(), float(u[i])] if math.isfinite(v)]
        low = min(opts)
        least += [v - low for v in opts if v - low > 0]
        j = int(provider[i])
        above.append((cost[i, j] if j >= 0 else u[i]) - low)
    return max(math.fsum(above), min(least, default=0.0))


def check_result(res, cost, capacity, demand, unserved, backend, best):
    n = cost.shape[0]
    prov = res.provider
    served = prov >= 0
    # Every served client uses an allowed pair; the total is the true cost of what is returned.
    assert np.all(np.isfinite(cost[np.arange(n)[served], prov[served]]))
    total = true_cost(cost, unserved, prov)
    assert res.total_cost == pytest.approx(total, rel=1e-12, abs=1e-300)
    err = res.cost_error_bound
    assert 0.0 <= err < np.inf
    scale = math.fsum(abs(v) for v in [total, best[0] if best else 0.0])
    tol = 1e-12 * scale + 1e-300
    exact_model = demand is None or backend == "cpsat"
    if res.status == "optimal":
        assert res.gap == 0.0 and res.optimal
        # The promise behind "optimal": the rounding bound is negligible next to the
        # offset-free cost (a constant added to a client's costs cannot inflate it).
        assert err <= 1e-6 * offset_free_magnitude(cost, demand, unserved, prov) * (1 + 1e-6)
    if best is None:
        # Integer-infeasible: only the demand-weighted flow relaxation may still return.
        assert not exact_model
        return
    opt = best[0]
    if exact_model:
        # A feasible integer assignment, within the reported bound of the optimum.
        load = np.bincount(prov[served], weights=(np.ones(n) if demand is None else demand)[
            served], minlength=cost.shape[1])
        assert np.all(load <= np.floor(capacity))
        assert opt - tol <= total <= opt + err + tol
        assert res.bound <= opt + err + tol
    else:
        assert res.lp_cost <= opt + err + tol  # the flow relaxation bounds the optimum
        if res.status == "optimal":
            assert total <= opt + err + tol
        if not res.overflow.any():
            assert total >= opt - tol


@SETTINGS
@given(extreme_instances())
def test_fuzz_against_brute_force(inst):
    kind, cost, capacity, demand, unserved, backend = inst
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the default scale never warns
            res = min_cost_assignment(
                cost, capacity, demand=demand, unserved_cost=unserved, backend=_backend(backend)
            )
    except InputError as exc:
        event(f"{kind}: InputError")
        assert FIELD.search(str(exc)), str(exc)
        # Ordinary costs (0 or between 1e-3 and 100 in magnitude) are never refused.
        values = np.append(cost, [] if unserved is None else [unserved])
        assert not (kind == "normal" and np.all((values == 0) | (np.abs(values) >= 1e-3))), exc
        return
    except InfeasibleError:
        event(f"{kind}: infeasible")
        bad = np.isnan(cost).any() or (cost == -np.inf).any()
        assert not bad
        assert brute_force(cost, capacity, demand, unserved) is None
        return
    event(f"{kind}: {res.status}")
    assert not (np.isnan(cost).any() or (cost == -np.inf).any())
    best = brute_force(cost, capacity, demand, unserved)
    check_result(res, cost, capacity, demand, unserved, backend, best)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.integers(6, 15),
    st.integers(2, 4),
    st.sampled_from(["normal", "tiny", "huge", "negative", "mixed"]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_fuzz_backends_agree_on_bigger_instances(n, p, kind, weighted, seed):
    # Too big to enumerate: OR-Tools, networkx and CP-SAT check each other, each within its
    # reported bound (the flow relaxation is exact for unit demand).
    rng = np.random.default_rng(seed)
    cost = rng.integers(-8, 200, (n, p)) / 4.0
    if kind != "normal":
        mask = rng.random((n, p)) < 0.2
        extreme = {
            "tiny": 10.0 ** rng.uniform(-12, -6, (n, p)),
            "huge": 10.0 ** rng.uniform(8, 16, (n, p)),
            "negative": -(10.0 ** rng.uniform(-9, 14, (n, p))),
            "mixed": np.where(
                rng.random((n, p)) < 0.5, np.inf, 10.0 ** rng.uniform(-9, 15, (n, p))
            ),
        }[kind]
        cost = np.where(mask, extreme, cost)
    cost[:, 0] = np.where(np.isfinite(cost[:, 0]), cost[:, 0], 1.0)  # someone always allowed
    demand = rng.integers(1, 60, n) if weighted else None
    units = n if demand is None else int(demand.sum())
    capacity = np.full(p, math.ceil(units / p * 1.2))
    unserved = float(rng.choice([50.0, 1e3]))
    results = {}
    for backend in ALL:
        try:
            results[backend] = min_cost_assignment(
                cost, capacity, demand=demand, unserved_cost=unserved, backend=_backend(backend)
            )
        except InputError as exc:
            assert FIELD.search(str(exc)), str(exc)
    event(f"{kind}: {len(results)} of 3 solved")
    a, b = results.get("ortools"), results.get("networkx")
    tol = 1e-9 * max([1.0] + [abs(r.total_cost) for r in results.values()])
    if a is not None and b is not None:
        diff = abs(a.lp_cost - b.lp_cost)
        assert diff <= a.cost_error_bound + b.cost_error_bound + tol
    c = results.get("cpsat")
    for flow in (a, b):
        if flow is None or c is None:
            continue
        if demand is None:
            diff = abs(flow.total_cost - c.total_cost)
            assert diff <= flow.cost_error_bound + c.cost_error_bound + tol
        else:  # the relaxation bounds the exact model from below
            assert flow.lp_cost <= c.total_cost + flow.cost_error_bound + tol


@SETTINGS
@given(
    st.integers(1, 5),
    st.integers(1, 3),
    st.data(),
    st.sampled_from([1e-2, 0.1, 1.0, 10.0]),
    st.sampled_from(ALL),
)
def test_fuzz_forced_coarse_scale_keeps_its_bound(n, p, data, scale, backend):
    # A coarse scale given by the caller makes rounding matter: whatever the status, the
    # assignment is within cost_error_bound of the optimum, and a non-optimal result's bound is
    # a true lower bound. This exercises the flow backends' dual certificate.
    cost = np.array(data.draw(st.lists(NORMAL | FLOATS, min_size=n * p, max_size=n * p)))
    cost = cost.reshape(n, p)
    demand = data.draw(st.none() | st.lists(st.integers(0, 30), min_size=n, max_size=n))
    demand = None if demand is None else np.array(demand)
    top = n if demand is None else int(demand.sum()) + 1
    capacity = np.array(data.draw(st.lists(st.integers(0, top), min_size=p, max_size=p)), float)
    unserved = data.draw(NORMAL.map(abs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingWarning)
        try:
            res = min_cost_assignment(
                cost, capacity, demand=demand, unserved_cost=unserved,
                backend=_backend(backend), scale=scale,
            )
        except InputError as exc:  # only a scale too large for int64 (costs near 1e300)
            assert "overflow" in str(exc)
            return
    event(res.status)
    best = brute_force(cost, capacity, demand, unserved)
    assert best is not None  # everyone may stay unserved
    check_result(res, cost, capacity, demand, unserved, backend, best)
    if not res.optimal and (demand is None or backend == "cpsat"):
        tol = 1e-12 * (abs(best[0]) + abs(res.total_cost)) + 1e-300
        assert res.bound <= best[0] + tol
