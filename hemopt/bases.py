"""Where providers' staff start their shifts: one rule, applied identically under every regime.

A regime decides *who* serves whom; where a provider's shifts start follows from that
assignment and from the resources the scenario gives each provider, never from the regime's
label. :class:`BaseRule` is that rule (``docs/compare.md``, "Same resources, same rules"):

* every provider starts from its office and the bases the scenario lists for it;
* with ``local_bases`` (default), a provider with at least ``min_hours_per_week`` of care in
  one of the scenario's areas, and no office or base inside that area, opens a local base at
  the home of its client nearest the hours-weighted centre of its clients there.

The areas are the scenario's (its ``zones`` table), the same for every regime, so two regimes
that give the same assignment get the same bases and the same kilometres (tested in
``tests/test_fairness.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from hemopt.errors import InputError, check_fields
from hemopt.scenario import Scenario

__all__ = ["BaseRule"]


@dataclass(frozen=True)
class BaseRule:
    """Where each provider's shifts may start (see the module docstring).

    Parameters
    ----------
    local_bases
        Open local bases where a provider has enough care in an area (default True). False:
        offices and the scenario's bases only.
    min_hours_per_week
        Care hours a week a provider needs in an area to open a base there (default 160:
        about four full-time staff's worth of care, the size of a small home-care team with
        its own premises; an assumption, see ``docs/compare.md``).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> a = hemopt.assign(sc, hemopt.LOV())
    >>> offices_only = hemopt.BaseRule(local_bases=False).bases(sc, a.client_providers())
    >>> {p: len(b) for p, b in offices_only.items()} == {p: len(b) for p, b in
    ...                                                    sc.bases_xy().items()}
    True
    """

    local_bases: bool = True
    min_hours_per_week: float = 160.0

    def __post_init__(self) -> None:
        check_fields(self, {"min_hours_per_week": ">=0"})

    def bases(self, scenario: Scenario, providers: ArrayLike) -> dict[str, NDArray[np.float64]]:
        """Starting points per provider, ``{provider_id: (k, 2) array}``, office first.

        ``providers`` is the provider id of each client (``""`` for unserved).
        """
        out = scenario.bases_xy()
        prov = np.asarray(providers, dtype=object)
        if len(prov) != scenario.n_clients:
            raise InputError(f"providers: {len(prov)} values for {scenario.n_clients} clients")
        if not self.local_bases or not len(scenario.zones):
            return out
        from hemopt.areas import zone_index

        zones = scenario.zones
        xy = scenario.client_xy()
        zone, _ = zone_index(list(zones.geometry.values), xy)
        hours = scenario.clients["hours_per_week"].to_numpy(dtype=float)
        for pid in scenario.provider_ids:
            mine = prov == pid
            for k, g in enumerate(zones.geometry.values):
                here = mine & (zone == k)
                if hours[here].sum() < self.min_hours_per_week or not here.any():
                    continue
                starts = out[pid]
                if shapely.intersects_xy(g, starts[:, 0], starts[:, 1]).any():
                    continue
                w = np.maximum(hours[here], 1e-9)
                centre = np.average(xy[here], axis=0, weights=w)
                near = xy[here][np.argmin(((xy[here] - centre) ** 2).sum(axis=1))]
                out[pid] = np.vstack([starts, near[None, :]])
        return out
