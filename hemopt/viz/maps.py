"""Maps of a scenario, an assignment and a comparison (matplotlib, no screen needed), and the
interactive maps (folium) for notebooks and beside the report."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from hemopt.i18n import number as _loc
from hemopt.i18n import t as _t
from hemopt.kpis import format_value

if TYPE_CHECKING:
    from hemopt.scenario import Scenario

logger = logging.getLogger(__name__)

__all__ = ["PROVIDER_PALETTE", "add_scale_bar", "centre_box", "draw_box", "explore_assignment",
           "explore_comparison", "plot_assignment", "plot_continuity_tradeoff", "plot_scenario",
           "plot_scenario_overview",
           "provider_colours", "serving_providers", "write_interactive_map"]


#: Provider colours: no red (the colour of nothing else on the maps either), no grey (the
#: buildings), distinguishable in print. The municipal provider is always the first.
PROVIDER_PALETTE = ("#4a6fa5", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
                    "#bcbd22", "#17becf", "#1b9e77", "#7570b3", "#e6ab02", "#a6761d",
                    "#66a61e", "#386cb0", "#f0027f", "#bf5b17")
#: The municipal boundary, the area borders and labels: black and dark grey, never a
#: provider's colour.
BOUNDARY_COLOUR = "#111111"
AREA_EDGE = "#555555"
AREA_FILLS = ("#f2efe6", "#e6eef2", "#eef2e6", "#f2e6ee", "#e9e6f2", "#f2ebe6")


def provider_colours(provider_ids: list[str], kinds: list[str] | None = None) -> dict[str, Any]:
    """A stable colour per provider (hex), by its place in ``provider_ids``: the municipal
    provider grey-blue, the others from :data:`PROVIDER_PALETTE`, never red or grey.

    Examples
    --------
    >>> provider_colours(["K", "A", "B"], ["municipal", "external", "external"])
    {'K': '#4a6fa5', 'A': '#ff7f0e', 'B': '#2ca02c'}
    """
    out: dict[str, Any] = {}
    k = 0
    n = len(PROVIDER_PALETTE) - 1
    for i, pid in enumerate(provider_ids):
        if kinds is not None and kinds[i] == "municipal":
            out[pid] = PROVIDER_PALETTE[0]
        else:
            out[pid] = PROVIDER_PALETTE[1 + k % n]
            k += 1
    return out


def area_label(zone_id: Any, name: Any, max_chars: int = 24) -> str:
    """A short label for an area on a map: its name up to a colon, or its id when the name
    is long.

    Examples
    --------
    >>> area_label("A1", "Area 1: Mariefred, Åkers styckebruk"), area_label("N", "North")
    ('Area 1', 'North')
    >>> area_label("Z3", "Southern Strängnäs town and the islands")
    'Z3'
    """
    text = str(name).split(":", 1)[0].strip() or str(zone_id)
    return text if len(text) <= max_chars else str(zone_id)


def _draw_areas(ax: Any, zones: Any) -> None:
    """The areas filled in light tints with dark grey borders, each labelled with its name
    (or id) in a white box at a point inside it."""
    import shapely
    from matplotlib.collections import PolyCollection

    geoms = np.asarray(zones.geometry.values)
    labels = [area_label(z, n) for z, n in zip(
        zones["zone_id"], zones["name"] if "name" in zones.columns else zones["zone_id"],
        strict=True)]
    for k, g in enumerate(geoms):
        polys = shapely.get_parts(np.asarray([g]))
        rings = [shapely.get_coordinates(shapely.get_exterior_ring(p)) for p in polys]
        ax.add_collection(PolyCollection(rings, facecolor=AREA_FILLS[k % len(AREA_FILLS)],
                                         edgecolor="none", zorder=0))
    _draw_lines(ax, geoms, color=AREA_EDGE, linewidth=1.1, linestyle="--", zorder=2)
    for lab, g in zip(labels, geoms, strict=True):
        p = g.representative_point()
        ax.annotate(lab, (p.x, p.y), color="#222222", fontsize=9, ha="center", va="center",
                    fontweight="bold", zorder=8,
                    bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": AREA_EDGE,
                          "alpha": 0.85, "lw": 0.6})


def _base_map(ax: Any, sc: Scenario, zones: Any) -> dict[str, Any]:
    """Boundary, areas filled and labelled, building footprints; returns provider
    colours."""
    if zones is not None and len(zones):
        _draw_areas(ax, zones)
    _draw_lines(ax, sc.boundary.geometry.values, color=BOUNDARY_COLOUR, linewidth=1.3,
                zorder=2)
    _draw_buildings(ax, sc.buildings.geometry.values)
    return provider_colours(sc.provider_ids, list(sc.providers["kind"]))


def _clients_by_provider(ax: Any, sc: Scenario, provider: Any, colours: dict[str, Any], *,
                         none_label: str, none_size: float, size: float = 6.0) -> None:
    """Clients coloured by the provider id in ``provider`` (one per client), dots of ``size``
    points²; clients with no known provider as black crosses labelled ``none_label``."""
    xy = sc.client_xy()
    for pid in sc.provider_ids:
        m = (provider == pid).to_numpy()
        if m.any():
            ax.scatter(xy[m, 0], xy[m, 1], s=size, color=colours[pid],
                       label=f"{pid} ({m.sum()})", zorder=3)
    none = ~provider.isin(sc.provider_ids).to_numpy()
    if none.any():
        ax.scatter(xy[none, 0], xy[none, 1], s=none_size, color="black", marker="x",
                   label=f"{none_label} ({none.sum()})", zorder=4)


def _nice_length(span_m: float) -> float:
    """A round length (1, 2 or 5 × 10^k m) near a fifth of ``span_m``.

    Examples
    --------
    >>> _nice_length(23_000), _nice_length(2_600), _nice_length(400)
    (2000.0, 500.0, 50.0)
    """
    target = max(span_m / 5, 1.0)
    k = 10 ** np.floor(np.log10(target))
    for m in (5, 2, 1):
        if m * k <= target:
            return float(m * k)
    return float(k)


def add_scale_bar(ax: Any) -> Any:
    """A scale bar (round length in m or km) at the lower right of a map in metres; a bar
    added before is replaced, so call it again after changing the limits. Returns it."""
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    for a in list(ax.artists):
        if a.get_gid() == "hemopt-scalebar":
            a.remove()
    x0, x1 = ax.get_xlim()
    length = _nice_length(abs(x1 - x0))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bar = AnchoredSizeBar(ax.transData, length, label, "lower right", pad=0.6, sep=4,
                          color="black", frameon=True, size_vertical=abs(x1 - x0) / 250,
                          fontproperties={"size": 9})
    bar.patch.set_alpha(0.8)
    bar.set_gid("hemopt-scalebar")
    ax.add_artist(bar)
    return bar


def _offices_and_axes(ax: Any, sc: Scenario, colours: dict[str, Any], legend_title: str,
                      serving: set[str] | None = None) -> None:
    """Provider offices as stars (only those in ``serving`` when given: a provider that left
    has no office on the map), equal aspect, no metre axes, a scale bar, legend."""
    from matplotlib.lines import Line2D

    oxy = sc.provider_xy()
    for j, pid in enumerate(sc.provider_ids):
        if serving is not None and pid not in serving:
            continue
        ax.scatter(oxy[j, 0], oxy[j, 1], marker="*", s=180, color=colours[pid],
                   edgecolor="black", linewidth=0.7, zorder=5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_color("#999999")
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], marker="*", linestyle="none", markersize=6,
                          markerfacecolor="white", markeredgecolor="black"))
    labels.append(_t("office"))
    ax.legend(handles, labels, loc="upper left", fontsize=8, markerscale=2,
              title=legend_title, title_fontsize=8, framealpha=0.9)
    add_scale_bar(ax)


def plot_scenario(
    scenario: Scenario,
    ax: Any = None,
    *,
    title: str | None = None,
    by: str = "current_provider",
    zoom: str | None = None,
) -> Any:
    """Draw the municipality: boundary, zones, buildings, clients coloured by ``by`` (a client
    column holding provider ids), provider offices as stars.

    ``zoom`` may name a settlement (``buildings.settlement``) to zoom on. Returns the Axes.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> ax = plot_scenario(sc, title="Strängnäs, 5 % of the clients")
    >>> ax.get_title()
    'Strängnäs, 5 % of the clients'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    sc = scenario
    colours = _base_map(ax, sc, sc.zones)
    if by in sc.clients.columns:
        _clients_by_provider(ax, sc, sc.clients[by], colours, none_label=_t("none"),
                             none_size=6)
    else:
        xy = sc.client_xy()
        ax.scatter(xy[:, 0], xy[:, 1], s=6, color="black", label=_t("clients"))
    if zoom is not None and "settlement" in sc.buildings.columns:
        sel = sc.buildings[sc.buildings["settlement"] == zoom]
        if len(sel):
            minx, miny, maxx, maxy = sel.total_bounds
            pad = 0.1 * max(maxx - minx, maxy - miny)
            ax.set_xlim(minx - pad, maxx + pad)
            ax.set_ylim(miny - pad, maxy + pad)
    _offices_and_axes(ax, sc, colours, by)
    ax.set_title(title or _t("{name}: {clients} clients, {providers} providers", name=sc.name,
                             clients=_loc(f"{sc.n_clients:,}"), providers=sc.n_providers))
    return ax


def plot_scenario_overview(scenario: Scenario) -> Any:
    """Two maps side by side: the whole municipality, and its largest settlement enlarged
    (the one with the most clients; the whole map again when there are no settlements).
    ``hemopt generate --map`` draws it. Returns the Figure.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> fig = plot_scenario_overview(sc)
    >>> len(fig.axes), fig.axes[1].get_title().startswith("zoom: ")
    (2, True)
    """
    import matplotlib.pyplot as plt

    sc = scenario
    fig, axes = plt.subplots(1, 2, figsize=(16, 8))
    plot_scenario(sc, ax=axes[0])
    biggest = None
    if "settlement" in sc.buildings.columns:
        lut = dict(zip(sc.buildings["building_id"], sc.buildings["settlement"], strict=True))
        counts = sc.clients["building_id"].map(lut).value_counts()
        counts = counts[counts.index != "rural"]
        biggest = str(counts.index[0]) if len(counts) else None
    plot_scenario(sc, ax=axes[1], zoom=biggest, title=f"zoom: {biggest}")
    fig.tight_layout()
    return fig


def _draw_lines(ax: Any, geoms: Any, **kw: Any) -> None:
    """The borders of polygons as one LineCollection (GeoSeries.plot redraws the whole figure
    each time, which takes seconds on a city-scale map)."""
    import shapely
    from matplotlib.collections import LineCollection

    rings = shapely.get_rings(shapely.get_parts(np.asarray(geoms)))  # every polygon's rings
    coords, idx = shapely.get_coordinates(rings, return_index=True)
    splits = np.flatnonzero(np.diff(idx)) + 1
    ax.add_collection(LineCollection(np.split(coords, splits), **kw))
    ax.autoscale_view()


#: Above this many buildings a map draws each as a dot at its centre instead of its footprint:
#: at city scale (``generate("botkyrka", scale=14)``, about 180,000 buildings) footprints are
#: smaller than a pixel of the map, and drawing them took minutes per report.
MAX_FOOTPRINTS = 40_000


def _draw_buildings(ax: Any, geoms: Any) -> None:
    """Building footprints as one PolyCollection (fast for tens of thousands); above
    :data:`MAX_FOOTPRINTS` buildings, one grey dot per building."""
    import shapely
    from matplotlib.collections import PolyCollection

    geoms = np.asarray(geoms)  # shapely's own arrays: no pandas dispatch per element
    if len(geoms) > MAX_FOOTPRINTS:
        xy = shapely.get_coordinates(shapely.centroid(geoms))
        ax.scatter(xy[:, 0], xy[:, 1], s=0.2, marker="s", linewidths=0, color="#b0b0b0",
                   zorder=1)
        return
    polys = geoms[shapely.get_type_id(geoms) == 3]
    if len(polys):
        rings = shapely.get_exterior_ring(polys)
        coords, idx = shapely.get_coordinates(rings, return_index=True)
        splits = np.flatnonzero(np.diff(idx)) + 1
        ax.add_collection(PolyCollection(np.split(coords, splits), facecolor="#b0b0b0",
                                         edgecolor="none", zorder=1))
    pts = geoms[shapely.get_type_id(geoms) == 0]
    if len(pts):
        xy = shapely.get_coordinates(pts)
        ax.scatter(xy[:, 0], xy[:, 1], s=1, color="#b0b0b0", zorder=1)


def serving_providers(assignment: Any) -> list[str]:
    """The providers with at least one client in ``assignment``, in the scenario's order.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> a = hemopt.assign(sc, hemopt.Zoning())
    >>> set(serving_providers(a)) == set(a.clients["provider_id"]) - {""}
    True
    """
    used = set(assignment.clients["provider_id"].astype(str))
    return [p for p in assignment.scenario.provider_ids if p in used]


def plot_assignment(assignment: Any, ax: Any = None, *, title: str | None = None,
                    zones: Any = None, size: float = 6.0) -> Any:
    """Map of an :class:`~hemopt.assignment.Assignment`: clients coloured by their assigned
    provider (dots of ``size`` points²), queueing clients circled, the borders of the areas
    the regime worked with (``zones``, default :attr:`Assignment.zones
    <hemopt.assignment.Assignment.zones>`, else the scenario's), provider offices. Returns
    the Axes.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> ax = plot_assignment(hemopt.assign(sc, hemopt.LOV()))
    >>> ax.get_title()
    'strangnas-seed1, LOV: first choice 100.0 %, queue 0'
    """
    import matplotlib.pyplot as plt

    sc = assignment.scenario
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    if zones is None:
        zones = getattr(assignment, "zones", None)
    colours = _base_map(ax, sc, sc.zones if zones is None else zones)
    provider = assignment.clients["provider_id"]
    _clients_by_provider(ax, sc, provider, colours, none_label=_t("unserved"), none_size=20,
                         size=size)
    q = (assignment.clients["queue_for"] != "").to_numpy()
    if q.any():
        xy = sc.client_xy()
        ax.scatter(xy[q, 0], xy[q, 1], s=5 * size, facecolor="none", edgecolor="black",
                   linewidth=0.6, label=f"{_t('queueing')} ({q.sum()})", zorder=4)
    _offices_and_axes(ax, sc, colours, _t("provider"),
                      serving=set(serving_providers(assignment)))
    s = assignment.summary()
    ax.set_title(title or _t("{name}, {regime}: first choice {first} %, queue {queue}",
                             name=sc.name, regime=assignment.regime,
                             first=_loc(format_value("pct", s["first_choice_pct"])),
                             queue=s["queue"]))
    return ax


def centre_box(xy: Any, *, radius_m: float = 1000.0, extent_m: float = 2500.0,
               min_half_m: float = 600.0) -> tuple[float, float, float, float]:
    """The town centre: a square around the densest part of the points ``xy`` (n × 2, metres).

    The centre is the point with the most other points within ``radius_m``; the square
    covers the 2nd to 98th percentiles of the points within ``extent_m`` of it (so one far
    point does not stretch it), padded by 10 %, at least ``2 × min_half_m`` wide.

    Returns
    -------
    tuple
        ``(minx, miny, maxx, maxy)``.

    Examples
    --------
    A dense cluster of 200 points near (1000, 1000) among 50 points spread over 20 km:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> xy = np.vstack([rng.normal(1000, 300, (200, 2)), rng.uniform(-10_000, 10_000, (50, 2))])
    >>> minx, miny, maxx, maxy = centre_box(xy)
    >>> bool(minx < 1000 < maxx and miny < 1000 < maxy), bool(maxx - minx < 4000)
    (True, True)
    """
    from scipy.spatial import cKDTree

    xy = np.asarray(xy, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2 or not len(xy):
        raise ValueError(f"centre_box: expected an (n, 2) array of points, got shape {xy.shape}")
    tree = cKDTree(xy)
    counts = tree.query_ball_point(xy, r=radius_m, return_length=True)
    c = xy[int(np.argmax(counts))]
    near = xy[np.hypot(*(xy - c).T) <= extent_m]
    lo, hi = np.percentile(near, 2, axis=0), np.percentile(near, 98, axis=0)
    mid = (lo + hi) / 2
    half = max(float((hi - lo).max()) / 2 * 1.1, min_half_m)
    return (float(mid[0] - half), float(mid[1] - half), float(mid[0] + half),
            float(mid[1] + half))


def draw_box(ax: Any, box: tuple[float, float, float, float], label: str = "") -> None:
    """Outline ``box`` (``minx, miny, maxx, maxy``) on ``ax``, with ``label`` above it."""
    from matplotlib.patches import Rectangle

    minx, miny, maxx, maxy = box
    ax.add_patch(Rectangle((minx, miny), maxx - minx, maxy - miny, fill=False,
                           edgecolor="black", linewidth=1.4, zorder=7))
    if label:
        ax.annotate(label, (minx, maxy), xytext=(0, 3), textcoords="offset points",
                    fontsize=8, fontweight="bold", zorder=7)


def plot_continuity_tradeoff(table: Any, ax: Any = None, *, label: str = "") -> Any:
    """Kilometres against continuity: the curve of
    :func:`hemopt.continuity.territory_tradeoff`'s table.

    Territory routing is a line through its penalties (each point labelled with the penalty
    in km); assign-after-routing points (free routes, staff weights only) sit at the free
    routes' kilometres. Returns the Axes.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"method": ["territory", "territory", "assign_after_routing"],
    ...                   "penalty_m": [0.0, 5000.0, 0.0], "staff_weight": [1.0, 1.0, 0.0],
    ...                   "driven_km_per_day": [500.0, 510.0, 500.0],
    ...                   "staff_per_client_14d_mean": [6.3, 5.7, 17.5]})
    >>> ax = plot_continuity_tradeoff(t, label="LOV")
    >>> len(ax.lines), ax.get_xlabel()
    (2, 'km driven per day')
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    terr = table[table["method"] == "territory"].sort_values("penalty_m")
    lines = ax.plot(terr["driven_km_per_day"], terr["staff_per_client_14d_mean"], marker="o",
                    label=f"{label} territories".strip())
    for r in terr.itertuples():
        ax.annotate(f"{r.penalty_m / 1000:g} km", (r.driven_km_per_day,
                                                  r.staff_per_client_14d_mean),
                    fontsize=7, xytext=(3, 3), textcoords="offset points")
    after = table[table["method"] == "assign_after_routing"]
    if len(after):
        ax.plot(after["driven_km_per_day"], after["staff_per_client_14d_mean"], marker="x",
                linestyle="none", color=lines[0].get_color(),
                label=f"{label} assign after routing".strip())
        for r in after.itertuples():
            ax.annotate(f"staff weight {r.staff_weight:g}",
                        (r.driven_km_per_day, r.staff_per_client_14d_mean), fontsize=7,
                        xytext=(3, -9), textcoords="offset points")
    ax.set_xlabel("km driven per day")
    ax.set_ylabel("distinct staff per daily client, 14 days (mean)")
    ax.legend(fontsize=8)
    return ax


# ------------------------------------------------------------------------ interactive maps
def _explore_layer(assignment: Any, m: Any, *, name: str, show: bool = True) -> Any:
    """Add ``assignment``'s clients (coloured by provider, with a tooltip) and the offices of
    the providers that serve to the folium map ``m`` as one layer called ``name``."""
    import folium

    sc = assignment.scenario
    serving = serving_providers(assignment)
    colours = provider_colours(sc.provider_ids, list(sc.providers["kind"]))
    gdf = assignment.to_gdf()
    keep = [c for c in ("client_id", "provider_id", "hours_per_week", "queue_for")
            if c in gdf.columns]
    gdf = gdf[[*keep, "geometry"]].copy()
    gdf["provider_id"] = gdf["provider_id"].astype(str).replace("", "–")
    gdf["colour"] = gdf["provider_id"].map(colours).fillna("#000000")
    group = folium.FeatureGroup(name=name, show=show)
    _geojson(gdf, keep, marker=folium.CircleMarker(radius=3),
             style=lambda f: {"color": "#222222", "weight": 0.4, "fillOpacity": 0.95,
                              "fillColor": f["properties"]["colour"]}).add_to(group)
    offices = sc.providers.to_crs(4326)
    for pid, geom in zip(sc.providers["provider_id"], offices.geometry, strict=True):
        if pid in serving:
            folium.Marker([geom.y, geom.x], tooltip=f"{_t('office')}: {pid}",
                          icon=folium.Icon(color="black", icon="home")).add_to(group)
    group.add_to(m)
    return colours, serving


def _geojson(gdf: Any, fields: list[str], *, style: Any, marker: Any = None,
             name: str | None = None) -> Any:
    """``gdf`` (any CRS) as a folium GeoJson layer in WGS 84 with a tooltip of ``fields``.

    This is what :meth:`geopandas.GeoDataFrame.explore` does, without its dependency on
    mapclassify (and scikit-learn), which categorical colours do not need.
    """
    import folium

    g = gdf.to_crs(4326)
    for c in g.columns:
        if c != "geometry" and g[c].dtype.kind not in "if":
            g[c] = g[c].astype(str)
    tip = folium.GeoJsonTooltip(fields=fields) if fields else None
    return folium.GeoJson(g.to_json(), name=name, style_function=style, tooltip=tip,
                          marker=marker, highlight_function=None)


def _explore_base(sc: Any, zones: Any) -> Any:
    """A folium map on the municipality: boundary (black line) and areas (labelled in the
    tooltip)."""
    import folium

    b = sc.boundary.to_crs(4326)
    minx, miny, maxx, maxy = b.total_bounds
    m = folium.Map(tiles="OpenStreetMap", control_scale=True)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    if zones is not None and len(zones):
        fields = [c for c in ("zone_id", "name") if c in zones.columns]
        _geojson(zones[[*fields, "geometry"]], fields, name=_t("areas"),
                 style=lambda f: {"color": AREA_EDGE, "weight": 2, "dashArray": "6 4",
                                  "fillColor": AREA_EDGE, "fillOpacity": 0.06}).add_to(m)
    line = b[["geometry"]].copy()
    line["geometry"] = line.boundary
    _geojson(line, [], name=_t("boundary"),
             style=lambda f: {"color": BOUNDARY_COLOUR, "weight": 2.5}).add_to(m)
    return m


def _legend(m: Any, colours: dict[str, Any], providers: list[str]) -> None:
    """A small fixed legend of provider colours (HTML, no external resources)."""
    import html

    from branca.element import Element

    rows = "".join(f"<div><span style='display:inline-block;width:10px;height:10px;"
                   f"border-radius:5px;background:{colours[p]};margin-right:5px'></span>"
                   f"{html.escape(str(p))}</div>" for p in providers)
    m.get_root().html.add_child(Element(
        "<div style='position:fixed;bottom:30px;left:10px;z-index:9999;background:white;"
        "padding:6px 9px;border:1px solid #999;border-radius:4px;font:12px sans-serif'>"
        f"<b>{html.escape(_t('provider'))}</b>{rows}</div>"))


def explore_assignment(assignment: Any) -> Any:
    """An interactive map of an assignment (folium; shows itself in a notebook): clients
    coloured by provider with a tooltip (client, provider, hours, queue), the offices of the
    providers that serve, the areas and the boundary, a legend and a scale.

    The map loads Leaflet and the map tiles from the internet (a notebook does too).

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> m = explore_assignment(hemopt.assign(sc, hemopt.Zoning()))
    >>> type(m).__name__, "Leaflet" in m.get_root().render()
    ('Map', True)
    """
    import folium

    m = _explore_base(assignment.scenario, assignment.zones)
    colours, serving = _explore_layer(assignment, m, name=str(assignment.regime))
    _legend(m, colours, serving)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def explore_comparison(comp: Any, regime: str | None = None) -> Any:
    """An interactive map of a comparison: ``regime``'s assignment, or (``None``) every
    regime as a layer to switch between (the first shown). See
    :func:`explore_assignment`.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], max_iterations=20,
    ...                       continuity=False)
    >>> m = explore_comparison(comp)
    >>> "LOV" in m.get_root().render() and "Zoning" in m.get_root().render()
    True
    """
    import folium

    names = [str(n) for n in comp.table.index]
    if regime is not None and regime not in comp.assignments:
        from hemopt.errors import InputError

        raise InputError(f"regime {regime!r} is not in this comparison ({', '.join(names)})")
    chosen = [regime] if regime is not None else names
    first = comp.assignments[chosen[0]]
    zones = getattr(comp.regimes.get(chosen[0]), "zones_for", None)
    m = _explore_base(comp.scenario, zones(comp.scenario) if zones else first.zones)
    colours: dict[str, Any] = {}
    serving: list[str] = []
    for k, n in enumerate(chosen):
        c, s = _explore_layer(comp.assignments[n], m, name=n, show=k == 0)
        colours.update(c)
        serving += [p for p in s if p not in serving]
    _legend(m, colours, serving)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def write_interactive_map(comp: Any, path: Any, *, lang: str = "en") -> Any:
    """Write :func:`explore_comparison` (every regime as a layer) as an HTML page. It loads
    Leaflet, its plugins and the OpenStreetMap tiles from their CDNs: it needs the internet,
    unlike the report. Returns the path.

    Examples
    --------
    >>> import hemopt, tempfile
    >>> from pathlib import Path
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV()], max_iterations=20,
    ...                       continuity=False)
    >>> page = write_interactive_map(comp, Path(tempfile.mkdtemp()) / "map.html")
    >>> page.name, "leaflet" in page.read_text(encoding="utf-8").lower()
    ('map.html', True)
    """
    from pathlib import Path

    from hemopt.i18n import language

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with language(lang):
        m = explore_comparison(comp)
    tmp = path.with_name(f".{path.name}.tmp")
    m.save(str(tmp))
    tmp.replace(path)
    logger.info("wrote the interactive map to %s (it loads Leaflet from a CDN)", path)
    return path
