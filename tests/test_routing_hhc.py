"""The UHHC reader and solve_hhc: hand-made instances with known schedules and an independent
objective, and (when ../shared is present) the Mankowska et al. (2014) files."""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path

import pytest

from hemopt.errors import InputError
from hemopt.routing import read_hhc, solve_hhc
from hemopt.routing.homecare import check_plan

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "hhc-mankowska"


def caregiver(cid: str, abilities: list[str]) -> dict:
    return {"id": cid, "abilities": abilities, "departing_point": "d", "arrival_point": "d"}


def patient(pid: str, idx: int, window: tuple[float, float], services: list[tuple[str, int]],
            sync: dict | None = None) -> dict:
    p = {"id": pid, "distance_matrix_index": idx,
         "time_windows": [{"start": window[0], "end": window[1]}],
         "required_services": [{"service": s, "duration": d} for s, d in services]}
    if sync is not None:
        p["synchronization"] = sync
    return p


def instance(tmp_path: Path, xy: list[tuple[float, float]], caregivers: list[dict],
             patients: list[dict], name: str = "tiny") -> Path:
    dist = [[round(math.dist(a, b), 3) for b in xy] for a in xy]
    doc = {"metadata": {"name": name, "origin": "test"}, "distances": dist,
           "terminal_points": [{"id": "d", "distance_matrix_index": 0, "location": xy[0]}],
           "caregivers": caregivers, "patients": patients,
           "services": [{"id": f"s{i}", "type": f"s{i}", "default_duration": 10}
                        for i in range(1, 4)]}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc))
    return path


def objective_by_hand(path: Path, routes: list[list[tuple[str, str]]]) -> tuple:
    """Travel, total and max tardiness of routes, straight from the JSON (the BRKGA rules)."""
    doc = json.loads(path.read_text())
    dist = doc["distances"]
    pat = {p["id"]: p for p in doc["patients"]}
    start: dict = {}
    for _ in range(100):
        changed = False
        for route in routes:
            t, cur = 0.0, 0
            for pid, s in route:
                p = pat[pid]
                a = t + dist[cur][p["distance_matrix_index"]]
                st = max(a, p["time_windows"][0]["start"], start.get((pid, s), 0.0))
                changed |= st != start.get((pid, s))
                start[(pid, s)] = st
                t = st + next(x["duration"] for x in p["required_services"]
                              if x["service"] == s)
                cur = p["distance_matrix_index"]
        for pid, p in pat.items():
            if len(p["required_services"]) == 2:
                a, b = ((pid, x["service"]) for x in p["required_services"])
                sy = p["synchronization"]
                lo, hi = ((0, 0) if sy["type"] == "simultaneous"
                          else (sy["distance"]["min"], sy["distance"]["max"]))
                if start[b] < start[a] + lo:
                    start[b], changed = start[a] + lo, True
                if start[a] < start[b] - hi:
                    start[a], changed = start[b] - hi, True
        if not changed:
            break
    travel = 0.0
    for route in routes:
        if route:
            idx = [0] + [pat[p]["distance_matrix_index"] for p, _ in route] + [0]
            travel += sum(dist[a][b] for a, b in itertools.pairwise(idx))
    tard = [max(0.0, start[(pid, s)] - pat[pid]["time_windows"][0]["end"])
            for route in routes for pid, s in route]
    return travel, sum(tard), max(tard, default=0.0), start


def test_simultaneous_pair_forces_the_schedule(tmp_path):
    # depot at 0; p1 (double, simultaneous) at 10 on the x axis; p2 single at (0, 30) needing
    # s2 that only c2 has; c1 and c2 both serve p1 (s1 and s3): c2 goes to p2 first
    # (30, served 30..40), then to p1 (dist (0,30)->(10,0) = 31.623): arrives 71.623;
    # c1 arrives at p1 at 10 and waits: both start at 71.623, which is 11.623 late; p2 is
    # 20 late. (p1 first, then p2: p2 would be 46.6 late, worse.)
    xy = [(0, 0), (10, 0), (0, 30)]
    path = instance(tmp_path, xy, [caregiver("c1", ["s1"]), caregiver("c2", ["s2", "s3"])], [
        patient("p1", 1, (0, 60), [("s1", 15), ("s3", 15)], {"type": "simultaneous"}),
        patient("p2", 2, (0, 10), [("s2", 10)]),
    ])
    inst = read_hhc(path)
    r = solve_hhc(inst, time_limit_s=None, max_iterations=200)
    assert r.routes == [[("p1", "s1")], [("p2", "s2"), ("p1", "s3")]]
    st = r.detail.stops.set_index(["visit", "copy"]).start
    assert st[(0, 0)] == pytest.approx(30 + 10 + round(math.hypot(10, 30), 3))
    assert st[(0, 0)] == st[(0, 1)]
    travel, tsum, tmax, _ = objective_by_hand(path, r.routes)
    assert r.travel == pytest.approx(travel)
    assert r.total_tardiness == pytest.approx(tsum) == pytest.approx(20 + 2 * 11.623)
    assert r.max_tardiness == pytest.approx(tmax) == 20
    assert r.objective == pytest.approx((travel + tsum + tmax) / 3)


def test_sequential_pair(tmp_path):
    # one patient, s1 then s2 between 30 and 40 later; two caregivers, each with one skill
    xy = [(0, 0), (0, 20)]
    path = instance(tmp_path, xy, [caregiver("c1", ["s1"]), caregiver("c2", ["s2"])], [
        patient("p1", 1, (50, 100), [("s1", 10), ("s2", 10)],
                {"type": "sequential", "distance": {"min": 30, "max": 40}})])
    r = solve_hhc(read_hhc(path), time_limit_s=None, max_iterations=20)
    st = r.detail.stops.set_index("copy").start
    assert (st[0], st[1]) == (50.0, 80.0)
    assert r.routes == [[("p1", "s1")], [("p1", "s2")]]
    assert (r.travel, r.total_tardiness, r.max_tardiness) == (80.0, 0.0, 0.0)


def test_skill_mismatch_refused(tmp_path):
    xy = [(0, 0), (3, 4)]
    path = instance(tmp_path, xy, [caregiver("c1", ["s1"])],
                    [patient("p1", 1, (0, 100), [("s2", 10)])])
    inst = read_hhc(path)
    with pytest.raises(InputError, match=r"\['p1'\] cannot be served \(\['skill_missing'\]\)"):
        solve_hhc(inst, time_limit_s=None, max_iterations=5)
    assert check_plan(inst.problem, [[0]]).violations == ("visit 'p1' copy 0: staff 'c1' "
                                                          "lacks skill 1",)


def test_random_tiny_instances_objective_and_counts(tmp_path):
    import numpy as np

    rng = np.random.default_rng(5)
    for t in range(5):
        n = 6
        xy = [(0.0, 0.0)] + [tuple(map(float, rng.integers(0, 50, 2))) for _ in range(n)]
        cgs = [caregiver("c1", ["s1", "s2"]), caregiver("c2", ["s2", "s3"]),
               caregiver("c3", ["s1", "s3"])]
        pats = []
        for i in range(1, n + 1):
            e = float(rng.integers(0, 100))
            if rng.random() < 0.4:
                sync = ({"type": "simultaneous"} if rng.random() < 0.5 else
                        {"type": "sequential", "distance": {"min": 5, "max": 20}})
                pats.append(patient(f"p{i}", i, (e, e + 30), [("s1", 10), ("s2", 12)], sync))
            else:
                pats.append(patient(f"p{i}", i, (e, e + 30), [(f"s{rng.integers(1, 4)}", 10)]))
        path = instance(tmp_path, xy, cgs, pats, name=f"t{t}")
        inst = read_hhc(path)
        r = solve_hhc(inst, time_limit_s=None, max_iterations=100, seed=t)
        travel, tsum, tmax, _ = objective_by_hand(path, r.routes)
        assert r.objective == pytest.approx((travel + tsum + tmax) / 3)
        services = sorted(x for route in r.routes for x in route)
        assert services == sorted((p["id"], s["service"]) for p in pats
                                  for s in p["required_services"])
        assert r.detail.violations == ()


def test_bad_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(InputError, match="cannot read the JSON"):
        read_hhc(bad)
    path = instance(tmp_path, [(0, 0), (1, 1)], [caregiver("c1", ["s1"])], [
        patient("p1", 1, (0, 10), [("s1", 5), ("s2", 5)], {"type": "sometimes"})])
    with pytest.raises(InputError, match="patient p1: synchronization type"):
        read_hhc(path)
    with pytest.raises(InputError, match="instance must be an HHCInstance"):
        solve_hhc(path)


needs_shared = pytest.mark.skipif(not SHARED.exists(),
                                  reason="../shared/benchmarks/hhc-mankowska is absent")


@needs_shared
def test_mankowska_a_group_reads_and_solves():
    with open(SHARED / "bks_mankowska.csv", newline="") as fh:
        bks = {r["instance_file"]: r for r in csv.DictReader(fh)}
    f = "InstanzCPLEX_HCSRP_10_2.json"
    inst = read_hhc(SHARED / "instances" / f)
    assert (inst.problem.n_visits, inst.problem.n_staff) == (10, 3)
    r = solve_hhc(inst, time_limit_s=None, max_iterations=1500, seed=0)
    travel, tsum, tmax, _ = objective_by_hand(SHARED / "instances" / f, r.routes)
    assert r.objective == pytest.approx((travel + tsum + tmax) / 3)
    best = float(bks[f]["best_known"])   # proven optimal (CPLEX), 246.6
    assert bks[f]["optimal_proven"] == "true"
    assert best - 0.05 <= r.objective <= best * 1.01
