"""The text tables ``hemopt assign`` and ``hemopt compare`` print."""

from __future__ import annotations

import math
from typing import Any

from hemopt.kpis import format_value

__all__ = ["_format_assignment", "_format_comparison", "_format_ranges"]


def _hours(v: Any) -> str:
    """Weekly hours for the printed summary; ``–`` where the regime has no such figure."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return f"{'–':>7}"
    return f"{'–':>7}" if f != f else f"{f:>7.1f} h/wk"


def _format_assignment(a: Any) -> str:
    s = a.summary()
    lines = [
        f"{a.regime} on {a.scenario.name}: {s['clients']} clients, {s['choosers']} choose",
        f"  first choice met          {format_value('pct', s['first_choice_pct']):>7} % of "
        "choosing clients" + ("" if s["choosers"] else " (no client chose)"),
        f"  queueing for a provider   {s['queue']:>7}",
        f"  unserved                  {s['unserved']:>7}",
        f"  external share of hours   {format_value('share', s['external_share_hours']):>7} %",
        f"  guarantee shortfall       {_hours(s.get('guarantee_shortfall_hours_per_week'))}"
        "   (LOU: hours the guarantee could not place)",
        f"  procurement shortfall     {_hours(s.get('procurement_shortfall_hours_per_week'))}"
        "   (zoning: hours below the procured share)",
        "",
        f"  {'provider':<10}{'kind':<10}{'clients':>8}{'hours/wk':>10}{'share':>8}{'queue':>7}",
    ]
    for r in a.providers.itertuples():
        lines.append(f"  {r.provider_id:<10}{r.kind:<10}{r.clients:>8}{r.hours_per_week:>10.0f}"
                     f"{format_value('share', r.share_hours):>7}%{r.queue:>7}")
    poz = a.problem.provider_of_zone
    if poz is not None:
        lines.append("")
        hours = a.clients.groupby("zone_id")["hours_per_week"].sum()
        for z, p in poz.items():
            lines.append(f"  zone {z:<8} -> {p:<6} {hours.get(z, 0.0):>8.0f} h/wk")
    return "\n".join(lines)


def _format_comparison(comp: Any) -> str:
    """The headline seed's table: one row per KPI marked ``cli`` in the KPI registry
    (:mod:`hemopt.kpis`), labelled and formatted as the report shows it; then each regime's
    change from the baseline (LOV, else the first regime)."""
    from hemopt.kpis import cli_kpis
    from hemopt.viz.format import fmt_change

    t = comp.table
    rows = [k for k in cli_kpis() if k.key in t.columns]
    names = list(t.index)
    w = max([len(_row_label(k)) for k in rows] + [12]) + 2
    lines = [f"{'':<{w}}" + "".join(f"{n:>14}" for n in names)]
    for k in rows:
        lines.append(f"{_row_label(k):<{w}}" + "".join(f"{k.format(t.at[n, k.key]):>14}"
                                                      for n in names))
    base = comp.baseline
    if len(names) > 1:
        d = comp.diff(base)
        lines.append("")
        others = [n for n in names if n != base]
        lines.append(f"{'versus ' + base:<{w}}" + "".join(f"{n:>14}" for n in others))
        for k in rows:
            if k.direction is None:
                continue
            cells = [fmt_change(k.key, d.at[n, k.key], d.at[n, k.key + "_pct"])
                     if k.key + "_pct" in d.columns else "–" for n in others]
            lines.append(f"{_row_label(k):<{w}}" + "".join(f"{c:>14}" for c in cells))
    return "\n".join(lines)


def _row_label(k: Any, width: int = 58) -> str:
    """``label (unit)``, or the label alone when that is too long for a terminal row."""
    return k.title() if len(k.title()) <= width else k.label


#: The differences to the baseline printed in per cent by ``hemopt compare`` over seeds (the rest of
#: the headline KPIs are in the report).
_RANGE_DIFFS = ("driven_km_per_day", "paid_staff_hours_per_day", "cost_sek_per_year",
                "variable_cost_sek_per_year", "fixed_cost_sek_per_year")


def _format_ranges(r: Any) -> str:
    """Medians [min, max] over seeds of the KPIs marked ``cli`` and ``headline`` in the KPI
    registry, the paired differences to the baseline, and the decomposition."""
    from hemopt.kpis import cli_kpis, get

    iv = r.intervals
    present = set(iv["kpi"])
    rows = [k for k in cli_kpis() if k.headline and k.key in present]
    names = list(dict.fromkeys(iv["regime"]))
    w = max([len(_row_label(k)) for k in rows] + [12]) + 2
    lines = [f"median [min, max] over seeds {r.seeds}",
             f"{'':<{w}}" + "".join(f"{n:>24}" for n in names)]
    for k in rows:
        cells = []
        for n in names:
            x = r.interval(n, k.key)
            m, lo, hi = (k.format(x[c]) for c in ("median", "low", "high"))
            cells.append(m if m == lo == hi == "–" else f"{m} [{lo}, {hi}]")
        lines.append(f"{_row_label(k):<{w}}" + "".join(f"{c:>24}" for c in cells))
    lines.append("")
    base = r.headline.baseline
    lines.append(f"versus {base}, paired within each seed: median % [min, max]")
    for key in _RANGE_DIFFS:
        if key not in present:
            continue
        cells = []
        for n in names:
            x = r.interval(n, key)
            noise = "~" if x["within_noise"] and n != base else " "
            pct = [float(x[c]) for c in ("pct_median", "pct_low", "pct_high")]
            if all(math.isfinite(v) for v in pct):
                cells.append(f"{pct[0]:+.1f} [{pct[1]:+.1f}, {pct[2]:+.1f}]{noise}")
            else:  # no per cent of nothing: 0 under the baseline (no driving), or missing
                zero = x.get("diff_low") == x.get("diff_high") == 0
                cells.append(("no change" if zero else "–") + " ")
        lines.append(f"{get(key).label + ' (%)':<{w}}" + "".join(f"{c:>24}" for c in cells))
    lines.append("(~: the range contains 0, within noise)")
    dec = r.decomposition_summary()
    if len(dec):
        lines.append("")
        lines.append("where the difference comes from (Shapley values over the steps: mean over "
                     "seeds [min, max])")
        lines.append(f"  {'':<8}{'step':<18}{'km/day':>10}{'':<20}{'MSEK/year':>10}")
        for row in dec.itertuples():
            lines.append(f"  {row.regime:<8}{row.step:<18}{row.km_change:>+10,.0f} "
                         f"[{row.km_low:+,.0f}, {row.km_high:+,.0f}]"
                         f"{row.cost_change_sek / 1e6:>+14,.1f}   {row.about}")
    return "\n".join(lines)
