"""Variants of a scenario for questions the three regimes do not pose by themselves.

:func:`split_service` is Vägverket/Trafikverket's (2010:29) second case: under LOV a client may
choose the service tasks (cleaning, shopping) from another provider than the one giving
personal care. hemopt gives each client one provider, so the variant splits such a client into
two at the same address: the personal-care client, with the care hours, and a service client
at the same stairwell, with the service hours, whose provider is the client's service choice.
Hours are conserved; the day of visits, the routing and every KPI then work unchanged, and the
kilometres of LOV on the split scenario against LOV on the original measure the case.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hemopt.areas import serves_matrix, zone_index
from hemopt.errors import InputError
from hemopt.scenario import Scenario
from hemopt.synth import visit_patterns, visits_per_day_from_hours

__all__ = ["split_service"]


def split_service(scenario: Scenario, *, share: float = 0.3,
                  service_hours_per_week: float = 1.5, seed: int = 0) -> Scenario:
    """The scenario with service tasks split off to another provider for ``share`` of the
    clients who have enough care (see the module docstring).

    Parameters
    ----------
    scenario
        The municipality (not changed).
    share
        Share of the eligible clients who take their service tasks from another provider
        (seeded draw). Eligible: clients with more than twice ``service_hours_per_week`` of care
        and an external provider other than their care provider that serves their area (the
        next one in their ranking, else one drawn at random).
    service_hours_per_week
        Hours a week of service tasks moved to the service provider (default 1.5: cleaning
        every week or every other week, and shopping; an assumption).
    seed
        Seed of who splits and, when the client ranked no other provider, which one.

    Returns
    -------
    Scenario
        Each split client keeps its id, stairwell and care provider with its hours less the
        service hours; a new client ``<id>-service`` at the same point and stairwell holds the
        service hours, ranks the service provider first and has it as current provider.
        ``meta["split_service"]`` records the parameters and the number of clients split.

    Examples
    --------
    >>> import hemopt
    >>> from hemopt.variants import split_service
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.2)
    >>> sp = split_service(sc, share=0.5, seed=1)
    >>> k = sp.meta["split_service"]["clients_split"]
    >>> sp.n_clients == sc.n_clients + k, k > 0
    (True, True)
    >>> round(float(sp.clients["hours_per_week"].sum()), 6) == round(
    ...     float(sc.clients["hours_per_week"].sum()), 6)
    True
    """
    if not (isinstance(share, (int, float)) and math.isfinite(share) and 0 <= share <= 1):
        raise InputError(f"share must be a share in [0, 1], got {share!r}")
    if not (isinstance(service_hours_per_week, (int, float))
            and math.isfinite(service_hours_per_week) and service_hours_per_week > 0):
        raise InputError(f"service_hours_per_week must be a number > 0, got "
                         f"{service_hours_per_week!r}")
    rng = np.random.default_rng([seed, 0x5E41])
    cl = scenario.clients.copy()
    pr = scenario.providers
    ext = [p for p, k in zip(pr["provider_id"], pr["kind"], strict=True) if k == "external"]
    hours = cl["hours_per_week"].to_numpy(dtype=float)
    draw = rng.random(len(cl))
    # which providers may serve each client: those whose declared areas cover its address
    zone_ids = list(scenario.zones["zone_id"])
    zone = zone_index(list(scenario.zones.geometry.values), scenario.client_xy())[0]
    serves = serves_matrix(list(pr["zones"]), zone_ids)[np.where(zone >= 0, zone,
                                                                  len(zone_ids))]
    pidx = {p: j for j, p in enumerate(pr["provider_id"])}
    rows, service_of = [], {}
    for i, (ranking, cur) in enumerate(zip(cl["ranking"], cl["current_provider"], strict=True)):
        care = cur or (ranking[0] if ranking else "")
        if hours[i] <= 2 * service_hours_per_week or draw[i] >= share or not care:
            continue
        other = [p for p in ranking if p != care and p in ext and serves[i, pidx[p]]]
        if not other:
            pool = [p for p in ext if p != care and serves[i, pidx[p]]]
            if not pool:
                continue
            other = [pool[int(rng.integers(len(pool)))]]
        service_of[i] = other[0]
        rows.append(i)
    if not rows:
        meta = {**scenario.meta, "split_service": {"share": share, "clients_split": 0,
                                                   "service_hours_per_week":
                                                   service_hours_per_week, "seed": seed}}
        return scenario.replace(meta=meta)
    idx = np.asarray(rows)
    service = cl.iloc[idx].copy()
    service["client_id"] = [f"{c}-service" for c in service["client_id"]]
    service["hours_per_week"] = service_hours_per_week
    service["visits_per_day"] = visits_per_day_from_hours(
        np.full(len(service), service_hours_per_week))
    service["ranking"] = [(service_of[i],) for i in rows]
    service["current_provider"] = [service_of[i] for i in rows]
    care_h = hours.copy()
    care_h[idx] -= service_hours_per_week
    cl["hours_per_week"] = care_h
    frac = np.where(hours > 0, care_h / np.maximum(hours, 1e-12), 1.0)
    cl["visits_per_day"] = np.maximum(
        np.round(cl["visits_per_day"].to_numpy(dtype=float) * np.where(
            np.isin(np.arange(len(cl)), idx), np.maximum(frac, 0.5), 1.0), 2), 0.01)
    if "pattern_days" in cl.columns:
        _split_patterns(cl, service, idx, seed)
    out = pd.concat([cl, service], ignore_index=True)
    meta = {**scenario.meta, "split_service": {"share": share, "clients_split": len(rows),
                                               "service_hours_per_week": service_hours_per_week,
                                               "seed": seed}}
    return scenario.replace(clients=out, meta=meta)


def _split_patterns(care: pd.DataFrame, service: pd.DataFrame, idx: np.ndarray,
                    seed: int) -> None:
    """Weekly visit patterns after a split (in place): the service clients get patterns of
    their own (:func:`hemopt.synth.visit_patterns`: light clients' weekdays), and the care
    clients' weekly cleaning goes with the service (its minutes stay in their routine)."""
    days, tasks = visit_patterns(service["hours_per_week"].to_numpy(),
                                 service["visits_per_day"].to_numpy(), seed)
    service["pattern_days"], service["pattern_tasks"] = days, tasks
    col = care.columns.get_loc("pattern_tasks")
    care.iloc[idx, col] = [";".join(t for t in str(v or "").split(";")
                                    if t and not t.startswith("cleaning@"))
                           for v in care["pattern_tasks"].iloc[idx]]
