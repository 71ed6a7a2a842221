"""The answers to questions: small result objects whose ``as_dict()`` is the JSON the
command line prints (contract section 3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from control_graph.model.access import AccessIndex, AccessState
from control_graph.model.disputes import Role
from control_graph.model.network import RoadNetwork
from control_graph.model.records import NO_FILTERS, AccessLevel, Event, Filters
from control_graph.model.states import State
from control_graph.model.timeline import (
    By,
    Change,
    ControlTimeline,
    ElementType,
    Interval,
    StatesOnDays,
    summarise_road,
)

__all__ = [
    "ChangesResult",
    "DayView",
    "NetworkHistory",
    "PathResult",
    "Report",
    "SegmentState",
    "Share",
    "TimelineResult",
    "WhoHeldResult",
]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


class DayView(NamedTuple):
    """Every place's and segment's state on one day, with access and disputes: what a
    map of the day draws (see :meth:`~control_graph.query.Model.day`)."""

    day: dt.date
    by: By
    network: RoadNetwork
    states: StatesOnDays
    access: AccessIndex
    #: The places and segments whose own deciding report has a rival that day.
    disputed: frozenset[str] = frozenset()
    #: The segments whose state that day comes from their endpoints.
    derived: frozenset[str] = frozenset()

    def state(self, element: str, *, late: bool = False) -> State:
        """A place's, segment's or road's state (in the late reading with ``late``)."""
        road = self.network.roads.get(element)
        if road is not None and element not in self.network.places:
            return summarise_road(
                self.states.state(s, self.day, self.by, late=late) for s in road.segments
            )
        return self.states.state(element, self.day, self.by, late=late)

    def otherwise(self, element: str) -> State | None:
        """The late reading's state where it differs (the answer is uncertain)."""
        late = self.state(element, late=True)
        return late if late != self.state(element) else None

    def is_disputed(self, element: str, *, own: bool = False) -> bool:
        """Whether a place, segment or road is disputed that day (contract 4.2): a
        segment derived from its ends when either end is, a road when any segment is.
        With ``own``, only by its own deciding report (what a map marks)."""
        road = self.network.roads.get(element)
        if road is not None and element not in self.network.places:
            return any(self.is_disputed(s, own=own) for s in road.segments)
        if element in self.disputed:
            return True
        if own or element not in self.derived:
            return False
        return any(end in self.disputed for end in self.network.ends_of(element))


class NetworkHistory(NamedTuple):
    """The whole network, read once, and the engine over its events: what a plot, an
    export or a comparison of scenarios works from."""

    network: RoadNetwork
    timeline: ControlTimeline
    access: AccessIndex


def _uncertain(otherwise: State | None) -> dict[str, Any]:
    """``uncertain``, and ``otherwise`` when it is (contract section 4.1)."""
    if otherwise is None:
        return {"uncertain": False}
    return {"uncertain": True, "otherwise": otherwise.as_dict()}


@dataclass(frozen=True)
class SegmentState:
    """One segment's state on a day, with its endpoints, whether the data leaves it
    uncertain or disputed, and its access."""

    id: str
    start: str
    end: str
    state: State
    otherwise: State | None = None
    disputed: bool = False
    access: AccessState | None = None

    @property
    def uncertain(self) -> bool:
        return self.otherwise is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.start,
            "to": self.end,
            **self.state.as_dict(),
            **_uncertain(self.otherwise),
            "disputed": self.disputed,
            "access": self.access.access.value if self.access else None,
            "access_by": self.access.party if self.access else None,
        }


class Share(NamedTuple):
    """Road-km in one state (contract section 4.6)."""

    state: State
    km: float

    def as_dict(self) -> dict[str, Any]:
        return {**self.state.as_dict(), "km": self.km}


class Report(NamedTuple):
    """An event behind an answer, as recorded, with the element it is about on that
    answer and (for explanations) the reason it counts."""

    element: str
    event: Event
    role: Role | None = None

    def claim(self) -> dict[str, Any]:
        """As an entry of ``claims`` (contract section 4.2)."""
        e = self.event
        return {
            "element": self.element,
            "id": e.id,
            "date": e.date.isoformat(),
            "status": e.state.status.value,
            "party": e.party,
            "claimant": e.claimant,
            "source": e.source,
        }

    def explanation(self) -> dict[str, Any]:
        """As an entry of ``explain`` (contract section 4.4)."""
        e = self.event
        return {
            "element": self.element,
            "role": self.role,
            "id": e.id,
            "date": e.date.isoformat(),
            "date_latest": _iso(e.date_latest),
            "recorded": e.effective_recorded.isoformat(),
            "status": e.state.status.value,
            "party": e.party,
            "controller": e.state.controller,
            "claimant": e.claimant,
            "source": e.source,
            "confidence": e.confidence.value if e.confidence else None,
            "kind": e.kind,
            "note": e.note,
        }


@dataclass(frozen=True)
class WhoHeldResult:
    """The answer to "who held this element on that day".

    ``otherwise`` is the late reading's state when the rough dates of the data allow it
    instead (the answer is then *uncertain*); ``disputed`` says a rival claim contests
    the deciding report, ``claims`` lists them; ``explain`` (when asked for) the reports
    behind the answer.
    """

    element: str
    type: ElementType
    date: dt.date
    state: State
    segments: tuple[SegmentState, ...] = ()
    as_of: dt.date | None = None
    by: By = "party"
    name: str | None = None
    otherwise: State | None = None
    disputed: bool = False
    claims: tuple[Report, ...] = ()
    access: AccessLevel | None = None
    shares: tuple[Share, ...] = ()
    explain: tuple[Report, ...] | None = None
    filters: Filters = NO_FILTERS

    @property
    def uncertain(self) -> bool:
        return self.otherwise is not None

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "element": self.element,
            "type": self.type,
            "name": self.name,
            "date": self.date.isoformat(),
            **self.state.as_dict(),
            **_uncertain(self.otherwise),
            "disputed": self.disputed,
        }
        if self.claims:
            result["claims"] = [claim.claim() for claim in self.claims]
        result.update(self.filters.as_dict(), as_of=_iso(self.as_of))
        result["by"] = self.by
        if self.type != "place":
            result["access"] = self.access.value if self.access else None
        if self.type == "road":
            result["shares"] = [share.as_dict() for share in self.shares]
        if self.explain is not None:
            result["explain"] = [report.explanation() for report in self.explain]
        if self.type != "place":
            result["segments"] = [segment.as_dict() for segment in self.segments]
        return result


@dataclass(frozen=True)
class TimelineResult:
    """The intervals of one element's state."""

    element: str
    type: ElementType
    intervals: tuple[Interval, ...]
    start: dt.date | None = None
    end: dt.date | None = None
    as_of: dt.date | None = None
    by: By = "party"
    name: str | None = None
    filters: Filters = NO_FILTERS

    def as_dict(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "type": self.type,
            "name": self.name,
            "from": _iso(self.start),
            "to": _iso(self.end),
            **self.filters.as_dict(),
            "as_of": _iso(self.as_of),
            "by": self.by,
            "intervals": [
                {
                    "from": i.start.isoformat(),
                    "to": _iso(i.end),
                    **i.state.as_dict(),
                    **_uncertain(i.otherwise),
                }
                for i in self.intervals
            ],
        }


@dataclass(frozen=True)
class PathResult:
    """A shortest path on one day, optionally through one party's or bloc's ground, and
    optionally only over segments not blocked that day (``passable``)."""

    start: str
    end: str
    date: dt.date
    places: tuple[str, ...]
    segments: tuple[str, ...]
    length_km: float
    controller: str | None = None
    by: By = "party"
    as_of: dt.date | None = None
    passable: bool = False
    filters: Filters = NO_FILTERS

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start,
            "to": self.end,
            "date": self.date.isoformat(),
            "party": self.controller if self.by == "party" else None,
            "bloc": self.controller if self.by == "bloc" else None,
            "by": self.by,
            **self.filters.as_dict(),
            "as_of": _iso(self.as_of),
            "passable": self.passable,
            "path": list(self.places),
            "segments": list(self.segments),
            "length_km": self.length_km,
        }


@dataclass(frozen=True)
class ChangesResult:
    """Every change of state of places and segments in a window."""

    changes: tuple[Change, ...]
    start: dt.date | None = None
    end: dt.date | None = None
    as_of: dt.date | None = None
    by: By = "party"
    filters: Filters = NO_FILTERS

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": _iso(self.start),
            "to": _iso(self.end),
            **self.filters.as_dict(),
            "as_of": _iso(self.as_of),
            "by": self.by,
            "changes": [
                {
                    "date": c.date.isoformat(),
                    "element": c.element,
                    "type": c.type,
                    "from": c.before.as_dict(),
                    "to": c.after.as_dict(),
                    **_uncertain(c.otherwise),
                }
                for c in self.changes
            ],
        }
