"""The atlas on the shipped data: wall time, and Dask LocalCluster scaling.

``python benchmarks/bench_atlas.py [--seeds 1-5] [--workers 2] [--scaling]``

1. The full atlas (every municipality of ``../shared/data/atlas`` and the two presets × LOV,
   LOU, zoning × the seeds) with the routing approximation on ``--workers`` local processes.
   Target (issue 28): under an hour for 5 seeds on 2 cores. Prints the wall time, the time
   per task, the load average before and after (the machine may be shared), the typology's
   fit (R², cross-validated R²) and its three strongest drivers.
2. With ``--scaling``: a subset (the 8 smallest municipalities × 2 seeds) on a Dask
   ``LocalCluster`` with 1 and with 2 workers; prints tasks per minute and the speed-up,
   and checks that both give the same table, byte for byte.

The atlas data lies beside the project (``../shared/data/atlas``) or where
``HEMOPT_ATLAS_DATA`` points.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from hemopt.atlas import atlas, find_inputs

TARGET_S_5_SEEDS = 3600.0
DATA = Path(os.environ.get("HEMOPT_ATLAS_DATA",
                           Path(__file__).resolve().parents[2] / "shared" / "data" / "atlas"))


def _seeds(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def full(seeds: list[int], workers: int, out: Path) -> None:
    print(f"load average before: {_load()}")
    t0 = time.perf_counter()
    res = atlas(DATA, seeds=seeds, n_workers=workers, out=out, progress=True)
    wall = time.perf_counter() - t0
    n_tasks = res.rows["task_id"].nunique()
    print(f"load average after: {_load()}")
    print(f"atlas: {len(res.table)} municipalities, {n_tasks} tasks, {len(res.failures)} "
          f"failed, {wall:.0f} s wall on {workers} workers ({wall / max(n_tasks, 1):.1f} s per "
          f"task; {wall * 5 / len(seeds):.0f} s scaled to 5 seeds, target "
          f"{TARGET_S_5_SEEDS:.0f} s)")
    for key, t in res.typology.items():
        if t.get("coefficients"):
            print(f"typology ({key}): R² {t['r2']:.2f}, cross-validated R² {t['cv_r2']:.2f}, "
                  "drivers " + ", ".join(f"{f} {t['coefficients'][f]:+.2f}"
                                         for f in t["drivers"][:3]))


def scaling() -> None:
    import distributed

    inp = find_inputs(DATA)
    muni = pd.read_csv(DATA / "municipalities.csv", dtype={"kommun_kod": str})
    small = list(muni.nsmallest(8, "pop_80plus")["kommun_kod"])
    assert set(small) <= set(inp["code"])
    rates, tables = {}, {}
    for n in (1, 2):
        with tempfile.TemporaryDirectory() as tmp, \
                distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                         dashboard_address=":0") as cluster, \
                distributed.Client(cluster) as client:
            client.wait_for_workers(n)
            t0 = time.perf_counter()
            res = atlas(DATA, codes=small, seeds=[1, 2], presets=(), client=client,
                        out=tmp, progress=False)
            wall = time.perf_counter() - t0
            tables[n] = (Path(tmp) / "atlas.csv").read_bytes()
        rates[n] = 60.0 * res.rows["task_id"].nunique() / wall
        print(f"Dask LocalCluster, {n} worker(s): {wall:.0f} s, {rates[n]:.1f} tasks/min "
              f"(load {_load()})")
    print(f"speed-up 2 vs 1 worker: {rates[2] / rates[1]:.2f}; same table byte for byte: "
          f"{tables[1] == tables[2]}")


def main(argv: list[str]) -> int:
    if not DATA.is_dir():
        print(f"no atlas data at {DATA}; set HEMOPT_ATLAS_DATA")
        return 1
    seeds = _seeds(argv[argv.index("--seeds") + 1]) if "--seeds" in argv else [1, 2, 3, 4, 5]
    workers = int(argv[argv.index("--workers") + 1]) if "--workers" in argv else 2
    if "--scaling" in argv:
        scaling()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            full(seeds, workers, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
