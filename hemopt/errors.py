"""Errors raised by hemopt.

Every error names what was wrong: the table or argument, the row where there is one, the field
and the offending value, so that a user can fix the input without reading a traceback from
inside a solver.
"""

from __future__ import annotations

from typing import Any


class HemoptError(Exception):
    """Base class of every error hemopt raises on purpose."""


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
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        row: Any = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        self.table = table
        self.row = row
        self.field = field
        self.value = value
        where = []
        if table is not None:
            where.append(f"table {table!r}")
        if row is not None:
            where.append(f"row {row!r}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        text = f"{prefix}: {message}" if prefix else message
        if value is not None:
            text += f" (value: {value!r})"
        super().__init__(text)


class InputError(HemoptError, ValueError):
    """Invalid argument to a numerical routine (shape, NaN, negative capacity, ...).

    The message names the argument and the offending value or index.
    """


class InfeasibleError(HemoptError):
    """A model has no solution and no penalty arc that could absorb the shortfall."""


class SolverError(HemoptError, RuntimeError):
    """A solver returned a status hemopt cannot interpret as a solution."""
