"""One real Swedish home-care day beside the model's: the check of ``python -m
hemopt.calibration --real-day`` (``docs/routing.md``).

The figures of one hand-planned day of an anonymous municipality (:data:`REAL_DAY`) are set
beside the same figures of a generated municipality routed by :func:`hemopt.route_day`
(:func:`real_day_comparison`).

Examples
--------
>>> from hemopt.realday import REAL_DAY
>>> REAL_DAY["staff"], REAL_DAY["travel_share"]
(32, 0.18)
"""

from __future__ import annotations

import math

import pandas as pd

from hemopt.assignment import assign
from hemopt.regimes import LOV
from hemopt.routing.day import DayRouting, route_day
from hemopt.synth import generate

__all__ = ["REAL_DAY", "day_figures", "real_day_comparison", "real_day_markdown"]


#: One real Swedish home-care day (an anonymous municipality; published as a student thesis's
#: data, see ``docs/routing.md``): 322 single-staffed visits by 32 staff, of whom 17 drove, 12
#: walked and 3 cycled; visits of about 33 minutes on average; travel between visits about
#: 18 % of visit-plus-travel time, as planned by hand.
REAL_DAY: dict[str, float] = {
    "visits": 322,
    "staff": 32,
    "mean_visit_min": 33.0,
    "travel_share": 0.18,
    "car_share": 17 / 32,
    "walk_share": 12 / 32,
    "bike_share": 3 / 32,
    "visits_per_staff": 322 / 32,
}


def day_figures(day: DayRouting) -> dict[str, float]:
    """The figures of a routed day that :data:`REAL_DAY` has: visits, staff shifts, mean
    visit minutes, travel share (travel / (service + travel)) and the staff shifts by mode;
    also the share of visits of 15 minutes or less, and visits per staff shift.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> day = route_day(sc, sc.clients["current_provider"], seed=1, max_iterations=20)
    >>> f = day_figures(day)
    >>> round(f["car_share"] + f["walk_share"] + f["bike_share"], 6)
    1.0
    """
    t = day.totals()
    v = day.visits["duration_min"]
    shifts = max(t["staff_shifts"], 1)
    return {
        "visits": t["visits_in"],
        "staff": t["staff_shifts"],
        "mean_visit_min": float(v.mean()) if len(v) else 0.0,
        "travel_share": t["travel_share"],
        "car_share": t["staff_shifts_car"] / shifts,
        "walk_share": t["staff_shifts_walk"] / shifts,
        "bike_share": t["staff_shifts_bike"] / shifts,
        "short_visit_share": float((v <= 15.0).mean()) if len(v) else 0.0,
        "visits_per_staff": t["visits_in"] / shifts,
    }


def real_day_markdown(table: pd.DataFrame) -> str:
    """:func:`real_day_comparison` as a markdown table.

    Examples
    --------
    >>> t = pd.DataFrame({"model": [39.6, 0.125], "real": [33.0, 0.18]},
    ...                  index=["mean_visit_min", "travel_share"])
    >>> print(real_day_markdown(t).splitlines()[-1])
    | travel between visits, share of visit + travel time | 12.5 % | 18.0 % |
    """
    names = {
        "visits": ("visits", "{:,.0f}"),
        "staff": ("staff (shifts in the model)", "{:,.0f}"),
        "mean_visit_min": ("mean visit, minutes", "{:.1f}"),
        "travel_share": ("travel between visits, share of visit + travel time", "pct"),
        "car_share": ("staff driving", "pct"),
        "walk_share": ("staff walking", "pct"),
        "bike_share": ("staff cycling", "pct"),
        "short_visit_share": ("visits of 15 minutes or less", "pct"),
        "visits_per_staff": ("visits per staff (shift)", "{:.1f}"),
    }

    def fmt(v: float, how: str) -> str:
        if not math.isfinite(v):
            return "–"
        return f"{100 * v:.1f} %" if how == "pct" else how.format(v)

    lines = ["| figure | model | real day |", "|---|---|---|"]
    for key, row in table.iterrows():
        name, how = names.get(str(key), (str(key), "{:.3g}"))
        lines.append(f"| {name} | {fmt(row['model'], how)} | {fmt(row['real'], how)} |")
    return "\n".join(lines) + "\n"


def real_day_comparison(preset: str = "strangnas", seed: int = 1, *, scale: float = 1.0,
                        max_iterations: int = 100) -> pd.DataFrame:
    """The model's day beside :data:`REAL_DAY`: ``preset`` generated with ``seed``, assigned
    under LOV, routed by ``route_day`` with its defaults (iteration-limited).

    Returns
    -------
    pandas.DataFrame
        One row per figure of :func:`day_figures`, columns ``model`` and ``real`` (NaN where
        the real day has no figure).

    Examples
    --------
    >>> t = real_day_comparison(scale=0.05, max_iterations=20)
    >>> float(t.loc["mean_visit_min", "real"]), list(t.columns)
    (33.0, ['model', 'real'])
    """
    sc = generate(preset, seed=seed, scale=scale)
    a = assign(sc, LOV(), seed=seed)
    day = route_day(sc, a, seed=seed, max_iterations=max_iterations, time_limit_s=None)
    model = day_figures(day)
    return pd.DataFrame({"model": pd.Series(model),
                         "real": pd.Series(REAL_DAY).reindex(list(model))})
