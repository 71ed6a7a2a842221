"""The ``check`` command: a data-quality report to read before trusting the answers."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import textwrap

import click

from control_graph import query
from control_graph.check import CODES, CheckReport, Finding, Severity, check_dataset
from control_graph.check.run import DEFAULT_STALE_DAYS
from control_graph.check.words import plural
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
from control_graph.model.disputes import DEFAULT_DISPUTE_WINDOW

#: Findings shown per code in the table unless --limit says otherwise (--json shows all).
DEFAULT_LIMIT = 20
_WIDTH = max(len(code.value) for code in CODES)
EPILOG = "\b\nChecks (CODE, usual severity, what it looks for):\n" + "\n".join(
    f"  {code.value:<{_WIDTH}}  {info.severity.value:<7}  {info.summary}"
    for code, info in CODES.items()
)


@main.command(context_settings=CONTEXT, epilog=EPILOG)
@click.option(
    "--today",
    type=DATE,
    help="The day after which dates are in the future, and on which answers are checked "
    "(default: today).",
)
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice([code.value for code in CODES]),
    metavar="CODE",
    help="Run only this check (repeatable). The codes are listed below.",
)
@click.option(
    "--stale-days",
    type=click.IntRange(min=0),
    default=DEFAULT_STALE_DAYS,
    show_default=True,
    metavar="N",
    help="Reports older than N days before --today are old news (stale-element, "
    "contested-without-until).",
)
@click.option(
    "--dispute-window",
    type=click.IntRange(min=0),
    default=DEFAULT_DISPUTE_WINDOW,
    show_default=True,
    metavar="DAYS",
    help="Days before a deciding report within which a differing claim disputes it "
    "(unresolved-dispute), as in who-held.",
)
@click.option(
    "--deep",
    is_flag=True,
    help="Also recompute every stored state span from the events and compare (stale-spans).",
)
@click.option("--repair", is_flag=True, help="With --deep: rewrite the spans found stale.")
@click.option(
    "--strict",
    is_flag=True,
    help="Exit with status 1 when there is any warning.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="Findings shown per code in the table; 0 shows all (--json always shows all).",
)
@scenario_option
@json_option
@with_model
def check(
    model: query.Model,
    today: dt.date | None,
    only: tuple[str, ...],
    stale_days: int,
    dispute_window: int,
    deep: bool,
    repair: bool,
    strict: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Check the data for contradictions, impossible dates, holes in the network, and
    answers that rest on old news, open disputes or reports that never lapse.

    Lists each finding with a code, a severity (warning: answers may be wrong; info:
    worth knowing), the element, a date and what to do. Answers are checked as they
    stand on --today. Exit status 0, even with findings; with --strict, 1 when there is
    a warning. docs/check.md explains every code.

    \b
    Examples:
      control-graph check
      control-graph check --strict --only contradictory-reports --only event-in-future
      control-graph check --today 2026-02-07 --json
      control-graph check --today 2026-02-07 --stale-days 30 --only stale-element
      control-graph check --scenario bhamo-falls
      control-graph check --deep --only stale-spans
    """
    report = check_dataset(
        model,
        today=today,
        only=only or None,
        stale_days=stale_days,
        dispute_window=dispute_window,
        deep=deep,
    )
    if repair and deep and report.counts().get("stale-spans"):
        written = model.rebuild_spans()
        click.echo(f"Rewrote the state spans from the events ({written} spans).", err=True)
    if as_json:
        emit_json(report.as_dict())
    else:
        _print_report(report, model, limit)
    if strict and report.has_warnings:
        click.echo(f"control-graph: {plural(report.warnings, 'warning')} (--strict)", err=True)
        click.get_current_context().exit(1)


def _tally(findings: list[Finding]) -> str:
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    parts = [plural(warnings, "warning")] if warnings else []
    if len(findings) > warnings:
        parts.append(f"{len(findings) - warnings} info")
    return ", ".join(parts)


def _print_findings(findings: list[Finding]) -> None:
    """An aligned table whose last column, the message, wraps to the terminal width."""
    header = ("severity", "date", "element", "message")
    rows = [[f.severity.value, _text(f.date), _text(f.element), f.message] for f in findings]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    lead = 2 + sum(w + 2 for w in widths)
    room = max(40, shutil.get_terminal_size((120, 24)).columns - lead)
    for row in [list(header), *rows]:
        cells = "  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True))
        lines = textwrap.wrap(row[3], room) or [""]
        click.echo(f"  {cells}  {lines[0]}")
        for line in lines[1:]:
            click.echo(" " * lead + line)


def _text(value: object) -> str:
    return "-" if value is None else str(value)


def _print_report(report: CheckReport, model: query.Model, limit: int) -> None:
    name = model.dataset_name()
    scenario = f", scenario {model.scenario_name}" if model.scenario_name else ""
    click.echo(
        f"Checked {name + ' in ' if name else ''}{model.url}{scenario} (today: {report.today})"
    )
    for code, group in itertools.groupby(report.findings, key=lambda f: f.code):
        findings = list(group)
        click.echo()
        click.echo(f"{code.value}: {_tally(findings)} -- {CODES[code].summary}")
        shown = findings if limit == 0 else findings[:limit]
        _print_findings(shown)
        if len(shown) < len(findings):
            click.echo(
                f"  ... and {len(findings) - len(shown)} more (--limit 0 or --json shows them all)"
            )
    click.echo()
    rows = []
    for code in report.codes:
        findings = [f for f in report.findings if f.code is code]
        warnings = sum(f.severity is Severity.WARNING for f in findings)
        infos = len(findings) - warnings
        rows.append((code.value, warnings or None, infos or None, CODES[code].summary))
    print_table(rows, ("check", "warnings", "info", "looks for"), indent="")
    click.echo()
    if report.findings:
        click.echo(f"{_tally(list(report.findings))} in {len(report.codes)} checks.")
    else:
        click.echo(f"No findings in {len(report.codes)} checks.")
