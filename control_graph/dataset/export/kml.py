"""KML for Google Earth: a Placemark per element per state interval with a ``TimeSpan``
(the time slider then shows each state on its days), and a ``Style`` per controller.

Places are Points and segments LineStrings, coordinates ``lon,lat`` (KML's order, on
WGS 84). A ``TimeSpan`` has ``begin`` and, unless the state is still in force, ``end``
(the first day of the next state: KML leaves a span without ``end`` unbounded, so
nothing needs inventing). A snapshot (one day) has one Placemark per element and no
``TimeSpan``. Every Placemark carries the export's columns as ``ExtendedData``; its
``description`` says the same in words. Elements without coordinates are left out.
Written with :mod:`xml.etree.ElementTree` from the standard library.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from control_graph.dataset.export.files import write_atomically
from control_graph.dataset.export.tables import ExportTable, StateRow
from control_graph.model.states import State, Status

__all__ = ["KML_NAMESPACE", "kml_document", "style_id", "write_kml"]

KML_NAMESPACE = "http://www.opengis.net/kml/2.2"
# Google Earth's own round marker; tinted by IconStyle's colour.
_ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]")


def style_id(state: State) -> str:
    """The id of the ``Style`` of a state: ``held-<controller>``, ``contested`` or
    ``unknown`` (characters an XML id may not hold become ``_``).

    >>> from control_graph.model.states import held
    >>> style_id(held("kia")), style_id(State(Status.CONTESTED))
    ('held-kia', 'contested')
    """
    if state.status is Status.HELD and state.controller is not None:
        return "held-" + _NOT_ID.sub("_", state.controller)
    return "contested" if state.status is Status.CONTESTED else "unknown"


def _abgr(color: str) -> str:
    """``#rrggbb`` as KML's ``aabbggrr`` (opaque)."""
    red, green, blue = color[1:3], color[3:5], color[5:7]
    return f"ff{blue}{green}{red}".lower()


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, attributes)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = _sub(parent, tag)
    element.text = text
    return element


def _style(document: ET.Element, ident: str, color: str) -> None:
    style = _sub(document, "Style", id=ident)
    icon = _sub(style, "IconStyle")
    _text(icon, "color", _abgr(color))
    _text(icon, "scale", "0.9")
    _text(_sub(icon, "Icon"), "href", _ICON)
    line = _sub(style, "LineStyle")
    _text(line, "color", _abgr(color))
    _text(line, "width", "4")


def _plain(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _describe(table: ExportTable, row: StateRow) -> str:
    words = row.state.describe()
    name = table.palette.name(row.state)
    if name is not None and name != row.state.controller:
        words = f"held by {name} ({row.state.controller})"
    if table.day is not None:
        words = f"{words} on {table.day.isoformat()}"
    elif row.start is not None:
        until = f" until {row.end.isoformat()}" if row.end is not None else " (still in force)"
        words = f"{words} from {row.start.isoformat()}{until}"
    if row.otherwise is not None:
        words += f"; rough dates allow {row.otherwise.describe()} instead"
    if row.access is not None:
        words += f"; access {row.access.access.value}"
    return words[:1].upper() + words[1:] + "."


def _placemark(folder: ET.Element, table: ExportTable, row: StateRow) -> None:
    element = row.element
    mark = _sub(folder, "Placemark")
    _text(mark, "name", element.name or element.id)
    _text(mark, "description", _describe(table, row))
    if table.day is None and row.start is not None:
        span = _sub(mark, "TimeSpan")
        _text(span, "begin", row.start.isoformat())
        if row.end is not None:
            _text(span, "end", row.end.isoformat())
    _text(mark, "styleUrl", f"#{style_id(row.state)}")
    data = _sub(mark, "ExtendedData")
    for key, value in table.properties(row, close_open=False).items():
        _text(_sub(data, "Data", name=key), "value", _plain(value))
    coordinates = " ".join(f"{lon!r},{lat!r}" for lon, lat in element.points)
    shape = _sub(mark, "Point" if element.type == "place" else "LineString")
    if element.type == "segment":
        _text(shape, "tessellate", "1")
    _text(shape, "coordinates", coordinates)


def kml_document(table: ExportTable) -> ET.ElementTree[ET.Element]:
    """The KML document of ``table``: a Style per state found, then a folder of places
    and one of segments.

    Examples
    --------
    >>> from control_graph.dataset.export.tables import Element, Palette
    >>> from control_graph.model.states import held
    >>> place = Element("lonton", "place", "Lonton", points=((96.27, 25.17),))
    >>> row = StateRow(place, held("kia"), dt.date(2026, 2, 5), None)
    >>> palette = Palette({"kia": "#2e7d32"}, {}, contested="#222222", unknown="#bbbbbb")
    >>> tree = kml_document(ExportTable((place,), (row,), palette))
    >>> root = ET.fromstring(ET.tostring(tree.getroot()))  # as a KML reader sees it
    >>> ns = {"k": KML_NAMESPACE}
    >>> root.find(".//k:Style/k:LineStyle/k:color", ns).text
    'ff327d2e'
    >>> span = root.find(".//k:Placemark/k:TimeSpan", ns)
    >>> span.find("k:begin", ns).text, span.find("k:end", ns)
    ('2026-02-05', None)
    """
    # Tags stay unqualified in the tree and the root declares KML as the default
    # namespace: a KML reader sees every element in it.
    root = ET.Element("kml", xmlns=KML_NAMESPACE)
    document = _sub(root, "Document")
    _text(document, "name", table.title)
    when = f" on {table.day.isoformat()}" if table.day is not None else ""
    _text(document, "description", f"Control by {table.by}{when}; written by control-graph.")
    places, segments = table.located("place"), table.located("segment")
    styles: dict[str, str] = {}
    for row in (*places, *segments):
        styles.setdefault(style_id(row.state), table.palette.color(row.state))
    for ident, color in sorted(styles.items()):
        _style(document, ident, color)
    for title, rows in (("Places", places), ("Segments", segments)):
        folder = _sub(document, "Folder")
        _text(folder, "name", title)
        for row in rows:
            _placemark(folder, table, row)
    return ET.ElementTree(root)


def write_kml(table: ExportTable, path: str | Path) -> Path:
    """Write :func:`kml_document` to ``path`` (whole or not at all)."""
    tree = kml_document(table)
    ET.indent(tree, space=" ")

    def write(temporary: Path) -> None:
        with temporary.open("xb") as file:
            tree.write(file, encoding="UTF-8", xml_declaration=True)

    return write_atomically(path, write)
