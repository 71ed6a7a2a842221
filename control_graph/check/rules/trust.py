"""Rules about what answers rest on (contract section 4): old news, rival claims left
open, contested reports that never lapse, and road reports that contradict the places
along the road.

They take the rows :mod:`control_graph.check.engine` finds in the engine, and the
stored events those rows name (their record ids, sources and where they came from).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from control_graph.check.catalogue import Code, Severity
from control_graph.check.engine import report_day
from control_graph.check.report import Finding
from control_graph.check.words import iso, names, plural, where
from control_graph.model.records import ControlEvent, Target

if TYPE_CHECKING:
    from control_graph.check.engine import Freshness, OpenDispute, RoadAgainstEnds, StandingReport
    from control_graph.store.audit import StoredEvent

__all__ = [
    "contested_without_until",
    "describe_event",
    "road_event_contradicts_ends",
    "stale_element",
    "unresolved_dispute",
]

Stored = Mapping[int, "StoredEvent"]


def _stored(event: ControlEvent, stored: Stored) -> StoredEvent | None:
    return None if event.key is None else stored.get(event.key)


def describe_event(
    event: ControlEvent, stored: Stored, element: str | None = None
) -> dict[str, Any]:
    """An event as findings list it: the contract's claim keys (``element``, ``id``,
    ``date``, ``status``, ``party``, ``claimant``, ``source``), its other dates, and
    where it was imported from.

    ``party`` is as recorded (a contested report may name who is fighting); ``element``
    is the element it is about here (a segment, for an event on a road), by default
    what it names.
    """
    found = _stored(event, stored)
    return {
        "element": element or event.target_id,
        "id": found.record_id if found else None,
        "date": event.date.isoformat(),
        "date_latest": iso(event.date_latest),
        "until": iso(event.until),
        "status": event.state.status.value,
        "party": found.party if found else event.state.controller,
        "claimant": event.claimant,
        "source": found.source if found else None,
        "confidence": found.confidence if found else None,
        "file": found.file if found else None,
        "import": found.import_id if found else None,
        "position": found.position if found else None,
    }


def _span(event: ControlEvent) -> str:
    """The day of an event, or its range of days."""
    return f"{event.date} to {event.date_latest}" if event.date_latest else str(event.date)


def _credit(event: ControlEvent, stored: Stored, *, located: bool = False) -> str:
    """Who says so and where it is written: claimant, source, id (and, ``located``, the
    file and position it was imported from)."""
    found = _stored(event, stored)
    parts = [f"claimant {event.claimant}" if event.claimant else "independent"]
    if found is not None and found.source:
        parts.append(f"source {found.source}")
    if found is not None and found.record_id:
        parts.append(f"id {found.record_id}")
    text = ", ".join(parts)
    if located and found is not None:
        text += f"; {where(found.file, 'event', found.position)}"
    return text


def _said(event: ControlEvent, stored: Stored) -> str:
    """An event in a sentence: its state, who claims it, its source, id and date."""
    return f"{event.state.describe()} ({_credit(event, stored)}, {_span(event)})"


def stale_element(rows: Iterable[Freshness], today: dt.date, stale_days: int) -> Iterator[Finding]:
    """Elements known today whose newest report is more than ``stale_days`` days old
    (the answer today rests on old news)."""
    for r in rows:
        age = (today - r.last).days
        if age <= stale_days:
            continue
        yield Finding(
            Code.STALE_ELEMENT,
            Severity.INFO,
            f"{r.type.capitalize()} {r.element}: its newest report is from {r.last}, "
            f"{plural(age, 'day')} before today ({today}), more than --stale-days "
            f"{stale_days}. The answer today ({r.state.describe()}) rests on old news: look "
            "for newer reports, or give old ones an 'until' where they stopped holding.",
            r.element,
            r.type,
            r.last,
            details={
                "last_report": r.last.isoformat(),
                "age_days": age,
                "stale_days": stale_days,
                **r.state.as_dict(),
            },
        )


def unresolved_dispute(
    rows: Iterable[OpenDispute], stored: Stored, today: dt.date, window: int
) -> Iterator[Finding]:
    """Elements whose answer today is disputed, with the claims. Segments disputed alike
    through one event on a road (the same claims) are one finding, on the road."""
    groups: dict[tuple[Any, ...], list[OpenDispute]] = {}
    for r in rows:
        on_road = r.deciding.target is Target.ROAD and all(
            c.target is Target.ROAD for c in r.claims
        )
        key = (r.deciding.target_id, r.claims) if on_road else (r.element, r.claims)
        groups.setdefault(key, []).append(r)
    for (element, _), found in groups.items():
        first = found[0]
        decider = first.deciding
        if len(found) > 1 or element != first.element:
            kind, related = "road", tuple(r.element for r in found)
            claims = [describe_event(c, stored, c.target_id) for c in first.claims]
        else:
            kind = first.type
            related = tuple(sorted({c.target_id for c in first.claims if c.target is Target.ROAD}))
            claims = [describe_event(c, stored, first.element) for c in first.claims]
        for claim, event in zip(claims, first.claims, strict=True):
            claim["decides"] = event == decider
        rivals = "; ".join(_said(c, stored) for c in first.claims if c != decider)
        yield Finding(
            Code.UNRESOLVED_DISPUTE,
            Severity.WARNING,
            f"{kind.capitalize()} {element} is disputed today ({today}): the answer, "
            f"{_said(decider, stored)}, has rival claims dated up to {window} days before "
            f"it: {rivals}. Answers mark it disputed for as long as this report decides. "
            "Look for an independent report that settles it, or retract the claim known "
            "to be false.",
            element,
            kind,
            decider.date,
            related,
            {"on": today.isoformat(), "dispute_window": window, "claims": claims},
        )


def contested_without_until(
    rows: Iterable[StandingReport], stored: Stored, today: dt.date, stale_days: int
) -> Iterator[Finding]:
    """Reports of fighting (status ``contested``) without ``until``, more than
    ``stale_days`` days old, that still decide an element today."""
    for r in rows:
        event = r.event
        age = (today - report_day(event)).days
        if age <= stale_days:
            continue
        kind = event.target.value
        decides = (
            f"still decides {plural(len(r.elements), 'segment')} of it today ({names(r.elements)})"
            if event.target is Target.ROAD
            else "still decides it today"
        )
        yield Finding(
            Code.CONTESTED_WITHOUT_UNTIL,
            Severity.WARNING,
            f"A contested report on {kind} {event.target_id}, dated {_span(event)} "
            f"({_credit(event, stored, located=True)}), has no 'until', is "
            f"{plural(age, 'day')} old (more than --stale-days {stale_days}), and "
            f"{decides}: it keeps the fighting going in every answer until a newer report. "
            "If the fighting ended, give it an 'until' (the first day it no longer "
            "applies), or report the state since.",
            event.target_id,
            kind,
            event.date,
            r.elements if event.target is Target.ROAD else (),
            {
                "age_days": age,
                "stale_days": stale_days,
                "decides": list(r.elements),
                "event": describe_event(event, stored),
            },
        )


def road_event_contradicts_ends(
    rows: Iterable[RoadAgainstEnds], stored: Stored
) -> Iterator[Finding]:
    """Events on a road saying a party holds it while, on every day it may have
    happened, both ends of some of its segments are held by other parties."""
    for r in rows:
        event = r.event
        party = event.state.controller
        listed = ", ".join(
            f"{s.segment} ({s.start}: {s.start_state.describe()}, {s.end}: "
            f"{s.end_state.describe()})"
            for s in r.segments[:8]
        )
        more = f" and {len(r.segments) - 8} more" if len(r.segments) > 8 else ""
        yield Finding(
            Code.ROAD_EVENT_CONTRADICTS_ENDS,
            Severity.WARNING,
            f"A report on road {event.target_id}, dated {_span(event)} "
            f"({_credit(event, stored, located=True)}), says it is held by {party}, but both "
            f"ends of {plural(len(r.segments), 'segment')} are held by others then: "
            f"{listed}{more}. Those segments take {party}'s control from the report until "
            "one of their ends changes. Perhaps the report is about part of the road only "
            "(put it on those segments), or the places' reports are out of date.",
            event.target_id,
            "road",
            event.date,
            tuple(s.segment for s in r.segments),
            {
                "event": describe_event(event, stored),
                "segments": [
                    {
                        "segment": s.segment,
                        "start": s.start,
                        "start_state": s.start_state.as_dict(),
                        "end": s.end,
                        "end_state": s.end_state.as_dict(),
                    }
                    for s in r.segments
                ],
            },
        )
