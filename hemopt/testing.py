"""Assert helpers for tests of code that builds on hemopt (like ``geopandas.testing``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geopandas.testing import assert_geodataframe_equal

if TYPE_CHECKING:
    from hemopt.scenario import Scenario

__all__ = ["assert_scenario_equal", "scenarios_equal"]

_TABLES = ("clients", "stairwells", "buildings", "providers", "zones", "boundary", "bases")


def assert_scenario_equal(left: Scenario, right: Scenario) -> None:
    """Raise ``AssertionError`` unless both scenarios have identical tables, name and meta.

    Geometries are compared exactly (no tolerance), column order and dtypes included.
    """
    if left.name != right.name:
        raise AssertionError(f"name differs: {left.name!r} != {right.name!r}")
    if left.meta != right.meta:
        raise AssertionError(f"meta differs: {left.meta!r} != {right.meta!r}")
    for t in _TABLES:
        a, b = getattr(left, t), getattr(right, t)
        try:
            assert_geodataframe_equal(a, b, check_less_precise=False, check_crs=True)
        except AssertionError as exc:
            raise AssertionError(f"table {t!r} differs: {exc}") from exc


def scenarios_equal(left: Scenario, right: Scenario) -> bool:
    """True when :func:`assert_scenario_equal` would pass."""
    try:
        assert_scenario_equal(left, right)
    except AssertionError:
        return False
    return True
