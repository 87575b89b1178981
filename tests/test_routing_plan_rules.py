"""route_plan's rules, each on a hand-checked day: typed input, offset double visits, several
breaks, priorities, overtime at a price, a cost per carer, km from matrices, drops that name
their constraint, continuity, a hand plan checked rule by rule, the deterministic mode."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hemopt.day import route_plan
from hemopt.day.plan import PlanCosts, continuity_curve
from hemopt.errors import InputError
from hemopt.evaluate import CostParams

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "route_plan"
PLACES = {"office": 0, "a": 10, "b": 20, "c": 30}


def line(scale: float = 1.0) -> pd.DataFrame:
    """Places on a line: travel |x - y| minutes (km: half of it with scale 0.5)."""
    x = np.array(list(PLACES.values()), float)
    return pd.DataFrame(np.abs(x[:, None] - x[None, :]) * scale, index=list(PLACES),
                        columns=list(PLACES))


def staff(names=("anna",), shift=("07:00", "12:00"), **cols) -> pd.DataFrame:
    return pd.DataFrame({"staff": list(names), "mode": "car", "start": "office",
                         "end": "office", "shift_start": shift[0], "shift_end": shift[1],
                         **cols})


def visits(**cols) -> pd.DataFrame:
    return pd.DataFrame(cols)


def run(v, s, **kw):
    kw.setdefault("max_iterations", 200)
    return route_plan(v, s, {"car": line()}, **kw)


# ------------------------------------------------------------------ typed input
@pytest.mark.parametrize(("table", "column", "value", "msg"), [
    ("visits", "staffing", "two", "visits table, visit 'v1', column 'staffing': must be a "
                                  "number"),
    ("visits", "staffing", "2.5", "column 'staffing': must be a whole number, got '2.5'"),
    ("visits", "staffing", "3", "column 'staffing': must be <= 2"),
    ("visits", "duration", "20 min", "visit 'v1', column 'duration': must be a number "
                                     "(minutes), got '20 min'"),
    ("visits", "duration", "-5", "column 'duration': must be > 0"),
    ("visits", "earliest", "25:99", "visit 'v1', column 'earliest': not a clock time"),
    ("visits", "earliest", "-01:30", "column 'earliest': not a clock time"),
    ("visits", "earliest", "37:00", "outside 00:00-36:00"),
    ("visits", "latest", "07:00", "column 'latest': before earliest 08:00, got '07:00'"),
    ("staff", "break_min", "half hour", "staff table, staff 'anna', column 'break_min': must "
                                        "be a number"),
    ("staff", "shift_end", "06:00", "staff 'anna', column 'shift_end': must be after "
                                    "shift_start 07:00 (a shift past midnight: write the end "
                                    "as 30:00, times after 24:00 are the next morning), got "
                                    "'06:00'"),
    ("staff", "mode", "boat", "staff 'anna', column 'mode': no travel data"),
])
def test_bad_cells_named_by_table_id_column_value(table, column, value, msg):
    v = visits(visit=["v1"], place=["a"], earliest=["08:00"], latest=["08:30"],
               duration=["30"])
    s = staff(break_min=["0"])
    v0, s0 = v.copy(), s.copy()
    (v if table == "visits" else s)[column] = value
    with pytest.raises(InputError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        run(v, s)
    if table == "visits":
        pd.testing.assert_frame_equal(s, s0)
    else:
        pd.testing.assert_frame_equal(v, v0)


def test_matrix_cell_and_staff_who_can_do_nothing():
    v = visits(visit=["v1"], place=["a"], planned=["08:00"], duration=[30])
    car = line().astype(object)
    car.loc["a", "b"] = "ten"
    with pytest.raises(InputError, match="travel matrix 'car', row 'a', column 'b': must be a "
                                         "number >= 0 \\(minutes\\), got 'ten'"):
        route_plan(v, staff(), {"car": car})
    # a 600-min break in a 6-hour shift: the staff member is named, with the reason
    s = staff(["anna", "1335"], ("07:00", "13:00"), break_min=[30, 600])
    with pytest.raises(InputError, match="staff table, staff '1335': the break\\(s\\) of 600 "
                                         "min do not fit in the shift 07:00-13:00"):
        run(v, s)
    # a staff member who can reach nothing is named in the notes
    far = staff(["anna", "ben"], ("07:00", "12:00")).assign(
        shift_start=["07:00", "08:50"], shift_end=["12:00", "09:05"])
    plan = run(v, far)
    assert any(n.startswith("staff 'ben' can do nothing: can reach no visit")
               for n in plan.notes)


def test_costs_default_to_compares_cost_model():
    c, cp = PlanCosts(), CostParams()
    assert c.wage_sek_per_hour == cp.staff_sek_per_hour
    assert c.sek_per_km == cp.sek_per_km
    assert c.sek_per_carer == cp.indirect_min_per_shift * cp.staff_sek_per_hour / 60
    with pytest.raises(InputError, match=r"PlanCosts\.sek_per_km"):
        PlanCosts(sek_per_km=-1)


# ------------------------------------------------------------------ rules
def test_offset_double_visit():
    # the second carer starts 10-20 min after the first and stays 15 min, not 30
    v = visits(visit=["v1"], place=["a"], earliest=["08:00"], latest=["08:00"],
               duration=[30], staffing=[2], second_duration=[15], second_offset_min=[10],
               second_offset_max=[20])
    plan = run(v, staff(["anna", "ben"]))
    st = plan.stops.sort_values("start")
    # the cost of paid time makes the second start as early as allowed: 08:10
    assert st.start.tolist() == [480.0, 490.0]
    assert (st.end - st.start).tolist() == [30.0, 15.0]
    assert st.staff.nunique() == 2


def test_several_breaks_per_carer():
    v = visits(visit=["v1", "v2"], place=["a", "a"], earliest=["08:00", "13:00"],
               latest=["08:00", "13:00"], duration=[30, 30])
    breaks = pd.DataFrame({"staff": ["anna", "anna"], "duration": [15, 30],
                           "earliest": ["09:00", "11:00"], "latest": ["09:30", "12:00"]})
    plan = run(v, staff(shift=("07:00", "15:00")), breaks=breaks)
    assert plan.breaks[["start", "end"]].to_numpy().tolist() == [[540.0, 555.0],
                                                                 [660.0, 690.0]]
    assert plan.kpis["served"] == 2 and plan.result.violations == ()


def test_priorities_choose_what_is_dropped():
    # one carer, two visits at the same hour in two places: the higher priority is served
    v = visits(visit=["v1", "v2"], place=["a", "b"], earliest=["08:00", "08:00"],
               latest=["08:00", "08:00"], duration=[60, 60], priority=[1, 3])
    plan = run(v, staff())
    assert plan.dropped.visit.tolist() == ["v1"]
    assert plan.dropped.constraint.tolist() == ["window"]
    plan = run(v.assign(priority=[3, 1]), staff())
    assert plan.dropped.visit.tolist() == ["v2"]


def test_overtime_at_a_price_and_km_from_matrices():
    # office -> c (30 min) at 08:00-08:10 for 40 min, back 09:10: 10 min after the shift
    v = visits(visit=["v1"], place=["c"], earliest=["08:00"], latest=["08:10"], duration=[40])
    s = staff(shift=("07:00", "09:00"))
    plan = run(v, s)
    assert plan.dropped.constraint.tolist() == ["shift"]
    plan = run(v, s.assign(max_overtime=[15]))
    assert plan.kpis["served"] == 1 and plan.kpis["overtime_min"] == 10.0
    # paid 07:00-09:10 = 130 min at 5 SEK + 10 min overtime at 2.5 SEK + 400 per carer
    assert plan.kpis["cost_sek"] == pytest.approx(130 * 5 + 10 * 2.5 + 400)
    plan = route_plan(v, s.assign(max_overtime=[15]), {"car": line()},
                      distance={"car": line(0.5)}, max_iterations=50)
    assert plan.kpis["distance_km"] == 30.0
    assert plan.kpis["cost_sek"] == pytest.approx(130 * 5 + 10 * 2.5 + 400 + 30 * 4)


def _two_shifts_day():
    # anna 06:55-09 and ben 09-12 could split the day; cleo 07-12 can do it alone (no
    # break: a shift of five hours at most)
    v = visits(visit=["v1", "v2"], place=["a", "a"], earliest=["08:00", "11:00"],
               latest=["08:00", "11:00"], duration=[30, 30], client=["k1", "k1"])
    s = staff(["anna", "ben", "cleo"]).assign(shift_start=["06:55", "09:00", "07:00"],
                                              shift_end=["09:00", "12:00", "12:00"])
    return v, s


def test_cost_per_carer_used():
    v, s = _two_shifts_day()
    # without a cost per carer: cleo 100 min + ben 160 min beat cleo's 280 min alone
    plan = run(v, s, costs=PlanCosts(sek_per_carer=0))
    assert plan.stops.staff.tolist() == ["ben", "cleo"]
    assert plan.kpis["cost_sek"] == pytest.approx(260 * 5)
    plan = run(v, s)  # 400 SEK per carer: cleo alone, 280 min + 400
    assert plan.stops.staff.tolist() == ["cleo", "cleo"]
    assert plan.kpis["cost_sek"] == pytest.approx(280 * 5 + 400)


def test_continuity_usual_carers_and_max_carers():
    v, s = _two_shifts_day()
    plan = run(v, s, costs=PlanCosts(sek_per_carer=0), max_carers=1)
    assert plan.stops.staff.tolist() == ["cleo", "cleo"]
    assert plan.kpis["max_carers_per_client"] == 1
    # ben is the usual carer of v2's client; anna is the contact person of v1's
    v2 = v.assign(client=["k1", "k2"], usual_carers=["", "ben"], contact=["anna", ""])
    plan = run(v2, s, costs=PlanCosts(non_usual_sek=200))
    assert sorted(plan.stops.staff) == ["anna", "ben"]
    assert plan.kpis["usual_carer_share"] == 1.0
    assert plan.stops.usual.all()
    plan = run(v2, s, costs=PlanCosts(non_usual_sek=0))
    assert plan.stops.staff.tolist() == ["cleo", "cleo"]
    assert plan.kpis["usual_carer_share"] == 0.0
    curve = continuity_curve(v2, s, {"car": line()}, [0, 50, 200], max_iterations=100)
    assert curve.usual_carer_share.tolist() == [0.0, 0.0, 1.0]
    # the costs without continuity: 280 min + 400; 105 + 160 min + 2 x 400
    assert curve.cost_sek.tolist() == [1800.0, 1800.0, 2125.0]


def test_drops_name_the_blocking_constraint():
    v = visits(visit=["sk", "ex", "dbl", "win"], place=["a", "a", "a", "c"],
               earliest=["08:00", "08:00", "09:00", "07:00"],
               latest=["09:00", "09:00", "10:00", "07:10"], duration=[10, 10, 10, 10],
               skill=["insulin", "", "", ""], excluded=["", "anna", "", ""],
               staffing=[1, 1, 2, 1])
    plan = run(v, staff())
    got = dict(zip(plan.dropped.visit, plan.dropped.constraint, strict=True))
    assert got == {"sk": "skill", "ex": "excluded", "dbl": "synchronisation",
                   "win": "window"}


# ------------------------------------------------------------------ the hand plan
def test_manual_plan_checked_rule_by_rule_as_planned():
    v = visits(visit=["v1", "v2", "v3"], place=["a", "b", "a"],
               earliest=["08:00", "09:00", "09:00"], latest=["08:30", "09:30", "09:30"],
               duration=[30, 30, 20], skill=["", "insulin", ""], staffing=[1, 1, 2])
    s = staff(["anna", "ben"], break_min=[30, 30], break_earliest=["10:00", "10:00"],
              break_latest=["11:00", "11:00"], skills=["", "insulin"])
    manual = pd.DataFrame({"staff": ["anna", "anna", "anna", "ben", "ben"],
                           "visit": ["v1", "v2", "v3", "v3", "break"],
                           "start": ["07:05", "08:35", "09:30", "09:00", "10:00"],
                           "duration": ["", "", "", "", "30"]})
    plan = run(v, s, manual=manual)
    got = plan.manual.violations
    assert got == (
        "[shift] visit 'v1' (anna): planned start 07:05, cannot arrive before 07:10 (the "
        "shift starts 07:00, 10 min travel)",
        "[window] visit 'v1' (anna): starts 07:05, window 08:00-08:30",
        "[window] visit 'v2' (anna): starts 08:35, window 09:00-09:30",
        "[skill] visit 'v2': 'anna' lacks the skill",
        "[break] staff 'anna': no break of 30 min starting 10:00-11:00 (planned: none)",
        "[synchronisation] visit 'v3': the two staff start 09:30 and 09:00, 30 min apart; "
        "allowed 0 to 0",
    )
    assert plan.comparison.loc["breaks", "manual"] == 1
    assert plan.manual.served == 3
    # anna: office-a-b-a-office = 40; ben: office-a-office = 20
    assert plan.manual.travel == 60.0


def test_deterministic_mode_same_plan_under_cpu_load():
    def one():
        v = pd.read_csv(EXAMPLE / "visits.csv", dtype=str, keep_default_na=False)
        s = pd.read_csv(EXAMPLE / "staff.csv", dtype=str, keep_default_na=False)
        mats = {m: pd.read_csv(EXAMPLE / f"{m}.csv", index_col=0)
                for m in ("car", "walk", "bike")}
        return route_plan(v, s, mats, max_iterations=150, seed=3)

    quiet = one()
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
               for _ in range(3)]
    try:
        busy = one()
    finally:
        for b in burners:
            b.kill()
            b.wait()
    pd.testing.assert_frame_equal(quiet.stops, busy.stops)
    pd.testing.assert_frame_equal(quiet.breaks, busy.breaks)
    assert repr(quiet.kpis) == repr(busy.kpis)
    assert quiet.kpis["run"].startswith("deterministic: 150 iterations, seed 3")


def test_manual_plan_without_times_places_its_breaks_by_order():
    v = visits(visit=["v1", "v2"], place=["a", "a"], earliest=["08:00", "11:00"],
               latest=["08:30", "11:30"], duration=[30, 30])
    s = staff(break_min=[30], break_earliest=["10:00"], break_latest=["10:30"])
    with_break = pd.DataFrame({"staff": ["anna"] * 3, "visit": ["v1", "break", "v2"],
                               "order": [0, 1, 2]})
    plan = run(v, s, manual=with_break)
    assert plan.manual.violations == ()
    assert plan.manual.breaks[["start", "end"]].to_numpy().tolist() == [[600.0, 630.0]]
    assert plan.comparison.loc["breaks", "manual"] == 1
    late = with_break.assign(order=[0, 2, 1])  # the break after v2: 11:30-12:00, then back
    assert run(v, s, manual=late).manual.violations == (
        "[shift] staff 'anna': back at 12:10 after the shift end 12:00",
        "[break] staff 'anna': break starts at 11:30 after 10:30")
    # a table without break rows says nothing about breaks: not checked, and not counted 0
    plan = run(v, s, manual=with_break.iloc[[0, 2]])
    assert plan.manual.violations == ()
    assert np.isnan(plan.comparison.loc["breaks", "manual"])
