"""What the checks of contract section 4 read from the engine.

Some findings are about answers, not rows: whether the answer about an element today
rests on old news, is disputed, or comes from a contested report that never lapses.
Those come from the engine over every event that counts (a
:class:`~control_graph.model.timeline.ControlTimeline`, which
:meth:`Model.history <control_graph.query.Model.history>` builds), asked about one day,
and from the deciding events its lookups already find. Each function here walks it once
and returns plain rows for the rules in :mod:`control_graph.check.rules.trust`; none of
them reads the database.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import NamedTuple

from control_graph.model.disputes import claims, deciding_event
from control_graph.model.records import ControlEvent, Target
from control_graph.model.states import State, Status
from control_graph.model.timeline import ControlTimeline

__all__ = [
    "EndsOf",
    "Freshness",
    "OpenDispute",
    "RoadAgainstEnds",
    "StandingReport",
    "contested_standing",
    "freshness",
    "open_disputes",
    "report_day",
    "roads_against_ends",
]


class Freshness(NamedTuple):
    """An element known on a day, and the newest report about it that counts then."""

    element: str
    type: str
    state: State
    last: dt.date


class OpenDispute(NamedTuple):
    """A place, or a segment with a deciding event, disputed on a day: ``claims`` are its
    deciding event and the rivals, ordered like events."""

    element: str
    type: str
    deciding: ControlEvent
    claims: tuple[ControlEvent, ...]


class StandingReport(NamedTuple):
    """A report deciding some elements on a day (``elements``: the places or segments,
    by id; an event on a road decides segments)."""

    event: ControlEvent
    elements: tuple[str, ...]


class EndsOf(NamedTuple):
    """A segment and the states of its ends on a day."""

    segment: str
    start: str
    start_state: State
    end: str
    end_state: State


class RoadAgainstEnds(NamedTuple):
    """An event on a road, and the segments of the road whose two ends it contradicts."""

    event: ControlEvent
    segments: tuple[EndsOf, ...]


def report_day(event: ControlEvent) -> dt.date:
    """The latest day a report speaks of: its ``date_latest`` where it has one (the
    change had happened by then), else its ``date``.

    >>> from control_graph.model.states import held
    >>> day = dt.date(2025, 1, 21)
    >>> rough = ControlEvent(day, day, (1,), Target.PLACE, "a", held("n"), dt.date(2025, 1, 31))
    >>> report_day(rough), report_day(rough._replace(date_latest=None))
    (datetime.date(2025, 1, 31), datetime.date(2025, 1, 21))
    """
    return event.date_latest or event.date


def _newest(events: list[ControlEvent], day: dt.date) -> dt.date | None:
    """The latest :func:`report_day` of the events dated on or before ``day`` (``events``
    in the engine's order, so by date)."""
    upto = bisect_right(events, day, key=lambda e: e.date)
    return max((report_day(e) for e in events[:upto]), default=None)


def _decided(timeline: ControlTimeline, day: dt.date) -> Iterable[tuple[str, str, ControlEvent]]:
    """``(element, type, deciding event)`` of every place, and every segment whose state
    comes from a report of its own, on ``day`` (early reading), by type and id."""
    for kind, elements in (("place", timeline.places), ("segment", timeline.segments)):
        for element in sorted(elements):
            event = deciding_event(timeline.early, element, kind, day)
            if event is not None:
                yield element, kind, event


def freshness(timeline: ControlTimeline, day: dt.date) -> list[Freshness]:
    """Every element whose answer on ``day`` rests on reports of its own -- each place
    known that day, each segment known from a report of its own (a segment derived from
    its ends rests on theirs) -- with the day of its newest report dated on or before
    ``day``."""
    found = []
    for element, kind, _ in _decided(timeline, day):
        state = timeline.state(element, day)
        lists = timeline.events.places if kind == "place" else timeline.events.segments
        last = _newest(lists.get(element, []), day)
        if state.is_known and last is not None:
            found.append(Freshness(element, kind, state, last))
    return found


def open_disputes(timeline: ControlTimeline, day: dt.date, window: int) -> list[OpenDispute]:
    """Every place, and every segment with a deciding event, disputed on ``day``
    (contract 4.2, rivals within ``window`` days before the deciding event)."""
    found = []
    for element, kind, event in _decided(timeline, day):
        rivals = claims(timeline, element, day, window)
        if rivals:
            found.append(OpenDispute(element, kind, event, tuple(rivals)))
    return found


def contested_standing(timeline: ControlTimeline, day: dt.date) -> list[StandingReport]:
    """The reports of status ``contested`` without ``until`` that decide a place or a
    segment on ``day``, each with the elements it decides, in the order met."""
    found: dict[ControlEvent, list[str]] = {}
    for element, _, event in _decided(timeline, day):
        if event.state.status is Status.CONTESTED and event.until is None:
            found.setdefault(event, []).append(element)
    return [StandingReport(event, tuple(elements)) for event, elements in found.items()]


def _against(party: str | None, *ends: State) -> bool:
    """Both ends are held, and neither by ``party``."""
    return all(s.status is Status.HELD and s.controller != party for s in ends)


def _contradicts(timeline: ControlTimeline, event: ControlEvent, start: str, end: str) -> bool:
    """Whether ``event`` (held) contradicts both ends of a segment on every day it may
    have happened (``date`` to ``date_latest``): both ends are held then, neither by the
    event's party."""
    days = {event.date}
    last = report_day(event)
    for place in (start, end):
        changes = timeline.early.place_history(place).dates
        days.update(changes[bisect_left(changes, event.date) : bisect_right(changes, last)])
    party = event.state.controller
    return all(
        _against(party, timeline.place_state(start, day), timeline.place_state(end, day))
        for day in days
    )


def roads_against_ends(timeline: ControlTimeline) -> list[RoadAgainstEnds]:
    """The events on a road saying it is held by a party, with the segments of that road
    whose two ends are both held by other parties on every day the event may have
    happened (early reading), by road."""
    found = []
    for road, segments in sorted(timeline.roads.items()):
        if not segments:
            continue
        reports = [
            e
            for e in timeline.events.segments.get(segments[0], [])
            if e.target is Target.ROAD and e.target_id == road and e.state.status is Status.HELD
        ]
        for event in reports:
            against = []
            for segment in segments:
                start, end = timeline.segments[segment]
                if _contradicts(timeline, event, start, end):
                    on = event.date
                    against.append(
                        EndsOf(
                            segment,
                            start,
                            timeline.place_state(start, on),
                            end,
                            timeline.place_state(end, on),
                        )
                    )
            if against:
                found.append(RoadAgainstEnds(event, tuple(against)))
    return found
