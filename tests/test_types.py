"""hemopt/ type-checks clean under mypy (issue 24), with the settings of ``[tool.mypy]`` in
pyproject.toml (``make typecheck`` runs the same check).

mypy runs in a subprocess, as tests/test_layers.py runs import-linter, so that its output is
the failure message. It reads every module of hemopt/, so it takes a while on a cold cache
(about 25 s; ``.mypy_cache`` makes later runs fast).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_clean():
    out = subprocess.run([sys.executable, "-m", "mypy", "--config-file",
                          str(ROOT / "pyproject.toml"), "hemopt"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout[-8000:] + out.stderr[-2000:]
    assert out.stdout.startswith("Success: no issues found")
