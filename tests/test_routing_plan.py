"""route_plan and ``hemopt route-plan``: a day from tables, drops with reasons, a manual plan
re-costed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hemopt.cli import main
from hemopt.day import route_plan
from hemopt.errors import InputError
from hemopt.travel import TravelModel

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "route_plan"


def tiny():
    places = ["office", "home", "a", "b", "c"]
    car = pd.DataFrame([[0, 8, 10, 12, 14], [8, 0, 6, 6, 9], [10, 6, 0, 5, 7],
                        [12, 6, 5, 0, 4], [14, 9, 7, 4, 0]], index=places, columns=places,
                       dtype=float)
    visits = pd.DataFrame({"visit": ["v1", "v2", "v3", "v4"], "place": ["a", "b", "c", "a"],
                           "earliest": ["10:30", "08:00", "09:00", "10:00"],
                           "latest": ["11:00", "08:30", "09:30", "10:30"],
                           "duration": [30, 30, 20, 20], "staffing": [1, 2, 1, 1],
                           "skill": ["", "", "insulin", ""], "excluded": ["", "", "", "ben"]})
    staff = pd.DataFrame({"staff": ["anna", "ben"], "mode": ["car", "walk"],
                          "start": ["office", "home"], "end": ["office", "home"],
                          "shift_start": ["07:30", "07:30"], "shift_end": ["12:00", "12:00"],
                          "skills": ["insulin", ""]})
    return visits, staff, {"car": car, "walk": car * 3}


def test_tiny_day_hand_checked():
    visits, staff, travel = tiny()
    plan = route_plan(visits, staff, travel, max_iterations=200)
    assert plan.kpis["served"] == 4 and plan.kpis["dropped"] == 0
    assert plan.kpis["double_served"] == 1
    s = plan.stops.set_index(["visit", "staff"])
    # insulin only by anna; v4 excludes ben
    assert s.loc["v3"].index.tolist() == ["anna"] and s.loc["v4"].index.tolist() == ["anna"]
    # both at v2 at the same minute
    assert s.loc["v2"].start.nunique() == 1
    # the shift is 4.5 h, under the 5 h rule: no break
    assert plan.kpis["breaks"] == 0
    assert plan.result.violations == ()


def test_too_few_staff_drops_with_reasons():
    visits, staff, travel = tiny()
    one = staff.iloc[[1]]  # ben alone: no insulin, excluded at v4, cannot do v2 alone
    plan = route_plan(visits, one, travel, max_iterations=50)
    assert dict(zip(plan.dropped.visit, plan.dropped.reason, strict=True)) == {
        "v2": "no_second_staff", "v3": "skill_missing", "v4": "all_staff_excluded"}
    assert plan.kpis["served"] + plan.kpis["dropped"] == len(visits)
    # crowded: twelve 1-hour visits at 08:00-08:30 for two staff: most are dropped, none late
    many = pd.DataFrame({"visit": [f"x{i}" for i in range(12)], "place": "a",
                         "planned": "08:15", "duration": 60})
    plan = route_plan(many, staff, travel, tolerance_min=15, max_iterations=50)
    assert plan.kpis["served"] == 2
    assert set(plan.dropped.reason) == {"no_capacity"}
    assert plan.kpis["total_tardiness_min"] == 0
    assert (plan.stops.start <= 8 * 60 + 30).all()


def test_manual_plan_recosted_with_violations():
    visits, staff, travel = tiny()
    manual = pd.DataFrame({"staff": ["anna", "ben", "ben", "ben", "anna"],
                           "visit": ["v1", "v2", "v3", "v4", "v2"],
                           "order": [0, 0, 1, 2, 1]})
    plan = route_plan(visits, staff, travel, manual=manual, max_iterations=100)
    v = plan.manual.violations
    assert "[skill] visit 'v3' copy 0: staff 'ben' lacks skill 0" in v
    assert "[excluded] visit 'v4': staff 'ben' is excluded by the client" in v
    # anna: office -> a (10) -> b (5) -> office (12); ben walks home -> b -> c -> a -> home
    assert plan.manual.travel == pytest.approx(27 + 3 * (6 + 4 + 7 + 6))
    assert list(plan.comparison.columns) == ["manual", "optimised"]
    assert plan.comparison.loc["violations", "manual"] == len(v)
    assert plan.comparison.loc["travel_min", "optimised"] <= plan.manual.travel


def test_places_and_travel_models():
    visits, staff, _ = tiny()
    places = pd.DataFrame({"place": ["office", "home", "a", "b", "c"],
                           "x": [0, 900, 1000, 1500, 2000], "y": [0, 0, 300, 0, 300]})
    models = {"car": TravelModel.urban(), "walk": TravelModel.walking()}
    plan = route_plan(visits, staff, models, places=places, max_iterations=100)
    assert plan.kpis["served"] == 4
    assert plan.kpis["distance_km"] > 0
    xy = places[["x", "y"]].to_numpy(float)
    car = TravelModel.urban().time_matrix_min(xy)
    assert np.allclose(plan.problem.travel[0], car)


@pytest.mark.parametrize(("change", "msg"), [
    (lambda v, s: (v.drop(columns="duration"), s), "missing column"),
    (lambda v, s: (v.assign(place=["a", "b", "zz", "a"]), s),
     "visit 'v3', column 'place': place not in the travel matrices, got 'zz'"),
    (lambda v, s: (v, s.assign(mode=["car", "boat"])),
     "staff 'ben', column 'mode': no travel data"),
    (lambda v, s: (v.assign(earliest="8h"), s),
     "visit 'v1', column 'earliest': not a clock time"),
    (lambda v, s: (v.assign(excluded=["", "", "", "zoe"]), s),
     "visit 'v4', column 'excluded': staff id not in the staff table, got 'zoe'"),
])
def test_bad_tables(change, msg):
    visits, staff, travel = tiny()
    v0, s0 = visits.copy(), staff.copy()
    v, s = change(visits, staff)
    with pytest.raises(InputError, match=msg):
        route_plan(v, s, travel, max_iterations=5)
    pd.testing.assert_frame_equal(visits, v0)
    pd.testing.assert_frame_equal(staff, s0)


def example_args(out, *extra):
    args = ["route-plan", str(EXAMPLE / "visits.csv"), str(EXAMPLE / "staff.csv")]
    for m in ("car", "walk", "bike"):
        args += ["--matrix", f"{m}={EXAMPLE / (m + '.csv')}"]
    return [*args, "--distance", f"car={EXAMPLE / 'car_km.csv'}", "--out", str(out), *extra]


def test_cli_example(tmp_path, capsys):
    out = tmp_path / "plan"
    assert main(example_args(out, "--manual", str(EXAMPLE / "manual_plan.csv"),
                             "--iterations", "300")) == 0
    text = capsys.readouterr().out
    assert "manual" in text and "optimised" in text
    assert "run: deterministic: 300 iterations, seed 0" in text
    kpis = pd.read_csv(out / "kpis.csv", index_col="kpi")
    assert kpis.loc["travel_min", "manual"] == pytest.approx(382.8)
    # the hand plan's four planned breaks are counted, and it breaks no rule
    assert kpis.loc["breaks", "manual"] == 4 and kpis.loc["violations", "manual"] == 0
    assert kpis.loc["travel_min", "optimised"] < kpis.loc["travel_min", "manual"]
    assert kpis.loc["double_served", "optimised"] == 2
    stops = pd.read_csv(out / "stops.csv")
    breaks = pd.read_csv(out / "breaks.csv")
    # a 30-min break 3-5 hours into each used six-hour shift, in HH:MM
    assert len(breaks) == stops.staff.nunique()
    assert breaks.start.between("10:00", "12:00").all()
    assert len(stops) == 18  # 16 visits, two of them double
    assert (out / "manual_violations.txt").read_text() == ""
    assert main(["route-plan", str(EXAMPLE / "visits.csv"), str(EXAMPLE / "staff.csv"),
                 "--matrix", "car", "--out", str(out)]) == 2


def test_cli_places_and_models(tmp_path, capsys):
    visits, staff, _ = tiny()
    visits.to_csv(tmp_path / "visits.csv", index=False)
    staff.to_csv(tmp_path / "staff.csv", index=False)
    pd.DataFrame({"place": ["office", "home", "a", "b", "c"],
                  "x": [0, 900, 1000, 1500, 2000], "y": [0, 0, 300, 0, 300]}).to_csv(
        tmp_path / "places.csv", index=False)
    out = tmp_path / "plan"
    base = ["route-plan", str(tmp_path / "visits.csv"), str(tmp_path / "staff.csv"),
            "--places", str(tmp_path / "places.csv"), "--out", str(out)]
    assert main([*base, "--model", "car=urban", "--model", "walk=4.5",
                 "--iterations", "50"]) == 0
    kpis = pd.read_csv(out / "kpis.csv", index_col="kpi")
    assert kpis.loc["served", "optimised"] == 4
    assert kpis.loc["distance_km", "optimised"] > 0
    assert main([*base, "--model", "car=urban", "--model", "walk=fast"]) == 2
    assert "neither a preset" in capsys.readouterr().err


def test_cli_outputs_prechecked_locked_atomic_and_neutralised(tmp_path, capsys):
    from hemopt._io import output_lock

    out = tmp_path / "plan"
    assert main(example_args(out, "--manual", str(EXAMPLE / "manual_plan.csv"),
                             "--iterations", "20")) == 0
    assert (out / "manual_stops.csv").exists()
    # a new plan without --manual: the old hand plan's files are removed, not left beside it
    assert main(example_args(out, "--iterations", "20")) == 0
    assert not (out / "manual_stops.csv").exists()
    assert not (out / "manual_violations.txt").exists()
    assert sorted(p.name for p in out.iterdir()) == ["breaks.csv", "dropped.csv", "kpis.csv",
                                                     "notes.txt", "stops.csv"]
    capsys.readouterr()
    # --out/dropped.csv is a folder: refused before any solving or writing
    bad = tmp_path / "bad"
    (bad / "dropped.csv").mkdir(parents=True)
    assert main(example_args(bad, "--iterations", "20")) == 2
    assert "dropped.csv" in capsys.readouterr().err
    assert sorted(p.name for p in bad.iterdir()) == ["dropped.csv"]
    # a second run on the same --out fails at once
    with output_lock(out, "--out", folder=True):
        assert main(example_args(out, "--iterations", "20")) == 2
    assert "in use" in capsys.readouterr().err
    # a staff id a spreadsheet would run as a formula is written inert
    staff = pd.read_csv(EXAMPLE / "staff.csv", dtype=str, keep_default_na=False)
    evil = "=HYPERLINK(\"x\")"
    staff.loc[0, "staff"] = evil
    staff.to_csv(tmp_path / "staff.csv", index=False)
    visits = pd.read_csv(EXAMPLE / "visits.csv", dtype=str, keep_default_na=False)
    for col in ("contact", "usual_carers"):
        visits[col] = visits[col].str.replace("anna", evil)
    visits.to_csv(tmp_path / "visits.csv", index=False)
    args = example_args(tmp_path / "f", "--iterations", "50")
    args[1:3] = [str(tmp_path / "visits.csv"), str(tmp_path / "staff.csv")]
    assert main(args) == 0
    text = (tmp_path / "f" / "stops.csv").read_text()
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


def test_example_keeps_continuity_serves_all_and_cuts_travel():
    """The issue's bar on the shipped example with usual carers (docs/routing.md)."""
    def read(name):
        return pd.read_csv(EXAMPLE / name, dtype=str, keep_default_na=False)

    mats = {m: pd.read_csv(EXAMPLE / f"{m}.csv", index_col=0) for m in ("car", "walk", "bike")}
    plan = route_plan(read("visits.csv"), read("staff.csv"), mats,
                      distance={"car": pd.read_csv(EXAMPLE / "car_km.csv", index_col=0)},
                      manual=read("manual_plan.csv"))
    k, m = plan.kpis, plan.comparison["manual"]
    served_by_hand = set(plan.problem.visit_ids[v] for v in plan.manual.stops.visit)
    assert served_by_hand <= set(plan.stops.visit)
    assert k["dropped"] == 0 and m["violations"] == 0
    assert k["usual_carer_share"] >= 0.5
    assert k["travel_min"] < m["travel_min"]
    assert k["cost_sek"] < m["cost_sek"]


def _swedish_excel_export(src: Path, dst: Path) -> None:
    """``src`` as Swedish Excel saves a CSV: semicolons, decimal commas, Windows-1252, lists
    in a cell separated by ``|`` (``;`` being the delimiter)."""
    df = pd.read_csv(src, dtype=str, keep_default_na=False)
    for col in df.columns:
        df[col] = df[col].str.replace(";", "|", regex=False).str.replace(
            r"^(\d+)\.(\d+)$", r"\1,\2", regex=True)
    dst.write_bytes(df.to_csv(index=False, sep=";").encode("cp1252"))


def test_cli_reads_swedish_excel_csv_and_workbooks(tmp_path, capsys):
    """The same day read from comma CSV, from Swedish Excel CSV (semicolons, decimal commas,
    Windows-1252, ``|`` lists, an 'Åsa' in the staff) and from .xlsx workbooks gives the same
    plan: the tables are read as the client lists are."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("visits.csv", "staff.csv", "car.csv", "walk.csv", "bike.csv"):
        text = (EXAMPLE / name).read_text(encoding="utf-8").replace("anna", "Åsa")
        (src / name).write_text(text, encoding="utf-8")
    sv = tmp_path / "sv"
    sv.mkdir()
    for name in ("visits.csv", "staff.csv", "car.csv", "walk.csv", "bike.csv"):
        _swedish_excel_export(src / name, sv / name)
    assert b";" in (sv / "car.csv").read_bytes() and b"," in (sv / "car.csv").read_bytes()
    xl = tmp_path / "xl"
    xl.mkdir()
    for name in ("visits", "staff"):
        pd.read_csv(src / f"{name}.csv", dtype=str, keep_default_na=False).to_excel(
            xl / f"{name}.xlsx", index=False)

    def plan(folder: Path, visits: Path, staff: Path) -> pd.DataFrame:
        out = tmp_path / f"out_{folder.name}"
        args = ["route-plan", str(visits), str(staff), "--out", str(out), "--iterations", "200"]
        for mode in ("car", "walk", "bike"):
            args += ["--matrix", f"{mode}={folder / (mode + '.csv')}"]
        assert main(args) == 0
        return pd.read_csv(out / "stops.csv")

    base = plan(src, src / "visits.csv", src / "staff.csv")
    assert "Åsa" in set(base.staff)
    pd.testing.assert_frame_equal(plan(sv, sv / "visits.csv", sv / "staff.csv"), base)
    pd.testing.assert_frame_equal(plan(src, xl / "visits.xlsx", xl / "staff.xlsx"), base)
    capsys.readouterr()
