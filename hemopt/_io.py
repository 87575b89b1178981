"""Safe output: checks before any work, atomic writes, one run per output.

Core layer: imports nothing from hemopt but :mod:`hemopt.errors`.

- :func:`check_folder` and :func:`check_file` refuse an output path before any computing
  starts: a file where a folder is expected, a folder where a file is expected, a folder that
  cannot be written, an existing file of another kind (hemopt overwrites only what it could
  have written itself: a GeoPackage with a GeoPackage, a Parquet file with a Parquet file).
- :func:`atomic_path` and :func:`atomic_write_text` write to a temporary file in the same
  folder and rename it over the target (``os.replace``): a reader, an interrupted run or a
  second run sees the old file or the new one, never half of one.
- :func:`output_lock` holds an exclusive lock on an output (a folder, or one file) for the
  whole run; a second run on the same output fails at once with an error naming the first
  run's process id. The lock is an ``fcntl.flock`` on a lock file, so a killed run never
  leaves a stale lock behind.
- :func:`write_csv` and :func:`write_excel` write tables for spreadsheets atomically, with
  every text cell that a spreadsheet would run as a formula neutralised
  (:func:`neutralise_cell`, OWASP "CSV injection"): a staff id ``=HYPERLINK(...)`` is written
  as ``'=HYPERLINK(...)``. Numbers stay numbers.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import re
import secrets
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from hemopt.errors import OutputError

__all__ = [
    "LOCK_NAME",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_file",
    "check_folder",
    "is_geopackage",
    "is_parquet",
    "neutralise_cell",
    "neutralise_frame",
    "output_lock",
    "temporary_folder",
    "write_csv",
    "write_excel",
]

#: Name of the lock file inside a locked output folder.
LOCK_NAME = ".hemopt.lock"

try:  # POSIX
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows
    _fcntl = None  # type: ignore[assignment]


# ------------------------------------------------------------------------ kinds of file
def _head(path: Path, n: int) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


def is_geopackage(path: str | Path) -> bool:
    """True if ``path`` is a GeoPackage: an SQLite file whose application id is ``GPKG``
    (or ``GP10``/``GP11`` of the 1.0 and 1.1 standards)."""
    head = _head(Path(path), 72)
    return head[:16] == b"SQLite format 3\x00" and head[68:72] in (b"GPKG", b"GP10", b"GP11")


def is_parquet(path: str | Path) -> bool:
    """True if ``path`` starts with the Parquet magic bytes ``PAR1``."""
    return _head(Path(path), 4) == b"PAR1"


# ------------------------------------------------------------------------ checks
def _probe_writable(folder: Path, what: str) -> None:
    """Create and remove a file in ``folder``: the only test that also catches read-only
    file systems and the privileges of root (``os.access`` reports both as writable)."""
    probe = folder / f".hemopt-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise OutputError(f"{what}: cannot write in folder {str(folder)!r} "
                          f"({exc.strerror or exc}); choose a folder you can write to") from exc
    os.close(fd)
    os.unlink(probe)


def _existing_ancestor(path: Path, what: str) -> Path:
    """The nearest existing folder at or above ``path``; an error if it is a file."""
    for p in (path, *path.parents):
        if p.exists():
            if not p.is_dir():
                raise OutputError(f"{what}: {str(p)!r} is a file, not a folder; "
                                  f"{str(path)!r} cannot be created under it")
            return p
    return Path.cwd()  # pragma: no cover - a relative path always has '.' as a parent


def check_folder(path: str | Path, what: str, *, files: tuple[str, ...] = ()) -> Path:
    """Check that ``path`` can be used as an output folder; returns it as a Path.

    It may exist (as a folder) or not (its nearest existing parent must then be a writable
    folder). ``files`` are the names hemopt will write into it: none of them may be a folder.
    Nothing is created.

    Raises
    ------
    OutputError
        Naming ``what`` (the option, e.g. ``"--out"``), the path and the problem.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise OutputError(f"{what}: {str(p)!r} is a file, but a folder is expected here "
                          "(it receives several files); remove the file or choose a folder name")
    base = _existing_ancestor(p, what)
    _probe_writable(base, what)
    for name in files:
        if (p / name).is_dir():
            raise OutputError(f"{what}: {str(p / name)!r} is a folder, but hemopt writes a file "
                              "of that name there; remove the folder or choose another --out")
    return p


def check_file(path: str | Path, what: str, *, kind: str = "",
               is_kind: Callable[[Path], bool] | None = None,
               suffixes: tuple[str, ...] = ()) -> Path:
    """Check that ``path`` can be written as one output file; returns it as a Path.

    It must not be a folder. With ``suffixes``, its suffix must be one of them. When it exists
    and ``is_kind`` is given, it must be of that kind (``kind`` names it in the message):
    hemopt does not overwrite a file it could not have written itself. Its folder (or the
    nearest existing parent) must be writable. Nothing is created.

    Raises
    ------
    OutputError
        Naming ``what``, the path and the problem.
    """
    p = Path(path)
    if p.is_dir():
        example = p / ("out" + (suffixes[0] if suffixes else ""))
        raise OutputError(f"{what}: {str(p)!r} is a folder, but a file is expected here; give "
                          f"a file name such as {str(example)!r}")
    if suffixes and p.suffix.lower() not in suffixes:
        raise OutputError(f"{what}: {str(p)!r} has the suffix {p.suffix!r}; expected one of "
                          f"{', '.join(suffixes)}")
    if p.exists() and is_kind is not None:
        try:
            ok = is_kind(p)
        except OSError as exc:
            raise OutputError(f"{what}: cannot read the existing file {str(p)!r} "
                              f"({exc.strerror or exc})") from exc
        if not ok:
            raise OutputError(f"{what}: {str(p)!r} exists and is not a {kind}; hemopt will not "
                              "overwrite it. Remove it or choose another file name")
    _probe_writable(_existing_ancestor(p.parent, what), what)
    return p


# ------------------------------------------------------------------------ atomic writes
def _tmp_name(path: Path) -> Path:
    # same folder (os.replace is atomic only within one file system), hidden, same suffix
    # (writers such as matplotlib choose the format by it), unique per process and call
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp{path.suffix}")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; when the block succeeds, rename it onto
    ``path`` (``os.replace``). When the block fails, the temporary file is removed and
    ``path`` is left as it was. The folder is created if needed.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text(), sorted(p.name for p in d.iterdir())
    ('hello', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    try:
        yield tmp
        if not tmp.exists():
            raise OutputError(f"nothing was written to {str(path)!r}")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextlib.contextmanager
def temporary_folder(parent: str | Path) -> Iterator[Path]:
    """Yield a new hidden folder inside ``parent`` (created), removed with its contents when
    the block ends: a place to write files that are then renamed into ``parent`` one by one.
    """
    import shutil

    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".hemopt-tmp-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (flushed to disk before the rename)."""
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return path


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode(encoding))


# ------------------------------------------------------------------------ lock
def _lock_file(target: Path, folder: bool) -> Path:
    return target / LOCK_NAME if folder else target.with_name(f".{target.name}.lock")


def _holder(lock: Path) -> str:
    try:
        text = lock.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return text or "a process that has not written its id yet"


@contextlib.contextmanager
def output_lock(target: str | Path, what: str, *, folder: bool) -> Iterator[Path]:
    """Hold an exclusive lock on an output for the duration of the block.

    ``target`` is an output folder (``folder=True``: the lock file is ``target/.hemopt.lock``,
    the folder is created) or one output file (the lock file is ``.<name>.lock`` beside it).
    The lock file holds the process id, host, start time and command line of the holder and is
    removed when the block ends. A second run asking for the same lock gets an
    :class:`~hemopt.errors.OutputError` at once, naming the holder.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with output_lock(d, "--out", folder=True):
    ...     try:
    ...         with output_lock(d, "--out", folder=True):
    ...             pass
    ...     except OutputError as err:
    ...         print("in use" in str(err))
    True
    >>> sorted(d.iterdir())
    []
    """
    target = Path(target)
    (target if folder else target.parent).mkdir(parents=True, exist_ok=True)
    lock = _lock_file(target, folder)
    busy = (f"{what}: {str(target)!r} is in use by another hemopt run (%s); wait for it to "
            "finish or choose another output")
    info = (f"pid {os.getpid()} on {socket.gethostname()} since "
            f"{_dt.datetime.now().isoformat(timespec='seconds')}: {' '.join(sys.argv)}\n")
    if _fcntl is None:  # pragma: no cover - Windows: an exclusive create, no stale detection
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise OutputError((busy % _holder(lock)) + f"; if no such run is going on, delete "
                              f"{str(lock)!r}") from None
        try:
            os.write(fd, info.encode())
            os.close(fd)
            yield lock
        finally:
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
        return
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputError(busy % _holder(lock)) from None
        # the holder before us removes the file just before it unlocks: make sure the file we
        # locked is still the one at the path, else take the lock again on the new file
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, info.encode())
        yield lock
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
        os.close(fd)  # releases the flock


# ------------------------------------------------------------------------ spreadsheets
#: First characters that make a spreadsheet read a text cell as a formula (OWASP): ``=``,
#: ``+``, ``-``, ``@``, and tab and carriage return, which some programs skip before them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def neutralise_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with ``=``, ``+``, ``-``, ``@``, tab
    or carriage return gets a leading ``'`` (OWASP's advice for CSV injection). Numbers, and
    text that is a plain number such as ``"-12.5"``, are returned unchanged.

    >>> neutralise_cell("=HYPERLINK(A1)"), neutralise_cell("@SUM(A1)")
    ("'=HYPERLINK(A1)", "'@SUM(A1)")
    >>> neutralise_cell(-3.5), neutralise_cell("-3.5"), neutralise_cell("E1"), neutralise_cell("-")
    (-3.5, '-3.5', 'E1', "'-")
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(
            value):
        return "'" + value
    return value


def neutralise_frame(df: Any) -> Any:
    """A copy of a DataFrame with every text cell, column name and index label passed through
    :func:`neutralise_cell` (numbers untouched). The input is not changed."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    if out.index.dtype == object:
        out.index = out.index.map(neutralise_cell)
    return out


def write_csv(df: Any, path: str | Path, **to_csv: Any) -> Path:
    """Write ``df`` as CSV to ``path`` atomically, text cells neutralised
    (:func:`neutralise_frame`); ``to_csv`` goes to ``DataFrame.to_csv`` (default
    ``index=False``).

    >>> import pandas as pd, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "stops.csv"
    >>> _ = write_csv(pd.DataFrame({"staff": ["=1+1", "anna"], "km": [-2.5, 3.0]}), p)
    >>> print(p.read_text().strip())
    staff,km
    '=1+1,-2.5
    anna,3.0
    """
    to_csv.setdefault("index", False)
    path = Path(path)
    with atomic_path(path) as tmp:
        neutralise_frame(df).to_csv(tmp, **to_csv)
    return path


def write_excel(sheets: Mapping[str, Any], path: str | Path, **to_excel: Any) -> Path:
    """Write DataFrames as the sheets of one ``.xlsx`` workbook, atomically, text cells
    neutralised (:func:`neutralise_frame`; openpyxl would otherwise store ``=...`` text as a
    formula). ``to_excel`` goes to ``DataFrame.to_excel`` (default ``index=False``)."""
    import pandas as pd

    to_excel.setdefault("index", False)
    path = Path(path)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, df in sheets.items():
                neutralise_frame(df).to_excel(xw, sheet_name=str(name)[:31], **to_excel)
    return path
