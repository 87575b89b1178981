"""Seeded synthetic municipalities on real public geography.

A scenario is built from SCB's public files (:mod:`hemopt.geo`): the municipality's land
boundary and its DeSO areas with their age bands, households by tenure and share of flats.

1. **Land.** The DeSO polygons (which include lakes) are clipped to the land boundary; the
   scenario's boundary is the union of the clipped areas.
2. **Clients per DeSO** come from its age bands and the home-care coverage by age: the
   municipality's share of people aged 80+ with home care in ordinary housing (Kolada
   N21704), a rate for 65–79 in the national proportion to the 80+ rate, and a rate for the
   under-65s. Each DeSO gets its expected count rounded up or down at random (seeded), so
   the clients follow the people who need care.
3. **Housing inside each DeSO** from its own figures: as many dwellings as households;
   the share in flats in multi-storey buildings with several stairwells (taller where the
   area is denser), tenant-owned and rented small houses as row houses, owner-occupied as
   detached houses; in rural DeSO areas (code letter ``A``) a village around each tätort
   and scattered farms and hamlets elsewhere.
4. **Clients into dwellings** of their DeSO area, flats more often than houses, so that
   stairwell sharing follows the housing.
5. **Areas** (the ``zones`` table) are unions of DeSO areas listed in the preset;
   **providers** have an office at the commercial centre of a place (its densest DeSO area),
   declared service areas (``zones``), and market shares; the municipality has a local base
   in every area that does not hold its office. Clients rank providers with the seeded
   random-utility model :class:`hemopt.choice.ChoiceModel`; non-choosers go to the municipal
   default.

The presets ``strangnas`` and ``botkyrka`` use this path with the public files shipped in
``hemopt/data`` (see its ``README.md``); :func:`from_public_data` does the same for any
Swedish municipality. Every figure and its source or rationale is in ``docs/parameters.md``
and ``docs/geography.md``. The same preset, seed and arguments give the same scenario, bit
for bit.

Examples
--------
>>> from hemopt.synth import generate
>>> sc = generate("strangnas", seed=1, scale=0.1)
>>> sc.n_clients, sc.n_providers, len(sc.zones)
(48, 8, 3)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import nearest_points

from hemopt.areas import serves_matrix, zone_index
from hemopt.choice import ChoiceModel
from hemopt.errors import InputError, ScenarioError
from hemopt.geo import clip_to_land, read_boundary, read_deso, read_tatorter
from hemopt.regions import design_areas
from hemopt.scenario import CRS, Scenario

__all__ = [
    "GENERIC",
    "PATTERN_TASKS",
    "PRESETS",
    "AreaSpec",
    "Preset",
    "ProviderSpec",
    "PublicData",
    "care_needs",
    "from_public_data",
    "generate",
    "get_preset",
    "preset_deso",
    "read_areas",
    "validation",
    "visit_patterns",
    "visits_per_day_from_hours",
    "with_n_external",
]

#: Double staffing (two staff at once: a lift, a two-person transfer) falls on the heaviest
#: clients: those in the top :data:`DOUBLE_STAFF_TOP` by granted hours are double-staffed with
#: probability :data:`DOUBLE_STAFF_RATE`. The heaviest tenth hold about 40 % of the visits, so
#: about 4–5 % of the visits are double-staffed (Strängnäs seeds 1–8: 3.1–7.1 %, mean 4.7 %):
#: one real Swedish home-care day had 14 of 336 (4.2 %, issue 18; see docs/scenario.md).
DOUBLE_STAFF_TOP = 0.10
DOUBLE_STAFF_RATE = 0.12
#: Share of clients with daily visits whose visits include a delegated health-care task
#: (insulin, wound care, eye drops) that only licensed staff may do. An assumption (no
#: published Swedish rate found; see docs/scenario.md).
DELEGATED_RATE = 0.15
#: The skill a delegated health-care task needs (``clients.skill``).
DELEGATED = "delegated"
#: Share of each provider's staff holding a delegation for health-care tasks
#: (``providers.licensed_share``). An assumption: see docs/scenario.md.
LICENSED_SHARE = 0.5


def care_needs(hours_per_week: Any, visits_per_day: Any, seed: int) -> pd.DataFrame:
    """Draw each client's staffing (1 or 2 staff) and required skill (``""`` or
    ``"delegated"``).

    A client among the heaviest :data:`DOUBLE_STAFF_TOP` by hours is double-staffed with
    probability :data:`DOUBLE_STAFF_RATE`; a client visited daily needs a delegated
    health-care task with probability :data:`DELEGATED_RATE`. The draws use their own random
    stream (from ``seed``), so they leave every other draw of the generator unchanged.

    Parameters
    ----------
    hours_per_week, visits_per_day
        One value per client.
    seed
        Seed of the draw.

    Returns
    -------
    pandas.DataFrame
        ``staff_per_visit`` (int, 1 or 2) and ``skill`` (str), one row per client.

    Examples
    --------
    >>> import numpy as np
    >>> from hemopt.synth import care_needs
    >>> hours = np.linspace(1, 40, 1000)
    >>> needs = care_needs(hours, np.full(1000, 2.0), seed=0)
    >>> bool(needs.loc[hours < np.quantile(hours, 0.9), "staff_per_visit"].eq(1).all())
    True
    >>> 0.13 < float((needs["skill"] == "delegated").mean()) < 0.18
    True
    """
    h = np.asarray(hours_per_week, dtype=float)
    v = np.asarray(visits_per_day, dtype=float)
    rng = np.random.default_rng([int(seed), 18])
    n = len(h)
    u_double, u_skill = rng.random(n), rng.random(n)
    heavy = np.zeros(n, dtype=bool)
    if n:
        k = max(1, round(DOUBLE_STAFF_TOP * n))
        heavy[np.argsort(-h, kind="stable")[:k]] = True
    double = heavy & (u_double < DOUBLE_STAFF_RATE)
    skill = (v >= 1) & (u_skill < DELEGATED_RATE)
    return pd.DataFrame({
        "staff_per_visit": np.where(double, 2, 1).astype(np.int64),
        "skill": np.where(skill, DELEGATED, "").astype(object),
    })


@dataclass(frozen=True)
class AreaSpec:
    """A geographic area of the municipality: a LOU procurement area or a zoning area.

    Parameters
    ----------
    zone_id, name
        Id and name of the area (the scenario's ``zones`` table).
    codes
        The DeSO areas it holds: DeSO codes, RegSO codes, or any prefix of DeSO codes.
    procured
        Whether the area is procured from an external provider (written to the ``zones``
        table as the column ``procured``; Strängnäs 2024: areas 1 and 2).
    lot
        The procurement lot the area is tendered in (the ``zones`` column ``lot``): areas
        with the same non-empty lot are awarded to one winner (Strängnäs 2024: areas 1 and
        2 together); ``""`` (default) tenders the area on its own.

    Examples
    --------
    >>> from hemopt.synth import AreaSpec
    >>> AreaSpec("north", "North", ("0127R001", "0127R005")).codes
    ('0127R001', '0127R005')
    """

    zone_id: str
    name: str
    codes: tuple[str, ...]
    procured: bool = False
    lot: str = ""


@dataclass(frozen=True)
class ProviderSpec:
    """A provider: id, name, kind, target market share (of clients), the areas it serves and
    where its office is.

    ``zones`` are the service areas (LOV: the areas the provider declared; LOU: the areas it is
    contracted for); empty means the whole municipality. ``office`` is ``"deso:<code>"``,
    ``"regso:<code>"`` or ``"zone:<zone_id>"`` (the office is in the densest DeSO area of that
    RegSO or area, its commercial centre), or ``""``: the centre of its first area, the
    municipal centre for the municipality, the centres of the most populous RegSO areas in
    turn for external providers serving everywhere.

    Examples
    --------
    >>> from hemopt.synth import ProviderSpec
    >>> ProviderSpec("N1", "External north 1", "external", 0.075, ("north",),
    ...              office="regso:0127R002").office
    'regso:0127R002'
    """

    provider_id: str
    name: str
    kind: str
    share: float
    zones: tuple[str, ...] = ()
    office: str = ""


@dataclass(frozen=True)
class PublicData:
    """The public files a preset is built from: file names in the package's ``hemopt/data``.

    Examples
    --------
    >>> from hemopt.synth import PRESETS
    >>> PRESETS["botkyrka"].data.deso
    'deso2025_botkyrka_0127.geojson'
    """

    deso: str
    boundary: str
    tatorter: str | None = None


_MUNICIPAL = (
    ProviderSpec("M", "Municipal home care", "municipal", 0.84),
    *(ProviderSpec(f"E{k}", f"Private provider {k}", "external",
                   0.16 * (1 / k) / sum(1 / i for i in range(1, 8))) for k in range(1, 8)),
)


@dataclass(frozen=True)
class Preset:
    """Everything that shapes a synthetic municipality. See ``docs/parameters.md``.

    Change a figure with :func:`dataclasses.replace` and pass the result to :func:`generate`
    or :func:`from_public_data`.

    Examples
    --------
    >>> from hemopt.synth import PRESETS
    >>> p = PRESETS["strangnas"]
    >>> p.coverage_80, round(p.rate_65_79, 4), p.non_chooser_share
    (0.1226, 0.0184, 0.58)
    >>> [a.zone_id for a in p.areas], [a.procured for a in p.areas]
    (['area1', 'area2', 'area3'], [True, True, False])
    """

    name: str
    code: str
    #: share of people aged 80+ with home care in ordinary housing (Kolada N21704)
    coverage_80: float
    #: share of people aged 65–79 with home care; ``None``: ``ratio_65_79`` × ``coverage_80``
    coverage_65_79: float | None = None
    #: national ratio of the 65–79 rate to the 80+ rate (Socialstyrelsen 2012: 9 % of 65+
    #: and 23 % of 80+ had home care, so about 3.5 % of 65–79)
    ratio_65_79: float = 0.15
    #: share of people aged 0–64 with home care (Stockholm 2017: 21 per 10,000 aged 0–64)
    rate_under65: float = 0.0021
    #: the shipped public files (``None`` for :func:`from_public_data`)
    data: PublicData | None = None
    #: the areas (zones): LOU procurement areas, zoning areas
    areas: tuple[AreaSpec, ...] = ()
    providers: tuple[ProviderSpec, ...] = _MUNICIPAL
    #: ``"lov"`` (free choice, providers may be replaced with ``n_external``) or ``"lou"``
    regime: str = "lov"
    #: LOV: external providers serve the areas they declared (``False``: everywhere)
    lov_declared_areas: bool = True
    #: place names: (DeSO code or prefix, name), first match wins
    places: tuple[tuple[str, str], ...] = ()
    #: median granted hours per month, and the share above 80 hours a month (12 %)
    hours_median_per_month: float = 15.0
    hours_share_above_80_per_month: float = 0.12
    hours_min_per_month: float = 2.0
    hours_max_per_month: float = 400.0
    #: relative chance that a dwelling of each kind houses a client
    client_weight: tuple[tuple[str, float], ...] = (
        ("multi_storey", 1.4), ("row_house", 0.8), ("detached", 1.0), ("farm", 1.0),
    )
    #: persons per dwelling where a DeSO file has no household counts
    persons_per_dwelling: float = 2.2
    #: share of scattered rural dwellings that are isolated farms (rest: hamlets of 3–12)
    rural_isolated_share: float = 0.4
    #: share of clients who do not choose a provider (the municipal default serves them)
    non_chooser_share: float = 0.10
    #: share of choosing clients whose current provider differs from their first choice
    current_mismatch_share: float = 0.05
    choice: ChoiceModel = field(default_factory=ChoiceModel)

    @property
    def expected_clients(self) -> float:
        """Expected clients at scale 1 from the shipped DeSO data (0 without shipped data)."""
        if self.data is None:
            return 0.0
        return float(preset_deso(self)["expected_clients"].sum())

    @property
    def rate_65_79(self) -> float:
        """Share of people aged 65–79 with home care."""
        if self.coverage_65_79 is not None:
            return float(self.coverage_65_79)
        return float(self.ratio_65_79 * self.coverage_80)


# Strängnäs (0486). Areas: the municipality's three home-care areas of 2024 (strangnas.se,
# 2024-06-20 and 2025-01-29): area 1 Stallarholmen, Selaön, Mariefred, Åkers styckebruk,
# Länna; area 2 Malmby, Aspö, Tosterö and the southern part of central Strängnäs; area 3 the
# rest of central Strängnäs, Härad, Fogdö and Vansö. Areas 1 and 2 were procured (won by one
# company), area 3 stays municipal. The DeSO lists are our reading of those descriptions
# (docs/geography.md).
_STRANGNAS = Preset(
    name="strangnas",
    code="0486",
    coverage_80=0.1226,
    data=PublicData("deso2025_strangnas_0486.geojson", "kommun_0486_0127_sweref99tm.geojson",
                    "tatorter_0486_0127_sweref99tm.geojson"),
    areas=(
        AreaSpec("area1", "Area 1: Mariefred, Åkers styckebruk, Stallarholmen, Selaön, Länna",
                 ("0486B2", "0486B3", "0486B4", "0486A0010", "0486A0040", "0486A0060"),
                 procured=True, lot="areas 1-2"),
        AreaSpec("area2", "Area 2: southern Strängnäs town, Malmby, Aspö, Tosterö",
                 ("0486C1010", "0486C1020", "0486C1030", "0486A0020", "0486A0030",
                  "0486A0080"), procured=True, lot="areas 1-2"),
        AreaSpec("area3", "Area 3: central and northern Strängnäs town, Härad, Fogdö, Vansö",
                 ("0486C1040", "0486C1050", "0486C1060", "0486C1070", "0486C1080",
                  "0486C1091", "0486C1092", "0486A0050", "0486A0070")),
    ),
    # LOV 2012–2025: the municipality and seven private providers holding 16 % of the clients
    # (2014), Zipf-shaped. Service areas: the two largest serve everywhere, the others the
    # area(s) around their office (an assumption, docs/parameters.md).
    providers=(
        ProviderSpec("M", "Strängnäs municipal home care", "municipal", 0.84, office="zone:area3"),
        *(
            ProviderSpec(f"E{k}", f"Private provider {k}", "external",
                         0.16 * (1 / k) / sum(1 / i for i in range(1, 8)), zones, office)
            for k, zones, office in (
                (1, (), "zone:area3"),
                (2, (), "zone:area2"),
                (3, ("area1",), "zone:area1"),
                (4, ("area2", "area3"), "zone:area2"),
                (5, ("area3",), "zone:area3"),
                (6, ("area2",), "zone:area2"),
                (7, ("area1",), "regso:0486R012"),
            )
        ),
    ),
    places=(("0486C", "Strängnäs"), ("0486B2", "Mariefred"), ("0486B3", "Åkers styckebruk"),
            ("0486B4", "Stallarholmen")),
    # "very few ever chose": 16 % private (2014) at the national choosers' rate of choosing
    # a private provider (34 of 90 %) means 42 % chose (docs/parameters.md)
    non_chooser_share=0.58,
)

# Botkyrka (0127): LOU from January 2021, two areas following the municipality's halves
# (RegSO 2025 names from SCB): north = Alby, Eriksberg, Fittja, Hallunda, Norsborg, Slagsta;
# south = the rest (Tumba, Tullinge, Grödinge, Vårsta). Four external providers, two per area.
_BOTKYRKA_NORTH = ("0127R001", "0127R002", "0127R004", "0127R005", "0127R007", "0127R010",
                   "0127R012")
_BOTKYRKA = Preset(
    name="botkyrka",
    code="0127",
    coverage_80=0.1620,
    data=PublicData("deso2025_botkyrka_0127.geojson", "kommun_0486_0127_sweref99tm.geojson",
                    "tatorter_0486_0127_sweref99tm.geojson"),
    areas=(
        AreaSpec("north", "North (Alby, Eriksberg, Fittja, Hallunda-Norsborg, Slagsta)",
                 _BOTKYRKA_NORTH, procured=True),
        AreaSpec("south", "South (Tumba, Tullinge, Grödinge, Vårsta)",
                 ("0127R003", "0127R006", "0127R008", "0127R009", "0127R011", "0127R013",
                  "0127R014", "0127R015", "0127R016", "0127R017", "0127R018", "0127R019",
                  "0127R020"), procured=True),
    ),
    # more clients want the externals (7.5 % each as first choice, 30 % together) than the
    # 20 % cap of 2021 admits: the queue the seed material describes
    providers=(
        ProviderSpec("M", "Botkyrka municipal home care", "municipal", 0.70,
                     office="regso:0127R016"),
        ProviderSpec("N1", "External north 1", "external", 0.075, ("north",),
                     office="regso:0127R002"),
        ProviderSpec("N2", "External north 2", "external", 0.075, ("north",),
                     office="regso:0127R007"),
        ProviderSpec("S1", "External south 1", "external", 0.075, ("south",),
                     office="regso:0127R016"),
        ProviderSpec("S2", "External south 2", "external", 0.075, ("south",),
                     office="regso:0127R009"),
    ),
    regime="lou",
    places=(
        ("0127R001", "Alby"), ("0127R002", "Alby"), ("0127R004", "Eriksberg"),
        ("0127R005", "Fittja"), ("0127R007", "Hallunda-Norsborg"),
        ("0127R010", "Hallunda-Norsborg"), ("0127R012", "Slagsta"),
        ("0127R003", "Tullinge"), ("0127R009", "Tullinge"), ("0127R011", "Tullinge"),
        ("0127R014", "Tullinge"), ("0127R015", "Tullinge"), ("0127R006", "Grödinge"),
        ("0127R020", "Vårsta"), ("0127R0", "Tumba"),
    ),
)

#: The generic preset of :func:`from_public_data`: the municipality and seven private
#: providers with 16 % of the clients serving everywhere (the Strängnäs 2014 market), the
#: national share of non-choosers, no areas.
GENERIC = Preset(name="generic", code="", coverage_80=0.16)

#: The built-in presets by name.
PRESETS: dict[str, Preset] = {p.name: p for p in (_STRANGNAS, _BOTKYRKA)}
"""The built-in presets by name: ``"strangnas"`` and ``"botkyrka"`` (see ``docs/parameters.md``
and ``docs/geography.md``).

Each is a frozen :class:`Preset` built on the municipality's real DeSO areas (shipped in
``hemopt/data``); change a figure with :func:`dataclasses.replace` and pass the result to
:func:`generate`.

Examples
--------
>>> import dataclasses
>>> import hemopt
>>> sorted(hemopt.PRESETS)
['botkyrka', 'strangnas']
>>> p = hemopt.PRESETS["botkyrka"]
>>> p.code, p.coverage_80, [a.zone_id for a in p.areas]
('0127', 0.162, ['north', 'south'])
>>> more_choosers = dataclasses.replace(p, non_chooser_share=0.5)
>>> sc = hemopt.generate(more_choosers, seed=1, scale=0.1)
>>> sc.summary()["non_choosers_share"] > 0.3
True
"""


def get_preset(name: str) -> Preset:
    """The preset called ``name`` (``"strangnas"`` or ``"botkyrka"``).

    Examples
    --------
    >>> from hemopt.synth import get_preset
    >>> get_preset("Strängnäs").code
    '0486'
    """
    key = str(name).lower().replace("ä", "a")
    if key not in PRESETS:
        raise InputError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    return PRESETS[key]


# --------------------------------------------------------------------------------- data
def _data_path(name: str) -> Any:
    return resources.files("hemopt") / "data" / name


@lru_cache(maxsize=8)
def _shipped(data: PublicData, code: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame,
                                                   gpd.GeoDataFrame | None]:
    with resources.as_file(_data_path(data.deso)) as p:
        deso = read_deso(p, code=code)
    with resources.as_file(_data_path(data.boundary)) as p:
        boundary = read_boundary(p, code=code)
    tat = None
    if data.tatorter:
        with resources.as_file(_data_path(data.tatorter)) as p:
            tat = read_tatorter(p)
    return deso, boundary, tat


def preset_deso(preset: str | Preset, boundary: Any = None) -> gpd.GeoDataFrame:
    """The land-clipped DeSO areas of a preset, with the expected clients per area.

    Parameters
    ----------
    preset
        A preset name or a :class:`Preset` with shipped data.
    boundary
        Optional land boundary replacing the shipped one (as in :func:`generate`).

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of :func:`hemopt.geo.read_deso` and :func:`hemopt.geo.clip_to_land`, plus
        ``expected_clients`` (at scale 1) and ``zone_id``.

    Examples
    --------
    >>> from hemopt.synth import preset_deso
    >>> d = preset_deso("strangnas")
    >>> len(d), int(d["pop_80plus"].sum()), round(float(d["expected_clients"].sum()))
    (25, 2801, 526)
    """
    p = get_preset(preset) if isinstance(preset, str) else preset
    if p.data is None:
        raise InputError(f"preset {p.name!r} has no shipped data; use from_public_data")
    deso, bd, _ = _shipped(p.data, p.code)
    if boundary is not None:
        bd = read_boundary(boundary, prefer_code=p.code)
    land = clip_to_land(deso, bd)
    land["expected_clients"] = _expected(land, p).sum(axis=1)
    land["zone_id"] = _zone_index_names(land, p.areas)
    return land


# --------------------------------------------------------------------------------- clients
def _expected(deso: pd.DataFrame, p: Preset) -> np.ndarray:
    """(n_deso, 3) expected clients aged 80+, 65–79 and under 65 (at scale 1)."""
    return np.column_stack([
        p.coverage_80 * deso["pop_80plus"].to_numpy(dtype=float),
        p.rate_65_79 * deso["pop_65_79"].to_numpy(dtype=float),
        p.rate_under65 * deso["pop_0_64"].to_numpy(dtype=float),
    ])


#: Ages drawn within each DeSO age band (SCB's bands; uniform within a band, an assumption):
#: 80+ as 80-99, 65-79, and the under-65s with home care as 20-64.
AGE_BANDS: tuple[tuple[int, int], ...] = ((80, 99), (65, 79), (20, 64))


def client_ages(bands: np.ndarray, deso_codes: np.ndarray, client_deso: np.ndarray,
                seed: int) -> np.ndarray:
    """An age per client: the DeSO's clients in each age band (the rounded expectation per
    band of :func:`_expected`) shuffled among the DeSO's clients, then an age uniform within
    the band (:data:`AGE_BANDS`). Its own seeded stream, so the rest of the scenario does not
    depend on it.

    Examples
    --------
    >>> import numpy as np
    >>> ages = client_ages(np.array([[2, 1, 0]]), np.array(["D1"]),
    ...                    np.array(["D1", "D1", "D1"]), seed=1)
    >>> sorted(int(a >= 80) for a in ages), bool((ages >= 65).all())
    ([0, 1, 1], True)
    """
    rng = np.random.default_rng([int(seed), 6580])
    ages = np.full(len(client_deso), -1, dtype=np.int64)
    for i, code in enumerate(deso_codes):
        idx = np.flatnonzero(client_deso == code)
        if not len(idx):
            continue
        band = np.repeat(np.arange(len(AGE_BANDS)), np.asarray(bands[i], dtype=np.int64))
        band = rng.permutation(band)[: len(idx)]
        if len(band) < len(idx):  # fewer dwellings than drawn: never, but keep every client
            band = np.r_[band, np.zeros(len(idx) - len(band), dtype=np.int64)]
        lo = np.array([AGE_BANDS[b][0] for b in band])
        hi = np.array([AGE_BANDS[b][1] for b in band])
        ages[idx] = rng.integers(lo, hi + 1)
    return ages


def _round_random(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round each value down or up at random so that the expectation is exact."""
    lo = np.floor(x)
    return (lo + (rng.random(x.shape) < (x - lo))).astype(np.int64)


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

    Examples
    --------
    >>> from hemopt.synth import visits_per_day_from_hours
    >>> visits_per_day_from_hours([1.0, 7.0, 70.0]).tolist()
    [0.14, 2.0, 8.0]
    """
    h = np.asarray(hours_per_week, dtype=float)
    per_day = h * 60.0 / 7.0
    visit = np.where(per_day < 20.0, 60.0, 30.0)
    v = np.minimum(per_day / visit, 8.0)
    return np.maximum(np.round(v, 2), 0.01)


#: Weekly tasks of clients with daily care, on a fixed weekday (Monday to Friday), with their
#: minutes and the share of daily-care clients who have them (``docs/continuity.md``):
#: a shower once a week (45 min) and cleaning (60 min a week: the common two hours every
#: other week, as a weekly average). Stated assumptions.
PATTERN_TASKS: tuple[tuple[str, float, float], ...] = (("shower", 45.0, 0.6),
                                                      ("cleaning", 60.0, 0.5))
#: Tasks never take more than this share of a client's weekly minutes.
PATTERN_TASK_MAX_SHARE = 0.5


def visit_patterns(hours_per_week: Any, visits_per_day: Any, seed: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Weekly visit patterns (the ``pattern_days`` and ``pattern_tasks`` columns of
    :data:`hemopt.scenario.PATTERN_COLUMNS`), drawn with their own seed stream so that the
    rest of a generated scenario does not change.

    Clients with daily care (``visits_per_day >= 1``) are visited every day, weekends
    included, and may have weekly tasks (:data:`PATTERN_TASKS`) on distinct weekdays; light
    clients (cleaning, shopping) get ``round(7 × visits_per_day)`` visits a week, 1 to 5, on
    fixed weekdays. Weekends differ from weekdays: tasks and light clients' visits fall on
    Monday to Friday only.

    Examples
    --------
    >>> days, tasks = visit_patterns([1.0, 14.0], [0.14, 2.0], seed=1)
    >>> days[0].count("1"), days[0][5:], days[1]
    (1, '00', '1111111')
    """
    h = np.asarray(hours_per_week, dtype=float)
    v = np.asarray(visits_per_day, dtype=float)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 17]))
    days, tasks = [], []
    for hi, vi in zip(h, v, strict=True):
        if vi >= 1 or hi <= 0:
            days.append("1111111")
            left = PATTERN_TASK_MAX_SHARE * hi * 60.0
            weekdays = rng.permutation(5)
            mine = []
            for k, (name, minutes, share) in enumerate(PATTERN_TASKS):
                if rng.random() < share and minutes <= left and hi > 0:
                    mine.append(f"{name}@{int(weekdays[k])}:{minutes:g}")
                    left -= minutes
            tasks.append(";".join(mine))
        else:
            k = int(np.clip(round(7 * vi), 1, 5))
            on = np.zeros(7, dtype=bool)
            on[rng.choice(5, size=k, replace=False)] = True
            days.append("".join("1" if x else "0" for x in on))
            tasks.append("")
    return np.array(days, dtype=object), np.array(tasks, dtype=object)


# --------------------------------------------------------------------------------- housing
def _rect(cx, cy, length, depth, angle):
    """Vectorised oriented rectangles (length along ``angle``)."""
    ca, sa = np.cos(angle), np.sin(angle)
    hx, hy = np.asarray(length) / 2, np.asarray(depth) / 2
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
    b_deso: list = field(default_factory=list)
    s_building: list = field(default_factory=list)  # building number
    s_x: list = field(default_factory=list)
    s_y: list = field(default_factory=list)
    s_dwellings: list = field(default_factory=list)
    n_buildings: int = 0

    def add(self, kind, floors, cx, cy, angle, n_stair, dwell_per_stair, length, depth,
            spacing, settlement, deso):
        nb = len(cx)
        if nb == 0:
            return
        n_stair = np.asarray(n_stair, dtype=np.int64)
        length = np.broadcast_to(np.asarray(length, dtype=float), (nb,))
        self.b_kind.append(np.full(nb, kind, dtype=object))
        self.b_floors.append(np.asarray(floors, dtype=np.int64))
        self.b_geom.append(_rect(cx, cy, length, depth, angle))
        self.b_settlement.append(np.broadcast_to(np.asarray(settlement, dtype=object), (nb,)))
        self.b_deso.append(np.full(nb, deso, dtype=object))
        bidx = np.repeat(np.arange(nb), n_stair)
        k = np.concatenate([np.arange(n) for n in n_stair])
        off = (k - (n_stair[bidx] - 1) / 2) * spacing
        ca, sa = np.cos(angle)[bidx], np.sin(angle)[bidx]
        d = depth / 2
        self.s_x.append(cx[bidx] + off * ca + d * sa)
        self.s_y.append(cy[bidx] + off * sa - d * ca)
        self.s_building.append(bidx + self.n_buildings)
        self.s_dwellings.append(np.asarray(dwell_per_stair, dtype=np.int64))
        self.n_buildings += nb


def _points_in(area: shapely.Geometry, n: int, rng: np.random.Generator,
               avoid: shapely.Geometry | None = None) -> np.ndarray:
    """``n`` uniform points inside ``area`` (and outside ``avoid``), by rejection."""
    if n <= 0:
        return np.empty((0, 2))
    if area.is_empty or area.area <= 0:
        raise ScenarioError("cannot place homes in an empty area", table="deso",
                            field="geometry")
    minx, miny, maxx, maxy = area.bounds
    accept = max(area.area / max((maxx - minx) * (maxy - miny), 1e-9), 0.02)
    shapely.prepare(area)
    if avoid is not None:
        shapely.prepare(avoid)
    out = np.empty((0, 2))
    for _ in range(200):
        if len(out) >= n:
            break
        k = int(1.3 * (n - len(out)) / accept) + 32
        cand = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        ok = shapely.contains_xy(area, cand[:, 0], cand[:, 1])
        if avoid is not None:
            ok &= ~shapely.contains_xy(avoid, cand[:, 0], cand[:, 1])
        out = np.vstack([out, cand[ok]])
    if len(out) < n:
        if avoid is not None:  # the area is all village: place them anywhere in it
            return np.vstack([out, _points_in(area, n - len(out), rng)])
        raise ScenarioError("could not place homes inside the area", table="deso",
                            field="geometry")
    return out[:n]


def _uniform_in_disc(rng, n, r):
    rr = r * np.sqrt(rng.random(n))
    a = rng.uniform(0, 2 * np.pi, n)
    return rr * np.cos(a), rr * np.sin(a)


def _multi_storey(h: _Housing, n_flat: int, xy: np.ndarray, grid: float, density: float,
                  settlement, deso: str, rng: np.random.Generator) -> None:
    """Multi-storey buildings holding ``n_flat`` dwellings at the points ``xy`` (enough)."""
    if n_flat <= 0:
        return
    lo, hi = (4, 9) if density >= 5000 else (3, 6) if density >= 1500 else (2, 4)
    n_max = len(xy)
    floors = rng.integers(lo, hi + 1, n_max)
    n_st = rng.choice([1, 2, 3, 4, 5], n_max, p=[0.2, 0.3, 0.3, 0.15, 0.05])
    per_floor = rng.integers(2, 5, n_max)
    size = floors * per_floor * n_st
    nb = min(int(np.searchsorted(np.cumsum(size), n_flat)) + 1, n_max)
    dps = np.repeat(floors[:nb] * per_floor[:nb], n_st[:nb])
    excess = int(size[:nb].sum()) - n_flat
    if excess > 0:  # the last building gets fewer flats per stairwell
        last = slice(len(dps) - int(n_st[nb - 1]), len(dps))
        keep = max(int(size[nb - 1]) - excess, int(n_st[nb - 1]))
        dps[last] = np.maximum(np.round(dps[last] * keep / size[nb - 1]), 1).astype(np.int64)
    ang = grid + rng.integers(0, 2, nb) * (np.pi / 2) + rng.normal(0, 0.05, nb)
    h.add("multi_storey", floors[:nb], xy[:nb, 0], xy[:nb, 1], ang, n_st[:nb], dps,
          n_st[:nb] * 16.0, 12.0, 16.0, settlement, deso)


def _row_houses(h: _Housing, n_row: int, xy: np.ndarray, grid: float, settlement, deso: str,
                rng: np.random.Generator) -> None:
    if n_row <= 0:
        return
    n_u = rng.integers(4, 9, len(xy))
    nb = min(int(np.searchsorted(np.cumsum(n_u), n_row)) + 1, len(xy))
    n_u = n_u[:nb]
    n_u[-1] = max(int(n_u[-1]) - (int(n_u.sum()) - n_row), 1)
    ang = grid + rng.integers(0, 2, nb) * (np.pi / 2)
    h.add("row_house", np.full(nb, 2), xy[:nb, 0], xy[:nb, 1], ang, n_u,
          np.ones(int(n_u.sum()), np.int64), n_u * 7.0, 9.0, 7.0, settlement, deso)


def _houses(h: _Housing, kind: str, xy: np.ndarray, settlement, deso: str,
            rng: np.random.Generator) -> None:
    n = len(xy)
    if n == 0:
        return
    length, depth = (20.0, 12.0) if kind == "farm" else (12.0, 10.0)
    h.add(kind, rng.integers(1, 3, n), xy[:, 0], xy[:, 1], rng.uniform(0, np.pi, n),
          np.ones(n, int), np.ones(n, np.int64), length, depth, 0.0, settlement, deso)


def _dwelling_mix(row: pd.Series, n: int, p: Preset) -> tuple[int, int, int]:
    """Dwellings in flats, row houses and detached houses of a DeSO area."""
    hh = row["households"]
    f = row["flats_share"]
    if not np.isfinite(hh) or hh <= 0:
        rent_br = np.nan
    else:
        rent_br = (row["rental"] + row["tenant_owned"]) / hh
    if not np.isfinite(f):  # no flats figure: rented and tenant-owned dwellings are flats
        f = rent_br if np.isfinite(rent_br) else {"C": 0.5, "B": 0.3}.get(row["kind"], 0.05)
    if not np.isfinite(rent_br):
        rent_br = f
    n_flat = round(f * n)
    n_row = int(min(max(round(rent_br * n) - n_flat, 0), n - n_flat))
    return n_flat, n_row, n - n_flat - n_row


def _place_name(code: str, regso: str, given: str, places) -> str:
    if given:
        return given
    for prefix, name in places:
        if code.startswith(prefix) or (regso and regso.startswith(prefix)):
            return name
    return regso or code


def _deso_housing(h: _Housing, row: pd.Series, land: shapely.Geometry, n: int,
                  villages: gpd.GeoDataFrame | None, urban: shapely.Geometry | None,
                  p: Preset, scale: float, rng: np.random.Generator) -> None:
    """Buildings of one DeSO area with ``n`` dwellings inside its land polygon ``land``."""
    code = row["deso_code"]
    place = _place_name(code, row["regso_code"], row["place"], p.places)
    n_flat, n_row, n_det = _dwelling_mix(row, n, p)
    density = row["pop"] / max(row["land_km2"], 1e-6)
    grid = rng.uniform(0, np.pi / 2)
    inner = land.buffer(-15.0)
    inner = inner if inner.area > 0.2 * land.area else land
    if row["kind"] != "A":
        nf = n_flat // 4 + 2 if n_flat else 0
        nr = n_row // 4 + 2 if n_row else 0
        xy = _points_in(inner, nf + nr + n_det, rng)
        _multi_storey(h, n_flat, xy[:nf], grid, density, place, code, rng)
        _row_houses(h, n_row, xy[nf:nf + nr], grid, place, code, rng)
        _houses(h, "detached", xy[nf + nr:], place, code, rng)
        return
    # rural: villages around the tätorter inside, a core for flats and row houses if none,
    # scattered farms and hamlets elsewhere
    ppd = row["pop"] / max(n / max(scale, 1e-9), 1.0)  # persons per dwelling in the area
    cores: list[tuple[shapely.Geometry, int, str]] = []
    if villages is not None and len(villages):
        inside = villages[shapely.contains_xy(land, *shapely.get_coordinates(
            villages.geometry.values).T)]
        for _, v in inside.sort_values("pop", ascending=False).iterrows():
            r = (math.sqrt(v["area_ha"] * 1e4 / math.pi) if np.isfinite(v["area_ha"])
                 else 300.0)
            disc = v.geometry.buffer(max(r, 100.0)).intersection(inner)
            if disc.area > 0:
                cores.append((disc, round(v["pop"] * scale / ppd), v["name"]))
    need_core = n_flat + n_row
    if not cores and need_core:
        if urban is not None and not urban.is_empty:
            c = nearest_points(inner, urban)[0]
        else:
            c = inner.representative_point()
        r = max(200.0, math.sqrt(need_core * 250.0 / math.pi))
        disc = c.buffer(r).intersection(inner)
        if disc.area <= 0:
            disc = inner
        cores.append((disc, need_core, row["place"] or _place_name(code, "", "", p.places)))
    # village quotas: flats and row houses first, then detached houses
    quota = np.array([q for _, q, _ in cores], dtype=float)
    quota = np.maximum(quota, 0)
    total_q = min(int(quota.sum()), n) if len(cores) else 0
    total_q = max(total_q, min(need_core, n))
    n_village_det = max(min(total_q - need_core, n_det), 0)
    if cores:
        w = quota / quota.sum() if quota.sum() > 0 else np.full(len(cores), 1 / len(cores))
        split = [rng.multinomial(k, w) for k in (n_flat, n_row, n_village_det)]
        for j, (disc, _, name) in enumerate(cores):
            nf, nr, nd = (int(s[j]) for s in split)
            nfb = nf // 4 + 2 if nf else 0
            nrb = nr // 4 + 2 if nr else 0
            xy = _points_in(disc, nfb + nrb + nd, rng)
            _multi_storey(h, nf, xy[:nfb], grid, density, name, code, rng)
            _row_houses(h, nr, xy[nfb:nfb + nrb], grid, name, code, rng)
            _houses(h, "detached", xy[nfb + nrb:], name, code, rng)
    scattered = n_det - n_village_det
    if scattered <= 0:
        return
    avoid = shapely.union_all([d for d, _, _ in cores]) if cores else None
    n_iso = round(scattered * p.rural_isolated_share)
    n_ham = scattered - n_iso
    sizes = rng.integers(3, 13, n_ham // 3 + 1)
    k = min(int(np.searchsorted(np.cumsum(sizes), n_ham)) + 1, len(sizes)) if n_ham else 0
    sizes = sizes[:k]
    if k:
        sizes[-1] -= max(int(sizes.sum()) - n_ham, 0)
    centres = _points_in(inner, n_iso + k, rng, avoid=avoid)
    _houses(h, "farm", centres[:n_iso], "rural", code, rng)
    if k:
        rep = np.repeat(np.arange(k), sizes)
        dx, dy = _uniform_in_disc(rng, len(rep), 150.0)
        x, y = centres[n_iso + rep, 0] + dx, centres[n_iso + rep, 1] + dy
        ok = shapely.contains_xy(inner, x, y)
        xy = np.column_stack([np.where(ok, x, centres[n_iso + rep, 0]),
                              np.where(ok, y, centres[n_iso + rep, 1])])
        _houses(h, "detached", xy, "rural", code, rng)


# --------------------------------------------------------------------------------- areas
def _zone_index_names(deso: pd.DataFrame, areas: Sequence[AreaSpec]) -> np.ndarray:
    """The area id of each DeSO area ("" without areas); every DeSO in exactly one."""
    codes = deso["deso_code"].to_numpy(dtype=object)
    regso = deso["regso_code"].to_numpy(dtype=object)
    out = np.full(len(codes), "", dtype=object)
    if not areas:
        return out
    for a in areas:
        hit = np.array([any(c.startswith(x) or (r and r.startswith(x)) for x in a.codes)
                        for c, r in zip(codes, regso, strict=True)])
        twice = hit & (out != "")
        if twice.any():
            c = codes[int(np.flatnonzero(twice)[0])]
            raise InputError(f"DeSO {c} belongs to two areas: {out[np.flatnonzero(twice)[0]]!r} "
                             f"and {a.zone_id!r}")
        out[hit] = a.zone_id
    missing = codes[out == ""]
    if len(missing):
        raise InputError(f"DeSO areas in no area: {sorted(missing)}; list them (or their "
                         "RegSO codes) in an AreaSpec")
    return out


def _fill_slivers(g: shapely.Geometry, max_hole_m2: float = 1e5) -> shapely.Geometry:
    """``g`` without interior rings smaller than ``max_hole_m2`` (the sliver gaps between
    neighbouring DeSO polygons; the land boundary itself has no holes)."""
    polys = []
    for q in getattr(g, "geoms", [g]):
        if q.geom_type != "Polygon" or q.is_empty:
            continue
        holes = [r for r in q.interiors if shapely.Polygon(r).area >= max_hole_m2]
        polys.append(shapely.Polygon(q.exterior, holes))
    return _multipolygon(shapely.union_all(polys)) if polys else shapely.Polygon()


def _zones_table(land: gpd.GeoDataFrame, areas: Sequence[AreaSpec],
                 area: shapely.Geometry) -> gpd.GeoDataFrame:
    """One polygon per area, disjoint, together exactly the municipality ``area``."""
    if not areas:
        return gpd.GeoDataFrame({"zone_id": [], "name": []}, geometry=[], crs=CRS)
    zid = land["zone_id"].to_numpy(dtype=object)
    geoms, taken = [], shapely.Polygon()
    for a in areas:
        g = _fill_slivers(shapely.union_all(land.geometry.values[zid == a.zone_id]))
        g = shapely.intersection(shapely.difference(g, taken), area)
        taken = shapely.union(taken, g)
        geoms.append(g)
    # what is left (slivers between areas) goes to the nearest area
    rest = shapely.difference(area, taken)
    for piece in getattr(rest, "geoms", [rest]):
        if piece.is_empty or piece.geom_type != "Polygon":
            continue
        k = int(np.argmin([shapely.distance(piece, g) if not g.is_empty else np.inf
                           for g in geoms]))
        geoms[k] = shapely.union(geoms[k], piece)
    geoms = [_multipolygon(shapely.make_valid(g)) for g in geoms]
    return gpd.GeoDataFrame(
        {"zone_id": [a.zone_id for a in areas], "name": [a.name for a in areas],
         "procured": [bool(a.procured) for a in areas], "lot": [a.lot for a in areas]},
        geometry=geoms, crs=CRS,
    )


def _multipolygon(g: shapely.Geometry) -> shapely.Geometry:
    parts = [q for q in getattr(g, "geoms", [g]) if q.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


# --------------------------------------------------------------------------------- providers
def _densest(land: gpd.GeoDataFrame, mask: np.ndarray) -> int:
    """Index of the DeSO area with the most inhabitants per km² of land among ``mask``."""
    dens = land["pop"].to_numpy(dtype=float) / np.maximum(land["land_km2"].to_numpy(), 1e-6)
    dens = np.where(mask, dens, -1.0)
    return int(np.argmax(dens))


def _centres_by_population(land: gpd.GeoDataFrame) -> list[int]:
    """The centre (densest DeSO) of each RegSO area, most populous RegSO first."""
    regso = land["regso_code"].to_numpy(dtype=object)
    if (regso == "").all():
        return [_densest(land, np.ones(len(land), bool))]
    pops = land.groupby("regso_code")["pop"].sum().sort_values(ascending=False, kind="stable")
    return [_densest(land, regso == r) for r in pops.index]


def _office_deso(spec: ProviderSpec, ext_rank: int, land: gpd.GeoDataFrame) -> int:
    codes = land["deso_code"].to_numpy(dtype=object)
    office = spec.office
    if not office:
        if spec.zones:
            office = f"zone:{spec.zones[0]}"
        elif spec.kind == "external":
            centres = _centres_by_population(land)
            return centres[ext_rank % len(centres)]
        else:
            urban = land["kind"].isin(["C", "B"]).to_numpy()
            return _densest(land, urban if urban.any() else np.ones(len(land), bool))
    kind, _, value = office.partition(":")
    if kind == "deso":
        mask = codes == value
    elif kind == "regso":
        mask = land["regso_code"].to_numpy(dtype=object) == value
    elif kind == "zone":
        mask = land["zone_id"].to_numpy(dtype=object) == value
    else:
        raise InputError(f"provider {spec.provider_id!r}: office must be 'deso:CODE', "
                         f"'regso:CODE' or 'zone:ID', got {spec.office!r}")
    if not mask.any():
        raise InputError(f"provider {spec.provider_id!r}: office {spec.office!r} matches no "
                         "DeSO area of the data")
    return _densest(land, mask)


def _point_near_centre(land: gpd.GeoDataFrame, k: int, rng: np.random.Generator) -> np.ndarray:
    g = land.geometry.values[k]
    inner = g.buffer(-10.0)
    inner = inner if inner.area > 0 else g
    disc = inner.representative_point().buffer(300.0).intersection(inner)
    return _points_in(disc if disc.area > 0 else inner, 1, rng)[0]


def _declared_areas(providers: Sequence[ProviderSpec], areas: Sequence[AreaSpec]
                    ) -> tuple[ProviderSpec, ...]:
    """The default LOV service areas: the two largest external providers serve everywhere,
    each smaller one the area of its rank (in turn) with its office there."""
    out, k = [], 0
    for q in providers:
        if q.kind == "external":
            k += 1
            if areas and k >= 3:
                a = areas[(k - 3) % len(areas)].zone_id
                q = replace(q, zones=(a,), office=f"zone:{a}")
        out.append(q)
    return tuple(out)


def _with_n_external(p: Preset, n: int, concentration: float = 1.0) -> Preset:
    if not (isinstance(n, (int, np.integer)) and 0 <= n <= 50):
        raise InputError(f"n_external must be a whole number in [0, 50], got {n!r}")
    if not (isinstance(concentration, (int, float)) and 0 <= concentration <= 10):
        raise InputError(f"concentration must be a number in [0, 10], got {concentration!r}")
    if p.regime != "lov":
        raise InputError(f"n_external applies to LOV presets; preset {p.name!r} is "
                         f"{p.regime.upper()} with contracted external providers")
    ext = [q for q in p.providers if q.kind == "external"]
    muni = [q for q in p.providers if q.kind != "external"]
    total = sum(q.share for q in ext)
    if n == 0:
        muni = [replace(muni[0], share=muni[0].share + total), *muni[1:]]
        return replace(p, providers=tuple(muni))
    w = [k ** -float(concentration) for k in range(1, n + 1)]
    new = [ProviderSpec(f"E{k}", f"Private provider {k}", "external", total * w[k - 1] / sum(w))
           for k in range(1, n + 1)]
    provs = (*muni, *new)
    if p.lov_declared_areas and p.areas:
        provs = _declared_areas(provs, p.areas)
    return replace(p, providers=tuple(provs))


def with_n_external(preset: Preset, n: int, concentration: float = 1.0) -> Preset:
    """``preset`` with its external providers replaced by ``n`` (as :func:`generate`'s
    ``n_external``; LOV presets only).

    Examples
    --------
    >>> from hemopt.synth import PRESETS, with_n_external
    >>> [q.provider_id for q in with_n_external(PRESETS["strangnas"], 2).providers]
    ['M', 'E1', 'E2']
    """
    return _with_n_external(preset, n, concentration)


def _providers(p: Preset, land: gpd.GeoDataFrame, rng: np.random.Generator
               ) -> tuple[gpd.GeoDataFrame, list[int]]:
    specs = p.providers
    if p.regime == "lov" and not p.lov_declared_areas:
        specs = tuple(replace(q, zones=()) if q.kind == "external" else q for q in specs)
    zone_ids = {a.zone_id for a in p.areas}
    xs, ys, where = [], [], []
    ext_rank = 0
    for q in specs:
        for z in q.zones:
            if z not in zone_ids:
                raise InputError(f"provider {q.provider_id!r} serves unknown area {z!r}; "
                                 f"areas are {sorted(zone_ids)}")
        k = _office_deso(q, ext_rank, land)
        ext_rank += q.kind == "external"
        x, y = _point_near_centre(land, k, rng)
        xs.append(x)
        ys.append(y)
        where.append(k)
    return gpd.GeoDataFrame(
        {
            "provider_id": [q.provider_id for q in specs],
            "name": [q.name for q in specs],
            "kind": [q.kind for q in specs],
            "capacity_clients": np.full(len(specs), math.inf),
            "capacity_hours": np.full(len(specs), math.inf),
            "zones": [tuple(q.zones) for q in specs],
            "market_share": [q.share for q in specs],
        },
        geometry=shapely.points(xs, ys), crs=CRS,
    ), where


def _municipal_bases(p: Preset, land: gpd.GeoDataFrame, providers: gpd.GeoDataFrame,
                     office_deso: list[int], rng: np.random.Generator) -> gpd.GeoDataFrame:
    """A local base of the municipal provider at the centre of every area without its office."""
    ids, pids, xy = [], [], []
    kinds = list(providers["kind"])
    if "municipal" in kinds and p.areas:
        j = kinds.index("municipal")
        pid = providers["provider_id"].iloc[j]
        zid = land["zone_id"].to_numpy(dtype=object)
        office_zone = zid[office_deso[j]]
        for a in p.areas:
            if a.zone_id == office_zone:
                continue
            k = _densest(land, zid == a.zone_id)
            ids.append(f"{pid}-{a.zone_id}")
            pids.append(pid)
            xy.append(_point_near_centre(land, k, rng))
    return gpd.GeoDataFrame({"base_id": ids, "provider_id": pids},
                            geometry=shapely.points(np.array(xy)) if xy else [], crs=CRS)


def _choices(p: Preset, c_xy: np.ndarray, providers: gpd.GeoDataFrame,
             zones: gpd.GeoDataFrame, rng: np.random.Generator):
    """Rankings (provider indices, -1 padded) and current provider index per client."""
    n, m = len(c_xy), len(providers)
    kinds = providers["kind"].to_numpy()
    default = int(np.flatnonzero(kinds == "municipal")[0]) if (kinds == "municipal").any() else 0
    share = providers["market_share"].to_numpy(dtype=float)
    share = share / share.sum()
    # the areas' one rule (hemopt.areas): a client's area, the providers serving it
    zid, _ = zone_index(list(zones.geometry.values), c_xy)
    allowed = serves_matrix(list(providers["zones"]), list(zones["zone_id"]))[zid]
    # exactly the preset's share of non-choosers (rounded), drawn at random
    chooser = rng.permutation(n) >= round(n * p.non_chooser_share)
    # target shares among choosers so that the overall shares match the preset
    target = share.copy()
    target[default] = max(share[default] - p.non_chooser_share, 0.0)
    target[~allowed[chooser].any(axis=0)] = 0.0  # nobody who chooses may pick it
    model = p.choice
    u = model.systematic_utility(c_xy, shapely.get_coordinates(providers.geometry.values))
    if chooser.any() and target.sum() > 0:
        asc = model.calibrate_asc(u[chooser], target / target.sum(), allowed=allowed[chooser])
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


# --------------------------------------------------------------------------------- build
def _check_preset(p: Any, preset: Any) -> Preset:
    if not isinstance(p, Preset):
        raise InputError(f"preset must be a name or a Preset, got {type(preset).__name__}")
    for name in ("coverage_80", "ratio_65_79", "rate_under65", "non_chooser_share",
                 "current_mismatch_share", "rural_isolated_share"):
        v = getattr(p, name)
        if not (isinstance(v, (int, float)) and 0 <= v <= 1):
            raise InputError(f"Preset.{name} must be a share in [0, 1], got {v!r}")
    if not 0 <= p.rate_65_79 <= 1:
        raise InputError(f"Preset.coverage_65_79 must be a share in [0, 1], got "
                         f"{p.coverage_65_79!r}")
    if p.regime not in ("lov", "lou"):
        raise InputError(f"Preset.regime must be 'lov' or 'lou', got {p.regime!r}")
    return p


def _check_run(seed: Any, scale: Any) -> None:
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    if not (isinstance(scale, (int, float)) and np.isfinite(scale) and 0 < scale <= 20):
        raise InputError(f"scale must be in (0, 20], got {scale!r}")


def _build(p: Preset, land: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame,
           tatorter: gpd.GeoDataFrame | None, seed: int, scale: float, name: str | None,
           meta_extra: Mapping[str, Any]) -> Scenario:
    rng = np.random.default_rng(seed)
    land = land.reset_index(drop=True)
    land["zone_id"] = _zone_index_names(land, p.areas)
    area = _fill_slivers(shapely.make_valid(shapely.union_all(land.geometry.values)))

    # clients per DeSO and age group: the expectation rounded at random
    expected = _expected(land, p)
    bands = _round_random(expected * scale, rng)  # (n_deso, 3): 80+, 65-79, under 65
    n_clients_deso = bands.sum(axis=1)

    # housing: as many dwellings as households (scaled), at least one per client
    hh = land["households"].to_numpy(dtype=float)
    hh = np.where(np.isfinite(hh) & (hh > 0), hh,
                  land["pop"].to_numpy(dtype=float) / p.persons_per_dwelling)
    n_dw = np.maximum(np.round(hh * scale).astype(np.int64), n_clients_deso)
    urban_mask = land["kind"].isin(["B", "C"]).to_numpy()
    urban = shapely.union_all(land.geometry.values[urban_mask]) if urban_mask.any() else None
    h = _Housing()
    for i, row in land.iterrows():
        if n_dw[i] > 0:
            _deso_housing(h, row, land.geometry.values[i], int(n_dw[i]), tatorter, urban, p,
                          scale, rng)

    b_kind = np.concatenate(h.b_kind)
    b_deso = np.concatenate(h.b_deso)
    n_b = len(b_kind)
    b_ids = np.array([f"b{i:05d}" for i in range(n_b)], dtype=object)
    s_b = np.concatenate(h.s_building)
    s_x, s_y = np.concatenate(h.s_x), np.concatenate(h.s_y)
    # entrances that fell outside the land (a building at its edge) move onto it
    shapely.prepare(area)
    out = ~shapely.contains_xy(area, s_x, s_y)
    if out.any():
        inner = area.buffer(-2.0)
        snapped = shapely.get_coordinates(
            shapely.shortest_line(shapely.points(s_x[out], s_y[out]), inner))[1::2]
        s_x[out], s_y[out] = snapped[:, 0], snapped[:, 1]
    s_dw = np.concatenate(h.s_dwellings)
    n_s = len(s_b)
    s_ids = np.array([f"s{i:06d}" for i in range(n_s)], dtype=object)
    buildings = gpd.GeoDataFrame(
        {"building_id": b_ids, "kind": b_kind, "floors": np.concatenate(h.b_floors),
         "settlement": np.concatenate(h.b_settlement), "deso_code": b_deso},
        geometry=np.concatenate(h.b_geom), crs=CRS,
    )
    stairwells = gpd.GeoDataFrame(
        {"stairwell_id": s_ids, "building_id": b_ids[s_b], "dwellings": s_dw},
        geometry=shapely.points(s_x, s_y), crs=CRS,
    )

    # clients: dwellings of their DeSO area drawn without replacement, weighted by kind
    weight = dict(p.client_weight)
    dw_stair = np.repeat(np.arange(n_s), s_dw)
    dw_deso = b_deso[s_b][dw_stair]
    dw_w = np.array([weight.get(k, 1.0) for k in b_kind])[s_b][dw_stair]
    order = np.argsort(dw_deso, kind="stable")
    codes_sorted = dw_deso[order]
    picks = []
    for i, code in enumerate(land["deso_code"]):
        k = int(n_clients_deso[i])
        if k == 0:
            continue
        lo = np.searchsorted(codes_sorted, code, side="left")
        hi = np.searchsorted(codes_sorted, code, side="right")
        idx = order[lo:hi]
        w = dw_w[idx]
        picks.append(rng.choice(idx, size=min(k, len(idx)), replace=False, p=w / w.sum()))
    pick = np.concatenate(picks) if picks else np.zeros(0, np.int64)
    stair = np.sort(dw_stair[pick])  # ordered by stairwell: ids follow geography
    n_clients = len(stair)
    hours = _hours_per_week(p, n_clients, rng)
    c_xy = np.column_stack([s_x[stair], s_y[stair]])

    zones = _zones_table(land, p.areas, area)
    providers, office_deso = _providers(p, land, rng)
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
            "deso_code": b_deso[s_b[stair]],
        },
        geometry=shapely.points(c_xy), crs=CRS,
    )
    clients["age"] = client_ages(bands, land["deso_code"].to_numpy(),
                                 clients["deso_code"].to_numpy(), seed)
    clients["pattern_days"], clients["pattern_tasks"] = visit_patterns(
        hours, clients["visits_per_day"].to_numpy(), seed)
    needs = care_needs(hours, clients["visits_per_day"].to_numpy(), seed)
    clients["staff_per_visit"] = needs["staff_per_visit"].to_numpy()
    clients["skill"] = needs["skill"].to_numpy()
    providers["licensed_share"] = LICENSED_SHARE
    bases = _municipal_bases(p, land, providers, office_deso, rng)
    exp_total = expected.sum(axis=1)
    meta = {
        "preset": p.name, "seed": int(seed), "scale": float(scale),
        "inhabitants": round(float(land["pop"].sum()) * scale),
        "inhabitants_65plus": round(float((land["pop_65_79"] + land["pop_80plus"]).sum())
                                    * scale),
        "inhabitants_80plus": round(float(land["pop_80plus"].sum()) * scale),
        "coverage_80": float(p.coverage_80), "coverage_65_79": round(p.rate_65_79, 6),
        "rate_under65": float(p.rate_under65),
        "expected_clients": round(float(exp_total.sum()) * scale, 2),
        "deso_expected_clients": {c: round(float(e) * scale, 3)
                                  for c, e in zip(land["deso_code"], exp_total, strict=True)},
        "generator": "hemopt.synth/2",
        **meta_extra,
    }
    bd = gpd.GeoDataFrame({"name": [str(boundary["name"].iloc[0])],
                           "code": [str(boundary["code"].iloc[0])]}, geometry=[area], crs=CRS)
    return Scenario(
        clients, providers, stairwells=stairwells, buildings=buildings, zones=zones,
        boundary=bd, bases=bases, name=name or f"{p.name}-seed{seed}", meta=meta,
    )


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
    """Generate a synthetic municipality on a preset's real geography.

    Parameters
    ----------
    preset
        ``"strangnas"`` (LOV, eight providers, three areas), ``"botkyrka"`` (LOU, two areas,
        five providers) or a :class:`Preset` with shipped data.
    seed
        Seed of every random draw; same arguments, same scenario, bit for bit.
    boundary
        Optional land boundary of the same municipality (GeoDataFrame/GeoSeries in any CRS, a
        file path, or a shapely polygon in EPSG:3006) replacing the shipped SCB boundary; a
        layer of several municipalities is filtered on the preset's code. DeSO areas outside
        it raise :class:`~hemopt.errors.ScenarioError`.
    scale
        Multiply every population (and so the clients and dwellings) by this factor, in
        (0, 20]: below 1 for quick tests; above 1 for a larger municipality on the same land
        (denser, not larger: the geography stays the preset's). ``generate("botkyrka",
        scale=14)`` is the city-scale scenario of ``benchmarks/bench_city.py``: about 15,000
        clients and 30,000 visits a day (``docs/routing.md``, "City scale").
    n_external
        Replace the preset's external providers by this many, with Zipf-shaped shares of the
        same external total (LOV presets only); with declared service areas the two largest
        serve everywhere and each smaller one a single area, in turn.
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
    p = _check_preset(p, preset)
    _check_run(seed, scale)
    data = p.data  # _with_n_external below keeps it
    if data is None:
        raise InputError(f"preset {p.name!r} has no shipped data; use "
                         "hemopt.synth.from_public_data(boundary, deso, ...)")
    if n_external is not None or concentration is not None:
        n_ext = n_external if n_external is not None else sum(
            q.kind == "external" for q in p.providers)
        p = _with_n_external(p, n_ext, 1.0 if concentration is None else concentration)
    deso, bd, tat = _shipped(data, p.code)
    src = {"deso": data.deso, "boundary": data.boundary}
    if boundary is not None:
        bd = read_boundary(boundary, prefer_code=p.code)
        src["boundary"] = bd.attrs.get("source", "<given>")
    land = clip_to_land(deso, bd)
    extra: dict[str, Any] = {"data": src}
    if n_external is not None:
        extra["n_external"] = int(n_external)
    if concentration is not None:
        extra["concentration"] = float(concentration)
    return _build(p, land, bd, tat, int(seed), float(scale), name, extra)


def from_public_data(
    boundary: Any,
    deso: Any,
    *,
    coverage_80: float,
    coverage_65_79: float | None = None,
    tatorter: Any = None,
    code: str | None = None,
    areas: Mapping[str, Sequence[str]] | None = None,
    preset: str | Preset | None = None,
    seed: int = 0,
    scale: float = 1.0,
    name: str | None = None,
    n_areas: int | None = 3,
) -> Scenario:
    """Build a scenario for any Swedish municipality from SCB's public files.

    The same path as the presets: the DeSO areas are clipped to the land boundary, clients
    drawn per DeSO from its age bands and the coverage by age, housing built from its
    households and flats, providers placed at the commercial centres (``docs/geography.md``).

    Parameters
    ----------
    boundary
        The municipality's land boundary: file path or GeoDataFrame (any CRS) with the
        columns ``code``/``kommun_kod`` and ``name``/``kommun`` (a file of several
        municipalities needs ``code``).
    deso
        The DeSO areas: file path or GeoDataFrame with ``deso_code`` and age columns
        (:func:`hemopt.geo.read_deso`); a national file is filtered on ``code``.
    coverage_80
        Share of people aged 80+ with home care in ordinary housing (Kolada N21704 for the
        municipality; e.g. 0.14).
    coverage_65_79
        Share of people aged 65–79 with home care; default the preset's ratio (0.15) times
        ``coverage_80``.
    tatorter
        Optional tätort points (``name``, ``pop``, ``area`` in hectares): villages in rural
        DeSO areas gather around them.
    code
        Municipality code (default: the boundary's code).
    areas
        Optional areas ``{zone_id: [DeSO or RegSO codes or prefixes]}`` covering every DeSO
        area; with them the smaller private providers declare one area each. Without them
        ``n_areas`` areas are designed from the DeSO areas (:func:`hemopt.regions.design_areas`).
        Every area but the one with the fewest expected clients is marked ``procured``
        (zoning's default: the municipality keeps one area, the proposal's shape).
    preset
        The market and care parameters (default :data:`GENERIC`: the municipality and seven
        private providers with 16 % of the clients; or a preset name or :class:`Preset`). A
        preset whose external providers declare areas that all exist (e.g. ``A1``…) keeps
        them; otherwise the two largest serve everywhere and the others one area each.
    seed, scale
        As in :func:`generate`.
    name
        Scenario name (default: the municipality's name and the seed, ``borgholm-seed1``).
    n_areas
        Without ``areas``: design this many contiguous areas of whole DeSO areas with
        balanced expected clients (at most the number of DeSO areas; default 3, fewer when
        the municipality has fewer DeSO areas). ``None`` or 0: no areas (then LOU cannot
        run: it procures areas).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Bad files: no CRS or a wrong one, no age columns, DeSO areas outside the boundary
        (naming the file, DeSO code, field and value).

    Examples
    --------
    Botkyrka from the shipped public files, as if it were any municipality:

    >>> from importlib import resources
    >>> from hemopt.synth import from_public_data
    >>> data = resources.files("hemopt") / "data"
    >>> sc = from_public_data(data / "kommun_0486_0127_sweref99tm.geojson",
    ...                       data / "deso2025_botkyrka_0127.geojson", code="0127",
    ...                       coverage_80=0.162, seed=1, scale=0.1)
    >>> sc.name, sc.boundary["name"].iloc[0], sc.n_providers, list(sc.zones["zone_id"])
    ('botkyrka-seed1', 'Botkyrka', 8, ['A1', 'A2', 'A3'])
    >>> round(sc.meta["expected_clients"])
    110
    """
    base = GENERIC if preset is None else (get_preset(preset) if isinstance(preset, str)
                                           else preset)
    if not isinstance(base, Preset):
        raise InputError(f"preset must be a name or a Preset, got {type(preset).__name__}")
    for nm, v in (("coverage_80", coverage_80), ("coverage_65_79", coverage_65_79)):
        if v is not None and not (isinstance(v, (int, float)) and 0 <= v <= 1):
            raise InputError(f"{nm} must be a share in [0, 1], got {v!r}")
    _check_run(seed, scale)
    if code is None:
        code = _only_municipality(boundary, deso)
    bd = read_boundary(boundary, code=code)
    code = code or str(bd["code"].iloc[0]) or None
    d = read_deso(deso, code=code)
    tat = read_tatorter(tatorter) if tatorter is not None else None
    land = clip_to_land(d, bd, resolve_overlaps=True, min_land_km2=0.05)
    p = replace(base, name=base.name if preset is not None else "generic",
                code=code or "", coverage_80=float(coverage_80),
                coverage_65_79=coverage_65_79, data=None)
    designed = False
    if areas is None and n_areas:
        k = min(int(n_areas), len(land)) if isinstance(n_areas, (int, np.integer)) else n_areas
        weight = _expected(land, p).sum(axis=1)
        areas = design_areas(land, k, weight=weight, seed=int(seed))
        designed = True
    if areas is not None:
        names = {z: (f"Area {z[1:]}: " + ", ".join(list(c)[:3]) + (" …" if len(c) > 3 else ""))
                 if designed else str(z) for z, c in areas.items()}
        specs = tuple(AreaSpec(str(z), names[z], tuple(str(c) for c in codes))
                      for z, codes in areas.items())
        if len(specs) > 1:  # the proposal's shape: the municipality keeps its lightest area
            zid = _zone_index_names(land, specs)
            w = _expected(land, p).sum(axis=1)
            load = [float(w[zid == a.zone_id].sum()) for a in specs]
            keep = specs[int(np.argmin(load))].zone_id
            specs = tuple(replace(a, procured=a.zone_id != keep) for a in specs)
        ids = {a.zone_id for a in specs}
        ext = [q for q in p.providers if q.kind == "external"]
        keep_zones = bool(ext) and any(q.zones for q in ext) and all(
            set(q.zones) <= ids for q in p.providers)
        if not keep_zones:
            provs = tuple(replace(q, zones=(), office="") if q.kind == "external" else
                          replace(q, office="") if q.office.startswith("zone:") else q
                          for q in p.providers)
            if p.regime == "lov" and p.lov_declared_areas:
                provs = _declared_areas(provs, specs)
            p = replace(p, providers=provs)
        p = replace(p, areas=specs)
    p = _check_preset(p, preset)
    extra: dict[str, Any] = {
        "data": {"deso": d.attrs.get("source", ""), "boundary": bd.attrs.get("source", "")},
        "municipality": str(bd["name"].iloc[0]), "code": code or "",
        "boundary_covered": land.attrs.get("boundary_covered"),
    }
    if designed and areas is not None:
        extra["areas_designed"] = {str(z): list(c) for z, c in areas.items()}
    if name is None:
        name = f"{_slug(str(bd['name'].iloc[0])) or 'municipality'}-seed{int(seed)}"
    return _build(p, land, bd, tat, int(seed), float(scale), name, extra)


def _only_municipality(boundary: Any, deso: Any) -> str | None:
    """The code to use when none is given: ``None`` for a boundary of one municipality; the
    DeSO areas' municipality when the boundary holds several; otherwise an error that
    suggests ``code`` (``--boundary-code``)."""
    if isinstance(boundary, shapely.Geometry):
        return None
    bd = boundary if isinstance(boundary, gpd.GeoDataFrame) else None
    if bd is None:
        import pyogrio

        try:
            bd = pyogrio.read_dataframe(boundary, read_geometry=False)
        except Exception:  # unreadable: read_boundary says why
            return None
    col = next((c for c in ("code", "kommun_kod", "kommunkod", "kod") if c in bd.columns), None)
    if col is None or bd[col].astype(str).nunique() <= 1:
        return None
    codes = bd[col].astype(str).str.strip()
    d = deso if isinstance(deso, gpd.GeoDataFrame) and "deso_code" in deso.columns else None
    if d is None:
        try:
            import pyogrio

            d = pyogrio.read_dataframe(deso, read_geometry=False)
        except Exception:
            d = None
    if d is not None and "deso_code" in d.columns:
        prefixes = set(d["deso_code"].astype(str).str[:4])
        if len(prefixes) == 1 and prefixes <= set(codes):
            return prefixes.pop()
    name = next((c for c in ("name", "kommun", "kommunnamn", "namn") if c in bd.columns), None)
    listed = ", ".join(f"{c} {n}" for c, n in zip(codes, bd[name] if name else codes,
                                                    strict=True))
    raise InputError(f"the boundary file holds {len(codes)} municipalities ({listed[:200]}"
                     f"{' …' if len(listed) > 200 else ''}): choose one with --boundary-code "
                     f"(code= in Python), e.g. --boundary-code {codes.iloc[0]}")


def read_areas(src: Any) -> dict[str, list[str]]:
    """Areas from a table of ``deso_code`` (DeSO or RegSO codes or prefixes) and ``area``
    (its area id): the ``areas`` argument of :func:`from_public_data`.

    Examples
    --------
    >>> import pandas as pd
    >>> from hemopt.synth import read_areas
    >>> read_areas(pd.DataFrame({"deso_code": ["0127R001", "0127R003"],
    ...                          "area": ["north", "south"]}))
    {'north': ['0127R001'], 'south': ['0127R003']}
    """
    df = src if isinstance(src, pd.DataFrame) else pd.read_csv(src, dtype=str, sep=None,
                                                                engine="python")
    code = next((c for c in ("deso_code", "code", "regso_code") if c in df.columns), None)
    area = next((c for c in ("area", "zone_id", "zone", "omrade") if c in df.columns), None)
    if code is None or area is None:
        raise InputError(f"areas table: needs the columns deso_code and area; found "
                         f"{list(df.columns)}")
    out: dict[str, list[str]] = {}
    for c, a in zip(df[code].astype(str).str.strip(), df[area].astype(str).str.strip(),
                    strict=True):
        if not c or not a or c == "nan" or a == "nan":
            raise InputError(f"areas table: a row without deso_code or area ({c!r}, {a!r})")
        out.setdefault(a, []).append(c)
    return out


def _slug(text: str) -> str:
    """``"Östersund"`` → ``"ostersund"``: ASCII, lower case, words joined by ``-``."""
    import re
    import unicodedata

    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


# --------------------------------------------------------------------------------- checks
def validation(scenario: Scenario) -> dict[str, Any]:
    """How well the clients of a generated scenario follow the DeSO areas.

    Parameters
    ----------
    scenario
        A scenario from :func:`generate` or :func:`from_public_data` (it carries the expected
        clients per DeSO area in ``meta`` and each client's ``deso_code``).

    Returns
    -------
    dict
        ``pearson`` and ``spearman`` correlations of synthetic and expected clients per DeSO
        area, ``rural_share`` of clients in rural (``A``) DeSO areas and its age-weighted
        expectation ``rural_expected``, ``share_sharing_stairwell``, ``clients``,
        ``expected_clients``, and ``per_deso`` (a DataFrame).

    Examples
    --------
    >>> import hemopt
    >>> from hemopt.synth import validation
    >>> v = validation(hemopt.generate("botkyrka", seed=1, scale=0.5))
    >>> v["pearson"] > 0.9, abs(v["rural_share"] - v["rural_expected"]) < 0.03
    (True, True)
    """
    exp = scenario.meta.get("deso_expected_clients")
    if not exp or "deso_code" not in scenario.clients.columns:
        raise InputError("validation needs a scenario generated from DeSO areas "
                         "(meta['deso_expected_clients'] and clients.deso_code)")
    codes = list(exp)
    got = scenario.clients["deso_code"].value_counts().reindex(codes, fill_value=0)
    e = np.array([exp[c] for c in codes], dtype=float)
    g = got.to_numpy(dtype=float)
    rural = np.array([str(c)[4:5] == "A" for c in codes])
    per = pd.DataFrame({"deso_code": codes, "rural": rural, "expected": e, "clients": g})
    summ = scenario.summary()
    return {
        "pearson": float(np.corrcoef(g, e)[0, 1]) if len(codes) > 1 else float("nan"),
        "spearman": float(pd.Series(g).corr(pd.Series(e), method="spearman"))
        if len(codes) > 1 else float("nan"),
        "rural_share": float(g[rural].sum() / max(g.sum(), 1)),
        "rural_expected": float(e[rural].sum() / max(e.sum(), 1e-12)),
        "share_sharing_stairwell": float(summ["share_clients_sharing_stairwell"]),
        "clients": int(g.sum()),
        "expected_clients": float(e.sum()),
        "per_deso": per,
    }
