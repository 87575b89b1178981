"""Collapse identical clients into one node of the flow network, and expand the flow back.

Two clients are *identical* when they have the same demand, the same allowed providers, the
same cost for each of them and the same unserved cost (in practice: the same stairwell and the
same ranking). Their nodes in the network of :func:`~hemopt.flow.backends.build_flow_network`
have arcs to the same heads at the same unit costs, so a group of ``k`` identical clients of
demand ``d`` becomes one node of supply ``k d`` whose arcs carry up to ``k d``.

**Exactly optimal.** Every flow of the plain network adds up, group by group, to a flow of the
collapsed one at the same cost; and every flow of the collapsed network splits back into one of
the plain network at the same cost (:func:`expand`: the group's clients take their ``d`` units
in turn from the group's arcs). The two networks therefore have the same optimal cost, and the
expanded optimum is an optimum of the plain network. Only clients of *equal* demand are
grouped: the integer unit costs (``cost / demand``, scaled and rounded) are then the very same
numbers in both networks, and the integer scaling is chosen as for the plain network (same
``scale``, same ``cost_error_bound``), so the solver proves the same optimum.

With unit demand (capacities in clients) the expanded flow sends each client whole to one
option. With demand in minutes a group's flow may be split at a point that is not a multiple
of ``d``; the client there is split, as the plain flow may split one, and the flow is made
basic afterwards (:mod:`hemopt.flow._basis`) as for the plain network.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from hemopt.flow._basis import ClientFlow

if TYPE_CHECKING:
    from hemopt.flow._problem import AssignmentProblem

__all__ = ["ClientGroups", "expand", "group_clients"]

_MIX = np.uint64(0x9E3779B97F4A7C15)  # golden-ratio constant of splitmix64
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@dataclass(frozen=True, eq=False)
class ClientGroups:
    """Groups of identical clients, numbered in the order of their first client.

    Attributes
    ----------
    group
        (n_clients,) the group of each client.
    first
        (n_groups,) the first (lowest-index) client of each group: its representative.
    size
        (n_groups,) clients in each group.
    """

    group: NDArray[np.intp]
    first: NDArray[np.intp]
    size: NDArray[np.int64]

    @property
    def n_groups(self) -> int:
        return int(self.first.shape[0])


def _columns(problem: AssignmentProblem) -> Iterator[NDArray[np.uint64]]:
    """The key of each client, one (n,) uint64 column at a time: its cost per provider (inf
    where not allowed), its unserved cost, its demand. ``+ 0.0`` makes -0.0 equal to 0.0."""
    for j in range(problem.n_providers):
        col = np.where(problem.allowed[:, j], problem.cost[:, j] + 0.0, np.inf)
        yield col.view(np.uint64)
    yield (problem.unserved_cost + 0.0).view(np.uint64)
    yield problem.demand.view(np.uint64)


def _mix(h: NDArray[np.uint64]) -> NDArray[np.uint64]:
    h ^= h >> np.uint64(30)
    h *= _M1
    h ^= h >> np.uint64(27)
    h *= _M2
    h ^= h >> np.uint64(31)
    return h


def group_clients(problem: AssignmentProblem) -> ClientGroups:
    """Group the identical clients of ``problem`` (see the module doc).

    A 64-bit hash of each client's key sorts the clients; every client is then compared with
    its group's first client, column by column, so that the groups are exact whatever the
    hash does (clients whose hash collides with another key's are told apart by an exact sort).
    """
    n = problem.n_clients
    h = np.full(n, _MIX, dtype=np.uint64)
    for col in _columns(problem):
        h = _mix(h ^ col) + _MIX
    order = np.argsort(h, kind="stable")  # stable: within a group, clients by index
    hs = h[order]
    new = np.empty(n, dtype=bool)
    new[:1] = True
    np.not_equal(hs[1:], hs[:-1], out=new[1:])
    gid = np.cumsum(new) - 1  # group of order[k]
    rep = order[new]
    for col in _columns(problem):
        if not np.array_equal(col[order], col[rep][gid]):
            return _exact_groups(problem)  # a hash collision: pragma: no cover
    return _numbered(gid, order, n)


def _exact_groups(problem: AssignmentProblem) -> ClientGroups:
    """The groups by an exact sort of the keys (used only after a hash collision)."""
    key = np.stack(list(_columns(problem)), axis=1)
    _, inverse = np.unique(key, axis=0, return_inverse=True)
    order = np.argsort(inverse.ravel(), kind="stable")
    gid = inverse.ravel()[order]
    return _numbered(gid, order, problem.n_clients)


def _numbered(gid: NDArray[np.intp], order: NDArray[np.intp], n: int) -> ClientGroups:
    """Groups ``gid[k]`` of clients ``order[k]`` (each group's clients in index order),
    renumbered in the order of their first client."""
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    first = order[starts]
    renumber = np.empty(len(first), dtype=np.intp)
    by_first = np.argsort(first, kind="stable")
    renumber[by_first] = np.arange(len(first))
    group = np.empty(n, dtype=np.intp)
    group[order] = renumber[gid]
    size = np.diff(np.r_[starts, n]).astype(np.int64)
    return ClientGroups(group=group, first=first[by_first], size=size[by_first])


def expand(groups: ClientGroups, demand: NDArray[np.int64], group: NDArray[np.intp],
           option: NDArray[np.intp], units: NDArray[np.int64], n_options: int) -> ClientFlow:
    """The flow of each client from the flow of its group.

    Parameters
    ----------
    groups
        The groups.
    demand
        (n_clients,) each client's demand (equal within a group).
    group, option, units
        The groups' flow: ``units[k]`` units of group ``group[k]`` go to option ``option[k]``
        (a provider, or ``n_options - 1`` for unserved); each group's units add up to its
        supply.
    n_options
        Providers + 1.

    Returns
    -------
    ClientFlow
        The clients of a group, in index order, take their ``demand`` units in turn from the
        group's options in order: client ``r`` of the group takes the units
        ``[r d, (r + 1) d)`` of the group's flow laid end to end. A client whose units fall
        on two options or more is split.
    """
    keep = units > 0
    group, option, units = group[keep], option[keep], units[keep]
    by = np.lexsort((option, group))
    option, units = option[by], units[by]
    ends = np.cumsum(units)  # the groups' flows laid end to end, in group order
    order = np.argsort(groups.group, kind="stable")  # clients by group, then index
    d_sorted = demand[order]
    start = np.empty(len(order), dtype=np.int64)
    start[order] = np.cumsum(d_sorted) - d_sorted
    first = np.searchsorted(ends, start, side="right")  # the entry of a client's first unit
    last = np.searchsorted(ends, start + demand - 1, side="right")
    opt = option[first].astype(np.int64)
    split = np.flatnonzero(first != last)
    opt[split] = -1
    rows = np.zeros((len(split), n_options), dtype=np.int64)
    for r, i in enumerate(split.tolist()):
        lo, hi = int(start[i]), int(start[i] + demand[i])
        for k in range(int(first[i]), int(last[i]) + 1):
            a, b = int(ends[k] - units[k]), int(ends[k])
            rows[r, option[k]] += min(hi, b) - max(lo, a)
    return ClientFlow(opt, split, rows)
