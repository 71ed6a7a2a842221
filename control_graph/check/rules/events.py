"""Rules about what events report: reports that disagree, reports that stop counting
before anyone reads them, and events stored twice."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from control_graph.check.catalogue import Code, Severity
from control_graph.check.report import Finding
from control_graph.check.words import are, describe, iso, names, plural, where

if TYPE_CHECKING:
    from control_graph.store.audit import DuplicateGroup, EarlyReports, SameDayReport

__all__ = ["contradictory_reports", "duplicate_event", "event_before_first_state"]


def contradictory_reports(rows: Iterable[SameDayReport]) -> Iterator[Finding]:
    """One finding per element, day and claimant on which reports disagree.

    ``rows`` are grouped by element, day (``date`` and ``date_latest``) and claimant,
    each group in the order in which the engine applies its reports (as
    :meth:`~control_graph.store.audit.Audit.same_day_reports` reads them), so the last
    report of a group is the one of them that counts.
    """
    for (kind, element, day, latest, claimant), group in itertools.groupby(
        rows,
        key=lambda r: (r.target_type, r.target_id, r.date, r.date_latest or r.date, r.claimant),
    ):
        reports = list(group)
        claims: dict[str, list[str]] = {}
        for report in reports:
            via = f", via road {report.via_road}" if report.via_road else ""
            claim = describe(report.status, report.party)
            claims.setdefault(claim, []).append((report.source or "no source") + via)
        last = reports[-1]
        said = "; ".join(
            f"{claim} ({', '.join(dict.fromkeys(sources))})" for claim, sources in claims.items()
        )
        when = f"{day} to {latest}" if latest != day else str(day)
        whose = f" (claims by {claimant})" if claimant else ""
        yield Finding(
            Code.CONTRADICTORY_REPORTS,
            Severity.WARNING,
            f"{kind} {element} on {when}{whose}: {len(claims)} different states reported: "
            f"{said}. The last report counts ({describe(last.status, last.party)}, "
            f"{where(last.file, 'event', last.position)}); check the sources and keep, "
            "correct or mark as contested.",
            element,
            kind,
            day,
            tuple(sorted({r.via_road for r in reports if r.via_road})),
            {"reports": [_report(r) for r in reports]},
        )


def _report(r: SameDayReport) -> dict[str, Any]:
    return {
        "status": r.status,
        "controller": r.party if r.status == "held" else None,
        "party": r.party,
        "claimant": r.claimant,
        "source": r.source,
        "id": r.record_id,
        "date_latest": iso(r.date_latest),
        "until": iso(r.until),
        "recorded": iso(r.recorded),
        "road": r.via_road,
        "file": r.file,
        "import": r.import_id,
        "position": r.position,
    }


def _known_from(r: EarlyReports) -> tuple[dt.date, str]:
    """The day both ends of the segment are known, and the end known last."""
    return max((r.start_known, r.start), (r.end_known, r.end))


def _segment_detail(r: EarlyReports) -> dict[str, Any]:
    day, place = _known_from(r)
    return {
        "segment": r.segment,
        "count": r.reports,
        "first": r.first.isoformat(),
        "last": r.last.isoformat(),
        "known_from": day.isoformat(),
        "known_last": place,
    }


def event_before_first_state(rows: Iterable[EarlyReports]) -> Iterator[Finding]:
    """Reports on segments dated before both ends of the segment are known: one finding
    per segment for its own events, one per road for the events on a road."""
    by_road: dict[str, list[EarlyReports]] = defaultdict(list)
    for r in rows:
        if r.via_road is not None:
            by_road[r.via_road].append(r)
            continue
        day, place = _known_from(r)
        these = "this event" if r.reports == 1 else "these events"
        yield Finding(
            Code.EVENT_BEFORE_FIRST_STATE,
            Severity.WARNING,
            f"{plural(r.reports, 'event')} on segment {r.segment}, from {r.first}, "
            f"{are(r.reports)} dated before both its ends are known ({place} is first known "
            f"on {day}). From {day} its state comes from its ends and {these} no longer "
            "count; if the ends' first states describe the situation before "
            f"{r.first}, date them earlier.",
            r.segment,
            "segment",
            r.first,
            (r.start, r.end),
            _segment_detail(r),
        )
    for road, segments in sorted(by_road.items()):
        first = min(r.first for r in segments)
        earliest = min(_known_from(r)[0] for r in segments)
        yield Finding(
            Code.EVENT_BEFORE_FIRST_STATE,
            Severity.WARNING,
            f"Events on road {road} dated from {first} come before both ends of "
            f"{plural(len(segments), 'segment')} ({names(r.segment for r in segments)}) "
            f"are known (from {earliest} on). From then on those segments take their state "
            "from their ends and the events no longer count there; if the ends' first "
            "states describe the situation before the events, date them earlier.",
            road,
            "road",
            first,
            tuple(r.segment for r in segments),
            {"segments": [_segment_detail(r) for r in segments]},
        )


def duplicate_event(rows: Iterable[DuplicateGroup]) -> Iterator[Finding]:
    """One finding per group of identical events."""
    for r in rows:
        imports = (
            f"import #{r.first_import}"
            if r.first_import == r.last_import
            else f"imports #{r.first_import} to #{r.last_import}"
        )
        yield Finding(
            Code.DUPLICATE_EVENT,
            Severity.INFO,
            f"{r.copies} identical events on {r.target_type} {r.target_id} on {r.date} "
            f"({describe(r.status, r.party)}, source {r.source or 'none'}; {imports}). "
            "Harmless for who held what, but counted more than once; often the same file "
            "imported twice.",
            r.target_id,
            r.target_type,
            r.date,
            details={
                "count": r.copies,
                "status": r.status,
                "party": r.party,
                "source": r.source,
                "recorded": iso(r.recorded),
                "date_latest": iso(r.date_latest),
                "until": iso(r.until),
                "claimant": r.claimant,
                "confidence": r.confidence,
                "imports": [r.first_import, r.last_import],
            },
        )
