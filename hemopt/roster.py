"""Staff, rosters and who drives which route: the continuity layer of a provider's fortnight.

A provider's **staff** are sized from its routed shifts (:func:`build_roster`): regular staff
on day or evening shifts, full- or part-time, each working every other weekend; a **pool** of
hourly staff (*timvikarier*) covers what the regulars cannot; one-off **agency** temps cover
the rest, so that every route is always driven. A seeded **absence** process (sickness and
leave in spells) takes regulars out.

Every day, the routes of each provider are handed to the staff on duty by a min-cost
assignment on the project's own flow engine (:func:`hemopt.min_cost_assignment`, routes ×
staff, one route per staff member a day, :func:`assign_staff`). Its cost is

``weight × new faces + contact_weight × visits not by the contact person + route fit
+ temp penalty``

where *new faces* counts the clients on the route who have never met that staff member in the
horizon (exactly what the day adds to the sum of distinct staff per client), and *route fit*
is the route's hours times the staff member's worked share of contract hours to date (long
routes go to those who have worked least). ``weight = 0`` ignores continuity; a large weight
puts continuity first. Temps cost more than any regular on duty, so they only fill gaps.

Every figure is a stated assumption or sourced in :class:`RosterParams` and
``docs/continuity.md``.

Examples
--------
>>> import numpy as np
>>> from hemopt.roster import RosterParams, build_roster
>>> demand = {"A": {"day": np.full(14, 3), "evening": np.full(14, 1)}}
>>> r = build_roster(demand, days=14, seed=1)
>>> r.staff.groupby("kind").size().to_dict()
{'pool': 2, 'regular': 8}
>>> regular = (r.staff["kind"] == "regular").to_numpy()
>>> r.rostered[regular].sum(axis=1).tolist(), r.check_rules()
([9, 9, 9, 9, 7, 7, 11, 9], [])
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hemopt.errors import InputError, check_fields
from hemopt.flow import min_cost_assignment

__all__ = [
    "SHIFT_HOURS",
    "Roster",
    "RosterParams",
    "assign_staff",
    "build_roster",
    "is_weekend",
]

#: Shift kinds of the routing (``hemopt.routing.day.ShiftParams``: day 07–16, evening
#: 16–22) and their paid hours in a roster: 8 h in the day (the 9-hour window less an unpaid
#: 30-minute lunch, rounded), 6 h in the evening.
SHIFT_HOURS: dict[str, float] = {"day": 8.0, "evening": 6.0}

#: Rest between an evening shift (ends 22:00) and a day shift (starts 07:00): 9 h, less than
#: the 11 h of daily rest of the Working Hours Act (arbetstidslagen 13 §).
_EVENING_TO_DAY_REST_H = 9.0


def is_weekend(day: int) -> bool:
    """Whether horizon day ``day`` (0 = a Monday) is a Saturday or Sunday.

    Examples
    --------
    >>> [is_weekend(d) for d in (4, 5, 6, 7)]
    [False, True, True, False]
    """
    return day % 7 >= 5


@dataclass(frozen=True)
class RosterParams:
    """Staffing assumptions (sources and reasoning in ``docs/continuity.md``).

    Parameters
    ----------
    full_time_h_week
        Full-time hours a week (default 38.25: the working week of Kommunal's agreement for
        staff working rotating shifts including evenings and weekends; a stated assumption).
    part_time_share
        Share of regular staff working part time (default 0.4: assumption; a large share of
        home-care assistants work part time, Kommunal's and SKR's *heltid som norm* aims to
        lower it; calibrated with the other rates to Kolada's continuity, see
        ``docs/continuity.md``).
    part_time_fraction
        Part-timers' hours as a fraction of full time (default 0.75: assumption).
    max_days_per_week
        Most days worked in a calendar week (default 6: one day off a week gives the 36 hours
        of weekly rest of arbetstidslagen 14 §, see ``docs/continuity.md``).
    absence_rate
        Share of rostered days a regular is away: sickness and leave (default 0.12:
        assumption; sickness absence of about 8–10 % reported for municipal home care, plus
        about 3 % for annual leave and other leave taken outside the summer).
    absence_spell_days
        Mean length of an absence spell in days (default 3: assumption; most sick leave is
        short, the first days being unpaid and uncertified).
    pool_share
        Pool staff per regular staff member (default 0.25, at least one per provider). About
        20 % of the municipalities' staff in elderly and disability care are employed by the
        hour (SKR's yearly count, 2023, as reported by Arbetet 2024-04-10): 0.2 / 0.8 = 0.25
        hourly staff per regular. Pool staff work any shift, any day, one route a day.

    Raises
    ------
    InputError
        A figure out of range, naming it and its value.

    Examples
    --------
    >>> RosterParams().shifts_in(14, "day", part_time=False)
    9
    >>> RosterParams(absence_rate=1.2)
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: RosterParams.absence_rate must be in [0, 1), got 1.2
    """

    full_time_h_week: float = 38.25
    part_time_share: float = 0.4
    part_time_fraction: float = 0.75
    max_days_per_week: int = 6
    absence_rate: float = 0.12
    absence_spell_days: float = 3.0
    pool_share: float = 0.25

    def __post_init__(self) -> None:
        check_fields(self, dict.fromkeys(asdict(self), "finite"))
        if self.full_time_h_week <= 0 or self.full_time_h_week > 48:
            raise InputError("RosterParams.full_time_h_week must be in (0, 48], got "
                             f"{self.full_time_h_week!r}")
        for k in ("part_time_share", "part_time_fraction", "pool_share"):
            v = getattr(self, k)
            if not 0 <= v <= 1:
                raise InputError(f"RosterParams.{k} must be in [0, 1], got {v!r}")
        if not 0 <= self.absence_rate < 1:
            raise InputError(f"RosterParams.absence_rate must be in [0, 1), got "
                             f"{self.absence_rate!r}")
        if self.absence_spell_days < 1:
            raise InputError("RosterParams.absence_spell_days must be >= 1, got "
                             f"{self.absence_spell_days!r}")
        if self.max_days_per_week not in range(3, 7):
            raise InputError("RosterParams.max_days_per_week must be 3..6, got "
                             f"{self.max_days_per_week!r}")

    def contract_h_week(self, part_time: bool) -> float:
        """Contract hours a week of a full- or part-timer."""
        return self.full_time_h_week * (self.part_time_fraction if part_time else 1.0)

    def shifts_in(self, days: int, shift: str, *, part_time: bool) -> int:
        """Shifts a regular works in ``days`` days: as many as the contract hours hold, at
        most what the weekly limit and the weekend rule allow."""
        hours = self.contract_h_week(part_time) * days / 7.0
        n = math.floor(hours / SHIFT_HOURS[shift] + 1e-9)
        return min(n, _max_shifts(days, self.max_days_per_week))


def _max_shifts(days: int, max_per_week: int) -> int:
    """Most shifts in ``days`` when working at most ``max_per_week`` days a week and every
    other weekend at most (weekday-only weeks hold at most 5)."""
    total = 0
    for w in range(math.ceil(days / 7)):
        week = range(7 * w, min(7 * w + 7, days))
        weekdays = sum(1 for d in week if not is_weekend(d))
        weekend = sum(1 for d in week if is_weekend(d))
        total += min(max_per_week, weekdays + (weekend if w % 2 == 0 else 0))
    return total


@dataclass(frozen=True, eq=False)
class Roster:
    """Staff and who is on duty each day of the horizon.

    Attributes
    ----------
    staff
        One row per person: ``staff_id``, ``provider_id``, ``kind`` (``"regular"`` or
        ``"pool"``), ``shift`` (``"day"``, ``"evening"``, or ``"any"`` for pool staff),
        ``contract_h_week`` (0 for pool staff: paid by the hour), ``weekend`` (0 or 1: which
        weekends a regular works; -1 for pool staff).
    rostered
        ``(n_staff, days)`` bool: scheduled to work that day (pool staff: every day).
    absent
        ``(n_staff, days)`` bool: away that day (sick or on leave).
    params
        The :class:`RosterParams` the roster was built with.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> staff = pd.DataFrame({"staff_id": ["a", "b"], "provider_id": "P", "kind": "regular",
    ...                       "shift": "day", "contract_h_week": 38.25, "weekend": [0, 1]})
    >>> r = Roster(staff, np.ones((2, 3), dtype=bool), np.zeros((2, 3), dtype=bool))
    >>> r.on_duty(0).tolist(), r.days
    ([0, 1], 3)
    """

    staff: pd.DataFrame
    rostered: NDArray[np.bool_]
    absent: NDArray[np.bool_]
    params: RosterParams = field(default_factory=RosterParams)

    def __post_init__(self) -> None:
        need = {"staff_id", "provider_id", "kind", "shift", "contract_h_week", "weekend"}
        missing = sorted(need - set(self.staff.columns))
        if missing:
            raise InputError(f"Roster.staff: missing columns {missing}")
        n = len(self.staff)
        for name in ("rostered", "absent"):
            a = np.asarray(getattr(self, name))
            if a.ndim != 2 or a.shape[0] != n or a.dtype != np.bool_:
                raise InputError(f"Roster.{name}: expected a bool array of shape ({n}, days), "
                                 f"got {a.dtype} {a.shape}")
        if self.rostered.shape != self.absent.shape:
            raise InputError(f"Roster.absent: shape {self.absent.shape} differs from "
                             f"rostered {self.rostered.shape}")
        dup = self.staff["staff_id"].duplicated()
        if dup.any():
            raise InputError(f"Roster.staff: staff_id {self.staff['staff_id'][dup].iloc[0]!r} "
                             "appears twice")
        bad = ~self.staff["kind"].isin(["regular", "pool"])
        if bad.any():
            raise InputError(f"Roster.staff: kind {self.staff['kind'][bad].iloc[0]!r}; "
                             "expected 'regular' or 'pool'")

    @property
    def days(self) -> int:
        """Days in the horizon."""
        return int(self.rostered.shape[1])

    def on_duty(self, day: int) -> NDArray[np.int64]:
        """Row indices of the staff working on ``day`` (rostered and not absent)."""
        return np.flatnonzero(self.rostered[:, day] & ~self.absent[:, day])

    def worked_hours(self) -> NDArray[np.float64]:
        """Rostered hours of each regular over the horizon (pool staff: 0)."""
        h = self.staff["shift"].map(SHIFT_HOURS).fillna(0.0).to_numpy(dtype=float)
        return self.rostered.sum(axis=1) * h

    def check_rules(self) -> list[str]:
        """Breaches of the rostering rules (empty when the roster keeps them all): hours
        within contract, at most ``max_days_per_week`` days a calendar week, every other
        weekend off, one kind of shift per regular (no evening shift followed by a day shift,
        whose 9 hours of rest break the 11 hours of daily rest).

        Examples
        --------
        >>> import numpy as np
        >>> r = build_roster({"A": {"day": np.full(14, 2), "evening": np.zeros(14)}},
        ...                  days=14, seed=0)
        >>> r.check_rules()
        []
        """
        out: list[str] = []
        p = self.params
        hours = self.worked_hours()
        for i, row in enumerate(self.staff.itertuples(index=False)):
            if row.kind != "regular":
                continue
            work = self.rostered[i]
            allowed = row.contract_h_week * self.days / 7.0
            if hours[i] > allowed + 1e-9:
                out.append(f"{row.staff_id}: {hours[i]:g} h rostered > contract {allowed:g} h")
            for w in range(math.ceil(self.days / 7)):
                n = int(work[7 * w:7 * w + 7].sum())
                if n > p.max_days_per_week:
                    out.append(f"{row.staff_id}: {n} days in week {w + 1}")
                weekend = [d for d in range(7 * w, min(7 * w + 7, self.days)) if is_weekend(d)]
                if weekend and w % 2 != row.weekend and work[weekend].any():
                    out.append(f"{row.staff_id}: works the weekend of week {w + 1}, "
                               "its weekend off")
            if row.shift not in SHIFT_HOURS:
                out.append(f"{row.staff_id}: shift {row.shift!r} is not 'day' or 'evening'")
        return out


def _absence(n: int, days: int, rate: float, spell: float,
             rng: np.random.Generator) -> NDArray[np.bool_]:
    """Absence in spells: a two-state Markov chain per person, mean spell ``spell`` days,
    stationary share ``rate``."""
    out = np.zeros((n, days), dtype=bool)
    if rate <= 0 or n == 0:
        return out
    p_end = 1.0 / spell
    p_start = rate * p_end / (1.0 - rate)
    state = rng.random(n) < rate
    for d in range(days):
        out[:, d] = state
        u = rng.random(n)
        state = np.where(state, u >= p_end, u < p_start)
    return out


def _size(demand: NDArray[np.float64], shift: str, p: RosterParams, days: int) -> int:
    """Regulars needed for one provider and shift kind: enough shifts for the fortnight's
    routes, and enough people on each weekend group for the busiest weekend day."""
    if demand.sum() <= 0:
        return 0
    per_person = ((1 - p.part_time_share) * p.shifts_in(days, shift, part_time=False)
                  + p.part_time_share * p.shifts_in(days, shift, part_time=True))
    by_shifts = math.ceil(demand.sum() / max(per_person, 1e-9) - 1e-9)
    weekend = [d for d in range(days) if is_weekend(d)]
    by_weekend = 2 * int(demand[weekend].max()) if weekend else 0
    return max(by_shifts, by_weekend, 1)


def build_roster(
    demand: dict[str, dict[str, Any]],
    *,
    days: int,
    seed: int = 0,
    params: RosterParams | None = None,
) -> Roster:
    """Staff each provider for its routed shifts and roster them over ``days`` days.

    Parameters
    ----------
    demand
        ``{provider_id: {"day": routes per day, "evening": routes per day}}``, each an array
        of ``days`` counts (day 0 is a Monday).
    days
        Length of the horizon.
    seed
        Seed of the tie-breaks and of the absence draw.
    params
        :class:`RosterParams`.

    Returns
    -------
    Roster
        Regulars sized by :func:`_size` (enough shifts, and enough on each weekend group for
        the busiest weekend day); the first ``1 - part_time_share`` of them full time;
        alternate weekends; their weekdays chosen greedily where most routes are still
        uncovered, within the weekly limit. Pool staff: ``ceil(pool_share × regulars)``, at
        least one per provider with routes, on duty every day.

    Raises
    ------
    InputError
        A demand array of the wrong length or with negative counts, naming the provider and
        the shift.

    Examples
    --------
    >>> import numpy as np
    >>> r = build_roster({"A": {"day": [2] * 7, "evening": [1] * 7}}, days=7, seed=0)
    >>> r.staff[["staff_id", "shift", "weekend"]].head(3).to_dict("list")
    {'staff_id': ['A-d01', 'A-d02', 'A-d03'], 'shift': ['day', 'day', 'day'], 'weekend': [0, 1, 0]}
    """
    p = params or RosterParams()
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise InputError(f"days must be a whole number >= 1, got {days!r}")
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    work_rows: list[NDArray[np.bool_]] = []
    for pid in sorted(demand):
        any_routes = False
        for shift in ("day", "evening"):
            d = np.asarray(demand[pid].get(shift, np.zeros(days)), dtype=float)
            if d.shape != (days,) or not np.isfinite(d).all() or (d < 0).any():
                raise InputError(f"demand[{pid!r}][{shift!r}]: expected {days} counts >= 0, "
                                 f"got {d.tolist()!r}")
            n = _size(d, shift, p, days)
            any_routes |= n > 0
            n_full = n - round(n * p.part_time_share)
            remaining = d.copy()
            for k in range(n):
                part = k >= n_full
                weekend = k % 2
                work = np.zeros(days, dtype=bool)
                for day in range(days):
                    if is_weekend(day) and (day // 7) % 2 == weekend:
                        work[day] = True
                left = p.shifts_in(days, shift, part_time=part) - int(work.sum())
                # weekdays where most routes are uncovered, ties broken at random
                order = np.lexsort((rng.random(days), -remaining))
                for day in order:
                    if left <= 0:
                        break
                    w = day // 7
                    if is_weekend(day) or work[day]:
                        continue
                    if work[7 * w:7 * w + 7].sum() >= p.max_days_per_week:
                        continue
                    work[day] = True
                    left -= 1
                remaining = remaining - work
                rows.append({"staff_id": f"{pid}-{shift[0]}{k + 1:02d}", "provider_id": pid,
                             "kind": "regular", "shift": shift,
                             "contract_h_week": p.contract_h_week(part), "weekend": weekend})
                work_rows.append(work)
        if any_routes:
            n_reg = sum(1 for r in rows if r["provider_id"] == pid)
            for k in range(max(1, math.ceil(p.pool_share * n_reg - 1e-9))):
                rows.append({"staff_id": f"{pid}-p{k + 1:02d}", "provider_id": pid,
                             "kind": "pool", "shift": "any", "contract_h_week": 0.0,
                             "weekend": -1})
                work_rows.append(np.ones(days, dtype=bool))
    staff = pd.DataFrame(rows, columns=["staff_id", "provider_id", "kind", "shift",
                                        "contract_h_week", "weekend"])
    rostered = (np.vstack(work_rows) if work_rows else np.zeros((0, days), dtype=bool))
    absent = _absence(len(staff), days, p.absence_rate, p.absence_spell_days, rng)
    absent &= (staff["kind"] == "regular").to_numpy()[:, None]
    return Roster(staff=staff, rostered=rostered, absent=absent, params=p)


def assign_staff(
    routes: pd.DataFrame,
    roster: Roster,
    *,
    weight: float = 1.0,
    contact_weight: float = 0.0,
) -> pd.DataFrame:
    """Hand every route of every day to one person, day by day, by a min-cost assignment.

    Parameters
    ----------
    routes
        One row per client on a route: ``day``, ``route_id``, ``provider_id``, ``shift``
        (``"day"`` or ``"evening"``), ``route_min`` (the route's minutes), ``client_id``,
        ``n_visits``. ``route_id`` is unique over the horizon.
    roster
        Staff and who is on duty (:func:`build_roster`).
    weight
        Cost of a new face (a client meeting a staff member for the first time in the
        horizon), in route-fit units (hours of route given to someone who has worked all of
        their contract so far). 0 ignores continuity.
    contact_weight
        Cost per visit made by someone other than the client's contact person (the first
        regular who visits the client). 0: no contact-person preference.

    Returns
    -------
    pandas.DataFrame
        One row per route: ``day``, ``route_id``, ``provider_id``, ``shift``, ``route_min``,
        ``staff_id``, ``kind`` (``"regular"``, ``"pool"`` or ``"agency"``: a one-off temp
        with id ``"<provider>-agency-<route_id>"``).

    Raises
    ------
    InputError
        Missing columns, a weight that is negative or not finite, or a day outside the
        roster, naming the field and the value.

    Examples
    --------
    Two staff, on duty every day; a route of clients ``a`` and ``b`` and one of ``c`` each
    day: each client keeps the staff member who first came.

    >>> import numpy as np, pandas as pd
    >>> staff = pd.DataFrame({"staff_id": ["s1", "s2"], "provider_id": "P",
    ...                       "kind": "regular", "shift": "day", "contract_h_week": 38.25,
    ...                       "weekend": [0, 1]})
    >>> roster = Roster(staff, np.ones((2, 3), bool), np.zeros((2, 3), bool))
    >>> routes = pd.DataFrame({"day": [0, 0, 0, 1, 1, 1, 2, 2, 2],
    ...     "route_id": ["r0", "r0", "r1", "r2", "r3", "r3", "r4", "r4", "r5"],
    ...     "provider_id": "P", "shift": "day", "route_min": 300.0,
    ...     "client_id": ["a", "b", "c", "c", "a", "b", "a", "b", "c"], "n_visits": 1})
    >>> out = assign_staff(routes, roster, weight=10.0)
    >>> first = dict(zip(out["route_id"], out["staff_id"]))
    >>> first["r0"] == first["r3"] == first["r4"], first["r1"] == first["r2"] == first["r5"]
    (True, True)
    """
    need = {"day", "route_id", "provider_id", "shift", "route_min", "client_id", "n_visits"}
    missing = sorted(need - set(routes.columns))
    if missing:
        raise InputError(f"routes: missing columns {missing}")
    for name, v in (("weight", weight), ("contact_weight", contact_weight)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
            raise InputError(f"{name} must be a finite number >= 0, got {v!r}")
    if len(routes) and (routes["day"].min() < 0 or routes["day"].max() >= roster.days):
        bad = int(routes["day"][(routes["day"] < 0) | (routes["day"] >= roster.days)].iloc[0])
        raise InputError(f"routes: day {bad!r} outside the roster's 0..{roster.days - 1}")
    out: list[dict[str, Any]] = []
    staff = roster.staff
    for pid, rp in routes.groupby("provider_id", sort=True):
        rows = np.flatnonzero((staff["provider_id"] == pid).to_numpy())
        ids = staff["staff_id"].to_numpy()[rows]
        kind = staff["kind"].to_numpy()[rows]
        sshift = staff["shift"].to_numpy()[rows]
        contract = staff["contract_h_week"].to_numpy(dtype=float)[rows]
        clients = np.unique(rp["client_id"].to_numpy())
        cidx = {c: i for i, c in enumerate(clients)}
        known = np.zeros((len(clients), len(rows)), dtype=bool)
        contact = np.full(len(clients), -1, dtype=np.int64)
        worked_h = np.zeros(len(rows))
        evening_yesterday = np.zeros(len(rows), dtype=bool)
        for day, rd in rp.groupby("day", sort=True):
            day = int(day)
            info = rd.groupby("route_id", sort=True).agg(
                shift=("shift", "first"), route_min=("route_min", "first"))
            rid = info.index.to_numpy()
            ridx = {r: i for i, r in enumerate(rid)}
            n_r = len(rid)
            inc = np.zeros((n_r, len(clients)))  # clients on each route
            vis = np.zeros((n_r, len(clients)))  # visits on each route
            ri = rd["route_id"].map(ridx).to_numpy()
            ci = rd["client_id"].map(cidx).to_numpy()
            np.add.at(vis, (ri, ci), rd["n_visits"].to_numpy(dtype=float))
            inc[ri, ci] = 1.0
            on = roster.rostered[rows, day] & ~roster.absent[rows, day]
            col = np.flatnonzero(on)
            new_faces = inc @ (~known[:, col]).astype(float)
            has_cp = contact >= 0
            # visits on each route of clients with a contact person, less those whose contact
            # person is the staff member in the column
            by_cp = np.zeros((len(clients), len(rows)))
            by_cp[np.flatnonzero(has_cp), contact[has_cp]] = 1.0
            cp_miss = (vis[:, has_cp].sum(axis=1)[:, None] - (vis @ by_cp)[:, col])
            to_date = contract[col] * day / 7.0
            ratio = np.divide(worked_h[col], to_date, out=np.zeros(len(col)), where=to_date > 0)
            route_h = info["route_min"].to_numpy(dtype=float) / 60.0
            fit = np.where(kind[col] == "regular", route_h[:, None] * ratio[None, :], 0.0)
            cont = weight * new_faces + contact_weight * cp_miss
            penalty = 10.0 * (float(cont.max(initial=0.0)) + float(fit.max(initial=0.0)) + 1.0)
            rshift = info["shift"].to_numpy()
            ok = ((sshift[col][None, :] == rshift[:, None])
                  | (sshift[col][None, :] == "any"))
            # a pool member who worked last evening may not start a day shift (11 h rest)
            ok &= ~((kind[col] == "pool")[None, :] & evening_yesterday[col][None, :]
                    & (rshift == "day")[:, None])
            cost = fit + cont + np.where(kind[col] == "pool", penalty, 0.0)[None, :]
            cost = np.where(ok, cost, np.inf)
            agency_cost = 2.0 * penalty + weight * inc.sum(axis=1) + contact_weight * (
                vis[:, has_cp].sum(axis=1))
            if len(col):
                res = min_cost_assignment(cost, np.ones(len(col)), unserved_cost=agency_cost)
                pick = res.provider
            else:
                pick = np.full(n_r, -1)
            evening_yesterday[:] = False
            for r in range(n_r):
                if pick[r] >= 0:
                    s = int(col[pick[r]])
                    sid, sk = ids[s], kind[s]
                    on_r = inc[r] > 0
                    known[on_r, s] = True
                    if sk == "regular":
                        worked_h[s] += route_h[r]
                        new_cp = on_r & (contact < 0)
                        contact[new_cp] = s
                    evening_yesterday[s] = rshift[r] == "evening"
                else:
                    sid, sk = f"{pid}-agency-{rid[r]}", "agency"
                out.append({"day": day, "route_id": rid[r], "provider_id": pid,
                            "shift": rshift[r], "route_min": float(info["route_min"].iloc[r]),
                            "staff_id": sid, "kind": sk})
    return pd.DataFrame(out, columns=["day", "route_id", "provider_id", "shift", "route_min",
                                      "staff_id", "kind"])
