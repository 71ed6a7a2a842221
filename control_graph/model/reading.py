"""One reading of contract section 2 over a whole network.

The *early reading* takes every event on its ``date``; the *late reading* on its
``date_latest`` where it has one (contract section 4.1). Each reading computes an
element's histories once, on first use, and answers "on day D" by binary search. The
late reading shares the early one's histories for every element that no rough date
can reach (a place without such events, a segment whose own events and endpoints have
none), so it costs only where dates are rough.
"""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from control_graph.model.event_table import NO_DAY, PLACE, SEGMENT, EventTable, StatePairs
from control_graph.model.history import (
    NO_EVENT,
    Basis,
    History,
    decider_history,
    derive,
    segment_bases,
    state_history,
    summarise_road,
    value_at,
)
from control_graph.model.records import ControlEvent
from control_graph.model.states import UNKNOWN, State

if TYPE_CHECKING:
    from control_graph.model.timeline import MembershipIndex

__all__ = ["EventList", "EventsByElement", "Reading"]

By = Literal["party", "bloc"]


class EventList(Mapping[str, list[ControlEvent]]):
    """Each element's events in the early reading's order, as row indexes of the
    :class:`EventTable`; looked up by element id they come as :class:`ControlEvent`
    lists, made on each access."""

    def __init__(self, rows: dict[str, array[int]], table: EventTable) -> None:
        self._rows = rows
        self._table = table

    def __getitem__(self, element: str) -> list[ControlEvent]:
        event = self._table.event
        return [event(i) for i in self._rows[element]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, element: object) -> bool:
        return element in self._rows

    def rows(self, element: str) -> Sequence[int]:
        """The element's events as indexes into the table (empty when it has none)."""
        return self._rows.get(element, _NO_ROWS)

    def dated(self, element: str, first: dt.date, last: dt.date) -> list[ControlEvent]:
        """The element's events dated from ``first`` to ``last`` (both inclusive), in
        order: only those are made."""
        rows, day = self.rows(element), self._table.day
        low = bisect_left(rows, first.toordinal(), key=day.__getitem__)
        high = bisect_right(rows, last.toordinal(), key=day.__getitem__)
        event = self._table.event
        return [event(i) for i in rows[low:high]]


_NO_ROWS: array[int] = array("i")


class EventsByElement:
    """The events about each place and segment (a road's events count for each of its
    segments), and which elements have an event with a rough date.

    The events are kept once, as columns (:attr:`table`); each element has the indexes
    of its events, in the early reading's order."""

    def __init__(
        self,
        events: Iterable[ControlEvent] | EventTable,
        roads: Mapping[str, Sequence[str]],
        as_of: dt.date | None = None,
    ) -> None:
        table = events if isinstance(events, EventTable) else EventTable(events)
        #: Every event given, counted or not (see :attr:`places`, :attr:`segments`).
        self.table = table
        #: The pairs of endpoint states that segments' bases refer to, for both readings.
        self.pairs = StatePairs()
        places: dict[str, array[int]] = {}
        segments: dict[str, array[int]] = {}
        self.rough: set[str] = set()
        limit = as_of.toordinal() if as_of is not None else None
        recorded, target, target_id, latest = (
            table.recorded,
            table.target,
            table.target_id,
            table.latest,
        )
        ids = table.ids
        # Where the events of each (kind, id) go, worked out once per target.
        about: dict[int, tuple[tuple[str, ...], list[array[int]]]] = {}
        for i in table.early_order():
            if limit is not None and recorded[i] > limit:
                continue
            code = target_id[i] * 3 + target[i]
            found = about.get(code)
            if found is None:
                kind, ident = target[i], ids[target_id[i]]
                if kind == PLACE:
                    elements: tuple[str, ...] = (ident,)
                    lists = places
                else:
                    elements = (ident,) if kind == SEGMENT else tuple(roads.get(ident, ()))
                    lists = segments
                found = about[code] = (
                    elements,
                    [lists.setdefault(element, array("i")) for element in elements],
                )
            for rows in found[1]:
                rows.append(i)
            if latest[i] != NO_DAY:
                self.rough.update(found[0])
        #: Each place's events, in the order of the early reading.
        self.places = EventList(places, table)
        #: Each segment's own events and its roads' events, in the same order.
        self.segments = EventList(segments, table)


class Reading:
    """Section 2 read with every event on its day (early) or its latest day (late)."""

    def __init__(
        self,
        events: EventsByElement,
        segments: Mapping[str, tuple[str, str]],
        roads: Mapping[str, tuple[str, ...]],
        memberships: MembershipIndex,
        *,
        late: bool = False,
        early: Reading | None = None,
    ) -> None:
        self.events = events
        self.table = events.table
        self.pairs = events.pairs
        self.segments = segments
        self.roads = roads
        self.memberships = memberships
        self.late = late
        #: The reading whose histories this one shares where no rough date reaches.
        self._early = early
        self._place_deciders: dict[str, History[int]] = {}
        self._place_states: dict[str, History[State]] = {}
        self._bases: dict[str, History[int]] = {}
        self._views: dict[tuple[str, By], History[State]] = {}

    def _sorted(self, rows: Sequence[int]) -> Sequence[int]:
        if not self.late:
            return rows
        key = self.table.reading_key
        return sorted(rows, key=lambda i: key(i, True))

    def _event(self, code: int) -> ControlEvent | None:
        # A decider's or a basis's code: an event's index, else no event (NO_EVENT, or
        # a pair of endpoint states).
        return self.table.event(code) if code >= 0 else None

    # -- places ---------------------------------------------------------------------------

    def place_decider_codes(self, place: str, *, keep: bool = True) -> History[int]:
        """Which event decides the place from each day on (its index in the table, or
        :data:`NO_EVENT`); kept for the next call unless ``keep`` is false."""
        found = self._place_deciders.get(place)
        if found is None:
            if self._early is not None and place not in self.events.rough:
                found = self._early.place_decider_codes(place, keep=keep)
            else:
                events = self._sorted(self.events.places.rows(place))
                found = decider_history(events, self.table, self.late)
            if keep:
                self._place_deciders[place] = found
        return found

    def place_deciders(self, place: str) -> History[ControlEvent | None]:
        """Which event decides the place from each day on."""
        codes = self.place_decider_codes(place)
        return History(codes.dates, [self._event(code) for code in codes.values])

    def place_decider_on(self, place: str, day: dt.date) -> ControlEvent | None:
        """The event that decides the place on ``day`` (``None``: none does)."""
        return self._event(value_at(self.place_decider_codes(place), day, NO_EVENT))

    def place_history(self, place: str) -> History[State]:
        """The place's state from each day it changes (by party)."""
        found = self._place_states.get(place)
        if found is None:
            if self._early is not None and place not in self.events.rough:
                found = self._early.place_history(place)
            else:
                # The deciders themselves are kept only when asked for (a dispute, an
                # explanation): the states answer every other question.
                deciders = self.place_decider_codes(place, keep=False)
                found = state_history(deciders, self.table)
            self._place_states[place] = found
        return found

    # -- segments -------------------------------------------------------------------------

    def basis_codes(self, segment: str, *, keep: bool = True) -> History[int]:
        """What decides the segment from each day on, coded: an own event's index in
        the table, or a pair of endpoint states' code (see :meth:`basis`); kept for the
        next call unless ``keep`` is false."""
        found = self._bases.get(segment)
        if found is None:
            start, end = self.segments[segment]
            rough = self.events.rough
            if self._early is not None and not {segment, start, end} & rough:
                found = self._early.basis_codes(segment, keep=keep)
            else:
                # The segment's own deciders are needed only here: not kept.
                own = decider_history(
                    self._sorted(self.events.segments.rows(segment)), self.table, self.late
                )
                found = segment_bases(
                    own,
                    self.place_history(start),
                    self.place_history(end),
                    self.table,
                    self.pairs,
                    self.late,
                )
            if keep:
                self._bases[segment] = found
        return found

    def basis(self, code: int) -> Basis:
        """A coded basis as the event or the pair of endpoint states it stands for."""
        if code >= 0:
            return self.table.event(code)
        return self.pairs.pair(code)

    def basis_state(self, code: int) -> State:
        """The state a coded basis gives, by party."""
        return self.table.state_of(code) if code >= 0 else derive(*self.pairs.pair(code))

    def bases(self, segment: str) -> History[Basis]:
        """What decides the segment from each day on: an own event, or its endpoints."""
        codes = self.basis_codes(segment)
        return History(codes.dates, [self.basis(code) for code in codes.values])

    def _basis_code_on(self, segment: str, day: dt.date) -> int:
        return value_at(self.basis_codes(segment), day, self.pairs.code(UNKNOWN, UNKNOWN))

    def own_decider_on(self, segment: str, day: dt.date) -> ControlEvent | None:
        """The segment's own event that decides it on ``day``, or ``None`` when its
        endpoints do."""
        return self._event(self._basis_code_on(segment, day))

    def _code_in_view(self, code: int, day: dt.date, by: By) -> State:
        """The state a coded basis gives on ``day``, by party or by bloc."""
        if by == "party":
            return self.basis_state(code)
        if code >= 0:
            return self.memberships.view(self.table.state_of(code), day)
        start, end = self.pairs.pair(code)
        return derive(self.memberships.view(start, day), self.memberships.view(end, day))

    # -- states ---------------------------------------------------------------------------

    # The two lookups below run for every place and segment a path search reaches:
    # the cached history and the binary search are inlined.

    def place_state(self, place: str, day: dt.date, by: By = "party") -> State:
        history = self._place_states.get(place) or self.place_history(place)
        i = bisect_right(history.dates, day) - 1
        state = history.values[i] if i >= 0 else UNKNOWN
        return state if by == "party" else self.memberships.view(state, day)

    def segment_state(self, segment: str, day: dt.date, by: By = "party") -> State:
        if by == "party":
            history = self._views.get((segment, "party")) or self.history(
                segment, "segment", "party"
            )
            i = bisect_right(history.dates, day) - 1
            return history.values[i] if i >= 0 else UNKNOWN
        return self._code_in_view(self._basis_code_on(segment, day), day, by)

    def road_states(self, road: str, day: dt.date, by: By = "party") -> list[State]:
        return [self.segment_state(s, day, by) for s in self.roads[road]]

    def history(self, element: str, kind: str, by: By) -> History[State]:
        """Every day on which ``element``'s state (in the view) changes, from unknown on."""
        key = (element, by)
        found = self._views.get(key)
        if found is not None:
            return found
        if kind == "place" and by == "party":
            found = self.place_history(element)
        elif kind == "segment" and by == "party":
            # The bases are kept only when asked for (by bloc, a dispute, an
            # explanation): a segment's states by party answer every other question.
            bases = self.basis_codes(element, keep=False)
            state = self.basis_state
            found = _changes_only(bases.dates, [state(code) for code in bases.values])
        else:
            days: set[dt.date] = set()
            if kind == "place":
                days.update(self.place_history(element).dates)
            elif kind == "segment":
                days.update(self.basis_codes(element).dates)
            else:
                for segment in self.roads[element]:
                    days.update(self.history(segment, "segment", by).dates)
            if by == "bloc" and kind != "road":
                days.update(self.memberships.boundaries)
            ordered = sorted(days)
            if kind == "place":
                values = [self.place_state(element, day, by) for day in ordered]
            elif kind == "segment":
                values = [self.segment_state(element, day, by) for day in ordered]
            else:
                values = [summarise_road(self.road_states(element, day, by)) for day in ordered]
            found = _changes_only(ordered, values)
        self._views[key] = found
        return found


def _changes_only(dates: Sequence[dt.date], values: Sequence[State]) -> History[State]:
    kept_dates: list[dt.date] = []
    kept: list[State] = []
    current = UNKNOWN
    for day, value in zip(dates, values, strict=True):
        if value != current:
            kept_dates.append(day)
            kept.append(value)
            current = value
    return History(kept_dates, kept)
