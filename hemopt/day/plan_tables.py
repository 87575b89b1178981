"""Typed reading of route-plan's tables: every cell checked where the data enters.

:class:`Table` wraps one table (visits, staff, breaks, a manual plan, a travel matrix) and
reads columns as numbers, clock times, integers or id lists. A bad cell raises an
:class:`~hemopt.errors.InputError` naming the table, the row's id, the column and the value,
and how to fix it; times are shown as HH:MM. Clock times are ``"HH:MM"`` (or minutes after
midnight as a number) between 00:00 and 36:00 (a night shift may end after midnight); the
Swedish ``8.30`` is 08:30.

Examples
--------
>>> import pandas as pd
>>> t = Table(pd.DataFrame({"visit": ["v1", "v2"], "duration": ["20", "20 min"]}),
...           "visits", "visit")
>>> try:
...     t.number("duration", lo=0)
... except Exception as err:
...     print(err)
visits table, visit 'v2', column 'duration': must be a number (minutes), got '20 min'
>>> Table(pd.DataFrame({"visit": ["v1", "v2"], "at": ["08:30", "8.30"]}), "visits",
...       "visit").clock("at")
array([510., 510.])
>>> hhmm(1530)
'25:30'
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from hemopt.errors import InputError
from hemopt.tables import cell_float

__all__ = ["CLOCK_MAX_MIN", "Table", "check_matrix", "hhmm"]

#: Latest clock time accepted (36:00, minutes after midnight of the day planned).
CLOCK_MAX_MIN = 36 * 60
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_CLOCK_SV = re.compile(r"^(\d{1,2})\.(\d{2})$")


def hhmm(minutes: float) -> str:
    """Minutes after midnight as ``HH:MM`` (rounded to the minute; 25:30 is 01:30 the day
    after)."""
    if minutes is None or not np.isfinite(minutes):
        return str(minutes)
    m = round(float(minutes))
    sign = "-" if m < 0 else ""
    m = abs(m)
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def _blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _printable(s: str) -> bool:
    return s.isprintable() and s == s.strip() and s != ""


class Table:
    """One input table, read column by column with checks.

    Parameters
    ----------
    df : DataFrame
    name : str
        The table's name in messages (``visits``, ``staff``, ...).
    id_column : str or None
        The column whose value names a row in messages (else the row's line: the header is
        line 1).
    """

    def __init__(self, df: pd.DataFrame, name: str, id_column: str | None,
                 duplicate_hint: str = ""):
        if not isinstance(df, pd.DataFrame):
            raise InputError(f"{name} table must be a DataFrame, got {type(df).__name__}")
        self.df = df
        self.name = name
        self.id_column = id_column
        self.n = len(df)
        if id_column is not None:
            self.need([id_column])
            self.ids = [self._id_text(i, v) for i, v in enumerate(df[id_column])]
            seen: dict[str, int] = {}
            for i, v in enumerate(self.ids):
                if v in seen:
                    raise InputError(f"{name} table, column {id_column!r}: duplicate id {v!r} "
                                     f"(lines {seen[v] + 2} and {i + 2}); ids must be unique"
                                     f"{duplicate_hint}")
                seen[v] = i
        else:
            self.ids = [f"line {i + 2}" for i in range(self.n)]

    def _id_text(self, i: int, v) -> str:
        if _blank(v):
            raise InputError(f"{self.name} table, line {i + 2}, column {self.id_column!r}: "
                             f"missing id")
        s = str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v)
        if not _printable(s) or "\x00" in s:
            raise InputError(f"{self.name} table, line {i + 2}, column {self.id_column!r}: "
                             f"an id must be printable text without leading or trailing "
                             f"spaces, got {s!r}")
        return s

    def where(self, i: int, column: str) -> str:
        """``visits table, visit 'v2', column 'duration'``."""
        row = (f"{self.id_column} {self.ids[i]!r}" if self.id_column is not None
               else self.ids[i])
        return f"{self.name} table, {row}, column {column!r}"

    def error(self, i: int, column: str, message: str, value=None) -> InputError:
        """An error naming the table, the row's id, the column and the value."""
        text = f"{self.where(i, column)}: {message}"
        if value is not None:
            text += f", got {value!r}"
        return InputError(text)

    def has(self, column: str) -> bool:
        """True when the table has the column."""
        return column in self.df.columns

    def need(self, columns) -> None:
        """Refuse a table without these columns."""
        missing = [c for c in columns if c not in self.df.columns]
        if missing:
            raise InputError(f"{self.name} table: missing column(s) {missing}; has "
                             f"{[str(c) for c in self.df.columns]}")

    def text(self, column: str, default: str = "") -> list[str]:
        """The column as stripped text (blank: ``default``)."""
        if not self.has(column):
            return [default] * self.n
        out = []
        for v in self.df[column]:
            if _blank(v):
                out.append(default)
            elif isinstance(v, float) and v.is_integer():
                out.append(str(int(v)))
            else:
                out.append(str(v).strip())
        return out

    def ids_of(self, column: str) -> list[list[str]]:
        """The column as lists of ids separated by ``;`` or ``|`` (``|`` where ``;`` is the
        file's own delimiter), as in the client lists."""
        return [[s.strip() for s in re.split(r"[;|]", v) if s.strip()]
                for v in self.text(column)]

    def number(self, column: str, *, default: float | None = None, lo: float | None = None,
               hi: float | None = None, integer: bool = False, positive: bool = False,
               unit: str = "minutes") -> np.ndarray:
        """The column as finite numbers in ``[lo, hi]`` (``> 0`` with ``positive``).

        Blank cells (or a missing column) take ``default``; without one they are refused.
        """
        if not self.has(column):
            if default is None:
                self.need([column])  # raises: the column is required
            return np.full(self.n, default, dtype=float)
        out = np.empty(self.n)
        for i, v in enumerate(self.df[column]):
            if _blank(v):
                if default is None:
                    raise self.error(i, column, f"missing value ({unit})")
                out[i] = default
                continue
            x = self._float(i, column, v, unit)
            if integer and not float(x).is_integer():
                raise self.error(i, column, "must be a whole number", v)
            if positive and not x > 0:
                raise self.error(i, column, f"must be > 0 ({unit})", v)
            if lo is not None and x < lo:
                raise self.error(i, column, f"must be >= {lo:g} ({unit})", v)
            if hi is not None and x > hi:
                raise self.error(i, column, f"must be <= {hi:g} ({unit})", v)
            out[i] = x
        return out

    def _float(self, i, column, v, unit) -> float:
        x = cell_float(v)
        if x is None:
            raise self.error(i, column, f"must be a number ({unit})", v)
        if not math.isfinite(x):
            raise self.error(i, column, f"must be a finite number ({unit})", v)
        return x

    def clock(self, column: str, default: float | None = None) -> np.ndarray:
        """The column as minutes after midnight: ``"HH:MM"`` (or ``HH:MM:SS``) or a number of
        minutes, between 00:00 and 36:00."""
        if not self.has(column):
            if default is None:
                self.need([column])  # raises: the column is required
            return np.full(self.n, default, dtype=float)
        out = np.empty(self.n)
        fix = "give a clock time HH:MM between 00:00 and 36:00 (or minutes after midnight)"
        for i, v in enumerate(self.df[column]):
            if _blank(v):
                if default is None:
                    raise self.error(i, column, f"missing time; {fix}")
                out[i] = default
                continue
            if isinstance(v, str) and ":" in v:
                m = _CLOCK.match(v.strip())
                if not m or int(m.group(2)) >= 60 or (m.group(3) and int(m.group(3)) >= 60):
                    raise self.error(i, column, f"not a clock time; {fix}", v)
                x = 60 * int(m.group(1)) + int(m.group(2)) + int(m.group(3) or 0) / 60
            elif isinstance(v, str) and (m := _CLOCK_SV.match(v.strip())):
                # Swedish clock notation, kl. 8.30 (Språkrådet): hours, a point, two-digit
                # minutes. A decimal comma (8,30) or one digit (8.5) could be hours: refused
                if int(m.group(2)) >= 60:
                    raise self.error(i, column, f"not a clock time; {fix}", v)
                x = 60 * int(m.group(1)) + int(m.group(2))
            else:
                if isinstance(v, str) and re.fullmatch(r"\s*\d{1,2}[.,]\d{1,2}\s*", v):
                    raise self.error(i, column, "ambiguous: a clock time with a comma, or "
                                     "decimal hours? write it as HH:MM (8.30 and 08:30 are "
                                     "read as 08:30; or whole minutes after midnight)", v)
                try:
                    x = self._float(i, column, v, "minutes after midnight")
                except InputError:
                    raise self.error(i, column, f"not a clock time; {fix}", v) from None
                if 0 < x < 1:
                    raise self.error(i, column, f"a fraction of a minute after midnight: an "
                                     f"Excel time as a fraction of a day ({hhmm(x * 1440)})? "
                                     f"{fix}", v)
            if not 0 <= x <= CLOCK_MAX_MIN:
                raise self.error(i, column, f"outside 00:00-36:00; {fix}", v)
            out[i] = x
        return out


def check_matrix(df: pd.DataFrame, what: str, unit: str) -> np.ndarray:
    """A square matrix labelled by place on both axes, every cell a finite number >= 0.

    Returns it as floats (rows and columns in the order of the rows).

    >>> m = pd.DataFrame([[0, "ten"], [10, 0]], index=["a", "b"], columns=["a", "b"])
    >>> try:
    ...     check_matrix(m, "--matrix car", "minutes")
    ... except Exception as err:
    ...     print(err)
    --matrix car, row 'a', column 'b': must be a number >= 0 (minutes), got 'ten'
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"{what} must be a DataFrame labelled by place on both axes, got "
                         f"{type(df).__name__}")
    rows = [str(x) for x in df.index]
    cols = [str(x) for x in df.columns]
    for label, axis in ((rows, "row"), (cols, "column")):
        dup = sorted({x for x in label if label.count(x) > 1})
        if dup:
            raise InputError(f"{what}: {axis} label {dup[0]!r} appears twice")
    if set(rows) != set(cols):
        only = sorted(set(rows) ^ set(cols))[:5]
        raise InputError(f"{what}: rows and columns must be the same places; {only} are on "
                         f"one axis only")
    out = np.empty((len(rows), len(rows)))
    cpos = {c: j for j, c in enumerate(cols)}
    values = df.to_numpy(object)
    for a, r in enumerate(rows):
        for b, c in enumerate(rows):
            v = values[a, cpos[c]]
            try:
                x = float(str(v).strip().replace(",", ".")) if isinstance(v, str) else float(v)
            except (TypeError, ValueError):
                x = float("nan")
            if isinstance(v, bool) or not (math.isfinite(x) and x >= 0):
                raise InputError(f"{what}, row {r!r}, column {c!r}: must be a number >= 0 "
                                 f"({unit}), got {v!r}")
            out[a, b] = x
    return out
