"""Reading a sweep configuration file (internal; :func:`hemopt.sweep.read_config`)."""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from hemopt.errors import InputError


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)

def _is_num(v: Any) -> bool:
    return (isinstance(v, numbers.Real) and not isinstance(v, bool)
            and math.isfinite(float(v)))

def _kind(v: Any) -> str:
    return {bool: "boolean", str: "string", int: "integer", float: "number", list: "list",
            dict: "table"}.get(type(v), type(v).__name__)

def _unknown(what: str, name: str, allowed: Iterable[str]) -> str:
    allowed = sorted(allowed)
    near = difflib.get_close_matches(name, allowed, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return f"{what} {name!r}{hint}; expected one of {', '.join(allowed)}"


# section -> key -> (test of the value, what it must be); [grid] is checked by tasks_of
_CONFIG_RULES: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    "grid": {},  # the grid keys of the registry when read (hemopt.sweep.grid_keys)
    "sweep": {
        "seeds": (lambda v: (_is_int(v) and v >= 1)
                  or (isinstance(v, list) and bool(v) and all(_is_int(x) and x >= 0 for x in v)),
                  "a number of seeds >= 1 or a non-empty list of whole numbers >= 0"),
        "routing": (lambda v: v in ("approx", "solver"), "'approx' or 'solver'"),
        "max_iterations": (lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
        "value_of_choice_sek": (lambda v: _is_num(v) and v >= 0, "a number >= 0"),
    },
    "cost": {k: (lambda v: _is_num(v) and v >= 0, "a number >= 0")
             for k in ("staff_sek_per_hour", "sek_per_km", "co2_kg_per_km", "days_per_year")},
}


def _rules() -> dict[str, dict[str, tuple[Callable[[Any], bool], str]]]:
    """:data:`_CONFIG_RULES` with the grid keys of the regime registry at the time of
    reading (``[grid]`` keys, ``plot_by``)."""
    from hemopt.sweep import grid_keys

    keys = grid_keys()
    return {**_CONFIG_RULES, "grid": {k: (lambda v: True, "") for k in keys},
            "sweep": {**_CONFIG_RULES["sweep"],
                      "plot_by": (lambda v: isinstance(v, str) and v in keys,
                                  f"a grid key ({', '.join(keys)})")}}


def read_config(path: str | Path) -> dict[str, Any]:
    """Read and check a sweep configuration (TOML) before any work.

    Returns the keyword arguments of :func:`sweep` (``grid``, ``seeds``, ``routing``,
    ``max_iterations``, ``cost``) plus ``plot_by`` and ``value_of_choice_sek`` (None when not
    given). The grid and settings are checked as :func:`tasks_of` checks them.

    Raises
    ------
    InputError
        Naming the file and the unknown section, the unknown key (with the nearest known one)
        or the key, value and type that are wrong.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = p.write_text('[grids]\\npreset = "strangnas"\\n')
    >>> try:
    ...     read_config(p)
    ... except InputError as err:
    ...     print(str(err).split(": ", 1)[1])
    unknown section [grids] (did you mean [grid]?); expected one of [cost], [grid], [sweep]
    """
    import tomllib

    from hemopt.sweep import tasks_of

    path = Path(path)
    if not path.is_file():
        raise InputError(f"--config: {'is a folder' if path.is_dir() else 'file not found'}: "
                         f"{str(path)!r}")
    try:
        cfg = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"--config: {str(path)!r} is not valid TOML: {exc}") from exc
    where = f"--config {str(path)!r}"
    for section, table in cfg.items():
        if section not in _CONFIG_RULES:
            sections = [f"[{s}]" for s in _CONFIG_RULES]
            near = difflib.get_close_matches(section, list(_CONFIG_RULES), n=1)
            hint = f" (did you mean [{near[0]}]?)" if near else ""
            raise InputError(f"{where}: unknown section [{section}]{hint}; expected one of "
                             f"{', '.join(sorted(sections))}")
        if not isinstance(table, dict):
            raise InputError(f"{where}: {section} must be a section [{section}], got "
                             f"{table!r} ({_kind(table)})")
        for key, value in table.items():
            rules = _rules()[section]
            if key not in rules:
                raise InputError(f"{where}: " + _unknown(f"unknown key in [{section}]:", key,
                                                          rules))
            ok, must = rules[key]
            if not ok(value):
                raise InputError(f"{where}: [{section}] {key} must be {must}, got {value!r} "
                                 f"({_kind(value)})")
    opts = cfg.get("sweep", {})
    if "max_iterations" in opts and opts.get("routing", "approx") != "solver":
        raise InputError(f"{where}: [sweep] max_iterations applies to routing = 'solver' only; "
                         "drop it or set routing = 'solver'")
    if "value_of_choice_sek" in opts and "plot_by" not in opts:
        raise InputError(f"{where}: [sweep] value_of_choice_sek is used only by the plot; give "
                         "plot_by too, or drop it")
    seeds = opts.get("seeds", [0, 1, 2])
    out = {
        "grid": cfg.get("grid", {}),
        "seeds": list(range(seeds)) if _is_int(seeds) else seeds,
        "routing": opts.get("routing", "approx"),
        "max_iterations": opts.get("max_iterations", 100),
        "cost": cfg.get("cost") or None,
        "plot_by": opts.get("plot_by"),
        "value_of_choice_sek": opts.get("value_of_choice_sek"),
    }
    try:
        tasks_of(out["grid"], out["seeds"], routing=out["routing"],
                 max_iterations=out["max_iterations"], cost=out["cost"])
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from exc
    return out


