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
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Literal, NamedTuple

from control_graph.errors import InvalidArgumentError, UnknownElementError
from control_graph.model.records import ControlEvent, Membership, Target
from control_graph.model.states import CONTESTED, UNKNOWN, State, Status, held

__all__ = [
    "ELEMENT_TYPES",
    "By",
    "Change",
    "ControlTimeline",
    "ElementType",
    "Interval",
    "MembershipIndex",
    "RoadState",
    "check_by",
    "summarise_road",
]

By = Literal["party", "bloc"]
ElementType = Literal["place", "segment", "road"]
_VIEWS: dict[str, By] = {"party": "party", "bloc": "bloc"}
#: The element types, by name (narrows a ``str`` to an :data:`ElementType`).
ELEMENT_TYPES: dict[str, ElementType] = {"place": "place", "segment": "segment", "road": "road"}

# A segment's state on a day is decided by its "basis": either one of its own events
# (a State) or the pair of its endpoints' states, from which it is derived. The basis
# is kept, not just the resulting state, because the bloc view derives differently
# (two members of one bloc at the ends hold the segment for the bloc).
_Basis = State | tuple[State, State]
_UNKNOWN_ENDS: _Basis = (UNKNOWN, UNKNOWN)


class Interval(NamedTuple):
    """A stretch of days ``[start, end)`` with one state; ``end`` is ``None`` when open."""

    start: dt.date
    end: dt.date | None
    state: State


class Change(NamedTuple):
    """An element's state on ``date`` differs from its state the day before."""

    date: dt.date
    element: str
    type: ElementType
    before: State
    after: State


class RoadState(NamedTuple):
    """A road's summary state on one day and the state of each segment, in road order."""

    state: State
    segments: tuple[tuple[str, State], ...]


class _History(NamedTuple):
    """Days on which a value changed, and the value from that day on (sorted by day)."""

    dates: list[dt.date]
    values: list[State]


class _SegmentHistory(NamedTuple):
    dates: list[dt.date]
    bases: list[_Basis]


def _value_at(dates: Sequence[dt.date], values: Sequence[State], day: dt.date) -> State:
    i = bisect_right(dates, day) - 1
    return values[i] if i >= 0 else UNKNOWN


def _derive(start: State, end: State) -> State:
    """A segment's state from its endpoints' states (both already in the same view)."""
    if start.status is Status.HELD and start == end:
        return start
    if start.is_known and end.is_known:
        return CONTESTED
    return UNKNOWN


def _by_party(basis: _Basis) -> State:
    return basis if isinstance(basis, State) else _derive(*basis)


def summarise_road(states: Iterable[State]) -> State:
    """A road's state from its segments' states.

    >>> from control_graph.model.states import held, CONTESTED
    >>> summarise_road([held("kia"), held("kia")]).controller
    'kia'
    >>> summarise_road([held("kia"), CONTESTED]).status.value
    'contested'
    >>> summarise_road([held("kia"), held("saf")]).status.value
    'divided'
    """
    states = list(states)
    controllers = {s.controller for s in states if s.status is Status.HELD}
    if states and all(s.status is Status.HELD for s in states) and len(controllers) == 1:
        return states[0]
    if any(s.status is Status.CONTESTED for s in states):
        return CONTESTED
    if not states or any(s.status is Status.UNKNOWN for s in states):
        return UNKNOWN
    return State(Status.DIVIDED, None)


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

    def view(self, state: State, day: dt.date) -> State:
        """``state`` with its controller mapped to its bloc on ``day``."""
        if state.status is Status.HELD and state.controller is not None:
            bloc = self.bloc_of(state.controller, day)
            if bloc != state.controller:
                return held(bloc)
        return state


class ControlTimeline:
    """The control history of a road network, built from its events.

    Parameters
    ----------
    places
        Ids of every place.
    segments
        Each segment id mapped to its ``(start, end)`` place ids.
    roads
        Each road id mapped to its segment ids in road order.
    events
        The control events; an event on a road applies to every segment of the road.
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
        events: Iterable[ControlEvent] = (),
        memberships: Iterable[Membership] = (),
        as_of: dt.date | None = None,
    ) -> None:
        self.as_of = as_of
        self.memberships = MembershipIndex(memberships)
        self._places = frozenset(places)
        self._segments = dict(segments)
        self._roads = {road: tuple(segs) for road, segs in (roads or {}).items()}
        self._place_events: dict[str, list[ControlEvent]] = defaultdict(list)
        self._segment_events: dict[str, list[ControlEvent]] = defaultdict(list)
        for event in events:
            if as_of is not None and event.recorded > as_of:
                continue
            if event.target is Target.PLACE:
                self._place_events[event.target_id].append(event)
            elif event.target is Target.SEGMENT:
                self._segment_events[event.target_id].append(event)
            else:
                for segment in self._roads.get(event.target_id, ()):
                    self._segment_events[segment].append(event)
        self._place_cache: dict[str, _History] = {}
        self._own_cache: dict[str, _History] = {}
        self._segment_cache: dict[str, _SegmentHistory] = {}
        self._view_cache: dict[tuple[str, By], _History] = {}

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

    def type_of(self, element: str) -> ElementType:
        """Whether ``element`` is a place, a segment or a road."""
        if element in self._places:
            return "place"
        if element in self._segments:
            return "segment"
        if element in self._roads:
            return "road"
        raise UnknownElementError(f"no place, segment or road has the id {element!r}")

    # -- histories, computed once per element -------------------------------------------

    @staticmethod
    def _last_per_day(events: list[ControlEvent]) -> _History:
        """Each day that has events, with the state its last event asserts."""
        events.sort()
        dates: list[dt.date] = []
        values: list[State] = []
        for event in events:
            if dates and dates[-1] == event.date:
                values[-1] = event.state
            else:
                dates.append(event.date)
                values.append(event.state)
        return _History(dates, values)

    @staticmethod
    def _changes_only(history: _History, initial: State = UNKNOWN) -> _History:
        dates: list[dt.date] = []
        values: list[State] = []
        current = initial
        for day, value in zip(history.dates, history.values, strict=True):
            if value != current:
                dates.append(day)
                values.append(value)
                current = value
        return _History(dates, values)

    def _place_history(self, place: str) -> _History:
        history = self._place_cache.get(place)
        if history is None:
            history = self._changes_only(self._last_per_day(self._place_events.get(place, [])))
            self._place_cache[place] = history
        return history

    def _own_history(self, segment: str) -> _History:
        history = self._own_cache.get(segment)
        if history is None:
            history = self._last_per_day(self._segment_events.get(segment, []))
            self._own_cache[segment] = history
        return history

    def _basis_at(self, day: dt.date, own: _History, start: _History, end: _History) -> _Basis:
        i = bisect_right(own.dates, day) - 1
        j = bisect_right(start.dates, day) - 1
        k = bisect_right(end.dates, day) - 1
        start_state = start.values[j] if j >= 0 else UNKNOWN
        end_state = end.values[k] if k >= 0 else UNKNOWN
        if i < 0:
            return (start_state, end_state)
        last_change = max(
            start.dates[j] if j >= 0 else dt.date.min, end.dates[k] if k >= 0 else dt.date.min
        )
        # Its own event wins ties; news about an unknown end never erases it.
        if own.dates[i] >= last_change or not (start_state.is_known and end_state.is_known):
            return own.values[i]
        return (start_state, end_state)

    def _segment_history(self, segment: str) -> _SegmentHistory:
        history = self._segment_cache.get(segment)
        if history is not None:
            return history
        start, end = self._segments[segment]
        own = self._own_history(segment)
        start_history = self._place_history(start)
        end_history = self._place_history(end)
        candidates = sorted(set(own.dates) | set(start_history.dates) | set(end_history.dates))
        dates: list[dt.date] = []
        bases: list[_Basis] = []
        current = _UNKNOWN_ENDS
        for day in candidates:
            basis = self._basis_at(day, own, start_history, end_history)
            if basis != current:
                dates.append(day)
                bases.append(basis)
                current = basis
        history = _SegmentHistory(dates, bases)
        self._segment_cache[segment] = history
        return history

    def _basis_on(self, segment: str, day: dt.date) -> _Basis:
        history = self._segment_history(segment)
        i = bisect_right(history.dates, day) - 1
        return history.bases[i] if i >= 0 else _UNKNOWN_ENDS

    def _in_view(self, basis: _Basis, day: dt.date, by: By) -> State:
        if by == "party":
            return _by_party(basis)
        if isinstance(basis, State):
            return self.memberships.view(basis, day)
        start, end = basis
        return _derive(self.memberships.view(start, day), self.memberships.view(end, day))

    # -- questions ----------------------------------------------------------------------

    def place_state(self, place: str, day: dt.date, by: By = "party") -> State:
        """The state of a place on ``day``."""
        history = self._place_history(place)
        state = _value_at(history.dates, history.values, day)
        return state if by == "party" else self.memberships.view(state, day)

    def segment_state(self, segment: str, day: dt.date, by: By = "party") -> State:
        """The state of a segment on ``day``."""
        if by == "party":
            history = self._history(segment, "party")
            return _value_at(history.dates, history.values, day)
        return self._in_view(self._basis_on(segment, day), day, by)

    def road_state(self, road: str, day: dt.date, by: By = "party") -> RoadState:
        """The summary state of a road on ``day`` with each segment's state."""
        segments = tuple((s, self.segment_state(s, day, by)) for s in self._roads[road])
        return RoadState(summarise_road(state for _, state in segments), segments)

    def state(self, element: str, day: dt.date, by: By = "party") -> State:
        """The state of any place, segment or road on ``day``."""
        check_by(by)
        kind = self.type_of(element)
        if kind == "place":
            return self.place_state(element, day, by)
        if kind == "segment":
            return self.segment_state(element, day, by)
        return self.road_state(element, day, by).state

    def _history(self, element: str, by: By) -> _History:
        """Every day on which ``element``'s state (in the view) changes, from unknown on."""
        key = (element, by)
        history = self._view_cache.get(key)
        if history is not None:
            return history
        kind = self.type_of(element)
        if kind == "place" and by == "party":
            history = self._place_history(element)
        elif kind == "segment" and by == "party":
            seg = self._segment_history(element)
            history = self._changes_only(_History(seg.dates, [_by_party(b) for b in seg.bases]))
        else:
            if kind == "place":
                days = set(self._place_history(element).dates)
            elif kind == "segment":
                days = set(self._segment_history(element).dates)
            else:
                days = set()
                for segment in self._roads[element]:
                    days.update(self._history(segment, by).dates)
            if by == "bloc" and kind != "road":
                days.update(self.memberships.boundaries)
            ordered = sorted(days)
            history = self._changes_only(
                _History(ordered, [self.state(element, day, by) for day in ordered])
            )
        self._view_cache[key] = history
        return history

    def intervals(
        self,
        element: str,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        by: By = "party",
    ) -> list[Interval]:
        """The intervals of ``element``'s state, from the first day it is known.

        With ``start``/``end`` only intervals overlapping those days (both inclusive)
        are kept, and an interval starting before ``start`` is moved up to it.
        """
        check_by(by)
        history = self._history(element, by)
        result: list[Interval] = []
        for i, (day, state) in enumerate(zip(history.dates, history.values, strict=True)):
            until = history.dates[i + 1] if i + 1 < len(history.dates) else None
            if end is not None and day > end:
                break
            if start is not None and until is not None and until <= start:
                continue
            if start is not None and day < start:
                day = start
            result.append(Interval(day, until, state))
        return result

    def element_changes(self, element: str, by: By = "party") -> Iterator[Change]:
        """Every change of a place's or segment's state, oldest first."""
        kind = self.type_of(element)
        history = self._history(element, by)
        before = UNKNOWN
        for day, after in zip(history.dates, history.values, strict=True):
            yield Change(day, element, kind, before, after)
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
