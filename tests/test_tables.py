"""Scenario.from_tables / hemopt import: client and provider lists from CSV, Excel, DataFrames.

Good files build the scenario the files describe; each kind of bad row raises a ScenarioError
whose message names the file, the line (header = line 1), the column and the value.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

import hemopt
import hemopt.tables
from hemopt.errors import InputError, ScenarioError
from hemopt.scenario import Scenario
from hemopt.tables import cluster_points, pseudonym
from hemopt.testing import assert_scenario_equal

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

PROVIDERS = """\
provider_id,name,kind,x,y,lat,lon,capacity_clients,capacity_hours
M,Kommunen,municipal,615380,6583650,,,,
E1,Omsorg AB,external,,,59.3790,17.0420,8,
E2,Vård AB,external,614950,6584210,,,,120
"""
CLIENTS = """\
client_id,name,x,y,lat,lon,hours_per_week,visits_per_day,current_provider,ranking
K1,Anna,615400,6583800,,,3.5,0.5,M,M
K2,Bo,615400,6583800,,,14,3,E1,E1;M
K3,Cia,615402,6583801,,,7,1,M,
K4,Dan,615418,6583800,,,21,4,E2,E2;E1;M
K5,Eva,,,59.3751,17.0370,2,,E1,E1
"""

# Dropped columns warn (DroppedColumnWarning); the tests below that are about something else
# import files with personal columns on purpose. The warning is checked in its own tests.
pytestmark = pytest.mark.filterwarnings("ignore::hemopt.errors.DroppedColumnWarning")


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def replace_cell(text: str, line: int, column: str, value: str | dict[str, str]) -> str:
    """``text`` with the cell of ``column`` on ``line`` (header = 1) set to ``value``, or
    with several cells set when ``value`` is a dict ``{column: value}``."""
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    for col, v in (value.items() if isinstance(value, dict) else [(column, value)]):
        cells[header.index(col)] = v
    lines[line - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def to_xlsx(path: Path, sheets: dict[str, str]) -> Path:
    """Write CSV texts as the sheets of one workbook, numbers as numbers."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, text in sheets.items():
        ws = wb.create_sheet(name)
        for line in text.splitlines():
            row = []
            for cell in line.split(","):
                try:
                    row.append(float(cell) if "." in cell else int(cell))
                except ValueError:
                    row.append(cell or None)
            ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def files(tmp_path):
    return write(tmp_path, "clients.csv", CLIENTS), write(tmp_path, "providers.csv", PROVIDERS)


# ------------------------------------------------------------------------------ good files
def test_csv_files_build_the_scenario_they_describe(files):
    sc = Scenario.from_tables(*files, salt="s")
    assert sc.n_clients == 5 and sc.provider_ids == ["M", "E1", "E2"]
    cl = sc.clients
    assert list(cl["hours_per_week"]) == [3.5, 14.0, 7.0, 21.0, 2.0]
    # a blank visits cell gets the default of 30-minute visits: 2 h/wk -> 0.57 visits/day
    assert list(cl["visits_per_day"]) == [0.5, 3.0, 1.0, 4.0, 0.57]
    assert list(cl["current_provider"]) == ["M", "E1", "M", "E2", "E1"]
    assert list(cl["ranking"]) == [("M",), ("E1", "M"), (), ("E2", "E1", "M"), ("E1",)]
    # K1-K3 within 5 m: one stairwell; K4 18 m away: another stairwell, same building
    st = list(cl["stairwell_id"])
    assert st[0] == st[1] == st[2] != st[3] != st[4]
    assert cl["building_id"].iloc[3] == cl["building_id"].iloc[0] != cl["building_id"].iloc[4]
    pr = sc.providers
    assert list(pr["name"]) == ["Kommunen", "Omsorg AB", "Vård AB"]
    assert list(pr["capacity_clients"]) == [np.inf, 8.0, np.inf]
    assert list(pr["capacity_hours"]) == [np.inf, np.inf, 120.0]
    # WGS84 office converted to SWEREF 99 TM (about 616 km E, 6 584 km N)
    x, y = sc.provider_xy()[1]
    assert 615_000 < x < 617_000 and 6_583_000 < y < 6_585_000
    assert "name" not in cl.columns
    assert sc.meta["import"]["pseudonymised"] and sc.meta["import"]["salt"] == "given"
    secret = Scenario.from_tables(*files, salt="very secret 123")
    assert "very secret" not in repr(secret.meta)  # the salt itself is never stored


def test_the_shipped_example_imports_and_runs_under_lov():
    sc = Scenario.from_tables(EXAMPLES / "clients.csv", EXAMPLES / "providers.csv",
                              addresses=EXAMPLES / "addresses.csv")
    s = sc.summary()
    assert (s["clients"], s["stairwells_with_clients"], s["buildings_total"]) == (14, 9, 7)
    notes = " ".join(sc.meta["import"]["notes"])
    assert "'name', 'phone'" in notes and "this machine's secret salt" in notes
    a = hemopt.assign(sc, hemopt.LOV())
    assert a.summary()["unserved"] == 0
    assert a.providers["clients"].sum() == 14


def test_stairwells_and_buildings_by_hand():
    # 3 clients at one point, 1 at 3 m, 1 at 50 m; tolerance 5 m -> 2 stairwells
    clients = pd.DataFrame({
        "client_id": ["a", "b", "c", "d", "e"],
        "x": [615000.0, 615000.0, 615000.0, 615003.0, 615050.0],
        "y": [6583000.0] * 5, "hours_per_week": [1.0] * 5})
    providers = pd.DataFrame({"provider_id": ["M"], "kind": ["municipal"],
                              "x": [615100.0], "y": [6583100.0]})
    sc = Scenario.from_tables(clients, providers, stairwell_tolerance_m=5,
                              building_tolerance_m=30, pseudonymise=False)
    assert list(sc.clients["stairwell_id"]) == ["s0001"] * 4 + ["s0002"]
    assert list(sc.stairwells["dwellings"]) == [4, 1]
    # the stairwell's point is the mean of its clients' points; clients stand there
    assert sc.stairwells.geometry.iloc[0].equals(Point(615000.75, 6583000.0))
    assert sc.clients.geometry.iloc[3].equals(Point(615000.75, 6583000.0))
    assert sc.clients.geometry.iloc[4].equals(Point(615050.0, 6583000.0))
    assert list(sc.stairwells["building_id"]) == ["b0001", "b0002"]  # 49.25 m > 30 m
    one = Scenario.from_tables(clients, providers, stairwell_tolerance_m=5,
                               building_tolerance_m=60)
    assert list(one.stairwells["building_id"]) == ["b0001", "b0001"]
    exact = Scenario.from_tables(clients, providers, stairwell_tolerance_m=0)
    assert list(exact.stairwells["dwellings"]) == [3, 1, 1]
    # the numbering does not depend on the order of the rows
    shuffled = Scenario.from_tables(clients.iloc[::-1], providers, pseudonymise=False)
    assert dict(zip(shuffled.clients["client_id"], shuffled.clients["stairwell_id"],
                    strict=True)) == dict(zip(sc.clients["client_id"],
                                              sc.clients["stairwell_id"], strict=True))


def test_cluster_points_chains_and_validates():
    assert cluster_points([[0, 0], [4, 0], [8, 0], [20, 0]], 5).tolist() == [0, 0, 0, 1]
    assert cluster_points(np.zeros((0, 2)), 5).tolist() == []
    with pytest.raises(InputError, match="tolerance_m"):
        cluster_points([[0, 0]], -1)


def test_pseudonyms_are_stable_keyed_and_hide_the_id(files):
    a = Scenario.from_tables(*files, salt="secret one")
    b = Scenario.from_tables(*files, salt="secret one")
    c = Scenario.from_tables(*files, salt="secret two")
    assert list(a.clients["client_id"]) == list(b.clients["client_id"])
    assert set(a.clients["client_id"]).isdisjoint(c.clients["client_id"])
    assert list(a.clients["client_id"]) == [pseudonym(k, "secret one")
                                            for k in ("K1", "K2", "K3", "K4", "K5")]
    pnr = "19401301-1234"  # personnummer-shaped, not a real date
    p = pseudonym(pnr, "x")
    assert pnr not in p and "1234" not in p and "194013" not in p
    assert p.startswith("c") and len(p) == 13
    kept = Scenario.from_tables(*files, pseudonymise=False)
    assert list(kept.clients["client_id"]) == ["K1", "K2", "K3", "K4", "K5"]
    assert kept.meta["import"]["salt"] is None
    with pytest.raises(InputError, match="salt"):
        Scenario.from_tables(*files, salt="")


def test_personal_columns_are_dropped_with_a_note_and_chosen_ones_kept(tmp_path):
    text = CLIENTS.replace("client_id,name,", "client_id,name,personnummer,district,")
    lines = text.splitlines()
    for i in range(1, len(lines)):
        head, rest = lines[i].split(",", 2)[:2], lines[i].split(",", 2)[2]
        lines[i] = ",".join([*head, f"1940130{i}-000{i}", f"D{i % 2}", rest])
    path = write(tmp_path, "clients.csv", "\n".join(lines) + "\n")
    prov = write(tmp_path, "providers.csv", PROVIDERS)
    sc = Scenario.from_tables(path, prov, keep_columns=["District"])
    assert "personnummer" not in sc.clients.columns and "name" not in sc.clients.columns
    assert list(sc.clients["district"]) == ["D1", "D0", "D1", "D0", "D1"]
    notes = sc.meta["import"]["notes"]
    assert any("dropped columns hemopt does not use: 'name', 'personnummer'" in n
               and "'personnummer' looked like personnummer" in n for n in notes)
    gpkg = sc.to_gpkg(tmp_path / "s.gpkg")
    blob = gpkg.read_bytes()
    for original in (b"Anna", b"19401301"):
        assert original not in blob
    back = Scenario.from_gpkg(gpkg)
    assert set(back.clients["client_id"]).isdisjoint({"K1", "K2", "K3", "K4", "K5"})


def test_round_trip_through_the_geopackage(tmp_path, files):
    zones = gpd.GeoDataFrame({"zone_id": ["N", "S"], "name": ["North", "South"]},
                             geometry=[box(610000, 6583500, 620000, 6590000),
                                       box(610000, 6578000, 620000, 6583500)], crs=3006)
    zones.to_file(tmp_path / "zones.gpkg", layer="zones", driver="GPKG")
    prov = PROVIDERS.replace("capacity_hours\n", "capacity_hours,zones\n")
    prov = "\n".join(ln + ("" if i == 0 else [",", ",N;S", ",N"][i - 1])
                     for i, ln in enumerate(prov.splitlines())) + "\n"
    pfile = write(tmp_path, "providers.csv", prov)
    sc = Scenario.from_tables(files[0], pfile, zones=tmp_path / "zones.gpkg",
                              keep_columns=["name"], name="mine")
    assert list(sc.providers["zones"]) == [(), ("N", "S"), ("N",)]
    assert list(sc.clients["name"]) == ["Anna", "Bo", "Cia", "Dan", "Eva"]
    again = Scenario.from_gpkg(sc.to_gpkg(tmp_path / "mine.gpkg"))
    assert_scenario_equal(sc, again)
    assert again == sc


def test_excel_workbook_gives_the_same_scenario_as_csv(tmp_path, files):
    book = to_xlsx(tmp_path / "data.xlsx", {"providers": PROVIDERS, "clients": CLIENTS})
    from_xlsx = Scenario.from_tables(book, book, salt="s")
    from_csv = Scenario.from_tables(*files, salt="s")
    # the notes name the files; everything else is the same
    assert from_xlsx.meta["import"]["notes"] == [
        f"{book}, sheet 'clients': dropped columns hemopt does not use: 'name'; they are not "
        "copied to any output (keep_columns=[...] or --keep-column keeps one)"]
    assert_scenario_equal(from_xlsx.replace(meta={}), from_csv.replace(meta={}))
    single = to_xlsx(tmp_path / "clients.xlsx", {"Blad1": CLIENTS})
    assert Scenario.from_tables(single, files[1], salt="s").replace(meta={}) == \
        from_csv.replace(meta={})


def test_swedish_excel_csv_export(tmp_path):
    # semicolon-separated, decimal commas, Windows-1252, x = northing (survey convention)
    clients = ("Brukare ID;X;Y;Timmar per vecka;Utförare;Rangordning\n"
               "K1;6583800;615400;3,5;M;\"E1;M\"\n"
               "K2;6583800;615400;14;E1;E1\n")
    providers = "ID;Namn;Regi;E;N\nM;Kommunens hemtjänst;kommunal;615380;6583650\n" \
                "E1;Omsorg AB;privat;614950;6584210\n"
    sc = Scenario.from_tables(write(tmp_path, "k.csv", clients, "cp1252"),
                              write(tmp_path, "u.csv", providers, "cp1252"))
    assert list(sc.clients["hours_per_week"]) == [3.5, 14.0]
    assert list(sc.clients["ranking"]) == [("E1", "M"), ("E1",)]
    assert sc.client_xy()[0].tolist() == [615400.0, 6583800.0]
    assert list(sc.providers["kind"]) == ["municipal", "external"]
    assert list(sc.providers["name"]) == ["Kommunens hemtjänst", "Omsorg AB"]
    notes = " ".join(sc.meta["import"]["notes"])
    assert "Windows-1252" in notes and "Swedish survey convention" in notes


def test_addresses_and_other_crs(tmp_path):
    addresses = write(tmp_path, "addresses.csv",
                      "address,lat,lon\nStorgatan 12,59.3751,17.0370\nTorget 1,59.3790,17.0420\n")
    clients = write(tmp_path, "clients.csv",
                    "client_id,address,hours_per_week\nK1,storgatan  12,3\nK2,Storgatan 12,4\n")
    providers = write(tmp_path, "providers.csv",
                      "provider_id,kind,address\nM,municipal,Torget 1\n")
    sc = Scenario.from_tables(clients, providers, addresses=addresses)
    assert sc.clients["stairwell_id"].nunique() == 1
    assert "address" not in sc.clients.columns
    # SWEREF 99 18 00 (EPSG:3011), as in Stockholm-area municipalities
    local = gpd.GeoSeries([Point(615400, 6583800)], crs=3006).to_crs(3011).iloc[0]
    c3011 = pd.DataFrame({"id": ["a"], "x": [local.x], "y": [local.y], "hours": [2.0]})
    p3006 = pd.DataFrame({"id": ["M"], "kind": ["municipal"], "x": [615000], "y": [6583000]})
    with pytest.raises(ScenarioError, match="outside Sweden"):
        Scenario.from_tables(c3011, p3006)  # read as EPSG:3006: far out at sea
    p3011 = gpd.GeoDataFrame(p3006[["id", "kind"]], crs=3006,
                             geometry=gpd.points_from_xy(p3006.x, p3006.y))
    sc = Scenario.from_tables(c3011, p3011, xy_crs="EPSG:3011")
    assert np.allclose(sc.client_xy()[0], [615400, 6583800], atol=0.01)
    with pytest.raises(InputError, match="projected"):
        Scenario.from_tables(c3011, p3011, xy_crs="EPSG:4326")


def test_dataframes_are_not_mutated_and_errors_name_the_row(files):
    clients = pd.read_csv(files[0], dtype=str, keep_default_na=False)
    providers = pd.read_csv(files[1], dtype=str, keep_default_na=False)
    before = clients.copy(), providers.copy()
    Scenario.from_tables(clients, providers)
    pd.testing.assert_frame_equal(clients, before[0])
    pd.testing.assert_frame_equal(providers, before[1])
    bad = clients.copy()
    bad.loc[2, "hours_per_week"] = "-1"
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(bad, providers)
    assert str(exc.value) == ("table 'clients', row 2, field 'hours_per_week': must be a "
                              "number >= 0 (value: '-1')")


def test_boundary_given_and_point_outside(tmp_path, files):
    area = box(614000, 6582000, 617000, 6585000)
    sc = Scenario.from_tables(*files, boundary=gpd.GeoDataFrame(
        {"name": ["Testby"]}, geometry=[area], crs=3006))
    assert sc.boundary["name"].iloc[0] == "Testby"
    assert sc.meta["import"]["boundary"] == "given"
    small = gpd.GeoDataFrame({"name": ["Liten"]}, geometry=[box(615300, 6583600, 615500,
                                                                 6583900)], crs=3006)
    small.to_file(tmp_path / "b.gpkg", driver="GPKG")
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(*files, boundary=tmp_path / "b.gpkg")
    assert str(exc.value).startswith(f"{files[1]}, line 3: the office lies outside the "
                                     "municipality boundary (value: 'POINT (")
    default = Scenario.from_tables(*files, boundary_buffer_m=500)
    hull = shapely_hull(default)
    assert default.area.equals_exact(hull.buffer(500), 1e-6)


def shapely_hull(sc):
    import shapely

    pts = np.vstack([sc.client_xy(), sc.provider_xy()])
    return shapely.convex_hull(shapely.multipoints(pts))


# ------------------------------------------------------------------------------ bad files
# (which file, line, column, new value, expected message after "FILE, ")
BAD = [
    ("clients", 3, "hours_per_week", "three",
     "line 3, column 'hours_per_week': must be a number (value: 'three')"),
    ("clients", 4, "hours_per_week", "-2",
     "line 4, column 'hours_per_week': must be a number >= 0 (value: '-2')"),
    ("clients", 2, "hours_per_week", "",
     "line 2, column 'hours_per_week': missing value"),
    ("clients", 5, "x", "1615418",
     "line 5, column 'x': outside Sweden: SWEREF 99 TM E (easting) must be "
     "180,000–1,090,000 m (value: '1615418')"),
    ("clients", 3, "y", "583800",
     "line 3, column 'y': outside Sweden: SWEREF 99 TM N (northing) must be "
     "6,100,000–7,700,000 m (value: '583800')"),
    ("clients", 6, "lat", {"lat": "17.0370", "lon": "59.3751"},
     "line 6, column 'lat': lat and lon look swapped (did you swap latitude and longitude?): "
     "in Sweden the latitude is 55.0–69.1 and the longitude 10.5–24.2 (value: '17.0370')"),
    ("clients", 6, "lat", "49.1",
     "line 6, column 'lat': outside Sweden: latitude must be 55.0–69.1 (value: '49.1')"),
    ("clients", 4, "current_provider", "E9",
     "line 4, column 'current_provider': unknown provider (providers: M, E1, E2) "
     "(value: 'E9')"),
    ("clients", 5, "ranking", "E2;E7",
     "line 5, column 'ranking': unknown provider 'E7' in the ranking (providers: M, E1, E2) "
     "(value: 'E2;E7')"),
    ("clients", 5, "ranking", "E2;E2",
     "line 5, column 'ranking': provider 'E2' appears twice in the ranking (value: 'E2;E2')"),
    ("clients", 5, "client_id", "K2",
     "line 5, column 'client_id': duplicate client id (also on line 3) (value: 'K2')"),
    ("clients", 2, "x", "",
     "line 2, column 'x': missing value (the other coordinate is given)"),
    ("providers", 4, "provider_id", "E1",
     "line 4, column 'provider_id': duplicate provider id (also on line 3) (value: 'E1')"),
    ("providers", 2, "kind", "kommersiell",
     "line 2, column 'kind': must be 'municipal' or 'external' (also accepted: kommunal, "
     "extern, privat) (value: 'kommersiell')"),
    ("providers", 3, "capacity_clients", "-3",
     "line 3, column 'capacity_clients': must be a number >= 0 (or inf, or empty for no "
     "limit) (value: '-3')"),
]


@pytest.mark.parametrize("table,line,column,value,message", BAD,
                         ids=[f"{b[0]}-{b[2]}-{b[3] or 'blank'}".replace(" ", "") for b in BAD])
def test_bad_csv_cell(tmp_path, table, line, column, value, message):
    texts = {"clients": CLIENTS, "providers": PROVIDERS}
    texts[table] = replace_cell(texts[table], line, column, value)
    c, p = write(tmp_path, "clients.csv", texts["clients"]), write(tmp_path, "providers.csv",
                                                                   texts["providers"])
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(c, p)
    shown = c if table == "clients" else p
    assert str(exc.value) == f"{shown}, {message}"
    assert (exc.value.file, exc.value.line, exc.value.field) == (str(shown), line, column)


@pytest.mark.parametrize("table,line,column,value,message", [
    BAD[0], BAD[1], BAD[7], BAD[10],
], ids=["text-hours", "negative-hours", "unknown-provider", "duplicate-id"])
def test_bad_excel_cell(tmp_path, table, line, column, value, message):
    texts = {"clients": CLIENTS, "providers": PROVIDERS}
    texts[table] = replace_cell(texts[table], line, column, value)
    c = to_xlsx(tmp_path / "clients.xlsx", {"clients": texts["clients"]})
    p = to_xlsx(tmp_path / "providers.xlsx", {"providers": texts["providers"]})
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(c, p)
    # numbers are numbers in Excel: the value is shown as the cell holds it
    message = message.replace("'-2'", "-2")
    assert str(exc.value) == f"{c}, {message}"


def test_bad_cell_in_a_workbook_with_two_sheets(tmp_path):
    book = to_xlsx(tmp_path / "data.xlsx", {
        "clients": replace_cell(CLIENTS, 4, "hours_per_week", "lots"),
        "providers": PROVIDERS})
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(book, book)
    assert str(exc.value) == (f"{book}, sheet 'clients', line 4, column 'hours_per_week': "
                              "must be a number (value: 'lots')")


def test_missing_column(tmp_path, files):
    c = write(tmp_path, "c.csv", CLIENTS.replace("hours_per_week", "hrs"))
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(c, files[1])
    assert str(exc.value) == (
        f"{c}, line 1, column 'hours_per_week': missing column (or 'hours', "
        "'timmar_per_vecka', 'timmar', 'beviljade_timmar', ...); columns found: ['client_id', "
        "'name', 'x', 'y', 'lat', 'lon', 'hrs', 'visits_per_day', 'current_provider', 'ranking']")
    p = write(tmp_path, "p.csv", "provider_id,kind\nM,municipal\n")
    with pytest.raises(ScenarioError, match=r"p.csv, line 1: no coordinate columns"):
        Scenario.from_tables(files[0], p)


def test_line_numbers_count_blank_lines_and_multiline_cells(tmp_path, files):
    text = CLIENTS.replace("K2,Bo,", "\nK2,\"Bo\nBosson\",").replace("K4,Dan,615418,",
                                                                      "K4,Dan,nowhere,")
    c = write(tmp_path, "c.csv", text)
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(c, files[1])
    # K4 is the 4th data row, but a blank line and a two-line cell come before it
    assert str(exc.value) == f"{c}, line 7, column 'x': must be a number (value: 'nowhere')"


def test_address_errors(tmp_path, files):
    addresses = write(tmp_path, "a.csv", "address,x,y\nStorgatan 12,615120,6583570\n")
    c = write(tmp_path, "c.csv", "client_id,address,hours_per_week\nK1,Storgatan 12,3\n"
                                 "K2,Storgatan 99,4\n")
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(c, files[1], addresses=addresses)
    assert str(exc.value) == (f"{c}, line 3, column 'address': address key not found in "
                              f"{addresses} (value: 'Storgatan 99')")
    with pytest.raises(ScenarioError, match="needs an addresses table"):
        Scenario.from_tables(c, files[1])
    dup = write(tmp_path, "d.csv", "address,x,y\nA 1,615120,6583570\na  1,615000,6583570\n")
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(c, files[1], addresses=dup)
    assert str(exc.value) == (f"{dup}, line 3, column 'address': the same address key with "
                              "other coordinates on line 2 (value: 'a  1')")


def test_zone_errors(tmp_path, files):
    prov = replace_cell(PROVIDERS.replace("capacity_hours", "capacity_hours,zones")
                        .replace("\n", ",\n").replace("zones,\n", "zones\n"), 3, "zones", "N;Q")
    p = write(tmp_path, "p.csv", prov)
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(files[0], p)
    assert str(exc.value) == (f"{p}, line 3, column 'zones': a provider's zones need the "
                              "zones' polygons (zones=..., --zones) (value: 'N')")
    zones = gpd.GeoDataFrame({"id": ["N"]}, geometry=[box(6e5, 6.5e6, 7e5, 6.7e6)], crs=3006)
    with pytest.raises(ScenarioError) as exc:
        Scenario.from_tables(files[0], p, zones=zones)
    assert str(exc.value) == f"{p}, line 3, column 'zones': unknown zone (zones: N) (value: 'Q')"


def test_file_level_errors(tmp_path, files):
    with pytest.raises(ScenarioError, match="file not found"):
        Scenario.from_tables(tmp_path / "nope.csv", files[1])
    with pytest.raises(ScenarioError, match="unsupported file type"):
        Scenario.from_tables(write(tmp_path, "c.json", "{}"), files[1])
    empty = write(tmp_path, "e.csv", "client_id,x,y,hours_per_week\n")
    with pytest.raises(ScenarioError, match=r"e.csv, line 1: no clients below the header"):
        Scenario.from_tables(empty, files[1])
    wide = write(tmp_path, "w.csv", "client_id,x,y,hours_per_week\nK1,615400,6583800,3,5\n")
    with pytest.raises(ScenarioError, match=r"w.csv, line 2: 5 cells but the header has 4"):
        Scenario.from_tables(wide, files[1])
    with pytest.raises(InputError, match="building_tolerance_m"):
        Scenario.from_tables(*files, stairwell_tolerance_m=10, building_tolerance_m=5)


# ------------------------------------------------------------------------------ CLI
def test_cli_import(tmp_path, files, capsys, monkeypatch):
    from hemopt.cli import main

    monkeypatch.setenv("HEMOPT_SALT", "from the environment")
    out = tmp_path / "scenario.gpkg"
    assert main(["import", str(files[0]), str(files[1]), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "clients                         5" in printed and f"wrote {out}" in printed
    assert "dropped columns hemopt does not use: 'name'" in printed
    sc = Scenario.from_gpkg(out)
    assert sc.name == "scenario" and sc.meta["import"]["salt"] == "given"
    assert list(sc.clients["client_id"]) == [pseudonym(k, "from the environment")
                                             for k in ("K1", "K2", "K3", "K4", "K5")]
    assert main(["import", str(files[0]), str(files[1]), "--out", str(out), "--keep-ids",
                 "--stairwell-tolerance", "0", "--building-tolerance", "0"]) == 0
    sc = Scenario.from_gpkg(out)
    assert list(sc.clients["client_id"])[:2] == ["K1", "K2"]
    assert sc.clients["stairwell_id"].nunique() == 4

    bad = write(tmp_path, "bad.csv", replace_cell(CLIENTS, 3, "hours_per_week", "x"))
    assert main(["import", str(bad), str(files[1]), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (f"hemopt: error: {bad}, line 3, column 'hours_per_week': must be a number "
            "(value: 'x')") in err


def test_module_doctests():
    failures = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(hemopt.tables, "hemopt.tables"):
        runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)


def test_keep_columns_checks(tmp_path, files):
    with pytest.raises(InputError, match="keep_columns: no column 'distrikt'"):
        Scenario.from_tables(*files, keep_columns=["distrikt"])
    c = write(tmp_path, "c.csv", CLIENTS.replace("client_id,name,", "client_id,stairwell_id,"))
    with pytest.raises(InputError, match=r"'stairwell_id' in .*c.csv would replace"):
        Scenario.from_tables(c, files[1], keep_columns=["stairwell_id"])
    dropped = Scenario.from_tables(c, files[1])
    assert any("dropped columns hemopt does not use: 'stairwell_id'" in n
               for n in dropped.meta["import"]["notes"])
    semi = write(tmp_path, "s.csv", replace_cell(CLIENTS, 2, "client_id", "K;1"))
    Scenario.from_tables(semi, files[1])  # pseudonymised: any id is fine
    with pytest.raises(ScenarioError, match=r"s.csv, line 2, column 'client_id': an id may not"):
        Scenario.from_tables(semi, files[1], pseudonymise=False)


def test_excel_sep_hint_and_header_below_blank_lines(tmp_path, files):
    text = "sep=;\n\nclient_id;x;y;hours\nK1;615400;6583800;2,5\n"
    sc = Scenario.from_tables(write(tmp_path, "c.csv", text), files[1])
    assert list(sc.clients["hours_per_week"]) == [2.5]
    bad = write(tmp_path, "b.csv", "\n\nclient_id;x;y\nK1;615400;6583800\n")
    with pytest.raises(ScenarioError, match=r"b.csv, line 3, column 'hours_per_week': missing"):
        Scenario.from_tables(bad, files[1])


def test_staffing_and_skill_columns_are_read(tmp_path):
    """Optional care columns: staff per visit (1/2), skill, and the providers' licensed share."""
    from hemopt.tables import scenario_from_tables

    clients = pd.DataFrame({"client_id": ["a", "b", "c"], "hours_per_week": [3.5, 10, 21],
                            "current_provider": ["M", "M", "M"], "Dubbelbemanning": [2, "", 1],
                            "skill": ["delegated", "", None],
                            "x": [650_000.0, 650_100.0, 650_200.0], "y": 6_570_000.0})
    providers = pd.DataFrame({"provider_id": ["M"], "kind": ["municipal"],
                              "licensed_share": [0.4], "x": [650_000.0], "y": [6_570_000.0]})
    sc = scenario_from_tables(clients, providers)
    assert sc.clients["staff_per_visit"].tolist() == [2, 1, 1]
    assert sc.clients["skill"].tolist() == ["delegated", "", ""]
    assert sc.providers["licensed_share"].tolist() == [0.4]
    bad = clients.assign(Dubbelbemanning=[3, 1, 1])
    with pytest.raises(ScenarioError, match="staff per visit must be 1 or 2"):
        scenario_from_tables(bad, providers)
    with pytest.raises(ScenarioError, match="share between 0 and 1"):
        scenario_from_tables(clients, providers.assign(licensed_share=[1.5]))
    # a table without the columns: one staff member, no skill, every staff member licensed
    plain = scenario_from_tables(clients.drop(columns=["Dubbelbemanning", "skill"]),
                                 providers.drop(columns=["licensed_share"]))
    assert plain.clients["staff_per_visit"].tolist() == [1, 1, 1]
    assert plain.clients["skill"].tolist() == ["", "", ""]
    assert plain.providers["licensed_share"].tolist() == [1.0]


def test_scenario_from_tables_and_the_importer_take_the_same_options():
    """``hemopt.tables.scenario_from_tables`` documents the options and forwards them to
    ``Scenario.from_tables``, which gives them to the importer: same names, same defaults."""
    import inspect

    from hemopt.scenario.importer import read_tables
    from hemopt.tables import scenario_from_tables

    ours = inspect.signature(scenario_from_tables).parameters
    theirs = inspect.signature(read_tables).parameters
    assert list(ours) == list(theirs)
    assert [p.default for p in ours.values()] == [p.default for p in theirs.values()]


def test_from_tables_is_a_plain_import():
    """Scenario.from_tables imports the importer, which the import contract sees (issue 24),
    instead of looking a function up by name in hemopt._views."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("hemopt")
    readers = ("hemopt.tables", "hemopt.scenario.importer", "hemopt.scenario.readers",
               "hemopt.scenario.pseudonyms")
    imported = {d for m in readers for d in graph.find_modules_directly_imported_by(m)}
    assert "hemopt._views" not in imported  # nothing registers a table importer by name
    assert "hemopt.scenario.core" not in {  # the importer returns frames, not the class
        d for m in readers[1:] for d in graph.find_modules_directly_imported_by(m)}
    assert "hemopt.scenario.importer" in graph.find_modules_directly_imported_by(
        "hemopt.scenario.core")
    clients = pd.DataFrame({"client_id": ["K-1", "K-2"], "hours_per_week": [3.5, 10],
                            "x": [615400, 615401], "y": [6583800, 6583800]})
    providers = pd.DataFrame({"provider_id": ["M"], "kind": ["municipal"],
                              "x": [615000], "y": [6584000]})
    sc = Scenario.from_tables(clients, providers, salt="a secret")
    assert (sc.n_clients, sc.clients["stairwell_id"].nunique(), sc.provider_ids) == (2, 1, ["M"])
