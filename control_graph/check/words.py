"""The small pieces of wording the findings' messages share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

__all__ = ["are", "describe", "iso", "names", "noun", "plural", "where"]


def iso(day: dt.date | None) -> str | None:
    """A day as JSON: ISO text, or ``None``."""
    return None if day is None else day.isoformat()


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun``, in the plural unless there is one.

    >>> plural(1, "event"), plural(3, "event")
    ('1 event', '3 events')
    """
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def noun(record: str) -> str:
    """The word for a kind of record (``event``, ``incident``, ``access``, ...).

    >>> noun("access"), noun("event")
    ('access record', 'event')
    """
    return "access record" if record == "access" else record


def are(count: int) -> str:
    """The verb for ``count`` things: ``is`` or ``are``."""
    return "is" if count == 1 else "are"


def names(ids: Iterable[str], limit: int = 8) -> str:
    """Ids in a sentence, the first ``limit`` of them and how many more.

    >>> names(["a", "b", "c"], limit=2)
    'a, b and 1 more'
    """
    ids = list(ids)
    shown = ", ".join(ids[:limit])
    return shown if len(ids) <= limit else f"{shown} and {len(ids) - limit} more"


def where(file: str, record: str, position: int) -> str:
    """Where a record came from: its file, kind and position in that file."""
    return f"{file}, {record} #{position}"


def describe(status: str, party: str | None) -> str:
    """A reported state in words: ``held by X``, ``contested`` or ``unknown``."""
    return f"held by {party}" if status == "held" else status
