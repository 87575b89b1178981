"""Local worker processes that never outlive their parent (internal).

Used by the sweep (:mod:`hemopt.sweep`, one task per process) and by the day's routing
(:mod:`hemopt.routing.parallel`, one VRPTW per process). Two rules hold for every pool made
here:

* A worker ends when its parent ends, even when the parent is killed by SIGKILL (which it
  cannot catch): on Linux the kernel kills the worker (``PR_SET_PDEATHSIG``); everywhere a
  daemon thread checks twice a second that the parent is still there
  (:func:`end_with_parent`).
* Pools do not nest. Inside a worker (or a daemonic process such as a Dask worker, which may
  not have children) the default number of workers is 1 (:func:`resolve_workers`), so a sweep
  over all cores does not start a routing pool over all cores in each of its tasks.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from hemopt.errors import InputError

__all__ = ["end_with_parent", "in_worker", "process_pool", "resolve_workers", "stop_workers"]

_IN_WORKER = False


def in_worker() -> bool:
    """True in a worker process started by :func:`process_pool` (or by the sweep), or in a
    daemonic process (which may not start processes of its own)."""
    return _IN_WORKER or bool(multiprocessing.current_process().daemon)


def resolve_workers(workers: Any, name: str = "workers") -> int:
    """The number of processes to use: ``workers`` checked, or by default (None) every core,
    except inside a worker (see :func:`in_worker`), where it is 1.

    Raises
    ------
    InputError
        ``workers`` is not a whole number >= 1 (the message names ``name`` and the value).

    Examples
    --------
    >>> resolve_workers(3), resolve_workers(None) >= 1
    (3, True)
    >>> resolve_workers(0)
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: workers must be a whole number >= 1 (or None: every core), got 0
    """
    if workers is None:
        return 1 if in_worker() else max(1, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int | float) or workers != int(
            workers) or workers < 1:
        raise InputError(f"{name} must be a whole number >= 1 (or None: every core), got "
                         f"{workers!r}")
    return int(workers)


def end_with_parent(parent_pid: int) -> None:
    """Initializer of a local worker process: end this process when its parent ends.

    A killed run (even by SIGKILL, which it cannot catch) must not leave workers behind: on
    Linux the kernel kills the worker when its parent dies (``PR_SET_PDEATHSIG``); everywhere a
    daemon thread checks twice a second that the parent is still there. Also marks the process
    as a worker (:func:`in_worker`).
    """
    global _IN_WORKER
    _IN_WORKER = True
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
            pass
    ppid = os.getppid()

    def gone() -> bool:
        if os.getppid() != ppid:
            return True  # re-parented: the parent (or the fork server) has ended
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # pragma: no cover - alive, someone else's
            return False
        return False

    if gone():  # the parent died between starting us and now
        os._exit(1)

    def watch() -> None:
        while not gone():
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="hemopt-parent-watch", daemon=True).start()


def _init(parent_pid: int, initializer: Callable[..., None] | None,
          initargs: Sequence[Any]) -> None:
    end_with_parent(parent_pid)
    if initializer is not None:
        initializer(*initargs)


def process_pool(workers: int, *, initializer: Callable[..., None] | None = None,
                 initargs: Sequence[Any] = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes that end with this one (:func:`end_with_parent`),
    then run ``initializer(*initargs)``.

    On Linux the workers are forked: they start at once, with this process's modules
    already imported, and a script or notebook that calls hemopt needs no
    ``if __name__ == "__main__":`` guard (a spawned or fork-server worker would run the
    script again). Fork the pool before any thread of your own starts (hemopt's progress bar
    starts after the workers). Elsewhere the platform's default start method is used.
    """
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init,
                               initargs=(os.getpid(), initializer, tuple(initargs)))


def stop_workers(ex: ProcessPoolExecutor) -> None:
    """End the workers now (an interrupted run): their results are not wanted."""
    # CPython keeps the worker processes in ``_processes``. Once they are gone the pool fails
    # every future not done (BrokenProcessPool); cancelling futures first would race with that
    # inside the pool's manager thread.
    procs = list((getattr(ex, "_processes", None) or {}).values())
    for proc in procs:
        proc.terminate()
    # without the processes at hand: drop the tasks not started; the running ones end when
    # this process does (see end_with_parent)
    ex.shutdown(wait=bool(procs), cancel_futures=not procs)
