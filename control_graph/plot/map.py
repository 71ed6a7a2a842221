"""Maps: every place and segment on one day, coloured by who held it.

Places sit at their coordinates (``x`` = longitude, ``y`` = latitude, drawn with an
aspect of ``1 / cos(latitude)`` so distances look right); places without coordinates
are placed near their neighbours and marked as estimated. Segments held by a party are
drawn in its colour; contested segments are dashed in the colours of the two sides
(the parties holding their ends, where known) with a front-line cross at the middle;
unknown segments are thin and grey.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from control_graph.errors import InvalidArgumentError
from control_graph.model.records import Incident, Target
from control_graph.model.states import State, Status
from control_graph.model.timeline import ControlTimeline
from control_graph.plot.colors import CONTESTED_COLOR, UNKNOWN_COLOR
from control_graph.plot.data import (
    DateLike,
    NetworkData,
    Snapshot,
    SpanLike,
    load_network,
    parse_span,
    read_incidents,
    snapshot,
    to_day,
)
from control_graph.plot.layout import (
    Label,
    PlacedLabel,
    draw_labels,
    layout_labels,
    place_positions,
)
from control_graph.plot.style import (
    BACKGROUND,
    HALO,
    INCIDENT_COLOR,
    KIND_MARKERS,
    contested_handle,
    fit_figure,
    held_handle,
    incident_handle,
    incident_style,
    kind_marker,
    marker_handle,
    new_axes,
    offset_points,
    outside_legend,
    unknown_handle,
)

if TYPE_CHECKING:
    from control_graph.query import Model

__all__ = ["MapContext", "draw_map", "plot_map", "prepare_map"]

Point = tuple[float, float]

#: Above this many places only the most important are labelled, and only where free.
LABEL_ALL_UP_TO = 100
LABELS_WHEN_CROWDED = 40


@dataclass
class MapContext:
    """What every map of one model shares, worked out once (an animation draws many
    maps from one context): the network, the engine, positions and extent. Marker sizes
    and label positions are worked out for the first axes drawn into, and kept."""

    data: NetworkData
    timeline: ControlTimeline
    positions: dict[str, Point]
    estimated: set[str]
    places: list[str]
    segments: list[str]
    context: list[str]
    extent: tuple[float, float, float, float]
    geographic: bool
    as_of: dt.date | None
    roads: tuple[str, ...]
    labels: list[PlacedLabel] | None = None
    sizes: dict[str, float] = field(default_factory=dict)
    _controllers: set[str] | None = field(default=None, init=False, repr=False)
    _shown: tuple[set[str], set[str]] | None = field(default=None, init=False, repr=False)

    @property
    def aspect(self) -> float:
        """Data units of y per unit of x on screen: 1/cos(latitude) for lon/lat."""
        if not self.geographic:
            return 1.0
        middle = (self.extent[2] + self.extent[3]) / 2
        return 1.0 / max(math.cos(math.radians(middle)), 0.05)

    def controllers(self) -> set[str]:
        """Every party (or bloc) that holds any place or segment on the map at any
        time: the legend lists them all, so maps of different days match."""
        if self._controllers is None:
            by = self.data.by
            self._controllers = {
                interval.state.controller
                for element in (*self.places, *self.segments)
                for interval in self.timeline.intervals(element, by=by)
                if interval.state.controller is not None
            }
        return self._controllers

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


def prepare_map(
    model: Model,
    *,
    by: str = "party",
    as_of: DateLike | None = None,
    roads: Iterable[str] | None = None,
) -> MapContext:
    """Read what maps of ``model`` need: the network, positions, the extent.

    ``roads`` (ids, names or aliases) restricts the map to those roads; the rest of the
    network is drawn faintly behind them for context.
    """
    as_of_day = None if as_of is None else to_day(as_of, "as_of")
    data = load_network(model, by=by)
    timeline = model.control_timeline(as_of=as_of_day)
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
        timeline=timeline,
        positions=positions,
        estimated=estimated,
        places=places,
        segments=shown,
        context=context,
        extent=extent,
        geographic=geographic,
        as_of=as_of_day,
        roads=road_ids,
    )


def _extent(points: Sequence[Point], geographic: bool) -> tuple[float, float, float, float]:
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


def map_figure(
    context: MapContext, *, width: float = 7.5, max_height: float = 8.0
) -> tuple[Figure, Axes]:
    """A figure whose axes has exactly the map's aspect, with room for the legend."""
    x0, x1, y0, y1 = context.extent
    ratio = (y1 - y0) * context.aspect / max(x1 - x0, 1e-9)
    w, h = width, width * ratio
    if h > max_height:
        w, h = max_height / ratio, max_height
    if h < 3.0:
        h = 3.0
        w = min(h / ratio, 11.0)
    return new_axes((w + 4.5, h + 1.4), (0.6, 0.5, w, h))


# -- drawing ----------------------------------------------------------------------------


def _sides(snap: Snapshot, data: NetworkData, segment: str) -> tuple[str | None, str | None]:
    """Who is fighting over a contested segment, as far as its ends tell."""
    start, end = data.segments[segment].ends()
    sides = []
    for place in (start, end):
        state = snap.places.get(place)
        if state is not None and state.status is Status.HELD and state.controller not in sides:
            sides.append(state.controller)
    if len(sides) == 2:
        return sides[0], sides[1]
    return (sides[0], None) if sides else (None, None)


def _sizes(context: MapContext, ax: Axes) -> dict[str, float]:
    """Marker and line sizes from how densely the places are packed on screen."""
    ax.apply_aspect()
    figure = ax.get_figure()
    assert figure is not None
    width_pt = ax.bbox.width * 72 / figure.dpi
    height_pt = ax.bbox.height * 72 / figure.dpi
    spacing = math.sqrt(width_pt * height_pt / max(len(context.places), 1))
    diameter = float(np.clip(0.42 * spacing, 1.6, 9.0))
    held = float(np.clip(0.2 * spacing, 0.5, 3.4))
    return {
        "spacing": spacing,
        "diameter": diameter,
        "held": held,
        "unknown": max(held * 0.5, 0.4),
        "casing": held + (1.6 if spacing > 12 else 0.4),
        "front": float(np.clip(0.22 * spacing, 2.5, 7.0)),
        "incident": float(np.clip(0.45 * spacing, 5.0, 9.0)),
    }


def draw_map(
    context: MapContext,
    ax: Axes,
    on: dt.date,
    *,
    incidents: Sequence[Incident] = (),
    incident_span: dt.timedelta | None = None,
    labels: bool = True,
    legend: bool = True,
    legend_incident_kinds: Iterable[str] | None = None,
    title: str | None = None,
    subtitle: bool = True,
) -> Snapshot:
    """Draw the map of ``on`` into ``ax`` (which should be empty) and return the state
    drawn. Lower level than :func:`plot_map`: it reads nothing from the database, so an
    animation calls it once per frame. ``legend_incident_kinds`` fixes the incident
    kinds listed (default: those of ``incidents``)."""
    data = context.data
    snap = snapshot(context.timeline, data, on, places=context.places, segments=context.segments)
    x0, x1, y0, y1 = context.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(context.aspect, adjustable="box")
    if not context.sizes:
        context.sizes = _sizes(context, ax)
    sizes = context.sizes
    _style_axes(ax, context)

    pos = context.positions
    if context.context:
        ax.add_collection(
            LineCollection(
                [[pos[a], pos[b]] for a, b in (data.segments[s].ends() for s in context.context)],
                colors="#DEDDD8",
                linewidths=sizes["unknown"],
                zorder=1,
            )
        )
    _draw_segments(ax, context, snap, sizes)
    _draw_places(ax, context, snap, sizes)
    incident_spots = _draw_incidents(ax, context, on, incidents, incident_span, sizes)
    keep_clear = _draw_scale_bar(ax, context) if context.geographic else []
    if labels:
        _draw_place_labels(ax, context, sizes, incident_spots, keep_clear)
    ax.set_title(
        title or data.name or "Control",
        loc="left",
        fontsize=11.5,
        fontweight="bold",
        pad=22 if subtitle else 6,
    )
    if subtitle:
        ax.annotate(
            _subtitle(context, on, incident_span),
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 7),
            textcoords="offset points",
            va="bottom",
            fontsize=9.5,
            color="#333333",
        )
    if legend:
        controllers = context.controllers() | snap.controllers()
        kinds = (
            set(legend_incident_kinds)
            if legend_incident_kinds is not None
            else {i.kind or "incident" for i in incidents}
        )
        _draw_legend(ax, context, controllers, kinds, incident_span, sizes)
    return snap


def _subtitle(context: MapContext, on: dt.date, span: dt.timedelta | None) -> str:
    parts = [f"Control on {on.isoformat()}"]
    if not context.geographic:
        parts.append("schematic (no coordinates)")
    if context.data.by == "bloc":
        parts.append("by bloc")
    if context.as_of is not None:
        parts.append(f"as known on {context.as_of.isoformat()}")
    if context.roads:
        names = [context.data.roads[r].name or r for r in context.roads]
        parts.append(", ".join(names))
    if span is not None:
        days = span.days
        parts.append("incidents that day" if days == 0 else f"incidents in the {days} days before")
    return " \u00b7 ".join(parts)


def _style_axes(ax: Axes, context: MapContext) -> None:
    ax.set_facecolor(BACKGROUND)
    for spine in ax.spines.values():
        spine.set_color("#AAAAAA")
        spine.set_linewidth(0.6)
    ax.tick_params(labelsize=7.5, colors="#666666", length=2.5)
    if context.geographic:
        ax.xaxis.set_major_formatter(FuncFormatter(_degrees("E", "W")))
        ax.yaxis.set_major_formatter(FuncFormatter(_degrees("N", "S")))
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.grid(True, color="#E6E5E0", linewidth=0.5, zorder=0)
    ax.set_axisbelow(True)


def _degrees(positive: str, negative: str) -> Any:
    def format_tick(value: float, _position: object) -> str:
        hemisphere = positive if value >= 0 else negative
        text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
        return f"{text}\u00b0{hemisphere}"

    return format_tick


def _draw_segments(ax: Axes, context: MapContext, snap: Snapshot, sizes: dict[str, float]) -> None:
    data, pos = context.data, context.positions
    held: list[tuple[list[Point], str]] = []
    unknown: list[list[Point]] = []
    contested: list[tuple[list[Point], str, str]] = []
    fronts: list[Point] = []
    for segment in context.segments:
        start, end = data.segments[segment].ends()
        line = [pos[start], pos[end]]
        state = snap.segments[segment]
        if state.status is Status.HELD and state.controller is not None:
            held.append((line, data.color_of(state.controller)))
        elif state.status is Status.CONTESTED:
            a, b = _sides(snap, data, segment)
            first = data.color_of(a) if a else CONTESTED_COLOR
            second = data.color_of(b) if b else "white"
            contested.append((line, first, second))
            fronts.append(context.midpoint(segment))
        else:
            unknown.append(line)
    if unknown:
        ax.add_collection(
            LineCollection(unknown, colors=UNKNOWN_COLOR, linewidths=sizes["unknown"], zorder=2)
        )
    strong = [line for line, _ in held] + [line for line, _, _ in contested]
    if strong and sizes["spacing"] > 12:
        ax.add_collection(
            LineCollection(strong, colors="white", linewidths=sizes["casing"], zorder=2.5)
        )
    if held:
        ax.add_collection(
            LineCollection(
                [line for line, _ in held],
                colors=[color for _, color in held],
                linewidths=sizes["held"],
                capstyle="round",
                zorder=3,
            )
        )
    if contested:
        dash = max(sizes["held"] * 1.4, 1.5)
        lines = LineCollection(
            [line for line, _, _ in contested],
            colors=[first for _, first, _ in contested],
            linewidths=sizes["held"],
            linestyles=[(0.0, (dash, dash))],
            zorder=3.2,
        )
        lines.set_gapcolor([second for _, _, second in contested])
        ax.add_collection(lines)
        xs, ys = zip(*fronts, strict=True)
        ax.scatter(
            xs,
            ys,
            marker="x",
            s=sizes["front"] ** 2,
            c=CONTESTED_COLOR,
            linewidths=max(sizes["front"] / 4.5, 0.8),
            zorder=4,
            path_effects=HALO,
        )


def _face(data: NetworkData, state: State) -> str:
    if state.status is Status.HELD and state.controller is not None:
        return data.color_of(state.controller)
    if state.status is Status.CONTESTED:
        return "white"
    return UNKNOWN_COLOR


def _draw_places(ax: Axes, context: MapContext, snap: Snapshot, sizes: dict[str, float]) -> None:
    data, pos = context.data, context.positions
    groups: dict[str, list[str]] = defaultdict(list)
    for place in context.places:
        groups[kind_marker(data.places[place].kind)].append(place)
    # Dense maps: no outlines, so that the lines (and their colours) are what one sees.
    edge = 0.7 if sizes["diameter"] > 4 else 0.0
    for marker, members in sorted(groups.items()):
        size = sizes["diameter"] * (1.1 if marker == "s" else 0.95 if marker == "o" else 1.0)
        ax.scatter(
            [pos[p][0] for p in members],
            [pos[p][1] for p in members],
            marker=marker,
            s=size**2,
            c=[_face(data, snap.places[p]) for p in members],
            edgecolors="#222222",
            linewidths=edge,
            zorder=5,
        )
    contested = [p for p in context.places if snap.places[p].status is Status.CONTESTED]
    if contested:
        ax.scatter(
            [pos[p][0] for p in contested],
            [pos[p][1] for p in contested],
            marker="x",
            s=(sizes["diameter"] * 0.55) ** 2,
            c=CONTESTED_COLOR,
            linewidths=max(sizes["diameter"] / 7, 0.6),
            zorder=5.5,
        )
    # Without any coordinates the whole map is schematic (the subtitle says so).
    estimated = [p for p in context.places if p in context.estimated and context.geographic]
    if estimated:
        ax.scatter(
            [pos[p][0] for p in estimated],
            [pos[p][1] for p in estimated],
            marker="o",
            s=(sizes["diameter"] * 1.9) ** 2,
            facecolors="none",
            edgecolors="#555555",
            linewidths=0.7,
            linestyles=(0, (1.5, 1.5)),
            zorder=4.8,
        )


def _draw_incidents(
    ax: Axes,
    context: MapContext,
    on: dt.date,
    incidents: Sequence[Incident],
    span: dt.timedelta | None,
    sizes: dict[str, float],
) -> list[tuple[Point, Point]]:
    """Incident markers up and to the left of where they happened, older ones fainter.
    Returns each marker's anchor and offset in points (for the labels to avoid)."""
    per_anchor: dict[Point, int] = defaultdict(int)
    spots: list[tuple[Point, Point]] = []
    size = sizes["incident"]
    for incident in incidents:
        anchor = context.anchor_of(incident)
        if anchor is None:
            continue
        slot = per_anchor[anchor]
        per_anchor[anchor] += 1
        offset = (
            -(sizes["diameter"] / 2 + size * 0.6 + slot * size * 1.1),
            sizes["diameter"] / 2 + size * 0.55,
        )
        age = (on - incident.date).days
        days = span.days if span is not None else 0
        alpha = 1.0 if days <= 0 else 1.0 - 0.6 * min(max(age, 0) / days, 1.0)
        style = incident_style(incident.kind, size)
        ax.scatter(
            [anchor[0]],
            [anchor[1]],
            marker=style["marker"],
            s=style["size"] ** 2,
            c=INCIDENT_COLOR,
            edgecolors=style["edgecolor"],
            linewidths=style["edgewidth"],
            alpha=alpha,
            zorder=6,
            transform=offset_points(ax, offset[0], offset[1]),
        )
        spots.append((anchor, offset))
    return spots


def _draw_place_labels(
    ax: Axes,
    context: MapContext,
    sizes: dict[str, float],
    incident_spots: Sequence[tuple[Point, Point]],
    keep_clear: Sequence[tuple[Point, float]],
) -> None:
    if context.labels is None:
        context.labels = _layout_place_labels(ax, context, sizes, incident_spots, keep_clear)
    draw_labels(ax, context.labels, text_style={"path_effects": HALO, "color": "#111111"})


def _layout_place_labels(
    ax: Axes,
    context: MapContext,
    sizes: dict[str, float],
    incident_spots: Sequence[tuple[Point, Point]],
    keep_clear: Sequence[tuple[Point, float]],
) -> list[PlacedLabel]:
    data, pos = context.data, context.positions
    degree: dict[str, int] = defaultdict(int)
    for segment in context.segments:
        for place in data.segments[segment].ends():
            degree[place] += 1
    crowded = len(context.places) > LABEL_ALL_UP_TO
    candidates = []
    for place in context.places:
        record = data.places[place]
        town = (record.kind or "").lower() in ("town", "city")
        priority = (3.0 if town else 1.0) + min(degree[place], 10) * 0.05
        candidates.append(
            Label(
                text=record.name or place,
                xy=pos[place],
                priority=priority,
                fontsize=8.5 if town else 7.5,
                bold=town,
                marker_radius=sizes["diameter"] / 2 + 0.5,
            )
        )
    if crowded:
        candidates.sort(key=lambda c: (-c.priority, c.text))
        candidates = candidates[: LABELS_WHEN_CROWDED * 3]
    figure = ax.get_figure()
    assert figure is not None
    to_px, from_px = ax.transData.transform, ax.transData.inverted().transform
    px = figure.dpi / 72
    obstacles: list[tuple[Point, float]] = list(keep_clear)
    for anchor, (dx, dy) in incident_spots:
        x, y = to_px(anchor)
        spot = from_px((x + dx * px, y + dy * px))
        obstacles.append(((float(spot[0]), float(spot[1])), sizes["incident"] / 2 + 0.5))
    if not crowded:
        obstacles.extend((context.midpoint(s), sizes["held"] * 1.2) for s in context.segments)
    placed = layout_labels(ax, candidates, obstacles=obstacles, drop_overlapping=crowded)
    return placed[:LABELS_WHEN_CROWDED] if crowded else placed


def _draw_scale_bar(ax: Axes, context: MapContext) -> list[tuple[Point, float]]:
    """A scale bar in whichever bottom corner has fewer places; returns the spots it
    covers (for the labels to avoid)."""
    x0, x1, y0, y1 = context.extent
    middle = math.radians((y0 + y1) / 2)
    km_per_degree = 111.32 * max(math.cos(middle), 0.05)
    target = (x1 - x0) * km_per_degree / 5
    magnitude = 10 ** math.floor(math.log10(target))
    length_km = max(n * magnitude for n in (1, 2, 5) if n * magnitude <= target)
    length = length_km / km_per_degree
    y = y0 + (y1 - y0) * 0.035
    corners = [x0 + (x1 - x0) * 0.035, x1 - (x1 - x0) * 0.035 - length]

    def crowding(x: float) -> int:
        return sum(
            1
            for p in context.places
            if x - length * 0.2 <= context.positions[p][0] <= x + length * 1.2
            and context.positions[p][1] <= y + (y1 - y0) * 0.08
        )

    x = min(corners, key=crowding)
    tick = (y1 - y0) * 0.008
    ax.add_line(
        Line2D(
            [x, x, x + length, x + length],
            [y + tick, y, y, y + tick],
            color="#333333",
            linewidth=1.2,
            zorder=8,
            path_effects=HALO,
        )
    )
    ax.annotate(
        f"{length_km:g} km",
        xy=(x + length / 2, y),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=7.5,
        color="#333333",
        zorder=8,
        path_effects=HALO,
    )
    return [((x + length * k / 4, y + tick), 7.0) for k in range(5)]


def _draw_legend(
    ax: Axes,
    context: MapContext,
    controllers: set[str],
    incident_kinds: set[str],
    span: dt.timedelta | None,
    sizes: dict[str, float],
) -> None:
    data = context.data
    ordered = sorted(controllers, key=lambda c: (data.label_of(c).lower(), c))
    control: list[tuple[Any, str]] = [
        (held_handle(data.color_of(c)), data.label_of(c)) for c in ordered
    ]
    control.append((contested_handle(), "contested (dashes: both sides)"))
    control.append((unknown_handle(), "unknown"))
    present = set()
    for place in context.places:
        kind = (data.places[place].kind or "").strip().lower()
        present.add(kind if kind in KIND_MARKERS else "other")
    order = [*KIND_MARKERS, "other"]
    place_entries: list[tuple[Any, str]] = [
        (marker_handle(kind_marker(kind)), kind) for kind in order if kind in present
    ]
    if context.geographic and any(p in context.estimated for p in context.places):
        place_entries.append(
            (
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=11,
                    markerfacecolor="none",
                    markeredgecolor="#555555",
                    markeredgewidth=0.7,
                ),
                "position estimated",
            )
        )
    sections: list[tuple[str, list[tuple[Any, str]]]] = [
        ("Held by" + (" (bloc or party)" if data.by == "bloc" else ""), control),
        ("Places", place_entries),
    ]
    if span is not None:
        days = span.days
        heading = "Incidents that day" if days == 0 else f"Incidents, {days} days before"
        entries = [(incident_handle(k), k) for k in sorted(incident_kinds)] or [
            (Line2D([], [], linestyle="none"), "none reported")
        ]
        sections.append((heading, entries))
    outside_legend(ax, sections)


# -- the public function ----------------------------------------------------------------


def plot_map(
    model: Model,
    on: DateLike,
    *,
    by: str = "party",
    as_of: DateLike | None = None,
    roads: Iterable[str] | None = None,
    incidents: SpanLike | None = None,
    labels: bool = True,
    legend: bool = True,
    title: str | None = None,
    subtitle: bool = True,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Map who held every place and segment on a day.

    Parameters
    ----------
    model
        The model to read.
    on
        The day to map (``date`` or ``YYYY-MM-DD``).
    by
        ``"party"``, or ``"bloc"`` to colour each party as its bloc on the day.
    as_of
        Map the data as it stood then (events recorded on or before it).
    roads
        Ids, names or aliases of roads to show; the rest of the network is drawn
        faintly behind them. Default: the whole network.
    incidents
        Also mark incidents dated from ``on - incidents`` to ``on`` (a ``timedelta``,
        a number of days, or ``"14d"``/``"2w"``); older ones are drawn fainter.
    labels
        Label places (all of them up to 100 places, else the most important).
    legend
        Draw the legend to the right of the map.
    title
        Replaces the dataset name as the title.
    subtitle
        Say under the title what is shown (the day, the view, the roads, the window).
    ax
        Draw into this axes (of any figure) instead of a new figure; small multiples are
        several calls, each with an axes of one figure.

    Returns
    -------
    (Figure, Axes)
        The figure and the axes drawn on. Nothing is shown or saved.

    Examples
    --------
    >>> import control_graph as cg
    >>> from control_graph.plot import plot_map
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> fig, ax = plot_map(model, "2026-02-06", incidents="14d")
    >>> ax.get_title(loc="left")
    'Kachin State: Hpakant, Indawgyi, Waingmaw and Bhamo, early 2026 (sample)'
    """
    day = to_day(on, "on")
    span = None if incidents is None else parse_span(incidents, "incidents")
    context = prepare_map(model, by=by, as_of=as_of, roads=roads)
    found = [
        incident
        for incident in (
            read_incidents(model, day - span, day, context.as_of) if span is not None else []
        )
        if context.anchor_of(incident) is not None
    ]
    own_figure = ax is None
    if ax is None:
        fig, ax = map_figure(context)
    else:
        parent = ax.get_figure()
        if not isinstance(parent, Figure):
            raise InvalidArgumentError("ax must belong to a figure")
        fig = parent
    draw_map(
        context,
        ax,
        day,
        incidents=found,
        incident_span=span,
        labels=labels,
        legend=legend,
        title=title,
        subtitle=subtitle,
    )
    if own_figure:
        fit_figure(fig)
    return fig, ax
