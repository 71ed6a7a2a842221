"""Shortest paths through one side's ground.

The network is turned once into adjacency lists (two segments may join the same two
places, so each segment is its own edge). A path question runs A* over them, guided by
the straight-line distance to the goal, and asks the timeline engine about a place or
segment only when the search reaches it: a 50-segment route in a 15,000-segment
network settles a few hundred places, not the whole network.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from control_graph.errors import NoPathError, UnknownElementError
from control_graph.model.gc_pause import paused_gc
from control_graph.model.geo import great_circle_km
from control_graph.model.states import held
from control_graph.model.timeline import By, StatesOnDays

if TYPE_CHECKING:
    from control_graph.model.network import RoadNetwork

__all__ = ["Route", "RouteSearch"]


class Route(NamedTuple):
    """A path: its places in order, the segments between them, and its length in km."""

    places: tuple[str, ...]
    segments: tuple[str, ...]
    length_km: float


class RouteSearch:
    """Shortest paths over one :class:`~control_graph.model.network.RoadNetwork`.

    The adjacency lists and the A* estimate's scale are built once per network, on
    the first path question (see :meth:`RoadNetwork.shortest_path`).
    """

    def __init__(self, network: RoadNetwork) -> None:
        with paused_gc():  # lists and tuples for every segment, twice: no garbage
            self._build(network)

    def _build(self, network: RoadNetwork) -> None:
        places = network.places
        self._lengths = {segment: network.length_of(segment) for segment in network.segments}
        #: place -> [(neighbour, segment, length)], both directions, shortest first.
        self._adjacent: dict[str, list[tuple[str, str, float]]] = {p: [] for p in places}
        coordinates = {p.id: p.coordinates for p in places.values()}
        # The A* estimate is the straight-line distance scaled down so that it never
        # exceeds a real path's length: by the smallest ratio of a segment's length to
        # its straight line (a given length_km may be shorter than the line), and not
        # at all when some place has no coordinates (its segments count 1 km each).
        scale = 1.0 if all(c is not None for c in coordinates.values()) else 0.0
        for segment in network.segments.values():
            start_at, end_at = coordinates.get(segment.start), coordinates.get(segment.end)
            length = self._lengths[segment.id]
            self._adjacent.setdefault(segment.start, []).append((segment.end, segment.id, length))
            if segment.end != segment.start:
                self._adjacent.setdefault(segment.end, []).append(
                    (segment.start, segment.id, length)
                )
            # A length derived from the endpoints is the line itself (ratio exactly 1):
            # only a given length can lower the scale, so only its line is computed.
            given = segment.length_km is not None
            if scale and given and start_at is not None and end_at is not None:
                line = great_circle_km(*start_at, *end_at)
                if line > 0:
                    scale = min(scale, length / line)
        for neighbours in self._adjacent.values():
            neighbours.sort(key=lambda item: item[2])
        self._coordinates = coordinates
        self._scale = scale

    def shortest_path(
        self,
        source: str,
        target: str,
        *,
        timeline: StatesOnDays | None = None,
        day: dt.date | None = None,
        controller: str | None = None,
        by: By = "party",
        blocked: Callable[[str], bool] | None = None,
    ) -> Route:
        """See :meth:`~control_graph.model.network.RoadNetwork.shortest_path`."""
        for place in (source, target):
            if place not in self._adjacent:
                raise UnknownElementError(f"no place has the id {place!r}")
        place_ok: Callable[[str], bool] = _always
        segment_ok: Callable[[str], bool] = _always
        if controller is not None:
            if timeline is None or day is None:
                raise ValueError("a controller needs a timeline and a day")
            for place in (source, target):
                state = timeline.place_state(place, day, by)
                if state != held(controller):
                    raise NoPathError(
                        f"no path: {place} is {state.describe()} on {day}, not held by {controller}"
                    )
            wanted = held(controller)
            cache: dict[str, bool] = {}

            def place_ok(place: str) -> bool:
                ok = cache.get(place)
                if ok is None:
                    ok = cache[place] = timeline.place_state(place, day, by) == wanted
                return ok

            def segment_ok(segment: str) -> bool:
                return timeline.segment_state(segment, day, by) == wanted

        if blocked is not None:
            held_ok, is_blocked = segment_ok, blocked

            def segment_ok(segment: str) -> bool:
                return not is_blocked(segment) and held_ok(segment)

        found = self._search(source, target, place_ok, segment_ok)
        if found is None:
            side = f" through ground held by {controller}" if controller else ""
            side += " avoiding blocked segments" if blocked is not None else ""
            when = f" on {day}" if day else ""
            raise NoPathError(
                f"no path from {source} to {target}{side}{when}"
                + self._where_it_breaks(
                    source, target, place_ok, segment_ok, blocked, timeline, day, by
                )
            )
        return found

    def _where_it_breaks(
        self,
        source: str,
        target: str,
        place_ok: Callable[[str], bool],
        segment_ok: Callable[[str], bool],
        blocked: Callable[[str], bool] | None,
        timeline: StatesOnDays | None,
        day: dt.date | None,
        by: By,
    ) -> str:
        """Where the shortest path on any ground leaves the ground asked for: what a
        reader needs to see why there is no path."""
        anywhere = self._search(source, target, _always, _always)
        if anywhere is None:
            return ": the two places are not joined by any road"
        steps = [f"{len(anywhere.segments)} segments, {anywhere.length_km:.1f} km"]
        for place, segment in zip(anywhere.places[1:], anywhere.segments, strict=True):
            if not segment_ok(segment):
                why = (
                    " (blocked that day)"
                    if blocked is not None and blocked(segment)
                    else self._state_of(segment, timeline, day, by, True)
                )
                return f"; the shortest path on any ground ({steps[0]}) breaks first at " + (
                    f"segment {segment}{why}"
                )
            if not place_ok(place):
                return f"; the shortest path on any ground ({steps[0]}) breaks first at " + (
                    f"{place}{self._state_of(place, timeline, day, by, False)}"
                )
        return ""

    @staticmethod
    def _state_of(
        element: str, timeline: StatesOnDays | None, day: dt.date | None, by: By, segment: bool
    ) -> str:
        if timeline is None or day is None:
            return ""
        state = (timeline.segment_state if segment else timeline.place_state)(element, day, by)
        return f" ({state.describe()})"

    def _estimate(self, target: str) -> Callable[[str], float]:
        goal = self._coordinates.get(target)
        if not self._scale or goal is None:
            return lambda _place: 0.0
        coordinates, scale = self._coordinates, self._scale

        def estimate(place: str) -> float:
            here = coordinates[place]
            assert here is not None
            return scale * great_circle_km(here[0], here[1], goal[0], goal[1])

        return estimate

    def _search(
        self,
        source: str,
        target: str,
        place_ok: Callable[[str], bool],
        segment_ok: Callable[[str], bool],
    ) -> Route | None:
        """A* over the adjacency lists; exact, since the estimate never overshoots and is
        consistent (the straight line obeys the triangle inequality)."""
        estimate = self._estimate(target)
        best = {source: 0.0}
        came_from: dict[str, tuple[str, str]] = {}
        settled: set[str] = set()
        queue = [(estimate(source), 0.0, source)]
        while queue:
            _, distance, place = heapq.heappop(queue)
            if place in settled:
                continue
            if place == target:
                break
            settled.add(place)
            for neighbour, segment, length in self._adjacent[place]:
                if neighbour in settled:
                    continue
                through = distance + length
                if through >= best.get(neighbour, math.inf):
                    continue
                if not place_ok(neighbour) or not segment_ok(segment):
                    continue
                best[neighbour] = through
                came_from[neighbour] = (place, segment)
                heapq.heappush(queue, (through + estimate(neighbour), through, neighbour))
        else:
            return None
        places, segments = [target], []
        while places[-1] != source:
            previous, segment = came_from[places[-1]]
            places.append(previous)
            segments.append(segment)
        places.reverse()
        segments.reverse()
        length = sum(self._lengths[s] for s in segments)
        return Route(tuple(places), tuple(segments), length)


def _always(_: str) -> bool:
    return True
