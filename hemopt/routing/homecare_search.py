"""The home-care solver: a ruin-and-recreate local search with simulated-annealing
acceptance (:func:`solve_homecare`), and the diagnosis of what blocks each dropped visit.

Part of the home-care solver, whose public face is :mod:`hemopt.routing.homecare`.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from hemopt.errors import InputError
from hemopt.routing.homecare_check import check_plan
from hemopt.routing.homecare_model import _INF, _VIOLATION_WEIGHT, TaskModel
from hemopt.routing.homecare_problem import HomeCareProblem, HomeCareResult

__all__ = ["HOMECARE_BLOCKING", "solve_homecare"]


#: Neighbours kept per visit for the related removals (at most 30 are removed at once).
_NEAR = 300


class _Search:
    def __init__(self, model: TaskModel, seed: int, n_candidates: int = 20):
        self.md = model
        self.rng = random.Random(seed)
        self.M = n_candidates
        # route elimination only where a used route costs in itself (keeps the search of
        # travel-and-tardiness instances, e.g. Mankowska's, exactly as it was)
        self.eliminate = bool(model.w_time > 0 or any(f > 0 for f in model.fixed))
        p = model.p
        # proximity of visits: travel on mode 0 plus the gap between windows
        n = p.n_visits
        t0 = p.travel[0]
        locs = p.visit_location
        mid = (p.earliest + p.latest) / 2
        # each visit's nearest _NEAR (all on days up to that size: the same lists as a full
        # sort), rows in chunks: a 2,000-visit day's full lists were 4 million Python ints
        self.near = []
        for a in range(0, n, 256):
            rows = np.arange(a, min(a + 256, n))
            rel = (t0[np.ix_(locs[rows], locs)]
                   + 0.5 * np.abs(mid[rows, None] - mid[None, :]))
            self.near.extend(np.argsort(rel, axis=1, kind="stable")[:, :_NEAR].tolist())

    # -- insertion --------------------------------------------------------------------------
    def _cheap(self, routes, start, i, k):
        """(estimate, position, start, lower bound) for task i in every position of route k.

        The lower bound is the cost increase without the delays to the tasks after it:
        inserting a task never makes another one earlier."""
        md = self.md
        T = md.T[k]
        r = routes[k]
        x = md.loc[i]
        e, dur = md.e[i], md.dur[i]
        li = md.l[i]
        wt = md.w_tard if not md.hard else _VIOLATION_WEIGHT
        prev_loc = md.start_loc[k]
        prev_fin = md.s0[k]
        w_move = md.w_travel + md.w_time
        D = None if md.D is None else md.D[k]
        base = (md.sc[i][k] if md.sc is not None else 0.0) + (0.0 if r else md.fixed[k])
        out = []
        n = len(r)
        for p in range(n + 1):
            if p < n:
                nxt = r[p]
                b = md.loc[nxt]
            else:
                nxt = -1
                b = md.end_loc[k]
            d = T[prev_loc][x] + T[x][b] - T[prev_loc][b]
            a = prev_fin + T[prev_loc][x]
            s = a if a > e else e
            fix = base
            if D is not None:
                fix += md.w_dist * (D[prev_loc][x] + D[x][b] - D[prev_loc][b])
            est = w_move * d + fix
            if s > li:
                est += wt * (s - li)
            fin = s + dur + T[x][b]
            if nxt >= 0:
                push = fin - start[nxt]
                if push > 0:
                    est += 0.5 * wt * push
            elif fin > md.s1[k] + md.ot_max[k]:
                est += _VIOLATION_WEIGHT * (fin - md.s1[k] - md.ot_max[k])
            lb = md.w_travel * d + fix + (wt * (s - li) if s > li else 0.0)
            out.append((est, p, s, lb))
            if nxt >= 0:
                prev_loc = b
                prev_fin = start[nxt] + md.dur[nxt]
        return out

    def insert_visit(self, routes, ev_now, v, force, forbid=()):
        """Insert visit v at its best evaluated position; return its evaluation or None."""
        md = self.md
        start = ev_now[5]
        cost_now = ev_now[0]
        tasks = md.tasks_of(v)
        M = self.M
        cands = []
        if len(tasks) == 1:
            i = tasks[0]
            for k in md.elig[i]:
                if k in forbid:
                    continue
                for est, p, _, lb in self._cheap(routes, start, i, k):
                    cands.append((est, k, p, lb))
            cands.sort()
            cands = [(lb, ((k, p),)) for _, k, p, lb in cands[:M]]
        else:
            a, b = tasks
            lo, hi = md.lo[a], md.hi[a]
            ca, cb = [], []
            for k in md.elig[a]:
                if k in forbid:
                    continue
                ca.extend((est, k, p, s, lb)
                          for est, p, s, lb in self._cheap(routes, start, a, k))
            for k in md.elig[b]:
                if k in forbid:
                    continue
                cb.extend((est, k, p, s, lb)
                          for est, p, s, lb in self._cheap(routes, start, b, k))
            ca.sort()
            cb.sort()
            ca, cb = ca[: 2 * M], cb[: 2 * M]
            pairs = []
            for ea, ka, pa, sa, la in ca:
                for eb, kb, pb, sb, lb in cb:
                    if ka == kb:
                        continue
                    gap = sb - sa
                    mis = lo - gap if gap < lo else (gap - hi if gap > hi else 0.0)
                    pairs.append((ea + eb + mis * md.w_tard, ka, pa, kb, pb, la + lb))
            pairs.sort()
            cands = [(lb, ((ka, pa), (kb, pb))) for _, ka, pa, kb, pb, lb in pairs[:M]]
        best = None
        for lb, cand in cands:
            if best is not None and cost_now + lb >= best[0][0]:
                continue
            for (k, p), i in zip(cand, tasks, strict=True):
                routes[k].insert(p, i)
            ev = md.evaluate(routes)
            for (k, _p), i in zip(cand, tasks, strict=True):
                routes[k].remove(i)
            if ev is not None and (best is None or ev[0] < best[0][0]):
                best = (ev, cand)
        if best is None and force:
            # at the end of the routes a synchronised pair can never deadlock
            ks = md.elig[tasks[0]][:1]
            if len(tasks) == 2:
                kb = [k for k in md.elig[tasks[1]] if k != ks[0]][:1]
                ks = ks + kb
            cand = tuple((k, len(routes[k])) for k in ks)
            for (k, p), i in zip(cand, tasks, strict=True):
                routes[k].insert(p, i)
            ev = md.evaluate(routes)
            for (k, _p), i in zip(cand, tasks, strict=True):
                routes[k].remove(i)
            best = (ev, cand)
        if best is None:
            return None
        ev, cand = best
        if not force and md.drop is not None and ev[0] - cost_now >= md.drop[v]:
            return None
        for (k, p), i in zip(cand, tasks, strict=True):
            routes[k].insert(p, i)
        return ev

    def recreate(self, routes, unassigned, ev, forbid=(), say=None):
        md = self.md
        order = list(unassigned)
        mode = self.rng.random()
        if mode < 0.4:
            self.rng.shuffle(order)
        elif mode < 0.7:
            order.sort(key=lambda v: md.p.earliest[v])
        elif mode < 0.85:
            order.sort(key=lambda v: (-md.p.staffing[v], md.p.earliest[v]))
        else:
            order.sort(key=lambda v: md.p.latest[v] - md.p.earliest[v])
        left = []
        force = md.drop is None
        step = max(1, len(order) // 10)
        for n, v in enumerate(order):
            if say is not None and n and n % step == 0 and len(order) >= 100:
                say(f"first plan: {n} of {len(order)} visits tried")
            new = self.insert_visit(routes, ev, v, force, forbid)
            if new is None:
                left.append(v)
            else:
                ev = new
        return ev, left

    # -- removal ----------------------------------------------------------------------------
    def ruin(self, routes, n_remove):
        md = self.md
        served = [md.task_visit[i] for r in routes for i in r if md.first[i]]
        if not served:
            return []
        rng = self.rng
        mode = rng.random()
        if mode < 0.3:
            chosen = rng.sample(served, min(n_remove, len(served)))
        elif mode < 0.75:
            seed_v = rng.choice(served)
            sset = set(served)
            chosen = [w for w in self.near[seed_v] if w in sset][:n_remove]
        else:
            # strings of consecutive visits from routes near a seed visit
            chosen = []
            seed_v = rng.choice(served)
            seen_routes = set()
            owner = {i: k for k, r in enumerate(routes) for i in r}
            for w in self.near[seed_v]:
                if len(chosen) >= n_remove:
                    break
                ti = md.first_task[w]
                if ti not in owner:
                    continue
                k = owner[ti]
                if k in seen_routes:
                    continue
                seen_routes.add(k)
                r = routes[k]
                length = rng.randint(1, max(1, min(len(r), n_remove // 2 + 1)))
                p = r.index(ti)
                lo = max(0, min(p - rng.randint(0, length - 1), len(r) - length))
                chosen.extend(md.task_visit[i] for i in r[lo: lo + length])
            chosen = list(dict.fromkeys(chosen))[:n_remove]
        gone = set()
        for v in chosen:
            gone.update(md.tasks_of(v))
        for k in range(len(routes)):
            routes[k] = [i for i in routes[k] if i not in gone]
        return chosen

    def run(self, max_iterations, time_limit_s, say=None):
        md = self.md
        t_start = time.perf_counter()
        routes = [[] for _ in range(md.K)]
        ev = md.evaluate(routes)
        ev, unassigned = self.recreate(routes, md.visits_ok, ev, say=say)
        if say is not None:
            say(f"first plan: {len(md.visits_ok) - len(unassigned)} of {md.p.n_visits} visits "
                f"placed ({time.perf_counter() - t_start:.0f} s)")
        last_said = time.perf_counter()
        cur = ([list(r) for r in routes], list(unassigned), ev)
        best = cur

        def total(e, un):
            return e[0] + (sum(md.drop[v] for v in un) if md.drop is not None else 0.0)

        n_ok = len(md.visits_ok)
        if n_ok == 0:
            return best, 0, time.perf_counter() - t_start
        cost0 = max(total(ev, unassigned), 1.0)
        t0 = 0.02 * cost0 / max(1.0, math.sqrt(n_ok))
        t_end = 0.002 * t0
        it = 0
        max_remove = max(2, min(30, int(0.25 * n_ok)))
        while True:
            if max_iterations is not None and it >= max_iterations:
                break
            elapsed = time.perf_counter() - t_start
            if time_limit_s is not None and elapsed >= time_limit_s:
                break
            if max_iterations is not None:
                frac = it / max_iterations
            else:
                frac = elapsed / time_limit_s
            temp = t0 * (t_end / t0) ** frac
            if say is not None and (
                    (max_iterations and it and it % max(1, max_iterations // 10) == 0)
                    or (not max_iterations and time.perf_counter() - last_said > 10)):
                last_said = time.perf_counter()
                say(f"search: iteration {it}{f' of {max_iterations}' if max_iterations else ''}"
                    f", {n_ok - len(best[1])} visits placed, cost "
                    f"{total(best[2], best[1]):,.0f} ({elapsed:.0f} s)")
            it += 1
            routes = [list(r) for r in cur[0]]
            forbid = ()
            used = [k for k in range(md.K) if routes[k]]
            if self.eliminate and len(used) > 1 and self.rng.random() < 0.15:
                # route elimination: empty one or two routes and re-insert their visits
                # elsewhere
                # (what a fixed cost per staff member, or per paid minute, rewards)
                forbid = tuple(self.rng.sample(used, self.rng.randint(1, 2)))
                removed = list(dict.fromkeys(md.task_visit[i] for k in forbid
                                             for i in routes[k]))
                gone = {i for v in removed for i in md.tasks_of(v)}
                routes = [[i for i in r if i not in gone] for r in routes]
            else:
                removed = self.ruin(routes, self.rng.randint(1, max_remove))
            ev0 = md.evaluate(routes)
            ev1, left = self.recreate(routes, list(cur[1]) + removed, ev0, forbid)
            new_cost = total(ev1, left)
            cur_cost = total(cur[2], cur[1])
            if new_cost < cur_cost - 1e-9 or self.rng.random() < math.exp(
                    -(new_cost - cur_cost) / temp):
                cur = (routes, left, ev1)
                if new_cost < total(best[2], best[1]) - 1e-9:
                    best = ([list(r) for r in routes], list(left), ev1)
        return best, it, time.perf_counter() - t_start




def solve_homecare(problem: HomeCareProblem, *, time_limit_s: float | None = None,
                   max_iterations: int | None = None, seed: int = 0,
                   progress: Callable[[str], None] | None = None) -> HomeCareResult:
    """Route a home-care day: every visit served by qualified, permitted staff, double visits
    synchronised, breaks in their windows; what cannot be served is dropped with a reason.

    A ruin-and-recreate local search (random, related and string removals; best insertion
    over the positions a cheap estimate ranks first, each evaluated on the full synchronised
    schedule; simulated-annealing acceptance). A returned plan is always feasible: a plan
    with a violation left (overtime, a late break, a hard window missed) loses visits, with
    the reason ``"no_capacity"``, until :func:`check_plan` finds none.

    Parameters
    ----------
    problem : HomeCareProblem
    time_limit_s : float, optional
        Wall-clock limit. With ``max_iterations`` only, the result is deterministic for a seed.
    max_iterations : int, optional
        Number of ruin-and-recreate iterations (default 1000 when no time limit is given).
    seed : int
    progress : callable, optional
        Called with a line of text as the first plan is built (every tenth of the visits),
        every tenth of the iterations (every 10 s with a time limit) and before the final
        fill pass: for days of thousands of visits.

    Returns
    -------
    HomeCareResult

    Examples
    --------
    Two staff, one qualified (skill 0) for the insulin visit (visit 1):

    >>> import numpy as np
    >>> travel = np.full((3, 3), 10.0) - 10 * np.eye(3)
    >>> p = HomeCareProblem(travel=travel, visit_location=[1, 2], earliest=[0, 0],
    ...                     latest=[60, 60], duration=[20, 20], skill=[-1, 0],
    ...                     shift_start=[0, 0], shift_end=[200, 200],
    ...                     staff_skills=[[False], [True]])
    >>> r = solve_homecare(p, max_iterations=20)
    >>> r.stops.loc[r.stops.visit == 1, "staff"].tolist()
    [1]
    """
    if time_limit_s is not None and not time_limit_s > 0:
        raise InputError(f"time_limit_s must be > 0, got {time_limit_s}")
    if max_iterations is not None and max_iterations < 0:
        raise InputError(f"max_iterations must be >= 0, got {max_iterations}")
    if time_limit_s is None and max_iterations is None:
        max_iterations = 1000
    md = TaskModel(problem)
    search = _Search(md, seed)
    (routes, left, _), iters, secs = search.run(max_iterations, time_limit_s, say=progress)
    reasons = dict(md.reason)
    for v in left:
        reasons[v] = "no_capacity"
    routes = [list(r) for r in routes]
    # a violation left: drop visits until none is left
    while True:
        ev = md.evaluate(routes, detail=True)
        if ev is not None and ev[4] <= 1e-9:
            break
        best = None
        for k in range(md.K):
            for i in routes[k]:
                if not md.first[i]:
                    continue
                v = md.task_visit[i]
                trial = [[x for x in r if md.task_visit[x] != v] for r in routes]
                e2 = md.evaluate(trial)
                score = _INF if e2 is None else (e2[4] * _VIOLATION_WEIGHT + 1e-9 * (
                    e2[0] + (md.drop[v] if md.drop is not None else 0.0)))
                if best is None or score < best[0]:
                    best = (score, v, trial)
        assert best is not None  # a plan with a violation has a task to take out
        routes = best[2]
        reasons[best[1]] = "no_capacity"
    if progress is not None:
        progress(f"fill pass: {sum(r == 'no_capacity' for r in reasons.values())} visits "
                 "left out for lack of room tried in every position")
    if _FILL:
        routes, ev = _fill(md, search, routes, ev, reasons)
    blocking = {v: _diagnose(md, search, routes, ev, v) for v in sorted(reasons)}
    return _result(problem, md, routes, ev, reasons, iters, secs, blocking)


#: The constraint that blocks a dropped visit (the ``constraint`` column of ``dropped``).
HOMECARE_BLOCKING: dict[str, str] = {
    "skill": "no staff member has the required skill",
    "excluded": "the client excludes every qualified staff member",
    "synchronisation": "the two staff of a double visit cannot be found or cannot meet",
    "window": "no staff member can start the visit within its time window",
    "shift": "no staff member can serve it and be back by the end of the shift (overtime "
             "allowance included)",
    "break": "serving it would push a staff member's break past its latest start",
    "carers": "serving it would exceed the client's limit on distinct carers",
    "capacity": "the staff have no room for it",
    "cost": "it could be served, but at a cost above its drop cost (its priority)",
}


#: The fill pass on (a switch for benchmarks/bench_route_plan_realday.py's before/after).
_FILL = True


def _fill(md, search, routes, ev, reasons, n_full: int = 20):
    """Insert each visit left out for lack of room (single-staffed) where it fits at the
    least cost.

    The search evaluates only the positions a cheap estimate ranks first, so a visit could be
    left out with room for it on a route the estimate ranked low (tests/test_realday.py found
    one: a shower that fitted first on an evening route). Here every position of every
    eligible staff member is considered: skipped when the visit could not start by its
    latest time even without breaks (inserting delays nothing before it); on a route without
    double visits (hard windows) checked exactly on the route alone
    (:meth:`TaskModel.fits_alone`); of the positions left, the ``n_full`` the estimate ranks
    first are evaluated on the full schedule, and the cheapest that holds every rule, below
    the visit's drop cost, is taken. Deterministic. Returns (routes, evaluation with detail);
    ``reasons`` loses the visits placed."""
    for v in sorted(v for v, r in reasons.items() if r == "no_capacity"):
        tasks = md.tasks_of(v)
        if len(tasks) != 1:
            continue
        i = tasks[0]
        drop = md.drop[v] if md.drop is not None else _INF
        start = ev[5]
        cands = []
        for k in md.elig[i]:
            r, T = routes[k], md.T[k]
            single = md.hard and all(md.partner[x] < 0 for x in r)
            est = None
            for p in range(len(r) + 1):
                prev = r[p - 1] if p else -1
                fin = md.s0[k] if prev < 0 else start[prev] + md.dur[prev]
                here = md.start_loc[k] if prev < 0 else md.loc[prev]
                if fin + T[here][md.loc[i]] > md.l[i] + 1e-9:
                    break  # later positions start later still
                if single and not md.fits_alone(k, [*r[:p], i, *r[p:]]):
                    continue  # route-local and exact: the full schedule would break a rule
                if est is None:
                    est = {pos: x for x, pos, _, _ in search._cheap(routes, start, i, k)}
                cands.append((est[p], k, p))
        best = None
        for _, k, p in sorted(cands)[:n_full]:
            trial = [list(x) for x in routes]
            trial[k].insert(p, i)
            e2 = md.evaluate(trial)
            if e2 is None or e2[4] > 1e-9 or e2[0] - ev[0] >= drop:
                continue
            if best is None or e2[0] < best[0]:
                best = (e2[0], trial)
        if best is not None:
            routes = best[1]
            ev = md.evaluate(routes, detail=True)
            del reasons[v]
    return routes, ev


def _clock(m: float) -> str:
    return f"{int(m) // 60:02d}:{int(m) % 60:02d}"


def _unreachable_detail(md, v) -> str:
    """Why no qualified staff member can serve visit v alone: longer than any shift allows,
    or its window lies where nobody can be there."""
    i = md.first_task[v]
    stay = max((md.s1[k] + md.ot_max[k] - md.s0[k] - md.T[k][md.start_loc[k]][md.loc[i]]
                - md.T[k][md.loc[i]][md.end_loc[k]]) for k in range(md.K))
    if md.dur[i] > stay + 1e-9:
        return (f"it lasts {md.dur[i]:g} min, longer than any shift allows at the place "
                f"(at most {max(stay, 0.0):g} min, travel to and from it taken out)")
    return (f"no qualified staff member can start it within its window "
            f"{_clock(md.e[i])}-{_clock(md.l[i])} and be back by the end of the shift")


def _diagnose(md, search, routes, ev, v) -> tuple[str, str]:
    """(constraint, detail): what blocks visit v in the final plan ``routes``."""
    p = md.p
    static = md.reason.get(v)
    if static == "skill_missing":
        return "skill", "no staff member has the skill"
    if static == "all_staff_excluded":
        return "excluded", "every staff member with the skill is excluded by the client"
    if static == "no_second_staff":
        return "synchronisation", "fewer than two different qualified, permitted staff"
    if static == "unreachable":
        return md.unreachable_kind.get(v, "window"), _unreachable_detail(md, v)
    tasks = md.tasks_of(v)
    start = ev[5]
    per: list[list[tuple[float, int, int]]] = []
    for i in tasks:
        c: list[tuple[float, int, int]] = []
        for k in md.elig[i]:
            c.extend((est, k, pos) for est, pos, _, _ in search._cheap(routes, start, i, k))
        c.sort()
        per.append(c[:40])
    cands: Sequence[tuple[tuple[int, int], ...]]
    if len(tasks) == 1:
        cands = [((k, pos),) for _, k, pos in per[0]]
    else:
        cands = [((ka, pa), (kb, pb)) for _, ka, pa in per[0][:12] for _, kb, pb in per[1][:12]
                 if ka != kb][:80]
    best = None
    for cand in cands:
        trial = [list(r) for r in routes]
        for (k, pos), i in zip(cand, tasks, strict=True):
            trial[k].insert(pos, i)
        e2 = md.evaluate(trial, detail=True)
        if e2 is None:
            continue
        if best is None or (e2[4], e2[0]) < (best[0][4], best[0][0]):
            best = (e2, cand)
    if best is None:
        return ("synchronisation" if len(tasks) == 2 else "capacity",
                "every insertion leaves the two staff waiting for each other"
                if len(tasks) == 2 else "no place in any route")
    e2, cand = best
    who = ", ".join(f"{p.staff_ids[k]} after {pos} task(s)" for k, pos in cand)
    if e2[4] <= 1e-9:
        extra = e2[0] - ev[0]
        return "cost", (f"best place {who} adds {extra:.0f} to the objective, above its drop "
                        f"cost {md.drop[v]:.0f}" if md.drop is not None else who)
    kind = max(e2[9], key=e2[9].get)
    over = e2[9][kind] - ev[9][kind]
    text = {"window": f"would start {over:.0f} min after its window",
            "shift": f"a staff member would be back {over:.0f} min after the shift end",
            "break": f"a break would start {over:.0f} min after its latest start",
            "carers": "the client would have one carer more than allowed"}[kind]
    return kind, f"best place {who}: {text}"


def _result(problem, md, routes, ev, reasons, iters, secs, blocking) -> HomeCareResult:
    bpos = ev[8]
    one = np.asarray(problem.break_duration).ndim == 1
    breaks_after = {k: (bpos[k][0] if one else tuple(bpos[k]))
                    for k in range(md.K) if bpos[k]}
    task_routes = [[(md.task_visit[i], md.task_copy[i]) for i in r] for r in routes]
    chk = check_plan(problem, task_routes, breaks_after=breaks_after)
    vs = sorted(reasons)
    dropped = pd.DataFrame({"visit": vs, "reason": [reasons[v] for v in vs],
                            "constraint": [blocking[v][0] for v in vs],
                            "detail": [blocking[v][1] for v in vs]},
                           columns=["visit", "reason", "constraint", "detail"])
    st = chk.stops
    summary = pd.DataFrame({
        "staff": range(md.K),
        "tasks": [len(r) for r in routes],
        "travel": [_route_travel(md, k, routes[k]) for k in range(md.K)],
    })
    objective = chk.objective + sum(problem.drop_cost(v) or 0.0 for v in reasons)
    return HomeCareResult(
        routes=tuple(tuple(r) for r in task_routes), breaks_after=breaks_after, stops=st,
        breaks=chk.breaks, dropped=dropped, travel=chk.travel, distance=chk.distance,
        total_tardiness=chk.total_tardiness, max_tardiness=chk.max_tardiness,
        objective=objective, violations=chk.violations, iterations=iters, seconds=secs,
        served=chk.served, staff_summary=summary)


def _route_travel(md, k, r) -> float:
    T = md.T[k]
    locs = [md.start_loc[k]] + [md.loc[i] for i in r] + [md.end_loc[k]]
    return float(sum(T[a][b] for a, b in itertools.pairwise(locs))) if r else 0.0


