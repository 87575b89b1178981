"""Continuous approximation of a day's routing cost, calibrated against the VRPTW solver.

Routing a municipality's day with :func:`hemopt.day.route.route_day` takes seconds to tens
of seconds; sweeps of thousands of scenarios need an estimate in milliseconds. This module
gives one in closed form, in the spirit of Beardwood–Halton–Hammersley (tour length of ``n``
random points in an area ``A`` ≈ κ√(nA)) and Daganzo's *Logistics Systems Analysis* (``m``
routes from a depot at mean distance r̄: ``L ≈ 2 r̄ m + κ √(nA)``), adapted to home care:

* the stops of one provider, base, shift and travel mode (one ``route_day`` VRPTW) are split
  into **settlements** (single-linkage clusters: stops closer than ``cluster_m`` belong
  together) and the tour terms are summed over them; the settlements are linked by their
  minimum spanning tree (the long links of the stops' Euclidean MST), times a fitted factor β;
* the number of staff shifts ``m`` follows from the shift's time budget (service + travel +
  waiting per route ≤ a fitted share η of the shift) and from the time windows (the work of a
  window must fit between its start and its end), solved as a fixed point because travel
  and waiting depend on ``m``;
* waiting comes from a fluid schedule of an average route through the day's windows;
* travel times use the same travel model as ``route_day`` for each mode (any
  :class:`~hemopt.travel.StraightLineTravel`), with its overhead for every trip.

The model and its fitted constants are in :mod:`hemopt.day.approx_model` (its geometry in
:mod:`hemopt.day.approx_geometry`); this module applies it to a whole day and holds what the
fit needs (:class:`FitData`). The calibration harness that routes generated
municipalities with the solver and fits the constants is :mod:`hemopt.calibration`; the
equations, the fitted constants and the fit errors on held-out instances are in
``docs/approximation.md``. The model records the range of instances it was fitted on and warns
with :class:`ExtrapolationWarning` outside it.

Examples
--------
>>> import hemopt
>>> from hemopt.day.approx import approximate_day
>>> sc = hemopt.generate("strangnas", seed=1, scale=0.2)
>>> day = approximate_day(sc, sc.clients["current_provider"], seed=0)
>>> day.backend, day.extrapolated
('approx', False)
>>> t = day.totals()
>>> t["visits_in"] == t["visits_served"] + t["visits_dropped"]
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hemopt.day.approx_geometry import (
    TRAVEL_FEATURES,
    Batch,
    Geometry,
    evaluate_batch,
    geometry_of,
    servable_stops,
    straight_line,
    travel_features,
)
from hemopt.day.approx_model import (
    DEFAULT_FIT_RANGE,
    FIT_CONSTANTS,
    FIT_PARAMETERS,
    ApproxEstimate,
    ApproxModel,
    ExtrapolationWarning,
    warn_extrapolation,
)
from hemopt.day.route import (
    ROUTE_COLUMNS,
    DayRouting,
    ShiftParams,
    account,
    assign_bases,
    assign_modes,
    prepare_day,
)
from hemopt.day.visits import AssignedClients, VisitParams
from hemopt.errors import InputError
from hemopt.routing.instance import DROP_REASONS
from hemopt.travel import StraightLineTravel, Travel, TravelModes

if TYPE_CHECKING:
    from hemopt.scenario import Scenario

__all__ = [
    "DEFAULT_FIT_RANGE",
    "FIT_CONSTANTS",
    "FIT_PARAMETERS",
    "ApproxDayRouting",
    "ApproxEstimate",
    "ApproxModel",
    "ExtrapolationWarning",
    "FitData",
    "RoutedDay",
    "approximate_day",
    "approximate_stops",
    "travel_features",
]

# ------------------------------------------------------------------------------------------------
# A whole day
# ------------------------------------------------------------------------------------------------


def _empty_range() -> pd.DataFrame:
    return pd.DataFrame(columns=["provider_id", "base", "shift", "mode", "feature", "value",
                                 "low", "high"])


@dataclass(frozen=True, eq=False)
class ApproxDayRouting(DayRouting):
    """A :class:`~hemopt.day.route.DayRouting` estimated by :class:`ApproxModel`.

    Same ``visits``, ``stops``, ``routes`` columns, ``dropped`` table and ``totals()`` as
    ``route_day``'s; ``results`` is empty and ``backend`` is ``"approx"``.

    Attributes
    ----------
    outside_range
        One row per input outside the fitted range: ``provider_id``, ``base``, ``shift``,
        ``mode`` (empty and -1 for day-level features), ``feature``, ``value``, ``low``,
        ``high``. Empty inside the range.
    model
        The model used.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=3, scale=0.2)
    >>> day = approximate_day(sc, sc.clients["current_provider"], seed=1)
    >>> isinstance(day, ApproxDayRouting), day.backend, day.results
    (True, 'approx', {})
    """

    outside_range: pd.DataFrame = field(default_factory=_empty_range, repr=False)
    model: ApproxModel | None = field(default=None, repr=False)

    @property
    def extrapolated(self) -> bool:
        """Whether any input is outside the fitted range."""
        return len(self.outside_range) > 0


_GROUP = ["provider_id", "base", "shift", "mode"]


def _with_base_and_mode(stops: pd.DataFrame, bases: dict[str, NDArray[np.float64]],
                        modes: TravelModes) -> pd.DataFrame:
    if "base" not in stops:
        stops = assign_bases(stops, bases)
    if "mode" not in stops:
        stops = assign_modes(stops, bases, modes)
    return stops


def approximate_stops(
    visits: pd.DataFrame,
    stops: pd.DataFrame,
    bases: dict[str, NDArray[np.float64]],
    *,
    model: ApproxModel | None = None,
    travel: Travel | TravelModes | None = None,
    shifts: ShiftParams | None = None,
    warn: bool = True,
) -> ApproxDayRouting:
    """Estimate each (provider, base, shift, mode) of a prepared day
    (:func:`~hemopt.day.route.prepare_day`).

    Parameters
    ----------
    visits
        The day's visits with their ``stop_id``.
    stops
        The day's stops (with ``base`` and ``mode``; missing ones are assigned as
        ``route_day`` does).
    bases
        Every provider's starting points, office first.
    model
        The :class:`ApproxModel` (default: the fitted constants).
    travel
        :class:`~hemopt.travel.TravelModes` (default) or one straight-line travel model.
    shifts
        As for ``route_day``.
    warn
        Issue an :class:`ExtrapolationWarning` for inputs outside the fitted range.

    Returns
    -------
    ApproxDayRouting

    Raises
    ------
    InputError
        A stop of a provider without that base, a travel model that is not a straight line.
    SolverError
        Visits in differ from served + dropped (a bug).

    Examples
    --------
    >>> import hemopt
    >>> from hemopt.day.route import prepare_day
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.2)
    >>> visits, stops, bases = prepare_day(sc, sc.clients["current_provider"], seed=0)
    >>> day = approximate_stops(visits, stops, bases)
    >>> int(day.routes["stops"].sum()) == len(stops)
    True
    """
    model = ApproxModel() if model is None else model
    if not isinstance(model, ApproxModel):
        raise InputError(f"model: expected an ApproxModel, got {type(model).__name__}")
    shifts = shifts or ShiftParams()
    modes = TravelModes.of(travel)
    stops = _with_base_and_mode(stops, bases, modes)
    keys, instances, travels, nvis_list, ids_list = [], [], [], [], []
    if len(stops):
        idx = stops.groupby(_GROUP, sort=True).indices
        xy_all = stops[["x", "y"]].to_numpy(dtype=float)
        svc_all = stops["service_min"].to_numpy(dtype=float)
        e_all = stops["earliest_min"].to_numpy(dtype=float)
        l_all = stops["latest_min"].to_numpy(dtype=float)
        nv_all = stops["n_visits"].to_numpy()
        id_all = stops["stop_id"].to_numpy()
        for (pid, base, shift, mode), rows in sorted(idx.items()):
            if pid not in bases or not 0 <= int(base) < len(bases[pid]):
                raise InputError(f"stops: provider {pid!r} has no office or base {base!r}")
            keys.append((pid, int(base), shift, mode))
            instances.append((xy_all[rows], svc_all[rows], e_all[rows], l_all[rows],
                              np.asarray(bases[pid][int(base)], dtype=float),
                              shifts.window(shift)))
            travels.append(straight_line(modes.travel(mode)))
            nvis_list.append(nv_all[rows])
            ids_list.append(id_all[rows])
    care = visits.groupby("stop_id")["duration_min"].sum() if len(visits) else pd.Series()
    day_feat = {"day_stops": float(len(stops))}
    ests, secs = model._estimate(instances, travels, extra=day_feat)
    rows_out, flagged, range_rows = [], [], []
    dropped_stops: dict[str, tuple[str, str]] = {}
    for (pid, base, shift, mode), est, nvis, ids, sec in zip(keys, ests, nvis_list, ids_list,
                                                            secs, strict=True):
        why = np.asarray(est.dropped_reason, dtype=object)
        ok = why == ""
        for sid, code in zip(ids[~ok], why[~ok], strict=True):
            dropped_stops[str(sid)] = (str(code), f"approximation: {DROP_REASONS[code]}")
        car = mode == "car"
        rows_out.append({
            "provider_id": pid, "base": base, "shift": shift, "mode": mode,
            "stops": est.n_stops, "visits": int(nvis.sum()), "routes": est.routes,
            "travel_km": est.travel_m / 1000.0, "travel_min": est.travel_min,
            "driven_km": est.travel_m / 1000.0 if car else 0.0,
            "drive_min": est.travel_min if car else 0.0,
            "service_min": est.service_min, "wait_min": est.wait_min,
            "staff_min": est.staff_min, "served": int(nvis[ok].sum()),
            "care_min_served": float(care.loc[ids[ok]].sum()) if ok.any() else 0.0,
            "dropped": int(nvis[~ok].sum()), "late": 0, "runtime_s": sec,
        })
        group_rows = [r for r in est.outside_range if r[0] != "day_stops"]
        if group_rows:
            flagged.append((f"{pid} base {base} {shift} {mode}", group_rows))
            range_rows += [(pid, base, shift, mode, *r) for r in group_rows]
    day_rows = model.outside_range(day_feat)
    if day_rows:
        flagged.insert(0, ("whole day", day_rows))
        range_rows = [("", -1, "", "", *r) for r in day_rows] + range_rows
    if warn and flagged:
        warn_extrapolation(flagged, stacklevel=3)
    outside = (pd.DataFrame(range_rows, columns=list(_empty_range().columns))
               if range_rows else _empty_range())
    visits, dropped = account(visits, dropped_stops)
    day = ApproxDayRouting(visits=visits, stops=stops,
                           routes=pd.DataFrame(rows_out, columns=ROUTE_COLUMNS), results={},
                           backend="approx", dropped=dropped, bases=bases,
                           outside_range=outside, model=model)
    day.check_conservation()
    return day


def approximate_day(
    scenario: Scenario,
    assigned: AssignedClients | ArrayLike,
    *,
    seed: int = 0,
    visits: pd.DataFrame | None = None,
    travel: Travel | TravelModes | None = None,
    model: ApproxModel | None = None,
    params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
) -> ApproxDayRouting:
    """Estimate every provider's day without solving: :func:`~hemopt.day.route.route_day`
    in milliseconds.

    The day's visits and stops are drawn exactly as ``route_day`` draws them (same ``seed``,
    same visits, same bases and travel modes); each (provider, base, shift, mode) is then
    estimated by ``model``.

    Parameters
    ----------
    scenario
        The municipality (offices are the providers' points; routes start from the office
        or the base nearest their stops, as in ``route_day``).
    assigned
        An :class:`~hemopt.day.visits.AssignedClients` (an
        :class:`~hemopt.assignment.Assignment`) or a provider id per client.
    seed
        Seed of the day's visits.
    visits
        A day of visits to use instead of drawing one (its ``provider_id`` is replaced by
        ``assigned``'s).
    travel
        :class:`~hemopt.travel.TravelModes` (default) or one straight-line travel model for
        everyone (:class:`~hemopt.travel.MixedTravel`, :class:`~hemopt.travel.TravelModel`).
    model
        The :class:`ApproxModel` (default: the fitted constants).
    params, shifts
        As for ``route_day``.

    Returns
    -------
    ApproxDayRouting
        A :class:`~hemopt.day.route.DayRouting` (``backend="approx"``, empty ``results``)
        with the inputs outside the fitted range in ``outside_range``; an
        :class:`ExtrapolationWarning` is issued when there are any.

    Raises
    ------
    InputError
        A provider list of the wrong length, an unsupported travel model, a model that is not
        an :class:`ApproxModel`, care a day cannot hold.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=3, scale=0.2)
    >>> day = approximate_day(sc, sc.clients["current_provider"], seed=1)
    >>> list(day.routes.columns[:6])
    ['provider_id', 'base', 'shift', 'mode', 'stops', 'visits']
    >>> day.extrapolated
    False
    """
    if model is not None and not isinstance(model, ApproxModel):
        raise InputError(f"model: expected an ApproxModel, got {type(model).__name__}")
    modes = TravelModes.of(travel)
    for mode in ("walk", "bike", "car"):
        straight_line(modes.travel(mode))
    visits, stops, bases = prepare_day(scenario, assigned, seed=seed, visits=visits,
                                       params=params, shifts=shifts, travel=modes)
    return approximate_stops(visits, stops, bases, model=model, travel=modes, shifts=shifts)


# ------------------------------------------------------------------------------------------------
# What the fit needs: the model's inputs beside the solver's figures
# ------------------------------------------------------------------------------------------------


class RoutedDay(Protocol):
    """A day routed by the solver: its stops (with ``base`` and ``mode``), every provider's
    starting points, and ``route_day``'s routes table. :class:`~hemopt.day.route.DayRouting`
    is one."""

    @property
    def stops(self) -> pd.DataFrame:
        """The day's stops."""
        ...

    @property
    def bases(self) -> dict[str, NDArray[np.float64]]:
        """Every provider's starting points, office first."""
        ...

    @property
    def routes(self) -> pd.DataFrame:
        """One row per (provider, base, shift, mode)."""
        ...


@dataclass(frozen=True, eq=False)
class FitData:
    """The (provider, base, shift, mode) instances of days routed by the solver, with the
    model's geometry beside the solver's figures: what :func:`hemopt.calibration.fit_approx`
    fits the constants on.

    Build it with :meth:`from_days`. Only the stops a single route can serve count (the
    others are dropped, by the solver and by the model alike).

    Attributes
    ----------
    table
        One row per instance: ``day``, ``provider_id``, ``base``, ``shift``, ``mode``,
        ``stops``, the solver's ``travel_m``, ``travel_min``, ``routes``, ``staff_min``, and
        the features checked by the fitted range.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> day = hemopt.route_day(sc, sc.clients["current_provider"], seed=1, max_iterations=50)
    >>> data = FitData.from_days([day])
    >>> len(data.table) == len(day.routes), data.residuals(ApproxModel().theta).shape[0] > 0
    (True, True)
    """

    table: pd.DataFrame
    batches: tuple[tuple[Batch, NDArray[np.int64]], ...] = field(repr=False)

    @classmethod
    def from_days(
        cls,
        days: Sequence[RoutedDay],
        *,
        labels: Sequence[str] | None = None,
        model: ApproxModel | None = None,
        travel: Travel | TravelModes | None = None,
        shifts: ShiftParams | None = None,
    ) -> FitData:
        """The instances of ``days`` (labelled ``labels``, default ``day0``, ``day1``, ...),
        with the settlement parameters of ``model`` and the days' ``travel`` and ``shifts``.
        """
        model = model or ApproxModel()
        shifts = shifts or ShiftParams()
        modes = TravelModes.of(travel)
        labels = list(labels) if labels is not None else [f"day{k}" for k in range(len(days))]
        if len(labels) != len(days):
            raise InputError(f"labels: expected {len(days)} labels, got {len(labels)}")
        geoms: dict[int, list[Geometry]] = {}
        rows_of: dict[int, list[int]] = {}
        travel_of: dict[int, StraightLineTravel] = {}
        rows: list[dict[str, Any]] = []
        for label, d in zip(labels, days, strict=True):
            st = _with_base_and_mode(d.stops, d.bases, modes)
            solved = d.routes.set_index(_GROUP)
            xy = st[["x", "y"]].to_numpy(dtype=float)
            svc, e, lt = (st[c].to_numpy(dtype=float)
                          for c in ("service_min", "earliest_min", "latest_min"))
            for key, idx in sorted(st.groupby(_GROUP, sort=True).indices.items()):
                pid, base, shift, mode = key
                travel_m = straight_line(modes.travel(mode))
                off = np.asarray(d.bases[pid][int(base)], dtype=float)
                window = shifts.window(shift)
                r = np.hypot(xy[idx, 0] - off[0], xy[idx, 1] - off[1]) * travel_m.detour_factor
                ok = servable_stops(r, svc[idx], e[idx], lt[idx], window, travel_m)
                if not ok.any():
                    continue
                k = idx[ok]
                g = geometry_of(xy[k], svc[k], e[k], lt[k], off, window, travel_m,
                              model.cluster_m, model.spread_m)
                tid = id(travel_m)
                travel_of[tid] = travel_m
                geoms.setdefault(tid, []).append(g)
                rows_of.setdefault(tid, []).append(len(rows))
                s = solved.loc[key]
                rows.append({
                    "day": label, "provider_id": pid, "base": int(base), "shift": shift,
                    "mode": mode, "stops": len(idx), "travel_m": float(s["travel_km"]) * 1000,
                    "travel_min": float(s["travel_min"]), "routes": float(s["routes"]),
                    "staff_min": float(s["staff_min"]), **g.features(),
                    "n_stops": float(len(idx)), "day_stops": float(len(st)),
                    **travel_features(travel_m),
                })
        batches = tuple((Batch(geoms[t], travel_of[t]), np.asarray(rows_of[t], dtype=np.int64))
                        for t in geoms)
        return cls(table=pd.DataFrame(rows), batches=batches)

    def evaluate(self, theta: ArrayLike) -> dict[str, NDArray[np.float64]]:
        """The model with constants ``theta`` (:data:`FIT_PARAMETERS` order) on every
        instance, in the order of :attr:`table`."""
        th = np.asarray(theta, dtype=float)
        n = len(self.table)
        out: dict[str, NDArray[np.float64]] = {}
        for batch, rows in self.batches:
            res = evaluate_batch(th, batch)
            for name, v in res.items():
                out.setdefault(name, np.zeros(n))[rows] = v
        return out

    def residuals(self, theta: ArrayLike, *, integer: bool = True) -> NDArray[np.float64]:
        """Log ratios model / solver of travel distance, staff minutes, staff shifts, and
        travel minutes at half weight, per instance. ``integer=False`` uses a continuous
        number of routes (and ignores ``round_down``)."""
        th = np.array(theta, dtype=float)
        if not integer:
            th[-1] = 0.0
        r = self.evaluate(th)
        t = self.table
        m = r["routes"] if integer else r["routes_continuous"]
        return np.concatenate([
            np.log((r["travel_m"] + 100.0) / (t["travel_m"].to_numpy() + 100.0)),
            np.log(r["staff_min"] / t["staff_min"].to_numpy()),
            np.log(m / t["routes"].to_numpy()),
            0.5 * np.log((r["travel_min"] + 1.0) / (t["travel_min"].to_numpy() + 1.0)),
        ])

    def fit_range(self) -> tuple[tuple[str, float, float], ...]:
        """The range of the instances, in the shape of :data:`DEFAULT_FIT_RANGE`."""
        t = self.table

        def span(name: str, lo_round: float, hi_round: float) -> tuple[float, float]:
            v = t[name].dropna()
            return (float(np.floor(v.min() / lo_round) * lo_round),
                    float(np.ceil(v.max() / hi_round) * hi_round))

        out = [
            ("n_stops", *span("n_stops", 1, 1)),
            ("stops_per_km2", *span("stops_per_km2", 0.1, 10)),
            ("office_km", 0.0, span("office_km", 0.1, 0.1)[1]),
            ("service_min_per_stop", *span("service_min_per_stop", 1, 1)),
            ("shift_max_min", *span("shift_max_min", 1, 1)),
            ("day_stops", *span("day_stops", 1, 1)),
            *((n, *span(n, 0.1, 0.1)) for n in TRAVEL_FEATURES),
        ]
        return tuple((n, round(float(lo), 6), round(float(hi), 6)) for n, lo, hi in out)

