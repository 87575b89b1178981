"""The plain-language reading of a comparison: a few sentences per regime against LOV."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from hemopt.i18n import language
from hemopt.i18n import number as _loc
from hemopt.i18n import t as _t
from hemopt.viz.format import (
    _NA,
    UNCERTAINTY_NOTE,
    _measure,
    _noise_note,
    _num,
    _span,
    _values,
    fmt_range,
    fmt_value,
    seed_intervals,
)

if TYPE_CHECKING:
    from hemopt.compare import Comparison
    from hemopt.ranges import SeedComparison

__all__ = ["reading"]


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

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], max_iterations=20,
    ...                       continuity=False)
    >>> reading(comp)[0].startswith("Zoning drives")
    True
    >>> reading(comp, lang="sv")[0].startswith("Zoning ger")
    True
    """
    if lang is not None:
        with language(lang):
            return reading(comp, seeds)
    if "LOV" not in comp.table.index:
        return [_t("No LOV run to compare against.")]
    out: list[str] = []
    if seeds is not None:
        iv = seed_intervals(seeds, ["driven_km_per_day", "paid_staff_hours_per_day",
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
        msek = _num(r["diff_median"]) / 1e6
        span = _span(_loc(f"{_num(r.diff_low) / 1e6:+,.1f}"),
                     _loc(f"{_num(r.diff_high) / 1e6:+,.1f}"))
        text = _t("{what} {value} MSEK a year {dir} (median; range {span} MSEK", what=what,
                  value=_loc(f"{abs(msek):,.1f}"), dir=_less_more(msek), span=span)
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
