"""Reading an ACLED export: :func:`read_acled` (the CSV, its headers matched by name,
every row checked) and :func:`parse_acled_date` (the date formats ACLED has used).

Pre-2019 and monadic files are refused with a message saying why; every problem of a
file is collected (:class:`_Problems`, shared with the party map) and raised at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from control_graph.dataset.acled.row import ID_PREFIX, AcledRow, record_id
from control_graph.dataset.checks import MAX_ISSUES, SLUG
from control_graph.dataset.csv_events import date_format_hint
from control_graph.dataset.csv_reader import check_date_format, sniff_delimiter
from control_graph.dataset.raw import file_error, read_text
from control_graph.errors import DatasetError, DatasetIssue, InvalidArgumentError
from control_graph.model.dates import parse_date

__all__ = ["REQUIRED_COLUMNS", "parse_acled_date", "read_acled"]

#: The columns an export must have.
REQUIRED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "sub_event_type",
    "actor1",
    "location",
    "latitude",
    "longitude",
)
# Date formats ACLED's exports have used (research note, docs/acled.md).
_NAMED_MONTH_FORMATS = ("%d %B %Y", "%d-%B-%Y", "%d-%b-%y", "%d %b %Y", "%d-%b-%Y")
_SEPT = re.compile(r"(?<=[0-9 -])Sept(?=[ -])", re.IGNORECASE)
_FIRST_YEAR = 1997


def parse_acled_date(text: str, date_format: str | None = None) -> dt.date:
    """An ``event_date`` in any format ACLED has used: ISO (current exports and the API),
    ``05 February 2024``, ``05-February-2024``, ``5-Feb-24`` and ``30-Sept-24`` (a file
    re-saved by Excel). Numeric day/month orders are never guessed: give ``date_format``.

    >>> parse_acled_date("2024-02-05"), parse_acled_date("5-Feb-24")
    (datetime.date(2024, 2, 5), datetime.date(2024, 2, 5))
    >>> parse_acled_date("30-Sept-24"), parse_acled_date("05 February 2024")
    (datetime.date(2024, 9, 30), datetime.date(2024, 2, 5))
    >>> parse_acled_date("05/02/2024", "%d/%m/%Y")
    datetime.date(2024, 2, 5)
    """
    text = text.strip()
    if date_format is not None:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            pass
    try:
        return parse_date(text)
    except InvalidArgumentError:
        pass
    named = _SEPT.sub("Sep", text)
    for candidate in _NAMED_MONTH_FORMATS:
        try:
            return dt.datetime.strptime(named, candidate).date()
        except ValueError:
            continue
    if date_format is not None:
        raise InvalidArgumentError(f"{text!r} does not match the date format {date_format!r}")
    hint = date_format_hint(text)
    raise InvalidArgumentError(
        f"{text!r} is not a date ACLED writes (2024-02-05, 05 February 2024, 5-Feb-24)"
        + (f"; {hint}" if hint else "")
    )


class _Problems:
    """The problems of one export, the first thousand kept."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[DatasetIssue] = []
        self.total = 0

    def add(self, entry: str, name: str | None, message: str, line: int | None) -> None:
        self.total += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(DatasetIssue(self.file, entry, name, message, line))

    def raise_any(self) -> None:
        if self.total:
            raise DatasetError(self.issues, total=self.total)


def _split(text: str | None) -> tuple[str, ...]:
    """A cell holding several values separated by semicolons."""
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


def _row(
    cells: dict[str, str],
    line: int,
    number: int,
    problems: _Problems,
    *,
    decimal_comma: bool,
    date_format: str | None,
) -> AcledRow | None:
    """One row's cells as an :class:`AcledRow`, or ``None`` after reporting its problems."""
    get = cells.get
    event_id = get("event_id_cnty")
    entry = f"event {event_id}" if event_id else f"row {number}"
    failed = False

    def fail(name: str, message: str) -> None:
        nonlocal failed
        problems.add(entry, name, message, line)
        failed = True

    def required(name: str) -> str:
        value = get(name)
        if value is None:
            fail(name, "is required")
            return ""
        return value

    def integer(name: str, low: int | None = None, high: int | None = None) -> int | None:
        text = get(name)
        if text is None:
            return None
        try:
            value = int(text)
        except ValueError:
            fail(name, f"{text[:40]!r} is not a whole number")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            fail(name, f"{value} is not from {low} to {high}")
            return None
        return value

    def coordinate(name: str, limit: float) -> float:
        text = required(name)
        if not text:
            return 0.0
        try:
            # A file saved by a spreadsheet in a comma-decimal locale separates cells
            # with ";" and writes 25,6083.
            value = float(text.replace(",", ".") if decimal_comma else text)
        except ValueError:
            fail(name, f"{text[:40]!r} is not a number")
            return 0.0
        if not -limit <= value <= limit:
            fail(name, f"{value:g} is out of range: must be from {-limit:g} to {limit:g}")
        return value

    required("event_id_cnty")
    if event_id is not None and not SLUG.fullmatch(record_id(event_id)[len(ID_PREFIX) :]):
        fail("event_id_cnty", f"{event_id[:40]!r} is not an ACLED event id such as MMR12345")
    day = dt.date.min
    date_text = required("event_date")
    if date_text:
        try:
            day = parse_acled_date(date_text, date_format)
        except InvalidArgumentError as error:
            fail("event_date", str(error))
        else:
            year = integer("year")
            if year is not None and year != day.year:
                fail("event_date", f"{date_text!r} is not in the year the row gives ({year})")
            elif day.year < _FIRST_YEAR:
                fail("event_date", f"{date_text!r} is before {_FIRST_YEAR}, ACLED's first year")
    precision = integer("time_precision", 1, 3)
    geo_precision = integer("geo_precision", 1, 3)
    fatalities = integer("fatalities", 0)
    timestamp = integer("timestamp", 0)
    latitude = coordinate("latitude", 90)
    longitude = coordinate("longitude", 180)
    sub_event_type, actor1, location = (
        required(name) for name in ("sub_event_type", "actor1", "location")
    )
    if failed or event_id is None:
        return None
    return AcledRow(
        line=line,
        event_id=event_id,
        event_date=day,
        time_precision=precision or 1,
        sub_event_type=sub_event_type,
        actor1=actor1,
        location=location,
        latitude=latitude,
        longitude=longitude,
        event_type=get("event_type"),
        disorder_type=get("disorder_type"),
        assoc_actor_1=_split(get("assoc_actor_1")),
        inter1=get("inter1"),
        actor2=get("actor2"),
        assoc_actor_2=_split(get("assoc_actor_2")),
        inter2=get("inter2"),
        # "Civilians targeted" in the codebook, "Civilian targeting" in real files.
        civilian_targeting=get("civilian_targeting") is not None,
        iso=get("iso"),
        country=get("country"),
        admin1=get("admin1"),
        admin2=get("admin2"),
        admin3=get("admin3"),
        geo_precision=geo_precision,
        source=_split(get("source")),
        source_scale=get("source_scale"),
        notes=cells.get("notes"),
        fatalities=fatalities,
        tags=_split(get("tags")),
        timestamp=timestamp,
    )


def read_acled(path: str | Path, data: bytes, *, date_format: str | None = None) -> list[AcledRow]:
    """The rows of an ACLED export (CSV; ``,``, ``;`` or tab separated), all checked.

    Headers are matched by name without regard to case or order; unknown columns are
    ignored. ``date_format`` reads numeric dates a spreadsheet rewrote
    (``"%d/%m/%Y"``), which are never guessed.

    Raises
    ------
    DatasetError
        Listing every problem: a missing column, a file from before ACLED's 2019 event
        types, a monadic export (one row per actor), an invalid row.

    Examples
    --------
    >>> header = "event_id_cnty,event_date,sub_event_type,actor1,location,latitude,longitude"
    >>> row = "MMR900101,2024-03-15,Armed clash,Military Forces of Myanmar (2021-),Kamaing,25,96"
    >>> rows = read_acled("x.csv", f"{header}\\n{row}\\n".encode())
    >>> rows[0].id, rows[0].event_date, rows[0].territory
    ('acled-mmr900101', datetime.date(2024, 3, 15), None)
    """
    file = str(path)
    if date_format is not None:
        check_date_format(date_format)
    text = read_text(Path(file), data)
    if "\x00" in text:
        raise file_error(
            file, "contains a NUL character", text.count("\n", 0, text.index("\x00")) + 1
        )
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems = _Problems(file)
    rows: list[AcledRow] = []
    first_line: dict[str, int] = {}
    try:
        header = next(reader, None)
        if header is None:
            return []
        names = [name.strip().casefold() for name in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if "sub_event_type" in missing and "event_type" in names:
            raise file_error(
                file,
                "no sub_event_type column: this is an ACLED file from before March 2019, "
                "whose event types (such as 'Battle-No change of territory') this import "
                "does not read; download the events again from ACLED",
                1,
            )
        if missing:
            raise file_error(
                file,
                f"not an ACLED export: it lacks the column(s) {', '.join(missing)} "
                f"(an export has {', '.join(REQUIRED_COLUMNS)} and more)",
                1,
            )
        width = len(names)
        next_line = reader.line_num + 1
        number = 0
        for cells_in_row in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells_in_row):
                continue
            number += 1
            if len(cells_in_row) > width and any(c.strip() for c in cells_in_row[width:]):
                problems.add(
                    f"row {number}",
                    None,
                    f"has {len(cells_in_row)} cells but the header has {width} columns",
                    line,
                )
                continue
            cells = {
                name: cell.strip()
                for name, cell in zip(names, cells_in_row, strict=False)
                if cell.strip()
            }
            if "notes" in cells:
                # Notes keep their text as ACLED wrote it.
                cells["notes"] = cells_in_row[names.index("notes")]
            row = _row(
                cells,
                line,
                number,
                problems,
                decimal_comma=delimiter == ";",
                date_format=date_format,
            )
            if row is None:
                continue
            first = first_line.setdefault(row.id, line)
            if first != line:
                problems.add(
                    f"event {row.event_id}",
                    "event_id_cnty",
                    f"appears again (first on line {first}): a monadic export, with one "
                    "row per actor? Download the default (dyadic) export, one row per event",
                    line,
                )
                continue
            rows.append(row)
    except csv.Error as error:
        raise file_error(file, f"unreadable CSV: {error}", next_line) from None
    problems.raise_any()
    return rows
