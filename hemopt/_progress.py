"""Progress messages and progress bars for long work (internal)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def sayer(progress: bool | Callable[[str], None], *, end: str = "\n") -> Callable[[str], None]:
    """A function taking a message: ``progress`` itself if callable, a printer to stderr if
    True, a no-op if False."""
    if callable(progress):
        return progress
    if progress:
        def say(msg: str) -> None:
            print(msg, end=end, file=sys.stderr, flush=True)

        return say
    return lambda msg: None


def bar(total: float, *, enabled: bool, desc: str = "", unit: str = "it") -> Any:
    """One progress bar on stderr with the time elapsed and an estimate of the time left
    (tqdm), or a silent stand-in when ``enabled`` is False. Use it as a context manager and
    call ``update(n)``; it is cleared when it closes (the caller prints a summary line).

    Examples
    --------
    >>> with bar(10, enabled=False, desc="routing", unit="stops") as b:  # prints nothing
    ...     b.update(10)
    """
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not enabled,
                leave=False, mininterval=0.5, dynamic_ncols=True, smoothing=0.1,
                bar_format="{desc}{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit} "
                           "[{elapsed}<{remaining}]")
