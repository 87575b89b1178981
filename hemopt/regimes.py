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

import dataclasses
import math
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
from hemopt.scenario import CRS, Scenario

__all__ = [
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
    ``external_share`` is the share behind ``external_total_minutes`` (NaN when uncapped).
    """

    minutes: NDArray[np.float64]
    clients: NDArray[np.float64]
    external_total_minutes: float = math.inf
    guaranteed_minutes: NDArray[np.float64] | None = None
    external_share: float = math.nan


def has_room(caps: Caps, j: int, minutes: float, load_clients: NDArray, load_minutes: NDArray,
             external: NDArray[np.bool_]) -> bool:
    """Whether provider ``j`` can take one more client of ``minutes`` a week under ``caps``."""
    if load_clients[j] + 1 > caps.clients[j] or load_minutes[j] + minutes > caps.minutes[j]:
        return False
    if external[j] and math.isfinite(caps.external_total_minutes):
        return float(load_minutes[external].sum()) + minutes <= caps.external_total_minutes
    return True


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
    procurement
        Zoning: the bids (one row per area and bidder: ``zone_id``, ``provider_id``,
        ``price_sek_per_week``, ``evaluated_price``, ``winner``); None otherwise.
    contracts
        LOU: ``(n_areas + 1, n_contracted)`` areas each provider is contracted for, when the
        regime overrides the providers' own areas; None otherwise (see :meth:`serves`).
    """

    zones: gpd.GeoDataFrame
    default: int
    provider_of_zone: NDArray[np.int64] | None = None
    procured: NDArray[np.bool_] | None = None
    procurement: pd.DataFrame | None = None
    contracts: NDArray[np.bool_] | None = None

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
        if bounded_min and bounded_cl:
            raise InputError(f"{self.name}: providers have both capacity_clients and "
                             "capacity_hours; give one kind of capacity")
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
            return _fifo(problem, market, minutes, seed)
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
            if isinstance(v, CostWeights):
                v = vars(v).copy()
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


def _check_share(name: str, v: float) -> float:
    if not (isinstance(v, (int, float, np.floating)) and math.isfinite(v) and 0 <= v <= 1):
        raise InputError(f"{name} must be a share in [0, 1], got {v!r}")
    return float(v)


def _minutes(scenario: Scenario) -> NDArray[np.float64]:
    return np.round(scenario.clients["hours_per_week"].to_numpy(dtype=float) * 60.0)


def _area_rows(zone: NDArray[np.int64], n_zones: int) -> NDArray[np.int64]:
    """Row of :attr:`Market.serves` for each area index (-1, no area, is the last row)."""
    return np.where(zone >= 0, zone, n_zones)


def _fifo(p: RegimeProblem, market: Market, minutes: NDArray[np.float64],
          seed: int) -> RegimeProblem:
    """First come, first served: clients, in order of request, get their best-ranked allowed
    provider that has room; a client refused by its wanted provider waits for it (served by
    the default meanwhile), and nobody behind it in the queue gets that provider first
    (strict FIFO: a lighter client never overtakes). Then the guarantee: externals below
    their guaranteed minutes take non-choosers of their areas, in order of request.

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
    shortfall = 0.0
    g = p.caps.guaranteed_minutes
    if g is not None and (g > 0).any():
        chooser = (rank >= 0).any(axis=1)
        rows = _area_rows(p.zone, len(p.layout.zone_ids))
        serves = p.layout.serves(market)
        for i in order:
            if chooser[i] or prov[i] != d:
                continue
            short = np.where(ext & serves[rows[i]], g - load_min, 0.0)
            j = int(np.argmax(short))
            if short[j] > 0 and has_room(p.caps, j, minutes[i], load_n, load_min, ext):
                prov[i] = j
                load_n[j] += 1
                load_n[d] -= 1
                load_min[j] += minutes[i]
                load_min[d] -= minutes[i]
        shortfall = float(np.maximum(g - load_min, 0.0)[ext].sum())
    allowed = np.zeros((n, m), dtype=bool)
    allowed[np.arange(n), prov] = True
    cost = np.where(allowed, 0.0, np.inf)  # the allocation is decided; the flow keeps it
    return dataclasses.replace(
        p, allowed=allowed, cost=cost,
        details={**p.details, "guarantee_shortfall_hours": shortfall / 60.0,
                 "queue_policy": "fifo"})


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
        mins[layout.default] = math.inf  # the municipality must serve everyone left
        cl[layout.default] = math.inf
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
    default); the municipality takes the rest. The share is a cap and, with ``guarantee``
    (default), also a guarantee: externals below their share take clients who did not choose.
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
        The share is also guaranteed (default True): non-choosers fill it, in order of request.
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
                 split: dict[str, float] | None = None, guarantee: bool = True,
                 queue_policy: str = "fifo", weights: CostWeights | None = None) -> None:
        self.external_share = _check_share("external_share", external_share)
        self.providers_per_area = providers_per_area
        self.split = split
        self.guarantee = bool(guarantee)
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
        mins[layout.default] = math.inf
        cl[layout.default] = math.inf
        guaranteed = (np.where(market.external & np.isfinite(mins), mins, 0.0)
                      if self.guarantee else None)
        return Caps(minutes=mins, clients=cl, external_total_minutes=float(total_cap),
                    guaranteed_minutes=guaranteed, external_share=self.external_share)

    def label(self) -> str:
        return f"LOU {100 * self.external_share:g} %"


# ------------------------------------------------------------------------------- Zoning
class Zoning(Regime):
    """One provider per area, clients assigned by address (the Strängnäs proposal 2022).

    The areas are procured: the municipality keeps some, the others go to the external
    provider that wins each area's procurement (one company may win several).

    Parameters
    ----------
    zones
        Area polygons (GeoDataFrame with ``zone_id``). Default: the scenario's areas, or, when
        it has none (or ``n_zones`` is given), areas designed by
        :func:`hemopt.zones.design_zones`: contiguous, compact, with balanced care hours.
    n_zones
        Number of areas to design.
    procured_share
        At least this share of the care hours is procured (default 0.5, the proposal's "at
        least half").
    procured_zones
        Which areas are procured. Default: the areas' ``procured`` column when the areas table
        has one (the presets record the actual decision: Strängnäs procured areas 1 and 2 and
        kept area 3); otherwise, after the proposal's shape (three areas, two procured, one
        municipal), the municipality keeps the area with the fewest care hours and every other
        area is procured. If that procures less than ``procured_share``, every area is.
    winners
        ``{zone_id: provider_id}`` for procured areas. Default: the procurement rule, the
        lowest evaluated price. Every external provider bids; its price for an area is the
        modelled travel cost of serving it from its nearest office,
        ``sum(visits per week x 2 x distance) x sek_per_km`` (all bidders are assumed to offer
        the same hourly rate, so travel decides), multiplied by ``1 - quality_weight x
        quality`` (quality in [0, 1], default equal for all).
    quality, quality_weight
        ``{provider_id: score in [0, 1]}`` and its weight in the evaluation (default none).
    sek_per_km
        Cost per km used in the evaluated price (default 4 + 300/40: a car plus a staff hour
        at 40 km/h).
    weights
        :class:`CostWeights` (they only matter for the cost reported).
    seed
        Seed of the zone design when zones are designed.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> a = hemopt.assign(sc, hemopt.Zoning(procured_share=0.5))
    >>> sorted(a.problem.provider_of_zone) == sorted(sc.zones["zone_id"])
    True
    >>> a.summary()["procured_hours_share"] >= 0.5
    True
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
                 winners: dict[str, str] | None = None,
                 quality: Mapping[str, float] | None = None, quality_weight: float = 0.0,
                 sek_per_km: float = 4.0 + 300.0 / 40.0,
                 weights: CostWeights | None = None, seed: int = 0) -> None:
        if n_zones is not None and not (isinstance(n_zones, (int, np.integer)) and n_zones >= 1):
            raise InputError(f"n_zones must be a whole number >= 1, got {n_zones!r}")
        self.zones = zones
        self.n_zones = n_zones
        self.procured_share = _check_share("procured_share", procured_share)
        self.procured_zones = list(procured_zones) if procured_zones is not None else None
        self.winners = winners
        self.quality = dict(quality) if quality else None
        self.quality_weight = _check_share("quality_weight", quality_weight)
        if self.quality:
            for p, q in self.quality.items():
                _check_share(f"quality[{p!r}]", q)
        if not (isinstance(sek_per_km, (int, float)) and math.isfinite(sek_per_km)
                and sek_per_km > 0):
            raise InputError(f"sek_per_km must be a number > 0, got {sek_per_km!r}")
        self.sek_per_km = float(sek_per_km)
        self.weights = weights or CostWeights()
        self.seed = seed
        self._cache: tuple[Scenario, Layout] | None = None

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
        zone, _ = zone_index(list(zones.geometry.values), scenario.client_xy())
        minutes = _minutes(scenario)
        zone_min = np.bincount(zone, weights=minutes, minlength=kz)
        d = _default_provider(market, None)
        ext = np.flatnonzero(market.external)
        given = (zones["procured"].astype(bool).to_numpy()
                 if "procured" in zones.columns and self.procured_zones is None else None)
        procured = (self._procured(zone_ids, zone_min, given) if len(ext)
                    else np.zeros(kz, bool))
        winners = dict(self.winners or {})
        for zid in winners:
            if zid not in zone_ids:
                raise InputError(f"winners: unknown zone {zid!r}; zones are {zone_ids}")
        poz = np.full(kz, d, dtype=np.int64)
        bids = []
        visits = scenario.clients["visits_per_day"].to_numpy(dtype=float) * 7.0
        xy = scenario.client_xy()
        starts = scenario.bases_xy()
        for k in range(kz):
            if zone_ids[k] in winners:
                poz[k] = market.index(winners[zone_ids[k]], f"winners[{zone_ids[k]!r}]")
                continue
            if not procured[k]:
                continue
            in_k = zone == k
            rows = []
            for j in ext:
                pid = market.provider_ids[j]
                dist = cdist(xy[in_k], starts[pid]).min(axis=1) if in_k.any() else np.zeros(0)
                price = float((visits[in_k] * 2.0 * dist / 1000.0).sum() * self.sek_per_km)
                q = (self.quality or {}).get(pid, 0.0)
                rows.append({"zone_id": zone_ids[k], "provider_id": pid,
                             "price_sek_per_week": price,
                             "evaluated_price": price * (1.0 - self.quality_weight * q)})
            best = min(range(len(rows)), key=lambda r: (rows[r]["evaluated_price"], r))
            for r, row in enumerate(rows):
                row["winner"] = r == best
            bids.extend(rows)
            poz[k] = ext[best]
        procured = market.kinds[poz] == "external"
        lay = Layout(zones=zones, default=d, provider_of_zone=poz, procured=procured,
                     procurement=pd.DataFrame(bids) if bids else None)
        self._cache = (scenario, lay)
        return lay

    def _procured(self, zone_ids: list[str], zone_min: NDArray,
                  given: NDArray[np.bool_] | None = None) -> NDArray[np.bool_]:
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
            sel = given.copy()
        else:
            sel = np.ones(kz, bool)
            if kz > 1:
                sel[int(np.argmin(zone_min))] = False
        total = zone_min.sum()
        if total > 0 and zone_min[sel].sum() < self.procured_share * total - 1e-9:
            sel[:] = True
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
        mins[layout.default] = math.inf
        cl[layout.default] = math.inf
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

    A trailing number is LOU's external share: ``"lou0.3"`` or ``"LOU 30 %"``.

    Examples
    --------
    >>> regime_from_name("LOU", external_share=0.3).external_share
    0.3
    >>> regime_from_name("lou0.5").external_share
    0.5
    >>> regime_from_name("lov").name
    'LOV'
    >>> regime_from_name("auction")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: regime: unknown regime 'auction'; choose lov, lou or zoning
    """
    key = str(name).strip().lower().replace("%", "").replace(" ", "")
    if key.startswith("lou") and key[3:]:
        try:
            v = float(key[3:])
        except ValueError:
            v = None
        if v is not None:
            params = {"external_share": v / 100.0 if v > 1 else v, **params}
            key = "lou"
    if key not in _REGIMES:
        raise InputError(f"regime: unknown regime {name!r}; choose lov, lou or zoning")
    try:
        return _REGIMES[key](**params)
    except TypeError as exc:
        raise InputError(f"regime {name!r}: {exc}") from None
