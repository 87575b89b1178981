"""Bad inputs: every one is refused with a clear error (or warned about), never a traceback.

Issue 19 keeps these fixed. Each case asserts the exit code or error type, and that the
message names the offending option, field or value. Cases that refuse before any work also
assert that no scenario was generated or read. ``docs/refuses.md`` lists the rules.

Groups: conflicting or ignored flags and bad values (CLI), scenario files (the file itself, its
tables, missing optional columns), output paths, sweep configuration files, and the library
calls behind them.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pyogrio
import pytest
from shapely.geometry import Point

import hemopt
from hemopt import InputError, MissingColumnWarning, OutputError, ScenarioError
from hemopt._io import output_lock
from hemopt.cli import main
from hemopt.sweep import read_config, sweep, tasks_of

REPO = Path(__file__).resolve().parents[1]


def _refused(capsys, argv: list[str], *names: str, rc: int = 2,
             before_work: bool = True) -> str:
    """Run ``hemopt argv`` in this process; assert the exit code, a one-line error naming
    every one of ``names``, and (``before_work``) that nothing was generated or read."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == rc, err
    lines = [ln for ln in err.splitlines() if ln.startswith("hemopt: error: ")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for name in names:
        assert name in lines[0], (name, lines[0])
    if before_work:
        assert "generating preset" not in err and "reading " not in err, err
    return lines[0]


@pytest.fixture(scope="module")
def base_gpkg(tmp_path_factory) -> Path:
    """A small valid scenario file (a few dozen clients, providers, zones and bases)."""
    sc = hemopt.generate("strangnas", seed=1, scale=0.03)
    return sc.to_gpkg(tmp_path_factory.mktemp("base") / "base.gpkg")


def _variant(base: Path, tmp_path: Path, table: str, change) -> Path:
    """A copy of ``base`` with layer ``table`` replaced by ``change(layer)``."""
    path = tmp_path / f"bad_{table}.gpkg"
    shutil.copyfile(base, path)
    layer = pyogrio.read_dataframe(path, layer=table)
    pyogrio.write_dataframe(change(layer.copy()), path, layer=table, driver="GPKG")
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ============================================================== flags: conflicting or ignored
FLAG_CASES = [
    # (id, argv, names the message must contain)
    ("preset-with-scenario", ["compare", "--preset", "botkyrka", "--scenario", "{gpkg}"],
     ["--preset", "--scenario", "ignored"]),
    ("scale-with-scenario", ["compare", "--scale", "0.5", "--scenario", "{gpkg}"],
     ["--scale", "--scenario", "ignored"]),
    ("preset-and-scale-with-scenario",
     ["assign", "--preset", "strangnas", "--scale", "0.1", "--scenario", "{gpkg}"],
     ["--preset and --scale", "--scenario"]),
    ("simulate-scale-with-scenario", ["simulate", "--scale", "0.1", "--scenario", "{gpkg}"],
     ["--scale", "--scenario"]),
    ("scale-1e-6", ["compare", "--scale", "1e-6", "--routing", "approx"],
     ["--scale 1e-06", "gives no client", "strangnas", "0.001"]),
    ("scale-too-small-botkyrka", ["assign", "--preset", "botkyrka", "--scale", "0.0002"],
     ["--scale 0.0002", "gives no client", "botkyrka"]),
    ("scale-zero", ["compare", "--scale", "0"], ["--scale", "(0, 20]", "0.0"]),
    ("scale-negative", ["assign", "--scale", "-1"], ["--scale", "-1.0"]),
    ("scale-nan", ["simulate", "--scale", "nan"], ["--scale", "nan"]),
    ("scale-too-large", ["compare", "--scale", "21"], ["--scale", "21.0"]),
    ("generate-scale-1e-6", ["generate", "--scale", "1e-6"], ["--scale 1e-06", "no client"]),
    ("seed-negative", ["compare", "--seed", "-1", "--scale", "0.05"], ["--seed", "-1"]),
    ("unknown-preset", ["compare", "--preset", "gotham"], ["unknown preset 'gotham'"]),
    ("external-share-with-lov", ["assign", "--regime", "lov", "--external-share", "0.3"],
     ["--external-share", "lou", "'lov'"]),
    ("n-zones-with-lou", ["assign", "--regime", "lou", "--n-zones", "4"],
     ["--n-zones", "zoning", "'lou'"]),
    ("share-in-regime-and-flag", ["assign", "--regime", "lou0.3", "--external-share", "0.2"],
     ["--external-share", "'lou0.3'", "give one"]),
    ("switch-propensity-with-zoning",
     ["assign", "--regime", "zoning", "--switch-propensity", "0.5"],
     ["--switch-propensity", "'zoning'"]),
    ("unknown-regime", ["assign", "--regime", "anarchy", "--scale", "0.05"],
     ["--regime", "'anarchy'"]),
    ("external-share-out-of-range", ["assign", "--regime", "lou", "--external-share", "2"],
     ["external_share", "2.0"]),
    ("max-iterations-with-approx", ["compare", "--routing", "approx", "--max-iterations", "50"],
     ["--max-iterations", "--routing solver", "'approx'"]),
    ("time-limit-with-approx", ["compare", "--routing", "approx", "--time-limit", "5"],
     ["--time-limit", "'approx'"]),
    ("max-iterations-and-time-limit",
     ["compare", "--max-iterations", "50", "--time-limit", "5"],
     ["--max-iterations and --time-limit"]),
    ("max-iterations-zero", ["compare", "--max-iterations", "0"], ["--max-iterations", "0"]),
    ("time-limit-negative", ["compare", "--time-limit", "-1"], ["--time-limit", "-1.0"]),
    ("boundary-code-without-boundary", ["generate", "--boundary-code", "0486"],
     ["--boundary-code", "--boundary"]),
    ("missing-boundary-file", ["generate", "--boundary", "{tmp}/none.geojson"],
     ["--boundary", "file not found", "none.geojson"]),
    ("boundary-not-geodata", ["generate", "--boundary", "{toml}"],
     ["--boundary", "not a file GDAL can read", "ok.toml"]),
    ("simulate-external-share-with-lov",
     ["simulate", "--regime", "lov", "--external-share", "0.3"], ["--external-share", "'lov'"]),
    ("simulate-procured-share-with-lou",
     ["simulate", "--regime", "lou", "--procured-share", "0.3"], ["--procured-share", "'lou'"]),
    ("simulate-schedule-and-external-share",
     ["simulate", "--regime", "lou", "--schedule", "0.2,0.3", "--external-share", "0.2"],
     ["--external-share", "--schedule"]),
    ("simulate-schedule-with-lov", ["simulate", "--regime", "lov", "--schedule", "0.2,0.3"],
     ["--schedule", "'lov'"]),
    ("simulate-bad-schedule", ["simulate", "--regime", "lou", "--schedule", "0.2,lots"],
     ["--schedule", "'0.2,lots'"]),
    ("sweep-workers-zero", ["sweep", "--config", "{toml}", "--workers", "0"],
     ["--workers", "0"]),
    ("sweep-workers-with-scheduler",
     ["sweep", "--config", "{toml}", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
     ["--workers", "--scheduler"]),
]


@pytest.mark.parametrize(("argv", "names"), [c[1:] for c in FLAG_CASES],
                         ids=[c[0] for c in FLAG_CASES])
def test_flags_refused_before_any_work(argv, names, base_gpkg, tmp_path, capsys):
    toml = tmp_path / "ok.toml"
    toml.write_text('[grid]\nscale = 0.05\n[sweep]\nseeds = [0]\n')
    subst = {"{gpkg}": str(base_gpkg), "{tmp}": str(tmp_path), "{toml}": str(toml)}
    argv = [next((a.replace(k, v) for k, v in subst.items() if k in a), a) for a in argv]
    argv = [*argv, "--out", str(tmp_path / "out")] if argv[0] in ("compare", "simulate") \
        else argv
    _refused(capsys, argv, *names)
    assert not (tmp_path / "out").exists()  # nothing written either


# ============================================================== scenario files
def test_scenario_text_file(tmp_path, capsys):
    p = tmp_path / "notes.txt"
    p.write_text("clients, providers\n")
    _refused(capsys, ["compare", "--scenario", str(p), "--routing", "approx", "--out",
                      str(tmp_path / "r")], "not a GeoPackage", repr(str(p)), before_work=False)
    with pytest.raises(ScenarioError, match="not a file GDAL can read") as ei:
        hemopt.Scenario.from_gpkg(p)
    assert ei.value.field == "path" and ei.value.value == str(p)


def test_scenario_empty_file(tmp_path, capsys):
    p = tmp_path / "empty.gpkg"
    p.touch()
    _refused(capsys, ["assign", "--scenario", str(p)], "empty file", "--scenario", str(p))
    with pytest.raises(ScenarioError, match="is an empty file"):
        hemopt.Scenario.from_gpkg(p)


def test_scenario_directory(tmp_path, capsys):
    d = tmp_path / "folder.gpkg"
    d.mkdir()
    _refused(capsys, ["simulate", "--scenario", str(d), "--out", str(tmp_path / "sim")],
             "is a folder", str(d), before_work=False)
    with pytest.raises(ScenarioError, match="is a folder"):
        hemopt.Scenario.from_gpkg(d)


def test_scenario_missing_file(tmp_path, capsys):
    p = tmp_path / "nope.gpkg"
    _refused(capsys, ["compare", "--scenario", str(p)], "file not found", str(p))


def test_scenario_without_clients_layer(tmp_path, capsys):
    import geopandas as gpd

    p = tmp_path / "other.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs=3006), p,
                            layer="other")
    _refused(capsys, ["assign", "--scenario", str(p)], "no layer 'clients'", "['other']",
             before_work=False)


def test_scenario_through_real_entry_point_has_no_traceback(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello\n")
    r = subprocess.run([sys.executable, "-m", "hemopt", "compare", "--scenario", str(p),
                        "--routing", "approx", "--out", str(tmp_path / "r")],
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "DataSourceError" not in r.stderr
    assert "is not a file GDAL can read, not a GeoPackage" in r.stderr and str(p) in r.stderr
    assert not (tmp_path / "r" / "comparison.json").exists()


# the scenario-file cases that already gave clear errors (tests/test_scenario.py tests them on
# tables; here they come from a file through the command line)
def _set(col, value, row=0):
    def change(df):
        df[col] = df[col].astype(object)
        df.loc[row, col] = value
        return df
    return change


def _dup(col):
    def change(df):
        df.loc[1, col] = df.loc[0, col]
        return df
    return change


def _move(row, xy):
    def change(df):
        df.loc[row, "geometry"] = Point(*xy)
        return df
    return change


TABLE_CASES = [
    # (id, table, change, names in the message)
    ("duplicate-client-id", "clients", _dup("client_id"),
     ["'clients'", "'client_id'", "duplicate", "'c00000'"]),
    ("duplicate-provider-id", "providers", _dup("provider_id"),
     ["'providers'", "'provider_id'", "'M'"]),
    ("unknown-provider-in-ranking", "clients", _set("ranking", "E1;ghost"),
     ["'clients'", "row 'c00000'", "'ranking'", "'ghost'"]),
    ("unknown-current-provider", "clients", _set("current_provider", "zz"),
     ["row 'c00000'", "'current_provider'", "'zz'"]),
    ("negative-hours", "clients", _set("hours_per_week", -2.0),
     ["row 'c00000'", "'hours_per_week'", "-2.0"]),
    ("nan-hours", "clients", _set("hours_per_week", float("nan")),
     ["row 'c00000'", "'hours_per_week'", "nan"]),
    ("text-hours", "clients",
     lambda df: df.assign(hours_per_week=["lots", *map(str, df["hours_per_week"][1:])]),
     ["row 'c00000'", "'hours_per_week'", "'lots'"]),
    ("negative-visits", "clients", _set("visits_per_day", -1.0),
     ["row 'c00000'", "'visits_per_day'", "-1.0"]),
    ("negative-capacity", "providers", _set("capacity_clients", -1.0, row=1),
     ["'providers'", "row 'E1'", "'capacity_clients'", "-1.0"]),
    ("bad-provider-kind", "providers", _set("kind", "private", row=1),
     ["row 'E1'", "'kind'", "'private'"]),
    ("unknown-zone-of-provider", "providers", _set("zones", "z9", row=1),
     ["row 'E1'", "'zones'", "'z9'"]),
    ("client-outside-boundary", "clients", _move(0, (500_000.0, 6_500_000.0)),
     ["row 'c00000'", "'geometry'", "outside the municipality boundary"]),
    ("office-outside-boundary", "providers", _move(0, (500_000.0, 6_500_000.0)),
     ["'providers'", "row 'M'", "'geometry'"]),
    ("client-outside-sweden", "clients", _move(0, (100.0, 100.0)),
     ["row 'c00000'", "'geometry'", "outside Sweden", "POINT (100.0 100.0)"]),
    ("client-xy-swapped", "clients", _move(0, (6_580_000.0, 600_000.0)),
     ["row 'c00000'", "'geometry'", "outside Sweden", "Did you swap x and y"]),
    ("client-polygon", "clients",
     lambda df: df.assign(geometry=[g.buffer(5) if i == 0 else g
                                    for i, g in enumerate(df.geometry)]),
     ["row 'c00000'", "'geometry'", "'Polygon'"]),
    ("missing-crs", "clients", lambda df: df.set_crs(None, allow_override=True),
     ["'clients'", "'crs'", "missing CRS"]),
    ("missing-required-column", "clients", lambda df: df.drop(columns="hours_per_week"),
     ["'clients'", "'hours_per_week'", "required column"]),
    ("id-with-separator", "clients", _set("client_id", "a;b"), ["'client_id'", "'a;b'"]),
    ("stairwell-building-mismatch", "clients", _set("building_id", "b99999"),
     ["row 'c00000'", "'building_id'", "'b99999'"]),
    ("base-of-unknown-provider", "bases", _set("provider_id", "ghost"),
     ["'bases'", "'provider_id'", "'ghost'"]),
]


@pytest.mark.parametrize(("table", "change", "names"), [c[1:] for c in TABLE_CASES],
                         ids=[c[0] for c in TABLE_CASES])
def test_scenario_table_errors(table, change, names, base_gpkg, tmp_path, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio's notes on mixed geometry types, no CRS
        path = _variant(base_gpkg, tmp_path, table, change)
    before = _sha(path)
    _refused(capsys, ["assign", "--scenario", str(path)], *names, before_work=False)
    with pytest.raises(ScenarioError):
        hemopt.Scenario.from_gpkg(path)
    assert _sha(path) == before  # the user's file is only read


MISSING_COLUMNS = [
    # (table, column, words of the consequence)
    ("clients", "ranking", "first choice met is undefined"),
    ("clients", "current_provider", "no client has a current provider"),
    ("clients", "visits_per_day", "30-minute visits"),
    ("providers", "zones", "every provider may serve every zone"),
]


@pytest.mark.parametrize(("table", "column", "consequence"), MISSING_COLUMNS,
                         ids=[f"{t}.{c}" for t, c, _ in MISSING_COLUMNS])
def test_missing_optional_column_warns(table, column, consequence, base_gpkg, tmp_path,
                                       capsys):
    path = _variant(base_gpkg, tmp_path, table, lambda df: df.drop(columns=column))
    with pytest.warns(MissingColumnWarning, match=consequence) as rec:
        sc = hemopt.Scenario.from_gpkg(path)
    w = [r.message for r in rec if isinstance(r.message, MissingColumnWarning)]
    assert len(w) == 1 and (w[0].table, w[0].column) == (table, column)
    assert f"table {table!r} has no column {column!r}" in str(w[0]) and str(path) in str(w[0])
    if column == "ranking":
        assert sc.summary()["non_choosers_share"] == 1.0  # the consequence, as stated
    # the command line shows it as one line and goes on
    rc = main(["assign", "--scenario", str(path), "--regime", "lov"])
    err = capsys.readouterr().err
    assert rc == 0
    assert f"hemopt: warning: {path}: table {table!r} has no column {column!r}" in err


def test_ranking_missing_means_first_choice_undefined(base_gpkg, tmp_path):
    """The consequence the warning states is what happens."""
    path = _variant(base_gpkg, tmp_path, "clients", lambda df: df.drop(columns="ranking"))
    with pytest.warns(MissingColumnWarning):
        sc = hemopt.Scenario.from_gpkg(path)
    a = hemopt.assign(sc, hemopt.LOV())
    assert a.summary()["choosers"] == 0
    assert math.isnan(a.summary()["first_choice_pct"])


def test_complete_file_gives_no_warning(base_gpkg):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hemopt.Scenario.from_gpkg(base_gpkg)


def test_providers_without_zones_column_and_no_zones_is_fine(tiny_scenario, tmp_path):
    p = tiny_scenario.providers.copy()
    p["zones"] = [(), ()]
    sc = tiny_scenario.replace(providers=p, zones=tiny_scenario.zones.iloc[:0])
    path = sc.to_gpkg(tmp_path / "t.gpkg")
    layer = pyogrio.read_dataframe(path, layer="providers").drop(columns="zones")
    pyogrio.write_dataframe(layer, path, layer="providers", driver="GPKG")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = hemopt.Scenario.from_gpkg(path)
    assert list(back.providers["zones"]) == [(), ()]


# ============================================================== output paths
@pytest.fixture
def readonly_dir(tmp_path) -> Path:
    """A folder in which files cannot be created (root ignores permissions: use /sys)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        probe = Path("/sys/hemopt-probe")
        try:
            probe.mkdir()
        except OSError:
            yield Path("/sys")
            return
        probe.rmdir()  # pragma: no cover - a writable /sys
        pytest.skip("running as root with a writable /sys: no read-only folder to test")
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    yield d
    d.chmod(0o755)


def test_compare_out_is_a_file(tmp_path, capsys):
    f = tmp_path / "report"
    f.write_text("mine\n")
    _refused(capsys, ["compare", "--scale", "0.05", "--routing", "approx", "--out", str(f)],
             "--out", repr(str(f)), "is a file, but a folder is expected")
    assert f.read_text() == "mine\n"


def test_compare_out_under_a_file(tmp_path, capsys):
    f = tmp_path / "notes"
    f.write_text("mine\n")
    _refused(capsys, ["compare", "--scale", "0.05", "--routing", "approx", "--out",
                      str(f / "report")], "--out", repr(str(f)), "is a file, not a folder")


def test_compare_out_read_only(readonly_dir, capsys):
    _refused(capsys, ["compare", "--scale", "0.05", "--routing", "approx", "--out",
                      str(readonly_dir / "report")], "--out", "cannot write in folder",
             repr(str(readonly_dir)))


def test_compare_out_has_a_folder_named_like_an_output(tmp_path, capsys):
    (tmp_path / "r" / "index.html").mkdir(parents=True)
    _refused(capsys, ["compare", "--scale", "0.05", "--routing", "approx", "--out",
                      str(tmp_path / "r")], "--out", "index.html", "is a folder")


def test_compare_out_in_use(tmp_path, capsys):
    out = tmp_path / "r"
    with output_lock(out, "--out", folder=True):
        msg = _refused(capsys, ["compare", "--scale", "0.05", "--routing", "approx", "--out",
                                str(out)], "--out", repr(str(out)), "in use by another hemopt run",
                       f"pid {os.getpid()}")
    assert "wait for it" in msg
    assert sorted(p.name for p in out.iterdir()) == []  # the lock file went with the lock


def test_assign_out_onto_a_non_geopackage(tmp_path, capsys):
    f = tmp_path / "clients.csv"
    f.write_text("client_id,hours\nc1,3\n")
    _refused(capsys, ["assign", "--scale", "0.05", "--out", str(f)], "--out", repr(str(f)),
             "is not a GeoPackage", "will not overwrite")
    assert f.read_text() == "client_id,hours\nc1,3\n"


def test_assign_out_onto_plain_sqlite(tmp_path, capsys):
    import sqlite3

    f = tmp_path / "db.gpkg"
    with sqlite3.connect(f) as con:
        con.execute("create table t (x int)")
    con.close()
    before = _sha(f)
    _refused(capsys, ["assign", "--scale", "0.05", "--out", str(f)], "is not a GeoPackage")
    assert _sha(f) == before


def test_assign_out_is_a_folder(tmp_path, capsys):
    _refused(capsys, ["assign", "--scale", "0.05", "--out", str(tmp_path)], "--out",
             "is a folder, but a file is expected", "out")


def test_import_out_onto_a_non_geopackage(tmp_path, capsys):
    f = tmp_path / "clients.xlsx.gpkg"
    f.write_text("not a geopackage")
    _refused(capsys, ["import", str(REPO / "examples" / "clients.csv"),
                      str(REPO / "examples" / "providers.csv"), "--out", str(f)], "--out",
             repr(str(f)), "is not a GeoPackage")
    assert f.read_text() == "not a geopackage"


def test_generate_out_onto_a_text_file(tmp_path, capsys):
    f = tmp_path / "s.gpkg"
    f.write_text("not a geopackage")
    _refused(capsys, ["generate", "--scale", "0.05", "--out", str(f)], "--out",
             "is not a GeoPackage")
    assert f.read_text() == "not a geopackage"


def test_generate_out_read_only(readonly_dir, capsys):
    _refused(capsys, ["generate", "--scale", "0.05", "--out", str(readonly_dir / "s.gpkg")],
             "--out", "cannot write in folder")


def test_map_with_unknown_suffix(tmp_path, capsys):
    _refused(capsys, ["generate", "--scale", "0.05", "--map", str(tmp_path / "m.txt")],
             "--map", "'.txt'", ".png")


def test_map_onto_a_file_of_another_kind(tmp_path, capsys):
    f = tmp_path / "m.png"
    f.write_text("a note, not a picture")
    _refused(capsys, ["assign", "--scale", "0.05", "--map", str(f)], "--map",
             "is not a PNG image")
    assert f.read_text() == "a note, not a picture"


def test_sweep_out_is_a_folder(tmp_path, capsys):
    cfg = tmp_path / "s.toml"
    cfg.write_text("[grid]\nscale = 0.05\n[sweep]\nseeds = [0]\n")
    _refused(capsys, ["sweep", "--config", str(cfg), "--out", str(tmp_path)], "--out",
             "is a folder, but a file is expected")


def test_sweep_out_onto_a_non_parquet_file(tmp_path, capsys):
    cfg = tmp_path / "s.toml"
    cfg.write_text("[grid]\nscale = 0.05\n[sweep]\nseeds = [0]\n")
    f = tmp_path / "results.csv"
    f.write_text("a,b\n")
    _refused(capsys, ["sweep", "--config", str(cfg), "--out", str(f)], "--out",
             "is not a Parquet file")
    assert f.read_text() == "a,b\n"


def test_sweep_parts_folder_is_a_file(tmp_path, capsys):
    cfg = tmp_path / "s.toml"
    cfg.write_text("[grid]\nscale = 0.05\n[sweep]\nseeds = [0]\n")
    (tmp_path / "r.parquet.parts").write_text("x")
    _refused(capsys, ["sweep", "--config", str(cfg), "--out", str(tmp_path / "r.parquet")],
             "parts folder", "r.parquet.parts", "is a file")


def test_simulate_out_is_a_file(tmp_path, capsys):
    f = tmp_path / "sim"
    f.write_text("x")
    _refused(capsys, ["simulate", "--scale", "0.05", "--out", str(f)], "--out",
             "is a file, but a folder is expected")


def test_sweep_api_out_in_use(tmp_path):
    out = tmp_path / "parts"
    with output_lock(out, "out", folder=True), pytest.raises(OutputError, match="in use"):
        sweep({"scale": 0.05}, seeds=[0], n_workers=1, out=out, progress=False)


def test_sweep_api_out_is_a_file(tmp_path):
    f = tmp_path / "parts"
    f.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        sweep({"scale": 0.05}, seeds=[0], n_workers=1, out=f, progress=False)


# ============================================================== sweep configuration files
CONFIG_CASES = [
    # (id, TOML text, names the message must contain)
    ("unknown-section", '[grids]\npreset = "strangnas"\n',
     ["unknown section [grids]", "did you mean [grid]", "[cost], [grid], [sweep]"]),
    ("unknown-sweep-key", "[sweep]\nseed = [0]\n",
     ["unknown key in [sweep]: 'seed'", "did you mean 'seeds'"]),
    ("unknown-grid-key", "[grid]\nn_externals = [1, 2]\n",
     ["'n_externals'", "did you mean 'n_external'"]),
    ("unknown-cost-key", "[cost]\nsek_per_mile = 40\n", ["[cost]", "'sek_per_mile'"]),
    ("top-level-key", "seeds = 3\n", ["unknown section [seeds]"]),
    ("section-not-a-table", "grid = 3\n", ["[grid]", "3"]),
    ("max-iterations-string", '[sweep]\nrouting = "solver"\nmax_iterations = "100"\n',
     ["max_iterations", "'100'", "string"]),
    ("routing-unknown", '[sweep]\nrouting = "exact"\n', ["routing", "'exact'"]),
    ("seeds-zero", "[sweep]\nseeds = 0\n", ["seeds", "0"]),
    ("seeds-negative", "[sweep]\nseeds = [0, -1]\n", ["seeds", "[0, -1]"]),
    ("seeds-bool", "[sweep]\nseeds = true\n", ["seeds", "True", "boolean"]),
    ("plot-by-unknown", '[sweep]\nplot_by = "colour"\n', ["plot_by", "'colour'"]),
    ("value-of-choice-negative", '[sweep]\nplot_by = "scale"\nvalue_of_choice_sek = -5\n',
     ["value_of_choice_sek", "-5"]),
    ("value-of-choice-without-plot", "[sweep]\nvalue_of_choice_sek = 50000\n",
     ["value_of_choice_sek", "plot_by"]),
    ("max-iterations-with-approx", "[sweep]\nmax_iterations = 100\n",
     ["max_iterations", "routing = 'solver'"]),
    ("cost-negative", "[cost]\nsek_per_km = -1\n", ["sek_per_km", "-1"]),
    ("scale-string", '[grid]\nscale = "big"\n', ["grid['scale']", "'big'", "string"]),
    ("scale-list-item", "[grid]\nscale = [0.5, -1]\n", ["grid['scale'][1]", "-1"]),
    ("scale-too-small", "[grid]\nscale = 1e-6\n", ["grid['scale']", "1e-06", "no client"]),
    ("preset-unknown", '[grid]\npreset = ["strangnas", "gotham"]\n',
     ["grid['preset'][1]", "'gotham'"]),
    ("n-external-float", "[grid]\nn_external = 2.5\n", ["grid['n_external']", "2.5"]),
    ("external-share-above-one", "[grid]\nexternal_share = [0.2, 1.5]\n",
     ["grid['external_share'][1]", "1.5"]),
    ("empty-list", "[grid]\nn_zones = []\n", ["grid['n_zones']", "empty"]),
    ("invalid-toml", "[grid\nscale = 1\n", ["not valid TOML"]),
]


@pytest.mark.parametrize(("text", "names"), [c[1:] for c in CONFIG_CASES],
                         ids=[c[0] for c in CONFIG_CASES])
def test_sweep_config_refused(text, names, tmp_path, capsys):
    cfg = tmp_path / "s.toml"
    cfg.write_text(text)
    out = tmp_path / "r.parquet"
    msg = _refused(capsys, ["sweep", "--config", str(cfg), "--out", str(out)], "--config",
                   str(cfg), *names)
    assert "Traceback" not in msg
    assert not out.exists() and not out.with_name("r.parquet.parts").exists()
    with pytest.raises(InputError):
        read_config(cfg)


def test_sweep_config_missing_or_folder(tmp_path, capsys):
    _refused(capsys, ["sweep", "--config", str(tmp_path / "none.toml")], "--config",
             "file not found", "none.toml")
    _refused(capsys, ["sweep", "--config", str(tmp_path)], "--config", "is a folder")


def test_example_config_is_valid():
    cfg = read_config(REPO / "examples" / "sweep.toml")
    assert cfg["seeds"] == [0, 1, 2, 3, 4] and cfg["plot_by"] == "n_external"
    assert cfg["grid"]["n_external"] == [1, 3, 5, 7, 10, 15]


# ============================================================== library calls
def test_tasks_of_refuses_and_does_not_mutate():
    grid = {"preset": "strangnas", "scale": [0.05, 0.1]}
    before = {k: (list(v) if isinstance(v, list) else v) for k, v in grid.items()}
    tasks_of(grid, seeds=[0])
    assert grid == before
    with pytest.raises(InputError, match=r"grid\['scale'\]\[1\] must be a number in \(0, 20\], "
                                         r"got 'x' \(string\)"):
        tasks_of({"scale": [0.5, "x"]}, seeds=[0])
    with pytest.raises(InputError, match="unknown key 'colour'"):
        tasks_of({"colour": [1]}, seeds=[0])
    with pytest.raises(InputError, match="routing must be 'approx' or 'solver', got 'fast'"):
        tasks_of({}, seeds=[0], routing="fast")
    with pytest.raises(InputError, match="cost: unknown key 'sek_per_mile'"):
        tasks_of({}, seeds=[0], cost={"sek_per_mile": 1.0})
    with pytest.raises(InputError, match="seeds must be"):
        tasks_of({}, seeds="012")


# ============================================================== where data enters (issue 26)
# Each test is named test_rule_<id> after the rule's id in docs/refuses.md
# (test_every_rule_on_the_refusals_page_has_a_test checks that).
import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402

from hemopt.errors import DroppedColumnWarning, PlausibilityWarning  # noqa: E402

X0, Y0 = 615_400.0, 6_583_800.0  # Strängnäs, SWEREF 99 TM
SUNDSVALL = (617_000.0, 6_921_000.0)


def _tables(n: int = 3, crs: str = "EPSG:3006", xy=None, **cols):
    xy = xy or [(X0 + 100 * i, Y0) for i in range(n)]
    clients = gpd.GeoDataFrame(
        {"client_id": [f"k{i}" for i in range(n)], "hours_per_week": [3.0] * n, **cols},
        geometry=gpd.points_from_xy([p[0] for p in xy], [p[1] for p in xy]), crs=crs)
    providers = gpd.GeoDataFrame({"provider_id": ["M"], "kind": ["municipal"]},
                                 geometry=[Point(X0, Y0 + 200)], crs="EPSG:3006")
    return clients, providers


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


PROVIDERS_CSV = "provider_id,kind,x,y\nM,municipal,615380,6583650\nE1,external,615900,6583300\n"


@pytest.mark.parametrize("hours", [168.5, 1000.0, 1e15, -1.0])
def test_rule_hours_range(hours, tmp_path):
    c, p = _tables()
    c.loc[1, "hours_per_week"] = hours
    with pytest.raises(ScenarioError) as err:
        hemopt.Scenario(c, p)
    msg = str(err.value)
    assert "table 'clients', row 'k1', field 'hours_per_week'" in msg
    assert "at most 168 hours a week" in msg and repr(hours) in msg
    # the same rule where a client list is imported, named by file and line
    f = _csv(tmp_path, "c.csv",
             f"client_id,hours_per_week,x,y\na,3,{X0},{Y0}\nb,{hours},{X0},{Y0}\n")
    with pytest.raises(ScenarioError, match=r"c\.csv, line 3, column 'hours_per_week': must be a "
                                            r"number >= 0"):
        hemopt.Scenario.from_tables(f, _csv(tmp_path, "p.csv", PROVIDERS_CSV), salt="s")


def test_rule_visits_range():
    c, p = _tables(visits_per_day=[1.0, 500.0, 2.0])
    with pytest.raises(ScenarioError, match=r"row 'k1', field 'visits_per_day': .*at most 96"):
        hemopt.Scenario(c, p)


def test_rule_import_hours_range(tmp_path, capsys):
    f = _csv(tmp_path, "c.csv", f"client_id,hours_per_week,x,y\na,1e15,{X0},{Y0}\n")
    _refused(capsys, ["import", str(f), str(_csv(tmp_path, "p.csv", PROVIDERS_CSV)), "--out",
                      str(tmp_path / "s.gpkg"), "--salt", "s"],
             "line 2", "'hours_per_week'", "at most 168", "'1e15'", before_work=False)
    assert not (tmp_path / "s.gpkg").exists()


def test_rule_sweden_extent():
    c, p = _tables(xy=[(X0, Y0), (100.0, 100.0), (X0, Y0 + 50)])
    with pytest.raises(ScenarioError, match=r"row 'k1', field 'geometry': lies outside Sweden.*"
                                            r"POINT \(100\.0 100\.0\)"):
        hemopt.Scenario(c, p)
    # a projected CRS that is not Swedish: converted, then found outside
    c, p = _tables(xy=[(500_000.0, 5_000_000.0)] * 3, crs="EPSG:32633")
    with pytest.raises(ScenarioError, match="outside Sweden"):
        hemopt.Scenario(c, p)


def test_rule_latlon_swapped(tmp_path):
    # WGS84 points built as (lat, lon) instead of (lon, lat): no boundary, so nothing else
    # would have noticed (before, the clients landed in the Indian Ocean)
    c, p = _tables(crs="EPSG:4326", xy=[(59.37, 17.03), (59.38, 17.04), (59.375, 17.035)])
    with pytest.raises(ScenarioError) as err:
        hemopt.Scenario(c, p)
    msg = str(err.value)
    assert "row 'k0', field 'geometry'" in msg and "did you swap latitude and longitude?" in \
        msg.lower()
    f = _csv(tmp_path, "c.csv", "client_id,hours_per_week,Latitud,Longitud\na,3,17.03,59.37\n")
    with pytest.raises(ScenarioError, match=r"line 2, column 'Latitud': .*did you swap latitude "
                                            r"and longitude\?"):
        hemopt.Scenario.from_tables(f, _csv(tmp_path, "p.csv", PROVIDERS_CSV), salt="s")


def test_rule_xy_swapped():
    c, p = _tables(xy=[(Y0, X0)] * 3)
    with pytest.raises(ScenarioError, match=r"Did you swap x and y\? In SWEREF 99 TM x is the "
                                            "easting"):
        hemopt.Scenario(c, p)


def test_rule_isolated_point(tmp_path, capsys):
    c, p = _tables(xy=[(X0, Y0), (X0 + 100, Y0), SUNDSVALL])
    with pytest.warns(PlausibilityWarning) as rec:
        sc = hemopt.Scenario(c, p)
    msg = str(rec[0].message)
    assert "table 'clients', row 'k2' is 337.0 km from every other point" in msg
    assert f"covers {sc.area.area / 1e6:,.0f} km²" in msg and "--boundary" in msg
    # with the boundary given the point is simply outside it: refused
    with pytest.raises(ScenarioError, match="outside the municipality boundary"):
        hemopt.Scenario(c, p, boundary=Point(X0, Y0).buffer(5000))
    # import: named by file and line (the id may be a personnummer), in Python and the CLI
    f = _csv(tmp_path, "c.csv", "client_id,hours_per_week,x,y\n"
             f"a,3,{X0},{Y0}\nb,3,{SUNDSVALL[0]},{SUNDSVALL[1]}\n")
    pf = _csv(tmp_path, "p.csv", PROVIDERS_CSV)
    with pytest.warns(PlausibilityWarning, match=r"c\.csv, line 3 is 33\d\.\d km from every"):
        hemopt.Scenario.from_tables(f, pf, salt="s")
    assert main(["import", str(f), str(pf), "--out", str(tmp_path / "s.gpkg"), "--salt",
                 "s"]) == 0
    err = capsys.readouterr().err
    assert "hemopt: warning: " in err and "c.csv, line 3 is" in err


@pytest.mark.parametrize("bad", ["k\x00 1", "k\t1", "k\n1"])
def test_rule_id_printable(bad, tmp_path):
    c, p = _tables()
    c.loc[1, "client_id"] = bad
    with pytest.raises(ScenarioError, match=r"field 'client_id': contains the non-printable "
                                            r"character U\+00"):
        hemopt.Scenario(c, p)
    p2 = p.copy()
    p2.loc[0, "name"] = bad
    with pytest.raises(ScenarioError, match=r"field 'name': contains the non-printable"):
        hemopt.Scenario(c.iloc[[0, 2]], p2)


def test_rule_id_round_trip(tmp_path):
    # what is accepted is written and read back exactly (no truncation, no normalisation)
    ids = ["K-1", " leading space", "Åsa 1", "0071", "a'b\"c", "=1+1"]
    c, p = _tables(n=len(ids))
    c["client_id"] = ids
    sc = hemopt.Scenario(c, p)
    back = hemopt.Scenario.from_gpkg(sc.to_gpkg(tmp_path / "s.gpkg"))
    assert list(back.clients["client_id"]) == ids


def test_rule_id_unique():
    c, p = _tables()
    c.loc[2, "client_id"] = "k0"
    with pytest.raises(ScenarioError, match=r"row 'k0', field 'client_id': duplicate id"):
        hemopt.Scenario(c, p)


@pytest.mark.parametrize("cap", [-1.0, "many"])
def test_rule_capacity_nonneg(cap):
    c, p = _tables()
    p["capacity_hours"] = pd.Series([cap], dtype=object)
    with pytest.raises(ScenarioError, match=r"row 'M', field 'capacity_hours'"):
        hemopt.Scenario(c, p)


def test_rule_swedish_headers(tmp_path):
    clients = _csv(tmp_path, "brukare.csv", (
        "Brukar-ID;Beviljade timmar;Latitud;Longitud;Utförare;Rangordning\n"
        "B1;3,5;59,3771;17,0312;M;\"E1;M\"\n"
        "B2;10;59,3780;17,0500;E1;E1|M\n"))
    providers = _csv(tmp_path, "utforare.csv", (
        "Utförare-ID;Namn;Regi;Kontorsadress;Max antal brukare;Max timmar;Serviceområden\n"
        "M;Hemtjänsten;kommunal;Storgatan 1;;;\n"
        "E1;Omsorg AB;privat;Torget 2;8;120;Z1\n"))
    addresses = _csv(tmp_path, "adresser.csv",
                     "Adress;Latitud;Longitud\nStorgatan 1;59,3790;17,0420\n"
                     "Torget 2;59,3712;17,0190\n")
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"]}, geometry=[Point(X0, Y0).buffer(5000)],
                             crs="EPSG:3006")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every column understood: no warning
        sc = hemopt.Scenario.from_tables(clients, providers, addresses=addresses, zones=zones,
                                         salt="s")
    pr = sc.providers.set_index("provider_id")
    assert pr.loc["E1", "capacity_clients"] == 8 and pr.loc["E1", "capacity_hours"] == 120
    assert pr.loc["E1", "zones"] == ("Z1",) and pr.loc["M", "capacity_clients"] == float("inf")
    assert list(sc.clients["ranking"]) == [("E1", "M"), ("E1", "M")]
    assert list(sc.clients["hours_per_week"]) == [3.5, 10.0]


def test_rule_ranking_in_semicolon_file(tmp_path):
    pf = _csv(tmp_path, "p.csv", PROVIDERS_CSV)
    f = _csv(tmp_path, "c.csv", f"client_id;hours_per_week;x;y;ranking\na;3;{X0};{Y0};E1;M\n")
    with pytest.raises(ScenarioError) as err:
        hemopt.Scenario.from_tables(f, pf, salt="s")
    msg = str(err.value)
    assert "line 2" in msg and "'ranking'" in msg and "quote the cell" in msg and "E1|E3" in msg
    quoted = _csv(tmp_path, "q.csv",
                  f"client_id;hours_per_week;x;y;ranking\na;3;{X0};{Y0};\"E1;M\"\n")
    sc = hemopt.Scenario.from_tables(quoted, pf, salt="s")
    assert sc.clients["ranking"].iloc[0] == ("E1", "M")


def test_rule_dropped_column_warns(tmp_path, capsys):
    f = _csv(tmp_path, "c.csv", f"client_id,hours_per_week,x,y,Max antal besok,Telefon\n"
             f"a,3,{X0},{Y0},4,070-1\n")
    pf = _csv(tmp_path, "p.csv", PROVIDERS_CSV)
    with pytest.warns(DroppedColumnWarning) as rec:
        hemopt.Scenario.from_tables(f, pf, salt="s")
    msg = str(rec[0].message)
    assert "columns not understood, dropped: 'Max antal besok'" in msg
    assert "'Telefon'" in msg and rec[0].message.table == "clients"
    # a DataFrame too (before, from_tables warned of nothing)
    df = pd.DataFrame({"client_id": ["a"], "hours_per_week": [3], "x": [X0], "y": [Y0],
                       "hours per weak": [2]})
    with pytest.warns(DroppedColumnWarning, match=r"'hours per weak' \(did you mean "
                                                  r"'hours_per_week'\?\)"):
        hemopt.Scenario.from_tables(df, pf, salt="s")
    assert main(["import", str(f), str(pf), "--out", str(tmp_path / "s.gpkg"), "--salt",
                 "s"]) == 0
    assert "hemopt: warning: " in capsys.readouterr().err


def test_rule_salt_secret(tmp_path, monkeypatch):
    salt_file = tmp_path / "secret" / "salt"
    monkeypatch.setenv("HEMOPT_SALT_FILE", str(salt_file))
    monkeypatch.delenv("HEMOPT_SALT", raising=False)
    f = _csv(tmp_path, "c.csv", f"client_id,hours_per_week,x,y\n19400101-1234,3,{X0},{Y0}\n")
    pf = _csv(tmp_path, "p.csv", PROVIDERS_CSV)
    sc = hemopt.Scenario.from_tables(f, pf)
    salt = salt_file.read_text().strip()
    assert len(salt) == 64 and (salt_file.stat().st_mode & 0o777) == 0o600
    notes = " ".join(sc.meta["import"]["notes"])
    assert "generated now" in notes and str(salt_file) in notes
    assert sc.meta["import"]["salt"] == "local"
    out = sc.to_gpkg(tmp_path / "out" / "s.gpkg")
    assert salt.encode() not in out.read_bytes() and b"19400101" not in out.read_bytes()
    # the next import reuses it: the same pseudonyms
    again = hemopt.Scenario.from_tables(f, pf)
    assert list(again.clients["client_id"]) == list(sc.clients["client_id"])
    assert "generated now" not in " ".join(again.meta["import"]["notes"])
    with pytest.raises(InputError, match="'hemopt-default-salt' is public"):
        hemopt.Scenario.from_tables(f, pf, salt="hemopt-default-salt")


def test_rule_pseudonym_enumeration():
    """A salted pseudonym of a personnummer is not found by enumerating birth dates and check
    digits without the salt; with the salt (or the old public one) it is, quickly."""
    import datetime as dt

    from hemopt.tables import pseudonym

    pnr = "19400101-1234"
    secret = "a secret only the municipality holds"
    target = pseudonym(pnr, secret)

    def enumerate_with(salt: str) -> str | None:
        day = dt.date(1940, 1, 1) - dt.timedelta(days=3)
        for _ in range(7):
            for last in range(1200, 1300):
                cand = f"{day:%Y%m%d}-{last:04d}"
                if pseudonym(cand, salt) == target:
                    return cand
            day += dt.timedelta(days=1)
        return None

    # the attack that worked against the old default: recovered at once with the right salt
    assert enumerate_with(secret) == pnr
    # without it (the old public salt, or any guess) nothing matches
    for guess in ("hemopt-default-salt", "", "salt", secret[:-1]):
        if guess:
            assert enumerate_with(guess) is None


def test_rule_keep_column_personnummer(tmp_path):
    f = _csv(tmp_path, "c.csv", f"client_id,hours_per_week,x,y,pnr,district\n"
             f"a,3,{X0},{Y0},19400101-1234,D1\nb,4,{X0},{Y0},,D2\n")
    pf = _csv(tmp_path, "p.csv", PROVIDERS_CSV)
    with pytest.raises(InputError, match=r"keep_columns: column 'pnr' of .*c\.csv holds values "
                                         r"that look like personnummer \(line 2\)"):
        hemopt.Scenario.from_tables(f, pf, salt="s", keep_columns=["pnr"])
    with pytest.warns(DroppedColumnWarning):
        sc = hemopt.Scenario.from_tables(f, pf, salt="s", keep_columns=["district"])
    assert list(sc.clients["district"]) == ["D1", "D2"] and "pnr" not in sc.clients.columns


def test_rule_csv_formula_neutralised(tmp_path):
    import openpyxl

    from hemopt._io import write_csv, write_excel

    df = pd.DataFrame({"staff_id": ['=HYPERLINK("http://evil","x")', "+A1", "@SUM(A1)",
                                    "-2+3", "anna"],
                       "km": [-2.5, 1.0, 0.0, 3.0, 4.0], "note": ["-5", "", "x", "\t=1", "ok"]})
    before = df.copy()
    p = write_csv(df, tmp_path / "stops.csv")
    back = pd.read_csv(p, keep_default_na=False)
    assert list(back["staff_id"]) == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+A1", "'@SUM(A1)",
                                      "'-2+3", "anna"]
    assert list(back["km"]) == [-2.5, 1.0, 0.0, 3.0, 4.0]  # numbers stay numbers
    assert list(back["note"]) == ["-5", "", "x", "'\t=1", "ok"]  # a plain number is no formula
    pd.testing.assert_frame_equal(df, before)  # the caller's frame is not changed
    x = write_excel({"stops": df}, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(x)["stops"]
    assert ws["A2"].value.startswith("'=") and ws["A2"].data_type == "s"
    assert ws["B2"].value == -2.5


def test_rule_csv_formula_numbers(tmp_path):
    from hemopt._io import neutralise_cell

    assert neutralise_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert neutralise_cell(-1) == -1 and neutralise_cell("-1e3") == "-1e3"


def test_every_rule_on_the_refusals_page_has_a_test():
    import re

    page = (REPO / "docs" / "refuses.md").read_text(encoding="utf-8")
    ids, in_ids = [], False  # the first cell of the rows of tables headed "| id |"
    for line in page.splitlines():
        if line.startswith("| id |"):
            in_ids = True
        elif not line.startswith("|"):
            in_ids = False
        elif in_ids and (m := re.match(r"^\| `([a-z0-9_]+)` \|", line)):
            ids.append(m.group(1))
    assert len(ids) >= 15 and len(set(ids)) == len(ids)
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").glob("test_*.py"))
    missing = [i for i in ids if not re.search(rf"def test_rule_{i}\b", tests)]
    assert not missing, f"rules on docs/refuses.md without a test_rule_<id>: {missing}"
