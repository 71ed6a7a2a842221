"""Dataset files read but not yet validated: raw entries that remember where they were.

Nothing here decides what is valid; the readers (:mod:`~control_graph.dataset.yaml_reader`,
:mod:`~control_graph.dataset.json_reader`, :mod:`~control_graph.dataset.csv_reader`) only
read text safely and keep, for every entry and key, the line it came from, so validation
can name file, entry, line and field.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from control_graph.errors import DatasetError, DatasetIssue

__all__ = [
    "FORMATS",
    "MAX_NUMBER_DIGITS",
    "RawDataset",
    "RawEntry",
    "ScannedFile",
    "detect_format",
    "file_error",
    "read_structured",
    "read_text",
    "scan_file",
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


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a :class:`DatasetError` naming it when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise file_error(str(path), cannot_read(error)) from None


def cannot_read(error: OSError) -> str:
    return f"cannot read: {error.strerror or error}"


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


class ScannedFile(NamedTuple):
    """What one pass over a file's bytes tells before it is read as text."""

    sha256: str
    lines: int
    size: int


#: Bytes read at a time when a file is scanned or streamed.
CHUNK = 1 << 20


def scan_file(path: Path) -> ScannedFile:
    """Hash a file, count its lines and check that it is UTF-8 text without NUL
    characters, reading it in chunks (memory does not grow with the file). A streamed
    import then reads it as text knowing it decodes.

    Raises
    ------
    DatasetError
        When the file cannot be read, is not UTF-8, or holds a NUL character (naming
        the line).
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines = size = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                nul = chunk.find(b"\x00")
                if nul >= 0:
                    line = lines + chunk.count(b"\n", 0, nul) + 1
                    raise file_error(str(path), "contains a NUL character", line)
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    start = max(0, min(error.start, len(chunk)))
                    line = lines + chunk.count(b"\n", 0, start) + 1
                    raise file_error(
                        str(path),
                        f"not UTF-8 text (invalid byte at offset {size + start}); save it as UTF-8",
                        line,
                    ) from None
                lines += chunk.count(b"\n")
                size += len(chunk)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise file_error(
                    str(path), "not UTF-8 text (it ends inside a character); save it as UTF-8"
                ) from None
    except OSError as error:
        raise file_error(str(path), cannot_read(error)) from None
    return ScannedFile(digest.hexdigest(), lines, size)


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
