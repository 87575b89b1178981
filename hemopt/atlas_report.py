"""The atlas's results: the table across municipalities, the typology, the report page.

:func:`summarise_atlas` and :func:`typology` make the table and the regression from the
rows of :func:`hemopt.atlas.atlas`; :func:`write_report` writes ``index.html``
(self-contained: the map is an inline PNG) beside the tables of
:meth:`hemopt.atlas.AtlasResult.write`.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FEATURES", "map_figure", "summarise_atlas", "typology", "write_report"]

#: The municipality features of the typology: log10 inhabitants per km² of land, share of the
#: expected clients in rural DeSO areas, share of the inhabitants aged 80+, Kolada N21704
#: coverage (%), number of private LOV providers and their share of the clients.
FEATURES = ("log10_density", "rural_share", "share_80plus", "coverage_80_pct", "n_external",
            "external_share")
def _regimes() -> tuple[str, list[str]]:
    """The baseline regime's name and every registered regime's (the regime registry)."""
    from hemopt.regimes import baseline_name, registered_regimes

    return str(baseline_name()), [c.name for c in registered_regimes().values()]

_NAMES = {
    "log10_density": "density (log10 inhabitants per km² of land)",
    "rural_share": "share of clients in rural DeSO areas",
    "share_80plus": "share of inhabitants aged 80+",
    "coverage_80_pct": "home-care coverage of the 80+ (Kolada N21704, %)",
    "n_external": "private LOV providers (number)",
    "external_share": "private LOV providers' share of clients",
}


def _boundaries(result: Any) -> Any:
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


def map_figure(result: Any, column: str = "km_zoning_vs_lov_pct") -> Any:
    """Matplotlib figure: the atlas municipalities coloured by ``column`` (zoning's change
    against LOV, %; blue saves), in Sweden's frame (SWEREF 99 TM). Only the municipalities
    with a boundary are drawn; the rest of Sweden is not in the data and is left grey."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    from hemopt.geo import SWEDEN_BOUNDS_3006

    fig, axes = plt.subplots(1, 2, figsize=(10, 8.5))
    gdf = _boundaries(result)
    x0, y0, x1, y1 = 240_000, 6_130_000, 930_000, 7_680_000
    for ax, col, title in ((axes[0], column, "km per day"),
                           (axes[1], column.replace("km_", "cost_"), "total cost per year")):
        ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, color="#e6e6e6", zorder=0))
        if gdf is not None and col in result.table.columns:
            g = gdf.merge(result.table[["code", col]], on="code")
            v = g[col].to_numpy(dtype=float)
            lim = max(float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 1.0, 1.0)
            g.plot(column=col, ax=ax, cmap="RdBu_r", norm=TwoSlopeNorm(0, -lim, lim),
                   edgecolor="#333", linewidth=0.3, legend=True,
                   legend_kwds={"label": f"zoning vs LOV, {title} (%)", "shrink": 0.6})
            # small municipalities: a dot so they can be seen at this scale
            pts = g.geometry.representative_point()
            ax.scatter(pts.x, pts.y, c=v, cmap="RdBu_r", norm=TwoSlopeNorm(0, -lim, lim),
                       s=14, edgecolor="#333", linewidth=0.3, zorder=3)
        ax.set_xlim(SWEDEN_BOUNDS_3006[0] + 60_000, SWEDEN_BOUNDS_3006[2] - 70_000)
        ax.set_ylim(y0 - 20_000, y1 + 20_000)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"Zoning against LOV: {title}")
    fig.tight_layout()
    return fig


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _fmt(v: Any, nd: int = 1) -> str:
    if isinstance(v, (float, np.floating)):
        return "–" if not np.isfinite(v) else f"{v:,.{nd}f}"
    return html.escape(str(v))


def _table_html(t: pd.DataFrame) -> str:
    cols = [("name", "municipality", 0), ("inhabitants", "inhabitants", 0),
            ("density_per_km2", "inh./km²", 0), ("clients", "clients", 0),
            ("n_external", "private providers (mean)", 1),
            ("km_lov", "LOV km/day", 0), ("km_zoning_vs_lov_pct", "zoning km %", 1),
            ("km_zoning_vs_lov_pct_min", "min", 1), ("km_zoning_vs_lov_pct_max", "max", 1),
            ("cost_zoning_vs_lov_pct", "zoning cost %", 1),
            ("p_zoning_saves_km", "P(zoning saves km)", 2),
            ("p_zoning_saves_cost", "P(zoning saves cost)", 2),
            ("km_lou_vs_lov_pct", "LOU km %", 1), ("cost_lou_vs_lov_pct", "LOU cost %", 1),
            ("changing_provider_pct_zoning", "clients changing provider, zoning %", 0),
            ("first_choice_pct_lov", "first choice LOV %", 0),
            ("first_choice_pct_zoning", "first choice zoning %", 0)]
    cols = [c for c in cols if c[0] in t.columns]
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h, _ in cols)
    body = []
    for _, r in t.sort_values("km_zoning_vs_lov_pct", kind="stable").iterrows():
        body.append("<tr>" + "".join(f"<td>{_fmt(r[c], nd)}</td>" for c, _, nd in cols)
                    + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _typology_html(typ: dict[str, Any]) -> str:
    parts = []
    for key, t in typ.items():
        if not t.get("coefficients"):
            parts.append(f"<p>Typology ({key}): too few municipalities ({t.get('n', 0)} "
                         "observations) for a regression.</p>")
            continue
        rows = "".join(f"<tr><td>{html.escape(_NAMES.get(f, f))}</td>"
                       f"<td>{t['coefficients'][f]:+.2f}</td></tr>" for f in t["drivers"])
        parts.append(
            f"<h3>{html.escape(t['target'])}</h3><p>Linear regression on standardised "
            f"features, one observation per municipality and seed (n = {t['n']}, "
            f"{t['municipalities']} municipalities): R² = {t['r2']:.2f}, cross-validated "
            f"R² (leave one municipality out) = {t['cv_r2']:.2f}. Mean change "
            f"{t['intercept']:+.1f} %. On the municipalities' means over seeds: R² = "
            f"{t.get('r2_means', float('nan')):.2f}, cross-validated (leave one out) "
            f"{t.get('cv_r2_means', float('nan')):.2f}. Coefficients: percentage points per "
            "standard "
            f"deviation of the feature (negative: zoning saves more).</p>"
            f"<table><tr><th>feature</th><th>coefficient</th></tr>{rows}</table>")
    return "".join(parts)


def write_report(result: Any, out: str | Path) -> Path:
    """Write ``index.html`` for an :class:`~hemopt.atlas.AtlasResult` to ``out``."""
    out = Path(out)
    t = result.table
    s = result.settings
    img = _png(map_figure(result)) if len(t) else ""
    fails = result.failures
    fail_html = ("<p>Every municipality ran.</p>" if fails.empty else
                 "<table><tr><th>code</th><th>municipality</th><th>seed</th><th>why</th></tr>"
                 + "".join(f"<tr><td>{_fmt(r.code)}</td><td>{_fmt(r.name)}</td>"
                           f"<td>{r.seed}</td><td>{_fmt(r.error)}</td></tr>"
                           for r in fails.itertuples()) + "</table>")
    m = s.get("market", {})
    market = ("a providers table given by the user" if s.get("providers_table") else
              f"drawn per seed from declared ranges: {m.get('n_external')} private providers "
              f"(at most one per {m.get('clients_per_external')} expected clients), together "
              f"{m.get('external_share')} of the clients, a share {m.get('everywhere')} of "
              f"them serving everywhere and the others one area each, Zipf exponent "
              f"{m.get('concentration')}")
    doc = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>hemopt atlas: where zoning pays</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:auto;padding:1em}}
table{{border-collapse:collapse;font-size:12px}}td,th{{border:1px solid #ccc;padding:2px 5px;
text-align:right}}td:first-child{{text-align:left}}</style></head><body>
<h1>Where zoning pays: {len(t)} municipalities</h1>
<p>LOV (free choice), LOU (procurement, external share capped) and zoning (one provider per
area) compared on each municipality's synthetic clients built from SCB's DeSO areas and
Kolada's N21704 coverage; seeds {s.get('seeds')}, routing: {html.escape(str(s.get('routing')))}
(the continuous approximation unless "solver"). Negative changes are savings against LOV.</p>
<h2>Map</h2>
<p>The municipalities of the atlas (and the presets) coloured by zoning's change against LOV;
blue saves. The data holds boundaries only for these municipalities, so the rest of Sweden is
the grey frame, not an outline of the country.</p>
{f'<img alt="map of zoning savings" src="data:image/png;base64,{img}" style="width:100%">'
 if img else ''}
<h2>Table</h2>
<p>Mean over seeds, with the range over seeds of zoning's km change (min, max).
The full table is in atlas.csv / atlas.parquet / atlas.json; every
(municipality, seed, regime) row in rows.csv.</p>
{_table_html(t) if len(t) else '<p>No results.</p>'}
<h2>Typology: what the saving depends on</h2>
{_typology_html(result.typology)}
<h2>Find my municipality</h2>
<p>In Python: <code>res = hemopt.atlas(...); res.find(my_scenario)</code> gives where a
municipality of one's own falls: its zoning saving, its rank among these, the typology's
prediction and the three most similar municipalities.</p>
<h2>Honest limits</h2>
<ul><li>The LOV market of a municipality (how many private providers, their share, where they
serve) is not known from public data. It is {html.escape(market)}. The presets keep their
documented markets. A user who knows their market passes a providers table.</li>
<li>The clients are synthetic: drawn per DeSO area from its age bands and the municipality's
coverage; housing, care hours and choices follow hemopt's declared assumptions
(docs/parameters.md).</li>
<li>Areas are designed from whole DeSO areas ({s.get('n_areas')} per municipality, fewer where
it has fewer DeSO areas); a municipality's real areas may differ.</li>
<li>The assumption sensitivity per municipality is not part of this atlas.</li></ul>
<h2>Failures</h2>{fail_html}
<p>Runtime {result.runtime_s:.0f} s.</p></body></html>
"""
    path = out / "index.html"
    path.write_text(doc, encoding="utf-8")
    return path


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
