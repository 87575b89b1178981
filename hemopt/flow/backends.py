"""Swappable solvers for the assignment problem, behind a small Protocol.

A backend takes a validated :class:`~hemopt.flow._problem.AssignmentProblem` whose clients
all have positive demand and returns a :class:`BackendSolution`: how many units of each
client's demand go to each allowed provider and how many stay unserved. Rounding, loads,
overflow and costs are computed from that in one place (:mod:`hemopt.flow.solve`), so every
backend is read the same way.

Backends in :data:`BACKENDS`:

``"ortools"``
    OR-Tools ``SimpleMinCostFlow`` (cost-scaling push-relabel), the network built from numpy
    arrays in one call, identical clients collapsed into one node
    (:mod:`hemopt.flow._collapse`); a large network is solved first on each client's
    cheapest arcs and certified optimal on the whole (:func:`_solve_pruned`).
``"networkx"``
    ``networkx.network_simplex`` on the same integer network: the reference for tests and
    benchmarks.
``"cpsat"``
    OR-Tools CP-SAT on the exact integer model (every client to exactly one allowed provider or
    unserved), with a time limit, a proven bound and gap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from hemopt.errors import InputError, SolverError
from hemopt.flow._basis import ClientFlow
from hemopt.flow._collapse import ClientGroups, expand, group_clients
from hemopt.flow._scaling import MAX_RTOL, RTOL, ScaledCosts, integer_costs

if TYPE_CHECKING:
    from hemopt.flow._problem import AssignmentProblem

__all__ = [
    "BACKENDS",
    "AssignmentBackend",
    "BackendSolution",
    "CostRangeTooWide",
    "CpSatBackend",
    "FlowNetwork",
    "ModelInfeasible",
    "NetworkxFlowBackend",
    "OrToolsFlowBackend",
    "build_flow_network",
    "dual_error_bound",
    "get_backend",
]


class ModelInfeasible(Exception):
    """Raised by a backend when its model has no solution (turned into InfeasibleError)."""


class CostRangeTooWide(Exception):
    """Raised by a backend, before solving, when rounding is known to be too coarse.

    Only for backends without an a-posteriori certificate (CP-SAT), with the default scale:
    ``scaled.error_bound`` exceeds ``MAX_RTOL x scaled.magnitude``, so the result would be
    refused anyway. :func:`~hemopt.flow.min_cost_assignment` turns it into the same
    :class:`~hemopt.errors.InputError` as after solving.
    """

    def __init__(self, scaled: ScaledCosts) -> None:
        super().__init__("cost range too wide for the integer model")
        self.scaled = scaled


@dataclass(frozen=True, eq=False)
class BackendSolution:
    """What a backend found.

    Attributes
    ----------
    arc_flow
        Units of demand sent along each allowed pair, in the order of ``problem.arcs``; None
        when ``client_flow`` is given instead.
    unserved_flow
        Units of each client's demand left unserved.
    status
        ``"optimal"`` or ``"feasible"`` (a solution without proof of optimality).
    optimal
        Whether the backend proved the solution optimal for the model it solved.
    bound
        Proven lower bound on the objective in original cost units, or None when the backend
        has none of its own (the flow relaxation's cost is then the bound).
    fractional
        True when the model is the flow relaxation (a client may be split between providers).
    scaled
        The integer costs the backend used.
    client_flow
        Where each client's demand goes (:class:`~hemopt.flow._basis.ClientFlow`): what a
        backend that collapses identical clients returns (then ``arc_flow`` is None).
    """

    arc_flow: NDArray[np.int64] | None
    unserved_flow: NDArray[np.int64]
    status: str
    optimal: bool
    bound: float | None
    fractional: bool
    scaled: ScaledCosts
    client_flow: ClientFlow | None = None

    def flow(self, problem: AssignmentProblem) -> ClientFlow:
        """Where each client's demand goes."""
        if self.client_flow is not None:
            return self.client_flow
        assert self.arc_flow is not None
        return ClientFlow.from_arcs(problem, self.arc_flow, self.unserved_flow)


@runtime_checkable
class AssignmentBackend(Protocol):
    """The interface every backend implements (see :data:`BACKENDS`).

    Attributes
    ----------
    name
        Reported as ``AssignmentResult.backend``.
    fractional
        True when the backend solves the flow relaxation (clients may be split), False when it
        solves the exact integer model.
    """

    @property
    def name(self) -> str: ...

    @property
    def fractional(self) -> bool: ...

    def solve(
        self, problem: AssignmentProblem, *, time_limit_s: float, scale: float | None
    ) -> BackendSolution:
        """Solve ``problem`` (all clients have demand >= 1).

        Raises :class:`ModelInfeasible` when no solution exists and
        :class:`~hemopt.errors.SolverError` on any other failure.
        """
        ...


# --------------------------------------------------------------------------- flow network


@dataclass(frozen=True, eq=False)
class FlowNetwork:
    """The integer min-cost-flow network of an assignment problem.

    Nodes: clients ``0..n-1`` (supply = demand; they stand for the source's arcs), providers
    ``n..n+p-1``, sink ``n+p`` (demand = total demand). Arcs, in this order: every allowed
    client -> provider pair (capacity = the client's demand, cost = cost / demand per unit),
    client -> sink "unserved" arcs for the clients with a finite ``unserved_cost``, and
    provider -> sink arcs with the provider's capacity (unbounded = total demand) at cost 0.
    ``unit_costs`` are the scaled, rounded integer costs, ``float_costs`` the true ones.

    With ``groups`` the client nodes are groups of identical clients
    (:mod:`hemopt.flow._collapse`): node ``g`` has the supply of all its clients, and its arcs
    (those of its first client, at the same unit costs) carry up to that supply.
    """

    n_nodes: int
    tails: NDArray[np.int32]
    heads: NDArray[np.int32]
    capacities: NDArray[np.int64]
    unit_costs: NDArray[np.int64]
    arc_float_costs: NDArray[np.float64]
    supplies: NDArray[np.int64]
    n_assign_arcs: int
    unserved_clients: NDArray[np.intp]
    scaled: ScaledCosts
    groups: ClientGroups | None = None
    assign_arcs: tuple[NDArray[np.intp], NDArray[np.intp]] | None = None
    demand: NDArray[np.int64] | None = None

    def optimal_solution(self, flows: NDArray[np.int64], n_clients: int) -> BackendSolution:
        """The :class:`BackendSolution` of an optimal flow on this network (flow backends).

        When the a-priori rounding bound is not negligible, it is tightened with
        :func:`dual_error_bound` (the smaller of the two is reported).
        """
        scaled = self.scaled
        # the flow's cost at the (offset-free) true costs: a bound far below it needs no
        # certificate (the judgement of min_cost_assignment)
        found = float(np.dot(self.float_costs, flows)) if not scaled.negligible else 0.0
        if not scaled.negligible and not scaled.error_bound <= RTOL * found:
            certified = dual_error_bound(self, flows)
            if certified < scaled.error_bound:
                scaled = replace(scaled, error_bound=certified)
        client_flow = None
        if self.groups is None:
            arc_flow, unserved = self.split_flows(flows, n_clients)
        else:
            # collapsed clients: the flow is expanded back per client, not per arc
            client_flow = self.expanded(flows)
            assert self.demand is not None
            unserved = np.where(client_flow.option == self.n_nodes - self.groups.n_groups - 1,
                                self.demand, 0)
            unserved[client_flow.split] = client_flow.split_flow[:, -1]
            arc_flow = None
        return BackendSolution(
            arc_flow=arc_flow,
            unserved_flow=unserved,
            status="optimal",
            optimal=True,
            bound=None,
            fractional=True,
            scaled=scaled,
            client_flow=client_flow,
        )

    @property
    def float_costs(self) -> NDArray[np.float64]:
        """The true (float) unit cost of every arc (0 on the provider -> sink arcs)."""
        p = len(self.unit_costs) - len(self.arc_float_costs)
        return np.concatenate([self.arc_float_costs, np.zeros(p, dtype=np.float64)])

    def expanded(self, flows: NDArray[np.int64]) -> ClientFlow:
        """Where each client's demand goes, from a flow of a collapsed network."""
        assert self.groups is not None and self.assign_arcs is not None
        assert self.demand is not None
        gi, pj = self.assign_arcs
        p = self.n_nodes - self.groups.n_groups - 1
        a, k = self.n_assign_arcs, len(self.unserved_clients)
        used = np.flatnonzero(flows[:a])  # few: most groups use one or two options
        spare = np.flatnonzero(flows[a : a + k])
        group = np.concatenate([gi[used], self.unserved_clients[spare]])
        option = np.concatenate([pj[used], np.full(len(spare), p, dtype=pj.dtype)])
        units = np.concatenate([flows[used], flows[a + spare]])
        return expand(self.groups, self.demand, group, option, units, p + 1)

    def split_flows(
        self, flows: NDArray[np.int64], n_clients: int
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Arc flows -> (flow per allowed pair, unserved flow per client)."""
        a, k = self.n_assign_arcs, len(self.unserved_clients)
        unserved = np.zeros(n_clients, dtype=np.int64)
        unserved[self.unserved_clients] = flows[a : a + k]
        return np.asarray(flows[:a], dtype=np.int64), unserved


def build_flow_network(
    problem: AssignmentProblem,
    scale: float | None = None,
    groups: ClientGroups | None = None,
) -> FlowNetwork:
    """Build the integer network of ``problem`` with numpy only (no loop over arcs); with
    ``groups``, one node per group of identical clients (:mod:`hemopt.flow._collapse`).

    The integer scaling is the same with or without ``groups``: the same ``scale`` (the
    headroom counts every client), the same rounded unit costs and the same error bound.
    """
    n, p = problem.n_clients, problem.n_providers
    d = problem.demand
    total = int(d.sum())
    if groups is None:
        m, supply, client_units = n, d, None
        ci, pj = problem.arcs
        arc_unit = problem.arc_cost / d[ci]
        u = problem.unserved_cost
    else:
        m = groups.n_groups
        rows = groups.first
        client_units = d[rows]
        supply = client_units * groups.size
        ok = problem.allowed[rows]
        if ok.all():  # every pair allowed (LOV): no search for the pairs
            ci = np.repeat(np.arange(m, dtype=np.int32), p)
            pj = np.tile(np.arange(p, dtype=np.int32), m)
        else:
            ci, pj = np.nonzero(ok)
        # whole rows, divided row by row: the same numbers as cost[i, j] / d[i], faster
        arc_unit = problem.cost[rows] / client_units[:, None]
        arc_unit = arc_unit.ravel() if ok.all() else arc_unit[ok]
        u = problem.unserved_cost[rows]
        d = client_units
    sink = m + p
    uc = np.flatnonzero(np.isfinite(u))

    unit = np.concatenate([arc_unit, u[uc] / d[uc]])
    owner = np.concatenate([ci, uc])
    scaled = integer_costs(unit, owner, supply, headroom=max(total, n + p + 2), scale=scale,
                           client_units=client_units, reference=problem.reference)
    providers = np.arange(m, m + p)
    tails = np.concatenate([ci, uc, providers], dtype=np.int32, casting="same_kind")
    heads = np.concatenate([pj, np.full(len(uc), sink - m), np.full(p, sink - m)],
                           dtype=np.int32, casting="same_kind")
    heads += m
    arc_supply = (np.repeat(supply, p) if groups is not None and len(ci) == m * p
                  else supply[ci])
    capacities = np.concatenate([arc_supply, supply[uc], problem.capacity_int],
                                dtype=np.int64)
    unit_costs = np.concatenate([scaled.values, np.zeros(p, dtype=np.int64)])
    supplies = np.concatenate([supply, np.zeros(p, dtype=np.int64), [-total]]).astype(np.int64)
    return FlowNetwork(
        n_nodes=m + p + 1,
        tails=tails,
        heads=heads,
        capacities=capacities,
        unit_costs=unit_costs,
        arc_float_costs=unit,
        supplies=supplies,
        n_assign_arcs=len(ci),
        unserved_clients=uc,
        scaled=scaled,
        groups=groups,
        assign_arcs=None if groups is None else (ci, pj),
        demand=None if groups is None else problem.demand,
    )


def dual_error_bound(net: FlowNetwork, flows: NDArray[np.int64]) -> float:
    """Certified bound on how much ``flows`` costs more than the optimal flow at the true costs.

    For any node potentials ``pi`` and any feasible flow ``x``,
    ``cost(x) = sum(rc * x) + const`` with reduced costs ``rc = c + pi[tail] - pi[head]``, so
    (weak duality)::

        cost(flows) - optimum <= sum(rc * flows  where rc >= 0)
                               + sum(-rc * (capacity - flows)  where rc < 0)

    whatever ``pi``. Two choices of ``pi`` are tried and the smaller bound is returned (in
    original cost units):

    * the shortest-path distances in the residual network of ``flows`` at the rounded integer
      costs (exact in int64; ``flows`` is optimal there, so they converge). Only arcs whose
      reduced cost is within a rounding residual of 0 add to the bound.
    * the same distances at the true float costs, started from the first. They converge when
      ``flows`` is optimal for the true costs too (then the bound is 0 up to float noise), and
      remove what ties between equal costs add to the first bound.

    Bellman-Ford runs at most ``2 (providers + 1) + 3`` rounds: every simple path of the
    residual network alternates clients with providers or the sink.
    """
    tails = net.tails.astype(np.intp)
    heads = net.heads.astype(np.intp)
    caps = net.capacities
    c_int = net.unit_costs
    f = np.asarray(flows, dtype=np.int64)
    fwd = f < caps
    bwd = f > 0
    rt = np.concatenate([tails[fwd], heads[bwd]])
    rh = np.concatenate([heads[fwd], tails[bwd]])
    rounds = min(net.n_nodes, 2 * int(np.count_nonzero(net.supplies <= 0)) + 3) + 1
    true = net.float_costs * net.scaled.scale  # scaled units, not rounded
    ff = f.astype(np.float64)
    slack = (caps - f).astype(np.float64)

    def bound(rc: NDArray[np.float64]) -> float:
        return float(max(np.where(rc >= 0, rc * ff, -rc * slack).sum(), 0.0))

    dist = _bellman_ford(
        np.zeros(net.n_nodes, dtype=np.int64), rt, rh, np.concatenate([c_int[fwd], -c_int[bwd]]),
        rounds,
    )
    best = np.inf
    start = np.zeros(net.n_nodes, dtype=np.float64)
    if dist is not None:
        # Exact integer reduced cost plus the (small) float rounding residual of each arc.
        rc = (c_int + dist[tails] - dist[heads]).astype(np.float64) + (true - c_int)
        best = bound(rc)
        start = dist.astype(np.float64)
    if best > 0:
        w = np.concatenate([true[fwd], -true[bwd]])
        fdist = _bellman_ford(start, rt, rh, w, rounds, converge=False)
        assert fdist is not None
        best = min(best, bound(true + fdist[tails] - fdist[heads]))
    return best / net.scaled.scale


def _bellman_ford(
    dist: NDArray,
    tails: NDArray[np.intp],
    heads: NDArray[np.intp],
    weights: NDArray,
    rounds: int,
    *,
    converge: bool = True,
) -> NDArray | None:
    """Relax ``dist`` along the arcs for up to ``rounds`` rounds (vectorised Bellman-Ford).

    Returns the distances, or None when ``converge`` and they still change after ``rounds``.
    """
    for _ in range(rounds):
        new = dist.copy()
        np.minimum.at(new, heads, dist[tails] + weights)
        if np.array_equal(new, dist):
            return dist
        dist = new
    return None if converge else dist


def _groups(problem: AssignmentProblem, collapse: bool) -> ClientGroups | None:
    """The groups of identical clients, or None when there are none to collapse."""
    if not collapse or problem.n_clients < 2:
        return None
    groups = group_clients(problem)
    return groups if groups.n_groups < problem.n_clients else None


class OrToolsFlowBackend:
    """OR-Tools ``SimpleMinCostFlow`` on :class:`FlowNetwork` (exact on the integer network).

    ``time_limit_s`` is not used: the algorithm runs to optimality.

    Parameters
    ----------
    collapse
        Give identical clients one node (:mod:`hemopt.flow._collapse`; default). The optimum
        is the same; False builds one node per client.
    prune
        Solve a large network (at least :data:`PRUNE_MIN_ARCS` client arcs) first on each
        client's :data:`PRUNE_KEEP` cheapest arcs, and keep that flow only when potentials
        prove it optimal for the whole network (:func:`_solve_pruned`; default). The
        optimum is the same; False always solves the whole network.

    Examples
    --------
    >>> import numpy as np
    >>> from hemopt.flow import OrToolsFlowBackend, min_cost_assignment
    >>> cost = np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [3.0, 1.0]])  # 3 alike
    >>> a = min_cost_assignment(cost, [2, 2], backend=OrToolsFlowBackend())
    >>> b = min_cost_assignment(cost, [2, 2], backend=OrToolsFlowBackend(collapse=False))
    >>> a.total_cost, b.total_cost, a.load.tolist()
    (5.0, 5.0, [2.0, 2.0])
    """

    name: ClassVar[str] = "ortools"
    fractional: ClassVar[bool] = True

    def __init__(self, collapse: bool = True, prune: bool = True) -> None:
        self.collapse = bool(collapse)
        self.prune = bool(prune)

    def solve(
        self, problem: AssignmentProblem, *, time_limit_s: float, scale: float | None
    ) -> BackendSolution:
        net = build_flow_network(problem, scale, _groups(problem, self.collapse))
        flows = _solve_pruned(net) if self.prune else None
        if flows is None:
            flows = _ortools_flows(net, None)
        if flows is None:
            raise ModelInfeasible
        return net.optimal_solution(flows, problem.n_clients)


#: Networks with at least this many client -> provider arcs are first solved on each
#: client's :data:`PRUNE_KEEP` cheapest arcs (see :func:`_solve_pruned`).
PRUNE_MIN_ARCS = 400_000
#: The cheapest client -> provider arcs of each client kept in the first solve.
PRUNE_KEEP = 7
#: Solves on a growing set of arcs before the whole network is solved instead.
PRUNE_ROUNDS = 4


def _ortools_flows(net: FlowNetwork, keep: NDArray[np.bool_] | None) -> NDArray[np.int64] | None:
    """OR-Tools' optimal flow on the arcs ``keep`` (all: None), 0 on the others; None when
    that network is infeasible."""
    from ortools.graph.python import min_cost_flow

    mcf = min_cost_flow.SimpleMinCostFlow()
    if keep is None:
        arcs = mcf.add_arcs_with_capacity_and_unit_cost(
            net.tails, net.heads, net.capacities, net.unit_costs
        )
    else:
        arcs = mcf.add_arcs_with_capacity_and_unit_cost(
            net.tails[keep], net.heads[keep], net.capacities[keep], net.unit_costs[keep]
        )
    mcf.set_nodes_supplies(np.arange(net.n_nodes, dtype=np.int32), net.supplies)
    status = mcf.solve()
    if status == mcf.INFEASIBLE:
        return None
    if status != mcf.OPTIMAL:
        raise SolverError(
            f"OR-Tools min-cost flow returned status {status.name} "
            f"({net.n_nodes} nodes, {len(arcs)} arcs, scale={net.scaled.scale:g})"
        )
    got = np.asarray(mcf.flows(arcs), dtype=np.int64)
    if keep is None:
        return got
    flows = np.zeros(len(net.tails), dtype=np.int64)
    flows[keep] = got
    return flows


def _solve_pruned(net: FlowNetwork) -> NDArray[np.int64] | None:
    """An optimal flow of the whole network found on fewer arcs, or None (solve it whole).

    The network is solved on each client's (or group's) :data:`PRUNE_KEEP` cheapest arcs,
    its unserved arc and the provider arcs. The flow found is optimal on that network, and
    shortest-path distances in its residual graph are node potentials under which every arc
    of it has a non-negative reduced cost. When every arc left out (its flow is 0) has a
    non-negative reduced cost under them too, no arc of the whole network has a negative one:
    the flow is optimal for the whole network (at the same integer costs, so the very optimum
    of the whole solve). Otherwise the arcs of negative reduced cost are added and the
    network solved again, up to :data:`PRUNE_ROUNDS` times. All in int64: exact.
    """
    a = net.n_assign_arcs
    p = int(np.count_nonzero(net.supplies <= 0)) - 1  # providers (the sink is the other)
    if a < PRUNE_MIN_ARCS or PRUNE_KEEP > 0.6 * p:
        return None  # small, or few arcs would be left out
    keep = np.ones(len(net.tails), dtype=bool)
    keep[:a] = _cheapest(net.tails[:a], net.unit_costs[:a], PRUNE_KEEP)
    for _ in range(PRUNE_ROUNDS):
        if np.count_nonzero(keep[:a]) > 0.6 * a:
            return None
        flows = _ortools_flows(net, keep)
        if flows is None:
            return None  # the pruned network may be infeasible when the whole one is not
        bad = _negative_reduced_costs(net, flows, keep)
        if bad is None:
            return None
        if not bad.any():
            return flows
        keep |= bad
    return None


def _cheapest(rows: NDArray, costs: NDArray[np.int64], k: int) -> NDArray[np.bool_]:
    """Mask of the ``k`` cheapest arcs of each row (arcs sorted by row)."""
    n_rows = int(rows[-1]) + 1 if len(rows) else 0
    out = np.zeros(len(rows), dtype=bool)
    if n_rows and len(rows) % n_rows == 0 and len(rows) // n_rows > k:
        width = len(rows) // n_rows
        if np.array_equal(rows[::width], np.arange(n_rows)):  # dense: every row as wide
            part = np.argpartition(costs.reshape(n_rows, width), k - 1, axis=1)[:, :k]
            out[(np.arange(n_rows)[:, None] * width + part).ravel()] = True
            return out
    order = np.lexsort((costs, rows))
    starts = np.searchsorted(rows[order], rows[order], side="left")
    out[order[np.arange(len(rows)) - starts < k]] = True
    return out


def _negative_reduced_costs(net: FlowNetwork, flows: NDArray[np.int64],
                            keep: NDArray[np.bool_]) -> NDArray[np.bool_] | None:
    """Arcs left out whose reduced cost is negative under the shortest-path potentials of the
    residual graph of ``flows`` on the arcs ``keep``; None when the distances do not settle
    (``flows`` is not optimal there: never with an optimal solver)."""
    tails = net.tails.astype(np.intp)
    heads = net.heads.astype(np.intp)
    c = net.unit_costs
    fwd = keep & (flows < net.capacities)
    bwd = keep & (flows > 0)
    rt = np.concatenate([tails[fwd], heads[bwd]])
    rh = np.concatenate([heads[fwd], tails[bwd]])
    w = np.concatenate([c[fwd], -c[bwd]])
    rounds = min(net.n_nodes, 2 * int(np.count_nonzero(net.supplies <= 0)) + 3) + 1
    dist = _bellman_ford(np.zeros(net.n_nodes, dtype=np.int64), rt, rh, w, rounds)
    if dist is None:
        return None
    out = ~keep
    out[out] = c[out] + dist[tails[out]] - dist[heads[out]] < 0
    return out


class NetworkxFlowBackend:
    """``networkx.network_simplex`` on the same :class:`FlowNetwork` (Python integers).

    Slow but simple: the reference the OR-Tools backend is tested and benchmarked against.
    ``time_limit_s`` is not used. ``collapse`` as for :class:`OrToolsFlowBackend` (default
    False here: the reference builds one node per client).
    """

    name: ClassVar[str] = "networkx"
    fractional: ClassVar[bool] = True

    def __init__(self, collapse: bool = False) -> None:
        self.collapse = bool(collapse)

    def solve(
        self, problem: AssignmentProblem, *, time_limit_s: float, scale: float | None
    ) -> BackendSolution:
        import networkx as nx

        net = build_flow_network(problem, scale, _groups(problem, self.collapse))
        graph = nx.DiGraph()
        # networkx: negative demand = supply. Python ints (tolist) cannot overflow.
        graph.add_nodes_from((v, {"demand": -s}) for v, s in enumerate(net.supplies.tolist()))
        tails, heads = net.tails.tolist(), net.heads.tolist()
        graph.add_edges_from(
            (t, h, {"capacity": c, "weight": w})
            for t, h, c, w in zip(
                tails, heads, net.capacities.tolist(), net.unit_costs.tolist(), strict=True
            )
        )
        try:
            _, flow_dict = nx.network_simplex(graph)
        except nx.NetworkXUnfeasible:
            raise ModelInfeasible from None
        except nx.NetworkXException as exc:  # pragma: no cover - defensive
            raise SolverError(f"networkx network_simplex failed: {exc}") from exc
        flows = np.fromiter(
            (flow_dict[t][h] for t, h in zip(tails, heads, strict=True)),
            dtype=np.int64,
            count=len(tails),
        )
        return net.optimal_solution(flows, problem.n_clients)


# --------------------------------------------------------------------------- CP-SAT


class CpSatBackend:
    """OR-Tools CP-SAT on the exact integer assignment model.

    One Boolean per allowed pair and one per client that may stay unserved; each client takes
    exactly one of them; each provider's assigned demand stays within ``floor(capacity)``;
    minimise the scaled per-client costs plus penalties.

    Parameters
    ----------
    num_workers
        Search workers (0 = one per core, CP-SAT's default). With 1 worker and a fixed seed the
        search is deterministic.
    random_seed
        CP-SAT's seed.
    """

    name: ClassVar[str] = "cpsat"
    fractional: ClassVar[bool] = False

    def __init__(self, num_workers: int = 0, random_seed: int = 0) -> None:
        self.num_workers = int(num_workers)
        self.random_seed = int(random_seed)

    def solve(
        self, problem: AssignmentProblem, *, time_limit_s: float, scale: float | None
    ) -> BackendSolution:
        from ortools.sat.python import cp_model

        n, p = problem.n_clients, problem.n_providers
        d = problem.demand
        ci, pj = problem.arcs
        uc = np.flatnonzero(problem.can_be_unserved)
        n_arcs = len(ci)
        per_client = np.concatenate([problem.arc_cost, problem.unserved_cost[uc]])
        scaled = integer_costs(
            per_client,
            np.concatenate([ci, uc]),
            np.ones(n, dtype=np.int64),
            headroom=n_arcs + len(uc) + 1,
            scale=scale,
            reference=problem.reference,
        )
        if scale is None and scaled.error_bound > MAX_RTOL * scaled.magnitude:
            raise CostRangeTooWide(scaled)  # no certificate can rescue it: do not search

        model = cp_model.CpModel()
        x = [model.new_bool_var("") for _ in range(n_arcs + len(uc))]
        # Variables of client i: arcs [start[i], start[i+1]) (arcs are sorted by client),
        # plus its unserved variable when it has one.
        start = np.searchsorted(ci, np.arange(n + 1))
        unserved_var = np.full(n, -1)
        unserved_var[uc] = n_arcs + np.arange(len(uc))
        for i in range(n):
            chosen = x[start[i] : start[i + 1]]
            if unserved_var[i] >= 0:
                chosen = [*chosen, x[unserved_var[i]]]
            model.add_exactly_one(chosen)
        order = np.argsort(pj, kind="stable")
        pstart = np.searchsorted(pj[order], np.arange(p + 1))
        for j in range(p):
            idx = order[pstart[j] : pstart[j + 1]]
            if d[ci[idx]].sum() <= problem.capacity_int[j]:
                continue  # cannot bind
            model.add(
                cp_model.LinearExpr.weighted_sum([x[k] for k in idx], d[ci[idx]].tolist())
                <= int(problem.capacity_int[j])
            )
        model.minimize(cp_model.LinearExpr.weighted_sum(x, scaled.values.tolist()))

        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = float(time_limit_s)
        solver.parameters.num_workers = self.num_workers
        solver.parameters.random_seed = self.random_seed
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            raise ModelInfeasible
        if status == cp_model.MODEL_INVALID:  # pragma: no cover - a bug in the model above
            raise SolverError(f"CP-SAT rejected the model: {model.validate()}")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SolverError(
                f"CP-SAT returned {solver.status_name(status)} after {solver.wall_time:.1f} s "
                f"(time_limit_s={time_limit_s}): no assignment found; raise time_limit_s"
            )
        values = np.asarray(solver.response_proto.solution, dtype=np.int64)
        arc_flow = values[:n_arcs] * d[ci]
        unserved = np.zeros(n, dtype=np.int64)
        unserved[uc] = values[n_arcs:] * d[uc]
        optimal = status == cp_model.OPTIMAL
        return BackendSolution(
            arc_flow=arc_flow,
            unserved_flow=unserved,
            status="optimal" if optimal else "feasible",
            optimal=optimal,
            bound=float(solver.best_objective_bound) / scaled.scale,
            fractional=False,
            scaled=scaled,
        )


#: Backends by name: ``backend=`` of :func:`~hemopt.flow.min_cost_assignment` takes one of
#: these names or any object implementing :class:`AssignmentBackend`.
BACKENDS: dict[str, type[AssignmentBackend]] = {
    "ortools": OrToolsFlowBackend,
    "networkx": NetworkxFlowBackend,
    "cpsat": CpSatBackend,
}


def get_backend(backend: str | AssignmentBackend) -> AssignmentBackend:
    """A backend instance from its name (see :data:`BACKENDS`) or the instance itself."""
    if isinstance(backend, str):
        try:
            return BACKENDS[backend]()
        except KeyError:
            names = ", ".join(repr(k) for k in sorted(BACKENDS))
            raise InputError(f"unknown backend {backend!r}; choose one of {names}") from None
    if isinstance(backend, AssignmentBackend):
        return backend
    raise InputError(
        f"backend must be a name ({', '.join(sorted(BACKENDS))}) or an object implementing "
        f"AssignmentBackend (name, fractional, solve()); got {backend!r}"
    )
