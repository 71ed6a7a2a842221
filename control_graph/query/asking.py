"""The questions: who held it, its timeline, a path, what changed, the day's network.

Each question parses its arguments once, reads the network it needs and the events
about it once (:mod:`control_graph.store.read`), and answers from the timeline engine.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from control_graph.errors import InvalidArgumentError
from control_graph.model.dates import DateLike, to_day, to_optional_day
from control_graph.model.network import RoadNetwork
from control_graph.model.timeline import ControlTimeline, check_by
from control_graph.query.base import ModelBase
from control_graph.query.results import (
    ChangesResult,
    PathResult,
    SegmentState,
    TimelineResult,
    WhoHeldResult,
)
from control_graph.store import read

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Asking"]


class Asking(ModelBase):
    """The questions a model answers."""

    def _engine_for(
        self,
        element: tuple[str, str] | None,
        *,
        until: dt.date | None,
        as_of: dt.date | None,
    ) -> tuple[RoadNetwork, ControlTimeline]:
        """The network a question needs (one element's slice, or all) and the engine
        over the events about it."""
        with self._reading() as (conn, overlay):
            network = read.read_network(conn, element=element, overlay=overlay)
            events = read.read_control_events(
                conn, network if element else None, until=until, as_of=as_of, overlay=overlay
            )
        return network, network.timeline(events, as_of=as_of)

    def who_held(
        self,
        element: str,
        on: DateLike,
        *,
        as_of: DateLike | None = None,
        by: str = "party",
    ) -> WhoHeldResult:
        """The state of a road, segment or place on a day.

        Parameters
        ----------
        element
            Id, name or alias of a road, segment or place.
        on
            The day asked about.
        as_of
            Answer from the data as it stood then (events recorded on or before it).
        by
            ``"party"`` or ``"bloc"`` (report each party as its bloc on that day).
        """
        day = to_day(on, "on")
        as_of_day = to_optional_day(as_of, "as_of")
        view = check_by(by)
        kind, ident = self._resolve_element(element)
        network, timeline = self._engine_for((kind, ident), until=day, as_of=as_of_day)
        segments: tuple[SegmentState, ...] = ()
        if kind == "road":
            road = timeline.road_state(ident, day, view)
            state = road.state
            segments = tuple(
                SegmentState(sid, *network.ends_of(sid), s) for sid, s in road.segments
            )
        elif kind == "segment":
            state = timeline.segment_state(ident, day, view)
            segments = (SegmentState(ident, *network.ends_of(ident), state),)
        else:
            state = timeline.place_state(ident, day, view)
        return WhoHeldResult(
            ident, kind, day, state, segments, as_of_day, view, network.name_of(ident)
        )

    def timeline(
        self,
        element: str,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        as_of: DateLike | None = None,
        by: str = "party",
    ) -> TimelineResult:
        """The intervals of an element's state, from the first day it is known.

        ``start``/``end`` keep the intervals overlapping those days (both inclusive)
        and move an earlier start up to ``start``.
        """
        start_day, end_day = to_optional_day(start, "from"), to_optional_day(end, "to")
        as_of_day = to_optional_day(as_of, "as_of")
        view = check_by(by)
        kind, ident = self._resolve_element(element)
        network, timeline = self._engine_for((kind, ident), until=end_day, as_of=as_of_day)
        intervals = timeline.intervals(ident, start=start_day, end=end_day, by=view)
        return TimelineResult(
            ident,
            kind,
            tuple(intervals),
            start_day,
            end_day,
            as_of_day,
            view,
            network.name_of(ident),
        )

    def path(
        self,
        source: str,
        target: str,
        on: DateLike,
        *,
        party: str | None = None,
        bloc: str | None = None,
        as_of: DateLike | None = None,
    ) -> PathResult:
        """The shortest path (by length) between two places on a day.

        With ``party`` or ``bloc``, every place and segment on it, ends included, must
        be held by that party or bloc on the day.

        Raises
        ------
        NoPathError
            When there is no such path.
        """
        if party is not None and bloc is not None:
            raise InvalidArgumentError("give a party or a bloc, not both")
        day = to_day(on, "on")
        as_of_day = to_optional_day(as_of, "as_of")
        _, start = self.resolve(source, ("place",))
        _, end = self.resolve(target, ("place",))
        controller, view = None, check_by("party")
        if party is not None:
            controller = self.resolve(party, ("party",))[1]
        elif bloc is not None:
            controller, view = self.resolve(bloc, ("bloc",))[1], check_by("bloc")
        network, timeline = self._engine_for(None, until=day, as_of=as_of_day)
        route = network.shortest_path(
            start, end, timeline=timeline, day=day, controller=controller, by=view
        )
        return PathResult(
            start,
            end,
            day,
            route.places,
            route.segments,
            route.length_km,
            controller,
            view,
            as_of_day,
        )

    def changes(
        self,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        as_of: DateLike | None = None,
        by: str = "party",
    ) -> ChangesResult:
        """Every change of state of places and segments, by date then element id."""
        start_day, end_day = to_optional_day(start, "from"), to_optional_day(end, "to")
        as_of_day = to_optional_day(as_of, "as_of")
        view = check_by(by)
        _, timeline = self._engine_for(None, until=end_day, as_of=as_of_day)
        found = timeline.changes(start=start_day, end=end_day, by=view)
        return ChangesResult(tuple(found), start_day, end_day, as_of_day, view)

    def snapshot(
        self, on: DateLike, *, as_of: DateLike | None = None, by: str = "party"
    ) -> nx.MultiGraph:
        """The network on one day as a ``networkx.MultiGraph``.

        Nodes are place ids, edges are keyed by segment id; each carries ``status`` and
        ``controller`` for that day, besides ``lat``/``lon``/``kind`` (places) and
        ``length`` in km (segments). The graph is a copy: change it freely.

        Examples
        --------
        >>> import control_graph as cg
        >>> model = cg.open("sqlite://")
        >>> _ = model.import_file(cg.sample_path())
        >>> graph = model.snapshot("2026-02-06")
        >>> graph.nodes["lonton"]["controller"]
        'kia'
        >>> graph.edges["hepu", "lonton", "gwaykhar-road/3"]["status"]
        'held'
        """
        day = to_day(on, "on")
        as_of_day = to_optional_day(as_of, "as_of")
        view = check_by(by)
        network, timeline = self._engine_for(None, until=day, as_of=as_of_day)
        graph = network.graph.copy()
        for place, data in graph.nodes(data=True):
            data.update(timeline.place_state(place, day, view).as_dict())
        for _start, _end, segment, data in graph.edges(keys=True, data=True):
            data.update(timeline.segment_state(segment, day, view).as_dict())
        graph.graph.update({"date": day.isoformat(), "by": view, "scenario": self.label})
        return graph
