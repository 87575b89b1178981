"""Continuity of care over 14 days (*personalkontinuitet*): how many different staff each
client meets, under an assignment of providers.

Pipeline (``docs/continuity.md``):

1. :func:`fortnight_visits` draws a week of visits (day 0 a Monday) that repeats: each
   client's weekly pattern (:func:`hemopt.scenario.weekly_pattern`: daily care every day,
   weekly tasks such as a shower or cleaning on fixed weekdays, light clients on fixed
   weekdays; weekly minutes conserved), or without pattern columns the one-day draw of
   :func:`hemopt.routing.visits.day_of_visits` every day.
2. :func:`route_horizon` routes each weekday once with the assignment's providers (the VRPTW
   solver, whose routes are staff shifts; or the approximation, whose route counts are
   turned into routes by a sweep around the base, see :func:`sweep_routes`), optionally with
   stable territories (:func:`territories`, a penalty per move between them).
3. :func:`staff_continuity` sizes and rosters each provider's staff from its routed shifts
   (:func:`hemopt.roster.build_roster`) and hands each day's routes to the staff on duty by a
   min-cost assignment that rewards known faces (:func:`hemopt.roster.assign_staff`).
4. :func:`continuity_kpis` returns the figures ``compare`` reports;
   :func:`territory_tradeoff` the kilometres against continuity along the territory penalty.

Examples
--------
>>> import hemopt
>>> from hemopt.continuity import continuity_kpis
>>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
>>> k = continuity_kpis(hemopt.assign(sc, hemopt.LOV()), seed=1,
...                     routing=hemopt.RoutingSettings(max_iterations=30))
>>> 1 <= k["staff_per_client_14d_median"] <= k["staff_per_client_14d_p90"]
True
"""

from __future__ import annotations

from hemopt.continuity.horizon import (
    Horizon,
    day_seed,
    fortnight_visits,
    route_horizon,
    routes_of_day,
    sweep_routes,
)
from hemopt.continuity.staff import (
    CONTINUITY_KPIS,
    KOLADA_HOURS_MIN,
    KOLADA_MIN_AGE,
    KOLADA_MIN_VISITS,
    PLANNER_WEIGHT,
    Continuity,
    continuity_kpis,
    kolada_clients,
    staff_continuity,
    territories,
    territory_tradeoff,
)

__all__ = [
    "CONTINUITY_KPIS",
    "KOLADA_HOURS_MIN",
    "KOLADA_MIN_AGE",
    "KOLADA_MIN_VISITS",
    "PLANNER_WEIGHT",
    "Continuity",
    "Horizon",
    "continuity_kpis",
    "day_seed",
    "fortnight_visits",
    "kolada_clients",
    "route_horizon",
    "routes_of_day",
    "staff_continuity",
    "sweep_routes",
    "territories",
    "territory_tradeoff",
]
