"""The command line."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hemopt.cli import main
from hemopt.scenario import Scenario

REPO = Path(__file__).resolve().parents[1]


def test_generate_writes_gpkg_and_map(tmp_path, capsys):
    out, png = tmp_path / "s.gpkg", tmp_path / "map.png"
    rc = main(["generate", "--preset", "botkyrka", "--seed", "2", "--scale", "0.1",
               "--out", str(out), "--map", str(png)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "clients" in text and "clients per stairwell" in text and "N1" in text
    sc = Scenario.from_gpkg(out)
    assert sc.meta["seed"] == 2 and sc.meta["preset"] == "botkyrka"
    assert f"{sc.n_clients:>8}" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000


def test_bad_preset_is_a_clear_error(capsys):
    rc = main(["generate", "--preset", "gotham"])
    assert rc == 2
    assert "unknown preset 'gotham'" in capsys.readouterr().err


def test_missing_boundary_file(tmp_path, capsys):
    rc = main(["generate", "--boundary", str(tmp_path / "none.geojson")])
    assert rc == 2
    assert "file not found" in capsys.readouterr().err


def test_entry_point_module():
    r = subprocess.run([sys.executable, "-m", "hemopt", "--version"], capture_output=True,
                       text=True, check=True)
    assert r.stdout.startswith("hemopt ")


def test_assign_all_regimes(tmp_path, capsys):
    import pyogrio

    out = tmp_path / "a.gpkg"
    for regime in ("lov", "lou", "zoning"):
        png = tmp_path / f"{regime}.png"
        share = ["--external-share", "0.2"] if regime == "lou" else []
        rc = main(["assign", "--preset", "botkyrka", "--seed", "1", "--scale", "0.2",
                   "--regime", regime, *share, "--out", str(out), "--map", str(png)])
        assert rc == 0
        text = capsys.readouterr().out
        assert "first choice met" in text and "queue" in text
        assert png.stat().st_size > 20_000
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert {"assignment_lov", "assignment_lou", "assignment_zoning"} <= layers


def test_assign_bad_regime(capsys):
    assert main(["assign", "--regime", "anarchy", "--scale", "0.05"]) == 2
    assert "unknown regime 'anarchy'" in capsys.readouterr().err
    assert main(["assign", "--regime", "lou", "--external-share", "2", "--scale", "0.05"]) == 2
    assert "external_share must be a share" in capsys.readouterr().err


def test_compare_writes_report_and_json(tmp_path, capsys):
    import json

    import jsonschema

    from hemopt.compare import load_schema

    out = tmp_path / "report"
    rc = main(["compare", "--preset", "strangnas", "--seed", "1", "--scale", "0.05",
               "--max-iterations", "50", "--out", str(out)])
    assert rc == 0
    captured = capsys.readouterr()
    assert "Driving (km per day)" in captured.out and "Zoning" in captured.out
    assert "Variable cost (MSEK per year)" in captured.out  # rows from the KPI registry
    assert "Fixed cost (MSEK per year)" in captured.out
    assert "[3/3] Zoning" in captured.err  # progress
    doc = json.loads((out / "comparison.json").read_text())
    jsonschema.validate(doc, load_schema())
    assert doc["scenario"]["meta"]["seed"] == 1
    assert (out / "index.html").stat().st_size > 50_000
    # continuity of care is on by default, for every regime
    assert "Staff met in 14 days, clients with daily visits (median)" in captured.out
    assert "continuity of care (14 days, every regime and seed)" in captured.err
    for rec in doc["regimes"]:
        assert rec["staff_per_client_14d_median"] <= rec["staff_per_client_14d_p90"]
        assert 0 < rec["contact_person_visit_pct"] <= 100


def test_compare_no_continuity_flag():
    from hemopt.cli.main import build_parser

    p = build_parser()
    assert p.parse_args(["compare"]).continuity is None  # on up to 5,000 clients
    assert p.parse_args(["compare", "--continuity"]).continuity is True
    assert p.parse_args(["compare", "--no-continuity"]).continuity is False
    with pytest.raises(SystemExit):
        p.parse_args(["compare", "--continuity", "--no-continuity"])


def test_compare_on_own_gpkg(tmp_path, capsys):
    from hemopt.synth import generate

    path = generate("botkyrka", seed=2, scale=0.03).to_gpkg(tmp_path / "own.gpkg")
    rc = main(["compare", "--scenario", str(path), "--max-iterations", "30",
               "--out", str(tmp_path / "r")])
    assert rc == 0
    assert "LOU" in capsys.readouterr().out


def _hemopt(*argv: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hemopt", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


def _seeds_of_report(out: Path) -> tuple[int, int]:
    """(seed in comparison.json, seed in index.html's parameters) of a report folder."""
    doc = json.loads((out / "comparison.json").read_text())
    m = re.search(r"<pre>(.*?)</pre>", (out / "index.html").read_text(), re.S)
    assert m is not None
    return doc["parameters"]["seed"], json.loads(html.unescape(m.group(1)))["seed"]


def test_two_compare_runs_on_one_folder(tmp_path):
    out = tmp_path / "report"
    # a second run while the first holds the folder is refused at once, and says by whom
    first = _hemopt("compare", "--scale", "0.05", "--seed", "1", "--max-iterations", "300",
                    "--out", str(out))
    deadline = time.monotonic() + 60
    while not (out / ".hemopt.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (out / ".hemopt.lock").exists()
    second = _hemopt("compare", "--scale", "0.05", "--seed", "2", "--routing", "approx",
                     "--out", str(out))
    _, err2 = second.communicate(timeout=120)
    _, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 2, err2
    assert f"is in use by another hemopt run (pid {first.pid} " in err2
    assert "Traceback" not in err2 and "generating preset" not in err2
    assert _seeds_of_report(out) == (1, 1)
    assert sorted(p.name for p in out.iterdir()) == [
        "assignments.gpkg", "comparison.json", "comparison.xlsx", "index.html"]
    # started together: whatever the timing, the folder holds one run's files, never a mix
    runs = [_hemopt("compare", "--scale", "0.05", "--seed", str(s), "--routing", "approx",
                    "--out", str(out)) for s in (3, 4)]
    results = [(r.wait(timeout=300), r.stderr.read()) for r in runs]
    for r in runs:
        r.stdout.close()
        r.stderr.close()
    assert all(rc in (0, 2) for rc, _ in results) and any(rc == 0 for rc, _ in results)
    for rc, err in results:
        assert rc == 0 or "in use by another hemopt run" in err
    seeds = _seeds_of_report(out)
    assert seeds[0] == seeds[1] and seeds[0] in (3, 4)
    assert sorted(p.name for p in out.iterdir()) == [
        "assignments.gpkg", "comparison.json", "comparison.xlsx", "index.html"]


def test_stale_lock_file_does_not_block(tmp_path, capsys):
    out = tmp_path / "report"
    out.mkdir()
    (out / ".hemopt.lock").write_text("pid 999999 on elsewhere since 2020-01-01: killed run\n")
    rc = main(["compare", "--scale", "0.05", "--routing", "approx", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == [
        "assignments.gpkg", "comparison.json", "comparison.xlsx", "index.html"]


def test_failed_write_leaves_the_old_file(tmp_path):
    from hemopt._io import atomic_path, atomic_write_text

    target = atomic_write_text(tmp_path / "comparison.json", '{"old": true}\n')
    with pytest.raises(RuntimeError, match="disk on fire"), atomic_path(target) as tmp:
        tmp.write_text('{"new": tr')
        raise RuntimeError("disk on fire")
    assert target.read_text() == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["comparison.json"]


def test_assign_adds_a_layer_to_an_existing_scenario_file(tmp_path, capsys):
    import pyogrio

    out = tmp_path / "s.gpkg"
    assert main(["generate", "--scale", "0.05", "--out", str(out)]) == 0
    assert main(["assign", "--scale", "0.05", "--regime", "lou", "--out", str(out)]) == 0
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert {"clients", "providers", "hemopt_meta", "assignment_lou"} <= layers
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.gpkg"]  # no temporary left
    capsys.readouterr()


def test_compare_no_care_leaves_care_figures_unmodelled(tmp_path, capsys):
    """`--no-care` routes every visit with one staff member: the care columns are NaN (not
    modelled), and the kilometres are those of compare(care=CareParams(enabled=False))."""
    import json
    import math

    from hemopt.cli import main
    from hemopt.day import CareParams

    out = tmp_path / "rep"
    assert main(["compare", "--preset", "strangnas", "--scale", "0.05", "--seed", "1",
                 "--seeds", "1", "--max-iterations", "30", "--no-care", "--no-continuity",
                 "--no-decompose", "--out", str(out)]) == 0
    capsys.readouterr()
    doc = json.loads((out / "comparison.json").read_text())
    import hemopt

    rows = {r["name"]: r for r in doc["regimes"]}
    sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    ref = hemopt.compare(sc, seed=1, max_iterations=30, continuity=False,
                         care=CareParams(enabled=False))
    on = hemopt.compare(sc, seed=1, max_iterations=30, continuity=False)
    assert set(rows) == set(ref.table.index) == {"LOV", "LOU", "Zoning"}
    for name, row in rows.items():
        v = row["double_staffed_visits_served"]
        assert v is None or math.isnan(v)
        assert row["driven_km_per_day"] == pytest.approx(
            ref.table.loc[name, "driven_km_per_day"])
        assert on.table.loc[name, "breaks_taken"] >= 0  # modelled by default
