"""HTML pieces shared by the report, the sensitivity page and the notebook cards: the
Jinja2 environment (templates in ``hemopt/viz/templates``, autoescape on), tables and
embedded figures."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup, escape

from hemopt.i18n import number as _loc
from hemopt.i18n import t as _t

__all__ = ["environment", "render"]


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the viz templates (``hemopt/viz/templates``, package data):
    autoescape on for every template, undefined names an error, ``t`` (the translation of
    :func:`hemopt.i18n.t`) and ``loc`` (:func:`hemopt.i18n.number`) available in each.

    Examples
    --------
    >>> environment().from_string("<b>{{ x }}</b>").render(x="<i>")
    '<b>&lt;i&gt;</b>'
    """
    env = jinja2.Environment(loader=jinja2.PackageLoader("hemopt.viz", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals.update(t=_t, loc=_loc, render_table=_table_markup)
    return env


def render(template: str, /, **context: Any) -> Markup:
    """Template ``template`` rendered with ``context``, as markup (safe to put into another
    template).

    Examples
    --------
    >>> page = render("table.html", header=["a"], rows=[["<1>"]], classes=[""], left=())
    >>> str(page).removeprefix("<table class='t'><thead>")
    '<tr><th>a</th></tr></thead><tbody><tr><td>&lt;1&gt;</td></tr></tbody></table>'
    """
    return Markup(environment().get_template(template).render(**context))


def _css() -> Markup:
    """The report's style sheet (``templates/report.css``)."""
    loader = environment().loader
    assert loader is not None
    return Markup(loader.get_source(environment(), "report.css")[0])


def _fig_to_base64(fig: Any, dpi: int = 90) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _esc(x: Any) -> str:
    """``x`` as escaped HTML text (a plain ``str``, so concatenating it escapes nothing
    twice)."""
    return str(escape(str(x)))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *,
           row_classes: Sequence[str] | None = None, left: Sequence[int] = (),
           raw: bool = False) -> str:
    """An HTML table (``templates/table.html``): a row of class ``group`` is a heading across
    the table; cells are escaped unless ``raw`` (already HTML)."""
    classes = list(row_classes) if row_classes is not None else [""] * len(rows)
    cells = [[Markup(v) if raw and c != "group" else v for v in r]
             for r, c in zip(rows, classes, strict=True)]
    return str(render("table.html", header=header, rows=cells, classes=classes,
                      left=tuple(left)))


def _two_lines(text: str) -> str:
    """``median [range]`` as HTML: the median, and the range below it in small type."""
    head, sep, rest = text.partition(" [")
    if not sep:
        return _esc(text)
    return f"{_esc(head)}<span class='rng'>[{_esc(rest)}</span>"


def _table_markup(header: Sequence[str], rows: Sequence[Sequence[str]],
                  left: Sequence[int] = (), classes: Sequence[str] | None = None) -> Markup:
    """:func:`_table` for templates (``render_table(header, rows, left)``)."""
    return Markup(_table(header, rows, row_classes=classes, left=left))
