"""hemopt: put numbers on how a Swedish municipality organises home care (hemtjänst).

The public API is re-exported here; everything else is internal.

Examples
--------
>>> import hemopt
>>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
>>> a = hemopt.assign(sc, hemopt.Zoning(procured_share=0.5))
>>> a.summary()["unserved"]
0
"""

from __future__ import annotations

# the viz layer: every figure, map and report (the results hold data only)
from hemopt import viz as viz
from hemopt.assignment import Assignment as Assignment
from hemopt.assignment import assign as assign
from hemopt.assignment import assignment_from_providers as assignment_from_providers
from hemopt.atlas import atlas as atlas
from hemopt.bases import BaseRule as BaseRule
from hemopt.choice import ChoiceModel as ChoiceModel
from hemopt.choice import rank_scenario as rank_scenario
from hemopt.compare import Comparison as Comparison
from hemopt.compare import compare as compare
from hemopt.compare import default_regimes as default_regimes
from hemopt.compare import transition as transition
from hemopt.costs import CostParams as CostParams
from hemopt.day import AssignedClients as AssignedClients
from hemopt.day import ClientProviders as ClientProviders
from hemopt.day import DayRouting as DayRouting
from hemopt.day import ShiftParams as ShiftParams
from hemopt.day import VisitParams as VisitParams
from hemopt.day import approximate_day as approximate_day
from hemopt.day import route_day as route_day
from hemopt.day.settings import RoutingSettings as RoutingSettings
from hemopt.errors import HemoptError as HemoptError
from hemopt.errors import InfeasibleError as InfeasibleError
from hemopt.errors import InputError as InputError
from hemopt.errors import MissingColumnWarning as MissingColumnWarning
from hemopt.errors import OutputError as OutputError
from hemopt.errors import ScenarioError as ScenarioError
from hemopt.errors import SolverError as SolverError
from hemopt.evaluate import KPI_COLUMNS as KPI_COLUMNS
from hemopt.evaluate import Evaluation as Evaluation
from hemopt.evaluate import evaluate as evaluate
from hemopt.flow import AssignmentResult as AssignmentResult
from hemopt.flow import min_cost_assignment as min_cost_assignment
from hemopt.kpis import KPI as KPI
from hemopt.kpis import register_kpi as register_kpi
from hemopt.kpis import unregister_kpi as unregister_kpi
from hemopt.ranges import SeedComparison as SeedComparison
from hemopt.ranges import compare_seeds as compare_seeds
from hemopt.regimes import LOU as LOU
from hemopt.regimes import LOV as LOV
from hemopt.regimes import CostWeights as CostWeights
from hemopt.regimes import Regime as Regime
from hemopt.regimes import RegimeProblem as RegimeProblem
from hemopt.regimes import Zoning as Zoning
from hemopt.regimes import regime_from_name as regime_from_name
from hemopt.routing import VRPTWInstance as VRPTWInstance
from hemopt.routing import VRPTWResult as VRPTWResult
from hemopt.routing import read_solomon as read_solomon
from hemopt.routing import solve_vrptw as solve_vrptw
from hemopt.scenario import Scenario as Scenario
from hemopt.sensitivity import SensitivityResult as SensitivityResult
from hemopt.sensitivity import sensitivity as sensitivity
from hemopt.settings import StudySettings as StudySettings
from hemopt.simulate import FollowUp as FollowUp
from hemopt.simulate import ProviderEntry as ProviderEntry
from hemopt.simulate import ProviderExit as ProviderExit
from hemopt.simulate import SimParams as SimParams
from hemopt.simulate import SimulationResult as SimulationResult
from hemopt.simulate import lou_schedule as lou_schedule
from hemopt.simulate import simulate as simulate
from hemopt.sweep import sweep as sweep
from hemopt.synth import PRESETS as PRESETS
from hemopt.synth import generate as generate
from hemopt.travel import MixedTravel as MixedTravel
from hemopt.travel import RoadGraphTravel as RoadGraphTravel
from hemopt.travel import TravelModel as TravelModel
from hemopt.travel import TravelModes as TravelModes
from hemopt.viz import explore_assignment as explore_assignment
from hemopt.viz import explore_comparison as explore_comparison
from hemopt.viz import formatted_table as formatted_table
from hemopt.viz import plot_assignment as plot_assignment
from hemopt.viz import plot_atlas as plot_atlas
from hemopt.viz import plot_choice_cost as plot_choice_cost
from hemopt.viz import plot_comparison as plot_comparison
from hemopt.viz import plot_maps as plot_maps
from hemopt.viz import plot_scenario as plot_scenario
from hemopt.viz import plot_simulation as plot_simulation
from hemopt.viz import plot_sweep as plot_sweep
from hemopt.viz import plot_tornado as plot_tornado
from hemopt.viz import plot_waterfall as plot_waterfall
from hemopt.viz import reading as reading
from hemopt.viz import write_atlas_report as write_atlas_report
from hemopt.viz import write_excel as write_excel
from hemopt.viz import write_gpkg as write_gpkg
from hemopt.viz import write_interactive_map as write_interactive_map
from hemopt.viz import write_report as write_report
from hemopt.zones import design_zones as design_zones

__version__ = "0.1.0"

__all__ = [
    "KPI",
    "KPI_COLUMNS",
    "LOU",
    "LOV",
    "PRESETS",
    "AssignedClients",
    "Assignment",
    "AssignmentResult",
    "BaseRule",
    "ChoiceModel",
    "ClientProviders",
    "Comparison",
    "CostParams",
    "CostWeights",
    "DayRouting",
    "Evaluation",
    "FollowUp",
    "HemoptError",
    "InfeasibleError",
    "InputError",
    "MissingColumnWarning",
    "MixedTravel",
    "OutputError",
    "ProviderEntry",
    "ProviderExit",
    "Regime",
    "RegimeProblem",
    "RoadGraphTravel",
    "RoutingSettings",
    "Scenario",
    "ScenarioError",
    "SeedComparison",
    "SensitivityResult",
    "ShiftParams",
    "SimParams",
    "SimulationResult",
    "SolverError",
    "StudySettings",
    "TravelModel",
    "TravelModes",
    "VRPTWInstance",
    "VRPTWResult",
    "VisitParams",
    "Zoning",
    "__version__",
    "approximate_day",
    "assign",
    "assignment_from_providers",
    "atlas",
    "compare",
    "compare_seeds",
    "default_regimes",
    "design_zones",
    "evaluate",
    "explore_assignment",
    "explore_comparison",
    "formatted_table",
    "generate",
    "lou_schedule",
    "min_cost_assignment",
    "plot_assignment",
    "plot_atlas",
    "plot_choice_cost",
    "plot_comparison",
    "plot_maps",
    "plot_scenario",
    "plot_simulation",
    "plot_sweep",
    "plot_tornado",
    "plot_waterfall",
    "rank_scenario",
    "read_solomon",
    "reading",
    "regime_from_name",
    "register_kpi",
    "route_day",
    "sensitivity",
    "show_versions",
    "simulate",
    "solve_vrptw",
    "sweep",
    "transition",
    "unregister_kpi",
    "write_atlas_report",
    "write_excel",
    "write_gpkg",
    "write_interactive_map",
    "write_report",
]


def show_versions() -> None:
    """Print the versions of hemopt, Python and the dependencies (for bug reports).

    The command line does the same: ``hemopt versions``.

    Examples
    --------
    >>> import hemopt
    >>> hemopt.show_versions()  # doctest: +ELLIPSIS
    hemopt ...
    python ...
    """
    import importlib.metadata as md
    import platform

    print(f"hemopt     {__version__}")
    print(f"python     {platform.python_version()} ({platform.platform()})")
    for dist in ("numpy", "scipy", "pandas", "networkx", "shapely", "geopandas", "pyogrio",
                 "matplotlib", "ortools", "pyvrp"):
        try:
            v = md.version(dist)
        except md.PackageNotFoundError:
            v = "not installed"
        print(f"{dist:<10} {v}")
