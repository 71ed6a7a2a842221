"""Reading dataset files (YAML, JSON, CSV) into raw entries that remember where they were.

Nothing here decides what is valid; it only reads text safely and keeps, for every
entry and key, the line it came from, so validation can name file, entry, line and field.

YAML is read with a deliberately small loader: no Python object tags are ever
constructed (there is no constructor at all, only plain scalars, lists and mappings),
``yes``/``no``/``on``/``off`` stay text (so a place called "No" stays "No"), dates stay
text until validation parses them, numbers with a leading zero stay text (``0123`` is
an id, not octal), duplicate keys are errors, and aliases may not make the document
much larger than its text (alias bombs, see :data:`MAX_YAML_VALUES`).

JSON is read by the standard library's scanner, one entry at a time, so each entry
knows its line too; duplicate keys, ``NaN``/``Infinity`` and absurdly long numbers are
errors.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from json.scanner import make_scanner
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from control_graph.errors import DatasetError, DatasetIssue

__all__ = [
    "CSV_COLUMNS",
    "MAX_NUMBER_DIGITS",
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
#: How many values YAML aliases may add beyond what the text spells out. A document
#: without aliases never needs more values than it has characters, so the limit is this
#: plus the length of the text; long strings count once per 16 characters, so an alias
#: repeating a long text cannot multiply it either. A billion-laughs document stops
#: after about this many values (a fraction of a second, a few megabytes).
MAX_YAML_VALUES = 100_000
#: Integers longer than this are refused (Python refuses 4,300 digits anyway, and no
#: coordinate, length or code needs more); put such a code in quotes.
MAX_NUMBER_DIGITS = 100
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}
_CSV_COLUMN_SET = frozenset(CSV_COLUMNS)


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


def _file_error(file: str, message: str, line: int | None = None) -> DatasetError:
    return DatasetError([DatasetIssue(file, "file", None, message, line)])


def _read_text(path: Path, data: bytes) -> str:
    try:
        # utf-8-sig drops a byte order mark, which editors on Windows like to add.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _file_error(
            str(path),
            f"not UTF-8 text (invalid byte at offset {error.start}); save it as UTF-8",
            line,
        ) from None


# -- YAML ------------------------------------------------------------------------------

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_DECIMAL = re.compile(r"[-+]?[0-9]+")
# What an explicit !!bool may say; plain yes/no/on/off stay text (see _Resolver).
_BOOLS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
_NULL_TEXT = frozenset({"", "~", "null", "Null", "NULL"})
_BOOL_TEXT = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_NUMBER_START = frozenset("-+0123456789.")
# No leading zeros: "0123" is text (an id or a code), never octal.
_INT_TEXT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT_TEXT = re.compile(
    r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
)


class _Resolver(BaseResolver):
    """Only null, true/false, integers and plain decimals are anything but text.

    Written out rather than registered as PyYAML's implicit resolvers: it runs once
    per value, and the generic lookup cost more than libyaml's whole parse.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if not implicit[0]:  # quoted: always text
                return _STR
            if value in _NULL_TEXT:
                return _NULL
            if value in _BOOL_TEXT:
                return _BOOL
            if value[0] in _NUMBER_START:
                if _INT_TEXT.fullmatch(value):
                    return _INT
                if _FLOAT_TEXT.fullmatch(value):
                    return _FLOAT
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


class _Loader(Reader, Scanner, Parser, Composer, _Resolver):
    """Composes a node tree; there is deliberately no constructor."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Resolver.__init__(self)


#: The loader used: libyaml's parser when PyYAML has it (several times faster, and it
#: refuses nesting deeper than 1,000 levels itself), else the pure-Python one. Both
#: compose the same nodes with the same resolver; tests run both.
YAML_LOADER: type[Any] = _Loader
if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _FastLoader(CParser, _Resolver):
        """The same, with libyaml reading, scanning, parsing and composing."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Resolver.__init__(self)

    YAML_LOADER = _FastLoader


class _YamlConverter:
    """Turns a composed YAML node tree into Python values, refusing what is unsafe."""

    def __init__(self, file: str, budget: int) -> None:
        self.file = file
        self.budget = budget
        self.active: set[int] = set()

    def fail(self, node: Node, message: str) -> DatasetError:
        return _file_error(self.file, message, node.start_mark.line + 1)

    def spend(self, node: Node, cost: int) -> None:
        self.budget -= cost
        if self.budget < 0:
            raise self.fail(
                node, "the document expands to far more values than it spells out (YAML aliases?)"
            )

    def scalar(self, node: ScalarNode) -> Any:
        tag, text = node.tag, node.value
        self.spend(node, 1 + len(text) // 16)
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            if text.lower() in _BOOLS:
                return _BOOLS[text.lower()]
            raise self.fail(node, f"{text[:40]!r} is not true or false")
        if tag == _INT:
            digits = text.replace("_", "")
            if not _DECIMAL.fullmatch(digits):
                raise self.fail(node, f"{text[:40]!r} is not a decimal integer")
            if len(digits) > MAX_NUMBER_DIGITS:
                raise self.fail(
                    node, f"a number with more than {MAX_NUMBER_DIGITS} digits; put it in quotes"
                )
            return int(digits)
        if tag == _FLOAT:
            try:
                return float(text.replace("_", ""))
            except ValueError:
                raise self.fail(node, f"{text[:40]!r} is not a number") from None
        raise self.fail(node, f"the YAML tag {tag[:80]!r} is not allowed")

    def value(self, node: Node, lines: dict[str, int] | None = None, path: str = "") -> Any:
        """The node's value; with ``lines``, record the line of every nested key."""
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        self.spend(node, 1)
        if id(node) in self.active:
            raise self.fail(node, "a YAML alias refers to itself")
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ:
                    raise self.fail(node, f"the YAML tag {node.tag[:80]!r} is not allowed")
                if lines is None:
                    return [self.value(item) for item in node.value]
                items = []
                for i, item in enumerate(node.value):
                    where = f"{path}[{i}]"
                    lines[where] = item.start_mark.line + 1
                    items.append(self.value(item, lines, where))
                return items
            if isinstance(node, MappingNode):
                return self.mapping(node, lines, path)
            raise self.fail(node, "unexpected YAML node")
        finally:
            self.active.discard(id(node))

    def key(self, node: Node) -> str:
        if node.__class__ is ScalarNode and node.tag == _STR:
            text: str = node.value
            self.spend(node, 1 + len(text) // 16)
            return text
        key = self.value(node)
        if not isinstance(key, str):
            shown = repr(key)[:40]
            raise self.fail(node, f"the key {shown} is not text; put it in quotes")
        return key

    def mapping(
        self, node: MappingNode, lines: dict[str, int] | None = None, path: str = ""
    ) -> dict[str, Any]:
        if node.tag != _MAP:
            raise self.fail(node, f"the YAML tag {node.tag[:80]!r} is not allowed")
        values: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise self.fail(
                    key_node,
                    f"the key {key[:60]!r} appears twice in one mapping "
                    f"(first on line {seen[key]})",
                )
            seen[key] = line
            if lines is None:
                values[key] = self.value(value_node)
            else:
                where = f"{path}.{key}" if path else key
                lines[where] = line
                values[key] = self.value(value_node, lines, where)
        return values

    def entry(self, section: str, index: int, node: Node) -> RawEntry:
        line = node.start_mark.line + 1
        if isinstance(node, MappingNode):
            lines: dict[str, int] = {}
            self.spend(node, 1)
            if id(node) in self.active:
                raise self.fail(node, "a YAML alias refers to itself")
            self.active.add(id(node))
            try:
                values = self.mapping(node, lines)
            finally:
                self.active.discard(id(node))
            return RawEntry(section, index, values, line, lines)
        return RawEntry(section, index, {}, line, is_mapping=False, item=self.value(node))

    def document(self, root: Node) -> tuple[RawEntry, dict[str, list[RawEntry]]]:
        if not isinstance(root, MappingNode) or root.tag != _MAP:
            raise self.fail(root, "the file must be a mapping with keys such as places and events")
        top: dict[str, Any] = {}
        top_lines: dict[str, int] = {}
        sections: dict[str, list[RawEntry]] = {}
        self.active.add(id(root))
        for key_node, value_node in root.value:
            key = self.key(key_node)
            if key in top:
                raise self.fail(
                    key_node,
                    f"the key {key[:60]!r} appears twice in the file "
                    f"(first on line {top_lines[key]})",
                )
            top_lines[key] = key_node.start_mark.line + 1
            if isinstance(value_node, SequenceNode) and value_node.tag == _SEQ:
                self.spend(value_node, 1)
                self.active.add(id(value_node))
                entries = [self.entry(key, i, item) for i, item in enumerate(value_node.value)]
                self.active.discard(id(value_node))
                sections[key] = entries
                top[key] = [e.values if e.is_mapping else e.item for e in entries]
            else:
                top[key] = self.value(value_node)
        return RawEntry("file", 0, top, 1, top_lines), sections


def _yaml_document(path: Path, text: str) -> tuple[RawEntry, dict[str, list[RawEntry]]]:
    file = str(path)
    loader = None
    try:
        # The reader refuses unprintable characters as soon as it is made.
        loader = YAML_LOADER(text)
        root = loader.get_single_node()
    except ReaderError as error:
        # libyaml counts the position in bytes of UTF-8, the pure-Python reader in
        # characters.
        if YAML_LOADER is _Loader:
            before = text[: error.position].encode("utf-8")
        else:
            before = text.encode("utf-8")[: error.position]
        reader_line = before.count(b"\n") + 1
        raise _file_error(
            file,
            f"not valid YAML: the character {chr(error.character)!r} is not allowed"
            if isinstance(error.character, int)
            else f"not valid YAML: {error.reason}",
            reader_line,
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or str(error)
        raise _file_error(file, f"not valid YAML: {problem}", line) from None
    except yaml.YAMLError as error:
        raise _file_error(file, f"not valid YAML: {error}") from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        return RawEntry("file", 0, {}, 1), {}
    return _YamlConverter(file, MAX_YAML_VALUES + len(text)).document(root)


# -- JSON ------------------------------------------------------------------------------

_JSON_SPACE = re.compile(r"[ \t\n\r]*")


class _JsonProblem(Exception):
    """Raised from inside the JSON scanner's hooks; becomes a DatasetIssue."""


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _JsonProblem(f"the key {key[:60]!r} appears twice in one object")
        result[key] = value
    return result


def _json_constant(name: str) -> Any:
    raise _JsonProblem(f"{name} is not a JSON number")


def _json_int(digits: str) -> int:
    if len(digits) > MAX_NUMBER_DIGITS:
        raise _JsonProblem(f"a number with more than {MAX_NUMBER_DIGITS} digits; make it a string")
    return int(digits)


class _JsonReader:
    """Walks the top-level object and its lists by hand, so every entry knows its line,
    and leaves everything inside an entry to the standard library's (C) scanner."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        decoder = json.JSONDecoder(
            object_pairs_hook=_json_pairs, parse_constant=_json_constant, parse_int=_json_int
        )
        self.scan = make_scanner(cast(Any, decoder))
        self._counted_to = 0
        self._line = 1

    def line_at(self, position: int) -> int:
        """The line of ``position``; positions must be asked in increasing order."""
        self._line += self.text.count("\n", self._counted_to, position)
        self._counted_to = position
        return self._line

    def fail(self, message: str, position: int) -> DatasetError:
        line = self.text.count("\n", 0, position) + 1
        return _file_error(self.file, f"not valid JSON: {message}", line)

    def skip(self, position: int) -> int:
        match = _JSON_SPACE.match(self.text, position)
        assert match is not None
        return match.end()

    def expect(self, position: int, allowed: str) -> str:
        char = self.text[position : position + 1]
        if not char or char not in allowed:
            wanted = " or ".join(repr(c) for c in allowed)
            raise self.fail(f"expecting {wanted}", position)
        return char

    def value(self, position: int) -> tuple[Any, int]:
        try:
            return self.scan(self.text, position)
        except StopIteration as stop:
            raise self.fail("expecting a value", stop.value) from None
        except json.JSONDecodeError as error:
            raise self.fail(error.msg, error.pos) from None
        except _JsonProblem as problem:
            raise self.fail(str(problem), position) from None
        except RecursionError:
            raise self.fail("nested too deeply", position) from None

    def key(self, position: int) -> tuple[str, int]:
        self.expect(position, '"')
        key, position = self.value(position)
        position = self.skip(position)
        self.expect(position, ":")
        return key, self.skip(position + 1)

    def entries(self, section: str, position: int) -> tuple[list[RawEntry], int]:
        """The list starting at ``position``, one entry per item."""
        entries: list[RawEntry] = []
        position = self.skip(position + 1)
        if self.text.startswith("]", position):
            return entries, position + 1
        while True:
            line = self.line_at(position)
            item, position = self.value(position)
            index = len(entries)
            if isinstance(item, dict):
                entries.append(RawEntry(section, index, item, line))
            else:
                entries.append(RawEntry(section, index, {}, line, is_mapping=False, item=item))
            position = self.skip(position)
            if self.expect(position, ",]") == "]":
                return entries, position + 1
            position = self.skip(position + 1)

    def document(self) -> tuple[RawEntry, dict[str, list[RawEntry]]]:
        position = self.skip(0)
        if not self.text.startswith("{", position):
            document, end = self.value(position)
            if self.skip(end) != len(self.text):
                raise self.fail("extra data after the document", self.skip(end))
            if document is None:
                return RawEntry("file", 0, {}, 1), {}
            raise _file_error(
                self.file,
                "the file must be an object with keys such as places and events",
                self.line_at(position),
            )
        top: dict[str, Any] = {}
        top_lines: dict[str, int] = {}
        sections: dict[str, list[RawEntry]] = {}
        position = self.skip(position + 1)
        if self.text.startswith("}", position):
            position += 1
        else:
            while True:
                line = self.line_at(position)
                key, position = self.key(position)
                if key in top:
                    raise _file_error(
                        self.file,
                        f"the key {key[:60]!r} appears twice in the file "
                        f"(first on line {top_lines[key]})",
                        line,
                    )
                top_lines[key] = line
                if self.text.startswith("[", position):
                    entries, position = self.entries(key, position)
                    sections[key] = entries
                    top[key] = [e.values if e.is_mapping else e.item for e in entries]
                else:
                    top[key], position = self.value(position)
                position = self.skip(position)
                if self.expect(position, ",}") == "}":
                    position += 1
                    break
                position = self.skip(position + 1)
        if self.skip(position) != len(self.text):
            raise self.fail("extra data after the document", self.skip(position))
        return RawEntry("file", 0, top, 1, top_lines), sections


def read_structured(path: Path, data: bytes, file_format: str) -> RawDataset:
    """Read a YAML or JSON dataset into raw entries."""
    text = _read_text(path, data)
    try:
        if file_format == "yaml":
            top, sections = _yaml_document(path, text)
        else:
            top, sections = _JsonReader(str(path), text).document()
    except RecursionError:
        raise _file_error(str(path), "nested too deeply") from None
    return RawDataset(str(path), top, sections)


# -- CSV -------------------------------------------------------------------------------


def read_csv_rows(
    path: Path, data: bytes, issues: list[DatasetIssue]
) -> Iterator[tuple[int, int, dict[str, str]]]:
    """Yield ``(row number, line, {column: text})`` for each data row of a CSV of events.

    ``line`` is the line the row starts on (a quoted note may span several). Cells are
    stripped of surrounding spaces (spreadsheets add them), except notes; empty cells
    are left out of the mapping. The header is checked first: every column must be one
    the contract defines, once. A row with more cells than the header (other than
    empty ones, which spreadsheets add) is reported in ``issues`` and skipped, so every
    such row is found in one pass.
    """
    file = str(path)
    text = _read_text(path, data)
    # A NUL byte stops the csv module with an unhelpful error; say where it is instead.
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise _file_error(file, "contains a NUL character", line)
    # Strict: a quote left open must not swallow the rows after it into one note.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise DatasetError(
            [DatasetIssue(file, "header", None, f"unreadable CSV: {_csv_problem(error)}", 1)]
        ) from None
    if header is None:
        return
    columns = [name.strip() for name in header]
    problems = []
    seen: set[str] = set()
    for name in columns:
        if name not in _CSV_COLUMN_SET:
            shown = name if name.isprintable() and len(name) <= 40 else repr(name[:40])
            problems.append(
                DatasetIssue(
                    file,
                    "header",
                    shown,
                    f"unknown column {name[:40]!r}; the columns are {', '.join(CSV_COLUMNS)}",
                    1,
                )
            )
        elif name in seen:
            problems.append(DatasetIssue(file, "header", name, "column appears twice", 1))
        seen.add(name)
    if "date" not in seen:
        problems.append(DatasetIssue(file, "header", "date", "the date column is required", 1))
    if problems:
        raise DatasetError(list(dict.fromkeys(problems)))
    width = len(columns)
    note_column = columns.index("note") if "note" in seen else -1
    row_number = 0
    next_line = reader.line_num + 1
    try:
        for row in reader:
            line, next_line = next_line, reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            row_number += 1
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                issues.append(
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
                name: cell for name, cell in zip(columns, map(str.strip, row), strict=False) if cell
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
