"""The synthetic municipality generator on real DeSO geography: determinism, documented
figures, areas, providers, real boundaries."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import shapely

import hemopt
from hemopt import InputError, ScenarioError
from hemopt.synth import (
    PRESETS,
    generate,
    get_preset,
    preset_deso,
    visits_per_day_from_hours,
)
from hemopt.testing import assert_scenario_equal, scenarios_equal

from .conftest import SHARED_DATA


@pytest.fixture(scope="module")
def strangnas():
    return generate("strangnas", seed=1)


@pytest.fixture(scope="module")
def botkyrka():
    return generate("botkyrka", seed=1)


def test_same_seed_same_scenario_bit_for_bit():
    a = generate("strangnas", seed=7, scale=0.2)
    b = generate("strangnas", seed=7, scale=0.2)
    assert_scenario_equal(a, b)
    assert a.client_xy().tobytes() == b.client_xy().tobytes()
    assert a.stairwells.geometry.to_wkb().tolist() == b.stairwells.geometry.to_wkb().tolist()
    assert not scenarios_equal(a, generate("strangnas", seed=8, scale=0.2))


def test_generated_scenario_round_trips(tmp_path):
    from hemopt import Scenario

    a = generate("botkyrka", seed=3, scale=0.1)
    back = Scenario.from_gpkg(a.to_gpkg(tmp_path / "b.gpkg"))
    assert_scenario_equal(a, back)
    assert back.zones["procured"].tolist() == [True, True]
    assert back.meta["deso_expected_clients"] == a.meta["deso_expected_clients"]


# Documented figures (docs/geography.md, "Measured preset figures"), seeds 1-5.
@pytest.mark.parametrize(
    ("name", "clients", "per_1000_80", "sharing", "external", "non_choosers", "hours"),
    [
        ("strangnas", (505, 545), (180, 195), (0.12, 0.26), (0.12, 0.19), 0.58, (3500, 5500)),
        ("botkyrka", (1070, 1120), (258, 273), (0.16, 0.26), (0.24, 0.35), 0.10, (8800, 11800)),
    ],
)
def test_preset_figures_in_documented_ranges(name, clients, per_1000_80, sharing, external,
                                             non_choosers, hours):
    for seed in range(1, 6):
        sc = generate(name, seed=seed)
        s = sc.summary()
        assert clients[0] <= s["clients"] <= clients[1]
        per_1000 = 1000 * s["clients"] / sc.meta["inhabitants_80plus"]
        assert per_1000_80[0] <= per_1000 <= per_1000_80[1]
        assert sharing[0] <= s["share_clients_sharing_stairwell"] <= sharing[1]
        ext = sum(p["clients"] for p in s["providers"] if p["kind"] == "external") / s["clients"]
        assert external[0] <= ext <= external[1]
        assert s["non_choosers_share"] == pytest.approx(non_choosers, abs=0.002)
        assert hours[0] <= s["hours_per_week_total"] <= hours[1]
        h = sc.clients["hours_per_week"].to_numpy()
        # skewed: median well below mean; about 12 % above 80 hours a month
        assert np.median(h) < 0.6 * h.mean()
        assert 0.08 <= (h * 52 / 12 > 80).mean() <= 0.16


def test_expected_clients_follow_coverage_by_age():
    d = preset_deso("strangnas")
    p = PRESETS["strangnas"]
    # 80+: Kolada coverage 12.26 % of 2,801; 65-79: 0.15 x that rate of 6,498; <65: 0.21 %
    assert int(d["pop_80plus"].sum()) == 2801 and int(d["pop_65_79"].sum()) == 6498
    want = 0.1226 * 2801 + 0.15 * 0.1226 * 6498 + 0.0021 * int(d["pop_0_64"].sum())
    assert d["expected_clients"].sum() == pytest.approx(want)
    assert p.rate_65_79 == pytest.approx(0.01839)
    sc = generate("strangnas", seed=1)
    assert sc.meta["expected_clients"] == pytest.approx(want, abs=0.01)
    assert sc.meta["inhabitants"] == 39391 and sc.meta["inhabitants_80plus"] == 2801


def test_strangnas_structure(strangnas):
    sc = strangnas
    kinds = sc.buildings["kind"].value_counts()
    assert set(kinds.index) == {"multi_storey", "row_house", "detached", "farm"}
    ms = sc.buildings[sc.buildings["kind"] == "multi_storey"]
    per_building = sc.stairwells.groupby("building_id").size()
    assert per_building.loc[ms["building_id"]].mean() > 2.0
    assert sc.provider_ids == ["M", "E1", "E2", "E3", "E4", "E5", "E6", "E7"]
    # land: the SCB boundary (731 km2) where it overlaps the DeSO areas
    assert sc.summary()["area_km2"] == pytest.approx(712.3, abs=1.0)
    assert sc.area.area / 1e6 < 731.5
    # three areas, disjoint, covering the land; areas 1 and 2 procured
    assert list(sc.zones["zone_id"]) == ["area1", "area2", "area3"]
    assert list(sc.zones["procured"]) == [True, True, False]
    union = shapely.union_all(sc.zones.geometry.values)
    assert union.symmetric_difference(sc.area).area < 1.0
    assert sum(g.area for g in sc.zones.geometry) == pytest.approx(union.area, rel=1e-9)
    # declared service areas; the two largest private providers serve everywhere
    pz = dict(zip(sc.providers["provider_id"], sc.providers["zones"], strict=True))
    assert pz["E1"] == () and pz["E2"] == () and pz["E3"] == ("area1",)
    assert pz["E4"] == ("area2", "area3") and pz["E7"] == ("area1",)
    # the municipality: office in central Strängnäs (DeSO C1060), a base in areas 1 and 2
    d = preset_deso("strangnas").set_index("deso_code")
    m = sc.providers.geometry.iloc[0]
    assert d.geometry.loc["0486C1060"].contains(m)
    assert list(sc.bases["base_id"]) == ["M-area1", "M-area2"]
    assert d.geometry.loc["0486B2020"].contains(sc.bases.geometry.iloc[0])  # Mariefred


def test_clients_rank_only_providers_serving_their_area(strangnas, botkyrka):
    for sc in (strangnas, botkyrka):
        zone_of = {}
        for zid, g in zip(sc.zones["zone_id"], sc.zones.geometry, strict=True):
            inside = shapely.intersects_xy(g, *sc.client_xy().T)
            for cid in sc.clients["client_id"][inside]:
                zone_of.setdefault(cid, zid)
        assert len(zone_of) == sc.n_clients
        pz = dict(zip(sc.providers["provider_id"], sc.providers["zones"], strict=True))
        for cid, ranking, cur in zip(sc.clients["client_id"], sc.clients["ranking"],
                                     sc.clients["current_provider"], strict=True):
            for p in (*ranking, cur):
                assert not pz[p] or zone_of[cid] in pz[p]


def test_botkyrka_structure(botkyrka):
    sc = botkyrka
    assert sc.provider_ids == ["M", "N1", "N2", "S1", "S2"]
    assert sc.summary()["area_km2"] == pytest.approx(188.8, abs=1.0)
    assert list(sc.zones["zone_id"]) == ["north", "south"]
    d = preset_deso("botkyrka")
    north = {"0127R001", "0127R002", "0127R004", "0127R005", "0127R007", "0127R010",
             "0127R012"}
    assert (d["zone_id"] == np.where(d["regso_code"].isin(north), "north", "south")).all()
    z = dict(zip(sc.zones["zone_id"], sc.zones.geometry, strict=True))
    off = dict(zip(sc.providers["provider_id"], sc.providers.geometry, strict=True))
    assert z["north"].contains(off["N1"]) and z["north"].contains(off["N2"])
    assert z["south"].contains(off["S1"]) and z["south"].contains(off["S2"])
    assert z["south"].contains(off["M"])  # Tumba centrum
    assert list(sc.bases["base_id"]) == ["M-north"]
    assert z["north"].contains(sc.bases.geometry.iloc[0])
    # denser and more flats than Strängnäs
    flats = sc.stairwells.merge(sc.buildings[["building_id", "kind"]])
    share = flats.groupby("kind")["dwellings"].sum() / flats["dwellings"].sum()
    assert share["multi_storey"] > 0.55


def test_clients_live_in_their_stairwell_and_deso(strangnas):
    sc = strangnas
    st = sc.stairwells.set_index("stairwell_id")
    xy = shapely.get_coordinates(st.loc[sc.clients["stairwell_id"]].geometry.values)
    np.testing.assert_array_equal(xy, sc.client_xy())
    per = sc.clients.groupby("stairwell_id").size()
    assert (per <= st.loc[per.index, "dwellings"]).all()
    d = preset_deso("strangnas").set_index("deso_code")
    g = d.geometry.loc[sc.clients["deso_code"]].values
    assert shapely.intersects_xy(shapely.buffer(g, 50.0), *sc.client_xy().T).all()


def test_rural_deso_have_farms_and_villages(strangnas):
    b = strangnas.buildings
    rural = b[b["deso_code"].str[4] == "A"]
    assert set(rural["kind"]) >= {"farm", "detached"}
    assert {"Härad", "Merlänna", "Sanda", "Marielund", "Kalkudden"} <= set(rural["settlement"])
    assert (b.loc[b["kind"] == "farm", "deso_code"].str[4] == "A").all()


def test_visits_per_day_rule():
    np.testing.assert_allclose(
        visits_per_day_from_hours(np.array([1.0, 2.25, 7.0, 14.0, 70.0])),
        [0.14, 0.32, 2.0, 4.0, 8.0],
    )


def test_scale_and_n_external():
    sc = generate("strangnas", seed=2, scale=0.2, n_external=4)
    assert sc.provider_ids == ["M", "E1", "E2", "E3", "E4"]
    # declared areas: the two largest everywhere, the others one area each, in turn
    assert list(sc.providers["zones"]) == [(), (), (), ("area1",), ("area2",)]
    assert 95 <= sc.n_clients <= 115
    sc0 = generate("strangnas", seed=2, scale=0.1, n_external=0)
    assert sc0.provider_ids == ["M"]
    assert (sc0.clients["current_provider"] == "M").all()


def test_serves_everywhere_option():
    p = dataclasses.replace(PRESETS["strangnas"], lov_declared_areas=False)
    sc = generate(p, seed=1, scale=0.1)
    assert all(z == () for z in sc.providers["zones"])


def test_bad_arguments():
    with pytest.raises(InputError, match="unknown preset 'gotham'"):
        generate("gotham")
    with pytest.raises(InputError, match="seed must be a non-negative integer, got -1"):
        generate("strangnas", seed=-1)
    with pytest.raises(InputError, match=r"scale must be in \(0, 10\], got 0"):
        generate("strangnas", scale=0)
    with pytest.raises(InputError, match="n_external applies to LOV presets; preset 'botkyrka'"):
        generate("botkyrka", n_external=3)
    with pytest.raises(InputError,
                       match=r"Preset.coverage_80 must be a share in \[0, 1\], got 1.5"):
        generate(dataclasses.replace(PRESETS["strangnas"], coverage_80=1.5))
    bad_office = dataclasses.replace(PRESETS["botkyrka"], providers=(
        PRESETS["botkyrka"].providers[0],
        dataclasses.replace(PRESETS["botkyrka"].providers[1], office="regso:0127R099")))
    with pytest.raises(InputError, match="provider 'N1': office 'regso:0127R099' matches no"):
        generate(bad_office, scale=0.05)
    bad_area = dataclasses.replace(PRESETS["botkyrka"], areas=PRESETS["botkyrka"].areas[:1])
    with pytest.raises(InputError, match=r"DeSO areas in no area: \['0127A0010'"):
        generate(bad_area, scale=0.05)
    assert get_preset("Strängnäs") is PRESETS["strangnas"]


@pytest.mark.skipif(not (SHARED_DATA / "kommun_boundaries_0486_0127.geojson").exists(),
                    reason="public boundaries in ../shared/data are not present")
@pytest.mark.parametrize(("code", "preset"), [("0486", "strangnas"), ("0127", "botkyrka")])
def test_real_boundary_file_of_both_municipalities(code, preset):
    import geopandas as gpd

    b = gpd.read_file(SHARED_DATA / "kommun_boundaries_0486_0127.geojson")
    assert b.crs.to_epsg() == 4326 and len(b) == 2  # WGS84, both: the preset's row is used
    sc = generate(preset, seed=1, boundary=b, scale=0.3)
    shipped = generate(preset, seed=1, scale=0.3)
    assert sc.boundary["code"].iloc[0] == code
    assert sc.area.area == pytest.approx(shipped.area.area, rel=1e-4)
    assert sc.n_clients == shipped.n_clients


def test_boundary_of_another_municipality_is_refused():
    from importlib import resources

    from hemopt.geo import read_boundary

    path = resources.files("hemopt") / "data" / "kommun_0486_0127_sweref99tm.geojson"
    with resources.as_file(path) as f:
        other = read_boundary(f, code="0127")
    with pytest.raises(ScenarioError, match=r"row '0486A0010', field 'geometry': the DeSO area "
                                            r"lies outside the boundary 'Botkyrka'"):
        generate("strangnas", boundary=other, scale=0.1)


def test_care_needs_rates_and_independent_stream():
    """Double staffing only among the heaviest tenth, at the documented rates; the draw has
    its own stream (the rest of the scenario is the same as without it)."""
    from hemopt.synth import DELEGATED_RATE, DOUBLE_STAFF_RATE, DOUBLE_STAFF_TOP, care_needs

    rng = np.random.default_rng(5)
    n = 20_000
    hours = rng.lognormal(2.0, 1.0, n)
    visits = np.where(rng.random(n) < 0.5, 2.0, 0.5)
    needs = care_needs(hours, visits, seed=3)
    heavy = hours >= np.sort(hours)[::-1][round(DOUBLE_STAFF_TOP * n) - 1]
    double = needs["staff_per_visit"].to_numpy() == 2
    assert not double[~heavy].any()
    assert double[heavy].mean() == pytest.approx(DOUBLE_STAFF_RATE, abs=0.03)
    skilled = needs["skill"].to_numpy() == "delegated"
    assert not skilled[visits < 1].any()
    assert skilled[visits >= 1].mean() == pytest.approx(DELEGATED_RATE, abs=0.015)
    assert set(needs["staff_per_visit"]) == {1, 2}
    again = care_needs(hours, visits, seed=3)
    assert again.equals(needs)


def test_generated_clients_carry_staffing_and_skill():
    sc = hemopt.generate("strangnas", seed=1, scale=0.3)
    cl = sc.clients
    assert set(cl["staff_per_visit"]) <= {1, 2} and (cl["staff_per_visit"] == 2).any()
    assert set(cl["skill"]) == {"", "delegated"}
    assert (sc.providers["licensed_share"] == 0.5).all()
