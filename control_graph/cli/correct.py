"""Correcting data, with its history kept: imports, retract, undo-import.

Nothing is ever deleted: a retraction says from which day a record no longer counts,
so an answer ``--as-of`` an earlier day still sees the data as it stood.
"""

from __future__ import annotations

import datetime as dt

import click

from control_graph import query
from control_graph.cli.base import (
    CONTEXT,
    DATE,
    emit_json,
    json_option,
    main,
    print_table,
    scenario_option,
    with_model,
)
from control_graph.cli.format import counts_of

__all__ = ["imports", "retract", "undo_import"]


@main.command(context_settings=CONTEXT)
@scenario_option
@json_option
@with_model
def imports(model: query.Model, as_json: bool) -> None:
    """Every import: when, which file, its content hash, what it added, and who.

    \b
    Example:
      control-graph imports
    """
    found = model.imports()
    if as_json:
        emit_json({"imports": [i.as_dict() for i in found]})
        return
    if not found:
        click.echo("nothing has been imported")
        return
    print_table(
        [
            (
                f"#{i.id}",
                i.at.strftime("%Y-%m-%d %H:%M"),
                i.file,
                i.sha256[:12],
                counts_of(i.counts),
                i.by,
                f"undone {i.undone}" if i.undone else "",
            )
            for i in found
        ],
        ("import", "at (UTC)", "file", "sha256", "added", "by", ""),
        indent="",
    )


@main.command(context_settings=CONTEXT)
@click.argument("record_ids", metavar="ID...", nargs=-1, required=True)
@click.option(
    "--recorded",
    type=DATE,
    help="The day the retraction became known (default: today); --as-of an earlier day "
    "still counts the records.",
)
@click.option("--note", help="Why (kept with the retraction).")
@click.option("--by", metavar="NAME", help="Who retracts (default: the operating-system user).")
@scenario_option
@json_option
@with_model
def retract(
    model: query.Model,
    record_ids: tuple[str, ...],
    recorded: dt.date | None,
    note: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """Retract events, incidents or access records by their ids.

    They count in no answer from --recorded on, nor in any answer without --as-of.
    All or nothing: an unknown id is an error, and nothing is written.

    \b
    Example:
      control-graph retract kng-e11 --note "single source, not confirmed"
    """
    import_id = model.retract(*record_ids, recorded=recorded, note=note, by=by)
    if as_json:
        emit_json({"import_id": import_id, "retracted": list(record_ids)})
    else:
        click.echo(f"Retracted {', '.join(record_ids)} (import #{import_id}).")


@main.command("undo-import", context_settings=CONTEXT)
@click.argument("import_id", metavar="N", type=int)
@click.option(
    "--recorded",
    type=DATE,
    help="The day of the undo (default: today); --as-of an earlier day still sees the import.",
)
@click.option("--note", help="Why (kept with the undo).")
@click.option("--by", metavar="NAME", help="Who undoes it (default: the operating-system user).")
@scenario_option
@json_option
@with_model
def undo_import(
    model: query.Model,
    import_id: int,
    recorded: dt.date | None,
    note: str | None,
    by: str | None,
    as_json: bool,
) -> None:
    """Retract everything import N added (numbers from `control-graph imports`).

    What N withdrew counts again: undoing an import --replace-changed brings back the
    versions it corrected, undoing a `retract` the records it retracted. The history
    is kept: an answer --as-of a day before the undo still sees import N as it was.
    Definitions (places, roads, parties) stay, since later data may refer to them.

    \b
    Example (import #2 retracted kng-e11; undoing it makes kng-e11 count again):
      control-graph retract kng-e11
      control-graph undo-import 2 --note "retracted by mistake"
    """
    undo_id = model.undo_import(import_id, recorded=recorded, note=note, by=by)
    if as_json:
        emit_json({"import_id": undo_id, "undone": import_id})
    else:
        click.echo(f"Undid import #{import_id} (import #{undo_id} records the undo).")
