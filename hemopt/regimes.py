"""The three ways of buying home care, as policy objects.

Each regime turns a :class:`~hemopt.scenario.Scenario` into a :class:`RegimeProblem`: which
(client, provider) pairs are allowed, what each pair costs, and the providers' capacities. The
assignment engine (:func:`hemopt.assignment.assign`) solves it as a min-cost flow.

Costs follow ``docs/assignment.md``::

    cost(i, j) = w_choice * rank_i(j) + w_switch * [j != current_i] + w_travel * d(i, j) / 1000

where ``rank_i(j)`` is 0 for the first choice, 1 for the second, ..., and ``len(ranking)`` for
a provider the client did not rank; ``d`` is the distance in metres from the client's home to
the provider's office.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from scipy.spatial.distance import cdist

from hemopt.errors import InputError, ScenarioError
from hemopt.scenario import CRS, Scenario

__all__ = [
    "LOU",
    "LOV",
    "CostWeights",
    "Regime",
    "RegimeProblem",
    "Zoning",
    "zone_of_clients",
]


@dataclass(frozen=True)
class CostWeights:
    """Weights of the assignment cost terms (see the module docstring).

    Parameters
    ----------
    choice
        Cost per step down a client's ranking (default 100: choice dominates).
    switch
        Cost of moving a client away from its current provider (default 30: continuity of
        care is worth 0.3 rank steps).
    travel_per_km
        Cost per km from home to the provider's office (default 1: breaks ties by distance).
    unserved
        Penalty of leaving a client unserved (default 1e6: only when nobody can take them).

    Examples
    --------
    Weigh continuity of care as much as a full step down the ranking:

    >>> import hemopt
    >>> w = hemopt.CostWeights(switch=100.0)
    >>> w.choice, w.switch, w.travel_per_km
    (100.0, 100.0, 1.0)
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> hemopt.assign(sc, hemopt.LOV(weights=w)).summary()["unserved"]
    0
    """

    choice: float = 100.0
    switch: float = 30.0
    travel_per_km: float = 1.0
    unserved: float = 1e6

    def __post_init__(self) -> None:
        for name in ("choice", "switch", "travel_per_km", "unserved"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise InputError(f"CostWeights.{name} must be a finite number >= 0, got {v!r}")


@dataclass(frozen=True)
class RegimeProblem:
    """An assignment problem produced by a regime for one scenario.

    ``allowed``, ``cost``: (n_clients, n_providers); ``capacity``: per provider, in
    ``capacity_unit`` (``"clients"`` or ``"minutes"`` per week, ``inf`` = unbounded);
    ``demand``: per client in minutes per week when ``capacity_unit == "minutes"``, else None;
    ``rank``: the rank matrix used (-1 where not ranked); ``wanted``: the provider each client
    wants most among those the regime lets it choose (-1 for non-choosers), used to count
    queues; ``zone``: zone index per client (-1 none), ``notes``: what the regime decided.
    """

    regime: str
    allowed: np.ndarray
    cost: np.ndarray
    capacity: np.ndarray
    capacity_unit: str
    demand: np.ndarray | None
    unserved_cost: np.ndarray
    rank: np.ndarray
    wanted: np.ndarray
    zone: np.ndarray
    notes: dict[str, Any] = field(default_factory=dict)


class Regime:
    """Base class: a regime makes a :class:`RegimeProblem` from a scenario."""

    name = "regime"

    def problem(self, scenario: Scenario, *, seed: int = 0) -> RegimeProblem:  # pragma: no cover
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        """The regime's parameters, JSON-serialisable."""
        out = {}
        for k, v in vars(self).items():
            if k.startswith("_"):
                continue
            if isinstance(v, CostWeights):
                v = vars(v).copy()
            elif isinstance(v, gpd.GeoDataFrame):
                v = f"<{len(v)} zones>"
            out[k] = v
        return out


# ------------------------------------------------------------------------------- helpers
def zone_of_clients(scenario: Scenario, zones: gpd.GeoDataFrame | None = None
                    ) -> tuple[np.ndarray, dict[str, int]]:
    """Zone index of each client by address.

    Rule: a client belongs to the first zone (in table order) whose closed polygon contains its
    point, so a point on a border between two zones goes to the one listed first. A point
    outside every zone goes to the nearest zone. Returns the index array and counts
    ``{"on_border": k, "outside": k}``.
    """
    zones = scenario.zones if zones is None else zones
    xy = scenario.client_xy()
    n = len(xy)
    out = np.full(n, -1, dtype=np.int64)
    hits = np.zeros(n, dtype=np.int64)
    geoms = list(zones.geometry.values)
    for k, g in enumerate(geoms):
        inside = shapely.intersects_xy(g, xy[:, 0], xy[:, 1])
        hits += inside
        out[(out < 0) & inside] = k
    outside = np.flatnonzero(out < 0)
    if len(outside) and geoms:
        pts = shapely.points(xy[outside])
        d = np.column_stack([shapely.distance(g, pts) for g in geoms])
        out[outside] = d.argmin(axis=1)
    return out, {"on_border": int((hits > 1).sum()), "outside": len(outside)}


def _base_cost(scenario: Scenario, rank: np.ndarray, w: CostWeights) -> np.ndarray:
    """Cost of every pair before the regime masks it."""
    n_ranked = (rank >= 0).sum(axis=1, keepdims=True)
    eff_rank = np.where(rank >= 0, rank, n_ranked)
    cur = scenario.current_index()
    j = np.arange(scenario.n_providers)[None, :]
    switching = (cur[:, None] >= 0) & (j != cur[:, None])
    dist_km = cdist(scenario.client_xy(), scenario.provider_xy()) / 1000.0
    return w.choice * eff_rank + w.switch * switching + w.travel_per_km * dist_km


def _serves_zone(scenario: Scenario, zone: np.ndarray) -> np.ndarray:
    """(n_clients, n_providers): provider j's contract covers client i's zone."""
    zone_ids = list(scenario.zones["zone_id"])
    n, m = scenario.n_clients, scenario.n_providers
    ok = np.ones((n, m), dtype=bool)
    for j, pz in enumerate(scenario.providers["zones"]):
        if pz:
            idx = [zone_ids.index(z) for z in pz]
            ok[:, j] = np.isin(zone, idx)
    return ok


def _provider_index(scenario: Scenario, pid: str, what: str) -> int:
    ids = scenario.provider_ids
    if pid not in ids:
        raise InputError(f"{what}: unknown provider {pid!r}; providers are {ids}")
    return ids.index(pid)


def _default_provider(scenario: Scenario, default: str | None) -> int:
    if default is not None:
        return _provider_index(scenario, default, "default")
    kinds = list(scenario.providers["kind"])
    if "municipal" not in kinds:
        raise ScenarioError("the scenario has no municipal provider to serve as default; pass "
                            "default=<provider id>", table="providers", field="kind")
    return kinds.index("municipal")


def _check_share(name: str, v: float) -> float:
    if not (isinstance(v, (int, float, np.floating)) and math.isfinite(v) and 0 <= v <= 1):
        raise InputError(f"{name} must be a share in [0, 1], got {v!r}")
    return float(v)


def _minutes(scenario: Scenario) -> np.ndarray:
    return np.round(scenario.clients["hours_per_week"].to_numpy() * 60.0)


# ------------------------------------------------------------------------------- LOV
class LOV(Regime):
    """Free choice (LOV, the Strängnäs model 2012–2022).

    Every approved provider may serve every client in the zones it has chosen to serve (all
    zones when it lists none). Clients who rank providers choose; clients who do not choose
    (``ranking`` empty) get the ``default`` provider (*ickevalsalternativ*, the municipal one
    unless named). Providers take whoever chooses them unless the scenario gives them a
    capacity; a client whose choices are all full goes to the default provider and is counted
    in the queue of its first choice.

    Loyalty: a client whose current provider is not its first choice switches with probability
    ``switch_propensity`` (a seeded draw); the others stay. Few clients switch in practice, most
    switches under LOV happen when a provider closes down.

    Parameters
    ----------
    default
        Provider id of the default provider (default: the municipal one).
    switch_propensity
        Probability that a client not with its first choice switches (default 0.1).
    weights
        :class:`CostWeights`.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> a = hemopt.assign(sc, hemopt.LOV())
    >>> s = a.summary()
    >>> s["regime"], s["unserved"], s["queue"]
    ('LOV', 0, 0)
    >>> s["first_choice_pct"] > 90           # clients get their choice
    True
    """

    name = "LOV"

    def __init__(self, *, default: str | None = None, switch_propensity: float = 0.1,
                 weights: CostWeights | None = None) -> None:
        self.default = default
        self.switch_propensity = _check_share("switch_propensity", switch_propensity)
        self.weights = weights or CostWeights()

    def problem(self, scenario: Scenario, *, seed: int = 0) -> RegimeProblem:
        rng = np.random.default_rng(seed)
        n = scenario.n_clients
        d = _default_provider(scenario, self.default)
        rank = scenario.ranking_matrix()
        zone, zinfo = (zone_of_clients(scenario) if len(scenario.zones)
                       else (np.full(n, -1), {"on_border": 0, "outside": 0}))
        serves = _serves_zone(scenario, zone)
        allowed = (rank >= 0) & serves
        chooser = allowed.any(axis=1)
        allowed[~chooser, d] = True  # non-choosers: the default provider
        allowed[:, d] = True  # the default provider is the fallback of everybody
        cur = scenario.current_index()
        first = np.where(chooser, np.where(allowed & (rank == 0), 1, 0).argmax(axis=1), -1)
        has_first = chooser & (allowed & (rank == 0)).any(axis=1)
        # loyalty: clients not with their first choice stay unless they switch
        stays = (cur >= 0) & has_first & (cur != first) & (rng.random(n) >= self.switch_propensity)
        stays &= serves[np.arange(n), np.maximum(cur, 0)]
        allowed[stays] = False
        allowed[stays, cur[stays]] = True
        cost = _base_cost(scenario, rank, self.weights)
        cap = scenario.providers["capacity_clients"].to_numpy(dtype=float).copy()
        cap_h = scenario.providers["capacity_hours"].to_numpy(dtype=float)
        unit, demand = "clients", None
        if np.isfinite(cap_h).any():
            if np.isfinite(cap).any():
                raise InputError("LOV: providers have both capacity_clients and capacity_hours; "
                                 "give one kind of capacity")
            unit, demand, cap = "minutes", _minutes(scenario), cap_h * 60.0
        cap[d] = math.inf  # the municipality must serve everyone left
        wanted = np.where(has_first & ~stays, first, -1)
        return RegimeProblem(
            regime=self.name, allowed=allowed, cost=np.where(allowed, cost, np.inf),
            capacity=cap, capacity_unit=unit, demand=demand,
            unserved_cost=np.full(n, self.weights.unserved), rank=rank, wanted=wanted,
            zone=zone,
            notes={"default": scenario.provider_ids[d], "stay_loyal": int(stays.sum()),
                   "non_choosers": int((~chooser).sum()), **zinfo},
        )


# ------------------------------------------------------------------------------- LOU
class LOU(Regime):
    """Procurement with a capped external share (LOU, the Botkyrka model 2021).

    External providers are contracted per geographic area (the providers' ``zones``, or
    ``providers_per_area``); together they hold at most ``external_share`` of the care hours,
    split between them as ``split`` says (equal by default); the municipality takes the rest.
    A client gets the wanted provider while it has room ("i mån av utrymme"); otherwise the
    municipality, and the client stands in that provider's queue.

    Parameters
    ----------
    external_share
        Cap on the externals' share of the weekly care hours: 0.2 in the first year, at most 0.5
        later.
    providers_per_area
        ``{zone_id: [provider ids]}`` overriding the providers' ``zones`` column.
    split
        ``{provider_id: weight}`` of the external cap (default: equal).
    weights
        :class:`CostWeights`.

    Examples
    --------
    The Botkyrka preset: four externals, two per area, capped at 20 % of the hours.

    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> a = hemopt.assign(sc, hemopt.LOU(external_share=0.2))
    >>> s = a.summary()
    >>> s["external_share_hours"] <= 0.2, s["unserved"]
    (True, 0)
    >>> caps = a.providers.set_index("provider_id")["capacity"]   # weekly minutes
    >>> bool((caps.drop("M") <= 0.2 * 60 * sc.clients["hours_per_week"].sum() / 4).all())
    True
    """

    name = "LOU"

    def __init__(self, external_share: float = 0.2, *,
                 providers_per_area: dict[str, list[str]] | None = None,
                 split: dict[str, float] | None = None,
                 weights: CostWeights | None = None) -> None:
        self.external_share = _check_share("external_share", external_share)
        self.providers_per_area = providers_per_area
        self.split = split
        self.weights = weights or CostWeights()

    def _contracts(self, scenario: Scenario) -> Scenario:
        if self.providers_per_area is None:
            return scenario
        zone_ids = list(scenario.zones["zone_id"])
        pr = scenario.providers.copy()
        areas: dict[str, list[str]] = {p: [] for p in pr["provider_id"]}
        for zid, pids in self.providers_per_area.items():
            if zid not in zone_ids:
                raise InputError(f"providers_per_area: unknown area {zid!r}; areas are "
                                 f"{zone_ids}")
            if not pids:
                raise InputError(f"providers_per_area: area {zid!r} has no provider")
            for p in pids:
                _provider_index(scenario, p, f"providers_per_area[{zid!r}]")
                areas[p].append(zid)
        pr["zones"] = [tuple(areas[p]) if k == "external" else ()
                       for p, k in zip(pr["provider_id"], pr["kind"], strict=True)]
        return scenario.replace(providers=pr)

    def problem(self, scenario: Scenario, *, seed: int = 0) -> RegimeProblem:
        sc = self._contracts(scenario)
        n = sc.n_clients
        kinds = sc.providers["kind"].to_numpy()
        ext = np.flatnonzero(kinds == "external")
        d = _default_provider(sc, None)
        if len(sc.zones) == 0:
            raise ScenarioError("LOU needs areas: the scenario has no zones", table="zones")
        zone, zinfo = zone_of_clients(sc)
        # every area needs at least one external provider
        zone_ids = list(sc.zones["zone_id"])
        for k, zid in enumerate(zone_ids):
            covered = [j for j in ext if not sc.providers["zones"].iloc[j]
                       or zid in sc.providers["zones"].iloc[j]]
            if not covered and (zone == k).any():
                raise ScenarioError("LOU: an area with clients has no external provider",
                                    table="zones", row=zid, field="zone_id", value=zid)
        serves = _serves_zone(sc, zone)
        rank = sc.ranking_matrix()
        allowed = (rank >= 0) & serves
        allowed[:, kinds != "external"] &= False
        allowed[:, d] = True
        # externals' capacity in weekly minutes
        minutes = _minutes(sc)
        total = float(minutes.sum())
        if self.split is None:
            w = np.ones(len(ext))
        else:
            ext_ids = [sc.provider_ids[j] for j in ext]
            unknown = set(self.split) - set(ext_ids)
            if unknown:
                raise InputError(f"split: {sorted(unknown)} are not external providers "
                                 f"({ext_ids})")
            w = np.array([float(self.split.get(p, 0.0)) for p in ext_ids])
            if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
                raise InputError(f"split: weights must be >= 0 with a positive sum, got "
                                 f"{self.split}")
        cap = np.full(sc.n_providers, math.inf)
        cap[kinds != "external"] = 0.0
        cap[d] = math.inf
        if len(ext):
            cap[ext] = np.floor(self.external_share * total * w / w.sum())
        cost = _base_cost(sc, rank, self.weights)
        # wanted: the best-ranked provider the client may choose under the contracts
        choosable = (rank >= 0) & serves & ((kinds == "external") | (np.arange(len(kinds)) == d))
        rr = np.where(choosable, rank, np.iinfo(np.int64).max)
        wanted = np.where(choosable.any(axis=1), rr.argmin(axis=1), -1)
        return RegimeProblem(
            regime=self.name, allowed=allowed, cost=np.where(allowed, cost, np.inf),
            capacity=cap, capacity_unit="minutes", demand=minutes,
            unserved_cost=np.full(n, self.weights.unserved), rank=rank, wanted=wanted,
            zone=zone,
            notes={"external_share": self.external_share,
                   "external_cap_minutes": {sc.provider_ids[j]: float(cap[j]) for j in ext},
                   **zinfo},
        )


# ------------------------------------------------------------------------------- Zoning
class Zoning(Regime):
    """One provider per zone, clients assigned by address (the Strängnäs proposal 2022).

    Parameters
    ----------
    zones
        Zone polygons (GeoDataFrame with ``zone_id``). Default: the scenario's zones, or, when it
        has none (or ``n_zones`` is given), zones designed by
        :func:`hemopt.zones.design_zones`: contiguous, compact, with balanced care hours.
    n_zones
        Number of zones to design.
    procured_share
        At least this share of the care hours goes to external providers (default 0.5): zones
        are procured, smallest excess first, until the share is reached; the rest are municipal.
    winners
        ``{zone_id: provider_id}`` for the procured zones. Default: the external provider with
        the most current hours in the zone (one company may win several zones).
    local_bases
        When True (default), a provider that serves a zone without an office or base inside it
        sets up a local base there (at the client nearest the zone's hours-weighted centre):
        its staff shifts start in the zone. This is the coordination the zoning proposal
        claims; set False to route from the existing offices and bases only.
    weights
        :class:`CostWeights` (they only matter for the cost reported: every client has one
        allowed provider).
    seed
        Seed of the zone design when zones are designed.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> a = hemopt.assign(sc, hemopt.Zoning(procured_share=0.5))
    >>> notes = a.problem.notes
    >>> sorted(notes["provider_of_zone"]) == sorted(sc.zones["zone_id"])
    True
    >>> notes["procured_hours_share"] >= 0.5
    True
    >>> int(a.clients.groupby("zone_id")["provider_id"].nunique().max())  # one per zone
    1

    Four zones designed for balanced care hours instead of the scenario's:

    >>> a4 = hemopt.assign(sc, hemopt.Zoning(n_zones=4))
    >>> len(a4.problem.notes["zones"])
    4
    """

    name = "Zoning"

    def __init__(self, zones: gpd.GeoDataFrame | None = None, *, n_zones: int | None = None,
                 procured_share: float = 0.5, winners: dict[str, str] | None = None,
                 local_bases: bool = True, weights: CostWeights | None = None,
                 seed: int = 0) -> None:
        if n_zones is not None and not (isinstance(n_zones, (int, np.integer)) and n_zones >= 1):
            raise InputError(f"n_zones must be a whole number >= 1, got {n_zones!r}")
        self.zones = zones
        self.n_zones = n_zones
        self.procured_share = _check_share("procured_share", procured_share)
        self.winners = winners
        self.local_bases = bool(local_bases)
        self.weights = weights or CostWeights()
        self.seed = seed

    def zones_for(self, scenario: Scenario) -> gpd.GeoDataFrame:
        """The zones this regime uses on ``scenario`` (given, the scenario's, or designed)."""
        if self.zones is not None:
            z = self.zones
            if z.crs is None:
                raise ScenarioError("zones have no CRS", table="zones", field="crs")
            z = z.to_crs(CRS) if not z.crs.equals(CRS) else z.copy()
            if "zone_id" not in z.columns:
                raise ScenarioError("zones need a zone_id column", table="zones",
                                    field="zone_id")
            z["zone_id"] = z["zone_id"].astype(str)
            return z.reset_index(drop=True)
        if self.n_zones is None and len(scenario.zones):
            return scenario.zones
        from hemopt.zones import design_zones

        k = self.n_zones or 3
        return design_zones(scenario, k, seed=self.seed).zones

    def problem(self, scenario: Scenario, *, seed: int = 0) -> RegimeProblem:
        zones = self.zones_for(scenario)
        n, m = scenario.n_clients, scenario.n_providers
        zone, zinfo = zone_of_clients(scenario, zones)
        if self.zones is not None:
            # zones given by the user must cover the clients
            xy = scenario.client_xy()
            cover = shapely.union_all(zones.geometry.values).buffer(1.0)
            out = ~shapely.intersects_xy(cover, xy[:, 0], xy[:, 1])
            if out.any():
                i = int(np.flatnonzero(out)[0])
                raise ScenarioError(
                    f"zones do not cover {int(out.sum())} client(s)", table="zones",
                    row=scenario.clients["client_id"].iloc[i], field="geometry",
                    value=f"POINT ({xy[i, 0]:.1f} {xy[i, 1]:.1f})")
        minutes = _minutes(scenario)
        kz = len(zones)
        zone_min = np.bincount(zone, weights=minutes, minlength=kz)
        kinds = scenario.providers["kind"].to_numpy()
        ext = np.flatnonzero(kinds == "external")
        d = _default_provider(scenario, None)
        procured = _procure(zone_min, self.procured_share) if len(ext) else np.zeros(kz, bool)
        zone_ids = list(zones["zone_id"])
        cur = scenario.current_index()
        provider_of_zone = np.full(kz, d)
        winners = dict(self.winners or {})
        for zid in winners:
            if zid not in zone_ids:
                raise InputError(f"winners: unknown zone {zid!r}; zones are {zone_ids}")
        for k in range(kz):
            if zone_ids[k] in winners:
                provider_of_zone[k] = _provider_index(scenario, winners[zone_ids[k]],
                                                      f"winners[{zone_ids[k]!r}]")
            elif procured[k]:
                in_zone = zone == k
                hours = np.array([minutes[in_zone & (cur == j)].sum() for j in ext])
                provider_of_zone[k] = ext[int(np.argmax(hours))] if hours.any() else ext[0]
        procured = kinds[provider_of_zone] == "external"
        allowed = np.zeros((n, m), dtype=bool)
        allowed[np.arange(n), provider_of_zone[zone]] = True
        rank = scenario.ranking_matrix()
        cost = _base_cost(scenario, rank, self.weights)
        extra_bases = []
        if self.local_bases:
            starts = scenario.bases_xy()
            xy = scenario.client_xy()
            for k in range(kz):
                pid = scenario.provider_ids[provider_of_zone[k]]
                g = zones.geometry.iloc[k]
                in_zone = zone == k
                if not in_zone.any():
                    continue
                if shapely.intersects_xy(g, starts[pid][:, 0], starts[pid][:, 1]).any():
                    continue
                w = np.maximum(minutes[in_zone], 1.0)
                centre = np.average(xy[in_zone], axis=0, weights=w)
                near = xy[in_zone][np.argmin(((xy[in_zone] - centre) ** 2).sum(axis=1))]
                extra_bases.append({"provider_id": pid, "zone_id": zone_ids[k],
                                    "x": float(near[0]), "y": float(near[1])})
        return RegimeProblem(
            regime=self.name, allowed=allowed, cost=np.where(allowed, cost, np.inf),
            capacity=np.full(m, math.inf), capacity_unit="clients", demand=None,
            unserved_cost=np.full(n, self.weights.unserved), rank=rank,
            wanted=np.full(n, -1), zone=zone,
            notes={
                "zones": zone_ids,
                "provider_of_zone": {zone_ids[k]: scenario.provider_ids[provider_of_zone[k]]
                                     for k in range(kz)},
                "procured_zones": [zone_ids[k] for k in range(kz) if procured[k]],
                "procured_hours_share": float(zone_min[procured].sum() / max(zone_min.sum(), 1)),
                "zone_hours_per_week": {zone_ids[k]: float(zone_min[k] / 60) for k in range(kz)},
                "extra_bases": extra_bases,
                **zinfo,
            },
        )


def _procure(zone_min: np.ndarray, share: float) -> np.ndarray:
    """Which zones to procure so that their hours reach ``share`` of the total with the least
    excess (exact enumeration up to 16 zones, greedy beyond)."""
    k = len(zone_min)
    total = zone_min.sum()
    need = share * total
    if share <= 0 or k == 0:
        return np.zeros(k, bool)
    if k <= 16:
        best, best_mask = math.inf, None
        for mask in range(1, 2**k):
            sel = np.array([(mask >> b) & 1 for b in range(k)], dtype=bool)
            h = zone_min[sel].sum()
            if h + 1e-9 >= need and (h, sel.sum()) < (best, math.inf):
                best, best_mask = h, sel
        return best_mask if best_mask is not None else np.ones(k, bool)
    order = np.argsort(-zone_min)
    sel = np.zeros(k, bool)
    acc = 0.0
    for z in order:
        if acc >= need:
            break
        sel[z] = True
        acc += zone_min[z]
    return sel
