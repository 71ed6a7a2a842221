"""The ``export`` command: control in the formats QGIS, Google Earth, Gephi and pandas
read, the dataset itself, or the offline map.

It parses, calls :meth:`control_graph.query.Model.export_file` and says what it wrote
(on stderr; ``--json`` prints it on stdout). Format libraries are imported only when a
file is written, so this module costs nothing to commands that do not export.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from control_graph import query
from control_graph.cli.base import (
    CONTEXT,
    DATE,
    as_of_option,
    by_option,
    emit_json,
    json_option,
    main,
    scenario_option,
    trust_options,
    with_model,
)
from control_graph.dataset.export import FORMATS
from control_graph.dataset.fields import SECTION_NOUNS


def noun(what: str, n: int) -> str:
    """``what`` (a plural) for ``n`` of them: ``1 source``, ``2 sources``."""
    return what if n != 1 else SECTION_NOUNS.get(what, what.removesuffix("s"))


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {noun(what, n)}" for what, n in counts.items())


def _message(done: dict[str, Any]) -> list[str]:
    lines = [f"Wrote {done['file']} ({done['format']}): {_counted(done['written'])}"]
    if done["date"]:
        what = "places and segments layers" if done["format"] == "gpkg" else "states"
        lines[0] += f"; {what} on {done['date']}"
    if done["open_end"]:
        last = dt.date.fromisoformat(done["open_end"]) - dt.timedelta(days=1)
        lines.append(
            f"States still in force end on {done['open_end']}, the day after the last day "
            f"with data ({last.isoformat()}), and have open: true."
        )
    missing = {what: n for what, n in done["left_out"].items() if n}
    if missing:
        words = " and ".join(f"{n} {noun(what, n)}" for what, n in missing.items())
        lines.append(f"Left out {words} without coordinates (a segment needs both ends).")
    return lines


@main.command(context_settings=CONTEXT)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(list(FORMATS), case_sensitive=False),
    help="The format (default: the one FILE's extension names).",
)
@click.option(
    "--on",
    type=DATE,
    help="One day's network (each element's state that day) instead of every state "
    "interval; the day of graphml and of gpkg's places/segments layers (default: the "
    "last day with data).",
)
@as_of_option
@by_option
@trust_options
@scenario_option
@click.option("--title", help="Name of the layer, document or page (default: the dataset's).")
@click.option(
    "--tiles",
    metavar="URL",
    help="html: map tiles drawn under the network when online, e.g. "
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png.",
)
@json_option
@with_model
def export(
    model: query.Model,
    file: Path,
    file_format: str | None,
    on: dt.date | None,
    as_of: dt.date | None,
    by: str,
    min_confidence: str | None,
    independent_only: bool,
    title: str | None,
    tiles: str | None,
    as_json: bool,
) -> None:
    """Write control to FILE for QGIS, Google Earth, Gephi or pandas, or the dataset.

    geojson, gpkg, kml, gexf and csv hold every state interval of every place and
    segment, with start and end dates, or with --on each one's state that day. Map
    formats leave out places without coordinates (and say how many). The file is
    written whole or not at all. docs/interop.md shows QGIS's temporal controller,
    Google Earth, Gephi and pandas at work.

    \b
    Formats, by extension (or --format):
      .geojson  GeoJSON for QGIS and web maps
      .gpkg     GeoPackage layers for QGIS (needs pyogrio: pip install "control-graph[geo]")
      .kml      KML for Google Earth's time slider
      .graphml  one day's network for networkx, Cytoscape, yEd
      .gexf     Gephi: the network over time, or one day with --on
      .csv      state intervals in long form, for pandas and spreadsheets
      .yaml     the dataset itself (backup and hand-over); .json too
      .html     the interactive offline map (--title, --tiles)

    \b
    Examples:
      control-graph export kachin.geojson
      control-graph export kachin.gpkg --by bloc
      control-graph export day.graphml --on 2026-02-06
      control-graph export intervals.csv --min-confidence medium
      control-graph export backup.yaml
      control-graph export map.html --title "Kachin State"
    """
    done = model.export_file(
        file,
        format=file_format,
        on=on,
        as_of=as_of,
        by=by,
        min_confidence=min_confidence,
        independent_only=independent_only,
        title=title,
        tiles=tiles,
    ).as_dict()
    if as_json:
        emit_json(done)
    else:
        for line in _message(done):
            click.echo(line, err=True)
