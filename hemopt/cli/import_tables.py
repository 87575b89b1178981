"""The ``hemopt import`` command: a scenario GeoPackage from a client list and a provider list.

:func:`add_parser` registers the sub-command on the ``hemopt`` parser's sub-parsers::

    hemopt import clients.csv providers.csv --out scenario.gpkg
    HEMOPT_SALT='our secret' hemopt import clients.xlsx providers.xlsx \\
        --addresses addresses.csv --zones areas.gpkg --out scenario.gpkg

It reads the tables with :func:`hemopt.tables.scenario_from_tables`, prints the scenario's
summary and the notes (dropped columns, conversions), and writes the GeoPackage. A bad row
raises :class:`~hemopt.errors.ScenarioError` naming the file, line, column and value (the
``hemopt`` command turns it into exit code 2).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

__all__ = ["add_parser"]

#: Environment variable read for the pseudonyms' salt when ``--salt`` is not given.
SALT_ENV = "HEMOPT_SALT"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``import`` on ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(
        "import",
        help="build a scenario from a client list and a provider list (CSV or Excel)",
        description="Build a scenario GeoPackage from a client list and a provider list "
                    "(CSV or Excel). Stairwells and buildings are derived from near-identical "
                    "coordinates, client ids are replaced by pseudonyms and columns hemopt "
                    "does not use (names, personnummer) are dropped. See docs/own-data.md.",
    )
    p.add_argument("clients", help="client list: .csv or .xlsx, one row per client")
    p.add_argument("providers", help="provider list: .csv or .xlsx, one row per provider")
    p.add_argument("--out", required=True, help="write the scenario to this GeoPackage")
    p.add_argument("--addresses", help="table of address keys and their coordinates")
    p.add_argument("--zones", help="zones (LOU areas) as GeoPackage or GeoJSON")
    p.add_argument("--boundary", help="municipality boundary (GeoPackage/GeoJSON); default: "
                   "the convex hull of the points plus --boundary-buffer metres")
    p.add_argument("--boundary-buffer", type=float, default=1000.0, metavar="M",
                   help="buffer of the default boundary in metres (default 1000)")
    p.add_argument("--crs", default="EPSG:3006",
                   help="CRS of x/y columns (default EPSG:3006, SWEREF 99 TM)")
    p.add_argument("--stairwell-tolerance", type=float, default=5.0, metavar="M",
                   help="clients this close (metres) share a stairwell (default 5)")
    p.add_argument("--building-tolerance", type=float, default=30.0, metavar="M",
                   help="stairwells this close (metres) form a building (default 30)")
    p.add_argument("--keep-ids", action="store_true",
                   help="keep the client ids instead of pseudonyms (outputs then hold them)")
    p.add_argument("--salt", default=None,
                   help=f"secret key of the pseudonyms; better set it in ${SALT_ENV}, since a "
                        "command line is kept in the shell's history. Default: this machine's "
                        "secret salt, generated once in ~/.config/hemopt/pseudonym-salt "
                        "(or the file named by $HEMOPT_SALT_FILE), never written to --out")
    p.add_argument("--keep-column", action="append", default=[], metavar="COLUMN",
                   help="keep this extra column (repeatable); others are dropped")
    p.add_argument("--name", help="scenario name (default: the --out file's stem)")
    p.set_defaults(func=_cmd_import)
    return p


def _cmd_import(args: argparse.Namespace) -> int:
    from hemopt._io import atomic_path, check_file, is_geopackage
    from hemopt.cli._options import _format_summary
    from hemopt.tables import scenario_from_tables

    t0 = time.perf_counter()
    out = check_file(args.out, "--out", kind="GeoPackage", is_kind=is_geopackage)
    salt = args.salt if args.salt is not None else os.environ.get(SALT_ENV) or None
    print(f"reading {args.clients} and {args.providers} ...", file=sys.stderr)
    sc = scenario_from_tables(
        args.clients, args.providers, addresses=args.addresses, zones=args.zones,
        boundary=args.boundary, xy_crs=args.crs,
        stairwell_tolerance_m=args.stairwell_tolerance,
        building_tolerance_m=args.building_tolerance, pseudonymise=not args.keep_ids,
        salt=salt, keep_columns=args.keep_column, boundary_buffer_m=args.boundary_buffer,
        name=args.name or out.stem,
    )
    print(_format_summary(sc.summary()))
    notes = sc.meta["import"]["notes"]
    if notes:
        print("\nnotes:")
        for n in notes:
            print(f"  - {n}")
    with atomic_path(out) as tmp:  # one file, whole or not at all: no lock needed
        sc.to_gpkg(tmp)
    print(f"\nwrote {out}")
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0
