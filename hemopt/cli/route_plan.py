"""The ``hemopt route-plan`` command: route a home-care day given as tables.

:func:`add_parser` registers the sub-command on the ``hemopt`` parser's sub-parsers::

    hemopt route-plan visits.csv staff.csv --matrix car=car.csv --matrix walk=walk.csv \\
        --out plan/ [--manual plan.csv] [--time-limit 30] [--seed 0]

It reads the tables (columns: :mod:`hemopt.routing.plan`), one travel-time matrix per mode
(a CSV whose first column and header are the place ids) or a places table with a travel
model per mode (``--places places.csv --model car=urban --model walk=walking``), routes the day with
:func:`hemopt.routing.route_plan`, prints the KPIs (beside the manual plan's, and the manual
plan's violations, with ``--manual``) and writes ``stops.csv``, ``breaks.csv``,
``dropped.csv`` and ``kpis.csv`` (and ``manual_stops.csv``, ``manual_violations.txt``) to
``--out``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``route-plan`` on ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(
        "route-plan",
        help="route a home-care day from a visits table and a staff table",
        description="Route a home-care day: double-staffed visits, skills, excluded staff, "
                    "staff's own travel modes, start and end places, shifts and breaks. "
                    "Visits that cannot be served are dropped with a reason. See "
                    "docs/routing.md.",
    )
    p.add_argument("visits", help="visits table (.csv)")
    p.add_argument("staff", help="staff table (.csv)")
    p.add_argument("--matrix", action="append", default=[], metavar="MODE=FILE",
                   help="travel-time matrix (minutes) of one mode, CSV labelled by place on "
                        "both axes (repeatable)")
    p.add_argument("--places", help="instead of matrices: places table (place, x, y in "
                                    "metres, SWEREF 99 TM), with --model per mode")
    p.add_argument("--model", action="append", default=[], metavar="MODE=PRESET",
                   help="travel model of one mode with --places: urban, rural, walking, "
                        "cycling, or a speed in km/h (detour 1.3, 1 min per trip)")
    p.add_argument("--out", required=True, help="folder for the plan's tables")
    p.add_argument("--manual", help="the hand-made plan (staff, visit[, order]) to re-cost")
    p.add_argument("--tolerance", type=float, default=30.0, metavar="MIN",
                   help="window half-width around a planned time (default 30)")
    p.add_argument("--sync-tolerance", type=float, default=0.0, metavar="MIN",
                   help="how far apart the two staff of a double visit may start (default 0)")
    p.add_argument("--soft-windows", action="store_true",
                   help="allow late starts at a cost instead of dropping the visit")
    p.add_argument("--time-limit", type=float, default=None, metavar="S",
                   help="seconds of search (default: 1000 iterations, deterministic)")
    p.add_argument("--iterations", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_route_plan)
    return p


def _read_csv(path: str, what: str, **kw):
    import pandas as pd

    from hemopt.errors import InputError

    try:
        return pd.read_csv(path, **kw)
    except FileNotFoundError:
        raise
    except (ValueError, pd.errors.ParserError) as err:
        raise InputError(f"{what} {path!r}: cannot read the CSV ({err})") from None


def _cmd_route_plan(args: argparse.Namespace) -> int:
    from hemopt._io import check_folder
    from hemopt.errors import InputError
    from hemopt.routing import route_plan

    matrices: dict = {}
    places = None
    if bool(args.matrix) == bool(args.places):
        raise InputError("give either --matrix MODE=FILE (one per mode) or --places with "
                         "--model MODE=PRESET")
    if args.places:
        from hemopt.travel import TravelModel

        places = _read_csv(args.places, "--places", dtype={"place": str})
        presets = {"urban": TravelModel.urban, "rural": TravelModel.rural,
                   "walking": TravelModel.walking, "cycling": TravelModel.cycling}
        for spec in args.model:
            mode, sep, preset = spec.partition("=")
            if not sep or not mode:
                raise InputError(f"--model must be MODE=PRESET, got {spec!r}")
            if preset in presets:
                matrices[mode] = presets[preset]()
            else:
                try:
                    kmh = float(preset)
                except ValueError:
                    raise InputError(f"--model {mode}: {preset!r} is neither a preset "
                                     f"({', '.join(presets)}) nor a speed in km/h") from None
                matrices[mode] = TravelModel(detour_factor=1.3, speed_kmh=kmh,
                                             overhead_min=1.0)
    for spec in args.matrix:
        mode, sep, file = spec.partition("=")
        if not sep or not mode or not file:
            raise InputError(f"--matrix must be MODE=FILE, got {spec!r}")
        m = _read_csv(file, f"--matrix {mode}", index_col=0)
        m.index = m.index.map(str)
        matrices[mode] = m
    visits = _read_csv(args.visits, "visits", dtype={"visit": str, "place": str})
    staff = _read_csv(args.staff, "staff", dtype={"staff": str, "start": str, "end": str})
    manual = None
    if args.manual:
        manual = _read_csv(args.manual, "--manual", dtype={"staff": str, "visit": str})
    out = check_folder(args.out, "--out")
    plan = route_plan(visits, staff, matrices, places=places, manual=manual,
                      tolerance_min=args.tolerance, sync_tolerance_min=args.sync_tolerance,
                      hard_windows=not args.soft_windows, time_limit_s=args.time_limit,
                      max_iterations=args.iterations, seed=args.seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    plan.stops.to_csv(out / "stops.csv", index=False)
    plan.breaks.to_csv(out / "breaks.csv", index=False)
    plan.dropped.to_csv(out / "dropped.csv", index=False)
    if plan.comparison is not None:
        plan.comparison.to_csv(out / "kpis.csv", index_label="kpi")
        print(plan.comparison.to_string())
        plan.manual.stops.to_csv(out / "manual_stops.csv", index=False)
        (out / "manual_violations.txt").write_text("".join(
            f"{v}\n" for v in plan.manual.violations))
        print(f"\nmanual plan: {len(plan.manual.violations)} violation(s) (its breaks are not "
              "checked)")
        for v in plan.manual.violations[:20]:
            print(f"  - {v}")
    else:
        import pandas as pd

        pd.Series(plan.kpis, name="optimised").to_csv(out / "kpis.csv", index_label="kpi")
        for k, v in plan.kpis.items():
            print(f"{k:>20}  {v}")
    if len(plan.dropped):
        print(f"\ndropped: {len(plan.dropped)} visit(s)")
        for row in plan.dropped.itertuples():
            print(f"  - {row.visit}: {row.reason}")
    print(f"\nwrote {out}/stops.csv, breaks.csv, dropped.csv, kpis.csv", file=sys.stderr)
    return 0
