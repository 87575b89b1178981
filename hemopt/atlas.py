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

import hashlib
import json
import os
import re
import time
import traceback
import warnings
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hemopt._io import atomic_path
from hemopt._progress import sayer
from hemopt._workers import end_with_parent, stop_workers
from hemopt.errors import InputError

__all__ = ["FEATURES", "AtlasResult", "Market", "atlas", "atlas_tasks", "find_inputs",
           "run_atlas_task", "summarise_atlas", "typology"]

#: The municipality features of the typology: log10 inhabitants per km² of land, share of the
#: expected clients in rural DeSO areas, share of the inhabitants aged 80+, Kolada N21704
#: coverage (%), number of private LOV providers and their share of the clients.
FEATURES = ("log10_density", "rural_share", "share_80plus", "coverage_80_pct", "n_external",
            "external_share")
_REGIMES = ("LOV", "LOU", "Zoning")
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
    specs = [ProviderSpec("M", "Municipal home care", "municipal", 1.0 - total)]
    for j in range(n):
        zones = () if j < n_every or k == 0 else (f"A{(j - n_every) % k + 1}",)
        specs.append(ProviderSpec(f"E{j + 1}", f"Private provider {j + 1}", "external",
                                  total * float(w[j] / w.sum()), zones,
                                  office=f"zone:{zones[0]}" if zones else ""))
    return replace(GENERIC, providers=tuple(specs))


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
                scale: float = 1.0) -> list[dict[str, Any]]:
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
        "n_external": int(len(ext)),
        "external_share": float(ext["market_share"].sum()),
        "n_areas": int(len(sc.zones)),
    }


def run_atlas_task(task: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run one task; never raises: a failure is one row with ``error`` (and ``traceback``)."""
    from hemopt.compare import CostParams, compare, default_regimes
    from hemopt.decompose import decompose_steps
    from hemopt.evaluate import RoutingSettings, day_for, evaluate
    from hemopt.geo import read_deso
    from hemopt.routing.visits import VisitParams
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
                    drawn = Market(**{f: tuple(v) for f, v in task["market"].items()}
                                   ).draw(task["code"], seed, exp * task["scale"])
                    preset = _market_preset(drawn, k)
                    source = "drawn from the declared ranges"
                sc = from_public_data(task["boundary"], d, code=task["code"],
                                      coverage_80=float(task["coverage_80"]), preset=preset,
                                      seed=seed, scale=task["scale"], n_areas=k)
            regimes = default_regimes(sc, external_share=task["external_share_lou"],
                                      procured_share=task["procured_share"], seed=seed)
            cost = CostParams()
            comp = compare(sc, regimes, routing=task["routing"], seed=seed, cost=cost,
                           max_iterations=task["max_iterations"], continuity=False)
            dec = {}
            if {"LOV", "Zoning"} <= set(comp.assignments):
                settings = RoutingSettings(method=task["routing"],
                                           max_iterations=task["max_iterations"])
                lov = comp.assignments["LOV"]
                visits = day_for(lov, seed=seed, params=VisitParams())
                known = {id(x): comp.table.loc[n].to_dict() for n, x in comp.assignments.items()}

                def kpis_of(a: Any) -> dict[str, Any]:
                    if id(a) in known:
                        return known[id(a)]
                    return evaluate(a, routing=settings, seed=seed, visits=visits,
                                    cost=cost).kpis

                steps = decompose_steps(lov, comp.assignments["Zoning"], kpis_of)
                for r in steps.itertuples():
                    dec[f"zoning_step_{_slug(r.step)}_km"] = float(r.driven_km_per_day_change)
        feats = _features(sc)
        notes = "; ".join(sorted({f"{w.category.__name__}: {w.message}" for w in caught}))
        rows = []
        for name in comp.table.index:
            row: dict[str, Any] = {**base, "regime": str(name), "error": "", **feats,
                                   "market_source": source,
                                   **{f"market_{k}": v for k, v in drawn.items()}}
            for k in _KPIS:
                row[k] = float(comp.table.at[name, k]) if k in comp.table.columns else np.nan
            row["variable_cost_sek_per_year"] = cost.days_per_year * (
                row["paid_staff_hours_per_day"] * cost.staff_sek_per_hour
                + row["driven_km_per_day"] * cost.sek_per_km)
            tr = comp.transitions.get(name, {})
            row["clients_changing_provider_pct"] = float(
                tr.get("clients_changing_provider_pct", np.nan))
            if name == "Zoning":
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
