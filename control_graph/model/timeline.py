"""The timeline engine: the state of every place, segment and road on any day.

This module is pure Python. It implements section 2 of the contract:

* a place's state on day D is its last event dated on or before D, events ordered by
  ``(date, recorded, order)``;
* a segment's state comes from whichever is more recent, its own last event or the last
  *change* of either endpoint (same day: its own event wins). Derived from the
  endpoints it is held by P when both are held by P, contested when both are known,
  unknown otherwise -- but a segment with an event of its own keeps that event's state
  while either endpoint is unknown;
* a road summarises its segments (held / contested / unknown / divided);
* ``by="bloc"`` maps parties to the bloc they belonged to on D, after recency has been
  decided on parties.

Each element's history is computed once, lazily, as a sorted list of the days its state
changes; a question about day D is then a binary search. Nothing here scans all events
to answer a question.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Literal, NamedTuple, Protocol

from control_graph.errors import InvalidArgumentError, UnknownElementError
from control_graph.model.event_table import EventTable
from control_graph.model.history import summarise_road, value_at
from control_graph.model.reading import EventsByElement, Reading
from control_graph.model.records import ControlEvent, Membership
from control_graph.model.states import UNKNOWN, State, Status, held

__all__ = [
    "ELEMENT_TYPES",
    "By",
    "Change",
    "ControlTimeline",
    "ElementType",
    "Interval",
    "MembershipIndex",
    "RoadState",
    "StatesOnDays",
    "check_by",
    "summarise_road",
]

By = Literal["party", "bloc"]
ElementType = Literal["place", "segment", "road"]
_VIEWS: dict[str, By] = {"party": "party", "bloc": "bloc"}
#: The element types, by name (narrows a ``str`` to an :data:`ElementType`).
ELEMENT_TYPES: dict[str, ElementType] = {"place": "place", "segment": "segment", "road": "road"}


class Interval(NamedTuple):
    """A stretch of days ``[start, end)`` with one state; ``end`` is ``None`` when open.

    ``otherwise`` is the late reading's state when it differs (the interval is then
    *uncertain*: the data's rough dates allow either), else ``None``.
    """

    start: dt.date
    end: dt.date | None
    state: State
    otherwise: State | None = None

    @property
    def uncertain(self) -> bool:
        return self.otherwise is not None


class Change(NamedTuple):
    """An element's state on ``date`` differs from its state the day before (in the
    early reading); ``otherwise`` is the late reading's state that day when it differs."""

    date: dt.date
    element: str
    type: ElementType
    before: State
    after: State
    otherwise: State | None = None

    @property
    def uncertain(self) -> bool:
        return self.otherwise is not None


class RoadState(NamedTuple):
    """A road's summary state on one day and the state of each segment, in road order."""

    state: State
    segments: tuple[tuple[str, State], ...]


class StatesOnDays(Protocol):
    """What answers "the state of this place or segment on that day" (in the early
    reading, or with ``late`` the late one): the engine, or states read from storage."""

    def place_state(self, place: str, day: dt.date, by: By = "party") -> State: ...

    def segment_state(self, segment: str, day: dt.date, by: By = "party") -> State: ...

    def state(
        self, element: str, day: dt.date, by: By = "party", *, late: bool = False
    ) -> State: ...


class MembershipIndex:
    """Which bloc a party belonged to on a given day.

    >>> index = MembershipIndex([Membership("east", "coalition", dt.date(2024, 3, 1))])
    >>> index.bloc_of("east", dt.date(2024, 2, 1)), index.bloc_of("east", dt.date(2024, 3, 1))
    ('east', 'coalition')
    """

    def __init__(self, memberships: Iterable[Membership]) -> None:
        self._by_party: dict[str, list[Membership]] = defaultdict(list)
        boundaries: set[dt.date] = set()
        for membership in memberships:
            self._by_party[membership.party].append(membership)
            boundaries.update(d for d in (membership.start, membership.end) if d is not None)
        #: Days on which some party joins or leaves a bloc: the bloc view can change then.
        self.boundaries: list[dt.date] = sorted(boundaries)

    def bloc_of(self, party: str, day: dt.date) -> str:
        """The bloc ``party`` belonged to on ``day``, or the party itself if none."""
        for membership in self._by_party.get(party, ()):
            if membership.covers(day):
                return membership.bloc
        return party

    def periods(self, party: str) -> list[tuple[dt.date | None, dt.date | None, str]]:
        """The stretches of days ``[start, end)`` (``None``: open) over which ``party``
        shows as one bloc, or as itself, in order.

        >>> index = MembershipIndex([Membership("east", "coalition", dt.date(2024, 3, 1))])
        >>> [(start, end, shown) for start, end, shown in index.periods("east")]
        [(None, datetime.date(2024, 3, 1), 'east'), (datetime.date(2024, 3, 1), None, 'coalition')]
        """
        days = {
            day
            for membership in self._by_party.get(party, ())
            for day in (membership.start, membership.end)
            if day is not None
        }
        edges: list[dt.date | None] = [None, *sorted(days), None]
        found: list[tuple[dt.date | None, dt.date | None, str]] = []
        for start, end in itertools.pairwise(edges):
            if start is not None:
                probe = start
            elif end is not None:
                probe = end - dt.timedelta(days=1)
            else:
                probe = dt.date.min
            shown = self.bloc_of(party, probe)
            if found and found[-1][2] == shown:
                found[-1] = (found[-1][0], end, shown)
            else:
                found.append((start, end, shown))
        return found

    def view(self, state: State, day: dt.date) -> State:
        """``state`` with its controller mapped to its bloc on ``day``."""
        if state.status is Status.HELD and state.controller is not None:
            bloc = self.bloc_of(state.controller, day)
            if bloc != state.controller:
                return held(bloc)
        return state


class ControlTimeline:
    """The control history of a road network, built from its events.

    Answers come from the early reading (contract section 4.1: every event on its
    ``date``); :attr:`late` is the late reading (each event on its ``date_latest`` where
    it has one), and intervals and changes carry the late state where it differs.

    Parameters
    ----------
    places
        Ids of every place.
    segments
        Each segment id mapped to its ``(start, end)`` place ids.
    roads
        Each road id mapped to its segment ids in road order.
    events
        The control events (an :class:`EventTable` is kept as it is, not copied); an
        event on a road applies to every segment of the road.
    memberships
        Bloc memberships, for ``by="bloc"``.
    as_of
        Count only events recorded on or before this day (the data as it stood then).

    Examples
    --------
    >>> from control_graph.model.records import ControlEvent, Target
    >>> day, at = dt.date, Target.PLACE
    >>> timeline = ControlTimeline(
    ...     places=["ford", "mill"],
    ...     segments={"ford-mill": ("ford", "mill")},
    ...     roads={"valley": ["ford-mill"]},
    ...     events=[
    ...         ControlEvent(day(2024, 1, 1), day(2024, 1, 1), (1,), at, "ford", held("north")),
    ...         ControlEvent(day(2024, 1, 1), day(2024, 1, 1), (2,), at, "mill", held("north")),
    ...         ControlEvent(day(2024, 3, 5), day(2024, 3, 9), (3,), at, "mill", held("east")),
    ...     ],
    ... )
    >>> timeline.state("valley", day(2024, 2, 1)).controller
    'north'
    >>> timeline.state("ford-mill", day(2024, 3, 6)).status.value
    'contested'
    >>> [(i.start.isoformat(), i.state.status.value) for i in timeline.intervals("ford-mill")]
    [('2024-01-01', 'held'), ('2024-03-05', 'contested')]
    """

    def __init__(
        self,
        *,
        places: Iterable[str],
        segments: Mapping[str, tuple[str, str]],
        roads: Mapping[str, Sequence[str]] | None = None,
        events: Iterable[ControlEvent] | EventTable = (),
        memberships: Iterable[Membership] = (),
        as_of: dt.date | None = None,
    ) -> None:
        self.as_of = as_of
        self.memberships = MembershipIndex(memberships)
        self._places = frozenset(places)
        self._segments = dict(segments)
        self._roads = {road: tuple(segs) for road, segs in (roads or {}).items()}
        self._events = EventsByElement(events, self._roads, as_of)
        self.early = Reading(self._events, self._segments, self._roads, self.memberships)
        #: The late reading; the early one itself when no event has a rough date.
        self.late = (
            Reading(
                self._events,
                self._segments,
                self._roads,
                self.memberships,
                late=True,
                early=self.early,
            )
            if self._events.rough
            else self.early
        )

    # -- what is in the network -------------------------------------------------------

    @property
    def places(self) -> frozenset[str]:
        return self._places

    @property
    def segments(self) -> Mapping[str, tuple[str, str]]:
        return self._segments

    @property
    def roads(self) -> Mapping[str, tuple[str, ...]]:
        return self._roads

    @property
    def events(self) -> EventsByElement:
        """The events counted, by element, in the order of the early reading."""
        return self._events

    def type_of(self, element: str) -> ElementType:
        """Whether ``element`` is a place, a segment or a road."""
        if element in self._places:
            return "place"
        if element in self._segments:
            return "segment"
        if element in self._roads:
            return "road"
        raise UnknownElementError(f"no place, segment or road has the id {element!r}")

    # -- questions (the early reading) ----------------------------------------------------

    def place_state(self, place: str, day: dt.date, by: By = "party") -> State:
        """The state of a place on ``day``."""
        return self.early.place_state(place, day, by)

    def segment_state(self, segment: str, day: dt.date, by: By = "party") -> State:
        """The state of a segment on ``day``."""
        return self.early.segment_state(segment, day, by)

    def road_state(self, road: str, day: dt.date, by: By = "party") -> RoadState:
        """The summary state of a road on ``day`` with each segment's state."""
        states = self.early.road_states(road, day, by)
        return RoadState(summarise_road(states), tuple(zip(self._roads[road], states, strict=True)))

    def state(self, element: str, day: dt.date, by: By = "party", *, late: bool = False) -> State:
        """The state of any place, segment or road on ``day`` (in the late reading with
        ``late``)."""
        check_by(by)
        reading = self.late if late else self.early
        kind = self.type_of(element)
        if kind == "place":
            return reading.place_state(element, day, by)
        if kind == "segment":
            return reading.segment_state(element, day, by)
        return summarise_road(reading.road_states(element, day, by))

    def otherwise(self, element: str, day: dt.date, by: By = "party") -> State | None:
        """The late reading's state on ``day`` where it differs from the answer, else
        ``None`` (the answer is then certain)."""
        if self.late is self.early:
            return None
        late = self.state(element, day, by, late=True)
        return late if late != self.state(element, day, by) else None

    def intervals(
        self,
        element: str,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        by: By = "party",
    ) -> list[Interval]:
        """The intervals of ``element``'s state, from the first day either reading knows
        it; an interval ends where the state or the late reading's differs.

        With ``start``/``end`` only intervals overlapping those days (both inclusive)
        are kept, and an interval starting before ``start`` is moved up to it.
        """
        check_by(by)
        kind = self.type_of(element)
        early = self.early.history(element, kind, by)
        days: list[dt.date] = early.dates
        values: list[tuple[State, State | None]] = [(s, None) for s in early.values]
        if self.late is not self.early:
            late = self.late.history(element, kind, by)
            days, values = [], []
            for day in sorted(set(early.dates) | set(late.dates)):
                here, there = value_at(early, day, UNKNOWN), value_at(late, day, UNKNOWN)
                value = (here, there if there != here else None)
                if (values and values[-1] == value) or (not values and value == (UNKNOWN, None)):
                    continue
                days.append(day)
                values.append(value)
        result: list[Interval] = []
        for i, (day, (state, other)) in enumerate(zip(days, values, strict=True)):
            until = days[i + 1] if i + 1 < len(days) else None
            if end is not None and day > end:
                break
            if start is not None and until is not None and until <= start:
                continue
            if start is not None and day < start:
                day = start
            result.append(Interval(day, until, state, other))
        return result

    def element_changes(self, element: str, by: By = "party") -> Iterator[Change]:
        """Every change of a place's or segment's state, oldest first."""
        kind = self.type_of(element)
        history = self.early.history(element, kind, by)
        late = self.late.history(element, kind, by) if self.late is not self.early else None
        before = UNKNOWN
        for day, after in zip(history.dates, history.values, strict=True):
            other = value_at(late, day, UNKNOWN) if late is not None else after
            yield Change(day, element, kind, before, after, other if other != after else None)
            before = after

    def changes(
        self,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        by: By = "party",
    ) -> list[Change]:
        """Every change of state of every place and segment, by date then element id,
        keeping dates from ``start`` to ``end`` (both inclusive)."""
        check_by(by)
        found = [
            change
            for element in (*self._places, *self._segments)
            for change in self.element_changes(element, by)
            if (start is None or change.date >= start) and (end is None or change.date <= end)
        ]
        found.sort(key=lambda c: (c.date, c.element))
        return found


def check_by(by: str) -> By:
    """``by`` as a :data:`By`, or an error a user can act on.

    >>> check_by("bloc")
    'bloc'
    """
    view = _VIEWS.get(by)
    if view is not None:
        return view
    raise InvalidArgumentError(f"by must be 'party' or 'bloc', not {by!r}")
