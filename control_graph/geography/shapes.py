"""Shapes of the geography as plain Python values, and cutting them to a box.

Coordinates are ``(lon, lat)`` degrees (WGS 84). Areas and lines carry a name and a kind;
polygons are an exterior ring then any holes, every ring closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal

from control_graph.errors import InvalidArgumentError

__all__ = [
    "WORLD",
    "Area",
    "AreaKind",
    "Basemap",
    "Bounds",
    "Line",
    "LineKind",
    "Point",
    "Polygon",
    "Ring",
    "bounds_of",
    "clip_line",
    "clip_polygon",
    "feature_collection",
    "inside",
    "overlaps",
    "pad_bounds",
    "ring_area",
]

Point = tuple[float, float]
"""``(lon, lat)`` in degrees, WGS 84."""
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]
"""The exterior ring first, then any holes; rings are closed (first point == last)."""
Bounds = tuple[float, float, float, float]
"""``(west, south, east, north)`` in degrees."""
WORLD: Bounds = (-180.0, -90.0, 180.0, 90.0)
AreaKind = Literal["land", "country", "admin1", "basemap"]
LineKind = Literal["coastline", "border", "admin1", "basemap"]


@dataclass(frozen=True)
class Area:
    """A named area: a piece of land, a country, a first-level unit or a basemap feature.

    ``country`` is the country's name for first-level units (``""`` otherwise);
    ``polygons`` are the area's polygons clipped to the bounds it was loaded for.
    """

    name: str
    kind: AreaKind
    polygons: tuple[Polygon, ...]
    country: str = ""

    def rings(self) -> Iterator[Ring]:
        """Every ring of every polygon, exteriors and holes alike."""
        for polygon in self.polygons:
            yield from polygon

    def label_point(self) -> Point:
        """A point inside the area's largest polygon, to write its name at.

        The centroid of the largest exterior ring when it falls inside the ring, otherwise
        the ring's middle vertex (a crescent's centroid can lie outside it).
        """
        largest = max((polygon[0] for polygon in self.polygons), key=ring_area)
        centroid = ring_centroid(largest)
        return centroid if inside(centroid, largest) else largest[len(largest) // 2]


@dataclass(frozen=True)
class Line:
    """A named line: a stretch of coast, a border, a boundary between states, a basemap line.

    Borders are named after the two sides (``"Bangladesh / Myanmar"``).
    """

    name: str
    kind: LineKind
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Basemap:
    """An analyst's own boundaries, read by :func:`read_basemap`.

    ``name_field`` is the property the names were read from (``None`` when no feature
    had a name-like property).
    """

    source: str
    areas: tuple[Area, ...] = ()
    lines: tuple[Line, ...] = ()
    name_field: str | None = field(default=None)

    def to_geojson(self) -> dict[str, Any]:
        """The basemap as a GeoJSON ``FeatureCollection`` (properties as in Geography's)."""
        return feature_collection(self.areas, self.lines)


def bounds_of(points: Iterable[Point]) -> Bounds:
    """The smallest bounds holding every ``(lon, lat)`` point.

    Examples
    --------
    >>> bounds_of([(97.4, 25.4), (96.9, 24.3)])
    (96.9, 24.3, 97.4, 25.4)
    """
    lons, lats = zip(*points, strict=True)
    return (min(lons), min(lats), max(lons), max(lats))


def pad_bounds(bounds: Bounds, margin: float = 0.1, *, minimum: float = 0.05) -> Bounds:
    """``bounds`` grown on every side by ``margin`` times its width and height.

    With a margin, each side grows by at least ``minimum`` degrees, so that a single
    point or a north-south line still gets an area around it; ``margin=0`` keeps the
    bounds as they are. Latitudes stay within the poles.

    Examples
    --------
    >>> pad_bounds((96.0, 24.0, 98.0, 25.0), 0.1)
    (95.8, 23.9, 98.2, 25.1)
    """
    west, south, east, north = bounds
    if not (west <= east and south <= north):
        raise InvalidArgumentError(f"bounds {bounds}: give (west, south, east, north)")
    if margin < 0:
        raise InvalidArgumentError(f"margin {margin}: give a fraction of zero or more")
    floor = minimum if margin > 0 else 0.0
    pad_x = max((east - west) * margin, floor)
    pad_y = max((north - south) * margin, floor)
    return (
        round(west - pad_x, 9),
        round(max(south - pad_y, -90.0), 9),
        round(east + pad_x, 9),
        round(min(north + pad_y, 90.0), 9),
    )


# -- clipping to a rectangle ---------------------------------------------------------


def overlaps(a: Sequence[float], b: Sequence[float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def within(a: Bounds, b: Bounds) -> bool:
    return b[0] <= a[0] and a[2] <= b[2] and b[1] <= a[1] and a[3] <= b[3]


def clip_polygon(polygon: Polygon, box: Bounds) -> Polygon | None:
    """The polygon cut to the box; ``None`` when nothing of its exterior is left.

    Sutherland-Hodgman against each side of the box: a concave ring may come back with
    edges running along the box's side, which fills correctly and is never stroked
    (coastlines and borders are drawn from the lines, not from the polygons' outlines).
    """
    if within(bounds_of(polygon[0]), box):
        return polygon
    rings = [clip_ring(ring, box) for ring in polygon]
    if not rings[0]:
        return None
    return tuple(ring for ring in rings if ring)


def clip_ring(ring: Ring, box: Bounds) -> Ring:
    west, south, east, north = box
    # Each side of the box as (axis, limit, +1 to keep above the limit or -1 below it).
    sides = ((0, west, 1.0), (0, east, -1.0), (1, south, 1.0), (1, north, -1.0))
    points = list(ring[:-1]) if ring[0] == ring[-1] else list(ring)
    for axis, limit, sign in sides:
        if not points:
            break
        kept: list[Point] = []
        previous = points[-1]
        was_in = (previous[axis] - limit) * sign >= 0
        for point in points:
            is_in = (point[axis] - limit) * sign >= 0
            if is_in != was_in:
                kept.append(_crossing(previous, point, axis, limit))
            if is_in:
                kept.append(point)
            previous, was_in = point, is_in
        points = kept
    if len(points) < 3:
        return ()
    return (*points, points[0])


def _crossing(a: Point, b: Point, axis: int, limit: float) -> Point:
    """Where segment ``a``-``b`` crosses the line ``x = limit`` (axis 0) or ``y = limit``."""
    t = (limit - a[axis]) / (b[axis] - a[axis])
    if axis == 0:
        return (limit, a[1] + t * (b[1] - a[1]))
    return (a[0] + t * (b[0] - a[0]), limit)


def clip_line(points: Sequence[Point], box: Bounds) -> list[tuple[Point, ...]]:
    """The pieces of a line inside the box (Liang-Barsky on each segment)."""
    if len(points) < 2:
        return []
    if within(bounds_of(points), box):
        return [tuple(points)]
    pieces: list[tuple[Point, ...]] = []
    current: list[Point] = []
    for a, b in pairwise(points):
        segment = _clip_segment(a, b, box)
        if segment is None:
            if len(current) > 1:
                pieces.append(tuple(current))
            current = []
            continue
        start, end = segment
        if not current or current[-1] != start:
            if len(current) > 1:
                pieces.append(tuple(current))
            current = [start]
        current.append(end)
        if end != b:
            pieces.append(tuple(current))
            current = []
    if len(current) > 1:
        pieces.append(tuple(current))
    return pieces


def _clip_segment(a: Point, b: Point, box: Bounds) -> tuple[Point, Point] | None:
    west, south, east, north = box
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0] - west), (dx, east - a[0]), (-dy, a[1] - south), (dy, north - a[1])):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return None
    start = a if low == 0 else (a[0] + low * dx, a[1] + low * dy)
    end = b if high == 1 else (a[0] + high * dx, a[1] + high * dy)
    return start, end


# -- small geometry helpers ----------------------------------------------------------


def ring_area(ring: Ring) -> float:
    return abs(_signed_area(ring))


def _signed_area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2.0


def ring_centroid(ring: Ring) -> Point:
    area = _signed_area(ring)
    if area == 0:
        xs, ys = zip(*ring, strict=True)
        return (sum(xs) / len(xs), sum(ys) / len(ys))
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in pairwise(ring):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return (cx / (6 * area), cy / (6 * area))


def inside(point: Point, ring: Ring) -> bool:
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in pairwise(ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def feature_collection(areas: Iterable[Area], lines: Iterable[Line]) -> dict[str, Any]:
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "properties": {"name": area.name, "kind": area.kind, "layer": "area"},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[list(map(list, ring)) for ring in p] for p in area.polygons],
            },
        }
        for area in areas
    ]
    features.extend(
        {
            "type": "Feature",
            "properties": {"name": line.name, "kind": line.kind, "layer": "line"},
            "geometry": {"type": "LineString", "coordinates": list(map(list, line.points))},
        }
        for line in lines
    )
    return {"type": "FeatureCollection", "features": features}
