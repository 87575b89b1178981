"""The generic path made complete (designed areas, coastal municipalities, overlapping DeSO
polygons, a named scenario, every regime) and the atlas across municipalities (local and Dask
alike, resume, failures, typology, find my municipality)."""

from __future__ import annotations

import itertools
import json
import os
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

import hemopt
from hemopt.atlas import Market, atlas, find_inputs, typology
from hemopt.errors import InputError
from hemopt.geo import clip_to_land, read_boundary, read_deso
from hemopt.regions import _adjacency, _connected, design_areas
from hemopt.synth import from_public_data, read_areas

from .conftest import SHARED_DATA

#: The atlas data beside the project; HEMOPT_ATLAS_DATA points elsewhere (a git worktree).
ATLAS = Path(os.environ.get("HEMOPT_ATLAS_DATA", SHARED_DATA / "atlas"))
needs_atlas = pytest.mark.skipif(not ATLAS.is_dir(), reason="needs ../shared/data/atlas")
DATA = resources.files("hemopt") / "data"
SMALL = ["2463", "1760"]  # Åsele and Storfors: about 70 clients each


# ----------------------------------------------------------------------- area design
@pytest.mark.parametrize("trial", range(12))
def test_design_areas_is_optimal_on_a_row_of_units(trial):
    """On a row of units the contiguous areas are the cuts of the row: the design's largest
    deviation from the mean load equals the brute-force optimum over every set of cuts."""
    rng = np.random.default_rng(trial)
    n, k = 7, 2 + trial % 2
    w = rng.integers(1, 10, n).astype(float)
    g = gpd.GeoDataFrame({"deso_code": [f"9999C{i:04d}" for i in range(n)]},
                         geometry=[box(1000 * i, 0, 1000 * (i + 1), 1000) for i in range(n)],
                         crs=3006)
    res = design_areas(g, k, weight=w, seed=trial)
    assert sorted(c for cs in res.values() for c in cs) == list(g["deso_code"])
    label = {c: j for j, cs in enumerate(res.values()) for c in cs}
    loads = np.bincount([label[c] for c in g["deso_code"]], weights=w, minlength=k)
    got = np.abs(loads - w.sum() / k).max()
    best = min(max(abs(w[a:b].sum() - w.sum() / k) for a, b in
                   zip((0, *cuts), (*cuts, n), strict=True))
               for cuts in itertools.combinations(range(1, n), k - 1))
    assert got == pytest.approx(best)
    for cs in res.values():  # each area is a run of neighbouring units
        idx = sorted(int(c[5:]) for c in cs)
        assert idx == list(range(idx[0], idx[-1] + 1))


def test_design_areas_on_strangnas_is_contiguous_and_balanced():
    land = hemopt.synth.preset_deso("strangnas")
    res = design_areas(land, 3, seed=1)
    nb = _adjacency(np.asarray(land.geometry.values, dtype=object))
    codes = list(land["deso_code"])
    w = land["expected_clients"].to_numpy()
    loads = []
    for cs in res.values():
        members = {codes.index(c) for c in cs}
        assert _connected(members, nb)
        loads.append(w[list(members)].sum())
    # whole DeSO areas: the largest is within 25 % of the mean (measured: 6 %)
    assert max(abs(x - w.sum() / 3) for x in loads) / (w.sum() / 3) < 0.25
    with pytest.raises(InputError, match=r"n_areas must be a whole number in \[1, 25\]"):
        design_areas(land, 26)


def test_read_areas_and_errors(tmp_path):
    p = tmp_path / "areas.csv"
    p.write_text("deso_code;area\n0127R001;north\n0127R002;north\n0127R003;south\n")
    assert read_areas(p) == {"north": ["0127R001", "0127R002"], "south": ["0127R003"]}
    with pytest.raises(InputError, match="needs the columns deso_code and area"):
        read_areas(pd.DataFrame({"x": ["1"]}))


# ----------------------------------------------------------------------- generic path
def test_overlaps_go_to_the_smaller_area_and_water_is_cut():
    """A rural DeSO polygon without a hole for its town, reaching out to sea: the town keeps
    its land, the rural area keeps the rest of the land, the sea goes."""
    b = read_boundary(gpd.GeoDataFrame({"code": ["9999"], "name": ["Kust"]}, geometry=[
        box(600_000, 6_580_000, 604_000, 6_584_000)], crs=3006))
    d = read_deso(gpd.GeoDataFrame(
        {"deso_code": ["9999A0010", "9999C0020"], "pop": [500, 1500],
         "pop_65plus": [100, 300], "pop_80plus": [30, 80]},
        geometry=[box(600_000, 6_580_000, 620_000, 6_584_000),
                  box(601_000, 6_581_000, 602_000, 6_582_000)], crs=3006))
    land = clip_to_land(d, b, resolve_overlaps=True, min_land_km2=0.05).set_index("deso_code")
    assert land.loc["9999A0010", "land_km2"] == pytest.approx(15.0)  # 16 km² land - town
    assert land.loc["9999C0020", "land_km2"] == pytest.approx(1.0)
    assert shapely.area(shapely.intersection(*land.geometry.values)) == pytest.approx(0.0)
    # without the code check (another code), the sea-reaching area lies "outside"
    b2 = b.assign(code="1111")
    with pytest.raises(hemopt.ScenarioError, match="outside the boundary"):
        clip_to_land(d, b2)


def test_generic_path_on_the_shipped_files_as_a_new_municipality():
    """Issue 25 §2: a DeSO file and a boundary file of two municipalities, no code given:
    the municipality is the DeSO file's, the scenario is named after it, it has three
    designed areas, and LOV, LOU and zoning all run."""
    sc = from_public_data(DATA / "kommun_0486_0127_sweref99tm.geojson",
                          DATA / "deso2025_botkyrka_0127.geojson", coverage_80=0.162,
                          seed=1, scale=0.1)
    assert sc.name == "botkyrka-seed1" and sc.meta["municipality"] == "Botkyrka"
    assert list(sc.zones["zone_id"]) == ["A1", "A2", "A3"]
    assert sorted(c for cs in sc.meta["areas_designed"].values() for c in cs) == sorted(
        sc.meta["deso_expected_clients"])
    assert shapely.union_all(sc.zones.geometry.values).area == pytest.approx(sc.area.area,
                                                                             rel=1e-6)
    # the municipality keeps the area with the fewest expected clients; the others are
    # procured under zoning
    exp = sc.meta["deso_expected_clients"]
    load = {z: sum(exp[c] for c in cs) for z, cs in sc.meta["areas_designed"].items()}
    kept = list(sc.zones.loc[~sc.zones["procured"], "zone_id"])
    assert kept == [min(load, key=load.get)]
    # the two largest private providers serve everywhere, the others one area each
    zones = dict(zip(sc.providers["provider_id"], sc.providers["zones"], strict=True))
    assert zones["E1"] == () and zones["E2"] == () and zones["E3"] == ("A1",)
    comp = hemopt.compare(sc, routing="approx", seed=1, continuity=False)
    assert list(comp.table.index) == ["LOV", "LOU", "Zoning"]
    zoning = comp.assignments["Zoning"].problem.provider_of_zone
    assert zoning[kept[0]] == "M" and all(zoning[z] != "M" for z in load if z != kept[0])
    assert (comp.table["driven_km_per_day"] > 0).all()


def test_boundary_of_several_municipalities_suggests_the_code():
    deso = pd.concat([gpd.read_file(DATA / "deso2025_botkyrka_0127.geojson"),
                      gpd.read_file(DATA / "deso2025_strangnas_0486.geojson")])
    with pytest.raises(InputError, match=r"holds 2 municipalities .*--boundary-code"):
        from_public_data(DATA / "kommun_0486_0127_sweref99tm.geojson", deso, coverage_80=0.16,
                         scale=0.05)
    sc = from_public_data(DATA / "kommun_0486_0127_sweref99tm.geojson", deso, code="0486",
                          coverage_80=0.16, scale=0.05, n_areas=0)
    assert sc.name == "strangnas-seed0" and len(sc.zones) == 0


def test_cli_generate_names_and_designs_areas(tmp_path, capsys):
    from hemopt.cli import main

    out = tmp_path / "b.gpkg"
    assert main(["generate", "--boundary", str(DATA / "kommun_0486_0127_sweref99tm.geojson"),
                 "--deso", str(DATA / "deso2025_botkyrka_0127.geojson"), "--coverage-80",
                 "0.16", "--scale", "0.05", "--n-areas", "2", "--out", str(out)]) == 0
    sc = hemopt.Scenario.from_gpkg(out)
    assert sc.name == "botkyrka-seed1" and list(sc.zones["zone_id"]) == ["A1", "A2"]
    assert main(["generate", "--n-areas", "2"]) == 2
    assert "--n-areas is used with --deso only" in capsys.readouterr().err


@needs_atlas
def test_every_atlas_municipality_builds():
    """Coastal (Borgholm, Hammarö, Oxelösund) and lake municipalities included."""
    inp = find_inputs(ATLAS)
    assert len(inp) == 39 and inp["coverage_80"].notna().all()
    for r in inp.itertuples():
        sc = from_public_data(r.boundary, r.deso, code=r.code, coverage_80=r.coverage_80,
                              seed=1, scale=0.2)
        assert sc.n_clients > 0 and 2 <= len(sc.zones) <= 3, r.name
        land = sc.zones.geometry.values
        overlap = sum(shapely.area(shapely.intersection(a, b))
                      for a, b in itertools.combinations(land, 2))
        assert overlap < 1e-6 * sc.area.area, r.name


# ----------------------------------------------------------------------- atlas
def test_market_draw_is_seeded_and_within_ranges():
    m = Market(n_external=(2, 5), external_share=(0.1, 0.2))
    draws = [m.draw("0885", s, expected_clients=1000) for s in range(20)]
    assert all(2 <= d["n_external"] <= 5 and 0.1 <= d["external_share"] <= 0.2 for d in draws)
    assert draws[3] == m.draw("0885", 3, expected_clients=1000)
    # a small market holds few providers: at most one per 20 expected clients
    assert m.draw("0885", 1, expected_clients=45)["n_external"] <= 2
    with pytest.raises(InputError, match=r"Market\.external_share"):
        Market(external_share=(0.5, 0.1))


def test_typology_recovers_a_known_dependence():
    rng = np.random.default_rng(0)
    rows = []
    for m in range(12):
        f = {"log10_density": rng.normal(2, 1), "rural_share": rng.random()}
        for s in range(3):
            lov = 1000.0
            zon = lov * (1 + (-8 - 4 * (f["log10_density"] - 2) + 0.01 * rng.normal()) / 100)
            for reg, km in (("LOV", lov), ("Zoning", zon)):
                rows.append({"code": f"{m:04d}", "seed": s, "regime": reg, "error": "",
                             "driven_km_per_day": km, **f})
    t = typology(pd.DataFrame(rows), "km", features=("log10_density", "rural_share"))
    sd = t["sd"]["log10_density"]
    assert t["coefficients"]["log10_density"] == pytest.approx(-4 * sd, rel=1e-3)
    assert abs(t["coefficients"]["rural_share"]) < 0.01
    assert t["r2"] > 0.999 and t["cv_r2"] > 0.999 and t["drivers"][0] == "log10_density"


@needs_atlas
def test_atlas_local_equals_dask_and_resumes(tmp_path, capsys):
    """The same results, byte for byte, on local processes and on a two-worker Dask
    LocalCluster; a rerun resumes from the parts; a municipality without a coverage figure
    fails with the reason and the others run."""
    distributed = pytest.importorskip("distributed")
    from hemopt.cli import main

    cov = pd.read_csv(ATLAS / "coverage_n21704_2023.csv", dtype={"kommun_kod": str})
    cov = cov[cov["kommun_kod"] != "1760"]
    cov_path = tmp_path / "coverage.csv"
    cov.to_csv(cov_path, index=False)
    args = ["atlas", str(ATLAS), "--codes", ",".join(SMALL), "--seeds", "1-2", "--no-presets",
            "-q"]
    assert main([*args, "--out", str(tmp_path / "local"), "--workers", "2"]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        remote = atlas(ATLAS, codes=SMALL, seeds=[1, 2], presets=(), client=client,
                       out=tmp_path / "dask", progress=False)
    for f in ("atlas.csv", "rows.csv", "atlas.json", "typology.json"):
        assert (tmp_path / "local" / f).read_bytes() == (tmp_path / "dask" / f).read_bytes(), f
    t = remote.table.set_index("code")
    assert list(t.index) == sorted(SMALL) and (t["seeds"] == 2).all()
    assert ((t["p_zoning_saves_km"] >= 0) & (t["p_zoning_saves_km"] <= 1)).all()
    assert (t["km_zoning_vs_lov_pct_min"] <= t["km_zoning_vs_lov_pct"]).all()
    assert (t["km_zoning_vs_lov_pct"] <= t["km_zoning_vs_lov_pct_max"]).all()
    # the decomposition's steps add up to zoning minus LOV
    steps = [c for c in t.columns if c.startswith("zoning_step_")]
    assert len(steps) >= 3
    np.testing.assert_allclose(t[steps].sum(axis=1), t["km_zoning"] - t["km_lov"], atol=1e-6)
    # the data is the atlas's; the report page is the viz layer's (the CLI writes it)
    assert not (tmp_path / "dask" / "index.html").exists()
    assert "<img" in (tmp_path / "local" / "index.html").read_text()
    page = hemopt.write_atlas_report(remote, tmp_path / "dask" / "index.html").read_text()
    assert "Where zoning pays: 2 municipalities" in page and "<img" in page
    assert all(name in page for name in remote.table["name"])
    fig = hemopt.plot_atlas(remote)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["Zoning against LOV: km per day",
                                                      "Zoning against LOV: total cost per year"]
    # resume: every task is in the parts, nothing is recomputed; --mine places a scenario
    capsys.readouterr()
    mine = tmp_path / "mine.gpkg"
    hemopt.generate("strangnas", seed=1, scale=0.1).to_gpkg(mine)
    assert main([*args[:-1], "--out", str(tmp_path / "local"), "--mine", str(mine)]) == 0
    cap = capsys.readouterr()
    assert "resuming: 4 of 4 tasks" in cap.err and "strangnas-seed1: zoning vs LOV" in cap.out
    placed = json.loads((tmp_path / "local" / "mine.json").read_text())
    assert 0 <= placed["rank_km"] <= 1 and len(placed["nearest"]) == 2
    # a missing coverage figure: recorded with its reason, the other municipality runs
    res = atlas(ATLAS, codes=SMALL, seeds=[1], presets=(), coverage=cov_path, n_workers=1,
                progress=False)
    assert list(res.failures["code"]) == ["1760"]
    assert "no coverage figure (Kolada N21704) for 1760" in res.failures["error"].iloc[0]
    assert list(res.table["code"]) == ["2463"]
    # find my municipality: a scenario of one's own placed among them
    mine = res.find(comparison=hemopt.compare(
        hemopt.generate("strangnas", seed=1, scale=0.1), routing="approx", seed=1,
        continuity=False))
    assert np.isfinite(mine["km_zoning_vs_lov_pct"]) and 0 <= mine["rank_km"] <= 1


@needs_atlas
def test_atlas_parts_are_checked_quarantined_and_locked(tmp_path):
    """The atlas runs on the sweep's task runner: a part that is not whole is set aside and its
    task run again; a task that keeps failing is quarantined with its error and not rerun; a
    second atlas on the same folder is refused while the first holds it."""
    from hemopt._io import output_lock
    from hemopt.errors import OutputError

    cov = pd.read_csv(ATLAS / "coverage_n21704_2023.csv", dtype={"kommun_kod": str})
    cov_path = tmp_path / "coverage.csv"
    cov[cov["kommun_kod"] != "1760"].to_csv(cov_path, index=False)
    out = tmp_path / "atlas"
    kw = dict(codes=SMALL, seeds=[1], presets=(), coverage=cov_path, n_workers=1)
    first = atlas(ATLAS, out=out, progress=False, **kw)
    parts = sorted((out / "parts").glob("*.parquet"))
    quarantined = sorted((out / "parts" / "quarantine").glob("*.parquet"))
    assert len(parts) == 1 and len(quarantined) == 1  # 2463 ran, 1760 has no coverage
    assert "no coverage figure" in pd.read_parquet(quarantined[0])["error"].iloc[0]
    parts[0].write_bytes(b"not parquet")  # a part cut short
    said: list[str] = []
    again = atlas(ATLAS, out=out, progress=said.append, **kw)
    text = "".join(said)
    assert "resuming: 1 of 2 tasks" in text and "(1 quarantined" in text
    assert f"part {parts[0].name} is not whole" in text
    assert parts[0].with_name(parts[0].name + ".corrupt").exists()
    pd.testing.assert_frame_equal(again.table, first.table)
    assert list(again.failures["code"]) == ["1760"]
    with output_lock(out, "out", folder=True), pytest.raises(OutputError, match="out"):
        atlas(ATLAS, out=out, progress=False, **kw)


@needs_atlas
def test_atlas_with_a_providers_table_and_refused_sensitivity(tmp_path):
    prov = pd.DataFrame({"provider_id": ["M", "P1", "P2"], "kind": ["municipal", "external",
                                                                     "external"],
                         "share": [0.8, 0.1, 0.1], "zones": ["", "", "A1"]})
    res = atlas(ATLAS, codes=["2463"], seeds=[1], presets=(), providers=prov, n_workers=1,
                progress=False)
    r = res.rows[res.rows["regime"] == "LOV"].iloc[0]
    assert r["market_source"] == "providers table" and r["n_external"] == 2
    assert r["external_share"] == pytest.approx(0.2)
    with pytest.raises(InputError, match="sensitivity"):
        atlas(ATLAS, codes=["2463"], sensitivity=True)


@needs_atlas
def test_atlas_from_one_national_deso_file(tmp_path):
    """One DeSO file of several municipalities (lists stored as numpy prints, as some
    GeoPackage writers do), filtered by code; a run where every task fails still writes its
    record."""
    nat = tmp_path / "national.gpkg"
    pd.concat([gpd.read_file(ATLAS / "deso" / f"deso2025_{c}.geojson") for c in SMALL]
              ).to_file(nat)
    kw = {"boundaries": ATLAS / "boundaries.geojson", "seeds": [1], "presets": (),
          "scale": 0.3, "n_workers": 1, "progress": False}
    res = atlas(nat, codes=SMALL, coverage=ATLAS / "coverage_n21704_2023.csv", **kw)
    assert sorted(res.table["name"]) == ["Storfors", "Åsele"] and res.failures.empty
    with pytest.raises(InputError, match="give codes, boundaries and coverage"):
        atlas(nat, boundaries=ATLAS / "boundaries.geojson")
    empty = tmp_path / "cov.csv"
    empty.write_text("kommun_kod,n21704_pct_2023\n9999,10\n")
    res = atlas(nat, codes=SMALL, coverage=empty, out=tmp_path / "out", **kw)
    assert res.table.empty and sorted(res.failures["code"]) == sorted(SMALL)
    page = hemopt.write_atlas_report(res, tmp_path / "out" / "index.html").read_text()
    assert "no coverage figure" in page and "No results." in page
