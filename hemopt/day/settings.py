"""How a day is routed (:class:`RoutingSettings`): method, backend, effort, workers and the
care rules; every setting that changes the routing result."""

from __future__ import annotations

import math
from dataclasses import dataclass

from hemopt._workers import resolve_workers
from hemopt.day.care import CareParams
from hemopt.errors import InputError

__all__ = ["RoutingSettings"]


@dataclass(frozen=True)
class RoutingSettings:
    """How a day is routed: every setting that changes the routing result.

    Parameters
    ----------
    method
        ``"solver"`` (VRPTW per provider, base and shift) or ``"approx"`` (the calibrated
        continuous approximation, milliseconds).
    backend
        VRPTW backend for ``"solver"`` (``"pyvrp"``, ``"ortools"``, ``"greedy"``).
    max_iterations, time_limit_s
        Solver effort per instance. An iteration limit and no time limit give the same routes
        on every machine.
    workers
        Processes solving the day's instances side by side (default: every core; the routes
        do not depend on it, see :func:`~hemopt.day.route_day`).
    care
        Double staffing, skills and breaks (:class:`~hemopt.day.CareParams`; default
        on). ``CareParams(enabled=False)`` routes as before issue 18.

    Examples
    --------
    >>> import hemopt
    >>> hemopt.RoutingSettings(method="approx").method
    'approx'
    >>> hemopt.RoutingSettings(method="guess")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: routing must be 'solver' or 'approx', got 'guess'
    """

    method: str = "solver"
    backend: str = "pyvrp"
    max_iterations: int | None = 1000
    time_limit_s: float | None = None
    workers: int | None = None
    care: CareParams | None = None

    def __post_init__(self) -> None:
        if self.method not in ("solver", "approx"):
            raise InputError(f"routing must be 'solver' or 'approx', got {self.method!r}")
        if self.workers is not None:
            resolve_workers(self.workers, "RoutingSettings.workers")
        m = self.max_iterations
        if m is not None and (isinstance(m, bool) or not isinstance(m, int) or m < 1):
            raise InputError(f"RoutingSettings.max_iterations must be a whole number >= 1 or "
                             f"None, got {m!r}")
        t = self.time_limit_s
        if t is not None and (isinstance(t, bool) or not isinstance(t, (int, float))
                              or not math.isfinite(t) or t <= 0):
            raise InputError(f"RoutingSettings.time_limit_s must be a number of seconds > 0 "
                             f"or None, got {t!r}")
