"""Provider assignment as a min-cost flow on plain numpy arrays (no GIS objects).

See :func:`min_cost_assignment` and ``docs/assignment.md``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hemopt.errors import InfeasibleError, InputError
from hemopt.flow._basis import ClientFlow, to_basic_flow
from hemopt.flow._problem import AssignmentProblem, normalise, validate
from hemopt.flow._scaling import MAX_RTOL, RTOL, ScaledCosts, ScalingWarning, user_stacklevel
from hemopt.flow.backends import (
    AssignmentBackend,
    BackendSolution,
    CostRangeTooWide,
    ModelInfeasible,
    get_backend,
)

__all__ = ["AssignmentResult", "min_cost_assignment"]


def _frozen(a: NDArray) -> NDArray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class AssignmentResult:
    """The result of :func:`min_cost_assignment`. Arrays are read-only.

    Attributes
    ----------
    provider
        (n_clients,) int: the provider index of each client, -1 when unserved.
    total_cost
        Cost of the assignment recomputed from the original float costs:
        ``sum(cost[i, provider[i]])`` over served clients plus ``unserved_cost[i]`` over the
        unserved ones.
    unserved
        Indices of the unserved clients.
    load
        (n_providers,) float: clients (no ``demand``) or demand units assigned to each provider.
    capacity
        (n_providers,) float: the capacities as given (``inf`` = unbounded).
    overflow
        (n_providers,) float: ``max(load - capacity, 0)``; non-zero only when rounding split
        clients pushed a provider over its capacity.
    split_clients
        Indices of the clients the flow split between providers (or between a provider and
        unserved); each was rounded to the option carrying its largest share. Empty for unit
        demand and for CP-SAT.
    split_shares
        (len(split_clients), n_providers + 1) float: each split client's share of its demand per
        provider, last column unserved; rows sum to 1.
    lp_cost
        Flow backends: cost of the (possibly fractional) optimal flow, a lower bound on the
        exact integer optimum up to ``cost_error_bound``. None for CP-SAT.
    bound
        Proven lower bound on the optimal cost: ``lp_cost`` for the flow backends, CP-SAT's best
        objective bound for CP-SAT (both in original units). When rounding the costs is
        negligible (see ``cost_error_bound``) it holds up to that bound; otherwise
        ``cost_error_bound`` has been subtracted, so it holds outright.
    gap
        ``(total_cost - bound) / max(|total_cost|, |bound|)`` clamped at 0 (0 when optimal):
        the proven relative gap for CP-SAT, the rounding gap for a split flow, and it includes
        ``cost_error_bound`` when the rounding of costs is not negligible. With overflow the
        rounded assignment breaks a capacity and may cost less than ``bound``.
    optimal
        True when the assignment is proven optimal up to ``cost_error_bound`` and that bound is
        negligible: at most 1e-6 of the answer's cost above every client's cheapest option (or
        of the least non-zero step between a client's options), so that no offset added to
        the costs can inflate it; unit-demand flows, demand-weighted flows that split no
        client, CP-SAT with status OPTIMAL.
    status
        ``"optimal"``; ``"feasible"`` (within capacities, not proven optimal: CP-SAT stopped by
        its time limit, a rounded split flow without overflow, or integer rounding of the costs
        that may matter, see Notes); or ``"overflow"`` (rounded flow exceeding some capacity,
        see ``overflow``).
    backend
        Name of the backend used.
    demand_weighted
        Whether ``demand`` was given (``load`` and ``capacity`` then in demand units).
    scale
        Multiplier that turned float costs into integers (see ``docs/assignment.md``).
    cost_error_bound
        Upper bound on how much more than the true optimum the assignment may cost because of
        that rounding (in cost units): a priori for CP-SAT, certified after solving (LP
        duality) for the flow backends when the a-priori bound is not negligible.
    wall_time_s
        Seconds spent in the backend.

    Examples
    --------
    >>> import numpy as np
    >>> from hemopt import min_cost_assignment
    >>> res = min_cost_assignment(np.array([[1.0, 3.0], [2.0, 1.0], [1.5, 2.0]]), [1, 1],
    ...                           unserved_cost=10.0)
    >>> res.provider.tolist(), res.unserved.tolist(), res.total_cost
    ([0, 1, -1], [2], 12.0)
    """

    provider: NDArray[np.int64]
    total_cost: float
    unserved: NDArray[np.int64]
    load: NDArray[np.float64]
    capacity: NDArray[np.float64]
    overflow: NDArray[np.float64]
    split_clients: NDArray[np.int64]
    split_shares: NDArray[np.float64]
    lp_cost: float | None
    bound: float
    gap: float
    optimal: bool
    status: str
    backend: str
    demand_weighted: bool
    scale: float
    cost_error_bound: float
    wall_time_s: float = field(repr=False)

    @property
    def n_clients(self) -> int:
        return int(self.provider.shape[0])

    @property
    def n_providers(self) -> int:
        return int(self.load.shape[0])

    @property
    def served(self) -> NDArray[np.bool_]:
        """Boolean mask of the served clients."""
        return self.provider >= 0

    @property
    def rounding_gap(self) -> float | None:
        """``total_cost - lp_cost``: what rounding split clients cost (None for CP-SAT)."""
        return None if self.lp_cost is None else self.total_cost - self.lp_cost

    def __repr__(self) -> str:
        return (
            f"AssignmentResult(backend={self.backend!r}, status={self.status!r}, "
            f"total_cost={self.total_cost:.6g}, n_clients={self.n_clients}, "
            f"n_providers={self.n_providers}, unserved={len(self.unserved)}, "
            f"split={len(self.split_clients)}, overflow={float(self.overflow.sum()):.6g}, "
            f"gap={self.gap:.3g})"
        )


def min_cost_assignment(
    cost: ArrayLike,
    capacity: ArrayLike,
    *,
    demand: ArrayLike | None = None,
    allowed: ArrayLike | None = None,
    unserved_cost: ArrayLike | None = None,
    backend: str | AssignmentBackend = "ortools",
    time_limit_s: float = 10.0,
    scale: float | None = None,
) -> AssignmentResult:
    """Assign clients to providers at minimum total cost within the providers' capacities.

    Solved as a min-cost flow: each client sends its demand (1, or e.g. its weekly minutes)
    over an allowed client -> provider arc to a sink; provider -> sink arcs carry the
    capacities; a client -> sink arc at ``unserved_cost`` lets a client go unserved.

    Parameters
    ----------
    cost : array_like, shape (n_clients, n_providers)
        Cost of serving client ``i`` entirely by provider ``j`` (per client, not per unit of
        demand). ``np.inf`` where not allowed. NaN is an error.
    capacity : array_like, shape (n_providers,) or scalar
        Per provider: clients it can take (no ``demand``) or demand units (with ``demand``).
        ``np.inf`` for unbounded. Fractional capacities are floored, which loses nothing as
        demands are whole numbers.
    demand : array_like, shape (n_clients,), optional
        Whole, non-negative units each client needs (e.g. minutes per week). Non-integer values
        are an error: convert them first (``np.rint(hours * 60)``). Clients of zero demand use
        no capacity and take their cheapest option.
    allowed : array_like of bool, shape (n_clients, n_providers), optional
        Allowed pairs; default ``np.isfinite(cost)``. Must be False where ``cost`` is not finite.
    unserved_cost : float or array_like, shape (n_clients,), optional
        Penalty of leaving a client unserved (``np.inf`` = must be served). None: every client
        must be served, and :class:`~hemopt.errors.InfeasibleError` names clients that cannot
        be when capacity falls short. With a penalty, missing capacity is not an error: the
        surplus clients go unserved at the penalty and are reported.
    backend : {"ortools", "networkx", "cpsat"} or AssignmentBackend
        ``"ortools"``: OR-Tools ``SimpleMinCostFlow``. ``"networkx"``: ``network_simplex`` on the
        same network (reference). ``"cpsat"``: exact integer model with OR-Tools CP-SAT.
    time_limit_s : float
        CP-SAT's time limit (the flow backends always run to optimality).
    scale : float, optional
        Multiplier applied to the unit costs before rounding them to int64 (see Notes).

    Returns
    -------
    AssignmentResult

    Raises
    ------
    InputError
        Mismatched shapes, NaN or ``-inf`` costs, finite costs above 1e300 in magnitude,
        negative or NaN capacity or demand, ``allowed`` where cost is not finite, a client with
        no allowed provider and no unserved cost, unknown backend; and costs spanning more than
        the integer solver can represent exactly (see Notes). The message names the argument,
        the position and the value.
    InfeasibleError
        When clients that must be served cannot all be (the message names them; the error's
        ``clients`` attribute holds their indices).
    SolverError
        When a solver fails (e.g. CP-SAT finds no solution within ``time_limit_s``).

    Warns
    -----
    ScalingWarning
        When a ``scale`` given by the caller rounds the costs so coarsely that the optimum could
        change by more than 1e-6 of the problem's magnitude (the result is then ``"feasible"``).

    Notes
    -----
    **Unit costs.** Without ``demand`` (and always for CP-SAT) the unit of flow is the client and
    the unit costs are ``cost`` and ``unserved_cost``. With ``demand`` the flow backends send
    ``demand[i]`` units and the unit cost is ``cost[i, j] / demand[i]``: a client split between
    providers costs the demand-weighted mix of its costs (the LP relaxation of the exact model).

    **Integer scaling.** OR-Tools (and exact network simplex) need integer costs. Unit costs are
    multiplied by ``scale`` and rounded to the nearest integer. By default ``scale`` is the
    largest power of ten for which the largest |unit cost| maps to at most
    ``min(1e12, (2**63 - 1) / (16 * h))``, ``h`` being what the solver multiplies costs by
    (flow: max(total demand, nodes + 1); CP-SAT: number of variables). Costs with few decimals
    thus stay exact. Rounding moves a solution's cost by at most the rounding residuals along
    its flow, so the result costs at most ``cost_error_bound`` more than the true optimum; the
    flow backends tighten that bound with a dual certificate after solving.
    ``total_cost`` is always recomputed from the original float costs.

    **Range check.** ``cost_error_bound`` is compared with the problem's magnitude, the sum of
    the clients' cheapest |cost| (or the smallest non-zero |cost| if that is 0), so huge costs
    that no optimum needs cannot hide what rounding does to the small ones. Up to 1e-6 of it,
    the result is as the solver proved it. Up to 1e-3, it is returned as ``"feasible"`` with
    ``bound`` lowered by ``cost_error_bound``. Beyond that the default scale raises
    :class:`~hemopt.errors.InputError` naming the largest and the smallest cost and their
    span: mark pairs that must not be used with ``allowed=False`` or ``np.inf`` rather than a
    huge cost (``+inf`` means not allowed; ``-inf`` is an error). With ``scale=`` given, a
    :class:`ScalingWarning` is issued instead and the result is ``"feasible"``.

    **Splits.** With ``demand`` the optimal flow may split a client between providers. The flow
    is first made basic (zero-cost cycles of partly used arcs are cancelled, at no cost), so at
    most ``n_providers - 1`` clients are split (``n_providers`` when clients may stay
    unserved). Each split client is rounded
    to the option carrying its largest share; ``split_clients``, ``split_shares`` and
    ``overflow`` report what that did, ``lp_cost`` is the unrounded cost (a lower bound on the
    exact optimum) and ``gap`` the relative rounding gap. ``backend="cpsat"`` solves the exact
    integer model instead.

    Examples
    --------
    Three clients, two providers; provider 0 takes one client:

    >>> import numpy as np
    >>> from hemopt.flow import min_cost_assignment
    >>> cost = np.array([[1.0, 4.0],
    ...                  [2.0, 3.0],
    ...                  [5.0, 1.0]])
    >>> res = min_cost_assignment(cost, capacity=[1, 2])
    >>> res.provider
    array([0, 1, 1])
    >>> res.total_cost
    5.0
    >>> res.load
    array([1., 2.])

    With too little capacity and a penalty, the client that is cheapest to drop stays
    unserved (1 + 1 + 10 beats 1 + 3 + 10):

    >>> res = min_cost_assignment(cost, capacity=[1, 1], unserved_cost=10.0)
    >>> res.provider, res.unserved, res.total_cost
    (array([ 0, -1,  1]), array([1]), 12.0)

    With demand in minutes the flow may split a client: here client 1 sends 40 % of its
    minutes to provider 0. It is rounded to its largest share, and the rounding gap and any
    overflow are reported (``backend="cpsat"`` solves the exact integer model instead):

    >>> res = min_cost_assignment(cost, capacity=[60, 90], demand=[40, 50, 30])
    >>> res.split_clients, res.split_shares
    (array([1]), array([[0.4, 0.6, 0. ]]))
    >>> res.provider, res.load, res.overflow, res.status
    (array([0, 1, 1]), array([40., 80.]), array([0., 0.]), 'feasible')
    >>> round(res.lp_cost, 9), res.total_cost, round(res.gap, 9)
    (4.6, 5.0, 0.08)
    """
    problem = validate(cost, capacity, demand, allowed, unserved_cost)
    int_cost = _integer_input(cost)
    int_unserved = _integer_input(unserved_cost) if unserved_cost is not None else None
    if int_unserved is not None:
        int_unserved = np.broadcast_to(int_unserved, (problem.n_clients,))
    be = get_backend(backend)
    time_limit_s = _positive("time_limit_s", time_limit_s)
    if scale is not None:
        scale = _positive("scale", scale)

    n, p = problem.n_clients, problem.n_providers
    provider = np.full(n, -1, dtype=np.int64)
    active = problem.demand > 0
    _resolve_zero_demand(problem, ~active, provider)

    t0 = time.perf_counter()
    sub = problem if active.all() else problem.subset(active)
    sol, norm = None, None
    if active.any():
        # Each client's cheapest option (unserved included) is subtracted first: the optimum
        # is the same, and an offset common to a client's costs cannot coarsen the scale.
        norm = normalise(sub, None if int_cost is None else int_cost[active],
                         None if int_unserved is None else int_unserved[active])
        sol = _solve(be, norm.problem, time_limit_s, scale, np.flatnonzero(active), sub)
    wall = time.perf_counter() - t0

    zero_cost = _zero_demand_cost(problem, ~active, provider)
    lp_cost: float | None = zero_cost if be.fractional else None
    bound = zero_cost  # lower bound on the optimum; exact when no client has demand
    optimal, status = True, "optimal"
    scale_used, error_bound = (1.0 if scale is None else scale), 0.0
    split = np.zeros(0, dtype=np.int64)
    split_shares = np.zeros((0, p + 1), dtype=np.float64)
    rounding_matters = False
    if sol is not None and norm is not None:
        nsub = norm.problem
        offsets = float(np.sum(norm.offset))
        scale_used = sol.scaled.scale
        flow = sol.flow(nsub)
        if sol.fractional:
            flow = to_basic_flow(nsub, flow)
        split_shares = flow.split_flow / nsub.demand[flow.split, None]
        shifted = _flow_cost(nsub, flow, split_shares)
        if shifted == 0.0:
            # every client at an option of its exact minimum cost: optimal whatever rounding did
            error_bound = 0.0
        else:
            error_bound = sol.scaled.error_bound + norm.error
        least = sol.scaled.least if sol.scaled.least is not None else sol.scaled.smallest
        # "optimal" only when what rounding may have cost is negligible next to the
        # offset-free cost of the answer (or the least a client's choice changes it)
        rounding_matters = error_bound > RTOL * max(shifted, least)
        if rounding_matters:
            _check_rounding(
                sub, np.flatnonzero(active), replace(sol.scaled, error_bound=error_bound),
                be.fractional and sub.weighted, scale
            )
        # Largest share wins; ties go to the lowest provider index, unserved (last) loses them.
        choice = flow.option.copy()
        choice[flow.split] = np.argmax(flow.split_flow, axis=1)
        provider[active] = np.where(choice == p, -1, choice)
        split = np.flatnonzero(active)[flow.split]
        if sol.fractional:
            lp_cost = zero_cost + offsets + shifted
            bound = lp_cost
        else:
            lp_cost = None
            bound = zero_cost + offsets + (sol.bound if sol.bound is not None else -np.inf)
        optimal, status = sol.optimal, sol.status
        if rounding_matters:
            # Honest: the rounded model's optimum is only within error_bound of the true one.
            bound -= error_bound
            optimal, status = False, "feasible"

    served = provider >= 0
    total = _assignment_cost(problem, provider)
    weights = problem.demand.astype(np.float64)
    load = np.bincount(provider[served], weights=weights[served], minlength=p).astype(np.float64)
    overflow = np.maximum(load - problem.capacity, 0.0)
    if len(split):
        optimal = False
        status = "overflow" if overflow.any() else "feasible"
    gap = 0.0 if optimal else _relative_gap(total, bound)

    return AssignmentResult(
        provider=_frozen(provider),
        total_cost=total,
        unserved=_frozen(np.flatnonzero(~served).astype(np.int64)),
        load=_frozen(load),
        capacity=_frozen(problem.capacity.copy()),
        overflow=_frozen(overflow),
        split_clients=_frozen(split.astype(np.int64)),
        split_shares=_frozen(split_shares),
        lp_cost=lp_cost,
        bound=float(bound),
        gap=gap,
        optimal=bool(optimal),
        status=status,
        backend=str(be.name),
        demand_weighted=problem.weighted,
        scale=float(scale_used),
        cost_error_bound=float(error_bound),
        wall_time_s=wall,
    )


def _check_rounding(
    sub: AssignmentProblem,
    index: NDArray[np.intp],
    scaled: ScaledCosts,
    per_unit: bool,
    scale: float | None,
) -> None:
    """Refuse (default scale) or warn (caller's scale) when rounding may matter.

    Called when ``scaled.error_bound`` exceeds ``RTOL x scaled.magnitude``. With the default
    scale, a bound above ``MAX_RTOL x magnitude`` means the costs span more than the integer
    solver represents exactly: :class:`~hemopt.errors.InputError` naming the largest and the
    smallest non-zero cost. Between the two the result is returned as ``"feasible"``.
    """
    if scale is not None:
        warnings.warn(
            f"rounding costs to integers (scale={scale:g}) may change the optimum: the result "
            f"can cost up to {scaled.error_bound:.3g} more than the true optimum "
            f"({scaled.describe_magnitude()}); it is reported as 'feasible' with that bound in "
            "`bound` and `gap`; pass a larger `scale` or scale=None",
            ScalingWarning,
            stacklevel=user_stacklevel(),
        )
        return
    if scaled.error_bound <= MAX_RTOL * scaled.magnitude:
        return
    ci, pj = sub.arcs
    uc = np.flatnonzero(sub.can_be_unserved)
    per_client = np.concatenate([sub.arc_cost, sub.unserved_cost[uc]])
    owner = np.concatenate([ci, uc])
    unit = np.abs(per_client / sub.demand[owner]) if per_unit else np.abs(per_client)
    big = int(np.argmax(unit))
    small = int(np.flatnonzero(unit == unit[unit > 0].min())[0])

    def name(k: int) -> str:
        i = int(index[owner[k]])
        where = f"cost[{i}, {int(pj[k])}]" if k < len(ci) else f"unserved_cost[{i}]"
        text = f"{where} = {per_client[k]:.6g}"
        if per_unit and sub.demand[owner[k]] != 1:
            text += f" (demand[{i}] = {int(sub.demand[owner[k]])}: {unit[k]:.3g} per unit)"
        return text

    with np.errstate(over="ignore"):
        span = unit[big] / unit[small]
    per = " per unit of demand" if per_unit else ""
    raise InputError(
        f"{name(big)} is too large next to the other costs: the costs{per} span "
        f"{unit[big]:.3g}/{unit[small]:.3g} = {span:.3g} ({name(small)} is the smallest "
        f"non-zero one), more than the integer solver can represent exactly (integers up to "
        f"{scaled.limit:.3g}): at scale={scaled.scale:g} costs are rounded to multiples of "
        f"{1 / scaled.scale:.3g}, so the assignment found could cost up to "
        f"{scaled.error_bound:.3g} more than the optimum ({scaled.describe_magnitude()}). "
        "Mark pairs that must not be used with allowed=False or "
        "np.inf instead of a huge cost, use a smaller unserved_cost (np.inf if a client must "
        "be served), or rescale the costs to a narrower range"
    )


def _integer_input(cost: ArrayLike) -> NDArray | None:
    """The caller's cost array when it is of an integer type (shifted exactly), else None."""
    if isinstance(cost, np.ndarray):
        return cost if cost.dtype.kind in "iu" else None
    try:
        arr = np.asarray(cost)
    except (TypeError, ValueError):
        return None
    return arr if arr.dtype.kind in "iu" else None


def _positive(name: str, value: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a positive number; got {value!r}") from None
    if not (np.isfinite(v) and v > 0):
        raise InputError(f"{name} must be a positive finite number; got {value!r}")
    return v


def _solve(
    be: AssignmentBackend,
    sub: AssignmentProblem,
    time_limit_s: float,
    scale: float | None,
    index: NDArray[np.intp],
    caller: AssignmentProblem | None = None,
) -> BackendSolution:
    """Run the backend on ``sub`` (offset-free costs); on infeasibility find clients that cannot
    be served and raise. ``caller`` holds the caller's costs, named in messages."""
    try:
        return be.solve(sub, time_limit_s=time_limit_s, scale=scale)
    except ModelInfeasible:
        pass
    except CostRangeTooWide as exc:
        _check_rounding(caller if caller is not None else sub, index, exc.scaled,
                        be.fractional and sub.weighted, scale)
        raise  # pragma: no cover - _check_rounding raises for such costs
    # Diagnose: no costs, penalty 1 per must-serve client left unserved, 0 for the others.
    must = ~sub.can_be_unserved
    diag = sub.with_costs(np.where(sub.allowed, 0.0, np.inf), np.where(must, 1.0, 0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScalingWarning)
        try:
            sol = be.solve(diag, time_limit_s=time_limit_s, scale=None)
            stuck = np.flatnonzero(must & (sol.unserved_flow > 0))
        except Exception:  # the diagnosis is best effort
            stuck = np.zeros(0, dtype=np.intp)
    clients = index[stuck]
    if len(clients):
        shortfall = int(sub.demand[stuck].sum())
        units = f", {shortfall} demand units" if sub.weighted else ""
        shown = clients[:10].tolist()
        more = f" and {len(clients) - 10} more" if len(clients) > 10 else ""
        msg = (
            f"the capacities cannot serve every client that must be served: "
            f"{len(clients)} client(s) cannot be placed{units}, e.g. clients "
            f"{shown}{more}; give them an unserved_cost or raise capacity"
        )
    else:
        msg = (
            "the capacities cannot serve every client that must be served; give clients an "
            "unserved_cost or raise capacity"
        )
    err = InfeasibleError(msg)
    err.clients = clients  # type: ignore[attr-defined]
    raise err


def _resolve_zero_demand(
    problem: AssignmentProblem, zero: NDArray[np.bool_], provider: NDArray[np.int64]
) -> None:
    """Clients without demand use no capacity: give each its cheapest option."""
    if not zero.any():
        return
    c = np.where(problem.allowed[zero], problem.cost[zero], np.inf)
    best = np.argmin(c, axis=1) if problem.n_providers else np.zeros(zero.sum(), np.intp)
    best_cost = c[np.arange(len(best)), best] if problem.n_providers else np.full(len(best), np.inf)
    u = problem.unserved_cost[zero]
    provider[zero] = np.where(best_cost <= u, best, -1)


def _zero_demand_cost(
    problem: AssignmentProblem, zero: NDArray[np.bool_], provider: NDArray[np.int64]
) -> float:
    idx = np.flatnonzero(zero)
    pr = provider[idx]
    served = pr >= 0
    return float(
        problem.cost[idx[served], pr[served]].sum() + problem.unserved_cost[idx[~served]].sum()
    )


def _assignment_cost(problem: AssignmentProblem, provider: NDArray[np.int64]) -> float:
    served = provider >= 0
    idx = np.arange(problem.n_clients)
    return float(
        problem.cost[idx[served], provider[served]].sum() + problem.unserved_cost[~served].sum()
    )


def _flow_cost(sub: AssignmentProblem, flow: ClientFlow,
               split_shares: NDArray[np.float64]) -> float:
    """Cost of the flow: the clients it sends whole at their option, the split ones at their
    shares (per provider, last column unserved)."""
    p = sub.n_providers
    whole = np.flatnonzero(flow.option >= 0)
    pr = flow.option[whole]
    served = pr < p
    cost = float(sub.cost[whole[served], pr[served]].sum()
                 + sub.unserved_cost[whole[~served]].sum())
    s = flow.split
    if len(s):
        c = np.where(sub.allowed[s], sub.cost[s], 0.0)
        u = np.where(np.isfinite(sub.unserved_cost[s]), sub.unserved_cost[s], 0.0)
        cost += float(np.sum(split_shares[:, :p] * c) + np.dot(split_shares[:, p], u))
    return cost


def _relative_gap(value: float, bound: float) -> float:
    if not np.isfinite(bound):
        return np.inf
    denom = max(abs(value), abs(bound))
    if denom == 0.0:
        return 0.0
    return max(0.0, (value - bound) / denom)
