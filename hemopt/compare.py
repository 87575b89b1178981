"""Compare the regimes side by side on one municipality, one set of clients, one day of visits.

:func:`compare` assigns the clients under each regime, routes the same day of visits for each
assignment (the VRPTW solver, or the continuous approximation for speed) and returns a
:class:`Comparison`: one row per regime with the KPIs of ``docs/compare.md``, the difference of
each regime to LOV, plots, maps and an HTML/JSON report.
"""

from __future__ import annotations

import functools
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hemopt._progress import auto_progress, sayer
from hemopt._workers import resolve_workers
from hemopt.assignment import Assignment, assign
from hemopt.bases import BaseRule
from hemopt.continuity import PLANNER_WEIGHT, continuity_kpis
from hemopt.day.care import CareParams
from hemopt.day.route import DayRouting, ShiftParams
from hemopt.day.visits import VisitParams
from hemopt.errors import InputError
from hemopt.evaluate import KPI_COLUMNS, CostParams, RoutingSettings, day_for, evaluate
from hemopt.regimes import Regime, baseline_name, registered_regimes
from hemopt.scenario import Scenario
from hemopt.settings import StudySettings
from hemopt.travel import TravelModes

__all__ = [
    "KPI_COLUMNS",
    "SCHEMA",
    "Comparison",
    "CostParams",
    "compare",
    "default_regimes",
    "load_schema",
    "transition",
]

#: Version of the JSON document (:meth:`Comparison.to_dict`).
SCHEMA = "hemopt-comparison/3"


def load_schema() -> dict[str, Any]:
    """The JSON schema of :meth:`Comparison.to_dict` (:data:`SCHEMA`): the file
    ``hemopt/schemas/comparison.schema.json`` with each regime record's KPI properties from
    the KPI registry (:func:`hemopt.kpis.json_schema_properties`)."""
    from importlib.resources import files

    from hemopt.kpis import json_schema_properties

    schema = json.loads(files("hemopt").joinpath("schemas/comparison.schema.json").read_text())
    items = schema["properties"]["regimes"]["items"]
    props, required = json_schema_properties()  # the KPIs, from the registry
    items["properties"] = {**items["properties"], **props}
    items["required"] = [*items["required"], *required]
    return schema

def default_regimes(scenario: Scenario, *, seed: int = 0,
                    regime_options: Mapping[str, Mapping[str, Any]] | None = None,
                    **params: Any) -> list[Regime]:
    """The registered regimes that run by default (:mod:`hemopt.regimes.registry`), in the
    order of registration, each made by its class's ``for_scenario``: LOV; LOU (only when the
    scenario has zones and external providers); Zoning on the scenario's zones, or on three
    designed zones when it has none.

    ``params`` are regime keywords by name (``external_share=0.3`` for LOU,
    ``n_zones=4`` and ``procured_share=0.5`` for zoning: any keyword a registered regime
    declares in its ``parameters``), each passed to the regimes that declare it.
    ``regime_options`` gives more keywords per regime name, e.g.
    ``{"LOU": {"guarantee": "none"}}`` (:func:`hemopt.sensitivity.apply_values` makes them).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> [r.label() for r in hemopt.default_regimes(sc, external_share=0.3)]
    ['LOV', 'LOU 30 %', 'Zoning']
    """
    classes = [c for c in registered_regimes().values() if c.in_default]
    opts = {k: dict(v) for k, v in (regime_options or {}).items()}
    names = [c.name for c in registered_regimes().values()]
    unknown = sorted(set(opts) - set(names))
    if unknown:
        raise InputError(f"regime_options: unknown regime {unknown[0]!r}; give "
                         f"{', '.join(names[:-1])} or {names[-1]}")
    declared = {p.name for c in registered_regimes().values() for p in c.parameters}
    bad = sorted(set(params) - declared)
    if bad:
        raise InputError(f"default_regimes: unknown keyword {bad[0]!r}; the regimes declare "
                         f"{sorted(declared)}")
    regimes: list[Regime] = []
    for cls in classes:
        if cls.unavailable(scenario) is not None:
            continue
        own = {p.name: params[p.name] for p in cls.parameters if p.name in params}
        more = opts.get(cls.name, {})
        if set(own) & set(more):
            raise InputError(f"default_regimes: {sorted(set(own) & set(more))} given both as "
                             f"keywords and in regime_options[{cls.name!r}]; give each once")
        regimes.append(cls.for_scenario(scenario, seed=seed, **own, **more))
    return regimes


def transition(a: Assignment) -> dict[str, Any]:
    """What changes for clients and providers when the municipality moves from today's
    providers (the scenario's ``current_provider``) to assignment ``a``.

    Returns ``clients_changing_provider_pct``, ``hours_changing_provider_pct`` (of clients
    with a current provider; NaN, undefined, when no client has one), ``providers_leaving``
    (ids of providers with clients today and none after), ``largest_provider`` with its
    clients before and after, and
    ``care_hours_moving_per_week`` (care hours that change employer; staff hours follow them).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> t = hemopt.transition(hemopt.assign(sc, hemopt.Zoning()))
    >>> 0 <= t["clients_changing_provider_pct"] <= 100
    True
    """
    sc = a.scenario
    cur = sc.clients["current_provider"].fillna("").astype(str).to_numpy()
    new = a.client_providers().astype(str)
    h = sc.clients["hours_per_week"].to_numpy(dtype=float)
    has = cur != ""
    moves = has & (cur != new)
    before = pd.Series(cur[has]).value_counts()
    after = pd.Series(new[new != ""]).value_counts()
    leaving = sorted(p for p in before.index if after.get(p, 0) == 0)
    big = str(after.idxmax()) if len(after) else ""
    return {
        # undefined (NaN), not 0 %, when no client has a provider today (or their hours are 0)
        "clients_changing_provider_pct": (100.0 * float(moves.sum() / has.sum())
                                          if has.any() else math.nan),
        "hours_changing_provider_pct": (100.0 * float(h[moves].sum() / h[has].sum())
                                        if h[has].sum() > 0 else math.nan),
        "providers_leaving": leaving,
        "providers_leaving_count": len(leaving),
        "largest_provider": big,
        "largest_provider_clients_before": int(before.get(big, 0)),
        "largest_provider_clients_after": int(after.get(big, 0)),
        "care_hours_moving_per_week": float(h[moves].sum()),
    }


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
        The routed day (:class:`~hemopt.day.route.DayRouting`) of each regime, by name.
    provider_tables
        Per regime, one row per provider: care and paid hours, km, bases, cost per year and
        per care hour (:func:`hemopt.evaluate.provider_costs`).
    transitions
        Per regime, :func:`transition` from today's providers.
    conservation
        Per regime: clients, visits and care minutes in, served, queued, dropped (checked).
    regimes
        The regime objects, by name.
    parameters
        Every parameter of the run (routing, costs, travel, visits, shifts, regimes).
    seed
        The seed of the assignment's draws, the day of visits and the solver.
    runtime_s
        Wall-clock time of :func:`compare`.
    continuity_runtime_s
        The part of it spent on the 14 days of continuity (0 without).

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
    'hemopt-comparison/3'
    """

    scenario: Scenario
    table: pd.DataFrame
    assignments: dict[str, Assignment]
    routings: dict[str, DayRouting]
    regimes: dict[str, Regime]
    parameters: dict[str, Any]
    seed: int
    runtime_s: float = field(default=0.0)
    provider_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    transitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    conservation: dict[str, dict[str, Any]] = field(default_factory=dict)
    continuity_runtime_s: float = field(default=0.0)

    # ---------------------------------------------------------------- tables
    @property
    def baseline(self) -> str:
        """The regime the others are compared with: the registered baseline (LOV) when it
        was run, else the first regime (:func:`hemopt.regimes.baseline_name`)."""
        return str(baseline_name(list(self.table.index)))

    def diff(self, reference: str | None = None) -> pd.DataFrame:
        """Difference of each regime to ``reference`` (default: :attr:`baseline`): ``<kpi>``
        absolute and ``<kpi>_pct`` relative (per cent of the reference value)."""
        reference = self.baseline if reference is None else reference
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
            # the difference to the baseline (the key keeps its schema name)
            rec["vs_lov"] = ({k: _jsonable(v) for k, v in self.diff().loc[name].items()}
                             if baseline_name() in self.table.index else None)
            rec.update(_jsonable(self.transitions.get(name, {})))
            rec["conservation"] = _jsonable(self.conservation.get(name, {}))
            pt = self.provider_tables.get(name)
            rec["providers"] = (_jsonable(pt.to_dict(orient="records"))
                                if pt is not None else [])
            rec["procurement"] = _procurement_json(self.assignments.get(name))
            regimes.append(rec)
        summary = self.scenario.summary()
        summary.pop("providers", None)
        return {
            "schema": SCHEMA,
            "scenario": _jsonable({**summary, "meta": self.scenario.meta}),
            "parameters": _jsonable({**self.parameters, "seed": self.seed}),
            "regimes": regimes,
        }

    def to_json(self, path: str | Path) -> Path:
        from hemopt._io import atomic_write_text

        return atomic_write_text(Path(path),  # whole or not at all
                                 json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n")

    def bids(self) -> pd.DataFrame:
        """The procurement's bids and evaluation of every regime that procures (zoning's
        lots, :func:`hemopt.procurement.evaluate_bids`): one row per lot and bidder, with the
        regime first; empty (with the columns) when no regime procures."""
        from hemopt.procurement import BID_COLUMNS

        frames = [b.assign(regime=name) for name, b in
                  ((n, procurement_of(a)[0]) for n, a in self.assignments.items())
                  if b is not None]
        cols = ["regime", *BID_COLUMNS]
        if not frames:
            return pd.DataFrame(columns=cols)
        return pd.concat(frames, ignore_index=True)[cols]

    def __repr__(self) -> str:
        cols = ["driven_km_per_day", "staff_hours_per_day", "cost_sek_per_year",
                "first_choice_pct", "providers_per_stairwell"]
        return f"Comparison of {list(self.table.index)}\n{self.table[cols].round(2)}"


def procurement_of(a: Assignment | None
                   ) -> tuple[pd.DataFrame | None, dict[str, list[str]] | None]:
    """The bids table and the lots (``{lot: [zone ids]}``) of assignment ``a``'s
    procurement, or ``(None, None)`` when its regime procures nothing."""
    layout = getattr(getattr(a, "problem", None), "layout", None)
    bids = getattr(layout, "bids", None)
    if bids is None:
        return None, None
    lots = getattr(layout, "lots", None) or {}
    return bids, {str(k): [str(z) for z in v] for k, v in lots.items()}


def _procurement_json(a: Assignment | None) -> dict[str, Any] | None:
    """``{"lots": {lot: [zone ids]}, "bids": [one record per lot and bidder]}``, or None
    when the regime procures nothing."""
    bids, lots = procurement_of(a)
    if bids is None:
        return None
    return {"lots": lots, "bids": _jsonable(bids.to_dict(orient="records"))}


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


#: Largest scenario (clients) for which ``compare`` measures continuity of care by default.
CONTINUITY_AUTO_MAX_CLIENTS = 5_000

#: The keywords of :func:`compare` that a :class:`~hemopt.StudySettings` gives.
SETTING_KEYWORDS = ("routing", "routing_backend", "max_iterations", "time_limit_s", "workers",
                    "care", "cost", "travel", "visit_params", "shifts", "base_rule",
                    "continuity", "continuity_routing")


def takes_settings(f: Callable[..., Any]) -> Callable[..., Any]:
    """Let ``f`` take ``settings=`` (a :class:`~hemopt.StudySettings`) in place of the
    separate keywords of :data:`SETTING_KEYWORDS`: the settings' values are passed as those
    keywords. Giving both is an error naming the keywords (one source of truth per run);
    change a setting with ``settings.replace(...)``."""
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        settings = kwargs.get("settings")
        if settings is None:
            return f(*args, **kwargs)
        if not isinstance(settings, StudySettings):
            raise InputError(f"settings: expected hemopt.StudySettings, got "
                             f"{type(settings).__name__}")
        given = [k for k in kwargs if k in (*SETTING_KEYWORDS, "backend")]  # keyword-only
        if given:
            raise InputError(f"{f.__name__}: give either settings= or the keywords {given}, "
                             "not both; change a setting with settings.replace(...)")
        return f(*args, **{**kwargs, **settings.keywords()})

    return wrapper


def renamed_keyword(func: str, old: str, new: str, value: Any, new_value: Any,
                    new_default: Any) -> Any:
    """The value of keyword ``old`` of ``func``, renamed ``new``: a DeprecationWarning naming
    the new name, and an :class:`~hemopt.errors.InputError` when both are given."""
    import warnings

    if new_value != new_default:
        raise InputError(f"{func}: {old}= and {new}= both given; {old} is the old name of "
                         f"{new}, give {new} only")
    warnings.warn(f"{func}({old}=...) is deprecated and will be removed in the next release; "
                  f"use {new}=...", DeprecationWarning, stacklevel=4)
    return value


@takes_settings
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
    routing_backend: str = "pyvrp",
    max_iterations: int | None = 1000,
    time_limit_s: float | None = None,
    progress: bool | Callable[[str], None] | None = None,
    base_rule: BaseRule | None = None,
    continuity: bool | None = None,
    continuity_routing: RoutingSettings | None = None,
    workers: int | None = None,
    care: CareParams | None = None,
    settings: StudySettings | None = None,
    backend: str | None = None,
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
        Passed to the routing (defaults: :class:`~hemopt.travel.TravelModes`,
        :class:`~hemopt.day.visits.VisitParams`, :class:`~hemopt.day.route.ShiftParams`).
    routing_backend
        VRPTW backend for ``routing="solver"`` (:func:`hemopt.routing.available_backends`).
    max_iterations, time_limit_s
        Solver effort per (provider, shift). The default, 1000 iterations and no time limit,
        gives the same routes on every machine; a time limit makes runs faster but the result
        depends on the machine's speed.
    progress
        True to print progress to stderr, or a callable taking a message; None (the
        default): on in a notebook or when stderr is a terminal.
    base_rule
        Where shifts start (:class:`hemopt.bases.BaseRule`), one rule for every regime.
    continuity
        Also measure continuity of care over 14 days for every regime: the week's visits
        with the scenario's weekly patterns, routed, handed to rostered staff
        (:func:`hemopt.continuity.continuity_kpis`): distinct staff per client, the contact
        person's share of visits, the temp share, staff per provider. ``None`` (default):
        on for scenarios of at most :data:`CONTINUITY_AUTO_MAX_CLIENTS` clients, off above
        (the staff assignment grows faster than linearly; at 4,375 clients it takes about
        30 s per regime, at 15,000 many minutes and 3 GB), with a message; ``True`` or
        ``False`` forces it.
    continuity_routing
        How the 14 days are routed (default ``RoutingSettings(method="approx")``: the
        approximation's route counts cut into sweep routes, about 4 s per regime at the
        presets' full scale on a lightly loaded core; ``RoutingSettings(max_iterations=30)``
        routes them with the solver, two to three times slower, with 1.5–4 more faces per
        client and larger differences between regimes, see ``docs/continuity.md``).
    workers
        Processes routing each day's instances side by side (default: every core). The
        table does not depend on it. With ``routing="approx"`` (nothing to route side by
        side) it is refused, as ``time_limit_s`` is: an :class:`~hemopt.errors.InputError`.
    care
        Double staffing, skills and breaks in the day's routes
        (:class:`~hemopt.day.CareParams`; default on with the solver;
        ``CareParams(enabled=False)`` routes every visit with one staff member and no break,
        as before these were modelled). The approximation does not model them: their
        figures are NaN.
    settings
        A :class:`~hemopt.StudySettings` in place of ``routing``, ``routing_backend``,
        ``max_iterations``, ``time_limit_s``, ``workers``, ``care``, ``cost``, ``travel``,
        ``visit_params``, ``shifts``, ``base_rule``, ``continuity`` and
        ``continuity_routing`` (:data:`SETTING_KEYWORDS`); giving both is an
        :class:`~hemopt.errors.InputError`. Either way the settings of the run are recorded
        whole in ``parameters["settings"]`` (and ``comparison.json``):
        ``StudySettings.from_dict(comp.parameters["settings"])`` rebuilds them.

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
    if scenario.n_clients == 0:
        raise InputError(f"compare: scenario {scenario.name!r} has no clients; every figure "
                         "would be 0 or undefined")
    if backend is not None:  # the old name, one release
        routing_backend = renamed_keyword("compare", "backend", "routing_backend", backend,
                                          routing_backend, "pyvrp")
    if routing != "solver" and (workers is not None or time_limit_s is not None):
        given = "workers" if workers is not None else "time_limit_s"
        raise InputError(f"compare: {given}={workers if workers is not None else time_limit_s!r}"
                         f" applies to routing='solver' (the day's VRPTW instances); with "
                         f"routing={routing!r} it would be ignored: drop it")
    if settings is None:
        study = StudySettings.from_keywords(
            routing=routing, routing_backend=routing_backend, max_iterations=max_iterations,
            time_limit_s=time_limit_s, workers=workers, care=care, cost=cost, travel=travel,
            visit_params=visit_params, shifts=shifts, base_rule=base_rule,
            continuity=continuity, continuity_routing=continuity_routing)
    else:
        study = settings
    settings_doc = _settings_doc(study)
    day_routing = RoutingSettings(method=routing, backend=routing_backend,
                                  max_iterations=max_iterations,
                                  time_limit_s=time_limit_s, workers=workers, care=care)
    cost = cost or CostParams()
    travel = travel or TravelModes()
    visit_params = visit_params or VisitParams()
    shifts = shifts or ShiftParams()
    base_rule = base_rule or BaseRule()
    regimes = list(regimes) if regimes is not None else default_regimes(scenario)
    if not regimes:
        raise InputError("regimes: give at least one regime")
    names = [r.name for r in regimes]
    if len(set(names)) != len(names):
        raise InputError(f"regimes: names must be distinct, got {names}; set .name on each")
    if progress is None:  # on in a notebook or on a terminal (hemopt._progress)
        progress = auto_progress()
    say = sayer(progress)
    c_settings = continuity_routing or RoutingSettings(method="approx")
    c_runtime = 0.0
    if continuity is None:
        continuity = scenario.n_clients <= CONTINUITY_AUTO_MAX_CLIENTS
        if not continuity:
            say(f"continuity of care skipped: {scenario.n_clients:,} clients > "
                f"{CONTINUITY_AUTO_MAX_CLIENTS:,} (continuity=True / --continuity forces it)")

    rows, assignments, routings, ptables, trans, cons = [], {}, {}, {}, {}, {}
    visits = None
    for k, regime in enumerate(regimes, start=1):
        say(f"[{k}/{len(regimes)}] {regime.name}: assigning ...")
        costed = getattr(regime, "costed", None)  # a tender prices bids by the study's costs
        if costed is not None:
            car = travel.car if isinstance(travel, TravelModes) else travel  # one model: all
            regime = costed(cost.staff_sek_per_hour, cost.sek_per_km, car)
        a = assign(scenario, regime, seed=seed, base_rule=base_rule)
        if visits is None:  # one day of visits for everyone, independent of the provider
            visits = day_for(a, seed=seed, params=visit_params)
        say(f"[{k}/{len(regimes)}] {regime.name}: routing ({routing}) ...")
        ev = evaluate(a, routing=day_routing, seed=seed, visits=visits, cost=cost, travel=travel,
                      visit_params=visit_params, shifts=shifts,
                      progress=say if progress else None)
        assignments[regime.name] = a
        routings[regime.name] = ev.routing
        ptables[regime.name] = ev.providers
        trans[regime.name] = transition(a)
        kp = dict(ev.kpis)
        cons[regime.name] = kp.pop("conservation")
        if continuity:
            say(f"[{k}/{len(regimes)}] {regime.name}: 14 days of continuity ...")
            ck = continuity_kpis(a, seed=seed, routing=c_settings, visit_params=visit_params,
                                 shifts=shifts, travel=travel)
            c_runtime += ck.pop("continuity_runtime_s")
            kp.update({key: v for key, v in ck.items() if isinstance(v, (int, float))})
        rows.append({"regime": regime.name, **kp})
        say(f"[{k}/{len(regimes)}] {regime.name}: {kp['driven_km_per_day']:.0f} km/day, "
            f"{kp['paid_staff_hours_per_day']:.0f} paid staff h/day")
    table = pd.DataFrame(rows).set_index("regime")
    params = {
        "routing": routing,
        "backend": routing_backend if routing == "solver" else "approx",
        "max_iterations": max_iterations,
        "time_limit_s": time_limit_s,
        "workers": resolve_workers(workers) if routing == "solver" else None,
        "cost": asdict(cost),
        "travel": {"model": type(travel).__name__,
                   **(travel.as_dict() if hasattr(travel, "as_dict") else _dataclass_dict(travel))},
        "visits": asdict(visit_params),
        "shifts": asdict(shifts),
        "care": asdict(day_routing.care or CareParams()),  # double staffing, skills, breaks
        "bases": asdict(base_rule),
        "continuity": ({"days": 14, "weight": PLANNER_WEIGHT, "contact_weight": PLANNER_WEIGHT,
                        "routing": c_settings.method,
                        "max_iterations": (c_settings.max_iterations
                                           if c_settings.method == "solver" else None)}
                       if continuity else False),
        "regimes": {r.name: r.params() for r in regimes},
        "settings": settings_doc,  # whole: StudySettings.from_dict rebuilds the run's settings
    }
    return Comparison(scenario=scenario, table=table, assignments=assignments,
                      routings=routings, regimes={r.name: r for r in regimes},
                      parameters=_jsonable(params), seed=seed,
                      runtime_s=time.perf_counter() - t_start, provider_tables=ptables,
                      transitions=trans, conservation=cons, continuity_runtime_s=c_runtime)


def _settings_doc(study: StudySettings) -> dict[str, Any] | None:
    """``study.to_dict()``, or None when it cannot be written (custom travel models)."""
    try:
        return study.to_dict()
    except InputError:
        return None


def _dataclass_dict(obj: Any) -> dict[str, Any]:
    try:
        return asdict(obj)
    except TypeError:
        return {}
