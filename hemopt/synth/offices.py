"""Areas, offices and choices of :mod:`hemopt.synth`: the zones table, each provider's office and
local bases, and the clients' seeded rankings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import geopandas as gpd
import numpy as np
import shapely

from hemopt.areas import serves_matrix, zone_index
from hemopt.errors import InputError
from hemopt.scenario import CRS
from hemopt.synth.housing import _points_in
from hemopt.synth.presets import AreaSpec, Preset, ProviderSpec


def _fill_slivers(g: shapely.Geometry, max_hole_m2: float = 1e5) -> shapely.Geometry:
    """``g`` without interior rings smaller than ``max_hole_m2`` (the sliver gaps between
    neighbouring DeSO polygons; the land boundary itself has no holes)."""
    polys = []
    for q in getattr(g, "geoms", [g]):
        if q.geom_type != "Polygon" or q.is_empty:
            continue
        holes = [r for r in q.interiors if shapely.Polygon(r).area >= max_hole_m2]
        polys.append(shapely.Polygon(q.exterior, holes))
    return _multipolygon(shapely.union_all(polys)) if polys else shapely.Polygon()


def _zones_table(land: gpd.GeoDataFrame, areas: Sequence[AreaSpec],
                 area: shapely.Geometry) -> gpd.GeoDataFrame:
    """One polygon per area, disjoint, together exactly the municipality ``area``."""
    if not areas:
        return gpd.GeoDataFrame({"zone_id": [], "name": []}, geometry=[], crs=CRS)
    zid = land["zone_id"].to_numpy(dtype=object)
    geoms, taken = [], shapely.Polygon()
    for a in areas:
        g = _fill_slivers(shapely.union_all(land.geometry.values[zid == a.zone_id]))
        g = shapely.intersection(shapely.difference(g, taken), area)
        taken = shapely.union(taken, g)
        geoms.append(g)
    # what is left (slivers between areas) goes to the nearest area
    rest = shapely.difference(area, taken)
    for piece in getattr(rest, "geoms", [rest]):
        if piece.is_empty or piece.geom_type != "Polygon":
            continue
        k = int(np.argmin([shapely.distance(piece, g) if not g.is_empty else np.inf
                           for g in geoms]))
        geoms[k] = shapely.union(geoms[k], piece)
    geoms = [_multipolygon(shapely.make_valid(g)) for g in geoms]
    return gpd.GeoDataFrame(
        {"zone_id": [a.zone_id for a in areas], "name": [a.name for a in areas],
         "procured": [bool(a.procured) for a in areas], "lot": [a.lot for a in areas]},
        geometry=geoms, crs=CRS,
    )


def _multipolygon(g: shapely.Geometry) -> shapely.Geometry:
    parts = [q for q in getattr(g, "geoms", [g]) if q.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


# --------------------------------------------------------------------------------- providers
def _densest(land: gpd.GeoDataFrame, mask: np.ndarray) -> int:
    """Index of the DeSO area with the most inhabitants per km² of land among ``mask``."""
    dens = land["pop"].to_numpy(dtype=float) / np.maximum(land["land_km2"].to_numpy(), 1e-6)
    dens = np.where(mask, dens, -1.0)
    return int(np.argmax(dens))


def _centres_by_population(land: gpd.GeoDataFrame) -> list[int]:
    """The centre (densest DeSO) of each RegSO area, most populous RegSO first."""
    regso = land["regso_code"].to_numpy(dtype=object)
    if (regso == "").all():
        return [_densest(land, np.ones(len(land), bool))]
    pops = land.groupby("regso_code")["pop"].sum().sort_values(ascending=False, kind="stable")
    return [_densest(land, regso == r) for r in pops.index]


def _office_deso(spec: ProviderSpec, ext_rank: int, land: gpd.GeoDataFrame) -> int:
    codes = land["deso_code"].to_numpy(dtype=object)
    office = spec.office
    if not office:
        if spec.zones:
            office = f"zone:{spec.zones[0]}"
        elif spec.kind == "external":
            centres = _centres_by_population(land)
            return centres[ext_rank % len(centres)]
        else:
            urban = land["kind"].isin(["C", "B"]).to_numpy()
            return _densest(land, urban if urban.any() else np.ones(len(land), bool))
    kind, _, value = office.partition(":")
    if kind == "deso":
        mask = codes == value
    elif kind == "regso":
        mask = land["regso_code"].to_numpy(dtype=object) == value
    elif kind == "zone":
        mask = land["zone_id"].to_numpy(dtype=object) == value
    else:
        raise InputError(f"provider {spec.provider_id!r}: office must be 'deso:CODE', "
                         f"'regso:CODE' or 'zone:ID', got {spec.office!r}")
    if not mask.any():
        raise InputError(f"provider {spec.provider_id!r}: office {spec.office!r} matches no "
                         "DeSO area of the data")
    return _densest(land, mask)


def _point_near_centre(land: gpd.GeoDataFrame, k: int, rng: np.random.Generator) -> np.ndarray:
    g = land.geometry.values[k]
    inner = g.buffer(-10.0)
    inner = inner if inner.area > 0 else g
    disc = inner.representative_point().buffer(300.0).intersection(inner)
    return _points_in(disc if disc.area > 0 else inner, 1, rng)[0]


def _providers(p: Preset, land: gpd.GeoDataFrame, rng: np.random.Generator
               ) -> tuple[gpd.GeoDataFrame, list[int]]:
    specs = p.providers
    if p.regime == "lov" and not p.lov_declared_areas:
        specs = tuple(replace(q, zones=()) if q.kind == "external" else q for q in specs)
    zone_ids = {a.zone_id for a in p.areas}
    xs, ys, where = [], [], []
    ext_rank = 0
    for q in specs:
        for z in q.zones:
            if z not in zone_ids:
                raise InputError(f"provider {q.provider_id!r} serves unknown area {z!r}; "
                                 f"areas are {sorted(zone_ids)}")
        k = _office_deso(q, ext_rank, land)
        ext_rank += q.kind == "external"
        x, y = _point_near_centre(land, k, rng)
        xs.append(x)
        ys.append(y)
        where.append(k)
    return gpd.GeoDataFrame(
        {
            "provider_id": [q.provider_id for q in specs],
            "name": [q.name for q in specs],
            "kind": [q.kind for q in specs],
            "capacity_clients": np.full(len(specs), math.inf),
            "capacity_hours": np.full(len(specs), math.inf),
            "zones": [tuple(q.zones) for q in specs],
            "market_share": [q.share for q in specs],
        },
        geometry=shapely.points(xs, ys), crs=CRS,
    ), where


def _municipal_bases(p: Preset, land: gpd.GeoDataFrame, providers: gpd.GeoDataFrame,
                     office_deso: list[int], rng: np.random.Generator) -> gpd.GeoDataFrame:
    """A local base of the municipal provider at the centre of every area without its office."""
    ids, pids, xy = [], [], []
    kinds = list(providers["kind"])
    if "municipal" in kinds and p.areas:
        j = kinds.index("municipal")
        pid = providers["provider_id"].iloc[j]
        zid = land["zone_id"].to_numpy(dtype=object)
        office_zone = zid[office_deso[j]]
        for a in p.areas:
            if a.zone_id == office_zone:
                continue
            k = _densest(land, zid == a.zone_id)
            ids.append(f"{pid}-{a.zone_id}")
            pids.append(pid)
            xy.append(_point_near_centre(land, k, rng))
    return gpd.GeoDataFrame({"base_id": ids, "provider_id": pids},
                            geometry=shapely.points(np.array(xy)) if xy else [], crs=CRS)


def _choices(p: Preset, c_xy: np.ndarray, providers: gpd.GeoDataFrame,
             zones: gpd.GeoDataFrame, rng: np.random.Generator):
    """Rankings (provider indices, -1 padded) and current provider index per client."""
    n, m = len(c_xy), len(providers)
    kinds = providers["kind"].to_numpy()
    default = int(np.flatnonzero(kinds == "municipal")[0]) if (kinds == "municipal").any() else 0
    share = providers["market_share"].to_numpy(dtype=float)
    share = share / share.sum()
    # the areas' one rule (hemopt.areas): a client's area, the providers serving it
    zid, _ = zone_index(list(zones.geometry.values), c_xy)
    allowed = serves_matrix(list(providers["zones"]), list(zones["zone_id"]))[zid]
    # exactly the preset's share of non-choosers (rounded), drawn at random
    chooser = rng.permutation(n) >= round(n * p.non_chooser_share)
    # target shares among choosers so that the overall shares match the preset
    target = share.copy()
    target[default] = max(share[default] - p.non_chooser_share, 0.0)
    target[~allowed[chooser].any(axis=0)] = 0.0  # nobody who chooses may pick it
    model = p.choice
    u = model.systematic_utility(c_xy, shapely.get_coordinates(providers.geometry.values))
    if chooser.any() and target.sum() > 0:
        asc = model.calibrate_asc(u[chooser], target / target.sum(), allowed=allowed[chooser])
    else:
        asc = np.zeros(m)
    ranking = model.rank(u + asc[None, :], rng, allowed=allowed)
    ranking[~chooser] = -1
    current = np.where(chooser, ranking[:, 0], default)
    # a few choosers are still with another provider (they would like to switch)
    mism = chooser & (rng.random(n) < p.current_mismatch_share)
    alt = rng.choice(m, size=n, p=share)
    ok = mism & allowed[np.arange(n), alt] & (alt != current)
    current = np.where(ok, alt, current)
    return ranking, current
