"""The command line as a user meets it: names, exit statuses, JSON, tables, the database
option, the quickstart."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from control_graph.cli import main
from tests.conftest import VALLEY, Cli


def test_names_and_aliases_resolve_without_regard_to_case(valley_cli: Cli) -> None:
    for name in ("gate", "Gate", "OLD GATE", "old  gate"):
        assert valley_cli.json("who-held", name, "--on", "2024-02-15")["element"] == "gate"
    road = valley_cli.json("who-held", "valley road", "--on", "2024-01-15")
    assert road["element"] == "valley-road" and road["type"] == "road"


def test_an_unknown_name_exits_2_with_candidates(valley_cli: Cli) -> None:
    result = valley_cli("who-held", "Gat", "--on", "2024-02-15")
    assert result.exit_code == 2
    assert "no place, segment or road" in result.stderr
    assert "gate" in result.stderr and result.stdout == ""


def test_an_ambiguous_name_exits_2_and_lists_every_candidate(
    valley_cli: Cli, write_file: object
) -> None:
    extra = write_file("twins.yaml", "places:\n  - {id: ford-2, name: Ford}\n")  # type: ignore[operator]
    assert valley_cli("import", str(extra)).exit_code == 0
    result = valley_cli("who-held", "ford", "--on", "2024-01-15")
    assert result.exit_code == 0  # an exact id wins over names
    result = valley_cli("who-held", "FORD", "--on", "2024-01-15")
    assert result.exit_code == 2
    assert "ford (place)" in result.stderr and "ford-2 (place)" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("who-held", "gate", "--on", "2024-13-01"),
        ("who-held", "gate", "--on", "yesterday"),
        ("who-held", "gate"),
        ("who-held", "gate", "--on", "2024-01-01", "--by", "alliance"),
        ("timeline", "gate", "--from", "2024/01/01"),
        ("path", "ford", "town", "--on", "2024-01-15", "--party", "north", "--bloc", "coalition"),
        ("path", "ford", "town", "--on", "2024-01-15", "--party", "nobody"),
        ("path", "ford", "nowhere", "--on", "2024-01-15"),
        ("changes", "--as-of", "soon"),
        ("no-such-command",),
    ],
)
def test_bad_input_exits_2_without_a_traceback(valley_cli: Cli, args: tuple[str, ...]) -> None:
    result = valley_cli(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_no_path_exits_1_and_says_so(valley_cli: Cli) -> None:
    result = valley_cli("path", "ford", "town", "--on", "2024-02-15", "--party", "north")
    assert result.exit_code == 1
    assert "no path" in result.stderr
    document = valley_cli.json(
        "path", "ford", "town", "--on", "2024-02-15", "--party", "north", exit_code=1
    )
    assert document["path"] is None and "no path" in document["error"]


def test_path_by_party_name_and_by_bloc(valley_cli: Cli) -> None:
    by_alias = valley_cli.json(
        "path", "ford", "town", "--on", "2024-04-02", "--party", "Southern Front"
    )
    assert by_alias["path"] == ["ford", "hill", "town"] and by_alias["party"] == "south"
    by_bloc = valley_cli.json("path", "ford", "mill", "--on", "2024-04-02", "--bloc", "coalition")
    # ford (south) and mill (east) are both coalition members on that day.
    assert by_bloc["segments"] == ["valley-road/1"] and by_bloc["bloc"] == "coalition"


def test_json_shapes(valley_cli: Cli) -> None:
    place = valley_cli.json("who-held", "mill", "--on", "2024-03-06")
    assert "segments" not in place and place["type"] == "place"
    segment = valley_cli.json("who-held", "hill-track", "--on", "2024-04-02")
    # Section 4's keys are there with their neutral values on data that uses none of it.
    assert segment["segments"] == [
        {
            "id": "hill-track",
            "from": "ford",
            "to": "hill",
            "status": "held",
            "controller": "south",
            "uncertain": False,
            "disputed": False,
            "access": None,
            "access_by": None,
        }
    ]
    timeline = valley_cli.json("timeline", "gate", "--from", "2024-02-11", "--to", "2024-02-28")
    assert timeline["element"] == "gate" and timeline["type"] == "place"
    changes = valley_cli.json("changes", "--from", "2024-04-01", "--to", "2024-04-01")
    assert {c["element"] for c in changes["changes"]} >= {"ford", "town", "valley-road/3"}
    assert all(c["date"] == "2024-04-01" for c in changes["changes"])


def test_tables_are_aligned_and_on_stdout(valley_cli: Cli) -> None:
    result = valley_cli("who-held", "valley-road", "--on", "2024-02-11")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Valley Road (valley-road, road) on 2024-02-11: contested")
    header = lines[1]
    assert header.split() == ["segment", "from", "to", "status", "controller"]
    column = header.index("status")
    assert all(line[column:].split()[0] in ("held", "contested") for line in lines[2:])
    assert result.stderr == ""


def test_changes_by_bloc_is_an_extension(valley_cli: Cli) -> None:
    window = ("--from", "2024-03-05", "--to", "2024-03-05")
    by_party = valley_cli.json("changes", *window)["changes"]
    by_bloc = valley_cli.json("changes", *window, "--by", "bloc")["changes"]
    mill = {c["element"]: c["to"]["controller"] for c in by_party}["mill"]
    assert mill == "east"
    assert {c["element"]: c["to"]["controller"] for c in by_bloc}["mill"] == "coalition"


def test_database_option_environment_and_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONTROL_GRAPH_DB", raising=False)
    assert runner.invoke(main, ["import", str(VALLEY)]).exit_code == 0
    assert (tmp_path / "control_graph.db").exists()
    other = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("CONTROL_GRAPH_DB", other)
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert (tmp_path / "other.db").exists()
    result = runner.invoke(main, ["who-held", "gate", "--on", "2024-02-15", "--json"])
    assert result.exit_code == 2  # the other database is empty: gate is unknown there
    result = runner.invoke(main, ["--db", f"sqlite:///{tmp_path / 'missing' / 'x.db'}", "init"])
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_help_and_version() -> None:
    runner = CliRunner()
    for args in (["-h"], ["--help"], ["who-held", "-h"], ["scenario", "-h"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0 and "Usage" in result.stdout
    assert "control-graph" in runner.invoke(main, ["--version"]).stdout


def test_quickstart_twice_loads_the_sample_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONTROL_GRAPH_DB", raising=False)
    runner = CliRunner()
    first = runner.invoke(main, ["quickstart"])
    assert first.exit_code == 0, first.output
    assert "Gwaykhar Road" in first.stdout and "Try next" in first.stdout
    second = runner.invoke(main, ["quickstart", "--json"])
    document = json.loads(second.stdout)
    assert document["imported"] is None
    assert [a["date"] for a in document["answers"]] == [
        "2025-06-01",
        "2025-12-01",
        "2026-02-01",
        "2026-02-06",
    ]
    # Hpakant is contested from 2025-01-30 (prolonged fighting), so the road is too.
    assert document["answers"][0]["status"] == "contested"
    events = runner.invoke(main, ["events", "--json"])
    ids = [e["id"] for e in json.loads(events.stdout)["events"]]
    assert len(ids) == len(set(ids))
    assert os.path.exists(tmp_path / "control_graph.db")


def test_kind_prefix_tells_apart_a_place_and_a_road_sharing_an_id(
    valley_cli: Cli, write_file: object
) -> None:
    twin = write_file("twin.yaml", "roads:\n  - {id: ford, places: [ford, mill]}\n")  # type: ignore[operator]
    assert valley_cli("import", str(twin)).exit_code == 0
    result = valley_cli("who-held", "ford", "--on", "2024-01-15")
    assert result.exit_code == 2 and "place:ford" in result.stderr
    assert valley_cli.json("who-held", "road:ford", "--on", "2024-01-15")["type"] == "road"
    assert valley_cli.json("who-held", "place:ford", "--on", "2024-01-15")["type"] == "place"


def test_errors_are_json_documents_with_json(valley_cli: Cli) -> None:
    document = valley_cli.json("who-held", "Gat", "--on", "2024-02-15", exit_code=2)
    assert "no place" in document["error"]
    assert {"id": "gate", "type": "place", "name": "Gate"} in document["candidates"]


def test_a_plain_path_is_a_sqlite_database(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(tmp_path / "plain.db"), "import", str(VALLEY)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plain.db").exists()


def test_a_question_in_an_empty_folder_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONTROL_GRAPH_DB", raising=False)
    result = CliRunner().invoke(main, ["who-held", "lonton", "--on", "2026-02-06"])
    assert result.exit_code == 2
    assert "control_graph.db in this folder holds no data" in result.stderr
    assert "quickstart" in result.stderr and "import FILE" in result.stderr


def test_a_name_search_lists_the_road_beside_its_segments(valley_cli: Cli) -> None:
    result = valley_cli("who-held", "valley", "--on", "2024-02-11")
    assert result.exit_code == 2
    lines = [line.split()[0] for line in result.stderr.splitlines()[2:]]
    assert lines[0] == "valley-road" and "valley-road/1" in lines


def test_no_path_says_where_the_route_breaks(valley_cli: Cli) -> None:
    result = valley_cli("path", "ford", "town", "--on", "2024-02-11", "--party", "north")
    assert result.exit_code == 1
    assert "the shortest path on any ground" in result.stderr
    assert "breaks first at" in result.stderr
