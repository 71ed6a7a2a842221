"""What the figures and the web map show of contract section 4 besides states: the days
on which an answer is disputed, and each segment's access over time.

Pure Python over the engine (no matplotlib), so that both :mod:`control_graph.plot`
and :mod:`control_graph.webmap` draw from the same answers. Nothing here loops over
days: a dispute can only start or end on a day some event about the element (or an
endpoint) starts or stops counting, and access only on the day of an access record, so
only those days are asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from control_graph.model.access import AccessIndex, AccessState
from control_graph.model.disputes import DEFAULT_DISPUTE_WINDOW, claims, is_disputed
from control_graph.model.records import Access, ControlEvent, Target
from control_graph.model.timeline import ControlTimeline

__all__ = [
    "Span",
    "access_changes",
    "disputed_on",
    "disputed_spans",
    "may_be_disputed",
]


class Span(NamedTuple):
    """Days ``[start, end)``; ``end`` is ``None`` when the span is still open."""

    start: dt.date
    end: dt.date | None


def _own_events(timeline: ControlTimeline, element: str) -> list[ControlEvent]:
    lists = timeline.events.places if element in timeline.places else timeline.events.segments
    return lists.get(element, [])


def may_be_disputed(timeline: ControlTimeline, element: str) -> bool:
    """Whether ``element``'s own deciding event can ever have a rival: that takes
    reports from two claimants (every independent report counting as one). A cheap test
    that lets a whole network without claimants skip the question.

    Examples
    --------
    >>> from control_graph.model.records import ControlEvent, Target
    >>> from control_graph.model.states import held
    >>> day = dt.date(2025, 3, 1)
    >>> claim = ControlEvent(day, day, (1,), Target.PLACE, "mill", held("east"), claimant="east")
    >>> report = ControlEvent(day, day, (2,), Target.PLACE, "mill", held("west"))
    >>> timeline = ControlTimeline(places=["mill"], segments={}, events=[claim, report])
    >>> may_be_disputed(timeline, "mill")
    True
    """
    return len({event.claimant for event in _own_events(timeline, element)}) > 1


def disputed_on(
    timeline: ControlTimeline,
    element: str,
    day: dt.date,
    window: int = DEFAULT_DISPUTE_WINDOW,
    *,
    own: bool = True,
) -> bool:
    """Whether ``element`` (a place or segment) is disputed on ``day``; with ``own``
    only by its own deciding event (a segment derived from a disputed endpoint is not:
    the endpoint is)."""
    if own:
        return may_be_disputed(timeline, element) and bool(claims(timeline, element, day, window))
    related = [element, *timeline.segments.get(element, ())]
    return any(may_be_disputed(timeline, e) for e in related) and is_disputed(
        timeline, element, day, window
    )


def disputed_spans(
    timeline: ControlTimeline,
    element: str,
    window: int = DEFAULT_DISPUTE_WINDOW,
    *,
    own: bool = True,
) -> list[Span]:
    """The stretches of days on which a place or segment is disputed (contract 4.2),
    oldest first; ``own`` as for :func:`disputed_on`.

    Examples
    --------
    >>> from control_graph.model.records import ControlEvent, Target
    >>> from control_graph.model.states import held
    >>> day = dt.date
    >>> events = [
    ...     ControlEvent(day(2025, 3, 10), day(2025, 3, 10), (1,), Target.PLACE, "mill",
    ...                  held("east"), claimant="east"),
    ...     ControlEvent(day(2025, 3, 12), day(2025, 3, 12), (2,), Target.PLACE, "mill",
    ...                  held("west"), claimant="west"),
    ...     ControlEvent(day(2025, 4, 1), day(2025, 4, 1), (3,), Target.PLACE, "mill",
    ...                  held("west")),
    ... ]
    >>> timeline = ControlTimeline(places=["mill"], segments={}, events=events)
    >>> [(str(s.start), str(s.end)) for s in disputed_spans(timeline, "mill")]
    [('2025-03-12', '2025-04-01')]
    """
    ends = tuple(timeline.segments.get(element, ()))
    if not any(may_be_disputed(timeline, e) for e in (element, *(() if own else ends))):
        return []
    # The deciding event and its rivals change only where some event about the element
    # or its endpoints starts or stops counting.
    days = sorted(
        {
            day
            for about in (element, *ends)
            for event in _own_events(timeline, about)
            for day in (event.date, event.until)
            if day is not None
        }
    )
    spans: list[Span] = []
    start: dt.date | None = None
    for day in days:
        now = disputed_on(timeline, element, day, window, own=own)
        if now and start is None:
            start = day
        elif not now and start is not None:
            spans.append(Span(start, day))
            start = None
    if start is not None:
        spans.append(Span(start, None))
    return spans


def access_changes(
    index: AccessIndex,
    records: Iterable[Access],
    roads: Mapping[str, Sequence[str]],
) -> dict[str, list[tuple[dt.date, AccessState]]]:
    """Each segment's access from each day it changes on, oldest first, as ``index``
    (the records that count, under the question's filters) answers it.

    ``records`` are every access record there is (the filters may drop some): their
    days are the only days on which a segment's access can change.

    Examples
    --------
    >>> from control_graph.model.access import AccessEntry
    >>> from control_graph.model.records import AccessLevel
    >>> day = dt.date(2025, 2, 10)
    >>> entry = AccessEntry(day, day, (1,), Target.SEGMENT, "s1", AccessLevel.BLOCKED, "w")
    >>> record = Access(day, Target.SEGMENT, "s1", AccessLevel.BLOCKED, party="w")
    >>> changes = access_changes(AccessIndex([entry]), [record], roads={})
    >>> [(str(day), state.access.value, state.party) for day, state in changes["s1"]]
    [('2025-02-10', 'blocked', 'w')]
    """
    days: dict[str, set[dt.date]] = {}
    for record in records:
        if record.target is Target.ROAD:
            segments: Sequence[str] = roads.get(record.target_id, ())
        else:
            segments = (record.target_id,)
        for segment in segments:
            days.setdefault(segment, set()).add(record.date)
    found: dict[str, list[tuple[dt.date, AccessState]]] = {}
    for segment, candidates in sorted(days.items()):
        changes: list[tuple[dt.date, AccessState]] = []
        for day in sorted(candidates):
            state = index.on(segment, day)
            if state is not None and (not changes or changes[-1][1] != state):
                changes.append((day, state))
        if changes:
            found[segment] = changes
    return found
