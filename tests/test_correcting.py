"""Correcting data safely, with its history kept (issue "Analyst trust", item 4), and the
bad input of every key of contract section 4."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import control_graph as cg
from tests.conftest import VALLEY, Cli

WriteFile = Callable[[str, str], Path]

REPORTS = """
events:
  - {id: gate-taken, date: 2024-05-01, place: gate, party: north, source: radio}
  - {id: mill-taken, date: 2024-05-02, place: mill, party: east}
sources:
  - {id: radio}
"""


@pytest.fixture
def reports(valley: cg.Model, write_file: WriteFile) -> cg.Model:
    valley.import_file(write_file("reports.yaml", REPORTS), by="analyst-1")
    return valley


def controller(model: cg.Model, place: str, day: str, **options: Any) -> str | None:
    return model.who_held(place, day, **options).state.controller


def test_retract_by_id_keeps_the_history(reports: cg.Model) -> None:
    assert controller(reports, "gate", "2024-05-03") == "north"
    reports.retract("gate-taken", recorded="2024-06-01", note="wrong village")
    assert controller(reports, "gate", "2024-05-03") == "south"
    # As known before the retraction, the report still counts.
    assert controller(reports, "gate", "2024-05-03", as_of="2024-05-31") == "north"
    [record] = [e for e in reports.events("gate") if e.record.id == "gate-taken"]
    assert record.retracted is not None and record.retracted.isoformat() == "2024-06-01"


def test_retracting_an_unknown_id_writes_nothing(reports: cg.Model) -> None:
    before = len(reports.imports())
    with pytest.raises(cg.UnknownElementError, match="no-such"):
        reports.retract("gate-taken", "no-such")
    assert len(reports.imports()) == before
    assert controller(reports, "gate", "2024-05-03") == "north"


def test_undo_import_retracts_everything_it_added(valley: cg.Model, write_file: WriteFile) -> None:
    days = ("2024-05-01", "2024-05-03", "2025-01-01")
    before = [valley.timeline(p).as_dict() for p in ("gate", "mill")]
    before += [valley.who_held("valley-road", day).as_dict() for day in days]
    valley.import_file(write_file("reports.yaml", REPORTS), by="analyst-1")
    reports = valley
    last = reports.imports()[-1]
    assert last.by == "analyst-1" and last.counts["events"] == 2
    reports.undo_import(last.id, recorded="2024-07-01")
    after = [valley.timeline(p).as_dict() for p in ("gate", "mill")]
    after += [valley.who_held("valley-road", day).as_dict() for day in days]
    assert after == before
    assert controller(reports, "gate", "2024-05-03", as_of="2024-06-30") == "north"
    listed = {i.id: i for i in reports.imports()}
    assert listed[last.id].undone is not None
    with pytest.raises(cg.InvalidArgumentError, match="undone already"):
        reports.undo_import(last.id)
    with pytest.raises(cg.InvalidArgumentError, match="no import #999"):
        reports.undo_import(999)


def test_a_corrected_file_is_refused_then_replaces_with_the_flag(
    reports: cg.Model, write_file: WriteFile
) -> None:
    corrected = write_file("corrected.yaml", REPORTS.replace("party: north", "party: east"))
    with pytest.raises(cg.DatasetError) as caught:
        reports.import_file(corrected)
    [issue] = caught.value.issues
    assert issue.field == "id" and "gate-taken" in issue.message and "party" in issue.message
    report = reports.import_file(corrected, replace_changed=True, recorded="2024-06-15")
    assert list(report.replaced) == ["gate-taken"]
    assert report.skipped["events"] == 1  # mill-taken is identical
    assert report.added["events"] == 1
    assert controller(reports, "gate", "2024-05-03") == "east"
    assert controller(reports, "gate", "2024-05-03", as_of="2024-06-14") == "north"
    # The same corrected file again: identical to the current version, nothing added.
    again = reports.import_file(corrected)
    assert again.added["events"] == 0 and again.skipped["events"] == 2


def test_an_identical_reimport_with_ids_adds_nothing(
    reports: cg.Model, write_file: WriteFile
) -> None:
    report = reports.import_file(write_file("again.yaml", REPORTS))
    assert report.added["events"] == 0 and report.skipped["events"] == 2


def test_csv_rows_with_ids_are_skipped_or_refused_like_yaml(
    reports: cg.Model, write_file: WriteFile
) -> None:
    same = write_file(
        "same.csv", "id,date,place,party,source\ngate-taken,2024-05-01,gate,north,radio\n"
    )
    assert reports.import_file(same).added["events"] == 0
    changed = write_file("changed.csv", "id,date,place,party\ngate-taken,2024-05-01,gate,east\n")
    with pytest.raises(cg.DatasetError, match="gate-taken"):
        reports.import_file(changed)


def test_access_records_from_a_csv(valley: cg.Model, write_file: WriteFile) -> None:
    path = write_file(
        "access.csv",
        "id,date,road,segment,access,party,confidence\n"
        "closed,2024-03-01,,valley-road/2,blocked,north,high\n"
        "toll,2024-03-05,valley-road,,taxed,south,\n",
    )
    assert valley.import_file(path).added["access"] == 2
    answer = valley.who_held("valley-road", "2024-03-06").as_dict()
    assert answer["access"] == "taxed"
    assert {s["access"] for s in answer["segments"]} == {"taxed"}
    answer = valley.who_held("valley-road/2", "2024-03-02").as_dict()
    assert (answer["access"], answer["segments"][0]["access_by"]) == ("blocked", "north")


def test_scenario_suppress_and_unsuppress(valley: cg.Model) -> None:
    doubt = valley.scenario("doubt")
    [capture] = [e for e in valley.events("gate") if e.kind == "capture"]
    before = doubt.who_held("gate", "2024-02-15").state
    with pytest.raises(cg.UnknownElementError):
        doubt.suppress_event(capture.id, 999_999)
    assert not any(e.suppressed for e in doubt.events("gate"))  # all or none
    doubt.suppress_event(capture.id)
    assert doubt.who_held("gate", "2024-02-15").state != before
    doubt.unsuppress_event(capture.id)
    assert doubt.who_held("gate", "2024-02-15").state == before
    with pytest.raises(cg.UnknownElementError, match="does not suppress"):
        doubt.unsuppress_event(capture.id)


def test_the_commands(cli: Cli, write_file: WriteFile) -> None:
    assert cli("import", str(VALLEY)).exit_code == 0
    reports = write_file("reports.yaml", REPORTS)
    assert cli("import", str(reports), "--by", "desk").exit_code == 0
    listed = cli.json("imports")["imports"]
    assert [i["by"] for i in listed][-1] == "desk" and listed[-1]["counts"]["events"] == 2
    text = cli("imports").stdout
    assert "reports.yaml" in text and "desk" in text
    assert cli("retract", "no-such").exit_code == 2
    result = cli("retract", "gate-taken", "--recorded", "2024-06-01", "--note", "wrong")
    assert result.exit_code == 0, result.output
    gate = cli.json("who-held", "gate", "--on", "2024-05-03")
    assert gate["controller"] == "south"
    result = cli("undo-import", str(listed[-1]["import_id"]))
    assert result.exit_code == 0, result.output
    assert cli("undo-import", str(listed[-1]["import_id"])).exit_code == 2
    undone = {i["import_id"]: i["undone"] for i in cli.json("imports")["imports"]}
    assert undone[listed[-1]["import_id"]] is not None
    corrected = write_file("corrected.yaml", REPORTS.replace("gate-taken", "gate-retaken"))
    changed = write_file("changed.yaml", REPORTS.replace("party: east", "party: north"))
    assert cli("import", str(corrected)).exit_code == 0
    result = cli("import", str(changed))
    assert result.exit_code == 2 and "--replace-changed" in result.output
    result = cli("import", str(changed), "--replace-changed")
    assert result.exit_code == 0 and "Replaced mill-taken" in result.output


# -- bad input for each key of section 4: a clear message, exit 2, nothing written ---------

BAD = {
    "until-before-date": (
        "events:\n  - {date: 2024-05-10, until: 2024-05-10, place: gate, status: contested}\n",
        "until",
        "is not after date",
    ),
    "until-before-latest": (
        "events:\n  - {date: 2024-05-10, date_latest: 2024-05-20, until: 2024-05-15, place: gate,"
        " party: north}\n",
        "until",
        "is not after date_latest",
    ),
    "latest-before-date": (
        "events:\n  - {date: 2024-05-10, date_latest: 2024-05-01, place: gate, party: north}\n",
        "date_latest",
        "is before date",
    ),
    "claimant-not-a-party": (
        "events:\n  - {date: 2024-05-10, place: gate, party: north, claimant: nroth}\n",
        "claimant",
        "unknown party 'nroth'",
    ),
    "duplicate-id": (
        "events:\n  - {id: x, date: 2024-05-10, place: gate, party: north}\n"
        "incidents:\n  - {id: x, date: 2024-05-11, place: gate}\n",
        "id",
        "duplicate id 'x'",
    ),
    "bad-id": (
        "events:\n  - {id: Not An Id, date: 2024-05-10, place: gate, party: north}\n",
        "id",
        "not a valid id",
    ),
    "retraction-unknown": (
        "retractions:\n  - {event: nothing-here, recorded: 2024-05-10}\n",
        "event",
        "unknown event, incident or access record 'nothing-here'",
    ),
    "retraction-without-recorded": (
        "events:\n  - {id: y, date: 2024-05-10, place: gate, party: north}\n"
        "retractions:\n  - {event: y}\n",
        "recorded",
        "is required",
    ),
    "access-bad-value": (
        "access:\n  - {date: 2024-05-10, segment: hill-track, access: closed}\n",
        "access",
        "is not one of: open, restricted, taxed, fire-control, blocked",
    ),
    "access-on-a-place": (
        "access:\n  - {date: 2024-05-10, place: gate, access: blocked}\n",
        "place",
        "unknown key 'place'",
    ),
    "access-two-targets": (
        "access:\n  - {date: 2024-05-10, segment: hill-track, road: valley-road, access: open}\n",
        "segment",
        "needs exactly one of segment or road",
    ),
    "incident-until": (
        "incidents:\n  - {date: 2024-05-10, until: 2024-05-12, place: gate}\n",
        "until",
        "unknown key 'until'",
    ),
    "access-claimant": (
        "access:\n  - {date: 2024-05-10, segment: hill-track, access: open, claimant: north}\n",
        "claimant",
        "unknown key 'claimant'",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_section_4_input(valley_cli: Cli, write_file: WriteFile, case: str) -> None:
    text, field, message = BAD[case]
    path = write_file(f"{case}.yaml", text)
    before = valley_cli.json("imports")
    result = valley_cli("import", str(path), "--json")
    assert result.exit_code == 2, result.output
    [problem] = __import__("json").loads(result.stdout)["problems"]
    assert problem["field"] == field and message in problem["message"], problem
    assert problem["file"] == str(path) and problem["line"] is not None
    assert valley_cli.json("imports") == before


def test_a_csv_with_status_and_access_is_refused(valley_cli: Cli, write_file: WriteFile) -> None:
    path = write_file("both.csv", "date,segment,status,access\n2024-05-01,hill-track,held,open\n")
    result = valley_cli("import", str(path))
    assert result.exit_code == 2
    assert "not both" in result.output


def test_a_backup_keeps_corrections_retractions_and_undone_imports(
    valley: cg.Model, write_file: WriteFile, tmp_path: Path
) -> None:
    from control_graph.dataset import dump_dataset

    valley.import_file(write_file("reports.yaml", REPORTS), by="a")
    corrected = write_file("corrected.yaml", REPORTS.replace("party: north", "party: east"))
    valley.import_file(corrected, replace_changed=True, recorded="2024-06-15")
    valley.retract("mill-taken", recorded="2024-06-20")
    extra = write_file("extra.yaml", "events:\n  - {date: 2024-05-05, place: town, party: south}\n")
    valley.import_file(extra)
    valley.undo_import(valley.imports()[-1].id, recorded="2024-07-01")
    copy = dump_dataset(valley.dataset(), tmp_path / "backup.yaml")
    with cg.open("sqlite://") as restored:
        restored.import_file(copy)
        for as_of in (None, "2024-06-01", "2024-06-16", "2024-06-25", "2024-07-02"):
            for place in ("gate", "mill", "town"):
                assert (
                    restored.timeline(place, as_of=as_of).intervals
                    == valley.timeline(place, as_of=as_of).intervals
                ), (place, as_of)


def test_undoing_a_correction_brings_the_corrected_version_back(
    reports: cg.Model, write_file: WriteFile, tmp_path: Path
) -> None:
    from control_graph.dataset import dump_dataset

    corrected = write_file("corrected.yaml", REPORTS.replace("party: north", "party: east"))
    reports.import_file(corrected, replace_changed=True, recorded="2024-06-15")
    assert controller(reports, "gate", "2024-05-03") == "east"
    reports.undo_import(reports.imports()[-1].id, recorded="2024-07-01")
    # The undo withdraws the new version and the correction's retraction of the old one.
    assert controller(reports, "gate", "2024-05-03") == "north"
    assert controller(reports, "gate", "2024-05-03", as_of="2024-06-20") == "east"
    assert controller(reports, "gate", "2024-05-03", as_of="2024-06-01") == "north"
    from control_graph.check import check_dataset

    found = check_dataset(reports, today="2024-08-01").counts()
    assert found["repeated-retraction"] == found["retraction-before-record"] == 0
    # A backup says the same on every day, and the undo itself cannot be undone.
    copy = dump_dataset(reports.dataset(), tmp_path / "backup.yaml")
    with cg.open("sqlite://") as restored:
        restored.import_file(copy)
        for as_of in (None, "2024-06-01", "2024-06-16", "2024-07-02"):
            assert (
                restored.timeline("gate", as_of=as_of).intervals
                == reports.timeline("gate", as_of=as_of).intervals
            ), as_of
    with pytest.raises(cg.InvalidArgumentError, match="cannot be undone"):
        reports.undo_import(reports.imports()[-1].id)


def test_undoing_a_retraction_brings_the_record_back(reports: cg.Model) -> None:
    reports.retract("gate-taken", recorded="2024-06-01")
    assert controller(reports, "gate", "2024-05-03") == "south"
    reports.undo_import(reports.imports()[-1].id, recorded="2024-06-10")
    assert controller(reports, "gate", "2024-05-03") == "north"
    assert controller(reports, "gate", "2024-05-03", as_of="2024-06-05") == "south"
    [record] = [e for e in reports.events("gate") if e.record.id == "gate-taken"]
    assert record.retracted is None


def test_imports_count_what_they_withdrew(reports: cg.Model, write_file: WriteFile) -> None:
    corrected = write_file("corrected.yaml", REPORTS.replace("party: north", "party: east"))
    reports.import_file(corrected, replace_changed=True)
    # Only the changed record is written again, as a new version.
    assert reports.imports()[-1].counts == {"events": 1, "corrected": 1}
    reports.retract("mill-taken", "mill-taken", "gate-taken")
    assert reports.imports()[-1].counts == {"retractions": 2}
    reports.undo_import(reports.imports()[-2].id)
    assert reports.imports()[-1].counts == {"retractions": 1}  # the new version


def test_a_streamed_csv_forgets_its_ids_once_all_of_it_is_checked(
    valley: cg.Model, tmp_path: Path
) -> None:
    """A CSV's record ids are kept while its rows are checked -- a repeated one is
    refused, naming the line it was first given on -- and forgotten once the whole file
    is: a million of them held 70 MB through the rest of the import."""
    from unittest import mock

    from control_graph.dataset.validate import Validator

    finished: list[Validator] = []
    forget = Validator.forget_file_ids

    def watched(self: Validator) -> None:
        finished.append(self)
        forget(self)

    good, repeated = tmp_path / "good.csv", tmp_path / "repeated.csv"
    good.write_text("id,date,place,party\na1,2024-05-10,gate,north\na2,2024-05-11,gate,south\n")
    repeated.write_text("id,date,place,party\nb1,2024-05-10,gate,north\nb1,2024-05-12,mill,south\n")
    with mock.patch.object(Validator, "forget_file_ids", watched):
        with pytest.raises(cg.DatasetError, match="duplicate id 'b1' \\(first given at line 2\\)"):
            valley.import_file(repeated)
        assert finished == []  # a refused file's import ends with its problems
        valley.import_file(good)
    assert len(finished) == 1
    assert not finished[0].has_record_id("a1") and not finished[0].new_ids
    assert {e.id for e in valley.dataset().events if e.id} >= {"a1", "a2"}
