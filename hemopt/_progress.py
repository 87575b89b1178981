"""Progress messages for long work (internal)."""

from __future__ import annotations

import sys
from collections.abc import Callable


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
