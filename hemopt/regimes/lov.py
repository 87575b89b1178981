"""Free choice (LOV): :class:`LOV`."""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from hemopt.regimes._base import (
    Caps,
    CostWeights,
    Layout,
    Market,
    Regime,
    RegimeParam,
    RegimeProblem,
    _Allowed,
    _area_rows,
    _check_share,
    _default_provider,
    _unbounded_default,
)
from hemopt.scenario import Scenario


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
    colour = "#4a6fa5"
    baseline = True
    parameters = (
        RegimeParam("switch_propensity", "loyalty (default 0.1)"),
    )

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

    def problem(self, scenario: Scenario, *, seed: int = 0) -> RegimeProblem:
        """The base problem, with the default as the loyal clients' last resort: a client who
        stays with a current provider that has no room for it (a capacity below today's
        clients) goes to the default, never unserved. Its cost, half the unserved penalty,
        is above any other arrangement, so it changes nothing while the current provider
        has room."""
        p = super().problem(scenario, seed=seed)
        d = p.layout.default
        loyal = ~p.allowed[:, d]
        if self.queue_policy == "fifo" or not loyal.any():
            return p  # first come, first served already falls back to the default
        allowed = p.allowed.copy()
        allowed[loyal, d] = True
        cost = p.cost.copy()
        cost[loyal, d] = self.weights.unserved / 2.0
        return dataclasses.replace(p, allowed=allowed, cost=cost)

