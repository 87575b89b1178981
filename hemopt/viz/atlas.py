"""The atlas drawn and written: the map of Sweden's atlas municipalities and the report page
of an :class:`~hemopt.atlas.AtlasResult` (from the template ``templates/atlas.html``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hemopt._io import atomic_write_text
from hemopt.atlas_report import boundaries
from hemopt.viz._html import _fig_to_base64, render

if TYPE_CHECKING:
    from hemopt.atlas import AtlasResult

__all__ = ["plot_atlas", "write_atlas_report"]

#: The typology's features in words.
_FEATURE_NAMES = {
    "log10_density": "density (log10 inhabitants per km² of land)",
    "rural_share": "share of clients in rural DeSO areas",
    "share_80plus": "share of inhabitants aged 80+",
    "coverage_80_pct": "home-care coverage of the 80+ (Kolada N21704, %)",
    "n_external": "private LOV providers (number)",
    "external_share": "private LOV providers' share of clients",
}

#: The report table's columns: (column, heading, decimals).
_COLUMNS = (
    ("name", "municipality", 0), ("inhabitants", "inhabitants", 0),
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
    ("first_choice_pct_zoning", "first choice zoning %", 0),
)


def plot_atlas(result: AtlasResult, column: str = "km_zoning_vs_lov_pct", axes: Any = None
               ) -> Any:
    """The atlas municipalities coloured by ``column`` (zoning's change against LOV, %; blue
    saves) and by the matching cost column, side by side, in Sweden's frame (SWEREF 99 TM).

    Only the municipalities with a boundary are drawn; the rest of Sweden is not in the data
    and is left grey. ``axes``: two matplotlib Axes to draw on (default: a new figure).
    Returns the Figure.

    Examples
    --------
    >>> import pandas as pd
    >>> from hemopt.atlas import AtlasResult
    >>> empty = AtlasResult(rows=pd.DataFrame(), table=pd.DataFrame({"code": []}),
    ...                     typology={}, failures=pd.DataFrame())
    >>> [ax.get_title() for ax in plot_atlas(empty).axes]
    ['Zoning against LOV: km per day', 'Zoning against LOV: total cost per year']
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    from hemopt.geo import SWEDEN_BOUNDS_3006

    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 8.5))
    else:
        fig = axes[0].figure
    gdf = boundaries(result)
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


def _cell(v: Any, nd: int) -> str:
    if isinstance(v, (float, np.floating)):
        return "–" if not np.isfinite(v) else f"{v:,.{nd}f}"
    return "–" if v is None or v is pd.NA else str(v)


def _market(settings: dict[str, Any]) -> str:
    if settings.get("providers_table"):
        return "a providers table given by the user"
    m = settings.get("market", {})
    return (f"drawn per seed from declared ranges: {m.get('n_external')} private providers "
            f"(at most one per {m.get('clients_per_external')} expected clients), together "
            f"{m.get('external_share')} of the clients, a share {m.get('everywhere')} of "
            f"them serving everywhere and the others one area each, Zipf exponent "
            f"{m.get('concentration')}")


def write_atlas_report(result: AtlasResult, path: str | Path) -> Path:
    """Write the atlas's report page (self-contained HTML: the map is an inline PNG) to
    ``path`` (``hemopt atlas --out DIR`` writes ``DIR/index.html``); returns the path.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from hemopt.atlas import AtlasResult
    >>> empty = AtlasResult(rows=pd.DataFrame(), table=pd.DataFrame(), typology={},
    ...                     failures=pd.DataFrame(columns=["code", "name", "seed", "error"]),
    ...                     settings={"seeds": [1], "routing": "approx", "n_areas": 3})
    >>> page = write_atlas_report(empty, Path(tempfile.mkdtemp()) / "index.html").read_text()
    >>> "No results." in page and "Every municipality ran." in page
    True
    """
    t = result.table
    cols = [c for c in _COLUMNS if c[0] in t.columns]
    rows = ([[_cell(r[c], nd) for c, _, nd in cols]
             for _, r in t.sort_values("km_zoning_vs_lov_pct", kind="stable").iterrows()]
            if len(t) and "km_zoning_vs_lov_pct" in t.columns else [])
    typology = []
    for key, ty in result.typology.items():
        typology.append({
            "key": key, "t": ty, "coefficients": [
                (_FEATURE_NAMES.get(f, f), f"{ty['coefficients'][f]:+.2f}")
                for f in ty.get("drivers", ())] if ty.get("coefficients") else []})
    img = _fig_to_base64(plot_atlas(result)) if len(t) else ""
    page = render("atlas.html", n=len(t), settings=result.settings, img=img,
                  header=[h for _, h, _ in cols], rows=rows, typology=typology,
                  failures=[[_cell(v, 0) for v in (r.code, r.name, r.seed, r.error)]
                            for r in result.failures.itertuples()],
                  market=_market(result.settings), runtime_s=result.runtime_s)
    path = Path(path)
    atomic_write_text(path, str(page))
    return path
