"""Public Swedish geodata: municipality boundaries, DeSO areas with their age bands, tätorter.

The synthetic municipalities of :mod:`hemopt.synth` are built from three kinds of public files,
all published by SCB (Statistics Sweden) under CC0:

* a **municipality boundary** (*kommungräns*): one polygon of the municipality's land, for
  example SCB's generalised boundaries;
* the municipality's **DeSO areas** (*demografiska statistikområden*, 700–2,700 inhabitants
  each) with the population in five-year age bands and, when available, the households by
  tenure and the share living in flats;
* optionally the **tätorter** (urban areas) as points with their population and area.

This module reads them from a file (GeoPackage, GeoJSON, Shapefile: anything ``pyogrio``
reads) or a GeoDataFrame, checks them, reprojects them to SWEREF 99 TM (EPSG:3006, metres)
and clips the DeSO polygons to the land boundary (DeSO areas include lakes; the boundary does
not). Every problem raises :class:`~hemopt.errors.ScenarioError` naming the file, the row
(DeSO code), the field and the value.

Accepted DeSO columns (``docs/geography.md``):

``deso_code``
    required, e.g. ``0486C1060``; its fifth character is SCB's kind of area: ``A`` mainly
    rural, ``B`` mainly a small town, ``C`` mainly urban.
age
    either ``age_m`` and ``age_f`` (or one ``age`` column): 17 five-year bands 0–4, 5–9, …,
    75–79, 80+ as a list, a JSON list or a ``;``/``,``-separated string; or the counts
    ``pop_80plus`` with ``pop_65_79`` or ``pop_65plus`` (and ``pop`` for the under-65s).
``tenure``
    optional households by tenure ``[rental, tenant-owned, owner-occupied, other]``, or the
    columns ``rental``, ``tenant_owned``, ``owner``, ``other``.
``flats``
    optional share of dwellings in multi-dwelling buildings, in per cent (0–100).
``regso_code``, ``kommun_kod``, ``place``
    optional: the RegSO area, the municipality code, a place name.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from hemopt.geo import clip_to_land, read_boundary, read_deso
>>> deso = gpd.GeoDataFrame(
...     {"deso_code": ["9999C0010", "9999A0020"],
...      "pop": [1500, 800], "pop_65plus": [300, 200], "pop_80plus": [90, 40]},
...     geometry=[box(600000, 6580000, 601000, 6581000), box(601000, 6580000, 605000, 6584000)],
...     crs="EPSG:3006")
>>> d = read_deso(deso)
>>> d[["deso_code", "kind", "pop_0_64", "pop_65_79", "pop_80plus"]].to_numpy().tolist()
[['9999C0010', 'C', 1200, 210, 90], ['9999A0020', 'A', 600, 160, 40]]
>>> land = read_boundary(gpd.GeoDataFrame({"code": ["9999"], "name": ["Testby"]},
...     geometry=[box(600000, 6580000, 603000, 6584000)], crs="EPSG:3006"))
>>> clipped = clip_to_land(d, land)
>>> clipped["land_km2"].round(1).tolist()   # the rural area loses the part outside the land
[1.0, 8.0]
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hemopt.errors import ScenarioError
from hemopt.scenario import CRS

__all__ = [
    "AGE_BANDS",
    "SWEDEN_BOUNDS_3006",
    "clip_to_land",
    "deso_kind",
    "read_boundary",
    "read_deso",
    "read_tatorter",
]

#: Number of five-year age bands in SCB's DeSO tables: 0–4, 5–9, …, 75–79, 80+.
AGE_BANDS = 17
#: A generous box around Sweden in SWEREF 99 TM (xmin, ymin, xmax, ymax): data outside it
#: has the wrong CRS (or swapped coordinates).
SWEDEN_BOUNDS_3006 = (180_000.0, 6_100_000.0, 1_000_000.0, 7_700_000.0)
_TENURE = ("rental", "tenant_owned", "owner", "other")


def _label(src: Any) -> str:
    if isinstance(src, (str, Path)):
        return str(src)
    return f"<{type(src).__name__}>"


def _err(message: str, source: str, **kw: Any) -> ScenarioError:
    if isinstance(kw.get("value"), np.generic):
        kw["value"] = kw["value"].item()
    return ScenarioError(f"{message} (file: {source})", **kw)


def _read(src: Any, table: str, layer: str | None) -> tuple[gpd.GeoDataFrame, str]:
    """A copy of ``src`` as a GeoDataFrame in EPSG:3006, and its label for messages."""
    source = _label(src)
    if isinstance(src, (str, Path)):
        path = Path(src)
        if not path.exists():
            raise _err("file not found", source, table=table, field="path", value=str(path))
        try:
            import pyogrio

            gdf = pyogrio.read_dataframe(path, layer=layer)
        except Exception as exc:  # pyogrio raises several DataSourceError kinds
            raise _err(f"cannot read the file: {exc}", source, table=table,
                       field="path", value=str(path)) from exc
        if not isinstance(gdf, gpd.GeoDataFrame):
            raise _err("the layer has no geometry", source, table=table, field="geometry")
    elif isinstance(src, gpd.GeoDataFrame):
        gdf = src.copy()
    elif isinstance(src, gpd.GeoSeries):
        gdf = gpd.GeoDataFrame(geometry=src.copy())
    else:
        raise ScenarioError(f"expected a file path or a GeoDataFrame, got {type(src).__name__}",
                            table=table)
    if len(gdf) == 0:
        raise _err("no rows", source, table=table)
    if gdf.crs is None:
        raise _err("no CRS: set it, e.g. EPSG:3006 (SWEREF 99 TM, metres) or EPSG:4326 "
                   "(WGS84 lon/lat)", source, table=table, field="crs")
    crs = gdf.crs
    try:
        gdf = gdf.to_crs(CRS)
    except Exception as exc:
        raise _err(f"cannot reproject to {CRS}: {exc}", source, table=table, field="crs",
                   value=str(crs)) from exc
    geoms = gdf.geometry.values
    none = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if none.all():
        raise _err("every geometry is empty or missing", source, table=table, field="geometry")
    if none.any():  # an area without a shape would fall out of the totals without a word
        pos = int(np.flatnonzero(none)[0])
        raise _err(f"{int(none.sum())} row(s) without a geometry (empty or missing), the "
                   f"first at position {pos} (0-based)", source, table=table,
                   field="geometry", value=str(gdf.index[pos]))
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    bx0, by0, bx1, by1 = SWEDEN_BOUNDS_3006
    if not (bx0 <= xmin and xmax <= bx1 and by0 <= ymin and ymax <= by1):
        raise _err(f"the coordinates do not fall in Sweden under CRS {crs.to_string()} "
                   f"(bounds in {CRS}: {xmin:.0f}, {ymin:.0f}, {xmax:.0f}, {ymax:.0f}); is the "
                   "CRS right, or are longitude and latitude swapped?", source, table=table,
                   field="crs", value=crs.to_string())
    return gdf, source


def deso_kind(codes: Sequence[str]) -> np.ndarray:
    """SCB's kind of each DeSO area from its code: ``A`` rural, ``B`` small town, ``C`` urban.

    Examples
    --------
    >>> from hemopt.geo import deso_kind
    >>> deso_kind(["0486A0010", "0486B2010", "0127C1440"]).tolist()
    ['A', 'B', 'C']
    """
    out = np.array([str(c)[4:5].upper() if len(str(c)) >= 5 else "?" for c in codes],
                   dtype=object)
    out[~np.isin(out, ["A", "B", "C"])] = "?"
    return out


def _bands(v: Any, source: str, code: str, field: str) -> np.ndarray:
    """17 non-negative numbers from a list, array, JSON list or separated string."""
    if isinstance(v, str):
        s = v.strip()
        try:
            items = json.loads(s) if s.startswith("[") else [
                x for x in s.replace(";", ",").split(",") if x.strip()]
        except json.JSONDecodeError as exc:
            # numpy's way of printing an array, as some GeoPackage writers store lists:
            # "[26 29 26 ...]"
            if not (s.startswith("[") and s.endswith("]")) or "," in s:
                raise _err(f"not a list of numbers: {exc}", source, table="deso", row=code,
                           field=field, value=v) from exc
            items = s[1:-1].split()
    elif isinstance(v, (list, tuple, np.ndarray, pd.Series)):
        items = list(v)
    else:
        raise _err("expected 17 age bands (0-4, 5-9, ..., 80+)", source, table="deso",
                   row=code, field=field, value=v)
    try:
        arr = np.asarray([float(x) for x in items], dtype=float)
    except (TypeError, ValueError) as exc:
        raise _err("age bands must be numbers", source, table="deso", row=code, field=field,
                   value=v) from exc
    if len(arr) != AGE_BANDS:
        raise _err(f"expected {AGE_BANDS} age bands (0-4, 5-9, ..., 80+), got {len(arr)}",
                   source, table="deso", row=code, field=field, value=v)
    if not (np.isfinite(arr).all() and (arr >= 0).all()):
        raise _err("age bands must be finite numbers >= 0", source, table="deso", row=code,
                   field=field, value=v)
    return arr


def _counts(gdf: pd.DataFrame, col: str, source: str, codes: np.ndarray,
            *, allow_missing: bool = False) -> np.ndarray:
    vals = pd.to_numeric(gdf[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(vals) if not allow_missing else np.zeros(len(vals), bool)
    bad |= np.isfinite(vals) & (vals < 0)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise _err("must be a number >= 0", source, table="deso", row=codes[k], field=col,
                   value=gdf[col].iloc[k])
    return vals


def read_deso(src: Any, *, code: str | None = None, layer: str | None = None
              ) -> gpd.GeoDataFrame:
    """Read and check a DeSO layer (file path or GeoDataFrame).

    Parameters
    ----------
    src
        Path of a GeoPackage/GeoJSON/Shapefile, or a GeoDataFrame, with the columns in the
        module docstring and a CRS.
    code
        Keep only the DeSO areas of this municipality (their code starts with it): lets a
        national DeSO file be used directly.
    layer
        The layer to read from a multi-layer file.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:3006, one row per DeSO area with ``deso_code``, ``regso_code``, ``kind``
        (``A``/``B``/``C``), ``place``, ``pop``, ``pop_0_64``, ``pop_65_79``, ``pop_80plus``,
        ``households`` (NaN when not given), ``rental``, ``tenant_owned``, ``owner``,
        ``other``, ``flats_share`` (0–1, NaN when not given) and the polygon.

    Raises
    ------
    ScenarioError
        Missing file or CRS, coordinates outside Sweden, no ``deso_code``, no age columns,
        bad age bands or counts (naming the DeSO code, the field and the value).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hemopt.geo import read_deso
    >>> bad = gpd.GeoDataFrame({"deso_code": ["9999C0010"], "pop": [100]},
    ...                        geometry=[box(600000, 6580000, 601000, 6581000)], crs=3006)
    >>> read_deso(bad)
    Traceback (most recent call last):
    ...
    hemopt.errors.ScenarioError: table 'deso', field 'age_m': no age columns: expected age_m and \
age_f (17 five-year bands 0-4 ... 80+), or pop_80plus with pop_65plus or pop_65_79; found \
['deso_code', 'pop'] (file: <GeoDataFrame>)
    """
    gdf, source = _read(src, "deso", layer)
    if "deso_code" not in gdf.columns:
        alt = next((c for c in gdf.columns if c.lower() in ("desokod", "deso", "code")), None)
        if alt is None:
            found = sorted(c for c in gdf.columns if c != gdf.geometry.name)
            raise _err(f"no deso_code column; found {found}", source, table="deso",
                       field="deso_code")
        gdf = gdf.rename(columns={alt: "deso_code"})
    codes = gdf["deso_code"].astype(str).str.strip().to_numpy(dtype=object)
    if code is not None:
        keep = np.array([c.startswith(str(code)) for c in codes])
        if "kommun_kod" in gdf.columns:
            keep |= (gdf["kommun_kod"].astype(str) == str(code)).to_numpy()
        if not keep.any():
            raise _err(f"no DeSO area of municipality {code!r} (codes start with e.g. "
                       f"{codes[0]!r})", source, table="deso", field="deso_code", value=code)
        gdf, codes = gdf[keep].reset_index(drop=True), codes[keep]
    dup = pd.Series(codes).duplicated()
    if dup.any():
        c = codes[int(np.flatnonzero(dup.to_numpy())[0])]
        raise _err("a DeSO code appears twice", source, table="deso", row=c, field="deso_code",
                   value=c)
    types = shapely.get_type_id(gdf.geometry.values)
    bad = ~np.isin(types, [3, 6])
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise _err("geometry must be a Polygon or MultiPolygon", source, table="deso",
                   row=codes[k], field="geometry", value=gdf.geometry.iloc[k].geom_type)
    cols = set(gdf.columns)
    n = len(gdf)
    if {"age_m", "age_f"} <= cols or "age" in cols:
        fields = ["age_m", "age_f"] if {"age_m", "age_f"} <= cols else ["age"]
        bands = np.zeros((n, AGE_BANDS))
        for f in fields:
            bands += np.vstack([_bands(v, source, codes[i], f)
                                for i, v in enumerate(gdf[f].to_numpy())])
        pop80 = bands[:, 16]
        pop6579 = bands[:, 13:16].sum(axis=1)
        pop064 = bands[:, :13].sum(axis=1)
        pop = (_counts(gdf, "pop", source, codes) if "pop" in cols else bands.sum(axis=1))
    elif "pop_80plus" in cols and ({"pop_65_79", "pop_65plus"} & cols):
        pop80 = _counts(gdf, "pop_80plus", source, codes)
        if "pop_65_79" in cols:
            pop6579 = _counts(gdf, "pop_65_79", source, codes)
        else:
            p65 = _counts(gdf, "pop_65plus", source, codes)
            if (p65 < pop80).any():
                k = int(np.flatnonzero(p65 < pop80)[0])
                raise _err(f"pop_65plus is smaller than pop_80plus ({pop80[k]:.0f})", source,
                           table="deso", row=codes[k], field="pop_65plus", value=p65[k])
            pop6579 = p65 - pop80
        if "pop" not in cols:
            raise _err("pop (all ages) is needed with pop_80plus/pop_65plus", source,
                       table="deso", field="pop")
        pop = _counts(gdf, "pop", source, codes)
        pop064 = pop - pop6579 - pop80
        if (pop064 < 0).any():
            k = int(np.flatnonzero(pop064 < 0)[0])
            raise _err("pop is smaller than the people aged 65+", source, table="deso",
                       row=codes[k], field="pop", value=pop[k])
    else:
        found = sorted(c for c in gdf.columns if c != gdf.geometry.name)
        raise _err("no age columns: expected age_m and age_f (17 five-year bands 0-4 ... 80+), "
                   f"or pop_80plus with pop_65plus or pop_65_79; found {found}", source,
                   table="deso", field="age_m")

    ten = np.full((n, 4), np.nan)
    if "tenure" in cols:
        for i, v in enumerate(gdf["tenure"].to_numpy()):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, str):
                try:
                    v = json.loads(v)
                except json.JSONDecodeError as exc:
                    t = v.strip()
                    if t.startswith("[") and t.endswith("]") and "," not in t:  # numpy print
                        v = t[1:-1].split()
                    else:
                        raise _err("tenure must be a list [rental, tenant-owned, owner, other]",
                                   source, table="deso", row=codes[i], field="tenure",
                                   value=v) from exc
            arr = np.asarray(list(v), dtype=float)
            if len(arr) != 4 or not (np.isfinite(arr).all() and (arr >= 0).all()):
                raise _err("tenure must be 4 household counts >= 0 [rental, tenant-owned, "
                           "owner, other]", source, table="deso", row=codes[i], field="tenure",
                           value=v)
            ten[i] = arr
    elif set(_TENURE) <= cols:
        for j, c in enumerate(_TENURE):
            ten[:, j] = _counts(gdf, c, source, codes, allow_missing=True)
    flats = np.full(n, np.nan)
    if "flats" in cols:
        flats = _counts(gdf, "flats", source, codes, allow_missing=True)
        over = np.isfinite(flats) & (flats > 100)
        if over.any():
            k = int(np.flatnonzero(over)[0])
            raise _err("flats is a percentage (0-100)", source, table="deso", row=codes[k],
                       field="flats", value=flats[k])
        flats = flats / 100.0
    out = gpd.GeoDataFrame(
        {
            "deso_code": codes,
            "regso_code": (gdf["regso_code"].astype(str).to_numpy(dtype=object)
                           if "regso_code" in cols else np.full(n, "", dtype=object)),
            "kind": deso_kind(codes),
            "place": (gdf["place"].fillna("").astype(str).to_numpy(dtype=object)
                      if "place" in cols else np.full(n, "", dtype=object)),
            "pop": np.round(pop).astype(np.int64),
            "pop_0_64": np.round(pop064).astype(np.int64),
            "pop_65_79": np.round(pop6579).astype(np.int64),
            "pop_80plus": np.round(pop80).astype(np.int64),
            "households": ten.sum(axis=1),
            "rental": ten[:, 0], "tenant_owned": ten[:, 1], "owner": ten[:, 2],
            "other": ten[:, 3],
            "flats_share": flats,
        },
        geometry=shapely.make_valid(gdf.geometry.values), crs=CRS,
    )
    out.attrs["source"] = source
    return out


def read_boundary(src: Any, *, code: str | None = None, layer: str | None = None,
                  prefer_code: str | None = None) -> gpd.GeoDataFrame:
    """Read a municipality boundary: one row ``name``, ``code`` and its (multi)polygon.

    Parameters
    ----------
    src
        A file path, a GeoDataFrame/GeoSeries (any CRS), or a shapely polygon in EPSG:3006.
    code
        Keep the row(s) whose ``code``/``kommun_kod``/``kommunkod`` equals it (a file of many
        municipalities); without it every row is dissolved into one polygon.
    layer
        The layer to read from a multi-layer file.
    prefer_code
        Like ``code`` when the layer has several rows and one of them has this code;
        otherwise ignored (every row is dissolved).

    Returns
    -------
    geopandas.GeoDataFrame
        One row in EPSG:3006.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hemopt.geo import read_boundary
    >>> two = gpd.GeoDataFrame({"kommun_kod": ["0001", "0002"], "kommun": ["A", "B"]},
    ...     geometry=[box(600000, 6580000, 601000, 6581000),
    ...               box(601000, 6580000, 602000, 6581000)], crs="EPSG:3006")
    >>> b = read_boundary(two, code="0002")
    >>> b["name"].iloc[0], b["code"].iloc[0], float(b.area.iloc[0])
    ('B', '0002', 1000000.0)
    """
    if isinstance(src, shapely.Geometry):
        src = gpd.GeoDataFrame({"name": ["unnamed"]}, geometry=[src], crs=CRS)
    gdf, source = _read(src, "boundary", layer)
    code_col = next((c for c in ("code", "kommun_kod", "kommunkod", "kod") if c in gdf.columns),
                    None)
    name_col = next((c for c in ("name", "kommun", "kommunnamn", "namn") if c in gdf.columns),
                    None)
    if (code is None and prefer_code is not None and code_col is not None and len(gdf) > 1
            and (gdf[code_col].astype(str).str.strip() == str(prefer_code)).any()):
        code = prefer_code
    if code is not None:
        if code_col is None:
            raise _err(f"cannot select municipality {code!r}: no code/kommun_kod column",
                       source, table="boundary", field="code", value=code)
        sel = gdf[code_col].astype(str).str.strip() == str(code)
        if not sel.any():
            raise _err(f"no row with {code_col} == {code!r} (codes: "
                       f"{sorted(gdf[code_col].astype(str))[:10]})", source, table="boundary",
                       field=code_col, value=code)
        gdf = gdf[sel]
    types = shapely.get_type_id(gdf.geometry.values)
    if not np.isin(types, [3, 6]).all():
        raise _err("the boundary must be polygons", source, table="boundary", field="geometry",
                   value=gdf.geometry.iloc[int(np.flatnonzero(~np.isin(types, [3, 6]))[0])]
                   .geom_type)
    geom = shapely.make_valid(shapely.union_all(gdf.geometry.values))
    if geom.is_empty or geom.area <= 0:
        raise _err("the boundary has no area", source, table="boundary", field="geometry")
    name = str(gdf[name_col].iloc[0]) if name_col else "unnamed"
    cd = str(gdf[code_col].iloc[0]) if code_col else (str(code) if code else "")
    out = gpd.GeoDataFrame({"name": [name], "code": [cd]}, geometry=[geom], crs=CRS)
    out.attrs["source"] = source
    return out


def read_tatorter(src: Any, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read tätort (urban area) points: ``name``, ``pop`` and ``area_ha`` (NaN if unknown).

    Polygons are replaced by a point inside them. A ``area`` column is read as hectares
    (SCB's unit).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> from hemopt.geo import read_tatorter
    >>> t = gpd.GeoDataFrame({"name": ["Härad"], "pop": [556], "area": [86]},
    ...                      geometry=[Point(607696, 6582143)], crs="EPSG:3006")
    >>> read_tatorter(t)[["name", "pop", "area_ha"]].to_numpy().tolist()
    [['Härad', 556, 86.0]]
    """
    gdf, source = _read(src, "tatorter", layer)
    for col in ("name", "pop"):
        if col not in gdf.columns:
            raise _err(f"tätorter need a {col!r} column", source, table="tatorter", field=col)
    pop = pd.to_numeric(gdf["pop"], errors="coerce").to_numpy(dtype=float)
    if not (np.isfinite(pop).all() and (pop >= 0).all()):
        k = int(np.flatnonzero(~(np.isfinite(pop) & (pop >= 0)))[0])
        raise _err("pop must be a number >= 0", source, table="tatorter",
                   row=str(gdf["name"].iloc[k]), field="pop", value=gdf["pop"].iloc[k])
    area = (pd.to_numeric(gdf["area"], errors="coerce").to_numpy(dtype=float)
            if "area" in gdf.columns else np.full(len(gdf), np.nan))
    geoms = gdf.geometry.values
    pts = np.where(shapely.get_type_id(geoms) == 0, geoms, shapely.point_on_surface(geoms))
    return gpd.GeoDataFrame({"name": gdf["name"].astype(str).to_numpy(dtype=object),
                             "pop": pop.astype(np.int64), "area_ha": area},
                            geometry=pts, crs=CRS)


def clip_to_land(deso: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame, *,
                 tolerance_m: float = 1000.0, min_inside: float = 0.5,
                 min_land_share: float = 0.1, min_overlap_m2: float = 1e4,
                 resolve_overlaps: bool = False, min_land_km2: float | None = None
                 ) -> gpd.GeoDataFrame:
    """Clip DeSO polygons (which include lakes and sea) to the municipality's land boundary.

    SCB's DeSO polygons reach out over lakes and the sea (for some coastal municipalities
    only 12–50 % of their union is land), a rural DeSO area may be published without holes
    for the town areas it surrounds, and generalised boundaries are coarse: a DeSO area may
    stick out of them by some hundred metres where it is land. So:

    * **overlaps** (with ``resolve_overlaps``, as the generic path of
      :func:`hemopt.synth.from_public_data` does): where DeSO polygons overlap by more than
      ``min_overlap_m2``, the smaller one keeps the overlap (a rural area surrounding a town
      loses the town). The presets keep the published polygons, so that their documented
      figures stay as they are;
    * **membership**: when the boundary has a municipality code and every DeSO code starts
      with it, the DeSO areas belong to it whatever their water. Otherwise a DeSO area with
      less than ``min_inside`` of its area within ``tolerance_m`` of the boundary lies
      outside the municipality: error;
    * its land is its intersection with the boundary; where that keeps less than
      ``min_land_share`` of its area (the coarse boundary cut away a populated shore), its
      intersection with the boundary buffered by ``tolerance_m`` instead; a DeSO area with no
      land even then is an error. With ``min_land_km2`` (the generic path: 0.05) the test is
      absolute instead, less than that many km² of land: a rural area that is mostly sea
      keeps its land and gets no strip of sea;
    * without the code check, the DeSO areas together must cover at least half of the
      boundary (otherwise they belong to another municipality): error. The share covered is
      in ``attrs["boundary_covered"]``.

    Parameters
    ----------
    deso
        From :func:`read_deso`.
    boundary
        From :func:`read_boundary`.
    tolerance_m, min_inside, min_land_share, min_overlap_m2, resolve_overlaps, min_land_km2
        See above.

    Returns
    -------
    geopandas.GeoDataFrame
        ``deso`` with the land polygons as geometry and the columns ``area_km2`` (before
        clipping), ``land_km2`` and ``land_share``.

    Raises
    ------
    ScenarioError
        A DeSO area outside the boundary (naming its code and the share inside), or DeSO
        areas covering too little of the boundary.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hemopt.geo import clip_to_land, read_boundary, read_deso
    >>> d = read_deso(gpd.GeoDataFrame(
    ...     {"deso_code": ["9999C0010"], "pop": [100], "pop_65plus": [20], "pop_80plus": [5]},
    ...     geometry=[box(700000, 6580000, 701000, 6581000)], crs=3006))
    >>> b = read_boundary(box(600000, 6580000, 601000, 6581000))
    >>> clip_to_land(d, b)
    Traceback (most recent call last):
    ...
    hemopt.errors.ScenarioError: table 'deso', row '9999C0010', field 'geometry': the DeSO area \
lies outside the boundary 'unnamed': 0 % of it within 1000 m (file: <GeoDataFrame>) (value: 0.0)

    A coastal municipality: the DeSO area reaches 9 km out to sea, and a rural area covers
    the town without a hole. The codes match the boundary's, so both are kept and clipped:

    >>> coast = read_boundary(gpd.GeoDataFrame({"code": ["9999"], "name": ["Kust"]},
    ...     geometry=[box(600000, 6580000, 601000, 6582000)], crs=3006))
    >>> d = read_deso(gpd.GeoDataFrame(
    ...     {"deso_code": ["9999A0010", "9999C0020"], "pop": [100, 900],
    ...      "pop_65plus": [20, 150], "pop_80plus": [5, 40]},
    ...     geometry=[box(600000, 6580000, 610000, 6582000), box(600000, 6580000, 601000,
    ...               6581000)], crs=3006))
    >>> land = clip_to_land(d, coast, resolve_overlaps=True, min_land_km2=0.05)
    >>> land[["deso_code", "area_km2", "land_km2"]].to_numpy().tolist()
    [['9999A0010', 20.0, 1.0], ['9999C0020', 1.0, 1.0]]
    """
    source = deso.attrs.get("source", "<GeoDataFrame>")
    b = boundary.geometry.iloc[0]
    bname = str(boundary["name"].iloc[0])
    bcode = str(boundary["code"].iloc[0]) if "code" in boundary.columns else ""
    codes = deso["deso_code"].astype(str).to_numpy(dtype=object)
    by_code = bool(bcode) and all(c.startswith(bcode) for c in codes)
    b_tol = b.buffer(tolerance_m)
    shapely.prepare(b)
    shapely.prepare(b_tol)
    geoms = deso.geometry.values
    if resolve_overlaps:
        geoms = _without_overlaps(geoms, min_overlap_m2)
    area = shapely.area(geoms)
    if not by_code:
        inside = shapely.area(shapely.intersection(geoms, b_tol)) / np.maximum(area, 1e-9)
        bad = inside < min_inside
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise _err(f"the DeSO area lies outside the boundary {bname!r}: "
                       f"{100 * inside[k]:.0f} % of it within {tolerance_m:.0f} m", source,
                       table="deso", row=codes[k], field="geometry",
                       value=round(float(inside[k]), 3))
    land = shapely.intersection(geoms, b)
    land_area = shapely.area(land)
    thin = (land_area < min_land_share * area if min_land_km2 is None
            else land_area < min_land_km2 * 1e6)
    if thin.any():
        land[thin] = shapely.intersection(geoms[thin], b_tol)
        land_area = shapely.area(land)
    land = np.array([_polygonal(g) for g in land], dtype=object)
    empty = shapely.area(land) <= 0
    if empty.any():
        k = int(np.flatnonzero(empty)[0])
        raise _err(f"the DeSO area has no land within {tolerance_m:.0f} m of the boundary "
                   f"{bname!r}", source, table="deso", row=codes[k], field="geometry",
                   value=0.0)
    union = shapely.union_all(land)
    cover = shapely.area(shapely.intersection(union, b)) / b.area
    if cover < 0.5 and not by_code:
        raise _err(f"the DeSO areas cover only {100 * cover:.0f} % of the boundary {bname!r}: "
                   "are they the same municipality?", source, table="deso", field="geometry",
                   value=round(float(cover), 3))
    out = deso.copy()
    out["area_km2"] = shapely.area(deso.geometry.values) / 1e6
    out["land_km2"] = shapely.area(land) / 1e6
    out["land_share"] = out["land_km2"] / np.maximum(out["area_km2"], 1e-12)
    out = out.set_geometry(gpd.GeoSeries(land, crs=CRS, index=out.index))
    out.attrs["source"] = source
    out.attrs["boundary_covered"] = round(float(cover), 4)
    return out


def _without_overlaps(geoms: np.ndarray, min_overlap_m2: float) -> np.ndarray:
    """The polygons with each overlap above ``min_overlap_m2`` left to the smaller polygon
    (polygons that do not overlap are returned unchanged, bit for bit)."""
    out = np.array(geoms, dtype=object)
    tree = shapely.STRtree(out)
    left, right = tree.query(out, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    if not len(left):
        return out
    ov = shapely.area(shapely.intersection(out[left], out[right]))
    area = shapely.area(out)
    big = ov > min_overlap_m2
    cut: dict[int, list[int]] = {}
    for i, j in zip(left[big], right[big], strict=True):
        larger, smaller = (i, j) if area[i] > area[j] or (area[i] == area[j] and i > j) else (j, i)
        cut.setdefault(int(larger), []).append(int(smaller))
    for i, small in cut.items():
        out[i] = _polygonal(shapely.difference(geoms[i], shapely.union_all(geoms[small])))
    return out


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of ``g`` (intersections may add lines and points)."""
    g = shapely.make_valid(g)
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in getattr(g, "geoms", [g]) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()
