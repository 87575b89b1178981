"""Options shared by several ``hemopt`` commands, and their checks before any work."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hemopt.errors import InputError, ScenarioError

__all__ = ["DEFAULT_PRESET", "add_scenario_args", "check_geodata", "check_scale",
           "check_scenario_args", "load_scenario"]

#: The preset used when neither ``--preset`` nor ``--scenario`` is given.
DEFAULT_PRESET = "strangnas"


def add_scenario_args(p: argparse.ArgumentParser) -> None:
    """The options that choose a scenario: a preset and seed, or ``--scenario file.gpkg``.

    ``--preset`` and ``--scale`` default to ``None`` so that :func:`check_scenario_args` can
    tell a flag the user gave from a default, and refuse one that ``--scenario`` would ignore.
    """
    p.add_argument("--preset", default=None,
                   help=f"strangnas or botkyrka (default {DEFAULT_PRESET})")
    p.add_argument("--scenario", help="a scenario GeoPackage instead of a preset")
    p.add_argument("--seed", type=int, default=1,
                   help="random seed (default 1): with a preset it draws the clients; it also "
                        "draws the day of visits, the order of requests and the solver's "
                        "search. Same seed, same figures")
    p.add_argument("--scale", type=float, default=None,
                   help="multiply the population by this factor, up to 20: below 1 for "
                        "quick runs, above 1 for a denser, larger municipality on the same "
                        "land (--preset botkyrka --scale 14: about 15,000 clients, city "
                        "scale); default 1")


def check_scale(preset: str, scale: float, what: str = "--scale") -> None:
    """Refuse a scale that is not a finite number in (0, 20] or too small to give one client.

    Raises
    ------
    InputError
        Naming ``what``, the value and the smallest scale that works for the preset.
    """
    import math

    from hemopt.synth import get_preset, preset_deso

    if not (isinstance(scale, (int, float)) and not isinstance(scale, bool)
            and math.isfinite(scale) and 0 < scale <= 20):
        raise InputError(f"{what} must be a number in (0, 20], got {scale!r}")
    p = get_preset(preset)
    expected = float(preset_deso(p)["expected_clients"].sum())
    if round(expected * scale) < 1:
        smallest = math.ceil(0.5 / expected * 1e4) / 1e4
        raise InputError(f"{what} {scale!r} gives no client in preset {p.name!r} (about "
                         f"{expected:.0f} clients at scale 1); use {what} {smallest} "
                         "or more")


def check_geodata(path: str | Path, what: str) -> Path:
    """Check a geodata file a command will read (``--boundary``, ``--deso``): it exists and
    GDAL can open it. Its content is checked when it is read."""
    import pyogrio

    p = Path(path)
    if not p.exists():
        raise InputError(f"{what}: file not found: {str(p)!r}")
    try:
        pyogrio.list_layers(p)
    except pyogrio.errors.DataSourceError as exc:
        kind = ("a folder" if p.is_dir() else "an empty file" if p.stat().st_size == 0
                else "not a file GDAL can read")
        raise InputError(f"{what}: {str(p)!r} is {kind}; expected geodata such as a "
                         "GeoPackage, GeoJSON or shapefile") from exc
    return p


def check_scenario_args(args: argparse.Namespace) -> None:
    """Check the scenario options before any work: flags that ``--scenario`` would ignore,
    the seed, the preset and the scale, and that the scenario file is a file."""
    if args.seed < 0:
        raise InputError(f"--seed must be a whole number >= 0, got {args.seed}")
    if args.scenario is not None:
        ignored = [flag for flag, v in (("--preset", args.preset), ("--scale", args.scale))
                   if v is not None]
        if ignored:
            raise InputError(f"{' and '.join(ignored)} cannot be used with --scenario "
                             f"{args.scenario!r}: the scenario file fixes the clients and "
                             f"providers, so {' and '.join(ignored)} would be ignored; drop "
                             "one or the other")
        path = Path(args.scenario)
        if not path.exists():
            raise ScenarioError("file not found", field="--scenario", value=str(path))
        if path.is_file() and path.stat().st_size == 0:
            raise ScenarioError("is an empty file, not a GeoPackage", field="--scenario",
                                value=str(path))
        return
    from hemopt.synth import get_preset

    get_preset(args.preset or DEFAULT_PRESET)
    check_scale(args.preset or DEFAULT_PRESET, 1.0 if args.scale is None else args.scale)


def load_scenario(args: argparse.Namespace):
    from hemopt.scenario import Scenario
    from hemopt.synth import generate

    if getattr(args, "scenario", None):
        print(f"reading {args.scenario} ...", file=sys.stderr)
        return Scenario.from_gpkg(args.scenario)
    preset = args.preset or DEFAULT_PRESET
    print(f"generating preset {preset!r} with seed {args.seed} ...", file=sys.stderr)
    return generate(preset, seed=args.seed, scale=1.0 if args.scale is None else args.scale)


#: Figure formats ``--map`` accepts, with a test that an existing file is of that format.
_FIGURE_KINDS = {
    ".png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    ".pdf": lambda head: head.startswith(b"%PDF"),
    ".svg": lambda head: b"<svg" in head,
    ".jpg": lambda head: head.startswith(b"\xff\xd8"),
    ".jpeg": lambda head: head.startswith(b"\xff\xd8"),
}


def check_figure(path: str | Path, what: str) -> Path:
    """Check a figure output (``--map``): a file whose suffix names a format hemopt writes;
    an existing file is overwritten only if it is a figure of that format."""
    from hemopt._io import check_file

    def is_kind(p: Path) -> bool:
        with open(p, "rb") as f:
            return _FIGURE_KINDS[p.suffix.lower()](f.read(1024))

    return check_file(path, what, kind=f"{Path(path).suffix.lstrip('.').upper()} image",
                      is_kind=is_kind, suffixes=tuple(_FIGURE_KINDS))


def save_figure(fig, path: str | Path, **kwargs) -> Path:
    """``fig.savefig`` to ``path`` atomically (temporary file, then rename)."""
    from hemopt._io import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip(".").lower(), **kwargs)
    return path


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
