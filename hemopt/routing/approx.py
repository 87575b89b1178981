"""Continuous approximation of the routing cost (draft: calibration machinery)."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CalibrationSpec:
    """One generated municipality, regime and day routed by the solver for calibration."""

    preset: str
    seed: int
    scale: float
    regime: str = "LOV"
    n_external: int | None = None

    @property
    def label(self) -> str:
        ext = "" if self.n_external is None else f"-x{self.n_external}"
        return f"{self.preset}{ext}-s{self.seed}-{self.scale:g}-{self.regime}"

    def build(self) -> tuple[Any, Any]:
        """The scenario and its assignment."""
        from hemopt.assignment import assign
        from hemopt.regimes import LOU, LOV, Zoning
        from hemopt.synth import generate

        sc = generate(self.preset, seed=self.seed, scale=self.scale, n_external=self.n_external)
        if self.regime == "LOV":
            reg: Any = LOV()
        elif self.regime.startswith("LOU"):
            reg = LOU(float(self.regime[3:] or 0.2))
        elif self.regime == "Zoning":
            reg = Zoning()
        else:
            raise ValueError(self.regime)
        return sc, assign(sc, reg, seed=self.seed)


@dataclass(frozen=True, eq=False)
class CalibrationDay:
    spec: CalibrationSpec
    stops: pd.DataFrame
    offices: dict[str, tuple[float, float]]
    routes: pd.DataFrame
    n_visits: int
    runtime_s: float


def _solve(spec: CalibrationSpec, max_iterations: int) -> CalibrationDay:
    from hemopt.routing.day import route_day

    sc, a = spec.build()
    t0 = time.perf_counter()
    r = route_day(sc, a, seed=spec.seed, max_iterations=max_iterations, time_limit_s=None)
    dt = time.perf_counter() - t0
    offices = {p: (float(x), float(y)) for p, (x, y) in zip(sc.provider_ids, sc.provider_xy(),
                                                            strict=True)}
    return CalibrationDay(spec, r.stops, offices, r.routes, len(r.visits), dt)


def solve_calibration_days(specs, *, max_iterations=500, jobs=2, progress=None):
    out = []
    if jobs <= 1:
        for s in specs:
            out.append(_solve(s, max_iterations))
            if progress:
                progress(f"{s.label}: {out[-1].runtime_s:.1f}s")
        return out
    with ProcessPoolExecutor(jobs) as ex:
        futs = [ex.submit(_solve, s, max_iterations) for s in specs]
        for s, f in zip(specs, futs, strict=True):
            out.append(f.result())
            if progress:
                progress(f"{s.label}: {out[-1].runtime_s:.1f}s")
    return out
