"""Shared look: marker shapes for place and incident kinds, legend entries, figures.

Figures are made with :class:`matplotlib.figure.Figure` and an Agg canvas, never
through pyplot, so plotting keeps no global state and needs no display.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import Any

from matplotlib import dates as mdates
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation, Transform

from control_graph.errors import InvalidArgumentError
from control_graph.plot.colors import CONTESTED_COLOR, UNKNOWN_COLOR

__all__ = [
    "BACKGROUND",
    "HALO",
    "INCIDENT_COLOR",
    "KIND_MARKERS",
    "PLACE_GROUPS",
    "axes_and_figure",
    "contested_handle",
    "date_axis",
    "date_number",
    "describe_day",
    "figure_of",
    "fit_figure",
    "hatched_patch",
    "held_handle",
    "incident_handle",
    "incident_legend",
    "incident_marker",
    "incident_style",
    "kind_marker",
    "marker_handle",
    "new_axes",
    "offset_points",
    "outside_legend",
    "place_legend",
    "unknown_handle",
]

#: Place kinds in the groups a map tells apart, each with its marker; any other kind is
#: "other". The legend names a group by the kinds of it that the map shows.
PLACE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("s", ("town", "city", "capital")),
    ("p", ("base", "airport", "airbase", "air-base", "airfield", "military-base", "barracks")),
    ("^", ("checkpoint", "gate", "border-crossing", "outpost")),
    ("o", ("village", "hamlet")),
)
OTHER_PLACE_MARKER = "h"
KIND_MARKERS: dict[str, str] = {kind: marker for marker, kinds in PLACE_GROUPS for kind in kinds}


#: Incident kinds by the shape that stands for them; any other kind is a plus.
_INCIDENT_SHAPES: dict[str, tuple[str, ...]] = {
    "v": ("airstrike", "air-strike", "air-raid", "bombing", "drone-strike", "drone"),
    "*": ("clash", "ground-attack", "attack", "fighting", "battle", "ambush", "raid"),
    "d": ("shelling", "artillery", "mortar", "rocket"),
    "$\u2020$": ("casualty", "casualties", "killing", "death", "massacre"),
}
INCIDENT_MARKERS = {kind: shape for shape, kinds in _INCIDENT_SHAPES.items() for kind in kinds}
OTHER_INCIDENT_MARKER = "P"
INCIDENT_COLOR = "#111111"

#: The white outline that keeps text and marks legible over lines and base maps.
HALO_COLOR, HALO_WIDTH = "white", 2.6
HALO = [patheffects.withStroke(linewidth=HALO_WIDTH, foreground=HALO_COLOR)]
BACKGROUND = "#FAFAF7"


def kind_marker(kind: str | None) -> str:
    """The marker for a place kind (``town``, ``village``, ``checkpoint``, ...)."""
    return KIND_MARKERS.get((kind or "").strip().lower(), OTHER_PLACE_MARKER)


def place_legend(kinds: Iterable[str | None]) -> list[tuple[str, str]]:
    """``(marker, label)`` for each marker the given place kinds use, in a fixed order.

    One entry per marker: kinds sharing a marker are named together.

    Examples
    --------
    >>> place_legend(["village", "city", "town", "airport", "bridge", None])
    [('s', 'town / city'), ('p', 'airport'), ('o', 'village'), ('h', 'other (bridge)')]
    """
    present = {(kind or "").strip().lower() for kind in kinds}
    entries = []
    for marker, members in PLACE_GROUPS:
        shown = [kind for kind in members if kind in present]
        if shown:
            entries.append((marker, " / ".join(shown)))
    others = sorted(kind for kind in present if kind not in KIND_MARKERS)
    if others:
        named = [kind for kind in others if kind][:3]
        more = " ..." if len([k for k in others if k]) > 3 else ""
        label = f"other ({', '.join(named)}{more})" if named else "other"
        entries.append((OTHER_PLACE_MARKER, label))
    return entries


def incident_legend(kinds: Iterable[str]) -> list[tuple[str, str]]:
    """``(a kind, label)`` for each incident marker the kinds use: kinds sharing a shape
    are one entry (``"clash / ground-attack"``), so the legend has no twin symbols.

    Examples
    --------
    >>> incident_legend(["ground-attack", "clash", "airstrike"])
    [('airstrike', 'airstrike'), ('clash', 'clash / ground-attack')]
    """
    by_marker: dict[str, list[str]] = {}
    for kind in sorted(set(kinds)):
        by_marker.setdefault(incident_marker(kind), []).append(kind)
    return sorted((members[0], " / ".join(members)) for members in by_marker.values())


def incident_marker(kind: str | None) -> str:
    """The marker for an incident kind (``airstrike``, ``clash``, ...)."""
    return INCIDENT_MARKERS.get((kind or "").strip().lower(), OTHER_INCIDENT_MARKER)


def incident_style(kind: str | None, size: float) -> dict[str, Any]:
    """Marker, size (points) and edge for an incident kind, so that every shape looks
    about as heavy as the others."""
    marker = incident_marker(kind)
    scale = {"*": 1.45, "d": 1.1, "v": 1.0, "P": 0.95}.get(marker, 1.25)
    glyph = marker.startswith("$")
    return {
        "marker": marker,
        "size": size * scale,
        "edgecolor": INCIDENT_COLOR if glyph else "white",
        "edgewidth": 0.4 if glyph else 0.6,
    }


def figure_of(ax: Axes) -> Figure:
    """The figure ``ax`` is drawn in; an error a user can act on when it has none.

    Examples
    --------
    >>> fig, ax = new_axes((4, 3), (0.5, 0.5, 3, 2))
    >>> figure_of(ax) is fig
    True
    """
    figure = ax.get_figure(root=True)
    if not isinstance(figure, Figure):
        raise InvalidArgumentError("ax must belong to a figure")
    return figure


def axes_and_figure(ax: Axes | None, new: Callable[[], tuple[Figure, Axes]]) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure and axes from ``new()`` when ``ax`` is None."""
    return new() if ax is None else (figure_of(ax), ax)


def new_axes(
    figsize: tuple[float, float], rect_inches: tuple[float, float, float, float], dpi: float = 100
) -> tuple[Figure, Axes]:
    """A figure with an Agg canvas and one axes at ``(left, bottom, width, height)``
    inches; :func:`fit_figure` trims it to what is drawn once everything is in place."""
    fig = Figure(figsize=figsize, dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    width, height = figsize
    left, bottom, w, h = rect_inches
    ax = fig.add_axes((left / width, bottom / height, w / width, h / height))
    return fig, ax


def fit_figure(fig: Figure, pad: float = 0.15, *, even_pixels_at: float | None = None) -> None:
    """Resize ``fig`` so that everything drawn fits with ``pad`` inches around it,
    keeping every axes the same size in inches (so labels placed stay placed).

    With ``even_pixels_at`` (a dpi) the size is rounded up to an even number of pixels
    at that dpi, as video encoders need."""
    tight = fig.get_tightbbox()
    if tight is None:
        return
    old_w, old_h = fig.get_size_inches()
    new_w, new_h = tight.width + 2 * pad, tight.height + 2 * pad
    if even_pixels_at:
        new_w = math.ceil(new_w * even_pixels_at / 2) * 2 / even_pixels_at
        new_h = math.ceil(new_h * even_pixels_at / 2) * 2 / even_pixels_at
    for ax in fig.axes:
        box = ax.get_position(original=True)
        left = box.x0 * old_w - tight.x0 + pad
        bottom = box.y0 * old_h - tight.y0 + pad
        ax.set_position(
            (left / new_w, bottom / new_h, box.width * old_w / new_w, box.height * old_h / new_h)
        )
    fig.set_size_inches(new_w, new_h)


def held_handle(color: str, linewidth: float = 3.0) -> Line2D:
    return Line2D([], [], color=color, linewidth=linewidth, solid_capstyle="butt")


def contested_handle(linewidth: float = 3.0) -> Line2D:
    return Line2D(
        [],
        [],
        color=CONTESTED_COLOR,
        gapcolor="white",
        linestyle=(0, (2.5, 1.5)),
        linewidth=linewidth,
        marker="x",
        markersize=6,
        markeredgewidth=1.6,
        markeredgecolor=CONTESTED_COLOR,
    )


def unknown_handle(linewidth: float = 1.6) -> Line2D:
    return Line2D([], [], color=UNKNOWN_COLOR, linewidth=linewidth)


def incident_handle(kind: str) -> Line2D:
    style = incident_style(kind, 8.0)
    return marker_handle(
        style["marker"], face=INCIDENT_COLOR, edge=style["edgecolor"], size=style["size"]
    )


def marker_handle(
    marker: str, *, face: str = "#DDDDDD", edge: str = "#333333", size: float = 7.0
) -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=marker,
        markersize=size,
        markerfacecolor=face,
        markeredgecolor=edge,
        markeredgewidth=0.8,
    )


def hatched_patch() -> Patch:
    return Patch(facecolor="white", edgecolor=CONTESTED_COLOR, hatch="////", linewidth=0.6)


def outside_legend(
    ax: Axes,
    sections: Iterable[tuple[str, Iterable[tuple[Any, str]]]],
    *,
    fontsize: float = 8.5,
    gap: float = 0.12,
    x: float = 1.03,
) -> list[Legend]:
    """Legends to the right of ``ax`` (from ``x`` in axes fractions), one per
    ``(title, entries)`` section, stacked from the top; empty sections are left out."""
    figure = figure_of(ax)
    ax.apply_aspect()
    top = 1.0
    legends: list[Legend] = []
    for title, entries in sections:
        pairs = list(entries)
        if not pairs:
            continue
        legend = Legend(
            ax,
            [h for h, _ in pairs],
            [t for _, t in pairs],
            loc="upper left",
            bbox_to_anchor=(x, top),
            bbox_transform=ax.transAxes,
            borderaxespad=0.0,
            borderpad=0.0,
            frameon=False,
            fontsize=fontsize,
            title=title,
            title_fontproperties={"size": fontsize + 0.5, "weight": "bold"},
            alignment="left",
            handlelength=2.4,
            handletextpad=0.7,
            labelspacing=0.4,
        )
        ax.add_artist(legend)
        # add_artist clips to the axes; these legends sit outside it.
        legend.set_clip_on(False)
        legends.append(legend)
        height = legend.get_window_extent().height
        top -= (height + gap * figure.dpi) / max(ax.bbox.height, 1.0)
    return legends


def date_number(day: dt.date) -> float:
    """A day as matplotlib's date number (days since its epoch), for bar positions."""
    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def date_axis(axis: Axis, first: dt.date, last: dt.date) -> None:
    """Concise, readable date ticks (years where they change), and the days shown,
    ``first`` to ``last`` inclusive, as the axis label."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)  # type: ignore[no-untyped-call]
    axis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
        locator,
        # The first day of a month says its year too, so no offset text is needed.
        zero_formats=["", "%Y", "%b %Y", "%d %b", "%H:%M", "%H:%M"],
        show_offset=False,
    )
    axis.set_major_formatter(formatter)
    axis.set_label_text(
        f"{describe_day(first)} \u2013 {describe_day(last)}", fontsize=8, color="#666666"
    )


def offset_points(ax: Axes, dx: float, dy: float) -> Transform:
    """Data coordinates shifted by ``(dx, dy)`` points on screen."""
    figure = figure_of(ax)
    return ax.transData + ScaledTranslation(dx / 72, dy / 72, figure.dpi_scale_trans)


def describe_day(day: dt.date) -> str:
    """``2026-02-06`` as ``6 February 2026``."""
    return f"{day.day} {day:%B %Y}"
