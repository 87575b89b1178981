"""The compiled home-care model: plain-Python lists per task and per staff member, and the
synchronised schedule evaluation the search (:mod:`hemopt.routing.homecare_search`) calls
for every candidate plan.

Part of the home-care solver, whose public face is :mod:`hemopt.routing.homecare`.
"""

from __future__ import annotations

from hemopt.routing.homecare_problem import _TOL, HomeCareProblem

__all__ = ["TaskModel", "eligible_staff"]

_INF = float("inf")
#: Exact break placement on routes without double visits (a switch for
#: benchmarks/bench_route_plan_realday.py's before/after).
_EXACT_BREAKS = True
#: Cost per minute of a hard violation (overtime, late break, hard window) during the search.
_VIOLATION_WEIGHT = 1e6


class TaskModel:
    """Plain-Python lists of the problem, per task and per staff, for a fast evaluation."""

    def __init__(self, p: HomeCareProblem):
        self.p = p
        n = p.n_visits
        task_visit: list[int] = []
        task_copy: list[int] = []
        first_task: list[int] = []
        for v in range(n):
            first_task.append(len(task_visit))
            for c in range(int(p.staffing[v])):
                task_visit.append(v)
                task_copy.append(c)
        self.first_task = first_task
        self.task_visit, self.task_copy = task_visit, task_copy
        m = len(task_visit)
        self.m = m
        self.loc = [int(p.visit_location[v]) for v in task_visit]
        self.e = [float(p.earliest[v] if c == 0 else p.earliest2[v])
                  for v, c in zip(task_visit, task_copy, strict=True)]
        self.l = [float(p.latest[v] if c == 0 else p.latest2[v])
                  for v, c in zip(task_visit, task_copy, strict=True)]
        self.dur = [float(p.duration[v] if c == 0 else p.duration2[v])
                    for v, c in zip(task_visit, task_copy, strict=True)]
        self.partner = [-1] * m
        self.lo = [0.0] * m
        self.hi = [0.0] * m
        for i in range(m):
            v = task_visit[i]
            if p.staffing[v] == 2:
                f = first_task[v]
                self.partner[i] = f + 1 if i == f else f
                self.lo[i], self.hi[i] = float(p.sync_min[v]), float(p.sync_max[v])
        self.first = [c == 0 for c in task_copy]
        k = p.n_staff
        self.K = k
        mats = [p.travel[md].tolist() for md in range(p.travel.shape[0])]
        self.T = [mats[int(p.staff_mode[s])] for s in range(k)]
        self.s0 = p.shift_start.tolist()
        self.s1 = p.shift_end.tolist()
        self.start_loc = p.start_place.tolist()
        self.end_loc = p.end_place.tolist()
        self.brk = [p.breaks_of(s) for s in range(k)]
        self.hard = bool(p.hard_windows)
        self.w_travel = float(p.travel_weight)
        self.w_tard = float(p.tardiness_weight)
        self.w_max = float(p.max_tardiness_weight)
        self.w_time = float(p.time_weight)
        self.w_dist = float(p.distance_weight)
        self.w_ot = float(p.overtime_weight)
        self.fixed = p.staff_fixed_cost.tolist()
        self.ot_max = p.max_overtime.tolist()
        self.D = None
        if self.w_dist > 0 and p.distance is not None:  # a distance weight needs distances
            dm = [p.distance[md].tolist() for md in range(p.distance.shape[0])]
            self.D = [dm[int(p.staff_mode[s])] for s in range(k)]
        self.sc = (None if p.staff_cost is None
                   else [p.staff_cost[v].tolist() for v in task_visit])
        self.client = None if p.client is None else [int(p.client[v]) for v in task_visit]
        self.max_carers = p.max_carers
        self.drop = (None if p.drop_penalty is None
                     else [p.drop_cost(v) for v in range(n)])
        # eligibility and the reasons of visits nobody can serve
        self.unreachable_kind: dict[int, str] = {}
        self.elig: list[list[int]] = []
        self.reason: dict[int, str] = {}
        for i in range(m):
            v, c = task_visit[i], task_copy[i]
            need = int(p.skill[v] if c == 0 else p.skill2[v])
            skilled = [s for s in range(k) if need < 0 or p.staff_skills[s, need]]
            allowed = [s for s in skilled if not p.excluded[v, s]]
            ok = [s for s in allowed if self._reachable(i, s)]
            self.elig.append(ok)
            if v not in self.reason:
                if not skilled:
                    self.reason[v] = "skill_missing"
                elif not allowed:
                    self.reason[v] = "all_staff_excluded"
                elif not ok:
                    self.reason[v] = "unreachable"
                    shift_only = any(self._reachable(i, s, windows=False) for s in allowed)
                    self.unreachable_kind[v] = "window" if shift_only else "shift"
        for v in range(n):
            if p.staffing[v] == 2 and v not in self.reason:
                a, b = self.elig[first_task[v]], self.elig[first_task[v] + 1]
                if not any(x != y for x in a for y in b):
                    self.reason[v] = "no_second_staff"
        self.visits_ok = [v for v in range(n) if v not in self.reason]
        # neighbours by location for related removal
        self.xy_rank = None
        self._bp_cache: dict[tuple, list[int] | None] = {}

    def _reachable(self, i: int, s: int, windows: bool = True) -> bool:
        T = self.T[s]
        a = self.s0[s] + T[self.start_loc[s]][self.loc[i]]
        st = max(a, self.e[i])
        if not windows:
            return st + self.dur[i] + T[self.loc[i]][self.end_loc[s]] <= (
                self.s1[s] + self.ot_max[s] + _TOL)
        if self.hard and st > self.l[i] + _TOL:
            return False
        back = st + self.dur[i] + T[self.loc[i]][self.end_loc[s]]
        return back <= self.s1[s] + self.ot_max[s] + _TOL

    def break_positions(self, k: int, route) -> list[int] | None:
        """The break positions (after that many tasks) of staff ``k`` on ``route`` that bring
        it back earliest with every window and break window held, or None: the route has no
        break, a double visit (its times depend on another route) or no such placement.

        A dynamic programme over (tasks done, breaks taken) keeping the earliest time free:
        every rule bounds a time from above, so an earlier state is never worse. The greedy
        rule (take a break when it fits in the waiting time or cannot wait past the next
        visit) misses placements: a break postponed past a visit with slack can push the
        next, tight visit out of its window (found by tests/test_realday.py)."""
        bk = self.brk[k]
        if not bk or not route:
            return None
        key = (k, tuple(route))
        cache = self._bp_cache
        if key in cache:
            return cache[key]
        out: list[int] | None = None
        partner = self.partner
        if all(partner[i] < 0 for i in route):
            T = self.T[k]
            loc, e, lat, dur = self.loc, self.e, self.l, self.dur
            B = len(bk)
            # best[b]: (earliest time free, break positions) with b breaks taken
            best: list[tuple[float, tuple[int, ...]] | None] = [(self.s0[k], ())] + [None] * B
            place = self.start_loc[k]
            n = len(route)
            for j in range(n + 1):
                for b in range(B):
                    cur = best[b]
                    if cur is None:
                        continue
                    bdur, bear, blat = bk[b]
                    bs = cur[0] if cur[0] > bear else bear
                    if bs <= blat + _TOL:
                        nxt = best[b + 1]
                        if nxt is None or bs + bdur < nxt[0] - _TOL:
                            best[b + 1] = (bs + bdur, (*cur[1], j))
                if j == n:
                    break
                i = route[j]
                tr = T[place][loc[i]]
                for b in range(B + 1):
                    cur = best[b]
                    if cur is None:
                        continue
                    st = cur[0] + tr
                    st = st if st > e[i] else e[i]
                    best[b] = (st + dur[i], cur[1]) if st <= lat[i] + _TOL else None
                place = loc[i]
            last = best[B]
            if last is not None:
                out = list(last[1])
        if len(cache) > 200_000:
            cache.clear()
        cache[key] = out
        return out

    def fits_alone(self, k: int, route) -> bool:
        """Whether staff ``k`` can serve ``route`` (single-staffed tasks only) with every
        window, break window and the shift's end (with its overtime) held: the dynamic
        programme of :meth:`break_positions`, route-local (no other route is scheduled)."""
        T, bk = self.T[k], self.brk[k]
        loc, e, lat, dur = self.loc, self.e, self.l, self.dur
        B = len(bk)
        best: list[float | None] = [self.s0[k]] + [None] * B
        place = self.start_loc[k]
        n = len(route)
        for j in range(n + 1):
            for b in range(B):
                t = best[b]
                if t is None:
                    continue
                bdur, bear, blat = bk[b]
                bs = t if t > bear else bear
                nxt = best[b + 1]
                if bs <= blat + _TOL and (nxt is None or bs + bdur < nxt):
                    best[b + 1] = bs + bdur
            if j == n:
                break
            i = route[j]
            tr = T[place][loc[i]]
            for b in range(B + 1):
                t = best[b]
                if t is None:
                    continue
                st = t + tr
                st = st if st > e[i] else e[i]
                best[b] = st + dur[i] if st <= lat[i] + _TOL else None
            place = loc[i]
        last = best[B]
        return last is not None and (last + T[place][self.end_loc[k]]
                                     <= self.s1[k] + self.ot_max[k] + _TOL)

    def tasks_of(self, v: int) -> list[int]:
        f = self.first_task[v]
        return [f, f + 1] if self.partner[f] >= 0 else [f]

    def evaluate(self, routes, detail: bool = False):
        """Schedule the routes; return (cost, travel, tard_sum, tard_max, viol, start) or
        None on a synchronisation deadlock. ``detail`` adds arrivals, break starts, break
        positions and the violations by kind (window, shift, break, carers)."""
        m, K = self.m, self.K
        loc, e, lat, dur, partner, first = (self.loc, self.e, self.l, self.dur, self.partner,
                                          self.first)
        lo, hi = self.lo, self.hi
        T, brk = self.T, self.brk
        arr = [-1.0] * m
        start = [0.0] * m
        owner = [0] * m
        for k in range(K):
            for i in routes[k]:
                owner[i] = k
        # where each break goes: exact for a route without double visits (hard windows), the
        # greedy rule below otherwise (and when no placement is feasible: it is penalised)
        forced = ([self.break_positions(k, routes[k]) for k in range(K)]
                  if self.hard and _EXACT_BREAKS else [None] * K)
        pos = [0] * K
        t = list(self.s0)
        cur = list(self.start_loc)
        nb = [0] * K
        bstart: list[list[float]] = [[] for _ in range(K)]
        bpos: list[list[int]] = [[] for _ in range(K)]
        travel = 0.0
        tsum = 0.0
        tmax = 0.0
        v_win = v_shift = v_break = v_carers = 0.0
        extra = 0.0
        dist = 0.0
        D = self.D
        sc = self.sc
        hard = self.hard
        progress = True
        while progress:
            progress = False
            for k in range(K):
                r = routes[k]
                n = len(r)
                p = pos[k]
                bk = brk[k]
                while p < n:
                    i = r[p]
                    if arr[i] < 0:
                        tr = T[k][cur[k]][loc[i]]
                        tt = t[k]
                        while nb[k] < len(bk):
                            bdur, bear, blat = bk[nb[k]]
                            bs = tt if tt > bear else bear
                            fk = forced[k]
                            if fk is not None:
                                if fk[nb[k]] != p:
                                    break
                            else:
                                a_nb = tt + tr
                                s_nb = a_nb if a_nb > e[i] else e[i]
                                if not (bs + bdur + tr <= s_nb or s_nb + dur[i] > blat):
                                    break
                            bstart[k].append(bs)
                            bpos[k].append(p)
                            if bs > blat:
                                v_break += bs - blat
                            tt = bs + bdur
                            nb[k] += 1
                        arr[i] = tt + tr
                        travel += tr
                        if D is not None:
                            dist += D[k][cur[k]][loc[i]]
                        if sc is not None:
                            extra += sc[i][k]
                    j = partner[i]
                    if j < 0:
                        s = arr[i] if arr[i] > e[i] else e[i]
                        start[i] = s
                        lates: tuple[float, ...] = (s - lat[i],)
                    else:
                        if arr[j] < 0:
                            break
                        a, b = (i, j) if first[i] else (j, i)
                        sa = arr[a] if arr[a] > e[a] else e[a]
                        sb = arr[b] if arr[b] > e[b] else e[b]
                        if sb - sa < lo[a]:
                            sb = sa + lo[a]
                        elif sb - sa > hi[a]:
                            sa = sb - hi[a]
                        start[a] = sa
                        start[b] = sb
                        kj = owner[j]
                        pos[kj] += 1
                        t[kj] = start[j] + dur[j]
                        cur[kj] = loc[j]
                        s = start[i]
                        lates = (s - lat[i], start[j] - lat[j])
                    for late in lates:
                        if late > 0:
                            if hard:
                                v_win += late
                            else:
                                tsum += late
                                if late > tmax:
                                    tmax = late
                    t[k] = s + dur[i]
                    cur[k] = loc[i]
                    p += 1
                    progress = True
                pos[k] = p
        for k in range(K):
            if pos[k] < len(routes[k]):
                return None
            r = routes[k]
            if not r:
                continue
            bk = brk[k]
            while nb[k] < len(bk):
                bdur, bear, blat = bk[nb[k]]
                bs = t[k] if t[k] > bear else bear
                bstart[k].append(bs)
                bpos[k].append(len(r))
                if bs > blat:
                    v_break += bs - blat
                t[k] = bs + bdur
                nb[k] += 1
            tr = T[k][cur[k]][self.end_loc[k]]
            travel += tr
            back = t[k] + tr
            over = back - self.s1[k]
            if over > 0:
                if over > self.ot_max[k]:
                    v_shift += over - self.ot_max[k]
                    over = self.ot_max[k]
                extra += self.w_ot * over
            extra += self.fixed[k]
            if self.w_time:
                extra += self.w_time * (back - self.s0[k] - sum(b[0] for b in bk))
            if D is not None:
                dist += D[k][cur[k]][self.end_loc[k]]
        if self.max_carers is not None and self.client is not None:  # max_carers needs client
            seen: dict[int, set[int]] = {}
            cl = self.client
            for i in range(m):
                if arr[i] >= 0:
                    seen.setdefault(cl[i], set()).add(owner[i])
            mc = self.max_carers
            v_carers = 60.0 * sum(len(x) - mc for x in seen.values() if len(x) > mc)
        viol = v_win + v_shift + v_break + v_carers
        cost = (self.w_travel * travel + self.w_tard * tsum + self.w_max * tmax + extra
                + self.w_dist * dist + _VIOLATION_WEIGHT * viol)
        if detail:
            kinds = {"window": v_win, "shift": v_shift, "break": v_break, "carers": v_carers}
            return cost, travel, tsum, tmax, viol, start, arr, bstart, bpos, kinds
        return cost, travel, tsum, tmax, viol, start



def eligible_staff(problem: HomeCareProblem) -> set[int]:
    """The staff who may serve at least one task of ``problem`` (skill, exclusions, and
    reach within the windows and the shift).

    Examples
    --------
    >>> import numpy as np
    >>> p = HomeCareProblem(travel=np.zeros((2, 2)), visit_location=[1], earliest=[0],
    ...                     latest=[60], duration=[20], skill=[0], shift_start=[0, 0],
    ...                     shift_end=[100, 100], staff_skills=[[False], [True]])
    >>> eligible_staff(p)
    {1}
    """
    return {k for lst in TaskModel(problem).elig for k in lst}
