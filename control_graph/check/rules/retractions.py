"""Rules about retractions (contract section 4.3): records retracted more than once, and
retractions recorded before what they retract was known.

A record counts in no answer whose ``--as-of`` is on or after the earliest ``recorded``
day of what withdraws it, nor in any answer without ``--as-of``. What withdraws a
stored version of a record: a retraction of its id, a correction (a re-import with
``--replace-changed``, which withdraws the versions stored before it), or the undo of
the import that added it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from control_graph.check.catalogue import Code, Severity
from control_graph.check.report import Finding
from control_graph.check.words import iso, noun, where

if TYPE_CHECKING:
    from control_graph.store.audit import RetractionRow

__all__ = ["about", "repeated_retraction", "retraction_before_record"]


def about(r: RetractionRow) -> str:
    """The record a retraction names, in words: ``event x (on place a, dated D)``."""
    return (
        f"{noun(r.record)} {r.record_id} (on {r.target_type} {r.target_id}, dated {r.record_date})"
    )


def _order(r: RetractionRow) -> tuple[dt.date, int, int]:
    """Which of two retractions comes first: the earlier ``recorded``, then the earlier
    import (the contract: the earliest counts)."""
    return (r.recorded, r.import_id, r.position)


def _called(r: RetractionRow) -> str:
    """A retraction in a sentence: its day and where it came from."""
    kind = {"retraction": "retraction", "correction": "correction", "undo": "undo of its import"}
    return f"{r.recorded} ({kind[r.how]}, {where(r.file, 'retraction', r.position)})"


def _retraction(r: RetractionRow, redundant: bool) -> dict[str, Any]:
    return {
        "recorded": r.recorded.isoformat(),
        "how": r.how,
        "source": r.source,
        "file": r.file,
        "import": r.import_id,
        "position": r.position,
        "changes_nothing": redundant,
    }


def _by_record(rows: Iterable[RetractionRow]) -> Iterator[list[RetractionRow]]:
    """The rows of each record id, earliest first (``rows`` ordered as
    :meth:`~control_graph.store.audit.Audit.retractions` reads them)."""
    for _, group in itertools.groupby(rows, key=lambda r: r.record_id):
        yield list(group)


def _redundant(group: list[RetractionRow]) -> set[tuple[int, int]]:
    """The retractions by id (as ``(import, position)``) that change nothing: every
    version they withdraw is withdrawn by another retraction that comes first."""
    versions: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
    first: dict[tuple[str, int], RetractionRow] = {}
    for r in group:
        if r.how == "retraction":
            versions[(r.import_id, r.position)].append((r.record, r.version))
        first.setdefault((r.record, r.version), r)
    return {
        retraction
        for retraction, withdrawn in versions.items()
        if all((first[v].import_id, first[v].position) != retraction for v in withdrawn)
    }


def _later(later: list[RetractionRow]) -> str:
    days = ", ".join(str(r.recorded) for r in later)
    if len(later) == 1:
        return f"the retraction recorded {days} changes nothing"
    return f"the retractions recorded {days} change nothing"


def repeated_retraction(rows: Iterable[RetractionRow]) -> Iterator[Finding]:
    """Records named by a retraction that changes nothing: what it withdraws was
    withdrawn first by another retraction (of the same id, a correction, or the undo of
    its import). The earliest counts."""
    for group in _by_record(rows):
        redundant = _redundant(group)
        if not redundant:
            continue
        listed = {(r.import_id, r.position): r for r in group}
        first = group[0]
        later = [r for key, r in listed.items() if key in redundant]
        yield Finding(
            Code.REPEATED_RETRACTION,
            Severity.INFO,
            f"The {about(first)} is retracted more than once: "
            f"{'; '.join(_called(r) for r in listed.values())}. The earliest counts: from "
            f"{first.recorded} on it is in no --as-of answer, and it is in no answer "
            f"without --as-of; {_later(later)}. Often the same retraction imported twice.",
            first.target_id,
            first.target_type,
            first.recorded,
            details={
                "record": first.record,
                "id": first.record_id,
                "retractions": [_retraction(r, key in redundant) for key, r in listed.items()],
            },
        )


def retraction_before_record(rows: Iterable[RetractionRow]) -> Iterator[Finding]:
    """Stored records whose retraction that counts (the earliest) is recorded before the
    record itself was known (its ``recorded``, else ``date_latest``, else its date): the
    record then counts in no answer at any ``--as-of``."""
    for group in _by_record(rows):
        seen: set[tuple[str, int]] = set()
        for r in group:
            version = (r.record, r.version)
            if version in seen:
                continue
            seen.add(version)
            if r.recorded >= r.record_known:
                continue
            yield Finding(
                Code.RETRACTION_BEFORE_RECORD,
                Severity.WARNING,
                f"The {about(r)}, known from {r.record_known}, is withdrawn on "
                f"{_called(r)}, before it was known: it counts in no answer, whatever "
                "--as-of. One of the two dates is probably mistyped.",
                r.target_id,
                r.target_type,
                r.recorded,
                details={
                    "record": r.record,
                    "id": r.record_id,
                    "record_known": iso(r.record_known),
                    **_retraction(r, False),
                },
            )
