"""One provider per area, clients assigned by address (zoning): :class:`Zoning`."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from hemopt.areas import zone_index
from hemopt.errors import InputError, ScenarioError
from hemopt.procurement import Tender, evaluate_bids
from hemopt.regimes._base import (
    Caps,
    CostWeights,
    Layout,
    Market,
    Regime,
    RegimeParam,
    RegimeProblem,
    _Allowed,
    _check_share,
    _default_provider,
    _is_share,
    _is_whole,
    _minutes,
    _unbounded_default,
)
from hemopt.scenario import CRS, Scenario


def _default_n_zones(scenario: Scenario) -> int:
    """Three zones, or one per stairwell with clients when there are fewer (a scenario of
    one client, or of many at one address)."""
    return max(1, min(3, int(scenario.clients["stairwell_id"].nunique())))


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
    colour = "#55a868"
    parameters = (
        RegimeParam("n_zones", "design this many zones", type=int,
                    grid=lambda v: v is None or (_is_whole(v) and 1 <= v <= 200),
                    grid_must="a whole number in [1, 200]"),
        RegimeParam("procured_share", "external share (default 0.5)",
                    grid=_is_share, grid_must="a share in [0, 1]",
                    grid_default=0.5),
        RegimeParam("quality_weight", "the weight of quality in the procurement's "
                    "evaluation, in [0, 1] (default 0: price only)", compare=True),
    )

    @classmethod
    def for_scenario(cls, scenario: Scenario, *, seed: int = 0, **params: Any) -> Zoning:
        """Zoning on the scenario's areas, or on three designed ones when it has none (as
        many as there are stairwells with clients, when fewer: a zone is whole stairwells);
        ``seed`` draws the design."""
        if params.get("n_zones") is None and not len(scenario.zones):
            params["n_zones"] = _default_n_zones(scenario)
        return cls(seed=seed, **params)

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

        k = self.n_zones or _default_n_zones(scenario)
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
                                minlength=len(market.provider_ids)).astype(float)
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

