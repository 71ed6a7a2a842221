"""Animations: one map per step between two days, written as a GIF (or an MP4 where
ffmpeg is installed). Every frame has the same extent, legend and label positions, so
only the control changes from frame to frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.animation import AbstractMovieWriter, FFMpegWriter, PillowWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from control_graph.errors import InvalidArgumentError
from control_graph.plot.context import map_figure, prepare_map
from control_graph.plot.data import (
    DateLike,
    SpanLike,
    parse_span,
    parse_step,
    read_incidents,
    step_days,
    to_day,
)
from control_graph.plot.files import UnsupportedFormatError, check_format
from control_graph.plot.fonts import with_script_fonts
from control_graph.plot.map import draw_map
from control_graph.plot.marks import marks_used, union
from control_graph.plot.style import axes_and_figure, fit_figure

if TYPE_CHECKING:
    from control_graph.query import Model

__all__ = ["ANIMATION_FORMATS", "animate_map", "frame_days"]

#: Extensions :func:`animate_map` writes.
ANIMATION_FORMATS = {".gif": "gif", ".mp4": "mp4"}
#: More frames than this is almost certainly a mistake (a step of 1 day over decades).
MAX_FRAMES = 2000


def frame_days(start: DateLike, end: DateLike, step: SpanLike = 7) -> list[dt.date]:
    """The days an animation shows: ``start``, then every ``step`` until ``end``, and
    ``end`` itself when the steps do not land on it. ``step`` is a number of days, a
    span like ``"2w"``, or calendar months and years (``"1m"``, ``"1y"``).

    Examples
    --------
    >>> [d.isoformat() for d in frame_days("2026-01-01", "2026-01-20", "1w")]
    ['2026-01-01', '2026-01-08', '2026-01-15', '2026-01-20']
    >>> [d.isoformat() for d in frame_days("2026-01-01", "2026-03-01", "1m")]
    ['2026-01-01', '2026-02-01', '2026-03-01']
    """
    first, last = to_day(start, "from"), to_day(end, "to")
    return step_days(first, last, parse_step(step, "step"), MAX_FRAMES, "frames")


def _writer(path: Path, fps: int) -> AbstractMovieWriter:
    fmt = check_format(path, ANIMATION_FORMATS)
    if fmt == "mp4":
        if not FFMpegWriter.isAvailable():
            raise UnsupportedFormatError(
                f"cannot write {str(path)!r}: MP4 needs ffmpeg on the PATH; write a .gif instead"
            )
        return FFMpegWriter(fps=fps, codec="h264", extra_args=["-pix_fmt", "yuv420p"])
    return PillowWriter(fps=fps)


@with_script_fonts
def animate_map(
    model: Model,
    path: str | Path,
    *,
    start: DateLike,
    end: DateLike,
    step: SpanLike = 7,
    by: str = "party",
    as_of: DateLike | None = None,
    roads: Iterable[str] | None = None,
    incidents: SpanLike | None = None,
    labels: bool = True,
    min_confidence: str | None = None,
    independent_only: bool = False,
    fps: int = 2,
    dpi: float = 100,
    ax: Axes | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Figure, Axes]:
    """Write an animation of the map, one frame per ``step`` from ``start`` to ``end``.

    Parameters
    ----------
    model
        The model to read.
    path
        The file to write: ``.gif`` (Pillow), or ``.mp4`` when ffmpeg is installed.
    start, end
        The first and last day; see :func:`frame_days` for the frames in between.
    step
        Between frames: a ``timedelta``, a number of days, ``"7d"``/``"2w"``, or
        calendar months and years, ``"1m"``/``"1y"``.
    by, as_of, roads, incidents, labels, min_confidence, independent_only
        As for :func:`control_graph.plot.plot_map`, for every frame (the legend lists
        every trust mark any frame draws, so that it stays the same).
    fps
        Frames per second (whole frames; 1 or 2 suit a war map).
    dpi
        Resolution of the frames.
    ax
        Draw the frames into this axes instead of a new figure.
    progress
        Called as ``progress(done, total)`` after each frame.

    Returns
    -------
    (Figure, Axes)
        The figure and axes, showing the last frame.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import control_graph as cg
    >>> from control_graph.plot import animate_map
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "gwaykhar.gif"
    >>> _ = animate_map(model, out, start="2026-01-25", end="2026-02-06", step="6d", dpi=40)
    >>> out.stat().st_size > 0
    True
    """
    target = Path(path)
    writer = _writer(target, fps)
    days = frame_days(start, end, step)
    span = None if incidents is None else parse_span(incidents, "incidents")
    context = prepare_map(
        model,
        by=by,
        as_of=as_of,
        roads=roads,
        min_confidence=min_confidence,
        independent_only=independent_only,
    )
    found = [
        incident
        for incident in (
            read_incidents(model, days[0] - span, days[-1], context.as_of, context.trust)
            if span is not None
            else []
        )
        if context.anchor_of(incident) is not None
    ]
    kinds = {i.kind or "incident" for i in found}
    marks = union(marks_used(context.snapshot(day)) for day in days)

    own_figure = ax is None
    fig, ax = axes_and_figure(ax, lambda: map_figure(context))

    def draw(day: dt.date) -> None:
        assert ax is not None
        ax.clear()
        shown = [i for i in found if span is not None and day - span <= i.date <= day]
        draw_map(
            context,
            ax,
            day,
            incidents=shown,
            incident_span=span,
            labels=labels,
            legend_incident_kinds=kinds,
            legend_marks=marks,
        )

    draw(days[0])
    if own_figure:
        # Even pixel sizes: video encoders need them, and GIFs do not mind.
        fit_figure(fig, even_pixels_at=dpi)
    try:
        with writer.saving(fig, str(target), dpi):
            for done, day in enumerate(days, start=1):
                if done > 1:
                    draw(day)
                writer.grab_frame()
                if progress is not None:
                    progress(done, len(days))
    except OSError as error:
        raise InvalidArgumentError(
            f"cannot write {str(target)!r}: {error.strerror or error}"
        ) from None
    return fig, ax
