"""The network as a ``networkx.MultiGraph`` with each element's state as attributes, for
the GraphML and GEXF writers.

Nodes are place ids, edges segment ids (the edge key, and its ``id`` in the file). A
snapshot gives every node and edge the export's columns for its state on the day; a
history gives each state column as a list of ``(value, start, end)`` spells, which the
GEXF writer turns into dynamic attributes (Gephi's timeline). Absent values are left
out rather than written as empty text (GraphML and GEXF have no null). Places without
coordinates are kept: a graph needs none.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from control_graph.dataset.export.tables import Element, ExportTable, StateRow

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["history_graph", "snapshot_graph"]

# What the node id, the edge's ends and key, and the graph's own attributes already say.
_IMPLIED = frozenset({"element", "type", "from", "to", "by", "date"})
# The columns that change with the state (a history gives each as spells).
_SPELLS = (
    "status",
    "controller",
    "controller_name",
    "color",
    "uncertain",
    "otherwise_status",
    "otherwise_controller",
    "reports",
    "sources",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _element_attributes(element: Element) -> dict[str, Any]:
    """What describes the element itself: the same on every day."""
    found: dict[str, Any] = {"label": element.name or element.id}
    if element.type == "place" and element.points:
        found["lon"], found["lat"] = element.points[0]
    length = None if element.length_km is None else round(element.length_km, 3)
    for key, value in (
        ("name", element.name),
        ("kind", element.kind),
        ("road", element.road),
        ("length_km", length),
    ):
        if value is not None:
            found[key] = value
    return found


def _graph_attributes(table: ExportTable) -> dict[str, Any]:
    filters = table.filters
    found: dict[str, Any] = {
        "name": table.title,
        "by": table.by,
        "scenario": table.scenario,
        "independent_only": filters.independent_only,
    }
    if table.day is not None:
        found["date"] = table.day.isoformat()
    if filters.as_of is not None:
        found["as_of"] = filters.as_of.isoformat()
    if filters.min_confidence is not None:
        found["min_confidence"] = filters.min_confidence.value
    return found


def _add(graph: nx.MultiGraph, element: Element, attributes: dict[str, Any]) -> None:
    if element.type == "place":
        graph.add_node(element.id, **attributes)
    else:
        assert element.start is not None and element.end is not None
        graph.add_edge(element.start, element.end, key=element.id, id=element.id, **attributes)


def snapshot_graph(table: ExportTable) -> nx.MultiGraph:
    """The network with each element's state on the snapshot's day as attributes.

    Examples
    --------
    >>> from control_graph.dataset.export.tables import Palette
    >>> from control_graph.model.states import held, UNKNOWN
    >>> a, b = Element("a", "place", "Alder"), Element("b", "place")
    >>> ab = Element("ab", "segment", start="a", end="b", length_km=2.0)
    >>> palette = Palette({"n": "#0072b2"}, {}, contested="#222222", unknown="#bbbbbb")
    >>> rows = (StateRow(a, held("n"), dt.date(2024, 1, 1), None),
    ...         StateRow(b, UNKNOWN, None, None), StateRow(ab, UNKNOWN, None, None))
    >>> graph = snapshot_graph(ExportTable((a, b, ab), rows, palette, day=dt.date(2024, 2, 1)))
    >>> graph.nodes["a"]["controller"], "controller" in graph.nodes["b"]
    ('n', False)
    >>> graph.edges["a", "b", "ab"]["status"], graph.graph["date"]
    ('unknown', '2024-02-01')
    """
    import networkx as nx

    graph = nx.MultiGraph(**_graph_attributes(table))
    for row in _places_first(table.rows):
        values = table.properties(row)
        attributes = _element_attributes(row.element)
        attributes.update(
            (k, _plain(v)) for k, v in values.items() if v is not None and k not in _IMPLIED
        )
        _add(graph, row.element, attributes)
    return graph


def _places_first(rows: tuple[StateRow, ...]) -> list[StateRow]:
    # A segment's ends must be nodes (with their attributes) before the edge is added.
    return sorted(rows, key=lambda r: r.element.type != "place")


def history_graph(table: ExportTable) -> nx.MultiGraph:
    """The network with each state column as spells ``(value, start, end)``: ``start``
    the first day, ``end`` the last day of the state (both inclusive, as GEXF reads
    them), ``None`` when still in force. A value that is absent for a stretch (no
    controller while contested) has no spell there.

    Examples
    --------
    >>> from control_graph.dataset.export.tables import Palette
    >>> from control_graph.model.states import held, CONTESTED
    >>> a = Element("a", "place", "Alder")
    >>> rows = (StateRow(a, held("n"), dt.date(2024, 1, 1), dt.date(2024, 2, 1)),
    ...         StateRow(a, CONTESTED, dt.date(2024, 2, 1), None))
    >>> palette = Palette({}, {}, contested="#222222", unknown="#bbbbbb")
    >>> graph = history_graph(ExportTable((a,), rows, palette))
    >>> graph.nodes["a"]["status"]
    [('held', '2024-01-01', '2024-01-31'), ('contested', '2024-02-01', None)]
    >>> graph.nodes["a"]["controller"]
    [('n', '2024-01-01', '2024-01-31')]
    """
    import networkx as nx

    graph = nx.MultiGraph(**_graph_attributes(table))
    spells: dict[str, dict[str, list[tuple[Any, str | None, str | None]]]] = {}
    for row in table.rows:
        values = table.properties(row, close_open=False)
        start = None if row.start is None else row.start.isoformat()
        last = None if row.end is None else (row.end - dt.timedelta(days=1)).isoformat()
        own = spells.setdefault(row.element.id, {})
        for key in _SPELLS:
            if values[key] is not None:
                own.setdefault(key, []).append((values[key], start, last))
    for element in sorted(table.elements, key=lambda e: e.type != "place"):
        _add(graph, element, {**_element_attributes(element), **spells.get(element.id, {})})
    return graph
