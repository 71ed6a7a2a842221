"""GEXF for Gephi: one day's network, or its whole history as a dynamic graph.

A snapshot gives each node and edge its state on the day as attributes, like the
GraphML export. A history is a dynamic graph (``timeformat="date"``): each state
column is a dynamic attribute whose spells run from a state's first day to its last
(both inclusive, as GEXF reads them; a state still in force has no end), so Gephi's
timeline shows the network on any day and can colour it by ``controller``.

Both carry Gephi's ``viz`` elements: a place's position is its longitude and latitude
(``x``, ``y``), so the graph opens laid out like the map; a snapshot also gives each
node and edge the colour of its state. Written with networkx's GEXF writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from control_graph.dataset.export.files import write_atomically
from control_graph.dataset.export.graphs import history_graph, snapshot_graph
from control_graph.dataset.export.tables import ExportTable

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["gexf_graph", "write_gexf"]


def _viz_color(color: str) -> dict[str, Any]:
    return {"r": int(color[1:3], 16), "g": int(color[3:5], 16), "b": int(color[5:7], 16), "a": 1.0}


def gexf_graph(table: ExportTable) -> nx.MultiGraph:
    """The graph the GEXF file holds: :func:`snapshot_graph` or :func:`history_graph`
    with Gephi's ``viz`` attributes.

    Examples
    --------
    >>> import datetime as dt
    >>> from control_graph.dataset.export.tables import Element, Palette, StateRow
    >>> from control_graph.model.states import held
    >>> a = Element("a", "place", "Alder", points=((20.0, 10.0),))
    >>> palette = Palette({"n": "#0072b2"}, {}, contested="#222222", unknown="#bbbbbb")
    >>> rows = (StateRow(a, held("n"), dt.date(2024, 1, 1), None),)
    >>> gexf_graph(ExportTable((a,), rows, palette, day=dt.date(2024, 2, 1))).nodes["a"]["viz"]
    {'position': {'x': 20.0, 'y': 10.0, 'z': 0.0}, 'color': {'r': 0, 'g': 114, 'b': 178, 'a': 1.0}}
    """
    snapshot = table.day is not None
    graph = snapshot_graph(table) if snapshot else history_graph(table)
    for _, data in graph.nodes(data=True):
        viz: dict[str, Any] = {}
        if "lon" in data:
            viz["position"] = {"x": data["lon"], "y": data["lat"], "z": 0.0}
        if snapshot:
            viz["color"] = _viz_color(data["color"])
        if viz:
            data["viz"] = viz
    if snapshot:
        for _, _, data in graph.edges(data=True):
            data["viz"] = {"color": _viz_color(data["color"])}
    return graph


def write_gexf(table: ExportTable, path: str | Path) -> Path:
    """Write :func:`gexf_graph` as GEXF 1.2 to ``path`` (whole or not at all)."""
    import networkx as nx

    graph = gexf_graph(table)
    return write_atomically(path, lambda temporary: nx.write_gexf(graph, temporary))
