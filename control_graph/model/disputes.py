"""Who says so: deciding events, rival claims, disputes and explanations (contract
sections 4.2 and 4.4).

Everything here starts from the deciding event that the engine's lookup already finds
(:meth:`Reading.place_decider_on`, :meth:`Reading.own_decider_on`), and looks only at the few events
about the same element dated within the dispute window before it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, NamedTuple

from control_graph.model.history import History, reading_order
from control_graph.model.reading import EventList, Reading
from control_graph.model.records import ControlEvent
from control_graph.model.states import Status
from control_graph.model.timeline import By, ControlTimeline, ElementType

__all__ = [
    "DEFAULT_DISPUTE_WINDOW",
    "Explained",
    "Role",
    "claims",
    "deciding_event",
    "explain",
    "is_disputed",
    "own_dispute_history",
]

#: Days before a deciding event within which a differing claim disputes it.
DEFAULT_DISPUTE_WINDOW = 7
Role = Literal["own", "endpoint", "otherwise"]
_ROLES: dict[Role, int] = {"own": 0, "endpoint": 1, "otherwise": 2}
_ORDER = reading_order(False)


class Explained(NamedTuple):
    """An event behind an answer: the element it is about, and why it counts."""

    element: str
    role: Role
    event: ControlEvent


def deciding_event(reading: Reading, element: str, kind: str, day: dt.date) -> ControlEvent | None:
    """The event that gives a place's state on ``day``, or a segment's when its state
    comes from an event of its own; ``None`` when nothing decides (or the segment is
    derived from its endpoints)."""
    if kind == "place":
        return reading.place_decider_on(element, day)
    if kind == "segment":
        return reading.own_decider_on(element, day)
    return None


def _event_list(timeline: ControlTimeline, kind: str) -> EventList:
    return timeline.events.places if kind == "place" else timeline.events.segments


def _rivals(
    timeline: ControlTimeline, element: str, kind: str, day: dt.date, window: int
) -> tuple[ControlEvent | None, list[ControlEvent]]:
    decider = deciding_event(timeline.early, element, kind, day)
    if decider is None or decider.state.status is Status.UNKNOWN:
        return decider, []
    # The early reading orders each element's events by date first.
    first = decider.date - dt.timedelta(days=window)
    window_events = _event_list(timeline, kind).dated(element, first, decider.date)
    rivals = [
        event
        for event in window_events
        # Equal, not the same object: the engine makes an event each time it is asked.
        if event != decider
        and (event.until is None or event.until > day)
        and event.state.status is not Status.UNKNOWN
        and event.state != decider.state
        and event.claimant != decider.claimant
    ]
    return decider, rivals


def claims(
    timeline: ControlTimeline,
    element: str,
    day: dt.date,
    window: int = DEFAULT_DISPUTE_WINDOW,
) -> list[ControlEvent]:
    """The deciding event and its rivals, ordered like events, when a place or a segment
    with a deciding event is disputed on ``day``; else ``[]``."""
    kind = timeline.type_of(element)
    decider, rivals = _rivals(timeline, element, kind, day, window)
    if decider is None or not rivals:
        return []
    return sorted([decider, *rivals], key=_ORDER)


def is_disputed(
    timeline: ControlTimeline,
    element: str,
    day: dt.date,
    window: int = DEFAULT_DISPUTE_WINDOW,
) -> bool:
    """Whether the answer for ``element`` on ``day`` is disputed: its deciding event has
    a rival; a segment derived from its endpoints when either endpoint is; a road when
    any of its segments is."""
    kind = timeline.type_of(element)
    if not timeline.events.table.claims:
        return False  # a rival claims what another party does not: no claim, no rival
    if kind == "road":
        return any(is_disputed(timeline, s, day, window) for s in timeline.roads[element])
    if kind == "segment" and deciding_event(timeline.early, element, kind, day) is None:
        start, end = timeline.segments[element]
        return is_disputed(timeline, start, day, window) or is_disputed(timeline, end, day, window)
    return bool(_rivals(timeline, element, kind, day, window)[1])


def own_dispute_history(
    timeline: ControlTimeline, element: str, window: int = DEFAULT_DISPUTE_WINDOW
) -> History[bool]:
    """From which days a place's (or a segment's own) deciding event is disputed, and
    from which it no longer is: what is kept beside the element's spans.

    Whether it is can change only where the deciding event does (the decider's or the
    segment's basis's history) or where a rival lapses (an event's ``until``); without
    a claimant among the element's events nothing is ever disputed.
    """
    kind = timeline.type_of(element)
    if kind == "road" or not timeline.events.table.claims:
        # No claim at all: not every element's events made to find none.
        return History([], [])
    events = _event_list(timeline, kind).get(element, [])
    if all(event.claimant is None for event in events):
        return History([], [])
    reading = timeline.early
    changes = (
        reading.place_decider_codes(element).dates
        if kind == "place"
        else reading.basis_codes(element).dates
    )
    days = sorted({*changes, *(e.until for e in events if e.until is not None)})
    dates: list[dt.date] = []
    flags: list[bool] = []
    current = False
    for day in days:
        flag = bool(_rivals(timeline, element, kind, day, window)[1])
        if flag != current:
            dates.append(day)
            flags.append(flag)
            current = flag
    return History(dates, flags)


def _deciders(
    reading: Reading, element: str, kind: ElementType, day: dt.date, own: Role, ends: Role
) -> list[Explained]:
    if kind == "place":
        decider = deciding_event(reading, element, kind, day)
        return [Explained(element, own, decider)] if decider is not None else []
    if kind == "segment":
        decider = deciding_event(reading, element, kind, day)
        if decider is not None:
            return [Explained(element, own, decider)]
        found = []
        for place in reading.segments[element]:
            event = deciding_event(reading, place, "place", day)
            if event is not None:
                found.append(Explained(place, ends, event))
        return found
    return [
        explained
        for segment in reading.roads[element]
        for explained in _deciders(reading, segment, "segment", day, own, ends)
    ]


def explain(
    timeline: ControlTimeline, element: str, day: dt.date, by: By = "party"
) -> list[Explained]:
    """The events behind the answer for ``element`` on ``day`` (contract 4.4).

    A place's deciding event (role ``own``); a segment's own deciding event, or each
    endpoint's (role ``endpoint``); a road's, over its segments. When the answer is
    uncertain, the late reading's deciding events not already listed (role
    ``otherwise``). Each event once per element, ordered by element, role, then as
    events are ordered.
    """
    kind = timeline.type_of(element)
    found = _deciders(timeline.early, element, kind, day, "own", "endpoint")
    if timeline.otherwise(element, day, by) is not None:
        found += _deciders(timeline.late, element, kind, day, "otherwise", "otherwise")
    unique: dict[tuple[str, ControlEvent], Explained] = {}
    for explained in found:
        unique.setdefault((explained.element, explained.event), explained)
    return sorted(
        unique.values(),
        key=lambda x: (x.element, _ROLES[x.role], _ORDER(x.event)),
    )
