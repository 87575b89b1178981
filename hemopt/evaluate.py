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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hemopt.costs import CostParams
from hemopt.day.route import DayRouting, ShiftParams, route_day
from hemopt.day.settings import RoutingSettings
from hemopt.day.visits import VisitParams, day_of_visits
from hemopt.errors import InputError
from hemopt.kpis import KPIColumns, KPIInputs, evaluate_kpis
from hemopt.routing.instance import RoutingObjective
from hemopt.travel import TravelModes

if TYPE_CHECKING:  # evaluate reads an assignment; it never builds one
    from hemopt.assignment import Assignment

__all__ = ["KPI_COLUMNS", "CostParams", "Evaluation", "RoutingSettings", "evaluate",
           "provider_costs"]

KPI_COLUMNS: Mapping[str, str] = KPIColumns("evaluate")
"""KPI columns of an evaluation (and of :attr:`hemopt.Comparison.table`), in order, with
their meaning and unit: a live view of the KPI registry (:mod:`hemopt.kpis`), where a KPI is
declared once.

Examples
--------
>>> import hemopt
>>> hemopt.KPI_COLUMNS["driven_km_per_day"]
'km driven by staff per day'
>>> "paid_staff_hours_per_day" in hemopt.KPI_COLUMNS
True
"""


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


def _from_settings(settings: Any, assignment: Assignment, **given: Any) -> tuple[Any, ...]:
    """``evaluate``'s routing, cost, travel, visit and shift settings from ``settings`` (a
    :class:`~hemopt.StudySettings`; hemopt.settings imports this module, so it is recognised
    by what it has rather than imported here)."""
    if not callable(getattr(settings, "routing_settings", None)):
        raise InputError(f"settings: expected hemopt.StudySettings, got "
                         f"{type(settings).__name__}")
    both = [k for k, v in given.items() if v is not None]
    if both:
        raise InputError(f"evaluate: give either settings= or the keywords {both}, not both; "
                         "change a setting with settings.replace(...)")
    if assignment.base_rule != settings.bases:
        raise InputError(f"evaluate: the assignment's base rule {assignment.base_rule} is not "
                         f"settings.bases {settings.bases}; assign with "
                         "base_rule=settings.bases")
    return (settings.routing_settings(), settings.cost, settings.travel, settings.visits,
            settings.shifts)


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
    settings: Any = None,
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
        :class:`~hemopt.day.visits.VisitParams`; :class:`~hemopt.day.route.ShiftParams`.
    progress
        Called with a short message after each routed instance.
    settings
        A :class:`~hemopt.StudySettings` in place of ``routing`` (its routing, care
        included), ``cost``, ``travel``, ``visit_params`` and ``shifts``; giving both is an
        :class:`~hemopt.errors.InputError`, and so is an assignment made with another base
        rule than ``settings.bases`` (the bases would not be the settings').

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> a = hemopt.assign(sc, hemopt.LOV())
    >>> ev = hemopt.evaluate(a, routing=hemopt.RoutingSettings(max_iterations=50), seed=1)
    >>> ev.kpis["driven_km_per_day"] > 0, ev.kpis["conservation"]["clients_unserved"]
    (True, 0)
    """
    if settings is not None:
        routing, cost, travel, visit_params, shifts = _from_settings(
            settings, assignment, routing=routing, cost=cost, travel=travel,
            visit_params=visit_params, shifts=shifts)
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
        from hemopt.day.approx import approximate_day

        d = approximate_day(assignment.scenario, assignment, seed=seed, visits=visits,
                            travel=travel, params=visit_params, shifts=shifts)
    prov = provider_costs(assignment, d, cost)
    kpis = _kpis(assignment, d, cost, prov, visits)
    return Evaluation(assignment=assignment, routing=d, kpis=kpis, providers=prov)


def provider_costs(a: Assignment, d: DayRouting, cost: CostParams) -> pd.DataFrame:
    """Per provider: care hours, paid hours, km, local bases, cost per year and per
    delivered care hour (the care minutes of the day's dropped visits are not delivered).
    The municipality's row shows the fallback burden of the scattered clients."""
    r = d.routes
    days = cost.days_per_year
    pids = list(a.scenario.provider_ids)
    care_h_week = a.providers.set_index("provider_id")["hours_per_week"].reindex(pids).fillna(0)
    office = a.scenario.bases_xy()
    bases = a.bases_xy()
    n_visits = d.visits.groupby("provider_id").size() if len(d.visits) else pd.Series(dtype=int)
    # dropped care is not delivered: each provider's care hours are scaled by the share of its
    # day's care minutes that were served (issue 26 §4)
    in_min = (d.visits.groupby("provider_id")["duration_min"].sum() if len(d.visits)
              else pd.Series(dtype=float))
    drop_min = (d.dropped.groupby("provider_id")["duration_min"].sum() if len(d.dropped)
                else pd.Series(dtype=float))
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
        p_in = float(in_min.get(pid, 0.0))
        delivered = 1.0 - float(drop_min.get(pid, 0.0)) / p_in if p_in > 0 else 1.0
        care_h_year = float(care_h_week[pid]) * delivered * days / 7.0
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
    """Every KPI of the registry computed from one routed day (:mod:`hemopt.kpis`), and the
    conservation record."""
    cons = _conservation(a, d, visits_in)
    x = KPIInputs(assignment=a, routing=d, cost=cost, providers=prov, visits=visits_in,
                  conservation=cons)
    out: dict[str, Any] = {}
    for key, k in evaluate_kpis().items():
        assert k.compute is not None
        out[key] = k.compute(x)
    out["conservation"] = cons
    return out
