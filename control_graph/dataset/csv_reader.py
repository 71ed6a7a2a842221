"""Reading CSV files of events or access records into rows that remember their lines.

Spreadsheets write CSV files their own way, so the header is read generously but never
by guesswork: a header names a column of the format without regard to case, surrounding
spaces, or ``_``/``-``/space between words (``Date``, ``DATE_LATEST``, ``date latest``);
any other header is an error that suggests the column it probably means (a near miss,
or a common synonym from :data:`HEADER_SYNONYMS`) and the ``--columns`` option that
reads it so. ``--columns`` (:attr:`CsvOptions.columns`) names the header of each column
for any other layout. Blank rows (``,,,`` too) and rows whose first cell starts with
``#`` are skipped; the separator is ``,``, ``;`` or a tab, found from the header line
unless given.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from control_graph.dataset.fields import ACCESS_CSV_COLUMNS, EVENT_CSV_COLUMNS
from control_graph.dataset.raw import file_error, read_text
from control_graph.errors import DatasetError, DatasetIssue, InvalidArgumentError

__all__ = [
    "CSV_KINDS",
    "DELIMITERS",
    "HEADER_SYNONYMS",
    "CsvOptions",
    "CsvRows",
    "check_date_format",
    "header_key",
    "sniff_delimiter",
]

#: The columns of each kind of CSV, and the column that tells them apart.
CSV_KINDS = {"events": EVENT_CSV_COLUMNS, "access": ACCESS_CSV_COLUMNS}
#: Every column either kind of CSV may have.
_ALL_COLUMNS = tuple(dict.fromkeys((*EVENT_CSV_COLUMNS, *ACCESS_CSV_COLUMNS)))
#: Characters of a streamed file read to find its header line and separator.
_HEAD = 1 << 16
#: The separators a CSV may use (found from the header line unless given).
DELIMITERS = (",", ";", "\t")

#: Headers that spreadsheets use for the format's columns. They are suggested in the
#: error for an unknown header ("did you mean 'party'?"), never applied silently: what a
#: team calls "Location" may be a place id or a description, so the user says which with
#: ``--columns place=Location``. Keys are compared as :func:`header_key` makes them.
HEADER_SYNONYMS: Mapping[str, str] = {
    "date of event": "date",
    "event date": "date",
    "day": "date",
    "location": "place",
    "village": "place",
    "town": "place",
    "place id": "place",
    "segment id": "segment",
    "road id": "road",
    "controller": "party",
    "controlled by": "party",
    "held by": "party",
    "holder": "party",
    "actor": "party",
    "party id": "party",
    "control": "status",
    "state": "status",
    "type": "kind",
    "event type": "kind",
    "sources": "source",
    "source id": "source",
    "certainty": "confidence",
    "reported": "recorded",
    "reported on": "recorded",
    "date recorded": "recorded",
    "notes": "note",
    "comment": "note",
    "comments": "note",
    "remarks": "note",
    "description": "note",
    "event id": "id",
    "record id": "id",
    "latest date": "date_latest",
    "end date": "date_latest",
    "claimed by": "claimant",
    "access level": "access",
}


def header_key(name: str) -> str:
    """How a header is compared with the format's columns: without regard to case,
    surrounding spaces, or whether words are joined by ``_``, ``-`` or spaces.

    >>> header_key("  Date_Latest "), header_key("DATE-LATEST"), header_key("date latest")
    ('date latest', 'date latest', 'date latest')
    """
    return " ".join(name.casefold().replace("_", " ").replace("-", " ").split())


_COLUMN_OF_KEY = {header_key(column): column for column in _ALL_COLUMNS}


@dataclass(frozen=True)
class CsvOptions:
    """How to read a CSV whose layout is not the format's own.

    ``columns`` maps columns of the format to the headers that hold them in the file
    (``{"place": "Location"}``; headers compared as :func:`header_key` makes them);
    ``date_format`` is a :func:`~datetime.datetime.strptime` format for its dates
    (``"%d/%m/%Y"``; ISO dates are read too), never guessed; ``delimiter`` its separator
    (default: found from the header line).

    Examples
    --------
    >>> CsvOptions(columns={"place": "Location"}, date_format="%d/%m/%Y").date_format
    '%d/%m/%Y'
    >>> CsvOptions(delimiter="||")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    control_graph.errors.InvalidArgumentError: delimiter: '||' is not one character; ...
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    date_format: str | None = None
    delimiter: str | None = None

    def __post_init__(self) -> None:
        if self.delimiter is not None and (
            len(self.delimiter) != 1 or self.delimiter in '"\r\n' or self.delimiter.isalnum()
        ):
            raise InvalidArgumentError(
                f"delimiter: {self.delimiter!r} is not one character; use ',', ';' or a tab"
                if len(self.delimiter) != 1
                else f"delimiter: {self.delimiter!r} cannot separate cells; use ',', ';' or a tab"
            )
        if self.date_format is not None:
            check_date_format(self.date_format)

    @property
    def given(self) -> bool:
        """Whether any option differs from the defaults."""
        return bool(self.columns) or self.date_format is not None or self.delimiter is not None


def check_date_format(date_format: str) -> None:
    """Refuse a date format that cannot name a calendar day (it must give day, month
    and year, and read back what it writes)."""
    sample = dt.date(2024, 11, 28)
    try:
        written = sample.strftime(date_format)
        read = dt.datetime.strptime(written, date_format).date()
    except ValueError:
        read = None
    if read != sample:
        raise InvalidArgumentError(
            f"date format {date_format!r} does not name a day, month and year; "
            "write it as for strptime, e.g. %d/%m/%Y for 28/11/2024"
        )


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV text: whichever of ``;`` and a tab is more frequent than
    ``,`` on the header line (the first line that is neither blank nor a comment), else
    ``,``.

    >>> sniff_delimiter("# exported 2026-02-07\\nDatum;Ort;Partei\\n"), sniff_delimiter("a,b")
    (';', ',')
    """
    start, line = 0, ""
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].strip()
        if line and not line.startswith("#"):
            break
        start = end + 1
    counts = {delimiter: line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 0 else ","


def _is_skipped(row: list[str]) -> bool:
    """A blank row (every cell empty, as in ``,,,``) or a comment (``#`` first)."""
    return not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#")


def _shown(name: str) -> str:
    return name if name.isprintable() and len(name) <= 40 else repr(name[:40])


class CsvRows:
    """A CSV file of events or of access records (contract section 1.3), header checked.

    :attr:`section` is ``events``, or ``access`` when the header has an ``access``
    column (then it may not have ``status``). :attr:`columns` are the format's columns
    in the order of the file's headers. Iterating yields ``(row number, line, {column:
    text})`` for each data row; ``line`` is the line the row starts on (a quoted note may
    span several). Cells are stripped of surrounding spaces (spreadsheets add them),
    except notes; empty cells are left out of the mapping. Blank rows and comment rows
    are skipped and not numbered. A row with more cells than the header (other than
    empty ones, which spreadsheets add) is reported in ``issues`` and skipped, so every
    such row is found in one pass.
    """

    def __init__(
        self,
        path: Path,
        data: bytes | TextIO,
        issues: list[DatasetIssue],
        options: CsvOptions | None = None,
    ) -> None:
        self.file = str(path)
        self.issues = issues
        options = options or CsvOptions()
        source: Iterable[str]
        if isinstance(data, bytes):
            text = read_text(path, data)
            # A NUL byte stops the csv module with an unhelpful error; say where it is.
            if "\x00" in text:
                line = text.count("\n", 0, text.index("\x00")) + 1
                raise file_error(self.file, "contains a NUL character", line)
            delimiter = options.delimiter or sniff_delimiter(text)
            source = io.StringIO(text, newline="")
        else:
            # A text stream (opened with newline=""), already checked by raw.scan_file:
            # the header is sniffed from its first whole lines, then rows are read as
            # they come, so memory does not grow with the file.
            head = data.read(_HEAD) + data.readline()
            delimiter = options.delimiter or sniff_delimiter(head)
            source = itertools.chain(io.StringIO(head, newline=""), data)
        # Strict: a quote left open must not swallow the rows after it into one note.
        self._reader = csv.reader(source, delimiter=delimiter, strict=True)
        self.header_line = 1
        header: list[str] | None = None
        try:
            # Blank and comment lines may come before the header too.
            for row in self._reader:
                if not _is_skipped(row):
                    header = row
                    break
                self.header_line = self._reader.line_num + 1
        except csv.Error as error:
            raise DatasetError(
                [
                    DatasetIssue(
                        self.file,
                        "header",
                        None,
                        f"unreadable CSV: {_csv_problem(error)}",
                        self.header_line,
                    )
                ]
            ) from None
        #: The headers as the file writes them (stripped).
        self.headers = [name.strip() for name in header] if header is not None else []
        self.columns = self._resolve(dict(options.columns))
        self.section = "access" if "access" in self.columns else "events"
        self._check_header()

    # -- the header -----------------------------------------------------------------------

    def _issue(self, name: str | None, message: str) -> DatasetIssue:
        return DatasetIssue(self.file, "header", name, message, self.header_line)

    def _resolve(self, given: dict[str, str]) -> list[str]:
        """The format's column for each header: from ``--columns``, else the header's own
        name; an unknown header keeps its text (and :meth:`_check_header` reports it)."""
        problems = []
        by_header: dict[str, str] = {}
        keys = {header_key(h) for h in self.headers}
        for named, header in given.items():
            column = _COLUMN_OF_KEY.get(header_key(named), named)
            if column not in _ALL_COLUMNS:
                hint = _suggestion(header_key(column))
                did_you_mean = f" (did you mean {hint!r}?)" if hint else ""
                problems.append(
                    self._issue(
                        None,
                        f"--columns names {column!r}{did_you_mean}, which is not a column of "
                        f"the format; the columns are {', '.join(_ALL_COLUMNS)}",
                    )
                )
            elif header_key(header) not in keys:
                problems.append(
                    self._issue(
                        None,
                        f"--columns {column}={header}: the file has no column {header!r}; "
                        f"its columns are {', '.join(map(_shown, self.headers))}",
                    )
                )
            else:
                by_header[header_key(header)] = column
        if problems:
            raise DatasetError(problems)
        return [
            by_header.get(key) or _COLUMN_OF_KEY.get(key) or header
            for key, header in zip(map(header_key, self.headers), self.headers, strict=True)
        ]

    def _check_header(self) -> None:
        if not self.headers:
            return
        allowed = CSV_KINDS[self.section]
        problems = []
        if "access" in self.columns and "status" in self.columns:
            problems.append(
                self._issue(
                    "access",
                    "a CSV holds events (a status column) or access records (an access "
                    "column), not both",
                )
            )
        seen: dict[str, str] = {}
        suggested: dict[str, str] = {}
        for header, name in zip(self.headers, self.columns, strict=True):
            if name not in allowed and not (name == "status" and "access" in self.columns):
                hint = _suggestion(header_key(header), allowed)
                did_you_mean = ""
                if hint is not None and hint not in self.columns:
                    suggested[hint] = header
                    did_you_mean = (
                        f" (did you mean {hint!r}? --columns {hint}={header} reads it so)"
                    )
                problems.append(
                    self._issue(
                        _shown(header),
                        f"unknown column {header[:40]!r}{did_you_mean}; "
                        f"the columns are {', '.join(allowed)}",
                    )
                )
            elif name in seen:
                both = f" ({seen[name]!r} and {header!r})" if seen[name] != header else ""
                problems.append(self._issue(name, f"column appears twice{both}"))
            seen.setdefault(name, header)
        if "date" not in seen:
            problems.append(self._issue("date", "the date column is required"))
        if len(suggested) > 1:
            option = ",".join(f"{column}={header}" for column, header in suggested.items())
            problems.append(
                self._issue(None, f"to read the columns as suggested, give --columns {option}")
            )
        if problems:
            raise DatasetError(list(dict.fromkeys(problems)))

    # -- the rows -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[tuple[int, int, dict[str, str]]]:
        if not self.headers:
            return
        reader, columns, file = self._reader, self.columns, self.file
        width = len(columns)
        note_column = columns.index("note") if "note" in columns else -1
        row_number = 0
        next_line = reader.line_num + 1
        try:
            for row in reader:
                line, next_line = next_line, reader.line_num + 1
                # Comments, by their first cell: tested in full only when it holds a "#"
                # at all, which keeps a million-row file fast.
                if not row or ("#" in row[0] and row[0].lstrip().startswith("#")):
                    continue
                if len(row) > width and any(cell.strip() for cell in row[width:]):
                    row_number += 1
                    self.issues.append(
                        DatasetIssue(
                            file,
                            f"row {row_number}",
                            None,
                            f"has {len(row)} cells but the header has {width} columns",
                            line,
                        )
                    )
                    continue
                cells = {
                    name: cell
                    for name, cell in zip(columns, map(str.strip, row), strict=False)
                    if cell
                }
                if not cells:  # a blank row, ",,," included
                    continue
                row_number += 1
                if "note" in cells:
                    # Notes keep their spaces and line breaks as written.
                    cells["note"] = row[note_column]
                yield row_number, line, cells
        except csv.Error as error:
            raise DatasetError(
                [
                    DatasetIssue(
                        file,
                        f"row {row_number + 1}",
                        None,
                        f"unreadable CSV: {_csv_problem(error)}",
                        next_line,
                    )
                ]
            ) from None


def _suggestion(key: str, allowed: tuple[str, ...] = _ALL_COLUMNS) -> str | None:
    """The column a header probably means: a synonym, else a near miss."""
    synonym = HEADER_SYNONYMS.get(key)
    if synonym is not None and synonym in allowed:
        return synonym
    keys = {header_key(column): column for column in allowed}
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.75)
    return keys[close[0]] if close else None


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    if "unexpected end of data" in text:
        return "a quoted cell is never closed (the file ends inside quotes)"
    if "expected after" in text:
        return 'text follows a closing quote; inside a quoted cell, write a quote twice ("")'
    return text
