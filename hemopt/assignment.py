"""Scenario-level assignment: a regime's problem solved as a min-cost flow.

:func:`assign` takes a scenario and a regime (or a :class:`~hemopt.regimes.RegimeProblem`) and
returns an :class:`Assignment` that knows, per client, the provider, the rank obtained, whether
the first choice was met and whether the client queues for a better-ranked provider; and per
provider, the clients, hours, share and queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hemopt.bases import BaseRule
from hemopt.errors import InputError
from hemopt.flow import AssignmentResult, min_cost_assignment
from hemopt.regimes import Caps, Layout, Regime, RegimeProblem
from hemopt.scenario import Scenario

__all__ = ["Assignment", "assign", "assignment_from_providers"]


@dataclass(frozen=True, eq=False)
class Assignment:
    """Who serves whom under one regime.

    Attributes
    ----------
    scenario
        The scenario assigned.
    problem
        The regime's problem (allowed pairs, costs, capacities).
    result
        The numeric solution (:class:`hemopt.flow.AssignmentResult`).
    clients
        One row per client: ``client_id``, ``provider_id`` (``""`` when unserved),
        ``rank_obtained`` (0 = first choice, -1 when the provider was not ranked or the client
        does not choose), ``chooser``, ``first_choice_met`` (choosers only; False for
        non-choosers), ``queue_for`` (provider id the client waits for, ``""`` if none),
        ``zone_id``, ``hours_per_week``, ``stairwell_id``.
    providers
        One row per provider: ``provider_id``, ``name``, ``kind``, ``clients``,
        ``hours_per_week``, ``share_hours``, ``queue`` (clients waiting for it), ``capacity``
        and ``overflow`` (in ``problem.capacity_unit``).
    base_rule
        Where shifts start (:class:`hemopt.bases.BaseRule`), the same under every regime.

    Examples
    --------
    Made by :func:`assign`:

    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> a = hemopt.assign(sc, hemopt.LOU(external_share=0.2))
    >>> a.regime, len(a.clients) == sc.n_clients
    ('LOU', True)
    >>> list(a.clients.columns[:4])
    ['client_id', 'provider_id', 'rank_obtained', 'chooser']
    >>> int(a.providers["clients"].sum()) == sc.n_clients - a.summary()["unserved"]
    True
    >>> gdf = a.to_gdf()                     # the client table with points, for maps or QGIS
    >>> gdf.crs.to_epsg()
    3006
    """

    scenario: Scenario
    problem: RegimeProblem
    result: AssignmentResult
    clients: pd.DataFrame
    providers: pd.DataFrame
    base_rule: BaseRule = field(default_factory=BaseRule)

    @property
    def regime(self) -> str:
        return self.problem.regime

    @property
    def zones(self) -> gpd.GeoDataFrame:
        """The areas the regime worked with (under zoning: the given or designed zones)."""
        return self.problem.zones

    def client_providers(self) -> np.ndarray:
        """Provider id of each client (``""`` when unserved), in the scenario's order."""
        return self.clients["provider_id"].to_numpy(dtype=object)

    @property
    def provider_index(self) -> np.ndarray:
        """Provider index per client (-1 unserved)."""
        return self.result.provider

    def bases_xy(self) -> dict[str, np.ndarray]:
        """Where each provider's staff shifts may start: office, the scenario's bases, and the
        local bases :attr:`base_rule` opens for this assignment (the same rule under every
        regime). ``{provider_id: (k, 2) array}``, office first."""
        return self.base_rule.bases(self.scenario, self.client_providers())

    def summary(self) -> dict[str, Any]:
        """Headline figures: first choice met, queue, unserved, external share, and what the
        regime's rules could not do.

        A share whose denominator is zero is undefined, NaN, never 0: ``first_choice_pct``
        when no client chose (every client a non-chooser), ``external_share_hours`` when the
        clients have no hours.

        * ``guarantee_shortfall_hours_per_week``: under LOU with a guarantee, the weekly
          hours by which the externals stay below their guaranteed share (0 when met); NaN
          where there is no guarantee;
        * ``procurement_shortfall_hours_per_week``: under zoning, the weekly hours by which
          the areas awarded to external providers fall short of ``procured_share`` (0 when
          they reach it); NaN for the other regimes.
        """
        cl = self.clients
        choosers = cl["chooser"].to_numpy()
        h = cl["hours_per_week"].to_numpy()
        ext = self.providers.loc[self.providers["kind"] == "external", "hours_per_week"].sum()
        return {
            "regime": self.regime,
            "clients": len(cl),
            "choosers": int(choosers.sum()),
            # undefined (NaN), not 0 %, when no client chose: nobody's first choice was missed
            "first_choice_pct": (round(100.0 * float(cl.loc[choosers, "first_choice_met"].mean()),
                                       2) if choosers.any() else math.nan),
            "queue": int((cl["queue_for"] != "").sum()),
            "unserved": int((cl["provider_id"] == "").sum()),
            "external_share_hours": round(float(ext / h.sum()), 4) if h.sum() > 0 else math.nan,
            "split_clients": len(self.result.split_clients),
            "overflow": float(self.result.overflow.sum()),
            "status": self.result.status,
            "guarantee_shortfall_hours_per_week": self._guarantee_shortfall(),
            "procurement_shortfall_hours_per_week": round(
                float(self.problem.layout.procurement_shortfall_hours), 6),
            **dict(self.problem.details),
        }

    def _guarantee_shortfall(self) -> float:
        """Weekly hours the externals stay below their contracted (guaranteed) minutes,
        whatever kind of capacity held them back (NaN: no guarantee)."""
        caps = self.problem.caps
        g = caps.contract_minutes if caps.contract_minutes is not None else caps.guaranteed_minutes
        if g is None:
            return math.nan
        load = self.providers["hours_per_week"].to_numpy(dtype=float) * 60.0
        ext = (self.providers["kind"] == "external").to_numpy()
        return round(float(np.maximum(g - load, 0.0)[ext].sum()) / 60.0, 6)

    def to_gdf(self) -> gpd.GeoDataFrame:
        """The client table with the assignment, as a GeoDataFrame (points, EPSG:3006)."""
        return gpd.GeoDataFrame(self.clients.copy(),
                                geometry=self.scenario.clients.geometry.values,
                                crs=self.scenario.clients.crs)

    def to_gpkg(self, path: str | Path, layer: str | None = None) -> Path:
        """Append the assignment as a layer (default ``assignment_<regime>``) to a GeoPackage."""
        import pyogrio

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        layer = layer or f"assignment_{self.regime.lower()}"
        pyogrio.write_dataframe(self.to_gdf(), path, layer=layer, driver="GPKG")
        return path

    def __repr__(self) -> str:
        s = self.summary()
        first = s["first_choice_pct"]
        first_txt = f"{first:.1f} %" if math.isfinite(first) else "– (no client chose)"
        return (f"Assignment({self.regime}: {s['clients']} clients, first choice "
                f"{first_txt}, queue {s['queue']}, unserved {s['unserved']})")


def assign(
    scenario: Scenario,
    regime: Regime | RegimeProblem,
    *,
    seed: int = 0,
    flow_backend: str = "ortools",
    time_limit_s: float = 10.0,
    base_rule: BaseRule | None = None,
    backend: str | None = None,
) -> Assignment:
    """Assign every client a provider under ``regime``.

    Parameters
    ----------
    scenario
        The municipality.
    regime
        A :class:`~hemopt.regimes.LOV`, :class:`~hemopt.regimes.LOU`,
        :class:`~hemopt.regimes.Zoning` or a problem a regime produced.
    seed
        Seed of the regime's random draws (LOV's switching).
    flow_backend
        The min-cost flow solver: ``"ortools"`` (default), ``"networkx"`` or ``"cpsat"``
        (exact for capacities in hours).
    time_limit_s
        Time limit of the ``"cpsat"`` backend.
    base_rule
        Where shifts start (default :class:`hemopt.bases.BaseRule`), kept with the result.
    backend
        The old name of ``flow_backend`` (a DeprecationWarning; removed in the next release).

    Returns
    -------
    Assignment

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> a = hemopt.assign(sc, hemopt.LOU(external_share=0.2))
    >>> a.summary()["unserved"]
    0
    """
    if backend is not None:  # the old name, one release
        if flow_backend != "ortools":
            raise InputError("assign: backend= and flow_backend= both given; backend is the "
                             "old name of flow_backend, give flow_backend only")
        import warnings

        warnings.warn("assign(backend=...) is deprecated and will be removed in the next "
                      "release; use flow_backend=...", DeprecationWarning, stacklevel=2)
        flow_backend = backend
    if isinstance(regime, Regime):
        problem = regime.problem(scenario, seed=seed)
    elif isinstance(regime, RegimeProblem):
        problem = regime
    else:
        raise InputError(f"regime must be a Regime or RegimeProblem, got {type(regime).__name__}")
    if problem.allowed.shape != (scenario.n_clients, scenario.n_providers):
        raise InputError(f"problem has shape {problem.allowed.shape}, the scenario has "
                         f"{(scenario.n_clients, scenario.n_providers)} clients x providers")
    res = min_cost_assignment(
        problem.cost, problem.capacity, demand=problem.demand, allowed=problem.allowed,
        unserved_cost=problem.unserved_cost, backend=flow_backend, time_limit_s=time_limit_s,
    )
    if res.overflow.sum() > 0:
        res = _repair_overflow(problem, res)
    return _tabulate(scenario, problem, res, base_rule or BaseRule())


def assignment_from_providers(scenario: Scenario, providers: Any, *, regime: str = "given",
                              zones: gpd.GeoDataFrame | None = None,
                              base_rule: BaseRule | None = None) -> Assignment:
    """An :class:`Assignment` that takes each client's provider as given.

    Used by the simulation (a month's clients and providers), by counterfactual steps and in
    tests: the same provider vector gives the same :class:`Assignment`, hence the same routing,
    whatever made it. ``providers`` holds a provider id per client (``""``: unserved).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> a = hemopt.assign(sc, hemopt.LOV())
    >>> b = hemopt.assignment_from_providers(sc, a.client_providers())
    >>> bool((b.client_providers() == a.client_providers()).all())
    True
    """
    prov_ids = np.asarray(providers, dtype=object)
    n, m = scenario.n_clients, scenario.n_providers
    if prov_ids.shape != (n,):
        raise InputError(f"providers: expected {n} provider ids (one per client), got shape "
                         f"{prov_ids.shape}")
    lut = {p: j for j, p in enumerate(scenario.provider_ids)}
    bad = [p for p in prov_ids if p != "" and p not in lut]
    if bad:
        raise InputError(f"providers: unknown provider {bad[0]!r}; providers are "
                         f"{scenario.provider_ids}")
    idx = np.array([lut.get(p, -1) for p in prov_ids], dtype=np.int64)
    allowed = np.zeros((n, m), dtype=bool)
    allowed[np.flatnonzero(idx >= 0), idx[idx >= 0]] = True
    zones = scenario.zones if zones is None else zones
    from hemopt.areas import zone_index

    zone, _ = zone_index(list(zones.geometry.values) if len(zones) else [],
                         scenario.client_xy())
    kinds = list(scenario.providers["kind"])
    default = kinds.index("municipal") if "municipal" in kinds else 0
    inf = np.full(m, np.inf)
    problem = RegimeProblem(
        regime=regime, allowed=allowed, cost=np.where(allowed, 0.0, np.inf), capacity=inf,
        capacity_unit="clients", demand=None, unserved_cost=np.full(n, 1e6),
        rank=scenario.ranking_matrix(), wanted=np.full(n, -1, dtype=np.int64), zone=zone,
        layout=Layout(zones=zones, default=default), caps=Caps(minutes=inf, clients=inf),
        provider_ids=tuple(scenario.provider_ids))
    res = min_cost_assignment(problem.cost, problem.capacity, allowed=allowed,
                              unserved_cost=problem.unserved_cost)
    return _tabulate(scenario, problem, res, base_rule or BaseRule())


def _repair_overflow(problem: RegimeProblem, res: AssignmentResult) -> AssignmentResult:
    """Move rounded split clients off providers above capacity.

    A demand-weighted flow splits at most (providers - 1) clients; rounding each to its largest
    share can push a provider over its capacity (``res.overflow``). Capacities in the regimes
    are contractual, so each such client moves to its cheapest allowed provider that still has
    room (under LOU: the municipality, and the client queues). Clients that fit nowhere go
    unserved at their penalty. The result is feasible; its status becomes ``"feasible"`` and
    ``bound`` still bounds the optimum from below. ``split_clients`` still lists the clients the
    flow split (whether or not they moved).
    """
    import dataclasses

    prov = res.provider.copy()
    demand = problem.demand if problem.demand is not None else np.ones(len(prov))
    cap = problem.capacity
    load = np.asarray(np.bincount(prov[prov >= 0], weights=demand[prov >= 0],
                                  minlength=len(cap)), dtype=np.float64)
    for i in res.split_clients:
        j = prov[i]
        if j < 0 or load[j] <= cap[j]:
            continue
        load[j] -= demand[i]
        room = problem.allowed[i] & (load + demand[i] <= cap)
        room[j] = False
        if room.any():
            k = int(np.argmin(np.where(room, problem.cost[i], np.inf)))
            prov[i] = k
            load[k] += demand[i]
        else:
            prov[i] = -1
    served = prov >= 0
    total = float(problem.cost[np.flatnonzero(served), prov[served]].sum()
                  + problem.unserved_cost[~served].sum())
    overflow = np.maximum(load - cap, 0.0)
    bound = res.bound
    gap = max(total - bound, 0.0) / max(abs(total), abs(bound), 1e-12)
    unserved = np.flatnonzero(~served)
    for arr in (prov, unserved, load, overflow):
        arr.setflags(write=False)  # results are read-only, like the engine's
    return dataclasses.replace(
        res, provider=prov, total_cost=total, unserved=unserved,
        load=load, overflow=overflow, gap=gap, optimal=False,
        status="feasible" if overflow.sum() == 0 else "overflow",
    )


def _tabulate(sc: Scenario, problem: RegimeProblem, res: AssignmentResult,
              base_rule: BaseRule) -> Assignment:
    n = sc.n_clients
    pids = np.array(sc.provider_ids, dtype=object)
    prov = res.provider
    served = prov >= 0
    rank = problem.rank
    obtained = np.where(served, rank[np.arange(n), np.maximum(prov, 0)], -1)
    chooser = (rank >= 0).any(axis=1)
    first_met = chooser & served & (obtained == 0)
    wanted = problem.wanted
    # a client queues when it wants a provider it did not get and would rank it above what
    # it got (unranked counts as worst)
    n_ranked = (rank >= 0).sum(axis=1)
    eff_obtained = np.where(obtained >= 0, obtained, n_ranked)
    want_rank = np.where(wanted >= 0, rank[np.arange(n), np.maximum(wanted, 0)], -1)
    queues = (wanted >= 0) & (prov != wanted) & (want_rank >= 0) & (want_rank < eff_obtained)
    zone_ids = np.array(problem.layout.zone_ids, dtype=object)
    zone_col = (np.where(problem.zone >= 0, zone_ids[np.maximum(problem.zone, 0)], "")
                if len(zone_ids) else np.full(n, "", dtype=object))
    hours = sc.clients["hours_per_week"].to_numpy()
    clients = pd.DataFrame({
        "client_id": sc.clients["client_id"].to_numpy(),
        "provider_id": np.where(served, pids[np.maximum(prov, 0)], ""),
        "rank_obtained": obtained.astype(np.int64),
        "chooser": chooser,
        "first_choice_met": first_met,
        "queue_for": np.where(queues, pids[np.maximum(wanted, 0)], ""),
        "zone_id": zone_col.astype(object),
        "hours_per_week": hours,
        "stairwell_id": sc.clients["stairwell_id"].to_numpy(),
    })
    m = sc.n_providers
    cnt = np.bincount(prov[served], minlength=m)
    hrs = np.bincount(prov[served], weights=hours[served], minlength=m)
    q = np.bincount(wanted[queues], minlength=m) if queues.any() else np.zeros(m, int)
    total_h = hours.sum()
    providers = pd.DataFrame({
        "provider_id": pids,
        "name": sc.providers["name"].to_numpy(),
        "kind": sc.providers["kind"].to_numpy(),
        "clients": cnt.astype(np.int64),
        "hours_per_week": hrs,
        "share_hours": hrs / total_h if total_h > 0 else np.full(m, np.nan),  # 0 h: undefined
        "queue": q.astype(np.int64),
        "capacity": problem.capacity,
        "overflow": res.overflow,
    })
    return Assignment(scenario=sc, problem=problem, result=res, clients=clients,
                      providers=providers, base_rule=base_rule)
