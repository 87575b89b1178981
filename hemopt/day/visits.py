"""The day's visits and the stops they form.

**Minutes are conserved.** A client granted ``hours_per_week`` gets ``m = hours × 60 / 7`` care
minutes a day. With ``visits_per_day = v >= 1`` the client gets ``floor(v)`` visits today plus
one more with probability ``v - floor(v)`` (a seeded draw), and the day's visits together last
exactly ``m`` minutes. A client visited less than daily (``v < 1``, e.g. weekly cleaning) gets
one visit of ``m / v`` minutes with probability ``v``: ``m`` a day in expectation. A client with
no hours gets no visits. Care a day cannot hold is an error (:class:`~hemopt.errors.InputError`
naming the client, the field and the value): more than 24 hours a day, more visits than
:attr:`VisitParams.max_visits`, or hours without visits.

**Short and long visits.** A client's minutes are shared among the day's visits by period:
every visit gets at least :attr:`VisitParams.min_visit_min` (when the minutes allow it), the
rest in proportion to :attr:`VisitParams.period_weights`: morning and bedtime visits (hygiene,
dressing) are long, late-morning and afternoon visits (supervision, medication) short.

Visits fall in the periods of a Swedish home-care day (see ``docs/routing.md``): one visit a
day is a morning visit, two are morning and dinner, ...; light clients' visits (cleaning,
shopping) go in the daytime chores window. Night visits (the night patrol, 21:30–07:30, run by
the municipality everywhere) are outside the model.

Visits by the same provider at the same stairwell in the same period form one **stop**: staff
go there once and walk between the visits (``walk_min`` each).

Examples
--------
>>> import hemopt
>>> from hemopt.day.visits import day_of_visits
>>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
>>> v = day_of_visits(sc, sc.clients["current_provider"], seed=0)
>>> daily = sc.clients.set_index("client_id")["hours_per_week"] * 60 / 7
>>> per_client = v.groupby("client_id")["duration_min"].sum()
>>> heavy = sc.clients.set_index("client_id")["visits_per_day"] >= 1
>>> bool(((per_client - daily[per_client.index]).abs()[heavy] < 1e-9).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hemopt.errors import InputError

if TYPE_CHECKING:
    from hemopt.scenario import Scenario

__all__ = [
    "MAX_HOURS_PER_WEEK",
    "PATTERNS",
    "PERIODS",
    "AssignedClients",
    "ClientProviders",
    "VisitParams",
    "check_care",
    "day_of_visits",
    "group_stops",
    "provider_ids",
    "stops_of",
]

#: Periods of the day: name -> (start, end) in minutes after midnight, with the shift that
#: serves them. Service must start within the period.
PERIODS: dict[str, tuple[float, float, str]] = {
    "morning": (7 * 60, 10 * 60, "day"),  # wake-up, hygiene, breakfast
    "late_morning": (10 * 60, 11 * 60 + 30, "day"),
    "lunch": (11 * 60 + 30, 13 * 60 + 30, "day"),
    "afternoon": (13 * 60 + 30, 15 * 60, "day"),  # coffee, walks, errands
    "chores": (8 * 60, 15 * 60, "day"),  # cleaning, laundry, shopping (weekly)
    "dinner": (16 * 60 + 30, 19 * 60, "evening"),
    "bedtime": (19 * 60 + 30, 21 * 60 + 30, "evening"),
}

#: Which periods k visits a day fall in. Seven and eight visits put a second visit in the
#: morning (and at dinner): served back to back, as one stop.
PATTERNS: dict[int, tuple[str, ...]] = {
    1: ("morning",),
    2: ("morning", "dinner"),
    3: ("morning", "lunch", "dinner"),
    4: ("morning", "lunch", "dinner", "bedtime"),
    5: ("morning", "lunch", "afternoon", "dinner", "bedtime"),
    6: ("morning", "late_morning", "lunch", "afternoon", "dinner", "bedtime"),
    7: ("morning", "morning", "late_morning", "lunch", "afternoon", "dinner", "bedtime"),
    8: ("morning", "morning", "late_morning", "lunch", "afternoon", "dinner", "dinner",
        "bedtime"),
}

#: A day holds at most 24 hours of care per client: 168 hours a week.
MAX_HOURS_PER_WEEK = 168.0


@dataclass(frozen=True)
class VisitParams:
    """Parameters of the day's visits (defaults, rationale and calibration in
    ``docs/routing.md``).

    Parameters
    ----------
    max_visits
        Most visits a client can have in the day and evening, 1 to 8 (default 8). A client
        with a larger ``visits_per_day`` is an error.
    min_visit_min
        Shortest visit when the client's minutes allow it (default 10: a medication check).
    period_weights
        ``(period, weight)`` pairs: how a client's minutes beyond the minimum are shared among
        the day's visits. Default: morning 1.8, late morning 0.15, lunch 0.6, afternoon 0.15,
        chores 1, dinner 1, bedtime 1.2 (supervision and medication checks of 10–15 minutes
        in the late morning and afternoon; see ``docs/routing.md``).
    chores_below_min_per_day
        Clients with fewer care minutes a day than this get their visits in the chores window
        (default 20, matching :func:`hemopt.synth.visits_per_day_from_hours`).
    walk_min
        Walking time between two visits of one stop (default 2 minutes).

    Raises
    ------
    InputError
        A parameter out of range, naming it and its value.

    Examples
    --------
    >>> VisitParams().weight("morning"), VisitParams().weight("afternoon")
    (1.8, 0.15)
    >>> VisitParams(max_visits=9)
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: VisitParams.max_visits must be 1..8, got 9
    """

    max_visits: int = 8
    min_visit_min: float = 10.0
    period_weights: tuple[tuple[str, float], ...] = (
        ("morning", 1.8),
        ("late_morning", 0.15),
        ("lunch", 0.6),
        ("afternoon", 0.15),
        ("chores", 1.0),
        ("dinner", 1.0),
        ("bedtime", 1.2),
    )
    chores_below_min_per_day: float = 20.0
    walk_min: float = 2.0

    def __post_init__(self) -> None:
        if isinstance(self.max_visits, bool) or self.max_visits not in PATTERNS:
            raise InputError(
                f"VisitParams.max_visits must be 1..{max(PATTERNS)}, got {self.max_visits!r}"
            )
        if not (np.isfinite(self.min_visit_min) and self.min_visit_min > 0):
            raise InputError(
                f"VisitParams.min_visit_min must be finite and > 0, got {self.min_visit_min!r}"
            )
        if not (np.isfinite(self.walk_min) and self.walk_min >= 0):
            raise InputError(f"VisitParams.walk_min must be >= 0, got {self.walk_min!r}")
        if not (np.isfinite(self.chores_below_min_per_day)
                and self.chores_below_min_per_day >= 0):
            raise InputError("VisitParams.chores_below_min_per_day must be >= 0, got "
                             f"{self.chores_below_min_per_day!r}")
        weights = dict(self.period_weights)
        missing = sorted(set(PERIODS) - set(weights))
        unknown = sorted(set(weights) - set(PERIODS))
        if missing or unknown:
            raise InputError(f"VisitParams.period_weights: need one weight per period "
                             f"({', '.join(PERIODS)}); missing {missing}, unknown {unknown}")
        for period, w in weights.items():
            if not (np.isfinite(w) and w > 0):
                raise InputError(
                    f"VisitParams.period_weights[{period!r}] must be finite and > 0, got {w!r}"
                )

    def weight(self, period: str) -> float:
        """The weight of ``period`` in :attr:`period_weights`."""
        return float(dict(self.period_weights)[period])


@runtime_checkable
class AssignedClients(Protocol):
    """What routing needs from an assignment: each client's provider and every provider's
    starting points. :class:`hemopt.assignment.Assignment` implements it, and so does
    :class:`ClientProviders` (plain arrays).

    Examples
    --------
    >>> import numpy as np
    >>> plan = ClientProviders(["A", "", "A"], {"A": np.array([[0.0, 0.0]])})
    >>> isinstance(plan, AssignedClients)
    True
    """

    def client_providers(self) -> NDArray[np.object_]:
        """The provider id of every client, in the scenario's order; ``""`` for none."""
        ...

    def bases_xy(self) -> dict[str, NDArray[np.float64]]:
        """Where each provider's shifts may start: ``{provider_id: (k, 2) array}``, office
        first."""
        ...


class ClientProviders:
    """A provider per client and the providers' starting points, as plain arrays: an
    :class:`AssignedClients` without an :class:`~hemopt.assignment.Assignment`.

    Parameters
    ----------
    providers
        The provider id of every client (``""`` for none).
    bases
        ``{provider_id: (k, 2) array}`` of starting points, office first (for example
        ``scenario.bases_xy()``).

    Examples
    --------
    >>> import numpy as np
    >>> plan = ClientProviders(["A", "B"], {"A": np.array([[0.0, 0.0]]),
    ...                                     "B": np.array([[5.0, 5.0]])})
    >>> plan.client_providers()
    array(['A', 'B'], dtype=object)
    """

    def __init__(self, providers: ArrayLike, bases: Mapping[str, ArrayLike]) -> None:
        self._providers = np.array(list(np.asarray(providers, dtype=object).reshape(-1)),
                                   dtype=object)
        self._bases = {str(k): np.asarray(v, dtype=np.float64).reshape(-1, 2)
                       for k, v in bases.items()}

    def client_providers(self) -> NDArray[np.object_]:
        """The provider id of every client."""
        return self._providers.copy()

    def bases_xy(self) -> dict[str, NDArray[np.float64]]:
        """Every provider's starting points, office first."""
        return {k: v.copy() for k, v in self._bases.items()}


def provider_ids(scenario: Scenario, assigned: AssignedClients | ArrayLike) -> NDArray[np.object_]:
    """The provider id of every client, from an :class:`AssignedClients` or a sequence of ids.

    Raises
    ------
    InputError
        Not one id per client, or an id that is not a string.
    """
    if isinstance(assigned, AssignedClients):
        prov = np.asarray(assigned.client_providers(), dtype=object)
    else:
        try:
            prov = np.asarray(list(assigned), dtype=object)  # type: ignore[arg-type]
        except TypeError:
            raise InputError(
                "providers: expected an assignment (client_providers() and bases_xy()) or a "
                f"provider id per client, got {type(assigned).__name__}"
            ) from None
    if prov.ndim != 1 or len(prov) != scenario.n_clients:
        raise InputError(f"providers: expected {scenario.n_clients} entries (one per client), "
                         f"got {len(prov)}")
    bad = [i for i, p in enumerate(prov) if not isinstance(p, str)]
    if bad:
        i = bad[0]
        cid = scenario.clients["client_id"].iloc[i]
        raise InputError(f"providers: client {cid!r} has provider {prov[i]!r}; expected a "
                         "provider id (a string, '' for none)")
    return prov


def _first_bad(scenario: Scenario, bad: NDArray[np.bool_], what: str) -> None:
    """Raise an InputError naming the first client where ``bad`` holds."""
    idx = np.flatnonzero(bad)
    cid = scenario.clients["client_id"].iloc[int(idx[0])]
    more = f" (and {len(idx) - 1} more clients)" if len(idx) > 1 else ""
    raise InputError(f"clients: client {cid!r} has {what}{more}")


def check_care(scenario: Scenario, params: VisitParams | None = None) -> None:
    """Reject care that a day cannot hold.

    Raises
    ------
    InputError
        Naming the client, the field and the value: ``hours_per_week`` above 168 (more than
        24 hours a day), ``visits_per_day`` above ``params.max_visits``, hours without visits,
        or values that are negative or not finite.

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> cl = sc.clients.copy()
    >>> cl.loc[0, "visits_per_day"] = 20.0
    >>> check_care(sc.replace(clients=cl))
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: clients: client 'c00000' has visits_per_day = 20, more visits ...

    (A scenario refuses more than 168 hours a week where the data enters, so this check
    guards scenarios built around the constructor.)
    """
    params = params or VisitParams()
    cl = scenario.clients
    h = cl["hours_per_week"].to_numpy(dtype=float)
    v = cl["visits_per_day"].to_numpy(dtype=float)
    for name, arr in (("hours_per_week", h), ("visits_per_day", v)):
        bad = ~np.isfinite(arr) | (arr < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            _first_bad(scenario, bad, f"{name} = {arr[i]:g}, expected a finite number >= 0")
    too_long = h > MAX_HOURS_PER_WEEK
    if too_long.any():
        i = int(np.flatnonzero(too_long)[0])
        _first_bad(scenario, too_long, f"hours_per_week = {h[i]:g}, more than a day can hold "
                                       f"({MAX_HOURS_PER_WEEK:g} hours a week is 24 hours a day)")
    too_many = v > params.max_visits
    if too_many.any():
        i = int(np.flatnonzero(too_many)[0])
        _first_bad(scenario, too_many, f"visits_per_day = {v[i]:g}, more visits than a day "
                                       f"holds (VisitParams.max_visits = {params.max_visits})")
    no_visits = (h > 0) & (v == 0)
    if no_visits.any():
        i = int(np.flatnonzero(no_visits)[0])
        _first_bad(scenario, no_visits, f"hours_per_week = {h[i]:g} but visits_per_day = 0: "
                                        "care without visits")


def day_of_visits(
    scenario: Scenario,
    providers: AssignedClients | ArrayLike,
    *,
    seed: int = 0,
    params: VisitParams | None = None,
) -> pd.DataFrame:
    """A seeded day of visits that conserves every client's care minutes.

    Parameters
    ----------
    scenario
        The municipality.
    providers
        The provider of each client: an :class:`AssignedClients` (such as an
        :class:`~hemopt.assignment.Assignment`), or a sequence of provider ids (``""`` for
        none: no visits).
    seed
        Seed of the draw. The draw depends on the clients only, not on the provider: the same
        seed gives every regime the same visits, so regimes are compared on the same day.
    params
        :class:`VisitParams` (default ``VisitParams()``).

    Returns
    -------
    pandas.DataFrame
        One row per visit: ``visit_id``, ``client_id``, ``stairwell_id``, ``provider_id``,
        ``x``, ``y``, ``period``, ``shift``, ``earliest_min``, ``latest_min``,
        ``duration_min``.

    Raises
    ------
    InputError
        Care a day cannot hold (see :func:`check_care`), or not one provider per client.

    Examples
    --------
    A client with 7 hours a week and two visits a day gets 60 minutes today, morning and
    dinner: 10 minutes each, and the other 40 shared 1.8 : 1 (the morning visit is longer):

    >>> import hemopt
    >>> sc = hemopt.generate("strangnas", seed=1, scale=0.05)
    >>> cl = sc.clients.copy()
    >>> cl.loc[:, "hours_per_week"], cl.loc[:, "visits_per_day"] = 7.0, 2.0
    >>> v = day_of_visits(sc.replace(clients=cl), ["M"] * sc.n_clients, seed=0)
    >>> v.loc[v["client_id"] == "c00000", ["period", "duration_min"]].round(2)
        period  duration_min
    0  morning         35.71
    1   dinner         24.29
    """
    params = params or VisitParams()
    prov = provider_ids(scenario, providers)
    check_care(scenario, params)
    n = scenario.n_clients
    cl = scenario.clients
    v = cl["visits_per_day"].to_numpy(dtype=float)
    per_day = cl["hours_per_week"].to_numpy(dtype=float) * 60.0 / 7.0
    rng = np.random.default_rng(seed)
    u = rng.random(n)  # one draw per client, whatever the provider
    k = np.floor(v).astype(np.int64) + (u < (v - np.floor(v)))
    k[per_day <= 0] = 0
    # today's minutes: exactly the daily minutes when visited daily, else the minutes of the
    # days between visits (m / v) on the day of the visit
    today = np.where(v >= 1, per_day, per_day / np.where(v > 0, v, 1.0))
    chores = per_day < params.chores_below_min_per_day
    xy = scenario.client_xy()
    rows_client: list[int] = []
    rows_period: list[str] = []
    for i in np.flatnonzero((k > 0) & (prov != "")):
        pattern = ("chores",) * int(k[i]) if chores[i] else PATTERNS[int(k[i])]
        rows_client.extend([int(i)] * len(pattern))
        rows_period.extend(pattern)
    idx = np.array(rows_client, dtype=np.int64)
    periods = np.array(rows_period, dtype=object)
    weights = np.array([params.weight(p) for p in periods], dtype=float)
    dur = _split_minutes(idx, weights, today, k, params.min_visit_min)
    start = np.array([PERIODS[p][0] for p in periods], dtype=float)
    end = np.array([PERIODS[p][1] for p in periods], dtype=float)
    shift = np.array([PERIODS[p][2] for p in periods], dtype=object)
    return pd.DataFrame(
        {
            "visit_id": np.array([f"v{j:06d}" for j in range(len(idx))], dtype=object),
            "client_id": cl["client_id"].to_numpy(dtype=object)[idx],
            "stairwell_id": cl["stairwell_id"].to_numpy(dtype=object)[idx],
            "provider_id": prov[idx],
            "x": xy[idx, 0],
            "y": xy[idx, 1],
            "period": periods,
            "shift": shift,
            "earliest_min": start,
            "latest_min": end,
            "duration_min": dur,
        }
    )


def _split_minutes(
    idx: NDArray[np.int64],
    weights: NDArray[np.float64],
    today: NDArray[np.float64],
    k: NDArray[np.int64],
    min_visit_min: float,
) -> NDArray[np.float64]:
    """Each visit's minutes: the client's ``today`` minutes over its ``k`` visits, at least
    ``min(min_visit_min, today / k)`` each, the rest in proportion to ``weights``. The
    visits of a client add up to ``today`` exactly."""
    if not len(idx):
        return np.zeros(0)
    total = today[idx]
    kk = k[idx].astype(float)
    floor = np.minimum(min_visit_min, total / kk)
    wsum = np.bincount(idx, weights, minlength=len(today))[idx]
    return floor + (total - kk * floor) * weights / wsum


def _service_caps(
    shifts: pd.Series, max_service_min: float | Mapping[str, float] | None
) -> NDArray[np.float64]:
    if max_service_min is None:
        return np.full(len(shifts), np.inf)
    if isinstance(max_service_min, Mapping):
        try:
            return shifts.map(lambda s: float(max_service_min[s])).to_numpy(dtype=float)
        except KeyError as exc:
            raise InputError(f"max_service_min: no limit for shift {exc.args[0]!r}") from None
    return np.full(len(shifts), float(max_service_min))


_STOP_COLUMNS = ["stop_id", "provider_id", "stairwell_id", "period", "shift", "x", "y",
                 "earliest_min", "latest_min", "service_min", "n_visits"]


def group_stops(
    visits: pd.DataFrame,
    *,
    walk_min: float = 2.0,
    max_service_min: float | Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group visits into stops: same provider, same stairwell, same period.

    A stop's service time is the sum of its visits' durations plus ``walk_min`` between
    consecutive visits; its window is the period. With ``max_service_min`` (one number, or one
    per shift), a group whose service would exceed it is split, in the order of the day's
    draw, into stops no longer than the period's window (``latest_min − earliest_min``) nor
    the working time: split at the working time alone, the first stop would fill a whole shift
    and leave no time to come and go, so its visits could never be served (40 clients with a
    morning visit at one address lost most of their visits). A single visit longer than either
    is a stop of its own. The stops of one stairwell are at the same place, so a carer can
    serve them back to back, or several carers side by side. Groups that fit a shift stay one
    stop however long, as the routing approximation was fitted (a window cap on every group
    would be the consistent rule; it waits for the approximation's refit).

    Visits with ``staff_per_visit`` and ``skill`` columns keep double-staffed visits in
    stops of their own, and the stops carry both columns (a stop needs a skill when one of
    its visits does).

    Returns
    -------
    (visits, stops)
        The visits with a ``stop_id`` column, and one row per stop: ``stop_id``,
        ``provider_id``, ``stairwell_id``, ``period``, ``shift``, ``x``, ``y``,
        ``earliest_min``, ``latest_min``, ``service_min``, ``n_visits`` (and
        ``staff_per_visit``, ``skill``).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"visit_id": ["a", "b", "c"], "provider_id": "P",
    ...                   "stairwell_id": "s", "period": "morning", "shift": "day", "x": 0.0,
    ...                   "y": 0.0, "earliest_min": 420.0, "latest_min": 960.0,
    ...                   "duration_min": [300.0, 200.0, 50.0]})
    >>> _, stops = group_stops(v, walk_min=2.0, max_service_min=480.0)
    >>> stops["n_visits"].tolist(), stops["service_min"].tolist()
    ([1, 2], [300.0, 252.0])

    Twenty 30-minute visits in one stairwell in a three-hour window (more than a shift): four
    stops, none longer than the window.

    >>> v = pd.DataFrame({"visit_id": range(20), "provider_id": "P",
    ...                   "stairwell_id": "s", "period": "morning", "shift": "day", "x": 0.0,
    ...                   "y": 0.0, "earliest_min": 420.0, "latest_min": 600.0,
    ...                   "duration_min": 30.0})
    >>> _, stops = group_stops(v, walk_min=2.0, max_service_min=480.0)
    >>> stops["n_visits"].tolist(), stops["service_min"].tolist()
    ([5, 5, 5, 5], [158.0, 158.0, 158.0, 158.0])
    """
    if walk_min < 0 or not np.isfinite(walk_min):
        raise InputError(f"walk_min must be >= 0, got {walk_min!r}")
    visits = visits.copy()
    if visits.empty:
        visits["stop_id"] = pd.Series(dtype=object)
        return visits, pd.DataFrame(columns=_STOP_COLUMNS)
    key = ["provider_id", "stairwell_id", "period"]
    care = {"staff_per_visit", "skill"} <= set(visits.columns)
    if care:  # a double-staffed visit is a stop of its own kind: two staff come to it
        key.append("staff_per_visit")
    group = visits.groupby(key, sort=True).ngroup().to_numpy()
    order = np.lexsort((np.arange(len(visits)), group))
    # split groups whose service exceeds the cap, visits in order of the day's draw
    cap = _service_caps(visits["shift"], max_service_min)
    dur = visits["duration_min"].to_numpy(dtype=float)
    part = np.zeros(len(visits), dtype=np.int64)
    load = np.bincount(group, dur + walk_min) - walk_min
    gcap = np.full(len(load), np.inf)
    np.minimum.at(gcap, group, cap)
    # a group too long for a shift is split into stops no longer than its window either:
    # split at the working time alone, the first stop would fill a whole shift and leave no
    # time to come and go, so its visits could never be served
    window = (visits["latest_min"] - visits["earliest_min"]).to_numpy(dtype=float)
    cap = np.where(load[group] > gcap[group], np.minimum(cap, window), cap)
    for g in np.flatnonzero(load > gcap):
        members = order[group[order] == g]
        p, used = 0, 0.0
        for j in members:
            add = dur[j] + (walk_min if used > 0 else 0.0)
            if used > 0 and used + add > cap[j]:
                p, used, add = p + 1, 0.0, dur[j]
            part[j] = p
            used += add
    sub = pd.DataFrame({"g": group, "p": part})
    stop_no = sub.groupby(["g", "p"], sort=True).ngroup().to_numpy()
    visits["stop_id"] = np.array([f"t{j:06d}" for j in stop_no], dtype=object)
    g = visits.groupby("stop_id", sort=True)
    out = g.agg(
        provider_id=("provider_id", "first"),
        stairwell_id=("stairwell_id", "first"),
        period=("period", "first"),
        shift=("shift", "first"),
        x=("x", "first"),
        y=("y", "first"),
        earliest_min=("earliest_min", "max"),
        latest_min=("latest_min", "min"),
        service_min=("duration_min", "sum"),
        n_visits=("visit_id", "size"),
    ).reset_index()
    out["service_min"] = out["service_min"] + walk_min * (out["n_visits"] - 1)
    if care:
        out["staff_per_visit"] = g["staff_per_visit"].max().to_numpy()
        out["skill"] = g["skill"].max().to_numpy()  # "" < any skill: a skill if any visit has
        return visits, out[[*_STOP_COLUMNS, "staff_per_visit", "skill"]]
    return visits, out[_STOP_COLUMNS]


def stops_of(
    visits: pd.DataFrame,
    *,
    walk_min: float = 2.0,
    max_service_min: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The stops of :func:`group_stops` (without the visits).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"visit_id": ["a", "b"], "provider_id": "P", "stairwell_id": "s",
    ...                   "period": "morning", "shift": "day", "x": 0.0, "y": 0.0,
    ...                   "earliest_min": 420.0, "latest_min": 600.0,
    ...                   "duration_min": [30.0, 15.0]})
    >>> stops_of(v)["service_min"].tolist()
    [47.0]
    """
    return group_stops(visits, walk_min=walk_min, max_service_min=max_service_min)[1]
