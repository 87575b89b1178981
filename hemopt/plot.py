"""Maps and charts (matplotlib, no screen needed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hemopt.scenario import Scenario

__all__ = ["plot_assignment", "plot_scenario", "provider_colours"]


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
    sc.boundary.boundary.plot(ax=ax, color="black", linewidth=1.0)
    if len(sc.zones):
        sc.zones.boundary.plot(ax=ax, color="tab:red", linewidth=1.2, linestyle="--")
        for zid, g in zip(sc.zones["zone_id"], sc.zones.geometry, strict=True):
            p = g.representative_point()
            ax.annotate(str(zid), (p.x, p.y), color="tab:red", fontsize=9, ha="center")
    _draw_buildings(ax, sc.buildings.geometry.values)
    pids = sc.provider_ids
    colours = provider_colours(pids, list(sc.providers["kind"]))
    cl = sc.clients
    xy = sc.client_xy()
    col = cl[by] if by in cl.columns else None
    if col is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=6, color="black", label="clients")
    else:
        for pid in pids:
            m = (col == pid).to_numpy()
            if m.any():
                ax.scatter(xy[m, 0], xy[m, 1], s=6, color=colours[pid], label=f"{pid} ({m.sum()})")
        none = ~col.isin(pids).to_numpy()
        if none.any():
            ax.scatter(xy[none, 0], xy[none, 1], s=6, color="black", marker="x",
                       label=f"none ({none.sum()})")
    oxy = sc.provider_xy()
    for j, pid in enumerate(pids):
        ax.scatter(oxy[j, 0], oxy[j, 1], marker="*", s=180, color=colours[pid],
                   edgecolor="black", linewidth=0.7, zorder=5)
    if zoom is not None and "settlement" in sc.buildings.columns:
        sel = sc.buildings[sc.buildings["settlement"] == zoom]
        if len(sel):
            minx, miny, maxx, maxy = sel.total_bounds
            pad = 0.1 * max(maxx - minx, maxy - miny)
            ax.set_xlim(minx - pad, maxx + pad)
            ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("SWEREF 99 TM easting (m)")
    ax.set_ylabel("northing (m)")
    ax.ticklabel_format(style="plain", useOffset=False)
    ax.tick_params(labelsize=7)
    ax.legend(loc="upper left", fontsize=7, markerscale=2, title=by, title_fontsize=7)
    ax.set_title(title or f"{sc.name}: {sc.n_clients} clients, {len(pids)} providers")
    return ax



def _draw_buildings(ax: Any, geoms: Any) -> None:
    """Building footprints as one PolyCollection (fast for tens of thousands)."""
    import shapely
    from matplotlib.collections import PolyCollection

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


def plot_assignment(assignment: Any, ax: Any = None, *, title: str | None = None,
                    zones: Any = None) -> Any:
    """Map of an :class:`~hemopt.assignment.Assignment`: clients coloured by their assigned
    provider, the regime's zone borders, provider offices. Returns the Axes."""
    import matplotlib.pyplot as plt

    sc = assignment.scenario
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    sc.boundary.boundary.plot(ax=ax, color="black", linewidth=1.0)
    _draw_buildings(ax, sc.buildings.geometry.values)
    if zones is None and assignment.problem.notes.get("zones") is not None:
        zones = getattr(assignment, "zones", None)
    if zones is None and len(sc.zones):
        zones = sc.zones
    if zones is not None and len(zones):
        zones.boundary.plot(ax=ax, color="tab:red", linewidth=1.2, linestyle="--")
        for zid, g in zip(zones["zone_id"], zones.geometry, strict=True):
            p = g.representative_point()
            ax.annotate(str(zid), (p.x, p.y), color="tab:red", fontsize=9, ha="center")
    pids = sc.provider_ids
    colours = provider_colours(pids, list(sc.providers["kind"]))
    xy = sc.client_xy()
    got = assignment.clients["provider_id"]
    for pid in pids:
        m = (got == pid).to_numpy()
        if m.any():
            ax.scatter(xy[m, 0], xy[m, 1], s=6, color=colours[pid], label=f"{pid} ({m.sum()})",
                       zorder=3)
    q = (assignment.clients["queue_for"] != "").to_numpy()
    if q.any():
        ax.scatter(xy[q, 0], xy[q, 1], s=30, facecolor="none", edgecolor="black",
                   linewidth=0.6, label=f"queueing ({q.sum()})", zorder=4)
    un = (got == "").to_numpy()
    if un.any():
        ax.scatter(xy[un, 0], xy[un, 1], s=20, color="black", marker="x",
                   label=f"unserved ({un.sum()})", zorder=4)
    oxy = sc.provider_xy()
    for j, pid in enumerate(pids):
        ax.scatter(oxy[j, 0], oxy[j, 1], marker="*", s=180, color=colours[pid],
                   edgecolor="black", linewidth=0.7, zorder=5)
    ax.set_aspect("equal")
    ax.ticklabel_format(style="plain", useOffset=False)
    ax.tick_params(labelsize=7)
    ax.set_xlabel("SWEREF 99 TM easting (m)")
    ax.set_ylabel("northing (m)")
    ax.legend(loc="upper left", fontsize=7, markerscale=2, title="provider", title_fontsize=7)
    s = assignment.summary()
    ax.set_title(title or f"{sc.name}, {assignment.regime}: first choice "
                 f"{s['first_choice_pct']:.1f} %, queue {s['queue']}")
    return ax
