"""The command line."""

from __future__ import annotations

import subprocess
import sys

from hemopt.cli import main
from hemopt.scenario import Scenario


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
    assert "km driven per day" in captured.out and "Zoning" in captured.out
    assert "[3/3] Zoning" in captured.err  # progress
    doc = json.loads((out / "comparison.json").read_text())
    jsonschema.validate(doc, load_schema())
    assert doc["scenario"]["meta"]["seed"] == 1
    assert (out / "index.html").stat().st_size > 50_000


def test_compare_on_own_gpkg(tmp_path, capsys):
    from hemopt.synth import generate

    path = generate("botkyrka", seed=2, scale=0.03).to_gpkg(tmp_path / "own.gpkg")
    rc = main(["compare", "--scenario", str(path), "--max-iterations", "30",
               "--out", str(tmp_path / "r")])
    assert rc == 0
    assert "LOU" in capsys.readouterr().out
