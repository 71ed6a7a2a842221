"""Two maps side by side -- the reported data and a scenario, or two scenarios -- with
what differs between them outlined on both."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from control_graph.plot.context import MapContext, map_size, prepare_map
from control_graph.plot.data import to_day
from control_graph.plot.fonts import font_families, with_script_fonts
from control_graph.plot.map import draw_map
from control_graph.plot.marks import marks_used
from control_graph.plot.style import HALO, figure_of, fit_figure, new_axes
from control_graph.query import DateLike, Model
from control_graph.scenario import compare

__all__ = ["HIGHLIGHT_COLOR", "plot_compare"]

#: The outline around every place and segment whose state differs: black with a white
#: core, a mark no party colour can be taken for (contested is dashed, unknown grey).
HIGHLIGHT_COLOR = "#000000"
#: Between the two maps, room for the right map's latitude labels (inches).
_GAP = 0.75


def _union_extent(first: MapContext, second: MapContext) -> tuple[float, float, float, float]:
    a, b = first.extent, second.extent
    return (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))


def _outline(ax: Axes, context: MapContext, segments: set[str], places: set[str]) -> None:
    pos = context.positions
    sizes = context.sizes
    shown = [s for s in context.segments if s in segments]
    if shown:
        lines = [[pos[a], pos[b]] for a, b in (context.data.segments[s].ends() for s in shown)]
        width = sizes.get("casing", 3.0) + 5.5
        # Under the segments: a black tube with a white core, so the segment's own
        # colour shows inside a black outline.
        for color, extra, zorder in ((HIGHLIGHT_COLOR, 0.0, 1.8), ("white", -2.4, 1.9)):
            ax.add_collection(
                LineCollection(
                    lines,
                    colors=color,
                    linewidths=width + extra,
                    capstyle="round",
                    zorder=zorder,
                )
            )
    marked = [pos[p] for p in context.places if p in places]
    if marked:
        ax.scatter(
            [x for x, _ in marked],
            [y for _, y in marked],
            s=(sizes.get("diameter", 6.0) + 7) ** 2,
            facecolors="none",
            edgecolors=HIGHLIGHT_COLOR,
            linewidths=1.6,
            zorder=4.9,
            path_effects=HALO,
        )


def _legend_entries() -> list[tuple[Any, str]]:
    tube = (
        Line2D([], [], color=HIGHLIGHT_COLOR, linewidth=8.0, solid_capstyle="round"),
        Line2D([], [], color="white", linewidth=5.0, solid_capstyle="round"),
        Line2D([], [], color="#999999", linewidth=2.0),
    )
    ring = Line2D(
        [],
        [],
        linestyle="none",
        marker="o",
        markersize=12,
        markerfacecolor="none",
        markeredgecolor=HIGHLIGHT_COLOR,
        markeredgewidth=1.6,
    )
    return [(tube, "segment that differs"), (ring, "place that differs")]


@with_script_fonts
def plot_compare(
    a: Model,
    b: Model,
    on: DateLike,
    *,
    by: str = "party",
    as_of: DateLike | None = None,
    roads: Iterable[str] | None = None,
    labels: bool = True,
    title: str | None = None,
    axes: tuple[Axes, Axes] | None = None,
) -> tuple[Figure, tuple[Axes, Axes]]:
    """Map ``a`` and ``b`` on one day side by side, outlining what differs.

    Both maps share one extent (a scenario may add places) and one legend; each place
    and segment whose state differs is outlined in black on both.

    Parameters
    ----------
    a, b
        The two sides, e.g. ``model`` and ``model.scenario("bhamo-falls")``.
    on
        The day to map.
    by, as_of, roads, labels
        As for :func:`control_graph.plot.plot_map`.
    title
        A title over both maps (default: what is compared and the number of differences).
    axes
        Two axes to draw into; by default a new figure is made.

    Returns
    -------
    (fig, (ax_a, ax_b))

    Examples
    --------
    >>> import control_graph as cg
    >>> from control_graph.plot import plot_compare
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> what_if = model.scenario("bhamo-falls")
    >>> _ = what_if.add_event("2026-03-01", place="bhamo", party="kia")
    >>> fig, (left, right) = plot_compare(model, what_if, "2026-03-02")
    >>> left.get_title(loc="left"), right.get_title(loc="left")
    ('reported', 'bhamo-falls')
    """
    day = to_day(on, "on")
    road_list = list(roads) if roads else None
    context_a = prepare_map(a, by=by, as_of=as_of, roads=road_list)
    context_b = prepare_map(b, by=by, as_of=as_of, roads=road_list)
    extent = _union_extent(context_a, context_b)
    context_a.set_extent(extent)
    context_b.set_extent(extent)
    own_figure = axes is None
    if axes is None:
        width, height = map_size(context_a, width=6.0, max_height=6.5)
        fig_w, fig_h = 2 * width + _GAP + 6.0, height + 1.8
        fig, ax_a = new_axes((fig_w, fig_h), (0.6, 0.7, width, height))
        left = (0.6 + width + _GAP) / fig_w
        ax_b = fig.add_axes((left, 0.7 / fig_h, width / fig_w, height / fig_h))
    else:
        ax_a, ax_b = axes
        fig = figure_of(ax_a)
    result = compare(a, b, on=day, by=by, as_of=as_of)
    segments = {d.element for d in result.differences if d.type == "segment"}
    places = {d.element for d in result.differences if d.type == "place"}
    # One legend for both: every party either side ever shows.
    shared = context_a.controllers() | context_b.controllers()
    context_a.share_controllers(shared)
    context_b.share_controllers(shared)
    marks = marks_used(context_a.snapshot(day)) | marks_used(context_b.snapshot(day))
    sides = ((context_a, ax_a, a, False), (context_b, ax_b, b, True))
    for context, ax, model, legend in sides:
        draw_map(
            context,
            ax,
            day,
            labels=labels,
            legend=legend,
            legend_marks=marks,
            legend_extra=[("Compared", _legend_entries())],
            title=model.label,
            subtitle=True,
            source=not legend,
        )
        _outline(ax, context, segments, places)
    count = len(result.differences)
    fig.suptitle(
        title
        or f"{a.label} vs {b.label} on {day.isoformat()}: {count} place(s) and "
        f"segment(s) differ (outlined)",
        x=ax_a.get_position().x0,
        ha="left",
        fontsize=12.5,
        fontweight="bold",
        fontfamily=font_families(),
    )
    if own_figure:
        fit_figure(fig)
    return fig, (ax_a, ax_b)
