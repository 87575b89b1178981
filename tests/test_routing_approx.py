"""The continuous routing approximation (hemopt.day.approx) and its calibration
(hemopt.calibration)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import hemopt
from hemopt import InputError
from hemopt.calibration import (
    CalibrationSpec,
    approx_errors,
    calibration_days,
    error_summary,
    error_tables_markdown,
    fit_approx,
)
from hemopt.day.approx import (
    ApproxDayRouting,
    ApproxModel,
    ExtrapolationWarning,
    FitData,
    approximate_day,
)
from hemopt.day.care import CareParams
from hemopt.day.route import DayRouting, route_day
from hemopt.travel import MixedTravel, TravelModel, TravelModes

#: Documented 90th percentiles of the day totals' relative errors on held-out days
#: (docs/approximation.md): driven km, staff minutes, staff shifts.
P90_DAY = {"driven_km": 0.07, "staff_min": 0.03, "routes": 0.07}

#: Round constants for hand-checked values.
HAND = ApproxModel(kappa=0.5, line_haul=1.0, link=1.0, time_efficiency=0.9,
                   window_efficiency=1.0, wait_fluid=1.0, wait_gap=0.25, same_place_share=0.5,
                   round_down=0.0, cluster_m=800.0, spread_m=100.0)
DET = 1.3


def tt(d_m: float) -> float:
    """MixedTravel's driving minutes without overhead (25 km/h for 3 km, then 60 km/h)."""
    urban = min(d_m, 3000.0)
    return urban / (25 * 1000 / 60) + (d_m - urban) / (60 * 1000 / 60)


def test_one_stop_by_hand():
    est = HAND.predict([[1000.0, 0.0]], 30.0, [0.0, 0.0])
    # one house: ellipse of radius spread_m (×1.3 on the road), tour κ √(1·A)
    local = 0.5 * math.sqrt(math.pi * 100**2 * DET**2)
    assert est.travel_m == pytest.approx(local + 2 * 1300.0)
    # driving: the local leg, line-haul out and back, overhead 2 min on both trips
    assert est.travel_min == pytest.approx(tt(local) + 2 * tt(1300.0) + 2 * 2.0)
    assert est.routes == 1 and est.wait_min == 0.0 and est.dropped_stops == 0
    assert est.staff_min == pytest.approx(30.0 + est.travel_min)
    assert est.outside_range == ()


def test_two_settlements_by_hand():
    # 1 km and 6 km east of the office: two settlements (5 km apart > cluster_m)
    est = HAND.predict([[1000.0, 0.0], [6000.0, 0.0]], 30.0, [0.0, 0.0])
    local = 0.5 * math.sqrt(math.pi * 100**2 * DET**2)
    rbar = (1300.0 + 7800.0) / 2  # equal work in both: mean office distance
    assert est.travel_m == pytest.approx(2 * local + 5000 * DET + 2 * rbar)
    # the true tour office -> 1 km -> 6 km -> office is 15.6 km
    assert est.travel_m == pytest.approx(2 * 7800.0, rel=0.02)
    tau = (tt(1300.0) + tt(7800.0)) / 2
    assert est.travel_min == pytest.approx(2 * tt(local) + tt(6500.0) + 2 * tau + 2.0 * 3)


def test_routes_from_the_time_budget():
    # five 200-minute visits at one address 1 km away: 1,000 minutes of service
    est = HAND.predict(np.tile([[1000.0, 0.0]], (5, 1)), 200.0, [0.0, 0.0])
    # per route: 0.9 × 480 minus the line-haul (2 × 3.12 min) and the return overhead
    per_route = 0.9 * 480 - 2.0 - 2 * tt(1300.0)
    # work: service, one local leg per stop, an overhead for the 3 stops not at the same
    # address (5 stops, 4 repeats × same_place_share 0.5)
    local = 0.5 * math.sqrt(5 * math.pi * 100**2 * DET**2)
    work = 1000 + 5 * tt(local / 5) + 2.0 * 3
    assert work / per_route == pytest.approx(2.375, abs=0.001)
    assert est.routes == 3
    assert est.travel_m == pytest.approx(local + 2 * 1300.0 * 3)
    assert est.travel_min == pytest.approx(5 * tt(local / 5) + 3 * 2 * tt(1300.0) + 2.0 * (3 + 3))


def test_more_stops_and_larger_areas_cost_more():
    rng = np.random.default_rng(4)
    east = np.array([3000.0, 0.0])
    pts = rng.uniform(0, 2000, size=(120, 2)) + east
    model = ApproxModel()
    dist = [model.predict(pts[:n], 30.0, [0, 0], warn=False).travel_m for n in (10, 30, 60, 120)]
    assert np.all(np.diff(dist) > 0)
    small = model.predict(pts[:60], 30.0, [0, 0], warn=False)
    big = model.predict((pts[:60] - east) * 2 + east, 30.0, [0, 0], warn=False)
    assert big.travel_m > small.travel_m and big.travel_min > small.travel_min
    far = model.predict(pts[:60] + 10 / 3 * east, 30.0, [0, 0], warn=False)
    assert far.travel_m > small.travel_m and far.staff_min > small.staff_min
    longer = model.predict(pts[:60], 60.0, [0, 0], warn=False)
    assert longer.routes >= small.routes and longer.staff_min > small.staff_min


def test_same_interface_as_route_day():
    sc = hemopt.generate("botkyrka", seed=2, scale=0.15)
    a = hemopt.assign(sc, hemopt.LOV())
    ap = approximate_day(sc, a, seed=3)
    assert isinstance(ap, DayRouting) and isinstance(ap, ApproxDayRouting)
    assert ap.backend == "approx" and ap.results == {} and not ap.extrapolated
    sv = route_day(sc, a, seed=3, max_iterations=20)
    assert list(ap.routes.columns) == list(sv.routes.columns)
    assert ap.totals().keys() == sv.totals().keys()
    key = ["provider_id", "base", "shift", "mode", "stops", "visits"]
    assert ap.routes[key].equals(sv.routes[key])
    assert list(ap.dropped.columns) == list(sv.dropped.columns)
    assert len(ap.visits) == len(sv.visits) and len(ap.stops) == len(sv.stops)
    assert ap.routes["service_min"].sum() == pytest.approx(sv.routes["service_min"].sum())


@pytest.mark.parametrize(
    ("preset", "seed", "scale", "regime"),
    [("strangnas", 7, 0.25, hemopt.LOV()), ("botkyrka", 8, 0.12, hemopt.Zoning())],
)
def test_agrees_with_the_solver(preset, seed, scale, regime):
    sc = hemopt.generate(preset, seed=seed, scale=scale)
    a = hemopt.assign(sc, regime)
    # the approximation is fitted on the plain VRPTW: no second staff, no breaks, and
    # distance-minimising routes (its constants predate the cost objective of issue 27)
    sv = route_day(sc, a, seed=seed, max_iterations=200, time_limit_s=None,
                   care=CareParams(enabled=False), objective=None)
    ap = approximate_day(sc, a, seed=seed)
    s, e = sv.routes, ap.routes
    for col, tol in P90_DAY.items():
        assert e[col].sum() == pytest.approx(s[col].sum(), rel=tol), col
    assert ap.totals()["visits_dropped"] == sv.totals()["visits_dropped"]
    assert ap.totals()["travel_km_per_day"] == pytest.approx(
        sv.totals()["travel_km_per_day"], rel=P90_DAY["driven_km"])


def test_extrapolation_warns_and_flags():
    sc = hemopt.generate("strangnas", seed=1, scale=0.03)  # a day far below the fitted range
    a = hemopt.assign(sc, hemopt.LOV())
    with pytest.warns(ExtrapolationWarning, match="day_stops"):
        day = approximate_day(sc, a, seed=0)
    assert day.extrapolated
    row = day.outside_range.iloc[0]
    assert row["feature"] == "day_stops" and row["value"] < row["low"]
    # another travel model than those fitted (walking, cycling, MixedTravel: detour 1.3)
    with pytest.warns(ExtrapolationWarning, match="detour_factor"):
        est = ApproxModel().predict([[1000.0, 0.0]], 30.0, [0, 0], travel=TravelModel.rural())
    assert {f for f, *_ in est.outside_range} >= {"detour_factor", "kmh_1km"}
    # far too many stops: more than the largest fitted instance
    top = int({name: hi for name, _, hi in ApproxModel().fit_range}["n_stops"])
    pts = np.random.default_rng(0).uniform(0, 20_000, size=(top + 500, 2))
    with pytest.warns(ExtrapolationWarning, match="n_stops"):
        ApproxModel().predict(pts, 30.0, [10_000, 10_000])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = ApproxModel().predict(pts, 30.0, [10_000, 10_000], warn=False)
    assert "n_stops" in [f for f, *_ in est.outside_range]


def test_deterministic():
    sc = hemopt.generate("strangnas", seed=5, scale=0.2)
    a = hemopt.assign(sc, hemopt.Zoning())
    one = approximate_day(sc, a, seed=2).routes.drop(columns="runtime_s")
    two = approximate_day(sc, a, seed=2).routes.drop(columns="runtime_s")
    pd.testing.assert_frame_equal(one, two)
    other = approximate_day(sc, a, seed=3).routes
    assert not other["staff_min"].equals(one["staff_min"])


def test_visits_given_and_travel_model():
    sc = hemopt.generate("botkyrka", seed=2, scale=0.15)
    a = hemopt.assign(sc, hemopt.LOV())
    d1 = approximate_day(sc, a, seed=1)
    d2 = approximate_day(sc, a, visits=d1.visits)
    assert d2.totals() == pytest.approx(d1.totals(), nan_ok=True)
    slow = approximate_day(sc, a, seed=1,
                           travel=TravelModes(car=MixedTravel(urban_kmh=15.0)))
    assert slow.totals()["drive_hours_per_day"] > d1.totals()["drive_hours_per_day"]
    # everyone by car: more driven km than with walking and cycling staff
    cars = approximate_day(sc, a, seed=1, travel=MixedTravel())
    assert set(cars.routes["mode"]) == {"car"}
    assert cars.totals()["driven_km_per_day"] > d1.totals()["driven_km_per_day"]
    with pytest.warns(ExtrapolationWarning, match="detour_factor"):
        approximate_day(sc, a, seed=1, travel=MixedTravel(detour_factor=1.8))


def test_dropped_stops_like_the_solver():
    # a 300-minute stop cannot fit an evening shift of 360 minutes from 20 km away
    est = ApproxModel().predict([[1000.0, 0.0], [20_000.0, 0.0]], [30.0, 300.0], [0, 0],
                                shift="evening", warn=False)
    assert est.dropped_stops == 1 and est.service_min == 30.0
    none = ApproxModel().predict([[20_000.0, 0.0]], 400.0, [0, 0], shift="evening", warn=False)
    assert none.dropped_stops == 1 and none.routes == 0 and none.travel_m == 0.0


def test_bad_inputs():
    m = ApproxModel()
    with pytest.raises(InputError, match="xy"):
        m.predict([1.0, 2.0, 3.0], 30.0, [0, 0])
    with pytest.raises(InputError, match=r"xy\[1\]"):
        m.predict([[0.0, 0.0], [np.nan, 1.0]], 30.0, [0, 0])
    with pytest.raises(InputError, match=r"service_min\[0\] = -5"):
        m.predict([[0.0, 0.0]], -5.0, [0, 0])
    with pytest.raises(InputError, match="service_min: expected 2"):
        m.predict([[0.0, 0.0], [1.0, 1.0]], [1.0, 2.0, 3.0], [0, 0])
    with pytest.raises(InputError, match="earliest_min"):
        m.predict([[0.0, 0.0]], 30.0, [0, 0], earliest_min=600, latest_min=500)
    with pytest.raises(InputError, match="office_xy"):
        m.predict([[0.0, 0.0]], 30.0, [0, 0, 0])
    with pytest.raises(InputError, match="shift"):
        m.predict([[0.0, 0.0]], 30.0, [0, 0], shift="night")
    with pytest.raises(InputError, match="travel"):
        m.predict([[0.0, 0.0]], 30.0, [0, 0], travel=object())
    with pytest.raises(InputError, match=r"ApproxModel.kappa = -1"):
        ApproxModel(kappa=-1.0)
    with pytest.raises(InputError, match=r"ApproxModel.round_down = 1.5"):
        ApproxModel(round_down=1.5)
    sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    with pytest.raises(InputError, match="providers: expected"):
        approximate_day(sc, ["M"])
    with pytest.raises(InputError, match="model"):
        approximate_day(sc, ["M"] * sc.n_clients, model="fast")
    with pytest.raises(InputError, match="max_iterations"):
        calibration_days([], max_iterations=0)
    with pytest.raises(InputError, match="days"):
        fit_approx([])


def test_fit_data_residuals_are_the_log_ratios():
    sc = hemopt.generate("strangnas", seed=1, scale=0.1)
    day = route_day(sc, sc.clients["current_provider"], seed=1, max_iterations=50)
    data = FitData.from_days([day], labels=["d"])
    assert len(data.table) == len(day.routes) and set(data.table["day"]) == {"d"}
    model = ApproxModel()
    res = data.residuals(model.theta)
    pred = data.evaluate(model.theta)
    t = data.table
    assert res.shape == (4 * len(t),)
    np.testing.assert_allclose(res[len(t):2 * len(t)],
                               np.log(pred["staff_min"] / t["staff_min"].to_numpy()))
    rng = dict((n, (lo, hi)) for n, lo, hi in data.fit_range())
    assert rng["day_stops"] == (len(day.stops), len(day.stops))
    speeds = {"walk": 4.5, "bike": 13.0, "car": 25.0}
    present = [speeds[m] for m in set(t["mode"])]
    assert rng["kmh_1km"] == pytest.approx((min(present), max(present)), abs=0.1)


def test_fit_and_errors_on_a_tiny_calibration():
    days = calibration_days([CalibrationSpec("strangnas", 3, 0.08, "LOV")], max_iterations=50)
    model = fit_approx(days, refine=False)
    rng = dict((n, (lo, hi)) for n, lo, hi in model.fit_range)
    assert rng["day_stops"][0] == rng["day_stops"][1] == len(days[0].stops)
    per_group, per_day = approx_errors(model, days)
    assert len(per_group) == len(days[0].routes) and len(per_day) == 1
    summary = error_summary(per_group, per_day)
    assert set(summary["quantity"]) == {"driven_km", "staff_min", "routes"}
    # fitted on this day: its totals are close
    assert abs(per_day["driven_km_err"].iloc[0]) < 0.15
    assert abs(per_day["staff_min_err"].iloc[0]) < 0.05
    text = error_tables_markdown(per_group, per_day, title="tiny days")
    assert "| day totals | staff minutes |" in text and "on the 1 tiny days" in text


def test_calibration_spec_regimes():
    assert CalibrationSpec("strangnas", 1, 0.1, "LOU0.5").regime_object().external_share == 0.5
    with pytest.raises(InputError, match="unknown regime 'LOX'"):
        CalibrationSpec("strangnas", 1, 0.1, "LOX").regime_object()


def test_docs_error_tables_are_generated_for_the_shipped_constants():
    from pathlib import Path

    from hemopt.calibration import BEGIN_GENERATED, END_GENERATED, HOLDOUT_SPECS, fingerprint

    doc = (Path(__file__).resolve().parents[1] / "docs" / "approximation.md").read_text(
        encoding="utf-8")
    assert doc.count(BEGIN_GENERATED) == 1 and doc.count(END_GENERATED) == 1
    block = doc.split(BEGIN_GENERATED)[1].split(END_GENERATED)[0]
    # regenerate with: python -m hemopt.calibration --cache days.pkl --write-docs
    # docs/approximation.md (after changing the constants, the visits, shifts or travel modes)
    assert f"(fingerprint {fingerprint()})" in block, "the error tables are out of date"
    assert f"on the {len(HOLDOUT_SPECS)} held-out days" in block
    assert "| day totals | driven km (car) |" in block


def test_docs_constants_are_the_shipped_ones():
    from pathlib import Path

    from hemopt.calibration import BEGIN_CONSTANTS, END_CONSTANTS, constants_markdown

    doc = (Path(__file__).resolve().parents[1] / "docs" / "approximation.md").read_text(
        encoding="utf-8")
    block = doc.split(BEGIN_CONSTANTS)[1].split(END_CONSTANTS)[0]
    assert block.strip() == constants_markdown().strip()


def test_write_docs_tables_replaces_only_the_block(tmp_path):
    from hemopt.calibration import BEGIN_GENERATED, END_GENERATED, write_docs_tables

    page = tmp_path / "page.md"
    page.write_text(f"before\n{BEGIN_GENERATED}\nold\n{END_GENERATED}\nafter\n",
                    encoding="utf-8")
    write_docs_tables(page, "new table\n")
    assert page.read_text(encoding="utf-8") == (
        f"before\n{BEGIN_GENERATED}\nnew table\n{END_GENERATED}\nafter\n")
    (tmp_path / "plain.md").write_text("no block", encoding="utf-8")
    with pytest.raises(InputError, match="no generated block"):
        write_docs_tables(tmp_path / "plain.md", "x")
