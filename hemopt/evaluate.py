"""One path from an assignment to its routing cost and KPIs, used by compare, sweep and
simulate.

:func:`evaluate` routes one day of visits for an :class:`~hemopt.assignment.Assignment` (the
VRPTW solver or the calibrated approximation) and computes the KPIs of ``docs/compare.md``.
The day of visits is drawn per client and does not depend on who serves the client, so every
regime, and every month of a simulation with the same clients, is routed on the same visits.
The routing cost depends only on the provider of each client and on the resources the
scenario gives each provider (offices, bases by :class:`hemopt.bases.BaseRule`): never on the
regime's label. Two assignments with the same providers get the same figures (tested).

Full cost (``CostParams``): paid staff time is the time on routes plus indirect time
(documentation per visit, handover, meetings and breaks per shift), with a minimum paid shift;
fixed costs per provider (management, administration, premises, the municipality's follow-up
of each external contract) and per local base are added per year.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from hemopt._workers import resolve_workers
from hemopt.assignment import Assignment
from hemopt.errors import InputError
from hemopt.routing.care import CareParams
from hemopt.routing.day import DayRouting, ShiftParams, route_day
from hemopt.routing.instance import RoutingObjective
from hemopt.routing.visits import VisitParams, day_of_visits
from hemopt.travel import TravelModes

__all__ = ["KPI_COLUMNS", "CostParams", "Evaluation", "RoutingSettings", "evaluate",
           "provider_costs"]

KPI_COLUMNS: dict[str, str] = {
    "driven_km_per_day": "km driven by staff per day",
    "drive_hours_per_day": "hours spent driving per day",
    "driving_share": "share of route time spent driving",
    "staff_hours_per_day": "staff hours on routes per day, office to office",
    "paid_staff_hours_per_day": "paid staff hours per day: routes, indirect time, minimum shift",
    "care_share_of_paid_time": "share of paid staff time spent in clients' homes",
    "cost_sek_per_year": "paid staff hours × cost per hour + km × cost per km + fixed costs, "
                         "per year (SEK)",
    "cost_per_care_hour_sek": "cost per year / care hours per year (SEK)",
    "co2_tonnes_per_year": "CO2 from driving per year (tonnes)",
    "first_choice_pct": "choosing clients served by their first choice (%)",
    "queue": "clients queueing for a better-ranked provider",
    "queued_hours_mean": "mean weekly care hours of queueing clients",
    "served_hours_mean": "mean weekly care hours of clients not queueing",
    "providers_per_stairwell": "mean distinct providers per stairwell with clients",
    "stairwells_multi_provider_pct": "stairwells with 2+ clients served by 2+ providers (%)",
    "stops_per_visit": "stops driven to per visit (1 = no visit shares a stop)",
    "workload_cv": "coefficient of variation of staff minutes per shift",
    "staff_shifts_per_day": "staff shifts (routes) per day",
    "providers_active": "providers with clients",
    "local_bases": "local bases opened by the base rule",
    "dropped_visits": "visits no shift could serve (reported, never silent)",
    "double_staffed_visits_served": "double-staffed visits served by two staff at once",
    "double_extra_km_per_day": "km driven by the second staff of double-staffed visits",
    "double_extra_staff_hours_per_day": "staff hours the second staff of double-staffed "
                                        "visits add",
    "breaks_taken": "breaks placed in their window in routes longer than 5 hours",
    "breaks_not_placed": "routes longer than 5 hours where no break fitted",
    "dropped_not_synchronised": "double-staffed visits dropped: no second staff at the time",
    "dropped_no_licensed_staff": "visits dropped: no licensed staff had room",
    "external_share_hours": "share of care hours with external providers",
}
"""KPI columns of an evaluation (and of :attr:`hemopt.Comparison.table`), in order, with
their meaning and unit.

Examples
--------
>>> import hemopt
>>> hemopt.KPI_COLUMNS["driven_km_per_day"]
'km driven by staff per day'
>>> "paid_staff_hours_per_day" in hemopt.KPI_COLUMNS
True
"""


@dataclass(frozen=True)
class CostParams:
    """Cost parameters (sources and rationale in ``docs/compare.md``).

    Parameters
    ----------
    staff_sek_per_hour
        Full cost of one paid staff hour (default 300 SEK: a home-care assistant's pay of
        about 29,000 SEK a month with employer contributions and pension, over about 140 hours
        of work a month after leave).
    sek_per_km
        Cost of a driven km (default 4.0 SEK: fuel, leasing, insurance and upkeep of a small
        car).
    co2_kg_per_km
        CO2 per km (default 0.12 kg: a petrol car; set lower for an electric fleet).
    days_per_year
        Days of home care per year (default 365: care is given every day).
    documentation_min_per_visit
        Paid minutes per visit outside the home: documentation, keys, phone calls (default 4).
    indirect_min_per_shift
        Paid minutes per shift outside routes (default 80: handover 15, planning meeting 20,
        paid breaks 30, the start and end at the office 15).
    min_paid_shift_hours
        A shift is paid at least this long (default 4 h).
    fixed_sek_per_provider
        Per provider with clients, per year: the part of running a home-care provider that
        does not grow with its hours (a responsible manager's time, administration, the
        planning system, minimum premises; default 500,000 SEK). What grows with the hours
        (supervision, scheduling) is in ``staff_sek_per_hour`` and the indirect time.
    follow_up_sek_per_external
        Per external provider with clients, per year: the municipality's contract follow-up
        (default 150,000 SEK).
    fixed_sek_per_base
        Per local base opened by the base rule, per year: premises and equipment (default
        250,000 SEK).

    Notes
    -----
    The indirect-time defaults are calibrated so that the share of paid time spent in
    clients' homes is near the 58 % of Swedish time-use studies on the default scenario
    (``docs/compare.md`` gives the measured share). Fixed costs are stated assumptions.

    Examples
    --------
    >>> import hemopt
    >>> c = hemopt.CostParams(staff_sek_per_hour=377.0, co2_kg_per_km=0.0)  # LOV rate, EVs
    >>> c.staff_sek_per_hour, c.sek_per_km, c.co2_kg_per_km
    (377.0, 4.0, 0.0)
    >>> hemopt.CostParams(sek_per_km=-1)
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: CostParams.sek_per_km must be a finite number >= 0, got -1
    """

    staff_sek_per_hour: float = 300.0
    sek_per_km: float = 4.0
    co2_kg_per_km: float = 0.12
    days_per_year: float = 365.0
    documentation_min_per_visit: float = 4.0
    indirect_min_per_shift: float = 80.0
    min_paid_shift_hours: float = 4.0
    fixed_sek_per_provider: float = 500_000.0
    follow_up_sek_per_external: float = 150_000.0
    fixed_sek_per_base: float = 250_000.0

    def __post_init__(self) -> None:
        for k, v in asdict(self).items():
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise InputError(f"CostParams.{k} must be a finite number >= 0, got {v!r}")


@dataclass(frozen=True)
class RoutingSettings:
    """How a day is routed: every setting that changes the routing result.

    Parameters
    ----------
    method
        ``"solver"`` (VRPTW per provider, base and shift) or ``"approx"`` (the calibrated
        continuous approximation, milliseconds).
    backend
        VRPTW backend for ``"solver"`` (``"pyvrp"``, ``"ortools"``, ``"greedy"``).
    max_iterations, time_limit_s
        Solver effort per instance. An iteration limit and no time limit give the same routes
        on every machine.
    workers
        Processes solving the day's instances side by side (default: every core; the routes
        do not depend on it, see :func:`~hemopt.routing.route_day`).
    care
        Double staffing, skills and breaks (:class:`~hemopt.routing.CareParams`; default
        on). ``CareParams(enabled=False)`` routes as before issue 18.

    Examples
    --------
    >>> import hemopt
    >>> hemopt.RoutingSettings(method="approx").method
    'approx'
    >>> hemopt.RoutingSettings(method="guess")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: routing must be 'solver' or 'approx', got 'guess'
    """

    method: str = "solver"
    backend: str = "pyvrp"
    max_iterations: int | None = 1000
    time_limit_s: float | None = None
    workers: int | None = None
    care: CareParams | None = None

    def __post_init__(self) -> None:
        if self.method not in ("solver", "approx"):
            raise InputError(f"routing must be 'solver' or 'approx', got {self.method!r}")
        if self.workers is not None:
            resolve_workers(self.workers, "RoutingSettings.workers")


@dataclass(frozen=True, eq=False)
class Evaluation:
    """An assignment's routed day and KPIs (``kpis`` keyed as :data:`KPI_COLUMNS`, plus
    ``visits_per_day``, ``stops_per_day``, ``care_hours_per_week`` and ``conservation``);
    ``providers``: one row per provider with its cost per care hour.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> ev = hemopt.evaluate(hemopt.assign(sc, hemopt.LOV()), seed=1,
    ...                      routing=hemopt.RoutingSettings(max_iterations=30))
    >>> c = ev.kpis["conservation"]
    >>> c["visits_in"] == c["visits_served"] + c["visits_dropped"]
    True
    >>> list(ev.providers.columns[:3])
    ['provider_id', 'kind', 'care_hours_per_week']
    """

    assignment: Assignment
    routing: DayRouting
    kpis: dict[str, Any]
    providers: pd.DataFrame


def day_for(assignment: Assignment, *, seed: int, params: VisitParams) -> pd.DataFrame:
    """The day's visits of the assignment's scenario, drawn per client (independent of the
    provider), so that every assignment of the same clients shares them."""
    sc = assignment.scenario
    return day_of_visits(sc, ["_"] * sc.n_clients, seed=seed, params=params)


def evaluate(
    assignment: Assignment,
    *,
    routing: RoutingSettings | None = None,
    seed: int = 0,
    visits: pd.DataFrame | None = None,
    cost: CostParams | None = None,
    travel: Any = None,
    visit_params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Route one day for ``assignment`` and compute its KPIs.

    Parameters
    ----------
    assignment
        Who serves whom (and where shifts start: ``assignment.bases_xy()``).
    routing
        :class:`RoutingSettings` (default: the solver, 1000 iterations).
    seed
        Seed of the day's visits and of the solver.
    visits
        A day of visits to reuse (default: drawn with ``seed``; the same for every
        assignment of the same clients).
    cost, travel, visit_params, shifts
        :class:`CostParams`; a travel model (default :class:`~hemopt.travel.TravelModes`:
        staff walk, cycle or drive by the distance of their stops from the base);
        :class:`~hemopt.routing.visits.VisitParams`; :class:`~hemopt.routing.day.ShiftParams`.
    progress
        Called with a short message after each routed instance.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> a = hemopt.assign(sc, hemopt.LOV())
    >>> ev = hemopt.evaluate(a, routing=hemopt.RoutingSettings(max_iterations=50), seed=1)
    >>> ev.kpis["driven_km_per_day"] > 0, ev.kpis["conservation"]["clients_unserved"]
    (True, 0)
    """
    routing = routing or RoutingSettings()
    cost = cost or CostParams()
    travel = travel or TravelModes()
    visit_params = visit_params or VisitParams()
    shifts = shifts or ShiftParams()
    if visits is None:
        visits = day_for(assignment, seed=seed, params=visit_params)
    if routing.method == "solver":
        d = route_day(assignment.scenario, assignment, seed=seed, visits=visits, travel=travel,
                      backend=routing.backend, time_limit_s=routing.time_limit_s,
                      max_iterations=routing.max_iterations, params=visit_params,
                      shifts=shifts, progress=progress, workers=routing.workers,
                      care=routing.care, objective=RoutingObjective.paid_shifts(
                          sek_per_hour=cost.staff_sek_per_hour, sek_per_km=cost.sek_per_km,
                          indirect_min_per_shift=cost.indirect_min_per_shift,
                          min_paid_shift_hours=cost.min_paid_shift_hours))
    else:
        from hemopt.routing.approx import approximate_day

        d = approximate_day(assignment.scenario, assignment, seed=seed, visits=visits,
                            travel=travel, params=visit_params, shifts=shifts)
    prov = provider_costs(assignment, d, cost)
    kpis = _kpis(assignment, d, cost, prov, visits)
    return Evaluation(assignment=assignment, routing=d, kpis=kpis, providers=prov)


def provider_costs(a: Assignment, d: DayRouting, cost: CostParams) -> pd.DataFrame:
    """Per provider: care hours, paid hours, km, local bases, cost per year and per care
    hour. The municipality's row shows the fallback burden of the scattered clients."""
    r = d.routes
    days = cost.days_per_year
    pids = list(a.scenario.provider_ids)
    care_h_week = a.providers.set_index("provider_id")["hours_per_week"].reindex(pids).fillna(0)
    office = a.scenario.bases_xy()
    bases = a.bases_xy()
    n_visits = d.visits.groupby("provider_id").size() if len(d.visits) else pd.Series(dtype=int)
    rows = []
    for pid, kind in zip(pids, a.scenario.providers["kind"], strict=True):
        g = r[r["provider_id"] == pid]
        shifts = g["routes"].to_numpy(dtype=float)
        per_shift = np.divide(g["staff_min"].to_numpy(dtype=float), shifts,
                              out=np.zeros(len(g)), where=shifts > 0)
        paid_shift_min = np.maximum(per_shift + cost.indirect_min_per_shift,
                                    60.0 * cost.min_paid_shift_hours)
        paid_min = float((shifts * paid_shift_min).sum()
                         + cost.documentation_min_per_visit * int(n_visits.get(pid, 0)))
        km = float(g["driven_km"].sum())
        has_clients = bool(care_h_week[pid] > 0)
        local = len(bases[pid]) - len(office[pid])
        fixed = ((cost.fixed_sek_per_provider if has_clients else 0.0)
                 + (cost.follow_up_sek_per_external if has_clients and kind == "external"
                    else 0.0)
                 + cost.fixed_sek_per_base * local)
        per_year = (paid_min / 60.0 * cost.staff_sek_per_hour + km * cost.sek_per_km) * days + fixed
        care_h_year = float(care_h_week[pid]) * days / 7.0
        rows.append({
            "provider_id": pid, "kind": kind, "care_hours_per_week": float(care_h_week[pid]),
            "care_hours_per_day": float(g["service_min"].sum()) / 60.0,
            "route_hours_per_day": float(g["staff_min"].sum()) / 60.0,
            "paid_hours_per_day": paid_min / 60.0, "driven_km_per_day": km,
            "staff_shifts_per_day": int(shifts.sum()), "local_bases": int(local),
            "fixed_sek_per_year": fixed, "cost_sek_per_year": per_year,
            "cost_per_care_hour_sek": per_year / care_h_year if care_h_year > 0 else math.nan,
        })
    return pd.DataFrame(rows)


def _stairwell_kpis(a: Assignment) -> tuple[float, float]:
    cl = a.clients[a.clients["provider_id"] != ""]
    if cl.empty:
        return 0.0, 0.0
    per = cl.groupby("stairwell_id")["provider_id"].nunique()
    multi_client = cl.groupby("stairwell_id").size() >= 2
    multi = per[multi_client]
    pct = 100.0 * float((multi >= 2).mean()) if len(multi) else 0.0
    return float(per.mean()), pct


def _conservation(a: Assignment, d: DayRouting, visits_in: pd.DataFrame) -> dict[str, Any]:
    """Clients in = assigned + unserved (queued clients are assigned to the default meanwhile
    and counted too); visits and care minutes in = served + dropped, where dropped are the
    visits the routing could not serve (with a reason in ``DayRouting.dropped``) and those of
    unserved clients. Raises if anything went missing."""
    cl = a.clients
    n_in = len(cl)
    unserved = int((cl["provider_id"] == "").sum())
    assigned = int((cl["provider_id"] != "").sum())
    t = d.totals()
    lost = visits_in[~visits_in["client_id"].isin(d.visits["client_id"])]
    out = {
        "clients_in": n_in, "clients_assigned": assigned,
        "clients_queued": int((cl["queue_for"] != "").sum()), "clients_unserved": unserved,
        "visits_in": len(visits_in), "visits_served": int(t["visits_served"]),
        "visits_dropped": int(t["visits_dropped"]) + len(lost),
        "care_minutes_in": float(visits_in["duration_min"].sum()),
        "care_minutes_served": float(t["care_minutes_served"]),
        "care_minutes_dropped": float(t["care_minutes_dropped"])
        + float(lost["duration_min"].sum()),
    }
    per_provider = int(a.providers["clients"].sum())  # counted from the solver's result
    if per_provider != assigned or assigned + unserved != n_in:
        raise AssertionError(f"conservation: clients in {n_in} != assigned {assigned} "
                             f"(providers' tables: {per_provider}) + unserved {unserved}")
    if out["visits_served"] + out["visits_dropped"] != out["visits_in"]:
        raise AssertionError(f"conservation: visits in != served + dropped: {out}")
    if not math.isclose(out["care_minutes_served"] + out["care_minutes_dropped"],
                        out["care_minutes_in"], rel_tol=1e-9, abs_tol=1e-6):
        raise AssertionError(f"conservation: care minutes in != served + dropped: {out}")
    return out


def _kpis(a: Assignment, d: DayRouting, cost: CostParams, prov: pd.DataFrame,
          visits_in: pd.DataFrame) -> dict[str, Any]:
    t = d.totals()
    s = a.summary()
    per_stair, multi_pct = _stairwell_kpis(a)
    per_shift: list[float] = []
    for res in d.results.values():
        per_shift.extend(res.route_duration)
    arr = np.asarray(per_shift, dtype=float)
    cv = float(arr.std() / arr.mean()) if arr.size > 1 and arr.mean() > 0 else float("nan")
    km = t["driven_km_per_day"]
    paid_h = float(prov["paid_hours_per_day"].sum())
    per_year = float(prov["cost_sek_per_year"].sum())
    care_h_week = float(a.clients["hours_per_week"].sum())
    q = a.clients["queue_for"] != ""
    h = a.clients["hours_per_week"]
    return {
        "driven_km_per_day": km,
        "drive_hours_per_day": t["drive_hours_per_day"],
        "driving_share": t["driving_share"],
        "staff_hours_per_day": t["staff_hours_per_day"],
        "paid_staff_hours_per_day": paid_h,
        "care_share_of_paid_time": (t.get("service_hours_per_day", 0.0) / paid_h
                                    if paid_h > 0 else math.nan),
        "cost_sek_per_year": per_year,
        "cost_per_care_hour_sek": (per_year / (care_h_week * cost.days_per_year / 7.0)
                                   if care_h_week > 0 else math.nan),
        "co2_tonnes_per_year": km * cost.co2_kg_per_km * cost.days_per_year / 1000.0,
        "first_choice_pct": s["first_choice_pct"],
        "queue": s["queue"],
        "queued_hours_mean": float(h[q].mean()) if q.any() else math.nan,
        "served_hours_mean": float(h[~q].mean()) if (~q).any() else math.nan,
        "providers_per_stairwell": per_stair,
        "stairwells_multi_provider_pct": multi_pct,
        "stops_per_visit": t["stops_per_visit"],
        "workload_cv": cv,
        "staff_shifts_per_day": t["staff_shifts"],
        "providers_active": int((a.providers["clients"] > 0).sum()),
        "local_bases": int(prov["local_bases"].sum()),
        "dropped_visits": t["dropped_visits"],
        # not modelled (the approximation, or care switched off): NaN, never a false 0
        **{k: t.get(k, math.nan) for k in ("double_staffed_visits_served",
                                           "double_extra_km_per_day",
                                           "double_extra_staff_hours_per_day",
                                           "breaks_taken", "breaks_not_placed",
                                           "dropped_not_synchronised",
                                           "dropped_no_licensed_staff")},
        "external_share_hours": s["external_share_hours"],
        "visits_per_day": t["visits_in"],
        "stops_per_day": t["stops"],
        "care_hours_per_week": care_h_week,
        "conservation": _conservation(a, d, visits_in),
    }
