"""Road access beside control: whether a segment can be used on a day, and who imposes
it (contract section 4.5).

A segment's access on day D is its last access record on or before D, records ordered
like events (date, recorded, position); a record about a road is about each of its
segments. The records of each segment are sorted once; a question is a binary search.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from control_graph.model.records import AccessLevel, Target

__all__ = ["AccessEntry", "AccessIndex", "AccessState", "most_restrictive"]


class AccessEntry(NamedTuple):
    """What the engine needs of an access record, in the order records are sorted."""

    date: dt.date
    recorded: dt.date
    order: tuple[int, ...]
    target: Target
    target_id: str
    access: AccessLevel
    party: str | None = None


class AccessState(NamedTuple):
    """A segment's access on a day, and the party imposing it (as recorded)."""

    access: AccessLevel
    party: str | None


class AccessIndex:
    """Each segment's access records, sorted, for questions on any day.

    Examples
    --------
    >>> day, taxed = dt.date(2025, 2, 1), AccessLevel.TAXED
    >>> entry = AccessEntry(day, day, (1,), Target.ROAD, "lake", taxed, "w")
    >>> index = AccessIndex([entry], roads={"lake": ("lake/1", "lake/2")})
    >>> index.on("lake/2", dt.date(2025, 2, 3))
    AccessState(access=<AccessLevel.TAXED: 'taxed'>, party='w')
    >>> index.on("lake/2", dt.date(2025, 1, 3)) is None
    True
    """

    def __init__(
        self,
        entries: Iterable[AccessEntry],
        roads: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        by_segment: dict[str, list[AccessEntry]] = {}
        for entry in entries:
            if entry.target is Target.ROAD:
                segments: Sequence[str] = (roads or {}).get(entry.target_id, ())
            else:
                segments = (entry.target_id,)
            for segment in segments:
                by_segment.setdefault(segment, []).append(entry)
        self._dates: dict[str, list[dt.date]] = {}
        self._states: dict[str, list[AccessState]] = {}
        for segment, found in by_segment.items():
            found.sort()
            self._dates[segment] = [e.date for e in found]
            self._states[segment] = [AccessState(e.access, e.party) for e in found]

    def __bool__(self) -> bool:
        return bool(self._dates)

    def on(self, segment: str, day: dt.date) -> AccessState | None:
        """The segment's access on ``day``, or ``None`` when no record says."""
        dates = self._dates.get(segment)
        if dates is None:
            return None
        i = bisect_right(dates, day) - 1
        return self._states[segment][i] if i >= 0 else None

    def blocked(self, segment: str, day: dt.date) -> bool:
        """Whether the segment is ``blocked`` on ``day`` (no record: passable)."""
        state = self.on(segment, day)
        return state is not None and state.access is AccessLevel.BLOCKED


def most_restrictive(states: Iterable[AccessState | None]) -> AccessLevel | None:
    """The most restrictive access among those known, ``None`` when none is.

    >>> most_restrictive([None, AccessState(AccessLevel.TAXED, "w")])
    <AccessLevel.TAXED: 'taxed'>
    """
    levels = [s.access for s in states if s is not None]
    return max(levels, key=lambda level: level.rank) if levels else None
