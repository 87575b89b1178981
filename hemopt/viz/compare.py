"""Figures of a :class:`~hemopt.compare.Comparison` (and of the ranges over seeds of a
:class:`~hemopt.ranges.SeedComparison`): KPI bars, choice against cost, the waterfall of the
decomposition, and the maps of each regime."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hemopt.i18n import number as _loc
from hemopt.i18n import t as _t
from hemopt.regimes import regime_colours
from hemopt.viz.format import _measure, _regimes, _seed_stats, _values, fmt_value

if TYPE_CHECKING:
    from hemopt.compare import Comparison
    from hemopt.ranges import SeedComparison

__all__ = ["plot_choice_cost", "plot_comparison", "plot_maps", "plot_regime_map", "plot_waterfall",
           "waterfall_table"]


_REGIME_COLOURS = regime_colours()  # live: {name: colour} of the registered regimes

# ------------------------------------------------------------------------ charts
def _colour(name: str, k: int) -> Any:
    import matplotlib as mpl

    return _REGIME_COLOURS.get(name, mpl.colormaps["tab10"](k % 10))


_BARS = ["driven_km_per_day", "paid_staff_hours_per_day", "cost_sek_per_year",
         "cost_per_care_hour_sek", "first_choice_pct", "queue", "providers_per_stairwell",
         "clients_changing_provider_pct"]


def _scaled(kpi: str, x: np.ndarray) -> np.ndarray:
    kind = _measure(kpi).kind
    if kind == "msek":
        return x / 1e6
    if kind == "share":
        return 100 * x
    return x


def plot_comparison(comp: Comparison, axes: Any = None, *, seeds: SeedComparison | None = None
              ) -> Any:
    """A grid of bar charts, one KPI each, one bar per regime; with ``seeds`` the bars are
    the medians over the seeds and the error bars their range (min–max). Returns the
    Figure.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], max_iterations=20,
    ...                       continuity=False)
    >>> fig = plot_comparison(comp)
    >>> fig.axes[0].get_title()
    'Driving (km per day)'
    """
    import matplotlib.pyplot as plt

    if axes is None:
        fig, axes = plt.subplots(2, 4, figsize=(15, 7))
    else:
        fig = np.asarray(axes).flat[0].figure
    names = _regimes(comp)
    vals_all = _values(comp)
    for ax, col in zip(np.asarray(axes).flat, _BARS, strict=False):
        m = _measure(col)
        if seeds is not None and col in seeds.per_seed.columns:
            st = _seed_stats(seeds, col).reindex(names)
            vals = _scaled(col, st["median"].to_numpy(dtype=float))
            lo = _scaled(col, st["low"].to_numpy(dtype=float))
            hi = _scaled(col, st["high"].to_numpy(dtype=float))
            yerr = np.vstack([vals - lo, hi - vals])
        elif col in vals_all.columns:
            vals = _scaled(col, vals_all[col].reindex(names).to_numpy(dtype=float))
            yerr = None
        else:
            ax.set_visible(False)
            continue
        bars = ax.bar(names, vals, color=[_colour(n, k) for k, n in enumerate(names)],
                      yerr=yerr, capsize=5, error_kw={"elinewidth": 1.2})
        ax.set_title(m.title(), fontsize=10)
        ax.tick_params(labelsize=9)
        ax.grid(axis="y", alpha=0.3)
        for b, v in zip(bars, vals, strict=True):
            raw = v * 1e6 if m.kind == "msek" else (v / 100 if m.kind == "share" else v)
            ax.annotate(fmt_value(col, raw), (b.get_x() + b.get_width() / 2, 0),
                        xytext=(0, 4), textcoords="offset points", ha="center", va="bottom",
                        fontsize=9, color="white", fontweight="bold")
    what = (_t("median over {n} seeds, error bars: range", n=len(seeds.seeds))
            if seeds is not None else _t("seed {seed}", seed=comp.seed))
    fig.suptitle(_t("{name}: regimes compared ({what})", name=comp.scenario.name, what=what))
    fig.tight_layout()
    return fig


def plot_choice_cost(comp: Comparison, ax: Any = None, *,
                     seeds: SeedComparison | None = None) -> Any:
    """First choice met (%) against cost per year (MSEK), one point per regime (with
    ``seeds``: the medians, with the ranges as error bars). Returns the Axes.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], max_iterations=20,
    ...                       continuity=False)
    >>> ax = plot_choice_cost(comp)
    >>> ax.get_title(), [t.get_text() for t in ax.texts]
    ('What choice costs', ['LOV', 'Zoning'])
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.5))
    names = _regimes(comp)
    if seeds is not None:
        c = _seed_stats(seeds, "cost_sek_per_year").reindex(names) / 1e6
        f = _seed_stats(seeds, "first_choice_pct").reindex(names)
    else:
        c = pd.DataFrame({"median": comp.table["cost_sek_per_year"] / 1e6})
        c["low"] = c["high"] = c["median"]
        f = pd.DataFrame({"median": comp.table["first_choice_pct"]})
        f["low"] = f["high"] = f["median"]
    for k, name in enumerate(names):
        x, y = c.at[name, "median"], f.at[name, "median"]
        ax.errorbar(x, y, xerr=[[x - c.at[name, "low"]], [c.at[name, "high"] - x]],
                    yerr=[[y - f.at[name, "low"]], [f.at[name, "high"] - y]], fmt="o",
                    markersize=11, color=_colour(name, k), markeredgecolor="black",
                    capsize=4, zorder=3)
        ax.annotate(name, (x, y), xytext=(9, 5), textcoords="offset points")
    ax.set_xlabel(_t("cost per year (MSEK): paid staff time, driving, fixed costs"))
    ax.set_ylabel(_t("choosing clients with their first choice (%)"))
    ax.set_title(_t("What choice costs"))
    ax.grid(alpha=0.3)
    return ax


def waterfall_table(seeds: SeedComparison) -> pd.DataFrame:
    """The waterfall of each regime against LOV: one row per step and a ``total`` row.

    Returns
    -------
    pandas.DataFrame
        ``regime``, ``step``, ``about``, ``km_change`` (mean over seeds), ``km_low``,
        ``km_high`` (range over seeds), ``start`` and ``end`` (where the bar starts and ends:
        the running sum of the means), ``cost_change_sek``, ``cost_low``, ``cost_high``. The
        ``total`` row runs from 0 to the sum of the steps, which is the mean over seeds of the
        paired difference to LOV; its range is that of the per-seed totals.
    """
    d = seeds.decomposition
    cols = ["regime", "step", "about", "km_change", "km_low", "km_high", "start", "end",
            "cost_change_sek", "cost_low", "cost_high"]
    if d is None or d.empty:
        return pd.DataFrame(columns=cols)
    summary = seeds.decomposition_summary()
    rows = []
    for regime, g in summary.groupby("regime", sort=False):
        run = 0.0
        for r in g.itertuples():
            rows.append({"regime": regime, "step": r.step, "about": r.about,
                         "km_change": r.km_change, "km_low": r.km_low, "km_high": r.km_high,
                         "start": run, "end": run + r.km_change,
                         "cost_change_sek": r.cost_change_sek, "cost_low": r.cost_low,
                         "cost_high": r.cost_high})
            run += r.km_change
        tot = d[d["regime"] == regime].groupby("seed")[["km_change", "cost_change_sek"]].sum()
        rows.append({"regime": regime, "step": "total",
                     "about": f"{regime} minus LOV (the sum of the steps)",
                     "km_change": float(g["km_change"].sum()),
                     "km_low": float(tot["km_change"].min()),
                     "km_high": float(tot["km_change"].max()), "start": 0.0,
                     "end": float(g["km_change"].sum()),
                     "cost_change_sek": float(g["cost_change_sek"].sum()),
                     "cost_low": float(tot["cost_change_sek"].min()),
                     "cost_high": float(tot["cost_change_sek"].max())})
    return pd.DataFrame(rows, columns=cols)


def _signed_km(x: float) -> str:
    """``+19``, ``-149``, or ``0`` (never ``-0``)."""
    r = round(float(x))
    return "0" if r == 0 else f"{r:+,.0f}"


def plot_waterfall(seeds: SeedComparison, axes: Any = None) -> Any:
    """The km change of each regime against LOV split into its steps (:mod:`hemopt.decompose`):
    one panel per regime; floating bars with the step's mean change over seeds and its range
    as an error bar, then the total. Returns the Figure.

    Examples
    --------
    Two seeds' decomposition of zoning against LOV, made by hand (the waterfall needs only
    the steps, not the comparisons):

    >>> import pandas as pd
    >>> from hemopt.ranges import SeedComparison
    >>> steps = pd.DataFrame({"seed": [1, 1, 2, 2], "regime": ["Zoning"] * 4,
    ...                       "step": ["stairwell", "area"] * 2, "about": [""] * 4,
    ...                       "km_change": [-10.0, -50.0, -20.0, -30.0],
    ...                       "cost_change_sek": [0.0] * 4})
    >>> seeds = SeedComparison(comparisons=dict.fromkeys((1, 2)), per_seed=pd.DataFrame(),
    ...                        intervals=pd.DataFrame(), decomposition=steps, headline_seed=1)
    >>> fig = plot_waterfall(seeds)
    >>> [round(p.get_height()) for p in fig.axes[0].patches]  # the steps, then the total
    [-15, -40, -55]
    """
    import matplotlib.pyplot as plt

    w = waterfall_table(seeds)
    regimes = list(dict.fromkeys(w["regime"]))
    if axes is None:
        fig, axes = plt.subplots(1, max(len(regimes), 1),
                                 figsize=(6.5 * max(len(regimes), 1), 4.8), squeeze=False)
    else:
        fig = np.asarray(axes).flat[0].figure
    for ax, regime in zip(np.asarray(axes).flat, regimes, strict=False):
        g = w[w["regime"] == regime].reset_index(drop=True)
        x = np.arange(len(g))
        heights = (g["end"] - g["start"]).to_numpy(dtype=float)
        total = g["step"] == "total"
        colours = np.where(total, "#555555", np.where(heights < 0, "#55a868", "#c44e52"))
        ax.bar(x, heights, bottom=g["start"], color=colours, edgecolor="black", linewidth=0.6)
        # the range over seeds of each step's change, drawn at the end of its bar
        lo = g["start"] + g["km_low"]
        hi = g["start"] + g["km_high"]
        ax.errorbar(x, g["end"], yerr=[g["end"] - lo, hi - g["end"]], fmt="none",
                    ecolor="black", capsize=5, linewidth=1.2)
        for k in range(len(g) - 1):  # connectors between the steps
            ax.plot([x[k] + 0.4, x[k + 1] - 0.4], [g.at[k, "end"]] * 2, color="grey",
                    linewidth=0.8, linestyle=":")
        for k, r in g.iterrows():  # the mean change, beyond the end of the bar and its range
            down = r["end"] < r["start"] or (r["end"] == r["start"] and r["end"] < 0)
            y = (min(r["end"], lo[k]) if down else max(r["end"], hi[k]))
            ax.annotate(_signed_km(r["km_change"]), (x[k], y), xytext=(0, -4 if down else 4),
                        textcoords="offset points", ha="center",
                        va="top" if down else "bottom", fontsize=9, fontweight="bold")
        ext = np.concatenate([g["start"], g["end"], lo, hi, [0.0]]).astype(float)
        pad = 0.14 * max(float(ext.max() - ext.min()), 1.0)
        ax.set_ylim(float(ext.min()) - pad, float(ext.max()) + pad)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(x, [_t(str(s)).replace(" and ", " and\n") for s in g["step"]],
                      fontsize=9)
        ax.set_ylabel(_t("change in km driven per day against LOV"))
        ax.set_title(_t("{name} against LOV: where the change in driving comes from",
                        name=regime), fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(_t("Mean over {n} seeds; error bars: range over the seeds (green: less "
                    "driving, red: more)", n=len(seeds.seeds)), fontsize=10)
    fig.tight_layout()
    return fig


def plot_regime_map(comp: Comparison, name: str, axes: Any = None, *, busiest: int = 10,
                    centre: bool = True) -> Any:
    """The map of regime ``name``: clients coloured by provider, the ``busiest`` stairwells
    (most visits in the day) circled with the number of providers serving them; with
    ``centre`` a second panel enlarges the town centre (:func:`hemopt.viz.maps.centre_box`),
    outlined on the first. Returns the Figure.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV()], max_iterations=20,
    ...                       continuity=False)
    >>> fig = plot_regime_map(comp, "LOV", centre=False)
    >>> fig.axes[0].get_title().startswith("LOV: the municipality")
    True
    """
    import matplotlib.pyplot as plt

    from hemopt.viz.maps import add_scale_bar, centre_box, draw_box, plot_assignment

    if axes is None:
        fig, axes = plt.subplots(1, 2 if centre else 1, figsize=(16 if centre else 9, 8),
                                 squeeze=False)
    else:
        fig = np.asarray(axes).flat[0].figure
    axes = list(np.asarray(axes).flat)
    a = comp.assignments[name]
    regime = comp.regimes[name]
    zones = regime.zones_for(comp.scenario) if hasattr(regime, "zones_for") else a.zones
    box = centre_box(comp.scenario.client_xy()) if centre and comp.scenario.n_clients else None
    v = comp.routings[name].visits
    top = None
    if len(v):
        top = v.groupby("stairwell_id").agg(n=("visit_id", "size"), x=("x", "first"),
                                            y=("y", "first"), p=("provider_id", "nunique"))
        top = top.sort_values(["n", "p"], ascending=False).head(busiest)
    panels = [(axes[0], 8.0)] + ([(axes[1], 22.0)] if box is not None and len(axes) > 1 else [])
    for k, (ax, size) in enumerate(panels):
        plot_assignment(a, ax=ax, zones=zones, title=name, size=size)
        if top is not None:
            ax.scatter(top["x"], top["y"], s=160, facecolor="none", edgecolor="black",
                       linewidth=1.3, zorder=6)
            for r in top.itertuples():
                ax.annotate(str(r.p), (r.x, r.y), xytext=(5, 5), textcoords="offset points",
                            fontsize=9, fontweight="bold", zorder=7)
        if k == 0:
            ax.set_title(_t("{name}: the municipality (circled: the {n} busiest stairwells, "
                            "number = providers serving them)", name=name, n=busiest),
                         fontsize=10)
            if box is not None and len(panels) > 1:
                draw_box(ax, box, _t("town centre"))
        else:
            assert box is not None
            ax.set_xlim(box[0], box[2])
            ax.set_ylim(box[1], box[3])
            add_scale_bar(ax)
            leg = ax.get_legend()
            if leg is not None:
                leg.remove()
            ax.set_title(_t("{name}: the town centre enlarged ({km} km across)", name=name,
                            km=_loc(f"{(box[2] - box[0]) / 1000:.1f}")), fontsize=10)
    fig.tight_layout()
    return fig


def plot_maps(comp: Comparison, axes: Any = None, *, busiest: int = 10, centre: bool = True,
              regime: str | None = None) -> Any:
    """One row per regime: the municipality's map and, with ``centre``, the town centre
    enlarged (:func:`plot_regime_map`). ``axes`` holds one Axes per regime (no centre panels)
    or two. ``regime``: that regime's map alone (one 9 × 8 inch panel without ``centre``).
    Returns the Figure.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], max_iterations=20,
    ...                       continuity=False)
    >>> len(plot_maps(comp, centre=False).axes)  # one map per regime
    2
    """
    import matplotlib.pyplot as plt

    if regime is not None:
        if regime not in comp.assignments:
            from hemopt.errors import InputError

            raise InputError(f"regime {regime!r} is not in this comparison "
                             f"({', '.join(_regimes(comp))})")
        return plot_regime_map(comp, regime, axes=axes, busiest=busiest, centre=centre)
    names = _regimes(comp)
    if axes is None:
        cols = 2 if centre else 1
        fig, axes = plt.subplots(len(names), cols, figsize=(8 * cols, 7.5 * len(names)),
                                 squeeze=False)
    else:
        fig = np.asarray(axes).flat[0].figure
    flat = list(np.asarray(axes).flat)
    per = len(flat) // max(len(names), 1)
    for k, name in enumerate(names):
        plot_regime_map(comp, name, axes=flat[k * per:(k + 1) * per], busiest=busiest,
                        centre=per > 1)
    fig.tight_layout()
    return fig
