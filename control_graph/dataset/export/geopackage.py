"""GeoPackage: one file of layers for QGIS, written through GDAL (pyogrio).

Layers:

``places`` (Point) and ``segments`` (LineString)
    One feature per element with its state on a day (the day asked for, else the last
    day with data), the stretch that state belongs to (``since``/``until``) and a
    segment's access.
``intervals`` (Point and LineString)
    The history: one feature per element per state interval, with ``start`` and
    ``end`` as in the GeoJSON export (QGIS lists it as two layers, one per geometry
    type, each ready for the temporal controller).
``incidents`` (Point)
    Every incident that counts, at its place or the middle of its segment or road
    (without geometry when that has no coordinates).

Coordinates are longitude/latitude on WGS 84 (EPSG:4326); dates are GeoPackage
``DATE`` fields. Elements without coordinates are left out of the first three layers.
pyogrio is the optional extra ``geo`` (``pip install "control-graph[geo]"``).
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from control_graph.dataset.export.files import write_atomically
from control_graph.dataset.export.tables import (
    INCIDENT_COLUMNS,
    Column,
    ElementKind,
    ExportTable,
    IncidentRow,
    LonLat,
)
from control_graph.errors import InvalidArgumentError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["LAYERS", "require_pyogrio", "wkb", "write_geopackage"]

#: The layers written, in order.
LAYERS = ("places", "segments", "intervals", "incidents")
_CRS = "EPSG:4326"
_ELEMENT_LAYERS: tuple[tuple[str, ElementKind, str], ...] = (
    ("places", "place", "Point"),
    ("segments", "segment", "LineString"),
)


def require_pyogrio() -> Any:
    """The ``pyogrio.raw`` module, or an error that names the extra to install."""
    try:
        from pyogrio import raw  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise InvalidArgumentError(
            "writing a GeoPackage needs GDAL through pyogrio: "
            'pip install "control-graph[geo]" (or pip install pyogrio)'
        ) from None
    return raw


def wkb(points: Sequence[LonLat]) -> bytes:
    """Well-known binary (little-endian) of a Point (one point) or LineString.

    >>> wkb([(20.0, 10.0)]).hex()[:10]
    '0101000000'
    >>> len(wkb([(20.0, 10.0), (21.0, 11.0)]))
    41
    """
    if len(points) == 1:
        return struct.pack("<BIdd", 1, 1, *points[0])
    coordinates = [value for point in points for value in point]
    return struct.pack(f"<BII{len(coordinates)}d", 1, 2, len(points), *coordinates)


def _array(values: list[Any], column: Column) -> np.ndarray[Any, Any]:
    import numpy as np

    if column.type == "date":
        return np.array(
            [v.isoformat() if isinstance(v, dt.date) else "NaT" for v in values],
            dtype="datetime64[D]",
        )
    if column.type == "int":
        return np.array(values, dtype=np.int64)
    if column.type == "bool":
        return np.array(values, dtype=bool)
    if column.type == "float":
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return np.array(values, dtype=object)


def _write_layer(
    raw: Any,
    path: Path,
    layer: str,
    geometry_type: str,
    columns: Sequence[Column],
    records: list[tuple[bytes | None, dict[str, Any]]],
    *,
    first: bool,
) -> None:
    import numpy as np

    geometry = np.array([g for g, _ in records], dtype=object)
    values = [_array([r[c.name] for _, r in records], column=c) for c in columns]
    raw.write(
        path,
        geometry,
        values,
        [c.name for c in columns],
        layer=layer,
        driver="GPKG",
        geometry_type=geometry_type,
        crs=_CRS,
        append=not first,
    )


def write_geopackage(
    table: ExportTable,
    history: ExportTable,
    incidents: Sequence[IncidentRow],
    path: str | Path,
) -> Path:
    """Write the layers of :data:`LAYERS` to ``path`` (whole or not at all).

    ``table`` is the snapshot the ``places`` and ``segments`` layers show, ``history``
    the intervals.

    Raises
    ------
    InvalidArgumentError
        When pyogrio is not installed, or GDAL cannot write the file.
    """
    raw = require_pyogrio()
    snapshot_columns = table.columns()
    layers: list[tuple[str, str, Sequence[Column], list[tuple[bytes | None, dict[str, Any]]]]] = [
        (
            name,
            geometry_type,
            snapshot_columns,
            [(wkb(r.element.points), table.properties(r)) for r in table.located(kind)],
        )
        for name, kind, geometry_type in _ELEMENT_LAYERS
    ]
    layers.append(
        (
            "intervals",
            "Unknown",
            history.columns(),
            [
                (wkb(r.element.points), history.properties(r))
                for kind in ("place", "segment")
                for r in history.located(kind)
            ],
        )
    )
    layers.append(
        (
            "incidents",
            "Point",
            INCIDENT_COLUMNS,
            [(None if i.point is None else wkb([i.point]), i.properties()) for i in incidents],
        )
    )

    def write(temporary: Path) -> None:
        for i, (name, geometry_type, columns, records) in enumerate(layers):
            try:
                _write_layer(raw, temporary, name, geometry_type, columns, records, first=i == 0)
            except RuntimeError as error:  # pyogrio's errors for what GDAL refuses
                raise InvalidArgumentError(f"cannot write {path}: GDAL: {error}") from None

    return write_atomically(path, write)
