"""A map's furniture: axes style, title and subtitle, legend, scale bar, source line."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from control_graph.plot.basemap import geography_legend
from control_graph.plot.context import MapContext
from control_graph.plot.data import trust_notes
from control_graph.plot.fonts import font_families
from control_graph.plot.marks import MarksUsed, trust_sections
from control_graph.plot.style import (
    BACKGROUND,
    HALO,
    contested_handle,
    figure_of,
    held_handle,
    incident_handle,
    incident_legend,
    marker_handle,
    outside_legend,
    place_legend,
    unknown_handle,
)

__all__ = [
    "draw_legend",
    "draw_scale_bar",
    "draw_source_line",
    "draw_titles",
    "style_axes",
]

Point = tuple[float, float]
Section = tuple[str, list[tuple[Any, str]]]


def style_axes(ax: Axes, context: MapContext) -> None:
    ax.set_facecolor(BACKGROUND)
    for spine in ax.spines.values():
        spine.set_color("#999999")
        spine.set_linewidth(0.6)
    ax.tick_params(labelsize=7.5, colors="#666666", length=2.5)
    if context.geographic:
        ax.xaxis.set_major_formatter(FuncFormatter(_degrees("E", "W")))
        ax.yaxis.set_major_formatter(FuncFormatter(_degrees("N", "S")))
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.grid(True, color="#D5DDE3" if context.geography else "#E6E5E0", linewidth=0.5)
    ax.set_axisbelow(True)


def _degrees(positive: str, negative: str) -> Any:
    def format_tick(value: float, _position: object) -> str:
        hemisphere = positive if value >= 0 else negative
        text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
        return f"{text}\u00b0{hemisphere}"

    return format_tick


def draw_titles(
    ax: Axes, context: MapContext, on: dt.date, span: dt.timedelta | None, title: str | None,
    *, subtitle: bool,
) -> None:  # fmt: skip
    """The dataset's name (or ``title``) and, under it, what the map shows and when."""
    families = font_families()
    ax.set_title(
        title or context.data.name or "Control",
        loc="left",
        fontsize=11.5,
        fontweight="bold",
        fontfamily=families,
        pad=22 if subtitle else 6,
    )
    if subtitle:
        ax.annotate(
            _subtitle(context, on, span),
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 7),
            textcoords="offset points",
            va="bottom",
            fontsize=9.5,
            fontfamily=families,
            color="#333333",
        )


def _subtitle(context: MapContext, on: dt.date, span: dt.timedelta | None) -> str:
    parts = [f"Control on {on.isoformat()}"]
    if not context.geographic:
        parts.append("schematic (no coordinates)")
    if context.data.by == "bloc":
        parts.append("by bloc")
    if context.as_of is not None:
        parts.append(f"as known on {context.as_of.isoformat()}")
    parts += trust_notes(context.trust)
    if context.roads:
        names = [context.data.roads[r].name or r for r in context.roads]
        parts.append(", ".join(names))
    if span is not None:
        days = span.days
        parts.append("incidents that day" if days == 0 else f"incidents in the {days} days before")
    return " \u00b7 ".join(parts)


def draw_source_line(ax: Axes, text: str, *, below: float = 24.0, size: float = 7.5) -> None:
    """The credit line under the axes, ``below`` points under its bottom edge, broken
    after a ``;`` or ``\u00b7`` where it would run past the axes' right edge."""
    families = font_families()
    renderer: Any = figure_of(ax).canvas.get_renderer()  # type: ignore[attr-defined]
    prop = FontProperties(family=families, size=size)
    ax.apply_aspect()
    lines = [""]
    for piece in re.split(r"(?<=;) |(?= \u00b7 )", text):
        candidate = lines[-1] + (" " if lines[-1].endswith(";") else "") + piece
        width = renderer.get_text_width_height_descent(candidate, prop, ismath=False)[0]
        if lines[-1] and width > ax.bbox.width:
            lines.append(piece.lstrip(" \u00b7"))
        else:
            lines[-1] = candidate
    ax.annotate(
        "\n".join(lines),
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -below),
        textcoords="offset points",
        va="top",
        ha="left",
        fontsize=size,
        fontfamily=families,
        color="#555555",
        annotation_clip=False,
    )


def draw_scale_bar(ax: Axes, context: MapContext) -> list[tuple[Point, float]]:
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


def draw_legend(
    ax: Axes,
    context: MapContext,
    controllers: set[str],
    incident_kinds: set[str],
    span: dt.timedelta | None,
    extra: Sequence[Section] = (),
    *,
    marks: MarksUsed | None = None,
) -> float:
    """The legend to the right of the map; returns its bottom (axes fraction).
    ``marks`` are the trust marks to explain (only those a map draws)."""
    data = context.data
    ordered = sorted(controllers, key=lambda c: (data.label_of(c).lower(), c))
    control: list[tuple[Any, str]] = [
        (held_handle(data.color_of(c)), data.label_of(c)) for c in ordered
    ]
    control.append((contested_handle(), "contested (dashes: both sides)"))
    control.append((unknown_handle(), "unknown"))
    places: list[tuple[Any, str]] = [
        (marker_handle(marker), label)
        for marker, label in place_legend(data.places[p].kind for p in context.places)
    ]
    if context.geographic and any(p in context.estimated for p in context.places):
        ring = Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=11,
            markerfacecolor="none",
            markeredgecolor="#555555",
            markeredgewidth=0.7,
        )
        places.append((ring, "position estimated"))
    sections: list[Section] = [
        ("Held by" + (" (bloc or party)" if data.by == "bloc" else ""), control),
        *(trust_sections(data, marks) if marks is not None else []),
        ("Places", places),
        *extra,
    ]
    if span is not None:
        days = span.days
        heading = "Incidents that day" if days == 0 else f"Incidents, {days} days before"
        entries = [
            (incident_handle(kind), label) for kind, label in incident_legend(incident_kinds)
        ] or [(Line2D([], [], linestyle="none"), "none reported")]
        sections.append((heading, entries))
    lines = geography_legend(context)
    if lines:
        sections.append(("Map", list(lines)))
    legends = outside_legend(ax, sections)
    return _bottom(ax, legends)


def _bottom(ax: Axes, legends: Sequence[Legend]) -> float:
    if not legends:
        return 1.0
    lowest = min(legend.get_window_extent().y0 for legend in legends)
    return float(ax.transAxes.inverted().transform((0, lowest))[1])
