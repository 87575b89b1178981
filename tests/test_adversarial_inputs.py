"""Adversarial client and provider lists: what a municipality's own export may hold.

Each case is refused with a :class:`hemopt.ScenarioError` (or ``InputError``) whose message
names the file or table, the line or row, the column and the value, and what to do; or it is
read to the right values. The rules are on ``docs/refuses.md`` (ids ``test_rule_<id>``).
"""

from __future__ import annotations

import copy
import math
import re
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hemopt
from hemopt import InputError, ScenarioError
from hemopt.cli import main
from hemopt.tables import cell_float

PROVIDERS = pd.DataFrame([
    {"provider_id": "M", "name": "Kommunen", "kind": "municipal", "x": 615380, "y": 6583650},
    {"provider_id": "E1", "name": "Omsorg AB", "kind": "external", "x": 614950, "y": 6584210},
])
HEADER = ["client_id", "x", "y", "hours_per_week"]
ROWS = [["a", 615400, 6583800, 3], ["b", 615450, 6583820, 4], ["c", 615500, 6583840, 5]]


def _clients(n: int = 3, **columns) -> pd.DataFrame:
    df = pd.DataFrame({"client_id": [f"K{i}" for i in range(n)],
                       "x": [615400.0 + 40 * i for i in range(n)],
                       "y": [6583800.0 + 20 * i for i in range(n)],
                       "hours_per_week": [3.0 + i for i in range(n)]})
    for k, v in columns.items():
        df[k] = v
    return df


def _read(clients, providers=PROVIDERS, **kw) -> hemopt.Scenario:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notes on dropped columns, isolated points
        return hemopt.Scenario.from_tables(clients, providers, salt="test salt", **kw)


def _csv(tmp_path: Path, text: str, name: str = "clients.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _workbook(tmp_path: Path, rows, setup=None, name: str = "clients.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if setup is not None:
        setup(wb, ws)
    p = tmp_path / name
    wb.save(p)
    return p


def _refused(fn, *names: str, kind=ScenarioError) -> str:
    with pytest.raises(kind) as exc:
        fn()
    msg = str(exc.value)
    for name in names:
        assert name in msg, (name, msg)
    assert "Traceback" not in msg
    return msg


# ------------------------------------------------------------------ numbers as exported
@pytest.mark.parametrize(("text", "value"), [
    ("615 400", 615400.0),                 # a space between groups of three
    ("6\u00a0583\u00a0800", 6583800.0),    # no-break spaces (Excel's Swedish format)
    ("6\u202f583\u202f800", 6583800.0),    # narrow no-break spaces
    ("1 000,5", 1000.5),                   # Swedish: space groups and a decimal comma
    ("1,000.5", 1000.5),                   # English: comma groups and a decimal point
    ("3,5", 3.5),
    ("-2,25", -2.25),
    ("12 34", None),                       # not groups of three: not a number
    ("1 0000", None),
])
def test_rule_thousands_separator_reads(text, value):
    assert cell_float(text) == value


def test_rule_thousands_separator(tmp_path):
    # ';'-separated (Swedish Excel): spaces group thousands, the comma is decimal
    p = _csv(tmp_path, "client_id;x;y;hours_per_week;visits_per_day\n"
             "a;615 400;6 583 800;12,5;1,000\n")
    sc = _read(p)
    assert sc.clients["hours_per_week"].tolist() == [12.5]
    assert sc.clients["visits_per_day"].tolist() == [1.0]  # decimal comma in a ';' file
    x, y = sc.client_xy()[0]
    assert abs(x - 615400) < 1 and abs(y - 6583800) < 1
    # ','-separated: "1,000" is 1000 to an English export and 1.0 to a Swedish one
    p = _csv(tmp_path, 'client_id,x,y,hours_per_week\na,615400,6583800,3\n'
             'b,615410,6583800,"1,000"\n')
    msg = _refused(lambda: _read(p), "clients.csv", "line 3", "'hours_per_week'", "'1,000'",
                   "ambiguous", "1000 or 1.000")
    # a capacity of "1,500" hours would otherwise have been read as 1.5 hours
    prov = PROVIDERS.assign(capacity_hours=["", "1,500"])
    msg = _refused(lambda: _read(_clients(), prov), "capacity_hours", "'1,500'", "ambiguous")
    assert "row 1" in msg
    # several groups: only the thousands reading is offered
    msg = _refused(lambda: _read(_clients(hours_per_week="1,000,000")), "1000000")
    assert "1.000" not in msg


# ------------------------------------------------------------------ rows that are not clients
@pytest.mark.parametrize("word", ["Summa", "Totalt", "TOTAL", "summa:", "Grand total", "S:a"])
def test_rule_total_row(tmp_path, word):
    rows = [*ROWS, [word, 615400, 6583800, 12]]  # with a point, it was read as a client
    p = _workbook(tmp_path, [HEADER, *rows])
    _refused(lambda: _read(p), "clients.xlsx", "line 5", "'client_id'", repr(word),
             "total row", "delete the row")
    # in a provider list too, and in a CSV
    prov = pd.concat([PROVIDERS, pd.DataFrame([{"provider_id": word, "kind": "external",
                                                "x": 615000, "y": 6584000}])])
    _refused(lambda: _read(_clients(), prov.reset_index(drop=True)), "'provider_id'",
             "total row", "row 2")


def test_total_word_inside_an_id_is_an_id():
    sc = _read(_clients(2, client_id=["Summarum 1", "Total-care 2"]))
    assert sc.n_clients == 2


def test_rule_title_line(tmp_path):
    p = _csv(tmp_path, "Brukarlista 2024-05-01\n\nclient_id,x,y,hours_per_week\n"
             "a,615400,6583800,3\n")
    msg = _refused(lambda: _read(p), "clients.csv", "line 3", "line 1", "title",
                   "delete the lines above it")
    assert "decimal comma" not in msg  # the hint that fits, not a wrong one
    p = _workbook(tmp_path, [["Brukarlista"], [], HEADER, *ROWS])
    _refused(lambda: _read(p), "clients.xlsx", "line 3", "line 1", "title")


# ------------------------------------------------------------------ Excel shows what it holds
def test_rule_excel_hidden_rows(tmp_path):
    def hide(wb, ws):
        ws.row_dimensions[3].hidden = True  # what a filter does
    p = _workbook(tmp_path, [HEADER, *ROWS], hide)
    _refused(lambda: _read(p), "clients.xlsx", "line 3", "hidden row", "filter",
             "delete the rows you do not mean, or show them")
    # the same rows shown are read
    assert _read(_workbook(tmp_path, [HEADER, *ROWS], name="shown.xlsx")).n_clients == 3


def test_rule_excel_merged_cells(tmp_path):
    def merge(wb, ws):
        ws.merge_cells("D2:D3")  # one value for two clients
    p = _workbook(tmp_path, [HEADER, *ROWS], merge)
    _refused(lambda: _read(p), "clients.xlsx", "line 2", "merged cells D2:D3", "unmerge")
    # merged (empty) cells above the header are no concern of the data's
    def blank_merge(wb, ws):
        ws.insert_rows(1)
        ws.merge_cells("A1:B1")
    p = _workbook(tmp_path, [HEADER, *ROWS], blank_merge, name="t.xlsx")
    assert _read(p).clients["hours_per_week"].tolist() == [3.0, 4.0, 5.0]


def test_rule_excel_formula_unsaved(tmp_path):
    # openpyxl (like pandas) writes formulas without their values; Excel would compute them
    rows = [*ROWS, ["d", 615400, 6583800, "=D2+D3"]]
    p = _workbook(tmp_path, [HEADER, *rows])
    _refused(lambda: _read(p), "clients.xlsx", "line 5", "'hours_per_week'", "D5",
             "'=D2+D3'", "formula whose value was never saved", "save it")


@pytest.mark.parametrize(("rows", "names"), [
    ([["a", 615400, 6583800, "#N/A"]], ["line 2", "'hours_per_week'", "#N/A"]),
    ([["a", 615400, 6583800, None]], ["line 2", "'hours_per_week'", "missing value"]),
    ([[None, 615400, 6583800, 3]], ["line 2", "'client_id'", "missing client id"]),
    ([[7, 615400, 6583800, 3], ["7", 615410, 6583800, 3]],
     ["line 3", "duplicate client id", "'7'"]),
])
def test_excel_cells(tmp_path, rows, names):
    _refused(lambda: _read(_workbook(tmp_path, [HEADER, *rows])), "clients.xlsx", *names)


def test_excel_ids_keep_leading_zeros(tmp_path):
    # 7 (a number) and "007" (text) are different ids; both are kept as they are
    p = _workbook(tmp_path, [HEADER, [7, 615400, 6583800, 3], ["007", 615410, 6583800, 4]])
    sc = _read(p, pseudonymise=False)
    assert sorted(sc.clients["client_id"]) == ["007", "7"]


# ------------------------------------------------------------------ zoning at the edges
@pytest.mark.parametrize("n", [1, 2, 40])
def test_rule_zoning_few_stairwells(n):
    # n clients at one address: one stairwell, so at most one zone can be designed
    sc = _read(_clients(n, x=615400.0, y=6583800.0))
    assert sc.clients["stairwell_id"].nunique() == 1
    a = hemopt.assign(sc, hemopt.Zoning())
    assert (a.clients["provider_id"] != "").all()
    assert a.clients["zone_id"].nunique() == 1
    assert a.providers["clients"].sum() == n
    msg = _refused(lambda: hemopt.assign(sc, hemopt.Zoning(n_zones=2)), "--n-zones", "is 2",
                   "1 stairwell", "at most 1", kind=InputError)
    assert msg


def test_zoning_cli_on_one_client(tmp_path, capsys):
    gpkg = _read(_clients(1)).to_gpkg(tmp_path / "one.gpkg")
    code = main(["-q", "assign", "--scenario", str(gpkg), "--regime", "zoning",
                 "--out", str(tmp_path / "a.gpkg")])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "first choice met" in out.out


# ------------------------------------------------------------------ property: no mutation
_ids = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
               min_size=1, max_size=12).map(str.strip).filter(
                   lambda s: s != "" and not re.search(r"[;,|]", s))


@st.composite
def client_tables(draw):
    n = draw(st.integers(1, 12))
    ids = draw(st.lists(_ids, min_size=n, max_size=n, unique_by=str.strip))
    hours = draw(st.lists(st.floats(0, 60, allow_nan=False), min_size=n, max_size=n))
    ranking = draw(st.lists(st.sampled_from(["", "M", "E1", "E1;M", "M|E1"]), min_size=n,
                            max_size=n))
    current = draw(st.lists(st.sampled_from(["", "M", "E1"]), min_size=n, max_size=n))
    dx = draw(st.lists(st.integers(0, 3000), min_size=n, max_size=n))
    dy = draw(st.lists(st.integers(0, 3000), min_size=n, max_size=n))
    return pd.DataFrame({"client_id": ids, "x": [614000.0 + v for v in dx],
                         "y": [6582000.0 + v for v in dy], "hours_per_week": hours,
                         "ranking": ranking, "current_provider": current})


@st.composite
def provider_tables(draw):
    cap = draw(st.sampled_from([np.inf, 0.0, 1.0, 3.0]))
    cap_m = draw(st.sampled_from([np.inf, 0.0, 2.0]))
    return PROVIDERS.assign(capacity_clients=[cap_m, cap])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(client_tables(), provider_tables(),
       st.sampled_from(["LOV", "Zoning"]))
def test_any_valid_table_conserves_clients_and_hours_and_is_not_mutated(c, p, regime):
    """Any client list that passes validation gives an assignment that serves or queues
    every client exactly once, conserves the hours, gives a share that is NaN exactly when
    it is undefined, and leaves the user's frames as they were."""
    c0, p0 = copy.deepcopy(c), copy.deepcopy(p)
    try:
        sc = _read(c, p)
    except ScenarioError:
        return  # refused with a clear error: fine (e.g. ids equal after trimming)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the municipality's capacity is lifted
        a = hemopt.assign(sc, hemopt.regime_from_name(regime))
        b = hemopt.assign(_read(c, p), hemopt.regime_from_name(regime))
    pd.testing.assert_frame_equal(c, c0)
    pd.testing.assert_frame_equal(p, p0)
    cl = a.clients
    assert len(cl) == len(c) and cl["client_id"].is_unique
    assert (cl["provider_id"] != "").all()  # the municipality takes whoever is left
    assert a.providers["clients"].sum() == len(c)
    assert math.isclose(a.providers["hours_per_week"].sum(), c["hours_per_week"].sum(),
                        rel_tol=1e-9, abs_tol=1e-9)
    s = a.summary()
    assert math.isnan(s["first_choice_pct"]) == (s["choosers"] == 0)
    if s["choosers"]:
        assert 0 <= s["first_choice_pct"] <= 100
    total = float(c["hours_per_week"].sum())
    assert math.isnan(s["external_share_hours"]) == (total == 0)
    assert a.providers["share_hours"].isna().all() == (total == 0)
    # the same inputs give the same figures
    pd.testing.assert_frame_equal(a.clients, b.clients)


# ------------------------------------------------------------------ provider ids and names
@pytest.mark.parametrize(("ids", "names"), [
    (["M", "m"], ["'M' (row 0)", "'m'", "differ only in case"]),
    (["E-1", "E1"], ["'E-1' (row 0)", "'E1'"]),
    (["M", "E 1"], None),  # distinct: read
])
def test_rule_provider_ids_distinct(ids, names):
    prov = PROVIDERS.assign(provider_id=ids)
    if names is None:
        assert _read(_clients(), prov).provider_ids == ids
        return
    _refused(lambda: _read(_clients(), prov), "table 'providers'", "row 1", "'provider_id'",
             *names)


@pytest.mark.parametrize(("column", "given", "names"), [
    ("ranking", "e1", ["'ranking'", "unknown provider 'e1'", "did you mean provider id 'E1'"]),
    ("ranking", "M;omsorg ab", ["did you mean provider id 'E1' (named 'Omsorg AB')"]),
    ("current_provider", "Kommunen", ["'current_provider'",
                                      "did you mean provider id 'M' (named 'Kommunen')"]),
    ("ranking", "X", ["unknown provider 'X'", "(providers: M, E1)"]),
])
def test_rule_provider_named_otherwise(column, given, names):
    msg = _refused(lambda: _read(_clients(**{column: given})), "table 'clients'", "row 0",
                   *names)
    if given == "X":
        assert "did you mean" not in msg


# ------------------------------------------------------------------ generate: nothing cut silently
def test_rule_n_areas_not_cut(tmp_path):
    from hemopt.synth import from_public_data

    data = Path(hemopt.__file__).parent / "data"
    kw = {"coverage_80": 0.16, "seed": 1, "scale": 0.05, "code": "0127"}
    boundary, deso = data / "kommun_0486_0127_sweref99tm.geojson", \
        data / "deso2025_botkyrka_0127.geojson"
    _refused(lambda: from_public_data(boundary, deso, n_areas=500, **kw), "n_areas",
             "[1, 54]", "got 500", kind=InputError)
    sc = from_public_data(boundary, deso, n_areas=4, **kw)  # a choice within the DeSO areas
    assert len(sc.zones) == 4


# ------------------------------------------------------------------ areas (zones) files
def _zones(tmp_path: Path, name: str, ids, boxes, crs=3006) -> Path:
    import geopandas as gpd
    from shapely.geometry import box

    p = tmp_path / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio's note on a missing CRS
        gpd.GeoDataFrame({"zone_id": ids}, geometry=[box(*b) for b in boxes],
                         crs=crs).to_file(p)
    return p


def test_rule_zones_not_a_table(tmp_path):
    table = _csv(tmp_path, "zone_id,x\nA,1\n", "areas.csv")
    _refused(lambda: _read(_clients(), zones=table), "areas.csv", "no geometry",
             "GeoPackage, GeoJSON or Shapefile")
    _refused(lambda: _read(_clients(), boundary=table), "areas.csv", "no geometry")
    text = _csv(tmp_path, "just some notes\n", "notes.txt")
    _refused(lambda: _read(_clients(), zones=text), "notes.txt", "not a geodata file")
    msg = _refused(lambda: _read(_clients(), zones=tmp_path), "not a geodata file")
    assert "DRIVER" not in msg  # GDAL's advice on drivers is cut


def test_rule_zones_overlap(tmp_path):
    whole = (600_000, 6_570_000, 630_000, 6_600_000)
    west, east = (600_000, 6_570_000, 615_000, 6_600_000), (615_000, 6_570_000, 630_000,
                                                             6_600_000)
    ok = _read(_clients(), zones=_zones(tmp_path, "ok.gpkg", ["A", "B"], [west, east]))
    assert sorted(ok.zones["zone_id"]) == ["A", "B"]
    p = _zones(tmp_path, "over.gpkg", ["A", "B"], [whole, east])
    _refused(lambda: _read(_clients(), zones=p), "over.gpkg", "areas 'A' and 'B' overlap",
             "450.00 km²", "100 % of the smaller", "do not overlap")
    # a scenario built in Python is held to the same rule
    import geopandas as gpd

    zones = gpd.read_file(p)
    _refused(lambda: ok.replace(zones=zones), "table 'zones'", "overlap")


def test_rule_zones_reach_clients(tmp_path):
    far = _zones(tmp_path, "far.gpkg", ["A"], [(600_000, 6_570_000, 601_000, 6_571_000)])
    _refused(lambda: _read(_clients(), zones=far), "table 'clients', row 0", "3 client(s)",
             "more than 1,000 m outside every area", "right CRS")
    # areas in another CRS, given as SWEREF 99 TM: every client is far from them
    wrong = _zones(tmp_path, "wrong.gpkg", ["A"], [(10, 50, 30, 70)], crs=3006)
    with pytest.raises(ScenarioError):
        _read(_clients(), zones=wrong)


# ------------------------------------------------------------------ how the file is written
_TEXT = "client_id\tx\ty\thours_per_week\tranking\na\t615400\t6583800\t3,5\tE1;M\n"


@pytest.mark.parametrize(("name", "raw"), [
    ("bom_le.txt", b"\xff\xfe" + _TEXT.encode("utf-16-le")),   # Excel's "Unicode text"
    ("bom_be.txt", b"\xfe\xff" + _TEXT.encode("utf-16-be")),
    ("no_bom.txt", _TEXT.encode("utf-16-le")),
    ("crlf.csv", _TEXT.replace("\n", "\r\n").encode("utf-8")),
    ("cr.csv", _TEXT.replace("\n", "\r").encode("utf-8")),      # classic Mac
])
def test_rule_utf16_and_line_ends(tmp_path, name, raw):
    p = tmp_path / name
    p.write_bytes(raw)
    sc = _read(p, pseudonymise=False)
    assert sc.clients["client_id"].tolist() == ["a"]
    assert sc.clients["hours_per_week"].tolist() == [3.5]
    assert sc.clients["ranking"].tolist() == [("E1", "M")]


def test_rule_unclosed_quote(tmp_path):
    p = _csv(tmp_path, 'client_id,x,y,hours_per_week\n"a,615400,6583800,3\nb,615400,6583800,4\n')
    _refused(lambda: _read(p), "clients.csv", "line 2", "unclosed quote",
             "runs on over the lines below")
    # a quote inside a cell (an inch sign in a dropped column) is no concern
    p = _csv(tmp_path, 'client_id,x,y,hours_per_week,note\na,615400,6583800,3,12" tv\n',
             "inch.csv")
    assert _read(p).n_clients == 1


def test_rule_one_column_twice(tmp_path):
    p = _csv(tmp_path, "client_id,x,y,hours_per_week,hours\na,615400,6583800,3,4\n")
    _refused(lambda: _read(p), "clients.csv", "line 1", "column 'hours'",
             "'hours_per_week' and 'hours' both give 'hours_per_week'", "keep one")
    prov = PROVIDERS.assign(namn=["Kommunen", "Omsorg"])  # name and namn
    _refused(lambda: _read(_clients(), prov), "'name' and 'namn'", "keep one")


# ------------------------------------------------------------------ coordinates in another unit
@pytest.mark.parametrize(("x", "y", "hint"), [
    (17.03, 59.37, "look like WGS84 degrees: give them as columns lat and lon"),
    (59.37, 17.03, "look like WGS84 degrees"),
    (615.4, 6583.8, "kilometres? give SWEREF 99 TM in metres"),
    (1_540_000, 6_583_800, "RT 90, the older Swedish grid? give its CRS: --crs EPSG:3021"),
    (1_615_400, 6_583_800, "RT 90"),
    (2_500_000, 6_583_800, None),  # no guess
])
def test_rule_coordinate_unit_hints(x, y, hint):
    msg = _refused(lambda: _read(_clients(1, x=float(x), y=float(y))), "row 0", "outside Sweden")
    if hint is None:
        assert "(kilometres" not in msg and "RT 90" not in msg and "WGS84" not in msg
    else:
        assert hint in msg


def test_rt90_read_with_its_crs():
    # the same point in RT 90 2.5 gon V (EPSG:3021), read with xy_crs
    import pyproj

    e, n = pyproj.Transformer.from_crs(3006, 3021, always_xy=True).transform(615400, 6583800)
    sc = _read(_clients(1, x=e, y=n), PROVIDERS.assign(
        x=pyproj.Transformer.from_crs(3006, 3021, always_xy=True).transform(615380, 6583650)[0],
        y=pyproj.Transformer.from_crs(3006, 3021, always_xy=True).transform(615380, 6583650)[1]),
        xy_crs="EPSG:3021")
    x, y = sc.client_xy()[0]
    assert abs(x - 615400) < 0.01 and abs(y - 6583800) < 0.01


# ------------------------------------------------------------------ public data (SCB files)
def test_rule_geometry_missing():
    import geopandas as gpd

    from hemopt.geo import read_deso

    path = Path(hemopt.__file__).parent / "data" / "deso2025_botkyrka_0127.geojson"
    deso = gpd.read_file(path)
    one = deso.copy()
    one.loc[one.index[3], "geometry"] = None  # one area without a shape
    _refused(lambda: read_deso(one, code="0127"), "table 'deso'", "'geometry'",
             "1 row(s) without a geometry", "position 3")
    none = deso.assign(geometry=None).set_crs(deso.crs, allow_override=True)
    msg = _refused(lambda: read_deso(none, code="0127"), "every geometry is empty or missing")
    assert "do not fall in Sweden" not in msg  # not blamed on the CRS
    assert len(read_deso(deso, code="0127")) == len(deso)


# ------------------------------------------------------ property: any dialect, same table
_DIALECTS = {
    "comma": (",", "."), "semicolon": (";", ","), "tab": ("\t", ","), "tab_point": ("\t", "."),
}
_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16")
_safe_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöABCÅÄÖ0123456789-_ ", min_size=1,
                    max_size=10).map(str.strip).filter(lambda s: s != "")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_safe_ids, st.integers(0, 16800), st.integers(0, 3000),
                          st.integers(0, 3000)), min_size=1, max_size=8,
                unique_by=lambda t: t[0]),
       st.sampled_from(sorted(_DIALECTS)), st.sampled_from(_ENCODINGS),
       st.sampled_from(["\n", "\r\n"]))
def test_any_dialect_reads_the_same_table(tmp_path, rows, dialect, encoding, newline):
    """A client list written as Excel or a case-management system would (separator,
    decimal sign, encoding, line ends) reads to the same ids, hours and points."""
    sep, dec = _DIALECTS[dialect]
    lines = [sep.join(["client_id", "x", "y", "hours_per_week"])]
    for cid, h100, dx, dy in rows:
        hours = f"{h100 // 100}{dec}{h100 % 100:02d}"
        lines.append(sep.join([cid, str(614000 + dx), str(6582000 + dy), hours]))
    p = tmp_path / f"c-{dialect}-{encoding}.csv"
    p.write_bytes((newline.join(lines) + newline).encode(encoding))
    sc = _read(p, pseudonymise=False)
    assert sc.clients["client_id"].tolist() == [r[0] for r in rows]
    assert sc.clients["hours_per_week"].tolist() == [r[1] / 100 for r in rows]


@pytest.mark.parametrize(("column", "value", "code"), [
    ("provider_id", "E\u200f1", "U+200F"),      # a right-to-left mark, invisible
    ("name", "Omsorg\u00a0AB", "U+00A0"),       # a no-break space from Excel
])
def test_rule_id_printable_in_import(tmp_path, column, value, code):
    prov = PROVIDERS.copy()
    prov.loc[1, column] = value
    _refused(lambda: _read(_clients(), prov), "table 'providers'", "row 1", repr(column),
             code, "printable")
    # in a ranking, with the file's line
    p = _csv(tmp_path, "client_id,x,y,hours_per_week,ranking\n"
             "a,615400,6583800,3,E1\nb,615400,6583800,3,\"M;E\u200b1\"\n")
    _refused(lambda: _read(p), "clients.csv", "line 3", "'ranking'", "U+200B")


def test_unicode_names_are_kept():
    prov = PROVIDERS.assign(name=["Hemtjänsten Åre", "שלום 😀 Ωmega"])
    sc = _read(_clients(), prov)
    assert sc.providers["name"].tolist() == ["Hemtjänsten Åre", "שלום 😀 Ωmega"]


@pytest.mark.parametrize("salt", ["", "   ", "\t", 5, None.__class__])
def test_salt_must_be_a_secret(salt):
    with pytest.raises(InputError, match="salt must be a non-empty string"):
        hemopt.Scenario.from_tables(_clients(), PROVIDERS, salt=salt)
