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
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from hemopt.flow._problem import AssignmentProblem

__all__ = ["to_basic_flow"]


def to_basic_flow(
    problem: AssignmentProblem,
    arc_flow: NDArray[np.int64],
    unserved_flow: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Cancel the cycles of free arcs of an optimal flow (see the module doc).

    Returns new arrays; the inputs are not modified.
    """
    n, p = problem.n_clients, problem.n_providers
    d = problem.demand
    ci, pj = problem.arcs
    arc_flow = np.array(arc_flow, dtype=np.int64)
    unserved_flow = np.array(unserved_flow, dtype=np.int64)
    n_used = np.bincount(ci[arc_flow > 0], minlength=n) + (unserved_flow > 0)
    split = n_used > 1
    if not split.any():
        return arc_flow, unserved_flow

    sink = n + p
    # Edge: [tail, head, unit cost, flow, upper, kind, ref]; kind 0 = client->provider arc k,
    # 1 = unserved arc of client ref, 2 = provider ref -> sink.
    edges: list[list] = []
    for k in np.flatnonzero(split[ci] & (arc_flow > 0)).tolist():
        i, j = int(ci[k]), int(pj[k])
        edges.append([i, n + j, problem.cost[i, j] / d[i], int(arc_flow[k]), int(d[i]), 0, k])
    for i in np.flatnonzero(split & (unserved_flow > 0)).tolist():
        edges.append(
            [i, sink, problem.unserved_cost[i] / d[i], int(unserved_flow[i]), int(d[i]), 1, i]
        )
    load = np.bincount(pj, weights=arc_flow, minlength=p).astype(np.int64)
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

    for _, _, _, flow, _, kind, ref in edges:
        if kind == 0:
            arc_flow[ref] = flow
        elif kind == 1:
            unserved_flow[ref] = flow
    return arc_flow, unserved_flow


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
