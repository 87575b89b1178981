"""benchmarks/validation.py, which gives the model's figures of docs/validation.md, runs at a
small scale and returns figures of the right shape and range."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def validation():
    spec = importlib.util.spec_from_file_location("hemopt_validation",
                                                  ROOT / "benchmarks" / "validation.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_validation_figures_at_a_small_scale(validation):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyVRP's penalty-bound warnings at 30 iterations
        v = validation.validate("strangnas", seeds=(1, 2), scale=0.1, max_iterations=30)
    k = v["km_ratios"]
    for key in ("lov_over_zoning", "lou_over_lov", "lov_over_one_provider"):
        s = k[key]
        assert s["n"] == 2 and 0 < s["low"] <= s["median"] <= s["high"], key
    z = v["zoning_cost"]
    assert z["diff_msek"]["low"] <= z["diff_msek"]["median"] <= z["diff_msek"]["high"]
    # the decomposition's mean steps add up to the mean paired difference
    assert sum(z["decomposition_msek"].values()) == pytest.approx(
        (z["diff_msek"]["low"] + z["diff_msek"]["high"]) / 2, rel=1e-6)
    g = v["optimiser_gain"]
    for name in ("LOV", "Zoning"):
        # PyVRP minimises distance: it never drives more than the greedy plan
        assert g[name]["km_saved_pct"]["low"] >= 0
    assert "zoning_vs_lov_km_pct" in g
    for s in v["time_use"].values():
        assert 0 < s["care_share_of_paid_time_pct"]["median"] < 100
        assert 0 < s["travel_share_of_visits_and_travel_pct"]["median"] < 100
    md = validation.to_markdown(v)
    assert "| km LOV / km zoning |" in md and "PyVRP against the greedy plan" in md
