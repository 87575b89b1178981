"""The data of a home-care day (:class:`HomeCareProblem`) and the answers about a plan
(:class:`PlanCheck`, :class:`HomeCareResult`).

Part of the home-care solver, whose public face is :mod:`hemopt.routing.homecare`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hemopt.errors import InputError
from hemopt.routing.reasons import HOMECARE_DROP_REASONS

__all__ = ["HOMECARE_DROP_REASONS", "HomeCareProblem", "HomeCareResult", "PlanCheck"]

#: Tolerance (minutes) of the schedule checks.
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

    # The fields hold the normalised, read-only arrays (``__post_init__`` makes them from
    # whatever array-likes were given); the ``__init__`` below tells the type checker what
    # may be given.
    travel: NDArray[np.float64]
    visit_location: NDArray[np.int64]
    earliest: NDArray[np.float64]
    latest: NDArray[np.float64]
    duration: NDArray[np.float64]
    shift_start: NDArray[np.float64]
    shift_end: NDArray[np.float64]
    staffing: NDArray[np.int64] = None  # type: ignore[assignment]
    duration2: NDArray[np.float64] = None  # type: ignore[assignment]
    earliest2: NDArray[np.float64] = None  # type: ignore[assignment]
    latest2: NDArray[np.float64] = None  # type: ignore[assignment]
    sync_min: NDArray[np.float64] = None  # type: ignore[assignment]
    sync_max: NDArray[np.float64] = None  # type: ignore[assignment]
    skill: NDArray[np.int64] = None  # type: ignore[assignment]
    skill2: NDArray[np.int64] = None  # type: ignore[assignment]
    excluded: NDArray[np.bool_] = None  # type: ignore[assignment]
    staff_mode: NDArray[np.int64] = None  # type: ignore[assignment]
    start_place: NDArray[np.int64] = None  # type: ignore[assignment]
    end_place: NDArray[np.int64] = None  # type: ignore[assignment]
    staff_skills: NDArray[np.bool_] = None  # type: ignore[assignment]
    break_duration: NDArray[np.float64] = None  # type: ignore[assignment]
    break_earliest: NDArray[np.float64] = None  # type: ignore[assignment]
    break_latest: NDArray[np.float64] = None  # type: ignore[assignment]
    distance: NDArray[np.float64] | None = None
    hard_windows: bool = False
    travel_weight: float = 1.0
    tardiness_weight: float = 1.0
    max_tardiness_weight: float = 0.0
    drop_penalty: float | NDArray[np.float64] | None = 10_000.0
    visit_ids: list[Any] = None  # type: ignore[assignment]
    staff_ids: list[Any] = None  # type: ignore[assignment]
    time_weight: float = 0.0
    distance_weight: float = 0.0
    staff_fixed_cost: NDArray[np.float64] = 0.0  # type: ignore[assignment]
    max_overtime: NDArray[np.float64] = 0.0  # type: ignore[assignment]
    overtime_weight: float = 0.0
    staff_cost: NDArray[np.float64] | None = None
    client: NDArray[np.int64] | None = None
    max_carers: int | None = None

    if TYPE_CHECKING:  # what the constructor accepts; the dataclass makes the real one
        def __init__(
            self, *, travel: ArrayLike, visit_location: ArrayLike, earliest: ArrayLike,
            latest: ArrayLike, duration: ArrayLike, shift_start: ArrayLike,
            shift_end: ArrayLike, staffing: ArrayLike | None = None,
            duration2: ArrayLike | None = None, earliest2: ArrayLike | None = None,
            latest2: ArrayLike | None = None, sync_min: ArrayLike | None = None,
            sync_max: ArrayLike | None = None, skill: ArrayLike | None = None,
            skill2: ArrayLike | None = None, excluded: ArrayLike | None = None,
            staff_mode: ArrayLike | None = None, start_place: ArrayLike | None = None,
            end_place: ArrayLike | None = None, staff_skills: ArrayLike | None = None,
            break_duration: ArrayLike | None = None, break_earliest: ArrayLike | None = None,
            break_latest: ArrayLike | None = None, distance: ArrayLike | None = None,
            hard_windows: bool = False, travel_weight: float = 1.0,
            tardiness_weight: float = 1.0, max_tardiness_weight: float = 0.0,
            drop_penalty: ArrayLike | None = 10_000.0, visit_ids: Sequence[Any] | None = None,
            staff_ids: Sequence[Any] | None = None, time_weight: float = 0.0,
            distance_weight: float = 0.0, staff_fixed_cost: ArrayLike = 0.0,
            max_overtime: ArrayLike = 0.0, overtime_weight: float = 0.0,
            staff_cost: ArrayLike | None = None, client: ArrayLike | None = None,
            max_carers: int | None = None,
        ) -> None: ...

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
        ids = None if self.visit_ids is None else list(self.visit_ids)

        def visit(v: int) -> str:  # errors name the caller's visit id where there is one
            return f"visit {ids[v]!r}" if ids is not None and len(ids) == n else f"visit {v}"

        if n and (loc.min() < 0 or loc.max() >= n_loc):
            v = int(np.flatnonzero((loc < 0) | (loc >= n_loc))[0])
            raise InputError(f"visit_location must be in [0, {n_loc}), got {int(loc[v])} "
                             f"({visit(v)})")
        for name in ("earliest", "latest", "duration"):
            s(self, name, _arr(name, getattr(self, name), n, float))
        s(self, "duration2", _arr("duration2", self.duration2, n, float, self.duration))
        if (self.duration < 0).any() or (self.duration2 < 0).any():
            v = int(np.flatnonzero((self.duration < 0) | (self.duration2 < 0))[0])
            raise InputError(f"duration must be >= 0, got {visit(v)} with "
                             f"{min(self.duration[v], self.duration2[v]):g}")
        bad = np.flatnonzero(self.latest < self.earliest)
        if len(bad):
            v = int(bad[0])
            raise InputError(f"latest must be >= earliest, got {visit(v)} with latest "
                             f"{self.latest[v]:g} < earliest {self.earliest[v]:g}")
        s(self, "earliest2", _arr("earliest2", self.earliest2, n, float, self.earliest))
        s(self, "latest2", _arr("latest2", self.latest2, n, float, self.latest))
        if (self.latest2 < self.earliest2).any():
            v = int(np.flatnonzero(self.latest2 < self.earliest2)[0])
            raise InputError(f"latest2 must be >= earliest2, got {visit(v)} with latest2 "
                             f"{self.latest2[v]:g} < earliest2 {self.earliest2[v]:g}")
        st = _arr("staffing", self.staffing, n, int, 1)
        if n and not np.isin(st, (1, 2)).all():
            v = int(np.flatnonzero(~np.isin(st, (1, 2)))[0])
            raise InputError(f"staffing must be 1 or 2, got {int(st[v])} ({visit(v)})")
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


