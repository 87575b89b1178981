"""Results out to Excel: one formatted sheet per table (openpyxl).

Councils work in Excel, so every result that has tables can be written as a workbook:
:func:`write_excel` (a :class:`~hemopt.compare.Comparison` or a
:class:`~hemopt.ranges.SeedComparison`), a sweep's results
(:func:`sweep_to_excel`), and any other set of tables through the generic
:func:`write_workbook` (the sensitivity results use it).

Each sheet has a bold, frozen header row, widths fitted to the content, and number formats
chosen per column (thousands separators; decimals only where the values have them). The
cells hold the numbers themselves, not text, so they can be summed and charted. A text cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading apostrophe (shown as text, never run as a formula: CSV/formula injection; the rule of
:func:`hemopt._io.neutralise_cell`); numbers, and text that is a plain number, are unchanged.

Examples
--------
>>> import pandas as pd, tempfile, openpyxl
>>> from pathlib import Path
>>> from hemopt.viz.excel import write_workbook
>>> t = pd.DataFrame({"regime": ["LOV", "=1+1"], "km": [4132.5, 2994.0]})
>>> p = write_workbook(Path(tempfile.mkdtemp()) / "t.xlsx", {"KPIs": t})
>>> ws = openpyxl.load_workbook(p)["KPIs"]
>>> ws["A3"].value, ws["B2"].value, ws["B2"].number_format, ws.freeze_panes
("'=1+1", 4132.5, '#,##0.0', 'A2')
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hemopt.errors import InputError
from hemopt.i18n import language
from hemopt.i18n import t as _t

if TYPE_CHECKING:
    from hemopt.compare import Comparison
    from hemopt.ranges import SeedComparison

__all__ = ["comparison_sheets", "seeds_sheets", "sensitivity_sheets", "sweep_to_excel",
           "write_comparison", "write_excel", "write_gpkg", "write_seeds", "write_workbook"]

logger = logging.getLogger(__name__)

_MAX_WIDTH = 60
_NA = "–"  # an undefined number, as hemopt.kpis.format_value shows it


def _safe_text(v: str) -> str:
    """A text cell that Excel would read as a formula gets a leading apostrophe (the one rule
    of :func:`hemopt._io.neutralise_cell`, shared with the CSV writers)."""
    from hemopt._io import neutralise_cell

    return neutralise_cell(v)


def _cell(v: Any) -> Any:
    """A value openpyxl can write: numbers as numbers, a missing or undefined number (NaN:
    e.g. "first choice met" when no client chose) as ``–`` (as in the report and the CLI;
    an empty cell would read as 0 in a sum), text neutralised, anything else (lists,
    dicts) as JSON text; an infinite number (an unbounded capacity) as ``inf``."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        x = float(v)
        if math.isnan(x):
            return _NA
        return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")  # inf: no limit
    if isinstance(v, str):
        return _safe_text(v)
    if isinstance(v, (list, tuple, dict)):
        return _safe_text(json.dumps(v, ensure_ascii=False, default=str))
    return _safe_text(str(v))


def _number_format(values: pd.Series) -> str | None:
    """``#,##0`` for whole numbers, ``#,##0.0``/``0.00``/``0.000`` by the size of the
    values, or None for a column that is not numeric."""
    if values.dtype == bool or not pd.api.types.is_numeric_dtype(values):
        return None
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    x = x[np.isfinite(x)]
    if not len(x) or np.all(x == np.round(x)):
        return "#,##0"
    big = float(np.nanmax(np.abs(x)))
    if big >= 100:
        return "#,##0.0"
    if big >= 1:
        return "#,##0.00"
    return "0.000"


def write_workbook(path: str | Path, sheets: Mapping[str, pd.DataFrame], *,
                   index: bool = False) -> Path:
    """Write ``sheets`` (sheet name → table) to one Excel workbook, formatted.

    Parameters
    ----------
    path
        The ``.xlsx`` file (its folder is created; written whole or not at all).
    sheets
        Tables in sheet order. Names are at most 31 characters (Excel's limit) and unique.
    index
        Write each table's index as its first columns.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        A sheet name too long, empty or with a character Excel refuses.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        if not name or len(name) > 31 or any(c in name for c in "[]:*?/\\"):
            raise InputError(f"sheet name {name!r}: 1 to 31 characters, none of []:*?/\\")
        df = df.reset_index() if index else df
        ws = wb.create_sheet(name)
        cols = [str(c) for c in df.columns]
        ws.append([_cell(c) for c in cols])
        for row in df.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
        head_font, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F2")
        for k, c in enumerate(cols, start=1):
            cell = ws.cell(row=1, column=k)
            cell.font, cell.fill = head_font, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            fmt = _number_format(df.iloc[:, k - 1]) if len(df) else None
            texts = [c] + [str(v) for v in df.iloc[:, k - 1].head(500)]
            if fmt is not None:
                for r in range(2, len(df) + 2):
                    ws.cell(row=r, column=k).number_format = fmt
                texts = [c] + [f"{v:,.2f}" for v in
                               pd.to_numeric(df.iloc[:, k - 1].head(500), errors="coerce")
                               .fillna(0)]
            width = min(max(len(s) for s in texts) + 2, _MAX_WIDTH)
            ws.column_dimensions[get_column_letter(k)].width = max(width, 8)
        ws.freeze_panes = "A2"
        if len(cols):
            ws.auto_filter.ref = ws.dimensions
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    logger.info("wrote %d sheets (%s) to %s", len(sheets), ", ".join(sheets), path)
    return path


# ------------------------------------------------------------------------ tables of results
def _kpi_rows(values: pd.DataFrame) -> pd.DataFrame:
    """KPIs as rows (key, measure, unit), regimes as columns."""
    from hemopt.viz.format import MEASURES, _measure

    keys = [k for k in values.columns if pd.api.types.is_numeric_dtype(values[k])]
    keys.sort(key=lambda k: (k not in MEASURES, list(MEASURES).index(k) if k in MEASURES
                             else 0))
    out = pd.DataFrame({"key": keys,
                        _t("Measure"): [_measure(k).label for k in keys],
                        "unit": [_measure(k).unit for k in keys]})
    for regime in values.index:
        out[str(regime)] = [values.at[regime, k] for k in keys]
    return out


def _providers(comp: Comparison) -> pd.DataFrame:
    frames = [f.assign(regime=n) for n, f in comp.provider_tables.items()]
    if not frames:
        return pd.DataFrame()
    t = pd.concat(frames, ignore_index=True)
    return t[["regime", *[c for c in t.columns if c != "regime"]]]


def _transitions(comp: Comparison) -> pd.DataFrame:
    rows = [{"regime": n, **tr} for n, tr in comp.transitions.items()]
    return pd.DataFrame(rows)


def _flatten(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out += _flatten(v, key + ".")
        else:
            out.append((key, v))
    return out


def _settings(comp: Comparison) -> pd.DataFrame:
    meta = {k: v for k, v in comp.scenario.meta.items() if k != "deso_expected_clients"}
    rows = [("scenario", comp.scenario.name), ("seed", comp.seed),
            *_flatten(meta, "scenario."), *_flatten(comp.to_dict()["parameters"])]
    t = pd.DataFrame(rows, columns=["setting", "value"]).astype({"value": object})
    return t.drop_duplicates("setting", keep="first").reset_index(drop=True)


def comparison_sheets(comp: Comparison) -> dict[str, pd.DataFrame]:
    """The tables of one comparison: ``KPIs`` (one row per measure, one column per regime,
    the values of ``comparison.json``), ``Providers``, ``Transitions``, ``Settings``, and
    ``Bids`` when a regime procures (:meth:`~hemopt.compare.Comparison.bids`)."""
    from hemopt.viz.format import _values

    sheets = {"KPIs": _kpi_rows(_values(comp)), "Providers": _providers(comp),
              "Transitions": _transitions(comp), "Settings": _settings(comp)}
    bids = comp.bids()
    if len(bids):  # a regime procures: its bids and their evaluation
        sheets["Bids"] = bids
    return sheets


def seeds_sheets(seeds: SeedComparison) -> dict[str, pd.DataFrame]:
    """The tables of a comparison over seeds: ``KPIs`` (one row per seed and regime),
    ``Intervals`` (median, range and paired difference to LOV per regime and KPI),
    ``Steps`` (the decomposition of each difference, mean and range over seeds), and the
    headline seed's ``Providers``, ``Transitions`` and ``Settings``."""
    from hemopt.viz.format import seed_intervals

    per_seed = seeds.per_seed
    num = [c for c in per_seed.columns if pd.api.types.is_numeric_dtype(per_seed[c])]
    ref = "LOV" if "LOV" in per_seed.index.get_level_values("regime") else \
        str(per_seed.index.get_level_values("regime")[0])
    iv = seed_intervals(seeds, num, ref).reset_index()
    dec = seeds.decomposition
    steps = seeds.decomposition_summary() if dec is not None and not dec.empty else \
        pd.DataFrame(columns=["regime", "step"])
    head = comparison_sheets(seeds.headline)
    settings = head["Settings"]
    settings = pd.concat([pd.DataFrame({"setting": ["seeds", "headline_seed"],
                                        "value": [", ".join(map(str, seeds.seeds)),
                                                  seeds.headline_seed]}), settings],
                         ignore_index=True)
    out = {"KPIs": per_seed.reset_index(), "Intervals": iv, "Steps": steps,
           "Providers": head["Providers"], "Transitions": head["Transitions"],
           "Settings": settings}
    if "Bids" in head:
        out["Bids"] = head["Bids"]
    return out


def sensitivity_sheets(sensitivity: Any) -> dict[str, pd.DataFrame]:
    """The tables of a sensitivity result (a :class:`~hemopt.sensitivity.SensitivityResult`
    or its JSON document): ``Summary`` (per headline difference: the value at the defaults,
    P5, median, P95, the share of points where the sign holds, the two largest drivers),
    ``Indices`` (one row per difference and assumption), ``Ranking``, ``Assumptions`` (with
    the range varied; the ones not varied with the reason), ``Points`` (each point's
    assumptions and differences) and ``Run`` (method, runs, seeds, scale)."""
    from hemopt.sensitivity import document

    doc = document(sensitivity)
    score = "mu_star" if doc["method"] == "morris" else "ST"
    rows, ix = [], []
    for out, r in doc["outputs"].items():
        recs = sorted(r["indices"], key=lambda x: -(x.get(score) if x.get(score) is not None
                                                    else -math.inf))
        rows.append({"difference": out, **{k: r.get(k) for k in (
            "unit", "baseline", "p5", "median", "p95", "p_sign", "n")},
            "drivers": ", ".join(str(x["assumption"]) for x in recs[:2]
                                 if (x.get(score) or 0) > 1e-12)})
        ix += [{"difference": out, **x} for x in recs]
    varied = [{"assumption": a["name"], "varied": True, "reason": "",
               **{k: v for k, v in a.items() if k != "name"}} for a in doc["assumptions"]]
    skipped = [{"assumption": k, "varied": False, "reason": v}
               for k, v in doc["skipped"].items()]
    p = doc["parameters"]
    run = [("method", doc["method"]), ("preset", doc["preset"]), ("runs", doc["runs"]),
           ("runtime_s", doc.get("runtime_s")),
           *((k, ", ".join(map(str, v)) if isinstance(v, list) else v)
             for k, v in p.items() if k != "settings"), ("failures", len(doc.get("failures")
                                                                         or []))]
    sheets = {"Summary": pd.DataFrame(rows), "Indices": pd.DataFrame(ix),
              "Ranking": pd.DataFrame({"assumption": list(doc.get("ranking", {})),
                                       "ranking": list(doc.get("ranking", {}).values())}),
              "Assumptions": pd.DataFrame(varied + skipped).astype(object),
              "Run": pd.DataFrame(run, columns=["setting", "value"]).astype({"value": object})}
    if doc.get("design") and doc.get("values"):
        sheets["Points"] = pd.concat([pd.DataFrame(doc["design"]),
                                      pd.DataFrame(doc["values"])], axis=1)
    return sheets


def write_excel(result: Comparison | SeedComparison, path: str | Path, *,
                lang: str = "en") -> Path:
    """The tables of a comparison in one Excel workbook, one formatted sheet each.

    Parameters
    ----------
    result
        A :class:`~hemopt.compare.Comparison` (sheets: KPIs, providers, transitions,
        settings; :func:`comparison_sheets`) or a :class:`~hemopt.ranges.SeedComparison`
        (also the KPIs per seed, the intervals and the decomposition; :func:`seeds_sheets`).
    path
        The workbook to write (``.xlsx``).
    lang
        ``"en"`` or ``"sv"``: the language of the measure names.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import hemopt, tempfile, openpyxl
    >>> from pathlib import Path
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV()], max_iterations=20, continuity=False)
    >>> p = write_excel(comp, Path(tempfile.mkdtemp()) / "c.xlsx")
    >>> openpyxl.load_workbook(p).sheetnames[0]
    'KPIs'
    """
    from hemopt.ranges import SeedComparison

    if isinstance(result, SeedComparison):
        return write_seeds(result, path, lang=lang)
    return write_comparison(result, path, lang=lang)


def write_comparison(comp: Comparison, path: str | Path, *, lang: str = "en") -> Path:
    """Write :func:`comparison_sheets` to ``path`` (``lang``: the language of the measure
    names)."""
    with language(lang):
        return write_workbook(path, comparison_sheets(comp))


def write_seeds(seeds: SeedComparison, path: str | Path, *, lang: str = "en") -> Path:
    """Write :func:`seeds_sheets` to ``path``."""
    with language(lang):
        return write_workbook(path, seeds_sheets(seeds))


def sweep_to_excel(results: pd.DataFrame, path: str | Path, *,
                   by: str | None = None) -> Path:
    """A sweep's results (:func:`hemopt.sweep.sweep`) as a workbook: ``Results`` (one row
    per scenario, regime and seed) and, with ``by`` (a grid column), ``Summary``: the mean,
    min and max of every numeric KPI per value of ``by`` and regime.

    Examples
    --------
    >>> import pandas as pd, tempfile, openpyxl
    >>> from pathlib import Path
    >>> df = pd.DataFrame({"scale": [0.1, 0.1, 0.2], "regime": ["LOV", "LOV", "LOV"],
    ...                    "seed": [1, 2, 1], "driven_km_per_day": [10.0, 14.0, 30.0]})
    >>> p = sweep_to_excel(df, Path(tempfile.mkdtemp()) / "s.xlsx", by="scale")
    >>> openpyxl.load_workbook(p).sheetnames
    ['Results', 'Summary']
    """
    sheets = {"Results": results.reset_index(drop=True)}
    if by is not None:
        if by not in results.columns:
            raise InputError(f"by={by!r} is not a column of the results "
                             f"({', '.join(map(str, results.columns))})")
        keys = [by, "regime"] if "regime" in results.columns and by != "regime" else [by]
        num = [c for c in results.columns if c not in (*keys, "seed")
               and pd.api.types.is_numeric_dtype(results[c])]
        g = results.groupby(keys, sort=True)[num].agg(["mean", "min", "max"])
        g.columns = [f"{k}_{s}" for k, s in g.columns]
        sheets["Summary"] = g.reset_index()
    return write_workbook(path, sheets)


def write_gpkg(comp: Comparison, path: str | Path) -> Path:
    """Every regime's assignment as a layer ``assignment_<regime>`` (clients as points with
    their provider, EPSG:3006), with the areas (``zones``) and the boundary, in one
    GeoPackage. An existing file is replaced (written to a temporary file first).

    Examples
    --------
    >>> import hemopt, tempfile, pyogrio
    >>> from pathlib import Path
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], max_iterations=20,
    ...                       continuity=False)
    >>> p = write_gpkg(comp, Path(tempfile.mkdtemp()) / "a.gpkg")
    >>> sorted(name for name, _ in pyogrio.list_layers(p))
    ['assignment_lov', 'assignment_zoning', 'boundary', 'zones']
    """
    import pyogrio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.gpkg")
    tmp.unlink(missing_ok=True)
    try:
        for name, a in comp.assignments.items():
            gdf = a.to_gdf()
            for c in gdf.columns:
                if c != "geometry" and gdf[c].dtype == object:
                    gdf[c] = gdf[c].astype(str)
            pyogrio.write_dataframe(gdf, tmp, layer=f"assignment_{str(name).lower()}",
                                    driver="GPKG")
        sc = comp.scenario
        if sc.zones is not None and len(sc.zones):
            pyogrio.write_dataframe(sc.zones, tmp, layer="zones", driver="GPKG")
        pyogrio.write_dataframe(sc.boundary, tmp, layer="boundary", driver="GPKG")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
