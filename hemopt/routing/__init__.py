"""Routing: the day's visits, the VRPTW of a provider's day and its solver backends.

Public names::

    VRPTWInstance, VRPTWResult, solve_vrptw    the problem, its answer, the solver
    read_solomon, write_solomon                Solomon's benchmark format
    RoutingBackend, register_backend,          the backend registry ("pyvrp", "ortools",
    available_backends                         "greedy")
    PrecisionWarning                           integer scaling loses precision
    DISTANCE_SCALE, TIME_SCALE                 the integer scaling used for the solvers
    VisitParams, day_of_visits, stops_of       the day's visits and their stops
    ShiftParams, MixedTravel, DayRouting,      a municipality's day routed per provider
    route_day                                  (and base)
    approximate_day, ApproxModel,              the calibrated continuous approximation
    ExtrapolationWarning, fit_approx           (docs/approximation.md)
"""

from hemopt.routing.approx import ApproxDayRouting as ApproxDayRouting
from hemopt.routing.approx import ApproxModel as ApproxModel
from hemopt.routing.approx import ExtrapolationWarning as ExtrapolationWarning
from hemopt.routing.approx import approximate_day as approximate_day
from hemopt.routing.approx import fit_approx as fit_approx
from hemopt.routing.day import DayRouting as DayRouting
from hemopt.routing.day import MixedTravel as MixedTravel
from hemopt.routing.day import ShiftParams as ShiftParams
from hemopt.routing.day import route_day as route_day
from hemopt.routing.solomon import read_solomon as read_solomon
from hemopt.routing.solomon import write_solomon as write_solomon
from hemopt.routing.visits import VisitParams as VisitParams
from hemopt.routing.visits import day_of_visits as day_of_visits
from hemopt.routing.visits import stops_of as stops_of
from hemopt.routing.vrptw import DISTANCE_SCALE as DISTANCE_SCALE
from hemopt.routing.vrptw import TIME_SCALE as TIME_SCALE
from hemopt.routing.vrptw import PrecisionWarning as PrecisionWarning
from hemopt.routing.vrptw import RoutingBackend as RoutingBackend
from hemopt.routing.vrptw import VRPTWInstance as VRPTWInstance
from hemopt.routing.vrptw import VRPTWResult as VRPTWResult
from hemopt.routing.vrptw import available_backends as available_backends
from hemopt.routing.vrptw import register_backend as register_backend
from hemopt.routing.vrptw import solve_vrptw as solve_vrptw

__all__ = [
    "DISTANCE_SCALE",
    "TIME_SCALE",
    "ApproxDayRouting",
    "ApproxModel",
    "DayRouting",
    "ExtrapolationWarning",
    "MixedTravel",
    "PrecisionWarning",
    "RoutingBackend",
    "ShiftParams",
    "VRPTWInstance",
    "VRPTWResult",
    "VisitParams",
    "approximate_day",
    "available_backends",
    "day_of_visits",
    "fit_approx",
    "read_solomon",
    "register_backend",
    "route_day",
    "solve_vrptw",
    "stops_of",
    "write_solomon",
]
