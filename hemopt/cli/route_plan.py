"""The ``hemopt route-plan`` command: route a home-care day given as tables.

:func:`add_parser` registers the sub-command on the ``hemopt`` parser's sub-parsers::

    hemopt route-plan visits.csv staff.csv --matrix car=car.csv --matrix walk=walk.csv \\
        --out plan/ [--manual plan.csv] [--time-limit 30] [--seed 0]

It reads the tables (columns: :mod:`hemopt.day.plan`), one travel-time matrix per mode
(a CSV whose first column and header are the place ids) or a places table with a travel
model per mode (``--places places.csv --model car=urban --model walk=walking``), routes the day with
:func:`hemopt.day.route_plan`, prints the KPIs (beside the manual plan's, and the manual
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
    p.add_argument("--distance", action="append", default=[], metavar="MODE=FILE",
                   help="distance matrix (km) of one mode beside its time matrix, for km and "
                        "their cost (repeatable; a mode without one counts 0 km)")
    p.add_argument("--breaks", help="several breaks per staff member: a table of staff, "
                                    "duration, earliest, latest (one row per break)")
    p.add_argument("--time-limit", type=float, default=None, metavar="S",
                   help="seconds of search: NOT reproducible (the plan depends on the "
                        "machine's speed and load); default: --iterations")
    p.add_argument("--iterations", type=int, default=None,
                   help="iterations of search (default 1000): deterministic, the same plan "
                        "on any machine")
    p.add_argument("--seed", type=int, default=0)
    c = p.add_argument_group("costs (the objective; defaults: compare's cost model)")
    c.add_argument("--wage", type=float, default=300.0, metavar="SEK",
                   help="per paid staff hour (default 300)")
    c.add_argument("--km-cost", type=float, default=4.0, metavar="SEK",
                   help="per km, with --distance or --places (default 4)")
    c.add_argument("--carer-cost", type=float, default=400.0, metavar="SEK",
                   help="per staff member used (default 400: 80 min at the wage)")
    c.add_argument("--overtime-cost", type=float, default=150.0, metavar="SEK",
                   help="per overtime hour on top of the wage, within the staff table's "
                        "max_overtime (default 150)")
    c.add_argument("--drop-cost", type=float, default=10_000.0, metavar="SEK",
                   help="per visit left unserved, times its priority (default 10000)")
    c.add_argument("--continuity-cost", type=float, default=150.0, metavar="SEK",
                   help="per task by a staff member who is not one of the client's usual "
                        "carers or contact person (default 150; 0 ignores continuity)")
    c.add_argument("--max-carers", type=int, default=None, metavar="N",
                   help="at most N different staff per client in the day")
    c.add_argument("--continuity-curve", metavar="SEK,SEK,...",
                   help="also route the day at each of these continuity costs and write the "
                        "km-continuity trade-off to continuity_curve.csv")
    p.set_defaults(func=_cmd_route_plan)
    return p


#: Every file route-plan may write into --out (older ones of these are replaced or removed).
OUT_FILES = ("stops.csv", "breaks.csv", "dropped.csv", "kpis.csv", "manual_stops.csv",
             "manual_breaks.csv", "manual_violations.txt", "continuity_curve.csv", "notes.txt")


def _read_csv(path: str, what: str, *, index_col: int | None = None):
    """A table of route-plan as text, read as the client lists are: comma, semicolon or tab
    (sniffed), UTF-8 or Windows-1252, or an Excel workbook (:func:`hemopt.tables.read_table`)."""
    from hemopt.errors import InputError
    from hemopt.tables import read_table

    if not Path(path).is_file():
        raise InputError(f"{what}: file {path!r} not found")
    frame, notes = read_table(path, what)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if index_col is not None:
        frame = frame.set_index(frame.columns[index_col])
    return frame


def _pairs(specs, option: str) -> list:
    from hemopt.errors import InputError

    out = []
    for spec in specs:
        mode, sep, file = spec.partition("=")
        if not sep or not mode or not file:
            raise InputError(f"{option} must be MODE=FILE, got {spec!r}")
        out.append((mode, file))
    return out


def _matrix(file: str, what: str):
    m = _read_csv(file, what, index_col=0)
    m.index = m.index.map(str)
    return m


def _neutral(df):
    """Cells a spreadsheet would run as a formula neutralised (:func:`hemopt._io.neutralise_frame`,
    OWASP CSV injection); numbers are left alone."""
    from hemopt._io import neutralise_frame

    return neutralise_frame(df)


def _clock_columns(df, cols=("arrival", "start", "end")):
    from hemopt.day.plan_tables import hhmm

    out = df.copy()
    for c in cols:
        if c in out.columns:
            out[c] = [hhmm(x) for x in out[c]]
    return out


def _cmd_route_plan(args: argparse.Namespace) -> int:
    import os

    import pandas as pd

    from hemopt._io import check_folder, output_lock, temporary_folder
    from hemopt.day import route_plan
    from hemopt.day.plan import PlanCosts, continuity_curve
    from hemopt.errors import InputError

    out = check_folder(args.out, "--out", files=OUT_FILES)
    costs = PlanCosts(wage_sek_per_hour=args.wage, sek_per_km=args.km_cost,
                      sek_per_carer=args.carer_cost, overtime_sek_per_hour=args.overtime_cost,
                      drop_sek=args.drop_cost, non_usual_sek=args.continuity_cost)
    curve_costs = None
    if args.continuity_curve:
        try:
            curve_costs = [float(x) for x in args.continuity_curve.split(",") if x.strip()]
        except ValueError:
            raise InputError(f"--continuity-curve must be SEK values separated by commas, got "
                             f"{args.continuity_curve!r}") from None
        if not curve_costs or any(not (c >= 0 and c < float("inf")) for c in curve_costs):
            raise InputError(f"--continuity-curve: costs must be numbers >= 0, got "
                             f"{args.continuity_curve!r}")
    matrices: dict = {}
    places = None
    if bool(args.matrix) == bool(args.places):
        raise InputError("give either --matrix MODE=FILE (one per mode) or --places with "
                         "--model MODE=PRESET")
    if args.places:
        from hemopt.travel import TravelModel

        places = _read_csv(args.places, "--places")
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
                if not 0 < kmh < 1000:
                    raise InputError(f"--model {mode}: speed must be in (0, 1000) km/h, got "
                                     f"{preset!r}")
                matrices[mode] = TravelModel(detour_factor=1.3, speed_kmh=kmh,
                                             overhead_min=1.0)
    for mode, file in _pairs(args.matrix, "--matrix"):
        matrices[mode] = _matrix(file, f"--matrix {mode}")
    distance = {mode: _matrix(file, f"--distance {mode}")
                for mode, file in _pairs(args.distance, "--distance")} or None
    visits = _read_csv(args.visits, "visits")
    staff = _read_csv(args.staff, "staff")
    breaks = _read_csv(args.breaks, "--breaks") if args.breaks else None
    manual = _read_csv(args.manual, "--manual") if args.manual else None
    kw = dict(places=places, distance=distance, breaks=breaks, tolerance_min=args.tolerance,
              sync_tolerance_min=args.sync_tolerance, hard_windows=not args.soft_windows,
              max_carers=args.max_carers, time_limit_s=args.time_limit,
              max_iterations=args.iterations, seed=args.seed, progress=None)
    with output_lock(out, "--out", folder=True):
        plan = route_plan(visits, staff, matrices, manual=manual, costs=costs, **kw)
        curve = (continuity_curve(visits, staff, matrices, curve_costs, costs=costs, **kw)
                 if curve_costs is not None else None)
        files = {
            "stops.csv": _clock_columns(plan.stops),
            "breaks.csv": _clock_columns(plan.breaks),
            "dropped.csv": plan.dropped,
            "kpis.csv": (plan.comparison if plan.comparison is not None else
                         pd.DataFrame({"optimised": pd.Series(plan.kpis)})),
        }
        if plan.manual is not None:
            p = plan.problem
            staff_ids = list(p.staff_ids or [])  # given on every planned problem
            visit_ids = list(p.visit_ids or [])
            files["manual_stops.csv"] = _clock_columns(plan.manual.stops.assign(
                staff=[staff_ids[k] for k in plan.manual.stops.staff],
                visit=[visit_ids[v] for v in plan.manual.stops.visit]))
            files["manual_breaks.csv"] = _clock_columns(plan.manual.breaks.assign(
                staff=[staff_ids[k] for k in plan.manual.breaks.staff]))
            files["manual_violations.txt"] = "".join(f"{v}\n" for v in plan.manual.violations)
        if curve is not None:
            files["continuity_curve.csv"] = curve
        if "run" in files["kpis.csv"].index:
            files["kpis.csv"] = files["kpis.csv"].drop(index="run")
        files["notes.txt"] = "".join(f"{n}\n" for n in (plan.kpis["run"], *plan.notes))
        with temporary_folder(out) as tmp:
            for name, content in files.items():
                if isinstance(content, str):
                    (tmp / name).write_text(content, encoding="utf-8")
                else:
                    _neutral(content).to_csv(tmp / name, index=name == "kpis.csv",
                                             index_label="kpi" if name == "kpis.csv" else None)
            for name in files:
                os.replace(tmp / name, Path(out) / name)
            for name in OUT_FILES:
                if name not in files and (Path(out) / name).is_file():
                    (Path(out) / name).unlink()  # stale, from an earlier run
    table = plan.comparison if plan.comparison is not None else pd.DataFrame(
        {"optimised": pd.Series(plan.kpis)})
    print(table.drop(index="run").to_string())
    print(f"\nrun: {plan.kpis['run']}")
    for n in plan.notes:
        print(f"note: {n}")
    if plan.manual is not None:
        print(f"\nmanual plan: {len(plan.manual.violations)} violation(s)")
        for v in plan.manual.violations[:20]:
            print(f"  - {v}")
    if len(plan.dropped):
        print(f"\ndropped: {len(plan.dropped)} visit(s)")
        for row in plan.dropped.itertuples():
            print(f"  - {row.visit}: {row.constraint} ({row.detail})")
    if curve is not None:
        print("\nkm-continuity trade-off:")
        print(curve.to_string(index=False))
    print(f"\nwrote {', '.join(files)} to {out}", file=sys.stderr)
    return 0
