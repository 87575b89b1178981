"""The regime registry (hemopt.regimes.registry): a toy regime declared and registered in this
file only, "Nearest" (every client to the provider with the nearest office), runs through
``compare``, the HTML report and the command line without editing hemopt; the baseline, the
colours, the options and the sweep's grid keys come from the registry."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from scipy.spatial.distance import cdist

import hemopt
from hemopt.cli import main
from hemopt.errors import InputError
from hemopt.regimes import (
    Caps,
    CostWeights,
    Layout,
    Market,
    Regime,
    RegimeParam,
    RegimeProblem,
    baseline_name,
    regime_class,
    regime_colour,
    regime_from_name,
    register_regime,
    registered_regimes,
    unregister_regime,
)

#: a small scenario: the approximation extrapolates a little, and says so
pytestmark = pytest.mark.filterwarnings(
    "ignore::hemopt.day.approx.ExtrapolationWarning")


class Nearest(Regime):
    """Every client to the provider whose office is nearest its home; beyond ``max_km``,
    to the municipality."""

    name = "Nearest"
    clients_choose = False
    colour = "#8172b3"
    in_default = False
    parameters = (RegimeParam("max_km", "farthest office a client is sent to, in km "
                              "(default: no limit)", compare=True),)

    def __init__(self, *, max_km: float | None = None, weights: CostWeights | None = None):
        if max_km is not None and not max_km > 0:
            raise InputError(f"max_km must be a number > 0, got {max_km!r}")
        self.max_km = max_km
        self.weights = weights or CostWeights()

    def layout(self, scenario, market=None) -> Layout:
        market = market or Market.of(scenario)
        return Layout(zones=scenario.zones,
                      default=int(np.flatnonzero(market.kinds == "municipal")[0]))

    def choosable(self, layout, market, zone):
        return np.ones((len(zone), len(market.provider_ids)), dtype=bool)

    def caps(self, layout, market, total_minutes) -> Caps:
        m = len(market.provider_ids)
        return Caps(minutes=np.full(m, np.inf), clients=np.full(m, np.inf))

    def problem(self, scenario, *, seed: int = 0) -> RegimeProblem:
        p = super().problem(scenario, seed=seed)
        km = cdist(scenario.client_xy(), scenario.provider_xy()) / 1000.0
        pick = km.argmin(axis=1)
        if self.max_km is not None:
            far = km[np.arange(len(pick)), pick] > self.max_km
            pick = np.where(far, p.layout.default, pick)
        allowed = np.zeros_like(p.allowed)
        allowed[np.arange(len(pick)), pick] = True
        return dataclasses.replace(p, allowed=allowed, cost=np.where(allowed, 0.0, np.inf))


@pytest.fixture
def nearest():
    """Nearest registered from this file, unregistered after the test."""
    register_regime(Nearest)
    yield Nearest
    unregister_regime("Nearest")
    assert "nearest" not in registered_regimes()


@pytest.fixture(scope="module")
def small():
    return hemopt.generate("strangnas", seed=1, scale=0.05)


def _nearest_ids(sc):
    km = cdist(sc.client_xy(), sc.provider_xy())
    return np.asarray(sc.provider_ids, dtype=object)[km.argmin(axis=1)]


def test_builtin_registry():
    assert list(registered_regimes()) == ["lov", "lou", "zoning"]
    assert baseline_name() == "LOV"
    assert regime_class("LOU") is hemopt.LOU
    assert [regime_colour(n) for n in ("LOV", "LOU", "Zoning")] == [
        "#4a6fa5", "#dd8452", "#55a868"]
    from hemopt.sweep import grid_keys

    assert list(grid_keys()) == ["preset", "scale", "n_external", "concentration",
                                 "external_share", "n_zones", "procured_share"]


def test_registry_refuses_clashes(nearest):
    class Twin(Nearest):
        pass  # same name, same key

    class SecondBaseline(Nearest):
        name = "Second"
        baseline = True

    with pytest.raises(InputError, match="unregister that one first"):
        register_regime(Twin)
    with pytest.raises(InputError, match="already the baseline"):
        register_regime(SecondBaseline)
    with pytest.raises(InputError, match="Regime subclass"):
        register_regime(int)
    with pytest.raises(InputError, match="unknown regime 'auction'; choose lov, lou, zoning "
                                         "or nearest"):
        regime_from_name("auction")


def test_toy_regime_through_compare_and_report(nearest, small, tmp_path):
    assert regime_from_name("nearest", max_km=3.0).max_km == 3.0
    assert regime_colour("Nearest") == "#8172b3"
    # not a default regime (in_default = False)
    assert [r.name for r in hemopt.default_regimes(small)] == ["LOV", "LOU", "Zoning"]
    comp = hemopt.compare(small, [hemopt.LOV(), Nearest()], routing="approx", seed=1,
                          continuity=False, progress=False)
    assert list(comp.table.index) == ["LOV", "Nearest"]
    got = comp.assignments["Nearest"].client_providers().astype(object)
    assert (got == _nearest_ids(small)).all()  # brute force: the nearest office
    assert comp.baseline == "LOV"
    d = comp.diff()
    km = comp.table["driven_km_per_day"]
    assert float(d.at["Nearest", "driven_km_per_day"]) == pytest.approx(
        float(km["Nearest"] - km["LOV"]))
    doc = comp.to_dict()
    assert [r["name"] for r in doc["regimes"]] == ["LOV", "Nearest"]
    assert doc["parameters"]["regimes"]["Nearest"]["max_km"] is None
    # without LOV the baseline is the first regime
    solo = hemopt.compare(small, [Nearest(), hemopt.Zoning()], routing="approx", seed=1,
                          continuity=False, progress=False)
    assert solo.baseline == "Nearest"
    assert float(solo.diff().at["Nearest", "driven_km_per_day"]) == 0.0
    page = hemopt.write_report(comp, tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Nearest" in page
    from hemopt.viz.compare import _REGIME_COLOURS

    assert _REGIME_COLOURS["Nearest"] == "#8172b3"  # the report's colour, from the registry


def test_toy_regime_through_the_cli(nearest, small, tmp_path, capsys):
    out = tmp_path / "rep"
    code = main(["compare", "--preset", "strangnas", "--scale", "0.05", "--seed", "1",
                 "--seeds", "1", "--routing", "approx", "--no-continuity", "--no-decompose",
                 "--regimes", "lov,nearest", "--max-km", "2.5", "--out", str(out), "-q"])
    assert code == 0, capsys.readouterr().err
    doc = json.loads((out / "comparison.json").read_text())
    regimes = doc["headline"]["regimes"] if "headline" in doc else doc["regimes"]
    assert [r["name"] for r in regimes] == ["LOV", "Nearest"]
    assert regimes[1]["parameters"]["max_km"] == 2.5
    assert "Nearest" in (out / "index.html").read_text(encoding="utf-8")
    printed = capsys.readouterr().out
    assert "versus LOV" in printed and "Nearest" in printed
    # assign: --regime nearest with its option; the option of another regime is refused
    code = main(["assign", "--preset", "strangnas", "--scale", "0.05", "--regime", "nearest",
                 "--max-km", "2.5"])
    assert code == 0
    assert "Nearest on" in capsys.readouterr().out
    code = main(["assign", "--preset", "strangnas", "--scale", "0.05", "--regime", "lov",
                 "--max-km", "2.5"])
    assert code == 2
    assert "--max-km applies to --regime nearest, not 'lov'" in capsys.readouterr().err


def test_cli_regimes_option_refuses(small, tmp_path, capsys):
    base = ["compare", "--preset", "strangnas", "--scale", "0.05", "--seeds", "1",
            "--routing", "approx", "--no-continuity", "--out", str(tmp_path / "r")]
    assert main([*base, "--regimes", "lov,auction"]) == 2
    assert "unknown regime 'auction'" in capsys.readouterr().err
    assert main([*base, "--regimes", "lov,zoning", "--guarantee", "none"]) == 2
    assert "--guarantee applies to no regime of --regimes" in capsys.readouterr().err
    assert main([*base, "--workers", "2"]) == 2
    assert "--workers applies to --routing solver" in capsys.readouterr().err


# ------------------------------------------------------------ adversarial inputs to compare
def _compare(sc, regimes=None):
    return hemopt.compare(sc, regimes, routing="approx", seed=1, continuity=False,
                          progress=False)


def test_one_client_without_areas(small):
    """default_regimes designed three zones for one client (and failed): now as many zones
    as clients, and the comparison conserves the client."""
    one = small.replace(clients=small.clients.iloc[:1].copy())
    providers = one.providers.copy()
    providers["zones"] = [()] * len(providers)
    bare = one.replace(zones=one.zones.iloc[:0], providers=providers)
    regs = hemopt.default_regimes(bare)
    assert [r.name for r in regs] == ["LOV", "Zoning"]  # LOU needs areas
    assert regs[1].n_zones == 1
    comp = _compare(bare)
    assert [c["clients_assigned"] for c in comp.conservation.values()] == [1, 1]
    assert all(c["visits_dropped"] == 0 for c in comp.conservation.values())


def test_one_provider_gives_every_regime_the_same_km(small):
    keep = set(small.providers.loc[small.providers["kind"] == "municipal", "provider_id"])
    clients = small.clients.copy()
    clients["ranking"] = [tuple(p for p in r if p in keep) for r in clients["ranking"]]
    clients["current_provider"] = [p if p in keep else None
                                   for p in clients["current_provider"]]
    sc = small.replace(providers=small.providers[small.providers["kind"] == "municipal"],
                       clients=clients)
    comp = _compare(sc)
    assert list(comp.table.index) == ["LOV", "Zoning"]  # no external to procure from
    km = comp.table["driven_km_per_day"]
    assert km["LOV"] == pytest.approx(km["Zoning"]) and km["LOV"] > 0


def test_every_client_at_one_address(small):
    cl = small.clients.copy()
    cl["stairwell_id"] = cl["stairwell_id"].iloc[0]
    cl["building_id"] = cl["building_id"].iloc[0]
    cl = cl.set_geometry([cl.geometry.iloc[0]] * len(cl), crs=cl.crs)
    comp = _compare(small.replace(clients=cl))
    assert all(c["clients_assigned"] == len(cl) for c in comp.conservation.values())
    # zoning: one area, one provider at the address
    assert comp.table.at["Zoning", "providers_per_stairwell"] == pytest.approx(1.0)


def test_provider_without_capacity_serves_nobody(small):
    pr = small.providers.copy()
    ext = pr.index[pr["kind"] == "external"]
    for j in ext:  # the preset's winner and every other external: no room at all
        pr.loc[j, "capacity_clients"] = 0
    with pytest.warns(UserWarning, match="no bidder can take lot"):  # said, not hidden
        comp = _compare(small.replace(providers=pr))
    assert comp.table.at["Zoning", "procurement_shortfall_hours_per_week"] > 0
    for name, a in comp.assignments.items():
        got = set(a.client_providers())
        assert not got & set(pr.loc[ext, "provider_id"]), name


def test_no_municipal_provider_is_refused_with_what_to_do(small):
    """A provider list without the municipality's own provider (the default that takes the
    non-choosers): a ScenarioError naming the providers' kinds and how to mark one, from the
    regimes and from the CLI; LOV with an explicit default runs."""
    pr = small.providers.copy()
    pr["kind"] = "external"
    sc = small.replace(providers=pr)
    with pytest.raises(hemopt.ScenarioError, match=r"mark one provider's kind as 'municipal'"
                       r".*\(value: 'external'\)"):
        _compare(sc, [hemopt.LOV()])
    comp = _compare(sc, [hemopt.LOV(default=str(pr["provider_id"].iloc[0]))])
    assert comp.conservation["LOV"]["clients_assigned"] == sc.n_clients


@pytest.mark.parametrize("share", [0.0, 0.5])
def test_lou_shares_at_the_edges(small, share):
    comp = _compare(small, [hemopt.LOV(), hemopt.LOU(share)])
    ext = comp.table.at["LOU", "external_share_hours"]
    assert 0.0 <= ext <= share + 1e-9
    if share == 0.0:
        assert ext == 0.0


def test_decomposition_routes_with_the_runs_base_rule(small, monkeypatch):
    """Every assignment the decomposition routes (the regimes' and the steps') carries the
    run's base rule, not a default one."""
    import importlib

    from hemopt.bases import BaseRule

    ranges_mod = importlib.import_module("hemopt.ranges")
    rules = []
    real = ranges_mod.evaluate

    def spy(a, **kw):
        rules.append(a.base_rule)
        return real(a, **kw)

    monkeypatch.setattr(ranges_mod, "evaluate", spy)
    rule = BaseRule(local_bases=False)
    r = hemopt.compare_seeds(small, seeds=(1,), routing="approx", base_rule=rule,
                             continuity=False, progress=False)
    assert len(r.decomposition) and rules  # the steps were routed here
    assert all(x == rule for x in rules)
    assert all(a.base_rule == rule for a in r.headline.assignments.values())
