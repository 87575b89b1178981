"""An independent check of any home-care plan (:func:`check_plan`): the schedule re-computed
from the routes, and its violations listed.

Part of the home-care solver, whose public face is :mod:`hemopt.routing.homecare`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hemopt.errors import InputError
from hemopt.routing.homecare_problem import _TOL, HomeCareProblem, PlanCheck

__all__ = ["check_plan"]


def _task(item: object) -> tuple[int, int]:
    """``(visit, copy)`` of a route's item: a bare visit (copy 0) or a pair."""
    if isinstance(item, int | np.integer):
        return int(item), 0
    if isinstance(item, Sequence | np.ndarray) and len(item) == 2:
        return int(item[0]), int(item[1])
    raise InputError(f"routes: a task is a visit or a (visit, copy) pair, got {item!r}")


def check_plan(problem: HomeCareProblem, routes: Sequence[Sequence],
               breaks_after: Mapping[int, int | Sequence[int]] | None = None, *,
               clock: bool = False) -> PlanCheck:
    """Re-compute a plan's schedule from its routes and list its violations.

    Independent of the solver: the earliest start times are the least fixed point of the
    precedence constraints (route order, travel, windows' earliest starts, breaks, and the
    synchronisation of double visits in both directions), found by relaxation; a plan whose
    synchronisation cannot be met (two staff waiting for each other) is reported, not
    scheduled.

    Parameters
    ----------
    problem : HomeCareProblem
    routes : sequence (one per staff) of sequences of (visit, copy) or of visit
        A bare visit means copy 0 (a double visit's second copy must then appear on another
        route as ``(visit, 1)``).
    breaks_after : mapping staff -> int or sequence of int, optional
        Where each staff member's break is (or breaks are, by earliest start): after that
        many tasks of the route. None: breaks
        are not checked (a hand-made plan without breaks). Given: a staff member with a break
        to take and a route, missing from the mapping, is a violation.

    Returns
    -------
    PlanCheck

    Examples
    --------
    One staff member cannot serve both copies of a double visit:

    >>> import numpy as np
    >>> p = HomeCareProblem(travel=np.zeros((2, 2)), visit_location=[1], earliest=[0],
    ...                     latest=[60], duration=[20], staffing=[2],
    ...                     shift_start=[0, 0], shift_end=[100, 100])
    >>> check_plan(p, [[(0, 0), (0, 1)], []]).violations
    ('visit 0: both copies on staff 0',)
    >>> chk = check_plan(p, [[(0, 0)], [(0, 1)]])
    >>> chk.feasible, chk.served, chk.stops.start.tolist()
    (True, 1, [0.0, 0.0])
    """
    p = problem
    K = p.n_staff

    def sid(k):
        return f"staff {p.staff_ids[k]!r}" if isinstance(p.staff_ids[k], str) else f"staff {k}"

    def vid(v):
        return f"visit {p.visit_ids[v]!r}" if isinstance(p.visit_ids[v], str) else f"visit {v}"

    def tm(x):
        if not clock:
            return f"{x:.2f}"
        m = round(x)
        return f"{m // 60:02d}:{m % 60:02d}"

    if len(routes) != K:
        raise InputError(f"routes must have one route per staff ({K}), got {len(routes)}")
    viol: list[str] = []
    tasks: list[tuple[int, int, int, int]] = []   # (staff, order, visit, copy)
    where: dict[tuple[int, int], int] = {}
    for k, r in enumerate(routes):
        for o, item in enumerate(r):
            v, c = _task(item)
            if not 0 <= v < p.n_visits or c not in (0, 1) or c >= p.staffing[v]:
                viol.append(f"{sid(k)}: unknown task (visit {v}, copy {c})")
                continue
            if (v, c) in where:
                viol.append(f"{vid(v)} copy {c}: served twice")
                continue
            where[(v, c)] = len(tasks)
            tasks.append((k, o, int(v), c))
    seq = [[t for t in range(len(tasks)) if tasks[t][0] == k] for k in range(K)]
    for v in range(p.n_visits):
        have = [(v, c) in where for c in range(int(p.staffing[v]))]
        if any(have) and not all(have):
            viol.append(f"{vid(v)}: only {sum(have)} of {len(have)} staff")
        if len(have) == 2 and all(have):
            ka, kb = tasks[where[(v, 0)]][0], tasks[where[(v, 1)]][0]
            if ka == kb:
                viol.append(f"{vid(v)}: both copies on {sid(ka)}")
    for k, _, v, c in tasks:
        need = p.skill[v] if c == 0 else p.skill2[v]
        if need >= 0 and not (need < p.staff_skills.shape[1] and p.staff_skills[k, need]):
            viol.append(f"{vid(v)} copy {c}: {sid(k)} lacks skill {int(need)}")
        if p.excluded[v, k]:
            viol.append(f"{vid(v)}: {sid(k)} is excluded by the client")
    # least fixed point of the start times
    nt = len(tasks)
    loc = [int(p.visit_location[v]) for _, _, v, _ in tasks]
    dur = [float(p.duration[v] if c == 0 else p.duration2[v]) for _, _, v, c in tasks]
    e = [float(p.earliest[v] if c == 0 else p.earliest2[v]) for _, _, v, c in tasks]
    late = [float(p.latest[v] if c == 0 else p.latest2[v]) for _, _, v, c in tasks]
    start = list(e)
    arrival = [0.0] * nt
    pairs = [(where[(v, 0)], where[(v, 1)], float(p.sync_min[v]), float(p.sync_max[v]))
             for v in range(p.n_visits)
             if p.staffing[v] == 2 and (v, 0) in where and (v, 1) in where
             and tasks[where[(v, 0)]][0] != tasks[where[(v, 1)]][0]]
    take: dict[int, list[int]] = {}
    for k, at in ({} if breaks_after is None else dict(breaks_after)).items():
        take[int(k)] = [int(at)] if isinstance(at, int | np.integer) else [int(x) for x in at]
    bks = [p.breaks_of(k) for k in range(K)]
    brk: dict[int, list[float]] = {}
    converged = False
    for _ in range(2 * nt + 5):
        changed = False
        for k in range(K):
            tt = float(p.shift_start[k])
            cur = int(p.start_place[k])
            T = p.travel[p.staff_mode[k]]
            at = take.get(k, [])
            brk[k] = []
            for o, t in enumerate(seq[k]):
                for b, pos in enumerate(at):
                    if pos == o and b < len(bks[k]):
                        bs = max(tt, bks[k][b][1])
                        brk[k].append(bs)
                        tt = bs + bks[k][b][0]
                a = tt + T[cur, loc[t]]
                arrival[t] = a
                if a > start[t] + 1e-9:
                    start[t] = a
                    changed = True
                tt = start[t] + dur[t]
                cur = loc[t]
        for a, b, lo, hi in pairs:
            if start[b] < start[a] + lo - 1e-9:
                start[b] = start[a] + lo
                changed = True
            if start[a] < start[b] - hi - 1e-9:
                start[a] = start[b] - hi
                changed = True
        if not changed:
            converged = True
            break
    if not converged:
        viol.append("synchronisation cannot be met: staff wait for each other (a cycle)")
    travel = dist = 0.0
    cost = 0.0
    overtime = 0.0
    for k in range(K):
        if not seq[k]:
            brk.pop(k, None)
            continue
        T = p.travel[p.staff_mode[k]]
        D = None if p.distance is None else p.distance[p.staff_mode[k]]
        locs = [int(p.start_place[k])] + [loc[t] for t in seq[k]] + [int(p.end_place[k])]
        for a, b in itertools.pairwise(locs):
            travel += T[a, b]
            dist += np.nan if D is None else D[a, b]
            if p.distance_weight and D is not None:  # a distance weight needs distances
                cost += p.distance_weight * D[a, b]
        at = take.get(k, [])
        if bks[k] and breaks_after is not None:
            if not at:
                viol.append(f"{sid(k)}: no break")
            elif len(at) != len(bks[k]):
                viol.append(f"{sid(k)}: {len(at)} break(s) placed, {len(bks[k])} to take")
            elif any(not 0 <= x <= len(seq[k]) for x in at) or list(at) != sorted(at):
                viol.append(f"{sid(k)}: break after {list(at)} of {len(seq[k])} tasks")
        last = seq[k][-1]
        tt = start[last] + dur[last]
        for b, pos in enumerate(at):
            if pos == len(seq[k]) and b < len(bks[k]):
                bs = max(tt, bks[k][b][1])
                brk[k].append(bs)
                tt = bs + bks[k][b][0]
        back = tt + T[loc[last], int(p.end_place[k])]
        over = max(0.0, back - float(p.shift_end[k]))
        if over > p.max_overtime[k] + _TOL:
            viol.append(f"{sid(k)}: back at {tm(back)} after the shift end "
                        f"{tm(p.shift_end[k])}" + (f" and its overtime allowance "
                                                 f"{p.max_overtime[k]:g}"
                                                 if p.max_overtime[k] else ""))
        overtime += min(over, float(p.max_overtime[k]))
        cost += (p.overtime_weight * min(over, float(p.max_overtime[k]))
                 + float(p.staff_fixed_cost[k]) + p.time_weight * (
                     back - float(p.shift_start[k]) - sum(x[0] for x in bks[k])))
        if p.staff_cost is not None:
            cost += float(sum(p.staff_cost[tasks[t][2], k] for t in seq[k]))
        for b, bs in enumerate(brk[k]):
            if bs > bks[k][b][2] + _TOL:
                viol.append(f"{sid(k)}: break starts at {tm(bs)} after {tm(bks[k][b][2])}")
    if p.max_carers is not None and p.client is not None:  # max_carers needs client
        carers: dict[int, set[int]] = {}
        for k, _, v, _ in tasks:
            carers.setdefault(int(p.client[v]), set()).add(k)
        for c, ks in sorted(carers.items()):
            if len(ks) > p.max_carers:
                viol.append(f"client {c}: {len(ks)} different staff, at most "
                            f"{p.max_carers} allowed")
    for a, b, lo, hi in pairs:
        if not lo - _TOL <= start[b] - start[a] <= hi + _TOL:
            viol.append(f"{vid(tasks[a][2])}: copies start {start[b] - start[a]:.2f} apart, "
                        f"allowed [{lo:g}, {hi:g}]")
    tard = [max(0.0, start[t] - late[t]) for t in range(nt)]
    for t in range(nt):
        if p.hard_windows and tard[t] > _TOL:
            viol.append(f"{vid(tasks[t][2])}: starts {tard[t]:.2f}"
                        f"{' min' if clock else ''} after its latest start "
                        f"{tm(late[t])}")
    tsum = float(sum(tard))
    tmax = float(max(tard, default=0.0))
    stops = pd.DataFrame(
        [(k, o, v, c, arrival[t], start[t], start[t] + dur[t], tard[t])
         for t, (k, o, v, c) in enumerate(tasks)],
        columns=["staff", "order", "visit", "copy", "arrival", "start", "end", "tardiness"])
    stops = stops.sort_values(["staff", "order"], kind="stable").reset_index(drop=True)
    breaks = pd.DataFrame(
        [(k, take[k][b], bs, bs + bks[k][b][0]) for k in sorted(brk)
         for b, bs in enumerate(brk[k])],
        columns=["staff", "after", "start", "end"])
    cost += (p.travel_weight * travel + p.tardiness_weight * tsum
             + p.max_tardiness_weight * tmax)
    served = sum(1 for v in range(p.n_visits)
                 if all((v, c) in where for c in range(int(p.staffing[v]))))
    return PlanCheck(stops=stops, breaks=breaks, travel=float(travel), distance=float(dist),
                     total_tardiness=tsum, max_tardiness=tmax, served=served,
                     dropped=p.n_visits - served, violations=tuple(viol),
                     overtime=float(overtime), objective=float(cost))

