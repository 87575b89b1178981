"""Results out and the report a council can send: Excel and GeoPackage, the Swedish report
(hemopt/i18n.py), the maps (only serving providers, no red, a scale bar), the interactive
map, the notebook cards, the CLI's --lang/-v/-q, and every shipped example through import,
compare, HTML and Excel.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest

import hemopt
from hemopt.i18n import KPI_SV, SV, language, number, t
from hemopt.viz.excel import sweep_to_excel, write_workbook
from hemopt.viz.maps import BOUNDARY_COLOUR, plot_assignment, provider_colours, serving_providers

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def comp():
    sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    return hemopt.compare(sc, seed=1, max_iterations=20, continuity=False, progress=False)


@pytest.fixture(scope="module")
def seeds():
    return hemopt.compare_seeds(lambda s: hemopt.generate("strangnas", seed=s, scale=0.05),
                                seeds=(1, 2), max_iterations=20, continuity=False,
                                progress=False)


# ------------------------------------------------------------------------ Excel
def test_comparison_excel_has_the_json_figures(comp, tmp_path):
    p = hemopt.write_excel(comp, tmp_path / "c.xlsx")
    doc = json.loads(comp.to_json(tmp_path / "c.json").read_text())
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["KPIs", "Providers", "Transitions", "Settings", "Bids"]
    # zoning procures: its bids, one row per lot and bidder, as in comparison.json
    zoning = next(r for r in doc["regimes"] if r["name"] == "Zoning")
    assert wb["Bids"].max_row == 1 + len(zoning["procurement"]["bids"])
    ws = wb["KPIs"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["key", "Measure", "unit"]
    assert header[3:] == [r["name"] for r in doc["regimes"]]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    checked = 0
    for row in ws.iter_rows(min_row=2, values_only=True):
        key = row[0]
        for regime, value in zip(header[3:], row[3:], strict=True):
            rec = next(r for r in doc["regimes"] if r["name"] == regime)
            want = rec.get(key)
            if isinstance(want, (int, float)) and not isinstance(want, bool):
                assert value == pytest.approx(want, rel=1e-12, abs=1e-12), (key, regime)
                checked += 1
    assert checked >= 2 * len(hemopt.KPI_COLUMNS) - 10
    # the km row: a number with a number format, not text
    km = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "driven_km_per_day")
    assert isinstance(km[3].value, float) and km[3].number_format in ("#,##0.0", "#,##0.00")
    # providers: one row per regime and provider, the JSON's cost per care hour
    prov = pd.read_excel(p, sheet_name="Providers")
    for rec in doc["regimes"]:
        got = prov[prov["regime"] == rec["name"]].set_index("provider_id")
        for pr in rec["providers"]:
            assert got.at[pr["provider_id"], "care_hours_per_week"] == pytest.approx(
                pr["care_hours_per_week"])
    tr = pd.read_excel(p, sheet_name="Transitions").set_index("regime")
    assert tr.at["Zoning", "clients_changing_provider_pct"] == pytest.approx(
        comp.transitions["Zoning"]["clients_changing_provider_pct"])
    settings = pd.read_excel(p, sheet_name="Settings").set_index("setting")["value"]
    assert str(settings["seed"]) == "1" and settings["routing"] == "solver"
    assert str(settings["max_iterations"]) == "20"


def test_seed_comparison_excel(seeds, tmp_path):
    from hemopt.ranges import paired_intervals

    p = hemopt.write_excel(seeds, tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["KPIs", "Intervals", "Steps", "Providers", "Transitions",
                             "Settings", "Bids"]
    iv = pd.read_excel(p, sheet_name="Intervals").set_index(["regime", "kpi"])
    want = paired_intervals(seeds.per_seed, "LOV", ["driven_km_per_day"]).set_index(
        ["regime", "kpi"])
    for col in ("median", "low", "high", "diff_median", "diff_low", "diff_high"):
        assert iv.at[("Zoning", "driven_km_per_day"), col] == pytest.approx(
            want.at[("Zoning", "driven_km_per_day"), col])
    per = pd.read_excel(p, sheet_name="KPIs")
    assert len(per) == len(seeds.per_seed) and set(per["seed"]) == {1, 2}
    steps = pd.read_excel(p, sheet_name="Steps")
    assert {"consolidation", "procurement"} <= set(steps["step"])


def test_text_cells_that_look_like_formulas_are_neutralised(tmp_path):
    t_ = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+cmd", "-cmd", "@SUM(A1)", "-12.5"],
                       "value": [-5, 3, 0, 1, 2]})
    p = write_workbook(tmp_path / "x.xlsx", {"T": t_})
    ws = openpyxl.load_workbook(p)["T"]
    names = [ws.cell(row=r, column=1).value for r in range(2, 7)]
    # a plain number written as text stays as it is (hemopt._io.neutralise_cell)
    assert names == ["'=HYPERLINK(\"x\")", "'+cmd", "'-cmd", "'@SUM(A1)", "-12.5"]
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, 7))
    assert ws.cell(row=2, column=2).value == -5  # numbers stay numbers
    assert ws.cell(row=2, column=2).number_format == "#,##0"


def test_sweep_to_excel_summary_is_hand_checked(tmp_path):
    df = pd.DataFrame({"scale": [0.1, 0.1, 0.2, 0.1], "regime": ["LOV", "LOV", "LOV", "LOU"],
                       "seed": [1, 2, 1, 1], "driven_km_per_day": [10.0, 14.0, 30.0, 7.0]})
    p = sweep_to_excel(df, tmp_path / "s.xlsx", by="scale")
    s = pd.read_excel(p, sheet_name="Summary").set_index(["scale", "regime"])
    assert s.loc[(0.1, "LOV")].tolist() == [12.0, 10.0, 14.0]
    assert s.loc[(0.1, "LOU")].tolist() == [7.0, 7.0, 7.0]
    with pytest.raises(hemopt.InputError, match="by='nope'"):
        sweep_to_excel(df, tmp_path / "t.xlsx", by="nope")


def test_bad_sheet_name_is_refused(tmp_path):
    with pytest.raises(hemopt.InputError, match="sheet name"):
        write_workbook(tmp_path / "x.xlsx", {"a/b": pd.DataFrame({"x": [1]})})


def test_gpkg_has_every_regimes_assignment(comp, tmp_path):
    p = hemopt.write_gpkg(comp, tmp_path / "a.gpkg")
    layers = {name for name, _ in pyogrio.list_layers(p)}
    assert layers == {"assignment_lov", "assignment_lou", "assignment_zoning", "zones",
                      "boundary"}
    for name, a in comp.assignments.items():
        g = pyogrio.read_dataframe(p, layer=f"assignment_{name.lower()}")
        assert len(g) == comp.scenario.n_clients
        assert (g["provider_id"].to_numpy() == a.clients["provider_id"].to_numpy()).all()
    hemopt.write_gpkg(comp, p)  # replaced whole, not appended
    assert len(pyogrio.read_dataframe(p, layer="assignment_lov")) == comp.scenario.n_clients


# ------------------------------------------------------------------------ Swedish
def test_catalogue_fields_match():
    """Every Swedish text has the same {fields} as its English id."""
    for en, sv in SV.items():
        assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", sv)), en
    assert set(KPI_SV) >= set(hemopt.KPI_COLUMNS)


def test_swedish_numbers_and_words():
    from hemopt.viz.format import fmt_change, fmt_value

    with language("sv"):
        assert fmt_value("driven_km_per_day", 4132.46) == "4\u00a0132"
        assert fmt_value("first_choice_pct", 87.456) == "87,5"
        assert fmt_change("care_share_of_paid_time", 0.025, 4.6) == "+2,5 procentenheter"
        assert fmt_change("driven_km_per_day", -10.0, -2.0) == "-2,0 %"
        assert number("-1,234.5") == "-1\u00a0234,5"
    assert fmt_value("driven_km_per_day", 4132.46) == "4,132"  # English outside
    with pytest.raises(hemopt.InputError, match="lang must be one of 'en', 'sv', got 'fi'"):
        with language("fi"):
            pass


def test_swedish_report(seeds, tmp_path):
    text = hemopt.write_report(seeds, tmp_path / "sv.html", lang="sv").read_text(encoding="utf-8")
    assert "<html lang='sv'>" in text
    h1 = re.search(r"<h1>(.*?)</h1>", text).group(1)
    assert h1 == "Hemtjänstens upphandlingsformer jämförda: Strängnäs, slumpfrön 1, 2"
    for word in ("hemtjänst", "brukare", "utförare", "valfrihetssystem", "upphandling",
                 "Körda km", "Personalkontinuitet", "Nyckeltal", "mnkr"):
        assert word in text, word
    # English is left only in the definitions (glossary) and the parameters' JSON
    body = re.sub(r"<section id='(glossary|parameters)'>.*?</section>", "", text, flags=re.S)
    body = re.sub(r"<img[^>]*>", "", body)
    for english in ("Key figures", "Who changes provider", "Cost per provider",
                    "clients queueing", "against LOV", "The model", "the seeds", " the ",
                    " and ", " of "):
        assert english not in body, english
    # the key figures' km: the median over the seeds, Swedish style
    st = seeds.per_seed.xs("Zoning", level="regime")["driven_km_per_day"].astype(float)
    assert f"{st.median():,.0f}".replace(",", "\u00a0") in text
    reading = hemopt.viz.reading(seeds.headline, seeds, lang="sv")
    assert reading[0].startswith("LOU mot LOV, över 2 slumpfrön: körda km")
    assert hemopt.viz.reading(seeds.headline, seeds)[0].startswith("LOU against LOV")


def test_english_title_names_municipality_and_seeds(seeds, comp, tmp_path):
    text = hemopt.write_report(seeds, tmp_path / "en.html").read_text(encoding="utf-8")
    assert "<h1>Home care regimes compared: Strängnäs, seeds 1, 2</h1>" in text
    one = hemopt.write_report(comp, tmp_path / "one.html").read_text(encoding="utf-8")
    assert "<h1>Home care regimes compared: Strängnäs, seed 1</h1>" in one


# ------------------------------------------------------------------------ maps
def _stars(ax):
    """The office markers: the scatter collections drawn with the star marker."""
    out = []
    for c in ax.collections:
        paths = c.get_paths()
        if len(paths) == 1 and len(paths[0].vertices) == 11:  # a 5-pointed star + close
            out.append(c.get_offsets()[0])
    return np.asarray(out)


def test_zoning_map_draws_only_serving_providers():
    sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    a = hemopt.assign(sc, hemopt.Zoning())
    serving = serving_providers(a)
    assert 0 < len(serving) < sc.n_providers  # the test is only worth it if some left
    ax = plot_assignment(a)
    stars = _stars(ax)
    xy = sc.provider_xy()
    want = np.asarray([xy[sc.provider_ids.index(p)] for p in serving])
    assert len(stars) == len(serving)
    assert sorted(map(tuple, stars.round(3))) == sorted(map(tuple, want.round(3)))
    # the legend names the serving providers (with their clients) and the office marker
    legend = [t_.get_text() for t_ in ax.get_legend().get_texts()]
    for p in serving:
        n = int((a.clients["provider_id"] == p).sum())
        assert f"{p} ({n})" in legend
    assert "office" in legend
    assert not any(lab.startswith(p + " ") for lab in legend
                   for p in set(sc.provider_ids) - set(serving))
    # a scale bar, no metre axes
    assert any(a_.get_gid() == "hemopt-scalebar" for a_ in ax.artists)
    assert len(ax.get_xticks()) == 0
    plt.close(ax.figure)


def test_provider_colours_are_never_red_nor_the_boundary():
    import matplotlib.colors as mc

    ids = [f"E{k}" for k in range(20)]
    cols = provider_colours(["M", *ids], ["municipal"] + ["external"] * 20)
    assert BOUNDARY_COLOUR not in cols.values()
    for c in cols.values():
        r, g, b = mc.to_rgb(c)
        h, s, _v = mc.rgb_to_hsv((r, g, b))
        assert not ((h < 0.03 or h > 0.97) and s > 0.5), c  # no saturated red
        assert s > 0.2, c  # no grey (the buildings)
    assert len(set(list(cols.values())[:16])) == 16


def test_interactive_maps(comp, tmp_path):
    from hemopt.viz.maps import write_interactive_map

    m = hemopt.explore_comparison(comp, "Zoning")
    html = m.get_root().render()
    serving = serving_providers(comp.assignments["Zoning"])
    left = set(comp.scenario.provider_ids) - set(serving)
    for p in serving:
        assert f"office: {p}" in html
    for p in left:
        assert f"office: {p}" not in html
    # one GeoJSON point per client in the regime's layer
    assert html.count('"client_id"') >= comp.scenario.n_clients
    with pytest.raises(hemopt.InputError, match="regime 'X'"):
        hemopt.explore_comparison(comp, "X")
    a_map = hemopt.explore_assignment(comp.assignments["LOV"]).get_root().render()
    assert "Leaflet" in a_map or "leaflet" in a_map
    page = write_interactive_map(comp, tmp_path / "map.html", lang="sv")
    text = page.read_text(encoding="utf-8")
    assert "kontor: M" in text and text.count("FeatureGroup") >= 0


# ------------------------------------------------------------------------ notebooks
def test_cards_for_scenario_and_assignment(comp):
    sc = comp.scenario
    card = hemopt.viz.notebook.scenario_card(sc)
    assert "Strängnäs" in card and f"<td style='text-align:right'>{sc.n_clients}</td>" in card
    a = comp.assignments["Zoning"]
    acard = hemopt.viz.notebook.assignment_card(a)
    s = a.summary()
    assert f"{s['first_choice_pct']:.1f}" in acard
    assert f"{len(serving_providers(a))} of {sc.n_providers}" in acard


def test_progress_is_auto_and_logged(caplog):
    import logging

    from hemopt._progress import auto_progress, sayer

    assert auto_progress() is False  # pytest captures stderr: not a terminal
    say = sayer(None)
    with caplog.at_level(logging.DEBUG, logger="hemopt"):
        say("routing LOV ...")
    assert "routing LOV ..." in caplog.text


# ------------------------------------------------------------------------ examples and CLI
_TINY = "ignore::hemopt.day.approx.ExtrapolationWarning"  # 14 clients: below its range


@pytest.mark.filterwarnings(_TINY)
def test_every_example_through_import_compare_html_excel(tmp_path):
    """examples/: the client list, the providers and the addresses, imported, compared
    (approximation), the report and the workbook written."""
    files = sorted(p.name for p in EXAMPLES.iterdir() if p.suffix == ".csv")
    assert files == ["addresses.csv", "clients.csv", "providers.csv"]
    from hemopt.errors import DroppedColumnWarning

    with pytest.warns(DroppedColumnWarning, match="'name', 'phone'"):
        sc = hemopt.Scenario.from_tables(EXAMPLES / "clients.csv",
                                         EXAMPLES / "providers.csv",
                                         addresses=EXAMPLES / "addresses.csv", salt="test")
    comp = hemopt.compare(sc, routing="approx", continuity=False, progress=False)
    for lang in ("en", "sv"):
        path = hemopt.write_report(comp, tmp_path / f"{lang}.html", lang=lang)
        text = path.read_text(encoding="utf-8")
        assert "<h1>" in text and "Strängnäs" in text
    wb = openpyxl.load_workbook(hemopt.write_excel(comp, tmp_path / "c.xlsx"))
    ws = wb["KPIs"]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True)
               if r[0] == "care_hours_per_week")
    assert row[3] == pytest.approx(float(sc.clients["hours_per_week"].sum()))


@pytest.mark.filterwarnings(_TINY)
def test_cli_compare_swedish_writes_everything(tmp_path):
    from hemopt.cli import main

    out = tmp_path / "r"
    rc = main(["compare", "--preset", "strangnas", "--scale", "0.05", "--routing", "approx",
               "--seeds", "1", "--no-continuity", "--lang", "sv", "-q", "--out", str(out)])
    assert rc == 0
    text = (out / "index.html").read_text(encoding="utf-8")
    assert "<html lang='sv'>" in text and "Nyckeltal" in text
    assert openpyxl.load_workbook(out / "comparison.xlsx").sheetnames[0] == "KPIs"
    assert {n for n, _ in pyogrio.list_layers(out / "assignments.gpkg")} >= {
        "assignment_lov", "assignment_zoning"}
    assert not (out / "map.html").exists()


def test_cli_help_texts():
    from hemopt.cli.main import build_parser

    p = build_parser()
    sub = next(a for a in p._actions if a.dest == "command")
    for cmd in ("compare", "generate", "assign"):
        for a in sub.choices[cmd]._actions:
            if a.dest in ("seed", "routing", "lang"):
                assert a.help and len(a.help) > 20, (cmd, a.dest)


_CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed (make test installs it as root)")
def test_swedish_report_renders_in_chromium(seeds, tmp_path):
    path = hemopt.write_report(seeds, tmp_path / "sv.html", lang="sv")
    r = subprocess.run([*_CHROMIUM, f"--user-data-dir={tmp_path / 'chr'}", "--dump-dom",
                        path.as_uri()], capture_output=True, text=True, timeout=180,
                       check=True)
    dom = r.stdout
    assert "Nyckeltal" in dom and "Vilka brukare byter utförare" in dom
    assert t("Key figures") == "Key figures"
    png = tmp_path / "shot.png"
    subprocess.run([*_CHROMIUM, f"--user-data-dir={tmp_path / 'chr2'}",
                    "--window-size=1200,2400", f"--screenshot={png}", path.as_uri()],
                   capture_output=True, text=True, timeout=180, check=True)
    assert png.stat().st_size > 100_000


@pytest.mark.filterwarnings(_TINY)
def test_doctests_of_i18n_excel_progress():
    import doctest

    import hemopt._progress
    import hemopt.i18n
    import hemopt.viz.excel

    for mod in (hemopt.i18n, hemopt.viz.excel, hemopt._progress):
        r = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert r.failed == 0 and r.attempted > 0, mod.__name__


def test_one_regime_map_alone(comp):
    fig = hemopt.plot_maps(comp, regime="Zoning", centre=False)
    assert len(fig.axes) == 1 and fig.get_size_inches()[0] >= 9
    assert "Zoning" in fig.axes[0].get_title()
    plt.close(fig)
    with pytest.raises(hemopt.InputError, match="regime 'X'"):
        hemopt.plot_maps(comp, regime="X")


def test_decomposition_step_labels_in_swedish():
    """The Shapley steps' labels (a fixed text, then what the step does in this scenario)
    come out in Swedish, the scenario part included; English is unchanged."""
    from hemopt.viz.tables import _step_about

    label = "each area to the regime's provider: area1: E4, area3: the municipality (M)"
    with language("sv"):
        assert _step_about(label) == ("varje område till formens utförare: område 1: E4, "
                                      "område 3: kommunen (M)")
        assert _step_about("one provider per area, the one serving the most hours there: "
                           "the municipality (M) takes every area").endswith(
            "kommunen (M) tar alla områden")
        assert _step_about("clients of providers not contracted in their area move "
                           "(3 clients)").endswith("(3 brukare)")
    assert _step_about(label) == label
