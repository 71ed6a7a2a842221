"""The ``import-acled`` command: an ACLED export into the reported data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from control_graph import query
from control_graph.cli.base import (
    CONTEXT,
    DATE,
    emit_json,
    importer_option,
    json_option,
    main,
    quiet_option,
    with_model,
)

if TYPE_CHECKING:
    from control_graph.store.acled import AcledReport

#: Lines of each list shown before "... and N more".
SHOWN = 10
#: ACLED's terms of use and attribution policy.
ACLED_TERMS = "https://epo.acleddata.com/terms-of-use-and-attribution-policy"
_HOW = {
    "name": "by name",
    "name+distance": "by name and distance",
    "distance": "by distance",
    "created": "created",
}


@main.command("import-acled", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--parties",
    "parties",
    required=True,
    type=click.Path(dir_okay=False, path_type=str),
    metavar="MAP.yaml",
    help="ACLED actor names to party ids, one per line ('Military Forces of Myanmar "
    "(2021-): saf'; '*' matches any text; null: no party).",
)
@click.option(
    "--within",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    metavar="KM",
    help="Match a location with no place of its name to the nearest place this close.",
)
@click.option(
    "--create-places",
    is_flag=True,
    help="Make a place at ACLED's coordinates for each location nothing matches "
    "(default: leave its rows out, and list them).",
)
@click.option(
    "--sync",
    is_flag=True,
    help="The export covers the same query as before: retract the stored ACLED rows it "
    "lacks (within its countries and days).",
)
@click.option(
    "--recorded",
    type=DATE,
    help="The day this export became known (default: today); --as-of an earlier day "
    "sees the data as it stood before.",
)
@click.option(
    "--date-format",
    metavar="FORMAT",
    help="How a spreadsheet rewrote event_date, as for strptime, e.g. %d/%m/%Y.",
)
@importer_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Match, compare and report exactly as an import would, then write nothing.",
)
@json_option
@quiet_option
@with_model
def import_acled(
    model: query.Model,
    file: str,
    parties: str,
    within: float,
    create_places: bool,
    sync: bool,
    recorded: dt.date | None,
    date_format: str | None,
    by: str | None,
    dry_run: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Import an ACLED export (CSV): territory changes as control events, the rest as
    incidents.

    Territory rows (Government regains territory, Non-state actor overtakes territory,
    Non-violent transfer of territory) become control events held by the actor that
    took the territory, found from the actor types (ACLED's actor order means nothing);
    a row that does not say who took it is kept as an incident and listed. Every other
    row is an incident whose kind is its sub-event type. Locations are matched to
    places by name or alias, else by distance (--within); rows matching no place are
    left out and listed, unless --create-places.

    ACLED corrects and deletes rows: importing a newer export adds its new rows,
    retracts and replaces changed ones, and with --sync retracts the rows it lacks.
    All in one transaction; --as-of an earlier day still sees the data as it stood.
    --dry-run does all of it and reports it, then rolls the transaction back.

    \b
    Examples:
      control-graph import-acled acled-myanmar-2024.csv --parties actors.yaml
      control-graph import-acled acled-myanmar-2024-06.csv --parties actors.yaml --sync --dry-run
      control-graph import-acled acled-myanmar-2024-06.csv --parties actors.yaml --sync
    """
    report = model.import_acled(
        file,
        parties=parties,
        within=within,
        create_places=create_places,
        sync=sync,
        recorded=recorded,
        by=by,
        date_format=date_format,
        dry_run=dry_run,
    )
    if as_json:
        emit_json(report.as_dict())
        return
    print_acled(report, quiet=quiet)


def print_acled(report: AcledReport, *, quiet: bool) -> None:
    imported = report.imported
    dry = report.dry_run
    if dry:
        click.echo(
            f"Dry run of {imported.file} (ACLED export): {report.rows} rows; importing it "
            "would do this"
        )
    else:
        click.echo(
            f"Imported {imported.file} (import #{imported.import_id}, ACLED export): "
            f"{report.rows} rows"
        )
    retract = "to retract" if dry else "retracted"
    retracted = f", {retract} {len(report.retracted)}" if report.retracted else ""
    click.echo(
        f"  new {len(report.new)}, changed {len(report.changed)}, "
        f"unchanged {report.unchanged}{retracted}"
    )
    written = [_n(report.events, "control event"), _n(report.incidents, "incident")]
    if report.places_created:
        written.append(_n(len(report.places_created), "place") + " created")
    click.echo(f"  {'would write' if dry else 'written'}: {', '.join(written)}")
    if report.matched:
        placed = ", ".join(
            f"{_HOW[how]} {_n(rows, 'row')} at {_n(places, 'location')}"
            for how in _HOW
            if how in report.matched
            for rows, places in [report.matched[how]]
        )
        click.echo(f"  placed {placed}")
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    _listing(
        f"Changed (the earlier version {'would be' if dry else 'is'} retracted):",
        [f"{ident}: {what}" for ident, what in report.changed.items()],
    )
    _listing(
        "Would retract:" if dry else "Retracted:",
        [f"{ident}: {why}" for ident, why in report.retracted.items()],
    )
    if report.unplaced:
        rows = sum(u["rows"] for u in report.unplaced)
        _listing(
            f"Not imported: {_n(rows, 'row')} at {_n(len(report.unplaced), 'location')} "
            "matching no place (--within, --create-places, or give places aliases):",
            [
                f"{u['location']} ({u['admin']}): {_n(u['rows'], 'row')}; {u['why']}"
                for u in report.unplaced
            ],
        )
    if not quiet:
        _details(report)
    if dry:
        click.echo("Dry run: nothing was written.", err=True)


def _details(report: AcledReport) -> None:
    """What to check by hand: placements by distance, territory rows that are not
    control events, actors without a party, and ACLED's terms."""
    _listing(
        "Placed otherwise than by name (check them):",
        [
            f"{m['location']} ({m['admin']}) -> {m['place']}: {_HOW.get(m['how'], m['how'])}"
            + (f", {m['km']} km" if m["km"] is not None else "")
            + f", {_n(m['rows'], 'row')}"
            for m in report.matches_to_check
        ],
    )
    _listing(
        "Territory rows kept as incidents, not control events:",
        [
            f"{n['id']} at {n['place']} ({n['sub_event_type']}): {n['why']}"
            for n in report.not_control
        ],
    )
    _listing(
        "Actors not in the party map (rows, territory rows):",
        [f"{actor}: {rows}, {territory}" for actor, rows, territory in report.unmapped],
    )
    click.echo(
        "ACLED's data: cite ACLED, with the access date and filters, wherever you show "
        f"it ({ACLED_TERMS}).",
        err=True,
    )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _listing(title: str, lines: Sequence[Any]) -> None:
    if not lines:
        return
    click.echo(title)
    for line in lines[:SHOWN]:
        click.echo(f"  {line}")
    if len(lines) > SHOWN:
        click.echo(f"  ... and {len(lines) - SHOWN} more (--json lists them all)")
