"""GeoJSON (RFC 7946): places as Points, segments as LineStrings, for QGIS and the web.

Coordinates are longitude first, then latitude, on WGS 84, as RFC 7946 requires (and
no ``crs`` member, which it removed). A history has one feature per element per state
interval with ISO ``start`` and ``end`` properties, so that QGIS's temporal controller
can animate it (``docs/interop.md``); a state still in force ends on the day after the
last day with data and has ``open: true``. A snapshot has one feature per element with
the day's state. Places without coordinates, and segments with an end without them,
are left out (:meth:`~control_graph.dataset.export.tables.ExportTable.left_out`).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from control_graph.dataset.export.files import write_text
from control_graph.dataset.export.tables import ExportTable, StateRow

__all__ = ["geojson_document", "write_geojson"]


def _geometry(row: StateRow) -> dict[str, Any]:
    points = [list(point) for point in row.element.points]
    if row.element.type == "place":
        return {"type": "Point", "coordinates": points[0]}
    return {"type": "LineString", "coordinates": points}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def geojson_document(table: ExportTable) -> dict[str, Any]:
    """The FeatureCollection of ``table``'s located rows, places first.

    Examples
    --------
    >>> from control_graph.dataset.export.tables import Element, Palette
    >>> from control_graph.model.states import held
    >>> place = Element("lonton", "place", "Lonton", points=((96.27, 25.17),))
    >>> row = StateRow(place, held("kia"), dt.date(2026, 2, 5), None)
    >>> palette = Palette({"kia": "#2e7d32"}, {}, contested="#222222", unknown="#bbbbbb")
    >>> table = ExportTable((place,), (row,), palette, open_end=dt.date(2026, 2, 8))
    >>> feature = geojson_document(table)["features"][0]
    >>> feature["geometry"]
    {'type': 'Point', 'coordinates': [96.27, 25.17]}
    >>> [feature["properties"][k] for k in ("start", "end", "open", "color")]
    ['2026-02-05', '2026-02-08', True, '#2e7d32']
    """
    features = [
        {
            "type": "Feature",
            "properties": {k: _plain(v) for k, v in table.properties(row).items()},
            "geometry": _geometry(row),
        }
        for kind in ("place", "segment")
        for row in table.located(kind)
    ]
    # GDAL takes the layer's name from ``name``: QGIS then lists the layer by it.
    return {"type": "FeatureCollection", "name": table.title, "features": features}


def write_geojson(table: ExportTable, path: str | Path) -> Path:
    """Write :func:`geojson_document` to ``path`` (whole or not at all), one feature a
    line (compact, and readable in a diff)."""
    document = geojson_document(table)
    features = document.pop("features")
    head = json.dumps(document, ensure_ascii=False)[:-1]
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    return write_text(path, f'{head}, "features": [\n{lines}\n]}}\n')
