"""Two maps side by side -- the reported data and a scenario, or two scenarios -- with
what differs between them highlighted on both."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from control_graph.plot.data import to_day
from control_graph.plot.map import MapContext, draw_map, prepare_map
from control_graph.query import DateLike, Model
from control_graph.scenario import compare

__all__ = ["HIGHLIGHT_COLOR", "plot_compare"]

#: The halo behind every place and segment whose state differs (not a party colour).
HIGHLIGHT_COLOR = "#FFE119"


def _union_extent(first: MapContext, second: MapContext) -> tuple[float, float, float, float]:
    a, b = first.extent, second.extent
    return (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))


def _highlight(ax: Axes, context: MapContext, segments: set[str], places: set[str]) -> None:
    pos = context.positions
    shown = [s for s in context.segments if s in segments]
    if shown:
        ends = [context.data.segments[s].ends() for s in shown]
        width = context.sizes.get("casing", 3.0) + 7
        ax.add_collection(
            LineCollection(
                [[pos[a], pos[b]] for a, b in ends],
                colors=HIGHLIGHT_COLOR,
                linewidths=width,
                alpha=0.85,
                capstyle="round",
                zorder=0.5,
            )
        )
    marked = [pos[p] for p in context.places if p in places]
    if marked:
        size = (context.sizes.get("diameter", 6.0) + 9) ** 2
        ax.scatter(
            [x for x, _ in marked],
            [y for _, y in marked],
            s=size,
            color=HIGHLIGHT_COLOR,
            alpha=0.85,
            linewidths=0,
            zorder=0.6,
        )


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
    """Map ``a`` and ``b`` on one day side by side, highlighting what differs.

    Both maps share one extent (a scenario may add places) and one legend; each place
    and segment whose state differs is drawn over a yellow halo on both.

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
    context_a.extent = context_b.extent = _union_extent(context_a, context_b)
    if axes is None:
        fig = Figure(figsize=(17, 8.5), facecolor="white", layout="constrained")
        FigureCanvasAgg(fig)
        ax_a, ax_b = fig.subplots(1, 2)
    else:
        ax_a, ax_b = axes
        owner = ax_a.get_figure()
        assert isinstance(owner, Figure)
        fig = owner
    result = compare(a, b, on=day, by=by, as_of=as_of)
    segments = {d.element for d in result.differences if d.type == "segment"}
    places = {d.element for d in result.differences if d.type == "place"}
    # One legend for both: every party either side ever shows.
    shared: Any = context_a.controllers() | context_b.controllers()
    context_a._controllers = context_b._controllers = shared
    for context, ax, model, legend in ((context_a, ax_a, a, False), (context_b, ax_b, b, True)):
        draw_map(context, ax, day, labels=labels, legend=legend, title=model.label, subtitle=True)
        _highlight(ax, context, segments, places)
    count = len(result.differences)
    fig.suptitle(
        title
        or f"{a.label} vs {b.label} on {day.isoformat()}: {count} place(s) and "
        f"segment(s) differ (highlighted)",
        fontsize=12.5,
        fontweight="bold",
    )
    return fig, (ax_a, ax_b)
