"""Stairwells from near-identical points, and the pseudonyms of client ids, for
:mod:`hemopt.tables`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from pathlib import Path
from typing import Any

import numpy as np

from hemopt.errors import InputError
from hemopt.scenario.readers import _text

#: Environment variable naming the file of the machine's secret pseudonym salt (default
#: ``~/.config/hemopt/pseudonym-salt``, see :func:`local_salt`).
SALT_FILE_ENV = "HEMOPT_SALT_FILE"

# ---------------------------------------------------------------------------------- derived
def cluster_points(xy: Any, tolerance_m: float) -> np.ndarray:
    """Group points that lie within ``tolerance_m`` of each other.

    Two points are in one group when they are at most ``tolerance_m`` apart, directly or
    through a chain of such points (the connected components of the "within tolerance"
    graph, found with a k-d tree). With ``tolerance_m=0`` only identical points are grouped.
    Groups are numbered ``0, 1, ...`` in the order of their westernmost point (then
    southernmost), so the numbering does not depend on the order of the input.

    Parameters
    ----------
    xy
        ``(n, 2)`` coordinates in metres.
    tolerance_m
        Points at most this far apart (in metres, >= 0) are linked; a group is all points
        linked directly or through others, so it can be wider than the tolerance.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` group number of each point.

    Examples
    --------
    Three clients at one entrance, one 3 m away and one 50 m away:

    >>> from hemopt.tables import cluster_points
    >>> cluster_points([[0, 0], [0, 0], [0, 0], [3, 0], [50, 0]], 5.0).tolist()
    [0, 0, 0, 0, 1]
    >>> cluster_points([[0, 0], [0, 0], [0, 0], [3, 0], [50, 0]], 0.0).tolist()
    [0, 0, 0, 1, 2]
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    pts = np.asarray(xy, dtype=float).reshape(-1, 2)
    tol = float(tolerance_m)
    if not (math.isfinite(tol) and tol >= 0):
        raise InputError(f"tolerance_m must be a finite number >= 0, got {tolerance_m!r}")
    n = len(pts)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.isfinite(pts).all():
        raise InputError("xy must be finite coordinates")
    pairs = cKDTree(pts).query_pairs(r=tol, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    order = np.lexsort((pts[:, 1], pts[:, 0]))
    label = np.full(comp.max() + 1, -1, dtype=np.int64)
    nxt = 0
    for i in order:
        if label[comp[i]] < 0:
            label[comp[i]] = nxt
            nxt += 1
    return label[comp]


#: hemopt's former default salt: public, so refused.
_OLD_PUBLIC_SALT = "hemopt-default-salt"


def local_salt() -> tuple[str, str, bool]:
    """This machine's secret pseudonym salt: ``(salt, where, generated_now)``.

    Read from the file named by ``$HEMOPT_SALT_FILE`` (default
    ``$XDG_CONFIG_HOME/hemopt/pseudonym-salt``, i.e. ``~/.config/hemopt/pseudonym-salt``). When
    the file does not exist, 32 random bytes (``secrets.token_hex``) are written to it, readable
    by the owner only. The salt is never written to a scenario or any other output; ``where``
    is the file with the home folder shown as ``~``.

    Examples
    --------
    >>> import os, tempfile
    >>> before = os.environ.get("HEMOPT_SALT_FILE")
    >>> os.environ["HEMOPT_SALT_FILE"] = os.path.join(tempfile.mkdtemp(), "salt")
    >>> salt, where, made = local_salt()
    >>> len(salt), made, local_salt() == (salt, where, False)
    (64, True, True)
    >>> if before is None:
    ...     del os.environ["HEMOPT_SALT_FILE"]
    ... else:
    ...     os.environ["HEMOPT_SALT_FILE"] = before
    """
    import os
    import secrets

    env = os.environ.get(SALT_FILE_ENV)
    if env:
        path = Path(env).expanduser()
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        path = Path(base) / "hemopt" / "pseudonym-salt"
    shown = str(path)
    home = str(Path.home())
    if shown.startswith(home + os.sep):
        shown = "~" + shown[len(home):]
    try:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text, shown, False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise InputError(f"cannot read the pseudonym salt file {shown} ({exc.strerror or exc});"
                         f" give a salt (salt=..., $HEMOPT_SALT) or another file "
                         f"(${SALT_FILE_ENV})") from exc
    salt = secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(salt + "\n")
    except FileExistsError:  # another import made it meanwhile: use that one
        return path.read_text(encoding="utf-8").strip(), shown, False
    except OSError as exc:
        raise InputError(f"cannot create the pseudonym salt file {shown} "
                         f"({exc.strerror or exc}); give a salt (salt=..., $HEMOPT_SALT) or "
                         f"another file (${SALT_FILE_ENV})") from exc
    return salt, shown, True


def pseudonym(client_id: Any, salt: str) -> str:
    """A stable pseudonym for a client id: ``"c"`` and 12 hex digits of HMAC-SHA256.

    The same id and salt always give the same pseudonym, so scenarios imported on different
    days can be compared client by client; without the salt the pseudonym cannot be traced
    back, not even by trying every possible id (every birth date of a personnummer): each try
    needs the secret salt. Keep the salt out of the outputs (:func:`local_salt` keeps one
    per machine).

    Parameters
    ----------
    client_id
        The id as in the client list (converted to text).
    salt
        The secret key of the hash.

    Returns
    -------
    str

    Examples
    --------
    >>> from hemopt.tables import pseudonym
    >>> pseudonym("19400101-1234", salt="our secret")
    'cf57b676941b0'
    >>> pseudonym("19400101-1234", salt="our secret") == pseudonym("19400101-1234", "other")
    False
    """
    if not isinstance(salt, str) or not salt.strip():  # spaces only: no secret at all
        raise InputError(f"salt must be a non-empty string, got {salt!r}")
    digest = hmac.new(salt.encode("utf-8"), _text(client_id).encode("utf-8"),
                      hashlib.sha256).hexdigest()
    return "c" + digest[:12]


def _numbered(prefix: str, labels: np.ndarray) -> np.ndarray:
    k = int(labels.max()) + 1 if len(labels) else 0
    width = max(4, len(str(k)))
    return np.array([f"{prefix}{j + 1:0{width}d}" for j in labels], dtype=object)
