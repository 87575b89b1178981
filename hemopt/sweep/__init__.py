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

Settings that change a result but are not grid keys (``routing``, ``max_iterations`` for the
solver, the :class:`~hemopt.costs.CostParams` fields and the hemopt version) are part of every
task and of its ``task_id``, and are columns of the result.

A failed task is retried (:data:`RETRIES` times); one that keeps failing is recorded with its
error (``error`` column) and does not stop the sweep. With ``out`` (a folder), each task's rows
are written as one Parquet file as soon as they arrive, and a rerun skips the tasks already
written: an interrupted sweep resumes. On resume every part is checked (readable, its task's
rows, one per regime); a part that is not is set aside as ``<task>.parquet.corrupt`` and its
task run again. A task that kept failing is quarantined: its error row goes to
``out/quarantine/<task>.parquet``, and a rerun leaves it there (delete it to try again). A
rerun with other settings has other task ids, so it recomputes rather than reusing rows
computed under the old settings (whose parts stay in the folder, unused). Only one sweep at a
time may use a folder.

Every task carries a hash of hemopt's source files (``hemopt_source``, :func:`source_hash`):
a worker whose hemopt differs, even by an uncommitted edit under the same version number,
refuses the task, and a Dask cluster is checked before any task is sent.

A sweep configuration file (``hemopt sweep --config``, read by :func:`read_config`) is TOML with
the sections ``[grid]`` (the grid keys), ``[sweep]`` (``seeds``, ``routing``,
``max_iterations``, ``plot_by``, ``value_of_choice_sek``) and ``[cost]`` (the CostParams
fields); an unknown section or key, or a value of the wrong type, is an error naming it.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hemopt._io import output_lock
from hemopt._tasks import _client_version, check_workers, source_hash  # noqa: F401 (re-exported)
from hemopt.errors import HemoptError, InputError
from hemopt.sweep._config import _is_int, _is_num, _kind, _unknown, read_config
from hemopt.sweep._runner import QUARANTINE, RETRIES, _run  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from hemopt.settings import StudySettings

__all__ = ["GRID_KEYS", "RETRIES", "SETTING_KEYS", "connect", "grid_keys", "read_config",
           "run_task", "source_hash", "summarise", "sweep", "tasks_of"]

#: The scenario's grid keys and their defaults; the regimes' grid keys (``external_share``,
#: ``n_zones``, ``procured_share``) follow from the regime registry (:func:`grid_keys`).
_SCENARIO_KEYS: dict[str, Any] = {
    "preset": "strangnas",
    "scale": 1.0,
    "n_external": None,
    "concentration": None,
}


def grid_keys() -> dict[str, Any]:
    """Every grid key and its default: the scenario's, then each registered regime's
    parameters that declare a grid test (:class:`hemopt.regimes.RegimeParam`).

    Examples
    --------
    >>> list(grid_keys())
    ['preset', 'scale', 'n_external', 'concentration', 'external_share', 'n_zones', \
'procured_share']
    """
    from hemopt.regimes import registered_regimes

    out = dict(_SCENARIO_KEYS)
    for cls in registered_regimes().values():
        for p in cls.parameters:
            if p.grid is not None:
                out.setdefault(p.name, p.grid_default)
    return out


#: Grid keys and their defaults (when hemopt was imported; :func:`grid_keys` reads the
#: registry at the time of asking).
GRID_KEYS: dict[str, Any] = grid_keys()

#: Settings that change a result besides the grid keys: part of every task id and columns of
#: the result (``max_iterations`` is None with the approximation, which does not use it).
SETTING_KEYS = ("routing", "max_iterations", "staff_sek_per_hour", "sek_per_km",
                "co2_kg_per_km", "days_per_year", "hemopt_version", "hemopt_source")






@functools.cache
def _expected_clients(preset: str) -> float:
    """Expected clients of a preset at scale 1 (reading its DeSO data once)."""
    from hemopt.synth import get_preset

    return get_preset(preset).expected_clients


def _presets() -> list[str]:
    from hemopt.synth import PRESETS

    return sorted(PRESETS)


# scenario grid key -> (test of one value, what the value must be)
_SCENARIO_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "preset": (lambda v: isinstance(v, str) and v in _presets(),
               "a preset name (botkyrka or strangnas)"),
    "scale": (lambda v: _is_num(v) and 0 < v <= 20, "a number in (0, 20]"),
    "n_external": (lambda v: v is None or (_is_int(v) and 0 <= v <= 50),
                   "a whole number in [0, 50]"),
    "concentration": (lambda v: v is None or (_is_num(v) and 0 <= v <= 10),
                      "a number in [0, 10]"),
}


def _grid_rules() -> dict[str, tuple[Callable[[Any], bool], str]]:
    """Every grid key's test and what a value must be: the scenario's and the registered
    regimes' (:meth:`hemopt.regimes.RegimeParam`'s ``grid`` and ``grid_must``)."""
    from hemopt.regimes import registered_regimes

    out = dict(_SCENARIO_RULES)
    for cls in registered_regimes().values():
        for p in cls.parameters:
            if p.grid is not None:
                out.setdefault(p.name, (p.grid, p.grid_must))
    return out






def _settings(routing: str, max_iterations: int | None, cost: Any) -> dict[str, Any]:
    from hemopt.compare import CostParams

    version = _installed_version()

    if routing not in ("approx", "solver"):
        raise InputError(f"routing must be 'approx' or 'solver', got {routing!r}")
    if routing == "solver" and not (isinstance(max_iterations, int) and _is_int(max_iterations)
                                    and max_iterations >= 1):
        raise InputError(f"max_iterations must be a whole number >= 1, got {max_iterations!r}")
    if cost is None:
        cost = CostParams()
    elif isinstance(cost, Mapping):
        bad = set(cost) - {f.name for f in fields(CostParams)}
        if bad:
            raise InputError("cost: " + _unknown("unknown key", sorted(bad)[0],
                                                 [f.name for f in fields(CostParams)]))
        cost = CostParams(**cost)
    elif not isinstance(cost, CostParams):
        raise InputError(f"cost must be a CostParams or a mapping, got {type(cost).__name__}")
    return {"routing": routing,
            "max_iterations": (int(max_iterations) if routing == "solver"
                               and max_iterations is not None else None),
            **{k: float(v) for k, v in asdict(cost).items()},
            "hemopt_version": version, "hemopt_source": source_hash()}


def _kpis() -> list[str]:
    """The sweep's KPI columns, from the KPI registry (:func:`hemopt.kpis.sweep_kpis`)."""
    from hemopt.kpis import sweep_kpis

    return sweep_kpis()


def tasks_of(grid: Mapping[str, Any], seeds: Iterable[int], *, routing: str = "approx",
             max_iterations: int | None = 100, cost: Any = None) -> list[dict[str, Any]]:
    """The tasks of a grid: the cross product of its values and the seeds.

    Each task is a dict of every grid key (defaults filled in), ``seed``, the settings
    (:data:`SETTING_KEYS`: ``routing``, ``max_iterations``, the cost parameters, the hemopt
    version) and ``task_id``: a short hash of all of them, stable across runs and machines, so
    that a task run under other settings is another task.

    Raises
    ------
    InputError
        For an unknown grid key, a value of the wrong type or range (naming the key, the
        position in its list and the value), a scale too small to give one client, bad seeds or
        settings.
    """
    if not isinstance(grid, Mapping):
        raise InputError(f"grid must be a mapping of grid keys to values, got "
                         f"{type(grid).__name__}")
    keys_defaults = grid_keys()
    rules = _grid_rules()
    for k in grid:
        if k not in keys_defaults:
            raise InputError("grid: " + _unknown("unknown key", str(k), keys_defaults))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise InputError(f"seeds must be a list of whole numbers >= 0, got {seeds!r}")
    seeds = list(seeds)
    if not seeds or not all(_is_int(s) and s >= 0 for s in seeds):
        raise InputError(f"seeds must be a non-empty list of whole numbers >= 0, got {seeds!r}")
    settings = _settings(routing, max_iterations, cost)
    keys = list(keys_defaults)
    values = []
    for k in keys:
        v = grid.get(k, keys_defaults[k])
        many = isinstance(v, (list, tuple, range, np.ndarray))
        v = list(v) if many else [v]
        if not v:
            raise InputError(f"grid[{k!r}] is empty")
        ok, must = rules[k]
        for i, x in enumerate(v):
            x = x.item() if isinstance(x, np.generic) else x
            if not ok(x):
                where = f"grid[{k!r}][{i}]" if many else f"grid[{k!r}]"
                raise InputError(f"{where} must be {must}, got {x!r} ({_kind(x)})")
        values.append(v)
    for preset, scale in itertools.product(values[keys.index("preset")],
                                           values[keys.index("scale")]):
        expected = _expected_clients(preset)
        if round(expected * scale) < 1:
            smallest = math.ceil(0.5 / expected * 1e4) / 1e4
            raise InputError(f"grid['scale'] {scale!r} gives no client in preset {preset!r} "
                             f"(about {expected:.0f} clients at scale 1); use {smallest} or "
                             "more")
    tasks = []
    for combo in itertools.product(*values):
        for s in seeds:
            t = {k: (v.item() if isinstance(v, np.generic) else v)
                 for k, v in zip(keys, combo, strict=True)}
            t["seed"] = int(s)
            t.update(settings)
            t["task_id"] = hashlib.sha1(json.dumps(t, sort_keys=True).encode()).hexdigest()[:12]
            tasks.append(t)
    return tasks


def run_task(task: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run one task (from :func:`tasks_of`, settings included); never raises: a failure
    becomes one row with ``error`` set."""
    import warnings

    from hemopt.compare import CostParams, compare, default_regimes
    from hemopt.synth import generate

    base = dict(task)
    t0 = time.perf_counter()
    try:
        want = task.get("hemopt_source")
        if want is not None and want != source_hash():
            raise HemoptError(f"this worker's hemopt source (hash {source_hash()}) differs from "
                              f"the sweep's ({want}): its figures could differ. Install the "
                              "same hemopt on every worker")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # recorded in the ``warnings`` column
            sc = generate(task["preset"], seed=task["seed"], scale=task["scale"],
                          n_external=task["n_external"], concentration=task["concentration"])
            # the regimes' grid keys are their keywords (hemopt.regimes.RegimeParam)
            regime_keys = {k: task[k] for k in grid_keys() if k not in _SCENARIO_KEYS
                           and k in task}
            regimes = default_regimes(sc, seed=task["seed"], **regime_keys)
            if task.get("settings"):  # the study's settings whole
                from hemopt.settings import ContinuitySettings, StudySettings

                study = StudySettings.from_dict(json.loads(task["settings"]))
                study = study.replace(continuity=ContinuitySettings(enabled=False))
                comp = compare(sc, regimes, seed=task["seed"], settings=study)
            else:
                cost = CostParams(**{f.name: task[f.name] for f in fields(CostParams)})
                comp = compare(sc, regimes, routing=task["routing"], seed=task["seed"],
                               cost=cost, max_iterations=task["max_iterations"],
                               continuity=False)  # not among the sweep's KPIs
        notes = "; ".join(sorted({f"{w.category.__name__}: {w.message}" for w in caught}))
        rows = []
        for name in comp.table.index:
            row = {**base, "regime": name, "error": "", "warnings": notes}
            for k in _kpis():
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
    for k in _kpis():
        if k not in df.columns:
            df[k] = np.nan
    for col in ("traceback", "warnings"):
        if col not in df.columns:
            df[col] = ""
        df[col] = df[col].fillna("").astype(str)
    for k in ("n_external", "concentration", "n_zones", "max_iterations"):
        if k in df.columns:
            df[k] = pd.to_numeric(df[k], errors="coerce").astype(float)
    return df


def sweep(
    grid: Mapping[str, Any],
    *,
    seeds: Iterable[int] = (0, 1, 2),
    routing: str = "approx",
    max_iterations: int | None = 100,
    cost: Any = None,
    client: Any = None,
    n_workers: int | None = None,
    out: str | Path | None = None,
    progress: bool | Callable[[str], None] = True,
    settings: StudySettings | None = None,
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
    cost
        :class:`~hemopt.costs.CostParams` or a mapping of its fields (default: its defaults).
    client
        A ``dask.distributed.Client``: run the tasks on its cluster. Default: local processes.
    n_workers
        Local processes (default: the number of CPUs); 1 runs in this process. Not with
        ``client`` (an :class:`~hemopt.errors.InputError`: the cluster has its own workers).
    out
        Folder of Parquet parts (one per task, written atomically). Tasks already there are
        skipped (resume); the returned frame includes them. Parts of other grids or settings in
        the folder are left out and left alone. The folder is locked while the sweep runs: a
        second sweep on it raises :class:`~hemopt.errors.OutputError`.
    progress
        True for a progress line on stderr, or a callable taking a message.
    settings
        A :class:`~hemopt.StudySettings` in place of ``routing``, ``max_iterations`` and
        ``cost`` (giving both is an :class:`~hemopt.errors.InputError`): every task compares
        the regimes with these settings whole (visits, shifts, care, bases, travel too), and
        they are part of every task and its ``task_id`` (the ``settings`` column, as JSON).
        Continuity of care is not a sweep KPI and is not measured.

    Returns
    -------
    pandas.DataFrame
        Columns: the grid keys, ``seed``, the settings (:data:`SETTING_KEYS`), ``task_id``,
        ``regime``, ``error``, the KPIs, ``clients``, ``runtime_s``; sorted by ``task_id`` and
        regime, so local and Dask runs of the same sweep give equal frames.

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
    if client is not None and n_workers is not None:
        raise InputError(f"n_workers={n_workers!r} with client=...: a Dask cluster runs the tasks "
                         "on its own workers; drop n_workers, or scale the cluster")
    if n_workers is not None:
        from hemopt._workers import resolve_workers

        n_workers = resolve_workers(n_workers, "n_workers")
    if settings is not None:
        routing, max_iterations, cost = _from_settings(settings, routing, max_iterations, cost)
    elif routing != "solver" and max_iterations not in (None, 100):
        raise InputError(f"max_iterations={max_iterations!r} applies to routing='solver'; with "
                         f"routing={routing!r} it would be ignored: drop it")
    tasks = tasks_of(grid, seeds, routing=routing, max_iterations=max_iterations, cost=cost)
    if settings is not None:
        doc = json.dumps(settings.to_dict(), sort_keys=True)
        for t in tasks:  # the settings whole, and a task id that depends on them
            t.pop("task_id")
            t["settings"] = doc
            t["task_id"] = hashlib.sha1(json.dumps(t, sort_keys=True).encode()).hexdigest()[:12]
    outdir = Path(out) if out is not None else None
    if outdir is None:
        return _run(tasks, None, client, n_workers, progress)
    from hemopt._io import check_folder

    check_folder(outdir, "out")
    with output_lock(outdir, "out", folder=True):
        return _run(tasks, outdir, client, n_workers, progress)


def _from_settings(settings: StudySettings, routing: str, max_iterations: int | None,
                   cost: Any) -> tuple[str, int | None, Any]:
    """The sweep's ``routing``, ``max_iterations`` and ``cost`` from ``settings``; any of
    them given too (not its default) is an error."""
    from hemopt.settings import StudySettings

    if not isinstance(settings, StudySettings):
        raise InputError(f"settings: expected hemopt.StudySettings, got "
                         f"{type(settings).__name__}")
    both = [k for k, v, d in (("routing", routing, "approx"),
                              ("max_iterations", max_iterations, 100), ("cost", cost, None))
            if v != d]
    if both:
        raise InputError(f"sweep: give either settings= or the keywords {both}, not both; "
                         "change a setting with settings.replace(...)")
    r = settings.routing
    return r.method, (r.max_iterations if r.method == "solver" else 100), settings.cost


def connect(address: str | None = None, *, scheduler_file: str | Path | None = None,
            timeout_s: float = 30.0, min_workers: int = 1) -> Any:
    """Connect to a running Dask cluster and check that its workers can run hemopt's tasks.

    The same sweep then runs there with ``sweep(..., client=connect(...))``, or from the
    command line with ``hemopt sweep --scheduler ADDRESS`` / ``--scheduler-file FILE``.

    Parameters
    ----------
    address
        The scheduler's address, e.g. ``"tcp://10.0.0.5:8786"``.
    scheduler_file
        The JSON file a scheduler writes with ``dask scheduler --scheduler-file FILE`` (the
        usual way on SLURM and other batch systems, where the address is not known in
        advance). Give ``address`` or ``scheduler_file``, not both.
    timeout_s
        Seconds to wait for the scheduler, and then for ``min_workers`` workers (workers of
        a batch job may still be queued).
    min_workers
        Workers that must be connected before the sweep starts.

    Returns
    -------
    distributed.Client

    Raises
    ------
    InputError
        Neither or both of ``address`` and ``scheduler_file``; a scheduler file that does not
        exist; ``timeout_s`` or ``min_workers`` out of range.
    HemoptError
        Dask is not installed; the scheduler cannot be reached; fewer than ``min_workers``
        workers within ``timeout_s``; or a worker lacks hemopt or runs another version of it
        than this process (its tasks would give other figures: results are keyed by
        ``hemopt_version``). The client is closed before the error is raised.

    Examples
    --------
    A two-worker cluster on this machine, then the same call as for a remote one:

    >>> import distributed
    >>> from hemopt.sweep import connect
    >>> with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
    ...                               dashboard_address=":0") as cluster:
    ...     client = connect(cluster.scheduler_address)
    ...     n = len(client.scheduler_info()["workers"])
    ...     client.close()
    >>> n
    2
    >>> connect("tcp://127.0.0.1:1", timeout_s=1)
    Traceback (most recent call last):
    ...
    hemopt.errors.HemoptError: cannot reach the Dask scheduler at tcp://127.0.0.1:1 ...
    """
    if (address is None) == (scheduler_file is None):
        raise InputError("connect: give the scheduler's address or its scheduler_file "
                         f"(got address={address!r}, scheduler_file={scheduler_file!r})")
    if not (isinstance(timeout_s, (int, float)) and 0 < timeout_s < math.inf):
        raise InputError(f"timeout_s = {timeout_s!r}; must be a number of seconds > 0")
    if isinstance(min_workers, bool) or not isinstance(min_workers, int) or min_workers < 1:
        raise InputError(f"min_workers = {min_workers!r}; must be a whole number >= 1")
    if scheduler_file is not None and not Path(scheduler_file).is_file():
        raise InputError(f"scheduler_file = {str(scheduler_file)!r}: no such file (the "
                         "scheduler writes it with `dask scheduler --scheduler-file FILE`)")
    try:
        from distributed import Client
    except ImportError as exc:
        raise HemoptError("a Dask cluster needs dask.distributed: "
                          "pip install 'hemopt[dask]'") from exc
    where = (f"the Dask scheduler at {address}" if address is not None
             else f"the Dask scheduler of {scheduler_file}")
    try:
        if address is not None:
            client = Client(address, timeout=timeout_s)
        else:
            client = Client(scheduler_file=str(scheduler_file), timeout=timeout_s)
    except (OSError, TimeoutError) as exc:
        raise HemoptError(f"cannot reach {where} within {timeout_s:g} s "
                          f"({type(exc).__name__}: {exc})") from None
    try:
        try:
            client.wait_for_workers(min_workers, timeout=timeout_s)
        except TimeoutError:
            n = len(client.scheduler_info()["workers"])
            raise HemoptError(f"{where} has {n} worker(s) after {timeout_s:g} s; "
                              f"min_workers = {min_workers}") from None
        check_workers(client, where)
    except BaseException:
        client.close()
        raise
    return client


def _installed_version() -> str:
    """The installed hemopt's version, in this process or on a Dask worker ("unknown" when
    hemopt is imported from a source tree without being installed).

    Not ``hemopt.__version__``: the package root sits above this layer.
    """
    import importlib.metadata

    try:
        return importlib.metadata.version("hemopt")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        return "unknown"


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
