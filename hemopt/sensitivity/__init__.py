"""What the answer depends on: global sensitivity of the headline differences to the declared
assumptions (:mod:`hemopt.assumptions`), with SALib.

The seeds' ranges (:func:`hemopt.compare_seeds`) cover the noise between draws of one model.
The choices the model makes for the user (how far private providers travel, what a provider
costs to run, who never chooses...) move the answer more. :func:`sensitivity` varies every
declared assumption over its plausible range at once and measures, for each headline
difference,

* **Zoning − LOV** and **LOU − LOV**,
* in driven km per day, paid staff hours per day, variable cost and total cost per year,

its distribution over the ranges (P5, median, P95), the probability that its sign is the
sign at the defaults, and which assumptions drive it:

* ``method="morris"`` (elementary effects, Morris 1991 with Campolongo's μ*): ``(k + 1) · r``
  model runs for ``k`` assumptions and ``r`` trajectories; μ* (mean absolute effect, in the
  output's unit), σ (spread of the effects: interactions or non-linearity) and μ*'s 95 %
  bootstrap interval. A screening: the distribution from its grid of points is rough.
* ``method="sobol"`` (Saltelli's sampling): ``N · (k + 2)`` runs; first-order S1 and total
  ST indices with 95 % intervals. For the few assumptions that matter (``assumptions=``).

Each model run generates the preset's municipality with the run's scenario assumptions,
builds the regimes with its regime assumptions, and compares them with its settings
(:func:`hemopt.compare`, the continuous routing approximation by default, no continuity).
Differences are paired (same clients, same day) and averaged over ``seeds``. Runs go through
the task runner the sweep uses (``hemopt._tasks``): local processes or a Dask cluster, one
Parquet part per task in ``out`` so that an interrupted analysis resumes.

Numbers are sampled as uniform over their range, integers rounded, choices in equal slices
of ``[0, n)``; Morris' four levels put choices of three alternatives on 0, 1, 2, 2.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hemopt._tasks import run_tasks
from hemopt.assumptions import Assumption
from hemopt.errors import InputError
from hemopt.sensitivity.values import apply_values, regime_options_supported, skip_reason
from hemopt.settings import StudySettings

__all__ = ["HEADLINE_DIFFERENCES", "MEASURES", "SensitivityResult", "analyse", "apply_values",
           "document", "read_sensitivity", "regime_options_supported", "sample", "sensitivity",
           "skip_reason"]

#: Below this share of an output's largest index an assumption is no driver of it (rounding).
NOISE = 1e-9

#: Headline differences: (regime, reference).
HEADLINE_DIFFERENCES: tuple[tuple[str, str], ...] = (("Zoning", "LOV"), ("LOU", "LOV"))
#: Measures of each difference, with their unit.
MEASURES: dict[str, str] = {
    "driven_km_per_day": "km/day",
    "paid_staff_hours_per_day": "paid staff h/day",
    "variable_cost_sek_per_year": "SEK/year",
    "cost_sek_per_year": "SEK/year",
}
_METHODS = ("morris", "sobol")


def output_name(regime: str, reference: str, measure: str) -> str:
    """The key of a headline difference, e.g. ``Zoning-LOV:driven_km_per_day``."""
    return f"{regime}-{reference}:{measure}"


# --------------------------------------------------------------------------- SALib core
def sample(method: str, names: Sequence[str], bounds: Sequence[tuple[float, float]], *,
           trajectories: int = 20, num_levels: int = 4, seed: int = 0) -> np.ndarray:
    """The SALib design: Morris trajectories (``(k + 1) · trajectories`` rows) or Saltelli's
    Sobol sample (``trajectories · (k + 2)`` rows, no second-order terms), one column per
    factor within its bounds.

    Examples
    --------
    >>> X = sample("morris", ["a", "b", "c"], [(0, 1)] * 3, trajectories=2, seed=1)
    >>> X.shape
    (8, 3)
    """
    problem = _problem(names, bounds)
    if method == "morris":
        from SALib.sample import morris as ms

        return np.asarray(ms.sample(problem, int(trajectories), num_levels=num_levels,
                                    seed=seed), dtype=float)
    if method == "sobol":
        from SALib.sample import sobol as ss

        return np.asarray(ss.sample(problem, int(trajectories), calc_second_order=False,
                                    scramble=True, seed=seed), dtype=float)
    raise InputError(f"method must be one of {_METHODS}, got {method!r}")


def analyse(method: str, names: Sequence[str], bounds: Sequence[tuple[float, float]],
            X: np.ndarray, y: np.ndarray, *, num_levels: int = 4, seed: int = 0
            ) -> pd.DataFrame:
    """Sensitivity indices of ``y`` (one value per row of ``X``) with 95 % intervals.

    Returns one row per factor: Morris ``mu``, ``mu_star``, ``mu_star_conf`` (half-width of
    the bootstrap interval), ``sigma``; Sobol ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.

    Examples
    --------
    A function dominated by its first factor ranks it first:

    >>> names, bounds = ["x0", "x1", "x2"], [(0.0, 1.0)] * 3
    >>> X = sample("morris", names, bounds, trajectories=10, seed=2)
    >>> y = 10 * X[:, 0] + X[:, 1] ** 2 + 0.1 * X[:, 2]
    >>> ix = analyse("morris", names, bounds, X, y, seed=2)
    >>> ix["mu_star"].idxmax(), round(float(ix.loc["x0", "mu_star"]), 6)
    ('x0', 10.0)
    """
    problem = _problem(names, bounds)
    y = np.asarray(y, dtype=float)
    if y.shape != (len(X),):
        raise InputError(f"y: expected {len(X)} values (one per row of X), got {y.shape}")
    if method == "morris":
        from SALib.analyze import morris as ma

        r = ma.analyze(problem, np.asarray(X), y, num_levels=num_levels, conf_level=0.95,
                       num_resamples=1000, print_to_console=False, seed=seed)
        return pd.DataFrame({"mu": r["mu"], "mu_star": r["mu_star"],
                             "mu_star_conf": r["mu_star_conf"], "sigma": r["sigma"]},
                            index=pd.Index(list(names), name="assumption"))
    if method == "sobol":
        from SALib.analyze import sobol as sa

        r = sa.analyze(problem, y, calc_second_order=False, conf_level=0.95,
                       num_resamples=1000, print_to_console=False, seed=seed)
        return pd.DataFrame({"S1": r["S1"], "S1_conf": r["S1_conf"], "ST": r["ST"],
                             "ST_conf": r["ST_conf"]},
                            index=pd.Index(list(names), name="assumption"))
    raise InputError(f"method must be one of {_METHODS}, got {method!r}")


def _problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict[str, Any]:
    if len(names) != len(bounds) or not names:
        raise InputError(f"give one (low, high) per factor: {len(names)} names, "
                         f"{len(bounds)} bounds")
    return {"num_vars": len(names), "names": list(names),
            "bounds": [[float(lo), float(hi)] for lo, hi in bounds]}


# --------------------------------------------------------------------------- model runs
_CACHE: dict[str, Any] = {}


def run_points(task: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run one task's points (each a dict of assumption values) on every seed; one row per
    (point, seed, regime). Never raises: a failed point gives a row with ``error`` set.
    Module-level so that processes and Dask workers import it."""
    from hemopt.compare import compare, default_regimes
    from hemopt.synth import generate

    rows: list[dict[str, Any]] = []
    base = {"task_id": task["task_id"]}
    for i, values in zip(task["points"], task["values"], strict=True):
        for seed in task["seeds"]:
            t0 = time.perf_counter()
            try:
                preset, settings, opts = apply_values(values, task["preset"], task["settings"])
                key = f"{preset!r}|{seed}|{task['scale']}"
                sc = _CACHE.get(key)
                if sc is None:  # consecutive Morris points often share the municipality
                    _CACHE.clear()
                    sc = generate(preset, seed=seed, scale=task["scale"])
                    _CACHE[key] = sc
                regimes = default_regimes(sc, seed=seed, regime_options=opts)
                comps, failed = _compare(compare, sc, regimes, seed, settings)
                for name, err in failed.items():  # one regime failing leaves the others
                    rows.append({**base, "point": int(i), "seed": int(seed), "regime": name,
                                 **{m: math.nan for m in MEASURES},
                                 "runtime_s": time.perf_counter() - t0, "error": err})
                for comp in comps:
                    for name in comp.table.index:
                        fixed = float(comp.provider_tables[name]["fixed_sek_per_year"].sum())
                        t = comp.table.loc[name]
                        total = float(t["cost_sek_per_year"])
                        variable = (float(t["variable_cost_sek_per_year"])
                                    if "variable_cost_sek_per_year" in t.index else total - fixed)
                        rows.append({**base, "point": int(i), "seed": int(seed), "regime": name,
                                     "driven_km_per_day": float(t["driven_km_per_day"]),
                                     "paid_staff_hours_per_day":
                                         float(t["paid_staff_hours_per_day"]),
                                     "variable_cost_sek_per_year": variable,
                                     "cost_sek_per_year": total,
                                     "runtime_s": time.perf_counter() - t0, "error": ""})
            except Exception as exc:  # recorded, the analysis goes on
                rows.append({**base, "point": int(i), "seed": int(seed), "regime": "",
                             **{m: math.nan for m in MEASURES},
                             "runtime_s": time.perf_counter() - t0,
                             "error": f"{type(exc).__name__}: {exc}"})
    return rows


def _compare(compare: Callable[..., Any], sc: Any, regimes: list[Any], seed: int,
             settings: StudySettings) -> tuple[list[Any], dict[str, str]]:
    """All regimes in one comparison; when that fails, each regime with LOV on its own, so
    that a regime the point makes impossible (e.g. LOU with an area without an external)
    costs its own outputs only. Returns the comparisons and the failed regimes' errors."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a point's warnings are not the user's
        try:
            return [compare(sc, regimes, seed=seed, settings=settings)], {}
        except Exception:  # retried per regime below
            if len(regimes) <= 2:
                raise
        comps: list[Any] = []
        failed: dict[str, str] = {}
        ref, others = regimes[0], regimes[1:]
        for r in others:
            try:
                c = compare(sc, [ref, r], seed=seed, settings=settings)
            except Exception as exc:  # recorded for this regime
                failed[r.name] = f"{type(exc).__name__}: {exc}"
                continue
            if comps:  # LOV once
                c = _without(c, ref.name)
            comps.append(c)
        if not comps:
            raise InputError("every regime failed: " + "; ".join(failed.values()))
        return comps, failed


def _without(comp: Any, name: str) -> Any:
    import dataclasses

    return dataclasses.replace(comp, table=comp.table.drop(index=name))


#: A task's rows are one per (point, seed, regime).
_UNIT = ("point", "seed", "regime")


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    cols = ["task_id", "point", "seed", "regime", *MEASURES, "runtime_s", "error"]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """The result of :func:`sensitivity`.

    Attributes
    ----------
    method
        ``"morris"`` or ``"sobol"``.
    preset
        The preset's name.
    assumptions
        The assumptions varied, in the order of the columns of :attr:`design`.
    skipped
        Assumptions not varied, with the reason.
    design
        One row per model point: the value of each assumption.
    outputs
        One row per point: each headline difference (:func:`output_name`), averaged over
        the seeds.
    baseline
        Each headline difference at the defaults.
    indices
        One row per (output, assumption): Morris ``mu``, ``mu_star``, ``mu_star_conf``,
        ``sigma`` or Sobol ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; ``blocks_used`` of
        ``blocks`` (trajectories, or Sobol's groups of k + 2 rows): a failed run leaves its
        block out of that output's indices.
    runs
        Model runs (points × seeds, the baseline included).
    failures
        Errors of failed runs (point, seed, error); their outputs are NaN.
    parameters
        Everything else that shaped the result (seeds, scale, trajectories, settings).
    runtime_s
        Wall-clock time.

    Examples
    --------
    >>> import hemopt
    >>> r = hemopt.sensitivity("botkyrka", scale=0.1, trajectories=2, n_workers=1,
    ...                        assumptions=["sek_per_km", "staff_sek_per_hour"],
    ...                        progress=False)
    >>> r.score, list(r.summary().columns)
    ('mu_star', ['unit', 'baseline', 'p5', 'median', 'p95', 'p_sign', 'n'])
    >>> float(r.table("LOU-LOV:driven_km_per_day")["mu_star"].max())  # prices move no km
    0.0
    >>> r.top_drivers(1, "LOU-LOV:driven_km_per_day")  # so no driver is named
    []
    """

    method: str
    preset: str
    assumptions: list[Assumption]
    skipped: dict[str, str]
    design: pd.DataFrame
    outputs: pd.DataFrame
    baseline: dict[str, float]
    indices: pd.DataFrame
    runs: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    runtime_s: float = 0.0

    @property
    def score(self) -> str:
        """The index that ranks the assumptions: ``mu_star`` or ``ST``."""
        return "mu_star" if self.method == "morris" else "ST"

    def summary(self) -> pd.DataFrame:
        """Per headline difference: ``baseline``, ``p5``, ``median``, ``p95`` over the
        declared ranges and ``p_sign`` (share of points whose sign is the baseline's)."""
        rows = []
        for out in self.outputs.columns:
            y = self.outputs[out].to_numpy(dtype=float)
            y = y[np.isfinite(y)]
            b = self.baseline.get(out, math.nan)
            rows.append({
                "output": out, "unit": MEASURES[out.split(":")[1]], "baseline": b,
                "p5": float(np.percentile(y, 5)) if len(y) else math.nan,
                "median": float(np.median(y)) if len(y) else math.nan,
                "p95": float(np.percentile(y, 95)) if len(y) else math.nan,
                "p_sign": float(np.mean(np.sign(y) == np.sign(b))) if len(y) else math.nan,
                "n": len(y),
            })
        return pd.DataFrame(rows).set_index("output")

    def table(self, output: str | None = None) -> pd.DataFrame:
        """The indices of ``output`` (default: every output), largest first."""
        ix = self.indices
        if output is not None:
            if output not in set(ix["output"]):
                raise InputError(f"output {output!r} is not one of {list(self.outputs)}")
            ix = ix[ix["output"] == output]
        return ix.sort_values(["output", self.score], ascending=[True, False],
                              kind="stable").reset_index(drop=True)

    def ranking(self) -> pd.Series:
        """Each assumption's mean over the outputs of its index normalised by the output's
        largest index (1 = the largest driver of every difference), largest first."""
        ix = self.indices
        norm = ix[self.score] / ix.groupby("output")[self.score].transform("max")
        s = norm.groupby(ix["assumption"]).mean()  # outputs without indices left out
        return s.sort_values(ascending=False, kind="stable", na_position="last")

    def top_drivers(self, n: int = 2, output: str | None = None) -> list[str]:
        """The ``n`` assumptions that move ``output`` most (default: over every output,
        :meth:`ranking`). Only assumptions whose index is above zero are drivers (above
        :data:`NOISE` times the output's largest index: differences that cancel exactly
        leave rounding noise of about 1e-8 SEK): fewer than ``n`` (none) when fewer move
        the output at all."""
        if output is None:
            r = self.ranking()
            return list(r[r > NOISE].index[:n])
        t = self.table(output)
        score = t[self.score].to_numpy(dtype=float)
        top = float(np.nanmax(score)) if len(score) else 0.0
        return list(t.loc[(score > 0) & (score > NOISE * top), "assumption"].iloc[:n])

    def reading(self) -> list[str]:
        """Sentences for the CLI and the report."""
        s = self.summary()
        top = self.top_drivers(2)
        out = [f"The two largest drivers over the declared ranges ({self.method}, "
               f"{len(self.assumptions)} assumptions, {self.runs} model runs): "
               + (" and ".join(top) if top else "none (no assumption moves the results)")
               + "."]
        for name, r in s.iterrows():
            drivers = self.top_drivers(2, name)
            out.append(f"{name}: {_fmt(r['baseline'])} at the defaults; P5 {_fmt(r['p5'])}, "
                       f"median {_fmt(r['median'])}, P95 {_fmt(r['p95'])} {r['unit']}; the sign "
                       f"holds in {100 * r['p_sign']:.0f} % of the points; drivers: "
                       + (", ".join(drivers) if drivers else "none") + ".")
        if self.skipped:
            out.append("Not varied: " + "; ".join(self.skipped.values()) + ".")
        if self.failures:
            out.append(f"{len(self.failures)} run(s) failed (their outputs are NaN); first: "
                       f"{self.failures[0]['error']}")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (``hemopt-sensitivity/1``)."""
        from hemopt.compare import _jsonable

        s = self.summary()
        return _jsonable({
            "schema": "hemopt-sensitivity/1",
            "method": self.method, "preset": self.preset, "runs": self.runs,
            "runtime_s": self.runtime_s,
            "assumptions": [{"name": a.name, "applies": a.applies, "kind": a.kind,
                             "default": a.default, **a.overridable(), "unit": a.unit}
                            for a in self.assumptions],
            "skipped": self.skipped,
            "parameters": self.parameters,
            "ranking": self.ranking().to_dict(),
            "top_drivers": self.top_drivers(2),
            "outputs": {out: {**s.loc[out].to_dict(),
                              "indices": self.table(out).drop(columns="output")
                              .to_dict(orient="records")}
                        for out in s.index},
            "failures": self.failures,
            "design": self.design.to_dict(orient="list"),
            "values": self.outputs.to_dict(orient="list"),
        })

    def to_json(self, path: str | Path) -> Path:
        from hemopt._io import atomic_write_text

        return atomic_write_text(Path(path), json.dumps(self.to_dict(), indent=2) + "\n")

    def __repr__(self) -> str:
        return (f"SensitivityResult({self.method}, {self.preset}, {len(self.assumptions)} "
                f"assumptions, {self.runs} runs; top drivers {self.top_drivers(2)})")


#: The schema of :meth:`SensitivityResult.to_dict`.
SCHEMA = "hemopt-sensitivity/1"
_DOC_KEYS = ("method", "preset", "runs", "assumptions", "skipped", "parameters", "top_drivers",
             "outputs")


def document(result: SensitivityResult | Mapping[str, Any], what: str = "sensitivity"
             ) -> dict[str, Any]:
    """The JSON document of ``result`` (:meth:`SensitivityResult.to_dict`), or ``result``
    itself when it is one already (read from ``sensitivity.json``), checked: the outputs
    (report, workbook, ``comparison.json``) take either.

    Raises
    ------
    InputError
        ``result`` is neither a :class:`SensitivityResult` nor a ``hemopt-sensitivity/1``
        document; ``what`` names it in the message.

    Examples
    --------
    >>> document({"schema": "hemopt-comparison/3"})
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: sensitivity: expected a hemopt-sensitivity/1 document (hemopt \
sensitivity --out DIR writes DIR/sensitivity.json), got schema 'hemopt-comparison/3'
    """
    if isinstance(result, SensitivityResult):
        return result.to_dict()
    if not isinstance(result, Mapping):
        raise InputError(f"{what}: expected a SensitivityResult or its JSON document, got "
                         f"{type(result).__name__}")
    if result.get("schema") != SCHEMA:
        raise InputError(f"{what}: expected a {SCHEMA} document (hemopt sensitivity --out DIR "
                         f"writes DIR/sensitivity.json), got schema {result.get('schema')!r}")
    missing = [k for k in _DOC_KEYS if k not in result]
    if missing:
        raise InputError(f"{what}: the {SCHEMA} document lacks {', '.join(missing)}")
    return dict(result)


def read_sensitivity(path: str | Path) -> dict[str, Any]:
    """The document of ``sensitivity.json`` (written by ``hemopt sensitivity``), checked
    (:func:`document`); a missing or unreadable file is an :class:`InputError` naming it."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"--sensitivity {p}: no such file (hemopt sensitivity --out DIR "
                         "writes DIR/sensitivity.json)") from None
    except (OSError, ValueError) as e:
        raise InputError(f"--sensitivity {p}: not a readable JSON file ({e})") from None
    return document(doc, what=f"--sensitivity {p}")


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    if abs(x) >= 1e5:
        return f"{x / 1e6:+,.2f} M"
    return f"{x:+,.1f}"


# --------------------------------------------------------------------------- the study
def sensitivity(
    preset: Any = "strangnas",
    *,
    method: str = "morris",
    trajectories: int = 20,
    seeds: Sequence[int] = (1,),
    scale: float = 1.0,
    settings: StudySettings | None = None,
    routing: str = "approx",
    assumptions: Sequence[str] | None = None,
    num_levels: int = 4,
    seed: int = 0,
    client: Any = None,
    n_workers: int | None = None,
    out: str | Path | None = None,
    progress: bool | Callable[[str], None] = True,
) -> SensitivityResult:
    """Global sensitivity of the headline differences to the declared assumptions.

    Parameters
    ----------
    preset
        ``"strangnas"``, ``"botkyrka"`` or a :class:`~hemopt.synth.Preset` with shipped data.
    method
        ``"morris"`` (screening, ``(k + 1) · trajectories`` points) or ``"sobol"``
        (``trajectories · (k + 2)`` points; ``trajectories`` is then Saltelli's N, a power of
        two).
    trajectories
        Morris trajectories, or Sobol's base sample size.
    seeds
        Seeds of the municipality, the day and the draws; every point runs on all of them and
        its differences are averaged (common random numbers: the same seeds for every point).
    scale
        Population factor of the municipality (below 1 for quick runs).
    settings
        The :class:`~hemopt.StudySettings` the assumptions are applied to, with the ranges
        (``settings.assumptions``: an assumption with ``vary=False`` stays at its default).
        Default ``StudySettings`` with ``routing``.
    routing
        ``"approx"`` (default) or ``"solver"`` when ``settings`` is not given.
    assumptions
        Names of the assumptions to vary (default: every one with ``vary``). Assumptions that
        do not apply (LOV-only ones on a LOU preset, regime keywords this hemopt lacks) are
        left out with the reason in :attr:`SensitivityResult.skipped`.
    num_levels
        Morris grid levels.
    seed
        Seed of the sample and of the bootstrap intervals.
    client, n_workers
        A ``dask.distributed.Client``, or local processes (default every CPU; 1: in this
        process), as :func:`hemopt.sweep`.
    out
        Folder of Parquet parts, one per task: a rerun with the same arguments resumes.
    progress
        True for a progress bar on stderr, or a callable taking a message.

    Returns
    -------
    SensitivityResult

    Examples
    --------
    Three assumptions on a small Strängnäs, two trajectories: (3 + 1) · 2 points and the
    defaults, in this process:

    >>> import hemopt
    >>> r = hemopt.sensitivity("strangnas", scale=0.1, trajectories=2, n_workers=1,
    ...                        assumptions=["sek_per_km", "staff_sek_per_hour", "n_external"],
    ...                        progress=False)
    >>> r.runs, len(r.design)
    (9, 8)
    >>> r.top_drivers(1, "Zoning-LOV:driven_km_per_day")
    ['n_external']
    """
    from hemopt.synth import get_preset

    t0 = time.perf_counter()
    if method not in _METHODS:
        raise InputError(f"method must be one of {_METHODS}, got {method!r}")
    if isinstance(trajectories, bool) or not isinstance(trajectories, int) or trajectories < 2:
        raise InputError(f"trajectories must be a whole number >= 2, got {trajectories!r}")
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise InputError(f"seeds: give distinct seeds, got {seeds}")
    if settings is None:
        from hemopt.day.settings import RoutingSettings

        settings = StudySettings(routing=RoutingSettings(method=routing))
    elif not isinstance(settings, StudySettings):
        raise InputError(f"settings: expected hemopt.StudySettings, got "
                         f"{type(settings).__name__}")
    settings = settings.replace(continuity=settings.continuity.__class__(enabled=False))
    p = get_preset(preset) if isinstance(preset, str) else preset
    declared = {a.name: a for a in settings.assumptions}
    if assumptions is not None:
        bad = [n for n in assumptions if n not in declared]
        if bad:
            raise InputError(f"assumptions: {bad} are not declared; declared: "
                             f"{list(declared)}")
        wanted = [declared[n] for n in assumptions]
    else:
        wanted = [a for a in settings.assumptions if a.vary]
    skipped = {}
    used: list[Assumption] = []
    for a in wanted:
        why = skip_reason(a, p)
        if why:
            skipped[a.name] = why
        else:
            used.append(a)
    if len(used) < 2:
        raise InputError(f"need at least two assumptions to vary, got {[a.name for a in used]}"
                         + (f" (skipped: {skipped})" if skipped else ""))
    names = [a.name for a in used]
    bounds = [a.bounds for a in used]
    X = sample(method, names, bounds, trajectories=trajectories, num_levels=num_levels,
               seed=seed)
    values = [{a.name: a.value_of(x) for a, x in zip(used, row, strict=True)} for row in X]
    points = [{}, *values]  # point 0: the defaults
    chunk = len(names) + 1 if method == "morris" else len(names) + 2
    say_tasks: list[dict[str, Any]] = []
    stamp = json.dumps({"preset": repr(p), "scale": scale, "seeds": seeds,
                        "settings": settings.to_dict()}, sort_keys=True, default=str)
    # one task per trajectory (Morris) or per k + 2 rows (Sobol), the defaults in the first:
    # consecutive points of a trajectory share their municipality, generated once
    for start in range(1, len(points), chunk):
        idx = ([0] if start == 1 else []) + list(range(start, min(start + chunk, len(points))))
        vals = [points[i] for i in idx]
        tid = hashlib.sha256((stamp + json.dumps(vals, sort_keys=True)).encode()).hexdigest()
        say_tasks.append({"task_id": tid[:20], "points": idx, "values": vals,
                          "preset": p, "settings": settings, "scale": float(scale),
                          "seeds": seeds})
    if out is None:
        df = _execute(run_tasks, say_tasks, None, client, n_workers, progress)
    else:
        from hemopt._io import check_folder, output_lock

        outdir = check_folder(out, "out")
        with output_lock(outdir, "out", folder=True):  # one analysis per folder at a time
            outdir.mkdir(parents=True, exist_ok=True)
            df = _execute(run_tasks, say_tasks, outdir, client, n_workers, progress)
    outputs, baseline, failures = _outputs(df, len(points), seeds)
    y_points = outputs.iloc[1:].reset_index(drop=True)
    ix = []
    for col in y_points.columns:
        y = y_points[col].to_numpy(dtype=float)
        # a failed run spoils its whole block (trajectory, or Sobol's k + 2 rows): analyse
        # the complete blocks and say how many
        whole = np.isfinite(y).reshape(-1, chunk).all(axis=1)
        rows = np.repeat(whole, chunk)
        if whole.sum() >= 2:
            r = analyse(method, names, bounds, X[rows], y[rows], num_levels=num_levels,
                        seed=seed)
        else:
            r = analyse(method, names, bounds, X, np.zeros(len(y)), num_levels=num_levels,
                        seed=seed) * math.nan
        ix.append(r.reset_index().assign(output=col, blocks_used=int(whole.sum()),
                                         blocks=len(whole)))
    indices = pd.concat(ix, ignore_index=True)
    indices = indices[["output", *[c for c in indices.columns if c != "output"]]]
    design = pd.DataFrame(values, columns=names)
    return SensitivityResult(
        method=method, preset=p.name, assumptions=used, skipped=skipped, design=design,
        outputs=y_points, baseline=baseline, indices=indices,
        runs=len(points) * len(seeds), failures=failures,
        parameters={"trajectories": trajectories, "num_levels": num_levels, "seed": seed,
                    "seeds": seeds, "scale": scale, "settings": settings.to_dict()},
        runtime_s=time.perf_counter() - t0)


def _execute(run: Callable[..., pd.DataFrame], tasks: list[dict[str, Any]],
             outdir: Path | None, client: Any, n_workers: int | None,
             progress: bool | Callable[[str], None]) -> pd.DataFrame:
    from hemopt._progress import bar

    if callable(progress):
        say = progress
        return run(tasks, outdir, client, n_workers, False, fn=run_points, frame=_frame,
                   tick=lambda k, n: say(f"{k}/{n} tasks"), unit=_UNIT)
    with bar(len(tasks), enabled=bool(progress), desc="sensitivity", unit="tasks") as b:
        return run(tasks, outdir, client, n_workers, False, fn=run_points, frame=_frame,
                   tick=lambda k, n: b.update(1), unit=_UNIT)


def _outputs(df: pd.DataFrame, n_points: int, seeds: Sequence[int]
             ) -> tuple[pd.DataFrame, dict[str, float], list[dict[str, Any]]]:
    """Per point, each headline difference averaged over the seeds; the defaults' values;
    the failures."""
    failures = [{"point": None if pd.isna(r.point) else int(r.point),
                 "seed": None if pd.isna(r.seed) else int(r.seed), "regime": str(r.regime),
                 "error": str(r.error)} for r in df[df["error"] != ""].itertuples()]
    df = df[df["point"].notna()]  # a task whose worker died has no point: its points are NaN
    ok = df[df["error"] == ""]
    wide = ok.pivot_table(index=["point", "seed"], columns="regime",
                          values=list(MEASURES), aggfunc="first")
    cols: dict[str, pd.Series] = {}
    for regime, ref in HEADLINE_DIFFERENCES:
        for m in MEASURES:
            if (m, regime) not in wide.columns or (m, ref) not in wide.columns:
                continue
            d = (wide[(m, regime)] - wide[(m, ref)]).groupby(level="point").mean()
            # a point with a failed seed is NaN, not the mean of the others
            n_ok = (wide[(m, regime)] - wide[(m, ref)]).notna().groupby(level="point").sum()
            d[n_ok < len(seeds)] = math.nan
            cols[output_name(regime, ref, m)] = d
    out = pd.DataFrame(cols).reindex(range(n_points))
    baseline = {c: float(out.at[0, c]) for c in out.columns}
    return out, baseline, failures
