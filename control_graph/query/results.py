"""The answers to questions: small result objects whose ``as_dict()`` is the JSON the
command line prints (contract section 3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from control_graph.model.network import RoadNetwork
from control_graph.model.states import State
from control_graph.model.timeline import By, Change, ControlTimeline, ElementType, Interval

__all__ = [
    "ChangesResult",
    "NetworkHistory",
    "PathResult",
    "SegmentState",
    "TimelineResult",
    "WhoHeldResult",
]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


class NetworkHistory(NamedTuple):
    """The whole network, read once, and the engine over its events: what a plot, an
    export or a comparison of scenarios works from."""

    network: RoadNetwork
    timeline: ControlTimeline


@dataclass(frozen=True)
class SegmentState:
    """One segment's state on a day, with its endpoints."""

    id: str
    start: str
    end: str
    state: State

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "from": self.start, "to": self.end, **self.state.as_dict()}


@dataclass(frozen=True)
class WhoHeldResult:
    """The answer to "who held this element on that day"."""

    element: str
    type: ElementType
    date: dt.date
    state: State
    segments: tuple[SegmentState, ...] = ()
    as_of: dt.date | None = None
    by: By = "party"
    name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "element": self.element,
            "type": self.type,
            "name": self.name,
            "date": self.date.isoformat(),
            **self.state.as_dict(),
            "as_of": _iso(self.as_of),
            "by": self.by,
        }
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "type": self.type,
            "name": self.name,
            "from": _iso(self.start),
            "to": _iso(self.end),
            "as_of": _iso(self.as_of),
            "by": self.by,
            "intervals": [
                {"from": i.start.isoformat(), "to": _iso(i.end), **i.state.as_dict()}
                for i in self.intervals
            ],
        }


@dataclass(frozen=True)
class PathResult:
    """A shortest path on one day, optionally through one party's or bloc's ground."""

    start: str
    end: str
    date: dt.date
    places: tuple[str, ...]
    segments: tuple[str, ...]
    length_km: float
    controller: str | None = None
    by: By = "party"
    as_of: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start,
            "to": self.end,
            "date": self.date.isoformat(),
            "party": self.controller if self.by == "party" else None,
            "bloc": self.controller if self.by == "bloc" else None,
            "as_of": _iso(self.as_of),
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": _iso(self.start),
            "to": _iso(self.end),
            "as_of": _iso(self.as_of),
            "by": self.by,
            "changes": [
                {
                    "date": c.date.isoformat(),
                    "element": c.element,
                    "type": c.type,
                    "from": c.before.as_dict(),
                    "to": c.after.as_dict(),
                }
                for c in self.changes
            ],
        }
