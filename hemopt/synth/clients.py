"""The synthetic clients' care: ages, granted hours, visits a day, weekly patterns, double
staffing and delegated health-care tasks (part of :mod:`hemopt.synth`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from hemopt.synth.presets import Preset

#: Double staffing (two staff at once: a lift, a two-person transfer) falls on the heaviest
#: clients: those in the top :data:`DOUBLE_STAFF_TOP` by granted hours are double-staffed with
#: probability :data:`DOUBLE_STAFF_RATE`. The heaviest tenth hold about 40 % of the visits, so
#: about 4–5 % of the visits are double-staffed (Strängnäs seeds 1–8: 3.1–7.1 %, mean 4.7 %):
#: one real Swedish home-care day had 14 of 336 (4.2 %, issue 18; see docs/scenario.md).
DOUBLE_STAFF_TOP = 0.10
DOUBLE_STAFF_RATE = 0.12
#: Share of clients with daily visits whose visits include a delegated health-care task
#: (insulin, wound care, eye drops) that only licensed staff may do. An assumption (no
#: published Swedish rate found; see docs/scenario.md).
DELEGATED_RATE = 0.15
#: The skill a delegated health-care task needs (``clients.skill``).
DELEGATED = "delegated"
#: Share of each provider's staff holding a delegation for health-care tasks
#: (``providers.licensed_share``). An assumption: see docs/scenario.md.
LICENSED_SHARE = 0.5


def care_needs(hours_per_week: Any, visits_per_day: Any, seed: int) -> pd.DataFrame:
    """Draw each client's staffing (1 or 2 staff) and required skill (``""`` or
    ``"delegated"``).

    A client among the heaviest :data:`DOUBLE_STAFF_TOP` by hours is double-staffed with
    probability :data:`DOUBLE_STAFF_RATE`; a client visited daily needs a delegated
    health-care task with probability :data:`DELEGATED_RATE`. The draws use their own random
    stream (from ``seed``), so they leave every other draw of the generator unchanged.

    Parameters
    ----------
    hours_per_week, visits_per_day
        One value per client.
    seed
        Seed of the draw.

    Returns
    -------
    pandas.DataFrame
        ``staff_per_visit`` (int, 1 or 2) and ``skill`` (str), one row per client.

    Examples
    --------
    >>> import numpy as np
    >>> from hemopt.synth import care_needs
    >>> hours = np.linspace(1, 40, 1000)
    >>> needs = care_needs(hours, np.full(1000, 2.0), seed=0)
    >>> bool(needs.loc[hours < np.quantile(hours, 0.9), "staff_per_visit"].eq(1).all())
    True
    >>> 0.13 < float((needs["skill"] == "delegated").mean()) < 0.18
    True
    """
    h = np.asarray(hours_per_week, dtype=float)
    v = np.asarray(visits_per_day, dtype=float)
    rng = np.random.default_rng([int(seed), 18])
    n = len(h)
    u_double, u_skill = rng.random(n), rng.random(n)
    heavy = np.zeros(n, dtype=bool)
    if n:
        k = max(1, round(DOUBLE_STAFF_TOP * n))
        heavy[np.argsort(-h, kind="stable")[:k]] = True
    double = heavy & (u_double < DOUBLE_STAFF_RATE)
    skill = (v >= 1) & (u_skill < DELEGATED_RATE)
    return pd.DataFrame({
        "staff_per_visit": np.where(double, 2, 1).astype(np.int64),
        "skill": np.where(skill, DELEGATED, "").astype(object),
    })


#: Ages drawn within each DeSO age band (SCB's bands; uniform within a band, an assumption):
#: 80+ as 80-99, 65-79, and the under-65s with home care as 20-64.
AGE_BANDS: tuple[tuple[int, int], ...] = ((80, 99), (65, 79), (20, 64))


def client_ages(bands: np.ndarray, deso_codes: np.ndarray, client_deso: np.ndarray,
                seed: int) -> np.ndarray:
    """An age per client: the DeSO's clients in each age band (the rounded expectation per
    band of :func:`_expected`) shuffled among the DeSO's clients, then an age uniform within
    the band (:data:`AGE_BANDS`). Its own seeded stream, so the rest of the scenario does not
    depend on it.

    Examples
    --------
    >>> import numpy as np
    >>> ages = client_ages(np.array([[2, 1, 0]]), np.array(["D1"]),
    ...                    np.array(["D1", "D1", "D1"]), seed=1)
    >>> sorted(int(a >= 80) for a in ages), bool((ages >= 65).all())
    ([0, 1, 1], True)
    """
    rng = np.random.default_rng([int(seed), 6580])
    ages = np.full(len(client_deso), -1, dtype=np.int64)
    for i, code in enumerate(deso_codes):
        idx = np.flatnonzero(client_deso == code)
        if not len(idx):
            continue
        band = np.repeat(np.arange(len(AGE_BANDS)), np.asarray(bands[i], dtype=np.int64))
        band = rng.permutation(band)[: len(idx)]
        if len(band) < len(idx):  # fewer dwellings than drawn: never, but keep every client
            band = np.r_[band, np.zeros(len(idx) - len(band), dtype=np.int64)]
        lo = np.array([AGE_BANDS[b][0] for b in band])
        hi = np.array([AGE_BANDS[b][1] for b in band])
        ages[idx] = rng.integers(lo, hi + 1)
    return ages


def _round_random(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round each value down or up at random so that the expectation is exact."""
    lo = np.floor(x)
    return (lo + (rng.random(x.shape) < (x - lo))).astype(np.int64)


def _hours_per_week(preset: Preset, n: int, rng: np.random.Generator) -> np.ndarray:
    """Lognormal monthly hours with the preset's median and share above 80 h/month."""
    from scipy.special import ndtri

    mu = math.log(preset.hours_median_per_month)
    z = -ndtri(preset.hours_share_above_80_per_month)
    sigma = (math.log(80.0) - mu) / z
    month = np.exp(rng.normal(mu, sigma, n))
    month = np.clip(month, preset.hours_min_per_month, preset.hours_max_per_month)
    week = month * 12.0 / 52.0
    return np.round(week * 4.0) / 4.0  # quarter hours


def visits_per_day_from_hours(hours_per_week: np.ndarray) -> np.ndarray:
    """Mean visits per day implied by weekly hours.

    Light clients (under 20 minutes a day on average) get hour-long visits for chores
    (cleaning, shopping: often weekly or fortnightly); the others 30-minute visits, at most
    8 a day (longer visits beyond that). Rounded to 2 decimals.

    Examples
    --------
    >>> from hemopt.synth import visits_per_day_from_hours
    >>> visits_per_day_from_hours([1.0, 7.0, 70.0]).tolist()
    [0.14, 2.0, 8.0]
    """
    h = np.asarray(hours_per_week, dtype=float)
    per_day = h * 60.0 / 7.0
    visit = np.where(per_day < 20.0, 60.0, 30.0)
    v = np.minimum(per_day / visit, 8.0)
    return np.maximum(np.round(v, 2), 0.01)


#: Weekly tasks of clients with daily care, on a fixed weekday (Monday to Friday), with their
#: minutes and the share of daily-care clients who have them (``docs/continuity.md``):
#: a shower once a week (45 min) and cleaning (60 min a week: the common two hours every
#: other week, as a weekly average). Stated assumptions.
PATTERN_TASKS: tuple[tuple[str, float, float], ...] = (("shower", 45.0, 0.6),
                                                      ("cleaning", 60.0, 0.5))
#: Tasks never take more than this share of a client's weekly minutes.
PATTERN_TASK_MAX_SHARE = 0.5


def visit_patterns(hours_per_week: Any, visits_per_day: Any, seed: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Weekly visit patterns (the ``pattern_days`` and ``pattern_tasks`` columns of
    :data:`hemopt.scenario.PATTERN_COLUMNS`), drawn with their own seed stream so that the
    rest of a generated scenario does not change.

    Clients with daily care (``visits_per_day >= 1``) are visited every day, weekends
    included, and may have weekly tasks (:data:`PATTERN_TASKS`) on distinct weekdays; light
    clients (cleaning, shopping) get ``round(7 × visits_per_day)`` visits a week, 1 to 5, on
    fixed weekdays. Weekends differ from weekdays: tasks and light clients' visits fall on
    Monday to Friday only.

    Examples
    --------
    >>> days, tasks = visit_patterns([1.0, 14.0], [0.14, 2.0], seed=1)
    >>> days[0].count("1"), days[0][5:], days[1]
    (1, '00', '1111111')
    """
    h = np.asarray(hours_per_week, dtype=float)
    v = np.asarray(visits_per_day, dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 17]))
    days, tasks = [], []
    for hi, vi in zip(h, v, strict=True):
        if vi >= 1 or hi <= 0:
            days.append("1111111")
            left = PATTERN_TASK_MAX_SHARE * hi * 60.0
            weekdays = rng.permutation(5)
            mine = []
            for k, (name, minutes, share) in enumerate(PATTERN_TASKS):
                if rng.random() < share and minutes <= left and hi > 0:
                    mine.append(f"{name}@{int(weekdays[k])}:{minutes:g}")
                    left -= minutes
            tasks.append(";".join(mine))
        else:
            k = int(np.clip(round(7 * vi), 1, 5))
            on = np.zeros(7, dtype=bool)
            on[rng.choice(5, size=k, replace=False)] = True
            days.append("".join("1" if x else "0" for x in on))
            tasks.append("")
    return np.array(days, dtype=object), np.array(tasks, dtype=object)
