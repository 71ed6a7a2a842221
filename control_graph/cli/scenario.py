"""Scenario commands: scenario create/import/list/show/delete/suppress/unsuppress/add-event,
compare, and events (which lists the event numbers and record ids that suppress takes)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

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
    print_table,
    quiet_option,
    scenario_option,
    window_options,
    with_model,
)
from control_graph.cli.commands import csv_options, import_with_progress, print_import
from control_graph.cli.format import count_of
from control_graph.model.states import State
from control_graph.scenario import compare as compare_models

if TYPE_CHECKING:
    from control_graph.store.reports import EventRecord


@main.group(context_settings=CONTEXT)
def scenario() -> None:
    """What-if overlays on the reported data, which they never change.

    \b
    Example:
      control-graph scenario create bhamo-falls --description "KIA takes Bhamo"
      control-graph scenario add-event bhamo-falls --on 2026-03-01 --place bhamo --party kia
      control-graph compare reported bhamo-falls --on 2026-03-02 --between bhamo,myitkyina
    """


@scenario.command("create", context_settings=CONTEXT)
@click.argument("name")
@click.option(
    "--from",
    "base",
    metavar="SCENARIO",
    help="Base it on another scenario (default: the reported data).",
)
@click.option("--description", help="What the scenario supposes.")
@json_option
@with_model
def create(
    model: query.Model, name: str, base: str | None, description: str | None, as_json: bool
) -> None:
    """Create a scenario NAME (lower-case letters, digits, '.', '_', '-').

    \b
    Example:
      control-graph scenario create bhamo-falls --description "KIA takes Bhamo"
    """
    existing = {s.name for s in model.scenarios()}
    if name in existing:
        raise click.UsageError(f"a scenario called {name!r} already exists")
    model.scenario(name, base=base or "reported", description=description)
    info = next(s for s in model.scenarios() if s.name == name)
    if as_json:
        emit_json(info.as_dict())
    else:
        click.echo(f"Created scenario {name} on {info.base}.")


@scenario.command("import", context_settings=CONTEXT)
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@csv_options
@json_option
@quiet_option
@with_model
def import_into(
    model: query.Model,
    name: str,
    file: str,
    columns: dict[str, str],
    date_format: str | None,
    delimiter: str | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Load places, segments, roads, events and incidents from FILE into scenario NAME.

    The file has the dataset format (a CSV from a spreadsheet is read as by `import`);
    parties, blocs and sources belong to the reported data and are refused here.

    \b
    Examples:
      control-graph scenario import bhamo-falls bhamo-falls.yaml
      control-graph scenario import bhamo-falls sheet.csv --date-format %d/%m/%Y
    """
    report = import_with_progress(
        model.scenario(name, create=False),
        file,
        quiet=quiet or as_json,
        columns=columns,
        date_format=date_format,
        delimiter=delimiter,
    )
    if as_json:
        emit_json(report.as_dict())
    else:
        print_import(report, quiet=quiet)


@scenario.command("add-event", context_settings=CONTEXT)
@click.argument("name")
@click.option("--on", "on", type=DATE, required=True, help="The event's date.")
@click.option("--place", help="Place id.")
@click.option("--segment", help="Segment id.")
@click.option("--road", help="Road id.")
@click.option("--party", help="Party id (required when held).")
@click.option(
    "--status",
    type=click.Choice(["held", "contested", "unknown"]),
    default="held",
    show_default=True,
)
@click.option("--kind", default="hypothesis", show_default=True, help="Free-text label.")
@click.option("--note", help="Why this is supposed.")
@json_option
@with_model
def add_event(
    model: query.Model,
    name: str,
    on: dt.date,
    place: str | None,
    segment: str | None,
    road: str | None,
    party: str | None,
    status: str,
    kind: str,
    note: str | None,
    as_json: bool,
) -> None:
    """Add one hypothetical event to scenario NAME.

    \b
    Example:
      control-graph scenario create bhamo-falls
      control-graph scenario add-event bhamo-falls --on 2026-03-01 --place bhamo --party kia
    """
    target = model.scenario(name, create=False)
    import_id = target.add_event(
        on,
        place=place,
        segment=segment,
        road=road,
        party=party,
        status=status,
        kind=kind,
        note=note,
    )
    if as_json:
        emit_json({"scenario": name, "import_id": import_id})
    else:
        click.echo(f"Added to {name} (import #{import_id}).")


def _event_refs(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> list[int | str]:
    """Event numbers (digits) as numbers; anything else is a record id."""
    return [int(value) if value.isdigit() else value for value in values]


def _numbers(refs: list[int | str], numbers: list[int]) -> str:
    """`` (event 12)`` after a count, when record ids were given: which events they are."""
    if all(isinstance(ref, int) for ref in refs):
        return ""
    word = "event" if len(numbers) == 1 else "events"
    return f" ({word} {', '.join(map(str, numbers))})"


@scenario.command("suppress", context_settings=CONTEXT)
@click.argument("name")
@click.argument("events", metavar="EVENT...", nargs=-1, required=True, callback=_event_refs)
@click.option("--note", help="Why the report is supposed false.")
@json_option
@with_model
def suppress(
    model: query.Model, name: str, events: list[int | str], note: str | None, as_json: bool
) -> None:
    """Suppose events false in scenario NAME: event numbers or record ids, as
    `control-graph events` lists them.

    A record id (e.g. kng-e12) names every version of that record the scenario sees; a
    number, one event (a record id made of digits only: give its event numbers). All
    or none: an event the scenario does not see is an error, and nothing is changed.

    \b
    Examples:
      control-graph scenario create recapture-false
      control-graph scenario suppress recapture-false kng-e12 --note "single source"
    """
    target = model.scenario(name, create=False)
    numbers = target.suppress_event(*events, note=note)
    if as_json:
        emit_json({"scenario": name, "suppressed": events, "events": numbers})
    else:
        click.echo(
            f"Suppressed {count_of(len(numbers), 'events')} in {name}{_numbers(events, numbers)}."
        )


@scenario.command("unsuppress", context_settings=CONTEXT)
@click.argument("name")
@click.argument("events", metavar="EVENT...", nargs=-1, required=True, callback=_event_refs)
@json_option
@with_model
def unsuppress(model: query.Model, name: str, events: list[int | str], as_json: bool) -> None:
    """Count events scenario NAME supposed false again (event numbers or record ids).

    \b
    Example:
      control-graph scenario create recapture-false
      control-graph scenario suppress recapture-false kng-e12
      control-graph scenario unsuppress recapture-false kng-e12
    """
    target = model.scenario(name, create=False)
    numbers = target.unsuppress_event(*events)
    if as_json:
        emit_json({"scenario": name, "unsuppressed": events, "events": numbers})
    else:
        click.echo(
            f"{name} counts {count_of(len(numbers), 'events')} again{_numbers(events, numbers)}."
        )


@scenario.command("list", context_settings=CONTEXT)
@json_option
@with_model
def list_(model: query.Model, as_json: bool) -> None:
    """Every scenario, with its base and what it holds.

    \b
    Example:
      control-graph scenario list
    """
    infos = model.scenarios()
    if as_json:
        emit_json({"scenarios": [i.as_dict() for i in infos]})
        return
    if not infos:
        click.echo("no scenarios yet (control-graph scenario create NAME)")
        return
    print_table(
        [
            (i.name, i.base, i.events, i.suppressed, i.places + i.segments, i.description)
            for i in infos
        ],
        ("scenario", "based on", "events", "suppressed", "places+segments", "description"),
    )


@scenario.command("show", context_settings=CONTEXT)
@click.argument("name")
@json_option
@with_model
def show(model: query.Model, name: str, as_json: bool) -> None:
    """A scenario's description and its own events (suppressed reports marked).

    \b
    Example:
      control-graph scenario create recapture-false
      control-graph scenario suppress recapture-false kng-e12
      control-graph scenario show recapture-false
    """
    target = model.scenario(name, create=False)
    info = next(s for s in model.scenarios() if s.name == name)
    own = [e for e in target.events() if e.scenario == name or e.suppressed]
    if as_json:
        emit_json({**info.as_dict(), "events": [e.as_dict() for e in own]})
        return
    click.echo(
        f"{info.name}: based on {info.base}"
        + (f" -- {info.description}" if info.description else "")
    )
    _print_events(own)


@scenario.command("delete", context_settings=CONTEXT)
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_option
@with_model
def delete(model: query.Model, name: str, yes: bool, as_json: bool) -> None:
    """Delete scenario NAME and everything it added (never reported data).

    \b
    Example:
      control-graph scenario create bhamo-falls
      control-graph scenario delete bhamo-falls --yes
    """
    model.scenario(name, create=False)
    if not yes and not as_json:
        click.confirm(f"Delete scenario {name} and everything it added?", abort=True, err=True)
    model.delete_scenario(name)
    if as_json:
        emit_json({"deleted": name})
    else:
        click.echo(f"Deleted scenario {name}.")


def _print_events(events: list[EventRecord]) -> None:
    """One line per event: its number and record id (which `scenario suppress` and
    `retract` take), what it says, its layer, and the day it was retracted, if it was."""
    if not events:
        click.echo("  no events")
        return
    header = ["event", "id", "date", "element", "status", "party", "kind", "source", "layer"]
    rows: list[list[object]] = [
        [
            e.id,
            e.record.id,
            e.date,
            e.target_id,
            e.status,
            e.party,
            e.kind,
            e.source,
            "suppressed" if e.suppressed else (e.scenario or "reported"),
        ]
        for e in events
    ]
    if any(e.retracted for e in events):
        header.append("retracted")
        for row, event in zip(rows, events, strict=True):
            row.append(event.retracted or "")
    print_table(rows, header)


@main.command(context_settings=CONTEXT)
@click.argument("element", required=False)
@window_options
@click.option("--limit", type=int, help="At most this many events.")
@scenario_option
@json_option
@with_model
def events(
    model: query.Model,
    element: str | None,
    start: dt.date | None,
    end: dt.date | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """The reports about an element (or all), in the order they count: each with its
    event number and its record id (either names it to `scenario suppress`; the id to
    `retract`), and the day it was retracted, if it was (it then counts only --as-of an
    earlier day).

    \b
    Example:
      control-graph events lonton
    """
    found = model.events(element, start=start, end=end, limit=limit)
    if as_json:
        emit_json({"events": [e.as_dict() for e in found]})
    else:
        _print_events(found)


def _state(state: State | None) -> str:
    return "(absent)" if state is None else state.describe()


@main.command(context_settings=CONTEXT)
@click.argument("a")
@click.argument("b")
@click.option("--on", "on", type=DATE, help="The day compared.")
@window_options
@click.option(
    "--between", metavar="P1,P2,...", help="Places whose every pair is checked for reachability."
)
@click.option(
    "--road",
    "roads",
    multiple=True,
    metavar="ROAD",
    help="Check reachability between this road's ends (repeatable).",
)
@as_of_option
@by_option
@json_option
@with_model
def compare(
    model: query.Model,
    a: str,
    b: str,
    on: dt.date | None,
    start: dt.date | None,
    end: dt.date | None,
    between: str | None,
    roads: tuple[str, ...],
    as_of: dt.date | None,
    by: str,
    as_json: bool,
) -> None:
    """Compare two scenarios (or `reported`) on a day, or over --from/--to.

    \b
    Example:
      control-graph scenario create bhamo-falls
      control-graph scenario add-event bhamo-falls --on 2026-03-01 --place bhamo --party kia
      control-graph compare reported bhamo-falls --on 2026-03-02 --between bhamo,myitkyina
    """
    if on is None and (start is None or end is None):
        raise click.UsageError("give --on DATE, or a window with --from and --to")
    if on is not None and (start is not None or end is not None):
        raise click.UsageError("give --on, or --from/--to, not both")
    places = [p.strip() for p in between.split(",") if p.strip()] if between else []
    result = compare_models(
        model.scenario(a, create=False),
        model.scenario(b, create=False),
        on=on,
        start=start,
        end=end,
        by=by,
        as_of=as_of,
        between=places,
        roads=list(roads),
    )
    if as_json:
        emit_json(result.as_dict())
        return
    when = f"on {result.date}" if result.date else f"from {result.start} to {result.end}"
    click.echo(f"{result.a} vs {result.b}, {when}" + (", by bloc" if by == "bloc" else ""))
    click.echo(f"\n{len(result.differences)} place(s)/segment(s) differ:")
    if result.differences:
        header: tuple[str, ...] = ("element", "type", result.a, result.b)
        rows: list[tuple[Any, ...]] = [
            (d.element, d.type, _state(d.a), _state(d.b)) for d in result.differences
        ]
        if result.date is None:
            header = (*header, "days differing")
            rows = [(*r, d.days) for r, d in zip(rows, result.differences, strict=True)]
        print_table(rows, header)
    changed_roads = [r for r in result.roads if r.differs]
    click.echo(f"\nRoads ({len(changed_roads)} of {len(result.roads)} differ):")
    print_table(
        [(r.road, _state(r.a), _state(r.b), "*" if r.differs else "") for r in result.roads],
        ("road", result.a, result.b, "differs"),
    )
    click.echo("\nRoad-km held:")
    keys = sorted(set(result.km_a) | set(result.km_b))
    print_table(
        [(k, f"{result.km_a.get(k, 0.0):.1f}", f"{result.km_b.get(k, 0.0):.1f}") for k in keys],
        ("", result.a, result.b),
    )
    if result.reachability:
        click.echo("\nReachable on own ground (km):")
        print_table(
            [
                (
                    r.start,
                    r.end,
                    r.controller,
                    _km(r.a_km),
                    _km(r.b_km),
                    "*" if (r.a_km is None) != (r.b_km is None) else "",
                )
                for r in result.reachability
            ],
            ("from", "to", "by", result.a, result.b, "differs"),
        )


def _km(value: float | None) -> str:
    return "no path" if value is None else f"{value:.1f}"
