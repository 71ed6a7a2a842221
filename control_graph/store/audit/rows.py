"""The rows an :class:`~control_graph.store.audit.Audit` reads: one named tuple per
kind of reading, plain values only, for the check rules to turn into findings."""

from __future__ import annotations

import datetime as dt
from typing import Literal, NamedTuple

Record = Literal["event", "incident", "access"]
Withdrawal = Literal["retraction", "correction", "undo"]


class DatedRecord(NamedTuple):
    """An event, incident or access record whose dates are suspicious (see
    :meth:`Audit.dated_problems`); ``recorded`` as given, ``date_latest`` where the
    record has one."""

    record: Record
    import_id: int
    position: int
    file: str
    target_type: str
    target_id: str
    date: dt.date
    recorded: dt.date | None
    source: str | None
    date_latest: dt.date | None = None


class SameDayReport(NamedTuple):
    """One report about an element on a day on which reports disagree.

    ``via_road`` is set when the report is an event on a road, counted for one of its
    segments (``target_type`` is then ``"segment"``). ``date_latest``, ``until``,
    ``claimant`` and ``record_id`` are the section 4 keys, as given.
    """

    target_type: str
    target_id: str
    date: dt.date
    status: str
    party: str | None
    source: str | None
    recorded: dt.date | None
    import_id: int
    position: int
    file: str
    via_road: str | None
    date_latest: dt.date | None = None
    until: dt.date | None = None
    claimant: str | None = None
    record_id: str | None = None


class EarlyReports(NamedTuple):
    """Reports on a segment (its own, or on a road through it) dated before both of its
    ends are known."""

    segment: str
    via_road: str | None
    reports: int
    first: dt.date
    last: dt.date
    start: str
    start_known: dt.date
    end: str
    end_known: dt.date


class LateCitation(NamedTuple):
    """Records citing a source but dated after it was published."""

    source: str
    published: dt.date
    record: Record
    reports: int
    first: dt.date
    last: dt.date


class DuplicateGroup(NamedTuple):
    """Identical events: same element, date, recorded date, state, party and source, and
    the same section 4 keys (``date_latest``, ``until``, ``claimant``, ``confidence``)."""

    target_type: str
    target_id: str
    date: dt.date
    status: str
    party: str | None
    source: str | None
    recorded: dt.date | None
    copies: int
    first_import: int
    last_import: int
    date_latest: dt.date | None = None
    until: dt.date | None = None
    claimant: str | None = None
    confidence: str | None = None


class StoredEvent(NamedTuple):
    """What a finding says about an event the engine found: its row id (``key``), the
    keys a person recognises it by, and where it was imported from."""

    key: int
    record_id: str | None
    party: str | None
    source: str | None
    confidence: str | None
    kind: str | None
    import_id: int
    position: int
    file: str


class RetractionRow(NamedTuple):
    """One retraction withdrawing one stored version of a record that a retraction by id
    names (see :meth:`Audit.retractions`).

    ``version`` is the row id of that version in its table (``record`` says which);
    ``record_date`` its date and ``record_known`` the day it became known (its
    ``recorded``, else ``date_latest``, else its date). ``how`` is ``retraction`` (by
    id: from a file's ``retractions`` or ``control-graph retract``), ``correction`` (a
    re-import that replaced the version) or ``undo`` (its whole import undone);
    ``recorded``, ``source`` and where it was imported from are the retraction's own.
    """

    record_id: str
    record: Record
    version: int
    target_type: str
    target_id: str
    record_date: dt.date
    record_known: dt.date
    how: Withdrawal
    recorded: dt.date
    source: str | None
    import_id: int
    position: int
    file: str


class FutureRetraction(NamedTuple):
    """A retraction recorded after a day: of a record by id (``record_id``), or of a
    whole import (``undone``)."""

    record_id: str | None
    undone: int | None
    recorded: dt.date
    source: str | None
    import_id: int
    position: int
    file: str
