"""Sweeps: tasks, failures recorded, resume, local processes versus a Dask LocalCluster."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import hemopt
from hemopt import InputError, OutputError
from hemopt.sweep import summarise, sweep, tasks_of
from hemopt.viz import plot_sweep

from ._procs import children, reap, running, wait_ended

GRID = {"preset": "strangnas", "scale": 0.04, "n_external": [2, 4]}
REPO = Path(__file__).resolve().parents[1]


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
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        remote = sweep(GRID, seeds=[0, 1], routing="solver", max_iterations=20, client=client,
                       progress=False)
    pd.testing.assert_frame_equal(_kpis(local), _kpis(remote))


def test_cli_on_an_existing_cluster_equals_local_processes(tmp_path, capsys):
    """`hemopt sweep --scheduler-file` (as on SLURM) and `--scheduler ADDRESS` run the same
    tasks on a running multi-worker cluster and write the same results as local processes."""
    distributed = pytest.importorskip("distributed")
    from hemopt.cli import main

    toml = tmp_path / "sweep.toml"
    toml.write_text('[sweep]\nseeds = [0, 1]\nrouting = "approx"\n\n'
                    '[grid]\npreset = "strangnas"\nscale = 0.04\nn_external = [2, 4]\n')
    assert main(["sweep", "--config", str(toml), "--out", str(tmp_path / "local.parquet"),
                 "--workers", "1"]) == 0
    local = pd.read_parquet(tmp_path / "local.parquet")
    sched = tmp_path / "scheduler.json"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0",
                                  scheduler_kwargs={"scheduler_file": str(sched)}) as cluster:
        assert main(["sweep", "--config", str(toml), "--out", str(tmp_path / "file.parquet"),
                     "--scheduler-file", str(sched)]) == 0
        assert main(["sweep", "--config", str(toml), "--out", str(tmp_path / "addr.parquet"),
                     "--scheduler", cluster.scheduler_address]) == 0
        workers = {w.name for w in cluster.scheduler.workers.values()}
    assert len(workers) == 2
    assert len(local) == 4 * 3
    for name in ("file", "addr"):
        remote = pd.read_parquet(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(_kpis(local), _kpis(remote))
    capsys.readouterr()


def test_connect_refuses_clearly(tmp_path):
    pytest.importorskip("distributed")
    from hemopt.errors import HemoptError
    from hemopt.sweep import connect

    with pytest.raises(InputError, match="address or its scheduler_file"):
        connect()
    with pytest.raises(InputError, match="address or its scheduler_file"):
        connect("tcp://127.0.0.1:1", scheduler_file=tmp_path / "s.json")
    with pytest.raises(InputError, match=r"scheduler_file = .*no such file"):
        connect(scheduler_file=tmp_path / "absent.json")
    with pytest.raises(InputError, match="min_workers = 0"):
        connect("tcp://127.0.0.1:1", min_workers=0)
    with pytest.raises(HemoptError, match=r"cannot reach the Dask scheduler at "
                                          r"tcp://127\.0\.0\.1:1 within 1 s"):
        connect("tcp://127.0.0.1:1", timeout_s=1)


def test_rule_sweep_source_hash(monkeypatch):
    distributed = pytest.importorskip("distributed")
    from hemopt.errors import HemoptError
    from hemopt.sweep import connect

    # this process reports another version; the worker processes import the real one
    monkeypatch.setattr(importlib.import_module("hemopt._tasks"), "_client_version",
                        lambda: "0.0.0-other")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        with pytest.raises(HemoptError, match=r"1 worker\(s\) of .* run another hemopt "
                                              r"than this process \(source hash 0\.0\.0-other\)"):
            connect(cluster.scheduler_address)
        # sweep(client=Client(addr)), as documented, checks the workers too
        with distributed.Client(cluster.scheduler_address) as client:
            with pytest.raises(HemoptError, match=r"run another hemopt than this process"):
                sweep(GRID, seeds=[0], client=client, progress=False)
        with pytest.raises(HemoptError, match=r"has 1 worker\(s\) after 2 s; min_workers = 3"):
            connect(cluster.scheduler_address, timeout_s=2, min_workers=3)


def test_rule_sweep_quarantine(tmp_path):
    grid = {"preset": ["strangnas", "botkyrka"], "scale": 0.04, "n_external": 3}
    out = tmp_path / "parts"
    df = sweep(grid, seeds=[0], routing="solver", max_iterations=20, n_workers=1, out=out,
               progress=False)
    failed = df[df["error"] != ""]
    assert len(failed) == 1 and failed["preset"].iloc[0] == "botkyrka"
    assert "n_external applies to LOV presets" in failed["error"].iloc[0]
    assert (df.loc[df["preset"] == "strangnas", "error"] == "").all()
    # the failed task was retried, then quarantined with its error apart from the parts
    assert len(list(out.glob("*.parquet"))) == 1
    assert [p.stem for p in (out / "quarantine").glob("*.parquet")] == [failed["task_id"].iloc[0]]
    # resume: nothing left to do, same frame back
    msgs = []
    again = sweep(grid, seeds=[0], routing="solver", max_iterations=20, n_workers=1, out=out,
                  progress=msgs.append)
    assert any("resuming: 2 of 2" in m and "1 quarantined" in m for m in msgs)
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


def test_settings_are_part_of_the_task_and_recorded():
    a = tasks_of(GRID, seeds=[0])
    b = tasks_of(GRID, seeds=[0], routing="solver", max_iterations=20)
    c = tasks_of(GRID, seeds=[0], routing="solver", max_iterations=30)
    d = tasks_of(GRID, seeds=[0], cost={"sek_per_km": 5.0})
    ids = [{t["task_id"] for t in x} for x in (a, b, c, d)]
    assert all(len(i) == 2 for i in ids)
    assert len(set().union(*ids)) == 8  # every setting gives other tasks
    assert a[0]["routing"] == "approx" and a[0]["max_iterations"] is None
    assert b[0]["max_iterations"] == 20 and d[0]["sek_per_km"] == 5.0
    assert a[0]["hemopt_version"] == hemopt.__version__
    # the approximation does not use max_iterations: it does not change the task
    assert tasks_of(GRID, seeds=[0], max_iterations=5) == a


def test_resume_with_other_settings_recomputes(tmp_path):
    grid = {"preset": "strangnas", "scale": 0.04, "n_external": 2}
    out = tmp_path / "parts"
    approx = sweep(grid, seeds=[0], routing="approx", n_workers=1, out=out, progress=False)
    assert set(approx["routing"]) == {"approx"} and approx["max_iterations"].isna().all()
    msgs: list[str] = []
    solver = sweep(grid, seeds=[0], routing="solver", max_iterations=20, n_workers=1, out=out,
                   progress=msgs.append)
    assert any("resuming: 0 of 1" in m and "1 part(s) there are of other grids or settings"
               in m for m in msgs)
    assert set(solver["routing"]) == {"solver"} and set(solver["max_iterations"]) == {20.0}
    assert set(solver["task_id"]).isdisjoint(approx["task_id"])
    assert (solver["error"] == "").all() and len(solver) == 3
    # the solver's numbers, not the approximation's
    fresh = sweep(grid, seeds=[0], routing="solver", max_iterations=20, n_workers=1,
                  progress=False)
    pd.testing.assert_frame_equal(_kpis(solver), _kpis(fresh))
    assert not _kpis(solver)["driven_km_per_day"].equals(_kpis(approx)["driven_km_per_day"])
    assert len(list(out.glob("*.parquet"))) == 2  # both kept; each run reads only its own
    again = sweep(grid, seeds=[0], routing="approx", n_workers=1, out=out, progress=False)
    pd.testing.assert_frame_equal(_kpis(approx), _kpis(again))


def test_cost_settings_change_the_cost(tmp_path):
    grid = {"preset": "strangnas", "scale": 0.04, "n_external": 2}
    base = sweep(grid, seeds=[0], n_workers=1, progress=False)
    dear = sweep(grid, seeds=[0], n_workers=1, progress=False,
                 cost={"staff_sek_per_hour": 600.0})
    assert (dear["staff_sek_per_hour"] == 600.0).all()
    assert (base["staff_sek_per_hour"] == 300.0).all()
    assert (dear["cost_sek_per_year"] > base["cost_sek_per_year"] * 1.5).all()
    pd.testing.assert_series_equal(dear["driven_km_per_day"], base["driven_km_per_day"])


_SLOW_SWEEP = ('[grid]\npreset = "strangnas"\nscale = 0.05\nn_external = [1, 2, 3, 4]\n'
               '[sweep]\nseeds = [0, 1, 2]\nrouting = "solver"\nmax_iterations = 3000\n')


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_stopped_sweep_leaves_no_workers(tmp_path, sig):
    cfg = tmp_path / "s.toml"
    cfg.write_text(_SLOW_SWEEP)
    proc = subprocess.Popen([sys.executable, "-m", "hemopt", "sweep", "--config", str(cfg),
                             "--out", str(tmp_path / "r.parquet"), "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.2)
            workers = children(proc.pid)
            assert proc.poll() is None, "the sweep ended before it could be stopped"
        assert len(workers) >= 2, workers
        time.sleep(1.0)  # the workers are running tasks
        assert all(running(w) for w in workers)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        if sig == signal.SIGINT:  # Ctrl-C: a clean stop at once, not after the running tasks
            assert proc.returncode == 130 and "hemopt: interrupted" in err
            assert "Traceback" not in err
        assert not wait_ended(workers, 10), "workers outlived the stopped sweep"
    finally:
        reap(proc, workers)
    # and the folder is usable again at once: the lock went with the process
    lock_free = sweep({"scale": 0.05}, seeds=[0], n_workers=1, out=tmp_path / "r.parquet.parts",
                      progress=False)
    assert (lock_free["error"] == "").all()


def test_second_sweep_on_the_same_folder_is_refused(tmp_path):
    from hemopt._io import output_lock

    out = tmp_path / "parts"
    with output_lock(out, "out", folder=True), \
            pytest.raises(OutputError, match="in use by another hemopt run"):
        sweep(GRID, seeds=[0], n_workers=1, out=out, progress=False)


def test_rule_sweep_parts_validated(tmp_path):
    grid = {"preset": "strangnas", "scale": 0.04, "n_external": [2, 3]}
    out = tmp_path / "parts"
    df = sweep(grid, seeds=[0], n_workers=1, out=out, progress=False)
    parts = sorted(out.glob("*.parquet"))
    assert len(parts) == 2
    data = parts[0].read_bytes()
    parts[0].write_bytes(data[: len(data) // 2])  # a truncated part
    msgs = []
    again = sweep(grid, seeds=[0], n_workers=1, out=out, progress=msgs.append)
    assert any(f"part {parts[0].name} is not whole (unreadable" in m for m in msgs)
    assert (out / (parts[0].name + ".corrupt")).exists()
    pd.testing.assert_frame_equal(_kpis(df), _kpis(again))
    # a part with rows of another task is not whole either
    other = pd.read_parquet(parts[1])
    other.to_parquet(parts[0], index=False)
    msgs.clear()
    third = sweep(grid, seeds=[0], n_workers=1, out=out, progress=msgs.append)
    assert any("rows of another task" in m for m in msgs)
    pd.testing.assert_frame_equal(_kpis(df), _kpis(third))


def test_rule_sweep_retry(monkeypatch):
    sw = importlib.import_module("hemopt.sweep")

    calls = []
    real = sw.run_task

    def flaky(task):
        calls.append(task["task_id"])
        if len(calls) == 1:
            return [{**task, "regime": "", "error": "OSError: transient", "runtime_s": 0.0}]
        return real(task)

    monkeypatch.setattr(sw, "run_task", flaky)
    df = sweep({"preset": "strangnas", "scale": 0.04}, seeds=[0], n_workers=1, progress=False)
    assert len(calls) == 2 and calls[0] == calls[1]  # the same task, run again
    assert (df["error"] == "").all() and len(df) == 3


def test_rule_sweep_task_source():
    from hemopt.sweep import run_task, source_hash

    task = tasks_of({"preset": "strangnas", "scale": 0.04}, seeds=[0])[0]
    assert task["hemopt_source"] == source_hash()
    rows = run_task({**task, "hemopt_source": "0123456789abcdef"})
    assert len(rows) == 1 and "differs from the sweep's (0123456789abcdef)" in rows[0]["error"]


def test_rule_sweep_n_workers_client():
    with pytest.raises(InputError, match=r"n_workers=2 with client=.*own workers"):
        sweep(GRID, seeds=[0], client=object(), n_workers=2, progress=False)
    with pytest.raises(InputError, match="n_workers must be a whole number >= 1"):
        sweep(GRID, seeds=[0], n_workers=0, progress=False)
