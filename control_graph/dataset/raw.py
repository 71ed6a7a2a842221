"""Dataset files read but not yet validated: raw entries that remember where they were.

Nothing here decides what is valid; the readers (:mod:`~control_graph.dataset.yaml_reader`,
:mod:`~control_graph.dataset.json_reader`, :mod:`~control_graph.dataset.csv_reader`) only
read text safely and keep, for every entry and key, the line it came from, so validation
can name file, entry, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from control_graph.errors import DatasetError, DatasetIssue

__all__ = [
    "FORMATS",
    "MAX_NUMBER_DIGITS",
    "RawDataset",
    "RawEntry",
    "detect_format",
    "file_error",
    "read_structured",
    "read_text",
]

#: Integers longer than this are refused (Python refuses 4,300 digits anyway, and no
#: coordinate, length or code needs more); put such a code in quotes.
MAX_NUMBER_DIGITS = 100
#: The file formats a dataset may have, by extension.
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}


@dataclass
class RawEntry:
    """One entry from a file: its values and the line each key was on.

    An entry that is not a mapping in the file (``- lonton`` where ``- {id: lonton}``
    was meant) has ``is_mapping`` false, no values, and the value itself in ``item``.
    Keys of nested mappings and lists are in ``lines`` too, as paths such as
    ``members[0].party``, where the format has lines.
    """

    section: str
    index: int
    values: dict[str, Any]
    line: int | None = None
    lines: dict[str, int] = field(default_factory=dict)
    #: How to name the entry in messages, when not from its section and id.
    label: str | None = None
    #: Put before field names in messages (for mappings nested in an entry).
    field_prefix: str = ""
    is_mapping: bool = True
    item: Any = None

    def line_of(self, key: str | None) -> int | None:
        return self.lines.get(key, self.line) if key else self.line


@dataclass
class RawDataset:
    """A file read but not yet validated."""

    file: str
    top: RawEntry
    sections: dict[str, list[RawEntry]]


def detect_format(path: Path) -> str:
    """``yaml``, ``json`` or ``csv`` from the file's extension."""
    file_format = FORMATS.get(path.suffix.lower())
    if file_format is None:
        raise DatasetError(
            [
                DatasetIssue(
                    str(path),
                    "file",
                    None,
                    f"unknown file type {path.suffix[:20]!r}; use .yaml, .yml, .json or .csv",
                )
            ]
        )
    return file_format


def file_error(file: str, message: str, line: int | None = None) -> DatasetError:
    return DatasetError([DatasetIssue(file, "file", None, message, line)])


def read_text(path: Path, data: bytes) -> str:
    try:
        # utf-8-sig drops a byte order mark, which editors on Windows like to add.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise file_error(
            str(path),
            f"not UTF-8 text (invalid byte at offset {error.start}); save it as UTF-8",
            line,
        ) from None


def read_structured(path: Path, data: bytes, file_format: str) -> RawDataset:
    """Read a YAML or JSON dataset into raw entries."""
    text = read_text(path, data)
    try:
        if file_format == "yaml":
            from control_graph.dataset.yaml_reader import read_yaml

            top, sections = read_yaml(path, text)
        else:
            from control_graph.dataset.json_reader import read_json

            top, sections = read_json(path, text)
    except RecursionError:
        raise file_error(str(path), "nested too deeply") from None
    return RawDataset(str(path), top, sections)
