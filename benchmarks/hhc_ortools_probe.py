"""Method comparison for the home-care solver: OR-Tools routing against hemopt's ruin-and-recreate
search (``solve_homecare``) on Mankowska et al. (2014) instances, same time limit.

OR-Tools model: one node per service (a double service is two nodes at the same place),
per-node skill restrictions (``VehicleVar(i).RemoveValue``), the two nodes of a double
service on different vehicles, their start times linked by ``CumulVar`` constraints
(simultaneous: equal; sequential: ``min <= t1 - t0 <= max``), tardiness as a soft upper bound
on the start (cost 1 per unit), travel as the arc cost; guided local search. OR-Tools cannot
express the largest tardiness in its objective: its routes are re-costed with
:func:`hemopt.routing.homecare.check_plan` and the literature's objective. This is a
measurement script, not part of the library.

    PYTHONPATH=. python benchmarks/hhc_ortools_probe.py --time-limit 10 --instances \
        InstanzCPLEX_HCSRP_10_1 InstanzCPLEX_HCSRP_25_1

Prints one row per instance and method: objective, gap to best known, the solver's status.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from hemopt.routing.hhc import read_hhc, solve_hhc
from hemopt.routing.homecare import check_plan

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "benchmarks" / "hhc-mankowska"
SCALE = 1000


def solve_ortools(inst, time_limit_s: float, strategy: str = "PARALLEL_CHEAPEST_INSERTION",
                  optional: bool = False):
    """Solve with OR-Tools routing; return (objective, routes or None, status text)."""
    p = inst.problem
    tasks = [(v, c) for v in range(p.n_visits) for c in range(int(p.staffing[v]))]
    node_of = {t: i + 1 for i, t in enumerate(tasks)}
    loc = [0] + [int(p.visit_location[v]) for v, _ in tasks]
    dur = [0.0] + [float(p.duration[v] if c == 0 else p.duration2[v]) for v, c in tasks]
    k = p.n_staff
    mgr = pywrapcp.RoutingIndexManager(len(loc), k, 0)
    model = pywrapcp.RoutingModel(mgr)
    tr = p.travel[0]

    def travel_cb(i, j):
        a, b = mgr.IndexToNode(i), mgr.IndexToNode(j)
        return round(tr[loc[a], loc[b]] * SCALE)

    def time_cb(i, j):
        a, b = mgr.IndexToNode(i), mgr.IndexToNode(j)
        return round((tr[loc[a], loc[b]] + dur[a]) * SCALE)

    arc = model.RegisterTransitCallback(travel_cb)
    model.SetArcCostEvaluatorOfAllVehicles(arc)
    tcb = model.RegisterTransitCallback(time_cb)
    horizon = 10**9
    model.AddDimension(tcb, horizon, horizon, False, "time")
    time_dim = model.GetDimensionOrDie("time")
    solver = model.solver()
    for (v, c), n in node_of.items():
        idx = mgr.NodeToIndex(n)
        time_dim.CumulVar(idx).SetMin(round(p.earliest[v] * SCALE))
        time_dim.SetCumulVarSoftUpperBound(idx, round(p.latest[v] * SCALE), 1)
        need = int(p.skill[v] if c == 0 else p.skill2[v])
        for s in range(k):
            if need >= 0 and not p.staff_skills[s, need]:
                model.VehicleVar(idx).RemoveValue(s)
    if optional:
        # every node may be left out at a large penalty, so the search can start empty
        for n in range(1, len(loc)):
            model.AddDisjunction([mgr.NodeToIndex(n)], 10**7 * SCALE)
    for v in range(p.n_visits):
        if p.staffing[v] == 2:
            a = mgr.NodeToIndex(node_of[(v, 0)])
            b = mgr.NodeToIndex(node_of[(v, 1)])
            if optional:
                solver.Add(model.ActiveVar(a) == model.ActiveVar(b))
                solver.Add(solver.Max(model.VehicleVar(a) != model.VehicleVar(b),
                                      model.ActiveVar(a) == 0) == 1)
            else:
                solver.Add(model.VehicleVar(a) != model.VehicleVar(b))
            ta, tb = time_dim.CumulVar(a), time_dim.CumulVar(b)
            lo, hi = round(p.sync_min[v] * SCALE), round(p.sync_max[v] * SCALE)
            if lo == hi == 0:
                solver.Add(ta == tb)
            else:
                solver.Add(tb >= ta + lo)
                solver.Add(tb <= ta + hi)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy,
                                             strategy)
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    sol = model.SolveWithParameters(params)
    if sol is None:
        return None, None, f"no solution (status {model.status()})"
    routes = []
    for s in range(k):
        idx = model.Start(s)
        r = []
        while not model.IsEnd(idx):
            n = mgr.IndexToNode(idx)
            if n:
                r.append(tasks[n - 1])
            idx = sol.Value(model.NextVar(idx))
        routes.append(r)
    chk = check_plan(p, routes)
    if chk.dropped:
        return None, routes, f"{chk.dropped} of {p.n_visits} patients left out"
    obj = (chk.travel + chk.total_tardiness + chk.max_tardiness) / 3
    return obj, routes, "ok" if chk.feasible else f"violations {chk.violations[:2]}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--instances", nargs="+", required=True)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--strategy", default="PARALLEL_CHEAPEST_INSERTION",
                    help="OR-Tools first solution strategy")
    ap.add_argument("--optional", action="store_true",
                    help="nodes optional at a large penalty (the search can start empty)")
    ap.add_argument("--skip-hemopt", action="store_true")
    args = ap.parse_args(argv)
    bks = {r["instance_file"]: float(r["best_known"])
           for r in csv.DictReader(open(args.data / "bks_mankowska.csv"))}
    print("instance,method,objective,best_known,gap_pct,seconds,status")
    for name in args.instances:
        f = name if name.endswith(".json") else name + ".json"
        inst = read_hhc(args.data / "instances" / f)
        t = time.perf_counter()
        obj, _, status = solve_ortools(inst, args.time_limit, args.strategy, args.optional)
        secs = time.perf_counter() - t
        gap = "" if obj is None else f"{100 * (obj / bks[f] - 1):.2f}"
        method = f"ortools-{args.strategy.lower()}{'-optional' * args.optional}"
        text = "" if obj is None else f"{obj:.2f}"
        print(f"{f},{method},{text},{bks[f]},{gap},"
              f"{secs:.1f},{status}", flush=True)
        if args.skip_hemopt:
            continue
        t = time.perf_counter()
        r = solve_hhc(inst, time_limit_s=args.time_limit, seed=0)
        secs = time.perf_counter() - t
        print(f"{f},hemopt,{r.objective:.2f},{bks[f]},{100 * (r.objective / bks[f] - 1):.2f},"
              f"{secs:.1f},ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
