"""The day's visits, stops, travel modes, and per-provider routing of a day; every visit and
care minute accounted for."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

import hemopt
from hemopt import InputError, ScenarioError
from hemopt.day import ClientProviders
from hemopt.day.route import DayRouting, ShiftParams, assign_bases, prepare_day, route_day
from hemopt.day.visits import (
    PATTERNS,
    PERIODS,
    VisitParams,
    day_of_visits,
    group_stops,
    stops_of,
)
from hemopt.errors import SolverError
from hemopt.travel import MixedTravel, TravelModel, TravelModes

X0, Y0 = 600_000.0, 6_580_000.0
CAR = MixedTravel(detour_factor=1.3)


def scenario(hours, visits_per_day, east_m=(1000.0, 1000.0, 2000.0), stairwells=None):
    """Clients ``east_m`` metres east of the offices (A and B, both at the origin); by default
    c0 and c1 share stairwell s0 and c2 lives 2 km east."""
    n = len(hours)
    stairwells = stairwells or [f"s{int(e)}" for e in east_m]
    clients = gpd.GeoDataFrame(
        {"client_id": [f"c{i}" for i in range(n)], "stairwell_id": stairwells,
         "hours_per_week": list(hours), "visits_per_day": list(visits_per_day)},
        geometry=[Point(X0 + e, Y0) for e in east_m], crs=3006)
    providers = gpd.GeoDataFrame(
        {"provider_id": ["A", "B"], "kind": ["municipal", "external"]},
        geometry=[Point(X0, Y0), Point(X0, Y0)], crs=3006)
    return hemopt.Scenario(clients, providers,
                           boundary=box(X0 - 500, Y0 - 500, X0 + max(east_m) + 500, Y0 + 500))


def stairwell_scenario():
    return scenario([3.5, 3.5, 3.5], [1.0, 1.0, 1.0])


# ------------------------------------------------------------------------------ the visits


def test_visits_follow_visits_per_day_and_conserve_minutes():
    sc = hemopt.generate("strangnas", seed=3, scale=0.2)
    v = day_of_visits(sc, sc.clients["current_provider"], seed=1)
    # expected visits = sum of visits_per_day; a day's draw is close to it
    expected = sc.clients["visits_per_day"].sum()
    assert abs(len(v) - expected) < 4 * np.sqrt(expected)
    # clients visited daily get exactly their daily minutes today
    cl = sc.clients.set_index("client_id")
    daily = cl["hours_per_week"] * 60 / 7
    got = v.groupby("client_id")["duration_min"].sum()
    heavy = cl.index[cl["visits_per_day"] >= 1]
    np.testing.assert_allclose(got[heavy], daily[heavy], rtol=1e-12)
    # the others (weekly chores) in expectation: the day's minutes are close to the hours
    assert v["duration_min"].sum() == pytest.approx(daily.sum(), rel=0.1)
    assert (v["earliest_min"] < v["latest_min"]).all()
    assert set(v["period"]) <= set(PERIODS)
    # same seed, same day, whatever the provider
    v2 = day_of_visits(sc, ["M"] * sc.n_clients, seed=1)
    assert list(v2["client_id"]) == list(v["client_id"])
    assert list(v2["duration_min"]) == list(v["duration_min"])


def test_minutes_split_by_period_with_a_floor():
    # 3 visits of a 90-minute day: 10 each, the other 60 by weight 1.8 : 0.6 : 1.0
    sc = scenario([10.5], [3.0], east_m=[1000.0])
    v = day_of_visits(sc, ["A"], seed=0)
    assert list(v["period"]) == ["morning", "lunch", "dinner"]
    np.testing.assert_allclose(v["duration_min"], [10 + 60 * 1.8 / 3.4, 10 + 60 * 0.6 / 3.4,
                                                   10 + 60 * 1.0 / 3.4])
    assert v["duration_min"].sum() == pytest.approx(90.0)
    # a 15-minute day in 3 visits: the floor gives way (5 each), never more minutes than granted
    tiny = day_of_visits(scenario([1.75], [3.0], east_m=[1000.0]), ["A"], seed=0)
    np.testing.assert_allclose(tiny["duration_min"], [5.0, 5.0, 5.0])


def test_less_than_daily_clients_get_the_minutes_of_their_days():
    # 1 hour a week in a weekly visit: today 60 minutes with probability 1/7
    sc = scenario([1.0] * 200, [1 / 7] * 200, east_m=[1000.0] * 200)
    v = day_of_visits(sc, ["A"] * 200, seed=4)
    assert set(v["period"]) == {"chores"}
    np.testing.assert_allclose(v["duration_min"], 60.0)
    assert 200 / 7 - 3 * np.sqrt(200 / 7) < len(v) < 200 / 7 + 3 * np.sqrt(200 / 7)


def test_zero_hours_give_no_visits_and_no_staff_time():
    sc = scenario([0.0, 0.0, 3.5], [1.0, 5.0, 1.0])
    v = day_of_visits(sc, ["A", "A", "A"], seed=0)
    assert list(v["client_id"]) == ["c2"]
    none = route_day(scenario([0.0] * 3, [1.0] * 3), ["A"] * 3, max_iterations=20)
    t = none.totals()
    assert t["visits_in"] == 0 and t["staff_hours_per_day"] == 0.0 and t["staff_shifts"] == 0
    assert t["care_minutes_in"] == 0.0 and none.routes.empty


@pytest.mark.parametrize(
    ("hours", "visits", "match"),
    [
        (10.0, 20.0, r"client 'c0' has visits_per_day = 20, more visits than a day holds "
                     r"\(VisitParams.max_visits = 8\)"),
        (3.5, 0.0, r"client 'c0' has hours_per_week = 3.5 but visits_per_day = 0"),
    ],
)
def test_care_a_day_cannot_hold_is_rejected(hours, visits, match):
    sc = scenario([hours], [visits], east_m=[1000.0])
    with pytest.raises(InputError, match=match):
        day_of_visits(sc, ["A"], seed=0)
    with pytest.raises(InputError, match=match):
        route_day(sc, ["A"], max_iterations=10)


@pytest.mark.parametrize(("hours", "visits", "field"), [(1000.0, 3.0, "hours_per_week"),
                                                        (10.0, 1000.0, "visits_per_day")])
def test_care_no_week_can_hold_is_refused_where_it_enters(hours, visits, field):
    # issue 26: refused by the scenario itself, before any routing
    with pytest.raises(ScenarioError, match=rf"row 'c0', field '{field}': must be a number >= 0 "
                                            r"and at most"):
        scenario([hours], [visits], east_m=[1000.0])


def test_more_than_one_bad_client_is_counted():
    sc = scenario([3.5, 3.5, 3.5], [20.0, 30.0, 1.0])
    with pytest.raises(InputError, match=r"client 'c0' .* \(and 1 more clients\)"):
        day_of_visits(sc, ["A"] * 3, seed=0)


def test_eight_visits_fit_a_day():
    sc = scenario([56.0], [8.0], east_m=[1000.0])
    v = day_of_visits(sc, ["A"], seed=0)
    assert sorted(v["period"]) == sorted(PATTERNS[8])
    assert v["duration_min"].sum() == pytest.approx(480.0)
    # two morning visits of one client are one stop
    s = stops_of(v)
    assert len(s) == 6 and s.loc[s["period"] == "morning", "n_visits"].item() == 2


def test_bad_visit_params():
    with pytest.raises(InputError, match=r"max_visits must be 1\.\.8, got 9"):
        VisitParams(max_visits=9)
    with pytest.raises(InputError, match="min_visit_min"):
        VisitParams(min_visit_min=0.0)
    with pytest.raises(InputError, match=r"period_weights\['lunch'\] must be finite and > 0"):
        VisitParams(period_weights=tuple((p, 0.0 if p == "lunch" else 1.0) for p in PERIODS))
    with pytest.raises(InputError, match="missing \\['bedtime'\\]"):
        VisitParams(period_weights=tuple((p, 1.0) for p in PERIODS if p != "bedtime"))
    sc = stairwell_scenario()
    with pytest.raises(InputError, match="expected 3"):
        day_of_visits(sc, ["A"], seed=0)
    with pytest.raises(InputError, match="client 'c1' has provider 7"):
        day_of_visits(sc, ["A", 7, "A"], seed=0)


# ------------------------------------------------------------------------------ stops


def test_same_stairwell_same_provider_is_one_stop():
    sc = stairwell_scenario()
    v = day_of_visits(sc, ["A", "A", "A"], seed=0)
    assert len(v) == 3 and set(v["period"]) == {"morning"}
    # 3.5 h/week = 30 min/day in one visit
    assert list(v["duration_min"]) == [30.0, 30.0, 30.0]
    s = stops_of(v, walk_min=2.0)
    assert len(s) == 2
    shared = s[s["stairwell_id"] == "s1000"].iloc[0]
    assert shared["n_visits"] == 2 and shared["service_min"] == 62.0
    s2 = stops_of(day_of_visits(sc, ["A", "B", "A"], seed=0))
    assert len(s2) == 3  # two providers in one stairwell go there separately


def test_a_stop_longer_than_a_shift_is_split():
    # two 300-minute morning visits in one stairwell: 602 minutes as one stop, which no
    # 480-minute shift could serve; split in two, both are served
    sc = scenario([35.0, 35.0], [1.0, 1.0], east_m=[1000.0, 1000.0], stairwells=["s", "s"])
    v, stops = group_stops(day_of_visits(sc, ["A", "A"], seed=0),
                           max_service_min=ShiftParams().max_service_min())
    assert len(stops) == 2 and list(stops["service_min"]) == [300.0, 300.0]
    assert v["stop_id"].nunique() == 2
    day = route_day(sc, ["A", "A"], travel=CAR, max_iterations=50)
    assert day.totals()["visits_served"] == 2 and day.dropped.empty


# ------------------------------------------------------------------------------ routing


def test_route_day_hand_computed_km():
    sc = stairwell_scenario()
    one = route_day(sc, ["A", "A", "A"], travel=CAR, max_iterations=200)
    # one shift: office -> 1 km -> 2 km -> office = 4 km straight, × 1.3
    t = one.totals()
    assert t["driven_km_per_day"] == pytest.approx(4 * 1.3)
    assert t["travel_km_per_day"] == pytest.approx(4 * 1.3)
    assert t["stops"] == 2 and t["visits_in"] == 3 and t["visits_dropped"] == 0
    assert t["staff_shifts"] == t["staff_shifts_car"] == 1
    two = route_day(sc, ["A", "B", "A"], travel=CAR, max_iterations=200)
    # A: office -> s0 -> s2 -> office = 4 km; B: office -> s0 -> office = 2 km
    assert two.totals()["driven_km_per_day"] == pytest.approx(6 * 1.3)
    assert two.totals()["stops_per_visit"] == 1.0
    # staff time: service + travel + waiting, office to office
    r = one.routes.iloc[0]
    assert r["staff_min"] == pytest.approx(r["service_min"] + r["travel_min"] + r["wait_min"])
    assert r["service_min"] == pytest.approx(62.0 + 30.0)
    # travel share: 4 × 1.3 km at 25 km/h for 3 km and 60 beyond, plus 3 trips × 2 min
    drive = 2 * (1.3 * 1000 / (25 / 60 * 1000)) + 1.3 * 2000 / (25 / 60 * 1000) + 6.0
    assert r["travel_min"] == pytest.approx(drive)
    assert t["travel_share"] == pytest.approx(drive / (92.0 + drive))


def test_walking_staff_drive_no_km():
    # 8 clients with 60-minute visits 500 m east: within walking distance and enough work
    sc = scenario([7.0] * 8, [1.0] * 8, east_m=[500.0] * 8,
                  stairwells=[f"s{i}" for i in range(8)])
    modes = TravelModes(walk_within_m=1000.0, bike_within_m=2500.0, min_service_min=240.0)
    day = route_day(sc, ["A"] * 8, travel=modes, max_iterations=100)
    assert set(day.routes["mode"]) == {"walk"} and set(day.stops["mode"]) == {"walk"}
    t = day.totals()
    assert t["driven_km_per_day"] == 0.0 and t["drive_hours_per_day"] == 0.0
    # one walk there and back: 2 × 650 m at 4.5 km/h (75 m/min), 0.5 min per trip; the
    # stops share one place, so no trips between them
    assert t["travel_km_per_day"] == pytest.approx(2 * 0.65 * t["staff_shifts_walk"])
    walk = TravelModel.walking()
    assert walk.time_matrix_min([[0, 0], [500, 0]])[0, 1] == pytest.approx(650 / 75 + 0.5)
    # too little work to walk: the same clients with a 240-minute floor and 3 of them bike
    few = route_day(scenario([7.0] * 3, [1.0] * 3, east_m=[500.0] * 3), ["A"] * 3,
                    travel=modes, max_iterations=50)
    assert set(few.routes["mode"]) == {"walk"}  # nothing farther out: they still walk


def test_modes_by_ring_with_enough_work():
    modes = TravelModes(walk_within_m=1000.0, bike_within_m=2500.0, min_service_min=100.0)
    r = np.array([200.0, 900.0, 1500.0, 2400.0, 9000.0])
    assert list(modes.mode_of(r, np.full(5, 60.0))) == ["walk", "walk", "bike", "bike", "car"]
    # the walking ring has 60 minutes: too little, its stop cycles
    r2 = np.array([200.0, 1500.0, 2400.0, 9000.0])
    assert list(modes.mode_of(r2, np.full(4, 60.0))) == ["bike", "bike", "bike", "car"]
    # with no car stop, a small ring keeps its mode
    assert list(modes.mode_of(np.array([200.0]), np.array([10.0]))) == ["walk"]
    assert list(TravelModes.car_only().mode_of(r, np.full(5, 60.0))) == ["car"] * 5
    with pytest.raises(InputError, match=r"bike_within_m = 500\.0 is less than walk_within_m"):
        TravelModes(walk_within_m=1000.0, bike_within_m=500.0)
    with pytest.raises(InputError, match=r"TravelModes\.car: expected a travel model"):
        TravelModes(car="fast")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="travel: expected a travel model"):
        route_day(stairwell_scenario(), ["A"] * 3, travel="car", max_iterations=10)


def test_a_visit_longer_than_any_shift_is_dropped_with_its_reason():
    # 84 h/week in one visit a day: 720 minutes, longer than any shift; c1 is fine
    sc = scenario([84.0, 3.5], [1.0, 1.0], east_m=[1000.0, 2000.0])
    day = route_day(sc, ["A", "A"], travel=CAR, max_iterations=50)
    t = day.totals()
    assert (t["visits_in"], t["visits_served"], t["visits_dropped"]) == (2, 1, 1)
    assert t["care_minutes_in"] == pytest.approx(750.0)
    assert t["care_minutes_served"] == pytest.approx(30.0)
    assert t["care_minutes_dropped"] == pytest.approx(720.0)
    d = day.dropped.iloc[0]
    assert (d["client_id"], d["reason"], d["duration_min"]) == ("c0", "longer_than_shift", 720.0)
    assert "more than shift_duration = 480.0" in d["detail"]
    assert list(day.visits["served"]) == [False, True]


def test_a_window_no_shift_can_reach_is_dropped_with_its_reason():
    # a bedtime visit 100 km away: it cannot start by 21:30 and be back by 22:00
    sc = scenario([28.0], [4.0], east_m=[100_000.0])
    day = route_day(sc, ["A"], travel=CAR, max_iterations=50)
    reasons = day.dropped.set_index("period")["reason"]
    assert "bedtime" in reasons.index and reasons["bedtime"] == "outside_time_window"
    t = day.totals()
    assert t["visits_in"] == t["visits_served"] + t["visits_dropped"] == 4


def test_conservation_is_checked():
    day = route_day(stairwell_scenario(), ["A"] * 3, travel=CAR, max_iterations=20)
    day.check_conservation()
    broken = DayRouting(visits=day.visits, stops=day.stops,
                        routes=day.routes.assign(served=0), results=day.results)
    with pytest.raises(SolverError, match="conservation: 3 visits in, but 0 served"):
        broken.check_conservation()
    minutes = DayRouting(visits=day.visits, stops=day.stops,
                         routes=day.routes.assign(care_min_served=1.0), results=day.results)
    with pytest.raises(SolverError, match="care minutes in"):
        minutes.check_conservation()


def test_assigned_clients_carry_their_bases():
    sc = stairwell_scenario()
    bases = {"A": np.array([[X0, Y0], [X0 + 2000.0, Y0]]), "B": np.array([[X0, Y0]])}
    plan = ClientProviders(["A", "A", "A"], bases)
    day = route_day(sc, plan, travel=MixedTravel(detour_factor=1.0), max_iterations=200)
    # s1000 is 1 km from the office and from the base: the office (first) wins the tie; s2000
    # lies at the base: no travel for it
    assert sorted(day.routes["base"]) == [0, 1]
    assert day.totals()["driven_km_per_day"] == pytest.approx(2.0)
    assert day.bases["A"].shape == (2, 2)


def test_shifts_start_from_the_nearest_base():
    sc = stairwell_scenario()
    bases = gpd.GeoDataFrame({"base_id": ["A-east"], "provider_id": ["A"]},
                             geometry=[Point(X0 + 2000, Y0)], crs=3006)
    sc = sc.replace(bases=bases)
    day = route_day(sc, ["A", "A", "A"], travel=MixedTravel(detour_factor=1.0),
                    max_iterations=200)
    assert sorted(day.routes["base"]) == [0, 1]
    assert day.totals()["driven_km_per_day"] == pytest.approx(2.0)
    stops = assign_bases(day.stops.drop(columns="base"), sc.bases_xy())
    assert stops.set_index("stairwell_id").loc["s2000", "base"] == 1


def test_visits_given_are_reused_with_the_new_providers():
    sc = stairwell_scenario()
    v = day_of_visits(sc, ["_"] * 3, seed=0)
    visits, stops, _ = prepare_day(sc, ["A", "B", ""], visits=v)
    assert list(visits["provider_id"]) == ["A", "B"] and len(stops) == 2
    with pytest.raises(InputError, match="visits: missing columns \\['duration_min'\\]"):
        prepare_day(sc, ["A"] * 3, visits=v.drop(columns="duration_min"))
    with pytest.raises(InputError, match="client 'zz' is not in the scenario"):
        prepare_day(sc, ["A"] * 3, visits=v.assign(client_id="zz"))


def test_shift_params_validated():
    with pytest.raises(InputError, match=r"ShiftParams\.day"):
        ShiftParams(day=(600.0, 500.0))
    with pytest.raises(InputError, match="evening_max_min must be > 0"):
        ShiftParams(evening_max_min=0.0)


def test_generated_day_accounts_for_everything():
    sc = hemopt.generate("strangnas", seed=2, scale=0.05)
    day = route_day(sc, sc.clients["current_provider"], seed=2, max_iterations=30)
    t = day.totals()
    assert t["visits_in"] == t["visits_served"] + t["visits_dropped"] == len(day.visits)
    assert t["care_minutes_in"] == pytest.approx(day.visits["duration_min"].sum())
    assert t["staff_shifts"] == sum(t[f"staff_shifts_{m}"] for m in ("walk", "bike", "car"))
    assert t["driven_km_per_day"] <= t["travel_km_per_day"]
    by_mode = day.routes.groupby("mode")[["driven_km", "travel_km"]].sum()
    for mode in set(by_mode.index) - {"car"}:
        assert by_mode.loc[mode, "driven_km"] == 0.0
    pd.testing.assert_index_equal(day.routes.columns, pd.Index(hemopt.day.route.ROUTE_COLUMNS))
