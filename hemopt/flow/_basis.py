"""Turn an optimal flow into a basic one, so that few clients are split.

Simplex methods (networkx) return basic flows; push-relabel (OR-Tools) may return an optimal
flow that is not basic when costs tie, splitting more clients than needed. The *free* arcs (flow
strictly between 0 and capacity) of a basic flow form a forest. Here every cycle of free arcs is
cancelled: flow is pushed around it, in the direction that does not increase the true (float)
cost, until an arc empties or fills. At an optimum such cycles cost nothing, so the cost stays
the same while the free arcs shrink to a forest. Then at most ``n_providers - 1`` clients are
split (``n_providers`` when clients may stay unserved): a split client has two free arcs and a
forest on ``split + providers (+ sink)`` nodes has fewer edges than nodes.

Only split clients carry free client arcs, so the work is over a graph of a few dozen edges.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from hemopt.flow._problem import AssignmentProblem

__all__ = ["ClientFlow", "to_basic_flow"]


@dataclass(frozen=True, eq=False)
class ClientFlow:
    """Where each client's demand goes, compactly: most clients send it whole to one option.

    Attributes
    ----------
    option
        (n_clients,) the option of each client sent whole: a provider ``0..p-1``, or ``p``
        (unserved); -1 for a split client.
    split
        (k,) the split clients, in increasing order.
    split_flow
        (k, p + 1) their units per provider, last column unserved.
    """

    option: NDArray[np.int64]
    split: NDArray[np.intp]
    split_flow: NDArray[np.int64]

    @classmethod
    def from_dense(cls, flow: NDArray[np.int64]) -> ClientFlow:
        """From (n_clients, p + 1) units per client and option."""
        used = np.count_nonzero(flow, axis=1)
        option = np.argmax(flow, axis=1).astype(np.int64)
        split = np.flatnonzero(used > 1)
        option[split] = -1
        return cls(option, split, np.array(flow[split], dtype=np.int64))

    @classmethod
    def from_arcs(cls, problem: AssignmentProblem, arc_flow: NDArray[np.int64],
                  unserved_flow: NDArray[np.int64]) -> ClientFlow:
        """From the flow on each allowed pair (``problem.arcs`` order) and unserved."""
        n, p = problem.n_clients, problem.n_providers
        ci, pj = problem.arcs
        pos = np.flatnonzero(arc_flow > 0)
        used = np.bincount(ci[pos], minlength=n) + (unserved_flow > 0)
        option = np.full(n, p, dtype=np.int64)  # unserved unless an arc carries flow
        option[ci[pos]] = pj[pos]
        split = np.flatnonzero(used > 1)
        option[split] = -1
        rows = np.zeros((len(split), p + 1), dtype=np.int64)
        if len(split):
            k = pos[np.isin(ci[pos], split)]
            rows[np.searchsorted(split, ci[k]), pj[k]] = arc_flow[k]
            rows[:, p] = unserved_flow[split]
        return cls(option, split, rows)

    def unserved_units(self, problem: AssignmentProblem) -> NDArray[np.int64]:
        """(n_clients,) units of each client's demand left unserved."""
        p = problem.n_providers
        out = np.where(self.option == p, problem.demand, 0)
        out[self.split] = self.split_flow[:, p]
        return out

    def dense(self, problem: AssignmentProblem) -> NDArray[np.int64]:
        """(n_clients, p + 1) units per client and option (for tests and small problems)."""
        p = problem.n_providers
        out = np.zeros((problem.n_clients, p + 1), dtype=np.int64)
        whole = np.flatnonzero(self.option >= 0)
        out[whole, self.option[whole]] = problem.demand[whole]
        out[self.split] = self.split_flow
        return out


def to_basic_flow(problem: AssignmentProblem, flow: ClientFlow) -> ClientFlow:
    """Cancel the cycles of free arcs of an optimal flow (see the module doc).

    Returns a new :class:`ClientFlow` (clients no longer split are sent whole).
    """
    n, p = problem.n_clients, problem.n_providers
    d = problem.demand
    if not len(flow.split):
        return flow
    rows = flow.split_flow.copy()

    sink = n + p
    # Edge: [tail, head, unit cost, flow, upper, kind, ref]; kind 0 = client->provider or
    # unserved arc (ref = (row of the split client, option)), 2 = provider ref -> sink.
    edges: list[list] = []
    rr, cols = np.nonzero(rows)
    for r, j in zip(rr.tolist(), cols.tolist(), strict=True):
        i = int(flow.split[r])
        if j < p:
            edges.append([i, n + j, problem.cost[i, j] / d[i], int(rows[r, j]), int(d[i]), 0,
                          (r, j)])
        else:
            edges.append([i, sink, problem.unserved_cost[i] / d[i], int(rows[r, p]), int(d[i]),
                          0, (r, p)])
    whole = np.flatnonzero((flow.option >= 0) & (flow.option < p))
    load = np.bincount(flow.option[whole], weights=d[whole], minlength=p).astype(np.int64)
    load += rows[:, :p].sum(axis=0)
    touched = {e[1] - n for e in edges if e[0] < n and e[1] < sink}
    for j in sorted(touched):
        if 0 < load[j] < problem.capacity_int[j]:
            edges.append([n + j, sink, 0.0, int(load[j]), int(problem.capacity_int[j]), 2, j])

    alive = [True] * len(edges)
    while (cycle := _find_cycle(edges, alive)) is not None:
        cost = sum(edges[e][2] if fwd else -edges[e][2] for e, fwd in cycle)
        if cost > 0:
            cycle = [(e, not fwd) for e, fwd in cycle]
        delta = min(edges[e][4] - edges[e][3] if fwd else edges[e][3] for e, fwd in cycle)
        for e, fwd in cycle:
            edges[e][3] += delta if fwd else -delta
            if edges[e][3] in (0, edges[e][4]):
                alive[e] = False

    for _, _, _, units, _, kind, ref in edges:
        if kind == 0:
            rows[ref] = units
    option = flow.option.copy()
    still = np.count_nonzero(rows, axis=1) > 1
    done = ~still
    option[flow.split[done]] = np.argmax(rows[done], axis=1)
    return ClientFlow(option, flow.split[still], rows[still])


def _find_cycle(edges: list[list], alive: list[bool]) -> list[tuple[int, bool]] | None:
    """A cycle of alive edges as (edge index, traversed tail->head), or None if a forest."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    tree: dict[int, list[tuple[int, int]]] = {}  # node -> [(neighbour, edge)]
    for e, (u, v, *_rest) in enumerate(edges):
        if not alive[e]:
            continue
        ru, rv = root(u), root(v)
        if ru != rv:
            parent[ru] = rv
            tree.setdefault(u, []).append((v, e))
            tree.setdefault(v, []).append((u, e))
            continue
        # u and v already connected: tree path u -> v, then edge e from v back to u.
        prev: dict[int, tuple[int, int]] = {u: (u, -1)}
        queue = deque([u])
        while queue:
            x = queue.popleft()
            if x == v:
                break
            for y, te in tree.get(x, []):
                if y not in prev:
                    prev[y] = (x, te)
                    queue.append(y)
        path: list[tuple[int, bool]] = []
        x = v
        while x != u:
            px, te = prev[x]
            path.append((te, edges[te][0] == px))
            x = px
        path.reverse()
        path.append((e, edges[e][0] == v))
        return path
    return None
