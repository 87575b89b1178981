"""Run every benchmark script (``--quick`` by default; ``--full`` for the full sizes).

Each benchmark measures ratios against a reference run in the same process and exits non-zero
when its target is missed; this script runs them in turn and exits non-zero if any failed.

    python benchmarks/run_all.py [--full]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    full = "--full" in argv
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        cmd = [sys.executable, str(script)] + ([] if full else ["--quick"])
        print(f"== {script.name} {'(full)' if full else '(quick)'}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call(cmd)
        print(f"== {script.name}: exit {rc} in {time.perf_counter() - t0:.0f} s\n", flush=True)
        if rc != 0:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    print("all benchmarks met their targets")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
