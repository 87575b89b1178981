from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import matplotlib
import pytest
from shapely.geometry import Point, box

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

#: Public Swedish geodata beside the project (not copied into it); tests skip without it.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

X0, Y0 = 600_000.0, 6_580_000.0


def tiny_tables():
    """Three clients, two in one stairwell, and two providers in a 2×2 km square."""
    clients = gpd.GeoDataFrame(
        {
            "client_id": ["c1", "c2", "c3"],
            "stairwell_id": ["s1", "s1", "s2"],
            "building_id": ["b1", "b1", "b2"],
            "hours_per_week": [3.5, 14.0, 0.0],
            "visits_per_day": [1.0, 3.0, 0.0],
            "ranking": [("p1", "m"), (), ("m",)],
            "current_provider": ["p1", "m", ""],
        },
        geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 100, Y0 + 100), Point(X0 + 900, Y0 + 500)],
        crs="EPSG:3006",
    )
    providers = gpd.GeoDataFrame(
        {
            "provider_id": ["m", "p1"],
            "name": ["Municipal", "Private one"],
            "kind": ["municipal", "external"],
            "capacity_clients": [float("inf"), 10.0],
            "capacity_hours": [float("inf"), float("inf")],
            "zones": [(), ("z1",)],
        },
        geometry=[Point(X0 + 1000, Y0 + 1000), Point(X0 + 1500, Y0 + 200)],
        crs="EPSG:3006",
    )
    zones = gpd.GeoDataFrame(
        {"zone_id": ["z1", "z2"], "name": ["West", "East"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 2000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 2000)],
        crs="EPSG:3006",
    )
    boundary = gpd.GeoDataFrame(
        {"name": ["Testby"], "code": ["9999"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 2000)],
        crs="EPSG:3006",
    )
    return clients, providers, zones, boundary


@pytest.fixture
def tables():
    return tiny_tables()


@pytest.fixture
def tiny_scenario():
    from hemopt import Scenario

    c, p, z, b = tiny_tables()
    return Scenario(c, p, zones=z, boundary=b, name="tiny", meta={"seed": 0})
