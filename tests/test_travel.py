"""Tests of hemopt.travel: straight-line model and road-graph shortest paths."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from numpy.testing import assert_allclose

from hemopt.errors import InputError
from hemopt.travel import RoadGraphTravel, Travel, TravelModel

# --- TravelModel ------------------------------------------------------------------------------


def test_hand_checked_distance_and_time():
    xy = [[0.0, 0.0], [3000.0, 4000.0], [3000.0, 0.0]]
    model = TravelModel(detour_factor=1.3, speed_kmh=30.0, overhead_min=2.0)
    dist = model.distance_matrix_m(xy)
    assert_allclose(dist, 1.3 * np.array([[0, 5000, 3000], [5000, 0, 4000], [3000, 4000, 0]]))
    # 6.5 km at 30 km/h (0.5 km/min) = 13 min, + 2 min to park and walk
    time = model.time_matrix_min(xy)
    assert time[0, 1] == pytest.approx(15.0)
    assert time[0, 2] == pytest.approx(1.3 * 3000 / 500 + 2)
    assert_allclose(np.diagonal(time), 0.0)


def test_rectangular_and_matrices_agree():
    model = TravelModel.rural()
    a = np.array([[0.0, 0.0], [100.0, 0.0]])
    b = np.array([[0.0, 1000.0], [100.0, 0.0], [5.0, 5.0]])
    dist, time = model.matrices(a, b)
    assert dist.shape == (2, 3)
    assert_allclose(dist, model.distance_matrix_m(a, b))
    assert_allclose(time, model.time_matrix_min(a, b))
    assert dist[1, 1] == 0 and time[1, 1] == 0  # same place: no trip, no overhead
    assert dist[0, 0] == pytest.approx(1400.0)
    assert time[0, 0] == pytest.approx(1400.0 / (50 / 60 * 1000) + 1.0)


def test_same_place_has_no_overhead():
    model = TravelModel.urban()
    time = model.time_matrix_min([[10.0, 10.0], [10.0, 10.0], [20.0, 10.0]])
    assert time[0, 1] == 0.0
    assert time[0, 2] == pytest.approx(1.3 * 10 / (25 / 60 * 1000) + 2.0)


def test_presets_and_protocol():
    urban, rural = TravelModel.urban(), TravelModel.rural()
    assert (urban.detour_factor, urban.speed_kmh) == (1.3, 25.0)
    assert (rural.detour_factor, rural.speed_kmh) == (1.4, 50.0)
    assert TravelModel() == urban
    assert isinstance(urban, Travel)
    with pytest.raises(AttributeError):
        urban.speed_kmh = 10.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"detour_factor": 0.9}, "detour_factor"),
        ({"speed_kmh": 0.0}, "speed_kmh"),
        ({"speed_kmh": math.inf}, "speed_kmh"),
        ({"overhead_min": -1.0}, "overhead_min"),
    ],
)
def test_invalid_parameters(kwargs, field):
    with pytest.raises(InputError, match=field):
        TravelModel(**kwargs)


@pytest.mark.parametrize(
    ("xy", "match"),
    [
        ([1.0, 2.0], r"xy_from: expected an array of shape \(n, 2\)"),
        ([[1.0, 2.0, 3.0]], "shape"),
        ([[0.0, 0.0], [np.nan, 1.0]], "point 1"),
        ([["a", "b"]], "numbers"),
    ],
)
def test_bad_coordinates(xy, match):
    with pytest.raises(InputError, match=match):
        TravelModel().distance_matrix_m(xy)


def test_vectorised_large():
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 10_000, size=(500, 2))
    dist = TravelModel(detour_factor=1.0).distance_matrix_m(xy)
    i, j = 17, 401
    assert dist[i, j] == pytest.approx(math.dist(xy[i], xy[j]))
    assert_allclose(dist, dist.T)


# --- RoadGraphTravel --------------------------------------------------------------------------


def grid(n: int = 3, spacing: float = 1000.0, speed: float = 30.0) -> nx.Graph:
    """An n × n grid of streets, node (i, j) at (i * spacing, j * spacing)."""
    g = nx.Graph()
    for i in range(n):
        for j in range(n):
            g.add_node((i, j), x=i * spacing, y=j * spacing)
    for i in range(n):
        for j in range(n):
            if i + 1 < n:
                g.add_edge((i, j), (i + 1, j), length=spacing, speed_kmh=speed)
            if j + 1 < n:
                g.add_edge((i, j), (i, j + 1), length=spacing, speed_kmh=speed)
    return g


def test_grid_shortest_paths_by_hand():
    road = RoadGraphTravel(grid(), overhead_min=0.0)
    xy = [[0.0, 0.0], [2000.0, 2000.0], [1000.0, 0.0], [0.0, 2000.0]]
    dist = road.distance_matrix_m(xy)
    expected = np.array(
        [
            [0, 4000, 1000, 2000],
            [4000, 0, 3000, 2000],
            [1000, 3000, 0, 3000],
            [2000, 2000, 3000, 0],
        ],
        dtype=float,
    )
    assert_allclose(dist, expected)
    # 30 km/h = 500 m/min
    assert_allclose(road.time_matrix_min(xy), expected / 500.0)


def test_shortcut_and_fast_road_differ():
    g = grid()
    # a diagonal path (0,0)-(1,1): shorter; a fast ring road along the bottom row
    g.add_edge((0, 0), (1, 1), length=1500.0, speed_kmh=30.0)
    for i in range(2):
        g.edges[(i, 0), (i + 1, 0)]["speed_kmh"] = 120.0
    road = RoadGraphTravel(g, overhead_min=0.0)
    a, b = [[0.0, 0.0]], [[2000.0, 2000.0]]
    # shortest: diagonal 1500 + 2 blocks = 3500 m
    assert road.distance_matrix_m(a, b)[0, 0] == pytest.approx(3500.0)
    # fastest: 2 km at 120 km/h (1 min) + 2 km at 30 km/h (4 min) = 5 min,
    # against 3.5 km at 30 km/h = 7 min by the shortest path
    assert road.time_matrix_min(a, b)[0, 0] == pytest.approx(5.0)


def test_snapping_access_legs_and_overhead():
    road = RoadGraphTravel(grid(), default_speed_kmh=30.0, overhead_min=2.0)
    assert road.nearest_nodes([[10.0, 0.0], [1990.0, 1020.0]]) == [(0, 0), (2, 1)]
    idx, snap = road.snap([[10.0, 0.0]])
    assert road.node_ids[int(idx[0])] == (0, 0)
    assert snap[0] == pytest.approx(10.0)
    a = [[10.0, 0.0]]
    b = [[2000.0, 10.0]]
    # access 10 m + 2000 m of street + access 10 m
    assert road.distance_matrix_m(a, b)[0, 0] == pytest.approx(2020.0)
    assert road.time_matrix_min(a, b)[0, 0] == pytest.approx(2020.0 / 500.0 + 2.0)


def test_points_at_the_same_node_use_the_straight_line():
    road = RoadGraphTravel(grid(), default_speed_kmh=30.0, overhead_min=2.0)
    xy = [[0.0, 10.0], [10.0, 0.0], [10.0, 0.0]]
    dist, time = road.matrices(xy)
    assert dist[0, 1] == pytest.approx(math.sqrt(200.0))
    assert time[0, 1] == pytest.approx(math.sqrt(200.0) / 500.0 + 2.0)
    assert dist[1, 2] == 0.0 and time[1, 2] == 0.0  # same stairwell


def test_directed_multigraph():
    g = nx.MultiDiGraph()
    for name, x in (("a", 0.0), ("b", 1000.0), ("c", 2000.0)):
        g.add_node(name, x=x, y=0.0)
    g.add_edge("a", "b", length=1000.0)
    g.add_edge("a", "b", length=900.0)  # parallel: the shorter counts
    g.add_edge("b", "c", length=1000.0)
    g.add_edge("c", "a", length=5000.0)  # the only way back
    road = RoadGraphTravel(g, overhead_min=0.0)
    dist = road.distance_matrix_m([[0.0, 0.0], [2000.0, 0.0]])
    assert dist[0, 1] == pytest.approx(1900.0)
    assert dist[1, 0] == pytest.approx(5000.0)


def test_zero_length_edges_are_edges():
    g = nx.Graph()
    g.add_node(0, x=0.0, y=0.0)
    g.add_node(1, x=0.0, y=0.0)
    g.add_node(2, x=100.0, y=0.0)
    g.add_edge(0, 1, length=0.0)
    g.add_edge(1, 2, length=100.0)
    road = RoadGraphTravel(g, overhead_min=0.0)
    assert road._node_matrix(road._length, np.array([0]), np.array([2]))[0, 0] == 100.0


def test_matches_networkx_on_random_directed_graph():
    rng = np.random.default_rng(7)
    g = nx.gnp_random_graph(60, 0.08, seed=7, directed=True)
    for node in g.nodes:
        g.nodes[node]["x"], g.nodes[node]["y"] = rng.uniform(0, 5000, size=2)
    for u, v in g.edges:
        g.edges[u, v]["length"] = float(rng.uniform(50, 800))
    road = RoadGraphTravel(g, overhead_min=0.0)
    road._CHUNK_BYTES = 8 * 60 * 3  # three sources per Dijkstra call
    nodes = list(g.nodes)
    sources = rng.choice(nodes, size=12)
    targets = rng.choice(nodes, size=4)  # fewer targets: Dijkstra runs on the reversed graph
    expected = np.full((12, 4), np.inf)
    for i, s in enumerate(sources):
        lengths = nx.single_source_dijkstra_path_length(g, int(s), weight="length")
        for j, t in enumerate(targets):
            expected[i, j] = lengths.get(int(t), np.inf)
    idx = {n: k for k, n in enumerate(road.node_ids)}
    got = road._node_matrix(
        road._length,
        np.array([idx[int(s)] for s in sources]),
        np.array([idx[int(t)] for t in targets]),
    )
    assert_allclose(got, expected)


def test_disconnected_pair_names_the_points():
    g = grid(2)
    g.add_node("island", x=9000.0, y=9000.0)
    road = RoadGraphTravel(g)
    with pytest.raises(
        InputError, match=r"no road path from the place at x=0, y=0 \(point 0 of xy_from, node "
                          r"\(0, 0\)\) to the place at x=9000, y=9000 \(point 1 of xy_to, "
                          r"node 'island'\)"
    ):
        road.distance_matrix_m([[0.0, 0.0], [9000.0, 9000.0]])


def test_max_snap():
    road = RoadGraphTravel(grid(), max_snap_m=100.0)
    with pytest.raises(InputError, match=r"the place at x=500, y=500 \(point 1 of xy_from\) is "
                                         r"\d+ m from the nearest road node .*, more than "
                                         r"max_snap_m=100: check its x/y"):
        road.distance_matrix_m([[0.0, 0.0], [500.0, 500.0]])


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda g: g.add_node("bare"), r"node 'bare' has no 'x'"),
        (lambda g: g.add_node("str", x="east", y=1.0), "non-numeric coordinates"),
        (
            lambda g: g.add_edge((0, 0), (2, 2)),
            r"edge \(\(0, 0\), \(2, 2\)\) has no numeric 'length'",
        ),
        (lambda g: g.add_edge((0, 0), (2, 2), length=-5.0), "length -5.0"),
        (lambda g: g.add_edge((0, 0), (2, 2), length=5.0, speed_kmh=0), "speed_kmh 0"),
    ],
)
def test_bad_graph(mutate, match):
    g = grid()
    mutate(g)
    with pytest.raises(InputError, match=match):
        RoadGraphTravel(g)


def test_empty_graph():
    with pytest.raises(InputError, match="no nodes"):
        RoadGraphTravel(nx.Graph())
