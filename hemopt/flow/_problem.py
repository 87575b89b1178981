"""Validation of the numpy inputs into an immutable :class:`AssignmentProblem`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hemopt.errors import InputError

#: Largest total demand accepted (flow quantities must stay exact in float64 and int64).
MAX_TOTAL_DEMAND = 2**50
#: Largest finite |cost| or |unserved_cost| accepted (sums of costs must not overflow float64).
MAX_ABS_COST = 1e300


@dataclass(frozen=True, eq=False)
class AssignmentProblem:
    """A validated assignment problem (internal; built by :func:`validate`).

    Attributes
    ----------
    cost
        (n_clients, n_providers) float costs: the caller's array when it is already a
        float64 array (never written to), else a converted copy.
    allowed
        Boolean mask of the allowed (client, provider) pairs; ``cost`` is finite there.
    capacity
        Capacity per provider as given (float, ``inf`` for unbounded).
    capacity_int
        Capacity the integer solvers use: ``floor(min(capacity, total demand))``.
    demand
        Whole units each client needs (1 per client when no demand is given).
    weighted
        True when the caller gave ``demand``.
    unserved_cost
        Penalty per client of staying unserved; ``inf`` means the client must be served.
    reference
        ``(cheapest, smallest)`` of the caller's costs when ``cost`` and ``unserved_cost`` are
        offset-free (:func:`normalise`); None for the caller's own costs.
    """

    cost: NDArray[np.float64]
    allowed: NDArray[np.bool_]
    capacity: NDArray[np.float64]
    capacity_int: NDArray[np.int64]
    demand: NDArray[np.int64]
    weighted: bool
    unserved_cost: NDArray[np.float64]
    reference: tuple[float, float] | None = None

    @property
    def n_clients(self) -> int:
        return int(self.cost.shape[0])

    @property
    def n_providers(self) -> int:
        return int(self.cost.shape[1])

    @cached_property
    def arcs(self) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """(client, provider) of every allowed pair, sorted by client then provider."""
        ci, pj = np.nonzero(self.allowed)
        return ci, pj

    @cached_property
    def arc_cost(self) -> NDArray[np.float64]:
        ci, pj = self.arcs
        return self.cost[ci, pj]

    @property
    def can_be_unserved(self) -> NDArray[np.bool_]:
        return np.isfinite(self.unserved_cost)

    def subset(self, clients: NDArray[np.bool_]) -> AssignmentProblem:
        """The same problem restricted to the selected clients."""
        demand = self.demand[clients]
        total = int(demand.sum())
        return AssignmentProblem(
            cost=self.cost[clients],
            allowed=self.allowed[clients],
            capacity=self.capacity,
            capacity_int=np.minimum(self.capacity_int, total),
            demand=demand,
            weighted=self.weighted,
            unserved_cost=self.unserved_cost[clients],
            reference=self.reference,
        )

    def with_costs(
        self, cost: NDArray[np.float64], unserved_cost: NDArray[np.float64]
    ) -> AssignmentProblem:
        """The same network with other costs (used to diagnose infeasibility)."""
        return AssignmentProblem(
            cost=cost,
            allowed=self.allowed,
            capacity=self.capacity,
            capacity_int=self.capacity_int,
            demand=self.demand,
            weighted=self.weighted,
            unserved_cost=unserved_cost,
        )


def _float_array(name: str, value: Any, copy: bool | None = True) -> NDArray[np.float64]:
    try:
        if np.iscomplexobj(value):
            raise TypeError("complex values")
        arr = np.array(value, dtype=np.float64, copy=copy)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{name} must be numeric (real numbers); could not convert it ({exc})"
        ) from None
    return arr


def _check_magnitude(name: str, arr: NDArray[np.float64]) -> None:
    """Finite values must stay below ``MAX_ABS_COST`` so that sums of them cannot overflow."""
    if arr.size and -MAX_ABS_COST <= arr.min() and arr.max() <= MAX_ABS_COST:
        return  # every value finite and small (two passes, no temporary array)
    huge = np.argwhere(np.isfinite(arr) & (np.abs(arr) > MAX_ABS_COST))
    if len(huge):
        idx = tuple(int(k) for k in huge[0])
        where = ", ".join(map(str, idx))
        raise InputError(
            f"{name}[{where}] = {float(arr[idx])!r} is too large: finite costs must be at most "
            f"{MAX_ABS_COST:g} in magnitude (sums of costs would overflow); use np.inf or "
            "allowed=False for pairs that are not allowed, or rescale the costs"
        )


def validate(
    cost: ArrayLike,
    capacity: ArrayLike,
    demand: ArrayLike | None,
    allowed: ArrayLike | None,
    unserved_cost: ArrayLike | None,
) -> AssignmentProblem:
    """Check the arguments of ``min_cost_assignment`` and build the problem.

    Raises
    ------
    InputError
        Naming the argument and the offending value or index.
    """
    # not copied when already float64: nothing here or in the solvers writes to it
    c = _float_array("cost", cost, copy=None)
    if c.ndim != 2:
        raise InputError(f"cost must be a 2-D array (n_clients, n_providers); got shape {c.shape}")
    n, p = c.shape
    all_finite = bool(c.size) and bool(np.isfinite(c.min())) and bool(np.isfinite(c.max()))
    nan = np.zeros((0, 2), dtype=np.intp) if all_finite else np.argwhere(np.isnan(c))
    if len(nan):
        i, j = nan[0]
        raise InputError(
            f"cost contains NaN at cost[{i}, {j}] ({len(nan)} NaN value(s) in total); "
            "use np.inf or allowed=False for pairs that are not allowed"
        )
    neg_inf = np.zeros((0, 2), dtype=np.intp) if all_finite else np.argwhere(c == -np.inf)
    if len(neg_inf):
        i, j = neg_inf[0]
        raise InputError(
            f"cost[{i}, {j}] = -inf is invalid ({len(neg_inf)} -inf value(s) in total): costs "
            "must be finite, or np.inf for pairs that are not allowed; give a bonus as a finite "
            "negative cost"
        )
    _check_magnitude("cost", c)

    # allowed
    if allowed is None:
        ok = np.ones(c.shape, dtype=bool) if all_finite else np.isfinite(c)
    else:
        ok = np.array(allowed)
        if ok.dtype != np.bool_:
            raise InputError(f"allowed must be a boolean array; got dtype {ok.dtype}")
        if ok.shape != c.shape:
            raise InputError(
                f"allowed has shape {ok.shape} but cost has shape {c.shape}; they must match"
            )
        bad = np.zeros((0, 2), dtype=np.intp) if all_finite else np.argwhere(ok & ~np.isfinite(c))
        if len(bad):
            i, j = bad[0]
            raise InputError(
                f"allowed[{i}, {j}] is True but cost[{i}, {j}] = {float(c[i, j])!r} is not finite"
            )

    # demand
    weighted = demand is not None
    if demand is None:
        d = np.ones(n, dtype=np.int64)
    else:
        df = _float_array("demand", demand)
        if df.shape != (n,):
            raise InputError(
                f"demand has shape {df.shape} but cost has shape {c.shape}; "
                f"expected one value per client, shape ({n},)"
            )
        bad_idx = np.flatnonzero(~np.isfinite(df) | (df < 0))
        if len(bad_idx):
            k = bad_idx[0]
            raise InputError(
                f"demand[{k}] = {float(df[k])!r} is invalid: demand must be finite and non-negative"
            )
        rounded = np.rint(df)
        frac = np.flatnonzero(np.abs(df - rounded) > 1e-9 * np.maximum(1.0, np.abs(df)))
        if len(frac):
            k = frac[0]
            raise InputError(
                f"demand[{k}] = {float(df[k])!r} is not a whole number; give demand in whole units "
                "(e.g. minutes per week: np.rint(hours * 60))"
            )
        if rounded.sum() > MAX_TOTAL_DEMAND:
            raise InputError(
                f"total demand {rounded.sum():.3g} is too large (at most {MAX_TOTAL_DEMAND}); "
                "use a coarser unit"
            )
        d = rounded.astype(np.int64)
    total = int(d.sum())

    # capacity
    cap = _float_array("capacity", capacity)
    if cap.ndim == 0:
        cap = np.full(p, float(cap))
    if cap.shape != (p,):
        raise InputError(
            f"capacity has shape {cap.shape} but cost has shape {c.shape}; "
            f"expected one value per provider, shape ({p},)"
        )
    bad_idx = np.flatnonzero(np.isnan(cap) | (cap < 0))
    if len(bad_idx):
        k = bad_idx[0]
        raise InputError(
            f"capacity[{k}] = {float(cap[k])!r} is invalid: capacity must be non-negative "
            "(np.inf for unbounded)"
        )
    cap_int = np.floor(np.minimum(cap, float(total))).astype(np.int64)

    # unserved cost
    if unserved_cost is None:
        u = np.full(n, np.inf)
    else:
        u = _float_array("unserved_cost", unserved_cost)
        if u.ndim == 0:
            u = np.full(n, float(u))
        if u.shape != (n,):
            raise InputError(
                f"unserved_cost has shape {u.shape} but cost has shape {c.shape}; "
                f"expected a scalar or one value per client, shape ({n},)"
            )
        bad_idx = np.flatnonzero(np.isnan(u) | (u == -np.inf))
        if len(bad_idx):
            k = bad_idx[0]
            raise InputError(
                f"unserved_cost[{k}] = {float(u[k])!r} is invalid: give a finite penalty, "
                "or np.inf for a client that must be served"
            )
        _check_magnitude("unserved_cost", u)

    stranded = np.flatnonzero(~ok.any(axis=1) & ~np.isfinite(u))
    if len(stranded):
        k = stranded[0]
        raise InputError(
            f"client {k} has no allowed provider and no unserved_cost, so it can never be "
            f"served: cost[{k}, :] = {c[k].tolist()!r}"
            f"{'' if allowed is None else f', allowed[{k}, :] all False'} "
            f"({len(stranded)} such client(s): {stranded[:10].tolist()}); allow a "
            "provider or give an unserved_cost"
        )

    return AssignmentProblem(
        cost=c,
        allowed=np.ascontiguousarray(ok),
        capacity=cap,
        capacity_int=cap_int,
        demand=d,
        weighted=weighted,
        unserved_cost=u,
    )


# ------------------------------------------------------------------ per-client offsets
@dataclass(frozen=True, eq=False)
class Normalised:
    """An assignment problem with each client's cheapest option subtracted (internal).

    Attributes
    ----------
    problem
        The same network with costs ``cost - offset[i]`` and ``unserved_cost - offset[i]``:
        every client's cheapest option costs 0. Every assignment (and every flow, since a
        client's shares sum to 1) costs ``offset.sum()`` less than under the caller's costs,
        so the optimum is the same, and a constant added to a client's costs no longer sets
        the integer scale.
    offset
        (n_clients,) the offsets, as floats.
    error
        Bound on how much the shifted costs of any two assignments can differ from the true
        difference of their costs: twice the sum over clients of the largest error of a
        subtraction (0 when every subtraction is exact: integer costs, or costs within a
        factor of 2 of the offset).
    """

    problem: AssignmentProblem
    offset: NDArray[np.float64]
    error: float


def _two_diff(a: NDArray[np.float64], b: NDArray[np.float64]
              ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``a - b`` rounded, and its exact rounding error (Knuth's TwoSum)."""
    with np.errstate(invalid="ignore", over="ignore"):
        s = a - b
        bb = s - a
        err = (a - (s - bb)) + (-b - bb)
    return s, np.where(np.isfinite(err), err, 0.0)


def _reference(problem: AssignmentProblem) -> tuple[float, float]:
    """``(sum over clients of the cheapest |cost|, smallest non-zero |cost|)`` of the caller's
    per-client costs (what :func:`~hemopt.flow._scaling.cheapest_costs` gives for them)."""
    c = np.where(problem.allowed, np.abs(problem.cost), np.inf)
    u = np.abs(problem.unserved_cost)
    allc = np.concatenate([c, u[:, None]], axis=1) if c.size or len(u) else c
    if not allc.size:
        return 0.0, 0.0
    cheapest = allc.min(axis=1)
    cheapest = np.where(np.isfinite(cheapest), cheapest, 0.0)
    nz = np.where(allc > 0, allc, np.inf)
    small = nz.min()
    return float(cheapest.sum()), float(small) if np.isfinite(small) else 0.0


def normalise(problem: AssignmentProblem, int_cost: NDArray | None = None,
              int_unserved: NDArray | None = None) -> Normalised:
    """Subtract each client's cheapest option (the unserved cost included) from its costs.

    ``int_cost``, the caller's cost array when it is of an integer type, is shifted in integer
    arithmetic, exactly (``2**62 + 512 k`` is not exact in float64; its offsets are), and so is
    ``int_unserved``, the caller's unserved costs when they are integers (one per client).

    Examples
    --------
    >>> import numpy as np
    >>> p = validate(np.array([[1e14 + 3, 1e14 + 1], [1e14, 1e14 + 5]]), [1, 1], None, None,
    ...              None)
    >>> n = normalise(p)
    >>> n.problem.cost.tolist(), n.offset.tolist(), n.error
    ([[2.0, 0.0], [0.0, 5.0]], [100000000000001.0, 100000000000000.0], 0.0)
    """
    c, ok, u = problem.cost, problem.allowed, problem.unserved_cost
    n, p = c.shape
    if n == 0:
        return Normalised(problem, np.zeros(0), 0.0)
    off = np.minimum(np.where(ok, c, np.inf).min(axis=1) if p else np.full(n, np.inf), u)
    shifted = None
    if int_cost is not None and int_cost.shape == c.shape:
        shifted = _int_shift(int_cost, ok, u, int_unserved)
    if shifted is not None:
        sc, su, off, err_rows = shifted
    else:
        sc, ec = _two_diff(c, off[:, None])
        sc = np.where(ok, sc, np.inf)
        su, eu = _two_diff(u, off)
        su = np.where(np.isfinite(u), su, np.inf)
        ec = np.where(ok, np.abs(ec), 0.0)
        eu = np.where(np.isfinite(u), np.abs(eu), 0.0)
        err_rows = np.maximum(ec.max(axis=1) if p else np.zeros(n), eu)
    # a subtraction that rounds may leave -0.0 or a tiny negative: clamp at the cheapest, 0
    sc = np.where(ok, np.maximum(sc, 0.0), sc)
    su = np.maximum(su, 0.0)
    out = AssignmentProblem(
        cost=sc, allowed=ok, capacity=problem.capacity, capacity_int=problem.capacity_int,
        demand=problem.demand, weighted=problem.weighted, unserved_cost=su,
        reference=_reference(problem),
    )
    return Normalised(out, off.astype(np.float64), float(2.0 * err_rows.sum()))


def _int_shift(ci: NDArray, ok: NDArray[np.bool_], u: NDArray[np.float64],
               ui: NDArray | None = None) -> tuple[NDArray, NDArray, NDArray, NDArray] | None:
    """The integer path of :func:`normalise`, or None when it does not apply (unserved costs
    that are not whole numbers, values beyond int64)."""
    fin = np.isfinite(u)
    if ui is not None and ui.shape == u.shape:
        u64 = ui.astype(np.int64)
    elif fin.any() and not (np.all(u[fin] == np.rint(u[fin]))
                            and np.all(np.abs(u[fin]) < 2**53)):
        return None  # a float unserved cost that is not a whole number exact in float64
    else:
        u64 = np.where(fin, u, 0.0).astype(np.int64)
    try:
        c64 = ci.astype(np.int64, casting="safe")
    except TypeError:
        return None
    n = c64.shape[0]
    big = np.iinfo(np.int64).max
    off = np.where(ok, c64, big).min(axis=1) if c64.shape[1] else np.full(n, big)
    off = np.where(fin, np.minimum(off, u64), off)
    with np.errstate(over="ignore"):
        diff = c64 - off[:, None]
        du = u64 - off
    if np.any(ok & (diff < 0)) or np.any(fin & (du < 0)):
        return None  # the row spans beyond int64
    sc = np.where(ok, diff.astype(np.float64), np.inf)
    su = np.where(fin, du.astype(np.float64), np.inf)
    exact = 2**53
    ec = np.where(ok & (diff > exact), np.spacing(np.abs(np.where(ok, sc, 0.0))), 0.0)
    eu = np.where(fin & (du > exact), np.spacing(np.abs(np.where(fin, su, 0.0))), 0.0)
    err_rows = np.maximum(ec.max(axis=1) if ec.shape[1] else np.zeros(n), eu)
    return sc, su, off.astype(np.float64), err_rows
