"""Seeded generator of realistic synthetic municipalities.

A municipality is a set of settlements (a town core of multi-storey buildings with several
stairwells each, suburbs of row houses and detached houses, villages) plus scattered rural
hamlets and farms. Clients are drawn among the dwellings, more often in flats, with granted
hours from a skewed distribution (many with a few hours a week, a few with many). Providers get
market shares, clients rank providers by a seeded random-utility model
(:class:`hemopt.choice.ChoiceModel`) and their current provider is their first choice, or the
municipality for clients who do not choose.

Every figure and its source or rationale is in ``docs/parameters.md``. The same preset, seed
and arguments give the same scenario, bit for bit.

Examples
--------
>>> from hemopt.synth import generate
>>> sc = generate("strangnas", seed=1, scale=0.05)
>>> sc.n_clients, sc.n_providers
(57, 8)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity

from hemopt.choice import ChoiceModel
from hemopt.errors import InputError, ScenarioError
from hemopt.scenario import CRS, Scenario

__all__ = [
    "PRESETS",
    "Preset",
    "ProviderSpec",
    "SettlementSpec",
    "ZoneSpec",
    "generate",
    "get_preset",
]


@dataclass(frozen=True)
class SettlementSpec:
    """A town or village: centre (SWEREF 99 TM metres), inhabitants, radius, housing mix.

    ``flats_share`` and ``row_share`` are shares of *inhabitants* living in multi-storey
    buildings and row houses; the rest live in detached houses.
    """

    name: str
    x_m: float
    y_m: float
    population: int
    radius_m: float
    flats_share: float
    row_share: float
    max_floors: int = 6


@dataclass(frozen=True)
class ProviderSpec:
    """A provider: id, name, kind, target market share (of clients), zones served, and the
    settlement where its office lies (``None``: the largest settlement of its zones)."""

    provider_id: str
    name: str
    kind: str
    share: float
    zones: tuple[str, ...] = ()
    office_in: str | None = None


@dataclass(frozen=True)
class ZoneSpec:
    """A zone (LOU area or zoning area): id, name and a seed point; zones are the Voronoi
    cells of their seed points, clipped to the municipality."""

    zone_id: str
    name: str
    x_m: float
    y_m: float


@dataclass(frozen=True)
class Preset:
    """Everything that shapes a synthetic municipality. See ``docs/parameters.md``."""

    name: str
    code: str
    population: int
    pop_65plus: int
    area_km2: float
    settlements: tuple[SettlementSpec, ...]
    providers: tuple[ProviderSpec, ...]
    zones: tuple[ZoneSpec, ...] = ()
    #: share of people aged 65+ with home care in ordinary housing (Socialstyrelsen ~11.5 %)
    home_care_share_65plus: float = 0.115
    #: share of home-care clients younger than 65
    under65_share: float = 0.06
    #: median granted hours per month, and the share above 80 hours a month (12 %)
    hours_median_per_month: float = 15.0
    hours_share_above_80_per_month: float = 0.12
    hours_min_per_month: float = 2.0
    hours_max_per_month: float = 400.0
    #: relative chance that a dwelling of each kind houses a client
    client_weight: tuple[tuple[str, float], ...] = (
        ("multi_storey", 1.4), ("row_house", 0.8), ("detached", 1.0), ("farm", 1.0),
    )
    #: persons per dwelling by kind
    persons_per_dwelling: tuple[tuple[str, float], ...] = (
        ("multi_storey", 1.8), ("row_house", 2.3), ("detached", 2.5), ("farm", 2.4),
    )
    #: share of rural dwellings that are isolated farms (rest: hamlets of 3–12 houses)
    rural_isolated_share: float = 0.4
    #: share of clients who do not choose a provider (the default provider serves them)
    non_chooser_share: float = 0.25
    #: share of choosing clients whose current provider differs from their first choice
    current_mismatch_share: float = 0.05
    choice: ChoiceModel = field(default_factory=ChoiceModel)
    #: the municipal provider has a local base (home-care group) in every settlement of at
    #: least this many inhabitants that lies this far from its other bases
    municipal_base_min_population: int = 2500
    municipal_base_min_distance_m: float = 3000.0

    @property
    def rural_population(self) -> int:
        return self.population - sum(s.population for s in self.settlements)

    @property
    def expected_clients(self) -> float:
        return self.pop_65plus * self.home_care_share_65plus / (1.0 - self.under65_share)


def _r(area_ha: float) -> float:
    return math.sqrt(area_ha * 1e4 / math.pi)


# Strängnäs: tätort (urban area) centroids and populations are SCB's tätorter 2020; the
# housing mixes are assumptions (docs/parameters.md).
_STRANGNAS = Preset(
    name="strangnas",
    code="0486",
    population=39_391,
    pop_65plus=9_299,
    area_km2=731.0,
    settlements=(
        SettlementSpec("Strängnäs", 615_604, 6_581_844, 14_803, _r(831), 0.55, 0.15, 7),
        SettlementSpec("Mariefred", 626_572, 6_571_605, 4_206, _r(284), 0.35, 0.15, 4),
        SettlementSpec("Abborrberget", 615_944, 6_585_059, 3_039, _r(177), 0.2, 0.25, 4),
        SettlementSpec("Åkers styckebruk", 620_218, 6_571_055, 3_000, _r(293), 0.3, 0.15, 4),
        SettlementSpec("Stallarholmen", 624_972, 6_582_456, 1_864, _r(219), 0.15, 0.15, 3),
        SettlementSpec("Marielund", 624_239, 6_569_875, 1_150, _r(53), 0.05, 0.1, 3),
        SettlementSpec("Härad", 607_696, 6_582_143, 556, _r(86), 0.05, 0.05, 3),
        SettlementSpec("Merlänna", 613_131, 6_573_340, 393, _r(52), 0.0, 0.05, 3),
        SettlementSpec("Sanda", 612_596, 6_588_745, 289, _r(96), 0.0, 0.0, 3),
        SettlementSpec("Kalkudden", 630_053, 6_572_008, 285, _r(185), 0.0, 0.0, 3),
        SettlementSpec("Husby och Tuna", 627_586, 6_583_327, 266, _r(161), 0.0, 0.0, 3),
    ),
    # LOV: the municipality plus seven private providers holding 16 % (2014), Zipf-shaped
    providers=(
        ProviderSpec("M", "Strängnäs municipal home care", "municipal", 0.84,
                     office_in="Strängnäs"),
        *(
            ProviderSpec(f"E{k}", f"Private provider {k}", "external",
                         0.16 * (1 / k) / sum(1 / i for i in range(1, 8)))
            for k in range(1, 8)
        ),
    ),
    # illustrative three-area split (the 2022 proposal: two areas procured, one municipal)
    zones=(
        ZoneSpec("north", "North (Strängnäs town)", 614_000, 6_584_000),
        ZoneSpec("east", "East (Stallarholmen)", 627_000, 6_582_000),
        ZoneSpec("south", "South (Mariefred, Åker)", 622_000, 6_570_000),
    ),
)

# Botkyrka: denser, younger, two procurement areas; settlement populations are rounded
# magnitudes (docs/parameters.md), Norra Riksten from SCB tätorter 2020.
_BOTKYRKA = Preset(
    name="botkyrka",
    code="0127",
    population=95_000,
    pop_65plus=13_300,
    area_km2=202.0,
    settlements=(
        SettlementSpec("Alby", 662_343, 6_570_131, 12_000, 900, 0.9, 0.05, 9),
        SettlementSpec("Fittja", 663_158, 6_571_114, 7_800, 700, 0.92, 0.03, 9),
        SettlementSpec("Hallunda-Norsborg", 660_670, 6_570_506, 18_000, 1_200, 0.8, 0.1, 9),
        SettlementSpec("Eriksberg", 663_745, 6_569_411, 3_000, 500, 0.3, 0.3, 4),
        SettlementSpec("Tumba", 661_791, 6_565_648, 23_000, 1_700, 0.55, 0.15, 8),
        SettlementSpec("Tullinge", 665_758, 6_566_488, 17_500, 1_700, 0.15, 0.15, 4),
        SettlementSpec("Vårsta", 660_242, 6_561_680, 4_000, 800, 0.15, 0.2, 4),
        SettlementSpec("Norra Riksten", 666_427, 6_564_209, 2_870, _r(58), 0.1, 0.2, 4),
    ),
    # LOU 2021: four external providers, two per area, capped at 20 % of the care hours;
    # more clients want them than the cap admits (the queue the seed material describes):
    # their first-choice shares are 7.5 % each, 30 % together.
    providers=(
        ProviderSpec("M", "Botkyrka municipal home care", "municipal", 0.70, office_in="Tumba"),
        ProviderSpec("N1", "External north 1", "external", 0.075, ("north",)),
        ProviderSpec("N2", "External north 2", "external", 0.075, ("north",)),
        ProviderSpec("S1", "External south 1", "external", 0.075, ("south",)),
        ProviderSpec("S2", "External south 2", "external", 0.075, ("south",)),
    ),
    zones=(
        ZoneSpec("north", "North (Alby, Fittja, Hallunda-Norsborg)", 662_000, 6_570_500),
        ZoneSpec("south", "South (Tumba, Tullinge, Grödinge)", 663_000, 6_564_500),
    ),
)

#: The built-in presets by name.
PRESETS: dict[str, Preset] = {p.name: p for p in (_STRANGNAS, _BOTKYRKA)}
"""The built-in presets by name: ``"strangnas"`` and ``"botkyrka"`` (see ``docs/parameters.md``).

Each is a frozen :class:`Preset`; change a figure with :func:`dataclasses.replace` and pass
the result to :func:`generate`.

Examples
--------
>>> import dataclasses
>>> import hemopt
>>> sorted(hemopt.PRESETS)
['botkyrka', 'strangnas']
>>> p = hemopt.PRESETS["strangnas"]
>>> p.code, p.population, len(p.settlements)
('0486', 39391, 11)
>>> fewer_choosers = dataclasses.replace(p, non_chooser_share=0.5)
>>> sc = hemopt.generate(fewer_choosers, seed=1, scale=0.05)
>>> sc.summary()["non_choosers_share"] > 0.3
True
"""


def get_preset(name: str) -> Preset:
    """The preset called ``name`` (``"strangnas"`` or ``"botkyrka"``)."""
    key = str(name).lower().replace("ä", "a")
    if key not in PRESETS:
        raise InputError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    return PRESETS[key]


# --------------------------------------------------------------------------------- geometry
def _synthetic_boundary(preset: Preset) -> shapely.Geometry:
    """A smooth irregular polygon around the settlements with the preset's land area.

    Depends only on the preset (not on the seed): the municipality does not move.
    """
    pts = shapely.multipoints([(s.x_m, s.y_m) for s in preset.settlements])
    hull = shapely.convex_hull(pts)
    target = preset.area_km2 * 1e6
    lo, hi = 0.0, math.sqrt(target)
    for _ in range(60):  # bisection on the buffer distance
        mid = (lo + hi) / 2
        if hull.buffer(mid, quad_segs=16).area < target:
            lo = mid
        else:
            hi = mid
    poly = hull.buffer(hi, quad_segs=16)
    # smooth radial wobble with a fixed seed so the shape looks like a municipality
    rng = np.random.default_rng(int(preset.code))
    c = poly.centroid
    xy = shapely.get_coordinates(poly.exterior)[:-1]
    ang = np.arctan2(xy[:, 1] - c.y, xy[:, 0] - c.x)
    wob = np.zeros_like(ang)
    for k in (3, 5, 7):
        wob += rng.uniform(0.02, 0.05) * np.sin(k * ang + rng.uniform(0, 2 * np.pi))
    out = c.x + (xy[:, 0] - c.x) * (1 + wob), c.y + (xy[:, 1] - c.y) * (1 + wob)
    wobbly = shapely.Polygon(np.column_stack(out)).buffer(0)
    # keep every settlement well inside, and restore the target area
    wobbly = shapely.union(wobbly, shapely.buffer(pts, 2500))
    f = math.sqrt(target / wobbly.area)
    return shapely.affinity.scale(wobbly, f, f, origin=c)


def _uniform_in_annulus(rng, n, r0, r1):
    r = np.sqrt(rng.uniform(r0**2, r1**2, n))
    a = rng.uniform(0, 2 * np.pi, n)
    return r * np.cos(a), r * np.sin(a)


def _rect(cx, cy, length, depth, angle):
    """Vectorised oriented rectangles (length along ``angle``)."""
    ca, sa = np.cos(angle), np.sin(angle)
    hx, hy = length / 2, depth / 2
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)):
        corners.append(np.stack([cx + sx * hx * ca - sy * hy * sa,
                                 cy + sx * hx * sa + sy * hy * ca], axis=-1))
    return shapely.polygons(np.stack(corners, axis=1))


@dataclass
class _Housing:
    """Columnar buffers of buildings and stairwells while generating."""

    b_kind: list = field(default_factory=list)
    b_floors: list = field(default_factory=list)
    b_geom: list = field(default_factory=list)
    b_settlement: list = field(default_factory=list)
    s_building: list = field(default_factory=list)  # building number
    s_x: list = field(default_factory=list)
    s_y: list = field(default_factory=list)
    s_dwellings: list = field(default_factory=list)
    n_buildings: int = 0

    def add(self, kind, floors, cx, cy, angle, n_stair, dwell_per_stair, length, depth,
            spacing, settlement):
        nb = len(cx)
        if nb == 0:
            return
        self.b_kind.append(np.full(nb, kind, dtype=object))
        self.b_floors.append(np.asarray(floors, dtype=np.int64))
        self.b_geom.append(_rect(cx, cy, length, depth, angle))
        self.b_settlement.append(np.full(nb, settlement, dtype=object))
        bidx = np.repeat(np.arange(nb), n_stair)
        k = np.concatenate([np.arange(n) for n in n_stair]) if nb else np.array([], int)
        off = (k - (np.asarray(n_stair)[bidx] - 1) / 2) * spacing
        ca, sa = np.cos(angle)[bidx], np.sin(angle)[bidx]
        d = np.broadcast_to(depth, (nb,))[bidx] / 2
        self.s_x.append(cx[bidx] + off * ca + d * sa)
        self.s_y.append(cy[bidx] + off * sa - d * ca)
        self.s_building.append(bidx + self.n_buildings)
        self.s_dwellings.append(np.asarray(dwell_per_stair, dtype=np.int64))
        self.n_buildings += nb


def _cut_to(total: float, sizes: np.ndarray) -> int:
    """How many of ``sizes`` (in order) are needed to reach ``total``."""
    if total <= 0:
        return 0
    cs = np.cumsum(sizes)
    return int(min(np.searchsorted(cs, total) + 1, len(sizes)))


def _settlement_housing(h: _Housing, s: SettlementSpec, cx0: float, cy0: float, pers: dict,
                        rng: np.random.Generator) -> None:
    grid = rng.uniform(0, np.pi / 2)  # street grid orientation
    pop_f = s.population * s.flats_share
    pop_r = s.population * s.row_share
    pop_d = s.population - pop_f - pop_r
    r = s.radius_m

    # multi-storey: 1–5 stairwells, 3..max_floors floors, 2–4 flats per floor and stairwell
    flats = pop_f / pers["multi_storey"]
    if flats > 0:
        n_max = int(flats / 6) + 2
        floors = rng.integers(min(3, s.max_floors), s.max_floors + 1, n_max)
        n_st = rng.choice([1, 2, 3, 4, 5], n_max, p=[0.2, 0.3, 0.3, 0.15, 0.05])
        per_floor = rng.integers(2, 5, n_max)
        size = floors * per_floor * n_st
        nb = _cut_to(flats, size)
        x, y = _uniform_in_annulus(rng, nb, 0, 0.65 * r)
        ang = grid + rng.integers(0, 2, nb) * (np.pi / 2) + rng.normal(0, 0.05, nb)
        dps = np.repeat(floors[:nb] * per_floor[:nb], n_st[:nb])
        h.add("multi_storey", floors[:nb], cx0 + x, cy0 + y, ang, n_st[:nb], dps,
              n_st[:nb] * 16.0, 12.0, 16.0, s.name)
    # row houses: 4–8 units, one entrance each
    units = pop_r / pers["row_house"]
    if units > 0:
        n_max = int(units / 4) + 2
        n_u = rng.integers(4, 9, n_max)
        nb = _cut_to(units, n_u)
        x, y = _uniform_in_annulus(rng, nb, 0.5 * s.flats_share * r, 0.9 * r)
        ang = grid + rng.integers(0, 2, nb) * (np.pi / 2)
        h.add("row_house", np.full(nb, 2), cx0 + x, cy0 + y, ang, n_u[:nb],
              np.ones(int(n_u[:nb].sum()), np.int64), n_u[:nb] * 7.0, 9.0, 7.0, s.name)
    # detached houses
    nd = round(pop_d / pers["detached"])
    if nd > 0:
        x, y = _uniform_in_annulus(rng, nd, 0.6 * s.flats_share * r, 1.0 * r)
        ang = grid + rng.normal(0, 0.1, nd)
        h.add("detached", rng.integers(1, 3, nd), cx0 + x, cy0 + y, ang, np.ones(nd, int),
              np.ones(nd, np.int64), 12.0, 10.0, 0.0, s.name)


def _points_in(area: shapely.Geometry, n: int, rng: np.random.Generator,
               avoid: shapely.Geometry | None = None) -> np.ndarray:
    """``n`` uniform points inside ``area`` (and outside ``avoid``), by rejection."""
    minx, miny, maxx, maxy = area.bounds
    out = np.empty((0, 2))
    shapely.prepare(area)
    if avoid is not None:
        shapely.prepare(avoid)
    for _ in range(100):
        if len(out) >= n:
            break
        k = max(2 * (n - len(out)), 64)
        cand = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        ok = shapely.contains_xy(area, cand[:, 0], cand[:, 1])
        if avoid is not None:
            ok &= ~shapely.contains_xy(avoid, cand[:, 0], cand[:, 1])
        out = np.vstack([out, cand[ok]])
    if len(out) < n:
        raise ScenarioError("could not place rural homes inside the boundary", table="boundary")
    return out[:n]


def _rural_housing(h: _Housing, preset: Preset, pop: float, area: shapely.Geometry,
                   towns: shapely.Geometry, pers: dict, rng: np.random.Generator) -> None:
    dwellings = round(pop / pers["farm"])
    if dwellings <= 0:
        return
    n_iso = round(dwellings * preset.rural_isolated_share)
    n_hamlet_houses = dwellings - n_iso
    sizes = rng.integers(3, 13, n_hamlet_houses // 3 + 1)
    n_h = _cut_to(n_hamlet_houses, sizes)
    sizes = sizes[:n_h]
    if n_h:
        sizes[-1] -= max(int(sizes.sum()) - n_hamlet_houses, 0)
    centres = _points_in(area, n_iso + n_h, rng, avoid=towns)
    iso, ham = centres[:n_iso], centres[n_iso:]
    h.add("farm", np.ones(n_iso, int), iso[:, 0], iso[:, 1], rng.uniform(0, np.pi, n_iso),
          np.ones(n_iso, int), np.ones(n_iso, np.int64), 20.0, 12.0, 0.0, "rural")
    if n_h:
        rep = np.repeat(np.arange(n_h), sizes)
        dx, dy = _uniform_in_annulus(rng, len(rep), 0, 150.0)
        x, y = ham[rep, 0] + dx, ham[rep, 1] + dy
        ok = shapely.contains_xy(area, x, y)
        x, y = np.where(ok, x, ham[rep, 0]), np.where(ok, y, ham[rep, 1])
        nn = len(rep)
        h.add("detached", rng.integers(1, 3, nn), x, y, rng.uniform(0, np.pi, nn),
              np.ones(nn, int), np.ones(nn, np.int64), 12.0, 10.0, 0.0, "rural")


def _zones(preset: Preset, area: shapely.Geometry) -> gpd.GeoDataFrame:
    if not preset.zones:
        return gpd.GeoDataFrame({"zone_id": [], "name": []}, geometry=[], crs=CRS)
    seeds = shapely.multipoints([(z.x_m, z.y_m) for z in preset.zones])
    if len(preset.zones) == 1:
        cells = [area]
    else:
        vor = shapely.voronoi_polygons(seeds, extend_to=area.envelope.buffer(10_000))
        cells = []
        for z in preset.zones:
            p = shapely.Point(z.x_m, z.y_m)
            cell = next(g for g in vor.geoms if g.contains(p))
            cells.append(shapely.intersection(cell, area))
    return gpd.GeoDataFrame(
        {"zone_id": [z.zone_id for z in preset.zones], "name": [z.name for z in preset.zones]},
        geometry=cells, crs=CRS,
    )


def _place_settlements(preset: Preset, area: shapely.Geometry, rng: np.random.Generator,
                       ) -> list[tuple[SettlementSpec, float, float]]:
    """Keep each settlement's centre where it lies inside ``area``; otherwise draw a new one
    inside (a user boundary of another municipality)."""
    out = []
    shapely.prepare(area)
    for s in preset.settlements:
        if shapely.contains_xy(area, s.x_m, s.y_m):
            out.append((s, float(s.x_m), float(s.y_m)))
        else:
            inner = area.buffer(-min(s.radius_m, 2000.0))
            inner = inner if not inner.is_empty else area
            xy = _points_in(inner, 1, rng)[0]
            out.append((s, float(xy[0]), float(xy[1])))
    return out


# --------------------------------------------------------------------------------- clients
def _hours_per_week(preset: Preset, n: int, rng: np.random.Generator) -> np.ndarray:
    """Lognormal monthly hours with the preset's median and share above 80 h/month."""
    from scipy.special import ndtri

    mu = math.log(preset.hours_median_per_month)
    z = -ndtri(preset.hours_share_above_80_per_month)
    sigma = (math.log(80.0) - mu) / z
    month = np.exp(rng.normal(mu, sigma, n))
    month = np.clip(month, preset.hours_min_per_month, preset.hours_max_per_month)
    week = month * 12.0 / 52.0
    return np.round(week * 4.0) / 4.0  # quarter hours


def visits_per_day_from_hours(hours_per_week: np.ndarray) -> np.ndarray:
    """Mean visits per day implied by weekly hours.

    Light clients (under 20 minutes a day on average) get hour-long visits for chores
    (cleaning, shopping: often weekly or fortnightly); the others 30-minute visits, at most
    8 a day (longer visits beyond that). Rounded to 2 decimals.
    """
    h = np.asarray(hours_per_week, dtype=float)
    per_day = h * 60.0 / 7.0
    visit = np.where(per_day < 20.0, 60.0, 30.0)
    v = np.minimum(per_day / visit, 8.0)
    return np.maximum(np.round(v, 2), 0.01)


def generate(
    preset: str | Preset = "strangnas",
    seed: int = 0,
    *,
    boundary: Any = None,
    scale: float = 1.0,
    n_external: int | None = None,
    concentration: float | None = None,
    name: str | None = None,
) -> Scenario:
    """Generate a synthetic municipality.

    Parameters
    ----------
    preset
        ``"strangnas"`` (LOV, eight providers), ``"botkyrka"`` (LOU, two areas, five
        providers) or a :class:`Preset`.
    seed
        Seed of every random draw; same arguments, same scenario, bit for bit.
    boundary
        Optional municipality boundary (GeoDataFrame/GeoSeries in any CRS, or a shapely
        polygon in EPSG:3006). Settlements whose centre lies inside keep it; the others are
        placed at random inside. Default: a synthetic boundary of the preset's land area.
    scale
        Multiply every population (and so the clients) by this factor, for quick tests.
    n_external
        Replace the preset's external providers by this many, with Zipf-shaped shares of the
        same external total (LOV presets only: providers without zones).
    concentration
        Zipf exponent of those shares (share of the k-th external ∝ k^-concentration; default
        1.0; 0 gives equal shares, larger values concentrate the market on a few providers).
    name
        Scenario name (default: the preset name and seed).

    Returns
    -------
    Scenario

    Examples
    --------
    >>> import hemopt
    >>> sc = hemopt.generate("botkyrka", seed=1, scale=0.1)
    >>> sc.name, len(sc.zones), sc.n_providers
    ('botkyrka-seed1', 2, 5)
    >>> hemopt.generate("botkyrka", seed=1, scale=0.1) == sc       # same arguments, same data
    True

    Strängnäs with three private providers instead of seven (same external total):

    >>> hemopt.generate("strangnas", seed=1, scale=0.05, n_external=3).provider_ids
    ['M', 'E1', 'E2', 'E3']
    """
    p = get_preset(preset) if isinstance(preset, str) else preset
    if not isinstance(p, Preset):
        raise InputError(f"preset must be a name or a Preset, got {type(preset).__name__}")
    if not (isinstance(seed, (int, np.integer)) and seed >= 0):
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    if not (np.isfinite(scale) and 0 < scale <= 10):
        raise InputError(f"scale must be in (0, 10], got {scale!r}")
    if n_external is not None or concentration is not None:
        n_ext = n_external if n_external is not None else sum(
            q.kind == "external" for q in p.providers)
        p = _with_n_external(p, n_ext, 1.0 if concentration is None else concentration)
    rng = np.random.default_rng(seed)

    if boundary is None:
        area = _synthetic_boundary(p)
        bname, bcode = p.name, p.code
    else:
        bd = Scenario._prepare_boundary(boundary, [])
        area = bd.geometry.iloc[0]
        bname, bcode = str(bd["name"].iloc[0]), str(bd["code"].iloc[0])
        if area.is_empty or area.area <= 0:
            raise ScenarioError("boundary has no area", table="boundary")
    area = shapely.make_valid(area)

    pers = dict(p.persons_per_dwelling)
    h = _Housing()
    placed = _place_settlements(p, area, rng)
    for s, x, y in placed:
        s2 = replace(s, population=round(s.population * scale))
        _settlement_housing(h, s2, x, y, pers, rng)
    towns = shapely.union_all([shapely.Point(x, y).buffer(s.radius_m) for s, x, y in placed])
    _rural_housing(h, p, p.rural_population * scale, area, towns, pers, rng)

    b_kind = np.concatenate(h.b_kind)
    b_geom = np.concatenate(h.b_geom)
    n_b = len(b_kind)
    b_ids = np.array([f"b{i:05d}" for i in range(n_b)], dtype=object)
    s_b = np.concatenate(h.s_building)
    s_x, s_y = np.concatenate(h.s_x), np.concatenate(h.s_y)
    # clip entrances that fell outside the boundary onto it (rare: houses at the edge)
    out = ~shapely.contains_xy(area, s_x, s_y)
    if out.any():
        inner = area.buffer(-5.0)
        shapely.prepare(inner)
        snapped = shapely.get_coordinates(
            shapely.shortest_line(shapely.points(s_x[out], s_y[out]), inner))[1::2]
        s_x[out], s_y[out] = snapped[:, 0], snapped[:, 1]
    s_dw = np.concatenate(h.s_dwellings)
    n_s = len(s_b)
    s_ids = np.array([f"s{i:06d}" for i in range(n_s)], dtype=object)
    buildings = gpd.GeoDataFrame(
        {"building_id": b_ids, "kind": b_kind, "floors": np.concatenate(h.b_floors),
         "settlement": np.concatenate(h.b_settlement)},
        geometry=b_geom, crs=CRS,
    )
    stairwells = gpd.GeoDataFrame(
        {"stairwell_id": s_ids, "building_id": b_ids[s_b], "dwellings": s_dw},
        geometry=shapely.points(s_x, s_y), crs=CRS,
    )

    # clients: dwellings drawn without replacement, weighted by kind
    weight = dict(p.client_weight)
    dw_stair = np.repeat(np.arange(n_s), s_dw)
    w = np.array([weight.get(k, 1.0) for k in b_kind])[s_b][dw_stair]
    n_clients = round(p.expected_clients * scale)
    n_clients = min(n_clients, len(dw_stair))
    pick = rng.choice(len(dw_stair), size=n_clients, replace=False, p=w / w.sum())
    stair = np.sort(dw_stair[pick])  # ordered by stairwell: ids follow geography
    hours = _hours_per_week(p, n_clients, rng)
    c_xy = np.column_stack([s_x[stair], s_y[stair]])

    zones = _zones(p, area)
    providers = _providers(p, placed, zones, rng)
    ranking, current = _choices(p, c_xy, providers, zones, rng)
    pid = list(providers["provider_id"])
    clients = gpd.GeoDataFrame(
        {
            "client_id": np.array([f"c{i:05d}" for i in range(n_clients)], dtype=object),
            "stairwell_id": s_ids[stair],
            "building_id": b_ids[s_b[stair]],
            "hours_per_week": hours,
            "visits_per_day": visits_per_day_from_hours(hours),
            "ranking": [tuple(pid[j] for j in row if j >= 0) for row in ranking],
            "current_provider": np.array([pid[j] for j in current], dtype=object),
        },
        geometry=shapely.points(c_xy), crs=CRS,
    )
    meta = {
        "preset": p.name, "seed": int(seed), "scale": float(scale),
        "inhabitants": round(p.population * scale),
        "inhabitants_65plus": round(p.pop_65plus * scale),
        "generator": "hemopt.synth/1",
    }
    if n_external is not None:
        meta["n_external"] = int(n_external)
    if concentration is not None:
        meta["concentration"] = float(concentration)
    bd = gpd.GeoDataFrame({"name": [bname], "code": [bcode]}, geometry=[area], crs=CRS)
    bases = _municipal_bases(p, placed, providers, rng)
    return Scenario(
        clients, providers, stairwells=stairwells, buildings=buildings, zones=zones,
        boundary=bd, bases=bases, name=name or f"{p.name}-seed{seed}", meta=meta,
    )


def _municipal_bases(p: Preset, placed, providers: gpd.GeoDataFrame,
                     rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Local bases of the municipal provider in the larger settlements (see Preset)."""
    kinds = list(providers["kind"])
    ids, pids, xs, ys = [], [], [], []
    if "municipal" in kinds:
        j = kinds.index("municipal")
        pid = providers["provider_id"].iloc[j]
        office = providers.geometry.iloc[j]
        have = [(office.x, office.y)]
        for s, x, y in sorted(placed, key=lambda t: -t[0].population):
            if s.population < p.municipal_base_min_population:
                break
            if min(math.hypot(x - a, y - b) for a, b in have) < p.municipal_base_min_distance_m:
                continue
            dx, dy = _uniform_in_annulus(rng, 1, 0, 0.3 * s.radius_m)
            bx, by = x + float(dx[0]), y + float(dy[0])
            have.append((bx, by))
            ids.append(f"{pid}-{len(ids) + 1}")
            pids.append(pid)
            xs.append(bx)
            ys.append(by)
    return gpd.GeoDataFrame({"base_id": ids, "provider_id": pids},
                            geometry=shapely.points(xs, ys) if xs else [], crs=CRS)


def _with_n_external(p: Preset, n: int, concentration: float = 1.0) -> Preset:
    if not (isinstance(n, (int, np.integer)) and 0 <= n <= 50):
        raise InputError(f"n_external must be a whole number in [0, 50], got {n!r}")
    if not (isinstance(concentration, (int, float)) and 0 <= concentration <= 10):
        raise InputError(f"concentration must be a number in [0, 10], got {concentration!r}")
    ext = [q for q in p.providers if q.kind == "external"]
    if any(q.zones for q in ext):
        raise InputError(f"n_external applies to LOV presets; preset {p.name!r} has zoned "
                         "external providers")
    muni = [q for q in p.providers if q.kind != "external"]
    total = sum(q.share for q in ext)
    if n == 0:
        muni = [replace(muni[0], share=muni[0].share + total), *muni[1:]]
        return replace(p, providers=tuple(muni))
    w = [k ** -float(concentration) for k in range(1, n + 1)]
    new = [ProviderSpec(f"E{k}", f"Private provider {k}", "external", total * w[k - 1] / sum(w))
           for k in range(1, n + 1)]
    return replace(p, providers=(*muni, *new))


def _zone_of(xy: np.ndarray, zones: gpd.GeoDataFrame) -> np.ndarray:
    """Zone index of each point (-1 if none; the first zone wins on a shared border)."""
    out = np.full(len(xy), -1, dtype=np.int64)
    for k, g in enumerate(zones.geometry.values):
        inside = shapely.intersects_xy(g, xy[:, 0], xy[:, 1]) & (out < 0)
        out[inside] = k
    return out


def _providers(p: Preset, placed, zones: gpd.GeoDataFrame,
               rng: np.random.Generator) -> gpd.GeoDataFrame:
    by_name = {s.name: (s, x, y) for s, x, y in placed}
    zone_geom = dict(zip(zones["zone_id"], zones.geometry.values, strict=True))
    xs, ys = [], []
    for q in p.providers:
        if q.office_in is not None:
            s, x, y = by_name[q.office_in]
        else:
            cands = [(s, x, y) for s, x, y in placed
                     if not q.zones or any(zone_geom[z].contains(shapely.Point(x, y))
                                           for z in q.zones)]
            if not cands:
                cands = list(placed)
            pops = np.array([s.population for s, _, _ in cands], dtype=float)
            s, x, y = cands[int(rng.choice(len(cands), p=pops / pops.sum()))]
        dx, dy = _uniform_in_annulus(rng, 1, 0, 0.4 * s.radius_m)
        xs.append(x + float(dx[0]))
        ys.append(y + float(dy[0]))
    return gpd.GeoDataFrame(
        {
            "provider_id": [q.provider_id for q in p.providers],
            "name": [q.name for q in p.providers],
            "kind": [q.kind for q in p.providers],
            "capacity_clients": np.full(len(p.providers), math.inf),
            "capacity_hours": np.full(len(p.providers), math.inf),
            "zones": [q.zones for q in p.providers],
            "market_share": [q.share for q in p.providers],
        },
        geometry=shapely.points(xs, ys), crs=CRS,
    )


def _choices(p: Preset, c_xy: np.ndarray, providers: gpd.GeoDataFrame,
             zones: gpd.GeoDataFrame, rng: np.random.Generator):
    """Rankings (provider indices, -1 padded) and current provider index per client."""
    n, m = len(c_xy), len(providers)
    kinds = providers["kind"].to_numpy()
    default = int(np.flatnonzero(kinds == "municipal")[0]) if (kinds == "municipal").any() else 0
    share = np.array([q.share for q in p.providers], dtype=float)
    share = share / share.sum()
    zid = _zone_of(c_xy, zones) if len(zones) else np.full(n, -1)
    zone_ids = list(zones["zone_id"])
    allowed = np.ones((n, m), dtype=bool)
    for j, pz in enumerate(providers["zones"]):
        if pz:
            ok = np.isin(zid, [zone_ids.index(z) for z in pz])
            allowed[:, j] = ok
    chooser = rng.random(n) >= p.non_chooser_share
    # target shares among choosers so that the overall shares match the preset
    ns = p.non_chooser_share
    target = share * 1.0
    target[default] = max(share[default] - ns, 0.0)
    target = target / target.sum()
    model = p.choice
    u = model.systematic_utility(c_xy, shapely.get_coordinates(providers.geometry.values))
    if chooser.any():
        asc = model.calibrate_asc(u[chooser], target, allowed=allowed[chooser])
    else:
        asc = np.zeros(m)
    ranking = model.rank(u + asc[None, :], rng, allowed=allowed)
    ranking[~chooser] = -1
    current = np.where(chooser, ranking[:, 0], default)
    # a few choosers are still with another provider (they would like to switch)
    mism = chooser & (rng.random(n) < p.current_mismatch_share)
    alt = rng.choice(m, size=n, p=share)
    ok = mism & allowed[np.arange(n), alt] & (alt != current)
    current = np.where(ok, alt, current)
    return ranking, current
