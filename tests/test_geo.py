"""Reading public geodata (hemopt.geo), the generic-municipality path
(hemopt.synth.from_public_data, ``hemopt generate --deso``) and its errors.

The generic path is tested on Botkyrka's public files, used as if Botkyrka were any
municipality (no preset parameters), written to GeoPackages as a user would have them.
"""

from __future__ import annotations

import doctest
import json
from importlib import resources

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

import hemopt.geo
from hemopt import InputError, ScenarioError
from hemopt.cli import main
from hemopt.geo import clip_to_land, read_boundary, read_deso, read_tatorter
from hemopt.scenario import Scenario
from hemopt.synth import from_public_data, validation

DATA = resources.files("hemopt") / "data"


def _read(name: str) -> gpd.GeoDataFrame:
    with resources.as_file(DATA / name) as p:
        return gpd.read_file(p)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Botkyrka's DeSO areas and both municipalities' boundaries as GeoPackages (lists as
    JSON text, as GDAL writes them)."""
    d = tmp_path_factory.mktemp("public")
    deso = _read("deso2025_botkyrka_0127.geojson")
    for col in ("age_m", "age_f", "tenure"):
        deso[col] = [json.dumps([int(x) for x in v]) for v in deso[col]]
    deso.to_file(d / "deso.gpkg", driver="GPKG")
    _read("kommun_0486_0127_sweref99tm.geojson").to_file(d / "kommun.gpkg", driver="GPKG")
    _read("tatorter_0486_0127_sweref99tm.geojson").to_file(d / "tatorter.gpkg", driver="GPKG")
    return d


@pytest.fixture
def small_deso():
    """Three DeSO areas of Botkyrka with their real figures (WGS84, lists as arrays)."""
    deso = _read("deso2025_botkyrka_0127.geojson")
    return deso[deso["deso_code"].isin(["0127C1440", "0127C1140", "0127A0010"])].copy()


def test_doctests_of_hemopt_geo():
    res = doctest.testmod(hemopt.geo, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted >= 8 and res.failed == 0


def test_read_deso_age_bands_and_housing(files):
    d = read_deso(files / "deso.gpkg")
    assert len(d) == 54 and d.crs.to_epsg() == 3006
    assert int(d["pop_80plus"].sum()) == 4110 and int(d["pop_65_79"].sum()) == 10583
    assert int(d["households"].sum()) == 38568
    row = d.set_index("deso_code").loc["0127C1440"]
    assert row["kind"] == "C" and row["flats_share"] == pytest.approx(0.97714)
    assert (row["rental"], row["tenant_owned"], row["owner"]) == (877, 0, 0)
    # flats missing in the source stays NaN (the generator then uses the tenure)
    assert np.isnan(d.set_index("deso_code").loc["0127C1060", "flats_share"])


def test_read_deso_filters_a_national_file_on_the_code(files):
    both = gpd.GeoDataFrame(
        gpd.pd.concat([_read("deso2025_botkyrka_0127.geojson"),
                       _read("deso2025_strangnas_0486.geojson")], ignore_index=True),
        crs="EPSG:4326")
    assert len(read_deso(both, code="0486")) == 25
    with pytest.raises(ScenarioError, match=r"no DeSO area of municipality '1280'"):
        read_deso(both, code="1280")


def test_counts_instead_of_bands(small_deso):
    counts = small_deso[["deso_code", "pop", "pop_65plus", "pop_80plus", "geometry"]]
    d = read_deso(counts)
    bands = read_deso(small_deso)
    for col in ("pop_0_64", "pop_65_79", "pop_80plus"):
        assert np.abs(d[col].to_numpy() - bands[col].to_numpy()).max() <= 16


def test_no_age_columns_names_file_and_field(files, small_deso, tmp_path):
    bad = small_deso.drop(columns=["age_m", "age_f", "pop_65plus", "pop_80plus", "tenure"])
    bad.to_file(tmp_path / "noage.gpkg", driver="GPKG")
    with pytest.raises(ScenarioError) as err:
        read_deso(tmp_path / "noage.gpkg")
    msg = str(err.value)
    assert err.value.field == "age_m" and "no age columns" in msg
    assert "noage.gpkg" in msg and "pop_80plus with pop_65plus or pop_65_79" in msg


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        (lambda d: d.assign(age_m=[[1, 2, 3]] * len(d)),
         r"row '0127A0010', field 'age_m': expected 17 age bands .*got 3"),
        (lambda d: d.assign(age_f=[[-1] * 17] * len(d)),
         r"field 'age_f': age bands must be finite numbers >= 0"),
        (lambda d: d.assign(age_f=["[1, 2, x]"] * len(d)),
         r"field 'age_f': not a list of numbers"),
        (lambda d: d.assign(tenure=[[1, 2]] * len(d)),
         r"field 'tenure': tenure must be 4 household counts"),
        (lambda d: d.assign(flats=[150.0] * len(d)),
         r"field 'flats': flats is a percentage \(0-100\).*value: 150.0"),
        (lambda d: d.assign(deso_code=["0127C1440"] * len(d)),
         r"row '0127C1440', field 'deso_code': a DeSO code appears twice"),
        (lambda d: d.drop(columns=["deso_code"]),
         r"field 'deso_code': no deso_code column"),
        (lambda d: d.set_geometry(gpd.GeoSeries(shapely.centroid(d.geometry.values),
                                                crs=d.crs, index=d.index)),
         r"field 'geometry': geometry must be a Polygon or MultiPolygon"),
    ],
)
def test_bad_deso_values_name_row_field_value(small_deso, change, pattern):
    with pytest.raises(ScenarioError, match=pattern):
        read_deso(change(small_deso.reset_index(drop=True)))


def test_missing_or_wrong_crs(small_deso, tmp_path):
    with pytest.raises(ScenarioError, match=r"field 'crs': no CRS"):
        read_deso(small_deso.set_crs(None, allow_override=True))
    # lon/lat declared as SWEREF 99 TM metres
    with pytest.raises(ScenarioError,
                       match=r"field 'crs': the coordinates do not fall in Sweden under CRS "
                             r"EPSG:3006.*(value: 'EPSG:3006')"):
        read_deso(small_deso.set_crs(3006, allow_override=True))
    # latitude and longitude swapped
    swapped = small_deso.copy()
    swapped.geometry = swapped.geometry.map(
        lambda g: shapely.transform(g, lambda c: c[:, ::-1]))
    with pytest.raises(ScenarioError, match="longitude and latitude swapped"):
        read_deso(swapped)
    with pytest.raises(ScenarioError, match=r"field 'path': file not found"):
        read_deso(tmp_path / "none.gpkg")


def test_deso_outside_the_boundary(files):
    d = read_deso(files / "deso.gpkg")
    stra = read_boundary(files / "kommun.gpkg", code="0486")
    with pytest.raises(ScenarioError) as err:
        clip_to_land(d, stra)
    e = err.value
    assert e.row == "0127A0010" and e.field == "geometry" and e.value == 0.0
    assert "outside the boundary 'Strängnäs'" in str(e) and "deso.gpkg" in str(e)
    with pytest.raises(ScenarioError, match=r"field 'code': no row with code == '9999'"):
        read_boundary(files / "kommun.gpkg", code="9999")
    # a boundary much larger than the DeSO areas: another municipality's areas
    big = read_boundary(box(600_000, 6_500_000, 700_000, 6_600_000))
    with pytest.raises(ScenarioError, match=r"cover only 2 % of the boundary"):
        clip_to_land(d, big)


def test_clip_removes_water_but_keeps_shore_towns():
    d = read_deso(_read("deso2025_strangnas_0486.geojson"))
    b = read_boundary(_read("kommun_0486_0127_sweref99tm.geojson"), code="0486")
    land = clip_to_land(d, b).set_index("deso_code")
    # the rural DeSO areas lose Mälaren (and, the boundary being coarse, some shore)
    assert land["area_km2"].sum() == pytest.approx(979.4, abs=1.0)
    assert land["land_km2"].sum() == pytest.approx(712.3, abs=1.0)
    assert land.loc["0486A0060", "land_share"] == pytest.approx(0.46, abs=0.01)
    # towns keep their area
    assert (land.loc[land["kind"] != "A", "land_share"] > 0.99).all()


def test_read_tatorter(files):
    t = read_tatorter(files / "tatorter.gpkg")
    assert len(t) == 13 and set(t.columns) == {"name", "pop", "area_ha", "geometry"}
    assert t.set_index("name").loc["Strängnäs", "pop"] == 14803


def test_generic_path_on_botkyrka_files(files):
    sc = from_public_data(files / "kommun.gpkg", files / "deso.gpkg", code="0127",
                          coverage_80=0.162, tatorter=files / "tatorter.gpkg", seed=3)
    assert sc.boundary["name"].iloc[0] == "Botkyrka" and sc.boundary["code"].iloc[0] == "0127"
    assert sc.meta["preset"] == "generic" and sc.meta["inhabitants_80plus"] == 4110
    # the generic market: the municipality and seven private providers; the two largest
    # serve everywhere, the others one of the three designed areas each
    assert sc.provider_ids == ["M", *(f"E{k}" for k in range(1, 8))]
    assert list(sc.zones["zone_id"]) == ["A1", "A2", "A3"] and sc.name == "botkyrka-seed3"
    assert [len(z) for z in sc.providers["zones"]] == [0, 0, 0, 1, 1, 1, 1, 1]
    v = validation(sc)
    assert v["pearson"] >= 0.99 and abs(v["rural_share"] - v["rural_expected"]) < 0.01
    assert 1070 <= sc.n_clients <= 1120
    # same files, same arguments: same scenario
    again = from_public_data(files / "kommun.gpkg", files / "deso.gpkg", code="0127",
                             coverage_80=0.162, tatorter=files / "tatorter.gpkg", seed=3)
    assert again == sc


def test_generic_path_with_areas_and_coverage(files):
    north = ["0127R001", "0127R002", "0127R004", "0127R005", "0127R007", "0127R010",
             "0127R012"]
    deso = read_deso(files / "deso.gpkg")
    south = sorted(set(deso["regso_code"]) - set(north))
    sc = from_public_data(files / "kommun.gpkg", files / "deso.gpkg", code="0127",
                          coverage_80=0.10, coverage_65_79=0.02,
                          areas={"north": north, "south": south}, seed=1, scale=0.3)
    assert list(sc.zones["zone_id"]) == ["north", "south"]
    assert sc.meta["coverage_65_79"] == 0.02
    assert sc.meta["expected_clients"] == pytest.approx(
        0.3 * (0.10 * 4110 + 0.02 * 10583 + 0.0021 * int(deso["pop_0_64"].sum())), abs=0.01)
    # declared areas: E1, E2 everywhere, E3.. one area each in turn
    assert list(sc.providers["zones"])[1:5] == [(), (), ("north",), ("south",)]
    with pytest.raises(InputError, match=r"DeSO areas in no area: \["):
        from_public_data(files / "kommun.gpkg", files / "deso.gpkg", code="0127",
                         coverage_80=0.10, areas={"north": north})
    with pytest.raises(InputError, match="coverage_80 must be a share in \\[0, 1\\], got 14"):
        from_public_data(files / "kommun.gpkg", files / "deso.gpkg", code="0127",
                         coverage_80=14)


def test_cli_generate_from_public_files(files, tmp_path, capsys):
    out = tmp_path / "botkyrka.gpkg"
    rc = main(["generate", "--boundary", str(files / "kommun.gpkg"), "--boundary-code", "0127",
               "--deso", str(files / "deso.gpkg"), "--coverage-80", "0.162",
               "--tatorter", str(files / "tatorter.gpkg"), "--seed", "2", "--scale", "0.2",
               "--out", str(out)])
    assert rc == 0
    text = capsys.readouterr().out
    sc = Scenario.from_gpkg(out)
    assert f"{sc.n_clients:>8}" in text and "E7" in text
    assert sc.meta["preset"] == "generic" and sc.meta["seed"] == 2
    assert 200 <= sc.n_clients <= 240


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--deso", "x.gpkg", "--coverage-80", "0.1"], "--deso needs --boundary"),
        (["--deso", "x.gpkg", "--boundary", "k.gpkg"], "--deso needs --coverage-80"),
        (["--coverage-80", "0.1"], "--coverage-80 is used with --deso only"),
        (["--boundary", "NONE", "--deso", "NONE", "--coverage-80", "0.1"], "file not found"),
    ],
)
def test_cli_generate_errors(args, message, capsys):
    assert main(["generate", *args]) == 2
    assert message in capsys.readouterr().err


def test_cli_bad_deso_file_is_a_clear_error(files, small_deso, tmp_path, capsys):
    bad = small_deso.drop(columns=["age_m", "age_f", "pop_65plus", "pop_80plus", "tenure"])
    bad.to_file(tmp_path / "bad.gpkg", driver="GPKG")
    rc = main(["generate", "--boundary", str(files / "kommun.gpkg"), "--boundary-code", "0127",
               "--deso", str(tmp_path / "bad.gpkg"), "--coverage-80", "0.16"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "field 'age_m': no age columns" in err and "bad.gpkg" in err
