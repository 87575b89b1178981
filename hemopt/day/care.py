"""Double staffing, skills and breaks on top of the VRPTW routes of a day.

PyVRP routes each (provider, base, shift, mode) instance; these post-steps make its routes
respect what PyVRP 0.14 cannot express, and report what they cost:

**Double staffing.** A double-staffed stop enters the VRPTW twice (the stop and its *copy*),
and both must be served by two different routes (staff) starting at the same minute, within
:attr:`CareParams.sync_tolerance_min`. :func:`synchronise` takes each pair in turn: if the two
copies are on different routes and their feasible start intervals meet, both are pinned at the
earliest common minute (later stops of both routes wait where their slack allows); otherwise
the copy is moved, at the least extra distance, to another route where it can start inside its
partner's interval, or to a route of its own (the fleet of a day is open). A pair that cannot
be synchronised is dropped, both copies, with the reason ``"not_synchronised"``: it counts in
the dropped visits, never silently.

**Skills.** A stop with a skill (``"delegated"``: delegated health care) needs a licensed
staff member. Staff are not named at this level, so :func:`check_skills` counts: a provider's
shift may have at most ``ceil(licensed_share × routes)`` routes with skilled stops. Routes in
excess hand their skilled stops to a route that already has some (cheapest feasible
insertion); those that fit nowhere are dropped with the reason ``"no_licensed_staff"``. For a
double-staffed stop one licensed staff member of the two suffices (the stop is skilled, its
copy is not).

**Breaks.** :func:`place_breaks` gives every route that works longer than
:attr:`CareParams.break_after_min` a break of :attr:`CareParams.break_min` starting inside the
shift's break window: in waiting time where there is enough, otherwise by shifting the
later stops where their windows (and pinned double visits) allow. Routes where no place is
found are reported, not changed.

Examples
--------
>>> CareParams().break_window("day")
(660.0, 780.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hemopt.errors import InputError
from hemopt.routing.instance import (
    NO_LICENSED_STAFF,
    NOT_SYNCHRONISED,
    RawRoute,
    RawSolution,
    VRPTWInstance,
)
from hemopt.routing.parallel import InstanceTask, build_instance
from hemopt.routing.vrptw import VRPTWResult, result_from_routes, route_schedule, route_violation
from hemopt.travel import TravelModes

__all__ = ["CareParams", "CarePlan", "apply_care", "care_columns", "check_skills", "place_breaks",
           "synchronise", "without_copies"]


@dataclass(frozen=True)
class CareParams:
    """Double staffing, skills and breaks in the day routing (see ``docs/routing.md``).

    Parameters
    ----------
    enabled
        Apply the post-steps (default True). False routes a double-staffed stop once, like
        any other, and checks neither skills nor breaks: the routing before issue 18.
    sync_tolerance_min
        Most minutes between the two staff's starts at a double-staffed visit (default 0:
        the same minute; a positive tolerance is only used when the two cannot start
        together).
    break_after_min
        A route working longer than this gets a break (default 300: the Swedish Working Hours
        Act, arbetstidslagen 15 §, allows at most five hours of work in a row).
    break_min
        Length of the break (default 30 minutes).
    day_break, evening_break
        ``(earliest, latest)`` start of the break in each shift, minutes after midnight
        (default 11:00–13:00 in the day, 18:45–19:45 in the evening: between the dinner and
        bedtime visits).

    Raises
    ------
    InputError
        A negative value or a window that ends before it starts.

    Examples
    --------
    >>> CareParams(break_min=-1)
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: CareParams.break_min must be >= 0, got -1
    """

    enabled: bool = True
    sync_tolerance_min: float = 0.0
    break_after_min: float = 300.0
    break_min: float = 30.0
    day_break: tuple[float, float] = (11 * 60.0, 13 * 60.0)
    evening_break: tuple[float, float] = (18 * 60.0 + 45, 19 * 60.0 + 45)

    def __post_init__(self) -> None:
        for name in ("sync_tolerance_min", "break_after_min", "break_min"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise InputError(f"CareParams.{name} must be >= 0, got {v!r}")
        for name in ("day_break", "evening_break"):
            lo, hi = getattr(self, name)
            if not (np.isfinite(lo) and np.isfinite(hi) and hi >= lo):
                raise InputError(f"CareParams.{name} = {getattr(self, name)!r}; need "
                                 "(earliest, latest) with latest >= earliest")

    def break_window(self, shift: str) -> tuple[float, float]:
        """``(earliest, latest)`` start of the break in ``shift``."""
        return self.evening_break if shift == "evening" else self.day_break


@dataclass
class CarePlan:
    """Routes of one instance being repaired: routes of client indices, the windows (pinned
    for synchronised stops) and the visits dropped with their reasons.

    ``skill[c]`` is True for a stop that needs a licensed staff member; ``pairs`` maps a
    double-staffed stop to its copy.
    """

    inst: VRPTWInstance
    routes: list[list[int]]
    earliest: NDArray[np.float64]
    latest: NDArray[np.float64]
    skill: NDArray[np.bool_]
    pairs: dict[int, int] = field(default_factory=dict)
    dropped: dict[int, tuple[str, str]] = field(default_factory=dict)
    pinned: dict[int, float] = field(default_factory=dict)

    @classmethod
    def of(cls, inst: VRPTWInstance, res: VRPTWResult, skill: Sequence[bool] | NDArray[np.bool_],
           pairs: dict[int, int]) -> CarePlan:
        return cls(inst=inst, routes=[list(r) for r in res.routes],
                   earliest=inst.earliest.copy(), latest=inst.latest.copy(),
                   skill=np.asarray(skill, dtype=bool), pairs=dict(pairs),
                   dropped={c: (res.dropped_code[c], res.dropped_reason[c])
                            for c in res.dropped})

    # -- schedules ------------------------------------------------------------------------

    def _view(self) -> SimpleNamespace:
        i = self.inst
        return SimpleNamespace(duration=i.duration, earliest=self.earliest, latest=self.latest,
                               service=i.service, shift_duration=i.shift_duration,
                               capacity=None, demand=None)

    @property
    def shift(self) -> tuple[float, float]:
        s, e = self.inst.vehicle_shifts(1)
        return float(s[0]), float(e[0])

    def ok(self, route: Sequence[int]) -> bool:
        start, end = self.shift
        return route_violation(self._view(), list(route), start, end) == 0  # type: ignore[arg-type]

    def window(self, route: Sequence[int], c: int) -> tuple[float, float]:
        """Earliest and latest start of ``c`` on its (feasible) ``route``, every other stop
        keeping its window."""
        start, end = self.shift
        dur, svc = self.inst.duration, self.inst.service
        nodes = [0, *route]
        t, es = start, {}
        for k, v in enumerate(route):
            t = max(t + dur[nodes[k], v], self.earliest[v])
            es[v] = t
            t += svc[v]
        ls, nxt = {}, end
        prev_node = 0
        for v in reversed(route):
            nxt = min(self.latest[v], nxt - dur[v, prev_node] - svc[v])
            ls[v] = nxt
            prev_node = v
        lo, hi = float(es[c]), float(ls[c])
        if self.inst.shift_duration is not None and hi > lo:
            # pinned too early or too late, ``c`` may stretch the route past its working time:
            # bisect each side towards the route's own start time, which is feasible
            own = min(max(self.start_in(route, c), lo), hi)
            lo = self._edge(route, c, good=own, bad=lo)
            hi = self._edge(route, c, good=own, bad=hi)
        return lo, hi

    def _edge(self, route: Sequence[int], c: int, *, good: float, bad: float) -> float:
        """The feasible start of ``c`` nearest ``bad``, between ``good`` (feasible) and
        ``bad``, by bisection; ``bad`` itself if it is feasible."""
        if self._pinned_ok(route, c, bad):
            return bad
        for _ in range(20):
            mid = 0.5 * (bad + good)
            good, bad = (mid, bad) if self._pinned_ok(route, c, mid) else (good, mid)
        return good

    def start_in(self, route: Sequence[int], c: int) -> float:
        """When ``c`` starts on ``route`` in its schedule (leaving as late as useful)."""
        _, beg, _, _, _ = route_schedule(self._view(), list(route),  # type: ignore[arg-type]
                                          self.shift[0])
        return float(beg[list(route).index(c)])

    def _pinned_ok(self, route: Sequence[int], c: int, t: float) -> bool:
        e0, l0 = self.earliest[c], self.latest[c]
        self.earliest[c] = self.latest[c] = t
        try:
            return self.ok(route)
        finally:
            self.earliest[c], self.latest[c] = e0, l0

    def route_of(self, c: int) -> int | None:
        for k, r in enumerate(self.routes):
            if c in r:
                return k
        return None

    def remove(self, c: int) -> None:
        k = self.route_of(c)
        if k is not None:
            self.routes[k].remove(c)

    def cheapest_insertion(self, c: int, *, exclude: Sequence[int] = (),
                           only: Sequence[int] | None = None,
                           new_route: bool = True) -> tuple[int, int] | None:
        """Where ``c`` fits at the least extra distance: ``(route, position)``, route
        ``len(routes)`` for a new route of its own; None if nowhere."""
        d = self.inst.distance
        best: tuple[float, int, int] | None = None
        cand = range(len(self.routes)) if only is None else only
        for k in cand:
            if k in exclude:
                continue
            r = self.routes[k]
            nodes = [0, *r, 0]
            for j in range(len(r) + 1):
                extra = d[nodes[j], c] + d[c, nodes[j + 1]] - d[nodes[j], nodes[j + 1]]
                if best is not None and extra >= best[0]:
                    continue
                if self.ok([*r[:j], c, *r[j:]]):
                    best = (float(extra), k, j)
        if new_route and self.ok([c]):
            extra = float(d[0, c] + d[c, 0])
            if best is None or extra < best[0]:
                best = (extra, len(self.routes), 0)
        return None if best is None else (best[1], best[2])

    def insert(self, c: int, where: tuple[int, int]) -> None:
        k, j = where
        if k == len(self.routes):
            self.routes.append([c])
        else:
            self.routes[k].insert(j, c)

    def drop(self, c: int, code: str, why: str) -> None:
        self.remove(c)
        self.dropped[c] = (code, why)

    def result(self, res: VRPTWResult) -> VRPTWResult:
        """The plan as a :class:`VRPTWResult` (the schedule with the pinned windows)."""
        i = self.inst
        pinned = VRPTWInstance(distance=i.distance, duration=i.duration, coords=i.coords,
                               service=i.service, earliest=self.earliest, latest=self.latest,
                               shift_duration=i.shift_duration, shift_start=i.shift_start,
                               shift_end=i.shift_end, name=i.name)
        raw = RawSolution(routes=[RawRoute(k, r) for k, r in enumerate(self.routes) if r],
                          objective=res.objective, runtime_s=res.runtime_s, status=res.status,
                          notes=res.notes)
        out = result_from_routes(pinned, raw, dict(self.dropped), repaired=res.repaired,
                      backend=res.backend, seed=res.seed, drop_penalty=res.drop_penalty,
                      runtime_s=res.runtime_s)
        return out


def _meet(plan: CarePlan, a: int, b: int, tolerance_min: float) -> bool:
    """Pin ``a`` and ``b`` (on two different routes) at a common minute (or within the
    tolerance) where both routes stay feasible; False, nothing pinned, if there is none."""
    ra, rb = plan.route_of(a), plan.route_of(b)
    assert ra is not None and rb is not None and ra != rb
    lo_a, hi_a = plan.window(plan.routes[ra], a)
    lo_b, hi_b = plan.window(plan.routes[rb], b)
    lo, hi = max(lo_a, lo_b), min(hi_a, hi_b)
    if lo <= hi + 1e-9:
        # the earliest common minute, each route's own start time (a route whose working
        # time is tight may hold only that one), then a grid
        own = [plan.start_in(plan.routes[r], c) for r, c in ((ra, a), (rb, b))]
        ts = [lo, *(t for t in own if lo - 1e-9 <= t <= hi + 1e-9),
              *np.linspace(lo, max(lo, hi), 17)[1:]]
        trials = [(t, t) for t in ts]
    elif lo - hi <= tolerance_min + 1e-9:
        trials = [(hi_a, lo_b)] if lo_b > hi_a else [(lo_a, hi_b)]
    else:
        return False
    saved = {c: (plan.earliest[c], plan.latest[c]) for c in (a, b)}
    for ta, tb in trials:
        plan.earliest[a] = plan.latest[a] = ta
        plan.earliest[b] = plan.latest[b] = tb
        if plan.ok(plan.routes[ra]) and plan.ok(plan.routes[rb]):
            plan.pinned[a], plan.pinned[b] = ta, tb
            return True
    for c, (e, lt) in saved.items():
        plan.earliest[c], plan.latest[c] = e, lt
    return False


def synchronise(plan: CarePlan, tolerance_min: float = 0.0) -> None:
    """Serve every double-staffed pair by two routes at the same minute, or drop it.

    Pairs are taken by their earliest window. See the module docstring.
    """
    order = sorted(plan.pairs.items(), key=lambda p: (plan.earliest[p[0]], p[0]))
    for a, b in order:
        if a in plan.dropped or b in plan.dropped:
            for c in (a, b):
                if c not in plan.dropped:
                    plan.drop(c, NOT_SYNCHRONISED, "its partner visit could not be placed")
            continue
        if plan.route_of(a) is None:
            a, b = b, a
        ra, rb = plan.route_of(a), plan.route_of(b)
        if ra is None:
            for c in (a, b):
                plan.dropped[c] = (NOT_SYNCHRONISED, "neither staff member could be placed")
            continue
        if rb is not None and ra != rb and _meet(plan, a, b, tolerance_min):
            continue
        # move the copy to a route other than a's, where it can start in a's interval
        plan.remove(b)
        ra = plan.route_of(a)
        assert ra is not None
        lo_a, hi_a = plan.window(plan.routes[ra], a)
        e0, l0 = plan.earliest[b], plan.latest[b]
        plan.earliest[b] = max(e0, lo_a - tolerance_min)
        plan.latest[b] = min(l0, hi_a + tolerance_min)
        where = (plan.cheapest_insertion(b, exclude=[ra])
                 if plan.earliest[b] <= plan.latest[b] else None)
        if where is not None:
            plan.insert(b, where)
            plan.earliest[b], plan.latest[b] = e0, l0
            if _meet(plan, a, b, tolerance_min):
                continue
            plan.remove(b)
        plan.earliest[b], plan.latest[b] = e0, l0
        why = ("no second staff member could be there at the same time (between "
               f"{lo_a:.0f} and {hi_a:.0f} min)")
        plan.dropped[b] = (NOT_SYNCHRONISED, why)
        plan.drop(a, NOT_SYNCHRONISED, why)


def check_skills(plans: Sequence[CarePlan], licensed_share: float) -> int:
    """Keep the routes with skilled stops of one provider's shift within its licensed staff.

    ``plans`` are the instances (bases, modes) of one provider and shift. Returns the number
    of licensed staff needed after the repair.
    """
    total = sum(sum(1 for r in p.routes if r) for p in plans)
    allowed = math.ceil(licensed_share * total - 1e-9)

    def skilled_routes() -> list[tuple[int, int, int]]:
        out = []
        for i, p in enumerate(plans):
            for k, r in enumerate(p.routes):
                n = int(sum(p.skill[c] for c in r))
                if n:
                    out.append((n, i, k))
        return sorted(out)

    def relocate(i: int, k: int, others: list[int]) -> bool:
        """Move every skilled stop of route ``k`` of plan ``i`` to ``others``; all or none."""
        p = plans[i]
        before = [list(r) for r in p.routes]
        for c in [c for c in p.routes[k] if p.skill[c]]:
            p.routes[k].remove(c)
            where = p.cheapest_insertion(c, only=others, new_route=False) if others else None
            if where is None:
                p.routes = before
                return False
            p.insert(c, where)
        return True

    routes = skilled_routes()
    while len(routes) > allowed:
        # empty the route with the fewest skilled stops whose stops all fit on other skilled
        # routes of its instance; if none can be emptied, drop the fewest
        for _, i, k in routes:
            if relocate(i, k, [kk for (_, ii, kk) in routes if ii == i and kk != k]):
                break
        else:
            _, i, k = routes[0]
            p = plans[i]
            for c in [c for c in p.routes[k] if p.skill[c]]:
                p.drop(c, NO_LICENSED_STAFF, (
                    f"{len(routes)} routes would need a licensed staff member; "
                    f"{allowed} of the {total} staff are licensed "
                    f"(licensed_share = {licensed_share:g}) and no licensed route has room"))
                partner = p.pairs.get(c)  # a copy is never skilled: c is the original
                if partner is not None and partner not in p.dropped:
                    p.drop(partner, NO_LICENSED_STAFF, "its partner visit needs a licensed "
                           "staff member and none had room")
        routes = skilled_routes()
    return len(routes)


def place_breaks(plan: CarePlan, res: VRPTWResult, params: CareParams, shift: str
                 ) -> list[dict[str, Any]]:
    """Place a break in every route of ``res`` (the plan's result) working longer than
    ``params.break_after_min``.

    Returns one row per route that needs a break: ``route``, ``placed``, ``start_min``
    (the break's start, NaN if not placed), ``extra_min`` (how much longer the route gets:
    0 when the break fits in waiting time) and ``how`` (``"waiting"``, ``"shifted"`` or
    ``"no room"``).
    """
    lo_w, hi_w = params.break_window(shift)
    length = params.break_min
    end_shift = plan.shift[1]
    dur, svc = plan.inst.duration, plan.inst.service
    rows = []
    for k, route in enumerate(res.routes):
        work = res.route_duration[k]
        if work <= params.break_after_min + 1e-9:
            continue
        begin = res.start[k]
        dep = res.route_start[k]
        best: tuple[float, float, str] | None = None
        # after stop j (j = -1: before the first stop, leaving the office), before stop j+1
        for j in range(-1, len(route)):
            here = route[j] if j >= 0 else 0
            free_from = begin[j] + svc[route[j]] if j >= 0 else dep
            t0 = max(free_from, lo_w)
            if t0 > hi_w + 1e-9:
                continue
            # forward pass from the break's end
            t = t0 + length
            prev = here
            feasible = True
            for v in route[j + 1:]:
                t = max(t + dur[prev, v], plan.earliest[v])
                if t > plan.latest[v] + 1e-9:
                    feasible = False
                    break
                t += svc[v]
                prev = v
            if not feasible:
                continue
            t += dur[prev, 0]
            if t > end_shift + 1e-9:
                continue
            extra = max(0.0, t - res.route_end[k])
            how = "waiting" if extra <= 1e-9 else "shifted"
            if best is None or extra < best[0] - 1e-9:
                best = (extra, t0, how)
        if best is None:
            rows.append({"route": k, "placed": False, "start_min": math.nan,
                         "extra_min": 0.0, "how": "no room"})
        else:
            rows.append({"route": k, "placed": True, "start_min": best[1],
                         "extra_min": best[0], "how": best[2]})
    return rows


def care_columns(visits: pd.DataFrame, clients: pd.DataFrame) -> pd.DataFrame:
    """``visits`` with each client's ``staff_per_visit`` and ``skill`` (1 and ``""`` for a
    client table without them).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"client_id": ["a", "b", "a"]})
    >>> c = pd.DataFrame({"client_id": ["a", "b"], "staff_per_visit": [2, 1],
    ...                   "skill": ["", "delegated"]})
    >>> care_columns(v, c)[["staff_per_visit", "skill"]].values.tolist()
    [[2, ''], [1, 'delegated'], [2, '']]
    """
    out = visits.copy()
    cid = clients["client_id"].to_numpy()
    for col, default in (("staff_per_visit", 1), ("skill", "")):
        if col in clients.columns:
            lut = dict(zip(cid, clients[col].to_numpy(), strict=True))
            out[col] = out["client_id"].map(lut).fillna(default)
        else:
            out[col] = default
    out["staff_per_visit"] = out["staff_per_visit"].astype(np.int64)
    out["skill"] = out["skill"].astype(object)
    return out


def without_copies(inst: VRPTWInstance, res: VRPTWResult, n_stops: int
                   ) -> tuple[float, float]:
    """Distance and duration of ``res``'s routes with the copies (clients above ``n_stops``)
    taken out and the original windows: what the double visits' second staff cost is
    measured against."""
    dist = dur = 0.0
    for route in res.routes:
        r = [c for c in route if c <= n_stops]
        if not r:
            continue
        nodes = [0, *r, 0]
        dist += float(inst.distance[nodes[:-1], nodes[1:]].sum())
        _, _, dep, ret, _ = route_schedule(inst, r, float(inst.vehicle_shifts(1)[0][0]))
        dur += ret - dep
    return dist, dur


def apply_care(
    tasks: Sequence[InstanceTask],
    stops: Sequence[pd.DataFrame],
    results: Sequence[VRPTWResult],
    modes: TravelModes,
    params: CareParams,
    licensed_share: dict[str, float],
) -> tuple[list[VRPTWResult], pd.DataFrame, pd.DataFrame]:
    """The day's post-steps: synchronise each instance's double-staffed stops, check the
    licensed staff of each provider's shift, place the breaks.

    ``tasks[i]`` routes the stops ``stops[i]`` followed by a copy of each double-staffed one,
    in order; ``results[i]`` is its solution. Returns the repaired results, one row of
    figures per instance (the care columns of :class:`~hemopt.day.route.DayRouting`) and
    one row per route that needs a break.
    """
    plans: list[CarePlan] = []
    doubles: list[NDArray[np.int64]] = []
    for task, g, res in zip(tasks, stops, results, strict=True):
        n = len(g)
        inst = build_instance(task, modes)
        skill = np.zeros(inst.n_clients + 1, dtype=bool)
        skill[1:n + 1] = g["skill"].to_numpy() != ""
        dbl = np.flatnonzero(g["staff_per_visit"].to_numpy() == 2) + 1
        plan = CarePlan.of(inst, res, skill, dict(zip(dbl.tolist(),
                                                     range(n + 1, n + 1 + len(dbl)),
                                                     strict=True)))
        synchronise(plan, params.sync_tolerance_min)
        plans.append(plan)
        doubles.append(dbl)
    by_shift: dict[tuple[str, str], list[int]] = {}
    for i, task in enumerate(tasks):
        by_shift.setdefault((task.key[0], task.key[2]), []).append(i)
    for (pid, _), ids in by_shift.items():
        if any(plans[i].skill.any() for i in ids):
            check_skills([plans[i] for i in ids], licensed_share.get(pid, 1.0))
    final, care_rows, break_rows = [], [], []
    for task, g, res, plan, dbl in zip(tasks, stops, results, plans, doubles, strict=True):
        out = plan.result(res)
        final.append(out)
        n = len(g)
        pid, base, shift, mode = task.key
        served = {c for r in out.routes for c in r}
        nvis = g["n_visits"].to_numpy()
        dist0, dur0 = without_copies(plan.inst, out, n)
        brk = place_breaks(plan, out, params, shift)
        for row in brk:
            break_rows.append({"provider_id": pid, "base": base, "shift": shift, "mode": mode,
                               **row})
        care_rows.append({
            "provider_id": pid, "base": base, "shift": shift, "mode": mode,
            "double_stops": len(dbl),
            "double_visits": int(nvis[dbl - 1].sum()),
            "double_visits_served": int(sum(nvis[c - 1] for c in dbl if c in served)),
            "double_extra_km": (out.distance - dist0) / 1000.0,
            "double_extra_min": out.duration - dur0,
            "skilled_visits": int(nvis[plan.skill[1:n + 1]].sum()),
            "licensed_routes": sum(1 for r in out.routes if plan.skill[r].any()),
            "breaks_needed": len(brk),
            "breaks_taken": sum(1 for b in brk if b["placed"]),
            "break_extra_min": float(sum(b["extra_min"] for b in brk)),
        })
    return final, pd.DataFrame(care_rows), pd.DataFrame(break_rows)
