"""The model's figures beside published ones (docs/validation.md).

Run (about 25 minutes on 2 cores; prints Markdown, or JSON with --json):

    .venv/bin/python benchmarks/validation.py --preset strangnas --seeds 1 2 3 4 5

Each seed generates a new municipality of the preset (new clients, the same geography), and
:func:`hemopt.compare_seeds` compares LOV, LOU and zoning on it with PyVRP (``--max-iterations``
per instance, deterministic). The figures are medians with the range (min–max) over the
seeds; differences are paired (same seed, same clients, same day of visits).

- ``km_ratios``: km driven under LOV against zoning, and against the municipality serving
  every client alone (Trafikverket 2010:29: driving rises sharply when a private provider
  performs part of the visits).
- ``zoning_cost``: zoning's cost difference to LOV per year (Strängnäs 2021: about 3.2 MSEK a
  year from redrawing four areas into two).
- ``optimiser_gain``: the greedy constructive plan (``backend="greedy"``) against PyVRP on the
  same assignment and the same day (Laps Care, Eveborn et al. 2009: 10–15 %).
- ``time_use``: share of paid staff time in clients' homes (about 58 % in Swedish time logs)
  and travel as a share of visit-plus-travel time (about 18 % in one real day planned by hand).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import hemopt
from hemopt import RoutingSettings, SeedComparison, evaluate
from hemopt.evaluate import day_for

#: The published figures and their sources, as the page cites them.
PUBLISHED = {
    "trafikverket": "Vägverket/Trafikverket 2010:29, Valfrihet och transporter i hemtjänsten: "
                    "driving rises sharply when a private provider performs part of the "
                    "visits; two to three times as long when cleaning is split off to another "
                    "provider",
    "strangnas": "Strängnäs kommun 2021: redrawing four home-care areas into two saves about "
                 "3.2 MSEK a year; among the highest costs per home-care client in Sweden",
    "laps_care": "Eveborn, Rönnqvist et al., Interfaces 2009 (Laps Care): 10–15 % efficiency "
                 "gains from optimised planning over manual plans",
    "time_use": "Swedish time logs, 172 groups in 15 municipalities: about 58 % of staff time "
                "in clients' homes",
    "real_day": "one real Swedish home-care day (99 clients, 32 staff, planned by hand): "
                "travel about 18 % of visit-plus-travel time",
}


def _summary(values: Sequence[float]) -> dict[str, float]:
    """Median, min and max of ``values`` (NaN-free)."""
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if not len(v):
        return {"median": float("nan"), "low": float("nan"), "high": float("nan"), "n": 0}
    return {"median": float(np.median(v)), "low": float(v.min()), "high": float(v.max()),
            "n": len(v)}


def run_seeds(preset: str = "strangnas", seeds: Sequence[int] = (1, 2, 3, 4, 5), *,
              scale: float = 1.0, max_iterations: int = 300,
              progress: bool | Callable[[str], None] = False) -> SeedComparison:
    """LOV, LOU and zoning on a new municipality of ``preset`` for every seed."""
    return hemopt.compare_seeds(lambda s: hemopt.generate(preset, seed=s, scale=scale),
                                seeds=seeds, max_iterations=max_iterations, progress=progress,
                                continuity=False)  # (e) comes from benchmarks/continuity.py


def _settings(r: SeedComparison, seed: int, backend: str) -> RoutingSettings:
    p = r.comparisons[seed].parameters
    return RoutingSettings(method="solver", backend=backend,
                           max_iterations=p.get("max_iterations"),
                           time_limit_s=p.get("time_limit_s"))


def _route(r: SeedComparison, seed: int, assignment: Any, backend: str) -> Any:
    """Evaluate ``assignment`` on the seed's day of visits with ``backend`` (default visit,
    cost and shift parameters, as :func:`run_seeds`)."""
    vp = hemopt.VisitParams()  # run_seeds uses the defaults
    visits = day_for(assignment, seed=seed, params=vp)
    return evaluate(assignment, routing=_settings(r, seed, backend), seed=seed, visits=visits,
                    visit_params=vp)


def km_ratios(r: SeedComparison, *, one_provider: bool = True) -> dict[str, Any]:
    """km per day of LOV over zoning (and LOU over LOV), per seed; with ``one_provider``, LOV
    over the municipality serving every client alone (the same day, bases by the same rule)."""
    lov_zon, lou_lov, lov_one = [], [], []
    for seed, comp in r.comparisons.items():
        t = comp.table
        lov = float(t.loc["LOV", "driven_km_per_day"])
        if "Zoning" in t.index:
            lov_zon.append(lov / float(t.loc["Zoning", "driven_km_per_day"]))
        if "LOU" in t.index:
            lou_lov.append(float(t.loc["LOU", "driven_km_per_day"]) / lov)
        if one_provider:
            sc = comp.scenario
            kinds = list(sc.providers["kind"])
            m = sc.provider_ids[kinds.index("municipal") if "municipal" in kinds else 0]
            a = hemopt.assignment_from_providers(sc, np.full(sc.n_clients, m, dtype=object),
                                                 regime="one provider")
            km = _route(r, seed, a, comp.parameters["backend"]).kpis["driven_km_per_day"]
            lov_one.append(lov / km)
    out = {"lov_over_zoning": _summary(lov_zon), "lou_over_lov": _summary(lou_lov)}
    if one_provider:
        out["lov_over_one_provider"] = _summary(lov_one)
    out["external_share_lov"] = _summary(
        [float(c.table.loc["LOV", "external_share_hours"]) for c in r.comparisons.values()])
    return out


def zoning_cost(r: SeedComparison) -> dict[str, Any]:
    """Zoning's paired cost difference to LOV (MSEK per year), and what it consists of."""
    iv = r.interval("Zoning", "cost_sek_per_year")
    per_hour = r.interval("Zoning", "cost_per_care_hour_sek")
    lov_hour = r.interval("LOV", "cost_per_care_hour_sek")
    lov_cost = r.interval("LOV", "cost_sek_per_year")
    out = {
        "diff_msek": {"median": iv["diff_median"] / 1e6, "low": iv["diff_low"] / 1e6,
                      "high": iv["diff_high"] / 1e6, "n": int(iv["n"])},
        "diff_pct": {"median": iv["pct_median"], "low": iv["pct_low"], "high": iv["pct_high"]},
        "lov_cost_msek": {"median": lov_cost["median"] / 1e6, "low": lov_cost["low"] / 1e6,
                          "high": lov_cost["high"] / 1e6},
        "lov_cost_per_care_hour_sek": {k: lov_hour[k] for k in ("median", "low", "high")},
        "zoning_cost_per_care_hour_sek": {k: per_hour[k] for k in ("median", "low", "high")},
        "within_noise": bool(iv["within_noise"]),
    }
    fixed, variable = [], []
    for comp in r.comparisons.values():
        f = {n: float(comp.provider_tables[n]["fixed_sek_per_year"].sum()) for n in
             ("LOV", "Zoning")}
        c = {n: float(comp.table.loc[n, "cost_sek_per_year"]) for n in ("LOV", "Zoning")}
        fixed.append((f["Zoning"] - f["LOV"]) / 1e6)
        variable.append(((c["Zoning"] - f["Zoning"]) - (c["LOV"] - f["LOV"])) / 1e6)
    out["fixed_diff_msek"] = _summary(fixed)
    out["staff_and_driving_diff_msek"] = _summary(variable)
    out["providers_active"] = {n: _summary([float(c.table.loc[n, "providers_active"])
                                            for c in r.comparisons.values()])
                               for n in ("LOV", "Zoning")}
    d = r.decomposition_summary()
    if not d.empty:
        z = d[d["regime"] == "Zoning"]
        out["decomposition_msek"] = {str(s): c / 1e6
                                     for s, c in zip(z["step"], z["cost_change_sek"],
                                                     strict=True)}
        out["decomposition_km"] = {str(s): {"mean": k, "low": lo, "high": hi}
                                   for s, k, lo, hi in zip(z["step"], z["km_change"],
                                                           z["km_low"], z["km_high"],
                                                           strict=True)}
        km = r.interval("Zoning", "driven_km_per_day")
        out["km_diff"] = {"median": km["diff_median"], "mean": km["diff_mean"],
                          "low": km["diff_low"], "high": km["diff_high"]}
    return out


def optimiser_gain(r: SeedComparison, regimes: Sequence[str] = ("LOV", "Zoning")
                   ) -> dict[str, Any]:
    """What PyVRP saves against the greedy constructive plan on the same assignment and day:
    per regime, the reduction in km and in staff hours on routes (% of the greedy plan's);
    beside it, the regime difference (zoning against LOV, PyVRP on both)."""
    out: dict[str, Any] = {}
    for name in regimes:
        km, hours, paid, travel = [], [], [], []
        for seed, comp in r.comparisons.items():
            if name not in comp.assignments:
                continue
            ev = _route(r, seed, comp.assignments[name], "greedy")
            g = ev.kpis
            travel.append(100 * ev.routing.totals()["travel_share"])
            t = comp.table.loc[name]
            km.append(100 * (g["driven_km_per_day"] - t["driven_km_per_day"])
                      / g["driven_km_per_day"])
            hours.append(100 * (g["staff_hours_per_day"] - t["staff_hours_per_day"])
                         / g["staff_hours_per_day"])
            paid.append(100 * (g["paid_staff_hours_per_day"] - t["paid_staff_hours_per_day"])
                        / g["paid_staff_hours_per_day"])
        out[name] = {"km_saved_pct": _summary(km), "staff_hours_saved_pct": _summary(hours),
                     "paid_hours_saved_pct": _summary(paid),
                     "greedy_travel_share_pct": _summary(travel)}
    if "Zoning" in set(r.per_seed.index.get_level_values("regime")):
        for kpi, key in (("driven_km_per_day", "km"), ("staff_hours_per_day", "staff_hours"),
                         ("paid_staff_hours_per_day", "paid_hours")):
            iv = r.interval("Zoning", kpi)
            out[f"zoning_vs_lov_{key}_pct"] = {"median": iv["pct_median"], "low": iv["pct_low"],
                                               "high": iv["pct_high"]}
    return out


def time_use(r: SeedComparison) -> dict[str, Any]:
    """Per regime: the share of paid staff time in clients' homes (%), and travel as a share of
    visit-plus-travel time (%)."""
    out: dict[str, Any] = {}
    names = list(dict.fromkeys(r.per_seed.index.get_level_values("regime")))
    for name in names:
        care = [100 * float(c.table.loc[name, "care_share_of_paid_time"])
                for c in r.comparisons.values() if name in c.table.index]
        travel = [100 * c.routings[name].totals()["travel_share"]
                  for c in r.comparisons.values() if name in c.routings]
        out[name] = {"care_share_of_paid_time_pct": _summary(care),
                     "travel_share_of_visits_and_travel_pct": _summary(travel)}
    return out


def validate(preset: str = "strangnas", seeds: Sequence[int] = (1, 2, 3, 4, 5), *,
             scale: float = 1.0, max_iterations: int = 300,
             progress: bool | Callable[[str], None] = False) -> dict[str, Any]:
    """Every figure of docs/validation.md, with the run's settings."""
    t0 = time.perf_counter()
    r = run_seeds(preset, seeds, scale=scale, max_iterations=max_iterations, progress=progress)
    out = {
        "settings": {"preset": preset, "seeds": list(map(int, seeds)), "scale": scale,
                     "routing": "solver (pyvrp)", "max_iterations": max_iterations,
                     "clients": _summary([c.scenario.n_clients
                                          for c in r.comparisons.values()])},
        "km_ratios": km_ratios(r),
        "zoning_cost": zoning_cost(r),
        "optimiser_gain": optimiser_gain(r),
        "time_use": time_use(r),
    }
    out["settings"]["runtime_s"] = time.perf_counter() - t0
    return out


def _fmt(s: dict[str, float], digits: int = 1, unit: str = "") -> str:
    """``median [low–high]`` (``[low to high]`` when a bound is negative)."""
    sep = " to " if min(s["low"], s["high"]) < 0 else "–"
    return (f"{s['median']:,.{digits}f}{unit} [{s['low']:,.{digits}f}{sep}"
            f"{s['high']:,.{digits}f}{unit}]")


def to_markdown(v: dict[str, Any]) -> str:
    """The figures as the Markdown tables of docs/validation.md."""
    st = v["settings"]
    k, z, g, t = v["km_ratios"], v["zoning_cost"], v["optimiser_gain"], v["time_use"]
    lines = [
        f"Preset `{st['preset']}`, scale {st['scale']}, seeds {st['seeds']} "
        f"({_fmt(st['clients'], 0)} clients), {st['routing']}, "
        f"{st['max_iterations']} iterations per instance; {st['runtime_s'] / 60:.0f} minutes. "
        "Median [min–max] over the seeds.",
        "",
        "| figure | model |",
        "|---|---|",
        f"| km LOV / km zoning | {_fmt(k['lov_over_zoning'], 2)} |",
        f"| km LOU / km LOV | {_fmt(k['lou_over_lov'], 2)} |",
    ]
    if "lov_over_one_provider" in k:
        lines.append(f"| km LOV / km with the municipality alone | "
                     f"{_fmt(k['lov_over_one_provider'], 2)} |")
    lines += [
        f"| external providers' share of care hours under LOV | "
        f"{_fmt({x: 100 * y for x, y in k['external_share_lov'].items()}, 1, ' %')} |",
        f"| zoning − LOV, cost per year | {_fmt(z['diff_msek'], 1, ' MSEK')} "
        f"({_fmt(z['diff_pct'], 1, ' %')}) |",
        f"| LOV cost per year | {_fmt(z['lov_cost_msek'], 1, ' MSEK')} |",
        f"| cost per care hour, LOV / zoning | {_fmt(z['lov_cost_per_care_hour_sek'], 0)} / "
        f"{_fmt(z['zoning_cost_per_care_hour_sek'], 0)} SEK |",
    ]
    lines += [
        f"| of which fixed costs (providers, contracts, bases) | "
        f"{_fmt(z['fixed_diff_msek'], 1, ' MSEK')} |",
        f"| of which paid staff time and driving | "
        f"{_fmt(z['staff_and_driving_diff_msek'], 1, ' MSEK')} |",
        f"| providers with clients, LOV / zoning | {_fmt(z['providers_active']['LOV'], 0)} / "
        f"{_fmt(z['providers_active']['Zoning'], 0)} |",
    ]
    if "decomposition_msek" in z:
        steps = ", ".join(f"{s} {c:+.1f}" for s, c in z["decomposition_msek"].items())
        lines.append(f"| zoning − LOV by step (mean, MSEK per year) | {steps} |")
    if "decomposition_km" in z:
        steps = ", ".join(f"{s} {c['mean']:+,.0f} [{c['low']:+,.0f} to {c['high']:+,.0f}]"
                          for s, c in z["decomposition_km"].items())
        lines.append(f"| zoning − LOV by step (mean [range], km per day) | {steps} |")
        lines.append(f"| zoning − LOV, km per day (mean; median [range]) | "
                     f"{z['km_diff']['mean']:+,.0f}; {_fmt(z['km_diff'], 0)} |")
    for name in ("LOV", "Zoning"):
        if name in g:
            lines.append(f"| PyVRP against the greedy plan, {name}: km saved | "
                         f"{_fmt(g[name]['km_saved_pct'], 1, ' %')} |")
            lines.append(f"| PyVRP against the greedy plan, {name}: staff hours on routes "
                         f"saved | {_fmt(g[name]['staff_hours_saved_pct'], 1, ' %')} |")
            lines.append(f"| PyVRP against the greedy plan, {name}: paid staff hours saved | "
                         f"{_fmt(g[name]['paid_hours_saved_pct'], 1, ' %')} |")
    if "zoning_vs_lov_km_pct" in g:
        lines.append(f"| zoning against LOV (PyVRP on both): km | "
                     f"{_fmt(g['zoning_vs_lov_km_pct'], 1, ' %')} |")
        lines.append(f"| zoning against LOV (PyVRP on both): staff hours on routes | "
                     f"{_fmt(g['zoning_vs_lov_staff_hours_pct'], 1, ' %')} |")
        lines.append(f"| zoning against LOV (PyVRP on both): paid staff hours | "
                     f"{_fmt(g['zoning_vs_lov_paid_hours_pct'], 1, ' %')} |")
    for name, s in t.items():
        lines.append(f"| {name}: paid time in clients' homes | "
                     f"{_fmt(s['care_share_of_paid_time_pct'], 1, ' %')} |")
    for name, s in t.items():
        lines.append(f"| {name}: travel / (visits + travel) | "
                     f"{_fmt(s['travel_share_of_visits_and_travel_pct'], 1, ' %')} |")
    for name in ("LOV", "Zoning"):
        if name in g:
            lines.append(f"| {name}, greedy plan: travel / (visits + travel) | "
                         f"{_fmt(g[name]['greedy_travel_share_pct'], 1, ' %')} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="strangnas")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--max-iterations", type=int, default=300)
    p.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    p.add_argument("--from-json", metavar="PATH",
                   help="print the Markdown of a saved --json output (no run)")
    p.add_argument("--progress", action="store_true")
    a = p.parse_args(argv)
    if a.from_json:
        with open(a.from_json, encoding="utf-8") as f:
            v = json.load(f)
        print(to_markdown(v))
        return v
    warnings.simplefilter("ignore")  # PyVRP's penalty warnings are reported, not needed here
    v = validate(a.preset, a.seeds, scale=a.scale, max_iterations=a.max_iterations,
                 progress=a.progress)
    print(json.dumps(v, indent=1) if a.json else to_markdown(v))
    return v


if __name__ == "__main__":
    main()
