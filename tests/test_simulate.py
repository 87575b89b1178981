"""Dynamics over years (hemopt.simulate): conservation, consistency, exits, caps, seeds."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import hemopt
from hemopt.errors import InputError
from hemopt.simulate import (
    FollowUp,
    ProviderEntry,
    ProviderExit,
    SimParams,
    lou_schedule,
    simulate,
)


@pytest.fixture(scope="module")
def botkyrka():
    return hemopt.generate("botkyrka", seed=1, scale=0.3)


@pytest.fixture(scope="module")
def strangnas():
    # the whole preset: on its real DeSO geography Strängnäs has about 525 clients
    return hemopt.generate("strangnas", seed=1)


@pytest.fixture(scope="module")
def lou_run(botkyrka):
    return simulate(botkyrka, lou_schedule(0.2, 0.3, 0.5), years=3, seed=1, start_year=2021)


def _largest_external(sc):
    kinds = dict(zip(sc.providers["provider_id"], sc.providers["kind"], strict=True))
    cur = sc.clients["current_provider"]
    return cur[cur.map(kinds) == "external"].value_counts().index[0]


@pytest.fixture(scope="module")
def lov_exit_run(strangnas):
    big = _largest_external(strangnas)
    res = simulate(strangnas, hemopt.LOV(), years=1, seed=1,
                   events=[ProviderExit(big, 6)])
    return res, big


def _runs(lou_run, lov_exit_run):
    return [lou_run, lov_exit_run[0]]


# ------------------------------------------------------------------------------ conservation
def test_conservation_every_month(lou_run, lov_exit_run):
    for res in _runs(lou_run, lov_exit_run):
        m = res.monthly
        assert list(m["month"]) == list(range(len(m)))
        care = m["clients_in_care"].to_numpy()
        np.testing.assert_array_equal(care[1:], care[:-1] + m["arrivals"].to_numpy()[1:]
                                      - m["departures"].to_numpy()[1:])
        np.testing.assert_array_equal(m["cumulative_in"], m["cumulative_out"] + care)
        np.testing.assert_array_equal(m["cumulative_in"], care[0] + m["arrivals"].cumsum())
        np.testing.assert_array_equal(m["cumulative_out"], m["departures"].cumsum())
        # the flows are of the documented magnitude (2.5 % a month each way)
        rate = m["departures"].iloc[1:].sum() / m["clients_in_care"].iloc[:-1].sum()
        assert 0.015 < rate < 0.035
        cl = res.clients
        assert len(cl) == m["cumulative_in"].iloc[-1]
        assert (cl["left_month"] >= 0).sum() == m["cumulative_out"].iloc[-1]


def test_every_client_in_care_has_exactly_one_provider(lou_run, lov_exit_run):
    for res in _runs(lou_run, lov_exit_run):
        a = res.assignments
        m = res.monthly.set_index("month")
        assert not a.duplicated(["month", "client_id"]).any()  # one provider per client-month
        assert (a["provider_id"] != "").all()
        per_month = a.groupby("month").size()
        np.testing.assert_array_equal(per_month.to_numpy(), m["clients_in_care"].to_numpy())
        # queued clients are served by someone else while they wait
        q = a[a["queue_for"] != ""]
        assert (q["provider_id"] != q["queue_for"]).all()
        assert (q["queued_since"] <= q["month"]).all() and (q["queued_since"] >= 0).all()
        assert (a.loc[a["queue_for"] == "", "queued_since"] == -1).all()
        qn = q.groupby("month").size().reindex(m.index, fill_value=0)
        np.testing.assert_array_equal(qn.to_numpy(), m["queue"].to_numpy())
        # the provider table agrees with the client rows
        counts = a.groupby(["month", "provider_id"]).size()
        p = res.providers.set_index(["month", "provider_id"])["clients"]
        np.testing.assert_array_equal(counts.to_numpy(), p.loc[counts.index].to_numpy())
        assert p.drop(counts.index).eq(0).all()
        # a client is in care for one unbroken run of months, from entry until it leaves
        cl = res.clients.set_index("client_id")
        span = a.groupby("client_id")["month"].agg(["min", "max", "count"])
        assert (span["max"] - span["min"] + 1 == span["count"]).all()
        assert (span["min"] == cl.loc[span.index, "entered_month"]).all()
        left = cl.loc[span.index, "left_month"]
        assert ((left == -1) | (left == span["max"] + 1)).all()


# ------------------------------------------------------------------------------ exits
def test_lov_exit_moves_every_client_within_the_month(lov_exit_run):
    res, big = lov_exit_run
    p = res.providers[res.providers["provider_id"] == big].set_index("month")
    before = int(p.loc[5, "clients"])
    assert before > 5
    assert (p.loc[6:, "clients"] == 0).all() and not p.loc[6:, "active"].any()
    a = res.assignments
    assert not ((a["month"] >= 6) & (a["provider_id"] == big)).any()
    assert not ((a["month"] >= 6) & (a["queue_for"] == big)).any()
    m = res.monthly.set_index("month")
    assert m.loc[6, "forced_switches"] == before
    assert m["forced_switches"].sum() == before
    ev = res.events
    assert ev.loc[ev["event"] == "exit", "clients_moved"].tolist() == [before]
    # its clients lost their first choice: the share met drops at the exit
    assert m.loc[6, "first_choice_met_pct"] < m.loc[5, "first_choice_met_pct"] - 2.0
    # under LOV they went to the next provider in their ranking (free choice, no queue)
    moved = a[(a["month"] == 5) & (a["provider_id"] == big)]["client_id"]
    after = a[(a["month"] == 6) & a["client_id"].isin(moved)]
    assert len(after) <= before and (after["queue_for"] == "").all()
    assert m.loc[6, "providers_active"] == m.loc[5, "providers_active"] - 1


def test_lou_exit_uses_the_regime_rule(botkyrka):
    res = simulate(botkyrka, lou_schedule(0.2), years=1, seed=3,
                   events=[ProviderExit("N1", 4)])
    p = res.providers.set_index(["month", "provider_id"])
    before = int(p.loc[(3, "N1"), "clients"])
    assert before > 0
    assert (res.providers.loc[(res.providers["provider_id"] == "N1")
                              & (res.providers["month"] >= 4), "clients"] == 0).all()
    assert res.monthly.set_index("month").loc[4, "forced_switches"] == before
    ext = res.monthly["external_hours_per_week"]
    assert (ext <= res.monthly["external_cap_hours_per_week"] + 1e-9).all()
    # nobody may be with (or queue for) a provider outside its area's contracts
    a = res.assignments
    assert set(a["provider_id"]) <= {"M", "N1", "N2", "S1", "S2"}


def test_default_provider_cannot_exit(strangnas):
    with pytest.raises(InputError, match="default provider"):
        simulate(strangnas, hemopt.LOV(), years=1, seed=1, events=[ProviderExit("M", 2)])


# ------------------------------------------------------------------------------ seeds
def test_same_seed_same_trajectory(botkyrka):
    kw = {"years": 2, "events": [ProviderExit("S2", 7), FollowUp("N1", 3, "red")]}
    a = simulate(botkyrka, lou_schedule(0.2, 0.3), seed=5, **kw)
    b = simulate(botkyrka, lou_schedule(0.2, 0.3), seed=5, **kw)
    pd.testing.assert_frame_equal(a.monthly, b.monthly)
    pd.testing.assert_frame_equal(a.providers, b.providers)
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    pd.testing.assert_frame_equal(a.clients, b.clients)
    c = simulate(botkyrka, lou_schedule(0.2, 0.3), seed=6, **kw)
    assert not a.monthly.equals(c.monthly)
    assert not a.monthly["arrivals"].equals(c.monthly["arrivals"])


# ------------------------------------------------------------------------------ LOU cap
def test_lou_cap_respected_every_month(lou_run, botkyrka):
    m = lou_run.monthly
    np.testing.assert_array_equal(m["external_share_cap"].iloc[1:],
                                  np.repeat([0.2, 0.3, 0.5], 12))
    assert (m["external_hours_per_week"] <= m["external_cap_hours_per_week"] + 1e-9).all()
    # the cap is floor(share × weekly care minutes) of the month's clients
    minutes = np.round(m["hours_per_week"].iloc[1:] * 60)
    cap_min = np.floor(m["external_share_cap"].iloc[1:] * minutes)
    np.testing.assert_allclose(m["external_cap_hours_per_week"].iloc[1:], cap_min / 60)
    p = lou_run.providers
    # the split between the externals is where new clients may go: a provider that took
    # clients this month is within its part (the total is what the cap enforces)
    ext = p[(p["kind"] == "external") & (p["gained"] > 0) & (p["month"] > 0)]
    assert len(ext) > 10
    assert (ext["hours_per_week"] <= ext["cap_hours_per_week"] + 1e-9).all()
    # the staged share opens room: the queue shrinks as the cap grows
    by_year = lou_run.by_year()
    assert list(by_year["year"]) == [2021, 2022, 2023]
    assert by_year["queue_end"].iloc[0] > by_year["queue_end"].iloc[2]
    assert (m.loc[m["month"] == 13, "voluntary_switches"] > 0).all()


def test_lowering_the_share_returns_clients(botkyrka):
    res = simulate(botkyrka, lou_schedule(0.5, 0.1), years=2, seed=2)
    m = res.monthly
    assert (m["external_hours_per_week"] <= m["external_cap_hours_per_week"] + 1e-9).all()
    assert m.loc[m["month"] == 13, "cap_returns"].item() > 0
    # returned clients who chose their provider queue for it (non-choosers placed by the
    # guarantee do not)
    assert m.loc[m["month"] == 13, "queue"].item() > 0


def test_strict_fifo_serves_the_longest_waiting_first(lou_run):
    a = lou_run.assignments
    prev = a.rename(columns={"month": "m0"})
    prev = prev.assign(month=prev["m0"] + 1)
    j = prev.merge(a, on=["month", "client_id"], suffixes=("_prev", ""))
    waited = j[j["queue_for_prev"] != ""]
    served = waited[waited["provider_id"] == waited["queue_for_prev"]]
    still = waited[waited["queue_for"] == waited["queue_for_prev"]]
    assert len(served) > 0
    for (month, pid), g in served.groupby(["month", "provider_id"]):
        rest = still[(still["month"] == month) & (still["queue_for"] == pid)]
        if len(rest):
            assert g["queued_since_prev"].max() <= rest["queued_since"].min()


def test_first_fit_serves_at_least_as_many(botkyrka):
    fifo = simulate(botkyrka, lou_schedule(0.2), years=1, seed=1)
    ff = simulate(botkyrka, lou_schedule(0.2), years=1, seed=1,
                  sim_params=SimParams(queue_discipline="first_fit"))
    assert ff.monthly["queue"].iloc[-1] <= fifo.monthly["queue"].iloc[-1]
    assert (ff.monthly["external_hours_per_week"]
            <= ff.monthly["external_cap_hours_per_week"] + 1e-9).all()


# ------------------------------------------------------------------------------ choice, events
def test_new_clients_live_in_the_scenario(lou_run, botkyrka):
    cl = lou_run.clients
    new = cl[cl["entered_month"] > 0]
    assert len(new) > 100
    assert set(new["stairwell_id"]) <= set(botkyrka.stairwells["stairwell_id"])
    week = new["hours_per_week"]
    assert week.min() >= 2 * 12 / 52 - 0.25 and week.max() <= 400 * 12 / 52 + 0.25
    share_choosing = new["chooser"].mean()
    # new clients choose as often as the scenario's clients do
    expected = float((botkyrka.clients["ranking"].map(len) > 0).mean())
    assert abs(share_choosing - expected) < 0.06


def test_rating_feeds_the_choice(strangnas):
    def gained(colour):
        res = simulate(strangnas, hemopt.LOV(), years=2, seed=4,
                       events=[FollowUp("E2", 1, colour)])
        p = res.providers
        return int(p.loc[(p["provider_id"] == "E2") & (p["month"] > 0), "gained"].sum()), res

    green, res = gained("green")
    red, _ = gained("red")
    assert green > 1.5 * red
    q = res.providers.set_index(["month", "provider_id"])["quality"]
    assert q.loc[(0, "E2")] == 0.0 and q.loc[(1, "E2")] == 1.0
    assert res.events["rating"].tolist() == ["green"]


def test_provider_entry(strangnas):
    res = simulate(strangnas, hemopt.LOV(), years=1, seed=1,
                   events=[ProviderEntry("E9", 4, name="Newcomer")])
    p = res.providers[res.providers["provider_id"] == "E9"].set_index("month")
    assert (p.loc[:3, "clients"] == 0).all() and not p.loc[:3, "active"].any()
    assert p.loc[4:, "active"].all() and p.loc[12, "clients"] > 0
    assert res.monthly["providers_active"].iloc[-1] == res.monthly["providers_active"].iloc[0] + 1


def test_regime_change_by_callable(strangnas):
    zoning = hemopt.Zoning(procured_share=0.5)
    lov = hemopt.LOV()
    res = simulate(strangnas, lambda month: lov if month <= 6 else zoning, years=1, seed=1)
    m = res.monthly.set_index("month")
    assert m.loc[7, "rule_moves"] > 0 and m.loc[7, "regime"] == "Zoning"
    assert m.loc[7:, "queue"].eq(0).all()
    # under zoning one provider per zone: every stairwell served by one provider
    a = res.assignments[res.assignments["month"] == 12]
    cl = res.clients.set_index("client_id")
    a = a.assign(stairwell=cl.loc[a["client_id"], "stairwell_id"].to_numpy())
    assert a.groupby("stairwell")["provider_id"].nunique().max() == 1


# ------------------------------------------------------------------------------ outputs
def test_routing_months_plot_and_csv(tmp_path):
    sc = hemopt.generate("botkyrka", seed=2, scale=0.05)
    res = simulate(sc, lou_schedule(0.2, 0.5), years=2, seed=2, routing_months=(0, 24),
                   routing="solver", sim_params=SimParams(routing_iterations=20))
    m = res.monthly.set_index("month")
    assert (m.loc[[0, 24], "routing"] == "solver").all()
    assert (m.loc[[0, 24], "driven_km_per_day"] > 0).all()
    assert m.drop([0, 24])["driven_km_per_day"].isna().all()
    paths = res.to_csv(tmp_path / "sim")
    assert {"monthly", "providers", "events", "clients", "by_year"} <= set(paths)
    back = pd.read_csv(paths["monthly"])
    assert len(back) == 25 and "wait_p90_months" in back.columns
    fig = hemopt.plot_simulation(res)
    assert len(fig.axes) >= 4
    fig.savefig(tmp_path / "sim.png")
    assert (tmp_path / "sim.png").stat().st_size > 20_000
    import matplotlib.pyplot as plt

    plt.close(fig)
    assert "months" in repr(res)


# ------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"sim_params": "x"}, "sim_params must be a SimParams"),
        ({"years": 0}, "years must be .* got 0"),
        ({"seed": -1}, "seed must be .* got -1"),
        ({"events": [ProviderExit("E99", 3)]}, r"events\[0\]\.provider: unknown provider 'E99'"),
        ({"events": [ProviderExit("E1", 13)]}, r"events\[0\]\.month .* 1\.\.12 .* got 13"),
        ({"events": [ProviderExit("E1", 0)]}, r"events\[0\]\.month .* got 0"),
        ({"events": [FollowUp("E1", 2, "blue")]}, r"events\[0\]\.rating .* 'blue'"),
        ({"events": [ProviderEntry("E1", 2)]}, r"events\[0\]\.provider: 'E1' already exists"),
        ({"events": [ProviderExit("E1", 2), ProviderExit("E1", 5)]}, "has exited in month 2"),
        ({"routing_months": [13]}, "routing_months: month must be in 0..12, got 13"),
        ({"routing": "magic", "routing_months": [0]}, "routing must be"),
    ],
)
def test_bad_arguments_name_field_and_value(strangnas, kwargs, pattern):
    with pytest.raises(InputError, match=pattern):
        simulate(strangnas, hemopt.LOV(), **{"years": 1, "seed": 1, **kwargs})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("inflow_rate_per_month", -0.01),
        ("outflow_rate_per_month", 1.5),
        ("switch_rate_per_month", math.nan),
        ("annual_growth", -1.0),
        ("non_chooser_share", 2.0),
        ("queue_discipline", "lifo"),
        ("routing_iterations", 0),
    ],
)
def test_bad_params_name_field_and_value(field, value):
    with pytest.raises(InputError, match=rf"SimParams\.{field} .*{re.escape(repr(value))}"):
        SimParams(**{field: value})


def test_bad_schedules(strangnas, botkyrka):
    with pytest.raises(InputError, match=r"schedule\[1\]: external share must be in \[0, 1\], "
                                         r"got 1\.5"):
        lou_schedule(0.2, 1.5)
    with pytest.raises(InputError, match=r"schedule\[0\]: .* got -0\.1"):
        lou_schedule([-0.1])
    with pytest.raises(InputError, match="3 regimes for 2 year"):
        simulate(botkyrka, lou_schedule(0.2, 0.3, 0.5), years=2)
    with pytest.raises(InputError, match=r"regime_schedule\(1\) returned str"):
        simulate(strangnas, lambda m: "LOV", years=1)
    with pytest.raises(InputError, match="regime_schedule must be"):
        simulate(strangnas, "LOV", years=1)
    assert [r.external_share for r in lou_schedule([0.2, 0.3, 0.5])] == [0.2, 0.3, 0.5]


# ------------------------------------------------------------------------------ CLI
def test_cli_lou_schedule_and_lov_exit(tmp_path, capsys):
    from hemopt.cli import main

    out = tmp_path / "sim"
    rc = main(["simulate", "--preset", "botkyrka", "--scale", "0.1", "--regime", "lou",
               "--schedule", "0.2,0.3,0.5", "--years", "3", "--seed", "1", "--start-year",
               "2021", "--out", str(out)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "LOU 20 %" in text and "LOU 50 %" in text and "2023" in text
    for name in ("monthly.csv", "providers.csv", "events.csv", "clients.csv", "by_year.csv",
                 "simulation.png"):
        assert (out / name).exists()
    assert (out / "simulation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    rc = main(["simulate", "--preset", "strangnas", "--scale", "0.1", "--regime", "lov",
               "--exit", "largest@6", "--rating", "E2@3=red", "--years", "1",
               "--out", str(tmp_path / "lov")])
    assert rc == 0
    captured = capsys.readouterr()
    largest = re.search(r"--exit largest: (\w+)", captured.err)
    assert largest is not None
    assert f"exit {largest.group(1)}" in captured.out and "clients moved" in captured.out
    ev = pd.read_csv(tmp_path / "lov" / "events.csv")
    assert set(ev["event"]) == {"exit", "rating"}


def test_cli_scenario_file(tmp_path, capsys):
    from hemopt.cli import main

    sc = hemopt.generate("strangnas", seed=3, scale=0.05)
    path = sc.to_gpkg(tmp_path / "s.gpkg")
    rc = main(["simulate", "--scenario", str(path), "--years", "1", "--out",
               str(tmp_path / "o")])
    assert rc == 0
    assert "strangnas-seed3" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--exit", "E99@5"], "unknown provider 'E99'"),
        (["--exit", "E1"], "expected PROVIDER@MONTH"),
        (["--exit", "E1@40"], "month must be a whole month in 1..12"),
        (["--regime", "lou", "--schedule", "0.2,1.5"], "schedule[1]"),
        (["--regime", "lov", "--schedule", "0.2"], "--schedule applies to --regime lou"),
        (["--inflow", "-0.1"], "SimParams.inflow_rate_per_month"),
        (["--rating", "E1@2"], "green|yellow|red"),
    ],
)
def test_cli_errors_exit_code_2(tmp_path, capsys, argv, message):
    from hemopt.cli import main

    rc = main(["simulate", "--preset", "strangnas", "--scale", "0.05", "--years", "1",
               "--out", str(tmp_path / "x"), *argv])
    assert rc == 2
    assert message in capsys.readouterr().err


def test_add_parser_registers_on_a_parent_parser():
    import argparse

    from hemopt.cli.simulate import add_parser

    parser = argparse.ArgumentParser(prog="hemopt")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(["simulate", "--regime", "lou", "--schedule", "0.2,0.3",
                              "--exit", "N1@6", "--exit", "S1@7"])
    assert args.command == "simulate" and args.exit == ["N1@6", "S1@7"]
    assert callable(args.func)
