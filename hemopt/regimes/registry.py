"""The regime registry: every regime is registered once, with its name, options, colour,
default instance and baseline role on its class (:class:`~hemopt.regimes.Regime`'s registry
attributes), and everything else reads them from here: ``default_regimes``, the CLI's
options, the sweep's grid keys, the report's colours and the baseline of a comparison.

Register a regime of your own with the :func:`register_regime` decorator (see
``docs/extend.md`` and ``tests/test_regime_registry.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar

from hemopt.errors import InputError
from hemopt.regimes._base import Regime, RegimeParam

__all__ = ["as_regime", "baseline_name", "regime_class", "regime_colour", "regime_colours",
           "regime_from_name", "register_regime", "registered_regimes", "unregister_regime"]

#: The registered regime classes by key, in the order of registration (LOV, LOU, Zoning).
_REGIMES: dict[str, type[Regime]] = {}

R = TypeVar("R", bound=type[Regime])

#: The colour of a regime that is not registered (a renamed instance, say).
_OTHER_COLOUR = "#7f7f7f"

#: ``{regime name: colour}`` of the registered regimes, kept by (un)registering.
_COLOURS: dict[str, str] = {}


def _key(cls: type[Regime]) -> str:
    return (cls.key or cls.name).strip().lower()


def register_regime(cls: R) -> R:
    """Class decorator: register a :class:`~hemopt.regimes.Regime` subclass under its
    ``key`` (``name`` in lower case by default), so that ``regime_from_name``, the CLI
    (``--regime``, ``--regimes`` and the regime's :class:`~hemopt.regimes.RegimeParam`
    options), ``default_regimes`` (unless ``in_default`` is False), the sweep and the
    report's colours know it.

    Raises
    ------
    InputError
        ``cls`` is not a Regime subclass, its key or name is taken by another class, its key
        is not a word, or it claims the baseline role that another regime holds.

    Examples
    --------
    >>> from hemopt.regimes import LOV, register_regime, unregister_regime, regime_from_name
    >>> @register_regime
    ... class Everyone(LOV):
    ...     name = "Everyone"
    ...     baseline = False
    ...     in_default = False
    >>> regime_from_name("everyone").name
    'Everyone'
    >>> unregister_regime("Everyone")
    """
    if not (isinstance(cls, type) and issubclass(cls, Regime)):
        raise InputError(f"register_regime: expected a Regime subclass, got {cls!r}")
    key = _key(cls)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise InputError(f"register_regime: {cls.__name__}'s key {key!r} must be a word of "
                         "lower-case letters, digits and _ starting with a letter")
    for other_key, other in _REGIMES.items():
        if other is cls:
            continue
        if other_key == key or other.name == cls.name:
            raise InputError(f"register_regime: {cls.__name__} has the key {key!r} or name "
                             f"{cls.name!r} of the registered {other.__name__}; unregister "
                             "that one first")
        if cls.baseline and other.baseline:
            raise InputError(f"register_regime: {other.__name__} is already the baseline; "
                             f"set baseline = False on {cls.__name__}")
    _REGIMES[key] = cls
    _COLOURS[cls.name] = cls.colour
    return cls


def unregister_regime(name: str) -> None:
    """Remove the regime registered under ``name`` (its key or its name, any case).

    Raises
    ------
    InputError
        No such regime is registered.
    """
    cls = regime_class(name)
    del _REGIMES[_key(cls)]
    _COLOURS.pop(cls.name, None)


def registered_regimes() -> dict[str, type[Regime]]:
    """The registered regime classes by key, in the order of registration.

    Examples
    --------
    >>> list(registered_regimes())
    ['lov', 'lou', 'zoning']
    """
    return dict(_REGIMES)


def _choices() -> str:
    keys = list(_REGIMES)
    return keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} or {keys[-1]}"


def regime_class(name: str) -> type[Regime]:
    """The registered regime class whose key or name is ``name`` (any case).

    Examples
    --------
    >>> regime_class("zoning").__name__
    'Zoning'
    """
    want = str(name).strip().lower()
    for key, cls in _REGIMES.items():
        if want in (key, cls.name.lower()):
            return cls
    raise InputError(f"regime: unknown regime {name!r}; choose {_choices()}")


def regime_colour(name: str) -> str:
    """The colour of the regime named ``name`` (a registered regime's ``colour``; grey for
    another name), for charts and maps.

    Examples
    --------
    >>> regime_colour("LOV"), regime_colour("someone else")
    ('#4a6fa5', '#7f7f7f')
    """
    for cls in _REGIMES.values():
        if cls.name == name:
            return cls.colour
    return _OTHER_COLOUR


def regime_colours() -> Mapping[str, str]:
    """A live, read-only ``{regime name: colour}`` of the registered regimes: a regime
    registered later appears in it (for a chart module's colour table).

    Examples
    --------
    >>> colours = regime_colours()
    >>> colours["Zoning"], colours.get("someone else", "grey")
    ('#55a868', 'grey')
    """
    return MappingProxyType(_COLOURS)


def baseline_name(names: Sequence[str] | None = None) -> str | None:
    """The regime the others are compared with: the registered baseline regime's name (LOV)
    when ``names`` is None or holds it, else the first of ``names`` (None when empty).

    Examples
    --------
    >>> baseline_name(), baseline_name(["Zoning", "LOV"]), baseline_name(["LOU", "Zoning"])
    ('LOV', 'LOV', 'LOU')
    """
    base = next((cls.name for cls in _REGIMES.values() if cls.baseline), None)
    if names is None:
        return base
    names = list(names)
    if base is not None and base in names:
        return base
    return names[0] if names else None


def as_regime(obj: Any, what: str = "regime") -> Regime:
    """``obj`` if it is a :class:`Regime`, else a clear :class:`~hemopt.errors.InputError`."""
    if not isinstance(obj, Regime):
        known = ", ".join(cls.name for cls in _REGIMES.values())
        raise InputError(f"{what}: expected a hemopt regime ({known} or a Regime "
                         f"subclass), got {type(obj).__name__}")
    return obj


def regime_from_name(name: str, **params: Any) -> Regime:
    """A regime from its registered name (``"lov"``, ``"lou"``, ``"zoning"``, any case) and
    parameters.

    LOU's external share (a regime's ``share_param``) may follow its name: as a percentage
    with ``%`` (``"LOU 30 %"`` is 0.3, ``"lou 1 %"`` is 0.01, ``"lou 0.5 %"`` is 0.005) or
    as a share in [0, 1] without it (``"lou0.3"``). A bare number above 1 is refused:
    ``"lou 30"`` could mean 30 % or a typo, so write ``"LOU 30 %"`` or ``"lou 0.3"``.

    Examples
    --------
    >>> regime_from_name("LOU", external_share=0.3).external_share
    0.3
    >>> regime_from_name("lou0.5").external_share
    0.5
    >>> regime_from_name("LOU 1 %").external_share
    0.01
    >>> regime_from_name("lov").name
    'LOV'
    >>> regime_from_name("lou 30")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: regime 'lou 30': a share without % must be in [0, 1], got 30; ...
    >>> regime_from_name("auction")
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: regime: unknown regime 'auction'; choose lov, lou or zoning
    """
    text = str(name)
    keys = sorted(_REGIMES, key=len, reverse=True)  # the longest key that fits
    alternatives = "|".join(re.escape(k) for k in keys)
    m = re.fullmatch(rf"\s*({alternatives})\s*(?:(\d+(?:\.\d*)?|\.\d+)\s*(%)?)?\s*", text,
                     flags=re.IGNORECASE)
    if m is None:
        for key, cls in _REGIMES.items():
            if cls.share_param and re.match(rf"\s*{re.escape(key)}", text, flags=re.IGNORECASE):
                raise InputError(f"regime {name!r}: expected '{cls.name}', '{cls.name} "
                                 f"<percent> %' or '{cls.name} <share in [0, 1]>', e.g. "
                                 f"'{cls.name} 20 %' or '{key} 0.2'")
        raise InputError(f"regime: unknown regime {name!r}; choose {_choices()}")
    key, number, pct = m.group(1).lower(), m.group(2), m.group(3)
    cls = _REGIMES[key]
    if number is not None:
        share = cls.share_param
        if share is None:
            takers = [c.name for c in _REGIMES.values() if c.share_param]
            raise InputError(f"regime {name!r}: only {' and '.join(takers) or 'no regime'} "
                             f"take{'s' if len(takers) == 1 else ''} a number (a share)")
        if share in params:
            raise InputError(f"regime {name!r} and {share}={params[share]!r} both give "
                             f"{cls.name}'s {share.replace('_', ' ')}; give one")
        v = float(number)
        if pct:
            v = round(v / 100.0, 12)
        elif v > 1:
            raise InputError(f"regime {name!r}: a share without % must be in [0, 1], got "
                             f"{number}; write '{cls.name} {number} %' for {number} % or "
                             f"'{key} {v / 100:g}'")
        params = {share: v, **params}
    try:
        return cls(**params)
    except TypeError as exc:
        raise InputError(f"regime {name!r}: {exc}") from None


def cli_parameters(command: str = "assign") -> dict[str, tuple[RegimeParam, list[type[Regime]]]]:
    """The regime options of ``hemopt <command>``: ``{keyword: (its first declaration, the
    regime classes declaring it)}``; ``"compare"`` keeps those marked ``compare``."""
    out: dict[str, tuple[RegimeParam, list[type[Regime]]]] = {}
    for cls in _REGIMES.values():
        for p in cls.parameters:
            if command == "compare" and not p.compare:
                continue
            if p.name in out:
                out[p.name][1].append(cls)
            else:
                out[p.name] = (p, [cls])
    return out
