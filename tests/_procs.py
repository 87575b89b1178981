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
