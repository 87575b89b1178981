"""Morris screening of the declared assumptions on strangnas with the routing approximation:
time on this machine's cores, and the speed-up of a Dask ``LocalCluster`` with 2 workers over
1 worker.

Targets (issue 23):

- Morris over at least 10 assumptions, 20 trajectories, strangnas at full scale, with the
  approximation, in under 10 minutes on 2 cores (local processes);
- near-linear speed-up on a Dask LocalCluster: 2 workers give at least
  ``MIN_SPEEDUP_PER_WORKER`` × 2 times the throughput of one worker (a smaller design);
- the Dask runs give the same figures as each other.

The machine may be shared: the load average is printed beside every time.

    python benchmarks/bench_sensitivity.py [--quick] [--out DIR]

``--out DIR`` keeps the full run's ``sensitivity.json`` (the Morris ranking and, per headline
difference, P5/median/P95 and P(sign)).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import hemopt

TARGET_S = 600.0
MIN_ASSUMPTIONS = 10
MIN_SPEEDUP_PER_WORKER = 0.75


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def _dask(workers: int, trajectories: int) -> tuple[float, hemopt.SensitivityResult]:
    import distributed

    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        client.wait_for_workers(workers)
        t0 = time.perf_counter()
        r = hemopt.sensitivity("strangnas", trajectories=trajectories, client=client,
                               progress=False)
        return time.perf_counter() - t0, r


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else None
    trajectories = 4 if quick else 20
    ok = True

    print(f"Morris, strangnas, approximation, {trajectories} trajectories, 2 local "
          f"processes; before: {_load()}", flush=True)
    t0 = time.perf_counter()
    r = hemopt.sensitivity("strangnas", trajectories=trajectories, n_workers=2,
                           progress=True)
    seconds = time.perf_counter() - t0
    k = len(r.assumptions)
    print(f"{k} assumptions, {r.runs} model runs in {seconds:.0f} s "
          f"({seconds / r.runs:.2f} s per run); after: {_load()}")
    if r.failures:
        print(f"{len(r.failures)} runs failed, first: {r.failures[0]}")
        ok = False
    print(r.table().groupby("output").head(3).to_string(float_format=lambda x: f"{x:,.3g}"))
    print(r.summary()[["baseline", "p5", "median", "p95", "p_sign"]]
          .to_string(float_format=lambda x: f"{x:,.4g}"))
    print("ranking (mean normalised mu*):")
    print(r.ranking().round(3).to_string())
    for sentence in r.reading():
        print("- " + sentence)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        print(f"wrote {r.to_json(out / 'sensitivity.json')}")
    if not quick:
        ok &= k >= MIN_ASSUMPTIONS
        print(f"time {seconds:.0f} s (target < {TARGET_S:.0f} s on 2 cores): "
              f"{'met' if seconds < TARGET_S else 'missed'}")
        ok &= seconds < TARGET_S

    try:
        import distributed  # noqa: F401
    except ImportError:
        print("dask.distributed not installed: pip install 'hemopt[dask]'")
        return 0 if ok else 1
    small = 2 if quick else 4
    s1, r1 = _dask(1, small)
    print(f"Dask LocalCluster, 1 worker: {r1.runs} runs in {s1:.1f} s; {_load()}", flush=True)
    s2, r2 = _dask(2, small)
    print(f"Dask LocalCluster, 2 workers: {r2.runs} runs in {s2:.1f} s; {_load()}")
    speed = s1 / s2
    same = r1.outputs.equals(r2.outputs)
    print(f"speed-up 2 / 1 workers: {speed:.2f} (target >= {2 * MIN_SPEEDUP_PER_WORKER:.2f}); "
          f"same figures: {same}")
    ok &= same and speed >= 2 * MIN_SPEEDUP_PER_WORKER
    print("targets met" if ok else "target missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
