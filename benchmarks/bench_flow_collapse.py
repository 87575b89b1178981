"""The flow engine with identical clients collapsed, against a plain one-node-per-client
OR-Tools ``SimpleMinCostFlow``, in the same run.

Instance: ``--clients`` clients (default 1,000,000) x 20 providers, every pair allowed (LOV),
capacities in clients summing to 1.02 x the clients and shared unevenly (so that they bind),
clients in groups of identical cost rows (the same stairwell and ranking) of geometric size
with mean 3, costs with two decimals. ``min_cost_assignment`` collapses each group into one
node and solves the network first on each group's 7 cheapest arcs, certified optimal on the
whole network (``docs/assignment.md``). Both solvers run in a fresh child process each (the
instance is made there, with the same seed): the time is the wall time of the solve only
(``min_cost_assignment`` from the numpy arrays to the result; for the plain flow, building its
arrays, solving and reading one provider per client), the memory the child's peak resident set
(``VmHWM``, the instance included) and its growth during the solve. The optimal costs must
agree.

Targets (issue 16): at least 3x faster than the plain flow and under 2 GiB peak. The script
exits with status 1 when one is missed or the costs differ.

    python benchmarks/bench_flow_collapse.py                   # 1,000,000 x 20
    python benchmarks/bench_flow_collapse.py --clients 200000  # a fifth of it
    python benchmarks/bench_flow_collapse.py --quick           # 200,000 x 20 (run_all.py)
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_assign import status_kib  # the benchmarks run as scripts, side by side

N_PROVIDERS = 20
MEAN_GROUP = 3.0
SPEED_TARGET = 3.0
MEMORY_TARGET_GIB = 2.0


def make_instance(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """(cost (n, 20), capacity (20,), groups): identical rows in groups of mean size 3."""
    rng = np.random.default_rng(seed)
    sizes = rng.geometric(1.0 / MEAN_GROUP, size=n)  # more than enough groups
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n)) + 1]
    sizes[-1] -= int(sizes.sum()) - n
    rows = np.round(rng.random((len(sizes), N_PROVIDERS)) * 1000.0, 2)
    group = np.repeat(np.arange(len(sizes)), sizes)
    rng.shuffle(group)  # a stairwell's clients are not next to each other in the list
    cost = rows[group]
    share = np.linspace(0.5, 1.5, N_PROVIDERS)
    capacity = np.floor(1.02 * n * share / share.sum())
    return cost, capacity, len(sizes)


def plain_flow(cost: np.ndarray, capacity: np.ndarray, scale: float) -> tuple[int, np.ndarray]:
    """One node per client, every pair an arc: (optimal integer cost, provider per client)."""
    from ortools.graph.python import min_cost_flow

    n, p = cost.shape
    tails = np.concatenate([np.repeat(np.arange(n, dtype=np.int32), p),
                            np.arange(n, n + p, dtype=np.int32)])
    heads = np.concatenate([np.tile(np.arange(n, n + p, dtype=np.int32), n),
                            np.full(p, n + p, dtype=np.int32)])
    caps = np.concatenate([np.ones(n * p, dtype=np.int64), capacity.astype(np.int64)])
    unit = np.concatenate([np.rint(cost.ravel() * scale).astype(np.int64),
                           np.zeros(p, dtype=np.int64)])
    supplies = np.concatenate([np.ones(n, dtype=np.int64), np.zeros(p, dtype=np.int64), [-n]])
    mcf = min_cost_flow.SimpleMinCostFlow()
    arcs = mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, unit)
    del tails, heads, caps, unit
    mcf.set_nodes_supplies(np.arange(n + p + 1, dtype=np.int32), supplies)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise RuntimeError(f"plain flow: status {status}")
    flows = np.asarray(mcf.flows(arcs[: n * p]), dtype=np.int64).reshape(n, p)
    return int(mcf.optimal_cost()), np.argmax(flows, axis=1)


def engine_scale(cost: np.ndarray) -> float:
    """The integer scale the engine chooses (``hemopt.flow._scaling``), so that the plain
    flow solves the very same integer costs."""
    import math

    from hemopt.flow._scaling import max_scaled_cost

    n, p = cost.shape
    limit = max_scaled_cost(max(n, n + p + 2))
    return 10.0 ** math.floor(math.log10(limit / float(np.abs(cost).max())))


def run_child(spec: str) -> None:
    n, method = spec.split(",")
    from hemopt.flow import min_cost_assignment

    cost, capacity, n_groups = make_instance(int(n))
    if method == "plain":  # warm OR-Tools up, as the engine's import does
        plain_flow(cost[:50], np.full(N_PROVIDERS, 10.0), 100.0)
    else:
        min_cost_assignment(cost[:50], np.full(N_PROVIDERS, 10.0))
    gc.collect()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak (VmHWM) to the current RSS
    before = status_kib("VmRSS")
    t0 = time.perf_counter()
    scale = engine_scale(cost)
    if method == "plain":
        opt, provider = plain_flow(cost, capacity, scale)
        total = opt / scale
    else:
        res = min_cost_assignment(cost, capacity)
        assert res.status == "optimal" and res.scale == scale, (res.status, res.scale, scale)
        total, provider = res.total_cost, np.asarray(res.provider)
    wall = time.perf_counter() - t0
    peak = status_kib("VmHWM")
    load = np.bincount(provider, minlength=N_PROVIDERS)
    print(json.dumps({"wall_s": wall, "peak_mib": peak / 1024, "growth_mib": (peak - before)
                      / 1024, "total_cost": total, "groups": n_groups,
                      "within_capacity": bool((load <= capacity).all())}))


def child(n: int, method: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", f"{n},{method}"], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="200,000 clients")
    ap.add_argument("--speed-target", type=float, default=SPEED_TARGET)
    ap.add_argument("--memory-target-gib", type=float, default=MEMORY_TARGET_GIB)
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        run_child(args.child)
        return 0
    n = 200_000 if args.quick else args.clients
    import os

    print(f"{n:,} clients x {N_PROVIDERS} providers, identical rows in groups of mean size "
          f"{MEAN_GROUP:g}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
          flush=True)
    plain = child(n, "plain")
    print(f"plain SimpleMinCostFlow: {plain['wall_s']:.2f} s, peak {plain['peak_mib']:,.0f} MiB "
          f"(+{plain['growth_mib']:,.0f})", flush=True)
    hem = child(n, "collapsed")
    print(f"min_cost_assignment (collapsed, {hem['groups']:,} groups): {hem['wall_s']:.2f} s, "
          f"peak {hem['peak_mib']:,.0f} MiB (+{hem['growth_mib']:,.0f})", flush=True)
    speed = plain["wall_s"] / hem["wall_s"]
    same = abs(plain["total_cost"] - hem["total_cost"]) <= 1e-9 * max(1.0, plain["total_cost"])
    print(f"| solver | wall s | peak MiB | growth MiB |\n|---|---:|---:|---:|\n"
          f"| plain SimpleMinCostFlow | {plain['wall_s']:.2f} | {plain['peak_mib']:,.0f} | "
          f"{plain['growth_mib']:,.0f} |\n"
          f"| min_cost_assignment | {hem['wall_s']:.2f} | {hem['peak_mib']:,.0f} | "
          f"{hem['growth_mib']:,.0f} |")
    print(f"speed-up {speed:.2f}x (target {args.speed_target}x); peak "
          f"{hem['peak_mib'] / 1024:.2f} GiB (target < {args.memory_target_gib} GiB); optimal "
          f"costs {plain['total_cost']:.2f} and {hem['total_cost']:.2f}: "
          f"{'equal' if same else 'DIFFERENT'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"clients": n, "plain": plain, "collapsed": hem,
                                               "speedup": speed}, indent=2))
    ok = True
    if not same or not hem["within_capacity"]:
        print("FAIL: the optimal costs differ or a capacity is broken")
        ok = False
    if speed < args.speed_target:
        print(f"FAIL: {speed:.2f}x is below the target {args.speed_target}x")
        ok = False
    if hem["peak_mib"] / 1024 >= args.memory_target_gib:
        print(f"FAIL: peak {hem['peak_mib'] / 1024:.2f} GiB is over {args.memory_target_gib} GiB")
        ok = False
    print("OK" if ok else "")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
