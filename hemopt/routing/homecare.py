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
    earliest2, latest2 : float arrays (n,), optional
        Copy 1's window (default: the visit's), e.g. shifted by a second carer's offset.
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
    break_duration, break_earliest, break_latest : float arrays (staff,) or (staff, breaks)
        A break of ``break_duration`` (0 = none, the default) starting in
        ``[break_earliest, break_latest]``; taken at the place of the previous visit. With a
        second axis, several breaks per staff member (a 0 duration fills a shorter list), taken
        in the order of their earliest starts.
    distance : array like ``travel``, optional
        Distances (km) for reporting.
    hard_windows : bool
        True: a visit may not start after ``latest``; False (default): it may, at a cost.
    travel_weight, tardiness_weight, max_tardiness_weight : float
        Objective: ``travel_weight × travel + tardiness_weight × total tardiness +
        max_tardiness_weight × largest tardiness`` (+ drop penalties).
    drop_penalty : float, float array (n,) or None
        Cost of leaving a visit unserved (per visit, or one per visit: priorities); None: every
        visit must be served.
    time_weight : float
        Cost per minute of paid staff time: from ``shift_start`` until the staff member is
        back, breaks excluded (visits, travel, waiting), for each staff member with a route.
    distance_weight : float
        Cost per unit of ``distance`` (km); needs ``distance``.
    staff_fixed_cost : float or float array (staff,)
        Cost per staff member with a route (a shift used).
    max_overtime, overtime_weight : float or float arrays (staff,), float
        A staff member may be back up to ``max_overtime`` after ``shift_end`` (default 0), at
        ``overtime_weight`` per minute on top of ``time_weight``.
    staff_cost : float array (n, staff), optional
        Cost of staff k serving (a copy of) visit v, e.g. a continuity cost for a staff member
        who is not one of the client's usual carers.
    client : int array (n,), optional; max_carers : int, optional
        The client of each visit; at most ``max_carers`` different staff serve one client's
        visits (a hard rule).

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
    earliest2: np.ndarray | None = None
    latest2: np.ndarray | None = None
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
    drop_penalty: float | np.ndarray | None = 10_000.0
    visit_ids: Sequence | None = None
    staff_ids: Sequence | None = None
    time_weight: float = 0.0
    distance_weight: float = 0.0
    staff_fixed_cost: float | np.ndarray = 0.0
    max_overtime: float | np.ndarray = 0.0
    overtime_weight: float = 0.0
    staff_cost: np.ndarray | None = None
    client: np.ndarray | None = None
    max_carers: int | None = None

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
        s(self, "earliest2", _arr("earliest2", self.earliest2, n, float, self.earliest))
        s(self, "latest2", _arr("latest2", self.latest2, n, float, self.latest))
        if (self.latest2 < self.earliest2).any():
            raise InputError("latest2 must be >= earliest2")
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
        bd = np.array(0.0 if self.break_duration is None else self.break_duration, dtype=float)
        bd = np.full(k, bd.item()) if bd.ndim == 0 else bd
        two_d = bd.ndim == 2
        nb = bd.shape[1] if two_d else 1
        brk = {}
        for name, default in (("break_duration", 0.0), ("break_earliest", ss),
                              ("break_latest", self.shift_end)):
            val = getattr(self, name)
            a = np.array(default if val is None else val, dtype=float)
            if a.ndim == 0:
                a = np.full(k, a.item())
            if a.ndim == 1 and (two_d or val is None):
                a = np.repeat(a[:, None], nb, axis=1) if a.shape == (k,) else a
            if (a.ndim == 1 and a.shape != (k,)) or (a.ndim == 2 and a.shape != (k, nb)) \
                    or a.ndim > 2:
                raise InputError(f"{name} must have shape ({k},) or ({k}, breaks), got "
                                 f"{a.shape}")
            if np.isnan(a).any():
                raise InputError(f"{name} has NaN")
            a.setflags(write=False)
            brk[name] = a
            s(self, name, a)
        if (brk["break_duration"] < 0).any() or (brk["break_latest"]
                                                 < brk["break_earliest"]).any():
            raise InputError("break_duration must be >= 0 and break_latest >= break_earliest")
        if self.drop_penalty is not None:
            dp = np.array(self.drop_penalty, dtype=float)
            if dp.ndim == 0:
                if not dp > 0:
                    raise InputError(f"drop_penalty must be > 0 or None, got "
                                     f"{self.drop_penalty}")
            else:
                dp = _arr("drop_penalty", dp, n, float)
                if not (dp > 0).all():
                    raise InputError("drop_penalty must be > 0 for every visit")
                s(self, "drop_penalty", dp)
        for name in ("time_weight", "distance_weight", "overtime_weight"):
            w = float(getattr(self, name))
            if not (np.isfinite(w) and w >= 0):
                raise InputError(f"{name} must be a finite number >= 0, got {w}")
            s(self, name, w)
        if self.distance_weight > 0 and self.distance is None:
            raise InputError("distance_weight needs a distance matrix")
        for name in ("staff_fixed_cost", "max_overtime"):
            a = _arr(name, getattr(self, name), k, float)
            if not (np.isfinite(a).all() and (a >= 0).all()):
                raise InputError(f"{name} must be finite and >= 0")
            s(self, name, a)
        if self.staff_cost is not None:
            sc = np.array(self.staff_cost, dtype=float)
            if sc.shape != (n, k) or not np.isfinite(sc).all():
                raise InputError(f"staff_cost must be a finite (visits={n}, staff={k}) array, "
                                 f"got shape {sc.shape}")
            sc.setflags(write=False)
            s(self, "staff_cost", sc)
        if self.client is not None:
            s(self, "client", _arr("client", self.client, n, int))
        if self.max_carers is not None:
            if self.client is None or int(self.max_carers) < 1:
                raise InputError(f"max_carers must be >= 1 and needs client, got "
                                 f"{self.max_carers}")
            s(self, "max_carers", int(self.max_carers))
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

    def breaks_of(self, k: int) -> list[tuple[float, float, float]]:
        """Staff k's breaks as (duration, earliest, latest), by earliest start; none of 0
        duration.

        >>> import numpy as np
        >>> p = HomeCareProblem(travel=np.zeros((1, 1)), visit_location=[], earliest=[],
        ...                     latest=[], duration=[], shift_start=[0], shift_end=[600],
        ...                     break_duration=[[15, 30]], break_earliest=[[300, 120]],
        ...                     break_latest=[[360, 200]])
        >>> p.breaks_of(0)
        [(30.0, 120.0, 200.0), (15.0, 300.0, 360.0)]
        """
        d, e, lat = (np.atleast_1d(np.asarray(a)[k]) for a in
                     (self.break_duration, self.break_earliest, self.break_latest))
        out = [(float(x), float(y), float(z)) for x, y, z in zip(d, e, lat, strict=True)
               if x > 0]
        return sorted(out, key=lambda b: (b[1], b[2]))

    def drop_cost(self, v: int) -> float | None:
        """Cost of leaving visit v unserved (None: it must be served)."""
        if self.drop_penalty is None:
            return None
        dp = np.asarray(self.drop_penalty)
        return float(dp) if dp.ndim == 0 else float(dp[v])


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
    overtime : float
        Minutes back after the shift ends, within the allowances.
    objective : float
        The problem's objective of the served visits (drop costs not included).

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
    overtime: float = 0.0
    objective: float = float("nan")

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
        self.e = [float(p.earliest[v] if c == 0 else p.earliest2[v])
                  for v, c in zip(task_visit, task_copy, strict=True)]
        self.l = [float(p.latest[v] if c == 0 else p.latest2[v])
                  for v, c in zip(task_visit, task_copy, strict=True)]
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
        self.brk = [p.breaks_of(s) for s in range(k)]
        self.hard = bool(p.hard_windows)
        self.w_travel = float(p.travel_weight)
        self.w_tard = float(p.tardiness_weight)
        self.w_max = float(p.max_tardiness_weight)
        self.w_time = float(p.time_weight)
        self.w_dist = float(p.distance_weight)
        self.w_ot = float(p.overtime_weight)
        self.fixed = p.staff_fixed_cost.tolist()
        self.ot_max = p.max_overtime.tolist()
        self.D = None
        if self.w_dist > 0:
            dm = [p.distance[md].tolist() for md in range(p.distance.shape[0])]
            self.D = [dm[int(p.staff_mode[s])] for s in range(k)]
        self.sc = (None if p.staff_cost is None
                   else [p.staff_cost[v].tolist() for v in task_visit])
        self.client = None if p.client is None else [int(p.client[v]) for v in task_visit]
        self.max_carers = p.max_carers
        self.drop = (None if p.drop_penalty is None
                     else [p.drop_cost(v) for v in range(n)])
        # eligibility and the reasons of visits nobody can serve
        self.unreachable_kind: dict[int, str] = {}
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
                    shift_only = any(self._reachable(i, s, windows=False) for s in allowed)
                    self.unreachable_kind[v] = "window" if shift_only else "shift"
        for v in range(n):
            if p.staffing[v] == 2 and v not in self.reason:
                a, b = self.elig[first_task[v]], self.elig[first_task[v] + 1]
                if not any(x != y for x in a for y in b):
                    self.reason[v] = "no_second_staff"
        self.visits_ok = [v for v in range(n) if v not in self.reason]
        # neighbours by location for related removal
        self.xy_rank = None

    def _reachable(self, i: int, s: int, windows: bool = True) -> bool:
        T = self.T[s]
        a = self.s0[s] + T[self.start_loc[s]][self.loc[i]]
        st = max(a, self.e[i])
        if not windows:
            return st + self.dur[i] + T[self.loc[i]][self.end_loc[s]] <= (
                self.s1[s] + self.ot_max[s] + _TOL)
        if self.hard and st > self.l[i] + _TOL:
            return False
        back = st + self.dur[i] + T[self.loc[i]][self.end_loc[s]]
        return back <= self.s1[s] + self.ot_max[s] + _TOL

    def tasks_of(self, v: int) -> list[int]:
        f = self.first_task[v]
        return [f, f + 1] if self.partner[f] >= 0 else [f]

    def evaluate(self, routes, detail: bool = False):
        """Schedule the routes; return (cost, travel, tard_sum, tard_max, viol, start) or
        None on a synchronisation deadlock. ``detail`` adds arrivals, break starts, break
        positions and the violations by kind (window, shift, break, carers)."""
        m, K = self.m, self.K
        loc, e, lat, dur, partner, first = (self.loc, self.e, self.l, self.dur, self.partner,
                                          self.first)
        lo, hi = self.lo, self.hi
        T, brk = self.T, self.brk
        arr = [-1.0] * m
        start = [0.0] * m
        owner = [0] * m
        for k in range(K):
            for i in routes[k]:
                owner[i] = k
        pos = [0] * K
        t = list(self.s0)
        cur = list(self.start_loc)
        nb = [0] * K
        bstart: list[list[float]] = [[] for _ in range(K)]
        bpos: list[list[int]] = [[] for _ in range(K)]
        travel = 0.0
        tsum = 0.0
        tmax = 0.0
        v_win = v_shift = v_break = v_carers = 0.0
        extra = 0.0
        dist = 0.0
        D = self.D
        sc = self.sc
        hard = self.hard
        progress = True
        while progress:
            progress = False
            for k in range(K):
                r = routes[k]
                n = len(r)
                p = pos[k]
                bk = brk[k]
                while p < n:
                    i = r[p]
                    if arr[i] < 0:
                        tr = T[k][cur[k]][loc[i]]
                        tt = t[k]
                        while nb[k] < len(bk):
                            bdur, bear, blat = bk[nb[k]]
                            bs = tt if tt > bear else bear
                            a_nb = tt + tr
                            s_nb = a_nb if a_nb > e[i] else e[i]
                            if not (bs + bdur + tr <= s_nb or s_nb + dur[i] > blat):
                                break
                            bstart[k].append(bs)
                            bpos[k].append(p)
                            if bs > blat:
                                v_break += bs - blat
                            tt = bs + bdur
                            nb[k] += 1
                        arr[i] = tt + tr
                        travel += tr
                        if D is not None:
                            dist += D[k][cur[k]][loc[i]]
                        if sc is not None:
                            extra += sc[i][k]
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
                                v_win += late
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
            r = routes[k]
            if not r:
                continue
            bk = brk[k]
            while nb[k] < len(bk):
                bdur, bear, blat = bk[nb[k]]
                bs = t[k] if t[k] > bear else bear
                bstart[k].append(bs)
                bpos[k].append(len(r))
                if bs > blat:
                    v_break += bs - blat
                t[k] = bs + bdur
                nb[k] += 1
            tr = T[k][cur[k]][self.end_loc[k]]
            travel += tr
            back = t[k] + tr
            over = back - self.s1[k]
            if over > 0:
                if over > self.ot_max[k]:
                    v_shift += over - self.ot_max[k]
                    over = self.ot_max[k]
                extra += self.w_ot * over
            extra += self.fixed[k]
            if self.w_time:
                extra += self.w_time * (back - self.s0[k] - sum(b[0] for b in bk))
            if D is not None:
                dist += D[k][cur[k]][self.end_loc[k]]
        if self.max_carers is not None:
            seen: dict[int, set] = {}
            cl = self.client
            for i in range(m):
                if arr[i] >= 0:
                    seen.setdefault(cl[i], set()).add(owner[i])
            mc = self.max_carers
            v_carers = 60.0 * sum(len(x) - mc for x in seen.values() if len(x) > mc)
        viol = v_win + v_shift + v_break + v_carers
        cost = (self.w_travel * travel + self.w_tard * tsum + self.w_max * tmax + extra
                + self.w_dist * dist + _VIOLATION_WEIGHT * viol)
        if detail:
            kinds = {"window": v_win, "shift": v_shift, "break": v_break, "carers": v_carers}
            return cost, travel, tsum, tmax, viol, start, arr, bstart, bpos, kinds
        return cost, travel, tsum, tmax, viol, start


# ---------------------------------------------------------------------------------------------
# the search: ruin and recreate with simulated annealing


class _Search:
    def __init__(self, model: _Model, seed: int, n_candidates: int = 20):
        self.md = model
        self.rng = random.Random(seed)
        self.M = n_candidates
        # route elimination only where a used route costs in itself (keeps the search of
        # travel-and-tardiness instances, e.g. Mankowska's, exactly as it was)
        self.eliminate = bool(model.w_time > 0 or any(f > 0 for f in model.fixed))
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
        w_move = md.w_travel + md.w_time
        D = None if md.D is None else md.D[k]
        base = (md.sc[i][k] if md.sc is not None else 0.0) + (0.0 if r else md.fixed[k])
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
            fix = base
            if D is not None:
                fix += md.w_dist * (D[prev_loc][x] + D[x][b] - D[prev_loc][b])
            est = w_move * d + fix
            if s > li:
                est += wt * (s - li)
            fin = s + dur + T[x][b]
            if nxt >= 0:
                push = fin - start[nxt]
                if push > 0:
                    est += 0.5 * wt * push
            elif fin > md.s1[k] + md.ot_max[k]:
                est += _VIOLATION_WEIGHT * (fin - md.s1[k] - md.ot_max[k])
            lb = md.w_travel * d + fix + (wt * (s - li) if s > li else 0.0)
            out.append((est, p, s, lb))
            if nxt >= 0:
                prev_loc = b
                prev_fin = start[nxt] + md.dur[nxt]
        return out

    def insert_visit(self, routes, ev_now, v, force, forbid=()):
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
                if k in forbid:
                    continue
                for est, p, _, lb in self._cheap(routes, start, i, k):
                    cands.append((est, k, p, lb))
            cands.sort()
            cands = [(lb, ((k, p),)) for _, k, p, lb in cands[:M]]
        else:
            a, b = tasks
            lo, hi = md.lo[a], md.hi[a]
            ca, cb = [], []
            for k in md.elig[a]:
                if k in forbid:
                    continue
                ca.extend((est, k, p, s, lb)
                          for est, p, s, lb in self._cheap(routes, start, a, k))
            for k in md.elig[b]:
                if k in forbid:
                    continue
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
        if not force and md.drop is not None and ev[0] - cost_now >= md.drop[v]:
            return None
        for (k, p), i in zip(cand, tasks, strict=True):
            routes[k].insert(p, i)
        return ev

    def recreate(self, routes, unassigned, ev, forbid=()):
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
            new = self.insert_visit(routes, ev, v, force, forbid)
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
            return e[0] + (sum(md.drop[v] for v in un) if md.drop is not None else 0.0)

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
            forbid = ()
            used = [k for k in range(md.K) if routes[k]]
            if self.eliminate and len(used) > 1 and self.rng.random() < 0.15:
                # route elimination: empty one or two routes and re-insert their visits
                # elsewhere
                # (what a fixed cost per staff member, or per paid minute, rewards)
                forbid = tuple(self.rng.sample(used, self.rng.randint(1, 2)))
                removed = list(dict.fromkeys(md.task_visit[i] for k in forbid
                                             for i in routes[k]))
                gone = {i for v in removed for i in md.tasks_of(v)}
                routes = [[i for i in r if i not in gone] for r in routes]
            else:
                removed = self.ruin(routes, self.rng.randint(1, max_remove))
            ev0 = md.evaluate(routes)
            ev1, left = self.recreate(routes, list(cur[1]) + removed, ev0, forbid)
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
                score = _INF if e2 is None else (e2[4] * _VIOLATION_WEIGHT + 1e-9 * (
                    e2[0] + (md.drop[v] if md.drop is not None else 0.0)))
                if best is None or score < best[0]:
                    best = (score, v, trial)
        routes = best[2]
        reasons[best[1]] = "no_capacity"
    blocking = {v: _diagnose(md, search, routes, ev, v) for v in sorted(reasons)}
    return _result(problem, md, routes, ev, reasons, iters, secs, blocking)


#: The constraint that blocks a dropped visit (the ``constraint`` column of ``dropped``).
HOMECARE_BLOCKING: dict[str, str] = {
    "skill": "no staff member has the required skill",
    "excluded": "the client excludes every qualified staff member",
    "synchronisation": "the two staff of a double visit cannot be found or cannot meet",
    "window": "no staff member can start the visit within its time window",
    "shift": "no staff member can serve it and be back by the end of the shift (overtime "
             "allowance included)",
    "break": "serving it would push a staff member's break past its latest start",
    "carers": "serving it would exceed the client's limit on distinct carers",
    "capacity": "the staff have no room for it",
    "cost": "it could be served, but at a cost above its drop cost (its priority)",
}


def _diagnose(md, search, routes, ev, v) -> tuple[str, str]:
    """(constraint, detail): what blocks visit v in the final plan ``routes``."""
    p = md.p
    static = md.reason.get(v)
    if static == "skill_missing":
        return "skill", "no staff member has the skill"
    if static == "all_staff_excluded":
        return "excluded", "every staff member with the skill is excluded by the client"
    if static == "no_second_staff":
        return "synchronisation", "fewer than two different qualified, permitted staff"
    if static == "unreachable":
        return md.unreachable_kind.get(v, "window"), "no staff member can reach it in time"
    tasks = md.tasks_of(v)
    start = ev[5]
    per = []
    for i in tasks:
        c = []
        for k in md.elig[i]:
            c.extend((est, k, pos) for est, pos, _, _ in search._cheap(routes, start, i, k))
        c.sort()
        per.append(c[:40])
    if len(tasks) == 1:
        cands = [((k, pos),) for _, k, pos in per[0]]
    else:
        cands = [((ka, pa), (kb, pb)) for _, ka, pa in per[0][:12] for _, kb, pb in per[1][:12]
                 if ka != kb][:80]
    best = None
    for cand in cands:
        trial = [list(r) for r in routes]
        for (k, pos), i in zip(cand, tasks, strict=True):
            trial[k].insert(pos, i)
        e2 = md.evaluate(trial, detail=True)
        if e2 is None:
            continue
        if best is None or (e2[4], e2[0]) < (best[0][4], best[0][0]):
            best = (e2, cand)
    if best is None:
        return ("synchronisation" if len(tasks) == 2 else "capacity",
                "every insertion leaves the two staff waiting for each other"
                if len(tasks) == 2 else "no place in any route")
    e2, cand = best
    who = ", ".join(f"{p.staff_ids[k]} after {pos} task(s)" for k, pos in cand)
    if e2[4] <= 1e-9:
        extra = e2[0] - ev[0]
        return "cost", (f"best place {who} adds {extra:.0f} to the objective, above its drop "
                        f"cost {md.drop[v]:.0f}" if md.drop is not None else who)
    kind = max(e2[9], key=e2[9].get)
    over = e2[9][kind] - ev[9][kind]
    text = {"window": f"would start {over:.0f} min after its window",
            "shift": f"a staff member would be back {over:.0f} min after the shift end",
            "break": f"a break would start {over:.0f} min after its latest start",
            "carers": "the client would have one carer more than allowed"}[kind]
    return kind, f"best place {who}: {text}"


def _result(problem, md, routes, ev, reasons, iters, secs, blocking) -> HomeCareResult:
    bpos = ev[8]
    one = np.asarray(problem.break_duration).ndim == 1
    breaks_after = {k: (bpos[k][0] if one else tuple(bpos[k]))
                    for k in range(md.K) if bpos[k]}
    task_routes = [[(md.task_visit[i], md.task_copy[i]) for i in r] for r in routes]
    chk = check_plan(problem, task_routes, breaks_after=breaks_after)
    vs = sorted(reasons)
    dropped = pd.DataFrame({"visit": vs, "reason": [reasons[v] for v in vs],
                            "constraint": [blocking[v][0] for v in vs],
                            "detail": [blocking[v][1] for v in vs]},
                           columns=["visit", "reason", "constraint", "detail"])
    st = chk.stops
    summary = pd.DataFrame({
        "staff": range(md.K),
        "tasks": [len(r) for r in routes],
        "travel": [_route_travel(md, k, routes[k]) for k in range(md.K)],
    })
    objective = chk.objective + sum(problem.drop_cost(v) or 0.0 for v in reasons)
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
            v, c = (item, 0) if np.isscalar(item) else (int(item[0]), int(item[1]))
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
    brk: dict[int, float] = {}
    pairs = [(where[(v, 0)], where[(v, 1)], float(p.sync_min[v]), float(p.sync_max[v]))
             for v in range(p.n_visits)
             if p.staffing[v] == 2 and (v, 0) in where and (v, 1) in where
             and tasks[where[(v, 0)]][0] != tasks[where[(v, 1)]][0]]
    take: dict[int, list[int]] = {}
    for k, at in ({} if breaks_after is None else dict(breaks_after)).items():
        take[int(k)] = [int(at)] if np.isscalar(at) else [int(x) for x in at]
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
            if p.distance_weight:
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
    if p.max_carers is not None:
        carers: dict[int, set] = {}
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
