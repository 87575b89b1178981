"""Continuity of care over 14 days: rosters, routes to staff, the KPIs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hemopt
from hemopt.continuity import (
    continuity_kpis,
    fortnight_visits,
    route_horizon,
    staff_continuity,
)
from hemopt.errors import InputError
from hemopt.roster import Roster, RosterParams, assign_staff, build_roster, is_weekend

DAYS = 14


def _two_staff(days: int = DAYS) -> Roster:
    staff = pd.DataFrame({"staff_id": ["s1", "s2"], "provider_id": "P", "kind": "regular",
                          "shift": "day", "contract_h_week": 38.25, "weekend": [0, 1]})
    return Roster(staff, np.ones((2, days), dtype=bool), np.zeros((2, days), dtype=bool))


def _alternating_routes(days: int = DAYS) -> pd.DataFrame:
    """Even days: routes {c1, c2} and {c3}; odd days: {c1} and {c2, c3}."""
    rows = []
    for d in range(days):
        groups = [["c1", "c2"], ["c3"]] if d % 2 == 0 else [["c1"], ["c2", "c3"]]
        for k, clients in enumerate(groups):
            for c in clients:
                rows.append({"day": d, "route_id": f"d{d}-r{k}", "provider_id": "P",
                             "shift": "day", "route_min": 240.0, "client_id": c,
                             "n_visits": 1})
    return pd.DataFrame(rows)


def _distinct(routes: pd.DataFrame, staffing: pd.DataFrame) -> dict[str, int]:
    m = routes.merge(staffing[["route_id", "staff_id"]], on="route_id")
    return m.groupby("client_id")["staff_id"].nunique().to_dict()


def test_hand_made_case_reaches_the_known_optimum() -> None:
    # c1 and c3 are on different routes on even days, c2 shares c1's route on even days and
    # c3's on odd days: at least 1 + 2 + 1 = 4 distinct (client, staff) pairs, and 4 is
    # reached when c1 and c3 each keep one staff member
    routes = _alternating_routes()
    out = assign_staff(routes, _two_staff(), weight=1.0)
    assert _distinct(routes, out) == {"c1": 1, "c2": 2, "c3": 1}
    assert out["kind"].eq("regular").all() and len(out) == 2 * DAYS


def test_hand_made_case_contact_person_keeps_c2s_first_staff() -> None:
    routes = _alternating_routes()
    out = assign_staff(routes, _two_staff(), weight=1.0, contact_weight=0.5)
    assert _distinct(routes, out) == {"c1": 1, "c2": 2, "c3": 1}
    by_route = dict(zip(out["route_id"], out["staff_id"], strict=True))
    # the contact person of c1 and c2 drives every even-day route with both of them
    assert len({by_route[f"d{d}-r0"] for d in range(0, DAYS, 2)}) == 1


def test_hand_made_case_with_a_staff_member_away_uses_a_temp() -> None:
    roster = _two_staff()
    absent = roster.absent.copy()
    absent[1, 3] = True
    roster = Roster(roster.staff, roster.rostered, absent)
    routes = _alternating_routes()
    out = assign_staff(routes, roster, weight=1.0)
    assert out.loc[out["day"] == 3, "kind"].tolist().count("agency") == 1
    # one temp on day 3 adds one face to each client on its route: c1 alone (total 4 + 1 + 1)
    # or c2 and c3 (4 + 2): both cost 6 distinct (client, staff) pairs, the optimum
    assert sum(_distinct(routes, out).values()) == 6


def test_weight_zero_ignores_continuity_and_is_worse() -> None:
    routes = _alternating_routes()
    out0 = assign_staff(routes, _two_staff(), weight=0.0)
    total0 = sum(_distinct(routes, out0).values())
    assert total0 >= 4


def test_roster_respects_contract_hours_and_rest_rules() -> None:
    rng = np.random.default_rng(3)
    demand = {p: {"day": rng.integers(2, 9, DAYS), "evening": rng.integers(0, 4, DAYS)}
              for p in ("A", "B", "C")}
    r = build_roster(demand, days=DAYS, seed=5)
    assert r.check_rules() == []
    reg = (r.staff["kind"] == "regular").to_numpy()
    hours = r.worked_hours()[reg]
    contract = r.staff["contract_h_week"].to_numpy()[reg] * 2
    assert (hours <= contract + 1e-9).all()
    work = r.rostered[reg]
    assert work[:, :7].sum(axis=1).max() <= 6 and work[:, 7:].sum(axis=1).max() <= 6
    weekend_group = r.staff["weekend"].to_numpy()[reg]
    for i, g in enumerate(weekend_group):
        off = [d for d in range(DAYS) if is_weekend(d) and (d // 7) % 2 != g]
        assert not work[i, off].any()
    # full-timers on day shifts work 9 shifts (72 h of 76.5), part-timers 7 (56 of 57.4)
    day_full = (r.staff["shift"].to_numpy()[reg] == "day") & (contract == 76.5)
    assert set(work[day_full].sum(axis=1).tolist()) == {9}
    assert not r.absent[~reg].any()
    # every weekend day's routes fit the weekend group on duty
    for p in demand:
        mine = reg & (r.staff["provider_id"].to_numpy() == p)
        for shift in ("day", "evening"):
            rows = mine & (r.staff["shift"].to_numpy() == shift)
            for d in (5, 6, 12, 13):
                assert r.rostered[rows, d].sum() >= demand[p][shift][d]


def test_roster_breaches_are_reported() -> None:
    r = _two_staff()
    rostered = np.ones((2, DAYS), dtype=bool)  # 7 days a week, both weekends
    bad = Roster(r.staff, rostered, r.absent)
    msgs = bad.check_rules()
    assert any("112 h rostered > contract 76.5 h" in m for m in msgs)
    assert any("7 days in week 1" in m for m in msgs)
    assert any("its weekend off" in m for m in msgs)


def test_absence_rate_is_near_the_parameter() -> None:
    demand = {f"P{i}": {"day": np.full(DAYS, 20), "evening": np.full(DAYS, 8)}
              for i in range(10)}
    r = build_roster(demand, days=DAYS, seed=1, params=RosterParams(absence_rate=0.09))
    reg = (r.staff["kind"] == "regular").to_numpy()
    assert 0.06 < r.absent[reg].mean() < 0.12


def test_errors_name_field_and_value() -> None:
    with pytest.raises(InputError, match=r"RosterParams.pool_share must be in \[0, 1\], got 2"):
        RosterParams(pool_share=2)
    with pytest.raises(InputError, match=r"demand\['A'\]\['day'\]: expected 14 counts"):
        build_roster({"A": {"day": [1, 2]}}, days=14)
    with pytest.raises(InputError, match="weight must be a finite number >= 0, got -1"):
        assign_staff(_alternating_routes(), _two_staff(), weight=-1)
    with pytest.raises(InputError, match=r"routes: day 14 outside the roster's 0\.\.13"):
        assign_staff(_alternating_routes(15), _two_staff())
    with pytest.raises(InputError, match="days must be a whole number >= 1, got 0"):
        fortnight_visits(hemopt.generate("strangnas", seed=1, scale=0.05), days=0)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_staff=st.integers(1, 6), days=st.integers(1, 8),
       weight=st.sampled_from([0.0, 0.5, 5.0]), contact=st.sampled_from([0.0, 1.0]))
def test_every_route_goes_to_exactly_one_staff_member_on_duty(
        seed: int, n_staff: int, days: int, weight: float, contact: float) -> None:
    rng = np.random.default_rng(seed)
    shifts = rng.choice(["day", "evening"], n_staff).tolist()
    staff = pd.DataFrame({"staff_id": [f"s{i}" for i in range(n_staff)] + ["pool"],
                          "provider_id": "P", "kind": ["regular"] * n_staff + ["pool"],
                          "shift": [*shifts, "any"],
                          "contract_h_week": [38.25] * n_staff + [0.0],
                          "weekend": [0] * n_staff + [-1]})
    rostered = rng.random((n_staff + 1, days)) < 0.7
    rostered[-1] = True
    absent = rng.random((n_staff + 1, days)) < 0.2
    absent[-1] = False
    roster = Roster(staff, rostered, absent)
    rows = []
    for d in range(days):
        for k in range(int(rng.integers(0, 5))):
            for c in rng.choice(8, size=int(rng.integers(1, 4)), replace=False):
                rows.append({"day": d, "route_id": f"d{d}-r{k}", "provider_id": "P",
                             "shift": ["day", "evening"][k % 2], "route_min": 200.0,
                             "client_id": f"c{c}", "n_visits": 1})
    routes = pd.DataFrame(rows, columns=["day", "route_id", "provider_id", "shift",
                                         "route_min", "client_id", "n_visits"])
    out = assign_staff(routes, roster, weight=weight, contact_weight=contact)
    assert sorted(out["route_id"]) == sorted(routes["route_id"].unique())
    assert out["route_id"].is_unique
    named = out[out["kind"] != "agency"]
    assert not named.duplicated(["day", "staff_id"]).any()  # one route a day per person
    idx = {s: i for i, s in enumerate(staff["staff_id"])}
    for row in named.itertuples():
        i = idx[row.staff_id]
        assert rostered[i, row.day] and not absent[i, row.day]
        assert staff["shift"].iloc[i] in (row.shift, "any")
    # pool staff never start a day shift after an evening shift (11 h of daily rest)
    pool = named[named["kind"] == "pool"].set_index("day")["shift"]
    for d in range(1, days):
        if pool.get(d - 1) == "evening":
            assert pool.get(d) != "day"
    assert out[out["kind"] == "agency"]["staff_id"].is_unique


@pytest.fixture(scope="module")
def horizon() -> object:
    sc = hemopt.generate("strangnas", seed=1, scale=0.1)
    return route_horizon(hemopt.assign(sc, hemopt.LOV()), days=DAYS, seed=1,
                         routing=hemopt.RoutingSettings(max_iterations=30))


def test_horizon_routes_every_served_visit(horizon) -> None:
    per_day = horizon.routes.groupby("day")["n_visits"].sum()
    drawn = horizon.visits.groupby("day").size()
    assert (per_day == drawn).all()
    # weekends: light clients get no visits
    assert drawn[[5, 6]].mean() < drawn[[0, 1, 2, 3, 4]].mean()


def test_continuity_is_deterministic_and_weight_helps(horizon) -> None:
    a = staff_continuity(horizon, weight=1.0, seed=2)
    b = staff_continuity(horizon, weight=1.0, seed=2)
    pd.testing.assert_frame_equal(a.staffing, b.staffing)
    assert a.kpis == b.kpis
    k0 = staff_continuity(horizon, weight=0.0, contact_weight=0.0, seed=2).kpis
    assert a.kpis["staff_per_client_14d_mean"] < k0["staff_per_client_14d_mean"]
    assert a.kpis["contact_person_visit_pct"] > k0["contact_person_visit_pct"]
    assert a.roster.check_rules() == []
    # every client has at most as many staff as visits, at least one
    cs = a.client_staff
    assert ((cs["staff"] >= 1) & (cs["staff"] <= cs["visits"])).all()


def test_continuity_kpis_values_are_seeded() -> None:
    sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    a = hemopt.assign(sc, hemopt.LOV())
    rs = hemopt.RoutingSettings(max_iterations=30)
    k1 = continuity_kpis(a, seed=3, routing=rs)
    k2 = continuity_kpis(a, seed=3, routing=rs)
    k1.pop("continuity_runtime_s")
    k2.pop("continuity_runtime_s")
    assert k1 == k2
    assert k1["clients_daily"] > 0
    assert 1 <= k1["staff_per_client_14d_median"] <= k1["staff_per_client_14d_p90"]
    assert 0 <= k1["temp_share"] < 0.5
    assert set(k1["staff_per_provider"]) <= set(sc.provider_ids)


@pytest.mark.filterwarnings("ignore::hemopt.routing.approx.ExtrapolationWarning")
def test_compare_reports_continuity_per_regime():
    sc = hemopt.generate("botkyrka", seed=2, scale=0.1)
    comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], seed=2, routing="approx",
                          continuity=True)
    doc = comp.to_dict()
    for rec in doc["regimes"]:
        assert rec["staff_per_client_14d_median"] >= 1
        assert rec["staff_per_client_14d_p90"] >= rec["staff_per_client_14d_median"]
        assert 0 <= rec["contact_person_visit_pct"] <= 100
    assert doc["parameters"]["continuity"] is True
