"""What each fairness rule changes (docs/compare.md): base rule on/off, LOU's guarantee rule
and queue policy, the cost shares and the transition, on one preset and seed with the routing
approximation.

Run (the block ``compare-rules`` of docs/compare.md is this script's output)::

    .venv/bin/python benchmarks/fairness_rules.py            # Markdown, about a minute
    .venv/bin/python benchmarks/fairness_rules.py --json     # every figure as JSON
"""

from __future__ import annotations

import argparse
import json
import warnings

import hemopt
from hemopt import LOU, LOV, BaseRule, Zoning

COLUMNS = ["driven_km_per_day", "paid_staff_hours_per_day", "care_share_of_paid_time",
           "cost_per_care_hour_sek", "local_bases", "queue", "queued_hours_mean",
           "served_hours_mean", "first_choice_pct"]


def main(preset: str = "strangnas", seed: int = 1) -> dict:
    """Every figure, as a dict."""
    warnings.simplefilter("ignore")  # the approximation's extrapolation warnings
    sc = hemopt.generate(preset, seed=seed)
    out: dict = {"preset": preset, "seed": seed}
    for label, rule in [("local160", BaseRule()), ("offices", BaseRule(local_bases=False))]:
        c = hemopt.compare(sc, [LOV(), LOU(0.2), Zoning()], seed=seed, routing="approx",
                           base_rule=rule, continuity=False, progress=False)
        out[label] = c.table[COLUMNS].round(3).to_dict(orient="index")
        if label == "local160":
            out["fixed"] = {name: float(c.provider_tables[name]["fixed_sek_per_year"].sum())
                            for name in c.table.index}
            out["cost"] = c.table["cost_sek_per_year"].to_dict()
            out["zoning_transition"] = hemopt.transition(c.assignments["Zoning"])
    regs = [LOV(), *(LOU(0.2, guarantee=g) for g in ("nearest", "below_share", "none"))]
    for r, g in zip(regs[1:], ("nearest", "below_share", "none"), strict=True):
        r.name = f"LOU {g}"
    c = hemopt.compare(sc, regs, seed=seed, routing="approx", continuity=False,
                       progress=False)
    out["guarantee"] = c.table[["driven_km_per_day", "paid_staff_hours_per_day"]].to_dict(
        orient="index")
    for policy in ("fifo", "min_cost"):
        a = hemopt.assign(sc, LOU(0.2, queue_policy=policy), seed=seed)
        q = a.clients["queue_for"] != ""
        h = a.clients["hours_per_week"]
        out["lou_" + policy] = {"queue": int(q.sum()),
                                "queued_h": float(h[q].mean()) if q.any() else 0.0,
                                "served_h": float(h[~q].mean()),
                                "external_share_hours": a.summary()["external_share_hours"]}
    return out


def markdown(r: dict) -> str:
    """The figures as docs/compare.md shows them."""
    def row(label: str, t: dict) -> str:
        lov, zon = t["LOV"]["driven_km_per_day"], t["Zoning"]["driven_km_per_day"]
        return (f"| {label} | {lov:,.0f} | {t['LOU']['driven_km_per_day']:,.0f} | "
                f"{zon:,.0f} | {100 * (zon / lov - 1):+.1f} % | "
                f"{t['LOV']['local_bases']:.0f} / {t['LOU']['local_bases']:.0f} / "
                f"{t['Zoning']['local_bases']:.0f} |")

    t = r["local160"]
    lines = [f"`{r['preset']}` seed {r['seed']}, routing approximation.", "",
             "| base rule | LOV km/day | LOU km/day | Zoning km/day | Zoning vs LOV | "
             "local bases opened (LOV / LOU / Zoning) |", "|---|---|---|---|---|---|",
             row("local bases from 160 h/week (default)", t),
             row("offices and the scenario's bases only (`BaseRule(local_bases=False)`)",
                 r["offices"]), "",
             "| LOU's guarantee (20 %) | km/day | paid staff h/day |", "|---|---|---|"]
    for name, g in r["guarantee"].items():
        lines.append(f"| {name} | {g['driven_km_per_day']:,.0f} | "
                     f"{g['paid_staff_hours_per_day']:,.0f} |")
    lines += ["", "| LOU's queue policy | clients queueing | their mean h/week | "
              "mean h/week of the others | externals' share of hours |", "|---|---|---|---|---|"]
    for p in ("fifo", "min_cost"):
        q = r["lou_" + p]
        lines.append(f"| `{p}` | {q['queue']} | {q['queued_h']:.1f} | {q['served_h']:.1f} | "
                     f"{100 * q['external_share_hours']:.1f} % |")
    lines += ["", "| | LOV | LOU 20 % | Zoning |", "|---|---|---|---|"]
    names = ["LOV", "LOU", "Zoning"]
    lines.append("| paid time in clients' homes | " + " | ".join(
        f"{100 * t[n]['care_share_of_paid_time']:.1f} %" for n in names) + " |")
    lines.append("| fixed costs (MSEK/year) | " + " | ".join(
        f"{r['fixed'][n] / 1e6:.1f}" for n in names) + " |")
    diff = [(r["cost"][n] - r["cost"]["LOV"], r["fixed"][n] - r["fixed"]["LOV"])
            for n in names[1:]]
    lines.append("| cost difference to LOV (MSEK/year), of which fixed | – | " + " | ".join(
        f"{d / 1e6:+.1f}, {f / 1e6:+.1f}" for d, f in diff) + " |")
    tr = r["zoning_transition"]
    lines += ["", f"Zoning's transition: {tr['clients_changing_provider_pct']:.1f} % of the "
              f"clients ({tr['hours_changing_provider_pct']:.1f} % of the hours, "
              f"{tr['care_hours_moving_per_week']:,.0f} care hours a week) change provider; "
              f"{len(tr['providers_leaving'])} providers leave; the largest provider goes from "
              f"{tr['largest_provider_clients_before']:.0f} to "
              f"{tr['largest_provider_clients_after']:.0f} clients."]
    return "\n".join(lines)


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true", help="every figure as JSON")
    a = p.parse_args()
    res = main()
    print(json.dumps(res, indent=1, default=str) if a.json else markdown(res))
