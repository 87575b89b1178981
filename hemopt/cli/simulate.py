"""The ``hemopt simulate`` command: monthly dynamics over years (see ``docs/simulate.md``).

:func:`add_parser` registers the sub-command on the ``hemopt`` parser's sub-parsers::

    hemopt simulate --preset botkyrka --regime lou --schedule 0.2,0.3,0.5 --years 3 \\
        --seed 1 --start-year 2021 --out sim/
    hemopt simulate --preset strangnas --regime lov --exit largest@6 --years 2 --out sim/

It prints a yearly summary table, writes ``monthly.csv``, ``providers.csv``, ``events.csv``,
``clients.csv``, ``by_year.csv`` and ``simulation.png`` to ``--out``, and reports progress on
stderr. Bad input raises :class:`~hemopt.errors.HemoptError` (the ``hemopt`` command turns it
into exit code 2).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from hemopt._io import check_folder, output_lock, temporary_folder
from hemopt.cli._options import add_scenario_args, check_scenario_args, load_scenario, save_figure
from hemopt.errors import InputError
from hemopt.kpis import format_value

__all__ = ["add_parser"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``simulate`` on ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    s = subparsers.add_parser(
        "simulate",
        help="monthly dynamics over years: queues, staged external share, provider exit",
        description="Simulate a municipality month by month: clients arrive and leave, choose, "
                    "queue for providers with no room; the LOU share follows its schedule; "
                    "providers exit, enter and are rated.",
    )
    add_scenario_args(s)
    from hemopt.cli._regimes import regime_names

    s.add_argument("--regime", default="lov", help=regime_names())
    s.add_argument("--schedule", default=None,
                   help="LOU: external share per year, e.g. 0.2,0.3,0.5 (the last continues)")
    s.add_argument("--external-share", type=float, default=None,
                   help="LOU: the share for every year when --schedule is not given "
                        "(default 0.2)")
    s.add_argument("--procured-share", type=float, default=None,
                   help="zoning: external share (default 0.5)")
    s.add_argument("--years", type=int, default=3)
    s.add_argument("--start-year", type=int, default=None,
                   help="calendar year of the first month (labels only)")
    s.add_argument("--exit", action="append", default=[], metavar="PROVIDER@MONTH",
                   help="a provider closes down at that month (1-based); PROVIDER may be "
                        "'largest' (the external provider with most clients at the start); "
                        "repeatable")
    s.add_argument("--enter", action="append", default=[], metavar="PROVIDER@MONTH",
                   help="a new external provider starts at that month; repeatable")
    s.add_argument("--rating", action="append", default=[], metavar="PROVIDER@MONTH=COLOUR",
                   help="follow-up rating green, yellow or red; repeatable")
    s.add_argument("--inflow", type=float, default=None, help="new clients per month, share")
    s.add_argument("--outflow", type=float, default=None, help="leaving per month, share")
    s.add_argument("--growth", type=float, default=None, help="yearly growth of the inflow")
    s.add_argument("--switch-rate", type=float, default=None,
                   help="monthly probability that a choosing client reconsiders")
    s.add_argument("--queue", default="fifo", choices=["fifo", "first_fit"],
                   help="queue discipline (default fifo)")
    s.add_argument("--routing-months", default="",
                   help="months to route for the routing KPIs, e.g. 0,36 (slow; default none)")
    s.add_argument("--routing", default="approx", choices=["approx", "solver"])
    s.add_argument("--out", default="sim", help="folder for the CSVs and simulation.png")
    s.set_defaults(func=_cmd_simulate)
    return s


def _ints(text: str, what: str) -> list[int]:
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            out.append(int(part))
        except ValueError as exc:
            raise InputError(f"{what}: expected whole numbers separated by commas, got "
                             f"{text!r}") from exc
    return out


def _shares(text: str) -> list[float]:
    out = []
    for part in (p.strip() for p in text.split(",")):
        try:
            out.append(float(part))
        except ValueError as exc:
            raise InputError(f"--schedule: expected shares like 0.2,0.3,0.5, got {text!r}") \
                from exc
    return out


def _at(text: str, flag: str) -> tuple[str, int, str]:
    """``PROVIDER@MONTH`` or ``PROVIDER@MONTH=VALUE`` -> (provider, month, value)."""
    head, _, value = text.partition("=")
    pid, sep, month = head.rpartition("@")
    if not sep or not pid:
        raise InputError(f"{flag}: expected PROVIDER@MONTH, got {text!r}")
    try:
        m = int(month)
    except ValueError as exc:
        raise InputError(f"{flag}: month must be a whole number, got {month!r} in "
                         f"{text!r}") from exc
    return pid.strip(), m, value.strip()


def _largest_external(sc: Any) -> str:
    cl = sc.clients
    kinds = dict(zip(sc.providers["provider_id"], sc.providers["kind"], strict=True))
    counts = cl.loc[cl["current_provider"].map(kinds) == "external",
                    "current_provider"].value_counts()
    if counts.empty:
        raise InputError("--exit largest: the scenario has no external provider with clients")
    top = counts[counts == counts.max()].index
    return str(sorted(top)[0])


def _events(args: argparse.Namespace, sc: Any) -> list[Any]:
    from hemopt.simulate import FollowUp, ProviderEntry, ProviderExit

    evs: list[Any] = []
    for text in args.enter:
        pid, m, _ = _at(text, "--enter")
        evs.append(ProviderEntry(pid, m))
    for text in args.rating:
        pid, m, colour = _at(text, "--rating")
        if not colour:
            raise InputError(f"--rating: expected PROVIDER@MONTH=green|yellow|red, got {text!r}")
        evs.append(FollowUp(pid, m, colour.lower()))
    for text in args.exit:
        pid, m, _ = _at(text, "--exit")
        if pid.lower() == "largest":
            pid = _largest_external(sc)
            print(f"--exit largest: {pid}", file=sys.stderr)
        evs.append(ProviderExit(pid, m))
    return evs


def _schedule(args: argparse.Namespace) -> Any:
    from hemopt.regimes import regime_from_name
    from hemopt.simulate import lou_schedule

    name = args.regime.lower()
    for flag, v, regime in (("--schedule", args.schedule, "lou"),
                            ("--external-share", args.external_share, "lou"),
                            ("--procured-share", args.procured_share, "zoning")):
        if v is not None and name != regime:
            raise InputError(f"{flag} applies to --regime {regime}, not {args.regime!r}; it "
                             "would be ignored")
    if args.schedule is not None and args.external_share is not None:
        raise InputError("--external-share cannot be used with --schedule: the schedule gives "
                         "the share of every year; give one")
    if name == "lou":
        if args.schedule is not None and not args.schedule.strip():
            raise InputError("--schedule: empty; give shares like 0.2,0.3,0.5, or leave the "
                             "option out for --external-share (default 0.2)")
        shares = (_shares(args.schedule) if args.schedule
                  else [0.2 if args.external_share is None else args.external_share])
        schedule = lou_schedule(shares)
        if len(shares) > args.years:
            raise InputError(f"--schedule: {len(shares)} shares for --years {args.years}; "
                             "give one share per year")
        return schedule
    params = {"zoning": {"seed": args.seed} | ({} if args.procured_share is None
                                              else {"procured_share": args.procured_share})}
    return regime_from_name(args.regime, **params.get(name, {}))


def _params(args: argparse.Namespace) -> Any:
    from hemopt.simulate import SimParams

    kw: dict[str, Any] = {"queue_discipline": args.queue}
    for flag, name in (("inflow", "inflow_rate_per_month"), ("outflow", "outflow_rate_per_month"),
                       ("growth", "annual_growth"), ("switch_rate", "switch_rate_per_month")):
        v = getattr(args, flag)
        if v is not None:
            kw[name] = v
    return SimParams(**kw)


def _fmt(v: Any, fmt: str) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return "-" if math.isnan(f) else fmt.format(f)


def format_years(res: Any) -> str:
    """The yearly summary table printed by ``hemopt simulate``."""
    y = res.by_year()
    m0 = res.monthly.iloc[0]
    cols = [
        ("year", "year", "{:.0f}"),
        ("regime", "regime", None),
        ("clients", "clients_end", "{:.0f}"),
        ("in", "arrivals", "{:.0f}"),
        ("out", "departures", "{:.0f}"),
        ("ext %", "external_share_hours_end", "pct"),
        ("cap %", "external_share_cap", "pct"),
        ("queue", "queue_end", "{:.0f}"),
        ("wait", "wait_mean_months_end", "{:.1f}"),
        ("p90", "wait_p90_months_end", "{:.1f}"),
        ("1st %", "first_choice_met_pct_end", "{:.1f}"),
        ("forced", "forced_switches", "{:.0f}"),
        ("volunt.", "voluntary_switches", "{:.0f}"),
    ]
    widths = [6, 10, 8, 6, 6, 7, 7, 7, 6, 6, 7, 8, 8]
    head = "".join(f"{c[0]:>{w}}" if k != 1 else f"  {c[0]:<{w - 2}}"
                   for k, (c, w) in enumerate(zip(cols, widths, strict=True)))
    lines = [
        f"{res.scenario_name}: {len(res.monthly) - 1} months, seed {res.parameters['seed']}; "
        f"start: {int(m0['clients_in_care'])} clients, queue {int(m0['queue'])}, "
        f"external share {format_value('pct', 100 * m0['external_share_hours'])} %",
        "end-of-year state (clients, shares, queue, waiting in months, first choice met) and "
        "flows over the year",
        head,
    ]
    for _, r in y.iterrows():
        cells = []
        for k, ((_, col, fmt), w) in enumerate(zip(cols, widths, strict=True)):
            v = r[col]
            if k == 1:
                cells.append(f"  {v!s:<{w - 2}}")
            elif fmt == "pct":
                cells.append(f"{_fmt(100 * float(v), '{:.1f}'):>{w}}")
            else:
                cells.append(f"{_fmt(v, str(fmt)):>{w}}")
        lines.append("".join(cells))
    ev = res.events
    if len(ev):
        lines.append("")
        for r in ev.itertuples():
            extra = (f": {r.clients_moved} clients moved" if r.event == "exit"
                     else f": {r.rating}" if r.event == "rating" else "")
            lines.append(f"  month {r.month:>3}  {r.event} {r.provider_id}{extra}")
    routed = res.monthly[res.monthly["routing"] != ""]
    if len(routed):
        lines.append("")
        lines.append(f"  {'month':>5}{'routing':>9}{'km/day':>10}{'staff h/day':>13}"
                     f"{'driving %':>11}{'stops/visit':>13}")
        for r in routed.itertuples():
            lines.append(f"  {r.month:>5}{r.routing:>9}{r.driven_km_per_day:>10.0f}"
                         f"{r.staff_hours_per_day:>13.0f}{100 * r.driving_share:>11.1f}"
                         f"{r.stops_per_visit:>13.3f}")
    return "\n".join(lines)


def _cmd_simulate(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hemopt.simulate import simulate

    t0 = time.perf_counter()
    check_scenario_args(args)
    schedule = _schedule(args)
    params = _params(args)
    routing_months = _ints(args.routing_months, "--routing-months")
    out = check_folder(args.out, "--out", files=(*_CSVS, "simulation.png"))
    with output_lock(out, "--out", folder=True):
        sc = load_scenario(args)
        events = _events(args, sc)
        print(f"simulating {args.years} year(s) month by month ...", file=sys.stderr)
        res = simulate(sc, schedule, years=args.years, seed=args.seed, sim_params=params,
                       events=events, routing_months=routing_months, routing=args.routing,
                       start_year=args.start_year, progress=True)
        print(format_years(res))
        paths = _write_csvs(res, out)
        from hemopt.viz import plot_simulation

        fig = plot_simulation(res)
        png = save_figure(fig, out / "simulation.png", dpi=110)
        plt.close(fig)
    print()
    for p in [*paths, png]:
        print(f"wrote {p}")
    print(f"done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


_CSVS = ("monthly.csv", "providers.csv", "events.csv", "clients.csv", "by_year.csv")


def _write_csvs(res: Any, out: Path) -> list[Path]:
    """``res.to_csv`` into a temporary folder inside ``out``, then each file renamed into
    ``out``: every CSV is whole, the old one or the new one."""
    with temporary_folder(out) as tmp:
        written = res.to_csv(tmp)
        paths = []
        for p in written.values():
            os.replace(p, out / p.name)
            paths.append(out / p.name)
    return paths
