"""Where zoning pays: LOV, LOU and zoning compared across many municipalities.

For each municipality (a DeSO file, its boundary and its Kolada N21704 coverage) and each seed
the atlas builds the scenario by the generic path (:func:`hemopt.synth.from_public_data`,
with ``n_areas`` designed areas), draws a **declared LOV market** (:class:`Market`), compares
LOV, LOU and zoning (:func:`hemopt.compare.compare`, the routing approximation by default)
and decomposes zoning's change against LOV. One (municipality, seed) is one task; tasks run
in local processes or on any Dask cluster, each seeded by its own parameters, so the results
are the same, byte for byte, wherever they run. With ``out`` every task's rows are one
Parquet part written as soon as it ends; a rerun skips the parts already there (resume) and
retries the failed tasks, whose errors are in ``failures.csv``.

The LOV market of a municipality (how many private providers, their share, where they
serve) is not in any public table. Unless a providers table is given, it is drawn per seed
from the declared ranges of :class:`Market`; the report says so.

The results (:class:`AtlasResult`): ``rows`` (municipality × seed × regime), ``table`` (one
row per municipality: km, staff hours and cost per regime, zoning's and LOU's change against
LOV with its range over seeds, the probability that zoning saves, the decomposition, the share
of clients changing provider, first choice met), ``typology`` (:func:`typology`) and
``failures``. :meth:`AtlasResult.find` places a user's own scenario among them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
import traceback
import warnings
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hemopt._io import check_folder, output_lock
from hemopt._progress import sayer
from hemopt._tasks import QUARANTINE, run_tasks
from hemopt.atlas_report import FEATURES, summarise_atlas, typology
from hemopt.errors import InputError

if TYPE_CHECKING:
    from hemopt.settings import StudySettings

__all__ = ["FEATURES", "AtlasResult", "Market", "atlas", "atlas_tasks", "find_inputs",
           "run_atlas_task", "summarise_atlas", "typology"]

_KPIS = ("driven_km_per_day", "staff_hours_per_day", "paid_staff_hours_per_day",
         "cost_sek_per_year", "first_choice_pct")


@dataclass(frozen=True)
class Market:
    """The declared ranges a municipality's LOV market is drawn from (uniformly, per seed).

    Parameters
    ----------
    n_external
        Fewest and most private providers (whole numbers).
    external_share
        Their share of the clients together (Strängnäs 2014: 16 %).
    everywhere
        Share of them that serve the whole municipality; the others declare one area each.
    concentration
        Zipf exponent of their shares.
    clients_per_external
        At most one private provider per this many expected clients (a market of 60 clients
        does not hold seven).

    Examples
    --------
    >>> from hemopt.atlas import Market
    >>> m = Market().draw("0885", seed=1, expected_clients=300)
    >>> sorted(m)
    ['concentration', 'everywhere', 'external_share', 'n_external']
    >>> m == Market().draw("0885", seed=1, expected_clients=300)
    True
    """

    n_external: tuple[int, int] = (1, 7)
    external_share: tuple[float, float] = (0.05, 0.30)
    everywhere: tuple[float, float] = (0.25, 1.0)
    concentration: tuple[float, float] = (0.5, 1.5)
    clients_per_external: float = 20.0

    def __post_init__(self) -> None:
        lo, hi = self.n_external
        if not (isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi <= 50):
            raise InputError(f"Market.n_external must be whole numbers 0 <= lo <= hi <= 50, "
                             f"got {self.n_external!r}")
        for nm in ("external_share", "everywhere"):
            a, b = getattr(self, nm)
            if not 0 <= a <= b <= 1:
                raise InputError(f"Market.{nm} must be shares 0 <= lo <= hi <= 1, got "
                                 f"{getattr(self, nm)!r}")
        a, b = self.concentration
        if not 0 <= a <= b <= 10:
            raise InputError(f"Market.concentration must be 0 <= lo <= hi <= 10, got "
                             f"{self.concentration!r}")
        if not self.clients_per_external > 0:
            raise InputError(f"Market.clients_per_external must be > 0, got "
                             f"{self.clients_per_external!r}")

    def draw(self, code: str, seed: int, expected_clients: float) -> dict[str, Any]:
        """The market of municipality ``code`` for ``seed`` (seeded by both)."""
        rng = np.random.default_rng([int(seed), zlib.crc32(str(code).encode())])
        cap = max(int(expected_clients // self.clients_per_external), min(1, self.n_external[1]))
        n = int(rng.integers(self.n_external[0], self.n_external[1] + 1))
        u = rng.random(3)
        return {
            "n_external": min(n, cap),
            "external_share": round(float(self.external_share[0] + u[0] * (
                self.external_share[1] - self.external_share[0])), 4),
            "everywhere": round(float(self.everywhere[0] + u[1] * (
                self.everywhere[1] - self.everywhere[0])), 4),
            "concentration": round(float(self.concentration[0] + u[2] * (
                self.concentration[1] - self.concentration[0])), 4),
        }


def _market_preset(market: Mapping[str, Any], k: int, providers: Any = None) -> Any:
    """A :class:`~hemopt.synth.Preset` with the drawn (or given) LOV market on areas A1..Ak."""
    from dataclasses import replace

    from hemopt.synth import GENERIC, ProviderSpec

    if providers is not None:
        specs = tuple(ProviderSpec(str(r["provider_id"]), str(r.get("name", r["provider_id"])),
                                   str(r["kind"]), float(r["share"]),
                                   tuple(z for z in str(r.get("zones", "") or "").split("|")
                                         if z))
                      for r in providers)
        return replace(GENERIC, providers=specs)
    n, total = int(market["n_external"]), float(market["external_share"])
    if n == 0:
        total = 0.0
    w = np.arange(1, n + 1, dtype=float) ** -float(market["concentration"])
    n_every = max(1, round(n * float(market["everywhere"]))) if n else 0
    made = [ProviderSpec("M", "Municipal home care", "municipal", 1.0 - total)]
    for j in range(n):
        zones = () if j < n_every or k == 0 else (f"A{(j - n_every) % k + 1}",)
        made.append(ProviderSpec(f"E{j + 1}", f"Private provider {j + 1}", "external",
                                  total * float(w[j] / w.sum()), zones,
                                  office=f"zone:{zones[0]}" if zones else ""))
    return replace(GENERIC, providers=tuple(made))


# ------------------------------------------------------------------------------ inputs
_GEO = (".geojson", ".gpkg", ".shp", ".json")


def _coverage_table(src: Any) -> dict[str, float]:
    """``{kommun code: share of 80+ with home care}`` from a CSV (per cent or share)."""
    df = src.copy() if isinstance(src, pd.DataFrame) else pd.read_csv(
        src, dtype={"kommun_kod": str, "code": str}, sep=None, engine="python")
    code = next((c for c in ("kommun_kod", "code", "kod") if c in df.columns), None)
    val = next((c for c in df.columns if "n21704" in c.lower() or "coverage" in c.lower()), None)
    if code is None or val is None:
        raise InputError(f"coverage table: needs a kommun_kod column and a coverage column "
                         f"(n21704_pct_2023 in per cent or coverage_80 as a share); found "
                         f"{list(df.columns)}")
    v = pd.to_numeric(df[val], errors="coerce")
    pct = "pct" in val.lower() or v.max() > 1.0
    codes = df[code].astype(str).str.strip().str.zfill(4)
    return {c: float(x) / (100.0 if pct else 1.0)
            for c, x in zip(codes, v, strict=True) if np.isfinite(x)}


def _code_of_file(path: Path) -> str:
    import pyogrio

    m = re.findall(r"(?<!\d)(\d{4})(?!\d)", path.stem)
    if m:
        return m[-1]
    df = pyogrio.read_dataframe(path, read_geometry=False, max_features=1)
    for c in ("kommun_kod", "deso_code", "deso", "code"):
        if c in df.columns:
            return str(df[c].iloc[0])[:4]
    raise InputError(f"cannot tell the municipality of {path}: no 4-digit code in its name "
                     "and no kommun_kod/deso_code column")


def find_inputs(data: str | Path, *, coverage: Any = None, boundaries: Any = None,
                codes: Iterable[str] | None = None) -> pd.DataFrame:
    """The municipalities of an atlas folder or of one national DeSO file.

    Parameters
    ----------
    data
        A folder laid out as ``../shared/data/atlas`` (``deso/<anything with the 4-digit
        code>.geojson``, ``boundaries.geojson``, ``coverage*.csv``, optionally
        ``municipalities.csv`` for names), or one DeSO file of many municipalities (then give
        ``codes``, ``boundaries`` and ``coverage``).
    coverage, boundaries
        The coverage table (CSV: ``kommun_kod`` and ``n21704_pct_2023`` or ``coverage_80``) and
        the boundary file (``kommun_kod``/``code``, ``kommun``/``name``); default: found in
        the folder.
    codes
        Only these municipality codes.

    Returns
    -------
    pandas.DataFrame
        One row per municipality: ``code``, ``name``, ``deso``, ``boundary``,
        ``coverage_80`` (NaN when the table lacks it: that municipality then fails with the
        reason).
    """
    data = Path(data)
    if not data.exists():
        raise InputError(f"atlas data: {str(data)!r} does not exist")
    want = None if codes is None else [str(c).zfill(4) for c in codes]
    if data.is_dir():
        sub = data / "deso" if (data / "deso").is_dir() else data
        files = sorted(p for p in sub.iterdir() if p.suffix.lower() in _GEO
                       and "bound" not in p.name.lower() and "kommun" not in p.name.lower())
        if not files:
            raise InputError(f"atlas data: no DeSO files (.geojson, .gpkg) in {sub}")
        deso = {_code_of_file(p): str(p) for p in files}
        if boundaries is None:
            cands = sorted(p for p in data.iterdir() if p.suffix.lower() in _GEO
                           and ("bound" in p.name.lower() or "kommun" in p.name.lower()))
            if not cands:
                raise InputError(f"atlas data: no boundary file (boundaries.geojson) in {data}")
            boundaries = cands[0]
        if coverage is None:
            cands = sorted(data.glob("coverage*.csv"))
            if not cands:
                raise InputError(f"atlas data: no coverage table (coverage*.csv) in {data}; "
                                 "pass coverage=")
            coverage = cands[0]
    else:
        if want is None or boundaries is None or coverage is None:
            raise InputError("atlas from one national DeSO file: give codes, boundaries and "
                             "coverage")
        deso = {c: str(data) for c in want}
    if want is not None:
        missing = sorted(set(want) - set(deso))
        if missing:
            raise InputError(f"atlas data: no DeSO file for {missing}")
        deso = {c: deso[c] for c in want}
    cov = _coverage_table(coverage)
    names: dict[str, str] = {}
    muni = data / "municipalities.csv" if data.is_dir() else None
    if muni is not None and muni.exists():
        m = pd.read_csv(muni, dtype={"kommun_kod": str})
        names = dict(zip(m["kommun_kod"], m["kommun"], strict=True))
    else:  # the names in the boundary file
        import pyogrio

        try:
            b = pyogrio.read_dataframe(boundaries, read_geometry=False)
            cc = next(c for c in ("kommun_kod", "code", "kommunkod", "kod") if c in b.columns)
            nc = next(c for c in ("kommun", "name", "kommunnamn", "namn") if c in b.columns)
            names = dict(zip(b[cc].astype(str), b[nc].astype(str), strict=True))
        except Exception:  # no names: the codes stand for them
            names = {}
    return pd.DataFrame({
        "code": list(deso), "name": [names.get(c, c) for c in deso],
        "deso": list(deso.values()), "boundary": str(boundaries),
        "coverage_80": [cov.get(c, np.nan) for c in deso],
    })


# ------------------------------------------------------------------------------ tasks
def _version() -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version("hemopt")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def atlas_tasks(inputs: pd.DataFrame, seeds: Iterable[int], *, presets: Iterable[str] = (),
                routing: str = "approx", max_iterations: int = 100, n_areas: int = 3,
                market: Market | None = None, providers: Any = None,
                external_share: float = 0.2, procured_share: float = 0.5,
                scale: float = 1.0, settings: Mapping[str, Any] | None = None
                ) -> list[dict[str, Any]]:
    """One task per (municipality, seed), with every setting that changes its result and a
    ``task_id`` that hashes them (so a rerun with other settings recomputes)."""
    if routing not in ("approx", "solver"):
        raise InputError(f"routing must be 'approx' or 'solver', got {routing!r}")
    seeds = [int(s) for s in seeds]
    if not seeds or min(seeds) < 0:
        raise InputError(f"seeds must be whole numbers >= 0, got {seeds!r}")
    market = market or Market()
    prov = None
    if providers is not None:
        pt = providers if isinstance(providers, pd.DataFrame) else pd.read_csv(
            providers, dtype=str, sep=None, engine="python")
        need = {"provider_id", "kind", "share"} - set(pt.columns)
        if need:
            raise InputError(f"providers table: missing columns {sorted(need)}")
        prov = pt.fillna("").to_dict("records")
    common = {"routing": routing, "max_iterations": max_iterations if routing == "solver"
              else None, "n_areas": int(n_areas), "external_share_lou": float(external_share),
              "procured_share": float(procured_share), "scale": float(scale),
              "market": asdict(market), "hemopt_version": _version()}
    if settings is not None:  # a StudySettings.to_dict(): part of every task and its id
        common["settings"] = dict(settings)
    units = [dict(r) for r in inputs.to_dict("records")]
    units += [{"code": p, "name": p, "preset": p} for p in presets]
    tasks = []
    for u in units:
        mine = [r for r in (prov or []) if str(r.get("kommun_kod", "")).zfill(4) in
                ("", "0000", str(u["code"]))] or None
        for s in seeds:
            t = {**u, "seed": s, **common, "providers": mine}
            t = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in t.items()}
            key = json.dumps({k: v for k, v in t.items() if k not in ("deso", "boundary")},
                             sort_keys=True, default=str)
            t["task_id"] = f"{u['code']}-s{s}-{hashlib.sha1(key.encode()).hexdigest()[:10]}"
            tasks.append(t)
    return tasks


def _features(sc: Any) -> dict[str, float]:
    """Municipality features of a generic or preset scenario (from its meta and land)."""
    meta = sc.meta
    land_km2 = float(sc.area.area) / 1e6
    inh = float(meta.get("inhabitants", 0))
    exp = meta.get("deso_expected_clients", {})
    tot = sum(exp.values()) or 1.0
    rural = sum(v for c, v in exp.items() if str(c)[4:5] == "A") / tot
    prov = sc.providers
    ext = prov[prov["kind"] == "external"]
    return {
        "inhabitants": inh, "land_km2": land_km2,
        "density_per_km2": inh / max(land_km2, 1e-9),
        "log10_density": float(np.log10(max(inh / max(land_km2, 1e-9), 1e-3))),
        "rural_share": float(rural),
        "share_80plus": float(meta.get("inhabitants_80plus", 0)) / max(inh, 1.0),
        "inhabitants_80plus": float(meta.get("inhabitants_80plus", 0)),
        "coverage_80_pct": 100.0 * float(meta.get("coverage_80", np.nan)),
        "clients": int(sc.n_clients),
        "n_external": len(ext),
        "external_share": float(ext["market_share"].sum()),
        "n_areas": len(sc.zones),
    }


def run_atlas_task(task: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run one task; never raises: a failure is one row with ``error`` (and ``traceback``)."""
    from hemopt.compare import CostParams, compare, default_regimes
    from hemopt.day.visits import VisitParams
    from hemopt.decompose import decompose_steps
    from hemopt.evaluate import RoutingSettings, day_for, evaluate
    from hemopt.geo import read_deso
    from hemopt.regimes import Zoning
    from hemopt.synth import from_public_data, generate

    keys = ("task_id", "code", "name", "seed")
    base = {k: task[k] for k in keys}
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            seed = int(task["seed"])
            drawn: dict[str, Any] = {}
            if task.get("preset"):
                sc = generate(task["preset"], seed=seed, scale=task["scale"])
                source = "preset (its own market)"
                base["name"] = f"{sc.boundary['name'].iloc[0]} (preset)"
            else:
                if task.get("coverage_80") is None:
                    raise InputError(f"no coverage figure (Kolada N21704) for {task['code']} "
                                     "in the coverage table")
                d = read_deso(task["deso"], code=task["code"])
                k = min(int(task["n_areas"]), len(d))
                exp = float(task["coverage_80"]) * float(d["pop_80plus"].sum()) * 1.4
                if task.get("providers"):
                    preset = _market_preset({}, k, task["providers"])
                    source = "providers table"
                else:
                    fields_: dict[str, Any] = {f: tuple(v) if isinstance(v, (list, tuple))
                                               else v for f, v in task["market"].items()}
                    drawn = Market(**fields_).draw(task["code"], seed, exp * task["scale"])
                    preset = _market_preset(drawn, k)
                    source = "drawn from the declared ranges"
                sc = from_public_data(task["boundary"], d, code=task["code"],
                                      coverage_80=float(task["coverage_80"]), preset=preset,
                                      seed=seed, scale=task["scale"], n_areas=k)
            regimes = default_regimes(sc, external_share=task["external_share_lou"],
                                      procured_share=task["procured_share"], seed=seed)
            if "procured" in sc.zones.columns and len(sc.zones) > 1:
                # the areas marked procured, however close to half their hours are
                regimes = [Zoning(procured_zones=list(sc.zones.loc[sc.zones["procured"],
                                                                   "zone_id"]), seed=seed)
                           if isinstance(r, Zoning) else r for r in regimes]
            study = None
            if task.get("settings"):  # the study's settings whole (continuity not measured)
                from hemopt.settings import ContinuitySettings, StudySettings

                study = StudySettings.from_dict(task["settings"]).replace(
                    continuity=ContinuitySettings(enabled=False))
                cost = study.cost
                comp = compare(sc, regimes, seed=seed, settings=study)
            else:
                cost = CostParams()
                comp = compare(sc, regimes, routing=task["routing"], seed=seed, cost=cost,
                               max_iterations=task["max_iterations"], continuity=False)
            dec = {}
            base_name = comp.baseline  # LOV (the registry's baseline)
            if {base_name, Zoning.name} <= set(comp.assignments):
                settings = RoutingSettings(method=task["routing"],
                                           max_iterations=task["max_iterations"])
                lov = comp.assignments[base_name]
                visits = day_for(lov, seed=seed, params=VisitParams() if study is None
                                 else study.visits)
                known = {id(x): comp.table.loc[n].to_dict() for n, x in comp.assignments.items()}

                def kpis_of(a: Any) -> dict[str, Any]:
                    if id(a) in known:
                        return known[id(a)]
                    if study is not None:  # the steps routed as the regimes were
                        return evaluate(a, settings=study, seed=seed, visits=visits).kpis
                    return evaluate(a, routing=settings, seed=seed, visits=visits,
                                    cost=cost).kpis

                steps = decompose_steps(lov, comp.assignments[Zoning.name], kpis_of)
                for r in steps.itertuples():
                    dec[f"zoning_step_{_slug(r.step)}_km"] = float(r.driven_km_per_day_change)
        feats = _features(sc)
        notes = "; ".join(sorted({f"{w.category.__name__}: {w.message}" for w in caught}))
        rows = []
        for name in comp.table.index:
            row: dict[str, Any] = {**base, "regime": str(name), "error": "", **feats,
                                   "market_source": source,
                                   **{f"market_{key}": v for key, v in drawn.items()}}
            for kpi in _KPIS:
                row[kpi] = (float(comp.table.at[name, kpi]) if kpi in comp.table.columns
                            else np.nan)
            row["variable_cost_sek_per_year"] = cost.days_per_year * (
                row["paid_staff_hours_per_day"] * cost.staff_sek_per_hour
                + row["driven_km_per_day"] * cost.sek_per_km)
            tr = comp.transitions.get(name, {})
            row["clients_changing_provider_pct"] = float(
                tr.get("clients_changing_provider_pct", np.nan))
            if name == Zoning.name:
                row.update(dec)
            row["warnings"] = notes
            rows.append(row)
        for r in rows:
            r["runtime_s"] = time.perf_counter() - t0
        return rows
    except Exception as exc:
        return [{**base, "regime": "", "error": f"{type(exc).__name__}: {exc}",
                 "traceback": traceback.format_exc(limit=4),
                 "runtime_s": time.perf_counter() - t0}]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


# ------------------------------------------------------------------------------ running
def _frame(rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for col in ("error", "traceback", "warnings", "regime", "market_source"):
        if col not in df.columns:
            df[col] = ""
        df[col] = df[col].fillna("").astype(str)
    return df


def _run(tasks: list[dict[str, Any]], parts: Path | None, client: Any, n_workers: int | None,
         say: Callable[[str], None]) -> pd.DataFrame:
    """The atlas's tasks through the runner the sweep uses (:func:`hemopt._tasks.run_tasks`):
    local processes or a Dask cluster (whose workers must run this hemopt), one Parquet part
    per task in ``parts``, resumed, a failed task retried once and then quarantined in
    ``parts/quarantine``; progress counted in municipalities."""
    left: dict[str, int] = {}
    for t in tasks:
        left[t["code"]] = left.get(t["code"], 0) + 1
    if parts is not None:
        done = {p.stem for p in parts.glob("*.parquet")}
        done |= {p.stem for p in (parts / QUARANTINE).glob("*.parquet")}
        for t in tasks:
            if t["task_id"] in done:
                left[t["code"]] -= 1
    t0 = time.perf_counter()
    flag = ""

    def on_done(task: Mapping[str, Any], result: list[dict[str, Any]]) -> None:
        nonlocal flag
        left[task["code"]] -= 1
        err = next((r["error"] for r in result if r.get("error")), "")
        flag = f" [{task['code']} failed: {err[:80]}]" if err else ""

    def tick(k: int, n: int) -> None:
        finished = sum(v <= 0 for v in left.values())
        el = time.perf_counter() - t0
        say(f"\r{finished}/{len(left)} municipalities, {k}/{n} tasks, {el:.0f} s elapsed, "
            f"~{el / k * (n - k):.0f} s left{flag}" + ("\n" if flag or k == n else ""))

    return run_tasks(tasks, parts, client, n_workers, say, fn=run_atlas_task, frame=_frame,
                     tick=tick, on_done=on_done)


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True, eq=False)
class AtlasResult:
    """The atlas: ``rows`` (municipality × seed × regime), ``table`` (per municipality),
    ``typology`` (km and cost), ``failures`` (code, name, seed, error) and the settings."""

    rows: pd.DataFrame
    table: pd.DataFrame
    typology: dict[str, Any]
    failures: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    runtime_s: float = 0.0

    def find(self, scenario: Any = None, *, comparison: Any = None, seeds: Iterable[int] = (0,),
             routing: str = "approx") -> dict[str, Any]:
        """Where a municipality of one's own falls among the atlas ("find my municipality").

        Give a :class:`~hemopt.scenario.Scenario` (LOV, LOU and zoning are compared on it over
        ``seeds`` with ``routing``) or a :class:`~hemopt.compare.Comparison` already made.

        Returns
        -------
        dict
            ``features``, zoning's km and cost change against LOV (``km_zoning_vs_lov_pct``,
            ``cost_zoning_vs_lov_pct``), the share of atlas municipalities that save more
            (``rank_km``/``rank_cost``: 0 saves the most), the typology's prediction
            (``predicted_km``) and the three most similar municipalities by the standardised
            features (``nearest``).
        """
        from hemopt.compare import compare, default_regimes

        comps = []
        if comparison is not None:
            comps, scenario = [comparison], comparison.scenario
        elif scenario is not None:
            for s in seeds:
                comps.append(compare(scenario, default_regimes(scenario, seed=int(s)),
                                     routing=routing, seed=int(s), continuity=False))
        else:
            raise InputError("find: give a scenario or a comparison")
        f = _features(scenario)
        res: dict[str, Any] = {"name": scenario.name, "features": f}
        for k, short in (("driven_km_per_day", "km"), ("cost_sek_per_year", "cost")):
            d = [100.0 * (c.table.at["Zoning", k] - c.table.at[c.baseline, k])
                 / c.table.at[c.baseline, k]
                 for c in comps if {"Zoning", c.baseline} <= set(c.table.index)
                 and c.baseline != "Zoning" and c.table.at[c.baseline, k] > 0]
            v = float(np.mean(d)) if d else float("nan")
            res[f"{short}_zoning_vs_lov_pct"] = v
            col = f"{short}_zoning_vs_lov_pct"
            if col in self.table.columns and np.isfinite(v):
                res[f"rank_{short}"] = float((self.table[col] < v).mean())
        t = self.typology.get("km", {})
        if t.get("coefficients"):
            zf = {q: (f[q] - t["mean"][q]) / t["sd"][q] for q in t["coefficients"]}
            res["predicted_km"] = t["intercept"] + sum(t["coefficients"][q] * zf[q] for q in zf)
        feats = [q for q in FEATURES if q in self.table.columns]
        tab = self.table.dropna(subset=feats).reset_index(drop=True)
        if len(tab):
            mu, sd = tab[feats].mean(), tab[feats].std(ddof=0).replace(0, 1.0).fillna(1.0)
            dist = sum(((tab[q] - mu[q]) / sd[q] - (f[q] - mu[q]) / sd[q]) ** 2 for q in feats)
            res["nearest"] = list(tab.loc[np.argsort(dist.to_numpy(), kind="stable")[:3],
                                          "name"])
        return res

    def write(self, out: str | Path) -> dict[str, Path]:
        """Write ``atlas.csv``, ``atlas.parquet``, ``atlas.json``, ``rows.csv``,
        ``failures.csv`` and ``typology.json`` to ``out`` (the data; the report page is
        :func:`hemopt.write_atlas_report`, which ``hemopt atlas`` writes as ``index.html``)."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"table_csv": out / "atlas.csv", "table_parquet": out / "atlas.parquet",
                 "table_json": out / "atlas.json", "rows": out / "rows.csv",
                 "failures": out / "failures.csv", "typology": out / "typology.json"}
        self.table.to_csv(paths["table_csv"], index=False, float_format="%.6g")
        self.table.to_parquet(paths["table_parquet"], index=False)
        paths["table_json"].write_text(self.table.to_json(orient="records", indent=1,
                                                          double_precision=6) + "\n")
        keep = [c for c in self.rows.columns if c not in ("runtime_s", "traceback")]
        self.rows[keep].to_csv(paths["rows"], index=False, float_format="%.6g")
        self.failures.to_csv(paths["failures"], index=False)
        paths["typology"].write_text(json.dumps(self.typology, indent=1, default=float) + "\n")
        return paths


def atlas(data: str | Path, *, coverage: Any = None, boundaries: Any = None,
          codes: Iterable[str] | None = None, seeds: Iterable[int] = (1, 2, 3),
          presets: Iterable[str] = ("strangnas", "botkyrka"), routing: str = "approx",
          max_iterations: int = 100, n_areas: int = 3, market: Market | None = None,
          providers: Any = None, scale: float = 1.0, sensitivity: bool = False,
          client: Any = None, n_workers: int | None = None, out: str | Path | None = None,
          progress: bool | Callable[[str], None] = True,
          settings: StudySettings | None = None) -> AtlasResult:
    """Compare LOV, LOU and zoning across municipalities (see the module docstring).

    Parameters
    ----------
    data, coverage, boundaries, codes
        The municipalities (:func:`find_inputs`).
    seeds
        Seeds per municipality (scenario, market draw, day of visits).
    presets
        Built-in presets to add as reference points (with their own, known markets).
    routing, max_iterations
        ``"approx"`` (default) or ``"solver"`` with that many iterations.
    n_areas
        Areas designed per municipality (fewer where it has fewer DeSO areas): LOU's
        procurement areas and zoning's zones.
    market
        The declared ranges of the LOV market (:class:`Market`).
    providers
        A providers table (CSV or DataFrame: ``provider_id``, ``kind``, ``share``, optional
        ``zones`` as ``A1|A2``, ``name``, ``kommun_kod``) instead of the drawn market.
    scale
        Population factor (below 1 for quick tests).
    sensitivity
        The assumption sensitivity per municipality. Not available in this version:
        ``True`` raises :class:`~hemopt.errors.InputError`.
    client, n_workers
        A ``dask.distributed.Client`` (any cluster), or local processes (default: the CPUs).
    out
        Folder: ``parts/`` (one Parquet part per finished task: a rerun resumes) and the
        results of :meth:`AtlasResult.write`.
    progress
        True for a progress line on stderr, or a callable taking a message.
    settings
        A :class:`~hemopt.StudySettings` in place of ``routing`` and ``max_iterations``
        (giving both is an :class:`~hemopt.errors.InputError`): every municipality is
        compared, and its decomposition routed, with these settings whole; they are part of
        every task and its id. Continuity of care is not measured.

    Returns
    -------
    AtlasResult

    Examples
    --------
    A folder of one municipality made from the shipped files (Botkyrka, as if it were new),
    at a twentieth of its population:

    >>> import shutil
    >>> from importlib import resources
    >>> from pathlib import Path
    >>> import hemopt
    >>> data = resources.files("hemopt") / "data"
    >>> (Path("mini") / "deso").mkdir(parents=True)
    >>> _ = shutil.copy(data / "deso2025_botkyrka_0127.geojson", "mini/deso/")
    >>> _ = shutil.copy(data / "kommun_0486_0127_sweref99tm.geojson", "mini/boundaries.geojson")
    >>> _ = Path("mini/coverage.csv").write_text("kommun_kod,n21704_pct_2023\\n0127,16.2\\n")
    >>> res = hemopt.atlas("mini", seeds=[1], presets=(), scale=0.05, n_workers=1,
    ...                    progress=False)
    >>> list(res.table["code"]), sorted(set(res.rows["regime"])), len(res.failures)
    (['0127'], ['LOU', 'LOV', 'Zoning'], 0)
    >>> bool(res.table["km_zoning_vs_lov_pct"].notna().all())
    True
    """
    if sensitivity:
        raise InputError("atlas(sensitivity=True): the assumption sensitivity per "
                         "municipality is not wired in this version (hemopt.sensitivity)")
    if client is not None and n_workers is not None:
        raise InputError(f"n_workers={n_workers!r} with client=...: a Dask cluster runs the tasks "
                         "on its own workers; drop n_workers, or scale the cluster")
    if settings is None and routing != "solver" and max_iterations != 100:
        raise InputError(f"max_iterations={max_iterations!r} applies to routing='solver'; with "
                         f"routing={routing!r} it would be ignored: drop it")
    doc = None
    if settings is not None:
        from hemopt.settings import StudySettings

        if not isinstance(settings, StudySettings):
            raise InputError(f"settings: expected hemopt.StudySettings, got "
                             f"{type(settings).__name__}")
        both = [k for k, v, d in (("routing", routing, "approx"),
                                  ("max_iterations", max_iterations, 100)) if v != d]
        if both:
            raise InputError(f"atlas: give either settings= or the keywords {both}, not "
                             "both; change a setting with settings.replace(...)")
        routing = settings.routing.method
        max_iterations = settings.routing.max_iterations or max_iterations
        doc = settings.to_dict()
    t0 = time.perf_counter()
    say = sayer(progress, end="")
    inputs = find_inputs(data, coverage=coverage, boundaries=boundaries, codes=codes)
    tasks = atlas_tasks(inputs, seeds, presets=presets, routing=routing,
                        max_iterations=max_iterations, n_areas=n_areas, market=market,
                        providers=providers, scale=scale, settings=doc)
    say(f"atlas: {len(inputs) + len(tuple(presets))} municipalities x {len(set(seeds))} "
        f"seeds = {len(tasks)} tasks ({routing})\n")
    with contextlib.ExitStack() as held:
        parts = None
        if out is not None:
            check_folder(out, "out")
            held.enter_context(output_lock(out, "out", folder=True))  # one atlas per folder
            parts = Path(out) / "parts"
            parts.mkdir(parents=True, exist_ok=True)
        rows = _frame(_run(tasks, parts, client, n_workers, say))
        rows = rows.sort_values(["task_id", "regime"], kind="stable").reset_index(drop=True)
        bad = rows[rows["error"] != ""]
        failures = bad[["code", "name", "seed", "error"]].reset_index(drop=True)
        if len(failures):
            say(f"{len(failures)} task(s) failed: " + "; ".join(
                f"{r.code} seed {r.seed}: {r.error}" for r in failures.head(5).itertuples()) + "\n")
        table = summarise_atlas(rows)
        typ = {"km": typology(rows, "km"), "cost": typology(rows, "cost")}
        recorded: dict[str, Any] = {
            "seeds": sorted({int(s) for s in seeds}), "routing": routing, "n_areas": n_areas,
            "market": asdict(market or Market()), "providers_table": providers is not None,
            "presets": list(presets), "scale": scale, "data": str(data),
            **({"study": doc} if doc else {})}
        res = AtlasResult(rows=rows, table=table, typology=typ, failures=failures,
                          settings=recorded, runtime_s=time.perf_counter() - t0)
        if out is not None:
            res.write(out)
    return res
