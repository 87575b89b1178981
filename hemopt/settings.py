"""One object for every setting of a study: :class:`StudySettings`.

A study (:func:`hemopt.compare`, :func:`hemopt.compare_seeds`, :func:`hemopt.sensitivity`,
``hemopt compare --settings study.toml``) is shaped by the routing, the costs, the day of
visits, the shifts, double staffing and breaks, the base rule, continuity of care, the worker
processes and the declared assumptions (:mod:`hemopt.assumptions`). :class:`StudySettings`
composes the existing settings objects into one frozen value that is read from and written to
TOML (as PyVRP's ``SolveParams.from_file``) and recorded whole in ``comparison.json``, so that a
run can be reproduced from its JSON alone.

The TOML file has one table per part; every key is optional (a missing key keeps its default),
an unknown table or key is an error naming it, and so is a value of the wrong type::

    [routing]                 # RoutingSettings (without care: see [care])
    method = "approx"         # "solver" or "approx"
    backend = "pyvrp"
    max_iterations = 1000     # "none" for no limit (then give time_limit_s)
    time_limit_s = "none"
    workers = "none"          # "none": every core

    [cost]                    # CostParams
    staff_sek_per_hour = 300.0

    [visits]                  # VisitParams; period_weights = [["morning", 1.8], ...]
    [shifts]                  # ShiftParams; day = [420, 960]
    [care]                    # CareParams; enabled = false is --no-care
    [bases]                   # BaseRule
    [travel]                  # TravelModes' radii (the default travel models)
    [continuity]              # enabled = "auto" | true | false; routing = "approx" | "solver"

    [assumptions.fixed_sek_per_provider]   # the range sensitivity analysis explores
    low = 250000.0
    high = 1000000.0
    vary = true

``None`` has no TOML spelling: write ``"none"``.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from hemopt.assumptions import REGISTRY, Assumption, check_overrides
from hemopt.bases import BaseRule
from hemopt.costs import CostParams
from hemopt.day.care import CareParams
from hemopt.day.route import ShiftParams
from hemopt.day.settings import RoutingSettings
from hemopt.day.visits import VisitParams
from hemopt.errors import HemoptError, InputError
from hemopt.travel import TravelModes

__all__ = ["ContinuitySettings", "StudySettings"]

#: Version of :meth:`StudySettings.to_dict` (written beside the settings).
SETTINGS_SCHEMA = "hemopt-settings/1"


@dataclass(frozen=True)
class ContinuitySettings:
    """Continuity of care over 14 days in :func:`hemopt.compare`.

    Parameters
    ----------
    enabled
        ``"auto"`` (on up to :data:`hemopt.compare.CONTINUITY_AUTO_MAX_CLIENTS` clients),
        ``True`` or ``False``.
    routing
        How the 14 days are routed: ``"approx"`` (default) or ``"solver"``.
    max_iterations
        Solver iterations per instance when ``routing="solver"`` (default 1000).

    Examples
    --------
    >>> ContinuitySettings(enabled="sometimes")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: continuity.enabled must be "auto", true or false, got 'sometimes'
    """

    enabled: bool | str = "auto"
    routing: str = "approx"
    max_iterations: int | None = 1000

    def __post_init__(self) -> None:
        if self.enabled not in ("auto", True, False):
            raise InputError(f'continuity.enabled must be "auto", true or false, got '
                             f"{self.enabled!r}")
        RoutingSettings(method=self.routing)  # checks the method, naming it

    @property
    def flag(self) -> bool | None:
        """``compare``'s ``continuity`` argument: None for auto."""
        return None if self.enabled == "auto" else bool(self.enabled)

    def routing_settings(self) -> RoutingSettings:
        """The :class:`~hemopt.day.settings.RoutingSettings` of the 14 days."""
        return RoutingSettings(method=self.routing, max_iterations=self.max_iterations)


def _default_travel() -> TravelModes:
    return TravelModes()


@dataclass(frozen=True)
class StudySettings:
    """Every setting of a study in one frozen value (see the module docstring).

    Parameters
    ----------
    routing
        :class:`~hemopt.day.settings.RoutingSettings` (its ``care`` must be left None: care is
        :attr:`care`).
    cost
        :class:`~hemopt.costs.CostParams`.
    visits
        :class:`~hemopt.day.visits.VisitParams`.
    shifts
        :class:`~hemopt.day.route.ShiftParams`.
    care
        :class:`~hemopt.day.care.CareParams` (``enabled=False`` is ``--no-care``).
    bases
        :class:`~hemopt.bases.BaseRule`.
    travel
        :class:`~hemopt.travel.TravelModes`. Only its radii are written to TOML; custom
        travel models cannot be written (an error says so).
    continuity
        :class:`ContinuitySettings`.
    assumptions
        The declared assumptions (:data:`hemopt.assumptions.REGISTRY`), with any range the
        study changed: what :func:`hemopt.sensitivity` explores.

    Examples
    --------
    >>> import hemopt
    >>> from hemopt.day.care import CareParams
    >>> s = hemopt.StudySettings(routing=hemopt.RoutingSettings(method="approx"),
    ...                          care=CareParams(enabled=False))
    >>> s.routing_settings().care.enabled
    False
    >>> hemopt.StudySettings.from_dict(s.to_dict()) == s       # round trip
    True
    >>> hemopt.StudySettings.from_dict({"cost": {"staff_sek_per_hr": 1}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: settings [cost]: unknown key 'staff_sek_per_hr' (did you mean ...?)
    """

    routing: RoutingSettings = field(default_factory=RoutingSettings)
    cost: CostParams = field(default_factory=CostParams)
    visits: VisitParams = field(default_factory=VisitParams)
    shifts: ShiftParams = field(default_factory=ShiftParams)
    care: CareParams = field(default_factory=CareParams)
    bases: BaseRule = field(default_factory=BaseRule)
    travel: TravelModes = field(default_factory=_default_travel)
    continuity: ContinuitySettings = field(default_factory=ContinuitySettings)
    assumptions: tuple[Assumption, ...] = REGISTRY

    def __post_init__(self) -> None:
        for f in fields(self):
            want = _TYPES.get(f.name)
            v = getattr(self, f.name)
            if want is not None and not isinstance(v, want):
                raise InputError(f"StudySettings.{f.name}: expected {want.__name__}, got "
                                 f"{type(v).__name__}")
        if self.routing.care is not None:
            raise InputError("StudySettings.routing.care: leave it None and set "
                             "StudySettings.care (one place for care)")
        names = [a.name for a in self.assumptions]
        if len(set(names)) != len(names):
            raise InputError(f"StudySettings.assumptions: names must be distinct, got {names}")

    # ------------------------------------------------------------------ views
    def routing_settings(self) -> RoutingSettings:
        """The day's :class:`~hemopt.day.settings.RoutingSettings`, care included."""
        return replace(self.routing, care=self.care)

    def assumption(self, name: str) -> Assumption:
        """The declared assumption ``name``."""
        for a in self.assumptions:
            if a.name == name:
                return a
        raise InputError(f"assumption {name!r} is not declared; declared: "
                         f"{[a.name for a in self.assumptions]}")

    def keywords(self) -> dict[str, Any]:
        """The separate keywords of :func:`hemopt.compare` these settings stand for
        (the inverse of :meth:`from_keywords`)."""
        r = self.routing
        return {"routing": r.method, "routing_backend": r.backend,
                "max_iterations": r.max_iterations,
                "time_limit_s": r.time_limit_s, "workers": r.workers, "care": self.care,
                "cost": self.cost, "travel": self.travel, "visit_params": self.visits,
                "shifts": self.shifts, "base_rule": self.bases,
                "continuity": self.continuity.flag,
                "continuity_routing": self.continuity.routing_settings()}

    def replace(self, **changes: Any) -> StudySettings:
        """A copy with ``changes`` (as :func:`dataclasses.replace`)."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ dict / TOML
    def to_dict(self) -> dict[str, Any]:
        """Plain values (JSON-ready; ``None`` stays ``None``), one table per part.

        Raises
        ------
        InputError
            The travel models are not the defaults (only the radii can be written).
        """
        if (self.travel.car, self.travel.walk, self.travel.bike) != (
                TravelModes().car, TravelModes().walk, TravelModes().bike):
            raise InputError("StudySettings.travel: custom travel models cannot be written; "
                             "only the radii of the default models are settings")
        out: dict[str, Any] = {"schema": SETTINGS_SCHEMA}
        for name in _SECTIONS:
            obj = getattr(self, name)
            d = {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)
                 if f.name in _KEYS[name]}
            out[name] = d
        out["assumptions"] = {a.name: a.overridable() for a in self.assumptions}
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StudySettings:
        """Build from :meth:`to_dict`'s form (or a part of it); every key is checked."""
        if not isinstance(d, Mapping):
            raise InputError(f"settings: expected a table, got {type(d).__name__}")
        unknown = set(d) - set(_SECTIONS) - {"assumptions", "schema"}
        if unknown:
            raise InputError(_unknown("settings", sorted(unknown)[0],
                                      [*_SECTIONS, "assumptions"]))
        if "schema" in d and d["schema"] != SETTINGS_SCHEMA:
            raise InputError(f"settings schema {d['schema']!r} is not {SETTINGS_SCHEMA!r}")
        parts: dict[str, Any] = {}
        for name, klass in _SECTIONS.items():
            table = d.get(name, {})
            if not isinstance(table, Mapping):
                raise InputError(f"settings [{name}]: expected a table, got {table!r}")
            kw = {}
            for k, v in table.items():
                if k not in _KEYS[name]:
                    raise InputError(_unknown(f"settings [{name}]", k, _KEYS[name]))
                kw[k] = _value(name, k, v)
            try:
                parts[name] = klass(**kw)
            except HemoptError as exc:
                raise InputError(f"settings [{name}]: {exc}") from None
            except TypeError as exc:  # a wrongly typed value reaching a comparison
                raise InputError(f"settings [{name}]: {exc}") from None
        parts["assumptions"] = check_overrides(d.get("assumptions", {}))
        return cls(**parts)

    @classmethod
    def from_toml(cls, path: str | Path) -> StudySettings:
        """Read a TOML settings file (see the module docstring).

        Raises
        ------
        InputError
            The file is missing or not TOML, or a table, key or value is wrong (named).
        """
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"settings file {str(p)!r}: {exc.strerror or exc}") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"settings file {str(p)!r} is not valid TOML: {exc}") from None
        try:
            return cls.from_dict(data)
        except InputError as exc:
            raise InputError(f"{p}: {exc}") from None

    def to_toml(self, path: str | Path | None = None) -> str:
        """The TOML text (``None`` written as ``"none"``); written to ``path`` when given."""
        d = self.to_dict()
        lines = [f'schema = "{SETTINGS_SCHEMA}"', ""]
        for name in _SECTIONS:
            lines.append(f"[{name}]")
            lines += [f"{k} = {_toml(v)}" for k, v in d[name].items()]
            lines.append("")
        for name, table in d["assumptions"].items():
            lines.append(f"[assumptions.{name}]")
            lines += [f"{k} = {_toml(v)}" for k, v in table.items()]
            lines.append("")
        text = "\n".join(lines)
        if path is not None:
            from hemopt._io import atomic_write_text

            atomic_write_text(Path(path), text)
        return text

    @classmethod
    def from_keywords(cls, *, routing: str = "solver", routing_backend: str = "pyvrp",
                      max_iterations: int | None = 1000, time_limit_s: float | None = None,
                      workers: int | None = None, care: CareParams | None = None,
                      cost: CostParams | None = None, travel: Any = None,
                      visit_params: VisitParams | None = None,
                      shifts: ShiftParams | None = None, base_rule: BaseRule | None = None,
                      continuity: bool | None = None,
                      continuity_routing: RoutingSettings | None = None) -> StudySettings:
        """The settings :func:`hemopt.compare`'s separate keywords describe (same names,
        same defaults)."""
        cr = continuity_routing or RoutingSettings(method="approx")
        return cls(
            routing=RoutingSettings(method=routing, backend=routing_backend,
                                    max_iterations=max_iterations, time_limit_s=time_limit_s,
                                    workers=workers),
            cost=cost or CostParams(), visits=visit_params or VisitParams(),
            shifts=shifts or ShiftParams(), care=care or CareParams(),
            bases=base_rule or BaseRule(), travel=TravelModes.of(travel),
            continuity=ContinuitySettings(enabled="auto" if continuity is None
                                          else bool(continuity),
                                          routing=cr.method, max_iterations=cr.max_iterations))


_SECTIONS: dict[str, type] = {
    "routing": RoutingSettings, "cost": CostParams, "visits": VisitParams,
    "shifts": ShiftParams, "care": CareParams, "bases": BaseRule, "travel": TravelModes,
    "continuity": ContinuitySettings,
}
_TYPES: dict[str, type] = {**_SECTIONS, "assumptions": tuple}
#: Keys written and read per table: every field, except routing's care (its own table) and
#: the travel models (only the radii are settings).
_KEYS: dict[str, list[str]] = {
    name: [f.name for f in fields(k)
           if not (name == "routing" and f.name == "care")
           and not (name == "travel" and f.name in ("car", "walk", "bike"))]
    for name, k in _SECTIONS.items()
}
# keys whose dataclass field is a tuple (TOML and JSON give lists)
_TUPLES = {("visits", "period_weights"), ("shifts", "day"), ("shifts", "evening"),
           ("care", "day_break"), ("care", "evening_break")}
_OPTIONAL = {("routing", "max_iterations"), ("routing", "time_limit_s"),
             ("routing", "workers"), ("continuity", "max_iterations")}


def _unknown(where: str, key: str, allowed: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f"; allowed: {', '.join(allowed)}"
    return f"{where}: unknown key {key!r}{hint}"


def _value(section: str, key: str, v: Any) -> Any:
    """A TOML/JSON value as its dataclass field wants it, checked for its kind."""
    if (section, key) in _OPTIONAL and (v is None or v == "none"):
        return None
    if (section, key) in _TUPLES:
        if not isinstance(v, (list, tuple)):
            raise InputError(f"settings [{section}] {key}: expected an array, got {v!r}")
        return tuple(tuple(x) if isinstance(x, (list, tuple)) else x for x in v)
    want = _field_kind(section, key)
    if want == "number" and (isinstance(v, bool) or not isinstance(v, (int, float))):
        raise InputError(f"settings [{section}] {key}: expected a number, got {v!r}")
    if want == "int" and (isinstance(v, bool) or not isinstance(v, int)):
        raise InputError(f"settings [{section}] {key}: expected a whole number, got {v!r}")
    if want == "bool" and not isinstance(v, bool):
        raise InputError(f"settings [{section}] {key}: expected true or false, got {v!r}")
    if want == "str" and not isinstance(v, str):
        raise InputError(f"settings [{section}] {key}: expected a string, got {v!r}")
    return v


_OPTIONAL_KIND = {("routing", "max_iterations"): "int", ("routing", "time_limit_s"): "number",
                  ("routing", "workers"): "int", ("continuity", "max_iterations"): "int"}


def _field_kind(section: str, key: str) -> str:
    if (section, key) in _OPTIONAL_KIND:
        return _OPTIONAL_KIND[(section, key)]
    default = getattr(_SECTIONS[section](), key)
    if section == "continuity" and key == "enabled":
        return "any"
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, (int, float)):
        return "number"
    if isinstance(default, str):
        return "str"
    return "any"


def _plain(v: Any) -> Any:
    if dataclasses.is_dataclass(v):
        raise InputError(f"settings: cannot write {type(v).__name__}")
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


def _toml(v: Any) -> str:
    if v is None:
        return '"none"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise InputError(f"settings: {v!r} cannot be written to TOML")
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    raise InputError(f"settings: cannot write {v!r} to TOML")
