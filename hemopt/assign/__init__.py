"""Provider assignment: min-cost flow and exact integer models on plain numpy arrays.

The public entry point is :func:`min_cost_assignment`; see ``docs/assignment.md``.
"""

from hemopt.assign._scaling import ScalingWarning as ScalingWarning
from hemopt.assign.backends import BACKENDS as BACKENDS
from hemopt.assign.backends import AssignmentBackend as AssignmentBackend
from hemopt.assign.backends import CpSatBackend as CpSatBackend
from hemopt.assign.backends import NetworkxFlowBackend as NetworkxFlowBackend
from hemopt.assign.backends import OrToolsFlowBackend as OrToolsFlowBackend
from hemopt.assign.flow import AssignmentResult as AssignmentResult
from hemopt.assign.flow import min_cost_assignment as min_cost_assignment

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
