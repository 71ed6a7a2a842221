"""Answers as a person reads them: headings, aligned tables, and the marks that keep an
uncertain or disputed answer from passing for a certain one.

Columns appear only when something is in them, so data that uses none of contract
section 4 reads as it always did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import click

from control_graph import query
from control_graph.cli.base import print_table, print_text_table, title_of, view_of
from control_graph.dataset.fields import SECTION_NOUNS
from control_graph.model.access import AccessState
from control_graph.model.states import State
from control_graph.model.timeline import Change, Interval
from control_graph.query.results import Report

__all__ = [
    "count_of",
    "counts_of",
    "print_changes",
    "print_explanation",
    "print_timeline",
    "print_who_held",
    "trust_words",
]


#: Each count's word, singular and plural: the dataset's sections, and what else an
#: import counts.
_WORDS: Mapping[str, tuple[str, str]] = {
    **{section: (noun, section) for section, noun in SECTION_NOUNS.items()},
    "access": ("access record", "access records"),
    "records": ("record", "records"),
    "definitions": ("definition", "definitions"),
}


def count_of(number: int, key: str) -> str:
    """``1 bloc``, ``2 blocs``, ``1 access record``: a count under a dataset section's
    name (any other key is kept as it is: ``2 corrected``) with the word in the right
    number."""
    singular, plural = _WORDS.get(key, (key, key))
    return f"{number:,} {singular if number == 1 else plural}"


def counts_of(counts: Mapping[str, int]) -> str:
    """The non-zero counts, in their order (``4 parties, 1 bloc``); ``-`` when none."""
    return ", ".join(count_of(n, key) for key, n in counts.items() if n) or "-"


def trust_words(otherwise: State | None, disputed: bool = False) -> str:
    """``UNCERTAIN (else held by west)``, ``DISPUTED``, both, or nothing: in capitals,
    so that they are not read past."""
    words = []
    if otherwise is not None:
        words.append(f"UNCERTAIN (else {otherwise.describe()})")
    if disputed:
        words.append("DISPUTED")
    return ", ".join(words)


def _access(state: AccessState | None) -> str | None:
    if state is None:
        return None
    return state.access.value + (f" by {state.party}" if state.party else "")


def _view(answer: query.WhoHeldResult | query.TimelineResult, scenario: str | None) -> str:
    filters = answer.filters
    return view_of(
        as_of=answer.as_of,
        by=answer.by,
        scenario=scenario,
        min_confidence=filters.min_confidence.value if filters.min_confidence else None,
        independent_only=filters.independent_only,
    )


def print_who_held(answer: query.WhoHeldResult, scenario: str | None = None) -> None:
    """The answer on one line, then its warnings, segments, claims and explanation."""
    heading = f"{title_of(answer.element, answer.type, answer.name)} on {answer.date}"
    mark = trust_words(answer.otherwise, answer.disputed)
    click.echo(
        f"{heading}{_view(answer, scenario)}: {answer.state.describe()}"
        + (f"  -- {mark}" if mark else "")
    )
    if answer.otherwise is not None:
        click.echo(
            f"  uncertain: the data's rough dates allow {answer.otherwise.describe()} instead"
        )
    if answer.type != "place":
        if answer.access is not None:
            click.echo(f"  access: {answer.access.value} (the most restrictive on it)")
        _segments(answer.segments)
    if answer.shares:
        shares = ", ".join(f"{s.state.describe()} {s.km:g} km" for s in answer.shares)
        click.echo(f"  road-km: {shares}")
    if answer.claims:
        click.echo("  disputed: rival claims within the dispute window")
        print_table(
            [
                (
                    c.element,
                    c.event.date,
                    c.event.state.describe(),
                    c.event.claimant or "independent",
                    c.event.source,
                    c.event.id,
                )
                for c in answer.claims
            ],
            ("element", "date", "says", "claimant", "source", "id"),
            indent="    ",
        )
    if answer.explain is not None:
        print_explanation(answer.explain)


def _segments(segments: Sequence[query.SegmentState]) -> None:
    trust = [trust_words(s.otherwise, s.disputed) for s in segments]
    access = [_access(s.access) for s in segments]
    header = ["segment", "from", "to", "status", "controller"]
    rows: list[list[object]] = [
        [s.id, s.start, s.end, s.state.status.value, s.state.controller] for s in segments
    ]
    for name, column in (("trust", trust), ("access", access)):
        if any(column):
            header.append(name)
            for row, value in zip(rows, column, strict=True):
                row.append(value or "")
    print_table(rows, header)


def print_explanation(reports: Sequence[Report]) -> None:
    """The reports behind an answer, one line each (contract section 4.4)."""
    if not reports:
        click.echo("  no report decides this answer")
        return
    click.echo("  reports behind this answer:")
    # A report that lapses says so in a column of its own, beside its date: the day it
    # stops counting is what explains a change nobody reported.
    lapsing = any(report.event.until for report in reports)
    header = ["element", "role", "date", *(["until"] if lapsing else [])]
    rows: list[list[object]] = []
    for report in reports:
        e = report.event
        when = e.date.isoformat() + (f"..{e.date_latest}" if e.date_latest else "")
        rows.append(
            [
                report.element,
                report.role,
                when,
                *([e.until] if lapsing else []),
                e.state.describe(),
                e.claimant or "independent",
                e.source,
                e.confidence.value if e.confidence else None,
                e.kind,
                e.note,
            ]
        )
    header += ["says", "claimant", "source", "confidence", "kind", "note"]
    print_table(rows, header, indent="    ")
    if lapsing:
        click.echo("    until: the report counts only on days before it")


def print_timeline(answer: query.TimelineResult, scenario: str | None = None) -> None:
    view = _view(answer, scenario)
    click.echo(title_of(answer.element, answer.type, answer.name) + view.replace(", ", " ", 1))
    if not answer.intervals:
        click.echo("  never known in this window")
        return
    _intervals(answer.intervals)


def _intervals(intervals: Sequence[Interval]) -> None:
    header = ["from", "to (exclusive)", "status", "controller"]
    rows: list[list[object]] = [
        [i.start, i.end, i.state.status.value, i.state.controller] for i in intervals
    ]
    if any(i.uncertain for i in intervals):
        header.append("trust")
        for row, interval in zip(rows, intervals, strict=True):
            row.append(trust_words(interval.otherwise))
    print_table(rows, header)


def print_changes(changes: Sequence[Change]) -> None:
    if not changes:
        click.echo("no changes in this window")
        return
    header: tuple[str, ...] = ("date", "element", "type", "from", "to")
    # Each distinct day and state put in words once, and the rows made as text: a
    # month of a national network's changes is a quarter of a million lines over a
    # few dozen days and states.
    words: dict[object, str] = {}

    def word(value: State | dt.date) -> str:
        found = words.get(value)
        if found is None:
            found = words[value] = (
                value.describe() if isinstance(value, State) else value.isoformat()
            )
        return found

    rows: list[tuple[str, ...]] = [
        (word(c.date), c.element, c.type, word(c.before), word(c.after)) for c in changes
    ]
    if any(c.otherwise is not None for c in changes):
        header += ("trust",)
        rows = [(*row, trust_words(c.otherwise)) for row, c in zip(rows, changes, strict=True)]
    print_text_table(rows, header)
