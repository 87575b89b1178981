"""The three regimes and the scenario-level assignment."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

import hemopt
from hemopt import InputError, ScenarioError
from hemopt.assignment import assign
from hemopt.regimes import LOU, LOV, CostWeights, Zoning, zone_of_clients
from hemopt.zones import compactness, design_zones

X0, Y0 = 600_000.0, 6_580_000.0


def corridor(n_per_side=4, hours=(2.0,), rankings=None):
    """Clients along a 2 km corridor, west half in zone W, east half in zone E.

    Providers: M (municipal, office in the middle), A (external, west), B (external, east).
    """
    n = 2 * n_per_side
    xs = X0 + 100 + 1800 * np.arange(n) / (n - 1)
    h = np.resize(np.asarray(hours, float), n)
    rankings = rankings or [("A",) if i % 2 == 0 else ("B",) for i in range(n)]
    clients = gpd.GeoDataFrame(
        {"client_id": [f"c{i}" for i in range(n)], "hours_per_week": h,
         "ranking": rankings, "current_provider": [""] * n},
        geometry=[Point(x, Y0 + 500) for x in xs], crs=3006)
    providers = gpd.GeoDataFrame(
        {"provider_id": ["M", "A", "B"], "kind": ["municipal", "external", "external"],
         "zones": [(), ("W",), ("E",)]},
        geometry=[Point(X0 + 1000, Y0 + 900), Point(X0 + 200, Y0 + 900),
                  Point(X0 + 1800, Y0 + 900)], crs=3006)
    zones = gpd.GeoDataFrame({"zone_id": ["W", "E"]},
                             geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000),
                                       box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)], crs=3006)
    boundary = box(X0, Y0, X0 + 2000, Y0 + 1000)
    return hemopt.Scenario(clients, providers, zones=zones, boundary=boundary)


def test_lov_everyone_gets_choice_when_unbounded():
    sc = corridor()
    # LOV ignores nothing: A serves only W and B only E (their chosen areas)
    a = assign(sc, LOV())
    got = list(a.clients["provider_id"])
    want = [r[0] for r in sc.clients["ranking"]]
    zone = ["W"] * 4 + ["E"] * 4
    for g, w, z in zip(got, want, zone, strict=True):
        ok = (w == "A" and z == "W") or (w == "B" and z == "E")
        assert g == (w if ok else "M")
    s = a.summary()
    assert s["first_choice_pct"] == 50.0  # 4 of 8 want a provider that serves their area
    assert s["queue"] == 0


def test_lov_non_choosers_get_default():
    sc = corridor(rankings=[()] * 8)
    a = assign(sc, LOV())
    assert (a.clients["provider_id"] == "M").all()
    assert not a.clients["chooser"].any()
    a2 = assign(sc, LOV(default="B"))
    assert (a2.clients["provider_id"] == "B").all()


def test_lov_capacity_makes_a_queue_not_a_crash():
    sc = corridor(rankings=[("A",)] * 8)
    pr = sc.providers.copy()
    pr["zones"] = [(), (), ()]
    pr["capacity_clients"] = [np.inf, 3, np.inf]
    sc = sc.replace(providers=pr)
    a = assign(sc, LOV())
    assert (a.clients["provider_id"] == "A").sum() == 3
    assert (a.clients["provider_id"] == "M").sum() == 5
    assert (a.clients["queue_for"] == "A").sum() == 5
    assert a.providers.set_index("provider_id").loc["A", "queue"] == 5
    # A takes the three nearest its office (travel breaks the tie): the westmost clients
    assert list(a.clients["provider_id"][:3]) == ["A", "A", "A"]


def test_lov_loyalty():
    sc = corridor(rankings=[("A",)] * 8)
    cl = sc.clients.copy()
    cl["current_provider"] = ["M"] * 8
    pr = sc.providers.copy()
    pr["zones"] = [(), (), ()]
    sc = sc.replace(clients=cl, providers=pr)
    assert (assign(sc, LOV(switch_propensity=0.0)).clients["provider_id"] == "M").all()
    assert (assign(sc, LOV(switch_propensity=1.0)).clients["provider_id"] == "A").all()
    a, b = (assign(sc, LOV(switch_propensity=0.5), seed=3) for _ in range(2))
    assert list(a.clients["provider_id"]) == list(b.clients["provider_id"])


def test_lou_cap_in_hours_and_queue():
    # 8 clients of 2 h wanting A or B; total 16 h, 25 % cap = 4 h = 240 min, split equally:
    # A and B may hold 120 min each = one client each; the rest go to M. Only the 4 clients
    # whose wish is contracted in their own area (A in W, B in E) can queue: 2 get it, 2 queue.
    sc = corridor()
    a = assign(sc, LOU(external_share=0.25))
    p = a.providers.set_index("provider_id")
    assert p.loc["A", "capacity"] == 120 and p.loc["B", "capacity"] == 120
    assert p.loc["A", "clients"] == 1 and p.loc["B", "clients"] == 1
    assert p.loc["M", "clients"] == 6
    assert p.loc["A", "queue"] == 1 and p.loc["B", "queue"] == 1
    assert a.summary()["external_share_hours"] == 0.25
    assert (a.providers["overflow"] == 0).all()
    # at 50 %: 240 min each = two clients each
    b = assign(sc, LOU(external_share=0.5)).providers.set_index("provider_id")
    assert b.loc["A", "clients"] == 2 and b.loc["B", "clients"] == 2


def test_lou_never_exceeds_cap_on_preset():
    sc = hemopt.generate("botkyrka", seed=1, scale=0.5)
    for share in (0.2, 0.3, 0.5):
        a = assign(sc, LOU(external_share=share))
        p = a.providers
        ext = p["kind"] == "external"
        minutes = p.loc[ext, "hours_per_week"] * 60
        assert (minutes <= p.loc[ext, "capacity"] + 1e-6).all()
        assert a.summary()["external_share_hours"] <= share + 1e-9
        assert a.summary()["unserved"] == 0
    q20 = assign(sc, LOU(0.2)).summary()["queue"]
    q50 = assign(sc, LOU(0.5)).summary()["queue"]
    assert q20 > q50


def test_lou_split_and_bad_params():
    sc = corridor()
    a = assign(sc, LOU(external_share=0.5, split={"A": 3, "B": 1}))
    p = a.providers.set_index("provider_id")
    assert p.loc["A", "capacity"] == 360 and p.loc["B", "capacity"] == 120
    with pytest.raises(InputError, match="external_share must be a share in"):
        LOU(external_share=1.5)
    with pytest.raises(InputError, match=r"split: \['X'\] are not providers"):
        assign(sc, LOU(split={"X": 1}))
    with pytest.raises(InputError, match="area 'W' has no provider"):
        assign(sc, LOU(providers_per_area={"W": [], "E": ["B"]}))
    with pytest.raises(InputError, match="unknown area 'X'"):
        assign(sc, LOU(providers_per_area={"X": ["A"]}))


def test_lou_area_without_provider_is_an_error():
    sc = corridor()
    pr = sc.providers.copy()
    pr["zones"] = [(), ("W",), ("W",)]
    sc = sc.replace(providers=pr)
    with pytest.raises(ScenarioError, match="area with clients has no external provider") as ei:
        assign(sc, LOU())
    assert ei.value.row == "E"


def test_zoning_by_address():
    sc = corridor(hours=(2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0))
    # W holds 8 h of 12: procuring W alone reaches 50 % with the least excess
    a = assign(sc, Zoning(procured_share=0.5))
    # the municipality keeps the area with the fewest hours (E); W is procured
    assert a.summary()["procured_zones"] == "W"
    assert a.problem.provider_of_zone == {"W": "A", "E": "M"}
    bids = a.problem.layout.procurement
    assert list(bids.loc[bids["winner"], "provider_id"]) == ["A"]
    # the winner has the lowest evaluated price (A's office is the nearer one to W)
    assert bids.set_index("provider_id")["evaluated_price"].idxmin() == "A"
    assert list(a.clients["provider_id"]) == ["A"] * 4 + ["M"] * 4
    assert list(a.clients["zone_id"]) == ["W"] * 4 + ["E"] * 4
    assert a.summary()["external_share_hours"] == pytest.approx(8 / 12, abs=1e-4)
    z = assign(sc, Zoning(procured_share=0.0))
    assert (z.clients["provider_id"] == "M").all()
    w = assign(sc, Zoning(winners={"E": "B"}, procured_share=0.0))
    assert list(w.clients["provider_id"]) == ["M"] * 4 + ["B"] * 4


def test_zone_border_and_outside_rules():
    sc = corridor()
    cl = sc.clients.copy()
    cl.loc[0, "geometry"] = Point(X0 + 1000, Y0 + 500)  # on the W/E border
    sc = sc.replace(clients=cl)
    zone, info = zone_of_clients(sc)
    assert zone[0] == 0  # the first zone listed wins
    assert info == {"on_border": 1, "outside": 0}
    small = gpd.GeoDataFrame({"zone_id": ["W"]}, geometry=[box(X0, Y0, X0 + 500, Y0 + 1000)],
                             crs=3006)
    zone, info = zone_of_clients(sc, small)
    assert info["outside"] == 7 and (zone == 0).all()
    with pytest.raises(ScenarioError, match="zones do not cover 7 client"):
        assign(sc, Zoning(zones=small))


def test_zone_design_balanced_contiguous():
    sc = hemopt.generate("strangnas", seed=1, scale=0.5)
    for k in (2, 3, 5):
        zd = design_zones(sc, k, seed=0)
        assert len(zd.zones) == k
        assert (zd.report["parts"] == 1).all()  # contiguous
        assert zd.report["clients"].sum() == sc.n_clients
        assert zd.report["hours_per_week"].sum() == pytest.approx(
            sc.clients["hours_per_week"].sum())
        assert zd.imbalance < 0.35
        assert (zd.report["compactness"] > 0.2).all()
        # the zones tile the municipality
        union = zd.zones.geometry.union_all()
        assert union.symmetric_difference(sc.area).area / sc.area.area < 1e-6
    a = assign(sc, Zoning(n_zones=3))
    assert len(a.zones) == 3
    assert a.summary()["unserved"] == 0


def test_compactness_values():
    assert compactness(box(0, 0, 1, 1)) == pytest.approx(np.pi / 4)
    assert compactness(Point(0, 0).buffer(1, quad_segs=256)) == pytest.approx(1.0, abs=1e-4)


def test_cost_weights_validation():
    with pytest.raises(InputError, match=r"CostWeights\.choice"):
        CostWeights(choice=-1)
    with pytest.raises(InputError, match="n_zones"):
        Zoning(n_zones=0)


def test_assignment_gpkg_layer(tmp_path):
    import pyogrio

    sc = corridor()
    a = assign(sc, LOU(0.25))
    path = a.to_gpkg(tmp_path / "a.gpkg")
    back = pyogrio.read_dataframe(path, layer="assignment_lou")
    assert list(back["provider_id"]) == list(a.clients["provider_id"])
    assert back.crs.to_epsg() == 3006
