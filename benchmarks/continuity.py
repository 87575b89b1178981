"""Continuity of care at full scale: the table of docs/continuity.md and docs/validation.md.

1. For each preset, seed and default regime: the 14 days routed with the solver (30
   iterations per instance) and with the approximation's sweep routes (what ``compare``
   uses by default), staff assigned with the calibrated planner weight
   (``hemopt.continuity.PLANNER_WEIGHT``) for new faces and the contact person; distinct
   staff per client (clients visited every day; clients 65+ with 2+ visits every day,
   Kolada's measure),
   the contact person's share of visits, the temp share. Prints median [min–max] over seeds.
2. With ``--kolada``: Kolada's measure only (``continuity_kolada_mean_staff``: clients 65+,
   2+ visits between 07:00 and 22:00 every day, both staff of a double visit) for LOV with
   the sweep routes, as compare reports it: the calibration table of docs/continuity.md.
3. With ``--tradeoff``: the territory trade-off (:func:`hemopt.continuity.territory_tradeoff`)
   for LOV and zoning on seed 1 of each preset.

Run: .venv/bin/python benchmarks/continuity.py [--seeds 1,2,3] [--kolada] [--tradeoff]
(about 15 s per regime and seed with the solver on two loaded cores, 4 s with the sweep)
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import pandas as pd

import hemopt
from hemopt.continuity import continuity_kpis, territory_tradeoff

KPIS = ("continuity_kolada_mean_staff", "staff_per_client_14d_median",
        "staff_per_client_14d_mean", "staff_per_client_14d_p90",
        "staff_per_client_14d_2visits_mean", "staff_per_client_14d_all_mean",
        "contact_person_visit_pct", "temp_share", "staff_per_provider_mean")


def table(presets: tuple[str, ...], seeds: tuple[int, ...]) -> pd.DataFrame:
    rows = []
    for preset in presets:
        for seed in seeds:
            sc = hemopt.generate(preset, seed=seed)
            for regime in hemopt.default_regimes(sc, seed=seed):
                a = hemopt.assign(sc, regime, seed=seed)
                for method, rs in (("solver", hemopt.RoutingSettings(max_iterations=30)),
                                   ("sweep", hemopt.RoutingSettings(method="approx"))):
                    k = continuity_kpis(a, seed=seed, routing=rs)
                    rows.append({"preset": preset, "seed": seed, "regime": regime.name,
                                 "routes": method, **{x: k[x] for x in KPIS},
                                 "seconds": k["continuity_runtime_s"]})
                    print(rows[-1], file=sys.stderr, flush=True)  # progress
    return pd.DataFrame(rows)


def kolada(presets: tuple[str, ...], seeds: tuple[int, ...]) -> pd.DataFrame:
    """Kolada's measure for LOV, as compare reports it (the sweep routes)."""
    rows = []
    for preset in presets:
        for seed in seeds:
            sc = hemopt.generate(preset, seed=seed)
            a = hemopt.assign(sc, hemopt.LOV(), seed=seed)
            k = continuity_kpis(a, seed=seed, routing=hemopt.RoutingSettings(method="approx"))
            rows.append({"preset": preset, "seed": seed,
                         "kolada_mean_staff": k["continuity_kolada_mean_staff"],
                         "kolada_clients": k["continuity_kolada_clients"],
                         "clients": sc.n_clients, "temp_share": k["temp_share"],
                         "contact_person_visit_pct": k["contact_person_visit_pct"]})
            print(rows[-1], file=sys.stderr, flush=True)  # progress
    return pd.DataFrame(rows)


def median_range(s: pd.Series) -> str:
    return f"{s.median():.1f} [{s.min():.1f}–{s.max():.1f}]"


def main() -> None:
    warnings.simplefilter("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--presets", default="strangnas,botkyrka")
    ap.add_argument("--tradeoff", action="store_true")
    ap.add_argument("--kolada", action="store_true")
    args = ap.parse_args()
    seeds = tuple(int(s) for s in args.seeds.split(","))
    presets = tuple(args.presets.split(","))
    t0 = time.perf_counter()
    if args.kolada:
        print(kolada(presets, seeds).round(2).to_string(index=False))
        print(f"\n{time.perf_counter() - t0:.0f} s")
        return
    df = table(presets, seeds)
    out = df.groupby(["preset", "routes", "regime"], sort=False)[[*KPIS, "seconds"]].agg(
        median_range)
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 20)
    print(out.to_string())
    if args.tradeoff:
        for preset in presets:
            sc = hemopt.generate(preset, seed=seeds[0])
            for regime in (hemopt.LOV(), hemopt.default_regimes(sc, seed=seeds[0])[-1]):
                a = hemopt.assign(sc, regime, seed=seeds[0])
                t = territory_tradeoff(a, (0.0, 1000.0, 3000.0, 10000.0), seed=seeds[0],
                                       routing=hemopt.RoutingSettings(max_iterations=30))
                print(f"\n{preset} {regime.name} seed {seeds[0]}")
                print(t.drop(columns=["route_s"]).round(2).to_string())
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
