"""Parallel routing: the speed-up of routing one day over 2 worker processes against one, in
the same run.

The same day (``hemopt.generate("botkyrka", seed=1)``, its LOV assignment, 300 PyVRP
iterations per instance, no time limit) is routed with ``workers=1`` and with ``workers=2``,
alternately, ``--repeat`` times each; the best time of each is compared. The routes must be
the same (they are checked). The machine's load average is printed before and after: other
work on the cores lowers the speed-up.

Target (issue 16): at least 1.7x on 2 cores. The script exits with status 1 when it is missed
or when the routes differ, and with status 2 on a machine with fewer than 2 cores.

    python benchmarks/bench_parallel.py [--quick] [--workers 2] [--repeat 2] [--json out.json]

``--quick`` routes the same municipality at scale 0.5 with 150 iterations.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hemopt

TARGET = 1.7


def _load() -> str:
    a, b, c = os.getloadavg()
    return f"{a:.2f} {b:.2f} {c:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="scale 0.5, 150 iterations")
    ap.add_argument("--workers", type=int, default=2, help="workers against one (default 2)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each (best taken)")
    ap.add_argument("--target", type=float, default=TARGET, help="required speed-up")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    cores = os.cpu_count() or 1
    if cores < args.workers:
        print(f"this machine has {cores} core(s); the benchmark needs {args.workers}")
        return 2
    scale, iterations = (0.5, 150) if args.quick else (1.0, 300)
    sc = hemopt.generate("botkyrka", seed=1, scale=scale)
    a = hemopt.assign(sc, hemopt.LOV())
    print(f"botkyrka seed 1 scale {scale}: {sc.n_clients} clients, LOV, {iterations} "
          f"iterations per instance; {cores} cores; load average before: {_load()}")

    times: dict[int, list[float]] = {1: [], args.workers: []}
    days = {}
    for _ in range(args.repeat):
        for w in (1, args.workers):
            t0 = time.perf_counter()
            days[w] = hemopt.route_day(sc, a, seed=1, max_iterations=iterations,
                                       time_limit_s=None, workers=w)
            times[w].append(time.perf_counter() - t0)
    load_after = _load()
    one, many = days[1], days[args.workers]
    same = one.routes.drop(columns="runtime_s").equals(many.routes.drop(columns="runtime_s"))
    sizes = np.sort(one.routes["stops"].to_numpy())[::-1]
    solve = one.routes["runtime_s"].to_numpy()
    t1, tw = min(times[1]), min(times[args.workers])
    speedup = t1 / tw
    # the best any schedule could do: the largest instance's solve, or the work shared out
    bound = solve.sum() / max(solve.max(), solve.sum() / args.workers)
    print(f"day: {len(one.stops)} stops in {len(one.routes)} instances (largest "
          f"{', '.join(map(str, sizes[:4]))}); solves {solve.sum():.1f} s in all, largest "
          f"{solve.max():.1f} s")
    print(f"| workers | best wall s | runs |\n|---:|---:|---|\n"
          f"| 1 | {t1:.2f} | {', '.join(f'{t:.2f}' for t in times[1])} |\n"
          f"| {args.workers} | {tw:.2f} | "
          f"{', '.join(f'{t:.2f}' for t in times[args.workers])} |")
    print(f"speed-up {speedup:.2f}x with {args.workers} workers (target {args.target}x; the "
          f"largest instance caps it at {bound:.2f}x); routes identical: {same}; load average "
          f"after: {load_after}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "clients": sc.n_clients, "stops": len(one.stops), "instances": len(one.routes),
            "iterations": iterations, "workers": args.workers, "cores": cores,
            "wall_s": {str(k): v for k, v in times.items()}, "speedup": speedup,
            "bound": bound, "identical": bool(same), "load_after": load_after}, indent=2))
    if not same:
        print("FAIL: the routes differ between worker counts")
        return 1
    if speedup < args.target:
        print(f"FAIL: speed-up {speedup:.2f}x is below the target {args.target}x")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
