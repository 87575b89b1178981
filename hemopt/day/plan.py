"""Route a real home-care day given as tables, and re-cost a hand-made plan.

:func:`route_plan` takes a visits table, a staff table and the travel (one time matrix per
mode, labelled by place; or coordinates of the places and a travel model per mode), builds a
:class:`~hemopt.routing.homecare.HomeCareProblem`, solves it with
:func:`~hemopt.routing.homecare.solve_homecare`, and returns the routes, the dropped visits
with their reasons, and KPIs. Given the manual plan as well, it re-costs that plan with the
same matrices (:func:`~hemopt.routing.homecare.check_plan`), lists its violations and puts
the two side by side.

Visits table (one row per visit; docs/routing.md, "A real day from tables", has the full
list):

=================== ==========================================================================
``visit``           id
``place``           place id (a label of the travel matrices, or of ``places``)
``earliest``,       window for the start, ``"HH:MM"`` (00:00-36:00) or minutes after midnight;
``latest``          or ``planned`` (the planned start) and ``tolerance_min`` either side
``duration``        minutes
``staffing``        1 or 2 (optional, default 1); a double visit's two staff start together
                    within ``sync_tolerance_min``, or the second ``second_offset_min`` to
                    ``second_offset_max`` minutes after the first, for ``second_duration``
``skill``           required skill (optional; empty = none), e.g. ``insulin``
``excluded``        staff ids the client refuses, separated by ``;`` (optional)
``priority``,       the drop cost is ``priority`` x ``PlanCosts.drop_sek``, or ``drop_cost``
``drop_cost``
``client``          the client (default: the place)
``usual_carers``,   the client's usual carers (``;``-separated) and contact person: a task by
``contact``         anyone else costs ``PlanCosts.non_usual_sek``
=================== ==========================================================================

Staff table (one row per staff member):

================== ===========================================================================
``staff``          id
``mode``           travel mode, a key of ``travel`` (e.g. ``car``, ``walk``, ``bike``)
``start``, ``end`` places where the shift starts and ends (office or home)
``shift_start``,   ``"HH:MM"`` or minutes after midnight
``shift_end``
``skills``         skills separated by ``;`` (optional)
``max_overtime``   minutes the staff member may be back after ``shift_end`` (optional, 0)
``break_min``,     a break (optional columns; several: the ``breaks`` table). Without them, a
``break_earliest``, shift longer than ``break_after_h`` hours (default 5) gets a
``break_latest``   ``break_min_default`` (30) minute break starting between 3 and 5 hours into
                   the shift (assumption: the Swedish Working Hours Act, Arbetstidslagen
                   1982:673 § 15, allows at most five hours of work without a rest break)
================== ===========================================================================

The objective is the day's cost (:class:`PlanCosts`, defaulting to compare's cost model): paid
staff time, km, a cost per staff member used, overtime, drops and continuity.

Examples
--------
>>> import pandas as pd
>>> from hemopt.day import route_plan
>>> places = ["office", "a", "b"]
>>> car = pd.DataFrame([[0, 10, 12], [10, 0, 5], [12, 5, 0]], index=places, columns=places)
>>> visits = pd.DataFrame({"visit": ["v1", "v2"], "place": ["a", "b"],
...                        "planned": ["08:00", "08:30"], "duration": [20, 30],
...                        "staffing": [1, 2]})
>>> staff = pd.DataFrame({"staff": ["anna", "ben"], "mode": "car", "start": "office",
...                       "end": "office", "shift_start": "07:00", "shift_end": "11:00"})
>>> plan = route_plan(visits, staff, {"car": car}, tolerance_min=30, max_iterations=50)
>>> # both go to b (12 + 12 each); a on the way costs 10 + 5 - 12 = 3 more
>>> plan.kpis["served"], plan.kpis["double_served"], plan.kpis["travel_min"]
(2, 1, 51.0)
>>> plan.kpis["run"]
'deterministic: 50 iterations, seed 0 (the same plan on any machine)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from hemopt.day.plan_manual import plans_breaks, recost_manual
from hemopt.day.plan_tables import Table, check_matrix, hhmm
from hemopt.errors import InputError, check_fields
from hemopt.routing.homecare import (
    HomeCareProblem,
    HomeCareResult,
    PlanCheck,
    eligible_staff,
    solve_homecare,
)

__all__ = ["PlanCosts", "RoutePlan", "continuity_curve", "route_plan"]


@dataclass(frozen=True)
class PlanCosts:
    """The cost model route-plan minimises (SEK).

    The defaults are those compare reports with (:class:`hemopt.costs.CostParams`: 300 SEK
    per paid staff hour, 4 SEK per km, 80 paid minutes per shift outside the routes).

    Parameters
    ----------
    wage_sek_per_hour : float
        Paid staff time: from the shift's start until back, breaks excluded (visits, travel,
        waiting), for every staff member with a route.
    sek_per_km : float
        Per km, from the distance matrices (0 without them).
    sek_per_carer : float
        Per staff member used (default 400 SEK: 80 minutes at the wage).
    overtime_sek_per_hour : float
        On top of the wage for time after the shift's end, within a staff member's
        ``max_overtime`` (default 150 SEK: a 50 % supplement, an assumption).
    drop_sek : float
        Leaving a visit unserved, times its ``priority`` (or its own ``drop_cost``).
    non_usual_sek : float
        Per task by a staff member who is not one of the client's usual carers (nor the
        contact person) when the visits table names them (default 150 SEK, half an hour of
        staff time: the value of continuity, a planner's setting; 0 ignores continuity).

    Examples
    --------
    >>> PlanCosts().wage_sek_per_hour, PlanCosts(non_usual_sek=0).non_usual_sek
    (300.0, 0)
    """

    wage_sek_per_hour: float = 300.0
    sek_per_km: float = 4.0
    sek_per_carer: float = 400.0
    overtime_sek_per_hour: float = 150.0
    drop_sek: float = 10_000.0
    non_usual_sek: float = 150.0

    def __post_init__(self) -> None:
        check_fields(self, dict.fromkeys(("wage_sek_per_hour", "sek_per_km", "sek_per_carer",
                                          "overtime_sek_per_hour", "non_usual_sek"), ">=0"))
        if isinstance(self.drop_sek, bool) or not (np.isfinite(self.drop_sek)
                                                   and self.drop_sek > 0):
            raise InputError(f"PlanCosts.drop_sek must be > 0, got {self.drop_sek!r}")


@dataclass(frozen=True)
class RoutePlan:
    """The answer of :func:`route_plan`.

    Attributes
    ----------
    stops : DataFrame
        staff, order, visit, copy, place, arrival, start, end, tardiness (minutes after
        midnight), usual (the staff member is a usual carer of the client), one row per staff
        member at a visit.
    breaks, dropped : DataFrame
        Breaks taken (staff, after, start, end); visits not served (visit, reason,
        constraint, detail: :data:`~hemopt.routing.homecare.HOMECARE_BLOCKING`).
    kpis : dict
        visits, served, dropped, double_visits, double_served, travel_min, distance_km,
        total_tardiness_min, max_tardiness_min, staff_used, breaks, paid_hours,
        overtime_min, cost_sek, usual_carer_share, max_carers_per_client, run.
    result : HomeCareResult
    problem : HomeCareProblem
    manual : PlanCheck or None
        The hand-made plan re-costed, with its violations (each starts with its rule).
    comparison : DataFrame or None
        The KPIs of the manual plan beside the optimised one.
    notes : tuple of str
        Staff who can do nothing (with the reason), assumptions used.

    Examples
    --------
    See :mod:`hemopt.day.plan`.
    """

    stops: pd.DataFrame
    breaks: pd.DataFrame
    dropped: pd.DataFrame
    kpis: dict
    result: HomeCareResult
    problem: HomeCareProblem
    manual: PlanCheck | None = None
    comparison: pd.DataFrame | None = None
    notes: tuple = ()


def _travel(travel, places, labels: list, distance) -> tuple:
    """Modes, time matrices (modes, L, L), distance (km) or None, place labels."""
    if not isinstance(travel, Mapping) or not travel:
        raise InputError("travel must be a mapping of mode -> matrix (or travel model)")
    modes = [str(m) for m in travel]
    times, dists = [], []
    order: list[str] | None
    if places is not None:
        pt = Table(places, "places", "place")
        order = pt.ids
        xy = np.column_stack([pt.number("x", unit="metres"), pt.number("y", unit="metres")])
        for m in travel:
            model = travel[m]
            if not hasattr(model, "time_matrix_min"):
                raise InputError(f"travel[{m!r}] must be a travel model when places are given")
            times.append(model.time_matrix_min(xy))
            dists.append(model.distance_matrix_m(xy) / 1000)
        return modes, np.stack(times), np.stack(dists), order
    order = None
    for m in travel:
        t = travel[m]
        arr = check_matrix(t, f"travel matrix {m!r}", "minutes")
        rows = [str(x) for x in t.index]
        if order is None:
            order = rows
        if set(rows) != set(order):
            raise InputError(f"travel matrix {m!r}: its places differ from the first "
                             f"matrix's: {sorted(set(rows) ^ set(order))[:5]}")
        idx = [rows.index(p) for p in order]
        times.append(arr[np.ix_(idx, idx)])
    if order is None:  # cannot happen: travel is a non-empty mapping
        raise InputError("travel must be a mapping of mode -> matrix (or travel model)")
    dmat = None
    if distance:
        if not isinstance(distance, Mapping):
            raise InputError("distance must be a mapping of mode -> km matrix")
        unknown = [m for m in distance if str(m) not in modes]
        if unknown:
            raise InputError(f"distance matrix {unknown[0]!r}: no travel-time matrix of that "
                             f"mode (modes: {modes})")
        dmat = np.zeros((len(modes), len(order), len(order)))
        for m in distance:
            d = distance[m]
            arr = check_matrix(d, f"distance matrix {m!r}", "km")
            rows = [str(x) for x in d.index]
            missing = sorted(set(order) - set(rows))
            if missing:
                raise InputError(f"distance matrix {m!r}: places {missing[:5]} are missing")
            idx = [rows.index(p) for p in order]
            dmat[modes.index(str(m))] = arr[np.ix_(idx, idx)]
    return modes, np.stack(times), dmat, order


def _staff_breaks(st: Table, ss, se, breaks, break_after_h, break_min_default):
    """(K, B) arrays of break durations, earliest and latest starts."""
    K = st.n
    rows: list[list[tuple[float, float, float]]] = [[] for _ in range(K)]
    if st.has("break_min"):
        d = st.number("break_min", default=0.0, lo=0)
        e = st.clock("break_earliest", default=-1.0)
        lat = st.clock("break_latest", default=-1.0)
        for k in range(K):
            if d[k] > 0:
                be = ss[k] if e[k] < 0 else e[k]
                bl = se[k] if lat[k] < 0 else lat[k]
                if bl < be:
                    raise st.error(k, "break_latest", f"before break_earliest "
                                   f"{hhmm(be)}", hhmm(bl))
                rows[k].append((d[k], be, bl))
    elif breaks is None:
        for k in range(K):
            if se[k] - ss[k] > break_after_h * 60:
                rows[k].append((break_min_default, ss[k] + 180.0, ss[k] + 300.0))
    if breaks is not None:
        bt = Table(breaks, "breaks", None)
        who = bt.text("staff")
        d = bt.number("duration" if bt.has("duration") else "break_min", positive=True)
        e, lat = bt.clock("earliest"), bt.clock("latest")
        kpos = {s: k for k, s in enumerate(st.ids)}
        for i, s in enumerate(who):
            if s not in kpos:
                raise bt.error(i, "staff", "not in the staff table", s)
            if lat[i] < e[i]:
                raise bt.error(i, "latest", f"before earliest {hhmm(e[i])}", hhmm(lat[i]))
            rows[kpos[s]].append((d[i], e[i], lat[i]))
    for k in range(K):
        total = sum(b[0] for b in rows[k])
        if total >= se[k] - ss[k]:
            raise InputError(f"staff table, staff {st.ids[k]!r}: the break(s) of {total:g} min "
                             f"do not fit in the shift {hhmm(ss[k])}-{hhmm(se[k])} "
                             f"({se[k] - ss[k]:g} min); this staff member could do nothing. "
                             f"Fix break_min or the shift")
        for dur, be, bl in rows[k]:
            if bl < ss[k] or be + dur > se[k]:
                raise InputError(f"staff table, staff {st.ids[k]!r}: a break of {dur:g} min "
                                 f"starting {hhmm(be)}-{hhmm(bl)} lies outside the shift "
                                 f"{hhmm(ss[k])}-{hhmm(se[k])}")
    B = max(1, max(len(r) for r in rows))
    out = np.zeros((3, K, B))
    for k in range(K):
        for b, (dur, be, bl) in enumerate(sorted(rows[k], key=lambda x: x[1])):
            out[:, k, b] = (dur, be, bl)
        for b in range(len(rows[k]), B):
            out[1:, k, b] = (ss[k], se[k])
    return out[0], out[1], out[2]


def route_plan(visits: pd.DataFrame, staff: pd.DataFrame, travel: Mapping, *,
               places: pd.DataFrame | None = None, distance: Mapping | None = None,
               breaks: pd.DataFrame | None = None, manual: pd.DataFrame | None = None,
               tolerance_min: float = 30.0, sync_tolerance_min: float = 0.0,
               hard_windows: bool = True, break_after_h: float = 5.0,
               break_min_default: float = 30.0, costs: PlanCosts | None = None,
               max_carers: int | None = None, time_limit_s: float | None = None,
               max_iterations: int | None = None, seed: int = 0) -> RoutePlan:
    """Route a home-care day from tables at the least cost; re-cost a manual plan beside it.

    Parameters
    ----------
    visits, staff : DataFrame
        See :mod:`hemopt.day.plan` for the columns.
    travel : mapping mode -> DataFrame or travel model
        One square travel-time matrix (minutes) per mode, rows and columns labelled by place;
        or, with ``places``, a :class:`hemopt.travel.Travel` model per mode (e.g.
        ``TravelModel.walking()``).
    places : DataFrame, optional
        place, x, y (metres, SWEREF 99 TM) for travel models.
    distance : mapping mode -> DataFrame, optional
        Distance matrices (km) beside the time matrices, for km and their cost (a mode
        without one counts 0 km, e.g. walking).
    breaks : DataFrame, optional
        Several breaks per staff member: staff, duration, earliest, latest (one row per break).
    manual : DataFrame, optional
        The hand-made plan: staff, visit, and optionally order (else the table's order) and
        start (the planned start, HH:MM: then it is checked as planned, rule by rule). Rows
        with an empty visit (or ``break``) and a start and duration are the planned breaks.
        A double visit appears under both staff.
    tolerance_min : float
        Window half-width around ``planned`` (when the visits have no earliest/latest).
    sync_tolerance_min : float
        How far apart the two staff of a double visit may start (when the visit gives no
        ``second_offset_min``/``second_offset_max``).
    hard_windows : bool
        True (default): a visit may not start after its latest time; it is dropped instead.
    break_after_h, break_min_default : float
        The break rule when the staff table has no break columns and no ``breaks`` table.
    costs : PlanCosts, optional
        The objective (default :class:`PlanCosts`: compare's cost model).
    max_carers : int, optional
        At most this many different staff per client in the day.
    time_limit_s, max_iterations, seed
        As :func:`~hemopt.routing.homecare.solve_homecare`. Without a time limit the run is
        deterministic (1000 iterations by default): the same plan on any machine.

    Returns
    -------
    RoutePlan

    Examples
    --------
    See :mod:`hemopt.day.plan`.
    """
    costs = PlanCosts() if costs is None else costs
    if not isinstance(costs, PlanCosts):
        raise InputError(f"costs must be a PlanCosts, got {type(costs).__name__}")
    for name, val in (("tolerance_min", tolerance_min),
                      ("sync_tolerance_min", sync_tolerance_min)):
        if isinstance(val, bool) or not (np.isfinite(val) and 0 <= val <= 24 * 60):
            raise InputError(f"{name} must be minutes in [0, 1440], got {val!r}")
    if max_carers is not None and (isinstance(max_carers, bool) or int(max_carers) != max_carers
                                   or max_carers < 1):
        raise InputError(f"max_carers must be a whole number >= 1, got {max_carers!r}")
    vt = Table(visits, "visits", "visit")
    st = Table(staff, "staff", "staff")
    vt.need(["place", "duration"])
    st.need(["mode", "start", "end", "shift_start", "shift_end"])
    if st.n == 0:
        raise InputError("staff table: no staff")
    vid, sid = vt.ids, st.ids
    vplace, sstart, send = vt.text("place"), st.text("start"), st.text("end")
    for t, col, vals in ((vt, "place", vplace), (st, "start", sstart), (st, "end", send)):
        for i, x in enumerate(vals):
            if not x:
                raise t.error(i, col, "missing place")
    labels = sorted(set(vplace) | set(sstart) | set(send))
    modes, tmat, dmat, order = _travel(travel, places, labels, distance)
    known = set(order)
    for t, col, vals in ((vt, "place", vplace), (st, "start", sstart), (st, "end", send)):
        for i, x in enumerate(vals):
            if x not in known:
                raise t.error(i, col, f"place not in the travel "
                              f"{'matrices' if places is None else 'places table'}", x)
    at = {p: i for i, p in enumerate(order)}
    if vt.has("earliest") and vt.has("latest"):
        e, lat = vt.clock("earliest"), vt.clock("latest")
    elif vt.has("planned"):
        planned = vt.clock("planned")
        tol = vt.number("tolerance_min", default=tolerance_min, lo=0, hi=24 * 60)
        e, lat = np.maximum(planned - tol, 0.0), planned + tol
    else:
        raise InputError("visits table: needs earliest and latest, or planned")
    for i in range(vt.n):
        if lat[i] < e[i]:
            raise vt.error(i, "latest", f"before earliest {hhmm(e[i])}", hhmm(lat[i]))
    duration = vt.number("duration", positive=True, hi=24 * 60)
    staffing = vt.number("staffing", default=1, integer=True, lo=1, hi=2,
                         unit="1 or 2 staff").astype(int)
    duration2 = vt.number("second_duration", default=np.nan, positive=True, hi=24 * 60) \
        if vt.has("second_duration") else duration.copy()
    duration2 = np.where(np.isnan(duration2), duration, duration2)
    off_lo = vt.number("second_offset_min", default=np.nan, lo=-24 * 60, hi=24 * 60)
    off_hi = vt.number("second_offset_max", default=np.nan, lo=-24 * 60, hi=24 * 60)
    off_lo = np.where(np.isnan(off_lo), np.where(np.isnan(off_hi), -sync_tolerance_min, off_hi),
                      off_lo)
    off_hi = np.where(np.isnan(off_hi), np.maximum(off_lo, sync_tolerance_min), off_hi)
    for i in range(vt.n):
        if off_hi[i] < off_lo[i]:
            raise vt.error(i, "second_offset_max", f"below second_offset_min {off_lo[i]:g}",
                           f"{off_hi[i]:g}")
    priority = vt.number("priority", default=1.0, positive=True, hi=1e6, unit="a weight")
    drop = vt.number("drop_cost", default=-1.0, positive=False, lo=-1, unit="SEK") \
        if vt.has("drop_cost") else np.full(vt.n, -1.0)
    drop = np.where(drop > 0, drop, costs.drop_sek * priority)
    # skills
    vskill = vt.ids_of("skill")
    sskills = st.ids_of("skills")
    names: list[str] = []
    for lst in sskills + vskill:
        names += [x for x in lst if x not in names]
    sk_idx = {x: j for j, x in enumerate(names)}
    skill = np.full(vt.n, -1)
    for i, lst in enumerate(vskill):
        if len(lst) > 1:
            raise vt.error(i, "skill", "one skill per visit", ";".join(lst))
        if lst:
            skill[i] = sk_idx[lst[0]]
    staff_skills = np.zeros((st.n, max(1, len(names))), dtype=bool)
    for k, lst in enumerate(sskills):
        for x in lst:
            staff_skills[k, sk_idx[x]] = True
    kpos = {s: k for k, s in enumerate(sid)}

    def staff_list(column):
        out = np.zeros((vt.n, st.n), dtype=bool)
        for v, lst in enumerate(vt.ids_of(column)):
            for x in lst:
                if x not in kpos:
                    raise vt.error(v, column, "staff id not in the staff table", x)
                out[v, kpos[x]] = True
        return out

    excluded = staff_list("excluded")
    usual = staff_list("usual_carers") | staff_list("contact")
    has_usual = usual.any(axis=1)
    bad = [(k, m) for k, m in enumerate(st.text("mode")) if m not in modes]
    if bad:
        raise st.error(bad[0][0], "mode", f"no travel data for this mode (modes: {modes})",
                       bad[0][1])
    ss, se = st.clock("shift_start"), st.clock("shift_end")
    for k in range(st.n):
        if se[k] <= ss[k]:
            hint = (f" (a shift past midnight: write the end as {hhmm(se[k] + 24 * 60)}, "
                    "times after 24:00 are the next morning)" if se[k] < ss[k] else "")
            raise st.error(k, "shift_end", f"must be after shift_start {hhmm(ss[k])}{hint}",
                           hhmm(se[k]))
    max_ot = st.number("max_overtime", default=0.0, lo=0, hi=24 * 60)
    bd, be, bl = _staff_breaks(st, ss, se, breaks, break_after_h, break_min_default)
    client_names = vt.text("client") if vt.has("client") else list(vplace)
    cl_idx = {c: j for j, c in enumerate(dict.fromkeys(client_names))}
    wage = costs.wage_sek_per_hour / 60
    staff_cost = None
    if costs.non_usual_sek > 0 and has_usual.any():
        staff_cost = np.where(has_usual[:, None] & ~usual, costs.non_usual_sek, 0.0)
    problem = HomeCareProblem(
        travel=tmat, distance=dmat,
        visit_location=[at[p] for p in vplace], earliest=e, latest=lat,
        duration=duration, duration2=duration2, staffing=staffing,
        earliest2=np.maximum(e + off_lo, 0.0), latest2=lat + off_hi,
        sync_min=off_lo, sync_max=off_hi, skill=skill, excluded=excluded,
        staff_mode=[modes.index(m) for m in st.text("mode")],
        start_place=[at[p] for p in sstart], end_place=[at[p] for p in send],
        shift_start=ss, shift_end=se, staff_skills=staff_skills, break_duration=bd,
        break_earliest=be, break_latest=bl, hard_windows=hard_windows, visit_ids=vid,
        staff_ids=sid, travel_weight=0.0, tardiness_weight=wage, time_weight=wage,
        distance_weight=costs.sek_per_km if dmat is not None else 0.0,
        staff_fixed_cost=costs.sek_per_carer, max_overtime=max_ot,
        overtime_weight=costs.overtime_sek_per_hour / 60, staff_cost=staff_cost,
        drop_penalty=drop, client=[cl_idx[c] for c in client_names], max_carers=max_carers)
    res = solve_homecare(problem, time_limit_s=time_limit_s, max_iterations=max_iterations,
                         seed=seed)
    run = (f"time-limited: {time_limit_s:g} s, seed {seed}, {res.iterations} iterations "
           "(depends on the machine's speed and load; use --iterations for a reproducible "
           "plan)" if time_limit_s is not None else
           f"deterministic: {res.iterations} iterations, seed {seed} (the same plan on any "
           "machine)")
    notes = list(_idle_staff(problem))
    if dmat is None:
        notes.append("no distance matrices: km are not known and not costed")
    stops = _label(res.stops, problem, order, usual)
    breaks_out = res.breaks.assign(staff=[sid[k] for k in res.breaks.staff])
    dropped = res.dropped.assign(visit=[vid[v] for v in res.dropped.visit])
    kpis = _kpis(problem, res.stops, res.breaks, res.travel, res.distance,
                 res.total_tardiness, res.max_tardiness, len(res.dropped), usual, has_usual,
                 costs)
    kpis["cost_sek"] = round(float(res.objective - sum(drop[v] for v in res.dropped.visit)), 2)
    kpis["run"] = run
    man = comp = None
    if manual is not None:
        man = recost_manual(problem, manual)
        mk = _kpis(problem, man.stops, man.breaks, man.travel, man.distance,
                   man.total_tardiness, man.max_tardiness, man.dropped, usual, has_usual,
                   costs)
        mk["cost_sek"] = round(float(man.objective), 2)
        if not plans_breaks(manual):
            mk["breaks"] = float("nan")  # the table does not say: not 0
        mk["violations"] = len(man.violations)
        mk["run"] = "hand plan"
        kpis = {**kpis, "violations": 0}
        comp = pd.DataFrame({"manual": mk, "optimised": kpis})
    return RoutePlan(stops=stops, breaks=breaks_out, dropped=dropped, kpis=kpis, result=res,
                     problem=problem, manual=man, comparison=comp, notes=tuple(notes))


def _idle_staff(p: HomeCareProblem):
    """Staff who can serve no visit, with the reason."""
    can = eligible_staff(p)
    for k in range(p.n_staff):
        if k in can or p.n_visits == 0:
            continue
        sk = p.staff_skills[k]
        if not any((p.skill[v] < 0 or sk[p.skill[v]]) for v in range(p.n_visits)):
            why = "lacks the skill of every visit"
        elif p.excluded[:, k].all():
            why = "is excluded by every client"
        else:
            why = (f"can reach no visit within its window and be back by the shift end "
                   f"{hhmm(p.shift_end[k])} (shift {hhmm(p.shift_start[k])}-"
                   f"{hhmm(p.shift_end[k])}, breaks "
                   f"{sum(b[0] for b in p.breaks_of(k)):g} min)")
        yield f"staff {p.staff_ids[k]!r} can do nothing: {why}"


def _label(stops: pd.DataFrame, p: HomeCareProblem, order: list, usual) -> pd.DataFrame:
    out = stops.copy()
    out.insert(4, "place", [order[p.visit_location[v]] for v in stops.visit])
    out["usual"] = [bool(usual[v, k]) for v, k in zip(stops.visit, stops.staff, strict=True)]
    out["staff"] = [p.staff_ids[k] for k in stops.staff]
    out["visit"] = [p.visit_ids[v] for v in stops.visit]
    return out


def _kpis(p, stops, breaks, travel, distance, tsum, tmax, dropped, usual, has_usual,
          costs) -> dict:
    double = int((p.staffing == 2).sum())
    per_visit = stops.groupby("visit")["copy"].nunique()
    served_double = int(sum(1 for v, n in per_visit.items() if p.staffing[v] == 2 and n == 2))
    paid = overtime = 0.0
    for k, g in stops.groupby("staff"):
        back = float(g.end.iloc[-1]) + float(p.travel[p.staff_mode[k]][
            p.visit_location[int(g.visit.iloc[-1])], p.end_place[k]])
        b = breaks[breaks.staff == k]
        if len(b):
            back = max(back, float(b.end.max()) + (
                float(p.travel[p.staff_mode[k]][p.visit_location[int(g.visit.iloc[-1])],
                                                 p.end_place[k]])
                if int(b.after.max()) >= len(g) else 0.0))
        paid += back - float(p.shift_start[k]) - sum(x[0] for x in p.breaks_of(k))
        overtime += max(0.0, back - float(p.shift_end[k]))
    with_usual = [(v, k) for v, k in zip(stops.visit, stops.staff, strict=True)
                  if has_usual[v]]
    share = (sum(bool(usual[v, k]) for v, k in with_usual) / len(with_usual)
             if with_usual else float("nan"))
    carers = stops.assign(c=[int(p.client[v]) for v in stops.visit]).groupby("c")[
        "staff"].nunique() if len(stops) else pd.Series([], dtype=int)
    return {
        "visits": p.n_visits, "served": p.n_visits - int(dropped), "dropped": int(dropped),
        "double_visits": double, "double_served": served_double,
        "travel_min": round(float(travel), 2),
        "distance_km": round(float(distance), 2) if p.distance is not None else float("nan"),
        "total_tardiness_min": round(float(tsum), 2),
        "max_tardiness_min": round(float(tmax), 2),
        "staff_used": int(stops.staff.nunique()), "breaks": len(breaks),
        "paid_hours": round(paid / 60, 2), "overtime_min": round(overtime, 2),
        "usual_carer_share": round(float(share), 4),
        "max_carers_per_client": int(carers.max()) if len(carers) else 0,
    }


def continuity_curve(visits: pd.DataFrame, staff: pd.DataFrame, travel: Mapping,
                     non_usual_sek: Sequence[float] = (0, 25, 50, 100, 200, 400, 800), *,
                     costs: PlanCosts | None = None, **kwargs) -> pd.DataFrame:
    """The km-continuity trade-off of a day: route it at each cost of a task by a staff
    member who is not a usual carer.

    Parameters
    ----------
    visits, staff, travel
        As :func:`route_plan` (the visits name ``usual_carers`` or a ``contact``).
    non_usual_sek : sequence of float
        The costs swept (SEK per task).
    costs : PlanCosts, optional
        The other costs.
    **kwargs
        Passed to :func:`route_plan` (``max_iterations``, ``distance``, ...).

    Returns
    -------
    DataFrame
        One row per cost: non_usual_sek, served, travel_min, distance_km, usual_carer_share,
        paid_hours, cost_sek (without the continuity cost).

    Examples
    --------
    See docs/routing.md, "route-plan: continuity".
    """
    if "manual" in kwargs:
        raise InputError("continuity_curve takes no manual plan")
    base = PlanCosts() if costs is None else costs
    rows = []
    for c in non_usual_sek:
        plan = route_plan(visits, staff, travel, costs=replace(base, non_usual_sek=float(c)),
                          **kwargs)
        k = plan.kpis
        sc = plan.problem.staff_cost
        nonusual = 0.0 if sc is None else float(sum(
            sc[v, k] for v, k in zip(plan.result.stops.visit, plan.result.stops.staff,
                                     strict=True)))
        rows.append({"non_usual_sek": float(c), "served": k["served"],
                     "travel_min": k["travel_min"], "distance_km": k["distance_km"],
                     "usual_carer_share": k["usual_carer_share"],
                     "paid_hours": k["paid_hours"],
                     "cost_sek": round(k["cost_sek"] - nonusual, 2)})
    return pd.DataFrame(rows)
