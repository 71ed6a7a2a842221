"""The road network a question is about, loaded once: places, segments, roads, and the
parties and blocs that hold them.

A :class:`RoadNetwork` is what the store reads for one question -- the whole network,
or the slice that decides one element's state (a road's segments and their endpoints)
-- and what the engine, the path search, the plots and the scenario comparison all
share, so nothing reads the same definitions twice.

For other analysis, :attr:`RoadNetwork.graph` is the network as a
``networkx.MultiGraph``, and :meth:`RoadNetwork.view` a read-only
:func:`networkx.subgraph_view` of what one party held on a day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from control_graph.errors import UnknownElementError
from control_graph.model.access import AccessEntry, AccessIndex
from control_graph.model.geo import segment_length_km
from control_graph.model.records import Bloc, ControlEvent, Membership, Party, Place, Road, Segment
from control_graph.model.states import held
from control_graph.model.timeline import By, ControlTimeline, ElementType, StatesOnDays

if TYPE_CHECKING:
    import networkx as nx

    from control_graph.model.paths import Route, RouteSearch

__all__ = ["RoadNetwork"]


class RoadNetwork:
    """Places and segments with their lengths, the roads they make, and who may hold them.

    Examples
    --------
    >>> network = RoadNetwork(
    ...     [Place("a", "Alder"), Place("b"), Place("c")],
    ...     [Segment("ab", "a", "b", 5.0), Segment("bc", "b", "c", 2.0), Segment("ac", "a", "c")],
    ...     [Road("main", ("ab", "bc"), "Main Road")],
    ... )
    >>> network.length_of("ac")
    1.0
    >>> network.shortest_path("a", "c").segments
    ('ac',)
    >>> network.type_of("main"), network.name_of("a")
    ('road', 'Alder')
    """

    def __init__(
        self,
        places: Iterable[Place],
        segments: Iterable[Segment],
        roads: Iterable[Road] = (),
        *,
        parties: Iterable[Party] = (),
        blocs: Iterable[Bloc] = (),
        name: str | None = None,
    ) -> None:
        self.places: dict[str, Place] = {place.id: place for place in places}
        self.segments: dict[str, Segment] = {segment.id: segment for segment in segments}
        self.roads: dict[str, Road] = {road.id: road for road in roads}
        self.parties: dict[str, Party] = {party.id: party for party in parties}
        self.blocs: dict[str, Bloc] = {bloc.id: bloc for bloc in blocs}
        #: The names of the datasets imported, for titles.
        self.name = name
        self._lengths: dict[str, float] = {}
        for segment in self.segments.values():
            start, end = self.places.get(segment.start), self.places.get(segment.end)
            self._lengths[segment.id] = segment_length_km(
                segment.length_km,
                start.coordinates if start is not None else None,
                end.coordinates if end is not None else None,
            )

    # -- what is in it -------------------------------------------------------------------

    @property
    def memberships(self) -> list[Membership]:
        """Every bloc membership, in bloc and file order."""
        return [membership for bloc in self.blocs.values() for membership in bloc.members]

    def type_of(self, element: str) -> ElementType:
        """Whether ``element`` is a place, a segment or a road."""
        if element in self.places:
            return "place"
        if element in self.segments:
            return "segment"
        if element in self.roads:
            return "road"
        raise UnknownElementError(f"no place, segment or road has the id {element!r}")

    def name_of(self, element: str) -> str | None:
        """The name of a place, segment or road, or ``None`` when it has none."""
        record: Place | Segment | Road | None = (
            self.places.get(element) or self.segments.get(element) or self.roads.get(element)
        )
        return record.name if record is not None else None

    def length_of(self, segment: str) -> float:
        """The effective length of a segment in km (given, great-circle, or 1)."""
        return self._lengths[segment]

    def access_index(self, entries: Iterable[AccessEntry]) -> AccessIndex:
        """The access records ``entries`` indexed by segment (a road's record applies to
        each of this network's segments of that road)."""
        return AccessIndex(entries, {road.id: road.segments for road in self.roads.values()})

    def ends_of(self, segment: str) -> tuple[str, str]:
        """The ids of the places a segment joins, ``(from, to)``."""
        return self.segments[segment].ends()

    @cached_property
    def segment_ends(self) -> Mapping[str, tuple[str, str]]:
        """Each segment's ends, ``(from, to)``, by segment id: a view, not a copy (a
        national network's 100,000 pairs are looked up a few at a time)."""
        return _SegmentEnds(self.segments)

    @cached_property
    def place_labels(self) -> dict[str, str]:
        """Each place's name, followed by its id where another place has the same name
        (two villages called Mongnar must not look like one)."""
        names = {p.id: p.name or p.id for p in self.places.values()}
        count = Counter(name.lower() for name in names.values())
        return {
            ident: f"{name} ({ident})" if count[name.lower()] > 1 else name
            for ident, name in names.items()
        }

    # -- the engine over it ------------------------------------------------------------------

    def timeline(
        self, events: Iterable[ControlEvent], *, as_of: dt.date | None = None
    ) -> ControlTimeline:
        """The timeline engine over this network and ``events``."""
        return ControlTimeline(
            places=self.places,
            segments={s.id: s.ends() for s in self.segments.values()},
            roads={road.id: road.segments for road in self.roads.values()},
            events=events,
            memberships=self.memberships,
            as_of=as_of,
        )

    # -- as a graph ----------------------------------------------------------------------------

    @cached_property
    def graph(self) -> nx.MultiGraph:
        """The network as a ``networkx.MultiGraph`` (built on first use): places are
        nodes with ``lat``/``lon``/``kind``, segments are edges keyed by id with
        ``length`` in km."""
        import networkx as nx

        graph = nx.MultiGraph()
        for place in self.places.values():
            graph.add_node(place.id, lat=place.lat, lon=place.lon, kind=place.kind)
        for segment in self.segments.values():
            graph.add_edge(
                segment.start, segment.end, key=segment.id, length=self._lengths[segment.id]
            )
        return graph

    def view(
        self,
        timeline: ControlTimeline,
        day: dt.date,
        *,
        controller: str | None = None,
        by: By = "party",
    ) -> nx.MultiGraph:
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

    @cached_property
    def _routes(self) -> RouteSearch:
        from control_graph.model.paths import RouteSearch

        return RouteSearch(self)

    def shortest_path(
        self,
        source: str,
        target: str,
        *,
        timeline: StatesOnDays | None = None,
        day: dt.date | None = None,
        controller: str | None = None,
        by: By = "party",
        blocked: Callable[[str], bool] | None = None,
    ) -> Route:
        """The shortest path by length, optionally only through ``controller``'s ground,
        and never over a segment for which ``blocked`` says so.

        Raises
        ------
        NoPathError
            When no such path exists on that day (including when an end is not held).
        """
        return self._routes.shortest_path(
            source,
            target,
            timeline=timeline,
            day=day,
            controller=controller,
            by=by,
            blocked=blocked,
        )


class _SegmentEnds(Mapping[str, tuple[str, str]]):
    """The ends of each segment of a network, read from its segments when asked."""

    def __init__(self, segments: dict[str, Segment]) -> None:
        self._segments = segments

    def __getitem__(self, segment: str) -> tuple[str, str]:
        return self._segments[segment].ends()

    def __contains__(self, segment: object) -> bool:
        return segment in self._segments

    def __iter__(self) -> Iterator[str]:
        return iter(self._segments)

    def __len__(self) -> int:
        return len(self._segments)
