"""``control-graph check`` and :func:`control_graph.check.check_dataset`: every finding
code triggered by a small dataset, a clean dataset without findings, exit codes, the
JSON document and the table, on both backends."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import control_graph as cg
from control_graph.check import CODES, Code, Severity, check_dataset
from control_graph.store import orm
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
    with cg.open(db_url) as model, model.engine.begin() as conn:
        conn.execute(
            sa.insert(orm.BlocMembership).values(
                bloc_id="other", position=2, party_id="north", start_date=None, end_date=None
            )
        )
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
