"""Validate the presets' geography against SCB's DeSO data and draw the maps of
``docs/geography.md``.

For each preset and seeds 1-5: clients, clients per 1,000 inhabitants aged 80+, the share of
clients sharing a stairwell, care hours per week, the Pearson and Spearman correlations of
synthetic and expected clients per DeSO area, the share of clients in rural DeSO areas beside
its age-weighted expectation; the time of ``generate(preset, seed=1)``. Prints Markdown tables
and writes ``docs/img/geography_<preset>.png`` (clients over the DeSO areas shaded by people
aged 80+).

    python benchmarks/geography_validation.py [--no-maps]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from hemopt.synth import generate, preset_deso, validation

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(1, 6)


def measure(name: str) -> list[dict]:
    rows = []
    for seed in SEEDS:
        t0 = time.perf_counter()
        sc = generate(name, seed=seed)
        dt = time.perf_counter() - t0
        v = validation(sc)
        s = sc.summary()
        ext = sum(p["clients"] for p in s["providers"] if p["kind"] == "external")
        rows.append({
            "seed": seed, "seconds": dt, "clients": s["clients"],
            "expected": v["expected_clients"],
            "per_1000_80": 1000 * s["clients"] / sc.meta["inhabitants_80plus"],
            "sharing": s["share_clients_sharing_stairwell"],
            "sharing_building": s["share_clients_sharing_building"],
            "hours": s["hours_per_week_total"], "hours_mean": s["hours_per_week_mean"],
            "external": ext / s["clients"], "non_choosers": s["non_choosers_share"],
            "pearson": v["pearson"], "spearman": v["spearman"],
            "rural": v["rural_share"], "rural_expected": v["rural_expected"],
            "stairwells": s["stairwells_total"], "buildings": s["buildings_total"],
            "area_km2": s["area_km2"], "visits": s["visits_per_day_total"],
        })
    return rows


def _rng(rows: list[dict], key: str, fmt: str) -> str:
    vals = [r[key] for r in rows]
    lo, hi = min(vals), max(vals)
    first = fmt.format(rows[0][key])
    return first if fmt.format(lo) == fmt.format(hi) else (
        f"{first} ({fmt.format(lo)}–{fmt.format(hi)})")


def table(results: dict[str, list[dict]]) -> str:
    spec = [
        ("clients", "clients", "{:,.0f}"),
        ("expected clients (age-weighted)", "expected", "{:,.1f}"),
        ("clients per 1,000 inhabitants aged 80+", "per_1000_80", "{:.1f}"),
        ("clients sharing a stairwell with another client", "sharing", "{:.1%}"),
        ("clients sharing a building with another client", "sharing_building", "{:.1%}"),
        ("care hours per week, total", "hours", "{:,.0f}"),
        ("care hours per client per week, mean", "hours_mean", "{:.2f}"),
        ("visits per day", "visits", "{:,.0f}"),
        ("clients whose current provider is external", "external", "{:.1%}"),
        ("clients who do not choose", "non_choosers", "{:.1%}"),
        ("Pearson r, clients vs expected per DeSO", "pearson", "{:.3f}"),
        ("Spearman ρ, clients vs expected per DeSO", "spearman", "{:.3f}"),
        ("clients in rural (A) DeSO areas", "rural", "{:.1%}"),
        ("expected share in rural DeSO areas", "rural_expected", "{:.1%}"),
        ("stairwells (buildings)", "stairwells", "{:,.0f}"),
        ("land area (km²)", "area_km2", "{:.1f}"),
        ("seconds for generate(preset, seed)", "seconds", "{:.2f}"),
    ]
    names = list(results)
    out = ["| figure | " + " | ".join(f"`{n}` seed 1 (seeds 1–5)" for n in names) + " |",
           "|---|" + "---|" * len(names)]
    for label, key, fmt in spec:
        out.append(f"| {label} | " + " | ".join(_rng(results[n], key, fmt) for n in names)
                   + " |")
    return "\n".join(out)


def draw(name: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sc = generate(name, seed=1)
    d = preset_deso(name)
    v = validation(sc)
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.2), gridspec_kw={"width_ratios": [1.25, 1]})
    ax = axes[0]
    d.plot(ax=ax, column="pop_80plus", cmap="Blues", edgecolor="#999999", linewidth=0.4,
           legend=True, legend_kwds={"label": "inhabitants aged 80+ (SCB DeSO 2025)",
                                     "shrink": 0.7})
    sc.zones.boundary.plot(ax=ax, color="tab:red", linewidth=1.0, linestyle="--")
    for zid, g in zip(sc.zones["zone_id"], sc.zones.geometry, strict=True):
        p = g.representative_point()
        ax.annotate(zid, (p.x, p.y), color="tab:red", fontsize=8, ha="center")
    xy = sc.client_xy()
    ax.scatter(xy[:, 0], xy[:, 1], s=2, color="black", label=f"clients ({sc.n_clients})")
    oxy = sc.provider_xy()
    ax.scatter(oxy[:, 0], oxy[:, 1], marker="*", s=90, color="orange", edgecolor="black",
               linewidth=0.5, label="provider offices", zorder=5)
    if len(sc.bases):
        bxy = np.array([[g.x, g.y] for g in sc.bases.geometry])
        ax.scatter(bxy[:, 0], bxy[:, 1], marker="^", s=50, color="tab:green",
                   edgecolor="black", linewidth=0.5, label="municipal bases", zorder=5)
    ax.set_title(f"{name}, seed 1: clients over the DeSO areas", fontsize=10)
    ax.set_axis_off()
    ax.legend(loc="lower left", fontsize=7, markerscale=2)
    ax = axes[1]
    per = v["per_deso"]
    colour = np.where(per["rural"], "tab:green", "tab:blue")
    ax.scatter(per["expected"], per["clients"], s=18, c=colour)
    m = max(per["expected"].max(), per["clients"].max()) * 1.05
    ax.plot([0, m], [0, m], color="grey", linewidth=0.8)
    ax.set_xlabel("expected clients (age bands × coverage by age)")
    ax.set_ylabel("synthetic clients")
    ax.set_title(f"one point per DeSO area (green: rural); Pearson r = {v['pearson']:.3f}",
                 fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv: list[str]) -> int:
    results = {name: measure(name) for name in ("strangnas", "botkyrka")}
    print(table(results))
    bad = [(n, r["seed"]) for n, rows in results.items() for r in rows
           if r["pearson"] < 0.9 or abs(r["rural"] - r["rural_expected"]) > 0.03]
    if "--no-maps" not in argv:
        for name in results:
            out = ROOT / "docs" / "img" / f"geography_{name}.png"
            draw(name, out)
            print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    if bad:
        print(f"targets missed (Pearson >= 0.9, rural share within 3 pp): {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
