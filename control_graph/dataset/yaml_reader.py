"""Reading YAML datasets into raw entries, safely.

YAML is read with a deliberately small loader: no Python object tags are ever
constructed (there is no constructor at all, only plain scalars, lists and mappings),
``yes``/``no``/``on``/``off`` stay text (so a place called "No" stays "No"), dates stay
text until validation parses them, numbers with a leading zero stay text (``0123`` is
an id, not octal), duplicate keys are errors, and aliases may not make the document
much larger than its text (alias bombs, see :data:`MAX_YAML_VALUES`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from control_graph.dataset.raw import MAX_NUMBER_DIGITS, RawEntry, file_error
from control_graph.errors import DatasetError

__all__ = ["MAX_YAML_VALUES", "YAML_LOADER", "read_yaml"]

#: How many values YAML aliases may add beyond what the text spells out. A document
#: without aliases never needs more values than it has characters, so the limit is this
#: plus the length of the text; long strings count once per 16 characters, so an alias
#: repeating a long text cannot multiply it either. A billion-laughs document stops
#: after about this many values (a fraction of a second, a few megabytes).
MAX_YAML_VALUES = 100_000

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
        return file_error(self.file, message, node.start_mark.line + 1)

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


def read_yaml(path: Path, text: str) -> tuple[RawEntry, dict[str, list[RawEntry]]]:
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
        raise file_error(
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
        raise file_error(file, f"not valid YAML: {problem}", line) from None
    except yaml.YAMLError as error:
        raise file_error(file, f"not valid YAML: {error}") from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        return RawEntry("file", 0, {}, 1), {}
    return _YamlConverter(file, MAX_YAML_VALUES + len(text)).document(root)
