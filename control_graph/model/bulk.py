"""State spans of many elements at once, from compact arrays of events.

The engine (:mod:`control_graph.model.timeline`) works one element at a time over event
objects, which is right for a question and too heavy for an import of a million events:
the objects alone would take hundreds of megabytes. Here the same reading of contract
section 2 runs over columns -- days, states, positions as integers -- sorted once with
numpy: a place's history is the last event of each day with repeats dropped, a
segment's the merge of its own last events with its endpoints' changes.

Only data without ``date_latest``, ``until`` or ``claimant`` is read this way (then the
late reading equals the early one, no report lapses and none is disputed); otherwise
the engine computes the spans. A test checks both give the same spans.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from control_graph.model.history import derive
from control_graph.model.states import UNKNOWN, State
from control_graph.model.stored import Reading, Span

__all__ = ["EventColumns", "bulk_spans"]

#: A column of integers: 32 bits where values allow (days, indexes, codes), 64 for the
#: order of events (import id and position in one number).
IntArray = npt.NDArray[np.signedinteger[Any]]

PLACE, SEGMENT, ROAD = 0, 1, 2


class EventColumns(NamedTuple):
    """Events as parallel integer columns: what they are about (``kind``: 0 place,
    1 segment, 2 road; ``target``: the index of that place, segment or road), their day
    and recorded day (ordinals), their place in the order of events (``order``), and
    their state (an index into the list of states)."""

    kind: IntArray
    target: IntArray
    day: IntArray
    recorded: IntArray
    order: IntArray
    state: IntArray


def _last_per_day(
    element: IntArray, day: IntArray, recorded: IntArray, order: IntArray, state: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Per element and day, the state of the day's last event (sorted by element, day)."""
    if not len(element):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    sort = np.lexsort((order, recorded, day, element))
    element, day, state = element[sort], day[sort], state[sort]
    last = np.ones(len(element), dtype=bool)
    last[:-1] = (element[1:] != element[:-1]) | (day[1:] != day[:-1])
    return element[last], day[last], state[last]


def _changes_only(
    element: IntArray, day: IntArray, state: IntArray, unknown: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Drop the days on which an element's state does not change (from unknown on)."""
    if not len(element):
        return element, day, state
    previous = np.empty_like(state)
    previous[1:] = state[:-1]
    first = np.ones(len(element), dtype=bool)
    first[1:] = element[1:] != element[:-1]
    previous[first] = unknown
    keep = state != previous
    return element[keep], day[keep], state[keep]


class _Split:
    """Per element index, its rows as Python lists (one per column), made when asked:
    lists of a million Python ints, and a slice of them per element, took most of an
    import's memory (the columns themselves are 8 bytes a value)."""

    def __init__(self, element: IntArray, values: Sequence[IntArray], count: int) -> None:
        self._bounds = np.searchsorted(element, np.arange(count + 1)).tolist()
        self._values = values

    def __getitem__(self, index: int) -> tuple[list[int], ...]:
        low, high = self._bounds[index], self._bounds[index + 1]
        return tuple(column[low:high].tolist() for column in self._values)


def bulk_spans(
    places: Sequence[str],
    segments: Sequence[tuple[str, int, int]],
    roads: Sequence[Sequence[int]],
    states: Sequence[State],
    events: EventColumns,
) -> Iterator[Span]:
    """The spans of every place and segment.

    ``places`` are the place ids by index; ``segments`` each segment's id and its
    endpoints' place indexes; ``roads`` each road's segment indexes; ``states`` the
    states the events' ``state`` column indexes. The histories are worked out here,
    at once; the spans are made as the result is iterated, and it holds neither the
    events nor the sorting's intermediate columns (an import writes the spans while
    it iterates: those columns would stay alive through the writing).
    """
    unknown = states.index(UNKNOWN) if UNKNOWN in states else len(states)
    table = [*states, UNKNOWN] if unknown == len(states) else list(states)
    histories = _place_histories(events, len(places), unknown)
    own_histories = _own_histories(events, roads, len(segments))
    return _spans(places, segments, table, histories, own_histories)


def _place_histories(events: EventColumns, count: int, unknown: int) -> _Split:
    """Each place's changes: the last event of each day, repeats dropped."""
    at_place = events.kind == PLACE
    place, day, state = _last_per_day(
        events.target[at_place],
        events.day[at_place],
        events.recorded[at_place],
        events.order[at_place],
        events.state[at_place],
    )
    place, day, state = _changes_only(place, day, state, unknown)
    return _Split(place, (day, state), count)


def _own_histories(events: EventColumns, roads: Sequence[Sequence[int]], count: int) -> _Split:
    """Each segment's own last event of each day: its own events, and each road's
    events on every segment of the road."""
    kind, target = events.kind, events.target
    own = kind == SEGMENT
    segment_rows = [target[own]]
    columns = [events.day[own], events.recorded[own], events.order[own], events.state[own]]
    on_road = np.flatnonzero(kind == ROAD)
    if len(on_road):
        sizes = np.array([len(roads[r]) for r in target[on_road]], dtype=np.int64)
        repeated = np.repeat(on_road, sizes)
        segment_rows.append(
            np.concatenate([np.asarray(roads[r], dtype=np.int32) for r in target[on_road]])
        )
        columns = [
            np.concatenate((column, source[repeated]))
            for column, source in zip(
                columns, (events.day, events.recorded, events.order, events.state), strict=True
            )
        ]
    segment, own_day, own_state = _last_per_day(np.concatenate(segment_rows), *columns)
    return _Split(segment, (own_day, own_state), count)


def _spans(
    places: Sequence[str],
    segments: Sequence[tuple[str, int, int]],
    table: list[State],
    histories: _Split,
    own_histories: _Split,
) -> Iterator[Span]:
    for index, ident in enumerate(places):
        days, codes = histories[index]
        yield from _place_spans(ident, days, [table[c] for c in codes])
    for index, (ident, start, end) in enumerate(segments):
        own_days, own_codes = own_histories[index]
        yield from _segment_spans(
            ident,
            own_days,
            [table[c] for c in own_codes],
            histories[start],
            histories[end],
            table,
        )


def _day(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


def _place_spans(ident: str, days: list[int], values: list[State]) -> Iterator[Span]:
    before = UNKNOWN
    for k, (start, state) in enumerate(zip(days, values, strict=True)):
        end = _day(days[k + 1]) if k + 1 < len(days) else None
        reading = Reading(state, None)
        yield Span(ident, "place", _day(start), end, reading, reading, before)
        before = state


def _segment_spans(
    ident: str,
    own_days: list[int],
    own_states: list[State],
    start_history: tuple[list[int], ...],
    end_history: tuple[list[int], ...],
    table: list[State],
) -> Iterator[Span]:
    start_days, start_codes = start_history
    end_days, end_codes = end_history
    candidates = sorted(set(own_days) | set(start_days) | set(end_days))
    runs: list[tuple[int, Reading]] = []
    for day in candidates:
        i = bisect_right(own_days, day) - 1
        j = bisect_right(start_days, day) - 1
        k = bisect_right(end_days, day) - 1
        start = table[start_codes[j]] if j >= 0 else UNKNOWN
        end = table[end_codes[k]] if k >= 0 else UNKNOWN
        reading = Reading(derive(start, end), False)
        if i >= 0:
            last_change = max(start_days[j] if j >= 0 else 0, end_days[k] if k >= 0 else 0)
            # Its own event wins ties; news about an unknown end never erases it.
            if own_days[i] >= last_change or not (start.is_known and end.is_known):
                reading = Reading(own_states[i], True)
        if runs and runs[-1][1] == reading:
            continue
        if not runs and reading.state == UNKNOWN and not reading.own:
            continue  # nothing before the first news; an own "unknown" is news
        runs.append((day, reading))
    before = UNKNOWN
    for n, (day, reading) in enumerate(runs):
        end_day = _day(runs[n + 1][0]) if n + 1 < len(runs) else None
        yield Span(ident, "segment", _day(day), end_day, reading, reading, before)
        before = reading.state
