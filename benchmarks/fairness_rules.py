"""What each fairness rule changes (docs/compare.md): base rule on/off, LOU queue policy.

Run: .venv/bin/python benchmarks/fairness_rules.py  (prints JSON; about two minutes)
"""

from __future__ import annotations

import json
import warnings

import hemopt
from hemopt import LOU, LOV, BaseRule, Zoning

COLUMNS = ["driven_km_per_day", "paid_staff_hours_per_day", "care_share_of_paid_time",
           "cost_per_care_hour_sek", "local_bases", "queue", "queued_hours_mean",
           "served_hours_mean", "first_choice_pct"]


def main(preset: str = "strangnas", seed: int = 1) -> dict:
    warnings.simplefilter("ignore")  # the approximation's extrapolation warnings
    sc = hemopt.generate(preset, seed=seed)
    out: dict = {}
    for label, rule in [("local160", BaseRule()), ("offices", BaseRule(local_bases=False))]:
        c = hemopt.compare(sc, [LOV(), LOU(0.2), Zoning()], seed=seed, routing="approx",
                           base_rule=rule, continuity=False)
        out[label] = c.table[COLUMNS].round(3).to_dict(orient="index")
        out[label + "_transition"] = c.transitions
    for policy in ("fifo", "min_cost"):
        a = hemopt.assign(sc, LOU(0.2, queue_policy=policy), seed=seed)
        q = a.clients["queue_for"] != ""
        h = a.clients["hours_per_week"]
        out["lou_" + policy] = {"queue": int(q.sum()), "queued_h": float(h[q].mean()),
                                "served_h": float(h[~q].mean()),
                                "first_choice_pct": a.summary()["first_choice_pct"]}
    return out


if __name__ == "__main__":
    print(json.dumps(main(), indent=1, default=str))
