"""Figures with a zero denominator are undefined, never 0 %.

"First choice met" when no client chose, a share of zero hours, providers per stairwell with
no shared stairwell, clients changing provider when nobody has one today: each is NaN in
Python, ``null`` in comparison.json (valid against the schema), ``–`` in the CLI, the report
and Excel. A 0 there would read as "nobody got their choice". And a loyal client whose
provider has no room goes to the municipality, never unserved.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path

import jsonschema
import numpy as np
import openpyxl
import pandas as pd
import pytest

import hemopt
from hemopt.cli import main
from hemopt.compare import load_schema, transition

PROVIDERS = pd.DataFrame([
    {"provider_id": "M", "name": "Kommunen", "kind": "municipal", "x": 615380, "y": 6583650},
    {"provider_id": "E1", "name": "Omsorg AB", "kind": "external", "x": 614950, "y": 6584210},
])


def _scenario(n: int = 6, providers: pd.DataFrame = PROVIDERS, **columns) -> hemopt.Scenario:
    """``n`` clients 40 m apart (each in its own stairwell), who do not choose and have no
    provider today unless ``columns`` say otherwise."""
    df = pd.DataFrame({"client_id": [f"K{i}" for i in range(n)],
                       "x": [615400.0 + 40 * i for i in range(n)],
                       "y": [6583800.0 + 20 * i for i in range(n)],
                       "hours_per_week": [3.0 + i for i in range(n)],
                       "ranking": "", "current_provider": ""})
    for k, v in columns.items():
        df[k] = v
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hemopt.Scenario.from_tables(df, providers, salt="test salt")


# ------------------------------------------------------------------ the assignment
def test_rule_undefined_share_assignment():
    a = hemopt.assign(_scenario(), hemopt.LOV())
    s = a.summary()
    assert s["choosers"] == 0
    assert math.isnan(s["first_choice_pct"])  # not 0.0: nobody's choice was missed
    assert "first choice – (no client chose)" in repr(a)
    assert s["external_share_hours"] == 0.0  # 0 of 33 hours: a true 0
    # one chooser who gets the first choice: 100 %, defined
    b = hemopt.assign(_scenario(ranking=["M", "", "", "", "", ""]), hemopt.LOV())
    assert b.summary()["first_choice_pct"] == 100.0
    # no hours at all: every share of hours is undefined
    z = hemopt.assign(_scenario(hours_per_week=0.0, visits_per_day=0.0), hemopt.LOV())
    assert math.isnan(z.summary()["external_share_hours"])
    assert z.providers["share_hours"].isna().all()
    assert z.providers["clients"].sum() == 6


def test_rule_undefined_share_transition():
    t = transition(hemopt.assign(_scenario(), hemopt.LOV()))
    assert math.isnan(t["clients_changing_provider_pct"])
    assert math.isnan(t["hours_changing_provider_pct"])
    assert t["care_hours_moving_per_week"] == 0.0 and t["providers_leaving_count"] == 0
    # with a provider today for two of them: 1 of 2 changes, 3 of 7 hours
    sc = _scenario(current_provider=["E1", "M", "", "", "", ""], ranking="M")
    t = transition(hemopt.assign(sc, hemopt.LOV(switch_propensity=1.0)))
    assert t["clients_changing_provider_pct"] == pytest.approx(50.0)
    assert t["hours_changing_provider_pct"] == pytest.approx(100.0 * 3.0 / 7.0)


def test_cli_assign_shows_a_dash(tmp_path, capsys):
    gpkg = _scenario().to_gpkg(tmp_path / "s.gpkg")
    code = main(["-q", "assign", "--scenario", str(gpkg), "--regime", "lov",
                 "--out", str(tmp_path / "a.gpkg")])
    out = capsys.readouterr().out
    assert code == 0
    line = next(ln for ln in out.splitlines() if "first choice met" in ln)
    assert re.search(r"first choice met\s+– % of choosing clients \(no client chose\)", line)
    assert "nan" not in out.lower()


# ------------------------------------------------ loyalty never leaves a client unserved
def test_rule_loyal_client_full_provider():
    # K0 ranks M first but stays (switch_propensity 0) with E1, which has no room
    prov = PROVIDERS.assign(capacity_clients=[np.inf, 0.0])
    sc = _scenario(1, providers=prov, ranking="M", current_provider="E1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = hemopt.assign(sc, hemopt.LOV(switch_propensity=0.0))
    assert a.summary()["unserved"] == 0  # it was 1: a client without care
    assert a.clients["provider_id"].tolist() == ["M"]
    # with room, loyalty holds: the client stays with E1
    prov = PROVIDERS.assign(capacity_clients=[np.inf, 1.0])
    a = hemopt.assign(_scenario(1, providers=prov, ranking="M", current_provider="E1"),
                      hemopt.LOV(switch_propensity=0.0))
    assert a.clients["provider_id"].tolist() == ["E1"]
    # two loyal clients, room for one: one stays, the other goes to M
    prov = PROVIDERS.assign(capacity_clients=[np.inf, 1.0])
    a = hemopt.assign(_scenario(2, providers=prov, ranking="M", current_provider="E1"),
                      hemopt.LOV(switch_propensity=0.0))
    assert sorted(a.clients["provider_id"]) == ["E1", "M"]
    assert a.summary()["unserved"] == 0


# ------------------------------------------------------ compare, JSON, CLI, report, Excel
@pytest.fixture(scope="module")
def no_chooser_run(tmp_path_factory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("nochoose")
    gpkg = _scenario(8).to_gpkg(tmp / "s.gpkg")
    out = tmp / "report"
    import contextlib
    import io

    buf, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the approximation's range note
        code = main(["-q", "compare", "--scenario", str(gpkg), "--routing", "approx",
                     "--seeds", "1,2", "--no-continuity", "--out", str(out)])
    assert code == 0, err.getvalue()
    return out, buf.getvalue()


_UNDEFINED = ("first_choice_pct", "stairwells_multi_provider_pct",
              "clients_changing_provider_pct", "hours_changing_provider_pct")


def test_rule_undefined_share(no_chooser_run):
    out, _ = no_chooser_run
    doc = json.loads((out / "comparison.json").read_text())
    jsonschema.validate(doc, load_schema())
    assert [r["name"] for r in doc["regimes"]] == ["LOV", "Zoning"]
    for r in doc["regimes"]:
        for key in _UNDEFINED:
            assert r[key] is None, (r["name"], key, r[key])
        assert r["providers_per_stairwell"] == 1.0  # defined: every client is served
        assert r["queue"] == 0
        assert r["vs_lov"]["first_choice_pct"] is None
    for name in ("LOV", "Zoning"):
        iv = doc["intervals"][name]["first_choice_pct"]
        assert iv["median"] is None and iv["interval"] == [None, None]


def test_undefined_share_is_a_dash_in_cli_report_and_excel(no_chooser_run):
    out, printed = no_chooser_run
    rows = [ln for ln in printed.splitlines() if ln.startswith("First choice met")]
    assert len(rows) >= 3
    for ln in rows:
        assert "–" in ln and not re.search(r"\d", ln.split(")", 1)[1]), ln
    assert "nan" not in printed.lower()
    html = (out / "index.html").read_text(encoding="utf-8")
    assert not re.search(r">\s*nan\b", html, flags=re.I)  # no cell shows "nan"
    m = re.search(r"First choice met.*?</tr>", html, flags=re.S)
    assert m and "–" in m.group(0) and not re.search(r">\s*0\.0\s*<", m.group(0))
    ws = openpyxl.load_workbook(out / "comparison.xlsx")["KPIs"]
    head = [c.value for c in ws[1]]
    col = head.index("first_choice_pct") + 1
    values = [ws.cell(r, col).value for r in range(2, ws.max_row + 1)]
    assert values and all(v == "–" for v in values), values
    km = [ws.cell(r, head.index("driven_km_per_day") + 1).value for r in range(2, ws.max_row + 1)]
    assert all(isinstance(v, (int, float)) for v in km)  # numbers stay numbers


# ------------------------------------------------------------------ LOU's guarantee shortfall
def test_rule_guarantee_shortfall_any_capacity():
    """An external without room is short of its guarantee whether its capacity is given in
    clients or in hours (before, an hours capacity hid the shortfall as 0)."""
    sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    ext = (sc.providers["kind"] == "external").to_numpy()
    total = float(sc.clients["hours_per_week"].sum())
    got = {}
    for col in ("capacity_clients", "capacity_hours"):
        p = sc.providers.copy()
        p[col] = np.where(ext, 0.0, np.inf)
        s2 = hemopt.Scenario(clients=sc.clients, providers=p, zones=sc.zones,
                             boundary=sc.boundary, stairwells=sc.stairwells,
                             buildings=sc.buildings, bases=sc.bases, name="capped")
        a = hemopt.assign(s2, hemopt.LOU(external_share=0.2))
        s = a.summary()
        assert s["external_share_hours"] == 0.0 and s["unserved"] == 0
        got[col] = s["guarantee_shortfall_hours_per_week"]
    # the externals' contracted 20 % (whole minutes, split evenly), all of it short
    assert got["capacity_clients"] == pytest.approx(got["capacity_hours"])
    assert 0.19 * total < got["capacity_hours"] <= 0.2 * total
    # without capacities the externals take what non-choosers there are: a smaller shortfall
    free = hemopt.assign(sc, hemopt.LOU(external_share=0.2)).summary()
    assert 0.0 <= free["guarantee_shortfall_hours_per_week"] < got["capacity_hours"]
    assert free["external_share_hours"] > 0.0


# ------------------------------------------------------------------ no clients at all
def test_rule_no_clients_compare():
    sc = _scenario(2)
    empty = hemopt.Scenario(clients=sc.clients.iloc[:0], providers=sc.providers)
    s = empty.summary()
    for key in ("clients_per_stairwell", "share_clients_sharing_stairwell",
                "hours_per_week_mean", "hours_per_week_median", "non_choosers_share"):
        assert math.isnan(s[key]), key
    assert all(math.isnan(p["share_hours"]) for p in s["providers"])
    a = hemopt.assign(empty, hemopt.LOV()).summary()
    assert a["clients"] == 0 and math.isnan(a["first_choice_pct"])
    with pytest.raises(hemopt.InputError, match="has no clients"):
        hemopt.compare(empty, routing="approx", continuity=False)


# ------------------------------------------------------------------ many clients at one address
# A service building: before, group_stops split a stairwell's visits only at the shift's whole
# working time, leaving no time to travel to and from the base, so the largest part was never
# served (25 of 40 visits dropped, solver and approximation alike). One building is far below
# the approximation's fitted range, hence its warning.
@pytest.mark.filterwarnings("ignore::hemopt.day.approx_model.ExtrapolationWarning")
@pytest.mark.parametrize("routing", ["approx", "solver"])
def test_many_clients_at_one_address_are_all_visited(routing):
    sc = _scenario(40, x=615400.0, y=6583800.0, hours_per_week=2.0, visits_per_day=1.0,
                   ranking="M")
    comp = hemopt.compare(sc, [hemopt.LOV()], routing=routing, max_iterations=50,
                          continuity=False, seed=1)
    row = comp.table.loc["LOV"]
    assert row["visits_per_day"] == 40
    assert row["dropped_visits"] == 0


def test_rule_undefined_share_simulation():
    """A simulation month with no hours in care: the external share and each provider's share
    of hours are undefined (NaN), as in Assignment.summary, not 0."""
    sc = _scenario(4, hours_per_week=0.0)
    res = hemopt.simulate(sc, hemopt.LOV(), years=1, seed=1,
                          sim_params=hemopt.SimParams(inflow_rate_per_month=0.0,
                                                      outflow_rate_per_month=0.0),
                          progress=False)
    m0 = res.monthly.iloc[0]
    assert m0["hours_per_week"] == 0 and math.isnan(m0["external_share_hours"])
    assert res.providers["share_hours"].isna().all()
