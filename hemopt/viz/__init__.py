"""Every figure, map, table and report of hemopt: the viz layer.

The results (:class:`~hemopt.scenario.Scenario`, :class:`~hemopt.assignment.Assignment`,
:class:`~hemopt.compare.Comparison`, :class:`~hemopt.ranges.SeedComparison`,
:class:`~hemopt.simulate.SimulationResult`, a sweep's table, a
:class:`~hemopt.sensitivity.SensitivityResult`) hold data only; the functions here draw and
write them, as PyVRP's ``plotting`` package does: ``plot_x(result, ax=None)`` returns the
matplotlib Axes or Figure, ``write_x(result, path)`` returns the path written. Every public
name is also exported from :mod:`hemopt`.

=========================  ==================================================================
function                   draws or writes
=========================  ==================================================================
plot_scenario              the municipality: boundary, areas, buildings, clients, offices
plot_assignment            clients coloured by assigned provider, queueing clients circled
plot_comparison            bar charts of the main KPIs per regime (error bars over seeds)
plot_choice_cost           first choice met against cost per year
plot_maps                  one map per regime, the town centre enlarged
plot_waterfall             the change against LOV split into its causes (Shapley steps)
plot_simulation            a simulation's queue, choice, external share and providers
plot_sweep                 a sweep's KPI curves with confidence bands
plot_tornado               a sensitivity analysis' indices of one difference
plot_atlas                 the atlas municipalities coloured by zoning's change against LOV
explore_assignment         an interactive (folium) map of an assignment
explore_comparison         an interactive map of every regime, as layers
write_report               the self-contained HTML report (from templates)
write_atlas_report         the atlas's report page
write_excel                the tables in one formatted Excel workbook
write_gpkg                 every regime's assignment as layers of one GeoPackage
write_interactive_map      the interactive map as an HTML page beside the report
reading                    the plain-language reading, a few sentences per regime
formatted_table            the KPIs as people read them (words, units, rounding)
=========================  ==================================================================

In a notebook, importing hemopt registers HTML summaries of a scenario, an assignment, a
comparison and a seed comparison with IPython's display formatter
(:func:`hemopt.viz.notebook.register_notebook_display`).

Examples
--------
>>> import hemopt
>>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
>>> ax = hemopt.viz.plot_scenario(sc)
>>> ax.get_title().startswith("strangnas")
True
"""

from __future__ import annotations

from hemopt.viz.atlas import plot_atlas as plot_atlas
from hemopt.viz.atlas import write_atlas_report as write_atlas_report
from hemopt.viz.compare import plot_choice_cost as plot_choice_cost
from hemopt.viz.compare import plot_comparison as plot_comparison
from hemopt.viz.compare import plot_maps as plot_maps
from hemopt.viz.compare import plot_regime_map as plot_regime_map
from hemopt.viz.compare import plot_waterfall as plot_waterfall
from hemopt.viz.excel import write_excel as write_excel
from hemopt.viz.excel import write_gpkg as write_gpkg
from hemopt.viz.format import formatted_table as formatted_table
from hemopt.viz.maps import explore_assignment as explore_assignment
from hemopt.viz.maps import explore_comparison as explore_comparison
from hemopt.viz.maps import plot_assignment as plot_assignment
from hemopt.viz.maps import plot_continuity_tradeoff as plot_continuity_tradeoff
from hemopt.viz.maps import plot_scenario as plot_scenario
from hemopt.viz.maps import write_interactive_map as write_interactive_map
from hemopt.viz.notebook import register_notebook_display as register_notebook_display
from hemopt.viz.reading import reading as reading
from hemopt.viz.report import write_report as write_report
from hemopt.viz.sensitivity import plot_sensitivity as plot_sensitivity
from hemopt.viz.sensitivity import plot_tornado as plot_tornado
from hemopt.viz.sensitivity import write_sensitivity_html as write_sensitivity_html
from hemopt.viz.simulate import plot_simulation as plot_simulation
from hemopt.viz.sweep import plot_sweep as plot_sweep

__all__ = [
    "explore_assignment",
    "explore_comparison",
    "formatted_table",
    "plot_assignment",
    "plot_atlas",
    "plot_choice_cost",
    "plot_comparison",
    "plot_continuity_tradeoff",
    "plot_maps",
    "plot_regime_map",
    "plot_scenario",
    "plot_sensitivity",
    "plot_simulation",
    "plot_sweep",
    "plot_tornado",
    "plot_waterfall",
    "reading",
    "register_notebook_display",
    "write_atlas_report",
    "write_excel",
    "write_gpkg",
    "write_interactive_map",
    "write_report",
    "write_sensitivity_html",
]

register_notebook_display()
