"""VRPTWInstance: construction, validation, scaling."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from hemopt.errors import InputError
from hemopt.routing import DISTANCE_SCALE, TIME_SCALE, PrecisionWarning, VRPTWInstance
from hemopt.routing.instance import scale_instance, unservable
from hemopt.travel import TravelModel

XY = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])


def test_from_coords_euclidean_and_defaults():
    inst = VRPTWInstance(coords=XY)
    assert inst.n_clients == 2
    assert list(inst.clients) == [1, 2]
    assert_allclose(inst.distance[0], [0, 5, 10])
    assert_array_equal(inst.duration, inst.distance)
    assert_array_equal(inst.service, 0.0)
    assert_array_equal(inst.earliest, 0.0)
    assert np.isinf(inst.latest).all()
    assert inst.n_vehicles is None and inst.demand is None


def test_from_coords_with_travel_model():
    model = TravelModel(detour_factor=1.5, speed_kmh=60.0, overhead_min=1.0)
    xy = XY * 1000
    inst = VRPTWInstance(coords=xy, travel=model)
    assert inst.distance[0, 1] == pytest.approx(7500.0)
    assert inst.duration[0, 1] == pytest.approx(7.5 + 1.0)  # 1 km/min


def test_matrices_given_explicitly_and_frozen():
    d = np.array([[0, 2.5], [3.0, 0]])
    inst = VRPTWInstance(distance=d, service=[0, 1], earliest=[0, 5], latest=[60, 10], name="x")
    assert_array_equal(inst.duration, d)  # durations default to distances
    with pytest.raises(ValueError, match="read-only"):
        inst.distance[0, 1] = 1.0
    with pytest.raises(AttributeError):
        inst.name = "y"  # type: ignore[misc]
    d[0, 1] = 99.0  # the instance copied its input
    assert inst.distance[0, 1] == 2.5
    assert "n_clients=1" in repr(inst)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "give a distance matrix or coords"),
        ({"distance": np.zeros((2, 3))}, "square"),
        ({"distance": [[0, -1], [1, 0]]}, r"distance\[0, 1\] = -1.0"),
        ({"distance": [[0, np.nan], [1, 0]]}, r"distance\[0, 1\]"),
        ({"distance": [[1, 1], [1, 0]]}, r"distance\[0, 0\] = 1.0; the diagonal"),
        ({"coords": XY, "duration": np.zeros((2, 2))}, r"duration: expected shape \(3, 3\)"),
        ({"coords": XY, "service": [0, 1]}, "service: expected 3 values"),
        ({"coords": XY, "service": [0, -1, 2]}, r"service\[1\] = -1.0"),
        ({"coords": XY, "service": [5, 1, 2]}, "depot's service time"),
        (
            {"coords": XY, "earliest": [0, 10, 0], "latest": [100, 5, 100]},
            r"latest\[1\] = 5.0 is before earliest\[1\] = 10.0",
        ),
        ({"coords": XY, "earliest": [0, np.inf, 0]}, r"earliest\[1\] = inf"),
        ({"coords": XY, "latest": [0, np.nan, 0]}, r"latest: value at index 1 is NaN"),
        ({"coords": XY, "demand": [0, 1.5, 1], "capacity": 3}, r"demand\[1\] = 1.5"),
        ({"coords": XY, "demand": [1, 1, 1], "capacity": 3}, r"demand\[0\]"),
        ({"coords": XY, "demand": [0, 1, 1]}, "capacity: demand is given"),
        ({"coords": XY, "capacity": -1}, "capacity = -1"),
        ({"coords": XY, "n_vehicles": 0}, "n_vehicles = 0"),
        ({"coords": XY, "n_vehicles": 1.5}, "n_vehicles = 1.5"),
        ({"coords": XY, "shift_duration": 0}, "shift_duration = 0"),
        ({"coords": XY, "shift_start": [1, 2]}, "shift_start: one value per vehicle needs"),
        (
            {"coords": XY, "n_vehicles": 2, "shift_start": [1, 2, 3]},
            "shift_start: expected 2 values",
        ),
        (
            {"coords": XY, "n_vehicles": 2, "shift_start": [0, 100], "shift_end": 50},
            r"shift_end = 50.0 is before shift_start = 100.0 \(vehicle 1\)",
        ),
        ({"coords": [[0, 0], [1]]}, "coords"),
    ],
)
def test_validation(kwargs, match):
    with pytest.raises(InputError, match=match):
        VRPTWInstance(**kwargs)


def test_vehicle_shifts_bounded_by_depot_window():
    inst = VRPTWInstance(
        coords=XY,
        earliest=[420, 0, 0],
        latest=[1320, 2000, 2000],
        n_vehicles=3,
        shift_start=[400, 480, 840],
        shift_end=[900, 960, 1400],
    )
    start, end = inst.vehicle_shifts()
    assert_array_equal(start, [420, 480, 840])
    assert_array_equal(end, [900, 960, 1320])
    start, end = VRPTWInstance(coords=XY, earliest=[10, 0, 0]).vehicle_shifts(2)
    assert_array_equal(start, [10, 10])
    assert np.isinf(end).all()


def test_subset_renumbers():
    inst = VRPTWInstance(
        coords=XY, service=[0, 5, 7], latest=[100, 50, 60], demand=[0, 1, 2], capacity=3
    )
    sub = inst.subset([2])
    assert sub.n_clients == 1
    assert sub.distance[0, 1] == pytest.approx(10.0)
    assert sub.service[1] == 7 and sub.latest[1] == 60 and sub.demand[1] == 2
    with pytest.raises(InputError, match=r"indices must be in 1\.\.2"):
        inst.subset([3])
    with pytest.raises(InputError, match="repeated"):
        inst.subset([1, 1])


def test_scaling_rounds_times_conservatively():
    inst = VRPTWInstance(
        distance=[[0, 1.2345], [1.2345, 0]],
        duration=[[0, 1.2345], [1.2345, 0]],
        service=[0, 0.001],
        earliest=[0, 0.001],
        latest=[10, 9.999],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrecisionWarning)
        data = scale_instance(inst)
    assert data.distance[0, 1] == round(1.2345 * DISTANCE_SCALE)
    assert data.duration[0, 1] == math.ceil(1.2345 * TIME_SCALE)  # travel rounded up
    assert data.service[1] == 1  # 0.001 min rounds up to 0.01 min
    assert data.earliest[1] == 1  # earliest rounded up
    assert data.latest[1] == 999  # latest rounded down
    assert data.horizon == 1000


def test_precision_warning_for_coarse_units():
    inst = VRPTWInstance(coords=[[0, 0], [0.01, 0]], duration=[[0, 5], [5, 0]], latest=[10, 10])
    with pytest.warns(PrecisionWarning, match="distance: mean positive value 0.01"):
        scale_instance(inst)


def test_overflow_is_an_error():
    inst = VRPTWInstance(coords=[[0, 0], [1e13, 0]])
    with pytest.raises(InputError, match="overflow"):
        scale_instance(inst)


def test_servability_reasons():
    xy = np.array([[0, 0], [0, 100], [0, 10], [0, 20], [0, 30]], dtype=float)
    inst = VRPTWInstance(
        coords=xy,
        service=[0, 5, 500, 5, 5],
        earliest=[0, 0, 0, 0, 195],
        latest=[200, 50, 1000, 100, 200],
        demand=[0, 1, 1, 9, 1],
        capacity=5,
        shift_duration=300,
    )
    found = unservable(inst)
    assert sorted(found) == [1, 2, 3, 4]
    codes = {i: code for i, (code, _) in found.items()}
    # client 1: 100 out and 100 back plus 5 minutes of service do not fit the 200-minute day
    assert codes == {1: "longer_than_shift", 2: "longer_than_shift", 3: "over_capacity",
                     4: "outside_time_window"}
    reasons = {i: text for i, (_, text) in found.items()}
    assert "takes 205.00 min, more than the longest shift (200.00 min)" in reasons[1]
    assert "more than shift_duration" in reasons[2]
    assert reasons[3] == "demand 9 > capacity 5"
    assert "return to the office" in reasons[4]


def test_visit_longer_than_the_shift_window_is_longer_than_shift():
    # no shift_duration, but the depot is open 100 minutes: a 150-minute visit cannot fit
    xy = np.array([[0, 0], [0, 10], [0, 20]], dtype=float)
    inst = VRPTWInstance(coords=xy, service=[0, 150, 30], latest=[100, 100, 100])
    found = unservable(inst)
    assert list(found) == [1]
    code, text = found[1]
    assert code == "longer_than_shift" and "longest shift (100.00 min)" in text


def test_routing_and_travel_import_nothing_above_the_engines():
    """Layers (issue 12): core -> engines -> domain -> studies; routing/ and travel.py
    import only the core and routing itself, not even lazily inside functions."""
    import ast

    import hemopt

    root = Path(hemopt.__file__).parent
    # the core layer, as the import-linter contract in pyproject.toml lists it
    import tomllib

    project = Path(__file__).resolve().parents[1]
    layers = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"][0]["layers"]
    allowed = {m.strip() for m in layers[-1].split(":")}
    files = [root / "travel.py", *sorted((root / "routing").glob("*.py"))]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("hemopt") and name != "hemopt":
                    assert name in allowed or name.startswith("hemopt.routing"), (
                        f"{path.name} imports {name}")
                assert name != "hemopt", f"{path.name} imports the whole package"
