"""Compare the regimes side by side on one municipality, one set of clients, one day of visits.

:func:`compare` assigns the clients under each regime, routes the same day of visits for each
assignment (the VRPTW solver, or the continuous approximation for speed) and returns a
:class:`Comparison`: one row per regime with the KPIs of ``docs/compare.md``, the difference of
each regime to LOV, plots, maps and an HTML/JSON report.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hemopt._progress import sayer
from hemopt.assignment import Assignment, assign
from hemopt.errors import InputError
from hemopt.regimes import LOU, LOV, Regime, Zoning
from hemopt.routing.day import DayRouting, MixedTravel, ShiftParams, route_day
from hemopt.routing.visits import VisitParams, day_of_visits
from hemopt.scenario import Scenario

__all__ = [
    "KPI_COLUMNS",
    "Comparison",
    "CostParams",
    "compare",
    "default_regimes",
    "load_schema",
]


def load_schema() -> dict[str, Any]:
    """The JSON schema of :meth:`Comparison.to_dict` (``hemopt-comparison/1``)."""
    from importlib.resources import files

    return json.loads(files("hemopt").joinpath("schemas/comparison.schema.json").read_text())

#: KPI columns of :attr:`Comparison.table`, in order, with their meaning and unit.
KPI_COLUMNS: dict[str, str] = {
    "driven_km_per_day": "km driven by staff per day",
    "drive_hours_per_day": "hours spent driving per day",
    "driving_share": "share of staff time spent driving",
    "staff_hours_per_day": "staff hours per day, office to office (day and evening shifts)",
    "cost_sek_per_year": "staff hours × cost per hour + km × cost per km, per year (SEK)",
    "co2_tonnes_per_year": "CO2 from driving per year (tonnes)",
    "first_choice_pct": "choosing clients served by their first choice (%)",
    "queue": "clients queueing for a better-ranked provider",
    "providers_per_stairwell": "mean distinct providers per stairwell with clients",
    "stairwells_multi_provider_pct": "stairwells with 2+ clients served by 2+ providers (%)",
    "stops_per_visit": "stops driven to per visit (1 = no visit shares a stop)",
    "workload_cv": "coefficient of variation of staff minutes per shift",
    "staff_shifts_per_day": "staff shifts (routes) per day",
    "dropped_visits": "visits no shift could serve (reported, never silent)",
    "external_share_hours": "share of care hours with external providers",
}


@dataclass(frozen=True)
class CostParams:
    """Cost parameters (sources and rationale in ``docs/compare.md``).

    Parameters
    ----------
    staff_sek_per_hour
        Full cost of one staff hour (default 300 SEK: a home-care assistant's pay of about
        29,000 SEK a month with employer contributions and pension, over about 140 hours of
        work a month after leave).
    sek_per_km
        Cost of a driven km (default 4.0 SEK: fuel, leasing, insurance and upkeep of a small
        car).
    co2_kg_per_km
        CO2 per km (default 0.12 kg: a petrol car; set lower for an electric fleet).
    days_per_year
        Days of home care per year (default 365: care is given every day).

    Examples
    --------
    >>> import hemopt
    >>> c = hemopt.CostParams(staff_sek_per_hour=377.0, co2_kg_per_km=0.0)  # LOV rate, EVs
    >>> c.staff_sek_per_hour, c.sek_per_km, c.co2_kg_per_km
    (377.0, 4.0, 0.0)
    >>> hemopt.CostParams(sek_per_km=-1)
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: CostParams.sek_per_km must be a finite number >= 0, got -1
    """

    staff_sek_per_hour: float = 300.0
    sek_per_km: float = 4.0
    co2_kg_per_km: float = 0.12
    days_per_year: float = 365.0

    def __post_init__(self) -> None:
        for k, v in asdict(self).items():
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise InputError(f"CostParams.{k} must be a finite number >= 0, got {v!r}")


def default_regimes(scenario: Scenario, *, external_share: float = 0.2,
                    n_zones: int | None = None, procured_share: float = 0.5,
                    seed: int = 0) -> list[Regime]:
    """LOV; LOU with ``external_share`` (only when the scenario has zones and external
    providers); Zoning with ``procured_share`` on ``n_zones`` designed zones (default: the
    scenario's zones, or three designed when it has none)."""
    regimes: list[Regime] = [LOV()]
    if len(scenario.zones) and (scenario.providers["kind"] == "external").any():
        regimes.append(LOU(external_share=external_share))
    if n_zones is None and not len(scenario.zones):
        n_zones = 3
    regimes.append(Zoning(n_zones=n_zones, procured_share=procured_share, seed=seed))
    return regimes


def _stairwell_kpis(a: Assignment) -> tuple[float, float]:
    cl = a.clients[a.clients["provider_id"] != ""]
    if cl.empty:
        return 0.0, 0.0
    per = cl.groupby("stairwell_id")["provider_id"].nunique()
    multi_client = cl.groupby("stairwell_id").size() >= 2
    multi = per[multi_client]
    pct = 100.0 * float((multi >= 2).mean()) if len(multi) else 0.0
    return float(per.mean()), pct


@dataclass(frozen=True, eq=False)
class Comparison:
    """The regimes compared on one scenario and one day of visits; made by :func:`compare`.

    Attributes
    ----------
    scenario
        The municipality.
    table
        One row per regime (index: the regime's name), the KPI columns of
        :data:`KPI_COLUMNS` plus ``visits_per_day`` and ``stops_per_day``.
    assignments
        The :class:`~hemopt.assignment.Assignment` of each regime, by name.
    routings
        The routed day (:class:`~hemopt.routing.day.DayRouting`) of each regime, by name.
    regimes
        The regime objects, by name.
    parameters
        Every parameter of the run (routing, costs, travel, visits, shifts, regimes).
    seed
        The seed of the assignment's draws, the day of visits and the solver.
    runtime_s
        Wall-clock time of :func:`compare`.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], max_iterations=50)
    >>> list(comp.table.index)
    ['LOV', 'Zoning']
    >>> d = comp.diff("LOV")                      # absolute and per cent differences to LOV
    >>> float(d.loc["LOV", "driven_km_per_day"]), float(d.loc["LOV", "driven_km_per_day_pct"])
    (0.0, 0.0)
    >>> float(comp.table.loc["Zoning", "stairwells_multi_provider_pct"])  # one provider per zone
    0.0
    >>> comp.to_dict()["schema"]
    'hemopt-comparison/1'
    """

    scenario: Scenario
    table: pd.DataFrame
    assignments: dict[str, Assignment]
    routings: dict[str, DayRouting]
    regimes: dict[str, Regime]
    parameters: dict[str, Any]
    seed: int
    runtime_s: float = field(default=0.0)

    # ---------------------------------------------------------------- tables
    def diff(self, reference: str = "LOV") -> pd.DataFrame:
        """Difference of each regime to ``reference``: ``<kpi>`` absolute and
        ``<kpi>_pct`` relative (per cent of the reference value)."""
        if reference not in self.table.index:
            raise InputError(f"reference regime {reference!r} is not in the comparison "
                             f"({list(self.table.index)})")
        ref = self.table.loc[reference]
        num = self.table.select_dtypes("number")
        d = num - ref[num.columns]
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = 100.0 * d / ref[num.columns].replace(0, np.nan)
        pct.columns = [f"{c}_pct" for c in pct.columns]
        return pd.concat([d, pct], axis=1)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (see ``docs/compare.md`` for the schema)."""
        regimes = []
        for name in self.table.index:
            rec: dict[str, Any] = {"name": name}
            for k in self.table.columns:
                rec[k] = _jsonable(self.table.at[name, k])  # keeps each column's dtype
            rec["parameters"] = _jsonable(self.regimes[name].params())
            rec["vs_lov"] = ({k: _jsonable(v) for k, v in self.diff().loc[name].items()}
                             if "LOV" in self.table.index else None)
            regimes.append(rec)
        summary = self.scenario.summary()
        summary.pop("providers", None)
        return {
            "schema": "hemopt-comparison/1",
            "scenario": _jsonable({**summary, "meta": self.scenario.meta}),
            "parameters": _jsonable({**self.parameters, "seed": self.seed}),
            "regimes": regimes,
        }

    def to_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n")
        return path

    # ---------------------------------------------------------------- figures
    def plot(self, axes: Any = None) -> Any:
        """Bar charts of the main KPIs per regime. Returns the Figure."""
        from hemopt.report import plot_kpis

        return plot_kpis(self, axes=axes)

    def plot_choice_cost(self, ax: Any = None) -> Any:
        """Choice fulfilled against cost per year, one point per regime. Returns the Axes."""
        from hemopt.report import plot_choice_cost

        return plot_choice_cost(self, ax=ax)

    def maps(self, axes: Any = None) -> Any:
        """One map per regime coloured by provider, busiest stairwells marked. Returns the
        Figure."""
        from hemopt.report import plot_maps

        return plot_maps(self, axes=axes)

    def to_html(self, path: str | Path) -> Path:
        """A self-contained HTML report (tables, embedded figures, parameters, reading)."""
        from hemopt.report import write_html

        return write_html(self, path)

    def __repr__(self) -> str:
        cols = ["driven_km_per_day", "staff_hours_per_day", "cost_sek_per_year",
                "first_choice_pct", "providers_per_stairwell"]
        return f"Comparison of {list(self.table.index)}\n{self.table[cols].round(2)}"


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    return v


def compare(
    scenario: Scenario,
    regimes: Sequence[Regime] | None = None,
    *,
    routing: str = "solver",
    seed: int = 0,
    cost: CostParams | None = None,
    travel: Any = None,
    visit_params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
    backend: str = "pyvrp",
    max_iterations: int | None = 1000,
    time_limit_s: float | None = None,
    progress: bool | Callable[[str], None] = False,
) -> Comparison:
    """Run each regime on the same scenario and the same day of visits.

    Parameters
    ----------
    scenario
        The municipality.
    regimes
        Regime objects (default :func:`default_regimes`). Names must be distinct.
    routing
        ``"solver"`` (VRPTW per provider and shift) or ``"approx"`` (the calibrated
        continuous approximation, milliseconds).
    seed
        Seed of the assignment's draws, the day of visits and the solver.
    cost
        :class:`CostParams`.
    travel, visit_params, shifts
        Passed to the routing (defaults: :class:`~hemopt.routing.day.MixedTravel`,
        :class:`~hemopt.routing.visits.VisitParams`, :class:`~hemopt.routing.day.ShiftParams`).
    backend
        VRPTW backend for ``routing="solver"``.
    max_iterations, time_limit_s
        Solver effort per (provider, shift). The default, 1000 iterations and no time limit,
        gives the same routes on every machine; a time limit makes runs faster but the result
        depends on the machine's speed.
    progress
        True to print progress to stderr, or a callable taking a message.

    Returns
    -------
    Comparison

    Examples
    --------
    The default regimes (LOV, LOU with a 20 % external share, zoning) on a small municipality,
    with a low solver effort to keep it fast:

    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, seed=1, max_iterations=50)
    >>> list(comp.table.index)
    ['LOV', 'LOU', 'Zoning']
    >>> t = comp.table
    >>> bool((t["driven_km_per_day"] > 0).all()), int(t["dropped_visits"].sum())
    (True, 0)
    >>> bool(t.loc["LOU", "external_share_hours"] <= 0.2)
    True

    Same arguments, same table:

    >>> again = hemopt.compare(sc, seed=1, max_iterations=50)
    >>> again.table.equals(comp.table)
    True
    """
    t_start = time.perf_counter()
    if routing not in ("solver", "approx"):
        raise InputError(f"routing must be 'solver' or 'approx', got {routing!r}")
    cost = cost or CostParams()
    travel = travel or MixedTravel()
    visit_params = visit_params or VisitParams()
    shifts = shifts or ShiftParams()
    regimes = list(regimes) if regimes is not None else default_regimes(scenario)
    if not regimes:
        raise InputError("regimes: give at least one regime")
    names = [r.name for r in regimes]
    if len(set(names)) != len(names):
        raise InputError(f"regimes: names must be distinct, got {names}; set .name on each")
    say = sayer(progress)

    # one day of visits for everyone: drawn per client, independent of the provider
    base_visits = day_of_visits(scenario, ["_"] * scenario.n_clients, seed=seed,
                                params=visit_params)
    rows, assignments, routings = [], {}, {}
    for k, regime in enumerate(regimes, start=1):
        say(f"[{k}/{len(regimes)}] {regime.name}: assigning ...")
        a = assign(scenario, regime, seed=seed)
        say(f"[{k}/{len(regimes)}] {regime.name}: routing ({routing}) ...")
        if routing == "solver":
            d = route_day(scenario, a, seed=seed, visits=base_visits, travel=travel,
                          backend=backend, time_limit_s=time_limit_s,
                          max_iterations=max_iterations, params=visit_params, shifts=shifts,
                          progress=say if progress else None)
        else:
            from hemopt.routing.approx import approximate_day

            d = approximate_day(scenario, a, seed=seed, visits=base_visits, travel=travel,
                                params=visit_params, shifts=shifts)
        assignments[regime.name] = a
        routings[regime.name] = d
        rows.append(_kpis(regime.name, a, d, cost))
        t = d.totals()
        say(f"[{k}/{len(regimes)}] {regime.name}: {t['driven_km_per_day']:.0f} km/day, "
            f"{t['staff_hours_per_day']:.0f} staff h/day")
    table = pd.DataFrame(rows).set_index("regime")
    params = {
        "routing": routing,
        "backend": backend if routing == "solver" else "approx",
        "max_iterations": max_iterations,
        "time_limit_s": time_limit_s,
        "cost": asdict(cost),
        "travel": {"model": type(travel).__name__, **_dataclass_dict(travel)},
        "visits": asdict(visit_params),
        "shifts": asdict(shifts),
        "regimes": {r.name: r.params() for r in regimes},
    }
    return Comparison(scenario=scenario, table=table, assignments=assignments,
                      routings=routings, regimes={r.name: r for r in regimes},
                      parameters=_jsonable(params), seed=seed,
                      runtime_s=time.perf_counter() - t_start)


def _dataclass_dict(obj: Any) -> dict[str, Any]:
    try:
        return asdict(obj)
    except TypeError:
        return {}


def _kpis(name: str, a: Assignment, d: DayRouting, cost: CostParams) -> dict[str, Any]:
    t = d.totals()
    s = a.summary()
    per_stair, multi_pct = _stairwell_kpis(a)
    per_shift = []
    for res in d.results.values():
        per_shift.extend(res.route_duration)
    per_shift_arr = np.asarray(per_shift, dtype=float)
    if per_shift_arr.size > 1 and per_shift_arr.mean() > 0:
        cv = float(per_shift_arr.std() / per_shift_arr.mean())
    else:
        cv = float("nan")
    km = t["driven_km_per_day"]
    staff_h = t["staff_hours_per_day"]
    return {
        "regime": name,
        "driven_km_per_day": km,
        "drive_hours_per_day": t["drive_hours_per_day"],
        "driving_share": t["driving_share"],
        "staff_hours_per_day": staff_h,
        "cost_sek_per_year": (staff_h * cost.staff_sek_per_hour + km * cost.sek_per_km)
        * cost.days_per_year,
        "co2_tonnes_per_year": km * cost.co2_kg_per_km * cost.days_per_year / 1000.0,
        "first_choice_pct": s["first_choice_pct"],
        "queue": s["queue"],
        "providers_per_stairwell": per_stair,
        "stairwells_multi_provider_pct": multi_pct,
        "stops_per_visit": t["stops_per_visit"],
        "workload_cv": cv,
        "staff_shifts_per_day": t["staff_shifts"],
        "dropped_visits": t["dropped_visits"],
        "external_share_hours": s["external_share_hours"],
        "visits_per_day": t["visits"],
        "stops_per_day": t["stops"],
    }
