"""Where a saving comes from: the difference between LOV and another regime split over the
steps that lead from one to the other, as Shapley values (independent of the steps' order).

A step is a change of who serves whom, written as an operator on the clients' providers
(:class:`Move`). From LOV to zoning:

1. ``stairwell``: one provider per stairwell, nothing else changed (the stairwell's clients go
   to the provider that serves most of them; ties to the one serving the most hours). This is
   the Strängnäs argument, "several providers in the same stairwell the same day".
2. ``building``: one provider per building, the same way.
3. ``consolidation``: one provider per area (the target's areas), the one serving the most
   care hours there.
4. ``procurement``: who that provider is: in each area the clients of its largest provider go
   to the provider the target regime gives them (the procurement winners, the municipality
   elsewhere).

From LOV to LOU:

1. ``contracts``: clients whose provider is not contracted in their area move to the provider
   they get under LOU.
2. ``share and queue``: the other clients who change provider (the share's cap and
   guarantee, the queue).

For a set ``S`` of steps, ``v(S)`` is the KPI of the assignment made by applying the steps of
``S`` to LOV's providers, always in the order above (finest grouping first), whatever order
they are listed in; ``v(all steps)`` is the target regime's own assignment. Each step's share
is its **Shapley value**, the mean over every order of the steps of its marginal change:
the shares add up exactly to the target minus LOV, and they do not depend on the order the
steps are listed in (tested). With ``n`` steps this takes at most ``2**n`` routed assignments
(16 for zoning, 4 for LOU; identical assignments are routed once).
:func:`counterfactual_chain` keeps the older chain, whose steps depend on their order.

Bases are not a step: one rule (:class:`hemopt.bases.BaseRule`) gives every assignment its
bases, so each step's kilometres include the bases its assignment implies.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from hemopt.assignment import Assignment, assignment_from_providers
from hemopt.errors import InputError
from hemopt.regimes import Market

__all__ = ["Move", "Step", "counterfactual_chain", "decompose_steps", "shapley_values",
           "steps_of"]


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


@dataclass(frozen=True)
class Move:
    """One step as an operator on the clients' providers.

    Attributes
    ----------
    name, about
        The step's name, and what it does in this scenario, in words.
    rank
        Steps of a set are applied in increasing ``rank`` (finest grouping first), whatever
        order they are listed in.
    apply
        ``apply(providers) -> providers``: a provider id per client (``""``: unserved).
    """

    name: str
    about: str
    rank: int
    apply: Callable[[np.ndarray], np.ndarray]


def _dominant(prov: np.ndarray, hours: np.ndarray, groups: np.ndarray) -> dict[Any, str]:
    """Per group, the provider serving the most hours (ties: the id first in order)."""
    df = pd.DataFrame({"g": groups, "p": prov, "h": hours})
    df = df[df["p"] != ""]
    if df.empty:
        return {}
    st = df.groupby(["g", "p"], sort=True)["h"].sum().reset_index()
    st = st.sort_values(["g", "h", "p"], ascending=[True, False, True])
    return dict(st.drop_duplicates("g").set_index("g")["p"])


def _who(owner: dict[Any, str], kinds: dict[str, str]) -> str:
    """Who serves each area, in words: ``the municipality (P1) takes every area`` or
    ``area1: P3, area2: P3, area3: the municipality (P1)``."""
    if not owner:
        return "no area has clients"
    owners = set(owner.values())
    if len(owners) == 1:
        (p,) = owners
        who = f"the municipality ({p})" if kinds.get(p) == "municipal" else p
        return f"{who} takes every area"
    def area(z: Any) -> str:
        return str(z) if str(z).lower().startswith("area") else f"area {z}"

    return ", ".join(f"{area(z)}: " + (f"the municipality ({p})" if kinds.get(p) == "municipal"
                                       else p) for z, p in sorted(owner.items(), key=str))


def steps_of(lov: Assignment, target: Assignment) -> list[Move]:
    """The steps from ``lov`` to ``target`` as operators (see the module docstring), with
    labels that say what each does in this scenario.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.2)
    >>> lov, zon = hemopt.assign(sc, hemopt.LOV()), hemopt.assign(sc, hemopt.Zoning())
    >>> [m.name for m in steps_of(lov, zon)]
    ['stairwell', 'building', 'consolidation', 'procurement']
    >>> p = lov.client_providers()
    >>> for m in steps_of(lov, zon):
    ...     p = m.apply(p)
    >>> bool((p == zon.client_providers()).all())  # all steps, in order: the target
    True
    """
    if lov.scenario is not target.scenario and lov.scenario != target.scenario:
        raise InputError("steps_of: both assignments must be of the same scenario")
    sc = lov.scenario
    hours = sc.clients["hours_per_week"].to_numpy(dtype=float)
    final = target.client_providers().astype(object)
    kinds = dict(zip(sc.providers["provider_id"], sc.providers["kind"], strict=True))
    if target.problem.provider_of_zone is not None:
        stair = sc.clients["stairwell_id"].to_numpy(dtype=object)
        build = sc.clients["building_id"].to_numpy(dtype=object)
        zone = target.clients["zone_id"].to_numpy(dtype=object)

        def procure(p: np.ndarray) -> np.ndarray:
            big = _dominant(p, hours, zone)
            largest = np.array([big.get(z, "") for z in zone], dtype=object)
            move = (p == largest) | (p == "")
            return np.where(move, final, p)

        incumbents = _dominant(_one_per_group(lov.client_providers(), hours, zone, by="hours"),
                               hours, zone)
        winners = _dominant(final, hours, zone)
        return [
            Move("stairwell", "one provider per stairwell, nothing else changed", 0,
                 lambda p: _one_per_group(p, hours, stair)),
            Move("building", "one provider per building", 1,
                 lambda p: _one_per_group(p, hours, build)),
            Move("consolidation", "one provider per area, the one serving the most hours "
                 f"there: {_who(incumbents, kinds)}", 2,
                 lambda p: _one_per_group(p, hours, zone, by="hours")),
            Move("procurement", f"each area to the regime's provider: {_who(winners, kinds)}",
                 3, procure),
        ]
    # a regime with choice (LOU): the clients of uncontracted providers, then the others
    lay = target.problem.layout
    market = Market.of(sc)
    market_serves = lay.serves(market)
    prov = lov.client_providers()
    rows = np.where(target.problem.zone >= 0, target.problem.zone, len(lay.zone_ids))
    idx = {p: j for j, p in enumerate(sc.provider_ids)}
    j = np.array([idx.get(p, -1) for p in prov])
    ok = (j < 0) | (j == lay.default) | (
        market_serves[rows, np.maximum(j, 0)] & (market.kinds[np.maximum(j, 0)] == "external"))
    n_move = int((~ok & (prov != final)).sum())
    return [
        Move("contracts", f"clients of providers not contracted in their area move "
             f"({n_move} clients)", 0, lambda p: np.where(ok, p, final)),
        Move("share and queue", "the other changes: the share's cap and guarantee, and the "
             "queue", 1, lambda p: np.where(ok, final, p)),
    ]


def shapley_values(n: int, value: Callable[[frozenset[int]], float]) -> np.ndarray:
    """Shapley values of ``n`` players for the set function ``value`` (sets of player
    indices): ``phi[i]`` is the mean, over every order of the players, of the change in
    ``value`` when ``i`` joins those before it. They add up to ``value(all) - value(none)``.

    Examples
    --------
    Two steps, 10 alone, 4 alone, 20 together (an interaction of 6, split evenly):

    >>> v = {frozenset(): 0.0, frozenset({0}): 10.0, frozenset({1}): 4.0,
    ...      frozenset({0, 1}): 20.0}
    >>> shapley_values(2, v.__getitem__).tolist()
    [13.0, 7.0]
    """
    players = range(n)
    vals: dict[frozenset[int], float] = {}

    def v(s: frozenset[int]) -> float:
        if s not in vals:
            vals[s] = float(value(s))
        return vals[s]

    phi = np.zeros(n)
    for i in players:
        others = [k for k in players if k != i]
        for size in range(n):
            w = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for c in combinations(others, size):
                s = frozenset(c)
                phi[i] += w * (v(s | {i}) - v(s))
    return phi


def decompose_steps(lov: Assignment, target: Assignment, evaluate_fn: Any,
                    kpis: Sequence[str] = ("driven_km_per_day", "cost_sek_per_year"),
                    *, method: str = "shapley", steps: Sequence[Move] | None = None
                    ) -> pd.DataFrame:
    """Split ``target`` minus ``lov`` over the steps between them.

    Parameters
    ----------
    lov, target
        The two assignments (of the same scenario).
    evaluate_fn
        ``evaluate_fn(assignment) -> dict of KPIs`` (it routes the assignment).
    kpis
        The KPIs split.
    method
        ``"shapley"`` (default): each step's Shapley value over the sets of steps,
        independent of their order. ``"chain"``: the older chain, each step's change from the
        previous one (depends on the order).
    steps
        The steps (default :func:`steps_of`); listing them in another order gives the same
        Shapley values.

    Returns
    -------
    pandas.DataFrame
        One row per step: ``step``, ``about`` and per KPI ``<kpi>_change``; the changes add up
        to ``target`` minus ``lov``. ``attrs["evaluations"]`` is the number of assignments
        routed (LOV and the target included).
    """
    if method == "chain":
        return _chain(lov, target, evaluate_fn, kpis)
    if method != "shapley":
        raise InputError(f"method must be 'shapley' or 'chain', got {method!r}")
    moves = list(steps) if steps is not None else steps_of(lov, target)
    n = len(moves)
    base = lov.client_providers().astype(object)
    by_key: dict[bytes, dict[str, float]] = {}
    ends = tuple("\x1f".join(map(str, p)).encode()
                 for p in (base, target.client_providers().astype(object)))

    def kpis_of(s: frozenset[int]) -> dict[str, float]:
        if len(s) == n:
            a: Assignment = target
        elif not s:
            a = lov
        else:
            p = base.copy()
            for m in sorted((moves[i] for i in s), key=lambda m: m.rank):
                p = m.apply(p)
            key = "\x1f".join(map(str, p)).encode()
            if key in by_key:
                return by_key[key]
            if key == ends[0]:
                return cached(frozenset())
            if key == ends[1]:
                return cached(frozenset(range(n)))
            a = assignment_from_providers(lov.scenario, p, regime="+".join(
                moves[i].name for i in sorted(s, key=lambda i: moves[i].rank)),
                zones=target.zones, base_rule=lov.base_rule)
        vals = evaluate_fn(a)
        out = {k: float(vals[k]) for k in kpis}
        if 0 < len(s) < n:
            by_key[key] = out
        return out

    cache: dict[frozenset[int], dict[str, float]] = {}

    def cached(s: frozenset[int]) -> dict[str, float]:
        if s not in cache:
            cache[s] = kpis_of(s)
        return cache[s]

    def value_of(k: str) -> Callable[[frozenset[int]], float]:
        return lambda s: cached(s)[k]

    phis = {k: shapley_values(n, value_of(k)) for k in kpis}
    rows = []
    for i, m in enumerate(moves):
        row: dict[str, Any] = {"step": m.name, "about": m.about}
        for k in kpis:
            row[f"{k}_change"] = float(phis[k][i])
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["evaluations"] = 2 + len(by_key)
    return out


def _chain(lov: Assignment, target: Assignment, evaluate_fn: Any,
           kpis: Sequence[str]) -> pd.DataFrame:
    """The older decomposition: the chain's steps in order, each one's change from the
    previous one (depends on the order of the steps)."""
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
    out = pd.DataFrame(rows)
    out.attrs["evaluations"] = len(steps) + 1
    return out
