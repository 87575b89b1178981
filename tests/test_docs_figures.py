"""Docs that cannot go stale (issue 23 §4): every generated block of figures in docs/ is
stamped with a hash of the sources it was computed with (benchmarks/docs_figures.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _module():
    spec = importlib.util.spec_from_file_location("docs_figures",
                                                  ROOT / "benchmarks" / "docs_figures.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["docs_figures"] = mod
    spec.loader.exec_module(mod)
    return mod


df = _module()


def test_generated_figures_are_current():
    """Fails when the code a docs figure was computed with has changed since: rerun
    ``make docs-figures`` (the block ids and commands are in the message)."""
    bad = df.stale()
    stale = [b for b in bad if b[2] != df.PENDING]
    assert not stale, ("docs figures computed with other sources than today's: "
                       + "; ".join(f"{p} block {i}" for p, i, _ in stale)
                       + " (run .venv/bin/python benchmarks/docs_figures.py)")
    if bad:
        pytest.skip("never generated yet: " + ", ".join(i for _, i, _ in bad)
                    + " (run make docs-figures)")


def test_every_block_is_on_its_page():
    for b in df.BLOCKS:
        ids = [f.id for f in df.find_blocks((ROOT / b.page).read_text(encoding="utf-8"))]
        assert b.id in ids, (b.page, b.id)


def test_stamp_goes_stale_when_a_source_changes(tmp_path):
    """The mechanism on a toy project: generate, check (current), change a source, check
    (stale), regenerate (current again)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "docs").mkdir()
    src = tmp_path / "src" / "model.py"
    src.write_text("FACTOR = 2\n")
    page = tmp_path / "docs" / "page.md"
    page.write_text("# Page\n\n<!-- generated: toy; by toy.py; sources sha256: pending -->\n"
                    "old\n<!-- end generated: toy -->\n\nprose\n")
    sources = ("src/*.py",)
    block = df.Block("toy", "docs/page.md", ("toy.py",))

    def run(b, root):
        factor = int((root / "src" / "model.py").read_text().split("=")[1])
        return f"| figure | {21 * factor} |"

    assert df.stale(tmp_path, sources, ["docs/page.md"]) == [("docs/page.md", "toy", "pending")]
    df.regenerate([block], root=tmp_path, run=run, sources=sources)
    text = page.read_text()
    assert "| figure | 42 |" in text and "old" not in text and text.endswith("\n\nprose\n")
    assert f"sources sha256: {df.sources_hash(tmp_path, sources)}; runtime" in text
    assert df.stale(tmp_path, sources, ["docs/page.md"]) == []
    src.write_text("FACTOR = 3\n")
    (found,) = df.stale(tmp_path, sources, ["docs/page.md"])
    assert found[:2] == ("docs/page.md", "toy") and found[2] != df.PENDING
    df.regenerate([block], root=tmp_path, run=run, sources=sources)
    assert "| figure | 63 |" in page.read_text()
    assert df.stale(tmp_path, sources, ["docs/page.md"]) == []


def test_sources_hash_covers_the_model():
    files = {p.relative_to(ROOT).as_posix() for p in df.source_files()}
    for f in ("hemopt/evaluate.py", "hemopt/kpis.py", "hemopt/regimes/_base.py",
              "hemopt/regimes/zoning.py", "hemopt/procurement.py", "hemopt/day/approx.py",
              "hemopt/day/route.py", "hemopt/scenario/core.py", "hemopt/synth/build.py",
              "hemopt/continuity/staff.py", "benchmarks/validation.py"):
        assert f in files
    assert not any("__pycache__" in f for f in files)
