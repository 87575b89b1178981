"""Progress messages, progress bars and logging for long work (internal).

``progress=None`` (the default of :func:`hemopt.compare` and :func:`hemopt.compare_seeds`)
means *on where someone is watching*: in a notebook (an IPython kernel is running) or when
stderr is a terminal; off in scripts whose output is piped and in tests. Every message also
goes to the ``hemopt`` logger (level DEBUG for the steps), so ``logging`` configuration or
the CLI's ``-v`` shows them too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("hemopt")


def auto_progress() -> bool:
    """Whether progress shows by default: in a notebook, or on a terminal."""
    ipython = sys.modules.get("IPython")
    if ipython is not None:  # a running notebook kernel, not merely ipykernel imported
        shell = ipython.get_ipython()
        if shell is not None and "IPKernelApp" in getattr(shell, "config", {}):
            return True
    err = sys.stderr
    try:
        return bool(err is not None and err.isatty())
    except (AttributeError, ValueError):
        return False


def sayer(progress: bool | Callable[[str], None] | None, *,
          end: str = "\n") -> Callable[[str], None]:
    """A function taking a message: ``progress`` itself if callable, a printer to stderr if
    True (or None and :func:`auto_progress`), a no-op if False. Every message is logged at
    DEBUG to the ``hemopt`` logger as well."""
    if progress is None:
        progress = auto_progress()
    if callable(progress):
        show = progress
    elif progress:
        def show(msg: str) -> None:
            print(msg, end=end, file=sys.stderr, flush=True)
    else:
        def show(msg: str) -> None:
            return None

    def say(msg: str) -> None:
        logger.debug("%s", msg.strip())
        show(msg)

    return say


def configure_logging(verbosity: int) -> None:
    """The CLI's ``-q`` (-1: warnings only), default (0: warnings), ``-v`` (1: INFO) and
    ``-vv`` (2: DEBUG, every step): one handler on the ``hemopt`` logger writing
    ``hemopt: message`` lines to stderr.

    Examples
    --------
    >>> configure_logging(1); logging.getLogger("hemopt").level == logging.INFO
    True
    >>> configure_logging(0)
    """
    level = {-1: logging.WARNING, 0: logging.WARNING, 1: logging.INFO}.get(
        verbosity, logging.DEBUG if verbosity > 1 else logging.WARNING)
    for h in list(logger.handlers):
        if getattr(h, "_hemopt_cli", False):
            logger.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("hemopt: %(message)s"))
    handler._hemopt_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)


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

    if enabled and "ipykernel" in sys.modules:
        try:  # a notebook widget when ipywidgets is there, else the text bar
            import ipywidgets  # noqa: F401
            from tqdm.auto import tqdm
        except ImportError:
            pass
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not enabled,
                leave=False, mininterval=0.5, dynamic_ncols=True, smoothing=0.1,
                bar_format="{desc}{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit} "
                           "[{elapsed}<{remaining}]")
