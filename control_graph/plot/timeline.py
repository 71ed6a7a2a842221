"""Timelines: who held an element, day by day, as a Gantt chart.

A road gets one row per segment in road order, labelled by the places it joins
("Hpakant \u2013 Seng Tawng"); a segment or a place gets one row. Bars are coloured by the
party (or bloc) holding it; contested stretches are hatched, unknown ones grey, and the
days before anything is known are left blank. Incidents are marked on their row.

How sure each stretch is (:mod:`~control_graph.plot.marks`): where rough dates allow
another state the bar is hatched the other way in that state's colour; a disputed
stretch is framed in black with a "?" badge; under a segment's bar a black line with a
symbol at its start shows each stretch of blocked, fire-control, taxed or restricted
access.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from control_graph.errors import InvalidArgumentError
from control_graph.model.access import AccessState
from control_graph.model.records import Incident, Target
from control_graph.model.states import Status
from control_graph.model.timeline import Interval
from control_graph.plot.colors import CONTESTED_COLOR, UNKNOWN_COLOR
from control_graph.plot.data import (
    DateLike,
    NetworkData,
    Trust,
    latest_change,
    load_network,
    read_incidents,
    source_line,
    to_day,
    trust_notes,
)
from control_graph.plot.fonts import font_families, with_script_fonts
from control_graph.plot.furniture import draw_source_line
from control_graph.plot.marks import (
    ACCESS_DRAWN,
    INK,
    UNCERTAIN_HATCH,
    MarksUsed,
    draw_access_marks,
    draw_dispute_badge,
    state_color,
    trust_sections,
)
from control_graph.plot.style import (
    HALO,
    INCIDENT_COLOR,
    axes_and_figure,
    date_axis,
    date_number,
    fit_figure,
    hatched_patch,
    incident_handle,
    incident_legend,
    incident_style,
    new_axes,
    offset_points,
    outside_legend,
)
from control_graph.webmap.trust import Span, access_changes, disputed_spans

if TYPE_CHECKING:
    from control_graph.query import Model

__all__ = ["plot_timeline"]

_ROW_HEIGHT = 0.62
_ONE_DAY = dt.timedelta(days=1)


def _rows(data: NetworkData, kind: str, ident: str) -> list[tuple[str, str]]:
    """``(element id, row label)`` for each row, top to bottom."""
    if kind == "road":
        return [(s, data.segment_label(s)) for s in data.roads[ident].segments]
    if kind == "segment":
        return [(ident, data.segment_label(ident))]
    return [(ident, data.place_name(ident))]


def _incident_rows(
    data: NetworkData, kind: str, ident: str, rows: Sequence[str], incident: Incident
) -> list[int]:
    """The rows an incident belongs on: an incident at a place goes on the rows of the
    segments that reach it, one on a road on every row of that road."""
    target = incident.target_id
    if incident.target is Target.ROAD:
        road = data.roads.get(target)
        hit = set(road.segments) if road else set()
        return [i for i, row in enumerate(rows) if row in hit]
    if incident.target is Target.SEGMENT:
        return [i for i, row in enumerate(rows) if row == target]
    if kind == "place":
        return [0] if target == ident else []
    return [i for i, row in enumerate(rows) if target in data.segments[row].ends()]


@with_script_fonts
def plot_timeline(
    model: Model,
    element: str,
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    as_of: DateLike | None = None,
    by: str = "party",
    incidents: bool = True,
    title: str | None = None,
    min_confidence: str | None = None,
    independent_only: bool = False,
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """A Gantt chart of who held a road (one row per segment), a segment or a place,
    and how sure each stretch is: hatched where rough dates allow another state,
    framed with a "?" where disputed, and each segment's access under its bar.

    Parameters
    ----------
    model
        The model to read.
    element
        Id, name or alias of a road, segment or place.
    start, end
        The days to show (both inclusive); default from the first day anything on the
        chart is known to a little after the last change or incident.
    as_of
        Chart the data as it stood then (events recorded on or before it).
    by
        ``"party"``, or ``"bloc"`` to colour each party as its bloc at the time.
    incidents
        Mark incidents on the rows they concern.
    title
        Replaces the element's name as the title.
    min_confidence
        Ignore reports (events, incidents, access records) below this confidence:
        ``"low"``, ``"medium"`` or ``"high"``; a report without one counts as medium.
    independent_only
        Ignore every report that is a side's own claim (has a ``claimant``).
    ax
        Draw into this axes instead of a new figure.

    Returns
    -------
    (Figure, Axes)

    Examples
    --------
    >>> import control_graph as cg
    >>> from control_graph.plot import plot_timeline
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> fig, ax = plot_timeline(model, "Gwaykhar Road")
    >>> [t.get_text().replace("\u2013", "-") for t in ax.get_yticklabels()][:2]
    ['Hpakant - Seng Tawng', 'Seng Tawng - Hepu']
    """
    start_day = None if start is None else to_day(start, "from")
    end_day = None if end is None else to_day(end, "to")
    if start_day is not None and end_day is not None and end_day < start_day:
        raise InvalidArgumentError(f"--to {end_day} is before --from {start_day}")
    as_of_day = None if as_of is None else to_day(as_of, "as_of")
    kind, ident = model.resolve(element)
    data = load_network(model, by=by)
    trust = Trust(min_confidence, bool(independent_only))
    history = model.history(
        as_of=as_of_day, min_confidence=min_confidence, independent_only=trust.independent_only
    )
    engine = history.timeline
    rows = _rows(data, kind, ident)
    spans = [engine.intervals(row, start=start_day, end=end_day, by=data.by) for row, _ in rows]
    row_ids = [row for row, _ in rows]
    disputes = [disputed_spans(engine, row, own=False) for row in row_ids]
    access: dict[str, list[tuple[dt.date, AccessState]]] = {}
    if history.access and kind != "place":
        # Every access record's day is a day a segment's access may change on.
        roads = {road: record.segments for road, record in data.roads.items()}
        access = access_changes(history.access, model.dataset().access, roads)
    marks: list[tuple[int, Incident]] = []
    if incidents:
        for incident in read_incidents(
            model, start_day or dt.date.min, end_day or dt.date.max, as_of_day, trust
        ):
            marks.extend(
                (i, incident) for i in _incident_rows(data, kind, ident, row_ids, incident)
            )

    lo, hi = _window(spans, marks, start_day, end_day)
    own_figure = ax is None
    height = max(1.4, len(rows) * 0.42 + 0.4)
    fig, ax = axes_and_figure(ax, lambda: new_axes((13.0, height + 1.8), (2.6, 0.75, 7.2, height)))

    controllers = _draw_bars(ax, data, spans, lo, hi)
    used = _draw_trust(ax, data, spans, disputes, [access.get(r, []) for r in row_ids], lo, hi)
    kinds = _draw_incidents(ax, marks)
    _style(ax, rows, lo, hi)
    name = data.element_name(kind, ident)
    what = "who held each segment" if kind == "road" else "who held it"
    ax.set_title(
        title or f"{name} \u2014 {what}",
        loc="left",
        fontsize=11.5,
        fontweight="bold",
        fontfamily=font_families(),
        pad=20,
    )
    notes = [data.name or ""]
    if data.by == "bloc":
        notes.append("by bloc")
    if as_of_day is not None:
        notes.append(f"as known on {as_of_day.isoformat()}")
    notes += trust_notes(trust)
    latest = latest_change(engine, row_ids, data.by)
    draw_source_line(ax, source_line(data, as_of=as_of_day, latest=latest), below=30)
    ax.annotate(
        " \u00b7 ".join(n for n in notes if n),
        xy=(0, 1),
        xycoords="axes fraction",
        xytext=(0, 6),
        textcoords="offset points",
        va="bottom",
        fontsize=8.5,
        color="#444444",
    )
    if not any(spans):
        ax.text(
            0.5,
            0.5,
            "never known in this window",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#666666",
            fontsize=9,
        )
    _legend(ax, data, controllers, kinds, used)
    if own_figure:
        fit_figure(fig)
    return fig, ax


def _window(
    spans: Sequence[Sequence[Interval]],
    marks: Sequence[tuple[int, Incident]],
    start: dt.date | None,
    end: dt.date | None,
) -> tuple[dt.date, dt.date]:
    """The first day shown and the day after the last (``[lo, hi)``)."""
    days = [i.start for row in spans for i in row]
    days += [i.end for row in spans for i in row if i.end is not None]
    days += [incident.date for _, incident in marks]
    lo = start or (min(days) if days else None)
    last = end or (max(days) if days else None)
    if lo is None and last is None:
        today = dt.date.today()
        lo, last = today - dt.timedelta(days=30), today
    elif lo is None:
        assert last is not None
        lo = last - dt.timedelta(days=30)
    elif last is None:
        last = lo + dt.timedelta(days=30)
    assert lo is not None and last is not None
    if end is None:
        last += max(dt.timedelta(days=(last - lo).days // 25), dt.timedelta(days=3))
    if start is None:
        lo -= max(dt.timedelta(days=(last - lo).days // 60), _ONE_DAY)
    return lo, max(last + _ONE_DAY, lo + _ONE_DAY)


def _draw_bars(
    ax: Axes, data: NetworkData, spans: Sequence[Sequence[Interval]], lo: dt.date, hi: dt.date
) -> set[str]:
    controllers: set[str] = set()
    for row, intervals in enumerate(spans):
        for interval in intervals:
            begin = max(interval.start, lo)
            finish = min(interval.end or hi, hi)
            if finish <= begin:
                continue
            left = date_number(begin)
            width = date_number(finish) - left
            state = interval.state
            style: dict[str, Any]
            if state.status is Status.HELD and state.controller is not None:
                controllers.add(state.controller)
                style = {"color": data.color_of(state.controller), "edgecolor": "white"}
            elif state.status is Status.CONTESTED:
                style = {"color": "white", "edgecolor": CONTESTED_COLOR, "hatch": "////"}
            else:
                style = {"color": UNKNOWN_COLOR, "edgecolor": "white"}
            ax.barh(row, width, left=left, height=_ROW_HEIGHT, linewidth=0.6, zorder=2, **style)
            if interval.end is None and finish >= hi:
                ax.plot(
                    [date_number(hi)],
                    [row],
                    marker=">",
                    markersize=5,
                    color="#555555",
                    zorder=3,
                    clip_on=False,
                )
    return controllers


def _overlaps(start: dt.date, end: dt.date | None, lo: dt.date, hi: dt.date) -> bool:
    return start < hi and (end is None or end > lo)


def _draw_trust(
    ax: Axes,
    data: NetworkData,
    spans: Sequence[Sequence[Interval]],
    disputes: Sequence[Sequence[Span]],
    access: Sequence[Sequence[tuple[dt.date, AccessState]]],
    lo: dt.date,
    hi: dt.date,
) -> MarksUsed:
    """Hatching over uncertain stretches, a frame and a "?" round disputed ones, and
    each access stretch under its bar; returns the marks drawn (for the legend)."""
    otherwise = set()
    for row, intervals in enumerate(spans):
        for interval in intervals:
            if interval.otherwise is None or not _overlaps(interval.start, interval.end, lo, hi):
                continue
            otherwise.add(interval.otherwise)
            left, right = _clipped(interval.start, interval.end, lo, hi)
            ax.barh(
                row,
                right - left,
                left=left,
                height=_ROW_HEIGHT,
                facecolor="none",
                edgecolor="none",
                linewidth=0,
                hatch=UNCERTAIN_HATCH,
                hatchcolor=state_color(data, interval.otherwise),
                hatch_linewidth=1.8,
                zorder=2.2,
            )
    disputed = False
    for row, found in enumerate(disputes):
        for start, end in found:
            if not _overlaps(start, end, lo, hi):
                continue
            disputed = True
            left, right = _clipped(start, end, lo, hi)
            ax.add_patch(
                Rectangle(
                    (left, row - _ROW_HEIGHT / 2),
                    right - left,
                    _ROW_HEIGHT,
                    fill=False,
                    edgecolor=INK,
                    linewidth=1.4,
                    zorder=3.5,
                    path_effects=HALO,
                )
            )
            draw_dispute_badge(ax, (left, row - _ROW_HEIGHT / 2), 9.0, offset=(5.0, 0.0))
    levels = set()
    for row, changes in enumerate(access):
        y = row + _ROW_HEIGHT / 2 + 0.14
        for i, (start, state) in enumerate(changes):
            end = changes[i + 1][0] if i + 1 < len(changes) else None
            if state.access not in ACCESS_DRAWN or not _overlaps(start, end, lo, hi):
                continue
            levels.add(state.access)
            left, right = _clipped(start, end, lo, hi)
            blocked = state.access is ACCESS_DRAWN[0]
            ax.plot(
                [left, right],
                [y, y],
                color=INK,
                linewidth=2.6 if blocked else 1.1,
                solid_capstyle="butt",
                zorder=3.6,
                clip_on=False,
            )
            draw_access_marks(ax, [(left, y)], state.access, 7.0, zorder=3.7)
    return MarksUsed(frozenset(otherwise), disputed, frozenset(levels))


def _clipped(start: dt.date, end: dt.date | None, lo: dt.date, hi: dt.date) -> tuple[float, float]:
    """The stretch's left and right ends on the axis, cut to the days shown."""
    return date_number(max(start, lo)), date_number(min(end or hi, hi))


def _draw_incidents(ax: Axes, marks: Sequence[tuple[int, Incident]]) -> set[str]:
    """Incident markers on the top edge of their row; several on one day side by side."""
    kinds: set[str] = set()
    stacked: dict[tuple[int, dt.date], int] = defaultdict(int)
    for row, incident in marks:
        kind = incident.kind or "incident"
        kinds.add(kind)
        slot = stacked[(row, incident.date)]
        stacked[(row, incident.date)] += 1
        style = incident_style(kind, 8.5)
        ax.plot(
            [date_number(incident.date) + 0.5],
            [row - _ROW_HEIGHT / 2],
            marker=style["marker"],
            markersize=style["size"],
            markerfacecolor=INCIDENT_COLOR,
            markeredgecolor=style["edgecolor"],
            markeredgewidth=style["edgewidth"],
            linestyle="none",
            zorder=5,
            clip_on=False,
            transform=offset_points(ax, slot * 8.0, 0),
        )
    return kinds


def _style(ax: Axes, rows: Sequence[tuple[str, str]], lo: dt.date, hi: dt.date) -> None:
    ax.set_yticks(
        range(len(rows)), [label for _, label in rows], fontsize=8.5, fontfamily=font_families()
    )
    ax.set_ylim(len(rows) - 0.5, -0.5 - 0.25)
    ax.set_xlim(date_number(lo), date_number(hi))
    date_axis(ax.xaxis, lo, hi - _ONE_DAY)
    ax.tick_params(axis="x", labelsize=8, colors="#444444")
    ax.tick_params(axis="y", length=0)
    ax.grid(True, axis="x", color="#E3E3E3", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#999999")


def _legend(
    ax: Axes, data: NetworkData, controllers: set[str], kinds: set[str], used: MarksUsed
) -> None:
    ordered = sorted(controllers, key=lambda c: (data.label_of(c).lower(), c))
    control: list[tuple[Any, str]] = []
    for controller in ordered:
        control.append((_patch(data.color_of(controller)), data.label_of(controller)))
    control.append((hatched_patch(), "contested"))
    control.append((_patch(UNKNOWN_COLOR), "unknown"))
    incident_entries: list[tuple[Any, str]] = [
        (incident_handle(kind), label) for kind, label in incident_legend(kinds)
    ]
    outside_legend(
        ax,
        [
            ("Held by" + (" (bloc or party)" if data.by == "bloc" else ""), control),
            *trust_sections(data, used, timeline=True),
            ("Incidents", incident_entries),
        ],
    )


def _patch(color: str) -> Patch:
    return Patch(facecolor=color, edgecolor="white")
