"""``hemopt sensitivity``: what the headline differences depend on (:mod:`hemopt.sensitivity`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from hemopt.errors import InputError

__all__ = ["add_parser"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``sensitivity`` on ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    s = subparsers.add_parser(
        "sensitivity",
        help="global sensitivity of the regimes' differences to the declared assumptions",
        description="Vary every declared assumption (docs/assumptions.md) over its plausible "
                    "range (SALib: Morris screening or Sobol indices) and report, for Zoning "
                    "- LOV and LOU - LOV in km, paid staff hours, variable and total cost: "
                    "P5/median/P95, the probability that the sign holds and the drivers.",
    )
    s.add_argument("--preset", default="strangnas", help="strangnas (default) or botkyrka")
    s.add_argument("--method", default="morris", choices=["morris", "sobol"])
    s.add_argument("--trajectories", type=int, default=20,
                   help="Morris trajectories ((k+1) runs each), or Sobol's N (N(k+2) runs)")
    s.add_argument("--seeds", default="1",
                   help="seeds every point runs on, averaged (e.g. 1 or 1-3 or 1,4)")
    s.add_argument("--scale", type=float, default=1.0, help="population factor (default 1)")
    s.add_argument("--routing", default=None, choices=["approx", "solver"],
                   help="approx (default) or solver")
    s.add_argument("--settings", default=None,
                   help="a StudySettings TOML file: the settings and the assumptions' ranges")
    s.add_argument("--assumptions", default=None,
                   help="comma-separated names to vary (default: every declared one)")
    s.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    s.add_argument("--workers", type=int, default=None, help="local processes (default: CPUs)")
    s.add_argument("--scheduler", default=None, help="Dask scheduler address")
    s.add_argument("--out", default="sens", help="folder for sensitivity.json, index.html (the "
                   "report's section \"What the answer depends on\"), sensitivity.xlsx, the "
                   "tornado PNG and the resumable parts (default sens/)")
    s.add_argument("--lang", default="en", choices=["en", "sv"],
                   help="language of index.html: en (default) or sv")
    s.set_defaults(func=_cmd_sensitivity)
    return s


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    try:
        for part in text.split(","):
            if "-" in part:
                a, b = (int(x) for x in part.split("-"))
                out += list(range(a, b + 1))
            else:
                out.append(int(part))
    except ValueError:
        raise InputError(f"--seeds: expected e.g. 1, 1-3 or 1,4; got {text!r}") from None
    return out


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hemopt.sensitivity import sensitivity
    from hemopt.settings import StudySettings
    from hemopt.viz import plot_tornado

    t0 = time.perf_counter()
    from hemopt.i18n import check_lang

    check_lang(args.lang)
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be a whole number >= 1, got {args.workers}")
    settings = None
    if args.settings:
        if args.routing is not None:
            raise InputError(f"--settings {args.settings} and --routing: give the routing in "
                             "the file or as an option, not both")
        settings = StudySettings.from_toml(args.settings)
    names = [n.strip() for n in args.assumptions.split(",")] if args.assumptions else None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    client = None
    if args.scheduler:
        from hemopt.sweep import connect

        client = connect(args.scheduler)
    r = sensitivity(args.preset, method=args.method, trajectories=args.trajectories,
                    seeds=_seeds(args.seeds), scale=args.scale, settings=settings,
                    routing=args.routing or "approx", assumptions=names, seed=args.seed,
                    client=client, n_workers=args.workers, out=out / "parts", progress=True)
    print(r.table().to_string(float_format=lambda x: f"{x:,.3g}"))
    print()
    s = r.summary()
    print(s[["unit", "baseline", "p5", "median", "p95", "p_sign"]]
          .to_string(float_format=lambda x: f"{x:,.3g}"))
    print()
    for sentence in r.reading():
        print("- " + sentence)
    print(f"\nwrote {r.to_json(out / 'sensitivity.json')}")
    outputs = list(r.outputs.columns)
    ncol = 2
    nrow = (len(outputs) + 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(13, 2.2 + 0.3 * len(r.assumptions) * nrow),
                             squeeze=False)
    for ax, name in zip(axes.ravel(), outputs, strict=False):
        plot_tornado(r, name, ax=ax)
    for ax in axes.ravel()[len(outputs):]:
        ax.set_visible(False)
    fig.suptitle(f"What the answer depends on: {r.preset}, {r.method}, {r.runs} runs")
    fig.tight_layout()
    png = out / "tornado.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    print(f"wrote {png}")
    from hemopt.viz.excel import sensitivity_sheets, write_workbook
    from hemopt.viz.sensitivity import write_sensitivity_html

    print(f"wrote {write_sensitivity_html(r, out / 'index.html', lang=args.lang)}")
    print(f"wrote {write_workbook(out / 'sensitivity.xlsx', sensitivity_sheets(r))}")
    print(f"done in {time.perf_counter() - t0:.1f} s ({r.runs} model runs)", file=sys.stderr)
    return 0
