"""The scenario's schema: its tables, their columns, types and defaults, the limits of a value,
and the checks :class:`~hemopt.scenario.Scenario` and the table importer share.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hemopt.errors import ScenarioError

#: The coordinate reference system of every table: SWEREF 99 TM, metres.
CRS = "EPSG:3006"
#: Points may lie this far outside the boundary (generalised boundaries are coarse).
BOUNDARY_TOLERANCE_M = 1.0
#: Allowed values of ``providers.kind``.
PROVIDER_KINDS = ("municipal", "external")
#: Separator of id lists (``ranking``, ``zones``) when written to a file.
LIST_SEPARATOR = ";"
#: Most hours of care a week a client can be granted: every hour of the week (24 x 7).
MAX_HOURS_PER_WEEK = 168.0
#: Most visits a day: one every 15 minutes around the clock.
MAX_VISITS_PER_DAY = 96.0
#: Where Sweden lies in SWEREF 99 TM (metres): ``(E min, E max), (N min, N max)``, the
#: projection's area of use, rounded outwards.
SWEDEN_SWEREF = ((180_000.0, 1_090_000.0), (6_100_000.0, 7_700_000.0))
#: Where Sweden lies in WGS84 (degrees): ``(lat min, lat max), (lon min, lon max)``.
SWEDEN_LATLON = ((55.0, 69.1), (10.5, 24.2))
#: Without a boundary, a client or office this far (metres) from every other point is
#: warned about (:class:`~hemopt.errors.PlausibilityWarning`): it would grow the default
#: boundary, their convex hull, by a region the municipality may not have.
ISOLATED_M = 20_000.0
#: Areas (zones) may overlap by at most this share of the smaller one's area (slivers of
#: digitising); more, and a client there would belong to two areas.
ZONE_OVERLAP_SHARE = 0.01
#: A client farther than this (metres) from every area is refused: it would be put in the
#: nearest area without a word (areas of another municipality, or in another CRS).
ZONE_REACH_M = 1_000.0

_TABLES = ("clients", "stairwells", "buildings", "providers", "zones", "boundary", "bases")

# column -> kind; the order is the canonical column order of each table.
_SCHEMA: dict[str, dict[str, str]] = {
    "clients": {
        "client_id": "id",
        "stairwell_id": "id",
        "building_id": "id",
        "hours_per_week": "nonneg",
        "visits_per_day": "nonneg",
        "ranking": "idlist",
        "current_provider": "optid",
        "staff_per_visit": "staffing",
        "skill": "optid",
    },
    "stairwells": {"stairwell_id": "id", "building_id": "id", "dwellings": "count"},
    "buildings": {"building_id": "id", "kind": "str", "floors": "count"},
    "providers": {
        "provider_id": "id",
        "name": "str",
        "kind": "str",
        "capacity_clients": "capacity",
        "capacity_hours": "capacity",
        "zones": "idlist",
        "licensed_share": "share",
    },
    "zones": {"zone_id": "id", "name": "str"},
    "boundary": {"name": "str", "code": "str"},
    "bases": {"base_id": "id", "provider_id": "id"},
}
_GEOM_TYPES = {
    "clients": ("Point",),
    "stairwells": ("Point",),
    "buildings": ("Polygon", "MultiPolygon", "Point"),
    "providers": ("Point",),
    "zones": ("Polygon", "MultiPolygon"),
    "boundary": ("Polygon", "MultiPolygon"),
    "bases": ("Point",),
}
_TYPE_IDS = {"Point": 0, "Polygon": 3, "MultiPolygon": 6}
_KEY = {
    "clients": "client_id",
    "stairwells": "stairwell_id",
    "buildings": "building_id",
    "providers": "provider_id",
    "zones": "zone_id",
    "boundary": "name",
    "bases": "base_id",
}
# Optional columns get these defaults when absent.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "clients": {"visits_per_day": None, "ranking": (), "current_provider": "",
                "staff_per_visit": 1, "skill": ""},
    "stairwells": {"dwellings": 1},
    "buildings": {"kind": "unknown", "floors": 1},
    "providers": {"capacity_clients": math.inf, "capacity_hours": math.inf, "zones": (),
                  "licensed_share": 1.0},
    "zones": {},
    "boundary": {"code": ""},
    "bases": {},
}


# Optional columns whose default changes the results, and what it changes: a scenario read from
# a file without them gets a MissingColumnWarning (a Scenario built in code gets the documented
# defaults silently).
_CONSEQUENCES: dict[tuple[str, str], str] = {
    ("clients", "ranking"):
        "every client is taken as one who does not choose and gets the default provider, so "
        "first choice met is undefined (no client chose) in every regime",
    ("clients", "current_provider"):
        "no client has a current provider, so loyalty under LOV and incumbents in procured "
        "zones play no part",
    ("clients", "visits_per_day"):
        "visits per day are derived from hours_per_week as 30-minute visits, which sets the "
        "visits routed and so the km and staff hours",
    ("providers", "zones"):
        "every provider may serve every zone, so the LOU areas of the external providers are "
        "unknown",
}


def _warn_missing_columns(read: Mapping[str, gpd.GeoDataFrame], source: Any) -> None:
    """Warn (MissingColumnWarning) for each consequential optional column not in ``read``."""

    from hemopt.errors import MissingColumnWarning

    for (table, col), consequence in _CONSEQUENCES.items():
        if table not in read or col in read[table].columns:
            continue
        if table == "providers" and col == "zones" and not len(read.get("zones", ())):
            continue  # no zones in the scenario: nothing to serve
        warnings.warn(MissingColumnWarning(
            f"{source}: table {table!r} has no column {col!r}: {consequence}",
            table=table, column=col), stacklevel=3)


def _row_id(table: str, df: pd.DataFrame, pos: int) -> Any:
    key = _KEY[table]
    if key in df.columns:
        return df[key].iloc[pos]
    return pos


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _check_printable(v: str, table: str, row: Any, field: str) -> None:
    """Refuse a text with a control character (NUL, tab, newline, ...): a GeoPackage cuts a
    text at a NUL, and the others change or break the CSV and HTML outputs."""
    if v.isprintable():
        return
    bad = next(c for c in v if not c.isprintable())
    raise ScenarioError(
        f"contains the non-printable character U+{ord(bad):04X}; ids and names must be "
        "printable text (a NUL would be cut off when the scenario is written, a tab or line "
        "break changes the CSV outputs): remove it", table=table, row=row, field=field,
        value=v)


def _to_idlist(v: Any, table: str, row: Any, field: str) -> tuple[str, ...]:
    if isinstance(v, (list, tuple, np.ndarray, pd.Series)):
        items = list(v)
    elif _is_missing(v):
        items = []
    elif isinstance(v, str):
        items = [s for s in (p.strip() for p in v.split(LIST_SEPARATOR)) if s]
    else:
        raise ScenarioError(
            "expected a list of ids or a ';'-separated string", table=table, row=row,
            field=field, value=v,
        )
    out = tuple(str(i) for i in items)
    for i in out:
        _check_printable(i, table, row, field)
    if len(set(out)) != len(out):
        raise ScenarioError("an id appears twice", table=table, row=row, field=field, value=v)
    return out


def _as_gdf(table: str, data: Any) -> gpd.GeoDataFrame:
    """Copy ``data`` into a GeoDataFrame in :data:`CRS`."""
    if isinstance(data, gpd.GeoDataFrame):
        gdf = data.copy()
    elif isinstance(data, pd.DataFrame):
        if "geometry" in data.columns:
            gdf = gpd.GeoDataFrame(data.copy(), geometry="geometry")
        elif {"x", "y"} <= set(data.columns):
            raise ScenarioError(
                "plain DataFrame with x/y columns: build a GeoDataFrame with "
                "geopandas.points_from_xy(df.x, df.y, crs=...) so the CRS is explicit",
                table=table,
            )
        else:
            raise ScenarioError("no geometry column", table=table)
    else:
        raise ScenarioError(
            f"expected a GeoDataFrame, got {type(data).__name__}", table=table
        )
    if gdf.crs is None:
        raise ScenarioError(
            "missing CRS; set it with .set_crs(...) (EPSG:3006 for SWEREF 99 TM metres, "
            "EPSG:4326 for WGS84 lon/lat)",
            table=table,
            field="crs",
        )
    original = gdf
    if not gdf.crs.equals(CRS):
        if not (gdf.crs.is_geographic or gdf.crs.is_projected):
            raise ScenarioError("CRS is neither geographic nor projected", table=table,
                                field="crs", value=str(gdf.crs))
        gdf = gdf.to_crs(CRS)
    _check_in_sweden(table, gdf, original)
    return gdf


def _in_range(v: np.ndarray, lo_hi: tuple[float, float]) -> np.ndarray:
    return (v >= lo_hi[0]) & (v <= lo_hi[1])


def _check_in_sweden(table: str, gdf: gpd.GeoDataFrame, original: gpd.GeoDataFrame) -> None:
    """Refuse geometries outside Sweden's extent (SWEREF 99 TM's area of use), naming the row,
    and say when latitude and longitude (or easting and northing) look swapped."""
    if not len(gdf):
        return
    geoms = np.asarray(gdf.geometry.values)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not valid.any():
        return
    b = np.full((len(geoms), 4), np.nan)
    b[valid] = shapely.bounds(geoms[valid])
    with np.errstate(invalid="ignore"):
        (elo, ehi), (nlo, nhi) = SWEDEN_SWEREF
        finite = valid & np.isfinite(b).all(axis=1)
        inside = (b[:, 0] >= elo) & (b[:, 2] <= ehi) & (b[:, 1] >= nlo) & (b[:, 3] <= nhi)
    bad = finite & ~inside
    if not bad.any():
        return
    pos = int(np.flatnonzero(bad)[0])
    key = _KEY[table]
    row = gdf[key].iloc[pos] if key in gdf.columns else pos
    og = original.geometry.iloc[pos]
    ox, oy = shapely.get_coordinates(og)[0]
    (la, lb), (oa, ob) = SWEDEN_LATLON
    if original.crs.is_geographic:
        where = f"lon {ox:.6g}, lat {oy:.6g} ({original.crs.to_string()})"
        if la <= ox <= lb and oa <= oy <= ob:
            raise ScenarioError(
                f"point lies outside Sweden: {where}. Did you swap latitude and longitude? "
                f"In Sweden the latitude is {la}–{lb} and the longitude {oa}–{ob}; the point's "
                "x must be the longitude (geopandas.points_from_xy(lon, lat))",
                table=table, row=row, field="geometry", value=f"POINT ({ox:.6g} {oy:.6g})")
        raise ScenarioError(f"point lies outside Sweden: {where}; latitude must be {la}–{lb}, "
                            f"longitude {oa}–{ob}. Is the CRS right?", table=table, row=row,
                            field="geometry", value=f"POINT ({ox:.6g} {oy:.6g})")
    x, y = shapely.get_coordinates(geoms[pos])[0]
    swapped = nlo <= x <= nhi and elo <= y <= ehi
    if swapped:
        hint = ("Did you swap x and y? In SWEREF 99 TM x is the easting "
                f"({elo:,.0f}–{ehi:,.0f} m) and y the northing ({nlo:,.0f}–{nhi:,.0f} m)")
    elif abs(ox) <= 180 and abs(oy) <= 90 and max(abs(ox), abs(oy)) >= oa:
        hint = ("the coordinates look like degrees: give WGS84 longitude/latitude with "
                "crs='EPSG:4326' (did you swap latitude and longitude?)" if oa <= ox <= ob
                or la <= ox <= lb else "the coordinates look like degrees: give them with "
                "crs='EPSG:4326'")
    else:
        hint = (f"SWEREF 99 TM easting must be {elo:,.0f}–{ehi:,.0f} m and northing "
                f"{nlo:,.0f}–{nhi:,.0f} m; is the CRS right ({original.crs.to_string()})?")
    raise ScenarioError(f"lies outside Sweden; {hint}", table=table, row=row, field="geometry",
                        value=f"POINT ({x:.1f} {y:.1f})" if geoms[pos].geom_type == "Point"
                        else f"bounds {tuple(round(v, 1) for v in b[pos])}")


def isolated_points(xy: np.ndarray, limit_m: float = ISOLATED_M) -> list[tuple[int, float]]:
    """Points farther than ``limit_m`` from every other point: ``[(position, distance)]``,
    farthest first (an empty list for fewer than two points).

    >>> isolated_points(np.array([[0, 0], [100, 0], [300_000, 0]]))
    [(2, 299900.0)]
    """
    from scipy.spatial import cKDTree

    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if len(xy) < 2:
        return []
    d, _ = cKDTree(xy).query(xy, k=2)
    far = np.flatnonzero(d[:, 1] > limit_m)
    return [(int(i), float(d[i, 1])) for i in far[np.argsort(-d[far, 1], kind="stable")]]


def warn_isolated(labels: list[str], xy: np.ndarray, area_km2: float, how: str) -> None:
    """Warn (:class:`~hemopt.errors.PlausibilityWarning`) about each point of ``xy`` far from
    every other one: it grows a default boundary (``how``, whose area is ``area_km2``)."""

    from hemopt.errors import PlausibilityWarning

    far = isolated_points(xy)
    if not far:
        return
    shown = "; ".join(f"{labels[i]} is {d / 1000:.1f} km from every other point"
                      for i, d in far[:5])
    more = f" and {len(far) - 5} more" if len(far) > 5 else ""
    warnings.warn(PlausibilityWarning(
        f"{shown}{more}: the default boundary ({how}) then covers {area_km2:,.0f} km². Check "
        "those coordinates, or give the municipality's boundary (boundary=..., --boundary)"),
        stacklevel=3)


def prepare_boundary(boundary: Any, tables: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """The one-row boundary table of ``boundary`` (a GeoDataFrame, GeoSeries or shapely
    polygon; ``name`` and ``code`` kept), or without one the convex hull of ``tables``' points
    buffered by 1 km, with a warning for points far from all others."""
    if boundary is None:
        pts = [t.geometry.values for t in tables if len(t)]
        geoms = np.concatenate(pts) if pts else np.array([], dtype=object)
        hull = shapely.convex_hull(shapely.union_all(geoms)).buffer(1000.0)
        # clients and offices (stairwells sit on the clients' points)
        labels, pts_xy = [], []
        for name, t in zip(("clients", "stairwells", "providers"), tables, strict=False):
            if name == "stairwells" or not len(t):
                continue
            key = _KEY[name]
            ids = t[key].astype(str).tolist() if key in t.columns else [""] * len(t)
            labels += [f"table {name!r}, row {i!r}" for i in ids]
            pts_xy.append(shapely.get_coordinates(t.geometry.values))
        if pts_xy:
            xy = np.vstack(pts_xy)
            if len(xy) == len(labels):
                warn_isolated(labels, xy, hull.area / 1e6,
                              "the convex hull of the points + 1 km")
        return gpd.GeoDataFrame({"name": ["unnamed"], "code": [""]}, geometry=[hull],
                                crs=CRS)
    if isinstance(boundary, gpd.GeoSeries):
        boundary = gpd.GeoDataFrame(geometry=boundary)
    if isinstance(boundary, shapely.Geometry):
        boundary = gpd.GeoDataFrame({"name": ["unnamed"]}, geometry=[boundary], crs=CRS)
    bd = _as_gdf("boundary", boundary)
    if len(bd) == 0:
        raise ScenarioError("boundary has no polygon", table="boundary")
    name = str(bd["name"].iloc[0]) if "name" in bd.columns else "unnamed"
    if "code" in bd.columns:
        code = str(bd["code"].iloc[0])
    elif "kommun_kod" in bd.columns:
        code = str(bd["kommun_kod"].iloc[0])
    else:
        code = ""
    if "name" not in bd.columns and "kommun" in bd.columns:
        name = str(bd["kommun"].iloc[0])
    geom = shapely.union_all(bd.geometry.values)
    return gpd.GeoDataFrame({"name": [name], "code": [code]}, geometry=[geom], crs=CRS)


def zone_overlap(zone_ids: list[str], geoms: Any) -> str | None:
    """A message when two areas overlap by more than :data:`ZONE_OVERLAP_SHARE` of the
    smaller one, else None.

    >>> from shapely import box
    >>> zone_overlap(["A", "B"], [box(0, 0, 10, 10), box(10, 0, 20, 10)]) is None
    True
    >>> print(zone_overlap(["A", "B"], [box(0, 0, 10, 10), box(5, 0, 15, 10)])[:50])
    areas 'A' and 'B' overlap by 50 m² (50 % of the sm
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) < 2:
        return None
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        ov = float(shapely.intersection(geoms[i], geoms[j]).area)
        small = min(float(geoms[i].area), float(geoms[j].area))
        if ov > ZONE_OVERLAP_SHARE * small:
            size = f"{ov / 1e6:,.2f} km²" if ov >= 1e4 else f"{ov:,.0f} m²"
            return (f"areas {zone_ids[i]!r} and {zone_ids[j]!r} overlap by {size} "
                    f"({100 * ov / small:.0f} % of the smaller): a client there would belong "
                    "to both; give areas that do not overlap")
    return None


def far_from_zones(geoms: Any, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the points farther than :data:`ZONE_REACH_M` from every area, and the
    distances (metres) of all points."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if not len(geoms) or not len(xy):
        return np.zeros(0, dtype=np.int64), np.zeros(len(xy))
    d = shapely.distance(shapely.union_all(np.asarray(geoms, dtype=object)),
                         shapely.points(xy))
    return np.flatnonzero(d > ZONE_REACH_M), d


def far_message(n_far: int, d: float) -> str:
    """The message for :func:`far_from_zones`'s points."""
    return (f"{n_far} client(s) lie more than {ZONE_REACH_M:,.0f} m outside every area (this "
            f"one {d:,.0f} m): are the areas this municipality's, in the right CRS? a client "
            "outside would be put in the nearest area")

