"""Territories: split a provider-day too large for one VRPTW into sectors around its base.

A (provider, base, shift, mode) instance of :func:`~hemopt.day.route.route_day` grows with
the municipality: at city scale (``generate("botkyrka", scale=14)``, about 15,000 clients and
30,000 visits a day) the municipal provider's day shift holds 4,500 stops from one base. One
PyVRP instance of that size needs about 1.8 GB (its distance and duration matrices grow with
the square of the stops) and 50 s for 1,000 iterations; routes in a city rarely cross it
anyway. Such an instance is split into **territories**, solved one by one (in parallel, as
separate instances) and the results joined back into one per (provider, base, shift, mode),
so that everything downstream (``DayRouting.routes``, the KPIs) sees one instance as before.

**The split** is an angular sweep around the base (Gillett & Miller 1974): the stops' distinct
addresses are ordered by their bearing from the base, starting after the widest empty angle,
and cut into ``k = ⌈n / max_stops⌉`` sectors of nearly equal numbers of stops. Every stop at
one address stays in one territory (two periods at the same stairwell are often one route's
back-to-back stops). Sectors suit routes from a depot: each staff shift drives out along one
direction, as it would in the whole instance. The split is deterministic (no random draw):
the same stops give the same territories. ``docs/routing.md`` measures what it costs in route
length against solving whole (``benchmarks/bench_city.py --split-cost``).

An instance of at most ``max_stops`` stops is solved whole, as before: at the presets' scale
(``strangnas``, ``botkyrka`` at scale 1, every default regime: at most about 600 stops per
instance, ``tests/test_territories.py``) nothing is split and the routes are exactly those of
a run without territories.

Examples
--------
>>> import numpy as np
>>> east, west = [[1, 0.1], [1, -0.1], [2, 0]], [[-1, 0.1], [-1, -0.1], [-2, 0]]
>>> sweep_territories(np.array(east + west), np.zeros(2), max_stops=3).tolist()
[0, 0, 0, 1, 1, 1]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hemopt.errors import InputError
from hemopt.routing.parallel import InstanceTask, Solved
from hemopt.routing.vrptw import VRPTWResult

__all__ = ["DEFAULT_MAX_STOPS", "TerritoryPlan", "check_max_stops", "merge_results",
           "split_tasks", "sweep_territories"]

#: Default most stops of one VRPTW instance (``route_day(..., max_stops=...)``): larger
#: provider-days are split into territories. Measured on the development machine: 1,066 stops
#: took 1.7 s for 300 PyVRP iterations, 4,524 stops 49 s and 1.8 GB for 1,000 (memory grows
#: with the square of the stops); the presets at scale 1 stay below about 600 stops.
DEFAULT_MAX_STOPS = 1000


def check_max_stops(max_stops: object) -> int | None:
    """``max_stops`` checked: a whole number >= 1, or ``None`` (never split).

    Raises
    ------
    InputError
        Naming the value.

    Examples
    --------
    >>> check_max_stops(500), check_max_stops(None)
    (500, None)
    """
    if max_stops is None:
        return None
    if isinstance(max_stops, bool) or not isinstance(max_stops, (int, np.integer)) \
            or max_stops < 1:
        raise InputError(f"max_stops must be a whole number >= 1 or None, got {max_stops!r}")
    return int(max_stops)


def sweep_territories(xy: ArrayLike, base_xy: ArrayLike, max_stops: int) -> NDArray[np.int64]:
    """The territory (0, 1, ...) of each stop: sectors around ``base_xy`` of at most
    ``max_stops`` stops.

    Parameters
    ----------
    xy
        (n, 2) stop coordinates (metres).
    base_xy
        The base every route starts from.
    max_stops
        Most stops of a territory; ``n <= max_stops`` gives one territory (all zeros).

    Returns
    -------
    numpy.ndarray
        (n,) territory labels, numbered in sweep order. Stops at one address share a label.
        A territory may exceed ``max_stops`` only when one address alone holds more stops.

    Raises
    ------
    InputError
        ``max_stops`` not a whole number >= 1, or coordinates that are not (n, 2) and finite.

    Examples
    --------
    Eight stops on a circle, four per territory, cut after the widest gap (between the
    bearings of the last two stops):

    >>> import numpy as np
    >>> a = np.radians([0, 30, 60, 90, 120, 150, 180, 300])
    >>> xy = np.c_[np.cos(a), np.sin(a)]
    >>> sweep_territories(xy, [0.0, 0.0], max_stops=4).tolist()
    [0, 0, 0, 1, 1, 1, 1, 0]
    """
    m = check_max_stops(max_stops)
    if m is None:
        raise InputError("max_stops: sweep_territories needs a whole number >= 1, got None")
    p = np.asarray(xy, dtype=float)
    o = np.asarray(base_xy, dtype=float).reshape(-1)
    if p.ndim != 2 or p.shape[1:] != (2,) or not np.isfinite(p).all():
        raise InputError(f"xy: expected finite (n, 2) coordinates, got shape {p.shape}")
    if o.shape != (2,) or not np.isfinite(o).all():
        raise InputError(f"base_xy: expected one finite point (x, y), got {base_xy!r}")
    n = len(p)
    if n <= m:
        return np.zeros(n, dtype=np.int64)
    uniq, inv, count = np.unique(p, axis=0, return_inverse=True, return_counts=True)
    inv = inv.reshape(-1)
    d = uniq - o
    ang = np.arctan2(d[:, 1], d[:, 0])
    order = np.lexsort((np.hypot(d[:, 0], d[:, 1]), ang))  # by bearing, then distance
    a = ang[order]
    # start the sweep after the widest empty angle (the wrap-around gap counts too)
    gaps = np.diff(np.r_[a, a[0] + 2 * math.pi])
    first = (int(np.argmax(gaps)) + 1) % len(a)
    order = np.r_[order[first:], order[:first]]
    cum = np.cumsum(count[order]) - count[order]  # stops before each address in the sweep
    k = math.ceil(n / m)
    while True:
        lab_sorted = np.minimum(cum * k // n, k - 1)
        sizes = np.bincount(lab_sorted, weights=count[order], minlength=k)
        if sizes.max() <= m or k >= len(uniq):
            break
        k += 1
    if sizes.max() > max(m, int(count.max())):
        # nearly equal sectors cannot keep every one within max_stops (an address of many
        # stops next to others): pack the addresses greedily in sweep order instead
        lab_sorted = np.empty(len(order), dtype=np.int64)
        cur, size = 0, 0
        for j, c in enumerate(count[order].tolist()):
            if size and size + c > m:
                cur, size = cur + 1, 0
            lab_sorted[j] = cur
            size += c
    lab_u = np.empty(len(uniq), dtype=np.int64)
    lab_u[order] = np.unique(lab_sorted, return_inverse=True)[1]  # no empty territory
    return lab_u[inv]


def merge_results(parts: Sequence[VRPTWResult], index: Sequence[NDArray[np.int64]],
                  n_clients: int) -> VRPTWResult:
    """One result for an instance solved in parts: the parts' routes with their clients
    renumbered, their totals summed.

    Parameters
    ----------
    parts
        The results of the territories.
    index
        Per part, the instance's client numbers (1..n) of the part's clients 1, 2, ....
    n_clients
        The instance's clients.

    Returns
    -------
    VRPTWResult
        Routes in the order of the parts; vehicles numbered on; ``runtime_s`` the sum;
        ``status`` and ``notes`` of each part once.

    Examples
    --------
    >>> import numpy as np
    >>> from hemopt.routing import VRPTWInstance, solve_vrptw
    >>> xy = np.array([[0, 0], [0, 10], [10, 0]], dtype=float)
    >>> one = solve_vrptw(VRPTWInstance(coords=xy, service=[0, 5, 5]), time_limit_s=None,
    ...                   max_iterations=20)
    >>> both = merge_results([one, one], [np.array([1, 3]), np.array([2, 4])], 4)
    >>> both.routes, both.distance == 2 * one.distance, both.n_clients
    ([[1, 3], [2, 4]], True, 4)
    """
    if len(parts) == 1 and len(index[0]) == n_clients \
            and np.array_equal(index[0], np.arange(1, n_clients + 1)):
        return parts[0]
    routes, vehicles, arrival, start = [], [], [], []
    r_dist, r_dur, r_start, r_end = [], [], [], []
    dropped: list[int] = []
    reason: dict[int, str] = {}
    code: dict[int, str] = {}
    late: list[int] = []
    repaired: list[int] = []
    status: list[str] = []
    notes: list[str] = []
    offset = 0
    for res, idx in zip(parts, index, strict=True):
        lut = np.r_[0, np.asarray(idx, dtype=np.int64)]
        routes += [[int(lut[c]) for c in r] for r in res.routes]
        vehicles += [offset + v for v in res.vehicles]
        offset += max(res.vehicles, default=-1) + 1
        arrival += res.arrival
        start += res.start
        r_dist += res.route_distance
        r_dur += res.route_duration
        r_start += res.route_start
        r_end += res.route_end
        dropped += [int(lut[c]) for c in res.dropped]
        reason.update({int(lut[c]): t for c, t in res.dropped_reason.items()})
        code.update({int(lut[c]): t for c, t in res.dropped_code.items()})
        late += [int(lut[c]) for c in res.late]
        repaired += [int(lut[c]) for c in res.repaired]
        status += [res.status] if res.status not in status else []
        notes += [t for t in res.notes if t not in notes]
    return VRPTWResult(
        distance=float(sum(p.distance for p in parts)),
        duration=float(sum(p.duration for p in parts)),
        routes=routes, route_distance=r_dist, route_duration=r_dur, route_start=r_start,
        route_end=r_end, arrival=arrival, start=start, vehicles=vehicles,
        travel_duration=float(sum(p.travel_duration for p in parts)),
        service_duration=float(sum(p.service_duration for p in parts)),
        wait_duration=float(sum(p.wait_duration for p in parts)),
        n_clients=int(n_clients), dropped=sorted(dropped),
        dropped_reason=dict(sorted(reason.items())), dropped_code=dict(sorted(code.items())),
        drop_penalty=max(p.drop_penalty for p in parts), late=sorted(late),
        repaired=sorted(repaired), feasible=all(p.feasible for p in parts),
        backend=parts[0].backend, runtime_s=float(sum(p.runtime_s for p in parts)),
        objective=float(sum(p.objective for p in parts)), status="; ".join(status),
        seed=parts[0].seed, notes=tuple(notes),
    )


@dataclass(frozen=True, eq=False)
class TerritoryPlan:
    """The instances of a day after splitting: what to solve, and how to join it back.

    Attributes
    ----------
    tasks
        The instances to solve: the unsplit ones as given, the split ones one per territory.
    parts
        Per given instance, the positions in :attr:`tasks` of its territories.
    index
        Per given instance, per territory, its stops' numbers (1..n) in the given instance.
    """

    tasks: tuple[InstanceTask, ...]
    parts: tuple[tuple[int, ...], ...]
    index: tuple[tuple[NDArray[np.int64], ...], ...]

    @property
    def n_split(self) -> int:
        """Given instances split into more than one territory."""
        return sum(len(p) > 1 for p in self.parts)

    def merge(self, solved: Sequence[Solved]) -> list[Solved]:
        """One :class:`~hemopt.routing.parallel.Solved` per given instance (``solved`` in the
        order of :attr:`tasks`); an unsplit instance's result is passed through as it is."""
        out = []
        for parts, index in zip(self.parts, self.index, strict=True):
            if len(parts) == 1:
                out.append(solved[parts[0]])
                continue
            res = [solved[k].result for k in parts]
            n = sum(len(i) for i in index)
            out.append(Solved(merge_results(res, index, n),
                              float(sum(solved[k].runtime_s for k in parts))))
        return out


def _copies_in(task: InstanceTask, rows: NDArray[np.int64]) -> tuple[int, ...]:
    """``copy_of`` of the territory ``rows`` (sorted) of ``task``: the second copies of
    double-staffed stops are the task's last stops, so they stay the territory's last ones;
    their originals are renumbered. A copy shares its original's address, hence its
    territory; if an address alone exceeded ``max_stops`` and the two were parted, the
    territory gets no ``copy_of`` (only the solver's guard against one staff member taking
    both copies is lost; the synchronisation step still pairs them or drops them, with a
    reason)."""
    if not task.copy_of:
        return ()
    first = task.n_stops - len(task.copy_of)
    pos = {int(r): i for i, r in enumerate(rows)}
    out = []
    for r in rows:
        if r >= first:
            orig = task.copy_of[int(r) - first]
            if orig not in pos:
                return ()
            out.append(pos[orig])
    return tuple(out)


def split_tasks(tasks: Sequence[InstanceTask], max_stops: int | None) -> TerritoryPlan:
    """Split every instance of more than ``max_stops`` stops into territories
    (:func:`sweep_territories` around its base, ``xy[0]``). A territory gets the instance's
    iteration limit and seed, and its share of the time limit (in proportion to its stops).

    Examples
    --------
    >>> import numpy as np
    >>> from hemopt.routing.parallel import InstanceTask
    >>> xy = np.array([[0.0, 0], [1, 0], [0, 1], [-1, 0], [0, -1]])
    >>> t = InstanceTask(("A", 0, "day", "car"), xy, np.zeros(4), np.full(4, 600.0),
    ...                  np.full(4, 30.0), (420.0, 960.0, 480.0), "car", None, 20, "pyvrp", 0)
    >>> plan = split_tasks([t], max_stops=2)
    >>> [task.n_stops for task in plan.tasks], plan.parts, plan.n_split
    ([2, 2], ((0, 1),), 1)
    >>> split_tasks([t], max_stops=None).tasks[0] is t
    True
    """
    m = check_max_stops(max_stops)
    out: list[InstanceTask] = []
    parts: list[tuple[int, ...]] = []
    index: list[tuple[NDArray[np.int64], ...]] = []
    for t in tasks:
        if m is None or t.n_stops <= m:
            parts.append((len(out),))
            index.append((np.arange(1, t.n_stops + 1, dtype=np.int64),))
            out.append(t)
            continue
        lab = sweep_territories(t.xy[1:], t.xy[0], m)
        mine, idx = [], []
        for k in range(int(lab.max()) + 1):
            rows = np.flatnonzero(lab == k)
            mine.append(len(out))
            idx.append(rows + 1)
            tl = None if t.time_limit_s is None else t.time_limit_s * len(rows) / t.n_stops
            out.append(replace(t, xy=np.vstack([t.xy[:1], t.xy[1:][rows]]),
                               earliest=t.earliest[rows], latest=t.latest[rows],
                               service=t.service[rows], time_limit_s=tl,
                               copy_of=_copies_in(t, rows),
                               labels=None if t.labels is None
                               else np.asarray(t.labels)[rows]))
        parts.append(tuple(mine))
        index.append(tuple(idx))
    return TerritoryPlan(tuple(out), tuple(parts), tuple(index))
