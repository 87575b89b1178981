"""Trafikverket 2010:29's second case: LOV with service tasks from a second provider.

For each preset and seed, LOV on the preset against LOV on :func:`hemopt.variants.split_service`
of it (30 % and all of the eligible clients split, 1.5 service hours a week), routed with the
solver at 300 iterations on the same seed. Prints one line per preset and seed and the ratio
of km. Used in docs/validation.md.

Run: .venv/bin/python benchmarks/split_service.py  (about two minutes on two cores)
"""

from __future__ import annotations

import warnings

import hemopt
from hemopt.variants import split_service


def main(presets: tuple[str, ...] = ("strangnas", "botkyrka"), seeds: tuple[int, ...] = (1, 2, 3),
         shares: tuple[float, ...] = (0.3, 1.0), iterations: int = 300) -> list[dict]:
    warnings.simplefilter("ignore")
    settings = hemopt.RoutingSettings(max_iterations=iterations)
    rows = []
    for preset in presets:
        for seed in seeds:
            sc = hemopt.generate(preset, seed=seed)

            def km(s: hemopt.Scenario, _seed: int = seed) -> float:
                a = hemopt.assign(s, hemopt.LOV(), seed=_seed)
                return hemopt.evaluate(a, routing=settings, seed=_seed).kpis["driven_km_per_day"]

            base = km(sc)
            for share in shares:
                sp = split_service(sc, share=share, seed=seed)
                split_km = km(sp)
                rows.append({"preset": preset, "seed": seed, "share": share,
                             "clients_split": sp.meta["split_service"]["clients_split"],
                             "lov_km": base, "split_km": split_km, "ratio": split_km / base})
                print(f"{preset:<10} seed {seed} share {share:.1f}: "
                      f"{rows[-1]['clients_split']:>4} clients split, LOV {base:,.0f} km/day, "
                      f"split {split_km:,.0f} km/day, ratio {split_km / base:.3f}", flush=True)
    return rows


if __name__ == "__main__":
    main()
