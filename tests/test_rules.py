"""The regimes' rules as the seeds describe them (issue 23 §1, issue 26 §4).

Zoning procures exactly the marked areas and reports the shortfall; the procurement is a stated
evaluation (price parts, capacity, lots, quality); LOU's guarantee places non-choosers with
the nearest external that has room; both shortfalls are in ``Assignment.summary()``; client
capacities work under LOU; regime strings are parsed strictly.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

import hemopt
from hemopt import InputError
from hemopt.assignment import assign
from hemopt.procurement import Tender
from hemopt.regimes import LOU, LOV, Zoning, regime_from_name

X0, Y0 = 600_000.0, 6_580_000.0


# ------------------------------------------------------------------------- zoning on presets
@pytest.mark.parametrize("preset,scale", [("strangnas", 0.5), ("botkyrka", 0.2)])
def test_zoning_never_procures_an_unmarked_area(preset, scale):
    """Seeds 1-10: the procured areas are exactly the marked ones (Strängnäs' area 3 stays
    municipal even where areas 1 and 2 hold less than half the hours), the shortfall is
    reported, and Strängnäs' areas 1 and 2 go to one winner (one lot)."""
    short_seen = 0
    for seed in range(1, 11):
        sc = hemopt.generate(preset, seed=seed, scale=scale)
        marked = dict(zip(sc.zones["zone_id"], sc.zones["procured"], strict=True))
        lay = Zoning(procured_share=0.5).layout(sc)
        poz = dict(zip(lay.zone_ids, lay.provider_of_zone, strict=True))
        kinds = sc.providers["kind"].to_numpy()
        for zid, j in poz.items():
            assert (kinds[j] == "external") == bool(marked[zid]), (seed, zid)
        zone, _ = lay.zone_of(sc.client_xy())
        h = sc.clients["hours_per_week"].to_numpy()
        procured_h = h[np.isin(zone, np.flatnonzero(lay.procured))].sum()
        want = max(0.5 * h.sum() - procured_h, 0.0)
        assert lay.procurement_shortfall_hours == pytest.approx(want, abs=0.02)
        short_seen += want > 0
        if preset == "strangnas":
            assert poz["area3"] == 0 and poz["area1"] == poz["area2"]
            assert lay.lots == {"areas 1-2": ("area1", "area2")}
            assert lay.bids["lot"].unique().tolist() == ["areas 1-2"]
    if preset == "strangnas":
        assert short_seen >= 1  # the case the old rule "fixed" by procuring area 3


def test_zoning_designed_zones_keep_the_smallest_municipal():
    # three designed areas, no marking: the municipality keeps the smallest while the others
    # still hold the share; with procured_share 1 it keeps none
    sc = hemopt.generate("strangnas", seed=1, scale=0.3)
    lay = Zoning(n_zones=3).layout(sc)
    zone, _ = lay.zone_of(sc.client_xy())
    h = np.bincount(zone, weights=sc.clients["hours_per_week"].to_numpy(), minlength=3)
    assert not lay.procured[np.argmin(h)] and lay.procured.sum() == 2
    assert lay.procurement_shortfall_hours == 0.0
    assert Zoning(n_zones=3, procured_share=1.0).layout(sc).procured.all()


# ------------------------------------------------------------------------- procurement
def corridor(capacity_hours=(math.inf, math.inf, math.inf)):
    """Eight clients of 2 h/week and one visit a day on a 2 km corridor: W (x < 1000) and E;
    offices M (1000, 900), A (200, 900), B (1800, 900) relative to (X0, Y0)."""
    xs = 100 + 1800 * np.arange(8) / 7
    clients = gpd.GeoDataFrame(
        {"client_id": [f"c{i}" for i in range(8)], "hours_per_week": [2.0] * 8,
         "visits_per_day": [1.0] * 8, "ranking": [()] * 8, "current_provider": [""] * 8},
        geometry=[Point(X0 + x, Y0 + 500) for x in xs], crs=3006)
    providers = gpd.GeoDataFrame(
        {"provider_id": ["M", "A", "B"], "kind": ["municipal", "external", "external"],
         "capacity_hours": list(capacity_hours)},
        geometry=[Point(X0 + 1000, Y0 + 900), Point(X0 + 200, Y0 + 900),
                  Point(X0 + 1800, Y0 + 900)], crs=3006)
    zones = gpd.GeoDataFrame({"zone_id": ["W", "E"]},
                             geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000),
                                       box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)], crs=3006)
    return hemopt.Scenario(clients, providers, zones=zones, boundary=box(X0, Y0, X0 + 2000,
                                                                          Y0 + 1000))


def _round_trips(office_x, xs, travel_min=None):
    """Road km and hours a week of 7 round trips from the office (y 900) to each client
    (y 500); default: MixedTravel's defaults (detour 1.3; 3 km at 25 km/h, the rest at 60;
    2 min per trip to park)."""
    def mixed(road_m):
        urban = min(road_m, 3000.0)
        return urban / 25_000 * 60 + (road_m - urban) / 60_000 * 60 + 2.0

    km = hours = 0.0
    for x in xs:
        straight = math.hypot(x - office_x, 400.0)
        road = straight * 1.3 if travel_min is None else straight
        km += 14 * road / 1000.0
        hours += 14 * (mixed(road) if travel_min is None else travel_min(road)) / 60.0
    return km, hours


def test_bid_prices_are_staff_time_travel_and_expansion():
    sc = corridor()
    a = assign(sc, Zoning(procured_zones=["W"]))
    bids = a.problem.layout.bids.set_index("provider_id")
    xs_w = 100 + 1800 * np.arange(4) / 7
    for pid, ox in (("A", 200.0), ("B", 1800.0)):
        km, hours = _round_trips(ox, xs_w)
        assert bids.loc[pid, "travel_km"] == pytest.approx(km)
        assert bids.loc[pid, "travel_hours"] == pytest.approx(hours)
        assert bids.loc[pid, "care_sek"] == 8 * 300.0
        assert bids.loc[pid, "travel_sek"] == pytest.approx(km * 4.0 + hours * 300.0)
        # nobody serves anyone now: each bidder expands by the lot's 8 h/week
        assert bids.loc[pid, "expansion_hours_per_week"] == 8.0
        assert bids.loc[pid, "expansion_sek"] == pytest.approx(8 * 1000.0 / 208.0)
        assert bids.loc[pid, "price_sek_per_week"] == pytest.approx(
            2400.0 + km * 4.0 + hours * 300.0 + 8000.0 / 208.0)
    assert bids["winner"].to_dict() == {"A": True, "B": False}
    assert a.problem.provider_of_zone == {"W": "A", "E": "M"}
    s = a.summary()
    assert s["procurement_shortfall_hours_per_week"] == 0.0  # 8 of 16 h: half
    assert math.isnan(s["guarantee_shortfall_hours_per_week"])


def test_bid_prices_follow_the_study_cost_model():
    """The tender prices staff hours and km with the study's CostParams and its car travel
    model: 377 SEK/h, 2.5 SEK/km, straight lines at 40 km/h, as computed by hand; a price
    the tender states itself wins; the regime the user gave is not changed."""
    from hemopt.travel import TravelModel

    car = TravelModel(detour_factor=1.0, speed_kmh=40.0, overhead_min=0.0)
    z = Zoning(procured_zones=["W"])
    zc = z.costed(377.0, 2.5, car)
    assert z.tender.sek_per_hour is None and z.tender.car is None  # the user's is unchanged
    bids = zc.layout(corridor()).bids.set_index("provider_id")
    xs_w = 100 + 1800 * np.arange(4) / 7
    for pid, ox in (("A", 200.0), ("B", 1800.0)):
        km, hours = _round_trips(ox, xs_w, travel_min=lambda road: road / 40_000 * 60)
        assert hours == pytest.approx(km / 40.0)
        assert bids.loc[pid, "care_sek"] == pytest.approx(8 * 377.0)
        assert bids.loc[pid, "travel_sek"] == pytest.approx(km * 2.5 + km / 40.0 * 377.0)
        assert bids.loc[pid, "price_sek_per_week"] == pytest.approx(
            8 * 377.0 + km * (2.5 + 377.0 / 40.0) + 8000.0 / 208.0)
    stated = Zoning(procured_zones=["W"], tender=Tender(sek_per_hour=350.0)).costed(
        377.0, 2.5, car)
    assert stated.tender.staff_sek_per_hour == 350.0 and stated.tender.km_sek == 2.5


def test_compare_prices_bids_with_its_cost_params():
    sc = corridor()
    cost = hemopt.CostParams(staff_sek_per_hour=377.0, sek_per_km=2.5)
    from hemopt.routing.approx import ExtrapolationWarning

    with pytest.warns(ExtrapolationWarning):  # 8 clients: far below the fitted day sizes
        comp = hemopt.compare(sc, [LOV(), Zoning(procured_zones=["W"])], routing="approx",
                              cost=cost, progress=False, continuity=False)
    bids = comp.assignments["Zoning"].problem.layout.bids.set_index("provider_id")
    km, hours = _round_trips(200.0, 100 + 1800 * np.arange(4) / 7)
    assert bids.loc["A", "care_sek"] == pytest.approx(8 * 377.0)
    assert bids.loc["A", "travel_sek"] == pytest.approx(km * 2.5 + hours * 377.0)


def test_tender_defaults_are_the_cost_model_defaults():
    """One source of truth: the prices a tender uses outside a study are CostParams' and
    TravelModes' defaults, and the expansion cost is the declared assumption's default."""
    from hemopt import procurement
    from hemopt.assumptions import by_name
    from hemopt.travel import TravelModes

    c = hemopt.CostParams()
    assert procurement.STAFF_SEK_PER_HOUR == c.staff_sek_per_hour
    assert procurement.SEK_PER_KM == c.sek_per_km
    assert Tender().car_model == TravelModes().car
    assert Tender().expansion_sek_per_hour == by_name(
        "procurement_expansion_sek_per_hour").default


def test_quality_weight_can_outweigh_price():
    sc = corridor()
    bids = Zoning(procured_zones=["W"]).layout(sc).bids.set_index("provider_id")
    ratio = bids.loc["A", "price_sek_per_week"] / bids.loc["B", "price_sek_per_week"]
    # B wins when 1 - w > ratio (its score B x (1 - w) below A's price)
    w = round(1 - ratio + 0.01, 4)
    for tender_w, winner in ((0.0, "A"), (w, "B")):
        z = Zoning(procured_zones=["W"], quality={"B": 1.0}, tender=Tender(quality_weight=tender_w))
        assert z.layout(sc).provider_of_zone.tolist() == [2 if winner == "B" else 1, 0]
    # the shorthand gives the same evaluation
    z2 = Zoning(procured_zones=["W"], quality={"B": 1.0}, quality_weight=w)
    assert z2.tender.quality_weight == w and z2.layout(sc).provider_of_zone[0] == 2


def test_capacity_check_stated_capacity_is_never_exceeded():
    # A states 5 h/week, less than W's 8: it is not qualified, B wins W
    a = assign(corridor((math.inf, 5.0, math.inf)), Zoning(procured_zones=["W"]))
    bids = a.problem.layout.bids.set_index("provider_id")
    assert not bids.loc["A", "capacity_ok"] and bids.loc["A", "capacity_stated"]
    assert bids.loc["B", "winner"]
    assert a.problem.provider_of_zone["W"] == "B"
    # both state 0: nobody can take W; it stays municipal, with a warning and the shortfall
    with pytest.warns(UserWarning, match="no bidder can take lot 'W'"):
        b = assign(corridor((math.inf, 0.0, 0.0)), Zoning(procured_zones=["W"]))
    assert b.problem.provider_of_zone["W"] == "M"
    assert not b.problem.layout.procured.any()
    assert b.summary()["procurement_shortfall_hours_per_week"] == pytest.approx(8.0)
    # a winner the user names without the capacity is refused
    with pytest.raises(InputError, match=r"winners\['W'\]: provider 'A' has capacity_hours 0"):
        assign(corridor((math.inf, 0.0, 0.0)), Zoning(winners={"W": "A"}))
    # a stated client capacity is a limit too: A may take 3 clients, W has 4
    sc = corridor()
    sc = sc.replace(providers=sc.providers.assign(capacity_clients=[math.inf, 3.0, math.inf],
                                                  capacity_hours=[math.inf] * 3))
    assert Zoning(procured_zones=["W"]).layout(sc).provider_of_zone[0] == 2
    with pytest.raises(InputError, match="capacity_clients 3, below area 'W''s 4 clients"):
        Zoning(winners={"W": "A"}).layout(sc)
    # without expansion, a bidder must already serve the volume
    with pytest.warns(UserWarning, match="no bidder"):
        c = Zoning(procured_zones=["W"], tender=Tender(allow_expansion=False)).layout(
            corridor())
    assert c.bids["capacity_ok"].sum() == 0


def test_lots_go_to_one_winner_and_capacity_carries_over():
    sc = corridor()
    lay = Zoning(procured_share=1.0, lots={"both": ["W", "E"]}).layout(sc)
    assert lay.lots == {"both": ("W", "E")}
    assert len(lay.bids) == 2 and lay.bids["volume_hours_per_week"].tolist() == [16.0, 16.0]
    assert lay.provider_of_zone[0] == lay.provider_of_zone[1] != 0
    # separate lots: each to its nearer bidder
    sep = Zoning(procured_share=1.0).layout(sc)
    assert sep.provider_of_zone.tolist() == [1, 2]
    # A states 10 h: it can take W (8 h) but then not E as well; lots of 8 h each
    with pytest.warns(UserWarning, match="no bidder can take lot 'y'"):
        lay2 = Zoning(procured_share=1.0, lots={"x": ["W"], "y": ["E"]}).layout(
            corridor((math.inf, 10.0, 0.0)))
    assert lay2.provider_of_zone.tolist() == [1, 0]
    assert lay2.bids.set_index(["lot", "provider_id"]).loc[("y", "A"),
                                                            "capacity_hours_per_week"] == 2.0
    assert lay2.procurement_shortfall_hours == 8.0  # E's 8 h of the 16 h target
    with pytest.raises(InputError, match="zone 'W' is in lots"):
        Zoning(lots={"x": ["W"], "y": ["W", "E"]}).layout(sc)


# ------------------------------------------------------------------------- LOU guarantee
def lou_line(c1_hours, *, third=False):
    """Area N with a chooser of A (``c1_hours``), one non-chooser n1 of 1 h near A's office,
    and choosers of the municipality making up 8 h/week. A's office is 200 m from n1, B's
    3.8 km; with ``third``, C (contracted for the empty area S) has its office next to n1."""
    hours = [c1_hours, 1.0, 8.0 - c1_hours - 1.0]
    clients = gpd.GeoDataFrame(
        {"client_id": ["c1", "n1", "m1"], "hours_per_week": hours,
         "ranking": [("A",), (), ("M",)], "current_provider": ["M"] * 3},
        geometry=[Point(X0 + 100, Y0), Point(X0 + 200, Y0), Point(X0 + 2000, Y0)], crs=3006)
    pids, kinds = ["M", "A", "B"], ["municipal", "external", "external"]
    xy = [(2000, 100), (0, 0), (4000, 0)]
    zones_of = [(), ("N",), ("N",)]
    if third:
        pids, kinds = [*pids, "C"], [*kinds, "external"]
        xy, zones_of = [*xy, (200, 50)], [*zones_of, ("S",)]
    providers = gpd.GeoDataFrame({"provider_id": pids, "kind": kinds, "zones": zones_of},
                                 geometry=[Point(X0 + x, Y0 + y) for x, y in xy], crs=3006)
    zones = gpd.GeoDataFrame({"zone_id": ["N", "S"]},
                             geometry=[box(X0 - 50, Y0 - 500, X0 + 4050, Y0 + 500),
                                       box(X0 - 50, Y0 + 500, X0 + 4050, Y0 + 1500)], crs=3006)
    return hemopt.Scenario(clients, providers, zones=zones,
                           boundary=box(X0 - 50, Y0 - 500, X0 + 4050, Y0 + 1500))


def _who(a, cid):
    return a.clients.set_index("client_id").loc[cid, "provider_id"]


def test_guarantee_picks_the_nearest_external_with_room():
    # 50 % of 8 h: A and B are each guaranteed 2 h; c1 gives A 1 h, so A is 1 h below its
    # share and B 2 h: the old rule sends n1 to B (furthest below), 3.8 km away
    sc = lou_line(1.0)
    near = assign(sc, LOU(0.5))
    assert _who(near, "n1") == "A"
    assert near.summary()["guarantee_shortfall_hours_per_week"] == pytest.approx(2.0)
    old = assign(sc, LOU(0.5, guarantee="below_share"))
    assert _who(old, "n1") == "B"
    assert old.summary()["guarantee_shortfall_hours_per_week"] == pytest.approx(2.0)
    assert _who(assign(sc, LOU(0.5, guarantee=True)), "n1") == "B"  # True: the old rule
    none = assign(sc, LOU(0.5, guarantee="none"))
    assert _who(none, "n1") == "M"
    assert math.isnan(none.summary()["guarantee_shortfall_hours_per_week"])
    # A full (c1 holds its 2 h): the nearest external *with room* is B
    full = assign(lou_line(2.0), LOU(0.5))
    assert _who(full, "c1") == "A" and _who(full, "n1") == "B"
    # C is nearer still and below its share, but contracted for another area
    c = assign(lou_line(1.0, third=True), LOU(0.75))
    assert _who(c, "n1") == "A"
    with pytest.raises(InputError, match="guarantee must be one of"):
        LOU(0.5, guarantee="closest")


def test_botkyrka_guarantee_shortfall_is_reported():
    sc = hemopt.generate("botkyrka", seed=1, scale=0.2)
    h = sc.clients["hours_per_week"].sum()
    for rule in ("nearest", "below_share"):
        s = assign(sc, LOU(0.5, guarantee=rule), seed=1).summary()
        short = s["guarantee_shortfall_hours_per_week"]
        # the shortfall is what the externals lack of their guaranteed 50 %
        assert short > 0
        assert s["external_share_hours"] * h + short == pytest.approx(0.5 * h, abs=0.5)
    for regime in (LOV(), Zoning()):
        s = assign(sc, regime).summary()
        assert math.isnan(s["guarantee_shortfall_hours_per_week"])
    assert math.isnan(assign(sc, LOV()).summary()["procurement_shortfall_hours_per_week"])
    assert math.isnan(assign(sc, LOU(0.2)).summary()["procurement_shortfall_hours_per_week"])


# ------------------------------------------------------------------------- capacities
def test_lou_with_client_capacities():
    # A may take one client: c1 (its chooser) fills it, n1 cannot be placed with A
    sc = lou_line(1.0)
    pr = sc.providers.assign(capacity_clients=[math.inf, 1.0, math.inf])
    a = assign(sc.replace(providers=pr), LOU(0.5))
    assert _who(a, "c1") == "A" and _who(a, "n1") == "B"
    pr0 = sc.providers.assign(capacity_clients=[math.inf, 0.0, 0.0])
    b = assign(sc.replace(providers=pr0), LOU(0.5))
    assert (b.client_providers() == "M").all()
    assert b.summary()["queue"] == 1  # c1 waits for A
    with pytest.raises(InputError, match="queue_policy='fifo'"):
        assign(sc.replace(providers=pr), LOU(0.5, queue_policy="min_cost"))
    # on the preset, every finite client capacity runs
    bk = hemopt.generate("botkyrka", seed=1, scale=0.1)
    caps = np.where(bk.providers["kind"] == "external", 3.0, math.inf)
    c = assign(bk.replace(providers=bk.providers.assign(capacity_clients=caps)), LOU(0.3))
    got = c.providers.set_index("provider_id")["clients"]
    assert (got.drop("M") <= 3).all() and c.summary()["unserved"] == 0


def test_the_default_providers_capacity_is_not_overwritten_silently():
    sc = corridor()
    pr = sc.providers.assign(capacity_clients=[0.0, math.inf, math.inf],
                             capacity_hours=[math.inf] * 3)
    for regime in (LOV(), Zoning(procured_zones=["W"])):
        with pytest.warns(UserWarning, match="default provider 'M' has capacity_clients 0"):
            a = assign(sc.replace(providers=pr), regime)
        assert a.summary()["unserved"] == 0


# ------------------------------------------------------------------------- strings
@pytest.mark.parametrize("text,share", [("LOU 1 %", 0.01), ("lou 0.5 %", 0.005),
                                        ("LOU 30 %", 0.3), ("lou0.3", 0.3), ("lou", 0.2),
                                        ("LOU 20%", 0.2), ("lou 1", 1.0), (" Lou 100 % ", 1.0)])
def test_regime_strings(text, share):
    assert regime_from_name(text).external_share == share


@pytest.mark.parametrize("text,match", [
    ("lou 30", "a share without % must be in"), ("lou 150 %", "external_share must be"),
    ("lou abc", "expected 'LOU'"), ("zoning 3", "only LOU takes a number"),
    ("lou -0.2", "expected 'LOU'"), ("lovx", "unknown regime")])
def test_regime_strings_refused(text, match):
    with pytest.raises(InputError, match=match):
        regime_from_name(text)


def test_bools_are_not_numbers():
    with pytest.raises(InputError, match="external_share"):
        LOU(True)
    with pytest.raises(InputError, match="n_zones"):
        Zoning(n_zones=True)
    with pytest.raises(InputError, match="procured_share"):
        Zoning(procured_share=False)
    with pytest.raises(InputError, match="quality_weight"):
        Tender(quality_weight=True)
    with pytest.raises(InputError, match="both give LOU's external share"):
        regime_from_name("lou 20 %", external_share=0.3)
