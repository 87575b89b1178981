"""The documentation site builds with ``mkdocs build --strict`` (warnings are errors).

The build renders the API reference from the docstrings of the public API, and the notebooks
through ``notebooks/_mkdocs_hook.py``: from an executed copy in the hook's cache when there is
one for the current sources (``make docs`` executes them, a few minutes), otherwise without
outputs. The test builds with a cache holding one prepared executed notebook, so it checks
that outputs reach the page without spending minutes executing notebooks
(``tests/test_notebooks.py`` runs them); the hook's executor is tested on a two-cell notebook.
"""

from __future__ import annotations

import importlib.util
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


def _hook():
    """The notebooks' mkdocs hook as a module."""
    spec = importlib.util.spec_from_file_location("hemopt_mkdocs_hook",
                                                  ROOT / "notebooks" / "_mkdocs_hook.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


MARKER = "hemopt-docs-test-output-marker"


def _fake_executed(hook, path: Path, cache: Path) -> Path:
    """An "executed" copy of notebook ``path`` in ``cache`` under the hook's key: its first
    code cell gets an HTML output with :data:`MARKER` and a tiny PNG."""
    import jupytext
    import nbformat

    nb = jupytext.read(path)
    cell = next(c for c in nb.cells if c.cell_type == "code")
    png = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9a"
           "wAAAABJRU5ErkJggg==")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/html": f"<table><tr><td>{MARKER}</td></tr></table>",
                              "image/png": png, "text/plain": MARKER})]
    cell.execution_count = 1
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    target = hook.cache_path(path, cache=cache)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target


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


def test_hook_cache_key_follows_the_sources(tmp_path, monkeypatch):
    hook = _hook()
    monkeypatch.setenv("HEMOPT_NOTEBOOK_CACHE", str(tmp_path))
    nb = tmp_path / "01_x.py"
    nb.write_text("# %%\nprint(1)\n", encoding="utf-8")
    a = hook.cache_path(nb)
    assert a.parent == tmp_path and a.name.startswith("01_x-")
    assert hook.executed(nb, run=False) is None  # nothing cached, nothing executed
    nb.write_text("# %%\nprint(2)\n", encoding="utf-8")
    assert hook.cache_path(nb) != a  # a changed notebook is a new key


@pytest.mark.slow
def test_hook_executes_a_notebook(tmp_path):
    pytest.importorskip("jupytext")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    import nbformat

    hook = _hook()
    src = tmp_path / "01_tiny.py"
    src.write_text(
        "# %% [markdown]\n# # Tiny\n\n"
        "# %%\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
        "plt.plot([0, 1], [1, 0])\npd.DataFrame({'km': [4132]})\n", encoding="utf-8")
    out = hook.execute(src, tmp_path / "out" / "01_tiny.ipynb", timeout_s=120)
    nb = nbformat.read(out, as_version=4)
    kinds = {k for c in nb.cells if c.cell_type == "code" for o in c.outputs
             for k in o.get("data", {})}
    assert {"text/html", "image/png"} <= kinds
    bad = tmp_path / "02_bad.py"
    bad.write_text("# %%\nraise ValueError('boom')\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="boom"):
        hook.execute(bad, tmp_path / "out" / "02_bad.ipynb", timeout_s=120)
    assert not (tmp_path / "out" / "02_bad.ipynb").exists()


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path):
    site = tmp_path / "site"
    cache = tmp_path / "nbcache"
    hook = _hook()
    _fake_executed(hook, ROOT / "notebooks" / "01_quickstart.py", cache)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "MPLBACKEND": "Agg",
           "PYTHONWARNINGS": "ignore::DeprecationWarning", "HEMOPT_NOTEBOOK_CACHE": str(cache)}
    env.pop("HEMOPT_DOCS_EXECUTE", None)
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
    # the executed copy in the cache gives the quick start its outputs; the others have none
    quick = (site / "notebooks" / "01_quickstart" / "index.html").read_text(encoding="utf-8")
    assert MARKER in quick and "data:image/png;base64," in quick
    assert MARKER not in nb
    validation = (site / "validation" / "index.html").read_text(encoding="utf-8")
    assert "Trafikverket" in validation and "benchmarks/validation.py" in validation
