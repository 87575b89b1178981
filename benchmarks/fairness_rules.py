"""What each fairness rule changes (docs/compare.md): base rule on/off, LOU queue policy.

Run: .venv/bin/python benchmarks/fairness_rules.py  (prints JSON; about two minutes)
"""
import json
import warnings

warnings.simplefilter("ignore")
import hemopt
from hemopt import LOU, LOV, BaseRule, Zoning

sc = hemopt.generate("strangnas", seed=1)
out = {}
for label, rule in [("local160", BaseRule()), ("offices", BaseRule(local_bases=False))]:
    c = hemopt.compare(sc, [LOV(), LOU(0.2), Zoning()], seed=1, routing="approx", base_rule=rule)
    out[label] = c.table[["driven_km_per_day","paid_staff_hours_per_day","care_share_of_paid_time","cost_per_care_hour_sek","local_bases","queue","queued_hours_mean","served_hours_mean","first_choice_pct"]].round(3).to_dict(orient="index")
    out[label+"_transition"] = c.transitions
for pol in ["fifo","min_cost"]:
    a = hemopt.assign(sc, LOU(0.2, queue_policy=pol), seed=1)
    q = a.clients["queue_for"] != ""
    out["lou_"+pol] = {"queue": int(q.sum()), "queued_h": float(a.clients.loc[q,"hours_per_week"].mean()), "served_h": float(a.clients.loc[~q,"hours_per_week"].mean()), "first": a.summary()["first_choice_pct"], "ext_share": a.summary()["external_share_hours"]}
print(json.dumps(out, indent=1, default=str))
