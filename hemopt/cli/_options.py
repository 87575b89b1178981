"""Options shared by several ``hemopt`` commands."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_scenario_args", "load_scenario"]


def add_scenario_args(p: argparse.ArgumentParser) -> None:
    """The options that choose a scenario: a preset and seed, or ``--scenario file.gpkg``."""
    p.add_argument("--preset", default="strangnas", help="strangnas or botkyrka")
    p.add_argument("--scenario", help="a scenario GeoPackage instead of a preset")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply the population by this factor (quick runs)")


def load_scenario(args: argparse.Namespace):
    from hemopt.scenario import Scenario
    from hemopt.synth import generate

    if getattr(args, "scenario", None):
        print(f"reading {args.scenario} ...", file=sys.stderr)
        return Scenario.from_gpkg(args.scenario)
    print(f"generating preset {args.preset!r} with seed {args.seed} ...", file=sys.stderr)
    return generate(args.preset, seed=args.seed, scale=args.scale)
