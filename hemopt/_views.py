"""Late-bound functions: figures and reports (viz layer) and the table importer, which the
objects of lower modules only name.

``Scenario.plot()``, ``Assignment.plot()`` and ``Comparison.plot()/maps()/to_html()`` look
their drawing function up here by name. :mod:`hemopt.plot` and :mod:`hemopt.report` register
theirs when imported, and importing any part of hemopt imports the package, which imports
them. So the layers below never import the viz layer (``docs/architecture.md``), like PyPSA's
one-way plotting accessors. ``Scenario.from_tables`` reaches :mod:`hemopt.tables` the same way
(tables builds scenarios, so scenario must not import it back).
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
                          "hemopt.plot and hemopt.report) first") from None
