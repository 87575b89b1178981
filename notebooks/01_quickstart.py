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
# # Quick start: one municipality, three ways of buying home care
#
# Swedish municipalities must provide home care (*hemtjänst*: help and care given in the
# client's own home). The people who get it are *brukare* (clients); the organisations that
# give it are *utförare* (providers): the municipality's own home-care organisation and
# private companies. A municipality can buy the care in three ways, and hemopt models each one
# as a **regime**:
#
# * **LOV** (*lagen om valfrihetssystem*, free choice): any approved provider may serve the
#   client; the client chooses, and non-choosers get the default (*ickevalsalternativ*), the
#   municipality.
# * **LOU** (*lagen om offentlig upphandling*, procurement with a capped external share: the
#   Botkyrka model): the externals contracted for the client's area, or the municipality;
#   choice while the provider has room, otherwise the municipality and a queue.
# * **Zoning** (the Strängnäs proposal): the one provider of the client's zone, by address,
#   no choice.
#
# This notebook walks through the whole pipeline on a small synthetic municipality:
#
# 1. generate a municipality (`hemopt.generate`),
# 2. assign every client a provider under each regime (`hemopt.assign`, a min-cost flow),
# 3. route the same day of visits for each assignment and compare (`hemopt.compare`),
# 4. look at the tables, the bar charts and the maps.
#
# It runs in well under a minute: the municipality is scaled down to 20 % of its clients and
# the routing solver stops after 200 iterations per provider and shift.

# %%
# ruff: noqa: B018  (a cell's last expression is what the notebook shows)
import matplotlib.pyplot as plt
import pandas as pd

import hemopt

pd.set_option("display.precision", 2)
SEED = 1

# %% [markdown]
# ## 1. A municipality
#
# `hemopt.generate` builds a seeded synthetic municipality from a preset. The `strangnas`
# preset is shaped like Strängnäs (kommun 0486): about 39,000 inhabitants on 731 km², a town
# of multi-storey buildings, smaller towns and villages, scattered farms, the municipality plus
# seven private providers holding 16 % of the clients (the 2014 LOV market), and three areas
# (north, east, south) for procurement or zoning. Every figure and its source is in
# *Parameters*.
#
# `scale=0.2` keeps every settlement and the land area but only a fifth of the inhabitants
# (and so of the clients): a sparser municipality that solves quickly. The same preset, seed
# and scale always give the same municipality, bit for bit.

# %%
sc = hemopt.generate("strangnas", seed=SEED, scale=0.2)
sc

# %% [markdown]
# `summary()` gives the key figures. *Stairwells* (*trappuppgångar*) matter: two clients who
# share an entrance can be visited in one stop, if the same provider serves both.

# %%
s = sc.summary()
pd.Series({k: v for k, v in s.items() if k != "providers"})

# %%
pd.DataFrame(s["providers"]).set_index("provider_id")

# %% [markdown]
# A map: the boundary, the three areas, buildings, clients coloured by their current
# provider, and the providers' offices.

# %%
ax = hemopt.plot_scenario(sc, title="Synthetic Strängnäs, 20 % of the clients")
ax.figure.set_size_inches(8, 8)

# %% [markdown]
# ## 2. Assign the clients under each regime
#
# Each regime turns the scenario into an assignment problem (which client may go to which
# provider, at what cost, within which capacities) that is solved as a min-cost flow. The cost
# of giving client *i* to provider *j* is
# `100 × rank + 30 × [switching provider] + 1 × km to the office`: choice first, continuity
# of care second, distance as a tie-breaker (*Model formulation* has the details).
#
# * `LOV()`: clients get their choice; most stay with their current provider.
# * `LOU(external_share=0.2)`: the external providers together may hold at most 20 % of the
#   care hours, in the areas they are contracted for.
# * `Zoning(procured_share=0.5)`: one provider per area; areas holding at least half of the
#   care hours are procured (won by the external provider with most hours there), the rest are
#   municipal. A winner with no office or base in its zone sets up a local base there.

# %%
regimes = [hemopt.LOV(), hemopt.LOU(external_share=0.2), hemopt.Zoning(procured_share=0.5)]
assignments = {r.name: hemopt.assign(sc, r, seed=SEED) for r in regimes}
summaries = pd.DataFrame([a.summary() for a in assignments.values()]).set_index("regime")
summaries[["clients", "choosers", "first_choice_pct", "queue", "unserved",
           "external_share_hours"]]

# %% [markdown]
# How to read it:
#
# * `first_choice_pct`: of the clients who ranked providers (*choosers*), the share who got
#   the one they ranked first. Under zoning nobody chooses, so it is whatever share happens to
#   live in the zone of the provider they would have chosen.
# * `queue`: clients who got a worse-ranked provider because the wanted one was full (LOU's
#   cap), and wait for it.
# * `unserved`: clients nobody could take; always 0 here, and never dropped silently.
#
# Under zoning many clients must change provider. That is the choice that is lost:

# %%
current = sc.clients["current_provider"].to_numpy()
changed = {name: float((a.clients["provider_id"].to_numpy() != current).mean())
           for name, a in assignments.items()}
pd.Series(changed, name="share of clients changing provider").map("{:.0%}".format)

# %%
fig, axes = plt.subplots(1, 3, figsize=(18, 6.5))
for ax, (name, a) in zip(axes, assignments.items(), strict=True):
    hemopt.plot_assignment(a, ax=ax, title=f"{name}: clients by assigned provider")
fig.tight_layout()

# %% [markdown]
# ## 3. Route the day and compare
#
# `hemopt.compare` runs all of it: it assigns under each regime, draws **one** day of visits
# per client (the same visits whatever the provider, so the regimes are compared on the same
# day), groups visits of one provider in one stairwell and time window into a *stop*, and
# routes each provider's day and evening shifts from its office as a vehicle routing problem
# with time windows (VRPTW, solved by PyVRP). `max_iterations=200` keeps it fast; the default
# (1,000) is a few per cent better and just as reproducible.

# %%
comp = hemopt.compare(sc, regimes, seed=SEED, max_iterations=200)
print(f"compared in {comp.runtime_s:.1f} s")
cols = ["driven_km_per_day", "drive_hours_per_day", "driving_share", "staff_hours_per_day",
        "cost_sek_per_year", "first_choice_pct", "queue", "providers_per_stairwell",
        "stairwells_multi_provider_pct", "stops_per_visit", "dropped_visits"]
hemopt.viz.formatted_table(comp, cols)   # the numbers themselves: comp.table[cols]

# %% [markdown]
# The KPIs, per day of care:
#
# * `driven_km_per_day`, `drive_hours_per_day`: staff driving between the office and the
#   stops, all providers together; `driving_share` is driving over staff time.
# * `staff_hours_per_day`: staff time from leaving the office to returning: driving, care and
#   waiting for a visit's time window.
# * `cost_sek_per_year`: staff hours × 300 SEK + km × 4 SEK, × 365 days (`hemopt.CostParams`
#   changes the rates).
# * `providers_per_stairwell`, `stairwells_multi_provider_pct`, `stops_per_visit`: the
#   coordination figures the Strängnäs argument is about. With one provider per zone no
#   stairwell is shared between providers.
#
# `diff()` gives each regime's difference to LOV, in absolute terms and in per cent
# (`*_pct` columns):

# %%
d = comp.diff("LOV")
d[["driven_km_per_day_pct", "staff_hours_per_day_pct", "cost_sek_per_year_pct",
   "cost_sek_per_year", "first_choice_pct"]].style.format("{:,.1f}")

# %%
lov, zon = comp.table.loc["LOV"], comp.table.loc["Zoning"]
assert comp.table["dropped_visits"].max() <= 0.02 * comp.table["visits_per_day"].min()
print(f"Zoning drives {lov.driven_km_per_day - zon.driven_km_per_day:,.0f} km a day less "
      f"than LOV ({-d.loc['Zoning', 'driven_km_per_day_pct']:.1f} %) and saves "
      f"{(lov.cost_sek_per_year - zon.cost_sek_per_year) / 1e6:,.2f} MSEK a year, "
      f"while the share of choosing clients with their first choice falls from "
      f"{lov.first_choice_pct:.0f} % to {zon.first_choice_pct:.0f} %.")

# %% [markdown]
# ## 4. The pictures
#
# The KPI bars (an axis that does not start at zero says *zoomed* in its title):

# %%
fig = hemopt.plot_comparison(comp)

# %% [markdown]
# What is bought with the cost: choice fulfilled against cost per year, one point per regime.

# %%
ax = hemopt.plot_choice_cost(comp)

# %% [markdown]
# And the maps: clients coloured by provider under each regime, the ten busiest stairwells
# circled, with the number of providers that serve them; the areas shaded and named, a scale
# bar, the offices of the providers that serve. One regime per figure, large enough to read
# (`hemopt.plot_maps(comp)` draws them all in one grid; `hemopt.explore_comparison(comp)`
# gives a map to zoom and click).

# %%
for name in comp.table.index:
    fig = hemopt.plot_maps(comp, regime=name, centre=False)

# %% [markdown]
# ## What next
#
# * `02_strangnas_coordination`: how the saving of zoning depends on density and on the number
#   of LOV providers.
# * `03_botkyrka_lou`: the external share of LOU (20 % against 50 %), queues and first choice.
# * `04_own_data`: your own municipality boundary, clients and providers.
# * `hemopt.write_report(comp, "report.html")` writes all of the above as one self-contained report;
#   the command line does the same: `hemopt compare --preset strangnas --seed 1 --out report`.
