"""Figures of a :class:`~hemopt.simulate.SimulationResult` (moved from
:mod:`hemopt.simulate`, which holds data only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hemopt.simulate import SimulationResult

__all__ = ["plot_simulation"]


def plot_simulation(res: SimulationResult, axes: Any = None) -> Any:
    """Trajectories of a simulation: queue and waiting time, first choice met, the external
    share against its cap, clients per provider; events and year boundaries marked.

    Parameters
    ----------
    res
        The result of :func:`hemopt.simulate`.
    axes
        Four matplotlib Axes (2 × 2) to draw on; ``None`` makes a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> res = hemopt.simulate(sc, hemopt.lou_schedule(0.2, 0.3), years=2, seed=1)
    >>> fig = plot_simulation(res)
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['Queue for a wanted provider', 'First choice met']
    """
    import matplotlib.pyplot as plt

    m = res.monthly
    if axes is None:
        fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), sharex=True)
    else:
        fig = np.asarray(axes).ravel()[0].figure
    ax = np.asarray(axes).ravel()
    x = m["month"].to_numpy()

    # queue and waiting
    a = ax[0]
    a.fill_between(x, m["queue"], step="mid", alpha=0.3, color="tab:red")
    a.step(x, m["queue"], where="mid", color="tab:red", label="clients queueing")
    a.set_ylabel("clients queueing")
    a.set_title("Queue for a wanted provider")
    a.set_ylim(0, max(float(m["queue"].max()) * 1.1, 1.0))
    if not (m["queue"] > 0).any():
        a.text(0.5, 0.5, "no client queues", transform=a.transAxes, ha="center",
               va="center", color="0.4")
    b = a.twinx()
    b.plot(x, m["wait_mean_months"], color="black", lw=1.5, label="mean wait")
    b.plot(x, m["wait_p90_months"], color="black", lw=1, ls="--", label="90th percentile")
    b.set_ylabel("waiting so far (months)")
    b.set_ylim(0, max(float(np.nan_to_num(m["wait_p90_months"]).max()) * 1.1, 1.0))
    h1, l1 = a.get_legend_handles_labels()
    h2, l2 = b.get_legend_handles_labels()
    a.legend(h1 + h2, l1 + l2, loc="upper right", fontsize=8)

    # first choice
    a = ax[1]
    a.plot(x, m["first_choice_met_pct"], color="tab:green", lw=2)
    a.set_ylabel("% of choosing clients")
    a.set_title("First choice met")
    lo = float(np.nanmin(m["first_choice_met_pct"])) if m["first_choice_met_pct"].notna().any() \
        else 0.0
    a.set_ylim(max(0.0, lo - 5.0), 100.5)
    sw = m["forced_switches"] + m["voluntary_switches"]
    if sw.sum() > 0:
        c = a.twinx()
        c.bar(x, m["forced_switches"], color="tab:orange", alpha=0.5, label="forced switches")
        c.bar(x, m["voluntary_switches"], bottom=m["forced_switches"], color="tab:blue",
              alpha=0.4, label="voluntary switches")
        c.set_ylabel("switches per month")
        c.set_ylim(0, max(float(sw.max()) * 3.0, 1.0))
        c.legend(loc="lower right", fontsize=8)

    # external share
    a = ax[2]
    a.plot(x, 100 * m["external_share_hours"], color="tab:purple", lw=2,
           label="external share of hours")
    if m["external_share_cap"].notna().any():
        a.step(x, 100 * m["external_share_cap"], where="post", color="gray", ls="--",
               label="LOU cap")
    a.set_ylabel("% of weekly care hours")
    a.set_title("External providers' share")
    a.set_ylim(bottom=0)
    a.legend(loc="upper left", fontsize=8)
    a.set_xlabel("month")

    # clients per provider
    a = ax[3]
    p = res.providers.pivot(index="month", columns="provider_id", values="clients")
    act = res.providers.pivot(index="month", columns="provider_id", values="active")
    shown = act | act.shift(1, fill_value=False)  # an exit shows as a drop to 0, then stops
    p = p.where(shown)
    kinds = res.providers.drop_duplicates("provider_id").set_index("provider_id")["kind"]
    ext = [c for c in p.columns if kinds[c] == "external"]
    muni = [c for c in p.columns if kinds[c] != "external"]
    for c in ext:
        a.plot(p.index, p[c], lw=1.5, label=c)
    a.set_ylabel("clients (external providers)")
    a.set_title("Clients per provider")
    a.set_xlabel("month")
    a.set_ylim(bottom=0)
    if muni:
        b = a.twinx()
        for c in muni:
            b.plot(p.index, p[c], lw=2, ls=":", color="black", label=f"{c} (right axis)")
        b.set_ylabel("clients (municipal)")
        b.set_ylim(bottom=0)
        h1, l1 = a.get_legend_handles_labels()
        h2, l2 = b.get_legend_handles_labels()
        a.legend(h1 + h2, l1 + l2, loc="upper center", bbox_to_anchor=(0.5, -0.16),
                 fontsize=7, ncol=min(len(l1) + len(l2), 6), frameon=False)
    elif ext:
        a.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=7,
                 ncol=min(len(ext), 6), frameon=False)

    # events and year boundaries
    ev = res.events
    for axis in ax:
        for yb in range(12, int(x.max()), 12):
            axis.axvline(yb + 0.5, color="0.85", lw=0.8, zorder=0)
        for r in ev.itertuples():
            axis.axvline(r.month, color="tab:orange" if r.event == "exit" else "tab:gray",
                         ls=":", lw=1)
    top = ax[0]
    for r in ev.itertuples():
        label = f"{r.event} {r.provider_id}" + (f" {r.rating}" if r.rating else "")
        top.annotate(label, (r.month, 1.0), xycoords=("data", "axes fraction"),
                     xytext=(2, -10), textcoords="offset points", fontsize=7, rotation=90,
                     va="top", color="tab:orange" if r.event == "exit" else "0.3")
    years = m.loc[m["month"] > 0].groupby("year")["month"].min()
    ax[2].set_xticks([int(v) for v in years.to_numpy()])
    ax[2].set_xticklabels([str(y) for y in years.index])
    for axis in ax[2:]:
        axis.set_xlabel("year (ticks at its first month)")
    fig.suptitle(f"{res.scenario_name}: {', '.join(r['regime'] for r in res.parameters['regimes'])}"
                 f", seed {res.parameters['seed']}", fontsize=11)
    fig.tight_layout()
    return fig
