"""StudySettings taken by evaluate, sweep and simulate; one meaning per word (flow_backend,
routing_backend, the old ``backend`` deprecated); no argument accepted and then ignored."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import hemopt
from hemopt.bases import BaseRule
from hemopt.errors import InputError
from hemopt.evaluate import CostParams, RoutingSettings
from hemopt.settings import ContinuitySettings, StudySettings

pytestmark = pytest.mark.filterwarnings(
    "ignore::hemopt.routing.approx.ExtrapolationWarning")

APPROX = StudySettings(routing=RoutingSettings(method="approx"),
                       cost=CostParams(sek_per_km=9.0),
                       continuity=ContinuitySettings(enabled=False))


@pytest.fixture(scope="module")
def small():
    return hemopt.generate("strangnas", seed=1, scale=0.05)


def test_evaluate_takes_settings(small):
    a = hemopt.assign(small, hemopt.LOV())
    by_settings = hemopt.evaluate(a, settings=APPROX, seed=1).kpis
    by_keywords = hemopt.evaluate(a, routing=APPROX.routing_settings(), cost=APPROX.cost,
                                  travel=APPROX.travel, visit_params=APPROX.visits,
                                  shifts=APPROX.shifts, seed=1).kpis
    assert by_settings["cost_sek_per_year"] == by_keywords["cost_sek_per_year"]
    assert by_settings["driven_km_per_day"] == by_keywords["driven_km_per_day"] > 0
    with pytest.raises(InputError, match=r"either settings= or the keywords \['cost'\]"):
        hemopt.evaluate(a, settings=APPROX, cost=CostParams())
    other = APPROX.replace(bases=BaseRule(local_bases=False))
    with pytest.raises(InputError, match=r"assign with base_rule=settings\.bases"):
        hemopt.evaluate(a, settings=other)


def test_sweep_takes_settings(small):
    grid = {"preset": "strangnas", "scale": 0.05}
    df = hemopt.sweep(grid, seeds=[1], n_workers=1, progress=False, settings=APPROX)
    assert (df["error"] == "").all() and set(df["regime"]) == {"LOV", "LOU", "Zoning"}
    assert (df["sek_per_km"] == 9.0).all() and (df["routing"] == "approx").all()
    assert StudySettings.from_dict(json.loads(df["settings"].iloc[0])) == APPROX
    # the same figures as compare with the same settings
    comp = hemopt.compare(small, seed=1, settings=APPROX, progress=False)
    got = df.set_index("regime")["cost_sek_per_year"]
    for name in comp.table.index:
        assert got[name] == pytest.approx(comp.table.at[name, "cost_sek_per_year"])
    plain = hemopt.sweep(grid, seeds=[1], n_workers=1, progress=False)
    assert set(plain["task_id"]).isdisjoint(df["task_id"])  # other settings, other tasks
    with pytest.raises(InputError, match=r"either settings= or the keywords \['routing'\]"):
        hemopt.sweep(grid, seeds=[1], routing="solver", settings=APPROX, progress=False)


def test_simulate_takes_settings():
    sc = hemopt.generate("botkyrka", seed=1, scale=0.05)
    res = hemopt.simulate(sc, hemopt.LOV(), years=1, seed=1, routing_months=[0],
                          settings=APPROX)
    m0 = res.monthly.set_index("month").loc[0]
    assert m0["routing"] == "approx" and m0["driven_km_per_day"] > 0
    with pytest.raises(InputError, match="either settings= or routing='solver'"):
        hemopt.simulate(sc, hemopt.LOV(), years=1, routing_months=[0], routing="solver",
                        settings=APPROX)


def test_no_argument_accepted_and_ignored(small):
    with pytest.raises(InputError, match="workers=2 applies to routing='solver'"):
        hemopt.compare(small, routing="approx", workers=2)
    with pytest.raises(InputError, match=r"time_limit_s=5\.0 applies to routing='solver'"):
        hemopt.compare(small, routing="approx", time_limit_s=5.0)
    with pytest.raises(InputError, match="Dask cluster runs the tasks on its own workers"):
        hemopt.sweep({"preset": "strangnas"}, client=object(), n_workers=2)
    with pytest.raises(InputError, match="max_iterations=30 applies to routing='solver'"):
        hemopt.sweep({"preset": "strangnas"}, routing="approx", max_iterations=30)


def test_backend_renamed(small):
    a = hemopt.assign(small, hemopt.LOV(), flow_backend="networkx")
    with pytest.warns(DeprecationWarning, match="use flow_backend="):
        old = hemopt.assign(small, hemopt.LOV(), backend="networkx")
    assert (old.client_providers() == a.client_providers()).all()
    with pytest.raises(InputError, match="give flow_backend only"):
        hemopt.assign(small, hemopt.LOV(), backend="networkx", flow_backend="cpsat")
    regs = [hemopt.LOV()]
    new = hemopt.compare(small, regs, routing_backend="greedy", max_iterations=5,
                         continuity=False, progress=False)
    with pytest.warns(DeprecationWarning, match="use routing_backend="):
        was = hemopt.compare(small, regs, backend="greedy", max_iterations=5,
                             continuity=False, progress=False)
    assert was.parameters["backend"] == new.parameters["backend"] == "greedy"
    assert was.table.equals(new.table)
    with pytest.raises(InputError, match="give routing_backend only"):
        hemopt.compare(small, regs, backend="greedy", routing_backend="ortools")
    with pytest.raises(InputError, match="either settings= or the keywords"):
        hemopt.compare(small, regs, backend="greedy", settings=APPROX)
    s = replace(APPROX, routing=RoutingSettings(backend="greedy"))
    assert s.keywords()["routing_backend"] == "greedy"


def _mini_atlas_folder(root):
    """One municipality made from the shipped files (Botkyrka, as if it were new)."""
    import shutil
    from importlib import resources

    data = resources.files("hemopt") / "data"
    (root / "deso").mkdir(parents=True)
    shutil.copy(data / "deso2025_botkyrka_0127.geojson", root / "deso")
    shutil.copy(data / "kommun_0486_0127_sweref99tm.geojson", root / "boundaries.geojson")
    (root / "coverage.csv").write_text("kommun_kod,n21704_pct_2023\n0127,16.2\n")
    return root


def test_atlas_takes_settings(tmp_path):
    folder = _mini_atlas_folder(tmp_path / "mini")
    res = hemopt.atlas(folder, seeds=[1], presets=(), scale=0.05, n_workers=1,
                       progress=False, settings=APPROX)
    assert len(res.failures) == 0 and res.settings["study"] == APPROX.to_dict()
    rows = res.rows.set_index("regime")
    cost = APPROX.cost
    for name, r in rows.iterrows():  # the variable cost at the settings' 9 SEK per km
        want = cost.days_per_year * (r["paid_staff_hours_per_day"] * cost.staff_sek_per_hour
                                     + r["driven_km_per_day"] * cost.sek_per_km)
        assert r["variable_cost_sek_per_year"] == pytest.approx(want), name
    assert any(c.startswith("zoning_step_") for c in res.rows.columns)  # decomposed
    with pytest.raises(InputError, match=r"either settings= or the keywords \['routing'\]"):
        hemopt.atlas(folder, seeds=[1], presets=(), routing="solver", settings=APPROX)
    with pytest.raises(InputError, match="Dask cluster runs the tasks on its own workers"):
        hemopt.atlas(folder, seeds=[1], presets=(), client=object(), n_workers=1)


@pytest.mark.filterwarnings("default::FutureWarning")
def test_cli_flow_backend(capsys):
    from hemopt.cli import main

    args = ["assign", "--preset", "strangnas", "--scale", "0.05"]
    assert main([*args, "--flow-backend", "networkx"]) == 0
    new = capsys.readouterr().out
    assert main([*args, "--backend", "networkx"]) == 0  # the old name: said, and obeyed
    out = capsys.readouterr()
    assert "--backend is deprecated" in out.err and "use --flow-backend" in out.err
    assert out.out == new
    assert main([*args, "--backend", "networkx", "--flow-backend", "networkx"]) == 2
    assert "give --flow-backend only" in capsys.readouterr().err
