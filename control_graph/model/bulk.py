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
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from control_graph.model.history import derive
from control_graph.model.states import CONTESTED, UNKNOWN, State
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
        #: Where each element's rows start (and the last one's end), as an array.
        self.bounds = np.searchsorted(element, np.arange(count + 1))
        self._bounds = self.bounds.tolist()  # the same as Python ints, for one element
        #: The columns, all elements' rows one after another.
        self.values = values

    def __getitem__(self, index: int) -> tuple[list[int], ...]:
        low, high = self._bounds[index], self._bounds[index + 1]
        return tuple(column[low:high].tolist() for column in self.values)


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
    derived = _derive_table(table)
    ends = np.array([(start, end) for _, start, end in segments], dtype=np.int64).reshape(-1, 2)
    for low in range(0, len(segments), SEGMENT_BATCH):
        high = min(low + SEGMENT_BATCH, len(segments))
        yield from _segment_spans(
            segments, low, high, ends[low:high], histories, own_histories, table, derived
        )


#: How many segments' spans are worked out at once: the batch's columns, and its spans'
#: values as Python ints, exist at once (20,000 at a time took the import of a million
#: events from 228 MB to 561 MB at its peak; a thousand, no more than before).
SEGMENT_BATCH = 1_000


def _derive_table(table: list[State]) -> IntArray:
    """``derive(a, b)`` for every pair of state codes, as codes (the table grows by the
    contested and unknown states where missing)."""
    for needed in (UNKNOWN, CONTESTED):
        if needed not in table:
            table.append(needed)
    count = len(table)
    codes = {state: code for code, state in enumerate(table)}
    return np.array(
        [[codes[derive(table[a], table[b])] for b in range(count)] for a in range(count)],
        dtype=np.int64,
    )


def _ranges(starts: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """For ranges ``[start, start + count)``, which range each position belongs to, and
    the positions themselves, all ranges one after another."""
    owner = np.repeat(np.arange(len(counts)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, np.repeat(starts, counts) + offsets


def _last_of_kind(kind: IntArray, wanted: int, first_row: IntArray) -> IntArray:
    """For each row, the index of the last row of ``kind`` ``wanted`` at or before it in
    the same segment (whose rows begin at ``first_row``), or -1."""
    index = np.where(kind == wanted, np.arange(len(kind)), -1)
    last = np.maximum.accumulate(index) if len(index) else index
    return np.where(last >= first_row, last, -1)


def _segment_spans(
    segments: Sequence[tuple[str, int, int]],
    low: int,
    high: int,
    ends: IntArray,
    histories: _Split,
    own_histories: _Split,
    table: list[State],
    derived: IntArray,
) -> Iterator[Span]:
    """The spans of segments ``low`` to ``high``, worked out as columns: every day on
    which a segment's own events or either endpoint's state change, the reading of that
    day, then the runs of equal readings (contract section 2, as
    :func:`control_graph.model.history.segment_bases` reads it)."""
    own_days, own_states = own_histories.values
    place_days, place_states = histories.values
    unknown = table.index(UNKNOWN)
    known = np.array([state.is_known for state in table], dtype=bool)
    # The rows: each segment's own days (kind 0) and its endpoints' changes (1, 2).
    bounds = own_histories.bounds
    parts: list[tuple[IntArray, IntArray, IntArray, IntArray]] = [
        (
            np.repeat(np.arange(high - low), np.diff(bounds[low : high + 1])),
            np.arange(bounds[low], bounds[high]),
            own_days,
            own_states,
        )
    ]
    for place in (ends[:, 0], ends[:, 1]):
        starts = histories.bounds[place]
        owner, rows = _ranges(starts, histories.bounds[place + 1] - starts)
        parts.append((owner, rows, place_days, place_states))
    segment = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[2][p[1]] for p in parts])
    value = np.concatenate([p[3][p[1]] for p in parts])
    kind = np.concatenate([np.full(len(p[0]), k, dtype=np.int8) for k, p in enumerate(parts)])
    order = np.lexsort((day, segment))
    segment, day, value, kind = segment[order], day[order], value[order], kind[order]
    first_row = np.searchsorted(segment, segment)  # where each row's segment begins
    own, start, end = (_last_of_kind(kind, k, first_row) for k in (0, 1, 2))
    # One reading per segment and day: the day's last row has seen all of the day.
    last = np.ones(len(segment), dtype=bool)
    last[:-1] = (segment[1:] != segment[:-1]) | (day[1:] != day[:-1])
    own, start, end = own[last], start[last], end[last]
    start_state = np.where(start >= 0, value[start], unknown)
    end_state = np.where(end >= 0, value[end], unknown)
    # Its own event wins when at least as recent as the last change of either end (ties
    # too), and while either end is unknown.
    changed = np.maximum(np.where(start >= 0, day[start], 0), np.where(end >= 0, day[end], 0))
    has_own = own >= 0
    own_wins = has_own & (
        (np.where(has_own, day[own], 0) >= changed) | ~(known[start_state] & known[end_state])
    )
    state = np.where(own_wins, value[own], derived[start_state, end_state])
    segment, day = segment[last], day[last]
    # Nothing before the first news (an own "unknown" is news), then runs of equal days.
    news = np.where((state != unknown) | own_wins, np.arange(len(state)), -1)
    heard = (np.maximum.accumulate(news) if len(news) else news) >= np.searchsorted(
        segment, segment
    )
    segment, day, state, own_wins = segment[heard], day[heard], state[heard], own_wins[heard]
    new = np.ones(len(segment), dtype=bool)
    new[1:] = (
        (segment[1:] != segment[:-1]) | (state[1:] != state[:-1]) | (own_wins[1:] != own_wins[:-1])
    )
    segment, day, state, own_wins = segment[new], day[new], state[new], own_wins[new]
    same_next = np.zeros(len(segment), dtype=bool)
    same_next[:-1] = segment[1:] == segment[:-1]
    following = np.where(same_next, np.roll(day, -1), 0)
    before = np.full(len(segment), unknown)
    before[1:] = np.where(same_next[:-1], state[:-1], unknown)
    readings: dict[tuple[int, bool], Reading] = {}
    dates: dict[int, dt.date] = {}

    def date(ordinal: int) -> dt.date:
        found = dates.get(ordinal)
        if found is None:
            found = dates[ordinal] = _day(ordinal)
        return found

    for index, start_day, end_day, code, is_own, before_code in zip(
        segment.tolist(),
        day.tolist(),
        following.tolist(),
        state.tolist(),
        own_wins.tolist(),
        before.tolist(),
        strict=True,
    ):
        reading = readings.get((code, is_own))
        if reading is None:
            reading = readings[code, is_own] = Reading(table[code], is_own)
        yield Span(
            segments[low + index][0],
            "segment",
            date(start_day),
            date(end_day) if end_day else None,
            reading,
            reading,
            table[before_code],
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
