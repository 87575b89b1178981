"""Stops of a day (hemopt.day.visits.group_stops): a stairwell's visits that fit a shift are one
stop; a group that does not is split into stops no longer than its window or the shift's
working time (unless one visit), and grouping loses no visit. (Many clients at
one address, end to end: tests/test_adversarial_undefined.py.)"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from hemopt.day.visits import PERIODS, group_stops


@settings(max_examples=60, deadline=None)
@given(durations=st.lists(st.floats(1.0, 200.0), min_size=1, max_size=40),
       period=st.sampled_from(sorted(PERIODS)), walk=st.floats(0.0, 5.0))
def test_a_stop_fits_its_window_and_the_shift(durations, period, walk):
    start, end, shift = PERIODS[period]
    v = pd.DataFrame({"visit_id": [f"v{i}" for i in range(len(durations))],
                      "provider_id": "P", "stairwell_id": "s", "period": period,
                      "shift": shift, "x": 0.0, "y": 0.0, "earliest_min": float(start),
                      "latest_min": float(end), "duration_min": durations})
    caps = {"day": 480.0, "evening": 360.0}
    out, stops = group_stops(v, walk_min=walk, max_service_min=caps)
    assert sorted(out["visit_id"]) == sorted(v["visit_id"])  # every visit in one stop
    assert int(stops["n_visits"].sum()) == len(v)
    total = sum(durations) + walk * (len(durations) - 1)
    # one stop when the whole group fits the shift; else stops within the window and shift
    cap = caps[shift] if total <= caps[shift] else min(end - start, caps[shift])
    multi = stops[stops["n_visits"] > 1]
    assert (multi["service_min"] <= cap + 1e-9).all()
    if total <= caps[shift]:
        assert len(stops) == 1
    # service is the durations plus the walks between them
    per_stop = out.groupby("stop_id")["duration_min"].agg(["sum", "size"])
    expect = per_stop["sum"] + walk * (per_stop["size"] - 1)
    np.testing.assert_allclose(stops.set_index("stop_id")["service_min"].loc[expect.index],
                               expect.to_numpy())
