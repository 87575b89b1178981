"""Method comparison without synchronisation: PyVRP (``solve_vrptw``) against hemopt's
home-care search (``solve_homecare``) on the same single-staff home-care day, same time limit.

The day is bench_routing's seeded instance (hard windows, urban travel) with a fixed fleet:
half the staff on a day shift (06:30-14:30), half on an evening shift (14:00-22:00).
Both solvers minimise travel with every visit served when possible; the table shows visits
dropped, total distance (km) and travel time (min) of each plan. A measurement script, not
part of the library.

    PYTHONPATH=. python benchmarks/hhc_vs_pyvrp_probe.py --visits 100 --staff 12 --time-limit 10
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_routing import home_care_instance

from hemopt.routing import VRPTWInstance, solve_vrptw
from hemopt.routing.homecare import HomeCareProblem, solve_homecare


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visits", type=int, default=100)
    ap.add_argument("--staff", type=int, default=12)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    base = home_care_instance(args.visits, args.seed)
    k = args.staff
    starts = np.where(np.arange(k) < k // 2, 390.0, 840.0)
    ends = starts + 480.0
    inst = VRPTWInstance(coords=base.coords, distance=base.distance, duration=base.duration,
                         service=base.service, earliest=base.earliest, latest=base.latest,
                         n_vehicles=k, shift_start=starts, shift_end=ends, name=base.name)
    t = time.perf_counter()
    r = solve_vrptw(inst, time_limit_s=args.time_limit, backend="pyvrp", seed=args.seed)
    t_py = time.perf_counter() - t
    travel_py = sum(inst.duration[a, b] for route in r.routes
                    for a, b in zip([0, *route], [*route, 0], strict=True) if route)
    n = args.visits
    p = HomeCareProblem(travel=base.duration, distance=base.distance / 1000,
                        visit_location=np.arange(1, n + 1), earliest=base.earliest[1:],
                        latest=base.latest[1:], duration=base.service[1:],
                        shift_start=starts, shift_end=ends, hard_windows=True)
    t = time.perf_counter()
    h = solve_homecare(p, time_limit_s=args.time_limit, seed=args.seed)
    t_h = time.perf_counter() - t
    print(f"{n} visits, {k} staff, {args.time_limit:g} s")
    print("method,dropped,distance_km,travel_min,routes,seconds,feasible")
    print(f"pyvrp,{len(r.dropped)},{r.distance / 1000:.1f},{travel_py:.1f},{r.n_routes},"
          f"{t_py:.1f},{r.feasible}")
    print(f"hemopt-homecare,{len(h.dropped)},{h.distance:.1f},{h.travel:.1f},"
          f"{sum(1 for x in h.routes if x)},{t_h:.1f},{not h.violations}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
