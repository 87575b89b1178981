"""The report's tables as HTML: key figures, the decomposition, who changes provider,
cost per provider, continuity, published figures, scenario, glossary and procurement."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from hemopt import kpis as _reg
from hemopt.i18n import current as language_now
from hemopt.i18n import number as _loc
from hemopt.i18n import t as _t
from hemopt.viz._html import _esc, _table, _two_lines
from hemopt.viz.compare import _signed_km, waterfall_table
from hemopt.viz.format import (
    _NA,
    MEASURES,
    _change_interval,
    _measure,
    _noise_note,
    _num,
    _regimes,
    _seed_list,
    _seed_stats,
    _span,
    _values,
    fmt_change,
    fmt_range,
    fmt_value,
    seed_intervals,
)

if TYPE_CHECKING:
    from hemopt.compare import Comparison
    from hemopt.ranges import SeedComparison

__all__ = ["CONTINUITY_COLUMNS", "SV_STEP_WORDS", "continuity_how", "continuity_table",
           "decomposition_table", "glossary_table", "key_table", "municipality_name",
           "procurement_table", "provider_table", "report_title", "scale_note", "scenario_tables",
           "transition_table"]


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
        iv = seed_intervals(seeds, [k for _, ks in groups for k in ks])
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


def continuity_how(comp: Comparison) -> str:
    """How the continuity figures' routes were made (the solver's, or a sweep from the
    approximation's route counts), in words."""
    p = comp.parameters.get("continuity") or {}
    return _t("routed with the solver" if p.get("routing") == "solver" else
              "cut into routes by a sweep around each base from the routing approximation's "
              "route counts (a quick proxy; the solver's routes give 1.5 to 4 more faces per "
              "client and larger differences between regimes, docs/continuity.md)")


def scale_note(comp: Comparison) -> str:
    """A sentence when the scenario is scaled (its costs and km are not the
    municipality's), else ``""``."""
    scale = comp.scenario.meta.get("scale")
    return (_t(" This scenario is scaled to {scale} of the municipality's population: its "
               "costs and kilometres are not the municipality's.", scale=_loc(f"{scale:g}"))
            if isinstance(scale, (int, float)) and scale != 1 else "")


def scenario_tables(comp: Comparison) -> tuple[str, str]:
    """The scenario in figures, and the providers today: two HTML tables."""
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
            rows.append([_t(lab), _loc(_NA if not math.isfinite(v) else f"{100 * v:.1f}"
                                       if f == "pct" else f.format(v))])
    prov_rows = [[str(p["provider_id"]), str(p.get("name", "")), _t(str(p["kind"])),
                  _loc(f"{int(p['clients']):,}"), _loc(f"{_num(p['hours_per_week']):,.0f}"),
                  _loc(_reg.format_value("share", p["share_hours"]))] for p in providers]
    return (_table([_t("Scenario"), _t("Value")], rows),
            _table([_t(h) for h in ("Provider", "Name", "Kind", "Clients",
                                    "Care hours per week", "Share of care hours (%)")],
                   prov_rows, left=(1, 2)))


def glossary_table() -> str:
    """Every KPI: its words, its definition (English) and its key in comparison.json."""
    from hemopt.evaluate import KPI_COLUMNS

    rows = [[_measure(k).title(), v, k] for k, v in KPI_COLUMNS.items()]
    return _table([_t("Measure"), _t("Definition"), _t("Key in comparison.json")], rows,
                  left=(1, 2))


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
