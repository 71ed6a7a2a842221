"""Reading dataset files (YAML, JSON, CSV) into raw entries that remember where they were.

Nothing here decides what is valid; it only reads text safely and keeps, for every
entry and key, the line it came from, so validation can name file, entry, line and field.

YAML is read with a deliberately small resolver: no Python object tags are ever
constructed, ``yes``/``no``/``on``/``off`` stay text (so a place called "No" stays "No"),
dates stay text until validation parses them, duplicate keys are errors, and aliases may
not expand into more than :data:`MAX_YAML_VALUES` values (alias bombs).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from control_graph.errors import DatasetError, DatasetIssue

__all__ = [
    "CSV_COLUMNS",
    "MAX_YAML_VALUES",
    "RawDataset",
    "RawEntry",
    "detect_format",
    "read_csv_rows",
    "read_structured",
]

#: The columns a CSV of events may have (contract section 1.3).
CSV_COLUMNS = (
    "date",
    "place",
    "segment",
    "road",
    "party",
    "status",
    "kind",
    "source",
    "confidence",
    "recorded",
    "note",
)
#: The most values a YAML document may expand to through aliases.
MAX_YAML_VALUES = 2_000_000
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}


@dataclass
class RawEntry:
    """One mapping from a file: its values and the line each key was on."""

    section: str
    index: int
    values: dict[str, Any]
    line: int | None = None
    lines: dict[str, int] = field(default_factory=dict)
    #: How to name the entry in messages, when not from its section and id.
    label: str | None = None
    #: Put before field names in messages (for mappings nested in an entry).
    field_prefix: str = ""

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
                    f"unknown file type {path.suffix!r}; use .yaml, .yml, .json or .csv",
                )
            ]
        )
    return file_format


def _read_text(path: Path, data: bytes) -> str:
    try:
        # utf-8-sig drops a byte order mark, which editors on Windows like to add.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetError(
            [
                DatasetIssue(
                    str(path),
                    "file",
                    None,
                    f"not UTF-8 text (invalid byte at offset {error.start}); save it as UTF-8",
                )
            ]
        ) from None


# -- YAML ------------------------------------------------------------------------------


class _Resolver(BaseResolver):
    """Only null, true/false, integers and plain decimals are anything but text."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"
    ),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _Loader(Reader, Scanner, Parser, Composer, SafeConstructor, _Resolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        _Resolver.__init__(self)


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class _YamlConverter:
    """Turns a composed YAML node tree into Python values, refusing what is unsafe."""

    def __init__(self, file: str, loader: _Loader) -> None:
        self.file = file
        self.loader = loader
        self.budget = MAX_YAML_VALUES
        self.active: set[int] = set()

    def fail(self, node: Node, message: str) -> DatasetError:
        return DatasetError(
            [DatasetIssue(self.file, "file", None, message, line=node.start_mark.line + 1)]
        )

    def value(self, node: Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self.fail(
                node, f"the document expands to more than {MAX_YAML_VALUES:,} values (aliases?)"
            )
        if isinstance(node, ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise self.fail(node, f"the YAML tag {node.tag!r} is not allowed")
            return self.loader.construct_object(node)
        if id(node) in self.active:
            raise self.fail(node, "a YAML alias refers to itself")
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != "tag:yaml.org,2002:seq":
                    raise self.fail(node, f"the YAML tag {node.tag!r} is not allowed")
                return [self.value(item) for item in node.value]
            if isinstance(node, MappingNode):
                return self.mapping(node)[0]
            raise self.fail(node, "unexpected YAML node")
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode) -> tuple[dict[str, Any], dict[str, int]]:
        if node.tag != "tag:yaml.org,2002:map":
            raise self.fail(node, f"the YAML tag {node.tag!r} is not allowed")
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise self.fail(key_node, f"the key {key!r} is not text")
            if key in values:
                raise self.fail(
                    key_node, f"the key {key!r} appears twice in one mapping (line {lines[key]})"
                )
            values[key] = self.value(value_node)
            lines[key] = line
        return values, lines


def _yaml_document(path: Path, text: str) -> tuple[RawEntry, dict[str, list[RawEntry]]]:
    file = str(path)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or str(error)
        raise DatasetError(
            [DatasetIssue(file, "file", None, f"not valid YAML: {problem}", line)]
        ) from None
    except yaml.YAMLError as error:
        raise DatasetError([DatasetIssue(file, "file", None, f"not valid YAML: {error}")]) from None
    finally:
        loader.dispose()
    converter = _YamlConverter(file, loader)
    if root is None:
        return RawEntry("file", 0, {}, 1), {}
    if not isinstance(root, MappingNode):
        raise converter.fail(root, "the file must be a mapping with keys such as places and events")
    top_values, top_lines = converter.mapping(root)
    sections: dict[str, list[RawEntry]] = {}
    for key_node, value_node in root.value:
        key = key_node.value
        if not isinstance(value_node, SequenceNode):
            continue
        entries: list[RawEntry] = []
        for index, item in enumerate(value_node.value):
            line = item.start_mark.line + 1
            if isinstance(item, MappingNode):
                values, lines = converter.mapping(item)
                entries.append(RawEntry(key, index, values, line, lines))
            else:
                entries.append(RawEntry(key, index, {"": converter.value(item)}, line))
        sections[key] = entries
    return RawEntry("file", 0, top_values, 1, top_lines), sections


# -- JSON ------------------------------------------------------------------------------


def _json_document(path: Path, text: str) -> tuple[RawEntry, dict[str, list[RawEntry]]]:
    file = str(path)

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise DatasetError(
                    [
                        DatasetIssue(
                            file, "file", key, f"the key {key!r} appears twice in one object"
                        )
                    ]
                )
            result[key] = value
        return result

    try:
        document = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as error:
        raise DatasetError(
            [DatasetIssue(file, "file", None, f"not valid JSON: {error.msg}", error.lineno)]
        ) from None
    except RecursionError:
        raise DatasetError([DatasetIssue(file, "file", None, "JSON nested too deeply")]) from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise DatasetError(
            [
                DatasetIssue(
                    file, "file", None, "the file must be an object with keys such as places"
                )
            ]
        )
    sections: dict[str, list[RawEntry]] = {}
    for key, value in document.items():
        if isinstance(value, list):
            sections[key] = [
                RawEntry(key, i, item if isinstance(item, dict) else {"": item})
                for i, item in enumerate(value)
            ]
    return RawEntry("file", 0, document), sections


def read_structured(path: Path, data: bytes, file_format: str) -> RawDataset:
    """Read a YAML or JSON dataset into raw entries."""
    text = _read_text(path, data)
    reader = _yaml_document if file_format == "yaml" else _json_document
    try:
        top, sections = reader(path, text)
    except RecursionError:
        raise DatasetError([DatasetIssue(str(path), "file", None, "nested too deeply")]) from None
    return RawDataset(str(path), top, sections)


# -- CSV -------------------------------------------------------------------------------


def read_csv_rows(
    path: Path, data: bytes, issues: list[DatasetIssue]
) -> Iterator[tuple[int, int, dict[str, str]]]:
    """Yield ``(row number, line, {column: text})`` for each data row of a CSV of events.

    Cells are stripped of surrounding spaces (spreadsheets add them), except notes;
    empty cells are left out of the mapping. The header is checked first: every column
    must be one the contract defines, once. A row with more cells than the header is
    reported in ``issues`` and skipped, so every such row is found in one pass.
    """
    file = str(path)
    text = _read_text(path, data)
    # A NUL byte stops the csv module with an unhelpful error; say where it is instead.
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DatasetError([DatasetIssue(file, "file", None, "contains a NUL character", line)])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise DatasetError(
            [DatasetIssue(file, "header", None, f"unreadable CSV: {error}", 1)]
        ) from None
    if header is None:
        return
    columns = [name.strip() for name in header]
    problems = []
    for name in columns:
        if name not in CSV_COLUMNS:
            problems.append(
                DatasetIssue(
                    file,
                    "header",
                    name,
                    f"unknown column {name!r}; the columns are {', '.join(CSV_COLUMNS)}",
                    1,
                )
            )
        elif columns.count(name) > 1:
            problems.append(DatasetIssue(file, "header", name, "column appears twice", 1))
    if "date" not in columns:
        problems.append(DatasetIssue(file, "header", "date", "the date column is required", 1))
    if problems:
        raise DatasetError(sorted(set(problems), key=lambda p: str(p)))
    width = len(columns)
    row_number = 0
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            row_number += 1
            if len(row) > width:
                issues.append(
                    DatasetIssue(
                        file,
                        f"row {row_number}",
                        None,
                        f"has {len(row)} cells but the header has {width} columns",
                        reader.line_num,
                    )
                )
                continue
            cells: dict[str, str] = {}
            for name, cell in zip(columns, row, strict=False):
                value = cell if name == "note" else cell.strip()
                if value.strip():
                    cells[name] = value
            yield row_number, reader.line_num, cells
    except csv.Error as error:
        raise DatasetError(
            [
                DatasetIssue(
                    file, f"row {row_number + 1}", None, f"unreadable CSV: {error}", reader.line_num
                )
            ]
        ) from None
