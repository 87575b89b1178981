"""Benchmark the continuous routing approximation against the VRPTW solver.

    python benchmarks/bench_approx.py            # the held-out days (a few minutes, 2 jobs)
    python benchmarks/bench_approx.py --quick    # three small days (under a minute)
    python benchmarks/bench_approx.py --write-docs docs/approximation.md
                                                 # and write the held-out error tables

Each day (a generated municipality, a regime, a seeded day of visits) is routed by
``route_day`` (PyVRP, ``max_iterations=500``, no time limit: the same routes on every machine)
and estimated by ``approximate_day`` with the shipped constants, on the same visits. The
first table shows per day the stops, both runtimes (``approximate_day`` end to end, visits
drawn; best of three), their ratio, ``default_s`` (the sum of ``route_day``'s default time
limits, a lower bound of its default runtime) and the relative errors of the day's driven km, staff
minutes and staff shifts; the second the median and 90th percentile of the absolute relative
errors per (provider, base, shift, mode) and per day. The held-out days are not among the
calibration days (``hemopt.calibration.HOLDOUT_SPECS``). ``--write-docs`` puts the error tables
into the generated block of the page (the same tables as ``python -m hemopt.calibration
--write-docs``; a test checks that the block matches the shipped constants).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hemopt.calibration import (
    HOLDOUT_SPECS,
    CalibrationSpec,
    approx_errors,
    calibration_days,
    error_summary,
    error_tables_markdown,
    write_docs_tables,
)
from hemopt.routing.approx import ApproxModel, ExtrapolationWarning, approximate_day

QUICK = (
    CalibrationSpec("strangnas", 40, 0.15, "LOV"),
    CalibrationSpec("botkyrka", 41, 0.25, "LOU0.5"),
    CalibrationSpec("strangnas", 42, 0.25, "Zoning"),
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="three small days")
    ap.add_argument("--jobs", type=int, default=None, help="solver processes (default 1 "
                    "with --quick, else 2)")
    ap.add_argument("--max-iterations", type=int, default=500)
    ap.add_argument("--write-docs", type=Path, default=None,
                    help="markdown page whose generated block gets the error tables")
    args = ap.parse_args(argv)
    if args.write_docs is not None and args.quick:
        ap.error("--write-docs needs the held-out days (drop --quick)")
    specs = QUICK if args.quick else HOLDOUT_SPECS
    jobs = args.jobs or (1 if args.quick else 2)
    model = ApproxModel()
    print(f"routing {len(specs)} days with the solver ({args.max_iterations} iterations, "
          f"{jobs} jobs)...")
    days = calibration_days(specs, max_iterations=args.max_iterations, jobs=jobs)
    per_group, per_day = approx_errors(model, days)
    approx_s = []
    for spec in specs:
        sc, a = spec.build()
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ExtrapolationWarning)
                approximate_day(sc, a, seed=spec.seed, model=model)
            best = min(best, time.perf_counter() - t0)
        approx_s.append(best)
    per_day["approx_s"] = approx_s
    per_day["solver_s"] = per_day["runtime_s_solver"]
    per_day["speedup"] = per_day["solver_s"] / per_day["approx_s"]
    # route_day's default time limits, clip(0.004 × stops, 0.5, 15) s per (provider, base,
    # shift): a lower bound of its default runtime
    per_day["default_s"] = [float(np.clip(0.004 * d.routes["stops"], 0.5, 15.0).sum())
                            for d in days]
    cols = ["day", "stops", "solver_s", "default_s", "approx_s", "speedup", "driven_km_err",
            "staff_min_err", "routes_err", "outside_range"]
    print()
    print(per_day[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    tot_solver, tot_approx = per_day["solver_s"].sum(), per_day["approx_s"].sum()
    tot_default = per_day["default_s"].sum()
    print(f"\ntotal: solver {tot_solver:.1f} s ({args.max_iterations} iterations), "
          f"approximation {tot_approx:.3f} s: ratio {tot_solver / tot_approx:.0f}x; "
          f"route_day with its default time limits >= {tot_default:.0f} s: ratio >= "
          f"{tot_default / tot_approx:.0f}x")
    print("\nabsolute relative errors (approx / solver - 1):")
    print(error_summary(per_group, per_day).to_string(index=False,
                                                      float_format=lambda v: f"{v:.3f}"))
    if args.write_docs is not None:
        write_docs_tables(args.write_docs, error_tables_markdown(per_group, per_day))
        print(f"wrote the error tables to {args.write_docs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
