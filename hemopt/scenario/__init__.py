"""The scenario: a municipality's home-care clients, their homes and the providers.

A :class:`Scenario` holds seven tables, all as GeoDataFrames in SWEREF 99 TM (EPSG:3006, metres):

``clients``
    one row per client (brukare, the person receiving home care): ``client_id``,
    ``stairwell_id``, ``building_id``, ``hours_per_week`` (granted care), ``visits_per_day``
    (mean visits per day, may be below one for weekly help), ``ranking`` (tuple of provider ids,
    most wanted first; empty for a client who does not choose), ``current_provider`` (provider
    id, ``""`` for none), ``staff_per_visit`` (1, or 2 for a double-staffed client: a lift or
    two-person transfer; default 1), ``skill`` (a skill every visit needs, e.g.
    ``"delegated"`` for delegated health care such as insulin or wound care; ``""``, the
    default, for none) and a point geometry: the entrance the staff walk to.
``stairwells``
    one row per entrance (trappuppgång): ``stairwell_id``, ``building_id``, ``dwellings``,
    point geometry.
``buildings``
    one row per building: ``building_id``, ``kind`` (``multi_storey``, ``row_house``,
    ``detached``, ``farm`` or any string), ``floors``, footprint geometry (polygon or point).
``providers``
    one row per provider (utförare, the organisation giving the care): ``provider_id``,
    ``name``, ``kind`` (``municipal`` or ``external``), ``capacity_clients`` and
    ``capacity_hours`` (per week, ``inf`` for unbounded), ``zones`` (tuple of zone ids the
    provider may serve, empty for the whole municipality), ``licensed_share`` (the share of
    its staff licensed for delegated health care, 0 to 1; default 1: no limit) and the office
    point.
``zones``
    geographic areas used for procurement (LOU areas) or zoning: ``zone_id``, ``name``,
    polygon geometry. May be empty.
``boundary``
    the municipality: one row with ``name``, ``code`` and its polygon. Clients, stairwells
    and offices must lie inside it (within :data:`BOUNDARY_TOLERANCE_M`).
``bases``
    optional extra local bases of providers (``base_id``, ``provider_id``, point), for
    example the municipality's home-care group in each town; shifts start from the office or
    a base. Often empty.

The constructor copies and validates everything; invalid input raises
:class:`~hemopt.errors.ScenarioError` naming the table, row, field and value. Ids are stored as
strings. Input in a geographic CRS (e.g. WGS84) is reprojected to EPSG:3006; input with no CRS
is refused because its units are unknown.
"""

from __future__ import annotations

from hemopt.scenario.core import Scenario, assert_scenario_equal
from hemopt.scenario.patterns import PATTERN_COLUMNS, HasClients, WeeklyPattern, weekly_pattern
from hemopt.scenario.schema import (
    BOUNDARY_TOLERANCE_M,
    CRS,
    ISOLATED_M,
    LIST_SEPARATOR,
    MAX_HOURS_PER_WEEK,
    MAX_VISITS_PER_DAY,
    PROVIDER_KINDS,
    SWEDEN_LATLON,
    SWEDEN_SWEREF,
    isolated_points,
    prepare_boundary,
    warn_isolated,
)

__all__ = [
    "BOUNDARY_TOLERANCE_M",
    "CRS",
    "ISOLATED_M",
    "LIST_SEPARATOR",
    "MAX_HOURS_PER_WEEK",
    "MAX_VISITS_PER_DAY",
    "PATTERN_COLUMNS",
    "PROVIDER_KINDS",
    "SWEDEN_LATLON",
    "SWEDEN_SWEREF",
    "HasClients",
    "Scenario",
    "WeeklyPattern",
    "assert_scenario_equal",
    "isolated_points",
    "prepare_boundary",
    "warn_isolated",
    "weekly_pattern",
]
