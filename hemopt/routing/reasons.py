"""Why a visit is not served: one list of drop reasons for every routing solver.

Both kinds of solver in the engine report a visit they do not serve with one of the codes of
:data:`DROP_REASONS`, never silently: the VRPTW (:func:`~hemopt.routing.solve_vrptw`, and the
day's routing built on it) gives the codes of :data:`VRPTW_DROP_REASONS`, the home-care
solver (:func:`~hemopt.routing.solve_homecare`) those of :data:`HOMECARE_DROP_REASONS`. A
code means the same thing whichever solver gives it (``"no_capacity"`` is given by both).

Examples
--------
>>> from hemopt.routing.reasons import DROP_REASONS, HOMECARE_DROP_REASONS, VRPTW_DROP_REASONS
>>> set(VRPTW_DROP_REASONS) | set(HOMECARE_DROP_REASONS) == set(DROP_REASONS)
True
>>> sorted(set(VRPTW_DROP_REASONS) & set(HOMECARE_DROP_REASONS))
['no_capacity']
"""

from __future__ import annotations

__all__ = [
    "ALL_STAFF_EXCLUDED",
    "DROP_REASONS",
    "HOMECARE_DROP_REASONS",
    "LONGER_THAN_SHIFT",
    "NOT_SYNCHRONISED",
    "NO_CAPACITY",
    "NO_LICENSED_STAFF",
    "NO_SECOND_STAFF",
    "OUTSIDE_TIME_WINDOW",
    "OVER_CAPACITY",
    "SKILL_MISSING",
    "UNREACHABLE",
    "VRPTW_DROP_REASONS",
]

#: A visit takes longer than any shift: office -> visit -> office exceeds the shift's
#: working time, or the shift's span.
LONGER_THAN_SHIFT = "longer_than_shift"
#: No shift can reach the visit within its time window and be back by the end of the shift.
OUTSIDE_TIME_WINDOW = "outside_time_window"
#: The visit's demand exceeds the vehicle capacity.
OVER_CAPACITY = "over_capacity"
#: The solver could not place the visit with the staff (the fleet) it has.
NO_CAPACITY = "no_capacity"
#: A double-staffed visit whose two staff could not be there at the same time.
NOT_SYNCHRONISED = "not_synchronised"
#: A visit that needs a skill (delegated health care) no licensed staff member had room for.
NO_LICENSED_STAFF = "no_licensed_staff"
#: No staff member has the skill the visit needs.
SKILL_MISSING = "skill_missing"
#: A double-staffed visit, and fewer than two qualified, permitted staff can reach it.
NO_SECOND_STAFF = "no_second_staff"
#: The client excludes every staff member with the skill.
ALL_STAFF_EXCLUDED = "all_staff_excluded"
#: No qualified staff member can reach the visit in its window and be back by the shift end.
UNREACHABLE = "unreachable"

#: Every reason a visit can be dropped for, with what it means.
DROP_REASONS: dict[str, str] = {
    LONGER_THAN_SHIFT: "office -> visit -> office takes longer than any shift",
    OUTSIDE_TIME_WINDOW: "no shift can start the visit in its window and return in time",
    OVER_CAPACITY: "the visit's demand is above the vehicle capacity",
    NO_CAPACITY: "the limited fleet had no room for the visit",
    NOT_SYNCHRONISED: "a double-staffed visit: no second staff member could be there at the "
                      "same time",
    NO_LICENSED_STAFF: "the visit needs a licensed staff member (delegated health care) and "
                       "none had room",
    SKILL_MISSING: "no staff member has the required skill",
    NO_SECOND_STAFF: "a double visit needs two different qualified, permitted staff who can "
                     "reach it; there are fewer",
    ALL_STAFF_EXCLUDED: "every staff member with the skill is excluded by the client",
    UNREACHABLE: "no qualified staff member can reach the visit within its window and be "
                 "back by the end of the shift",
}

#: The codes the VRPTW and the day's routing give (``DayRouting.totals()`` counts each).
VRPTW_DROP_REASONS: dict[str, str] = {
    c: DROP_REASONS[c] for c in (LONGER_THAN_SHIFT, OUTSIDE_TIME_WINDOW, OVER_CAPACITY,
                                 NO_CAPACITY, NOT_SYNCHRONISED, NO_LICENSED_STAFF)
}
#: The codes the home-care solver gives (the ``reason`` column of its ``dropped`` table).
HOMECARE_DROP_REASONS: dict[str, str] = {
    c: DROP_REASONS[c] for c in (SKILL_MISSING, NO_SECOND_STAFF, ALL_STAFF_EXCLUDED,
                                 UNREACHABLE, NO_CAPACITY)
}
