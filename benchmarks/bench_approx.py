"""Benchmark the continuous routing approximation against the VRPTW solver.

    python benchmarks/bench_approx.py            # the held-out days (a few minutes, 2 jobs)
    python benchmarks/bench_approx.py --quick    # three small days (under a minute)
    python benchmarks/bench_approx.py --write-docs docs/approximation.md
                                                 # and write the page's generated blocks
    python benchmarks/bench_approx.py --cache days.pkl --write-docs docs/approximation.md
                                                 # the days solved by python -m
                                                 # hemopt.calibration --cache days.pkl

Each day (a generated municipality, a regime, a seeded day of visits) is routed by
``route_day`` (PyVRP, ``max_iterations=500``, no time limit: the same routes on every machine)
and estimated by ``approximate_day`` with the shipped constants, on the same visits. The
first table shows per day the stops, both runtimes (``approximate_day`` end to end, visits
drawn; best of three), their ratio, ``default_s`` (the sum of ``route_day``'s default time
limits, a lower bound of its default runtime) and the relative errors of the day's driven km, staff
minutes and staff shifts; the second the median and 90th percentile of the absolute relative
errors per (provider, base, shift, mode) and per day, then the same for the city-scale
held-out days (10,000 stops a day or more: ``botkyrka`` and ``strangnas`` at scale 14). The
held-out days are not among the calibration days (``hemopt.calibration.HOLDOUT_SPECS``).
Routing them all takes a while (the four city-scale days most of it): ``--cache`` reads the
days solved by ``python -m hemopt.calibration --cache FILE`` (or writes them there).

``--write-docs`` regenerates the two generated blocks of ``docs/approximation.md`` from this
run: the fitted constants with their range, and the error tables (the same tables as ``python
-m hemopt.calibration --write-docs``); ``tests/test_routing_approx.py`` fails when the page
is out of date with the shipped constants (a fingerprint of the constants, the fitted range,
the held-out days and the defaults).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hemopt.calibration import (
    BEGIN_CONSTANTS,
    CITY_DAY_STOPS,
    END_CONSTANTS,
    HOLDOUT_SPECS,
    CalibrationDay,
    CalibrationSpec,
    approx_errors,
    calibration_days,
    constants_markdown,
    error_summary,
    error_tables_markdown,
    write_docs_tables,
)
from hemopt.day.approx import ApproxModel, ExtrapolationWarning, approximate_day

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
                    help="markdown page whose generated blocks get the constants and the "
                         "error tables")
    ap.add_argument("--cache", type=Path, default=None,
                    help="pickle of solved days: (training, held-out) days of python -m "
                         "hemopt.calibration --cache, or this script's held-out days; read "
                         "if present, else written")
    args = ap.parse_args(argv)
    if args.write_docs is not None and args.quick:
        ap.error("--write-docs needs the held-out days (drop --quick)")
    specs = QUICK if args.quick else HOLDOUT_SPECS
    jobs = args.jobs or (1 if args.quick else 2)
    model = ApproxModel()
    days = _cached(args.cache, specs, args.max_iterations) if args.cache else None
    if days is None:
        print(f"routing {len(specs)} days with the solver ({args.max_iterations} iterations, "
              f"{jobs} jobs)...")
        days = calibration_days(specs, max_iterations=args.max_iterations, jobs=jobs)
        if args.cache is not None and not args.cache.exists():
            with args.cache.open("wb") as fh:
                pickle.dump(days, fh)
    else:
        print(f"{len(days)} days solved with the solver ({args.max_iterations} iterations) "
              f"read from {args.cache}")
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
    big = per_day["stops"] >= CITY_DAY_STOPS
    if big.any():
        g = per_group[per_group["day"].isin(set(per_day.loc[big, "day"]))]
        print(f"\ncity-scale days ({CITY_DAY_STOPS:,} stops or more), absolute relative "
              "errors:")
        print(error_summary(g, per_day[big]).to_string(index=False,
                                                       float_format=lambda v: f"{v:.3f}"))
    if args.write_docs is not None:
        write_docs_tables(args.write_docs, error_tables_markdown(per_group, per_day))
        write_docs_tables(args.write_docs, constants_markdown(model), begin=BEGIN_CONSTANTS,
                          end=END_CONSTANTS)
        print(f"wrote the constants and the error tables to {args.write_docs}")
    return 0


def _cached(path: Path, specs: tuple[CalibrationSpec, ...], max_iterations: int
            ) -> list[CalibrationDay] | None:
    """The days of ``specs`` from the cache ``path``, or None when it has not all of them."""
    if not path.exists():
        return None
    with path.open("rb") as fh:
        data = pickle.load(fh)  # the user's own cache file
    if isinstance(data, tuple):  # python -m hemopt.calibration --cache: (training, held-out)
        data = [d for part in data for d in part]
    by_label = {d.spec.label: d for d in data if d.max_iterations == max_iterations}
    if not all(s.label in by_label for s in specs):
        return None
    return [by_label[s.label] for s in specs]


if __name__ == "__main__":
    raise SystemExit(main())
