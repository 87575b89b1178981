"""Assert helpers for tests of code that builds on hemopt (like ``geopandas.testing``)."""

from __future__ import annotations

from hemopt.scenario import Scenario, assert_scenario_equal

__all__ = ["assert_scenario_equal", "scenarios_equal"]


def scenarios_equal(left: Scenario, right: Scenario) -> bool:
    """True when :func:`assert_scenario_equal` would pass."""
    return left == right
