"""The ``hemopt`` command line: the parser and the generate, assign, compare and sweep
commands (``simulate`` lives in :mod:`hemopt.cli.simulate`)."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import time
import warnings
from pathlib import Path

from hemopt._io import (
    atomic_path,
    check_file,
    check_folder,
    is_geopackage,
    is_parquet,
    output_lock,
)
from hemopt.cli._format import _format_assignment, _format_comparison, _format_ranges
from hemopt.cli._options import (
    _format_summary,
    add_scenario_args,
    check_figure,
    check_geodata,
    check_scale,
    check_scenario_args,
    load_scenario,
    save_figure,
)
from hemopt.cli._regimes import add_regime_args, make_regime, regimes_of
from hemopt.errors import HemoptError, InputError

__all__ = ["main"]


def _cmd_generate(args: argparse.Namespace) -> int:
    from hemopt.geo import read_boundary
    from hemopt.synth import from_public_data, generate

    t0 = time.perf_counter()
    if args.boundary_code and not args.boundary:
        raise InputError("--boundary-code selects a row of --boundary; give --boundary too")
    if not args.deso:
        check_scale(args.preset or "strangnas", args.scale)
    if args.deso:
        if not args.boundary:
            raise HemoptError("--deso needs --boundary: the municipality's land boundary")
        if args.coverage_80 is None:
            raise HemoptError("--deso needs --coverage-80: the share of people aged 80+ with "
                              "home care in ordinary housing (Kolada N21704), e.g. 0.14")
    else:
        for opt in ("coverage_80", "coverage_65_79", "tatorter", "areas", "n_areas"):
            if getattr(args, opt) is not None:
                raise HemoptError(f"--{opt.replace('_', '-')} is used with --deso only")
    for flag in ("boundary", "deso", "tatorter"):
        if getattr(args, flag, None):
            check_geodata(getattr(args, flag), f"--{flag}")
    boundary = None
    if args.boundary and not args.deso:
        # read before any work: a missing or unreadable file is refused at once
        boundary = read_boundary(args.boundary, code=args.boundary_code)
    outputs = _check_outputs(gpkg=args.out, figure=args.map)
    with _locked(outputs):
        if args.deso:
            print(f"building a scenario from {args.deso} and {args.boundary} with seed "
                  f"{args.seed} ...", file=sys.stderr)
            from hemopt.synth import read_areas

            sc = from_public_data(args.boundary, args.deso, coverage_80=args.coverage_80,
                                  coverage_65_79=args.coverage_65_79, tatorter=args.tatorter,
                                  code=args.boundary_code, preset=args.preset, seed=args.seed,
                                  scale=1.0 if args.scale is None else args.scale,
                                  areas=read_areas(args.areas) if args.areas else None,
                                  n_areas=3 if args.n_areas is None else args.n_areas)
        else:
            preset = args.preset or "strangnas"
            print(f"generating preset {preset!r} with seed {args.seed} ...", file=sys.stderr)
            sc = generate(preset, seed=args.seed, boundary=boundary,
                          scale=1.0 if args.scale is None else args.scale)
        print(_format_summary(sc.summary()))
        if args.out:
            with atomic_path(args.out) as tmp:
                sc.to_gpkg(tmp)
            print(f"\nwrote {args.out}")
        if args.map:
            _generate_map(sc, args.map)
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


def _generate_map(sc, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hemopt.viz.maps import plot_scenario_overview

    fig = plot_scenario_overview(sc)
    save_figure(fig, path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def _check_outputs(*, gpkg: str | None = None, figure: str | None = None,
                   folder: str | None = None, files: tuple[str, ...] = (),
                   parquet: str | None = None) -> list[tuple[Path, str, bool]]:
    """Check the output paths given (before any work); returns what to lock: (path, option,
    is a folder)."""
    out: list[tuple[Path, str, bool]] = []
    if gpkg:
        out.append((check_file(gpkg, "--out", kind="GeoPackage", is_kind=is_geopackage),
                    "--out", False))
    if parquet:
        out.append((check_file(parquet, "--out", kind="Parquet file", is_kind=is_parquet),
                    "--out", False))
    if folder:
        out.append((check_folder(folder, "--out", files=files), "--out", True))
    if figure:
        out.append((check_figure(figure, "--map"), "--map", False))
    return out


@contextlib.contextmanager
def _locked(outputs: list[tuple[Path, str, bool]]):
    """Hold the lock of every output for the block: a second run on them fails at once."""
    with contextlib.ExitStack() as stack:
        for path, what, folder in outputs:
            stack.enter_context(output_lock(path, what, folder=folder))
        yield


def _flow_backend(args: argparse.Namespace) -> str:
    """``--flow-backend``, or its old name ``--backend`` (with a warning naming the new)."""
    if args.old_backend is not None:
        if args.flow_backend is not None:
            raise InputError("--backend and --flow-backend both given; --backend is the old "
                             "name of --flow-backend, give --flow-backend only")
        warnings.warn("--backend is deprecated and will be removed in the next release; use "
                      "--flow-backend", FutureWarning, stacklevel=2)
        return str(args.old_backend)
    return args.flow_backend or "ortools"


def _cmd_assign(args: argparse.Namespace) -> int:
    from hemopt.assignment import assign

    t0 = time.perf_counter()
    check_scenario_args(args)
    regime = make_regime(args)
    outputs = _check_outputs(gpkg=args.out, figure=args.map)
    with _locked(outputs):
        sc = load_scenario(args)
        print(f"assigning under {regime.name} ...", file=sys.stderr)
        a = assign(sc, regime, seed=args.seed, flow_backend=_flow_backend(args))
        print(_format_assignment(a))
        if args.out:
            # add the layer to a copy and rename it over the original: never half a file
            with atomic_path(args.out) as tmp:
                if Path(args.out).exists():
                    shutil.copyfile(args.out, tmp)
                a.to_gpkg(tmp)
            print(f"\nwrote layer assignment_{a.regime.lower()} to {args.out}")
        if args.map:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots(figsize=(10, 10))
            zones = None
            if a.regime == "Zoning":
                zones = regime.zones_for(sc)
            from hemopt.viz import plot_assignment

            plot_assignment(a, ax=ax, zones=zones)
            save_figure(fig, args.map, dpi=110, bbox_inches="tight")
            plt.close(fig)
            print(f"wrote {args.map}")
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


#: Seeds of ``hemopt compare`` when ``--seeds`` is not given, and the solver's iterations per
#: instance then: five seeds at 300 iterations keep ``make demo`` within a few minutes on two
#: cores (the single-seed default stays 1,000).
DEFAULT_SEEDS = (1, 2, 3, 4, 5)
SEEDS_ITERATIONS = 300


def _seed_list(text: str | None, headline: int) -> list[int]:
    """``"1-5"``, ``"1,3,7"`` or ``"4"``; the headline seed comes first."""
    if text is None:
        seeds = list(DEFAULT_SEEDS)
    else:
        seeds = []
        try:
            for part in str(text).split(","):
                part = part.strip()
                if "-" in part:
                    lo, hi = (int(x) for x in part.split("-", 1))
                    if hi < lo:
                        raise ValueError
                    seeds.extend(range(lo, hi + 1))
                elif part:
                    seeds.append(int(part))
        except ValueError:
            raise InputError(f"--seeds: expected seeds like 1-5 or 1,3,7, got {text!r}") from None
        if not seeds or min(seeds) < 0:
            raise InputError(f"--seeds: expected seeds >= 0 like 1-5 or 1,3,7, got {text!r}")
    seeds = list(dict.fromkeys(seeds))
    if headline in seeds:
        seeds.remove(headline)
    return [headline, *seeds]


def _settings_of(args: argparse.Namespace):
    """``--settings FILE`` read, or None; an option that the file also sets is an error."""
    if not getattr(args, "settings", None):
        return None
    from hemopt.settings import StudySettings

    clash = [flag for flag, v in (("--routing", args.routing),
                                  ("--max-iterations", args.max_iterations),
                                  ("--time-limit", args.time_limit), ("--workers", args.workers),
                                  ("--no-care", args.care),
                                  ("--continuity/--no-continuity", args.continuity))
             if v is not None]
    if clash:
        raise InputError(f"--settings {args.settings} and {', '.join(clash)}: give each setting "
                         "in the file or as an option, not both")
    return StudySettings.from_toml(args.settings)


def _sensitivity_sentence(doc, path: str) -> str:
    """The printed reading's sentence on an embedded sensitivity result: its two largest
    drivers (in the report's language, :mod:`hemopt.i18n`)."""
    from hemopt.i18n import t

    return t("The two largest drivers over the declared ranges ({method}, {runs} model runs; "
             "{file}): {drivers}. The report's section \"What the answer depends on\" has "
             "each difference's P5, median, P95 and how often its sign holds.",
             method=doc["method"], runs=doc["runs"], file=path,
             drivers=", ".join(doc.get("top_drivers") or []) or "–")


def _cmd_compare(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from hemopt.day.care import CareParams
    from hemopt.ranges import compare_seeds
    from hemopt.regimes import registered_regimes

    t0 = time.perf_counter()
    check_scenario_args(args)
    settings = _settings_of(args)
    if args.routing is None:
        args.routing = settings.routing.method if settings is not None else "solver"
    for flag, v in (("--max-iterations", args.max_iterations),
                    ("--time-limit", args.time_limit), ("--workers", args.workers)):
        if v is not None and args.routing != "solver":
            raise InputError(f"{flag} applies to --routing solver, not {args.routing!r}; it "
                             "would be ignored")
    if args.max_iterations is not None and args.time_limit is not None:
        raise InputError("--max-iterations and --time-limit cannot be used together: the "
                         "solver stops at one or the other; give one")
    if args.max_iterations is not None and args.max_iterations < 1:
        raise InputError(f"--max-iterations must be a whole number >= 1, got "
                         f"{args.max_iterations}")
    if args.time_limit is not None and not args.time_limit > 0:
        raise InputError(f"--time-limit must be a number of seconds > 0, got {args.time_limit}")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be a whole number >= 1, got {args.workers}")
    seeds = _seed_list(args.seeds, args.seed)
    default_it = 1000 if len(seeds) == 1 else SEEDS_ITERATIONS
    iterations = None if args.time_limit is not None else args.max_iterations or default_it
    from hemopt.i18n import check_lang

    check_lang(args.lang)
    outputs = _check_outputs(folder=args.out, files=("comparison.json", "index.html",
                                                     "comparison.xlsx", "assignments.gpkg",
                                                     "map.html"))
    sens = None
    if args.sensitivity:
        from hemopt.sensitivity import read_sensitivity

        sens = read_sensitivity(args.sensitivity)
        if not getattr(args, "scenario", None):
            from hemopt.cli._options import DEFAULT_PRESET

            preset = args.preset or DEFAULT_PRESET
            if str(sens["preset"]).lower() != str(preset).lower():
                raise InputError(f"--sensitivity {args.sensitivity}: computed on preset "
                                 f"{sens['preset']!r}, but this comparison runs preset "
                                 f"{preset!r}; run hemopt sensitivity --preset {preset}")
    regimes = regimes_of(args)

    with _locked(outputs):
        if getattr(args, "scenario", None):
            fixed = load_scenario(args)

            def scenario_of(seed: int):
                return fixed
        else:
            import argparse as _argparse

            def scenario_of(seed: int):
                return load_scenario(_argparse.Namespace(**{**vars(args), "seed": seed}))

        if settings is not None:  # the run's settings all come from the file
            r = compare_seeds(scenario_of, seeds, headline_seed=args.seed,
                              decompose=not args.no_decompose, progress=not args.quiet,
                              settings=settings, regimes=regimes)
        else:
            r = compare_seeds(scenario_of, seeds, headline_seed=args.seed,
                              routing=args.routing, max_iterations=iterations,
                              time_limit_s=args.time_limit, decompose=not args.no_decompose,
                              progress=not args.quiet, continuity=args.continuity,
                              workers=args.workers, regimes=regimes,
                              care=CareParams(enabled=False) if args.care is False else None)
        if r.decomposition_evaluations:
            print(f"decomposition (Shapley values over the steps): "
                  f"{r.decomposition_evaluations} routed assignments, "
                  f"{r.decomposition_runtime_s:.1f} s of the run; --no-decompose skips it",
                  file=sys.stderr)
        c_s = sum(c.continuity_runtime_s for c in r.comparisons.values())
        if c_s > 0:
            print(f"continuity of care (14 days, every regime and seed): {c_s:.1f} s of the "
                  "run; --no-continuity skips it", file=sys.stderr)
        comp = r.headline
        for cls in registered_regimes().values():
            why = cls.unavailable(comp.scenario)
            if args.regimes is None and cls.in_default and why is not None:
                print(f"{cls.name} was not run: {why}.", file=sys.stderr)
        print()
        print(f"seed {args.seed}:")
        print(_format_comparison(comp))
        if len(seeds) > 1:
            print()
            print(_format_ranges(r))
        print()
        from hemopt.viz import reading

        for sentence in reading(comp, r if len(seeds) > 1 else None, lang=args.lang):
            print("- " + sentence)
        if sens is not None:
            from hemopt.i18n import language

            with language(args.lang):
                print("- " + _sensitivity_sentence(sens, args.sensitivity))
        out = Path(args.out)
        if sens is None:
            print(f"\nwrote {r.to_json(out / 'comparison.json')}")
        else:
            import json

            from hemopt._io import atomic_write_text

            doc = {**r.to_dict(), "sensitivity": sens}
            path = atomic_write_text(out / "comparison.json", json.dumps(doc, indent=2) + "\n")
            print(f"\nwrote {path} (with the sensitivity result of {args.sensitivity})")
        page = None
        if args.interactive_map:
            from hemopt.viz import write_interactive_map

            page = write_interactive_map(comp, out / "map.html", lang=args.lang).name
            print(f"wrote {out / page} (loads Leaflet and map tiles from the internet)")
        from hemopt.viz import write_excel, write_gpkg, write_report

        html = write_report(r, out / "index.html", lang=args.lang, interactive_map=page,
                            sensitivity=sens)
        print(f"wrote {html}")
        print(f"wrote {write_excel(r, out / 'comparison.xlsx')}")
        print(f"wrote {write_gpkg(comp, out / 'assignments.gpkg')}")
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from hemopt.sweep import read_config, sweep
    from hemopt.viz import plot_sweep

    cfg = read_config(args.config)
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be a whole number >= 1, got {args.workers}")
    cluster_opt = "--scheduler" if args.scheduler else (
        "--scheduler-file" if args.scheduler_file else None)
    if args.scheduler and args.scheduler_file:
        raise InputError("--scheduler and --scheduler-file both name a Dask cluster; give one")
    if cluster_opt and args.workers is not None:
        raise InputError(f"--workers cannot be used with {cluster_opt}: the Dask cluster has "
                         "its own workers; drop one or the other")
    out = Path(args.out)
    parts = out.with_name(out.name + ".parts")
    by = cfg["plot_by"]
    png = out.with_suffix(".png") if by else None
    outputs = _check_outputs(parquet=args.out)
    check_folder(parts, "--out (its parts folder)")
    if png is not None:
        check_figure(png, "--out (its plot)")
    client = None
    if cluster_opt:
        from hemopt.sweep import connect

        client = connect(address=args.scheduler, scheduler_file=args.scheduler_file)
    t0 = time.perf_counter()
    try:
        with _locked(outputs):
            df = sweep(cfg["grid"], seeds=cfg["seeds"], routing=cfg["routing"],
                       max_iterations=cfg["max_iterations"], cost=cfg["cost"], client=client,
                       n_workers=args.workers, out=parts, progress=not args.quiet)
            with atomic_path(out) as tmp:
                df.to_parquet(tmp, index=False)
            n_err = int((df["error"] != "").sum())
            el = time.perf_counter() - t0
            print(f"{len(df)} rows ({df['task_id'].nunique()} scenarios, {n_err} failed) "
                  f"in {el:.1f} s -> {out}")
            if n_err:
                for msg, k in df.loc[df["error"] != "", "error"].value_counts().items():
                    print(f"  failed {k}x: {msg}")
            if png is not None:
                import matplotlib

                matplotlib.use("Agg")
                fig = plot_sweep(df, by, value_of_choice_sek=cfg["value_of_choice_sek"])
                save_figure(fig, png, dpi=110)
                print(f"wrote {png}")
    finally:
        if client is not None:
            client.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    from hemopt import __version__

    parser = argparse.ArgumentParser(
        prog="hemopt",
        description="Home-care (hemtjänst) organisation models: LOV, LOU and zoning compared.",
    )
    parser.add_argument("--version", action="version", version=f"hemopt {__version__}")
    loud = parser.add_mutually_exclusive_group()
    loud.add_argument("-v", "--verbose", action="count", default=0,
                      help="more messages on stderr (-v: what each step does, -vv: debug)")
    loud.add_argument("-q", "--quiet", action="store_true",
                      help="only warnings and errors on stderr (no progress bars)")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser(
        "generate", help="generate a synthetic municipality (a preset, or any municipality "
        "from public SCB files with --boundary, --deso and --coverage-80)")
    g.add_argument("--preset", default=None,
                   help="strangnas or botkyrka (default strangnas; with --deso: the market "
                        "and care parameters, default the generic LOV market)")
    g.add_argument("--seed", type=int, default=1,
                   help="random seed: draws the clients, their care and choices (same seed, "
                        "same municipality; default 1)")
    g.add_argument("--scale", type=float, default=1.0,
                   help="multiply the population by this factor (quick runs)")
    g.add_argument("--boundary", help="municipality land boundary (GeoPackage/GeoJSON/...)")
    g.add_argument("--boundary-code",
                   help="kommun code: the boundary row to keep (and the DeSO areas of a "
                        "national file)")
    g.add_argument("--deso", help="DeSO areas with age bands (GeoPackage/GeoJSON/...): build "
                                  "the scenario from public data")
    g.add_argument("--coverage-80", type=float,
                   help="share of people aged 80+ with home care (Kolada N21704), e.g. 0.14")
    g.add_argument("--coverage-65-79", type=float,
                   help="share of people aged 65-79 with home care (default 0.15 x the 80+ "
                        "share)")
    g.add_argument("--tatorter", help="optional tätort points (name, pop, area in ha)")
    g.add_argument("--areas", help="with --deso: the areas (LOU procurement areas, zoning "
                   "zones) as a CSV of deso_code,area (DeSO or RegSO codes or prefixes)")
    g.add_argument("--n-areas", type=int, default=None,
                   help="with --deso and no --areas: design this many contiguous areas of "
                        "whole DeSO areas with balanced care (default 3; 0: none, and then "
                        "LOU cannot run)")
    g.add_argument("--out", help="write the scenario to this GeoPackage")
    g.add_argument("--map", help="write a map PNG here")
    g.set_defaults(func=_cmd_generate)

    a = sub.add_parser("assign", help="assign providers to clients under one regime")
    add_scenario_args(a)
    add_regime_args(a, "assign")
    a.add_argument("--flow-backend", default=None,
                   help="the min-cost flow solver: ortools (default), networkx or cpsat")
    a.add_argument("--backend", dest="old_backend", default=None,
                   help="the old name of --flow-backend (deprecated)")
    a.add_argument("--out", help="write the assignment as a layer of this GeoPackage")
    a.add_argument("--map", help="write a map PNG here")
    a.set_defaults(func=_cmd_assign)

    c = sub.add_parser("compare", help="compare LOV, LOU and zoning on one municipality")
    add_scenario_args(c)
    c.add_argument("--routing", default=None, choices=["solver", "approx"],
                   help="solver (the default): route every provider's day with the VRPTW "
                        "solver (minutes at full scale); approx: the calibrated continuous "
                        "approximation (seconds; continuity of care still routes 14 days, see "
                        "--no-continuity)")
    c.add_argument("--settings", default=None,
                   help="a StudySettings TOML file (routing, costs, visits, shifts, care, "
                        "bases, travel, continuity, assumptions); the options it covers are "
                        "then not given")
    c.add_argument("--max-iterations", type=int, default=None,
                   help="solver iterations per provider and shift (deterministic; default "
                        "300 with several seeds, 1000 with one)")
    c.add_argument("--time-limit", type=float, default=None,
                   help="seconds per provider and shift instead of an iteration limit")
    c.add_argument("--seeds", default=None,
                   help="seeds for the ranges, e.g. 1-5 (the default) or 1,3,7; with a preset "
                        "each seed draws new clients, with --scenario a new day and new draws; "
                        "--seeds 1 for one seed")
    cont = c.add_mutually_exclusive_group()
    cont.add_argument("--continuity", dest="continuity", action="store_true", default=None,
                      help="report continuity of care over 14 days for every regime (distinct "
                           "staff per client, contact person, temps; the default up to "
                           "5,000 clients, skipped above unless given)")
    cont.add_argument("--no-continuity", dest="continuity", action="store_false",
                      help="skip continuity of care (saves about 4 s per regime and seed at "
                           "full scale)")
    c.add_argument("--no-care", dest="care", action="store_false", default=None,
                   help="route every visit with one staff member and no break: no double "
                        "staffing, skills or breaks (they are modelled by default)")
    c.add_argument("--workers", type=int, default=None,
                   help="with --routing solver: processes routing each day side by side "
                        "(default: every core; the results do not depend on it)")
    c.add_argument("--no-decompose", action="store_true",
                   help="skip splitting each difference to LOV into its causes")
    add_regime_args(c, "compare")
    c.add_argument("--sensitivity", default=None, metavar="FILE",
                   help="a sensitivity.json written by hemopt sensitivity --out DIR: embedded "
                        "in the report (\"What the answer depends on\") and in "
                        "comparison.json under \"sensitivity\"")
    c.add_argument("--out", default="report",
                   help="folder for index.html, comparison.json, comparison.xlsx (one sheet "
                        "per table) and assignments.gpkg (each regime's assignment)")
    c.add_argument("--lang", default="en", choices=["en", "sv"],
                   help="language of the report and the printed reading: en (default) or "
                        "sv (Swedish, in the words councils use)")
    c.add_argument("--interactive-map", action="store_true",
                   help="also write map.html, an interactive map of every regime linked from "
                        "the report (it loads Leaflet and map tiles from the internet; the "
                        "report itself works offline)")
    c.set_defaults(func=_cmd_compare)

    w = sub.add_parser("sweep", help="many scenarios x regimes x seeds (local or Dask)")
    w.add_argument("--config", required=True, help="TOML with [grid] and [sweep] tables")
    w.add_argument("--out", default="results.parquet", help="Parquet file of the results")
    w.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    w.add_argument("--scheduler-file", help="Dask scheduler file (JSON written by "
                   "`dask scheduler --scheduler-file`, as on SLURM/HPC clusters)")
    w.add_argument("--workers", type=int, default=None, help="local processes (default: CPUs)")
    w.set_defaults(func=_cmd_sweep)

    from hemopt.cli.simulate import add_parser as add_simulate

    add_simulate(sub)

    from hemopt.cli.import_tables import add_parser as add_import

    add_import(sub)

    from hemopt.cli.route_plan import add_parser as add_route_plan

    add_route_plan(sub)

    from hemopt.cli.sensitivity import add_parser as add_sensitivity

    add_sensitivity(sub)
    from hemopt.cli.atlas import add_parser as add_atlas

    add_atlas(sub)

    v = sub.add_parser("versions", help="print versions of hemopt and its dependencies")
    v.set_defaults(func=lambda a: (__import__("hemopt").show_versions(), 0)[1])
    for sp in sub.choices.values():  # -v/-q after the command too (hemopt compare -q ...)
        loudness = sp.add_mutually_exclusive_group()
        loudness.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                              help="more messages on stderr (-v, -vv)")
        loudness.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                              help="only warnings and errors on stderr (no progress)")
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"hemopt: warning: {message}", file=sys.stderr if file is None else file)


def main(argv: list[str] | None = None) -> int:
    """Run the ``hemopt`` command line; returns the exit code: 0 done, 2 refused (a
    :class:`~hemopt.errors.HemoptError`, printed as one line), 1 the system refused (a file
    could not be read or written), 130 interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from hemopt._progress import configure_logging

    configure_logging(-1 if args.quiet else args.verbose)
    from hemopt.errors import MissingColumnWarning

    with warnings.catch_warnings():
        # hemopt's warnings (extrapolation, scaling, a missing column) are part of the
        # command's output, one line each, whatever the filters of the calling process say
        warnings.showwarning = _show_warning
        warnings.filterwarnings("default", category=UserWarning)
        warnings.filterwarnings("always", category=MissingColumnWarning)
        try:
            return int(args.func(args))
        except HemoptError as exc:
            print(f"hemopt: error: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            where = f": {exc.filename!r}" if exc.filename else ""
            print(f"hemopt: error: {exc.strerror or exc}{where}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("hemopt: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
