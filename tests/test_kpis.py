"""The KPI registry (hemopt.kpis): a KPI declared once, in this file, is seen in the
comparison table, the JSON and its schema, the report, the sweep and the CLI; the cost split;
the dropped care; the Shapley decomposition."""

from __future__ import annotations

import math
from itertools import permutations
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import hemopt
from hemopt import kpis
from hemopt.decompose import decompose_steps, shapley_values, steps_of
from hemopt.errors import InputError

TOY = "toy_visits_per_staff_hour"
#: a small scenario: the approximation extrapolates a little, and says so
pytestmark = pytest.mark.filterwarnings("ignore::hemopt.day.approx.ExtrapolationWarning")


@pytest.fixture
def toy_kpi():
    """A toy KPI registered from the test file, unregistered after the test."""
    k = kpis.register_kpi(kpis.KPI(
        TOY, "visits per staff hour on routes", "Toy visits per staff hour", "visits per hour",
        "2f", "higher", headline=True, group="Travel and staff time", sweep=True, cli=True,
        schema={"type": "number", "minimum": 0}, required=True,
        compute=lambda x: x.totals["visits_in"] / x.totals["staff_hours_per_day"]))
    yield k
    kpis.unregister_kpi(TOY)
    assert TOY not in kpis.registry()


@pytest.fixture(scope="module")
def small():
    return hemopt.generate("strangnas", seed=1, scale=0.1)


def test_toy_kpi_everywhere(toy_kpi, small, tmp_path):
    import jsonschema

    from hemopt.cli.main import _format_comparison, _format_ranges
    from hemopt.compare import load_schema
    from hemopt.ranges import HEADLINE_KPIS
    from hemopt.sweep import _kpis, run_task, tasks_of
    from hemopt.viz.format import MEASURES, fmt_value
    from hemopt.viz.tables import _all_figures_table, key_table

    assert TOY in hemopt.KPI_COLUMNS and TOY in HEADLINE_KPIS and TOY in _kpis()
    r = hemopt.compare_seeds(small, seeds=(1, 2), routing="approx", continuity=False,
                             decompose=False)
    comp = r.headline
    t = comp.table
    # the value is what it says: visits over staff hours of that regime's day
    for name in t.index:
        assert t.at[name, TOY] == pytest.approx(t.at[name, "visits_per_day"]
                                                / t.at[name, "staff_hours_per_day"])
    # the JSON and its schema
    doc = r.to_dict()
    schema = load_schema()
    item = schema["properties"]["regimes"]["items"]
    assert TOY in item["properties"] and TOY in item["required"]
    jsonschema.validate(doc, schema)
    assert all(rec[TOY] == pytest.approx(t.at[rec["name"], TOY]) for rec in doc["regimes"])
    assert TOY in doc["intervals"]["Zoning"]
    bad = {**doc, "regimes": [{k: v for k, v in rec.items() if k != TOY}
                              for rec in doc["regimes"]]}
    with pytest.raises(jsonschema.ValidationError, match=TOY):
        jsonschema.validate(bad, schema)
    # the report: measure, key-figures table (with ranges), table of every figure, HTML
    assert MEASURES[TOY].title() == "Toy visits per staff hour (visits per hour)"
    assert fmt_value(TOY, 1.23456) == "1.23"
    assert "Toy visits per staff hour" in key_table(comp, r)
    assert "Toy visits per staff hour" in _all_figures_table(comp)
    html = hemopt.write_report(r, tmp_path / "index.html").read_text()
    assert "Toy visits per staff hour" in html
    # the CLI rows
    lov = fmt_value(TOY, t.at["LOV", TOY])
    line = next(x for x in _format_comparison(comp).splitlines()
                if x.startswith("Toy visits per staff hour (visits per hour)"))
    assert lov in line
    assert "Toy visits per staff hour (visits per hour)" in _format_ranges(r)
    # the sweep's columns
    rows = run_task(tasks_of({"preset": "strangnas", "scale": 0.05}, [1])[0])
    assert rows[0]["error"] == "" and all(TOY in row and row[TOY] > 0 for row in rows)


def test_registry_refuses_bad_kpis():
    with pytest.raises(InputError, match="registered already"):
        kpis.register_kpi(kpis.get("driven_km_per_day"))
    with pytest.raises(InputError, match="fmt must be one of"):
        kpis.KPI("x_y", "m", "l", "u", "e")  # scientific notation is no format for people
    with pytest.raises(InputError, match="needs compute="):
        kpis.KPI("x_y", "m", "l", "u", "int")
    with pytest.raises(InputError, match="unknown KPI 'nope'"):
        kpis.get("nope")
    with pytest.raises(InputError, match="no KPI 'nope'"):
        kpis.unregister_kpi("nope")


def test_formats_never_scientific():
    for kind in kpis.FORMATS:
        for v in (2.94e7, 1.5e-7, 123456789.0, 0.0):
            s = kpis.format_value(kind, v)
            assert "e+" not in s and "e-" not in s, (kind, v, s)
    assert kpis.get("cost_sek_per_year").format(2.94e7) == "29.4"


def test_cost_split_and_delivered_care(small):
    """cost = variable + fixed; the fixed part by hand from the cost parameters; delivered
    care = granted care less the dropped share; cost per care hour on delivered hours."""
    comp = hemopt.compare(small, routing="approx", continuity=False)
    c = hemopt.CostParams()
    for name in comp.table.index:
        row = comp.table.loc[name]
        assert row["cost_sek_per_year"] == pytest.approx(
            row["variable_cost_sek_per_year"] + row["fixed_cost_sek_per_year"], rel=1e-12)
        a = comp.assignments[name]
        active = a.providers[a.providers["clients"] > 0]
        fixed = (c.fixed_sek_per_provider * len(active)
                 + c.follow_up_sek_per_external * int((active["kind"] == "external").sum())
                 + c.fixed_sek_per_base * int(row["local_bases"]))
        assert row["fixed_cost_sek_per_year"] == pytest.approx(fixed)
        cons = comp.conservation[name]
        share = cons["care_minutes_dropped"] / cons["care_minutes_in"]
        assert row["dropped_care_share"] == pytest.approx(share)
        assert row["delivered_care_hours_per_week"] == pytest.approx(
            row["care_hours_per_week"] * (1 - share))
        assert row["cost_per_care_hour_sek"] == pytest.approx(
            row["cost_sek_per_year"] / (row["delivered_care_hours_per_week"] * 365 / 7))
        # the shortfall keys come from Assignment.summary(); NaN until a regime reports them
        for k in ("guarantee_shortfall_hours_per_week", "procurement_shortfall_hours_per_week"):
            v = a.summary().get(k, math.nan)
            assert (math.isnan(row[k]) and math.isnan(v)) or row[k] == pytest.approx(v)


def test_dropped_care_is_not_costed_as_delivered():
    """Issue 26 §4, by hand: one client granted 120 h/week, 33 % of the day's care dropped.
    Cost 10 MSEK a year: per delivered hour 10e6 / (120 × 0.67 × 365 / 7), not per granted
    hour."""
    a = SimpleNamespace(clients=pd.DataFrame({"hours_per_week": [120.0]}))
    x = kpis.KPIInputs(
        assignment=a, routing=None, cost=hemopt.CostParams(),
        providers=pd.DataFrame({"cost_sek_per_year": [10e6], "fixed_sek_per_year": [1e6]}),
        visits=pd.DataFrame(),
        conservation={"care_minutes_in": 1000.0, "care_minutes_dropped": 330.0})
    ev = kpis.evaluate_kpis()
    assert ev["dropped_care_share"].compute(x) == pytest.approx(0.33)
    assert ev["delivered_care_hours_per_week"].compute(x) == pytest.approx(80.4)
    per_hour = ev["cost_per_care_hour_sek"].compute(x)
    assert per_hour == pytest.approx(10e6 / (80.4 * 365 / 7))  # 2,392 SEK
    assert per_hour > 10e6 / (120 * 365 / 7) * 1.49  # not the granted hours' 1,603 SEK
    assert ev["variable_cost_sek_per_year"].compute(x) == pytest.approx(9e6)
    assert ev["fixed_cost_sek_per_year"].compute(x) == pytest.approx(1e6)


# ------------------------------------------------------------------------ Shapley
def test_shapley_two_steps_by_hand():
    # v(∅)=0, v(a)=10, v(b)=4, v(ab)=20: a gets (10 + 16)/2 = 13, b (4 + 10)/2 = 7
    v = {frozenset(): 0.0, frozenset({0}): 10.0, frozenset({1}): 4.0, frozenset({0, 1}): 20.0}
    assert shapley_values(2, v.__getitem__).tolist() == [13.0, 7.0]
    # additive steps get exactly their own effect
    w = {s: 3.0 * (0 in s) + 5.0 * (1 in s) for s in v}
    assert shapley_values(2, w.__getitem__).tolist() == [3.0, 5.0]


def _fake_kpis(a):
    """A cheap deterministic 'evaluation': counts that change with who serves whom."""
    sc = a.scenario.clients
    cl = pd.DataFrame({"provider_id": a.client_providers(), "stairwell_id": sc["stairwell_id"],
                       "building_id": sc["building_id"], "hours_per_week": sc["hours_per_week"]})
    cl = cl[cl["provider_id"] != ""]
    per_stair = cl.groupby("stairwell_id")["provider_id"].nunique().sum()
    per_build = cl.groupby("building_id")["provider_id"].nunique().sum()
    muni = float(cl.loc[cl["provider_id"] == "P0", "hours_per_week"].sum())
    return {"driven_km_per_day": float(per_stair + 2 * per_build) + 0.01 * muni,
            "cost_sek_per_year": float(per_build) ** 1.5}


@pytest.mark.parametrize("regime", ["Zoning", "LOU"])
def test_shapley_sums_to_total_and_ignores_the_order(small, regime):
    lov = hemopt.assign(small, hemopt.LOV())
    target = hemopt.assign(small, hemopt.Zoning() if regime == "Zoning" else hemopt.LOU())
    moves = steps_of(lov, target)
    base = decompose_steps(lov, target, _fake_kpis, steps=moves).set_index("step")
    total = {k: _fake_kpis(target)[k] - _fake_kpis(lov)[k] for k in _fake_kpis(lov)}
    for k, v in total.items():
        assert base[f"{k}_change"].sum() == pytest.approx(v, abs=1e-9)
    assert base.attrs["evaluations"] <= 2 ** len(moves)
    for perm in list(permutations(moves))[1:6]:
        other = decompose_steps(lov, target, _fake_kpis, steps=perm).set_index("step")
        pd.testing.assert_frame_equal(other.loc[base.index], base)
    # applying every step (in rank order) gives the target's own assignment
    p = lov.client_providers()
    for m in sorted(moves, key=lambda m: m.rank):
        p = m.apply(p)
    assert (p == target.client_providers()).all()


def test_shapley_differs_from_the_chain_only_by_order(small):
    """The chain's steps depend on the order; Shapley's do not, and both add up to the same
    total."""
    lov, zon = hemopt.assign(small, hemopt.LOV()), hemopt.assign(small, hemopt.Zoning())
    sh = decompose_steps(lov, zon, _fake_kpis)
    ch = decompose_steps(lov, zon, _fake_kpis, method="chain")
    assert list(sh["step"]) == list(ch["step"])
    assert sh["driven_km_per_day_change"].sum() == pytest.approx(
        ch["driven_km_per_day_change"].sum())
    with pytest.raises(InputError, match="method must be"):
        decompose_steps(lov, zon, _fake_kpis, method="random")


def test_step_labels_say_what_happened(small):
    lov, zon = hemopt.assign(small, hemopt.LOV()), hemopt.assign(small, hemopt.Zoning())
    moves = {m.name: m for m in steps_of(lov, zon)}
    zone = zon.clients["zone_id"].to_numpy()
    prov = zon.client_providers()
    kinds = dict(zip(small.providers["provider_id"], small.providers["kind"], strict=True))
    owners = {z: pd.Series(zon.clients.loc[zone == z, "hours_per_week"].to_numpy()).groupby(
        prov[zone == z]).sum().idxmax() for z in np.unique(zone)}
    if len(set(owners.values())) == 1 and kinds[next(iter(owners.values()))] == "municipal":
        assert "the municipality" in moves["procurement"].about
        assert "takes every area" in moves["procurement"].about
    else:
        for z, p in owners.items():
            assert (f"{z}:" if str(z).startswith("area") else f"area {z}:") in moves[
                "procurement"].about
            assert p in moves["procurement"].about


def test_shapley_with_the_approximation(small):
    """Real routing (the approximation): the steps add up to Zoning − LOV in km and cost."""
    r = hemopt.compare_seeds(small, seeds=(1,), routing="approx", continuity=False)
    dec = r.decomposition
    t = r.per_seed.loc[1]
    for regime in ("Zoning", "LOU"):
        d = dec[dec["regime"] == regime]
        assert d["km_change"].sum() == pytest.approx(
            t.at[regime, "driven_km_per_day"] - t.at["LOV", "driven_km_per_day"], abs=1e-6)
        assert d["cost_change_sek"].sum() == pytest.approx(
            t.at[regime, "cost_sek_per_year"] - t.at["LOV", "cost_sek_per_year"], rel=1e-9,
            abs=1e-3)
    assert 0 < r.decomposition_evaluations <= 2 * 16 + 2 * 4
