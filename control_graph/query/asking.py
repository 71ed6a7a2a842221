"""The questions: who held it, its timeline, a path, what changed, the day's network.

Each question parses its arguments once, reads the network it needs and the reports
about it once (:mod:`control_graph.store.read`, :mod:`control_graph.store.reports`),
and answers from the timeline engine.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from control_graph.errors import InvalidArgumentError
from control_graph.model import disputes
from control_graph.model.access import AccessIndex, most_restrictive
from control_graph.model.dates import DateLike, to_day, to_optional_day
from control_graph.model.network import RoadNetwork
from control_graph.model.records import Confidence, Event, Filters
from control_graph.model.states import State
from control_graph.model.timeline import By, ControlTimeline, ElementType, check_by
from control_graph.query.base import ModelBase
from control_graph.query.results import (
    ChangesResult,
    PathResult,
    Report,
    SegmentState,
    Share,
    TimelineResult,
    WhoHeldResult,
)
from control_graph.store import read, reports

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Asking", "make_filters"]

_CONFIDENCE = {c.value: c for c in Confidence}


def make_filters(
    as_of: DateLike | None, min_confidence: str | None, independent_only: bool
) -> Filters:
    """The filters of a question, from its arguments (checked here, once)."""
    confidence = None
    if min_confidence is not None:
        confidence = _CONFIDENCE.get(min_confidence)
        if confidence is None:
            raise InvalidArgumentError(
                f"min_confidence must be one of low, medium, high, not {min_confidence!r}"
            )
    return Filters(to_optional_day(as_of, "as_of"), confidence, bool(independent_only))


def _window(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidArgumentError(f"dispute_window must be a whole number of days >= 0: {days!r}")
    return days


def shares_of(states: list[tuple[State, float]]) -> tuple[Share, ...]:
    """Road-km per state, rounded after summing, by km descending, then status, then
    controller (contract section 4.6)."""
    km: dict[State, float] = defaultdict(float)
    for state, length in states:
        km[state] += length
    found = [Share(state, round(total, 1)) for state, total in km.items()]
    found.sort(key=lambda s: (-s.km, s.state.status.value, s.state.controller or ""))
    return tuple(found)


class Asking(ModelBase):
    """The questions a model answers."""

    def _engine_for(
        self,
        element: tuple[str, str] | None,
        *,
        until: dt.date | None,
        filters: Filters,
    ) -> tuple[RoadNetwork, ControlTimeline, AccessIndex]:
        """The network a question needs (one element's slice, or all), the engine over
        the events that count for it, and its access records."""
        with self._reading() as (conn, overlay):
            network = read.read_network(conn, element=element, overlay=overlay)
            about = network if element else None
            events = reports.read_control_events(
                conn, about, until=until, filters=filters, overlay=overlay
            )
            access = reports.read_access(conn, about, until=until, filters=filters, overlay=overlay)
        roads = {road.id: road.segments for road in network.roads.values()}
        return network, network.timeline(events), AccessIndex(access, roads)

    def _reports(self, found: list[tuple[str, int | None, disputes.Role | None]]) -> list[Report]:
        """Whole events for the ``(element, key, role)`` the engine found."""
        keys = [key for _, key, _ in found if key is not None]
        records: dict[int, Event] = {}
        if keys:
            with self._reading() as (conn, _):
                records = reports.read_event_records(conn, keys)
        return [
            Report(element, records[key], role) for element, key, role in found if key in records
        ]

    def who_held(
        self,
        element: str,
        on: DateLike,
        *,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
        dispute_window: int = disputes.DEFAULT_DISPUTE_WINDOW,
        explain: bool = False,
    ) -> WhoHeldResult:
        """The state of a road, segment or place on a day.

        Parameters
        ----------
        element
            Id, name or alias of a road, segment or place.
        on
            The day asked about.
        as_of
            Answer from the data as it stood then (reports recorded on or before it).
        by
            ``"party"`` or ``"bloc"`` (report each party as its bloc on that day).
        min_confidence
            ``"low"``, ``"medium"`` or ``"high"``: ignore reports below it (none given
            counts as medium).
        independent_only
            Ignore every report that is a side's own claim.
        dispute_window
            Days before the deciding report within which a differing claim disputes it.
        explain
            Also list the reports behind the answer.

        Examples
        --------
        >>> import control_graph as cg
        >>> model = cg.open("sqlite://")
        >>> _ = model.import_file(cg.sample_path())
        >>> answer = model.who_held("lonton", "2026-02-06", explain=True)
        >>> answer.state.controller, answer.explain[0].role
        ('kia', 'own')
        """
        day = to_day(on, "on")
        filters = make_filters(as_of, min_confidence, independent_only)
        view = check_by(by)
        window = _window(dispute_window)
        kind, ident = self._resolve_element(element)
        network, timeline, access = self._engine_for((kind, ident), until=day, filters=filters)
        segment_ids: tuple[str, ...] = ()
        if kind == "road":
            segment_ids = network.roads[ident].segments
        elif kind == "segment":
            segment_ids = (ident,)
        segments = tuple(
            SegmentState(
                sid,
                *network.ends_of(sid),
                timeline.segment_state(sid, day, view),
                timeline.otherwise(sid, day, view),
                disputes.is_disputed(timeline, sid, day, window),
                access.on(sid, day),
            )
            for sid in segment_ids
        )
        claims: list[Report] = []
        if kind != "road":
            found = disputes.claims(timeline, ident, day, window)
            claims = self._reports([(ident, event.key, None) for event in found])
        explained = None
        if explain:
            explained = tuple(
                self._reports(
                    [
                        (x.element, x.event.key, x.role)
                        for x in disputes.explain(timeline, ident, day, view)
                    ]
                )
            )
        return WhoHeldResult(
            ident,
            kind,
            day,
            timeline.state(ident, day, view),
            segments,
            filters.as_of,
            view,
            network.name_of(ident),
            otherwise=timeline.otherwise(ident, day, view),
            disputed=disputes.is_disputed(timeline, ident, day, window),
            claims=tuple(claims),
            access=most_restrictive(s.access for s in segments),
            shares=shares_of([(s.state, network.length_of(s.id)) for s in segments])
            if kind == "road"
            else (),
            explain=explained,
            filters=filters,
        )

    def timeline(
        self,
        element: str,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> TimelineResult:
        """The intervals of an element's state, from the first day it is known.

        ``start``/``end`` keep the intervals overlapping those days (both inclusive)
        and move an earlier start up to ``start``; ends are left as they are.
        """
        start_day, end_day = to_optional_day(start, "from"), to_optional_day(end, "to")
        filters = make_filters(as_of, min_confidence, independent_only)
        view = check_by(by)
        kind, ident = self._resolve_element(element)
        # Every event counts, also those after ``end``: an interval's end is left as it
        # is, and it may well come after the window.
        network, timeline, _ = self._engine_for((kind, ident), until=None, filters=filters)
        intervals = timeline.intervals(ident, start=start_day, end=end_day, by=view)
        return TimelineResult(
            ident,
            kind,
            tuple(intervals),
            start_day,
            end_day,
            filters.as_of,
            view,
            network.name_of(ident),
            filters,
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
        min_confidence: str | None = None,
        independent_only: bool = False,
        passable: bool = False,
    ) -> PathResult:
        """The shortest path (by length) between two places on a day.

        With ``party`` or ``bloc``, every place and segment on it, ends included, must
        be held by that party or bloc on the day; with ``passable``, no segment on it
        may be ``blocked`` that day.

        Raises
        ------
        NoPathError
            When there is no such path.
        """
        if party is not None and bloc is not None:
            raise InvalidArgumentError("give a party or a bloc, not both")
        day = to_day(on, "on")
        filters = make_filters(as_of, min_confidence, independent_only)
        _, start = self.resolve(source, ("place",))
        _, end = self.resolve(target, ("place",))
        controller, view = None, check_by("party")
        if party is not None:
            controller = self.resolve(party, ("party",))[1]
        elif bloc is not None:
            controller, view = self.resolve(bloc, ("bloc",))[1], check_by("bloc")
        network, timeline, access = self._engine_for(None, until=day, filters=filters)

        def blocked(segment: str) -> bool:
            return access.blocked(segment, day)

        route = network.shortest_path(
            start,
            end,
            timeline=timeline,
            day=day,
            controller=controller,
            by=view,
            blocked=blocked if passable else None,
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
            filters.as_of,
            passable,
            filters,
        )

    def changes(
        self,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> ChangesResult:
        """Every change of state of places and segments, by date then element id."""
        start_day, end_day = to_optional_day(start, "from"), to_optional_day(end, "to")
        filters = make_filters(as_of, min_confidence, independent_only)
        view = check_by(by)
        _, timeline, _ = self._engine_for(None, until=end_day, filters=filters)
        found = timeline.changes(start=start_day, end=end_day, by=view)
        return ChangesResult(tuple(found), start_day, end_day, filters.as_of, view, filters)

    def snapshot(
        self,
        on: DateLike,
        *,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> nx.MultiGraph:
        """The network on one day as a ``networkx.MultiGraph``.

        Nodes are place ids, edges are keyed by segment id; each carries ``status``,
        ``controller``, ``uncertain`` (and ``otherwise_status``/``otherwise_controller``
        when it is) for that day, besides ``lat``/``lon``/``kind`` (places) and
        ``length`` in km and ``access`` (segments). The graph is a copy: change it freely.

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
        filters = make_filters(as_of, min_confidence, independent_only)
        view = check_by(by)
        network, timeline, access = self._engine_for(None, until=day, filters=filters)
        graph = network.graph.copy()
        for place, data in graph.nodes(data=True):
            data.update(_state_attributes(timeline, place, day, view, "place"))
        for _start, _end, segment, data in graph.edges(keys=True, data=True):
            data.update(_state_attributes(timeline, segment, day, view, "segment"))
            state = access.on(segment, day)
            data["access"] = state.access.value if state else None
        graph.graph.update({"date": day.isoformat(), "by": view, "scenario": self.label})
        return graph


def _state_attributes(
    timeline: ControlTimeline, element: str, day: dt.date, by: By, kind: ElementType
) -> dict[str, object]:
    reading = timeline.early
    state = (
        reading.place_state(element, day, by)
        if kind == "place"
        else reading.segment_state(element, day, by)
    )
    found: dict[str, object] = {**state.as_dict(), "uncertain": False}
    if timeline.late is not timeline.early:
        late = timeline.late
        other = (
            late.place_state(element, day, by)
            if kind == "place"
            else late.segment_state(element, day, by)
        )
        if other != state:
            found.update(
                uncertain=True,
                otherwise_status=other.status.value,
                otherwise_controller=other.controller,
            )
    return found
