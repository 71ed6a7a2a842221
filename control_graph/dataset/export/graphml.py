"""GraphML of one day's network, for networkx, igraph, Cytoscape, yEd and Gephi.

Places are nodes and segments edges (with their segment id as the edge ``id``), each
with its state on the day as attributes (:func:`~control_graph.dataset.export.graphs.
snapshot_graph`); the day, the view (``by``) and the filters are attributes of the
graph. Written with networkx's GraphML writer.
"""

from __future__ import annotations

from pathlib import Path

from control_graph.dataset.export.files import write_atomically
from control_graph.dataset.export.graphs import snapshot_graph
from control_graph.dataset.export.tables import ExportTable

__all__ = ["write_graphml"]


def write_graphml(table: ExportTable, path: str | Path) -> Path:
    """Write the snapshot ``table`` as GraphML to ``path`` (whole or not at all).

    Examples
    --------
    >>> import datetime as dt, tempfile
    >>> import networkx as nx
    >>> from control_graph.dataset.export.tables import Element, Palette, StateRow
    >>> from control_graph.model.states import held
    >>> a = Element("a", "place", "Alder", points=((20.0, 10.0),))
    >>> palette = Palette({"n": "#0072b2"}, {}, contested="#222222", unknown="#bbbbbb")
    >>> table = ExportTable((a,), (StateRow(a, held("n"), dt.date(2024, 1, 1), None),),
    ...                     palette, day=dt.date(2024, 2, 1))
    >>> path = write_graphml(table, Path(tempfile.mkdtemp()) / "day.graphml")
    >>> nx.read_graphml(path).nodes["a"]["color"]
    '#0072b2'
    """
    import networkx as nx

    graph = snapshot_graph(table)
    return write_atomically(path, lambda temporary: nx.write_graphml(graph, temporary))
