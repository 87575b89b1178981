"""The day domain: a municipality's day of home-care visits, routed or approximated.

This package sits in the domain layer, above the routing engine (:mod:`hemopt.routing`,
which takes arrays and gives results). It reads a scenario's tables and turns them into
engine instances, then turns the engine's results back into tables per provider, base,
shift and travel mode.

Public names::

    VisitParams, day_of_visits, stops_of       the day's visits and their stops (stairwells)
    AssignedClients, ClientProviders           what routing needs from an assignment
    ShiftParams, DayRouting, route_day         the day routed per provider, base, shift and
                                               travel mode (:mod:`hemopt.day.route`)
    CareParams                                 double staffing, skills and breaks
                                               (:mod:`hemopt.day.care`)
    approximate_day, ApproxModel,              the calibrated continuous approximation
    ApproxDayRouting, ExtrapolationWarning     (docs/approximation.md)
    route_plan, RoutePlan                      a day given as tables, and a hand plan
                                               re-costed (:mod:`hemopt.day.plan`)

Modules: :mod:`~hemopt.day.visits`, :mod:`~hemopt.day.route`, :mod:`~hemopt.day.care`,
:mod:`~hemopt.day.territories`, :mod:`~hemopt.day.approx` (with its model in
:mod:`~hemopt.day.approx_model`), :mod:`~hemopt.day.plan`, :mod:`~hemopt.day.plan_tables`,
:mod:`~hemopt.day.plan_manual`.
"""

from hemopt.day.approx import ApproxDayRouting as ApproxDayRouting
from hemopt.day.approx import ApproxModel as ApproxModel
from hemopt.day.approx import ExtrapolationWarning as ExtrapolationWarning
from hemopt.day.approx import approximate_day as approximate_day
from hemopt.day.care import CareParams as CareParams
from hemopt.day.plan import RoutePlan as RoutePlan
from hemopt.day.plan import route_plan as route_plan
from hemopt.day.route import DayRouting as DayRouting
from hemopt.day.route import ShiftParams as ShiftParams
from hemopt.day.route import route_day as route_day
from hemopt.day.visits import AssignedClients as AssignedClients
from hemopt.day.visits import ClientProviders as ClientProviders
from hemopt.day.visits import VisitParams as VisitParams
from hemopt.day.visits import day_of_visits as day_of_visits
from hemopt.day.visits import stops_of as stops_of

__all__ = [
    "ApproxDayRouting",
    "ApproxModel",
    "AssignedClients",
    "CareParams",
    "ClientProviders",
    "DayRouting",
    "ExtrapolationWarning",
    "RoutePlan",
    "ShiftParams",
    "VisitParams",
    "approximate_day",
    "day_of_visits",
    "route_day",
    "route_plan",
    "stops_of",
]
