"""The ``hemopt atlas`` command: LOV, LOU and zoning across many municipalities.

:func:`add_parser` registers the sub-command on the ``hemopt`` parser's sub-parsers::

    hemopt atlas ../shared/data/atlas --seeds 1-3 --out atlas/ [--codes 0885,2584]
        [--routing solver] [--providers market.csv] [--scheduler-file sched.json]

The data is a folder laid out as ``../shared/data/atlas`` (``deso/``, ``boundaries.geojson``,
``coverage*.csv``) or one national DeSO file with ``--codes``, ``--boundaries`` and
``--coverage``. The results and the report (``index.html``) go to ``--out``; a rerun on the
same folder resumes (see :mod:`hemopt.atlas`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser"]


def _seeds(text: str) -> list[int]:
    from hemopt.errors import InputError

    out: list[int] = []
    try:
        for part in text.split(","):
            if "-" in part:
                lo, hi = (int(x) for x in part.split("-", 1))
                out.extend(range(lo, hi + 1))
            elif part.strip():
                out.append(int(part))
    except ValueError:
        raise InputError(f"--seeds: expected seeds like 1-5 or 1,3,7, got {text!r}") from None
    if not out or min(out) < 0:
        raise InputError(f"--seeds: expected seeds >= 0 like 1-5 or 1,3,7, got {text!r}")
    return list(dict.fromkeys(out))


def _cmd_atlas(args: argparse.Namespace) -> int:
    from hemopt.atlas import atlas
    from hemopt.errors import InputError

    if args.scheduler and args.scheduler_file:
        raise InputError("--scheduler and --scheduler-file both name a Dask cluster; give one")
    client = None
    if args.scheduler or args.scheduler_file:
        from hemopt.sweep import connect

        client = connect(address=args.scheduler, scheduler_file=args.scheduler_file)
    codes = [c.strip() for c in args.codes.split(",")] if args.codes else None
    presets = [] if args.no_presets else ["strangnas", "botkyrka"]
    try:
        res = atlas(args.data, coverage=args.coverage, boundaries=args.boundaries, codes=codes,
                    seeds=_seeds(args.seeds), presets=presets, routing=args.routing,
                    max_iterations=args.max_iterations, n_areas=args.areas,
                    providers=args.providers, scale=args.scale, client=client,
                    n_workers=args.workers, out=args.out,
                    progress=not getattr(args, "quiet", False))
    finally:
        if client is not None:
            client.close()
    from hemopt.viz.atlas import write_atlas_report

    write_atlas_report(res, Path(args.out) / "index.html")
    t = res.table
    print(f"atlas: {len(t)} municipalities, {len(res.failures)} failed task(s), "
          f"{res.runtime_s:.0f} s; report: {args.out}/index.html")
    if len(t) and "km_zoning_vs_lov_pct" in t.columns:
        best = t.nsmallest(3, "km_zoning_vs_lov_pct")
        worst = t.nlargest(3, "km_zoning_vs_lov_pct")
        print("zoning saves most km in: " + ", ".join(
            f"{r.name} ({r.km_zoning_vs_lov_pct:+.1f} %)" for r in best.itertuples()))
        print("and least in: " + ", ".join(
            f"{r.name} ({r.km_zoning_vs_lov_pct:+.1f} %)" for r in worst.itertuples()))
    km = res.typology.get("km", {})
    if km.get("coefficients"):
        print(f"typology (km): R² {km['r2']:.2f}, cross-validated R² {km['cv_r2']:.2f}; "
              "strongest drivers: " + ", ".join(
                  f"{f} ({km['coefficients'][f]:+.2f})" for f in km["drivers"][:3]))
    if args.mine:
        import json

        from hemopt.scenario import Scenario

        sc = Scenario.from_gpkg(args.mine)
        pos = res.find(sc, seeds=_seeds(args.seeds)[:1], routing=args.routing)
        path = Path(args.out) / "mine.json"
        path.write_text(json.dumps(pos, indent=1, default=float) + "\n")
        print(f"{sc.name}: zoning vs LOV {pos['km_zoning_vs_lov_pct']:+.1f} % km, "
              f"{pos['cost_zoning_vs_lov_pct']:+.1f} % cost; "
              + (f"{100 * pos['rank_km']:.0f} % of the atlas municipalities save more km; "
                 if "rank_km" in pos else "")
              + (f"most like {', '.join(pos['nearest'])}; " if pos.get("nearest") else "")
              + f"wrote {path}")
    if len(res.failures):
        print("failed:", file=sys.stderr)
        for r in res.failures.itertuples():
            print(f"  {r.code} {r.name} seed {r.seed}: {r.error}", file=sys.stderr)
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``atlas`` on ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(
        "atlas", help="compare LOV, LOU and zoning across many municipalities",
        description="Build every municipality of a data folder by the generic path, draw a "
                    "declared LOV market, compare LOV, LOU and zoning over seeds and write "
                    "one table and a report (map, typology). See docs/atlas.md.")
    p.add_argument("data", help="atlas folder (deso/, boundaries.geojson, coverage*.csv) or a "
                   "national DeSO file (with --codes, --boundaries, --coverage)")
    p.add_argument("--out", required=True, help="output folder (parts/ make a rerun resume)")
    p.add_argument("--seeds", default="1-3", help="seeds like 1-5 or 1,3,7 (default 1-3)")
    p.add_argument("--codes", help="only these municipality codes, comma-separated")
    p.add_argument("--coverage", help="coverage table (CSV: kommun_kod, n21704_pct_2023)")
    p.add_argument("--boundaries", help="boundary file (kommun_kod, kommun)")
    p.add_argument("--providers", help="providers table (CSV: provider_id, kind, share, "
                   "zones as A1|A2, optional kommun_kod) instead of the drawn LOV market")
    p.add_argument("--areas", type=int, default=3, help="areas designed per municipality "
                   "(default 3)")
    p.add_argument("--routing", choices=("approx", "solver"), default="approx",
                   help="routing: the calibrated approximation (default) or the VRPTW solver")
    p.add_argument("--max-iterations", type=int, default=100,
                   help="solver iterations per instance with --routing solver")
    p.add_argument("--scale", type=float, default=1.0, help="population factor (tests)")
    p.add_argument("--no-presets", action="store_true",
                   help="leave out the presets strangnas and botkyrka (reference points)")
    p.add_argument("--workers", type=int, default=None, help="local processes (default: CPUs)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--scheduler-file", help="Dask scheduler file (JSON written by "
                   "`dask scheduler --scheduler-file`, as on SLURM/HPC clusters)")
    p.add_argument("--mine", help="a scenario of your own (GeoPackage from hemopt generate "
                   "or hemopt import): where it falls among the atlas (mine.json)")
    p.set_defaults(func=_cmd_atlas)
    return p
