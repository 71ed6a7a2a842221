"""Comparing two versions of the truth: the reported data and a scenario, or two scenarios.

:func:`compare` answers the questions an analyst asks of a what-if: which places and
segments would be held differently, how each road would stand, how many road-km each
party (or bloc) would hold, and whether each side could still travel between chosen
places on its own ground -- on one day, or over a window of days.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from control_graph.errors import InvalidArgumentError, NoPathError
from control_graph.model.dates import DateLike, to_optional_day
from control_graph.model.network import RoadNetwork
from control_graph.model.states import State, Status
from control_graph.model.timeline import By, ControlTimeline, ElementType, check_by
from control_graph.query import Model

__all__ = [
    "CompareResult",
    "ElementDifference",
    "Reachability",
    "RoadComparison",
    "compare",
]

#: Keys for road-km that is not held by anyone.
CONTESTED_KEY, UNKNOWN_KEY = "(contested)", "(unknown)"


def _state_dict(state: State | None) -> dict[str, Any] | None:
    return None if state is None else state.as_dict()


@dataclass(frozen=True)
class ElementDifference:
    """A place or segment whose state differs (``None``: absent on that side).

    Over a window, ``days`` counts the days on which the two differ.
    """

    element: str
    type: ElementType
    a: State | None
    b: State | None
    days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "element": self.element,
            "type": self.type,
            "a": _state_dict(self.a),
            "b": _state_dict(self.b),
        }
        if self.days is not None:
            result["days"] = self.days
        return result


@dataclass(frozen=True)
class RoadComparison:
    road: str
    name: str | None
    a: State | None
    b: State | None

    @property
    def differs(self) -> bool:
        return self.a != self.b

    def as_dict(self) -> dict[str, Any]:
        return {
            "road": self.road,
            "name": self.name,
            "a": _state_dict(self.a),
            "b": _state_dict(self.b),
            "differs": self.differs,
        }


@dataclass(frozen=True)
class Reachability:
    """Whether ``controller`` can go from one place to another on its own ground."""

    start: str
    end: str
    controller: str
    a_km: float | None
    b_km: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start,
            "to": self.end,
            "controller": self.controller,
            "a": {"reachable": self.a_km is not None, "length_km": self.a_km},
            "b": {"reachable": self.b_km is not None, "length_km": self.b_km},
            "differs": (self.a_km is None) != (self.b_km is None),
        }


@dataclass(frozen=True)
class CompareResult:
    """What differs between ``a`` and ``b`` (each ``reported`` or a scenario's name)."""

    a: str
    b: str
    by: By
    date: dt.date | None
    start: dt.date | None
    end: dt.date | None
    differences: tuple[ElementDifference, ...]
    roads: tuple[RoadComparison, ...]
    km_a: dict[str, float]
    km_b: dict[str, float]
    reachability: tuple[Reachability, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "by": self.by,
            "date": self.date.isoformat() if self.date else None,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "differences": [d.as_dict() for d in self.differences],
            "roads": [r.as_dict() for r in self.roads],
            "road_km": {"a": self.km_a, "b": self.km_b},
            "reachability": [r.as_dict() for r in self.reachability],
        }


@dataclass
class _Side:
    """One side of a comparison: its network and engine, read once."""

    network: RoadNetwork
    timeline: ControlTimeline

    @property
    def roads(self) -> dict[str, tuple[str, ...]]:
        return {road.id: road.segments for road in self.network.roads.values()}

    def state(self, element: str, day: dt.date, by: By) -> State | None:
        if element not in self.network.places and element not in self.network.segments:
            return None
        return self.timeline.state(element, day, by)

    def road_state(self, road: str, day: dt.date, by: By) -> State | None:
        if road not in self.network.roads:
            return None
        return self.timeline.road_state(road, day, by).state


def _side(model: Model, as_of: dt.date | None) -> _Side:
    history = model.history(as_of=as_of)
    return _Side(history.network, history.timeline)


def _road_km(side: _Side, day: dt.date, by: By) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for segment in side.timeline.segments:
        state = side.timeline.segment_state(segment, day, by)
        if state.status is Status.HELD and state.controller is not None:
            key = state.controller
        else:
            key = CONTESTED_KEY if state.status is Status.CONTESTED else UNKNOWN_KEY
        totals[key] += side.network.length_of(segment)
    return {key: round(value, 3) for key, value in sorted(totals.items())}


def _route_km(
    side: _Side, start: str, end: str, day: dt.date, controller: str, by: By
) -> float | None:
    if start not in side.timeline.places or end not in side.timeline.places:
        return None
    try:
        route = side.network.shortest_path(
            start, end, timeline=side.timeline, day=day, controller=controller, by=by
        )
    except NoPathError:
        return None
    return round(route.length_km, 3)


def _days_differing(a: _Side, b: _Side, element: str, start: dt.date, end: dt.date, by: By) -> int:
    """Days from ``start`` to ``end`` (inclusive) on which the two sides differ."""
    # The state can only differ anew where one side's state changes: at an interval's
    # start (each interval ends where the next one starts).
    points = {start}
    for side in (a, b):
        if element in side.timeline.places or element in side.timeline.segments:
            points.update(
                i.start for i in side.timeline.intervals(element, by=by) if start < i.start <= end
            )
    ordered = sorted(points)
    days = 0
    for first, following in itertools.zip_longest(ordered, ordered[1:]):
        stop = following if following is not None else end + dt.timedelta(days=1)
        if a.state(element, first, by) != b.state(element, first, by):
            days += (stop - first).days
    return days


def compare(
    a: Model,
    b: Model,
    *,
    on: DateLike | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
    by: str = "party",
    as_of: DateLike | None = None,
    between: Sequence[str] = (),
    roads: Sequence[str] = (),
) -> CompareResult:
    """Compare two models (the reported data, or scenarios) on a day or over a window.

    Parameters
    ----------
    a, b
        The two sides, e.g. ``model`` and ``model.scenario("bhamo-falls")``.
    on
        The day compared: element states, road states, road-km and reachability.
    start, end
        Instead of ``on``: a window of days (both inclusive); each difference then
        says on how many days the element differed. Road states, road-km and
        reachability are given for ``end``.
    by
        ``"party"`` or ``"bloc"``.
    between
        Places (ids, names or aliases) whose every pair is checked for reachability.
    roads
        Roads whose two end places are checked for reachability too.

    Examples
    --------
    >>> import control_graph as cg
    >>> reported = cg.open("sqlite://")
    >>> _ = reported.import_file(cg.sample_path())
    >>> what_if = reported.scenario("bhamo-falls")
    >>> _ = what_if.add_event("2026-03-01", place="bhamo", party="kia", kind="capture")
    >>> result = cg.compare(reported, what_if, on="2026-03-02", between=["bhamo", "myitkyina"])
    >>> [(d.element, d.b.controller) for d in result.differences if d.type == "place"]
    [('bhamo', 'kia')]
    """
    view = check_by(by)
    if on is None and end is None:
        raise InvalidArgumentError("give a day to compare on, or a window (start and end)")
    window = on is None
    start_day, end_day = to_optional_day(start, "start"), to_optional_day(end, "end")
    day = to_optional_day(on, "on") or end_day
    assert day is not None
    if window and (start_day is None or end_day is None or start_day > end_day):
        raise InvalidArgumentError("a window needs a start on or before its end")
    as_of_day = to_optional_day(as_of, "as_of")
    side_a, side_b = _side(a, as_of_day), _side(b, as_of_day)

    differences = []
    for element in sorted(
        set(side_a.timeline.places)
        | set(side_b.timeline.places)
        | set(side_a.timeline.segments)
        | set(side_b.timeline.segments)
    ):
        kind: ElementType = (
            "place"
            if element in side_a.timeline.places or element in side_b.timeline.places
            else "segment"
        )
        if window:
            assert start_day is not None and end_day is not None
            days = _days_differing(side_a, side_b, element, start_day, end_day, view)
            if days:
                differences.append(
                    ElementDifference(
                        element,
                        kind,
                        side_a.state(element, end_day, view),
                        side_b.state(element, end_day, view),
                        days,
                    )
                )
        else:
            state_a, state_b = side_a.state(element, day, view), side_b.state(element, day, view)
            if state_a != state_b:
                differences.append(ElementDifference(element, kind, state_a, state_b))

    road_rows = tuple(
        RoadComparison(
            road,
            side_b.network.name_of(road) or side_a.network.name_of(road),
            side_a.road_state(road, day, view),
            side_b.road_state(road, day, view),
        )
        for road in sorted(set(side_a.roads) | set(side_b.roads))
    )

    places = [a.resolve(p, ("place",))[1] for p in between]
    for road in roads:
        road_id = a.resolve(road, ("road",))[1]
        chain = side_a.roads.get(road_id) or side_b.roads.get(road_id) or ()
        if chain:
            ends = side_a.network if road_id in side_a.roads else side_b.network
            places += [ends.ends_of(chain[0])[0], ends.ends_of(chain[-1])[1]]
    pairs = list(itertools.combinations(dict.fromkeys(places), 2))
    controllers = _controllers(side_a, side_b, day, view)
    reach = tuple(
        Reachability(
            start_place,
            end_place,
            controller,
            _route_km(side_a, start_place, end_place, day, controller, view),
            _route_km(side_b, start_place, end_place, day, controller, view),
        )
        for start_place, end_place in pairs
        for controller in controllers
    )
    return CompareResult(
        a.label,
        b.label,
        view,
        None if window else day,
        start_day if window else None,
        end_day if window else None,
        tuple(differences),
        road_rows,
        _road_km(side_a, day, view),
        _road_km(side_b, day, view),
        reach,
    )


def _controllers(a: _Side, b: _Side, day: dt.date, by: By) -> list[str]:
    """Every party (or bloc) holding some place on ``day`` on either side."""
    found: set[str] = set()
    for side in (a, b):
        for place in side.timeline.places:
            state = side.timeline.place_state(place, day, by)
            if state.status is Status.HELD and state.controller is not None:
                found.add(state.controller)
    return sorted(found)
