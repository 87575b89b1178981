"""Benchmark the VRPTW backends on home-care-like days.

    python benchmarks/bench_routing.py            # 100, 400, 1000 visits, 10 s per solve
    python benchmarks/bench_routing.py --quick    # 100 visits, 2 s

Instances are generated (seeded): a 10 × 10 km municipality with a town core, a few villages
and scattered farms, the provider's office in town, visits of 20–45 minutes in morning, lunch,
afternoon and evening windows, 8-hour shifts, travel by :meth:`TravelModel.urban`. Both
backends get the same time limit and an unlimited fleet. The table shows total distance
(km), routes, dropped visits, visits the solver left unplaced (then served by the greedy
repair), runtime and the ratio to PyVRP's distance (the OR-Tools row is OR-Tools / PyVRP).
Two extra rows for context: OR-Tools started from the greedy routes, and the greedy routes.

Exit status 1 if the default backend (PyVRP) is worse than OR-Tools (default settings) on the
largest instance: infeasible where OR-Tools is feasible, more visits unplaced, or as many and
a longer distance.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hemopt.routing import VRPTWInstance, VRPTWResult, solve_vrptw
from hemopt.travel import TravelModel

#: Service-start windows (minutes after midnight) and their share of the visits.
WINDOWS = {
    "morning": (7 * 60, 10 * 60, 0.35),
    "lunch": (11 * 60, 13 * 60, 0.25),
    "afternoon": (13 * 60 + 30, 16 * 60 + 30, 0.20),
    "evening": (17 * 60, 21 * 60, 0.20),
}
DAY = (6 * 60 + 30, 22 * 60)  # the office's opening hours
SHIFT_MIN = 8 * 60
SIDE_M = 10_000.0


def home_care_instance(n_visits: int, seed: int = 0) -> VRPTWInstance:
    """A seeded home-care day of ``n_visits`` visits (see the module docstring)."""
    rng = np.random.default_rng(seed)
    town = np.array([4_500.0, 5_200.0])
    villages = rng.uniform(1_500.0, SIDE_M - 1_500.0, size=(4, 2))
    kind = rng.choice(3, size=n_visits, p=[0.6, 0.3, 0.1])
    xy = np.empty((n_visits, 2))
    core = kind == 0
    xy[core] = town + rng.normal(0.0, 900.0, size=(core.sum(), 2))
    vil = kind == 1
    xy[vil] = villages[rng.integers(0, len(villages), vil.sum())] + rng.normal(
        0.0, 300.0, size=(vil.sum(), 2)
    )
    farm = kind == 2
    xy[farm] = rng.uniform(0.0, SIDE_M, size=(farm.sum(), 2))
    xy = np.clip(xy, 0.0, SIDE_M)
    office = town + np.array([300.0, -200.0])
    names = list(WINDOWS)
    share = np.array([WINDOWS[w][2] for w in names])
    window = rng.choice(len(names), size=n_visits, p=share / share.sum())
    early = np.array([WINDOWS[names[w]][0] for w in window], dtype=float)
    late = np.array([WINDOWS[names[w]][1] for w in window], dtype=float)
    service = rng.choice(np.arange(20.0, 46.0, 5.0), size=n_visits)
    return VRPTWInstance(
        coords=np.vstack([office, xy]),
        travel=TravelModel.urban(),
        service=np.concatenate([[0.0], service]),
        earliest=np.concatenate([[DAY[0]], early]),
        latest=np.concatenate([[DAY[1]], late]),
        shift_duration=SHIFT_MIN,
        name=f"home care, {n_visits} visits, seed {seed}",
    )


#: (label, backend, options) of the rows; the first two are the comparison asked for.
RUNS = (
    ("pyvrp", "pyvrp", {}),
    ("ortools", "ortools", {}),
    ("ortools+warm", "ortools", {"warm_start": True}),
    ("greedy", "greedy", {}),
)


def run(sizes: list[int], time_limit_s: float, seed: int) -> list[dict[str, VRPTWResult]]:
    """Solve each size with every run of :data:`RUNS` and print the table."""
    rows = []
    header = (
        f"{'visits':>6} {'run':>12} {'km':>8} {'routes':>6} {'dropped':>7} {'unplaced':>8} "
        f"{'late':>4} {'feasible':>8} {'time s':>6} {'km/pyvrp':>8}"
    )
    print(f"time limit {time_limit_s} s per solve, seed {seed}, unlimited fleet, 8 h shifts")
    print(header)
    print("-" * len(header))
    for n in sizes:
        inst = home_care_instance(n, seed)
        res = {
            label: solve_vrptw(
                inst, time_limit_s=time_limit_s, backend=backend, seed=seed, options=options
            )
            for label, backend, options in RUNS
        }
        base = res["pyvrp"].distance
        for label, r in res.items():
            print(
                f"{n:>6} {label:>12} {r.distance / 1000:>8.1f} {r.n_routes:>6} "
                f"{len(r.dropped):>7} {len(r.repaired):>8} {len(r.late):>4} "
                f"{r.feasible!s:>8} {r.runtime_s:>6.1f} {r.distance / base:>8.3f}"
            )
        sys.stdout.flush()
        rows.append(res)
    print(
        "\nunplaced: visits the solver left out within the time limit, served afterwards on "
        "extra greedy routes (VRPTWResult.repaired).\nortools+warm: guided local search "
        "started from the greedy routes; greedy: the construction alone, no search."
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 visits, 2 s")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per solve")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    args = parser.parse_args(argv)
    sizes = args.sizes or ([100] if args.quick else [100, 400, 1000])
    limit = args.time_limit or (2.0 if args.quick else 10.0)
    rows = run(sizes, limit, args.seed)
    last = rows[-1]
    py, ot = last["pyvrp"], last["ortools"]
    worse = (
        len(py.dropped) > len(ot.dropped)
        or (len(py.dropped) == len(ot.dropped) and py.distance > ot.distance)
        or (ot.feasible and not py.feasible)
    )
    if worse:
        print(f"FAIL: pyvrp is worse than ortools on {sizes[-1]} visits", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
