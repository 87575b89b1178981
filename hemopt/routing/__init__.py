"""Routing: the VRPTW of a provider's day and its solver backends.

Public names::

    VRPTWInstance, VRPTWResult, solve_vrptw    the problem, its answer, the solver
    read_solomon, write_solomon                Solomon's benchmark format
    RoutingBackend, register_backend,          the backend registry ("pyvrp", "ortools")
    available_backends
    PrecisionWarning                           integer scaling loses precision
    DISTANCE_SCALE, TIME_SCALE                 the integer scaling used for the solvers
"""

from hemopt.routing.solomon import read_solomon as read_solomon
from hemopt.routing.solomon import write_solomon as write_solomon
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
    "PrecisionWarning",
    "RoutingBackend",
    "VRPTWInstance",
    "VRPTWResult",
    "available_backends",
    "read_solomon",
    "register_backend",
    "solve_vrptw",
    "write_solomon",
]
