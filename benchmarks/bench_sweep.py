"""Sweep throughput and its scaling with workers: scenario-regime evaluations per minute on
this machine, with local processes and with a Dask ``LocalCluster``, at 1 and at N workers
(N = the number of CPUs), with the routing approximation on the strangnas preset.

Targets, measured as ratios in this one process:

- at least 1,000 scenario-regime evaluations in 10 minutes at N workers (100 per minute,
  issue 8);
- N workers give at least ``MIN_SPEEDUP_PER_WORKER`` × N times the throughput of one worker,
  with local processes and with Dask (issue 16: 1.5× on 2 cores);
- Dask reaches at least half the throughput of local processes at N workers (the scheduler's
  overhead);
- every run returns the same figures as the first.

    python benchmarks/bench_sweep.py [--quick]
"""

from __future__ import annotations

import os
import sys
import time

import pandas as pd

from hemopt.sweep import sweep

TARGET_PER_MIN = 100.0
MIN_DASK_RATIO = 0.5
MIN_SPEEDUP_PER_WORKER = 0.75
COLS = ["task_id", "regime", "driven_km_per_day", "first_choice_pct"]


def _dask(grid: dict, seeds: range, workers: int) -> pd.DataFrame | None:
    try:
        import distributed
    except ImportError:
        return None
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        client.wait_for_workers(workers)
        return sweep(grid, seeds=seeds, routing="approx", client=client, progress=False)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    grid = {"preset": "strangnas", "scale": 1.0,
            "n_external": [3, 7] if quick else [1, 3, 5, 7, 10]}
    seeds = range(2 if quick else 8)
    n = os.cpu_count() or 2
    runs = [("local processes", 1), ("local processes", n), ("Dask LocalCluster", 1),
            ("Dask LocalCluster", n)]
    rows, first, same = [], None, True
    for runner, workers in runs:
        t0 = time.perf_counter()
        if runner.startswith("local"):
            df = sweep(grid, seeds=seeds, routing="approx", n_workers=workers, progress=False)
        else:
            df = _dask(grid, seeds, workers)
            if df is None:
                print("dask.distributed not installed: pip install 'hemopt[dask]'")
                continue
        seconds = time.perf_counter() - t0
        failed = int((df["error"] != "").sum())
        if failed:
            print(f"{runner}, {workers} worker(s): {failed} evaluations failed")
            return 1
        kpis = df[COLS].reset_index(drop=True)
        first = kpis if first is None else first
        same &= kpis.equals(first)
        rows.append((runner, workers, len(df), seconds))
        print(f"{runner}, {workers} worker(s): {len(df)} evaluations in {seconds:.1f} s",
              flush=True)
    table = pd.DataFrame(rows, columns=["runner", "workers", "evaluations", "seconds"])
    table["per_minute"] = 60 * table["evaluations"] / table["seconds"]
    one = table[table["workers"] == 1].set_index("runner")["per_minute"]
    table["speed_up"] = table["per_minute"] / table["runner"].map(one)
    print(f"\n{n} CPUs; {df['task_id'].nunique()} scenarios x 3 regimes per run")
    print(table.round(2).to_string(index=False))
    print(f"all runs give the same figures: {same}")
    ok = same
    top = table[table["workers"] == n].set_index("runner")
    ok &= bool(top["per_minute"].iloc[0] >= TARGET_PER_MIN)
    need = MIN_SPEEDUP_PER_WORKER * n
    for runner, row in top.iterrows():
        print(f"{runner}: {n} workers / 1 worker = {row['speed_up']:.2f} "
              f"(target >= {need:.2f})")
        ok &= bool(row["speed_up"] >= need)
    if len(top) > 1:
        ratio = top["per_minute"].iloc[1] / top["per_minute"].iloc[0]
        print(f"Dask / local throughput at {n} workers: {ratio:.2f} "
              f"(target >= {MIN_DASK_RATIO})")
        ok &= bool(ratio >= MIN_DASK_RATIO)
    print("targets met" if ok else "target missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
