"""Maps: every place and segment on one day, coloured by who held it, over the
geography of the area.

Places sit at their coordinates (``x`` = longitude, ``y`` = latitude, drawn with an
aspect of ``1 / cos(latitude)`` so distances look right) over land, sea, coastlines,
borders and state boundaries from Natural Earth; places without coordinates are placed
near their neighbours and marked as estimated. What is drawn where lives in
:mod:`~control_graph.plot.context` (the shared setup), :mod:`~control_graph.plot.basemap`
(the geography), :mod:`~control_graph.plot.network` (segments, places, incidents),
:mod:`~control_graph.plot.labels` and :mod:`~control_graph.plot.furniture`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from control_graph.geography import ATTRIBUTION
from control_graph.model.records import Incident
from control_graph.plot.basemap import draw_area_names, draw_geography, draw_inset, needs_inset
from control_graph.plot.context import MapContext, map_figure, prepare_map
from control_graph.plot.data import (
    DateLike,
    Snapshot,
    SpanLike,
    parse_span,
    read_incidents,
    source_line,
    to_day,
)
from control_graph.plot.fonts import with_script_fonts
from control_graph.plot.furniture import (
    Section,
    draw_legend,
    draw_scale_bar,
    draw_source_line,
    draw_titles,
    style_axes,
)
from control_graph.plot.labels import Label, PlacedLabel, draw_labels, layout_labels
from control_graph.plot.marks import MarksUsed, draw_map_marks, marks_used
from control_graph.plot.network import (
    Spot,
    draw_context_segments,
    draw_incidents,
    draw_places,
    draw_road_names,
    draw_segments,
    map_sizes,
)
from control_graph.plot.style import HALO, axes_and_figure, figure_of, fit_figure, kind_marker

if TYPE_CHECKING:
    from control_graph.query.reading import MapReading

__all__ = ["MapContext", "draw_map", "plot_map", "prepare_map"]

#: Above this many places only towns and bases are labelled, and only where free.
LABEL_ALL_UP_TO = 100
LABELS_WHEN_CROWDED = 40
#: Which places are labelled first: towns, then bases, villages, checkpoints, the rest.
_RANK = {"s": 4.0, "p": 3.0, "o": 2.0, "^": 2.0}


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
    legend_marks: MarksUsed | None = None,
    legend_extra: Sequence[Section] = (),
    title: str | None = None,
    subtitle: bool = True,
    source: bool | None = None,
    inset: bool | None = None,
) -> Snapshot:
    """Draw the map of ``on`` into ``ax`` (which should be empty) and return the state
    drawn. Lower level than :func:`plot_map`: it reads nothing from the database, so an
    animation calls it once per frame. ``legend_incident_kinds`` fixes the incident
    kinds listed (default: those of ``incidents``), ``legend_marks`` the trust marks
    (default: those drawn); ``legend_extra`` adds sections; ``source`` (default: with
    the legend) writes the source line under the map; ``inset`` draws the locator map
    (default: with the legend, for small areas)."""
    data = context.data
    snap = context.snapshot(on)
    x0, x1, y0, y1 = context.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(context.aspect, adjustable="box")
    if not context.sizes:
        context.sizes = map_sizes(context, ax)
    sizes = context.sizes
    style_axes(ax, context)
    draw_geography(ax, context, sizes)
    draw_context_segments(ax, context, sizes)
    draw_segments(ax, context, snap, sizes)
    place_spots = draw_places(ax, context, snap, sizes)
    obstacles = draw_map_marks(ax, data, context.positions, snap, sizes)
    obstacles += draw_incidents(ax, context, on, incidents, incident_span, sizes)
    if context.geographic:
        obstacles += draw_scale_bar(ax, context)
    obstacles += draw_road_names(ax, context)
    drawn = []
    if labels:
        if context.labels is None:
            context.labels = _layout_place_labels(ax, context, sizes, place_spots, obstacles)
        drawn = draw_labels(ax, context.labels, text_style={"path_effects": HALO})
    draw_titles(ax, context, on, incident_span, title, subtitle=subtitle)
    if legend if source is None else source:
        base_map = ATTRIBUTION if context.geography is not None else ""
        latest = context.latest()
        draw_source_line(
            ax, source_line(data, as_of=context.as_of, latest=latest, base_map=base_map)
        )
    bottom = 1.0
    if legend:
        controllers = context.controllers() | snap.controllers()
        kinds = (
            set(legend_incident_kinds)
            if legend_incident_kinds is not None
            else {i.kind or "incident" for i in incidents}
        )
        marks = marks_used(snap) if legend_marks is None else legend_marks
        bottom = draw_legend(
            ax, context, controllers, kinds, incident_span, legend_extra, marks=marks
        )
    if (legend if inset is None else inset) and needs_inset(context):
        figure = figure_of(ax)
        if context.inset is None or context.inset.get_figure(root=True) is not figure:
            context.inset = draw_inset(ax, context, top=bottom - 0.03)
    renderer = figure_of(ax).canvas.get_renderer()  # type: ignore[attr-defined]
    avoid = [text.get_window_extent(renderer) for text in drawn]
    avoid += _spot_boxes(ax, place_spots + obstacles)
    draw_area_names(ax, context, avoid, _segment_lines(ax, context))
    return snap


def _segment_lines(ax: Axes, context: MapContext) -> np.ndarray:
    """Every segment drawn, in display pixels (rows of x0, y0, x1, y1)."""
    ends = [context.data.segments[s].ends() for s in (*context.segments, *context.context)]
    if not ends:
        return np.zeros((0, 4))
    pos = context.positions
    starts = ax.transData.transform(np.array([pos[a] for a, _ in ends], dtype=float))
    stops = ax.transData.transform(np.array([pos[b] for _, b in ends], dtype=float))
    return np.hstack([starts, stops])


def _spot_boxes(ax: Axes, spots: Sequence[Spot]) -> list[Bbox]:
    if not spots:
        return []
    px = figure_of(ax).dpi / 72
    centres = ax.transData.transform(np.array([xy for xy, _ in spots], dtype=float))
    return [
        Bbox.from_extents(x - r * px, y - r * px, x + r * px, y + r * px)
        for (x, y), (_, r) in zip(centres, spots, strict=True)
    ]


def _layout_place_labels(
    ax: Axes,
    context: MapContext,
    sizes: dict[str, float],
    place_spots: Sequence[Spot],
    obstacles: Sequence[Spot],
) -> list[PlacedLabel]:
    data, pos = context.data, context.positions
    degree: dict[str, int] = defaultdict(int)
    for segment in context.segments:
        for place in data.segments[segment].ends():
            degree[place] += 1
    crowded = len(context.places) > LABEL_ALL_UP_TO
    radius = {xy: r for xy, r in place_spots}
    candidates = []
    for place in context.places:
        record = data.places[place]
        marker = kind_marker(record.kind)
        town = marker == "s"
        candidates.append(
            Label(
                text=record.name or place,
                xy=pos[place],
                priority=_RANK.get(marker, 1.0) + min(degree[place], 10) * 0.05,
                fontsize=8.5 if town else 7.5,
                bold=town,
                marker_radius=radius.get(pos[place], sizes["diameter"] / 2),
            )
        )
    candidates.sort(key=lambda c: (-c.priority, c.text))
    if crowded:
        # Only towns and bases: on a crowded map a village's label would be a guess.
        candidates = [c for c in candidates if c.priority >= _RANK["p"]]
        candidates = candidates[: LABELS_WHEN_CROWDED * 3]
    labelled = {c.xy for c in candidates}
    markers = [(xy, r) for xy, r in place_spots if xy not in labelled]
    extra = list(obstacles)
    if not crowded:
        # Keep labels off the middle of segments, where the front-line crosses are.
        extra.extend((context.midpoint(s), sizes["held"] * 1.2) for s in context.segments)
    placed = layout_labels(ax, candidates, markers=markers, obstacles=extra)
    return placed[:LABELS_WHEN_CROWDED] if crowded else placed


@with_script_fonts
def plot_map(
    model: MapReading,
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
    geography: bool = True,
    basemap: str | Path | None = None,
    min_confidence: str | None = None,
    independent_only: bool = False,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Map who held every place and segment on a day, over the geography of the area,
    and how far the data can be trusted there.

    What rough dates leave uncertain is hatched in the colour of the state they also
    allow; a place or segment whose deciding report has a rival claim (within 7 days)
    gets a black "?" badge; blocked, fire-control, taxed and restricted segments get a
    black-and-white symbol on the line. Each is in the legend when the map shows it.

    Parameters
    ----------
    model
        The model to read (or anything that reads what a map needs, see
        :class:`~control_graph.query.reading.MapReading`).
    on
        The day to map (``date`` or ``YYYY-MM-DD``).
    by
        ``"party"``, or ``"bloc"`` to colour each party as its bloc on the day.
    as_of
        Map the data as it stood then (events recorded on or before it).
    roads
        Ids, names or aliases of roads to show, with their names along them; the rest
        of the network is drawn faintly behind them. Default: the whole network.
    incidents
        Also mark incidents dated from ``on - incidents`` to ``on`` (a ``timedelta``,
        a number of days, or ``"14d"``/``"2w"``); older ones are drawn fainter.
    labels
        Label places (all that fit up to 100 places, else the most important ones).
    legend
        Draw the legend to the right of the map (and, for a small area, an inset map
        showing where it is).
    title
        Replaces the dataset name as the title.
    subtitle
        Say under the title what is shown (the day, the view, the roads, the window).
    geography
        Draw land, sea, coastlines, borders and state boundaries (Natural Earth,
        shipped with control-graph) under a map with coordinates.
    basemap
        A file of the analyst's own boundaries to draw as well (GeoJSON; any format
        GDAL reads when pyogrio is installed).
    min_confidence
        Ignore reports (events, incidents, access records) below this confidence:
        ``"low"``, ``"medium"`` or ``"high"``; a report without one counts as medium.
    independent_only
        Ignore every report that is a side's own claim (has a ``claimant``).
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
    context = prepare_map(
        model,
        by=by,
        as_of=as_of,
        roads=roads,
        geography=geography,
        basemap=basemap,
        min_confidence=min_confidence,
        independent_only=independent_only,
    )
    found = [
        incident
        for incident in (
            read_incidents(model, day - span, day, context.as_of, context.trust)
            if span is not None
            else []
        )
        if context.anchor_of(incident) is not None
    ]
    own_figure = ax is None
    fig, ax = axes_and_figure(ax, lambda: map_figure(context))
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
