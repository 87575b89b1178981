"""Declared assumptions: every uncertain modelling choice, once, with its plausible range.

The comparison of LOV, LOU and zoning rests on choices nobody measured for the municipality
at hand: how far the private providers travel, what a provider costs to run, when a team opens
a local base, who never chooses... :data:`REGISTRY` declares each of them once: its name, its
default (the value every other part of hemopt uses), its plausible range or alternatives, the
distribution :func:`hemopt.sensitivity` draws it from, its unit, its source (or
``"assumption"``) and where it is applied:

* ``scenario``: the synthetic municipality (:class:`hemopt.synth.Preset`), redrawn per value;
* ``regimes``: the regime objects (LOU's guarantee, the procurement's quality weight);
* ``settings``: the :class:`hemopt.StudySettings` (costs, visits, bases, travel);
* ``fixed``: a number the code uses as stated (roster rates, the route planner's prices, a
  warning's distance): declared so that nothing the model chooses is hidden, never varied by
  :func:`hemopt.sensitivity` (the headline differences do not depend on it, or no setting
  reaches it yet); tests check the declared default is the code's.

:func:`hemopt.sensitivity.apply_values` turns a dict of values into the preset, settings and
regime options of one model run. This module only declares: it imports nothing of hemopt but
the errors, so that the settings (and everything below the studies) can read it.

The page ``docs/assumptions.md`` is generated from the registry by
``python benchmarks/assumptions_page.py`` (:func:`markdown`); a test fails when the page and
the registry differ.

Examples
--------
>>> from hemopt.assumptions import REGISTRY, by_name
>>> a = by_name("fixed_sek_per_provider")
>>> a.default, a.low, a.high, a.applies
(500000.0, 250000.0, 1000000.0, 'settings')
>>> a.value_at(0.0), a.value_at(1.0)
(250000.0, 1000000.0)
>>> by_name("lov_external_areas").value_at(0.99)
'everywhere'
>>> len(REGISTRY) >= 15
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hemopt.errors import InputError

__all__ = ["REGISTRY", "Assumption", "by_name", "check_overrides", "markdown"]

_APPLIES = ("scenario", "regimes", "settings", "fixed")
_KINDS = ("number", "integer", "choice")


@dataclass(frozen=True)
class Assumption:
    """One uncertain modelling choice (see the module docstring).

    Parameters
    ----------
    name
        Key in :data:`REGISTRY`, in TOML (``[assumptions.<name>]``) and in results.
    about
        What it is, in one sentence.
    where
        The code it sets, e.g. ``CostParams.fixed_sek_per_provider``.
    applies
        ``"scenario"``, ``"regimes"``, ``"settings"`` or ``"fixed"`` (declared, never varied).
    kind
        ``"number"``, ``"integer"`` or ``"choice"``.
    default
        The value used everywhere else (for ``relative`` ones: 1.0, the preset's own value).
    low, high
        The plausible range (numbers and integers).
    alternatives
        The plausible alternatives (choices), the default first.
    distribution
        ``"uniform"`` over [low, high], or over the alternatives.
    unit
        The unit (``"SEK/year"``, ``"share"``, ``"× preset"`` for relative ones).
    source
        Where the default and the range come from, or ``"assumption"``.
    relative
        ``low``/``high``/``default`` multiply the preset's value.
    lov_only
        Applies to presets with free choice (LOV) only (e.g. the number of externals).
    vary
        Explored by :func:`hemopt.sensitivity` (default True).
    """

    name: str
    about: str
    where: str
    applies: str
    kind: str
    default: Any
    low: float | None = None
    high: float | None = None
    alternatives: tuple[str, ...] = ()
    distribution: str = "uniform"
    unit: str = ""
    source: str = "assumption"
    relative: bool = False
    lov_only: bool = False
    vary: bool = True

    def __post_init__(self) -> None:
        if self.applies not in _APPLIES:
            raise InputError(f"assumption {self.name!r}: applies must be one of {_APPLIES}, "
                             f"got {self.applies!r}")
        if self.applies == "fixed" and self.vary:
            raise InputError(f"assumption {self.name!r}: a fixed assumption cannot vary")
        if self.kind not in _KINDS:
            raise InputError(f"assumption {self.name!r}: kind must be one of {_KINDS}, "
                             f"got {self.kind!r}")
        if self.kind == "choice":
            if len(self.alternatives) < 2 or self.default not in self.alternatives:
                raise InputError(f"assumption {self.name!r}: give at least two alternatives, "
                                 f"the default {self.default!r} among them; got "
                                 f"{list(self.alternatives)}")
        else:
            lo, hi = self.low, self.high
            ok = all(isinstance(x, (int, float)) and not isinstance(x, bool)
                     and math.isfinite(x) for x in (lo, hi))
            if not ok or not lo <= self.default <= hi or not lo < hi:  # type: ignore[operator]
                raise InputError(f"assumption {self.name!r}: need low < high with the default "
                                 f"{self.default!r} inside, got low={lo!r}, high={hi!r}")
            if self.kind == "integer" and not all(float(x).is_integer()  # type: ignore[arg-type]
                                                  for x in (lo, hi)):
                raise InputError(f"assumption {self.name!r}: an integer range needs whole "
                                 f"bounds, got {lo!r}, {hi!r}")

    @property
    def bounds(self) -> tuple[float, float]:
        """The factor's bounds for the sampling: ``(low, high)``, or ``(0, n)`` over the
        ``n`` alternatives of a choice."""
        if self.kind == "choice":
            return (0.0, float(len(self.alternatives)))
        return (float(self.low), float(self.high))  # type: ignore[arg-type]

    def value_at(self, u: float) -> Any:
        """The value at the unit-interval position ``u`` (0 = low or the first alternative,
        1 = high or the last): linear for numbers, rounded for integers, in equal slices for
        choices."""
        if not 0.0 <= u <= 1.0:
            raise InputError(f"assumption {self.name!r}: position must be in [0, 1], got {u!r}")
        lo, hi = self.bounds
        return self.value_of(lo + u * (hi - lo))

    def value_of(self, x: float) -> Any:
        """The value of a sampled factor ``x`` within :attr:`bounds`."""
        if self.kind == "choice":
            k = min(math.floor(x), len(self.alternatives) - 1)
            return self.alternatives[max(k, 0)]
        if self.kind == "integer":
            return round(x)
        return float(x)

    def overridable(self) -> dict[str, Any]:
        """The parts a study may change (``[assumptions.<name>]`` in TOML)."""
        if self.kind == "choice":
            return {"alternatives": list(self.alternatives), "vary": self.vary}
        return {"low": self.low, "high": self.high, "vary": self.vary}

    def range_text(self) -> str:
        """The range or the alternatives, in words."""
        if self.kind == "choice":
            return " · ".join(self.alternatives)
        return f"{_num(self.low)} … {_num(self.high)}"


def _num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return f"{x:,}".replace(",", " ") if isinstance(x, int) else f"{x:g}"


_MIN = "min"
REGISTRY: tuple[Assumption, ...] = (
    Assumption(
        "lov_external_areas", "Where LOV's private providers serve: as the preset declares "
        "(the two largest everywhere, the others the area of their office), every one only the "
        "area of its office, or every one the whole municipality.",
        "Preset.providers[].zones, Preset.lov_declared_areas", "scenario", "choice", "preset",
        alternatives=("preset", "own_area", "everywhere"), unit="",
        source="assumption (docs/parameters.md); Strängnäs publishes no service areas",
        lov_only=True),
    Assumption(
        "lov_external_offices", "Where LOV's private providers have their office: as the "
        "preset places them, or all in the town centre (the municipal provider's area).",
        "Preset.providers[].office", "scenario", "choice", "preset",
        alternatives=("preset", "town_centre"), lov_only=True),
    Assumption(
        "n_external", "Number of LOV private providers (same external total, Zipf shares).",
        "generate(n_external=)", "scenario", "integer", 7, 3, 10, unit="providers",
        source="Strängnäs 2014: seven private providers (docs/parameters.md)", lov_only=True),
    Assumption(
        "non_chooser_share", "Share of clients who do not choose a provider, as a factor of "
        "the preset's share (Strängnäs 0.58, Botkyrka 0.10).",
        "Preset.non_chooser_share", "scenario", "number", 1.0, 0.7, 1.3, unit="× preset",
        source="Strängnäs: derived from the 16 % private share of 2014; national 10 %",
        relative=True),
    Assumption(
        "hours_median_per_month", "Median granted care hours per client and month (scales "
        "every visit's duration).", "Preset.hours_median_per_month", "scenario", "number",
        15.0, 12.0, 18.0, unit="h/month", source="Socialstyrelsen; docs/parameters.md"),
    Assumption(
        "min_visit_min", "Shortest visit when the client's minutes allow it (a medication "
        "check).", "VisitParams.min_visit_min", "settings", "number", 10.0, 5.0, 15.0,
        unit=_MIN),
    Assumption(
        "walk_within_m", "Stops this close to the base are walked to (sets the walking "
        "share).", "TravelModes.walk_within_m", "settings", "number", 1100.0, 600.0, 1600.0,
        unit="m", source="calibrated on one real day: 12 of 32 staff walked (docs/routing.md)"),
    Assumption(
        "bike_ring_m", "Width of the cycling ring beyond the walking ring (sets the cycling "
        "and car shares).", "TravelModes.bike_within_m − walk_within_m", "settings", "number",
        500.0, 0.0, 1000.0, unit="m",
        source="calibrated on one real day: 3 of 32 staff cycled (docs/routing.md)"),
    Assumption(
        "base_min_hours_per_week", "Care hours a week a provider needs in an area to open a "
        "local base there.", "BaseRule.min_hours_per_week", "settings", "number", 160.0, 80.0,
        320.0, unit="h/week"),
    Assumption(
        "local_bases", "Whether providers open local bases at all ('on': where they have "
        "enough hours in an area, by the rule above; 'off': every shift starts and ends at the "
        "provider's office). Under zoning it decides whether a zone's winner works from the "
        "zone or from its office, which can be far away: on Strängnäs it decides the sign of "
        "zoning's driving difference to LOV (the generated compare-rules block of "
        "docs/compare.md gives both).",
        "BaseRule.local_bases", "settings", "choice", "on", alternatives=("on", "off"),
        source="assumption: the same rule for every provider under every regime"),
    Assumption(
        "staff_sek_per_hour", "Full cost of one paid staff hour.",
        "CostParams.staff_sek_per_hour", "settings", "number", 300.0, 270.0, 377.0,
        unit="SEK/h", source="pay and contributions (docs/compare.md); 377 SEK: Strängnäs' "
        "LOV rate"),
    Assumption(
        "sek_per_km", "Cost of a driven km.", "CostParams.sek_per_km", "settings", "number",
        4.0, 2.5, 6.0, unit="SEK/km", source="Swedish Tax Agency's car allowance 2.5 SEK/km "
        "(lower); leasing and upkeep (docs/compare.md)"),
    Assumption(
        "fixed_sek_per_provider", "Fixed cost per provider with clients and year (manager, "
        "administration, planning system, premises).", "CostParams.fixed_sek_per_provider",
        "settings", "number", 500_000.0, 250_000.0, 1_000_000.0, unit="SEK/year"),
    Assumption(
        "follow_up_sek_per_external", "The municipality's contract follow-up per external "
        "provider and year.", "CostParams.follow_up_sek_per_external", "settings", "number",
        150_000.0, 50_000.0, 300_000.0, unit="SEK/year"),
    Assumption(
        "indirect_min_per_shift", "Paid minutes per shift outside routes (handover, "
        "meetings, paid breaks, start and end at the office).",
        "CostParams.indirect_min_per_shift", "settings", "number", 80.0, 50.0, 110.0,
        unit="min/shift", source="calibrated to 58 % of paid time in homes (docs/compare.md)"),
    Assumption(
        "documentation_min_per_visit", "Paid minutes per visit outside the home "
        "(documentation, keys, calls).", "CostParams.documentation_min_per_visit",
        "settings", "number", 4.0, 2.0, 6.0, unit="min/visit"),
    Assumption(
        "lou_guarantee", "Which external takes a LOU client who does not choose: the nearest "
        "with room in the area, the one furthest below its guaranteed share however far, or "
        "none (the municipality).", "LOU(guarantee=)", "regimes", "choice", "nearest",
        alternatives=("nearest", "below_share", "none"),
        source="Botkyrka's contracts guarantee a share; the placement rule is an assumption"),
    Assumption(
        "procurement_quality_weight", "Weight of quality against price when zoning's "
        "procurement evaluates the bids (0: price only). It changes the award only where the "
        "bidders carry quality scores (Zoning(quality=), 0 for all by default): on the "
        "presets its index is 0, which says that price alone decides there.",
        "Zoning(quality_weight=)", "regimes", "number", 0.0, 0.0, 0.5, unit="share",
        source="assumption; Swedish home-care tenders weigh quality 30–70 %"),
    Assumption(
        "procurement_expansion_sek_per_hour", "One-off cost a bidder declares per weekly care "
        "hour it must add to take a lot, spread over a four-year contract (208 weeks).",
        "Tender.expansion_sek_per_hour", "regimes", "number", 1_000.0, 500.0, 2_000.0,
        unit="SEK per weekly hour", source="assumption: about 1/30 of a full-time post at "
        "about 30,000 SEK to recruit and introduce one"),
    Assumption(
        "double_staff_rate", "Probability that a client among the heaviest tenth by hours "
        "is visited by two carers at once.", "synth.DOUBLE_STAFF_RATE", "fixed", "number",
        0.12, 0.06, 0.2, unit="share", source="one real Swedish day: 4.2 % of visits "
        "double-staffed (docs/scenario.md)", vary=False),
    Assumption(
        "delegated_rate", "Share of clients visited daily who need a delegated health-care "
        "task (insulin, wound care) that only licensed staff may do.",
        "synth.DELEGATED_RATE", "fixed", "number", 0.15, 0.05, 0.3, unit="share",
        source="assumption (docs/scenario.md)", vary=False),
    Assumption(
        "licensed_share", "Share of each provider's staff holding a delegation for health-care "
        "tasks.", "synth.LICENSED_SHARE", "fixed", "number", 0.5, 0.3, 0.8, unit="share",
        source="assumption (docs/scenario.md)", vary=False),
    Assumption(
        "roster_part_time_share", "Share of regular staff working part time (continuity of "
        "care only).", "RosterParams.part_time_share", "fixed", "number", 0.4, 0.2, 0.6,
        unit="share", source="assumption, calibrated with the other rates to Kolada's "
        "continuity (docs/continuity.md)", vary=False),
    Assumption(
        "roster_absence_rate", "Share of rostered days a regular is away, sickness and leave "
        "(continuity of care only).", "RosterParams.absence_rate", "fixed", "number", 0.12,
        0.08, 0.16, unit="share", source="assumption: sickness 8–10 % plus leave about 3 %",
        vary=False),
    Assumption(
        "roster_pool_share", "Pool (hourly) staff per regular staff member (continuity of care "
        "only).", "RosterParams.pool_share", "fixed", "number", 0.25, 0.1, 0.4, unit="share",
        source="SKR 2023: 20 % of staff employed by the hour, 0.2 / 0.8", vary=False),
    Assumption(
        "planner_weight", "Weight a day's planner gives the usual carers against a route's "
        "fit (continuity of care only; 1.0 guards continuity first).",
        "continuity.PLANNER_WEIGHT", "fixed", "number", 0.005, 0.0, 1.0, unit="",
        source="calibrated to Kolada's measure (docs/continuity.md)", vary=False),
    Assumption(
        "plan_sek_per_carer", "Route planner (hemopt route-plan): cost of calling in one more "
        "carer.", "PlanCosts.sek_per_carer", "fixed", "number", 400.0, 0.0, 1_000.0,
        unit="SEK", source="assumption: a carer's fixed cost of a shift", vary=False),
    Assumption(
        "plan_overtime_sek_per_hour", "Route planner: supplement per hour beyond a carer's "
        "shift.", "PlanCosts.overtime_sek_per_hour", "fixed", "number", 150.0, 75.0, 300.0,
        unit="SEK/h", source="assumption: a 50 % supplement on 300 SEK/h", vary=False),
    Assumption(
        "plan_non_usual_sek", "Route planner: cost per task done by a carer who is not one of "
        "the client's usual carers (the value of continuity).", "PlanCosts.non_usual_sek",
        "fixed", "number", 150.0, 0.0, 300.0, unit="SEK/task",
        source="assumption: half an hour of staff time", vary=False),
    Assumption(
        "isolated_point_m", "A client or office this far from every other point is warned "
        "about when the scenario has no boundary.", "scenario.ISOLATED_M", "fixed", "number",
        20_000.0, 10_000.0, 40_000.0, unit="m", source="assumption", vary=False),
)
"""The declared assumptions (see :class:`Assumption`); ``docs/assumptions.md`` lists them."""

def by_name(name: str, registry: Sequence[Assumption] = REGISTRY) -> Assumption:
    """The assumption ``name`` of ``registry``."""
    for a in registry:
        if a.name == name:
            return a
    raise InputError(f"assumption {name!r} is not declared; declared: "
                     f"{[a.name for a in registry]}")


def check_overrides(overrides: Mapping[str, Any]) -> tuple[Assumption, ...]:
    """The registry with a study's changes (``{name: {"low": ..., "high": ..., "vary": ...}}``
    or ``{"alternatives": [...]}``), each checked.

    Examples
    --------
    >>> reg = check_overrides({"sek_per_km": {"low": 3.0, "vary": False}})
    >>> a = by_name("sek_per_km", reg)
    >>> a.low, a.high, a.vary
    (3.0, 6.0, False)
    >>> check_overrides({"sek_per_km": {"lo": 3.0}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: settings [assumptions.sek_per_km]: unknown key 'lo'; allowed: ...
    """
    if not isinstance(overrides, Mapping):
        raise InputError(f"settings [assumptions]: expected a table, got {overrides!r}")
    names = [a.name for a in REGISTRY]
    for name in overrides:
        if name not in names:
            import difflib

            close = difflib.get_close_matches(str(name), names, n=1)
            raise InputError(f"settings [assumptions]: unknown assumption {name!r}"
                             + (f" (did you mean {close[0]!r}?)" if close else
                                f"; declared: {', '.join(names)}"))
    out = []
    for a in REGISTRY:
        ch = overrides.get(a.name, {})
        if not isinstance(ch, Mapping):
            raise InputError(f"settings [assumptions.{a.name}]: expected a table, got {ch!r}")
        allowed = list(a.overridable())
        for k, v in ch.items():
            if k not in allowed:
                raise InputError(f"settings [assumptions.{a.name}]: unknown key {k!r}; "
                                 f"allowed: {', '.join(allowed)}")
            if k == "vary" and not isinstance(v, bool):
                raise InputError(f"settings [assumptions.{a.name}] vary: expected true or "
                                 f"false, got {v!r}")
            if k in ("low", "high") and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise InputError(f"settings [assumptions.{a.name}] {k}: expected a number, "
                                 f"got {v!r}")
            if k == "alternatives" and not (isinstance(v, (list, tuple))
                                            and all(x in a.alternatives for x in v)):
                raise InputError(f"settings [assumptions.{a.name}] alternatives: expected some "
                                 f"of {list(a.alternatives)}, got {v!r}")
        kw: dict[str, Any] = {
            k: (tuple(v) if k == "alternatives" else float(v) if k in ("low", "high") else v)
            for k, v in ch.items()}
        try:
            out.append(replace(a, **kw))
        except InputError as exc:
            raise InputError(f"settings [assumptions.{a.name}]: {exc}") from None
    return tuple(out)


# --------------------------------------------------------------------------- the docs page
def markdown(registry: Sequence[Assumption] = REGISTRY) -> str:
    """The page ``docs/assumptions.md``, generated from ``registry``."""
    lines = [
        "# Declared assumptions",
        "",
        "<!-- Generated by `python benchmarks/assumptions_page.py` from hemopt/assumptions.py;",
        "     tests/test_assumptions.py fails when they differ. -->",
        "",
        "Every uncertain modelling choice of hemopt, declared once in "
        "`hemopt.assumptions.REGISTRY`. The default is what every run uses; the range or the "
        "alternatives are what `hemopt sensitivity` explores (uniformly: numbers over the "
        "range, integers rounded, alternatives in equal slices). *Applied to* says what a "
        "value changes: the synthetic municipality (`scenario`, redrawn per value), the "
        "regime objects (`regimes`) or the `StudySettings` (`settings`). A study narrows a "
        "range or leaves an assumption fixed with `[assumptions.<name>]` in its settings "
        "TOML (`low`, `high`, `alternatives`, `vary`).",
        "",
        "| name | default | range or alternatives | unit | applied to | sets | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for a in registry:
        default = a.default if a.kind == "choice" else _num(a.default)
        scope = a.applies + (" (LOV presets)" if a.lov_only else "")
        lines.append(f"| `{a.name}` | {default} | {a.range_text()} | {a.unit} | {scope} | "
                     f"`{a.where}` | {a.source} |")
    lines += ["", "## What each one is", ""]
    for a in registry:
        lines.append(f"- **`{a.name}`**: {a.about}")
    lines += [
        "",
        "## Using them",
        "",
        "```bash",
        "hemopt sensitivity --preset strangnas --method morris --trajectories 20 --out sens/",
        "hemopt sensitivity --preset botkyrka --method sobol --trajectories 256 \\",
        "    --assumptions fixed_sek_per_provider,non_chooser_share,walk_within_m",
        "hemopt compare --preset strangnas --settings study.toml   # a study's settings",
        "```",
        "",
        "`hemopt sensitivity` writes `sens/sensitivity.json` (per headline difference, "
        "Zoning − LOV and LOU − LOV in km/day, paid staff hours/day, variable and total cost "
        "per year: the value at the defaults, P5, median and P95 over the ranges, the share "
        "of points where the sign holds, and the indices with their 95 % intervals) and "
        "`sens/tornado.png`, and prints the two largest drivers. In Python: "
        "`hemopt.sensitivity(...)`, `hemopt.StudySettings.from_toml(...)`, "
        "`from hemopt.viz import plot_tornado`.",
        "",
        "Regime assumptions are applied only when the regime class takes the keyword "
        "(`LOU(guarantee=)`, `Zoning(quality_weight=)`); otherwise `hemopt sensitivity` "
        "leaves them out and says why. LOV-only assumptions are left out on LOU presets "
        "(Botkyrka).",
        "",
    ]
    return "\n".join(lines)
