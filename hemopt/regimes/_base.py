"""The regimes' common ground: the market, capacities, layouts, the assignment problem and
the :class:`Regime` base class with its registry attributes (internal; import from
:mod:`hemopt.regimes`)."""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.spatial.distance import cdist

from hemopt.areas import serves_matrix, zone_index
from hemopt.errors import InputError, ScenarioError
from hemopt.procurement import Tender
from hemopt.scenario import Scenario


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
class RegimeParam:
    """A keyword of a regime's constructor that the command line offers as an option (and,
    with ``grid``, the sweep as a grid key). Declared once, in the regime class's
    :attr:`Regime.parameters`; ``hemopt assign`` and ``hemopt compare`` generate their
    options from the registry (:func:`hemopt.regimes.registered_regimes`).

    Parameters
    ----------
    name
        The constructor keyword (the option is ``--`` and the name with ``-`` for ``_``).
    help
        What the option does (the CLI prefixes the regime's name).
    type
        Converts the option's text (``float``, ``int``, ``str``).
    choices
        The values the option accepts, when they are few.
    compare
        Also an option of ``hemopt compare``, where it applies to the regime's default
        instance (:meth:`Regime.for_scenario`); otherwise ``hemopt assign`` only.
    grid, grid_must, grid_default
        A sweep grid key (:func:`hemopt.sweep.sweep`): the test of one value, what a value
        must be (for the error), and the value when the grid does not give it.

    Examples
    --------
    >>> from hemopt.regimes import LOU
    >>> [(p.name, p.flag) for p in LOU.parameters]
    [('external_share', '--external-share'), ('guarantee', '--guarantee')]
    """

    name: str
    help: str
    type: Callable[[str], Any] = float
    choices: tuple[str, ...] | None = None
    compare: bool = False
    grid: Callable[[Any], bool] | None = None
    grid_must: str = ""
    grid_default: Any = None

    @property
    def flag(self) -> str:
        """The command-line option, e.g. ``--external-share``."""
        return "--" + self.name.replace("_", "-")


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
    ``contract_minutes`` is each external's contracted share before its own capacity (the
    guarantee shortfall is measured against it, whichever kind of capacity an external
    has; ``None``: ``guaranteed_minutes``).
    """

    minutes: NDArray[np.float64]
    clients: NDArray[np.float64]
    external_total_minutes: float = math.inf
    guaranteed_minutes: NDArray[np.float64] | None = None
    external_share: float = math.nan
    guarantee_rule: str = "none"
    contract_minutes: NDArray[np.float64] | None = None


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

    # ---------------------------------------------------------------- the registry
    #: The registry key (``name`` in lower case when empty): what ``regime_from_name`` and
    #: the CLI's ``--regime`` and ``--regimes`` take.
    key: ClassVar[str] = ""
    #: The regime's colour in the report's charts and maps.
    colour: ClassVar[str] = "#7f7f7f"
    #: True for the regime the others are compared with (LOV); at most one registered.
    baseline: ClassVar[bool] = False
    #: Whether :func:`hemopt.compare.default_regimes` runs it (where :meth:`unavailable`
    #: allows).
    in_default: ClassVar[bool] = True
    #: Constructor keywords offered as command-line options and sweep grid keys.
    parameters: ClassVar[tuple[RegimeParam, ...]] = ()
    #: The keyword a number after the name gives (``"LOU 30 %"``: ``external_share``).
    share_param: ClassVar[str | None] = None

    @classmethod
    def unavailable(cls, scenario: Scenario) -> str | None:
        """Why the regime cannot run on ``scenario`` (then :func:`hemopt.compare.
        default_regimes` leaves it out and ``hemopt compare`` says why), or None."""
        return None

    @classmethod
    def for_scenario(cls, scenario: Scenario, *, seed: int = 0, **params: Any) -> Regime:
        """The instance :func:`hemopt.compare.default_regimes` runs on ``scenario`` with
        ``params`` (the regime's keywords given by the caller); ``seed`` is the run's."""
        return cls(**params)

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
        raise ScenarioError(
            "the scenario has no municipal provider to serve as default (the provider that "
            "takes the clients who do not choose, and those no other provider can take): mark "
            "one provider's kind as 'municipal' in the provider list, or in Python give "
            "LOV(default=<provider id>)", table="providers", field="kind",
            value=", ".join(sorted(set(market.kinds))))
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


def _is_whole(v: Any) -> bool:
    """A whole number (not a boolean): a sweep grid value's test."""
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_share(v: Any) -> bool:
    """A finite number in [0, 1] (not a boolean): a sweep grid value's test."""
    return (isinstance(v, numbers.Real) and not isinstance(v, bool)
            and math.isfinite(float(v)) and 0 <= float(v) <= 1)


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
        chooser = np.asarray((rank >= 0).any(axis=1), dtype=bool)
        rows = _area_rows(p.zone, len(p.layout.zone_ids))
        serves = p.layout.serves(market)
        for i in order:
            if chooser[i] or prov[i] != d:
                continue
            dist = np.hypot(*(market.office_xy - client_xy[i]).T)
            candidates = np.asarray(ext & serves[rows[i]], dtype=bool)
            j = guarantee_pick(p.caps, candidates, minutes[i], load_n, load_min,
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


