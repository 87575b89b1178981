"""The documentation site builds with ``mkdocs build --strict`` (warnings are errors).

The build renders the notebooks without executing them (``tests/test_notebooks.py`` runs
them) and the API reference from the docstrings of the public API.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MKDOCS_YML = ROOT / "mkdocs.yml"

pytest.importorskip("mkdocs")
pytest.importorskip("material")
pytest.importorskip("mkdocstrings")
pytest.importorskip("mkdocs_jupyter")


def _nav_files(nav) -> list[str]:
    out: list[str] = []
    for item in nav:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            for v in item.values():
                out.extend(_nav_files(v) if isinstance(v, list) else [v])
    return out


def test_nav_lists_every_notebook_and_page():
    import yaml

    cfg = yaml.safe_load(MKDOCS_YML.read_text(encoding="utf-8"))
    nav = set(_nav_files(cfg["nav"]))
    notebooks = {f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py")}
    assert notebooks, "no notebooks found"
    assert notebooks <= nav, f"notebooks missing from the nav: {sorted(notebooks - nav)}"
    missing = [f for f in nav
               if not f.startswith("notebooks/") and not (ROOT / "docs" / f).exists()]
    assert not missing, f"nav entries without a page: {missing}"


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg",
           "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean",
         "--config-file", str(MKDOCS_YML), "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{log}"
    warnings = [ln for ln in log.splitlines() if re.match(r"\s*(WARNING|ERROR)\b", ln)]
    assert not warnings, "\n".join(warnings)

    # the pages that matter were produced
    for page in ("index.html", "formulation/index.html", "getting-started/index.html",
                 "api/scenario/index.html", "notebooks/01_quickstart/index.html"):
        assert (site / page).exists(), page
    api = (site / "api" / "scenario" / "index.html").read_text(encoding="utf-8")
    assert "generate" in api and "Scenario" in api
    nb = (site / "notebooks" / "02_strangnas_coordination" / "index.html").read_text(
        encoding="utf-8")
    assert "Strängnäs argument" in nb
    formulation = (site / "formulation" / "index.html").read_text(encoding="utf-8")
    assert 'class="arithmatex"' in formulation  # equations reach MathJax
