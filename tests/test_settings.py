"""StudySettings: TOML and dict round trips, checked input, compare/compare_seeds/CLI taking it,
comparison.json recording it whole, and --no-care reaching every decomposition step."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import hemopt
from hemopt import InputError, RoutingSettings, StudySettings
from hemopt.assumptions import by_name
from hemopt.bases import BaseRule
from hemopt.day.care import CareParams
from hemopt.settings import ContinuitySettings

# small scenarios lie outside the approximation's fitted range: it warns, as it should
pytestmark = pytest.mark.filterwarnings("ignore::hemopt.day.approx.ExtrapolationWarning")


def _custom() -> StudySettings:
    s = StudySettings(
        routing=RoutingSettings(method="solver", max_iterations=None, time_limit_s=2.5,
                                workers=1),
        cost=hemopt.CostParams(staff_sek_per_hour=377.0, fixed_sek_per_provider=0.0),
        visits=hemopt.VisitParams(min_visit_min=12.0),
        shifts=hemopt.ShiftParams(evening=(960, 1300)),
        care=CareParams(enabled=False, break_min=20.0),
        bases=BaseRule(min_hours_per_week=200.0),
        travel=hemopt.TravelModes(walk_within_m=800.0, bike_within_m=1500.0),
        continuity=ContinuitySettings(enabled=False, routing="solver", max_iterations=40))
    from hemopt.assumptions import check_overrides

    return s.replace(assumptions=check_overrides({"sek_per_km": {"low": 3.0, "vary": False},
                                                  "lou_guarantee": {
                                                      "alternatives": ["nearest", "none"]}}))


def test_dict_and_toml_round_trip(tmp_path):
    s = _custom()
    assert StudySettings.from_dict(s.to_dict()) == s
    assert StudySettings.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    path = tmp_path / "study.toml"
    s.to_toml(path)
    back = StudySettings.from_toml(path)
    assert back == s
    assert back.routing.max_iterations is None and back.routing.time_limit_s == 2.5
    assert back.care.enabled is False and back.routing_settings().care.enabled is False
    assert by_name("sek_per_km", back.assumptions).low == 3.0
    assert by_name("sek_per_km", back.assumptions).vary is False
    assert StudySettings.from_toml(_write(tmp_path, "")) == StudySettings()  # all defaults


def _write(tmp_path, text: str):
    p = tmp_path / "s.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(("text", "message"), [
    ("[cost]\nstaff_sek_per_hr = 1\n", "settings [cost]: unknown key 'staff_sek_per_hr'"),
    ("[costs]\n", "unknown key 'costs'"),
    ("[cost]\nsek_per_km = -1.0\n", "sek_per_km must be a finite number >= 0, got -1"),
    ("[cost]\nsek_per_km = \"four\"\n", "[cost] sek_per_km: expected a number, got 'four'"),
    ("[routing]\nmethod = \"guess\"\n", "routing must be 'solver' or 'approx', got 'guess'"),
    ("[care]\nenabled = 1\n", "[care] enabled: expected true or false, got 1"),
    ("[routing]\nmax_iterations = 2.5\n", "max_iterations: expected a whole number"),
    ("[continuity]\nenabled = \"sometimes\"\n", "continuity.enabled must be"),
    ("[assumptions.sek_per_kms]\nlow = 1.0\n", "unknown assumption 'sek_per_kms'"),
    ("[assumptions.sek_per_km]\nlow = 9.0\n", "need low < high with the default"),
    ("[routing\n", "is not valid TOML"),
])
def test_bad_settings_name_the_key_and_value(tmp_path, text, message):
    with pytest.raises(InputError) as e:
        StudySettings.from_toml(_write(tmp_path, text))
    assert message in str(e.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match=r"settings file .*nope\.toml"):
        StudySettings.from_toml(tmp_path / "nope.toml")


def test_care_belongs_to_one_place():
    with pytest.raises(InputError, match=r"StudySettings\.care"):
        StudySettings(routing=RoutingSettings(care=CareParams(enabled=False)))


def test_custom_travel_models_cannot_be_written():
    s = StudySettings(travel=hemopt.TravelModes.car_only(hemopt.TravelModel(speed_kmh=30.0)))
    with pytest.raises(InputError, match="custom travel models"):
        s.to_dict()


@pytest.fixture(scope="module")
def small():
    return hemopt.generate("strangnas", seed=1, scale=0.05)


def test_compare_with_settings_equals_keywords_and_records_them(small, tmp_path):
    s = StudySettings(routing=RoutingSettings(method="approx"),
                      cost=hemopt.CostParams(sek_per_km=5.0),
                      bases=BaseRule(min_hours_per_week=100.0),
                      continuity=ContinuitySettings(enabled=False))
    a = hemopt.compare(small, seed=2, settings=s)
    b = hemopt.compare(small, seed=2, routing="approx", cost=hemopt.CostParams(sek_per_km=5.0),
                       base_rule=BaseRule(min_hours_per_week=100.0), continuity=False)
    assert a.table.equals(b.table)
    path = a.to_json(tmp_path / "comparison.json")
    doc = json.loads(path.read_text())
    assert StudySettings.from_dict(doc["parameters"]["settings"]) == s
    # the keyword path records its settings too
    assert StudySettings.from_dict(b.parameters["settings"]) == s


def test_settings_and_keywords_together_are_refused(small):
    with pytest.raises(InputError, match=r"either settings= or the keywords \['routing'\]"):
        hemopt.compare(small, settings=StudySettings(), routing="approx")
    with pytest.raises(InputError, match=r"keywords \['care'\]"):
        hemopt.compare_seeds(small, seeds=(1,), settings=StudySettings(),
                             care=CareParams(enabled=False))
    with pytest.raises(InputError, match=r"expected hemopt\.StudySettings"):
        hemopt.compare(small, settings={"routing": {}})


def test_no_care_reaches_every_decomposition_step(tmp_path, monkeypatch):
    """``hemopt compare --no-care`` gives the decomposition of
    ``compare_seeds(settings=StudySettings(care off))``, and every routed day, the regimes'
    and the counterfactual steps', has care off (it was rebuilt without care before)."""
    import importlib

    from hemopt.cli.main import main

    compare_mod = importlib.import_module("hemopt.compare")  # hemopt.compare is the function
    ranges_mod = importlib.import_module("hemopt.ranges")

    seen: list[bool] = []
    real = compare_mod.evaluate

    def spy(a, *, routing=None, **kw):
        seen.append(routing.care is None or routing.care.enabled)
        return real(a, routing=routing, **kw)

    monkeypatch.setattr(compare_mod, "evaluate", spy)
    monkeypatch.setattr(ranges_mod, "evaluate", spy)
    out = tmp_path / "cli"
    assert main(["compare", "--preset", "strangnas", "--scale", "0.05", "--seed", "1",
                 "--seeds", "1", "--routing", "solver", "--max-iterations", "20",
                 "--no-care", "--no-continuity", "--workers", "1", "--out", str(out)]) == 0
    n_cli = len(seen)
    assert n_cli > 3 and not any(seen)  # 3 regimes and the steps: care off in each
    doc = json.loads((out / "comparison.json").read_text())
    s = StudySettings(routing=RoutingSettings(max_iterations=20, workers=1),
                      care=CareParams(enabled=False),
                      continuity=ContinuitySettings(enabled=False))
    assert StudySettings.from_dict(doc["parameters"]["settings"]) == s
    seen.clear()
    r = hemopt.compare_seeds(lambda seed: hemopt.generate("strangnas", seed=seed, scale=0.05),
                             seeds=(1,), settings=s)
    assert len(seen) == n_cli and not any(seen)
    api = {k: [{**step, "interval": None, "cost_interval": None} for step in v]
           for k, v in r.to_dict()["decomposition"].items()}
    cli = {k: [{**step, "interval": None, "cost_interval": None} for step in v]
           for k, v in doc["decomposition"].items()}
    assert api == cli and api  # same steps, same km and cost changes


def test_cli_settings_file(tmp_path, capsys):
    from hemopt.cli.main import main

    s = StudySettings(routing=RoutingSettings(method="approx"),
                      continuity=ContinuitySettings(enabled=False))
    toml = tmp_path / "study.toml"
    s.to_toml(toml)
    out = tmp_path / "rep"
    assert main(["compare", "--preset", "botkyrka", "--scale", "0.05", "--seeds", "1",
                 "--no-decompose", "--settings", str(toml), "--out", str(out)]) == 0
    doc = json.loads((out / "comparison.json").read_text())
    assert StudySettings.from_dict(doc["parameters"]["settings"]) == s
    assert doc["parameters"]["routing"] == "approx"
    assert main(["compare", "--preset", "botkyrka", "--scale", "0.05", "--seeds", "1",
                 "--settings", str(toml), "--no-care", "--out", str(out)]) == 2
    assert "give each setting in the file or as an option" in capsys.readouterr().err


def test_replace_keeps_the_rest():
    s = _custom()
    t = s.replace(cost=replace(s.cost, sek_per_km=9.0))
    assert t.cost.sek_per_km == 9.0 and t.care == s.care and t.assumptions == s.assumptions


@pytest.mark.parametrize("toml, match", [
    ("[cost]\ndays_per_year = 0\n", r"CostParams.days_per_year must be in \(0, 366\], got 0"),
    ("[cost]\nstaff_sek_per_hour = 1e308\n",
     r"CostParams.staff_sek_per_hour must be at most 1e\+12, got 1e\+308"),
    ("[shifts]\nday = [-10, 420]\n", r"ShiftParams.day = \(-10, 420\).*0 <= start < end <= 2880"),
    ("[shifts]\nevening = [960, 3000]\n", r"ShiftParams.evening = \(960, 3000\)"),
    ("[routing]\nmax_iterations = 0\n",
     r"RoutingSettings.max_iterations must be a whole number >= 1 or None, got 0"),
    ("[routing]\ntime_limit_s = -1\n",
     r"RoutingSettings.time_limit_s must be a number of seconds > 0 or None, got -1"),
])
def test_implausible_settings_are_refused_naming_the_file(tmp_path, toml, match):
    """Found by the adversarial inputs: these were accepted, and gave fixed costs only, a
    shift before midnight, infinite costs, or an error later inside compare without the file."""
    p = tmp_path / "study.toml"
    p.write_text(toml)
    with pytest.raises(InputError, match=match) as err:
        StudySettings.from_toml(p)
    assert "study.toml" in str(err.value)
