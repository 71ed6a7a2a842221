"""``control-graph check`` and :func:`control_graph.check.check_dataset`.

First each rule on its own, fed plain records or the rows an audit reads (no database,
so these are fast); then every finding code triggered by a small dataset through the
database and the command line, a clean dataset without findings, exit codes, the JSON
document and the table, on both backends."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import control_graph as cg
from control_graph.check import CODES, Code, Finding, Severity, check_dataset
from control_graph.check.rules import dates, definitions, events, network
from control_graph.check.run import RULES
from control_graph.model.records import Bloc, Membership, Party, Place, Road, Segment, Source
from control_graph.store import orm
from control_graph.store.audit import (
    DatedRecord,
    DuplicateGroup,
    EarlyReports,
    LateCitation,
    SameDayReport,
)
from control_graph.store.db import resolve_url
from tests.conftest import Cli

WriteFile = Callable[[str, str], Path]
TODAY = "2025-01-01"

#: A small, clean network: three places on one road, every place known, every party
#: and source used, no date after TODAY or after its source's publication.
BASE: dict[str, Any] = {
    "format": "control-graph/1",
    "name": "Check test",
    "parties": [{"id": "north"}, {"id": "south"}],
    "blocs": [{"id": "pact", "members": [{"party": "north", "from": "2024-01-01"}]}],
    "places": [
        {"id": "a", "lat": 10.0, "lon": 20.0},
        {"id": "b", "lat": 10.1, "lon": 20.1},
        {"id": "c", "lat": 10.2, "lon": 20.2},
    ],
    "roads": [{"id": "main", "places": ["a", "b", "c"]}],
    "segments": [],
    "sources": [{"id": "s1", "published": "2024-06-01"}, {"id": "s2"}],
    "events": [
        {"date": "2024-01-01", "place": "a", "party": "north", "source": "s1"},
        {"date": "2024-01-01", "place": "b", "party": "north", "source": "s1"},
        {"date": "2024-01-01", "place": "c", "party": "south", "source": "s2"},
    ],
    "incidents": [],
}


def dataset(**extra: list[dict[str, Any]]) -> dict[str, Any]:
    """The clean dataset with entries added to some of its sections."""
    data = copy.deepcopy(BASE)
    for section, entries in extra.items():
        data[section].extend(entries)
    return data


def load(cli: Cli, write_file: WriteFile, data: dict[str, Any], name: str = "data.json") -> None:
    path = write_file(name, json.dumps(data))
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output + result.stderr


def run_check(cli: Cli, *args: str, exit_code: int = 0) -> dict[str, Any]:
    report = cli.json("check", "--today", TODAY, *args, exit_code=exit_code)
    assert isinstance(report, dict)
    return report


def of(report: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"] == code]


def brief(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(f["severity"], f["element"], f["type"], f["date"], f["related"]) for f in findings]


# -- each rule on its own --------------------------------------------------------------

DAY = dt.date(2025, 1, 1)


def day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def summary(findings: Iterable[Finding]) -> list[tuple[Any, ...]]:
    return [(f.code, f.severity, f.element, f.type, f.date, f.related) for f in findings]


def dated_row(date: str, recorded: str | None = None, position: int = 1) -> DatedRecord:
    when = dt.date.fromisoformat(date)
    return DatedRecord("event", 1, position, "data.json", "place", "a", when, day(recorded), "s1")


def test_every_code_has_a_rule() -> None:
    assert list(RULES) == list(CODES) == list(Code)


def test_rule_contradictory_reports() -> None:
    def report(
        kind: str, element: str, status: str, party: str | None, source: str | None, **extra: Any
    ) -> SameDayReport:
        values: dict[str, Any] = {"recorded": None, "import_id": 1, "file": "f.json"}
        values |= {"position": 1, "via_road": None, **extra}
        return SameDayReport(kind, element, DAY, status, party, source, **values)

    rows = [
        report("place", "a", "held", "south", "s2", position=4),
        report("place", "a", "held", "north", "s1", position=5),
        report("place", "a", "held", "north", "s3", position=6),
        report("segment", "ab", "contested", None, None, via_road="main"),
        report("segment", "ab", "held", "north", "s1", recorded=DAY),
    ]
    found = list(events.contradictory_reports(rows))
    assert summary(found) == [
        (Code.CONTRADICTORY_REPORTS, Severity.WARNING, "a", "place", DAY, ()),
        (Code.CONTRADICTORY_REPORTS, Severity.WARNING, "ab", "segment", DAY, ("main",)),
    ]
    assert found[0].message.startswith(
        "place a on 2025-01-01: 2 different states reported: held by south (s2); "
        "held by north (s1, s3). The last report counts (held by north, f.json, event #6)"
    )
    assert "contested (no source, via road main); held by north (s1)" in found[1].message
    assert found[1].details["reports"][1] == {
        "status": "held",
        "controller": "north",
        "party": "north",
        "source": "s1",
        "recorded": "2025-01-01",
        "road": None,
        "file": "f.json",
        "import": 1,
        "position": 1,
    }


def test_rule_event_in_future() -> None:
    rows = [dated_row("2025-01-02", position=1), dated_row("2025-01-01", "2026-01-01", 2)]
    (finding,) = dates.event_in_future(rows, DAY)
    assert summary([finding]) == [
        (Code.EVENT_IN_FUTURE, Severity.WARNING, "a", "place", day("2025-01-02"), ())
    ]
    assert finding.message.startswith("Event on place a (data.json, event #1) is dated")
    assert finding.details == {
        "record": "event",
        "recorded": None,
        "source": "s1",
        "file": "data.json",
        "import": 1,
        "position": 1,
    }


def test_rule_recorded_in_future() -> None:
    rows = [
        dated_row("2024-12-01", "2025-01-02", 1),
        dated_row("2024-12-01", "2025-01-01", 2),  # recorded today: fine
        dated_row("2025-02-01", "2025-03-01", 3),  # dated after today: event-in-future only
    ]
    (finding,) = dates.recorded_in_future(rows, DAY)
    assert (finding.code, finding.date, finding.details["position"]) == (
        Code.RECORDED_IN_FUTURE,
        day("2024-12-01"),
        1,
    )
    assert "--as-of any day before 2025-01-02 leaves it out" in finding.message


def test_rule_recorded_before_date() -> None:
    rows = [dated_row("2024-12-01", "2024-11-30", 1), dated_row("2024-12-01", "2024-12-01", 2)]
    (finding,) = dates.recorded_before_date(rows)
    assert (finding.code, finding.date, finding.details["recorded"]) == (
        Code.RECORDED_BEFORE_DATE,
        day("2024-12-01"),
        "2024-11-30",
    )


def test_rule_event_after_source() -> None:
    published = dt.date(2024, 6, 1)
    rows = [
        LateCitation("s1", published, "incident", 1, dt.date(2024, 6, 2), dt.date(2024, 6, 2)),
        LateCitation("s1", published, "event", 2, dt.date(2024, 7, 1), dt.date(2024, 8, 1)),
    ]
    found = list(dates.event_after_source(rows))
    assert [(f.code, f.element, f.type, f.date) for f in found] == [
        (Code.EVENT_AFTER_SOURCE, "s1", "source", dt.date(2024, 6, 2)),
        (Code.EVENT_AFTER_SOURCE, "s1", "source", dt.date(2024, 7, 1)),
    ]
    assert "1 incident citing source s1 (published 2024-06-01) is dated after it (on " in (
        found[0].message
    )
    assert "are dated after it (from 2024-07-01 to 2024-08-01)" in found[1].message
    assert found[1].details == {
        "record": "event",
        "count": 2,
        "published": "2024-06-01",
        "last": "2024-08-01",
    }


def test_rule_event_before_first_state() -> None:
    jan, feb, mar = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
    rows = [
        EarlyReports("bd", None, 2, jan, jan, "b", jan, "d", feb),
        EarlyReports("x1", "main", 1, jan, jan, "x", feb, "y", feb),
        EarlyReports("x2", "main", 1, feb, feb, "y", feb, "z", mar),
    ]
    on_segment, on_road = events.event_before_first_state(rows)
    assert summary([on_segment, on_road]) == [
        (Code.EVENT_BEFORE_FIRST_STATE, Severity.WARNING, "bd", "segment", jan, ("b", "d")),
        (Code.EVENT_BEFORE_FIRST_STATE, Severity.WARNING, "main", "road", jan, ("x1", "x2")),
    ]
    assert "(d is first known on 2024-02-01)" in on_segment.message
    assert (on_segment.details["known_from"], on_segment.details["known_last"]) == (
        "2024-02-01",
        "d",
    )
    assert "2 segments (x1, x2) are known (from 2024-02-01 on)" in on_road.message
    assert [s["known_last"] for s in on_road.details["segments"]] == ["y", "z"]


def test_rule_duplicate_event() -> None:
    rows = [
        DuplicateGroup("place", "a", DAY, "held", "north", "s1", None, 2, 1, 1),
        DuplicateGroup("road", "main", DAY, "contested", None, None, DAY, 3, 1, 4),
    ]
    once, across = events.duplicate_event(rows)
    assert (once.code, once.severity, once.element) == (Code.DUPLICATE_EVENT, Severity.INFO, "a")
    assert "(held by north, source s1; import #1)" in once.message
    assert "3 identical events on road main" in across.message
    assert "(contested, source none; imports #1 to #4)" in across.message
    assert across.details["imports"] == [1, 4]


def test_rule_self_loop_segment() -> None:
    segments = [Segment("loop", "b", "b"), Segment("ab", "a", "b")]
    assert summary(network.self_loop_segment(segments)) == [
        (Code.SELF_LOOP_SEGMENT, Severity.WARNING, "loop", "segment", None, ("b",))
    ]


def test_rule_road_gap() -> None:
    segments = [Segment("ab", "a", "b"), Segment("cb", "c", "b"), Segment("de", "d", "e")]
    roads = [
        Road("gappy", ("ab", "de")),
        Road("either-way", ("ab", "cb")),  # b is shared, whatever the direction
        Road("unknown", ("ab", "zz")),  # a segment the data lacks is another check's job
    ]
    (finding,) = network.road_gap(roads, segments)
    assert (finding.element, finding.related) == ("gappy", ("ab", "de"))
    assert "ab (a - b) and de (d - e) share no place" in finding.message


def test_rule_disconnected_place() -> None:
    places = [Place("a"), Place("b"), Place("loop"), Place("lone")]
    segments = [Segment("ab", "a", "b"), Segment("ll", "loop", "loop")]
    found = network.disconnected_place(places, segments)
    assert [f.element for f in found] == ["loop", "lone"]


def test_rule_separate_component() -> None:
    places = [Place(p) for p in ("a", "b", "c", "d", "x", "y", "lone")]
    # Two groups of two and one of three: the largest is the main network.
    segments = [
        Segment("xy", "y", "x"),
        Segment("ab", "a", "b"),
        Segment("bc", "b", "c"),
        Segment("d", "d", "d"),
    ]
    (finding,) = network.separate_component(places, segments)
    assert summary([finding]) == [
        (Code.SEPARATE_COMPONENT, Severity.INFO, "x", "place", None, ("x", "y"))
    ]
    assert finding.details == {"size": 2, "main_size": 3}
    # Of groups equally large, the one whose first place comes first is the main one.
    found = network.separate_component(places, [Segment("ab", "a", "b"), Segment("xy", "x", "y")])
    assert [f.related for f in found] == [("x", "y")]
    assert list(network.separate_component(places, segments[:1])) == []


def test_rule_missing_coordinates() -> None:
    places = [Place("a", lat=1.0, lon=2.0), Place("m"), Place("n"), Place("o")]
    segments = [
        Segment("am", "a", "m"),
        Segment("na", "n", "a", length_km=3.0),
        Segment("mo", "m", "o"),  # two places without coordinates: nothing to compare
    ]
    unmeasured, measured = network.missing_coordinates(places, segments)
    assert summary([unmeasured, measured]) == [
        (Code.MISSING_COORDINATES, Severity.WARNING, "m", "place", None, ("am",)),
        (Code.MISSING_COORDINATES, Severity.INFO, "n", "place", None, ("na",)),
    ]
    assert "am has no length given, so it counts as 1 km" in unmeasured.message
    assert "lengths are given, so paths are right" in measured.message
    assert measured.details == {"unmeasured_segments": []}


def test_rule_place_never_known() -> None:
    assert summary(network.place_never_known(["d"])) == [
        (Code.PLACE_NEVER_KNOWN, Severity.INFO, "d", "place", None, ())
    ]


def test_rule_overlapping_bloc_membership() -> None:
    def member(party: str, bloc: str, start: str | None, end: str | None) -> Membership:
        return Membership(party, bloc, day(start), day(end))

    blocs = [
        Bloc(
            "pact",
            members=(
                member("north", "pact", None, "2024-06-01"),
                member("north", "pact", "2024-03-01", None),
                member("south", "pact", None, "2024-01-01"),
                member("south", "pact", "2024-01-01", None),  # adjacent, not overlapping
            ),
        ),
        Bloc("other", members=(member("north", "other", None, None),)),
    ]
    found = list(definitions.overlapping_bloc_membership(blocs))
    assert {(f.code, f.element, f.type) for f in found} == {
        (Code.OVERLAPPING_BLOC_MEMBERSHIP, "north", "party")
    }
    assert [(f.severity, f.date, f.related) for f in found] == [
        (Severity.INFO, day("2024-03-01"), ("pact",)),
        (Severity.WARNING, None, ("pact", "other")),
        (Severity.WARNING, day("2024-03-01"), ("pact", "other")),
    ]
    assert found[0].details == {
        "blocs": ["pact"],
        "periods": ["always to 2024-06-01", "2024-03-01 to open"],
    }
    assert "in two blocs at once from the start: pact (always to 2024-06-01)" in found[1].message


def test_rule_empty_bloc() -> None:
    blocs = [Bloc("hollow"), Bloc("pact", members=(Membership("north", "pact"),))]
    assert summary(definitions.empty_bloc(blocs)) == [
        (Code.EMPTY_BLOC, Severity.INFO, "hollow", "bloc", None, ())
    ]


def test_rule_unused_party() -> None:
    parties = [Party("north"), Party("ghost"), Party("loner")]
    blocs = [
        Bloc("haunt", members=(Membership("ghost", "haunt"), Membership("ghost", "haunt"))),
        Bloc("pact", members=(Membership("ghost", "pact"),)),
    ]
    ghost, loner = definitions.unused_party(parties, {"north"}, blocs)
    assert (ghost.element, ghost.related) == ("ghost", ("haunt", "pact"))
    assert "Party ghost (a member of haunt, pact) is named by no event" in ghost.message
    assert (loner.element, loner.related) == ("loner", ())
    assert loner.message.startswith("Party loner is named by no event")


def test_rule_unused_source() -> None:
    sources = [Source("s1"), Source("unread")]
    assert summary(definitions.unused_source(sources, {"s1"})) == [
        (Code.UNUSED_SOURCE, Severity.INFO, "unread", "source", None, ())
    ]


# -- a clean dataset -------------------------------------------------------------------


def test_clean_dataset_has_no_findings(cli: Cli, write_file: WriteFile) -> None:
    load(cli, write_file, dataset())
    report = run_check(cli, "--strict")
    assert report["findings"] == []
    assert report["counts"] == {code.value: 0 for code in CODES}
    assert report["severities"] == {"warning": 0, "info": 0}
    assert report["today"] == TODAY
    result = cli("check", "--today", TODAY, "--strict")
    assert result.exit_code == 0
    assert f"No findings in {len(CODES)} checks." in result.stdout


def test_empty_database_has_no_findings(cli: Cli) -> None:
    assert run_check(cli, "--strict")["findings"] == []


# -- events ----------------------------------------------------------------------------


def test_contradictory_reports_from_different_sources(cli: Cli, write_file: WriteFile) -> None:
    events = [
        # Two sources disagree about a on one day: a contradiction.
        {"date": "2024-02-01", "place": "a", "party": "south", "source": "s2"},
        {"date": "2024-02-01", "place": "a", "party": "north", "source": "s1"},
        # A report without a source disagrees with a sourced one (c is held by south
        # according to s2 on 2024-01-01): a contradiction.
        {"date": "2024-01-01", "place": "c", "status": "contested"},
        # One source correcting itself on a day is a sequence, not a contradiction.
        {"date": "2024-02-01", "place": "b", "status": "contested", "source": "s1"},
        {"date": "2024-02-01", "place": "b", "party": "south", "source": "s1"},
        # Contested reports naming different parties assert the same state.
        {"date": "2024-03-01", "place": "b", "status": "contested", "party": "north"},
        {"date": "2024-03-01", "place": "b", "status": "contested", "party": "south"},
        # Different days never contradict.
        {"date": "2024-04-01", "place": "a", "party": "south", "source": "s2"},
    ]
    load(cli, write_file, dataset(events=events))
    found = of(run_check(cli), "contradictory-reports")
    assert brief(found) == [
        ("warning", "a", "place", "2024-02-01", []),
        ("warning", "c", "place", "2024-01-01", []),
    ]
    first = found[0]
    assert [
        (r["status"], r["controller"], r["source"], r["position"]) for r in first["reports"]
    ] == [
        ("held", "south", "s2", 4),
        ("held", "north", "s1", 5),
    ]
    assert "held by south (s2); held by north (s1)" in first["message"]
    assert "The last report counts (held by north, data.json, event #5)" in first["message"]
    assert [(r["controller"], r["source"]) for r in found[1]["reports"]] == [
        ("south", "s2"),
        (None, None),
    ]


def test_contradictions_between_roads_and_segments(cli: Cli, write_file: WriteFile) -> None:
    roads = [{"id": "alt", "segments": ["main/1"]}]
    events = [
        # A road event and an event on one of its segments disagree: on the segment.
        {"date": "2024-02-01", "road": "main", "status": "contested"},
        {"date": "2024-02-01", "segment": "main/1", "party": "north", "source": "s1"},
        # Two events on one road disagree: on the road only, not on each segment.
        {"date": "2024-03-01", "road": "main", "party": "north", "source": "s1"},
        {"date": "2024-03-01", "road": "main", "party": "south", "source": "s2"},
        # Two roads sharing a segment disagree: on the shared segment.
        {"date": "2024-04-01", "road": "alt", "party": "south", "source": "s2"},
        {"date": "2024-04-01", "road": "main", "party": "north", "source": "s1"},
    ]
    load(cli, write_file, dataset(roads=roads, events=events))
    found = of(run_check(cli), "contradictory-reports")
    assert brief(found) == [
        ("warning", "main", "road", "2024-03-01", []),
        ("warning", "main/1", "segment", "2024-02-01", ["main"]),
        ("warning", "main/1", "segment", "2024-04-01", ["alt", "main"]),
    ]
    on_segment = found[1]
    assert [(r["status"], r["road"]) for r in on_segment["reports"]] == [
        ("contested", "main"),
        ("held", None),
    ]
    assert "contested (no source, via road main); held by north (s1)" in on_segment["message"]


def test_dates_in_the_future_and_recorded_before_the_date(cli: Cli, write_file: WriteFile) -> None:
    events = [
        {"date": "2025-06-01", "place": "c", "party": "north", "source": "s2"},
        {"date": "2024-02-01", "place": "a", "party": "north", "recorded": "2026-01-01"},
        {"date": "2024-03-05", "place": "b", "party": "north", "recorded": "2024-03-01"},
        {"date": "2024-03-05", "place": "b", "party": "north", "recorded": TODAY},
    ]
    incidents = [{"date": "2025-02-01", "road": "main", "kind": "airstrike"}]
    load(cli, write_file, dataset(events=events, incidents=incidents))
    report = run_check(cli)
    future = of(report, "event-in-future")
    assert brief(future) == [
        ("warning", "c", "place", "2025-06-01", []),
        ("warning", "main", "road", "2025-02-01", []),
    ]
    assert [(f["record"], f["file"], f["position"]) for f in future] == [
        ("event", "data.json", 4),
        ("incident", "data.json", 1),
    ]
    assert "after today (2025-01-01)" in future[0]["message"]
    recorded = of(report, "recorded-in-future")
    assert brief(recorded) == [("warning", "a", "place", "2024-02-01", [])]
    assert recorded[0]["recorded"] == "2026-01-01"
    before = of(report, "recorded-before-date")
    assert brief(before) == [("warning", "b", "place", "2024-03-05", [])]
    assert (before[0]["recorded"], before[0]["position"]) == ("2024-03-01", 6)


def test_today_decides_what_is_in_the_future(cli: Cli, write_file: WriteFile) -> None:
    load(cli, write_file, dataset())
    assert run_check(cli)["counts"]["event-in-future"] == 0
    report = cli.json("check", "--today", "2023-12-31", "--only", "event-in-future")
    assert report["counts"] == {"event-in-future": 3}


def test_event_after_source(cli: Cli, write_file: WriteFile) -> None:
    events = [
        {"date": "2024-08-01", "place": "b", "party": "north", "source": "s1"},
        {"date": "2024-07-01", "place": "a", "party": "north", "source": "s1"},
        # A source without a publication date is never too early.
        {"date": "2024-09-01", "place": "c", "party": "south", "source": "s2"},
    ]
    incidents = [{"date": "2024-06-02", "place": "a", "source": "s1"}]
    load(cli, write_file, dataset(events=events, incidents=incidents))
    found = of(run_check(cli), "event-after-source")
    assert brief(found) == [
        ("warning", "s1", "source", "2024-06-02", []),
        ("warning", "s1", "source", "2024-07-01", []),
    ]
    assert [(f["record"], f["count"], f["last"]) for f in found] == [
        ("incident", 1, "2024-06-02"),
        ("event", 2, "2024-08-01"),
    ]
    assert (
        "2 events citing source s1 (published 2024-06-01) are dated after it"
        in (found[1]["message"])
    )


def test_event_before_first_state(cli: Cli, write_file: WriteFile) -> None:
    places = [{"id": "d", "lat": 10.3, "lon": 20.3}, {"id": "e", "lat": 10.4, "lon": 20.4}]
    segments = [{"id": "bd", "from": "b", "to": "d"}, {"id": "be", "from": "b", "to": "e"}]
    events = [
        # d is first known on 2024-02-01: the segment's report of 2023-12-01 stops
        # counting then.
        {"date": "2023-12-01", "segment": "bd", "party": "north"},
        {"date": "2024-01-15", "segment": "bd", "party": "north"},
        {"date": "2024-03-01", "segment": "bd", "party": "north"},
        {"date": "2024-02-01", "place": "d", "party": "south"},
        # e is never known: a report on be keeps counting, nothing to report.
        {"date": "2023-12-01", "segment": "be", "party": "north"},
        # Before a, b and c are known (2024-01-01): on the road, listing its segments.
        {"date": "2023-06-01", "road": "main", "status": "contested"},
        # A report made unknown does not make a place known.
        {"date": "2023-01-01", "place": "a", "status": "unknown"},
    ]
    load(cli, write_file, dataset(places=places, segments=segments, events=events))
    found = of(run_check(cli), "event-before-first-state")
    assert brief(found) == [
        ("warning", "bd", "segment", "2023-12-01", ["b", "d"]),
        ("warning", "main", "road", "2023-06-01", ["main/1", "main/2"]),
    ]
    assert (found[0]["count"], found[0]["known_from"], found[0]["known_last"]) == (
        2,
        "2024-02-01",
        "d",
    )
    assert [(s["segment"], s["known_from"]) for s in found[1]["segments"]] == [
        ("main/1", "2024-01-01"),
        ("main/2", "2024-01-01"),
    ]


def test_duplicate_events(cli: Cli, write_file: WriteFile) -> None:
    data = dataset()
    load(cli, write_file, data)
    load(cli, write_file, data)  # the same file again: definitions skipped, events added
    found = of(run_check(cli), "duplicate-event")
    assert brief(found) == [
        ("info", "a", "place", "2024-01-01", []),
        ("info", "b", "place", "2024-01-01", []),
        ("info", "c", "place", "2024-01-01", []),
    ]
    assert [(f["count"], f["imports"]) for f in found] == [(2, [1, 2])] * 3


# -- the network -----------------------------------------------------------------------


def test_self_loop_segment(cli: Cli, write_file: WriteFile) -> None:
    segments = [{"id": "loop", "from": "b", "to": "b"}]
    load(cli, write_file, dataset(segments=segments))
    report = run_check(cli)
    assert brief(of(report, "self-loop-segment")) == [("warning", "loop", "segment", None, ["b"])]
    assert of(report, "disconnected-place") == []


def test_road_gap(cli: Cli, write_file: WriteFile) -> None:
    places = [{"id": "d", "lat": 10.3, "lon": 20.3}]
    segments = [{"id": "ab", "from": "a", "to": "b"}, {"id": "cd", "from": "c", "to": "d"}]
    roads = [
        {"id": "gappy", "segments": ["ab", "cd"]},
        # Segments may run either way along a road: b-a then a-b shares a place.
        {"id": "back", "segments": ["ab", "main/1"]},
    ]
    events = [{"date": "2024-01-01", "place": "d", "party": "south", "source": "s2"}]
    load(cli, write_file, dataset(places=places, segments=segments, roads=roads, events=events))
    found = of(run_check(cli), "road-gap")
    assert brief(found) == [("warning", "gappy", "road", None, ["ab", "cd"])]
    assert "ab (a - b) and cd (c - d) share no place" in found[0]["message"]


def test_disconnected_place_and_separate_component(cli: Cli, write_file: WriteFile) -> None:
    places = [
        {"id": "lone", "lat": 11.0, "lon": 21.0},
        {"id": "x", "lat": 12.0, "lon": 22.0},
        {"id": "y", "lat": 12.1, "lon": 22.1},
    ]
    segments = [{"id": "xy", "from": "x", "to": "y"}]
    load(cli, write_file, dataset(places=places, segments=segments))
    report = run_check(cli)
    assert brief(of(report, "disconnected-place")) == [("warning", "lone", "place", None, [])]
    apart = of(report, "separate-component")
    assert brief(apart) == [("info", "x", "place", None, ["x", "y"])]
    assert (apart[0]["size"], apart[0]["main_size"]) == (2, 3)


def test_missing_coordinates(cli: Cli, write_file: WriteFile) -> None:
    places = [{"id": "m"}, {"id": "n"}, {"id": "o"}]
    segments = [
        {"id": "bm", "from": "b", "to": "m"},
        {"id": "cn", "from": "c", "to": "n", "length_km": 2},
        # o is joined only to m, which has no coordinates either: nothing to compare.
        {"id": "mo", "from": "m", "to": "o"},
    ]
    load(cli, write_file, dataset(places=places, segments=segments))
    found = of(run_check(cli), "missing-coordinates")
    assert brief(found) == [
        ("warning", "m", "place", None, ["bm"]),
        ("info", "n", "place", None, ["cn"]),
    ]
    assert found[0]["unmeasured_segments"] == ["bm"]
    assert "bm has no length given, so it counts as 1 km" in found[0]["message"]
    assert found[1]["unmeasured_segments"] == []


def test_place_never_known(cli: Cli, write_file: WriteFile) -> None:
    places = [{"id": "d", "lat": 10.3, "lon": 20.3}]
    segments = [{"id": "cd", "from": "c", "to": "d"}]
    # An unknown report and a segment report do not make d known.
    events = [
        {"date": "2024-01-01", "place": "d", "status": "unknown"},
        {"date": "2024-01-01", "segment": "cd", "party": "south"},
    ]
    load(cli, write_file, dataset(places=places, segments=segments, events=events))
    assert brief(of(run_check(cli), "place-never-known")) == [("info", "d", "place", None, [])]


# -- definitions -----------------------------------------------------------------------


def test_overlapping_membership_in_one_bloc(cli: Cli, write_file: WriteFile) -> None:
    data = dataset()
    data["blocs"] = [
        {
            "id": "pact",
            "members": [
                {"party": "north", "from": "2024-01-01", "to": "2024-06-01"},
                {"party": "north", "from": "2024-03-01"},
                {"party": "south", "to": "2024-01-01"},
                {"party": "south", "from": "2024-01-01"},  # adjacent, not overlapping
            ],
        }
    ]
    load(cli, write_file, data)
    found = of(run_check(cli), "overlapping-bloc-membership")
    assert brief(found) == [("info", "north", "party", "2024-03-01", ["pact"])]
    assert found[0]["periods"] == ["2024-01-01 to 2024-06-01", "2024-03-01 to open"]


def test_party_in_two_blocs_at_once(cli: Cli, write_file: WriteFile, db_url: str) -> None:
    data = dataset(blocs=[{"id": "other", "members": [{"party": "south"}]}])
    load(cli, write_file, data)
    # The import refuses this; a row written by hand (or by an older version) does not.
    engine = sa.create_engine(resolve_url(db_url))
    with engine.begin() as conn:
        conn.execute(
            sa.insert(orm.BlocMembership).values(
                bloc_id="other", position=2, party_id="north", start_date=None, end_date=None
            )
        )
    engine.dispose()
    found = of(run_check(cli), "overlapping-bloc-membership")
    assert brief(found) == [("warning", "north", "party", "2024-01-01", ["other", "pact"])]
    assert found[0]["blocs"] == ["other", "pact"]
    assert "Answers --by bloc count it in other only" in found[0]["message"]


def test_empty_bloc_unused_party_and_source(cli: Cli, write_file: WriteFile) -> None:
    data = dataset(
        parties=[{"id": "ghost"}, {"id": "fighter"}],
        blocs=[{"id": "hollow"}, {"id": "haunt", "members": [{"party": "ghost"}]}],
        sources=[{"id": "unread"}, {"id": "s3"}],
        # Named by an incident only, or only as a party on a contested event: used.
        incidents=[{"date": "2024-02-01", "place": "a", "source": "s3"}],
        events=[{"date": "2024-03-01", "place": "c", "status": "contested", "party": "fighter"}],
    )
    load(cli, write_file, data)
    report = run_check(cli)
    assert brief(of(report, "empty-bloc")) == [("info", "hollow", "bloc", None, [])]
    unused = of(report, "unused-party")
    assert brief(unused) == [("info", "ghost", "party", None, ["haunt"])]
    assert "(a member of haunt)" in unused[0]["message"]
    assert brief(of(report, "unused-source")) == [("info", "unread", "source", None, [])]


# -- the command line ------------------------------------------------------------------


def test_strict_exits_1_only_on_warnings(cli: Cli, write_file: WriteFile) -> None:
    data = dataset(parties=[{"id": "ghost"}])  # an info finding only
    load(cli, write_file, data)
    assert cli("check", "--today", TODAY, "--strict").exit_code == 0
    late = [{"date": "2025-06-01", "place": "a", "party": "north"}]
    load(cli, write_file, {"format": "control-graph/1", "events": late}, "late.json")
    assert cli("check", "--today", TODAY).exit_code == 0
    result = cli("check", "--today", TODAY, "--strict")
    assert result.exit_code == 1
    assert "1 warning (--strict)" in result.stderr
    report = run_check(cli, "--strict", exit_code=1)  # --json still prints the report
    assert report["severities"] == {"warning": 1, "info": 1}
    # --only narrows what --strict looks at.
    assert cli("check", "--today", TODAY, "--strict", "--only", "unused-party").exit_code == 0


def test_json_document(cli: Cli, write_file: WriteFile) -> None:
    load(cli, write_file, dataset(segments=[{"id": "loop", "from": "a", "to": "a"}]))
    report = run_check(cli)
    assert set(report) >= {"findings", "counts", "today", "severities"}
    (finding,) = report["findings"]
    assert finding == {
        "code": "self-loop-segment",
        "severity": "warning",
        "element": "loop",
        "type": "segment",
        "date": None,
        "message": finding["message"],
        "related": ["a"],
    }
    assert list(report["counts"]) == [code.value for code in CODES]
    assert report["counts"]["self-loop-segment"] == 1


def test_only_runs_the_checks_named(cli: Cli, write_file: WriteFile) -> None:
    load(cli, write_file, dataset(parties=[{"id": "ghost"}], sources=[{"id": "unread"}]))
    report = run_check(cli, "--only", "unused-source", "--only", "empty-bloc")
    assert report["counts"] == {"empty-bloc": 0, "unused-source": 1}
    assert [f["code"] for f in report["findings"]] == ["unused-source"]
    result = cli("check", "--only", "no-such-check")
    assert result.exit_code == 2
    assert "no-such-check" in result.stderr


def test_table_grouped_by_code(cli: Cli, write_file: WriteFile) -> None:
    places = [{"id": f"p{i}", "lat": 0.0, "lon": float(i)} for i in range(3)]
    load(cli, write_file, dataset(places=places))
    result = cli("check", "--today", TODAY, "--limit", "2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Checked Check test in " in out
    assert "disconnected-place: 3 warnings -- place on no segment" in out
    assert "place-never-known: 3 info -- place whose state is never known" in out
    assert "... and 1 more (--limit 0 or --json shows them all)" in out
    assert "3 warnings, 3 info in 17 checks." in out
    summary = [line.split() for line in out.splitlines() if line.startswith("disconnected-place ")]
    assert summary == [["disconnected-place", "3", "-", "place", "on", "no", "segment"]]
    assert cli("check", "--limit", "0").stdout.count("Place p") == 6


def test_bad_today_exits_2(cli: Cli) -> None:
    result = cli("check", "--today", "yesterday")
    assert result.exit_code == 2


# -- the library -----------------------------------------------------------------------


def test_check_dataset_in_a_script(model: cg.Model, write_file: WriteFile) -> None:
    model.import_file(write_file("data.json", json.dumps(dataset(parties=[{"id": "ghost"}]))))
    report = check_dataset(model, today="2025-01-01")
    assert not report.has_warnings
    assert [(f.code, f.severity, f.element) for f in report.findings] == [
        (Code.UNUSED_PARTY, Severity.INFO, "ghost")
    ]
    assert report.today.isoformat() == "2025-01-01"
    assert report.as_dict()["findings"][0]["code"] == "unused-party"
    with pytest.raises(cg.InvalidArgumentError, match="no check is called 'typo'"):
        check_dataset(model, only=["typo"])
    with pytest.raises(cg.InvalidArgumentError, match="today"):
        check_dataset(model, today="01/01/2025")


def test_only_finds_what_the_full_run_finds(model: cg.Model, write_file: WriteFile) -> None:
    events = [
        # Dated and recorded after today: in the future, whichever checks run.
        {"date": "2025-06-01", "place": "a", "party": "north", "recorded": "2025-07-01"},
        {"date": "2024-02-01", "place": "b", "party": "south", "source": "s2"},
        {"date": "2024-02-01", "place": "b", "party": "north", "source": "s1"},
        {"date": "2024-03-05", "place": "c", "party": "south", "recorded": "2024-03-01"},
    ]
    data = dataset(
        events=events,
        parties=[{"id": "ghost"}],
        sources=[{"id": "unread"}],
        places=[{"id": "lone"}],
        segments=[{"id": "loop", "from": "a", "to": "a"}],
    )
    model.import_file(write_file("data.json", json.dumps(data)))
    full = check_dataset(model, today=TODAY).findings
    assert len({f.code for f in full}) == 8
    assert [f.code for f in full if f.element == "a"] == [Code.EVENT_IN_FUTURE]
    for code in CODES:
        alone = check_dataset(model, today=TODAY, only=[code])
        assert alone.findings == tuple(f for f in full if f.code is code)


def test_a_scenario_is_checked_as_its_answers_see_it(
    model: cg.Model, cli: Cli, write_file: WriteFile
) -> None:
    events = [
        {"date": "2024-02-01", "place": "a", "party": "south", "source": "s2"},
        {"date": "2024-02-01", "place": "a", "party": "north", "source": "s1"},
    ]
    model.import_file(write_file("data.json", json.dumps(dataset(events=events))))
    only = ["contradictory-reports", "event-in-future"]

    def found(checked: cg.Model) -> list[tuple[str, str | None]]:
        report = check_dataset(checked, today=TODAY, only=only)
        return [(f.code.value, f.element) for f in report.findings]

    assert found(model) == [("contradictory-reports", "a")]
    calm = model.scenario("calm")
    (south,) = [e for e in calm.events("a") if e.party == "south"]
    calm.suppress_event(south.id)
    calm.add_event("2025-06-01", place="b", party="south")
    # The scenario no longer sees the contradiction but has an event of its own to check.
    assert found(calm) == [("event-in-future", "b")]
    assert found(model) == [("contradictory-reports", "a")]
    report = cli.json("check", "--today", TODAY, "--scenario", "calm", "--only", "event-in-future")
    assert [(f["element"], f["file"]) for f in report["findings"]] == [("b", "(events added)")]
    assert cli("check", "--scenario", "nowhere").exit_code == 2


def test_the_report_that_counts_is_the_one_the_engine_uses(
    model: cg.Model, write_file: WriteFile
) -> None:
    model.import_file(write_file("data.json", json.dumps(dataset())))
    calm = model.scenario("calm")
    calm.add_event("2024-02-01", place="a", party="south")
    later = {"date": "2024-02-01", "place": "a", "party": "north", "source": "s1"}
    model.import_file(write_file("later.json", json.dumps({"events": [later]})))
    # The reported import is newer, but a scenario's events win ties over its base's.
    (finding,) = check_dataset(calm, today=TODAY, only=["contradictory-reports"]).findings
    assert [r["controller"] for r in finding.details["reports"]] == ["north", "south"]
    assert "The last report counts (held by south, (events added)" in finding.message
    assert calm.who_held("a", "2024-02-01").state.controller == "south"
    assert check_dataset(model, today=TODAY, only=["contradictory-reports"]).findings == ()


def test_kachin_sample_has_no_warnings(model: cg.Model) -> None:
    model.import_file(cg.sample_path())
    report = check_dataset(model, today="2026-03-01")
    assert report.warnings == 0
    assert [f.element for f in report.findings if f.code is Code.PLACE_NEVER_KNOWN] == [
        "kamaing",
        "mogaung",
        "mongnar-north",
        "mongnar-south",
        "myitkyina",
        "namti",
        "shwenyaung",
        "waingmaw",
    ]
    assert len(report.findings) == 8
