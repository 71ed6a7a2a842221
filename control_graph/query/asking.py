"""The questions: who held it, its timeline, a path, what changed, the day's network.

Each question parses its arguments once, reads the network it needs and the reports
about it once (:mod:`control_graph.store.read`, :mod:`control_graph.store.reports`),
and answers from the timeline engine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from control_graph.errors import InvalidArgumentError
from control_graph.model import disputes
from control_graph.model.access import AccessIndex, AccessState
from control_graph.model.dates import DateLike, to_day, to_optional_day
from control_graph.model.gc_pause import paused_gc
from control_graph.model.geo import segment_length_km
from control_graph.model.network import RoadNetwork
from control_graph.model.records import NO_FILTERS, Event, Filters
from control_graph.model.states import UNKNOWN, State
from control_graph.model.stored import DayStates, Reading
from control_graph.model.timeline import ControlTimeline, StatesOnDays, check_by
from control_graph.query import answers
from control_graph.query.answers import make_filters
from control_graph.query.base import ModelBase
from control_graph.query.results import (
    ChangesResult,
    DayView,
    PathResult,
    Report,
    TimelineResult,
    WhoHeldResult,
)
from control_graph.store import read, reports, spans

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Asking", "make_filters"]


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
        return network, network.timeline(events), network.access_index(access)

    def _stored(self, filters: Filters) -> bool:
        """Whether stored state spans answer: the reported data, every report counting."""
        return self.scenario_name is None and filters == NO_FILTERS

    def day(
        self,
        on: DateLike,
        *,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
        dispute_window: int = disputes.DEFAULT_DISPUTE_WINDOW,
        network: RoadNetwork | None = None,
    ) -> DayView:
        """Every place's and segment's state on one day, with access and disputes: what
        a map of the day draws. The whole network is read once; on the reported data
        with no filter, the states come from stored spans, not from every event.

        ``network``: the whole network as :meth:`network` returned it for this model,
        not read again (a map of many days, an animation); the caller keeps it current.

        Examples
        --------
        >>> import control_graph as cg
        >>> model = cg.open("sqlite://")
        >>> _ = model.import_file(cg.sample_path())
        >>> view = model.day("2026-02-06")
        >>> view.state("lonton").controller, view.state("gwaykhar-road").status.value
        ('kia', 'contested')
        """
        day = to_day(on, "on")
        filters = make_filters(as_of, min_confidence, independent_only)
        view = check_by(by)
        window = answers.dispute_window(dispute_window)
        with self._reading() as (conn, overlay):
            if network is None:
                network = read.read_network(conn, overlay=overlay)
            access_entries = reports.read_access(conn, until=day, filters=filters, overlay=overlay)
            if self._stored(filters):
                readings = spans.read_day(conn, day)
                stored = answers.stored_day(
                    day, view, network, readings, network.access_index(access_entries)
                )
                if window == disputes.DEFAULT_DISPUTE_WINDOW:
                    return stored  # the spans keep the disputes of this window
                own = set(network.segments) - stored.derived
                return stored._replace(
                    disputed=_disputed_from_claims(conn, network, day, window, own)
                )
            events = reports.read_control_events(conn, until=day, filters=filters, overlay=overlay)
        timeline = network.timeline(events)
        derived = frozenset(
            s
            for s in network.segments
            if disputes.deciding_event(timeline.early, s, "segment", day) is None
        )
        disputed = frozenset(
            element
            for element in (*network.places, *network.segments)
            if element not in derived and disputes.is_disputed(timeline, element, day, window)
        )
        access = network.access_index(access_entries)
        return DayView(day, view, network, timeline, access, disputed, derived)

    def controllers(
        self,
        *,
        as_of: DateLike | None = None,
        by: str = "party",
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> set[str]:
        """Every party (or bloc) that holds some place or segment at some time: what a
        legend lists, so that maps of different days match."""
        filters = make_filters(as_of, min_confidence, independent_only)
        view = check_by(by)
        if self._stored(filters):
            with self._reading() as (conn, _):
                return answers.held_controllers(
                    view,
                    spans.held_ever(conn),
                    lambda: read.read_memberships(conn),
                    lambda party, start, end: spans.holds_between(conn, party, start, end),
                )
        _, timeline, _ = self._engine_for(None, until=None, filters=filters)
        return {
            state.controller
            for element in (*timeline.places, *timeline.segments)
            for interval in timeline.intervals(element, by=view)
            for state in (interval.state, interval.otherwise)
            if state is not None and state.controller is not None
        }

    def last_change(
        self,
        *,
        as_of: DateLike | None = None,
        min_confidence: str | None = None,
        independent_only: bool = False,
    ) -> dt.date | None:
        """The last day on which any place's or segment's state changes (by party)."""
        filters = make_filters(as_of, min_confidence, independent_only)
        if self._stored(filters):
            with self._reading() as (conn, _):
                return spans.last_change(conn)
        _, timeline, _ = self._engine_for(None, until=None, filters=filters)
        found = timeline.changes()
        return found[-1].date if found else None

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
        window = answers.dispute_window(dispute_window)
        kind, ident = self._resolve_element(element)
        network, engine, access = self._engine_for((kind, ident), until=day, filters=filters)
        answer = answers.who_held(
            kind,
            ident,
            day,
            view=view,
            window=window,
            filters=filters,
            network=network,
            engine=engine,
            access=access,
        )
        claims = self._reports(answers.claim_keys(kind, ident, day, window, engine))
        explained = None
        if explain:
            explained = tuple(self._reports(answers.explain_keys(ident, day, view, engine)))
        return dataclasses.replace(answer, claims=tuple(claims), explain=explained)

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
        network, engine, _ = self._engine_for((kind, ident), until=None, filters=filters)
        return answers.timeline(
            kind,
            ident,
            start=start_day,
            end=end_day,
            view=view,
            filters=filters,
            network=network,
            engine=engine,
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
        states: StatesOnDays
        if self._stored(filters):
            with self._reading() as (conn, overlay):
                network = read.read_network(conn, overlay=overlay)
                states = answers.day_states(day, spans.read_day(conn, day), network)
                entries = reports.read_access(conn, until=day, overlay=overlay) if passable else []
            access = network.access_index(entries)
        else:
            network, states, access = self._engine_for(None, until=day, filters=filters)

        return answers.path(
            start,
            end,
            day,
            controller=controller,
            view=view,
            passable=passable,
            filters=filters,
            network=network,
            states=states,
            access=access,
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
        if self._stored(filters) and view == "party":
            with self._reading() as (conn, _):
                stored = spans.read_changes(conn, start_day, end_day)
            return answers.stored_changes(stored, start_day, end_day, filters)
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
        >>> graph = model.snapshot("2026-02-07")
        >>> graph.nodes["lonton"]["controller"]
        'kia'
        >>> graph.edges["hepu", "lonton", "gwaykhar-road/3"]["status"]
        'held'
        """
        if by == "party" and self._stored(make_filters(as_of, min_confidence, independent_only)):
            return self._stored_snapshot(to_day(on, "on"))
        day_view = self.day(
            on,
            as_of=as_of,
            by=by,
            min_confidence=min_confidence,
            independent_only=independent_only,
        )
        network, access = day_view.network, day_view.access
        lengths = network.length_of
        return _day_graph(
            day_view.day,
            day_view.by,
            self.label,
            ((p.id, p.lat, p.lon, p.kind) for p in network.places.values()),
            ((s.id, s.start, s.end, lengths(s.id)) for s in network.segments.values()),
            _state_attributes(day_view),
            access,
        )

    def _stored_snapshot(self, day: dt.date) -> nx.MultiGraph:
        """:meth:`snapshot` of the reported data by party, from the stored spans and
        only the columns the graph shows: no record of each definition is made (the
        names, aliases, notes and roads of a whole network took twice the time of the
        graph's own columns)."""
        with self._reading() as (conn, _):
            rows = spans.read_day_graph(conn, day)
        pairs = rows.readings.places | rows.readings.segments
        coordinates = {
            ident: (lat, lon)
            for ident, lat, lon, _ in rows.places
            if lat is not None and lon is not None
        }
        get = coordinates.get
        return _day_graph(
            day,
            "party",
            self.label,
            rows.places,
            (
                (ident, start, end, segment_length_km(given, get(start), get(end)))
                for ident, start, end, given in rows.segments
            ),
            _attribute_dicts(lambda element: _reading_states(pairs.get(element))),
            rows.access,
        )


def _day_graph(
    day: dt.date,
    by: str,
    label: str | None,
    places: Iterable[tuple[str, float | None, float | None, str | None]],
    segments: Iterable[tuple[str, str, str, float]],
    attributes: Callable[[str], dict[str, object]],
    access: AccessIndex,
) -> nx.MultiGraph:
    """The day's graph: ``places`` as ``(id, lat, lon, kind)``, ``segments`` as ``(id,
    start, end, length)``, each with its state ``attributes`` and a segment's access."""
    import networkx as nx

    # Built here with the day's attributes, not copied from network.graph: building
    # and copying the graph of a national network took half the snapshot's time. The
    # state attributes of an element come from a few shared dicts, one per pair of
    # readings (a national network has 170,000 elements but a few dozen pairs).
    graph = nx.MultiGraph(date=day.isoformat(), by=by, scenario=label)
    on = access.on
    # Filled as networkx's add_nodes_from and add_edges_from fill a new MultiGraph (its
    # documented dict-of-dicts: node -> neighbour -> key -> data, one key dict shared
    # by both ends), without their checks and per-edge calls: 60-80 ms of a full-size
    # snapshot. tests/test_spans.py checks the result against networkx's own.
    nodes, adjacency = graph._node, graph._adj
    with paused_gc():
        for place, lat, lon, kind in places:
            nodes[place] = {"lat": lat, "lon": lon, "kind": kind, **attributes(place)}
            adjacency[place] = {}
        for segment, start, end, length in segments:
            for place in (start, end):
                if place not in adjacency:  # as networkx does for an edge's new end
                    nodes[place], adjacency[place] = {}, {}
            keys = adjacency[start].get(end)
            if keys is None:
                keys = adjacency[start][end] = adjacency[end][start] = {}
            keys[segment] = {
                "length": length,
                **attributes(segment),
                "access": _access_value(on(segment, day)),
            }
    return graph


def _access_value(state: AccessState | None) -> str | None:
    return state.access.value if state is not None else None


def _state_attributes(day: DayView) -> Callable[[str], dict[str, object]]:
    """An element's state attributes on the day (see :func:`_attribute_dicts`)."""
    states = day.states
    if isinstance(states, DayStates) and day.by == "party":
        # By party, the stored readings are the states (no derivation by bloc): read
        # them straight from the day's table, not through three calls per element.
        pairs = states.places | states.segments
        return _attribute_dicts(lambda element: _reading_states(pairs.get(element)))
    # Each reading looked up once (DayView.otherwise would look the early one up again).
    return _attribute_dicts(lambda element: (day.state(element), day.state(element, late=True)))


def _reading_states(readings: tuple[Reading, Reading] | None) -> tuple[State, State]:
    return (readings[0].state, readings[1].state) if readings else (UNKNOWN, UNKNOWN)


def _attribute_dicts(
    states_of: Callable[[str], tuple[State, State]],
) -> Callable[[str], dict[str, object]]:
    """An element's ``status``, ``controller``, ``uncertain`` (and ``otherwise_*`` when
    it is) from its early and late states, as a dict shared by every element in the
    same two: the caller copies it into its own."""
    made: dict[tuple[State, State], dict[str, object]] = {}

    def attributes(element: str) -> dict[str, object]:
        state, late = states_of(element)
        found = made.get((state, late))
        if found is None:
            found = {
                "status": state.status.value,
                "controller": state.controller,
                "uncertain": late != state,
            }
            if late != state:
                found["otherwise_status"] = late.status.value
                found["otherwise_controller"] = late.controller
            made[state, late] = found
        return found

    return attributes


def _disputed_from_claims(
    conn: Connection, network: RoadNetwork, day: dt.date, window: int, own: set[str]
) -> frozenset[str]:
    """The places and segments whose own deciding report is disputed on ``day``
    (reported data, no filter), reading only the reports about elements that some side
    claims: a dispute needs two claimants, and every independent report counts as one.
    ``own``: the segments whose own report decides them that day (the stored spans say
    so); any other segment has no deciding event, and so no dispute of its own."""
    claimed = reports.claimed_elements(conn, until=day)
    if not claimed:
        return frozenset()
    places = {ident for kind, ident in claimed if kind == "place"}
    segments = {ident for kind, ident in claimed if kind == "segment"}
    for kind, ident in claimed:
        if kind == "road" and ident in network.roads:
            segments.update(network.roads[ident].segments)
    segments &= own
    ends = {p for s in segments if s in network.segments for p in network.segments[s].ends()}
    decided = RoadNetwork(
        [network.places[p] for p in places | ends if p in network.places],
        [network.segments[s] for s in segments if s in network.segments],
        [r for r in network.roads.values() if segments.intersection(r.segments)],
    )
    timeline = decided.timeline(reports.read_control_events(conn, decided, until=day))
    found = {p for p in places if disputes.is_disputed(timeline, p, day, window)}
    found.update(
        s
        for s in decided.segments
        if disputes.deciding_event(timeline.early, s, "segment", day) is not None
        and disputes.is_disputed(timeline, s, day, window)
    )
    return frozenset(found)
