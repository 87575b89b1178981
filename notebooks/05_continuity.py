# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Does zoning cost continuity?
#
# Swedish municipalities, Socialstyrelsen and the press judge home care by *personalkontinuitet*:
# how many different staff visit a client in 14 days. The national figure is about 15 for
# clients with visits every day. The Strängnäs proposal promises better planning; its critics
# answer that small LOV providers give clients fewer, more familiar faces.
#
# This notebook routes 14 days of visits for LOV and zoning on both presets (LOU works the
# same way: add it to the loop),
# sizes and rosters each provider's staff from its routes (every other weekend, day and
# evening shifts, 9 % absence, a pool for the gaps), hands each day's routes to the staff on
# duty with a min-cost assignment that rewards known faces, and counts the faces
# (`hemopt.continuity`, `docs/continuity.md`). Small scale (10 % of the clients), two seeds,
# the solver at 30 iterations per instance: a few seconds per regime.

# %%
# ruff: noqa: B018  (a cell's last expression is what the notebook shows)
import time

import matplotlib.pyplot as plt
import pandas as pd

import hemopt
from hemopt.continuity import route_horizon, staff_continuity

pd.set_option("display.precision", 2)
t_start = time.perf_counter()
SCALE, SEEDS = 0.1, (1, 2)
ROUTING = hemopt.RoutingSettings(max_iterations=30)

# %% [markdown]
# ## Continuity per regime
#
# The same clients and the same 14 days of visits for every regime; only who serves whom
# changes. `staff_per_client_14d_*` counts the clients visited every day; `temp_share` is
# the share of visits by pool or agency staff.

# %%
rows, horizons = [], {}
for preset in ("strangnas", "botkyrka"):
    for seed in SEEDS:
        sc = hemopt.generate(preset, seed=seed, scale=SCALE)
        for regime in (hemopt.LOV(), hemopt.default_regimes(sc, seed=seed)[-1]):
            a = hemopt.assign(sc, regime, seed=seed)
            hz = route_horizon(a, seed=seed, routing=ROUTING)
            horizons[preset, seed, regime.label()] = hz
            k = staff_continuity(hz).kpis
            rows.append({"preset": preset, "seed": seed, "regime": regime.label(),
                         "providers": int((a.providers["clients"] > 0).sum()),
                         **{x: k[x] for x in (
                             "staff_per_client_14d_median", "staff_per_client_14d_mean",
                             "staff_per_client_14d_p90", "staff_per_client_14d_all_mean",
                             "contact_person_visit_pct", "temp_share",
                             "staff_per_provider_mean")},
                         "route_s": hz.runtime_s})
table = pd.DataFrame(rows)
summary = table.groupby(["preset", "regime"], sort=False).mean(numeric_only=True).drop(
    columns="seed")
summary

# %% [markdown]
# ## Zoning minus LOV, seed by seed
#
# Paired differences: the same seed's clients and days under both regimes.

# %%
wide = table.pivot_table(index=["preset", "seed"], columns="regime",
                         values="staff_per_client_14d_mean")
diff = (wide["Zoning"] - wide["LOV"]).rename("zoning_minus_lov_staff_mean")
diff.to_frame()

# %% [markdown]
# **Reading.** Zoning puts each zone's clients with one provider, so that provider has more
# clients in each neighbourhood and its staff pool per route is larger; LOV splits a
# stairwell between providers, each with a small staff group. Which effect wins is what the
# table measures: the differences above are a handful of faces at most and change sign
# between seeds where they are small; read them with the scale (10 % of the clients) in mind,
# where providers have few routes. The honest answer at this scale: zoning does not cost
# continuity by itself; what costs continuity is how routes are handed to staff (below).

# %% [markdown]
# ## The trade-off: continuity against route fit
#
# Routes are fixed by the routing, so handing them to staff does not change the kilometres.
# What the weight trades is *route fit*: the assignment can give long routes to whoever has
# worked least of their contract (even workloads), or give each route to the staff who know
# its clients. `weight = 0` ignores continuity; the spread of route hours per contract hour
# between staff (`workload_spread_pct`) is the price of a larger weight.

# %%
curve = []
for (preset, seed, regime), hz in horizons.items():
    if seed != SEEDS[0] or regime not in ("LOV", "Zoning"):
        continue
    for w in (0.0, 0.1, 0.5, 2.0):
        k = staff_continuity(hz, weight=w, contact_weight=w).kpis
        curve.append({"preset": preset, "regime": regime, "weight": w,
                      "staff_mean": k["staff_per_client_14d_mean"],
                      "spread_pct": k["workload_spread_pct"]})
curve = pd.DataFrame(curve)
fig, ax = plt.subplots(figsize=(7, 4.5))
for (preset, regime), g in curve.groupby(["preset", "regime"]):
    ax.plot(g["spread_pct"], g["staff_mean"], marker="o", label=f"{preset} {regime}")
    for _, r in g.iterrows():
        ax.annotate(f"{r['weight']:g}", (r["spread_pct"], r["staff_mean"]), fontsize=7)
ax.set_xlabel("spread of route hours per contract hour between staff (%)")
ax.set_ylabel("distinct staff per daily client, 14 days (mean)")
ax.set_title("Continuity weight: fewer faces against even workloads")
ax.legend()
curve.pivot_table(index="weight", columns=["preset", "regime"], values="staff_mean")

# %% [markdown]
# Without any weight on continuity, a client with daily visits meets far more staff than with
# it: the planning of who drives which route matters more than the regime. The published
# range (10–20 staff per 14 days, about 15 on average) sits between the two ends of the
# curve; `docs/continuity.md` compares the full-scale figures with it.

# %%
print(f"notebook ran in {time.perf_counter() - t_start:.0f} s")
