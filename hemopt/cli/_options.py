"""Options shared by several ``hemopt`` commands."""

from __future__ import annotations

import argparse
import sys
from typing import Any

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


def _format_summary(s: dict[str, Any]) -> str:
    lines = [
        f"Scenario {s['name']}: {s['area_km2']:.0f} km², "
        f"{s['inhabitants'] if s['inhabitants'] is not None else '?'} inhabitants",
        f"  clients                  {s['clients']:>8}",
        f"  stairwells with clients  {s['stairwells_with_clients']:>8}"
        f"   (of {s['stairwells_total']} in {s['buildings_total']} buildings)",
        f"  clients per stairwell    {s['clients_per_stairwell']:>8.2f}",
        f"  clients sharing a stairwell with another client  "
        f"{100 * s['share_clients_sharing_stairwell']:.1f} %",
        f"  care hours per week      {s['hours_per_week_total']:>8.0f}"
        f"   (mean {s['hours_per_week_mean']:.1f}, median {s['hours_per_week_median']:.1f} "
        "per client)",
        f"  visits per day           {s['visits_per_day_total']:>8.0f}",
        f"  clients who do not choose {100 * s['non_choosers_share']:.1f} %",
        f"  zones                    {s['zones']:>8}",
        "",
        f"  {'provider':<10}{'kind':<10}{'clients':>8}{'hours/wk':>10}{'share':>8}  name",
    ]
    for p in s["providers"]:
        lines.append(
            f"  {p['provider_id']:<10}{p['kind']:<10}{p['clients']:>8}"
            f"{p['hours_per_week']:>10.0f}{100 * p['share_hours']:>7.1f}%  {p['name']}"
        )
    return "\n".join(lines)
