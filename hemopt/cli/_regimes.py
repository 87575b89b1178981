"""The regime options of ``hemopt assign`` and ``hemopt compare``, generated from the regime
registry (:mod:`hemopt.regimes.registry`): ``--regime`` / ``--regimes`` take any registered
regime, and every :class:`~hemopt.regimes.RegimeParam` a regime declares is an option."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from hemopt.errors import InputError

__all__ = ["add_regime_args", "make_regime", "regime_names", "regimes_of"]


def regime_names() -> str:
    """The registered regimes' keys in words: ``"lov, lou or zoning"``."""
    from hemopt.regimes import registered_regimes

    keys = list(registered_regimes())
    return keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} or {keys[-1]}"


def add_regime_args(p: argparse.ArgumentParser, command: str) -> None:
    """Add the regime options of ``hemopt <command>`` (``"assign"`` or ``"compare"``) to
    ``p``: ``--regime`` (assign) or ``--regimes`` (compare), and each registered regime's
    parameters (all of them for assign, those marked ``compare`` for compare)."""
    from hemopt.regimes.registry import cli_parameters, registered_regimes

    if command == "assign":
        p.add_argument("--regime", default="lov", help=regime_names())
    else:
        defaults = [k for k, c in registered_regimes().items() if c.in_default]
        p.add_argument("--regimes", default=None,
                       help=f"the regimes to compare, comma-separated, from {regime_names()} "
                            f"(default: {','.join(defaults)}, those the scenario allows)")
    for name, (param, classes) in cli_parameters(command).items():
        who = " and ".join(c.name for c in classes)
        p.add_argument(param.flag, dest=name, type=param.type, choices=param.choices,
                       default=None, help=f"{who}: {param.help}")


def _kind(text: str) -> Any:
    """The registered regime class ``--regime`` names (its key, maybe with a share)."""
    from hemopt.regimes import registered_regimes

    key = text.strip().lower()
    fits = [k for k in registered_regimes() if key.startswith(k)]
    if not fits:
        raise InputError(f"--regime: unknown regime {text!r}; choose {regime_names()}")
    return registered_regimes()[max(fits, key=len)]


def make_regime(args: argparse.Namespace) -> Any:
    """``hemopt assign``'s regime: ``--regime`` with the options its class declares; an
    option of another regime is refused (it would be ignored)."""
    from hemopt.regimes import regime_from_name
    from hemopt.regimes.registry import cli_parameters

    cls = _kind(args.regime)
    params: dict[str, Any] = {}
    for name, (param, classes) in cli_parameters("assign").items():
        value = getattr(args, name, None)
        if value is None:
            continue
        if cls not in classes:
            owners = " or ".join(c.key or c.name.lower() for c in classes)
            raise InputError(f"{param.flag} applies to --regime {owners}, not "
                             f"{args.regime!r}; it would be ignored")
        params[name] = value
    key = cls.key or cls.name.lower()
    share = cls.share_param
    if share is not None and args.regime.strip()[len(key):].strip() and share in params:
        raise InputError(f"--{share.replace('_', '-')} and --regime {args.regime!r} both give "
                         f"{cls.name}'s {share.replace('_', ' ')}; give one")
    if "seed" in _keywords(cls):
        params["seed"] = args.seed
    return regime_from_name(args.regime, **params)


def _keywords(cls: Any) -> set[str]:
    import inspect

    return set(inspect.signature(cls).parameters)


def regimes_of(args: argparse.Namespace) -> Callable[[Any], list[Any]] | None:
    """``hemopt compare``'s regimes as a function of the scenario (for
    :func:`hemopt.ranges.compare_seeds`), or None for the default regimes with no option
    given. ``--regimes`` picks registered regimes (each its class's ``for_scenario`` on the
    scenario); the regime options apply to the regimes that declare them."""
    from hemopt.regimes import regime_class
    from hemopt.regimes.registry import cli_parameters

    given = {name: getattr(args, name) for name in cli_parameters("compare")
             if getattr(args, name, None) is not None}
    chosen = None
    if args.regimes is not None:
        chosen = [regime_class(t) for t in str(args.regimes).split(",") if t.strip()]
        if not chosen:
            raise InputError(f"--regimes: expected names like lov,zoning, got {args.regimes!r}")
        if len({c.name for c in chosen}) != len(chosen):
            raise InputError(f"--regimes: a regime is named twice in {args.regimes!r}")
        for name in given:
            if not any(name in {p.name for p in c.parameters} for c in chosen):
                flag = "--" + name.replace("_", "-")
                raise InputError(f"{flag} applies to no regime of --regimes {args.regimes!r}; "
                                 "it would be ignored")
    if chosen is None and not given:
        return None
    opts = {c.name: {n: v for n, v in given.items() if n in {p.name for p in c.parameters}}
            for c in (chosen or [])}

    def regimes(sc: Any) -> list[Any]:
        from hemopt.compare import default_regimes

        if chosen is None:
            return default_regimes(sc, seed=0, **given)
        out = []
        for cls in chosen:
            why = cls.unavailable(sc)
            if why is not None:
                raise InputError(f"--regimes: {cls.name} cannot run on this scenario: {why}")
            out.append(cls.for_scenario(sc, seed=0, **opts[cls.name]))
        return out

    return regimes
