"""Figures and the self-contained HTML report of a :class:`~hemopt.compare.Comparison`."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hemopt._views import register

if TYPE_CHECKING:
    from hemopt.compare import Comparison

__all__ = ["plot_choice_cost", "plot_kpis", "plot_maps", "reading", "write_html"]

_REGIME_COLOURS = {"LOV": "#4a6fa5", "LOU": "#dd8452", "Zoning": "#55a868"}

_BARS = [
    ("driven_km_per_day", "km driven per day"),
    ("staff_hours_per_day", "staff hours per day"),
    ("driving_share", "share of staff time driving"),
    ("cost_sek_per_year", "cost per year (MSEK)"),
    ("first_choice_pct", "first choice met (%)"),
    ("providers_per_stairwell", "providers per stairwell"),
    ("stops_per_visit", "stops per visit"),
    ("co2_tonnes_per_year", "CO2 per year (tonnes)"),
]


def _colour(name: str, k: int) -> Any:
    import matplotlib as mpl

    return _REGIME_COLOURS.get(name, mpl.colormaps["tab10"](k % 10))


@register("comparison.kpis")
def plot_kpis(comp: Comparison, axes: Any = None) -> Any:
    """A grid of bar charts, one KPI each, one bar per regime. Returns the Figure."""
    import matplotlib.pyplot as plt

    if axes is None:
        fig, axes = plt.subplots(2, 4, figsize=(15, 6.5))
    else:
        fig = np.asarray(axes).flat[0].figure
    names = list(comp.table.index)
    for ax, (col, label) in zip(np.asarray(axes).flat, _BARS, strict=False):
        vals = comp.table[col].to_numpy(dtype=float)
        if col == "cost_sek_per_year":
            vals = vals / 1e6
        bars = ax.bar(names, vals, color=[_colour(n, k) for k, n in enumerate(names)])
        ax.set_title(label, fontsize=10)
        ax.tick_params(labelsize=8)
        for b, v in zip(bars, vals, strict=True):
            ax.annotate(f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}",
                        (b.get_x() + b.get_width() / 2, b.get_height()),
                        ha="center", va="bottom", fontsize=8)
        lo, hi = np.nanmin(vals), np.nanmax(vals)
        if col not in ("first_choice_pct",) and lo > 0 and (hi - lo) / hi < 0.2:
            ax.set_ylim(lo * 0.9, hi * 1.04)  # small differences: zoom, say so
            ax.set_title(label + " (axis zoomed)", fontsize=10)
    fig.suptitle(f"{comp.scenario.name}: regimes compared (seed {comp.seed}, routing "
                 f"{comp.parameters['routing']})")
    fig.tight_layout()
    return fig


@register("comparison.choice_cost")
def plot_choice_cost(comp: Comparison, ax: Any = None) -> Any:
    """First choice met (%) against cost per year (MSEK), one point per regime."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    for k, (name, row) in enumerate(comp.table.iterrows()):
        ax.scatter(row["cost_sek_per_year"] / 1e6, row["first_choice_pct"], s=120,
                   color=_colour(name, k), edgecolor="black", zorder=3)
        ax.annotate(name, (row["cost_sek_per_year"] / 1e6, row["first_choice_pct"]),
                    xytext=(8, 4), textcoords="offset points")
    ax.set_xlabel("cost per year (MSEK): staff time and driving")
    ax.set_ylabel("choosing clients with their first choice (%)")
    ax.set_title("What choice costs")
    ax.grid(alpha=0.3)
    return ax


@register("comparison.maps")
def plot_maps(comp: Comparison, axes: Any = None, *, busiest: int = 10) -> Any:
    """One map per regime, clients coloured by provider, the ``busiest`` stairwells (most
    visits in the day) circled with the number of providers serving them."""
    import matplotlib.pyplot as plt

    from hemopt.plot import plot_assignment

    names = list(comp.assignments)
    if axes is None:
        fig, axes = plt.subplots(1, len(names), figsize=(6.5 * len(names), 7))
    else:
        fig = np.asarray(axes).flat[0].figure
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes.flat, names, strict=False):
        a = comp.assignments[name]
        zones = None
        regime = comp.regimes[name]
        if hasattr(regime, "zones_for"):
            zones = regime.zones_for(comp.scenario)
        plot_assignment(a, ax=ax, zones=zones, title=name)
        v = comp.routings[name].visits
        if len(v):
            top = v.groupby("stairwell_id").agg(n=("visit_id", "size"), x=("x", "first"),
                                                y=("y", "first"),
                                                p=("provider_id", "nunique"))
            top = top.sort_values(["n", "p"], ascending=False).head(busiest)
            ax.scatter(top["x"], top["y"], s=120, facecolor="none", edgecolor="black",
                       linewidth=1.2, zorder=6)
            for r in top.itertuples():
                ax.annotate(str(r.p), (r.x, r.y), xytext=(5, 5), textcoords="offset points",
                            fontsize=8, fontweight="bold")
        ax.set_title(f"{name}: circled = {busiest} busiest stairwells (number = providers)",
                     fontsize=9)
    fig.tight_layout()
    return fig


def _fig_to_base64(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def reading(comp: Comparison) -> list[str]:
    """A short plain-language reading of the result, one sentence per regime versus LOV."""
    t = comp.table
    out = []
    if "LOV" not in t.index:
        return ["No LOV run to compare against."]
    ref = t.loc["LOV"]
    for name, row in t.iterrows():
        if name == "LOV":
            continue
        dkm = row["driven_km_per_day"] - ref["driven_km_per_day"]
        dh = row["staff_hours_per_day"] - ref["staff_hours_per_day"]
        dc = (row["cost_sek_per_year"] - ref["cost_sek_per_year"]) / 1e6
        pkm = 100 * dkm / ref["driven_km_per_day"] if ref["driven_km_per_day"] else 0.0
        more_less = "less" if dkm < 0 else "more"
        out.append(
            f"{name} drives {abs(dkm):,.0f} km {more_less} per day than LOV ({pkm:+.1f} %), "
            f"uses {abs(dh):,.1f} {'fewer' if dh < 0 else 'more'} staff hours per day and "
            f"costs {abs(dc):.2f} MSEK a year {'less' if dc < 0 else 'more'}, while the share "
            f"of choosing clients who get "
            f"their first choice goes from {ref['first_choice_pct']:.1f} % to "
            f"{row['first_choice_pct']:.1f} % and {int(row['queue'])} clients queue. "
            f"Providers per stairwell: {ref['providers_per_stairwell']:.3f} under LOV, "
            f"{row['providers_per_stairwell']:.3f} under {name}."
        )
    out.append(
        "Differences of a few per cent in km or staff hours are within the routing solver's "
        "noise at this effort (see docs/compare.md); the choice figures are exact."
    )
    return out


@register("comparison.html")
def write_html(comp: Comparison, path: str | Path, seeds: Any = None) -> Path:
    """Write the self-contained report (figures embedded as base64 PNG). ``seeds``: the
    :class:`~hemopt.ranges.SeedComparison` the comparison belongs to (ranges section)."""
    from hemopt.compare import KPI_COLUMNS

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figs = {
        "kpis": _fig_to_base64(comp.plot()),
        "choice_cost": _fig_to_base64(comp.plot_choice_cost().figure),
        "maps": _fig_to_base64(comp.maps()),
    }
    table = comp.table.copy()
    fmt = table.T
    diff = comp.diff() if "LOV" in table.index else None
    summary = comp.scenario.summary()
    providers = summary.pop("providers")

    def df_html(df: Any) -> str:
        return df.to_html(float_format=lambda v: f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}",
                          border=0, classes="t", na_rep="–")

    rows_kpi = "".join(
        f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(v)}</td></tr>"
        for k, v in KPI_COLUMNS.items())
    import pandas as pd

    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>hemopt: {html.escape(comp.scenario.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;"
        "color:#222}table.t{border-collapse:collapse;font-size:13px}table.t td,table.t th"
        "{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}img{max-width:100%}"
        "pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}</style></head><body>",
        f"<h1>Home care regimes compared: {html.escape(comp.scenario.name)}</h1>",
        "<p>LOV: free choice among all approved providers. LOU: procured external providers "
        "per area with a capped share of hours, the municipality takes the rest. Zoning: one "
        "provider per zone, assigned by address.</p>",
        "<h2>Reading</h2><ul>",
        *[f"<li>{html.escape(s)}</li>" for s in reading(comp)],
        "</ul>",
        "<h2>Key figures</h2>", df_html(fmt),
    ]
    if diff is not None:
        parts += ["<h2>Difference to LOV</h2>", df_html(diff.T)]
    parts += [
        "<h2>Figures</h2>",
        f"<img alt='KPI bar charts' src='data:image/png;base64,{figs['kpis']}'>",
        f"<img alt='choice versus cost' src='data:image/png;base64,{figs['choice_cost']}'>",
        f"<img alt='maps per regime' src='data:image/png;base64,{figs['maps']}'>",
        "<h2>Scenario</h2>",
        df_html(pd.DataFrame([summary]).T.rename(columns={0: "value"})),
        df_html(pd.DataFrame(providers).set_index("provider_id")),
        "<h2>What the columns mean</h2><table class='t'>", rows_kpi, "</table>",
        "<h2>Parameters (reproduce with these and the seed)</h2>",
        f"<pre>{html.escape(json.dumps(comp.to_dict()['parameters'], indent=2))}</pre>",
        f"<p>hemopt; runtime {comp.runtime_s:.1f} s.</p></body></html>",
    ]
    from hemopt._io import atomic_write_text

    return atomic_write_text(path, "\n".join(parts))  # whole or not at all
