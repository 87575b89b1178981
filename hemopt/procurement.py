"""The procurement of zoning's areas as a stated evaluation: lots, bids, capacity, award.

A municipality that procures home care by area (zoning, the Strängnäs decision) puts one or
more **lots** out to tender; a lot is one or several areas awarded together (Strängnäs put
areas 1 and 2 out as one lot, won by one company). Every external provider bids on every lot.
A bid is evaluated as follows (all figures per week; the constants are a :class:`Tender`):

* **care** ``= care hours of the lot x sek_per_hour`` (the same for every bidder: the hours
  are ordered, not bid);
* **travel** ``= km x sek_per_km + travel hours x sek_per_hour``: every visit of the week
  driven as a round trip from the bidder's start (office or base) that makes it cheapest,
  with the road km and the minutes of the study's car travel model (``car``: detour, speeds
  and parking, :class:`hemopt.travel.MixedTravel` by default). Routes chain visits, so this
  overstates the absolute travel, but it ranks bidders by how far their staff would have to
  go, which is what a tender evaluates;
* **capacity**: a bidder's capacity is the ``capacity_hours`` the scenario gives it (a limit
  the user stated, never exceeded: a bidder whose stated capacity cannot take the lot is not
  qualified; a stated ``capacity_clients`` likewise), else the hours it serves now (its
  current clients). A bidder below the lot's
  volume declares an **expansion**, priced at ``expansion_sek_per_hour`` per weekly hour of
  expansion, spread over the contract's ``contract_weeks``;
* **price** ``= care + travel + expansion``;
* **score** ``= price x (1 - quality_weight x quality)`` (quality in [0, 1] per bidder, 0
  unless given): the lowest score among qualified bidders wins.

Lots are awarded in decreasing order of volume; capacity a bidder commits to one lot is not
available for the next. A lot that no qualified bidder can take stays with the municipality,
with a warning, and its hours count in the procurement shortfall.

The evaluation is a table (:func:`evaluate_bids`, kept as ``Layout.bids``): one row per lot
and bidder, for the report.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hemopt.errors import InputError
from hemopt.travel import MixedTravel, Travel

__all__ = [
    "BID_COLUMNS",
    "EXPANSION_SEK_PER_HOUR",
    "SEK_PER_KM",
    "STAFF_SEK_PER_HOUR",
    "Tender",
    "evaluate_bids",
]

#: Staff hour and km prices of a tender evaluated outside a study (``hemopt.assign`` on its
#: own): the defaults of :class:`hemopt.CostParams` (tests/test_rules.py checks they agree).
STAFF_SEK_PER_HOUR = 300.0
SEK_PER_KM = 4.0
#: One-off cost of expanding by one weekly care hour: about 1/30 of a full-time post at about
#: 30,000 SEK to recruit and introduce one (declared: ``procurement_expansion_sek_per_hour``
#: in :data:`hemopt.assumptions.REGISTRY`).
EXPANSION_SEK_PER_HOUR = 1_000.0


#: The columns of the bids table (:func:`evaluate_bids`), in order.
BID_COLUMNS = ("lot", "zone_ids", "provider_id", "volume_hours_per_week", "care_sek",
               "travel_km", "travel_hours", "travel_sek", "capacity_hours_per_week",
               "capacity_stated", "expansion_hours_per_week", "expansion_sek", "capacity_ok",
               "price_sek_per_week", "quality", "evaluated_price", "winner")


def _number(name: str, v: object, *, lo: float = 0.0, hi: float = math.inf,
            lo_open: bool = False) -> float:
    if (isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating))
            or not math.isfinite(float(v)) or not (lo < v if lo_open else lo <= v) or v > hi):
        bound = f"{'>' if lo_open else '>='} {lo:g}" + (f" and <= {hi:g}" if hi < math.inf
                                                          else "")
        raise InputError(f"Tender.{name} must be a number {bound}, got {v!r}")
    return float(v)


@dataclass(frozen=True)
class Tender:
    """The constants of a procurement's evaluation (see the module docstring).

    Parameters
    ----------
    sek_per_hour
        Cost of a staff hour, care or travel. Default None: the study's
        ``CostParams.staff_sek_per_hour`` (:meth:`costed`), or :data:`STAFF_SEK_PER_HOUR`
        (300 SEK) outside a study.
    sek_per_km
        Cost of a km driven. Default None: the study's ``CostParams.sek_per_km``, or
        :data:`SEK_PER_KM` (4 SEK).
    car
        The travel model that turns the trips into road km and minutes. Default None: the
        study's ``TravelModes.car``, or :class:`hemopt.travel.MixedTravel`.
    quality_weight
        Weight of quality in the score, in [0, 1] (default 0: price alone decides; Swedish
        tenders often deduct a quality bonus from the price, the "mervärdesavdrag").
    expansion_sek_per_hour
        One-off cost of expanding by one weekly care hour (default
        :data:`EXPANSION_SEK_PER_HOUR`, 1,000 SEK; an assumption).
    contract_weeks
        Weeks the expansion cost is spread over (default 208: a four-year contract).
    allow_expansion
        Whether a bidder without a stated capacity may expand beyond what it serves now
        (default True). A capacity stated in the scenario is never exceeded.

    Examples
    --------
    >>> from hemopt.procurement import Tender
    >>> from hemopt.travel import TravelModel
    >>> t = Tender(quality_weight=0.3)
    >>> t.staff_sek_per_hour, t.km_sek
    (300.0, 4.0)
    >>> study = t.costed(377.0, 2.5, TravelModel(speed_kmh=50.0))  # the study's cost model
    >>> study.staff_sek_per_hour, study.km_sek, study.car_model.speed_kmh
    (377.0, 2.5, 50.0)
    >>> Tender(sek_per_hour=350.0).costed(377.0, 2.5, None).staff_sek_per_hour  # stated wins
    350.0
    >>> Tender(quality_weight=True)
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: Tender.quality_weight must be a number >= 0 and <= 1, got True
    """

    sek_per_hour: float | None = None
    sek_per_km: float | None = None
    car: Travel | None = None
    quality_weight: float = 0.0
    expansion_sek_per_hour: float = EXPANSION_SEK_PER_HOUR
    contract_weeks: float = 208.0
    allow_expansion: bool = True

    def __post_init__(self) -> None:
        for name in ("sek_per_hour", "sek_per_km"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _number(name, getattr(self, name)))
        object.__setattr__(self, "expansion_sek_per_hour",
                           _number("expansion_sek_per_hour", self.expansion_sek_per_hour))
        object.__setattr__(self, "contract_weeks",
                           _number("contract_weeks", self.contract_weeks, lo_open=True))
        object.__setattr__(self, "quality_weight",
                           _number("quality_weight", self.quality_weight, hi=1.0))
        if self.car is not None and not isinstance(self.car, Travel):
            raise InputError(f"Tender.car must be a travel model (hemopt.travel.Travel), got "
                             f"{type(self.car).__name__}")
        if not isinstance(self.allow_expansion, (bool, np.bool_)):
            raise InputError(f"Tender.allow_expansion must be True or False, got "
                             f"{self.allow_expansion!r}")

    def costed(self, sek_per_hour: float | None, sek_per_km: float | None,
               car: Travel | None) -> Tender:
        """This tender with a study's cost model where it states none: the staff hour and km
        prices (``CostParams``) and the car travel model (``TravelModes.car``)."""
        return replace(
            self, sek_per_hour=self.sek_per_hour if self.sek_per_hour is not None
            else sek_per_hour,
            sek_per_km=self.sek_per_km if self.sek_per_km is not None else sek_per_km,
            car=self.car if self.car is not None else car)

    @property
    def staff_sek_per_hour(self) -> float:
        """The staff hour's price used: stated, the study's, or :data:`STAFF_SEK_PER_HOUR`."""
        return STAFF_SEK_PER_HOUR if self.sek_per_hour is None else float(self.sek_per_hour)

    @property
    def km_sek(self) -> float:
        """The km's price used: stated, the study's, or :data:`SEK_PER_KM`."""
        return SEK_PER_KM if self.sek_per_km is None else float(self.sek_per_km)

    @property
    def car_model(self) -> Travel:
        """The car travel model used: stated, the study's, or :class:`MixedTravel`."""
        return MixedTravel() if self.car is None else self.car

    def as_dict(self) -> dict[str, object]:
        """The constants, JSON-serialisable (the car model by its class name)."""
        return {"sek_per_hour": self.sek_per_hour, "sek_per_km": self.sek_per_km,
                "car": None if self.car is None else type(self.car).__name__,
                "quality_weight": self.quality_weight,
                "expansion_sek_per_hour": self.expansion_sek_per_hour,
                "contract_weeks": self.contract_weeks,
                "allow_expansion": bool(self.allow_expansion)}


def evaluate_bids(
    lots: Sequence[tuple[str, Sequence[int]]],
    bidders: Sequence[int],
    provider_ids: Sequence[str],
    *,
    zone_ids: Sequence[str],
    client_zone: NDArray[np.int64],
    client_xy: NDArray[np.float64],
    hours_per_week: NDArray[np.float64],
    visits_per_week: NDArray[np.float64],
    starts: Mapping[str, NDArray[np.float64]],
    capacity_hours: NDArray[np.float64],
    current_hours: NDArray[np.float64],
    quality: Mapping[str, float] | None = None,
    tender: Tender | None = None,
    capacity_clients: NDArray[np.float64] | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Evaluate every bid on every lot and award each lot (see the module docstring).

    Parameters
    ----------
    lots
        ``(lot name, area indices)`` per lot.
    bidders
        Provider indices of the bidders (the external providers).
    provider_ids
        Provider id per provider index.
    zone_ids, client_zone
        Area ids, and the area index of each client (-1: none).
    client_xy, hours_per_week, visits_per_week
        Per client: position (m, EPSG:3006), weekly care hours and visits.
    starts
        ``{provider_id: (k, 2) array}``: where each bidder's staff may start.
    capacity_hours
        Per provider: stated weekly capacity (``inf`` where none was given).
    current_hours
        Per provider: the weekly hours it serves now (its current clients).
    quality
        ``{provider_id: quality in [0, 1]}`` (0 for the others).
    tender
        The evaluation's constants (default :class:`Tender`: the default cost model).
    capacity_clients
        Per provider: stated capacity in clients (``inf`` or None: none). Like a stated
        ``capacity_hours``, a hard limit: a bidder that cannot take the lot's clients is not
        qualified.

    Returns
    -------
    bids : pandas.DataFrame
        One row per lot and bidder, columns :data:`BID_COLUMNS`.
    awards : dict
        ``{lot name: provider index}`` of the lots awarded (a lot without a qualified bidder
        is missing).

    Examples
    --------
    One lot of one area with two clients 1 km east of bidder 1's office and 3 km of bidder
    2's; bidder 2's quality bonus (10 % of its price) does not make up for its longer trips:

    >>> import numpy as np
    >>> from hemopt.procurement import Tender, evaluate_bids
    >>> bids, awards = evaluate_bids(
    ...     [("A", [0])], [1, 2], ["M", "E1", "E2"], zone_ids=["z"],
    ...     client_zone=np.array([0, 0]), client_xy=np.array([[1000.0, 0], [1000.0, 0]]),
    ...     hours_per_week=np.array([5.0, 5.0]), visits_per_week=np.array([7.0, 7.0]),
    ...     starts={"E1": np.array([[0.0, 0.0]]), "E2": np.array([[4000.0, 0.0]])},
    ...     capacity_hours=np.full(3, np.inf), current_hours=np.array([0.0, 10.0, 10.0]),
    ...     quality={"E2": 1.0}, tender=Tender(quality_weight=0.1))
    >>> bids[["provider_id", "travel_km", "travel_hours", "price_sek_per_week",
    ...       "evaluated_price"]].round(2)
      provider_id  travel_km  travel_hours  price_sek_per_week  evaluated_price
    0          E1       36.4          2.39              3862.4          3862.40
    1          E2      109.2          4.71              4850.8          4365.72

    (E1: 28 trips of 1.3 km road, each 3.12 min at 25 km/h plus 2 min to park, so
    36.4 x 4 + 2.39 x 300 SEK of travel and 10 h x 300 SEK of care.)

    >>> awards
    {'A': 1}
    """
    tender = tender or Tender()
    quality = dict(quality or {})
    kz = len(zone_ids)
    vol_zone = np.bincount(np.where(client_zone >= 0, client_zone, kz),
                           weights=hours_per_week, minlength=kz + 1)[:kz]
    cap_left = np.asarray(capacity_hours, dtype=float).copy()
    stated = np.isfinite(cap_left)
    base_left = np.where(stated, cap_left, np.asarray(current_hours, dtype=float))
    clients_left = (np.full(len(provider_ids), math.inf) if capacity_clients is None
                    else np.asarray(capacity_clients, dtype=float).copy())
    order = sorted(range(len(lots)), key=lambda k: (-float(vol_zone[list(lots[k][1])].sum()), k))
    rows: list[dict[str, Any]] = []
    awards: dict[str, int] = {}
    for k in order:
        name, areas = lots[k]
        areas = list(areas)
        in_lot = np.isin(client_zone, areas)
        volume = float(hours_per_week[in_lot].sum())
        visits = visits_per_week[in_lot]
        lot_rows: list[dict[str, Any]] = []
        for j in bidders:
            pid = provider_ids[j]
            km, hours = _round_trips(client_xy[in_lot], starts[pid], visits, tender)
            room = float(base_left[j])
            expansion = max(volume - room, 0.0)
            ok = ((expansion <= 1e-9 or (not stated[j] and bool(tender.allow_expansion)))
                  and int(in_lot.sum()) <= clients_left[j])
            care = volume * tender.staff_sek_per_hour
            travel = km * tender.km_sek + hours * tender.staff_sek_per_hour
            exp_sek = expansion * tender.expansion_sek_per_hour / tender.contract_weeks
            price = care + travel + exp_sek
            q = float(quality.get(pid, 0.0))
            lot_rows.append({
                "lot": name, "zone_ids": ",".join(zone_ids[z] for z in areas),
                "provider_id": pid, "volume_hours_per_week": volume, "care_sek": care,
                "travel_km": km, "travel_hours": hours, "travel_sek": travel,
                "capacity_hours_per_week": room,
                "capacity_stated": bool(stated[j]), "expansion_hours_per_week": expansion,
                "expansion_sek": exp_sek, "capacity_ok": bool(ok),
                "price_sek_per_week": price, "quality": q,
                "evaluated_price": price * (1.0 - tender.quality_weight * q),
                "winner": False, "_j": int(j)})
        qualified = [r for r in lot_rows if r["capacity_ok"]]
        if qualified:
            best = min(qualified, key=lambda r: (r["evaluated_price"], lot_rows.index(r)))
            best["winner"] = True
            j = int(best["_j"])
            awards[name] = j
            base_left[j] = max(base_left[j] - volume, 0.0)
            clients_left[j] -= int(in_lot.sum())
        elif lot_rows:
            warnings.warn(
                f"Zoning: no bidder can take lot {name!r} (areas "
                f"{lot_rows[0]['zone_ids']}, {volume:.0f} h/week): each bidder's capacity "
                "left (its stated capacity_hours or capacity_clients, or what it serves now "
                "where it may not expand) is below it; the lot stays with the municipality "
                "and its hours count in procurement_shortfall_hours_per_week", stacklevel=3)
        rows.extend(lot_rows)
    bids = pd.DataFrame(rows, columns=[*BID_COLUMNS, "_j"]).drop(columns="_j")
    return bids, awards


def _round_trips(xy: NDArray[np.float64], starts: NDArray[np.float64],
                 visits: NDArray[np.float64], tender: Tender) -> tuple[float, float]:
    """Road km and staff hours a week of driving every visit as a round trip from the start
    that makes it cheapest (the tender's km and staff-hour prices, its car model)."""
    if not len(xy):
        return 0.0, 0.0
    dist_m, time_min = tender.car_model.matrices(xy, starts)
    sek = dist_m / 1000.0 * tender.km_sek + time_min / 60.0 * tender.staff_sek_per_hour
    best = np.argmin(sek, axis=1)
    rows = np.arange(len(xy))
    trips = 2.0 * visits
    return (float((trips * dist_m[rows, best]).sum() / 1000.0),
            float((trips * time_min[rows, best]).sum() / 60.0))
