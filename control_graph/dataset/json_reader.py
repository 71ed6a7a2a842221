"""Reading JSON datasets into raw entries, safely.

JSON is read by the standard library's scanner, one entry at a time, so each entry
knows its line too; duplicate keys, ``NaN``/``Infinity`` and absurdly long numbers are
errors.
"""

from __future__ import annotations

import json
import re
from json.scanner import make_scanner
from pathlib import Path
from typing import Any, cast

from control_graph.dataset.raw import MAX_NUMBER_DIGITS, RawEntry, file_error
from control_graph.errors import DatasetError

__all__ = ["read_json"]

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
        return file_error(self.file, f"not valid JSON: {message}", line)

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
            raise file_error(
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
                    raise file_error(
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


def read_json(path: Path, text: str) -> tuple[RawEntry, dict[str, list[RawEntry]]]:
    """The top-level entry and the entries of each section of a JSON dataset."""
    return _JsonReader(str(path), text).document()
