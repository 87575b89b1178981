"""The presets of :mod:`hemopt.synth`: the specification of areas and providers, the built-in
municipalities (:data:`PRESETS`) and their shipped public data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hemopt.choice import ChoiceModel
from hemopt.errors import InputError
from hemopt.geo import clip_to_land, read_boundary, read_deso, read_tatorter


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


# --------------------------------------------------------------------------- expected clients
def _expected(deso: pd.DataFrame, p: Preset) -> np.ndarray:
    """(n_deso, 3) expected clients aged 80+, 65–79 and under 65 (at scale 1)."""
    return np.column_stack([
        p.coverage_80 * deso["pop_80plus"].to_numpy(dtype=float),
        p.rate_65_79 * deso["pop_65_79"].to_numpy(dtype=float),
        p.rate_under65 * deso["pop_0_64"].to_numpy(dtype=float),
    ])


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
