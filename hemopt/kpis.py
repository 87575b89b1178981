"""The KPI registry: every figure a comparison reports, declared once.

A :class:`KPI` says what a figure means, its unit, how it is labelled and formatted for
people (never in scientific notation), which way is better, whether it is a headline figure,
and, for the figures of one routed day, the function that computes it from the evaluation's
inputs (:class:`KPIInputs`). Everything else is generated from the registry (in the spirit of
PyPSA's ``statistics``):

- the KPI columns of :func:`hemopt.evaluate` and :attr:`hemopt.Comparison.table`
  (:data:`hemopt.KPI_COLUMNS`);
- the KPI properties of the JSON schema (:func:`json_schema_properties`, merged by
  :func:`hemopt.compare.load_schema`);
- the report's rows (:func:`hemopt.viz.format.fmt_value`, the key-figures groups and the table of
  every figure);
- the headline KPIs summarised over seeds (:func:`headline_kpis`);
- the sweep's columns (:func:`sweep_kpis`);
- the rows printed by ``hemopt compare`` (:func:`cli_kpis`).

A new KPI is one :func:`register_kpi` call (see ``tests/test_kpis.py`` for a toy KPI
registered from a test file and seen everywhere).

Examples
--------
>>> from hemopt import kpis
>>> k = kpis.get("driven_km_per_day")
>>> k.label, k.unit, k.direction, k.headline
('Driving', 'km per day', 'lower', True)
>>> k.format(4132.46), kpis.get("cost_sek_per_year").format(123_456_789.0)
('4,132', '123.5')
>>> kpis.get("cost_sek_per_year").format(2.94e7)  # never 2.94e+07
'29.4'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from hemopt.errors import InputError

__all__ = [
    "KPI",
    "KPIInputs",
    "cli_kpis",
    "evaluate_kpis",
    "format_value",
    "get",
    "headline_kpis",
    "json_schema_properties",
    "key_groups",
    "register_kpi",
    "registry",
    "sweep_kpis",
    "unregister_kpi",
]

#: Number formats: ``count`` (integer; one decimal when not whole), ``int`` (rounded,
#: thousands separators), ``1f``/``2f``/``3f`` (decimals), ``pct`` (a value already in per
#: cent), ``share`` (a fraction shown in per cent), ``msek`` (SEK shown in millions).
FORMATS = ("count", "int", "1f", "2f", "3f", "pct", "share", "msek")

#: Where a KPI is computed: ``evaluate`` (from one routed day, by its ``compute``),
#: ``transition`` (:func:`hemopt.compare.transition`), ``continuity``
#: (:func:`hemopt.continuity.continuity_kpis`).
SOURCES = ("evaluate", "transition", "continuity")

_NA = "–"


def format_value(kind: str, v: Any, *, sign: bool = False) -> str:
    """``v`` in the number format ``kind`` (:data:`FORMATS`), ``–`` when missing.

    Examples
    --------
    >>> format_value("int", 4132.46), format_value("msek", 29_400_000)
    ('4,132', '29.4')
    >>> format_value("share", 0.5812), format_value("count", 2.5), format_value("count", None)
    ('58.1', '2.5', '–')
    >>> format_value("int", -3, sign=True)
    '-3'
    """
    try:
        x = float(v)
    except (TypeError, ValueError):
        return _NA
    if not math.isfinite(x):
        return _NA
    s = "+" if sign else ""
    if kind == "count":
        return f"{x:{s},.0f}" if x.is_integer() else f"{x:{s},.1f}"
    if kind == "int":
        return f"{x:{s},.0f}"
    if kind in ("1f", "pct"):
        return f"{x:{s},.1f}"
    if kind == "2f":
        return f"{x:{s},.2f}"
    if kind == "3f":
        return f"{x:{s},.3f}"
    if kind == "share":
        return f"{100 * x:{s},.1f}"
    if kind == "msek":
        return f"{x / 1e6:{s},.1f}"
    raise ValueError(f"unknown format kind {kind!r}")


@dataclass(frozen=True)
class KPIInputs:
    """What a KPI of one routed day is computed from (:func:`hemopt.evaluate`).

    Attributes
    ----------
    assignment
        The :class:`~hemopt.assignment.Assignment`.
    routing
        Its routed day (:class:`~hemopt.day.route.DayRouting`).
    cost
        The :class:`~hemopt.costs.CostParams`.
    providers
        :func:`hemopt.evaluate.provider_costs` (one row per provider).
    visits
        The day's visits given to the routing.
    conservation
        Clients, visits and care minutes in, served and dropped
        (``Evaluation.kpis["conservation"]``).
    """

    assignment: Any
    routing: Any
    cost: Any
    providers: pd.DataFrame
    visits: pd.DataFrame
    conservation: Mapping[str, Any]

    @cached_property
    def totals(self) -> dict[str, float]:
        """``routing.totals()``."""
        return self.routing.totals()

    @cached_property
    def summary(self) -> dict[str, Any]:
        """``assignment.summary()``."""
        return self.assignment.summary()

    @property
    def ordered_hours_per_week(self) -> float:
        """Care hours per week the clients are granted."""
        return float(self.assignment.clients["hours_per_week"].sum())

    @property
    def dropped_care_share(self) -> float:
        """Share of the day's care minutes that no shift served (NaN without care)."""
        c = self.conservation
        return (float(c["care_minutes_dropped"]) / float(c["care_minutes_in"])
                if float(c["care_minutes_in"]) > 0 else math.nan)

    @property
    def delivered_hours_per_week(self) -> float:
        """Granted care hours per week less the dropped share of the day's care."""
        d = self.dropped_care_share
        return self.ordered_hours_per_week * (1.0 - d if math.isfinite(d) else 1.0)


@dataclass(frozen=True)
class KPI:
    """One reported figure.

    Parameters
    ----------
    key
        Column name in tables and JSON (``snake_case`` with its unit: ``_per_day``, ``_pct``).
    meaning
        One sentence: what it measures, with its unit.
    label, unit
        Short name and unit in words, for table rows (``label (unit)``).
    fmt
        Number format for people (:data:`FORMATS`).
    direction
        ``"lower"`` or ``"higher"`` is better, or ``None`` (neither: a description).
    headline
        Summarised over seeds with paired differences to LOV (:func:`headline_kpis`).
    compute
        ``compute(inputs: KPIInputs) -> float`` for ``source="evaluate"``; NaN when the
        figure is not modelled (never a false 0).
    source
        Where it is computed (:data:`SOURCES`); only ``evaluate`` KPIs have ``compute``.
    group
        Group of the report's key-figures table, or ``None`` (only in the table of every
        figure).
    sweep, cli
        A column of :func:`hemopt.sweep.sweep`; a row printed by ``hemopt compare``.
    absolute_change
        Changes shown as such, never in per cent (counts whose reference is often 0).
    schema
        JSON-schema fragment of the value (default: a number or null).
    required
        Required in every regime record of ``comparison.json``.
    label_sv
        The label in Swedish (for the Swedish report).

    Examples
    --------
    >>> from hemopt.kpis import KPI
    >>> k = KPI("visits_per_staff_hour", "visits per staff hour on routes",
    ...         "Visits per staff hour", "visits per hour", "2f", "higher",
    ...         compute=lambda x: x.totals["visits_in"] / x.totals["staff_hours_per_day"])
    >>> k.title(), k.format(3.14159)
    ('Visits per staff hour (visits per hour)', '3.14')
    """

    key: str
    meaning: str
    label: str
    unit: str
    fmt: str
    direction: str | None = None
    headline: bool = False
    compute: Callable[[KPIInputs], Any] | None = None
    source: str = "evaluate"
    group: str | None = None
    sweep: bool = False
    cli: bool = False
    absolute_change: bool = False
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": ["number", "null"]})
    required: bool = False
    label_sv: str = ""

    def __post_init__(self) -> None:
        if not (isinstance(self.key, str) and self.key.isidentifier()):
            raise InputError(f"KPI.key must be a snake_case name, got {self.key!r}")
        if self.fmt not in FORMATS:
            raise InputError(f"KPI {self.key!r}: fmt must be one of {FORMATS}, got {self.fmt!r}")
        if self.direction not in ("lower", "higher", None):
            raise InputError(f"KPI {self.key!r}: direction must be 'lower', 'higher' or None, "
                             f"got {self.direction!r}")
        if self.source not in SOURCES:
            raise InputError(f"KPI {self.key!r}: source must be one of {SOURCES}, got "
                             f"{self.source!r}")
        if (self.source == "evaluate") != (self.compute is not None):
            raise InputError(f"KPI {self.key!r}: a KPI of source 'evaluate' needs compute=, "
                             "and only those")

    def title(self) -> str:
        """``label (unit)``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def is_share(self) -> bool:
        """A percentage: changes are in percentage points."""
        return self.fmt in ("pct", "share")

    def format(self, v: Any, *, sign: bool = False) -> str:
        """``v`` for people (:func:`format_value`)."""
        return format_value(self.fmt, v, sign=sign)


_REGISTRY: dict[str, KPI] = {}


def register_kpi(kpi: KPI, *, replace: bool = False) -> KPI:
    """Add ``kpi`` to the registry (at the end); :func:`unregister_kpi` removes it.

    Raises
    ------
    InputError
        When a KPI of that key is registered and ``replace`` is false.

    Examples
    --------
    >>> import hemopt
    >>> k = hemopt.register_kpi(hemopt.KPI(
    ...     "visits_per_staff_hour", "visits per staff hour on routes",
    ...     "Visits per staff hour", "visits per hour", "2f", "higher", cli=True,
    ...     compute=lambda x: x.totals["visits_in"] / x.totals["staff_hours_per_day"]))
    >>> "visits_per_staff_hour" in hemopt.KPI_COLUMNS
    True
    >>> hemopt.unregister_kpi("visits_per_staff_hour").label
    'Visits per staff hour'
    >>> "visits_per_staff_hour" in hemopt.KPI_COLUMNS
    False
    """
    if not isinstance(kpi, KPI):
        raise InputError(f"register_kpi: expected a KPI, got {type(kpi).__name__}")
    if kpi.key in _REGISTRY and not replace:
        raise InputError(f"register_kpi: a KPI {kpi.key!r} is registered already "
                         "(replace=True to replace it)")
    _REGISTRY[kpi.key] = kpi
    return kpi


def unregister_kpi(key: str) -> KPI:
    """Remove the KPI ``key`` and return it.

    Examples
    --------
    >>> import hemopt
    >>> hemopt.unregister_kpi("no_such_kpi")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: unregister_kpi: no KPI 'no_such_kpi'
    """
    if key not in _REGISTRY:
        raise InputError(f"unregister_kpi: no KPI {key!r}")
    return _REGISTRY.pop(key)


def get(key: str) -> KPI:
    """The KPI ``key``.

    Raises
    ------
    InputError
        Naming the key, for an unknown one.
    """
    try:
        return _REGISTRY[key]
    except KeyError:
        raise InputError(f"unknown KPI {key!r}") from None


def registry(source: str | None = None) -> dict[str, KPI]:
    """The registered KPIs in order (of ``source`` only, when given)."""
    return {k: v for k, v in _REGISTRY.items() if source is None or v.source == source}


def evaluate_kpis() -> dict[str, KPI]:
    """The KPIs :func:`hemopt.evaluate` computes."""
    return registry("evaluate")


def headline_kpis() -> tuple[str, ...]:
    """Keys of the headline KPIs (summarised over seeds)."""
    return tuple(k for k, v in _REGISTRY.items() if v.headline)


def sweep_kpis() -> list[str]:
    """Keys of the sweep's KPI columns."""
    return [k for k, v in _REGISTRY.items() if v.sweep]


def cli_kpis() -> list[KPI]:
    """The KPIs printed by ``hemopt compare``, in order."""
    return [v for v in _REGISTRY.values() if v.cli]


def key_groups() -> list[tuple[str, list[str]]]:
    """The report's key-figures groups in order of first appearance, with their KPIs."""
    out: dict[str, list[str]] = {}
    for k, v in _REGISTRY.items():
        if v.group:
            out.setdefault(v.group, []).append(k)
    return list(out.items())


def json_schema_properties() -> tuple[dict[str, Any], list[str]]:
    """The JSON-schema properties of the KPIs in a regime record of ``comparison.json``,
    and the required keys."""
    props = {k: {**dict(v.schema), "description": v.meaning} for k, v in _REGISTRY.items()}
    return props, [k for k, v in _REGISTRY.items() if v.required]


class KPIColumns(Mapping[str, str]):
    """A read-only view of the registry: key → meaning of the KPIs of ``source``, in order
    (what :data:`hemopt.KPI_COLUMNS` is)."""

    def __init__(self, source: str = "evaluate") -> None:
        self._source = source

    def _d(self) -> dict[str, KPI]:
        return registry(self._source)

    def __getitem__(self, key: str) -> str:
        return self._d()[key].meaning

    def __iter__(self) -> Iterator[str]:
        return iter(self._d())

    def __len__(self) -> int:
        return len(self._d())

    def __repr__(self) -> str:
        return f"KPIColumns({dict(self)!r})"


# ------------------------------------------------------------------ the KPIs of one day
def _stairwell_kpis(x: KPIInputs) -> tuple[float, float]:
    """Mean providers per stairwell with served clients, and the % of stairwells with 2+
    served clients that have 2+ providers; each NaN (undefined, not 0) when its set of
    stairwells is empty: no client served, no stairwell shared by two clients."""
    cl = x.assignment.clients
    cl = cl[cl["provider_id"] != ""]
    if cl.empty:
        return math.nan, math.nan
    per = cl.groupby("stairwell_id")["provider_id"].nunique()
    multi = per[cl.groupby("stairwell_id").size() >= 2]
    return float(per.mean()), (100.0 * float((multi >= 2).mean()) if len(multi) else math.nan)


def _workload_cv(x: KPIInputs) -> float:
    per_shift: list[float] = []
    for res in x.routing.results.values():
        per_shift.extend(res.route_duration)
    arr = np.asarray(per_shift, dtype=float)
    return float(arr.std() / arr.mean()) if arr.size > 1 and arr.mean() > 0 else math.nan


def _paid_h(x: KPIInputs) -> float:
    return float(x.providers["paid_hours_per_day"].sum())


def _cost(x: KPIInputs) -> float:
    return float(x.providers["cost_sek_per_year"].sum())


def _fixed(x: KPIInputs) -> float:
    return float(x.providers["fixed_sek_per_year"].sum())


def _per_care_hour(x: KPIInputs) -> float:
    h = x.delivered_hours_per_week * x.cost.days_per_year / 7.0
    return _cost(x) / h if h > 0 else math.nan


def _queue_mean(x: KPIInputs, queued: bool) -> float:
    cl = x.assignment.clients
    q = (cl["queue_for"] != "") == queued
    return float(cl.loc[q, "hours_per_week"].mean()) if q.any() else math.nan


def _t(key: str) -> Callable[[KPIInputs], Any]:
    return lambda x: x.totals[key]


def _t_ratio(key: str, denominator: str) -> Callable[[KPIInputs], Any]:
    # a ratio of the day's totals: NaN (undefined) when its denominator is 0, never a false 0
    return lambda x: x.totals[key] if float(x.totals[denominator]) > 0 else math.nan


def _t_nan(key: str) -> Callable[[KPIInputs], Any]:
    # not modelled (the approximation, or care switched off): NaN, never a false 0
    return lambda x: x.totals.get(key, math.nan)


def _s(key: str) -> Callable[[KPIInputs], Any]:
    return lambda x: x.summary.get(key, math.nan)


_NUM0 = {"type": "number", "minimum": 0}
_NUM0N = {"type": ["number", "null"], "minimum": 0}
_INT0 = {"type": "integer", "minimum": 0}
_PCTN = {"type": ["number", "null"], "minimum": 0, "maximum": 100}
_SHAREN = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_COUNTN = {"type": ["number", "null"], "minimum": 0}

_TRAVEL, _COST, _CHOICE, _COORD = ("Travel and staff time", "Cost", "Choice", "Coordination")
_CARE, _CHANGE, _CONT = ("Care delivered", "Change from today's providers",
                         "Staff continuity (14 days)")


def _k(key: str, meaning: str, label: str, unit: str, fmt: str, direction: str | None = None,
       **kw: Any) -> None:
    register_kpi(KPI(key, meaning, label, unit, fmt, direction, **kw))


# the order here is the order of tables and JSON
_k("driven_km_per_day", "km driven by staff per day", "Driving", "km per day", "int", "lower",
   headline=True, compute=_t("driven_km_per_day"), group=_TRAVEL, sweep=True, cli=True,
   schema=_NUM0, required=True, label_sv="Körda km")
_k("drive_hours_per_day", "hours spent driving per day", "Driving time", "hours per day", "1f",
   "lower", compute=_t("drive_hours_per_day"), group=_TRAVEL, sweep=True, schema=_NUM0,
   label_sv="Körtid")
_k("driving_share", "share of route time spent driving", "Share of route time driving", "%",
   "share", "lower", compute=_t_ratio("driving_share", "staff_hours_per_day"), sweep=True,
   cli=True, schema=_SHAREN,
   required=True, label_sv="Andel av arbetstiden i bil")
_k("staff_hours_per_day", "staff hours on routes per day, office to office",
   "Staff hours on routes", "hours per day", "int", "lower", headline=True,
   compute=_t("staff_hours_per_day"), group=_TRAVEL, sweep=True, cli=True, schema=_NUM0,
   required=True, label_sv="Personaltimmar på turer")
_k("paid_staff_hours_per_day", "paid staff hours per day: routes, indirect time, minimum "
   "shift", "Paid staff hours", "hours per day", "int", "lower", headline=True,
   compute=_paid_h, group=_TRAVEL, cli=True, schema=_NUM0, required=True,
   label_sv="Betalda personaltimmar")
_k("care_share_of_paid_time", "share of paid staff time spent in clients' homes",
   "Paid time spent in clients' homes", "%", "share", "higher",
   compute=lambda x: (x.totals.get("service_hours_per_day", 0.0) / _paid_h(x)
                      if _paid_h(x) > 0 else math.nan),
   group=_TRAVEL, schema=_SHAREN, label_sv="Andel av betald tid hos brukaren")
_k("cost_sek_per_year", "variable + fixed cost per year (SEK)", "Cost", "MSEK per year", "msek",
   "lower", headline=True, compute=_cost, group=_COST, sweep=True, cli=True, schema=_NUM0,
   required=True, label_sv="Kostnad")
_k("variable_cost_sek_per_year", "paid staff hours × cost per hour + km × cost per km, per "
   "year (SEK): what grows with the work", "Variable cost", "MSEK per year", "msek", "lower",
   headline=True, compute=lambda x: _cost(x) - _fixed(x), group=_COST, sweep=True, cli=True,
   schema=_NUM0, required=True, label_sv="Rörlig kostnad")
_k("fixed_cost_sek_per_year", "fixed costs per year (SEK): per provider with clients, the "
   "municipality's follow-up per external, per local base (stated assumptions, CostParams)",
   "Fixed cost", "MSEK per year", "msek", "lower", headline=True, compute=_fixed, group=_COST,
   sweep=True, cli=True, schema=_NUM0, required=True, label_sv="Fast kostnad")
_k("cost_per_care_hour_sek", "cost per year / delivered care hours per year (SEK; dropped "
   "care is not delivered)", "Cost per delivered care hour", "SEK", "int", "lower",
   headline=True, compute=_per_care_hour, group=_COST, schema=_NUM0N, required=True,
   label_sv="Kostnad per utförd timme")
_k("co2_tonnes_per_year", "CO2 from driving per year (tonnes)", "CO2 from driving",
   "tonnes per year", "1f", "lower", headline=True,
   compute=lambda x: (x.totals["driven_km_per_day"] * x.cost.co2_kg_per_km
                      * x.cost.days_per_year / 1000.0),
   group=_COST, sweep=True, cli=True, schema=_NUM0, required=True, label_sv="CO2 från bilkörning")
_k("first_choice_pct", "choosing clients served by their first choice (%)", "First choice met",
   "% of choosing clients", "pct", "higher", headline=True, compute=_s("first_choice_pct"),
   group=_CHOICE, sweep=True, cli=True, schema=_PCTN, required=True,
   label_sv="Förstahandsval uppfyllt")
_k("queue", "clients queueing for a better-ranked provider", "Clients queueing for their "
   "choice", "clients", "count", "lower", headline=True, compute=_s("queue"), group=_CHOICE,
   sweep=True, cli=True, absolute_change=True, schema=_INT0, required=True,
   label_sv="Brukare i kö")
_k("queued_hours_mean", "mean weekly care hours of queueing clients", "Care of queueing clients",
   "hours per week, mean", "1f", None, compute=lambda x: _queue_mean(x, True), schema=_NUM0N)
_k("served_hours_mean", "mean weekly care hours of clients not queueing", "Care of other "
   "clients", "hours per week, mean", "1f", None, compute=lambda x: _queue_mean(x, False),
   schema=_NUM0N)
_k("providers_per_stairwell", "mean distinct providers per stairwell with clients",
   "Providers per stairwell", "mean", "2f", "lower", headline=True,
   compute=lambda x: _stairwell_kpis(x)[0], group=_COORD, sweep=True, cli=True, schema=_NUM0N,
   required=True, label_sv="Utförare per trapphus")
_k("stairwells_multi_provider_pct", "stairwells with 2+ clients served by 2+ providers (%)",
   "Shared stairwells with 2+ providers", "% of stairwells with 2+ clients", "pct", "lower",
   headline=True, compute=lambda x: _stairwell_kpis(x)[1], group=_COORD, sweep=True, cli=True,
   schema=_PCTN, required=True, label_sv="Trapphus med flera utförare")
_k("stops_per_visit", "stops driven to per visit (1 = no visit shares a stop)",
   "Stops per visit", "1 = no visit shares a stop", "2f", "lower", headline=True,
   compute=_t_ratio("stops_per_visit", "visits_in"), group=_COORD, sweep=True, cli=True,
   schema=_NUM0N,
   required=True, label_sv="Stopp per besök")
_k("workload_cv", "coefficient of variation of staff minutes per shift",
   "Spread of workload between shifts", "coefficient of variation", "2f", "lower",
   compute=_workload_cv, schema={"type": ["number", "null"]})
_k("staff_shifts_per_day", "staff shifts (routes) per day", "Staff shifts", "per day", "count",
   None, compute=_t("staff_shifts"), cli=True, schema=_INT0)
_k("providers_active", "providers with clients", "Providers with clients", "providers", "count",
   None, compute=lambda x: int((x.assignment.providers["clients"] > 0).sum()),
   absolute_change=True, schema=_INT0, label_sv="Utförare med brukare")
_k("local_bases", "local bases opened by the base rule", "Local bases opened", "bases", "count",
   None, compute=lambda x: int(x.providers["local_bases"].sum()), absolute_change=True,
   schema=_INT0)
_k("dropped_visits", "visits no shift could serve (reported, never silent)",
   "Visits no shift could serve", "per day", "count", "lower", compute=_t("dropped_visits"),
   group=_CARE, sweep=True, cli=True, absolute_change=True, schema=_INT0,
   label_sv="Besök som inte kunde utföras")
_k("dropped_care_share", "share of the day's granted care minutes that no shift served "
   "(excluded from delivered care)", "Care not delivered", "% of the day's care", "share",
   "lower", headline=True, compute=lambda x: x.dropped_care_share, group=_CARE, sweep=True,
   cli=True, schema=_SHAREN, label_sv="Andel ej utförd omsorg")
_k("delivered_care_hours_per_week", "granted care hours per week less the dropped share of "
   "the day's care", "Care delivered", "hours per week", "int", "higher",
   compute=lambda x: x.delivered_hours_per_week, group=_CARE, schema=_NUM0N,
   label_sv="Utförd omsorg")
_k("guarantee_shortfall_hours_per_week", "hours per week the guarantee to externals could not "
   "give (LOU's guaranteed share; NaN when the regime has none)", "Guarantee shortfall",
   "hours per week", "int", "lower", headline=True,
   compute=_s("guarantee_shortfall_hours_per_week"), group=_CHOICE, sweep=True, cli=True,
   schema=_NUM0N, label_sv="Underskott mot garantin")
_k("procurement_shortfall_hours_per_week", "hours per week the procured areas hold below the "
   "procured share (zoning; NaN when the regime has none)", "Procurement shortfall",
   "hours per week", "int", "lower", headline=True,
   compute=_s("procurement_shortfall_hours_per_week"), group=_CHOICE, sweep=True, cli=True,
   schema=_NUM0N, label_sv="Underskott mot upphandlad andel")
_k("double_staffed_visits_served", "double-staffed visits served by two staff at once",
   "Double-staffed visits served", "per day", "count", None,
   compute=_t_nan("double_staffed_visits_served"), schema=_COUNTN)
_k("double_extra_km_per_day", "km driven by the second staff of double-staffed visits",
   "Driving for double staffing", "km per day", "int", "lower",
   compute=_t_nan("double_extra_km_per_day"), schema=_COUNTN)
_k("double_extra_staff_hours_per_day", "staff hours the second staff of double-staffed visits "
   "add", "Staff time for double staffing", "hours per day", "1f", "lower",
   compute=_t_nan("double_extra_staff_hours_per_day"), schema=_COUNTN)
_k("breaks_taken", "breaks placed in their window in routes longer than 5 hours",
   "Breaks placed", "per day", "count", "higher", compute=_t_nan("breaks_taken"),
   schema=_COUNTN)
_k("breaks_not_placed", "routes longer than 5 hours where no break fitted",
   "Long routes without a break", "per day", "count", "lower",
   compute=_t_nan("breaks_not_placed"), schema=_COUNTN)
_k("dropped_not_synchronised", "double-staffed visits dropped: no second staff at the time",
   "Double visits not synchronised", "per day", "count", "lower",
   compute=_t_nan("dropped_not_synchronised"), schema=_COUNTN)
_k("dropped_no_licensed_staff", "visits dropped: no licensed staff had room",
   "Visits without licensed staff", "per day", "count", "lower",
   compute=_t_nan("dropped_no_licensed_staff"), schema=_COUNTN)
_k("external_share_hours", "share of care hours with external providers",
   "Care hours with external providers", "%", "share", None,
   compute=_s("external_share_hours"), group=_CHOICE, sweep=True, schema=_SHAREN,
   label_sv="Andel timmar hos externa utförare")
_k("visits_per_day", "visits in the day", "Visits", "per day", "count", None,
   compute=_t("visits_in"), schema=_INT0)
_k("stops_per_day", "stops in the day", "Stops", "per day", "count", None,
   compute=_t("stops"), schema=_INT0)
_k("care_hours_per_week", "care hours per week granted to the clients", "Care granted",
   "hours per week", "int", None, compute=lambda x: x.ordered_hours_per_week, schema=_NUM0)

# ------------------------------------------------ figures computed elsewhere, shown alike
_k("clients_changing_provider_pct", "clients with a provider today who change provider (%)",
   "Clients changing provider", "%", "pct", "lower", headline=True, source="transition",
   group=_CHANGE, schema=_PCTN, required=True, label_sv="Brukare som byter utförare")
_k("hours_changing_provider_pct", "care hours of clients who change provider (%)",
   "Care hours changing provider", "%", "pct", "lower", source="transition", schema=_PCTN,
   required=True)
_k("care_hours_moving_per_week", "care hours that change employer (staff hours follow them)",
   "Care hours changing employer", "hours per week", "int", "lower", source="transition",
   group=_CHANGE, absolute_change=True, schema=_NUM0)
_k("providers_leaving_count", "providers with clients today and none after",
   "Providers leaving", "providers", "count", "lower", source="transition", group=_CHANGE,
   absolute_change=True, schema=_INT0)
_k("largest_provider_clients_before", "the largest provider's clients today",
   "Largest provider's clients today", "clients", "count", None, source="transition",
   schema=_INT0)
_k("largest_provider_clients_after", "the largest provider's clients after",
   "Largest provider's clients after", "clients", "count", None, source="transition",
   schema=_INT0)

_14 = "Staff met in 14 days"
for _key, _meaning, _label, _unit, _fmt, _extra in (
        ("staff_per_client_14d_median", "distinct staff per client with daily visits over 14 "
         "days, median (absent with compare(continuity=False) or --no-continuity)",
         f"{_14}, clients with daily visits", "median", "1f",
         {"headline": True, "group": _CONT, "cli": True}),
        ("staff_per_client_14d_p90", "distinct staff per client with daily visits, 14 days, "
         "90th percentile", f"{_14}, clients with daily visits", "90th percentile", "1f",
         {"headline": True, "group": _CONT, "cli": True}),
        ("staff_per_client_14d_mean", "distinct staff per client with daily visits, 14 days, "
         "mean", f"{_14}, clients with daily visits", "mean", "1f", {}),
        ("staff_per_client_14d_all_median", "distinct staff per client, all clients, median",
         f"{_14}, all clients", "median", "1f", {}),
        ("staff_per_client_14d_all_p90", "distinct staff per client, all clients, 90th "
         "percentile", f"{_14}, all clients", "90th percentile", "1f", {}),
        ("staff_per_client_14d_all_mean", "distinct staff per client, all clients, mean",
         f"{_14}, all clients", "mean", "1f", {}),
        ("clients_daily", "clients visited every day of the horizon",
         "Clients visited every day", "clients", "count", {}),
        ("contact_person_visit_pct", "visits made by the client's contact person (%)",
         "Visits by the client's contact person", "%", "pct",
         {"headline": True, "group": _CONT, "cli": True, "direction": "higher",
          "schema": _PCTN}),
        ("temp_share", "share of visits made by pool or agency staff",
         "Visits by pool or agency staff", "%", "share",
         {"group": _CONT, "cli": True, "direction": "lower", "schema": _SHAREN}),
        ("staff_per_provider_mean", "regular staff per provider with clients, mean",
         "Regular staff per provider", "mean", "1f", {}),
        ("staff_regular", "regular staff, all providers", "Regular staff", "all providers",
         "count", {}),
        ("workload_spread_pct", "coefficient of variation of route hours per contract hour "
         "over regular staff (%)", "Spread of route hours per contract hour",
         "% coefficient of variation", "pct", {}),
        ("routes", "routes (staff shifts) over the horizon", "Staff routes in 14 days",
         "routes", "count", {}),
        ("staff_per_client_14d_2visits_median", "distinct staff per client with at least two "
         "visits every day (Kolada's definition), median",
         f"{_14}, clients with 2+ visits every day", "median", "1f", {}),
        ("staff_per_client_14d_2visits_mean", "distinct staff per client with at least two "
         "visits every day (Kolada's definition), mean",
         f"{_14}, clients with 2+ visits every day, any age, any hour", "mean", "1f", {}),
        ("clients_2visits", "clients with at least two visits on every day of the horizon",
         "Clients with 2+ visits every day", "clients", "count", {}),
        ("continuity_kolada_mean_staff", "Kolada's staff continuity by its definition: "
         "clients 65+ with two or more visits between 07:00 and 22:00 every day of 14, both "
         "staff of a double visit counted; the mean number of distinct staff",
         "Staff met in 14 days, Kolada's measure", "mean, clients 65+ with 2+ visits a day",
         "1f", {"group": _CONT, "cli": True, "direction": "lower", "schema": _NUM0N}),
        ("continuity_kolada_clients", "clients in Kolada's staff-continuity measure",
         "Clients in Kolada's measure", "clients", "count", {})):
    _kw: dict[str, Any] = dict(_extra)
    _kw.setdefault("direction", "lower" if _key.startswith("staff_per_client") else None)
    _kw.setdefault("schema", _NUM0N)
    _k(_key, _meaning, _label, _unit, _fmt, source="continuity", **_kw)
del _key, _meaning, _label, _unit, _fmt, _extra, _kw
