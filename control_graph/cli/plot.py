"""The ``plot`` commands: maps, timelines, shares over time and animated maps.

They parse, call :mod:`control_graph.plot` and write the file the user named.
matplotlib is imported inside the command bodies only, so that no other command pays
for it (``who-held`` starts fast).
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from control_graph import query
from control_graph.cli.base import (
    CONTEXT,
    DATE,
    F,
    Reading,
    as_of_option,
    ask,
    by_option,
    emit_json,
    json_option,
    main,
    quiet_option,
    reading_options,
    scenario_option,
    trust_options,
    window_options,
    with_model,
    with_reading,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The formats of a figure, by extension.
FIGURES = ".png, .svg, .pdf"


@dataclass(frozen=True)
class Output:
    """The file a plot command writes (``-o``, ``--dpi``), and how it says so
    (``--json``, ``--quiet``)."""

    path: Path
    dpi: int
    as_json: bool
    quiet: bool

    def save(self, fig: Figure, kind: str, **extra: Any) -> None:
        """Write ``fig`` to the file, and say so."""
        from control_graph.plot import save_figure

        self.written(save_figure(fig, self.path, dpi=self.dpi), kind, **extra)

    def written(self, path: Path, kind: str, **extra: Any) -> None:
        """Say that ``path`` was written: one JSON document, or a line on stderr."""
        if self.as_json:
            emit_json({"plot": kind, "file": str(path), "format": path.suffix.lower()[1:], **extra})
        elif not self.quiet:
            click.echo(f"Wrote {path}", err=True)


def output_options(
    extensions: str, dpi: int, *, scenario: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o/--output`` (a file with one of ``extensions``), ``--dpi`` (``dpi`` unless
    given), ``--scenario`` (unless ``scenario`` is false), ``--json`` and ``-q/--quiet``,
    in that order; the command is handed ``output``, an :class:`Output`."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def wrapper(
            *args: Any, output: Path, dpi: int, as_json: bool, quiet: bool, **kwargs: Any
        ) -> Any:
            return f(*args, output=Output(output, dpi, as_json, quiet), **kwargs)

        command = json_option(quiet_option(wrapper))
        if scenario:
            command = scenario_option(command)
        command = click.option(
            "--dpi",
            type=click.IntRange(20, 1200),
            default=dpi,
            show_default=True,
            help="Resolution of raster output.",
        )(command)
        return click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            required=True,
            help=f"File to write; its extension sets the format ({extensions}).",
        )(command)

    return decorate


def title_option(f: F) -> F:
    return click.option("--title", help="Replace the default title.")(f)


def road_option(f: F) -> F:
    return click.option(
        "--road",
        "roads",
        multiple=True,
        metavar="ROAD",
        help="Show only this road (repeat for several); the rest is drawn faintly.",
    )(f)


def incidents_option(f: F) -> F:
    return click.option(
        "--incidents",
        metavar="SPAN",
        help="Mark incidents from SPAN before the day up to it (e.g. 14d, 2w; 0d: that day).",
    )(f)


def geography_options(f: F) -> F:
    f = click.option(
        "--basemap",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        metavar="FILE",
        help="Also draw your own boundaries from FILE (GeoJSON; any GDAL format "
        "with pyogrio installed), e.g. townships.",
    )(f)
    return click.option(
        "--geography/--no-geography",
        default=True,
        show_default=True,
        help="Draw land, sea, coastlines, borders and states (Natural Earth) under the map.",
    )(f)


def step_option(default: str | None, what: str) -> Callable[[F], F]:
    def decorate(f: F) -> F:
        return click.option(
            "--step",
            default=default,
            show_default=default is not None,
            metavar="SPAN",
            help=f"{what}: days (7d, 2w, 10) or calendar months and years (1m, 3m, 1y).",
        )(f)

    return decorate


def labels_option(f: F) -> F:
    return click.option(
        "--labels/--no-labels", default=True, show_default=True, help="Label places."
    )(f)


def map_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """What a map shows (``plot map``, ``plot animate``): ``--by``, ``--as-of``, the
    trust options (handed to the command as one ``reading``), ``--road``,
    ``--incidents`` and ``--labels``, in that order."""
    f = road_option(incidents_option(labels_option(with_reading(f))))
    return by_option(as_of_option(trust_options(f)))


@main.group(context_settings=CONTEXT)
def plot() -> None:
    """Draw maps, timelines and shares of control over time.

    Each command writes the file named with -o: PNG, SVG or PDF by its extension
    (animate: GIF, or MP4 where ffmpeg is installed).

    \b
    Examples:
      control-graph plot map --on 2026-02-06 --incidents 14d -o map.png
      control-graph plot timeline gwaykhar-road -o gwaykhar.svg
      control-graph plot shares --by bloc -o shares.pdf
      control-graph plot animate --from 2026-01-01 --to 2026-02-07 --step 3d -o war.gif
    """


@plot.command("map", context_settings=CONTEXT)
@click.option("--on", "on", type=DATE, required=True, help="The day to map.")
@map_options
@geography_options
@title_option
@output_options(FIGURES, 150)
@click.pass_context
def map_(
    ctx: click.Context,
    on: dt.date,
    reading: Reading,
    roads: tuple[str, ...],
    incidents: str | None,
    labels: bool,
    geography: bool,
    basemap: Path | None,
    title: str | None,
    output: Output,
    scenario: str | None,
) -> None:
    """A map of who held every place and segment on a day.

    Segments are drawn in the colour of the party (or bloc) holding them; contested
    ones dashed in both sides' colours with a cross at the middle; unknown ones grey.
    Where rough dates allow another state, strokes in that state's colour hatch the
    line (or the place); a black "?" badge marks a disputed place or segment; black
    and white symbols on a segment show its access (blocked, fire-control, taxed,
    restricted). Under them: land, sea, coastlines, borders and state boundaries
    (Natural Earth, shipped, no network needed), and for a small area an inset showing
    where it is.

    \b
    Examples:
      control-graph plot map --on 2026-02-06 --incidents 14d -o kachin.png
      control-graph plot map --on 2026-02-06 --by bloc --road "Gwaykhar Road" -o gw.pdf
      control-graph plot map --on 2026-02-06 --basemap townships.geojson -o map.png
      control-graph plot map --on 2026-02-06 --min-confidence medium --independent-only -o m.png
    """
    from control_graph import plot as plots

    plots.check_format(output.path)
    fig, _ = ask(
        ctx,
        scenario,
        lambda source: plots.plot_map(
            source,
            on,
            roads=roads or None,
            incidents=incidents,
            labels=labels,
            title=title,
            geography=geography,
            basemap=basemap,
            **reading,
        ),
        maps=True,
    )
    output.save(fig, "map", date=on.isoformat())


@plot.command("timeline", context_settings=CONTEXT)
@click.argument("element")
@window_options
@reading_options
@click.option("--incidents/--no-incidents", default=True, show_default=True, help="Mark incidents.")
@title_option
@output_options(FIGURES, 150)
@with_model
def timeline(
    model: query.Model,
    element: str,
    start: dt.date | None,
    end: dt.date | None,
    reading: Reading,
    incidents: bool,
    title: str | None,
    output: Output,
) -> None:
    """A Gantt chart of who held a road (a row per segment), a segment or a place.

    Stretches that rough dates leave uncertain are hatched in the colour of the state
    they also allow; disputed stretches are framed in black with a "?"; under each
    segment's bar a black line with a symbol shows its access.

    \b
    Examples:
      control-graph plot timeline "Gwaykhar Road" -o gwaykhar.png
      control-graph plot timeline lonton --from 2026-01-01 -o lonton.svg
      control-graph plot timeline lonton --independent-only -o lonton-independent.png
    """
    from control_graph import plot as plots

    plots.check_format(output.path)
    fig, _ = plots.plot_timeline(
        model, element, start=start, end=end, incidents=incidents, title=title, **reading
    )
    output.save(fig, "timeline", element=element)


@plot.command("shares", context_settings=CONTEXT)
@by_option
@window_options
@as_of_option
@trust_options
@click.option(
    "--measure",
    type=click.Choice(["km", "places"]),
    default="km",
    show_default=True,
    help="Road length held, or number of places held.",
)
@step_option(None, "Read the totals every step instead of at every change")
@title_option
@output_options(FIGURES, 150)
@with_reading
@with_model
def shares(
    model: query.Model,
    start: dt.date | None,
    end: dt.date | None,
    reading: Reading,
    measure: str,
    step: str | None,
    title: str | None,
    output: Output,
) -> None:
    """A stacked area of road length (or places) held by each party or bloc over time.

    \b
    Examples:
      control-graph plot shares --by bloc --measure places -o shares.png
      control-graph plot shares --step 1m -o monthly.png
    """
    from control_graph import plot as plots

    plots.check_format(output.path)
    fig, _ = plots.plot_shares(
        model, start=start, end=end, measure=measure, step=step, title=title, **reading
    )
    output.save(fig, "shares", measure=measure)


@plot.command("animate", context_settings=CONTEXT)
@click.option("--from", "start", type=DATE, required=True, help="First day (the first frame).")
@click.option("--to", "end", type=DATE, required=True, help="Last day (the last frame).")
@step_option("7d", "Between frames")
@map_options
@click.option(
    "--fps",
    type=click.IntRange(1, 60),
    default=2,
    show_default=True,
    help="Frames per second.",
)
@output_options(".gif, or .mp4 with ffmpeg", 100)
@with_model
def animate(
    model: query.Model,
    start: dt.date,
    end: dt.date,
    step: str,
    reading: Reading,
    roads: tuple[str, ...],
    incidents: str | None,
    labels: bool,
    fps: int,
    output: Output,
) -> None:
    """An animated map: one frame per step from --from to --to (and one on --to).

    Every frame has the same extent and legend.

    \b
    Examples:
      control-graph plot animate --from 2026-01-20 --to 2026-02-07 --step 2d -o front.gif
      control-graph plot animate --from 2024-01-01 --to 2024-12-31 --step 1m -o year.gif
    """
    from control_graph import plot as plots

    days = plots.frame_days(start, end, step)
    show = not output.quiet and not output.as_json and sys.stderr.isatty()
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not show:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Drawing frames", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        plots.animate_map(
            model,
            output.path,
            start=start,
            end=end,
            step=step,
            roads=roads or None,
            incidents=incidents,
            labels=labels,
            fps=fps,
            dpi=output.dpi,
            progress=progress,
            **reading,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    output.written(output.path, "animation", frames=len(days))


@plot.command("compare", context_settings=CONTEXT)
@click.argument("a")
@click.argument("b")
@click.option("--on", "on", type=DATE, required=True, help="The day to map.")
@by_option
@as_of_option
@road_option
@labels_option
@title_option
@output_options(FIGURES, 120, scenario=False)
@with_model
def compare_maps(
    model: query.Model,
    a: str,
    b: str,
    on: dt.date,
    by: str,
    as_of: dt.date | None,
    roads: tuple[str, ...],
    labels: bool,
    title: str | None,
    output: Output,
) -> None:
    """Two maps side by side (A and B: `reported` or scenarios), differences highlighted.

    \b
    Example:
      control-graph plot compare reported bhamo-falls --on 2026-03-02 --by bloc -o cmp.png
    """
    from control_graph import plot as plots

    plots.check_format(output.path)
    fig, _ = plots.plot_compare(
        model.scenario(a, create=False),
        model.scenario(b, create=False),
        on,
        by=by,
        as_of=as_of,
        roads=roads or None,
        labels=labels,
        title=title,
    )
    output.save(fig, "compare", date=on.isoformat())
