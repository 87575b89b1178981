"""Housing inside each DeSO area: multi-storey buildings, row houses, detached houses, villages
and scattered farms, from the area's own figures (step 3 of :mod:`hemopt.synth`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import nearest_points

from hemopt.errors import ScenarioError
from hemopt.synth.presets import Preset


# --------------------------------------------------------------------------------- housing
def _rect(cx, cy, length, depth, angle):
    """Vectorised oriented rectangles (length along ``angle``)."""
    ca, sa = np.cos(angle), np.sin(angle)
    hx, hy = np.asarray(length) / 2, np.asarray(depth) / 2
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)):
        corners.append(np.stack([cx + sx * hx * ca - sy * hy * sa,
                                 cy + sx * hx * sa + sy * hy * ca], axis=-1))
    return shapely.polygons(np.stack(corners, axis=1))


@dataclass
class _Housing:
    """Columnar buffers of buildings and stairwells while generating."""

    b_kind: list = field(default_factory=list)
    b_floors: list = field(default_factory=list)
    b_geom: list = field(default_factory=list)
    b_settlement: list = field(default_factory=list)
    b_deso: list = field(default_factory=list)
    s_building: list = field(default_factory=list)  # building number
    s_x: list = field(default_factory=list)
    s_y: list = field(default_factory=list)
    s_dwellings: list = field(default_factory=list)
    n_buildings: int = 0

    def add(self, kind, floors, cx, cy, angle, n_stair, dwell_per_stair, length, depth,
            spacing, settlement, deso):
        nb = len(cx)
        if nb == 0:
            return
        n_stair = np.asarray(n_stair, dtype=np.int64)
        length = np.broadcast_to(np.asarray(length, dtype=float), (nb,))
        self.b_kind.append(np.full(nb, kind, dtype=object))
        self.b_floors.append(np.asarray(floors, dtype=np.int64))
        self.b_geom.append(_rect(cx, cy, length, depth, angle))
        self.b_settlement.append(np.broadcast_to(np.asarray(settlement, dtype=object), (nb,)))
        self.b_deso.append(np.full(nb, deso, dtype=object))
        bidx = np.repeat(np.arange(nb), n_stair)
        k = np.concatenate([np.arange(n) for n in n_stair])
        off = (k - (n_stair[bidx] - 1) / 2) * spacing
        ca, sa = np.cos(angle)[bidx], np.sin(angle)[bidx]
        d = depth / 2
        self.s_x.append(cx[bidx] + off * ca + d * sa)
        self.s_y.append(cy[bidx] + off * sa - d * ca)
        self.s_building.append(bidx + self.n_buildings)
        self.s_dwellings.append(np.asarray(dwell_per_stair, dtype=np.int64))
        self.n_buildings += nb


def _points_in(area: shapely.Geometry, n: int, rng: np.random.Generator,
               avoid: shapely.Geometry | None = None) -> np.ndarray:
    """``n`` uniform points inside ``area`` (and outside ``avoid``), by rejection."""
    if n <= 0:
        return np.empty((0, 2))
    if area.is_empty or area.area <= 0:
        raise ScenarioError("cannot place homes in an empty area", table="deso",
                            field="geometry")
    minx, miny, maxx, maxy = area.bounds
    accept = max(area.area / max((maxx - minx) * (maxy - miny), 1e-9), 0.02)
    shapely.prepare(area)
    if avoid is not None:
        shapely.prepare(avoid)
    out = np.empty((0, 2))
    for _ in range(200):
        if len(out) >= n:
            break
        k = int(1.3 * (n - len(out)) / accept) + 32
        cand = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        ok = shapely.contains_xy(area, cand[:, 0], cand[:, 1])
        if avoid is not None:
            ok &= ~shapely.contains_xy(avoid, cand[:, 0], cand[:, 1])
        out = np.vstack([out, cand[ok]])
    if len(out) < n:
        if avoid is not None:  # the area is all village: place them anywhere in it
            return np.vstack([out, _points_in(area, n - len(out), rng)])
        raise ScenarioError("could not place homes inside the area", table="deso",
                            field="geometry")
    return out[:n]


def _uniform_in_disc(rng, n, r):
    rr = r * np.sqrt(rng.random(n))
    a = rng.uniform(0, 2 * np.pi, n)
    return rr * np.cos(a), rr * np.sin(a)


def _multi_storey(h: _Housing, n_flat: int, xy: np.ndarray, grid: float, density: float,
                  settlement, deso: str, rng: np.random.Generator) -> None:
    """Multi-storey buildings holding ``n_flat`` dwellings at the points ``xy`` (enough)."""
    if n_flat <= 0:
        return
    lo, hi = (4, 9) if density >= 5000 else (3, 6) if density >= 1500 else (2, 4)
    n_max = len(xy)
    floors = rng.integers(lo, hi + 1, n_max)
    n_st = rng.choice([1, 2, 3, 4, 5], n_max, p=[0.2, 0.3, 0.3, 0.15, 0.05])
    per_floor = rng.integers(2, 5, n_max)
    size = floors * per_floor * n_st
    nb = min(int(np.searchsorted(np.cumsum(size), n_flat)) + 1, n_max)
    dps = np.repeat(floors[:nb] * per_floor[:nb], n_st[:nb])
    excess = int(size[:nb].sum()) - n_flat
    if excess > 0:  # the last building gets fewer flats per stairwell
        last = slice(len(dps) - int(n_st[nb - 1]), len(dps))
        keep = max(int(size[nb - 1]) - excess, int(n_st[nb - 1]))
        dps[last] = np.maximum(np.round(dps[last] * keep / size[nb - 1]), 1).astype(np.int64)
    ang = grid + rng.integers(0, 2, nb) * (np.pi / 2) + rng.normal(0, 0.05, nb)
    h.add("multi_storey", floors[:nb], xy[:nb, 0], xy[:nb, 1], ang, n_st[:nb], dps,
          n_st[:nb] * 16.0, 12.0, 16.0, settlement, deso)


def _row_houses(h: _Housing, n_row: int, xy: np.ndarray, grid: float, settlement, deso: str,
                rng: np.random.Generator) -> None:
    if n_row <= 0:
        return
    n_u = rng.integers(4, 9, len(xy))
    nb = min(int(np.searchsorted(np.cumsum(n_u), n_row)) + 1, len(xy))
    n_u = n_u[:nb]
    n_u[-1] = max(int(n_u[-1]) - (int(n_u.sum()) - n_row), 1)
    ang = grid + rng.integers(0, 2, nb) * (np.pi / 2)
    h.add("row_house", np.full(nb, 2), xy[:nb, 0], xy[:nb, 1], ang, n_u,
          np.ones(int(n_u.sum()), np.int64), n_u * 7.0, 9.0, 7.0, settlement, deso)


def _houses(h: _Housing, kind: str, xy: np.ndarray, settlement, deso: str,
            rng: np.random.Generator) -> None:
    n = len(xy)
    if n == 0:
        return
    length, depth = (20.0, 12.0) if kind == "farm" else (12.0, 10.0)
    h.add(kind, rng.integers(1, 3, n), xy[:, 0], xy[:, 1], rng.uniform(0, np.pi, n),
          np.ones(n, int), np.ones(n, np.int64), length, depth, 0.0, settlement, deso)


def _dwelling_mix(row: pd.Series, n: int, p: Preset) -> tuple[int, int, int]:
    """Dwellings in flats, row houses and detached houses of a DeSO area."""
    hh = row["households"]
    f = row["flats_share"]
    if not np.isfinite(hh) or hh <= 0:
        rent_br = np.nan
    else:
        rent_br = (row["rental"] + row["tenant_owned"]) / hh
    if not np.isfinite(f):  # no flats figure: rented and tenant-owned dwellings are flats
        f = rent_br if np.isfinite(rent_br) else {"C": 0.5, "B": 0.3}.get(row["kind"], 0.05)
    if not np.isfinite(rent_br):
        rent_br = f
    n_flat = round(f * n)
    n_row = int(min(max(round(rent_br * n) - n_flat, 0), n - n_flat))
    return n_flat, n_row, n - n_flat - n_row


def _place_name(code: str, regso: str, given: str, places) -> str:
    if given:
        return given
    for prefix, name in places:
        if code.startswith(prefix) or (regso and regso.startswith(prefix)):
            return name
    return regso or code


def _deso_housing(h: _Housing, row: pd.Series, land: shapely.Geometry, n: int,
                  villages: gpd.GeoDataFrame | None, urban: shapely.Geometry | None,
                  p: Preset, scale: float, rng: np.random.Generator) -> None:
    """Buildings of one DeSO area with ``n`` dwellings inside its land polygon ``land``."""
    code = row["deso_code"]
    place = _place_name(code, row["regso_code"], row["place"], p.places)
    n_flat, n_row, n_det = _dwelling_mix(row, n, p)
    density = row["pop"] / max(row["land_km2"], 1e-6)
    grid = rng.uniform(0, np.pi / 2)
    inner = land.buffer(-15.0)
    inner = inner if inner.area > 0.2 * land.area else land
    if row["kind"] != "A":
        nf = n_flat // 4 + 2 if n_flat else 0
        nr = n_row // 4 + 2 if n_row else 0
        xy = _points_in(inner, nf + nr + n_det, rng)
        _multi_storey(h, n_flat, xy[:nf], grid, density, place, code, rng)
        _row_houses(h, n_row, xy[nf:nf + nr], grid, place, code, rng)
        _houses(h, "detached", xy[nf + nr:], place, code, rng)
        return
    # rural: villages around the tätorter inside, a core for flats and row houses if none,
    # scattered farms and hamlets elsewhere
    ppd = row["pop"] / max(n / max(scale, 1e-9), 1.0)  # persons per dwelling in the area
    cores: list[tuple[shapely.Geometry, int, str]] = []
    if villages is not None and len(villages):
        inside = villages[shapely.contains_xy(land, *shapely.get_coordinates(
            villages.geometry.values).T)]
        for _, v in inside.sort_values("pop", ascending=False).iterrows():
            r = (math.sqrt(v["area_ha"] * 1e4 / math.pi) if np.isfinite(v["area_ha"])
                 else 300.0)
            disc = v.geometry.buffer(max(r, 100.0)).intersection(inner)
            if disc.area > 0:
                cores.append((disc, round(v["pop"] * scale / ppd), v["name"]))
    need_core = n_flat + n_row
    if not cores and need_core:
        if urban is not None and not urban.is_empty:
            c = nearest_points(inner, urban)[0]
        else:
            c = inner.representative_point()
        r = max(200.0, math.sqrt(need_core * 250.0 / math.pi))
        disc = c.buffer(r).intersection(inner)
        if disc.area <= 0:
            disc = inner
        cores.append((disc, need_core, row["place"] or _place_name(code, "", "", p.places)))
    # village quotas: flats and row houses first, then detached houses
    quota = np.array([q for _, q, _ in cores], dtype=float)
    quota = np.maximum(quota, 0)
    total_q = min(int(quota.sum()), n) if len(cores) else 0
    total_q = max(total_q, min(need_core, n))
    n_village_det = max(min(total_q - need_core, n_det), 0)
    if cores:
        w = quota / quota.sum() if quota.sum() > 0 else np.full(len(cores), 1 / len(cores))
        split = [rng.multinomial(k, w) for k in (n_flat, n_row, n_village_det)]
        for j, (disc, _, name) in enumerate(cores):
            nf, nr, nd = (int(s[j]) for s in split)
            nfb = nf // 4 + 2 if nf else 0
            nrb = nr // 4 + 2 if nr else 0
            xy = _points_in(disc, nfb + nrb + nd, rng)
            _multi_storey(h, nf, xy[:nfb], grid, density, name, code, rng)
            _row_houses(h, nr, xy[nfb:nfb + nrb], grid, name, code, rng)
            _houses(h, "detached", xy[nfb + nrb:], name, code, rng)
    scattered = n_det - n_village_det
    if scattered <= 0:
        return
    avoid = shapely.union_all([d for d, _, _ in cores]) if cores else None
    n_iso = round(scattered * p.rural_isolated_share)
    n_ham = scattered - n_iso
    sizes = rng.integers(3, 13, n_ham // 3 + 1)
    k = min(int(np.searchsorted(np.cumsum(sizes), n_ham)) + 1, len(sizes)) if n_ham else 0
    sizes = sizes[:k]
    if k:
        sizes[-1] -= max(int(sizes.sum()) - n_ham, 0)
    centres = _points_in(inner, n_iso + k, rng, avoid=avoid)
    _houses(h, "farm", centres[:n_iso], "rural", code, rng)
    if k:
        rep = np.repeat(np.arange(k), sizes)
        dx, dy = _uniform_in_disc(rng, len(rep), 150.0)
        x, y = centres[n_iso + rep, 0] + dx, centres[n_iso + rep, 1] + dy
        ok = shapely.contains_xy(inner, x, y)
        xy = np.column_stack([np.where(ok, x, centres[n_iso + rep, 0]),
                              np.where(ok, y, centres[n_iso + rep, 1])])
        _houses(h, "detached", xy, "rural", code, rng)
