"""Ranges over seeds, paired differences and the decomposition of the saving (issue 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hemopt
from hemopt.decompose import counterfactual_chain, decompose_steps
from hemopt.ranges import compare_seeds, paired_intervals


def test_paired_differences_on_a_constructed_case():
    # Three seeds. LOV's km vary a lot between seeds (100, 200, 400) while Zoning is always
    # exactly 10 % below: the paired difference is -10 % every time, with no spread, although
    # the two regimes' ranges overlap widely (a difference of medians would mislead).
    t = pd.DataFrame({
        "seed": [1, 1, 2, 2, 3, 3],
        "regime": ["LOV", "Zoning"] * 3,
        "km": [100.0, 90.0, 200.0, 180.0, 400.0, 360.0],
        "queue": [0, 0, 0, 5, 0, -5],
    }).set_index(["seed", "regime"])
    r = paired_intervals(t).set_index(["regime", "kpi"])
    z = r.loc[("Zoning", "km")]
    assert (z["low"], z["median"], z["high"]) == (90.0, 180.0, 360.0)
    assert (z["diff_low"], z["diff_median"], z["diff_high"]) == (-40.0, -20.0, -10.0)
    assert z["pct_low"] == pytest.approx(-10.0) and z["pct_high"] == pytest.approx(-10.0)
    assert not z["within_noise"]
    q = r.loc[("Zoning", "queue")]
    assert (q["diff_low"], q["diff_median"], q["diff_high"], q["diff_mean"]) == (-5, 0, 5, 0)
    assert q["within_noise"]  # the range contains 0
    lov = r.loc[("LOV", "km")]
    assert lov["diff_low"] == lov["diff_high"] == 0.0
    with pytest.raises(hemopt.InputError, match="reference 'LOU' is missing in seed 1"):
        paired_intervals(t, reference="LOU")


@pytest.fixture(scope="module")
def small():
    return hemopt.generate("strangnas", seed=3, scale=0.3)


def test_chain_changes_one_thing_at_a_time(small):
    lov = hemopt.assign(small, hemopt.LOV(), seed=3)
    zon = hemopt.assign(small, hemopt.Zoning(), seed=3)
    steps = {s.name: s.providers for s in counterfactual_chain(lov, zon)}
    cl = small.clients
    per_stair = pd.Series(steps["stairwell"]).groupby(cl["stairwell_id"].to_numpy()).nunique()
    assert per_stair.max() == 1
    per_build = pd.Series(steps["building"]).groupby(cl["building_id"].to_numpy()).nunique()
    assert per_build.max() == 1
    per_area = pd.Series(steps["consolidation"]).groupby(zon.clients["zone_id"].to_numpy())
    assert per_area.nunique().max() == 1
    # a stairwell already served by one provider keeps it
    before = pd.Series(lov.client_providers()).groupby(cl["stairwell_id"].to_numpy())
    single = before.nunique() == 1
    keep = cl["stairwell_id"].isin(single[single].index).to_numpy()
    assert (steps["stairwell"][keep] == lov.client_providers()[keep]).all()
    assert (steps["procurement"] == zon.client_providers()).all()


@pytest.mark.filterwarnings("ignore::hemopt.day.approx.ExtrapolationWarning")
def test_steps_add_up_to_the_total(small):
    lov = hemopt.assign(small, hemopt.LOV(), seed=3)
    settings = hemopt.RoutingSettings(max_iterations=60)

    def kpis(a):
        return hemopt.evaluate(a, routing=settings, seed=3).kpis

    for target in (hemopt.Zoning(), hemopt.LOU(0.2)):
        a = hemopt.assign(small, target, seed=3)
        d = decompose_steps(lov, a, kpis)
        total = kpis(a)["driven_km_per_day"] - kpis(lov)["driven_km_per_day"]
        assert d["driven_km_per_day_change"].sum() == pytest.approx(total, rel=0.01, abs=1e-6)
        cost = kpis(a)["cost_sek_per_year"] - kpis(lov)["cost_sek_per_year"]
        assert d["cost_sek_per_year_change"].sum() == pytest.approx(cost, rel=0.01)


@pytest.mark.filterwarnings("ignore::hemopt.day.approx.ExtrapolationWarning")
def test_compare_seeds_document(tmp_path):
    r = compare_seeds(lambda s: hemopt.generate("botkyrka", seed=s, scale=0.1), seeds=(1, 2),
                      max_iterations=40)
    doc = r.to_dict()
    assert doc["seeds"] == [1, 2] and doc["headline_seed"] == 1
    z = doc["intervals"]["Zoning"]["driven_km_per_day"]
    per = r.per_seed.xs("Zoning", level="regime")["driven_km_per_day"]
    assert z["interval"] == [per.min(), per.max()]
    lov = r.per_seed.xs("LOV", level="regime")["driven_km_per_day"]
    assert z["vs_lov"]["interval"] == [(per - lov).min(), (per - lov).max()]
    # the decomposition's steps add up to the mean paired difference
    for regime in ("LOU", "Zoning"):
        steps = doc["decomposition"][regime]
        total = float((r.per_seed.xs(regime, level="regime")["driven_km_per_day"] - lov).mean())
        assert sum(s["km_change"] for s in steps) == pytest.approx(total, rel=0.01, abs=1e-6)
    import jsonschema

    from hemopt.compare import load_schema

    jsonschema.validate(doc, load_schema())
    assert np.isfinite(r.runtime_s)
