"""A hand-made plan re-costed and checked rule by rule, as it was planned.

:func:`recost_manual` takes the manual plan's table (staff, visit, and optionally order,
start, duration) for a :class:`~hemopt.routing.homecare.HomeCareProblem` built by
:func:`hemopt.day.route_plan`. Rows with an empty visit (or ``break``/``rast``) are the
planned breaks. With planned starts, each task is checked at its planned time and every
violation names its rule:

============== ==================================================================
window         a visit starts before its earliest or after its latest start
travel         a staff member cannot get there by the planned start (travel, the
               previous visit or break, or the shift's start)
shift          back at the end place after the shift's end (and overtime allowance)
break          a required break is missing, too short or outside its window
skill          the staff member lacks the visit's skill
excluded       the client refuses the staff member
synchronisation a double visit's two starts are further apart than allowed, or one
               staff member holds both copies, or a copy is missing
carers         a client has more different staff than allowed
============== ==================================================================

Without planned starts, the plan's routes (in ``order``) are re-scheduled at the earliest
times by :func:`~hemopt.routing.homecare.check_plan`, breaks placed where the table puts them.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from hemopt.routing.homecare import HomeCareProblem
>>> p = HomeCareProblem(travel=[[0, 10], [10, 0]], visit_location=[1], earliest=[480],
...                     latest=[510], duration=[30], shift_start=[420], shift_end=[600],
...                     visit_ids=["v1"], staff_ids=["anna"])
>>> m = pd.DataFrame({"staff": ["anna"], "visit": ["v1"], "start": ["08:45"]})
>>> recost_manual(p, m).violations
("[window] visit 'v1' (anna): starts 08:45, window 08:00-08:30",)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from hemopt.day.plan_tables import Table, hhmm
from hemopt.errors import InputError
from hemopt.routing.homecare import HomeCareProblem, PlanCheck, check_plan

__all__ = ["MANUAL_RULES", "plans_breaks", "recost_manual"]

_KEYWORDS = (("lacks skill", "skill"), ("excluded", "excluded"), ("break", "break"),
             ("shift end", "shift"), ("latest start", "window"), ("different staff", "carers"),
             ("copies", "synchronisation"), ("of 2 staff", "synchronisation"),
             ("synchronisation", "synchronisation"))


def _rule(message: str) -> str:
    return next((rule for word, rule in _KEYWORDS if word in message), "plan")

#: The rules a hand plan is checked against.
MANUAL_RULES = ("window", "travel", "shift", "break", "skill", "excluded", "synchronisation",
                "carers")
_BREAK_WORDS = {"", "break", "rast", "paus", "lunch"}


def plans_breaks(manual: pd.DataFrame) -> bool:
    """True when the manual plan's table places breaks (rows without a visit)."""
    if "visit" not in manual.columns:
        return False
    return any(str(v).strip().lower() in _BREAK_WORDS or pd.isna(v) for v in manual["visit"])


def recost_manual(p: HomeCareProblem, manual: pd.DataFrame) -> PlanCheck:
    """Re-cost a hand-made plan and list its violations (see the module)."""
    mt = Table(manual, "manual plan", None)
    mt.need(["staff"])
    if not mt.has("visit"):
        mt.need(["visit"])
    who = mt.text("staff")
    what = mt.text("visit")
    kpos = {s: k for k, s in enumerate(p.staff_ids)}
    vpos = {v: i for i, v in enumerate(p.visit_ids)}
    is_break = [w.lower() in _BREAK_WORDS for w in what]
    for i, (s, w) in enumerate(zip(who, what, strict=True)):
        if s not in kpos:
            raise mt.error(i, "staff", "not in the staff table", s)
        if not is_break[i] and w not in vpos:
            raise mt.error(i, "visit", "not in the visits table", w)
    order = mt.number("order", default=np.nan, lo=-1e9, unit="a position") if mt.has(
        "order") else np.arange(mt.n, dtype=float)
    timed = mt.has("start")
    start = mt.clock("start", default=-1.0) if timed else np.full(mt.n, -1.0)
    bdur = (mt.number("duration", default=np.nan, lo=0) if mt.has("duration")
            else np.full(mt.n, np.nan))
    if timed:
        for i in range(mt.n):
            if start[i] < 0:
                raise mt.error(i, "start", "missing planned start (give every row a start, "
                               "or none)")
            if is_break[i] and not bdur[i] > 0:
                raise mt.error(i, "duration", "a planned break needs its duration in "
                               "minutes", None)
    if timed:  # as planned: by the planned start (order breaks ties); a break row's order
        # may be blank, and an order beside start minutes would put it anywhere
        rows = sorted(range(mt.n), key=lambda i: (kpos[who[i]], start[i], np.inf if np.isnan(
            order[i]) else order[i], i))
    else:
        rows = sorted(range(mt.n), key=lambda i: (kpos[who[i]], order[i]
                                                  if not np.isnan(order[i]) else start[i], i))
    seen: dict[int, int] = {}
    routes: list[list] = [[] for _ in p.staff_ids]
    items: list[list] = [[] for _ in p.staff_ids]
    for i in rows:
        k = kpos[who[i]]
        if is_break[i]:
            items[k].append(("break", len(routes[k]), start[i], bdur[i]))
            continue
        v = vpos[what[i]]
        c = seen.get(v, 0)
        seen[v] = c + 1
        if c >= p.staffing[v]:
            raise mt.error(i, "visit", f"planned {c + 1} times, staffing is "
                           f"{int(p.staffing[v])}", what[i])
        routes[k].append((v, c))
        items[k].append(("task", v, c, start[i]))
    if not timed:
        given = any(is_break)
        breaks_after = ({k: [x[1] for x in items[k] if x[0] == "break"]
                         for k in range(p.n_staff) if routes[k]} if given else None)
        chk = check_plan(p, routes, breaks_after=breaks_after, clock=True)
        return replace(chk, violations=tuple(f"[{_rule(x)}] {x}" for x in chk.violations))
    return _check_timed(p, items)


def _check_timed(p: HomeCareProblem, items: list[list]) -> PlanCheck:
    viol: list[str] = []
    sid = p.staff_ids
    vid = p.visit_ids
    stops, breaks = [], []
    travel = dist = cost = overtime = 0.0
    starts: dict[tuple[int, int], tuple[int, float]] = {}
    for k in range(p.n_staff):
        its = items[k]
        tasks = [x for x in its if x[0] == "task"]
        if not tasks:
            continue
        T = p.travel[p.staff_mode[k]]
        D = None if p.distance is None else p.distance[p.staff_mode[k]]
        cur, free = int(p.start_place[k]), float(p.shift_start[k])
        first = True
        planned_breaks = []
        order = 0
        for x in its:
            if x[0] == "break":
                _, after, bs, bd = x
                if bs < free - 1e-6:
                    viol.append(f"[travel] staff {sid[k]!r}: break at {hhmm(bs)} before the "
                                f"previous visit ends ({hhmm(free)})")
                planned_breaks.append((bs, bd))
                breaks.append((k, after, bs, bs + bd))
                free = max(free, bs + bd)
                continue
            _, v, c, s = x
            loc = int(p.visit_location[v])
            tr = float(T[cur, loc])
            travel += tr
            dist += np.nan if D is None else float(D[cur, loc])
            arrival = free + tr
            if s < arrival - 1e-6:
                rule = "shift" if first else "travel"
                why = (f"the shift starts {hhmm(p.shift_start[k])}" if first
                       else f"free at {hhmm(free)}")
                viol.append(f"[{rule}] visit {vid[v]!r} ({sid[k]}): planned start {hhmm(s)}, "
                            f"cannot arrive before {hhmm(arrival)} ({why}, {tr:g} min travel)")
            ew = float(p.earliest[v] if c == 0 else p.earliest2[v])
            lw = float(p.latest[v] if c == 0 else p.latest2[v])
            if s < ew - 1e-6 or s > lw + 1e-6:
                viol.append(f"[window] visit {vid[v]!r} ({sid[k]}): starts {hhmm(s)}, window "
                            f"{hhmm(ew)}-{hhmm(lw)}")
            need = p.skill[v] if c == 0 else p.skill2[v]
            if need >= 0 and not p.staff_skills[k, need]:
                viol.append(f"[skill] visit {vid[v]!r}: {sid[k]!r} lacks the skill")
            if p.excluded[v, k]:
                viol.append(f"[excluded] visit {vid[v]!r}: the client refuses {sid[k]!r}")
            dur = float(p.duration[v] if c == 0 else p.duration2[v])
            stops.append((k, order, v, c, arrival, s, s + dur,
                          max(0.0, s - lw)))
            starts[(v, c)] = (k, s)
            if p.staff_cost is not None:
                cost += float(p.staff_cost[v, k])
            order += 1
            free, cur, first = s + dur, loc, False
        tr = float(T[cur, int(p.end_place[k])])
        travel += tr
        dist += np.nan if D is None else float(D[cur, int(p.end_place[k])])
        back = free + tr
        over = max(0.0, back - float(p.shift_end[k]))
        if over > p.max_overtime[k] + 1e-6:
            viol.append(f"[shift] staff {sid[k]!r}: back at {hhmm(back)}, the shift ends "
                        f"{hhmm(p.shift_end[k])}")
        overtime += over
        for bd_req, be, bl in p.breaks_of(k):
            ok = [b for b in planned_breaks if b[1] >= bd_req - 1e-6 and be - 1e-6 <= b[0]
                  <= bl + 1e-6]
            if ok:
                planned_breaks.remove(ok[0])
            else:
                viol.append(f"[break] staff {sid[k]!r}: no break of {bd_req:g} min starting "
                            f"{hhmm(be)}-{hhmm(bl)} (planned: " + (", ".join(
                                f"{hhmm(b[0])} {b[1]:g} min" for b in planned_breaks)
                                or "none") + ")")
        cost += (p.time_weight * (back - float(p.shift_start[k])
                                  - sum(b[0] for b in p.breaks_of(k)))
                 + float(p.staff_fixed_cost[k])
                 + p.overtime_weight * min(over, float(p.max_overtime[k])))
    served = 0
    for v in range(p.n_visits):
        have = [(v, c) in starts for c in range(int(p.staffing[v]))]
        if all(have):
            served += 1
        elif any(have):
            viol.append(f"[synchronisation] visit {vid[v]!r}: only one of its two staff")
        if p.staffing[v] == 2 and all(have):
            (ka, sa), (kb, sb) = starts[(v, 0)], starts[(v, 1)]
            if ka == kb:
                viol.append(f"[synchronisation] visit {vid[v]!r}: both copies on {sid[ka]!r}")
            a, b = sorted((sa, sb)) if p.sync_min[v] >= 0 else (sa, sb)
            gap = b - a
            if not p.sync_min[v] - 1e-6 <= gap <= p.sync_max[v] + 1e-6:
                viol.append(f"[synchronisation] visit {vid[v]!r}: the two staff start "
                            f"{hhmm(sa)} and {hhmm(sb)}, {gap:g} min apart; allowed "
                            f"{p.sync_min[v] + 0:g} to {p.sync_max[v] + 0:g}")
    if p.max_carers is not None and p.client is not None:  # max_carers needs client
        carers: dict[int, set[int]] = {}
        for (v, _c), (k, _s) in starts.items():
            carers.setdefault(int(p.client[v]), set()).add(k)
        for c, ks in sorted(carers.items()):
            if len(ks) > p.max_carers:
                viol.append(f"[carers] client {c}: {len(ks)} different staff, at most "
                            f"{p.max_carers}")
    st = pd.DataFrame(stops, columns=["staff", "order", "visit", "copy", "arrival", "start",
                                      "end", "tardiness"])
    br = pd.DataFrame(breaks, columns=["staff", "after", "start", "end"])
    if p.distance_weight:
        cost += p.distance_weight * dist
    tsum = float(st.tardiness.sum()) if len(st) else 0.0
    tmax = float(st.tardiness.max()) if len(st) else 0.0
    cost += p.travel_weight * travel + p.tardiness_weight * tsum
    if not all(r.startswith("[") for r in viol):  # pragma: no cover - a message without rule
        raise InputError("internal: a violation without its rule")
    return PlanCheck(stops=st, breaks=br, travel=float(travel), distance=float(dist),
                     total_tardiness=tsum, max_tardiness=tmax, served=served,
                     dropped=p.n_visits - served, violations=tuple(viol),
                     overtime=float(overtime), objective=float(cost))
