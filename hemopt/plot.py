"""Maps and charts (matplotlib, no screen needed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hemopt._views import register

if TYPE_CHECKING:
    from hemopt.scenario import Scenario

__all__ = ["centre_box", "draw_box", "plot_assignment", "plot_continuity_tradeoff", "plot_scenario",
           "provider_colours"]


def provider_colours(provider_ids: list[str], kinds: list[str] | None = None) -> dict[str, Any]:
    """A stable colour per provider: the municipal provider grey-blue, externals from tab10."""
    import matplotlib as mpl

    cmap = mpl.colormaps["tab10"]
    out: dict[str, Any] = {}
    k = 0
    for i, pid in enumerate(provider_ids):
        if kinds is not None and kinds[i] == "municipal":
            out[pid] = "#4a6fa5"
        else:
            out[pid] = cmap((k + 1) % 10)
            k += 1
    return out


def _base_map(ax: Any, sc: Scenario, zones: Any) -> dict[str, Any]:
    """Boundary, zone borders with their ids, building footprints; returns provider colours."""
    _draw_lines(ax, sc.boundary.geometry.values, color="black", linewidth=1.0)
    if zones is not None and len(zones):
        _draw_lines(ax, zones.geometry.values, color="tab:red", linewidth=1.2, linestyle="--")
        for zid, g in zip(zones["zone_id"], zones.geometry, strict=True):
            p = g.representative_point()
            ax.annotate(str(zid), (p.x, p.y), color="tab:red", fontsize=9, ha="center")
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


def _offices_and_axes(ax: Any, sc: Scenario, colours: dict[str, Any], legend_title: str) -> None:
    """Provider offices as stars, equal aspect, SWEREF labels, legend."""
    oxy = sc.provider_xy()
    for j, pid in enumerate(sc.provider_ids):
        ax.scatter(oxy[j, 0], oxy[j, 1], marker="*", s=180, color=colours[pid],
                   edgecolor="black", linewidth=0.7, zorder=5)
    ax.set_aspect("equal")
    ax.set_xlabel("SWEREF 99 TM easting (m)")
    ax.set_ylabel("northing (m)")
    ax.ticklabel_format(style="plain", useOffset=False)
    ax.tick_params(labelsize=7)
    ax.legend(loc="upper left", fontsize=7, markerscale=2, title=legend_title, title_fontsize=7)


@register("scenario")
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
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    sc = scenario
    colours = _base_map(ax, sc, sc.zones)
    if by in sc.clients.columns:
        _clients_by_provider(ax, sc, sc.clients[by], colours, none_label="none", none_size=6)
    else:
        xy = sc.client_xy()
        ax.scatter(xy[:, 0], xy[:, 1], s=6, color="black", label="clients")
    if zoom is not None and "settlement" in sc.buildings.columns:
        sel = sc.buildings[sc.buildings["settlement"] == zoom]
        if len(sel):
            minx, miny, maxx, maxy = sel.total_bounds
            pad = 0.1 * max(maxx - minx, maxy - miny)
            ax.set_xlim(minx - pad, maxx + pad)
            ax.set_ylim(miny - pad, maxy + pad)
    _offices_and_axes(ax, sc, colours, by)
    ax.set_title(title or f"{sc.name}: {sc.n_clients} clients, {sc.n_providers} providers")
    return ax


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


@register("assignment")
def plot_assignment(assignment: Any, ax: Any = None, *, title: str | None = None,
                    zones: Any = None, size: float = 6.0) -> Any:
    """Map of an :class:`~hemopt.assignment.Assignment`: clients coloured by their assigned
    provider (dots of ``size`` points²), queueing clients circled, the zone borders
    (``zones``, default the scenario's), provider offices. Returns the Axes."""
    import matplotlib.pyplot as plt

    sc = assignment.scenario
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    colours = _base_map(ax, sc, sc.zones if zones is None else zones)
    _clients_by_provider(ax, sc, assignment.clients["provider_id"], colours,
                         none_label="unserved", none_size=20, size=size)
    q = (assignment.clients["queue_for"] != "").to_numpy()
    if q.any():
        xy = sc.client_xy()
        ax.scatter(xy[q, 0], xy[q, 1], s=5 * size, facecolor="none", edgecolor="black",
                   linewidth=0.6, label=f"queueing ({q.sum()})", zorder=4)
    _offices_and_axes(ax, sc, colours, "provider")
    s = assignment.summary()
    ax.set_title(title or f"{sc.name}, {assignment.regime}: first choice "
                 f"{s['first_choice_pct']:.1f} %, queue {s['queue']}")
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
