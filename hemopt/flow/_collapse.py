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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from hemopt.flow._basis import ClientFlow

if TYPE_CHECKING:
    from hemopt.flow._problem import AssignmentProblem

__all__ = ["ClientGroups", "expand", "group_clients"]

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
    members
        (n_clients,) the clients by group, and by index within a group.
    """

    group: NDArray[np.intp]
    first: NDArray[np.intp]
    size: NDArray[np.int64]
    members: NDArray[np.intp]

    @property
    def n_groups(self) -> int:
        return int(self.first.shape[0])


_CHUNK = 1 << 16  # clients per block of the row-wise passes (keeps temporaries small)


def _keys(problem: AssignmentProblem, rows: slice | NDArray[np.intp]) -> NDArray[np.uint64]:
    """The key of the clients ``rows``, (k, n_providers + 2) uint64: the bits of their cost
    per provider (of inf where not allowed), of their unserved cost and their demand. Equal
    keys are identical clients; -0.0 and 0.0 differ, which only leaves such clients apart."""
    c = problem.cost[rows]
    a = problem.allowed[rows]
    key = np.empty((c.shape[0], c.shape[1] + 2), dtype=np.uint64)
    np.copyto(key[:, :-2], c.view(np.uint64))
    if not a.all():
        key[:, :-2][~a] = np.float64(np.inf).view(np.uint64)
    key[:, -2] = problem.unserved_cost[rows].view(np.uint64)
    key[:, -1] = problem.demand[rows].view(np.uint64)
    return key


def _hash(key: NDArray[np.uint64], weights: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """A 64-bit hash of each row: every word folded (its high half onto its low half, so
    that words differing only in high bits differ in low bits too), weighted by an odd
    random number, summed, and mixed (splitmix64's finaliser)."""
    x = key >> np.uint64(32)
    x ^= key
    x *= weights
    h = x.sum(axis=1, dtype=np.uint64)
    h ^= h >> np.uint64(30)
    h *= _M1
    h ^= h >> np.uint64(27)
    h *= _M2
    h ^= h >> np.uint64(31)
    return h


def group_clients(problem: AssignmentProblem) -> ClientGroups:
    """Group the identical clients of ``problem`` (see the module doc).

    A 64-bit hash of each client's key sorts the clients; every client's key is then compared
    with its group's first client's, so that the groups are exact whatever the hash does
    (after a collision, an exact sort of the keys makes the groups).
    """
    n = problem.n_clients
    rng = np.random.default_rng(0x5EED)
    weights = (rng.integers(1, 2**63, size=problem.n_providers + 2, dtype=np.uint64)
               | np.uint64(1)).astype(np.uint64, copy=False)
    h = np.empty(n, dtype=np.uint64)
    for lo in range(0, n, _CHUNK):
        h[lo : lo + _CHUNK] = _hash(_keys(problem, slice(lo, lo + _CHUNK)), weights)
    order = np.argsort(h, kind="stable")  # stable: within a group, clients by index
    hs = h[order]
    new = np.empty(n, dtype=bool)
    new[:1] = True
    np.not_equal(hs[1:], hs[:-1], out=new[1:])
    gid = np.cumsum(new) - 1  # group of order[k]
    groups = _numbered(gid, order, n)
    rep = _keys(problem, groups.first)
    others = np.flatnonzero(groups.first[groups.group] != np.arange(n))  # not the first
    for lo in range(0, len(others), _CHUNK):
        block = others[lo : lo + _CHUNK]
        if not np.array_equal(_keys(problem, block), rep[groups.group[block]]):
            return _exact_groups(problem)  # a hash collision
    return groups


def _exact_groups(problem: AssignmentProblem) -> ClientGroups:
    """The groups by an exact sort of the keys (used only after a hash collision)."""
    key = _keys(problem, slice(None))
    _, inverse = np.unique(key, axis=0, return_inverse=True)
    order = np.argsort(inverse.ravel(), kind="stable")
    gid = inverse.ravel()[order]
    return _numbered(gid, order, problem.n_clients)


def _numbered(gid: NDArray[np.intp], order: NDArray[np.intp], n: int) -> ClientGroups:
    """Groups ``gid[k]`` of clients ``order[k]`` (each group's clients together, in index
    order), renumbered in the order of their first client."""
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    first = order[starts]
    size = np.diff(np.r_[starts, n]).astype(np.int64)
    by_first = np.argsort(first, kind="stable")
    renumber = np.empty(len(first), dtype=np.intp)
    renumber[by_first] = np.arange(len(first))
    group = np.empty(n, dtype=np.intp)
    group[order] = renumber[gid]
    size = size[by_first]
    moved = starts[by_first] - (np.cumsum(size) - size)  # blocks laid out by first client
    members = order[np.repeat(moved, size) + np.arange(n)]
    return ClientGroups(group=group, first=first[by_first], size=size, members=members)


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
    members = groups.members  # clients by group, then index: their units in that order
    d_sorted = demand[members]
    s_sorted = np.cumsum(d_sorted) - d_sorted
    n = len(members)
    start = np.empty(n, dtype=np.int64)
    start[members] = s_sorted
    first = np.empty(n, dtype=np.intp)  # the entry of a client's first unit, and last unit
    first[members] = np.searchsorted(ends, s_sorted, side="right")
    last = np.empty(n, dtype=np.intp)
    last[members] = np.searchsorted(ends, s_sorted + d_sorted - 1, side="right")
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
