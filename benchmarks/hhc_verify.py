"""Independent re-evaluation of solve_hhc plans on the Mankowska et al. (2014) instances.

    python benchmarks/hhc_verify.py INSTANCE.json --time-limit 30 [--seed 0]
    python benchmarks/hhc_verify.py INSTANCE.json --routes plan.json   # a saved plan

The evaluator below uses nothing of hemopt: it reads the raw UHHC JSON itself and takes only
the per-caregiver lists of ``(patient id, service id)`` (``HHCResult.routes``, or a JSON file
``{"routes": [[[pid, sid], ...], ...]}`` in caregiver order). It checks

* one route per caregiver; depot (index 0 / terminal point) at both ends, never inside;
* every required (patient, service) served exactly once, nothing else served;
* the caregiver's ``abilities`` contain the service (per service, not per patient);
* a double service on two different caregivers;
* synchronisation: ``simultaneous`` -> equal starts; ``sequential`` {min, max} -> the second
  listed service starts in [min, max] after the first listed one,

and recomputes the earliest schedule by fixed-point relaxation: a caregiver leaves the
depot at 0; arrival = previous start + previous service's own duration + travel; a service
starts no earlier than max(arrival, window start); simultaneous pairs both start at the
later of the two; a sequential pair has second >= first + min and first >= second - max (the
max offset may delay the FIRST service; waiting is allowed). A cycle of waits (no finite
fixed point) is a violation. Objective = (travel incl. the return to the depot + total
tardiness + max tardiness) / 3, tardiness per service visit = max(0, start - window end).

Exit status 1 on a violation or when the recomputed objective differs from the solver's by
more than 1e-6 (relative). Prints the gap to ``best_known`` when bks_mankowska.csv is found
next to the instances folder.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import sys
from pathlib import Path


def load_instance(path):
    doc = json.loads(Path(path).read_text())
    dist = doc["distances"]
    n = len(dist)
    assert all(len(row) == n for row in dist), "distances not square"
    terminals = {t["id"]: t for t in doc["terminal_points"]}
    cgs = doc["caregivers"]
    pats = {}
    for p in doc["patients"]:
        tws = p["time_windows"]
        assert len(tws) == 1, f"{p['id']}: {len(tws)} windows"
        sync = p.get("synchronization")
        pats[p["id"]] = {
            "idx": int(p["distance_matrix_index"]),
            "loc": p.get("location"),
            "e": float(tws[0]["start"]), "l": float(tws[0]["end"]),
            "services": [(s["service"], float(s["duration"])) for s in p["required_services"]],
            "sync": sync,
        }
    return doc, dist, terminals, cgs, pats


def evaluate(path, routes, max_rounds=None):
    """Return a dict with travel, tardiness, objective, schedule and a list of violations."""
    _, dist, terminals, cgs, pats = load_instance(path)
    viol = []
    if len(routes) != len(cgs):
        viol.append(f"{len(routes)} routes for {len(cgs)} caregivers")
    # tasks: (patient, service) -> (caregiver index, position)
    where = {}
    for k, r in enumerate(routes):
        cid = cgs[k]["id"] if k < len(cgs) else f"#{k}"
        abil = set(cgs[k]["abilities"]) if k < len(cgs) else set()
        for pos, item in enumerate(r):
            pid, sid = item[0], item[1]
            if pid not in pats:
                viol.append(f"caregiver {cid}: unknown patient {pid!r} (depot inside route?)")
                continue
            req = [s for s, _ in pats[pid]["services"]]
            if sid not in req:
                viol.append(f"caregiver {cid}: patient {pid} does not require {sid} "
                            f"(requires {req})")
                continue
            if (pid, sid) in where:
                viol.append(f"patient {pid} service {sid}: served twice")
                continue
            where[(pid, sid)] = (k, pos)
            if sid not in abil:
                viol.append(f"patient {pid} service {sid}: caregiver {cid} lacks it "
                            f"(abilities {sorted(abil)})")
    for pid, p in pats.items():
        for sid, _ in p["services"]:
            if (pid, sid) not in where:
                viol.append(f"patient {pid} service {sid}: not served")
        if len(p["services"]) == 2:
            (s1, _), (s2, _) = p["services"]
            if (pid, s1) in where and (pid, s2) in where and \
                    where[(pid, s1)][0] == where[(pid, s2)][0]:
                viol.append(f"patient {pid}: both services on caregiver "
                            f"{cgs[where[(pid, s1)][0]]['id']}")
    for c in cgs:
        for key in ("departing_point", "arrival_point"):
            t = terminals.get(c.get(key, "d"))
            if t is None or int(t["distance_matrix_index"]) != 0:
                viol.append(f"caregiver {c['id']}: {key} is not the depot (index 0)")
    # schedule: least fixed point
    dur = {(pid, sid): d for pid, p in pats.items() for sid, d in p["services"]}
    start = {t: pats[t[0]]["e"] for t in where}
    arrival = {}
    pairs = []   # (first task, second task, lo, hi)
    for pid, p in pats.items():
        if len(p["services"]) != 2:
            continue
        a, b = (pid, p["services"][0][0]), (pid, p["services"][1][0])
        if a not in where or b not in where:
            continue
        sync = p["sync"] or {}
        if sync.get("type") == "simultaneous":
            lo = hi = 0.0
        elif sync.get("type") == "sequential":
            lo, hi = float(sync["distance"]["min"]), float(sync["distance"]["max"])
        else:
            viol.append(f"patient {pid}: synchronisation {sync!r} unknown")
            continue
        pairs.append((a, b, lo, hi))
    ordered = [[(it[0], it[1]) for it in r if (it[0], it[1]) in where
                and where[(it[0], it[1])][0] == k] for k, r in enumerate(routes)]
    rounds = max_rounds or (4 * len(where) + 10)
    converged = False
    for _ in range(rounds):
        changed = False
        for r in ordered:
            t, here = 0.0, 0
            for task in r:
                j = pats[task[0]]["idx"]
                a = t + dist[here][j]
                arrival[task] = a
                if a > start[task] + 1e-9:
                    start[task] = a
                    changed = True
                t = start[task] + dur[task]
                here = j
        for a, b, lo, hi in pairs:
            if start[b] < start[a] + lo - 1e-9:
                start[b] = start[a] + lo
                changed = True
            if start[a] < start[b] - hi - 1e-9:
                start[a] = start[b] - hi
                changed = True
        if not changed:
            converged = True
            break
    if not converged:
        viol.append("synchronisation deadlock: no finite schedule (caregivers wait for each "
                    "other in a cycle)")
    # post-hoc checks of the schedule itself
    for task, s in start.items():
        p = pats[task[0]]
        if s < p["e"] - 1e-9:
            viol.append(f"{task}: starts {s} before window start {p['e']}")
        if task in arrival and s < arrival[task] - 1e-9:
            viol.append(f"{task}: starts {s} before arrival {arrival[task]}")
    for a, b, lo, hi in pairs:
        gap = start[b] - start[a]
        if not lo - 1e-6 <= gap <= hi + 1e-6:
            viol.append(f"patient {a[0]}: {b[1]} starts {gap:.3f} after {a[1]}, "
                        f"allowed [{lo:g}, {hi:g}]")
    travel = 0.0
    travel_xy = 0.0
    depot_xy = next(iter(terminals.values())).get("location")
    for r in ordered:
        if not r:
            continue
        seq = [0] + [pats[t[0]]["idx"] for t in r] + [0]
        travel += sum(dist[x][y] for x, y in itertools.pairwise(seq))
        if depot_xy is not None:
            xy = [depot_xy] + [pats[t[0]]["loc"] for t in r] + [depot_xy]
            travel_xy += sum(math.dist(p, q) for p, q in itertools.pairwise(xy))
    tard = {t: max(0.0, start[t] - pats[t[0]]["l"]) for t in start}
    tsum = sum(tard.values())
    tmax = max(tard.values(), default=0.0)
    return {"travel": travel, "travel_euclid": travel_xy, "total_tardiness": tsum,
            "max_tardiness": tmax, "objective": (travel + tsum + tmax) / 3,
            "start": start, "arrival": arrival, "tardiness": tard, "pairs": pairs,
            "violations": viol, "caregivers": [c["id"] for c in cgs]}


def brkga_replay(path, routes):
    """Second, order-based evaluation in the style of the BRKGA decoder (Kummer Neto et al.,
    ``Solution::findInsertionCost``): patients are taken in a topological order of the
    routes; each is appended to its caregivers' routes with the decoder's timing rules
    (single: start = max(window start, arrival); simultaneous: both start at the later
    arrival; sequential: first = its arrival, second = max(its arrival, first + min), then
    the first is delayed by any excess over max). Returns the objective, or None when the
    routes have a cycle (no order exists)."""
    _, dist, _, _, pats = load_instance(path)
    owner = {}
    for k, r in enumerate(routes):
        for pid, sid in r:
            owner[(pid, sid)] = k
    succ = {pid: set() for pid in pats}
    indeg = dict.fromkeys(pats, 0)
    for r in routes:
        for (a, _), (b, _) in itertools.pairwise(r):
            if a != b and b not in succ[a]:
                succ[a].add(b)
                indeg[b] += 1
    order = [pid for pid in pats if indeg[pid] == 0]
    for pid in order:
        for q in sorted(succ[pid]):
            indeg[q] -= 1
            if indeg[q] == 0:
                order.append(q)
    if len(order) != len(pats):
        return None
    leave = [0.0] * len(routes)
    here = [0] * len(routes)
    travel = tsum = tmax = 0.0
    for pid in order:
        p = pats[pid]
        ks = [owner[(pid, sid)] for sid, _ in p["services"]]
        arr = [max(p["e"], leave[k] + dist[here[k]][p["idx"]]) for k in ks]
        travel += sum(dist[here[k]][p["idx"]] for k in ks)
        if len(ks) == 1:
            st = arr
        elif (p["sync"] or {}).get("type") == "simultaneous":
            st = [max(arr)] * 2
        else:
            lo, hi = p["sync"]["distance"]["min"], p["sync"]["distance"]["max"]
            s0 = arr[0]
            s1 = max(arr[1], s0 + lo)
            s0 += max(0.0, (s1 - s0) - hi)
            st = [s0, s1]
        for k, s, (_, d) in zip(ks, st, p["services"], strict=True):
            late = max(0.0, s - p["l"])
            tsum += late
            tmax = max(tmax, late)
            leave[k] = s + d
            here[k] = p["idx"]
    travel += sum(dist[h][0] for h in here)
    return (travel + tsum + tmax) / 3


def best_known(path):
    bks = Path(path).resolve().parents[1] / "bks_mankowska.csv"
    if not bks.exists():
        return None
    with open(bks, newline="") as fh:
        for row in csv.DictReader(fh):
            if row["instance_file"] == Path(path).name:
                return row
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance", type=Path)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--routes", type=Path, help="evaluate this saved plan instead of solving")
    ap.add_argument("--save", type=Path, help="write the solver's plan (routes) here")
    ap.add_argument("--show", action="store_true", help="print the schedule of double services")
    args = ap.parse_args(argv)
    claimed = None
    if args.routes:
        plan = json.loads(args.routes.read_text())
        routes = plan["routes"]
        claimed = plan.get("objective")
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from hemopt.routing import read_hhc, solve_hhc  # only to obtain the routes
        inst = read_hhc(args.instance)
        res = solve_hhc(inst, time_limit_s=args.time_limit, seed=args.seed)
        routes = [[list(x) for x in r] for r in res.routes]
        claimed = {"travel": res.travel, "total_tardiness": res.total_tardiness,
                   "max_tardiness": res.max_tardiness, "objective": res.objective,
                   "iterations": res.detail.iterations}
        if args.save:
            args.save.write_text(json.dumps({"instance": str(args.instance), "routes": routes,
                                             "objective": claimed}))
    ev = evaluate(args.instance, routes)
    name = args.instance.name
    print(f"{name}: {sum(map(len, routes))} service visits on {len(routes)} routes")
    print(f"  independent: travel {ev['travel']:.3f} (from coordinates "
          f"{ev['travel_euclid']:.3f}), total tardiness {ev['total_tardiness']:.3f}, "
          f"max tardiness {ev['max_tardiness']:.3f}, objective {ev['objective']:.3f}")
    bad = bool(ev["violations"])
    if not ev["violations"]:
        rep = brkga_replay(args.instance, [[(x[0], x[1]) for x in r] for r in routes])
        print("  BRKGA-decoder-style replay: "
              + ("no topological order (cycle)" if rep is None else
                 f"objective {rep:.3f} (fixed point - replay {ev['objective'] - rep:+.6f})"))
        if rep is None or abs(rep - ev["objective"]) > 1e-6 * max(1.0, rep):
            bad = True
    if isinstance(claimed, dict):
        print(f"  solver:      travel {claimed['travel']:.3f}, total tardiness "
              f"{claimed['total_tardiness']:.3f}, max tardiness {claimed['max_tardiness']:.3f}"
              f", objective {claimed['objective']:.3f}"
              + (f" ({claimed['iterations']} iterations)" if "iterations" in claimed else ""))
        diff = ev["objective"] - claimed["objective"]
        print(f"  difference (independent - solver): {diff:+.6f}")
        if abs(diff) > 1e-6 * max(1.0, abs(claimed["objective"])):
            bad = True
    row = best_known(args.instance)
    if row:
        bk, lb = float(row["best_known"]), float(row["lower_bound"])
        print(f"  {row['table_name']}: best known {bk} ({row['best_known_source']}), lower "
              f"bound {lb}; independent gap {100 * (ev['objective'] / bk - 1):+.2f} %"
              + ("  BELOW LOWER BOUND" if ev["objective"] < lb - 0.05 else ""))
    if args.show:
        for a, b, lo, hi in ev["pairs"]:
            print(f"    {a[0]} {a[1]}@{ev['start'][a]:.2f} {b[1]}@{ev['start'][b]:.2f} "
                  f"gap {ev['start'][b] - ev['start'][a]:.2f} in [{lo:g},{hi:g}]")
    print(f"  violations: {len(ev['violations'])}")
    for v in ev["violations"]:
        print(f"    - {v}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
