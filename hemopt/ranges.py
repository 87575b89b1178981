"""Ranges, not points: the regimes compared over several seeds, with paired differences and
the saving split into its causes.

A seed draws a municipality's clients (for a preset), the day of visits, the clients' order of
request and the solver's search. One seed's figure is one sample; :func:`compare_seeds` runs
:func:`hemopt.compare` for each seed and reports, per regime and KPI, the **median and the
range over seeds**. Differences to LOV are **paired**: computed within each seed (same
clients, same day) and then summarised, never as the difference of two medians. A difference
whose range contains zero is reported as within noise.

The saving is split into its causes with :mod:`hemopt.decompose` on every seed (Shapley
values over the steps, independent of their order); the steps' values are averaged over
seeds, and because means add up, the steps sum to the mean total difference (the median is
given beside it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hemopt._progress import auto_progress, sayer
from hemopt.compare import Comparison, _jsonable, compare, renamed_keyword, takes_settings
from hemopt.day.route import ShiftParams
from hemopt.day.visits import VisitParams
from hemopt.decompose import decompose_steps
from hemopt.errors import InputError
from hemopt.evaluate import CostParams, day_for, evaluate
from hemopt.kpis import headline_kpis
from hemopt.regimes import Regime, baseline_name
from hemopt.scenario import Scenario
from hemopt.settings import StudySettings

__all__ = ["HEADLINE_KPIS", "SeedComparison", "compare_seeds",  # noqa: F822 (__getattr__)
           "paired_intervals"]


def __getattr__(name: str) -> Any:
    # HEADLINE_KPIS: the KPIs whose differences to LOV are summarised and decomposed, read
    # from the KPI registry (hemopt.kpis) at the time of asking
    if name == "HEADLINE_KPIS":
        return headline_kpis()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def paired_intervals(per_seed: pd.DataFrame, reference: str | None = None,
                     kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """Median and range over seeds of each KPI, and of its paired difference to ``reference``.

    Parameters
    ----------
    per_seed
        One row per (seed, regime): a MultiIndex ``(seed, regime)`` and KPI columns.
    reference
        The regime differences are taken to (it must be in every seed); default: the
        baseline (:func:`hemopt.regimes.baseline_name`: LOV, else the first regime).
    kpis
        Columns to summarise (default: every numeric column).

    Returns
    -------
    pandas.DataFrame
        One row per (regime, kpi): ``n`` (seeds), ``median``, ``low``, ``high`` (min and max
        over seeds), ``diff_median``, ``diff_low``, ``diff_high``, ``diff_mean`` (paired:
        regime minus reference within each seed), the same in per cent of the reference
        (``pct_*``), and ``within_noise`` (the difference's range contains 0).

    Examples
    --------
    Two seeds; B is 10 below A in seed 1 and 30 below in seed 2:

    >>> import pandas as pd
    >>> t = pd.DataFrame({"seed": [1, 1, 2, 2], "regime": ["A", "B", "A", "B"],
    ...                   "km": [100.0, 90.0, 200.0, 170.0]}).set_index(["seed", "regime"])
    >>> r = paired_intervals(t, reference="A").set_index(["regime", "kpi"])
    >>> r.loc[("B", "km"), ["diff_low", "diff_high", "diff_mean", "pct_low", "pct_high"]].tolist()
    [-30.0, -10.0, -20.0, -15.0, -10.0]
    >>> bool(r.loc[("B", "km"), "within_noise"])
    False
    """
    if per_seed.index.nlevels != 2:
        raise InputError("per_seed: expected a (seed, regime) MultiIndex")
    num = per_seed.select_dtypes("number")
    kpis = list(kpis) if kpis is not None else list(num.columns)
    missing = [k for k in kpis if k not in num.columns]
    if missing:
        raise InputError(f"kpis: {missing} are not numeric columns of per_seed")
    regimes = list(dict.fromkeys(per_seed.index.get_level_values(1)))
    seeds = list(dict.fromkeys(per_seed.index.get_level_values(0)))
    if reference is None:
        reference = baseline_name(regimes)
    for s in seeds:
        if (s, reference) not in per_seed.index:
            raise InputError(f"reference {reference!r} is missing in seed {s}")
    rows = []
    for regime in regimes:
        for kpi in kpis:
            vals, diffs, pcts = [], [], []
            for s in seeds:
                if (s, regime) not in per_seed.index:
                    continue
                v = float(num.at[(s, regime), kpi])
                ref = float(num.at[(s, reference), kpi])
                vals.append(v)
                diffs.append(v - ref)
                pcts.append(100.0 * (v - ref) / ref if ref not in (0.0,) and math.isfinite(ref)
                            else math.nan)
            va, d, p = (np.asarray(x, dtype=float) for x in (vals, diffs, pcts))
            fin = np.isfinite(d)
            rows.append({
                "regime": regime, "kpi": kpi, "n": len(va),
                "median": _nan(np.nanmedian, va), "low": _nan(np.nanmin, va),
                "high": _nan(np.nanmax, va),
                "diff_median": _nan(np.nanmedian, d), "diff_low": _nan(np.nanmin, d),
                "diff_high": _nan(np.nanmax, d), "diff_mean": _nan(np.nanmean, d),
                "pct_median": _nan(np.nanmedian, p), "pct_low": _nan(np.nanmin, p),
                "pct_high": _nan(np.nanmax, p),
                "within_noise": bool(fin.any() and d[fin].min() <= 0 <= d[fin].max()),
            })
    return pd.DataFrame(rows)


def _nan(f: Callable[[np.ndarray], Any], x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(f(x)) if len(x) else math.nan


@dataclass(frozen=True, eq=False)
class SeedComparison:
    """The regimes compared over several seeds; made by :func:`compare_seeds`.

    Attributes
    ----------
    comparisons
        The :class:`~hemopt.compare.Comparison` of each seed.
    per_seed
        One row per (seed, regime), the KPI columns (and the transition figures).
    intervals
        :func:`paired_intervals` of ``per_seed`` against LOV.
    decomposition
        One row per (seed, regime, step): ``km_change`` (km per day) and ``cost_change_sek``
        (per year), the step's Shapley value (:mod:`hemopt.decompose`): they add up to the
        regime minus LOV and do not depend on the order of the steps.
    decomposition_runtime_s, decomposition_evaluations
        Time spent on the decomposition, and the assignments it routed (every seed and
        regime, the regimes' own included).
    headline_seed
        The seed whose maps and tables the report shows.

    Examples
    --------
    Made by :func:`compare_seeds`:

    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> r = hemopt.compare_seeds(sc, seeds=(1, 2), max_iterations=30, decompose=False)
    >>> r.headline is r.comparisons[1]
    True
    >>> sorted(r.to_dict()["intervals"]["Zoning"]["driven_km_per_day"])
    ['interval', 'median', 'n', 'vs_lov']
    """

    comparisons: dict[int, Comparison]
    per_seed: pd.DataFrame
    intervals: pd.DataFrame
    decomposition: pd.DataFrame
    headline_seed: int
    runtime_s: float = field(default=0.0)
    decomposition_runtime_s: float = field(default=0.0)
    decomposition_evaluations: int = field(default=0)

    @property
    def headline(self) -> Comparison:
        """The comparison of the headline seed."""
        return self.comparisons[self.headline_seed]

    @property
    def seeds(self) -> list[int]:
        return list(self.comparisons)

    def interval(self, regime: str, kpi: str) -> dict[str, Any]:
        """The row of :attr:`intervals` for ``regime`` and ``kpi`` as a dict."""
        r = self.intervals[(self.intervals["regime"] == regime) & (self.intervals["kpi"] == kpi)]
        if r.empty:
            raise InputError(f"no interval for regime {regime!r} and KPI {kpi!r}")
        return r.iloc[0].to_dict()

    def decomposition_summary(self) -> pd.DataFrame:
        """Per (regime, step): the mean change over seeds (means add up to the mean total)
        and its range, for km per day and cost per year."""
        d = self.decomposition
        if d.empty:
            return d
        g = d.groupby(["regime", "step"], sort=False)
        out = g.agg(km_change=("km_change", "mean"), km_low=("km_change", "min"),
                    km_high=("km_change", "max"), cost_change_sek=("cost_change_sek", "mean"),
                    cost_low=("cost_change_sek", "min"), cost_high=("cost_change_sek", "max"),
                    about=("about", "first")).reset_index()
        return out

    def to_dict(self) -> dict[str, Any]:
        """The headline seed's JSON document, with ``seeds``, ``intervals`` (every KPI and
        every difference to LOV) and ``decomposition``."""
        doc = self.headline.to_dict()
        intervals: dict[str, Any] = {}
        for regime, g in self.intervals.groupby("regime", sort=False):
            intervals[str(regime)] = {
                str(r.kpi): {
                    "n": int(r.n), "median": r.median, "interval": [r.low, r.high],
                    "vs_lov": {"median": r.diff_median, "mean": r.diff_mean,
                               "interval": [r.diff_low, r.diff_high],
                               "pct_median": r.pct_median,
                               "pct_interval": [r.pct_low, r.pct_high],
                               "within_noise": bool(r.within_noise)},
                } for r in g.itertuples()}
        decomposition: dict[str, list[dict[str, Any]]] = {}
        for r in self.decomposition_summary().itertuples():
            decomposition.setdefault(str(r.regime), []).append({
                "step": r.step, "about": r.about, "km_change": r.km_change,
                "cost_change_sek": r.cost_change_sek, "interval": [r.km_low, r.km_high],
                "cost_interval": [r.cost_low, r.cost_high]})
        doc["seeds"] = [int(s) for s in self.seeds]
        doc["headline_seed"] = int(self.headline_seed)
        doc["intervals"] = _jsonable(intervals)
        doc["decomposition"] = _jsonable(decomposition)
        return doc

    def to_json(self, path: str | Path) -> Path:
        import json

        from hemopt._io import atomic_write_text

        path = Path(path)
        atomic_write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    def __repr__(self) -> str:
        rows = self.intervals[self.intervals["kpi"] == "driven_km_per_day"]
        lines = [f"SeedComparison over seeds {self.seeds} (headline seed {self.headline_seed})"]
        for r in rows.itertuples():
            lines.append(f"  {r.regime:<8} km/day median {r.median:,.0f} [{r.low:,.0f}, "
                         f"{r.high:,.0f}]; vs LOV {r.pct_median:+.1f} % "
                         f"[{r.pct_low:+.1f}, {r.pct_high:+.1f}]")
        return "\n".join(lines)


@takes_settings
def compare_seeds(
    scenario: Scenario | Callable[[int], Scenario],
    seeds: Sequence[int] = (1, 2, 3, 4, 5),
    *,
    regimes: Callable[[Scenario], Sequence[Regime]] | None = None,
    headline_seed: int | None = None,
    decompose: bool = True,
    routing: str = "solver",
    cost: CostParams | None = None,
    visit_params: VisitParams | None = None,
    shifts: ShiftParams | None = None,
    max_iterations: int | None = 300,
    progress: bool | Callable[[str], None] | None = None,
    settings: StudySettings | None = None,
    **compare_kwargs: Any,
) -> SeedComparison:
    """Compare the regimes on each seed and summarise the ranges and the paired differences.

    Parameters
    ----------
    scenario
        A scenario (the same clients for every seed; the seed draws the day, the order of
        request and the solver's search) or a function of the seed that makes one (e.g.
        ``lambda s: hemopt.generate("strangnas", seed=s)``: new clients for every seed).
    seeds
        The seeds (default 1–5).
    regimes
        A function of the scenario giving the regimes (default
        :func:`hemopt.compare.default_regimes`); called per seed, so that every seed gets
        fresh regime objects.
    headline_seed
        The seed whose maps and tables the report shows (default: the first).
    decompose
        Split each regime's difference to LOV into its causes (:mod:`hemopt.decompose`).
    routing, max_iterations, cost, visit_params, shifts, compare_kwargs
        As :func:`hemopt.compare` (default effort here: 300 solver iterations per instance,
        deterministic); ``workers=`` routes each day over that many processes.
    settings
        A :class:`~hemopt.StudySettings` in place of the separate settings keywords (as
        :func:`hemopt.compare`; giving both is an error). The decomposition's steps are routed
        with the same settings as the regimes (care included).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> r = hemopt.compare_seeds(sc, seeds=(1, 2), max_iterations=30)
    >>> r.seeds, sorted(r.per_seed.index.get_level_values("regime").unique())
    ([1, 2], ['LOU', 'LOV', 'Zoning'])
    >>> iv = r.interval("Zoning", "driven_km_per_day")
    >>> iv["n"], iv["low"] <= iv["median"] <= iv["high"]
    (2, True)
    """
    t0 = time.perf_counter()
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise InputError(f"seeds: give distinct seeds, got {seeds}")
    headline_seed = seeds[0] if headline_seed is None else int(headline_seed)
    if headline_seed not in seeds:
        raise InputError(f"headline_seed {headline_seed} is not among the seeds {seeds}")
    if progress is None:  # on in a notebook or on a terminal (hemopt._progress)
        progress = auto_progress()
    say = sayer(progress)
    cost = cost or CostParams()
    visit_params = visit_params or VisitParams()
    shifts = shifts or ShiftParams()
    comps: dict[int, Comparison] = {}
    rows, dec_rows = [], []
    dec_s, dec_n = 0.0, 0
    from hemopt.compare import default_regimes

    # the decomposition's steps are routed exactly as the regimes: every routing setting,
    # care included (it was rebuilt by hand here and lost care: --no-care routed them with care)
    if "backend" in compare_kwargs:  # the old name, one release
        compare_kwargs["routing_backend"] = renamed_keyword(
            "compare_seeds", "backend", "routing_backend", compare_kwargs.pop("backend"),
            compare_kwargs.get("routing_backend", "pyvrp"), "pyvrp")
    passed = ("routing_backend", "time_limit_s", "workers", "care", "travel", "base_rule",
              "continuity", "continuity_routing")
    study = settings if settings is not None else StudySettings.from_keywords(
        routing=routing, max_iterations=max_iterations, cost=cost, visit_params=visit_params,
        shifts=shifts, **{k: compare_kwargs[k] for k in passed if k in compare_kwargs})
    routing_settings = study.routing_settings()
    if settings is not None:  # compare gets the settings whole (recorded in its parameters)
        compare_kwargs = {k: v for k, v in compare_kwargs.items() if k not in passed}
        run_settings: dict[str, Any] = {"settings": settings}
    else:
        run_settings = {"routing": routing, "cost": cost, "visit_params": visit_params,
                        "shifts": shifts, "max_iterations": max_iterations}
    for k, seed in enumerate(seeds, start=1):
        sc = scenario(seed) if callable(scenario) else scenario
        regs = list(regimes(sc)) if regimes is not None else default_regimes(sc)
        say(f"seed {seed} ({k}/{len(seeds)}): comparing {[r.name for r in regs]} ...")
        comp = compare(sc, regs, seed=seed, **run_settings,
                       progress=(lambda m, _s=seed: say(f"seed {_s}: {m}")) if progress else False,
                       **compare_kwargs)
        comps[seed] = comp
        for name in comp.table.index:
            rows.append({"seed": seed, "regime": name, **comp.table.loc[name].to_dict(),
                         **{key: v for key, v in comp.transitions[name].items()
                            if isinstance(v, (int, float))}})
        base_name = comp.baseline  # LOV, or the first regime when LOV was not run
        if decompose and base_name in comp.assignments and len(comp.assignments) > 1:
            lov = comp.assignments[base_name]
            visits = day_for(lov, seed=seed, params=visit_params)

            # the regimes' own assignments are routed already: their KPIs are the table's
            known = {id(x): comp.table.loc[n].to_dict() for n, x in comp.assignments.items()}

            def kpis_of(a: Any, _seed: int = seed, _visits: Any = visits,
                        _known: dict[int, Any] = known) -> dict[str, Any]:
                if id(a) in _known:
                    return _known[id(a)]
                return evaluate(a, routing=routing_settings, seed=_seed, visits=_visits,
                                cost=cost, travel=study.travel,
                                visit_params=visit_params, shifts=shifts).kpis

            for name, a in comp.assignments.items():
                if name == base_name:
                    continue
                say(f"seed {seed}: decomposing {name} against {base_name} (Shapley values) ...")
                t_dec = time.perf_counter()
                steps = decompose_steps(lov, a, kpis_of)
                dec_s += time.perf_counter() - t_dec
                dec_n += int(steps.attrs.get("evaluations", 0))
                for r in steps.itertuples():
                    dec_rows.append({"seed": seed, "regime": name, "step": r.step,
                                     "about": r.about,
                                     "km_change": r.driven_km_per_day_change,
                                     "cost_change_sek": r.cost_sek_per_year_change})
    per_seed = pd.DataFrame(rows).set_index(["seed", "regime"])
    kpis = [k for k in headline_kpis() if k in per_seed.columns]
    intervals = (paired_intervals(per_seed, comps[headline_seed].baseline, kpis)
                 if len(per_seed) else pd.DataFrame())
    dec = pd.DataFrame(dec_rows, columns=["seed", "regime", "step", "about", "km_change",
                                          "cost_change_sek"])
    return SeedComparison(comparisons=comps, per_seed=per_seed, intervals=intervals,
                          decomposition=dec, headline_seed=headline_seed,
                          runtime_s=time.perf_counter() - t0, decomposition_runtime_s=dec_s,
                          decomposition_evaluations=dec_n)

