"""Procurement with a guaranteed, capped external share (LOU): :class:`LOU`."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from hemopt.areas import serves_matrix
from hemopt.errors import InputError, ScenarioError
from hemopt.regimes._base import (
    GUARANTEE_RULES,
    Caps,
    CostWeights,
    Layout,
    Market,
    Regime,
    RegimeParam,
    _area_rows,
    _check_share,
    _default_provider,
    _is_share,
    _unbounded_default,
)
from hemopt.scenario import Scenario


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
    colour = "#dd8452"
    share_param = "external_share"
    parameters = (
        RegimeParam("external_share", "cap on externals (default 0.2)",
                    grid=_is_share, grid_must="a share in [0, 1]",
                    grid_default=0.2),
        RegimeParam("guarantee", "how clients who do not choose are placed while externals "
                    "are below their share: nearest (the default: the nearest external with "
                    "room in the client's area), below_share (the external furthest below its "
                    "share, however far) or none (the share is a cap only)", type=str,
                    choices=GUARANTEE_RULES, compare=True),
    )

    @classmethod
    def unavailable(cls, scenario: Scenario) -> str | None:
        hint = ("; give the scenario areas (hemopt generate --deso designs 3 by default, or "
                "--areas FILE) and external providers")
        if not len(scenario.zones):
            return "the scenario has no areas (zones) to procure" + hint
        if not (scenario.providers["kind"] == "external").any():
            return "the scenario has no external providers to procure from" + hint
        return None

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
        # the contract, before the external's own capacity: an external with no room (in
        # hours or in clients alike) is short of its guarantee, and the shortfall says so
        contract = (np.where(market.external & market.active, share, 0.0)
                    if self.guarantee != "none" else None)
        return Caps(minutes=mins, clients=cl, external_total_minutes=float(total_cap),
                    guaranteed_minutes=guaranteed, external_share=self.external_share,
                    guarantee_rule=self.guarantee, contract_minutes=contract)

    def label(self) -> str:
        return f"LOU {100 * self.external_share:g} %"

