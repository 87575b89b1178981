"""The day's visits, stops, and per-provider routing of a day."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

import hemopt
from hemopt import InputError
from hemopt.routing.day import MixedTravel, route_day
from hemopt.routing.visits import PERIODS, VisitParams, day_of_visits, stops_of

X0, Y0 = 600_000.0, 6_580_000.0


def stairwell_scenario(visits_per_day=(1.0, 1.0, 1.0), hours=(3.5, 3.5, 3.5)):
    """Clients c0, c1 share stairwell s0 (1 km east of the offices); c2 lives 2 km east."""
    clients = gpd.GeoDataFrame(
        {"client_id": ["c0", "c1", "c2"], "stairwell_id": ["s0", "s0", "s2"],
         "hours_per_week": list(hours), "visits_per_day": list(visits_per_day)},
        geometry=[Point(X0 + 1000, Y0), Point(X0 + 1000, Y0), Point(X0 + 2000, Y0)], crs=3006)
    providers = gpd.GeoDataFrame(
        {"provider_id": ["A", "B"], "kind": ["municipal", "external"]},
        geometry=[Point(X0, Y0), Point(X0, Y0)], crs=3006)
    return hemopt.Scenario(clients, providers, boundary=box(X0 - 500, Y0 - 500, X0 + 2500,
                                                            Y0 + 500))


def test_visits_follow_visits_per_day_and_hours():
    sc = hemopt.generate("strangnas", seed=3, scale=0.2)
    v = day_of_visits(sc, sc.clients["current_provider"], seed=1)
    # expected visits = sum of visits_per_day (capped at 6); a day draw is close to it
    expected = np.minimum(sc.clients["visits_per_day"], 6).sum()
    assert abs(len(v) - expected) < 4 * np.sqrt(expected)
    # expected minutes per day equal the granted hours
    minutes = sc.clients["hours_per_week"].sum() * 60 / 7
    assert v["duration_min"].sum() == pytest.approx(minutes, rel=0.15)
    assert (v["earliest_min"] < v["latest_min"]).all()
    assert set(v["period"]) <= set(PERIODS)
    # same seed, same day, whatever the provider
    v2 = day_of_visits(sc, ["M"] * sc.n_clients, seed=1)
    assert list(v2["client_id"]) == list(v["client_id"])
    assert list(v2["duration_min"]) == list(v["duration_min"])


def test_same_stairwell_same_provider_is_one_stop():
    sc = stairwell_scenario()
    v = day_of_visits(sc, ["A", "A", "A"], seed=0)
    assert len(v) == 3 and set(v["period"]) == {"morning"}
    # 3.5 h/week = 30 min/day in one visit
    assert list(v["duration_min"]) == [30.0, 30.0, 30.0]
    s = stops_of(v, walk_min=2.0)
    assert len(s) == 2
    shared = s[s["stairwell_id"] == "s0"].iloc[0]
    assert shared["n_visits"] == 2 and shared["service_min"] == 62.0
    s2 = stops_of(day_of_visits(sc, ["A", "B", "A"], seed=0))
    assert len(s2) == 3  # two providers in one stairwell drive there separately


def test_route_day_hand_computed_km():
    sc = stairwell_scenario()
    travel = MixedTravel(detour_factor=1.3)
    one = route_day(sc, ["A", "A", "A"], travel=travel, max_iterations=200)
    # one shift: office -> 1 km -> 2 km -> office = 4 km straight, × 1.3
    t = one.totals()
    assert t["driven_km_per_day"] == pytest.approx(4 * 1.3)
    assert t["stops"] == 2 and t["visits"] == 3 and t["dropped_visits"] == 0
    two = route_day(sc, ["A", "B", "A"], travel=travel, max_iterations=200)
    # A: office -> s0 -> s2 -> office = 4 km; B: office -> s0 -> office = 2 km
    assert two.totals()["driven_km_per_day"] == pytest.approx(6 * 1.3)
    assert two.totals()["stops_per_visit"] == 1.0
    # staff time: service + driving + waiting, office to office
    r = one.routes.iloc[0]
    assert r["staff_min"] == pytest.approx(r["service_min"] + r["drive_min"] + r["wait_min"])
    assert r["service_min"] == pytest.approx(62.0 + 30.0)


def test_mixed_travel_times():
    t = MixedTravel(detour_factor=1.0, urban_kmh=30, rural_kmh=60, urban_m=3000,
                    overhead_min=2)
    _, m = t.matrices(np.array([[0, 0], [1000, 0], [9000, 0]]))
    # 1 km at 30 km/h = 2 min (+2); 9 km = 3 km at 30 (6 min) + 6 km at 60 (6 min) + 2
    assert m[0, 1] == pytest.approx(4.0)
    assert m[0, 2] == pytest.approx(14.0)
    assert m[0, 0] == 0.0
    with pytest.raises(InputError, match="detour_factor"):
        MixedTravel(detour_factor=0.5)


def test_bad_inputs():
    sc = stairwell_scenario()
    with pytest.raises(InputError, match="expected 3"):
        day_of_visits(sc, ["A"], seed=0)
    with pytest.raises(InputError, match="max_visits"):
        VisitParams(max_visits=9)


def test_shifts_start_from_the_nearest_base():
    from hemopt.routing.day import assign_bases

    sc = stairwell_scenario()
    bases = gpd.GeoDataFrame({"base_id": ["A-east"], "provider_id": ["A"]},
                             geometry=[Point(X0 + 2000, Y0)], crs=3006)
    sc = sc.replace(bases=bases)
    day = route_day(sc, ["A", "A", "A"], travel=MixedTravel(detour_factor=1.0),
                    max_iterations=200)
    # s0 (1 km) is nearer the office (0 km) than the base? 1 km from both: the office (first)
    # wins the tie; s2 (2 km) lies at the base: no driving for it.
    assert sorted(day.routes["base"]) == [0, 1]
    assert day.totals()["driven_km_per_day"] == pytest.approx(2.0)
    stops = assign_bases(day.stops.drop(columns="base"), sc.bases_xy())
    assert stops.set_index("stairwell_id").loc["s2", "base"] == 1
