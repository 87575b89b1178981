"""Travel distances and times between points, and how staff get about.

Every travel model declares :class:`Travel`: ``distance_matrix_m(xy_from, xy_to=None)``,
``time_matrix_min(xy_from, xy_to=None)`` and ``matrices(xy_from, xy_to=None)`` (both at once).
Distances are in metres, times in minutes. With ``xy_to=None`` the matrix is square, from every
point to every other.

:class:`TravelModel`
    straight-line (Euclidean) distance in SWEREF 99 TM metres × a detour factor, at a constant
    speed, plus a fixed overhead per trip (parking, walking to the door). Presets
    :meth:`TravelModel.urban`, :meth:`TravelModel.rural`, :meth:`TravelModel.walking` and
    :meth:`TravelModel.cycling`.
:class:`MixedTravel`
    the default for cars: straight line × detour factor, the first kilometres of a trip at an
    urban speed and the rest at a rural speed, plus an overhead per trip.
:class:`RoadGraphTravel`
    shortest paths in a road graph (networkx, nodes with ``x``/``y``, edges with ``length`` in
    metres and optionally ``speed_kmh``), points snapped to their nearest node.

:class:`TravelModel` and :class:`MixedTravel` are also :class:`StraightLineTravel`: their time
is a function of the road distance, which the continuous routing approximation needs.

:class:`TravelModes` says which staff walk, cycle or drive: the stops near a provider's base
are served on foot or by bicycle when there is enough work there for a shift, the rest by car.
Only car trips count as driven kilometres.

A trip between two points at the same place (two clients in the same stairwell) has distance 0
and takes no time: the per-trip overhead is only added to trips of positive length.

Examples
--------
>>> import numpy as np
>>> from hemopt.travel import TravelModel
>>> xy = np.array([[0.0, 0.0], [3000.0, 4000.0]])
>>> model = TravelModel(detour_factor=1.3, speed_kmh=30.0, overhead_min=2.0)
>>> model.distance_matrix_m(xy)
array([[   0., 6500.],
       [6500.,    0.]])
>>> model.time_matrix_min(xy)
array([[ 0., 15.],
       [15.,  0.]])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from hemopt.errors import InputError

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "MODES",
    "MixedTravel",
    "Mode",
    "RoadGraphTravel",
    "StraightLineTravel",
    "Travel",
    "TravelModel",
    "TravelModes",
]

#: metres per minute at 1 km/h
_M_PER_MIN_PER_KMH = 1000.0 / 60.0

#: How staff get about, from the nearest stops outwards.
Mode = Literal["walk", "bike", "car"]
MODES: tuple[Mode, ...] = ("walk", "bike", "car")


@runtime_checkable
class Travel(Protocol):
    """Anything that turns points into distance (m) and time (min) matrices.

    Examples
    --------
    >>> from hemopt.travel import MixedTravel, Travel, TravelModel
    >>> isinstance(TravelModel(), Travel), isinstance(MixedTravel(), Travel)
    (True, True)
    """

    def distance_matrix_m(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Distances in metres, shape ``(len(xy_from), len(xy_to))``."""
        ...

    def time_matrix_min(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Travel times in minutes, same shape."""
        ...

    def matrices(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Both matrices: ``(distance_m, time_min)``."""
        ...


@runtime_checkable
class StraightLineTravel(Travel, Protocol):
    """A :class:`Travel` whose road distance is ``detour_factor`` × the straight line and whose
    trip time is ``drive_min(road distance) + overhead_min`` for trips of positive length.

    The continuous routing approximation (:mod:`hemopt.routing.approx`) works with any model of
    this form; a road graph is not one.

    Examples
    --------
    >>> from hemopt.travel import MixedTravel, RoadGraphTravel, StraightLineTravel
    >>> isinstance(MixedTravel(), StraightLineTravel)
    True
    >>> float(MixedTravel().drive_min(1000.0))  # 1 km at 25 km/h
    2.4
    """

    @property
    def detour_factor(self) -> float:
        """Road distance / straight-line distance."""
        ...

    @property
    def overhead_min(self) -> float:
        """Minutes added to every trip of positive length."""
        ...

    def drive_min(self, road_m: ArrayLike) -> NDArray[np.float64]:
        """Minutes on the way for road distances ``road_m`` (metres), without the overhead."""
        ...


def as_xy(name: str, xy: ArrayLike) -> NDArray[np.float64]:
    """Validate and return an ``(n, 2)`` float array of coordinates in metres."""
    try:
        arr = np.array(xy, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: coordinates must be numbers, got {xy!r:.80}") from exc
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError(f"{name}: expected an array of shape (n, 2), got shape {arr.shape}")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}: point {i} has a non-finite coordinate {arr[i].tolist()}")
    return arr


def _where(xy: NDArray[np.float64]) -> str:
    """A point as the user's table gives it: ``x=615400, y=6583800``."""
    return f"x={xy[0]:.0f}, y={xy[1]:.0f}"


def _add_overhead(
    time_min: NDArray[np.float64], direct_m: NDArray[np.float64], overhead: float
) -> NDArray[np.float64]:
    """Add the per-trip overhead to trips between distinct points (``direct_m > 0``)."""
    if overhead > 0:
        time_min += np.where(direct_m > 0, overhead, 0.0)
    return time_min


def _check_positive(name: str, value: float, *, minimum: float = 0.0, strict: bool = True) -> None:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(value)
    ok = ok and (value > minimum if strict else value >= minimum)
    if not ok:
        op = ">" if strict else ">="
        raise InputError(f"{name} must be finite and {op} {minimum}, got {value!r}")


def _straight(xy_from: ArrayLike, xy_to: ArrayLike | None) -> NDArray[np.float64]:
    a = as_xy("xy_from", xy_from)
    b = a if xy_to is None else as_xy("xy_to", xy_to)
    return cdist(a, b)


class _StraightLineMatrices:
    """The matrices of a straight-line model: road distance = straight line ×
    ``detour_factor``; time = ``drive_min(distance)`` + ``overhead_min`` per trip of positive
    length. Shared by :class:`TravelModel` and :class:`MixedTravel`, which differ only in
    ``drive_min``."""

    detour_factor: float
    overhead_min: float

    def drive_min(self, road_m: ArrayLike) -> NDArray[np.float64]:  # pragma: no cover
        raise NotImplementedError

    def distance_matrix_m(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Road distance estimate in metres, shape ``(len(xy_from), len(xy_to))``."""
        return _straight(xy_from, xy_to) * self.detour_factor

    def time_matrix_min(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Travel time in minutes, overhead included, same shape as the distance matrix."""
        return self.matrices(xy_from, xy_to)[1]

    def matrices(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Both matrices: ``(distance_m, time_min)``."""
        dist = self.distance_matrix_m(xy_from, xy_to)
        return dist, _add_overhead(self.drive_min(dist), dist, self.overhead_min)


@dataclass(frozen=True)
class TravelModel(_StraightLineMatrices):
    """Straight line × detour factor at a constant speed, plus an overhead per trip.

    Parameters
    ----------
    detour_factor
        Road distance / straight-line distance (circuity), at least 1. Default 1.3 (urban).
    speed_kmh
        Average speed, km/h, stops at junctions and congestion included, parking excluded.
        Default 25 (urban driving).
    overhead_min
        Fixed time added to every trip of positive length: finding a parking place and
        walking to the entrance, minutes. Default 2 (urban).

    Notes
    -----
    The defaults and presets are discussed, with sources, in ``docs/routing.md``. They are
    starting points: calibrate ``detour_factor`` against a road graph
    (:class:`RoadGraphTravel`) or a routing service for the municipality at hand.

    Examples
    --------
    >>> TravelModel.rural()
    TravelModel(detour_factor=1.4, speed_kmh=50.0, overhead_min=1.0)
    >>> TravelModel.walking().time_matrix_min([[0, 0], [600, 800]]).round(1)
    array([[ 0. , 17.8],
           [17.8,  0. ]])
    """

    detour_factor: float = 1.3
    speed_kmh: float = 25.0
    overhead_min: float = 2.0

    def __post_init__(self) -> None:
        _check_positive("TravelModel.detour_factor", self.detour_factor, minimum=1.0,
                        strict=False)
        _check_positive("TravelModel.speed_kmh", self.speed_kmh)
        _check_positive("TravelModel.overhead_min", self.overhead_min, strict=False)

    @classmethod
    def urban(cls) -> TravelModel:
        """Town centre and suburbs by car: detour 1.3, 25 km/h, 2 min per trip to park."""
        return cls(detour_factor=1.3, speed_kmh=25.0, overhead_min=2.0)

    @classmethod
    def rural(cls) -> TravelModel:
        """Villages and farms by car: detour 1.4, 50 km/h, 1 min per trip to park."""
        return cls(detour_factor=1.4, speed_kmh=50.0, overhead_min=1.0)

    @classmethod
    def walking(cls) -> TravelModel:
        """On foot in a town: detour 1.3, 4.5 km/h, 0.5 min per trip to the door."""
        return cls(detour_factor=1.3, speed_kmh=4.5, overhead_min=0.5)

    @classmethod
    def cycling(cls) -> TravelModel:
        """By bicycle in a town: detour 1.3, 13 km/h, 1 min per trip to lock the bicycle."""
        return cls(detour_factor=1.3, speed_kmh=13.0, overhead_min=1.0)

    def drive_min(self, road_m: ArrayLike) -> NDArray[np.float64]:
        """Minutes on the way for road distances ``road_m`` (metres), without the overhead."""
        return np.asarray(road_m, dtype=np.float64) / (self.speed_kmh * _M_PER_MIN_PER_KMH)



@dataclass(frozen=True)
class MixedTravel(_StraightLineMatrices):
    """Cars in a municipality of towns and countryside: road distance = straight line ×
    ``detour_factor``; the first ``urban_m`` metres of a trip at ``urban_kmh``, the rest at
    ``rural_kmh``; plus ``overhead_min`` per trip of positive length (parking, walking to the
    door). The default car travel of :func:`hemopt.route_day` (defaults in
    ``docs/routing.md``).

    Parameters
    ----------
    detour_factor
        Road distance / straight-line distance, at least 1. Default 1.3.
    urban_kmh, rural_kmh
        Speeds of the first ``urban_m`` metres and of the rest of a trip. Default 25 and 60.
    urban_m
        Length of a trip driven at the urban speed, metres (>= 0). Default 3,000.
    overhead_min
        Minutes added to every trip of positive length. Default 2.

    Raises
    ------
    InputError
        A parameter that is not finite or out of its range, naming it and its value.

    Examples
    --------
    >>> t = MixedTravel(detour_factor=1.0, urban_kmh=30.0, rural_kmh=60.0, urban_m=3000.0,
    ...                 overhead_min=2.0)
    >>> t.time_matrix_min([[0, 0], [9000, 0]])  # 3 km in 6 min, 6 km in 6 min, 2 min to park
    array([[ 0., 14.],
           [14.,  0.]])
    """

    detour_factor: float = 1.3
    urban_kmh: float = 25.0
    rural_kmh: float = 60.0
    urban_m: float = 3000.0
    overhead_min: float = 2.0

    def __post_init__(self) -> None:
        _check_positive("MixedTravel.detour_factor", self.detour_factor, minimum=1.0,
                        strict=False)
        _check_positive("MixedTravel.urban_kmh", self.urban_kmh)
        _check_positive("MixedTravel.rural_kmh", self.rural_kmh)
        _check_positive("MixedTravel.urban_m", self.urban_m, strict=False)
        _check_positive("MixedTravel.overhead_min", self.overhead_min, strict=False)

    def drive_min(self, road_m: ArrayLike) -> NDArray[np.float64]:
        """Minutes on the way for road distances ``road_m`` (metres), without the overhead."""
        d = np.asarray(road_m, dtype=np.float64)
        urban = np.minimum(d, self.urban_m)
        return (urban / (self.urban_kmh * _M_PER_MIN_PER_KMH)
                + (d - urban) / (self.rural_kmh * _M_PER_MIN_PER_KMH))



@dataclass(frozen=True)
class TravelModes:
    """Who walks, cycles or drives: the travel mode of each stop.

    A provider's stops of one shift from one base are split in rings around the base: stops
    within ``walk_within_m`` (straight line) are served on foot, the next ones up to
    ``bike_within_m`` by bicycle, the rest by car, each ring by its own staff shifts. A ring
    with less than ``min_service_min`` minutes of service is too little work for a shift of
    its own: its stops go to the next mode outwards (walk → bike → car), unless no stop is
    farther out. Only car trips are driven kilometres.

    Calibrated against a real Swedish home-care day (17 of 32 staff drove, 12 walked, 3
    cycled); see ``docs/routing.md``.

    Parameters
    ----------
    car, walk, bike
        The travel model of each mode. ``car`` is any :class:`Travel` (default
        :class:`MixedTravel`); the continuous approximation needs
        :class:`StraightLineTravel` models.
    walk_within_m, bike_within_m
        Radii of the walking and cycling rings around the base, straight-line metres
        (``0 <= walk_within_m <= bike_within_m``; 0 switches a mode off). Default 1,100 m
        (about 19 minutes on foot) and 1,600 m.
    min_service_min
        Service minutes a walking or cycling ring needs for shifts of its own. Default 240:
        half a day shift's work.

    Raises
    ------
    InputError
        A radius or minimum that is negative or not finite, or radii out of order.

    Examples
    --------
    >>> import numpy as np
    >>> modes = TravelModes(min_service_min=0.0)
    >>> modes.mode_of(np.array([300.0, 1500.0, 8000.0]), np.array([30.0, 30.0, 30.0]))
    array(['walk', 'bike', 'car'], dtype=object)
    >>> TravelModes(walk_within_m=0.0, bike_within_m=0.0).mode_of(np.array([300.0]),
    ...                                                             np.array([30.0]))
    array(['car'], dtype=object)
    """

    car: Travel = field(default_factory=MixedTravel)
    walk: Travel = field(default_factory=TravelModel.walking)
    bike: Travel = field(default_factory=TravelModel.cycling)
    walk_within_m: float = 1100.0
    bike_within_m: float = 1600.0
    min_service_min: float = 240.0

    def __post_init__(self) -> None:
        for name in ("car", "walk", "bike"):
            if not isinstance(getattr(self, name), Travel):
                raise InputError(f"TravelModes.{name}: expected a travel model (Travel), got "
                                 f"{type(getattr(self, name)).__name__}")
        _check_positive("TravelModes.walk_within_m", self.walk_within_m, strict=False)
        _check_positive("TravelModes.bike_within_m", self.bike_within_m, strict=False)
        _check_positive("TravelModes.min_service_min", self.min_service_min, strict=False)
        if self.bike_within_m < self.walk_within_m:
            raise InputError(
                f"TravelModes: bike_within_m = {self.bike_within_m!r} is less than "
                f"walk_within_m = {self.walk_within_m!r}; the cycling ring lies outside the "
                "walking ring"
            )

    @classmethod
    def car_only(cls, car: Travel | None = None) -> TravelModes:
        """Everyone drives (``car``, default :class:`MixedTravel`)."""
        return cls(car=car or MixedTravel(), walk_within_m=0.0, bike_within_m=0.0)

    @classmethod
    def of(cls, travel: Travel | TravelModes | None) -> TravelModes:
        """``travel`` as modes: ``None`` gives the default modes, a single travel model
        :meth:`car_only` with it, modes themselves.

        Raises
        ------
        InputError
            ``travel`` is neither a travel model nor modes.
        """
        if travel is None:
            return cls()
        if isinstance(travel, TravelModes):
            return travel
        if isinstance(travel, Travel):
            return cls.car_only(travel)
        raise InputError(f"travel: expected a travel model (Travel) or TravelModes, got "
                         f"{type(travel).__name__}")

    def travel(self, mode: str) -> Travel:
        """The travel model of ``mode`` (``"walk"``, ``"bike"`` or ``"car"``)."""
        if mode not in MODES:
            raise InputError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
        return getattr(self, mode)

    def mode_of(self, base_m: ArrayLike, service_min: ArrayLike) -> NDArray[np.object_]:
        """The mode of each stop of one provider, base and shift.

        Parameters
        ----------
        base_m
            Straight-line distance of each stop from the base, metres.
        service_min
            Service minutes of each stop.

        Returns
        -------
        numpy.ndarray of str
            ``"walk"``, ``"bike"`` or ``"car"`` per stop.
        """
        r = np.asarray(base_m, dtype=np.float64)
        svc = np.asarray(service_min, dtype=np.float64)
        mode = np.full(len(r), "car", dtype=object)
        if self.bike_within_m > 0:
            mode[r <= self.bike_within_m] = "bike"
        if self.walk_within_m > 0:
            mode[r <= self.walk_within_m] = "walk"
        rank: dict[str, int] = {m: k for k, m in enumerate(MODES)}
        for inner, outer in (("walk", "bike"), ("bike", "car")):
            ring = mode == inner
            if not ring.any():
                continue
            farther = np.array([rank[m] > rank[inner] for m in mode], dtype=np.bool_)
            if svc[ring].sum() < self.min_service_min and farther.any():
                mode[ring] = outer
        return mode

    def as_dict(self) -> dict[str, Any]:
        """The parameters as plain values (the travel models by class name and fields)."""
        out: dict[str, Any] = {}
        for name in ("car", "walk", "bike"):
            model = getattr(self, name)
            fields_ = getattr(model, "__dataclass_fields__", {})
            out[name] = {"model": type(model).__name__,
                         **{k: getattr(model, k) for k in fields_}}
        for name in ("walk_within_m", "bike_within_m", "min_service_min"):
            out[name] = getattr(self, name)
        return out


class RoadGraphTravel:
    """Shortest-path distances and times in a road graph.

    Points are snapped to the nearest graph node (k-d tree). The distance between two points
    is the straight-line access leg from the first point to its node, the shortest path in the
    graph, and the access leg from the last node to the second point. Two points snapped to the
    same node are joined by the straight line between them. Access legs are driven at
    ``default_speed_kmh``.

    :meth:`distance_matrix_m` gives the length of the shortest path, :meth:`time_matrix_min`
    the duration of the fastest path (they differ where fast roads are longer).

    Parameters
    ----------
    graph
        A networkx ``Graph``, ``DiGraph``, ``MultiGraph`` or ``MultiDiGraph``. Every node needs
        numeric ``x`` and ``y`` attributes (SWEREF 99 TM metres, the same system as the
        points), every edge a ``length`` in metres (>= 0) and optionally ``speed_kmh`` (> 0).
        Undirected edges can be driven both ways; of parallel edges the shortest (fastest)
        counts. The graph is converted once to scipy sparse matrices; networkx is not used
        afterwards.
    default_speed_kmh
        Speed on edges without ``speed_kmh`` and on the access legs. Default 25.
    overhead_min
        Fixed time added to every trip of positive length (parking, walking). Default 2.
    max_snap_m
        If given, a point farther than this from every node is an error. Default: no limit.

    Raises
    ------
    InputError
        A node without coordinates, an edge without a valid length or speed, an empty graph.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_node("a", x=0.0, y=0.0)
    >>> g.add_node("b", x=1000.0, y=0.0)
    >>> g.add_edge("a", "b", length=1200.0, speed_kmh=36.0)
    >>> road = RoadGraphTravel(g, overhead_min=0.0)
    >>> road.distance_matrix_m([[0.0, 0.0], [1000.0, 0.0]])
    array([[   0., 1200.],
           [1200.,    0.]])
    >>> road.time_matrix_min([[0.0, 0.0], [1000.0, 0.0]])
    array([[0., 2.],
           [2., 0.]])
    """

    #: Bytes of Dijkstra output held at once (rows of the full node × node matrix).
    _CHUNK_BYTES = 128 * 2**20

    def __init__(
        self,
        graph: nx.Graph,
        *,
        default_speed_kmh: float = 25.0,
        overhead_min: float = 2.0,
        max_snap_m: float | None = None,
    ) -> None:
        _check_positive("default_speed_kmh", default_speed_kmh)
        _check_positive("overhead_min", overhead_min, strict=False)
        if max_snap_m is not None:
            _check_positive("max_snap_m", max_snap_m, strict=False)
        self.default_speed_kmh = float(default_speed_kmh)
        self.overhead_min = float(overhead_min)
        self.max_snap_m = None if max_snap_m is None else float(max_snap_m)

        nodes = list(graph.nodes)
        if not nodes:
            raise InputError("graph: the road graph has no nodes")
        self.node_ids: list[Any] = nodes
        index = {node: i for i, node in enumerate(nodes)}
        xy = np.empty((len(nodes), 2))
        for i, (node, data) in enumerate(graph.nodes(data=True)):
            try:
                xy[i] = (float(data["x"]), float(data["y"]))
            except KeyError as exc:
                raise InputError(
                    f"graph: node {node!r} has no {exc.args[0]!r} attribute "
                    "(every node needs x and y coordinates in metres)"
                ) from None
            except (TypeError, ValueError):
                raise InputError(
                    f"graph: node {node!r} has non-numeric coordinates "
                    f"x={data.get('x')!r}, y={data.get('y')!r}"
                ) from None
            if not np.isfinite(xy[i]).all():
                raise InputError(f"graph: node {node!r} has non-finite coordinates {xy[i]}")
        self.node_xy = xy
        self._tree = cKDTree(xy)

        frm, to, length, minutes = [], [], [], []
        for u, v, data in graph.edges(data=True):
            length_m = data.get("length")
            try:
                length_m = float(length_m)
            except (TypeError, ValueError):
                raise InputError(
                    f"graph: edge ({u!r}, {v!r}) has no numeric 'length' attribute "
                    f"(metres), got {data.get('length')!r}"
                ) from None
            if not (math.isfinite(length_m) and length_m >= 0):
                raise InputError(
                    f"graph: edge ({u!r}, {v!r}) has length {length_m!r}; "
                    "need a finite length >= 0 in metres"
                )
            speed = data.get("speed_kmh", self.default_speed_kmh)
            try:
                speed = float(speed)
            except (TypeError, ValueError):
                speed = float("nan")
            if not (math.isfinite(speed) and speed > 0):
                raise InputError(
                    f"graph: edge ({u!r}, {v!r}) has speed_kmh {data.get('speed_kmh')!r}; "
                    "need a finite speed > 0"
                )
            frm.append(index[u])
            to.append(index[v])
            length.append(length_m)
            minutes.append(length_m / (speed * _M_PER_MIN_PER_KMH))
        rows = np.asarray(frm, dtype=np.int64)
        cols = np.asarray(to, dtype=np.int64)
        if not graph.is_directed():
            rows, cols = np.concatenate([rows, cols]), np.concatenate([cols, rows])
            length = length + length
            minutes = minutes + minutes
        n = len(nodes)
        self._length = _sparse_min(rows, cols, np.asarray(length), n)
        self._minutes = _sparse_min(rows, cols, np.asarray(minutes), n)
        self.directed = bool(graph.is_directed())

    @property
    def n_nodes(self) -> int:
        """Number of nodes in the road graph."""
        return len(self.node_ids)

    def snap(self, xy: ArrayLike, *, name: str = "xy") -> tuple[NDArray[np.int64], NDArray]:
        """Nearest node of every point.

        Returns
        -------
        node_index, snap_m
            Position of the nearest node in :attr:`node_ids`, and the straight-line distance
            to it in metres.
        """
        pts = as_xy(name, xy)
        snap_m, idx = self._tree.query(pts)
        if self.max_snap_m is not None and len(pts) and snap_m.max() > self.max_snap_m:
            i = int(np.argmax(snap_m))
            raise InputError(
                f"the place at {_where(pts[i])} (point {i} of {name}) is {snap_m[i]:.0f} m from "
                f"the nearest road node {self.node_ids[idx[i]]!r}, more than "
                f"max_snap_m={self.max_snap_m:g}: check its x/y (SWEREF 99 TM metres, "
                "EPSG:3006), or give a road graph that covers it"
            )
        return np.asarray(idx, dtype=np.int64), np.asarray(snap_m, dtype=np.float64)

    def nearest_nodes(self, xy: ArrayLike) -> list[Any]:
        """Ids of the nearest graph node of every point."""
        idx, _ = self.snap(xy)
        return [self.node_ids[i] for i in idx]

    def distance_matrix_m(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Shortest-path distance in metres, access legs included."""
        return self._matrix(xy_from, xy_to, time=False)

    def time_matrix_min(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Fastest-path time in minutes, access legs and per-trip overhead included."""
        return self._matrix(xy_from, xy_to, time=True)

    def matrices(
        self, xy_from: ArrayLike, xy_to: ArrayLike | None = None
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Both matrices: ``(distance_m, time_min)``."""
        return (
            self._matrix(xy_from, xy_to, time=False),
            self._matrix(xy_from, xy_to, time=True),
        )

    # -- internals ---------------------------------------------------------------------------

    def _matrix(self, xy_from: ArrayLike, xy_to: ArrayLike | None, *, time: bool) -> NDArray:
        a = as_xy("xy_from", xy_from)
        b = a if xy_to is None else as_xy("xy_to", xy_to)
        na, snap_a = self.snap(a, name="xy_from")
        nb, snap_b = (na, snap_a) if xy_to is None else self.snap(b, name="xy_to")
        graph = self._minutes if time else self._length
        net = self._node_matrix(graph, na, nb)
        if np.isinf(net).any():
            bad = np.argwhere(np.isinf(net))
            i, j = (int(k) for k in bad[0])
            raise InputError(
                f"graph: no road path from the place at {_where(a[i])} (point {i} of xy_from, "
                f"node {self.node_ids[na[i]]!r}) to the place at {_where(b[j])} (point {j} of "
                f"xy_to, node {self.node_ids[nb[j]]!r}): they lie in parts of the road graph that "
                f"do not connect ({len(bad)} pair(s) of places)"
            )
        same = na[:, None] == nb[None, :]
        direct = cdist(a, b)
        access = snap_a[:, None] + snap_b[None, :]
        if not time:
            return np.where(same, direct, net + access)
        speed = self.default_speed_kmh * _M_PER_MIN_PER_KMH
        minutes = np.where(same, direct, access) / speed + net
        return _add_overhead(minutes, direct, self.overhead_min)

    def _node_matrix(
        self, graph: csr_matrix, rows: NDArray[np.int64], cols: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        """Shortest paths between nodes ``rows[i]`` and ``cols[j]``."""
        urows, inv_r = np.unique(rows, return_inverse=True)
        ucols, inv_c = np.unique(cols, return_inverse=True)
        transpose = len(ucols) < len(urows)
        if transpose:  # run Dijkstra from the fewer endpoints, on the reversed graph
            graph = graph.T.tocsr()
            urows, ucols = ucols, urows
        out = np.empty((len(urows), len(ucols)))
        chunk = max(1, self._CHUNK_BYTES // (8 * self.n_nodes))
        for start in range(0, len(urows), chunk):
            src = urows[start : start + chunk]
            dist = dijkstra(graph, directed=True, indices=src)
            out[start : start + chunk] = dist[:, ucols]
        if transpose:
            out = out.T
        return out[inv_r][:, inv_c]


def _sparse_min(
    rows: NDArray[np.int64], cols: NDArray[np.int64], weight: NDArray[np.float64], n: int
) -> csr_matrix:
    """CSR matrix keeping the smallest weight of parallel edges (explicit zeros are edges)."""
    keep = rows != cols  # self-loops never shorten a path
    rows, cols, weight = rows[keep], cols[keep], weight[keep]
    order = np.lexsort((weight, cols, rows))
    rows, cols, weight = rows[order], cols[order], weight[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return csr_matrix((weight[first], (rows[first], cols[first])), shape=(n, n))
