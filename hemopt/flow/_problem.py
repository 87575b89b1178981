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
    """

    cost: NDArray[np.float64]
    allowed: NDArray[np.bool_]
    capacity: NDArray[np.float64]
    capacity_int: NDArray[np.int64]
    demand: NDArray[np.int64]
    weighted: bool
    unserved_cost: NDArray[np.float64]

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
