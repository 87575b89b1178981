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

import numpy as np
import pandas as pd

from hemopt._io import write_csv
from hemopt._progress import sayer
from hemopt.choice import ChoiceModel
from hemopt.errors import InputError
from hemopt.kpis import format_value
from hemopt.regimes import Regime
from hemopt.scenario import PROVIDER_KINDS, Scenario
from hemopt.sim_engine import _ROUTING_COLUMNS, _Engine
from hemopt.sim_params import (
    RATING_QUALITY,
    Event,
    FollowUp,
    ProviderEntry,
    ProviderExit,
    SimParams,
    _schedule_fn,
    lou_schedule,
)

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
                f"external share {format_value('pct', 100 * r['external_share_hours'])} %")

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


def _compress(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
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
