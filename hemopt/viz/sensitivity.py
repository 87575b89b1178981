"""The sensitivity analysis shown: tornado charts, the table of differences, the report's
section "What the answer depends on" and its own small page."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from markupsafe import Markup

from hemopt.i18n import language
from hemopt.i18n import number as _loc
from hemopt.i18n import t as _t
from hemopt.sensitivity import MEASURES as UNITS
from hemopt.viz._html import _css, _fig_to_base64, _table, render
from hemopt.viz.compare import _scaled
from hemopt.viz.format import _measure, _num, _seed_list, fmt_value

if TYPE_CHECKING:
    from hemopt.sensitivity import SensitivityResult
    pass

__all__ = ["plot_sensitivity", "plot_tornado", "sensitivity_section", "sensitivity_table",
           "write_sensitivity_html"]


# ------------------------------------------------------------------------ sensitivity
def _sensitivity_doc(sensitivity: Any) -> dict[str, Any]:
    from hemopt.sensitivity import document

    return document(sensitivity)


def _difference_label(output: str) -> str:
    """``Zoning-LOV:driven_km_per_day`` in words: ``Zoning − LOV, Driving (km per day)``."""
    pair, kpi = output.split(":", 1)
    regime, _, reference = pair.partition("-")
    return _t("{regime} − {reference}, {measure}", regime=regime, reference=reference,
              measure=_measure(kpi).title())


def _drivers(doc: Mapping[str, Any], output: str, n: int = 2) -> list[str]:
    """The ``n`` assumptions with the largest index (μ* or ST) on ``output``; only those
    that move it (an index of 0 drives nothing: km do not depend on the price of a km)."""
    score = "mu_star" if doc["method"] == "morris" else "ST"
    rows = [r for r in doc["outputs"][output]["indices"]
            if _num(r.get(score)) > 1e-12]  # NaN (a failed block) and 0 left out
    rows.sort(key=lambda r: -_num(r[score]))
    return [str(r["assumption"]) for r in rows[:n]]


def _share(p: Any) -> str:
    v = _num(p)
    return "–" if math.isnan(v) else _loc(f"{100 * v:.0f}") + " %"


def sensitivity_table(sensitivity: Any) -> str:
    """HTML table: per headline difference, its value at the defaults, P5, median and P95
    over the declared ranges, the share of points where its sign holds and its two largest
    drivers. ``sensitivity``: a :class:`~hemopt.sensitivity.SensitivityResult` or its JSON
    document (``sensitivity.json``)."""
    doc = _sensitivity_doc(sensitivity)
    rows = []
    for out, r in doc["outputs"].items():
        kpi = out.split(":", 1)[1]
        rows.append([_difference_label(out),
                     *(fmt_value(kpi, r[k], sign=True) for k in ("baseline", "p5", "median",
                                                                 "p95")),
                     _share(r["p_sign"]), ", ".join(_drivers(doc, out)) or "–"])
    return _table([_t("Difference"), _t("At the defaults"), "P5", _t("Median"), "P95",
                   _t("Sign holds"), _t("Two largest drivers")], rows, left=(0, 6))


def plot_sensitivity(sensitivity: Any, n: int | None = 8) -> Any:
    """Tornado charts, one per headline difference: the ``n`` largest indices (Morris μ*
    or Sobol ST) with their 95 % intervals, largest on top. Returns the Figure.

    Examples
    --------
    A document with one difference and two assumptions (Morris μ*, in km per day):

    >>> doc = {"schema": "hemopt-sensitivity/1", "method": "morris", "preset": "strangnas",
    ...        "runs": 6, "assumptions": ["a", "b"], "skipped": {}, "top_drivers": ["a"],
    ...        "parameters": {"seeds": [1], "scale": 0.1}, "outputs": {
    ...            "Zoning-LOV:driven_km_per_day": {"indices": [
    ...                {"assumption": "a", "mu_star": 30.0, "mu_star_conf": 5.0},
    ...                {"assumption": "b", "mu_star": 10.0, "mu_star_conf": 2.0}]}}}
    >>> fig = plot_sensitivity(doc)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]  # largest on top
    ['b', 'a']
    """
    import matplotlib.pyplot as plt

    doc = _sensitivity_doc(sensitivity)
    outputs = list(doc["outputs"])
    score = "mu_star" if doc["method"] == "morris" else "ST"
    ncol = 2
    nrow = max(1, (len(outputs) + 1) // ncol)
    k = min(n or len(doc["assumptions"]), max(len(doc["assumptions"]), 1))
    fig, axes = plt.subplots(nrow, ncol, figsize=(11, (0.3 * k + 1.3) * nrow), squeeze=False)
    for ax, out in zip(axes.ravel(), outputs, strict=False):
        recs = [r for r in doc["outputs"][out]["indices"] if not math.isnan(_num(r[score]))]
        recs = sorted(recs, key=lambda r: -_num(r[score]))[:k][::-1]
        kpi = out.split(":", 1)[1]
        # μ* is in the output's unit (SEK shown as MSEK, as the table); ST is a share
        width = np.asarray([_num(r[score]) for r in recs], dtype=float)
        err = np.asarray([_num(r.get(f"{score}_conf")) for r in recs], dtype=float)
        if score == "mu_star":
            width, err = _scaled(kpi, width), _scaled(kpi, err)
        ax.barh([str(r["assumption"]) for r in recs], width, xerr=err, color="#4477aa",
                ecolor="#333333", capsize=2)
        ax.set_xlabel(_t("μ* (mean |effect|), {unit}", unit=_measure(kpi).unit)
                      if score == "mu_star" else _t("ST (total index)"))
        ax.set_title(_difference_label(out), fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes.ravel()[len(outputs):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def sensitivity_section(sensitivity: Any) -> str:
    """The body of the report's section "What the answer depends on" (HTML): the method,
    runs and seeds, the two largest drivers, :func:`sensitivity_table`, the tornado charts
    (:func:`plot_sensitivity`) and the assumptions not varied with the reason."""
    doc = _sensitivity_doc(sensitivity)
    p = doc.get("parameters", {})
    method = "Morris" if doc["method"] == "morris" else "Sobol"
    how = _t("Every declared assumption (docs/assumptions.md) was varied over its plausible "
             "range: {method}, {n} assumptions, {runs} model runs on seed(s) {seeds} at scale "
             "{scale} (preset {preset}, sample seed {seed}). The ranges over the seeds above "
             "cover only the noise between seeds; these cover the modelling choices.",
             method=method, n=len(doc["assumptions"]), runs=doc["runs"],
             seeds=_seed_list(list(p.get("seeds") or [])) or "–",
             scale=_loc(f"{_num(p.get('scale', math.nan)):g}"), preset=doc["preset"],
             seed=p.get("seed", "–"))
    skipped = doc.get("skipped") or {}
    return str(render("sensitivity.html", how=how, top=doc.get("top_drivers") or [],
                      table=Markup(sensitivity_table(doc)),
                      tornado=_fig_to_base64(plot_sensitivity(doc)),
                      skipped=[(k, _t(str(v).removeprefix(f"{k}: "))) for k, v in skipped.items()],
                      failures=doc.get("failures") or []))


def write_sensitivity_html(sensitivity: Any, path: str | Path, *, lang: str = "en") -> Path:
    """A small self-contained HTML page of :func:`sensitivity_section` (``hemopt
    sensitivity --out DIR`` writes it as ``DIR/index.html``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> doc = {"schema": "hemopt-sensitivity/1", "method": "morris", "preset": "strangnas",
    ...        "runs": 6, "assumptions": ["a", "b"], "skipped": {}, "top_drivers": ["a"],
    ...        "parameters": {"seeds": [1], "scale": 0.1},
    ...        "outputs": {"Zoning-LOV:driven_km_per_day": {
    ...            "baseline": -100.0, "p5": -150.0, "median": -90.0, "p95": -20.0,
    ...            "p_sign": 1.0, "indices": [
    ...                {"assumption": "a", "mu_star": 30.0, "mu_star_conf": 5.0},
    ...                {"assumption": "b", "mu_star": 10.0, "mu_star_conf": 2.0}]}}}
    >>> page = write_sensitivity_html(doc, Path(tempfile.mkdtemp()) / "index.html")
    >>> "<h1>What the answer depends on: strangnas</h1>" in page.read_text(encoding="utf-8")
    True
    """
    with language(lang):
        doc = _sensitivity_doc(sensitivity)
        title = _t("What the answer depends on: {preset}", preset=doc["preset"])
        text = str(render("sensitivity_page.html", lang=lang, title=title, css=_css(),
                          section=Markup(sensitivity_section(doc))))
    from hemopt._io import atomic_write_text

    return atomic_write_text(Path(path), text)


def plot_tornado(result: SensitivityResult, output: str | None = None, ax: Any = None,
                 n: int | None = None) -> Any:
    """Tornado chart of ``output`` (default: the first, Zoning − LOV km): one bar per
    assumption, largest on top, μ* (Morris) or ST (Sobol) with its 95 % interval. Returns
    the Axes.

    Examples
    --------
    >>> import hemopt
    >>> r = hemopt.sensitivity("botkyrka", scale=0.1, trajectories=2, n_workers=1,
    ...                        assumptions=["sek_per_km", "staff_sek_per_hour"],
    ...                        progress=False)
    >>> ax = plot_tornado(r, "LOU-LOV:cost_sek_per_year")
    >>> top = ax.get_yticklabels()[-1].get_text()  # the largest on top
    >>> top == r.top_drivers(1, "LOU-LOV:cost_sek_per_year")[0]
    True
    """
    import matplotlib.pyplot as plt

    output = output or str(result.outputs.columns[0])
    t = result.table(output)
    if n is not None:
        t = t.iloc[:n]
    t = t.iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 0.35 * len(t) + 1.2))
    score = result.score
    ax.barh(t["assumption"], t[score], xerr=t[f"{score}_conf"], color="#4477aa",
            ecolor="#333333", capsize=2)
    unit = (UNITS[output.split(":")[1]] if result.method == "morris"
            else "share of variance")
    label = "μ* (mean |effect|)" if result.method == "morris" else "ST (total index)"
    ax.set_xlabel(f"{label}, {unit}")
    ax.set_title(output.replace(":", ": ").replace("-", " − ", 1), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return ax
