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
    day_seed,
    fortnight_visits,
    route_horizon,
    staff_continuity,
    territories,
    territory_tradeoff,
)
from hemopt.day.visits import day_of_visits
from hemopt.errors import InputError, ScenarioError
from hemopt.roster import Roster, RosterParams, assign_staff, build_roster, is_weekend
from hemopt.routing.parallel import InstanceTask, solve_tasks
from hemopt.scenario import PATTERN_COLUMNS, weekly_pattern
from hemopt.travel import TravelModel, TravelModes

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


@pytest.mark.filterwarnings("ignore::hemopt.day.approx.ExtrapolationWarning")
def test_compare_reports_continuity_per_regime():
    sc = hemopt.generate("botkyrka", seed=2, scale=0.1)
    comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], seed=2, routing="approx",
                          continuity=True)
    doc = comp.to_dict()
    for rec in doc["regimes"]:
        assert rec["staff_per_client_14d_median"] >= 1
        assert rec["staff_per_client_14d_p90"] >= rec["staff_per_client_14d_median"]
        assert 0 <= rec["contact_person_visit_pct"] <= 100
    assert doc["parameters"]["continuity"]["days"] == 14
    off = hemopt.compare(sc, [hemopt.LOV()], seed=2, routing="approx", continuity=False)
    assert "staff_per_client_14d_median" not in off.table.columns
    assert off.to_dict()["parameters"]["continuity"] is False and off.continuity_runtime_s == 0


# ------------------------------------------------------------------ weekly visit patterns
@pytest.fixture(scope="module")
def small() -> hemopt.Scenario:
    return hemopt.generate("strangnas", seed=2, scale=0.05)


def test_generated_patterns_follow_the_rules(small) -> None:
    cl = small.clients
    p = weekly_pattern(small)
    v = cl["visits_per_day"].to_numpy()
    daily = v >= 1
    assert p.days[daily].all()  # daily care every day, weekends included
    assert not p.days[~daily][:, 5:].any()  # light clients: weekdays only
    k = np.clip(np.round(7 * v[~daily]), 1, 5)
    assert (p.days[~daily].sum(axis=1) == k).all()
    assert not p.task_min[:, 5:].any() and not p.task_min[~daily].any()
    names = {t[0] for ts in p.tasks for t in ts}
    assert names == {"shower", "cleaning"}
    # tasks on distinct weekdays, at most half of the weekly minutes
    for ts, h in zip(p.tasks, cl["hours_per_week"], strict=True):
        assert len({t[1] for t in ts}) == len(ts)
        assert sum(t[2] for t in ts) <= 0.5 * h * 60 + 1e-9
    assert cl["pattern_days"].str.len().eq(7).all()
    # the patterns have their own seed stream: the other draws are those of the generator
    # before the patterns (26 clients, 318.25 hours a week, checked against main at b7ee176)
    assert small.n_clients == 26 and cl["hours_per_week"].sum() == 318.25


def test_pattern_columns_survive_a_gpkg_round_trip(small, tmp_path) -> None:
    back = hemopt.Scenario.from_gpkg(small.to_gpkg(tmp_path / "s.gpkg"))
    assert back.clients["pattern_days"].tolist() == small.clients["pattern_days"].tolist()
    assert back.clients["pattern_tasks"].tolist() == small.clients["pattern_tasks"].tolist()


def test_bad_patterns_are_refused_naming_the_field(small) -> None:
    cl = small.clients.copy()
    cl.loc[0, "pattern_days"] = "11x1111"
    with pytest.raises(ScenarioError, match=r"row 'c00000', field 'pattern_days'.*'11x1111'"):
        small.replace(clients=cl)
    cl = small.clients.copy()
    cl.loc[1, "pattern_tasks"] = f"shower@2:{cl.loc[1, 'hours_per_week'] * 60 + 1:g}"
    with pytest.raises(ScenarioError, match="field 'pattern_tasks': tasks take more minutes"):
        small.replace(clients=cl)
    cl = small.clients.copy()
    cl.loc[2, "pattern_tasks"] = "shower@9:45"
    with pytest.raises(ScenarioError, match=r"weekday 0\.\.6"):
        small.replace(clients=cl)


def test_hand_made_pattern_gives_the_stated_visits(small) -> None:
    # 7 h a week: a shower of 45 min on Tuesday, cleaning of 60 min on Thursday, the other
    # 315 minutes as 45 minutes of routine care every day, two visits a day
    cl = small.clients.iloc[:1].copy()
    cl["hours_per_week"], cl["visits_per_day"] = 7.0, 2.0
    cl["pattern_days"], cl["pattern_tasks"] = "1111111", "shower@1:45;cleaning@3:60"
    sc = small.replace(clients=cl)
    v = fortnight_visits(sc, seed=4)
    per_day = v.groupby("day")["duration_min"].sum()
    assert per_day.round(6).tolist() == [45, 90, 45, 105, 45, 45, 45] * 2
    tasks = v[v["visit_id"].str.contains("-t")]
    assert sorted(tasks["day"].tolist()) == [1, 3, 8, 10]
    assert set(tasks["period"]) == {"chores"}
    assert v.groupby("day").size().tolist() == [2, 3, 2, 3, 2, 2, 2] * 2


def test_old_scenarios_repeat_the_one_day_draw(small) -> None:
    old = small.replace(clients=small.clients.drop(columns=list(PATTERN_COLUMNS)))
    assert weekly_pattern(old) is None
    assert "no visit pattern columns" in old.summary()["visit_patterns"]
    assert "weekly visit patterns" in small.summary()["visit_patterns"]
    v = fortnight_visits(old, seed=3)
    for d in (0, 4, 9):
        one = day_of_visits(old, ["_"] * old.n_clients, seed=day_seed(3, d % 7))
        got = v[v["day"] == d]
        assert got["duration_min"].tolist() == one["duration_min"].tolist()
        assert got["client_id"].tolist() == one["client_id"].tolist()


# ------------------------------------------------------------------ route-level continuity
def test_territory_penalty_keeps_routes_in_their_territory() -> None:
    # base at 0, stops at 1, 2, 3, 4 km on a line, territories A B A B. Free: one route
    # 0-1-2-3-4-0 (8 km). With a penalty larger than any saving, one route per territory:
    # 0-1-3-0 (6 km) and 0-2-4-0 (8 km), 14 km of true distance
    xy = np.array([[0, 0], [1000, 0], [2000, 0], [3000, 0], [4000, 0]], dtype=float)
    modes = TravelModes(car=TravelModel(detour_factor=1.0), walk_within_m=0.0,
                        bike_within_m=0.0)

    def task(penalty: float) -> InstanceTask:
        return InstanceTask(key=("P", 0, "day", "car"), xy=xy, earliest=np.full(4, 420.0),
                            latest=np.full(4, 900.0), service=np.full(4, 10.0),
                            shift=(420.0, 960.0, 540.0), mode="car", time_limit_s=None,
                            max_iterations=200, backend="pyvrp", seed=1,
                            labels=np.array([0, 1, 0, 1]), label_penalty_m=penalty)

    free, kept = (s.result for s in solve_tasks([task(0.0), task(50_000.0)], modes,
                                                  workers=1))
    assert len(free.routes) == 1 and free.distance == pytest.approx(8000.0)
    assert sorted(sorted(r) for r in kept.routes) == [[1, 3], [2, 4]]
    assert kept.distance == pytest.approx(14000.0)  # the true km, no penalty in it
    assert sorted(kept.route_distance) == pytest.approx([6000.0, 8000.0])


def test_territories_and_the_tradeoff(small) -> None:
    a = hemopt.assign(small, hemopt.LOV())
    rs = hemopt.RoutingSettings(max_iterations=30)
    free = route_horizon(a, seed=1, routing=rs, objective=None)  # penalties are metres
    terr = territories(free)
    # every (provider, shift, stairwell) of the horizon has a territory when its provider
    # and shift have routes on the Monday (the others are routed freely)
    monday = set(free.routes.loc[free.routes["day"] == 0, ["provider_id", "shift"]]
                 .itertuples(index=False, name=None))
    need = free.visits[["provider_id", "shift", "stairwell_id"]].drop_duplicates()
    assert all((p, s, w) in terr for p, s, w in need.itertuples(index=False)
               if (p, s) in monday)
    assert len(terr) == len(need[[(p, s) in monday for p, s in zip(
        need["provider_id"], need["shift"], strict=True)]])
    stair = dict(zip(small.clients["client_id"], small.clients["stairwell_id"], strict=True))

    def pure(hz) -> float:
        r = hz.routes.assign(label=[terr.get((p, s, stair[c]), -1) for p, s, c in zip(
            hz.routes["provider_id"], hz.routes["shift"], hz.routes["client_id"], strict=True)])
        return float((r.groupby("route_id")["label"].nunique() == 1).mean())

    kept = route_horizon(a, seed=1, routing=rs, territory=terr, territory_penalty_m=50_000.0,
                         objective=None)
    assert pure(kept) >= pure(free)
    assert pure(kept) == 1.0
    t = territory_tradeoff(a, (0.0, 50_000.0), seed=1, routing=rs)
    assert t.loc[0, "driven_km_per_day"] == pytest.approx(float(np.mean(free.driven_km)))
    assert t.loc[1, "driven_km_per_day"] == pytest.approx(float(np.mean(kept.driven_km)))
    with pytest.raises(InputError, match="territory_penalty_m needs routing with the solver"):
        route_horizon(a, routing=hemopt.RoutingSettings(method="approx"), territory=terr,
                      territory_penalty_m=1.0)
    with pytest.raises(InputError, match="territory_penalty_m must be a finite number >= 0"):
        hemopt.route_day(small, a, territory=terr, territory_penalty_m=-1.0)
