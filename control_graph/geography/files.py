"""Reading an analyst's own boundaries: GeoJSON with the standard library, any other
format GDAL reads through the optional pyogrio."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from control_graph.errors import InvalidArgumentError
from control_graph.geography.shapes import (
    WORLD,
    Area,
    Basemap,
    Bounds,
    Line,
    Point,
    Ring,
    clip_line,
    clip_polygon,
    pad_bounds,
)

__all__ = ["read_basemap"]


def read_basemap(path: str | Path, bounds: Bounds | None = None, *, margin: float = 0.1) -> Basemap:
    """An analyst's own boundaries from a file, clipped to ``bounds`` plus ``margin``.

    GeoJSON (``.geojson``/``.json``) is read with the standard library; any other format
    GDAL reads (a shapefile, GeoPackage, KML, ...) needs the optional ``pyogrio`` package
    (``pip install pyogrio``). Coordinates must be longitude/latitude (WGS 84, as RFC
    7946 requires of GeoJSON; other files are reprojected to it by GDAL). Polygons become
    :class:`Area` values and lines :class:`Line` values; points are ignored. Names are read
    from the first of ``name``, ``NAME``, ``name_en``, ``label`` ... found in a feature's
    properties.

    Raises
    ------
    InvalidArgumentError
        The file is missing, unreadable, not GeoJSON (without ``pyogrio``), or has no
        polygons or lines.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> ring = [[96.0, 24.0], [97.0, 24.0], [97.0, 25.0], [96.0, 24.0]]
    >>> doc = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"name": "Township A"},
    ...     "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "townships.geojson"
    >>> _ = path.write_text(json.dumps(doc))
    >>> basemap = read_basemap(path)
    >>> [(area.name, area.kind) for area in basemap.areas], basemap.name_field
    ([('Township A', 'basemap')], 'name')
    """
    file = Path(path)
    if not file.is_file():
        raise InvalidArgumentError(f"basemap {file}: no such file")
    features = _read_features(file)
    box = WORLD if bounds is None else pad_bounds(bounds, margin)
    name_field = _name_field(feature.get("properties") or {} for feature in features)
    areas: list[Area] = []
    lines: list[Line] = []
    for feature in features:
        properties = feature.get("properties") or {}
        name = str(properties.get(name_field) or "") if name_field else ""
        for kind, coordinates in _parts(feature.get("geometry")):
            if kind == "polygon":
                polygon = clip_polygon(tuple(_as_ring(ring) for ring in coordinates), box)
                if polygon:
                    areas.append(Area(name, "basemap", (polygon,)))
            else:
                points = tuple(_as_point(point) for point in coordinates)
                lines.extend(Line(name, "basemap", piece) for piece in clip_line(points, box))
    if not areas and not lines and not _has_shapes(features):
        raise InvalidArgumentError(f"basemap {file}: no polygons or lines in the file")
    return Basemap(str(file), tuple(areas), tuple(lines), name_field)


# -- reading an analyst's basemap ----------------------------------------------------

_NAME_FIELDS = ("name", "NAME", "Name", "name_en", "NAME_EN", "label", "LABEL", "title")


def _read_features(file: Path) -> list[dict[str, Any]]:
    if file.suffix.lower() in (".geojson", ".json"):
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvalidArgumentError(f"basemap {file}: not readable GeoJSON ({error})") from None
        return _geojson_features(document, file)
    return _gdal_features(file)


def _geojson_features(document: Any, file: Path) -> list[dict[str, Any]]:
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "FeatureCollection":
        return [f for f in document.get("features") or [] if isinstance(f, dict)]
    if kind == "Feature":
        return [document]
    if kind in _GEOMETRY_TYPES:
        return [{"type": "Feature", "properties": {}, "geometry": document}]
    raise InvalidArgumentError(f"basemap {file}: not a GeoJSON feature collection")


def _gdal_features(file: Path) -> list[dict[str, Any]]:
    """Features of any file GDAL reads, through GeoJSON that GDAL writes in WGS 84."""
    try:
        from pyogrio import raw  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise InvalidArgumentError(
            f"basemap {file}: only GeoJSON is read without GDAL; "
            "install pyogrio (pip install pyogrio) for other formats"
        ) from None
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "basemap.geojson"
        try:
            meta, _, geometry, values = raw.read(file)
            # RFC7946=YES makes GDAL reproject to longitude/latitude on WGS 84.
            raw.write(
                target,
                geometry,
                values,
                fields=meta["fields"],
                crs=meta["crs"],
                geometry_type=meta["geometry_type"],
                driver="GeoJSON",
                layer_options={"RFC7946": "YES"},
            )
        except Exception as error:
            raise InvalidArgumentError(f"basemap {file}: GDAL cannot read it ({error})") from None
        return _geojson_features(json.loads(target.read_text(encoding="utf-8")), file)


_GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)


def _parts(geometry: Any) -> Iterator[tuple[Literal["polygon", "line"], Any]]:
    """Each polygon (list of rings) and line (list of points) of a GeoJSON geometry."""
    if not isinstance(geometry, dict):
        return
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon" and coordinates:
        yield "polygon", coordinates
    elif kind == "MultiPolygon":
        for polygon in coordinates or []:
            if polygon:
                yield "polygon", polygon
    elif kind == "LineString" and coordinates:
        yield "line", coordinates
    elif kind == "MultiLineString":
        for line in coordinates or []:
            if line:
                yield "line", line
    elif kind == "GeometryCollection":
        for member in geometry.get("geometries") or []:
            yield from _parts(member)


def _has_shapes(features: Iterable[Mapping[str, Any]]) -> bool:
    return any(True for feature in features for _ in _parts(feature.get("geometry")))


def _as_point(value: Sequence[float]) -> Point:
    return (float(value[0]), float(value[1]))


def _as_ring(values: Sequence[Sequence[float]]) -> Ring:
    ring = tuple(_as_point(value) for value in values)
    return ring if ring[0] == ring[-1] else (*ring, ring[0])


def _name_field(properties: Iterable[Mapping[str, Any]]) -> str | None:
    seen: set[str] = set()
    for props in properties:
        seen.update(key for key, value in props.items() if value not in (None, ""))
    return next((name for name in _NAME_FIELDS if name in seen), None)
