"""The :class:`Scenario`: seven validated tables of one municipality (see :mod:`hemopt.scenario`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hemopt.errors import ScenarioError
from hemopt.scenario.importer import read_tables
from hemopt.scenario.patterns import _pattern_note, weekly_pattern
from hemopt.scenario.schema import (
    _DEFAULTS,
    _GEOM_TYPES,
    _KEY,
    _SCHEMA,
    _TABLES,
    _TYPE_IDS,
    BOUNDARY_TOLERANCE_M,
    CRS,
    LIST_SEPARATOR,
    MAX_HOURS_PER_WEEK,
    MAX_VISITS_PER_DAY,
    PROVIDER_KINDS,
    _as_gdf,
    _check_printable,
    _is_missing,
    _row_id,
    _to_idlist,
    _warn_missing_columns,
    far_from_zones,
    far_message,
    prepare_boundary,
    zone_overlap,
)


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
        bd = prepare_boundary(boundary, [cl, st, pr])
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
        self._validate_zones()
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
                lists: list[tuple[str, ...]] = []
                for pos, v in enumerate(s.tolist()):
                    if isinstance(v, tuple) and all(type(i) is str for i in v) and len(
                        set(v)
                    ) == len(v):
                        lists.append(v)  # already normalised (fast path)
                    else:
                        lists.append(_to_idlist(v, table, _row_id(table, gdf, pos), col))
                out[col] = lists
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
            bad_age = np.flatnonzero((np.isnan(age) & gdf["age"].notna().to_numpy())
                                     | (age < 0) | (age > 130))
            if len(bad_age):
                raise ScenarioError("age must be years in 0..130, or empty for unknown",
                                    table=table, row=out[key][bad_age[0]], field="age",
                                    value=gdf["age"].iloc[bad_age[0]])
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

    def _validate_zones(self) -> None:
        """Areas do not overlap, and every client lies in or near one
        (:data:`~hemopt.scenario.schema.ZONE_REACH_M`)."""
        zo, cl = self._tables["zones"], self._tables["clients"]
        if not len(zo):
            return
        msg = zone_overlap(list(zo["zone_id"]), zo.geometry.values)
        if msg:
            raise ScenarioError(msg, table="zones", field="geometry")
        far, d = far_from_zones(zo.geometry.values, cl.geometry.get_coordinates().to_numpy())
        if len(far):
            pos = int(far[0])
            g = cl.geometry.iloc[pos]
            raise ScenarioError(far_message(len(far), float(d[pos])), table="clients",
                                row=cl["client_id"].iloc[pos], field="geometry",
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
        return cls(**read_tables(clients, providers, **options))

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
    total_h = float(hours.sum())
    for pid, name, kind in zip(sc.providers["provider_id"], sc.providers["name"],
                               sc.providers["kind"], strict=True):
        mask = (cur == pid).to_numpy()
        provs.append({
            "provider_id": pid, "name": name, "kind": kind,
            "clients": int(mask.sum()),
            "hours_per_week": round(float(hours[mask].sum()), 2),
            # undefined (NaN), not 0, when the clients have no hours
            "share_hours": (round(float(hours[mask].sum()) / total_h, 4) if total_h > 0
                            else math.nan),
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
        "clients_per_stairwell": round(n / len(per_stair), 3) if len(per_stair) else math.nan,
        "share_clients_sharing_stairwell": round(float(shared.mean()) if n else math.nan, 4),
        "share_clients_sharing_building": round(float(shared_b.mean()) if n else math.nan, 4),
        "hours_per_week_total": round(float(hours.sum()), 1),
        "hours_per_week_mean": round(float(hours.mean()) if n else math.nan, 2),
        "hours_per_week_median": round(float(np.median(hours)) if n else math.nan, 2),
        "visits_per_day_total": round(float(cl["visits_per_day"].sum()), 1),
        "non_choosers_share": round(float((cl["ranking"].map(len) == 0).mean()) if n
                                    else math.nan, 4),
        "providers": provs,
        "zones": len(sc.zones),
        "visit_patterns": _pattern_note(sc),
    }
