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
solver, the :class:`~hemopt.compare.CostParams` fields and the hemopt version) are part of every
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

import difflib
import functools
import hashlib
import itertools
import json
import math
import numbers
import os
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hemopt._io import atomic_path, output_lock
from hemopt._progress import sayer
from hemopt._workers import end_with_parent as _end_with_parent
from hemopt._workers import stop_workers as _stop_workers
from hemopt.errors import HemoptError, InputError

__all__ = ["GRID_KEYS", "RETRIES", "SETTING_KEYS", "connect", "read_config",
           "run_task", "source_hash", "summarise", "sweep", "tasks_of"]

#: Times a failed task is run again before it is quarantined with its error.
RETRIES = 1

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

#: Settings that change a result besides the grid keys: part of every task id and columns of
#: the result (``max_iterations`` is None with the approximation, which does not use it).
SETTING_KEYS = ("routing", "max_iterations", "staff_sek_per_hour", "sek_per_km",
                "co2_kg_per_km", "days_per_year", "hemopt_version", "hemopt_source")


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return (isinstance(v, numbers.Real) and not isinstance(v, bool)
            and math.isfinite(float(v)))


@functools.cache
def _expected_clients(preset: str) -> float:
    """Expected clients of a preset at scale 1 (reading its DeSO data once)."""
    from hemopt.synth import get_preset

    return get_preset(preset).expected_clients


def _presets() -> list[str]:
    from hemopt.synth import PRESETS

    return sorted(PRESETS)


# grid key -> (test of one value, what the value must be)
_GRID_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "preset": (lambda v: isinstance(v, str) and v in _presets(),
               "a preset name (botkyrka or strangnas)"),
    "scale": (lambda v: _is_num(v) and 0 < v <= 20, "a number in (0, 20]"),
    "n_external": (lambda v: v is None or (_is_int(v) and 0 <= v <= 50),
                   "a whole number in [0, 50]"),
    "concentration": (lambda v: v is None or (_is_num(v) and 0 <= v <= 10),
                      "a number in [0, 10]"),
    "external_share": (lambda v: _is_num(v) and 0 <= v <= 1, "a share in [0, 1]"),
    "n_zones": (lambda v: v is None or (_is_int(v) and 1 <= v <= 200),
                "a whole number in [1, 200]"),
    "procured_share": (lambda v: _is_num(v) and 0 <= v <= 1, "a share in [0, 1]"),
}


def _kind(v: Any) -> str:
    return {bool: "boolean", str: "string", int: "integer", float: "number", list: "list",
            dict: "table"}.get(type(v), type(v).__name__)


def _unknown(what: str, name: str, allowed: Iterable[str]) -> str:
    allowed = sorted(allowed)
    near = difflib.get_close_matches(name, allowed, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return f"{what} {name!r}{hint}; expected one of {', '.join(allowed)}"


def _settings(routing: str, max_iterations: int | None, cost: Any) -> dict[str, Any]:
    from hemopt.compare import CostParams

    version = _installed_version()

    if routing not in ("approx", "solver"):
        raise InputError(f"routing must be 'approx' or 'solver', got {routing!r}")
    if routing == "solver" and not (_is_int(max_iterations) and max_iterations >= 1):
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
            "max_iterations": int(max_iterations) if routing == "solver" else None,
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
    for k in grid:
        if k not in GRID_KEYS:
            raise InputError("grid: " + _unknown("unknown key", str(k), GRID_KEYS))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise InputError(f"seeds must be a list of whole numbers >= 0, got {seeds!r}")
    seeds = list(seeds)
    if not seeds or not all(_is_int(s) and s >= 0 for s in seeds):
        raise InputError(f"seeds must be a non-empty list of whole numbers >= 0, got {seeds!r}")
    settings = _settings(routing, max_iterations, cost)
    keys = list(GRID_KEYS)
    values = []
    for k in keys:
        v = grid.get(k, GRID_KEYS[k])
        many = isinstance(v, (list, tuple, range, np.ndarray))
        v = list(v) if many else [v]
        if not v:
            raise InputError(f"grid[{k!r}] is empty")
        ok, must = _GRID_RULES[k]
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
            regimes = default_regimes(sc, external_share=task["external_share"],
                                      n_zones=task["n_zones"],
                                      procured_share=task["procured_share"], seed=task["seed"])
            cost = CostParams(**{f.name: task[f.name] for f in fields(CostParams)})
            comp = compare(sc, regimes, routing=task["routing"], seed=task["seed"], cost=cost,
                           max_iterations=task["max_iterations"],
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


QUARANTINE = "quarantine"


def _part_ok(path: Path, unit: tuple[str, ...] = ("regime",)) -> str:
    """``""`` when ``path`` is a whole part of its task (readable, the task's rows, one per
    regime, no error), else what is wrong with it."""
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several kinds on a truncated file
        return f"unreadable ({type(exc).__name__}: {str(exc)[:120]})"
    need = {"task_id", "regime", "error"}
    if not need <= set(df.columns):
        return f"columns {sorted(need - set(df.columns))} missing"
    if len(df) == 0:
        return "no rows"
    if set(df["task_id"].astype(str)) != {path.stem}:
        return "rows of another task"
    if (df["error"].astype(str) != "").any():
        return "an error row (the task failed)"
    regimes = df["regime"].astype(str)
    if (regimes == "").any() or df.duplicated(subset=list(unit)).any():
        return "not one row per " + ", ".join(unit)
    return ""


def _done(out: Path, wanted: set[str] | None = None,
          say: Callable[[str], None] | None = None,
          unit: tuple[str, ...] = ("regime",)) -> set[str]:
    """Task ids with a whole part in ``out`` (see :func:`_part_ok`) or a quarantined error.
    Parts of ``wanted`` tasks that are not whole are renamed ``*.parquet.corrupt`` (kept for
    inspection) so that their tasks run again."""
    done = set()
    for p in sorted(out.glob("*.parquet")):
        if wanted is not None and p.stem not in wanted:
            done.add(p.stem)  # another grid's part: left alone, not checked
            continue
        why = _part_ok(p, unit)
        if not why:
            done.add(p.stem)
            continue
        bad = p.with_name(p.name + ".corrupt")
        os.replace(p, bad)
        if say is not None:
            say(f"part {p.name} is not whole ({why}): set aside as {bad.name}, its task runs "
                "again\n")
    q = out / QUARANTINE
    if q.is_dir():
        done |= {p.stem for p in q.glob("*.parquet")}
    return done


def sweep(
    grid: Mapping[str, Any],
    *,
    seeds: Iterable[int] = (0, 1, 2),
    routing: str = "approx",
    max_iterations: int = 100,
    cost: Any = None,
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
    cost
        :class:`~hemopt.compare.CostParams` or a mapping of its fields (default: its defaults).
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
    tasks = tasks_of(grid, seeds, routing=routing, max_iterations=max_iterations, cost=cost)
    outdir = Path(out) if out is not None else None
    if outdir is None:
        return _run(tasks, None, client, n_workers, progress)
    from hemopt._io import check_folder

    check_folder(outdir, "out")
    with output_lock(outdir, "out", folder=True):
        return _run(tasks, outdir, client, n_workers, progress)


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
    ...                               dashboard_address=None) as cluster:
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


def _client_version() -> str:
    """This process's hemopt source hash, compared with the workers' (a seam for tests)."""
    return source_hash()


def check_workers(client: Any, where: str = "the Dask cluster") -> None:
    """Refuse a Dask cluster with a worker whose hemopt source differs from this process's
    (:func:`source_hash`), or that cannot import hemopt.

    Raises
    ------
    HemoptError
        Naming the workers, their hash and this process's.
    """
    mine = _client_version()
    try:
        hashes = client.run(source_hash)
    except Exception as exc:  # a worker without hemopt fails to unpickle the function
        raise HemoptError(f"the workers of {where} cannot run hemopt ({type(exc).__name__}: "
                          f"{exc}); install the same hemopt on every worker") from None
    wrong = {w: v for w, v in hashes.items() if v != mine}
    if wrong:
        listed = ", ".join(f"{w}: {v}" for w, v in sorted(wrong.items())[:3])
        raise HemoptError(f"{len(wrong)} worker(s) of {where} run another hemopt than "
                          f"this process (source hash {mine}): {listed}. Install the same "
                          "hemopt (the same files, not only the same version number) on the "
                          "workers")


@functools.lru_cache(maxsize=1)
def source_hash() -> str:
    """A hash of hemopt's source: every ``.py`` file of the package, by path and content.

    Workers are compared by it rather than by the version string, which stays the same across
    commits and local edits. The first 16 hex digits of a SHA-256.

    >>> len(source_hash()), source_hash() == source_hash()
    (16, True)
    """
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        rel = p.relative_to(root).as_posix()
        if "__pycache__" in rel:
            continue
        h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


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


def _failed(result: list[dict[str, Any]]) -> bool:
    return any(r.get("error") for r in result)


def _crash_row(task: Mapping[str, Any], exc: BaseException) -> list[dict[str, Any]]:
    """The error row of a task whose worker failed (not the task itself)."""
    return [{**dict(task), "regime": "", "error": f"{type(exc).__name__}: {exc}",
             "traceback": "".join(traceback.format_exception_only(exc)), "runtime_s": 0.0}]


def _run(tasks: list[dict[str, Any]], outdir: Path | None, client: Any,
         n_workers: int | None, progress: bool | Callable[[str], None], *,
         fn: Callable[[Mapping[str, Any]], list[dict[str, Any]]] | None = None,
         frame: Callable[[list[dict[str, Any]]], pd.DataFrame] | None = None,
         tick: Callable[[int, int], None] | None = None,
         unit: tuple[str, ...] = ("regime",)) -> pd.DataFrame:
    fn = fn or run_task  # hooks for hemopt.sensitivity: its task, its rows, its progress
    frame = frame or _frame
    say = sayer(progress, end="")
    todo = tasks
    wanted = {t["task_id"] for t in tasks}
    if outdir is not None:
        done = _done(outdir, wanted, say, unit)
        todo = [t for t in tasks if t["task_id"] not in done]
        other = len(done - wanted)
        quarantined = len(wanted & _done_quarantined(outdir))
        if len(todo) < len(tasks) or other:
            say(f"resuming: {len(tasks) - len(todo)} of {len(tasks)} tasks already in {outdir}"
                + (f" ({quarantined} quarantined with their error in {outdir / QUARANTINE}; "
                   "delete a part there to run its task again)" if quarantined else "")
                + (f"; {other} part(s) there are of other grids or settings and are left out"
                   if other else "") + "\n")
    if client is not None and todo:
        check_workers(client)
    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    n = len(todo)
    tries: dict[str, int] = {}
    finished = 0

    def collect(task: Mapping[str, Any], result: list[dict[str, Any]]) -> bool:
        """Keep a result; False when the task failed and is to be run again."""
        nonlocal finished
        tid = task["task_id"]
        tries[tid] = tries.get(tid, 0) + 1
        if _failed(result) and tries[tid] <= RETRIES:
            return False
        rows.extend(result)
        if outdir is not None:
            folder = outdir / QUARANTINE if _failed(result) else outdir
            with atomic_path(folder / f"{tid}.parquet") as tmp:
                frame(result).to_parquet(tmp, index=False)  # a part is whole or absent
        finished += 1
        el = time.perf_counter() - t0
        if tick is not None:
            tick(finished, n)
        elif finished == n or finished % max(1, n // 50) == 0:
            say(f"\r{finished}/{n} tasks, {el:.0f} s elapsed, "
                f"~{el / finished * (n - finished):.0f} s left")
        return True

    if client is not None:
        from distributed import as_completed as dask_completed

        futures = client.map(fn, todo, pure=False)
        by_key = {f.key: t for f, t in zip(futures, todo, strict=True)}
        queue = dask_completed(futures)
        try:
            for fut in queue:
                task = by_key[fut.key]
                try:
                    result = fut.result()
                except Exception as exc:  # the worker died or could not run the task
                    result = _crash_row(task, exc)
                if not collect(task, result):
                    again = client.submit(fn, task, pure=False)
                    by_key[again.key] = task
                    queue.add(again)
        except BaseException:
            client.cancel(list(queue.futures) if hasattr(queue, "futures") else futures)
            raise
    else:
        workers = n_workers or os.cpu_count() or 1
        if workers <= 1 or n <= 1:
            for t in todo:
                while not collect(t, fn(t)):
                    pass
        else:
            ex = ProcessPoolExecutor(max_workers=workers, initializer=_end_with_parent,
                                     initargs=(os.getpid(),))
            try:
                pending = {ex.submit(fn, t): t for t in todo}
                while pending:
                    done_now, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for f in done_now:
                        t = pending.pop(f)
                        if not collect(t, f.result()):
                            pending[ex.submit(fn, t)] = t
            except BaseException:
                _stop_workers(ex)
                raise
            ex.shutdown(wait=True)
    if n and tick is None:
        say("\n")
    if outdir is not None:
        paths = sorted(outdir.glob("*.parquet"))
        q = outdir / QUARANTINE
        if q.is_dir():
            paths += sorted(q.glob("*.parquet"))
        parts = [pd.read_parquet(p) for p in paths if p.stem in wanted]
        df = pd.concat(parts, ignore_index=True) if parts else frame([])
        df = df.drop_duplicates(subset=["task_id", *unit], keep="first")
    else:
        df = frame(rows) if rows else frame([])
    return df.sort_values(["task_id", "regime"], kind="stable").reset_index(drop=True)


def _done_quarantined(out: Path) -> set[str]:
    q = out / QUARANTINE
    return {p.stem for p in q.glob("*.parquet")} if q.is_dir() else set()


# section -> key -> (test of the value, what it must be); [grid] is checked by tasks_of
_CONFIG_RULES: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    "grid": {k: (lambda v: True, "") for k in GRID_KEYS},
    "sweep": {
        "seeds": (lambda v: (_is_int(v) and v >= 1)
                  or (isinstance(v, list) and bool(v) and all(_is_int(x) and x >= 0 for x in v)),
                  "a number of seeds >= 1 or a non-empty list of whole numbers >= 0"),
        "routing": (lambda v: v in ("approx", "solver"), "'approx' or 'solver'"),
        "max_iterations": (lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
        "plot_by": (lambda v: isinstance(v, str) and v in GRID_KEYS,
                    f"a grid key ({', '.join(GRID_KEYS)})"),
        "value_of_choice_sek": (lambda v: _is_num(v) and v >= 0, "a number >= 0"),
    },
    "cost": {k: (lambda v: _is_num(v) and v >= 0, "a number >= 0")
             for k in ("staff_sek_per_hour", "sek_per_km", "co2_kg_per_km", "days_per_year")},
}


def read_config(path: str | Path) -> dict[str, Any]:
    """Read and check a sweep configuration (TOML) before any work.

    Returns the keyword arguments of :func:`sweep` (``grid``, ``seeds``, ``routing``,
    ``max_iterations``, ``cost``) plus ``plot_by`` and ``value_of_choice_sek`` (None when not
    given). The grid and settings are checked as :func:`tasks_of` checks them.

    Raises
    ------
    InputError
        Naming the file and the unknown section, the unknown key (with the nearest known one)
        or the key, value and type that are wrong.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = p.write_text('[grids]\\npreset = "strangnas"\\n')
    >>> try:
    ...     read_config(p)
    ... except InputError as err:
    ...     print(str(err).split(": ", 1)[1])
    unknown section [grids] (did you mean [grid]?); expected one of [cost], [grid], [sweep]
    """
    import tomllib

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--config: {'is a folder' if path.is_dir() else 'file not found'}: "
                         f"{str(path)!r}")
    try:
        cfg = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"--config: {str(path)!r} is not valid TOML: {exc}") from exc
    where = f"--config {str(path)!r}"
    for section, table in cfg.items():
        if section not in _CONFIG_RULES:
            sections = [f"[{s}]" for s in _CONFIG_RULES]
            near = difflib.get_close_matches(section, list(_CONFIG_RULES), n=1)
            hint = f" (did you mean [{near[0]}]?)" if near else ""
            raise InputError(f"{where}: unknown section [{section}]{hint}; expected one of "
                             f"{', '.join(sorted(sections))}")
        if not isinstance(table, dict):
            raise InputError(f"{where}: {section} must be a section [{section}], got "
                             f"{table!r} ({_kind(table)})")
        for key, value in table.items():
            rules = _CONFIG_RULES[section]
            if key not in rules:
                raise InputError(f"{where}: " + _unknown(f"unknown key in [{section}]:", key,
                                                          rules))
            ok, must = rules[key]
            if not ok(value):
                raise InputError(f"{where}: [{section}] {key} must be {must}, got {value!r} "
                                 f"({_kind(value)})")
    opts = cfg.get("sweep", {})
    if "max_iterations" in opts and opts.get("routing", "approx") != "solver":
        raise InputError(f"{where}: [sweep] max_iterations applies to routing = 'solver' only; "
                         "drop it or set routing = 'solver'")
    if "value_of_choice_sek" in opts and "plot_by" not in opts:
        raise InputError(f"{where}: [sweep] value_of_choice_sek is used only by the plot; give "
                         "plot_by too, or drop it")
    seeds = opts.get("seeds", [0, 1, 2])
    out = {
        "grid": cfg.get("grid", {}),
        "seeds": list(range(seeds)) if _is_int(seeds) else seeds,
        "routing": opts.get("routing", "approx"),
        "max_iterations": opts.get("max_iterations", 100),
        "cost": cfg.get("cost") or None,
        "plot_by": opts.get("plot_by"),
        "value_of_choice_sek": opts.get("value_of_choice_sek"),
    }
    try:
        tasks_of(out["grid"], out["seeds"], routing=out["routing"],
                 max_iterations=out["max_iterations"], cost=out["cost"])
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from exc
    return out


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
