"""The scenario: a municipality's home-care clients, their homes and the providers.

A :class:`Scenario` holds seven tables, all as GeoDataFrames in SWEREF 99 TM (EPSG:3006, metres):

``clients``
    one row per client (brukare, the person receiving home care): ``client_id``,
    ``stairwell_id``, ``building_id``, ``hours_per_week`` (granted care), ``visits_per_day``
    (mean visits per day, may be below one for weekly help), ``ranking`` (tuple of provider ids,
    most wanted first; empty for a client who does not choose), ``current_provider`` (provider
    id, ``""`` for none), ``staff_per_visit`` (1, or 2 for a double-staffed client: a lift or
    two-person transfer; default 1), ``skill`` (a skill every visit needs, e.g.
    ``"delegated"`` for delegated health care such as insulin or wound care; ``""``, the
    default, for none) and a point geometry: the entrance the staff walk to.
``stairwells``
    one row per entrance (trappuppgång): ``stairwell_id``, ``building_id``, ``dwellings``,
    point geometry.
``buildings``
    one row per building: ``building_id``, ``kind`` (``multi_storey``, ``row_house``,
    ``detached``, ``farm`` or any string), ``floors``, footprint geometry (polygon or point).
``providers``
    one row per provider (utförare, the organisation giving the care): ``provider_id``,
    ``name``, ``kind`` (``municipal`` or ``external``), ``capacity_clients`` and
    ``capacity_hours`` (per week, ``inf`` for unbounded), ``zones`` (tuple of zone ids the
    provider may serve, empty for the whole municipality), ``licensed_share`` (the share of
    its staff licensed for delegated health care, 0 to 1; default 1: no limit) and the office
    point.
``zones``
    geographic areas used for procurement (LOU areas) or zoning: ``zone_id``, ``name``,
    polygon geometry. May be empty.
``boundary``
    the municipality: one row with ``name``, ``code`` and its polygon. Clients, stairwells
    and offices must lie inside it (within :data:`BOUNDARY_TOLERANCE_M`).
``bases``
    optional extra local bases of providers (``base_id``, ``provider_id``, point), for
    example the municipality's home-care group in each town; shifts start from the office or
    a base. Often empty.

The constructor copies and validates everything; invalid input raises
:class:`~hemopt.errors.ScenarioError` naming the table, row, field and value. Ids are stored as
strings. Input in a geographic CRS (e.g. WGS84) is reprojected to EPSG:3006; input with no CRS
is refused because its units are unknown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hemopt.errors import ScenarioError

__all__ = ["BOUNDARY_TOLERANCE_M", "CRS", "ISOLATED_M", "MAX_HOURS_PER_WEEK",
           "MAX_VISITS_PER_DAY", "PATTERN_COLUMNS", "PROVIDER_KINDS", "SWEDEN_LATLON",
           "SWEDEN_SWEREF", "Scenario", "WeeklyPattern", "weekly_pattern"]

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
        "first choice met will be 0 % in every regime",
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
    import warnings

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
    import warnings

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


class Scenario:
    """A municipality's home-care clients, homes, providers and zones.

    Parameters
    ----------
    clients, providers
        GeoDataFrames with the columns described in the module docstring. ``clients`` needs at
        least ``client_id``, ``hours_per_week`` and a point geometry; ``stairwell_id``
        defaults to one stairwell per client location, ``building_id`` to the stairwell,
        ``visits_per_day`` to ``hours_per_week * 60 / 7 / 30`` (30-minute visits) but at
        most 8 a day (longer visits beyond that),
        ``ranking`` to empty and ``current_provider`` to ``""``. ``providers`` needs
        ``provider_id``, ``kind`` and an office point; ``name`` defaults to the id.
    stairwells, buildings
        Optional; derived from the clients when not given.
    zones
        Optional polygons (LOU areas or zones).
    boundary
        The municipality: a GeoDataFrame/GeoSeries with one or more polygons (they are
        dissolved), or a shapely polygon in EPSG:3006. When omitted, the convex hull of all
        points buffered by 1 km is used and no point can be outside.
    name
        A label for reports.
    meta
        JSON-serialisable facts about the scenario (preset, seed, inhabitants, ...).

    Raises
    ------
    ScenarioError
        On any invalid input, naming the table, row, field and value.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> clients = gpd.GeoDataFrame(
    ...     {"client_id": ["a", "b"], "hours_per_week": [3.5, 14.0],
    ...      "ranking": [("p1",), ()]},
    ...     geometry=[Point(600000, 6580000), Point(600050, 6580000)], crs="EPSG:3006")
    >>> providers = gpd.GeoDataFrame(
    ...     {"provider_id": ["m", "p1"], "kind": ["municipal", "external"]},
    ...     geometry=[Point(600500, 6580500), Point(601000, 6579000)], crs="EPSG:3006")
    >>> sc = Scenario(clients, providers)
    >>> sc.n_clients, sc.n_providers, sc.clients.hours_per_week.sum()
    (2, 2, np.float64(17.5))
    >>> sc.ranking_matrix().tolist()
    [[-1, 0], [-1, -1]]
    """

    def __init__(
        self,
        clients: gpd.GeoDataFrame,
        providers: gpd.GeoDataFrame,
        *,
        stairwells: gpd.GeoDataFrame | None = None,
        buildings: gpd.GeoDataFrame | None = None,
        zones: gpd.GeoDataFrame | None = None,
        boundary: Any = None,
        bases: gpd.GeoDataFrame | None = None,
        name: str = "scenario",
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = str(name)
        _check_printable(self.name, "scenario", None, "name")
        self.meta: dict[str, Any] = dict(meta or {})
        try:
            json.dumps(self.meta)
        except TypeError as exc:
            raise ScenarioError(f"meta is not JSON-serialisable: {exc}", field="meta") from exc

        cl = _as_gdf("clients", clients)
        pr = _as_gdf("providers", providers)
        cl = self._prepare_clients(cl)
        st = (
            self._derive_stairwells(cl)
            if stairwells is None
            else _as_gdf("stairwells", stairwells)
        )
        if "building_id" not in cl.columns or cl["building_id"].isna().all():
            if "building_id" in st.columns:
                lut = dict(zip(st["stairwell_id"].astype(str), st["building_id"].astype(str),
                               strict=True))
                cl["building_id"] = cl["stairwell_id"].map(lut)
            else:
                cl["building_id"] = cl["stairwell_id"]
        if "building_id" not in st.columns:
            st["building_id"] = st["stairwell_id"]
        bu = self._derive_buildings(st) if buildings is None else _as_gdf("buildings", buildings)
        if "name" not in pr.columns:
            pr["name"] = pr["provider_id"] if "provider_id" in pr.columns else None
        zo = (
            gpd.GeoDataFrame({"zone_id": [], "name": []}, geometry=[], crs=CRS)
            if zones is None
            else _as_gdf("zones", zones)
        )
        if "name" not in zo.columns and "zone_id" in zo.columns:
            zo["name"] = zo["zone_id"]
        bd = self._prepare_boundary(boundary, [cl, st, pr])
        ba = (
            gpd.GeoDataFrame({"base_id": [], "provider_id": []}, geometry=[], crs=CRS)
            if bases is None
            else _as_gdf("bases", bases)
        )

        tables = {
            "clients": cl, "stairwells": st, "buildings": bu, "providers": pr,
            "zones": zo, "boundary": bd, "bases": ba,
        }
        for t in _TABLES:
            tables[t] = self._normalise(t, tables[t])
        self._tables = tables
        self._validate_references()
        self._validate_inside()
        weekly_pattern(self)  # optional pattern columns: refused here when malformed

    # ------------------------------------------------------------------ construction helpers
    @staticmethod
    def _prepare_clients(cl: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        for col in ("client_id", "hours_per_week"):
            if col not in cl.columns:
                raise ScenarioError("required column is missing", table="clients", field=col)
        if "stairwell_id" not in cl.columns:
            # one stairwell per distinct location
            xy = shapely.get_coordinates(cl.geometry.values)
            if len(xy) != len(cl):
                raise ScenarioError("every client needs one point geometry", table="clients",
                                    field="geometry")
            keys = [f"s{x:.1f}_{y:.1f}" for x, y in xy]
            cl["stairwell_id"] = keys
        if "visits_per_day" not in cl.columns:
            h = pd.to_numeric(cl["hours_per_week"], errors="coerce")
            cl["visits_per_day"] = np.round(np.minimum(h * 60.0 / 7.0 / 30.0, 8.0), 2)
        return cl

    @staticmethod
    def _derive_stairwells(cl: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        first = cl.drop_duplicates("stairwell_id")
        cols = {"stairwell_id": first["stairwell_id"].astype(str).to_numpy()}
        if "building_id" in first.columns:
            cols["building_id"] = first["building_id"].astype(str).to_numpy()
        counts = cl.groupby("stairwell_id", sort=False).size()
        cols["dwellings"] = counts.loc[first["stairwell_id"]].to_numpy()
        return gpd.GeoDataFrame(cols, geometry=first.geometry.to_numpy(), crs=CRS)

    @staticmethod
    def _derive_buildings(st: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        first = st.drop_duplicates("building_id")
        return gpd.GeoDataFrame(
            {"building_id": first["building_id"].astype(str).to_numpy()},
            geometry=first.geometry.to_numpy(),
            crs=CRS,
        )

    @staticmethod
    def _prepare_boundary(boundary: Any, tables: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
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

    def _normalise(self, table: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Check columns, convert types, order columns, reset the index."""
        schema = _SCHEMA[table]
        gdf = gdf.reset_index(drop=True)
        for col, default in _DEFAULTS[table].items():
            if col not in gdf.columns:
                gdf[col] = [default] * len(gdf)
        for col in schema:
            if col not in gdf.columns:
                raise ScenarioError("required column is missing", table=table, field=col)
        out: dict[str, Any] = {}
        for col, kind in schema.items():
            s = gdf[col]
            if kind in ("id", "str", "optid"):
                vals = []
                for pos, v in enumerate(s.tolist()):
                    if type(v) is str and v and LIST_SEPARATOR not in v and v.isprintable():
                        vals.append(v)  # fast path
                        continue
                    if _is_missing(v):
                        if kind == "id":
                            raise ScenarioError("id is missing", table=table,
                                                row=_row_id(table, gdf, pos), field=col, value=v)
                        v = ""
                    if isinstance(v, float) and v.is_integer():
                        v = int(v)
                    v = str(v)
                    if kind == "id" and (not v or LIST_SEPARATOR in v):
                        raise ScenarioError(
                            f"ids must be non-empty and must not contain {LIST_SEPARATOR!r}",
                            table=table, row=_row_id(table, gdf, pos), field=col, value=v)
                    _check_printable(v, table, _row_id(table, gdf, pos), col)
                    vals.append(v)
                out[col] = vals
            elif kind == "idlist":
                vals = []
                for pos, v in enumerate(s.tolist()):
                    if isinstance(v, tuple) and all(type(i) is str for i in v) and len(
                        set(v)
                    ) == len(v):
                        vals.append(v)  # already normalised (fast path)
                    else:
                        vals.append(_to_idlist(v, table, _row_id(table, gdf, pos), col))
                out[col] = vals
            else:  # numeric
                try:
                    arr = pd.to_numeric(s, errors="raise").to_numpy(dtype=float)
                except (ValueError, TypeError):
                    pos = next(
                        i for i, v in enumerate(s.tolist())
                        if pd.isna(pd.to_numeric(pd.Series([v]), errors="coerce")).iloc[0]
                    )
                    raise ScenarioError("not a number", table=table,
                                        row=_row_id(table, gdf, pos), field=col,
                                        value=s.iloc[pos]) from None
                if kind == "capacity":
                    arr = np.where(np.isnan(arr), math.inf, arr)
                    bad = arr < 0
                    msg = "capacity must be >= 0 (inf or empty for unbounded)"
                elif kind == "count":
                    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
                    msg = "must be a non-negative whole number"
                elif kind == "staffing":
                    arr = np.where(np.isnan(arr), 1.0, arr)
                    bad = ~np.isin(arr, (1.0, 2.0))
                    msg = "staff per visit must be 1 or 2"
                elif kind == "share":
                    arr = np.where(np.isnan(arr), 1.0, arr)
                    bad = ~np.isfinite(arr) | (arr < 0) | (arr > 1)
                    msg = "must be a share between 0 and 1"
                elif (table, col) == ("clients", "hours_per_week"):
                    bad = ~np.isfinite(arr) | (arr < 0) | (arr > MAX_HOURS_PER_WEEK)
                    msg = (f"must be a number >= 0 and at most {MAX_HOURS_PER_WEEK:g} hours a week "
                           "(24 h x 7 days); give granted hours per week, not per month or "
                           "year, nor minutes")
                elif (table, col) == ("clients", "visits_per_day"):
                    bad = ~np.isfinite(arr) | (arr < 0) | (arr > MAX_VISITS_PER_DAY)
                    msg = (f"must be a number >= 0 and at most {MAX_VISITS_PER_DAY:g} visits a "
                           "day (one every 15 minutes); give visits per day, not per week")
                else:
                    bad = ~np.isfinite(arr) | (arr < 0)
                    msg = "must be a finite number >= 0"
                if bad.any():
                    pos = int(np.flatnonzero(bad)[0])
                    raise ScenarioError(msg, table=table, row=_row_id(table, gdf, pos),
                                        field=col, value=s.iloc[pos])
                out[col] = arr.astype(np.int64) if kind in ("count", "staffing") else arr
        key = _KEY[table]
        ids = pd.Series(out[key], dtype=object)
        dup = ids.duplicated()
        if dup.any():
            v = ids[dup].iloc[0]
            raise ScenarioError("duplicate id", table=table, row=v, field=key, value=v)
        # geometry
        geoms = np.asarray(gdf.geometry.values)
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        if missing.any():
            pos = int(np.flatnonzero(missing)[0])
            raise ScenarioError("geometry is missing or empty", table=table,
                                row=out[key][pos], field="geometry")
        types = np.asarray(shapely.get_type_id(geoms))
        ok_types = [_TYPE_IDS[t] for t in _GEOM_TYPES[table]]
        bad = ~np.isin(types, ok_types)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise ScenarioError(
                f"geometry must be {' or '.join(_GEOM_TYPES[table])}", table=table,
                row=out[key][pos], field="geometry", value=geoms[pos].geom_type)
        coords = shapely.get_coordinates(geoms)
        if len(coords) and not np.isfinite(coords).all():
            raise ScenarioError("geometry has non-finite coordinates", table=table,
                                field="geometry")
        if table == "providers":
            for pos, k in enumerate(out["kind"]):
                if k not in PROVIDER_KINDS:
                    raise ScenarioError(f"kind must be one of {PROVIDER_KINDS}", table=table,
                                        row=out[key][pos], field="kind", value=k)
        extra = [c for c in gdf.columns if c not in schema and c != gdf.geometry.name]
        if table == "clients" and "age" in extra:  # optional: years, NaN for unknown
            age = pd.to_numeric(gdf["age"], errors="coerce").to_numpy(dtype=float)
            bad = np.flatnonzero((np.isnan(age) & gdf["age"].notna().to_numpy())
                                 | (age < 0) | (age > 130))
            if len(bad):
                raise ScenarioError("age must be years in 0..130, or empty for unknown",
                                    table=table, row=out[key][bad[0]], field="age",
                                    value=gdf["age"].iloc[bad[0]])
        data = {c: out[c] for c in schema}
        for c in extra:  # keep the user's extra columns, untouched
            data[c] = gdf[c].to_numpy()
        res = gpd.GeoDataFrame(data, geometry=np.asarray(geoms), crs=CRS)
        for c in schema:
            if _SCHEMA[table][c] in ("id", "str", "optid", "idlist"):
                res[c] = res[c].astype(object)
        return res

    def _validate_references(self) -> None:
        cl, st, bu, pr, zo = (self._tables[t] for t in _TABLES[:5])
        providers = set(pr["provider_id"])
        zones = set(zo["zone_id"])
        stairwells = dict(zip(st["stairwell_id"], st["building_id"], strict=True))
        buildings = set(bu["building_id"])
        for cid, ranking, cur, sid, bid in zip(
            cl["client_id"], cl["ranking"], cl["current_provider"], cl["stairwell_id"],
            cl["building_id"], strict=True,
        ):
            for p in ranking:
                if p not in providers:
                    raise ScenarioError("unknown provider in ranking", table="clients", row=cid,
                                        field="ranking", value=p)
            if cur and cur not in providers:
                raise ScenarioError("unknown provider", table="clients", row=cid,
                                    field="current_provider", value=cur)
            if sid not in stairwells:
                raise ScenarioError("unknown stairwell", table="clients", row=cid,
                                    field="stairwell_id", value=sid)
            if stairwells[sid] != bid:
                raise ScenarioError(
                    f"building does not match the stairwell's building {stairwells[sid]!r}",
                    table="clients", row=cid, field="building_id", value=bid)
        for sid, bid in stairwells.items():
            if bid not in buildings:
                raise ScenarioError("unknown building", table="stairwells", row=sid,
                                    field="building_id", value=bid)
        for pid, pz in zip(pr["provider_id"], pr["zones"], strict=True):
            for z in pz:
                if z not in zones:
                    raise ScenarioError("unknown zone", table="providers", row=pid,
                                        field="zones", value=z)
        for bid, pid in zip(self._tables["bases"]["base_id"],
                            self._tables["bases"]["provider_id"], strict=True):
            if pid not in providers:
                raise ScenarioError("unknown provider", table="bases", row=bid,
                                    field="provider_id", value=pid)

    def _validate_inside(self) -> None:
        area = self._tables["boundary"].geometry.iloc[0].buffer(BOUNDARY_TOLERANCE_M)
        shapely.prepare(area)
        for t in ("clients", "stairwells", "providers", "bases"):
            gdf = self._tables[t]
            inside = shapely.covers(area, gdf.geometry.values)
            if not inside.all():
                pos = int(np.flatnonzero(~inside)[0])
                g = gdf.geometry.iloc[pos]
                raise ScenarioError(
                    f"point lies outside the municipality boundary "
                    f"{self._tables['boundary']['name'].iloc[0]!r}",
                    table=t, row=gdf[_KEY[t]].iloc[pos], field="geometry",
                    value=f"POINT ({g.x:.1f} {g.y:.1f})")

    # ------------------------------------------------------------------ table access
    @property
    def clients(self) -> gpd.GeoDataFrame:
        """Clients (a copy is not made: treat as read-only, use :meth:`replace` to change)."""
        return self._tables["clients"]

    @property
    def stairwells(self) -> gpd.GeoDataFrame:
        return self._tables["stairwells"]

    @property
    def buildings(self) -> gpd.GeoDataFrame:
        return self._tables["buildings"]

    @property
    def providers(self) -> gpd.GeoDataFrame:
        return self._tables["providers"]

    @property
    def zones(self) -> gpd.GeoDataFrame:
        return self._tables["zones"]

    @property
    def bases(self) -> gpd.GeoDataFrame:
        """Extra local bases of providers (``base_id``, ``provider_id``, point); staff shifts
        may start from a provider's office or any of its bases. Often empty."""
        return self._tables["bases"]

    def bases_xy(self) -> dict[str, np.ndarray]:
        """Every provider's starting points, office first: ``{provider_id: (k, 2) array}``."""
        out = {pid: [xy] for pid, xy in zip(self.provider_ids, self.provider_xy(), strict=True)}
        bxy = shapely.get_coordinates(self.bases.geometry.values)
        for pid, xy in zip(self.bases["provider_id"], bxy, strict=True):
            out[pid].append(xy)
        return {pid: np.array(v, dtype=float) for pid, v in out.items()}

    @property
    def boundary(self) -> gpd.GeoDataFrame:
        return self._tables["boundary"]

    @property
    def area(self) -> shapely.Geometry:
        """The municipality polygon."""
        return self._tables["boundary"].geometry.iloc[0]

    @property
    def n_clients(self) -> int:
        return len(self._tables["clients"])

    @property
    def n_providers(self) -> int:
        return len(self._tables["providers"])

    @property
    def provider_ids(self) -> list[str]:
        return list(self._tables["providers"]["provider_id"])

    def tables(self) -> dict[str, gpd.GeoDataFrame]:
        """Copies of all tables, by name."""
        return {t: self._tables[t].copy() for t in _TABLES}

    def replace(self, **tables: Any) -> Scenario:
        """A new, validated scenario with some tables (or ``name``/``meta``) replaced."""
        unknown = set(tables) - set(_TABLES) - {"name", "meta"}
        if unknown:
            raise ScenarioError(f"unknown table(s) {sorted(unknown)}; expected {_TABLES}")
        kw = {t: tables.get(t, self._tables[t]) for t in _TABLES}
        return Scenario(
            kw["clients"], kw["providers"], stairwells=kw["stairwells"],
            buildings=kw["buildings"], zones=kw["zones"], boundary=kw["boundary"],
            bases=kw["bases"],
            name=tables.get("name", self.name), meta=tables.get("meta", self.meta),
        )

    # ------------------------------------------------------------------ derived arrays
    def client_xy(self) -> np.ndarray:
        """(n_clients, 2) coordinates in metres."""
        return shapely.get_coordinates(self.clients.geometry.values)

    def provider_xy(self) -> np.ndarray:
        """(n_providers, 2) office coordinates in metres."""
        return shapely.get_coordinates(self.providers.geometry.values)

    def ranking_matrix(self) -> np.ndarray:
        """(n_clients, n_providers) int array: 0 for the first choice, 1 for the second, ...,
        -1 where the client did not rank the provider."""
        index = {p: j for j, p in enumerate(self.providers["provider_id"])}
        out = np.full((self.n_clients, self.n_providers), -1, dtype=np.int64)
        for i, ranking in enumerate(self.clients["ranking"]):
            for r, p in enumerate(ranking):
                out[i, index[p]] = r
        return out

    def current_index(self) -> np.ndarray:
        """Index of each client's current provider, -1 where there is none."""
        index = {p: j for j, p in enumerate(self.providers["provider_id"])}
        return np.array([index.get(p, -1) for p in self.clients["current_provider"]],
                        dtype=np.int64)

    def summary(self) -> dict[str, Any]:
        """Key figures: clients, stairwells, sharing, hours, provider shares."""
        return _summary(self)

    # ------------------------------------------------------------------ io
    def to_gpkg(self, path: str | Path) -> Path:
        """Write every table as a layer of a GeoPackage (opens in QGIS); returns the path.

        Id lists (``ranking``, ``zones``) are written as ``';'``-separated strings, unbounded
        capacities as ``inf``. An existing file is replaced.
        """
        import pyogrio

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        for t in _TABLES:
            gdf = self._tables[t].copy()
            for col, kind in _SCHEMA[t].items():
                if kind == "idlist":
                    gdf[col] = [LIST_SEPARATOR.join(v) for v in gdf[col]]
            if len(gdf) == 0:
                # an empty layer must still carry its geometry type and columns
                gdf = gpd.GeoDataFrame(
                    {c: pd.Series([], dtype=object) for c in gdf.columns if c != "geometry"},
                    geometry=gpd.GeoSeries([], crs=CRS), crs=CRS,
                )
                pyogrio.write_dataframe(gdf, path, layer=t, driver="GPKG",
                                        geometry_type=_GEOM_TYPES[t][0])
            else:
                pyogrio.write_dataframe(gdf, path, layer=t, driver="GPKG")
        meta = pd.DataFrame({
            "key": ["format", "name", "meta"],
            "value": ["hemopt-scenario/1", self.name, json.dumps(self.meta, sort_keys=True)],
        })
        pyogrio.write_dataframe(meta, path, layer="hemopt_meta", driver="GPKG")
        return path

    @classmethod
    def from_gpkg(cls, path: str | Path) -> Scenario:
        """Read a scenario written by :meth:`to_gpkg` (or a GeoPackage with the same layers).

        ``clients`` and ``providers`` are required; the other layers are optional.
        """
        import pyogrio

        path = Path(path)
        if not path.exists():
            raise ScenarioError("file not found", field="path", value=str(path))
        try:
            layers = {str(name) for name, _ in pyogrio.list_layers(path)}
        except pyogrio.errors.DataSourceError as exc:
            what = ("is a folder" if path.is_dir() else "is an empty file"
                    if path.stat().st_size == 0 else "is not a file GDAL can read")
            raise ScenarioError(f"{what}, not a GeoPackage with 'clients' and 'providers' "
                                "layers", field="path", value=str(path)) from exc
        for req in ("clients", "providers"):
            if req not in layers:
                raise ScenarioError(f"GeoPackage has no layer {req!r} (layers: "
                                    f"{sorted(layers)})", table=req, value=str(path))
        try:
            read = {t: pyogrio.read_dataframe(path, layer=t) for t in _TABLES if t in layers}
        except pyogrio.errors.DataSourceError as exc:
            raise ScenarioError(f"cannot read the GeoPackage: {exc}", field="path",
                                value=str(path)) from exc
        _warn_missing_columns(read, path)
        for _t, gdf in read.items():
            for col in gdf.columns:
                if col != "geometry" and gdf[col].dtype != object and pd.api.types.is_string_dtype(
                    gdf[col]
                ):
                    gdf[col] = gdf[col].astype(object)
        name, meta = path.stem, {}
        if "hemopt_meta" in layers:
            m = pyogrio.read_dataframe(path, layer="hemopt_meta")
            kv = dict(zip(m["key"], m["value"], strict=True))
            name = kv.get("name", name)
            meta = json.loads(kv.get("meta", "{}"))
        return cls(
            read["clients"], read["providers"], stairwells=read.get("stairwells"),
            buildings=read.get("buildings"), zones=read.get("zones"),
            boundary=read.get("boundary"), bases=read.get("bases"), name=name, meta=meta,
        )

    @classmethod
    def from_tables(cls, clients: Any, providers: Any, **options: Any) -> Scenario:
        """Build a scenario from a client list and a provider list (CSV, Excel or DataFrame).

        Stairwells and buildings are derived from near-identical coordinates, client ids
        are pseudonymised and unused columns (names, personnummer) dropped; a bad row raises
        :class:`~hemopt.errors.ScenarioError` naming the file, line, column and value. The
        options (``addresses``, ``zones``, ``boundary``, ``xy_crs``,
        ``stairwell_tolerance_m``, ``building_tolerance_m``, ``pseudonymise``, ``salt``,
        ``keep_columns``, ``boundary_buffer_m``, ``name``) and the accepted columns are
        those of :func:`hemopt.tables.scenario_from_tables`; the guide is
        ``docs/own-data.md``. The command line does the same: ``hemopt import``.

        Examples
        --------
        >>> import pandas as pd
        >>> from hemopt import Scenario
        >>> clients = pd.DataFrame({"client_id": ["K-1", "K-2"], "hours_per_week": [3.5, 10],
        ...                         "x": [615400, 615401], "y": [6583800, 6583800],
        ...                         "ranking": ["E1;M", ""], "current_provider": ["M", "M"]})
        >>> providers = pd.DataFrame({"provider_id": ["M", "E1"],
        ...                           "kind": ["municipal", "external"],
        ...                           "x": [615000, 616000], "y": [6584000, 6583000]})
        >>> sc = Scenario.from_tables(clients, providers, salt="our secret")
        >>> sc.n_clients, sc.clients["stairwell_id"].nunique(), sc.n_providers
        (2, 1, 2)
        """
        from hemopt._views import view

        return view("scenario.from_tables")(clients, providers, **options)

    def __repr__(self) -> str:
        return (
            f"Scenario({self.name!r}: {self.n_clients} clients in "
            f"{self.clients['stairwell_id'].nunique()} stairwells, "
            f"{self.n_providers} providers, {len(self.zones)} zones)"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        try:
            assert_scenario_equal(self, other)
        except AssertionError:
            return False
        return True

    __hash__ = None  # type: ignore[assignment]


_TABLES = ("clients", "stairwells", "buildings", "providers", "zones", "boundary", "bases")


def assert_scenario_equal(left: Scenario, right: Scenario) -> None:
    """Raise ``AssertionError`` unless both scenarios have identical tables, name and meta.

    Geometries are compared exactly (no tolerance), column order and dtypes included
    (re-exported by :mod:`hemopt.testing`).
    """
    from geopandas.testing import assert_geodataframe_equal

    if left.name != right.name:
        raise AssertionError(f"name differs: {left.name!r} != {right.name!r}")
    if left.meta != right.meta:
        raise AssertionError(f"meta differs: {left.meta!r} != {right.meta!r}")
    for t in _TABLES:
        a, b = getattr(left, t), getattr(right, t)
        try:
            assert_geodataframe_equal(a, b, check_less_precise=False, check_crs=True)
        except AssertionError as exc:
            raise AssertionError(f"table {t!r} differs: {exc}") from exc


def _summary(sc: Scenario) -> dict[str, Any]:
    cl = sc.clients
    per_stair = cl.groupby("stairwell_id").size()
    shared = cl["stairwell_id"].map(per_stair) >= 2
    per_building = cl.groupby("building_id").size()
    shared_b = cl["building_id"].map(per_building) >= 2
    hours = cl["hours_per_week"].to_numpy()
    cur = cl["current_provider"]
    provs = []
    total_h = float(hours.sum()) or 1.0
    for pid, name, kind in zip(sc.providers["provider_id"], sc.providers["name"],
                               sc.providers["kind"], strict=True):
        mask = (cur == pid).to_numpy()
        provs.append({
            "provider_id": pid, "name": name, "kind": kind,
            "clients": int(mask.sum()),
            "hours_per_week": round(float(hours[mask].sum()), 2),
            "share_hours": round(float(hours[mask].sum()) / total_h, 4),
        })
    area_km2 = sc.area.area / 1e6
    n = len(cl)
    return {
        "name": sc.name,
        "area_km2": round(area_km2, 1),
        "inhabitants": sc.meta.get("inhabitants"),
        "clients": n,
        "stairwells_total": len(sc.stairwells),
        "stairwells_with_clients": len(per_stair),
        "buildings_total": len(sc.buildings),
        "clients_per_stairwell": round(n / max(len(per_stair), 1), 3),
        "share_clients_sharing_stairwell": round(float(shared.mean()) if n else 0.0, 4),
        "share_clients_sharing_building": round(float(shared_b.mean()) if n else 0.0, 4),
        "hours_per_week_total": round(float(hours.sum()), 1),
        "hours_per_week_mean": round(float(hours.mean()) if n else 0.0, 2),
        "hours_per_week_median": round(float(np.median(hours)) if n else 0.0, 2),
        "visits_per_day_total": round(float(cl["visits_per_day"].sum()), 1),
        "non_choosers_share": round(float((cl["ranking"].map(len) == 0).mean()) if n else 0.0,
                                    4),
        "providers": provs,
        "zones": len(sc.zones),
        "visit_patterns": _pattern_note(sc),
    }



# ------------------------------------------------------------------------ weekly visit patterns
#: Optional client columns of a weekly visit pattern, used by the 14-day horizon
#: (:mod:`hemopt.continuity`; ``docs/continuity.md``). ``pattern_days``: seven ``0``/``1``
#: characters, Monday first, the days with the client's routine visits (``visits_per_day``
#: visits on each). ``pattern_tasks``: weekly tasks on fixed weekdays,
#: ``"name@weekday:minutes"`` separated by ``;`` (weekday 0 = Monday), e.g.
#: ``"shower@1:45;cleaning@3:60"``; their minutes are part of ``hours_per_week``.
PATTERN_COLUMNS = ("pattern_days", "pattern_tasks")


@dataclass(frozen=True, eq=False)
class WeeklyPattern:
    """The clients' weekly visit pattern, parsed from :data:`PATTERN_COLUMNS`.

    Attributes
    ----------
    days
        ``(n_clients, 7)`` bool: the weekdays (Monday first) with routine visits.
    task_min
        ``(n_clients, 7)`` minutes of weekly tasks on each weekday (one visit per day with
        tasks).
    tasks
        Per client, the tuple of ``(name, weekday, minutes)``.
    routine_min
        ``(n_clients,)`` minutes of routine care on each day of ``days``: the weekly minutes
        less the tasks', over the routine days.
    """

    days: np.ndarray
    task_min: np.ndarray
    tasks: tuple[tuple[tuple[str, int, float], ...], ...]
    routine_min: np.ndarray


def _parse_days(v: Any, row: Any) -> np.ndarray:
    if isinstance(v, (int, np.integer, float, np.floating)) and not _is_missing(v) and float(
            v).is_integer():
        v = f"{int(v):07d}"  # '0100000' read from a CSV as a number
    s = "" if _is_missing(v) else str(v).strip()
    if len(s) != 7 or set(s) - {"0", "1"}:
        raise ScenarioError("expected seven 0/1 characters, Monday first (e.g. '1111111')",
                            table="clients", row=row, field="pattern_days", value=v)
    return np.array([c == "1" for c in s], dtype=bool)


def _parse_tasks(v: Any, row: Any) -> tuple[tuple[str, int, float], ...]:
    if _is_missing(v) or not str(v).strip():
        return ()
    out = []
    for part in str(v).split(LIST_SEPARATOR):
        try:
            name, rest = part.strip().split("@")
            day, minutes = rest.split(":")
            wd, m = int(day), float(minutes)
        except ValueError:
            raise ScenarioError("expected 'name@weekday:minutes' separated by ';' (e.g. "
                                "'shower@1:45')", table="clients", row=row,
                                field="pattern_tasks", value=v) from None
        if not name or not 0 <= wd <= 6 or not (math.isfinite(m) and m > 0):
            raise ScenarioError("a task needs a name, a weekday 0..6 (0 = Monday) and minutes "
                                "> 0", table="clients", row=row, field="pattern_tasks",
                                value=v)
        out.append((name, wd, m))
    return tuple(out)


def weekly_pattern(scenario: Scenario) -> WeeklyPattern | None:
    """The clients' weekly visit pattern, or ``None`` when the scenario has no
    ``pattern_days`` column (then every day of a horizon is the one-day draw of
    :func:`hemopt.routing.visits.day_of_visits`).

    Raises
    ------
    ScenarioError
        A malformed pattern, tasks longer than the weekly hours, or routine minutes without
        routine days, naming the client, the field and the value.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> p = weekly_pattern(sc)
    >>> week = p.routine_min * p.days.sum(axis=1) + p.task_min.sum(axis=1)
    >>> bool(np.allclose(week, sc.clients["hours_per_week"] * 60))    # minutes conserved
    True
    >>> weekly_pattern(sc.replace(clients=sc.clients.drop(columns=list(PATTERN_COLUMNS))))
    """
    cl = scenario.clients
    if "pattern_days" not in cl.columns:
        return None
    ids = cl["client_id"].tolist()
    days = np.vstack([_parse_days(v, r) for v, r in zip(cl["pattern_days"], ids, strict=True)]
                     ) if len(cl) else np.zeros((0, 7), dtype=bool)
    tasks = tuple(_parse_tasks(v, r) for v, r in zip(
        cl["pattern_tasks"] if "pattern_tasks" in cl.columns else [None] * len(cl), ids,
        strict=True))
    task_min = np.zeros((len(cl), 7))
    for i, ts in enumerate(tasks):
        for _, wd, m in ts:
            task_min[i, wd] += m
    week = cl["hours_per_week"].to_numpy(dtype=float) * 60.0
    routine = week - task_min.sum(axis=1)
    n_days = days.sum(axis=1)
    for bad, what, field in (
        (routine < -1e-6, "tasks take more minutes than hours_per_week", "pattern_tasks"),
        ((routine > 1e-6) & (n_days == 0), "routine care without a routine day",
         "pattern_days"),
    ):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ScenarioError(what, table="clients", row=ids[i], field=field,
                                value=cl[field].iloc[i] if field in cl.columns else None)
    per_day = np.divide(np.maximum(routine, 0.0), n_days, out=np.zeros(len(cl)),
                        where=n_days > 0)
    return WeeklyPattern(days=days, task_min=task_min, tasks=tasks, routine_min=per_day)


def _pattern_note(sc: Scenario) -> str:
    if "pattern_days" not in sc.clients.columns:
        return ("no visit pattern columns (pattern_days, pattern_tasks): every day of a "
                "14-day horizon repeats the one-day draw of visits")
    p = weekly_pattern(sc)
    assert p is not None
    n = len(sc.clients)
    daily = int((p.days.all(axis=1)).sum())
    tasks = int(sum(1 for t in p.tasks if t))
    return (f"weekly visit patterns: {daily} of {n} clients visited every day, {tasks} with "
            "weekly tasks on fixed weekdays")
