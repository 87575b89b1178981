"""Running many independent tasks (internal), for :mod:`hemopt.sweep` and
:mod:`hemopt.sensitivity`: in this process, in local worker processes
(:func:`hemopt._workers.process_pool`) or on a Dask cluster (checked first: every worker must run
the same hemopt source, :func:`check_workers`). Each task's rows are written as one Parquet
part as they arrive, so that a rerun resumes; a part that is not whole is set aside and its task
run again; a failed task is retried (:data:`RETRIES` times) and then quarantined with its error.

A task is a mapping with a ``task_id``; ``fn(task)`` returns its rows (dicts with at least
``task_id``, ``regime`` and ``error``, ``""`` when it succeeded), one per ``unit`` key.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path
from typing import Any

import pandas as pd

from hemopt._io import atomic_path
from hemopt._progress import sayer
from hemopt._workers import process_pool, resolve_workers
from hemopt._workers import stop_workers as _stop_workers
from hemopt.errors import HemoptError

__all__ = ["QUARANTINE", "RETRIES", "check_workers", "run_tasks", "source_hash"]

#: Times a failed task is run again before it is quarantined with its error.
RETRIES = 1

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



def _failed(result: list[dict[str, Any]]) -> bool:
    return any(r.get("error") for r in result)


def _crash_row(task: Mapping[str, Any], exc: BaseException) -> list[dict[str, Any]]:
    """The error row of a task whose worker failed (not the task itself)."""
    return [{**dict(task), "regime": "", "error": f"{type(exc).__name__}: {exc}",
             "traceback": "".join(traceback.format_exception_only(exc)), "runtime_s": 0.0}]


def run_tasks(tasks: list[dict[str, Any]], outdir: Path | None, client: Any,
              n_workers: int | None, progress: bool | Callable[[str], None], *,
              fn: Callable[[Mapping[str, Any]], list[dict[str, Any]]],
              frame: Callable[[list[dict[str, Any]]], pd.DataFrame],
              tick: Callable[[int, int], None] | None = None,
              unit: tuple[str, ...] = ("regime",),
              check_client: Callable[[Any], None] | None = None,
              on_done: Callable[[Mapping[str, Any], list[dict[str, Any]]], None] | None = None,
              ) -> pd.DataFrame:
    """Run ``tasks`` with ``fn`` and return their rows as one frame (``frame(rows)``), sorted
    by task and regime.

    ``outdir`` (a folder, or None) keeps one Parquet part per task and resumes from it;
    ``client`` (a ``dask.distributed.Client``, or None for local processes, ``n_workers`` of
    them) runs the tasks, after ``check_client(client)`` (default :func:`check_workers`);
    ``on_done(task, rows)`` is called with each task's final rows (after any retry), then
    ``tick(done, n)``; without ``tick``, ``progress`` reports progress. ``unit`` names the
    columns that make a task's row unique.
    """
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
        (check_client or check_workers)(client)
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
        if on_done is not None:
            on_done(task, result)
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
        workers = resolve_workers(n_workers, "n_workers")  # every core unless in a worker
        if workers <= 1 or n <= 1:
            for t in todo:
                while not collect(t, fn(t)):
                    pass
        else:
            ex = process_pool(workers)  # the one pool: its workers end with this process
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
    root = Path(__file__).resolve().parent  # hemopt/, this file is hemopt/_tasks.py
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        rel = p.relative_to(root).as_posix()
        if "__pycache__" in rel:
            continue
        h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]
