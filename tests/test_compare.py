"""Comparing the regimes: hand-computed corridor, JSON schema, determinism (the report:
tests/test_report.py)."""

from __future__ import annotations

import json

import geopandas as gpd
import jsonschema
import pytest
from shapely.geometry import Point, box

import hemopt
from hemopt import InputError
from hemopt.compare import CostParams, compare, load_schema
from hemopt.regimes import LOV, Zoning
from hemopt.travel import MixedTravel

X0, Y0 = 600_000.0, 6_580_000.0
DETOUR = 1.3


def corridor_scenario():
    """Four stairwells 1, 2, 3, 4 km east of the offices, two clients each.

    In every stairwell one client wants A and the other wants B (the LOV case: both providers
    drive to every stairwell). Each client gets 3.5 h a week = one 30-minute morning visit.
    """
    ids, stair, pts, rank = [], [], [], []
    for k in range(1, 5):
        for who in ("A", "B"):
            ids.append(f"c{k}{who}")
            stair.append(f"s{k}")
            pts.append(Point(X0 + 1000 * k, Y0))
            rank.append((who,))
    clients = gpd.GeoDataFrame(
        {"client_id": ids, "stairwell_id": stair, "hours_per_week": [3.5] * 8,
         "visits_per_day": [1.0] * 8, "ranking": rank},
        geometry=pts, crs=3006)
    providers = gpd.GeoDataFrame(
        {"provider_id": ["M", "A", "B"], "kind": ["municipal", "external", "external"]},
        geometry=[Point(X0, Y0)] * 3, crs=3006)
    zones = gpd.GeoDataFrame({"zone_id": ["W", "E"]},
                             geometry=[box(X0 - 500, Y0 - 500, X0 + 2500, Y0 + 500),
                                       box(X0 + 2500, Y0 - 500, X0 + 4500, Y0 + 500)],
                             crs=3006)
    return hemopt.Scenario(clients, providers, zones=zones,
                           boundary=box(X0 - 500, Y0 - 500, X0 + 4500, Y0 + 500), name="corr")


def test_corridor_hand_computed():
    sc = corridor_scenario()
    regimes = [LOV(), Zoning(winners={"W": "A", "E": "B"}, procured_share=1.0)]
    comp = compare(sc, regimes, seed=0, travel=MixedTravel(detour_factor=DETOUR),
                   max_iterations=200, base_rule=hemopt.BaseRule(local_bases=False))
    t = comp.table
    # LOV: A and B each drive 0 -> 4 km -> 0 = 8 km straight line; 16 km × 1.3
    assert t.loc["LOV", "driven_km_per_day"] == pytest.approx(16 * DETOUR)
    # Zoning: A serves stairwells 1-2 (0 -> 2 -> 0 = 4 km), B 3-4 (8 km): 12 km × 1.3
    assert t.loc["Zoning", "driven_km_per_day"] == pytest.approx(12 * DETOUR)
    assert t.loc["LOV", "providers_per_stairwell"] == 2.0
    assert t.loc["Zoning", "providers_per_stairwell"] == 1.0
    assert t.loc["LOV", "stairwells_multi_provider_pct"] == 100.0
    assert t.loc["Zoning", "stairwells_multi_provider_pct"] == 0.0
    assert t.loc["LOV", "stops_per_visit"] == 1.0
    assert t.loc["Zoning", "stops_per_visit"] == 0.5
    assert t.loc["LOV", "first_choice_pct"] == 100.0
    assert t.loc["Zoning", "first_choice_pct"] == 50.0
    # paid time: A and B each work one shift: max(route + 80 min indirect, 4 h minimum)
    # + 4 visits x 4 min of notes; cost = (paid hours x 300 + km x 4) x 365 + 2 x (0.5 MSEK
    # + 150 kSEK follow-up)
    for r in ("LOV", "Zoning"):
        row = t.loc[r]
        routes = comp.routings[r].routes
        assert (routes.groupby("provider_id")["routes"].sum() == 1).all()
        paid = sum(max(m + 80.0, 240.0) + 16.0
                   for m in routes.groupby("provider_id")["staff_min"].sum())
        assert row["paid_staff_hours_per_day"] == pytest.approx(paid / 60)
        assert row["cost_sek_per_year"] == pytest.approx(
            (paid / 60 * 300 + row["driven_km_per_day"] * 4) * 365 + 2 * 650_000)
        pt = comp.provider_tables[r].set_index("provider_id")
        assert pt.loc["M", "cost_sek_per_year"] == 0.0
        assert pt["cost_sek_per_year"].sum() == pytest.approx(row["cost_sek_per_year"])
        # 2 clients x 3.5 h a week per stairwell-pair: A and B each hold 14 h a week
        assert pt.loc["A", "cost_per_care_hour_sek"] == pytest.approx(
            pt.loc["A", "cost_sek_per_year"] / (14 * 365 / 7))
        assert row["co2_tonnes_per_year"] == pytest.approx(
            row["driven_km_per_day"] * 0.12 * 365 / 1000)
    d = comp.diff()
    assert d.loc["Zoning", "driven_km_per_day"] == pytest.approx(-4 * DETOUR)
    assert d.loc["Zoning", "driven_km_per_day_pct"] == pytest.approx(-25.0)


def test_local_base_rule_is_the_same_for_every_regime():
    # The base rule (here: a base for any provider with clients in an area it has no office
    # in) gives B a base in E at its client nearest its clients' centre there (3.5 km; the
    # tie between 3 and 4 km goes to the first, 3 km). A drives 0 -> 2 -> 0 = 4 km, B
    # 3 -> 4 -> 3 = 2 km. A LOV assignment with the same providers gets the same base and the
    # same kilometres: bases follow the assignment, not the regime's label.
    sc = corridor_scenario()
    rule = hemopt.BaseRule(min_hours_per_week=0.0)
    z = Zoning(winners={"W": "A", "E": "B"}, procured_share=1.0)
    comp = compare(sc, [z], seed=0, travel=MixedTravel(detour_factor=DETOUR),
                   max_iterations=200, base_rule=rule)
    assert comp.table.loc["Zoning", "driven_km_per_day"] == pytest.approx(6 * DETOUR)
    bases = comp.assignments["Zoning"].bases_xy()
    assert bases["B"].tolist() == [[X0, Y0], [X0 + 3000, Y0]]
    assert bases["A"].tolist() == [[X0, Y0]]  # A's office lies in W
    assert comp.table.loc["Zoning", "local_bases"] == 1
    same = hemopt.assignment_from_providers(
        sc, comp.assignments["Zoning"].client_providers(), base_rule=rule)
    ev = hemopt.evaluate(same, seed=0, travel=MixedTravel(detour_factor=DETOUR),
                         routing=hemopt.RoutingSettings(max_iterations=200))
    assert ev.kpis["driven_km_per_day"] == pytest.approx(6 * DETOUR)


def test_json_schema_and_determinism(tmp_path):
    sc = hemopt.generate("botkyrka", seed=4, scale=0.05)
    a = compare(sc, seed=3, max_iterations=100)
    b = compare(sc, seed=3, max_iterations=100)
    da, db = a.to_dict(), b.to_dict()
    jsonschema.validate(da, load_schema())
    assert json.dumps(da, sort_keys=True) == json.dumps(db, sort_keys=True)
    assert [r["name"] for r in da["regimes"]] == ["LOV", "LOU", "Zoning"]
    assert da["parameters"]["seed"] == 3
    assert da["parameters"]["cost"]["staff_sek_per_hour"] == 300.0
    path = a.to_json(tmp_path / "c.json")
    assert json.loads(path.read_text()) == da


def test_cost_params_and_bad_arguments():
    with pytest.raises(InputError, match=r"CostParams\.sek_per_km"):
        CostParams(sek_per_km=-1)
    sc = corridor_scenario()
    with pytest.raises(InputError, match="routing must be"):
        compare(sc, routing="magic")
    with pytest.raises(InputError, match="names must be distinct"):
        compare(sc, [LOV(), LOV()])


# The HTML report (tables, figures, rendering in Chromium) is tested in tests/test_report.py.


@pytest.mark.filterwarnings("ignore::hemopt.day.ExtrapolationWarning")  # a small scenario
def test_continuity_is_automatic_by_size(monkeypatch):
    """By default continuity is measured up to CONTINUITY_AUTO_MAX_CLIENTS clients and skipped
    above, with a message; True forces it."""
    import importlib

    cmp_mod = importlib.import_module("hemopt.compare")
    sc = hemopt.generate("strangnas", seed=1, scale=0.04)
    small = hemopt.compare(sc, seed=1, routing="approx")
    assert small.parameters["continuity"] is not False
    assert small.continuity_runtime_s > 0
    monkeypatch.setattr(cmp_mod, "CONTINUITY_AUTO_MAX_CLIENTS", sc.n_clients - 1)
    msgs: list[str] = []
    big = hemopt.compare(sc, seed=1, routing="approx", progress=msgs.append)
    assert big.parameters["continuity"] is False and big.continuity_runtime_s == 0
    assert any("continuity of care skipped" in m and "--continuity forces it" in m
               for m in msgs)
    forced = hemopt.compare(sc, seed=1, routing="approx", continuity=True)
    assert forced.continuity_runtime_s > 0
    cols = ["driven_km_per_day", "paid_staff_hours_per_day", "first_choice_pct"]
    assert big.table[cols].equals(small.table[cols])  # the day itself does not change
