"""Home-care routing with double-staffed (synchronised) visits, skills, breaks, per-staff
travel modes and start and end places, excluded staff, and dropping with reasons.

The engine layer: numpy arrays in, numpy arrays and pandas tables out. A
:class:`HomeCareProblem` holds the visits and the staff; :func:`solve_homecare` routes them
with a ruin-and-recreate local search (docs/routing.md, "Home care: double staffing, breaks,
skills", says why this method and what was measured against OR-Tools); :func:`check_plan`
re-computes any plan's schedule independently and lists its violations.

A visit with staffing count 2 is two *tasks* (copy 0 and copy 1) served by two different staff.
Their starts are linked: ``start(copy 1) - start(copy 0)`` lies in ``[sync_min, sync_max]``
(``0, 0`` = simultaneous; ``-tol, tol`` = simultaneous within a tolerance; ``min, max`` with
``min > 0`` = sequential). A task starts at ``max(arrival, earliest)``, later if its partner
forces it; it is late by ``max(0, start - latest)`` (soft: costed; or hard: not allowed). A
staff member leaves ``start_place`` no earlier than ``shift_start``, is back at ``end_place``
by ``shift_end``, and takes a break of ``break_duration`` starting in
``[break_earliest, break_latest]`` when ``break_duration > 0`` and the route is not empty.

Examples
--------
Two staff, one double-staffed visit that both must start together, one visit each:

>>> import numpy as np
>>> from hemopt.routing.homecare import HomeCareProblem, solve_homecare
>>> travel = np.array([[0, 10, 20], [10, 0, 10], [20, 10, 0]], dtype=float)
>>> p = HomeCareProblem(travel=travel, visit_location=[1, 2], earliest=[0, 0],
...                     latest=[100, 100], duration=[30, 30], staffing=[2, 1],
...                     shift_start=[0, 5], shift_end=[480, 480])
>>> r = solve_homecare(p, max_iterations=50, seed=0)
>>> print(r.stops[["staff", "visit", "copy", "arrival", "start"]].to_string(index=False))
 staff  visit  copy  arrival  start
     0      0     0     10.0   15.0
     0      1     0     55.0   55.0
     1      0     1     15.0   15.0
>>> r.travel, r.total_tardiness, len(r.dropped), r.violations
(60.0, 0.0, 0, ())
"""

from hemopt.routing.homecare_check import check_plan
from hemopt.routing.homecare_model import eligible_staff
from hemopt.routing.homecare_problem import (
    HOMECARE_DROP_REASONS,
    HomeCareProblem,
    HomeCareResult,
    PlanCheck,
)
from hemopt.routing.homecare_search import HOMECARE_BLOCKING, solve_homecare

__all__ = [
    "HOMECARE_BLOCKING",
    "HOMECARE_DROP_REASONS",
    "HomeCareProblem",
    "HomeCareResult",
    "PlanCheck",
    "check_plan",
    "eligible_staff",
    "solve_homecare",
]
