"""The day's instances routed in worker processes: the same routes for any number of workers,
progress as one bar, warnings and errors raised alike, and no worker outliving its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import hemopt
from hemopt import InputError
from hemopt._workers import process_pool, resolve_workers
from hemopt.day.route import route_day
from hemopt.routing import parallel

from ._procs import children, reap, running, wait_ended

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lov():
    sc = hemopt.generate("botkyrka", seed=1, scale=0.15)
    return sc, hemopt.assign(sc, hemopt.LOV())


def _day(lov, workers, **kw):
    sc, a = lov
    return route_day(sc, a, seed=1, max_iterations=40, time_limit_s=None, workers=workers, **kw)


def test_same_routes_for_one_and_two_workers(lov):
    msgs1: list[str] = []
    msgs2: list[str] = []
    one = _day(lov, 1, progress=msgs1.append)
    two = _day(lov, 2, progress=msgs2.append)
    assert len(one.routes) >= 4  # several instances to share out
    pd.testing.assert_frame_equal(one.routes.drop(columns="runtime_s"),
                                  two.routes.drop(columns="runtime_s"))
    assert one.totals() == two.totals()
    assert list(one.results) == list(two.results)  # gathered in the same (sorted) order
    for key, r in one.results.items():
        assert r.routes == two.results[key].routes
        assert r.distance == two.results[key].distance
    pd.testing.assert_frame_equal(one.visits, two.visits)
    pd.testing.assert_frame_equal(one.dropped, two.dropped)
    # the summary names the workers that routed the day
    n, stops = len(one.routes), len(one.stops)
    assert msgs1 == [msgs1[0]] and msgs1[0].startswith(
        f"  routed {n} instances ({stops} stops) with 1 worker in ")
    assert msgs2[0].startswith(f"  routed {n} instances ({stops} stops) with 2 workers in ")


def test_progress_is_one_bar_on_stderr_only_when_asked(lov, capsys):
    _day(lov, 2)
    quiet = capsys.readouterr()
    assert quiet.err == "" and quiet.out == ""
    day = _day(lov, 2, progress=True)
    shown = capsys.readouterr()
    assert shown.out == ""
    # one bar, counted in stops routed: a double-staffed stop is routed twice
    n_routed = len(day.stops) + int((day.stops["staff_per_visit"] == 2).sum())
    assert f"/{n_routed} stops" in shown.err
    assert "routed" not in shown.err  # no line per instance


def test_instances_are_sent_largest_first(monkeypatch):
    seen: list[int] = []
    real = parallel._solve

    def spy(task, modes):
        seen.append(task.n_stops)
        return real(task, modes)

    monkeypatch.setattr(parallel, "_solve", spy)
    sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    day = route_day(sc, sc.clients["current_provider"], seed=1, max_iterations=10, workers=1)
    # in-process, the order of solving is the order of submission: largest first
    assert seen == sorted(day.routes["stops"], reverse=True)
    assert len(set(seen)) > 1


@pytest.mark.parametrize("workers", [2, 1])
def test_warnings_and_errors_come_back_alike(lov, monkeypatch, workers):
    real = parallel.solve_vrptw

    def warn_then_solve(inst, **kw):
        warnings.warn(f"looked at {inst.name}", UserWarning, stacklevel=1)
        return real(inst, **kw)

    # the workers are forked after the patch, so they run it too
    monkeypatch.setattr(parallel, "solve_vrptw", warn_then_solve)
    with pytest.warns(UserWarning) as rec:
        day = _day(lov, workers)
    names = ["-".join(map(str, k)) for k in day.results]
    assert [str(w.message) for w in rec] == [f"looked at {n}" for n in names]

    first = names[-1]

    def fail(inst, **kw):
        if inst.name == first:
            raise InputError(f"instance {inst.name}: broken on purpose")
        return real(inst, **kw)

    monkeypatch.setattr(parallel, "solve_vrptw", fail)
    with pytest.raises(InputError, match=f"instance {first}: broken on purpose"):
        _day(lov, workers)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2"])
def test_bad_workers_are_named(lov, bad):
    sc, a = lov
    with pytest.raises(InputError, match=rf"^workers must be a whole number >= 1 .*{bad!r}"):
        route_day(sc, a, seed=1, max_iterations=10, workers=bad)
    with pytest.raises(InputError, match=r"^RoutingSettings.workers must be a whole number"):
        hemopt.RoutingSettings(workers=bad)


def test_workers_default_to_every_core_but_one_inside_a_worker():
    assert resolve_workers(None) == (os.cpu_count() or 1)
    with process_pool(1) as ex:
        assert ex.submit(resolve_workers, None).result() == 1  # pools do not nest
        assert ex.submit(resolve_workers, 3).result() == 3


def test_compare_passes_workers_and_records_them():
    sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    one = hemopt.compare(sc, seed=1, max_iterations=20, workers=1)
    two = hemopt.compare(sc, seed=1, max_iterations=20, workers=2)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert (one.parameters["workers"], two.parameters["workers"]) == (1, 2)


_SLOW_DAY = textwrap.dedent("""
    import hemopt
    sc = hemopt.generate("botkyrka", seed=1, scale=0.3)
    a = hemopt.assign(sc, hemopt.LOV())
    print("routing", flush=True)
    hemopt.route_day(sc, a, seed=1, max_iterations=1_000_000, time_limit_s=None, workers=2)
""")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_stopped_routing_leaves_no_workers(sig):
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_DAY], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    workers: list[int] = []
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "routing\n"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.1)
            workers = children(proc.pid)
            assert proc.poll() is None, "the routing ended before it could be stopped"
        assert len(workers) >= 2, workers
        assert all(running(w) for w in workers)
        proc.send_signal(sig)
        proc.communicate(timeout=30)
        assert not wait_ended(workers, 10), "workers outlived their parent"
    finally:
        reap(proc, workers)
