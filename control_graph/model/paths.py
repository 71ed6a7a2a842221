"""The road network as a graph, and shortest paths through one side's ground.

The base graph (a ``networkx.MultiGraph``: places are nodes, each segment an edge keyed
by its id, since two segments may join the same two places) is built once. A question
about one day looks at it through :func:`networkx.subgraph_view` with filters that ask
the timeline engine for each place and segment the search reaches, so nothing is copied
and only the part of the network the search visits is evaluated.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from control_graph.errors import NoPathError, UnknownElementError
from control_graph.model.geo import segment_length_km
from control_graph.model.records import Place, Segment
from control_graph.model.states import State, Status, held
from control_graph.model.timeline import By, ControlTimeline

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["RoadNetwork", "Route"]


class Route(NamedTuple):
    """A path: its places in order, the segments between them, and its length in km."""

    places: tuple[str, ...]
    segments: tuple[str, ...]
    length_km: float


class RoadNetwork:
    """Places and segments with their lengths, as a graph.

    Examples
    --------
    >>> from control_graph.model.records import Place, Segment
    >>> network = RoadNetwork(
    ...     [Place("a"), Place("b"), Place("c")],
    ...     [Segment("ab", "a", "b", 5.0), Segment("bc", "b", "c", 2.0), Segment("ac", "a", "c")],
    ... )
    >>> network.length_of("ac")
    1.0
    >>> network.shortest_path("a", "c").segments
    ('ac',)
    """

    def __init__(self, places: Iterable[Place], segments: Iterable[Segment]) -> None:
        import networkx as nx

        self.graph: nx.MultiGraph = nx.MultiGraph()
        coordinates: dict[str, tuple[float, float] | None] = {}
        for place in places:
            coordinates[place.id] = place.coordinates
            self.graph.add_node(place.id, lat=place.lat, lon=place.lon, kind=place.kind)
        self._ends: dict[str, tuple[str, str]] = {}
        self._lengths: dict[str, float] = {}
        for segment in segments:
            length = segment_length_km(
                segment.length_km, coordinates.get(segment.start), coordinates.get(segment.end)
            )
            self._ends[segment.id] = (segment.start, segment.end)
            self._lengths[segment.id] = length
            self.graph.add_edge(segment.start, segment.end, key=segment.id, length=length)

    def length_of(self, segment: str) -> float:
        """The effective length of a segment in km (given, great-circle, or 1)."""
        return self._lengths[segment]

    def ends_of(self, segment: str) -> tuple[str, str]:
        return self._ends[segment]

    def view(
        self,
        timeline: ControlTimeline,
        day: dt.date,
        *,
        controller: str | None = None,
        by: By = "party",
    ) -> Any:
        """The graph on ``day`` restricted to what ``controller`` held (read-only view).

        With no controller, the whole graph.
        """
        if controller is None:
            return self.graph
        import networkx as nx

        wanted = held(controller)
        node_ok: dict[str, bool] = {}

        def keep_place(place: str) -> bool:
            ok = node_ok.get(place)
            if ok is None:
                ok = node_ok[place] = timeline.place_state(place, day, by) == wanted
            return ok

        def keep_segment(start: str, end: str, key: str) -> bool:
            return timeline.segment_state(key, day, by) == wanted

        return nx.subgraph_view(self.graph, filter_node=keep_place, filter_edge=keep_segment)

    def shortest_path(
        self,
        source: str,
        target: str,
        *,
        timeline: ControlTimeline | None = None,
        day: dt.date | None = None,
        controller: str | None = None,
        by: By = "party",
    ) -> Route:
        """The shortest path by length, optionally only through ``controller``'s ground.

        Raises
        ------
        NoPathError
            When no such path exists on that day (including when an end is not held).
        """
        import networkx as nx

        for place in (source, target):
            if place not in self.graph:
                raise UnknownElementError(f"no place has the id {place!r}")
        if controller is not None:
            if timeline is None or day is None:
                raise ValueError("a controller needs a timeline and a day")
            for place in (source, target):
                state = timeline.place_state(place, day, by)
                if state != held(controller):
                    raise NoPathError(
                        f"no path: {place} is {_describe(state)} on {day}, not held by {controller}"
                    )
            graph = self.view(timeline, day, controller=controller, by=by)
        else:
            graph = self.graph
        try:
            nodes = nx.dijkstra_path(graph, source, target, weight="length")
        except nx.NetworkXNoPath:
            side = f" through ground held by {controller}" if controller else ""
            when = f" on {day}" if day else ""
            raise NoPathError(f"no path from {source} to {target}{side}{when}") from None
        segments: list[str] = []
        length = 0.0
        for start, end in itertools.pairwise(nodes):
            key, data = min(graph[start][end].items(), key=lambda item: item[1]["length"])
            segments.append(key)
            length += data["length"]
        return Route(tuple(nodes), tuple(segments), length)


def _describe(state: State) -> str:
    if state.status is Status.HELD:
        return f"held by {state.controller}"
    return state.status.value
