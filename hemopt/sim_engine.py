"""The month-by-month engine of :func:`hemopt.simulate.simulate` (internal).

One :class:`_Engine` holds the simulated municipality: clients, providers, queues and
capacities, and applies the steps of a month in the order :mod:`hemopt.simulate`
describes. Split from :mod:`hemopt.simulate` to keep each module to one job.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hemopt.areas import zone_index
from hemopt.errors import InputError
from hemopt.regimes import Caps, Layout, Market, Regime, as_regime, guarantee_pick, has_room
from hemopt.scenario import CRS, Scenario
from hemopt.sim_params import (
    RATING_QUALITY,
    Event,
    FollowUp,
    ProviderEntry,
    ProviderExit,
    SimParams,
)

# ------------------------------------------------------------------------------ engine
#: The routing figures recorded for a routed month.
_ROUTING_COLUMNS = ("driven_km_per_day", "drive_hours_per_day", "staff_hours_per_day",
                    "paid_staff_hours_per_day", "driving_share", "stops_per_visit",
                    "dropped_visits")


def _zone_index(geoms: Sequence[Any], xy: np.ndarray) -> np.ndarray:
    """Area of each point (:func:`hemopt.areas.zone_index`); -1 when there are no areas."""
    return zone_index(geoms, xy)[0]


@dataclass
class _RegimeState:
    """A regime bound to the simulated municipality: its layout and each client's area under
    it (grown as clients arrive). Every rule comes from the regime itself."""

    regime: Regime
    layout: Layout
    client_zone: np.ndarray

    @property
    def default(self) -> int:
        return self.layout.default

    @property
    def label(self) -> str:
        return self.regime.label()


class _Engine:
    #: simulate's ``settings=``: the StudySettings the routed months use (None: ``routing``)
    study: Any = None

    def __init__(self, scenario: Scenario, schedule: Callable[[int], Regime], n_months: int,
                 seed: int, params: SimParams, events: list[Event],
                 say: Callable[[str], None]) -> None:
        from hemopt.synth import get_preset

        self.sc = scenario
        self.schedule = schedule
        self.T = n_months
        self.seed = seed
        self.params = params
        self.say = say
        self.rng = np.random.default_rng(seed)
        try:
            self.preset = get_preset(str(scenario.meta.get("preset", "strangnas")))
        except InputError:
            self.preset = get_preset("strangnas")
        self.model = params.choice or self.preset.choice
        self._regimes: dict[int, _RegimeState] = {}

        # ---------------------------------------------------------------- providers
        pr = scenario.providers
        entries = [e for e in events if isinstance(e, ProviderEntry)]
        self.m0 = len(pr)
        self.pid: list[str] = list(pr["provider_id"]) + [e.provider for e in entries]
        self.pindex = {p: j for j, p in enumerate(self.pid)}
        self.pname: list[str] = list(pr["name"]) + [e.name or e.provider for e in entries]
        self.pkind = np.array(list(pr["kind"]) + [e.kind for e in entries], dtype=object)
        self.pzones: list[tuple[str, ...]] = list(pr["zones"]) + [tuple(e.zones)
                                                                  for e in entries]
        m = len(self.pid)
        self.m = m
        self.active = np.zeros(m, dtype=bool)
        self.active[: self.m0] = True
        self.quality = np.zeros(m)
        self.capc = np.concatenate([pr["capacity_clients"].to_numpy(dtype=float),
                                    [float(e.capacity_clients) for e in entries]])
        self.caph_min = 60.0 * np.concatenate([pr["capacity_hours"].to_numpy(dtype=float),
                                               [float(e.capacity_hours) for e in entries]])
        self.zone_ids: list[str] = list(scenario.zones["zone_id"])
        self.zone_geoms = list(scenario.zones.geometry.values)

        # ---------------------------------------------------------------- stairwells
        st = scenario.stairwells
        self.st_id = st["stairwell_id"].to_numpy(dtype=object)
        self.st_bid = st["building_id"].to_numpy(dtype=object)
        self.st_xy = shapely.get_coordinates(st.geometry.values)
        self.st_zone = _zone_index(self.zone_geoms, self.st_xy)
        kinds = dict(zip(scenario.buildings["building_id"], scenario.buildings["kind"],
                         strict=True))
        weight = dict(self.preset.client_weight)
        w = st["dwellings"].to_numpy(dtype=float) * np.array(
            [weight.get(kinds.get(b, ""), 1.0) for b in self.st_bid])
        if not (w.sum() > 0):
            w = np.ones(len(st))
        self.st_p = w / w.sum()

        pxy = [scenario.provider_xy()]
        for e in entries:
            if e.x_m is not None and e.y_m is not None:
                pxy.append(np.array([[float(e.x_m), float(e.y_m)]]))
                continue
            ok = np.ones(len(st), dtype=bool)
            if e.zones:
                ok = np.isin(self.st_zone, [self.zone_ids.index(z) for z in e.zones])
            p = np.where(ok, self.st_p, 0.0)
            s = int(self.rng.choice(len(st), p=p / p.sum()))
            pxy.append(self.st_xy[s][None, :])
        self.pxy = np.vstack(pxy)
        # serves[z, j]: provider j's zones cover zone z (row -1: a client outside every zone)
        nz = len(self.zone_ids)
        self.serves_tab = np.ones((nz + 1, m), dtype=bool)
        for j, pz in enumerate(self.pzones):
            if pz:
                idx = [self.zone_ids.index(z) for z in pz]
                self.serves_tab[:, j] = np.isin(np.arange(nz + 1), idx)
                self.serves_tab[nz, j] = False

        # ---------------------------------------------------------------- clients
        cl = scenario.clients
        n0 = len(cl)
        self.n0 = n0
        self.cid = cl["client_id"].to_numpy(dtype=object)
        sidx = {s: k for k, s in enumerate(self.st_id)}
        self.csid = np.array([sidx[s] for s in cl["stairwell_id"]], dtype=np.int64)
        self.cxy = scenario.client_xy()
        self.czone = _zone_index(self.zone_geoms, self.cxy)
        self.cmin = np.round(cl["hours_per_week"].to_numpy(dtype=float) * 60.0)
        self.chours = cl["hours_per_week"].to_numpy(dtype=float)
        self.cvisits = cl["visits_per_day"].to_numpy(dtype=float)
        k_len = max(int(self.model.ranking_length),
                    max((len(r) for r in cl["ranking"]), default=0), 1)
        self.K = k_len
        self.rank = np.full((n0, k_len), -1, dtype=np.int64)
        for i, r in enumerate(cl["ranking"]):
            for k, p in enumerate(r):
                self.rank[i, k] = self.pindex[p]
        self.chooser = self.rank[:, 0] >= 0
        self.prov = np.full(n0, -1, dtype=np.int64)
        self.in_care = np.ones(n0, dtype=bool)
        self.t_in = np.zeros(n0, dtype=np.int64)
        self.t_out = np.full(n0, -1, dtype=np.int64)
        self.queue_for = np.full(n0, -1, dtype=np.int64)
        self.since = np.zeros(n0, dtype=np.int64)
        self.placed = np.zeros(n0, dtype=np.int64)
        self.load_n = np.zeros(m)
        self.load_min = np.zeros(m)
        self.caps = Caps(minutes=np.full(m, math.inf), clients=np.full(m, math.inf))
        if params.non_chooser_share is None:
            self.non_chooser = float((~self.chooser).mean()) if n0 else 0.25
        else:
            self.non_chooser = float(params.non_chooser_share)
        prefix = "new"
        while any(str(c).startswith(prefix) for c in self.cid):
            prefix = "_" + prefix
        self.new_prefix = prefix
        self.strict = params.queue_discipline == "fifo"
        self.blocked: set[int] = set()

        # ---------------------------------------------------------------- brand constants
        self.asc = np.full(m, -50.0)
        ch = self.chooser
        allowed0 = self.serves_tab[self.czone] & self.active[None, :]
        target = np.bincount(self.rank[ch, 0], minlength=m).astype(float) if ch.any() else None
        if target is None or target.sum() == 0:
            cur = scenario.current_index()
            target = np.bincount(cur[cur >= 0], minlength=m).astype(float)
            rows = np.ones(n0, dtype=bool)
        else:
            rows = ch
        if target.sum() > 0 and rows.any():
            u0 = self.model.systematic_utility(self.cxy[rows], self.pxy, quality=self.quality)
            self.asc = self.model.calibrate_asc(u0, target / target.sum(),
                                                allowed=allowed0[rows])
        ext0 = [self.asc[j] for j in range(self.m0)
                if self.pkind[j] == "external" and self.asc[j] > -50.0]
        default_entry = float(np.median(ext0)) if ext0 else 0.0
        if params.entry_asc is not None:
            default_entry = float(params.entry_asc)
        self.entry_asc = {e.provider: (default_entry if e.asc is None else float(e.asc))
                          for e in entries}

        # ---------------------------------------------------------------- counters
        self.events = events
        self.event_rows: list[dict[str, Any]] = []
        self.monthly: list[dict[str, Any]] = []
        self.prov_rows: list[pd.DataFrame] = []
        self.hist: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.cum_in = n0
        self.cum_out = 0
        self._reset_counters()

    # ---------------------------------------------------------------- regime
    def market(self) -> Market:
        """The providers now, as the regimes see them."""
        return Market(provider_ids=tuple(self.pid), kinds=self.pkind, active=self.active,
                      capacity_clients=self.capc, capacity_minutes=self.caph_min,
                      serves=self.serves_tab, office_xy=self.pxy)

    def regime_state(self, regime: Regime) -> _RegimeState:
        key = id(regime)
        if key in self._regimes:
            return self._regimes[key]
        as_regime(regime, "regime_schedule")
        layout = regime.layout(self.sc, self.market())
        rs = _RegimeState(regime, layout, layout.zone_of(self.cxy)[0])
        self._regimes[key] = rs
        return rs

    def _pidx(self, pid: str, what: str) -> int:
        if pid not in self.pindex:
            raise InputError(f"{what}: unknown provider {pid!r}; providers are {self.pid}")
        return self.pindex[pid]

    def _municipal(self) -> int:
        muni = np.flatnonzero(self.pkind[: self.m0] == "municipal")
        if not len(muni):
            raise InputError("the scenario has no municipal provider to serve as default")
        return int(muni[0])

    def _client_zone(self, rs: _RegimeState, idx: np.ndarray) -> np.ndarray:
        cz = rs.client_zone
        if len(cz) < len(self.cxy):
            extra = rs.layout.zone_of(self.cxy[len(cz):])[0]
            rs.client_zone = cz = np.concatenate([cz, extra])
        return cz[idx]

    def choosable(self, rs: _RegimeState, idx: np.ndarray) -> np.ndarray:
        """(len(idx), m): providers the regime lets each client have."""
        idx = np.asarray(idx, dtype=np.int64)
        return rs.regime.choosable(rs.layout, self.market(), self._client_zone(rs, idx))

    def update_caps(self, rs: _RegimeState) -> None:
        total = float(self.cmin[self.in_care].sum())
        self.caps = rs.regime.caps(rs.layout, self.market(), total)

    @property
    def cap_min(self) -> np.ndarray:
        return self.caps.minutes

    @property
    def cap_total(self) -> float:
        return self.caps.external_total_minutes

    def room(self, rs: _RegimeState, j: int, minutes: float) -> bool:
        if j == rs.default:
            return True
        return has_room(self.caps, j, minutes, self.load_n, self.load_min,
                        self.pkind == "external")

    def best(self, rs: _RegimeState, i: int) -> tuple[int, int]:
        """(provider, wanted) for client ``i`` by the regime's rule; wanted -1 when none."""
        ch = self.choosable(rs, np.array([i]))[0]
        if not rs.regime.clients_choose:
            for jj in np.flatnonzero(ch):
                if jj != rs.default and self.room(rs, int(jj), self.cmin[i]):
                    return int(jj), -1
            return rs.default, -1
        cands = [int(j) for j in self.rank[i] if j >= 0 and ch[j]]
        wanted = cands[0] if cands else -1
        for j in cands:
            if j not in self.blocked and self.room(rs, j, self.cmin[i]):
                return j, wanted
        if not cands and self.caps.guaranteed_minutes is not None:
            # a guaranteed share: externals below it take clients who do not choose, by the
            # regime's rule (hemopt.regimes.guarantee_pick)
            ext = (self.pkind == "external") & self.active
            j = guarantee_pick(self.caps, ch & ext, self.cmin[i], self.load_n, self.load_min,
                               self.pkind == "external", np.hypot(*(self.pxy - self.cxy[i]).T))
            if j >= 0:
                return j, -1
        return rs.default, wanted

    def wanted(self, rs: _RegimeState, i: int) -> int:
        """The provider client ``i`` queues for, -1 if none (it has its best choosable)."""
        if not rs.regime.clients_choose:
            return -1
        ch = self.choosable(rs, np.array([i]))[0]
        cands = [int(j) for j in self.rank[i] if j >= 0 and ch[j]]
        if not cands or cands[0] == self.prov[i]:
            return -1
        return cands[0]

    def detach(self, i: int) -> None:
        """Take client ``i`` off its provider (it is being moved)."""
        p = int(self.prov[i])
        if p >= 0:
            self.load_n[p] -= 1
            self.load_min[p] -= self.cmin[i]
            self.lost[p] += 1
            self.prov[i] = -1

    def move(self, i: int, j: int, t: int) -> None:
        if int(self.prov[i]) == j:
            return
        self.detach(i)
        self.prov[i] = j
        self.load_n[j] += 1
        self.load_min[j] += self.cmin[i]
        self.gained[j] += 1
        self.placed[i] = t

    def set_queue(self, i: int, wanted: int, t: int) -> None:
        if wanted < 0 or wanted == self.prov[i]:
            self.queue_for[i] = -1
            return
        if self.queue_for[i] < 0:
            self.since[i] = t
            self.joined += 1
        self.queue_for[i] = wanted
        if self.strict and self.could_fit(int(wanted), self.cmin[i]):
            self.blocked.add(int(wanted))

    def could_fit(self, j: int, minutes: float) -> bool:
        """Whether a client of ``minutes`` would fit provider ``j`` if it were empty: one who
        never could does not hold up the queue behind it."""
        return bool(minutes <= self.cap_min[j] and minutes <= self.cap_total
                    and self.caps.clients[j] >= 1)

    def refresh_blocked(self) -> None:
        """Under strict FIFO, providers with clients waiting take no one else first."""
        if self.strict:
            q = np.flatnonzero(self.in_care & (self.queue_for >= 0))
            self.blocked = {int(self.queue_for[i]) for i in q
                            if self.could_fit(int(self.queue_for[i]), self.cmin[i])}

    def place(self, rs: _RegimeState, i: int, t: int) -> None:
        """Give client ``i`` a provider by the regime's rule (it leaves its current one
        first, so that its hours do not count against the room it is looking for)."""
        self.detach(i)
        j, wanted = self.best(rs, i)
        self.move(i, j, t)
        self.set_queue(i, wanted, t)

    # ---------------------------------------------------------------- clients
    def add_clients(self, t: int, n: int) -> np.ndarray:
        from hemopt.synth import _hours_per_week, visits_per_day_from_hours

        rng = self.rng
        s = rng.choice(len(self.st_p), size=n, p=self.st_p) if n else np.zeros(0, np.int64)
        hours = _hours_per_week(self.preset, n, rng) if n else np.zeros(0)
        chooses = rng.random(n) >= self.non_chooser
        xy = self.st_xy[s]
        zone = self.st_zone[s]
        rank = np.full((n, self.K), -1, dtype=np.int64)
        if n:
            allowed = self.serves_tab[zone] & self.active[None, :]
            u = self.model.systematic_utility(xy, self.pxy, asc=self.asc, quality=self.quality,
                                              share=self._share())
            r = self.model.rank(u, rng, allowed=allowed)
            rank[:, : r.shape[1]] = r
            rank[~chooses] = -1
        start = len(self.cid)
        idx = np.arange(start, start + n)
        self.cid = np.concatenate([self.cid, np.array(
            [f"{self.new_prefix}{t:03d}_{k:04d}" for k in range(n)], dtype=object)])
        self.csid = np.concatenate([self.csid, s.astype(np.int64)])
        self.cxy = np.vstack([self.cxy, xy]) if n else self.cxy
        self.czone = np.concatenate([self.czone, zone])
        self.cmin = np.concatenate([self.cmin, np.round(hours * 60.0)])
        self.chours = np.concatenate([self.chours, hours])
        self.cvisits = np.concatenate([self.cvisits, visits_per_day_from_hours(hours)])
        self.rank = np.vstack([self.rank, rank])
        self.chooser = np.concatenate([self.chooser, rank[:, 0] >= 0])
        self.prov = np.concatenate([self.prov, np.full(n, -1, np.int64)])
        self.in_care = np.concatenate([self.in_care, np.ones(n, dtype=bool)])
        self.t_in = np.concatenate([self.t_in, np.full(n, t, np.int64)])
        self.t_out = np.concatenate([self.t_out, np.full(n, -1, np.int64)])
        self.queue_for = np.concatenate([self.queue_for, np.full(n, -1, np.int64)])
        self.since = np.concatenate([self.since, np.zeros(n, np.int64)])
        self.placed = np.concatenate([self.placed, np.full(n, t, np.int64)])
        return idx

    def _share(self) -> np.ndarray | None:
        if not self.model.beta_share:
            return None
        return (self.load_n + 1.0) / (self.load_n.sum() + self.m)

    # ---------------------------------------------------------------- month 0
    def start(self) -> None:
        from hemopt.assignment import assign
        from hemopt.costs import CostParams
        from hemopt.travel import TravelModes

        rs = self.regime_state(self.schedule(1))
        regime, study = rs.regime, self.study
        costed = getattr(regime, "costed", None)  # a tender prices bids by the study's costs
        if costed is not None:
            cost = study.cost if study is not None else CostParams()
            travel = study.travel if study is not None else TravelModes()
            car = travel.car if isinstance(travel, TravelModes) else travel
            regime = costed(cost.staff_sek_per_hour, cost.sek_per_km, car)
        a = assign(self.sc, regime, seed=self.seed,
                   base_rule=study.bases if study is not None else None)
        prov = a.result.provider.copy()
        prov[prov < 0] = rs.default
        for i in range(self.n0):
            self.move(i, int(prov[i]), 0)
        qmap = {p: j for j, p in enumerate(self.pid)}
        self.queue_for[:] = [qmap[q] if q else -1 for q in a.clients["queue_for"]]
        self.since[:] = 0
        self.update_caps(rs)
        self._reset_counters()
        self.record(0, rs)

    # ---------------------------------------------------------------- one month
    def step(self, t: int) -> None:
        rs = self.regime_state(self.schedule(t))
        evs = [e for e in self.events if e.month == t]
        for e in evs:
            if isinstance(e, ProviderEntry):
                j = self.pindex[e.provider]
                self.active[j] = True
                self.asc[j] = self.entry_asc[e.provider]
                self.event_rows.append({"month": t, "event": "entry", "provider_id": e.provider,
                                        "rating": "", "clients_moved": 0,
                                        "quality_before": math.nan,
                                        "quality_after": float(self.quality[j])})
        for e in evs:
            if isinstance(e, FollowUp):
                j = self.pindex[e.provider]
                q0 = float(self.quality[j])
                self.quality[j] = RATING_QUALITY[e.rating]
                self.event_rows.append({"month": t, "event": "rating", "provider_id": e.provider,
                                        "rating": e.rating, "clients_moved": 0,
                                        "quality_before": q0,
                                        "quality_after": float(self.quality[j])})
        exits = [e for e in evs if isinstance(e, ProviderExit)]
        for e in exits:
            j = self.pindex[e.provider]
            if j == rs.default:
                raise InputError(f"events: provider {e.provider!r} is the default provider of "
                                 f"the regime in month {t} and cannot exit")
            self.active[j] = False  # rankings keep it: first choice met counts the loss
        self.update_caps(rs)
        self.refresh_blocked()
        for e in exits:
            j = self.pindex[e.provider]
            movers = np.flatnonzero(self.in_care & (self.prov == j))
            for i in movers:
                self.place(rs, int(i), t)
            self.forced += len(movers)
            self.event_rows.append({"month": t, "event": "exit", "provider_id": e.provider,
                                    "rating": "", "clients_moved": len(movers),
                                    "quality_before": float(self.quality[j]),
                                    "quality_after": float(self.quality[j])})
        # clients the regime no longer allows
        care = np.flatnonzero(self.in_care)
        if len(care):
            ok = self.choosable(rs, care)[np.arange(len(care)), self.prov[care]]
            for i in care[~ok]:
                self.place(rs, int(i), t)
                self.rule_moves += 1
        # departures
        care = np.flatnonzero(self.in_care)
        leave = care[self.rng.random(len(care)) < self.params.outflow_rate_per_month]
        for i in leave:
            p = self.prov[i]
            self.load_n[p] -= 1
            self.load_min[p] -= self.cmin[i]
            self.departed[p] += 1
        self.prov[leave] = -1
        self.queue_for[leave] = -1
        self.in_care[leave] = False
        self.t_out[leave] = t
        self.departures = len(leave)
        self.refresh_blocked()
        # arrivals
        lam = (self.params.inflow_rate_per_month * self.n0
               * (1.0 + self.params.annual_growth) ** (t / 12.0))
        n_new = int(self.rng.poisson(lam))
        new = self.add_clients(t, n_new)
        self.arrivals = n_new
        # caps on the month's clients; returns when the externals hold too much
        self.update_caps(rs)
        if math.isfinite(self.cap_total):
            self.enforce_cap(rs, t)
        # reconsidering clients
        old = np.flatnonzero(self.in_care & (self.prov >= 0) & self.chooser)
        if rs.regime.clients_choose and len(old):
            pick = old[self.rng.random(len(old)) < self.params.switch_rate_per_month]
            if len(pick):
                allowed = self.serves_tab[self.czone[pick]] & self.active[None, :]
                u = self.model.systematic_utility(
                    self.cxy[pick], self.pxy, asc=self.asc, quality=self.quality,
                    share=self._share(), current=self.prov[pick])
                r = self.model.rank(u, self.rng, allowed=allowed)
                self.rank[pick] = -1
                self.rank[pick, : r.shape[1]] = r
                self.reconsidered = len(pick)
                for i in pick:
                    self.set_queue(int(i), self.wanted(rs, int(i)), t)
        # the queue: refresh (regime, exits), then first come, first served
        queued = np.flatnonzero(self.in_care & (self.queue_for >= 0))
        for i in queued:
            w = self.wanted(rs, int(i))
            if w < 0:
                self.queue_for[i] = -1
            else:
                self.queue_for[i] = w
        queued = np.flatnonzero(self.in_care & (self.queue_for >= 0))
        order = queued[np.lexsort((queued, self.since[queued]))]
        self.blocked = set()
        for i in order:
            j = int(self.queue_for[i])
            if j not in self.blocked and self.room(rs, j, self.cmin[i]):
                self.served_waits.append(t - int(self.since[i]))
                self.move(int(i), j, t)
                self.queue_for[i] = -1
                self.voluntary += 1
            elif self.strict and self.could_fit(j, self.cmin[i]):
                self.blocked.add(j)
        # new clients, in arrival order
        for i in new:
            self.place(rs, int(i), t)
        self.record(t, rs)

    def enforce_cap(self, rs: _RegimeState, t: int) -> None:
        ext = self.pkind == "external"
        while float(self.load_min[ext].sum()) > self.cap_total:
            excess = np.where(ext & (self.load_n > 0), self.load_min - self.cap_min, -np.inf)
            j = int(np.argmax(excess))
            mine = np.flatnonzero(self.in_care & (self.prov == j))
            i = int(mine[np.lexsort((mine, self.placed[mine]))][-1])  # most recently placed
            self.move(i, rs.default, t)
            self.set_queue(i, j if self.active[j] else -1, t)
            self.cap_returns += 1

    # ---------------------------------------------------------------- bookkeeping
    def _reset_counters(self) -> None:
        self.arrivals = 0
        self.departures = 0
        self.forced: int = 0
        self.voluntary: int = 0
        self.rule_moves: int = 0
        self.cap_returns = 0
        self.joined = 0
        self.reconsidered = 0
        self.served_waits: list[int] = []
        self.gained = np.zeros(self.m, dtype=np.int64)
        self.lost = np.zeros(self.m, dtype=np.int64)
        self.departed: np.ndarray = np.zeros(self.m, dtype=np.int64)

    def check(self, t: int) -> None:
        """The state is consistent (raises AssertionError otherwise: a bug)."""
        care = self.in_care
        if (self.prov[care] < 0).any():
            raise AssertionError(f"month {t}: a client in care has no provider")
        if (self.prov[~care] >= 0).any() or (self.queue_for[~care] >= 0).any():
            raise AssertionError(f"month {t}: a client out of care has a provider or queues")
        if not self.active[self.prov[care]].all():
            raise AssertionError(f"month {t}: a client is with a provider that has exited")
        q = care & (self.queue_for >= 0)
        if (self.queue_for[q] == self.prov[q]).any():
            raise AssertionError(f"month {t}: a client queues for its own provider")
        n = np.bincount(self.prov[care], minlength=self.m)
        mins = np.bincount(self.prov[care], weights=self.cmin[care], minlength=self.m)
        if not (np.array_equal(n, self.load_n) and np.allclose(mins, self.load_min)):
            raise AssertionError(f"month {t}: provider loads out of step")
        if int(care.sum()) != self.cum_in - self.cum_out:
            raise AssertionError(f"month {t}: clients not conserved")

    def record(self, t: int, rs: _RegimeState) -> None:
        self.cum_in += self.arrivals
        self.cum_out += self.departures
        self.check(t)
        care = np.flatnonzero(self.in_care)
        prov = self.prov[care]
        mins = self.cmin[care]
        total = float(mins.sum())
        ext = self.pkind == "external"
        ext_min = float(self.load_min[ext].sum())
        ch = care[self.chooser[care]]
        first = float(100.0 * (self.prov[ch] == self.rank[ch, 0]).mean()) if len(ch) else math.nan
        q = care[self.queue_for[care] >= 0]
        waits = (t - self.since[q]).astype(float)
        row = {
            "month": t,
            "regime": rs.label,
            "external_share_cap": self.caps.external_share,
            "clients_in_care": len(care),
            "arrivals": self.arrivals,
            "departures": self.departures,
            "cumulative_in": self.cum_in,
            "cumulative_out": self.cum_out,
            "choosers": len(ch),
            "hours_per_week": total / 60.0,
            "external_hours_per_week": ext_min / 60.0,
            "external_cap_hours_per_week": (self.cap_total / 60.0
                                            if math.isfinite(self.cap_total) else math.nan),
            # no hours in care: the share is undefined, not 0 (as Assignment.summary)
            "external_share_hours": ext_min / total if total else math.nan,
            "first_choice_met_pct": first,
            "queue": len(q),
            "queue_joined": self.joined,
            "served_from_queue": len(self.served_waits),
            "wait_mean_months": float(waits.mean()) if len(q) else math.nan,
            "wait_p90_months": float(np.quantile(waits, 0.9)) if len(q) else math.nan,
            "wait_max_months": float(waits.max()) if len(q) else math.nan,
            "served_wait_mean_months": (float(np.mean(self.served_waits))
                                        if self.served_waits else math.nan),
            "forced_switches": self.forced,
            "voluntary_switches": self.voluntary,
            "rule_moves": self.rule_moves,
            "cap_returns": self.cap_returns,
            "reconsidered": self.reconsidered,
            "providers_active": int(self.active.sum()),
        }
        self.monthly.append(row)
        qn = np.bincount(self.queue_for[q], minlength=self.m)
        qw = np.bincount(self.queue_for[q], weights=waits, minlength=self.m)
        with np.errstate(invalid="ignore", divide="ignore"):
            qmean = np.where(qn > 0, qw / np.maximum(qn, 1), np.nan)
        self.prov_rows.append(pd.DataFrame({
            "month": t,
            "provider_id": self.pid,
            "kind": self.pkind,
            "active": self.active.copy(),
            "quality": self.quality.copy(),
            "clients": self.load_n.astype(np.int64),
            "hours_per_week": self.load_min / 60.0,
            "share_hours": self.load_min / total if total else math.nan,
            "queue": qn.astype(np.int64),
            "queue_wait_mean_months": qmean,
            "cap_hours_per_week": np.where(self.active, self.cap_min / 60.0, 0.0),
            "gained": self.gained.copy(),
            "lost": self.lost.copy(),
            "departed": self.departed.copy(),
        }))
        qf = self.queue_for[care]
        self.hist.append((t, care.copy(), prov.copy(), qf.copy(),
                          np.where(qf >= 0, self.since[care], -1)))
        self._reset_counters()

    # ---------------------------------------------------------------- routing
    def month_scenario(self) -> tuple[Scenario, np.ndarray]:
        care = np.flatnonzero(self.in_care)
        pids = np.array(self.pid, dtype=object)
        clients = gpd.GeoDataFrame(
            {
                "client_id": self.cid[care],
                "stairwell_id": self.st_id[self.csid[care]],
                "building_id": self.st_bid[self.csid[care]],
                "hours_per_week": self.chours[care],
                "visits_per_day": self.cvisits[care],
                "ranking": [tuple(pids[j] for j in r if j >= 0) for r in self.rank[care]],
                "current_provider": pids[self.prov[care]],
            },
            geometry=shapely.points(self.cxy[care]), crs=CRS,
        )
        providers = gpd.GeoDataFrame(
            {
                "provider_id": self.pid, "name": self.pname, "kind": list(self.pkind),
                "capacity_clients": self.capc, "capacity_hours": self.caph_min / 60.0,
                "zones": self.pzones,
            },
            geometry=shapely.points(self.pxy), crs=CRS,
        )
        return self.sc.replace(clients=clients, providers=providers), self.prov[care]

    def route(self, t: int, method: str) -> dict[str, Any]:
        """Route the month's day through the same path as :func:`hemopt.compare`
        (:func:`hemopt.evaluate.evaluate`): the same assignment gives the same figures."""
        from hemopt.assignment import assignment_from_providers
        from hemopt.evaluate import RoutingSettings, evaluate

        sc, prov = self.month_scenario()
        pids = np.array(self.pid, dtype=object)
        study = self.study
        a = assignment_from_providers(sc, pids[prov], regime=f"month {t}",
                                      base_rule=study.bases if study is not None else None)
        t0 = time.perf_counter()
        if study is not None:
            ev = evaluate(a, settings=study, seed=self.seed)
        else:
            settings = RoutingSettings(method=method,
                                       max_iterations=self.params.routing_iterations)
            ev = evaluate(a, routing=settings, seed=self.seed)
        k = ev.kpis
        self.say(f"  month {t}: routed {sc.n_clients} clients ({method}) in "
                 f"{time.perf_counter() - t0:.1f} s")
        return {"routing": method, **{c: float(k[c]) for c in _ROUTING_COLUMNS}}
