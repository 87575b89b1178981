"""Where a saving comes from: a chain of counterfactual assignments from LOV to another regime.

Each step changes one thing in who serves whom and is routed on the same day of visits with
the same settings, so the steps' differences add up exactly to the total difference (they
telescope: the last step is the target regime's own assignment).

From LOV to zoning:

1. ``stairwell``: one provider per stairwell, nothing else changed (the stairwell's clients go
   to the provider that serves most of them; ties to the one serving the most hours). This is
   the Strängnäs argument, "several providers in the same stairwell the same day".
2. ``building``: one provider per building, the same way.
3. ``consolidation``: one provider per area (the target's areas), the one already serving the
   most care hours there; fewer providers per area.
4. ``procurement``: each area goes to the provider the target regime gives it (the winners of
   the procurement, the municipality elsewhere): the rest of the difference.

From LOV to LOU:

1. ``contracts``: a client whose provider is not contracted in its area moves to the provider
   it gets under LOU.
2. ``share and queue``: the rest (the share's cap and guarantee, the queue).

Bases are not a step: one rule (:class:`hemopt.bases.BaseRule`) gives every assignment its
bases, so each step's kilometres include the bases its assignment implies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hemopt.assignment import Assignment, assignment_from_providers
from hemopt.errors import InputError
from hemopt.regimes import Market

__all__ = ["Step", "counterfactual_chain", "decompose_steps"]


@dataclass(frozen=True)
class Step:
    """One counterfactual assignment of a chain: ``name``, what it changes (``about``) and
    the provider id of each client."""

    name: str
    about: str
    providers: np.ndarray


def _one_per_group(prov: np.ndarray, hours: np.ndarray, groups: np.ndarray, *,
                   by: str = "clients") -> np.ndarray:
    """Each group's clients go to one provider: the one serving most of its clients (ties:
    most hours) with ``by="clients"``, the one serving most hours with ``by="hours"``; then
    the provider listed first."""
    out = prov.copy()
    df = pd.DataFrame({"g": groups, "p": prov, "h": hours})
    df = df[df["p"] != ""]
    stats = df.groupby(["g", "p"], sort=True).agg(n=("h", "size"), h=("h", "sum")).reset_index()
    keys = ["n", "h"] if by == "clients" else ["h"]
    stats = stats.sort_values(["g", *keys, "p"], ascending=[True] + [False] * len(keys) + [True])
    best = stats.drop_duplicates("g").set_index("g")["p"]
    served = prov != ""
    out[served] = pd.Series(groups[served]).map(best).to_numpy(dtype=object)
    return out


def counterfactual_chain(lov: Assignment, target: Assignment) -> list[Step]:
    """The steps from ``lov`` to ``target`` (see the module docstring); the last step is
    ``target``'s own assignment.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.2)
    >>> lov, zon = hemopt.assign(sc, hemopt.LOV()), hemopt.assign(sc, hemopt.Zoning())
    >>> steps = counterfactual_chain(lov, zon)
    >>> [s.name for s in steps]
    ['stairwell', 'building', 'consolidation', 'procurement']
    >>> bool((steps[-1].providers == zon.client_providers()).all())
    True
    """
    if lov.scenario is not target.scenario and lov.scenario != target.scenario:
        raise InputError("counterfactual_chain: both assignments must be of the same scenario")
    sc = lov.scenario
    prov = lov.client_providers()
    hours = sc.clients["hours_per_week"].to_numpy(dtype=float)
    final = target.client_providers()
    if target.problem.provider_of_zone is not None:
        stair = _one_per_group(prov, hours, sc.clients["stairwell_id"].to_numpy(dtype=object))
        build = _one_per_group(stair, hours, sc.clients["building_id"].to_numpy(dtype=object))
        zone = target.clients["zone_id"].to_numpy(dtype=object)
        area = _one_per_group(build, hours, zone, by="hours")
        return [
            Step("stairwell", "one provider per stairwell, nothing else changed", stair),
            Step("building", "one provider per building", build),
            Step("consolidation", "one provider per area: the one already serving the most "
                 "hours there", area),
            Step("procurement", "each area to the provider the regime gives it (procurement "
                 "winners, the municipality elsewhere)", final),
        ]
    # a regime with choice (LOU): contracts first, then the rest
    lay = target.problem.layout
    market = Market.of(sc)
    market_serves = lay.serves(market)
    rows = np.where(target.problem.zone >= 0, target.problem.zone, len(lay.zone_ids))
    idx = {p: j for j, p in enumerate(sc.provider_ids)}
    j = np.array([idx.get(p, -1) for p in prov])
    ok = (j < 0) | (j == lay.default) | (
        market_serves[rows, np.maximum(j, 0)] & (market.kinds[np.maximum(j, 0)] == "external"))
    contracts = np.where(ok, prov, final)
    return [
        Step("contracts", "clients of providers not contracted in their area move",
             contracts),
        Step("share and queue", "the share's cap and guarantee, and the queue", final),
    ]


def decompose_steps(lov: Assignment, target: Assignment, evaluate_fn: Any,
                    kpis: Sequence[str] = ("driven_km_per_day", "cost_sek_per_year")
                    ) -> pd.DataFrame:
    """Route each step with ``evaluate_fn(assignment) -> dict of KPIs`` and return one row per
    step: ``step``, ``about`` and, per KPI, the step's value and its change from the previous
    step (``<kpi>_change``). The changes add up to ``target`` minus ``lov``."""
    base = evaluate_fn(lov)
    prev = {k: float(base[k]) for k in kpis}
    rows = []
    steps = counterfactual_chain(lov, target)
    for k, step in enumerate(steps):
        if k == len(steps) - 1:
            a = target
        else:
            a = assignment_from_providers(lov.scenario, step.providers, regime=step.name,
                                          zones=target.zones, base_rule=lov.base_rule)
        vals = evaluate_fn(a)
        row: dict[str, Any] = {"step": step.name, "about": step.about}
        for kpi in kpis:
            v = float(vals[kpi])
            row[kpi] = v
            row[f"{kpi}_change"] = v - prev[kpi]
            prev[kpi] = v
        rows.append(row)
    return pd.DataFrame(rows)
