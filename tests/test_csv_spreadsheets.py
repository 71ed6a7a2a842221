"""CSV files as spreadsheets write them (issue 11, item 2).

Headers in any case, with spaces; synonyms and near misses suggested (never applied
silently); ``--columns`` for any other layout; blank rows, ``,,,`` rows and ``#`` comments
skipped; day-first dates read with ``--date-format`` and never guessed; ``;`` and tab
separators found from the header line; a CSV whose network is missing gets one message;
``import --json`` lists problems as objects. The same for CSVs of access records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import control_graph as cg
from control_graph.dataset.csv_reader import HEADER_SYNONYMS, CsvOptions, header_key
from control_graph.dataset.fields import ACCESS_CSV_COLUMNS, EVENT_CSV_COLUMNS
from tests.conftest import VALLEY, Cli

WriteFile = Callable[[str, str], Path]


@pytest.fixture
def valley(sqlite_url: str) -> Iterator[cg.Model]:
    with cg.open(sqlite_url) as model:
        model.import_file(VALLEY)
        yield model


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    runner = Cli(sqlite_url)
    assert runner("import", str(VALLEY)).exit_code == 0
    return runner


def problems(model: cg.Model, path: Path, **options: object) -> list[tuple[object, ...]]:
    with pytest.raises(cg.DatasetError) as caught:
        model.import_file(path, **options)  # type: ignore[arg-type]
    return [(i.entry, i.field, i.line, i.message) for i in caught.value.issues]


def controllers(model: cg.Model, *places_and_days: tuple[str, str]) -> list[str | None]:
    return [model.who_held(place, day).state.controller for place, day in places_and_days]


# -- headers --------------------------------------------------------------------------------------


def test_headers_match_without_regard_to_case_or_spaces(
    valley: cg.Model, write_file: WriteFile
) -> None:
    path = write_file(
        "sheet.csv",
        " DATE , Place,PARTY ,Status, Date_Latest,Note\n"
        "2024-06-01,ford,south,held,2024-06-03,Taken\n",
    )
    report = valley.import_file(path)
    assert report.added["events"] == 1
    (event,) = [e.record for e in valley.events("ford") if e.record.note == "Taken"]
    assert event.date_latest == dt.date(2024, 6, 3)


def test_synonyms_and_near_misses_are_suggested_not_applied(
    valley: cg.Model, cli: Cli, write_file: WriteFile
) -> None:
    path = write_file(
        "sheet.csv",
        "Date,Location,Controller,Notes,Confidance\n2024-06-01,ford,south,taken,high\n",
    )
    found = problems(valley, path)
    assert [(entry, field, line) for entry, field, line, _ in found] == [
        ("header", "Location", 1),
        ("header", "Controller", 1),
        ("header", "Notes", 1),
        ("header", "Confidance", 1),
        ("header", None, 1),
    ]
    messages = [message for *_, message in found]
    assert "unknown column 'Location' (did you mean 'place'?" in str(messages[0])
    assert "--columns party=Controller reads it so" in str(messages[1])
    assert "did you mean 'note'?" in str(messages[2])
    assert "did you mean 'confidence'?" in str(messages[3])  # a near miss
    option = "--columns place=Location,party=Controller,note=Notes,confidence=Confidance"
    assert messages[4] == f"to read the columns as suggested, give {option}"
    # The suggested option reads the file.
    result = cli("import", str(path), *option.split(" "))
    assert result.exit_code == 0, result.stderr
    assert cli.json("who-held", "ford", "--on", "2024-06-01")["controller"] == "south"


def test_every_synonym_names_a_column_of_the_format() -> None:
    columns = set(EVENT_CSV_COLUMNS) | set(ACCESS_CSV_COLUMNS)
    assert set(HEADER_SYNONYMS.values()) <= columns
    assert all(header_key(synonym) == synonym for synonym in HEADER_SYNONYMS)
    assert not set(HEADER_SYNONYMS) & {header_key(c) for c in columns}


def test_columns_name_any_other_layout(valley: cg.Model, write_file: WriteFile) -> None:
    path = write_file(
        "sheet.csv",
        "Day of report,Village,Who holds it,Remarks\n"
        "2024-06-01,ford,south,first\n"
        "2024-06-02,mill,north,second\n",
    )
    columns = {
        "date": "day of report",
        "Place": "Village",  # the format's columns are matched like headers, too
        "party": "WHO HOLDS IT",
        "note": "Remarks",
    }
    assert valley.import_file(path, columns=columns).added["events"] == 2
    assert controllers(valley, ("ford", "2024-06-01"), ("mill", "2024-06-02")) == [
        "south",
        "north",
    ]


def test_bad_columns_options_say_what_is_wrong(valley: cg.Model, write_file: WriteFile) -> None:
    path = write_file("sheet.csv", "Day,Village,party\n2024-06-01,ford,south\n")
    found = problems(valley, path, columns={"dat": "Day", "place": "Town"})
    assert [m for *_, m in found] == [
        "--columns names 'dat' (did you mean 'date'?), which is not a column of the format; "
        "the columns are " + ", ".join(dict.fromkeys((*EVENT_CSV_COLUMNS, *ACCESS_CSV_COLUMNS))),
        "--columns place=Town: the file has no column 'Town'; its columns are Day, Village, party",
    ]


def test_a_column_given_twice_says_by_which_headers(
    valley: cg.Model, write_file: WriteFile
) -> None:
    path = write_file("sheet.csv", "date,Place,Location,party\n2024-06-01,ford,mill,south\n")
    found = problems(valley, path, columns={"place": "Location"})
    assert found == [("header", "place", 1, "column appears twice ('Place' and 'Location')")]


# -- rows -----------------------------------------------------------------------------------------


def test_blank_rows_and_comments_are_skipped(valley: cg.Model, write_file: WriteFile) -> None:
    path = write_file(
        "sheet.csv",
        "# Exported from the team sheet, 2024-06-10\n"
        "\n"
        "date,place,party,note\n"
        "2024-06-01,ford,south,first\n"
        ",,,\n"
        "  ,  , ,\n"
        "# checked by the desk\n"
        "  # an indented comment, with, commas, and, more, cells, than, the, header\n"
        "2024-06-02,mill,north,second\n"
        ",,,,,,\n",
    )
    assert valley.import_file(path).added["events"] == 2
    # Lines are still right for a problem after skipped rows.
    bad = write_file("bad.csv", "# a comment\ndate,place,party\n,,\n# x\n2024-06-02,mil,north\n")
    assert problems(valley, bad) == [
        ("row 1", "place", 5, "unknown place 'mil' (did you mean 'mill'?)")
    ]


def test_a_header_after_comments_is_named_by_its_line(
    valley: cg.Model, write_file: WriteFile
) -> None:
    path = write_file("sheet.csv", "# notes\n\ndate,place,pary\n2024-06-01,ford,south\n")
    ((entry, field, line, message),) = problems(valley, path)
    assert (entry, field, line) == ("header", "pary", 3)
    assert "did you mean 'party'?" in str(message)


# -- dates ----------------------------------------------------------------------------------------


def test_day_first_dates_with_a_date_format(valley: cg.Model, write_file: WriteFile) -> None:
    path = write_file(
        "sheet.csv",
        "date,place,party,recorded\n01/06/2024,ford,south,03/06/2024\n2024-06-02,mill,north,\n",
    )
    report = valley.import_file(path, date_format="%d/%m/%Y")
    assert report.added["events"] == 2
    (event,) = [e.record for e in valley.events("ford") if e.record.party == "south"][-1:]
    assert (event.date, event.recorded) == (dt.date(2024, 6, 1), dt.date(2024, 6, 3))
    assert controllers(valley, ("mill", "2024-06-02")) == ["north"]


@pytest.mark.parametrize(
    ("cell", "hint"),
    [
        (
            "05/06/2024",
            "day or month first? import with --date-format %d/%m/%Y (day first) "
            "or %m/%d/%Y (month first)",
        ),
        ("25/06/2024", "it is day first: import with --date-format %d/%m/%Y"),
        ("06/25/2024", "it is month first: import with --date-format %m/%d/%Y"),
        ("25.06.24", "it is day first: import with --date-format %d.%m.%y"),
        ("2024/06/25", "it is year first: import with --date-format %Y/%m/%d"),
    ],
)
def test_other_dates_are_never_guessed(
    valley: cg.Model, write_file: WriteFile, cell: str, hint: str
) -> None:
    path = write_file("sheet.csv", f"date,place,party\n{cell},ford,south\n")
    ((entry, field, line, message),) = problems(valley, path)
    assert (entry, field, line) == ("row 1", "date", 2)
    assert message == f"invalid date: {cell!r} is not a date of the form YYYY-MM-DD; {hint}"


def test_a_date_not_in_the_format_given(valley: cg.Model, write_file: WriteFile) -> None:
    path = write_file("sheet.csv", "date,place,party\n31/06/2024,ford,south\n")
    ((*_, message),) = problems(valley, path, date_format="%d/%m/%Y")
    assert message == "invalid date: '31/06/2024' does not match the date format '%d/%m/%Y'"
    with pytest.raises(cg.InvalidArgumentError, match="does not name a day, month and year"):
        valley.import_file(path, date_format="%d/%m")


# -- separators -----------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolons_and_tabs_are_found(
    valley: cg.Model, write_file: WriteFile, separator: str
) -> None:
    rows = [["date", "place", "party", "note"], ["2024-06-01", "ford", "south", "a, b, c"]]
    path = write_file("sheet.csv", "\n".join(separator.join(r) for r in rows) + "\n")
    assert valley.import_file(path).added["events"] == 1
    assert [e.record.note for e in valley.events("ford")][-1] == "a, b, c"


def test_a_delimiter_given(valley: cg.Model, cli: Cli, write_file: WriteFile) -> None:
    # A header with more commas than pipes: only the option reads it.
    path = write_file("sheet.csv", "date|place|party|note\n2024-06-01|ford|south|x, y, z, w\n")
    assert valley.import_file(path, delimiter="|").added["events"] == 1
    result = cli("import", str(path), "--delimiter", "tab")
    assert result.exit_code == 2
    with pytest.raises(cg.InvalidArgumentError, match="is not one character"):
        valley.import_file(path, delimiter="||")


# -- the network first ----------------------------------------------------------------------------


def test_a_csv_before_its_network_gets_one_message(model: cg.Model, write_file: WriteFile) -> None:
    rows = [f"2024-06-{1 + i % 28:02d},village-{i},party-{i % 4}" for i in range(251)]
    path = write_file("sheet.csv", "date,place,party\n" + "\n".join(rows) + "\n")
    assert problems(model, path) == [
        (
            "file",
            None,
            None,
            "none of the 251 places and 4 parties this file names is in the database (such "
            "as 'village-0', 'village-1', 'village-10'); import the network (parties, places, "
            "segments, roads) from a YAML or JSON file first, then this file",
        )
    ]
    # Other problems are still listed after it.
    path.write_text("date,place,party\n2024-06-01,ford,south\n2024-13-01,mill,north\n")
    found = problems(model, path)
    assert str(found[0][3]).startswith("none of the 2 places and 2 parties")
    assert found[1][:3] == ("row 2", "date", 3)


def test_another_network_in_the_database_gets_the_same_message(
    valley: cg.Model, write_file: WriteFile
) -> None:
    rows = [f"2024-06-01,village-{i},south" for i in range(6)]
    path = write_file("sheet.csv", "date,place,party\n" + "\n".join(rows) + "\n")
    ((entry, _, _, message),) = problems(valley, path)
    assert entry == "file" and str(message).startswith("none of the 6 places this file names")
    # A few typos in a file about the network are typos: each gets a suggestion.
    typo = write_file("typo.csv", "date,place,party\n2024-06-01,frd,south\n2024-06-01,mil,south\n")
    assert [m for *_, m in problems(valley, typo)] == [
        "unknown place 'frd' (did you mean 'ford'?)",
        "unknown place 'mil' (did you mean 'mill'?)",
    ]


# -- access records, and the command line --------------------------------------------------------


def test_access_csvs_take_the_same_options(valley: cg.Model, write_file: WriteFile) -> None:
    segment = valley.segments()[0].id
    path = write_file(
        "access.csv",
        f"Date;Road section;Access;Party\n01/06/2024;{segment};blocked;south\n",
    )
    report = valley.import_file(path, columns={"segment": "Road section"}, date_format="%d/%m/%Y")
    assert report.added["access"] == 1
    (entry,) = valley.who_held(segment, "2024-06-02").segments
    assert entry.access is not None
    assert (entry.access.access.value, entry.access.party) == ("blocked", "south")


def test_csv_options_are_for_csv_files(valley: cg.Model) -> None:
    with pytest.raises(cg.InvalidArgumentError, match="apply to CSV files only"):
        valley.import_file(VALLEY, date_format="%d/%m/%Y")
    assert CsvOptions().given is False


def test_the_command_line_takes_the_options(cli: Cli, write_file: WriteFile) -> None:
    path = write_file(
        "sheet.csv", "Date;Town;Held by, or not;Notes\n01/06/2024;ford;south;first; and more\n"
    )
    result = cli(
        "import",
        str(path),
        "--columns",
        "place=Town,party=Held by, or not",
        "--columns",
        "note=Notes",
        "--date-format",
        "%d/%m/%Y",
    )
    assert result.exit_code == 2  # "first; and more" is two cells: the row is too long
    assert "has 5 cells but the header has 4 columns" in result.stderr
    path.write_text(
        'Date;Town;Held by, or not;Notes\n01/06/2024;ford;south;"first; and more"\n',
        encoding="utf-8",
    )
    document = cli.json(
        "import",
        str(path),
        "--columns",
        "place=Town,party=Held by, or not",
        "--columns",
        "note=Notes",
        "--date-format",
        "%d/%m/%Y",
    )
    assert document["added"]["events"] == 1
    bad = cli("import", str(path), "--columns", "place")
    assert bad.exit_code == 2 and "is not COLUMN=HEADER" in bad.stderr


def test_import_json_lists_problems_as_objects(cli: Cli, write_file: WriteFile) -> None:
    path = write_file(
        "sheet.csv", "date,place,party\n05/06/2024,ford,south\n2024-06-01,mil,north\n"
    )
    document = cli.json("import", str(path), exit_code=2)
    assert document["problems"] == [
        {
            "file": str(path),
            "entry": "row 1",
            "line": 2,
            "field": "date",
            "message": "invalid date: '05/06/2024' is not a date of the form YYYY-MM-DD; "
            "day or month first? import with --date-format %d/%m/%Y (day first) or "
            "%m/%d/%Y (month first)",
        },
        {
            "file": str(path),
            "entry": "row 2",
            "line": 3,
            "field": "place",
            "message": "unknown place 'mil' (did you mean 'mill'?)",
        },
    ]
    assert document["error"].startswith("import failed, nothing was written (2 problems)")
