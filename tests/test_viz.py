"""The viz layer (hemopt/viz/): results hold data only, the report comes from templates
(autoescaped, packaged, every text translated), the report takes the intervals a
SeedComparison holds instead of recomputing them, and notebooks get their HTML through
IPython's display formatter.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path, PurePosixPath

import pytest

import hemopt
from hemopt.i18n import SV
from hemopt.viz._html import render
from hemopt.viz.format import seed_intervals
from hemopt.viz.notebook import html_fragment, register_notebook_display, seeds_html_fragment
from hemopt.viz.tables import key_table

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "hemopt" / "viz" / "templates"


@pytest.fixture(scope="module")
def seeds():
    """LOV and zoning on a small Strängnäs, two seeds, no decomposition."""
    return hemopt.compare_seeds(lambda s: hemopt.generate("strangnas", seed=s, scale=0.05),
                                seeds=(1, 2), regimes=lambda sc: [hemopt.LOV(), hemopt.Zoning()],
                                max_iterations=20, continuity=False, decompose=False)


def test_results_hold_data_only():
    """No result draws or writes a report itself: the viz functions do."""
    drawn = {
        hemopt.Comparison: ("plot", "plot_choice_cost", "maps", "to_html", "to_excel",
                            "to_gpkg", "explore", "_repr_html_"),
        hemopt.SeedComparison: ("to_html", "to_excel", "_repr_html_"),
        hemopt.Assignment: ("plot", "explore", "_repr_html_"),
        hemopt.Scenario: ("plot", "_repr_html_"),
        hemopt.SimulationResult: ("plot",),
    }
    for cls, names in drawn.items():
        for name in names:
            assert not hasattr(cls, name), f"{cls.__name__}.{name}"
    import importlib.util

    assert importlib.util.find_spec("hemopt._views") is None  # no functions looked up by name


def test_every_template_text_has_a_swedish_translation():
    texts = [m.group(1) for f in TEMPLATES.rglob("*.html")
             for m in re.finditer(r'\bt\("((?:[^"\\]|\\.)*)"', f.read_text(encoding="utf-8"))]
    assert len(texts) > 30  # the report's prose lives in the templates
    missing = [x for x in texts if x not in SV]
    assert not missing, missing


def test_templates_are_package_data():
    """Every template file matches a package-data pattern of pyproject.toml, so the wheel
    holds it."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = cfg["tool"]["setuptools"]["package-data"]["hemopt"]
    files = [PurePosixPath(p.relative_to(ROOT / "hemopt").as_posix())
             for p in TEMPLATES.rglob("*") if p.is_file()]
    assert len(files) >= 20
    for f in files:
        assert any(f.full_match(p) if hasattr(f, "full_match") else
                   (f.match(p) and len(f.parts) == len(PurePosixPath(p).parts))
                   for p in patterns), f


def test_templates_escape_what_they_are_given():
    page = str(render("fragment.html", regimes="LOV", name="<script>alert(1)</script>",
                      clients="12", run="One seed (1).", table=""))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    table = str(render("table.html", header=["a & b"], rows=[["<b>"]], classes=[""],
                       left=()))
    assert "<th>a &amp; b</th>" in table and "<td>&lt;b&gt;</td>" in table


def test_report_takes_the_intervals_the_seed_comparison_holds(seeds):
    """Change the held interval of one headline KPI: the key figures show the held value,
    so the report reads SeedComparison.intervals and does not recompute it; a KPI it does
    not hold is summarised from the per-seed table."""
    iv = seeds.intervals.copy()
    row = (iv["regime"] == "Zoning") & (iv["kpi"] == "driven_km_per_day")
    assert row.sum() == 1
    iv.loc[row, ["median", "low", "high"]] = [12345.0, 12000.0, 12999.0]
    held = dataclasses.replace(seeds, intervals=iv)
    got = seed_intervals(held, ["driven_km_per_day", "drive_hours_per_day"])
    assert got.at[("Zoning", "driven_km_per_day"), "median"] == 12345.0
    assert "drive_hours_per_day" not in set(seeds.intervals["kpi"])  # not held: computed
    per = seeds.per_seed.xs("Zoning", level="regime")["drive_hours_per_day"].astype(float)
    assert got.at[("Zoning", "drive_hours_per_day"), "median"] == pytest.approx(per.median())
    assert list(got.index.get_level_values(0)) == ["LOV", "LOV", "Zoning", "Zoning"]
    html = key_table(held.headline, held)
    assert "12,345<span class='rng'>[12,000–12,999]</span>" in html
    assert "12,345" not in key_table(seeds.headline, seeds)


class _Formatter:
    def __init__(self) -> None:
        self.types: dict[type, object] = {}

    def for_type(self, cls: type, func: object) -> None:
        self.types[cls] = func


class _Shell:
    def __init__(self) -> None:
        self.display_formatter = type("DF", (), {})()
        self.display_formatter.formatters = {"text/html": _Formatter()}


def test_notebook_display_is_registered_from_the_viz_layer(seeds):
    assert register_notebook_display() is False  # no IPython shell in the tests
    shell = _Shell()
    assert register_notebook_display(shell) is True
    types = shell.display_formatter.formatters["text/html"].types
    assert set(types) == {hemopt.Scenario, hemopt.Assignment, hemopt.Comparison,
                          hemopt.SeedComparison}
    assert types[hemopt.Comparison] is html_fragment
    frag = types[hemopt.SeedComparison](seeds)
    assert frag == seeds_html_fragment(seeds) and "Zoning against LOV" in frag


def test_write_report_takes_a_comparison_or_seeds(seeds, tmp_path):
    one = hemopt.write_report(seeds.headline, tmp_path / "one.html").read_text(encoding="utf-8")
    two = hemopt.write_report(seeds, tmp_path / "two.html").read_text(encoding="utf-8")
    assert "One seed (1)" in one and "2 seeds (1, 2)" in two
    sections = re.findall(r"<section id='([\w-]+)'><h2>", two)
    nav = re.findall(r"<li><a href='#([\w-]+)'>", two)
    assert sections == nav and sections[:3] == ["reading", "key-figures", "charts"]
    assert sections[-1] == "parameters"
