"""Staff on the routes of :mod:`hemopt.continuity`: rosters, the hand-over of routes to the
staff on duty, the continuity figures (Kolada's included) and stable territories (steps 3
and 4).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hemopt.continuity.horizon import Horizon, route_horizon
from hemopt.day.route import ShiftParams
from hemopt.day.settings import RoutingSettings
from hemopt.day.visits import VisitParams
from hemopt.errors import InputError
from hemopt.roster import Roster, RosterParams, assign_staff, build_roster

if TYPE_CHECKING:  # continuity reads an assignment's tables; it never builds one
    from hemopt.assignment import Assignment

#: The figures of :func:`continuity_kpis`, with their meaning.
CONTINUITY_KPIS: dict[str, str] = {
    "staff_per_client_14d_median": "distinct staff per client with daily visits, 14 days, "
                                   "median",
    "staff_per_client_14d_p90": "distinct staff per client with daily visits, 14 days, "
                                "90th percentile",
    "staff_per_client_14d_mean": "distinct staff per client with daily visits, 14 days, mean",
    "staff_per_client_14d_all_median": "distinct staff per client, all clients, median",
    "staff_per_client_14d_all_p90": "distinct staff per client, all clients, 90th percentile",
    "staff_per_client_14d_all_mean": "distinct staff per client, all clients, mean",
    "clients_daily": "clients visited every day of the horizon",
    "staff_per_client_14d_2visits_median": "distinct staff per client with at least two "
                                           "visits every day (Kolada's definition), median",
    "staff_per_client_14d_2visits_mean": "distinct staff per client with at least two visits "
                                         "every day (Kolada's definition), mean",
    "clients_2visits": "clients with at least two visits on every day of the horizon",
    "continuity_kolada_mean_staff": "Kolada's staff continuity (N21521-like definition): mean "
                                    "distinct staff over 14 days per client aged 65+ with "
                                    "two or more visits between 07:00 and 22:00 every day, "
                                    "both staff of a double visit counted",
    "continuity_kolada_clients": "clients in Kolada's measure",
    "contact_person_visit_pct": "visits made by the client's contact person (%)",
    "temp_share": "share of visits made by pool or agency staff",
    "staff_per_provider_mean": "regular staff per provider with clients, mean",
    "staff_per_provider": "regular staff per provider (dict)",
    "staff_regular": "regular staff, all providers",
    "workload_spread_pct": "coefficient of variation of route hours per contract hour over "
                           "regular staff (%)",
    "routes": "routes (staff shifts) over the horizon",
}

@dataclass(frozen=True, eq=False)
class Continuity:
    """Staff, rosters and who drove each route over the horizon, with the KPIs.

    Attributes
    ----------
    horizon
        The routed :class:`Horizon`.
    roster
        The :class:`~hemopt.roster.Roster`.
    staffing
        One row per route: ``day``, ``route_id``, ``provider_id``, ``shift``, ``route_min``,
        ``staff_id``, ``kind`` (:func:`hemopt.roster.assign_staff`).
    client_staff
        Distinct staff per client over the horizon: ``client_id``, ``provider_id``,
        ``staff``, ``days_visited``, ``visits``, ``contact_visits``.
    kpis
        Keyed as :data:`CONTINUITY_KPIS`.
    weight, contact_weight
        The assignment's weights.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> hz = route_horizon(hemopt.assign(sc, hemopt.LOV()), days=14, seed=1,
    ...                    routing=hemopt.RoutingSettings(max_iterations=30))
    >>> c0, c1 = staff_continuity(hz, weight=0.0), staff_continuity(hz, weight=5.0)
    >>> c1.kpis["staff_per_client_14d_all_mean"] < c0.kpis["staff_per_client_14d_all_mean"]
    True
    """

    horizon: Horizon
    roster: Roster
    staffing: pd.DataFrame
    client_staff: pd.DataFrame
    kpis: dict[str, Any]
    weight: float
    contact_weight: float


def staff_continuity(
    horizon: Horizon,
    *,
    weight: float = 1.0,
    contact_weight: float = 1.0,
    roster: RosterParams | None = None,
    seed: int | None = None,
) -> Continuity:
    """Roster each provider's staff for the horizon's routes, hand the routes to staff, and
    measure continuity.

    Parameters
    ----------
    horizon
        From :func:`route_horizon`.
    weight, contact_weight
        As in :func:`hemopt.roster.assign_staff` (``contact_weight = 0``: no contact person
        preference; the contact person is still the first regular to visit, for the KPI).
    roster
        :class:`~hemopt.roster.RosterParams`.
    seed
        Seed of the roster and absence draw (default: the horizon's seed).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> hz = route_horizon(hemopt.assign(sc, hemopt.LOV()), days=14, seed=1,
    ...                    routing=hemopt.RoutingSettings(max_iterations=30))
    >>> c = staff_continuity(hz)
    >>> c.roster.check_rules(), int(c.staffing["route_id"].is_unique)
    ([], 1)
    """
    seed = horizon.seed if seed is None else seed
    ros = build_roster(horizon.demand(), days=horizon.days, seed=seed, params=roster)
    staffing = assign_staff(horizon.routes, ros, weight=weight, contact_weight=contact_weight)
    cs = _client_staff(horizon, staffing)
    kpis = _kpis(cs, horizon, ros, staffing)
    return Continuity(horizon=horizon, roster=ros, staffing=staffing, client_staff=cs,
                      kpis=kpis, weight=float(weight), contact_weight=float(contact_weight))


def _client_staff(horizon: Horizon, staffing: pd.DataFrame) -> pd.DataFrame:
    rv = horizon.routes.merge(staffing[["route_id", "staff_id", "kind"]], on="route_id")
    rv = rv.sort_values(["day", "route_id"], kind="stable")
    first_regular = (rv[rv["kind"] == "regular"].groupby("client_id")["staff_id"].first())
    rv["contact"] = rv["client_id"].map(first_regular)
    rv["by_contact"] = np.where(rv["staff_id"] == rv["contact"], rv["n_visits"], 0)
    g = rv.groupby("client_id")
    out = pd.DataFrame({
        "provider_id": g["provider_id"].first(),
        "staff": g["staff_id"].nunique(),
        "days_visited": g["day"].nunique(),
        "visits": g["n_visits"].sum(),
        "contact_visits": g["by_contact"].sum(),
        "temp_visits": rv.assign(t=np.where(rv["kind"] != "regular", rv["n_visits"], 0))
        .groupby("client_id")["t"].sum(),
    }).reset_index()
    return out


def _stats(x: pd.Series, prefix: str) -> dict[str, float]:
    if x.empty:
        return {f"{prefix}_median": math.nan, f"{prefix}_p90": math.nan,
                f"{prefix}_mean": math.nan}
    return {f"{prefix}_median": float(x.median()), f"{prefix}_p90": float(x.quantile(0.9)),
            f"{prefix}_mean": float(x.mean())}


def _kpis(cs: pd.DataFrame, horizon: Horizon, ros: Roster,
          staffing: pd.DataFrame) -> dict[str, Any]:
    daily = cs[cs["days_visited"] == horizon.days]
    st = ros.staff
    reg = st[st["kind"] == "regular"]
    per_prov = {str(k): int(v) for k, v in reg.groupby("provider_id").size().items()}
    visits = float(cs["visits"].sum())
    # route hours per contract hour of each regular
    worked = (staffing[staffing["kind"] == "regular"].groupby("staff_id")["route_min"].sum()
              .reindex(reg["staff_id"]).fillna(0.0) / 60.0)
    per_contract = worked.to_numpy() / (reg["contract_h_week"].to_numpy() * horizon.days / 7)
    spread = (100.0 * float(per_contract.std() / per_contract.mean())
              if len(per_contract) > 1 and per_contract.mean() > 0 else math.nan)
    # Kolada's measure counts clients with at least two visits every day
    per_day = (horizon.visits.groupby(["client_id", "day"]).size().unstack(fill_value=0)
               .reindex(columns=range(horizon.days), fill_value=0))
    two = cs[cs["client_id"].isin(per_day.index[(per_day >= 2).all(axis=1)])]
    k2 = _stats(two["staff"], "staff_per_client_14d_2visits")
    kolada = kolada_clients(horizon)
    kol = cs.loc[cs["client_id"].isin(kolada), "staff"]
    return {
        **_stats(daily["staff"], "staff_per_client_14d"),
        **_stats(cs["staff"], "staff_per_client_14d_all"),
        "clients_daily": len(daily),
        "staff_per_client_14d_2visits_median": k2["staff_per_client_14d_2visits_median"],
        "staff_per_client_14d_2visits_mean": k2["staff_per_client_14d_2visits_mean"],
        "clients_2visits": len(two),
        "continuity_kolada_mean_staff": float(kol.mean()) if len(kol) else math.nan,
        "continuity_kolada_clients": len(kol),
        "contact_person_visit_pct": (100.0 * float(cs["contact_visits"].sum()) / visits
                                     if visits else math.nan),
        "temp_share": float(cs["temp_visits"].sum()) / visits if visits else math.nan,
        "staff_per_provider_mean": float(np.mean(list(per_prov.values()))) if per_prov
        else 0.0,
        "staff_per_provider": per_prov,
        "staff_regular": len(reg),
        "workload_spread_pct": spread,
        "routes": len(staffing),
    }


#: Kolada's measure: clients this old or older ...
KOLADA_MIN_AGE = 65
#: ... with at least this many visits ...
KOLADA_MIN_VISITS = 2
#: ... every day, counting visits that start between these minutes after midnight (07-22).
KOLADA_HOURS_MIN = (7 * 60, 22 * 60)


def kolada_clients(horizon: Horizon) -> np.ndarray:
    """The clients Kolada's staff continuity counts (``docs/continuity.md``): aged 65 or more,
    with two or more visits between 07:00 and 22:00 on every day of the horizon.

    A visit counts by the start of its window (``earliest_min``). Without an ``age`` column
    in the scenario's clients every client passes the age test (and the measure is not
    Kolada's); a missing age (NaN) fails it.

    Examples
    --------
    >>> import pandas as pd, types
    >>> v = pd.DataFrame({"client_id": ["a", "a", "b", "b", "c", "c", "a", "a", "b", "b"],
    ...                   "day": [0, 0, 0, 0, 0, 0, 1, 1, 1, 1],
    ...                   "earliest_min": [420, 1000, 420, 1350, 420, 600, 430, 900, 420, 500]})
    >>> clients = pd.DataFrame({"client_id": ["a", "b", "c"], "age": [82, 70, 90]})
    >>> hz = types.SimpleNamespace(visits=v, days=2, assignment=types.SimpleNamespace(
    ...     scenario=types.SimpleNamespace(clients=clients)))
    >>> kolada_clients(hz).tolist()  # b: a night visit on day 0; c: no visits on day 1
    ['a']
    """
    v = horizon.visits
    lo, hi = KOLADA_HOURS_MIN
    t = v["earliest_min"].to_numpy(dtype=float)
    v = v[(t >= lo) & (t < hi)]
    per_day = (v.groupby(["client_id", "day"]).size().unstack(fill_value=0)
               .reindex(columns=range(horizon.days), fill_value=0))
    ok = per_day.index[(per_day >= KOLADA_MIN_VISITS).all(axis=1)].to_numpy()
    clients = horizon.assignment.scenario.clients
    if "age" in clients.columns:
        age = pd.to_numeric(clients["age"], errors="coerce").to_numpy(dtype=float)
        old = set(clients["client_id"].to_numpy()[age >= KOLADA_MIN_AGE])
        ok = np.array([c for c in ok if c in old], dtype=object)
    return ok


#: The weight planners give continuity when they hand out each day's routes (both the
#: new-face and the contact-person weight of :func:`hemopt.roster.assign_staff`), calibrated
#: so that LOV on the presets gives Kolada's measure near Sweden's 14.9 and Strängnäs' 16
#: (``docs/continuity.md``): against a route's fit of about 5 (hours × worked share),
#: continuity only breaks near-ties, as when routes are handed out by hours first.
PLANNER_WEIGHT = 0.005


def continuity_kpis(
    assignment: Assignment,
    *,
    days: int = 14,
    seed: int = 0,
    routing: RoutingSettings | None = None,
    weight: float = PLANNER_WEIGHT,
    contact_weight: float = PLANNER_WEIGHT,
    roster: RosterParams | None = None,
    visit_params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
    travel: Any = None,
) -> dict[str, Any]:
    """Continuity of care over ``days`` days for ``assignment``: what ``compare`` reports.

    Routes the horizon (:func:`route_horizon`), rosters and assigns staff
    (:func:`staff_continuity`) and returns the KPIs of :data:`CONTINUITY_KPIS`, plus
    ``continuity_runtime_s``. Deterministic for a given seed.

    Parameters
    ----------
    assignment
        Who serves whom.
    days, seed, routing, visit_params, shifts, travel
        As in :func:`route_horizon` (default routing: the solver at 30 iterations).
    weight, contact_weight, roster
        As in :func:`staff_continuity` (default :data:`PLANNER_WEIGHT`, calibrated to
        Kolada's measure; 1.0 is a plan that guards continuity first).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> a = hemopt.assign(sc, hemopt.LOV())
    >>> k = continuity_kpis(a, seed=1, routing=hemopt.RoutingSettings(method="approx"))
    >>> 0 <= k["temp_share"] < 1, 0 < k["contact_person_visit_pct"] <= 100
    (True, True)
    """
    hz = route_horizon(assignment, days=days, seed=seed, routing=routing,
                       visit_params=visit_params, shifts=shifts, travel=travel)
    t0 = time.perf_counter()
    c = staff_continuity(hz, weight=weight, contact_weight=contact_weight, roster=roster)
    return {**c.kpis, "continuity_runtime_s": hz.runtime_s + time.perf_counter() - t0}


def territories(horizon: Horizon, day: int = 0) -> dict[tuple[str, str, str], int]:
    """Territories from one day's routes: every (provider, shift, stairwell) gets the route
    of ``day`` (default the Monday, the fullest day) that served most of its visits; a
    stairwell that day does not visit gets the territory of the nearest stairwell that it
    does, of the same provider and shift. A provider and shift without routes that day get
    no territory (their stops are routed freely).

    Returns
    -------
    dict
        ``{(provider_id, shift, stairwell_id): label}``, what :func:`route_horizon` and
        :func:`hemopt.route_day` take as ``territory``.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> hz = route_horizon(hemopt.assign(sc, hemopt.LOV()), days=7, seed=1,
    ...                    routing=hemopt.RoutingSettings(max_iterations=30))
    >>> t = territories(hz)
    >>> len(set(t.values())) == hz.routes.loc[hz.routes["day"] == 0, "route_id"].nunique()
    True
    """
    sc = horizon.assignment.scenario
    stair = dict(zip(sc.clients["client_id"], sc.clients["stairwell_id"], strict=True))
    r = horizon.routes[horizon.routes["day"] == day].copy()
    r["stairwell_id"] = r["client_id"].map(stair)
    label_of = {rid: k for k, rid in enumerate(sorted(r["route_id"].unique()))}
    r["label"] = r["route_id"].map(label_of)
    best = (r.groupby(["provider_id", "shift", "stairwell_id", "label"])["n_visits"].sum()
            .reset_index().sort_values(["n_visits", "label"], ascending=[False, True],
                                       kind="stable")
            .drop_duplicates(["provider_id", "shift", "stairwell_id"]))
    out = {(str(p), str(s), str(w)): int(k) for p, s, w, k in zip(
        best["provider_id"], best["shift"], best["stairwell_id"], best["label"], strict=True)}
    xy = dict(zip(sc.stairwells["stairwell_id"], sc.stairwells.geometry.get_coordinates()
                  .to_numpy(), strict=True))
    need = horizon.visits[["provider_id", "shift", "stairwell_id"]].drop_duplicates()
    for (pid, shift), g in need.groupby(["provider_id", "shift"], sort=True):
        known = [(w, k) for (p, s, w), k in out.items() if p == pid and s == shift]
        if not known:
            continue
        kxy = np.array([xy[w] for w, _ in known])
        for w in g["stairwell_id"]:
            key = (str(pid), str(shift), str(w))
            if key not in out:
                out[key] = known[int(np.argmin(np.hypot(*(kxy - xy[w]).T)))][1]
    return out


def territory_tradeoff(
    assignment: Assignment,
    penalties_m: tuple[float, ...] = (0.0, 1000.0, 3000.0, 10000.0),
    *,
    seed: int = 0,
    routing: RoutingSettings | None = None,
    weight: float = 1.0,
    contact_weight: float = 1.0,
    staff_weights: tuple[float, ...] = (0.0, 5.0),
    visit_params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
    travel: Any = None,
) -> pd.DataFrame:
    """Kilometres against continuity, with one weight: the territory penalty.

    Route-level continuity. The horizon is first routed freely (penalty 0); its Monday routes
    become territories (:func:`territories`); then the horizon is routed again for each
    penalty, the solver paying that many metres for every move between territories, so
    that each route keeps to its territory every day. Each routed horizon's routes are
    handed to staff (:func:`staff_continuity` with ``weight`` and ``contact_weight``).
    Penalty 0 is assign-after-routing: free daily routing, staff chosen for continuity
    after the routes are fixed. For comparison, the free routes are also handed out with
    ``staff_weights`` (continuity weights in the staff assignment alone: the same km).

    Returns
    -------
    pandas.DataFrame
        One row per point: ``method`` (``"territory"`` or ``"assign_after_routing"``),
        ``penalty_m``, ``staff_weight``, ``driven_km_per_day``, ``staff_hours_per_day``
        (route hours), ``staff_per_client_14d_mean``, ``staff_per_client_14d_median``,
        ``staff_per_client_14d_p90``, ``staff_per_client_14d_all_mean``,
        ``contact_person_visit_pct``, ``route_s``.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> t = territory_tradeoff(hemopt.assign(sc, hemopt.LOV()), (0.0, 5000.0), seed=1,
    ...                        routing=hemopt.RoutingSettings(max_iterations=30))
    >>> t["method"].tolist()
    ['territory', 'territory', 'assign_after_routing', 'assign_after_routing']
    >>> t["penalty_m"].tolist(), t["staff_weight"].tolist()
    ([0.0, 5000.0, 0.0, 0.0], [1.0, 1.0, 0.0, 5.0])
    >>> bool(t["driven_km_per_day"].iloc[1] >= t["driven_km_per_day"].iloc[0] - 1e-9)
    True
    """
    routing = routing or RoutingSettings(max_iterations=30)
    pen = [float(p) for p in penalties_m]
    if not pen or any(not (math.isfinite(p) and p >= 0) for p in pen):
        raise InputError(f"penalties_m must be finite numbers >= 0 (metres), got {penalties_m!r}")
    # the penalties are metres: the km–continuity curve is traced with the distance objective
    kw = dict(seed=seed, routing=routing, visit_params=visit_params, shifts=shifts,
              travel=travel, objective=None)
    free = route_horizon(assignment, **kw)
    terr = territories(free)
    rows = []

    def row(method: str, p: float, w: float, hz: Horizon) -> dict[str, Any]:
        k = staff_continuity(hz, weight=w, contact_weight=contact_weight if w else 0.0).kpis
        minutes = hz.routes.drop_duplicates("route_id")["route_min"].sum()
        return {"method": method, "penalty_m": p, "staff_weight": w,
                "driven_km_per_day": float(np.mean(hz.driven_km)),
                "staff_hours_per_day": float(minutes) / 60.0 / hz.days,
                **{x: k[x] for x in ("staff_per_client_14d_mean",
                                     "staff_per_client_14d_median",
                                     "staff_per_client_14d_p90",
                                     "staff_per_client_14d_all_mean",
                                     "contact_person_visit_pct")},
                "route_s": hz.runtime_s}

    for p in pen:
        hz = free if p == 0 else route_horizon(assignment, territory=terr,
                                               territory_penalty_m=p, **kw)
        rows.append(row("territory", p, float(weight), hz))
    for w in staff_weights:
        rows.append(row("assign_after_routing", 0.0, float(w), free))
    return pd.DataFrame(rows)
