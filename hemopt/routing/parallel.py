"""Solve the VRPTW instances of a day side by side, in local worker processes.

The (provider, base, shift, mode) instances of a day (:func:`~hemopt.day.route.route_day`)
are independent: each is built and solved in a worker process of a pool, and the results come
back in the order of the instances, whatever order they finish in. A worker builds its
instance's matrices itself (the travel model is sent once per worker, not per instance) and
runs the same solver call with the same seed as one process would, so that with an iteration
limit (``max_iterations``, no time limit) the day's routes are the same for any number of
workers (``tests/test_parallel_routing.py``).

* **Load balance.** Instances are submitted largest first (by stops), so that a large one does
  not start last and keep one core busy while the others wait.
* **Warnings** raised while building or solving an instance (e.g.
  :class:`~hemopt.routing.instance.PrecisionWarning`) are recorded in the worker and raised
  again here, in the order of the instances; with one worker too, so that every worker count
  warns alike.
* **Workers never outlive this process** (:func:`hemopt._workers.end_with_parent`): a killed
  run leaves no solver running. Inside a worker of another pool (a sweep) the default is one
  worker: pools do not nest.
* **Progress**: one bar on stderr, counted in stops, with the time left (tqdm).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from hemopt._progress import bar
from hemopt._workers import process_pool, stop_workers
from hemopt.routing.instance import _MAX_SCALED, DISTANCE_SCALE, RoutingObjective, VRPTWInstance
from hemopt.routing.vrptw import VRPTWResult, solve_vrptw
from hemopt.travel import TravelModes

__all__ = ["MIN_PARALLEL_STOPS", "InstanceTask", "Solved", "build_instance", "solve_tasks"]

#: With the default number of workers (``workers=None``), a day of fewer stops than this is
#: routed in this process: starting workers would take longer than the routing.
MIN_PARALLEL_STOPS = 200


@dataclass(frozen=True, eq=False)
class InstanceTask:
    """One (provider, base, shift, mode) instance of a day, as sent to a worker.

    Attributes
    ----------
    key
        ``(provider_id, base, shift, mode)``.
    xy
        (n + 1, 2) coordinates: the base first, then the stops.
    earliest, latest, service
        (n,) the stops' windows and service minutes.
    shift
        ``(start, end, max_min)`` of the staff shift.
    mode
        How the staff travel (a mode of :class:`~hemopt.travel.TravelModes`).
    time_limit_s, max_iterations, backend, seed
        Passed to :func:`~hemopt.routing.solve_vrptw`.
    labels, label_penalty_m
        Optional (n,) integer label per stop (-1: none) and a penalty in metres added to the
        solver's distance of every arc between stops of different labels (both >= 0): routes
        that keep to one label (a territory) are preferred. The result's distances are the
        true ones, without the penalty; durations and windows are never changed.
    copy_of
        The last ``len(copy_of)`` stops are second copies of double-staffed stops
        (:mod:`hemopt.day.care`): ``copy_of[j]`` is the position (0-based, among the
        stops) of the stop the ``j``-th copy duplicates. Travel between a stop and its copy is
        made longer than any route, so the solver never serves both back to back (under a
        cost objective, whose km may be free, it also takes longer than the shift).
    objective
        Passed to :func:`~hemopt.routing.solve_vrptw` (None: distance). Under a cost
        objective the label penalty's metres are priced at its km cost.
    """

    key: tuple[str, int, str, str]
    xy: NDArray[np.float64]
    earliest: NDArray[np.float64]
    latest: NDArray[np.float64]
    service: NDArray[np.float64]
    shift: tuple[float, float, float]
    mode: str
    time_limit_s: float | None
    max_iterations: int | None
    backend: str
    seed: int
    labels: NDArray[np.int64] | None = None
    label_penalty_m: float = 0.0
    copy_of: tuple[int, ...] = ()
    objective: RoutingObjective | None = None

    @property
    def n_stops(self) -> int:
        return len(self.earliest)


@dataclass(frozen=True, eq=False)
class Solved:
    """A solved instance: the result and the seconds its solve took."""

    result: VRPTWResult
    runtime_s: float


def build_instance(task: InstanceTask, modes: TravelModes) -> VRPTWInstance:
    """The VRPTW of ``task``: a stop must start early enough to finish and travel back to the
    base before the shift ends."""
    start, end, max_min = task.shift
    dist, dur = modes.travel(task.mode).matrices(task.xy)
    if task.copy_of:  # one staff member cannot be both of a double visit's two staff
        n = len(task.earliest)
        orig = np.asarray(task.copy_of, dtype=np.int64) + 1
        copy = np.arange(n - len(orig), n, dtype=np.int64) + 1
        # longer than any route, but within the solver's integer range (city-scale
        # instances of ~1,000 stops over 15 km would overflow 2 (n + 1) × the longest edge)
        far = min(2.0 * (n + 1) * float(dist.max(initial=0.0)) + 1.0,
                  _MAX_SCALED / (4.0 * DISTANCE_SCALE * (n + 2)))
        dist[orig, copy] = dist[copy, orig] = far
        if task.objective is not None:  # km may cost nothing: time rules it out too
            dur[orig, copy] = dur[copy, orig] = float(end - start) + 1.0
    earliest = np.concatenate([[start], task.earliest])
    service = np.concatenate([[0.0], task.service])
    latest = np.concatenate([[end], task.latest])
    latest[1:] = np.maximum(np.minimum(latest[1:], end - service[1:] - dur[1:, 0]),
                            earliest[1:])
    pid, base, shift, mode = task.key
    return VRPTWInstance(distance=dist, duration=dur, coords=task.xy, service=service,
                         earliest=earliest, latest=latest, shift_duration=max_min,
                         name=f"{pid}-{base}-{shift}-{mode}")


def _solve(task: InstanceTask, modes: TravelModes
           ) -> tuple[Solved, list[tuple[type[Warning], str]]]:
    """Build and solve ``task``; the warnings it raised, recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inst = build_instance(task, modes)
        t0 = time.perf_counter()
        penalised = task.labels is not None and task.label_penalty_m > 0
        res = solve_vrptw(_with_label_penalty(inst, task) if penalised else inst,
                          time_limit_s=task.time_limit_s, backend=task.backend,
                          seed=task.seed, max_iterations=task.max_iterations,
                          objective=task.objective)
        if penalised:
            res = _true_distances(res, inst)
        runtime = time.perf_counter() - t0
    return Solved(res, runtime), [(w.category, str(w.message)) for w in caught]


def _with_label_penalty(inst: VRPTWInstance, task: InstanceTask) -> VRPTWInstance:
    """``inst`` with ``task.label_penalty_m`` added to the distance between stops of
    different labels (the base, index 0, and unlabelled stops pay nothing)."""
    lab = np.concatenate([[-1], np.asarray(task.labels, dtype=np.int64)])
    cross = (lab[:, None] != lab[None, :]) & (lab[:, None] >= 0) & (lab[None, :] >= 0)
    return replace(inst, distance=inst.distance + task.label_penalty_m * cross)


def _true_distances(res: VRPTWResult, inst: VRPTWInstance) -> VRPTWResult:
    """``res`` with its distances measured on ``inst`` (the instance without penalties)."""
    r_dist = [float(inst.distance[np.asarray([0, *r]), np.asarray([*r, 0])].sum())
              for r in res.routes]
    return replace(res, distance=float(sum(r_dist)), route_distance=r_dist)


_MODES: TravelModes | None = None


def _set_modes(modes: TravelModes) -> None:
    global _MODES
    _MODES = modes


def _solve_in_worker(task: InstanceTask) -> tuple[Solved, list[tuple[type[Warning], str]]]:
    assert _MODES is not None, "worker started without its travel modes"
    return _solve(task, _MODES)


def solve_tasks(tasks: Sequence[InstanceTask], modes: TravelModes, *, workers: int,
                progress: bool = False, desc: str = "routing") -> list[Solved]:
    """Solve ``tasks`` with ``workers`` processes (1: in this process, no pool).

    Parameters
    ----------
    tasks
        The instances.
    modes
        The travel modes (sent to each worker once).
    workers
        Processes; capped at the number of tasks.
    progress
        Show one progress bar on stderr, counted in stops.
    desc
        The bar's label.

    Returns
    -------
    list of Solved
        In the order of ``tasks``.
    """
    n = len(tasks)
    out: list[Solved | None] = [None] * n
    caught: list[list[tuple[type[Warning], str]]] = [[] for _ in range(n)]
    order = sorted(range(n), key=lambda k: (-tasks[k].n_stops, k))  # largest first
    workers = max(1, min(int(workers), n))
    total = sum(t.n_stops for t in tasks)
    if workers == 1:
        with bar(total, enabled=progress, desc=desc, unit="stops") as b:
            for k in order:
                out[k], caught[k] = _solve(tasks[k], modes)
                b.update(tasks[k].n_stops)
    else:
        ex = process_pool(workers, initializer=_set_modes, initargs=(modes,))
        try:
            # submitting forks the workers, before the progress bar starts a thread
            futs = {ex.submit(_solve_in_worker, tasks[k]): k for k in order}
            with bar(total, enabled=progress, desc=desc, unit="stops") as b:
                pending = set(futs)
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for f in done:
                        k = futs[f]
                        out[k], caught[k] = f.result()
                        b.update(tasks[k].n_stops)
        except BaseException:
            stop_workers(ex)
            raise
        ex.shutdown(wait=True)
    for w in caught:  # in the order of the instances, whatever the number of workers
        for category, message in w:
            warnings.warn(message, category, stacklevel=3)
    return [s for s in out if s is not None]
