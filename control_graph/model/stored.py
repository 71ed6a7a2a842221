"""What the engine computes, kept: each element's state spans, and questions answered
from them alone.

A *span* is a stretch of days on which an element's state in both readings (contract
section 4.1) and what decides it stay the same: the early state and whether a segment's
own report decides it (``own``) or its endpoints do, and the same for the late reading.
Stored in the database for the reported data, spans answer whole-network questions on
a day (paths, snapshots, maps) and over a window (changes) without reading a single
event: the state of a segment by bloc derives from the spans of its endpoints when
they decide it, which is why ``own`` is kept.

:func:`span_rows` computes them from the engine; :class:`DayStates` answers from the
spans containing one day; :class:`StoredTimeline` answers every day from all spans.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from control_graph.model.history import by_party, derive
from control_graph.model.records import ControlEvent, Membership
from control_graph.model.states import UNKNOWN, State
from control_graph.model.timeline import (
    By,
    Change,
    ControlTimeline,
    ElementType,
    Interval,
    MembershipIndex,
    RoadState,
    check_by,
    summarise_road,
)

__all__ = ["DayStates", "Span", "StoredTimeline", "span_rows"]


class Reading(NamedTuple):
    """An element's state in one reading and, for a segment, whether its own report
    decides it (``None`` for places)."""

    state: State
    own: bool | None


class Span(NamedTuple):
    """An element's state from ``start`` to the day before ``end`` (``None``: open)."""

    element: str
    type: ElementType
    start: dt.date
    end: dt.date | None
    early: Reading
    late: Reading
    #: The early state the day before ``start``: the span starts a change when it differs.
    before: State

    @property
    def changed(self) -> bool:
        return self.early.state != self.before


_NOTHING = Reading(UNKNOWN, None)


def _unheard(reading: Reading) -> bool:
    return reading.state == UNKNOWN and not reading.own


def _readings(
    timeline: ControlTimeline, element: str, late: bool
) -> tuple[list[dt.date], list[Reading]]:
    reading = timeline.late if late else timeline.early
    if element in timeline.places:
        history = reading.place_history(element)
        return history.dates, [Reading(s, None) for s in history.values]
    bases = reading.bases(element)
    return bases.dates, [Reading(by_party(b), isinstance(b, ControlEvent)) for b in bases.values]


def span_rows(timeline: ControlTimeline, element: str) -> list[Span]:
    """The spans of a place or segment, from the first day either reading knows it."""
    kind: ElementType = "place" if element in timeline.places else "segment"
    early_days, early = _readings(timeline, element, False)
    if timeline.late is timeline.early:
        late_days, late = early_days, early
    else:
        late_days, late = _readings(timeline, element, True)
    days = sorted(set(early_days) | set(late_days))
    values: list[tuple[Reading, Reading]] = []
    starts: list[dt.date] = []
    for day in days:
        i, j = bisect_right(early_days, day) - 1, bisect_right(late_days, day) - 1
        value = (early[i] if i >= 0 else _NOTHING, late[j] if j >= 0 else _NOTHING)
        if values and values[-1] == value:
            continue
        # Nothing is stored before the first news, but a segment's own report of
        # "unknown" is news: it decides the segment (and whether it is disputed).
        if not values and _unheard(value[0]) and _unheard(value[1]):
            continue
        starts.append(day)
        values.append(value)
    spans = []
    before = UNKNOWN
    for k, (start, (e, l_)) in enumerate(zip(starts, values, strict=True)):
        end = starts[k + 1] if k + 1 < len(starts) else None
        spans.append(Span(element, kind, start, end, e, l_, before))
        before = e.state
    return spans


class DayStates:
    """Every element's state on one day, from the spans that contain it.

    ``places`` and ``segments`` map ids to ``(early, late)`` readings; elements with no
    span that day are unknown in both readings.
    """

    def __init__(
        self,
        day: dt.date,
        spans: Iterable[Span],
        segments: Mapping[str, tuple[str, str]],
        memberships: Iterable[Membership] = (),
    ) -> None:
        self.day = day
        self.places: dict[str, tuple[Reading, Reading]] = {}
        self.segments: dict[str, tuple[Reading, Reading]] = {}
        for span in spans:
            found = self.places if span.type == "place" else self.segments
            found[span.element] = (span.early, span.late)
        self._ends = segments
        self.memberships = MembershipIndex(memberships)

    def _view(self, state: State, by: By) -> State:
        return state if by == "party" else self.memberships.view(state, self.day)

    def _check(self, day: dt.date) -> None:
        if day != self.day:
            raise ValueError(f"these are the states of {self.day}, not of {day}")

    def place_state(
        self, place: str, day: dt.date, by: By = "party", *, late: bool = False
    ) -> State:
        """A place's state on the day (the ``day`` argument must be that day)."""
        self._check(day)
        readings = self.places.get(place)
        state = readings[late].state if readings else UNKNOWN
        return self._view(state, by)

    def segment_state(
        self, segment: str, day: dt.date, by: By = "party", *, late: bool = False
    ) -> State:
        """A segment's state on the day (the ``day`` argument must be that day)."""
        self._check(day)
        readings = self.segments.get(segment)
        if readings is None:
            return UNKNOWN
        reading = readings[late]
        if by == "party" or reading.own or reading.state == UNKNOWN:
            return self._view(reading.state, by)
        start, end = self._ends[segment]
        return derive(
            self.place_state(start, day, by, late=late), self.place_state(end, day, by, late=late)
        )

    def state(self, element: str, day: dt.date, by: By = "party", *, late: bool = False) -> State:
        """A place's or segment's state on the day."""
        if element in self._ends:
            return self.segment_state(element, day, by, late=late)
        return self.place_state(element, day, by, late=late)


class StoredTimeline:
    """The questions of :class:`~control_graph.model.timeline.ControlTimeline` (states on
    any day, intervals, changes), answered from stored spans instead of events.

    Each element's spans are kept as sorted start days and readings: a question is a
    binary search, and nothing is recomputed.
    """

    def __init__(
        self,
        *,
        places: Iterable[str],
        segments: Mapping[str, tuple[str, str]],
        roads: Mapping[str, Sequence[str]] | None = None,
        spans: Iterable[Span] = (),
        memberships: Iterable[Membership] = (),
    ) -> None:
        self._places = frozenset(places)
        self._segments = dict(segments)
        self._roads = {road: tuple(s) for road, s in (roads or {}).items()}
        self.memberships = MembershipIndex(memberships)
        self._starts: dict[str, list[dt.date]] = {}
        self._spans: dict[str, list[Span]] = {}
        for span in sorted(spans, key=lambda s: (s.element, s.start)):
            self._starts.setdefault(span.element, []).append(span.start)
            self._spans.setdefault(span.element, []).append(span)

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
        if element in self._places:
            return "place"
        if element in self._segments:
            return "segment"
        if element in self._roads:
            return "road"
        from control_graph.errors import UnknownElementError

        raise UnknownElementError(f"no place, segment or road has the id {element!r}")

    def _span(self, element: str, day: dt.date) -> Span | None:
        starts = self._starts.get(element)
        if not starts:
            return None
        i = bisect_right(starts, day) - 1
        if i < 0:
            return None
        span = self._spans[element][i]
        return span if span.end is None or day < span.end else None

    def _reading(self, element: str, day: dt.date, late: bool) -> Reading:
        span = self._span(element, day)
        return _NOTHING if span is None else (span.late if late else span.early)

    def place_state(
        self, place: str, day: dt.date, by: By = "party", *, late: bool = False
    ) -> State:
        state = self._reading(place, day, late).state
        return state if by == "party" else self.memberships.view(state, day)

    def segment_state(
        self, segment: str, day: dt.date, by: By = "party", *, late: bool = False
    ) -> State:
        reading = self._reading(segment, day, late)
        if by == "party":
            return reading.state
        if reading.own or reading.state == UNKNOWN:
            return self.memberships.view(reading.state, day)
        start, end = self._segments[segment]
        return derive(
            self.place_state(start, day, by, late=late), self.place_state(end, day, by, late=late)
        )

    def road_state(self, road: str, day: dt.date, by: By = "party") -> RoadState:
        states = [self.segment_state(s, day, by) for s in self._roads[road]]
        return RoadState(summarise_road(states), tuple(zip(self._roads[road], states, strict=True)))

    def state(self, element: str, day: dt.date, by: By = "party", *, late: bool = False) -> State:
        check_by(by)
        kind = self.type_of(element)
        if kind == "place":
            return self.place_state(element, day, by, late=late)
        if kind == "segment":
            return self.segment_state(element, day, by, late=late)
        return summarise_road(
            self.segment_state(s, day, by, late=late) for s in self._roads[element]
        )

    def otherwise(self, element: str, day: dt.date, by: By = "party") -> State | None:
        late = self.state(element, day, by, late=True)
        return late if late != self.state(element, day, by) else None

    def _days(self, element: str, by: By) -> list[dt.date]:
        kind = self.type_of(element)
        elements = list(self._roads[element]) if kind == "road" else [element]
        days: set[dt.date] = set()
        for item in list(elements):
            days.update(s.start for s in self._spans.get(item, ()))
            days.update(s.end for s in self._spans.get(item, ()) if s.end is not None)
            if by == "bloc" and item in self._segments:
                for place in self._segments[item]:
                    days.update(s.start for s in self._spans.get(place, ()))
                    days.update(s.end for s in self._spans.get(place, ()) if s.end is not None)
        if by == "bloc":
            days.update(self.memberships.boundaries)
        return sorted(days)

    def intervals(
        self,
        element: str,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        by: By = "party",
    ) -> list[Interval]:
        """As :meth:`ControlTimeline.intervals`."""
        check_by(by)
        found: list[Interval] = []
        current: tuple[State, State | None] | None = None
        for day in self._days(element, by):
            value = (self.state(element, day, by), self.otherwise(element, day, by))
            if value == current or (current is None and value == (UNKNOWN, None)):
                continue
            if found:
                found[-1] = found[-1]._replace(end=day)
            found.append(Interval(day, None, *value))
            current = value
        result = []
        for interval in found:
            if end is not None and interval.start > end:
                break
            if start is not None and interval.end is not None and interval.end <= start:
                continue
            if start is not None and interval.start < start:
                interval = interval._replace(start=start)
            result.append(interval)
        return result

    def element_changes(self, element: str, by: By = "party") -> Iterator[Change]:
        kind = self.type_of(element)
        before = UNKNOWN
        for interval in self.intervals(element, by=by):
            if interval.state != before:
                late = self.state(element, interval.start, by, late=True)
                yield Change(
                    interval.start,
                    element,
                    kind,
                    before,
                    interval.state,
                    late if late != interval.state else None,
                )
            before = interval.state

    def changes(
        self, *, start: dt.date | None = None, end: dt.date | None = None, by: By = "party"
    ) -> list[Change]:
        """As :meth:`ControlTimeline.changes`."""
        check_by(by)
        found = [
            change
            for element in (*self._places, *self._segments)
            for change in self.element_changes(element, by)
            if (start is None or change.date >= start) and (end is None or change.date <= end)
        ]
        found.sort(key=lambda c: (c.date, c.element))
        return found
