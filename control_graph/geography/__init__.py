"""The geography under a map: land, coastlines, borders and states, offline.

control-graph ships a compact, simplified copy of Natural Earth (public domain) in
``control_graph/data/geography/`` (see the README there for its sources and versions):
land polygons, coastlines, country polygons and borders, and first-level units (states,
regions, provinces) with the lines between them. :func:`load_geography` returns the part
of it around an area as plain Python values -- lists of ``(lon, lat)`` rings and lines,
with names -- clipped to the area, ready for matplotlib, GeoJSON or a web page.
:func:`read_basemap` reads an analyst's own boundaries (say, townships) from a GeoJSON
file, or from any format GDAL reads when the optional ``pyogrio`` package is installed.

Nothing here imports matplotlib; coordinates are WGS 84 longitude, latitude in degrees.

Examples
--------
>>> from control_graph.geography import load_geography
>>> geo = load_geography((92.2, 19.8, 94.2, 21.5))        # coastal Rakhine
>>> sorted({area.name for area in geo.countries})
['Bangladesh', 'Myanmar']
>>> "Rakhine" in {area.name for area in geo.admin1}
True
>>> geo.bounds[0] < 92.2 and geo.bounds[2] > 94.2         # a margin around the area
True
>>> len(geo.coastlines) > 0
True
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from control_graph.geography.files import read_basemap
from control_graph.geography.shapes import (
    WORLD,
    Area,
    AreaKind,
    Basemap,
    Bounds,
    Line,
    LineKind,
    Point,
    Polygon,
    Ring,
    bounds_of,
    clip_line,
    clip_polygon,
    feature_collection,
    overlaps,
    pad_bounds,
)

__all__ = [
    "ATTRIBUTION",
    "Area",
    "AreaKind",
    "Basemap",
    "Bounds",
    "Geography",
    "Line",
    "LineKind",
    "Point",
    "Polygon",
    "Ring",
    "bounds_of",
    "load_geography",
    "pad_bounds",
    "read_basemap",
]

ATTRIBUTION = "Natural Earth"
"""What a figure should credit for the shipped geography (public domain, credit welcome)."""


@dataclass(frozen=True)
class Geography:
    """The shipped Natural Earth geography within ``bounds`` (see :func:`load_geography`)."""

    bounds: Bounds
    land: tuple[Area, ...]
    countries: tuple[Area, ...]
    admin1: tuple[Area, ...]
    coastlines: tuple[Line, ...]
    borders: tuple[Line, ...]
    admin1_lines: tuple[Line, ...]
    attribution: str = ATTRIBUTION

    def to_geojson(self) -> dict[str, Any]:
        """The geography as one GeoJSON ``FeatureCollection`` (RFC 7946).

        Each feature has ``name``, ``kind`` (``land``, ``country``, ``admin1``,
        ``coastline``, ``border``) and ``layer`` (``area`` or ``line``) properties.

        Examples
        --------
        >>> doc = load_geography((92.2, 19.8, 94.2, 21.5)).to_geojson()
        >>> doc["type"], {f["properties"]["kind"] for f in doc["features"]} >= {"land", "border"}
        ('FeatureCollection', True)
        """
        areas = (*self.land, *self.countries, *self.admin1)
        lines = (*self.coastlines, *self.borders, *self.admin1_lines)
        return feature_collection(areas, lines)


def load_geography(bounds: Bounds | None = None, *, margin: float = 0.1) -> Geography:
    """The shipped Natural Earth geography around ``bounds``, clipped to it.

    Parameters
    ----------
    bounds : (west, south, east, north), optional
        The area of interest in degrees, typically :func:`bounds_of` the places on a map.
        ``None`` returns the whole world (without a margin).
    margin : float
        The fraction of the width and height added on every side before clipping (see
        :func:`pad_bounds`); the result's ``bounds`` are the padded ones.

    Returns
    -------
    Geography
        Land, countries and first-level units as named polygons; coastlines, borders and
        the boundaries between first-level units as named lines; all clipped to
        ``Geography.bounds``. The data is simplified to about 500 m, which suits maps of
        a region or a country, not a town plan.

    Examples
    --------
    >>> geo = load_geography((97.0, 24.0, 98.0, 25.5), margin=0.2)
    >>> [line.name for line in geo.borders][:1]
    ['China / Myanmar']
    >>> "Kachin" in {area.name for area in geo.admin1}
    True
    """
    box = WORLD if bounds is None else pad_bounds(bounds, margin)
    store = _shipped_store()
    return Geography(
        bounds=box,
        land=tuple(store.areas("land", "land", box)),
        countries=tuple(store.areas("countries", "country", box)),
        admin1=tuple(store.areas("admin1", "admin1", box)),
        coastlines=tuple(store.lines("coastlines", "coastline", box)),
        borders=tuple(store.lines("borders", "border", box)),
        admin1_lines=tuple(store.lines("admin1_lines", "admin1", box)),
    )


# -- the shipped topology ------------------------------------------------------------


class _Store:
    """The shipped layers, with each arc decoded the first time a visible shape needs it.

    ``layers.json.gz`` holds, per layer, named items with their bounds, made of parts
    (as JSON text), each with its bounds and its arcs (TopoJSON's arc references: ``~i``
    is arc ``i`` reversed); ``arcs.i32.gz``
    holds every arc's points as one stream of int32 differences (see build.py there).
    """

    def __init__(self, header: Mapping[str, Any], stream: bytes) -> None:
        quantum = float(header["quantum"])
        steps = np.frombuffer(stream, dtype="<i4").reshape(-1, 2)
        self._points = np.cumsum(steps, axis=0, dtype=np.int64) * quantum + header["origin"]
        starts = np.asarray(header["arc_starts"], dtype=np.int64)
        self._starts = starts.tolist()
        low = np.minimum.reduceat(self._points, starts[:-1], axis=0)
        high = np.maximum.reduceat(self._points, starts[:-1], axis=0)
        self._bounds = np.column_stack([low, high]).tolist()
        self._arcs: dict[int, tuple[Point, ...]] = {}
        self.layers: Mapping[str, list[dict[str, Any]]] = header["layers"]

    def arc(self, index: int, box: Bounds) -> tuple[Point, ...]:
        """Arc ``index``; only its two ends when it lies wholly beyond one side of ``box``.

        Cutting a ring to a box drops every vertex beyond a side and keeps only where the
        ring crosses that side, so a stretch wholly beyond one side may be replaced by
        its ends without changing the result: far-off coasts cost nothing.
        """
        start, stop = self._starts[index], self._starts[index + 1]
        west, south, east, north = self._bounds[index]
        if east < box[0] or west > box[2] or north < box[1] or south > box[3]:
            first, last = self._points[start].tolist(), self._points[stop - 1].tolist()
            return ((first[0], first[1]), (last[0], last[1]))
        arc = self._arcs.get(index)
        if arc is None:
            arc = tuple(map(tuple, self._points[start:stop].tolist()))
            self._arcs[index] = arc
        return arc

    def chain(self, refs: Sequence[int], box: Bounds) -> tuple[Point, ...]:
        points: list[Point] = []
        for ref in refs:
            arc = self.arc(ref, box) if ref >= 0 else self.arc(~ref, box)[::-1]
            points.extend(arc if not points else arc[1:])
        return tuple(points)

    def _items(self, layer: str, box: Bounds) -> Iterator[tuple[dict[str, Any], list[Any]]]:
        """The items of ``layer`` that reach into ``box``, with their parts (format 2
        keeps each item's parts as JSON text, parsed here the first time it is shown:
        a map of one region parses a few dozen items, not the world's)."""
        for item in self.layers[layer]:
            if not overlaps(item["bbox"], box):
                continue
            parts = item["parts"]
            if isinstance(parts, str):
                parts = item["parts"] = json.loads(parts)
            yield item, parts

    def areas(self, layer: str, kind: AreaKind, box: Bounds) -> Iterator[Area]:
        for item, parts in self._items(layer, box):
            polygons: list[Polygon] = []
            for bbox, rings in parts:
                if overlaps(bbox, box):
                    polygon = clip_polygon(tuple(self.chain(ring, box) for ring in rings), box)
                    if polygon:
                        polygons.append(polygon)
            if polygons:
                yield Area(item["name"], kind, tuple(polygons), item.get("country", ""))

    def lines(self, layer: str, kind: LineKind, box: Bounds) -> Iterator[Line]:
        for item, parts in self._items(layer, box):
            for bbox, refs in parts:
                if overlaps(bbox, box):
                    for piece in clip_line(self.chain(refs, box), box):
                        yield Line(item["name"], kind, piece)


@lru_cache(maxsize=1)
def _shipped_store() -> _Store:
    folder = resources.files("control_graph") / "data" / "geography"
    header = json.loads(gzip.decompress((folder / "layers.json.gz").read_bytes()))
    return _Store(header, gzip.decompress((folder / "arcs.i32.gz").read_bytes()))
