"""Home-care routing with double-staffed (synchronised) visits, skills, breaks, per-staff
travel modes and start and end places, excluded staff, and dropping with reasons.

The engine layer: numpy arrays in, numpy arrays and pandas tables out. A
:class:`HomeCareProblem` holds the visits and the staff; :func:`solve_homecare` routes them
with a ruin-and-recreate local search (docs/routing.md, "Home care: double staffing, breaks,
skills", says why this method and what was measured against OR-Tools); :func:`check_plan`
re-computes any plan's schedule independently and lists its violations.

A visit with staffing count 2 is two *tasks* (copy 0 and copy 1) served by two different staff.
Their starts are linked: ``start(copy 1) - start(copy 0)`` lies in ``[sync_min, sync_max]``
(``0, 0`` = simultaneous; ``-tol, tol`` = simultaneous within a tolerance; ``min, max`` with
``min > 0`` = sequential). A task starts at ``max(arrival, earliest)``, later if its partner
forces it; it is late by ``max(0, start - latest)`` (soft: costed; or hard: not allowed). A
staff member leaves ``start_place`` no earlier than ``shift_start``, is back at ``end_place``
by ``shift_end``, and takes a break of ``break_duration`` starting in
``[break_earliest, break_latest]`` when ``break_duration > 0`` and the route is not empty.

Examples
--------
Two staff, one double-staffed visit that both must start together, one visit each:

>>> import numpy as np
>>> from hemopt.routing.homecare import HomeCareProblem, solve_homecare
>>> travel = np.array([[0, 10, 20], [10, 0, 10], [20, 10, 0]], dtype=float)
>>> p = HomeCareProblem(travel=travel, visit_location=[1, 2], earliest=[0, 0],
...                     latest=[100, 100], duration=[30, 30], staffing=[2, 1],
...                     shift_start=[0, 5], shift_end=[480, 480])
>>> r = solve_homecare(p, max_iterations=50, seed=0)
>>> print(r.stops[["staff", "visit", "copy", "arrival", "start"]].to_string(index=False))
 staff  visit  copy  arrival  start
     0      0     0     10.0   15.0
     0      1     0     55.0   55.0
     1      0     1     15.0   15.0
>>> r.travel, r.total_tardiness, len(r.dropped), r.violations
(60.0, 0.0, 0, ())
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hemopt.errors import InputError

__all__ = [
    "HOMECARE_DROP_REASONS",
    "HomeCareProblem",
    "HomeCareResult",
    "PlanCheck",
    "check_plan",
    "solve_homecare",
]

#: Why a visit is not served.
HOMECARE_DROP_REASONS: dict[str, str] = {
    "skill_missing": "no staff member has the required skill",
    "no_second_staff": "a double visit needs two different qualified, permitted staff who "
    "can reach it; there are fewer",
    "all_staff_excluded": "every staff member with the skill is excluded by the client",
    "unreachable": "no qualified staff member can reach the visit within its window and "
    "be back by the end of the shift",
    "no_capacity": "the staff had no room for the visit (too few staff, or too little time)",
}

_INF = float("inf")
#: Cost per minute of a hard violation (overtime, late break, hard window) during the search.
_VIOLATION_WEIGHT = 1e6
_TOL = 1e-6


def _arr(name: str, value, n: int | None, dtype, default=None) -> np.ndarray:
    if value is None:
        if default is None:
            raise InputError(f"{name} is required")
        value = default
    a = np.array(value, dtype=dtype)
    if a.ndim == 0 and n is not None:
        a = np.full(n, a.item(), dtype=dtype)
    if n is not None and a.shape != (n,):
        raise InputError(f"{name} must have length {n}, got shape {a.shape}")
    if np.issubdtype(a.dtype, np.floating) and np.isnan(a).any():
        raise InputError(f"{name} has NaN at index {int(np.flatnonzero(np.isnan(a))[0])}")
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class HomeCareProblem:
    """Visits and staff of one home-care day.

    Parameters
    ----------
    travel : array (L, L) or (modes, L, L)
        Travel time (minutes, or the instance's unit) between locations, one matrix per mode.
    visit_location : int array (n,)
        Location index of each visit.
    earliest, latest : float arrays (n,)
        Window for the *start* of the visit.
    duration : float array (n,)
        Duration of the visit (of copy 0); ``duration2`` is copy 1's (default: the same).
    staffing : int array (n,), optional
        1 or 2 staff (default 1).
    sync_min, sync_max : float arrays (n,), optional
        Allowed ``start(copy 1) - start(copy 0)`` of a double visit (default 0, 0:
        simultaneous).
    skill, skill2 : int arrays (n,), optional
        Skill index required by copy 0 and copy 1; -1 = none (default). ``skill2`` defaults to
        ``skill``.
    excluded : bool array (n, staff), optional
        ``excluded[v, k]``: the client of visit v refuses staff k.
    staff_mode : int array (staff,), optional
        Index of each staff member's travel matrix (default 0).
    start_place, end_place : int arrays (staff,), optional
        Location where each route starts and ends (office or home; default 0).
    shift_start, shift_end : float arrays (staff,)
        The shift: the staff member leaves no earlier than ``shift_start`` and is back by
        ``shift_end``. The length of the arrays is the number of staff.
    staff_skills : bool array (staff, skills), optional
        Which skills each staff member has (default: no skills).
    break_duration, break_earliest, break_latest : float arrays (staff,), optional
        A break of ``break_duration`` (0 = none, the default) starting in
        ``[break_earliest, break_latest]``; taken at the place of the previous visit.
    distance : array like ``travel``, optional
        Distances (km) for reporting.
    hard_windows : bool
        True: a visit may not start after ``latest``; False (default): it may, at a cost.
    travel_weight, tardiness_weight, max_tardiness_weight : float
        Objective: ``travel_weight × travel + tardiness_weight × total tardiness +
        max_tardiness_weight × largest tardiness`` (+ drop penalties).
    drop_penalty : float or None
        Cost of leaving a visit unserved (per visit); None: every visit must be served.

    Examples
    --------
    >>> import numpy as np
    >>> p = HomeCareProblem(travel=np.zeros((2, 2)), visit_location=[1], earliest=[0],
    ...                     latest=[60], duration=[20], shift_start=[0], shift_end=[480])
    >>> p.n_visits, p.n_staff, p.n_tasks
    (1, 1, 1)
    """

    travel: np.ndarray
    visit_location: np.ndarray
    earliest: np.ndarray
    latest: np.ndarray
    duration: np.ndarray
    shift_start: np.ndarray
    shift_end: np.ndarray
    staffing: np.ndarray | None = None
    duration2: np.ndarray | None = None
    sync_min: np.ndarray | None = None
    sync_max: np.ndarray | None = None
    skill: np.ndarray | None = None
    skill2: np.ndarray | None = None
    excluded: np.ndarray | None = None
    staff_mode: np.ndarray | None = None
    start_place: np.ndarray | None = None
    end_place: np.ndarray | None = None
    staff_skills: np.ndarray | None = None
    break_duration: np.ndarray | None = None
    break_earliest: np.ndarray | None = None
    break_latest: np.ndarray | None = None
    distance: np.ndarray | None = None
    hard_windows: bool = False
    travel_weight: float = 1.0
    tardiness_weight: float = 1.0
    max_tardiness_weight: float = 0.0
    drop_penalty: float | None = 10_000.0
    visit_ids: Sequence | None = None
    staff_ids: Sequence | None = None

    def __post_init__(self) -> None:
        s = object.__setattr__
        tr = np.array(self.travel, dtype=float)
        if tr.ndim == 2:
            tr = tr[None]
        if tr.ndim != 3 or tr.shape[1] != tr.shape[2] or tr.shape[1] == 0:
            raise InputError(f"travel must be (L, L) or (modes, L, L), got shape {tr.shape}")
        if not np.isfinite(tr).all() or (tr < 0).any():
            raise InputError("travel must be finite and non-negative")
        tr.setflags(write=False)
        s(self, "travel", tr)
        n_loc = tr.shape[1]
        if self.distance is not None:
            d = np.array(self.distance, dtype=float)
            d = d[None] if d.ndim == 2 else d
            if d.shape != tr.shape:
                raise InputError(f"distance must have the shape of travel {tr.shape}, "
                                 f"got {d.shape}")
            d.setflags(write=False)
            s(self, "distance", d)
        loc = _arr("visit_location", self.visit_location, None, int)
        if loc.ndim != 1:
            raise InputError(f"visit_location must be 1-D, got shape {loc.shape}")
        n = len(loc)
        s(self, "visit_location", loc)
        if n and (loc.min() < 0 or loc.max() >= n_loc):
            bad = int(loc[(loc < 0) | (loc >= n_loc)][0])
            raise InputError(f"visit_location must be in [0, {n_loc}), got {bad}")
        for name in ("earliest", "latest", "duration"):
            s(self, name, _arr(name, getattr(self, name), n, float))
        s(self, "duration2", _arr("duration2", self.duration2, n, float, self.duration))
        if (self.duration < 0).any() or (self.duration2 < 0).any():
            raise InputError("duration must be >= 0")
        bad = np.flatnonzero(self.latest < self.earliest)
        if len(bad):
            v = int(bad[0])
            raise InputError(f"latest must be >= earliest, got latest[{v}]="
                             f"{self.latest[v]} < earliest[{v}]={self.earliest[v]}")
        st = _arr("staffing", self.staffing, n, int, 1)
        if n and not np.isin(st, (1, 2)).all():
            raise InputError(f"staffing must be 1 or 2, got {int(st[~np.isin(st, (1, 2))][0])}")
        s(self, "staffing", st)
        s(self, "sync_min", _arr("sync_min", self.sync_min, n, float, 0.0))
        s(self, "sync_max", _arr("sync_max", self.sync_max, n, float, 0.0))
        if (self.sync_max < self.sync_min).any():
            raise InputError("sync_max must be >= sync_min")
        sk = _arr("skill", self.skill, n, int, -1)
        s(self, "skill", sk)
        s(self, "skill2", _arr("skill2", self.skill2, n, int, sk))
        ss = _arr("shift_start", self.shift_start, None, float)
        if ss.ndim != 1 or len(ss) == 0:
            raise InputError(f"shift_start must be 1-D with one entry per staff, got {ss.shape}")
        k = len(ss)
        s(self, "shift_start", ss)
        s(self, "shift_end", _arr("shift_end", self.shift_end, k, float))
        if (self.shift_end < ss).any():
            raise InputError("shift_end must be >= shift_start")
        mode = _arr("staff_mode", self.staff_mode, k, int, 0)
        if (mode < 0).any() or (mode >= tr.shape[0]).any():
            raise InputError(f"staff_mode must be in [0, {tr.shape[0]}), got {mode.tolist()}")
        s(self, "staff_mode", mode)
        for name in ("start_place", "end_place"):
            a = _arr(name, getattr(self, name), k, int, 0)
            if (a < 0).any() or (a >= n_loc).any():
                raise InputError(f"{name} must be in [0, {n_loc}), got {a.tolist()}")
            s(self, name, a)
        n_sk = int(max(sk.max(initial=-1), self.skill2.max(initial=-1))) + 1
        if self.staff_skills is None:
            sks = np.zeros((k, n_sk), dtype=bool)
        else:
            sks = np.array(self.staff_skills, dtype=bool)
            if sks.ndim != 2 or sks.shape[0] != k:
                raise InputError(f"staff_skills must be (staff={k}, skills), got {sks.shape}")
            if sks.shape[1] < n_sk:
                sks = np.hstack([sks, np.zeros((k, n_sk - sks.shape[1]), dtype=bool)])
        sks.setflags(write=False)
        s(self, "staff_skills", sks)
        if self.excluded is None:
            ex = np.zeros((n, k), dtype=bool)
        else:
            ex = np.array(self.excluded, dtype=bool)
            if ex.shape != (n, k):
                raise InputError(f"excluded must be (visits={n}, staff={k}), got {ex.shape}")
        ex.setflags(write=False)
        s(self, "excluded", ex)
        s(self, "break_duration", _arr("break_duration", self.break_duration, k, float, 0.0))
        s(self, "break_earliest", _arr("break_earliest", self.break_earliest, k, float, ss))
        s(self, "break_latest", _arr("break_latest", self.break_latest, k, float,
                                     self.shift_end))
        if (self.break_duration < 0).any() or (self.break_latest < self.break_earliest).any():
            raise InputError("break_duration must be >= 0 and break_latest >= break_earliest")
        if self.drop_penalty is not None and not self.drop_penalty > 0:
            raise InputError(f"drop_penalty must be > 0 or None, got {self.drop_penalty}")
        s(self, "visit_ids", list(range(n)) if self.visit_ids is None else list(self.visit_ids))
        s(self, "staff_ids", list(range(k)) if self.staff_ids is None else list(self.staff_ids))
        if len(self.visit_ids) != n or len(self.staff_ids) != k:
            raise InputError("visit_ids and staff_ids must have one entry per visit and staff")

    @property
    def n_visits(self) -> int:
        """Number of visits."""
        return len(self.visit_location)

    @property
    def n_staff(self) -> int:
        """Number of staff."""
        return len(self.shift_start)

    @property
    def n_tasks(self) -> int:
        """Number of tasks (a double-staffed visit is two)."""
        return int(self.staffing.sum())


@dataclass(frozen=True)
class PlanCheck:
    """A plan's schedule re-computed by :func:`check_plan`.

    Attributes
    ----------
    stops : DataFrame
        One row per task: staff, order, visit, copy, arrival, start, end, tardiness.
    breaks : DataFrame
        staff, after (number of tasks before the break), start, end.
    travel, distance, total_tardiness, max_tardiness : float
        Distance is NaN without a distance matrix. Tardiness is reported under hard windows
        too (each late start is also a violation).
    served, dropped : int
        Visits with all their copies served; visits not served.
    violations : tuple of str
        Empty for a feasible plan.

    Examples
    --------
    See :func:`check_plan`.
    """

    stops: pd.DataFrame
    breaks: pd.DataFrame
    travel: float
    distance: float
    total_tardiness: float
    max_tardiness: float
    served: int
    dropped: int
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        """True when the plan has no violation."""
        return not self.violations


@dataclass(frozen=True)
class HomeCareResult:
    """The answer of :func:`solve_homecare`.

    Attributes
    ----------
    routes : tuple of tuple of (visit, copy)
        Per staff member, the tasks in order.
    breaks_after : dict
        Staff -> number of tasks before their break (staff with a break and a route).
    stops, breaks : DataFrame
        The schedule, as in :class:`PlanCheck`.
    dropped : DataFrame
        visit, reason (one of :data:`HOMECARE_DROP_REASONS`).
    travel, distance, total_tardiness, max_tardiness, objective : float
    served : int
        Visits with all their copies served.
    violations : tuple of str
        From :func:`check_plan` on the routes; always empty for a returned plan (visits are
        dropped instead).
    iterations : int
    seconds : float

    Examples
    --------
    See :func:`solve_homecare`.
    """

    routes: tuple
    breaks_after: dict
    stops: pd.DataFrame
    breaks: pd.DataFrame
    dropped: pd.DataFrame
    travel: float
    distance: float
    total_tardiness: float
    max_tardiness: float
    objective: float
    violations: tuple[str, ...]
    iterations: int
    seconds: float
    served: int = 0
    staff_summary: pd.DataFrame = field(repr=False, default=None)


# ---------------------------------------------------------------------------------------------
# the compiled model and the schedule evaluation used by the search


class _Model:
    """Plain-Python lists of the problem, per task and per staff, for a fast evaluation."""

    def __init__(self, p: HomeCareProblem):
        self.p = p
        n = p.n_visits
        task_visit, task_copy = [], []
        first_task = []
        for v in range(n):
            first_task.append(len(task_visit))
            for c in range(int(p.staffing[v])):
                task_visit.append(v)
                task_copy.append(c)
        self.first_task = first_task
        self.task_visit, self.task_copy = task_visit, task_copy
        m = len(task_visit)
        self.m = m
        self.loc = [int(p.visit_location[v]) for v in task_visit]
        self.e = [float(p.earliest[v]) for v in task_visit]
        self.l = [float(p.latest[v]) for v in task_visit]
        self.dur = [float(p.duration[v] if c == 0 else p.duration2[v])
                    for v, c in zip(task_visit, task_copy, strict=True)]
        self.partner = [-1] * m
        self.lo = [0.0] * m
        self.hi = [0.0] * m
        for i in range(m):
            v = task_visit[i]
            if p.staffing[v] == 2:
                f = first_task[v]
                self.partner[i] = f + 1 if i == f else f
                self.lo[i], self.hi[i] = float(p.sync_min[v]), float(p.sync_max[v])
        self.first = [c == 0 for c in task_copy]
        k = p.n_staff
        self.K = k
        mats = [p.travel[md].tolist() for md in range(p.travel.shape[0])]
        self.T = [mats[int(p.staff_mode[s])] for s in range(k)]
        self.s0 = p.shift_start.tolist()
        self.s1 = p.shift_end.tolist()
        self.start_loc = p.start_place.tolist()
        self.end_loc = p.end_place.tolist()
        self.bd = p.break_duration.tolist()
        self.be = p.break_earliest.tolist()
        self.bl = p.break_latest.tolist()
        self.hard = bool(p.hard_windows)
        self.w_travel = float(p.travel_weight)
        self.w_tard = float(p.tardiness_weight)
        self.w_max = float(p.max_tardiness_weight)
        self.drop = p.drop_penalty
        # eligibility and the reasons of visits nobody can serve
        self.elig: list[list[int]] = []
        self.reason: dict[int, str] = {}
        for i in range(m):
            v, c = task_visit[i], task_copy[i]
            need = int(p.skill[v] if c == 0 else p.skill2[v])
            skilled = [s for s in range(k) if need < 0 or p.staff_skills[s, need]]
            allowed = [s for s in skilled if not p.excluded[v, s]]
            ok = [s for s in allowed if self._reachable(i, s)]
            self.elig.append(ok)
            if v not in self.reason:
                if not skilled:
                    self.reason[v] = "skill_missing"
                elif not allowed:
                    self.reason[v] = "all_staff_excluded"
                elif not ok:
                    self.reason[v] = "unreachable"
        for v in range(n):
            if p.staffing[v] == 2 and v not in self.reason:
                a, b = self.elig[first_task[v]], self.elig[first_task[v] + 1]
                if not any(x != y for x in a for y in b):
                    self.reason[v] = "no_second_staff"
        self.visits_ok = [v for v in range(n) if v not in self.reason]
        # neighbours by location for related removal
        self.xy_rank = None

    def _reachable(self, i: int, s: int) -> bool:
        T = self.T[s]
        a = self.s0[s] + T[self.start_loc[s]][self.loc[i]]
        st = max(a, self.e[i])
        if self.hard and st > self.l[i] + _TOL:
            return False
        back = st + self.dur[i] + T[self.loc[i]][self.end_loc[s]]
        return back <= self.s1[s] + _TOL

    def tasks_of(self, v: int) -> list[int]:
        f = self.first_task[v]
        return [f, f + 1] if self.partner[f] >= 0 else [f]

    def evaluate(self, routes, detail: bool = False):
        """Schedule the routes; return (cost, travel, tard_sum, tard_max, viol, start) or
        None on a synchronisation deadlock. ``detail`` adds arrivals and break starts."""
        m, K = self.m, self.K
        loc, e, lat, dur, partner, first = (self.loc, self.e, self.l, self.dur, self.partner,
                                          self.first)
        lo, hi = self.lo, self.hi
        T, bd, be, bl = self.T, self.bd, self.be, self.bl
        arr = [-1.0] * m
        start = [0.0] * m
        owner = [0] * m
        for k in range(K):
            for i in routes[k]:
                owner[i] = k
        pos = [0] * K
        t = list(self.s0)
        cur = list(self.start_loc)
        taken = [b <= 0 for b in bd]
        bstart = [-1.0] * K
        bpos = [-1] * K
        travel = 0.0
        tsum = 0.0
        tmax = 0.0
        viol = 0.0
        hard = self.hard
        progress = True
        while progress:
            progress = False
            for k in range(K):
                r = routes[k]
                n = len(r)
                p = pos[k]
                while p < n:
                    i = r[p]
                    if arr[i] < 0:
                        tr = T[k][cur[k]][loc[i]]
                        tt = t[k]
                        if not taken[k]:
                            bs = tt if tt > be[k] else be[k]
                            a_nb = tt + tr
                            s_nb = a_nb if a_nb > e[i] else e[i]
                            if bs + bd[k] + tr <= s_nb or s_nb + dur[i] > bl[k]:
                                taken[k] = True
                                bstart[k] = bs
                                bpos[k] = p
                                if bs > bl[k]:
                                    viol += bs - bl[k]
                                tt = bs + bd[k]
                        arr[i] = tt + tr
                        travel += tr
                    j = partner[i]
                    if j < 0:
                        s = arr[i] if arr[i] > e[i] else e[i]
                        start[i] = s
                        lates = (s - lat[i],)
                    else:
                        if arr[j] < 0:
                            break
                        a, b = (i, j) if first[i] else (j, i)
                        sa = arr[a] if arr[a] > e[a] else e[a]
                        sb = arr[b] if arr[b] > e[b] else e[b]
                        if sb - sa < lo[a]:
                            sb = sa + lo[a]
                        elif sb - sa > hi[a]:
                            sa = sb - hi[a]
                        start[a] = sa
                        start[b] = sb
                        kj = owner[j]
                        pos[kj] += 1
                        t[kj] = start[j] + dur[j]
                        cur[kj] = loc[j]
                        s = start[i]
                        lates = (s - lat[i], start[j] - lat[j])
                    for late in lates:
                        if late > 0:
                            if hard:
                                viol += late
                            else:
                                tsum += late
                                if late > tmax:
                                    tmax = late
                    t[k] = s + dur[i]
                    cur[k] = loc[i]
                    p += 1
                    progress = True
                pos[k] = p
        for k in range(K):
            if pos[k] < len(routes[k]):
                return None
            if not routes[k]:
                continue
            if not taken[k]:
                bs = t[k] if t[k] > be[k] else be[k]
                bstart[k] = bs
                bpos[k] = len(routes[k])
                if bs > bl[k]:
                    viol += bs - bl[k]
                t[k] = bs + bd[k]
            tr = T[k][cur[k]][self.end_loc[k]]
            travel += tr
            back = t[k] + tr
            if back > self.s1[k]:
                viol += back - self.s1[k]
        cost = (self.w_travel * travel + self.w_tard * tsum + self.w_max * tmax
                + _VIOLATION_WEIGHT * viol)
        if detail:
            return cost, travel, tsum, tmax, viol, start, arr, bstart, bpos
        return cost, travel, tsum, tmax, viol, start


# ---------------------------------------------------------------------------------------------
# the search: ruin and recreate with simulated annealing


class _Search:
    def __init__(self, model: _Model, seed: int, n_candidates: int = 20):
        self.md = model
        self.rng = random.Random(seed)
        self.M = n_candidates
        p = model.p
        # proximity of visits: travel on mode 0 plus the gap between windows
        n = p.n_visits
        t0 = p.travel[0]
        locs = p.visit_location
        mid = (p.earliest + p.latest) / 2
        rel = t0[np.ix_(locs, locs)] + 0.5 * np.abs(mid[:, None] - mid[None, :])
        self.near = np.argsort(rel, axis=1, kind="stable").tolist() if n else []

    # -- insertion --------------------------------------------------------------------------
    def _cheap(self, routes, start, i, k):
        """(estimate, position, start, lower bound) for task i in every position of route k.

        The lower bound is the cost increase without the delays to the tasks after it:
        inserting a task never makes another one earlier."""
        md = self.md
        T = md.T[k]
        r = routes[k]
        x = md.loc[i]
        e, dur = md.e[i], md.dur[i]
        li = md.l[i]
        wt = md.w_tard if not md.hard else _VIOLATION_WEIGHT
        prev_loc = md.start_loc[k]
        prev_fin = md.s0[k]
        out = []
        n = len(r)
        for p in range(n + 1):
            if p < n:
                nxt = r[p]
                b = md.loc[nxt]
            else:
                nxt = -1
                b = md.end_loc[k]
            d = T[prev_loc][x] + T[x][b] - T[prev_loc][b]
            a = prev_fin + T[prev_loc][x]
            s = a if a > e else e
            est = md.w_travel * d
            if s > li:
                est += wt * (s - li)
            fin = s + dur + T[x][b]
            if nxt >= 0:
                push = fin - start[nxt]
                if push > 0:
                    est += 0.5 * wt * push
            elif fin > md.s1[k]:
                est += _VIOLATION_WEIGHT * (fin - md.s1[k])
            lb = md.w_travel * d + (wt * (s - li) if s > li else 0.0)
            out.append((est, p, s, lb))
            if nxt >= 0:
                prev_loc = b
                prev_fin = start[nxt] + md.dur[nxt]
        return out

    def insert_visit(self, routes, ev_now, v, force):
        """Insert visit v at its best evaluated position; return its evaluation or None."""
        md = self.md
        start = ev_now[5]
        cost_now = ev_now[0]
        tasks = md.tasks_of(v)
        M = self.M
        cands = []
        if len(tasks) == 1:
            i = tasks[0]
            for k in md.elig[i]:
                for est, p, _, lb in self._cheap(routes, start, i, k):
                    cands.append((est, k, p, lb))
            cands.sort()
            cands = [(lb, ((k, p),)) for _, k, p, lb in cands[:M]]
        else:
            a, b = tasks
            lo, hi = md.lo[a], md.hi[a]
            ca, cb = [], []
            for k in md.elig[a]:
                ca.extend((est, k, p, s, lb)
                          for est, p, s, lb in self._cheap(routes, start, a, k))
            for k in md.elig[b]:
                cb.extend((est, k, p, s, lb)
                          for est, p, s, lb in self._cheap(routes, start, b, k))
            ca.sort()
            cb.sort()
            ca, cb = ca[: 2 * M], cb[: 2 * M]
            pairs = []
            for ea, ka, pa, sa, la in ca:
                for eb, kb, pb, sb, lb in cb:
                    if ka == kb:
                        continue
                    gap = sb - sa
                    mis = lo - gap if gap < lo else (gap - hi if gap > hi else 0.0)
                    pairs.append((ea + eb + mis * md.w_tard, ka, pa, kb, pb, la + lb))
            pairs.sort()
            cands = [(lb, ((ka, pa), (kb, pb))) for _, ka, pa, kb, pb, lb in pairs[:M]]
        best = None
        for lb, cand in cands:
            if best is not None and cost_now + lb >= best[0][0]:
                continue
            for (k, p), i in zip(cand, tasks, strict=True):
                routes[k].insert(p, i)
            ev = md.evaluate(routes)
            for (k, _p), i in zip(cand, tasks, strict=True):
                routes[k].remove(i)
            if ev is not None and (best is None or ev[0] < best[0][0]):
                best = (ev, cand)
        if best is None and force:
            # at the end of the routes a synchronised pair can never deadlock
            ks = md.elig[tasks[0]][:1]
            if len(tasks) == 2:
                kb = [k for k in md.elig[tasks[1]] if k != ks[0]][:1]
                ks = ks + kb
            cand = tuple((k, len(routes[k])) for k in ks)
            for (k, p), i in zip(cand, tasks, strict=True):
                routes[k].insert(p, i)
            ev = md.evaluate(routes)
            for (k, _p), i in zip(cand, tasks, strict=True):
                routes[k].remove(i)
            best = (ev, cand)
        if best is None:
            return None
        ev, cand = best
        if not force and md.drop is not None and ev[0] - cost_now >= md.drop:
            return None
        for (k, p), i in zip(cand, tasks, strict=True):
            routes[k].insert(p, i)
        return ev

    def recreate(self, routes, unassigned, ev):
        md = self.md
        order = list(unassigned)
        mode = self.rng.random()
        if mode < 0.4:
            self.rng.shuffle(order)
        elif mode < 0.7:
            order.sort(key=lambda v: md.p.earliest[v])
        elif mode < 0.85:
            order.sort(key=lambda v: (-md.p.staffing[v], md.p.earliest[v]))
        else:
            order.sort(key=lambda v: md.p.latest[v] - md.p.earliest[v])
        left = []
        force = md.drop is None
        for v in order:
            new = self.insert_visit(routes, ev, v, force)
            if new is None:
                left.append(v)
            else:
                ev = new
        return ev, left

    # -- removal ----------------------------------------------------------------------------
    def ruin(self, routes, n_remove):
        md = self.md
        served = [md.task_visit[i] for r in routes for i in r if md.first[i]]
        if not served:
            return []
        rng = self.rng
        mode = rng.random()
        if mode < 0.3:
            chosen = rng.sample(served, min(n_remove, len(served)))
        elif mode < 0.75:
            seed_v = rng.choice(served)
            sset = set(served)
            chosen = [w for w in self.near[seed_v] if w in sset][:n_remove]
        else:
            # strings of consecutive visits from routes near a seed visit
            chosen = []
            seed_v = rng.choice(served)
            seen_routes = set()
            owner = {i: k for k, r in enumerate(routes) for i in r}
            for w in self.near[seed_v]:
                if len(chosen) >= n_remove:
                    break
                ti = md.first_task[w]
                if ti not in owner:
                    continue
                k = owner[ti]
                if k in seen_routes:
                    continue
                seen_routes.add(k)
                r = routes[k]
                length = rng.randint(1, max(1, min(len(r), n_remove // 2 + 1)))
                p = r.index(ti)
                lo = max(0, min(p - rng.randint(0, length - 1), len(r) - length))
                chosen.extend(md.task_visit[i] for i in r[lo: lo + length])
            chosen = list(dict.fromkeys(chosen))[:n_remove]
        gone = set()
        for v in chosen:
            gone.update(md.tasks_of(v))
        for k in range(len(routes)):
            routes[k] = [i for i in routes[k] if i not in gone]
        return chosen

    def run(self, max_iterations, time_limit_s):
        md = self.md
        t_start = time.perf_counter()
        routes = [[] for _ in range(md.K)]
        ev = md.evaluate(routes)
        ev, unassigned = self.recreate(routes, md.visits_ok, ev)
        cur = ([list(r) for r in routes], list(unassigned), ev)
        best = cur

        def total(e, un):
            return e[0] + (md.drop or 0.0) * len(un)

        n_ok = len(md.visits_ok)
        if n_ok == 0:
            return best, 0, time.perf_counter() - t_start
        cost0 = max(total(ev, unassigned), 1.0)
        t0 = 0.02 * cost0 / max(1.0, math.sqrt(n_ok))
        t_end = 0.002 * t0
        it = 0
        max_remove = max(2, min(30, int(0.25 * n_ok)))
        while True:
            if max_iterations is not None and it >= max_iterations:
                break
            elapsed = time.perf_counter() - t_start
            if time_limit_s is not None and elapsed >= time_limit_s:
                break
            if max_iterations is not None:
                frac = it / max_iterations
            else:
                frac = elapsed / time_limit_s
            temp = t0 * (t_end / t0) ** frac
            it += 1
            routes = [list(r) for r in cur[0]]
            removed = self.ruin(routes, self.rng.randint(1, max_remove))
            ev0 = md.evaluate(routes)
            ev1, left = self.recreate(routes, list(cur[1]) + removed, ev0)
            new_cost = total(ev1, left)
            cur_cost = total(cur[2], cur[1])
            if new_cost < cur_cost - 1e-9 or self.rng.random() < math.exp(
                    -(new_cost - cur_cost) / temp):
                cur = (routes, left, ev1)
                if new_cost < total(best[2], best[1]) - 1e-9:
                    best = ([list(r) for r in routes], list(left), ev1)
        return best, it, time.perf_counter() - t_start


# ---------------------------------------------------------------------------------------------
# public functions


def solve_homecare(problem: HomeCareProblem, *, time_limit_s: float | None = None,
                   max_iterations: int | None = None, seed: int = 0) -> HomeCareResult:
    """Route a home-care day: every visit served by qualified, permitted staff, double visits
    synchronised, breaks in their windows; what cannot be served is dropped with a reason.

    A ruin-and-recreate local search (random, related and string removals; best insertion
    over the positions a cheap estimate ranks first, each evaluated on the full synchronised
    schedule; simulated-annealing acceptance). A returned plan is always feasible: a plan
    with a violation left (overtime, a late break, a hard window missed) loses visits, with
    the reason ``"no_capacity"``, until :func:`check_plan` finds none.

    Parameters
    ----------
    problem : HomeCareProblem
    time_limit_s : float, optional
        Wall-clock limit. With ``max_iterations`` only, the result is deterministic for a seed.
    max_iterations : int, optional
        Number of ruin-and-recreate iterations (default 1000 when no time limit is given).
    seed : int

    Returns
    -------
    HomeCareResult

    Examples
    --------
    Two staff, one qualified (skill 0) for the insulin visit (visit 1):

    >>> import numpy as np
    >>> travel = np.full((3, 3), 10.0) - 10 * np.eye(3)
    >>> p = HomeCareProblem(travel=travel, visit_location=[1, 2], earliest=[0, 0],
    ...                     latest=[60, 60], duration=[20, 20], skill=[-1, 0],
    ...                     shift_start=[0, 0], shift_end=[200, 200],
    ...                     staff_skills=[[False], [True]])
    >>> r = solve_homecare(p, max_iterations=20)
    >>> r.stops.loc[r.stops.visit == 1, "staff"].tolist()
    [1]
    """
    if time_limit_s is not None and not time_limit_s > 0:
        raise InputError(f"time_limit_s must be > 0, got {time_limit_s}")
    if max_iterations is not None and max_iterations < 0:
        raise InputError(f"max_iterations must be >= 0, got {max_iterations}")
    if time_limit_s is None and max_iterations is None:
        max_iterations = 1000
    md = _Model(problem)
    search = _Search(md, seed)
    (routes, left, _), iters, secs = search.run(max_iterations, time_limit_s)
    reasons = dict(md.reason)
    for v in left:
        reasons[v] = "no_capacity"
    routes = [list(r) for r in routes]
    # a violation left: drop visits until none is left
    while True:
        ev = md.evaluate(routes, detail=True)
        if ev is not None and ev[4] <= 1e-9:
            break
        best = None
        for k in range(md.K):
            for i in routes[k]:
                if not md.first[i]:
                    continue
                v = md.task_visit[i]
                trial = [[x for x in r if md.task_visit[x] != v] for r in routes]
                e2 = md.evaluate(trial)
                score = _INF if e2 is None else e2[4] * _VIOLATION_WEIGHT + e2[0] * 1e-9
                if best is None or score < best[0]:
                    best = (score, v, trial)
        routes = best[2]
        reasons[best[1]] = "no_capacity"
    return _result(problem, md, routes, ev, reasons, iters, secs)


def _result(problem, md, routes, ev, reasons, iters, secs) -> HomeCareResult:
    bpos = ev[8]
    breaks_after = {k: bpos[k] for k in range(md.K) if bpos[k] >= 0}
    task_routes = [[(md.task_visit[i], md.task_copy[i]) for i in r] for r in routes]
    chk = check_plan(problem, task_routes, breaks_after=breaks_after)
    dropped = pd.DataFrame({"visit": sorted(reasons),
                            "reason": [reasons[v] for v in sorted(reasons)]},
                           columns=["visit", "reason"])
    st = chk.stops
    summary = pd.DataFrame({
        "staff": range(md.K),
        "tasks": [len(r) for r in routes],
        "travel": [_route_travel(md, k, routes[k]) for k in range(md.K)],
    })
    objective = (problem.travel_weight * chk.travel + problem.tardiness_weight
                 * chk.total_tardiness + problem.max_tardiness_weight * chk.max_tardiness
                 + (problem.drop_penalty or 0.0) * len(dropped))
    return HomeCareResult(
        routes=tuple(tuple(r) for r in task_routes), breaks_after=breaks_after, stops=st,
        breaks=chk.breaks, dropped=dropped, travel=chk.travel, distance=chk.distance,
        total_tardiness=chk.total_tardiness, max_tardiness=chk.max_tardiness,
        objective=objective, violations=chk.violations, iterations=iters, seconds=secs,
        served=chk.served, staff_summary=summary)


def _route_travel(md, k, r) -> float:
    T = md.T[k]
    locs = [md.start_loc[k]] + [md.loc[i] for i in r] + [md.end_loc[k]]
    return float(sum(T[a][b] for a, b in itertools.pairwise(locs))) if r else 0.0


def check_plan(problem: HomeCareProblem, routes: Sequence[Sequence],
               breaks_after: Mapping[int, int] | None = None) -> PlanCheck:
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
    breaks_after : mapping staff -> int, optional
        Where each staff member's break is: after that many tasks of the route. None: breaks
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
    if len(routes) != K:
        raise InputError(f"routes must have one route per staff ({K}), got {len(routes)}")
    viol: list[str] = []
    tasks: list[tuple[int, int, int, int]] = []   # (staff, order, visit, copy)
    where: dict[tuple[int, int], int] = {}
    for k, r in enumerate(routes):
        for o, item in enumerate(r):
            v, c = (item, 0) if np.isscalar(item) else (int(item[0]), int(item[1]))
            if not 0 <= v < p.n_visits or c not in (0, 1) or c >= p.staffing[v]:
                viol.append(f"staff {k}: unknown task (visit {v}, copy {c})")
                continue
            if (v, c) in where:
                viol.append(f"visit {v} copy {c}: served twice")
                continue
            where[(v, c)] = len(tasks)
            tasks.append((k, o, int(v), c))
    seq = [[t for t in range(len(tasks)) if tasks[t][0] == k] for k in range(K)]
    for v in range(p.n_visits):
        have = [(v, c) in where for c in range(int(p.staffing[v]))]
        if any(have) and not all(have):
            viol.append(f"visit {v}: only {sum(have)} of {len(have)} staff")
        if len(have) == 2 and all(have):
            ka, kb = tasks[where[(v, 0)]][0], tasks[where[(v, 1)]][0]
            if ka == kb:
                viol.append(f"visit {v}: both copies on staff {ka}")
    for k, _, v, c in tasks:
        need = p.skill[v] if c == 0 else p.skill2[v]
        if need >= 0 and not (need < p.staff_skills.shape[1] and p.staff_skills[k, need]):
            viol.append(f"visit {v} copy {c}: staff {k} lacks skill {int(need)}")
        if p.excluded[v, k]:
            viol.append(f"visit {v}: staff {k} is excluded by the client")
    # least fixed point of the start times
    nt = len(tasks)
    loc = [int(p.visit_location[v]) for _, _, v, _ in tasks]
    dur = [float(p.duration[v] if c == 0 else p.duration2[v]) for _, _, v, c in tasks]
    e = [float(p.earliest[v]) for _, _, v, _ in tasks]
    start = list(e)
    arrival = [0.0] * nt
    brk: dict[int, float] = {}
    pairs = [(where[(v, 0)], where[(v, 1)], float(p.sync_min[v]), float(p.sync_max[v]))
             for v in range(p.n_visits)
             if p.staffing[v] == 2 and (v, 0) in where and (v, 1) in where
             and tasks[where[(v, 0)]][0] != tasks[where[(v, 1)]][0]]
    take = {} if breaks_after is None else dict(breaks_after)
    converged = False
    for _ in range(2 * nt + 5):
        changed = False
        for k in range(K):
            tt = float(p.shift_start[k])
            cur = int(p.start_place[k])
            T = p.travel[p.staff_mode[k]]
            for o, t in enumerate(seq[k]):
                if take.get(k) == o:
                    bs = max(tt, float(p.break_earliest[k]))
                    brk[k] = bs
                    tt = bs + float(p.break_duration[k])
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
    for k in range(K):
        if not seq[k]:
            continue
        T = p.travel[p.staff_mode[k]]
        D = None if p.distance is None else p.distance[p.staff_mode[k]]
        locs = [int(p.start_place[k])] + [loc[t] for t in seq[k]] + [int(p.end_place[k])]
        for a, b in itertools.pairwise(locs):
            travel += T[a, b]
            dist += np.nan if D is None else D[a, b]
        if p.break_duration[k] > 0 and breaks_after is not None:
            if k not in take:
                viol.append(f"staff {k}: no break")
            elif not 0 <= take[k] <= len(seq[k]):
                viol.append(f"staff {k}: break after {take[k]} of {len(seq[k])} tasks")
        last = seq[k][-1]
        tt = start[last] + dur[last]
        if take.get(k) == len(seq[k]):
            bs = max(tt, float(p.break_earliest[k]))
            brk[k] = bs
            tt = bs + float(p.break_duration[k])
        back = tt + T[loc[last], int(p.end_place[k])]
        if back > p.shift_end[k] + _TOL:
            viol.append(f"staff {k}: back at {back:.2f} after the shift end {p.shift_end[k]:g}")
        if k in brk and brk[k] > p.break_latest[k] + _TOL:
            viol.append(f"staff {k}: break starts at {brk[k]:.2f} after "
                        f"{p.break_latest[k]:g}")
    for a, b, lo, hi in pairs:
        if not lo - _TOL <= start[b] - start[a] <= hi + _TOL:
            viol.append(f"visit {tasks[a][2]}: copies start {start[b] - start[a]:.2f} apart, "
                        f"allowed [{lo:g}, {hi:g}]")
    tard = [max(0.0, start[t] - float(p.latest[tasks[t][2]])) for t in range(nt)]
    for t in range(nt):
        if p.hard_windows and tard[t] > _TOL:
            viol.append(f"visit {tasks[t][2]}: starts {tard[t]:.2f} after its latest start")
    tsum = float(sum(tard))
    tmax = float(max(tard, default=0.0))
    stops = pd.DataFrame(
        [(k, o, v, c, arrival[t], start[t], start[t] + dur[t], tard[t])
         for t, (k, o, v, c) in enumerate(tasks)],
        columns=["staff", "order", "visit", "copy", "arrival", "start", "end", "tardiness"])
    stops = stops.sort_values(["staff", "order"], kind="stable").reset_index(drop=True)
    breaks = pd.DataFrame(
        [(k, take[k], brk[k], brk[k] + float(p.break_duration[k])) for k in sorted(brk)],
        columns=["staff", "after", "start", "end"])
    served = sum(1 for v in range(p.n_visits)
                 if all((v, c) in where for c in range(int(p.staffing[v]))))
    return PlanCheck(stops=stops, breaks=breaks, travel=float(travel), distance=float(dist),
                     total_tardiness=tsum, max_tardiness=tmax, served=served,
                     dropped=p.n_visits - served, violations=tuple(viol))
