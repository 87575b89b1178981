"""Late-bound functions: a function of a higher module that a lower one only names.

One is left: ``Scenario.from_tables`` reaches :mod:`hemopt.tables` through the name
``scenario.from_tables`` (tables builds scenarios, so scenario must not import it back);
:mod:`hemopt.tables` registers it when imported, and importing any part of hemopt imports
the package, which imports it. Figures and reports no longer come through here: they are
functions of :mod:`hemopt.viz`, and the results hold data only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["register", "view"]

_VIEWS: dict[str, Callable[..., Any]] = {}


def register(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: make ``func`` the view called ``name``."""

    def deco(func: Callable[..., Any]) -> Callable[..., Any]:
        _VIEWS[name] = func
        return func

    return deco


def view(name: str) -> Callable[..., Any]:
    """The view registered as ``name``."""
    try:
        return _VIEWS[name]
    except KeyError:
        raise LookupError(f"no view {name!r} is registered; import hemopt (which imports "
                          "hemopt.tables) first") from None
