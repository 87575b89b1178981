"""Route a real home-care day given as tables, and re-cost a hand-made plan.

:func:`route_plan` takes a visits table, a staff table and the travel (one time matrix per
mode, labelled by place; or coordinates of the places and a travel model per mode), builds a
:class:`~hemopt.routing.homecare.HomeCareProblem`, solves it with
:func:`~hemopt.routing.homecare.solve_homecare`, and returns the routes, the dropped visits
with their reasons, and KPIs. Given the manual plan as well, it re-costs that plan with the
same matrices (:func:`~hemopt.routing.homecare.check_plan`), lists its violations and puts
the two side by side.

Visits table (one row per visit):

=============== ==============================================================================
``visit``       id
``place``       place id (a label of the travel matrices, or of ``places``)
``earliest``,   window for the start, minutes after midnight or ``"HH:MM"``; or ``planned``
``latest``      (the planned start) and ``tolerance_min`` either side
``duration``    minutes
``staffing``    1 or 2 (optional, default 1); a double visit's two staff start together
                within ``sync_tolerance_min``
``skill``       required skill (optional; empty = none), e.g. ``insulin``
``excluded``    staff ids the client refuses, separated by ``;`` (optional)
=============== ==============================================================================

Staff table (one row per staff member):

================== ===========================================================================
``staff``          id
``mode``           travel mode, a key of ``travel`` (e.g. ``car``, ``walk``, ``bike``)
``start``, ``end`` places where the shift starts and ends (office or home)
``shift_start``,   minutes after midnight or ``"HH:MM"``
``shift_end``
``skills``         skills separated by ``;`` (optional)
``break_min``,     a break (optional columns). Without them, a shift longer than
``break_earliest``, ``break_after_h`` hours (default 5) gets a ``break_min_default`` (30) minute
``break_latest``   break starting between 3 and 5 hours into the shift (assumption: the
                   Swedish Working Hours Act, Arbetstidslagen 1982:673 § 15, allows at most
                   five hours of work without a rest break)
================== ===========================================================================

Examples
--------
>>> import pandas as pd
>>> from hemopt.routing import route_plan
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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hemopt.errors import InputError
from hemopt.routing.homecare import (
    HomeCareProblem,
    HomeCareResult,
    PlanCheck,
    check_plan,
    solve_homecare,
)

__all__ = ["RoutePlan", "route_plan"]


@dataclass(frozen=True)
class RoutePlan:
    """The answer of :func:`route_plan`.

    Attributes
    ----------
    stops : DataFrame
        staff, order, visit, copy, place, arrival, start, end, tardiness (minutes after
        midnight), one row per staff member at a visit.
    breaks, dropped : DataFrame
        Breaks taken (staff, start, end); visits not served (visit, reason).
    kpis : dict
        visits, served, dropped, double_visits, double_served, travel_min, distance_km,
        total_tardiness_min, max_tardiness_min, staff_used, breaks.
    result : HomeCareResult
    problem : HomeCareProblem
    manual : PlanCheck or None
        The hand-made plan re-costed, with its violations.
    comparison : DataFrame or None
        The KPIs of the manual plan beside the optimised one.

    Examples
    --------
    See :mod:`hemopt.routing.plan`.
    """

    stops: pd.DataFrame
    breaks: pd.DataFrame
    dropped: pd.DataFrame
    kpis: dict
    result: HomeCareResult
    problem: HomeCareProblem
    manual: PlanCheck | None = None
    comparison: pd.DataFrame | None = None


def _minutes(values, name: str) -> np.ndarray:
    out = []
    for v in values:
        if isinstance(v, str):
            try:
                h, m = v.strip().split(":")[:2]
                out.append(60 * int(h) + float(m))
            except ValueError:
                raise InputError(f"{name} must be minutes or 'HH:MM', got {v!r}") from None
        else:
            try:
                f = float(v)
            except (TypeError, ValueError):
                raise InputError(f"{name} must be minutes or 'HH:MM', got {v!r}") from None
            if np.isnan(f):
                raise InputError(f"{name} is missing (NaN)")
            out.append(f)
    return np.array(out, dtype=float)


def _need(df: pd.DataFrame, cols, table: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"{table} table: missing column(s) {missing}; has {list(df.columns)}")


def _split(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [s.strip() for s in str(value).split(";") if s.strip()]


def _travel(travel, places, labels: list) -> tuple[list, np.ndarray, np.ndarray | None, list]:
    """Modes, time matrices (modes, L, L), distance (km) or None, place labels."""
    if not isinstance(travel, Mapping) or not travel:
        raise InputError("travel must be a mapping of mode -> matrix (or travel model)")
    modes = list(travel)
    times, dists = [], []
    if places is not None:
        _need(places, ["place", "x", "y"], "places")
        order = [str(p) for p in places["place"]]
        xy = places[["x", "y"]].to_numpy(float)
        for m in modes:
            model = travel[m]
            if not hasattr(model, "time_matrix_min"):
                raise InputError(f"travel[{m!r}] must be a travel model when places are given")
            times.append(model.time_matrix_min(xy))
            dists.append(model.distance_matrix_m(xy) / 1000)
        return modes, np.stack(times), np.stack(dists), order
    order = None
    for m in modes:
        t = travel[m]
        if not isinstance(t, pd.DataFrame):
            raise InputError(f"travel[{m!r}] must be a DataFrame labelled by place on both "
                             f"axes, got {type(t).__name__}")
        t = t.copy()
        t.index = t.index.map(str)
        t.columns = t.columns.map(str)
        if set(t.index) != set(t.columns):
            raise InputError(f"travel[{m!r}]: rows and columns must be the same places")
        if order is None:
            order = list(t.index)
        missing = [p for p in labels if p not in t.index]
        if missing:
            raise InputError(f"travel[{m!r}]: places {missing[:5]} are not in the matrix")
        try:
            times.append(t.loc[order, order].to_numpy(float))
        except KeyError as err:
            raise InputError(f"travel[{m!r}]: places differ from the first matrix's: "
                             f"{err}") from None
    return modes, np.stack(times), None, order


def route_plan(visits: pd.DataFrame, staff: pd.DataFrame, travel: Mapping, *,
               places: pd.DataFrame | None = None, manual: pd.DataFrame | None = None,
               tolerance_min: float = 30.0, sync_tolerance_min: float = 0.0,
               hard_windows: bool = True, break_after_h: float = 5.0,
               break_min_default: float = 30.0, time_limit_s: float | None = None,
               max_iterations: int | None = None, seed: int = 0) -> RoutePlan:
    """Route a home-care day from tables; re-cost a manual plan beside it.

    Parameters
    ----------
    visits, staff : DataFrame
        See :mod:`hemopt.routing.plan` for the columns.
    travel : mapping mode -> DataFrame or travel model
        One square travel-time matrix (minutes) per mode, rows and columns labelled by place;
        or, with ``places``, a :class:`hemopt.travel.Travel` model per mode (e.g.
        ``TravelModel.walking()``).
    places : DataFrame, optional
        place, x, y (metres, SWEREF 99 TM) for travel models.
    manual : DataFrame, optional
        The hand-made plan: staff, visit, and optionally order (else the table's order). A
        double visit appears under both staff.
    tolerance_min : float
        Window half-width around ``planned`` (when the visits have no earliest/latest).
    sync_tolerance_min : float
        How far apart the two staff of a double visit may start.
    hard_windows : bool
        True (default): a visit may not start after its latest time; it is dropped instead.
    break_after_h, break_min_default : float
        The break rule when the staff table has no break columns.
    time_limit_s, max_iterations, seed
        As :func:`~hemopt.routing.homecare.solve_homecare`.

    Returns
    -------
    RoutePlan

    Examples
    --------
    See :mod:`hemopt.routing.plan`.
    """
    if not isinstance(visits, pd.DataFrame) or not isinstance(staff, pd.DataFrame):
        raise InputError("visits and staff must be DataFrames")
    _need(visits, ["visit", "place", "duration"], "visits")
    _need(staff, ["staff", "mode", "start", "end", "shift_start", "shift_end"], "staff")
    if visits["visit"].duplicated().any():
        raise InputError(f"visits table: duplicate visit ids "
                         f"{visits.loc[visits['visit'].duplicated(), 'visit'].tolist()[:5]}")
    if staff["staff"].duplicated().any():
        raise InputError("staff table: duplicate staff ids")
    vid = [str(v) for v in visits["visit"]]
    sid = [str(s) for s in staff["staff"]]
    labels = sorted({str(p) for p in visits["place"]} | {str(p) for p in staff["start"]}
                    | {str(p) for p in staff["end"]})
    modes, tmat, dmat, order = _travel(travel, places, labels)
    missing = [p for p in labels if p not in order]
    if missing:
        raise InputError(f"places {missing[:5]} are not in the travel data")
    at = {p: i for i, p in enumerate(order)}
    if {"earliest", "latest"} <= set(visits.columns):
        e = _minutes(visits["earliest"], "visits.earliest")
        lat = _minutes(visits["latest"], "visits.latest")
    elif "planned" in visits.columns:
        planned = _minutes(visits["planned"], "visits.planned")
        e, lat = planned - tolerance_min, planned + tolerance_min
    else:
        raise InputError("visits table: needs earliest and latest, or planned")
    staffing = (visits["staffing"].fillna(1).astype(int).to_numpy()
                if "staffing" in visits.columns else np.ones(len(visits), int))
    skill_names: list[str] = []
    for s in staff.get("skills", pd.Series([], dtype=object)):
        skill_names += [x for x in _split(s) if x not in skill_names]
    for s in visits.get("skill", pd.Series([], dtype=object)):
        skill_names += [x for x in _split(s) if x not in skill_names]
    sk_idx = {s: i for i, s in enumerate(skill_names)}
    skill = np.full(len(visits), -1)
    if "skill" in visits.columns:
        for i, s in enumerate(visits["skill"]):
            names = _split(s)
            if len(names) > 1:
                raise InputError(f"visits.skill: one skill per visit, got {s!r}")
            if names:
                skill[i] = sk_idx[names[0]]
    staff_skills = np.zeros((len(staff), len(skill_names)), dtype=bool)
    if "skills" in staff.columns:
        for k, s in enumerate(staff["skills"]):
            for x in _split(s):
                staff_skills[k, sk_idx[x]] = True
    excluded = np.zeros((len(visits), len(staff)), dtype=bool)
    if "excluded" in visits.columns:
        kpos = {s: k for k, s in enumerate(sid)}
        for v, s in enumerate(visits["excluded"]):
            for x in _split(s):
                if x not in kpos:
                    raise InputError(f"visits.excluded: staff {x!r} (visit {vid[v]}) is not in "
                                     f"the staff table")
                excluded[v, kpos[x]] = True
    bad = [m for m in staff["mode"] if m not in modes]
    if bad:
        raise InputError(f"staff.mode: {bad[0]!r} has no travel data (modes: {modes})")
    ss = _minutes(staff["shift_start"], "staff.shift_start")
    se = _minutes(staff["shift_end"], "staff.shift_end")
    if {"break_min", "break_earliest", "break_latest"} <= set(staff.columns):
        bd = staff["break_min"].fillna(0).to_numpy(float)
        be = _minutes(staff["break_earliest"].fillna(0), "staff.break_earliest")
        bl = _minutes(staff["break_latest"].fillna(0), "staff.break_latest")
    else:
        long = (se - ss) > break_after_h * 60
        bd = np.where(long, break_min_default, 0.0)
        be, bl = ss + 180.0, ss + 300.0
    problem = HomeCareProblem(
        travel=tmat, distance=dmat,
        visit_location=[at[str(p)] for p in visits["place"]], earliest=e, latest=lat,
        duration=visits["duration"].to_numpy(float), staffing=staffing,
        sync_min=np.full(len(visits), -sync_tolerance_min),
        sync_max=np.full(len(visits), sync_tolerance_min), skill=skill, excluded=excluded,
        staff_mode=[modes.index(m) for m in staff["mode"]],
        start_place=[at[str(p)] for p in staff["start"]],
        end_place=[at[str(p)] for p in staff["end"]], shift_start=ss, shift_end=se,
        staff_skills=staff_skills, break_duration=bd, break_earliest=be, break_latest=bl,
        hard_windows=hard_windows, visit_ids=vid, staff_ids=sid)
    res = solve_homecare(problem, time_limit_s=time_limit_s, max_iterations=max_iterations,
                         seed=seed)
    stops = _label(res.stops, problem, order)
    breaks = res.breaks.assign(staff=[sid[k] for k in res.breaks.staff])
    dropped = res.dropped.assign(visit=[vid[v] for v in res.dropped.visit])
    kpis = _kpis(problem, res.stops, res.breaks, res.travel, res.distance,
                 res.total_tardiness, res.max_tardiness, len(res.dropped))
    man = comp = None
    if manual is not None:
        man = _recost(problem, manual)
        mk = _kpis(problem, man.stops, man.breaks, man.travel, man.distance,
                   man.total_tardiness, man.max_tardiness, man.dropped)
        mk["violations"] = len(man.violations)
        kpis = {**kpis, "violations": 0}
        comp = pd.DataFrame({"manual": mk, "optimised": kpis})
    return RoutePlan(stops=stops, breaks=breaks, dropped=dropped, kpis=kpis, result=res,
                     problem=problem, manual=man, comparison=comp)


def _label(stops: pd.DataFrame, p: HomeCareProblem, order: list) -> pd.DataFrame:
    out = stops.copy()
    out.insert(4, "place", [order[p.visit_location[v]] for v in stops.visit])
    out["staff"] = [p.staff_ids[k] for k in stops.staff]
    out["visit"] = [p.visit_ids[v] for v in stops.visit]
    return out


def _kpis(p, stops, breaks, travel, distance, tsum, tmax, dropped) -> dict:
    double = int((p.staffing == 2).sum())
    per_visit = stops.groupby("visit")["copy"].nunique()
    served_double = int(sum(1 for v, n in per_visit.items() if p.staffing[v] == 2 and n == 2))
    return {
        "visits": p.n_visits, "served": p.n_visits - int(dropped), "dropped": int(dropped),
        "double_visits": double, "double_served": served_double,
        "travel_min": round(float(travel), 2),
        "distance_km": round(float(distance), 2) if p.distance is not None else float("nan"),
        "total_tardiness_min": round(float(tsum), 2),
        "max_tardiness_min": round(float(tmax), 2),
        "staff_used": int(stops.staff.nunique()), "breaks": len(breaks),
    }


def _recost(p: HomeCareProblem, manual: pd.DataFrame) -> PlanCheck:
    """The manual plan re-computed with the same matrices (breaks not checked)."""
    _need(manual, ["staff", "visit"], "manual plan")
    kpos = {s: k for k, s in enumerate(p.staff_ids)}
    vpos = {v: i for i, v in enumerate(p.visit_ids)}
    m = manual.copy()
    m["staff"] = m["staff"].map(str)
    m["visit"] = m["visit"].map(str)
    unknown = sorted(set(m["staff"]) - set(kpos))
    if unknown:
        raise InputError(f"manual plan: staff {unknown[:5]} are not in the staff table")
    unknown = sorted(set(m["visit"]) - set(vpos))
    if unknown:
        raise InputError(f"manual plan: visits {unknown[:5]} are not in the visits table")
    if "order" in m.columns:
        m = m.sort_values(["staff", "order"], kind="stable")
    routes: list[list] = [[] for _ in p.staff_ids]
    seen: dict[int, int] = {}
    for s, v in zip(m["staff"], m["visit"], strict=True):
        vi = vpos[v]
        c = seen.get(vi, 0)
        seen[vi] = c + 1
        routes[kpos[s]].append((vi, c))
    return check_plan(p, routes)
