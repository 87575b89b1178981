"""Sweep throughput: scenario-regime evaluations per minute on this machine, local processes
versus a Dask LocalCluster, with the routing approximation on the strangnas preset.

Target (issue 8): at least 1,000 scenario-regime evaluations in 10 minutes on 2 cores, i.e.
100 per minute; and the Dask run must reach at least half the local throughput (the overhead
of the scheduler, measured as a ratio in the same process).

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


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    grid = {"preset": "strangnas", "scale": 1.0,
            "n_external": [3, 7] if quick else [1, 3, 5, 7, 10]}
    seeds = range(2 if quick else 8)
    workers = os.cpu_count() or 2
    rows = []

    t0 = time.perf_counter()
    local = sweep(grid, seeds=seeds, routing="approx", n_workers=workers, progress=False)
    t_local = time.perf_counter() - t0
    rows.append(("local processes", len(local), t_local))

    try:
        import distributed
    except ImportError:
        print("dask.distributed not installed: pip install 'hemopt[dask]'")
        distributed = None
    if distributed is not None:
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                      processes=True, dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            t0 = time.perf_counter()
            remote = sweep(grid, seeds=seeds, routing="approx", client=client, progress=False)
            t_dask = time.perf_counter() - t0
        rows.append(("Dask LocalCluster", len(remote), t_dask))
        cols = ["task_id", "regime", "driven_km_per_day", "first_choice_pct"]
        same = local[cols].reset_index(drop=True).equals(remote[cols].reset_index(drop=True))
        print(f"local and Dask results identical: {same}")
        if not same:
            return 1
    failed = int((local["error"] != "").sum())
    print(f"{workers} workers; {local['task_id'].nunique()} scenarios, {failed} failed")
    table = pd.DataFrame(rows, columns=["runner", "evaluations", "seconds"])
    table["per_minute"] = 60 * table["evaluations"] / table["seconds"]
    table["in_10_min"] = 10 * table["per_minute"]
    print(table.round(1).to_string(index=False))
    ok = table["per_minute"].iloc[0] >= TARGET_PER_MIN
    if len(table) > 1:
        ratio = table["per_minute"].iloc[1] / table["per_minute"].iloc[0]
        print(f"Dask / local throughput: {ratio:.2f} (target >= {MIN_DASK_RATIO})")
        ok &= ratio >= MIN_DASK_RATIO
    print("target met" if ok else f"target missed: need {TARGET_PER_MIN:.0f} per minute")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
