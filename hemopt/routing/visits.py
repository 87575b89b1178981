"""The day's visits and the stops they form.

A client with ``visits_per_day = v`` gets ``floor(v)`` visits today plus one more with
probability ``v - floor(v)`` (a seeded draw), at most :attr:`VisitParams.max_visits`. Every visit
lasts ``daily minutes / v`` (so the expected minutes per day equal the granted hours), clipped
to ``[min_visit_min, max_visit_min]``. Visits fall in the periods of a Swedish home-care day
(see ``docs/routing.md``): one visit a day is a morning visit, two are morning and dinner, ...;
light clients' hour-long visits (cleaning, shopping) go in the daytime chores window. Night
visits (the night patrol, 21:30–07:30, run by the municipality everywhere) are outside the
model.

Visits by the same provider at the same stairwell in the same period form one **stop**: staff
drive there once and walk between the visits (``walk_min`` each).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hemopt.errors import InputError

__all__ = ["PERIODS", "VisitParams", "day_of_visits", "provider_ids", "stops_of"]

#: Periods of the day: name -> (start, end) in minutes after midnight, with the shift that
#: serves them. Service must start within the period.
PERIODS: dict[str, tuple[float, float, str]] = {
    "morning": (7 * 60, 10 * 60, "day"),  # wake-up, hygiene, breakfast
    "late_morning": (10 * 60, 11 * 60 + 30, "day"),
    "lunch": (11 * 60 + 30, 13 * 60 + 30, "day"),
    "afternoon": (13 * 60 + 30, 15 * 60, "day"),  # coffee, walks, errands
    "chores": (8 * 60, 15 * 60, "day"),  # cleaning, laundry, shopping (weekly)
    "dinner": (16 * 60 + 30, 19 * 60, "evening"),
    "bedtime": (19 * 60 + 30, 21 * 60 + 30, "evening"),
}

#: Which periods k visits a day fall in.
PATTERNS: dict[int, tuple[str, ...]] = {
    1: ("morning",),
    2: ("morning", "dinner"),
    3: ("morning", "lunch", "dinner"),
    4: ("morning", "lunch", "dinner", "bedtime"),
    5: ("morning", "lunch", "afternoon", "dinner", "bedtime"),
    6: ("morning", "late_morning", "lunch", "afternoon", "dinner", "bedtime"),
}


@dataclass(frozen=True)
class VisitParams:
    """Parameters of the day's visits (defaults and rationale in ``docs/routing.md``).

    Parameters
    ----------
    max_visits
        Most visits per client in the day and evening (default 6; more care means longer
        visits).
    min_visit_min, max_visit_min
        Bounds of a visit's duration (default 10 and 180 minutes).
    chores_below_min_per_day
        Clients with fewer care minutes a day than this get their visit in the chores window
        (default 20, matching :func:`hemopt.synth.visits_per_day_from_hours`).
    walk_min
        Walking time between two visits of one stop (default 2 minutes).
    """

    max_visits: int = 6
    min_visit_min: float = 10.0
    max_visit_min: float = 180.0
    chores_below_min_per_day: float = 20.0
    walk_min: float = 2.0

    def __post_init__(self) -> None:
        if self.max_visits not in PATTERNS:
            raise InputError(
                f"VisitParams.max_visits must be 1..{max(PATTERNS)}, got {self.max_visits!r}"
            )
        if not (0 < self.min_visit_min <= self.max_visit_min):
            raise InputError(
                "VisitParams: need 0 < min_visit_min <= max_visit_min, got "
                f"{self.min_visit_min!r}, {self.max_visit_min!r}"
            )
        if not (np.isfinite(self.walk_min) and self.walk_min >= 0):
            raise InputError(f"VisitParams.walk_min must be >= 0, got {self.walk_min!r}")


def provider_ids(scenario: Any, provider: Any) -> np.ndarray:
    """Provider id per client from an :class:`~hemopt.assignment.Assignment` or a sequence."""
    if hasattr(provider, "clients") and hasattr(provider, "problem"):
        prov = provider.clients["provider_id"].to_numpy()
    else:
        prov = np.asarray(list(provider), dtype=object)
    if len(prov) != scenario.n_clients:
        raise InputError(f"provider: expected {scenario.n_clients} entries (one per client), "
                         f"got {len(prov)}")
    return prov


def day_of_visits(
    scenario: Any, provider: Any, *, seed: int = 0, params: VisitParams | None = None
) -> pd.DataFrame:
    """A seeded day of visits.

    Parameters
    ----------
    scenario
        The municipality.
    provider
        The provider of each client: an :class:`~hemopt.assignment.Assignment`, or a sequence of
        provider ids (``""`` for none: no visits).
    seed
        Seed of the draw. The draw depends on the clients only, not on the provider: the same
        seed gives every regime the same visits, so regimes are compared on the same day.

    Returns
    -------
    pandas.DataFrame
        One row per visit: ``visit_id``, ``client_id``, ``stairwell_id``, ``provider_id``,
        ``x``, ``y``, ``period``, ``shift``, ``earliest_min``, ``latest_min``,
        ``duration_min``.
    """
    params = params or VisitParams()
    prov = provider_ids(scenario, provider)
    n = scenario.n_clients
    cl = scenario.clients
    v = cl["visits_per_day"].to_numpy(dtype=float)
    per_day = cl["hours_per_week"].to_numpy(dtype=float) * 60.0 / 7.0
    rng = np.random.default_rng(seed)
    u = rng.random(n)  # one draw per client, whatever the provider
    k = np.floor(v).astype(int) + (u < (v - np.floor(v)))
    k = np.minimum(k, params.max_visits)
    # mean visit length: daily minutes over the mean number of visits (capped)
    dur = per_day / np.clip(v, 1e-9, params.max_visits)
    dur = np.clip(dur, params.min_visit_min, params.max_visit_min)
    chores = per_day < params.chores_below_min_per_day
    xy = scenario.client_xy()
    rows_client, rows_period = [], []
    for i in np.flatnonzero((k > 0) & (prov != "")):
        pattern = ("chores",) * k[i] if chores[i] else PATTERNS[int(k[i])]
        for p in pattern[: k[i]]:
            rows_client.append(i)
            rows_period.append(p)
    idx = np.array(rows_client, dtype=np.int64)
    periods = np.array(rows_period, dtype=object)
    start = np.array([PERIODS[p][0] for p in periods], dtype=float)
    end = np.array([PERIODS[p][1] for p in periods], dtype=float)
    shift = np.array([PERIODS[p][2] for p in periods], dtype=object)
    df = pd.DataFrame(
        {
            "visit_id": np.array([f"v{j:06d}" for j in range(len(idx))], dtype=object),
            "client_id": cl["client_id"].to_numpy()[idx] if len(idx) else np.array([], object),
            "stairwell_id": cl["stairwell_id"].to_numpy()[idx]
            if len(idx)
            else np.array([], object),
            "provider_id": prov[idx] if len(idx) else np.array([], object),
            "x": xy[idx, 0] if len(idx) else np.array([]),
            "y": xy[idx, 1] if len(idx) else np.array([]),
            "period": periods,
            "shift": shift,
            "earliest_min": start,
            "latest_min": end,
            "duration_min": np.round(dur[idx], 1) if len(idx) else np.array([]),
        }
    )
    return df


def stops_of(visits: pd.DataFrame, *, walk_min: float = 2.0) -> pd.DataFrame:
    """Group visits into stops: same provider, same stairwell, same period.

    A stop's service time is the sum of its visits' durations plus ``walk_min`` between
    consecutive visits; its window is the period. Returns one row per stop: ``stop_id``,
    ``provider_id``, ``stairwell_id``, ``period``, ``shift``, ``x``, ``y``, ``earliest_min``,
    ``latest_min``, ``service_min``, ``n_visits``.
    """
    if walk_min < 0 or not np.isfinite(walk_min):
        raise InputError(f"walk_min must be >= 0, got {walk_min!r}")
    if visits.empty:
        return pd.DataFrame(
            columns=[
                "stop_id",
                "provider_id",
                "stairwell_id",
                "period",
                "shift",
                "x",
                "y",
                "earliest_min",
                "latest_min",
                "service_min",
                "n_visits",
            ]
        )
    g = visits.groupby(["provider_id", "stairwell_id", "period"], sort=True)
    out = g.agg(
        shift=("shift", "first"),
        x=("x", "first"),
        y=("y", "first"),
        earliest_min=("earliest_min", "max"),
        latest_min=("latest_min", "min"),
        service_min=("duration_min", "sum"),
        n_visits=("visit_id", "size"),
    )
    out = out.reset_index()
    out["service_min"] = out["service_min"] + walk_min * (out["n_visits"] - 1)
    out.insert(0, "stop_id", [f"t{j:06d}" for j in range(len(out))])
    return out
