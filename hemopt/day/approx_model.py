"""The continuous approximation's model: its fitted constants (:data:`FIT_CONSTANTS`), the range
it was fitted on (:data:`DEFAULT_FIT_RANGE`), and :class:`ApproxModel`, which estimates one
(provider, base, shift, mode) instance from its stops' coordinates and windows.

:func:`hemopt.day.approx.approximate_day` applies it to a whole day; the calibration harness
that refits the constants is :mod:`hemopt.calibration`.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hemopt.day.approx_geometry import (
    Batch,
    Geometry,
    evaluate_batch,
    geometry_of,
    straight_line,
    travel_features,
    unservable_stops,
)
from hemopt.day.route import ShiftParams
from hemopt.errors import InputError
from hemopt.travel import StraightLineTravel

__all__ = [
    "DEFAULT_FIT_RANGE",
    "FIT_CONSTANTS",
    "FIT_PARAMETERS",
    "ApproxEstimate",
    "ApproxModel",
    "ExtrapolationWarning",
    "warn_extrapolation",
]


class ExtrapolationWarning(UserWarning):
    """The inputs of the approximation lie outside the range it was fitted on."""


# ------------------------------------------------------------------------------------------------
# Fitted constants (reproduce with ``python -m hemopt.calibration``)
# ------------------------------------------------------------------------------------------------

#: Constants fitted against ``route_day(..., max_iterations=500, time_limit_s=None)`` on
#: :data:`hemopt.calibration.TRAIN_SPECS`; the defaults of :class:`ApproxModel`. Reproduce with
#: ``python -m hemopt.calibration`` (minutes on 2 cores). They were fitted when the solver
#: minimised distance; ``route_day`` now minimises cost (issue 27: more km, fewer staff
#: hours), so the approximation's km are a little low and its staff hours a little high
#: against the solver's until they are refitted (not done).
FIT_CONSTANTS: dict[str, float] = {
    "kappa": 0.555,
    "line_haul": 0.8702,
    "link": 1.0425,
    "time_efficiency": 0.8216,
    "window_efficiency": 0.9652,
    "wait_fluid": 0.5925,
    "wait_gap": 0.34,
    "same_place_share": 0.0,
    "round_down": 0.0772,
    "cluster_m": 800.0,
    "spread_m": 100.0,
}

#: The range of the calibration instances: ``(feature, low, high)``. Per (provider, base,
#: shift): ``n_stops``, ``stops_per_km2`` and ``service_min_per_stop`` (checked with 25 stops
#: or more), ``office_km`` (mean road distance base -> stops; from 0: the line-haul vanishes),
#: ``shift_max_min``; per day: ``day_stops``; per travel model (:func:`travel_features`):
#: ``detour_factor``, ``overhead_min``, ``kmh_1km``, ``kmh_20km``.
DEFAULT_FIT_RANGE: tuple[tuple[str, float, float], ...] = (
    ("n_stops", 1.0, 7186.0),
    ("stops_per_km2", 2.0, 470.0),
    ("office_km", 0.0, 22.6),
    ("service_min_per_stop", 27.0, 73.0),
    ("shift_max_min", 360.0, 480.0),
    ("day_stops", 69.0, 30142.0),
    ("detour_factor", 1.3, 1.3),
    ("overhead_min", 0.5, 2.0),
    ("kmh_1km", 4.5, 25.0),
    ("kmh_20km", 4.5, 49.6),
)


# ------------------------------------------------------------------------------------------------
# The model
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApproxEstimate:
    """The approximate routing cost of one provider's shift.

    Attributes
    ----------
    travel_m, travel_min
        Distance (metres) and minutes on the way (per-trip overhead included), in the travel
        model's mode.
    routes
        Staff shifts (routes) used.
    service_min, wait_min, staff_min
        Service, waiting and staff minutes (office to office: service + travel + waiting).
    n_stops, dropped_stops
        Stops given, and stops no route can serve (left out, as the solver does).
    dropped_reason
        Per stop, ``""`` when served, else why not (one of
        :data:`~hemopt.routing.instance.DROP_REASONS`).
    outside_range
        ``(feature, value, low, high)`` for each input outside the fitted range.
    """

    travel_m: float
    travel_min: float
    routes: int
    service_min: float
    wait_min: float
    staff_min: float
    n_stops: int
    dropped_stops: int
    dropped_reason: tuple[str, ...] = ()
    outside_range: tuple[tuple[str, float, float, float], ...] = ()


#: The constants :func:`hemopt.calibration.fit_approx` fits, in the order of
#: :attr:`ApproxModel.theta`.
FIT_PARAMETERS = ("kappa", "line_haul", "link", "time_efficiency", "window_efficiency",
                  "wait_fluid", "wait_gap", "same_place_share", "round_down")


def _as_vector(name: str, value: ArrayLike, n: int) -> NDArray[np.float64]:
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: expected numbers, got {value!r:.80}") from exc
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise InputError(f"{name}: expected {n} values (one per stop), got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}[{k}] = {float(arr[k])!r}; values must be finite")
    return arr


@dataclass(frozen=True)
class ApproxModel:
    """Closed-form routing cost of one provider's shift (see ``docs/approximation.md``).

    The defaults are the constants fitted against the solver (:data:`FIT_CONSTANTS`) and the
    range they were fitted on (:data:`DEFAULT_FIT_RANGE`).

    Parameters
    ----------
    kappa
        BHH constant of the tours within a settlement: ``κ √(n_c A_c)``.
    line_haul
        Factor λ of the line-haul ``2 λ r̄ m`` from the office to the stops.
    link
        Factor β of the minimum spanning tree linking the settlements.
    time_efficiency
        Share η of the shift's working time a route fills on average.
    window_efficiency
        Share of a window's span a route fills with that window's work.
    wait_fluid, wait_gap
        Waiting per route: ``max(wait_fluid × fluid wait, wait_gap × window gap)``.
    same_place_share
        Share of the stops at an address already visited in the shift that need no trip (two
        periods at one stairwell served back to back).
    round_down
        Routes = ``ceil(m - round_down)``.
    cluster_m
        Stops closer than this (straight line, metres) belong to one settlement.
    spread_m
        Padding (metres) of a settlement's ellipse, so that one house has an area.
    fit_range
        ``(feature, low, high)`` triples: the range of the calibration instances.
    fit_info
        How the constants were obtained.

    Raises
    ------
    InputError
        A constant that is not finite and positive (``round_down`` in [0, 1)).
    """

    kappa: float = FIT_CONSTANTS["kappa"]
    line_haul: float = FIT_CONSTANTS["line_haul"]
    link: float = FIT_CONSTANTS["link"]
    time_efficiency: float = FIT_CONSTANTS["time_efficiency"]
    window_efficiency: float = FIT_CONSTANTS["window_efficiency"]
    wait_fluid: float = FIT_CONSTANTS["wait_fluid"]
    wait_gap: float = FIT_CONSTANTS["wait_gap"]
    same_place_share: float = FIT_CONSTANTS["same_place_share"]
    round_down: float = FIT_CONSTANTS["round_down"]
    cluster_m: float = FIT_CONSTANTS["cluster_m"]
    spread_m: float = FIT_CONSTANTS["spread_m"]
    fit_range: tuple[tuple[str, float, float], ...] = DEFAULT_FIT_RANGE
    fit_info: str = ("fit_approx on 59 days, 1359 (provider, base, shift, mode) instances "
                     "(python -m hemopt.calibration)")

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name in ("fit_range", "fit_info"):
                continue
            v = getattr(self, f.name)
            ok = isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(v)
            if f.name in ("wait_fluid", "wait_gap", "same_place_share", "round_down"):
                ok = ok and v >= 0
            else:
                ok = ok and v > 0
            if f.name in ("same_place_share", "time_efficiency") and ok:
                ok = v <= 1
            if f.name == "round_down" and ok:
                ok = v < 1
            if not ok:
                raise InputError(f"ApproxModel.{f.name} = {v!r} is out of bounds")
        for row in self.fit_range:
            if len(row) != 3:
                raise InputError(f"ApproxModel.fit_range: expected (feature, low, high), got "
                                 f"{row!r}")

    @property
    def theta(self) -> NDArray[np.float64]:
        """The fitted constants, in the order of :data:`FIT_PARAMETERS`."""
        return np.array([getattr(self, n) for n in FIT_PARAMETERS], dtype=float)

    def with_theta(self, theta: ArrayLike, **kw: Any) -> ApproxModel:
        """A copy with the fitted constants ``theta`` (in the order of ``FIT_PARAMETERS``)."""
        values = dict(zip(FIT_PARAMETERS, np.asarray(theta, dtype=float).tolist(), strict=True))
        return replace(self, **values, **kw)

    def constants(self) -> dict[str, float]:
        """The constants as a dict (the shape of :data:`FIT_CONSTANTS`)."""
        d = asdict(self)
        return {k: float(v) for k, v in d.items() if k not in ("fit_range", "fit_info")}

    def outside_range(self, features: dict[str, float]) -> list[tuple[str, float, float, float]]:
        """The features outside the fitted range: ``(feature, value, low, high)``."""
        out = []
        for name, lo, hi in self.fit_range:
            v = features.get(name)
            if v is None or not np.isfinite(v):
                continue
            tol = 1e-9 * max(1.0, abs(lo), abs(hi))
            if v < lo - tol or v > hi + tol:
                out.append((name, float(v), float(lo), float(hi)))
        return out

    def predict(
        self,
        xy: ArrayLike,
        service_min: ArrayLike,
        office_xy: ArrayLike,
        *,
        earliest_min: ArrayLike | None = None,
        latest_min: ArrayLike | None = None,
        shift: str = "day",
        travel: StraightLineTravel | None = None,
        shifts: ShiftParams | None = None,
        warn: bool = True,
    ) -> ApproxEstimate:
        """Approximate routing cost of one provider's shift.

        Parameters
        ----------
        xy
            ``(n, 2)`` stop coordinates, metres (SWEREF 99 TM).
        service_min
            Service minutes per stop (one number for all).
        office_xy
            Where every route starts and ends: the provider's office or base.
        earliest_min, latest_min
            Service-start window per stop, minutes after midnight (default: the shift).
        shift
            ``"day"`` or ``"evening"`` (:class:`~hemopt.day.route.ShiftParams`).
        travel
            How the staff of this shift get about: any
            :class:`~hemopt.travel.StraightLineTravel` (default
            :class:`~hemopt.travel.MixedTravel`, by car; ``TravelModel.walking()``, ...).
        shifts
            Shift windows and lengths (default :class:`~hemopt.day.route.ShiftParams`).
        warn
            Warn with :class:`ExtrapolationWarning` when an input is outside the fitted range
            (it is always listed in :attr:`ApproxEstimate.outside_range`).

        Returns
        -------
        ApproxEstimate

        Raises
        ------
        InputError
            Naming the argument and the offending value.

        Examples
        --------
        Twenty stops of 30 minutes spread over a 1 km square, 2 km from the office:

        >>> import numpy as np
        >>> from hemopt.day.approx import ApproxModel
        >>> xy = np.random.default_rng(0).uniform(0, 1000, size=(20, 2)) + [2000, 0]
        >>> est = ApproxModel().predict(xy, 30.0, [0, 0], earliest_min=7 * 60,
        ...                             latest_min=13 * 60, warn=False)
        >>> est.routes, round(est.travel_m / 1000, 1), round(est.staff_min)
        (2, 15.9, 680)
        """
        shifts = shifts or ShiftParams()
        window = shifts.window(shift)
        line = straight_line(travel)
        try:
            pts = np.array(xy, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"xy: expected (n, 2) coordinates, got {xy!r:.80}") from exc
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise InputError(f"xy: expected shape (n, 2), got {pts.shape}")
        if not np.isfinite(pts).all():
            k = int(np.argwhere(~np.isfinite(pts))[0][0])
            raise InputError(f"xy[{k}] = {pts[k].tolist()}; coordinates must be finite")
        n = len(pts)
        office = np.array(office_xy, dtype=float).reshape(-1)
        if office.shape != (2,) or not np.isfinite(office).all():
            raise InputError(f"office_xy: expected one finite point (x, y), got {office_xy!r}")
        svc = _as_vector("service_min", service_min, n)
        if (svc < 0).any():
            k = int(np.flatnonzero(svc < 0)[0])
            raise InputError(f"service_min[{k}] = {float(svc[k])!r}; must be >= 0")
        e = _as_vector("earliest_min", window[0] if earliest_min is None else earliest_min, n)
        lt = _as_vector("latest_min", window[1] if latest_min is None else latest_min, n)
        if (e > lt).any():
            k = int(np.flatnonzero(e > lt)[0])
            raise InputError(f"earliest_min[{k}] = {float(e[k])!r} > latest_min[{k}] = "
                             f"{float(lt[k])!r}")
        groups, _ = self._estimate([(pts, svc, e, lt, office, window)], [line])
        est = groups[0]
        if warn and est.outside_range:
            warn_extrapolation([(shift, est.outside_range)], stacklevel=2)
        return est

    def _estimate(
        self,
        instances: Sequence[tuple],
        travels: Sequence[StraightLineTravel],
        *,
        extra: dict[str, float] | None = None,
    ) -> tuple[list[ApproxEstimate], list[float]]:
        """Estimates for many ``(xy, service, earliest, latest, office, window)`` instances,
        each with its travel model, evaluated in one vectorised pass per travel model; also
        the seconds spent per instance."""
        geoms: list[Geometry | None] = []
        reasons, times = [], []
        for (xy, svc, e, lt, office, window), travel in zip(instances, travels, strict=True):
            t0 = time.perf_counter()
            r = np.hypot(xy[:, 0] - office[0], xy[:, 1] - office[1]) * travel.detour_factor
            why = unservable_stops(r, svc, e, lt, window, travel)
            ok = why == ""
            reasons.append(why)
            geoms.append(geometry_of(xy[ok], svc[ok], e[ok], lt[ok], office, window, travel,
                                   self.cluster_m, self.spread_m) if ok.any() else None)
            times.append(time.perf_counter() - t0)
        results: list[dict[str, float] | None] = [None] * len(instances)
        t0 = time.perf_counter()
        by_travel: dict[int, list[int]] = {}
        for k, (g, travel) in enumerate(zip(geoms, travels, strict=True)):
            if g is not None:
                by_travel.setdefault(id(travel), []).append(k)
        for ks in by_travel.values():
            batch = [g for g in (geoms[k] for k in ks) if g is not None]  # ks: geometries only
            res = evaluate_batch(self.theta, Batch(batch, travels[ks[0]]))
            for j, k in enumerate(ks):
                results[k] = {name: float(v[j]) for name, v in res.items()}
        share = (time.perf_counter() - t0) / max(len(instances), 1)
        out = []
        for (xy, *_), why, g, res_k, travel in zip(instances, reasons, geoms, results, travels,
                                                   strict=True):
            n = len(xy)
            if g is None or res_k is None:
                out.append(ApproxEstimate(0.0, 0.0, 0, 0.0, 0.0, 0.0, n, n, tuple(why)))
                continue
            feats = {**g.features(), **travel_features(travel), **(extra or {})}
            feats["n_stops"] = float(n)
            out.append(
                ApproxEstimate(
                    travel_m=res_k["travel_m"],
                    travel_min=res_k["travel_min"],
                    routes=int(res_k["routes"]),
                    service_min=res_k["service_min"],
                    wait_min=res_k["wait_min"],
                    staff_min=res_k["staff_min"],
                    n_stops=n,
                    dropped_stops=int((why != "").sum()),
                    dropped_reason=tuple(why),
                    outside_range=tuple(self.outside_range(feats)),
                )
            )
        return out, [t + share for t in times]


def warn_extrapolation(flagged: Sequence[tuple[str, Sequence[tuple[Any, ...]]]],
                       stacklevel: int) -> None:
    parts = []
    for where, rows in flagged[:3]:
        where = f"{where}: " if where else ""
        parts.append(where + ", ".join(f"{f} = {v:.4g} not in [{lo:.4g}, {hi:.4g}]"
                                       for f, v, lo, hi in rows))
    more = f" (and {len(flagged) - 3} more)" if len(flagged) > 3 else ""
    warnings.warn(
        "routing approximation outside the range it was fitted on: " + "; ".join(parts) + more
        + ". The estimate is an extrapolation; check it against route_day.",
        ExtrapolationWarning,
        stacklevel=stacklevel + 1,
    )



