"""Scenarios never touch reported data; compare's answers match hand computations.

Hand-computed figures use tests/data/valley.yaml: on 2024-01-15 ford, mill, gate and town
are held by north, hill by south, well is unknown. valley-road/1..3 are 15.605, 12.393
and 12.393 km long (great-circle), hill-track 8 km, ridge-track 30 km, well-path 1 km
(well has no coordinates).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import control_graph as cg
from control_graph.model.states import CONTESTED, held
from tests.conftest import Cli

ELEMENTS = [
    "ford",
    "mill",
    "gate",
    "town",
    "hill",
    "well",
    "valley-road",
    "valley-road/1",
    "valley-road/2",
    "valley-road/3",
    "hill-track",
    "ridge-track",
    "well-path",
]
DAYS = ["2024-01-15", "2024-02-11", "2024-02-15", "2024-03-06", "2024-04-02"]
SCENARIO_PLACE = """
places:
  - {id: camp, name: Forward Camp, kind: camp, lat: 10.05, lon: 20.05}
segments:
  - {id: camp-track, from: ford, to: camp, length_km: 3}
events:
  - {date: 2024-01-05, place: camp, party: south}
"""


def reported_answers(model: cg.Model) -> list[dict[str, Any]]:
    return [model.who_held(e, d).as_dict() for e in ELEMENTS for d in DAYS] + [
        model.timeline(e).as_dict() for e in ELEMENTS
    ]


def test_scenario_work_never_changes_the_reported_data(valley: cg.Model, write_file: Any) -> None:
    before = reported_answers(valley)
    events_before = [e.as_dict() for e in valley.events()]
    what_if = valley.scenario("what-if", description="south takes mill early")
    what_if.add_event("2024-01-10", place="mill", party="south")
    what_if.import_file(write_file("camp.yaml", SCENARIO_PLACE))
    gate_capture = next(e for e in valley.events("gate") if e.kind == "capture")
    what_if.suppress_event(gate_capture.id)
    child = what_if.scenario("child")
    child.add_event("2024-01-12", place="town", party="south")
    assert what_if.who_held("mill", "2024-01-15").state == held("south")
    assert reported_answers(valley) == before
    assert [e.as_dict() for e in valley.events()] == events_before
    with pytest.raises(cg.UnknownElementError):
        valley.who_held("camp", "2024-01-15")  # the scenario's place is not reported
    valley.delete_scenario("child")
    valley.delete_scenario("what-if")
    assert reported_answers(valley) == before
    assert valley.scenarios() == []


def test_the_reported_data_cannot_be_edited_through_the_scenario_api(valley: cg.Model) -> None:
    with pytest.raises(cg.InvalidArgumentError):
        valley.add_event("2024-01-10", place="mill", party="south")
    with pytest.raises(cg.InvalidArgumentError):
        valley.suppress_event(1)


def test_a_scenario_sees_what_its_base_receives_later(valley: cg.Model, write_file: Any) -> None:
    what_if = valley.scenario("what-if")
    child = what_if.scenario("child")
    what_if.add_event("2024-01-10", place="mill", party="south")
    valley.import_file(
        write_file("later.yaml", "events:\n  - {date: 2024-05-01, place: well, party: east}\n")
    )
    assert child.who_held("mill", "2024-01-15").state == held("south")
    assert child.who_held("well", "2024-05-02").state == held("east")


def test_suppressed_reports_count_as_absent(valley: cg.Model) -> None:
    capture = next(e for e in valley.events("gate") if e.kind == "capture")
    doubt = valley.scenario("capture-false")
    doubt.suppress_event(capture.id, note="single source")
    assert valley.who_held("gate", "2024-02-15").state == held("south")
    assert doubt.who_held("gate", "2024-02-15").state == CONTESTED
    assert [e.suppressed for e in doubt.events("gate")] == [False, False, True]
    with pytest.raises(cg.UnknownElementError):
        doubt.suppress_event(999_999)


def test_a_scenario_event_wins_a_tie_with_the_report_below_it(valley: cg.Model) -> None:
    what_if = valley.scenario("north-holds")
    what_if.add_event("2024-02-12", place="gate", party="north", recorded="2024-02-12")
    assert what_if.who_held("gate", "2024-02-12").state == held("north")


def test_scenario_files_may_not_define_parties(valley: cg.Model, write_file: Any) -> None:
    what_if = valley.scenario("what-if")
    with pytest.raises(cg.DatasetError, match="parties"):
        what_if.import_file(write_file("p.yaml", "parties:\n  - {id: west}\n"))


def test_an_id_belongs_to_one_layer(valley: cg.Model, write_file: Any) -> None:
    camp = write_file("camp.yaml", SCENARIO_PLACE)
    valley.scenario("one").import_file(camp)
    with pytest.raises(cg.DatasetError, match="already used by scenario 'one'"):
        valley.scenario("two").import_file(camp)
    with pytest.raises(cg.DatasetError, match="already used by scenario 'one'"):
        valley.import_file(camp)


def test_a_base_cannot_be_deleted_before_its_children(valley: cg.Model) -> None:
    valley.scenario("parent").scenario("kid")
    with pytest.raises(cg.InvalidArgumentError, match="kid"):
        valley.delete_scenario("parent")


def test_bad_scenario_names(valley: cg.Model) -> None:
    for name in ("Bad Name", "-x", ""):
        with pytest.raises(cg.InvalidArgumentError):
            valley.scenario(name)
    assert valley.scenario("reported").scenario_name is None
    with pytest.raises(cg.UnknownElementError):
        valley.scenario("missing", create=False)


# -- compare, against hand-computed answers ---------------------------------------------------


@pytest.fixture
def mill_falls(valley: cg.Model) -> cg.Model:
    what_if = valley.scenario("mill-falls")
    what_if.add_event("2024-01-10", place="mill", party="south", kind="capture")
    return what_if


def test_compare_on_a_day(valley: cg.Model, mill_falls: cg.Model) -> None:
    result = cg.compare(valley, mill_falls, on="2024-01-15", between=["ford", "Town"])
    assert [(d.element, d.a, d.b) for d in result.differences] == [
        ("mill", held("north"), held("south")),
        ("valley-road/1", held("north"), CONTESTED),
        ("valley-road/2", held("north"), CONTESTED),
    ]
    [road] = result.roads
    assert (road.road, road.a, road.b) == ("valley-road", held("north"), CONTESTED)
    assert result.km_a == pytest.approx(
        {"(contested)": 38.0, "(unknown)": 1.0, "north": 40.391}, abs=0.01
    )
    assert result.km_b == pytest.approx(
        {"(contested)": 65.998, "(unknown)": 1.0, "north": 12.393}, abs=0.01
    )
    reach = {(r.start, r.end, r.controller): (r.a_km, r.b_km) for r in result.reachability}
    assert reach[("ford", "town", "north")] == (pytest.approx(40.391, abs=0.01), None)
    assert reach[("ford", "town", "south")] == (None, None)
    document = result.as_dict()
    assert document["a"] == "reported" and document["b"] == "mill-falls"
    assert document["differences"][0] == {
        "element": "mill",
        "type": "place",
        "a": {"status": "held", "controller": "north"},
        "b": {"status": "held", "controller": "south"},
    }


def test_compare_over_a_window_counts_days(valley: cg.Model, mill_falls: cg.Model) -> None:
    result = cg.compare(valley, mill_falls, start="2024-01-01", end="2024-01-20")
    assert {d.element: d.days for d in result.differences} == {
        "mill": 11,
        "valley-road/1": 11,
        "valley-road/2": 11,
    }
    assert result.date is None and result.start == dt.date(2024, 1, 1)


def test_compare_by_bloc(valley: cg.Model) -> None:
    what_if = valley.scenario("east-takes-ford")
    what_if.add_event("2024-04-01", place="ford", party="east")
    # Reported: ford south on 04-01. Both south and east are in the coalition then.
    result = cg.compare(valley, what_if, on="2024-04-02", by="bloc")
    assert result.differences == ()
    assert cg.compare(valley, what_if, on="2024-04-02").differences[0].element == "ford"


def test_compare_with_an_added_place(valley: cg.Model, write_file: Any) -> None:
    what_if = valley.scenario("camp")
    what_if.import_file(write_file("camp.yaml", SCENARIO_PLACE))
    result = cg.compare(valley, what_if, on="2024-01-15")
    found = {d.element: (d.a, d.b) for d in result.differences}
    assert found == {"camp": (None, held("south")), "camp-track": (None, CONTESTED)}
    assert result.km_b["(contested)"] == pytest.approx(result.km_a["(contested)"] + 3)


# -- the command line ----------------------------------------------------------------------


def test_scenario_commands(valley_cli: Cli, tmp_path: Path) -> None:
    created = valley_cli.json("scenario", "create", "mill-falls", "--description", "what if")
    assert created["name"] == "mill-falls" and created["base"] == "reported"
    valley_cli.json(
        "scenario",
        "add-event",
        "mill-falls",
        "--on",
        "2024-01-10",
        "--place",
        "mill",
        "--party",
        "south",
    )
    answer = valley_cli.json("who-held", "mill", "--on", "2024-01-15", "--scenario", "mill-falls")
    assert answer["controller"] == "south"
    assert valley_cli.json("who-held", "mill", "--on", "2024-01-15")["controller"] == "north"
    listed = valley_cli.json("scenario", "list")["scenarios"]
    assert [(s["name"], s["events"]) for s in listed] == [("mill-falls", 1)]
    shown = valley_cli.json("scenario", "show", "mill-falls")
    assert [e["place"] for e in shown["events"]] == ["mill"]
    compared = valley_cli.json(
        "compare", "reported", "mill-falls", "--on", "2024-01-15", "--between", "ford,town"
    )
    assert [d["element"] for d in compared["differences"]] == [
        "mill",
        "valley-road/1",
        "valley-road/2",
    ]
    table = valley_cli("compare", "reported", "mill-falls", "--on", "2024-01-15")
    assert table.exit_code == 0 and "valley-road/1" in table.stdout
    gate = valley_cli.json("events", "gate")["events"]
    capture = next(e for e in gate if e["kind"] == "capture")
    valley_cli.json("scenario", "create", "doubt")
    valley_cli.json("scenario", "suppress", "doubt", str(capture["id"]))
    assert (
        valley_cli.json("who-held", "gate", "--on", "2024-02-15", "--scenario", "doubt")["status"]
        == "contested"
    )
    assert valley_cli.json("scenario", "delete", "doubt")["deleted"] == "doubt"


@pytest.mark.parametrize(
    "args",
    [
        ("who-held", "mill", "--on", "2024-01-15", "--scenario", "nope"),
        ("scenario", "create", "Bad Name"),
        (
            "scenario",
            "add-event",
            "nope",
            "--on",
            "2024-01-01",
            "--place",
            "mill",
            "--party",
            "south",
        ),
        ("compare", "reported", "nope", "--on", "2024-01-15"),
        ("compare", "reported", "reported"),
        ("scenario", "suppress", "nope", "1"),
    ],
)
def test_scenario_mistakes_exit_2(valley_cli: Cli, args: tuple[str, ...]) -> None:
    result = valley_cli(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
