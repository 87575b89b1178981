"""The synthetic municipality generator: determinism, documented ranges, real boundaries."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from hemopt import InputError
from hemopt.synth import PRESETS, generate, get_preset, visits_per_day_from_hours
from hemopt.testing import assert_scenario_equal, scenarios_equal

from .conftest import SHARED_DATA


@pytest.fixture(scope="module")
def strangnas():
    return generate("strangnas", seed=1)


@pytest.fixture(scope="module")
def botkyrka():
    return generate("botkyrka", seed=1)


def test_same_seed_same_scenario_bit_for_bit(tmp_path):
    a = generate("strangnas", seed=7, scale=0.2)
    b = generate("strangnas", seed=7, scale=0.2)
    assert_scenario_equal(a, b)
    # bit for bit: the GeoPackages written are byte-identical apart from timestamps,
    # so compare the coordinates' raw bytes
    assert a.client_xy().tobytes() == b.client_xy().tobytes()
    assert not scenarios_equal(a, generate("strangnas", seed=8, scale=0.2))


def test_generated_scenario_round_trips(tmp_path):
    from hemopt import Scenario

    a = generate("botkyrka", seed=3, scale=0.1)
    back = Scenario.from_gpkg(a.to_gpkg(tmp_path / "b.gpkg"))
    assert_scenario_equal(a, back)


# Documented ranges (docs/parameters.md, "Measured preset figures").
@pytest.mark.parametrize(
    ("name", "clients", "per_1000", "sharing", "external"),
    [
        ("strangnas", (1000, 1300), (25, 33), (0.20, 0.40), (0.10, 0.25)),
        ("botkyrka", (1450, 1800), (15, 19), (0.28, 0.48), (0.22, 0.36)),
    ],
)
def test_preset_figures_in_documented_ranges(name, clients, per_1000, sharing, external):
    for seed in (0, 1, 2):
        sc = generate(name, seed=seed)
        s = sc.summary()
        assert clients[0] <= s["clients"] <= clients[1]
        assert per_1000[0] <= 1000 * s["clients"] / s["inhabitants"] <= per_1000[1]
        assert sharing[0] <= s["share_clients_sharing_stairwell"] <= sharing[1]
        ext = sum(p["clients"] for p in s["providers"] if p["kind"] == "external") / s["clients"]
        assert external[0] <= ext <= external[1]
        hours = sc.clients["hours_per_week"].to_numpy()
        # skewed: median well below mean; about 12 % above 80 hours a month
        assert np.median(hours) < 0.6 * hours.mean()
        assert 7.0 <= hours.mean() <= 11.0
        above_80 = (hours * 52 / 12 > 80).mean()
        assert 0.09 <= above_80 <= 0.15
        assert 0.2 <= s["non_choosers_share"] <= 0.3
        assert 1.7 <= sc.clients["visits_per_day"].mean() <= 2.2


def test_strangnas_structure(strangnas):
    sc = strangnas
    kinds = sc.buildings["kind"].value_counts()
    assert set(kinds.index) == {"multi_storey", "row_house", "detached", "farm"}
    ms = sc.buildings[sc.buildings["kind"] == "multi_storey"]
    per_building = sc.stairwells.groupby("building_id").size()
    # multi-storey buildings have several stairwells on average
    assert per_building.loc[ms["building_id"]].mean() > 2.0
    assert len(sc.providers) == 8
    assert (sc.providers["kind"] == "municipal").sum() == 1
    assert sc.summary()["area_km2"] == pytest.approx(731.0, abs=0.5)
    assert len(sc.zones) == 3
    # zones partition the municipality
    union = shapely.union_all(sc.zones.geometry.values)
    assert union.symmetric_difference(sc.area).area < 1.0


def test_botkyrka_structure(botkyrka):
    sc = botkyrka
    assert sorted(sc.providers["provider_id"]) == ["M", "N1", "N2", "S1", "S2"]
    assert sc.summary()["area_km2"] == pytest.approx(202.0, abs=0.5)
    # externals are contracted per area: a client's ranking only holds its area's externals
    zone_of = {}
    for zid, g in zip(sc.zones["zone_id"], sc.zones.geometry, strict=True):
        inside = shapely.intersects_xy(g, *sc.client_xy().T)
        for cid in sc.clients["client_id"][inside]:
            zone_of.setdefault(cid, zid)
    pz = dict(zip(sc.providers["provider_id"], sc.providers["zones"], strict=True))
    for cid, ranking in zip(sc.clients["client_id"], sc.clients["ranking"], strict=True):
        for p in ranking:
            assert not pz[p] or zone_of[cid] in pz[p]
    # denser than Strängnäs: more clients share a stairwell
    assert (sc.summary()["share_clients_sharing_stairwell"]
            > generate("strangnas", seed=1).summary()["share_clients_sharing_stairwell"])


def test_clients_live_in_their_stairwell(strangnas):
    sc = strangnas
    st = sc.stairwells.set_index("stairwell_id")
    xy = shapely.get_coordinates(st.loc[sc.clients["stairwell_id"]].geometry.values)
    np.testing.assert_array_equal(xy, sc.client_xy())
    # no more clients in a stairwell than it has dwellings
    per = sc.clients.groupby("stairwell_id").size()
    assert (per <= st.loc[per.index, "dwellings"]).all()


def test_visits_per_day_rule():
    np.testing.assert_allclose(
        visits_per_day_from_hours(np.array([1.0, 2.25, 7.0, 14.0, 70.0])),
        [0.14, 0.32, 2.0, 4.0, 8.0],
    )


def test_scale_and_n_external():
    sc = generate("strangnas", seed=2, scale=0.1, n_external=3)
    assert sc.n_providers == 4
    assert 100 <= sc.n_clients <= 130
    sc0 = generate("strangnas", seed=2, scale=0.1, n_external=0)
    assert list(sc0.providers["provider_id"]) == ["M"]
    assert (sc0.clients["current_provider"] == "M").all()


def test_bad_arguments():
    with pytest.raises(InputError, match="unknown preset 'gotham'"):
        generate("gotham")
    with pytest.raises(InputError, match="seed"):
        generate("strangnas", seed=-1)
    with pytest.raises(InputError, match="scale"):
        generate("strangnas", scale=0)
    with pytest.raises(InputError, match="n_external"):
        generate("botkyrka", n_external=3)
    assert get_preset("Strängnäs") is PRESETS["strangnas"]


@pytest.mark.skipif(not (SHARED_DATA / "kommun_boundaries_0486_0127.geojson").exists(),
                    reason="public boundaries in ../shared/data are not present")
@pytest.mark.parametrize(("code", "preset"), [("0486", "strangnas"), ("0127", "botkyrka")])
def test_real_boundary(code, preset):
    import geopandas as gpd

    b = gpd.read_file(SHARED_DATA / "kommun_boundaries_0486_0127.geojson")
    b = b[b["kommun_kod"] == code]
    assert b.crs.to_epsg() == 4326  # WGS84: reprojected by the generator
    sc = generate(preset, seed=1, boundary=b, scale=0.3)
    area = sc.area
    assert sc.boundary["code"].iloc[0] == code
    assert sc.area.area / 1e6 == pytest.approx({"0486": 731.4, "0127": 202.3}[code], rel=0.01)
    inside = shapely.intersects_xy(area.buffer(1.0), *sc.client_xy().T)
    assert inside.all()
    # the real settlement centres lie inside the real boundary and are kept
    if preset == "strangnas":
        town = sc.buildings[sc.buildings["settlement"] == "Strängnäs"]
        c = shapely.union_all(town.geometry.values).centroid
        assert abs(c.x - 615_604) < 400 and abs(c.y - 6_581_844) < 400
