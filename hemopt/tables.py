"""A scenario from the tables a municipality has: a client list and a provider list.

An analyst has a spreadsheet exported from the case-management system (*verksamhetssystem*),
not a GeoPackage. :func:`scenario_from_tables` (also :meth:`hemopt.Scenario.from_tables` and
``hemopt import``) reads

``clients``
    one row per client: an id, ``hours_per_week``, optionally ``visits_per_day``,
    ``current_provider`` and ``ranking`` (provider ids, most wanted first, separated by ``;``,
    e.g. ``E1;E3;M``), and where the client lives: SWEREF 99 TM ``x``/``y`` (or ``e``/``n``),
    WGS84 ``lat``/``lon``, or an ``address`` key looked up in an ``addresses`` table;
``providers``
    one row per provider: ``provider_id``, ``name``, ``kind`` (``municipal`` or ``external``),
    the office's coordinates (as for clients), optionally ``capacity_clients``,
    ``capacity_hours`` (per week) and ``zones`` (zone ids served, ``;``-separated);

each as a CSV file, an Excel workbook (``.xlsx``) or a pandas DataFrame. Stairwells and
buildings are derived from identical or near-identical coordinates (:func:`cluster_points`);
client ids are replaced by stable pseudonyms (:func:`pseudonym`); columns hemopt does not use
(names, personnummer, phone numbers, ...) are dropped with a note. Each bad row raises a
:class:`~hemopt.errors.ScenarioError` naming the file, the line as a spreadsheet shows it
(the header is line 1), the column and the value. ``docs/own-data.md`` is the user's guide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hemopt.scenario.core import Scenario
from hemopt.scenario.pseudonyms import SALT_FILE_ENV, cluster_points, local_salt, pseudonym
from hemopt.scenario.readers import CLIENT_COLUMNS, PROVIDER_COLUMNS, cell_float, read_table
from hemopt.scenario.schema import CRS, SWEDEN_LATLON, SWEDEN_SWEREF

__all__ = [
    "CLIENT_COLUMNS",
    "PROVIDER_COLUMNS",
    "SALT_FILE_ENV",
    "SWEDEN_LATLON",
    "SWEDEN_SWEREF",
    "cell_float",
    "cluster_points",
    "local_salt",
    "pseudonym",
    "read_table",
    "scenario_from_tables",
]


def scenario_from_tables(
    clients: Any,
    providers: Any,
    *,
    addresses: Any = None,
    zones: Any = None,
    boundary: Any = None,
    xy_crs: Any = CRS,
    stairwell_tolerance_m: float = 5.0,
    building_tolerance_m: float = 30.0,
    pseudonymise: bool = True,
    salt: str | None = None,
    keep_columns: Sequence[str] = (),
    boundary_buffer_m: float = 1000.0,
    name: str = "scenario",
) -> Scenario:
    """Build a scenario from a client list and a provider list (CSV, Excel or DataFrames).

    Parameters
    ----------
    clients
        Path to a ``.csv`` or ``.xlsx`` file, or a DataFrame (a GeoDataFrame's points are
        used as the coordinates), one row per client. Columns (case, spaces and hyphens
        ignored; aliases in :data:`CLIENT_COLUMNS`): ``client_id`` and ``hours_per_week``
        (required); ``visits_per_day`` (default: 30-minute visits, ``hours * 2 / 7``);
        ``current_provider``; ``ranking`` (provider ids, most wanted first, separated by
        ``;``, ``,`` or ``|``; empty for a client who does not choose); ``staff_per_visit``
        (1, or 2 for a double-staffed client; empty for 1); ``skill`` (a skill the visits
        need, e.g. ``delegated`` for delegated health care; empty for none); and per row one
        of: ``x``/``y`` (or ``e``/``n``) in ``xy_crs``, ``lat``/``lon`` in WGS84, or an
        ``address`` key found in ``addresses``. A CSV file may be comma-, semicolon- or
        tab-separated, UTF-8 or Windows-1252, and use decimal commas.
    providers
        As ``clients``, one row per provider: ``provider_id`` and ``kind`` (``municipal``
        or ``external``; ``kommunal``, ``extern``, ``privat`` also accepted) required;
        ``name``; the office's coordinates; ``capacity_clients`` and ``capacity_hours``
        (per week; empty for no limit); ``zones`` (ids of the zones served; empty for the
        whole municipality); ``licensed_share`` (share of the staff licensed for delegated
        health care, 0 to 1; empty for 1).
    addresses
        Optional table (path or DataFrame) of an ``address`` key column and coordinates
        (``x``/``y`` or ``lat``/``lon``) that clients and providers without coordinates are
        looked up in. Keys match ignoring case and repeated spaces.
    zones
        Optional zones (LOU areas or zones): a GeoPackage (its ``zones`` layer, or its only
        layer) or GeoJSON path, or a GeoDataFrame, with a ``zone_id`` (or ``id``, ``zone``,
        ``name``) column.
    boundary
        Optional municipality boundary: a GeoPackage/GeoJSON path, a GeoDataFrame or a
        shapely polygon in EPSG:3006. Default: the convex hull of the clients and offices
        buffered by ``boundary_buffer_m``.
    xy_crs
        The CRS of ``x``/``y`` columns (default SWEREF 99 TM, EPSG:3006; e.g. ``EPSG:3011``
        for SWEREF 99 18 00). In EPSG:3006, a file whose ``x`` column holds northings and
        ``y`` eastings (the Swedish survey convention) is read so, with a note.
    stairwell_tolerance_m
        Clients whose points lie within this distance (directly or through a chain, see
        :func:`cluster_points`) share a stairwell; each client is placed at its stairwell's
        point, the mean of its clients' points.
    building_tolerance_m
        Stairwells within this distance form one building (>= ``stairwell_tolerance_m``).
    pseudonymise
        Replace client ids by :func:`pseudonym` (default). ``False`` keeps them.
    salt
        Secret key of the pseudonyms. Default: this machine's secret salt, generated once and
        kept in a file apart from the outputs (:func:`local_salt`; a note says where). It is
        never written to the scenario.
    keep_columns
        Columns beyond the ones above to keep (e.g. a district code); a kept column whose
        values look like personnummer is refused (InputError). All others are dropped with a
        :class:`~hemopt.errors.DroppedColumnWarning` naming them, as they may hold personal
        data (names, personnummer).
    boundary_buffer_m
        Buffer of the default boundary, in metres.
    name
        The scenario's name.

    Returns
    -------
    Scenario
        With ``meta["import"]`` recording the tolerances, whether ids were pseudonymised
        (not the salt) and ``notes``: what was dropped, converted or assumed.

    Raises
    ------
    ScenarioError
        For a bad row or file, naming the file, the line (the header is line 1), the
        column and the value; for a DataFrame the table and the index label.
    InputError
        For a bad parameter (a negative tolerance, an empty salt).

    Examples
    --------
    >>> import pandas as pd
    >>> from hemopt.tables import scenario_from_tables
    >>> clients = pd.DataFrame({
    ...     "client_id": ["K-101", "K-102", "K-103"],
    ...     "name": ["A. Andersson", "B. Berg", "C. Carlsson"],
    ...     "x": [615400.0, 615402.0, 615900.0], "y": [6583800.0, 6583800.0, 6583800.0],
    ...     "hours_per_week": [3.5, 10, 21], "current_provider": ["M", "E1", ""],
    ...     "ranking": ["M;E1", "E1", ""]})
    >>> providers = pd.DataFrame({
    ...     "provider_id": ["M", "E1"], "kind": ["municipal", "external"],
    ...     "lat": [59.377, 59.380], "lon": [17.031, 17.050]})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     sc = scenario_from_tables(clients, providers, salt="our secret")
    >>> caught[0].category.__name__, caught[0].message.column
    ('DroppedColumnWarning', 'name')
    >>> sc.n_clients, sc.clients["stairwell_id"].nunique()
    (3, 2)
    >>> list(sc.clients["client_id"]), "name" in sc.clients.columns
    (['cb1cb46ed3ced', 'c4913fa27e4c2', 'c0c68e91e240c'], False)
    >>> sc.meta["import"]["notes"]  # doctest: +ELLIPSIS
    ["the clients table: dropped columns hemopt does not use: 'name'; ..."]
    """
    return Scenario.from_tables(
        clients, providers, addresses=addresses, zones=zones, boundary=boundary, xy_crs=xy_crs,
        stairwell_tolerance_m=stairwell_tolerance_m, building_tolerance_m=building_tolerance_m,
        pseudonymise=pseudonymise, salt=salt, keep_columns=keep_columns,
        boundary_buffer_m=boundary_buffer_m, name=name)
