"""Drawing the network of a map: segments, places, incidents and road names.

Segments held by a party are drawn in its colour; contested segments are dashed in the
colours of the two sides (the parties holding their ends, where known) with a
front-line cross at the middle; unknown segments are thin and grey. Places are marked
by kind and filled in their holder's colour.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from control_graph.model.records import Incident
from control_graph.model.states import State, Status
from control_graph.plot.colors import CONTESTED_COLOR, UNKNOWN_COLOR
from control_graph.plot.context import MapContext
from control_graph.plot.data import NetworkData, Snapshot
from control_graph.plot.fonts import font_families
from control_graph.plot.style import (
    HALO,
    HALO_COLOR,
    HALO_WIDTH,
    INCIDENT_COLOR,
    figure_of,
    incident_style,
    kind_marker,
    offset_points,
)

__all__ = [
    "draw_context_segments",
    "draw_incidents",
    "draw_places",
    "draw_road_names",
    "draw_segments",
    "map_sizes",
]

Point = tuple[float, float]
#: Where something is drawn on top of the map, as (centre, radius in points), so that
#: labels keep clear of it.
Spot = tuple[Point, float]


def map_sizes(context: MapContext, ax: Axes) -> dict[str, float]:
    """Marker and line sizes (points) from how densely the places are packed on screen."""
    ax.apply_aspect()
    figure = figure_of(ax)
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


def draw_context_segments(ax: Axes, context: MapContext, sizes: dict[str, float]) -> None:
    """The rest of the network, faint, behind a map of some roads."""
    if not context.context:
        return
    pos, segments = context.positions, context.data.segments
    ax.add_collection(
        LineCollection(
            [[pos[a], pos[b]] for a, b in (segments[s].ends() for s in context.context)],
            colors="#D9D8D2",
            linewidths=sizes["unknown"],
            zorder=1,
        )
    )


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


def draw_segments(ax: Axes, context: MapContext, snap: Snapshot, sizes: dict[str, float]) -> None:
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
        # The white halo is a scatter of its own beneath, not a path effect: with one,
        # matplotlib draws every marker as a separate path (thousands of crosses on a
        # national map took most of a second); without, a marker is stamped at once.
        for color, width, zorder in (
            (HALO_COLOR, HALO_WIDTH, 3.99),
            (CONTESTED_COLOR, max(sizes["front"] / 4.5, 0.8), 4),
        ):
            ax.scatter(
                xs, ys, marker="x", s=sizes["front"] ** 2, c=color, linewidths=width, zorder=zorder
            )


def _face(data: NetworkData, state: State) -> str:
    if state.status is Status.HELD and state.controller is not None:
        return data.color_of(state.controller)
    if state.status is Status.CONTESTED:
        return "white"
    return UNKNOWN_COLOR


def marker_radius(marker: str, sizes: dict[str, float]) -> float:
    """The radius in points of a place marker of this shape (squares look bigger)."""
    scale = 1.1 if marker == "s" else 0.95 if marker == "o" else 1.0
    return sizes["diameter"] * scale / 2


def draw_places(
    ax: Axes, context: MapContext, snap: Snapshot, sizes: dict[str, float]
) -> list[Spot]:
    """The place markers; returns each one's spot (for labels to keep clear of)."""
    data, pos = context.data, context.positions
    groups: dict[str, list[str]] = defaultdict(list)
    for place in context.places:
        groups[kind_marker(data.places[place].kind)].append(place)
    # Dense maps: no outlines, so that the lines (and their colours) are what one sees.
    edge = 0.7 if sizes["diameter"] > 4 else 0.0
    spots: list[Spot] = []
    for marker, members in sorted(groups.items()):
        radius = marker_radius(marker, sizes)
        ax.scatter(
            [pos[p][0] for p in members],
            [pos[p][1] for p in members],
            marker=marker,
            s=(2 * radius) ** 2,
            c=[_face(data, snap.places[p]) for p in members],
            edgecolors="#222222",
            linewidths=edge,
            zorder=5,
        )
        spots.extend((pos[p], radius + edge / 2) for p in members)
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
    return spots


def draw_incidents(
    ax: Axes,
    context: MapContext,
    on: dt.date,
    incidents: Sequence[Incident],
    span: dt.timedelta | None,
    sizes: dict[str, float],
) -> list[Spot]:
    """Incident markers up and to the left of where they happened, older ones fainter.
    Returns each marker's spot (for the labels to avoid)."""
    per_anchor: dict[Point, int] = defaultdict(int)
    spots: list[Spot] = []
    size = sizes["incident"]
    figure = figure_of(ax)
    to_px, from_px = ax.transData.transform, ax.transData.inverted().transform
    px = figure.dpi / 72
    for incident in incidents:
        anchor = context.anchor_of(incident)
        if anchor is None:
            continue
        slot = per_anchor[anchor]
        per_anchor[anchor] += 1
        dx = -(sizes["diameter"] / 2 + size * 0.6 + slot * size * 1.1)
        dy = sizes["diameter"] / 2 + size * 0.55
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
            transform=offset_points(ax, dx, dy),
        )
        x, y = to_px(anchor)
        spot = from_px((x + dx * px, y + dy * px))
        spots.append(((float(spot[0]), float(spot[1])), style["size"] / 2 + 0.5))
    return spots


def draw_road_names(ax: Axes, context: MapContext, fontsize: float = 7.5) -> list[Spot]:
    """Each shown road's name along its longest segment, turned to run with the line
    (never upside down) and set just beside it. Returns the spots the names cover."""
    if not context.roads:
        return []
    casing = context.sizes.get("casing", 3.0)
    ax.apply_aspect()
    figure = figure_of(ax)
    px = figure.dpi / 72
    to_px, from_px = ax.transData.transform, ax.transData.inverted().transform
    pos, data = context.positions, context.data
    families = font_families()
    spots: list[Spot] = []
    for road in context.roads:
        record = data.roads[road]
        name = record.name or road
        ends = [data.segments[s].ends() for s in record.segments if s in data.segments]
        if not ends:
            continue
        start, end = max(
            ((to_px(pos[a]), to_px(pos[b])) for a, b in ends),
            key=lambda pair: float(np.hypot(*(pair[1] - pair[0]))),
        )
        (x0, y0), (x1, y1) = start, end
        angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
        if angle > 90 or angle <= -90:
            angle -= 180 if angle > 90 else -180
        # A third of the way along (the middle is where a front-line cross goes), set
        # beside the line on its upper (or left) side, clear of the line's casing.
        normal = math.radians(angle + 90)
        shift = (fontsize * 0.6 + casing / 2 + 3.0) * px
        cx = x0 + (x1 - x0) / 3 + math.cos(normal) * shift
        cy = y0 + (y1 - y0) / 3 + math.sin(normal) * shift
        centre = from_px((cx, cy))
        ax.text(
            float(centre[0]),
            float(centre[1]),
            name,
            rotation=angle,
            rotation_mode="anchor",
            ha="center",
            va="center",
            fontsize=fontsize,
            fontstyle="italic",
            fontfamily=families,
            color="#444444",
            zorder=6.5,
            path_effects=HALO,
        )
        half = len(name) * fontsize * 0.3 * px
        steps = max(int(half * 2 / (fontsize * px)), 1)
        along = math.radians(angle)
        for k in range(-steps, steps + 1):
            t = half * k / steps
            spot = from_px((cx + math.cos(along) * t, cy + math.sin(along) * t))
            spots.append(((float(spot[0]), float(spot[1])), fontsize * 0.6))
    return spots
