"""How figures are shown to people: each KPI's words, unit and number format, changes
and ranges, and the run described in one sentence. Used by the report, the notebook cards,
Excel and the command line."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from hemopt import kpis as _reg
from hemopt.i18n import current as language_now
from hemopt.i18n import kpi_text, language
from hemopt.i18n import number as _loc
from hemopt.i18n import t as _t

if TYPE_CHECKING:
    from hemopt.compare import Comparison
    from hemopt.ranges import SeedComparison

__all__ = ["MEASURES", "UNCERTAINTY_NOTE", "Measure", "fmt_change", "fmt_range", "fmt_value",
           "formatted_table", "run_description", "seed_intervals"]


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
                    "(whether providers open local bases, fixed costs, the externals' "
                    "territories, the guarantee rule, visit durations ...) can move the answer "
                    "more; hemopt sensitivity shows how much.")


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


def seed_intervals(seeds: SeedComparison, kpis: Sequence[str],
                   reference: str = "LOV") -> pd.DataFrame:
    """The paired intervals over seeds (:func:`hemopt.ranges.paired_intervals`) of ``kpis``
    (those in ``seeds.per_seed``), one row per (regime, kpi), in the order of ``kpis``.

    The rows :attr:`SeedComparison.intervals <hemopt.ranges.SeedComparison.intervals>`
    holds (the headline KPIs against LOV) are taken as they are, never recomputed; only the
    other KPIs are summarised here, from the same per-seed table.

    Examples
    --------
    >>> import pandas as pd
    >>> from hemopt.ranges import SeedComparison
    >>> per_seed = pd.DataFrame({"seed": [1, 1], "regime": ["LOV", "Zoning"],
    ...                          "km": [10.0, 8.0], "queue": [0.0, 3.0]}
    ...                         ).set_index(["seed", "regime"])
    >>> held = pd.DataFrame([{"regime": "Zoning", "kpi": "km", "median": 99.0}])
    >>> s = SeedComparison(comparisons={}, per_seed=per_seed, intervals=held,
    ...                    decomposition=pd.DataFrame(), headline_seed=1)
    >>> iv = seed_intervals(s, ["km", "queue"])
    >>> float(iv.at[("Zoning", "km"), "median"]), float(iv.at[("Zoning", "queue"), "median"])
    (99.0, 3.0)
    """
    from hemopt.ranges import paired_intervals

    present = [k for k in kpis if k in seeds.per_seed.columns]
    held = seeds.intervals if reference == "LOV" else pd.DataFrame()
    have = set(held["kpi"]) if len(held) else set()
    rest = [k for k in present if k not in have]
    frames = [held[held["kpi"].isin(present)]] if have else []
    if rest:
        frames.append(paired_intervals(seeds.per_seed, reference, rest))
    if not frames:
        return paired_intervals(seeds.per_seed, reference, []).set_index(["regime", "kpi"])
    iv = pd.concat(frames, ignore_index=True)
    regimes = list(dict.fromkeys(seeds.per_seed.index.get_level_values(1)))
    iv = iv.assign(_r=iv["regime"].map(regimes.index), _k=iv["kpi"].map(present.index))
    return iv.sort_values(["_r", "_k"]).drop(columns=["_r", "_k"]).set_index(["regime", "kpi"])


def _seed_stats(seeds: SeedComparison, kpi: str) -> pd.DataFrame:
    """Per regime: median, min and max of ``kpi`` over the seeds; those
    :attr:`SeedComparison.intervals <hemopt.ranges.SeedComparison.intervals>` holds when it
    holds ``kpi``."""
    held = seeds.intervals
    if len(held) and kpi in set(held["kpi"]):
        return held[held["kpi"] == kpi].set_index("regime")[["median", "low", "high"]]
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
    >>> from hemopt.viz.format import run_description
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
