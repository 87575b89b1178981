"""Figures and the self-contained HTML report of a :class:`~hemopt.compare.Comparison`, alone
or with the ranges over seeds of a :class:`~hemopt.ranges.SeedComparison`.

The report is written for people: measures in words with their units, numbers rounded to what
they can tell, every figure over seeds as a median with its range, the saving split into its
causes (a waterfall), who changes provider, what each provider costs per care hour, maps with
the town centre enlarged, the model's figures beside published ones, and what the model
leaves out. It is one HTML file with the figures embedded (base64 PNG) and no external CSS or
JavaScript, so it opens offline and can be mailed.

Views registered here (looked up by name through :mod:`hemopt._views`):
``comparison.kpis``, ``comparison.choice_cost``, ``comparison.maps``, ``comparison.html``,
``comparison.html_fragment`` (``Comparison._repr_html_``), ``seeds.html_fragment``
(``SeedComparison._repr_html_``) and ``seeds.waterfall``.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hemopt import kpis as _reg
from hemopt._views import register
from hemopt.i18n import current as language_now
from hemopt.i18n import kpi_text, language
from hemopt.i18n import number as _loc
from hemopt.i18n import t as _t
from hemopt.regimes import regime_colours

if TYPE_CHECKING:
    from hemopt.compare import Comparison
    from hemopt.ranges import SeedComparison

__all__ = [
    "MEASURES",
    "Measure",
    "fmt_change",
    "fmt_value",
    "formatted_table",
    "html_fragment",
    "plot_choice_cost",
    "plot_kpis",
    "plot_maps",
    "plot_regime_map",
    "plot_sensitivity",
    "plot_waterfall",
    "procurement_table",
    "reading",
    "report_title",
    "seeds_html_fragment",
    "sensitivity_section",
    "sensitivity_table",
    "waterfall_table",
    "write_html",
    "write_sensitivity_html",
]

logger = logging.getLogger(__name__)

_REGIME_COLOURS = regime_colours()  # live: {name: colour} of the registered regimes


# ------------------------------------------------------------------------ measures in words
@dataclass(frozen=True)
class Measure:
    """How a KPI is shown to people.

    Parameters
    ----------
    label
        Short name in words, for table rows and chart titles.
    unit
        The unit in words (shown after the label).
    kind
        Number format: ``"count"`` (integer; one decimal for a non-integer median),
        ``"int"`` (rounded, thousands separators), ``"1f"``, ``"2f"`` (decimals),
        ``"pct"`` (a value already in per cent, one decimal), ``"share"`` (a fraction shown
        in per cent), ``"msek"`` (SEK shown in millions, one decimal).
    """

    label: str
    unit: str
    kind: str

    def title(self) -> str:
        """``label (unit)``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def is_share(self) -> bool:
        """Whether the measure is a percentage (changes are in percentage points)."""
        return self.kind in ("pct", "share")


class _Measures(Mapping[str, Measure]):
    """A read-only view of the KPI registry (:mod:`hemopt.kpis`): how each KPI is shown."""

    def __getitem__(self, key: str) -> Measure:
        r = _reg.registry()
        if key not in r:
            raise KeyError(key)
        k = r[key]
        return Measure(k.label, k.unit, k.fmt)

    def __iter__(self) -> Iterator[str]:
        return iter(_reg.registry())

    def __len__(self) -> int:
        return len(_reg.registry())


#: How each KPI (``hemopt.KPI_COLUMNS``, the transition figures, continuity) is shown: a view
#: of the KPI registry, where a KPI is declared once.
MEASURES: Mapping[str, Measure] = _Measures()


def __getattr__(name: str) -> Any:
    # KEY_GROUPS: the measures of the key-figures table, in groups, from the KPI registry
    if name == "KEY_GROUPS":
        return _reg.key_groups()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_NA = "–"

#: Said under every reading: the seeds' range is not the whole uncertainty.
UNCERTAINTY_NOTE = ("The range over seeds is not the whole uncertainty: the model's assumptions "
                    "(fixed costs, the externals' territories, the guarantee rule, visit "
                    "durations ...) can move the answer more; hemopt sensitivity shows how "
                    "much.")


def _measure(kpi: str) -> Measure:
    """How ``kpi`` is shown, its label and unit in the current language (hemopt.i18n; the
    registry's ``label_sv`` where the Swedish catalogue has none)."""
    m = MEASURES.get(kpi) or Measure(kpi.replace("_", " "), "", "2f")
    label, unit = kpi_text(kpi, m.label, m.unit)
    if language_now() == "sv" and (label, unit) == (m.label, m.unit) and kpi in _reg.registry():
        sv = getattr(_reg.get(kpi), "label_sv", "") or ""
        label = sv or label
    return m if (label, unit) == (m.label, m.unit) else Measure(label, unit, m.kind)


def _num(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f


def fmt_value(kpi: str, v: Any, *, sign: bool = False) -> str:
    """``v`` formatted as the measure ``kpi`` is shown (no unit; ``–`` for a missing value).

    Examples
    --------
    >>> fmt_value("driven_km_per_day", 4132.46), fmt_value("cost_sek_per_year", 123_456_789)
    ('4,132', '123.5')
    >>> fmt_value("first_choice_pct", 87.456), fmt_value("care_share_of_paid_time", 0.5812)
    ('87.5', '58.1')
    >>> fmt_value("queue", 63.0), fmt_value("queue", 2.5), fmt_value("queue", float("nan"))
    ('63', '2.5', '–')
    >>> fmt_value("driven_km_per_day", -1138.2, sign=True)
    '-1,138'
    """
    return _loc(_reg.format_value(_measure(kpi).kind, v, sign=sign))


def _span(lo: str, hi: str) -> str:
    """``lo–hi``, or ``lo to hi`` when a bound has a sign (so a minus is never read as a
    dash)."""
    signed = lo.startswith(("-", "+")) or hi.startswith(("-", "+"))
    return _t("{a} to {b}", a=lo, b=hi) if signed else f"{lo}–{hi}"


def fmt_range(kpi: str, median: Any, low: Any, high: Any) -> str:
    """``median [low–high]`` in the measure's format; the median alone when every seed gave
    the same value.

    Examples
    --------
    >>> fmt_range("driven_km_per_day", 4100.2, 3900, 4300.7)
    '4,100 [3,900–4,301]'
    >>> fmt_range("queue", 0, 0, 0)
    '0'
    """
    m, lo, hi = (fmt_value(kpi, x) for x in (median, low, high))
    return m if lo == hi == m else f"{m} [{_span(lo, hi)}]"


#: Measures whose change is shown as such, never in per cent: counts and transition figures,
#: where LOV's value is often zero or near zero (a per cent of 1 hour is no information).
def _absolute(kpi: str) -> bool:
    r = _reg.registry()
    return kpi in r and r[kpi].absolute_change


def fmt_change(kpi: str, diff: Any, pct: Any) -> str:
    """The change of ``kpi`` from the reference: per cent of the reference value, percentage
    points for a percentage, or the absolute change (with sign) when the reference is 0.

    Examples
    --------
    >>> fmt_change("driven_km_per_day", -1138.0, -27.55)
    '-27.6 %'
    >>> fmt_change("first_choice_pct", -55.0, -55.0)
    '-55.0 points'
    >>> fmt_change("queue", 12.0, float("nan"))
    '+12'
    >>> fmt_change("care_hours_moving_per_week", 2735.0, 109742.5)  # never in per cent
    '+2,735'
    """
    m = _measure(kpi)
    if m.is_share:
        return f"{fmt_value(kpi, diff, sign=True)} {_t('points')}"
    p = _num(pct)
    if math.isfinite(p) and not _absolute(kpi):
        return f"{_loc(f'{p:+.1f}')} %"
    return fmt_value(kpi, diff, sign=True)


def _change_interval(kpi: str, r: Any) -> str:
    """A row of :func:`hemopt.ranges.paired_intervals` as ``median [low to high] unit``."""
    m = _measure(kpi)
    if m.is_share:
        vals = [fmt_value(kpi, x, sign=True) for x in (r["diff_median"], r["diff_low"],
                                                        r["diff_high"])]
        unit = " " + _t("points")
    elif not _absolute(kpi) and all(
            math.isfinite(_num(r[k])) for k in ("pct_median", "pct_low", "pct_high")):
        vals = [_loc(f"{_num(r[k]):+.1f}") for k in ("pct_median", "pct_low", "pct_high")]
        unit = " %"
    else:
        vals = [fmt_value(kpi, x, sign=True) for x in (r["diff_median"], r["diff_low"],
                                                        r["diff_high"])]
        unit = ""
    if vals[1] == vals[2] == vals[0]:
        return f"{vals[0]}{unit}"
    return f"{vals[0]}{unit} [{_t('{a} to {b}', a=vals[1], b=vals[2] + unit)}]"


def _noise_note(r: Any) -> str:
    """``"no change"`` when every seed gives none, ``"within noise"`` when the range of the
    paired difference contains 0, else ``""``."""
    lo, hi = _num(r["diff_low"]), _num(r["diff_high"])
    if lo == 0 and hi == 0:
        return _t("no change")
    return _t("within noise") if bool(r["within_noise"]) else ""


# ------------------------------------------------------------------------ data helpers
def _values(comp: Comparison) -> pd.DataFrame:
    """The comparison's KPI table with the numeric transition figures beside it."""
    t = comp.table.copy()
    for name, tr in comp.transitions.items():
        for k, v in tr.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) and name in t.index:
                t.loc[name, k] = v
    return t


def _intervals(seeds: SeedComparison, kpis: Sequence[str]) -> pd.DataFrame:
    """:func:`hemopt.ranges.paired_intervals` for ``kpis`` (those present), indexed by
    (regime, kpi)."""
    from hemopt.ranges import paired_intervals

    present = [k for k in kpis if k in seeds.per_seed.columns]
    iv = paired_intervals(seeds.per_seed, "LOV", present)
    return iv.set_index(["regime", "kpi"])


def _seed_stats(seeds: SeedComparison, kpi: str) -> pd.DataFrame:
    """Per regime: median, min and max of ``kpi`` over the seeds."""
    g = seeds.per_seed[kpi].astype(float).groupby(level="regime", sort=False)
    return pd.DataFrame({"median": g.median(), "low": g.min(), "high": g.max()})


def _regimes(comp: Comparison) -> list[str]:
    return [str(n) for n in comp.table.index]


def _seed_list(seeds: Sequence[int]) -> str:
    s = sorted(int(x) for x in seeds)
    if len(s) > 2 and s == list(range(s[0], s[-1] + 1)):
        return f"{s[0]}–{s[-1]}"
    return ", ".join(map(str, s))


def _routing_words(p: dict[str, Any]) -> str:
    if p.get("routing") == "approx":
        return _t("the continuous routing approximation (calibrated against the solver)")
    backend = {"pyvrp": "PyVRP", "ortools": "OR-Tools", "greedy": _t("the greedy plan")}.get(
        str(p.get("backend")), str(p.get("backend")))
    effort = []
    if p.get("max_iterations"):
        effort.append(_t("{n} iterations per instance",
                         n=_loc(f"{int(p['max_iterations']):,}")))
    if p.get("time_limit_s"):
        effort.append(_t("at most {s} s per instance (machine-dependent)",
                         s=_loc(f"{p['time_limit_s']:g}")))
    return _t("the VRPTW solver ({what})", what=", ".join([backend, *effort]))


def run_description(comp: Comparison, seeds: SeedComparison | None = None) -> str:
    """One sentence: which routing mode, how many seeds and iterations.

    Examples
    --------
    >>> import hemopt
    >>> from hemopt.report import run_description
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV()], seed=3, max_iterations=40)
    >>> run_description(comp)
    'One seed (3), routed with the VRPTW solver (PyVRP, 40 iterations per instance).'
    """
    if seeds is None:
        return _t("One seed ({seed}), routed with {how}.", seed=comp.seed,
                  how=_routing_words(comp.parameters))
    groups: dict[str, list[int]] = {}
    for s, c in seeds.comparisons.items():
        groups.setdefault(_routing_words(c.parameters), []).append(int(s))
    how = "; ".join(_t("seeds {seeds}: {how}" if len(v) > 1 else "seed {seeds}: {how}",
                       seeds=_seed_list(v), how=k) for k, v in groups.items())
    scen = {id(c.scenario) for c in seeds.comparisons.values()}
    clients = _t("a new municipality per seed (new clients drawn on the same geography; the "
                 "seed also draws the day of visits, the order of requests and the solver's "
                 "search)" if len(scen) > 1 else
                 "the same clients in every seed (the seed draws the day of visits, the order "
                 "of requests and the solver's search)")
    n = len(seeds.comparisons)
    return _t("{n} seeds ({seeds}), {clients}. Routing: {how}. Differences are paired: "
              "computed within each seed, then summarised as the median and the range "
              "(min–max) over the seeds. Maps and detail tables show seed {headline}.",
              n=n, seeds=_seed_list(seeds.seeds), clients=clients, how=how,
              headline=seeds.headline_seed)


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


@register("comparison.kpis")
def plot_kpis(comp: Comparison, axes: Any = None, *, seeds: SeedComparison | None = None
              ) -> Any:
    """A grid of bar charts, one KPI each, one bar per regime; with ``seeds`` the bars are
    the medians over the seeds and the error bars their range (min–max). Returns the
    Figure."""
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


@register("comparison.choice_cost")
def plot_choice_cost(comp: Comparison, ax: Any = None, *,
                     seeds: SeedComparison | None = None) -> Any:
    """First choice met (%) against cost per year (MSEK), one point per regime (with
    ``seeds``: the medians, with the ranges as error bars). Returns the Axes."""
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


@register("seeds.waterfall")
def plot_waterfall(seeds: SeedComparison, axes: Any = None) -> Any:
    """The km change of each regime against LOV split into its steps (:mod:`hemopt.decompose`):
    one panel per regime; floating bars with the step's mean change over seeds and its range
    as an error bar, then the total. Returns the Figure."""
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
    ``centre`` a second panel enlarges the town centre (:func:`hemopt.plot.centre_box`),
    outlined on the first. Returns the Figure."""
    import matplotlib.pyplot as plt

    from hemopt.plot import add_scale_bar, centre_box, draw_box, plot_assignment

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


@register("comparison.maps")
def plot_maps(comp: Comparison, axes: Any = None, *, busiest: int = 10, centre: bool = True,
              regime: str | None = None) -> Any:
    """One row per regime: the municipality's map and, with ``centre``, the town centre
    enlarged (:func:`plot_regime_map`). ``axes`` holds one Axes per regime (no centre panels)
    or two. ``regime``: that regime's map alone (one 9 × 8 inch panel without ``centre``).
    Returns the Figure."""
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


def _fig_to_base64(fig: Any, dpi: int = 90) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


# ------------------------------------------------------------------------ words
def _less_more(x: float, less: str = "less", more: str = "more") -> str:
    return _t(less) if x < 0 else _t(more)


def reading(comp: Comparison, seeds: SeedComparison | None = None, *,
            lang: str | None = None) -> list[str]:
    """A plain-language reading, a few sentences per regime against LOV.

    With ``seeds`` every figure is the median over the seeds with its range, and a
    difference whose range includes no change is called within noise. Without, the figures
    are those of one seed, with a warning that a few per cent is within the solver's noise.
    ``lang`` (``"en"`` or ``"sv"``) sets the language; ``None`` keeps the one in force
    (:func:`hemopt.i18n.language`, English by default).
    """
    if lang is not None:
        with language(lang):
            return reading(comp, seeds)
    if "LOV" not in comp.table.index:
        return [_t("No LOV run to compare against.")]
    out: list[str] = []
    if seeds is not None:
        iv = _intervals(seeds, ["driven_km_per_day", "paid_staff_hours_per_day",
                                "cost_sek_per_year", "variable_cost_sek_per_year",
                                "fixed_cost_sek_per_year", "first_choice_pct", "queue",
                                "providers_per_stairwell", "clients_changing_provider_pct"])
        n = len(seeds.seeds)
        regimes = [r for r in dict.fromkeys(iv.index.get_level_values(0)) if r != "LOV"]
        for name in regimes:
            parts = []
            for kpi, what in (("driven_km_per_day", "driving"),
                              ("paid_staff_hours_per_day", "paid staff hours"),
                              ("cost_sek_per_year", "costs"),
                              ("variable_cost_sek_per_year", "of which variable costs (staff "
                               "time and km)"),
                              ("fixed_cost_sek_per_year", "and fixed costs (per provider and "
                               "contract: stated assumptions that do not scale with the "
                               "hours)")):
                if (name, kpi) not in iv.index:
                    continue
                r = iv.loc[(name, kpi)]
                parts.append(_clause(name, kpi, _t(what), r, n))
            def rg(regime: str, kpi: str) -> str:
                r = iv.loc[(regime, kpi)]
                return fmt_range(kpi, r["median"], r["low"], r["high"])

            out.append(_t(
                "{name} against LOV, over {n} seeds: {parts}. Choosing clients who get their "
                "first choice: {lov_first} % under LOV, {first} % under {name}; clients "
                "queueing: {queue}. Providers per stairwell: {lov_stair} under LOV, {stair} "
                "under {name}. Clients changing provider from today: {change} %.",
                name=name, n=n, parts="; ".join(parts),
                lov_first=rg("LOV", "first_choice_pct"), first=rg(name, "first_choice_pct"),
                queue=rg(name, "queue"), lov_stair=rg("LOV", "providers_per_stairwell"),
                stair=rg(name, "providers_per_stairwell"),
                change=rg(name, "clients_changing_provider_pct")))
        out.append(_t("Figures are medians over the seeds with their range [min–max]; a "
                      "difference whose range includes no change is within noise: the seeds "
                      "do not agree on its direction."))
        out.append(_t(UNCERTAINTY_NOTE))
        return out
    t = _values(comp)
    ref = t.loc["LOV"]
    for name, row in t.iterrows():
        if name == "LOV":
            continue
        dkm = row["driven_km_per_day"] - ref["driven_km_per_day"]
        dh = row["paid_staff_hours_per_day"] - ref["paid_staff_hours_per_day"]
        dc = row["cost_sek_per_year"] - ref["cost_sek_per_year"]
        dv = _num(row.get("variable_cost_sek_per_year")) - _num(
            ref.get("variable_cost_sek_per_year"))
        df_ = _num(row.get("fixed_cost_sek_per_year")) - _num(ref.get("fixed_cost_sek_per_year"))
        pkm = 100 * dkm / ref["driven_km_per_day"] if ref["driven_km_per_day"] else math.nan
        pkm_text = (f"{_loc(f'{pkm:+.1f}')} %" if math.isfinite(pkm) else
                    _t("no driving") if not row["driven_km_per_day"] else _NA)
        out.append(_t(
            "{name} drives {km} km {dkm} per day than LOV ({pkm}), uses {h} {dh} paid staff "
            "hours per day and costs {c} MSEK a year {dc}. Choosing clients who get their "
            "first choice: {lov_first} % under LOV, {first} % under {name}; {queue} clients "
            "queue. Providers per stairwell: {lov_stair} under LOV, {stair} under {name}.",
            name=name, km=fmt_value("driven_km_per_day", abs(dkm)), dkm=_less_more(dkm),
            pkm=pkm_text, h=fmt_value("paid_staff_hours_per_day", abs(dh)),
            dh=_less_more(dh, "fewer", "more"), c=_loc(f"{abs(dc) / 1e6:,.1f}"),
            dc=_less_more(dc), lov_first=fmt_value("first_choice_pct", ref["first_choice_pct"]),
            first=fmt_value("first_choice_pct", row["first_choice_pct"]),
            queue=fmt_value("queue", row["queue"]),
            lov_stair=fmt_value("providers_per_stairwell", ref["providers_per_stairwell"]),
            stair=fmt_value("providers_per_stairwell", row["providers_per_stairwell"])))
        if math.isfinite(dv) and math.isfinite(df_):
            out.append(_t("Of {name}'s cost difference, {dv} MSEK a year is variable (staff "
                          "time and km) and {df} MSEK fixed (per provider and contract: stated "
                          "assumptions that do not scale with the hours).", name=name,
                          dv=_loc(f"{dv / 1e6:+,.1f}"), df=_loc(f"{df_ / 1e6:+,.1f}")))
    out.append(_t("These are one seed's figures. Over seeds of the same preset a difference "
                  "in km or staff hours can vary by tens of per cent, and a few per cent is "
                  "within the routing solver's noise: use hemopt.compare_seeds for ranges "
                  "before quoting a figure. The choice figures are exact for this seed."))
    out.append(_t(UNCERTAINTY_NOTE))
    return out


def _clause(name: str, kpi: str, what: str, r: Any, n: int) -> str:
    """``driving -27.6 % (median; range -39.0 to -15.2 %)``, or the same with ``within
    noise``; costs in MSEK a year."""
    note = _noise_note(r)
    if note == _t("no change"):
        return _t("{what}: no change in any seed", what=what)
    if _measure(kpi).kind == "msek":
        med = _num(r["diff_median"]) / 1e6
        span = _span(_loc(f"{_num(r.diff_low) / 1e6:+,.1f}"),
                     _loc(f"{_num(r.diff_high) / 1e6:+,.1f}"))
        text = _t("{what} {value} MSEK a year {dir} (median; range {span} MSEK", what=what,
                  value=_loc(f"{abs(med):,.1f}"), dir=_less_more(med), span=span)
    else:
        m = _measure(kpi)
        if m.is_share or not math.isfinite(_num(r["pct_median"])):
            med = fmt_value(kpi, r["diff_median"], sign=True)
            lo, hi = (fmt_value(kpi, r[k], sign=True) for k in ("diff_low", "diff_high"))
            unit = " " + _t("points") if m.is_share else ""
        else:
            med, lo, hi = (_loc(f"{_num(r[k]):+.1f}")
                           for k in ("pct_median", "pct_low", "pct_high"))
            unit = " %"
        text = _t("{what} {med}{unit} (median; range {lo} to {hi}{unit}", what=what, med=med,
                  unit=unit, lo=lo, hi=hi)
    if note == _t("within noise"):
        text += _t("; within noise: the range over the {n} seeds includes no change", n=n)
    return text + ")"


# ------------------------------------------------------------------------ HTML pieces
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1180px;
margin:1.5em auto;padding:0 1em;color:#222;line-height:1.45}
tr.win td{font-weight:bold}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:2px solid #4a6fa5;
padding-bottom:.2em}h3{margin-top:1.2em}
.sub{color:#555;margin-top:0}.run{background:#eef3fa;border-left:4px solid #4a6fa5;
padding:.6em 1em}
table.t{border-collapse:collapse;font-size:14px;margin:.6em 0}
table.t td,table.t th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right;
vertical-align:top}
table.t th{background:#f3f3f3}table.t td:first-child,table.t th:first-child{text-align:left}
table.t td.l,table.t th.l{text-align:left}
table.t tr.group td{background:#fafafa;font-weight:bold;text-align:left;padding-top:10px}
table.t tr.muni td{background:#f4f7fb;font-weight:bold}
table.t tr.total td{border-top:2px solid #888;font-weight:bold}
.rng{display:block;color:#666;font-size:12px;white-space:nowrap}
.noise{color:#8a6d00;font-style:italic;font-size:12px;display:block}
img{max-width:100%;height:auto;display:block;margin:.6em 0}
nav ul{columns:3;font-size:14px}
pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}
.note{color:#555;font-size:14px}
"""


def _esc(x: Any) -> str:
    return html.escape(str(x))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *,
           row_classes: Sequence[str] | None = None, left: Sequence[int] = (),
           raw: bool = False) -> str:
    """An HTML table; cells are escaped unless ``raw``."""
    def cell(tag: str, k: int, v: str) -> str:
        cls = " class='l'" if k in left else ""
        return f"<{tag}{cls}>{v if raw else _esc(v)}</{tag}>"

    head = "".join(cell("th", k, h) for k, h in enumerate(header))
    body = []
    for i, r in enumerate(rows):
        cls = row_classes[i] if row_classes is not None else ""
        attr = f" class='{cls}'" if cls else ""
        if cls == "group":
            body.append(f"<tr{attr}><td colspan='{len(header)}'>{_esc(r[0])}</td></tr>")
        else:
            body.append(f"<tr{attr}>" + "".join(cell("td", k, v) for k, v in enumerate(r))
                        + "</tr>")
    return (f"<table class='t'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}"
            "</tbody></table>")


def _two_lines(text: str) -> str:
    """``median [range]`` as HTML: the median, and the range below it in small type."""
    head, sep, rest = text.partition(" [")
    if not sep:
        return _esc(text)
    return f"{_esc(head)}<span class='rng'>[{_esc(rest)}</span>"


def key_table(comp: Comparison, seeds: SeedComparison | None = None,
              groups: Sequence[tuple[str, Sequence[str]]] | None = None) -> str:
    """The key figures as an HTML table: one row per measure (in words, with its unit), one
    column per regime and one per regime against LOV. With ``seeds``: medians [min–max] over
    the seeds and the paired differences, marked when within noise."""
    groups = _reg.key_groups() if groups is None else groups
    names = _regimes(comp)
    others = [n for n in names if n != "LOV"] if "LOV" in names else []
    header = [_t("Measure"), *names, *[_t("{name} against LOV", name=n) for n in others]]
    rows: list[list[str]] = []
    classes: list[str] = []
    if seeds is not None:
        iv = _intervals(seeds, [k for _, ks in groups for k in ks])
        for title, kpis in groups:
            kpis = [k for k in kpis if ("LOV", k) in iv.index]
            if not kpis:
                continue
            rows.append([_t(title)])
            classes.append("group")
            for kpi in kpis:
                cells = [_esc(_measure(kpi).title())]
                for n in names:
                    r = iv.loc[(n, kpi)] if (n, kpi) in iv.index else None
                    cells.append(_NA if r is None else
                                 _two_lines(fmt_range(kpi, r["median"], r["low"], r["high"])))
                for n in others:
                    r = iv.loc[(n, kpi)] if (n, kpi) in iv.index else None
                    if r is None:
                        cells.append(_NA)
                        continue
                    note = _noise_note(r)
                    if note == _t("no change"):
                        cells.append(note)
                    else:
                        cells.append(_two_lines(_change_interval(kpi, r))
                                     + (f"<span class='noise'>{note}</span>" if note else ""))
                rows.append(cells)
                classes.append("")
        return _table(header, rows, row_classes=classes, raw=True)
    t = _values(comp)
    ref = t.loc["LOV"] if "LOV" in t.index else None
    for title, kpis in groups:
        kpis = [k for k in kpis if k in t.columns]
        if not kpis:
            continue
        rows.append([_t(title)])
        classes.append("group")
        for kpi in kpis:
            cells = [_measure(kpi).title(), *[fmt_value(kpi, t.at[n, kpi]) for n in names]]
            for n in others:
                assert ref is not None
                d = _num(t.at[n, kpi]) - _num(ref[kpi])
                r0 = _num(ref[kpi])
                pct = 100 * d / r0 if r0 not in (0.0,) and math.isfinite(r0) else math.nan
                cells.append(fmt_change(kpi, d, pct))
            rows.append(cells)
            classes.append("")
    return _table(header, rows, row_classes=classes)


def _all_figures_table(comp: Comparison) -> str:
    """Every KPI of one comparison (the detail), in words."""
    t = _values(comp)
    names = _regimes(comp)
    kpis = [k for k in MEASURES if k in t.columns]
    rows = [[_measure(k).title(), *[fmt_value(k, t.at[n, k]) for n in names]] for k in kpis]
    return _table([_t("Measure"), *names], rows)


def decomposition_table(seeds: SeedComparison) -> str:
    """The waterfall's figures as an HTML table: per regime and step, the mean change in km
    per day and in cost per year over the seeds with their range, and the step's share of
    the total."""
    w = waterfall_table(seeds)
    if w.empty:
        return ("<p class='note'>"
                + _esc(_t("No decomposition was computed (compare_seeds(..., decompose=False))."))
                + "</p>")
    rows, classes = [], []
    for regime, g in w.groupby("regime", sort=False):
        rows.append([_t("{name} against LOV", name=regime)])
        classes.append("group")
        total = float(g.loc[g["step"] == "total", "km_change"].iloc[0])
        for r in g.itertuples():
            share = (f"{_loc(_signed_km(100 * r.km_change / total)).lstrip('+')} %"
                     if abs(total) > 1e-9 and r.step != "total" else "")
            km = _mean_range(r.km_change, r.km_low, r.km_high, lambda x: _loc(_signed_km(x)))
            cost = _mean_range(r.cost_change_sek, r.cost_low, r.cost_high,
                               lambda x: _loc(_signed_msek(x)))
            about = (_t("{name} minus LOV (the sum of the steps)", name=regime)
                     if r.step == "total" else _step_about(str(r.about)))
            rows.append([_t(str(r.step)), about, km, share, cost])
            classes.append("total" if r.step == "total" else "")
    return _table([_t("Step"), _t("What changes"), _t("km per day: mean [range]"),
                   _t("Share of the km change"), _t("Cost, MSEK per year: mean [range]")], rows,
                  row_classes=classes, left=(0, 1))


def _step_about(about: str) -> str:
    """A decomposition step's label (:func:`hemopt.decompose.steps_of`: a fixed text, then
    what the step does in this scenario) in the current language."""
    if _t(about) != about or ": " not in about:
        m = re.fullmatch(r"(.*) \((\d+) clients\)", about)
        if m:
            return _t("{text} ({n} clients)", text=_t(m.group(1)), n=m.group(2))
        return _t(about)
    head, tail = about.split(": ", 1)
    if language_now() == "sv":
        for en, sv in SV_STEP_WORDS.items():
            tail = tail.replace(en, sv)
        tail = re.sub(r"\barea ?(?=\w)", "område ", tail)  # area1, area Z1: område 1, område Z1
    return f"{_t(head)}: {tail}"


#: The words of a step's scenario-specific part (hemopt.decompose._who) in Swedish.
SV_STEP_WORDS = {"the municipality": "kommunen", " takes every area": " tar alla områden",
                 "no area has clients": "inget område har brukare"}


def _signed_msek(x: float) -> str:
    """SEK as ``+4.3`` MSEK, or ``0.0`` (never ``-0.0``)."""
    s = f"{float(x) / 1e6:+,.1f}"
    return "0.0" if s in ("+0.0", "-0.0") else s


def _mean_range(v: float, lo: float, hi: float, f: Callable[[float], str]) -> str:
    """``v [lo to hi]`` formatted with ``f``; ``v`` alone when the three agree."""
    a, b, c = f(v), f(lo), f(hi)
    return a if a == b == c else f"{a} [{_span(b, c)}]"


def transition_table(comp: Comparison) -> str:
    """Who changes provider under each regime, from today's providers."""
    rows = []
    for name in _regimes(comp):
        tr = comp.transitions.get(name, {})
        if not tr:
            continue
        leaving = tr.get("providers_leaving", [])
        rows.append([
            name,
            f"{fmt_value('clients_changing_provider_pct', tr['clients_changing_provider_pct'])} %",
            f"{fmt_value('hours_changing_provider_pct', tr['hours_changing_provider_pct'])} %",
            fmt_value("care_hours_moving_per_week", tr["care_hours_moving_per_week"]),
            f"{len(leaving)}" + (f" ({', '.join(map(str, leaving))})" if leaving else ""),
            f"{tr['largest_provider']}: "
            + _loc(f"{tr['largest_provider_clients_before']:,} → "
                   f"{tr['largest_provider_clients_after']:,}"),
        ])
    return _table([_t(h) for h in ("Regime", "Clients changing provider",
                                    "Care hours changing provider",
                                    "Care hours changing employer (per week)",
                                    "Providers leaving",
                                    "Largest provider: clients today → after")],
                  rows, left=(4, 5))


def provider_table(comp: Comparison) -> str:
    """Per provider with clients under some regime: care hours per week and cost per care
    hour (SEK) under each regime, the municipality's row first; the last row is the whole
    municipality."""
    names = [n for n in _regimes(comp) if n in comp.provider_tables]
    if not names:
        return ""
    frames = {n: comp.provider_tables[n].set_index("provider_id") for n in names}
    pids = list(comp.scenario.provider_ids)
    kinds = dict(zip(comp.scenario.providers["provider_id"], comp.scenario.providers["kind"],
                     strict=True))
    active = [p for p in pids if any(frames[n].at[p, "care_hours_per_week"] > 0
                                     for n in names if p in frames[n].index)]
    active.sort(key=lambda p: (kinds.get(p) != "municipal", pids.index(p)))
    rows, classes = [], []
    for p in active:
        cells = [p, _t(str(kinds.get(p, "")))]
        for n in names:
            f = frames[n]
            h = f.at[p, "care_hours_per_week"] if p in f.index else 0.0
            c = f.at[p, "cost_per_care_hour_sek"] if p in f.index and h > 0 else math.nan
            cells += [fmt_value("care_hours_per_week", h) if h > 0 else _NA,
                      fmt_value("cost_per_care_hour_sek", c)]
        rows.append(cells)
        classes.append("muni" if kinds.get(p) == "municipal" else "")
    cells = [_t("All providers"), ""]
    for n in names:
        cells += [fmt_value("care_hours_per_week", comp.table.at[n, "care_hours_per_week"])
                  if "care_hours_per_week" in comp.table.columns else _NA,
                  fmt_value("cost_per_care_hour_sek", comp.table.at[n, "cost_per_care_hour_sek"])]
    rows.append(cells)
    classes.append("total")
    header = [_t("Provider"), _t("Kind")]
    for n in names:
        header += [_t("{name}: care hours per week", name=n),
                   _t("{name}: SEK per care hour", name=n)]
    return _table(header, rows, row_classes=classes, left=(1,))


def _fallback_sentence(comp: Comparison) -> str:
    """The municipality's cost per care hour under each regime, beside the others'."""
    kinds = dict(zip(comp.scenario.providers["provider_id"], comp.scenario.providers["kind"],
                     strict=True))
    muni = [p for p, k in kinds.items() if k == "municipal"]
    if not muni:
        return ""
    parts = []
    for n in _regimes(comp):
        f = comp.provider_tables.get(n)
        if f is None:
            continue
        f = f.set_index("provider_id")
        m = f.loc[muni[0]]
        ext = f[(f["kind"] == "external") & (f["care_hours_per_week"] > 0)]
        days = float(comp.parameters.get("cost", {}).get("days_per_year", 365.0))
        ext_cost = (ext["cost_sek_per_year"].sum()
                    / (ext["care_hours_per_week"].sum() * days / 7)) if len(ext) else math.nan
        parts.append(_t("{name} {cost} SEK (external providers together: {ext} SEK)", name=n,
                        cost=fmt_value("cost_per_care_hour_sek", m["cost_per_care_hour_sek"]),
                        ext=fmt_value("cost_per_care_hour_sek", ext_cost)))
    return _t("The municipality ({muni}) is the default provider: it serves the clients who do "
              "not choose and those nobody else takes, wherever they live. Its cost per care "
              "hour: {parts}.", muni=muni[0], parts="; ".join(parts))


def _published_rows(comp: Comparison, seeds: SeedComparison | None) -> list[list[str]]:
    """The model's figures beside published ones (the cheap ones; docs/validation.md has all
    four, with the routing optimiser against a simple plan)."""
    comps = list(seeds.comparisons.values()) if seeds is not None else [comp]

    def rng(values: list[float], fmt: Callable[[float], str]) -> str:
        v = np.asarray([x for x in values if math.isfinite(x)], dtype=float)
        if not len(v):
            return _NA
        m, lo, hi = fmt(float(np.median(v))), fmt(float(v.min())), fmt(float(v.max()))
        return m if len(v) == 1 or lo == hi else f"{m} [{_span(lo, hi)}]"

    rows = []
    names = _regimes(comp)
    care = "; ".join(
        f"{n} " + rng([100 * _num(c.table.at[n, "care_share_of_paid_time"]) for c in comps
                       if n in c.table.index], lambda x: _loc(f"{x:.1f}") + " %")
        for n in names)
    rows.append([_t("About 58 % of staff time in clients' homes"),
                 _t("time logs of 172 groups in 15 municipalities (Jordahl & Persson)"), care,
                 _t("The cost defaults (indirect time per shift and visit, minimum shift) were "
                    "calibrated to this figure, so agreement is by construction, not a test.")])
    travel = "; ".join(
        f"{n} " + rng([100 * c.routings[n].totals()["travel_share"] for c in comps
                       if n in c.routings], lambda x: _loc(f"{x:.1f}") + " %")
        for n in names)
    rows.append([_t("Travel about 18 % of visit-plus-travel time, planned by hand"),
                 _t("one real Swedish home-care day (99 clients, 32 staff)"), travel,
                 _t("One real day of one municipality, partly on foot and by bicycle; a check "
                    "of order of magnitude.")])
    if "LOV" in names and "Zoning" in names:
        km = [(_num(c.table.at["LOV", "driven_km_per_day"]),
               _num(c.table.at["Zoning", "driven_km_per_day"])) for c in comps]
        # a ratio only where zoning drives: with no driving (clients within walking
        # distance) there is nothing to divide, and the row says so
        ratios = [lov / zon if zon > 0 else (math.inf if lov > 0 else math.nan)
                  for lov, zon in km]
        ratio = rng(ratios, lambda x: _loc(f"{x:.2f}"))
        finite = [x for x in ratios if math.isfinite(x)]
        known = [x for x in ratios if not math.isnan(x)]  # inf: only LOV drives
        if all(lov == 0 and zon == 0 for lov, zon in km):
            ratio = _t("no driving under LOV or zoning")
            verdict = _t("Not testable here: nobody drives under either regime (every client "
                         "within walking or cycling distance of a base).")
        elif not finite:
            ratio = _t("zoning: no driving")
            verdict = _t("Same direction: LOV drives and zoning does not.")
        elif min(known) > 1:
            verdict = _t("Same direction: LOV drives more in every seed, but {ratio} times at "
                         "most, far from 2–3 times.", ratio=_loc(f"{max(finite):.2f}"))
        elif max(known) > 1:
            verdict = _t("Not settled here: LOV drives more than zoning in some seeds and less "
                         "in others.")
        else:
            verdict = _t("Not the same direction here: zoning drives more than LOV.")
        rows.append([_t("Driving rises sharply when a private provider performs part of the "
                        "visits; 2–3 times as long when cleaning is split off to another "
                        "provider"), "Vägverket/Trafikverket 2010:29, Valfrihet och "
                     "transporter i hemtjänsten",
                     _t("km under LOV / km under zoning: {ratio}", ratio=ratio),
                     verdict + _t(" The split-cleaning case is not tested here: "
                                  "hemopt.variants.split_service changes the care visits "
                                  "too, so its comparison is withdrawn "
                                  "(docs/validation.md).")])
        cost = rng([(_num(c.table.at["Zoning", "cost_sek_per_year"])
                     - _num(c.table.at["LOV", "cost_sek_per_year"])) / 1e6 for c in comps],
                   lambda x: _loc(f"{x:+,.1f}") + _t(" MSEK"))
        rows.append([_t("Redrawing four home-care areas into two saves about 3.2 MSEK a year"),
                     _t("Strängnäs kommun, 2021 estimate"),
                     _t("zoning − LOV, cost per year: {cost}", cost=cost),
                     _t("Not the same change: Strängnäs' estimate concerns its own "
                        "organisation's areas; the model's includes procurement and every "
                        "provider's fixed costs (stated assumptions). Order of magnitude "
                        "only.")])
    return rows


#: The continuity section's columns.
CONTINUITY_COLUMNS = ("staff_per_client_14d_median", "staff_per_client_14d_p90",
                      "staff_per_client_14d_mean", "staff_per_client_14d_2visits_mean",
                      "staff_per_client_14d_all_mean", "contact_person_visit_pct", "temp_share",
                      "staff_per_provider_mean")


def continuity_table(comp: Comparison, seeds: SeedComparison | None = None) -> str:
    """Continuity of care per regime (median [min–max] over the seeds with ``seeds``), as an
    HTML table; empty when the comparison has no continuity figures."""
    cols = [c for c in CONTINUITY_COLUMNS if c in comp.table.columns]
    if not cols:
        return ""
    rows = []
    for kpi in cols:
        m = _measure(kpi)
        cells = [f"{m.label} ({m.unit})" if m.unit else m.label]
        if seeds is not None and kpi in seeds.per_seed.columns:
            st = _seed_stats(seeds, kpi)
            cells += [fmt_range(kpi, st.at[n, "median"], st.at[n, "low"], st.at[n, "high"])
                      if n in st.index else _NA for n in _regimes(comp)]
        else:
            cells += [fmt_value(kpi, comp.table.at[n, kpi]) for n in _regimes(comp)]
        rows.append(cells)
    return _table([_t("Measure"), *_regimes(comp)], rows, left=(0,))


def _continuity_section(comp: Comparison, seeds: SeedComparison | None) -> str:
    table = continuity_table(comp, seeds)
    if not table:
        return ("<p class='note'>" + _esc(_t(
            "Not computed in this run (compare(..., continuity=False) or hemopt compare "
            "--no-continuity).")) + "</p>")
    p = comp.parameters.get("continuity") or {}
    how = _t("routed with the solver" if p.get("routing") == "solver" else
             "cut into routes by a sweep around each base from the routing approximation's "
             "route counts (a quick proxy; the solver's routes give 1.5 to 4 more faces per "
             "client and larger differences between regimes, docs/continuity.md)")
    return (
        "<p>" + _esc(_t(
            "Personalkontinuitet: how many different staff visit a client in 14 days, the "
            "measure municipalities report to Kolada. Each regime's clients get two weeks of "
            "visits from their weekly care plans (daily care every day; showers, cleaning and "
            "light clients' help on fixed weekdays), {how}. Each provider's staff are sized "
            "from its routes and rostered (day or evening shifts, full and part time, every "
            "other weekend, 9 % absence in spells, a pool and agency temps for the gaps); "
            "every day a min-cost assignment hands the routes to the staff on duty, "
            "preferring staff the clients already know and their contact person.", how=how))
        + "</p><p class='note'>" + _esc(_t(
            "Published: about 15 distinct staff in 14 days on average in Sweden (14.9 in "
            "2021), municipalities from about 7 to 24 (Kolada, clients 65+ with at least two "
            "visits every day, 07–22). The model plans every fortnight optimally and knows "
            "each absence in advance; it has no staff turnover, holidays, double staffing or "
            "night patrol, so it sits at the low end. Compare regimes with each other, not "
            "with the published level.")) + "</p>" + table)


def _what_this_means(comp: Comparison, seeds: SeedComparison | None) -> str:
    scale = comp.scenario.meta.get("scale")
    scaled = (_t(" This scenario is scaled to {scale} of the municipality's population: its "
                 "costs and kilometres are not the municipality's.", scale=_loc(f"{scale:g}"))
              if isinstance(scale, (int, float)) and scale != 1 else "")
    ranges = _t("The ranges show how much the figures move between seeds; they are not "
                "confidence intervals of the real municipality's figures, which depend on the "
                "limits below." if seeds is not None else
                "These are one seed's figures: run hemopt.compare_seeds for ranges before "
                "quoting any of them.")
    return (
        "<p>" + _esc(_t(
            "The model measures what the way home care is bought does to driving, staff "
            "time, cost and choice, with everything else held equal: the same clients, the "
            "same day of visits, the same rules for bases and routes. It is a comparison of "
            "regimes, not a forecast of a budget.")) + " " + _esc(ranges) + _esc(scaled)
        + "</p><p>" + _esc(_t(
            "Its limits: the clients are synthetic, drawn per DeSO area from SCB's population "
            "figures, not the municipality's register; staff walk, cycle or drive by the "
            "distance of their stops from the base, and a car trip is the straight line "
            "times a detour factor (1.3) at urban and rural speeds, not a road network; one "
            "day of visits is routed, not a week with absences and changes; where shifts "
            "start follows one rule for every regime (offices, the scenario's bases, a local "
            "base where a provider has enough hours in an area); fixed costs per provider, "
            "per contract and per base are stated assumptions; the clients' choices follow a "
            "model of ranking, and quality of care and the clients' own view of choice are "
            "not measured (continuity of staff is, over 14 days, with the limits of its "
            "section). See docs/compare.md for the parameters and their sources and "
            "docs/validation.md for the model beside published figures.")) + "</p>")


def _scenario_tables(comp: Comparison) -> str:
    summary = comp.scenario.summary()
    providers = summary.pop("providers")
    labels = {
        "area_km2": ("Land area (km²)", "{:,.0f}"), "inhabitants": ("Inhabitants", "{:,.0f}"),
        "clients": ("Home-care clients", "{:,.0f}"),
        "stairwells_with_clients": ("Stairwells with clients", "{:,.0f}"),
        "share_clients_sharing_stairwell": ("Clients sharing a stairwell with another client "
                                            "(%)", "pct"),
        "share_clients_sharing_building": ("Clients sharing a building (%)", "pct"),
        "hours_per_week_total": ("Care hours per week", "{:,.0f}"),
        "hours_per_week_mean": ("Care hours per client and week, mean", "{:,.1f}"),
        "hours_per_week_median": ("Care hours per client and week, median", "{:,.1f}"),
        "visits_per_day_total": ("Visits per day", "{:,.0f}"),
        "non_choosers_share": ("Clients who do not choose a provider (%)", "pct"),
        "zones": ("Home-care areas", "{:,.0f}"),
    }
    rows = []
    for k, (lab, f) in labels.items():
        if k in summary:
            v = _num(summary[k])
            rows.append([_t(lab), _loc(f"{100 * v:.1f}" if f == "pct" else f.format(v))])
    prov_rows = [[str(p["provider_id"]), str(p.get("name", "")), _t(str(p["kind"])),
                  _loc(f"{int(p['clients']):,}"), _loc(f"{_num(p['hours_per_week']):,.0f}"),
                  _loc(f"{100 * _num(p['share_hours']):.1f}")] for p in providers]
    return (_table([_t("Scenario"), _t("Value")], rows)
            + f"<h3>{_esc(_t('Providers today'))}</h3>"
            + _table([_t(h) for h in ("Provider", "Name", "Kind", "Clients",
                                      "Care hours per week", "Share of care hours (%)")],
                     prov_rows, left=(1, 2)))


def _glossary() -> str:
    from hemopt.evaluate import KPI_COLUMNS

    rows = [[_measure(k).title(), v, k] for k, v in KPI_COLUMNS.items()]
    note = ("<p class='note'>Definitionerna finns ännu bara på engelska.</p>"
            if _t("Definition") != "Definition" or _t("Measure") != "Measure" else "")
    return (note + "<details><summary>"
            + _esc(_t("What each measure means (and its key in comparison.json)"))
            + "</summary>" + _table([_t("Measure"), _t("Definition"),
                                     _t("Key in comparison.json")], rows, left=(1, 2))
            + "</details>")


def municipality_name(comp: Comparison) -> str:
    """The municipality's name: the boundary's ``name`` (e.g. ``Strängnäs``), else the
    scenario's name."""
    b = comp.scenario.boundary
    if "name" in b.columns and len(b):
        name = str(b["name"].iloc[0]).strip()
        if name and name.lower() not in ("nan", "none"):
            return name
    return comp.scenario.name


def report_title(comp: Comparison, seeds: SeedComparison | None = None) -> str:
    """The municipality and the seeds the report covers, e.g. ``Strängnäs, seeds 1–5``."""
    s = list(seeds.seeds) if seeds is not None else [comp.seed]
    key = "{municipality}, seeds {seeds}" if len(s) > 1 else "{municipality}, seed {seeds}"
    return _t(key, municipality=municipality_name(comp), seeds=_seed_list(s))


@register("comparison.html")
def write_html(comp: Comparison, path: str | Path, seeds: SeedComparison | None = None, *,
               lang: str = "en", interactive_map: str | None = None,
               sensitivity: Any = None) -> Path:
    """Write the report for people: one self-contained HTML file (figures embedded as base64
    PNG, no external CSS, JavaScript or fonts).

    Parameters
    ----------
    comp
        The comparison whose maps and detail tables the report shows (with ``seeds``: the
        headline seed's).
    path
        The file to write (its folder is created; written atomically).
    seeds
        A :class:`~hemopt.ranges.SeedComparison`: every figure becomes a median with its
        range over the seeds, the bar charts get error bars, and the saving is split into
        its causes (waterfall and table).
    lang
        ``"en"`` (the default) or ``"sv"``: Swedish, with the words councils use
        (:mod:`hemopt.i18n`).
    interactive_map
        The file name of an interactive map page beside the report
        (:func:`write_interactive_map`), linked from the maps section; ``None``: no link.
    sensitivity
        A :class:`~hemopt.sensitivity.SensitivityResult` or its JSON document
        (``sensitivity.json``): adds the section "What the answer depends on"
        (:func:`sensitivity_section`).

    Returns
    -------
    pathlib.Path
    """
    doc = _sensitivity_doc(sensitivity) if sensitivity is not None else None
    with language(lang):
        out = _write_html(comp, Path(path), seeds, lang, interactive_map, doc)
    logger.info("wrote the report (%s) to %s", lang, out)
    return out


def _write_html(comp: Comparison, path: Path, seeds: SeedComparison | None, lang: str,
                interactive_map: str | None, sensitivity: dict[str, Any] | None = None
                ) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = _regimes(comp)
    sc = comp.scenario
    meta = sc.meta
    origin = (_t("preset {preset}, seed {seed}", preset=meta["preset"], seed=meta.get("seed"))
              if "preset" in meta else _t("your own data"))
    figs: list[tuple[str, str, str]] = [
        ("kpis", _t("Bar charts of the main measures per regime"),
         _fig_to_base64(plot_kpis(comp, seeds=seeds))),
    ]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    plot_choice_cost(comp, ax=ax, seeds=seeds)
    figs.append(("choice_cost", _t("Choice against cost"), _fig_to_base64(fig)))
    has_dec = seeds is not None and not seeds.decomposition.empty
    waterfall = _fig_to_base64(plot_waterfall(seeds)) if has_dec and seeds is not None else ""
    maps = [(n, _fig_to_base64(plot_regime_map(comp, n), dpi=100)) for n in names]

    def img(alt: str, b64: str, id_: str = "") -> str:
        i = f" id='{id_}'" if id_ else ""
        return f"<img{i} alt='{_esc(alt)}' src='data:image/png;base64,{b64}'>"

    def note(text: str) -> str:
        return f"<p class='note'>{_esc(text)}</p>"

    lead = _t("LOV: free choice among all approved providers. LOU: procured external providers "
              "per area with a capped share of the hours, the municipality takes the rest and "
              "clients queue for their choice. Zoning: one provider per area, assigned by "
              "address; some areas procured, the others municipal.")
    interactive = ""
    if interactive_map:
        interactive = (f"<p><a href='{_esc(interactive_map)}'>"
                       f"{_esc(_t('Open the interactive map'))}</a>. "
                       + _esc(_t("A map to zoom and click (one layer per regime; each client "
                                 "shows its provider). It loads the Leaflet map library and "
                                 "the background map tiles from the internet."))
                       + "</p>")
    every = (_t("Every measure for seed {seed}", seed=comp.seed) if seeds is not None
             else _t("Every measure"))
    sections = [
        ("reading", _t("Reading"), "<ul>" + "".join(f"<li>{_esc(s)}</li>"
                                                    for s in reading(comp, seeds)) + "</ul>"),
        ("key-figures", _t("Key figures"),
         note(_t("Median [min–max] over the seeds. Against LOV: the paired change in per cent "
                 "of LOV's value (percentage points for percentages; the change itself where "
                 "LOV's value is 0).") if seeds is not None else
              _t("One seed. Against LOV: the change in per cent of LOV's value (percentage "
                 "points for percentages; the change itself where LOV's value is 0)."))
         + key_table(comp, seeds)
         + f"<details><summary>{_esc(every)}</summary>{_all_figures_table(comp)}</details>"),
        ("charts", _t("Charts"), img(figs[0][1], figs[0][2], "fig-kpis")
         + img(figs[1][1], figs[1][2], "fig-choice-cost")),
    ]
    if has_dec and seeds is not None:
        sections.append((
            "decomposition", _t("Where the difference comes from"),
            "<p>" + _esc(_t(
                "Each regime's difference to LOV is split into steps, each changing one thing "
                "in who serves whom, routed on the same day. A step's share is its Shapley "
                "value: its effect averaged over every order in which the steps could be "
                "taken, so the shares add up to the total and do not depend on the order. "
                "Against zoning: one provider per stairwell (the Strängnäs argument: several "
                "providers in the same stairwell the same day), per building, one provider per "
                "area (consolidation), then who that provider is (procurement). Against LOU: "
                "the contracts, then the share and the queue. Bases follow one rule, so each "
                "step includes the bases its assignment implies.")) + "</p>"
            + img(_t("Waterfall of the change in driving"), waterfall, "fig-waterfall")
            + decomposition_table(seeds)))
    else:
        sections.append((
            "decomposition", _t("Where the difference comes from"),
            note(_t("Not computed for a single comparison: hemopt.compare_seeds(...) splits "
                    "each difference into its causes (stairwell, building, consolidation, "
                    "procurement; contracts, share and queue)."))))
    if sensitivity is not None:
        sections.append(("sensitivity", _t("What the answer depends on"),
                         sensitivity_section(sensitivity)))
    bids = procurement_table(comp)
    if bids:
        sections.append(("procurement", _t("Procurement: bids and evaluation"), note(_t(
            "Every external provider bids on every lot. Price: the lot's care hours at the "
            "hourly cost, travel as round trips from the bidder's nearest office or base, and "
            "any expansion beyond its capacity; the evaluated price weighs in quality. The "
            "lowest evaluated price among qualified bidders wins (in bold).")) + bids))
    sections.append(("continuity", _t("Continuity of care (14 days)"),
                     _continuity_section(comp, seeds)))
    which = _t(" (seed {seed})", seed=comp.seed) if seeds is not None else ""
    sections += [
        ("transition", _t("Who changes provider"),
         note(_t("From today's providers to each regime{which}; staff hours follow the care "
                 "between employers.", which=which)) + transition_table(comp)),
        ("providers", _t("Cost per provider"),
         "<p>" + _esc(_fallback_sentence(comp)) + _esc(_t(
             " Cost per care hour: paid staff time, driving and the fixed costs per year, over "
             "the provider's care hours per year.")) + "</p>" + provider_table(comp)),
        ("maps", _t("Maps"),
         note(_t("Clients coloured by provider, offices as stars, area borders dashed; the "
                 "busiest stairwells circled with the number of providers serving them. "
                 "Right: the town centre enlarged (the densest part of the municipality, "
                 "outlined on the left).")) + interactive
         + "".join(f"<h3>{_esc(n)}</h3>" + img(_t("Map of {name}", name=n), b, f"map-{n}")
                   for n, b in maps)),
        ("published", _t("Beside published figures"),
         note(_t("Docs: validation.md sets five published figures (continuity of care among "
                 "them) beside the model's, with what a routing optimiser adds against a "
                 "simple plan."))
         + _table([_t("Published"), _t("Source"), _t("This model"), _t("Our reading")],
                  _published_rows(comp, seeds), left=(1, 2, 3))),
        ("meaning", _t("What this means"), _what_this_means(comp, seeds)),
        ("scenario", _t("Scenario"), _scenario_tables(comp)),
        ("glossary", _t("Definitions"), _glossary()),
        ("parameters", _t("Parameters"),
         "<details><summary>"
         + _esc(_t("Every parameter of the run (reproduce with these and the seed)"))
         + f"</summary><pre>{_esc(json.dumps(comp.to_dict()['parameters'], indent=2))}</pre>"
         "</details>"),
    ]
    runtime = seeds.runtime_s if seeds is not None else comp.runtime_s
    title = report_title(comp, seeds)
    parts = [
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>hemopt: {_esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(_t('Home care regimes compared: {name}', name=title))}</h1>",
        "<p class='sub'>" + _esc(_t(
            "{clients} clients, {providers} providers ({origin}). Regimes: {regimes}.",
            clients=_loc(f"{sc.n_clients:,}"), providers=sc.n_providers, origin=origin,
            regimes=", ".join(names))) + f" <span class='scn'>({_esc(sc.name)})</span></p>",
        f"<p>{_esc(lead)}</p>",
        f"<p class='run' id='run'>{_esc(run_description(comp, seeds))}</p>",
        "<nav><ul>" + "".join(f"<li><a href='#{i}'>{_esc(t)}</a></li>"
                              for i, t, _ in sections) + "</ul></nav>",
        *[f"<section id='{i}'><h2>{_esc(t)}</h2>{body}</section>" for i, t, body in sections],
        "<p class='note'>" + _esc(_t("hemopt; computed in {s} s.",
                                     s=_loc(f"{runtime:,.0f}"))) + "</p></body></html>",
    ]
    from hemopt._io import atomic_write_text

    return atomic_write_text(path, "\n".join(parts))  # whole or not at all


# ------------------------------------------------------------------------ sensitivity
def _sensitivity_doc(sensitivity: Any) -> dict[str, Any]:
    from hemopt.sensitivity import document

    return document(sensitivity)


def _difference_label(output: str) -> str:
    """``Zoning-LOV:driven_km_per_day`` in words: ``Zoning − LOV, Driving (km per day)``."""
    pair, kpi = output.split(":", 1)
    regime, _, reference = pair.partition("-")
    return _t("{regime} − {reference}, {measure}", regime=regime, reference=reference,
              measure=_measure(kpi).title())


def _drivers(doc: Mapping[str, Any], output: str, n: int = 2) -> list[str]:
    """The ``n`` assumptions with the largest index (μ* or ST) on ``output``; only those
    that move it (an index of 0 drives nothing: km do not depend on the price of a km)."""
    score = "mu_star" if doc["method"] == "morris" else "ST"
    rows = [r for r in doc["outputs"][output]["indices"]
            if _num(r.get(score)) > 1e-12]  # NaN (a failed block) and 0 left out
    rows.sort(key=lambda r: -_num(r[score]))
    return [str(r["assumption"]) for r in rows[:n]]


def _share(p: Any) -> str:
    v = _num(p)
    return "–" if math.isnan(v) else _loc(f"{100 * v:.0f}") + " %"


def sensitivity_table(sensitivity: Any) -> str:
    """HTML table: per headline difference, its value at the defaults, P5, median and P95
    over the declared ranges, the share of points where its sign holds and its two largest
    drivers. ``sensitivity``: a :class:`~hemopt.sensitivity.SensitivityResult` or its JSON
    document (``sensitivity.json``)."""
    doc = _sensitivity_doc(sensitivity)
    rows = []
    for out, r in doc["outputs"].items():
        kpi = out.split(":", 1)[1]
        rows.append([_difference_label(out),
                     *(fmt_value(kpi, r[k], sign=True) for k in ("baseline", "p5", "median",
                                                                 "p95")),
                     _share(r["p_sign"]), ", ".join(_drivers(doc, out)) or "–"])
    return _table([_t("Difference"), _t("At the defaults"), "P5", _t("Median"), "P95",
                   _t("Sign holds"), _t("Two largest drivers")], rows, left=(0, 6))


def plot_sensitivity(sensitivity: Any, n: int | None = 8) -> Any:
    """Tornado charts, one per headline difference: the ``n`` largest indices (Morris μ*
    or Sobol ST) with their 95 % intervals, largest on top. Returns the Figure."""
    import matplotlib.pyplot as plt

    doc = _sensitivity_doc(sensitivity)
    outputs = list(doc["outputs"])
    score = "mu_star" if doc["method"] == "morris" else "ST"
    ncol = 2
    nrow = max(1, (len(outputs) + 1) // ncol)
    k = min(n or len(doc["assumptions"]), max(len(doc["assumptions"]), 1))
    fig, axes = plt.subplots(nrow, ncol, figsize=(11, (0.3 * k + 1.3) * nrow), squeeze=False)
    for ax, out in zip(axes.ravel(), outputs, strict=False):
        recs = [r for r in doc["outputs"][out]["indices"] if not math.isnan(_num(r[score]))]
        recs = sorted(recs, key=lambda r: -_num(r[score]))[:k][::-1]
        kpi = out.split(":", 1)[1]
        # μ* is in the output's unit (SEK shown as MSEK, as the table); ST is a share
        width = np.asarray([_num(r[score]) for r in recs], dtype=float)
        err = np.asarray([_num(r.get(f"{score}_conf")) for r in recs], dtype=float)
        if score == "mu_star":
            width, err = _scaled(kpi, width), _scaled(kpi, err)
        ax.barh([str(r["assumption"]) for r in recs], width, xerr=err, color="#4477aa",
                ecolor="#333333", capsize=2)
        ax.set_xlabel(_t("μ* (mean |effect|), {unit}", unit=_measure(kpi).unit)
                      if score == "mu_star" else _t("ST (total index)"))
        ax.set_title(_difference_label(out), fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes.ravel()[len(outputs):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def sensitivity_section(sensitivity: Any) -> str:
    """The body of the report's section "What the answer depends on" (HTML): the method,
    runs and seeds, the two largest drivers, :func:`sensitivity_table`, the tornado charts
    (:func:`plot_sensitivity`) and the assumptions not varied with the reason."""
    doc = _sensitivity_doc(sensitivity)
    p = doc.get("parameters", {})
    method = "Morris" if doc["method"] == "morris" else "Sobol"
    how = _t("Every declared assumption (docs/assumptions.md) was varied over its plausible "
             "range: {method}, {n} assumptions, {runs} model runs on seed(s) {seeds} at scale "
             "{scale} (preset {preset}, sample seed {seed}). The ranges over the seeds above "
             "cover only the noise between seeds; these cover the modelling choices.",
             method=method, n=len(doc["assumptions"]), runs=doc["runs"],
             seeds=_seed_list(list(p.get("seeds") or [])) or "–",
             scale=_loc(f"{_num(p.get('scale', math.nan)):g}"), preset=doc["preset"],
             seed=p.get("seed", "–"))
    top = doc.get("top_drivers") or []
    parts = [f"<p>{_esc(how)}</p>"]
    if top:
        parts.append("<p><b>" + _esc(_t("The two largest drivers over every difference: "
                                         "{drivers}.", drivers=", ".join(top))) + "</b></p>")
    parts.append(sensitivity_table(doc))
    parts.append(f"<img id='fig-tornado' alt='{_esc(_t('Tornado charts'))}' "
                 f"src='data:image/png;base64,{_fig_to_base64(plot_sensitivity(doc))}'>")
    skipped = doc.get("skipped") or {}
    if skipped:
        parts.append(f"<h3>{_esc(_t('Not varied'))}</h3><ul>"
                     + "".join(f"<li><code>{_esc(k)}</code>: "
                               f"{_esc(_t(str(v).removeprefix(f'{k}: ')))}</li>"
                               for k, v in skipped.items()) + "</ul>")
    fails = doc.get("failures") or []
    if fails:
        parts.append("<p class='note'>" + _esc(_t(
            "{n} run(s) failed; their points are left out. First: {error}", n=len(fails),
            error=fails[0].get("error", ""))) + "</p>")
    return "".join(parts)


def write_sensitivity_html(sensitivity: Any, path: str | Path, *, lang: str = "en") -> Path:
    """A small self-contained HTML page of :func:`sensitivity_section` (``hemopt
    sensitivity --out DIR`` writes it as ``DIR/index.html``)."""
    with language(lang):
        doc = _sensitivity_doc(sensitivity)
        title = _t("What the answer depends on: {preset}", preset=doc["preset"])
        text = "\n".join([
            f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>",
            f"<title>hemopt: {_esc(title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{_esc(title)}</h1>", sensitivity_section(doc), "</body></html>"])
    from hemopt._io import atomic_write_text

    return atomic_write_text(Path(path), text)


# ------------------------------------------------------------------------ procurement
_BID_HEAD = (("lot", "Lot"), ("provider_id", "Bidder"),
             ("volume_hours_per_week", "Volume (h/week)"),
             ("travel_km", "Travel (km/week)"), ("price_sek_per_week", "Price (SEK/week)"),
             ("quality", "Quality"), ("evaluated_price", "Evaluated price (SEK/week)"),
             ("capacity_hours_per_week", "Capacity (h/week)"),
             ("expansion_hours_per_week", "Expansion (h/week)"),
             ("capacity_ok", "Qualified"), ("winner", "Winner"))


def procurement_table(comp: Comparison) -> str:
    """HTML: per regime that procures (zoning's lots), its lots and every bid with its
    evaluation (:func:`hemopt.procurement.evaluate_bids`), the winner of each lot in bold;
    empty when no regime procures."""
    from hemopt.compare import procurement_of

    parts = []
    for name, a in comp.assignments.items():
        bids, lots = procurement_of(a)
        if bids is None:
            continue
        lot_words = "; ".join(f"{k}: {', '.join(v)}" for k, v in (lots or {}).items())
        rows = []
        for r in bids.to_dict(orient="records"):
            cells = []
            for col, _ in _BID_HEAD:
                v = r[col]
                if isinstance(v, (bool, np.bool_)):
                    cells.append(_t("yes") if v else _t("no"))
                elif col == "quality":
                    cells.append(_loc(f"{_num(v):.2f}"))
                elif isinstance(v, (int, float, np.number)):
                    cells.append(_loc(f"{_num(v):,.0f}") if math.isfinite(_num(v)) else "–")
                else:
                    cells.append(str(v))
            rows.append(cells)
        parts.append(f"<h3>{_esc(name)}</h3><p>" + _esc(_t("Lots (areas awarded together): "
                                                           "{lots}.", lots=lot_words)) + "</p>"
                     + _table([_t(h) for _, h in _BID_HEAD], rows, left=(0, 1),
                              row_classes=["win" if w else "" for w in bids["winner"]]))
    return "".join(parts)


# ------------------------------------------------------------------------ notebooks
_FRAGMENT_KPIS = ["driven_km_per_day", "paid_staff_hours_per_day", "cost_sek_per_year",
                  "cost_per_care_hour_sek", "first_choice_pct", "queue",
                  "providers_per_stairwell", "stops_per_visit", "clients_changing_provider_pct"]


@register("comparison.html_fragment")
def html_fragment(comp: Comparison) -> str:
    """A compact HTML table of the main measures for notebooks (``Comparison._repr_html_``).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], max_iterations=30)
    >>> frag = comp._repr_html_()
    >>> "Driving (km per day)" in frag and "Zoning against LOV" in frag
    True
    """
    groups = [("Main measures", _FRAGMENT_KPIS)]
    return (f"<div><p><b>Comparison of {_esc(', '.join(_regimes(comp)))}</b> on "
            f"{_esc(comp.scenario.name)} ({comp.scenario.n_clients:,} clients). "
            f"{_esc(run_description(comp))}</p>{key_table(comp, None, groups)}</div>")


@register("seeds.html_fragment")
def seeds_html_fragment(seeds: SeedComparison) -> str:
    """A compact HTML table for notebooks (``SeedComparison._repr_html_``): medians [min–max]
    over the seeds and the paired differences to LOV."""
    comp = seeds.headline
    groups = [("Main measures", _FRAGMENT_KPIS)]
    return (f"<div><p><b>Comparison of {_esc(', '.join(_regimes(comp)))}</b> on "
            f"{_esc(comp.scenario.name)}. {_esc(run_description(comp, seeds))}</p>"
            f"{key_table(comp, seeds, groups)}</div>")


_CARD = ("<div style='border:1px solid #ccc;border-radius:6px;padding:.6em 1em;"
         "max-width:640px;font-size:14px'>")


def _card_rows(rows: Sequence[tuple[str, str]]) -> str:
    return ("<table style='border-collapse:collapse'>" + "".join(
        f"<tr><td style='padding:1px 14px 1px 0;color:#555'>{_esc(k)}</td>"
        f"<td style='text-align:right'>{_esc(v)}</td></tr>" for k, v in rows) + "</table>")


@register("scenario.html_card")
def scenario_card(sc: Any) -> str:
    """A summary card of a :class:`~hemopt.scenario.Scenario` for notebooks
    (``Scenario._repr_html_``): where, how many clients and care hours, the providers today.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> card = sc._repr_html_()
    >>> "Strängnäs" in card and "Home-care clients" in card and "E1" in card
    True
    """
    s = sc.summary()
    b = sc.boundary
    where = str(b["name"].iloc[0]) if "name" in b.columns and len(b) else ""
    rows = [("Scenario", str(sc.name))]
    if where:
        rows.append(("Municipality", where))
    for key, label, f in (("area_km2", "Land area (km²)", "{:,.0f}"),
                          ("inhabitants", "Inhabitants", "{:,.0f}"),
                          ("clients", "Home-care clients", "{:,.0f}"),
                          ("hours_per_week_total", "Care hours per week", "{:,.0f}"),
                          ("visits_per_day_total", "Visits per day", "{:,.0f}"),
                          ("zones", "Home-care areas", "{:,.0f}")):
        if key in s:
            rows.append((label, f.format(_num(s[key]))))
    prov = [[str(p["provider_id"]), str(p.get("name", "")), str(p["kind"]),
             f"{int(p['clients']):,}", f"{_num(p['hours_per_week']):,.0f}"]
            for p in s["providers"]]
    return (f"{_CARD}<b>Scenario {_esc(sc.name)}</b>" + _card_rows(rows)
            + "<details><summary>Providers today</summary>"
            + _table(["Provider", "Name", "Kind", "Clients", "Care hours per week"], prov,
                     left=(1, 2)) + "</details></div>")


@register("assignment.html_card")
def assignment_card(a: Any) -> str:
    """A summary card of an :class:`~hemopt.assignment.Assignment` for notebooks
    (``Assignment._repr_html_``): choice met, queue, unserved, and each serving provider's
    clients and hours.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> card = hemopt.assign(sc, hemopt.LOV())._repr_html_()
    >>> "First choice met" in card and "Providers with clients" in card
    True
    """
    from hemopt.plot import serving_providers

    s = a.summary()
    serving = serving_providers(a)
    rows = [("Scenario", str(a.scenario.name)), ("Clients", f"{s['clients']:,}"),
            ("First choice met (% of choosing clients)", f"{s['first_choice_pct']:.1f}"),
            ("Clients queueing for their choice", f"{s['queue']:,}"),
            ("Clients without a provider", f"{s['unserved']:,}"),
            ("Care hours with external providers (%)",
             f"{100 * _num(s['external_share_hours']):.1f}"),
            ("Providers with clients", f"{len(serving)} of {a.scenario.n_providers}")]
    cl = a.clients
    per = cl[cl["provider_id"] != ""].groupby("provider_id").agg(
        clients=("client_id", "size"), hours=("hours_per_week", "sum"))
    prov = [[p, f"{int(per.at[p, 'clients']):,}", f"{per.at[p, 'hours']:,.0f}"]
            for p in serving]
    return (f"{_CARD}<b>Assignment: {_esc(a.regime)}</b>" + _card_rows(rows)
            + _table(["Provider", "Clients", "Care hours per week"], prov) + "</div>")


def formatted_table(comp: Comparison, kpis: Sequence[str] | None = None, *,
                    lang: str = "en") -> pd.DataFrame:
    """The KPIs as people read them: one row per measure (its words and unit), one column
    per regime, each value a string in the measure's format (thousands separators, MSEK,
    per cent; never scientific notation). For notebooks and docs; the numbers themselves
    are in ``comp.table``.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV()], max_iterations=30, continuity=False)
    >>> t = formatted_table(comp, ["driven_km_per_day", "cost_sek_per_year"])
    >>> list(t.index)
    ['Driving (km per day)', 'Cost (MSEK per year)']
    >>> "e+" in t.to_string()
    False
    """
    with language(lang):
        t = _values(comp)
        keys = [k for k in (kpis if kpis is not None else MEASURES) if k in t.columns]
        return pd.DataFrame({n: [fmt_value(k, t.at[n, k]) for k in keys] for n in _regimes(comp)},
                            index=pd.Index([_measure(k).title() for k in keys],
                                           name=_t("Measure")))
