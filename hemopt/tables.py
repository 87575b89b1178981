"""A scenario from the tables a municipality has: a client list and a provider list.

An analyst has a spreadsheet exported from the case-management system (*verksamhetssystem*),
not a GeoPackage. :func:`scenario_from_tables` (also :meth:`hemopt.Scenario.from_tables` and
``hemopt import``) reads

``clients``
    one row per client: an id, ``hours_per_week``, optionally ``visits_per_day``,
    ``current_provider`` and ``ranking`` (provider ids, most wanted first, separated by ``;``,
    e.g. ``E1;E3;M``), and where the client lives: SWEREF 99 TM ``x``/``y`` (or ``e``/``n``),
    WGS84 ``lat``/``lon``, or an ``address`` key looked up in an ``addresses`` table;
``providers``
    one row per provider: ``provider_id``, ``name``, ``kind`` (``municipal`` or ``external``),
    the office's coordinates (as for clients), optionally ``capacity_clients``,
    ``capacity_hours`` (per week) and ``zones`` (zone ids served, ``;``-separated);

each as a CSV file, an Excel workbook (``.xlsx``) or a pandas DataFrame. Stairwells and
buildings are derived from identical or near-identical coordinates (:func:`cluster_points`);
client ids are replaced by stable pseudonyms (:func:`pseudonym`); columns hemopt does not use
(names, personnummer, phone numbers, ...) are dropped with a note. Each bad row raises a
:class:`~hemopt.errors.ScenarioError` naming the file, the line as a spreadsheet shows it
(the header is line 1), the column and the value. ``docs/own-data.md`` is the user's guide.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from hemopt._views import register
from hemopt.errors import DroppedColumnWarning, InputError, ScenarioError
from hemopt.scenario import (
    BOUNDARY_TOLERANCE_M,
    CRS,
    MAX_HOURS_PER_WEEK,
    MAX_VISITS_PER_DAY,
    SWEDEN_LATLON,
    SWEDEN_SWEREF,
    Scenario,
    warn_isolated,
)

__all__ = [
    "CLIENT_COLUMNS",
    "PROVIDER_COLUMNS",
    "SALT_FILE_ENV",
    "SWEDEN_LATLON",
    "SWEDEN_SWEREF",
    "cluster_points",
    "local_salt",
    "pseudonym",
    "scenario_from_tables",
]

#: Environment variable naming the file of the machine's secret pseudonym salt (default
#: ``~/.config/hemopt/pseudonym-salt``, see :func:`local_salt`).
SALT_FILE_ENV = "HEMOPT_SALT_FILE"

#: Accepted column names of the client table, canonical name first (case, spaces and
#: hyphens are ignored: ``Hours per week`` is ``hours_per_week``).
CLIENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "client_id": ("client_id", "id", "brukar_id", "brukare_id", "brukarid", "klient_id"),
    "hours_per_week": ("hours_per_week", "hours", "timmar_per_vecka", "timmar",
                       "beviljade_timmar", "beviljade_timmar_per_vecka", "timmar/vecka",
                       "tim/v", "beviljad_tid"),
    "visits_per_day": ("visits_per_day", "visits", "besok_per_dag", "besök_per_dag",
                       "besök/dag", "antal_besök_per_dag"),
    "current_provider": ("current_provider", "provider", "utforare", "utförare",
                         "nuvarande_utförare", "nuvarande_utforare"),
    "ranking": ("ranking", "choices", "rangordning", "rankning", "val", "önskemål"),
    "staff_per_visit": ("staff_per_visit", "staffing", "staff", "dubbelbemanning"),
    "skill": ("skill", "required_skill", "kompetens", "delegering"),
}
#: Accepted column names of the provider table, canonical name first. ``Max antal brukare``
#: and ``Max timmar`` (per week), as Swedish exports name them, are the capacities; an
#: office's ``Kontorsadress`` is an address key; ``Serviceområden`` the declared areas.
PROVIDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "provider_id": ("provider_id", "id", "utforare_id", "utförare_id", "utförarid"),
    "name": ("name", "namn", "utförarnamn", "företag", "foretag"),
    "kind": ("kind", "type", "typ", "regi", "regiform"),
    "capacity_clients": ("capacity_clients", "max_clients", "max_antal_brukare",
                         "antal_brukare_max", "max_brukare", "kapacitet_brukare",
                         "takvolym_brukare"),
    "capacity_hours": ("capacity_hours", "capacity_hours_per_week", "max_hours",
                       "max_timmar", "max_timmar_per_vecka", "kapacitet_timmar",
                       "takvolym_timmar"),
    "zones": ("zones", "areas", "omraden", "områden", "service_areas", "serviceområden",
              "serviceomraden", "serviceområde", "verksamhetsområden", "geografiska_områden",
              "upphandlade_områden"),
    "licensed_share": ("licensed_share", "delegated_share", "andel_delegering"),
}
_COORD_COLUMNS: dict[str, tuple[str, ...]] = {
    "x": ("x", "e", "easting", "east", "x_koordinat", "e_koordinat", "östkoordinat",
          "ostkoordinat"),
    "y": ("y", "n", "northing", "north", "y_koordinat", "n_koordinat", "nordkoordinat"),
    "lat": ("lat", "latitude", "latitud"),
    "lon": ("lon", "lng", "long", "longitude", "longitud"),
    "address": ("address_key", "address", "adress", "address_id", "adress_id",
                "office_address", "office", "kontor", "kontorsadress", "besöksadress"),
}
_ZONE_COLUMNS = {"zone_id": ("zone_id", "id", "zone", "area_id"), "name": ("name", "namn")}
_KINDS = {
    "municipal": "municipal", "kommunal": "municipal", "kommun": "municipal",
    "egen_regi": "municipal", "kommunal_regi": "municipal", "external": "external",
    "extern": "external", "private": "external", "privat": "external", "enskild": "external",
    "privat_regi": "external", "extern_regi": "external", "enskild_regi": "external",
}
_SHEET_NAMES = {
    "clients": ("clients", "brukare", "klienter"),
    "providers": ("providers", "utforare", "utförare"),
    "addresses": ("addresses", "adresser"),
}
# columns of the scenario's tables that a kept column may not replace
_RESERVED = {
    "clients": {"client_id", "stairwell_id", "building_id", "hours_per_week",
                "visits_per_day", "ranking", "current_provider", "staff_per_visit", "skill",
                "geometry"},
    "providers": {"provider_id", "name", "kind", "capacity_clients", "capacity_hours",
                  "zones", "licensed_share", "geometry"},
}
_ROW = {"clients": "client", "providers": "provider", "addresses": "address"}
# headers of id-list columns (ranking, zones) in every accepted spelling
_LIST_COLUMNS = set(CLIENT_COLUMNS["ranking"]) | set(PROVIDER_COLUMNS["zones"])
_LIST_SPLIT = re.compile(r"[;,|]")
_PERSONNUMMER = re.compile(r"^(\d{2})?\d{6}[-+]?\d{4}$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


# ---------------------------------------------------------------------------------- reading
@dataclass
class _Source:
    """One input table as rows of raw cells, with where each row came from."""

    table: str
    file: str | None
    columns: list[str]
    rows: list[list[Any]]
    lines: list[int] | None = None  # spreadsheet line of each row (files)
    labels: list[Any] | None = None  # index label of each row (DataFrames)
    xy: np.ndarray | None = None  # points of a GeoDataFrame, in EPSG:3006
    notes: list[str] = field(default_factory=list)
    header_line: int = 1

    @property
    def name(self) -> str:
        return self.file if self.file is not None else f"the {self.table} table"

    def where(self, i: int | None) -> dict[str, Any]:
        out: dict[str, Any] = {"table": self.table, "file": self.file}
        if i is None:
            if self.file is not None:
                out["line"] = self.header_line
        elif self.lines is not None:
            out["line"] = self.lines[i]
        elif self.labels is not None:
            out["row"] = self.labels[i]
        return out

    def error(self, i: int | None, column: str | None, message: str,
              value: Any = None) -> ScenarioError:
        return ScenarioError(message, field=column, value=value, **self.where(i))

    def first_line(self, i: int) -> str:
        """How to point at row ``i`` inside a message: ``line 3`` or ``row 'a'``."""
        if self.lines is not None:
            return f"line {self.lines[i]}"
        if self.labels is not None:
            return f"row {self.labels[i]!r}"
        return f"row {i}"


def _norm(header: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(header).strip().lstrip("\ufeff").lower())


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    if isinstance(v, (list, tuple, np.ndarray)):
        return False
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _read(table: str, data: Any) -> _Source:
    """Read a path (CSV or Excel) or a (Geo)DataFrame into a :class:`_Source`."""
    if isinstance(data, pd.DataFrame):
        return _read_frame(table, data)
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.exists():
            raise ScenarioError("file not found", table=table, field="path", value=str(data))
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return _read_excel(table, path, str(data))
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_csv(table, path, str(data))
        raise ScenarioError("unsupported file type; give a .csv or .xlsx file", table=table,
                            field="path", value=str(data))
    raise ScenarioError(f"expected a path to a CSV or Excel file or a DataFrame, got "
                        f"{type(data).__name__}", table=table)


def _read_frame(table: str, df: pd.DataFrame) -> _Source:
    xy = None
    cols = list(df.columns)
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns:
        if df.crs is None:
            raise ScenarioError("GeoDataFrame without a CRS; set it with .set_crs(...)",
                                table=table, field="crs")
        geoms = df.geometry.to_crs(CRS).values
        if not np.all(shapely.get_type_id(geoms) == 0):
            raise ScenarioError("geometry must be points", table=table, field="geometry")
        xy = shapely.get_coordinates(geoms)
        cols = [c for c in cols if c != df.geometry.name]
    rows = [list(r) for r in df[cols].itertuples(index=False, name=None)]
    return _Source(table, None, [str(c) for c in cols], rows, labels=list(df.index), xy=xy)


def _read_csv(table: str, path: Path, shown: str) -> _Source:
    raw = path.read_bytes()
    notes = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
        notes.append(f"{shown}: not UTF-8, read as Windows-1252 (Excel's Swedish default)")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    hint = re.fullmatch(r"\s*sep=(.)\s*", first)  # Excel's "sep=;" first line
    if hint:
        delimiter = hint.group(1)
    else:
        delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    header_line = 1
    rows: list[list[Any]] = []
    lines: list[int] = []
    start = 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in record):
            continue
        if hint and header is None and re.fullmatch(r"\s*sep=.\s*", delimiter.join(record)):
            continue
        if header is None:
            header, header_line = record, line
            continue
        if len(record) > len(header):
            if any(c.strip() for c in record[len(header):]):
                hint_text = (" (a decimal comma in a comma-separated file? quote the value or "
                             "use a point)" if delimiter == "," else "")
                lists = [h for h in header if _norm(h) in _LIST_COLUMNS]
                if delimiter in ";," and lists:
                    hint_text += (f" (a list in column {lists[0]!r} separated by "
                                  f"{delimiter!r}, the file's own separator? quote the cell, "
                                  f"\"E1{delimiter}E3\", or separate the ids with '|': E1|E3)")
                raise ScenarioError(
                    f"{len(record)} cells but the header has {len(header)}{hint_text}",
                    table=table, file=shown, line=line)
            record = record[:len(header)]
        rows.append(record + [""] * (len(header) - len(record)))
        lines.append(line)
    if header is None:
        raise ScenarioError("the file is empty: expected a header line and one row per "
                            f"{_ROW[table]}", table=table, file=shown, line=1)
    return _Source(table, shown, header, rows, lines=lines, notes=notes,
                   header_line=header_line)


def _read_excel(table: str, path: Path, shown: str) -> _Source:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise ScenarioError("reading Excel files needs openpyxl: pip install openpyxl",
                            table=table, file=shown) from exc
    try:
        with warnings.catch_warnings():  # style and validation warnings do not concern us
            warnings.simplefilter("ignore", UserWarning)
            wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise ScenarioError(f"cannot read the workbook: {exc}", table=table, file=shown) from exc
    names = {_norm(n): n for n in wb.sheetnames}
    sheet = next((names[n] for n in _SHEET_NAMES[table] if n in names), wb.sheetnames[0])
    ws = wb[sheet]
    if len(wb.sheetnames) > 1:
        shown = f"{shown}, sheet {sheet!r}"
    header: list[str] | None = None
    header_line = 1
    rows: list[list[Any]] = []
    lines: list[int] = []
    for line, record in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        cells = list(record)
        if all(_blank(c) for c in cells):
            continue
        if header is None:
            while cells and _blank(cells[-1]):
                cells.pop()
            header = ["" if c is None else str(c) for c in cells]
            header_line = line
            continue
        if len(cells) > len(header):
            extra = [c for c in cells[len(header):] if not _blank(c)]
            if extra:
                raise ScenarioError("a cell right of the last header column is not empty",
                                    table=table, file=shown, line=line, value=extra[0])
            cells = cells[:len(header)]
        rows.append(cells + [None] * (len(header) - len(cells)))
        lines.append(line)
    wb.close()
    if header is None:
        raise ScenarioError("the sheet is empty: expected a header row and one row per "
                            f"{_ROW[table]}", table=table, file=shown, line=1)
    return _Source(table, shown, header, rows, lines=lines, header_line=header_line)


def _columns(src: _Source, spec: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """Map each canonical column that is present to its position in ``src``."""
    normed = [_norm(c) for c in src.columns]
    seen: dict[str, int] = {}
    for pos, n in enumerate(normed):
        if n and n in seen:
            raise src.error(None, src.columns[pos], f"column appears twice (also column "
                            f"{seen[n] + 1})")
        seen[n] = pos
    out: dict[str, int] = {}
    for canon, aliases in spec.items():
        for a in aliases:
            if a in seen and seen[a] not in out.values():
                out[canon] = seen[a]
                break
    return out


def _require(src: _Source, cols: Mapping[str, int], canon: str,
             spec: Mapping[str, tuple[str, ...]]) -> None:
    if canon not in cols:
        others = [a for a in spec[canon] if a != canon]
        shown = ", ".join(repr(a) for a in others[:4]) + (", ..." if len(others) > 4 else "")
        alt = f" (or {shown})" if others else ""
        raise src.error(None, canon, f"missing column{alt}; columns found: "
                        f"{[c for c in src.columns if str(c).strip()]}")


# ---------------------------------------------------------------------------------- cells
def _text(v: Any) -> str:
    """A cell as an id string: ``1001.0`` from Excel is ``"1001"``."""
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (np.floating,)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def cell_float(v: Any) -> float | None:
    """A cell as a float, or None when it is not a number: a bool, or text that does not
    read as one. Accepts a decimal comma (``3,5``) and no-break spaces as thousands
    separators; text ``nan`` reads as NaN, which callers refuse. One reader for the client
    lists and route-plan's tables.

    >>> cell_float("3,5"), cell_float("1\u00a0200"), cell_float(2)
    (3.5, 1200.0, 2.0)
    >>> cell_float("ten"), cell_float(True)
    (None, None)
    """
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    s = str(v).strip().replace("\u00a0", "")
    if _DECIMAL_COMMA.match(s):
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def _number(src: _Source, i: int, column: str, v: Any) -> float:
    """A cell as a float; blank is NaN. Accepts a decimal comma (``3,5``)."""
    if _blank(v):
        return math.nan
    x = cell_float(v)
    if x is None or (math.isnan(x) and not isinstance(v, (float, np.floating))):
        raise src.error(i, column, "must be a number", v)
    return x


def _nonneg(src: _Source, i: int, column: str, v: Any, *, required: bool,
            allow_inf: bool = False, most: float | None = None, unit: str = "") -> float:
    x = _number(src, i, column, v)
    if math.isnan(x):
        if required:
            raise src.error(i, column, "missing value")
        return x
    if x < 0 or (math.isinf(x) and not allow_inf):
        raise src.error(i, column, "must be a number >= 0" if not allow_inf
                        else "must be a number >= 0 (or inf, or empty for no limit)", v)
    if most is not None and x > most:
        raise src.error(i, column, f"must be a number >= 0 and at most {most:g} {unit}", v)
    return x


def _id_list(v: Any) -> list[str]:
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_text(p) for p in v if not _blank(p)]
    if _blank(v):
        return []
    return [p.strip() for p in _LIST_SPLIT.split(str(v)) if p.strip()]


def _known(ids: Iterable[str], limit: int = 20) -> str:
    ids = list(ids)
    shown = ", ".join(ids[:limit]) + (", ..." if len(ids) > limit else "")
    return shown or "none"


def _unique_ids(src: _Source, column: str, ids: Sequence[str], what: str) -> None:
    first: dict[str, int] = {}
    for i, v in enumerate(ids):
        if v == "":
            raise src.error(i, column, f"missing {what}", None)
        if v in first:
            raise src.error(i, column, f"duplicate {what} (also on {src.first_line(first[v])})",
                            v)
        first[v] = i


# ---------------------------------------------------------------------------------- places
def _in(v: float, lo_hi: tuple[float, float]) -> bool:
    return lo_hi[0] <= v <= lo_hi[1]


def _to_sweref(xy: np.ndarray, crs: Any) -> np.ndarray:
    if len(xy) == 0:
        return xy.reshape(0, 2)
    pts = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs).to_crs(CRS)
    return shapely.get_coordinates(pts.values)


def _places(src: _Source, cols: Mapping[str, int], *, xy_crs: Any,
            addresses: _Address | None, notes: list[str]) -> np.ndarray:
    """Each row's point in EPSG:3006, from x/y, lat/lon or an address key (in that order)."""
    n = len(src.rows)
    if src.xy is not None:
        out = src.xy
        for i, (e, nn) in enumerate(out):
            if not (_in(e, SWEDEN_SWEREF[0]) and _in(nn, SWEDEN_SWEREF[1])):
                raise src.error(i, "geometry", "point lies outside Sweden",
                                f"POINT ({e:.1f} {nn:.1f})")
        return out
    has_xy = "x" in cols and "y" in cols
    has_ll = "lat" in cols and "lon" in cols
    has_key = "address" in cols
    if not (has_xy or has_ll or has_key):
        raise src.error(None, None, "no coordinate columns: expected x and y (SWEREF 99 TM, "
                        "or e and n), lat and lon (WGS84), or an address column looked up in "
                        f"an addresses table; columns found: {src.columns}")
    name = {k: src.columns[p] for k, p in cols.items()}
    source = np.zeros(n, dtype=np.int8)  # 1 x/y, 2 lat/lon, 3 address
    raw = np.full((n, 2), np.nan)
    for i, row in enumerate(src.rows):
        cell = {k: row[p] for k, p in cols.items() if k in ("x", "y", "lat", "lon", "address")}
        if has_xy and not (_blank(cell["x"]) and _blank(cell["y"])):
            for k in ("x", "y"):
                if _blank(cell[k]):
                    raise src.error(i, name[k], "missing value (the other coordinate is given)")
            raw[i] = [_number(src, i, name["x"], cell["x"]),
                      _number(src, i, name["y"], cell["y"])]
            source[i] = 1
        elif has_ll and not (_blank(cell["lat"]) and _blank(cell["lon"])):
            for k in ("lat", "lon"):
                if _blank(cell[k]):
                    raise src.error(i, name[k], "missing value (the other coordinate is given)")
            raw[i] = [_number(src, i, name["lat"], cell["lat"]),
                      _number(src, i, name["lon"], cell["lon"])]
            source[i] = 2
        elif has_key and not _blank(cell["address"]):
            if addresses is None:
                raise src.error(i, name["address"], "an address key needs an addresses table "
                                "with its coordinates (addresses=..., --addresses)",
                                cell["address"])
            key = _address_key(cell["address"])
            if key not in addresses.xy:
                raise src.error(i, name["address"], f"address key not found in "
                                f"{addresses.source.name}", cell["address"])
            source[i] = 3
            raw[i] = addresses.xy[key]
        else:
            wanted = [w for w, ok in (("x and y", has_xy), ("lat and lon", has_ll),
                                      ("an address", has_key)) if ok]
            raise src.error(i, None, f"no coordinates: give {' or '.join(wanted)}")

    out = raw.copy()
    xy_rows = np.flatnonzero(source == 1)
    if len(xy_rows):
        _check_xy(src, xy_rows, raw, out, name, xy_crs, notes)
    ll_rows = np.flatnonzero(source == 2)
    if len(ll_rows):
        _check_latlon(src, ll_rows, raw, name)
        out[ll_rows] = _to_sweref(raw[ll_rows][:, ::-1], "EPSG:4326")
    return out


def _check_xy(src: _Source, rows: np.ndarray, raw: np.ndarray, out: np.ndarray,
              name: Mapping[str, str], xy_crs: Any, notes: list[str]) -> None:
    (elo, ehi), (nlo, nhi) = SWEDEN_SWEREF
    is_sweref = xy_crs.equals(CRS)
    x, y = raw[rows, 0], raw[rows, 1]
    if is_sweref:
        swapped = (x >= nlo) & (x <= nhi) & (y >= elo) & (y <= ehi)
        if swapped.all():
            # the Swedish survey convention: X is the northing, Y the easting
            out[rows] = raw[rows][:, ::-1]
            notes.append(f"{src.name}: column {name['x']!r} holds northings and {name['y']!r} "
                         "eastings (the Swedish survey convention); read them so")
            return
        for k, i in enumerate(rows):
            if swapped[k]:
                raise src.error(int(i), name["x"], f"x and y look swapped on this row: "
                                f"{name['x']!r} holds a northing (SWEREF 99 TM N is "
                                f"{nlo:,.0f}–{nhi:,.0f} m)", src.rows[i][src.columns.index(
                                    name["x"])])
        conv = raw[rows]
    else:
        conv = _to_sweref(raw[rows], xy_crs)
        out[rows] = conv
    for k, i in enumerate(rows):
        for axis, col, (lo, hi) in ((0, "x", (elo, ehi)), (1, "y", (nlo, nhi))):
            if not (lo <= conv[k, axis] <= hi):
                via = ("" if is_sweref else
                       f" after conversion from {xy_crs.to_string()} to SWEREF 99 TM")
                label = "E (easting)" if axis == 0 else "N (northing)"
                raise src.error(int(i), name[col], f"outside Sweden{via}: SWEREF 99 TM "
                                f"{label} must be {lo:,.0f}–{hi:,.0f} m",
                                src.rows[i][src.columns.index(name[col])])


def _check_latlon(src: _Source, rows: np.ndarray, raw: np.ndarray,
                  name: Mapping[str, str]) -> None:
    lat_r, lon_r = SWEDEN_LATLON
    for i in rows:
        lat, lon = raw[i]
        if _in(lat, lat_r) and _in(lon, lon_r):
            continue
        cell = src.rows[i][src.columns.index(name["lat"])]
        if _in(lat, lon_r) and _in(lon, lat_r):
            raise src.error(int(i), name["lat"], f"lat and lon look swapped (did you swap "
                            f"latitude and longitude?): in Sweden the latitude is "
                            f"{lat_r[0]}–{lat_r[1]} and the longitude {lon_r[0]}–{lon_r[1]}",
                            cell)
        if not _in(lat, lat_r):
            raise src.error(int(i), name["lat"], f"outside Sweden: latitude must be "
                            f"{lat_r[0]}–{lat_r[1]}", cell)
        raise src.error(int(i), name["lon"], f"outside Sweden: longitude must be "
                        f"{lon_r[0]}–{lon_r[1]}", src.rows[i][src.columns.index(name["lon"])])


def _address_key(v: Any) -> str:
    return " ".join(_text(v).split()).casefold()


@dataclass
class _Address:
    source: _Source
    xy: dict[str, np.ndarray]


def _read_addresses(data: Any, xy_crs: Any, notes: list[str]) -> _Address:
    src = _read("addresses", data)
    notes.extend(src.notes)
    cols = _columns(src, _COORD_COLUMNS)
    _require(src, cols, "address", _COORD_COLUMNS)
    geo = {k: v for k, v in cols.items() if k != "address"}
    if src.xy is None and not geo:
        raise src.error(None, None, "no coordinate columns: expected x and y (SWEREF 99 TM) "
                        f"or lat and lon (WGS84); columns found: {src.columns}")
    xy = _places(src, geo, xy_crs=xy_crs, addresses=None, notes=notes)
    out: dict[str, np.ndarray] = {}
    first: dict[str, int] = {}
    kcol = src.columns[cols["address"]]
    for i, row in enumerate(src.rows):
        key = _address_key(row[cols["address"]])
        if not key:
            raise src.error(i, kcol, "missing address key")
        if key in out and not np.allclose(out[key], xy[i]):
            raise src.error(i, kcol, f"the same address key with other coordinates on "
                            f"{src.first_line(first[key])}", row[cols["address"]])
        out.setdefault(key, xy[i])
        first.setdefault(key, i)
    return _Address(src, out)


# ---------------------------------------------------------------------------------- derived
def cluster_points(xy: Any, tolerance_m: float) -> np.ndarray:
    """Group points that lie within ``tolerance_m`` of each other.

    Two points are in one group when they are at most ``tolerance_m`` apart, directly or
    through a chain of such points (the connected components of the "within tolerance"
    graph, found with a k-d tree). With ``tolerance_m=0`` only identical points are grouped.
    Groups are numbered ``0, 1, ...`` in the order of their westernmost point (then
    southernmost), so the numbering does not depend on the order of the input.

    Parameters
    ----------
    xy
        ``(n, 2)`` coordinates in metres.
    tolerance_m
        Points at most this far apart (in metres, >= 0) are linked; a group is all points
        linked directly or through others, so it can be wider than the tolerance.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` group number of each point.

    Examples
    --------
    Three clients at one entrance, one 3 m away and one 50 m away:

    >>> from hemopt.tables import cluster_points
    >>> cluster_points([[0, 0], [0, 0], [0, 0], [3, 0], [50, 0]], 5.0).tolist()
    [0, 0, 0, 0, 1]
    >>> cluster_points([[0, 0], [0, 0], [0, 0], [3, 0], [50, 0]], 0.0).tolist()
    [0, 0, 0, 1, 2]
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    pts = np.asarray(xy, dtype=float).reshape(-1, 2)
    tol = float(tolerance_m)
    if not (math.isfinite(tol) and tol >= 0):
        raise InputError(f"tolerance_m must be a finite number >= 0, got {tolerance_m!r}")
    n = len(pts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.isfinite(pts).all():
        raise InputError("xy must be finite coordinates")
    pairs = cKDTree(pts).query_pairs(r=tol, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    order = np.lexsort((pts[:, 1], pts[:, 0]))
    label = np.full(comp.max() + 1, -1, dtype=np.int64)
    nxt = 0
    for i in order:
        if label[comp[i]] < 0:
            label[comp[i]] = nxt
            nxt += 1
    return label[comp]


#: hemopt's former default salt: public, so refused.
_OLD_PUBLIC_SALT = "hemopt-default-salt"


def local_salt() -> tuple[str, str, bool]:
    """This machine's secret pseudonym salt: ``(salt, where, generated_now)``.

    Read from the file named by ``$HEMOPT_SALT_FILE`` (default
    ``$XDG_CONFIG_HOME/hemopt/pseudonym-salt``, i.e. ``~/.config/hemopt/pseudonym-salt``). When
    the file does not exist, 32 random bytes (``secrets.token_hex``) are written to it, readable
    by the owner only. The salt is never written to a scenario or any other output; ``where``
    is the file with the home folder shown as ``~``.

    Examples
    --------
    >>> import os, tempfile
    >>> before = os.environ.get("HEMOPT_SALT_FILE")
    >>> os.environ["HEMOPT_SALT_FILE"] = os.path.join(tempfile.mkdtemp(), "salt")
    >>> salt, where, made = local_salt()
    >>> len(salt), made, local_salt() == (salt, where, False)
    (64, True, True)
    >>> if before is None:
    ...     del os.environ["HEMOPT_SALT_FILE"]
    ... else:
    ...     os.environ["HEMOPT_SALT_FILE"] = before
    """
    import os
    import secrets

    env = os.environ.get(SALT_FILE_ENV)
    if env:
        path = Path(env).expanduser()
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        path = Path(base) / "hemopt" / "pseudonym-salt"
    shown = str(path)
    home = str(Path.home())
    if shown.startswith(home + os.sep):
        shown = "~" + shown[len(home):]
    try:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text, shown, False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise InputError(f"cannot read the pseudonym salt file {shown} ({exc.strerror or exc});"
                         f" give a salt (salt=..., $HEMOPT_SALT) or another file "
                         f"(${SALT_FILE_ENV})") from exc
    salt = secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(salt + "\n")
    except FileExistsError:  # another import made it meanwhile: use that one
        return path.read_text(encoding="utf-8").strip(), shown, False
    except OSError as exc:
        raise InputError(f"cannot create the pseudonym salt file {shown} "
                         f"({exc.strerror or exc}); give a salt (salt=..., $HEMOPT_SALT) or "
                         f"another file (${SALT_FILE_ENV})") from exc
    return salt, shown, True


def pseudonym(client_id: Any, salt: str) -> str:
    """A stable pseudonym for a client id: ``"c"`` and 12 hex digits of HMAC-SHA256.

    The same id and salt always give the same pseudonym, so scenarios imported on different
    days can be compared client by client; without the salt the pseudonym cannot be traced
    back, not even by trying every possible id (every birth date of a personnummer): each try
    needs the secret salt. Keep the salt out of the outputs (:func:`local_salt` keeps one
    per machine).

    Parameters
    ----------
    client_id
        The id as in the client list (converted to text).
    salt
        The secret key of the hash.

    Returns
    -------
    str

    Examples
    --------
    >>> from hemopt.tables import pseudonym
    >>> pseudonym("19400101-1234", salt="our secret")
    'cf57b676941b0'
    >>> pseudonym("19400101-1234", salt="our secret") == pseudonym("19400101-1234", "other")
    False
    """
    if not isinstance(salt, str) or not salt:
        raise InputError(f"salt must be a non-empty string, got {salt!r}")
    digest = hmac.new(salt.encode("utf-8"), _text(client_id).encode("utf-8"),
                      hashlib.sha256).hexdigest()
    return "c" + digest[:12]


def _numbered(prefix: str, labels: np.ndarray) -> np.ndarray:
    k = int(labels.max()) + 1 if len(labels) else 0
    width = max(4, len(str(k)))
    return np.array([f"{prefix}{j + 1:0{width}d}" for j in labels], dtype=object)


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
             addresses: _Address | None, keep: Sequence[str], notes: list[str]
             ) -> tuple[dict[str, Any], np.ndarray]:
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
                if p not in providers:
                    raise src.error(i, name["ranking"], f"unknown provider {p!r} in the "
                                    f"ranking (providers: {known})", cell)
                if p in rank:
                    raise src.error(i, name["ranking"], f"provider {p!r} appears twice in the "
                                    "ranking", cell)
                rank.append(p)
        rankings.append(tuple(rank))
        cur = _text(r[cols["current_provider"]]) if "current_provider" in cols else ""
        if cur and cur not in providers:
            raise src.error(i, name["current_provider"], f"unknown provider (providers: "
                            f"{known})", cur)
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
        layers = [str(n) for n, _ in pyogrio.list_layers(path)]
        layer = "zones" if "zones" in layers else layers[0] if len(layers) == 1 else None
        if layer is None:
            raise ScenarioError(f"several layers and none is called 'zones': {layers}",
                                table="zones", file=str(zones))
        gdf = gpd.read_file(path, layer=layer)
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
        return gpd.read_file(path)
    return boundary


def _check_inside(src: _Source, xy: np.ndarray, area: shapely.Geometry, label: str) -> None:
    area = area.buffer(BOUNDARY_TOLERANCE_M)
    inside = shapely.covers(area, shapely.points(xy))
    if not inside.all():
        i = int(np.flatnonzero(~inside)[0])
        raise src.error(i, None, f"the {label} lies outside the municipality boundary",
                        f"POINT ({xy[i, 0]:.1f} {xy[i, 1]:.1f})")


@register("scenario.from_tables")
def scenario_from_tables(
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
) -> Scenario:
    """Build a scenario from a client list and a provider list (CSV, Excel or DataFrames).

    Parameters
    ----------
    clients
        Path to a ``.csv`` or ``.xlsx`` file, or a DataFrame (a GeoDataFrame's points are
        used as the coordinates), one row per client. Columns (case, spaces and hyphens
        ignored; aliases in :data:`CLIENT_COLUMNS`): ``client_id`` and ``hours_per_week``
        (required); ``visits_per_day`` (default: 30-minute visits, ``hours * 2 / 7``);
        ``current_provider``; ``ranking`` (provider ids, most wanted first, separated by
        ``;``, ``,`` or ``|``; empty for a client who does not choose); ``staff_per_visit``
        (1, or 2 for a double-staffed client; empty for 1); ``skill`` (a skill the visits
        need, e.g. ``delegated`` for delegated health care; empty for none); and per row one
        of: ``x``/``y`` (or ``e``/``n``) in ``xy_crs``, ``lat``/``lon`` in WGS84, or an
        ``address`` key found in ``addresses``. A CSV file may be comma-, semicolon- or
        tab-separated, UTF-8 or Windows-1252, and use decimal commas.
    providers
        As ``clients``, one row per provider: ``provider_id`` and ``kind`` (``municipal``
        or ``external``; ``kommunal``, ``extern``, ``privat`` also accepted) required;
        ``name``; the office's coordinates; ``capacity_clients`` and ``capacity_hours``
        (per week; empty for no limit); ``zones`` (ids of the zones served; empty for the
        whole municipality); ``licensed_share`` (share of the staff licensed for delegated
        health care, 0 to 1; empty for 1).
    addresses
        Optional table (path or DataFrame) of an ``address`` key column and coordinates
        (``x``/``y`` or ``lat``/``lon``) that clients and providers without coordinates are
        looked up in. Keys match ignoring case and repeated spaces.
    zones
        Optional zones (LOU areas or zones): a GeoPackage (its ``zones`` layer, or its only
        layer) or GeoJSON path, or a GeoDataFrame, with a ``zone_id`` (or ``id``, ``zone``,
        ``name``) column.
    boundary
        Optional municipality boundary: a GeoPackage/GeoJSON path, a GeoDataFrame or a
        shapely polygon in EPSG:3006. Default: the convex hull of the clients and offices
        buffered by ``boundary_buffer_m``.
    xy_crs
        The CRS of ``x``/``y`` columns (default SWEREF 99 TM, EPSG:3006; e.g. ``EPSG:3011``
        for SWEREF 99 18 00). In EPSG:3006, a file whose ``x`` column holds northings and
        ``y`` eastings (the Swedish survey convention) is read so, with a note.
    stairwell_tolerance_m
        Clients whose points lie within this distance (directly or through a chain, see
        :func:`cluster_points`) share a stairwell; each client is placed at its stairwell's
        point, the mean of its clients' points.
    building_tolerance_m
        Stairwells within this distance form one building (>= ``stairwell_tolerance_m``).
    pseudonymise
        Replace client ids by :func:`pseudonym` (default). ``False`` keeps them.
    salt
        Secret key of the pseudonyms. Default: this machine's secret salt, generated once and
        kept in a file apart from the outputs (:func:`local_salt`; a note says where). It is
        never written to the scenario.
    keep_columns
        Columns beyond the ones above to keep (e.g. a district code); a kept column whose
        values look like personnummer is refused (InputError). All others are dropped with a
        :class:`~hemopt.errors.DroppedColumnWarning` naming them, as they may hold personal
        data (names, personnummer).
    boundary_buffer_m
        Buffer of the default boundary, in metres.
    name
        The scenario's name.

    Returns
    -------
    Scenario
        With ``meta["import"]`` recording the tolerances, whether ids were pseudonymised
        (not the salt) and ``notes``: what was dropped, converted or assumed.

    Raises
    ------
    ScenarioError
        For a bad row or file, naming the file, the line (the header is line 1), the
        column and the value; for a DataFrame the table and the index label.
    InputError
        For a bad parameter (a negative tolerance, an empty salt).

    Examples
    --------
    >>> import pandas as pd
    >>> from hemopt.tables import scenario_from_tables
    >>> clients = pd.DataFrame({
    ...     "client_id": ["K-101", "K-102", "K-103"],
    ...     "name": ["A. Andersson", "B. Berg", "C. Carlsson"],
    ...     "x": [615400.0, 615402.0, 615900.0], "y": [6583800.0, 6583800.0, 6583800.0],
    ...     "hours_per_week": [3.5, 10, 21], "current_provider": ["M", "E1", ""],
    ...     "ranking": ["M;E1", "E1", ""]})
    >>> providers = pd.DataFrame({
    ...     "provider_id": ["M", "E1"], "kind": ["municipal", "external"],
    ...     "lat": [59.377, 59.380], "lon": [17.031, 17.050]})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     sc = scenario_from_tables(clients, providers, salt="our secret")
    >>> caught[0].category.__name__, caught[0].message.column
    ('DroppedColumnWarning', 'name')
    >>> sc.n_clients, sc.clients["stairwell_id"].nunique()
    (3, 2)
    >>> list(sc.clients["client_id"]), "name" in sc.clients.columns
    (['cb1cb46ed3ced', 'c4913fa27e4c2', 'c0c68e91e240c'], False)
    >>> sc.meta["import"]["notes"]  # doctest: +ELLIPSIS
    ["the clients table: dropped columns hemopt does not use: 'name'; ..."]
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
    cdata, cxy = _clients(csrc, pindex, xy_crs, addr, keep, notes)

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

    pxy = shapely.get_coordinates(pr.geometry.values)
    if boundary is not None:
        bd = _read_boundary(boundary)
        area = Scenario._prepare_boundary(bd, []).geometry.iloc[0]
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
    return Scenario(cl, pr, stairwells=stairwells, buildings=buildings, zones=zo,
                    boundary=bd, name=name, meta=meta)
