"""Routing engine: the VRPTW of a provider's day, its solver backends, and the home-care solver.

The engine layer takes instances (numpy arrays: coordinates or matrices, time windows,
service times, staff) and gives results; it never reads a scenario. The day's visits, the
care rules, the territories, the approximation and the tables of ``route_plan`` are the day
domain, one layer up, in :mod:`hemopt.day`.

Public names::

    VRPTWInstance, VRPTWResult, solve_vrptw    the problem, its answer, the solver
    RoutingObjective                           what routes cost (staff time, km, shifts)
    read_solomon, write_solomon                Solomon's benchmark format
    RoutingBackend, register_backend,          the backend registry ("pyvrp", "ortools",
    available_backends                         "greedy")
    PrecisionWarning                           integer scaling loses precision
    DISTANCE_SCALE, TIME_SCALE                 the integer scaling used for the solvers
    DROP_REASONS                               why a visit can be dropped (both solvers)
    HomeCareProblem, solve_homecare,           home care with double-staffed visits, skills,
    HomeCareResult, check_plan, PlanCheck,     breaks, staff's own modes and places; the
    HOMECARE_DROP_REASONS                      independent plan checker
    read_hhc, solve_hhc, HHCInstance,          the Mankowska et al. (2014) benchmark (UHHC
    HHCResult                                  JSON format)

The routing layer imports only the core (:mod:`hemopt.travel`, :mod:`hemopt.errors`,
:mod:`hemopt._workers`, :mod:`hemopt._progress`).
"""

from hemopt.routing.backends import RoutingBackend as RoutingBackend
from hemopt.routing.backends import available_backends as available_backends
from hemopt.routing.backends import register_backend as register_backend
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
from hemopt.routing.solomon import read_solomon as read_solomon
from hemopt.routing.solomon import write_solomon as write_solomon
from hemopt.routing.vrptw import VRPTWResult as VRPTWResult
from hemopt.routing.vrptw import solve_vrptw as solve_vrptw
from hemopt.travel import MixedTravel as MixedTravel

__all__ = [
    "DISTANCE_SCALE",
    "DROP_REASONS",
    "HOMECARE_DROP_REASONS",
    "TIME_SCALE",
    "HHCInstance",
    "HHCResult",
    "HomeCareProblem",
    "HomeCareResult",
    "MixedTravel",
    "PlanCheck",
    "PrecisionWarning",
    "RoutingBackend",
    "RoutingObjective",
    "VRPTWInstance",
    "VRPTWResult",
    "available_backends",
    "check_plan",
    "read_hhc",
    "read_solomon",
    "register_backend",
    "solve_hhc",
    "solve_homecare",
    "solve_vrptw",
    "write_solomon",
]
