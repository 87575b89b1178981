"""The procurement of zoning's areas as a stated evaluation: lots, bids, capacity, award.

A municipality that procures home care by area (zoning, the Strängnäs decision) puts one or
more **lots** out to tender; a lot is one or several areas awarded together (Strängnäs put
areas 1 and 2 out as one lot, won by one company). Every external provider bids on every lot.
A bid is evaluated as follows (all figures per week; the constants are a :class:`Tender`):

* **care** ``= care hours of the lot x sek_per_hour`` (the same for every bidder: the hours
  are ordered, not bid);
* **travel** ``= km x (sek_per_km + sek_per_hour / speed_kmh)``, where ``km`` is every visit
  of the week driven as a round trip from the bidder's nearest start (office or base) to the
  client. Routes chain visits, so this overstates the absolute travel, but it ranks bidders
  by how far their staff would have to go, which is what a tender evaluates;
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
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.spatial.distance import cdist

from hemopt.errors import InputError

__all__ = ["BID_COLUMNS", "Tender", "evaluate_bids"]


#: The columns of the bids table (:func:`evaluate_bids`), in order.
BID_COLUMNS = ("lot", "zone_ids", "provider_id", "volume_hours_per_week", "care_sek",
               "travel_km", "travel_sek", "capacity_hours_per_week", "capacity_stated",
               "expansion_hours_per_week", "expansion_sek", "capacity_ok",
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
        Cost of a staff hour, care or travel (default 300 SEK: the wage with social costs).
    sek_per_km
        Cost of a km driven (default 4 SEK: a car's running cost).
    speed_kmh
        Speed that turns km into staff hours (default 40 km/h).
    quality_weight
        Weight of quality in the score, in [0, 1] (default 0: price alone decides; Swedish
        tenders often deduct a quality bonus from the price, the "mervärdesavdrag").
    expansion_sek_per_hour
        One-off cost of expanding by one weekly care hour (default 1,000 SEK: about 1/30 of
        a full-time post at about 30,000 SEK to recruit and introduce one; an assumption).
    contract_weeks
        Weeks the expansion cost is spread over (default 208: a four-year contract).
    allow_expansion
        Whether a bidder without a stated capacity may expand beyond what it serves now
        (default True). A capacity stated in the scenario is never exceeded.

    Examples
    --------
    >>> from hemopt.procurement import Tender
    >>> t = Tender(quality_weight=0.3)
    >>> t.sek_per_hour, t.sek_per_km, t.travel_sek_per_km
    (300.0, 4.0, 11.5)
    >>> Tender(quality_weight=True)
    Traceback (most recent call last):
    ...
    hemopt.errors.InputError: Tender.quality_weight must be a number >= 0 and <= 1, got True
    """

    sek_per_hour: float = 300.0
    sek_per_km: float = 4.0
    speed_kmh: float = 40.0
    quality_weight: float = 0.0
    expansion_sek_per_hour: float = 1_000.0
    contract_weeks: float = 208.0
    allow_expansion: bool = True

    def __post_init__(self) -> None:
        for name in ("sek_per_hour", "sek_per_km", "expansion_sek_per_hour"):
            object.__setattr__(self, name, _number(name, getattr(self, name)))
        for name in ("speed_kmh", "contract_weeks"):
            object.__setattr__(self, name, _number(name, getattr(self, name), lo_open=True))
        object.__setattr__(self, "quality_weight",
                           _number("quality_weight", self.quality_weight, hi=1.0))
        if not isinstance(self.allow_expansion, (bool, np.bool_)):
            raise InputError(f"Tender.allow_expansion must be True or False, got "
                             f"{self.allow_expansion!r}")

    @property
    def travel_sek_per_km(self) -> float:
        """Cost of a km of travel: the car plus the staff time at ``speed_kmh``."""
        return self.sek_per_km + self.sek_per_hour / self.speed_kmh


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
        The evaluation's constants (default :class:`Tender`).
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
    2's; bidder 2 is better but not that much better:

    >>> import numpy as np
    >>> from hemopt.procurement import Tender, evaluate_bids
    >>> bids, awards = evaluate_bids(
    ...     [("A", [0])], [1, 2], ["M", "E1", "E2"], zone_ids=["z"],
    ...     client_zone=np.array([0, 0]), client_xy=np.array([[1000.0, 0], [1000.0, 0]]),
    ...     hours_per_week=np.array([5.0, 5.0]), visits_per_week=np.array([7.0, 7.0]),
    ...     starts={"E1": np.array([[0.0, 0.0]]), "E2": np.array([[4000.0, 0.0]])},
    ...     capacity_hours=np.full(3, np.inf), current_hours=np.array([0.0, 10.0, 10.0]),
    ...     quality={"E2": 1.0}, tender=Tender(quality_weight=0.1))
    >>> bids[["provider_id", "travel_km", "price_sek_per_week", "evaluated_price"]]
      provider_id  travel_km  price_sek_per_week  evaluated_price
    0          E1       28.0              3322.0           3322.0
    1          E2       84.0              3966.0           3569.4
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
    rows: list[dict] = []
    awards: dict[str, int] = {}
    for k in order:
        name, areas = lots[k]
        areas = list(areas)
        in_lot = np.isin(client_zone, areas)
        volume = float(hours_per_week[in_lot].sum())
        visits = visits_per_week[in_lot]
        lot_rows = []
        for j in bidders:
            pid = provider_ids[j]
            dist = (cdist(client_xy[in_lot], starts[pid]).min(axis=1) if in_lot.any()
                    else np.zeros(0))
            km = float((visits * 2.0 * dist).sum() / 1000.0)
            room = float(base_left[j])
            expansion = max(volume - room, 0.0)
            ok = ((expansion <= 1e-9 or (not stated[j] and bool(tender.allow_expansion)))
                  and int(in_lot.sum()) <= clients_left[j])
            care = volume * tender.sek_per_hour
            travel = km * tender.travel_sek_per_km
            exp_sek = expansion * tender.expansion_sek_per_hour / tender.contract_weeks
            price = care + travel + exp_sek
            q = float(quality.get(pid, 0.0))
            lot_rows.append({
                "lot": name, "zone_ids": ",".join(zone_ids[z] for z in areas),
                "provider_id": pid, "volume_hours_per_week": volume, "care_sek": care,
                "travel_km": km, "travel_sek": travel, "capacity_hours_per_week": room,
                "capacity_stated": bool(stated[j]), "expansion_hours_per_week": expansion,
                "expansion_sek": exp_sek, "capacity_ok": bool(ok),
                "price_sek_per_week": price, "quality": q,
                "evaluated_price": price * (1.0 - tender.quality_weight * q),
                "winner": False, "_j": int(j)})
        qualified = [r for r in lot_rows if r["capacity_ok"]]
        if qualified:
            best = min(qualified, key=lambda r: (r["evaluated_price"], lot_rows.index(r)))
            best["winner"] = True
            j = best["_j"]
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
