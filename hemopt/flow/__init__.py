"""Provider assignment: min-cost flow and exact integer models on plain numpy arrays.

The public entry point is :func:`min_cost_assignment`; see ``docs/assignment.md``.
"""

from hemopt.flow._scaling import ScalingWarning as ScalingWarning
from hemopt.flow.backends import BACKENDS as BACKENDS
from hemopt.flow.backends import AssignmentBackend as AssignmentBackend
from hemopt.flow.backends import CpSatBackend as CpSatBackend
from hemopt.flow.backends import NetworkxFlowBackend as NetworkxFlowBackend
from hemopt.flow.backends import OrToolsFlowBackend as OrToolsFlowBackend
from hemopt.flow.solve import AssignmentResult as AssignmentResult
from hemopt.flow.solve import min_cost_assignment as min_cost_assignment

__all__ = [
    "BACKENDS",
    "AssignmentBackend",
    "AssignmentResult",
    "CpSatBackend",
    "NetworkxFlowBackend",
    "OrToolsFlowBackend",
    "ScalingWarning",
    "min_cost_assignment",
]
