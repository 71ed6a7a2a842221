"""Rules about dates: events, incidents and access records dated (or, with a rough
date, possibly dated) or recorded after today, recorded before they happened, or dated
after the source that reports them; retractions recorded after today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from control_graph.check.catalogue import Code, Severity
from control_graph.check.report import Finding
from control_graph.check.words import are, iso, noun, plural, where

if TYPE_CHECKING:
    from control_graph.store.audit import DatedRecord, FutureRetraction, LateCitation

__all__ = ["event_after_source", "event_in_future", "recorded_before_date", "recorded_in_future"]


def _about(r: DatedRecord) -> str:
    return (
        f"{noun(r.record).capitalize()} on {r.target_type} {r.target_id} "
        f"({where(r.file, r.record, r.position)})"
    )


def _in_future(r: DatedRecord, today: dt.date) -> bool:
    """Dated after today, or with a ``date_latest`` after today."""
    return r.date > today or (r.date_latest is not None and r.date_latest > today)


def _finding(code: Code, r: DatedRecord, message: str) -> Finding:
    """A warning about one record, with where it came from."""
    details = {
        "record": r.record,
        "recorded": iso(r.recorded),
        "date_latest": iso(r.date_latest),
        "source": r.source,
        "file": r.file,
        "import": r.import_id,
        "position": r.position,
    }
    return Finding(
        code, Severity.WARNING, message, r.target_id, r.target_type, r.date, details=details
    )


def event_in_future(rows: Iterable[DatedRecord], today: dt.date) -> Iterator[Finding]:
    """Records dated after ``today``, or whose ``date_latest`` is after it."""
    for r in rows:
        if r.date > today:
            yield _finding(
                Code.EVENT_IN_FUTURE,
                r,
                f"{_about(r)} is dated {r.date}, after today ({today}): probably a mistyped "
                "date. Answers about that day and later include it.",
            )
        elif r.date_latest is not None and r.date_latest > today:
            yield _finding(
                Code.EVENT_IN_FUTURE,
                r,
                f"{_about(r)} is dated {r.date} to {r.date_latest}, which ends after today "
                f"({today}): what is reported by today happened by today. The late reading "
                f"puts it on {r.date_latest}, so answers until then are 'uncertain', and "
                f"its recorded day defaults to {r.date_latest}, so --as-of today leaves it "
                "out. Lower date_latest to the day it was reported.",
            )


def recorded_in_future(
    rows: Iterable[DatedRecord], today: dt.date, retractions: Iterable[FutureRetraction] = ()
) -> Iterator[Finding]:
    """Records dated ``today`` or earlier but recorded after it (one dated, or with a
    ``date_latest``, after today is ``event-in-future`` instead), and retractions
    recorded after it (on the record id, or on the import undone)."""
    for r in rows:
        if not _in_future(r, today) and r.recorded is not None and r.recorded > today:
            yield _finding(
                Code.RECORDED_IN_FUTURE,
                r,
                f"{_about(r)}, dated {r.date}, is recorded on {r.recorded}, after today "
                f"({today}): probably a mistyped date. --as-of any day before "
                f"{r.recorded} leaves it out.",
            )
    for x in retractions:
        if x.recorded <= today:
            continue
        what = f"record {x.record_id}" if x.record_id else f"import #{x.undone}"
        yield Finding(
            Code.RECORDED_IN_FUTURE,
            Severity.WARNING,
            f"A retraction of {what} ({where(x.file, 'retraction', x.position)}) is "
            f"recorded on {x.recorded}, after today ({today}): probably a mistyped date. "
            f"--as-of any day before {x.recorded} still counts what it retracts.",
            x.record_id or str(x.undone),
            "record" if x.record_id else "import",
            x.recorded,
            details={
                "record": "retraction",
                "recorded": x.recorded.isoformat(),
                "source": x.source,
                "file": x.file,
                "import": x.import_id,
                "position": x.position,
            },
        )


def recorded_before_date(rows: Iterable[DatedRecord]) -> Iterator[Finding]:
    """Records recorded before the day they happened."""
    for r in rows:
        if r.recorded is not None and r.recorded < r.date:
            yield _finding(
                Code.RECORDED_BEFORE_DATE,
                r,
                f"{_about(r)} is recorded on {r.recorded}, before the day it happened "
                f"({r.date}): nothing is known before it happens. The two dates are "
                "probably swapped or mistyped.",
            )


def event_after_source(rows: Iterable[LateCitation]) -> Iterator[Finding]:
    """One finding per source and kind of record dated after the source's publication."""
    for r in rows:
        span = f"on {r.first}" if r.first == r.last else f"from {r.first} to {r.last}"
        yield Finding(
            Code.EVENT_AFTER_SOURCE,
            Severity.WARNING,
            f"{plural(r.reports, noun(r.record))} citing source {r.source} (published "
            f"{r.published}) {are(r.reports)} dated after it ({span}): a source "
            "cannot report what had not happened yet. Check the dates, the source, or its "
            "publication date.",
            r.source,
            "source",
            r.first,
            details={
                "record": r.record,
                "count": r.reports,
                "published": r.published.isoformat(),
                "last": r.last.isoformat(),
            },
        )
