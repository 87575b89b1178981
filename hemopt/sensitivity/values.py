"""Applying the declared assumptions (:mod:`hemopt.assumptions`) to one model run: the
preset a value set redraws, the :class:`~hemopt.StudySettings` it changes and the regime
keywords it sets (:func:`apply_values`), and why an assumption cannot be varied on a preset
(:func:`skip_reason`).

The registry itself only declares (names, defaults, ranges, sources) and sits in the core
layer; applying a value needs the regimes and the synthetic municipalities, so it lives here
with the analysis that varies them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from hemopt.assumptions import REGISTRY, Assumption, by_name
from hemopt.errors import InputError

__all__ = ["apply_values", "regime_options_supported", "skip_reason"]


#: Regime keyword of each ``regimes`` assumption: (regime class name, keyword).
_REGIME_KEYWORDS: dict[str, tuple[str, str]] = {
    "lou_guarantee": ("LOU", "guarantee"),
    "procurement_quality_weight": ("Zoning", "quality_weight"),
    "procurement_expansion_sek_per_hour": ("Zoning", "tender"),
}


def _regime_value(name: str, value: Any) -> Any:
    """The regime keyword's value of ``regimes`` assumption ``name``."""
    if name == "procurement_expansion_sek_per_hour":
        from hemopt.procurement import Tender

        return Tender(expansion_sek_per_hour=float(value))
    return value


def regime_options_supported(name: str) -> bool:
    """Whether this hemopt's regime class takes the keyword of ``regimes`` assumption
    ``name`` (LOU's ``guarantee``, Zoning's ``quality_weight``)."""
    from hemopt import regimes

    klass, kw = _REGIME_KEYWORDS[name]
    param = inspect.signature(getattr(regimes, klass)).parameters.get(kw)
    if param is None:
        return False
    a = by_name(name)
    # a keyword of another kind (LOU's guarantee was on/off before it named its rule) would
    # take the value silently wrong: e.g. the string "none" is true
    return not (a.kind == "choice" and isinstance(param.default, bool))


def skip_reason(a: Assumption, preset: Any) -> str | None:
    """Why ``a`` cannot be varied on ``preset`` (a :class:`~hemopt.synth.Preset`), or None."""
    if a.lov_only and getattr(preset, "regime", "lov") != "lov":
        return f"{a.name}: applies to LOV presets; {preset.name!r} is {preset.regime.upper()}"
    if a.applies == "fixed":
        return (f"{a.name}: declared, used as stated ({a.where}); hemopt sensitivity does "
                "not vary it")
    if a.applies == "regimes" and not regime_options_supported(a.name):
        klass, kw = _REGIME_KEYWORDS[a.name]
        return (f"{a.name}: {klass}'s {kw}= does not take {a.range_text()} in this version "
                "of hemopt; left at the regime's own rule")
    return None


def _own_area(preset: Any) -> Any:
    """Every external serves only one area: its office's, or the area it declared first;
    externals with neither (those that served everywhere from an unset office) take the
    areas no external covers yet, then the others in turn, so that no area is left without
    an external when there are enough of them."""
    areas = [a.zone_id for a in preset.areas]
    if not areas:
        return preset
    own: dict[int, str | None] = {}
    for j, q in enumerate(preset.providers):
        if q.kind != "external":
            continue
        if q.office.startswith("zone:") and q.office[5:] in areas:
            own[j] = q.office[5:]
        elif q.zones:
            own[j] = q.zones[0]
        else:
            own[j] = None
    free = [a for a in areas if a not in own.values()]
    k = 0
    for j, zone in own.items():
        if zone is None:
            own[j] = free.pop(0) if free else areas[k % len(areas)]
            k += 1
    out = []
    for j, q in enumerate(preset.providers):
        if j in own:
            zone = own[j]
            q = replace(q, zones=(zone,), office=q.office or f"zone:{zone}")
        out.append(q)
    return replace(preset, providers=tuple(out), lov_declared_areas=True)


def _town_centre(preset: Any) -> Any:
    """Every external's office where the municipal provider has its office."""
    muni = next((q for q in preset.providers if q.kind != "external"), None)
    if muni is None or not muni.office:
        return preset
    return replace(preset, providers=tuple(
        replace(q, office=muni.office) if q.kind == "external" else q
        for q in preset.providers))


def _scenario(preset: Any, values: Mapping[str, Any]) -> Any:
    from hemopt.synth import with_n_external

    p = preset
    n_now = sum(q.kind == "external" for q in p.providers)
    if "n_external" in values and int(values["n_external"]) != n_now:  # the preset's own
        p = with_n_external(p, int(values["n_external"]))  # providers stay as they are
    if "non_chooser_share" in values:
        p = replace(p, non_chooser_share=min(0.95, p.non_chooser_share
                                             * float(values["non_chooser_share"])))
    if "hours_median_per_month" in values:
        p = replace(p, hours_median_per_month=float(values["hours_median_per_month"]))
    areas = values.get("lov_external_areas", "preset")
    if areas == "own_area":
        p = _own_area(p)
    elif areas == "everywhere":
        p = replace(p, lov_declared_areas=False)
    if values.get("lov_external_offices", "preset") == "town_centre":
        p = _town_centre(p)
    return p


def _set_cost(name: str, settings: Any, value: Any) -> Any:
    """``settings`` with ``CostParams.<name>`` = ``value``."""
    return settings.replace(cost=replace(settings.cost, **{name: value}))


_SETTINGS: dict[str, Callable[[Any, Any], Any]] = {
    "min_visit_min": lambda s, v: s.replace(visits=replace(s.visits, min_visit_min=v)),
    "base_min_hours_per_week": lambda s, v: s.replace(
        bases=replace(s.bases, min_hours_per_week=v)),
    "local_bases": lambda s, v: s.replace(bases=replace(s.bases, local_bases=v == "on")),
    "walk_within_m": lambda s, v: s.replace(travel=replace(
        s.travel, walk_within_m=v,
        bike_within_m=v + (s.travel.bike_within_m - s.travel.walk_within_m))),
    "bike_ring_m": lambda s, v: s.replace(travel=replace(
        s.travel, bike_within_m=s.travel.walk_within_m + v)),
    **{name: functools.partial(_set_cost, name)
       for name in ("staff_sek_per_hour", "sek_per_km", "fixed_sek_per_provider",
                    "follow_up_sek_per_external", "indirect_min_per_shift",
                    "documentation_min_per_visit")},
}


def apply_values(values: Mapping[str, Any], preset: Any, settings: Any
                 ) -> tuple[Any, Any, dict[str, dict[str, Any]]]:
    """The preset, settings and regime options of one model run.

    Parameters
    ----------
    values
        ``{assumption name: value}`` (any subset of :data:`REGISTRY`; the rest keep their
        defaults).
    preset
        The :class:`~hemopt.synth.Preset` the scenario assumptions change.
    settings
        The :class:`~hemopt.StudySettings` the settings assumptions change.

    Returns
    -------
    tuple
        ``(preset, settings, regime_options)`` with ``regime_options`` as ``{"LOU":
        {"guarantee": ...}, "Zoning": {"quality_weight": ...}}`` (only the keywords given).

    Examples
    --------
    >>> import hemopt
    >>> from hemopt.synth import PRESETS
    >>> p, s, r = apply_values({"sek_per_km": 6.0, "non_chooser_share": 0.5,
    ...                         "lou_guarantee": "none"}, PRESETS["strangnas"],
    ...                        hemopt.StudySettings())
    >>> s.cost.sek_per_km, p.non_chooser_share, r
    (6.0, 0.29, {'LOU': {'guarantee': 'none'}})
    """
    unknown = [k for k in values if k not in {a.name for a in REGISTRY}]
    if unknown:
        raise InputError(f"values: unknown assumptions {unknown}")
    for k, v in values.items():
        a = by_name(k)
        if a.applies == "fixed" and v != a.default:
            raise InputError(f"values: {k} = {v!r}: a fixed assumption is used as stated "
                             f"({a.where} = {a.default!r}); set it there")
    scen = {k: v for k, v in values.items() if by_name(k).applies == "scenario"}
    preset = _scenario(preset, scen)
    # walk before the ring, so that the ring is measured from the new walking radius
    for name in sorted((k for k in values if k in _SETTINGS),
                       key=lambda k: (k != "walk_within_m", k)):
        settings = _SETTINGS[name](settings, values[name])
    opts: dict[str, dict[str, Any]] = {}
    for name, (klass, kw) in _REGIME_KEYWORDS.items():
        if name in values:
            opts.setdefault(klass, {})[kw] = _regime_value(name, values[name])
    return preset, settings, opts
