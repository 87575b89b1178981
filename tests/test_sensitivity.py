"""Global sensitivity: SALib's Morris and Sobol on analytic functions with known indices, and
on hemopt (run counts, reproducibility, resume, skipped assumptions, the CLI on both presets)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import hemopt
from hemopt import InputError
from hemopt.sensitivity import analyse, sample
from hemopt.viz import plot_tornado

pytestmark = pytest.mark.filterwarnings("ignore::hemopt.day.approx.ExtrapolationWarning")

NAMES = ["x0", "x1", "x2", "x3"]
BOUNDS = [(0.0, 1.0), (0.0, 2.0), (-1.0, 1.0), (0.0, 1.0)]


def test_morris_on_a_linear_function_gives_its_slopes():
    """For y = Σ a_i x_i every elementary effect of x_i is a_i exactly: μ* = |a_i|, σ = 0."""
    X = sample("morris", NAMES, BOUNDS, trajectories=6, seed=3)
    assert X.shape == ((4 + 1) * 6, 4)
    a = np.array([5.0, -2.0, 0.5, 0.0])
    ix = analyse("morris", NAMES, BOUNDS, X, X @ a, seed=3)
    # Morris' effects are per step of the unit-scaled factor: a_i × (high - low)
    width = np.array([hi - lo for lo, hi in BOUNDS])
    np.testing.assert_allclose(ix["mu_star"], np.abs(a) * width, atol=1e-9)
    np.testing.assert_allclose(ix["mu"], a * width, atol=1e-9)
    np.testing.assert_allclose(ix["sigma"], 0.0, atol=1e-9)
    assert list(ix.sort_values("mu_star", ascending=False).index[:2]) == ["x0", "x1"]


def test_morris_finds_the_dominant_factor_of_a_nonlinear_function():
    X = sample("morris", NAMES, BOUNDS, trajectories=10, seed=1)
    y = np.sin(3 * X[:, 0]) * 4 + X[:, 1] ** 2 * 0.2 + 0.1 * X[:, 2] * X[:, 3]
    ix = analyse("morris", NAMES, BOUNDS, X, y, seed=1)
    assert ix["mu_star"].idxmax() == "x0"
    assert ix.loc["x3", "mu_star"] < ix.loc["x1", "mu_star"] < ix.loc["x0", "mu_star"]
    assert (ix["mu_star_conf"] >= 0).all() and np.isfinite(ix.to_numpy()).all()


def test_sobol_on_an_additive_function_matches_the_variances():
    """y = 4 u0 + 2 u1 + u2 on unit uniforms: S1_i = a_i² / Σ a_j² (16/21, 4/21, 1/21)."""
    names, bounds = ["u0", "u1", "u2"], [(0.0, 1.0)] * 3
    X = sample("sobol", names, bounds, trajectories=1024, seed=5)
    assert X.shape == (1024 * (3 + 2), 3)
    ix = analyse("sobol", names, bounds, X, X @ np.array([4.0, 2.0, 1.0]), seed=5)
    np.testing.assert_allclose(ix["S1"], [16 / 21, 4 / 21, 1 / 21], atol=0.03)
    np.testing.assert_allclose(ix["ST"], [16 / 21, 4 / 21, 1 / 21], atol=0.03)


def test_bad_arguments():
    with pytest.raises(InputError, match="method must be one of"):
        sample("fast", NAMES, BOUNDS)
    with pytest.raises(InputError, match=r"one per row of X"):
        analyse("morris", NAMES, BOUNDS, np.zeros((5, 4)), np.zeros(4))
    with pytest.raises(InputError, match="not declared"):
        hemopt.sensitivity("strangnas", assumptions=["sek_per_kilometre", "sek_per_km"])
    with pytest.raises(InputError, match="trajectories must be"):
        hemopt.sensitivity("strangnas", trajectories=1)


THREE = ["sek_per_km", "fixed_sek_per_provider", "n_external"]


@pytest.fixture(scope="module")
def tiny():
    return hemopt.sensitivity("strangnas", scale=0.1, trajectories=3, n_workers=1,
                              assumptions=THREE, seed=4, progress=False)


def test_morris_on_hemopt_runs_k_plus_one_times_r(tiny):
    r = tiny
    assert len(r.design) == (3 + 1) * 3  # (k + 1) · r points
    assert r.runs == (3 + 1) * 3 + 1      # and the defaults once
    assert list(r.design.columns) == THREE and not r.failures
    assert set(r.indices["output"]) == set(r.outputs.columns) and len(r.outputs.columns) == 8
    assert np.isfinite(r.indices[["mu", "mu_star", "mu_star_conf", "sigma"]].to_numpy()).all()
    # the cost per km moves no km; the fixed cost moves the total cost and not the variable
    t = r.indices.set_index(["output", "assumption"])
    assert t.loc[("Zoning-LOV:driven_km_per_day", "sek_per_km"), "mu_star"] == 0.0
    assert t.loc[("Zoning-LOV:variable_cost_sek_per_year", "fixed_sek_per_provider"),
                 "mu_star"] == pytest.approx(0.0, abs=1e-6)
    assert t.loc[("Zoning-LOV:cost_sek_per_year", "fixed_sek_per_provider"), "mu_star"] > 0
    s = r.summary()
    assert (s["p5"] <= s["median"]).all() and (s["median"] <= s["p95"]).all()
    assert s["p_sign"].between(0, 1).all()
    assert r.top_drivers(2)[0] in THREE and len(r.top_drivers(2)) == 2
    doc = json.loads(json.dumps(r.to_dict()))
    assert doc["outputs"]["Zoning-LOV:driven_km_per_day"]["indices"][0]["assumption"] in THREE
    assert "two largest drivers" in r.reading()[0]


def test_same_seed_same_figures_and_resume(tiny, tmp_path):
    msgs: list[str] = []
    a = hemopt.sensitivity("strangnas", scale=0.1, trajectories=3, n_workers=1,
                           assumptions=THREE, seed=4, out=tmp_path, progress=msgs.append)
    assert a.outputs.equals(tiny.outputs) and a.indices.equals(tiny.indices)
    assert len(msgs) == 3  # one task per trajectory (the defaults ride in the first)
    msgs.clear()
    b = hemopt.sensitivity("strangnas", scale=0.1, trajectories=3, n_workers=1,
                           assumptions=THREE, seed=4, out=tmp_path, progress=msgs.append)
    assert msgs == [] and b.outputs.equals(a.outputs)  # every task read back, none rerun
    c = hemopt.sensitivity("strangnas", scale=0.1, trajectories=3, n_workers=1,
                           assumptions=THREE, seed=5, progress=False)
    assert not c.design.equals(a.design)


def test_tornado(tiny):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = plot_tornado(tiny, "Zoning-LOV:cost_sek_per_year")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == sorted(THREE)
    assert labels[-1] == tiny.top_drivers(1, "Zoning-LOV:cost_sek_per_year")[0]  # on top
    plt.close("all")


def test_lov_only_assumptions_are_skipped_on_botkyrka():
    r = hemopt.sensitivity("botkyrka", scale=0.1, trajectories=2, n_workers=1,
                           assumptions=["n_external", "sek_per_km", "staff_sek_per_hour"],
                           progress=False)
    assert "n_external" in r.skipped and [a.name for a in r.assumptions] == [
        "sek_per_km", "staff_sek_per_hour"]
    assert r.runs == (2 + 1) * 2 + 1


@pytest.mark.parametrize("preset", ["strangnas", "botkyrka"])
def test_cli_quick(preset, tmp_path, capsys):
    from hemopt.cli.main import main

    out = tmp_path / "sens"
    assert main(["sensitivity", "--preset", preset, "--scale", "0.1", "--trajectories", "2",
                 "--workers", "1", "--assumptions",
                 "sek_per_km,fixed_sek_per_provider,non_chooser_share,walk_within_m",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "two largest drivers" in text
    doc = json.loads((out / "sensitivity.json").read_text())
    assert doc["runs"] == (4 + 1) * 2 + 1 and doc["preset"] == preset
    assert (out / "tornado.png").stat().st_size > 10_000


def test_a_failed_run_costs_its_trajectory_only(monkeypatch):
    """One failed run (here LOU at point 3) leaves its trajectory out of the LOU outputs'
    indices; the Zoning outputs keep every trajectory."""
    import importlib

    mod = importlib.import_module("hemopt.sensitivity")
    real = mod.run_points

    def flaky(task):
        rows = real(task)
        for row in rows:
            if row["point"] == 3 and row["regime"] == "LOU":
                row.update({m: float("nan") for m in mod.MEASURES}, error="ScenarioError: x")
        return rows

    monkeypatch.setattr(mod, "run_points", flaky)
    r = hemopt.sensitivity("strangnas", scale=0.1, trajectories=3, n_workers=1,
                           assumptions=["sek_per_km", "staff_sek_per_hour"], progress=False)
    used = r.indices.groupby("output")["blocks_used"].first()
    assert used["LOU-LOV:driven_km_per_day"] == 2 and used["Zoning-LOV:driven_km_per_day"] == 3
    assert np.isfinite(r.indices["mu_star"]).all()
    assert r.failures == [{"point": 3, "seed": 1, "regime": "LOU", "error": "ScenarioError: x"}]
    assert np.isnan(r.outputs.loc[2, "LOU-LOV:cost_sek_per_year"])  # design row 2 = point 3


def test_top_drivers_never_names_an_assumption_that_moves_nothing():
    """An assumption whose index is 0 on an output is no driver of it (nor of the ranking
    when it moves nothing at all); the reading says "none" rather than name it."""
    import pandas as pd

    from hemopt.assumptions import by_name
    from hemopt.sensitivity import SensitivityResult

    out_a, out_b = "Zoning-LOV:driven_km_per_day", "Zoning-LOV:cost_sek_per_year"
    ix = pd.DataFrame({
        "output": [out_a] * 3 + [out_b] * 3,
        "assumption": ["sek_per_km", "walk_within_m", "procurement_quality_weight"] * 2,
        "mu_star": [0.0, 12.0, 0.0, 3.0, 1.0, 3e-10]})  # 3e-10: rounding
    r = SensitivityResult(
        "morris", "strangnas", [by_name(n) for n in ix["assumption"][:3]], {},
        design=pd.DataFrame(), outputs=pd.DataFrame({out_a: [1.0, 2.0], out_b: [1.0, 3.0]}),
        baseline={out_a: 1.0, out_b: 1.0}, indices=ix, runs=3)
    assert r.top_drivers(2, out_a) == ["walk_within_m"]  # sek_per_km has mu* = 0 on km
    assert r.top_drivers(3, out_b) == ["sek_per_km", "walk_within_m"]
    assert r.top_drivers(3) == ["walk_within_m", "sek_per_km"]  # (1 + 1/3)/2 > (0 + 1)/2
    assert "procurement_quality_weight" not in r.top_drivers(3)
    assert "drivers: walk_within_m." in r.reading()[1]
    none = SensitivityResult(
        "morris", "strangnas", r.assumptions, {}, design=pd.DataFrame(),
        outputs=r.outputs, baseline=r.baseline, indices=ix.assign(mu_star=0.0), runs=3)
    assert none.top_drivers(2) == [] and "none (no assumption" in none.reading()[0]
