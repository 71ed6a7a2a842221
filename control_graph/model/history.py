"""Histories: the days on which a value changes, computed once per element.

A history is two parallel sorted lists, the days and the value from each day on;
"the value on day D" is a binary search. The engine keeps three kinds:

* a place's (or a segment's own) *deciders*: which event decides it from each day on
  -- the last event in force, events ordered by their day in the reading, then
  ``recorded``, then position (contract sections 2 and 4.1);
* a place's *states*, the deciders' states with repeats dropped: what segments and
  answers need;
* a segment's *bases*: its own deciding event, or the pair of its endpoints' states
  it is derived from (kept as a pair because the bloc view derives differently).

Deciders and bases are kept as codes in an ``array`` of machine integers: an event's
index in the :class:`~control_graph.model.event_table.EventTable`, :data:`NO_EVENT`,
or a pair of states' code in :class:`~control_graph.model.event_table.StatePairs` (a
list of objects took 8 bytes a value and a tuple for every pair).
"""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, NamedTuple, TypeVar

from control_graph.model.event_table import NO_DAY, EventTable, StatePairs
from control_graph.model.records import ControlEvent
from control_graph.model.states import CONTESTED, UNKNOWN, State, Status

__all__ = [
    "NO_EVENT",
    "Basis",
    "History",
    "decider_history",
    "derive",
    "segment_bases",
    "state_history",
    "summarise_road",
    "value_at",
]

T = TypeVar("T")

#: What decides a segment's state on a day: one of its own events, or the states of
#: its two endpoints.
Basis = ControlEvent | tuple[State, State]
#: A decider history's value for "no event decides".
NO_EVENT = -1


class History(NamedTuple, Generic[T]):
    """Days on which a value changed, and the value from that day on (sorted by day)."""

    dates: list[dt.date]
    values: Sequence[T]


def value_at(history: History[T], day: dt.date, default: T) -> T:
    """The value on ``day``: the last change on or before it, else ``default``."""
    i = bisect_right(history.dates, day) - 1
    return history.values[i] if i >= 0 else default


def decider_history(events: Sequence[int], table: EventTable, late: bool = False) -> History[int]:
    """Which event decides from each day on: the last one in force, as its index in
    ``table`` (:data:`NO_EVENT`: none).

    ``events`` are indexes into ``table``, sorted in the reading's order (see
    :meth:`EventTable.reading_key`). An event is in force from the day it takes effect
    until the day before its ``until``; when the deciding event lapses, the one before
    it that is still in force decides again (or none: unknown).
    """
    if not events:
        return History([], array("i"))
    effective, until = table.effective, table.until
    days = sorted(
        {effective(i, late) for i in events} | {until[i] for i in events if until[i] != NO_DAY}
    )
    dates: list[dt.date] = []
    deciders = array("i")
    # Events enter in the reading's order, so the one last pushed and still in force
    # is the deciding one; lapsed events are dropped when they reach the top.
    in_force: list[int] = []
    current = NO_EVENT
    i, count = 0, len(events)
    for day in days:
        while i < count and effective(events[i], late) == day:
            in_force.append(events[i])
            i += 1
        while in_force and (lapse := until[in_force[-1]]) != NO_DAY and lapse <= day:
            in_force.pop()
        decider = in_force[-1] if in_force else NO_EVENT
        if decider != current:
            dates.append(table.date(day))
            deciders.append(decider)
            current = decider
    return History(dates, deciders)


def reading_order(late: bool) -> Callable[[ControlEvent], tuple[dt.date, dt.date, tuple[int, ...]]]:
    """The sort key of events in a reading: (day it takes effect, recorded, position)."""
    if late:
        return lambda e: (e.date_latest or e.date, e.recorded, e.order)
    return lambda e: (e.date, e.recorded, e.order)


def state_history(deciders: History[int], table: EventTable) -> History[State]:
    """The deciders' states, from the first day known, each change once."""
    dates: list[dt.date] = []
    states: list[State] = []
    current = UNKNOWN
    state_of = table.state_of
    for day, decider in zip(deciders.dates, deciders.values, strict=True):
        state = UNKNOWN if decider == NO_EVENT else state_of(decider)
        if state != current:
            dates.append(day)
            states.append(state)
            current = state
    return History(dates, states)


def derive(start: State, end: State) -> State:
    """A segment's state from its endpoints' states (both already in the same view)."""
    if start.status is Status.HELD and start == end:
        return start
    if start.is_known and end.is_known:
        return CONTESTED
    return UNKNOWN


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


def segment_bases(
    own: History[int],
    start: History[State],
    end: History[State],
    table: EventTable,
    pairs: StatePairs,
    late: bool = False,
) -> History[int]:
    """A segment's basis from each day on, coded: its own deciding event (its index in
    ``table``) when that is at least as recent as the last change of either endpoint
    (its own event wins ties), or while either endpoint is unknown; else its endpoints'
    states (a negative code of ``pairs``)."""
    candidates = sorted(set(own.dates) | set(start.dates) | set(end.dates))
    dates: list[dt.date] = []
    bases = array("i")
    current = pairs.code(UNKNOWN, UNKNOWN)
    for day in candidates:
        i = bisect_right(own.dates, day) - 1
        j = bisect_right(start.dates, day) - 1
        k = bisect_right(end.dates, day) - 1
        start_state = start.values[j] if j >= 0 else UNKNOWN
        end_state = end.values[k] if k >= 0 else UNKNOWN
        decider = own.values[i] if i >= 0 else NO_EVENT
        basis = NO_EVENT
        if decider != NO_EVENT:
            last_change = max(
                start.dates[j] if j >= 0 else dt.date.min, end.dates[k] if k >= 0 else dt.date.min
            )
            # Its own event wins ties; news about an unknown end never erases it.
            if table.effective(decider, late) >= last_change.toordinal() or not (
                start_state.is_known and end_state.is_known
            ):
                basis = decider
        if basis == NO_EVENT:
            basis = pairs.code(start_state, end_state)
        if basis != current:
            dates.append(day)
            bases.append(basis)
            current = basis
    return History(dates, bases)
