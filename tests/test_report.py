"""The report for people (hemopt/viz/report.py and its templates) and its maps
(hemopt/viz/maps.py).

Checked on a small comparison over two seeds: the numbers are formatted as people read them,
the HTML quotes the medians and ranges computed from the per-seed table, the waterfall's bars
add up to the total (the mean paired difference), the notebook fragments, and the report
renders in headless Chromium without errors with every figure decoded.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import matplotlib.pyplot as plt
import numpy as np
import pytest

import hemopt
import hemopt.viz
import hemopt.viz.maps
from hemopt.viz.compare import plot_waterfall, waterfall_table
from hemopt.viz.format import MEASURES, fmt_change, fmt_range, fmt_value
from hemopt.viz.reading import reading


@pytest.fixture(scope="module")
def seeds():
    """LOV, LOU and zoning on a new small Strängnäs for seeds 1 and 2, with the decomposition."""
    return hemopt.compare_seeds(lambda s: hemopt.generate("strangnas", seed=s, scale=0.1),
                                seeds=(1, 2), max_iterations=30)


@pytest.fixture(scope="module")
def report_html(seeds, tmp_path_factory):
    path = hemopt.write_report(seeds, tmp_path_factory.mktemp("report") / "index.html")
    return path, path.read_text(encoding="utf-8")


def _section(text: str, sid: str) -> str:
    m = re.search(rf"<section id='{sid}'>(.*?)</section>", text, re.S)
    assert m is not None, f"section {sid} missing"
    return m.group(1)


def test_every_kpi_has_words_and_a_format():
    from hemopt.continuity import CONTINUITY_KPIS

    numeric_continuity = [k for k in CONTINUITY_KPIS if k != "staff_per_provider"]  # a dict
    for kpi in [*hemopt.KPI_COLUMNS, *numeric_continuity]:
        m = MEASURES[kpi]
        assert m.label and "_" not in m.title(), kpi
        assert fmt_value(kpi, 1.0) != "–"
    # counts are integers, percentages one decimal, large costs in MSEK
    assert fmt_value("queue", 12.0) == "12"
    assert fmt_value("staff_shifts_per_day", 1234.0) == "1,234"
    assert fmt_value("stairwells_multi_provider_pct", 33.3333) == "33.3"
    assert fmt_value("external_share_hours", 0.13541) == "13.5"
    assert fmt_value("cost_sek_per_year", 149_234_567.0) == "149.2"
    assert fmt_value("cost_per_care_hour_sek", 1383.25) == "1,383"
    assert fmt_range("driven_km_per_day", 4100.0, 3900.0, 4300.0) == "4,100 [3,900–4,300]"
    assert fmt_change("driven_km_per_day", -10.0, -2.0) == "-2.0 %"
    assert fmt_change("care_share_of_paid_time", 0.025, 4.6) == "+2.5 points"


def test_html_quotes_medians_and_ranges_from_the_data(seeds, report_html):
    _, text = report_html
    key = _section(text, "key-figures")
    ps = seeds.per_seed
    for regime in ("LOV", "LOU", "Zoning"):
        km = ps.xs(regime, level="regime")["driven_km_per_day"].to_numpy(dtype=float)
        med, lo, hi = np.median(km), km.min(), km.max()
        assert f"{med:,.0f}<span class='rng'>[{lo:,.0f}–{hi:,.0f}]</span>" in key, regime
        cost = ps.xs(regime, level="regime")["cost_sek_per_year"].to_numpy(dtype=float) / 1e6
        assert f"{np.median(cost):,.1f}" in key
    # the paired difference in per cent, computed here from the per-seed rows
    lov = ps.xs("LOV", level="regime")["driven_km_per_day"].to_numpy(dtype=float)
    zon = ps.xs("Zoning", level="regime")["driven_km_per_day"].to_numpy(dtype=float)
    pct = 100 * (zon - lov) / lov
    assert (f"{np.median(pct):+.1f} %<span class='rng'>[{pct.min():+.1f} to "
            f"{pct.max():+.1f} %]</span>") in key
    # measures in words; no raw column names in the tables people read
    assert "Driving (km per day)" in key and "First choice met" in key
    for raw in [k for k in hemopt.KPI_COLUMNS if "_" in k]:  # ("queue" is also a word)
        assert raw not in key, raw
    assert "_pct_pct" not in text
    # no queue or count with decimals: every queue cell is an integer
    row = re.search(r"Clients queueing for their choice \(clients\)</td>(.*?)</tr>", key, re.S)
    assert row is not None
    assert not re.search(r"\d\.\d{3}", row.group(1))


def test_reading_quotes_the_interval_and_says_within_noise(seeds):
    comp = seeds.headline
    sentences = reading(comp, seeds)
    iv = seeds.intervals.set_index(["regime", "kpi"])
    for regime in ("LOU", "Zoning"):
        s = next(x for x in sentences if x.startswith(f"{regime} against LOV"))
        r = iv.loc[(regime, "driven_km_per_day")]
        clause = re.search(r"driving [^)]*\)", s).group(0)
        assert clause.startswith(f"driving {r['pct_median']:+.1f} % (median; range "
                                 f"{r['pct_low']:+.1f} to {r['pct_high']:+.1f} %")
        assert ("within noise" in clause) == bool(r["within_noise"])
        for kpi, word in (("paid_staff_hours_per_day", "paid staff hours"),
                          ("cost_sek_per_year", "costs")):
            part = re.search(rf"{word}[^)]*(\)|no change in any seed)", s).group(0)
            if iv.loc[(regime, kpi), "diff_low"] == iv.loc[(regime, kpi), "diff_high"] == 0:
                assert "no change" in part
            else:
                assert ("within noise" in part) == bool(iv.loc[(regime, kpi), "within_noise"])
    one = reading(comp)
    assert "one seed" in one[-2].lower() and "compare_seeds" in one[-2]
    # the seeds' range is not the whole uncertainty: both readings say so and point onwards
    assert "not the whole uncertainty" in one[-1] and "hemopt sensitivity" in one[-1]
    assert "not the whole uncertainty" in sentences[-1]


def test_run_description_says_mode_seeds_and_iterations(report_html):
    _, text = report_html
    run = re.search(r"<p class='run' id='run'>(.*?)</p>", text, re.S).group(1)
    assert "2 seeds (1, 2)" in run
    assert "a new municipality per seed" in run
    assert "PyVRP, 30 iterations per instance" in run


def test_waterfall_bars_add_up_to_the_total(seeds):
    w = waterfall_table(seeds)
    iv = seeds.intervals.set_index(["regime", "kpi"])
    for regime, g in w.groupby("regime", sort=False):
        steps, total = g[g["step"] != "total"], g[g["step"] == "total"].iloc[0]
        assert list(steps["step"]) == (["stairwell", "building", "consolidation",
                                        "procurement"] if regime == "Zoning"
                                       else ["contracts", "share and queue"])
        assert steps["km_change"].sum() == pytest.approx(total["km_change"])
        assert steps["end"].iloc[-1] == pytest.approx(total["end"])
        # the total is the mean of the paired differences to LOV (within 1 %)
        assert total["km_change"] == pytest.approx(
            iv.loc[(regime, "driven_km_per_day"), "diff_mean"], rel=0.01, abs=1e-6)
        assert total["km_low"] <= total["km_change"] <= total["km_high"]
    # and the bars drawn: the steps' heights sum to the total bar's height in every panel
    fig = plot_waterfall(seeds)
    for ax in fig.axes:
        heights = [p.get_height() for p in ax.patches]
        assert len(heights) >= 3
        assert sum(heights[:-1]) == pytest.approx(heights[-1])
    plt.close(fig)


def test_sections_tables_and_self_containment(seeds, report_html):
    _, text = report_html
    for sid in ("reading", "key-figures", "charts", "decomposition", "transition",
                "providers", "maps", "published", "meaning", "scenario", "parameters"):
        _section(text, sid)
    # figures: KPI bars, choice-cost, waterfall, one map per regime, all embedded
    assert text.count("src='data:image/png;base64,") == 3 + len(seeds.headline.table)
    assert not re.search(r"""(src|href)=['"](https?:)?//""", text)
    assert "<link" not in text and "<script" not in text
    comp = seeds.headline
    # transitions: the headline seed's figures
    tr = _section(text, "transition")
    z = comp.transitions["Zoning"]
    assert f"{z['clients_changing_provider_pct']:.1f} %" in tr
    assert (f"{z['largest_provider']}: {z['largest_provider_clients_before']:,} → "
            f"{z['largest_provider_clients_after']:,}") in tr
    # cost per provider: the municipality's cost per care hour under each regime
    prov = _section(text, "providers")
    for regime, t in comp.provider_tables.items():
        m = t.set_index("provider_id").loc["M", "cost_per_care_hour_sek"]
        assert f"{regime} {m:,.0f} SEK" in prov
    # the decomposition table: every step, with its mean over the seeds
    dec = _section(text, "decomposition")
    for r in waterfall_table(seeds).itertuples():
        assert f">{r.step}</td>" in dec
        if round(r.km_change) != 0:
            assert f"<td>{r.km_change:+,.0f}" in dec
    meaning = _section(text, "meaning")
    for phrase in ("DeSO", "detour factor", "one day of visits", "stated assumptions"):
        assert phrase in meaning
    pub = _section(text, "published")
    assert "Trafikverket" in pub and "3.2 MSEK" in pub and "58 %" in pub


def test_single_comparison_report(tmp_path):
    sc = hemopt.generate("botkyrka", seed=2, scale=0.1)
    comp = hemopt.compare(sc, seed=1, max_iterations=30)
    text = hemopt.write_report(comp, tmp_path / "one.html").read_text(encoding="utf-8")
    key = _section(text, "key-figures")
    km = comp.table.loc["Zoning", "driven_km_per_day"]
    assert f"<td>{km:,.0f}</td>" in key
    d = comp.diff().loc["Zoning", "driven_km_per_day_pct"]
    assert f"<td>{d:+.1f} %</td>" in key
    assert "Not computed for a single comparison" in _section(text, "decomposition")
    assert "One seed (1)" in text
    assert text.count("src='data:image/png;base64,") == 2 + len(comp.table)


def test_notebook_fragments(seeds):
    comp = seeds.headline
    frag = hemopt.viz.notebook.html_fragment(comp)
    assert frag.startswith("<div>") and "<table" in frag
    assert f"<td>{comp.table.loc['LOV', 'driven_km_per_day']:,.0f}</td>" in frag
    assert "Zoning against LOV" in frag and "driven_km_per_day" not in frag
    sfrag = hemopt.viz.notebook.seeds_html_fragment(seeds)
    st = seeds.per_seed.xs("Zoning", level="regime")["driven_km_per_day"].astype(float)
    assert f"{st.median():,.0f}<span class='rng'>[{st.min():,.0f}–{st.max():,.0f}]" in sfrag
    assert "2 seeds" in sfrag


def test_maps_are_large_with_the_town_centre(seeds):
    comp = seeds.headline
    fig = hemopt.viz.plot_regime_map(comp, "Zoning")
    w, h = fig.get_size_inches()
    assert w >= 15 and h >= 7.5
    whole, centre = fig.axes[:2]
    x0, x1 = centre.get_xlim()
    X0, X1 = whole.get_xlim()
    assert (x1 - x0) < 0.5 * (X1 - X0)  # the centre panel enlarges
    # the centre holds the client with the most neighbours within 1 km
    xy = comp.scenario.client_xy()
    n = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1) <= 1000.0 ** 2
    densest = xy[int(np.argmax(n.sum(1)))]
    y0, y1 = centre.get_ylim()
    assert x0 <= densest[0] <= x1 and y0 <= densest[1] <= y1
    plt.close(fig)
    fig = hemopt.plot_maps(comp)
    assert len(fig.axes) >= 2 * len(comp.table)
    plt.close(fig)


def test_centre_box_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        hemopt.viz.maps.centre_box(np.zeros((0, 2)))


_CHECK_JS = """
<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  window.__errors.push(String(e.message || (e.target && (e.target.src || e.target.href))));
}, true);
window.addEventListener('load', function () {
  var imgs = Array.from(document.images).map(function (i) { return i.naturalWidth; });
  var ids = Array.from(document.querySelectorAll('section')).map(function (s) { return s.id; });
  var out = document.createElement('pre');
  out.id = 'check';
  out.textContent = JSON.stringify({errors: window.__errors, widths: imgs, sections: ids,
                                    width: document.documentElement.scrollWidth});
  document.body.appendChild(out);
});
</script>
"""

_CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--enable-logging=stderr", "--v=0"]


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed (make test installs it as root)")
def test_report_renders_in_chromium(report_html, tmp_path):
    path, text = report_html
    page = tmp_path / "check.html"
    page.write_text(text.replace("<head>", "<head>" + _CHECK_JS, 1), encoding="utf-8")
    r = subprocess.run([*_CHROMIUM, f"--user-data-dir={tmp_path / 'chr'}",
                        "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
                       capture_output=True, text=True, timeout=180, check=True)
    m = re.search(r"<pre id=\"check\">(.*?)</pre>", r.stdout, re.S)
    assert m is not None, r.stderr[-2000:]
    import html as _html

    check = json.loads(_html.unescape(m.group(1)))
    assert check["errors"] == []
    assert len(check["widths"]) == 6 and all(w > 300 for w in check["widths"])
    assert check["sections"][:2] == ["reading", "key-figures"] and "maps" in check["sections"]
    assert "Uncaught" not in r.stderr and "CONSOLE" not in r.stderr
    png = tmp_path / "shot.png"
    subprocess.run([*_CHROMIUM, f"--user-data-dir={tmp_path / 'chr2'}",
                    "--window-size=1200,3000", f"--screenshot={png}", path.as_uri()],
                   capture_output=True, text=True, timeout=180, check=True)
    assert png.stat().st_size > 100_000


def test_continuity_section_quotes_the_seeds(seeds, report_html):
    _, text = report_html
    sec = _section(text, "continuity")
    assert "Kolada" in sec and "sweep" in sec
    for kpi in ("staff_per_client_14d_median", "staff_per_client_14d_mean",
                "contact_person_visit_pct"):
        per = seeds.per_seed[kpi].astype(float)
        for _, g in per.groupby(level="regime", sort=False):
            assert fmt_range(kpi, g.median(), g.min(), g.max()) in sec


def test_report_without_continuity_says_so(tmp_path):
    sc = hemopt.generate("strangnas", seed=2, scale=0.05)
    comp = hemopt.compare(sc, [hemopt.LOV()], seed=1, max_iterations=30, continuity=False)
    text = hemopt.write_report(comp, tmp_path / "one.html").read_text(encoding="utf-8")
    assert "--no-continuity" in _section(text, "continuity")
