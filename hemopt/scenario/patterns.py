"""Weekly visit patterns: the optional client columns ``pattern_days`` and ``pattern_tasks``
(see :data:`PATTERN_COLUMNS`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import geopandas as gpd
import numpy as np

from hemopt.errors import ScenarioError
from hemopt.scenario.schema import LIST_SEPARATOR, _is_missing


class HasClients(Protocol):
    """What :func:`weekly_pattern` reads of a :class:`~hemopt.scenario.Scenario`."""

    @property
    def clients(self) -> gpd.GeoDataFrame: ...


# ------------------------------------------------------------------------ weekly visit patterns
#: Optional client columns of a weekly visit pattern, used by the 14-day horizon
#: (:mod:`hemopt.continuity`; ``docs/continuity.md``). ``pattern_days``: seven ``0``/``1``
#: characters, Monday first, the days with the client's routine visits (``visits_per_day``
#: visits on each). ``pattern_tasks``: weekly tasks on fixed weekdays,
#: ``"name@weekday:minutes"`` separated by ``;`` (weekday 0 = Monday), e.g.
#: ``"shower@1:45;cleaning@3:60"``; their minutes are part of ``hours_per_week``.
PATTERN_COLUMNS = ("pattern_days", "pattern_tasks")


@dataclass(frozen=True, eq=False)
class WeeklyPattern:
    """The clients' weekly visit pattern, parsed from :data:`PATTERN_COLUMNS`.

    Attributes
    ----------
    days
        ``(n_clients, 7)`` bool: the weekdays (Monday first) with routine visits.
    task_min
        ``(n_clients, 7)`` minutes of weekly tasks on each weekday (one visit per day with
        tasks).
    tasks
        Per client, the tuple of ``(name, weekday, minutes)``.
    routine_min
        ``(n_clients,)`` minutes of routine care on each day of ``days``: the weekly minutes
        less the tasks', over the routine days.
    """

    days: np.ndarray
    task_min: np.ndarray
    tasks: tuple[tuple[tuple[str, int, float], ...], ...]
    routine_min: np.ndarray


def _parse_days(v: Any, row: Any) -> np.ndarray:
    if isinstance(v, (int, np.integer, float, np.floating)) and not _is_missing(v) and float(
            v).is_integer():
        v = f"{int(v):07d}"  # '0100000' read from a CSV as a number
    s = "" if _is_missing(v) else str(v).strip()
    if len(s) != 7 or set(s) - {"0", "1"}:
        raise ScenarioError("expected seven 0/1 characters, Monday first (e.g. '1111111')",
                            table="clients", row=row, field="pattern_days", value=v)
    return np.array([c == "1" for c in s], dtype=bool)


def _parse_tasks(v: Any, row: Any) -> tuple[tuple[str, int, float], ...]:
    if _is_missing(v) or not str(v).strip():
        return ()
    out = []
    for part in str(v).split(LIST_SEPARATOR):
        try:
            name, rest = part.strip().split("@")
            day, minutes = rest.split(":")
            wd, m = int(day), float(minutes)
        except ValueError:
            raise ScenarioError("expected 'name@weekday:minutes' separated by ';' (e.g. "
                                "'shower@1:45')", table="clients", row=row,
                                field="pattern_tasks", value=v) from None
        if not name or not 0 <= wd <= 6 or not (math.isfinite(m) and m > 0):
            raise ScenarioError("a task needs a name, a weekday 0..6 (0 = Monday) and minutes "
                                "> 0", table="clients", row=row, field="pattern_tasks",
                                value=v)
        out.append((name, wd, m))
    return tuple(out)


def weekly_pattern(scenario: HasClients) -> WeeklyPattern | None:
    """The clients' weekly visit pattern, or ``None`` when the scenario has no
    ``pattern_days`` column (then every day of a horizon is the one-day draw of
    :func:`hemopt.routing.visits.day_of_visits`).

    Raises
    ------
    ScenarioError
        A malformed pattern, tasks longer than the weekly hours, or routine minutes without
        routine days, naming the client, the field and the value.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> p = weekly_pattern(sc)
    >>> week = p.routine_min * p.days.sum(axis=1) + p.task_min.sum(axis=1)
    >>> bool(np.allclose(week, sc.clients["hours_per_week"] * 60))    # minutes conserved
    True
    >>> weekly_pattern(sc.replace(clients=sc.clients.drop(columns=list(PATTERN_COLUMNS))))
    """
    cl = scenario.clients
    if "pattern_days" not in cl.columns:
        return None
    ids = cl["client_id"].tolist()
    days = np.vstack([_parse_days(v, r) for v, r in zip(cl["pattern_days"], ids, strict=True)]
                     ) if len(cl) else np.zeros((0, 7), dtype=bool)
    tasks = tuple(_parse_tasks(v, r) for v, r in zip(
        cl["pattern_tasks"] if "pattern_tasks" in cl.columns else [None] * len(cl), ids,
        strict=True))
    task_min = np.zeros((len(cl), 7))
    for i, ts in enumerate(tasks):
        for _, wd, m in ts:
            task_min[i, wd] += m
    week = cl["hours_per_week"].to_numpy(dtype=float) * 60.0
    routine = week - task_min.sum(axis=1)
    n_days = days.sum(axis=1)
    for bad, what, field in (
        (routine < -1e-6, "tasks take more minutes than hours_per_week", "pattern_tasks"),
        ((routine > 1e-6) & (n_days == 0), "routine care without a routine day",
         "pattern_days"),
    ):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ScenarioError(what, table="clients", row=ids[i], field=field,
                                value=cl[field].iloc[i] if field in cl.columns else None)
    per_day = np.divide(np.maximum(routine, 0.0), n_days, out=np.zeros(len(cl)),
                        where=n_days > 0)
    return WeeklyPattern(days=days, task_min=task_min, tasks=tasks, routine_min=per_day)


def _pattern_note(sc: HasClients) -> str:
    if "pattern_days" not in sc.clients.columns:
        return ("no visit pattern columns (pattern_days, pattern_tasks): every day of a "
                "14-day horizon repeats the one-day draw of visits")
    p = weekly_pattern(sc)
    assert p is not None
    n = len(sc.clients)
    daily = int((p.days.all(axis=1)).sum())
    tasks = int(sum(1 for t in p.tasks if t))
    return (f"weekly visit patterns: {daily} of {n} clients visited every day, {tasks} with "
            "weekly tasks on fixed weekdays")
