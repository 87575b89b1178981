"""The client and provider lists read into the tables of a scenario: the engine behind
:func:`hemopt.tables.scenario_from_tables` and :meth:`Scenario.from_tables
<hemopt.scenario.Scenario.from_tables>`, returning plain frames (it never imports the class).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from hemopt.errors import DroppedColumnWarning, InputError, ScenarioError
from hemopt.scenario.pseudonyms import (
    _OLD_PUBLIC_SALT,
    SALT_FILE_ENV,
    _numbered,
    cluster_points,
    local_salt,
    pseudonym,
)
from hemopt.scenario.readers import (
    _COORD_COLUMNS,
    _DECIMAL_COMMA,
    _KINDS,
    _LIST_SPLIT,
    _PERSONNUMMER,
    _RESERVED,
    _ZONE_COLUMNS,
    CLIENT_COLUMNS,
    PROVIDER_COLUMNS,
    _Address,
    _blank,
    _columns,
    _id_list,
    _known,
    _nonneg,
    _norm,
    _number,
    _places,
    _read,
    _read_addresses,
    _require,
    _Source,
    _text,
    _unique_ids,
)
from hemopt.scenario.schema import (
    BOUNDARY_TOLERANCE_M,
    CRS,
    MAX_HOURS_PER_WEEK,
    MAX_VISITS_PER_DAY,
    far_from_zones,
    far_message,
    prepare_boundary,
    warn_isolated,
    zone_overlap,
)

# ---------------------------------------------------------------------------------- tables
_PERSONAL = re.compile(r"^(namn|name|förnamn|fornamn|efternamn|first_name|last_name|"
                       r"personnummer|pnr|person_nr|personal_number|ssn|telefon|tel|phone|"
                       r"mobil|mobile|e_?post|email|e_mail|adress|address|postadress)$")


def _spec_of(table: str) -> dict[str, tuple[str, ...]]:
    return {"clients": {**CLIENT_COLUMNS, **_COORD_COLUMNS},
            "providers": {**PROVIDER_COLUMNS, **_COORD_COLUMNS},
            "addresses": dict(_COORD_COLUMNS)}[table]


def _nearest_column(table: str, col: str) -> str | None:
    """The accepted column a header is probably a misspelling of, or None."""
    import difflib

    spec = _spec_of(table)
    names = {a: canon for canon, aliases in spec.items() for a in aliases}
    near = difflib.get_close_matches(_norm(col), list(names), n=1, cutoff=0.75)
    return names[near[0]] if near else None


def _looks_personal(values: Iterable[Any]) -> Any:
    """The first value that looks like a personnummer (or a 10/12-digit number written like
    one), or None."""
    for v in values:
        if not _blank(v) and _PERSONNUMMER.match(_text(v).replace(" ", "")):
            return v
    return None


def _extra_columns(src: _Source, used: Iterable[int], keep: Sequence[str],
                   notes: list[str]) -> dict[str, list[Any]]:
    used = set(used)
    keep_n = {_norm(k) for k in keep}
    kept: dict[str, list[Any]] = {}
    dropped, personal, unknown = [], [], []
    raw: list[str] = []  # the dropped columns' names as in the file (for the warning)
    for pos, col in enumerate(src.columns):
        if pos in used:
            continue
        values = [row[pos] for row in src.rows]
        if not str(col).strip():
            if any(not _blank(v) for v in values):
                dropped.append(f"column {pos + 1} (no header)")
                unknown.append(f"column {pos + 1} (no header)")
            continue
        if _norm(col) in keep_n:
            if _norm(col) in _RESERVED[src.table]:
                raise InputError(f"keep_columns: {str(col)!r} in {src.name} would replace "
                                 "hemopt's own column of that name")
            pnr = _looks_personal(values)
            if pnr is not None:
                i = next(k for k, v in enumerate(values) if v is pnr)
                raise InputError(
                    f"keep_columns: column {str(col)!r} of {src.name} holds values that look "
                    f"like personnummer ({src.first_line(i)}); hemopt will not copy them to its "
                    "outputs. Drop the column, or replace the values by codes that identify no "
                    "person (the client ids are pseudonymised for that reason)")
            kept[str(col).strip()] = _kept_values(values)
            continue
        dropped.append(repr(str(col)))
        raw.append(str(col))
        if _looks_personal(values) is not None:
            personal.append(repr(str(col)))
        elif not _PERSONAL.match(_norm(col)):
            near = _nearest_column(src.table, str(col))
            unknown.append(repr(str(col)) + (f" (did you mean {near!r}?)" if near else ""))
    if dropped:
        note = (f"{src.name}: dropped columns hemopt does not use: {', '.join(dropped)}; they "
                "are not copied to any output (keep_columns=[...] or --keep-column keeps one)")
        if personal:
            note += f"; {', '.join(personal)} looked like personnummer"
        notes.append(note)
        what = (f"columns not understood, dropped: {', '.join(unknown)}" if unknown else "")
        rest = [d for d in dropped if not any(u.startswith(d) for u in unknown)]
        if rest:
            what += ("; " if what else "") + (f"columns dropped as hemopt does not use them "
                                              f"(they may hold personal data): "
                                              f"{', '.join(rest)}")
        warnings.warn(DroppedColumnWarning(
            f"{src.name}: {what}. Accepted columns: docs/own-data.md; keep one with "
            "keep_columns=[...] (--keep-column)", table=src.table,
            column=raw[0] if raw else None), stacklevel=4)
    return kept


def _kept_values(values: list[Any]) -> list[Any]:
    """A kept column: numbers if every filled cell is one (blank is NaN), else text."""
    nums = []
    for v in values:
        if _blank(v):
            nums.append(math.nan)
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            nums.append(float(v))
        else:
            s = str(v).strip()
            try:
                nums.append(float(s.replace(",", ".") if _DECIMAL_COMMA.match(s) else s))
            except ValueError:
                return [_text(v) for v in values]
    return nums


def _printable(src: _Source, i: int, column: str, v: str) -> None:
    """The importer's form of the ``id_printable`` rule: the file, line and column."""
    if v.isprintable():
        return
    bad = next(c for c in v if not c.isprintable())
    raise src.error(i, column, f"contains the non-printable character U+{ord(bad):04X} "
                    "(a control character, or a no-break or zero-width space): ids and names "
                    "must be printable text; remove it", v)


def _fold(v: str) -> str:
    """An id or name as people compare them: case, spaces and hyphens ignored."""
    return re.sub(r"[\s\-_]+", "", v).casefold()


def _did_you_mean(given: str, names: Mapping[str, str]) -> str:
    """``; did you mean 'E1'?`` when ``given`` is a provider's id in another case or its
    name (exports often rank providers by name), else ``""``."""
    hits = [pid for pid, nm in names.items()
            if _fold(given) in (_fold(pid), _fold(str(nm)))]
    if len(hits) != 1:
        return ""
    pid = hits[0]
    shown = f" (named {names[pid]!r})" if _fold(given) == _fold(str(names[pid])) else ""
    return f"; did you mean provider id {pid!r}{shown}? give the provider's id"


def _providers(src: _Source, xy_crs: Any, addresses: _Address | None, keep: Sequence[str],
               notes: list[str]) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    spec = {**PROVIDER_COLUMNS, **_COORD_COLUMNS}
    cols = _columns(src, spec)
    _require(src, cols, "provider_id", spec)
    _require(src, cols, "kind", spec)
    name = {k: src.columns[p] for k, p in cols.items()}
    ids = [_text(r[cols["provider_id"]]) for r in src.rows]
    _unique_ids(src, name["provider_id"], ids, "provider id")
    for i, pid in enumerate(ids):
        _printable(src, i, name["provider_id"], pid)
        if "name" in cols:
            _printable(src, i, name["name"], _text(src.rows[i][cols["name"]]))
    folded: dict[str, int] = {}
    for i, pid in enumerate(ids):
        j = folded.setdefault(_fold(pid), i)
        if j != i:
            raise src.error(i, name["provider_id"], f"provider ids {ids[j]!r} "
                            f"({src.first_line(j)}) and {pid!r} differ only in case, spaces "
                            "or hyphens: one provider twice, or two too alike to tell apart "
                            "in a ranking; make them distinct", pid)
    for i, pid in enumerate(ids):
        if _LIST_SPLIT.search(pid):
            raise src.error(i, name["provider_id"], "a provider id may not contain ';', ',' "
                            "or '|' (they separate the ids in a ranking)", pid)
    kinds = []
    for i, r in enumerate(src.rows):
        v = r[cols["kind"]]
        k = _KINDS.get(_norm(_text(v)))
        if k is None:
            raise src.error(i, name["kind"], "must be 'municipal' or 'external' (also "
                            "accepted: kommunal, extern, privat)", v)
        kinds.append(k)
    data: dict[str, Any] = {
        "provider_id": ids,
        "name": [(_text(r[cols["name"]]) if "name" in cols else "") or pid
                 for r, pid in zip(src.rows, ids, strict=True)],
        "kind": kinds,
    }
    for c in ("capacity_clients", "capacity_hours"):
        if c in cols:
            vals = [_nonneg(src, i, name[c], r[cols[c]], required=False, allow_inf=True)
                    for i, r in enumerate(src.rows)]
            data[c] = [math.inf if math.isnan(v) else v for v in vals]
    if "zones" in cols:
        data["zones"] = [tuple(_id_list(r[cols["zones"]])) for r in src.rows]
    if "licensed_share" in cols:
        shares = []
        for i, r in enumerate(src.rows):
            v = _number(src, i, name["licensed_share"], r[cols["licensed_share"]])
            if not (math.isnan(v) or 0.0 <= v <= 1.0):
                raise src.error(i, name["licensed_share"], "must be a share between 0 and 1 "
                                "(empty for 1: every staff member)", r[cols["licensed_share"]])
            shares.append(1.0 if math.isnan(v) else v)
        data["licensed_share"] = shares
    xy = _places(src, {k: v for k, v in cols.items() if k in _COORD_COLUMNS}, xy_crs=xy_crs,
                 addresses=addresses, notes=notes)
    data.update(_extra_columns(src, cols.values(), keep, notes))
    gdf = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)
    return gdf, {pid: i for i, pid in enumerate(ids)}


def _clients(src: _Source, providers: Mapping[str, int], xy_crs: Any,
             addresses: _Address | None, keep: Sequence[str], notes: list[str],
             names: Mapping[str, str] | None = None) -> tuple[dict[str, Any], np.ndarray]:
    spec = {**CLIENT_COLUMNS, **_COORD_COLUMNS}
    cols = _columns(src, spec)
    _require(src, cols, "client_id", spec)
    _require(src, cols, "hours_per_week", spec)
    name = {k: src.columns[p] for k, p in cols.items()}
    ids = [_text(r[cols["client_id"]]) for r in src.rows]
    _unique_ids(src, name["client_id"], ids, "client id")
    hours = [_nonneg(src, i, name["hours_per_week"], r[cols["hours_per_week"]], required=True,
                     most=MAX_HOURS_PER_WEEK, unit="hours a week (24 h x 7 days): give "
                     "granted hours per week, not per month or year, nor minutes")
             for i, r in enumerate(src.rows)]
    data: dict[str, Any] = {"client_id": ids, "hours_per_week": hours}
    if "visits_per_day" in cols:
        visits = [_nonneg(src, i, name["visits_per_day"], r[cols["visits_per_day"]],
                          required=False, most=MAX_VISITS_PER_DAY,
                          unit="visits a day (one every 15 minutes): give visits per day, "
                          "not per week") for i, r in enumerate(src.rows)]
        # a blank cell gets Scenario's default: 30-minute visits spread over the week, at
        # most 8 a day
        data["visits_per_day"] = [round(min(h * 60.0 / 7.0 / 30.0, 8.0), 2)
                                  if math.isnan(v) else v
                                  for v, h in zip(visits, hours, strict=True)]
    known = _known(providers)
    rankings, current = [], []
    for i, r in enumerate(src.rows):
        rank: list[str] = []
        if "ranking" in cols:
            cell = r[cols["ranking"]]
            for p in _id_list(cell):
                _printable(src, i, name["ranking"], p)
                if p not in providers:
                    raise src.error(i, name["ranking"], f"unknown provider {p!r} in the "
                                    f"ranking{_did_you_mean(p, names or {})} (providers: "
                                    f"{known})", cell)
                if p in rank:
                    raise src.error(i, name["ranking"], f"provider {p!r} appears twice in the "
                                    "ranking", cell)
                rank.append(p)
        rankings.append(tuple(rank))
        cur = _text(r[cols["current_provider"]]) if "current_provider" in cols else ""
        if cur:
            _printable(src, i, name["current_provider"], cur)
        if cur and cur not in providers:
            raise src.error(i, name["current_provider"], f"unknown provider"
                            f"{_did_you_mean(cur, names or {})} (providers: {known})", cur)
        current.append(cur)
    data["ranking"] = rankings
    data["current_provider"] = current
    data.update(_care_columns(src, cols, name))
    xy = _places(src, {k: v for k, v in cols.items() if k in _COORD_COLUMNS}, xy_crs=xy_crs,
                 addresses=addresses, notes=notes)
    if "address" in cols:
        notes.append(f"{src.name}: column {name['address']!r} was used to look up the "
                     "coordinates and is not copied")
    data.update(_extra_columns(src, cols.values(), keep, notes))
    return data, xy


def _care_columns(src: _Source, cols: Mapping[str, int], name: Mapping[str, str]
                  ) -> dict[str, list[Any]]:
    """The optional ``staff_per_visit`` (1 or 2; blank is 1) and ``skill`` (blank for none)."""
    data: dict[str, list[Any]] = {}
    if "staff_per_visit" in cols:
        staff = []
        for i, r in enumerate(src.rows):
            cell = r[cols["staff_per_visit"]]
            v = _number(src, i, name["staff_per_visit"], cell)
            if not (math.isnan(v) or v in (1.0, 2.0)):
                raise src.error(i, name["staff_per_visit"], "staff per visit must be 1 or 2 "
                                "(empty for 1)", cell)
            staff.append(1 if math.isnan(v) else int(v))
        data["staff_per_visit"] = staff
    if "skill" in cols:
        data["skill"] = [_text(r[cols["skill"]]) for r in src.rows]
    return data


def _read_zones(zones: Any) -> gpd.GeoDataFrame:
    if isinstance(zones, (str, Path)):
        import pyogrio

        path = Path(zones)
        if not path.exists():
            raise ScenarioError("file not found", table="zones", field="path", value=str(zones))
        try:
            layers = [str(n) for n, _ in pyogrio.list_layers(path)]
        except Exception as exc:  # pyogrio raises several kinds on a file it cannot open
            raise ScenarioError("not a geodata file (GeoPackage, GeoJSON, Shapefile): "
                                f"{str(exc).split(';')[0]}", table="zones",
                                file=str(zones)) from exc
        layer = "zones" if "zones" in layers else layers[0] if len(layers) == 1 else None
        if layer is None:
            raise ScenarioError(f"several layers and none is called 'zones': {layers}",
                                table="zones", file=str(zones))
        gdf = _geodata(path, "zones", layer=layer)
        shown = str(zones)
    elif isinstance(zones, gpd.GeoDataFrame):
        gdf, shown = zones, None
    else:
        raise ScenarioError(f"expected a GeoPackage/GeoJSON path or a GeoDataFrame, got "
                            f"{type(zones).__name__}", table="zones")
    normed = {_norm(c): c for c in gdf.columns if c != gdf.geometry.name}
    idcol = next((normed[a] for a in _ZONE_COLUMNS["zone_id"] if a in normed),
                 normed.get("name"))
    if idcol is None:
        raise ScenarioError(f"no zone id column (zone_id, id, zone or name); columns found: "
                            f"{list(normed.values())}", table="zones", file=shown,
                            field="zone_id")
    ncol = next((normed[a] for a in _ZONE_COLUMNS["name"] if a in normed), idcol)
    return gpd.GeoDataFrame({"zone_id": [_text(v) for v in gdf[idcol]],
                             "name": [_text(v) for v in gdf[ncol]]},
                            geometry=gdf.geometry.values, crs=gdf.crs)


def _read_boundary(boundary: Any) -> Any:
    if isinstance(boundary, (str, Path)):
        path = Path(boundary)
        if not path.exists():
            raise ScenarioError("file not found", table="boundary", field="path",
                                value=str(boundary))
        return _geodata(path, "boundary")
    return boundary


def _geodata(path: Path, table: str, layer: str | None = None) -> gpd.GeoDataFrame:
    """A vector file as a GeoDataFrame, or an error naming the file: one that cannot be
    read, or that has no geometry (a CSV table given where areas are expected)."""
    try:
        out = gpd.read_file(path, layer=layer) if layer is not None else gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several kinds on a file it cannot read
        raise ScenarioError("not a geodata file (GeoPackage, GeoJSON, Shapefile): "
                            f"{str(exc).split(';')[0]}",
                            table=table, file=str(path)) from exc
    if not isinstance(out, gpd.GeoDataFrame) or out.geometry.name not in out.columns:
        raise ScenarioError("the file has no geometry (a table, not areas): give a "
                            "GeoPackage, GeoJSON or Shapefile of polygons", table=table,
                            file=str(path))
    return out


def _check_inside(src: _Source, xy: np.ndarray, area: shapely.Geometry, label: str) -> None:
    area = area.buffer(BOUNDARY_TOLERANCE_M)
    inside = shapely.covers(area, shapely.points(xy))
    if not inside.all():
        i = int(np.flatnonzero(~inside)[0])
        raise src.error(i, None, f"the {label} lies outside the municipality boundary",
                        f"POINT ({xy[i, 0]:.1f} {xy[i, 1]:.1f})")


def read_tables(
    clients: Any,
    providers: Any,
    *,
    addresses: Any = None,
    zones: Any = None,
    boundary: Any = None,
    xy_crs: Any = CRS,
    stairwell_tolerance_m: float = 5.0,
    building_tolerance_m: float = 30.0,
    pseudonymise: bool = True,
    salt: str | None = None,
    keep_columns: Sequence[str] = (),
    boundary_buffer_m: float = 1000.0,
    name: str = "scenario",
) -> dict[str, Any]:
    """The tables of :func:`hemopt.tables.scenario_from_tables`, read and checked: the keyword
    arguments of :class:`~hemopt.scenario.Scenario` (``clients``, ``providers``,
    ``stairwells``, ``buildings``, ``zones``, ``boundary``, ``name``, ``meta``).

    Plain frames, so that :meth:`Scenario.from_tables <hemopt.scenario.Scenario.from_tables>`
    builds the scenario from them without this module importing the class back. Parameters,
    errors and examples: :func:`hemopt.tables.scenario_from_tables`.
    """
    st_tol, bu_tol = float(stairwell_tolerance_m), float(building_tolerance_m)
    for label, v in (("stairwell_tolerance_m", st_tol), ("building_tolerance_m", bu_tol),
                     ("boundary_buffer_m", float(boundary_buffer_m))):
        if not (math.isfinite(v) and v >= 0):
            raise InputError(f"{label} must be a finite number >= 0, got {v!r}")
    if bu_tol < st_tol:
        raise InputError(f"building_tolerance_m ({bu_tol:g}) must be at least "
                         f"stairwell_tolerance_m ({st_tol:g}): a stairwell lies in one building")
    if salt is not None and (not isinstance(salt, str) or not salt):
        raise InputError(f"salt must be a non-empty string, got {salt!r}")
    if salt is not None and salt == _OLD_PUBLIC_SALT:
        raise InputError("salt: 'hemopt-default-salt' is public (it was hemopt's default), so "
                         "its pseudonyms can be reversed by trying every birth date; give a "
                         "secret salt, or none to use this machine's (see local_salt)")
    try:
        xy_crs = pyproj.CRS.from_user_input(xy_crs)
    except pyproj.exceptions.CRSError as exc:
        raise InputError(f"xy_crs: unknown coordinate reference system {xy_crs!r}") from exc
    if not xy_crs.is_projected:
        raise InputError(f"xy_crs must be a projected CRS in metres (x/y columns), got "
                         f"{xy_crs.to_string()!r}; give WGS84 degrees as lat/lon columns")
    if isinstance(keep_columns, str):
        keep_columns = [keep_columns]
    keep = [str(k) for k in keep_columns]
    notes: list[str] = []

    addr = _read_addresses(addresses, xy_crs, notes) if addresses is not None else None
    psrc = _read("providers", providers)
    csrc = _read("clients", clients)
    notes.extend(psrc.notes + csrc.notes)
    for src in (psrc, csrc):
        if not src.rows:
            raise src.error(None, None, f"no {src.table} below the header")
    present = {_norm(c) for src in (psrc, csrc) for c in src.columns}
    missing = [k for k in keep if _norm(k) not in present]
    if missing:
        raise InputError(f"keep_columns: no column {missing[0]!r} in {psrc.name} or "
                         f"{csrc.name}")
    pr, pindex = _providers(psrc, xy_crs, addr, keep, notes)
    cdata, cxy = _clients(csrc, pindex, xy_crs, addr, keep, notes,
                          names=dict(zip(pr["provider_id"], pr["name"], strict=True)))

    zo = _read_zones(zones) if zones is not None else None
    zone_ids = set(zo["zone_id"]) if zo is not None else set()
    if "zones" in pr.columns:
        zcol = psrc.columns[_columns(psrc, PROVIDER_COLUMNS)["zones"]]
        for i, served in enumerate(pr["zones"]):
            for z in served:
                if z not in zone_ids:
                    msg = ("unknown zone (zones: " + _known(sorted(zone_ids)) + ")"
                           if zo is not None else
                           "a provider's zones need the zones' polygons (zones=..., --zones)")
                    raise psrc.error(i, zcol, msg, z)
    if zo is not None and zo.crs is not None:  # without a CRS, Scenario refuses the zones
        zg = zo.to_crs(CRS).geometry.values
        overlap = zone_overlap(list(zo["zone_id"]), zg)
        if overlap:
            raise ScenarioError(overlap, table="zones", field="geometry",
                                file=str(zones) if isinstance(zones, (str, Path)) else None)
        far, dist = far_from_zones(zg, cxy)
        if len(far):
            i = int(far[0])
            raise csrc.error(i, None, far_message(len(far), float(dist[i])),
                             f"POINT ({cxy[i, 0]:.1f} {cxy[i, 1]:.1f})")

    pxy = shapely.get_coordinates(pr.geometry.values)
    if boundary is not None:
        bd = _read_boundary(boundary)
        area = prepare_boundary(bd, []).geometry.iloc[0]
        _check_inside(psrc, pxy, area, "office")
        _check_inside(csrc, cxy, area, "client")
        boundary_note = "given"
    else:
        hull = shapely.convex_hull(shapely.multipoints(np.vstack([cxy, pxy])))
        bd = gpd.GeoDataFrame({"name": [name], "code": [""]},
                              geometry=[hull.buffer(float(boundary_buffer_m))], crs=CRS)
        boundary_note = f"convex hull of the clients and offices + {boundary_buffer_m:g} m"
        labels = ([f"{csrc.name}, {csrc.first_line(i)}" for i in range(len(cxy))]
                  + [f"{psrc.name}, {psrc.first_line(i)} (office)" for i in range(len(pxy))])
        warn_isolated(labels, np.vstack([cxy, pxy]), bd.geometry.iloc[0].area / 1e6,
                      boundary_note)

    # stairwells: clients within the tolerance; buildings: stairwells within theirs
    st_label = cluster_points(cxy, st_tol)
    n_st = int(st_label.max()) + 1 if len(st_label) else 0
    counts = np.bincount(st_label, minlength=n_st)
    st_xy = np.zeros((n_st, 2))
    np.add.at(st_xy, st_label, cxy)
    st_xy /= np.maximum(counts, 1)[:, None]
    bu_label = cluster_points(st_xy, bu_tol)
    n_bu = int(bu_label.max()) + 1 if len(bu_label) else 0
    bu_xy = np.zeros((n_bu, 2))
    np.add.at(bu_xy, bu_label, st_xy)
    bu_xy /= np.maximum(np.bincount(bu_label, minlength=n_bu), 1)[:, None]
    st_ids, bu_ids = _numbered("s", np.arange(n_st)), _numbered("b", np.arange(n_bu))

    ids = cdata.pop("client_id")
    salt_kind = "given" if salt is not None else None
    if pseudonymise:
        if salt is None:
            salt, where, made = local_salt()
            salt_kind = "local"
            notes.append(
                f"client ids pseudonymised with this machine's secret salt, "
                f"{'generated now and ' if made else ''}kept in {where} (apart from the "
                "outputs, never written to them): keep that file secret and out of what you "
                "send; import later lists with it to get the same pseudonyms "
                f"(${SALT_FILE_ENV} names another file; salt=... or $HEMOPT_SALT gives one)")
        out_ids = [pseudonym(c, salt) for c in ids]
        if len(set(out_ids)) != len(out_ids):  # 48 bits: practically never
            raise ScenarioError("two client ids got the same pseudonym; use another salt",
                                table="clients", field="client_id")
    else:
        out_ids = ids
        for i, c in enumerate(ids):
            if ";" in c:
                raise csrc.error(i, csrc.columns[_columns(csrc, CLIENT_COLUMNS)["client_id"]],
                                 "an id may not contain ';'", c)
        if any(_PERSONNUMMER.match(c.replace(" ", "")) for c in ids):
            notes.append("client ids look like personnummer and are kept as they are "
                         "(pseudonymise=False): do not share the outputs")
    cl = gpd.GeoDataFrame(
        {"client_id": out_ids, "stairwell_id": st_ids[st_label],
         "building_id": bu_ids[bu_label][st_label], **cdata},
        geometry=shapely.points(st_xy[st_label]) if len(st_label) else [], crs=CRS)
    stairwells = gpd.GeoDataFrame(
        {"stairwell_id": st_ids, "building_id": bu_ids[bu_label], "dwellings": counts},
        geometry=shapely.points(st_xy) if n_st else [], crs=CRS)
    buildings = gpd.GeoDataFrame(
        {"building_id": bu_ids, "kind": ["unknown"] * n_bu, "floors": [1] * n_bu},
        geometry=shapely.points(bu_xy) if n_bu else [], crs=CRS)
    meta = {"import": {
        "pseudonymised": bool(pseudonymise),
        "salt": salt_kind if pseudonymise else None,
        "stairwell_tolerance_m": st_tol,
        "building_tolerance_m": bu_tol,
        "xy_crs": xy_crs.to_string(),
        "boundary": boundary_note,
        "notes": notes,
    }}
    return {"clients": cl, "providers": pr, "stairwells": stairwells, "buildings": buildings,
            "zones": zo, "boundary": bd, "name": name, "meta": meta}
