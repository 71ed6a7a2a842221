"""The core commands: init, import, who-held, timeline, path, changes, quickstart."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
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
    emit_json,
    get_model,
    importer_option,
    json_option,
    main,
    print_table,
    quiet_option,
    reading_options,
    scenario_option,
    trust_options,
    window_options,
    with_model,
)
from control_graph.cli.format import (
    count_of,
    counts_of,
    print_changes,
    print_timeline,
    print_who_held,
)
from control_graph.errors import NoPathError

if TYPE_CHECKING:
    from control_graph.store.importer import ImportReport

#: The sections whose records an import appends (definitions are stored once, by id).
RECORD_SECTIONS = ("events", "incidents", "access")
#: Days on which the quickstart shows the Gwaykhar Road (see the sample's provenance).
QUICKSTART_DAYS = ("2025-06-01", "2025-12-01", "2026-02-01", "2026-02-06")


# -- commands -------------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@json_option
@with_model
def init(model: query.Model, as_json: bool) -> None:
    """Create or upgrade the database schema.

    Every command does this on first use; init does it explicitly.

    \b
    Example:
      control-graph --db postgresql://user@host/analysis init
    """
    if as_json:
        emit_json({"database": model.url, "revision": model.schema_revision})
    else:
        click.echo(f"{model.url}: schema at revision {model.schema_revision}")


def csv_options(f: F) -> F:
    """``--columns``, ``--date-format`` and ``--delimiter``: how to read a CSV from a
    spreadsheet (``import`` and ``scenario import``)."""
    f = click.option(
        "--delimiter",
        metavar="CHAR",
        callback=lambda _ctx, _param, value: "\t" if value in ("tab", "\\t") else value,
        help="CSV: the separator, e.g. ';' or tab (default: found from the header line).",
    )(f)
    f = click.option(
        "--date-format",
        metavar="FORMAT",
        help="CSV: how its dates are written, as for strptime, e.g. %d/%m/%Y (day first); "
        "ISO dates are always read.",
    )(f)
    return click.option(
        "--columns",
        "columns",
        multiple=True,
        callback=lambda _ctx, _param, value: parse_columns(value),
        metavar="COLUMN=HEADER,...",
        help="CSV: the file's header for each column of the format, e.g. "
        "date=Date,place=Location (headers are matched without regard to case anyway).",
    )(f)


@main.command("import", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "--replace-changed",
    is_flag=True,
    help="A record whose id is stored with other content is a correction: retract the "
    "stored version and add this one (default: refuse the file).",
)
@click.option(
    "--recorded",
    type=DATE,
    help="With --replace-changed: the day the corrections became known (default: today).",
)
@importer_option
@csv_options
@json_option
@quiet_option
@with_model
def import_(
    model: query.Model,
    file: str,
    replace_changed: bool,
    recorded: dt.date | None,
    by: str | None,
    columns: dict[str, str],
    date_format: str | None,
    delimiter: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Load a dataset file (.yaml, .yml, .json, or a .csv of events or access records).

    All or nothing: on any problem every problem is listed, with file, entry, line
    and field, and nothing is written. A record whose id is already stored is skipped
    when identical; a changed one is refused, or with --replace-changed replaces the
    stored version (which --as-of an earlier day still sees).

    A CSV from a spreadsheet: headers are matched without regard to case and spaces,
    --columns names any others, --date-format reads day-first dates, and blank rows and
    rows starting with # are skipped.

    \b
    Examples:
      control-graph import reports-2026-02.yaml
      control-graph import reports-2026-02-corrected.yaml --replace-changed
      control-graph import sheet.csv --columns place=Location --date-format %d/%m/%Y
    """
    report = import_with_progress(
        model,
        file,
        quiet=quiet or as_json,
        replace_changed=replace_changed,
        recorded=recorded,
        by=by,
        columns=columns,
        date_format=date_format,
        delimiter=delimiter,
    )
    if as_json:
        emit_json(report.as_dict())
        return
    print_import(report, quiet=quiet)


def import_with_progress(
    model: query.Model,
    file: str,
    *,
    quiet: bool,
    replace_changed: bool = False,
    recorded: dt.date | None = None,
    by: str | None = None,
    columns: dict[str, str] | None = None,
    date_format: str | None = None,
    delimiter: str | None = None,
) -> ImportReport:
    show = not quiet and sys.stderr.isatty()
    bar: Any = None

    def on_total(total: int) -> None:
        nonlocal bar
        if show and total > 5_000:
            bar = click.progressbar(length=total, label="Importing", file=sys.stderr)
            bar.__enter__()

    def progress(done: int) -> None:
        if bar is not None:
            bar.update(done)

    # Checking a large file takes a while before the bar can start: say so.
    if show and os.path.isfile(file) and os.path.getsize(file) > 1_000_000:
        click.echo(f"Reading and checking {file} ...", err=True)
    try:
        return model.import_file(
            file,
            progress=progress,
            on_total=on_total,
            replace_changed=replace_changed,
            recorded=recorded,
            by=by,
            columns=columns,
            date_format=date_format,
            delimiter=delimiter,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def parse_columns(values: tuple[str, ...]) -> dict[str, str]:
    """``--columns date=Date,place=Location`` (also given several times) as a mapping.

    A comma only separates pairs when the next one starts with ``name=``, so a header may
    hold a comma.
    """
    columns: dict[str, str] = {}
    for value in values:
        for pair in re.split(r",(?=\s*[A-Za-z_ -]+=)", value):
            column, equals, header = pair.partition("=")
            if not equals or not column.strip() or not header.strip():
                raise click.BadParameter(
                    f"{pair.strip()!r} is not COLUMN=HEADER (e.g. place=Location)",
                    param_hint="--columns",
                )
            columns[column.strip()] = header.strip()
    return columns


def print_import(report: ImportReport, *, quiet: bool) -> None:
    """What an import added and skipped, and, for a file imported before, what that
    meant: records with ids are recognised, records without are added again."""
    added = counts_of(report.added)
    click.echo(
        f"Imported {report.file} (import #{report.import_id}): "
        + ("nothing new" if added == "-" else added)
    )
    records = {s: n for s, n in report.skipped.items() if s in RECORD_SECTIONS}
    definitions = sum(report.skipped.values()) - sum(records.values())
    if definitions and not quiet:
        click.echo(
            f"Skipped {count_of(definitions, 'definitions')} already in the database, identical."
        )
    if records and not quiet:
        listed = ", ".join(count_of(n, what) for what, n in records.items())
        click.echo(f"Skipped {listed} already in the database under the same ids, identical.")
    for ident, what in report.replaced.items():
        click.echo(f"Replaced {ident} (changed: {what}); the earlier version is retracted.")
    if report.earlier_imports and not quiet:
        click.echo(_imported_before(report), err=True)


def _imported_before(report: ImportReport) -> str:
    ids = ", ".join(f"#{i}" for i, _ in report.earlier_imports)
    before = f"Note: the same file was imported before ({ids})"
    # The file is the same, so each record with an id is stored already: it was skipped,
    # or (with --replace-changed) replaced a later version. What else was added are
    # records without ids, which nothing can recognise.
    again = {s: report.added.get(s, 0) for s in RECORD_SECTIONS}
    if report.replaced:
        again = {"records": sum(again.values()) - len(report.replaced)}
    if not any(again.values()):
        return f"{before}; its records have ids, so none was added twice."
    listed = " and ".join(count_of(n, s) for s, n in again.items() if n)
    return (
        f"{before}. Its records without ids cannot be recognised as stored, so this import "
        f"added them again ({listed}): they are now in the database twice, the new copies "
        "ordered after every import since (so they win same-day ties with those again). "
        f"control-graph undo-import {report.import_id} takes this import back."
    )


@main.command("who-held", context_settings=CONTEXT)
@click.argument("element")
@click.option("--on", "on", type=DATE, required=True, help="The day asked about.")
@reading_options
@click.option(
    "--dispute-window",
    type=click.IntRange(min=0),
    default=7,
    show_default=True,
    metavar="DAYS",
    help="Days before the deciding report within which a differing claim disputes it.",
)
@click.option("--explain", is_flag=True, help="List the reports behind the answer.")
@scenario_option
@json_option
@click.pass_context
def who_held(
    ctx: click.Context,
    element: str,
    on: dt.date,
    reading: Reading,
    dispute_window: int,
    explain: bool,
    scenario: str | None,
    as_json: bool,
) -> None:
    """Who held a road, segment or place on a day.

    ELEMENT is an id, or a name or alias (any case) that one element has.

    \b
    Examples:
      control-graph who-held gwaykhar-road --on 2026-02-06
      control-graph who-held Longton --on 2026-02-06 --as-of 2026-02-07
    """
    answer = ask(
        ctx,
        scenario,
        lambda q: q.who_held(
            element, on, dispute_window=dispute_window, explain=explain, **reading
        ),
    )
    if as_json:
        emit_json(answer.as_dict())
    else:
        print_who_held(answer, scenario)


@main.command(context_settings=CONTEXT, short_help="The intervals of an element's state.")
@click.argument("element")
@window_options
@reading_options
@scenario_option
@json_option
@click.pass_context
def timeline(
    ctx: click.Context,
    element: str,
    start: dt.date | None,
    end: dt.date | None,
    reading: Reading,
    scenario: str | None,
    as_json: bool,
) -> None:
    """The intervals of an element's state, from the first day it is known.

    \b
    Example:
      control-graph timeline lonton --from 2025-01-01
    """
    answer = ask(ctx, scenario, lambda q: q.timeline(element, start=start, end=end, **reading))
    if as_json:
        emit_json(answer.as_dict())
        return
    print_timeline(answer, scenario)


@main.command(context_settings=CONTEXT)
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@click.option("--on", "on", type=DATE, required=True, help="The day asked about.")
@click.option(
    "--party", metavar="PARTY", help="Only through ground this party held (id, name or alias)."
)
@click.option("--bloc", metavar="BLOC", help="Only through ground this bloc held.")
@click.option("--passable", is_flag=True, help="Use no segment whose access that day is blocked.")
@as_of_option
@trust_options
@scenario_option
@json_option
@click.pass_context
def path(
    ctx: click.Context,
    source: str,
    target: str,
    on: dt.date,
    party: str | None,
    bloc: str | None,
    passable: bool,
    as_of: dt.date | None,
    min_confidence: str | None,
    independent_only: bool,
    scenario: str | None,
    as_json: bool,
) -> None:
    """The shortest path (by length) between two places on a day.

    With --party or --bloc every place and segment on the path, both ends included,
    must be held by it. Exit status 1 when there is no such path.

    \b
    Example:
      control-graph path seng-tawng indawgyi --on 2025-06-01 --party kia
    """
    if party and bloc:
        raise click.UsageError("give --party or --bloc, not both")
    try:
        answer = ask(
            ctx,
            scenario,
            lambda q: q.path(
                source,
                target,
                on,
                party=party,
                bloc=bloc,
                as_of=as_of,
                min_confidence=min_confidence,
                independent_only=independent_only,
                passable=passable,
            ),
        )
    except NoPathError as error:
        if as_json:
            emit_json(
                {
                    "from": source,
                    "to": target,
                    "date": on.isoformat(),
                    "path": None,
                    "segments": None,
                    "length_km": None,
                    "error": str(error),
                }
            )
        raise
    if as_json:
        emit_json(answer.as_dict())
        return
    through = f" through {answer.controller}'s ground" if answer.controller else ""
    click.echo(
        f"{answer.start} -> {answer.end} on {answer.date}{through}: "
        f"{answer.length_km:.1f} km, {len(answer.segments)} segments"
    )
    print_table(
        list(zip(answer.places, [*answer.segments, None], strict=True)),
        ("place", "then segment"),
    )


@main.command(context_settings=CONTEXT, short_help="Every change of state, by date.")
@window_options
@reading_options
@scenario_option
@json_option
@click.pass_context
def changes(
    ctx: click.Context,
    start: dt.date | None,
    end: dt.date | None,
    reading: Reading,
    scenario: str | None,
    as_json: bool,
) -> None:
    """Every change of state of places and segments, by date then element.

    \b
    Example:
      control-graph changes --from 2026-02-01 --to 2026-02-07
    """
    answer = ask(ctx, scenario, lambda q: q.changes(start=start, end=end, **reading))
    if as_json:
        emit_json(answer.as_dict())
        return
    print_changes(answer.changes)


@main.command(
    context_settings=CONTEXT, short_help="Load the Kachin sample and show the Gwaykhar Road."
)
@json_option
@quiet_option
@click.pass_context
def quickstart(ctx: click.Context, as_json: bool, quiet: bool) -> None:
    """Load the built-in Kachin sample and show who held the Gwaykhar Road.

    Also shows one answer that the report's rough dates leave open, with the reports
    behind it (--explain). Uses ./control_graph.db unless --db (or $CONTROL_GRAPH_DB)
    says otherwise; loading the sample again does nothing: it is loaded only once.
    """
    import control_graph

    model = get_model(ctx)
    sample = control_graph.sample_path()
    report = model.import_file(sample) if not model.has_imported(sample) else None
    answers = [model.who_held("gwaykhar-road", day) for day in QUICKSTART_DAYS]
    # Lonton's recapture is known only to "the past week" (a date range) and only from
    # the KIA: on this day the answer depends on which day of the week it was.
    place, day = "lonton", "2026-02-03"
    explained = model.who_held(place, day, explain=True)
    if as_json:
        emit_json(
            {
                "database": model.url,
                "imported": report.as_dict() if report else None,
                "answers": [a.as_dict() for a in answers],
                "explained": explained.as_dict(),
            }
        )
        return
    db = ctx.find_root().obj["db"]
    prefix = "control-graph" + (f" --db {db}" if db else "")
    if not quiet:
        if report:
            click.echo(f"Loaded the Kachin sample into {model.url}")
        else:
            click.echo(f"The Kachin sample is already in {model.url}")
        # What the sample is, and what in it is ours rather than the report's, out loud.
        click.echo(
            "Source: one Kachin News Group report, February 2026, on fighting in four\n"
            "townships of Kachin State: Hpakant, Indawgyi, Waingmaw and Bhamo. It relies\n"
            "on KIA sources. Assumptions of ours, not the report's:\n"
            "  - Seng Tawng, on the Gwaykhar Road, is taken to be a KIA-held area of Hpakant;\n"
            '  - "Indawgyi" is a schematic point for the township centre, taken as KIA-held;\n'
            '  - where the report gives only a year ("lost in 2025"), the day is our choice;\n'
            "  - every position is approximate, and several are schematic.\n"
            '"Late January" and "the past week" are date ranges: an answer that depends on\n'
            "the day says UNCERTAIN. Captures only the KIA reports are its claims\n"
            "(--independent-only leaves them out). docs/sample-dataset.md gives the sentence\n"
            "behind every entry.\n"
        )
    for answer in answers:
        print_who_held(answer)
        click.echo()
    if not quiet:
        click.echo(
            "A rough date: the KIA says it retook Lonton on some day of the past week, so on\n"
            "2026-02-03 it may still have been the junta's. --explain lists the reports:\n"
            f"  {prefix} who-held {place} --on {day} --explain\n"
        )
    print_who_held(explained)
    if not quiet:
        click.echo("\nTry next:")
        for line in (
            "timeline lonton",
            "who-held 'Gwaykhar Road' --on 2026-02-06 --explain",
            "who-held lonton --on 2026-02-06 --independent-only     (without the KIA's own claims)",
            "who-held 'Gwaykhar Road' --on 2026-02-06 --min-confidence medium",
            "who-held 'Gwaykhar Road' --on 2026-02-06 --by bloc",
            "path seng-tawng indawgyi --on 2026-02-07 --party kia",
            "changes --from 2026-02-01 --to 2026-02-07",
            "who-held Mongnar --on 2026-02-05      (two villages share that name)",
        ):
            click.echo(f"  {prefix} {line}")
