"""The scenario model: construction, validation errors, CRS handling, GeoPackage round trip."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

import hemopt
from hemopt import Scenario, ScenarioError
from hemopt.testing import assert_scenario_equal

X0, Y0 = 600_000.0, 6_580_000.0


def test_tiny_scenario_tables(tiny_scenario):
    sc = tiny_scenario
    assert sc.n_clients == 3
    assert sc.n_providers == 2
    assert list(sc.clients.columns[:7]) == [
        "client_id", "stairwell_id", "building_id", "hours_per_week", "visits_per_day",
        "ranking", "current_provider",
    ]
    assert sc.clients.crs.to_epsg() == 3006
    # stairwells and buildings derived from the clients
    assert list(sc.stairwells["stairwell_id"]) == ["s1", "s2"]
    assert list(sc.stairwells["dwellings"]) == [2, 1]
    assert list(sc.buildings["building_id"]) == ["b1", "b2"]
    assert sc.ranking_matrix().tolist() == [[1, 0], [-1, -1], [0, -1]]
    assert sc.current_index().tolist() == [1, 0, -1]
    assert math.isinf(sc.providers["capacity_hours"].iloc[0])


def test_summary_values(tiny_scenario):
    s = tiny_scenario.summary()
    assert s["clients"] == 3
    assert s["stairwells_with_clients"] == 2
    assert s["clients_per_stairwell"] == 1.5
    assert s["share_clients_sharing_stairwell"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["hours_per_week_total"] == 17.5
    assert s["non_choosers_share"] == pytest.approx(1 / 3, abs=1e-4)
    by = {p["provider_id"]: p for p in s["providers"]}
    assert by["p1"]["clients"] == 1 and by["p1"]["hours_per_week"] == 3.5
    assert by["m"]["share_hours"] == pytest.approx(14 / 17.5, abs=1e-4)
    assert s["area_km2"] == 4.0


def test_input_is_not_mutated(tables):
    c, p, z, b = tables
    before = [t.copy() for t in (c, p, z, b)]
    Scenario(c, p, zones=z, boundary=b)
    for t0, t1 in zip(before, (c, p, z, b), strict=True):
        pd.testing.assert_frame_equal(pd.DataFrame(t0), pd.DataFrame(t1))


def test_string_ranking_and_int_ids_are_normalised(tables):
    c, p, z, b = tables
    c = c.copy()
    c["ranking"] = ["p1;m", "", "m"]
    c["client_id"] = [1, 2, 3]
    sc = Scenario(c, p, zones=z, boundary=b)
    assert list(sc.clients["ranking"]) == [("p1", "m"), (), ("m",)]
    assert list(sc.clients["client_id"]) == ["1", "2", "3"]


def test_extra_columns_are_kept(tables):
    c, p, z, b = tables
    c = c.assign(age=[81, 92, 77])
    sc = Scenario(c, p, zones=z, boundary=b)
    assert list(sc.clients["age"]) == [81, 92, 77]


def _err(fn, **expected):
    with pytest.raises(ScenarioError) as ei:
        fn()
    e = ei.value
    for k, v in expected.items():
        assert getattr(e, k) == v, (k, getattr(e, k), str(e))
    return str(e)


def test_duplicate_client_id(tables):
    c, p, z, b = tables
    c = c.copy()
    c.loc[2, "client_id"] = "c1"
    msg = _err(lambda: Scenario(c, p, zones=z, boundary=b), table="clients", field="client_id",
               value="c1")
    assert "duplicate" in msg and "'clients'" in msg


def test_duplicate_provider_id(tables):
    c, p, z, b = tables
    p = p.copy()
    p.loc[1, "provider_id"] = "m"
    c = c.copy()
    c["ranking"] = [(), (), ()]
    c["current_provider"] = ["", "", ""]
    _err(lambda: Scenario(c, p, zones=z, boundary=b), table="providers", field="provider_id",
         value="m")


def test_unknown_provider_in_ranking(tables):
    c, p, z, b = tables
    c = c.copy()
    c["ranking"] = [("p1", "ghost"), (), ()]
    msg = _err(lambda: Scenario(c, p, zones=z, boundary=b), table="clients", row="c1",
               field="ranking", value="ghost")
    assert "unknown provider" in msg


def test_unknown_current_provider(tables):
    c, p, z, b = tables
    c = c.copy()
    c["current_provider"] = ["p1", "zz", ""]
    _err(lambda: Scenario(c, p, zones=z, boundary=b), table="clients", row="c2",
         field="current_provider", value="zz")


def test_negative_hours(tables):
    c, p, z, b = tables
    c = c.copy()
    c["hours_per_week"] = [3.5, -2.0, 1.0]
    msg = _err(lambda: Scenario(c, p, zones=z, boundary=b), table="clients", row="c2",
               field="hours_per_week", value=-2.0)
    assert ">= 0" in msg


def test_nan_hours(tables):
    c, p, z, b = tables
    c = c.copy()
    c["hours_per_week"] = [3.5, np.nan, 1.0]
    _err(lambda: Scenario(c, p, zones=z, boundary=b), table="clients", row="c2",
         field="hours_per_week")


def test_non_numeric_hours(tables):
    c, p, z, b = tables
    c = c.copy()
    c["hours_per_week"] = ["3.5", "lots", "1"]
    _err(lambda: Scenario(c, p, zones=z, boundary=b), table="clients", row="c2",
         field="hours_per_week", value="lots")


def test_negative_capacity(tables):
    c, p, z, b = tables
    p = p.copy()
    p["capacity_clients"] = [float("inf"), -1.0]
    _err(lambda: Scenario(c, p, zones=z, boundary=b), table="providers", row="p1",
         field="capacity_clients", value=-1.0)


def test_missing_capacity_means_unbounded(tables):
    c, p, z, b = tables
    p = p.copy()
    p["capacity_clients"] = [None, 10.0]
    sc = Scenario(c, p, zones=z, boundary=b)
    assert math.isinf(sc.providers["capacity_clients"].iloc[0])


def test_bad_provider_kind(tables):
    c, p, z, b = tables
    p = p.copy()
    p["kind"] = ["municipal", "private"]
    _err(lambda: Scenario(c, p, zones=z, boundary=b), table="providers", row="p1",
         field="kind", value="private")


def test_unknown_zone_of_provider(tables):
    c, p, z, b = tables
    p = p.copy()
    p["zones"] = [(), ("z9",)]
    _err(lambda: Scenario(c, p, zones=z, boundary=b), table="providers", row="p1",
         field="zones", value="z9")


def test_point_outside_municipality(tables):
    c, p, z, b = tables
    c = c.copy()
    c.loc[2, "geometry"] = Point(590_000, 6_580_000)
    c.loc[2, "stairwell_id"] = "s3"
    msg = _err(lambda: Scenario(c, p, zones=z, boundary=b), table="clients", row="c3",
               field="geometry")
    assert "outside the municipality boundary 'Testby'" in msg
    assert "590000.0" in msg


def test_provider_office_outside_municipality(tables):
    c, p, z, b = tables
    p = p.copy()
    p.loc[0, "geometry"] = Point(0, 0)
    _err(lambda: Scenario(c, p, zones=z, boundary=b), table="providers", row="m",
         field="geometry")


def test_missing_crs(tables):
    c, p, z, b = tables
    c = gpd.GeoDataFrame(pd.DataFrame(c).drop(columns="geometry"), geometry=list(c.geometry))
    assert c.crs is None
    msg = _err(lambda: Scenario(c, p, zones=z, boundary=b), table="clients", field="crs")
    assert "missing CRS" in msg


def test_wgs84_input_is_reprojected(tables):
    c, p, z, b = tables
    c84, p84 = c.to_crs(4326), p.to_crs(4326)
    sc = Scenario(c84, p84, zones=z, boundary=b.to_crs(4326))
    assert sc.clients.crs.to_epsg() == 3006
    np.testing.assert_allclose(sc.client_xy(), np.array([[c.geometry[i].x, c.geometry[i].y]
                                                          for i in range(3)]), atol=1e-3)
    assert sc.area.area == pytest.approx(4e6, rel=1e-6)


def test_missing_required_column(tables):
    c, p, z, b = tables
    _err(lambda: Scenario(c.drop(columns="hours_per_week"), p, zones=z, boundary=b),
         table="clients", field="hours_per_week")
    _err(lambda: Scenario(c, p.drop(columns="kind"), zones=z, boundary=b),
         table="providers", field="kind")


def test_stairwell_building_mismatch(tables):
    c, p, z, b = tables
    c = c.copy()
    c["building_id"] = ["b1", "b9", "b2"]
    stair = gpd.GeoDataFrame({"stairwell_id": ["s1", "s2"], "building_id": ["b1", "b2"]},
                             geometry=[c.geometry[0], c.geometry[2]], crs=3006)
    _err(lambda: Scenario(c, p, stairwells=stair, zones=z, boundary=b), table="clients",
         row="c2", field="building_id", value="b9")


def test_wrong_geometry_type(tables):
    c, p, z, b = tables
    c = c.copy()
    c.loc[0, "geometry"] = c.geometry[0].buffer(5)
    _err(lambda: Scenario(c, p, zones=z, boundary=b), table="clients", row="c1",
         field="geometry", value="Polygon")


def test_id_with_separator(tables):
    c, p, z, b = tables
    c = c.copy()
    c.loc[0, "client_id"] = "a;b"
    _err(lambda: Scenario(c, p, zones=z, boundary=b), table="clients", field="client_id",
         value="a;b")


def test_gpkg_round_trip_exact(tiny_scenario, tmp_path):
    path = tiny_scenario.to_gpkg(tmp_path / "tiny.gpkg")
    back = Scenario.from_gpkg(path)
    assert_scenario_equal(tiny_scenario, back)
    assert back == tiny_scenario
    # and once more: writing what was read gives the same again
    back.to_gpkg(tmp_path / "again.gpkg")
    assert_scenario_equal(back, Scenario.from_gpkg(tmp_path / "again.gpkg"))


def test_gpkg_layers(tiny_scenario, tmp_path):
    import pyogrio

    path = tiny_scenario.to_gpkg(tmp_path / "new" / "dir" / "tiny.gpkg")
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {"clients", "stairwells", "buildings", "providers", "zones", "boundary",
                      "bases", "hemopt_meta"}
    raw = pyogrio.read_dataframe(path, layer="clients")
    assert list(raw["ranking"]) == ["p1;m", "", "m"]


def test_from_gpkg_missing_file_and_layer(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        Scenario.from_gpkg(tmp_path / "nope.gpkg")
    import pyogrio

    df = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=3006)
    pyogrio.write_dataframe(df, tmp_path / "x.gpkg", layer="other")
    with pytest.raises(ScenarioError, match="no layer 'clients'"):
        Scenario.from_gpkg(tmp_path / "x.gpkg")


def test_replace_validates(tiny_scenario):
    c = tiny_scenario.clients.copy()
    c["hours_per_week"] = [1.0, 2.0, 3.0]
    sc2 = tiny_scenario.replace(clients=c)
    assert sc2.clients["hours_per_week"].sum() == 6.0
    assert tiny_scenario.clients["hours_per_week"].sum() == 17.5
    c.loc[0, "hours_per_week"] = -1
    with pytest.raises(ScenarioError):
        tiny_scenario.replace(clients=c)


def test_default_boundary_and_derived_ids():
    clients = gpd.GeoDataFrame(
        {"client_id": ["a", "b", "c"], "hours_per_week": [1.0, 2.0, 7.0]},
        geometry=[Point(X0, Y0), Point(X0, Y0), Point(X0 + 500, Y0)], crs=3006,
    )
    providers = gpd.GeoDataFrame({"provider_id": ["m"], "kind": ["municipal"]},
                                 geometry=[Point(X0 + 100, Y0 + 100)], crs=3006)
    sc = Scenario(clients, providers)
    # two clients at one point share a stairwell
    assert sc.clients["stairwell_id"].nunique() == 2
    assert sc.clients["visits_per_day"].tolist() == [0.29, 0.57, 2.0]
    assert sc.area.contains(Point(X0 + 500, Y0))


def test_bases(tables, tmp_path):
    c, p, z, b = tables
    bases = gpd.GeoDataFrame({"base_id": ["m-east"], "provider_id": ["m"]},
                             geometry=[Point(601_900, 6_580_100)], crs=3006)
    sc = Scenario(c, p, zones=z, boundary=b, bases=bases)
    xy = sc.bases_xy()
    assert xy["m"].tolist() == [[601_000.0, 6_581_000.0], [601_900.0, 6_580_100.0]]
    assert xy["p1"].tolist() == [[601_500.0, 6_580_200.0]]
    assert_scenario_equal(sc, Scenario.from_gpkg(sc.to_gpkg(tmp_path / "b.gpkg")))
    bad = bases.assign(provider_id=["ghost"])
    with pytest.raises(ScenarioError, match="unknown provider") as ei:
        Scenario(c, p, zones=z, boundary=b, bases=bad)
    assert ei.value.table == "bases" and ei.value.value == "ghost"


def test_staffing_and_skill_default_and_validate():
    sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    old = sc.clients.drop(columns=["staff_per_visit", "skill"])
    plain = sc.replace(clients=old, providers=sc.providers.drop(columns=["licensed_share"]))
    assert (plain.clients["staff_per_visit"] == 1).all() and (plain.clients["skill"] == "").all()
    assert (plain.providers["licensed_share"] == 1.0).all()
    bad = sc.clients.copy()
    bad.loc[0, "staff_per_visit"] = 3
    with pytest.raises(ScenarioError, match="staff per visit must be 1 or 2"):
        sc.replace(clients=bad)
    pr = sc.providers.copy()
    pr.loc[0, "licensed_share"] = 1.2
    with pytest.raises(ScenarioError, match="share between 0 and 1"):
        sc.replace(providers=pr)
