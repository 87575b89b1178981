"""The layers of docs/architecture.md hold, and no module imports itself back (issue 12).

Both checks read every import, lazy ones inside functions included (grimp, the graph
behind import-linter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp")
ROOT = Path(__file__).resolve().parents[1]


def test_layer_contract():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    out = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "Contracts: 1 kept, 0 broken" in out.stdout


def test_no_import_cycles():
    graph = grimp.build_graph("hemopt")
    modules = sorted(m for m in graph.modules if m != "hemopt")  # the root only re-exports
    cycles = set()
    for m in modules:
        for dep in graph.find_modules_directly_imported_by(m):
            if dep == "hemopt" or dep == m or dep.startswith(m + ".") or m.startswith(dep + "."):
                continue
            chain = graph.find_shortest_chain(importer=dep, imported=m)
            if chain and "hemopt" not in chain:
                cycles.add(" -> ".join((m, *chain)))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))
