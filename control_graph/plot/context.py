"""What every map of one model shares, worked out once: network, engine, positions,
extent and the geography under it (an animation draws many maps from one context)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from control_graph.geography import Basemap, Geography, load_geography, read_basemap
from control_graph.model.records import Incident, Target
from control_graph.model.timeline import ControlTimeline
from control_graph.plot.data import (
    DateLike,
    NetworkData,
    Snapshot,
    Trust,
    latest_change,
    load_network,
    snapshot,
    to_day,
)
from control_graph.plot.layout import place_positions
from control_graph.plot.style import new_axes

if TYPE_CHECKING:
    from control_graph.plot.labels import PlacedLabel
    from control_graph.query import NetworkHistory
    from control_graph.query.reading import MapReading

__all__ = ["MapContext", "map_figure", "prepare_map"]

Point = tuple[float, float]
Extent = tuple[float, float, float, float]
"""``(x0, x1, y0, y1)``: matplotlib's order for limits."""


@dataclass
class MapContext:
    """What every map of one model shares, worked out once (an animation draws many
    maps from one context): the network, the engine, the access records, which reports
    count, positions, extent and geography. Marker sizes and label positions are worked
    out for the first axes drawn into, and kept, so that every frame of an animation
    looks the same."""

    data: NetworkData
    #: The model, read when a map needs a day (see :meth:`snapshot`).
    model: MapReading
    trust: Trust
    positions: dict[str, Point]
    estimated: set[str]
    places: list[str]
    segments: list[str]
    context: list[str]
    extent: Extent
    geographic: bool
    as_of: dt.date | None
    roads: tuple[str, ...]
    geography: Geography | None = None
    basemap: Basemap | None = None
    labels: list[PlacedLabel] | None = None
    sizes: dict[str, float] = field(default_factory=dict)
    inset: Axes | None = None
    _controllers: set[str] | None = field(default=None, init=False, repr=False)
    _history: NetworkHistory | None = field(default=None, init=False, repr=False)
    _latest: tuple[dt.date | None] | None = field(default=None, init=False, repr=False)
    _shown: tuple[set[str], set[str]] | None = field(default=None, init=False, repr=False)

    @property
    def aspect(self) -> float:
        """Data units of y per unit of x on screen: 1/cos(latitude) for lon/lat."""
        if not self.geographic:
            return 1.0
        middle = (self.extent[2] + self.extent[3]) / 2
        return 1.0 / max(math.cos(math.radians(middle)), 0.05)

    def _filters(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "min_confidence": self.trust.min_confidence,
            "independent_only": self.trust.independent_only,
        }

    @property
    def timeline(self) -> ControlTimeline:
        """The engine over every report that counts, read on first use: a map of one day
        reads only that day (:meth:`snapshot`); an animation of many days, this."""
        if self._history is None:
            self._history = self.model.history(**self._filters())
        return self._history.timeline

    def controllers(self) -> set[str]:
        """Every party (or bloc) that holds any place or segment at any time: the legend
        lists them all, so maps of different days match."""
        if self._controllers is None:
            self._controllers = self.model.controllers(by=self.data.by, **self._filters())
        return self._controllers

    def snapshot(self, day: dt.date) -> Snapshot:
        """What the map of ``day`` shows: states, doubts and access of what is on it."""
        if self._history is not None:
            return snapshot(
                self._history.timeline,
                self.data,
                day,
                places=self.places,
                segments=self.segments,
                access=self._history.access,
            )
        view = self.model.day(day, by=self.data.by, network=self.data.network, **self._filters())
        elements = (*self.places, *self.segments)
        found = {s: view.access.on(s, day) for s in self.segments} if view.access else {}
        return Snapshot(
            day,
            {p: view.state(p) for p in self.places},
            {s: view.state(s) for s in self.segments},
            {e: other for e in elements if (other := view.otherwise(e)) is not None},
            frozenset(e for e in elements if view.is_disputed(e, own=True)),
            {s: state for s, state in found.items() if state is not None},
        )

    def share_controllers(self, controllers: set[str]) -> None:
        """Use ``controllers`` for the legend (maps side by side share one legend)."""
        self._controllers = set(controllers)

    def latest(self) -> dt.date | None:
        """The last day anything changed (for the source line)."""
        if self._latest is None:
            if self._history is not None:
                elements = (*self.places, *self.segments)
                self._latest = (latest_change(self._history.timeline, elements, self.data.by),)
            else:
                self._latest = (self.model.last_change(**self._filters()),)
        return self._latest[0]

    def anchor_of(self, incident: Incident) -> Point | None:
        """Where an incident is marked: at its place, at the middle of its segment, or
        at the middle of the shown part of its road; ``None`` when not on the map."""
        if self._shown is None:
            self._shown = (set(self.places), set(self.segments))
        places, segments = self._shown
        target = incident.target_id
        if incident.target is Target.PLACE:
            return self.positions[target] if target in places else None
        if incident.target is Target.SEGMENT:
            return self.midpoint(target) if target in segments else None
        road = self.data.roads.get(target)
        shown = [s for s in (road.segments if road else ()) if s in segments]
        return self.midpoint(shown[len(shown) // 2]) if shown else None

    def midpoint(self, segment: str) -> Point:
        record = self.data.segments[segment]
        (x0, y0), (x1, y1) = self.positions[record.start], self.positions[record.end]
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    def set_extent(self, extent: Extent) -> None:
        """Show ``extent`` (two maps compared share one), with the geography under it."""
        self.extent = extent
        if self.geography is not None:
            self.geography = _geography(extent)
        if self.basemap is not None:
            self.basemap = read_basemap(self.basemap.source, _bounds(extent), margin=0.02)


def prepare_map(
    model: MapReading,
    *,
    by: str = "party",
    as_of: DateLike | None = None,
    roads: Iterable[str] | None = None,
    geography: bool = True,
    basemap: str | Path | None = None,
    min_confidence: str | None = None,
    independent_only: bool = False,
) -> MapContext:
    """Read what maps of ``model`` need: the network, the engine and access records,
    positions, the extent, geography.

    ``roads`` (ids, names or aliases) restricts the map to those roads; the rest of the
    network is drawn faintly behind them for context. ``geography`` draws the shipped
    Natural Earth land, coasts and boundaries under a map with coordinates; ``basemap``
    adds an analyst's own boundaries (GeoJSON, or any GDAL format with pyogrio).
    ``as_of``, ``min_confidence`` and ``independent_only`` choose the reports that
    count, as in the questions.
    """
    as_of_day = None if as_of is None else to_day(as_of, "as_of")
    data = load_network(model, by=by)
    trust = Trust(min_confidence, bool(independent_only))
    road_ids = tuple(dict.fromkeys(model.resolve(r, ("road",))[1] for r in roads or ()))
    positions, estimated = place_positions(
        data.places, ((s.start, s.end) for s in data.segments.values())
    )
    if road_ids:
        shown = list(dict.fromkeys(s for r in road_ids for s in data.roads[r].segments))
        ends = {p for s in shown for p in data.segments[s].ends()}
        places = sorted(ends)
        context = sorted(set(data.segments) - set(shown))
    else:
        shown, places, context = sorted(data.segments), sorted(data.places), []
    geographic = any(p.lat is not None for p in data.places.values())
    extent = _extent([positions[p] for p in places], geographic)
    return MapContext(
        data=data,
        model=model,
        trust=trust,
        positions=positions,
        estimated=estimated,
        places=places,
        segments=shown,
        context=context,
        extent=extent,
        geographic=geographic,
        as_of=as_of_day,
        roads=road_ids,
        geography=_geography(extent) if geography and geographic else None,
        basemap=(
            read_basemap(basemap, _bounds(extent), margin=0.02)
            if basemap is not None and geographic
            else None
        ),
    )


def _bounds(extent: Extent) -> tuple[float, float, float, float]:
    x0, x1, y0, y1 = extent
    return (x0, y0, x1, y1)


def _geography(extent: Extent) -> Geography:
    # A sliver more than the view, so that no cut edge of a polygon shows at its frame.
    return load_geography(_bounds(extent), margin=0.02)


def _extent(points: Sequence[Point], geographic: bool) -> Extent:
    """The points with a margin, widened where needed so that the map is never much
    narrower (or flatter) than 2 : 3 on screen -- a road running north-south still gets
    room for its labels."""
    if not points:
        return (0.0, 1.0, 0.0, 1.0)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    spread = max(x1 - x0, y1 - y0)
    floor = 0.02 if geographic else (spread * 0.1 if spread > 0 else 0.5)
    pad_x = max((x1 - x0) * 0.08, floor)
    pad_y = max((y1 - y0) * 0.08, floor)
    x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
    stretch = 1.0
    if geographic:
        stretch = 1.0 / max(math.cos(math.radians((y0 + y1) / 2)), 0.05)
    width, height = x1 - x0, (y1 - y0) * stretch
    if width < height * 2 / 3:
        grow = (height * 2 / 3 - width) / 2
        x0, x1 = x0 - grow, x1 + grow
    elif height < width * 2 / 3:
        grow = (width * 2 / 3 - height) / 2 / stretch
        y0, y1 = y0 - grow, y1 + grow
    return (x0, x1, y0, y1)


def map_size(context: MapContext, *, width: float = 7.5, max_height: float = 8.0) -> Point:
    """The size in inches of a map's axes: the map's aspect, within the given bounds."""
    x0, x1, y0, y1 = context.extent
    ratio = (y1 - y0) * context.aspect / max(x1 - x0, 1e-9)
    w, h = width, width * ratio
    if h > max_height:
        w, h = max_height / ratio, max_height
    if h < 3.0:
        h = 3.0
        w = min(h / ratio, 11.0)
    return w, h


def map_figure(
    context: MapContext, *, width: float = 7.5, max_height: float = 8.0
) -> tuple[Figure, Axes]:
    """A figure whose axes has exactly the map's aspect, with room for the legend."""
    w, h = map_size(context, width=width, max_height=max_height)
    return new_axes((w + 4.5, h + 1.4), (0.6, 0.7, w, h))
