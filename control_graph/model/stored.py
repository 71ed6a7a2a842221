"""What the engine computes, kept: each element's state spans, and questions answered
from them alone.

A *span* is a stretch of days on which an element's state in both readings (contract
section 4.1) and what decides it stay the same: the early state and whether a segment's
own report decides it (``own``) or its endpoints do, the same for the late reading, and
whether a rival claim disputes the deciding report (contract 4.2, default window).
Stored in the database for the reported data, spans answer whole-network questions on
a day (paths, snapshots, maps) and over a window (changes) without reading a single
event: the state of a segment by bloc derives from the spans of its endpoints when
they decide it, which is why ``own`` is kept.

:func:`span_rows` computes them from the engine; :class:`DayStates` answers from the
spans containing one day.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from control_graph.model.disputes import own_dispute_history
from control_graph.model.history import derive
from control_graph.model.records import Membership
from control_graph.model.states import UNKNOWN, State
from control_graph.model.timeline import (
    By,
    ControlTimeline,
    ElementType,
    MembershipIndex,
)

__all__ = ["DayReadings", "DayStates", "Span", "span_rows"]


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
    #: Whether a rival claim disputes the place's (or the segment's own) deciding event,
    #: with the default dispute window (contract 4.2); a span ends where this changes.
    disputed: bool = False

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
    # Each element's spans are made once: its bases need not be kept.
    bases = reading.basis_codes(element, keep=False)
    state = reading.basis_state
    # A non-negative code is an event of the segment's own (see Reading.basis).
    return bases.dates, [Reading(state(code), code >= 0) for code in bases.values]


def span_rows(timeline: ControlTimeline, element: str) -> list[Span]:
    """The spans of a place or segment, from the first day either reading knows it."""
    kind: ElementType = "place" if element in timeline.places else "segment"
    early_days, early = _readings(timeline, element, False)
    if timeline.late is timeline.early:
        late_days, late = early_days, early
    else:
        late_days, late = _readings(timeline, element, True)
    flag_days, flags = own_dispute_history(timeline, element)
    days = sorted(set(early_days) | set(late_days) | set(flag_days))
    values: list[tuple[Reading, Reading, bool]] = []
    starts: list[dt.date] = []
    for day in days:
        i, j = bisect_right(early_days, day) - 1, bisect_right(late_days, day) - 1
        k = bisect_right(flag_days, day) - 1
        value = (
            early[i] if i >= 0 else _NOTHING,
            late[j] if j >= 0 else _NOTHING,
            flags[k] if k >= 0 else False,
        )
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
    for n, (start, (e, l_, disputed)) in enumerate(zip(starts, values, strict=True)):
        end = starts[n + 1] if n + 1 < len(starts) else None
        spans.append(Span(element, kind, start, end, e, l_, before, disputed))
        before = e.state
    return spans


class DayReadings(NamedTuple):
    """What the spans containing one day say: each place's and segment's ``(early,
    late)`` readings, and which of them are disputed. A store reads this from the
    spans' rows without making a :class:`Span` of each (170,000 of them on a national
    network's day)."""

    places: dict[str, tuple[Reading, Reading]]
    segments: dict[str, tuple[Reading, Reading]]
    disputed: frozenset[str]


class DayStates:
    """Every element's state on one day, from the spans that contain it.

    ``places`` and ``segments`` map ids to ``(early, late)`` readings; elements with no
    span that day are unknown in both readings.
    """

    def __init__(
        self,
        day: dt.date,
        readings: DayReadings,
        segments: Mapping[str, tuple[str, str]],
        memberships: Iterable[Membership] = (),
    ) -> None:
        self.day = day
        self.places: dict[str, tuple[Reading, Reading]] = readings.places
        self.segments: dict[str, tuple[Reading, Reading]] = readings.segments
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
