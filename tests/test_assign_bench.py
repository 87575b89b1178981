"""The assignment benchmark runs, and OR-Tools beats networkx by its target."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_assign.py"


@pytest.mark.slow
def test_bench_assign_quick():
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "speed ratio on the largest instance (5,000 clients)" in out.stdout
    assert "cpsat" in out.stdout and "status optimal" in out.stdout
    assert "!!" not in out.stdout
