"""A realistic home-care day for route-plan's tests, and an independent plan checker.

Not shipped data: everything is generated from a seed. :func:`generate_day` makes one
home-care group's day (*hemtjänstgrupp*: the staff team serving one district): 12-20 staff on
day, morning, evening and split shifts (a split shift is written as two staff rows, one per
part, as the parts are separate routes), 50-80 clients and 200-300 visits: morning care with
windows, fixed-time medication (some needing delegated insulin), double-staffed transfers,
meals, showers, walks of up to two hours, clients who refuse a staff member, usual carers and
a contact person, several breaks per shift, staff who start at the office and end at home, on
foot, by bicycle or by car. Places are SWEREF 99 TM coordinates; the travel-time matrices
(whole minutes, rounded up, slightly asymmetric: one-way streets) come from them.

:func:`write_day` writes the tables as a planner's system exports them: columns shuffled,
extra columns, Swedish names, and one of three dialects (``csv``: comma, UTF-8, ``08:30``;
``excel``: semicolon, Windows-1252, decimal commas, ``8.30``; ``xlsx``: a workbook with
Excel time cells).

:func:`check_plan` checks a plan from the output tables alone against the generator's truth:
it shares no code with the solver or hemopt's own checker.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

OFFICE = (619_500.0, 6_579_800.0)  # SWEREF 99 TM (a Mälardalen town centre)
FIRST = ["Åsa", "Björn", "Cecilia", "Dragan", "Elin", "Fatima", "Göran", "Hanna", "Ida",
         "Jörgen", "Karin", "Leila", "Mats", "Nora", "Omar", "Päivi", "Rut", "Sven", "Tove",
         "Ulf", "Vera", "Yusuf", "Zelda", "Agnes"]
SPEED = {"walk": (4.5, 0.5), "bike": (13.0, 1.0), "car": (None, 2.0)}  # km/h, min per trip


def _car_min(m: float) -> float:
    """MixedTravel's car: 3 km at 25 km/h, the rest at 60 km/h."""
    return min(m, 3000.0) / 25_000 * 60 + max(m - 3000.0, 0.0) / 60_000 * 60


@dataclass
class Day:
    """A generated day: clean tables (times in minutes) and the matrices."""

    visits: pd.DataFrame  # visit, client, place, earliest, latest, duration, staffing, skill,
    #                       excluded (list), usual (list), contact, kind
    staff: pd.DataFrame  # staff, mode, start, end, shift_start, shift_end, skills (list)
    breaks: pd.DataFrame  # staff, duration, earliest, latest
    places: pd.DataFrame  # place, x, y
    time: dict[str, pd.DataFrame]  # mode -> minutes
    km: dict[str, pd.DataFrame] = field(default_factory=dict)  # mode -> km (car only)


def generate_day(seed: int, *, n_staff: int | None = None, n_clients: int | None = None,
                 asymmetric: bool = True) -> Day:
    """One home-care group's day, drawn from ``seed`` (same seed, same day)."""
    rng = np.random.default_rng(seed)
    n_staff = int(rng.integers(12, 21)) if n_staff is None else n_staff
    # about 3.6 clients per staff member (within 50-80): a day the staff can mostly serve
    n_clients = (int(np.clip(3.6 * n_staff + rng.integers(-3, 4), 50, 80))
                 if n_clients is None else n_clients)
    # places: 80 % in town (within 1.5 km of the office), the rest in three villages
    places = [("kontoret", *OFFICE)]
    villages = [(OFFICE[0] + r * math.cos(a), OFFICE[1] + r * math.sin(a))
                for r, a in zip(rng.uniform(2500, 5000, 3), rng.uniform(0, 2 * math.pi, 3),
                                strict=True)]
    for c in range(n_clients):
        if rng.random() < 0.8:
            r, a = 1500 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
            x, y = OFFICE[0] + r * math.cos(a), OFFICE[1] + r * math.sin(a)
        else:
            vx, vy = villages[int(rng.integers(3))]
            x, y = vx + rng.normal(0, 400), vy + rng.normal(0, 400)
        places.append((f"adr{c + 1:03d}", round(x, 1), round(y, 1)))
    # staff: shifts (day 07-16, morning 07-13, evening 13-22, split 07-10 + 16-21)
    names = [f"{FIRST[i % len(FIRST)]} {chr(65 + i // len(FIRST))}" for i in range(n_staff)]
    kinds = rng.choice(["day", "morning", "evening", "split"], size=n_staff,
                       p=[0.45, 0.15, 0.25, 0.15])
    kinds[:4] = ["day", "evening", "morning", "split"]  # every kind at least once
    shift = {"day": [(420, 960)], "morning": [(420, 780)], "evening": [(780, 1320)],
             "split": [(420, 600), (960, 1260)]}
    breaks_of = {"day": [(30, 630, 750), (15, 840, 900)], "morning": [(20, 570, 660)],
                 "evening": [(30, 990, 1110), (15, 1170, 1230)], "split": []}
    srows, brows = [], []
    for i, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        mode = str(rng.choice(["car", "walk", "bike"], p=[0.6, 0.2, 0.2]))
        home = f"hem{i + 1:02d}"
        r, a = rng.uniform(800, 9000), rng.uniform(0, 2 * math.pi)
        places.append((home, round(OFFICE[0] + r * math.cos(a), 1),
                       round(OFFICE[1] + r * math.sin(a), 1)))
        skills = [s for s, p in (("insulin", 0.45), ("sårvård", 0.2)) if rng.random() < p]
        parts = shift[str(kind)]
        for j, (s0, s1) in enumerate(parts):
            sid = name if len(parts) == 1 else f"{name} ({'fm' if j == 0 else 'em'})"
            start = "kontoret" if rng.random() < 0.8 else home
            end = home if rng.random() < 0.35 else "kontoret"
            srows.append({"staff": sid, "mode": mode, "start": start, "end": end,
                          "shift_start": s0, "shift_end": s1, "skills": skills})
            brows += [{"staff": sid, "duration": d, "earliest": e, "latest": lat}
                      for d, e, lat in breaks_of[str(kind)]]
    staff = pd.DataFrame(srows)
    if not (staff.skills.map(lambda s: "insulin" in s)).any():
        staff.at[0, "skills"] = [*staff.skills[0], "insulin"]
    # visits
    vrows = []
    ids = list(staff.staff)
    for c in range(n_clients):
        client, place = f"K{1000 + c}", f"adr{c + 1:03d}"
        lift = rng.random() < 0.12  # transfers with a lift: two staff
        diabetic = rng.random() < 0.25
        usual = list(rng.choice(ids, size=2, replace=False))
        contact = str(rng.choice(ids))
        refuses = [str(rng.choice(ids))] if rng.random() < 0.1 else []
        usual = [u for u in usual if u not in refuses]
        contact = "" if contact in refuses else contact
        plan: list[tuple] = []  # kind, earliest, latest, duration, staffing, skill
        m0 = int(rng.integers(420, 570)) // 5 * 5
        plan.append(("morgon", m0, m0 + int(rng.choice([30, 45, 60])),
                     int(rng.choice([15, 20, 30, 40])), 2 if lift else 1, ""))
        if diabetic:
            for t in (480, 720, 1020):
                tol = int(rng.choice([0, 10, 15]))
                plan.append(("insulin", t - tol, t + tol, int(rng.choice([5, 10])), 1,
                             "insulin"))
        elif rng.random() < 0.5:
            t = int(rng.choice([480, 720, 1200]))
            plan.append(("medicin", t, t, 5, 1, ""))
        if rng.random() < 0.6:
            plan.append(("lunch", 660, 780, int(rng.choice([10, 15, 20])), 1, ""))
        if rng.random() < 0.4:
            plan.append(("middag", 990, 1080, int(rng.choice([10, 15, 20])), 1, ""))
        if rng.random() < 0.15:
            plan.append(("dusch", 540, 840, int(rng.choice([45, 60])), 1, ""))
        if rng.random() < 0.08 or c == 1:  # a walk: up to two hours, at least one of them
            plan.append(("promenad", 600, 840, 120 if c == 1 else int(rng.choice([60, 90])),
                         1, ""))
        if rng.random() < 0.1:
            plan.append(("såromläggning", 540, 900, 30, 1, "sårvård"))
        if rng.random() < 0.6:
            e0 = int(rng.integers(1140, 1230)) // 5 * 5
            plan.append(("kväll", e0, e0 + 45, int(rng.choice([15, 20, 30])), 2 if lift else 1,
                         ""))
        for j, (kind, e, lat, d, n, sk) in enumerate(plan):
            vrows.append({"visit": f"B{1000 + c}-{j + 1}", "client": client, "place": place,
                          "earliest": e, "latest": lat, "duration": d, "staffing": n,
                          "skill": sk, "excluded": refuses, "usual": usual,
                          "contact": contact, "kind": kind})
    visits = pd.DataFrame(vrows)
    pl = pd.DataFrame(places, columns=["place", "x", "y"])
    xy = pl[["x", "y"]].to_numpy()
    straight = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    road = 1.3 * straight
    labels = list(pl.place)
    time = {}
    for mode, (kmh, over) in SPEED.items():
        mins = (np.vectorize(_car_min)(road) if kmh is None else road / (kmh * 1000) * 60)
        mins = np.where(straight > 0, np.ceil(mins + over), 0.0)
        if asymmetric and mode == "car":  # one-way streets: one direction a minute longer
            one_way = rng.random(mins.shape) < 0.05
            mins = mins + np.where(one_way & (straight > 0), 1.0, 0.0)
        time[mode] = pd.DataFrame(mins, index=labels, columns=labels)
    km = {"car": pd.DataFrame(np.round(road / 1000, 2), index=labels, columns=labels)}
    return Day(visits=visits, staff=staff, breaks=pd.DataFrame(brows), places=pl, time=time,
               km=km)


# ------------------------------------------------------------------------------- writing
def _clock(m: float, dialect: str, i: int):
    h, mm = divmod(round(m), 60)
    if dialect == "xlsx":
        return dt.time(h, mm) if h < 24 else f"{h}:{mm:02d}"
    if dialect == "excel":
        return f"{h}.{mm:02d}" if i % 2 else f"{h:02d}:{mm:02d}"
    return f"{h:02d}:{mm:02d}" if i % 3 else f"{h}:{mm:02d}"


def _num(x: float, dialect: str):
    if dialect == "xlsx":
        return x
    s = f"{x:g}"
    return s.replace(".", ",") if dialect == "excel" else s


def planner_tables(day: Day, dialect: str, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The day's tables as a planner's system exports them (columns shuffled, extras)."""
    rng = np.random.default_rng(seed)
    v = day.visits
    visits = pd.DataFrame({
        "visit": v.visit, "client": v.client, "place": v.place,
        "earliest": [_clock(x, dialect, i) for i, x in enumerate(v.earliest)],
        "latest": [_clock(x, dialect, i + 1) for i, x in enumerate(v.latest)],
        "duration": [_num(x, dialect) for x in v.duration],
        "staffing": [_num(x, dialect) for x in v.staffing],
        "skill": v.skill, "excluded": [";".join(x) for x in v.excluded],
        "usual_carers": [";".join(x) for x in v.usual], "contact": v.contact,
        "insats": v.kind, "kommentar": ["nyckel i kodlåset, ring på; \"hund\"" if i % 17 == 0
                                         else "" for i in range(len(v))],
        "beviljad_tid": [_num(x * 1.1, dialect) for x in v.duration],
    })
    s = day.staff
    staff = pd.DataFrame({
        "staff": s.staff, "mode": s["mode"], "start": s.start, "end": s.end,
        "shift_start": [_clock(x, dialect, i) for i, x in enumerate(s.shift_start)],
        "shift_end": [_clock(x, dialect, i) for i, x in enumerate(s.shift_end)],
        "skills": [";".join(x) for x in s.skills], "anställningsform": "tillsvidare",
        "telefon": [f"070-{1000000 + 37 * i}" for i in range(len(s))],
    })
    b = day.breaks
    breaks = pd.DataFrame({
        "staff": b.staff, "duration": [_num(x, dialect) for x in b.duration],
        "earliest": [_clock(x, dialect, i) for i, x in enumerate(b.earliest)],
        "latest": [_clock(x, dialect, i) for i, x in enumerate(b.latest)], "typ": "rast"})

    def shuffle(df):
        return df[list(rng.permutation(df.columns))]

    out = {"visits": shuffle(visits), "staff": shuffle(staff), "breaks": shuffle(breaks)}
    for mode, m in day.time.items():
        out[mode] = m.map(lambda x: _num(x, dialect)).rename_axis("plats").reset_index()
    for mode, m in day.km.items():
        out[f"{mode}_km"] = m.map(lambda x: _num(x, dialect)).rename_axis(
            "plats").reset_index()
    out["places"] = day.places.assign(x=[_num(x, dialect) for x in day.places.x],
                                      y=[_num(y, dialect) for y in day.places.y])
    return out


def write_day(day: Day, folder: Path, dialect: str = "csv", seed: int = 0) -> dict[str, Path]:
    """Write the day's tables to ``folder``; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, df in planner_tables(day, dialect, seed).items():
        if dialect == "xlsx":
            p = folder / f"{name}.xlsx"
            df.to_excel(p, index=False)
        elif dialect == "excel":
            p = folder / f"{name}.csv"
            p.write_bytes(df.to_csv(index=False, sep=";").encode("cp1252"))
        else:
            p = folder / f"{name}.csv"
            df.to_csv(p, index=False)
        paths[name] = p
    return paths


# ------------------------------------------------------------------------------ checking
def _minutes(x) -> float:
    if isinstance(x, str):
        h, m = x.split(":")
        return float(int(h) * 60 + int(m))
    return float(x)


@dataclass
class Checked:
    violations: list[str]
    travel_min: float
    km: float
    paid_min: float
    overtime_min: float
    staff_used: int
    non_usual_tasks: int
    served: set


def check_plan(day: Day, stops: pd.DataFrame, breaks: pd.DataFrame, dropped: pd.DataFrame,
               *, sync_tolerance: float = 0.0, tol: float = 1e-6) -> Checked:
    """Every rule of the day, checked from the plan's tables against the generator's truth.

    ``stops``: staff, order, visit, arrival, start, end (minutes or HH:MM); ``breaks``:
    staff, after, start, end; ``dropped``: visit, reason.
    """
    bad: list[str] = []
    V = day.visits.set_index("visit")
    S = day.staff.set_index("staff")
    stops = stops.assign(**{c: [_minutes(x) for x in stops[c]]
                            for c in ("arrival", "start", "end")})
    breaks = breaks.assign(**{c: [_minutes(x) for x in breaks[c]] for c in ("start", "end")})
    # each visit served by its staffing, by different staff, or dropped; never both
    served: set = set()
    for v, g in stops.groupby("visit"):
        need = int(V.staffing[v])
        if len(g) != need or g.staff.nunique() != need:
            bad.append(f"{v}: served by {list(g.staff)}, needs {need} different staff")
        if need == 2 and abs(g.start.iloc[0] - g.start.iloc[1]) > sync_tolerance + tol:
            bad.append(f"{v}: the two staff start {list(g.start)}, more than "
                       f"{sync_tolerance} apart")
        served.add(v)
    dropped_ids = set(dropped.visit)
    if served & dropped_ids:
        bad.append(f"served and dropped: {sorted(served & dropped_ids)}")
    if served | dropped_ids != set(V.index):
        bad.append(f"neither served nor dropped: {sorted(set(V.index) - served - dropped_ids)}")
    travel = km = paid = overtime = 0.0
    non_usual = 0
    for k, g in stops.groupby("staff"):
        st = S.loc[k]
        g = g.sort_values("order")
        if list(g.order) != list(range(len(g))):
            bad.append(f"{k}: orders {list(g.order)}")
        T, D = day.time[st["mode"]], day.km.get(st["mode"])
        bk = breaks[breaks.staff == k].sort_values("start")
        want = day.breaks[day.breaks.staff == k]
        if len(bk) != len(want):
            bad.append(f"{k}: {len(bk)} breaks, the table gives {len(want)}")
        for (_, b), (_, w) in zip(bk.iterrows(), want.sort_values("earliest").iterrows(),
                                  strict=False):
            if abs((b.end - b.start) - w.duration) > tol or not (
                    w.earliest - tol <= b.start <= w.latest + tol):
                bad.append(f"{k}: break {b.start}-{b.end} outside {w.to_dict()}")
        place, t = st.start, float(st.shift_start)
        for j, row in enumerate(g.itertuples()):
            for b in bk[bk.after == j].itertuples():  # break before the j-th task
                if b.start < t - tol:
                    bad.append(f"{k}: break at {b.start} before free at {t}")
                t = b.end
            vis = V.loc[row.visit]
            leg = float(T.loc[place, vis.place])
            if abs(row.arrival - (t + leg)) > tol:
                bad.append(f"{k} {row.visit}: arrival {row.arrival}, expected {t} + {leg}")
            travel += leg
            km += float(D.loc[place, vis.place]) if D is not None else 0.0
            if row.start < row.arrival - tol:
                bad.append(f"{k} {row.visit}: starts {row.start} before arrival")
            if not (vis.earliest - tol <= row.start <= vis.latest + tol):
                bad.append(f"{k} {row.visit}: start {row.start} outside window "
                           f"[{vis.earliest}, {vis.latest}]")
            if abs(row.end - row.start - vis.duration) > tol:
                bad.append(f"{k} {row.visit}: lasts {row.end - row.start}, not {vis.duration}")
            if vis.skill and vis.skill not in st.skills:
                bad.append(f"{k} {row.visit}: lacks skill {vis.skill}")
            if k in vis.excluded:
                bad.append(f"{k} {row.visit}: refused by the client")
            if vis.usual or vis.contact:
                non_usual += k not in vis.usual and k != vis.contact
            place, t = vis.place, row.end
        for b in bk[bk.after >= len(g)].itertuples():
            if b.start < t - tol:
                bad.append(f"{k}: last break at {b.start} before free at {t}")
            t = b.end
        leg = float(T.loc[place, st.end])
        travel += leg
        km += float(D.loc[place, st.end]) if D is not None else 0.0
        back = t + leg
        if back > st.shift_end + tol:
            bad.append(f"{k}: back at {back}, shift ends {st.shift_end}")
        paid += back - st.shift_start - float(want.duration.sum())
        overtime += max(0.0, back - st.shift_end)
    # staff are one person per row; a split shift's two rows are two routes
    return Checked(bad, travel, km, paid, overtime, stops.staff.nunique(), non_usual, served)


class _Fast:
    """The day as plain dicts and lists, for the many feasibility checks of false_drops."""

    def __init__(self, day: Day):
        labels = list(day.places.place)
        at = {p: i for i, p in enumerate(labels)}
        self.T = {m: t.loc[labels, labels].to_numpy().tolist() for m, t in day.time.items()}
        self.vis = {r.visit: (at[r.place], float(r.earliest), float(r.latest),
                              float(r.duration)) for r in day.visits.itertuples()}
        self.st = {r.staff: (r.mode, at[r.start], at[r.end], float(r.shift_start),
                             float(r.shift_end)) for r in day.staff.itertuples()}
        self.br = {k: [(float(b.duration), float(b.earliest), float(b.latest))
                       for b in g.sort_values("earliest").itertuples()]
                   for k, g in day.breaks.groupby("staff")}


def _route_ok(f: _Fast, k: str, seq: list[str], tol: float = 1e-6) -> bool:
    """Can staff ``k`` serve the single-staff visits ``seq`` in this order, its breaks (in
    order) each starting in its window, and be back by the shift's end?

    Exact for the break positions: a dynamic programme over (visits done, breaks taken)
    keeps the earliest time free; every rule is an upper bound on a time, so earlier is
    never worse."""
    mode, start, end, s0, s1 = f.st[k]
    T, bl = f.T[mode], f.br.get(k, [])
    inf = math.inf
    B = len(bl)
    # cur[i] = (earliest time free, place) after the visits so far, with i breaks taken
    cur = [(s0, start)] + [(inf, start)] * B
    for j in range(len(seq) + 1):
        for i in range(B):  # take break i here
            t, pl = cur[i]
            d, e, lat = bl[i]
            s = max(t, e)
            if s <= lat + tol and s + d < cur[i + 1][0]:
                cur[i + 1] = (s + d, pl)
        if j == len(seq):
            break
        loc, e, lat, d = f.vis[seq[j]]
        nxt = []
        for t, pl in cur:
            s = max(t + T[pl][loc], e) if t < inf else inf
            nxt.append((s + d, loc) if s <= lat + tol else (inf, loc))
        cur = nxt
    t, pl = cur[B]
    return t < inf and t + T[pl][end] <= s1 + tol


def false_drops(day: Day, stops: pd.DataFrame, dropped: pd.DataFrame) -> list[str]:
    """Dropped visits whose reason is not true of the plan: a visit dropped as unreachable
    that some qualified, permitted staff member could serve alone; one dropped for lack of
    capacity (single-staffed) that fits into some staff member's route as it is; a missing
    skill some staff has; all staff excluded when one qualified staff member is not."""
    f = _Fast(day)
    V = day.visits.set_index("visit")
    S = day.staff.set_index("staff")
    routes = {k: list(g.sort_values("order").visit) for k, g in stops.groupby("staff")}
    out = []
    for row in dropped.itertuples():
        vis = V.loc[row.visit]
        qual = [k for k in S.index if not vis.skill or vis.skill in S.skills[k]]
        ok = [k for k in qual if k not in vis.excluded]
        if row.reason == "skill_missing" and qual:
            out.append(f"{row.visit}: skill_missing, but {qual[0]} has {vis.skill}")
        elif row.reason == "all_staff_excluded" and ok:
            out.append(f"{row.visit}: all_staff_excluded, but {ok[0]} is not")
        elif row.reason in ("unreachable", "no_second_staff"):
            reach = [k for k in ok if _route_ok(f, k, [row.visit])]
            if len(reach) >= int(vis.staffing):
                out.append(f"{row.visit}: {row.reason}, but {reach[:2]} can serve it alone")
        elif row.reason == "no_capacity" and int(vis.staffing) == 1:
            for k in ok:
                r = [v for v in routes.get(k, []) if int(V.staffing[v]) == 1]
                if len(r) < len(routes.get(k, [])):
                    continue  # a route with a double visit: its partner's times are fixed
                # a staff member with no route costs its carer cost: still below a drop
                fits = [p for p in range(len(r) + 1)
                        if _route_ok(f, k, [*r[:p], row.visit, *r[p:]])]
                if fits:
                    out.append(f"{row.visit}: no_capacity, but it fits on {k}'s route at "
                               f"position {fits[0]}")
                    break
    return out
