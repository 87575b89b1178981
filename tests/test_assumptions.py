"""The registry of declared assumptions: defaults that are the code's defaults, values applied
where they belong, checked overrides, and docs/assumptions.md generated from it."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

import hemopt
from hemopt import InputError, StudySettings
from hemopt.assumptions import REGISTRY, by_name, check_overrides, markdown
from hemopt.bases import BaseRule
from hemopt.sensitivity.values import apply_values
from hemopt.synth import PRESETS, Preset

ROOT = Path(__file__).resolve().parents[1]


def test_docs_page_is_generated_from_the_registry():
    page = (ROOT / "docs" / "assumptions.md").read_text(encoding="utf-8")
    assert page == markdown(), ("docs/assumptions.md is stale: run "
                                ".venv/bin/python benchmarks/assumptions_page.py")
    for a in REGISTRY:
        assert f"`{a.name}`" in page


def test_the_issue_list_is_covered():
    names = {a.name for a in REGISTRY}
    assert {"lov_external_areas", "lov_external_offices", "n_external",
            "fixed_sek_per_provider", "follow_up_sek_per_external", "base_min_hours_per_week",
            "non_chooser_share", "walk_within_m", "bike_ring_m", "min_visit_min",
            "hours_median_per_month", "staff_sek_per_hour", "sek_per_km", "lou_guarantee",
            "procurement_quality_weight", "indirect_min_per_shift", "local_bases"} <= names


def test_settings_defaults_are_the_codes_defaults():
    """A declared default that differs from the value the code uses would describe another
    model: each is read back from its dataclass."""
    s = StudySettings()
    code = {
        "min_visit_min": s.visits.min_visit_min,
        "walk_within_m": s.travel.walk_within_m,
        "bike_ring_m": s.travel.bike_within_m - s.travel.walk_within_m,
        "base_min_hours_per_week": BaseRule().min_hours_per_week,
        "local_bases": "on" if BaseRule().local_bases else "off",
        **{f.name: getattr(s.cost, f.name) for f in fields(s.cost)},
        "hours_median_per_month": Preset.__dataclass_fields__["hours_median_per_month"].default,
        "n_external": sum(q.kind == "external" for q in PRESETS["strangnas"].providers),
        "non_chooser_share": 1.0,  # relative: the preset's own value
    }
    checked = 0
    for a in REGISTRY:
        if a.name in code:
            assert a.default == code[a.name], a.name
            checked += 1
    assert checked == 14


def test_defaults_change_nothing():
    p, s, opts = apply_values({a.name: a.default for a in REGISTRY if a.applies != "regimes"},
                              PRESETS["strangnas"], StudySettings())
    assert p == PRESETS["strangnas"] and s == StudySettings() and opts == {}


def test_values_land_where_declared():
    p, s, opts = apply_values(
        {"walk_within_m": 800.0, "bike_ring_m": 100.0, "fixed_sek_per_provider": 1e6,
         "base_min_hours_per_week": 80.0, "local_bases": "off", "min_visit_min": 5.0,
         "hours_median_per_month": 12.0,
         "non_chooser_share": 1.2, "n_external": 3, "lou_guarantee": "none",
         "procurement_quality_weight": 0.3},
        PRESETS["strangnas"], StudySettings())
    assert (s.travel.walk_within_m, s.travel.bike_within_m) == (800.0, 900.0)
    assert s.cost.fixed_sek_per_provider == 1e6 and s.bases.min_hours_per_week == 80.0
    assert s.bases.local_bases is False
    assert s.visits.min_visit_min == 5.0 and p.hours_median_per_month == 12.0
    assert p.non_chooser_share == pytest.approx(0.58 * 1.2)
    assert [q.provider_id for q in p.providers] == ["M", "E1", "E2", "E3"]
    assert opts == {"LOU": {"guarantee": "none"}, "Zoning": {"quality_weight": 0.3}}


def test_own_area_and_everywhere():
    p, _, _ = apply_values({"lov_external_areas": "own_area"}, PRESETS["strangnas"],
                           StudySettings())
    ext = [q for q in p.providers if q.kind == "external"]
    assert all(len(q.zones) == 1 for q in ext)
    # an external serves the area of its office
    assert all(q.office == f"zone:{q.zones[0]}" for q in ext if q.office.startswith("zone:"))
    assert [q.zones for q in ext][:2] == [("area3",), ("area2",)]  # E1, E2 served everywhere
    p, _, _ = apply_values({"lov_external_areas": "everywhere"}, PRESETS["strangnas"],
                           StudySettings())
    assert p.lov_declared_areas is False
    p, _, _ = apply_values({"lov_external_offices": "town_centre"}, PRESETS["strangnas"],
                           StudySettings())
    assert {q.office for q in p.providers} == {"zone:area3"}
    sc = hemopt.generate(p, seed=1, scale=0.05)  # the changed preset generates
    assert sc.n_providers == 8


def test_value_at_maps_the_unit_interval():
    n = by_name("n_external")
    assert [n.value_at(u) for u in (0.0, 0.5, 1.0)] == [3, 6, 10]
    assert all(type(n.value_at(u)) is int for u in (0.0, 0.33, 1.0))
    g = by_name("lou_guarantee")
    assert [g.value_at(u) for u in (0.0, 0.34, 0.67, 1.0)] == ["nearest", "below_share",
                                                               "none", "none"]
    with pytest.raises(InputError, match="position must be in"):
        g.value_at(1.5)


def test_overrides_are_checked():
    reg = check_overrides({"lov_external_areas": {"alternatives": ["preset", "own_area"]}})
    assert by_name("lov_external_areas", reg).alternatives == ("preset", "own_area")
    with pytest.raises(InputError, match="alternatives: expected some of"):
        check_overrides({"lov_external_areas": {"alternatives": ["nowhere"]}})
    with pytest.raises(InputError, match="vary: expected true or false"):
        check_overrides({"sek_per_km": {"vary": "yes"}})
    with pytest.raises(InputError, match="unknown assumptions"):
        apply_values({"sek_per_kilometre": 3.0}, PRESETS["strangnas"], StudySettings())


def test_lov_only_are_skipped_on_lou_presets():
    from hemopt.sensitivity.values import skip_reason

    why = skip_reason(by_name("n_external"), PRESETS["botkyrka"])
    assert why is not None and "LOV presets" in why
    assert skip_reason(by_name("sek_per_km"), PRESETS["botkyrka"]) is None


def test_regime_assumptions_reach_the_regimes():
    from hemopt.sensitivity.values import regime_options_supported

    assert regime_options_supported("lou_guarantee")
    assert regime_options_supported("procurement_quality_weight")
    sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    _, _, opts = apply_values({"lou_guarantee": "below_share",
                               "procurement_quality_weight": 0.3},
                              PRESETS["botkyrka"], StudySettings())
    regs = {r.name: r for r in hemopt.default_regimes(sc, regime_options=opts)}
    assert regs["LOU"].params()["guarantee"] == "below_share"
    assert regs["Zoning"].params()["tender"]["quality_weight"] == 0.3
    # the declared default is the regime's own default
    assert hemopt.LOU().params()["guarantee"] == by_name("lou_guarantee").default


def test_fixed_and_regime_defaults_are_the_codes_defaults():
    """The numbers declared as ``fixed`` (and the procurement's) are the ones the code uses:
    one source of truth, checked here since those modules keep their own constants."""
    import dataclasses

    from hemopt import synth
    from hemopt.continuity import PLANNER_WEIGHT
    from hemopt.day.plan import PlanCosts
    from hemopt.procurement import Tender
    from hemopt.roster import RosterParams
    from hemopt.scenario import ISOLATED_M

    r, p = RosterParams(), PlanCosts()
    code = {
        "double_staff_rate": synth.DOUBLE_STAFF_RATE,
        "delegated_rate": synth.DELEGATED_RATE,
        "licensed_share": synth.LICENSED_SHARE,
        "roster_part_time_share": r.part_time_share,
        "roster_absence_rate": r.absence_rate,
        "roster_pool_share": r.pool_share,
        "planner_weight": PLANNER_WEIGHT,
        "plan_sek_per_carer": p.sek_per_carer,
        "plan_overtime_sek_per_hour": p.overtime_sek_per_hour,
        "plan_non_usual_sek": p.non_usual_sek,
        "isolated_point_m": ISOLATED_M,
        "procurement_expansion_sek_per_hour": Tender().expansion_sek_per_hour,
        "procurement_quality_weight": Tender().quality_weight,
    }
    for name, value in code.items():
        assert by_name(name).default == value, name
    fixed = {a.name for a in REGISTRY if a.applies == "fixed"}
    assert fixed <= set(code) and not any(by_name(n).vary for n in fixed)
    # the route-plan command's defaults are the planner's
    import argparse

    from hemopt.cli.route_plan import add_parser

    sub = argparse.ArgumentParser().add_subparsers()
    cmd = add_parser(sub)
    d = {a.dest: a.default for a in cmd._actions}
    assert (d["carer_cost"], d["overtime_cost"], d["continuity_cost"], d["wage"],
            d["km_cost"]) == (p.sek_per_carer, p.overtime_sek_per_hour, p.non_usual_sek,
                              p.wage_sek_per_hour, p.sek_per_km)
    assert {f.name for f in dataclasses.fields(PlanCosts)} >= {"sek_per_carer",
                                                               "non_usual_sek"}


def test_fixed_assumptions_are_not_applied_silently():
    with pytest.raises(InputError, match=r"roster_absence_rate = 0\.2: a fixed assumption"):
        apply_values({"roster_absence_rate": 0.2}, PRESETS["strangnas"], StudySettings())
    a = by_name("roster_absence_rate")
    from hemopt.sensitivity.values import skip_reason

    assert "does not vary it" in skip_reason(a, PRESETS["strangnas"])


def test_expansion_cost_reaches_the_tender():
    _, _, opts = apply_values({"procurement_expansion_sek_per_hour": 2000.0,
                               "procurement_quality_weight": 0.3},
                              PRESETS["strangnas"], StudySettings())
    z = hemopt.Zoning(**opts["Zoning"])
    assert z.tender.expansion_sek_per_hour == 2000.0 and z.tender.quality_weight == 0.3
