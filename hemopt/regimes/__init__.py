"""The ways of buying home care, as policy objects that own their rules.

A :class:`Regime` answers every regime-specific question, for the static assignment
(:func:`hemopt.assignment.assign`) and for the monthly simulation (:func:`hemopt.simulate`)
alike; nothing outside this module tests which regime it has:

* :meth:`Regime.layout`: what the regime decides once for a scenario (its areas, the default
  provider, under zoning the procured areas and their winners);
* :meth:`Regime.choosable`: which providers each client may have;
* :meth:`Regime.caps`: how much each provider may take (capacities, LOU's share), and what
  the external providers are guaranteed;
* :meth:`Regime.problem`: the assignment problem it poses (allowed pairs, costs, capacities),
  solved as a min-cost flow, or, for a first-come-first-served queue, the allocation in order
  of request.

Costs follow ``docs/assignment.md``::

    cost(i, j) = w_choice * rank_i(j) + w_switch * [j != current_i] + w_travel * d(i, j) / 1000

where ``rank_i(j)`` is 0 for the first choice, 1 for the second, ..., and ``len(ranking)`` for
a provider the client did not rank; ``d`` is the distance in metres from the client's home to
the provider's office.

Where providers' staff start their shifts (offices and local bases) is *not* a regime's
business: :class:`hemopt.bases.BaseRule` decides it from the assignment alone, identically
under every regime (``docs/compare.md``, "Same resources, same rules").

The regimes are registered once (:mod:`hemopt.regimes.registry`): a regime class carries its
name, command-line options (:class:`RegimeParam`), colour, default instance and baseline role,
and ``default_regimes``, the CLI, the sweep and the report read them from the registry. The
package holds the common ground (``_base``), the registry, and one module per regime
(``lov``, ``lou``, ``zoning``).
"""

from hemopt.regimes._base import (
    GUARANTEE_RULES,
    Caps,
    CostWeights,
    Layout,
    Market,
    Regime,
    RegimeParam,
    RegimeProblem,
    guarantee_pick,
    has_room,
    zone_of_clients,
)
from hemopt.regimes.lou import LOU
from hemopt.regimes.lov import LOV
from hemopt.regimes.registry import (
    as_regime,
    baseline_name,
    regime_class,
    regime_colour,
    regime_colours,
    regime_from_name,
    register_regime,
    registered_regimes,
    unregister_regime,
)
from hemopt.regimes.zoning import Zoning

# the built-in regimes, registered in this order: default_regimes runs them in it
for _cls in (LOV, LOU, Zoning):
    register_regime(_cls)
del _cls

__all__ = [
    "GUARANTEE_RULES",
    "LOU",
    "LOV",
    "Caps",
    "CostWeights",
    "Layout",
    "Market",
    "Regime",
    "RegimeParam",
    "RegimeProblem",
    "Zoning",
    "as_regime",
    "baseline_name",
    "guarantee_pick",
    "has_room",
    "regime_class",
    "regime_colour",
    "regime_colours",
    "regime_from_name",
    "register_regime",
    "registered_regimes",
    "unregister_regime",
    "zone_of_clients",
]
