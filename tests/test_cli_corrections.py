"""What the command line says about imports, record ids, retractions and lapsing reports
is true, and its help examples work on the built-in sample (an analyst's reports).

- importing a file again says what happened: records with ids are recognised, records
  without are added again;
- counts read "1 bloc", "2 blocs", "1 access record";
- `events` shows each report's record id and the day it was retracted, and `scenario
  suppress`/`unsuppress` take record ids as well as event numbers;
- `who-held --explain` shows the day a report stops counting;
- `scenario import` reads a spreadsheet's CSV as `import` does;
- `import-acled --dry-run` reports everything and writes nothing.
"""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import click
import pytest
import sqlalchemy as sa

import control_graph as cg
from control_graph.cli import main
from control_graph.cli.format import count_of, counts_of
from control_graph.store import orm
from control_graph.store.db import resolve_url
from tests.conftest import DATA, Cli

WriteFile = Callable[[str, str], Path]
ACLED = DATA / "acled"

#: Two reports with ids, one without, an incident without; the gate's capture corrected
#: in CLAIMS_V2.
CLAIMS = """\
events:
  - {id: gate-claim, date: 2024-03-01, place: gate, party: east, claimant: east}
  - {id: mill-claim, date: 2024-03-02, place: mill, party: east}
  - {date: 2024-03-03, place: town, status: contested}
incidents:
  - {date: 2024-03-03, place: town, kind: shelling}
"""
CLAIMS_V2 = CLAIMS.replace("2024-03-01, place: gate", "2024-03-04, place: gate")
WITH_IDS = """\
events:
  - {id: gate-claim, date: 2024-03-01, place: gate, party: east}
  - {id: mill-claim, date: 2024-03-02, place: mill, party: east}
"""


def _lines(text: str, start: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip().startswith(start)]


# -- 1. importing a file again ---------------------------------------------------------------


def test_a_file_imported_again_whose_records_all_have_ids_adds_nothing(
    valley_cli: Cli, write_file: WriteFile
) -> None:
    claims = write_file("claims.yaml", WITH_IDS)
    assert valley_cli("import", str(claims)).exit_code == 0
    again = valley_cli("import", str(claims))
    assert again.exit_code == 0, again.output
    assert "(import #3): nothing new" in again.stdout
    assert "Skipped 2 events already in the database under the same ids" in again.stdout
    assert "the same file was imported before (#2)" in again.stderr
    assert "none was added twice" in again.stderr
    assert "in the database again" not in again.stderr
    assert "in the database twice" not in again.stderr
    assert len(valley_cli.json("events", "gate")["events"]) == 4  # three from valley, one


def test_records_without_ids_imported_again_are_said_to_be_stored_twice(
    valley_cli: Cli, write_file: WriteFile
) -> None:
    claims = write_file("claims.yaml", CLAIMS)
    assert valley_cli("import", str(claims)).exit_code == 0
    again = valley_cli("import", str(claims))
    assert again.exit_code == 0, again.output
    assert "(import #3): 1 event, 1 incident" in again.stdout
    assert "Skipped 2 events already in the database under the same ids" in again.stdout
    note = " ".join(again.stderr.split())
    assert "the same file was imported before (#2)" in note
    assert "added them again (1 event and 1 incident)" in note
    assert "now in the database twice" in note
    assert "control-graph undo-import 3 takes this import back" in note
    town = [e for e in valley_cli.json("events", "town")["events"] if e["date"] == "2024-03-03"]
    assert len(town) == 2  # what the note says: the report without an id, twice


def test_a_different_file_has_no_note(valley_cli: Cli, write_file: WriteFile) -> None:
    assert valley_cli("import", str(write_file("claims.yaml", CLAIMS))).exit_code == 0
    corrected = write_file("claims-v2.yaml", CLAIMS_V2)
    result = valley_cli("import", str(corrected), "--replace-changed", "--recorded", "2024-04-01")
    assert result.exit_code == 0, result.output
    assert "Replaced gate-claim (changed: date)" in result.stdout
    assert "imported before" not in result.stderr


# -- 2. counts, in the right number ----------------------------------------------------------


def test_counts_are_pluralised() -> None:
    assert count_of(1, "blocs") == "1 bloc"
    assert count_of(2, "blocs") == "2 blocs"
    assert count_of(1, "parties") == "1 party"
    assert count_of(1, "access") == "1 access record"
    assert count_of(3, "access") == "3 access records"
    assert count_of(1, "retractions") == "1 retraction"
    assert count_of(2, "corrected") == "2 corrected"  # not a noun: kept as it is
    assert counts_of({"events": 1, "incidents": 0, "retractions": 2}) == "1 event, 2 retractions"
    assert counts_of({"events": 0}) == "-"
    assert count_of(1_000_000, "events") == "1,000,000 events"  # read at a glance


def test_the_imports_table_pluralises_its_counts(cli: Cli, write_file: WriteFile) -> None:
    one_each = write_file(
        "one-each.yaml",
        """\
parties:
  - {id: north, name: Northern Army}
blocs:
  - {id: allies, members: [{party: north}]}
places:
  - {id: ford, name: Ford}
  - {id: mill, name: Mill}
segments:
  - {id: ford-mill, from: ford, to: mill}
events:
  - {id: ford-taken, date: 2024-01-01, place: ford, party: north}
access:
  - {date: 2024-01-02, segment: ford-mill, access: taxed, party: north}
retractions:
  - {event: ford-taken, recorded: 2024-02-01}
""",
    )
    assert cli("import", str(one_each)).exit_code == 0
    result = cli("imports")
    assert result.exit_code == 0, result.output
    [row] = _lines(result.stdout, "#1")
    assert "1 party, 1 bloc, 2 places, 1 segment, 1 event, 1 access record, 1 retraction" in row, (
        row
    )
    retracted = cli("retract", "ford-taken", "--recorded", "2024-03-01")
    assert retracted.exit_code == 0, retracted.output
    [retraction] = _lines(cli("imports").stdout, "#2")
    assert "1 retraction" in retraction and "retractions" not in retraction


# -- 3. record ids in `events`, and in `scenario suppress` -----------------------------------


def _table(text: str) -> list[dict[str, str]]:
    """An aligned table as a list of rows keyed by header (cells have no spaces)."""
    header, *rows = [line.split() for line in text.splitlines() if line.strip()]
    return [dict(zip(header, row, strict=False)) for row in rows]


#: The keys `events --json` had before record ids reached the table; all stay.
EVENT_KEYS = {
    "id",
    "record_id",
    "date",
    "date_latest",
    "until",
    "recorded",
    "status",
    "party",
    "claimant",
    "kind",
    "source",
    "confidence",
    "note",
    "scenario",
    "suppressed",
    "retracted",
}


def test_events_show_record_ids_and_retractions(valley_cli: Cli, write_file: WriteFile) -> None:
    assert valley_cli("import", str(write_file("claims.yaml", WITH_IDS))).exit_code == 0
    plain = valley_cli("events", "gate")
    assert plain.exit_code == 0, plain.output
    assert "retracted" not in plain.stdout  # a column only when something is retracted
    assert valley_cli("retract", "gate-claim", "--recorded", "2024-03-05").exit_code == 0
    result = valley_cli("events", "gate")
    assert result.exit_code == 0, result.output
    rows = _table(result.stdout)
    documents = valley_cli.json("events", "gate")["events"]
    assert [r["event"] for r in rows] == [str(e["id"]) for e in documents]
    claim = next(r for r in rows if r["id"] == "gate-claim")
    assert claim["retracted"] == "2024-03-05"
    assert [r["id"] for r in rows].count("-") == 3  # valley's reports have no ids
    assert all(set(d) >= EVENT_KEYS for d in documents)
    assert next(d for d in documents if d["record_id"] == "gate-claim")["retracted"] == (
        "2024-03-05"
    )


def test_suppress_takes_a_record_id_for_every_version(
    valley_cli: Cli, write_file: WriteFile
) -> None:
    assert valley_cli("import", str(write_file("claims.yaml", CLAIMS))).exit_code == 0
    corrected = write_file("claims-v2.yaml", CLAIMS_V2)
    assert valley_cli("import", str(corrected), "--replace-changed").exit_code == 0
    versions = [
        e["id"]
        for e in valley_cli.json("events", "gate")["events"]
        if e["record_id"] == "gate-claim"
    ]
    assert len(versions) == 2
    valley_cli.json("scenario", "create", "doubt")
    done = valley_cli.json("scenario", "suppress", "doubt", "gate-claim", "--note", "one source")
    assert (done["suppressed"], sorted(done["events"])) == (["gate-claim"], sorted(versions))
    seen = valley_cli.json("events", "gate", "--scenario", "doubt")["events"]
    assert {e["id"] for e in seen if e["suppressed"]} == set(versions)
    text = valley_cli("scenario", "unsuppress", "doubt", "gate-claim")
    assert text.exit_code == 0, text.output
    assert "doubt counts 2 events again (events " in text.stdout
    seen = valley_cli.json("events", "gate", "--scenario", "doubt")["events"]
    assert not any(e["suppressed"] for e in seen)
    # Numbers and ids together; a number stays a number.
    mixed = valley_cli("scenario", "suppress", "doubt", str(versions[0]), "mill-claim")
    assert mixed.exit_code == 0, mixed.output
    assert mixed.stdout.startswith("Suppressed 2 events in doubt (events ")


def test_an_unknown_record_id_is_an_error_and_nothing_is_suppressed(
    valley_cli: Cli, write_file: WriteFile
) -> None:
    assert valley_cli("import", str(write_file("claims.yaml", WITH_IDS))).exit_code == 0
    valley_cli.json("scenario", "create", "doubt")
    result = valley_cli("scenario", "suppress", "doubt", "gate-claim", "no-such-report")
    assert result.exit_code == 2
    assert "no event with the id 'no-such-report' in scenario 'doubt'" in result.stderr
    assert "Traceback" not in result.output
    [doubt] = valley_cli.json("scenario", "list")["scenarios"]
    assert doubt["suppressed"] == 0
    never = valley_cli("scenario", "unsuppress", "doubt", "gate-claim")
    assert never.exit_code == 2
    assert "does not suppress event 'gate-claim'" in never.stderr


def test_the_model_suppresses_by_record_id(valley: cg.Model, write_file: WriteFile) -> None:
    valley.import_file(write_file("claims.yaml", WITH_IDS))
    doubt = valley.scenario("doubt")
    [claim] = [e for e in valley.events("gate") if e.record.id == "gate-claim"]
    assert doubt.who_held("gate", "2024-03-02").state.controller == "east"
    with pytest.raises(cg.UnknownElementError, match="numbered 999999 or with the id 'nope'"):
        doubt.suppress_event("gate-claim", 999_999, "nope")
    assert not any(e.suppressed for e in doubt.events("gate"))  # all or none
    assert doubt.suppress_event("gate-claim") == [claim.id]
    assert doubt.who_held("gate", "2024-03-02").state.controller == "south"
    assert doubt.unsuppress_event(claim.id) == [claim.id]
    assert doubt.who_held("gate", "2024-03-02").state.controller == "east"


# -- 4. a report that lapses, in --explain ---------------------------------------------------


def test_explain_shows_the_day_a_report_stops_counting(sample_cli: Cli) -> None:
    result = sample_cli("who-held", "gwaykhar-road", "--on", "2026-02-06", "--explain")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("  reports behind this answer:")
    header = lines[start + 1].split()
    assert header[:4] == ["element", "role", "date", "until"]
    offensive = [line.split() for line in lines[start + 2 :] if "gwaykhar-road/" in line]
    assert len(offensive) == 4
    assert all(cells[2:4] == ["2026-01-31", "2026-02-07"] for cells in offensive)
    assert "until: the report counts only on days before it" in result.stdout
    # The day it lapses, the road is what its places make it, and the report is gone.
    after = sample_cli("who-held", "gwaykhar-road", "--on", "2026-02-07", "--explain")
    assert after.exit_code == 0, after.output
    assert not [line for line in after.stdout.splitlines() if "gwaykhar-road/1  own" in line]


def test_explain_has_no_until_column_when_nothing_lapses(sample_cli: Cli) -> None:
    result = sample_cli("who-held", "lonton", "--on", "2026-02-03", "--explain")
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "element  role" in line)
    assert "until" not in header.split()
    assert "2026-01-31..2026-02-06" in result.stdout  # the range of a rough date
    document = sample_cli.json("who-held", "lonton", "--on", "2026-02-03", "--explain")
    assert document["explain"][0]["date_latest"] == "2026-02-06"


# -- 5. help examples ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the built-in sample, loaded once; tests copy it."""
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    with cg.open(f"sqlite:///{path}") as model:
        model.import_file(cg.sample_path())
    return path


@pytest.fixture
def sample_cli(sample_db: Path, tmp_path: Path) -> Cli:
    copy = tmp_path / "sample.db"
    shutil.copyfile(sample_db, copy)
    return Cli(f"sqlite:///{copy}")


def _commands(group: click.Group, ctx: click.Context) -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        found[name] = command
        if isinstance(command, click.Group):
            found.update({f"{name} {sub}": c for sub, c in _commands(command, ctx).items()})
    return found


#: Commands whose examples run on the sample alone: not those that read a file the
#: example names, or open another database.
OWN_MODULES = (
    "control_graph.cli.commands",
    "control_graph.cli.correct",
    "control_graph.cli.scenario",
)
NEEDS_A_FILE = {"import", "import-acled", "scenario import", "init"}
with click.Context(main) as _ctx:
    EXAMPLES = {
        name: [
            shlex.split(line.strip())[1:]
            for line in (command.help or "").splitlines()
            if line.strip().startswith("control-graph ")
        ]
        for name, command in _commands(main, _ctx).items()
        if (command.callback is None or command.callback.__module__ in OWN_MODULES)
        and name not in NEEDS_A_FILE
    }


def test_every_command_here_has_an_example() -> None:
    missing = [name for name, lines in EXAMPLES.items() if not lines and name != "quickstart"]
    assert missing == []
    assert ["path", "seng-tawng", "indawgyi", "--on", "2025-06-01", "--party", "kia"] in (
        EXAMPLES["path"]
    )


@pytest.mark.parametrize("name", sorted(name for name, lines in EXAMPLES.items() if lines))
def test_help_examples_work_on_the_sample(sample_cli: Cli, name: str) -> None:
    for args in EXAMPLES[name]:
        result = sample_cli(*args)
        assert result.exit_code == 0, f"control-graph {shlex.join(args)}\n{result.output}"


# -- 6. scenario import of a spreadsheet's CSV -----------------------------------------------


def test_scenario_import_reads_a_spreadsheet_csv(valley_cli: Cli, write_file: WriteFile) -> None:
    sheet = write_file("sheet.csv", "When;Where;Side\n05/03/2024;gate;east\n")
    valley_cli.json("scenario", "create", "east-gate")
    result = valley_cli(
        "scenario",
        "import",
        "east-gate",
        str(sheet),
        "--columns",
        "date=When,place=Where,party=Side",
        "--date-format",
        "%d/%m/%Y",
        "--delimiter",
        ";",
    )
    assert result.exit_code == 0, result.output
    assert "1 event" in result.stdout
    on = ("who-held", "gate", "--on", "2024-03-06")
    assert valley_cli.json(*on, "--scenario", "east-gate")["controller"] == "east"
    assert valley_cli.json(*on)["controller"] == "south"  # the reported data is as it was


# -- 7. import-acled --dry-run ---------------------------------------------------------------


def _rows(url: str) -> dict[str, int]:
    """How many rows every table holds."""
    engine = sa.create_engine(resolve_url(url))
    try:
        with engine.connect() as conn:
            return {
                table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in orm.Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_an_acled_dry_run_reports_everything_and_writes_nothing(db_url: str) -> None:
    cli = Cli(db_url)
    assert cli("import", str(ACLED / "network.yaml")).exit_code == 0
    acled = ("import-acled", "--parties", str(ACLED / "parties.yaml"))
    first = (*acled, str(ACLED / "export-1.csv"), "--recorded", "2024-05-10")
    before = _rows(db_url)
    dry = cli.json(*first, "--dry-run")
    assert _rows(db_url) == before
    assert (dry["dry_run"], dry["import_id"]) == (True, None)
    real = cli.json(*first)
    assert real["dry_run"] is False and isinstance(real["import_id"], int)
    # The dry run said exactly what the import then did.
    assert {k: v for k, v in dry.items() if k not in ("import_id", "dry_run")} == {
        k: v for k, v in real.items() if k not in ("import_id", "dry_run")
    }
    # A sync that would correct, add and retract rows writes none of it either.
    second = (*acled, str(ACLED / "export-2.csv"), "--sync", "--recorded", "2024-06-10")
    before = _rows(db_url)
    text = cli(*second, "--dry-run")
    assert text.exit_code == 0, text.output
    assert _rows(db_url) == before
    assert text.stdout.startswith("Dry run of ")
    assert "to retract 1" in text.stdout and "Would retract:" in text.stdout
    assert "Dry run: nothing was written." in text.stderr
    assert cli.json("who-held", "kyauktaw", "--on", "2024-04-05")["status"] == "unknown"
    document = cli.json(*second)
    assert document["retracted"][0]["id"] == "acled-mmr900107"
    assert cli.json("who-held", "kyauktaw", "--on", "2024-04-05")["controller"] == "aa"
    assert json.loads(json.dumps(document)) == document
