"""Sensitivity and procurement in the outputs: the report's sections "What the answer depends
on" and "Procurement: bids and evaluation" (English and Swedish), ``hemopt sensitivity``'s
index.html and sensitivity.xlsx, ``hemopt compare --sensitivity`` (report, comparison.json,
its schema, the printed reading), the bids in comparison.json and Excel, and the CLI flags
``--guarantee`` and ``--quality-weight`` (issue 23 §1 and §3)."""

from __future__ import annotations

import html
import json
import re

import jsonschema
import openpyxl
import pytest

import hemopt
from hemopt.cli.main import main
from hemopt.compare import load_schema
from hemopt.i18n import language
from hemopt.sensitivity import document, read_sensitivity
from hemopt.viz.format import fmt_value
from hemopt.viz.report import write_report
from hemopt.viz.sensitivity import plot_sensitivity, sensitivity_table

ASSUMPTIONS = "sek_per_km,staff_sek_per_hour,lou_guarantee,lov_external_areas"


@pytest.fixture(scope="module")
def sens(tmp_path_factory):
    """``hemopt sensitivity`` on Botkyrka at scale 0.1, 2 Morris trajectories, 4 assumptions
    of which one (LOV's external areas) does not apply to a LOU preset."""
    out = tmp_path_factory.mktemp("sens")
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["-q", "sensitivity", "--preset", "botkyrka", "--scale", "0.1",
                   "--trajectories", "2", "--workers", "1", "--assumptions", ASSUMPTIONS,
                   "--out", str(out)])
    assert rc == 0
    return out, buf.getvalue()


def _cells(html_text: str, section: str) -> list[list[str]]:
    body = re.search(rf"<section id='{section}'>(.*?)</section>", html_text, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S) for r in rows]


def test_sensitivity_cli_writes_page_and_workbook(sens):
    out, printed = sens
    doc = read_sensitivity(out / "sensitivity.json")
    # 3 varied assumptions, 2 trajectories of 4 points, plus the baseline: 9 runs on seed 1
    assert [a["name"] for a in doc["assumptions"]] == ["sek_per_km", "staff_sek_per_hour",
                                                       "lou_guarantee"]
    assert doc["runs"] == 9
    assert set(doc["skipped"]) == {"lov_external_areas"}
    # the printed reading names the two largest drivers, the JSON's
    top = doc["top_drivers"]
    assert len(top) == 2
    assert f"The two largest drivers over the declared ranges (morris, 3 assumptions, 9 model " \
           f"runs): {top[0]} and {top[1]}." in printed
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>What the answer depends on: botkyrka</h1>" in page
    assert "9 model runs on seed(s) 1 at scale 0.1" in page
    assert f"The two largest drivers over every difference: {top[0]}, {top[1]}." in page
    assert "id='fig-tornado'" in page and "data:image/png;base64," in page
    assert doc["skipped"]["lov_external_areas"] == \
        "lov_external_areas: applies to LOV presets; 'botkyrka' is LOU"
    assert ("<code>lov_external_areas</code>: applies to LOV presets; 'botkyrka' is "
            "LOU</li>") in html.unescape(page)
    # one table row per headline difference, the JSON's figures formatted as the report does
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "<td" in r]
    assert len(rows) == len(doc["outputs"]) == 8
    km = doc["outputs"]["LOU-LOV:driven_km_per_day"]
    row = next(r for r in rows if "LOU − LOV, Driving" in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[1:5] == [fmt_value("driven_km_per_day", km[k], sign=True)
                          for k in ("baseline", "p5", "median", "p95")]
    assert cells[5] == f"{100 * km['p_sign']:.0f} %"
    score = sorted(km["indices"], key=lambda r: -r["mu_star"])
    # of the three, only the guarantee moves who drives where; the prices move no km
    assert score[0]["assumption"] == "lou_guarantee" and score[0]["mu_star"] > 0
    assert [r["mu_star"] for r in score[1:]] == [0.0, 0.0]
    assert cells[6] == "lou_guarantee"
    cost = doc["outputs"]["LOU-LOV:cost_sek_per_year"]
    crow = next(r for r in rows if "LOU − LOV, Cost" in r)
    want = [r["assumption"] for r in sorted(cost["indices"], key=lambda r: -r["mu_star"])][:2]
    assert re.findall(r"<td[^>]*>(.*?)</td>", crow)[6] == ", ".join(want)
    # nothing moves zoning's km (no assumption varied here changes who drives where): no
    # driver is named, where the reading's ranking would name one at an index of 0
    zkm = doc["outputs"]["Zoning-LOV:driven_km_per_day"]
    assert max(r["mu_star"] for r in zkm["indices"]) == 0.0
    zrow = next(r for r in rows if "Zoning − LOV, Driving" in r)
    assert re.findall(r"<td[^>]*>(.*?)</td>", zrow)[6] == "–"
    # the workbook holds the same figures
    wb = openpyxl.load_workbook(out / "sensitivity.xlsx")
    assert wb.sheetnames == ["Summary", "Indices", "Ranking", "Assumptions", "Run", "Points"]
    ws = wb["Summary"]
    head = [c.value for c in ws[1]]
    got = {r[0]: dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2,
                                                                      values_only=True)}
    for name, o in doc["outputs"].items():
        for k in ("baseline", "p5", "median", "p95", "p_sign"):
            assert got[name][k] == pytest.approx(o[k]), (name, k)
    assert got["Zoning-LOV:driven_km_per_day"]["drivers"] is None  # empty cell
    assert got["LOU-LOV:driven_km_per_day"]["drivers"] == cells[6]
    assert ws.max_row == 1 + 8
    assert wb["Points"].max_row == 1 + 8  # the 8 sampled points (the baseline apart)
    assert wb["Indices"].max_row == 1 + 8 * 3


def test_document_refuses_other_json(tmp_path):
    with pytest.raises(hemopt.InputError, match="expected a hemopt-sensitivity/1 document"):
        document({"schema": "hemopt-comparison/3"})
    with pytest.raises(hemopt.InputError, match="no such file"):
        read_sensitivity(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(hemopt.InputError, match="not a readable JSON file"):
        read_sensitivity(tmp_path / "bad.json")


@pytest.fixture(scope="module")
def compared(sens, tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp")
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["-q", "compare", "--preset", "botkyrka", "--scale", "0.1", "--routing",
                   "approx", "--seeds", "1", "--no-decompose", "--no-continuity",
                   "--guarantee", "none", "--quality-weight", "0.3",
                   "--sensitivity", str(sens[0] / "sensitivity.json"), "--out", str(out)])
    assert rc == 0
    return out, buf.getvalue()


def test_compare_embeds_sensitivity(sens, compared):
    out, printed = compared
    sdoc = json.loads((sens[0] / "sensitivity.json").read_text(encoding="utf-8"))
    doc = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert doc["sensitivity"] == sdoc
    jsonschema.validate(doc, load_schema())
    top = sdoc["top_drivers"]
    assert f"9 model runs; {sens[0] / 'sensitivity.json'}): {top[0]}, {top[1]}." in printed
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<section id='sensitivity'><h2>What the answer depends on</h2>" in page
    # a schema violation is caught: the embedded result must say its runs
    bad = {**doc, "sensitivity": {k: v for k, v in sdoc.items() if k != "runs"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, load_schema())


def test_compare_flags_reach_the_regimes_and_bids_are_reported(compared):
    out, _ = compared
    doc = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    reg = {r["name"]: r for r in doc["regimes"]}
    assert reg["LOU"]["parameters"]["guarantee"] == "none"
    assert reg["Zoning"]["parameters"]["tender"]["quality_weight"] == 0.3
    # only zoning procures; one winner per lot, the lowest evaluated price among the qualified
    assert reg["LOV"]["procurement"] is None and reg["LOU"]["procurement"] is None
    proc = reg["Zoning"]["procurement"]
    assert proc["lots"] and set(proc["lots"]) == {b["lot"] for b in proc["bids"]}
    for lot in proc["lots"]:
        bids = [b for b in proc["bids"] if b["lot"] == lot]
        winners = [b for b in bids if b["winner"]]
        assert len(winners) == 1
        best = min(b["evaluated_price"] for b in bids if b["capacity_ok"])
        assert winners[0]["evaluated_price"] == pytest.approx(best)
        # the evaluation: price x (1 - weight x quality); quality 0 unless given
        for b in bids:
            assert b["evaluated_price"] == pytest.approx(
                b["price_sek_per_week"] * (1 - 0.3 * b["quality"]))
        assert {b["zone_ids"] for b in bids} == {",".join(proc["lots"][lot])}
    # the report's table and the Excel sheet hold the same bids
    page = (out / "index.html").read_text(encoding="utf-8")
    rows = [r for r in _cells(page, "procurement") if r and r[0] != "Lot"]
    assert len(rows) == len(proc["bids"])
    assert page.count("<tr class='win'>") == len(proc["lots"])
    ws = openpyxl.load_workbook(out / "comparison.xlsx")["Bids"]
    assert ws.max_row == 1 + len(proc["bids"])
    head = [c.value for c in ws[1]]
    sheet = [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [(r["provider_id"], r["winner"]) for r in sheet] == \
        [(b["provider_id"], b["winner"]) for b in proc["bids"]]


def test_swedish_sections(sens, tmp_path):
    sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    comp = hemopt.compare(sc, routing="approx", continuity=False)
    doc = read_sensitivity(sens[0] / "sensitivity.json")
    text = write_report(comp, tmp_path / "sv.html", lang="sv",
                        sensitivity=doc).read_text(encoding="utf-8")
    for sec, words in (("sensitivity", ("Vad svaret beror på", "Med standardvärdena",
                                        "De två största drivkrafterna", "Tecknet håller",
                                        "Inte varierade")),
                       ("procurement", ("Upphandling: anbud och utvärdering", "Anbudsgivare",
                                        "Utvärderingspris (kr per vecka)", "Vinnare"))):
        body = re.search(rf"<section id='{sec}'>(.*?)</section>", text, re.S).group(1)
        for w in words:
            assert w in body, (sec, w)
        plain = re.sub(r"<img[^>]*>|<code>.*?</code>: [^<]*", "", body)
        for english in (" the ", " and ", " of ", "Winner", "Difference"):
            assert english not in plain, (sec, english)
    # without a sensitivity result there is no such section
    plain = write_report(comp, tmp_path / "en.html").read_text(encoding="utf-8")
    assert "id='sensitivity'" not in plain and "id='procurement'" in plain
    with language("sv"):
        assert "Skillnad" in sensitivity_table(doc)


def test_assign_prints_shortfalls_and_takes_the_flags(capsys):
    sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    want = hemopt.assign(sc, hemopt.LOU(guarantee="below_share"), seed=1).summary()
    rc = main(["-q", "assign", "--preset", "botkyrka", "--scale", "0.1", "--regime", "lou",
               "--guarantee", "below_share"])
    out = capsys.readouterr().out
    assert rc == 0
    line = next(x for x in out.splitlines() if "guarantee shortfall" in x)
    assert f"{want['guarantee_shortfall_hours_per_week']:.1f} h/wk" in line
    assert re.search(r"procurement shortfall\s+–", out)  # LOU procures no areas
    z = hemopt.assign(sc, hemopt.Zoning(quality_weight=0.5, seed=1), seed=1).summary()
    rc = main(["-q", "assign", "--preset", "botkyrka", "--scale", "0.1", "--regime",
               "zoning", "--quality-weight", "0.5"])
    out = capsys.readouterr().out
    assert rc == 0
    line = next(x for x in out.splitlines() if "procurement shortfall" in x)
    assert f"{z['procurement_shortfall_hours_per_week']:.1f} h/wk" in line
    assert re.search(r"guarantee shortfall\s+–", out)
    # a flag of another regime is refused, naming it
    rc = main(["-q", "assign", "--preset", "botkyrka", "--scale", "0.1", "--regime", "lov",
               "--guarantee", "none"])
    assert rc != 0
    assert "--guarantee applies to --regime lou, not 'lov'" in capsys.readouterr().err


def test_compare_refuses_another_presets_sensitivity(sens, tmp_path, capsys):
    rc = main(["-q", "compare", "--preset", "strangnas", "--scale", "0.05", "--routing",
               "approx", "--seeds", "1", "--sensitivity", str(sens[0] / "sensitivity.json"),
               "--out", str(tmp_path / "r")])
    assert rc != 0
    err = capsys.readouterr().err
    assert "computed on preset 'botkyrka', but this comparison runs preset 'strangnas'" in err
    assert not (tmp_path / "r" / "comparison.json").exists()


def test_tornado_bars_in_the_tables_units(sens):
    """The tornado's μ* bars are in the unit on the axis: cost in MSEK, km as they are."""
    import matplotlib.pyplot as plt

    doc = read_sensitivity(sens[0] / "sensitivity.json")
    fig = plot_sensitivity(doc)
    axes = {ax.get_title(): ax for ax in fig.axes if ax.get_visible()}
    for out in ("LOU-LOV:cost_sek_per_year", "LOU-LOV:driven_km_per_day"):
        ax = next(a for t_, a in axes.items() if t_.startswith("LOU − LOV, " + (
            "Cost" if "cost" in out else "Driving")))
        widths = {lab.get_text(): bar.get_width() for lab, bar in
                  zip(ax.get_yticklabels(), ax.patches, strict=True)}
        want = {r["assumption"]: r["mu_star"] / (1e6 if "cost" in out else 1)
                for r in doc["outputs"][out]["indices"]}
        assert widths == pytest.approx(want)
    assert "MSEK" in axes[next(t_ for t_ in axes if t_.startswith("LOU − LOV, Cost"))] \
        .get_xlabel()
    plt.close(fig)
