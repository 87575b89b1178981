"""Building a synthetic scenario (:func:`generate`, :func:`from_public_data`), reading area
lists, and the validation figures of :mod:`hemopt.synth`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hemopt.errors import InputError
from hemopt.geo import clip_to_land, read_boundary, read_deso, read_tatorter
from hemopt.regions import design_areas
from hemopt.scenario import CRS, Scenario
from hemopt.synth.clients import (
    LICENSED_SHARE,
    _hours_per_week,
    _round_random,
    care_needs,
    client_ages,
    visit_patterns,
    visits_per_day_from_hours,
)
from hemopt.synth.housing import _deso_housing, _Housing
from hemopt.synth.offices import _choices, _fill_slivers, _municipal_bases, _providers, _zones_table
from hemopt.synth.presets import (
    GENERIC,
    AreaSpec,
    Preset,
    _declared_areas,
    _expected,
    _shipped,
    _with_n_external,
    _zone_index_names,
    get_preset,
)


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
        balanced expected clients (default 3, fewer when the municipality has fewer DeSO
        areas; a number above 3 and above the number of DeSO areas is refused, not cut).
        ``None`` or 0: no areas (then LOU cannot run: it procures areas).

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
        # the default three become fewer in a municipality of fewer DeSO areas; more than
        # three asked for is a choice, refused by design_areas when there are not enough
        k = (min(int(n_areas), len(land))
             if isinstance(n_areas, (int, np.integer)) and not isinstance(n_areas, bool)
             and 1 <= n_areas <= 3 else n_areas)
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
