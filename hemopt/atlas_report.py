"""The atlas's results: the table across municipalities, the typology and the boundaries.

:func:`summarise_atlas` and :func:`typology` make the table and the regression from the
rows of :func:`hemopt.atlas.atlas`; :func:`boundaries` reads the municipalities' boundaries.
The map and the report page are drawn by the viz layer (:func:`hemopt.viz.plot_atlas`,
:func:`hemopt.viz.write_atlas_report`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FEATURES", "boundaries", "summarise_atlas", "typology"]

#: The municipality features of the typology: log10 inhabitants per km² of land, share of the
#: expected clients in rural DeSO areas, share of the inhabitants aged 80+, Kolada N21704
#: coverage (%), number of private LOV providers and their share of the clients.
FEATURES = ("log10_density", "rural_share", "share_80plus", "coverage_80_pct", "n_external",
            "external_share")
def _regimes() -> tuple[str, list[str]]:
    """The baseline regime's name and every registered regime's (the regime registry)."""
    from hemopt.regimes import baseline_name, registered_regimes

    return str(baseline_name()), [c.name for c in registered_regimes().values()]



def boundaries(result: Any) -> Any:
    """The municipalities' boundaries (EPSG:3006) with ``code``: the atlas boundary file and
    the presets' shipped ones."""
    import geopandas as gpd

    from hemopt.geo import read_boundary
    from hemopt.synth import PRESETS, _data_path

    rows = []
    path = None
    data = Path(result.settings.get("data", ""))
    cands = (sorted(p for p in data.iterdir() if "bound" in p.name.lower())
             if data.is_dir() else [])
    if cands:
        path = cands[0]
    for code in result.table["code"]:
        try:
            if code in PRESETS and PRESETS[code].data is not None:
                p = PRESETS[code]
                assert p.data is not None  # the shipped presets carry their public data
                b = read_boundary(str(_data_path(p.data.boundary)), code=p.code)
            elif path is not None:
                b = read_boundary(path, code=code)
            else:
                continue
        except Exception:  # a boundary that cannot be read is left off the map
            continue
        rows.append({"code": code, "geometry": b.geometry.iloc[0]})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=3006) if rows else None


# ------------------------------------------------------------------------------ results
def _pct(a: pd.Series, b: pd.Series) -> pd.Series:
    return 100.0 * (a - b) / b.where(b.abs() > 1e-9)


def summarise_atlas(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality from the per-(municipality, seed, regime) rows.

    Columns: the features (:data:`FEATURES`, inhabitants, land, clients), per regime the mean
    over seeds of km per day, staff hours per day, variable and total cost per year, first
    choice met and the share of clients changing provider; for LOU and zoning against LOV the
    mean percentage change of km and total cost with its minimum and maximum over seeds;
    ``p_zoning_saves_km`` and ``p_zoning_saves_cost`` (share of seeds where zoning is below
    LOV); zoning's decomposition steps (mean km per day); ``seeds``.
    """
    ok = rows[rows["error"] == ""]
    if ok.empty:
        return pd.DataFrame()
    feats = ["name", "inhabitants", "land_km2", "density_per_km2", "clients", "n_areas",
             *FEATURES]
    base, names = _regimes()  # LOV and every registered regime
    out = ok[ok["regime"] == base].groupby("code")[feats].agg(
        lambda s: s.mean() if pd.api.types.is_numeric_dtype(s) else s.iloc[0])
    out["seeds"] = ok[ok["regime"] == base].groupby("code")["seed"].nunique()
    kpis = {"driven_km_per_day": "km", "staff_hours_per_day": "staff_hours",
            "variable_cost_sek_per_year": "variable_cost", "cost_sek_per_year": "cost",
            "first_choice_pct": "first_choice_pct",
            "clients_changing_provider_pct": "changing_provider_pct"}
    wide = ok.pivot_table(index=["code", "seed"], columns="regime",
                          values=list(kpis), aggfunc="first")
    for reg in names:
        for k, short in kpis.items():
            if (k, reg) in wide.columns:
                out[f"{short}_{reg.lower()}"] = wide[(k, reg)].groupby("code").mean()
    vs = f"vs_{base.lower()}"
    for reg in (n for n in names if n != base):
        for k, short in (("driven_km_per_day", "km"), ("cost_sek_per_year", "cost"),
                         ("staff_hours_per_day", "staff_hours")):
            if (k, reg) not in wide.columns or (k, base) not in wide.columns:
                continue
            d = _pct(wide[(k, reg)], wide[(k, base)]).groupby("code")
            out[f"{short}_{reg.lower()}_{vs}_pct"] = d.mean()
            out[f"{short}_{reg.lower()}_{vs}_pct_min"] = d.min()
            out[f"{short}_{reg.lower()}_{vs}_pct_max"] = d.max()
    if {("driven_km_per_day", "Zoning"), ("driven_km_per_day", base)} <= set(wide.columns):
        for k, short in (("driven_km_per_day", "km"), ("cost_sek_per_year", "cost")):
            saves = (wide[(k, "Zoning")] < wide[(k, base)]).astype(float)
            out[f"p_zoning_saves_{short}"] = saves.groupby("code").mean()
    steps = [c for c in ok.columns if c.startswith("zoning_step_")]
    if steps:
        out[steps] = ok[ok["regime"] == "Zoning"].groupby("code")[steps].mean()
    return out.reset_index().sort_values("code", kind="stable").reset_index(drop=True)


def typology(rows: pd.DataFrame, target: str = "km", *,
             features: Iterable[str] = FEATURES) -> dict[str, Any]:
    """How zoning's saving depends on the municipality: a linear regression.

    One observation per (municipality, seed): zoning's change against LOV in per cent
    (``target`` ``"km"`` or ``"cost"``) on the standardised features (:data:`FEATURES`; the
    LOV market varies by seed). Cross-validation leaves one municipality out at a time (all
    its seeds), so a municipality is never predicted from itself.

    Returns
    -------
    dict
        ``coefficients`` (per feature: the standardised coefficient, percentage points of
        change per standard deviation), ``r2``, ``cv_r2``, ``n``, ``municipalities``,
        ``drivers`` (features by the size of their coefficient), ``mean``/``sd`` of each
        feature (to place a new municipality) and ``intercept``.
    """
    ok = rows[(rows["error"] == "")]
    col = {"km": "driven_km_per_day", "cost": "cost_sek_per_year"}[target]
    if ok.empty or col not in ok.columns:
        return {"n": 0}
    wide = ok.pivot_table(index=["code", "seed"], columns="regime", values=col,
                          aggfunc="first")
    feats = list(features)
    base = _regimes()[0]
    if "Zoning" not in wide.columns or base not in wide.columns:
        return {"n": 0}
    y = _pct(wide["Zoning"], wide[base])
    x = ok[ok["regime"] == base].set_index(["code", "seed"])[feats].astype(float)
    df = pd.concat([x, y.rename("y")], axis=1).dropna()
    n, groups = len(df), df.index.get_level_values(0).to_numpy()
    if n < len(feats) + 3 or len(set(groups)) < 3:
        return {"n": n, "municipalities": len(set(groups))}
    mean, sd = df[feats].mean(), df[feats].std(ddof=0).replace(0, 1.0)
    z = ((df[feats] - mean) / sd).to_numpy()
    yy = df["y"].to_numpy()
    design = np.column_stack([np.ones(n), z])
    beta = np.linalg.lstsq(design, yy, rcond=None)[0]
    ss = float(((yy - yy.mean()) ** 2).sum())
    r2 = 1.0 - float(((yy - design @ beta) ** 2).sum()) / ss if ss > 0 else float("nan")
    pred = np.empty(n)
    for g in sorted(set(groups)):
        test = groups == g
        b = np.linalg.lstsq(design[~test], yy[~test], rcond=None)[0]
        pred[test] = design[test] @ b
    cv = 1.0 - float(((yy - pred) ** 2).sum()) / ss if ss > 0 else float("nan")
    coefs = dict(zip(feats, (float(b) for b in beta[1:]), strict=True))
    # the same on the municipalities' means over seeds (the seed-to-seed spread removed)
    means = df.groupby(level=0).mean()
    zm = ((means[feats] - mean) / sd).to_numpy()
    dm = np.column_stack([np.ones(len(means)), zm])
    ym = means["y"].to_numpy()
    ssm = float(((ym - ym.mean()) ** 2).sum())
    bm = np.linalg.lstsq(dm, ym, rcond=None)[0]
    r2m = 1.0 - float(((ym - dm @ bm) ** 2).sum()) / ssm if ssm > 0 else float("nan")
    pm = np.array([dm[i] @ np.linalg.lstsq(np.delete(dm, i, 0), np.delete(ym, i), rcond=None)[0]
                   for i in range(len(ym))])
    cvm = 1.0 - float(((ym - pm) ** 2).sum()) / ssm if ssm > 0 else float("nan")
    return {"target": f"zoning vs LOV, {target} change (%)", "n": n,
            "municipalities": len(set(groups)), "intercept": float(beta[0]),
            "coefficients": coefs, "r2": r2, "cv_r2": cv,
            "r2_means": r2m, "cv_r2_means": cvm,
            "drivers": sorted(coefs, key=lambda f: -abs(coefs[f])),
            "mean": {f: float(mean[f]) for f in feats}, "sd": {f: float(sd[f]) for f in feats}}
