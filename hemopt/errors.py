"""Errors raised by hemopt.

Every error names what was wrong: the table or argument, the row where there is one, the field
and the offending value, so that a user can fix the input without reading a traceback from
inside a solver.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any


class HemoptError(Exception):
    """Base class of every error hemopt raises on purpose.

    Catch it to handle any hemopt error; the subclasses say what kind.

    Examples
    --------
    >>> import hemopt
    >>> try:
    ...     hemopt.generate("uppsala")
    ... except hemopt.HemoptError as err:
    ...     print(type(err).__name__, err)
    InputError unknown preset 'uppsala'; choose one of ['botkyrka', 'strangnas']
    """


class ScenarioError(HemoptError, ValueError):
    """Invalid scenario data.

    Parameters
    ----------
    message
        What is wrong.
    table
        The table (``clients``, ``providers``, ...) where the problem is.
    row
        The id of the offending row, if one row is at fault.
    field
        The column at fault.
    value
        The offending value.
    file
        The file the data came from, as the user named it (for data read from CSV or Excel).
    line
        The line of ``file`` as a spreadsheet shows it: the header is line 1. When ``file`` or
        ``line`` is given, the message calls ``field`` a column.

    Examples
    --------
    >>> from hemopt.errors import ScenarioError
    >>> err = ScenarioError("must be a finite number >= 0", table="clients", row="c7",
    ...                     field="hours_per_week", value=-2.0)
    >>> print(err)
    table 'clients', row 'c7', field 'hours_per_week': must be a finite number >= 0 (value: -2.0)
    >>> err.table, err.row, err.field, err.value
    ('clients', 'c7', 'hours_per_week', -2.0)

    Errors in a file name the file and the line instead of the table and row:

    >>> print(ScenarioError("must be a number >= 0", table="clients", file="clients.csv",
    ...                     line=5, field="hours_per_week", value="-2"))
    clients.csv, line 5, column 'hours_per_week': must be a number >= 0 (value: '-2')
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        row: Any = None,
        field: str | None = None,
        value: Any = None,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        if type(value).__module__ == "numpy" and hasattr(value, "item"):
            value = value.item()  # np.float64(-2.0) reads as -2.0
        if type(row).__module__ == "numpy" and hasattr(row, "item"):
            row = row.item()
        self.table = table
        self.row = row
        self.field = field
        self.value = value
        self.file = file
        self.line = line
        where = []
        if file is not None:
            where.append(str(file))
        elif table is not None:
            where.append(f"table {table!r}")
        if line is not None:
            where.append(f"line {line}")
        if row is not None:
            where.append(f"row {row!r}")
        if field is not None:
            in_file = file is not None or line is not None
            where.append(f"{'column' if in_file else 'field'} {field!r}")
        prefix = ", ".join(where)
        text = f"{prefix}: {message}" if prefix else message
        if value is not None:
            text += f" (value: {value!r})"
        super().__init__(text)


class InputError(HemoptError, ValueError):
    """Invalid argument to a numerical routine (shape, NaN, negative capacity, ...).

    The message names the argument and the offending value or index. It is a ``ValueError``.

    Examples
    --------
    >>> import hemopt
    >>> try:
    ...     hemopt.LOU(external_share=1.5)
    ... except hemopt.InputError as err:
    ...     print(err)
    external_share must be a share in [0, 1], got 1.5
    """


#: The rules :func:`check_fields` knows: rule -> (the test, what the message says it must be).
FIELD_RULES: dict[str, tuple[Any, str]] = {
    "finite": (lambda v: True, "a finite number"),
    ">=0": (lambda v: v >= 0, "a finite number >= 0"),
    ">0": (lambda v: v > 0, "a finite number > 0"),
    "0..1": (lambda v: 0 <= v <= 1, "a finite number in [0, 1]"),
    "int>=0": (lambda v: v >= 0 and float(v).is_integer(), "a whole number >= 0"),
    "int>=1": (lambda v: v >= 1 and float(v).is_integer(), "a whole number >= 1"),
}


def check_fields(obj: Any, rules: Mapping[str, str], *, owner: str | None = None) -> None:
    """Check numeric fields of a parameter object, raising :class:`InputError` on the first bad
    one, named as ``Owner.field`` with its value.

    The one check behind the ``__post_init__`` of hemopt's frozen parameter dataclasses:
    every value must be a real number (not a bool, not NaN or infinite) satisfying its rule.

    Parameters
    ----------
    obj
        The object whose attributes are checked.
    rules
        Field name -> rule, one of :data:`FIELD_RULES`: ``"finite"``, ``">=0"``, ``">0"``,
        ``"0..1"``, ``"int>=0"``, ``"int>=1"``.
    owner
        The name the message gives the object (default: its class name).

    Raises
    ------
    InputError
        Naming the field and the value, e.g. ``ChoiceModel.inertia must be a finite number,
        got nan``.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from hemopt.errors import InputError, check_fields
    >>> @dataclass
    ... class Tariff:
    ...     sek_per_hour: float = 300.0
    ...     share: float = 0.5
    >>> check_fields(Tariff(), {"sek_per_hour": ">=0", "share": "0..1"})
    >>> try:
    ...     check_fields(Tariff(sek_per_hour=-1.0), {"sek_per_hour": ">=0"})
    ... except InputError as err:
    ...     print(err)
    Tariff.sek_per_hour must be a finite number >= 0, got -1.0
    >>> try:
    ...     check_fields(Tariff(share=True), {"share": "0..1"}, owner="tender")
    ... except InputError as err:
    ...     print(err)
    tender.share must be a finite number in [0, 1], got True
    """
    name = owner if owner is not None else type(obj).__name__
    for field, rule in rules.items():
        if rule not in FIELD_RULES:
            raise ValueError(f"check_fields: unknown rule {rule!r} for {field!r}; "
                             f"choose one of {sorted(FIELD_RULES)}")
        test, must = FIELD_RULES[rule]
        v = getattr(obj, field)
        ok = (isinstance(v, numbers.Real) and not isinstance(v, bool)
              and type(v).__name__ != "bool_" and math.isfinite(v) and test(v))
        if not ok:
            raise InputError(f"{name}.{field} must be {must}, got {v!r}")


class InfeasibleError(HemoptError):
    """A model has no solution and no penalty arc that could absorb the shortfall.

    Examples
    --------
    Two clients who must be served, one place:

    >>> import hemopt
    >>> try:
    ...     hemopt.min_cost_assignment([[1.0], [2.0]], capacity=[1])
    ... except hemopt.InfeasibleError as err:
    ...     print(type(err).__name__)
    InfeasibleError
    """


class SolverError(HemoptError, RuntimeError):
    """A solver returned a status hemopt cannot interpret as a solution.

    It is a ``RuntimeError``; the message names the solver and its status, and usually how to
    get a solution (a longer time limit, another backend).

    Examples
    --------
    >>> import hemopt
    >>> issubclass(hemopt.SolverError, RuntimeError)
    True
    """


class OutputError(HemoptError):
    """An output path hemopt cannot or will not write.

    Raised before any computing starts: the path is a file where a folder is expected (or a
    folder where a file is expected), its folder is not writable, it is an existing file of
    another kind that hemopt will not overwrite, or another hemopt run is writing to it. The
    message names the option, the path and what to do.

    Examples
    --------
    >>> import hemopt
    >>> issubclass(hemopt.OutputError, hemopt.HemoptError)
    True
    """


class PlausibilityWarning(UserWarning):
    """Input that is valid but unlikely to be what the user meant, and changes the results.

    For example a client tens of kilometres from every other client and office when no
    boundary is given: the default boundary (their convex hull) would silently grow to cover
    it. The message names the table, the row, the value and what to check.

    Examples
    --------
    >>> from hemopt.errors import PlausibilityWarning
    >>> issubclass(PlausibilityWarning, UserWarning)
    True
    """


class DroppedColumnWarning(UserWarning):
    """A column of an input table that hemopt did not understand or does not use, and drops.

    The message names the file or table and the column (and, for a column that looks like a
    known one in another spelling, the name it expected). Personal data (names,
    personnummer) is dropped on purpose: keep a column with ``keep_columns`` /
    ``--keep-column``.

    Examples
    --------
    >>> from hemopt.errors import DroppedColumnWarning
    >>> w = DroppedColumnWarning("dropped 'Telefon'", table="clients", column="Telefon")
    >>> w.table, w.column
    ('clients', 'Telefon')
    """

    def __init__(self, message: str, *, table: str | None = None,
                 column: str | None = None) -> None:
        super().__init__(message)
        self.table = table
        self.column = column


class MissingColumnWarning(UserWarning):
    """An optional column is missing from input data, and its default changes the results.

    The message names the table, the column, the default used and the consequence, for example
    that "first choice met" is undefined in every regime when ``clients.ranking`` is missing.

    Parameters
    ----------
    message
        The warning text.
    table, column
        Where the column was expected.

    Examples
    --------
    >>> from hemopt.errors import MissingColumnWarning
    >>> w = MissingColumnWarning("no ranking", table="clients", column="ranking")
    >>> w.table, w.column, str(w)
    ('clients', 'ranking', 'no ranking')
    """

    def __init__(self, message: str, *, table: str | None = None,
                 column: str | None = None) -> None:
        super().__init__(message)
        self.table = table
        self.column = column
