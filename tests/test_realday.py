"""A realistic home-care day through route-plan (API and CLI), checked by a checker written
here (tests/_realday.py), not by the solver's own validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hemopt.cli import main
from hemopt.day import route_plan
from hemopt.day.plan import PlanCosts
from hemopt.errors import InputError
from tests._realday import check_plan, false_drops, generate_day, planner_tables, write_day

SYNC = 5.0  # --sync-tolerance of these tests
ITER = 30  # search iterations: the plan is checked, not its quality (benchmarks/ for that)


def _api(day, dialect="csv", **kw):
    tb = planner_tables(day, dialect)
    return route_plan(tb["visits"], tb["staff"],
                      {m: tb[m].set_index("plats") for m in ("car", "walk", "bike")},
                      distance={"car": tb["car_km"].set_index("plats")}, breaks=tb["breaks"],
                      sync_tolerance_min=SYNC, **{"max_iterations": ITER, **kw})


@pytest.fixture(scope="module")
def day():
    return generate_day(7, n_staff=16)


@pytest.fixture(scope="module")
def plan(day):
    return _api(day)


def test_generator_covers_a_real_day():
    for seed in range(4):
        d = generate_day(seed)
        persons = d.staff.staff.str.replace(r" \((fm|em)\)$", "", regex=True).nunique()
        assert 12 <= persons <= 20 and 50 <= d.visits.client.nunique() <= 80
        assert 200 <= len(d.visits) <= 300
        spans = set(zip(d.staff.shift_start, d.staff.shift_end, strict=True))
        assert {(420, 960), (420, 780), (780, 1320), (420, 600), (960, 1260)} <= spans
        v = d.visits
        assert (v.staffing == 2).any() and (v.skill == "insulin").any()
        assert (v.earliest == v.latest).any()  # fixed-time medication
        assert v.duration.min() == 5 and v.duration.max() == 120
        assert v.excluded.map(len).any() and (v.contact != "").any()
        assert {"lunch", "middag", "morgon", "kväll"} <= set(v.kind)
        assert d.breaks.groupby("staff").size().max() >= 2
        assert set(d.staff["mode"]) == {"car", "walk", "bike"}
        assert (d.staff.end != "kontoret").any() and (d.staff.start == "kontoret").any()
        car = d.time["car"].to_numpy()
        assert (car != car.T).any()  # one-way streets
    a, b = generate_day(3), generate_day(3)
    pd.testing.assert_frame_equal(a.visits, b.visits)


def _recomputed_cost(day, chk, costs: PlanCosts) -> float:
    return (costs.wage_sek_per_hour / 60 * chk.paid_min + costs.sek_per_km * chk.km
            + costs.sek_per_carer * chk.staff_used
            + costs.overtime_sek_per_hour / 60 * chk.overtime_min
            + costs.non_usual_sek * chk.non_usual_tasks)


def test_api_plan_holds_every_rule_and_figure(day, plan):
    chk = check_plan(day, plan.stops, plan.breaks, plan.dropped, sync_tolerance=SYNC)
    assert chk.violations == []
    assert false_drops(day, plan.stops, plan.dropped) == []
    k = plan.kpis
    assert k["served"] == len(chk.served) and k["served"] + k["dropped"] == len(day.visits)
    assert k["served"] > 0.6 * len(day.visits)  # not a quality test: benchmarks/ is
    assert k["travel_min"] == pytest.approx(chk.travel_min, abs=0.01)
    assert k["distance_km"] == pytest.approx(chk.km, abs=0.01)
    assert k["paid_hours"] == pytest.approx(chk.paid_min / 60, abs=0.01)
    assert k["staff_used"] == chk.staff_used
    assert k["cost_sek"] == pytest.approx(_recomputed_cost(day, chk, PlanCosts()), abs=0.02)
    # every drop has a reason from the list and a detail
    assert set(plan.dropped.reason) <= {"no_capacity", "unreachable", "no_second_staff",
                                        "skill_missing", "all_staff_excluded"}
    assert plan.dropped.detail.str.len().gt(0).all()


def _read_out(folder):
    stops = pd.read_csv(folder / "stops.csv", dtype={"visit": str, "staff": str})
    breaks = pd.read_csv(folder / "breaks.csv", dtype={"staff": str})
    dropped = pd.read_csv(folder / "dropped.csv", dtype=str).fillna("")
    kpis = pd.read_csv(folder / "kpis.csv", index_col=0)
    return stops, breaks, dropped, kpis


def _cli(paths, out, *extra):
    args = ["route-plan", str(paths["visits"]), str(paths["staff"]), "--breaks",
            str(paths["breaks"]), "--sync-tolerance", str(SYNC), "--iterations", str(ITER),
            "--out", str(out)]
    for m in ("car", "walk", "bike"):
        args += ["--matrix", f"{m}={paths[m]}"]
    return main([*args, "--distance", f"car={paths['car_km']}", *extra])


def test_cli_plan_from_planner_files_checked_from_its_output(day, plan, tmp_path, capsys):
    paths = write_day(day, tmp_path / "in", "excel")  # semicolons, cp1252, 8.30, 3,5
    manual = _manual_from(plan, day)  # the API's plan as a hand plan: re-costed the same
    manual.to_csv(tmp_path / "manual.csv", index=False, sep=";", encoding="cp1252")
    assert _cli(paths, tmp_path / "out", "--manual", str(tmp_path / "manual.csv")) == 0
    stops, breaks, dropped, kpis = _read_out(tmp_path / "out")
    assert (tmp_path / "out" / "manual_violations.txt").read_text(encoding="utf-8") == ""
    assert float(kpis.loc["cost_sek", "manual"]) == pytest.approx(plan.kpis["cost_sek"])
    chk = check_plan(day, stops, breaks, dropped, sync_tolerance=SYNC)  # HH:MM times
    assert chk.violations == []
    assert false_drops(day, stops, dropped) == []
    # the same plan as the API's from the clean tables
    api = plan.stops.sort_values(["staff", "order"]).reset_index(drop=True)
    assert list(stops.sort_values(["staff", "order"]).visit) == list(api.visit)
    assert float(kpis.loc["cost_sek", "optimised"]) == pytest.approx(plan.kpis["cost_sek"])
    assert float(kpis.loc["travel_min", "optimised"]) == pytest.approx(chk.travel_min)
    assert float(kpis.loc["paid_hours", "optimised"]) == pytest.approx(chk.paid_min / 60,
                                                                      abs=0.01)
    assert "deterministic" in capsys.readouterr().out


@pytest.mark.parametrize("dialect", ["csv", "xlsx"])
def test_dialects_give_the_same_plan(dialect, tmp_path):
    small = generate_day(11, n_staff=12, n_clients=18)
    ref = _api(small)
    paths = write_day(small, tmp_path / "in", dialect, seed=5)
    assert _cli(paths, tmp_path / "out") == 0
    stops, breaks, dropped, _ = _read_out(tmp_path / "out")
    assert check_plan(small, stops, breaks, dropped, sync_tolerance=SYNC).violations == []
    assert list(stops.sort_values(["staff", "order"]).visit) == list(
        ref.stops.sort_values(["staff", "order"]).visit)


def _manual_from(plan, day):
    """The optimised plan written as a hand plan: staff, visit, order, start, and breaks."""
    rows = [{"staff": r.staff, "visit": r.visit, "order": r.order,
             "start": f"{int(r.start) // 60:02d}:{int(r.start) % 60:02d}", "duration": ""}
            for r in plan.stops.itertuples()]
    rows += [{"staff": r.staff, "visit": "", "order": "",
              "start": f"{int(r.start) // 60:02d}:{int(r.start) % 60:02d}",
              "duration": round(r.end - r.start)} for r in plan.breaks.itertuples()]
    return pd.DataFrame(rows)


def test_manual_plan_recosted_by_hand(day, plan):
    manual = _manual_from(plan, day)
    p2 = _api(day, manual=manual)
    assert p2.manual.violations == ()
    m = p2.comparison["manual"]
    chk = check_plan(day, plan.stops, plan.breaks, plan.dropped, sync_tolerance=SYNC)
    assert m["travel_min"] == pytest.approx(chk.travel_min)
    assert m["distance_km"] == pytest.approx(chk.km)
    assert m["served"] == len(chk.served)
    # the hand plan's cost (both columns without the drops' cost: dropped is beside it)
    assert m["cost_sek"] == pytest.approx(_recomputed_cost(day, chk, PlanCosts()), abs=0.05)
    assert m["cost_sek"] == pytest.approx(plan.kpis["cost_sek"], abs=0.05)
    assert m["paid_hours"] == pytest.approx(chk.paid_min / 60, abs=0.01)
    # a planner's mistakes, each named by its rule
    v = day.visits.set_index("visit")
    ins = next(r for r in plan.stops.itertuples() if v.skill[r.visit] == "insulin")
    unskilled = next(s.staff for s in day.staff.itertuples() if "insulin" not in s.skills)
    bad = manual.copy()
    bad.loc[(bad.visit == ins.visit) & (bad.staff == ins.staff), "staff"] = unskilled
    late = bad.index[bad.visit != ""][0]
    bad.loc[late, "start"] = "23:50"
    viol = _api(day, manual=bad).manual.violations
    assert any(x.startswith("[skill]") and ins.visit in x for x in viol)
    assert any(x.startswith("[window]") for x in viol)


# ------------------------------------------------------------------- strange, real inputs
PLACES = ["office", "a", "b", "c"]
CAR = pd.DataFrame([[0, 10, 12, 30], [10, 0, 5, 25], [12, 5, 0, 20], [30, 25, 20, 0]],
                   index=PLACES, columns=PLACES, dtype=float)


def _v(**kw):
    d = {"visit": ["v1", "v2"], "place": ["a", "b"], "earliest": ["08:00", "09:00"],
         "latest": ["08:30", "09:30"], "duration": [20, 30], "staffing": [1, 1],
         "skill": ["", ""]}
    return pd.DataFrame({**d, **kw})


def _s(**kw):
    d = {"staff": ["anna", "ben"], "mode": "car", "start": "office", "end": "office",
         "shift_start": ["07:00", "07:00"], "shift_end": ["12:00", "12:00"],
         "skills": ["insulin", ""]}
    return pd.DataFrame({**d, **kw})


def _plan(v, s, car=CAR, **kw):
    return route_plan(v, s, {"car": car}, max_iterations=20, **kw)


def _drops(p):
    return {r.visit: (r.reason, r.detail) for r in p.dropped.itertuples()}


def test_night_patrol_after_midnight():
    night = _s(shift_start=["22:00", "07:00"], shift_end=["31:00", "12:00"])
    p = _plan(_v(earliest=["24:30", "09:00"], latest=["24:45", "09:30"]), night)
    assert p.kpis["served"] == 2
    assert p.stops.set_index("visit").start["v1"] == 24 * 60 + 30
    # written as the clock shows it: dropped, and the detail says how to write it
    p = _plan(_v(earliest=["00:30", "09:00"], latest=["00:45", "09:30"]), night)
    reason, detail = _drops(p)["v1"]
    assert reason == "unreachable" and "write 00:30 as 24:30" in detail
    with pytest.raises(InputError, match=r"staff 'anna'.*shift_end.*write the end as 31:00"):
        _plan(_v(), _s(shift_start=["22:00", "07:00"], shift_end=["07:00", "12:00"]))
    # 24:00 is a clock time
    p = _plan(_v(earliest=["24:00", "09:00"], latest=["24:00", "09:30"]),
              _s(shift_start=["22:00", "07:00"], shift_end=["26:00", "12:00"]))
    assert p.kpis["served"] == 2


def test_visit_longer_than_any_shift_and_double_with_one_qualified():
    p = _plan(_v(duration=[600, 30]), _s())
    reason, detail = _drops(p)["v1"]
    assert reason == "unreachable" and "lasts 600 min, longer than any shift" in detail
    p = _plan(_v(staffing=[2, 1], skill=["insulin", ""]), _s())
    assert _drops(p)["v1"][0] == "no_second_staff"
    assert p.kpis["served"] == 1


def test_a_day_nobody_can_serve_and_an_empty_day(tmp_path):
    p = _plan(_v(earliest=["03:00", "04:00"], latest=["03:10", "04:10"]), _s())
    assert p.kpis["served"] == 0 and p.kpis["cost_sek"] == 0
    assert {r for r, _ in _drops(p).values()} == {"unreachable"}
    assert all("window 0" in d for _, d in _drops(p).values())
    p = _plan(_v().iloc[:0], _s())
    assert p.kpis["visits"] == 0 and p.kpis["staff_used"] == 0 and len(p.stops) == 0
    # the CLI writes the empty plan's tables with their headers
    for name, df in (("v.csv", _v().iloc[:0]), ("s.csv", _s())):
        df.to_csv(tmp_path / name, index=False)
    CAR.rename_axis("place").to_csv(tmp_path / "car.csv")
    assert main(["route-plan", str(tmp_path / "v.csv"), str(tmp_path / "s.csv"), "--matrix",
                 f"car={tmp_path / 'car.csv'}", "--out", str(tmp_path / "out")]) == 0
    assert list(pd.read_csv(tmp_path / "out" / "dropped.csv").columns) == [
        "visit", "reason", "constraint", "detail"]


def test_asymmetric_and_triangle_breaking_matrices_are_used_as_given():
    car = CAR.copy()
    car.loc["office", "b"] = 40.0  # office -> a -> b is 15: the triangle inequality broken
    car.loc["b", "office"] = 3.0  # and the way back is short (asymmetric)
    v = _v(earliest=["09:00", "07:00"], latest=["09:30", "11:00"], staffing=[1, 1])
    p = _plan(v, _s().iloc[[1]], car=car)
    s = p.stops.set_index("visit")
    # v1 then v2: office -> a (10), wait to 09:00, -> b (5), -> office (3): back 09:58, 178
    # paid minutes; v2 then v1: office -> b (40, the matrix as given, not 10 + 5 via a),
    # -> a (5), -> office (10): back 09:30, 150 paid minutes: the cheaper plan
    assert list(p.stops.sort_values("order").visit) == ["v2", "v1"]
    assert p.kpis["travel_min"] == 40 + 5 + 10 and p.kpis["paid_hours"] == 2.5
    assert s.arrival["v2"] == 7 * 60 + 40 and s.start["v1"] == 9 * 60


@pytest.mark.parametrize("change, match", [
    (dict(visits=_v(place=["a", "zz"])),
     r"visits table, visit 'v2', column 'place': place not in the travel matrices, got 'zz'"),
    (dict(visits=_v(latest=["07:30", "09:30"])),
     r"visits table, visit 'v1', column 'latest': before earliest 08:00, got '07:30'"),
    (dict(staff=_s(shift_end=["07:00", "12:00"])),
     r"staff table, staff 'anna', column 'shift_end': must be after shift_start 07:00"),
    (dict(staff=_s(staff=["anna", "anna"])),
     r"duplicate id 'anna' \(lines 2 and 3\).*split shift.*own id"),
    (dict(car=CAR.mask(CAR == 25, np.nan)),
     r"travel matrix 'car', row 'a', column 'c': must be a number >= 0 \(minutes\), got nan"),
    (dict(car=CAR.mask(CAR == 5, -5)),
     r"travel matrix 'car', row 'a', column 'b': must be a number >= 0 \(minutes\), got -5"),
    (dict(visits=_v(earliest=[0.3541666, "09:00"])),
     r"visit 'v1', column 'earliest'.*Excel time as a fraction of a day \(08:30\)"),
    (dict(visits=_v(earliest=["8,30", "09:00"])),
     r"visit 'v1', column 'earliest': ambiguous.*got '8,30'"),
    (dict(staff=_s().iloc[:0]), r"staff table: no staff"),
])
def test_bad_tables_name_table_row_column_and_value(change, match):
    with pytest.raises(InputError, match=match):
        _plan(change.get("visits", _v()), change.get("staff", _s()), car=change.get("car", CAR))


def test_swedish_clock_notation():
    p = _plan(_v(earliest=["8.00", "9.00"], latest=["8.30", "09:30"]), _s())
    assert p.problem.earliest.tolist() == [480.0, 540.0]
    assert p.problem.latest.tolist() == [510.0, 570.0]


def test_double_visit_second_carer_inside_the_window():
    # before: with --sync-tolerance 5 the second carer's window was widened by 5 minutes
    # either side, and a carer could start at 07:55 on a visit of 08:00-08:30
    v = _v(staffing=[2, 1], earliest=["08:00", "09:00"], latest=["08:00", "09:30"])
    p = _plan(v, _s(), sync_tolerance_min=5)
    assert p.problem.earliest2[0] == 480 and p.problem.latest2[0] == 480
    assert (p.stops[p.stops.visit == "v1"].start == 480).all()


def test_progress_lines_for_long_days():
    lines: list[str] = []
    p = _plan(_v(), _s(), progress=lines.append)
    assert p.kpis["served"] == 2
    assert lines[0].startswith("route-plan: first plan: 2 of 2 visits placed")
    assert any(x.startswith("route-plan: search: iteration 2 of 20") for x in lines)
    assert lines[-1].startswith("route-plan: fill pass: 0 visits")


def test_places_as_sweref_coordinates(day):
    """--places with travel models: times from the documented formulas (docs/routing.md:
    straight line x 1.3 at the preset's speed, plus the overhead per trip)."""
    from hemopt.travel import TravelModel

    xy = day.places[["x", "y"]].to_numpy()
    d = 1.3 * np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    labels = list(day.places.place)
    presets = {"car": (25.0, 2.0), "walk": (4.5, 0.5), "bike": (13.0, 1.0)}
    time = {m: pd.DataFrame(np.where(d > 0, d / (kmh * 1000) * 60 + over, 0.0), index=labels,
                            columns=labels) for m, (kmh, over) in presets.items()}
    km = {m: pd.DataFrame(d / 1000, index=labels, columns=labels) for m in presets}
    geo = type(day)(visits=day.visits, staff=day.staff, breaks=day.breaks,
                    places=day.places, time=time, km=km)
    tb = planner_tables(day, "csv")
    models = {"car": TravelModel.urban(), "walk": TravelModel.walking(),
              "bike": TravelModel.cycling()}
    p = route_plan(tb["visits"], tb["staff"], models, places=day.places, breaks=tb["breaks"],
                   sync_tolerance_min=SYNC, max_iterations=ITER)
    chk = check_plan(geo, p.stops, p.breaks, p.dropped, sync_tolerance=SYNC, tol=1e-6)
    assert chk.violations == []
    assert p.kpis["travel_min"] == pytest.approx(chk.travel_min, abs=0.01)
    assert p.kpis["distance_km"] == pytest.approx(chk.km, abs=0.01)  # every mode's km
    assert any("km of every mode (car, walk, bike) are counted and costed" in n
               for n in p.notes)
