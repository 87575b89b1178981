"""Running a sweep's tasks (internal): :func:`hemopt._tasks.run_tasks` with the sweep's task
function and rows, read from :mod:`hemopt.sweep` when called (tests patch them there)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from hemopt._tasks import QUARANTINE, RETRIES, run_tasks

__all__ = ["QUARANTINE", "RETRIES", "_run"]


def _run(tasks: list[dict[str, Any]], outdir: Path | None, client: Any,
         n_workers: int | None, progress: bool | Callable[[str], None]) -> pd.DataFrame:
    sweep_mod = importlib.import_module("hemopt.sweep")
    return run_tasks(tasks, outdir, client, n_workers, progress, fn=sweep_mod.run_task,
                     frame=sweep_mod._frame, check_client=sweep_mod.check_workers)
