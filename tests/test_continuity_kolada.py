"""Kolada's staff continuity by its definition (issue 27): clients 65+, two or more visits
between 07:00 and 22:00 every day of 14, both staff of a double visit counted, the mean."""

from __future__ import annotations

import math
import types

import numpy as np
import pandas as pd
import pytest

import hemopt
from hemopt.continuity import kolada_clients, routes_of_day
from hemopt.continuity.staff import _client_staff, _kpis
from hemopt.roster import Roster, RosterParams, build_roster
from hemopt.synth import AGE_BANDS, client_ages

DAYS = 14


def _horizon(visits: pd.DataFrame, routes: pd.DataFrame, ages: dict[str, float]):
    clients = pd.DataFrame({"client_id": list(ages), "age": list(ages.values())})
    return types.SimpleNamespace(
        visits=visits, routes=routes, days=DAYS,
        assignment=types.SimpleNamespace(scenario=types.SimpleNamespace(clients=clients)))


def _hand_made():
    """Four clients over 14 days, one provider.

    * ``a`` (82): 08:00 and 18:00 every day; staff s1 in the morning, s2 in the evening,
      s3 in the mornings of the second week: 3 staff.
    * ``b`` (60): the same visits and staff as ``a``, but under 65: not counted.
    * ``c`` (90): 08:00 and 22:30 every day: one visit in 07-22 a day, not counted.
    * ``d`` (70): 09:00 double-staffed (s1 and s4; the visit counted on s1's route) and
      19:00 by s2: 3 staff, the second staff of the double visit included.
    """
    vis, rts = [], []
    for day in range(DAYS):
        am = "s1" if day < 7 else "s3"
        for cid, t in (("a", 480), ("a", 1080), ("b", 480), ("b", 1080), ("c", 480),
                       ("c", 1350), ("d", 540), ("d", 1140)):
            vis.append((cid, day, t))
        for staff, clients, n in ((am, ["a", "b", "c"], 1), ("s2", ["a", "b", "d"], 1),
                                  ("s5", ["c"], 1), ("s1", ["d"], 1), ("s4", ["d"], 0)):
            for cid in clients:
                rts.append((day, f"d{day:02d}-{staff}", "P", "day", 300.0, cid, n, staff))
    visits = pd.DataFrame(vis, columns=["client_id", "day", "earliest_min"])
    routes = pd.DataFrame(rts, columns=["day", "route_id", "provider_id", "shift", "route_min",
                                        "client_id", "n_visits", "staff_id"])
    staffing = (routes[["route_id", "staff_id", "route_min"]].drop_duplicates("route_id")
                .assign(kind="regular"))
    return visits, routes.drop(columns="staff_id"), staffing


def test_kolada_filters_age_visits_and_hours():
    visits, routes, _ = _hand_made()
    hz = _horizon(visits, routes, {"a": 82, "b": 60, "c": 90, "d": 70})
    assert sorted(kolada_clients(hz).tolist()) == ["a", "d"]
    # without ages every client passes the age test
    no_age = _horizon(visits, routes, {"a": 82, "b": 60, "c": 90, "d": 70})
    no_age.assignment.scenario.clients = no_age.assignment.scenario.clients.drop(
        columns="age")
    assert sorted(kolada_clients(no_age).tolist()) == ["a", "b", "d"]
    # a missing age fails it
    nan_age = _horizon(visits, routes, {"a": np.nan, "b": 60, "c": 90, "d": 70})
    assert kolada_clients(nan_age).tolist() == ["d"]


def test_kolada_mean_counts_both_staff_of_a_double_visit():
    visits, routes, staffing = _hand_made()
    hz = _horizon(visits, routes, {"a": 82, "b": 60, "c": 90, "d": 70})
    cs = _client_staff(hz, staffing).set_index("client_id")
    # a: s1, s2, s3; d: s1, s2 and s4 (the double visit's second staff)
    assert cs.loc["a", "staff"] == 3 and cs.loc["d", "staff"] == 3
    # the double visit is counted once
    assert cs.loc["d", "visits"] == 2 * DAYS
    staff = pd.DataFrame({"staff_id": ["s1", "s2", "s3", "s4", "s5"], "provider_id": "P",
                          "kind": "regular", "shift": "day", "contract_h_week": 38.25,
                          "weekend": 0})
    ros = Roster(staff, np.ones((5, DAYS), bool), np.zeros((5, DAYS), bool))
    k = _kpis(cs.reset_index(), hz, ros, staffing)
    assert k["continuity_kolada_clients"] == 2
    assert k["continuity_kolada_mean_staff"] == pytest.approx(3.0)


def test_routes_of_day_lists_the_second_staff_of_double_visits():
    sc = hemopt.generate("strangnas", seed=2, scale=0.1)
    cl = sc.clients.copy()
    cl.loc[cl.index[:4], "staff_per_visit"] = 2
    sc = sc.replace(clients=cl)
    day = hemopt.route_day(sc, sc.clients["current_provider"], seed=1, max_iterations=30)
    r = routes_of_day(day)
    doubles = set(cl["client_id"].iloc[:4])
    served = set(day.visits.loc[day.visits["served"], "client_id"])
    for cid in doubles & served:
        rows = r[r["client_id"] == cid]
        # the first staff's route holds the visits; the second's holds the client with none
        assert rows["route_id"].nunique() >= 2
        assert (rows["n_visits"] == 0).any()
    assert int(r["n_visits"].sum()) == day.totals()["visits_served"]


def test_ages_follow_the_bands_and_the_seed():
    sc1 = hemopt.generate("strangnas", seed=3, scale=0.2)
    sc2 = hemopt.generate("strangnas", seed=3, scale=0.2)
    a1, a2 = sc1.clients["age"].to_numpy(), sc2.clients["age"].to_numpy()
    assert (a1 == a2).all()
    lo, hi = min(b[0] for b in AGE_BANDS), max(b[1] for b in AGE_BANDS)
    assert a1.min() >= lo and a1.max() <= hi
    # most home-care clients are 80+ (coverage 12 % of 80+ against 1.8 % of 65-79)
    assert (a1 >= 80).mean() > 0.5
    ages = client_ages(np.array([[3, 2, 1], [0, 0, 2]]), np.array(["A", "B"]),
                       np.array(["A"] * 6 + ["B"] * 2), seed=4)
    assert int((ages[:6] >= 80).sum()) == 3
    assert int(((ages[:6] >= 65) & (ages[:6] < 80)).sum()) == 2
    assert (ages[6:] < 65).all()


def test_roster_rates_are_reproducible_with_a_seed():
    demand = {"A": {"day": np.full(DAYS, 6.0), "evening": np.full(DAYS, 3.0)}}
    p = RosterParams()
    r1 = build_roster(demand, days=DAYS, seed=7, params=p)
    r2 = build_roster(demand, days=DAYS, seed=7, params=p)
    r3 = build_roster(demand, days=DAYS, seed=8, params=p)
    assert r1.staff.equals(r2.staff) and (r1.absent == r2.absent).all()
    assert not (r1.absent == r3.absent).all()
    reg = (r1.staff["kind"] == "regular").to_numpy()
    pool = int((r1.staff["kind"] == "pool").sum())
    assert pool == max(1, math.ceil(p.pool_share * int(reg.sum()) - 1e-9))


def test_scenario_age_column_is_checked_and_kept(tmp_path):
    from hemopt.errors import ScenarioError

    sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    cl = sc.clients.copy()
    cl["age"] = cl["age"].astype(object)
    cl.loc[cl.index[0], "age"] = 140
    with pytest.raises(ScenarioError, match=r"field 'age'.*value: 140"):
        sc.replace(clients=cl)
    path = tmp_path / "s.gpkg"
    sc.to_gpkg(path)
    back = hemopt.Scenario.from_gpkg(path)
    assert back.clients["age"].tolist() == sc.clients["age"].tolist()
