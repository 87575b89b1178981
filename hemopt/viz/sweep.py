"""Figures of a sweep's results (:func:`hemopt.sweep.sweep`): KPI response curves with
confidence bands over seeds, and zoning's net saving against the value of choice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from hemopt.sweep import summarise

__all__ = ["plot_sweep"]


def plot_sweep(df: pd.DataFrame, by: str, kpis: Iterable[str] = ("driven_km_per_day",
               "staff_hours_per_day", "first_choice_pct"), *, value_of_choice_sek: float | None
               = None, axes: Any = None) -> Any:
    """KPI response curves over ``by`` with confidence bands over seeds, one line per regime.

    With ``value_of_choice_sek`` (SEK per year per percentage point of first choice met), a
    last panel shows zoning's net saving against LOV, ``Δcost + value × Δfirst_choice``, and
    the break-even line at zero: where it is above zero, zoning's savings exceed the stated
    value of the choice lost. Every panel states the number of seeds per point.

    Examples
    --------
    Two values of a grid key, two seeds each (a sweep's table, made by hand here):

    >>> import pandas as pd
    >>> df = pd.DataFrame({"n_external": [2, 2, 4, 4], "regime": ["LOV"] * 4,
    ...                    "seed": [1, 2, 1, 2], "task_id": [0, 0, 1, 1], "error": [""] * 4,
    ...                    "driven_km_per_day": [100.0, 110.0, 120.0, 130.0]})
    >>> fig = plot_sweep(df, "n_external", ["driven_km_per_day"])
    >>> fig.axes[0].get_lines()[0].get_ydata().tolist()  # the mean over seeds
    [105.0, 125.0]
    """
    import matplotlib.pyplot as plt

    kpis = list(kpis)
    n_panels = len(kpis) + (value_of_choice_sek is not None)
    if axes is None:
        fig, axes = plt.subplots(1, n_panels, figsize=(5 * n_panels, 4))
    else:
        fig = np.asarray(axes).flat[0].figure
    axes = np.atleast_1d(axes)
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        s = summarise(df, by, kpi)
        for regime, g in s.groupby("regime"):
            g = g.sort_values(by)
            ax.plot(g[by], g["mean"], marker="o", label=regime)
            ax.fill_between(g[by], g["lo"], g["hi"], alpha=0.2)
        seeds = s["n"].min() if len(s) else 0
        ax.set_title(f"{kpi}\n(95 % CI over seeds, n = {seeds} per point)", fontsize=9)
        ax.set_xlabel(by)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    if value_of_choice_sek is not None:
        ax = axes.flat[len(kpis)]
        ok = df[df["error"] == ""]
        piv = ok.pivot_table(index=["task_id", by], columns="regime",
                             values=["cost_sek_per_year", "first_choice_pct"])
        if "Zoning" in piv["cost_sek_per_year"] and "LOV" in piv["cost_sek_per_year"]:
            saving = piv["cost_sek_per_year"]["LOV"] - piv["cost_sek_per_year"]["Zoning"]
            lost = piv["first_choice_pct"]["LOV"] - piv["first_choice_pct"]["Zoning"]
            net = (saving - value_of_choice_sek * lost).rename("net").reset_index()
            s = summarise(net.assign(regime="Zoning − LOV", error=""), by, "net")
            s = s.sort_values(by)
            ax.plot(s[by], s["mean"] / 1e6, marker="o", color="tab:green")
            ax.fill_between(s[by], s["lo"] / 1e6, s["hi"] / 1e6, alpha=0.2, color="tab:green")
            ax.axhline(0, color="black", linewidth=1, linestyle="--", label="break-even")
            n = int(s["n"].min()) if len(s) else 0
            ax.set_title(f"zoning's net saving (MSEK/yr) at {value_of_choice_sek:,.0f} SEK per "
                         f"point of choice\n(95 % CI, n = {n} seeds per point)", fontsize=9)
            ax.set_xlabel(by)
            ax.legend(fontsize=8)
            ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
