"""Compact HTML for notebooks: the main measures of a comparison (and over seeds), and
summary cards of a scenario and an assignment (templates ``fragment.html`` and
``card.html``).

The results hold data only: they have no ``_repr_html_``. Importing hemopt registers these
functions with IPython's display formatter instead (:func:`register_notebook_display`), so
a notebook still shows a comparison as a table of measures in words.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from hemopt.kpis import format_value
from hemopt.viz._html import render
from hemopt.viz.format import _num, _regimes, run_description
from hemopt.viz.maps import serving_providers
from hemopt.viz.tables import key_table

if TYPE_CHECKING:
    from hemopt.compare import Comparison
    from hemopt.ranges import SeedComparison

__all__ = ["assignment_card", "html_fragment", "register_notebook_display", "scenario_card",
           "seeds_html_fragment"]

_FRAGMENT_KPIS = ["driven_km_per_day", "paid_staff_hours_per_day", "cost_sek_per_year",
                  "cost_per_care_hour_sek", "first_choice_pct", "queue",
                  "providers_per_stairwell", "stops_per_visit", "clients_changing_provider_pct"]


def html_fragment(comp: Comparison) -> str:
    """A compact HTML table of the main measures of a comparison, for notebooks.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], max_iterations=30)
    >>> frag = html_fragment(comp)
    >>> "Driving (km per day)" in frag and "Zoning against LOV" in frag
    True
    """
    groups = [("Main measures", _FRAGMENT_KPIS)]
    return str(render("fragment.html", regimes=", ".join(_regimes(comp)),
                      name=comp.scenario.name, clients=f"{comp.scenario.n_clients:,}",
                      run=run_description(comp), table=Markup(key_table(comp, None, groups))))


def seeds_html_fragment(seeds: SeedComparison) -> str:
    """A compact HTML table for notebooks: medians [min–max] over the seeds and the paired
    differences to LOV."""
    comp = seeds.headline
    groups = [("Main measures", _FRAGMENT_KPIS)]
    return str(render("fragment.html", regimes=", ".join(_regimes(comp)),
                      name=comp.scenario.name, clients="", run=run_description(comp, seeds),
                      table=Markup(key_table(comp, seeds, groups))))


def scenario_card(sc: Any) -> str:
    """A summary card of a :class:`~hemopt.scenario.Scenario` for notebooks: where, how many
    clients and care hours, the providers today.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> card = scenario_card(sc)
    >>> "Strängnäs" in card and "Home-care clients" in card and "E1" in card
    True
    """
    s = sc.summary()
    b = sc.boundary
    where = str(b["name"].iloc[0]) if "name" in b.columns and len(b) else ""
    rows = [("Scenario", str(sc.name))]
    if where:
        rows.append(("Municipality", where))
    for key, label, f in (("area_km2", "Land area (km²)", "{:,.0f}"),
                          ("inhabitants", "Inhabitants", "{:,.0f}"),
                          ("clients", "Home-care clients", "{:,.0f}"),
                          ("hours_per_week_total", "Care hours per week", "{:,.0f}"),
                          ("visits_per_day_total", "Visits per day", "{:,.0f}"),
                          ("zones", "Home-care areas", "{:,.0f}")):
        if key in s:
            v = _num(s[key])
            rows.append((label, f.format(v) if math.isfinite(v) else "–"))
    prov = [[str(p["provider_id"]), str(p.get("name", "")), str(p["kind"]),
             f"{int(p['clients']):,}", f"{_num(p['hours_per_week']):,.0f}"]
            for p in s["providers"]]
    return str(render("card.html", title=f"Scenario {sc.name}", rows=rows,
                      details="Providers today",
                      header=["Provider", "Name", "Kind", "Clients", "Care hours per week"],
                      table=prov, left=(1, 2)))


def assignment_card(a: Any) -> str:
    """A summary card of an :class:`~hemopt.assignment.Assignment` for notebooks: choice
    met, queue, unserved, and each serving provider's clients and hours.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> card = assignment_card(hemopt.assign(sc, hemopt.LOV()))
    >>> "First choice met" in card and "Providers with clients" in card
    True
    """
    s = a.summary()
    serving = serving_providers(a)
    rows = [("Scenario", str(a.scenario.name)), ("Clients", f"{s['clients']:,}"),
            ("First choice met (% of choosing clients)",
             format_value("pct", s["first_choice_pct"])),
            ("Clients queueing for their choice", f"{s['queue']:,}"),
            ("Clients without a provider", f"{s['unserved']:,}"),
            ("Care hours with external providers (%)",
             format_value("share", _num(s["external_share_hours"]))),
            ("Providers with clients", f"{len(serving)} of {a.scenario.n_providers}")]
    cl = a.clients
    per = cl[cl["provider_id"] != ""].groupby("provider_id").agg(
        clients=("client_id", "size"), hours=("hours_per_week", "sum"))
    prov = [[p, f"{int(per.at[p, 'clients']):,}", f"{per.at[p, 'hours']:,.0f}"]
            for p in serving]
    return str(render("card.html", title=f"Assignment: {a.regime}", rows=rows, details="",
                      header=["Provider", "Clients", "Care hours per week"], table=prov,
                      left=()))


def register_notebook_display(ip: Any = None) -> bool:
    """Show scenarios, assignments and comparisons as HTML in IPython and Jupyter.

    Registers :func:`scenario_card`, :func:`assignment_card`, :func:`html_fragment` and
    :func:`seeds_html_fragment` with the ``text/html`` formatter of the IPython shell ``ip``
    (default: the running one). ``import hemopt`` calls it; call it again when IPython
    started after hemopt was imported. The result classes themselves know nothing of HTML.

    Returns
    -------
    bool
        Whether a shell was found and the formatters registered.

    Examples
    --------
    >>> register_notebook_display()  # no IPython shell here
    False
    """
    if ip is None:
        import sys

        ipython = sys.modules.get("IPython")
        ip = ipython.get_ipython() if ipython is not None else None
    if ip is None:
        return False
    from hemopt.assignment import Assignment
    from hemopt.compare import Comparison
    from hemopt.ranges import SeedComparison
    from hemopt.scenario import Scenario

    html = ip.display_formatter.formatters["text/html"]
    shown: list[tuple[type, Callable[[Any], str]]] = [
        (Scenario, scenario_card), (Assignment, assignment_card),
        (Comparison, html_fragment), (SeedComparison, seeds_html_fragment)]
    for cls, func in shown:
        html.for_type(cls, func)
    return True
