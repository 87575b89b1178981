"""Routing: the day's visits, the VRPTW of a provider's day, its solver backends and the
continuous approximation.

Public names::

    VRPTWInstance, VRPTWResult, solve_vrptw    the problem, its answer, the solver
    RoutingObjective                           what routes cost (staff time, km, shifts)
    read_solomon, write_solomon                Solomon's benchmark format
    RoutingBackend, register_backend,          the backend registry ("pyvrp", "ortools",
    available_backends                         "greedy")
    PrecisionWarning                           integer scaling loses precision
    DISTANCE_SCALE, TIME_SCALE                 the integer scaling used for the solvers
    DROP_REASONS                               why a visit can be dropped
    VisitParams, day_of_visits, stops_of       the day's visits and their stops
    AssignedClients, ClientProviders           what routing needs from an assignment
    ShiftParams, DayRouting, route_day         a municipality's day routed per provider,
                                               base, shift and travel mode
    CareParams                                 double staffing, skills and breaks
                                               (hemopt.routing.care)
    approximate_day, ApproxModel,              the calibrated continuous approximation
    ApproxDayRouting, ExtrapolationWarning     (docs/approximation.md)
    HomeCareProblem, solve_homecare,           home care with double-staffed visits, skills,
    HomeCareResult, check_plan, PlanCheck,     breaks, staff's own modes and places; the
    HOMECARE_DROP_REASONS                      independent plan checker
    route_plan, RoutePlan                      a day given as tables, and a hand plan re-costed
    read_hhc, solve_hhc, HHCInstance,          the Mankowska et al. (2014) benchmark (UHHC
    HHCResult                                  JSON format)

The routing layer imports only the core (:mod:`hemopt.travel`, :mod:`hemopt.errors`, and
:mod:`hemopt.scenario` for types); the calibration harness that routes generated
municipalities lives above the domain, in :mod:`hemopt.calibration`.
"""

from hemopt.routing.approx import ApproxDayRouting as ApproxDayRouting
from hemopt.routing.approx import ApproxModel as ApproxModel
from hemopt.routing.approx import ExtrapolationWarning as ExtrapolationWarning
from hemopt.routing.approx import approximate_day as approximate_day
from hemopt.routing.backends import RoutingBackend as RoutingBackend
from hemopt.routing.backends import available_backends as available_backends
from hemopt.routing.backends import register_backend as register_backend
from hemopt.routing.care import CareParams as CareParams
from hemopt.routing.day import DayRouting as DayRouting
from hemopt.routing.day import ShiftParams as ShiftParams
from hemopt.routing.day import route_day as route_day
from hemopt.routing.hhc import HHCInstance as HHCInstance
from hemopt.routing.hhc import HHCResult as HHCResult
from hemopt.routing.hhc import read_hhc as read_hhc
from hemopt.routing.hhc import solve_hhc as solve_hhc
from hemopt.routing.homecare import HOMECARE_DROP_REASONS as HOMECARE_DROP_REASONS
from hemopt.routing.homecare import HomeCareProblem as HomeCareProblem
from hemopt.routing.homecare import HomeCareResult as HomeCareResult
from hemopt.routing.homecare import PlanCheck as PlanCheck
from hemopt.routing.homecare import check_plan as check_plan
from hemopt.routing.homecare import solve_homecare as solve_homecare
from hemopt.routing.instance import DISTANCE_SCALE as DISTANCE_SCALE
from hemopt.routing.instance import DROP_REASONS as DROP_REASONS
from hemopt.routing.instance import TIME_SCALE as TIME_SCALE
from hemopt.routing.instance import PrecisionWarning as PrecisionWarning
from hemopt.routing.instance import RoutingObjective as RoutingObjective
from hemopt.routing.instance import VRPTWInstance as VRPTWInstance
from hemopt.routing.plan import RoutePlan as RoutePlan
from hemopt.routing.plan import route_plan as route_plan
from hemopt.routing.solomon import read_solomon as read_solomon
from hemopt.routing.solomon import write_solomon as write_solomon
from hemopt.routing.visits import AssignedClients as AssignedClients
from hemopt.routing.visits import ClientProviders as ClientProviders
from hemopt.routing.visits import VisitParams as VisitParams
from hemopt.routing.visits import day_of_visits as day_of_visits
from hemopt.routing.visits import stops_of as stops_of
from hemopt.routing.vrptw import VRPTWResult as VRPTWResult
from hemopt.routing.vrptw import solve_vrptw as solve_vrptw
from hemopt.travel import MixedTravel as MixedTravel

__all__ = [
    "DISTANCE_SCALE",
    "DROP_REASONS",
    "HOMECARE_DROP_REASONS",
    "TIME_SCALE",
    "ApproxDayRouting",
    "ApproxModel",
    "AssignedClients",
    "CareParams",
    "ClientProviders",
    "DayRouting",
    "ExtrapolationWarning",
    "HHCInstance",
    "HHCResult",
    "HomeCareProblem",
    "HomeCareResult",
    "MixedTravel",
    "PlanCheck",
    "PrecisionWarning",
    "RoutePlan",
    "RoutingBackend",
    "RoutingObjective",
    "ShiftParams",
    "VRPTWInstance",
    "VRPTWResult",
    "VisitParams",
    "approximate_day",
    "available_backends",
    "check_plan",
    "day_of_visits",
    "read_hhc",
    "read_solomon",
    "register_backend",
    "route_day",
    "route_plan",
    "solve_hhc",
    "solve_homecare",
    "solve_vrptw",
    "stops_of",
    "write_solomon",
]
