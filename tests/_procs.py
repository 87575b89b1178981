"""Processes read from /proc (Linux): for the tests that stop a parent and check that its
worker processes end with it (sweep and parallel routing)."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    """Child process ids of ``pid``."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return out


def running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has ended; it only waits to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_ended(workers: list[int], timeout_s: float = 10.0) -> list[int]:
    """Wait up to ``timeout_s`` for ``workers`` to end; return those still running."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(running(w) for w in workers):
        time.sleep(0.1)
    return [w for w in workers if running(w)]


def reap(proc, workers: list[int]) -> None:
    """Kill ``proc`` and any of ``workers`` still running (only when a test failed: leave no
    orphans behind)."""
    import contextlib
    import os
    import signal

    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for w in workers:
        if running(w):
            with contextlib.suppress(ProcessLookupError):
                os.kill(w, signal.SIGKILL)
