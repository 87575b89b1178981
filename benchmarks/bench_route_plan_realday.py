"""route-plan on generated realistic days (tests/_realday.py): runtime, what is served, and
the plan checked by the test's independent checker; before/after the exact break placement
and the fill pass; a lower bound on the paid hours.

    python benchmarks/bench_route_plan_realday.py                       # seeds 1 2 3, 300 it.
    python benchmarks/bench_route_plan_realday.py --seeds 1 --iterations 1000 --no-before
    python benchmarks/bench_route_plan_realday.py --large 130 540 --iterations 0

Deterministic plans (an iteration limit); the seconds depend on the machine and its load
(printed with the load average). ``before`` is the search with the greedy break rule and
without the fill pass (as before this change); ``false drops`` are visits dropped for a reason
the checker finds untrue (a single visit left out for lack of room that fits a route).
The paid-hours bound: every served task's duration plus the shortest trip into its place by
any mode (from anywhere else), over 60; paid hours over it measure travel and waiting.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hemopt.routing.homecare_model as _model
import hemopt.routing.homecare_search as _search
from hemopt.day import route_plan
from tests._realday import check_plan, false_drops, generate_day, planner_tables

SYNC = 5.0


def run(day, iterations: int, before: bool) -> dict:
    _model._EXACT_BREAKS = _search._FILL = not before
    try:
        tb = planner_tables(day, "csv")
        t0 = time.perf_counter()
        p = route_plan(tb["visits"], tb["staff"],
                       {m: tb[m].set_index("plats") for m in ("car", "walk", "bike")},
                       distance={"car": tb["car_km"].set_index("plats")},
                       breaks=tb["breaks"], sync_tolerance_min=SYNC, max_iterations=iterations)
        secs = time.perf_counter() - t0
    finally:
        _model._EXACT_BREAKS = _search._FILL = True
    chk = check_plan(day, p.stops, p.breaks, p.dropped, sync_tolerance=SYNC)
    # lower bound on paid minutes of the served tasks
    V = day.visits.set_index("visit")
    into = np.min([np.where(np.eye(len(t), dtype=bool), np.inf, t.to_numpy()).min(axis=0)
                   for t in day.time.values()], axis=0)
    at = {pl: i for i, pl in enumerate(day.time["car"].index)}
    bound = sum(float(V.duration[v]) + float(into[at[V.place[v]]]) for v in p.stops.visit)
    k = p.kpis
    return {"visits": k["visits"], "served": k["served"],
            "double": f"{k['double_served']}/{k['double_visits']}",
            "travel_min": k["travel_min"], "km": k["distance_km"],
            "paid_h": k["paid_hours"], "bound_h": round(bound / 60, 2),
            "paid/bound": round(k["paid_hours"] * 60 / bound, 3) if bound else float("nan"),
            "cost_sek": k["cost_sek"], "violations": len(chk.violations),
            "false_drops": len(false_drops(day, p.stops, p.dropped)), "seconds": round(secs, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--no-before", action="store_true", help="only the current search")
    ap.add_argument("--large", type=int, nargs=2, metavar=("STAFF", "CLIENTS"),
                    help="one large day instead (e.g. 130 540: about 2,000 visits)")
    args = ap.parse_args(argv)
    rows = []
    days = ([("large", generate_day(1, n_staff=args.large[0], n_clients=args.large[1]))]
            if args.large else [(s, generate_day(s)) for s in args.seeds])
    for name, day in days:
        for before in ([False] if args.no_before or args.large else [True, False]):
            r = run(day, args.iterations, before)
            rows.append({"day": name, "search": "before" if before else "now", **r})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print()
    print(table.to_string(index=False))
    print(f"\n{args.iterations} iterations; load average {os.getloadavg()}; peak memory "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    bad = table[(table.search == "now") & ((table.violations > 0) | (table.false_drops > 0))]
    return 1 if len(bad) else 0


if __name__ == "__main__":
    raise SystemExit(main())
