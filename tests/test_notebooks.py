"""Run every notebook in ``notebooks/`` (jupytext percent-format ``.py`` files).

Each notebook is converted with jupytext and executed with nbclient in a fresh kernel of this
interpreter (``sys.executable``, so the kernel sees the same hemopt and packages as the
tests), with the notebook's folder as working directory and ``MPLBACKEND=Agg``. A cell that
raises fails the test. One test per notebook, so ``pytest -n 2`` runs two at a time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
#: Seconds a single cell may take before the run is abandoned.
CELL_TIMEOUT_S = 600
KERNEL_NAME = "hemopt-test-python3"


def test_notebooks_found():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory):
    """A kernel spec that starts ``sys.executable -m ipykernel_launcher`` with Agg plots."""
    from ipykernel.kernelspec import write_kernel_spec

    root = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(
        path=root / KERNEL_NAME,
        overrides={
            "display_name": "hemopt tests (Python 3)",
            "env": {"MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
        },
    )
    return root


# Runs in a child process so that the kernel's ZeroMQ sockets never live in the pytest
# worker (closed late, they would surface as unraisable-exception warnings in other tests).
_RUNNER = r"""
import json, os, sys, time
import jupytext, nbclient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient.exceptions import CellExecutionError

path, kernel_dir, kernel_name, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
nb = jupytext.read(path)
ksm = KernelSpecManager(kernel_dirs=[kernel_dir])
km = KernelManager(kernel_name=kernel_name, kernel_spec_manager=ksm)
folder = os.path.dirname(path)
client = nbclient.NotebookClient(nb, km=km, timeout=timeout, kernel_name=kernel_name,
                                 resources={"metadata": {"path": folder}})
t0 = time.perf_counter()
out = {"error": None}
try:
    client.execute(cwd=folder, env={**os.environ, "MPLBACKEND": "Agg"})
except CellExecutionError as exc:
    out["error"] = str(exc)
errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
          if o.get("output_type") == "error"]
if errors and out["error"] is None:
    out["error"] = f"{errors[0].get('ename')}: {errors[0].get('evalue')}"
out["seconds"] = time.perf_counter() - t0
out["code_cells"] = sum(c.cell_type == "code" for c in nb.cells)
print("RESULT " + json.dumps(out))
"""


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, kernel_dir: Path):
    import json
    import subprocess

    env = {**os.environ, "MPLBACKEND": "Agg"}
    r = subprocess.run(
        [sys.executable, "-c", _RUNNER, str(path), str(kernel_dir), KERNEL_NAME,
         str(CELL_TIMEOUT_S)],
        capture_output=True, text=True, env=env, timeout=CELL_TIMEOUT_S * 4,
    )
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, f"{path.name}: the runner failed (exit {r.returncode}):\n{r.stderr[-3000:]}"
    result = json.loads(lines[-1][len("RESULT "):])
    if result["error"]:
        pytest.fail(f"{path.name} failed:\n{result['error']}", pytrace=False)
    print(f"{path.name}: {result['code_cells']} code cells in {result['seconds']:.1f} s")
