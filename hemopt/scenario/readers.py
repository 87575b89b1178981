"""Reading a user's table (CSV, Excel or DataFrame) row by row for :mod:`hemopt.tables`: the
accepted column names, cells as numbers, ids, coordinates and addresses, and errors naming
file, line, column and value.
"""

from __future__ import annotations

import csv
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
import shapely

from hemopt.errors import ScenarioError
from hemopt.scenario.schema import CRS, SWEDEN_LATLON, SWEDEN_SWEREF

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
# digits grouped by three with spaces (Swedish: a space, no-break or thin space), optionally
# with decimals: "615 400", "1 000,5"; and the English "1,000.5" (a point makes it certain)
_SPACE_GROUPS = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f\u2009]\d{3})+([.,]\d+)?$")
_COMMA_GROUPS_POINT = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$")
# "1,000": a thousands separator (1000) or a decimal comma (1.0)?
_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")


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
    delimiter: str | None = None  # a CSV file's separator

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
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(raw) > 3 and raw[1:4:2] == b"\0\0"):
        # UTF-16: Excel's "Unicode text" export (tab-separated), with or without a BOM
        try:
            text = raw.decode("utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff")
                              else "utf-16-le")
        except UnicodeDecodeError as exc:
            raise ScenarioError(f"looks like UTF-16 text but does not decode: {exc}",
                                table=table, file=shown) from exc
    else:
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
                hint_text = _title_hint(header, header_line) or hint_text
                raise ScenarioError(
                    f"{len(record)} cells but the header has {len(header)}{hint_text}",
                    table=table, file=shown, line=line)
            record = record[:len(header)]
        rows.append(record + [""] * (len(header) - len(record)))
        lines.append(line)
    if header is None:
        raise ScenarioError("the file is empty: expected a header line and one row per "
                            f"{_ROW.get(table, 'row')}", table=table, file=shown, line=1)
    joined = [ln for ln, r in zip(lines, rows, strict=True) if any("\n" in c for c in r)]
    if joined and text.count('"') % 2:  # quotes pair up ("" in a quoted cell is two)
        raise ScenarioError(f"an unclosed quote ('\"'): the cell that starts on line "
                            f"{joined[0]} runs on over the lines below; close the quote or "
                            "remove it", table=table, file=shown, line=joined[0])
    return _Source(table, shown, header, rows, lines=lines, notes=notes,
                   header_line=header_line, delimiter=delimiter)


def _title_hint(header: Sequence[Any], header_line: int) -> str:
    """A hint when the "header" is one cell: a title above the table."""
    if sum(not _blank(c) for c in header) > 1:
        return ""
    return (f" (line {header_line}, taken as the header, has one cell: a title? the header "
            "must be the first non-empty line; delete the lines above it)")


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
    sheet = next((names[n] for n in _SHEET_NAMES.get(table, (table,)) if n in names),
                 wb.sheetnames[0])
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
                raise ScenarioError("a cell right of the last header column is not empty"
                                    f"{_title_hint(header, header_line)}", table=table,
                                    file=shown, line=line, value=extra[0])
            cells = cells[:len(header)]
        rows.append(cells + [None] * (len(header) - len(cells)))
        lines.append(line)
    wb.close()
    if header is not None:
        _check_sheet(ws, table, shown, path, sheet, header_line, lines, header, rows)
    if header is None:
        raise ScenarioError("the sheet is empty: expected a header row and one row per "
                            f"{_ROW.get(table, 'row')}", table=table, file=shown, line=1)
    return _Source(table, shown, header, rows, lines=lines, header_line=header_line)


def _check_sheet(ws: Any, table: str, shown: str, path: Path, sheet: str, header_line: int,
                 lines: list[int], header: list[str], rows: list[list[Any]]) -> None:
    """Refuse what a sheet shows otherwise than it holds: rows hidden (a filter: hemopt
    would read the rows the user filtered out), merged cells (only the first holds the
    value) and formulas whose value was never saved (a workbook written by a program)."""
    from openpyxl.utils import get_column_letter

    hidden = [ln for ln in lines if ws.row_dimensions[ln].hidden]
    if hidden:
        shown_lines = ", ".join(map(str, hidden[:10])) + (", ..." if len(hidden) > 10 else "")
        raise ScenarioError(
            f"{len(hidden)} hidden row(s) (a filter?) on line(s) {shown_lines}: hemopt reads "
            "every row, hidden or not; delete the rows you do not mean, or show them",
            table=table, file=shown, line=hidden[0])
    for rng in ws.merged_cells.ranges:
        if rng.max_row >= header_line:
            raise ScenarioError(
                f"merged cells {rng.coord}: only the first of them holds the value; unmerge "
                "them and give every row its own value", table=table, file=shown,
                line=max(rng.min_row, header_line))
    if not any(c is None for r in rows for c in r):
        return  # a formula without a saved value reads as None
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        wanted = set(lines)
        for line, record in enumerate(wb[sheet].iter_rows(min_row=1, max_col=len(header),
                                                          values_only=True), start=1):
            if line not in wanted:
                continue
            for col, v in enumerate(record, start=1):
                if isinstance(v, str) and v.startswith("=") and ws.cell(line, col).value is None:
                    raise ScenarioError(
                        f"cell {get_column_letter(col)}{line} holds a formula whose value was "
                        "never saved (the workbook was written by a program): open it in "
                        "Excel or LibreOffice and save it, or paste the values",
                        table=table, file=shown, line=line, field=header[col - 1], value=v)
    finally:
        wb.close()


def _cell_text(v: Any) -> str:
    """A raw cell as the text a CSV would hold: blank for empty, ``30`` for an Excel 30.0,
    ``07:30:00`` for an Excel time."""
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_table(data: Any, table: str) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV or Excel table as text, the way the client lists are read.

    The delimiter is sniffed (comma, semicolon or tab; Excel's ``sep=;`` line is honoured),
    a file that is not UTF-8 is read as Windows-1252 (Excel's Swedish default), a UTF-8 byte
    order mark is dropped, and ``.xlsx`` workbooks are read with openpyxl. Every cell comes
    back as text (blank for empty), so callers parse numbers and times themselves.

    Parameters
    ----------
    data
        A path (``.csv``, ``.txt``, ``.tsv``, ``.xlsx``, ``.xlsm``) or a DataFrame.
    table
        The table's name, used in messages (``"visits"``, ``"staff"``, ...).

    Returns
    -------
    (frame, notes)
        The table as a DataFrame of strings, and notes on how it was read.

    Raises
    ------
    ScenarioError
        When the file does not exist, is empty or has cells right of its header.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "visits.csv"
    >>> _ = p.write_text("visit;duration\\nv1;30\\n", encoding="cp1252")
    >>> frame, notes = read_table(p, "visits")
    >>> frame.to_dict("records")
    [{'visit': 'v1', 'duration': '30'}]
    """
    src = _read(table, data)
    cols = [str(c).strip().lstrip("\ufeff") for c in src.columns]
    frame = pd.DataFrame([[_cell_text(v) for v in row] for row in src.rows], columns=cols,
                         dtype=object)
    if not len(src.rows):
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return frame, list(src.notes)


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
        present = [a for a in dict.fromkeys(aliases)
                   if a in seen and seen[a] not in out.values()]
        if len(present) > 1:  # which one holds the values? not for hemopt to guess
            names = [src.columns[seen[a]] for a in present]
            raise src.error(None, names[1], f"columns {names[0]!r} and {names[1]!r} both "
                            f"give {canon!r}: keep one of them (or rename the other)")
        if present:
            out[canon] = seen[present[0]]
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
    read as one. Accepts a decimal comma (``3,5``), spaces (plain, no-break or thin)
    between groups of three digits as thousands separators (``615 400``, ``1 000,5``), and
    commas as thousands separators when a decimal point follows (``1,000.5``); text ``nan``
    reads as NaN, which callers refuse. One reader for the client lists and route-plan's
    tables.

    >>> cell_float("3,5"), cell_float("1\u00a0200"), cell_float(2)
    (3.5, 1200.0, 2.0)
    >>> cell_float("6 583 800"), cell_float("1 000,5"), cell_float("1,000.5")
    (6583800.0, 1000.5, 1000.5)
    >>> cell_float("ten"), cell_float(True)
    (None, None)
    """
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    s = str(v).strip()
    if _SPACE_GROUPS.match(s):
        s = re.sub(r"[ \u00a0\u202f\u2009]", "", s)
    elif _COMMA_GROUPS_POINT.match(s):
        s = s.replace(",", "")
    s = s.replace("\u00a0", "")
    if _DECIMAL_COMMA.match(s):
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def _number(src: _Source, i: int, column: str, v: Any) -> float:
    """A cell as a float; blank is NaN. Accepts a decimal comma (``3,5``), except that
    ``1,000`` (groups of three digits after commas) is refused as ambiguous outside a
    ``;``- or tab-separated file, where only a decimal comma is usual."""
    if _blank(v):
        return math.nan
    if (isinstance(v, str) and src.delimiter not in (";", "\t")
            and _COMMA_THOUSANDS.match(v.strip())):
        t = v.strip()
        other = f" or {t.replace(',', '.')}" if t.count(",") == 1 else ""
        raise src.error(i, column, "ambiguous number: a thousands separator or a decimal "
                        f"comma? write {t.replace(',', '')}{other} (a point for decimals, "
                        "no thousands separator)", v)
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


#: Ids that name a spreadsheet's total row, not a client or provider (lower case, without a
#: trailing colon).
_TOTAL_WORDS = frozenset({"summa", "summa totalt", "totalsumma", "totalt", "total", "totals",
                          "grand total", "sum", "s:a", "summering"})


def _unique_ids(src: _Source, column: str, ids: Sequence[str], what: str) -> None:
    first: dict[str, int] = {}
    for i, v in enumerate(ids):
        if v == "":
            raise src.error(i, column, f"missing {what}", None)
        if v.lower().rstrip(":").strip() in _TOTAL_WORDS:
            raise src.error(i, column, f"looks like a total row, not a {what.split()[0]}: "
                            "delete the row (it would count as one more, with the sum of the "
                            "others' hours)", v)
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
                                f"{label} must be {lo:,.0f}–{hi:,.0f} m"
                                f"{_degrees_hint(raw[i], name, raw[rows])}",
                                src.rows[i][src.columns.index(name[col])])


def _degrees_hint(xy: np.ndarray, name: Mapping[str, str], every: np.ndarray) -> str:
    """A hint when x and y look like WGS84 degrees (either order) or kilometres, or when
    ``every`` row (not one typo) looks like RT 90."""
    (lat_lo, lat_hi), (lon_lo, lon_hi) = SWEDEN_LATLON
    x, y = float(xy[0]), float(xy[1])
    if (lon_lo <= x <= lon_hi and lat_lo <= y <= lat_hi) or (lat_lo <= x <= lat_hi
                                                          and lon_lo <= y <= lon_hi):
        return (f" ({name['x']!r} and {name['y']!r} look like WGS84 degrees: give them as "
                "columns lat and lon instead)")
    (elo, ehi), (nlo, nhi) = SWEDEN_SWEREF
    if elo / 1e3 <= x <= ehi / 1e3 and nlo / 1e3 <= y <= nhi / 1e3:
        return " (kilometres? give SWEREF 99 TM in metres)"
    ex, ny = every[:, 0], every[:, 1]
    rt90 = ((ex >= 1_200_000) & (ex <= 1_900_000) & (ny >= nlo) & (ny <= nhi)).all() or (
        (ex >= nlo) & (ex <= nhi) & (ny >= 1_200_000) & (ny <= 1_900_000)).all()
    if rt90:
        return (" (RT 90, the older Swedish grid? give its CRS: --crs EPSG:3021, "
                "xy_crs='EPSG:3021')")
    return ""


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
