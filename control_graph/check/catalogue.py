"""The catalogue of checks: every finding code, its usual severity and what it looks for.

``docs/check.md`` explains each code; ``control-graph check --help`` lists them from
:data:`CODES`, in the order reports list them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CODES", "Code", "CodeInfo", "Severity"]


class Severity(StrEnum):
    """How much a finding matters: ``warning`` can make answers wrong, ``info`` is worth
    knowing."""

    WARNING = "warning"
    INFO = "info"


class Code(StrEnum):
    """The kinds of finding, as stable slugs (``docs/check.md`` explains each one)."""

    CONTRADICTORY_REPORTS = "contradictory-reports"
    UNRESOLVED_DISPUTE = "unresolved-dispute"
    ROAD_EVENT_CONTRADICTS_ENDS = "road-event-contradicts-ends"
    CONTESTED_WITHOUT_UNTIL = "contested-without-until"
    EVENT_IN_FUTURE = "event-in-future"
    RECORDED_IN_FUTURE = "recorded-in-future"
    RECORDED_BEFORE_DATE = "recorded-before-date"
    EVENT_AFTER_SOURCE = "event-after-source"
    EVENT_BEFORE_FIRST_STATE = "event-before-first-state"
    RETRACTION_BEFORE_RECORD = "retraction-before-record"
    DUPLICATE_EVENT = "duplicate-event"
    REPEATED_RETRACTION = "repeated-retraction"
    STALE_ELEMENT = "stale-element"
    SELF_LOOP_SEGMENT = "self-loop-segment"
    ROAD_GAP = "road-gap"
    DISCONNECTED_PLACE = "disconnected-place"
    SEPARATE_COMPONENT = "separate-component"
    MISSING_COORDINATES = "missing-coordinates"
    OVERLAPPING_BLOC_MEMBERSHIP = "overlapping-bloc-membership"
    EMPTY_BLOC = "empty-bloc"
    PLACE_NEVER_KNOWN = "place-never-known"
    UNUSED_PARTY = "unused-party"
    UNUSED_SOURCE = "unused-source"
    STALE_SPANS = "stale-spans"


@dataclass(frozen=True)
class CodeInfo:
    """What a code means in one line, and the severity its findings usually have."""

    severity: Severity
    summary: str


_WARNING, _INFO = Severity.WARNING, Severity.INFO
#: Every check, in the order reports list them.
CODES: Mapping[Code, CodeInfo] = {
    Code.CONTRADICTORY_REPORTS: CodeInfo(
        _WARNING, "reports by one claimant on one element and day disagree"
    ),
    Code.UNRESOLVED_DISPUTE: CodeInfo(_WARNING, "the answer today is disputed by a rival claim"),
    Code.ROAD_EVENT_CONTRADICTS_ENDS: CodeInfo(
        _WARNING, "road held by a party while both ends of a segment are held by others"
    ),
    Code.CONTESTED_WITHOUT_UNTIL: CodeInfo(
        _WARNING, "old contested report without 'until' still decides today"
    ),
    Code.EVENT_IN_FUTURE: CodeInfo(_WARNING, "dated after today"),
    Code.RECORDED_IN_FUTURE: CodeInfo(_WARNING, "recorded after today"),
    Code.RECORDED_BEFORE_DATE: CodeInfo(_WARNING, "recorded before the day it happened"),
    Code.EVENT_AFTER_SOURCE: CodeInfo(_WARNING, "dated after its source was published"),
    Code.EVENT_BEFORE_FIRST_STATE: CodeInfo(
        _WARNING, "segment or road report dated before both ends of the segment are known"
    ),
    Code.RETRACTION_BEFORE_RECORD: CodeInfo(
        _WARNING, "retraction recorded before the record it retracts was known"
    ),
    Code.DUPLICATE_EVENT: CodeInfo(_INFO, "the same event stored more than once"),
    Code.REPEATED_RETRACTION: CodeInfo(_INFO, "a record retracted more than once"),
    Code.STALE_ELEMENT: CodeInfo(
        _INFO, "the answer today rests on reports older than --stale-days"
    ),
    Code.SELF_LOOP_SEGMENT: CodeInfo(_WARNING, "segment joining a place to itself"),
    Code.ROAD_GAP: CodeInfo(_WARNING, "consecutive segments of a road share no place"),
    Code.DISCONNECTED_PLACE: CodeInfo(_WARNING, "place on no segment"),
    Code.SEPARATE_COMPONENT: CodeInfo(_INFO, "places not joined to the main network"),
    Code.MISSING_COORDINATES: CodeInfo(
        _WARNING, "place without coordinates next to places that have them"
    ),
    Code.OVERLAPPING_BLOC_MEMBERSHIP: CodeInfo(
        _WARNING, "a party's bloc memberships overlap in time"
    ),
    Code.EMPTY_BLOC: CodeInfo(_INFO, "bloc without members"),
    Code.PLACE_NEVER_KNOWN: CodeInfo(_INFO, "place whose state is never known"),
    Code.UNUSED_PARTY: CodeInfo(_INFO, "party named by no record"),
    Code.UNUSED_SOURCE: CodeInfo(_INFO, "source cited by no record"),
    Code.STALE_SPANS: CodeInfo(
        _WARNING, "stored state spans disagree with the events (only with --deep)"
    ),
}
