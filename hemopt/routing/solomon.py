"""Read and write VRPTW instances in Solomon's text format.

The format (Solomon 1987; the C101, R101, ... benchmark files)::

    C101

    VEHICLE
    NUMBER     CAPACITY
      25         200

    CUSTOMER
    CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

        0      40         50          0          0       1236          0
        1      45         68         10        912        967         90

Row 0 is the depot; its READY TIME and DUE DATE are the working day. Distances are Euclidean
at full precision (no rounding or truncation) and durations equal distances, as in most of the
literature since Solomon. ``VEHICLE NUMBER`` becomes :attr:`VRPTWInstance.n_vehicles`: a fleet
limit, not a fixed fleet (the objective is the total distance).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from hemopt.errors import InputError
from hemopt.routing.instance import VRPTWInstance

__all__ = ["read_solomon", "write_solomon"]

_COLUMNS = ("CUST NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE", "SERVICE TIME")


def _numbers(
    path: os.PathLike[str] | str, lineno: int, line: str, n: int, what: str
) -> list[float]:
    parts = line.split()
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != n or len(parts) != n or not all(math.isfinite(v) for v in values):
        raise InputError(
            f"{path}, line {lineno}: expected {n} numbers ({what}), got {line.strip()!r}"
        )
    return values


def read_solomon(path: os.PathLike[str] | str) -> VRPTWInstance:
    """Read a Solomon-format VRPTW file.

    Parameters
    ----------
    path
        The text file.

    Returns
    -------
    VRPTWInstance
        With ``coords``, Euclidean ``distance`` = ``duration``, ``service``, ``earliest``,
        ``latest``, ``demand``, ``capacity``, ``n_vehicles`` and ``name`` from the file.

    Raises
    ------
    InputError
        A missing section, a malformed or out-of-order customer row, a window that ends before
        it starts: the message names the file and line.

    Examples
    --------
    Write a small instance and read it back:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> import hemopt
    >>> from hemopt.routing import VRPTWInstance, write_solomon
    >>> xy = np.array([[0, 0], [0, 10], [10, 10], [10, 0]], dtype=float)
    >>> inst = VRPTWInstance(coords=xy, service=[0, 5, 5, 5], earliest=[0, 0, 0, 0],
    ...                      latest=[100, 100, 100, 100], name="square")
    >>> path = Path(tempfile.mkdtemp()) / "square.txt"
    >>> write_solomon(inst, path)
    >>> back = hemopt.read_solomon(path)
    >>> back.name, back.n_clients, back.distance[0, 2].round(3)
    ('square', 3, np.float64(14.142))
    >>> hemopt.solve_vrptw(back, time_limit_s=None, max_iterations=100).distance
    40.0
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"path: cannot read {str(path)!r}: {exc.strerror}") from exc
    lines = [(i + 1, line) for i, line in enumerate(text.splitlines()) if line.strip()]
    if not lines:
        raise InputError(f"{path}: the file is empty")
    it = iter(lines)
    _, name = next(it)
    name = name.strip()

    def expect(keyword: str, after: str) -> None:
        for lineno, line in it:
            if line.strip().upper().startswith(keyword):
                return
            raise InputError(
                f"{path}, line {lineno}: expected the {keyword} section {after}, got "
                f"{line.strip()!r}"
            )
        raise InputError(f"{path}: no {keyword} section {after}")

    expect("VEHICLE", "after the name on the first line")
    n_vehicles = capacity = None
    for lineno, line in it:
        if any(c.isalpha() for c in line):  # the NUMBER CAPACITY header
            continue
        n_vehicles, capacity = _numbers(path, lineno, line, 2, "VEHICLE NUMBER, CAPACITY")
        if (
            n_vehicles < 1
            or not n_vehicles.is_integer()
            or capacity < 0
            or not capacity.is_integer()
        ):
            raise InputError(
                f"{path}, line {lineno}: vehicle number must be an integer >= 1 and capacity "
                f"an integer >= 0, got {line.strip()!r}"
            )
        break
    if n_vehicles is None or capacity is None:
        raise InputError(f"{path}: no VEHICLE NUMBER and CAPACITY line")
    expect("CUSTOMER", "after the vehicle line")

    rows: list[list[float]] = []
    for lineno, line in it:
        if not rows and any(c.isalpha() for c in line):  # the column header
            continue
        row = _numbers(path, lineno, line, 7, ", ".join(_COLUMNS))
        if row[0] != len(rows):
            raise InputError(
                f"{path}, line {lineno}: customer number {row[0]:g}, expected {len(rows)} "
                "(customers must be numbered 0, 1, 2, ... with the depot first)"
            )
        if row[3] < 0 or not row[3].is_integer():
            raise InputError(f"{path}, line {lineno}: DEMAND {row[3]:g} must be an integer >= 0")
        if row[5] < row[4]:
            raise InputError(
                f"{path}, line {lineno}: DUE DATE {row[5]:g} is before READY TIME {row[4]:g}"
            )
        if row[6] < 0:
            raise InputError(f"{path}, line {lineno}: SERVICE TIME {row[6]:g} is negative")
        if not rows and (row[3] != 0 or row[6] != 0):
            raise InputError(
                f"{path}, line {lineno}: the depot (customer 0) must have DEMAND 0 and "
                f"SERVICE TIME 0, got {row[3]:g} and {row[6]:g}"
            )
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: the CUSTOMER table has no rows")
    data = np.asarray(rows)
    return VRPTWInstance(
        coords=data[:, 1:3],
        demand=data[:, 3].astype(np.int64),
        earliest=data[:, 4],
        latest=data[:, 5],
        service=data[:, 6],
        capacity=int(capacity),
        n_vehicles=int(n_vehicles),
        name=name,
    )


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def write_solomon(instance: VRPTWInstance, path: os.PathLike[str] | str) -> None:
    """Write ``instance`` in Solomon's format.

    Only coordinates, demands, windows and service times are written: reading the file
    back gives Euclidean distances and durations equal to them. Shift limits are not part of
    the format and are not written.

    Raises
    ------
    InputError
        The instance has no coordinates, or a non-finite window (``latest = inf``).
    """
    if instance.coords is None:
        raise InputError("instance.coords: the Solomon format needs coordinates")
    bad = np.flatnonzero(~np.isfinite(instance.latest))
    if len(bad):
        i = int(bad[0])
        raise InputError(f"instance.latest[{i}] = inf; the Solomon format needs finite windows")
    n = instance.n_clients + 1
    demand = np.zeros(n, dtype=np.int64) if instance.demand is None else instance.demand
    capacity = instance.capacity if instance.capacity is not None else max(int(demand.sum()), 1)
    n_vehicles = instance.n_vehicles if instance.n_vehicles is not None else max(n - 1, 1)
    out = [
        instance.name or "hemopt",
        "",
        "VEHICLE",
        "NUMBER     CAPACITY",
        f"  {n_vehicles:<10d} {capacity}",
        "",
        "CUSTOMER",
        "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME",
        "",
    ]
    for i in range(n):
        x, y = instance.coords[i]
        fields = (i, x, y, demand[i], instance.earliest[i], instance.latest[i], instance.service[i])
        out.append("  ".join(f"{_fmt(v):>10}" for v in fields))
    Path(path).write_text("\n".join(out) + "\n")
