"""hemopt: put numbers on how a Swedish municipality organises home care (hemtjänst).

The public API is re-exported here; everything else is internal.
"""

from __future__ import annotations

from hemopt.choice import ChoiceModel as ChoiceModel
from hemopt.errors import HemoptError as HemoptError
from hemopt.errors import InfeasibleError as InfeasibleError
from hemopt.errors import InputError as InputError
from hemopt.errors import ScenarioError as ScenarioError
from hemopt.errors import SolverError as SolverError
from hemopt.scenario import Scenario as Scenario
from hemopt.synth import PRESETS as PRESETS
from hemopt.synth import generate as generate

__version__ = "0.1.0"


def show_versions() -> None:
    """Print the versions of hemopt, Python and the dependencies (for bug reports)."""
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
