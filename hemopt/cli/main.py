"""The ``hemopt`` command line: the parser and the generate, assign, compare and sweep
commands (``simulate`` lives in :mod:`hemopt.cli.simulate`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from hemopt.cli._options import add_scenario_args, load_scenario
from hemopt.errors import HemoptError

__all__ = ["main"]


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


def _cmd_generate(args: argparse.Namespace) -> int:
    from hemopt.geo import read_boundary
    from hemopt.synth import from_public_data, generate

    t0 = time.perf_counter()
    if args.deso:
        if not args.boundary:
            raise HemoptError("--deso needs --boundary: the municipality's land boundary")
        if args.coverage_80 is None:
            raise HemoptError("--deso needs --coverage-80: the share of people aged 80+ with "
                              "home care in ordinary housing (Kolada N21704), e.g. 0.14")
        print(f"building a scenario from {args.deso} and {args.boundary} with seed "
              f"{args.seed} ...", file=sys.stderr)
        sc = from_public_data(args.boundary, args.deso, coverage_80=args.coverage_80,
                              coverage_65_79=args.coverage_65_79, tatorter=args.tatorter,
                              code=args.boundary_code, preset=args.preset, seed=args.seed,
                              scale=args.scale)
    else:
        for opt in ("coverage_80", "coverage_65_79", "tatorter"):
            if getattr(args, opt) is not None:
                raise HemoptError(f"--{opt.replace('_', '-')} is used with --deso only")
        boundary = None
        if args.boundary:
            boundary = (read_boundary(args.boundary, code=args.boundary_code)
                        if args.boundary_code else args.boundary)
        preset = args.preset or "strangnas"
        print(f"generating preset {preset!r} with seed {args.seed} ...", file=sys.stderr)
        sc = generate(preset, seed=args.seed, boundary=boundary, scale=args.scale)
    print(_format_summary(sc.summary()))
    if args.out:
        out = sc.to_gpkg(args.out)
        print(f"\nwrote {out}")
    if args.map:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(16, 8))
        sc.plot(ax=axes[0])
        biggest = None
        if "settlement" in sc.buildings.columns:
            lut = dict(zip(sc.buildings["building_id"], sc.buildings["settlement"], strict=True))
            counts = sc.clients["building_id"].map(lut).value_counts()
            counts = counts[counts.index != "rural"]
            biggest = str(counts.index[0]) if len(counts) else None
        from hemopt.plot import plot_scenario

        plot_scenario(sc, ax=axes[1], zoom=biggest, title=f"zoom: {biggest}")
        fig.tight_layout()
        Path(args.map).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.map, dpi=110)
        plt.close(fig)
        print(f"wrote {args.map}")
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


def _make_regime(args: argparse.Namespace):
    from hemopt.regimes import regime_from_name

    params = {"lov": {"switch_propensity": args.switch_propensity},
              "lou": {"external_share": args.external_share},
              "zoning": {"n_zones": args.n_zones, "procured_share": args.procured_share,
                         "seed": args.seed}}
    return regime_from_name(args.regime, **params.get(args.regime.strip().lower(), {}))


def _format_assignment(a) -> str:
    s = a.summary()
    lines = [
        f"{a.regime} on {a.scenario.name}: {s['clients']} clients, {s['choosers']} choose",
        f"  first choice met          {s['first_choice_pct']:>7.1f} % of choosing clients",
        f"  queueing for a provider   {s['queue']:>7}",
        f"  unserved                  {s['unserved']:>7}",
        f"  external share of hours   {100 * s['external_share_hours']:>7.1f} %",
        "",
        f"  {'provider':<10}{'kind':<10}{'clients':>8}{'hours/wk':>10}{'share':>8}{'queue':>7}",
    ]
    for r in a.providers.itertuples():
        lines.append(f"  {r.provider_id:<10}{r.kind:<10}{r.clients:>8}{r.hours_per_week:>10.0f}"
                     f"{100 * r.share_hours:>7.1f}%{r.queue:>7}")
    poz = a.problem.provider_of_zone
    if poz is not None:
        lines.append("")
        hours = a.clients.groupby("zone_id")["hours_per_week"].sum()
        for z, p in poz.items():
            lines.append(f"  zone {z:<8} -> {p:<6} {hours.get(z, 0.0):>8.0f} h/wk")
    return "\n".join(lines)


def _cmd_assign(args: argparse.Namespace) -> int:
    from hemopt.assignment import assign

    t0 = time.perf_counter()
    sc = load_scenario(args)
    regime = _make_regime(args)
    print(f"assigning under {regime.name} ...", file=sys.stderr)
    a = assign(sc, regime, seed=args.seed, backend=args.backend)
    print(_format_assignment(a))
    if args.out:
        print(f"\nwrote layer assignment_{a.regime.lower()} to {a.to_gpkg(args.out)}")
    if args.map:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(10, 10))
        zones = None
        if a.regime == "Zoning":
            zones = regime.zones_for(sc)
        a.plot(ax=ax, zones=zones)
        Path(args.map).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.map, dpi=110, bbox_inches="tight")
        plt.close(fig)
        print(f"wrote {args.map}")
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


def _format_comparison(comp) -> str:
    t = comp.table
    rows = [
        ("km driven per day", "driven_km_per_day", "{:,.0f}"),
        ("driving share of staff time", "driving_share", "{:.1%}"),
        ("staff hours per day", "staff_hours_per_day", "{:,.0f}"),
        ("cost per year (MSEK)", "cost_sek_per_year", "{:,.2f}"),
        ("CO2 per year (t)", "co2_tonnes_per_year", "{:,.1f}"),
        ("first choice met (%)", "first_choice_pct", "{:.1f}"),
        ("queue (clients)", "queue", "{:.0f}"),
        ("providers per stairwell", "providers_per_stairwell", "{:.3f}"),
        ("stairwells with 2+ providers (%)", "stairwells_multi_provider_pct", "{:.1f}"),
        ("stops per visit", "stops_per_visit", "{:.3f}"),
        ("staff shifts per day", "staff_shifts_per_day", "{:.0f}"),
        ("dropped visits", "dropped_visits", "{:.0f}"),
    ]
    names = list(t.index)
    lines = [f"{'':<34}" + "".join(f"{n:>14}" for n in names)]
    for label, col, fmt in rows:
        vals = t[col].to_numpy(dtype=float)
        if col == "cost_sek_per_year":
            vals = vals / 1e6
        lines.append(f"{label:<34}" + "".join(f"{fmt.format(v):>14}" for v in vals))
    if "LOV" in names:
        d = comp.diff()
        lines.append("")
        lines.append(f"{'versus LOV':<34}" + "".join(f"{n:>14}" for n in names))
        for label, col in (("km driven per day", "driven_km_per_day"),
                           ("staff hours per day", "staff_hours_per_day"),
                           ("cost per year", "cost_sek_per_year")):
            lines.append(f"{label + ' (%)':<34}"
                         + "".join(f"{d.loc[n, col + '_pct']:>+14.2f}" for n in names))
    return "\n".join(lines)


def _cmd_compare(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from hemopt.compare import compare
    from hemopt.report import reading

    t0 = time.perf_counter()
    sc = load_scenario(args)
    comp = compare(sc, routing=args.routing, seed=args.seed, progress=True,
                   max_iterations=args.max_iterations if args.time_limit is None else None,
                   time_limit_s=args.time_limit)
    print()
    print(_format_comparison(comp))
    print()
    for sentence in reading(comp):
        print("- " + sentence)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"\nwrote {comp.to_json(out / 'comparison.json')}")
    print(f"wrote {comp.to_html(out / 'index.html')}")
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    import tomllib

    from hemopt.sweep import plot_sweep, sweep

    path = Path(args.config)
    if not path.exists():
        raise HemoptError(f"--config: file not found: {path}")
    try:
        cfg = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise HemoptError(f"--config: {path} is not valid TOML: {exc}") from exc
    grid = cfg.get("grid", {})
    opts = cfg.get("sweep", {})
    unknown = set(opts) - {"seeds", "routing", "max_iterations", "plot_by",
                           "value_of_choice_sek"}
    if unknown:
        raise HemoptError(f"--config: unknown key(s) in [sweep]: {sorted(unknown)}")
    seeds = opts.get("seeds", [0, 1, 2])
    if isinstance(seeds, int):
        seeds = list(range(seeds))
    client = None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError as exc:
            raise HemoptError("--scheduler needs Dask: pip install 'hemopt[dask]'") from exc
        client = Client(args.scheduler)
    out = Path(args.out)
    parts = out.with_name(out.name + ".parts")
    t0 = time.perf_counter()
    df = sweep(grid, seeds=seeds, routing=opts.get("routing", "approx"),
               max_iterations=opts.get("max_iterations", 100), client=client,
               n_workers=args.workers, out=parts, progress=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(out, index=False)
    n_err = int((df["error"] != "").sum())
    el = time.perf_counter() - t0
    print(f"{len(df)} rows ({df['task_id'].nunique()} scenarios, {n_err} failed) "
          f"in {el:.1f} s -> {out}")
    if n_err:
        for msg, k in df.loc[df["error"] != "", "error"].value_counts().items():
            print(f"  failed {k}x: {msg}")
    by = opts.get("plot_by")
    if by:
        import matplotlib

        matplotlib.use("Agg")
        fig = plot_sweep(df, by, value_of_choice_sek=opts.get("value_of_choice_sek"))
        png = out.with_suffix(".png")
        fig.savefig(png, dpi=110)
        print(f"wrote {png}")
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
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser(
        "generate", help="generate a synthetic municipality (a preset, or any municipality "
        "from public SCB files with --boundary, --deso and --coverage-80)")
    g.add_argument("--preset", default=None,
                   help="strangnas or botkyrka (default strangnas; with --deso: the market "
                        "and care parameters, default the generic LOV market)")
    g.add_argument("--seed", type=int, default=1)
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
    g.add_argument("--out", help="write the scenario to this GeoPackage")
    g.add_argument("--map", help="write a map PNG here")
    g.set_defaults(func=_cmd_generate)

    a = sub.add_parser("assign", help="assign providers to clients under one regime")
    add_scenario_args(a)
    a.add_argument("--regime", default="lov", help="lov, lou or zoning")
    a.add_argument("--external-share", type=float, default=0.2, help="LOU: cap on externals")
    a.add_argument("--switch-propensity", type=float, default=0.1, help="LOV: loyalty")
    a.add_argument("--n-zones", type=int, default=None, help="zoning: design this many zones")
    a.add_argument("--procured-share", type=float, default=0.5, help="zoning: external share")
    a.add_argument("--backend", default="ortools", help="ortools, networkx or cpsat")
    a.add_argument("--out", help="write the assignment as a layer of this GeoPackage")
    a.add_argument("--map", help="write a map PNG here")
    a.set_defaults(func=_cmd_assign)

    c = sub.add_parser("compare", help="compare LOV, LOU and zoning on one municipality")
    add_scenario_args(c)
    c.add_argument("--routing", default="solver", choices=["solver", "approx"])
    c.add_argument("--max-iterations", type=int, default=1000,
                   help="solver iterations per provider and shift (deterministic)")
    c.add_argument("--time-limit", type=float, default=None,
                   help="seconds per provider and shift instead of an iteration limit")
    c.add_argument("--out", default="report", help="folder for index.html and comparison.json")
    c.set_defaults(func=_cmd_compare)

    w = sub.add_parser("sweep", help="many scenarios x regimes x seeds (local or Dask)")
    w.add_argument("--config", required=True, help="TOML with [grid] and [sweep] tables")
    w.add_argument("--out", default="results.parquet", help="Parquet file of the results")
    w.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    w.add_argument("--workers", type=int, default=None, help="local processes (default: CPUs)")
    w.set_defaults(func=_cmd_sweep)

    from hemopt.cli.simulate import add_parser as add_simulate

    add_simulate(sub)

    from hemopt.cli.import_tables import add_parser as add_import

    add_import(sub)

    v = sub.add_parser("versions", help="print versions of hemopt and its dependencies")
    v.set_defaults(func=lambda a: (__import__("hemopt").show_versions(), 0)[1])
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except HemoptError as exc:
        print(f"hemopt: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
