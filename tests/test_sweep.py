"""Sweeps: tasks, failures recorded, resume, local processes versus a Dask LocalCluster."""

from __future__ import annotations

import pandas as pd
import pytest

from hemopt import InputError
from hemopt.sweep import plot_sweep, summarise, sweep, tasks_of

GRID = {"preset": "strangnas", "scale": 0.04, "n_external": [2, 4]}


def _kpis(df: pd.DataFrame) -> pd.DataFrame:
    cols = ["task_id", "regime", "error", "driven_km_per_day", "staff_hours_per_day",
            "first_choice_pct", "providers_per_stairwell"]
    return df[cols].reset_index(drop=True)


def test_tasks_are_stable_and_validated():
    t = tasks_of(GRID, seeds=[0, 1])
    assert len(t) == 4
    assert t == tasks_of(GRID, seeds=[0, 1])
    assert len({x["task_id"] for x in t}) == 4
    assert t[0]["external_share"] == 0.2  # defaults filled in
    with pytest.raises(InputError, match="unknown key"):
        tasks_of({"colour": [1]}, seeds=[0])
    with pytest.raises(InputError, match="seeds"):
        tasks_of(GRID, seeds=[-1])


def test_local_processes_equal_dask_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = sweep(GRID, seeds=[0, 1], routing="solver", max_iterations=20, n_workers=2,
                  progress=False)
    assert len(local) == 4 * 3  # 4 tasks x (LOV, LOU, Zoning)
    assert (local["error"] == "").all()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = sweep(GRID, seeds=[0, 1], routing="solver", max_iterations=20, client=client,
                       progress=False)
    pd.testing.assert_frame_equal(_kpis(local), _kpis(remote))


def test_failures_are_recorded_and_resume(tmp_path):
    grid = {"preset": ["strangnas", "botkyrka"], "scale": 0.04, "n_external": 3}
    out = tmp_path / "parts"
    df = sweep(grid, seeds=[0], routing="solver", max_iterations=20, n_workers=1, out=out,
               progress=False)
    failed = df[df["error"] != ""]
    assert len(failed) == 1 and failed["preset"].iloc[0] == "botkyrka"
    assert "n_external applies to LOV presets" in failed["error"].iloc[0]
    assert (df.loc[df["preset"] == "strangnas", "error"] == "").all()
    assert len(list(out.glob("*.parquet"))) == 2
    # resume: nothing left to do, same frame back
    msgs = []
    again = sweep(grid, seeds=[0], routing="solver", max_iterations=20, n_workers=1, out=out,
                  progress=msgs.append)
    assert any("resuming: 2 of 2" in m for m in msgs)
    pd.testing.assert_frame_equal(_kpis(df), _kpis(again))


def test_summarise_and_plot():
    rows = []
    for x in (1, 2):
        for seed, v in enumerate((10.0, 12.0, 14.0)):
            for regime in ("LOV", "Zoning"):
                rows.append({"task_id": f"{x}-{seed}", "n_external": x, "seed": seed,
                             "regime": regime, "error": "",
                             "driven_km_per_day": v * x + (regime == "Zoning"),
                             "cost_sek_per_year": 1e6 - 1e4 * (regime == "Zoning") * x,
                             "first_choice_pct": 100.0 - 50 * (regime == "Zoning")})
    df = pd.DataFrame(rows)
    s = summarise(df, "n_external", "driven_km_per_day")
    lov1 = s[(s["n_external"] == 1) & (s["regime"] == "LOV")].iloc[0]
    assert lov1["mean"] == 12.0 and lov1["n"] == 3
    # t(0.975, 2) = 4.303; se = 2 / sqrt(3)
    assert lov1["hi"] - lov1["mean"] == pytest.approx(4.3027 * 2 / 3**0.5, rel=1e-3)
    fig = plot_sweep(df, "n_external", ("driven_km_per_day",), value_of_choice_sek=100.0)
    titles = [ax.get_title() for ax in fig.axes]
    assert any("n = 3" in t for t in titles)
    assert any("break-even" in str(ax.get_legend_handles_labels()[1]) for ax in fig.axes)
