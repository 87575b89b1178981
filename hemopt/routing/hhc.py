"""The home-health-care routing benchmark of Mankowska et al. (2014), in the unified UHHC JSON
format: a reader and a solver with the literature's objective.

``read_hhc(path)`` reads one instance file (fields: ``distances``, ``terminal_points``,
``caregivers`` with ``abilities``, ``patients`` with ``time_windows``,
``required_services`` and ``synchronization``); ``solve_hhc(instance)`` solves it with
:func:`hemopt.routing.homecare.solve_homecare` and reports travel (return to the depot
included), total tardiness (per service, so a double service counts twice), the largest
tardiness, and the objective ``(travel + total tardiness + max tardiness) / 3`` of the
published best-known values (Kummer Neto et al., BRKGA source ``Solution.h``).

A service starts at ``max(arrival, window start)`` and is late by ``max(0, start - window
end)``. ``simultaneous``: both services start together; ``sequential`` with ``{min, max}``:
the second listed service starts between ``min`` and ``max`` after the first.

Examples
--------
>>> import json, tempfile, pathlib
>>> from hemopt.routing import read_hhc, solve_hhc
>>> doc = {"metadata": {"name": "tiny"},
...        "distances": [[0, 3, 4], [3, 0, 5], [4, 5, 0]],
...        "terminal_points": [{"id": "d", "distance_matrix_index": 0}],
...        "services": [{"id": "s1"}, {"id": "s2"}],
...        "caregivers": [{"id": "c1", "abilities": ["s1"], "departing_point": "d",
...                        "arrival_point": "d"},
...                       {"id": "c2", "abilities": ["s1", "s2"], "departing_point": "d",
...                        "arrival_point": "d"}],
...        "patients": [{"id": "p1", "distance_matrix_index": 1,
...                      "time_windows": [{"start": 0, "end": 10}],
...                      "required_services": [{"service": "s1", "duration": 5},
...                                            {"service": "s2", "duration": 5}],
...                      "synchronization": {"type": "simultaneous"}},
...                     {"id": "p2", "distance_matrix_index": 2,
...                      "time_windows": [{"start": 0, "end": 10}],
...                      "required_services": [{"service": "s1", "duration": 5}]}]}
>>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.json"
>>> _ = path.write_text(json.dumps(doc))
>>> inst = read_hhc(path)
>>> inst.name, inst.problem.n_visits, inst.problem.n_tasks, inst.problem.n_staff
('tiny', 2, 3, 2)
>>> r = solve_hhc(inst, time_limit_s=None, max_iterations=50)
>>> r.routes
[[('p1', 's1'), ('p2', 's1')], [('p1', 's2')]]
>>> r.travel, r.total_tardiness, r.max_tardiness, r.objective
(18.0, 3.0, 3.0, 8.0)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hemopt.errors import InputError
from hemopt.routing.homecare import HomeCareProblem, HomeCareResult, solve_homecare

__all__ = ["HHCInstance", "HHCResult", "read_hhc", "solve_hhc"]


@dataclass(frozen=True)
class HHCInstance:
    """A UHHC instance read by :func:`read_hhc`.

    Attributes
    ----------
    name : str
    problem : HomeCareProblem
        Patients as visits (a patient with two services is one double visit; copy 0 is the
        first listed service), caregivers as staff with unlimited shifts, soft windows,
        objective weights 1, 1, 1 and no dropping.
    patient_ids, caregiver_ids, service_ids : list of str

    Examples
    --------
    See :mod:`hemopt.routing.hhc`.
    """

    name: str
    problem: HomeCareProblem
    patient_ids: list
    caregiver_ids: list
    service_ids: list


@dataclass(frozen=True)
class HHCResult:
    """The answer of :func:`solve_hhc`.

    Attributes
    ----------
    travel, total_tardiness, max_tardiness : float
        In the instance's units.
    objective : float
        ``(travel + total_tardiness + max_tardiness) / 3``, the literature's objective.
    routes : list of list of (patient id, service id)
        Per caregiver, in order.
    detail : HomeCareResult
        The schedule (start times, ...) from the home-care solver.

    Examples
    --------
    See :mod:`hemopt.routing.hhc`.
    """

    travel: float
    total_tardiness: float
    max_tardiness: float
    objective: float
    routes: list
    detail: HomeCareResult


def _field(obj, key, where):
    try:
        return obj[key]
    except (KeyError, TypeError, IndexError):
        raise InputError(f"{where}: missing field {key!r}") from None


def read_hhc(path) -> HHCInstance:
    """Read a UHHC JSON instance (the Mankowska et al. 2014 set and its successors).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    HHCInstance

    Raises
    ------
    InputError
        A missing or malformed field, named with its patient or caregiver; a feature the
        reader does not support (more than one time window, more than two services, an
        unknown synchronisation type).

    Examples
    --------
    See :mod:`hemopt.routing.hhc`.
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise InputError(f"path {str(path)!r}: cannot read the JSON ({err})") from None
    name = (doc.get("metadata") or {}).get("name") or path.stem
    dist = np.array(_field(doc, "distances", "instance"), dtype=float)
    if dist.ndim != 2 or dist.shape[0] != dist.shape[1]:
        raise InputError(f"distances must be a square matrix, got shape {dist.shape}")
    terminals = {t["id"]: int(_field(t, "distance_matrix_index", f"terminal {t.get('id')}"))
                 for t in _field(doc, "terminal_points", "instance")}
    service_ids = [s["id"] for s in doc.get("services", [])]
    cgs = _field(doc, "caregivers", "instance")
    patients = _field(doc, "patients", "instance")
    for c in cgs:
        for s in c.get("abilities", []):
            if s not in service_ids:
                service_ids.append(s)
    sidx = {s: i for i, s in enumerate(service_ids)}
    loc, e, lat, d1, d2, staffing, smin, smax, sk1, sk2 = ([] for _ in range(10))
    for p in patients:
        pid = p.get("id")
        where = f"patient {pid}"
        tws = _field(p, "time_windows", where)
        if len(tws) != 1:
            raise InputError(f"{where}: time_windows must have one window, got {len(tws)}")
        services = _field(p, "required_services", where)
        if len(services) not in (1, 2):
            raise InputError(f"{where}: required_services must have 1 or 2 entries, "
                             f"got {len(services)}")
        for s in services:
            if _field(s, "service", where) not in sidx:
                sidx[s["service"]] = len(service_ids)
                service_ids.append(s["service"])
        loc.append(int(_field(p, "distance_matrix_index", where)))
        e.append(float(_field(tws[0], "start", where)))
        lat.append(float(_field(tws[0], "end", where)))
        d1.append(float(_field(services[0], "duration", where)))
        d2.append(float(services[-1]["duration"]))
        sk1.append(sidx[services[0]["service"]])
        sk2.append(sidx[services[-1]["service"]])
        staffing.append(len(services))
        lo = hi = 0.0
        if len(services) == 2:
            sync = p.get("synchronization") or {}
            kind = sync.get("type")
            if kind == "sequential":
                gap = _field(sync, "distance", where)
                lo, hi = float(_field(gap, "min", where)), float(_field(gap, "max", where))
            elif kind != "simultaneous":
                raise InputError(f"{where}: synchronization type must be 'simultaneous' or "
                                 f"'sequential', got {kind!r}")
        smin.append(lo)
        smax.append(hi)
    skills = np.zeros((len(cgs), len(service_ids)), dtype=bool)
    start: list[float] = []
    end: list[float] = []
    for k, c in enumerate(cgs):
        for s in c.get("abilities", []):
            skills[k, sidx[s]] = True
        for key, out in (("departing_point", start), ("arrival_point", end)):
            t = c.get(key, next(iter(terminals)))
            if t not in terminals:
                raise InputError(f"caregiver {c.get('id')}: {key} {t!r} is not a terminal "
                                 f"point")
            out.append(terminals[t])
    horizon = 1e9
    problem = HomeCareProblem(
        travel=dist, visit_location=loc, earliest=e, latest=lat, duration=d1, duration2=d2,
        staffing=staffing, sync_min=smin, sync_max=smax, skill=sk1, skill2=sk2,
        staff_skills=skills, start_place=start, end_place=end,
        shift_start=[0.0] * len(cgs), shift_end=[horizon] * len(cgs), hard_windows=False,
        travel_weight=1.0, tardiness_weight=1.0, max_tardiness_weight=1.0,
        drop_penalty=None, visit_ids=[p.get("id") for p in patients],
        staff_ids=[c.get("id") for c in cgs])
    return HHCInstance(name=name, problem=problem, patient_ids=list(problem.visit_ids),
                       caregiver_ids=list(problem.staff_ids), service_ids=service_ids)


def solve_hhc(instance: HHCInstance, time_limit_s: float | None = 60, seed: int = 0, *,
              max_iterations: int | None = None) -> HHCResult:
    """Solve a UHHC instance with the home-care solver; report the literature's objective.

    Parameters
    ----------
    instance : HHCInstance
    time_limit_s : float or None
        Wall-clock limit (default 60 s, the benchmark's).
    seed : int
    max_iterations : int, optional
        Stop after this many iterations (deterministic when ``time_limit_s`` is None).

    Returns
    -------
    HHCResult

    Examples
    --------
    See :mod:`hemopt.routing.hhc`.
    """
    if not isinstance(instance, HHCInstance):
        raise InputError(f"instance must be an HHCInstance (read_hhc), got "
                         f"{type(instance).__name__}")
    res = solve_homecare(instance.problem, time_limit_s=time_limit_s,
                         max_iterations=max_iterations, seed=seed)
    if len(res.dropped):
        raise InputError(f"instance {instance.name}: patients "
                         f"{[instance.patient_ids[v] for v in res.dropped.visit]} cannot be "
                         f"served "
                         f"({res.dropped.reason.tolist()})")
    p = instance.problem
    routes = [[(instance.patient_ids[v], instance.service_ids[
        int(p.skill[v] if c == 0 else p.skill2[v])]) for v, c in r] for r in res.routes]
    obj = (res.travel + res.total_tardiness + res.max_tardiness) / 3
    return HHCResult(travel=res.travel, total_tardiness=res.total_tardiness,
                     max_tardiness=res.max_tardiness, objective=obj, routes=routes,
                     detail=res)
