"""A data-quality report to read before trusting the answers: contradictory reports,
impossible dates, gaps in the network and definitions nothing uses.

:func:`check_dataset` runs every check (or those named) over a database and returns a
:class:`CheckReport` of :class:`Finding` values. Each finding has a stable ``code`` (a
slug, listed in :class:`Code` and explained in ``docs/check.md``), a severity, the
element it is about, a date where one applies and a message saying what is wrong, why
it matters and what to do. A *warning* is something that can make an answer wrong or
reflects a mistake in the data; *info* is worth knowing but may well be intended.

The checks about events run as a few grouped or filtered queries (see
:mod:`control_graph.store.audit`), so only the suspicious rows leave the database; the
checks about the network read the definitions once.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from control_graph.errors import InvalidArgumentError
from control_graph.model.dates import parse_date
from control_graph.model.records import Bloc, Membership, Party, Place, Road, Segment, Source
from control_graph.store import audit, db
from control_graph.store.scenarios import overlay_for

if TYPE_CHECKING:
    from control_graph.query import Model

__all__ = ["CODES", "CheckReport", "Code", "Finding", "Severity", "check_dataset"]


class Severity(StrEnum):
    """How much a finding matters: ``warning`` can make answers wrong, ``info`` is worth
    knowing."""

    WARNING = "warning"
    INFO = "info"


class Code(StrEnum):
    """The kinds of finding, as stable slugs (``docs/check.md`` explains each one)."""

    CONTRADICTORY_REPORTS = "contradictory-reports"
    EVENT_IN_FUTURE = "event-in-future"
    RECORDED_IN_FUTURE = "recorded-in-future"
    RECORDED_BEFORE_DATE = "recorded-before-date"
    EVENT_AFTER_SOURCE = "event-after-source"
    EVENT_BEFORE_FIRST_STATE = "event-before-first-state"
    DUPLICATE_EVENT = "duplicate-event"
    SELF_LOOP_SEGMENT = "self-loop-segment"
    ROAD_GAP = "road-gap"
    DISCONNECTED_PLACE = "disconnected-place"
    SEPARATE_COMPONENT = "separate-component"
    MISSING_COORDINATES = "missing-coordinates"
    OVERLAPPING_BLOC_MEMBERSHIP = "overlapping-bloc-membership"
    EMPTY_BLOC = "empty-bloc"
    PLACE_NEVER_KNOWN = "place-never-known"
    UNUSED_PARTY = "unused-party"
    UNUSED_SOURCE = "unused-source"


@dataclass(frozen=True)
class CodeInfo:
    """What a code means in one line, and the severity its findings usually have."""

    severity: Severity
    summary: str


_WARNING, _INFO = Severity.WARNING, Severity.INFO
#: Every check, in the order reports list them.
CODES: Mapping[Code, CodeInfo] = {
    Code.CONTRADICTORY_REPORTS: CodeInfo(_WARNING, "reports on one element and day disagree"),
    Code.EVENT_IN_FUTURE: CodeInfo(_WARNING, "dated after today"),
    Code.RECORDED_IN_FUTURE: CodeInfo(_WARNING, "recorded after today"),
    Code.RECORDED_BEFORE_DATE: CodeInfo(_WARNING, "recorded before the day it happened"),
    Code.EVENT_AFTER_SOURCE: CodeInfo(_WARNING, "dated after its source was published"),
    Code.EVENT_BEFORE_FIRST_STATE: CodeInfo(
        _WARNING, "segment or road report dated before both ends of the segment are known"
    ),
    Code.DUPLICATE_EVENT: CodeInfo(_INFO, "the same event stored more than once"),
    Code.SELF_LOOP_SEGMENT: CodeInfo(_WARNING, "segment joining a place to itself"),
    Code.ROAD_GAP: CodeInfo(_WARNING, "consecutive segments of a road share no place"),
    Code.DISCONNECTED_PLACE: CodeInfo(_WARNING, "place on no segment"),
    Code.SEPARATE_COMPONENT: CodeInfo(_INFO, "places not joined to the main network"),
    Code.MISSING_COORDINATES: CodeInfo(
        _WARNING, "place without coordinates next to places that have them"
    ),
    Code.OVERLAPPING_BLOC_MEMBERSHIP: CodeInfo(
        _WARNING, "a party's bloc memberships overlap in time"
    ),
    Code.EMPTY_BLOC: CodeInfo(_INFO, "bloc without members"),
    Code.PLACE_NEVER_KNOWN: CodeInfo(_INFO, "place whose state is never known"),
    Code.UNUSED_PARTY: CodeInfo(_INFO, "party named by no event or incident"),
    Code.UNUSED_SOURCE: CodeInfo(_INFO, "source cited by no event or incident"),
}
_ORDER = {code: i for i, code in enumerate(CODES)}
_DATED = {Code.EVENT_IN_FUTURE, Code.RECORDED_IN_FUTURE, Code.RECORDED_BEFORE_DATE}


@dataclass(frozen=True)
class Finding:
    """One problem (or point worth knowing) found in the data.

    ``element`` and ``type`` name what the finding is about (a place, segment, road,
    party, bloc or source); ``related`` lists other elements involved; ``details``
    holds further JSON-ready values specific to the code (the reports that disagree,
    where an event is in which file, ...).
    """

    code: Code
    severity: Severity
    message: str
    element: str | None = None
    type: str | None = None
    date: dt.date | None = None
    related: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready values."""
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "element": self.element,
            "type": self.type,
            "date": _iso(self.date),
            "message": self.message,
            "related": list(self.related),
            **self.details,
        }


@dataclass(frozen=True)
class CheckReport:
    """The findings of :func:`check_dataset`, ordered by code, element and date.

    ``codes`` are the checks that ran (all of them unless some were chosen), so a code
    with no finding is known to have been checked.
    """

    findings: tuple[Finding, ...]
    today: dt.date
    codes: tuple[Code, ...]

    @property
    def warnings(self) -> int:
        """How many findings are warnings."""
        return sum(f.severity is Severity.WARNING for f in self.findings)

    @property
    def has_warnings(self) -> bool:
        return self.warnings > 0

    def counts(self) -> dict[str, int]:
        """Findings per code, for every code checked (zero included)."""
        counts = dict.fromkeys((code.value for code in self.codes), 0)
        for finding in self.findings:
            counts[finding.code.value] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        """The report as the JSON document ``control-graph check --json`` prints."""
        return {
            "today": self.today.isoformat(),
            "findings": [finding.as_dict() for finding in self.findings],
            "counts": self.counts(),
            "severities": {
                Severity.WARNING.value: self.warnings,
                Severity.INFO.value: len(self.findings) - self.warnings,
            },
        }


def check_dataset(
    model: Model,
    *,
    today: dt.date | str | None = None,
    only: Iterable[str] | None = None,
) -> CheckReport:
    """Check the data in a database for contradictions, impossible dates and holes.

    Parameters
    ----------
    model
        The database to check. A model opened on a scenario checks what that scenario's
        answers come from: the reported data, the scenario's rows and its bases', less
        the events it supposes false.
    today
        The day after which a date is in the future (default: the computer's today).
    only
        Run only these checks (codes of :class:`Code`); default: all.

    Returns
    -------
    CheckReport
        The findings, by code (in the order of :data:`CODES`), element and date.

    Raises
    ------
    InvalidArgumentError
        When ``today`` is not a day or ``only`` names a code that does not exist.

    Examples
    --------
    >>> import control_graph as cg
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> report = check_dataset(model, today="2026-03-01")
    >>> report.has_warnings
    False
    >>> report.counts()["place-never-known"]
    8
    >>> check_dataset(model, today="2026-02-01", only=["event-in-future"]).counts()
    {'event-in-future': 14}
    """
    day = dt.date.today() if today is None else _parse_today(today)
    codes = _chosen(only)
    findings: list[Finding] = []
    with db.translate_errors(model.engine), model.engine.connect() as conn:
        seen = overlay_for(conn, model.scenario_name)
        if Code.CONTRADICTORY_REPORTS in codes:
            findings.extend(_contradictions(audit.read_same_day_reports(conn, overlay=seen)))
        if codes & _DATED:
            dated = audit.read_dated_problems(conn, day, overlay=seen)
            findings.extend(_dated(dated, day, codes))
        if Code.EVENT_AFTER_SOURCE in codes:
            findings.extend(_late_citations(audit.read_late_citations(conn, overlay=seen)))
        if Code.EVENT_BEFORE_FIRST_STATE in codes:
            early = audit.read_early_segment_reports(conn, overlay=seen)
            findings.extend(_early_reports(early))
        if Code.DUPLICATE_EVENT in codes:
            findings.extend(_duplicates(audit.read_duplicate_events(conn, overlay=seen)))
        if Code.PLACE_NEVER_KNOWN in codes:
            findings.extend(_never_known(audit.read_never_known_places(conn, overlay=seen)))
        used_parties: set[str] = set()
        used_sources: set[str] = set()
        if codes & {Code.UNUSED_PARTY, Code.UNUSED_SOURCE}:
            used_parties, used_sources = audit.read_used_ids(conn, overlay=seen)
    network = {
        Code.SELF_LOOP_SEGMENT,
        Code.ROAD_GAP,
        Code.DISCONNECTED_PLACE,
        Code.SEPARATE_COMPONENT,
        Code.MISSING_COORDINATES,
    }
    if codes & network:
        places = model.places()
        segments = model.segments()
        if Code.SELF_LOOP_SEGMENT in codes:
            findings.extend(_self_loops(segments))
        if Code.ROAD_GAP in codes:
            findings.extend(_road_gaps(model.roads(), segments))
        if codes & {Code.DISCONNECTED_PLACE, Code.SEPARATE_COMPONENT}:
            findings.extend(_connectivity(places, segments, codes))
        if Code.MISSING_COORDINATES in codes:
            findings.extend(_missing_coordinates(places, segments))
    needs_blocs = {Code.OVERLAPPING_BLOC_MEMBERSHIP, Code.EMPTY_BLOC, Code.UNUSED_PARTY}
    blocs = model.blocs() if codes & needs_blocs else []
    if Code.OVERLAPPING_BLOC_MEMBERSHIP in codes:
        findings.extend(_overlapping_memberships(blocs))
    if Code.EMPTY_BLOC in codes:
        findings.extend(_empty_blocs(blocs))
    if Code.UNUSED_PARTY in codes:
        findings.extend(_unused_parties(model.parties(), used_parties, blocs))
    if Code.UNUSED_SOURCE in codes:
        findings.extend(_unused_sources(model.sources(), used_sources))
    findings.sort(key=_sort_key)
    return CheckReport(tuple(findings), day, tuple(c for c in CODES if c in codes))


def _parse_today(value: dt.date | str) -> dt.date:
    try:
        return parse_date(value)
    except InvalidArgumentError as error:
        raise InvalidArgumentError(f"today: {error}") from None


def _chosen(only: Iterable[str] | None) -> set[Code]:
    if only is None:
        return set(CODES)
    chosen: set[Code] = set()
    for text in only:
        try:
            chosen.add(Code(text))
        except ValueError:
            known = ", ".join(code.value for code in CODES)
            raise InvalidArgumentError(
                f"no check is called {text!r}; the checks: {known}"
            ) from None
    return chosen


def _sort_key(finding: Finding) -> tuple[int, str, dt.date, str]:
    return (
        _ORDER[finding.code],
        finding.element or "",
        finding.date or dt.date.min,
        finding.message,
    )


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _names(ids: Iterable[str], limit: int = 8) -> str:
    ids = list(ids)
    shown = ", ".join(ids[:limit])
    return shown if len(ids) <= limit else f"{shown} and {len(ids) - limit} more"


def _where(file: str, record: str, position: int) -> str:
    return f"{file}, {record} #{position}"


# -- events --------------------------------------------------------------------------


def _describe(status: str, party: str | None) -> str:
    return f"held by {party}" if status == "held" else status


def _contradictions(rows: Sequence[audit.SameDayReport]) -> Iterator[Finding]:
    """One finding per element and day on which reports disagree (see
    :func:`audit.read_same_day_reports` for which days those are)."""
    for (kind, element, day), group in itertools.groupby(
        rows, key=lambda r: (r.target_type, r.target_id, r.date)
    ):
        reports = list(group)
        claims: dict[str, list[str]] = {}
        for report in reports:
            claim = _describe(report.status, report.party)
            source = report.source or "no source"
            via = f", via road {report.via_road}" if report.via_road else ""
            claims.setdefault(claim, []).append(source + via)
        last = reports[-1]
        said = "; ".join(
            f"{claim} ({', '.join(dict.fromkeys(sources))})" for claim, sources in claims.items()
        )
        roads = tuple(sorted({r.via_road for r in reports if r.via_road}))
        yield Finding(
            Code.CONTRADICTORY_REPORTS,
            Severity.WARNING,
            f"{kind} {element} on {day}: {len(claims)} different states reported: {said}. "
            f"The last report counts ({_describe(last.status, last.party)}, "
            f"{_where(last.file, 'event', last.position)}); check the sources and keep, "
            "correct or mark as contested.",
            element,
            kind,
            day,
            roads,
            {
                "reports": [
                    {
                        "status": r.status,
                        "controller": r.party if r.status == "held" else None,
                        "party": r.party,
                        "source": r.source,
                        "recorded": _iso(r.recorded),
                        "road": r.via_road,
                        "file": r.file,
                        "import": r.import_id,
                        "position": r.position,
                    }
                    for r in reports
                ]
            },
        )


def _dated(
    rows: Sequence[audit.DatedRecord], today: dt.date, codes: Collection[Code]
) -> Iterator[Finding]:
    for r in rows:
        where = _where(r.file, r.record, r.position)
        place = {
            "record": r.record,
            "recorded": _iso(r.recorded),
            "source": r.source,
            "file": r.file,
            "import": r.import_id,
            "position": r.position,
        }
        about = f"{r.record.capitalize()} on {r.target_type} {r.target_id} ({where})"
        if r.date > today and Code.EVENT_IN_FUTURE in codes:
            yield Finding(
                Code.EVENT_IN_FUTURE,
                Severity.WARNING,
                f"{about} is dated {r.date}, after today ({today}): probably a mistyped "
                "date. Answers about that day and later include it.",
                r.target_id,
                r.target_type,
                r.date,
                details=place,
            )
        elif r.recorded is not None and r.recorded > today and Code.RECORDED_IN_FUTURE in codes:
            yield Finding(
                Code.RECORDED_IN_FUTURE,
                Severity.WARNING,
                f"{about}, dated {r.date}, is recorded on {r.recorded}, after today "
                f"({today}): probably a mistyped date. --as-of any day before "
                f"{r.recorded} leaves it out.",
                r.target_id,
                r.target_type,
                r.date,
                details=place,
            )
        if r.recorded is not None and r.recorded < r.date and Code.RECORDED_BEFORE_DATE in codes:
            yield Finding(
                Code.RECORDED_BEFORE_DATE,
                Severity.WARNING,
                f"{about} is recorded on {r.recorded}, before the day it happened "
                f"({r.date}): nothing is known before it happens. The two dates are "
                "probably swapped or mistyped.",
                r.target_id,
                r.target_type,
                r.date,
                details=place,
            )


def _late_citations(rows: Sequence[audit.LateCitation]) -> Iterator[Finding]:
    for r in rows:
        span = f"on {r.first}" if r.first == r.last else f"from {r.first} to {r.last}"
        yield Finding(
            Code.EVENT_AFTER_SOURCE,
            Severity.WARNING,
            f"{_plural(r.reports, r.record)} citing source {r.source} (published "
            f"{r.published}) {_are(r.reports)} dated after it ({span}): a source "
            "cannot report what had not happened yet. Check the dates, the source, or its "
            "publication date.",
            r.source,
            "source",
            r.first,
            details={
                "record": r.record,
                "count": r.reports,
                "published": r.published.isoformat(),
                "last": r.last.isoformat(),
            },
        )


def _early_reports(rows: Sequence[audit.EarlyReports]) -> Iterator[Finding]:
    own = [r for r in rows if r.via_road is None]
    by_road: dict[str, list[audit.EarlyReports]] = defaultdict(list)
    for r in rows:
        if r.via_road is not None:
            by_road[r.via_road].append(r)

    def known_from(r: audit.EarlyReports) -> tuple[dt.date, str]:
        later = max((r.start_known, r.start), (r.end_known, r.end))
        return later[0], later[1]

    def segment_detail(r: audit.EarlyReports) -> dict[str, Any]:
        day, place = known_from(r)
        return {
            "segment": r.segment,
            "count": r.reports,
            "first": r.first.isoformat(),
            "last": r.last.isoformat(),
            "known_from": day.isoformat(),
            "known_last": place,
        }

    for r in own:
        day, place = known_from(r)
        these = "this event" if r.reports == 1 else "these events"
        yield Finding(
            Code.EVENT_BEFORE_FIRST_STATE,
            Severity.WARNING,
            f"{_plural(r.reports, 'event')} on segment {r.segment}, from {r.first}, "
            f"{_are(r.reports)} dated before both its ends are known ({place} is first known "
            f"on {day}). From "
            f"{day} its state comes from its ends and {these} no longer count; if the "
            f"ends' first states describe the situation before "
            f"{r.first}, date them earlier.",
            r.segment,
            "segment",
            r.first,
            (r.start, r.end),
            segment_detail(r),
        )
    for road, segments in sorted(by_road.items()):
        first = min(r.first for r in segments)
        earliest = min(known_from(r)[0] for r in segments)
        names = _names(r.segment for r in segments)
        yield Finding(
            Code.EVENT_BEFORE_FIRST_STATE,
            Severity.WARNING,
            f"Events on road {road} dated from {first} come before both ends of "
            f"{_plural(len(segments), 'segment')} ({names}) are known (from {earliest} on). "
            "From then on those segments take their state from their ends and the events "
            "no longer count there; if the ends' first states describe the situation "
            "before the events, date them earlier.",
            road,
            "road",
            first,
            tuple(r.segment for r in segments),
            {"segments": [segment_detail(r) for r in segments]},
        )


def _duplicates(rows: Sequence[audit.DuplicateGroup]) -> Iterator[Finding]:
    for r in rows:
        imports = (
            f"import #{r.first_import}"
            if r.first_import == r.last_import
            else f"imports #{r.first_import} to #{r.last_import}"
        )
        yield Finding(
            Code.DUPLICATE_EVENT,
            Severity.INFO,
            f"{r.copies} identical events on {r.target_type} {r.target_id} on {r.date} "
            f"({_describe(r.status, r.party)}, source {r.source or 'none'}; {imports}). "
            "Harmless for who held what, but counted more than once; often the same file "
            "imported twice.",
            r.target_id,
            r.target_type,
            r.date,
            details={
                "count": r.copies,
                "status": r.status,
                "party": r.party,
                "source": r.source,
                "recorded": _iso(r.recorded),
                "imports": [r.first_import, r.last_import],
            },
        )


# -- the network ---------------------------------------------------------------------


def _self_loops(segments: Iterable[Segment]) -> Iterator[Finding]:
    for s in segments:
        if s.start == s.end:
            yield Finding(
                Code.SELF_LOOP_SEGMENT,
                Severity.WARNING,
                f"Segment {s.id} joins {s.start} to itself: it leads nowhere, and its state "
                "is derived from one place. Probably a wrong 'from' or 'to'.",
                s.id,
                "segment",
                related=(s.start,),
            )


def _road_gaps(roads: Iterable[Road], segments: Iterable[Segment]) -> Iterator[Finding]:
    ends = {s.id: s.ends() for s in segments}
    for road in roads:
        for a, b in itertools.pairwise(road.segments):
            if a in ends and b in ends and not set(ends[a]) & set(ends[b]):
                yield Finding(
                    Code.ROAD_GAP,
                    Severity.WARNING,
                    f"Road {road.id}: consecutive segments {a} ({' - '.join(ends[a])}) and "
                    f"{b} ({' - '.join(ends[b])}) share no place, so the road has a gap. A "
                    "segment is missing from its list or they are out of order.",
                    road.id,
                    "road",
                    related=(a, b),
                )


class _Components:
    """Union-find over place ids: which places the segments join into one network."""

    def __init__(self, places: Iterable[str]) -> None:
        self.parent = {p: p for p in places}

    def find(self, place: str) -> str:
        root = place
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[place] != root:
            self.parent[place], place = root, self.parent[place]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for place in sorted(self.parent):
            found[self.find(place)].append(place)
        return list(found.values())


def _connectivity(
    places: Sequence[Place], segments: Sequence[Segment], codes: Collection[Code]
) -> Iterator[Finding]:
    components = _Components(p.id for p in places)
    linked: set[str] = set()
    for s in segments:
        if s.start != s.end:
            components.join(s.start, s.end)
            linked.update((s.start, s.end))
    groups = [g for g in components.groups() if len(g) > 1 or g[0] in linked]
    if Code.DISCONNECTED_PLACE in codes:
        for place in places:
            if place.id not in linked:
                yield Finding(
                    Code.DISCONNECTED_PLACE,
                    Severity.WARNING,
                    f"Place {place.id} is on no segment joining it to another place: no path "
                    "reaches it and its state affects no segment or road. Add the segment "
                    "that leads to it, unless it is meant to stand alone.",
                    place.id,
                    "place",
                )
    if Code.SEPARATE_COMPONENT in codes and len(groups) > 1:
        main = max(groups, key=len)
        for group in groups:
            if group is main:
                continue
            yield Finding(
                Code.SEPARATE_COMPONENT,
                Severity.INFO,
                f"{_plural(len(group), 'place')} ({_names(group)}) form a network of their "
                f"own, not joined to the main one ({_plural(len(main), 'place')}): no path "
                "leads from one to the other. Fine if they are meant to be apart.",
                group[0],
                "place",
                related=tuple(group),
                details={"size": len(group), "main_size": len(main)},
            )


def _missing_coordinates(places: Sequence[Place], segments: Sequence[Segment]) -> Iterator[Finding]:
    located = {p.id for p in places if p.coordinates is not None}
    touching: dict[str, list[Segment]] = defaultdict(list)
    for s in segments:
        for here, there in ((s.start, s.end), (s.end, s.start)):
            if here not in located and there in located:
                touching[here].append(s)
    for place in sorted(touching):
        near = touching[place]
        unmeasured = [s.id for s in near if s.length_km is None]
        neighbours = sorted({s.end if s.start == place else s.start for s in near})
        if unmeasured:
            effect = (
                f"{_names(unmeasured)} {'has' if len(unmeasured) == 1 else 'have'} no length "
                f"given, so {'it counts' if len(unmeasured) == 1 else 'each counts'} as 1 km "
                "in path lengths"
            )
            severity = Severity.WARNING
        else:
            effect = "lengths are given, so paths are right, but maps cannot show it"
            severity = Severity.INFO
        yield Finding(
            Code.MISSING_COORDINATES,
            severity,
            f"Place {place} has no coordinates but is joined to places that have them "
            f"({_names(neighbours)}): {effect}. Add lat and lon, or lengths.",
            place,
            "place",
            related=tuple(s.id for s in near),
            details={"unmeasured_segments": unmeasured},
        )


def _never_known(places: Iterable[str]) -> Iterator[Finding]:
    for place in places:
        yield Finding(
            Code.PLACE_NEVER_KNOWN,
            Severity.INFO,
            f"Place {place} never has a known state (no event says it is held or "
            "contested): it is unknown on every day, and so is every segment ending there "
            "that has no event of its own.",
            place,
            "place",
        )


# -- definitions ---------------------------------------------------------------------


def _span(m: Membership) -> str:
    return f"{m.start or 'always'} to {m.end or 'open'}"


def _overlapping_memberships(blocs: Sequence[Bloc]) -> Iterator[Finding]:
    by_party: dict[str, list[Membership]] = defaultdict(list)
    for bloc in blocs:
        for membership in bloc.members:
            by_party[membership.party].append(membership)
    for party, memberships in sorted(by_party.items()):
        for a, b in itertools.combinations(memberships, 2):
            start = max(a.start or dt.date.min, b.start or dt.date.min)
            end = min(a.end or dt.date.max, b.end or dt.date.max)
            if start >= end:
                continue
            since = None if start == dt.date.min else start
            when = f"from {since}" if since else "from the start"
            if a.bloc != b.bloc:
                yield Finding(
                    Code.OVERLAPPING_BLOC_MEMBERSHIP,
                    Severity.WARNING,
                    f"Party {party} is in two blocs at once {when}: {a.bloc} ({_span(a)}) "
                    f"and {b.bloc} ({_span(b)}). Answers --by bloc count it in {a.bloc} "
                    "only; correct the 'from'/'to' dates.",
                    party,
                    "party",
                    since,
                    (a.bloc, b.bloc),
                    {"blocs": [a.bloc, b.bloc], "periods": [_span(a), _span(b)]},
                )
            else:
                yield Finding(
                    Code.OVERLAPPING_BLOC_MEMBERSHIP,
                    Severity.INFO,
                    f"Party {party} is listed twice in bloc {a.bloc} with overlapping periods "
                    f"{when}: {_span(a)} and {_span(b)}. Harmless for answers, but one of the "
                    "entries is probably a mistake.",
                    party,
                    "party",
                    since,
                    (a.bloc,),
                    {"blocs": [a.bloc], "periods": [_span(a), _span(b)]},
                )


def _empty_blocs(blocs: Sequence[Bloc]) -> Iterator[Finding]:
    for bloc in blocs:
        if not bloc.members:
            yield Finding(
                Code.EMPTY_BLOC,
                Severity.INFO,
                f"Bloc {bloc.id} has no members: answers --by bloc never show it.",
                bloc.id,
                "bloc",
            )


def _unused_parties(
    parties: Sequence[Party], used: Collection[str], blocs: Sequence[Bloc]
) -> Iterator[Finding]:
    member_of: dict[str, list[str]] = defaultdict(list)
    for bloc in blocs:
        for membership in bloc.members:
            if bloc.id not in member_of[membership.party]:
                member_of[membership.party].append(bloc.id)
    for party in parties:
        if party.id not in used:
            blocs_of = member_of.get(party.id, [])
            member = f" (a member of {', '.join(blocs_of)})" if blocs_of else ""
            yield Finding(
                Code.UNUSED_PARTY,
                Severity.INFO,
                f"Party {party.id}{member} is named by no event or incident. Perhaps events "
                "name it under another id, or it is not needed.",
                party.id,
                "party",
                related=tuple(blocs_of),
            )


def _unused_sources(sources: Sequence[Source], used: Collection[str]) -> Iterator[Finding]:
    for source in sources:
        if source.id not in used:
            yield Finding(
                Code.UNUSED_SOURCE,
                Severity.INFO,
                f"Source {source.id} is cited by no event or incident. Perhaps events cite "
                "it under another id, or it is not needed.",
                source.id,
                "source",
            )
