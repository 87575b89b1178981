"""Reading and writing Solomon-format files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from hemopt.errors import InputError
from hemopt.routing import read_solomon, write_solomon
from hemopt.routing.vrptw import VRPTWInstance

DATA = Path(__file__).parent / "data"
C8 = DATA / "hemopt_c8.txt"

GOOD = """\
TINY

VEHICLE
NUMBER     CAPACITY
  2          10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0        100          0
    1      3          4          1          0         50          5
    2      6          8          2         10         60          5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inst.txt"
    path.write_text(text)
    return path


def test_read_c8():
    inst = read_solomon(C8)
    assert inst.name == "HEMOPT_C8"
    assert inst.n_clients == 8
    assert inst.n_vehicles == 4
    assert inst.capacity == 60
    assert_array_equal(inst.demand, [0, 10, 20, 10, 20, 10, 20, 10, 30])
    assert inst.earliest[2] == 30 and inst.latest[2] == 150
    assert inst.service[0] == 0 and inst.service[5] == 10
    # full-precision Euclidean distances, durations equal
    assert inst.distance[0, 1] == pytest.approx(math.hypot(5, 18))
    assert_array_equal(inst.duration, inst.distance)


def test_read_tiny(tmp_path):
    inst = read_solomon(write(tmp_path, GOOD))
    assert_allclose(inst.distance[0], [0, 5, 10])
    assert inst.latest[0] == 100


def test_round_trip(tmp_path):
    inst = read_solomon(C8)
    out = tmp_path / "c8.txt"
    write_solomon(inst, out)
    back = read_solomon(out)
    for name in ("coords", "distance", "duration", "service", "earliest", "latest", "demand"):
        assert_array_equal(getattr(back, name), getattr(inst, name), err_msg=name)
    assert (back.capacity, back.n_vehicles, back.name) == (60, 4, "HEMOPT_C8")


def test_write_floats_and_defaults(tmp_path):
    inst = VRPTWInstance(coords=[[0.5, 0.25], [1.125, 3.0]], service=[0, 2.5], latest=[60.0, 30.0])
    out = tmp_path / "f.txt"
    write_solomon(inst, out)
    back = read_solomon(out)
    assert_array_equal(back.coords, inst.coords)
    assert back.service[1] == 2.5
    assert back.n_vehicles == 1 and back.capacity == 1


def test_write_needs_coords_and_finite_windows(tmp_path):
    with pytest.raises(InputError, match="coords"):
        write_solomon(VRPTWInstance(distance=np.zeros((2, 2))), tmp_path / "x.txt")
    with pytest.raises(InputError, match=r"latest\[0\] = inf"):
        write_solomon(VRPTWInstance(coords=[[0, 0], [1, 1]]), tmp_path / "x.txt")


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda t: "", "empty"),
        (
            lambda t: t.replace("VEHICLE\n", "VEHICLES?\n").replace("VEHICLES?", "TRUCK"),
            "line 3: expected the VEHICLE section",
        ),
        (lambda t: t.replace("  2          10", "  2"), r"line 5: expected 2 numbers"),
        (lambda t: t.replace("  2          10", "  0          10"), "line 5: vehicle number"),
        (lambda t: t.replace("CUSTOMER\n", ""), "line 7: expected the CUSTOMER section"),
        (lambda t: t.split("CUSTOMER")[0], "no CUSTOMER section"),
        (
            lambda t: t.replace(
                "    1      3          4          1          0         50          5",
                "    1      3          4          1          0         50",
            ),
            r"line 11: expected 7 numbers \(CUST NO\., XCOORD\.",
        ),
        (
            lambda t: t.replace("    2      6", "    3      6"),
            "line 12: customer number 3, expected 2",
        ),
        (lambda t: t.replace("10         60", "70         60"), "line 12: DUE DATE 60 is before"),
        (
            lambda t: t.replace(
                "    1      3          4          1", "    1      3          4        1.5"
            ),
            "line 11: DEMAND 1.5",
        ),
        (
            lambda t: t.replace(
                "    1      3          4          1", "    1      x          4          1"
            ),
            "line 11: expected 7 numbers",
        ),
        (lambda t: t.replace("100          0", "100          3"), "line 10: the depot"),
        (lambda t: t.split("\n    0")[0], "no rows"),
    ],
)
def test_malformed(tmp_path, edit, match):
    path = write(tmp_path, edit(GOOD))
    with pytest.raises(InputError, match=match) as info:
        read_solomon(path)
    if "line" in match:
        assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_solomon(tmp_path / "nope.txt")
