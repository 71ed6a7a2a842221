"""The geography under a map: sea, land, coastlines, borders, state boundaries, the
analyst's own boundaries, names of countries and states, and an inset locator map.

The shipped Natural Earth data comes from :mod:`control_graph.geography`, already
clipped to the map; here it is only drawn, under everything else (zorder below 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from control_graph.geography import Area, Geography, Line, load_geography
from control_graph.plot.context import MapContext
from control_graph.plot.fonts import font_families
from control_graph.plot.labels import segments_hit_box
from control_graph.plot.style import HALO, figure_of

__all__ = [
    "SEA",
    "draw_area_names",
    "draw_geography",
    "draw_inset",
    "geography_legend",
    "needs_inset",
]

SEA = "#DDE8EF"
LAND = "#F7F6F1"
COAST = "#7F9DB5"
BORDER = "#6E6E6E"
ADMIN1 = "#A3A3A3"
BASEMAP = "#8C6D4F"
NAME = "#8F8F8F"
#: Maps narrower than this (degrees of longitude) get an inset locator map.
INSET_BELOW = 4.0

_BORDER_STYLE = (0, (6.0, 1.5, 1.0, 1.5))
_ADMIN1_STYLE = (0, (3.0, 2.0))


def _polygons(areas: Iterable[Area]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Exterior rings, and holes (drawn in the sea's colour over the land)."""
    exteriors: list[np.ndarray] = []
    holes: list[np.ndarray] = []
    for area in areas:
        for polygon in area.polygons:
            exteriors.append(np.asarray(polygon[0]))
            holes.extend(np.asarray(ring) for ring in polygon[1:])
    return exteriors, holes


def _lines(lines: Iterable[Line]) -> list[np.ndarray]:
    return [np.asarray(line.points) for line in lines]


def draw_geography(ax: Axes, context: MapContext, sizes: dict[str, float]) -> None:
    """Sea (the axes' background), land, coastlines, boundaries and the basemap lines."""
    geography = context.geography
    if geography is not None:
        ax.set_facecolor(SEA)
        _draw_land(ax, geography, zorder=0.2)
        width = 0.6 if sizes.get("spacing", 20) > 6 else 0.4
        ax.add_collection(
            LineCollection(
                _lines(geography.admin1_lines),
                colors=ADMIN1,
                linewidths=width,
                linestyles=[_ADMIN1_STYLE],
                zorder=0.6,
            )
        )
        ax.add_collection(
            LineCollection(
                _lines(geography.borders),
                colors=BORDER,
                linewidths=width * 1.8,
                linestyles=[_BORDER_STYLE],
                zorder=0.7,
            )
        )
        ax.add_collection(
            LineCollection(
                _lines(geography.coastlines), colors=COAST, linewidths=width * 1.2, zorder=0.65
            )
        )
    basemap = context.basemap
    if basemap is not None:
        outlines = [np.asarray(ring) for area in basemap.areas for ring in area.rings()]
        outlines += _lines(basemap.lines)
        ax.add_collection(
            LineCollection(outlines, colors=BASEMAP, linewidths=0.7, alpha=0.9, zorder=0.75)
        )


def _draw_land(ax: Axes, geography: Geography, *, zorder: float) -> None:
    exteriors, holes = _polygons(geography.land)
    ax.add_collection(PolyCollection(exteriors, facecolors=LAND, edgecolors="none", zorder=zorder))
    if holes:
        ax.add_collection(
            PolyCollection(holes, facecolors=SEA, edgecolors="none", zorder=zorder + 0.01)
        )


def geography_legend(context: MapContext) -> list[tuple[Line2D, str]]:
    """Legend entries for the lines of the geography drawn."""
    entries: list[tuple[Line2D, str]] = []
    if context.geography is not None:
        geography = context.geography
        if geography.coastlines:
            entries.append((Line2D([], [], color=COAST, linewidth=1.0), "coastline"))
        if geography.borders:
            border = Line2D([], [], color=BORDER, linewidth=1.1, linestyle=_BORDER_STYLE)
            entries.append((border, "international border"))
        if geography.admin1_lines:
            state = Line2D([], [], color=ADMIN1, linewidth=0.8, linestyle=_ADMIN1_STYLE)
            entries.append((state, "state / region boundary"))
    if context.basemap is not None:
        name = context.basemap.source.replace("\\", "/").rsplit("/", 1)[-1]
        entries.append((Line2D([], [], color=BASEMAP, linewidth=0.9), name))
    return entries


def draw_area_names(
    ax: Axes, context: MapContext, avoid: Sequence[Bbox], lines: np.ndarray
) -> None:
    """Names of the countries and states (and basemap areas) on the map, faint, each
    where it overlaps no label or marker already drawn (``avoid``, display boxes) and
    no line of the network (``lines``, display ``x0, y0, x1, y1`` rows); a name that
    does not fit is left out."""
    geography = context.geography
    areas: list[tuple[Area, float, bool]] = []
    if geography is not None:
        areas += [(area, 9.0, True) for area in geography.countries]
        areas += [(area, 7.5, False) for area in geography.admin1]
    if context.basemap is not None:
        areas += [(area, 7.0, False) for area in context.basemap.areas if area.name]
    if not areas:
        return
    figure = figure_of(ax)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    families = font_families()
    taken = list(avoid)
    view = ax.bbox
    seen: set[tuple[str, str]] = set()
    for area, size, country in areas:
        if not area.name or (area.kind, area.name) in seen:
            continue
        seen.add((area.kind, area.name))
        x, y = area.label_point()
        text = ax.text(
            x,
            y,
            area.name.upper() if country else area.name,
            ha="center",
            va="center",
            fontsize=size,
            fontstyle="normal" if country else "italic",
            fontweight="bold" if country else "normal",
            fontfamily=families,
            color=NAME,
            alpha=0.9,
            zorder=0.9,
            clip_on=True,
        )
        box = text.get_window_extent(renderer)
        inside = view.contains(box.x0, box.y0) and view.contains(box.x1, box.y1)
        crossed = bool(
            len(lines) and segments_hit_box(lines, np.array([box.x0, box.y0, box.x1, box.y1])).any()
        )
        if not inside or crossed or any(box.overlaps(other) for other in taken):
            text.remove()
            continue
        taken.append(box)


def needs_inset(context: MapContext) -> bool:
    """Small areas get an inset map that shows where they are."""
    x0, x1, _, _ = context.extent
    return context.geography is not None and x1 - x0 < INSET_BELOW


def draw_inset(ax: Axes, context: MapContext, *, top: float, width: float = 1.9) -> Axes:
    """A locator map ``width`` inches wide, its top ``top`` (axes fraction) at the right
    of ``ax``: the country around the map with the map's area outlined."""
    x0, x1, y0, y1 = context.extent
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max(x1 - x0, y1 - y0, 2.0) * 3.2
    stretch = 1.0 / max(math.cos(math.radians(cy)), 0.05)
    box = (cx - half, cy - half / stretch, cx + half, cy + half / stretch)
    figure = figure_of(ax)
    ax.apply_aspect()
    corner = ax.transAxes.transform((1.03, top))
    fig_w, fig_h = figure.get_size_inches() * figure.dpi
    size = width * figure.dpi
    rect = (corner[0] / fig_w, (corner[1] - size) / fig_h, size / fig_w, size / fig_h)
    inset = figure.add_axes(rect)
    inset.set_xlim(box[0], box[2])
    inset.set_ylim(box[1], box[3])
    inset.set_aspect(stretch, adjustable="datalim")
    inset.set_facecolor(SEA)
    geography = load_geography(box, margin=0.05)
    _draw_land(inset, geography, zorder=0.2)
    inset.add_collection(
        LineCollection(_lines(geography.borders), colors=BORDER, linewidths=0.5, zorder=0.7)
    )
    inset.add_collection(
        LineCollection(_lines(geography.coastlines), colors=COAST, linewidths=0.4, zorder=0.65)
    )
    inset.add_patch(
        Rectangle(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            facecolor="none",
            edgecolor="#C0392B",
            linewidth=1.4,
            zorder=3,
        )
    )
    middle = (cx, cy)
    names = sorted(
        geography.countries,
        key=lambda area: -sum(abs(_area(ring)) for ring in area.rings()),
    )[:4]
    families = font_families()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for area in names:
        x, y = area.label_point()
        if abs(x - middle[0]) < (x1 - x0) and abs(y - middle[1]) < (y1 - y0):
            continue
        name = inset.text(
            x,
            y,
            area.name,
            ha="center",
            va="center",
            fontsize=6.5,
            fontfamily=families,
            color="#555555",
            zorder=2,
            clip_on=True,
            path_effects=HALO,
        )
        inset.apply_aspect()
        drawn, frame = name.get_window_extent(renderer), inset.bbox
        if not (frame.contains(drawn.x0, drawn.y0) and frame.contains(drawn.x1, drawn.y1)):
            name.remove()  # a name cut by the frame reads as another name
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_color("#999999")
        spine.set_linewidth(0.6)
    return inset


def _area(ring: Sequence[tuple[float, float]]) -> float:
    xs = np.asarray([p[0] for p in ring])
    ys = np.asarray([p[1] for p in ring])
    return float(np.dot(xs[:-1], ys[1:]) - np.dot(xs[1:], ys[:-1])) / 2
