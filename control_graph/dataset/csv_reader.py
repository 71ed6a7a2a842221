"""Reading CSV files of events or access records into rows that remember their lines."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from control_graph.dataset.fields import ACCESS_CSV_COLUMNS, EVENT_CSV_COLUMNS
from control_graph.dataset.raw import file_error, read_text
from control_graph.errors import DatasetError, DatasetIssue

__all__ = ["CSV_KINDS", "CsvRows"]

#: The columns of each kind of CSV, and the column that tells them apart.
CSV_KINDS = {"events": EVENT_CSV_COLUMNS, "access": ACCESS_CSV_COLUMNS}


class CsvRows:
    """A CSV file of events or of access records (contract section 1.3), header checked.

    :attr:`section` is ``events``, or ``access`` when the header has an ``access``
    column (then it may not have ``status``). Iterating yields ``(row number, line,
    {column: text})`` for each data row; ``line`` is the line the row starts on (a quoted
    note may span several). Cells are stripped of surrounding spaces (spreadsheets add
    them), except notes; empty cells are left out of the mapping. A row with more cells
    than the header (other than empty ones, which spreadsheets add) is reported in
    ``issues`` and skipped, so every such row is found in one pass.
    """

    def __init__(self, path: Path, data: bytes, issues: list[DatasetIssue]) -> None:
        self.file = str(path)
        self.issues = issues
        text = read_text(path, data)
        # A NUL byte stops the csv module with an unhelpful error; say where it is instead.
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise file_error(self.file, "contains a NUL character", line)
        # Strict: a quote left open must not swallow the rows after it into one note.
        self._reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(self._reader, None)
        except csv.Error as error:
            raise DatasetError(
                [
                    DatasetIssue(
                        self.file, "header", None, f"unreadable CSV: {_csv_problem(error)}", 1
                    )
                ]
            ) from None
        self.columns = [name.strip() for name in header] if header is not None else []
        self.section = "access" if "access" in self.columns else "events"
        self._check_header()

    def _check_header(self) -> None:
        if not self.columns:
            return
        allowed = CSV_KINDS[self.section]
        problems = []
        if "access" in self.columns and "status" in self.columns:
            problems.append(
                DatasetIssue(
                    self.file,
                    "header",
                    "access",
                    "a CSV holds events (a status column) or access records (an access "
                    "column), not both",
                    1,
                )
            )
        seen: set[str] = set()
        for name in self.columns:
            if name not in allowed and not (name == "status" and "access" in self.columns):
                shown = name if name.isprintable() and len(name) <= 40 else repr(name[:40])
                problems.append(
                    DatasetIssue(
                        self.file,
                        "header",
                        shown,
                        f"unknown column {name[:40]!r}; the columns are {', '.join(allowed)}",
                        1,
                    )
                )
            elif name in seen:
                problems.append(DatasetIssue(self.file, "header", name, "column appears twice", 1))
            seen.add(name)
        if "date" not in seen:
            problems.append(
                DatasetIssue(self.file, "header", "date", "the date column is required", 1)
            )
        if problems:
            raise DatasetError(list(dict.fromkeys(problems)))

    def __iter__(self) -> Iterator[tuple[int, int, dict[str, str]]]:
        if not self.columns:
            return
        reader, columns, file = self._reader, self.columns, self.file
        width = len(columns)
        note_column = columns.index("note") if "note" in columns else -1
        row_number = 0
        next_line = reader.line_num + 1
        try:
            for row in reader:
                line, next_line = next_line, reader.line_num + 1
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                row_number += 1
                if len(row) > width and any(cell.strip() for cell in row[width:]):
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


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    if "unexpected end of data" in text:
        return "a quoted cell is never closed (the file ends inside quotes)"
    if "expected after" in text:
        return 'text follows a closing quote; inside a quoted cell, write a quote twice ("")'
    return text
