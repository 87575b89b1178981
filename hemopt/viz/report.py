"""The self-contained HTML report of a comparison, alone or with the ranges over seeds.

The report is written for people: measures in words with their units, numbers rounded to what
they can tell, every figure over seeds as a median with its range, the saving split into its
causes (a waterfall), who changes provider, what each provider costs per care hour, maps with
the town centre enlarged, the model's figures beside published ones, and what the model
leaves out. It is one HTML file with the figures embedded (base64 PNG) and no external CSS or
JavaScript, so it opens offline and can be mailed.

The page is built from Jinja2 templates (package data in ``hemopt/viz/templates``, autoescape
on): ``report.html`` lays out the page and each section is ``sections/<id>.html``. This
module computes what the sections show (figures, tables, sentences) and nothing else; the
ranges over seeds come from the :class:`~hemopt.ranges.SeedComparison` as it holds them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from hemopt.i18n import language
from hemopt.i18n import t as _t
from hemopt.viz._html import _css, _fig_to_base64, _table, render
from hemopt.viz.compare import plot_choice_cost, plot_comparison, plot_regime_map, plot_waterfall
from hemopt.viz.format import _regimes, run_description
from hemopt.viz.reading import reading
from hemopt.viz.sensitivity import _sensitivity_doc, sensitivity_section
from hemopt.viz.tables import (
    _all_figures_table,
    _fallback_sentence,
    _published_rows,
    continuity_how,
    continuity_table,
    decomposition_table,
    glossary_table,
    key_table,
    procurement_table,
    provider_table,
    report_title,
    scale_note,
    scenario_tables,
    transition_table,
)

if TYPE_CHECKING:
    from hemopt.compare import Comparison
    from hemopt.ranges import SeedComparison

__all__ = ["write_report"]

logger = logging.getLogger(__name__)


def write_report(result: Comparison | SeedComparison, path: str | Path, *, lang: str = "en",
                 interactive_map: str | None = None, sensitivity: Any = None) -> Path:
    """Write the report for people: one self-contained HTML file (figures embedded as base64
    PNG, no external CSS, JavaScript or fonts).

    Parameters
    ----------
    result
        A :class:`~hemopt.compare.Comparison` (one seed), or a
        :class:`~hemopt.ranges.SeedComparison`: then every figure is a median with its range
        over the seeds, the bar charts get error bars, the saving is split into its causes
        (waterfall and table), and the maps and detail tables are the headline seed's.
    path
        The file to write (its folder is created; written atomically).
    lang
        ``"en"`` (the default) or ``"sv"``: Swedish, with the words councils use
        (:mod:`hemopt.i18n`).
    interactive_map
        The file name of an interactive map page beside the report
        (:func:`~hemopt.viz.maps.write_interactive_map`), linked from the maps section;
        ``None``: no link.
    sensitivity
        A :class:`~hemopt.sensitivity.SensitivityResult` or its JSON document
        (``sensitivity.json``): adds the section "What the answer depends on"
        (:func:`~hemopt.viz.sensitivity.sensitivity_section`).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import hemopt, tempfile
    >>> from pathlib import Path
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> comp = hemopt.compare(sc, [hemopt.LOV(), hemopt.Zoning()], max_iterations=20,
    ...                       continuity=False)
    >>> page = write_report(comp, Path(tempfile.mkdtemp()) / "index.html").read_text()
    >>> "<section id='key-figures'><h2>Key figures</h2>" in page
    True
    """
    from hemopt.ranges import SeedComparison

    seeds = result if isinstance(result, SeedComparison) else None
    comp = result.headline if isinstance(result, SeedComparison) else result
    doc = _sensitivity_doc(sensitivity) if sensitivity is not None else None
    with language(lang):
        text = _page(comp, seeds, lang, interactive_map, doc)
    from hemopt._io import atomic_write_text

    out = atomic_write_text(Path(path), text)  # whole or not at all
    logger.info("wrote the report (%s) to %s", lang, out)
    return out


def _page(comp: Comparison, seeds: SeedComparison | None, lang: str,
          interactive_map: str | None, sensitivity: dict[str, Any] | None) -> str:
    """The report's HTML: what each section shows, rendered by ``report.html``."""
    import matplotlib.pyplot as plt

    names = _regimes(comp)
    sc = comp.scenario
    meta = sc.meta
    origin = (_t("preset {preset}, seed {seed}", preset=meta["preset"], seed=meta.get("seed"))
              if "preset" in meta else _t("your own data"))
    fig_kpis = _fig_to_base64(plot_comparison(comp, seeds=seeds))
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    plot_choice_cost(comp, ax=ax, seeds=seeds)
    fig_choice_cost = _fig_to_base64(fig)
    has_dec = seeds is not None and not seeds.decomposition.empty
    waterfall = _fig_to_base64(plot_waterfall(seeds)) if has_dec and seeds is not None else ""
    maps = [(n, _fig_to_base64(plot_regime_map(comp, n), dpi=100)) for n in names]
    bids = procurement_table(comp)
    scenario_table, providers_today = scenario_tables(comp)
    sections = [("reading", "Reading"), ("key-figures", "Key figures"), ("charts", "Charts"),
                ("decomposition", "Where the difference comes from")]
    if sensitivity is not None:
        sections.append(("sensitivity", "What the answer depends on"))
    if bids:
        sections.append(("procurement", "Procurement: bids and evaluation"))
    sections += [("continuity", "Continuity of care (14 days)"),
                 ("transition", "Who changes provider"), ("providers", "Cost per provider"),
                 ("maps", "Maps"), ("published", "Beside published figures"),
                 ("meaning", "What this means"), ("scenario", "Scenario"),
                 ("glossary", "Definitions"), ("parameters", "Parameters")]
    context: dict[str, Any] = {
        "lang": lang, "css": _css(), "title": report_title(comp, seeds),
        "n_clients": sc.n_clients, "n_providers": sc.n_providers, "origin": origin,
        "regimes": names, "scenario_name": sc.name, "run": run_description(comp, seeds),
        "sections": [{"id": i, "title": _t(title)} for i, title in sections],
        "runtime": seeds.runtime_s if seeds is not None else comp.runtime_s,
        "seeds": seeds is not None, "seed": comp.seed,
        "reading": reading(comp, seeds),
        "key_table": Markup(key_table(comp, seeds)),
        "all_figures": Markup(_all_figures_table(comp)),
        "fig_kpis": fig_kpis, "fig_choice_cost": fig_choice_cost, "waterfall": waterfall,
        "decomposition_table": Markup(decomposition_table(seeds)) if has_dec and seeds else "",
        "sensitivity_section": (Markup(sensitivity_section(sensitivity))
                                if sensitivity is not None else ""),
        "bids": Markup(bids),
        "continuity_table": Markup(continuity_table(comp, seeds)),
        "continuity_how": continuity_how(comp),
        "transition_table": Markup(transition_table(comp)),
        "fallback": _fallback_sentence(comp),
        "provider_table": Markup(provider_table(comp)),
        "interactive_map": interactive_map or "", "maps": maps,
        "published_table": Markup(_table(
            [_t("Published"), _t("Source"), _t("This model"), _t("Our reading")],
            _published_rows(comp, seeds), left=(1, 2, 3))),
        "scaled": scale_note(comp),
        "scenario_table": Markup(scenario_table), "providers_today": Markup(providers_today),
        "glossary_table": Markup(glossary_table()),
        "parameters": json.dumps(comp.to_dict()["parameters"], indent=2),
    }
    return str(render("report.html", **context))
