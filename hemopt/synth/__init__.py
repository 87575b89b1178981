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

from hemopt.synth.build import from_public_data, generate, read_areas, validation
from hemopt.synth.clients import (
    AGE_BANDS,
    DELEGATED,
    DELEGATED_RATE,
    DOUBLE_STAFF_RATE,
    DOUBLE_STAFF_TOP,
    LICENSED_SHARE,
    PATTERN_TASK_MAX_SHARE,
    PATTERN_TASKS,
    _hours_per_week,  # noqa: F401 (hemopt.simulate imports it from here)
    care_needs,
    client_ages,
    visit_patterns,
    visits_per_day_from_hours,
)
from hemopt.synth.presets import (
    GENERIC,
    PRESETS,
    AreaSpec,
    Preset,
    ProviderSpec,
    PublicData,
    _data_path,  # noqa: F401 (hemopt.atlas_report imports it from here)
    get_preset,
    preset_deso,
    with_n_external,
)

__all__ = [
    "AGE_BANDS",
    "DELEGATED",
    "DELEGATED_RATE",
    "DOUBLE_STAFF_RATE",
    "DOUBLE_STAFF_TOP",
    "GENERIC",
    "LICENSED_SHARE",
    "PATTERN_TASKS",
    "PATTERN_TASK_MAX_SHARE",
    "PRESETS",
    "AreaSpec",
    "Preset",
    "ProviderSpec",
    "PublicData",
    "care_needs",
    "client_ages",
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
