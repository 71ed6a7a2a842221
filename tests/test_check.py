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
from control_graph.check import CODES, Code, Finding, Severity, check_dataset, engine
from control_graph.check.rules import dates, definitions, events, network, retractions, trust
from control_graph.check.run import DEEP, RULES
from control_graph.model.records import (
    Bloc,
    ControlEvent,
    Membership,
    Party,
    Place,
    Road,
    Segment,
    Source,
    Target,
)
from control_graph.model.states import CONTESTED, UNKNOWN, State, held
from control_graph.model.timeline import ControlTimeline
from control_graph.store import orm
from control_graph.store.audit import (
    DatedRecord,
    DuplicateGroup,
    EarlyReports,
    FutureRetraction,
    LateCitation,
    RetractionRow,
    SameDayReport,
    StoredEvent,
    Withdrawal,
)
from control_graph.store.db import resolve_url
from tests.conftest import Cli

WriteFile = Callable[[str, str], Path]
TODAY = "2025-01-01"
#: BASE's reports are a year old on TODAY: the tests of the other checks count them as
#: fresh (stale-element has tests of its own).
FRESH = 1000

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
    report = cli.json(
        "check", "--today", TODAY, "--stale-days", str(FRESH), *args, exit_code=exit_code
    )
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
        "claimant": None,
        "id": None,
        "date_latest": None,
        "until": None,
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
        "date_latest": None,
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
    assert report["counts"] == {code.value: 0 for code in CODES if code not in DEEP}
    assert report["severities"] == {"warning": 0, "info": 0}
    assert report["today"] == TODAY
    result = cli("check", "--today", TODAY, "--stale-days", str(FRESH), "--strict")
    assert result.exit_code == 0
    assert f"No findings in {len(CODES) - len(DEEP)} checks." in result.stdout


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
    segments: list[dict[str, Any]] = [
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
    assert list(report["counts"]) == [code.value for code in CODES if code not in DEEP]
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
    result = cli("check", "--today", TODAY, "--stale-days", str(FRESH), "--limit", "2")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Checked Check test in " in out
    assert "disconnected-place: 3 warnings -- place on no segment" in out
    assert "place-never-known: 3 info -- place whose state is never known" in out
    assert "... and 1 more (--limit 0 or --json shows them all)" in out
    assert f"3 warnings, 3 info in {len(CODES) - len(DEEP)} checks." in out
    summary = [line.split() for line in out.splitlines() if line.startswith("disconnected-place ")]
    assert summary == [["disconnected-place", "3", "-", "place", "on", "no", "segment"]]
    assert cli("check", "--limit", "0").stdout.count("Place p") == 6


def test_bad_today_exits_2(cli: Cli) -> None:
    result = cli("check", "--today", "yesterday")
    assert result.exit_code == 2


# -- the library -----------------------------------------------------------------------


def test_check_dataset_in_a_script(model: cg.Model, write_file: WriteFile) -> None:
    model.import_file(write_file("data.json", json.dumps(dataset(parties=[{"id": "ghost"}]))))
    report = check_dataset(model, today="2025-01-01", stale_days=FRESH)
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
    assert len({f.code for f in full}) == 9
    assert [f.code for f in full if f.element == "a"] == [
        Code.EVENT_IN_FUTURE,
        Code.STALE_ELEMENT,
    ]
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
    assert report.warnings == 0, [
        f.message for f in report.findings if f.severity is not Severity.INFO
    ]
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
    # Besides those, only places whose news is old on that day.
    assert {f.code for f in report.findings} <= {Code.PLACE_NEVER_KNOWN, Code.STALE_ELEMENT}


# -- contract section 4: each rule and engine reading on its own ---------------------


def event(
    date: str,
    target_id: str,
    state: State,
    *,
    key: int,
    target: Target = Target.PLACE,
    latest: str | None = None,
    until: str | None = None,
    claimant: str | None = None,
) -> ControlEvent:
    """An event as the engine holds it; ``key`` is its row id and its order."""
    when = dt.date.fromisoformat(date)
    return ControlEvent(
        when,
        day(latest) or when,
        (key,),
        target,
        target_id,
        state,
        day(latest),
        day(until),
        claimant,
        key,
    )


def stored(key: int, record_id: str | None = None, source: str | None = None) -> StoredEvent:
    return StoredEvent(key, record_id, None, source, None, None, 1, key, "f.yaml")


def valley_timeline(*events: ControlEvent) -> ControlTimeline:
    """Places a - b - c on road main (segments ab, bc), and a place m on its own."""
    return ControlTimeline(
        places=["a", "b", "c", "m"],
        segments={"ab": ("a", "b"), "bc": ("b", "c")},
        roads={"main": ["ab", "bc"]},
        events=events,
    )


NORTH, SOUTH = held("north"), held("south")


def test_engine_freshness() -> None:
    timeline = valley_timeline(
        event("2024-01-01", "a", NORTH, key=1),
        # A rough date speaks of its latest day.
        event("2024-06-01", "a", NORTH, key=2, latest="2024-06-10"),
        # After the day asked about: not yet news.
        event("2025-02-01", "a", SOUTH, key=3),
        event("2024-01-01", "b", NORTH, key=4),
        event("2024-01-01", "c", UNKNOWN, key=5),
        # c is unknown, so bc keeps its own report; ab is derived from its ends.
        event("2024-08-01", "bc", SOUTH, key=6, target=Target.SEGMENT),
    )
    assert engine.freshness(timeline, DAY) == [
        engine.Freshness("a", "place", NORTH, dt.date(2024, 6, 10)),
        engine.Freshness("b", "place", NORTH, dt.date(2024, 1, 1)),
        engine.Freshness("bc", "segment", SOUTH, dt.date(2024, 8, 1)),
    ]


def test_rule_stale_element() -> None:
    rows = [
        engine.Freshness("a", "place", NORTH, dt.date(2024, 10, 3)),  # 90 days: not yet
        engine.Freshness("b", "place", CONTESTED, dt.date(2024, 10, 2)),
        engine.Freshness("bc", "segment", SOUTH, dt.date(2024, 1, 1)),
    ]
    found = list(trust.stale_element(rows, DAY, 90))
    assert summary(found) == [
        (Code.STALE_ELEMENT, Severity.INFO, "b", "place", dt.date(2024, 10, 2), ()),
        (Code.STALE_ELEMENT, Severity.INFO, "bc", "segment", dt.date(2024, 1, 1), ()),
    ]
    assert found[0].message.startswith(
        "Place b: its newest report is from 2024-10-02, 91 days before today (2025-01-01), "
        "more than --stale-days 90. The answer today (contested) rests on old news"
    )
    assert found[1].details == {
        "last_report": "2024-01-01",
        "age_days": 366,
        "stale_days": 90,
        "status": "held",
        "controller": "south",
    }
    assert list(trust.stale_element(rows, DAY, 400)) == []


def test_engine_open_disputes() -> None:
    claim = event("2024-12-10", "m", held("pine"), key=1, claimant="pine")
    denial = event("2024-12-12", "m", held("west"), key=2, claimant="west")
    road_claim = event("2024-12-01", "main", SOUTH, key=3, target=Target.ROAD, claimant="south")
    road_denial = event("2024-12-02", "main", NORTH, key=4, target=Target.ROAD, claimant="north")
    timeline = valley_timeline(
        claim,
        denial,
        # Two independent reports that differ are one claimant: no dispute on a.
        event("2024-12-01", "a", NORTH, key=5),
        event("2024-12-03", "a", SOUTH, key=6),
        road_claim,
        road_denial,
    )
    found = engine.open_disputes(timeline, DAY, 7)
    assert found == [
        engine.OpenDispute("m", "place", denial, (claim, denial)),
        engine.OpenDispute("ab", "segment", road_denial, (road_claim, road_denial)),
        engine.OpenDispute("bc", "segment", road_denial, (road_claim, road_denial)),
    ]
    # A window of one day leaves the road alone (the claim is a day older) but not m.
    assert [d.element for d in engine.open_disputes(timeline, DAY, 0)] == []
    assert [d.element for d in engine.open_disputes(timeline, DAY, 1)] == ["ab", "bc"]
    # A later independent report ends the dispute on m.
    settled = valley_timeline(claim, denial, event("2024-12-20", "m", held("west"), key=7))
    assert engine.open_disputes(settled, DAY, 7) == []


def test_rule_unresolved_dispute() -> None:
    claim = event("2024-12-10", "m", held("pine"), key=1, claimant="pine")
    denial = event("2024-12-12", "m", held("west"), key=2, claimant="west")
    on_road = event("2024-12-02", "main", NORTH, key=4, target=Target.ROAD, claimant="north")
    road_claim = event("2024-12-01", "main", SOUTH, key=3, target=Target.ROAD, claimant="south")
    own = event("2024-12-03", "bc", CONTESTED, key=5, target=Target.SEGMENT)
    rows = [
        engine.OpenDispute("m", "place", denial, (claim, denial)),
        engine.OpenDispute("ab", "segment", on_road, (road_claim, on_road)),
        engine.OpenDispute("x1", "segment", on_road, (road_claim, on_road)),
        engine.OpenDispute("bc", "segment", own, (road_claim, own)),
    ]
    records = {1: stored(1, "m-pine", "pine-tv"), 2: stored(2, "m-west", "west-tv")}
    place, road, segment = trust.unresolved_dispute(rows, records, DAY, 7)
    assert summary([place, road, segment]) == [
        (Code.UNRESOLVED_DISPUTE, Severity.WARNING, "m", "place", dt.date(2024, 12, 12), ()),
        # Segments disputed alike through one road: once, on the road.
        (
            Code.UNRESOLVED_DISPUTE,
            Severity.WARNING,
            "main",
            "road",
            dt.date(2024, 12, 2),
            ("ab", "x1"),
        ),
        (
            Code.UNRESOLVED_DISPUTE,
            Severity.WARNING,
            "bc",
            "segment",
            dt.date(2024, 12, 3),
            ("main",),
        ),
    ]
    assert place.message.startswith(
        "Place m is disputed today (2025-01-01): the answer, held by west (claimant west, "
        "source west-tv, id m-west, 2024-12-12), has rival claims dated up to 7 days before "
        "it: held by pine (claimant pine, source pine-tv, id m-pine, 2024-12-10)."
    )
    assert (place.details["on"], place.details["dispute_window"]) == ("2025-01-01", 7)
    assert [(c["id"], c["claimant"], c["decides"]) for c in place.details["claims"]] == [
        ("m-pine", "pine", False),
        ("m-west", "west", True),
    ]
    assert place.details["claims"][1] == {
        "element": "m",
        "id": "m-west",
        "date": "2024-12-12",
        "date_latest": None,
        "until": None,
        "status": "held",
        "party": None,
        "claimant": "west",
        "source": "west-tv",
        "confidence": None,
        "file": "f.yaml",
        "import": 1,
        "position": 2,
        "decides": True,
    }
    assert [c["element"] for c in segment.details["claims"]] == ["bc", "bc"]


def test_engine_contested_standing() -> None:
    fighting = event("2024-02-01", "main", CONTESTED, key=3, target=Target.ROAD)
    siege = event("2024-03-01", "m", CONTESTED, key=4)
    timeline = valley_timeline(
        event("2024-01-01", "a", NORTH, key=1),
        event("2024-01-01", "b", NORTH, key=2),
        fighting,
        siege,
        # Lapsed before the fighting on the road: b is north's again from 2024-01-20.
        event("2024-01-10", "b", CONTESTED, key=5, until="2024-01-20"),
        # Superseded: c's contested report no longer decides.
        event("2024-01-01", "c", CONTESTED, key=6),
        event("2024-01-05", "c", SOUTH, key=7),
    )
    assert engine.contested_standing(timeline, DAY) == [
        engine.StandingReport(siege, ("m",)),
        engine.StandingReport(fighting, ("ab", "bc")),
    ]


def test_rule_contested_without_until() -> None:
    fighting = event("2024-02-01", "main", CONTESTED, key=3, target=Target.ROAD)
    recent = event("2024-12-20", "m", CONTESTED, key=4)
    rough = event("2024-09-01", "a", CONTESTED, key=5, latest="2024-10-15")  # 78 days
    rows = [
        engine.StandingReport(fighting, ("ab", "bc")),
        engine.StandingReport(recent, ("m",)),
        engine.StandingReport(rough, ("a",)),
    ]
    (finding,) = trust.contested_without_until(rows, {3: stored(3, "clash", "radio")}, DAY, 90)
    assert summary([finding]) == [
        (
            Code.CONTESTED_WITHOUT_UNTIL,
            Severity.WARNING,
            "main",
            "road",
            dt.date(2024, 2, 1),
            ("ab", "bc"),
        )
    ]
    assert finding.message.startswith(
        "A contested report on road main, dated 2024-02-01 (independent, source radio, id "
        "clash; f.yaml, event #3), has no 'until', is 335 days old (more than --stale-days "
        "90), and still decides 2 segments of it today (ab, bc)"
    )
    assert (finding.details["age_days"], finding.details["decides"]) == (335, ["ab", "bc"])
    assert finding.details["event"]["id"] == "clash"
    assert len(list(trust.contested_without_until(rows, {}, DAY, 60))) == 2


def test_engine_roads_against_ends() -> None:
    against = event("2024-03-01", "main", NORTH, key=10, target=Target.ROAD)
    ends = [
        event("2024-01-01", "a", SOUTH, key=1),
        event("2024-01-01", "b", SOUTH, key=2),
        event("2024-01-01", "c", NORTH, key=3),
    ]
    timeline = valley_timeline(*ends, against)
    # ab: both ends south; bc: c is north's, so the report agrees with one end.
    assert engine.roads_against_ends(timeline) == [
        engine.RoadAgainstEnds(against, (engine.EndsOf("ab", "a", SOUTH, "b", SOUTH),))
    ]
    # A rough date: b is north's from 2024-03-10, so the report may be right.
    rough = against._replace(date_latest=dt.date(2024, 3, 20))
    later = event("2024-03-10", "b", NORTH, key=4)
    assert engine.roads_against_ends(valley_timeline(*ends, later, rough)) == []
    # Reports of fighting, or of not knowing, never contradict their ends.
    quiet = [against._replace(state=CONTESTED), against._replace(state=UNKNOWN)]
    assert engine.roads_against_ends(valley_timeline(*ends, *quiet)) == []


def test_rule_road_event_contradicts_ends() -> None:
    against = event("2024-03-01", "main", NORTH, key=10, target=Target.ROAD)
    rows = [
        engine.RoadAgainstEnds(
            against,
            (
                engine.EndsOf("ab", "a", SOUTH, "b", SOUTH),
                engine.EndsOf("bc", "b", SOUTH, "c", held("east")),
            ),
        )
    ]
    (finding,) = trust.road_event_contradicts_ends(rows, {10: stored(10, "line", "radio")})
    assert summary([finding]) == [
        (
            Code.ROAD_EVENT_CONTRADICTS_ENDS,
            Severity.WARNING,
            "main",
            "road",
            dt.date(2024, 3, 1),
            ("ab", "bc"),
        )
    ]
    assert finding.message.startswith(
        "A report on road main, dated 2024-03-01 (independent, source radio, id line; "
        "f.yaml, event #10), says it is held by north, but both ends of 2 segments are held "
        "by others then: ab (a: held by south, b: held by south), bc (b: held by south, c: "
        "held by east)."
    )
    assert finding.details["segments"][1] == {
        "segment": "bc",
        "start": "b",
        "start_state": {"status": "held", "controller": "south"},
        "end": "c",
        "end_state": {"status": "held", "controller": "east"},
    }


def retraction(
    record_id: str,
    recorded: str,
    *,
    version: int = 1,
    how: Withdrawal = "retraction",
    at: tuple[int, int] = (2, 1),
    known: str = "2024-03-01",
) -> RetractionRow:
    return RetractionRow(
        record_id,
        "event",
        version,
        "place",
        "a",
        dt.date(2024, 3, 1),
        dt.date.fromisoformat(known),
        how,
        dt.date.fromisoformat(recorded),
        None,
        *at,
        "f.yaml",
    )


def test_rule_repeated_retraction() -> None:
    rows = [
        # x is retracted twice: the later retraction changes nothing.
        retraction("x", "2024-04-04", at=(2, 2)),
        retraction("x", "2024-04-06", at=(2, 1)),
        # y's first version was replaced by a correction; retracting y afterwards still
        # withdraws the current version, so it changes something.
        retraction("y", "2024-04-01", version=1, how="correction", at=(3, 1)),
        retraction("y", "2024-04-05", version=1, at=(4, 1)),
        retraction("y", "2024-04-05", version=2, at=(4, 1)),
        # z's import was undone before z was retracted.
        retraction("z", "2024-02-01", how="undo", at=(5, 1)),
        retraction("z", "2024-02-03", at=(6, 1)),
    ]
    x, z = retractions.repeated_retraction(rows)
    assert summary([x, z]) == [
        (Code.REPEATED_RETRACTION, Severity.INFO, "a", "place", dt.date(2024, 4, 4), ()),
        (Code.REPEATED_RETRACTION, Severity.INFO, "a", "place", dt.date(2024, 2, 1), ()),
    ]
    assert x.message.startswith(
        "The event x (on place a, dated 2024-03-01) is retracted more than once: "
        "2024-04-04 (retraction, f.yaml, retraction #2); 2024-04-06 (retraction, f.yaml, "
        "retraction #1). The earliest counts"
    )
    assert "the retraction recorded 2024-04-06 changes nothing" in x.message
    assert [(r["recorded"], r["changes_nothing"]) for r in x.details["retractions"]] == [
        ("2024-04-04", False),
        ("2024-04-06", True),
    ]
    assert [r["how"] for r in z.details["retractions"]] == ["undo", "retraction"]


def test_rule_retraction_before_record() -> None:
    rows = [
        retraction("early", "2024-02-01", known="2024-03-01"),
        # Only the retraction that counts (the earliest) matters.
        retraction("fine", "2024-03-01", known="2024-03-01"),
        retraction("fine", "2024-04-01", known="2024-03-01", at=(3, 1)),
    ]
    (finding,) = retractions.retraction_before_record(rows)
    assert summary([finding]) == [
        (Code.RETRACTION_BEFORE_RECORD, Severity.WARNING, "a", "place", dt.date(2024, 2, 1), ())
    ]
    assert finding.message.startswith(
        "The event early (on place a, dated 2024-03-01), known from 2024-03-01, is withdrawn "
        "on 2024-02-01 (retraction, f.yaml, retraction #1), before it was known"
    )
    assert (finding.details["id"], finding.details["record_known"]) == ("early", "2024-03-01")


def test_rule_recorded_in_future_retractions() -> None:
    later = dt.date(2025, 2, 1)
    rows = [
        FutureRetraction("x", None, later, "s1", 3, 1, "f.yaml"),
        FutureRetraction(None, 2, later, None, 4, 1, "(undo import #2)"),
        FutureRetraction("y", None, DAY, None, 3, 2, "f.yaml"),  # today: fine
    ]
    found = list(dates.recorded_in_future([], DAY, rows))
    assert summary(found) == [
        (Code.RECORDED_IN_FUTURE, Severity.WARNING, "x", "record", later, ()),
        (Code.RECORDED_IN_FUTURE, Severity.WARNING, "2", "import", later, ()),
    ]
    assert found[0].message.startswith(
        "A retraction of record x (f.yaml, retraction #1) is recorded on 2025-02-01"
    )
    assert "A retraction of import #2" in found[1].message


def test_rule_dates_with_date_latest_and_access() -> None:
    rough = dated_row("2024-12-20")._replace(date_latest=dt.date(2025, 1, 5))
    access = dated_row("2024-12-01", "2025-01-03")._replace(record="access", target_type="segment")
    (future,) = dates.event_in_future([rough, access], DAY)
    assert "is dated 2024-12-20 to 2025-01-05, which ends after today" in future.message
    assert future.details["date_latest"] == "2025-01-05"
    # A rough date ending after today is event-in-future, not recorded-in-future.
    (recorded,) = dates.recorded_in_future(
        [rough._replace(recorded=day("2025-01-06")), access], DAY
    )
    assert recorded.message.startswith("Access record on segment a (data.json, access #1)")


# -- contract section 4: through the database and the command line --------------------


def load_yaml(cli: Cli, write_file: WriteFile, text: str, name: str = "data.yaml") -> None:
    result = cli("import", str(write_file(name, text)))
    assert result.exit_code == 0, result.output + result.stderr


def check_on(cli: Cli, *args: str, today: str = TODAY) -> dict[str, Any]:
    report = cli.json("check", "--today", today, *args)
    assert isinstance(report, dict)
    return report


STALE = """
format: control-graph/1
parties: [{id: north}, {id: south}]
places: [{id: a}, {id: b}, {id: c}, {id: d}]
roads: [{id: main, places: [a, b, c]}]
segments: [{id: cd, from: c, to: d}]
events:
  - {date: 2024-01-01, place: a, party: north}
  - {id: a-rumour, date: 2024-12-20, place: a, party: south}   # retracted: no news
  - {date: 2024-12-01, place: b, party: north}
  # "September to mid-October": news of 2024-10-15 at the latest, 78 days before today
  - {date: 2024-09-01, date_latest: 2024-10-15, place: c, party: south}
  # d is never known, so cd keeps its own report
  - {date: 2024-06-01, segment: cd, party: south}
retractions:
  - {event: a-rumour, recorded: 2024-12-22}
"""


def test_stale_elements(cli: Cli, write_file: WriteFile) -> None:
    load_yaml(cli, write_file, STALE)
    found = of(check_on(cli, "--only", "stale-element"), "stale-element")
    # main/1 and main/2 are derived from their ends, which are checked themselves.
    assert brief(found) == [
        ("info", "a", "place", "2024-01-01", []),
        ("info", "cd", "segment", "2024-06-01", []),
    ]
    assert [(f["age_days"], f["status"], f["controller"]) for f in found] == [
        (366, "held", "north"),
        (214, "held", "south"),
    ]
    strict = check_on(cli, "--only", "stale-element", "--stale-days", "30")
    assert [f["element"] for f in strict["findings"]] == ["a", "b", "c", "cd"]
    assert check_on(cli, "--stale-days", "400", "--only", "stale-element")["findings"] == []
    # Old news is relative to today.
    assert check_on(cli, "--only", "stale-element", today="2024-12-25")["counts"] == {
        "stale-element": 2
    }
    result = cli("check", "--stale-days", "-1")
    assert result.exit_code == 2
    assert "--stale-days" in result.stderr


DISPUTES = """
format: control-graph/1
parties: [{id: west}, {id: pine}, {id: lake}]
sources: [{id: pine-tv}, {id: west-tv}, {id: radio}]
places: [{id: quay}, {id: ferry}, {id: market}]
roads: [{id: lake-road, places: [quay, ferry, market]}]
events:
  - {date: 2024-10-01, place: quay, party: west, source: radio}
  # pine claims the market, west denies two days later: open on 2025-01-01
  - {id: market-pine, date: 2024-12-10, place: market, party: pine, claimant: pine, source: pine-tv}
  - {id: market-west, date: 2024-12-12, place: market, party: west, claimant: west,
     source: west-tv, confidence: low}
  # rival claims on the ferry, settled by an independent report
  - {id: ferry-west, date: 2024-11-01, place: ferry, party: west, claimant: west, source: west-tv}
  - {id: ferry-lake, date: 2024-11-03, place: ferry, party: lake, claimant: lake}
  - {id: ferry-confirmed, date: 2024-11-20, place: ferry, party: lake, source: radio}
"""


def test_unresolved_disputes(cli: Cli, write_file: WriteFile) -> None:
    load_yaml(cli, write_file, DISPUTES)
    found = of(check_on(cli, "--only", "unresolved-dispute"), "unresolved-dispute")
    # The segment ferry-market is disputed through the market: only the market is listed.
    assert brief(found) == [("warning", "market", "place", "2024-12-12", [])]
    claims = found[0]["claims"]
    assert [(c["id"], c["party"], c["claimant"], c["source"], c["decides"]) for c in claims] == [
        ("market-pine", "pine", "pine", "pine-tv", False),
        ("market-west", "west", "west", "west-tv", True),
    ]
    assert (found[0]["on"], found[0]["dispute_window"]) == ("2025-01-01", 7)
    # A window of one day: the claim is two days older than the denial.
    narrow = check_on(cli, "--only", "unresolved-dispute", "--dispute-window", "1")
    assert narrow["findings"] == []
    # Before the independent report, the ferry was disputed.
    before = check_on(cli, "--only", "unresolved-dispute", today="2024-11-10")
    assert [(f["element"], f["date"]) for f in before["findings"]] == [("ferry", "2024-11-03")]


ROADS = """
format: control-graph/1
parties: [{id: north}, {id: south}]
sources: [{id: radio}]
places: [{id: a}, {id: b}, {id: c}, {id: d}, {id: e}, {id: f}, {id: g}]
roads:
  - {id: main, places: [a, b, c]}
  - {id: east, places: [c, d, e, f]}
segments: [{id: fg, from: f, to: g}]
events:
  - {date: 2024-01-01, place: a, party: north}
  - {date: 2024-01-01, place: b, party: north}
  - {date: 2024-01-01, place: c, party: south}
  - {date: 2024-01-01, place: d, party: south}
  - {date: 2024-01-01, place: e, party: south}
  - {date: 2024-01-01, place: f, party: north}
  # a one-off "fighting along the road": keeps main contested for ever
  - {id: fighting, date: 2024-02-01, road: main, status: contested, kind: clash, source: radio}
  # fighting that lapses, or is recent, is fine
  - {date: 2024-02-01, date_latest: 2024-02-03, until: 2024-02-10, place: d, status: contested}
  - {date: 2024-12-20, segment: fg, status: contested}
  # east held by north while c, d and e are held by south
  - {id: claimed, date: 2024-03-01, road: east, party: north, source: radio}
"""


def test_contested_without_until_and_road_events_against_ends(
    cli: Cli, write_file: WriteFile
) -> None:
    load_yaml(cli, write_file, ROADS)
    report = check_on(
        cli, "--only", "contested-without-until", "--only", "road-event-contradicts-ends"
    )
    contested = of(report, "contested-without-until")
    assert brief(contested) == [("warning", "main", "road", "2024-02-01", ["main/1", "main/2"])]
    assert (contested[0]["age_days"], contested[0]["event"]["id"]) == (335, "fighting")
    assert contested[0]["message"].startswith(
        "A contested report on road main, dated 2024-02-01 (independent, source radio, id "
        "fighting; data.yaml, event #7), has no 'until'"
    )
    against = of(report, "road-event-contradicts-ends")
    # east/3 (e - f) agrees with f.
    assert brief(against) == [("warning", "east", "road", "2024-03-01", ["east/1", "east/2"])]
    assert [(s["segment"], s["start_state"]["controller"]) for s in against[0]["segments"]] == [
        ("east/1", "south"),
        ("east/2", "south"),
    ]
    later = check_on(cli, "--only", "contested-without-until", "--stale-days", "400")
    assert later["findings"] == []


CONTRADICTIONS = """
format: control-graph/1
parties: [{id: north}, {id: south}, {id: west}]
sources: [{id: s1}, {id: s2}]
places: [{id: a}, {id: b}, {id: c}, {id: d}, {id: e}]
events:
  # a claim and an independent report disagree: a dispute, not a contradiction
  - {date: 2024-12-01, place: a, party: north, source: s1}
  - {date: 2024-12-01, place: a, party: south, claimant: south, source: s2}
  # one claimant, two sources: a contradiction
  - {date: 2024-12-01, place: b, party: west, claimant: west, source: s1}
  - {date: 2024-12-01, place: b, status: contested, claimant: west, source: s2}
  # an exact day and a rough date starting that day may be different days
  - {date: 2024-12-01, place: c, party: north, source: s1}
  - {date: 2024-12-01, date_latest: 2024-12-05, place: c, party: south, source: s2}
  # both "early December": a contradiction
  - {date: 2024-12-01, date_latest: 2024-12-10, place: d, party: north, source: s1}
  - {date: 2024-12-01, date_latest: 2024-12-10, place: d, party: south, source: s2}
  # a rough date of one day is that day; the second report is retracted
  - {date: 2024-12-01, place: e, party: north, source: s1}
  - {date: 2024-12-01, date_latest: 2024-12-01, place: e, party: south, source: s2}
  - {id: withdrawn, date: 2024-12-01, place: e, status: contested, source: s1}
retractions:
  - {event: withdrawn, recorded: 2024-12-03}
"""


def test_contradictions_are_among_one_claimants_reports(cli: Cli, write_file: WriteFile) -> None:
    load_yaml(cli, write_file, CONTRADICTIONS)
    report = check_on(cli, "--only", "contradictory-reports", "--only", "unresolved-dispute")
    found = of(report, "contradictory-reports")
    assert brief(found) == [
        ("warning", "b", "place", "2024-12-01", []),
        ("warning", "d", "place", "2024-12-01", []),
        ("warning", "e", "place", "2024-12-01", []),
    ]
    assert found[0]["message"].startswith("place b on 2024-12-01 (claims by west): 2 different")
    assert found[1]["message"].startswith("place d on 2024-12-01 to 2024-12-10: 2 different")
    assert [r["claimant"] for r in found[0]["reports"]] == ["west", "west"]
    assert [r["date_latest"] for r in found[2]["reports"]] == [None, "2024-12-01"]
    # The rival claims on a are a dispute, which answers show.
    assert brief(of(report, "unresolved-dispute")) == [("warning", "a", "place", "2024-12-01", [])]


SECTION_4_RECORDS = """
format: control-graph/1
parties: [{id: north}, {id: south}, {id: claimer}, {id: blocker}]
sources:
  - {id: s1, published: 2024-06-01}
  - {id: retraction-source}
  - {id: access-source}
places: [{id: a}, {id: b}, {id: c}]
roads: [{id: main, places: [a, b, c]}]
events:
  - {date: 2024-12-01, place: a, party: north}
  # claimer is named only as a claimant: it is used
  - {date: 2024-12-01, place: b, party: north, claimant: claimer}
  # retracted: no contradiction with a's report, and c is never known
  - {id: wrong, date: 2024-12-01, place: a, party: south}
  - {id: c-known, date: 2024-12-01, place: c, party: north}
  # "late December", reported today: it happened by today
  - {date: 2024-12-21, date_latest: 2025-01-05, place: b, party: north}
  # identical but for until: not the same event
  - {date: 2024-12-02, place: a, party: north, until: 2024-12-20}
  - {date: 2024-12-02, place: a, party: north}
  # before a and b are known, but lapsed before: never cut short
  - {date: 2024-11-01, until: 2024-11-15, segment: main/1, status: contested}
access:
  - {date: 2025-02-01, segment: main/1, access: blocked, party: blocker, source: access-source}
  - {date: 2024-07-01, segment: main/2, access: taxed, source: s1}
retractions:
  - {event: wrong, recorded: 2024-12-02, source: retraction-source}
  - {event: c-known, recorded: 2024-12-05}
"""


def test_section_4_records_in_the_other_checks(cli: Cli, write_file: WriteFile) -> None:
    load_yaml(cli, write_file, SECTION_4_RECORDS)
    report = run_check(cli)
    assert {code for code, count in report["counts"].items() if count} == {
        "event-in-future",
        "event-after-source",
        "place-never-known",
    }
    future = of(report, "event-in-future")
    assert brief(future) == [
        ("warning", "b", "place", "2024-12-21", []),
        ("warning", "main/1", "segment", "2025-02-01", []),
    ]
    assert [(f["record"], f["date_latest"]) for f in future] == [
        ("event", "2025-01-05"),
        ("access", None),
    ]
    assert "Access record on segment main/1 (data.yaml, access #1)" in future[1]["message"]
    late = of(report, "event-after-source")
    assert [(f["element"], f["record"]) for f in late] == [("s1", "access")]
    assert "1 access record citing source s1" in late[0]["message"]
    assert brief(of(report, "place-never-known")) == [("info", "c", "place", None, [])]


def test_retractions(model: cg.Model, write_file: WriteFile) -> None:
    base = """
format: control-graph/1
parties: [{id: north}, {id: south}]
sources: [{id: radio}]
places: [{id: a}, {id: b}]
roads: [{id: main, places: [a, b]}]
events:
  - {date: 2024-01-01, place: a, party: north}
  - {date: 2024-01-01, place: b, party: north}
  - {id: rumour, date: 2024-04-02, place: a, party: south, source: radio}
  - {id: typo, date: 2024-05-01, place: b, party: south}
access:
  - {id: closure, date: 2024-06-01, segment: main/1, access: blocked, party: south}
retractions:
  - {event: rumour, recorded: 2024-04-06}
  - {event: rumour, recorded: 2024-04-04, source: radio}
  - {event: typo, recorded: 2024-04-20}
  - {event: closure, recorded: 2025-02-01}
"""
    model.import_file(write_file("base.yaml", base))
    late = model.import_file(write_file("late.yaml", LATE.format(party="south")))
    model.undo_import(late.import_id, recorded="2024-08-01")
    model.retract("late", recorded="2024-08-05")
    # A corrected record retracted afterwards: the retraction withdraws the new version.
    model.import_file(write_file("v1.yaml", VERSION.format(party="north")))
    model.import_file(
        write_file("v2.yaml", VERSION.format(party="south")),
        replace_changed=True,
        recorded="2024-09-10",
    )
    model.retract("v", recorded="2024-09-12")
    codes = ["repeated-retraction", "retraction-before-record", "recorded-in-future"]
    report = check_dataset(model, today=TODAY, only=codes)
    found = [(f.code.value, f.element, f.date, f.details.get("id")) for f in report.findings]
    assert found == [
        ("recorded-in-future", "closure", dt.date(2025, 2, 1), None),
        ("retraction-before-record", "b", dt.date(2024, 4, 20), "typo"),
        ("repeated-retraction", "a", dt.date(2024, 4, 4), "rumour"),
        ("repeated-retraction", "a", dt.date(2024, 8, 1), "late"),
    ]
    undone = report.findings[-1].details["retractions"]
    assert [(r["how"], r["changes_nothing"]) for r in undone] == [
        ("undo", False),
        ("retraction", True),
    ]


LATE = """
format: control-graph/1
events: [{{id: late, date: 2024-07-01, place: a, party: {party}}}]
"""
VERSION = """
format: control-graph/1
events: [{{id: v, date: 2024-09-01, place: b, party: {party}}}]
"""


def test_check_options_in_python(model: cg.Model, write_file: WriteFile) -> None:
    model.import_file(write_file("stale.yaml", STALE))
    only = ["stale-element"]
    assert len(check_dataset(model, today=TODAY, only=only, stale_days=30).findings) == 4
    assert check_dataset(model, today=TODAY, only=only, stale_days=400).findings == ()
    for bad in (-1, 1.5, True, "90"):
        with pytest.raises(cg.InvalidArgumentError, match="stale_days"):
            check_dataset(model, stale_days=bad)  # type: ignore[arg-type]
    with pytest.raises(cg.InvalidArgumentError, match="dispute_window"):
        check_dataset(model, dispute_window=-1)
