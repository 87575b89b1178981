"""The parameters, events and regime schedules of :func:`hemopt.simulate.simulate`.

Split from :mod:`hemopt.simulate` (which re-exports every public name): the data a
simulation is given, validated where it is made.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hemopt.choice import ChoiceModel
from hemopt.errors import InputError
from hemopt.regimes import LOU, Regime

__all__ = ["RATING_QUALITY", "Event", "FollowUp", "ProviderEntry", "ProviderExit",
           "SimParams", "lou_schedule"]

#: Quality score set by a follow-up rating (the municipality's traffic lights).
RATING_QUALITY: dict[str, float] = {"green": 1.0, "yellow": 0.0, "red": -1.0}


# ------------------------------------------------------------------------------ parameters
@dataclass(frozen=True)
class SimParams:
    """Parameters of the monthly dynamics (sources and rationale in ``docs/simulate.md``).

    Parameters
    ----------
    inflow_rate_per_month
        Expected new clients per month as a share of the clients at month 0 (default 0.025).
    outflow_rate_per_month
        Probability that a client in care leaves care in a month: dies, moves to special
        housing (särskilt boende) or no longer needs help (default 0.025; with the default
        inflow the number of clients is steady around its start).
    annual_growth
        Yearly growth of the inflow (default 0.0; the population aged 80+ grows by a few per
        cent a year in the 2020s, set e.g. 0.03 to follow it).
    switch_rate_per_month
        Probability that a choosing client reconsiders its provider in a month (default 0.003,
        about 3.5 % a year: few clients switch on their own).
    non_chooser_share
        Share of new clients who do not choose (default ``None``: the share of clients with an
        empty ranking in the scenario).
    choice
        The choice model of new and reconsidering clients (default ``None``: the scenario's
        preset's, else :class:`~hemopt.choice.ChoiceModel` defaults).
    entry_asc
        Provider constant of an entering provider when its event gives none (default ``None``:
        the median constant of the external providers at month 0).
    routing_iterations
        Solver iterations per provider and shift when the routing months use the VRPTW solver
        (default 100: a rough but deterministic figure).
    queue_discipline
        ``"fifo"`` (default): each provider takes its queue strictly in order of waiting time;
        while a client waits for it, nobody behind (and no new client) gets in before, even if
        a smaller client would fit. ``"first_fit"``: the queue is still gone through in order of
        waiting time, but a client who does not fit is passed over by one who does.

    Examples
    --------
    >>> import hemopt
    >>> p = hemopt.SimParams(annual_growth=0.03, queue_discipline="first_fit")
    >>> p.inflow_rate_per_month, p.outflow_rate_per_month, p.annual_growth
    (0.025, 0.025, 0.03)
    >>> hemopt.SimParams(queue_discipline="random")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: SimParams.queue_discipline must be 'fifo' or 'first_fit', got 'random'
    """

    inflow_rate_per_month: float = 0.025
    outflow_rate_per_month: float = 0.025
    annual_growth: float = 0.0
    switch_rate_per_month: float = 0.003
    non_chooser_share: float | None = None
    choice: ChoiceModel | None = None
    entry_asc: float | None = None
    routing_iterations: int = 100
    queue_discipline: str = "fifo"

    def __post_init__(self) -> None:
        for name in ("inflow_rate_per_month", "outflow_rate_per_month",
                     "switch_rate_per_month"):
            _check_rate(f"SimParams.{name}", getattr(self, name))
        if self.non_chooser_share is not None:
            _check_rate("SimParams.non_chooser_share", self.non_chooser_share)
        g = self.annual_growth
        if not (_is_number(g) and math.isfinite(g) and -1.0 < g <= 1.0):
            raise InputError(f"SimParams.annual_growth must be a number in (-1, 1], got {g!r}")
        if self.choice is not None and not isinstance(self.choice, ChoiceModel):
            raise InputError(f"SimParams.choice must be a ChoiceModel, got "
                             f"{type(self.choice).__name__}")
        if self.entry_asc is not None and not (_is_number(self.entry_asc)
                                               and math.isfinite(self.entry_asc)):
            raise InputError(f"SimParams.entry_asc must be a finite number, got "
                             f"{self.entry_asc!r}")
        if self.queue_discipline not in ("fifo", "first_fit"):
            raise InputError(f"SimParams.queue_discipline must be 'fifo' or 'first_fit', got "
                             f"{self.queue_discipline!r}")
        it = self.routing_iterations
        if not (isinstance(it, (int, np.integer)) and not isinstance(it, bool) and it >= 1):
            raise InputError(f"SimParams.routing_iterations must be a whole number >= 1, "
                             f"got {it!r}")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _check_rate(name: str, v: Any) -> float:
    if not (_is_number(v) and math.isfinite(v) and 0.0 <= v <= 1.0):
        raise InputError(f"{name} must be a rate in [0, 1] per month, got {v!r}")
    return float(v)


# ------------------------------------------------------------------------------ events
@dataclass(frozen=True)
class ProviderExit:
    """Provider ``provider`` closes down at the start of ``month`` (1-based); all its clients
    are moved within that month.

    Examples
    --------
    Under LOV the largest private provider closes in month 3; its clients move at once:

    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> res = hemopt.simulate(sc, hemopt.LOV(), years=1, seed=1,
    ...                       events=[hemopt.ProviderExit("E1", 3)])
    >>> e1 = res.providers[res.providers["provider_id"] == "E1"].set_index("month")
    >>> int(e1.loc[3, "clients"]), bool(e1.loc[3, "active"])
    (0, False)
    """

    provider: str
    month: int


@dataclass(frozen=True)
class ProviderEntry:
    """A new provider starts at ``month``.

    ``zones``: the zones it serves (empty: all). Office at ``(x_m, y_m)`` (EPSG:3006), or, when
    not given, at a stairwell drawn by dwellings in its zones. ``asc``: its provider constant in
    the choice model (default :attr:`SimParams.entry_asc`). Capacities as in the scenario's
    ``providers`` table (used under LOV; under LOU the cap decides).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> new = hemopt.ProviderEntry("E8", month=2, name="New provider")
    >>> res = hemopt.simulate(sc, hemopt.LOV(), years=1, seed=1, events=[new])
    >>> list(res.events["event"])
    ['entry']
    >>> bool(res.providers.query("provider_id == 'E8' and month == 12")["active"].iloc[0])
    True
    """

    provider: str
    month: int
    name: str | None = None
    kind: str = "external"
    zones: tuple[str, ...] = ()
    x_m: float | None = None
    y_m: float | None = None
    asc: float | None = None
    capacity_clients: float = math.inf
    capacity_hours: float = math.inf


@dataclass(frozen=True)
class FollowUp:
    """The municipality's follow-up of ``provider`` at ``month``: ``rating`` ``"green"``,
    ``"yellow"`` or ``"red"`` sets its quality score to +1, 0 or -1 (:data:`RATING_QUALITY`).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> res = hemopt.simulate(sc, hemopt.LOV(), years=1, seed=1,
    ...                       events=[hemopt.FollowUp("E2", 6, "red")])
    >>> ev = res.events.iloc[0]
    >>> ev["event"], float(ev["quality_before"]), float(ev["quality_after"])
    ('rating', 0.0, -1.0)
    """

    provider: str
    month: int
    rating: str


Event = ProviderExit | ProviderEntry | FollowUp


# ------------------------------------------------------------------------------ schedules
def lou_schedule(*shares: float | Iterable[float], **lou_kwargs: Any) -> list[LOU]:
    """One :class:`~hemopt.regimes.LOU` per year with the given external shares.

    ``lou_schedule(0.2, 0.3, 0.5)`` (or ``lou_schedule([0.2, 0.3, 0.5])``) is the Botkyrka
    path: 20 % external in the first year, at most 50 % later. Other keyword arguments go to
    every :class:`LOU` (``split``, ``weights``, ...).

    Examples
    --------
    >>> [r.external_share for r in lou_schedule(0.2, 0.3, 0.5)]
    [0.2, 0.3, 0.5]
    """
    if len(shares) == 1 and not _is_number(shares[0]):
        shares = tuple(shares[0])  # type: ignore[arg-type]
    if not shares:
        raise InputError("schedule: give at least one external share")
    out = []
    values: list[Any] = list(shares)
    for k, s in enumerate(values):
        if not (_is_number(s) and math.isfinite(s) and 0.0 <= s <= 1.0):
            raise InputError(f"schedule[{k}]: external share must be in [0, 1], got {s!r}")
        out.append(LOU(external_share=float(s), **lou_kwargs))
    return out


def _schedule_fn(schedule: Any, years: int) -> Callable[[int], Regime]:
    if isinstance(schedule, Regime):
        return lambda month: schedule
    if callable(schedule):
        def fn(month: int) -> Regime:
            r = schedule(month)
            if not isinstance(r, Regime):
                raise InputError(f"regime_schedule({month}) returned {type(r).__name__}, "
                                 "expected a Regime (LOV, LOU or Zoning)")
            return r
        return fn
    if isinstance(schedule, (str, bytes)) or not isinstance(schedule, Sequence):
        raise InputError(f"regime_schedule must be a Regime, a list of regimes (one per year) "
                         f"or a callable month -> Regime, got {type(schedule).__name__}")
    regimes = list(schedule)
    if not regimes:
        raise InputError("regime_schedule: the list is empty")
    if len(regimes) > years:
        raise InputError(f"regime_schedule: {len(regimes)} regimes for {years} year(s); give "
                         "one per year (the last one continues if fewer)")
    for k, r in enumerate(regimes):
        if not isinstance(r, Regime):
            raise InputError(f"regime_schedule[{k}] must be a Regime, got {type(r).__name__}")
    return lambda month: regimes[min((month - 1) // 12, len(regimes) - 1)]
