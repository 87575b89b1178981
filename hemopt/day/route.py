"""Route a day of home care: one VRPTW per provider, base, shift and travel mode.

Pipeline: the day's visits (:func:`~hemopt.day.visits.day_of_visits`) are grouped into
stops (:func:`~hemopt.day.visits.group_stops`); each stop starts from its provider's nearest
base (:func:`assign_bases`) and gets a travel mode (:func:`assign_modes`: on foot or by bicycle
near the base, by car farther out, see :class:`~hemopt.travel.TravelModes`). The stops of one
provider, base, shift and mode form a VRPTW whose vehicles are staff shifts leaving from and
returning to the base (:func:`~hemopt.routing.solve_vrptw`).

Every visit is accounted for: served, or dropped with a reason (one of
:data:`~hemopt.routing.reasons.VRPTW_DROP_REASONS`) in :attr:`DayRouting.dropped`;
:meth:`DayRouting.totals` reports visits and care minutes in, served and dropped, and
:func:`route_day` checks that they add up.

Staff walk between the visits of one stop; between stops they travel by their mode. Only car
trips are driven kilometres.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.spatial.distance import cdist

from hemopt._workers import resolve_workers
from hemopt.day.care import CareParams, apply_care, care_columns
from hemopt.day.territories import DEFAULT_MAX_STOPS, check_max_stops, split_tasks
from hemopt.day.visits import (
    AssignedClients,
    VisitParams,
    day_of_visits,
    group_stops,
    provider_ids,
)
from hemopt.errors import InputError, SolverError
from hemopt.routing.instance import RoutingObjective
from hemopt.routing.parallel import MIN_PARALLEL_STOPS, InstanceTask, solve_tasks
from hemopt.routing.reasons import VRPTW_DROP_REASONS
from hemopt.routing.vrptw import VRPTWResult
from hemopt.travel import MODES, Travel, TravelModes

if TYPE_CHECKING:
    from hemopt.scenario import Scenario

__all__ = [
    "ROUTE_COLUMNS",
    "DayRouting",
    "ShiftParams",
    "assign_bases",
    "assign_modes",
    "prepare_day",
    "route_day",
]

#: The columns of :attr:`DayRouting.routes`, one row per (provider, base, shift, mode).
ROUTE_COLUMNS = [
    "provider_id", "base", "shift", "mode", "stops", "visits", "routes", "travel_km",
    "travel_min", "driven_km", "drive_min", "service_min", "wait_min", "staff_min", "served",
    "care_min_served", "dropped", "late", "runtime_s",
]
#: The columns of :attr:`DayRouting.care`, one row per (provider, base, shift, mode): double
#: -staffed stops and visits in and served, what their second staff cost (km, minutes), the
#: routes with skilled stops, and the breaks (see :mod:`hemopt.day.care`).
CARE_COLUMNS = ["provider_id", "base", "shift", "mode", "double_stops", "double_visits",
                "double_visits_served", "double_extra_km", "double_extra_min",
                "skilled_visits", "licensed_routes", "breaks_needed", "breaks_taken",
                "break_extra_min"]
#: The columns of :attr:`DayRouting.breaks`, one row per route that needs a break.
BREAK_COLUMNS = ["provider_id", "base", "shift", "mode", "route", "placed", "start_min",
                 "extra_min", "how"]
#: The columns of :attr:`DayRouting.dropped`, one row per dropped visit.
DROPPED_COLUMNS = ["visit_id", "client_id", "provider_id", "stop_id", "period", "shift",
                   "duration_min", "reason", "detail"]
_VISIT_COLUMNS = ["visit_id", "client_id", "stairwell_id", "provider_id", "x", "y", "period",
                  "shift", "earliest_min", "latest_min", "duration_min"]


@dataclass(frozen=True)
class ShiftParams:
    """Staff shifts (minutes after midnight) and their working time.

    Parameters
    ----------
    day, evening
        ``(start, end)`` of the day shift (default 07:00–16:00) and the evening shift
        (16:00–22:00).
    day_max_min, evening_max_min
        Most minutes a staff shift spends on the road and in homes: 480 in the day (the
        9-hour window keeps room for a 30-minute lunch break, which PyVRP cannot model; it
        is placed afterwards by :mod:`hemopt.day.care`, see ``docs/routing.md``), 360 in
        the evening.

    Raises
    ------
    InputError
        A window that ends before it starts, or a working time that is not positive.

    Examples
    --------
    >>> ShiftParams().window("evening")
    (960, 1320, 360.0)
    """

    day: tuple[float, float] = (7 * 60, 16 * 60)
    evening: tuple[float, float] = (16 * 60, 22 * 60)
    day_max_min: float = 480.0
    evening_max_min: float = 360.0

    def __post_init__(self) -> None:
        for name in ("day", "evening"):
            start, end = getattr(self, name)
            if not (np.isfinite(start) and np.isfinite(end) and 0 <= start < end <= 48 * 60):
                raise InputError(f"ShiftParams.{name} = {getattr(self, name)!r}; need "
                                 "(start, end) with 0 <= start < end <= 2880, minutes after "
                                 "midnight (a night shift may run past 1440)")
            top = getattr(self, f"{name}_max_min")
            if not (np.isfinite(top) and top > 0):
                raise InputError(f"ShiftParams.{name}_max_min must be > 0, got {top!r}")

    def window(self, shift: str) -> tuple[float, float, float]:
        """``(start, end, max_min)`` of ``shift`` (``"day"`` or ``"evening"``)."""
        if shift == "day":
            return (*self.day, self.day_max_min)
        if shift == "evening":
            return (*self.evening, self.evening_max_min)
        raise InputError(f"unknown shift {shift!r}; expected 'day' or 'evening'")

    def max_service_min(self) -> dict[str, float]:
        """The most service a stop can hold in each shift: its working time."""
        return {"day": self.day_max_min, "evening": self.evening_max_min}


def _empty_dropped() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c == "duration_min" else object)
                         for c in DROPPED_COLUMNS})


@dataclass(frozen=True, eq=False)
class DayRouting:
    """The routed day of one assignment.

    Attributes
    ----------
    visits
        The day's visits (see :mod:`hemopt.day.visits`), with their ``stop_id`` and
        ``served`` (False for the dropped ones).
    stops
        The day's stops, with their ``base`` and ``mode``.
    routes
        One row per (provider, base, shift, mode) (:data:`ROUTE_COLUMNS`): ``base`` (0 = the
        office, 1.. = the provider's bases in ``bases_xy()`` order), ``mode`` (``"walk"``,
        ``"bike"``, ``"car"``), ``stops``, ``visits``, ``routes`` (staff shifts used),
        ``travel_km``, ``travel_min`` (every mode), ``driven_km``, ``drive_min`` (car only),
        ``service_min``, ``wait_min``, ``staff_min``, ``served`` (visits),
        ``care_min_served``, ``dropped`` (visits), ``late``, ``runtime_s``.
    results
        The solver results by ``(provider_id, base, shift, mode)``.
    backend
        The solver (``"approx"`` for the continuous approximation).
    dropped
        One row per dropped visit: ``visit_id``, ``client_id``, ``provider_id``, ``stop_id``,
        ``period``, ``shift``, ``duration_min``, ``reason`` (one of
        :data:`~hemopt.routing.reasons.VRPTW_DROP_REASONS`) and ``detail``.
    bases
        Every provider's starting points the day was routed from.
    care
        One row per (provider, base, shift, mode) (:data:`CARE_COLUMNS`): double-staffed
        stops and visits, those served, the km and minutes their second staff add, skilled
        visits, routes holding them, breaks needed and taken and the minutes they add
        (:mod:`hemopt.day.care`; empty with ``CareParams(enabled=False)``).
    breaks
        One row per route that needs a break (:data:`BREAK_COLUMNS`): ``route`` (its index in
        the instance's result), ``placed``, ``start_min``, ``extra_min``, ``how``.
    care_modelled
        Whether double staffing, skills and breaks were modelled (``route_day`` with
        ``CareParams(enabled=True)``, the default). Otherwise (the approximation, or care
        switched off) their figures in :meth:`totals` are NaN, not 0.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> day = route_day(sc, sc.clients["current_provider"], seed=1, max_iterations=20)
    >>> t = day.totals()
    >>> t["visits_in"] == t["visits_served"] + t["visits_dropped"], day.dropped.empty
    (True, True)
    >>> bool((day.routes.loc[day.routes["mode"] != "car", "driven_km"] == 0).all())
    True
    """

    visits: pd.DataFrame
    stops: pd.DataFrame
    routes: pd.DataFrame
    results: dict[tuple[str, int, str, str], VRPTWResult] = field(repr=False)
    backend: str = "pyvrp"
    dropped: pd.DataFrame = field(default_factory=_empty_dropped, repr=False)
    bases: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    care: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CARE_COLUMNS),
                               repr=False)
    breaks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BREAK_COLUMNS),
                                 repr=False)
    care_modelled: bool = False

    def totals(self) -> dict[str, float]:
        """The day in figures.

        Returns
        -------
        dict
            ``visits_in``, ``visits_served``, ``visits_dropped``, ``care_minutes_in``,
            ``care_minutes_served``, ``care_minutes_dropped`` (in = served + dropped);
            ``driven_km_per_day`` and ``drive_hours_per_day`` (car only),
            ``travel_km_per_day`` and ``travel_hours_per_day`` (every mode),
            ``staff_hours_per_day`` (office to office), ``service_hours_per_day``,
            ``driving_share`` (car driving / staff time), ``travel_share`` (travel / (service
            + travel)), ``stops``, ``stops_per_visit``, ``staff_shifts`` and
            ``staff_shifts_walk``, ``_bike``, ``_car``, ``late_visits``; ``visits`` and
            ``dropped_visits`` (the same as ``visits_in`` and ``visits_dropped``).
        """
        r = self.routes
        staff = float(r["staff_min"].sum())
        drive = float(r["drive_min"].sum())
        trav = float(r["travel_min"].sum())
        service = float(r["service_min"].sum())
        nv = len(self.visits)
        dropped = len(self.dropped)
        out: dict[str, float] = {
            "visits_in": nv,
            "visits_served": int(r["served"].sum()),
            "visits_dropped": dropped,
            "care_minutes_in": float(self.visits["duration_min"].sum()),
            "care_minutes_served": float(r["care_min_served"].sum()),
            "care_minutes_dropped": float(self.dropped["duration_min"].sum()),
            "driven_km_per_day": float(r["driven_km"].sum()),
            "drive_hours_per_day": drive / 60.0,
            "travel_km_per_day": float(r["travel_km"].sum()),
            "travel_hours_per_day": trav / 60.0,
            "staff_hours_per_day": staff / 60.0,
            "service_hours_per_day": service / 60.0,
            "driving_share": drive / staff if staff > 0 else 0.0,
            "travel_share": trav / (service + trav) if service + trav > 0 else 0.0,
            "visits": nv,
            "stops": len(self.stops),
            "stops_per_visit": len(self.stops) / nv if nv else 0.0,
            "staff_shifts": int(r["routes"].sum()),
        }
        for mode in MODES:
            out[f"staff_shifts_{mode}"] = int(r.loc[r["mode"] == mode, "routes"].sum())
        out["dropped_visits"] = dropped
        out["late_visits"] = int(r["late"].sum())
        out.update(_care_totals(self))
        return out

    def check_conservation(self) -> None:
        """Check that every visit and care minute in is served or dropped.

        Raises
        ------
        SolverError
            Visits or minutes in differ from served + dropped (a bug, never a user error).
        """
        t = self.totals()
        if t["visits_in"] != t["visits_served"] + t["visits_dropped"]:
            raise SolverError(
                f"conservation: {t['visits_in']} visits in, but {t['visits_served']} served "
                f"+ {t['visits_dropped']} dropped"
            )
        gap = t["care_minutes_in"] - t["care_minutes_served"] - t["care_minutes_dropped"]
        if abs(gap) > 1e-6 * max(1.0, t["care_minutes_in"]):
            raise SolverError(
                f"conservation: {t['care_minutes_in']:.6f} care minutes in, but "
                f"{t['care_minutes_served']:.6f} served + {t['care_minutes_dropped']:.6f} "
                f"dropped"
            )


def _care_totals(day: DayRouting) -> dict[str, float]:
    """The care figures of :meth:`DayRouting.totals`."""
    c = day.care
    out: dict[str, float] = {
        "double_staffed_visits": int(c["double_visits"].sum()) if len(c) else 0,
        "double_staffed_visits_served": int(c["double_visits_served"].sum()) if len(c) else 0,
        "double_extra_km_per_day": float(c["double_extra_km"].sum()) if len(c) else 0.0,
        "double_extra_staff_hours_per_day":
            float(c["double_extra_min"].sum()) / 60.0 if len(c) else 0.0,
        "skilled_visits": int(c["skilled_visits"].sum()) if len(c) else 0,
        "breaks_needed": int(c["breaks_needed"].sum()) if len(c) else 0,
        "breaks_taken": int(c["breaks_taken"].sum()) if len(c) else 0,
    }
    out["breaks_not_placed"] = out["breaks_needed"] - out["breaks_taken"]
    if not day.care_modelled:  # not modelled: unknown, never a false 0
        out = dict.fromkeys(out, math.nan)
    for code in VRPTW_DROP_REASONS:
        out[f"dropped_{code}"] = int((day.dropped["reason"] == code).sum())
    return out


def assign_bases(stops: pd.DataFrame, bases: dict[str, np.ndarray]) -> pd.DataFrame:
    """Add a ``base`` column: the index of the provider's nearest starting point (0 = the
    office) for each stop. Shifts start from the base nearest their stops.

    Raises
    ------
    InputError
        A stop's provider has no office.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> stops = pd.DataFrame({"provider_id": ["A", "A"], "x": [0.0, 900.0], "y": 0.0})
    >>> assign_bases(stops, {"A": np.array([[0.0, 0.0], [1000.0, 0.0]])})["base"].tolist()
    [0, 1]
    """
    out = stops.copy()
    base = np.zeros(len(out), dtype=np.int64)
    if len(out):
        xy = out[["x", "y"]].to_numpy(dtype=float)
        pids = out["provider_id"].to_numpy()
        for pid in np.unique(pids):
            if pid not in bases:
                raise InputError(f"provider {pid!r} of a stop has no office or base")
            b = np.asarray(bases[pid], dtype=float)
            m = pids == pid
            if len(b) > 1:
                base[m] = cdist(xy[m], b).argmin(axis=1)
    out["base"] = base
    return out


def assign_modes(stops: pd.DataFrame, bases: dict[str, np.ndarray],
                 modes: TravelModes) -> pd.DataFrame:
    """Add a ``mode`` column: how the staff of each stop travel
    (:meth:`~hemopt.travel.TravelModes.mode_of`, per provider, base and shift).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> stops = pd.DataFrame({"provider_id": "A", "base": 0, "shift": "day",
    ...                       "x": [500.0, 1300.0, 9000.0], "y": 0.0, "service_min": 500.0})
    >>> assign_modes(stops, {"A": np.array([[0.0, 0.0]])}, TravelModes())["mode"].tolist()
    ['walk', 'bike', 'car']
    """
    out = stops.copy()
    mode = np.full(len(out), "car", dtype=object)
    if len(out):
        xy = out[["x", "y"]].to_numpy(dtype=float)
        svc = out["service_min"].to_numpy(dtype=float)
        groups = out.groupby(["provider_id", "base", "shift"], sort=True).indices
        for (pid, base, _), rows in groups.items():
            o = np.asarray(bases[pid], dtype=float)[int(base)]
            r = np.hypot(xy[rows, 0] - o[0], xy[rows, 1] - o[1])
            mode[rows] = modes.mode_of(r, svc[rows])
    out["mode"] = mode
    return out


def prepare_day(
    scenario: Scenario,
    assigned: AssignedClients | ArrayLike,
    *,
    seed: int = 0,
    visits: pd.DataFrame | None = None,
    params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
    travel: Travel | TravelModes | None = None,
    care: CareParams | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """The day's visits, its stops and every provider's starting points: what
    :func:`route_day` and :func:`~hemopt.day.approx.approximate_day` route.

    Parameters
    ----------
    scenario
        The municipality.
    assigned
        An :class:`~hemopt.day.visits.AssignedClients` (an
        :class:`~hemopt.assignment.Assignment`, a
        :class:`~hemopt.day.visits.ClientProviders`), or a provider id per client (the
        scenario's offices and bases are then the starting points).
    seed, params
        Of the day's visits.
    visits
        A day of visits to reuse with ``assigned``'s providers (so regimes share one day).
    shifts
        Caps the service of a stop at the shift's working time.
    travel
        How staff get about: :class:`~hemopt.travel.TravelModes`, or one travel model for
        everyone (default ``TravelModes()``).
    care
        :class:`~hemopt.day.care.CareParams`: when enabled (the default) the visits and
        stops carry the clients' ``staff_per_visit`` and ``skill``.

    Returns
    -------
    (visits, stops, bases)
        The visits with their ``stop_id``; the stops with their ``base`` and ``mode``;
        ``{provider_id: (k, 2) array}``.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> visits, stops, bases = prepare_day(sc, sc.clients["current_provider"], seed=1)
    >>> int(stops["n_visits"].sum()) == len(visits), set(stops["mode"]) <= {"walk", "bike", "car"}
    (True, True)
    """
    params = params or VisitParams()
    shifts = shifts or ShiftParams()
    modes = TravelModes.of(travel)
    prov = provider_ids(scenario, assigned)
    if visits is None:
        visits = day_of_visits(scenario, prov, seed=seed, params=params)
    else:
        missing = sorted(set(_VISIT_COLUMNS) - set(visits.columns))
        if missing:
            raise InputError(f"visits: missing columns {missing}")
        lut = dict(zip(scenario.clients["client_id"], prov, strict=True))
        visits = visits[_VISIT_COLUMNS].copy()
        unknown = ~visits["client_id"].isin(list(lut))
        if unknown.any():
            raise InputError(f"visits: client {visits.loc[unknown, 'client_id'].iloc[0]!r} "
                             "is not in the scenario")
        visits["provider_id"] = visits["client_id"].map(lut)
        visits = visits[visits["provider_id"] != ""].reset_index(drop=True)
    if (care or CareParams()).enabled:
        visits = care_columns(visits, scenario.clients)
    visits, stops = group_stops(visits, walk_min=params.walk_min,
                                max_service_min=shifts.max_service_min())
    bases = assigned.bases_xy() if isinstance(assigned, AssignedClients) else scenario.bases_xy()
    homeless = ~visits["provider_id"].isin(list(bases))
    if homeless.any():  # name the user's client and provider, not a stop of the engine
        row = visits.loc[homeless].iloc[0]
        raise InputError(f"provider {row['provider_id']!r} (of client {row['client_id']!r}) "
                         "has no office or base: give it an office in the providers table")
    stops = assign_modes(assign_bases(stops, bases), bases, modes)
    return visits, stops, bases


def _default_time_limit(n_stops: int) -> float:
    return float(np.clip(0.004 * n_stops, 0.5, 15.0))


def account(
    visits: pd.DataFrame,
    dropped_stops: dict[str, tuple[str, str]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The visits with their ``served`` flag, and the table of dropped visits.

    Parameters
    ----------
    visits
        The day's visits with their ``stop_id``.
    dropped_stops
        ``{stop_id: (reason, detail)}`` of the stops no route serves.
    """
    visits = visits.copy()
    out = visits["stop_id"].isin(list(dropped_stops)).to_numpy()
    visits["served"] = ~out
    if not out.any():
        return visits, _empty_dropped()
    d = visits.loc[out, ["visit_id", "client_id", "provider_id", "stop_id", "period", "shift",
                         "duration_min"]].copy()
    d["reason"] = d["stop_id"].map(lambda s: dropped_stops[s][0])
    d["detail"] = d["stop_id"].map(lambda s: dropped_stops[s][1])
    return visits, d.reset_index(drop=True)[DROPPED_COLUMNS]


def route_day(
    scenario: Scenario,
    assigned: AssignedClients | ArrayLike,
    *,
    seed: int = 0,
    visits: pd.DataFrame | None = None,
    travel: Travel | TravelModes | None = None,
    backend: str = "pyvrp",
    time_limit_s: float | Callable[[int], float] | None = None,
    max_iterations: int | None = None,
    params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
    progress: bool | Callable[[str], None] | None = None,
    workers: int | None = None,
    care: CareParams | None = None,
    max_stops: int | None = DEFAULT_MAX_STOPS,
    territory: Mapping[tuple[str, str, str], int] | None = None,
    territory_penalty_m: float = 0.0,
    objective: RoutingObjective | None = RoutingObjective(),  # noqa: B008 - frozen
) -> DayRouting:
    """Route every provider's day, at the least cost.

    Parameters
    ----------
    scenario
        The municipality (offices are the providers' points).
    assigned
        An :class:`~hemopt.day.visits.AssignedClients` (an
        :class:`~hemopt.assignment.Assignment`, or
        :class:`~hemopt.day.visits.ClientProviders`), or a provider id per client (routes
        then start from the scenario's offices and bases).
    seed
        Seed of the day's visits and of the solver.
    visits
        A day of visits to use instead of drawing one (its ``provider_id`` column is replaced
        by ``assigned``'s, so that regimes share the same visits).
    travel
        How staff get about: :class:`~hemopt.travel.TravelModes` (default ``TravelModes()``:
        on foot and by bicycle near the base, by car beyond), or one
        :class:`~hemopt.travel.Travel` model for everyone (e.g. ``MixedTravel()``, a road
        graph), who then drive.
    backend
        ``"pyvrp"`` (default), ``"ortools"`` or ``"greedy"``.
    time_limit_s
        Seconds per (provider, base, shift, mode) instance, or a function of its number of
        stops. Default: ``clip(0.004 × stops, 0.5, 15)``; ``None`` with ``max_iterations`` for
        runs that give the same routes on every machine.
    max_iterations
        Solver iteration limit (deterministic).
    params, shifts
        The day's visits and the staff shifts.
    progress
        True, or a function taking a message (e.g. ``print``): show one progress bar on
        stderr while the instances are solved, with the time left (counted in stops). A
        function is then called once with a summary: instances, stops, workers and seconds.
    workers
        Processes that solve the instances side by side (:mod:`hemopt.routing.parallel`);
        1 solves them in this process, without a pool. Default: every core
        (``os.cpu_count()``), except for a small day (under
        :data:`~hemopt.routing.parallel.MIN_PARALLEL_STOPS` stops) and inside a worker
        process of a sweep, where it is 1. With ``max_iterations`` and no time limit the
        routes are the same for any number of workers; ``runtime_s`` is each solve's wall
        time.
    care
        :class:`~hemopt.day.care.CareParams` (default on): double-staffed stops are
        routed twice and synchronised, skilled stops kept within the licensed staff, breaks
        placed (:mod:`hemopt.day.care`); the figures are in :attr:`DayRouting.care`,
        :attr:`DayRouting.breaks` and ``totals()``.
    max_stops
        Most stops of one VRPTW instance (default
        :data:`~hemopt.day.territories.DEFAULT_MAX_STOPS`, 1,000): a larger (provider,
        base, shift, mode) is split into territories around its base, solved separately (its
        time limit shared out by stops) and joined into its one row of ``routes``
        (:mod:`hemopt.day.territories`); ``None`` never splits.
    territory, territory_penalty_m
        Optional territories: ``{(provider_id, shift, stairwell_id): label}``. The solver
        pays ``territory_penalty_m`` metres for every move between stops of different labels
        (:class:`~hemopt.routing.parallel.InstanceTask`), so that routes keep to their
        territories and stay the same from day to day (used by
        :func:`hemopt.continuity.territory_tradeoff`). The kilometres reported are the true
        ones. 0 (default): free routing.
    objective
        What the solver minimises in each instance
        (:class:`~hemopt.routing.instance.RoutingObjective`): by default the cost model
        ``hemopt compare`` reports (300 SEK a staff hour on the route, each shift paid at
        least 160 route minutes plus 400 SEK, 4 SEK a driven km), so that plans do not buy
        short distances with waiting and extra shifts. Km cost only by car: staff on foot
        or by bicycle route with ``objective.without_km()``. ``None``: the total distance
        (the objective before issue 27).

    Returns
    -------
    DayRouting
        The visits, stops, one row of routes per (provider, base, shift, mode), the solver
        results, the dropped visits with their reasons, and ``totals()``.

    Raises
    ------
    InputError
        Bad inputs, naming the field and the value (e.g. care a day cannot hold, ``workers``
        that is not a whole number >= 1).
    SolverError
        The visits in are not all served or dropped (a bug: never silent).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> day = hemopt.route_day(sc, sc.clients["current_provider"], seed=1, max_iterations=50)
    >>> t = day.totals()
    >>> t["driven_km_per_day"] > 0, t["visits_dropped"], t["stops"] <= t["visits_in"]
    (True, 0, True)
    >>> t["visits_in"] == t["visits_served"] + t["visits_dropped"]
    True
    >>> set(day.routes["shift"]) <= {"day", "evening"}
    True
    """
    n_workers = resolve_workers(workers)
    max_stops = check_max_stops(max_stops)
    if objective is not None and not isinstance(objective, RoutingObjective):
        raise InputError(f"objective: expected a RoutingObjective or None, got {objective!r}")
    if not (isinstance(territory_penalty_m, (int, float)) and np.isfinite(territory_penalty_m)
            and territory_penalty_m >= 0):
        raise InputError(f"territory_penalty_m must be a finite number >= 0 (metres), got "
                         f"{territory_penalty_m!r}")
    params = params or VisitParams()
    shifts = shifts or ShiftParams()
    modes = TravelModes.of(travel)
    care_params = care or CareParams()
    visits, stops, bases = prepare_day(scenario, assigned, seed=seed, visits=visits,
                                       params=params, shifts=shifts, travel=modes,
                                       care=care_params)
    care_min = visits.groupby("stop_id")["duration_min"].sum()
    groups = list(stops.groupby(["provider_id", "base", "shift", "mode"], sort=True))
    tasks = []
    for (pid, base, shift, mode), g in groups:
        # double-staffed stops are routed twice (the stop, then its copy at the end)
        rows_ = np.arange(len(g))
        if care_params.enabled:
            rows_ = np.r_[rows_, np.flatnonzero(g["staff_per_visit"].to_numpy() == 2)]
        tl: float | None
        if callable(time_limit_s):
            tl = time_limit_s(len(g))
        elif time_limit_s is None and max_iterations is None:
            tl = _default_time_limit(len(g))
        else:
            tl = time_limit_s
        tasks.append(InstanceTask(
            key=(str(pid), int(base), str(shift), str(mode)),
            xy=np.vstack([bases[pid][base][None, :],
                          g[["x", "y"]].to_numpy(dtype=float)[rows_]]),
            earliest=g["earliest_min"].to_numpy(dtype=float)[rows_],
            latest=g["latest_min"].to_numpy(dtype=float)[rows_],
            service=g["service_min"].to_numpy(dtype=float)[rows_],
            shift=shifts.window(shift), mode=str(mode), time_limit_s=tl,
            max_iterations=max_iterations, backend=backend, seed=seed,
            copy_of=tuple(int(r) for r in rows_[len(g):]),
            objective=(None if objective is None
                       else objective if mode == "car" else objective.without_km()),
            labels=None if not territory else np.array(
                [territory.get((str(pid), str(shift), str(sw)), -1)
                 for sw in g["stairwell_id"].to_numpy()[rows_]], dtype=np.int64),
            label_penalty_m=float(territory_penalty_m)))
    if workers is None and len(stops) < MIN_PARALLEL_STOPS:
        n_workers = 1  # a small day: starting workers would take longer than routing it
    plan = split_tasks(tasks, max_stops)  # territories of the instances above max_stops
    n_workers = min(n_workers, max(1, len(plan.tasks)))
    t_start = time.perf_counter()
    solved = plan.merge(solve_tasks(plan.tasks, modes, workers=n_workers,
                                    progress=bool(progress)))
    final = [s.result for s in solved]
    care_table = pd.DataFrame(columns=CARE_COLUMNS)
    break_table = pd.DataFrame(columns=BREAK_COLUMNS)
    if care_params.enabled and tasks:
        pr = scenario.providers
        licensed = (dict(zip(pr["provider_id"], pr["licensed_share"].astype(float), strict=True))
                    if "licensed_share" in pr.columns else {})
        final, care_table, break_table = apply_care(
            tasks, [g for _, g in groups], final, modes, care_params, licensed)
        care_table = care_table.reindex(columns=CARE_COLUMNS)
        break_table = break_table.reindex(columns=BREAK_COLUMNS)
    rows, results = [], {}
    dropped_stops: dict[str, tuple[str, str]] = {}
    for k_task, (task, ((pid, base, shift, mode), g), s) in enumerate(
            zip(tasks, groups, solved, strict=True)):
        res = final[k_task]
        results[task.key] = res
        stop_ids = g["stop_id"].to_numpy()
        nvis = g["n_visits"].to_numpy()
        n_g = len(g)  # indices above are the copies of double-staffed stops
        routed = np.asarray([c for r in res.routes for c in r if c <= n_g], dtype=np.int64) - 1
        for c in res.dropped:
            if c <= n_g:
                dropped_stops[stop_ids[c - 1]] = (res.dropped_code[c], res.dropped_reason[c])
        drop_idx = np.asarray([c for c in res.dropped if c <= n_g], dtype=np.int64) - 1
        late_idx = np.asarray([c for c in res.late if c <= n_g], dtype=np.int64) - 1
        extra_break = (float(care_table["break_extra_min"].iloc[k_task])
                       if len(care_table) else 0.0)
        travel_km = res.distance / 1000.0
        car = mode == "car"
        rows.append(
            {
                "provider_id": pid,
                "base": int(base),
                "shift": shift,
                "mode": mode,
                "stops": len(g),
                "visits": int(nvis.sum()),
                "routes": len(res.routes),
                "travel_km": travel_km,
                "travel_min": res.travel_duration,
                "driven_km": travel_km if car else 0.0,
                "drive_min": res.travel_duration if car else 0.0,
                "service_min": res.service_duration,
                "wait_min": res.wait_duration,
                "staff_min": res.duration + extra_break,
                "served": int(nvis[routed].sum()),
                "care_min_served": float(care_min.loc[stop_ids[routed]].sum()),
                "dropped": int(nvis[drop_idx].sum()),
                "late": int(nvis[late_idx].sum()),
                "runtime_s": s.runtime_s,
            }
        )
    if callable(progress):
        progress(f"  routed {len(tasks)} instances ({len(stops)} stops) with {n_workers} "
                 f"worker{'s' if n_workers != 1 else ''} in "
                 f"{time.perf_counter() - t_start:.1f} s")
    visits, dropped = account(visits, dropped_stops)
    day = DayRouting(visits=visits, stops=stops, routes=pd.DataFrame(rows, columns=ROUTE_COLUMNS),
                     results=results, backend=backend, dropped=dropped, bases=bases,
                     care=care_table, breaks=break_table,
                     care_modelled=bool(care_params.enabled))
    day.check_conservation()
    return day
