"""route-plan on the shipped example with usual carers: served visits, travel, km, staff
hours, cost and the usual-carer share of hemopt's plan against the hand plan, and the
km-continuity trade-off.

    python benchmarks/bench_route_plan.py                    # 1000 iterations, seed 0
    python benchmarks/bench_route_plan.py --iterations 3000 --seeds 0 1 2 --csv out.csv

Deterministic (an iteration limit, not a time limit): the figures are the same on any
machine. Exit status 1 when the issue's bar is missed on a seed: hemopt's plan must serve
every visit the hand plan serves, keep at least half of the tasks (of clients with usual
carers) with a usual carer, and cut travel time against the hand plan.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hemopt.day import route_plan
from hemopt.day.plan import continuity_curve

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "route_plan"
KPIS = ["served", "dropped", "travel_min", "distance_km", "paid_hours", "staff_used",
        "usual_carer_share", "cost_sek", "violations"]


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLE / name, dtype=str, keep_default_na=False)


def inputs():
    """The example's tables, matrices and distance matrix."""
    mats = {m: pd.read_csv(EXAMPLE / f"{m}.csv", index_col=0) for m in ("car", "walk", "bike")}
    dist = {"car": pd.read_csv(EXAMPLE / "car_km.csv", index_col=0)}
    return _read("visits.csv"), _read("staff.csv"), mats, dist, _read("manual_plan.csv")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--csv", help="write the table here as well")
    args = ap.parse_args(argv)
    visits, staff, mats, dist, manual = inputs()
    rows = []
    ok = True
    for seed in args.seeds:
        t = time.perf_counter()
        plan = route_plan(visits, staff, mats, distance=dist, manual=manual,
                          max_iterations=args.iterations, seed=seed)
        secs = time.perf_counter() - t
        comp = plan.comparison
        if seed == args.seeds[0]:
            rows.append({"plan": "hand", "seed": "", **{k: comp.loc[k, "manual"] for k in KPIS}})
        rows.append({"plan": "hemopt", "seed": seed,
                     **{k: comp.loc[k, "optimised"] for k in KPIS},
                     "seconds": round(secs, 1)})
        hand = set(plan.manual.stops.visit)
        ours = set(plan.result.stops.visit)
        met = (hand <= ours and plan.kpis["usual_carer_share"] >= 0.5
               and plan.kpis["travel_min"] < comp.loc["travel_min", "manual"])
        ok &= met
    table = pd.DataFrame(rows)
    print(f"route-plan, shipped example ({len(visits)} visits, {len(staff)} staff), "
          f"{args.iterations} iterations")
    print(table.to_string(index=False))
    curve = continuity_curve(visits, staff, mats, (0, 50, 100, 150, 300, 600), distance=dist,
                             max_iterations=args.iterations, seed=args.seeds[0])
    print("\nkm-continuity trade-off (cost of a task by a non-usual carer, SEK):")
    print(curve.to_string(index=False))
    if args.csv:
        table.to_csv(args.csv, index=False)
    print(f"\nbar (serves the hand plan's visits, >= 50 % usual carers, less travel): "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
