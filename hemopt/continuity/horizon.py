"""The 14-day horizon of :mod:`hemopt.continuity`: a week of visits that repeats, each weekday
routed once, and the routes as staff shifts (steps 1 and 2).
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hemopt.day.approx import approximate_day
from hemopt.day.route import DayRouting, ShiftParams, route_day
from hemopt.day.settings import RoutingSettings
from hemopt.day.visits import PERIODS, VisitParams, day_of_visits
from hemopt.errors import InputError
from hemopt.routing.instance import RoutingObjective
from hemopt.scenario import PATTERN_COLUMNS, Scenario, WeeklyPattern, weekly_pattern

if TYPE_CHECKING:  # continuity reads an assignment's tables; it never builds one
    from hemopt.assignment import Assignment

_ROUTE_COLUMNS = ["day", "route_id", "provider_id", "shift", "route_min", "client_id",
                  "n_visits"]


def day_seed(seed: int, day: int) -> int:
    """The seed of horizon day ``day``: independent streams per day, from one seed.

    Examples
    --------
    >>> day_seed(1, 0) != day_seed(1, 1), day_seed(1, 3) == day_seed(1, 3)
    (True, True)
    """
    return int(np.random.SeedSequence([int(seed), int(day)]).generate_state(1)[0] % 2**31)


def _weekday_visits(scenario: Scenario, pattern: WeeklyPattern | None, weekday: int,
                    seed: int, params: VisitParams) -> pd.DataFrame:
    """The visits of one weekday (0 = Monday): the one-day draw without a pattern; with one,
    each client's routine visits on its routine days and its weekly tasks on theirs."""
    n = scenario.n_clients
    if pattern is None:
        return day_of_visits(scenario, ["_"] * n, seed=day_seed(seed, weekday), params=params)
    base = scenario.clients.drop(columns=list(PATTERN_COLUMNS), errors="ignore")
    v = base["visits_per_day"].to_numpy(dtype=float)
    light = v < 1
    today = pattern.days[:, weekday] & (pattern.routine_min > 0)
    cl = base.copy()
    cl["hours_per_week"] = np.where(today, pattern.routine_min * 7.0 / 60.0, 0.0)
    cl["visits_per_day"] = np.where(today, np.where(light, 1.0, v), 0.0)
    routine = day_of_visits(scenario.replace(clients=cl), ["_"] * n,
                            seed=day_seed(seed, weekday), params=params)
    tm = pattern.task_min[:, weekday]
    cl = base.copy()
    cl["hours_per_week"] = tm * 7.0 / 60.0
    cl["visits_per_day"] = np.where(tm > 0, 1.0, 0.0)
    tasks = day_of_visits(scenario.replace(clients=cl), ["_"] * n,
                          seed=day_seed(seed, 100 + weekday), params=params)
    tasks["visit_id"] = "t" + tasks["visit_id"].str[1:]
    # light clients' visits and weekly tasks are daytime chores (cleaning, shopping, shower)
    chores = pd.concat([tasks, routine[routine["client_id"].isin(
        set(base["client_id"].to_numpy()[light]))]])
    cs, ce, csh = PERIODS["chores"]
    chores = chores.assign(period="chores", earliest_min=cs, latest_min=ce, shift=csh)
    keep = routine[~routine["visit_id"].isin(set(chores["visit_id"]))]
    return pd.concat([keep, chores], ignore_index=True)


def fortnight_visits(
    scenario: Scenario,
    *,
    days: int = 14,
    seed: int = 0,
    params: VisitParams | None = None,
) -> pd.DataFrame:
    """The horizon's visits: a week of visits (day 0 a Monday) that repeats.

    With the scenario's weekly patterns (:func:`hemopt.scenario.weekly_pattern`; the
    generator draws them), each client gets its routine visits on its routine days and its
    weekly tasks (a shower, cleaning) on their weekdays, in the daytime chores window; light
    clients' visits are chores too. Without pattern columns every day is the one-day draw of
    :func:`~hemopt.day.visits.day_of_visits` (noted in ``Scenario.summary()``). Weekday
    ``w`` draws with :func:`day_seed` ``(seed, w)``: a care plan repeats from week to week,
    so the second week's visits are the first's.

    Parameters
    ----------
    scenario
        The municipality.
    days
        Length of the horizon (day 0 is a Monday).
    seed
        Seed of the horizon.
    params
        :class:`~hemopt.day.visits.VisitParams`.

    Returns
    -------
    pandas.DataFrame
        ``day_of_visits``'s columns (``provider_id`` is ``"_"``: the provider is the
        assignment's) and ``day``; ``visit_id`` is unique over the horizon.

    Raises
    ------
    InputError
        ``days`` not a whole number >= 1, or care a day cannot hold.

    Examples
    --------
    Weekly minutes are conserved for every client, weekends have fewer visits (tasks and
    light clients' visits fall on weekdays) and the second week repeats the first:

    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> v = fortnight_visits(sc, seed=1)
    >>> week = v[v["day"] < 7].groupby("client_id")["duration_min"].sum()
    >>> hours = sc.clients.set_index("client_id")["hours_per_week"]
    >>> bool(((week - hours[week.index] * 60).abs() < 1e-6).all())
    True
    >>> per_day = v.groupby("day").size()
    >>> bool(per_day[[5, 6]].mean() < per_day[[0, 1, 2, 3, 4]].mean())
    True
    >>> per_day[:7].tolist() == per_day[7:].tolist()
    True
    """
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise InputError(f"days must be a whole number >= 1, got {days!r}")
    params = params or VisitParams()
    pattern = weekly_pattern(scenario)
    week = [_weekday_visits(scenario, pattern, w, seed, params) for w in range(min(days, 7))]
    frames = []
    for d in range(days):
        v = week[d % 7].copy()
        v["visit_id"] = [f"d{d:02d}-{x}" for x in v["visit_id"]]
        v["day"] = d
        frames.append(v)
    return pd.concat(frames, ignore_index=True)


def routes_of_day(day: DayRouting, day_index: int = 0) -> pd.DataFrame:
    """The clients on each route of a routed day: one row per (route, client).

    Uses the solver's routes (:attr:`DayRouting.results`); a day from the approximation
    (no routes) is cut into routes by :func:`sweep_routes`.

    Returns
    -------
    pandas.DataFrame
        ``day``, ``route_id`` (``"d<day>-<provider>-<base>-<shift>-<mode>-<k>"``),
        ``provider_id``, ``shift``, ``route_min`` (the route's minutes, office to office),
        ``client_id``, ``n_visits`` (served visits only).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> d = hemopt.route_day(sc, sc.clients["current_provider"], seed=1, max_iterations=30)
    >>> r = routes_of_day(d)
    >>> int(r["n_visits"].sum()) == d.totals()["visits_served"]
    True
    >>> r["route_id"].nunique() == d.totals()["staff_shifts"]
    True
    """
    if not day.results:
        return sweep_routes(day, day_index)
    stops = day.stops
    groups = stops.groupby(["provider_id", "base", "shift", "mode"], sort=True).indices
    served = day.visits[day.visits["served"]] if "served" in day.visits else day.visits
    per_stop = served.groupby(["stop_id", "client_id"]).size().rename("n_visits").reset_index()
    stop_of: dict[str, str] = {}
    second: list[tuple[str, str]] = []  # (stop, route of its second staff member)
    rows = []
    for key, res in day.results.items():
        pid, base, shift, mode = key
        g = stops.iloc[groups[key]]
        stop_ids = g["stop_id"].to_numpy()
        # the copies of double-staffed stops follow the stops, in order (route_day)
        doubles = (np.flatnonzero(g["staff_per_visit"].to_numpy() == 2)
                   if day.care_modelled and "staff_per_visit" in g else np.zeros(0, int))
        for k, route in enumerate(res.routes):
            rid = f"d{day_index:02d}-{pid}-{base}-{shift}-{mode}-{k}"
            for c in route:
                if c <= len(stop_ids):
                    stop_of[stop_ids[c - 1]] = rid
                elif c - len(stop_ids) - 1 < len(doubles):  # the second staff's copy
                    second.append((stop_ids[doubles[c - len(stop_ids) - 1]], rid))
            rows.append((rid, pid, shift, float(res.route_duration[k])))
    info = pd.DataFrame(rows, columns=["route_id", "provider_id", "shift", "route_min"])
    per_stop["route_id"] = per_stop["stop_id"].map(stop_of)
    # the second staff member of a double visit meets the client too (Kolada counts both);
    # the visits are counted once, on the first staff member's route
    sec = pd.DataFrame(second, columns=["stop_id", "route_id"]).merge(
        per_stop[["stop_id", "client_id"]].drop_duplicates(), on="stop_id")
    sec["n_visits"] = 0
    out = (pd.concat([per_stop.dropna(subset=["route_id"]), sec], ignore_index=True)
           .groupby(["route_id", "client_id"], sort=True)["n_visits"].sum().reset_index()
           .merge(info, on="route_id"))
    out["day"] = day_index
    return out[_ROUTE_COLUMNS]


def sweep_routes(day: DayRouting, day_index: int = 0) -> pd.DataFrame:
    """Routes for a day without solver routes (the approximation): per provider, base, shift
    and mode, the stops sorted by angle around the base are cut into
    ``ceil(routes)`` sectors of about equal service minutes (the sweep heuristic, Gillett and
    Miller 1974). Each route's minutes are the group's staff minutes shared by service.

    Same columns as :func:`routes_of_day`. The sectors ignore time windows: continuity from
    the approximation is a proxy; the solver's routes are the reference.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=3, scale=0.2)
    >>> d = hemopt.approximate_day(sc, sc.clients["current_provider"], seed=1)
    >>> r = sweep_routes(d)
    >>> int(r["n_visits"].sum()) == int(d.visits["served"].sum())
    True
    """
    stops = day.stops
    served = day.visits[day.visits["served"]] if "served" in day.visits else day.visits
    per_stop = served.groupby(["stop_id", "client_id"]).size().rename("n_visits").reset_index()
    count = day.routes.set_index(["provider_id", "base", "shift", "mode"])
    stop_route: dict[str, tuple[str, str, str, float]] = {}
    for key, g in stops.groupby(["provider_id", "base", "shift", "mode"], sort=True):
        pid, base, shift, mode = key
        row = count.loc[key]
        n = max(1, math.ceil(float(row["routes"]) - 1e-9))
        o = np.asarray(day.bases[pid], dtype=float)[int(base)]
        ang = np.arctan2(g["y"].to_numpy() - o[1], g["x"].to_numpy() - o[0])
        order = np.argsort(ang, kind="stable")
        svc = g["service_min"].to_numpy(dtype=float)[order]
        share = (np.cumsum(svc) - svc / 2) / max(svc.sum(), 1e-9)
        part = np.minimum((share * n).astype(np.int64), n - 1)
        total = float(row["staff_min"])
        for k in range(n):
            m = part == k
            if not m.any():
                continue
            rid = f"d{day_index:02d}-{pid}-{base}-{shift}-{mode}-{k}"
            minutes = total * svc[m].sum() / max(svc.sum(), 1e-9)
            for sid in g["stop_id"].to_numpy()[order][m]:
                stop_route[sid] = (rid, pid, shift, minutes)
    info = pd.DataFrame([(s, *v) for s, v in stop_route.items()],
                        columns=["stop_id", "route_id", "provider_id", "shift", "route_min"])
    out = (per_stop.merge(info, on="stop_id")
           .groupby(["route_id", "provider_id", "shift", "route_min", "client_id"], sort=True)
           ["n_visits"].sum().reset_index())
    out["day"] = day_index
    return out[_ROUTE_COLUMNS]


@dataclass(frozen=True, eq=False)
class Horizon:
    """An assignment's routed horizon.

    Attributes
    ----------
    assignment
        The assignment routed.
    visits
        Every visit of the horizon (:func:`fortnight_visits`, with the assignment's providers).
    routes
        One row per (route, client) (:func:`routes_of_day`, every day).
    days, seed
        The horizon.
    routing
        The :class:`~hemopt.day.settings.RoutingSettings` used.
    runtime_s
        Seconds spent drawing and routing.
    notes
        Warnings raised while routing (e.g. the approximation's extrapolation), kept here
        rather than raised once per day.
    driven_km
        Kilometres driven on each day.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> hz = route_horizon(hemopt.assign(sc, hemopt.LOV()), days=2, seed=1,
    ...                    routing=hemopt.RoutingSettings(max_iterations=30))
    >>> sorted(hz.routes["day"].unique().tolist())
    [0, 1]
    """

    assignment: Assignment
    visits: pd.DataFrame
    routes: pd.DataFrame
    days: int
    seed: int
    routing: RoutingSettings
    runtime_s: float
    notes: tuple[str, ...] = field(default=())
    driven_km: tuple[float, ...] = field(default=())

    def demand(self) -> dict[str, dict[str, np.ndarray]]:
        """Routes per day and shift kind for each provider: what rosters are sized for."""
        per = self.routes.drop_duplicates("route_id").groupby(
            ["provider_id", "shift", "day"]).size()
        out: dict[str, dict[str, np.ndarray]] = {}
        for (pid, shift, day), n in per.items():
            arr = out.setdefault(str(pid), {"day": np.zeros(self.days),
                                            "evening": np.zeros(self.days)})
            arr[str(shift)][int(day)] = float(n)
        return out


def route_horizon(
    assignment: Assignment,
    *,
    days: int = 14,
    seed: int = 0,
    routing: RoutingSettings | None = None,
    visit_params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
    travel: Any = None,
    territory: dict[tuple[str, str, str], int] | None = None,
    territory_penalty_m: float = 0.0,
    objective: RoutingObjective | None = RoutingObjective(),  # noqa: B008 - frozen
) -> Horizon:
    """Draw and route every day of the horizon for ``assignment``.

    Parameters
    ----------
    assignment
        Who serves whom.
    days, seed
        The horizon (:func:`fortnight_visits`). The week repeats, so each weekday is routed
        once (solver seed :func:`day_seed` ``(seed, weekday)``) and its routes serve both weeks.
    routing
        :class:`~hemopt.day.settings.RoutingSettings` (default: the solver at 30 iterations, a
        deterministic and quick setting: continuity needs the routes' membership, not the last
        kilometre).
    visit_params, shifts, travel
        As in :func:`hemopt.evaluate`.
    territory, territory_penalty_m
        Stable routes (the solver only): territories from :func:`territories` and the
        penalty in metres the solver pays for a move between two of them
        (:func:`hemopt.route_day`). 0: free daily routing.
    objective
        What the solver minimises (:func:`hemopt.route_day`; default the cost model
        compare reports). Territory penalties are metres: give ``None`` (the distance) with
        them, as :func:`territory_tradeoff` does, since under a cost objective they are
        priced at the mode's km cost, nothing on foot.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> hz = route_horizon(hemopt.assign(sc, hemopt.LOV()), days=3, seed=2,
    ...                    routing=hemopt.RoutingSettings(method="approx"))
    >>> hz.routes.groupby("day")["route_id"].nunique().gt(0).all()
    np.True_
    """
    routing = routing or RoutingSettings(max_iterations=30)
    if territory_penalty_m and routing.method != "solver":
        raise InputError("territory_penalty_m needs routing with the solver (the "
                         f"approximation has no routes), got method {routing.method!r}")
    t0 = time.perf_counter()
    sc = assignment.scenario
    visits = fortnight_visits(sc, days=days, seed=seed, params=visit_params)
    lut = dict(zip(sc.clients["client_id"], assignment.client_providers(), strict=True))
    week: dict[int, pd.DataFrame] = {}
    notes: list[str] = []
    km: dict[int, float] = {}
    # the week repeats (fortnight_visits): each weekday is routed once, with its own seed
    for w in range(min(days, 7)):
        vd = visits[visits["day"] == w].drop(columns="day")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if routing.method == "solver":
                day = route_day(sc, assignment, seed=day_seed(seed, w), visits=vd,
                                travel=travel, backend=routing.backend,
                                time_limit_s=routing.time_limit_s,
                                max_iterations=routing.max_iterations, params=visit_params,
                                shifts=shifts, workers=routing.workers, territory=territory,
                                territory_penalty_m=territory_penalty_m, objective=objective)
            else:
                day = approximate_day(sc, assignment, seed=day_seed(seed, w), visits=vd,
                                      travel=travel, params=visit_params, shifts=shifts)
        notes.extend(f"weekday {w}: {m.message}" for m in caught)
        week[w] = routes_of_day(day, w)
        km[w] = float(day.routes["driven_km"].sum())
    frames = []
    for d in range(days):
        r = week[d % 7].copy()
        r["route_id"] = f"d{d:02d}" + r["route_id"].str[3:]
        r["day"] = d
        frames.append(r)
    visits = visits.assign(provider_id=visits["client_id"].map(lut))
    routes = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=_ROUTE_COLUMNS)
    return Horizon(assignment=assignment, visits=visits, routes=routes, days=days, seed=seed,
                   routing=routing, runtime_s=time.perf_counter() - t0, notes=tuple(notes),
                   driven_km=tuple(km[d % 7] for d in range(days)))
