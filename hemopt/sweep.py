"""Sensitivity sweeps: many scenarios × regimes × seeds, in local processes or on Dask.

A sweep is a grid of scenario and regime parameters crossed with seeds. Every (grid cell,
seed) is one *task*: generate the scenario, run the regimes with :func:`hemopt.compare`
(the continuous routing approximation by default) and return one row per regime. Tasks run in
local processes (``concurrent.futures``) or, given a ``dask.distributed.Client``, on that
cluster; the rows are the same either way because every task is seeded by its own parameters.

Grid keys (any subset; a value or a list of values each):

==================  ================================================================
``preset``          ``"strangnas"`` or ``"botkyrka"``
``scale``           population factor: clients per km² scale with it (density)
``n_external``      number of LOV external providers (LOV presets only)
``concentration``   Zipf exponent of the external providers' shares (market concentration)
``external_share``  LOU cap on external hours
``n_zones``         number of designed zones under zoning (None: the preset's zones)
``procured_share``  zoning: share of hours procured from external providers
==================  ================================================================

A failed task is recorded with its error (``error`` column) and does not stop the sweep. With
``out`` (a folder), each task's rows are written as one Parquet file as soon as they arrive, and
a rerun skips the tasks already written: an interrupted sweep resumes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hemopt._progress import sayer
from hemopt.errors import InputError

__all__ = ["GRID_KEYS", "plot_sweep", "run_task", "summarise", "sweep", "tasks_of"]

#: Grid keys and their defaults.
GRID_KEYS: dict[str, Any] = {
    "preset": "strangnas",
    "scale": 1.0,
    "n_external": None,
    "concentration": None,
    "external_share": 0.2,
    "n_zones": None,
    "procured_share": 0.5,
}

_KPIS = ["driven_km_per_day", "drive_hours_per_day", "driving_share", "staff_hours_per_day",
         "cost_sek_per_year", "co2_tonnes_per_year", "first_choice_pct", "queue",
         "providers_per_stairwell", "stairwells_multi_provider_pct", "stops_per_visit",
         "external_share_hours", "dropped_visits"]


def tasks_of(grid: Mapping[str, Any], seeds: Iterable[int]) -> list[dict[str, Any]]:
    """The tasks of a grid: the cross product of its values and the seeds.

    Each task is a dict of every grid key (defaults filled in), ``seed`` and ``task_id`` (a
    short hash of the parameters, stable across runs and machines).
    """
    unknown = set(grid) - set(GRID_KEYS)
    if unknown:
        raise InputError(f"grid: unknown key(s) {sorted(unknown)}; allowed: {sorted(GRID_KEYS)}")
    seeds = list(seeds)
    if not seeds or not all(isinstance(s, (int, np.integer)) and s >= 0 for s in seeds):
        raise InputError(f"seeds must be non-negative integers, got {seeds!r}")
    keys = list(GRID_KEYS)
    values = []
    for k in keys:
        v = grid.get(k, GRID_KEYS[k])
        v = list(v) if isinstance(v, (list, tuple, range, np.ndarray)) else [v]
        if not v:
            raise InputError(f"grid[{k!r}] is empty")
        values.append(v)
    tasks = []
    for combo in itertools.product(*values):
        for s in seeds:
            t = {k: (v.item() if isinstance(v, np.generic) else v)
                 for k, v in zip(keys, combo, strict=True)}
            t["seed"] = int(s)
            t["task_id"] = hashlib.sha1(json.dumps(t, sort_keys=True).encode()).hexdigest()[:12]
            tasks.append(t)
    return tasks


def run_task(task: Mapping[str, Any], routing: str = "approx",
             max_iterations: int = 100) -> list[dict[str, Any]]:
    """Run one task; never raises: a failure becomes one row with ``error`` set."""
    import warnings

    from hemopt.compare import compare, default_regimes
    from hemopt.synth import generate

    base = dict(task)
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # recorded in the ``warnings`` column
            sc = generate(task["preset"], seed=task["seed"], scale=task["scale"],
                          n_external=task["n_external"], concentration=task["concentration"])
            regimes = default_regimes(sc, external_share=task["external_share"],
                                      n_zones=task["n_zones"],
                                      procured_share=task["procured_share"], seed=task["seed"])
            comp = compare(sc, regimes, routing=routing, seed=task["seed"],
                           max_iterations=max_iterations)
        notes = "; ".join(sorted({f"{w.category.__name__}: {w.message}" for w in caught}))
        rows = []
        for name in comp.table.index:
            row = {**base, "regime": name, "error": "", "warnings": notes}
            for k in _KPIS:
                row[k] = float(comp.table.at[name, k])
            row["clients"] = sc.n_clients
            row["runtime_s"] = time.perf_counter() - t0
            rows.append(row)
        return rows
    except Exception as exc:
        msg = f"{type(exc).__name__}: {exc}"
        tb = traceback.format_exc(limit=3)
        return [{**base, "regime": "", "error": msg, "traceback": tb,
                 "runtime_s": time.perf_counter() - t0}]


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for k in _KPIS:
        if k not in df.columns:
            df[k] = np.nan
    for col in ("traceback", "warnings"):
        if col not in df.columns:
            df[col] = ""
        df[col] = df[col].fillna("").astype(str)
    for k in ("n_external", "concentration", "n_zones"):
        df[k] = pd.to_numeric(df[k], errors="coerce").astype(float)
    return df


def _done(out: Path) -> set[str]:
    return {p.stem for p in out.glob("*.parquet")}


def sweep(
    grid: Mapping[str, Any],
    *,
    seeds: Iterable[int] = (0, 1, 2),
    routing: str = "approx",
    max_iterations: int = 100,
    client: Any = None,
    n_workers: int | None = None,
    out: str | Path | None = None,
    progress: bool | Callable[[str], None] = True,
) -> pd.DataFrame:
    """Run a sweep and return a tidy DataFrame (one row per task × regime).

    Parameters
    ----------
    grid
        Grid of parameters (see the module docstring).
    seeds
        Seeds per grid cell.
    routing
        ``"approx"`` (default, milliseconds per scenario) or ``"solver"``.
    max_iterations
        Solver iterations when ``routing="solver"``.
    client
        A ``dask.distributed.Client``: run the tasks on its cluster. Default: local processes.
    n_workers
        Local processes (default: the number of CPUs); 1 runs in this process.
    out
        Folder of Parquet parts (one per task). Tasks already there are skipped (resume); the
        returned frame includes them.
    progress
        True for a progress line on stderr, or a callable taking a message.

    Returns
    -------
    pandas.DataFrame
        Columns: the grid keys, ``seed``, ``task_id``, ``regime``, ``error``, the KPIs,
        ``clients``, ``runtime_s``; sorted by ``task_id`` and regime, so local and Dask runs of
        the same sweep give equal frames.

    Examples
    --------
    Two numbers of LOV providers, one seed, in this process, with the VRPTW solver at a low
    effort:

    >>> import hemopt
    >>> df = hemopt.sweep({"preset": "strangnas", "scale": 0.05, "n_external": [1, 3]},
    ...                   seeds=[0], routing="solver", max_iterations=30, n_workers=1,
    ...                   progress=False)
    >>> sorted(set(df["regime"]))
    ['LOU', 'LOV', 'Zoning']
    >>> len(df), bool((df["error"] == "").all())
    (6, True)
    """
    if routing not in ("approx", "solver"):
        raise InputError(f"routing must be 'approx' or 'solver', got {routing!r}")
    tasks = tasks_of(grid, seeds)
    say = sayer(progress, end="")
    outdir = Path(out) if out is not None else None
    if outdir is not None:
        outdir.mkdir(parents=True, exist_ok=True)
        done = _done(outdir)
        todo = [t for t in tasks if t["task_id"] not in done]
        if len(todo) < len(tasks):
            say(f"resuming: {len(tasks) - len(todo)} of {len(tasks)} tasks already in {outdir}")
    else:
        todo = tasks
    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    n = len(todo)

    def collect(result: list[dict[str, Any]], k: int) -> None:
        rows.extend(result)
        if outdir is not None:
            tid = result[0]["task_id"]
            tmp = outdir / f".{tid}.tmp"
            _frame(result).to_parquet(tmp, index=False)
            os.replace(tmp, outdir / f"{tid}.parquet")  # atomic: a part is whole or absent
        el = time.perf_counter() - t0
        if k == n or k % max(1, n // 50) == 0:
            say(f"\r{k}/{n} tasks, {el:.0f} s elapsed, ~{el / k * (n - k):.0f} s left")

    if client is not None:
        from distributed import as_completed as dask_completed

        futures = client.map(run_task, todo, routing=routing, max_iterations=max_iterations,
                             pure=False)
        for k, fut in enumerate(dask_completed(futures), start=1):
            collect(fut.result(), k)
    else:
        workers = n_workers or os.cpu_count() or 1
        if workers <= 1 or n <= 1:
            for k, t in enumerate(todo, start=1):
                collect(run_task(t, routing, max_iterations), k)
        else:
            with ProcessPoolExecutor(max_workers=workers) as ex:
                futs = [ex.submit(run_task, t, routing, max_iterations) for t in todo]
                for k, f in enumerate(as_completed(futs), start=1):
                    collect(f.result(), k)
    if n:
        say("\n")
    if outdir is not None:
        parts = [pd.read_parquet(p) for p in sorted(outdir.glob("*.parquet"))]
        wanted = {t["task_id"] for t in tasks}
        df = pd.concat(parts, ignore_index=True) if parts else _frame([])
        df = df[df["task_id"].isin(wanted)]
    else:
        df = _frame(rows) if rows else _frame([])
    return df.sort_values(["task_id", "regime"], kind="stable").reset_index(drop=True)


def summarise(df: pd.DataFrame, by: str, kpi: str, *, confidence: float = 0.95
              ) -> pd.DataFrame:
    """Mean, standard error, confidence interval (Student t over seeds) and the number of
    seeds of ``kpi`` per value of ``by`` and regime. Failed tasks are left out (and counted
    in ``failed``)."""
    from scipy import stats

    if by not in df.columns or kpi not in df.columns:
        raise InputError(f"summarise: unknown column {by!r} or {kpi!r}")
    ok = df[df["error"] == ""]
    g = ok.groupby([by, "regime"])[kpi]
    out = g.agg(mean="mean", std="std", n="count").reset_index()
    se = out["std"] / np.sqrt(out["n"])
    tcrit = stats.t.ppf(0.5 + confidence / 2, np.maximum(out["n"] - 1, 1))
    out["lo"] = out["mean"] - tcrit * se.fillna(0)
    out["hi"] = out["mean"] + tcrit * se.fillna(0)
    failed = df[df["error"] != ""].groupby(by).size()
    out["failed"] = out[by].map(failed).fillna(0).astype(int)
    return out


def plot_sweep(df: pd.DataFrame, by: str, kpis: Iterable[str] = ("driven_km_per_day",
               "staff_hours_per_day", "first_choice_pct"), *, value_of_choice_sek: float | None
               = None, axes: Any = None) -> Any:
    """KPI response curves over ``by`` with confidence bands over seeds, one line per regime.

    With ``value_of_choice_sek`` (SEK per year per percentage point of first choice met), a
    last panel shows zoning's net saving against LOV, ``Δcost + value × Δfirst_choice``, and
    the break-even line at zero: where it is above zero, zoning's savings exceed the stated
    value of the choice lost. Every panel states the number of seeds per point.
    """
    import matplotlib.pyplot as plt

    kpis = list(kpis)
    n_panels = len(kpis) + (value_of_choice_sek is not None)
    if axes is None:
        fig, axes = plt.subplots(1, n_panels, figsize=(5 * n_panels, 4))
    else:
        fig = np.asarray(axes).flat[0].figure
    axes = np.atleast_1d(axes)
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        s = summarise(df, by, kpi)
        for regime, g in s.groupby("regime"):
            g = g.sort_values(by)
            ax.plot(g[by], g["mean"], marker="o", label=regime)
            ax.fill_between(g[by], g["lo"], g["hi"], alpha=0.2)
        seeds = s["n"].min() if len(s) else 0
        ax.set_title(f"{kpi}\n(95 % CI over seeds, n = {seeds} per point)", fontsize=9)
        ax.set_xlabel(by)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    if value_of_choice_sek is not None:
        ax = axes.flat[len(kpis)]
        ok = df[df["error"] == ""]
        piv = ok.pivot_table(index=["task_id", by], columns="regime",
                             values=["cost_sek_per_year", "first_choice_pct"])
        if "Zoning" in piv["cost_sek_per_year"] and "LOV" in piv["cost_sek_per_year"]:
            saving = piv["cost_sek_per_year"]["LOV"] - piv["cost_sek_per_year"]["Zoning"]
            lost = piv["first_choice_pct"]["LOV"] - piv["first_choice_pct"]["Zoning"]
            net = (saving - value_of_choice_sek * lost).rename("net").reset_index()
            s = summarise(net.assign(regime="Zoning − LOV", error=""), by, "net")
            s = s.sort_values(by)
            ax.plot(s[by], s["mean"] / 1e6, marker="o", color="tab:green")
            ax.fill_between(s[by], s["lo"] / 1e6, s["hi"] / 1e6, alpha=0.2, color="tab:green")
            ax.axhline(0, color="black", linewidth=1, linestyle="--", label="break-even")
            n = int(s["n"].min()) if len(s) else 0
            ax.set_title(f"zoning's net saving (MSEK/yr) at {value_of_choice_sek:,.0f} SEK per "
                         f"point of choice\n(95 % CI, n = {n} seeds per point)", fontsize=9)
            ax.set_xlabel(by)
            ax.legend(fontsize=8)
            ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
