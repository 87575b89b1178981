"""Dynamics over years: arrivals and departures, queues, staged external shares, provider exit,
follow-up ratings.

:func:`simulate` steps a municipality month by month. The static assignment
(:func:`hemopt.assignment.assign`) optimises one snapshot; here clients come and go, choose
when they arrive, wait in first-come-first-served queues for a provider with no room, and move
when a provider closes down or the regime changes. The model and its parameters are described
in ``docs/simulate.md``.

Month ``0`` is the starting state: the static assignment of the scenario under the regime of
month 1 (its queues start with a waiting time of 0). Each month ``t = 1 .. 12 * years`` then
runs, in this order:

1. **Regime and events.** The month's regime comes from the schedule. Events of the month are
   applied: entries (a new provider becomes active), follow-up ratings (green/yellow/red set the
   provider's quality score to +1/0/-1; the score enters the choice model), exits (every client
   of the exiting provider is moved within the month: under LOV to the next provider in its
   ranking that has room, under LOU by the same rule among the contracted providers, under
   zoning to the default provider). Rankings keep the exited provider, so its clients no
   longer count as having their first choice until they reconsider or leave.
2. **Rule moves.** Clients whose provider the regime no longer allows (a new regime, a new
   zone) are moved by the regime's rule.
3. **Departures.** Every client in care leaves with probability ``outflow_rate_per_month``.
4. **Arrivals.** ``Poisson(inflow_rate_per_month * N0 * (1 + annual_growth) ** (t / 12))`` new
   clients (``N0``: clients at month 0), at stairwells drawn by dwellings (weighted by building
   kind as in :mod:`hemopt.synth`), with hours from the synthetic distribution; a share choose
   and rank providers by the choice model (with the providers' current quality scores).
5. **Capacities.** Under LOU the externals together may hold ``floor(share * total minutes)``
   of the weekly care minutes of the clients in care (arrivals included), split between the
   active externals (equally, or by ``LOU.split``). If they hold more (the total fell, or the
   share was lowered), the provider furthest above its part returns its most recently placed
   client to the municipality, who then queues for it again (``cap_returns``).
6. **Re-evaluation.** Each choosing client in care re-ranks the providers with probability
   ``switch_rate_per_month`` (with inertia towards the current provider and the current
   quality scores); a client who now prefers another provider joins its queue.
7. **Queues.** Queued clients are served in order of waiting time, first come, first served,
   each moving when its wanted provider has room. By default (``queue_discipline="fifo"``) a
   provider takes nobody else while the client at the head of its queue does not fit;
   ``"first_fit"`` lets a client who fits pass one who does not. Queued clients are served by
   their current provider (usually the municipality) while they wait.
8. **Placement of the new clients**, in arrival order: the best-ranked provider the regime lets
   them choose that has room (and, under strict FIFO, no queue), otherwise the default
   provider; a client who did not get the wanted provider joins the end of its queue.

Everything is drawn from one ``numpy.random.default_rng(seed)``: the same arguments give the
same trajectory.

Examples
--------
>>> import hemopt
>>> from hemopt.simulate import simulate, lou_schedule
>>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
>>> res = simulate(sc, lou_schedule(0.2, 0.3), years=2, seed=1)
>>> len(res.monthly)  # months 0..24
25
>>> bool((res.monthly["external_hours_per_week"]
...       <= res.monthly["external_cap_hours_per_week"] + 1e-9).all())
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hemopt._io import write_csv
from hemopt._progress import sayer
from hemopt.areas import zone_index
from hemopt.choice import ChoiceModel
from hemopt.errors import InputError
from hemopt.regimes import LOU, Caps, Layout, Market, Regime, as_regime, guarantee_pick, has_room
from hemopt.scenario import CRS, PROVIDER_KINDS, Scenario

__all__ = [
    "RATING_QUALITY",
    "FollowUp",
    "ProviderEntry",
    "ProviderExit",
    "SimParams",
    "SimulationResult",
    "lou_schedule",
    "simulate",
]

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
    for k, s in enumerate(shares):
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


# ------------------------------------------------------------------------------ result
@dataclass(frozen=True, eq=False)
class SimulationResult:
    """The trajectory of a simulation.

    Attributes
    ----------
    monthly
        One row per month (0 = start): see ``docs/simulate.md`` for the columns.
    providers
        One row per provider and month: ``clients``, ``hours_per_week``, ``share_hours``,
        ``queue``, ``queue_wait_mean_months``, ``cap_hours_per_week``, ``quality``, ``active``,
        ``gained`` (clients placed with it: new ones and movers), ``lost`` (clients moved away)
        and ``departed`` (its clients who left care).
    events
        The events applied, with the clients an exit moved.
    assignments
        One row per client in care per month: ``month``, ``client_id``, ``provider_id``,
        ``queue_for`` (``""`` when not queueing) and ``queued_since`` (the month the client
        joined that queue, -1 when not queueing).
    clients
        One row per client ever in care: ``client_id``, ``entered_month`` (0 for the
        scenario's), ``left_month`` (-1 while in care), ``chooser``, ``hours_per_week``,
        ``stairwell_id``, ``provider_id`` (last), ``first_choice`` (at the end).
    parameters
        The parameters, the seed and the schedule, JSON-friendly.

    Examples
    --------
    Made by :func:`simulate`:

    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> res = hemopt.simulate(sc, hemopt.lou_schedule(0.2, 0.5), years=2, seed=1)
    >>> len(res.monthly), int(res.monthly["month"].max())      # month 0 is the start
    (25, 24)
    >>> list(res.by_year()["regime"])
    ['LOU 20 %', 'LOU 50 %']
    """

    monthly: pd.DataFrame
    providers: pd.DataFrame
    events: pd.DataFrame
    assignments: pd.DataFrame
    clients: pd.DataFrame
    parameters: dict[str, Any]
    scenario_name: str = ""
    runtime_s: float = 0.0

    def by_year(self) -> pd.DataFrame:
        """One row per year: end-of-year state and sums of the flows over the year."""
        m = self.monthly[self.monthly["month"] > 0]
        rows = []
        for year, g in m.groupby("year", sort=True):
            last = g.iloc[-1]
            rows.append({
                "year": year,
                "regime": last["regime"],
                "clients_end": int(last["clients_in_care"]),
                "arrivals": int(g["arrivals"].sum()),
                "departures": int(g["departures"].sum()),
                "external_share_cap": last["external_share_cap"],
                "external_share_hours_end": last["external_share_hours"],
                "queue_end": int(last["queue"]),
                "queue_max": int(g["queue"].max()),
                "wait_mean_months_end": last["wait_mean_months"],
                "wait_p90_months_end": last["wait_p90_months"],
                "first_choice_met_pct_end": last["first_choice_met_pct"],
                "forced_switches": int(g["forced_switches"].sum()),
                "voluntary_switches": int(g["voluntary_switches"].sum()),
                "cap_returns": int(g["cap_returns"].sum()),
            })
        return pd.DataFrame(rows)

    def plot(self, axes: Any = None) -> Any:
        """Trajectories: queue and waiting time, first choice met, external share against its
        cap, clients per provider; events marked. Returns the Figure."""
        return _plot(self, axes)

    def to_csv(self, folder: str | Path) -> dict[str, Path]:
        """Write ``monthly.csv``, ``providers.csv``, ``events.csv``, ``clients.csv`` and
        ``by_year.csv`` to ``folder`` (created); returns the paths by name."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = {}
        for name, df in (("monthly", self.monthly), ("providers", self.providers),
                         ("events", self.events), ("clients", self.clients),
                         ("by_year", self.by_year())):
            p = folder / f"{name}.csv"
            write_csv(df, p)  # text cells a spreadsheet would run are neutralised
            out[name] = p
        return out

    def __repr__(self) -> str:
        m = self.monthly
        last = m.iloc[-1]
        return (f"SimulationResult({self.scenario_name!r}: {int(last['month'])} months, "
                f"{int(last['clients_in_care'])} clients at the end, queue {int(last['queue'])}, "
                f"forced switches {int(m['forced_switches'].sum())}, voluntary "
                f"{int(m['voluntary_switches'].sum())})")


# ------------------------------------------------------------------------------ engine
def _zone_index(geoms: Sequence[Any], xy: np.ndarray) -> np.ndarray:
    """Area of each point (:func:`hemopt.areas.zone_index`); -1 when there are no areas."""
    return zone_index(geoms, xy)[0]


@dataclass
class _RegimeState:
    """A regime bound to the simulated municipality: its layout and each client's area under
    it (grown as clients arrive). Every rule comes from the regime itself."""

    regime: Regime
    layout: Layout
    client_zone: np.ndarray

    @property
    def default(self) -> int:
        return self.layout.default

    @property
    def label(self) -> str:
        return self.regime.label()


class _Engine:
    #: simulate's ``settings=``: the StudySettings the routed months use (None: ``routing``)
    study: Any = None

    def __init__(self, scenario: Scenario, schedule: Callable[[int], Regime], n_months: int,
                 seed: int, params: SimParams, events: list[Event],
                 say: Callable[[str], None]) -> None:
        from hemopt.synth import get_preset

        self.sc = scenario
        self.schedule = schedule
        self.T = n_months
        self.seed = seed
        self.params = params
        self.say = say
        self.rng = np.random.default_rng(seed)
        try:
            self.preset = get_preset(str(scenario.meta.get("preset", "strangnas")))
        except InputError:
            self.preset = get_preset("strangnas")
        self.model = params.choice or self.preset.choice
        self._regimes: dict[int, _RegimeState] = {}

        # ---------------------------------------------------------------- providers
        pr = scenario.providers
        entries = [e for e in events if isinstance(e, ProviderEntry)]
        self.m0 = len(pr)
        self.pid: list[str] = list(pr["provider_id"]) + [e.provider for e in entries]
        self.pindex = {p: j for j, p in enumerate(self.pid)}
        self.pname: list[str] = list(pr["name"]) + [e.name or e.provider for e in entries]
        self.pkind = np.array(list(pr["kind"]) + [e.kind for e in entries], dtype=object)
        self.pzones: list[tuple[str, ...]] = list(pr["zones"]) + [tuple(e.zones)
                                                                  for e in entries]
        m = len(self.pid)
        self.m = m
        self.active = np.zeros(m, dtype=bool)
        self.active[: self.m0] = True
        self.quality = np.zeros(m)
        self.capc = np.concatenate([pr["capacity_clients"].to_numpy(dtype=float),
                                    [float(e.capacity_clients) for e in entries]])
        self.caph_min = 60.0 * np.concatenate([pr["capacity_hours"].to_numpy(dtype=float),
                                               [float(e.capacity_hours) for e in entries]])
        self.zone_ids: list[str] = list(scenario.zones["zone_id"])
        self.zone_geoms = list(scenario.zones.geometry.values)

        # ---------------------------------------------------------------- stairwells
        st = scenario.stairwells
        self.st_id = st["stairwell_id"].to_numpy(dtype=object)
        self.st_bid = st["building_id"].to_numpy(dtype=object)
        self.st_xy = shapely.get_coordinates(st.geometry.values)
        self.st_zone = _zone_index(self.zone_geoms, self.st_xy)
        kinds = dict(zip(scenario.buildings["building_id"], scenario.buildings["kind"],
                         strict=True))
        weight = dict(self.preset.client_weight)
        w = st["dwellings"].to_numpy(dtype=float) * np.array(
            [weight.get(kinds.get(b, ""), 1.0) for b in self.st_bid])
        if not (w.sum() > 0):
            w = np.ones(len(st))
        self.st_p = w / w.sum()

        pxy = [scenario.provider_xy()]
        for e in entries:
            if e.x_m is not None and e.y_m is not None:
                pxy.append(np.array([[float(e.x_m), float(e.y_m)]]))
                continue
            ok = np.ones(len(st), dtype=bool)
            if e.zones:
                ok = np.isin(self.st_zone, [self.zone_ids.index(z) for z in e.zones])
            p = np.where(ok, self.st_p, 0.0)
            s = int(self.rng.choice(len(st), p=p / p.sum()))
            pxy.append(self.st_xy[s][None, :])
        self.pxy = np.vstack(pxy)
        # serves[z, j]: provider j's zones cover zone z (row -1: a client outside every zone)
        nz = len(self.zone_ids)
        self.serves_tab = np.ones((nz + 1, m), dtype=bool)
        for j, pz in enumerate(self.pzones):
            if pz:
                idx = [self.zone_ids.index(z) for z in pz]
                self.serves_tab[:, j] = np.isin(np.arange(nz + 1), idx)
                self.serves_tab[nz, j] = False

        # ---------------------------------------------------------------- clients
        cl = scenario.clients
        n0 = len(cl)
        self.n0 = n0
        self.cid = cl["client_id"].to_numpy(dtype=object)
        sidx = {s: k for k, s in enumerate(self.st_id)}
        self.csid = np.array([sidx[s] for s in cl["stairwell_id"]], dtype=np.int64)
        self.cxy = scenario.client_xy()
        self.czone = _zone_index(self.zone_geoms, self.cxy)
        self.cmin = np.round(cl["hours_per_week"].to_numpy(dtype=float) * 60.0)
        self.chours = cl["hours_per_week"].to_numpy(dtype=float)
        self.cvisits = cl["visits_per_day"].to_numpy(dtype=float)
        k_len = max(int(self.model.ranking_length),
                    max((len(r) for r in cl["ranking"]), default=0), 1)
        self.K = k_len
        self.rank = np.full((n0, k_len), -1, dtype=np.int64)
        for i, r in enumerate(cl["ranking"]):
            for k, p in enumerate(r):
                self.rank[i, k] = self.pindex[p]
        self.chooser = self.rank[:, 0] >= 0
        self.prov = np.full(n0, -1, dtype=np.int64)
        self.in_care = np.ones(n0, dtype=bool)
        self.t_in = np.zeros(n0, dtype=np.int64)
        self.t_out = np.full(n0, -1, dtype=np.int64)
        self.queue_for = np.full(n0, -1, dtype=np.int64)
        self.since = np.zeros(n0, dtype=np.int64)
        self.placed = np.zeros(n0, dtype=np.int64)
        self.load_n = np.zeros(m)
        self.load_min = np.zeros(m)
        self.caps = Caps(minutes=np.full(m, math.inf), clients=np.full(m, math.inf))
        if params.non_chooser_share is None:
            self.non_chooser = float((~self.chooser).mean()) if n0 else 0.25
        else:
            self.non_chooser = float(params.non_chooser_share)
        prefix = "new"
        while any(str(c).startswith(prefix) for c in self.cid):
            prefix = "_" + prefix
        self.new_prefix = prefix
        self.strict = params.queue_discipline == "fifo"
        self.blocked: set[int] = set()

        # ---------------------------------------------------------------- brand constants
        self.asc = np.full(m, -50.0)
        ch = self.chooser
        allowed0 = self.serves_tab[self.czone] & self.active[None, :]
        target = np.bincount(self.rank[ch, 0], minlength=m).astype(float) if ch.any() else None
        if target is None or target.sum() == 0:
            cur = scenario.current_index()
            target = np.bincount(cur[cur >= 0], minlength=m).astype(float)
            rows = np.ones(n0, dtype=bool)
        else:
            rows = ch
        if target.sum() > 0 and rows.any():
            u0 = self.model.systematic_utility(self.cxy[rows], self.pxy, quality=self.quality)
            self.asc = self.model.calibrate_asc(u0, target / target.sum(),
                                                allowed=allowed0[rows])
        ext0 = [self.asc[j] for j in range(self.m0)
                if self.pkind[j] == "external" and self.asc[j] > -50.0]
        default_entry = float(np.median(ext0)) if ext0 else 0.0
        if params.entry_asc is not None:
            default_entry = float(params.entry_asc)
        self.entry_asc = {e.provider: (default_entry if e.asc is None else float(e.asc))
                          for e in entries}

        # ---------------------------------------------------------------- counters
        self.events = events
        self.event_rows: list[dict[str, Any]] = []
        self.monthly: list[dict[str, Any]] = []
        self.prov_rows: list[pd.DataFrame] = []
        self.hist: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.cum_in = n0
        self.cum_out = 0
        self._reset_counters()

    # ---------------------------------------------------------------- regime
    def market(self) -> Market:
        """The providers now, as the regimes see them."""
        return Market(provider_ids=tuple(self.pid), kinds=self.pkind, active=self.active,
                      capacity_clients=self.capc, capacity_minutes=self.caph_min,
                      serves=self.serves_tab, office_xy=self.pxy)

    def regime_state(self, regime: Regime) -> _RegimeState:
        key = id(regime)
        if key in self._regimes:
            return self._regimes[key]
        as_regime(regime, "regime_schedule")
        layout = regime.layout(self.sc, self.market())
        rs = _RegimeState(regime, layout, layout.zone_of(self.cxy)[0])
        self._regimes[key] = rs
        return rs

    def _pidx(self, pid: str, what: str) -> int:
        if pid not in self.pindex:
            raise InputError(f"{what}: unknown provider {pid!r}; providers are {self.pid}")
        return self.pindex[pid]

    def _municipal(self) -> int:
        muni = np.flatnonzero(self.pkind[: self.m0] == "municipal")
        if not len(muni):
            raise InputError("the scenario has no municipal provider to serve as default")
        return int(muni[0])

    def _client_zone(self, rs: _RegimeState, idx: np.ndarray) -> np.ndarray:
        cz = rs.client_zone
        if len(cz) < len(self.cxy):
            extra = rs.layout.zone_of(self.cxy[len(cz):])[0]
            rs.client_zone = cz = np.concatenate([cz, extra])
        return cz[idx]

    def choosable(self, rs: _RegimeState, idx: np.ndarray) -> np.ndarray:
        """(len(idx), m): providers the regime lets each client have."""
        idx = np.asarray(idx, dtype=np.int64)
        return rs.regime.choosable(rs.layout, self.market(), self._client_zone(rs, idx))

    def update_caps(self, rs: _RegimeState) -> None:
        total = float(self.cmin[self.in_care].sum())
        self.caps = rs.regime.caps(rs.layout, self.market(), total)

    @property
    def cap_min(self) -> np.ndarray:
        return self.caps.minutes

    @property
    def cap_total(self) -> float:
        return self.caps.external_total_minutes

    def room(self, rs: _RegimeState, j: int, minutes: float) -> bool:
        if j == rs.default:
            return True
        return has_room(self.caps, j, minutes, self.load_n, self.load_min,
                        self.pkind == "external")

    def best(self, rs: _RegimeState, i: int) -> tuple[int, int]:
        """(provider, wanted) for client ``i`` by the regime's rule; wanted -1 when none."""
        ch = self.choosable(rs, np.array([i]))[0]
        if not rs.regime.clients_choose:
            for j in np.flatnonzero(ch):
                if j != rs.default and self.room(rs, int(j), self.cmin[i]):
                    return int(j), -1
            return rs.default, -1
        cands = [int(j) for j in self.rank[i] if j >= 0 and ch[j]]
        wanted = cands[0] if cands else -1
        for j in cands:
            if j not in self.blocked and self.room(rs, j, self.cmin[i]):
                return j, wanted
        if not cands and self.caps.guaranteed_minutes is not None:
            # a guaranteed share: externals below it take clients who do not choose, by the
            # regime's rule (hemopt.regimes.guarantee_pick)
            ext = (self.pkind == "external") & self.active
            j = guarantee_pick(self.caps, ch & ext, self.cmin[i], self.load_n, self.load_min,
                               self.pkind == "external", np.hypot(*(self.pxy - self.cxy[i]).T))
            if j >= 0:
                return j, -1
        return rs.default, wanted

    def wanted(self, rs: _RegimeState, i: int) -> int:
        """The provider client ``i`` queues for, -1 if none (it has its best choosable)."""
        if not rs.regime.clients_choose:
            return -1
        ch = self.choosable(rs, np.array([i]))[0]
        cands = [int(j) for j in self.rank[i] if j >= 0 and ch[j]]
        if not cands or cands[0] == self.prov[i]:
            return -1
        return cands[0]

    def detach(self, i: int) -> None:
        """Take client ``i`` off its provider (it is being moved)."""
        p = int(self.prov[i])
        if p >= 0:
            self.load_n[p] -= 1
            self.load_min[p] -= self.cmin[i]
            self.lost[p] += 1
            self.prov[i] = -1

    def move(self, i: int, j: int, t: int) -> None:
        if int(self.prov[i]) == j:
            return
        self.detach(i)
        self.prov[i] = j
        self.load_n[j] += 1
        self.load_min[j] += self.cmin[i]
        self.gained[j] += 1
        self.placed[i] = t

    def set_queue(self, i: int, wanted: int, t: int) -> None:
        if wanted < 0 or wanted == self.prov[i]:
            self.queue_for[i] = -1
            return
        if self.queue_for[i] < 0:
            self.since[i] = t
            self.joined += 1
        self.queue_for[i] = wanted
        if self.strict and self.could_fit(int(wanted), self.cmin[i]):
            self.blocked.add(int(wanted))

    def could_fit(self, j: int, minutes: float) -> bool:
        """Whether a client of ``minutes`` would fit provider ``j`` if it were empty: one who
        never could does not hold up the queue behind it."""
        return bool(minutes <= self.cap_min[j] and minutes <= self.cap_total
                    and self.caps.clients[j] >= 1)

    def refresh_blocked(self) -> None:
        """Under strict FIFO, providers with clients waiting take no one else first."""
        if self.strict:
            q = np.flatnonzero(self.in_care & (self.queue_for >= 0))
            self.blocked = {int(self.queue_for[i]) for i in q
                            if self.could_fit(int(self.queue_for[i]), self.cmin[i])}

    def place(self, rs: _RegimeState, i: int, t: int) -> None:
        """Give client ``i`` a provider by the regime's rule (it leaves its current one
        first, so that its hours do not count against the room it is looking for)."""
        self.detach(i)
        j, wanted = self.best(rs, i)
        self.move(i, j, t)
        self.set_queue(i, wanted, t)

    # ---------------------------------------------------------------- clients
    def add_clients(self, t: int, n: int) -> np.ndarray:
        from hemopt.synth import _hours_per_week, visits_per_day_from_hours

        rng = self.rng
        s = rng.choice(len(self.st_p), size=n, p=self.st_p) if n else np.zeros(0, np.int64)
        hours = _hours_per_week(self.preset, n, rng) if n else np.zeros(0)
        chooses = rng.random(n) >= self.non_chooser
        xy = self.st_xy[s]
        zone = self.st_zone[s]
        rank = np.full((n, self.K), -1, dtype=np.int64)
        if n:
            allowed = self.serves_tab[zone] & self.active[None, :]
            u = self.model.systematic_utility(xy, self.pxy, asc=self.asc, quality=self.quality,
                                              share=self._share())
            r = self.model.rank(u, rng, allowed=allowed)
            rank[:, : r.shape[1]] = r
            rank[~chooses] = -1
        start = len(self.cid)
        idx = np.arange(start, start + n)
        self.cid = np.concatenate([self.cid, np.array(
            [f"{self.new_prefix}{t:03d}_{k:04d}" for k in range(n)], dtype=object)])
        self.csid = np.concatenate([self.csid, s.astype(np.int64)])
        self.cxy = np.vstack([self.cxy, xy]) if n else self.cxy
        self.czone = np.concatenate([self.czone, zone])
        self.cmin = np.concatenate([self.cmin, np.round(hours * 60.0)])
        self.chours = np.concatenate([self.chours, hours])
        self.cvisits = np.concatenate([self.cvisits, visits_per_day_from_hours(hours)])
        self.rank = np.vstack([self.rank, rank])
        self.chooser = np.concatenate([self.chooser, rank[:, 0] >= 0])
        self.prov = np.concatenate([self.prov, np.full(n, -1, np.int64)])
        self.in_care = np.concatenate([self.in_care, np.ones(n, dtype=bool)])
        self.t_in = np.concatenate([self.t_in, np.full(n, t, np.int64)])
        self.t_out = np.concatenate([self.t_out, np.full(n, -1, np.int64)])
        self.queue_for = np.concatenate([self.queue_for, np.full(n, -1, np.int64)])
        self.since = np.concatenate([self.since, np.zeros(n, np.int64)])
        self.placed = np.concatenate([self.placed, np.full(n, t, np.int64)])
        return idx

    def _share(self) -> np.ndarray | None:
        if not self.model.beta_share:
            return None
        return (self.load_n + 1.0) / (self.load_n.sum() + self.m)

    # ---------------------------------------------------------------- month 0
    def start(self) -> None:
        from hemopt.assignment import assign

        rs = self.regime_state(self.schedule(1))
        a = assign(self.sc, rs.regime, seed=self.seed)
        prov = a.result.provider.copy()
        prov[prov < 0] = rs.default
        for i in range(self.n0):
            self.move(i, int(prov[i]), 0)
        qmap = {p: j for j, p in enumerate(self.pid)}
        self.queue_for[:] = [qmap[q] if q else -1 for q in a.clients["queue_for"]]
        self.since[:] = 0
        self.update_caps(rs)
        self._reset_counters()
        self.record(0, rs)

    # ---------------------------------------------------------------- one month
    def step(self, t: int) -> None:
        rs = self.regime_state(self.schedule(t))
        evs = [e for e in self.events if e.month == t]
        for e in evs:
            if isinstance(e, ProviderEntry):
                j = self.pindex[e.provider]
                self.active[j] = True
                self.asc[j] = self.entry_asc[e.provider]
                self.event_rows.append({"month": t, "event": "entry", "provider_id": e.provider,
                                        "rating": "", "clients_moved": 0,
                                        "quality_before": math.nan,
                                        "quality_after": float(self.quality[j])})
        for e in evs:
            if isinstance(e, FollowUp):
                j = self.pindex[e.provider]
                q0 = float(self.quality[j])
                self.quality[j] = RATING_QUALITY[e.rating]
                self.event_rows.append({"month": t, "event": "rating", "provider_id": e.provider,
                                        "rating": e.rating, "clients_moved": 0,
                                        "quality_before": q0,
                                        "quality_after": float(self.quality[j])})
        exits = [e for e in evs if isinstance(e, ProviderExit)]
        for e in exits:
            j = self.pindex[e.provider]
            if j == rs.default:
                raise InputError(f"events: provider {e.provider!r} is the default provider of "
                                 f"the regime in month {t} and cannot exit")
            self.active[j] = False  # rankings keep it: first choice met counts the loss
        self.update_caps(rs)
        self.refresh_blocked()
        for e in exits:
            j = self.pindex[e.provider]
            movers = np.flatnonzero(self.in_care & (self.prov == j))
            for i in movers:
                self.place(rs, int(i), t)
            self.forced += len(movers)
            self.event_rows.append({"month": t, "event": "exit", "provider_id": e.provider,
                                    "rating": "", "clients_moved": len(movers),
                                    "quality_before": float(self.quality[j]),
                                    "quality_after": float(self.quality[j])})
        # clients the regime no longer allows
        care = np.flatnonzero(self.in_care)
        if len(care):
            ok = self.choosable(rs, care)[np.arange(len(care)), self.prov[care]]
            for i in care[~ok]:
                self.place(rs, int(i), t)
                self.rule_moves += 1
        # departures
        care = np.flatnonzero(self.in_care)
        leave = care[self.rng.random(len(care)) < self.params.outflow_rate_per_month]
        for i in leave:
            p = self.prov[i]
            self.load_n[p] -= 1
            self.load_min[p] -= self.cmin[i]
            self.departed[p] += 1
        self.prov[leave] = -1
        self.queue_for[leave] = -1
        self.in_care[leave] = False
        self.t_out[leave] = t
        self.departures = len(leave)
        self.refresh_blocked()
        # arrivals
        lam = (self.params.inflow_rate_per_month * self.n0
               * (1.0 + self.params.annual_growth) ** (t / 12.0))
        n_new = int(self.rng.poisson(lam))
        new = self.add_clients(t, n_new)
        self.arrivals = n_new
        # caps on the month's clients; returns when the externals hold too much
        self.update_caps(rs)
        if math.isfinite(self.cap_total):
            self.enforce_cap(rs, t)
        # reconsidering clients
        old = np.flatnonzero(self.in_care & (self.prov >= 0) & self.chooser)
        if rs.regime.clients_choose and len(old):
            pick = old[self.rng.random(len(old)) < self.params.switch_rate_per_month]
            if len(pick):
                allowed = self.serves_tab[self.czone[pick]] & self.active[None, :]
                u = self.model.systematic_utility(
                    self.cxy[pick], self.pxy, asc=self.asc, quality=self.quality,
                    share=self._share(), current=self.prov[pick])
                r = self.model.rank(u, self.rng, allowed=allowed)
                self.rank[pick] = -1
                self.rank[pick, : r.shape[1]] = r
                self.reconsidered = len(pick)
                for i in pick:
                    self.set_queue(int(i), self.wanted(rs, int(i)), t)
        # the queue: refresh (regime, exits), then first come, first served
        queued = np.flatnonzero(self.in_care & (self.queue_for >= 0))
        for i in queued:
            w = self.wanted(rs, int(i))
            if w < 0:
                self.queue_for[i] = -1
            else:
                self.queue_for[i] = w
        queued = np.flatnonzero(self.in_care & (self.queue_for >= 0))
        order = queued[np.lexsort((queued, self.since[queued]))]
        self.blocked = set()
        for i in order:
            j = int(self.queue_for[i])
            if j not in self.blocked and self.room(rs, j, self.cmin[i]):
                self.served_waits.append(t - int(self.since[i]))
                self.move(int(i), j, t)
                self.queue_for[i] = -1
                self.voluntary += 1
            elif self.strict and self.could_fit(j, self.cmin[i]):
                self.blocked.add(j)
        # new clients, in arrival order
        for i in new:
            self.place(rs, int(i), t)
        self.record(t, rs)

    def enforce_cap(self, rs: _RegimeState, t: int) -> None:
        ext = self.pkind == "external"
        while float(self.load_min[ext].sum()) > self.cap_total:
            excess = np.where(ext & (self.load_n > 0), self.load_min - self.cap_min, -np.inf)
            j = int(np.argmax(excess))
            mine = np.flatnonzero(self.in_care & (self.prov == j))
            i = int(mine[np.lexsort((mine, self.placed[mine]))][-1])  # most recently placed
            self.move(i, rs.default, t)
            self.set_queue(i, j if self.active[j] else -1, t)
            self.cap_returns += 1

    # ---------------------------------------------------------------- bookkeeping
    def _reset_counters(self) -> None:
        self.arrivals = 0
        self.departures = 0
        self.forced = 0
        self.voluntary = 0
        self.rule_moves = 0
        self.cap_returns = 0
        self.joined = 0
        self.reconsidered = 0
        self.served_waits: list[int] = []
        self.gained = np.zeros(self.m, dtype=np.int64)
        self.lost = np.zeros(self.m, dtype=np.int64)
        self.departed = np.zeros(self.m, dtype=np.int64)

    def check(self, t: int) -> None:
        """The state is consistent (raises AssertionError otherwise: a bug)."""
        care = self.in_care
        if (self.prov[care] < 0).any():
            raise AssertionError(f"month {t}: a client in care has no provider")
        if (self.prov[~care] >= 0).any() or (self.queue_for[~care] >= 0).any():
            raise AssertionError(f"month {t}: a client out of care has a provider or queues")
        if not self.active[self.prov[care]].all():
            raise AssertionError(f"month {t}: a client is with a provider that has exited")
        q = care & (self.queue_for >= 0)
        if (self.queue_for[q] == self.prov[q]).any():
            raise AssertionError(f"month {t}: a client queues for its own provider")
        n = np.bincount(self.prov[care], minlength=self.m)
        mins = np.bincount(self.prov[care], weights=self.cmin[care], minlength=self.m)
        if not (np.array_equal(n, self.load_n) and np.allclose(mins, self.load_min)):
            raise AssertionError(f"month {t}: provider loads out of step")
        if int(care.sum()) != self.cum_in - self.cum_out:
            raise AssertionError(f"month {t}: clients not conserved")

    def record(self, t: int, rs: _RegimeState) -> None:
        self.cum_in += self.arrivals
        self.cum_out += self.departures
        self.check(t)
        care = np.flatnonzero(self.in_care)
        prov = self.prov[care]
        mins = self.cmin[care]
        total = float(mins.sum())
        ext = self.pkind == "external"
        ext_min = float(self.load_min[ext].sum())
        ch = care[self.chooser[care]]
        first = float(100.0 * (self.prov[ch] == self.rank[ch, 0]).mean()) if len(ch) else math.nan
        q = care[self.queue_for[care] >= 0]
        waits = (t - self.since[q]).astype(float)
        row = {
            "month": t,
            "regime": rs.label,
            "external_share_cap": self.caps.external_share,
            "clients_in_care": len(care),
            "arrivals": self.arrivals,
            "departures": self.departures,
            "cumulative_in": self.cum_in,
            "cumulative_out": self.cum_out,
            "choosers": len(ch),
            "hours_per_week": total / 60.0,
            "external_hours_per_week": ext_min / 60.0,
            "external_cap_hours_per_week": (self.cap_total / 60.0
                                            if math.isfinite(self.cap_total) else math.nan),
            "external_share_hours": ext_min / total if total else 0.0,
            "first_choice_met_pct": first,
            "queue": len(q),
            "queue_joined": self.joined,
            "served_from_queue": len(self.served_waits),
            "wait_mean_months": float(waits.mean()) if len(q) else math.nan,
            "wait_p90_months": float(np.quantile(waits, 0.9)) if len(q) else math.nan,
            "wait_max_months": float(waits.max()) if len(q) else math.nan,
            "served_wait_mean_months": (float(np.mean(self.served_waits))
                                        if self.served_waits else math.nan),
            "forced_switches": self.forced,
            "voluntary_switches": self.voluntary,
            "rule_moves": self.rule_moves,
            "cap_returns": self.cap_returns,
            "reconsidered": self.reconsidered,
            "providers_active": int(self.active.sum()),
        }
        self.monthly.append(row)
        qn = np.bincount(self.queue_for[q], minlength=self.m)
        qw = np.bincount(self.queue_for[q], weights=waits, minlength=self.m)
        with np.errstate(invalid="ignore", divide="ignore"):
            qmean = np.where(qn > 0, qw / np.maximum(qn, 1), np.nan)
        self.prov_rows.append(pd.DataFrame({
            "month": t,
            "provider_id": self.pid,
            "kind": self.pkind,
            "active": self.active.copy(),
            "quality": self.quality.copy(),
            "clients": self.load_n.astype(np.int64),
            "hours_per_week": self.load_min / 60.0,
            "share_hours": self.load_min / total if total else 0.0,
            "queue": qn.astype(np.int64),
            "queue_wait_mean_months": qmean,
            "cap_hours_per_week": np.where(self.active, self.cap_min / 60.0, 0.0),
            "gained": self.gained.copy(),
            "lost": self.lost.copy(),
            "departed": self.departed.copy(),
        }))
        qf = self.queue_for[care]
        self.hist.append((t, care.copy(), prov.copy(), qf.copy(),
                          np.where(qf >= 0, self.since[care], -1)))
        self._reset_counters()

    # ---------------------------------------------------------------- routing
    def month_scenario(self) -> tuple[Scenario, np.ndarray]:
        care = np.flatnonzero(self.in_care)
        pids = np.array(self.pid, dtype=object)
        clients = gpd.GeoDataFrame(
            {
                "client_id": self.cid[care],
                "stairwell_id": self.st_id[self.csid[care]],
                "building_id": self.st_bid[self.csid[care]],
                "hours_per_week": self.chours[care],
                "visits_per_day": self.cvisits[care],
                "ranking": [tuple(pids[j] for j in r if j >= 0) for r in self.rank[care]],
                "current_provider": pids[self.prov[care]],
            },
            geometry=shapely.points(self.cxy[care]), crs=CRS,
        )
        providers = gpd.GeoDataFrame(
            {
                "provider_id": self.pid, "name": self.pname, "kind": list(self.pkind),
                "capacity_clients": self.capc, "capacity_hours": self.caph_min / 60.0,
                "zones": self.pzones,
            },
            geometry=shapely.points(self.pxy), crs=CRS,
        )
        return self.sc.replace(clients=clients, providers=providers), self.prov[care]

    def route(self, t: int, method: str) -> dict[str, Any]:
        """Route the month's day through the same path as :func:`hemopt.compare`
        (:func:`hemopt.evaluate.evaluate`): the same assignment gives the same figures."""
        from hemopt.assignment import assignment_from_providers
        from hemopt.evaluate import RoutingSettings, evaluate

        sc, prov = self.month_scenario()
        pids = np.array(self.pid, dtype=object)
        study = self.study
        a = assignment_from_providers(sc, pids[prov], regime=f"month {t}",
                                      base_rule=study.bases if study is not None else None)
        t0 = time.perf_counter()
        if study is not None:
            ev = evaluate(a, settings=study, seed=self.seed)
        else:
            settings = RoutingSettings(method=method,
                                       max_iterations=self.params.routing_iterations)
            ev = evaluate(a, routing=settings, seed=self.seed)
        k = ev.kpis
        self.say(f"  month {t}: routed {sc.n_clients} clients ({method}) in "
                 f"{time.perf_counter() - t0:.1f} s")
        return {"routing": method, **{c: float(k[c]) for c in _ROUTING_COLUMNS}}


_ROUTING_COLUMNS = ("driven_km_per_day", "drive_hours_per_day", "staff_hours_per_day",
                    "paid_staff_hours_per_day", "driving_share", "stops_per_visit",
                    "dropped_visits")


def _routing_method(routing: str) -> str:
    if routing not in ("approx", "solver"):
        raise InputError(f"routing must be 'approx' or 'solver', got {routing!r}")
    return routing


def _validate_events(events: Any, scenario: Scenario, n_months: int) -> list[Event]:
    if isinstance(events, (ProviderExit, ProviderEntry, FollowUp)):
        events = [events]
    out: list[Event] = []
    known = set(scenario.provider_ids)
    zone_ids = set(scenario.zones["zone_id"])
    entered: dict[str, int] = {}
    exited: dict[str, int] = {}
    evs = list(events)
    for k, e in enumerate(evs):
        if not isinstance(e, (ProviderExit, ProviderEntry, FollowUp)):
            raise InputError(f"events[{k}] must be a ProviderExit, ProviderEntry or FollowUp, "
                             f"got {type(e).__name__}")
        mo = e.month
        if not (isinstance(mo, (int, np.integer)) and not isinstance(mo, bool)
                and 1 <= mo <= n_months):
            raise InputError(f"events[{k}].month must be a whole month in 1..{n_months} (the "
                             f"horizon), got {mo!r}")
        if isinstance(e, ProviderEntry):
            if e.provider in known or e.provider in entered:
                raise InputError(f"events[{k}].provider: {e.provider!r} already exists; an "
                                 "entering provider needs a new id")
            if e.kind not in PROVIDER_KINDS:
                raise InputError(f"events[{k}].kind must be one of {PROVIDER_KINDS}, got "
                                 f"{e.kind!r}")
            for z in e.zones:
                if z not in zone_ids:
                    raise InputError(f"events[{k}].zones: unknown zone {z!r}; zones are "
                                     f"{sorted(zone_ids)}")
            if (e.x_m is None) != (e.y_m is None):
                raise InputError(f"events[{k}]: give both x_m and y_m, or neither")
            entered[e.provider] = int(mo)
            continue
        pid = e.provider
        if pid not in known and pid not in entered:
            raise InputError(f"events[{k}].provider: unknown provider {pid!r}; providers are "
                             f"{sorted(known | set(entered))}")
        if pid in entered and mo < entered[pid]:
            raise InputError(f"events[{k}].month: provider {pid!r} enters in month "
                             f"{entered[pid]}, got an event in month {mo}")
        if pid in exited and mo >= exited[pid]:
            raise InputError(f"events[{k}]: provider {pid!r} has exited in month "
                             f"{exited[pid]}, got another event in month {mo}")
        if isinstance(e, FollowUp) and e.rating not in RATING_QUALITY:
            raise InputError(f"events[{k}].rating must be one of {sorted(RATING_QUALITY)}, got "
                             f"{e.rating!r}")
        if isinstance(e, ProviderExit):
            exited[pid] = int(mo)
        out.append(e)
    entries = [e for e in evs if isinstance(e, ProviderEntry)]
    return entries + out


def simulate(
    scenario: Scenario,
    regime_schedule: Regime | Sequence[Regime] | Callable[[int], Regime],
    years: int = 3,
    seed: int = 0,
    *,
    sim_params: SimParams | None = None,
    events: Iterable[Event] = (),
    routing_months: Iterable[int] = (),
    routing: str = "approx",
    start_year: int | None = None,
    progress: bool | Callable[[str], None] | None = None,
    settings: Any = None,
) -> SimulationResult:
    """Simulate the municipality month by month over ``years`` years.

    Parameters
    ----------
    scenario
        The municipality at the start.
    regime_schedule
        A regime for the whole horizon, a list with one regime per year (the last continues
        if the list is shorter; see :func:`lou_schedule`), or a callable ``month -> Regime``
        (months 1 .. 12 * years).
    years
        Length of the horizon in years.
    seed
        Seed of every draw: same arguments, same trajectory.
    sim_params
        :class:`SimParams`.
    events
        :class:`ProviderExit`, :class:`ProviderEntry` and :class:`FollowUp` events, each in a
        month 1 .. 12 * years.
    routing_months
        Months (0 .. 12 * years) at which the day is routed for the routing KPIs (default none:
        routing is the slow part).
    routing
        ``"approx"`` (default: the continuous approximation) or ``"solver"`` (the VRPTW
        solver with ``sim_params.routing_iterations``), through :func:`hemopt.evaluate.evaluate`,
        the same path as :func:`hemopt.compare`.
    start_year
        Calendar year of months 1-12 (for the ``year`` column; default: years 1, 2, ...).
    progress
        True to print progress to stderr, or a callable taking a message.
    settings
        A :class:`~hemopt.StudySettings`: the routed months are routed with it whole
        (routing method and effort, care, costs, visits, shifts, travel, bases) in place of
        ``routing`` and ``sim_params.routing_iterations``; giving ``routing`` too is an
        :class:`~hemopt.errors.InputError`.

    Returns
    -------
    SimulationResult

    Raises
    ------
    InputError
        On bad parameters, naming the field and the value.

    Examples
    --------
    Botkyrka's path: 20 % external in the first year, 50 % in the second. The queue is
    served first come, first served as places free up:

    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> res = hemopt.simulate(sc, hemopt.lou_schedule(0.2, 0.5), years=2, seed=1)
    >>> y = res.by_year()
    >>> list(y["year"])
    [1, 2]
    >>> m = res.monthly
    >>> bool((m["external_share_hours"] <= m["external_share_cap"] + 1e-9).all())
    True

    Same arguments, same trajectory:

    >>> again = hemopt.simulate(sc, hemopt.lou_schedule(0.2, 0.5), years=2, seed=1)
    >>> again.monthly.equals(res.monthly)
    True
    """
    t_start = time.perf_counter()
    params = SimParams() if sim_params is None else sim_params
    if not isinstance(params, SimParams):
        raise InputError(f"sim_params must be a SimParams, got {type(params).__name__}")
    if not isinstance(scenario, Scenario):
        raise InputError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    if not (isinstance(years, (int, np.integer)) and not isinstance(years, bool)
            and 1 <= years <= 50):
        raise InputError(f"years must be a whole number in 1..50, got {years!r}")
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    if start_year is not None and not isinstance(start_year, (int, np.integer)):
        raise InputError(f"start_year must be a whole number, got {start_year!r}")
    n_months = 12 * int(years)
    schedule = _schedule_fn(regime_schedule, int(years))
    evs = _validate_events(events, scenario, n_months)
    rmonths = sorted(set(routing_months))
    for mo in rmonths:
        if not (isinstance(mo, (int, np.integer)) and 0 <= mo <= n_months):
            raise InputError(f"routing_months: month must be in 0..{n_months}, got {mo!r}")
    if settings is not None:  # the routed months take the study's settings whole
        from hemopt.settings import StudySettings

        if not isinstance(settings, StudySettings):
            raise InputError(f"settings: expected hemopt.StudySettings, got "
                             f"{type(settings).__name__}")
        if routing != "approx":
            raise InputError(f"simulate: give either settings= or routing={routing!r}, not "
                             "both; the settings' routing.method says how months are routed")
        routing = settings.routing.method
    method = _routing_method(routing) if rmonths else ""

    say = sayer(progress)

    eng = _Engine(scenario, schedule, n_months, int(seed), params, evs, say)
    eng.study = settings
    routed: dict[int, dict[str, Any]] = {}
    eng.start()
    if 0 in rmonths:
        routed[0] = eng.route(0, method)
    for t in range(1, n_months + 1):
        eng.step(t)
        if t in rmonths:
            routed[t] = eng.route(t, method)
        if t % 12 == 0:
            r = eng.monthly[-1]
            say(f"year {t // 12}: {r['clients_in_care']} clients, queue {r['queue']}, "
                f"external share {100 * r['external_share_hours']:.1f} %")

    monthly = pd.DataFrame(eng.monthly)
    mo = monthly["month"].to_numpy()
    year0 = 1 if start_year is None else int(start_year)
    monthly.insert(1, "year", np.where(mo == 0, year0 - 1, year0 + (mo - 1) // 12))
    monthly.insert(2, "month_of_year", np.where(mo == 0, 12, (mo - 1) % 12 + 1))
    monthly["routing"] = [routed[t]["routing"] if t in routed else "" for t in mo]
    for c in _ROUTING_COLUMNS:
        monthly[c] = [routed[t][c] if t in routed else math.nan for t in mo]
    providers = pd.concat(eng.prov_rows, ignore_index=True)
    events_df = pd.DataFrame(eng.event_rows, columns=[
        "month", "event", "provider_id", "rating", "clients_moved", "quality_before",
        "quality_after"])
    pids = np.array(eng.pid, dtype=object)
    hist = eng.hist
    assignments = pd.DataFrame({
        "month": np.concatenate([np.full(len(h[1]), h[0], dtype=np.int64) for h in hist]),
        "client_id": np.concatenate([eng.cid[h[1]] for h in hist]),
        "provider_id": np.concatenate([pids[h[2]] for h in hist]),
        "queue_for": np.concatenate([np.where(h[3] >= 0, pids[np.maximum(h[3], 0)], "")
                                     for h in hist]),
        "queued_since": np.concatenate([h[4] for h in hist]),
    })
    last = eng.prov
    clients = pd.DataFrame({
        "client_id": eng.cid,
        "entered_month": eng.t_in,
        "left_month": eng.t_out,
        "chooser": eng.chooser,
        "hours_per_week": eng.chours,
        "stairwell_id": eng.st_id[eng.csid],
        "provider_id": np.where(last >= 0, pids[np.maximum(last, 0)], ""),
        "first_choice": np.where(eng.rank[:, 0] >= 0, pids[np.maximum(eng.rank[:, 0], 0)], ""),
    })
    regimes = [{"month": t, "regime": r} for t, r in zip(mo, monthly["regime"], strict=True)]
    parameters = {
        "seed": int(seed), "years": int(years), "start_year": start_year,
        "params": {k: (asdict(v) if isinstance(v, ChoiceModel) else v)
                   for k, v in vars(params).items()},
        "choice_model": asdict(eng.model),
        "non_chooser_share": eng.non_chooser,
        "routing": method, "routing_months": rmonths,
        "events": [{"type": type(e).__name__, **asdict(e)} for e in evs],
        "regimes": _compress(regimes),
    }
    return SimulationResult(monthly=monthly, providers=providers, events=events_df,
                            assignments=assignments, clients=clients, parameters=parameters,
                            scenario_name=scenario.name,
                            runtime_s=time.perf_counter() - t_start)


def _compress(rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Runs of months with the same regime: ``[{"from": 1, "to": 12, "regime": ...}]``."""
    out: list[dict[str, Any]] = []
    for r in rows:
        if r["month"] == 0:
            continue
        if out and out[-1]["regime"] == r["regime"]:
            out[-1]["to"] = int(r["month"])
        else:
            out.append({"from": int(r["month"]), "to": int(r["month"]), "regime": r["regime"]})
    return out


# ------------------------------------------------------------------------------ plot
def _plot(res: SimulationResult, axes: Any = None) -> Any:
    import matplotlib.pyplot as plt

    m = res.monthly
    if axes is None:
        fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), sharex=True)
    else:
        fig = np.asarray(axes).ravel()[0].figure
    ax = np.asarray(axes).ravel()
    x = m["month"].to_numpy()

    # queue and waiting
    a = ax[0]
    a.fill_between(x, m["queue"], step="mid", alpha=0.3, color="tab:red")
    a.step(x, m["queue"], where="mid", color="tab:red", label="clients queueing")
    a.set_ylabel("clients queueing")
    a.set_title("Queue for a wanted provider")
    a.set_ylim(0, max(float(m["queue"].max()) * 1.1, 1.0))
    if not (m["queue"] > 0).any():
        a.text(0.5, 0.5, "no client queues", transform=a.transAxes, ha="center",
               va="center", color="0.4")
    b = a.twinx()
    b.plot(x, m["wait_mean_months"], color="black", lw=1.5, label="mean wait")
    b.plot(x, m["wait_p90_months"], color="black", lw=1, ls="--", label="90th percentile")
    b.set_ylabel("waiting so far (months)")
    b.set_ylim(0, max(float(np.nan_to_num(m["wait_p90_months"]).max()) * 1.1, 1.0))
    h1, l1 = a.get_legend_handles_labels()
    h2, l2 = b.get_legend_handles_labels()
    a.legend(h1 + h2, l1 + l2, loc="upper right", fontsize=8)

    # first choice
    a = ax[1]
    a.plot(x, m["first_choice_met_pct"], color="tab:green", lw=2)
    a.set_ylabel("% of choosing clients")
    a.set_title("First choice met")
    lo = float(np.nanmin(m["first_choice_met_pct"])) if m["first_choice_met_pct"].notna().any() \
        else 0.0
    a.set_ylim(max(0.0, lo - 5.0), 100.5)
    sw = m["forced_switches"] + m["voluntary_switches"]
    if sw.sum() > 0:
        c = a.twinx()
        c.bar(x, m["forced_switches"], color="tab:orange", alpha=0.5, label="forced switches")
        c.bar(x, m["voluntary_switches"], bottom=m["forced_switches"], color="tab:blue",
              alpha=0.4, label="voluntary switches")
        c.set_ylabel("switches per month")
        c.set_ylim(0, max(float(sw.max()) * 3.0, 1.0))
        c.legend(loc="lower right", fontsize=8)

    # external share
    a = ax[2]
    a.plot(x, 100 * m["external_share_hours"], color="tab:purple", lw=2,
           label="external share of hours")
    if m["external_share_cap"].notna().any():
        a.step(x, 100 * m["external_share_cap"], where="post", color="gray", ls="--",
               label="LOU cap")
    a.set_ylabel("% of weekly care hours")
    a.set_title("External providers' share")
    a.set_ylim(bottom=0)
    a.legend(loc="upper left", fontsize=8)
    a.set_xlabel("month")

    # clients per provider
    a = ax[3]
    p = res.providers.pivot(index="month", columns="provider_id", values="clients")
    act = res.providers.pivot(index="month", columns="provider_id", values="active")
    shown = act | act.shift(1, fill_value=False)  # an exit shows as a drop to 0, then stops
    p = p.where(shown)
    kinds = res.providers.drop_duplicates("provider_id").set_index("provider_id")["kind"]
    ext = [c for c in p.columns if kinds[c] == "external"]
    muni = [c for c in p.columns if kinds[c] != "external"]
    for c in ext:
        a.plot(p.index, p[c], lw=1.5, label=c)
    a.set_ylabel("clients (external providers)")
    a.set_title("Clients per provider")
    a.set_xlabel("month")
    a.set_ylim(bottom=0)
    if muni:
        b = a.twinx()
        for c in muni:
            b.plot(p.index, p[c], lw=2, ls=":", color="black", label=f"{c} (right axis)")
        b.set_ylabel("clients (municipal)")
        b.set_ylim(bottom=0)
        h1, l1 = a.get_legend_handles_labels()
        h2, l2 = b.get_legend_handles_labels()
        a.legend(h1 + h2, l1 + l2, loc="upper center", bbox_to_anchor=(0.5, -0.16),
                 fontsize=7, ncol=min(len(l1) + len(l2), 6), frameon=False)
    elif ext:
        a.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7,
                 ncol=min(len(ext), 6), frameon=False)

    # events and year boundaries
    ev = res.events
    for axis in ax:
        for yb in range(12, int(x.max()), 12):
            axis.axvline(yb + 0.5, color="0.85", lw=0.8, zorder=0)
        for r in ev.itertuples():
            axis.axvline(r.month, color="tab:orange" if r.event == "exit" else "tab:gray",
                         ls=":", lw=1)
    top = ax[0]
    for r in ev.itertuples():
        label = f"{r.event} {r.provider_id}" + (f" {r.rating}" if r.rating else "")
        top.annotate(label, (r.month, 1.0), xycoords=("data", "axes fraction"),
                     xytext=(2, -10), textcoords="offset points", fontsize=7, rotation=90,
                     va="top", color="tab:orange" if r.event == "exit" else "0.3")
    years = m.loc[m["month"] > 0].groupby("year")["month"].min()
    ax[2].set_xticks([int(v) for v in years.to_numpy()])
    ax[2].set_xticklabels([str(y) for y in years.index])
    for axis in ax[2:]:
        axis.set_xlabel("year (ticks at its first month)")
    fig.suptitle(f"{res.scenario_name}: {', '.join(r['regime'] for r in res.parameters['regimes'])}"
                 f", seed {res.parameters['seed']}", fontsize=11)
    fig.tight_layout()
    return fig
