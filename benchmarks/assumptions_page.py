"""Write docs/assumptions.md from the registry of declared assumptions.

    .venv/bin/python benchmarks/assumptions_page.py

tests/test_assumptions.py fails when the page and ``hemopt.assumptions.markdown()`` differ.
"""

from __future__ import annotations

from pathlib import Path

from hemopt.assumptions import markdown

PAGE = Path(__file__).resolve().parents[1] / "docs" / "assumptions.md"

if __name__ == "__main__":
    PAGE.write_text(markdown(), encoding="utf-8")
    print(f"wrote {PAGE}")
