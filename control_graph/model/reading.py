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
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from control_graph.model.history import (
    UNKNOWN_ENDS,
    Basis,
    History,
    by_party,
    decider_history,
    derive,
    reading_order,
    segment_bases,
    state_history,
    summarise_road,
    value_at,
)
from control_graph.model.records import ControlEvent, Target
from control_graph.model.states import UNKNOWN, State

if TYPE_CHECKING:
    from control_graph.model.timeline import MembershipIndex

__all__ = ["EventsByElement", "Reading"]

By = Literal["party", "bloc"]


class EventsByElement:
    """The events about each place and segment (a road's events count for each of its
    segments), and which elements have an event with a rough date."""

    def __init__(
        self,
        events: Iterable[ControlEvent],
        roads: Mapping[str, Sequence[str]],
        as_of: dt.date | None = None,
    ) -> None:
        self.places: dict[str, list[ControlEvent]] = {}
        self.segments: dict[str, list[ControlEvent]] = {}
        self.rough: set[str] = set()
        for event in events:
            if as_of is not None and event.recorded > as_of:
                continue
            if event.target is Target.PLACE:
                about: Iterable[str] = (event.target_id,)
                lists = self.places
            elif event.target is Target.SEGMENT:
                about, lists = (event.target_id,), self.segments
            else:
                about, lists = roads.get(event.target_id, ()), self.segments
            for element in about:
                found = lists.get(element)
                if found is None:
                    lists[element] = [event]
                else:
                    found.append(event)
                if event.date_latest is not None:
                    self.rough.add(element)
        early = reading_order(False)
        for found in (*self.places.values(), *self.segments.values()):
            found.sort(key=early)


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
        self.segments = segments
        self.roads = roads
        self.memberships = memberships
        self.late = late
        #: The reading whose histories this one shares where no rough date reaches.
        self._early = early
        self._place_deciders: dict[str, History[ControlEvent | None]] = {}
        self._place_states: dict[str, History[State]] = {}
        self._own_deciders: dict[str, History[ControlEvent | None]] = {}
        self._bases: dict[str, History[Basis]] = {}
        self._views: dict[tuple[str, By], History[State]] = {}

    def _sorted(self, events: list[ControlEvent]) -> list[ControlEvent]:
        return sorted(events, key=reading_order(True)) if self.late else events

    # -- places ---------------------------------------------------------------------------

    def place_deciders(self, place: str) -> History[ControlEvent | None]:
        """Which event decides the place from each day on."""
        found = self._place_deciders.get(place)
        if found is None:
            if self._early is not None and place not in self.events.rough:
                found = self._early.place_deciders(place)
            else:
                events = self._sorted(self.events.places.get(place, []))
                found = decider_history(events, self.late)
            self._place_deciders[place] = found
        return found

    def place_history(self, place: str) -> History[State]:
        """The place's state from each day it changes (by party)."""
        found = self._place_states.get(place)
        if found is None:
            if self._early is not None and place not in self.events.rough:
                found = self._early.place_history(place)
            else:
                found = state_history(self.place_deciders(place))
            self._place_states[place] = found
        return found

    # -- segments -------------------------------------------------------------------------

    def own_deciders(self, segment: str) -> History[ControlEvent | None]:
        """Which of the segment's own events is the last in force, from each day on."""
        found = self._own_deciders.get(segment)
        if found is None:
            if self._early is not None and segment not in self.events.rough:
                found = self._early.own_deciders(segment)
            else:
                events = self._sorted(self.events.segments.get(segment, []))
                found = decider_history(events, self.late)
            self._own_deciders[segment] = found
        return found

    def bases(self, segment: str) -> History[Basis]:
        """What decides the segment from each day on: an own event, or its endpoints."""
        found = self._bases.get(segment)
        if found is None:
            start, end = self.segments[segment]
            rough = self.events.rough
            if self._early is not None and not {segment, start, end} & rough:
                found = self._early.bases(segment)
            else:
                found = segment_bases(
                    self.own_deciders(segment),
                    self.place_history(start),
                    self.place_history(end),
                    self.late,
                )
            self._bases[segment] = found
        return found

    def basis_on(self, segment: str, day: dt.date) -> Basis:
        return value_at(self.bases(segment), day, UNKNOWN_ENDS)

    def in_view(self, basis: Basis, day: dt.date, by: By) -> State:
        """The state a segment's basis gives on ``day``, by party or by bloc."""
        if by == "party":
            return by_party(basis)
        if isinstance(basis, ControlEvent):
            return self.memberships.view(basis.state, day)
        start, end = basis
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
        return self.in_view(self.basis_on(segment, day), day, by)

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
            bases = self.bases(element)
            found = _changes_only(bases.dates, [by_party(b) for b in bases.values])
        else:
            days: set[dt.date] = set()
            if kind == "place":
                days.update(self.place_history(element).dates)
            elif kind == "segment":
                days.update(self.bases(element).dates)
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
