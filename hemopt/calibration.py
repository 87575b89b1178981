"""Calibrate the continuous routing approximation against the VRPTW solver.

A study: generate municipalities (:mod:`hemopt.synth`), assign their clients under a regime
(:mod:`hemopt.regimes`, :mod:`hemopt.assignment`), route the day with the solver
(:func:`hemopt.routing.route_day`), and fit the constants of
:class:`hemopt.routing.approx.ApproxModel` to what the solver did. The model itself lives in
the routing layer and needs none of this; its fitted constants are plain numbers there
(:data:`hemopt.routing.approx.FIT_CONSTANTS`).

::

    python -m hemopt.calibration [--jobs 2] [--max-iterations 500] [--cache days.pkl]
                                 [--write-docs docs/approximation.md]

routes the calibration days (:data:`TRAIN_SPECS`) and the held-out days
(:data:`HOLDOUT_SPECS`), fits the constants, prints them and the error tables, and with
``--write-docs`` puts the held-out error tables of the shipped constants into the generated
block of ``docs/approximation.md`` (a test checks that the block is up to date).

Examples
--------
>>> days = calibration_days([CalibrationSpec("strangnas", 1, 0.05)], max_iterations=50)
>>> model = fit_approx(days, refine=False)
>>> per_group, per_day = approx_errors(model, days)
>>> list(error_summary(per_group, per_day)["quantity"].unique())
['driven_km', 'staff_min', 'routes']
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import pickle
import re
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hemopt.assignment import Assignment, assign
from hemopt.errors import InputError
from hemopt.realday import REAL_DAY, day_figures, real_day_comparison, real_day_markdown
from hemopt.regimes import LOU, LOV, Regime, Zoning
from hemopt.routing.approx import (
    ApproxModel,
    ExtrapolationWarning,
    FitData,
    approximate_stops,
)
from hemopt.routing.care import CareParams
from hemopt.routing.day import ShiftParams, route_day
from hemopt.routing.visits import VisitParams
from hemopt.scenario import Scenario
from hemopt.synth import generate
from hemopt.travel import Travel, TravelModes

__all__ = [
    "CITY_DAY_STOPS",
    "HOLDOUT_SPECS",
    "REAL_DAY",
    "TRAIN_SPECS",
    "CalibrationDay",
    "CalibrationSpec",
    "approx_errors",
    "calibration_days",
    "constants_markdown",
    "day_figures",
    "error_summary",
    "error_tables_markdown",
    "fingerprint",
    "fit_approx",
    "main",
    "real_day_comparison",
    "real_day_markdown",
    "write_docs_tables",
]


# ------------------------------------------------------------------------------------------------
# Solved days
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationSpec:
    """A generated municipality, a regime and its day, to route with the solver.

    Parameters
    ----------
    preset, seed, scale, n_external
        As for :func:`hemopt.synth.generate`.
    regime
        ``"LOV"``, ``"LOU"`` (external share 0.2), ``"LOU0.5"`` (any share) or ``"Zoning"``.

    Examples
    --------
    >>> CalibrationSpec("botkyrka", 3, 0.2, "LOU0.5", n_external=4).label
    'botkyrka-x4-s3-0.2-LOU0.5'
    """

    preset: str
    seed: int
    scale: float
    regime: str = "LOV"
    n_external: int | None = None

    @property
    def label(self) -> str:
        """A short name: preset, external providers, seed, scale and regime."""
        ext = "" if self.n_external is None else f"-x{self.n_external}"
        return f"{self.preset}{ext}-s{self.seed}-{self.scale:g}-{self.regime}"

    def regime_object(self) -> Regime:
        """The regime named by :attr:`regime`.

        Raises
        ------
        InputError
            An unknown regime name.
        """
        if self.regime == "LOV":
            return LOV()
        if self.regime.startswith("LOU"):
            share = self.regime[3:]
            try:
                return LOU(float(share) if share else 0.2)
            except ValueError:
                pass
        elif self.regime == "Zoning":
            return Zoning()
        raise InputError(f"CalibrationSpec.regime: unknown regime {self.regime!r}; expected "
                         "'LOV', 'LOU', 'LOU<share>' or 'Zoning'")

    def build(self) -> tuple[Scenario, Assignment]:
        """The scenario and its assignment."""
        reg = self.regime_object()
        sc = generate(self.preset, seed=self.seed, scale=self.scale, n_external=self.n_external)
        return sc, assign(sc, reg, seed=self.seed)


@dataclass(frozen=True, eq=False)
class CalibrationDay:
    """A day routed by the solver: its visits (with ``stop_id``), stops (with ``base`` and
    ``mode``), every provider's starting points (office first) and ``route_day``'s routes
    table (one row per provider, base, shift and mode). A
    :class:`~hemopt.routing.approx.RoutedDay`.

    Examples
    --------
    >>> day = calibration_days([CalibrationSpec("strangnas", 1, 0.05)], max_iterations=50)[0]
    >>> int(day.routes["stops"].sum()) == len(day.stops)
    True
    """

    spec: CalibrationSpec
    visits: pd.DataFrame
    stops: pd.DataFrame
    bases: dict[str, NDArray[np.float64]]
    routes: pd.DataFrame
    runtime_s: float
    max_iterations: int


def _solve(spec: CalibrationSpec, max_iterations: int) -> CalibrationDay:
    sc, a = spec.build()
    t0 = time.perf_counter()
    # the approximation models the plain VRPTW: no second staff, no breaks (hemopt.routing.care),
    # and routes that minimise distance, the objective its constants were fitted on
    # (FIT_CONSTANTS); refitting it to the cost objective of issue 27 is open work
    r = route_day(sc, a, seed=spec.seed, max_iterations=max_iterations, time_limit_s=None,
                  care=CareParams(enabled=False), objective=None)
    dt = time.perf_counter() - t0
    return CalibrationDay(spec, r.visits, r.stops, r.bases, r.routes, dt, max_iterations)


def calibration_days(
    specs: Sequence[CalibrationSpec],
    *,
    max_iterations: int = 500,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
) -> list[CalibrationDay]:
    """Route each spec's day with the solver (``route_day`` with ``max_iterations`` and no
    time limit, so the same on every machine).

    Parameters
    ----------
    specs
        The instances.
    max_iterations
        PyVRP iterations per (provider, base, shift, mode).
    jobs
        Worker processes (1: in this process).
    progress
        Called with a line per routed day.

    Returns
    -------
    list of CalibrationDay

    Raises
    ------
    InputError
        ``max_iterations`` or ``jobs`` not a whole number >= 1.

    Examples
    --------
    >>> days = calibration_days([CalibrationSpec("strangnas", 1, 0.05)], max_iterations=50)
    >>> int(days[0].routes["routes"].sum()) > 0
    True
    """
    if not (isinstance(max_iterations, (int, np.integer)) and max_iterations >= 1):
        raise InputError(f"max_iterations must be a whole number >= 1, got {max_iterations!r}")
    if not (isinstance(jobs, (int, np.integer)) and jobs >= 1):
        raise InputError(f"jobs must be a whole number >= 1, got {jobs!r}")
    out: list[CalibrationDay] = []

    def report(d: CalibrationDay) -> None:
        if progress is not None:
            progress(f"  {d.spec.label}: {len(d.stops)} stops, {d.runtime_s:.1f} s")

    if jobs == 1:
        for s in specs:
            out.append(_solve(s, int(max_iterations)))
            report(out[-1])
        return out
    # the largest days first, so that none starts last and keeps one core busy alone
    order = sorted(range(len(specs)), key=lambda k: (-specs[k].scale, k))
    with ProcessPoolExecutor(jobs) as ex:
        futures = {k: ex.submit(_solve, specs[k], int(max_iterations)) for k in order}
        for k in range(len(specs)):
            out.append(futures[k].result())
            report(out[-1])
    return out


# ------------------------------------------------------------------------------------------------
# Visits and travel against a real day
# ------------------------------------------------------------------------------------------------

# The real day (REAL_DAY, day_figures, real_day_markdown, real_day_comparison) lives in
# hemopt.realday; the names stay importable from here.


# ------------------------------------------------------------------------------------------------
# The fit
# ------------------------------------------------------------------------------------------------

#: Where the fit starts (so that it does not depend on the shipped constants), in the order of
#: :data:`hemopt.routing.approx.FIT_PARAMETERS`: the BHH constant for uniform points, a full
#: line-haul and link, routes 85 % full, ...
THETA_START = np.array([0.7124, 1.0, 1.0, 0.85, 0.85, 1.0, 0.5, 0.5, 0.3])
#: Bounds of the fitted constants.
THETA_LOWER = np.array([0.1, 0.3, 0.3, 0.4, 0.3, 0.0, 0.0, 0.0, 0.0])
THETA_UPPER = np.array([2.0, 1.5, 2.5, 1.0, 1.5, 3.0, 3.0, 1.0, 0.95])


def fit_approx(
    days: Sequence[CalibrationDay],
    *,
    start: ApproxModel | None = None,
    travel: Travel | TravelModes | None = None,
    shifts: ShiftParams | None = None,
    refine: bool = True,
) -> ApproxModel:
    """Fit the approximation's constants to days routed by the solver.

    Two stages: a robust least-squares fit (``soft_l1`` on log ratios of travel distance,
    staff minutes, routes, and travel minutes at half weight) of the model with a continuous
    number of routes, then a derivative-free refinement (Powell) of the mean absolute log
    ratio with whole routes. Deterministic.

    Parameters
    ----------
    days
        From :func:`calibration_days` (any :class:`~hemopt.routing.approx.RoutedDay` with a
        ``spec``).
    start
        Starting constants, and the fixed ``cluster_m``, ``spread_m`` (default: a fixed start,
        :data:`THETA_START`, with :class:`ApproxModel`'s ``cluster_m`` and ``spread_m``).
    travel, shifts
        Those of the days (defaults as in ``route_day``).
    refine
        Run the second stage (default).

    Returns
    -------
    ApproxModel
        With the fitted constants and ``fit_range`` the range of ``days``.

    Raises
    ------
    InputError
        No days.

    Examples
    --------
    >>> days = calibration_days([CalibrationSpec("strangnas", 1, 0.05)], max_iterations=50)
    >>> model = fit_approx(days, refine=False)
    >>> lo, hi = {name: (lo, hi) for name, lo, hi in model.fit_range}["day_stops"]
    >>> lo == hi == len(days[0].stops)
    True
    """
    from scipy.optimize import least_squares, minimize

    if not days:
        raise InputError("days: need at least one calibration day")
    x0 = np.clip(THETA_START if start is None else start.theta, THETA_LOWER, THETA_UPPER)
    start = start or ApproxModel()
    data = FitData.from_days(days, labels=[d.spec.label for d in days], model=start,
                             travel=travel, shifts=shifts)
    ls = least_squares(lambda th: data.residuals(th, integer=False), x0,
                       bounds=(THETA_LOWER, THETA_UPPER), loss="soft_l1", f_scale=0.1)
    theta = ls.x.copy()
    grid = np.linspace(0.0, 0.9, 10)
    costs = [np.mean(np.abs(data.residuals(np.r_[theta[:-1], e]))) for e in grid]
    theta[-1] = grid[int(np.argmin(costs))]
    if refine:
        def cost(th: NDArray[np.float64]) -> float:
            return float(np.mean(np.abs(data.residuals(np.clip(th, THETA_LOWER, THETA_UPPER)))))

        res = minimize(cost, theta, method="Powell",
                       options={"maxfev": 3000, "xtol": 1e-3, "ftol": 1e-5})
        if res.fun < cost(theta):
            theta = np.clip(res.x, THETA_LOWER, THETA_UPPER)
    theta = np.round(theta, 4)
    return start.with_theta(
        theta,
        fit_range=data.fit_range(),
        fit_info=(f"fit_approx on {len(days)} days, {len(data.table)} (provider, base, shift, "
                  "mode) instances"),
    )


# ------------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------------

_QUANTITIES = ("driven_km", "travel_km", "staff_min", "routes")


def approx_errors(
    model: ApproxModel,
    days: Sequence[CalibrationDay],
    *,
    travel: Travel | TravelModes | None = None,
    shifts: ShiftParams | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Approximation against solver, on the same stops.

    Returns
    -------
    (per_group, per_day)
        One row per (day, provider, base, shift, mode), and one per day, with the solver's and
        the model's ``driven_km`` (car), ``travel_km`` (every mode), ``staff_min``,
        ``routes`` (``*_solver``, ``*_approx``), their relative errors (``*_err`` = approx /
        solver - 1), the stops and the runtimes.

    Examples
    --------
    >>> days = calibration_days([CalibrationSpec("strangnas", 1, 0.05)], max_iterations=50)
    >>> per_group, per_day = approx_errors(ApproxModel(), days)
    >>> len(per_group) == len(days[0].routes), len(per_day)
    (True, 1)
    """
    per_group, per_day = [], []
    for d in days:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ExtrapolationWarning)
            a = approximate_stops(d.visits, d.stops, d.bases, model=model, travel=travel,
                                  shifts=shifts, warn=False)
        dt = time.perf_counter() - t0
        merged = d.routes.merge(a.routes, on=["provider_id", "base", "shift", "mode"],
                                suffixes=("_solver", "_approx"))
        merged.insert(0, "day", d.spec.label)
        per_group.append(merged)
        per_day.append({
            "day": d.spec.label, "stops": len(d.stops),
            **{f"{c}_solver": float(d.routes[c].sum()) for c in _QUANTITIES},
            **{f"{c}_approx": float(a.routes[c].sum()) for c in _QUANTITIES},
            "runtime_s_solver": d.runtime_s, "runtime_s_approx": dt,
            "outside_range": len(a.outside_range),
        })
    g = pd.concat(per_group, ignore_index=True) if per_group else pd.DataFrame()
    dd = pd.DataFrame(per_day)
    for t in (g, dd):
        for c in _QUANTITIES:
            if len(t):
                t[f"{c}_err"] = t[f"{c}_approx"] / t[f"{c}_solver"].where(
                    t[f"{c}_solver"] > 0) - 1
    return g, dd


def error_summary(per_group: pd.DataFrame, per_day: pd.DataFrame) -> pd.DataFrame:
    """Median and 90th percentile of the absolute relative errors, and the median signed
    error (bias), per (provider, base, shift, mode) and for whole days, of driven km (car),
    staff minutes and staff shifts.

    Examples
    --------
    >>> g = pd.DataFrame({c: [0.1, -0.2] for c in ("driven_km_err", "staff_min_err",
    ...                                              "routes_err")})
    >>> s = error_summary(g, g)
    >>> row = s.iloc[0]
    >>> row["quantity"], int(row["n"]), float(round(row["median"], 3)), float(row["bias"])
    ('driven_km', 2, 0.15, -0.05)
    """
    rows = []
    for level, t in (("per (provider, base, shift, mode)", per_group),
                     ("per day (totals)", per_day)):
        for c in ("driven_km", "staff_min", "routes"):
            e = t[f"{c}_err"].abs().dropna()
            rows.append({"level": level, "quantity": c, "n": len(e),
                         "median": float(e.median()), "p90": float(e.quantile(0.9)),
                         "bias": float(t[f"{c}_err"].median())})
    return pd.DataFrame(rows)


_NAMES = {"driven_km": "driven km (car)", "staff_min": "staff minutes", "routes": "staff shifts"}

#: Days of this many stops or more get their own error table (city scale).
CITY_DAY_STOPS = 10_000


def error_tables_markdown(per_group: pd.DataFrame, per_day: pd.DataFrame,
                          *, title: str = "held-out days") -> str:
    """The error tables of ``docs/approximation.md`` as markdown: the summary (median, 90th
    percentile, bias per instance and per day), the same for the city-scale days (at least
    :data:`CITY_DAY_STOPS` stops) when there are any, and the p90 by size of the instance.

    Examples
    --------
    >>> g = pd.DataFrame({"stops_solver": [3, 30], "driven_km_err": [0.1, -0.2],
    ...                   "staff_min_err": [0.0, 0.05], "routes_err": [0.0, 0.5]})
    >>> print(error_tables_markdown(g, g.drop(columns="stops_solver")).splitlines()[0])
    <!-- generated by python -m hemopt.calibration --write-docs (fingerprint ...): do not edit -->
    """
    def pct(v: float, signed: bool = False) -> str:
        if not math.isfinite(v):
            return "–"
        if abs(v) < 0.0005:
            return "0.0 %"
        text = f"{100 * v:+.1f} %" if signed else f"{100 * v:.1f} %"
        return text.replace("-", "−")

    def summary(g: pd.DataFrame, d: pd.DataFrame) -> list[str]:
        out = ["| level | quantity | median | 90th percentile | bias |",
               "|---|---|---|---|---|"]
        for r in error_summary(g, d).itertuples():
            level = "per (provider, base, shift, mode)" if r.level.startswith("per (") \
                else "day totals"
            out.append(f"| {level} | {_NAMES[r.quantity]} | {pct(r.median)} | {pct(r.p90)} "
                       f"| {pct(r.bias, signed=True)} |")
        return out

    lines = [
        f"<!-- generated by python -m hemopt.calibration --write-docs (fingerprint "
        f"{fingerprint()}): do not edit -->",
        f"Absolute relative errors `|approx / solver − 1|` on the {len(per_day)} {title} "
        f"({len(per_group)} instances); `bias` is the median signed error.",
        "",
        *summary(per_group, per_day),
    ]
    if "stops" in per_day and "day" in per_group and "day" in per_day:
        big = per_day[per_day["stops"] >= CITY_DAY_STOPS]
        if len(big):
            g = per_group[per_group["day"].isin(set(big["day"]))]
            lines += [
                "",
                f"City scale: the {len(big)} {title} of {CITY_DAY_STOPS:,} stops or more "
                f"({int(big['stops'].min()):,}–{int(big['stops'].max()):,} stops a day, "
                f"{len(g)} instances):",
                "",
                *summary(g, big),
            ]
    if "stops_solver" in per_group:
        lines += [
            "",
            f"By size of the instance ({title}; p90 of the absolute errors):",
            "",
            "| stops | instances | driven km (car) | staff minutes | staff shifts |",
            "|---|---|---|---|---|",
        ]
        bins = [(1, 5), (6, 24), (25, 99), (100, 999), (1000, None)]
        for lo, hi in bins:
            m = per_group["stops_solver"] >= lo
            if hi is not None:
                m &= per_group["stops_solver"] <= hi
            t = per_group[m]
            label = f"{lo}–{hi}" if hi is not None else f"{lo}+"
            q = [pct(t[f"{c}_err"].abs().dropna().quantile(0.9)) if len(t) else "–"
                 for c in ("driven_km", "staff_min", "routes")]
            lines.append(f"| {label} | {len(t)} | {q[0]} | {q[1]} | {q[2]} |")
    return "\n".join(lines) + "\n"


def fingerprint(model: ApproxModel | None = None) -> str:
    """A short hash of what the held-out error tables depend on: the model's constants and
    fitted range, the held-out days, and the default visits, shifts and travel modes. The
    tables in the docs carry it, and a test compares it with the code's.

    Examples
    --------
    >>> len(fingerprint()), fingerprint() == fingerprint(ApproxModel())
    (12, True)
    """
    model = model or ApproxModel()
    what = {
        "constants": model.constants(),
        "fit_range": [list(r) for r in model.fit_range],
        "holdout": [s.label for s in HOLDOUT_SPECS],
        "defaults": [repr(VisitParams()), repr(ShiftParams()), repr(TravelModes())],
    }
    text = json.dumps(what, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


#: The generated block of a markdown file: between these two lines.
BEGIN_GENERATED = "<!-- begin: held-out error tables (python -m hemopt.calibration) -->"
END_GENERATED = "<!-- end: held-out error tables -->"


#: The generated block of the fitted constants and their range in ``docs/approximation.md``.
BEGIN_CONSTANTS = "<!-- begin: fitted constants (python -m hemopt.calibration) -->"
END_CONSTANTS = "<!-- end: fitted constants -->"

#: Symbol and meaning of each constant of :class:`~hemopt.routing.approx.ApproxModel`.
CONSTANTS_DOC: dict[str, tuple[str, str]] = {
    "kappa": ("κ", "BHH constant within settlements (0.7124 for uniform random points)"),
    "line_haul": ("λ", "line-haul factor: each route travels about 2 λ r̄ to and from its area"),
    "link": ("β", "factor of the spanning tree between settlements"),
    "time_efficiency": ("η", "share of the shift a route fills on average"),
    "window_efficiency": ("η_w", "share of a window's span a route fills with its work"),
    "wait_fluid": ("ω_f", "waiting: share of the fluid schedule's wait"),
    "wait_gap": ("ω_g", "waiting: share of the structural gap between windows"),
    "same_place_share": ("ζ", "repeated addresses reached without a trip"),
    "round_down": ("ε", "routes = ⌈m − ε⌉"),
    "cluster_m": ("h", "settlement threshold, metres (fixed)"),
    "spread_m": ("ρ", "settlement padding, metres (fixed)"),
}

_RANGE_DOC: dict[str, str] = {
    "n_stops": "stops per provider, base, shift and mode (every instance)",
    "stops_per_km2": "stops over the settlements' area (25 stops or more)",
    "office_km": "mean road distance base → stops (every instance)",
    "service_min_per_stop": "service minutes per stop (25 stops or more)",
    "shift_max_min": "working minutes of the shift (every instance)",
    "day_stops": "stops of the whole day (`approximate_day`)",
    "detour_factor": "travel model: road / straight-line distance",
    "overhead_min": "travel model: minutes per trip",
    "kmh_1km": "travel model: mean speed of a 1 km trip",
    "kmh_20km": "travel model: mean speed of a 20 km trip",
}


def constants_markdown(model: ApproxModel | None = None) -> str:
    """The constants of ``model`` (default the shipped ones) and the range they were fitted
    on, as the markdown tables of ``docs/approximation.md``.

    Examples
    --------
    >>> print(constants_markdown().splitlines()[3])
    | constant | symbol | value | meaning |
    """
    model = model or ApproxModel()
    lines = [
        "<!-- generated by python -m hemopt.calibration --write-docs: do not edit -->",
        f"The constants (`FIT_CONSTANTS`, the defaults of `ApproxModel`; {model.fit_info}):",
        "| constant | symbol | value | meaning |",
        "|---|---|---|---|",
    ]
    lines.insert(2, "")
    for name, value in model.constants().items():
        symbol, meaning = CONSTANTS_DOC[name]
        lines.append(f"| `{name}` | {symbol} | {value:g} | {meaning} |")
    lines += ["", "The range of the calibration instances (`DEFAULT_FIT_RANGE`):", "",
              "| feature | low | high | what |", "|---|---|---|---|"]
    for name, lo, hi in model.fit_range:
        lines.append(f"| `{name}` | {lo:g} | {hi:g} | {_RANGE_DOC.get(name, '')} |")
    return "\n".join(lines) + "\n"


#: The generated block of the real-day comparison in ``docs/routing.md``.
BEGIN_REAL_DAY = "<!-- begin: real day (python -m hemopt.calibration --real-day) -->"
END_REAL_DAY = "<!-- end: real day -->"


def write_docs_tables(path: Path, tables: str, *, begin: str = BEGIN_GENERATED,
                      end: str = END_GENERATED) -> None:
    """Put ``tables`` (from :func:`error_tables_markdown`) between the lines ``begin`` and
    ``end`` (default :data:`BEGIN_GENERATED`, :data:`END_GENERATED`) of the markdown file
    ``path``.

    Raises
    ------
    InputError
        The file has no such block.
    """
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), flags=re.DOTALL)
    if not pattern.search(text):
        raise InputError(f"{path}: no generated block; add the lines {begin!r} and "
                         f"{end!r} where the tables go")
    block = f"{begin}\n{tables}{end}"
    path.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# The instances
# ------------------------------------------------------------------------------------------------

#: The calibration instances: both presets, three regimes, scales 0.1-1 (about 20 to 1,300
#: stops per provider and shift), LOV with 3, 7 and 15 external providers.
TRAIN_SPECS: tuple[CalibrationSpec, ...] = (
    *(
        s
        for seed in range(10, 22)
        for s in (
            CalibrationSpec("strangnas", seed, (0.1, 0.2, 0.35, 0.6)[seed % 4], "LOV",
                            (None, 3, 15)[seed % 3]),
            CalibrationSpec("strangnas", seed, (0.1, 0.2, 0.35, 0.6)[seed % 4],
                            ("Zoning", "LOU")[seed % 2]),
            CalibrationSpec("botkyrka", seed, (0.1, 0.2, 0.35, 0.6)[seed % 4],
                            ("LOV", "LOU", "LOU0.5", "Zoning")[seed % 4]),
            CalibrationSpec("botkyrka", seed, (0.15, 0.3, 0.5)[seed % 3],
                            ("Zoning", "LOV", "LOU0.5")[seed % 3]),
        )
    ),
    CalibrationSpec("strangnas", 30, 1.0, "LOV"),
    CalibrationSpec("botkyrka", 31, 1.0, "LOU"),
    CalibrationSpec("strangnas", 32, 1.0, "Zoning"),
    # larger municipalities, up to city scale (botkyrka at scale 16: about 30,000 stops a
    # day, instances of up to about 5,000 stops solved in territories)
    CalibrationSpec("botkyrka", 22, 2.0, "LOV"),
    CalibrationSpec("botkyrka", 23, 4.0, "Zoning"),
    CalibrationSpec("botkyrka", 24, 8.0, "LOU"),
    CalibrationSpec("botkyrka", 25, 12.0, "Zoning"),
    CalibrationSpec("botkyrka", 26, 16.0, "LOV"),
    CalibrationSpec("strangnas", 27, 3.0, "LOV"),
    CalibrationSpec("strangnas", 28, 8.0, "Zoning"),
    CalibrationSpec("strangnas", 29, 16.0, "LOU"),
)

#: Held-out instances (other seeds, the same kinds of municipality) for the error figures.
HOLDOUT_SPECS: tuple[CalibrationSpec, ...] = (
    *(
        s
        for seed in range(40, 46)
        for s in (
            CalibrationSpec("strangnas", seed, (0.15, 0.3, 0.5)[seed % 3],
                            ("LOV", "Zoning", "LOU")[seed % 3], (None, 5, None)[seed % 3]),
            CalibrationSpec("botkyrka", seed, (0.12, 0.25, 0.45)[seed % 3],
                            ("Zoning", "LOU0.5", "LOV")[seed % 3]),
            CalibrationSpec("strangnas", seed, (0.25, 0.12, 0.4)[seed % 3],
                            ("Zoning", "LOV", "LOV")[seed % 3], (None, 10, 4)[seed % 3]),
        )
    ),
    CalibrationSpec("botkyrka", 50, 0.8, "Zoning"),
    CalibrationSpec("strangnas", 51, 0.8, "LOU"),
    # larger municipalities and city scale (botkyrka at scale 14: about 15,000 clients)
    CalibrationSpec("botkyrka", 52, 5.0, "LOU0.5"),
    CalibrationSpec("strangnas", 53, 6.0, "Zoning"),
    CalibrationSpec("strangnas", 54, 14.0, "LOV"),
    CalibrationSpec("botkyrka", 55, 14.0, "LOV"),
    CalibrationSpec("botkyrka", 56, 14.0, "LOU"),
    CalibrationSpec("botkyrka", 57, 14.0, "Zoning"),
)


def _format_constants(model: ApproxModel) -> str:
    c = model.constants()
    body = "\n".join(f'    "{k}": {v!r},' for k, v in c.items())
    rng = "\n".join(f'    ("{n}", {lo!r}, {hi!r}),' for n, lo, hi in model.fit_range)
    return f"FIT_CONSTANTS = {{\n{body}\n}}\n\nDEFAULT_FIT_RANGE = (\n{rng}\n)"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hemopt.calibration``: solve the calibration and held-out days, fit the
    constants, print them and the error tables (``--write-docs FILE``: write the held-out
    tables as markdown, the include of ``docs/approximation.md``)."""
    ap = argparse.ArgumentParser(prog="python -m hemopt.calibration", description=main.__doc__)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--max-iterations", type=int, default=500,
                    help="solver iterations per (provider, base, shift, mode) (default 500)")
    ap.add_argument("--cache", type=Path, default=None,
                    help="pickle of the solved days: read if present, else written")
    ap.add_argument("--real-day", action="store_true",
                    help="only compare the visits and travel of strangnas (seed 1, LOV) with "
                         "the real day (--write-docs docs/routing.md: write the table), and "
                         "stop")
    ap.add_argument("--write-docs", type=Path, default=None,
                    help="markdown file whose generated block gets the held-out error tables "
                         "of the shipped constants (docs/approximation.md)")
    args = ap.parse_args(argv)
    if args.real_day:
        table = real_day_comparison()
        print(table.to_string(float_format=lambda v: f"{v:.3f}"))
        if args.write_docs is not None:
            write_docs_tables(args.write_docs, real_day_markdown(table), begin=BEGIN_REAL_DAY,
                              end=END_REAL_DAY)
            print(f"wrote the comparison to {args.write_docs}")
        return 0
    t0 = time.perf_counter()
    if args.cache is not None and args.cache.exists():
        with args.cache.open("rb") as fh:
            train, hold = pickle.load(fh)  # the user's own cache file
    else:
        print(f"routing {len(TRAIN_SPECS)} calibration days and {len(HOLDOUT_SPECS)} held-out "
              f"days with the solver ({args.max_iterations} iterations, {args.jobs} jobs)")
        train = calibration_days(TRAIN_SPECS, max_iterations=args.max_iterations,
                                 jobs=args.jobs, progress=print)
        hold = calibration_days(HOLDOUT_SPECS, max_iterations=args.max_iterations,
                                jobs=args.jobs, progress=print)
        if args.cache is not None:
            with args.cache.open("wb") as fh:
                pickle.dump((train, hold), fh)
    t1 = time.perf_counter()
    model = fit_approx(train)
    t2 = time.perf_counter()
    print(f"\nsolver {t1 - t0:.0f} s, fit {t2 - t1:.0f} s; {model.fit_info}\n")
    print(_format_constants(model))
    shipped = ApproxModel()
    for label, m in (("fitted", model), ("shipped (FIT_CONSTANTS)", shipped)):
        for name, days in (("training", train), ("held-out", hold)):
            g, d = approx_errors(m, days)
            print(f"\n{label} constants, {name}: {len(d)} days, {len(g)} (provider, base, "
                  "shift, mode) instances")
            print(error_summary(g, d).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.write_docs is not None:
        g, d = approx_errors(shipped, hold)
        write_docs_tables(args.write_docs, error_tables_markdown(g, d))
        write_docs_tables(args.write_docs, constants_markdown(shipped), begin=BEGIN_CONSTANTS,
                          end=END_CONSTANTS)
        print(f"wrote the held-out error tables of the shipped constants to {args.write_docs}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    # run the imported module's main, so that pickled days name hemopt.calibration classes
    from hemopt.calibration import main as _main

    raise SystemExit(_main())
