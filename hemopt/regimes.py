"""The three ways of buying home care, as policy objects that own their rules.

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
"""

from __future__ import annotations

import copy
import dataclasses
import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial.distance import cdist

from hemopt.areas import serves_matrix, zone_index
from hemopt.errors import InputError, ScenarioError
from hemopt.procurement import Tender, evaluate_bids
from hemopt.scenario import CRS, Scenario

__all__ = [
    "GUARANTEE_RULES",
    "LOU",
    "LOV",
    "Caps",
    "CostWeights",
    "Layout",
    "Market",
    "Regime",
    "RegimeProblem",
    "Zoning",
    "as_regime",
    "guarantee_pick",
    "has_room",
    "regime_from_name",
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


# ------------------------------------------------------------------------------- state
@dataclass(frozen=True, eq=False)
class Market:
    """The providers as a regime sees them at one moment: the scenario's, or a month of a
    simulation (providers may have left or entered).

    Attributes
    ----------
    provider_ids, kinds
        Per provider: id and ``"municipal"`` or ``"external"``.
    active
        Per provider: still in the market.
    capacity_clients, capacity_minutes
        Per provider, from the scenario (``inf`` = unbounded; minutes per week).
    serves
        ``(n_areas + 1, n_providers)``: provider ``j`` serves area ``z`` (last row: no area);
        see :func:`hemopt.areas.serves_matrix`.
    office_xy
        ``(n_providers, 2)`` office coordinates (metres, EPSG:3006).
    """

    provider_ids: tuple[str, ...]
    kinds: NDArray[np.object_]
    active: NDArray[np.bool_]
    capacity_clients: NDArray[np.float64]
    capacity_minutes: NDArray[np.float64]
    serves: NDArray[np.bool_]
    office_xy: NDArray[np.float64]

    @classmethod
    def of(cls, scenario: Scenario) -> Market:
        """The market of a scenario: every provider active, capacities from its table."""
        pr = scenario.providers
        return cls(
            provider_ids=tuple(scenario.provider_ids),
            kinds=pr["kind"].to_numpy(dtype=object),
            active=np.ones(len(pr), dtype=bool),
            capacity_clients=pr["capacity_clients"].to_numpy(dtype=float),
            capacity_minutes=60.0 * pr["capacity_hours"].to_numpy(dtype=float),
            serves=serves_matrix(list(pr["zones"]), list(scenario.zones["zone_id"])),
            office_xy=scenario.provider_xy(),
        )

    @property
    def external(self) -> NDArray[np.bool_]:
        return (self.kinds == "external") & self.active

    def index(self, pid: str, what: str) -> int:
        if pid not in self.provider_ids:
            raise InputError(f"{what}: unknown provider {pid!r}; providers are "
                             f"{list(self.provider_ids)}")
        return self.provider_ids.index(pid)


@dataclass(frozen=True, eq=False)
class Caps:
    """How much each provider may take, and what the externals are guaranteed.

    ``minutes`` and ``clients`` per provider (``inf`` = unbounded); ``external_total_minutes``
    caps the external providers together (LOU's share; ``inf`` otherwise);
    ``guaranteed_minutes`` per provider is what a LOU contract guarantees (0 elsewhere);
    ``external_share`` is the share behind ``external_total_minutes`` (NaN when uncapped);
    ``guarantee_rule`` says which external takes a client who does not choose (LOU's
    ``guarantee``, ``"none"`` elsewhere; see :func:`guarantee_pick`).
    """

    minutes: NDArray[np.float64]
    clients: NDArray[np.float64]
    external_total_minutes: float = math.inf
    guaranteed_minutes: NDArray[np.float64] | None = None
    external_share: float = math.nan
    guarantee_rule: str = "none"


def has_room(caps: Caps, j: int, minutes: float, load_clients: NDArray, load_minutes: NDArray,
             external: NDArray[np.bool_]) -> bool:
    """Whether provider ``j`` can take one more client of ``minutes`` a week under ``caps``."""
    if load_clients[j] + 1 > caps.clients[j] or load_minutes[j] + minutes > caps.minutes[j]:
        return False
    if external[j] and math.isfinite(caps.external_total_minutes):
        return float(load_minutes[external].sum()) + minutes <= caps.external_total_minutes
    return True


#: LOU's rules for placing a client who does not choose (see :class:`LOU`).
GUARANTEE_RULES = ("nearest", "below_share", "none")


def guarantee_pick(caps: Caps, candidates: NDArray[np.bool_], minutes: float,
                   load_clients: NDArray, load_minutes: NDArray, external: NDArray[np.bool_],
                   distance_m: NDArray[np.float64]) -> int:
    """The external provider that takes a client who does not choose, -1 if none.

    ``candidates`` are the externals that may serve the client (its area's contracted,
    active externals); ``distance_m`` per provider from the client's home to its office.
    Under ``caps.guarantee_rule``:

    * ``"nearest"``: the nearest candidate below its guaranteed minutes that has room;
    * ``"below_share"``: the candidate furthest below its guaranteed minutes, however far,
      if it has room (the rule before 2026-12);
    * ``"none"``: nobody (the default provider keeps the client).

    Examples
    --------
    Two externals below their guarantee of 100 min; the nearer (1) has more of it filled:

    >>> import numpy as np
    >>> from hemopt.regimes import Caps, guarantee_pick
    >>> caps = Caps(minutes=np.array([np.inf, 100, 100]), clients=np.full(3, np.inf),
    ...             guaranteed_minutes=np.array([0.0, 100, 100]), guarantee_rule="nearest")
    >>> args = (np.array([False, True, True]), 30.0, np.zeros(3), np.array([0.0, 60, 0]),
    ...         np.array([False, True, True]), np.array([0.0, 500, 9000]))
    >>> guarantee_pick(caps, *args)
    1
    >>> import dataclasses
    >>> guarantee_pick(dataclasses.replace(caps, guarantee_rule="below_share"), *args)
    2
    """
    g = caps.guaranteed_minutes
    if g is None or caps.guarantee_rule == "none":
        return -1
    short = np.where(candidates, g - load_minutes, 0.0)
    if caps.guarantee_rule == "below_share":
        j = int(np.argmax(short))
        ok = short[j] > 0 and has_room(caps, j, minutes, load_clients, load_minutes, external)
        return j if ok else -1
    for j in np.argsort(np.where(short > 0, distance_m, np.inf), kind="stable"):
        if short[j] <= 0:
            break
        if has_room(caps, int(j), minutes, load_clients, load_minutes, external):
            return int(j)
    return -1


@dataclass(frozen=True, eq=False)
class Layout:
    """What a regime decided for one scenario.

    Attributes
    ----------
    zones
        The areas the regime works with (GeoDataFrame with ``zone_id``): the scenario's, or
        under zoning the given or designed zones.
    default
        Index of the default provider (*ickevalsalternativ*; the municipality).
    provider_of_zone
        Zoning: provider index per area; None otherwise.
    procured
        Zoning: which areas were procured (bool per area); None otherwise.
    bids
        Zoning: the procurement's evaluation, one row per lot and bidder (columns
        :data:`hemopt.procurement.BID_COLUMNS`: lot, areas, bidder, the price's parts,
        capacity and expansion, quality, score, winner); None otherwise or when nothing was
        put out to tender. Also available as ``procurement``.
    lots
        Zoning: ``{lot: (zone ids)}`` of the lots put out to tender; None otherwise.
    procurement_shortfall_hours
        Zoning: weekly care hours by which the areas awarded to external providers fall
        short of ``procured_share`` (0 when they reach it); NaN for the other regimes.
    contracts
        LOU: ``(n_areas + 1, n_contracted)`` areas each provider is contracted for, when the
        regime overrides the providers' own areas; None otherwise (see :meth:`serves`).
    """

    zones: gpd.GeoDataFrame
    default: int
    provider_of_zone: NDArray[np.int64] | None = None
    procured: NDArray[np.bool_] | None = None
    bids: pd.DataFrame | None = None
    contracts: NDArray[np.bool_] | None = None
    lots: Mapping[str, tuple[str, ...]] | None = None
    procurement_shortfall_hours: float = math.nan

    @property
    def procurement(self) -> pd.DataFrame | None:
        """The bids table (:attr:`bids`), under its earlier name."""
        return self.bids

    def serves(self, market: Market) -> NDArray[np.bool_]:
        """Areas each provider of ``market`` serves: the contracts where the layout has
        them, the providers' own areas for the others (e.g. a provider entering later)."""
        if self.contracts is None:
            return market.serves
        out = market.serves.copy()
        w = min(self.contracts.shape[1], out.shape[1])
        out[:, :w] = self.contracts[:, :w]
        return out

    @property
    def zone_ids(self) -> list[str]:
        return list(self.zones["zone_id"]) if len(self.zones) else []

    def zone_of(self, xy: NDArray[np.float64]) -> tuple[NDArray[np.int64], dict[str, int]]:
        """Area index of each point under this layout (-1 without areas)."""
        return zone_index(list(self.zones.geometry.values) if len(self.zones) else [], xy)


@dataclass(frozen=True, eq=False)
class RegimeProblem:
    """An assignment problem a regime poses for one scenario.

    ``allowed``, ``cost``: (n_clients, n_providers); ``capacity``: per provider, in
    ``capacity_unit`` (``"clients"`` or ``"minutes"`` per week, ``inf`` = unbounded);
    ``demand``: per client in minutes per week when ``capacity_unit == "minutes"``, else None;
    ``rank``: the rank matrix used (-1 where not ranked); ``wanted``: the provider each client
    wants most among those the regime lets it choose (-1 for non-choosers), used to count
    queues; ``zone``: area index per client under ``layout.zones`` (-1 none); ``layout`` and
    ``caps``: what the regime decided; ``details``: counts worth reporting (plain numbers and
    strings only).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> p = hemopt.Zoning().problem(sc)
    >>> p.allowed.shape == (sc.n_clients, sc.n_providers), p.capacity_unit
    (True, 'clients')
    >>> sorted(p.provider_of_zone) == sorted(p.zones["zone_id"])
    True
    """

    regime: str
    allowed: NDArray[np.bool_]
    cost: NDArray[np.float64]
    capacity: NDArray[np.float64]
    capacity_unit: str
    demand: NDArray[np.float64] | None
    unserved_cost: NDArray[np.float64]
    rank: NDArray[np.int64]
    wanted: NDArray[np.int64]
    zone: NDArray[np.int64]
    layout: Layout
    caps: Caps
    provider_ids: tuple[str, ...]
    details: Mapping[str, int | float | str] = field(default_factory=dict)

    @property
    def zones(self) -> gpd.GeoDataFrame:
        """The areas of this problem (the designed ones under zoning)."""
        return self.layout.zones

    @property
    def provider_of_zone(self) -> dict[str, str] | None:
        """Zoning: ``{zone_id: provider_id}``; None for the other regimes."""
        poz = self.layout.provider_of_zone
        if poz is None:
            return None
        return {z: self.provider_ids[int(j)]
                for z, j in zip(self.layout.zone_ids, poz, strict=True)}


#: What ``Regime._allowed`` returns: allowed pairs, the wanted provider, details.
_Allowed = tuple[NDArray[np.bool_], NDArray[np.int64], dict[str, int | float | str]]


# ------------------------------------------------------------------------------- base
class Regime(ABC):
    """A way of buying home care. Subclasses say who may serve whom and how much.

    Subclasses implement :meth:`layout`, :meth:`choosable` and :meth:`caps`; :meth:`problem`
    turns them into an assignment problem. ``clients_choose`` is False when clients are
    assigned by address; ``queue_policy`` is ``"fifo"`` when capped providers take clients in
    order of request (first come, first served), ``"min_cost"`` when the min-cost flow decides.

    Examples
    --------
    Ask a regime its rules directly:

    >>> import hemopt
    >>> from hemopt.regimes import Market
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> lou, market = hemopt.LOU(0.2), Market.of(sc)
    >>> layout = lou.layout(sc, market)
    >>> market.provider_ids[layout.default]
    'M'
    >>> zone, _ = layout.zone_of(sc.client_xy())
    >>> ok = lou.choosable(layout, market, zone)      # the municipality and the area's externals
    >>> bool(ok[:, layout.default].all())
    True
    >>> caps = lou.caps(layout, market, total_minutes=10_000.0)
    >>> caps.external_total_minutes, caps.external_share
    (2000.0, 0.2)
    """

    name: ClassVar[str] = "regime"
    clients_choose: ClassVar[bool] = True
    queue_policy: str = "min_cost"
    weights: CostWeights

    # ---------------------------------------------------------------- the rules
    @abstractmethod
    def layout(self, scenario: Scenario, market: Market | None = None) -> Layout:
        """What the regime decides once for ``scenario`` (areas, default, winners)."""

    @abstractmethod
    def choosable(self, layout: Layout, market: Market,
                  zone: NDArray[np.int64]) -> NDArray[np.bool_]:
        """``(len(zone), n_providers)``: providers each client (given by its area under
        ``layout``) may have. The default provider is, besides, the fallback of every client
        when the others have no room."""

    @abstractmethod
    def caps(self, layout: Layout, market: Market, total_minutes: float) -> Caps:
        """Capacities when the clients' weekly care is ``total_minutes`` in all."""

    # ---------------------------------------------------------------- the problem
    def problem(self, scenario: Scenario, *, seed: int = 0) -> RegimeProblem:
        """The assignment problem on ``scenario`` (see the module docstring)."""
        market = Market.of(scenario)
        lay = self.layout(scenario, market)
        zone, zinfo = lay.zone_of(scenario.client_xy())
        rank = scenario.ranking_matrix()
        minutes = _minutes(scenario)
        caps = self.caps(lay, market, float(minutes.sum()))
        ok = self.choosable(lay, market, zone)
        allowed, wanted, details = self._allowed(scenario, lay, market, ok, rank, zone, seed)
        cost = _base_cost(scenario, rank, self.weights)
        bounded_min = np.isfinite(caps.minutes).any() or math.isfinite(caps.external_total_minutes)
        bounded_cl = np.isfinite(caps.clients).any()
        if bounded_min and bounded_cl and self.queue_policy != "fifo":
            # the min-cost flow holds one kind of capacity; first come, first served
            # (has_room) holds both, and the flow then only reproduces its allocation
            given = [market.provider_ids[j] for j in np.flatnonzero(np.isfinite(caps.clients))]
            what = ("LOU's share caps hours" if math.isfinite(caps.external_total_minutes)
                    else "providers have capacity_hours")
            raise InputError(f"{self.name}: providers {given} have capacity_clients and "
                             f"{what}; the min-cost assignment holds one kind of capacity: "
                             "give one kind, or use queue_policy='fifo'")
        if bounded_min:
            unit, demand, cap = "minutes", minutes, caps.minutes.copy()
        else:
            unit, demand, cap = "clients", None, caps.clients.copy()
        details = {**details, **zinfo, "default": market.provider_ids[lay.default]}
        problem = RegimeProblem(
            regime=self.name, allowed=allowed, cost=np.where(allowed, cost, np.inf),
            capacity=cap, capacity_unit=unit, demand=demand,
            unserved_cost=np.full(scenario.n_clients, self.weights.unserved), rank=rank,
            wanted=wanted, zone=zone, layout=lay, caps=caps,
            provider_ids=market.provider_ids, details=details)
        if self.queue_policy == "fifo":
            return _fifo(problem, market, minutes, seed, scenario.client_xy())
        return problem

    def _allowed(self, scenario: Scenario, lay: Layout, market: Market,
                 ok: NDArray[np.bool_], rank: NDArray[np.int64], zone: NDArray[np.int64],
                 seed: int) -> _Allowed:
        """Allowed pairs and the wanted provider: choosers may have the choosable providers
        they ranked, everybody may fall back to the default."""
        n = scenario.n_clients
        allowed = ok & (rank >= 0)
        chooser = allowed.any(axis=1)
        allowed[:, lay.default] = True
        rr = np.where(ok & (rank >= 0), rank, np.iinfo(np.int64).max)
        wanted = np.where(chooser, rr.argmin(axis=1), -1)
        return allowed, wanted, {"non_choosers": int(n - chooser.sum())}

    # ---------------------------------------------------------------- reporting
    def label(self) -> str:
        """A short label for tables and plots (e.g. ``"LOU 20 %"``)."""
        return self.name

    def params(self) -> dict[str, Any]:
        """The regime's parameters, JSON-serialisable."""
        out: dict[str, Any] = {}
        for k, v in vars(self).items():
            if k.startswith("_"):
                continue
            if isinstance(v, Tender):
                v = v.as_dict()
            elif isinstance(v, CostWeights):
                v = dataclasses.asdict(v)
            elif isinstance(v, gpd.GeoDataFrame):
                v = f"<{len(v)} zones>"
            out[k] = v
        return out

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items() if k != "weights")
        return f"{type(self).__name__}({args})"


# ------------------------------------------------------------------------------- helpers
def zone_of_clients(scenario: Scenario, zones: gpd.GeoDataFrame | None = None
                    ) -> tuple[NDArray[np.int64], dict[str, int]]:
    """Area index of each client by address (rule: :func:`hemopt.areas.zone_index`)."""
    zones = scenario.zones if zones is None else zones
    return zone_index(list(zones.geometry.values) if len(zones) else [], scenario.client_xy())


def _base_cost(scenario: Scenario, rank: NDArray[np.int64], w: CostWeights) -> NDArray:
    """Cost of every pair before the regime masks it."""
    n_ranked = (rank >= 0).sum(axis=1, keepdims=True)
    eff_rank = np.where(rank >= 0, rank, n_ranked)
    cur = scenario.current_index()
    j = np.arange(scenario.n_providers)[None, :]
    switching = (cur[:, None] >= 0) & (j != cur[:, None])
    dist_km = cdist(scenario.client_xy(), scenario.provider_xy()) / 1000.0
    return w.choice * eff_rank + w.switch * switching + w.travel_per_km * dist_km


def _default_provider(market: Market, default: str | None) -> int:
    if default is not None:
        return market.index(default, "default")
    kinds = list(market.kinds)
    if "municipal" not in kinds:
        raise ScenarioError("the scenario has no municipal provider to serve as default; pass "
                            "default=<provider id>", table="providers", field="kind")
    return kinds.index("municipal")


def _unbounded_default(mins: NDArray[np.float64], clients: NDArray[np.float64], market: Market,
                       d: int, regime: str) -> None:
    """Lift the default provider's capacities in place: as the default (the
    *ickevalsalternativ*) it serves every client the others cannot take. A capacity the
    scenario gave it is not applied, and a warning names it."""
    for what, arr, given in (("capacity_clients", clients, market.capacity_clients[d]),
                             ("capacity_hours", mins, market.capacity_minutes[d] / 60.0)):
        if math.isfinite(given):
            warnings.warn(
                f"{regime}: the default provider {market.provider_ids[d]!r} has {what} "
                f"{given:g} in the scenario; as the default it must take every client the "
                "others cannot, so that capacity is not applied", stacklevel=4)
        arr[d] = math.inf


def _check_share(name: str, v: float) -> float:
    if (isinstance(v, (bool, np.bool_))
            or not (isinstance(v, (int, float, np.integer, np.floating)) and math.isfinite(v)
                    and 0 <= v <= 1)):
        raise InputError(f"{name} must be a share in [0, 1], got {v!r}")
    return float(v)


def _minutes(scenario: Scenario) -> NDArray[np.float64]:
    return np.round(scenario.clients["hours_per_week"].to_numpy(dtype=float) * 60.0)


def _area_rows(zone: NDArray[np.int64], n_zones: int) -> NDArray[np.int64]:
    """Row of :attr:`Market.serves` for each area index (-1, no area, is the last row)."""
    return np.where(zone >= 0, zone, n_zones)


def _fifo(p: RegimeProblem, market: Market, minutes: NDArray[np.float64],
          seed: int, client_xy: NDArray[np.float64]) -> RegimeProblem:
    """First come, first served: clients, in order of request, get their best-ranked allowed
    provider that has room; a client refused by its wanted provider waits for it (served by
    the default meanwhile), and nobody behind it in the queue gets that provider first
    (strict FIFO: a lighter client never overtakes). Then the guarantee: externals below
    their guaranteed minutes take non-choosers of their areas, in order of request, by the
    rule :func:`guarantee_pick` applies (``caps.guarantee_rule``).

    The order of request is a seeded permutation of the clients (a snapshot does not know
    when each client applied; a random order is independent of their care hours). The result
    is a problem whose allowed pairs are the allocation (the flow then reproduces it)."""
    n, m = p.allowed.shape
    order = np.random.default_rng([seed, 0xF1F0]).permutation(n)
    load_n = np.zeros(m)
    load_min = np.zeros(m)
    ext = market.external
    d = p.layout.default
    prov = np.full(n, d, dtype=np.int64)
    blocked = np.zeros(m, dtype=bool)
    rank = p.rank
    for i in order:
        cands = [int(j) for j in np.argsort(np.where(rank[i] >= 0, rank[i], 10**9), kind="stable")
                 if rank[i, j] >= 0 and p.allowed[i, j]]
        got = d
        for j in cands:
            if j == d:
                break
            if not blocked[j] and has_room(p.caps, j, minutes[i], load_n, load_min, ext):
                got = j
                break
            # refused: the queue for j starts here (only if the client could ever fit)
            if minutes[i] <= p.caps.minutes[j] and minutes[i] <= p.caps.external_total_minutes:
                blocked[j] = True
        prov[i] = got
        load_n[got] += 1
        load_min[got] += minutes[i]
    g = p.caps.guaranteed_minutes
    if g is not None and (g > 0).any():
        chooser = (rank >= 0).any(axis=1)
        rows = _area_rows(p.zone, len(p.layout.zone_ids))
        serves = p.layout.serves(market)
        for i in order:
            if chooser[i] or prov[i] != d:
                continue
            dist = np.hypot(*(market.office_xy - client_xy[i]).T)
            j = guarantee_pick(p.caps, ext & serves[rows[i]], minutes[i], load_n, load_min,
                               ext, dist)
            if j >= 0:
                prov[i] = j
                load_n[j] += 1
                load_n[d] -= 1
                load_min[j] += minutes[i]
                load_min[d] -= minutes[i]
    allowed = np.zeros((n, m), dtype=bool)
    allowed[np.arange(n), prov] = True
    cost = np.where(allowed, 0.0, np.inf)  # the allocation is decided; the flow keeps it
    return dataclasses.replace(
        p, allowed=allowed, cost=cost,
        details={**p.details, "queue_policy": "fifo"})


# ------------------------------------------------------------------------------- LOV
class LOV(Regime):
    """Free choice (LOV, the Strängnäs model 2012–2022).

    Every approved provider may serve every client in the areas it has chosen to serve (all
    areas when it lists none). Clients who rank providers choose; clients who do not choose
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

    def layout(self, scenario: Scenario, market: Market | None = None) -> Layout:
        market = market or Market.of(scenario)
        return Layout(zones=scenario.zones, default=_default_provider(market, self.default))

    def choosable(self, layout: Layout, market: Market,
                  zone: NDArray[np.int64]) -> NDArray[np.bool_]:
        out = market.serves[_area_rows(zone, len(layout.zone_ids))] & market.active[None, :]
        out[:, layout.default] = True
        return out

    def caps(self, layout: Layout, market: Market, total_minutes: float) -> Caps:
        mins = np.where(market.active, market.capacity_minutes, 0.0)
        cl = np.where(market.active, market.capacity_clients, 0.0)
        _unbounded_default(mins, cl, market, layout.default, self.name)
        return Caps(minutes=mins, clients=cl)

    def _allowed(self, scenario: Scenario, lay: Layout, market: Market,
                 ok: NDArray[np.bool_], rank: NDArray[np.int64], zone: NDArray[np.int64],
                 seed: int) -> _Allowed:
        allowed, _, details = super()._allowed(scenario, lay, market, ok, rank, zone, seed)
        rng = np.random.default_rng(seed)
        n = scenario.n_clients
        chooser = (ok & (rank >= 0)).any(axis=1)
        cur = scenario.current_index()
        first_ok = ok & (rank == 0)
        has_first = chooser & first_ok.any(axis=1)
        first = np.where(has_first, first_ok.argmax(axis=1), -1)
        # loyalty: clients not with their first choice stay unless they switch
        stays = (cur >= 0) & has_first & (cur != first) & (rng.random(n) >= self.switch_propensity)
        stays &= ok[np.arange(n), np.maximum(cur, 0)]
        allowed[stays] = False
        allowed[stays, cur[stays]] = True
        allowed[:, lay.default] |= ~stays
        wanted = np.where(has_first & ~stays, first, -1)
        return allowed, wanted, {**details, "stay_loyal": int(stays.sum())}


# ------------------------------------------------------------------------------- LOU
class LOU(Regime):
    """Procurement with a guaranteed and capped external share (LOU, the Botkyrka model 2021).

    External providers are contracted per geographic area (the providers' ``zones``, or
    ``providers_per_area``, or the scenario's ``meta["lou_contracts"]``); together they hold
    ``external_share`` of the care hours, split between them as ``split`` says (equal by
    default); the municipality takes the rest. The share is a cap and, unless ``guarantee``
    is ``"none"``, also a guarantee: externals below their share take clients who did not
    choose.
    A client gets the wanted provider while it has room ("i mån av utrymme"); otherwise the
    municipality serves it and it queues for that provider, first come, first served.

    Parameters
    ----------
    external_share
        The externals' share of the weekly care hours: 0.2 in the first year, at most 0.5
        later (:func:`hemopt.simulate.lou_schedule` stages it).
    providers_per_area
        ``{zone_id: [provider ids]}`` overriding the providers' ``zones`` column.
    split
        ``{provider_id: weight}`` of the external share (default: equal).
    guarantee
        How clients who do not choose fill the externals' guaranteed share, in order of
        request: ``"nearest"`` (default): each goes to the nearest external of its area
        (home to office) that is below its share and has room; ``"below_share"``: to the
        external of its area furthest below its share, however far (the rule before
        2026-12); ``"none"``: no guarantee, the share is a cap only. ``True`` and ``False``
        are read as ``"below_share"`` and ``"none"`` (their meaning before 2026-12). Where
        the guarantee cannot be met, ``guarantee_shortfall_hours_per_week`` says by how much.
    queue_policy
        ``"fifo"`` (default): in order of request, never lightest first. ``"min_cost"``: the
        min-cost flow, which fills capped providers with the lightest clients (for comparison).
    weights
        :class:`CostWeights`.

    Examples
    --------
    The Botkyrka preset: four externals, two per area, holding 20 % of the hours.

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
                 split: dict[str, float] | None = None, guarantee: str | bool = "nearest",
                 queue_policy: str = "fifo", weights: CostWeights | None = None) -> None:
        self.external_share = _check_share("external_share", external_share)
        self.providers_per_area = providers_per_area
        self.split = split
        if isinstance(guarantee, (bool, np.bool_)):
            guarantee = "below_share" if guarantee else "none"
        if guarantee not in GUARANTEE_RULES:
            raise InputError(f"guarantee must be one of {list(GUARANTEE_RULES)}, got "
                             f"{guarantee!r}")
        self.guarantee = str(guarantee)
        if queue_policy not in ("fifo", "min_cost"):
            raise InputError(f"queue_policy must be 'fifo' or 'min_cost', got {queue_policy!r}")
        self.queue_policy = queue_policy
        self.weights = weights or CostWeights()

    def _contracts(self, scenario: Scenario, market: Market) -> NDArray[np.bool_] | None:
        per_area = self.providers_per_area
        if per_area is None:
            per_area = scenario.meta.get("lou_contracts") if scenario.meta else None
        if per_area is None:
            return None
        zone_ids = list(scenario.zones["zone_id"])
        areas: dict[str, list[str]] = {p: [] for p in market.provider_ids}
        for zid, pids in per_area.items():
            if zid not in zone_ids:
                raise InputError(f"providers_per_area: unknown area {zid!r}; areas are "
                                 f"{zone_ids}")
            if not pids:
                raise InputError(f"providers_per_area: area {zid!r} has no provider")
            for p in pids:
                market.index(p, f"providers_per_area[{zid!r}]")
                areas[p].append(zid)
        pz = [tuple(areas[p]) for p in market.provider_ids]
        serves = serves_matrix(pz, zone_ids)
        for j, k in enumerate(market.kinds):
            if k == "external" and not pz[j]:
                serves[:, j] = False  # an external without a contract serves no area
        return serves

    def layout(self, scenario: Scenario, market: Market | None = None) -> Layout:
        market = market or Market.of(scenario)
        if len(scenario.zones) == 0:
            raise ScenarioError("LOU needs areas: the scenario has no zones", table="zones")
        lay = Layout(zones=scenario.zones, default=_default_provider(market, None),
                     contracts=self._contracts(scenario, market))
        zone, _ = lay.zone_of(scenario.client_xy())
        serves = lay.serves(market)
        ext = np.flatnonzero(market.kinds == "external")
        for k, zid in enumerate(lay.zone_ids):
            if (zone == k).any() and not serves[k, ext].any():
                raise ScenarioError("LOU: an area with clients has no external provider",
                                    table="zones", row=zid, field="zone_id", value=zid)
        return lay

    def choosable(self, layout: Layout, market: Market,
                  zone: NDArray[np.int64]) -> NDArray[np.bool_]:
        rows = _area_rows(zone, len(layout.zone_ids))
        out = layout.serves(market)[rows] & market.external[None, :]
        out[:, layout.default] = True
        return out

    def caps(self, layout: Layout, market: Market, total_minutes: float) -> Caps:
        ext = np.flatnonzero(market.external)
        m = len(market.provider_ids)
        if self.split is None:
            w = np.ones(len(ext))
        else:
            ext_ids = [market.provider_ids[j] for j in ext]
            unknown = set(self.split) - set(market.provider_ids)
            if unknown:
                raise InputError(f"split: {sorted(unknown)} are not providers "
                                 f"({list(market.provider_ids)})")
            w = np.array([float(self.split.get(p, 0.0)) for p in ext_ids])
            if (w < 0).any() or not np.isfinite(w).all() or (len(w) and w.sum() <= 0):
                raise InputError(f"split: weights must be >= 0 with a positive sum, got "
                                 f"{self.split}")
        total_cap = math.floor(self.external_share * total_minutes)
        share = np.zeros(m)
        if len(ext):
            share[ext] = np.floor(total_cap * w / w.sum())
        mins = np.minimum(share, np.where(market.active, market.capacity_minutes, 0.0))
        cl = np.where(market.active & (market.kinds == "external"), market.capacity_clients, 0.0)
        _unbounded_default(mins, cl, market, layout.default, self.name)
        guaranteed = (np.where(market.external & np.isfinite(mins), mins, 0.0)
                      if self.guarantee != "none" else None)
        return Caps(minutes=mins, clients=cl, external_total_minutes=float(total_cap),
                    guaranteed_minutes=guaranteed, external_share=self.external_share,
                    guarantee_rule=self.guarantee)

    def label(self) -> str:
        return f"LOU {100 * self.external_share:g} %"


# ------------------------------------------------------------------------------- Zoning
class Zoning(Regime):
    """One provider per area, clients assigned by address (the Strängnäs proposal 2022).

    The areas are procured: the municipality keeps some, the others are put out to tender in
    lots (one or several areas awarded together) and go to the external provider whose bid
    scores best (:mod:`hemopt.procurement`: price from staff time and travel from the bidder's
    office, a capacity check with a priced expansion, and a quality weight).

    Parameters
    ----------
    zones
        Area polygons (GeoDataFrame with ``zone_id``). Default: the scenario's areas, or, when
        it has none (or ``n_zones`` is given), areas designed by
        :func:`hemopt.zones.design_zones`: contiguous, compact, with balanced care hours.
    n_zones
        Number of areas to design.
    procured_share
        The target share of the care hours procured (default 0.5, the proposal's "at least
        half"). Where the procured areas hold less, the difference is reported as
        ``procurement_shortfall_hours_per_week``; it never makes another area procured.
    procured_zones
        Which areas are procured. Default: exactly the areas marked in the areas table's
        ``procured`` column when it has one (the presets record the actual decision:
        Strängnäs procured areas 1 and 2 and kept area 3); otherwise the municipality keeps
        the areas with the fewest care hours, smallest first, as long as the others still
        hold ``procured_share`` (with three balanced areas: it keeps one).
    lots
        The lots: ``{lot name: [zone ids]}``; areas of a lot are awarded together. Default:
        the areas table's ``lot`` column when it has one (areas with the same non-empty
        value form a lot; the ``strangnas`` preset puts areas 1 and 2 in one lot, as
        Strängnäs did), else one lot per area. Only procured areas are put out to tender.
    winners
        ``{zone_id: provider_id}``: awards decided by the user, instead of the evaluation.
        A winner whose stated ``capacity_hours`` or ``capacity_clients`` cannot take its area
        is refused.
    quality
        ``{provider_id: quality in [0, 1]}`` used in the evaluation (default 0 for all).
    tender
        The evaluation's constants (:class:`hemopt.procurement.Tender`: SEK per staff hour
        and per km, quality weight, expansion cost).
    quality_weight
        Shorthand for ``tender=Tender(quality_weight=...)``.
    weights
        :class:`CostWeights` (they only matter for the cost reported).
    seed
        Seed of the zone design when zones are designed.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> a = hemopt.assign(sc, hemopt.Zoning(procured_share=0.5))
    >>> a.problem.provider_of_zone["area3"]          # the preset keeps area 3 municipal
    'M'
    >>> a.problem.layout.lots                          # areas 1 and 2 are one lot
    {'areas 1-2': ('area1', 'area2')}
    >>> bids = a.problem.layout.bids
    >>> int(bids["winner"].sum()), bool(bids["capacity_ok"].all())
    (1, True)
    >>> int(a.clients.groupby("zone_id")["provider_id"].nunique().max())  # one per zone
    1

    Four zones designed for balanced care hours instead of the scenario's:

    >>> a4 = hemopt.assign(sc, hemopt.Zoning(n_zones=4))
    >>> len(a4.zones)
    4
    """

    name = "Zoning"
    clients_choose = False

    def __init__(self, zones: gpd.GeoDataFrame | None = None, *, n_zones: int | None = None,
                 procured_share: float = 0.5, procured_zones: Sequence[str] | None = None,
                 lots: Mapping[str, Sequence[str]] | None = None,
                 winners: dict[str, str] | None = None,
                 quality: Mapping[str, float] | None = None, tender: Tender | None = None,
                 quality_weight: float | None = None,
                 weights: CostWeights | None = None, seed: int = 0) -> None:
        if n_zones is not None and (isinstance(n_zones, (bool, np.bool_)) or not (
                isinstance(n_zones, (int, np.integer)) and n_zones >= 1)):
            raise InputError(f"n_zones must be a whole number >= 1, got {n_zones!r}")
        self.zones = zones
        self.n_zones = n_zones
        self.procured_share = _check_share("procured_share", procured_share)
        self.procured_zones = list(procured_zones) if procured_zones is not None else None
        self.lots = ({str(k): tuple(str(z) for z in v) for k, v in lots.items()}
                     if lots is not None else None)
        self.winners = winners
        self.quality = dict(quality) if quality else None
        if self.quality:
            for p, q in self.quality.items():
                _check_share(f"quality[{p!r}]", q)
        if tender is not None and not isinstance(tender, Tender):
            raise InputError(f"tender must be a hemopt.procurement.Tender, got "
                             f"{type(tender).__name__}")
        tender = tender or Tender()
        if quality_weight is not None:
            tender = dataclasses.replace(
                tender, quality_weight=_check_share("quality_weight", quality_weight))
        self.tender = tender
        self.weights = weights or CostWeights()
        self.seed = seed
        self._cache: tuple[Scenario, Layout] | None = None

    def costed(self, staff_sek_per_hour: float, sek_per_km: float, car: Any) -> Zoning:
        """This regime with its tender priced by a study's cost model (``CostParams``'
        staff hour and km, ``TravelModes.car``) where the tender states none
        (:meth:`hemopt.procurement.Tender.costed`); :func:`hemopt.compare` calls it. Returns
        a copy; ``self`` is unchanged."""
        tender = self.tender.costed(staff_sek_per_hour, sek_per_km, car)
        if tender == self.tender:
            return self
        out = copy.copy(self)
        out.tender = tender
        out._cache = None
        return out

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
            z = z.reset_index(drop=True)
            xy = scenario.client_xy()
            cover = shapely.union_all(z.geometry.values).buffer(1.0)
            out = ~shapely.intersects_xy(cover, xy[:, 0], xy[:, 1])
            if out.any():
                i = int(np.flatnonzero(out)[0])
                raise ScenarioError(
                    f"zones do not cover {int(out.sum())} client(s)", table="zones",
                    row=scenario.clients["client_id"].iloc[i], field="geometry",
                    value=f"POINT ({xy[i, 0]:.1f} {xy[i, 1]:.1f})")
            return z
        if self.n_zones is None and len(scenario.zones):
            return scenario.zones
        from hemopt.zones import design_zones

        k = self.n_zones or 3
        return design_zones(scenario, k, seed=self.seed).zones

    def layout(self, scenario: Scenario, market: Market | None = None) -> Layout:
        if self._cache is not None and self._cache[0] is scenario:
            return self._cache[1]
        market = market or Market.of(scenario)
        zones = self.zones_for(scenario)
        zone_ids = list(zones["zone_id"])
        kz = len(zones)
        xy = scenario.client_xy()
        zone, _ = zone_index(list(zones.geometry.values), xy)
        minutes = _minutes(scenario)
        zone_min = np.bincount(np.where(zone >= 0, zone, kz), weights=minutes,
                               minlength=kz + 1)[:kz]
        d = _default_provider(market, None)
        ext = np.flatnonzero(market.external)
        given = (zones["procured"].astype(bool).to_numpy()
                 if "procured" in zones.columns and self.procured_zones is None else None)
        procured = self._procured(zone_ids, zone_min, given)
        winners = dict(self.winners or {})
        for zid in winners:
            if zid not in zone_ids:
                raise InputError(f"winners: unknown zone {zid!r}; zones are {zone_ids}")
        poz = np.full(kz, d, dtype=np.int64)
        cap_h = market.capacity_minutes / 60.0
        for zid, pid in winners.items():
            k = zone_ids.index(zid)
            j = market.index(pid, f"winners[{zid!r}]")
            need = zone_min[k] / 60.0
            n_k = int((zone == k).sum())
            if j != d and need > cap_h[j] + 1e-9:
                raise InputError(
                    f"winners[{zid!r}]: provider {pid!r} has capacity_hours {cap_h[j]:g}, "
                    f"below area {zid!r}'s {need:.1f} h/week; raise its capacity or choose "
                    "another winner")
            if j != d and n_k > market.capacity_clients[j]:
                raise InputError(
                    f"winners[{zid!r}]: provider {pid!r} has capacity_clients "
                    f"{market.capacity_clients[j]:g}, below area {zid!r}'s {n_k} clients; "
                    "raise its capacity or choose another winner")
            poz[k] = j
        lots = self._lots(zones, zone_ids, procured & ~np.isin(zone_ids, list(winners)))
        bids = None
        if lots and len(ext):
            cur = scenario.current_index()
            cur_h = np.bincount(cur[cur >= 0], weights=minutes[cur >= 0] / 60.0,
                                minlength=len(market.provider_ids))
            bids, awards = evaluate_bids(
                [(name, [zone_ids.index(z) for z in zs]) for name, zs in lots.items()],
                list(ext), market.provider_ids, zone_ids=zone_ids, client_zone=zone,
                client_xy=xy, hours_per_week=minutes / 60.0,
                visits_per_week=scenario.clients["visits_per_day"].to_numpy(dtype=float) * 7,
                starts=scenario.bases_xy(), capacity_hours=cap_h, current_hours=cur_h,
                quality=self.quality, tender=self.tender,
                capacity_clients=market.capacity_clients)
            for name, j in awards.items():
                for z in lots[name]:
                    poz[zone_ids.index(z)] = j
        awarded = market.kinds[poz] == "external"
        target = self.procured_share * float(zone_min.sum())
        shortfall = max(target - float(zone_min[awarded].sum()), 0.0) / 60.0
        lay = Layout(zones=zones, default=d, provider_of_zone=poz, procured=awarded,
                     bids=bids, lots=lots or None, procurement_shortfall_hours=shortfall)
        self._cache = (scenario, lay)
        return lay

    def _lots(self, zones: gpd.GeoDataFrame, zone_ids: list[str],
              tendered: NDArray[np.bool_]) -> dict[str, tuple[str, ...]]:
        """The lots put out to tender: ``lots``, the areas table's ``lot`` column, or one
        lot per area; only the ``tendered`` areas, each in one lot."""
        if self.lots is not None:
            spec = self.lots
        elif "lot" in zones.columns:
            spec = {}
            for zid, lot in zip(zone_ids, zones["lot"], strict=True):
                key = str(lot) if isinstance(lot, str) and lot.strip() else zid
                spec[key] = (*spec.get(key, ()), zid)
        else:
            spec = {z: (z,) for z in zone_ids}
        seen: dict[str, str] = {}
        for name, zs in spec.items():
            for z in zs:
                if z not in zone_ids:
                    raise InputError(f"lots[{name!r}]: unknown zone {z!r}; zones are "
                                     f"{zone_ids}")
                if z in seen:
                    raise InputError(f"lots: zone {z!r} is in lots {seen[z]!r} and {name!r}; "
                                     "a zone belongs to one lot")
                seen[z] = name
        out = {}
        for name, zs in spec.items():
            keep = tuple(z for z in zs if tendered[zone_ids.index(z)])
            if keep:
                out[name] = keep
        for z, t in zip(zone_ids, tendered, strict=True):
            if t and z not in seen:
                out[z] = (z,)  # a procured area no lot names is a lot of its own
        return out

    def _procured(self, zone_ids: list[str], zone_min: NDArray,
                  given: NDArray[np.bool_] | None = None) -> NDArray[np.bool_]:
        """Which areas are procured: ``procured_zones``, the areas marked ``procured``, or
        the rule of the class docstring. Never more than that: a shortfall is reported."""
        kz = len(zone_ids)
        if self.procured_zones is not None:
            unknown = set(self.procured_zones) - set(zone_ids)
            if unknown:
                raise InputError(f"procured_zones: unknown zone(s) {sorted(unknown)}; zones "
                                 f"are {zone_ids}")
            return np.isin(zone_ids, self.procured_zones)
        if self.procured_share <= 0 or kz == 0:
            return np.zeros(kz, bool)
        if given is not None:
            return given.copy()
        # the municipality keeps the smallest areas while the others hold the target share
        sel = np.ones(kz, bool)
        total = float(zone_min.sum())
        for k in np.argsort(zone_min, kind="stable"):
            if sel.sum() <= 1:
                break
            sel[k] = False
            if float(zone_min[sel].sum()) < self.procured_share * total - 1e-9:
                sel[k] = True
                break
        return sel

    def choosable(self, layout: Layout, market: Market,
                  zone: NDArray[np.int64]) -> NDArray[np.bool_]:
        assert layout.provider_of_zone is not None
        n = len(zone)
        p = layout.provider_of_zone[np.maximum(zone, 0)]
        p = np.where(market.active[p], p, layout.default)
        out = np.zeros((n, len(market.provider_ids)), dtype=bool)
        out[np.arange(n), p] = True
        return out

    def caps(self, layout: Layout, market: Market, total_minutes: float) -> Caps:
        mins = np.where(market.active, market.capacity_minutes, 0.0)
        cl = np.where(market.active, market.capacity_clients, 0.0)
        _unbounded_default(mins, cl, market, layout.default, self.name)
        return Caps(minutes=mins, clients=cl)

    def _allowed(self, scenario: Scenario, lay: Layout, market: Market,
                 ok: NDArray[np.bool_], rank: NDArray[np.int64], zone: NDArray[np.int64],
                 seed: int) -> _Allowed:
        # by address: the area's provider; the municipality only when it has no room
        assert lay.provider_of_zone is not None and lay.procured is not None
        minutes = _minutes(scenario)
        zone_min = np.bincount(zone, weights=minutes, minlength=len(lay.zone_ids))
        n = scenario.n_clients
        allowed = ok.copy()
        allowed[:, lay.default] = True  # the fallback when the area's provider is full
        return allowed, np.full(n, -1, dtype=np.int64), {
            "procured_hours_share": float(zone_min[lay.procured].sum() / max(zone_min.sum(), 1)),
            "procured_zones": ",".join(z for z, p in zip(lay.zone_ids, lay.procured, strict=True)
                                       if p),
            "lots": "; ".join(f"{k}: {','.join(v)}" for k, v in (lay.lots or {}).items()),
        }

    def problem(self, scenario: Scenario, *, seed: int = 0) -> RegimeProblem:
        p = super().problem(scenario, seed=seed)
        # the municipality is a fallback only: it costs more than the area's provider
        cost = p.cost.copy()
        d = p.layout.default
        own = p.allowed.sum(axis=1) > 1
        cost[own, d] = cost[own, d] + self.weights.unserved / 2.0
        return dataclasses.replace(p, cost=cost)


# ------------------------------------------------------------------------------- names
def as_regime(obj: Any, what: str = "regime") -> Regime:
    """``obj`` if it is a :class:`Regime`, else a clear :class:`~hemopt.errors.InputError`."""
    if not isinstance(obj, Regime):
        raise InputError(f"{what}: expected a hemopt regime (LOV, LOU, Zoning or a Regime "
                         f"subclass), got {type(obj).__name__}")
    return obj


_REGIMES: dict[str, type[Regime]] = {"lov": LOV, "lou": LOU, "zoning": Zoning}


def regime_from_name(name: str, **params: Any) -> Regime:
    """A regime from its name (``"lov"``, ``"lou"``, ``"zoning"``, any case) and parameters.

    LOU's external share may follow its name: as a percentage with ``%`` (``"LOU 30 %"`` is
    0.3, ``"lou 1 %"`` is 0.01, ``"lou 0.5 %"`` is 0.005) or as a share in [0, 1] without
    it (``"lou0.3"``). A bare number above 1 is refused: ``"lou 30"`` could mean 30 % or a
    typo, so write ``"LOU 30 %"`` or ``"lou 0.3"``.

    Examples
    --------
    >>> regime_from_name("LOU", external_share=0.3).external_share
    0.3
    >>> regime_from_name("lou0.5").external_share
    0.5
    >>> regime_from_name("LOU 1 %").external_share
    0.01
    >>> regime_from_name("lov").name
    'LOV'
    >>> regime_from_name("lou 30")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: regime 'lou 30': a share without % must be in [0, 1], got 30; ...
    >>> regime_from_name("auction")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: regime: unknown regime 'auction'; choose lov, lou or zoning
    """
    import re

    text = str(name)
    m = re.fullmatch(r"\s*(lov|lou|zoning)\s*(?:(\d+(?:\.\d*)?|\.\d+)\s*(%)?)?\s*", text,
                     flags=re.IGNORECASE)
    if m is None:
        if re.match(r"\s*lou", text, flags=re.IGNORECASE):
            raise InputError(f"regime {name!r}: expected 'LOU', 'LOU <percent> %' or "
                             "'LOU <share in [0, 1]>', e.g. 'LOU 20 %' or 'lou 0.2'")
        raise InputError(f"regime: unknown regime {name!r}; choose lov, lou or zoning")
    key, number, pct = m.group(1).lower(), m.group(2), m.group(3)
    if number is not None:
        if key != "lou":
            raise InputError(f"regime {name!r}: only LOU takes a number (its external share)")
        if "external_share" in params:
            raise InputError(f"regime {name!r} and external_share={params['external_share']!r} "
                             "both give LOU's external share; give one")
        v = float(number)
        if pct:
            v = round(v / 100.0, 12)
        elif v > 1:
            raise InputError(f"regime {name!r}: a share without % must be in [0, 1], got "
                             f"{number}; write 'LOU {number} %' for {number} % or "
                             f"'lou {v / 100:g}'")
        params = {"external_share": v, **params}
    try:
        return _REGIMES[key](**params)
    except TypeError as exc:
        raise InputError(f"regime {name!r}: {exc}") from None
